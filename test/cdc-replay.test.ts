/**
 * AUTO CDC: order never matters. Random change feeds (few keys, many events,
 * sequence ties, deletes, NULLs, stale and re-sent events, rows for the
 * quarantine and NULL sequences) go through the engine
 *
 * - in one batch, and file by file in shuffled orders (in memory, many small segments);
 * - through `replay` with a restart after every file, and killed with SIGKILL
 *   between the tables' commit and the checkpoint's commit marker (and at the
 *   other points of a batch), then resumed;
 *
 * and every run's SCD type 1 and type 2 targets (with and without IGNORE NULL
 * UPDATES) equal an oracle written here: all events sorted per key and folded
 * once. The DuckDB dialect's script (window functions over the same CSV
 * files) gives the same tables.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compilePipeline, runPipeline, type Pipeline, type Row } from '../engine/index.js';
import { Duck, multisetEqual, type PlainRow } from './helpers/duck.js';
import { ENGINE_JS, ensureBuilt, liveFiles, parquetOnDisk, readLogEntries, readTableGlob, readTableViaLog, runCli, tempDir } from './helpers/cli.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

// ------------------------------------------------------------------ the pipeline (also written as a module for the CLI)

const PIPELINE_SOURCE = (engine: string) => `
import { autoCdc, col, definePipeline, readCsv, stream, streamingTable, view } from ${JSON.stringify(engine)};
const bronze = streamingTable('changes_bronze', { query: readCsv({ glob: 'changes_*.csv', schema: { id: 'string', name: 'string', city: 'string', op: 'string', seq: 'long' } }) });
const clean = view('changes_clean', { query: stream(bronze), expectOrDrop: { known_op: col('op').in('UPSERT', 'DELETE'), has_id: col('id').isNotNull() }, quarantine: 'changes_quarantine' });
const common = { source: clean, keys: ['id'], sequenceBy: 'seq', applyAsDeletes: col('op').eq('DELETE') };
const except = ['op', '_rescued_data', '_source_file', '_line', '_ingested_at'];
const scd1 = streamingTable('scd1'), scd1n = streamingTable('scd1_ignore_nulls'), scd2 = streamingTable('scd2'), scd2n = streamingTable('scd2_ignore_nulls');
export default definePipeline([
  bronze, clean, scd1, scd1n, scd2, scd2n,
  autoCdc(scd1, { ...common, exceptColumns: except }),
  autoCdc(scd1n, { ...common, exceptColumns: except, ignoreNullUpdates: true }),
  autoCdc(scd2, { ...common, exceptColumns: [...except, 'seq'], storedAs: 2, trackHistory: ['city'] }),
  autoCdc(scd2n, { ...common, exceptColumns: [...except, 'seq'], storedAs: 2, trackHistory: ['city'], ignoreNullUpdates: true }),
], { name: 'cdc_replay' });
`;

let pipeline: Pipeline;
let work: string;
let moduleFile: string;

// ------------------------------------------------------------------ random feeds

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

interface Event { id: string; name: string | null; city: string | null; op: string; seq: number | null }

function feed(seed: number, n: number): Event[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const out: Event[] = [];
  for (let i = 0; i < n; i++) {
    const u = r();
    if (u < 0.05 && out.length) { out.push({ ...pick(out) }); continue; } // re-sent
    const e: Event = {
      id: `k${String(Math.floor(r() * 12)).padStart(2, '0')}`,
      name: pick(['Ann', 'Bob', 'Cy', null]),
      city: pick(['Oslo', 'Rome', 'Pisa', null]),
      op: u < 0.25 ? 'DELETE' : 'UPSERT',
      seq: r() < 0.03 ? null : 1 + Math.floor(r() * 40),
    };
    if (e.op === 'DELETE') { e.name = null; e.city = null; }
    if (r() < 0.04) e.op = pick(['MERGE', 'upsert', '']);
    out.push(e);
  }
  return out;
}

const csvField = (v: string | number | null) => (v === null ? '' : String(v));
const csv = (events: readonly Event[]) => 'id,name,city,op,seq\n' + events.map((e) => [e.id, e.name, e.city, e.op, e.seq].map(csvField).join(',')).join('\n') + '\n';

/** Splits a feed into files: shuffled, in `parts` files. */
function files(events: readonly Event[], parts: number, seed: number): Record<string, string> {
  const r = rng(seed);
  const shuffled = [...events];
  for (let i = shuffled.length - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]]; }
  const out: Record<string, string> = {};
  const size = Math.ceil(shuffled.length / parts);
  for (let p = 0; p < parts; p++) out[`changes_${String(p).padStart(3, '0')}.csv`] = csv(shuffled.slice(p * size, (p + 1) * size));
  return out;
}

// ------------------------------------------------------------------ the oracle: sort every event of a key, fold once

type V = string | null;
const cmpText = (a: V, b: V) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1);

