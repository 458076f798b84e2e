/**
 * Table maintenance: compaction (OPTIMIZE), VACUUM, and crashes in the middle
 * of them (engine/maintenance/, engine/sinks/delta-table.ts).
 *
 * - the automatic plan: size tiers, K files a tier, buckets kept apart;
 * - OPTIMIZE keeps a table's rows identical, commits with `dataChange: false`,
 *   and a reader that tails the log for new data (as a Spark stream over a
 *   Delta table does) sees every row once; in a pipeline, the streaming flows
 *   downstream of a compacted table hold what they hold without compaction;
 * - VACUUM keeps every file a version within the retention lists (computed
 *   here from the JSON log) and deletes the others; `--dry-run` lists the
 *   same files; a retention shorter than the table's is refused;
 * - `optimize` and `vacuum` refuse to run beside a pipeline (OUTPUT_LOCKED);
 * - SIGKILL during a compaction, a checkpoint, VACUUM or the retention of
 *   offsets and commits loses nothing: the next start finishes or discards
 *   the work, and every table equals a clean run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DeltaStore } from '../engine/sinks/delta-store.js';
import { DeltaTable } from '../engine/sinks/delta-table.js';
import { readDeltaLog, commitFileName, emptySnapshot, type AddAction } from '../engine/sinks/delta-log.js';
import { compactGroups, planAutoCompaction, planOptimize, tierOf, DEFAULT_COMPACTION } from '../engine/maintenance/optimize.js';
import { vacuumTable } from '../engine/maintenance/vacuum.js';
import { ManualClock } from '../engine/runtime/clock.js';
import { PipelineService } from '../engine/runtime/service.js';
import { batchFromRows } from '../engine/batch.js';
import type { Schema } from '../engine/ir/types.js';
import { isPipelineError } from '../engine/errors.js';
import { patientPipeline } from '../layers/pipeline.js';
import { Duck, multisetEqual, sqlString, type PlainRow } from './helpers/duck.js';
import {
  copyInto, ensureBuilt, generatePool, liveFiles, logLines, parquetOnDisk, readLogEntries, readTableGlob, readTableViaLog, runCli, startCli,
  tableNames, tablesDir, tempDir, waitFor, ENGINE_JS, type Pool,
} from './helpers/cli.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const IGNORE = ['_ingested_at'];
const SCHEMA: Schema = [{ name: 'id', type: 'string' }, { name: 'n', type: 'long' }];
const MINUTE = 60_000, HOUR = 3_600_000;

let duck: Duck;
let work: string;
let pool: Pool;
let input: string;
/** A clean replay (one file pair per batch, compaction on): the reference of the crash cases. */
let clean: string;
const cleanRows = new Map<string, PlainRow[]>();

beforeAll(async () => {
  ensureBuilt();
  duck = await Duck.open();
  work = tempDir('maintenance');
  pool = await generatePool({ files: 24, rows: 8, seed: 'maintenance', scenarios: ['dirty', 'vitals-deterioration'] });
  input = path.join(work, 'in');
  copyInto(pool, input, pool.files);
  clean = path.join(work, 'clean');
  const r = await replay(clean);
  expect(r.code, r.stderr).toBe(0);
  for (const t of tableNames(clean)) cleanRows.set(t, await readTableViaLog(duck, clean, t));
});

afterAll(() => {
  duck?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true, maxRetries: 5 });
  if (pool) fs.rmSync(pool.dir, { recursive: true, force: true, maxRetries: 5 });
});

function replay(output: string, env?: Record<string, string>, extra: string[] = []) {
  return runCli(['replay', input, '--output', output, '--max-files-per-trigger', '1', '--log-level', 'warn', ...extra], { env, timeoutMs: 120_000 });
}

