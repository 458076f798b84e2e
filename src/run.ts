/**
 * The command line: `node dist/run.js <command> [options]`.
 *
 * Data goes to stdout; logs and progress go to stderr. Every error prints one
 * line with a stable code, where it happened and how to fix it; a stack trace
 * only with --verbose.
 */
import { defaultThreads, workerGc } from '../engine/runtime/workers.js';
import { setV8Flags } from '../engine/runtime/worker-share.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs, intOption, UsageError, type OptionSpec } from './cli/args.js';
import { PIPELINE_OPTIONS } from './cli/pipeline-options.js';
import type { LogLevel } from './cli/log.js';
import { isPipelineError, PipelineError, formatOriginForCli } from './cli/errors.js';
import type { BatchResult, Pipeline } from '../engine/index.js';
import type { Logger } from '../engine/runtime/service.js';
import type { PlannedBatch } from '../engine/runtime/runner.js';
import { generate, parseGenerateArgs, GENERATE_USAGE } from './generate/index.js';
import { printSummary, batchLine, type RunTotals, newTotals, addBatch } from './cli/summary.js';
import type { ServeSettings } from './dashboard/command.js';
import type { Dashboard } from './dashboard/server.js';

/**
 * The engine and the commands built on it, imported by loadEngine() on first
 * use: `generate` and help start without them (a few hundred ms of loading).
 */
async function importEngine() {
  const [engine, service, watch, log, pipelineModule, eventLog, inspect, sql, dashboard, purge, maintenance, validateSql] = await Promise.all([
    import('../engine/index.js'), import('../engine/runtime/service.js'), import('../engine/runtime/watch.js'), import('./cli/log.js'),
    import('./cli/pipeline-module.js'), import('../engine/events/event-log.js'), import('./cli/inspect.js'), import('./cli/sql-command.js'),
    import('./dashboard/command.js'), import('./cli/purge.js'), import('./cli/maintenance-command.js'), import('./cli/validate-sql.js'),
  ]);
  return { ...engine, ...service, ...watch, ...log, ...pipelineModule, ...eventLog, ...inspect, ...sql, ...dashboard, ...purge, ...maintenance, ...validateSql };
}
let E!: Awaited<ReturnType<typeof importEngine>>;
async function loadEngine(): Promise<void> {
  E ??= await importEngine();
}

const COMMON: Record<string, OptionSpec> = {
  ...PIPELINE_OPTIONS,
  'log-level': {},
  'log-format': {},
  verbose: { flag: true },
  redact: { flag: true },
  help: { flag: true, aliases: ['h'] },
};

/** Options of the commands that write an output folder (and hold its lock while they run). */
const WRITER: Record<string, OptionSpec> = {
  output: {},
  'force-unlock': { flag: true },
  threads: {},
};

/** --threads N (1 = everything on the main thread); default: a parsing worker beside it when there are 2+ cores. */
function threadsOption(values: Record<string, string>, command: string): number {
  return values.threads === undefined ? defaultThreads() : (intOption(values.threads, "threads", command, 1) ?? 1);
}

/** The lock paragraph of each writing command's --help. */
const LOCK_HELP = `One writer per output folder: the command holds <dir>/_lock.json (its PID, host,
command and start time) from before it reads the checkpoint until it stops. A second
writer on the same folder exits 2 at once with OUTPUT_LOCKED, naming the holder, and
writes nothing. A lock left by a process that no longer runs on this host (killed,
crashed) is taken over, with a warning. Readers (status, show, events) take no lock.`;

/** Exit code 2: the command did not start (bad usage, or another writer holds the output); nothing was written. */
const NOT_STARTED = new Set(['OUTPUT_LOCKED', 'PIPELINE_NOT_FOUND']);

/** Columns masked by --redact wherever a row is printed (and the running pipeline's columns tagged PHI). */
const IDENTIFYING = ['name', 'address', 'contact_number'];
let redactRows = false;
const taggedPhi = new Set<string>();

/** Remembers the columns the pipeline tags PHI, for --redact. */
function notePhi(pipeline: Pipeline): void {
  for (const d of pipeline.datasets) for (const c of E.taggedColumns('phi', d.def.properties, d.def.columnComments)) taggedPhi.add(c);
}

