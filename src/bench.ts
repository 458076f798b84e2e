/**
 * `npm run bench`: the engine against DuckDB, side by side, on this machine.
 *
 * 1. Replay throughput: the patient pipeline over a 1M-row folder (100 files),
 *    every table written, checkpoints on; DuckDB runs the same layers as SQL over
 *    the same CSVs and writes Parquet. Median of N alternating runs, each in a
 *    fresh process; wall time, rows/s, MB/s of CSV, peak RSS.
 * 2. Incremental steady state: with 1M and 5M rows processed (two outputs open
 *    side by side, the same new files fed to each in turn), one new 10,000-row
 *    file from start to commit through gold (median and p99 over 20 files, after
 *    3 untimed ones that warm the JIT up), against DuckDB (a) re-running the
 *    whole pipeline and (b) appending the new rows and recomputing only gold
 *    from silver Parquet.
 * 3. Watch latency: a 1,000-row file renamed into the watched folder until its
 *    gold commit; median and p99, for a file written just before the rename
 *    (the watcher waits the stability time T) and one written earlier.
 *    Both run with the CLI's default threads (a worker beside the main thread
 *    on 2+ cores), as the replays do.
 * 4. Memory: peak RSS of the 5M-row history replay (a fresh process), and the
 *    checkpoint's size.
 * 6. Scale: replays of 5M and 20M rows (fresh processes, one after the
 *    other): the 20M/5M time ratio (linear within 10% is at most 4.4) and the
 *    peak RSS of the 20M-row replay.
 * Every engine replay also reports its garbage-collection time (perf_hooks
 * 'gc' entries of the main thread and of the worker threads).
 * 5. CDC: one 10k-event change-feed file into AUTO CDC targets holding 1M keys
 *    (SCD type 1 and 2), median time per batch and bytes rewritten / table
 *    bytes, for random keys and a generator-shaped feed (src/bench-cdc.ts).
 *
 * Options: --quick (smaller sizes), --runs N, --out <file.json>, --skip-5m,
 * --skip-20m (no scale line),
 * --cdc-only (only the CDC line); --soak runs the month-long soak instead
 * (src/bench-soak.ts).
 * Profiling: `node --cpu-prof dist/run.js replay <dir> --output <out>` writes a
 * .cpuprofile (open it in Chrome DevTools); see README "Performance".
 * Data is generated once with the generator and cached under .bench/.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { generate } from './generate/index.js';
import { PipelineService } from '../engine/runtime/service.js';
import { defaultThreads } from '../engine/runtime/workers.js';
import { Watcher } from '../engine/runtime/watch.js';
import { patientPipeline } from '../layers/pipeline.js';
import { cdcBench, cdcReport, type CdcBenchResult } from './bench-cdc.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUN_JS = path.join(ROOT, 'dist', 'run.js');
const CACHE = path.join(ROOT, '.bench');
/** New files run (untimed) before the incremental measurement, after opening the pipeline. */
const WARMUP_FILES = 3;

interface Args { quick: boolean; runs: number; out: string; skip5m: boolean; skip20m: boolean; cdcOnly: boolean; skipCdc: boolean }

function parse(argv: string[]): Args {
  const a: Args = { quick: false, runs: 3, out: path.join(CACHE, 'results.json'), skip5m: false, skip20m: false, cdcOnly: false, skipCdc: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') a.quick = true;
    else if (argv[i] === '--skip-5m') a.skip5m = true;
    else if (argv[i] === '--skip-20m') a.skip20m = true;
    else if (argv[i] === '--cdc-only') a.cdcOnly = true;
    else if (argv[i] === '--skip-cdc') a.skipCdc = true;
    else if (argv[i] === '--runs') a.runs = Number(argv[++i]);
    else if (argv[i] === '--out') a.out = argv[++i];
    else { process.stderr.write(`bench: unknown option ${argv[i]}\n`); process.exit(2); }
  }
  return a;
}

