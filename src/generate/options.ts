/** The generator's options: the command-line arguments, their defaults and checks. */
import { parseDurationMs } from '../../engine/duration.js';
import { SCENARIOS, type ScenarioName } from './catalog.js';
import { DAY_MS } from './dates.js';

export interface GenerateOptions {
  /** Output folder (created if missing). */
  out: string;
  /** Pause between files in ms (default 120000 = 2 minutes); 0 writes back to back. */
  everyMs?: number;
  /** Number of patients files to write in this invocation (default: until the signal aborts). */
  files?: number;
  /** Data rows per patients file (default 100). */
  rows?: number;
  /** PRNG seed (default 42); numbers and strings are hashed as their decimal/text form. */
  seed?: number | string;
  /** Scenarios (default ['baseline']); baseline is always the base. */
  scenarios?: ScenarioName[];
  /** Simulated start date `YYYY-MM-DD` or ISO timestamp (default 2024-01-01, UTC). */
  start?: string;
  /** Simulated time covered by one file in ms (default 1 day). File n covers [start + n*step, start + (n+1)*step). */
  simStepMs?: number;
  /** Also write vitals_NNNNNN.csv (implied by the vitals-deterioration scenario). */
  vitals?: boolean;
  /** Also write patient_updates_NNNNNN.csv and updates_ground_truth.json (see updates.ts). */
  updates?: boolean;
  /** Rows per updates file (default a tenth of `rows`, at least 1). */
  updateRows?: number;
  /** Share of late / out-of-order rows (default 0.02). */
  lateRate?: number;
  /** Share of rows with injected problems (default 0.05, or 0.30 with the dirty scenario). */
  dirtyRate?: number;
  /** Progress sink (default: a line per file on stderr); null for silence. */
  log?: ((line: string) => void) | null;
  /**
   * The `performance.now()` time from which `elapsedMs` and `rowsPerSecond`
   * are measured (default: the call of generate). The CLI passes 0, the
   * process start, so that the rate it prints includes start-up.
   */
  timedFrom?: number;
}

export interface GenerateSummary {
  outDir: string;
  groundTruthPath: string;
  /** Index of the first / last patients file written by this invocation (null when none). */
  firstIndex: number | null;
  lastIndex: number | null;
  /** Names of the files written (patients and vitals), in order. */
  files: string[];
  filesWritten: number;
  vitalsFilesWritten: number;
  rows: number;
  vitalsRows: number;
  /** Rows (written in this invocation) per kind of injected problem. */
  problems: Record<string, number>;
  vitalsProblems: Record<string, number>;
  /** Files per file-level problem (crlf_line_endings, insurance_id_column_added, ...). */
  fileProblems: Record<string, number>;
  quarantined: number;
  dedupDropped: number;
  silverRows: number;
  warnings: Record<string, number>;
  vitalsQuarantined: number;
  alerts: Record<string, number>;
  updatesFilesWritten: number;
  /** Lines written to updates files, and how many of them go to quarantine. */
  updateRows: number;
  updatesQuarantined: number;
  /** `updates_ground_truth.json`, when --updates. */
  updatesGroundTruthPath: string | null;
  scenarios: ScenarioName[];
  scenarioParams: ScenarioParams;
  aborted: boolean;
  /** Files were rendered on a second thread (see render.ts). */
  renderThread: boolean;
  elapsedMs: number;
  rowsPerSecond: number;
}

export interface ScenarioParams {
  outbreak?: { diagnosis: string; first_file: number; last_file: number; factors: number[] };
  schema_drift?: { insurance_id_from: number; contact_number_missing_from: number; mmddyyyy_from: number };
  flu_season?: { diagnoses: string[]; peak: string; max_factor: number };
}

export const GENERATE_USAGE = 'usage: generate --out <dir> [--every <duration>] [--files N] [--rows N] [--seed S] '
  + '[--scenario <name>[,<name>...]] [--start <date>] [--sim-step <duration>] [--vitals] [--updates] [--update-rows N] [--late-rate R] [--dirty-rate R]';

const DEFAULT_EVERY_MS = 120_000;
const DEFAULT_ROWS = 100;
const DEFAULT_SEED = 42;
const DEFAULT_START = '2024-01-01';
const DEFAULT_LATE_RATE = 0.02;
const DEFAULT_DIRTY_RATE = 0.05;
const DIRTY_SCENARIO_RATE = 0.3;