const HELP: Record<string, string> = {
  main: `localdlt: Delta Live Tables semantics, locally.

usage: node dist/run.js <command> [options]

commands:
  start       generate patient files into incoming/ every 2 minutes and run the pipeline on them (the demo)
  run         watch an input folder and process new files until stopped (Ctrl-C)
  replay      process every file of a folder once, then stop
  generate    write synthetic patient (and vitals) files
  train-risk  fit the deterioration model on a generated folder and print its held-out evaluation next to NEWS2
  validate    build and check the pipeline graph; write nothing
  graph       print the pipeline's datasets and dependencies
  sql         compile the pipeline to Databricks DLT SQL, Spark 4.1 pipelines or DuckDB SQL
  status      each table's rows, files, last update, expectation pass rates and watermark
  show        print a table's rows (aligned, --json or --csv), filtered with --where
  events      print the event log (<output>/system/events)
  ui          serve the live dashboard for an output folder (http://127.0.0.1:4040/)
  purge       erase keys from an AUTO CDC target (every row and version), keeping their tombstones
  optimize    compact the small data files of an output folder's tables
  vacuum      delete data files no version within the retention references

Run "node dist/run.js <command> --help" for the options of a command.`,
  replay: `usage: node dist/run.js replay <input-dir> --output <dir> [options]

Processes every file the pipeline's sources match in <input-dir> (resuming from
the checkpoint in <dir>), writes every table as a Delta table under
<dir>/tables/, prints a per-table summary and exits.

options:
  --output <dir>              where tables and checkpoints go (default output/)
  --input <dir>               the input folder (instead of the positional argument)
  --pipeline <path>           run this pipeline instead of the patient pipeline: a DLT SQL file or
                              notebook, a folder, spark-pipeline.yml, databricks.yml or a .js module
  --conf <key>=<value>        pipeline configuration (\${key} in SQL); repeatable
  --source <table>=<glob>[,format=csv|json][,schema=<DDL>]
                              bind a table the SQL reads but does not define to input files; repeatable
  --path-map <from>=<to>      rewrite a read_files/cloud_files path prefix; repeatable
  --target <name>             the databricks.yml target
  --max-files-per-trigger N   files per source per micro-batch (default 1000)
  --state-keys-in-memory N    keys a dedup or count-distinct table keeps in memory; the
                              rest spill to sorted runs under the checkpoint (default 262144)
  --full-refresh <t1,t2>      truncate these tables (and downstream streaming tables), reprocess all files
  --full-refresh-all          truncate every table and reset every checkpoint first
  --force-unlock              take the output's lock even if another host (or a running
                              process) holds it, with a warning: only when that writer is gone
  --threads N                 threads to use: 2 parses the next files on a worker while the
                              operators run (default on 2+ cores); 1 keeps everything on one
  --log-level <level>         debug, info, warn, error or silent (default info)
  --redact                    mask name, address, contact number and PHI-tagged columns in a printed offending row
  --verbose                   print stack traces with errors
  --ui                        serve the dashboard while replaying, and after it until Ctrl-C
                              (with --port N, --host, --token, --show-phi as for "ui")

${LOCK_HELP}

example:
  node dist/run.js replay data --output /tmp/out`,
  run: `usage: node dist/run.js run [options]

Watches the input folder and processes new files as micro-batches until you
press Ctrl-C (or send SIGTERM): the running batch finishes, then it exits 0.
The next start resumes from the checkpoint.

options:
  --input <dir>               folder to watch (default incoming/)
  --output <dir>              tables and checkpoints (default output/)
  --pipeline <path>           run this pipeline instead of the patient pipeline: a DLT SQL file or
                              notebook, a folder, spark-pipeline.yml, databricks.yml or a .js module
  --conf <key>=<value>        pipeline configuration (\${key} in SQL); repeatable
  --source <table>=<glob>[,format=csv|json][,schema=<DDL>]
                              bind a table the SQL reads but does not define to input files; repeatable
  --path-map <from>=<to>      rewrite a read_files/cloud_files path prefix; repeatable
  --target <name>             the databricks.yml target
  --trigger <t>               continuous (default: as soon as files are ready), a duration
                              ("2m", "15 minutes": one batch per interval), once, available-now
  --stability <duration>      wait until a new file stopped changing for this long (default 200ms)
  --max-files-per-trigger N   files per source per micro-batch (default 1000)
  --state-keys-in-memory N    keys a key table keeps in memory before spilling (default 262144)
  --full-refresh <t1,t2> | --full-refresh-all
  --force-unlock              take the output's lock even if another host (or a running
                              process) holds it, with a warning: only when that writer is gone
  --threads N                 2 (default on 2+ cores): parse on a worker thread; 1: one thread
  --log-level <level>
  --ui                        serve the dashboard from this process (with --port N, --host,
                              --token, --show-phi as for "ui")

${LOCK_HELP}

example:
  node dist/run.js run --input incoming --output output --trigger 2m --ui`,
  start: `usage: npm start   (node dist/run.js start [options])

The demo: writes a synthetic patient file and a vitals file into incoming/ now
and every 2 minutes (as the original data generator does), runs the pipeline in
watch mode over incoming/, storing tables under output/, and serves the live
dashboard (prints "listening on http://127.0.0.1:4040/"), until Ctrl-C.

options:
  --input <dir>      (default incoming/)     --output <dir>   (default output/)
  --every <duration> generator interval (default 2m)
  --rows N           rows per generated file (default 100)
  --seed S           generator seed (default 42)
  --force-unlock     take the output's lock even if another host (or a running process)
                     holds it, with a warning: only when that writer is gone
  --port N           dashboard port (default 4040; a free one when 4040 is taken)
  --host, --token, --show-phi   as for "ui"
  --no-ui            no dashboard
  and the options of "run" (--trigger, --pipeline, --full-refresh, …)

${LOCK_HELP}

example:
  node dist/run.js start --every 30s`,
  generate: `${GENERATE_USAGE}

Writes patients_daily_file_NNNNNN.csv files (and vitals_NNNNNN.csv with --vitals,
patient_updates_NNNNNN.csv and updates_ground_truth.json with --updates) plus
ground_truth.json into --out. See README "Synthetic data".

example:
  node dist/run.js generate --out /tmp/gen --files 10 --rows 1000 --every 0 --scenario dirty`,
  'train-risk': `usage: node dist/run.js train-risk --input <dir> [--out layers/models/risk.json] [--seed <s>] [--steps N]

Fits the deterioration model of patient_risk (logistic regression, ml-logistic-regression) on a folder written by
  node dist/run.js generate --scenario vitals-deterioration --every 0 --files N --out <dir>
labelled by its ground_truth.json (a threshold alert within the next 4 hours), with a held-out split by patient
(--seed, default "risk"; 70% train), and writes the artefact (data: means, sd, weights, intercept, threshold and
the evaluation). Prints AUROC, AUPRC, sensitivity, false alerts per patient-day and median lead times for the
model and for NEWS2 alone. Synthetic data only: not clinically validated, not for clinical decisions.`,
  validate: `usage: node dist/run.js validate [--pipeline <path>] [--conf k=v] [--source t=glob] [--path-map a=b] [--input <dir>]

Builds and checks the pipeline graph (names, references, columns, types, cycles)
and writes nothing. Exits 0 when the pipeline is valid.

example:
  node dist/run.js validate --pipeline my-pipeline.js`,
  purge: `usage: node dist/run.js purge --output <dir> --table <t> --key <value>[,<value>...] [options]

Erasure (a patient's right to be forgotten): removes every row and every history
version of the keys from an AUTO CDC target, in one Delta commit, and keeps a
tombstone per key at its last sequence, so that replaying the change feed (or
a re-sent file) does not bring them back; a later event does. Materialized
views reading the table are recomputed. The purge is an event in the event log
(the keys as hashes). A --full-refresh of the table forgets the tombstones.

options:
  --output <dir>          the output folder (default output/)
  --table <t>             the AUTO CDC target (e.g. patients_current, patients_history)
  --key <v>[,<v>...]      key values, comma-separated (may be repeated); for a key of
                          several columns, one value per column joined with "|"
  --pipeline <module.js>  the pipeline module that wrote the folder (default: the patient pipeline)
  --force-unlock, --log-level <level>

${LOCK_HELP}

example:
  node dist/run.js purge --output output --table patients_history --key P0042`,
  graph: `usage: node dist/run.js graph [--pipeline <path>] [--format text|mermaid|dot]

Prints the pipeline's datasets in execution order with their inputs.

example:
  node dist/run.js graph --format mermaid`,
};