const log = (s: string) => process.stderr.write(s + '\n');
const median = (xs: number[]) => { const s = [...xs].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const p99 = (xs: number[]) => { const s = [...xs].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)]; };

/** A folder of `files` × `rows` generated files (cached). */
async function dataset(name: string, files: number, rows: number, seed = 7): Promise<string> {
  const dir = path.join(CACHE, name);
  const marker = path.join(dir, '.complete');
  if (fs.existsSync(marker)) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  log(`generating ${name}: ${files} files × ${rows} rows`);
  await generate({ out: dir, files, rows, everyMs: 0, seed, log: null });
  fs.writeFileSync(marker, '');
  return dir;
}

function csvBytes(dir: string): number {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.csv')).reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0);
}

interface Timed { seconds: number; rssMb: number; gcMs: number; workerGcMs: number; stdout: string }

/**
 * Runs a child process; wall time in seconds, peak RSS in MB and garbage-collection
 * time in ms (main thread, and worker threads when it has any), from its own report
 * on stderr (NaN when it reports none).
 */
function timed(args: string[], env: Record<string, string> = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env, LOCALDLT_REPORT_RSS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('exit', (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
      const m = /maxrss_kb=(\d+)/.exec(stderr);
      const gc = /gc_ms=([\d.]+)/.exec(stderr), wgc = /worker_gc_ms=([\d.]+)/.exec(stderr);
      resolve({ seconds, rssMb: m ? Number(m[1]) / 1024 : NaN, gcMs: gc ? Number(gc[1]) : NaN, workerGcMs: wgc ? Number(wgc[1]) : NaN, stdout });
    });
  });
}

/**
 * The DuckDB peer: the patient pipeline's layers as SQL over the CSVs, each
 * written to Parquet, doing the engine's work: bronze with `_line`,
 * `_source_file`, `_ingested_at` and `_rescued_data` (a JSON object of the
 * values that do not fit their column), the quarantine with
 * `_failed_expectations`, silver de-duplicated and joined with its two warning
 * expectations counted, the gold statistics with their fail expectations
 * checked, both window views with TIMESTAMP WITH TIME ZONE bounds as the
 * engine writes them, and admissions_with_address: every silver row with the
 * address the patient's history held on its admission date. The bench folders
 * hold no change-feed files, so the engine's patients_history is empty: the
 * peer joins silver with an empty history table of the same columns and
 * writes all of silver again with a NULL address, as the engine does.
 */