function oracle(events: readonly Event[]): Record<string, PlainRow[]> {
  const valid = events.filter((e) => (e.op === 'UPSERT' || e.op === 'DELETE') && e.seq !== null).map((e) => ({ ...e, del: e.op === 'DELETE' }));
  const byKey = new Map<string, typeof valid>();
  for (const e of valid) byKey.set(e.id, [...(byKey.get(e.id) ?? []), e]);
  const out: Record<string, PlainRow[]> = { scd1: [], scd1_ignore_nulls: [], scd2: [], scd2_ignore_nulls: [] };
  for (const [id, evs] of byKey) {
    // SCD1 columns: id, name, city, seq (its text order); SCD2 columns: id, name, city
    for (const [withSeq, table] of [[true, 'scd1'], [false, 'scd2']] as const) {
      const sorted = [...evs].sort((a, b) => a.seq! - b.seq! || Number(a.del) - Number(b.del) || cmpText(a.name, b.name) || cmpText(a.city, b.city) || (withSeq ? 0 : 0));
      for (const ignore of [false, true]) {
        let name: V = null, city: V = null, exists = false;
        const versions: PlainRow[] = [];
        let open: PlainRow | null = null;
        for (let i = 0; i < sorted.length; i++) {
          const e = sorted[i];
          if (e.del) { name = null; city = null; exists = false; } else {
            if (!ignore || e.name !== null) name = e.name;
            if (!ignore || e.city !== null) city = e.city;
            exists = true;
          }
          const lastOfSeq = i === sorted.length - 1 || sorted[i + 1].seq !== e.seq;
          if (!lastOfSeq) continue;
          if (exists) {
            if (open && open.city === city) { open.name = name; continue; }
            if (open) open.__END_AT = e.seq;
            open = { id, name, city, __START_AT: e.seq, __END_AT: null };
            versions.push(open);
          } else if (open) { open.__END_AT = e.seq; open = null; }
        }
        const last = sorted[sorted.length - 1];
        if (table === 'scd1') { if (exists) out[ignore ? 'scd1_ignore_nulls' : 'scd1'].push({ id, name, city, seq: last.seq }); }
        else out[ignore ? 'scd2_ignore_nulls' : 'scd2'].push(...versions);
      }
    }
  }
  return out;
}

const TARGETS = ['scd1', 'scd1_ignore_nulls', 'scd2', 'scd2_ignore_nulls'];

function plain(rows: readonly Row[] | readonly PlainRow[]): PlainRow[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
}

beforeAll(async () => {
  ensureBuilt();
  work = tempDir('cdc-replay');
  moduleFile = path.join(work, 'cdc-pipeline.mjs');
  fs.writeFileSync(moduleFile, PIPELINE_SOURCE(ENGINE_JS));
  pipeline = (await import(moduleFile)).default as Pipeline;
});

afterAll(() => {
  if (work && !process.env.LOCALDLT_KEEP_TEST_DIRS) fs.rmSync(work, { recursive: true, force: true, maxRetries: 5 });
});

describe('in memory: any chunking and order gives the oracle', () => {
  for (const seed of [1, 2, 3]) {
    it(`feed ${seed}: one batch, then file by file in three shuffled orders`, async () => {
      const events = feed(seed, 400);
      const want = oracle(events);
      for (const [parts, order] of [[1, 0], [7, 11], [25, 12], [60, 13]] as const) {
        const run = await runPipeline(pipeline, { files: files(events, parts, seed * 100 + order), maxFilesPerTrigger: 1, cdcSegmentKeys: 3 });
        expect(run.failure).toBeNull();
        for (const t of TARGETS) multisetEqual(plain(run.rows(t)), want[t], { label: `${t}, seed ${seed}, ${parts} files` });
        // the flow's counters add up over the batches: every valid event was applied, dropped as stale, or counted as a NULL sequence
        const nulls = run.batches.reduce((n, b) => n + (b.flows.get('scd1')?.cdc?.num_null_sequence_events ?? 0), 0);
        expect(nulls).toBe(events.filter((e) => e.seq === null && (e.op === 'UPSERT' || e.op === 'DELETE')).length);
      }
    });
  }
});