function helpOf(command: string): string {
  if (command === 'sql') return E.SQL_HELP;
  if (command === 'ui') return E.UI_HELP;
  if (command === 'optimize' || command === 'vacuum') return E.MAINTENANCE_HELP[command];
  return HELP[command] ?? (E.INSPECT_HELP as Record<string, string>)[command] ?? HELP.main;
}

function makeLogger(values: Record<string, string>): Logger {
  const level = (values['log-level'] ?? 'info') as LogLevel;
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(level)) throw new UsageError(`--log-level must be debug, info, warn, error or silent, got "${level}"`);
  const format = (values['log-format'] ?? 'auto') as 'auto' | 'json' | 'pretty';
  if (!['auto', 'json', 'pretty'].includes(format)) throw new UsageError(`--log-format must be auto, json or pretty, got "${format}"`);
  return E.createLogger(level, format);
}

function requireFolder(dir: string, what: string): void {
  let st: fs.Stats;
  try { st = fs.statSync(dir); } catch { throw new UsageError(`${what} folder ${dir} does not exist`); }
  if (!st.isDirectory()) throw new UsageError(`${what} ${dir} is not a folder`);
}

function refreshOptions(values: Record<string, string>, flags: Set<string>) {
  const fullRefresh = values['full-refresh']?.split(',').map((s) => s.trim()).filter(Boolean);
  if (fullRefresh && flags.has('full-refresh-all')) throw new UsageError('--full-refresh and --full-refresh-all cannot be combined');
  return { fullRefresh, fullRefreshAll: flags.has('full-refresh-all') };
}

