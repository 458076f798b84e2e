/**
 * Restarts, through the CLI as a child process (`node dist/run.js replay`):
 *
 * - ingest, stop, add files, replay again: every file is processed once, the
 *   second run says which files it skipped, and every table equals a one-shot
 *   replay with the same batch boundaries (`--max-files-per-trigger 1` in both),
 *   ignoring nothing but `_ingested_at`;
 * - a replay with nothing new changes nothing;
 * - an operator whose state did not change in a batch writes no change log
 *   for it (the commit record lists the batch), and the restart loads across
 *   such batches;
 * - a checkpoint is never silently reset: another `--input` is
 *   CHECKPOINT_INPUT_CHANGED, a damaged checkpoint file is CHECKPOINT_CORRUPT
 *   naming the file, and a changed dedup key is CHECKPOINT_INCOMPATIBLE naming
 *   the table.
 */
import * as fs from 'node:fs';
import * as v8 from 'node:v8';
import * as path from 'node:path';
import { batchesIn, commitsDir, offsetsDir, readOffsetsRecord } from './helpers/batch-log.js';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Duck, multisetEqual } from './helpers/duck.js';
import { CHECKPOINT_FORMAT } from '../engine/state/checkpoint.js';
import { MAINTENANCE_SNAPSHOT_DELTAS } from '../engine/runtime/service.js';
import {
  copyInto, countViaLog, ensureBuilt, generatePool, isPatientFile, isVitalsFile, liveFiles, logLines, readTableViaLog,
  recordCount, runCli, tableNames, tablesDir, tempDir, ENGINE_JS, type Pool,
} from './helpers/cli.js';

// child processes on a possibly loaded machine
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

const IGNORE = ['_ingested_at'];

let duck: Duck;
let pool: Pool;
let work: string;
/** Output of ingest → stop → add files → replay. */
let outRestart: string;
/** Output of one replay over every file. */
let outOneShot: string;
let inRestart: string;
let run1: Awaited<ReturnType<typeof runCli>>;
let run2: Awaited<ReturnType<typeof runCli>>;
let patientFiles: string[];
let vitalsFiles: string[];

const replay = (input: string, output: string, extra: string[] = []) =>
  runCli(['replay', input, '--output', output, '--max-files-per-trigger', '1', ...extra]);
/** The runs that are restarted keep 7 keys per key table in memory: the rest spills to sorted runs on disk. */
const SPILL = ['--state-keys-in-memory', '7'];

beforeAll(async () => {
  ensureBuilt();
  duck = await Duck.open();
  work = tempDir('restart');
  pool = await generatePool({ files: 6, rows: 40, seed: 'restart', scenarios: ['dirty', 'vitals-deterioration'] });
  patientFiles = pool.files.filter(isPatientFile);
  vitalsFiles = pool.files.filter(isVitalsFile);
  expect(patientFiles).toHaveLength(6);
  expect(vitalsFiles).toHaveLength(6);

  inRestart = path.join(work, 'in-restart');
  outRestart = path.join(work, 'out-restart');
  copyInto(pool, inRestart, [...patientFiles.slice(0, 3), ...vitalsFiles.slice(0, 3)]);
  run1 = await replay(inRestart, outRestart, SPILL);
  copyInto(pool, inRestart, [...patientFiles.slice(3), ...vitalsFiles.slice(3)]);
  run2 = await replay(inRestart, outRestart, SPILL);

  const inOneShot = path.join(work, 'in-oneshot');
  outOneShot = path.join(work, 'out-oneshot');
  copyInto(pool, inOneShot, pool.files);
  const r = await replay(inOneShot, outOneShot);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

afterAll(() => {
  duck?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true, maxRetries: 5 });
  if (pool) fs.rmSync(pool.dir, { recursive: true, force: true, maxRetries: 5 });
});

