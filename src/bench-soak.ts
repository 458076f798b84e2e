/**
 * `npm run bench -- --soak`: a simulated month of the two-minute cadence
 * (21,600 micro-batches of one 20-row patient file and one vitals file), run
 * as watch mode runs it, with a clock that advances 2 minutes per batch and a
 * 7-day log and event retention (src/soak.ts). It reports:
 *
 * - the median (and p99) batch time per 1,000-batch window, and the
 *   maintenance slots between batches;
 * - files, rows and bytes per table, the log and checkpoint folders, and the
 *   time DuckDB takes to scan each layer, at the start, middle and end;
 * - a restart that processes one new file, and `status`, each in a fresh
 *   process, against an output folder holding a single batch: median of 5
 *   alternating pairs;
 * - whether every table equals a one-shot replay of the same files (same
 *   batch boundaries, ignoring `_ingested_at`), run in a child process while
 *   the soak runs (src/soak-one-shot.ts).
 *
 * Options: `--batches N` (default 21600), `--retention 7d`, `--out <file.json>`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  STEP_MS, checkpointsOnDisk, compareOutputs, duckConnection, linkPair, median, quantile, runSoak, scanLayerMs,
  soakPipeline, soakPool, tablesByLayer, tablesOnDisk, writeSoakPipelineModule, type CheckpointOnDisk, type TableComparison, type TableOnDisk,
} from './soak.js';
import { DEFAULT_MIN_BATCHES_TO_RETAIN } from '../engine/state/checkpoint.js';
import { DEFAULT_CHECKPOINT_INTERVAL } from '../engine/sinks/delta-log.js';
import { parseDurationMs } from '../engine/duration.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = path.join(ROOT, 'dist');
const RUN_JS = path.join(DIST, 'run.js');
const CACHE = path.join(ROOT, '.bench');
const log = (s: string) => process.stderr.write(s + '\n');

interface Snapshot { batches: number; tables: TableOnDisk[]; checkpoints: CheckpointOnDisk[]; scanMs: Record<string, number> }

function child(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const c = spawn(process.execPath, [RUN_JS, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TZ: 'UTC' } });
    let err = '';
    c.stderr.on('data', (d) => { err += d; });
    c.on('error', reject);
    c.on('exit', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`node dist/run.js ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`))));
  });
}

/** Runs src/soak-one-shot.ts in a child process (stderr to `logFile`); resolves with its wall time (ms). */
function oneShotChild(args: Record<string, unknown>, logFile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const out = fs.openSync(logFile, 'a');
    const c = spawn(process.execPath, [path.join(DIST, 'src', 'soak-one-shot.js'), JSON.stringify(args)], { stdio: ['ignore', 'ignore', out], env: { ...process.env, TZ: 'UTC' } });
    c.on('error', reject);
    c.on('exit', (code) => {
      fs.closeSync(out);
      if (code === 0) resolve(Number(process.hrtime.bigint() - t0) / 1e6);
      else reject(new Error(`the one-shot replay exited ${code}: ${fs.readFileSync(logFile, 'utf8').slice(-2000)}`));
    });
  });
}