const add = (p: string, size: number, rows = 10, ts?: string): AddAction => ({
  path: p, size, partitionValues: {}, modificationTime: 0, dataChange: true,
  stats: JSON.stringify({ numRecords: rows, minValues: ts ? { timestamp: ts } : {}, maxValues: {}, nullCount: {} }),
});
const snapOf = (adds: AddAction[]) => ({ ...emptySnapshot(), files: new Map(adds.map((a) => [a.path, a])) });

describe('the automatic compaction plan', () => {
  it('tiers: 0 below 64 KB, then one more per factor of 10', () => {
    expect([1, 65_535, 65_536, 655_359, 655_360, 6_553_600].map((s) => tierOf(s, DEFAULT_COMPACTION))).toEqual([0, 0, 1, 1, 2, 3]);
  });

  it('merges a tier once it holds 10 files, oldest first, and leaves the others', () => {
    const nine = Array.from({ length: 9 }, (_, i) => add(`part-${String(i).padStart(6, '0')}-00000-a.parquet`, 5_000));
    expect(planAutoCompaction(snapOf(nine))).toEqual([]);
    const ten = [...nine, add('part-000009-00000-a.parquet', 5_000), add('part-000000-00000-big.parquet', 200_000)];
    const groups = planAutoCompaction(snapOf(ten));
    expect(groups).toHaveLength(1);
    expect(groups[0].files.map((f) => f.path)).toEqual(ten.slice(0, 10).map((f) => f.path));
    // files at the target size are never touched
    const big = Array.from({ length: 12 }, (_, i) => add(`part-${i}-0-b.parquet`, 200 << 20));
    expect(planAutoCompaction(snapOf(big))).toEqual([]);
  });

  it('keeps buckets apart (the event log compacts within a UTC day)', () => {
    const files = Array.from({ length: 20 }, (_, i) => add(`part-${String(i).padStart(6, '0')}-0-a.parquet`, 1_000, 5, i < 12 ? '2026-01-01T10:00:00.000Z' : '2026-01-02T10:00:00.000Z'));
    const p = { ...DEFAULT_COMPACTION, bucketOf: (a: AddAction) => JSON.parse(a.stats!).minValues.timestamp.slice(0, 10) };
    const groups = planAutoCompaction(snapOf(files), p);
    expect(groups.map((g) => [g.bucket, g.files.length])).toEqual([['2026-01-01', 12]]);
    // by hand, every bucket with more than one file
    expect(planOptimize(snapOf(files), p).map((g) => [g.bucket, g.files.length])).toEqual([['2026-01-01', 12], ['2026-01-02', 8]]);
  });

  it('packs at most the target bytes and rows into one file', () => {
    const files = Array.from({ length: 10 }, (_, i) => add(`part-${i}-0-c.parquet`, 40 << 20, 100));
    expect(planOptimize(snapOf(files)).map((g) => g.files.length)).toEqual([3, 3, 3]);
    expect(planOptimize(snapOf(files), { ...DEFAULT_COMPACTION, targetRows: 250 }).map((g) => g.files.length)).toEqual([2, 2, 2, 2, 2]);
  });
});

/** What a reader tailing the log for new data reads (Spark's Delta source): the rows of the `dataChange: true` adds, commit after commit. */
async function tailingReader(dir: string, keptFiles: Map<string, string>): Promise<PlainRow[]> {
  const out: PlainRow[] = [];
  for (const e of readLogEntries(dir)) {
    for (const a of e.actions) {
      if (!a.add || a.add.dataChange === false) continue;
      const copy = keptFiles.get(a.add.path) ?? path.join(dir, a.add.path);
      out.push(...await duck.all(`SELECT * FROM read_parquet(${sqlString(copy)})`));
    }
  }
  return out;
}