export function duckPipelineSql(input: string, out: string, mapping: string): string {
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  return `
SET TimeZone = 'UTC';
CREATE MACRO txt(x) AS CASE WHEN lower(trim(x, ' ' || chr(9))) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(x, ' ' || chr(9)) END;
CREATE MACRO int_or_null(x) AS CASE WHEN regexp_full_match(txt(x), '[+-]?[0-9]+') THEN TRY_CAST(txt(x) AS INTEGER) END;
CREATE MACRO date_or_null(x) AS CASE WHEN regexp_full_match(txt(x), '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN TRY_CAST(txt(x) AS DATE) END;
CREATE TABLE bronze AS
  SELECT * EXCLUDE (age_text, date_text),
         CASE WHEN (age_text IS NOT NULL AND age IS NULL) OR (date_text IS NOT NULL AND admission_date IS NULL) THEN
           '{' || concat_ws(',', CASE WHEN age_text IS NOT NULL AND age IS NULL THEN '"age":' || to_json(age_text) END,
                                  CASE WHEN date_text IS NOT NULL AND admission_date IS NULL THEN '"admission_date":' || to_json(date_text) END) || '}'
         END AS _rescued_data
  FROM (SELECT txt(patient_id) AS patient_id, txt(name) AS name, int_or_null(age) AS age, txt(gender) AS gender, txt(address) AS address,
               txt(contact_number) AS contact_number, date_or_null(admission_date) AS admission_date, txt(diagnosis_code) AS diagnosis_code,
               txt(age) AS age_text, txt(admission_date) AS date_text,
               parse_filename(filename) AS _source_file, row_number() OVER (PARTITION BY filename) + 1 AS _line, now() AS _ingested_at
        FROM read_csv(${q(path.join(input, 'patients_daily_file_*.csv'))}, header = true, all_varchar = true, filename = true, null_padding = true, strict_mode = false));
COPY bronze TO ${q(path.join(out, 'patients_bronze.parquet'))} (FORMAT parquet, COMPRESSION snappy);
CREATE TABLE mapping AS SELECT txt(diagnosis_code) AS diagnosis_code, txt(diagnosis_description) AS diagnosis_description FROM read_csv(${q(mapping)}, header = true, all_varchar = true);
CREATE TABLE checked AS
  SELECT *, [r FOR r IN [CASE WHEN patient_id IS NULL THEN 'valid_patient_id' END, CASE WHEN (age BETWEEN 0 AND 120) IS NOT TRUE THEN 'valid_age' END,
    CASE WHEN (gender IN ('M', 'F')) IS NOT TRUE THEN 'valid_gender' END, CASE WHEN admission_date IS NULL THEN 'valid_admission_date' END] IF r IS NOT NULL] AS _failed_expectations
  FROM (SELECT * REPLACE (CASE upper(gender) WHEN 'MALE' THEN 'M' WHEN 'FEMALE' THEN 'F' ELSE upper(gender) END AS gender, upper(diagnosis_code) AS diagnosis_code) FROM bronze);
COPY (SELECT * FROM checked WHERE len(_failed_expectations) > 0) TO ${q(path.join(out, 'patients_quarantine.parquet'))} (FORMAT parquet, COMPRESSION snappy);
CREATE TABLE silver AS
  SELECT v.* EXCLUDE (_failed_expectations), m.diagnosis_description
  FROM (SELECT * FROM checked WHERE len(_failed_expectations) = 0
        QUALIFY row_number() OVER (PARTITION BY patient_id, admission_date, diagnosis_code ORDER BY _source_file, _line) = 1) v
  LEFT JOIN mapping m ON m.diagnosis_code = v.diagnosis_code;
COPY silver TO ${q(path.join(out, 'patients_silver.parquet'))} (FORMAT parquet, COMPRESSION snappy);
CREATE TABLE patients_history (patient_id VARCHAR, address VARCHAR, __START_AT TIMESTAMP, __END_AT TIMESTAMP);
COPY (SELECT s.*, h.address AS address_at_admission FROM silver s LEFT JOIN patients_history h
        ON h.patient_id = s.patient_id AND h.__START_AT <= s.admission_date AND (h.__END_AT IS NULL OR s.admission_date < h.__END_AT))
  TO ${q(path.join(out, 'admissions_with_address.parquet'))} (FORMAT parquet, COMPRESSION snappy);
SELECT count(*) FILTER (WHERE diagnosis_description IS NULL) AS known_diagnosis_failed, count(*) FILTER (WHERE contact_number IS NULL) AS has_contact_number_failed FROM silver;
${duckGoldSql('silver', out)}
`;
}