export async function soakBench(argv: string[]): Promise<void> {
  let batches = 21_600, retention = '7 days', outFile = path.join(CACHE, 'soak-results.json');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--soak') continue;
    else if (argv[i] === '--batches') batches = Number(argv[++i]);
    else if (argv[i] === '--retention') retention = argv[++i];
    else if (argv[i] === '--out') outFile = argv[++i];
    else { log(`bench --soak: unknown option ${argv[i]}`); process.exit(2); }
  }
  const retentionMs = parseDurationMs(retention, '--retention');
  const started = Date.now();
  const PAIRS = 5;
  log(`soak: generating ${batches + 2 * PAIRS + 1} batches of files (cached)`);
  const pool = await soakPool(path.join(CACHE, `soak-pool-${batches + 2 * PAIRS + 1}`), batches + 2 * PAIRS + 1);
  const work = path.join(CACHE, 'soak');
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const input = path.join(work, 'in'), output = path.join(work, 'out');
  const layers = tablesByLayer(soakPipeline(retention));
  const duck = await duckConnection();
  const snapshots: Snapshot[] = [];
  const snapshotAt = [Math.min(1000, batches), Math.round(batches / 2), batches];
  // the simulated month ends about now, so the processes timed afterwards (real clock) continue it
  const startMs = Date.now() - batches * STEP_MS;
  // the one-shot replay of the same files (same batch boundaries) needs only the input files, known up
  // front: it runs in a process of its own while the soak runs (two cores), its clock at the soak's end
  const oneIn = path.join(work, 'oneshot-in'), oneOut = path.join(work, 'oneshot-out');
  log('soak: one-shot replay of the same files, in a child process (log: ' + path.join(work, 'one-shot.log') + ')');
  const oneShotRun = oneShotChild({ pool: pool.dir, poolBatches: pool.pairs.length, batches, input: oneIn, output: oneOut, retention, nowMs: startMs + batches * STEP_MS }, path.join(work, 'one-shot.log'));
  oneShotRun.catch(() => undefined); // awaited after the soak
  log(`soak: ${batches} batches, retention ${retention}`);
  const run = await runSoak({
    pool, input, output, batches, retention, startMs, snapshotsAfter: snapshotAt, log,
    onSnapshot: async (n, out) => {
      const scanMs: Record<string, number> = {};
      for (const [layer, tables] of layers) scanMs[layer] = await scanLayerMs(duck.conn, out, tables);
      snapshots.push({ batches: n, tables: tablesOnDisk(out), checkpoints: checkpointsOnDisk(out), scanMs });
      log(`soak: snapshot after ${n} batches`);
    },
  });
  const soakSeconds = (Date.now() - started) / 1000;
  const windows: Window[] = [];
  for (let w = 0; w < batches; w += 1000) {
    const b = run.batchMs.slice(w, w + 1000), m = run.maintenanceMs.slice(w, w + 1000), cpu = run.batchCpuMs.slice(w, w + 1000);
    const mem = run.memory.find((x) => x.batches === Math.min(batches, w + 1000));
    windows.push({
      from: w, to: Math.min(batches, w + 1000), median_ms: median(b), p90_ms: quantile(b, 0.9), p99_ms: quantile(b, 0.99), cpu_median_ms: median(cpu), maintenance_median_ms: median(m), maintenance_p99_ms: quantile(m, 0.99), maintenance_max_ms: Math.max(...m),
      ...(mem ? { rss_mb: mem.rss_mb, heap_used_mb: mem.heap_used_mb, heap_total_mb: mem.heap_total_mb, external_mb: mem.external_mb, array_buffers_mb: mem.array_buffers_mb } : {}),
    });
  }

  if (run.clockEndMs !== startMs + batches * STEP_MS) throw new Error('soak: the clock did not end where the one-shot replay was told');
  // what the month left on disk; a copy of it for the one-shot comparison; then restart and status (which add batches to the soak's folders)
  const end = tablesOnDisk(output);
  const cps = checkpointsOnDisk(output);
  const atEnd = path.join(work, 'out-at-end');
  fs.cpSync(output, atEnd, { recursive: true });
  // the restarts and `status` are timed once the one-shot replay is done: not sharing the two cores with it
  log('soak: waiting for the one-shot replay');
  const oneShotSeconds = (await oneShotRun) / 1000;
  log(`soak: one-shot replay done (${(oneShotSeconds / 60).toFixed(1)} min)`);
  const { restart, status } = await restartAndStatus(pool, work, input, output, batches, retention, PAIRS);
  const dataTables = [...layers.values()].flat();
  const write = (comparison: TableComparison[] | null) => {
    const results = soakResults({ batches, retention, retentionMs, started, soakSeconds, oneShotSeconds, compactions: run.compactions, reopenMs: run.reopenMs, failures: run.failures, windows, snapshots, restart, status, end, cps, comparison });
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.writeFileSync(outFile, JSON.stringify(results, null, 2) + '\n');
    return results;
  };
  write(null);
  log(`soak: results so far written to ${outFile}; comparing with the one-shot replay`);
  const comparison = await compareOutputs(duck.conn, atEnd, oneOut, dataTables);
  duck.close();
  fs.rmSync(atEnd, { recursive: true, force: true });
  fs.rmSync(oneIn, { recursive: true, force: true });
  fs.rmSync(oneOut, { recursive: true, force: true });
  const results = write(comparison);
  process.stdout.write(soakReport(results) + '\n');
  log(`results written to ${outFile}`);
}