describe('ingest, stop, add files, replay again', () => {
  it('both runs succeed; the second skips the files already ingested and says so', () => {
    expect(run1.code, run1.stderr).toBe(0);
    expect(run2.code, run2.stderr).toBe(0);
    expect(run1.stdout).toMatch(/\b6 new files\b/);
    expect(run1.stdout).not.toMatch(/already ingested/);
    // 3 patient files + 3 vitals files were there before
    expect(run2.stdout).toMatch(/\b6 new files \(6 already ingested, skipped\)/);
    const skipped = logLines(run2.stderr).find((l) => l.msg === 'files already ingested are skipped');
    expect(skipped?.files).toBe(6);
  });

  it('every file is processed once: bronze holds every record once', async () => {
    for (const [table, names, total] of [
      ['patients_bronze', patientFiles, pool.totals.patients.rows],
      ['vitals_bronze', vitalsFiles, pool.totals.vitals!.rows],
    ] as const) {
      expect(recordCount(pool, names)).toBe(total);
      const rows = await readTableViaLog(duck, outRestart, table);
      expect(rows, table).toHaveLength(total);
      const keys = new Set(rows.map((r) => `${r._source_file}\u0000${r._line}`));
      expect(keys.size, `${table}: distinct (_source_file, _line)`).toBe(total);
      // per file: exactly its records
      for (const f of names) expect(rows.filter((r) => r._source_file === f), `${table} rows of ${f}`).toHaveLength(pool.records.get(f)!);
    }
    // silver matches the generator's ground truth (deduplication across the two runs worked)
    expect(await countViaLog(duck, outRestart, 'patients_silver')).toBe(pool.totals.patients.silver_rows);
  });

  it('every file appears in the offsets of exactly one committed batch', () => {
    const commits = new Set(batchesIn(commitsDir(outRestart)));
    for (const [flow, names] of [['patients_bronze', patientFiles], ['vitals_bronze', vitalsFiles]] as const) {
      const seen: string[] = [];
      for (const b of batchesIn(offsetsDir(outRestart))) {
        expect(commits.has(b), `offsets ${b} has a commit`).toBe(true);
        for (const list of Object.values(readOffsetsRecord(outRestart, b)!.flows[flow]?.files ?? {})) for (const f of list) seen.push(f.name);
      }
      expect(seen.sort()).toEqual([...names].sort());
    }
  });

  it('every table equals a one-shot replay with the same batch boundaries (ignoring _ingested_at), that one with its key tables in memory', async () => {
    // the restarted runs did spill: silver's dedup keys and the 7-day count-distinct pairs are in run files
    for (const flow of ['patients_silver', 'admissions_rolling_7d']) expect(runFilesOf(outRestart, flow).length, flow).toBeGreaterThan(0);
    expect(runFilesOf(outOneShot, 'patients_silver')).toEqual([]);
    const tables = tableNames(outOneShot);
    expect(tables).toContain('patients_silver');
    expect(tables).toContain('vitals_15min');
    expect(tableNames(outRestart)).toEqual(tables);
    for (const t of tables) {
      const a = await readTableViaLog(duck, outRestart, t);
      const b = await readTableViaLog(duck, outOneShot, t);
      multisetEqual(a, b, { ignore: IGNORE, label: t });
    }
  });

  it('an operator whose state did not change in a batch writes no change log for it; the commit record lists the batch, and the restart above loaded across them', () => {
    // the batches that read a vitals file and no patient file leave the patient flows' state as it was
    const idle = new Map<string, number>();
    for (const b of batchesIn(commitsDir(outRestart))) {
      const rec = JSON.parse(fs.readFileSync(path.join(commitsDir(outRestart), `${b}.json`), 'utf8')) as { flows: Record<string, { state?: { binary: Record<string, string>; unchanged?: Record<string, number[]> } }> };
      for (const [flow, f] of Object.entries(rec.flows)) {
        for (const [op, batches] of Object.entries(f.state?.unchanged ?? {})) {
          expect(Object.keys(f.state!.binary), `${flow} ${op}`).toContain(op);
          for (const u of batches) {
            expect(u, `${flow} ${op}`).toBeLessThanOrEqual(b);
            expect(fs.existsSync(path.join(outRestart, '_checkpoints', flow, 'state', `${u}.${op}.delta`)), `${flow} ${op} batch ${u}`).toBe(false);
          }
          if (batches.includes(b)) idle.set(flow, (idle.get(flow) ?? 0) + 1);
        }
      }
    }
    for (const flow of ['patients_silver', 'patient_stats_by_gender']) expect(idle.get(flow) ?? 0, flow).toBeGreaterThan(0);
  });

  it('a replay with nothing new commits nothing', async () => {
    const out = path.join(work, 'out-again');
    fs.cpSync(outRestart, out, { recursive: true });
    const before = new Map(tableNames(out).map((t) => [t, liveFiles(path.join(tablesDir(out), t)).version]));
    const r = await replay(inRestart, out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\b0 new files \(12 already ingested, skipped\)/);
    for (const [t, v] of before) expect(liveFiles(path.join(tablesDir(out), t)).version, t).toBe(v);
  });
});