export function duckGoldSql(silver: string, out: string): string {
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  // the gold statistics' fail expectations (positive_count, plausible_avg_age): error() aborts the run as the engine's would
  const checked = (t: string) => `(SELECT * REPLACE (CASE WHEN patient_count > 0 AND avg_age BETWEEN 0 AND 120 IS NOT FALSE THEN patient_count ELSE error('expectation failed') END AS patient_count) FROM ${t})`;
  return `
CREATE TABLE stats_by_diagnosis AS SELECT diagnosis_description, count(patient_id) AS patient_count, avg(age) AS avg_age, count(DISTINCT gender) AS unique_gender_count, min(age) AS min_age, max(age) AS max_age
      FROM ${silver} GROUP BY diagnosis_description;
COPY ${checked('stats_by_diagnosis')} TO ${q(path.join(out, 'patient_stats_by_diagnosis.parquet'))} (FORMAT parquet);
CREATE TABLE stats_by_gender AS SELECT gender, count(patient_id) AS patient_count, avg(age) AS avg_age, count(DISTINCT diagnosis_description) AS unique_diagnosis_count, min(age) AS min_age, max(age) AS max_age
      FROM ${silver} GROUP BY gender;
COPY ${checked('stats_by_gender')} TO ${q(path.join(out, 'patient_stats_by_gender.parquet'))} (FORMAT parquet);
COPY (SELECT admission_date::TIMESTAMPTZ AS window_start, admission_date::TIMESTAMPTZ + INTERVAL 1 DAY AS window_end, diagnosis_description, count(*) AS admissions, avg(age) AS avg_age
      FROM ${silver} WHERE admission_date IS NOT NULL GROUP BY ALL) TO ${q(path.join(out, 'daily_admissions_by_diagnosis.parquet'))} (FORMAT parquet);
COPY (SELECT (admission_date - k::INTEGER)::TIMESTAMPTZ AS window_start, (admission_date - k::INTEGER)::TIMESTAMPTZ + INTERVAL 7 DAY AS window_end,
             count(*) AS admissions, avg(age) AS avg_age, count(DISTINCT patient_id) AS unique_patients
      FROM ${silver}, range(0, 7) AS days(k) WHERE admission_date IS NOT NULL GROUP BY ALL) TO ${q(path.join(out, 'admissions_rolling_7d.parquet'))} (FORMAT parquet);
`;
}

/** Child-process entry for the DuckDB side: `bench.js duck <input> <out>`. */
async function duckChild(input: string, out: string, mode: string): Promise<void> {
  fs.mkdirSync(out, { recursive: true });
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  const mapping = path.join(ROOT, 'data', 'diagnosis_mapping.csv');
  if (mode === 'gold-only') {
    await con.run(`SET TimeZone='UTC'; CREATE VIEW silver AS SELECT * FROM read_parquet('${path.join(out, 'patients_silver*.parquet')}');`);
    await con.run(duckGoldSql('silver', out));
  } else {
    // the peer's empty patients_history stands for the engine's only while there is no change feed to apply
    const feed = fs.readdirSync(input).filter((f) => f.startsWith('patient_updates'));
    if (feed.length) throw new Error(`the DuckDB peer does not apply change feeds; ${input} holds ${feed.length} (e.g. ${feed[0]})`);
    await con.run(duckPipelineSql(input, out, mapping));
  }
  process.stderr.write(`maxrss_kb=${process.resourceUsage().maxRSS}\n`);
}

function freshDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

async function replayBench(args: Args, input: string, rows: number) {
  const mb = csvBytes(input) / 1e6;
  const engine: Timed[] = [];
  const duck: Timed[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < args.runs; i++) {
    const o1 = freshDir('bench-engine-');
    const e = await timed([RUN_JS, 'replay', input, '--output', o1, '--log-level', 'silent']);
    fs.rmSync(o1, { recursive: true, force: true });
    const o2 = freshDir('bench-duck-');
    const d = await timed([fileURLToPath(import.meta.url), 'duck', input, o2, 'full']);
    fs.rmSync(o2, { recursive: true, force: true });
    engine.push(e); duck.push(d); ratios.push(e.seconds / d.seconds);
    log(`  replay run ${i + 1}: engine ${e.seconds.toFixed(2)} s (${e.rssMb.toFixed(0)} MB, GC ${e.gcMs.toFixed(0)} + ${e.workerGcMs.toFixed(0)} ms), DuckDB ${d.seconds.toFixed(2)} s (${d.rssMb.toFixed(0)} MB)`);
  }
  const es = median(engine.map((x) => x.seconds)), ds = median(duck.map((x) => x.seconds));
  return {
    rows, csv_mb: mb,
    engine: {
      seconds: es, rows_per_s: rows / es, mb_per_s: mb / es, peak_rss_mb: median(engine.map((x) => x.rssMb)),
      gc_ms: median(engine.map((x) => x.gcMs)), worker_gc_ms: median(engine.map((x) => x.workerGcMs)),
    },
    duckdb: { seconds: ds, rows_per_s: rows / ds, mb_per_s: mb / ds, peak_rss_mb: median(duck.map((x) => x.rssMb)) },
    ratio_engine_over_duckdb: median(ratios),
  };
}

