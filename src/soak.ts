/**
 * The soak: months of two-minute micro-batches, simulated.
 *
 * Files come from the generator (`--every 0 --sim-step 2m --rows 20 --vitals`),
 * one patient file and one vitals file per batch, hard-linked into the input
 * folder as the batch comes (the folder grows as it would in production). The
 * pipeline runs in process as watch mode runs it: `runPlanned` (a batch, and a
 * closing batch when its watermark lets windows close), then a maintenance
 * slot (compaction, event expiry). A manual clock advances two minutes per
 * batch: commit times, the event log and every retention rule follow it, so a
 * month takes minutes and retention (7 days here) expires within the run.
 *
 * Used by `npm run bench -- --soak` (a month, with restart and `status` timed
 * in fresh processes, src/bench-soak.ts) and by test/soak.test.ts (a few
 * thousand batches: file and log bounds, one-shot equality; never timings).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { definePipeline, type Pipeline } from '../engine/index.js';
import { PipelineService, type MaintenanceReport } from '../engine/runtime/service.js';
import { EventLog } from '../engine/events/event-log.js';
import { ManualClock } from '../engine/runtime/clock.js';
import { readDeltaLog } from '../engine/sinks/delta-log.js';
import { eventLogDir } from '../engine/events/schema.js';
import { patientPipeline } from '../layers/pipeline.js';
import { generate } from './generate/index.js';
import { PipelineTester } from '../engine/testing.js';
import { encodeParquet } from '../engine/sinks/parquet.js';

export const STEP_MS = 2 * 60_000;
export const DAY_MS = 86_400_000;

/** The patient pipeline with the soak's retention settings, as pipeline configuration (so a CLI run reads the same). */
export function soakConfiguration(retention: string): Record<string, string> {
  return {
    'spark.databricks.delta.properties.defaults.logRetentionDuration': `interval ${retention}`,
    'localdlt.eventLog.retentionDuration': retention,
  };
}

export function soakPipeline(retention: string): Pipeline {
  return definePipeline([...patientPipeline.datasets, ...patientPipeline.flows], { ...patientPipeline.options, configuration: { ...(patientPipeline.options.configuration ?? {}), ...soakConfiguration(retention) } });
}

/** A pipeline module for `--pipeline` (the CLI runs of the bench), importing the built engine from `dist`. */
export function writeSoakPipelineModule(file: string, dist: string, retention: string): void {
  const url = (p: string) => JSON.stringify(new URL(`file://${path.resolve(p)}`).href);
  fs.writeFileSync(file, `import { definePipeline } from ${url(path.join(dist, 'engine', 'index.js'))};
import { patientPipeline } from ${url(path.join(dist, 'layers', 'pipeline.js'))};
export default definePipeline([...patientPipeline.datasets, ...patientPipeline.flows], { ...patientPipeline.options, configuration: { ...patientPipeline.options.configuration, ...${JSON.stringify(soakConfiguration(retention))} } });
`);
}

/** The generated files of `batches` batches (cached in `dir`): patient and vitals file names per batch. */
export async function soakPool(dir: string, batches: number, rows = 20, seed: string | number = 'soak'): Promise<{ dir: string; pairs: [string, string][] }> {
  const marker = path.join(dir, '.complete');
  const want = JSON.stringify({ batches, rows, seed });
  if (!fs.existsSync(marker) || fs.readFileSync(marker, 'utf8') !== want) {
    fs.rmSync(dir, { recursive: true, force: true });
    await generate({ out: dir, files: batches, rows, everyMs: 0, seed, simStepMs: STEP_MS, vitals: true, start: '2026-01-01', log: null });
    fs.writeFileSync(marker, want);
  }
  const pairs: [string, string][] = [];
  for (let i = 0; i < batches; i++) {
    const n = String(i).padStart(6, '0');
    pairs.push([`patients_daily_file_${n}.csv`, `vitals_${n}.csv`]);
  }
  return { dir, pairs };
}