describe('a checkpoint is never silently reset', () => {
  /** A copy of the restart output (each test damages its own). */
  const copyOut = (name: string): string => {
    const out = path.join(work, name);
    fs.cpSync(outRestart, out, { recursive: true });
    return out;
  };
  const versions = (out: string) => Object.fromEntries(tableNames(out).map((t) => [t, liveFiles(path.join(tablesDir(out), t)).version]));

  it('resuming with another --input is CHECKPOINT_INPUT_CHANGED and writes nothing', async () => {
    const out = copyOut('out-other-input');
    const before = versions(out);
    const other = path.join(work, 'in-other');
    copyInto(pool, other, pool.files);
    const r = await replay(other, out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error CHECKPOINT_INPUT_CHANGED\b/m);
    expect(r.stderr).toContain(path.resolve(inRestart));
    expect(r.stderr).toContain(path.resolve(other));
    expect(versions(out)).toEqual(before);
    const meta = JSON.parse(fs.readFileSync(path.join(out, '_checkpoints', 'metadata.json'), 'utf8')) as { input: string };
    expect(meta.input).toBe(path.resolve(inRestart));
  });

  /** Each damage: the file it hits, and its new content made from the old one. */
  const damages: { name: string; file: (out: string) => string; damage: (old: Buffer) => Buffer | string }[] = [
    { name: 'metadata.json that is not JSON', file: (o) => path.join(o, '_checkpoints', 'metadata.json'), damage: () => `{"format": ${CHECKPOINT_FORMAT}, "pipeline": "pat` },
    { name: 'metadata.json with a wrong shape', file: (o) => path.join(o, '_checkpoints', 'metadata.json'), damage: () => `{"format": ${CHECKPOINT_FORMAT}, "generation": -3}\n` },
    { name: 'an empty metadata.json', file: (o) => path.join(o, '_checkpoints', 'metadata.json'), damage: () => '' },
    { name: 'an offsets file cut in half', file: (o) => lastFile(offsetsDir(o)), damage: (b) => b.subarray(0, b.length >> 1) },
    { name: 'an offsets file with a wrong shape', file: (o) => lastFile(offsetsDir(o)), damage: () => '{"batchId": "seven"}\n' },
    { name: 'a commit file that is not JSON', file: (o) => lastFile(commitsDir(o)), damage: () => 'garbage' },
    { name: 'a commit record whose flow state has a wrong shape', file: (o) => lastFile(commitsDir(o)), damage: (b) => JSON.stringify({ ...JSON.parse(b.toString()), flows: { patients_silver: { state: { binary: 7 } } } }) },
    {
      name: 'a dedup key snapshot cut short',
      file: (o) => { const d = path.join(o, '_checkpoints', 'patients_silver', 'state'); return path.join(d, fs.readdirSync(d).filter((n) => n.endsWith('.snapshot')).sort()[0]); },
      damage: (b) => b.subarray(0, 20),
    },
    { name: 'a key run file cut short', file: (o) => namedRunFile(o, 'patients_silver'), damage: (b) => b.subarray(0, b.length - 16) },
    { name: 'an emptied key run file', file: (o) => namedRunFile(o, 'admissions_rolling_7d'), damage: () => Buffer.alloc(0) },
    {
      name: 'aggregate state that does not fit its operator',
      file: (o) => { const d = path.join(o, '_checkpoints', 'patient_stats_by_gender', 'state'); return path.join(d, fs.readdirSync(d).filter((n) => n.endsWith('.snapshot')).sort()[0]); },
      damage: () => v8.serialize({ v: 3, bogus: 1 }),
    },
    {
      name: 'an aggregate change log cut short',
      file: (o) => { const d = path.join(o, '_checkpoints', 'vitals_15min', 'state'); return path.join(d, fs.readdirSync(d).filter((n) => n.endsWith('.delta')).sort((a, b) => parseInt(b) - parseInt(a))[0]); },
      damage: (b) => b.subarray(0, b.length >> 1),
    },
  ];

  it.each(damages)('$name is refused with CHECKPOINT_CORRUPT naming the file, and left as it was', async ({ name, file, damage }) => {
    const out = copyOut(`out-corrupt-${name.replace(/\W+/g, '-')}`);
    const target = file(out);
    const content = damage(fs.readFileSync(target));
    fs.writeFileSync(target, content);
    const before = versions(out);
    const r = await replay(inRestart, out);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^error CHECKPOINT_CORRUPT\b/m);
    expect(r.stderr).toContain(target);
    // not reset: the file is untouched and no table moved
    expect(fs.readFileSync(target)).toEqual(Buffer.from(content));
    expect(versions(out)).toEqual(before);
  });
});