/** Servers to close when a command ends, however it ends (a failed start must not leave the process listening). */
const openDashboards: Dashboard[] = [];

async function serveFor(output: string, s: ServeSettings, pipeline?: Pipeline): Promise<Dashboard> {
  const d = await E.serveDashboard(output, s, pipeline);
  openDashboards.push(d);
  return d;
}

/** The dashboard settings of run/replay (--ui) and start (unless --no-ui); null when there is no dashboard. */
function uiOf(a: { values: Record<string, string>; flags: Set<string> }, command: string, byDefault: boolean): ServeSettings | null {
  const on = byDefault ? !a.flags.has('no-ui') : a.flags.has('ui');
  if (!on) {
    const stray = ['port', 'host', 'token', 'show-phi'].find((o) => o in a.values || a.flags.has(o));
    if (stray) throw new UsageError(`${command}: --${stray} configures the dashboard; ${byDefault ? 'drop --no-ui' : 'add --ui'}`);
    return null;
  }
  return E.serveSettings(a.values, a.flags, command);
}

async function cmdReplay(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { ...COMMON, ...WRITER, ...E.SERVE_OPTIONS, ui: { flag: true }, input: {}, 'max-files-per-trigger': {}, 'state-keys-in-memory': {}, 'full-refresh': {}, 'full-refresh-all': { flag: true } }, 'replay');
  if (a.flags.has('help')) { process.stdout.write(helpOf('replay') + '\n'); return 0; }
  if (a.positionals.length > 1) throw new UsageError(`replay: unexpected argument "${a.positionals[1]}"`);
  const input = a.positionals[0] ?? a.values.input;
  if (a.positionals[0] && a.values.input) throw new UsageError('replay: give the input folder once (positional or --input)');
  if (!input) throw new UsageError('replay: missing <input-dir> (usage: replay <input-dir> --output <dir>)');
  requireFolder(input, 'input');
  const output = a.values.output ?? 'output';
  const logger = makeLogger(a.values);
  const ui = uiOf(a, 'replay', false);
  const pipeline = await E.loadPipeline(a.values.pipeline, a, input);
  notePhi(pipeline);
  const dashboard = ui ? await serveFor(output, ui, a.values.pipeline !== undefined ? pipeline : undefined) : null;
  const totals = newTotals();
  const started = Date.now();
  const { service, report } = await E.PipelineService.open({
    pipeline, input, output, logger, maxFilesPerTrigger: intOption(a.values['max-files-per-trigger'], 'max-files-per-trigger', 'replay', 1),
    stateKeysInMemory: intOption(a.values['state-keys-in-memory'], 'state-keys-in-memory', 'replay', 1),
    ...refreshOptions(a.values, a.flags), command: 'replay', forceUnlock: a.flags.has('force-unlock'), threads: threadsOption(a.values, 'replay'),
    events: new E.EventLog(output, { logger, command: 'replay', trigger: 'available-now' }),
  });
  if (report.indexedFiles) logger.info({ files: report.indexedFiles }, 'files already ingested are skipped');
  if (report.resumedBatch !== null) logger.info({ batch: report.resumedBatch }, 'resuming an interrupted batch');
  const results = await service.runAvailableNow((r, plan) => {
    addBatch(totals, r, plan);
    logger.info({ batch: r.batchId, files: plan.files.length, rows: totals.lastBatchRows }, 'batch committed');
    dashboard?.notify();
  }).catch(async (e: unknown) => { await service.close('FAILED', e); await dashboard?.close(); throw e; });
  const failure = results.find((r) => r.failure)?.failure ?? null;
  await service.close(failure ? 'FAILED' : 'COMPLETED', failure ?? undefined);
  printSummary(process.stdout, service.graph, totals, { seconds: (Date.now() - started) / 1000, skippedFiles: report.indexedFiles, output });
  if (failure) printError(failure, a.flags.has('verbose'));
  if (dashboard) {
    dashboard.notify();
    process.stderr.write(`replay finished; the dashboard stays at ${dashboard.url} until Ctrl-C\n`);
    await E.untilStopped();
    await dashboard.close();
  }
  return failure ? 1 : 0;
}