/**
 * A restart that processes one new file, and `status`, each in a fresh
 * process: the soak's folders against a folder holding one batch, `PAIRS`
 * alternating pairs (each restart adds a batch to the soak's output).
 */
export async function restartAndStatus(pool: { dir: string; pairs: [string, string][] }, work: string, input: string, output: string, batches: number, retention: string, PAIRS: number): Promise<{ restart: { month: number[]; single: number[] }; status: { month: number[]; single: number[] } }> {
  log('soak: restart and status, month vs. one batch, fresh processes');
  const mod = path.join(work, 'soak-pipeline.mjs');
  writeSoakPipelineModule(mod, DIST, retention);
  const singleIn = path.join(work, 'single-in'), singleOut = path.join(work, 'single-out');
  fs.rmSync(singleIn, { recursive: true, force: true });
  fs.rmSync(singleOut, { recursive: true, force: true });
  fs.mkdirSync(singleIn, { recursive: true });
  linkPair(pool.dir, singleIn, pool.pairs[batches + PAIRS]);
  await child(['replay', singleIn, '--output', singleOut, '--pipeline', mod, '--log-level', 'warn']);
  const restart = { month: [] as number[], single: [] as number[] };
  for (let k = 0; k < PAIRS; k++) {
    linkPair(pool.dir, input, pool.pairs[batches + k]);
    restart.month.push(await child(['replay', input, '--output', output, '--pipeline', mod, '--log-level', 'warn']));
    linkPair(pool.dir, singleIn, pool.pairs[batches + PAIRS + 1 + k]);
    restart.single.push(await child(['replay', singleIn, '--output', singleOut, '--pipeline', mod, '--log-level', 'warn']));
  }
  const status = { month: [] as number[], single: [] as number[] };
  for (let k = 0; k < PAIRS; k++) {
    status.month.push(await child(['status', '--output', output]));
    status.single.push(await child(['status', '--output', singleOut]));
  }
  log(`soak: restart ${median(restart.month).toFixed(0)} vs ${median(restart.single).toFixed(0)} ms, status ${median(status.month).toFixed(0)} vs ${median(status.single).toFixed(0)} ms (month vs. one batch)`);
  return { restart, status };
}

/** A 1,000-batch window: wall time of the batches (and their CPU time in this process: less moved by other load on a shared machine), and of the maintenance slots. */
type Window = {
  from: number; to: number; median_ms: number; p90_ms?: number; p99_ms?: number; cpu_median_ms?: number; maintenance_median_ms?: number; maintenance_p99_ms?: number; maintenance_max_ms?: number;
  /** The soak process's memory at the window's end (it also holds DuckDB for the layer scans). */
  rss_mb?: number; heap_used_mb?: number; heap_total_mb?: number; external_mb?: number; array_buffers_mb?: number;
};