describe('a checkpoint in an older format', () => {
  for (const format of [5, 6]) {
    it(`format ${format} (${format === 5 ? 'aggregate state as rows' : 'a change log for every batch'}) opens as it is, and is format 7 after`, async () => {
      const out = path.join(work, `out-format-${format}`);
      fs.cpSync(outRestart, out, { recursive: true });
      const metaFile = path.join(out, '_checkpoints', 'metadata.json');
      fs.writeFileSync(metaFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(metaFile, 'utf8')), format }));
      const r = await replay(inRestart, out);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/\b0 new files/);
      expect((JSON.parse(fs.readFileSync(metaFile, 'utf8')) as { format: number }).format).toBe(CHECKPOINT_FORMAT);
      expect(CHECKPOINT_FORMAT).toBe(7);
    });
  }

  it('is CHECKPOINT_INCOMPATIBLE with the formats, writes nothing; --full-refresh-all rebuilds it', async () => {
    const versions = (o: string) => Object.fromEntries(tableNames(o).map((t) => [t, liveFiles(path.join(tablesDir(o), t)).version]));
    const out = path.join(work, 'out-old-format');
    fs.cpSync(outRestart, out, { recursive: true });
    const metaFile = path.join(out, '_checkpoints', 'metadata.json');
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as { format: number; generation: number };
    fs.writeFileSync(metaFile, JSON.stringify({ ...meta, format: 1 }));
    const before = versions(out);
    const r = await replay(inRestart, out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error CHECKPOINT_INCOMPATIBLE\b/m);
    expect(versions(out)).toEqual(before);
    const again = await replay(inRestart, out, ['--full-refresh-all']);
    expect(again.code, again.stderr).toBe(0);
    const rebuilt = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as { format: number; generation: number };
    expect(rebuilt.format).toBe(CHECKPOINT_FORMAT);
    expect(rebuilt.generation).toBe(meta.generation + 1);
  });
});

/** Every key run file under a flow's checkpoint. */
function runFilesOf(out: string, flow: string): string[] {
  const dir = path.join(out, '_checkpoints', flow, 'state', 'runs');
  return fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.run')) : [];
}

/** Per operator of a flow: the batch of its latest state snapshot, and the change logs on disk at that batch and after it. */
function stateFilesOf(out: string, flow: string): { op: string; snapshot: number; deltasAfter: number; deltaAtSnapshot: boolean; files: number }[] {
  const files = fs.readdirSync(path.join(out, '_checkpoints', flow, 'state')).map((n) => /^(\d+)\.(.+)\.(snapshot|delta)$/.exec(n)).filter((m): m is RegExpExecArray => m !== null);
  const ops = [...new Set(files.map((m) => m[2]))];
  return ops.map((op) => {
    const mine = files.filter((m) => m[2] === op);
    const snapshot = Math.max(...mine.filter((m) => m[3] === 'snapshot').map((m) => Number(m[1])));
    const deltas = mine.filter((m) => m[3] === 'delta').map((m) => Number(m[1]));
    return { op, snapshot, deltasAfter: deltas.filter((b) => b > snapshot).length, deltaAtSnapshot: deltas.includes(snapshot), files: mine.length };
  });
}