describe('OPTIMIZE', () => {
  it('keeps the rows identical, commits with dataChange: false, and a tailing reader sees each row once', async () => {
    const root = path.join(work, 'optimize');
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const store = new DeltaStore(root, { now: clock.now });
    const dir = store.tableDir('t');
    // every data file as written, kept aside (compaction deletes them) for the tailing reader
    const kept = new Map<string, string>();
    const keep = () => { for (const f of parquetOnDisk(dir)) if (!kept.has(f)) { const c = path.join(work, 'optimize-kept', f); fs.mkdirSync(path.dirname(c), { recursive: true }); fs.copyFileSync(path.join(dir, f), c); kept.set(f, c); } };
    for (let b = 0; b < 23; b++) {
      clock.advance(MINUTE);
      await store.append('t', SCHEMA, batchFromRows(SCHEMA, [{ id: `x${b}`, n: b }, { id: `y${b}`, n: -b }]));
      await store.commit('t', SCHEMA, { batchId: b, appId: 'flow', operation: 'STREAMING UPDATE' });
      keep();
      if (b === 11) {
        // automatic compaction at 10+ small files
        const r = await compactGroups(store.table('t'), planAutoCompaction(store.log('t')), { name: 't', auto: true });
        expect(r.filesRemoved).toBe(12);
        expect(r.filesAdded).toBe(1);
        keep();
      }
    }
    const before = await readTableViaLog(duck, root, 't');
    expect(before).toHaveLength(46);
    const table = new DeltaTable(dir, { now: clock.now });
    const r = await compactGroups(table, planOptimize(table.snapshot), { name: 't' });
    keep();
    expect(r.filesAdded).toBe(1);
    expect(liveFiles(dir).files.size).toBe(1);
    multisetEqual(await readTableViaLog(duck, root, 't'), before, { label: 'after OPTIMIZE' });
    // removed files are deleted (no retention): the glob reads the table
    multisetEqual(await readTableGlob(duck, root, 't'), before, { label: 'glob after OPTIMIZE' });
    expect(parquetOnDisk(dir)).toEqual([...liveFiles(dir).files.keys()]);
    const optimizes = readLogEntries(dir).filter((e) => e.actions.some((a) => a.commitInfo?.operation === 'OPTIMIZE'));
    expect(optimizes).toHaveLength(2);
    for (const e of optimizes) {
      const files = e.actions.filter((a) => a.add || a.remove);
      expect(files.length).toBeGreaterThan(2);
      for (const a of files) expect((a.add ?? a.remove).dataChange, `v${e.version}`).toBe(false);
      expect(e.actions.filter((a) => a.txn)).toEqual([]);
      expect(e.actions.find((a) => a.commitInfo).commitInfo.isBlindAppend).toBe(false);
    }
    multisetEqual(await tailingReader(dir, kept), before, { label: 'a reader tailing the log' });
  });

  it('in a pipeline: the tables equal those of the same batches without compaction, downstream streaming flows included', async () => {
    const runService = async (output: string, autoCompact: boolean) => {
      const { service } = await PipelineService.open({ pipeline: patientPipeline, input, output, maxFilesPerTrigger: 1, autoCompact });
      const rs = await service.runAvailableNow();
      expect(rs.some((r) => r.failure)).toBe(false);
      await service.close('COMPLETED');
    };
    const on = path.join(work, 'compact-on'), off = path.join(work, 'compact-off');
    await runService(on, true);
    await runService(off, false);
    const bronze = path.join(tablesDir(on), 'patients_bronze');
    expect(readLogEntries(bronze).some((e) => e.actions.some((a) => a.commitInfo?.operation === 'OPTIMIZE'))).toBe(true);
    expect(liveFiles(bronze).files.size).toBeLessThan(liveFiles(path.join(tablesDir(off), 'patients_bronze')).files.size);
    for (const t of tableNames(off)) {
      const a = await readTableViaLog(duck, on, t);
      multisetEqual(a, await readTableViaLog(duck, off, t), { ignore: IGNORE, label: t });
      multisetEqual(await readTableGlob(duck, on, t), a, { label: `${t}: glob vs. log` });
    }
    expect(await readTableViaLog(duck, on, 'patients_silver')).toHaveLength(pool.totals.patients.silver_rows);
  });
});