async function cmdRun(argv: string[], extra?: { generator?: { every: string; rows?: string; seed?: string } }): Promise<number> {
  const a = parseArgs(argv, { ...COMMON, ...WRITER, ...E.SERVE_OPTIONS, ...(extra ? { 'no-ui': { flag: true } } : { ui: { flag: true } }), input: {}, trigger: {}, stability: {}, 'max-files-per-trigger': {}, 'state-keys-in-memory': {}, 'full-refresh': {}, 'full-refresh-all': { flag: true }, every: {}, rows: {}, seed: {} }, extra ? 'start' : 'run');
  const command = extra ? 'start' : 'run';
  // signals are handled from the start: a stop during startup still exits 0 after the current step
  let signals = 0;
  let stopWatcher: (() => void) | null = null;
  const onSignal = (sig: string) => {
    signals++;
    if (signals > 1) { process.stderr.write(`second ${sig}: abandoning the running batch; it will be re-run on the next start\n`); process.exit(130); }
    process.stderr.write(`${sig}: stopping after the running batch\n`);
    stopWatcher?.();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  if (a.flags.has('help')) { process.stdout.write(helpOf(command) + '\n'); return 0; }
  if (a.positionals.length) throw new UsageError(`${command}: unexpected argument "${a.positionals[0]}"`);
  if (!extra && (a.values.every || a.values.rows || a.values.seed)) throw new UsageError(`run: --every, --rows and --seed belong to "start" and "generate"`);
  const input = a.values.input ?? 'incoming';
  const output = a.values.output ?? 'output';
  const logger = makeLogger(a.values);
  const trigger = E.parseTrigger(a.values.trigger, (s) => E.parseDurationMs(s, '--trigger'));
  const stabilityMs = a.values.stability !== undefined ? E.parseDurationMs(a.values.stability, '--stability') : 200;
  fs.mkdirSync(input, { recursive: true });
  const ui = uiOf(a, command, extra !== undefined);
  const pipeline = await E.loadPipeline(a.values.pipeline, a, input);
  notePhi(pipeline);
  let dashboard: Dashboard | null = null;
  if (ui) {
    const own = a.values.pipeline !== undefined ? pipeline : undefined;
    try {
      dashboard = await serveFor(output, ui, own);
    } catch (e) {
      // the demo takes a free port when the default one is busy
      if (!(extra && a.values.port === undefined && (e as UsageError).code === 'UI_PORT_IN_USE')) throw e;
      logger.warn({ port: ui.port }, 'the dashboard port is in use; taking a free one');
      dashboard = await serveFor(output, { ...ui, port: 0 }, own);
    }
  }
  const { service, report } = await E.PipelineService.open({
    pipeline, input, output, logger, maxFilesPerTrigger: intOption(a.values['max-files-per-trigger'], 'max-files-per-trigger', command, 1),
    stateKeysInMemory: intOption(a.values['state-keys-in-memory'], 'state-keys-in-memory', command, 1),
    ...refreshOptions(a.values, a.flags), command, forceUnlock: a.flags.has('force-unlock'), threads: threadsOption(a.values, command),
    events: new E.EventLog(output, { logger, command, trigger: a.values.trigger ?? 'continuous' }),
  });
  logger.info({ input: path.resolve(input), output: path.resolve(output), trigger: a.values.trigger ?? 'continuous', skipped_files: report.indexedFiles }, 'watching for new files (Ctrl-C to stop)');
  const totals = newTotals();
  const watcher = new E.Watcher(service, {
    trigger, stabilityMs,
    onBatch: (r: BatchResult, plan: PlannedBatch) => {
      addBatch(totals, r, plan);
      process.stderr.write(batchLine(service.graph, r, plan, totals) + '\n');
      dashboard?.notify();
    },
  });
  const gen = new AbortController();
  let genDone: Promise<unknown> = Promise.resolve();
  if (extra?.generator && signals === 0) {
    // vitals too (some patients deteriorate), so the dashboard's alerts page has data
    const opts = parseGenerateArgs(['--out', input, '--every', extra.generator.every, '--scenario', 'vitals-deterioration', ...(extra.generator.rows ? ['--rows', extra.generator.rows] : []), ...(extra.generator.seed ? ['--seed', extra.generator.seed] : [])]);
    genDone = generate({ ...opts, log: (line) => logger.info({ generator: true }, line) }, gen.signal).catch((e) => logger.error({ error: String(e) }, 'generator stopped'));
  }
  if (signals > 0) void watcher.stop();
  stopWatcher = () => { gen.abort(); void watcher.stop(); };
  const res = await watcher.run().catch(async (e: unknown) => { await service.close('FAILED', e); await dashboard?.close(); throw e; });
  gen.abort();
  await genDone;
  await service.close(res.failure?.failure ? 'FAILED' : signals > 0 ? 'CANCELED' : 'COMPLETED', res.failure?.failure ?? undefined);
  await dashboard?.close();
  if (res.failure?.failure) { printError(res.failure.failure, a.flags.has('verbose')); return 1; }
  logger.info({ batches: res.batches }, 'stopped');
  return 0;
}

async function cmdPurge(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { ...COMMON, ...WRITER, table: {}, key: { repeat: true } }, 'purge');
  if (a.flags.has('help')) { process.stdout.write(helpOf('purge') + '\n'); return 0; }
  if (a.positionals.length) throw new UsageError(`purge: unexpected argument "${a.positionals[0]}"`);
  const output = a.values.output ?? 'output';
  requireFolder(output, 'output');
  const table = a.values.table;
  if (!table) throw new UsageError('purge: missing --table <t> (the AUTO CDC target)');
  const keyTexts = (a.values.key ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  if (!keyTexts.length) throw new UsageError('purge: missing --key <value>[,<value>...]');
  const logger = makeLogger(a.values);
  const pipeline = await E.loadPipeline(a.values.pipeline, a, a.values.input);
  const report = await E.purgeKeys({ pipeline, output, table, keys: keyTexts, logger, forceUnlock: a.flags.has('force-unlock') });
  process.stdout.write(`purged ${report.keys.length - report.missing} of ${report.keys.length} key${report.keys.length === 1 ? '' : 's'} from ${table}: ${report.rowsRemoved} row${report.rowsRemoved === 1 ? '' : 's'} removed (Delta version ${report.version})${report.missing ? `; ${report.missing} key${report.missing === 1 ? '' : 's'} not found` : ''}\n`);
  return 0;
}

async function cmdTrainRisk(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) { process.stdout.write(helpOf('train-risk') + '\n'); return 0; }
  const input = valueOf(argv, '--input');
  if (!input) throw new UsageError('train-risk: missing --input <dir> (a folder written with --scenario vitals-deterioration)');
  const out = valueOf(argv, '--out') ?? path.join('layers', 'models', 'risk.json');
  const steps = Number(valueOf(argv, '--steps') ?? 400);
  if (!Number.isInteger(steps) || steps < 1) throw new UsageError('train-risk: --steps must be a positive integer');
  const { trainRisk, evaluationTable, NOTICE } = await import('./risk/train.js');
  const r = await trainRisk({ input, seed: valueOf(argv, '--seed') ?? 'risk', steps, trainShare: 0.7 });
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(r.model, null, 2) + '\n');
  process.stdout.write(`${evaluationTable(r.model_metrics, r.news2_metrics, r.model.threshold)}\n\n${NOTICE}\n`);
  process.stderr.write(`train-risk: wrote ${out} (${(r.model.training as { train_windows: number }).train_windows} training windows)\n`);
  return 0;
}