export function linkPair(pool: string, input: string, pair: [string, string]): void {
  for (const f of pair) {
    const dest = path.join(input, f);
    if (!fs.existsSync(dest)) fs.linkSync(path.join(pool, f), dest);
  }
}

export interface SoakOptions {
  pool: { dir: string; pairs: [string, string][] };
  input: string;
  output: string;
  /** Batches (file pairs) to run, from the first pair. */
  batches: number;
  /** Log and event retention, e.g. '7 days'. */
  retention: string;
  /** Clock at the first batch (ms). */
  startMs: number;
  /** Close the service and open it again after these batches (a restart from the checkpoints). */
  restartAfter?: number[];
  /** After these batches (counts), `onSnapshot` is called (sizes, DuckDB scans). */
  snapshotsAfter?: number[];
  onSnapshot?: (batches: number, output: string) => Promise<void> | void;
  /** Progress. */
  log?: (line: string) => void;
}

export interface SoakRun {
  /** Per input pair: time of its batch (and closing batch, if any), ms. */
  batchMs: number[];
  /** The same, in CPU time of this process (user + system), ms: less moved by other load on a shared machine. */
  batchCpuMs: number[];
  /** Per input pair: the maintenance slot after it, ms. */
  maintenanceMs: number[];
  compactions: number;
  /** The slowest compactions (table, files, bytes and rows merged, ms). */
  slowest: { batch: number; table: string; files: number; bytes: number; rows: number; ms: number }[];
  /** Time to open the service at each in-process restart, ms. */
  reopenMs: number[];
  /**
   * The process's memory after every 1,000th batch (MB): resident; V8's heap, used and reserved; memory
   * outside the heap that V8 knows of (`external`: ArrayBuffers, among them the batches' columns, and
   * parquet-wasm's memory); ArrayBuffers alone. DuckDB's memory (the layer scans) is only in `rss`.
   */
  memory: { batches: number; rss_mb: number; heap_used_mb: number; heap_total_mb: number; external_mb: number; array_buffers_mb: number }[];
  clockEndMs: number;
  failures: number;
}

async function open(o: SoakOptions, clock: ManualClock): Promise<PipelineService> {
  const { service } = await PipelineService.open({
    pipeline: soakPipeline(o.retention), input: o.input, output: o.output, now: clock.now, command: 'soak',
    events: new EventLog(o.output, { now: clock.now, command: 'soak', trigger: 'continuous' }),
  });
  return service;
}