function commitRecordOf(out: string, batch: number): { flows: Record<string, { state: { binary: Record<string, string> } }> } {
  return JSON.parse(fs.readFileSync(path.join(commitsDir(out), `${batch}.json`), 'utf8'));
}

/** A run file the flow's latest snapshot names (the state a restart loads). */
function namedRunFile(out: string, flow: string): string {
  const dir = path.join(out, '_checkpoints', flow, 'state');
  const snap = fs.readdirSync(dir).filter((n) => n.endsWith('.snapshot')).sort((a, b) => parseInt(b) - parseInt(a))[0];
  const op = snap.slice(snap.indexOf('.') + 1, -'.snapshot'.length);
  const st = v8.deserialize(fs.readFileSync(path.join(dir, snap))) as { runs?: { runs: { id: number }[] }; distinct?: ({ runs?: { runs: { id: number }[] } } | null)[] };
  if (st.runs) return path.join(dir, 'runs', op, `${st.runs.runs[0].id}.run`);
  const k = st.distinct!.findIndex((d) => d?.runs?.runs.length);
  return path.join(dir, 'runs', op, `distinct-${k}`, `${st.distinct![k]!.runs!.runs[0].id}.run`);
}

function lastFile(dir: string): string {
  const names = fs.readdirSync(dir).filter((n) => /^\d+\.json$/.test(n)).sort((a, b) => parseInt(a) - parseInt(b));
  return path.join(dir, names[names.length - 1]);
}

describe('a changed dedup key', () => {
  const engine = pathToFileURL(ENGINE_JS).href;
  const moduleText = (keys: string[]) => `
import { streamingTable, readCsv, stream, definePipeline } from ${JSON.stringify(engine)};
const bronze = streamingTable('events_bronze', { query: readCsv({ glob: 'events_*.csv', schema: { id: 'string', kind: 'string', v: 'int' } }) });
const unique = streamingTable('events_unique', { query: stream(bronze).dropDuplicates(${JSON.stringify(keys)}).select('id', 'kind', 'v') });
export default definePipeline([bronze, unique], { name: 'events' });
`;

  it('is CHECKPOINT_INCOMPATIBLE naming the table; --full-refresh of that table rebuilds it with the new key', async () => {
    const dir = path.join(work, 'dedup-key');
    const input = path.join(dir, 'in');
    const out = path.join(dir, 'out');
    fs.mkdirSync(input, { recursive: true });
    fs.writeFileSync(path.join(dir, 'v1.mjs'), moduleText(['id']));
    fs.writeFileSync(path.join(dir, 'v2.mjs'), moduleText(['id', 'kind']));
    fs.writeFileSync(path.join(input, 'events_000.csv'), 'id,kind,v\na,x,1\na,y,2\nb,x,3\n');
    fs.writeFileSync(path.join(input, 'events_001.csv'), 'id,kind,v\na,x,4\nc,z,5\nb,y,6\n');

    const r1 = await runCli(['replay', input, '--output', out, '--pipeline', path.join(dir, 'v1.mjs')]);
    expect(r1.code, r1.stderr).toBe(0);
    const ids = async () => (await readTableViaLog(duck, out, 'events_unique')).map((r) => `${r.id}${r.kind}${r.v}`).sort();
    expect(await ids()).toEqual(['ax1', 'bx3', 'cz5']);

    fs.writeFileSync(path.join(input, 'events_002.csv'), 'id,kind,v\nd,x,7\n');
    const before = liveFiles(path.join(tablesDir(out), 'events_unique')).version;
    const r2 = await runCli(['replay', input, '--output', out, '--pipeline', path.join(dir, 'v2.mjs')]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/^error CHECKPOINT_INCOMPATIBLE\b.*events_unique/m);
    expect(r2.stderr).toMatch(/--full-refresh events_unique/);
    expect(liveFiles(path.join(tablesDir(out), 'events_unique')).version).toBe(before);

    // the unchanged definition still runs (and takes the new file)
    const r3 = await runCli(['replay', input, '--output', out, '--pipeline', path.join(dir, 'v1.mjs')]);
    expect(r3.code, r3.stderr).toBe(0);
    expect(await ids()).toEqual(['ax1', 'bx3', 'cz5', 'dx7']);

    const r4 = await runCli(['replay', input, '--output', out, '--pipeline', path.join(dir, 'v2.mjs'), '--full-refresh', 'events_unique']);
    expect(r4.code, r4.stderr).toBe(0);
    expect(await ids()).toEqual(['ax1', 'ay2', 'bx3', 'by6', 'cz5', 'dx7']);
    expect(await countViaLog(duck, out, 'events_bronze')).toBe(7);
  });
});