async function cmdGenerate(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) { process.stdout.write(helpOf('generate') + '\n'); return 0; }
  let opts;
  try { opts = parseGenerateArgs(argv); } catch (e) { throw new UsageError((e as Error).message); }
  const ac = new AbortController();
  process.on('SIGINT', () => ac.abort());
  process.on('SIGTERM', () => ac.abort());
  // timed from the process start (performance.timeOrigin): the printed rate includes start-up
  const s = await generate({ ...opts, timedFrom: 0 }, ac.signal);
  process.stderr.write(`generated ${s.filesWritten} patient files (${s.rows} rows)${s.vitalsFilesWritten ? `, ${s.vitalsFilesWritten} vitals files (${s.vitalsRows} rows)` : ''}${s.updatesFilesWritten ? `, ${s.updatesFilesWritten} update files (${s.updateRows} rows)` : ''} in ${s.outDir} in ${(s.elapsedMs / 1000).toFixed(2)} s since the process started, ${Math.round(s.rowsPerSecond).toLocaleString('en-US')} rows/s\n`);
  return 0;
}

async function cmdValidate(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { ...COMMON, input: {} }, 'validate');
  if (a.flags.has('help')) { process.stdout.write(helpOf('validate') + '\n'); return 0; }
  if (a.values.pipeline !== undefined) return E.validateSql(a);
  const g = E.buildGraph(await E.loadPipeline(a.values.pipeline, a, a.values.input));
  process.stdout.write(`valid: ${g.order.length} datasets (${[...g.datasets.values()].filter((d) => d.persisted).length} persisted)\n`);
  return 0;
}