describe('VACUUM', () => {
  /** A materialized view replaced every 10 minutes for 3 hours (the clock ending now), keeping removed files an hour. */
  async function refreshed(root: string): Promise<{ dir: string; clock: ManualClock; commits: string[] }> {
    const clock = new ManualClock(Date.now() - 3 * HOUR);
    const store = new DeltaStore(root, { now: clock.now, properties: () => ({ 'delta.deletedFileRetentionDuration': 'interval 1 hour' }) });
    const dir = store.tableDir('mv');
    const commits: string[] = [];
    for (let v = 0; v < 18; v++) {
      clock.advance(10 * MINUTE);
      await store.replace('mv', SCHEMA, batchFromRows(SCHEMA, [{ id: `v${v}`, n: v }]));
      await store.commit('mv', SCHEMA, { batchId: v, appId: 'mv', operation: 'CREATE OR REPLACE' });
      commits.push(fs.readFileSync(path.join(dir, '_delta_log', commitFileName(v)), 'utf8'));
    }
    return { dir, clock, commits };
  }

  /** The files of the versions valid at some time within (now - retain, now], from the JSON log. */
  function neededFiles(commits: string[], now: number, retainMs: number): Set<string> {
    const live = new Set<string>();
    const needed = new Set<string>();
    const ts: number[] = [];
    const states: Set<string>[] = [];
    for (const c of commits) {
      for (const line of c.split('\n').filter(Boolean)) {
        const a = JSON.parse(line);
        if (a.add) live.add(a.add.path);
        if (a.remove) live.delete(a.remove.path);
        if (a.commitInfo) ts.push(a.commitInfo.timestamp);
      }
      states.push(new Set(live));
    }
    states.forEach((s, v) => {
      const end = v + 1 < ts.length ? ts[v + 1] : Infinity;
      if (end > now - retainMs) for (const f of s) needed.add(f);
    });
    return needed;
  }

  it('keeps every file a version within the retention needs and deletes the others; versions within it still read', async () => {
    const { dir, clock, commits } = await refreshed(path.join(work, 'vacuum'));
    expect(parquetOnDisk(dir)).toHaveLength(18);
    const r = vacuumTable(new DeltaTable(dir, { now: clock.now }), { name: 'mv' });
    expect(r.retainMs).toBe(HOUR);
    const needed = neededFiles(commits, clock.now(), HOUR);
    expect(needed.size).toBeGreaterThan(2);
    expect(needed.size).toBeLessThan(18);
    expect(new Set(parquetOnDisk(dir))).toEqual(needed);
    expect(new Set(r.files)).toEqual(new Set(commits.flatMap((c) => c.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((a) => a.add).map((a) => a.add.path)).filter((p) => !needed.has(p))));
    // time travel to every version whose files are kept reads its one row
    for (let v = 0; v < 18; v++) {
      const files = [...readDeltaLog(dir, undefined, { version: v }).files.keys()];
      if (!files.every((f) => needed.has(f))) continue;
      const got = await duck.all(`SELECT id FROM read_parquet([${files.map((f) => sqlString(path.join(dir, f))).join(', ')}])`);
      expect(got, `version ${v}`).toEqual([{ id: `v${v}` }]);
    }
  });

  it('a longer --retain keeps more, reading the removes of the JSON log; a shorter one than the table\'s is refused', async () => {
    const { dir, clock, commits } = await refreshed(path.join(work, 'vacuum-long'));
    vacuumTable(new DeltaTable(dir, { now: clock.now }), { name: 'mv', retainMs: 2 * HOUR });
    expect(new Set(parquetOnDisk(dir))).toEqual(neededFiles(commits, clock.now(), 2 * HOUR));
    let err: unknown;
    try { vacuumTable(new DeltaTable(dir, { now: clock.now }), { name: 'mv', retainMs: 30 * MINUTE }); } catch (e) { err = e; }
    expect(isPipelineError(err) && err.code).toBe('VACUUM_RETENTION_TOO_SHORT');
  });

  it('through the CLI: --dry-run lists exactly the files vacuum deletes, and deletes nothing', async () => {
    const { dir } = await refreshed(path.join(work, 'vacuum-cli', 'tables'));
    // the store wrote <root>/tables/mv: an output folder whose table is mv
    const out = path.dirname(path.dirname(dir));
    const copy = path.join(work, 'vacuum-cli-copy');
    fs.cpSync(out, copy, { recursive: true });
    const before = parquetOnDisk(dir);
    const dry = await runCli(['vacuum', '--output', out, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(parquetOnDisk(dir)).toEqual(before);
    const real = await runCli(['vacuum', '--output', copy]);
    expect(real.code, real.stderr).toBe(0);
    const listed = dry.stdout.trim().split('\n').filter(Boolean).sort();
    expect(listed.length).toBeGreaterThan(0);
    expect(real.stdout.trim().split('\n').filter(Boolean).sort()).toEqual(listed);
    const copyDir = path.join(copy, path.relative(out, dir));
    expect(new Set(parquetOnDisk(copyDir))).toEqual(new Set(before.filter((f) => !listed.includes(path.join(path.relative(out, dir), f)))));
    const short = await runCli(['vacuum', '--output', copy, '--retain', '10m']);
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('VACUUM_RETENTION_TOO_SHORT');
  });
});

describe('time travel through a pipeline-wide removed-file retention', () => {
  it('keeps the removed files of every table, and show --version reads an old version as its log lists it', async () => {
    const out = path.join(work, 'time-travel');
    const mod = path.join(work, 'retain-1-day.mjs');
    fs.writeFileSync(mod, `import { definePipeline } from ${JSON.stringify(pathToFileURL(ENGINE_JS).href)};
import { patientPipeline } from ${JSON.stringify(pathToFileURL(path.join(path.dirname(ENGINE_JS), '..', 'layers', 'pipeline.js')).href)};
export default definePipeline([...patientPipeline.datasets, ...patientPipeline.flows], { ...patientPipeline.options, configuration: { ...patientPipeline.options.configuration, 'spark.databricks.delta.properties.defaults.deletedFileRetentionDuration': 'interval 1 day' } });
`);
    const r = await replay(out, undefined, ['--pipeline', mod]);
    expect(r.code, r.stderr).toBe(0);
    const dir = path.join(tablesDir(out), 'patient_stats_by_gender');
    const entries = readLogEntries(dir);
    expect(entries[entries.length - 1].actions.find((a) => a.metaData)?.metaData.configuration ?? entries[0].actions.find((a) => a.metaData).metaData.configuration).toMatchObject({ 'delta.deletedFileRetentionDuration': 'interval 1 day' });
    // every file ever added is still there (nothing is older than a day)
    const added = entries.flatMap((e) => e.actions.filter((a) => a.add).map((a) => a.add.path as string));
    expect(parquetOnDisk(dir).sort()).toEqual([...new Set(added)].sort());
    // version 5 as its JSON log lists it, read by DuckDB, against show --version 5
    const live = new Set<string>();
    for (const e of entries.filter((x) => x.version <= 5)) for (const a of e.actions) { if (a.add) live.add(a.add.path); if (a.remove) live.delete(a.remove.path); }
    const expected = await duck.all(`SELECT * FROM read_parquet([${[...live].map((f) => sqlString(path.join(dir, f))).join(', ')}])`);
    const shown = await runCli(['show', 'patient_stats_by_gender', '--output', out, '--version', '5', '--json', '--limit', '0']);
    expect(shown.code, shown.stderr).toBe(0);
    const rows = shown.stdout.trim().split('\n').map((l) => JSON.parse(l));
    multisetEqual(rows, expected, { label: 'version 5' });
    const now = await runCli(['show', 'patient_stats_by_gender', '--output', out, '--json', '--limit', '0']);
    expect(now.stdout).not.toBe(shown.stdout);
  });
});

describe('optimize and vacuum beside a running pipeline', () => {
  it('exit 2 with OUTPUT_LOCKED and change nothing', async () => {
    const out = path.join(work, 'locked');
    fs.cpSync(clean, out, { recursive: true });
    const run = startCli(['run', '--input', input, '--output', out, '--max-files-per-trigger', '1']);
    try {
      await waitFor('the pipeline to watch', () => logLines(run.stderr()).some((l) => l.msg === 'watching for new files (Ctrl-C to stop)'), 60_000);
      const files = tableNames(out).map((t) => parquetOnDisk(path.join(tablesDir(out), t)));
      for (const cmd of [['optimize', '--output', out], ['vacuum', '--output', out, '--retain', '0h']]) {
        const r = await runCli(cmd);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toContain('OUTPUT_LOCKED');
      }
      expect(tableNames(out).map((t) => parquetOnDisk(path.join(tablesDir(out), t)))).toEqual(files);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  });
});

describe('SIGKILL during upkeep, then a restart, equals a clean run', () => {
  /** Asserts an output equals the clean run, table by table, and holds no orphan or temporary file. */
  async function equalsClean(out: string, label: string): Promise<void> {
    const tables = tableNames(clean);
    expect(tableNames(out)).toEqual(tables);
    for (const t of tables) {
      const rows = await readTableViaLog(duck, out, t);
      multisetEqual(rows, cleanRows.get(t)!, { ignore: IGNORE, label: `${label}: ${t}` });
      const dir = path.join(tablesDir(out), t);
      expect(parquetOnDisk(dir), `${label}: ${t} files on disk vs. log`).toEqual([...liveFiles(dir).files.keys()].sort());
      expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp')), `${label}: ${t}`).toEqual([]);
      // the log reads from its checkpoint as from its JSON commits
      expect(new Set(readDeltaLog(dir).files.keys()), `${label}: ${t} checkpoint + tail`).toEqual(new Set(liveFiles(dir).files.keys()));
    }
    expect(await readTableViaLog(duck, out, 'patients_silver')).toHaveLength(pool.totals.patients.silver_rows);
  }

  const keep10 = () => {
    const mod = path.join(work, 'keep-10.mjs');
    if (!fs.existsSync(mod)) {
      fs.writeFileSync(mod, `import { definePipeline } from ${JSON.stringify(pathToFileURL(ENGINE_JS).href)};
import { patientPipeline } from ${JSON.stringify(pathToFileURL(path.join(path.dirname(ENGINE_JS), '..', 'layers', 'pipeline.js')).href)};
export default definePipeline([...patientPipeline.datasets, ...patientPipeline.flows], { ...patientPipeline.options, configuration: { ...patientPipeline.options.configuration, 'spark.sql.streaming.minBatchesToRetain': '10' } });
`);
    }
    return ['--pipeline', mod];
  };

  it.each([
    ['mid-compaction', 'compaction: new files written, not renamed'],
    ['mid-compaction-commit', 'compaction: renamed, not committed'],
    ['after-compaction-commit', 'compaction: committed, replaced files not deleted'],
    ['before-checkpoint@10', 'a checkpoint about to be written'],
    ['mid-checkpoint@10', 'checkpoint written, _last_checkpoint not yet'],
    ['mid-checkpoint@20#2', 'a later checkpoint of another table'],
  ])('%s (%s)', async (spec) => {
    const out = path.join(work, `crash-${spec.replace(/\W+/g, '_')}`);
    const crashed = await replay(out, { LOCALDLT_CRASH_AT: spec });
    expect(crashed.signal, `should have been killed at ${spec}\n${crashed.stderr}`).toBe('SIGKILL');
    const again = await replay(out);
    expect(again.code, again.stderr).toBe(0);
    await equalsClean(out, spec);
  });

  it('mid-retention (old offsets and commits half removed, minBatchesToRetain 10): the restart resumes where it stopped', async () => {
    // at batch 19 the offsets and commits before batch 10 go: #1 after a source flow's new file index, #2 before its deletions, #3 the next flow
    for (const spec of ['mid-retention@19', 'mid-retention@19#2', 'mid-retention@19#3']) {
      const out = path.join(work, `crash-${spec.replace(/\W+/g, '_')}`);
      const crashed = await replay(out, { LOCALDLT_CRASH_AT: spec }, keep10());
      expect(crashed.signal, `should have been killed at ${spec}\n${crashed.stderr}`).toBe('SIGKILL');
      const again = await replay(out, undefined, keep10());
      expect(again.code, again.stderr).toBe(0);
      await equalsClean(out, spec);
      // every file is known once: the index and the offsets left name each input file of the source once
      const cp = path.join(out, '_checkpoints', 'patients_bronze');
      const index = fs.readdirSync(path.join(cp, 'sources')).filter((n) => n.startsWith('index-'));
      expect(index, spec).toHaveLength(1);
    }
  });

  it('an optimize killed before and after its commit, then optimize again: the table is unchanged, and compacted', async () => {
    for (const spec of ['mid-compaction-commit', 'after-compaction-commit']) {
      const out = path.join(work, `optimize-${spec}`);
      fs.cpSync(clean, out, { recursive: true });
      const crashed = await runCli(['optimize', '--output', out, '--table', 'vitals_bronze'], { env: { LOCALDLT_CRASH_AT: spec } });
      expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
      const r = await runCli(['optimize', '--output', out]);
      expect(r.code, r.stderr).toBe(0);
      // a restart of the pipeline then finds nothing to do, and nothing left over
      const again = await replay(out);
      expect(again.code, again.stderr).toBe(0);
      await equalsClean(out, `optimize ${spec}`);
      for (const t of tableNames(out)) expect(liveFiles(path.join(tablesDir(out), t)).files.size, `${spec}: ${t}`).toBe(1);
    }
  });

  it('a vacuum killed after its first deletion, then vacuum again: every retained file stays', async () => {
    const root = path.join(work, 'vacuum-crash');
    const clock = new ManualClock(Date.now() - 2 * HOUR);
    const store = new DeltaStore(path.join(root), { now: clock.now, properties: () => ({ 'delta.deletedFileRetentionDuration': 'interval 1 hour' }) });
    for (let v = 0; v < 12; v++) {
      clock.advance(10 * MINUTE);
      await store.replace('mv', SCHEMA, batchFromRows(SCHEMA, [{ id: `v${v}`, n: v }]));
      await store.commit('mv', SCHEMA, { batchId: v, appId: 'mv', operation: 'CREATE OR REPLACE' });
    }
    const dry = await runCli(['vacuum', '--output', root, '--dry-run']);
    const listed = dry.stdout.trim().split('\n').filter(Boolean);
    expect(listed.length).toBeGreaterThan(1);
    const crashed = await runCli(['vacuum', '--output', root], { env: { LOCALDLT_CRASH_AT: 'mid-vacuum' } });
    expect(crashed.signal).toBe('SIGKILL');
    const r = await runCli(['vacuum', '--output', root]);
    expect(r.code, r.stderr).toBe(0);
    for (const f of listed) expect(fs.existsSync(path.join(root, f)), f).toBe(false);
    const dir = path.join(root, 'tables', 'mv');
    expect(parquetOnDisk(dir).length).toBe(12 - listed.length);
    expect(await readTableViaLog(duck, root, 'mv')).toEqual([{ id: 'v11', n: 11 }]);
  });
});