/**
 * The scale line: the 5M-row and the 20M-row folders replayed one after the
 * other, each in a fresh process with every table written and checkpoints on.
 * Linear scaling within 10% is a 20M/5M time ratio of at most 4.4.
 */
async function scaleBench(small: string, smallRows: number, large: string, largeRows: number) {
  const one = async (input: string, rows: number) => {
    const o = freshDir('bench-scale-');
    log(`  scale: replaying ${rows / 1e6}M rows`);
    const t = await timed([RUN_JS, 'replay', input, '--output', o, '--log-level', 'silent']);
    fs.rmSync(o, { recursive: true, force: true });
    return { rows, seconds: t.seconds, rows_per_s: rows / t.seconds, peak_rss_mb: t.rssMb, gc_ms: t.gcMs, worker_gc_ms: t.workerGcMs };
  };
  const a = await one(small, smallRows);
  const b = await one(large, largeRows);
  return { small: a, large: b, time_ratio: b.seconds / a.seconds, rows_ratio: largeRows / smallRows };
}

/** A history replayed into its own output (a fresh process), then opened for incremental files. */
async function prepareIncremental(history: string, historyRows: number) {
  const work = freshDir('bench-incr-');
  const input = path.join(work, 'in');
  fs.mkdirSync(input);
  for (const f of fs.readdirSync(history)) if (f.endsWith('.csv')) fs.symlinkSync(path.join(history, f), path.join(input, f));
  const output = path.join(work, 'out');
  log(`  incremental @${historyRows / 1e6}M: replaying the history`);
  const historyRun = await timed([RUN_JS, 'replay', input, '--output', output, '--log-level', 'silent']);
  const historyCheckpointMb = dirSize(path.join(output, '_checkpoints')) / 1e6;
  const firstIndex = fs.readdirSync(history).filter((f) => f.startsWith('patients_daily_file_')).length;
  // threads as the CLI has them by default (a worker beside the main thread on 2+ cores)
  const { service } = await PipelineService.open({ pipeline: patientPipeline, input, output, threads: defaultThreads() });
  return { work, input, output, historyRows, historyRun, historyCheckpointMb, firstIndex, service, times: [] as number[], commitTimes: [] as number[] };
}
type Incremental = Awaited<ReturnType<typeof prepareIncremental>>;

/**
 * Times the same new 10k-row files on every prepared history, alternating
 * between them file by file (so a slower minute of the shared machine hits
 * both), the first files of each untimed (they warm the JIT up).
 */
async function timeIncremental(preps: Incremental[], samples: number): Promise<void> {
  // the stream goes on: the generator numbers new files after the longest history (new days, new
  // admissions, re-sends at the usual rate), not a copy of the first days again
  const extra = freshDir('bench-extra-');
  const after = path.join(extra, `patients_daily_file_${String(Math.max(...preps.map((p) => p.firstIndex)) - 1).padStart(6, '0')}.csv`);
  fs.writeFileSync(after, '');
  await generate({ out: extra, files: WARMUP_FILES + samples, rows: 10_000, everyMs: 0, seed: 7, log: null });
  fs.rmSync(after);
  const extraFiles = fs.readdirSync(extra).filter((f) => f.endsWith('.csv')).sort();
  for (const [k, f] of extraFiles.entries()) {
    const order = k % 2 === 0 ? preps : [...preps].reverse();
    for (const p of order) {
      fs.copyFileSync(path.join(extra, f), path.join(p.input, f));
      const t0 = process.hrtime.bigint();
      let committed = NaN;
      await p.service.runAvailableNow((_, plan) => { if (plan.files.length && Number.isNaN(committed)) committed = Number(process.hrtime.bigint() - t0) / 1e6; });
      if (k >= WARMUP_FILES) { p.times.push(Number(process.hrtime.bigint() - t0) / 1e6); p.commitTimes.push(committed); }
    }
  }
  fs.rmSync(extra, { recursive: true, force: true });
}