async function cmdGraph(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { ...COMMON, format: {}, input: {} }, 'graph');
  if (a.flags.has('help')) { process.stdout.write(helpOf('graph') + '\n'); return 0; }
  const g = E.buildGraph(E.withInferredSchemas(await E.loadPipeline(a.values.pipeline, a, a.values.input), a.values.input));
  const format = a.values.format ?? 'text';
  const lines: string[] = [];
  if (format === 'mermaid') {
    lines.push('graph LR');
    for (const n of g.order) {
      const d = g.datasets.get(n)!;
      const shape = d.kind === 'materialized_view' ? `[(${n})]` : d.kind === 'view' ? `[/${n}/]` : `[${n}]`;
      lines.push(`  ${n}${shape}`);
      for (const i of d.inputs) lines.push(`  ${i.dataset} ${i.streaming ? '==>' : '-->'} ${n}`);
    }
  } else if (format === 'dot') {
    lines.push('digraph pipeline {', '  rankdir=LR;');
    for (const n of g.order) {
      const d = g.datasets.get(n)!;
      lines.push(`  ${n} [shape=${d.kind === 'materialized_view' ? 'cylinder' : d.kind === 'view' ? 'note' : 'box'}];`);
      for (const i of d.inputs) lines.push(`  ${i.dataset} -> ${n}${i.streaming ? ' [style=bold]' : ''};`);
    }
    lines.push('}');
  } else if (format === 'text') {
    for (const n of g.order) {
      const d = g.datasets.get(n)!;
      const quality = d.def.properties.quality ? ` ${d.def.properties.quality}` : '';
      const ins = d.inputs.map((i) => (i.streaming ? `STREAM(${i.dataset})` : i.dataset)).join(', ');
      const refresh = d.refresh ? `, ${d.refresh.mode === 'incremental' ? 'incremental' : `recompute: ${d.refresh.reason}`}` : '';
      lines.push(`${n}  [${d.kind.replace('_', ' ')}${quality}${refresh}]${ins ? `  <- ${ins}` : ''}`);
    }
  } else throw new UsageError(`graph: --format must be text, mermaid or dot, got "${format}"`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

function printError(e: unknown, verbose: boolean): void {
  if (e instanceof UsageError) {
    process.stderr.write(`error ${e.code}: ${e.message}\n`);
    return;
  }
  if (isPipelineError(e) && e.code === 'SQL_UNSUPPORTED') {
    // one line a script can read: SQL_UNSUPPORTED <file>:<line>:<col> <construct>
    const p = e.params as Record<string, unknown>;
    const file = (p.file as string | undefined) ?? e.origin?.file ?? '-';
    process.stderr.write(`SQL_UNSUPPORTED ${file}:${p.line ?? e.origin?.line ?? 0}:${p.col ?? e.origin?.col ?? 0} ${String(p.construct ?? e.message)}\n`);
    return;
  }
  if (isPipelineError(e)) {
    const p = e as PipelineError;
    const first = p.message.split('\n')[0];
    process.stderr.write(`error ${first.startsWith(p.code) ? first : `${p.code}: ${first}`}\n`);
    const where = formatOriginForCli(p);
    if (where && !first.includes('[at ')) process.stderr.write(`  at ${where}\n`);
    if (p.code === 'EXPECTATION_FAILED' && p.params.row) {
      const row = { ...(p.params.row as Record<string, unknown>) };
      if (redactRows) for (const k of [...IDENTIFYING, ...taggedPhi]) if (row[k] !== null && row[k] !== undefined) row[k] = '***';
      process.stderr.write(`  offending row: ${JSON.stringify(row)}\n`);
    }
    if (p.hint) process.stderr.write(`  hint: ${p.hint}\n`);
    if (verbose && p.stack) process.stderr.write(p.stack + '\n');
    return;
  }
  const err = e as Error;
  process.stderr.write(`error INTERNAL_ERROR: ${err?.message ?? String(e)} (this is a bug; please report it${verbose ? '' : ', with --verbose output'})\n`);
  if (verbose && err?.stack) process.stderr.write(err.stack + '\n');
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const verbose = rest.includes('--verbose');
  redactRows = rest.includes('--redact');
  try {
    if (command !== 'generate' && !(['help', '--help', '-h', undefined].includes(command) && HELP[rest[0] ?? 'main'])) await loadEngine();
    switch (command) {
      case undefined: case 'help': case '--help': case '-h':
        process.stdout.write(helpOf(rest[0] ?? 'main') + '\n');
        return command === undefined ? 2 : 0;
      case 'replay': return await cmdReplay(rest);
      case 'run': return await cmdRun(rest);
      case 'start': {
        const every = valueOf(rest, '--every') ?? '2m';
        return await cmdRun(rest, { generator: { every, rows: valueOf(rest, '--rows'), seed: valueOf(rest, '--seed') } });
      }
      case 'generate': return await cmdGenerate(rest);
      case 'train-risk': return await cmdTrainRisk(rest);
      case 'validate': return await cmdValidate(rest);
      case 'graph': return await cmdGraph(rest);
      case 'status': return await E.cmdStatus(rest);
      case 'show': return await E.cmdShow(rest);
      case 'events': return await E.cmdEvents(rest);
      case 'sql': return await E.cmdSql(rest);
      case 'ui': return await E.cmdUi(rest);
      case 'purge': return await cmdPurge(rest);
      case 'optimize': return await E.cmdOptimize(rest);
      case 'vacuum': return await E.cmdVacuum(rest);
      default:
        throw new UsageError(`unknown command "${command}" (commands: start, run, replay, generate, train-risk, sql, validate, graph, status, show, events, ui, purge, optimize, vacuum; see --help)`);
    }
  } catch (e) {
    printError(e, verbose);
    return e instanceof UsageError || (isPipelineError(e) && NOT_STARTED.has(e.code)) ? 2 : 1;
  } finally {
    for (const d of openDashboards.splice(0)) await d.close();
  }
}

function valueOf(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith(name + '='));
  return eq?.slice(name.length + 1);
}