/** Runs the soak: one pair of files per batch, a maintenance slot after each, the clock two minutes on per batch. */
export async function runSoak(o: SoakOptions): Promise<SoakRun> {
  fs.mkdirSync(o.input, { recursive: true });
  const clock = new ManualClock(o.startMs);
  const run: SoakRun = { batchMs: [], batchCpuMs: [], maintenanceMs: [], compactions: 0, slowest: [], reopenMs: [], memory: [], clockEndMs: 0, failures: 0 };
  let service = await open(o, clock);
  const restarts = new Set(o.restartAfter ?? []);
  const snaps = new Set(o.snapshotsAfter ?? []);
  for (let i = 0; i < o.batches; i++) {
    linkPair(o.pool.dir, o.input, o.pool.pairs[i]);
    clock.advance(STEP_MS);
    // as the watcher plans a batch: from the names of the new files, without listing the folder
    const plan = service.runner.planBatch(undefined, o.pool.pairs[i]);
    if (!plan) throw new Error(`soak: batch ${i} found no new file`);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const rs = await service.runPlanned(plan);
    const t1 = performance.now();
    const c1 = process.cpuUsage(c0);
    run.batchCpuMs.push((c1.user + c1.system) / 1000);
    if (rs.some((r) => r.failure)) run.failures++;
    const m: MaintenanceReport = await service.maintain();
    run.batchMs.push(t1 - t0);
    run.maintenanceMs.push(performance.now() - t1);
    run.compactions += m.compactions.length;
    for (const c of m.compactions) run.slowest.push({ batch: i, table: c.table, files: c.filesRemoved, bytes: c.bytesRemoved, rows: c.rows, ms: Math.round(c.ms) });
    if (run.slowest.length > 20) run.slowest = run.slowest.sort((a, b) => b.ms - a.ms).slice(0, 10);
    const done = i + 1;
    if (done % 1000 === 0) {
      const mu = process.memoryUsage(), mb = (x: number) => Math.round(x / 1048576);
      run.memory.push({ batches: done, rss_mb: mb(mu.rss), heap_used_mb: mb(mu.heapUsed), heap_total_mb: mb(mu.heapTotal), external_mb: mb(mu.external), array_buffers_mb: mb(mu.arrayBuffers) });
      o.log?.(`soak: ${done} batches, last 1000 median ${median(run.batchMs.slice(-1000)).toFixed(1)} ms, rss ${mb(mu.rss)} MB, heap ${mb(mu.heapUsed)} MB`);
    }
    if (snaps.has(done)) {
      await service.close('COMPLETED');
      await o.onSnapshot?.(done, o.output);
      service = await reopen(o, clock, run);
    } else if (restarts.has(done)) {
      await service.close('COMPLETED');
      service = await reopen(o, clock, run);
    }
  }
  await service.close('COMPLETED');
  run.clockEndMs = clock.now();
  return run;
}

async function reopen(o: SoakOptions, clock: ManualClock, run: SoakRun): Promise<PipelineService> {
  const t = performance.now();
  const s = await open(o, clock);
  run.reopenMs.push(performance.now() - t);
  return s;
}

/**
 * A one-shot replay of the first `batches` pairs (one pair per batch, as the
 * soak), without advancing a clock: every file is in the folder from the
 * start, and `runAvailableNow` works through the backlog at one file per
 * source per batch (with the maintenance slot after each, as a triggered run).
 */
export async function oneShot(pool: { dir: string; pairs: [string, string][] }, batches: number, input: string, output: string, retention: string, nowMs: number, onBatch?: (batches: number) => void): Promise<void> {
  fs.mkdirSync(input, { recursive: true });
  for (let i = 0; i < batches; i++) linkPair(pool.dir, input, pool.pairs[i]);
  const now = () => nowMs;
  const { service } = await PipelineService.open({ pipeline: soakPipeline(retention), input, output, now, maxFilesPerTrigger: 1, command: 'soak-one-shot', events: new EventLog(output, { now }) });
  let n = 0;
  const rs = await service.runAvailableNow((_r, plan) => { if (plan.files.length) onBatch?.(++n); });
  await service.close(rs.some((r) => r.failure) ? 'FAILED' : 'COMPLETED');
}

/**
 * The same one-shot replay in memory (the testing API: no Delta log, no
 * checkpoint, no compaction), its tables written as one Parquet file each
 * under `<dir>/tables/<t>/` for `compareOutputs`. What the soak's upkeep
 * (compaction, checkpoints, retention, restarts) might change, this cannot.
 */
export async function oneShotInMemory(pool: { dir: string; pairs: [string, string][] }, batches: number, input: string, dir: string, retention: string): Promise<void> {
  fs.mkdirSync(input, { recursive: true });
  for (let i = 0; i < batches; i++) linkPair(pool.dir, input, pool.pairs[i]);
  const tester = new PipelineTester(soakPipeline(retention), { input, maxFilesPerTrigger: 1 });
  try {
    const rs = await tester.runAvailable();
    if (rs.some((r) => r.failure)) throw new Error('soak: the in-memory one-shot replay failed');
    for (const g of tester.graph.datasets.values()) {
      if (!g.persisted) continue;
      const t = path.join(dir, 'tables', g.name);
      fs.mkdirSync(t, { recursive: true });
      fs.writeFileSync(path.join(t, 'one-shot.parquet'), encodeParquet((await tester.table(g.name)).batch));
    }
  } finally {
    tester.close();
  }
}