/** DuckDB on the same folder: (a) the whole pipeline again over every file; (b) gold only from silver Parquet. */
async function finishIncremental(p: Incremental) {
  const dOut = freshDir('bench-duck-incr-');
  const full = await timed([fileURLToPath(import.meta.url), 'duck', p.input, dOut, 'full']);
  const goldOnly = await timed([fileURLToPath(import.meta.url), 'duck', p.input, dOut, 'gold-only']);
  fs.rmSync(dOut, { recursive: true, force: true });
  const stateBytes = dirSize(path.join(p.output, '_checkpoints'));
  await p.service.close('COMPLETED');
  fs.rmSync(p.work, { recursive: true, force: true });
  const med = median(p.times);
  return {
    history_rows: p.historyRows, engine_ms: { median: med, p99: p99(p.times) },
    // the file's batch committed (its rows in every table), before the maintenance slot that follows it
    engine_commit_ms: { median: median(p.commitTimes), p99: p99(p.commitTimes) },
    duckdb_full_rerun_ms: full.seconds * 1000, duckdb_gold_only_ms: goldOnly.seconds * 1000,
    speedup_vs_full_rerun: (full.seconds * 1000) / med, speedup_vs_gold_only: (goldOnly.seconds * 1000) / med,
    checkpoint_mb: stateBytes / 1e6,
    history_replay: { seconds: p.historyRun.seconds, peak_rss_mb: p.historyRun.rssMb, gc_ms: p.historyRun.gcMs, worker_gc_ms: p.historyRun.workerGcMs, checkpoint_mb: p.historyCheckpointMb },
  };
}

function dirSize(dir: string): number {
  let n = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? dirSize(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).size;
  return n;
}

/**
 * Watch latency, rename → gold commit. `fresh`: the file's mtime is set to now
 * just before the rename (a file written a moment ago: the watcher waits the
 * stability time T); otherwise the file was written well before (taken at once).
 */