/**
 * V8 grows the heap up to 4× its live size between full collections when a
 * program allocates fast, as a replay does (short-lived column strings): a
 * 5M-row replay peaked at 572 MB RSS, 265 MB of it JS heap, mostly garbage.
 * A growing factor of 1.3 collects sooner: 405 MB for the same replay, at
 * about the same speed (see the README's Performance section).
 * LOCALDLT_HEAP_GROWING_PERCENT overrides it (0: V8's own heuristics).
 */
const growing = Number(process.env.LOCALDLT_HEAP_GROWING_PERCENT ?? 30);
// through setV8Flags: a worker thread's start resets flags set at run time, so each worker sets it again
if (Number.isInteger(growing) && growing > 0) setV8Flags(`--heap-growing-percent=${growing}`);

// the benchmark reads the peak memory and the main thread's garbage-collection time of a run from here
// (perf_hooks 'gc' entries: every pause of this thread's collector, scavenges and full collections)
const gcTotals = { ms: 0, count: 0 };
if (process.env.LOCALDLT_REPORT_RSS) {
  const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) { gcTotals.ms += e.duration; gcTotals.count++; } });
  obs.observe({ entryTypes: ['gc'] });
  process.on('exit', () => {
    for (const e of (obs as { takeRecords?: () => { duration: number }[] }).takeRecords?.() ?? []) { gcTotals.ms += e.duration; gcTotals.count++; }
    process.stderr.write(`maxrss_kb=${process.resourceUsage().maxRSS} gc_ms=${gcTotals.ms.toFixed(1)} gc_count=${gcTotals.count} worker_gc_ms=${workerGc.ms.toFixed(1)}\n`);
  });
}
const code = await main(process.argv.slice(2));
process.exitCode = code;