describe('state snapshots between batches', () => {
  it('replace piled-up change logs; a restart loads them, also after a SIGKILL mid-snapshot, and equals a one-shot replay', async () => {
    const small = await generatePool({ files: 22, rows: 6, seed: 'state-snapshots', scenarios: ['dirty'] });
    try {
      const names = small.files.filter(isPatientFile);
      expect(names).toHaveLength(22);
      const inp = path.join(work, 'snapshots-in');
      const out = path.join(work, 'snapshots-out');
      copyInto(small, inp, names.slice(0, 21));
      const r1 = await replay(inp, out);
      expect(r1.code, r1.stderr).toBe(0);
      // batch 0 wrote snapshots, later batches change logs; a maintenance slot after a batch (one that compacted
      // a table, from 10 change logs on; any, from 20) snapshots the state after that batch (whose commit record
      // names a change log) and deletes the change logs it replaces
      for (const flow of ['patients_silver', 'patient_stats_by_gender', 'admissions_rolling_7d']) {
        const st = stateFilesOf(out, flow);
        expect(st.length, flow).toBeGreaterThan(0);
        for (const { op, snapshot, deltasAfter, deltaAtSnapshot, files } of st) {
          expect(snapshot, `${flow} ${op}`).toBeGreaterThanOrEqual(MAINTENANCE_SNAPSHOT_DELTAS);
          expect(snapshot, `${flow} ${op}`).toBeLessThanOrEqual(2 * MAINTENANCE_SNAPSHOT_DELTAS);
          expect(commitRecordOf(out, snapshot).flows[flow].state.binary[op], `${flow} ${op}`).toBe('delta');
          expect(deltaAtSnapshot, `${flow} ${op}`).toBe(false);
          expect(deltasAfter, `${flow} ${op}`).toBe(20 - snapshot);
          expect(files, `${flow} ${op}`).toBe(deltasAfter + 1);
        }
      }
      copyInto(small, inp, names.slice(21));
      const r2 = await replay(inp, out);
      expect(r2.code, r2.stderr).toBe(0);
      expect(r2.stdout).toMatch(/\b1 new files? \(21 already ingested, skipped\)/);
      // killed between writing such a snapshot and deleting the change logs it replaces, then run again
      const inCrash = path.join(work, 'snapshots-crash-in');
      const outCrash = path.join(work, 'snapshots-crash-out');
      copyInto(small, inCrash, names.slice(0, 21));
      const killed = await runCli(['replay', inCrash, '--output', outCrash, '--max-files-per-trigger', '1'], { env: { LOCALDLT_CRASH_AT: 'mid-state-snapshot' } });
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      const again = await replay(inCrash, outCrash);
      expect(again.code, again.stderr).toBe(0);
      copyInto(small, inCrash, names.slice(21));
      const more = await replay(inCrash, outCrash);
      expect(more.code, more.stderr).toBe(0);
      const inAll = path.join(work, 'snapshots-oneshot-in');
      const outAll = path.join(work, 'snapshots-oneshot-out');
      copyInto(small, inAll, names);
      const r3 = await replay(inAll, outAll);
      expect(r3.code, r3.stderr).toBe(0);
      const tables = tableNames(outAll);
      for (const o of [out, outCrash]) {
        expect(tableNames(o)).toEqual(tables);
        for (const t of tables) multisetEqual(await readTableViaLog(duck, o, t), await readTableViaLog(duck, outAll, t), { ignore: IGNORE, label: `${path.basename(o)} ${t}` });
      }
    } finally {
      fs.rmSync(small.dir, { recursive: true, force: true, maxRetries: 5 });
    }
  });
});