/** The results file: the run, the bounds and the checks (`comparison` null while the one-shot replay runs). */
export function soakResults(o: {
  batches: number; retention: string; retentionMs: number; started: number; soakSeconds: number; oneShotSeconds: number | null; compactions: number; reopenMs: number[]; failures: number;
  windows: Window[]; snapshots: Snapshot[]; restart: { month: number[]; single: number[] }; status: { month: number[]; single: number[] };
  end: TableOnDisk[]; cps: CheckpointOnDisk[]; comparison: TableComparison[] | null;
}): Record<string, unknown> {
  const { batches, retention, retentionMs, windows, restart, status, end, cps, comparison } = o;
  const ratio = (a: number[], b: number[]) => median(a.map((x, i) => x / b[i]));
  // the bounds this run must stay under (README "Long-running pipelines")
  const commitsInRetention = Math.ceil((retentionMs + 86_400_000) / STEP_MS);
  const bounds = {
    data_files_per_table: 64,
    // a streaming table commits at most twice a batch (a batch and its closing batch)
    log_files_per_table: Math.ceil(2 * commitsInRetention * (1 + 1 / DEFAULT_CHECKPOINT_INTERVAL)) + 3,
    offsets_per_flow: DEFAULT_MIN_BATCHES_TO_RETAIN + 10,
    state_files_per_flow: 2 * (DEFAULT_MIN_BATCHES_TO_RETAIN + 2) + 64,
  };
  const checks = {
    batch_time_growth: windows.length >= 3 ? windows[windows.length - 1].median_ms / windows[1].median_ms : NaN,
    restart_ratio: ratio(restart.month, restart.single),
    status_ratio: ratio(status.month, status.single),
    max_data_files: Math.max(...end.filter((t) => t.table !== 'system.events').map((t) => t.files)),
    event_log_files: end.find((t) => t.table === 'system.events')?.files ?? 0,
    max_log_files: Math.max(...end.map((t) => t.logFiles)),
    max_offsets: Math.max(...cps.map((c) => c.offsets)),
    max_state_files: Math.max(...cps.map((c) => c.stateFiles)),
    one_shot_equal: comparison ? comparison.every((c) => c.onlyInA === 0 && c.onlyInB === 0 && c.rowsA === c.rowsB) : null,
    failures: o.failures,
  };
  return {
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, mem_gb: Math.round(os.totalmem() / 2 ** 30), node: process.version, date: new Date().toISOString(), loadavg: os.loadavg() },
    batches, retention, soak_seconds: o.soakSeconds, one_shot_seconds: o.oneShotSeconds, total_seconds: (Date.now() - o.started) / 1000,
    compactions: o.compactions, reopen_ms: o.reopenMs, windows, snapshots: o.snapshots, restart, status, end: { tables: end, checkpoints: cps }, comparison, bounds, checks,
  };
}