export function median(xs: readonly number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function quantile(xs: readonly number[], q: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(s.length * q) - 1))];
}

// ------------------------------------------------------------------ what is on disk

function dirStats(dir: string): { files: number; bytes: number } {
  let files = 0, bytes = 0;
  const walk = (d: string) => {
    let ents: fs.Dirent[];
    try { ents = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of ents) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) { files++; bytes += fs.statSync(p).size; }
    }
  };
  walk(dir);
  return { files, bytes };
}

export interface TableOnDisk {
  table: string;
  layer: string;
  /** Live data files (the log's), and Parquet files in the folder (the glob's). */
  files: number;
  parquetOnDisk: number;
  bytes: number;
  rows: number;
  logFiles: number;
  logBytes: number;
  checkpoints: number;
}

/** Every Delta table of an output (and the event log): files and bytes, data and log. */
export function tablesOnDisk(output: string, pipeline: Pipeline = patientPipeline): TableOnDisk[] {
  const out: TableOnDisk[] = [];
  const layerOf = new Map(pipeline.datasets.map((d) => [d.def.name, d.def.properties.quality ?? '-']));
  const dirs: [string, string][] = [];
  const tables = path.join(output, 'tables');
  for (const n of fs.existsSync(tables) ? fs.readdirSync(tables).sort() : []) dirs.push([n, path.join(tables, n)]);
  dirs.push(['system.events', eventLogDir(output)]);
  for (const [name, dir] of dirs) {
    if (!fs.existsSync(path.join(dir, '_delta_log'))) continue;
    const snap = readDeltaLog(dir);
    const log = dirStats(path.join(dir, '_delta_log'));
    let rows = 0, bytes = 0;
    for (const a of snap.files.values()) { bytes += a.size; rows += a.stats ? (JSON.parse(a.stats) as { numRecords?: number }).numRecords ?? 0 : 0; }
    out.push({
      table: name, layer: name === 'system.events' ? 'system' : layerOf.get(name) ?? '-', files: snap.files.size,
      parquetOnDisk: fs.readdirSync(dir).filter((f) => f.endsWith('.parquet')).length, bytes, rows,
      logFiles: log.files, logBytes: log.bytes, checkpoints: fs.readdirSync(path.join(dir, '_delta_log')).filter((f) => f.endsWith('.checkpoint.parquet')).length,
    });
  }
  return out;
}

export interface CheckpointOnDisk {
  flow: string;
  offsets: number;
  commits: number;
  stateFiles: number;
  stateBytes: number;
  sourcesBytes: number;
  files: number;
  bytes: number;
}

/**
 * Each flow's checkpoint: the offsets and commit records (one per batch for
 * the pipeline) that hold an entry for it, and its own folder's state files
 * and bytes; the batch log's own files and bytes go under the name `(batch log)`.
 */
export function checkpointsOnDisk(output: string): CheckpointOnDisk[] {
  const root = path.join(output, '_checkpoints');
  const out: CheckpointOnDisk[] = [];
  const records = (sub: string): Record<string, unknown>[] => {
    const dir = path.join(root, sub);
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir).filter((n) => /^\d+\.json$/.test(n)).map((n) => JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')) as Record<string, unknown>);
  };
  const entries = (recs: Record<string, unknown>[], flow: string) => recs.filter((r) => (r.flows as Record<string, unknown> | undefined)?.[flow] !== undefined).length;
  const offsets = records('offsets'), commits = records('commits');
  for (const f of fs.existsSync(root) ? fs.readdirSync(root).sort() : []) {
    const dir = path.join(root, f);
    if (!fs.statSync(dir).isDirectory() || f === 'offsets' || f === 'commits') continue;
    const st = dirStats(path.join(dir, 'state'));
    const all = dirStats(dir);
    out.push({ flow: f, offsets: entries(offsets, f), commits: entries(commits, f), stateFiles: st.files, stateBytes: st.bytes, sourcesBytes: dirStats(path.join(dir, 'sources')).bytes, files: all.files, bytes: all.bytes });
  }
  const o = dirStats(path.join(root, 'offsets')), c = dirStats(path.join(root, 'commits'));
  out.push({ flow: '(batch log)', offsets: offsets.length, commits: commits.length, stateFiles: 0, stateBytes: 0, sourcesBytes: 0, files: o.files + c.files, bytes: o.bytes + c.bytes });
  return out;
}