describe('a restart across the compaction of the file index', () => {
  it('skips every file of the compacted index, and equals a one-shot replay', async () => {
    const small = await generatePool({ files: 24, rows: 6, seed: 'compaction', scenarios: ['dirty'] });
    try {
      const names = small.files.filter(isPatientFile);
      expect(names).toHaveLength(24);
      const inp = path.join(work, 'compaction-in');
      const out = path.join(work, 'compaction-out');
      // the patient pipeline keeping 10 batches of offsets and commits (Spark's minBatchesToRetain) instead of 100
      const mod = path.join(work, 'keep-10.mjs');
      fs.writeFileSync(mod, `import { definePipeline } from ${JSON.stringify(pathToFileURL(ENGINE_JS).href)};
import { patientPipeline } from ${JSON.stringify(pathToFileURL(path.join(path.dirname(ENGINE_JS), '..', 'layers', 'pipeline.js')).href)};
export default definePipeline([...patientPipeline.datasets, ...patientPipeline.flows], { ...patientPipeline.options, configuration: { ...patientPipeline.options.configuration, 'spark.sql.streaming.minBatchesToRetain': '10' } });
`);
      const keep10 = ['--pipeline', mod];
      copyInto(small, inp, names.slice(0, 12));
      const r1 = await replay(inp, out, keep10);
      expect(r1.code, r1.stderr).toBe(0);
      copyInto(small, inp, names.slice(12));
      const r2 = await replay(inp, out, keep10);
      expect(r2.code, r2.stderr).toBe(0);
      expect(r2.stdout).toMatch(/\b12 new files \(12 already ingested, skipped\)/);

      // the checkpoint does not grow with the number of batches: old offsets are folded into one index
      const cp = path.join(out, '_checkpoints', 'patients_bronze');
      const indexes = fs.readdirSync(path.join(cp, 'sources'));
      expect(indexes).toHaveLength(1);
      // the index snapshot is stored column by column
      const index = JSON.parse(fs.readFileSync(path.join(cp, 'sources', indexes[0]), 'utf8')) as { columns: Record<string, { name: string[] }> };
      const indexed = Object.values(index.columns).flatMap((c) => c.name);
      expect(indexed.length).toBeGreaterThan(12);
      expect(new Set(indexed).size).toBe(indexed.length);
      // batches 0..23; at batch 19 the offsets and commits before batch 10 went
      expect(batchesIn(offsetsDir(out))).toEqual(Array.from({ length: 14 }, (_, i) => i + 10));
      expect(batchesIn(commitsDir(out))).toHaveLength(14);

      // a third run after compaction: nothing new, nothing committed
      const before = liveFiles(path.join(tablesDir(out), 'patients_bronze')).version;
      const r3 = await replay(inp, out, keep10);
      expect(r3.code, r3.stderr).toBe(0);
      expect(r3.stdout).toMatch(/\b0 new files \(24 already ingested, skipped\)/);
      expect(liveFiles(path.join(tablesDir(out), 'patients_bronze')).version).toBe(before);

      const inAll = path.join(work, 'compaction-oneshot-in');
      const outAll = path.join(work, 'compaction-oneshot-out');
      copyInto(small, inAll, names);
      const r = await replay(inAll, outAll);
      expect(r.code, r.stderr).toBe(0);
      const bronze = await readTableViaLog(duck, out, 'patients_bronze');
      expect(bronze).toHaveLength(small.totals.patients.rows);
      expect(new Set(bronze.map((x) => `${x._source_file}\u0000${x._line}`)).size).toBe(small.totals.patients.rows);
      expect(await countViaLog(duck, out, 'patients_silver')).toBe(small.totals.patients.silver_rows);
      for (const t of tableNames(outAll)) {
        multisetEqual(await readTableViaLog(duck, out, t), await readTableViaLog(duck, outAll, t), { ignore: IGNORE, label: `compaction: ${t}` });
      }
    } finally {
      fs.rmSync(small.dir, { recursive: true, force: true });
    }
  });
});