async function watchBench(samples: number, fresh: boolean) {
  const work = freshDir('bench-watch-');
  const input = path.join(work, 'in'), output = path.join(work, 'out'), staging = path.join(work, 'staging');
  fs.mkdirSync(input);
  await generate({ out: staging, files: samples, rows: 1000, everyMs: 0, seed: 5, log: null });
  const files = fs.readdirSync(staging).filter((f) => f.endsWith('.csv')).sort();
  const { service } = await PipelineService.open({ pipeline: patientPipeline, input, output, threads: defaultThreads() });
  const latencies: number[] = [];
  let sentAt = 0;
  let done: (() => void) | null = null;
  const watcher = new Watcher(service, {
    trigger: { kind: 'continuous' }, stabilityMs: 200,
    onBatch: (r) => { if (r.flows.get('patient_stats_by_diagnosis')?.status === 'COMPLETED' && done) { latencies.push(performance.now() - sentAt); const d = done; done = null; d(); } },
  });
  const running = watcher.run();
  await new Promise((r) => setTimeout(r, 500));
  for (const f of files) {
    const committed = new Promise<void>((r) => { done = r; });
    if (fresh) { const now = new Date(); fs.utimesSync(path.join(staging, f), now, now); }
    sentAt = performance.now();
    fs.renameSync(path.join(staging, f), path.join(input, f));
    await committed;
  }
  await watcher.stop();
  await running;
  await service.close('COMPLETED');
  fs.rmSync(work, { recursive: true, force: true });
  return { files: samples, rows_per_file: 1000, stability_ms: 200, fresh, median_ms: median(latencies), p99_ms: p99(latencies) };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === 'duck') return duckChild(argv[1], argv[2], argv[3]);
  if (argv.includes('--soak')) return (await import('./bench-soak.js')).soakBench(argv);
  const args = parse(argv);
  fs.mkdirSync(CACHE, { recursive: true });
  const scale = args.quick ? 0.1 : 1;
  const n1 = Math.round(100 * scale), n5 = Math.round(500 * scale), n20 = Math.round(2000 * scale);
  const results: Record<string, unknown> = {
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, mem_gb: Math.round(os.totalmem() / 2 ** 30), node: process.version, date: new Date().toISOString() },
  };
  const cdc = async () => {
    log('5. CDC: 10k-event files into AUTO CDC targets');
    results.cdc = await cdcBench(os.tmpdir(), { keys: Math.round(1_000_000 * scale), samples: args.quick ? 5 : 15, warmup: 2, log });
  };
  if (args.cdcOnly) {
    await cdc();
    fs.mkdirSync(path.dirname(args.out), { recursive: true });
    fs.writeFileSync(args.out, JSON.stringify(results, null, 2) + '\n');
    process.stdout.write(cdcReport(results.cdc as CdcBenchResult).join('\n') + '\n');
    return;
  }
  const d1 = await dataset(`data-${n1}x10k`, n1, 10_000);
  log('1. replay throughput');
  results.replay = await replayBench(args, d1, n1 * 10_000);
  log('2. incremental steady state');
  const preps = [await prepareIncremental(d1, n1 * 10_000)];
  if (!args.skip5m) preps.push(await prepareIncremental(await dataset(`data-${n5}x10k`, n5, 10_000), n5 * 10_000));
  await timeIncremental(preps, args.quick ? 5 : 20);
  const inc = [];
  for (const p of preps) inc.push(await finishIncremental(p));
  if (inc.length > 1) {
    // 4. memory: the replay of the 5M-row history (a fresh process, every table, checkpoints on)
    const i5 = inc[1];
    results.memory = { rows: n5 * 10_000, seconds: i5.history_replay.seconds, peak_rss_mb: i5.history_replay.peak_rss_mb, gc_ms: i5.history_replay.gc_ms, worker_gc_ms: i5.history_replay.worker_gc_ms, checkpoint_mb: i5.history_replay.checkpoint_mb };
  }
  results.incremental = inc;
  if (!args.skip20m) {
    log('6. scale: 20M rows against 5M');
    const d5 = await dataset(`data-${n5}x10k`, n5, 10_000);
    const d20 = await dataset(`data-${n20}x10k`, n20, 10_000);
    results.scale = await scaleBench(d5, n5 * 10_000, d20, n20 * 10_000);
  }
  log('3. watch latency');
  results.watch = [await watchBench(args.quick ? 10 : 30, true), await watchBench(args.quick ? 10 : 30, false)];
  if (!args.skipCdc) await cdc();
  fs.mkdirSync(path.dirname(args.out), { recursive: true });
  fs.writeFileSync(args.out, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(report(results) + '\n');
  log(`results written to ${args.out}`);
}

