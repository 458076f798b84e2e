/**
 * Crashes: `node dist/run.js replay` is killed with SIGKILL (LOCALDLT_CRASH_AT,
 * see engine/runtime/faults.ts) at each point of a batch, in the first batch
 * and in a later one, then replayed again without fault injection. After the
 * restart:
 *
 * - every table equals a clean run's, row for row (ignoring `_ingested_at`: the
 *   clean run had another wall clock);
 * - no record is duplicated or missing: bronze holds each (_source_file, _line)
 *   of the input exactly once, and silver matches the generator's ground truth;
 * - the interrupted batch was re-run with the batch time of its offsets (its
 *   rows carry that `_ingested_at`);
 * - no orphan file is left: `read_parquet('<table>/*.parquet')` reads exactly
 *   the files the Delta log lists, and no temporary file remains.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readOffsetsRecord } from './helpers/batch-log.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Duck, multisetEqual, type PlainRow } from './helpers/duck.js';
import {
  copyInto, ensureBuilt, generatePool, isPatientFile, isVitalsFile, liveFiles, logLines, parquetOnDisk, readTableGlob,
  readTableViaLog, runCli, startCli, tableNames, tablesDir, tempDir, waitFor, type CliResult, type Pool,
} from './helpers/cli.js';

// child processes on a possibly loaded machine
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

const IGNORE = ['_ingested_at'];

let duck: Duck;
let pool: Pool;
let work: string;
let input: string;
let clean: string;
const cleanRows = new Map<string, PlainRow[]>();

const replay = (output: string, env?: Record<string, string>) =>
  runCli(['replay', input, '--output', output, '--max-files-per-trigger', '1'], { env });

beforeAll(async () => {
  ensureBuilt();
  duck = await Duck.open();
  work = tempDir('crash');
  pool = await generatePool({ files: 3, rows: 30, seed: 'crash', scenarios: ['dirty', 'vitals-deterioration'] });
  input = path.join(work, 'in');
  copyInto(pool, input, pool.files);
  clean = path.join(work, 'clean');
  const r = await replay(clean);
  expect(r.code, r.stderr).toBe(0);
  for (const t of tableNames(clean)) cleanRows.set(t, await readTableViaLog(duck, clean, t));
}, 60_000);

afterAll(() => {
  duck?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true, maxRetries: 5 });
  if (pool) fs.rmSync(pool.dir, { recursive: true, force: true, maxRetries: 5 });
}, 30_000);

/** Crash points, in batch order; `#n` = the n-th time the point is reached in that batch (a later table). */
const POINTS: { point: string; resumes: boolean }[] = [
  { point: 'before-offsets', resumes: false },
  { point: 'after-offsets', resumes: true },
  { point: 'mid-sink', resumes: true },
  { point: 'mid-sink#3', resumes: true },
  { point: 'after-table-commit', resumes: true },
  { point: 'after-table-commit#5', resumes: true },
  { point: 'after-sink', resumes: true },
  { point: 'before-commit-marker', resumes: true },
  { point: 'after-commit-marker', resumes: false },
];
// batch 0, and batch 1 (a later batch, with state from batch 0 and a batch after it); a later table only in batch 1
const CASES = [
  ...POINTS.flatMap((p) => (p.point.includes('#') ? [1] : [0, 1]).map((batch) => ({ ...p, batch, spec: p.point.replace(/(#\d+)?$/, `@${batch}$1`) }))),
  // the last batch with data, whose watermark closes windows in the closing batch after it
  { point: 'before-commit-marker', resumes: true, batch: 2, spec: 'before-commit-marker@2' },
  { point: 'after-commit-marker', resumes: false, batch: 2, spec: 'after-commit-marker@2' },
];

/** At most this many cases run their child processes at once (the machine may have 2 cores). */
const PARALLEL = 3;
let running = 0;
const queue: (() => void)[] = [];
async function limited<T>(f: () => Promise<T>): Promise<T> {
  if (running >= PARALLEL) await new Promise<void>((r) => queue.push(r));
  running++;
  try { return await f(); } finally { running--; queue.shift()?.(); }
}

describe('a replay killed with SIGKILL, then replayed again, equals a clean run', () => {
  it.concurrent.each(CASES)('crash at $spec', ({ spec, batch, resumes }) => limited(async () => {
    const out = path.join(work, `out-${spec.replace(/\W+/g, '_')}`);
    const crashed = await replay(out, { LOCALDLT_CRASH_AT: spec });
    expect(crashed.signal, `should have been killed at ${spec}\n${crashed.stderr}`).toBe('SIGKILL');

    // what the interrupted batch had planned (if it got that far)
    const record = readOffsetsRecord(out, batch);
    const planned = record ? { ingestedAtUs: record.ingestedAtUs, files: record.flows.patients_bronze?.files ?? {} } : null;
    if (spec.startsWith('before-offsets')) expect(planned).toBeNull();
    else expect(planned).not.toBeNull();

    const again: CliResult = await replay(out);
    expect(again.code, again.stderr).toBe(0);
    const resumed = logLines(again.stderr).find((l) => l.msg === 'resuming an interrupted batch');
    if (resumes) expect(resumed?.batch, again.stderr).toBe(batch);
    else expect(resumed, again.stderr).toBeUndefined();

    // every table, row for row (read once: DuckDB work is serialised in this process)
    const tables = tableNames(clean);
    expect(tableNames(out)).toEqual(tables);
    const got = new Map<string, PlainRow[]>();
    for (const t of tables) {
      got.set(t, await readTableViaLog(duck, out, t));
      multisetEqual(got.get(t)!, cleanRows.get(t)!, { ignore: IGNORE, label: `${spec}: ${t}` });
    }

    // no duplicate, no missing record
    for (const [table, names] of [['patients_bronze', pool.files.filter(isPatientFile)], ['vitals_bronze', pool.files.filter(isVitalsFile)]] as const) {
      const rows = got.get(table)!;
      const total = names.reduce((s, n) => s + pool.records.get(n)!, 0);
      expect(rows, table).toHaveLength(total);
      expect(new Set(rows.map((r) => `${r._source_file}\u0000${r._line}`)).size, `${table}: distinct (_source_file, _line)`).toBe(total);
    }
    expect(got.get('patients_silver')).toHaveLength(pool.totals.patients.silver_rows);

    // the re-run batch used the batch time of its offsets
    if (planned && resumes) {
      const files = new Set(Object.values(planned.files).flat().map((f) => f.name));
      expect(files.size).toBe(1);
      const rows = got.get('patients_bronze')!.filter((r) => files.has(String(r._source_file)));
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) expect(r._ingested_at).toBe(planned.ingestedAtUs);
    }

    // no orphan: the folder holds exactly the files the log lists (so read_parquet('<t>/*.parquet') reads the table), nothing temporary
    for (const t of tables) {
      const dir = path.join(tablesDir(out), t);
      expect(parquetOnDisk(dir), `${spec}: ${t} files on disk vs. log`).toEqual([...liveFiles(dir).files.keys()].sort());
      expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp')), `${spec}: ${t} temporary files`).toEqual([]);
    }
    // and once through DuckDB's glob, for the table the crash most likely hit
    multisetEqual(await readTableGlob(duck, out, 'patients_bronze'), got.get('patients_bronze')!, { label: `${spec}: read_parquet vs. log` });
  }), 120_000);
});

describe('a crash with key tables spilled to disk, restarted with another memory budget', () => {
  it('the batch re-run with the new budget, and a start after it, equal a clean run (a stale snapshot of the crashed batch is not reused)', async () => {
    const out = path.join(work, 'out-spill-budget');
    const run = (keys: string, env?: Record<string, string>) =>
      runCli(['replay', input, '--output', out, '--max-files-per-trigger', '1', '--state-keys-in-memory', keys], { env });
    const crashed = await run('7', { LOCALDLT_CRASH_AT: 'before-commit-marker@2' });
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    const dedupState = path.join(out, '_checkpoints', 'patients_silver', 'state');
    expect(fs.readdirSync(dedupState).some((n) => n.startsWith('2.') && n.endsWith('.snapshot')), 'the crashed batch wrote a snapshot').toBe(true);
    const again = await run('100000');
    expect(again.code, again.stderr).toBe(0);
    expect(logLines(again.stderr).find((l) => l.msg === 'resuming an interrupted batch')?.batch).toBe(2);
    // a third start loads the state the second one left
    const third = await run('100000');
    expect(third.code, third.stderr).toBe(0);
    for (const t of tableNames(clean)) multisetEqual(await readTableViaLog(duck, out, t), cleanRows.get(t)!, { ignore: IGNORE, label: t });
  });
});

describe('watch mode after a crash between the last data batch and its closing batch', () => {
  it('closes the windows that batch\'s watermark passed at start, as the clean run did', async () => {
    const out = path.join(work, 'out-watch-closing');
    const crashed = await replay(out, { LOCALDLT_CRASH_AT: 'after-commit-marker@2' });
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    const before = (await readTableViaLog(duck, out, 'vitals_15min')).length;
    expect(before).toBeLessThan(cleanRows.get('vitals_15min')!.length);
    const c = startCli(['run', '--input', input, '--output', out, '--max-files-per-trigger', '1']);
    try {
      await waitFor('the watcher to start', () => logLines(c.stderr()).some((l) => l.msg === 'watching for new files (Ctrl-C to stop)'), 30_000);
    } finally {
      c.child.kill('SIGTERM');
      expect((await c.exited).code, c.stderr()).toBe(0);
    }
    for (const t of ['vitals_15min', 'patient_alerts']) multisetEqual(await readTableViaLog(duck, out, t), cleanRows.get(t)!, { ignore: IGNORE, label: t });
  });
});