export function soakReport(r: Record<string, any>): string {
  const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const ok = (b: boolean) => (b ? 'met' : '**not met**');
  const lines: string[] = [];
  lines.push(`soak: ${n(r.batches)} batches (${f(r.batches * 2 / 60 / 24, 1)} simulated days), retention ${r.retention}; ${r.machine.cpus} cores, ${r.machine.cpu}, Node ${r.machine.node}`);
  lines.push(`wall time: soak ${f(r.soak_seconds / 60)} min, one-shot replay (a process of its own, alongside the soak) ${r.one_shot_seconds == null ? 'still running' : `${f(r.one_shot_seconds / 60)} min`}, total ${f(r.total_seconds / 60)} min; ${n(r.compactions)} compactions`, '');
  lines.push('| batches | median batch | p90 batch | p99 batch | median batch CPU | maintenance median | p99 | max | RSS at end | heap used / reserved | external |', '|---|---|---|---|---|---|---|---|---|---|---|');
  for (const w of r.windows) lines.push(`| ${n(w.from)}–${n(w.to)} | ${f(w.median_ms)} ms | ${f(w.p90_ms ?? NaN)} ms | ${f(w.p99_ms ?? NaN)} ms | ${f(w.cpu_median_ms ?? NaN)} ms | ${f(w.maintenance_median_ms ?? NaN)} ms | ${f(w.maintenance_p99_ms ?? NaN)} ms | ${f(w.maintenance_max_ms ?? NaN, 0)} ms | ${f(w.rss_mb ?? NaN, 0)} MB | ${f(w.heap_used_mb ?? NaN, 0)} / ${f(w.heap_total_mb ?? NaN, 0)} MB | ${f(w.external_mb ?? NaN, 0)} MB |`);
  lines.push('');
  lines.push('| after batch | table | layer | files | rows | MB | log files | log MB |', '|---|---|---|---|---|---|---|---|');
  for (const s of r.snapshots) for (const t of s.tables) lines.push(`| ${n(s.batches)} | ${t.table} | ${t.layer} | ${t.files} | ${n(t.rows)} | ${f(t.bytes / 2 ** 20, 2)} | ${n(t.logFiles)} | ${f(t.logBytes / 2 ** 20, 1)} |`);
  lines.push('');
  lines.push('| after batch | DuckDB scan: ' + Object.keys(r.snapshots[0]?.scanMs ?? {}).join(' | ') + ' | _checkpoints files | _checkpoints MB |', '|---|' + Object.keys(r.snapshots[0]?.scanMs ?? {}).map(() => '---|').join('') + '---|---|');
  for (const s of r.snapshots) lines.push(`| ${n(s.batches)} | ${Object.values(s.scanMs as Record<string, number>).map((x) => `${f(x, 0)} ms`).join(' | ')} | ${n(s.checkpoints.reduce((a: number, c: any) => a + c.files, 0))} | ${f(s.checkpoints.reduce((a: number, c: any) => a + c.bytes, 0) / 2 ** 20, 1)} |`);
  lines.push('');
  const c = r.checks;
  lines.push('| target | result | |', '|---|---|---|');
  lines.push(`| median batch, last 1,000 ≤ 1.25× batches 1,000–2,000 | ${f(r.windows[r.windows.length - 1]?.median_ms)} vs ${f(r.windows[1]?.median_ms)} ms: ${f(c.batch_time_growth, 2)}× | ${ok(c.batch_time_growth <= 1.25)} |`);
  // the ratio is the median of the pairs' ratios (a pair runs back to back, so a machine that slows down for a while moves both)
  const pairs = (x: { month: number[]; single: number[] }) => x.month.map((m, i) => f(m / x.single[i], 2)).join(', ');
  lines.push(`| restart with one new file ≤ 1.2× one-batch folder (median of 5 pairs' ratios) | ${f(c.restart_ratio, 2)}× (pairs ${pairs(r.restart)}; medians ${f(median(r.restart.month), 0)} vs ${f(median(r.restart.single), 0)} ms) | ${ok(c.restart_ratio <= 1.2)} |`);
  lines.push(`| status ≤ 1.2× one-batch folder (same) | ${f(c.status_ratio, 2)}× (pairs ${pairs(r.status)}; medians ${f(median(r.status.month), 0)} vs ${f(median(r.status.single), 0)} ms) | ${ok(c.status_ratio <= 1.2)} |`);
  lines.push(`| data files per table ≤ ${r.bounds.data_files_per_table} (no CDC target here) | at most ${c.max_data_files} (event log ${c.event_log_files}) | ${ok(c.max_data_files <= r.bounds.data_files_per_table)} |`);
  lines.push(`| _delta_log files per table ≤ ${n(r.bounds.log_files_per_table)} | at most ${n(c.max_log_files)} | ${ok(c.max_log_files <= r.bounds.log_files_per_table)} |`);
  lines.push(`| offsets (and commits) per flow ≤ ${r.bounds.offsets_per_flow}; state files per flow ≤ ${r.bounds.state_files_per_flow} | ${c.max_offsets}; ${c.max_state_files} | ${ok(c.max_offsets <= r.bounds.offsets_per_flow && c.max_state_files <= r.bounds.state_files_per_flow)} |`);
  if (r.comparison) lines.push(`| every table equals a one-shot replay | ${r.comparison.filter((x: any) => x.onlyInA === 0 && x.onlyInB === 0 && x.rowsA === x.rowsB).length} of ${r.comparison.length} tables | ${ok(c.one_shot_equal)} |`);
  else lines.push('| every table equals a one-shot replay | the one-shot replay had not finished | not known |');
  return lines.join('\n');
}