function report(r: Record<string, any>): string {
  const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  const lines = [`machine: ${r.machine.cpus} cores, ${r.machine.mem_gb} GB, ${r.machine.cpu}, Node ${r.machine.node}`, ''];
  const rp = r.replay;
  lines.push(`| replay of ${rp.rows.toLocaleString('en-US')} rows (${f(rp.csv_mb, 1)} MB CSV) | engine | DuckDB |`, '|---|---|---|');
  lines.push(`| wall time (median) | ${f(rp.engine.seconds)} s | ${f(rp.duckdb.seconds)} s |`);
  lines.push(`| rows/s | ${Math.round(rp.engine.rows_per_s).toLocaleString('en-US')} | ${Math.round(rp.duckdb.rows_per_s).toLocaleString('en-US')} |`);
  lines.push(`| MB/s of CSV | ${f(rp.engine.mb_per_s, 1)} | ${f(rp.duckdb.mb_per_s, 1)} |`);
  lines.push(`| peak RSS | ${f(rp.engine.peak_rss_mb, 0)} MB | ${f(rp.duckdb.peak_rss_mb, 0)} MB |`);
  lines.push(`| GC time, main thread + workers (perf_hooks 'gc') | ${f(rp.engine.gc_ms, 0)} + ${f(rp.engine.worker_gc_ms, 0)} ms | |`);
  lines.push(`| engine / DuckDB (median of paired runs) | ${f(rp.ratio_engine_over_duckdb)}× | |`, '');
  lines.push('| one new 10k-row file | engine median | engine p99 | its batch committed (median; p99) | DuckDB full re-run | DuckDB gold only | speed-up vs full | vs gold only |', '|---|---|---|---|---|---|---|---|');
  for (const i of r.incremental) lines.push(`| after ${i.history_rows / 1e6}M rows | ${f(i.engine_ms.median, 0)} ms | ${f(i.engine_ms.p99, 0)} ms | ${i.engine_commit_ms ? `${f(i.engine_commit_ms.median, 0)} ms; ${f(i.engine_commit_ms.p99, 0)} ms` : 'n/a'} | ${f(i.duckdb_full_rerun_ms, 0)} ms | ${f(i.duckdb_gold_only_ms, 0)} ms | ${f(i.speedup_vs_full_rerun, 1)}× | ${f(i.speedup_vs_gold_only, 1)}× |`);
  lines.push('', 'engine median: the whole run for the file (its batch, then the maintenance slot that follows each batch); its batch committed: until the file\'s rows are in every table');
  if (r.incremental.length > 1) lines.push('', `engine per-file time from ${r.incremental[0].history_rows / 1e6}M to ${r.incremental[1].history_rows / 1e6}M rows of history: ${f((r.incremental[1].engine_ms.median / r.incremental[0].engine_ms.median - 1) * 100, 0)}%`);
  lines.push('');
  for (const w of r.watch) lines.push(`watch latency (rename → gold commit, 1,000-row files, T = ${w.stability_ms} ms), ${w.fresh ? 'file written just before (waits T)' : 'file written earlier (taken at once)'}: median ${f(w.median_ms, 0)} ms, p99 ${f(w.p99_ms, 0)} ms`);
  if (r.memory) lines.push(`memory: replay of ${r.memory.rows / 1e6}M rows peaks at ${f(r.memory.peak_rss_mb, 0)} MB RSS (${f(r.memory.seconds, 1)} s, GC ${f(r.memory.gc_ms, 0)} + ${f(r.memory.worker_gc_ms, 0)} ms); checkpoint ${f(r.memory.checkpoint_mb, 1)} MB`);
  if (r.scale) {
    const s = r.scale;
    lines.push('', `| scale | rows | wall time | rows/s | peak RSS | GC (main + workers) |`, '|---|---|---|---|---|---|');
    for (const x of [s.small, s.large]) lines.push(`| replay | ${x.rows.toLocaleString('en-US')} | ${f(x.seconds, 1)} s | ${Math.round(x.rows_per_s).toLocaleString('en-US')} | ${f(x.peak_rss_mb, 0)} MB | ${f(x.gc_ms, 0)} + ${f(x.worker_gc_ms, 0)} ms |`);
    lines.push(`scale: ${s.large.rows / 1e6}M / ${s.small.rows / 1e6}M replay time ${f(s.time_ratio)} (rows ×${f(s.rows_ratio, 0)}; linear within 10%: ≤ ${f(s.rows_ratio * 1.1, 1)}), peak RSS of the ${s.large.rows / 1e6}M-row replay ${f(s.large.peak_rss_mb, 0)} MB`);
  }
  if (r.cdc) lines.push('', ...cdcReport(r.cdc));
  return lines.join('\n');
}

await main();