describe('replay with restarts and crashes equals a one-shot run', () => {
  let duck: Duck;
  let input: string;
  let events: Event[];
  const oneShot = new Map<string, PlainRow[]>();

  beforeAll(async () => {
    duck = await Duck.open();
    events = feed(7, 300);
    input = path.join(work, 'in');
    fs.mkdirSync(input, { recursive: true });
    for (const [n, text] of Object.entries(files(events, 6, 77))) fs.writeFileSync(path.join(input, n), text);
    const out = path.join(work, 'one-shot');
    const r = await runCli(['replay', input, '--output', out, '--pipeline', moduleFile]);
    expect(r.code, r.stderr).toBe(0);
    for (const t of TARGETS) oneShot.set(t, await readTableViaLog(duck, out, t));
  });
  afterAll(() => duck?.close());

  const check = async (out: string, label: string) => {
    const want = oracle(events);
    for (const t of TARGETS) {
      const viaLog = await readTableViaLog(duck, out, t);
      multisetEqual(viaLog, oneShot.get(t)!, { label: `${label}: ${t} vs one-shot` });
      multisetEqual(viaLog, want[t], { label: `${label}: ${t} vs oracle` });
      // after a clean stop the folder holds exactly the live files: read_parquet('*.parquet') is the table
      const dir = path.join(out, 'tables', t);
      expect(parquetOnDisk(dir)).toEqual([...liveFiles(dir).files.keys()].sort());
      multisetEqual(await readTableGlob(duck, out, t), viaLog, { label: `${label}: ${t} glob` });
    }
  };

  it('a restart after every file (one batch per start)', async () => {
    const out = path.join(work, 'restarts');
    const staged = path.join(work, 'staged');
    fs.mkdirSync(staged, { recursive: true });
    for (const n of fs.readdirSync(input).sort()) {
      fs.copyFileSync(path.join(input, n), path.join(staged, n));
      const r = await runCli(['replay', staged, '--output', out, '--pipeline', moduleFile]);
      expect(r.code, r.stderr).toBe(0);
    }
    await check(out, 'restarts');
  });

  for (const point of ['after-table-commit#3', 'after-sink', 'before-commit-marker', 'mid-sink#2']) {
    it(`killed at ${point} of batch 2, then resumed`, async () => {
      const out = path.join(work, `crash-${point.replace(/\W/g, '_')}`);
      const spec = point.replace(/(#\d+)?$/, '@2$1');
      const crashed = await runCli(['replay', input, '--output', out, '--pipeline', moduleFile, '--max-files-per-trigger', '1'], { env: { LOCALDLT_CRASH_AT: spec } });
      expect(crashed.signal).toBe('SIGKILL');
      const r = await runCli(['replay', input, '--output', out, '--pipeline', moduleFile, '--max-files-per-trigger', '1']);
      expect(r.code, r.stderr).toBe(0);
      await check(out, `crash at ${spec}`);
      // one flow_progress per flow and batch, even for the batch that was re-run
      const counts = new Map<string, number>();
      for (const e of await duck.all(`SELECT origin FROM read_parquet('${path.join(out, 'system', 'events', '*.parquet')}') WHERE event_type = 'flow_progress'`)) {
        const o = JSON.parse(String(e.origin)) as { flow_name: string; batch_id: number };
        const k = `${o.flow_name}@${o.batch_id}`;
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      expect([...counts.values()].every((c) => c === 1), JSON.stringify([...counts].filter(([, c]) => c > 1))).toBe(true);
    });
  }

  it('the Delta log of a CDC target stays valid: contiguous versions, every remove names a live file, commits name their state', async () => {
    const out = path.join(work, 'restarts');
    for (const t of TARGETS) {
      const dir = path.join(out, 'tables', t);
      const entries = readLogEntries(dir);
      expect(entries.map((e) => e.version)).toEqual(entries.map((_, i) => i));
      const live = new Set<string>();
      for (const e of entries) {
        for (const a of e.actions) if (a.remove) { expect(live.has(a.remove.path), `${t} v${e.version} removes ${a.remove.path}`).toBe(true); live.delete(a.remove.path); }
        for (const a of e.actions) if (a.add) { expect(live.has(a.add.path)).toBe(false); live.add(a.add.path); }
        const info = e.actions.find((a) => a.commitInfo)?.commitInfo;
        if (info?.operation === 'MERGE') expect(typeof info.cdcState).toBe('string');
      }
      // the state files on disk are exactly those the last manifest names (nothing left over)
      const cdcDir = path.join(out, '_checkpoints', t, 'cdc');
      const manifests = fs.readdirSync(cdcDir).filter((n) => n.startsWith('manifest-'));
      expect(manifests).toHaveLength(1);
      const m = JSON.parse(fs.readFileSync(path.join(cdcDir, manifests[0]), 'utf8')) as { segments: { state: string; data: string | null }[] };
      expect(fs.readdirSync(cdcDir).filter((n) => n.startsWith('state-')).sort()).toEqual(m.segments.map((s) => s.state).sort());
      expect(m.segments.flatMap((s) => (s.data ? [s.data] : [])).sort()).toEqual([...live].filter((p) => (liveFiles(dir).files.get(p)?.stats ? JSON.parse(liveFiles(dir).files.get(p)!.stats).numRecords > 0 : false)).sort());
    }
  });

  it('the DuckDB dialect (window functions over the CSV files) gives the same targets', async () => {
    const compiled = compilePipeline(pipeline, { dialect: 'duckdb', input });
    const script = Object.entries(compiled.files).find(([n]) => n.endsWith('.sql'))![1];
    const db = await Duck.open();
    try {
      await db.run(script);
      for (const t of TARGETS) multisetEqual(await db.all(`SELECT * FROM ${t}`), oneShot.get(t)!, { label: `duckdb ${t}` });
    } finally {
      db.close();
    }
  });
});