// ------------------------------------------------------------------ DuckDB

export async function duckConnection(): Promise<{ conn: DuckDBConnection; close(): void }> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await instance.connect();
  await conn.run(`SET TimeZone = 'UTC'`);
  return { conn, close: () => { conn.closeSync(); instance.closeSync(); } };
}

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Time (ms) for DuckDB to scan every column of every table of a layer through `read_parquet('<t>/*.parquet')`. */
export async function scanLayerMs(conn: DuckDBConnection, output: string, tables: readonly string[]): Promise<number> {
  const t = performance.now();
  for (const name of tables) {
    const dir = path.join(output, 'tables', name);
    if (!fs.existsSync(dir) || !fs.readdirSync(dir).some((f) => f.endsWith('.parquet'))) continue;
    await conn.runAndReadAll(`SELECT count(*), sum(hash(t)) FROM read_parquet(${q(path.join(dir, '*.parquet'))}) t`);
  }
  return performance.now() - t;
}

export interface TableComparison { table: string; rowsA: number; rowsB: number; onlyInA: number; onlyInB: number }

/**
 * Compares each table of two outputs as multisets of rows through
 * `read_parquet('<t>/*.parquet')` (a clean stop leaves exactly the live files),
 * ignoring `_ingested_at` (the batch time).
 */
export async function compareOutputs(conn: DuckDBConnection, a: string, b: string, tables: readonly string[]): Promise<TableComparison[]> {
  const out: TableComparison[] = [];
  for (const t of tables) {
    const ga = path.join(a, 'tables', t, '*.parquet'), gb = path.join(b, 'tables', t, '*.parquet');
    const cols = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${q(ga)})`)).getRowObjects().map((r) => String(r.column_name));
    const sel = `SELECT ${cols.filter((c) => c !== '_ingested_at').map((c) => `"${c}"`).join(', ')}`;
    const r = (await conn.runAndReadAll(`SELECT
      (SELECT count(*) FROM read_parquet(${q(ga)})) AS na, (SELECT count(*) FROM read_parquet(${q(gb)})) AS nb,
      (SELECT count(*) FROM (${sel} FROM read_parquet(${q(ga)}) EXCEPT ALL ${sel} FROM read_parquet(${q(gb)}))) AS ab,
      (SELECT count(*) FROM (${sel} FROM read_parquet(${q(gb)}) EXCEPT ALL ${sel} FROM read_parquet(${q(ga)}))) AS ba`)).getRowObjects()[0];
    out.push({ table: t, rowsA: Number(r.na), rowsB: Number(r.nb), onlyInA: Number(r.ab), onlyInB: Number(r.ba) });
  }
  return out;
}

/** The data tables (persisted datasets) of the patient pipeline, by layer. */
export function tablesByLayer(pipeline: Pipeline = patientPipeline): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const d of pipeline.datasets) {
    for (const name of [...(d.def.kind === 'view' ? [] : [d.def.name]), ...(d.def.quarantine ? [d.def.quarantine.name] : [])]) {
      const layer = d.def.properties.quality ?? '-';
      out.set(layer, [...(out.get(layer) ?? []), name]);
    }
  }
  return out;
}

export { DAY_MS as SOAK_DAY_MS };