/** Parses the arguments after `generate`; throws an Error with a one-line message on bad usage. */
export function parseGenerateArgs(argv: string[]): GenerateOptions {
  const args = argv[0] === 'generate' ? argv.slice(1) : argv.slice();
  const o: Partial<GenerateOptions> = {};
  const seen = new Set<string>();
  const fail = (msg: string): never => { throw new Error(`generate: ${msg}`); };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) fail(`unexpected argument "${a}" (${GENERATE_USAGE})`);
    let name = a.slice(2);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) { value = name.slice(eq + 1); name = name.slice(0, eq); }
    if (seen.has(name)) fail(`--${name} given twice`);
    seen.add(name);
    if (name === 'vitals' || name === 'updates') {
      if (value !== undefined && value !== 'true' && value !== 'false') fail(`--${name} takes no value`);
      o[name] = value !== 'false';
      continue;
    }
    const KNOWN = ['out', 'every', 'files', 'rows', 'seed', 'scenario', 'start', 'sim-step', 'late-rate', 'dirty-rate', 'update-rows'];
    if (!KNOWN.includes(name)) fail(`unknown option --${name} (${GENERATE_USAGE})`);
    if (value === undefined) {
      if (i + 1 >= args.length || (args[i + 1].startsWith('--') && args[i + 1].length > 2)) fail(`--${name} needs a value`);
      value = args[++i];
    }
    const v: string = value;
    switch (name) {
      case 'out': if (v.trim() === '') fail('--out needs a folder'); o.out = v; break;
      case 'every': o.everyMs = durationArg('--every', v); break;
      case 'sim-step': o.simStepMs = durationArg('--sim-step', v); break;
      case 'files': o.files = intArg('--files', v, 1); break;
      case 'rows': o.rows = intArg('--rows', v, 0); break;
      case 'update-rows': o.updateRows = intArg('--update-rows', v, 0); break;
      case 'seed': if (v.trim() === '') fail('--seed needs a value'); o.seed = /^\d+$/.test(v) ? Number(v) : v; break;
      case 'scenario': o.scenarios = scenariosArg(v); break;
      case 'start': startMs(v); o.start = v; break;
      case 'late-rate': o.lateRate = rateArg('--late-rate', v); break;
      case 'dirty-rate': o.dirtyRate = rateArg('--dirty-rate', v); break;
    }
  }
  if (o.out === undefined) fail(`--out <dir> is required (${GENERATE_USAGE})`);
  return o as GenerateOptions;
}

function durationArg(flag: string, v: string): number {
  let ms: number;
  try {
    ms = parseDurationMs(v, flag);
  } catch (e) {
    throw new Error(`generate: ${flag} "${v}" is not a duration (write e.g. 0, 250ms, 2m, 2 minutes, 1 day)`);
  }
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`generate: ${flag} "${v}" is not a duration`);
  return Math.round(ms);
}

function intArg(flag: string, v: string, min: number): number {
  if (!/^\d+$/.test(v.trim())) throw new Error(`generate: ${flag} must be an integer >= ${min}, got "${v}"`);
  const n = Number(v.trim());
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`generate: ${flag} must be an integer >= ${min}, got "${v}"`);
  return n;
}

function rateArg(flag: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new Error(`generate: ${flag} must be a number between 0 and 1, got "${v}"`);
  return n;
}

function scenariosArg(v: string): ScenarioName[] {
  const names = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new Error('generate: --scenario needs at least one name');
  for (const n of names) {
    if (!Object.prototype.hasOwnProperty.call(SCENARIOS, n)) {
      throw new Error(`generate: unknown scenario "${n}" (known: ${Object.keys(SCENARIOS).join(', ')})`);
    }
  }
  return [...new Set(names)] as ScenarioName[];
}

function startMs(v: string): number {
  const t = v.trim();
  let ms = NaN;
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (m) {
    const y = +m[1], mo = +m[2], d = +m[3];
    ms = Date.UTC(y, mo - 1, d);
    const back = new Date(ms);
    if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) ms = NaN;
  } else if ((m = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/i.exec(t))) {
    ms = Date.parse(t.replace(' ', 'T') + (m[3] ? '' : 'Z'));
  }
  if (!Number.isFinite(ms)) throw new Error(`generate: --start "${v}" is not a date (write YYYY-MM-DD)`);
  return ms;
}

export function resolveOptions(opts: GenerateOptions) {
  if (!opts || typeof opts.out !== 'string' || opts.out === '') throw new Error('generate: out folder is required');
  const scenarios: ScenarioName[] = opts.scenarios && opts.scenarios.length > 0 ? [...new Set(opts.scenarios)] : ['baseline'];
  for (const s of scenarios) if (!Object.prototype.hasOwnProperty.call(SCENARIOS, s)) throw new Error(`generate: unknown scenario "${s}"`);
  const has = (s: ScenarioName): boolean => scenarios.includes(s);
  const rows = opts.rows ?? DEFAULT_ROWS;
  if (!Number.isSafeInteger(rows) || rows < 0) throw new Error('generate: rows must be an integer >= 0');
  if (opts.files !== undefined && (!Number.isSafeInteger(opts.files) || opts.files < 0)) throw new Error('generate: files must be an integer >= 0');
  const everyMs = opts.everyMs ?? DEFAULT_EVERY_MS;
  const simStepMs = Math.round(opts.simStepMs ?? DAY_MS);
  if (!(everyMs >= 0) || !(simStepMs >= 0)) throw new Error('generate: durations must be >= 0');
  const lateRate = opts.lateRate ?? DEFAULT_LATE_RATE;
  const dirtyRate = opts.dirtyRate ?? (has('dirty') ? DIRTY_SCENARIO_RATE : DEFAULT_DIRTY_RATE);
  for (const [n, r] of [['lateRate', lateRate], ['dirtyRate', dirtyRate]] as const) {
    if (!(r >= 0 && r <= 1)) throw new Error(`generate: ${n} must be between 0 and 1`);
  }
  const seed = opts.seed ?? DEFAULT_SEED;
  const start = opts.start ?? DEFAULT_START;
  const updateRows = opts.updateRows ?? Math.max(1, Math.round(rows / 10));
  if (!Number.isSafeInteger(updateRows) || updateRows < 0) throw new Error('generate: updateRows must be an integer >= 0');
  return {
    out: opts.out, scenarios, has, rows, files: opts.files, everyMs, simStepMs, lateRate, dirtyRate, seed: String(seed), start,
    startMs: startMs(start), vitals: opts.vitals === true || has('vitals-deterioration'), updates: opts.updates === true, updateRows,
    log: opts.log === undefined ? (line: string) => { process.stderr.write(line + '\n'); } : opts.log,
  };
}
