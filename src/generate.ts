/**
 * Synthetic data generator for the built-in patient pipeline.
 *
 * Writes `patients_daily_file_NNNNNN.csv` (and with vitals `vitals_NNNNNN.csv`)
 * into a folder, one file at once and then one per `every` interval, each
 * under a hidden temporary name (`.patients_daily_file_NNNNNN.csv.tmp`) that is
 * renamed into place, so a watcher never sees a partial file. Numbering starts
 * at 000000; when the folder already holds generated files, numbering continues
 * after the highest index found (a restarted generator appends).
 *
 * Content is a pure function of (seed, options, file index, row index): a
 * seeded PRNG (mulberry32) is re-seeded from a hash of those for every row, so
 * two runs with the same seed and options write byte-identical files, and a
 * row of an earlier file can be regenerated on demand (that is how exact
 * duplicates are re-sent, and how their deduplication outcome is known). The
 * wall clock is only used to pace the writes, never for content.
 *
 * `ground_truth.json` (rewritten atomically after every file; when files come
 * faster than one a second the rewrites are coalesced, and the last one is done
 * before generate() returns) lists, for every row that has an injected problem,
 * a warning, or does not reach patients_silver, the problems, the expected
 * failed expectations of the pipeline and whether it survives deduplication. A
 * row that is not listed is clean: no problem, no failed expectation, not
 * quarantined, survives deduplication, no warning. Per-file and total counts
 * are included.
 *
 * Speed: a clean row is never turned into strings; its bytes are copied from
 * pre-encoded tables straight into the file buffer (emitClean). Only rows with
 * problems (about 7% by default) are materialized, rendered and checked
 * against the pipeline's rules (slowRow). Files are written by a small writer
 * thread (FileWriter), so generation never waits for the disk.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { parseDurationMs } from '../engine/duration.js';

// ---------------------------------------------------------------------------
// Public constants
// ---------------------------------------------------------------------------

export const PATIENT_COLUMNS = ['patient_id', 'name', 'age', 'gender', 'address', 'contact_number', 'admission_date', 'diagnosis_code'] as const;
export const VITALS_COLUMNS = ['patient_id', 'measured_at', 'heart_rate', 'systolic_bp', 'diastolic_bp', 'temperature_c', 'spo2'] as const;

/** Drop expectations of patients_clean, in evaluation (and `_failed_expectations`) order. */
export const PATIENT_DROP_EXPECTATIONS = ['valid_patient_id', 'valid_age', 'valid_gender', 'valid_admission_date'] as const;
/** Warn expectations of patients_silver (evaluated on deduplicated survivors). */
export const PATIENT_WARN_EXPECTATIONS = ['known_diagnosis', 'has_contact_number'] as const;
/** Drop expectations of the vitals table, in order. */
export const VITALS_DROP_EXPECTATIONS = [
  'valid_patient_id', 'valid_measured_at', 'has_vitals', 'heart_rate_range', 'systolic_bp_range',
  'diastolic_bp_range', 'temperature_c_range', 'spo2_range', 'bp_order',
] as const;
/** Vital-sign alert conditions (on readings that pass the vitals expectations). */
export const VITALS_ALERTS = {
  heart_rate_gt_120: 'heart_rate > 120',
  spo2_lt_90: 'spo2 < 90',
  temperature_c_ge_38_5: 'temperature_c >= 38.5',
  systolic_bp_lt_90: 'systolic_bp < 90',
} as const;

export const DIAGNOSES = [
  { code: 'D001', name: 'Hypertension', weight: 0.20, ageMean: 60, ageSd: 13, ageMin: 25, ageMax: 98, pMale: 0.50 },
  { code: 'D002', name: 'Diabetes Mellitus', weight: 0.15, ageMean: 57, ageSd: 14, ageMin: 18, ageMax: 95, pMale: 0.52 },
  { code: 'D003', name: 'Chronic Obstructive Pulmonary Disease', weight: 0.07, ageMean: 68, ageSd: 9, ageMin: 40, ageMax: 98, pMale: 0.52 },
  { code: 'D004', name: 'Asthma', weight: 0.08, ageMean: 27, ageSd: 17, ageMin: 3, ageMax: 85, pMale: 0.45 },
  { code: 'D005', name: 'Heart Failure', weight: 0.07, ageMean: 75, ageSd: 10, ageMin: 35, ageMax: 100, pMale: 0.50 },
  { code: 'D006', name: 'Stroke', weight: 0.06, ageMean: 72, ageSd: 12, ageMin: 30, ageMax: 100, pMale: 0.48 },
  { code: 'D007', name: 'Myocardial Infarction', weight: 0.07, ageMean: 64, ageSd: 12, ageMin: 30, ageMax: 98, pMale: 0.62 },
  { code: 'D008', name: 'Chronic Kidney Disease', weight: 0.08, ageMean: 65, ageSd: 13, ageMin: 20, ageMax: 98, pMale: 0.50 },
  { code: 'D009', name: 'Hyperlipidemia', weight: 0.12, ageMean: 55, ageSd: 12, ageMin: 20, ageMax: 95, pMale: 0.50 },
  { code: 'D010', name: 'Coronary Artery Disease', weight: 0.10, ageMean: 66, ageSd: 11, ageMin: 30, ageMax: 98, pMale: 0.58 },
] as const;

export type ScenarioName = 'baseline' | 'flu-season' | 'outbreak' | 'dirty' | 'schema-drift' | 'vitals-deterioration';

export const SCENARIOS: Readonly<Record<ScenarioName, { readonly description: string }>> = {
  baseline: {
    description: 'Always on (the base of every other scenario): a stable mix of the ten diagnoses D001..D010 '
      + '(hypertension 20%, diabetes 15%, hyperlipidemia 12%, CAD 10%, ...), ages drawn per diagnosis '
      + '(asthma young, heart failure and stroke old), a balanced M/F mix, light dirt (--dirty-rate 0.05) and 2% late rows.',
  },
  'flu-season': {
    description: 'COPD (D003) and asthma (D004) follow an annual curve of the simulated date: their weight is multiplied by '
      + 'up to 3.5 around mid-January and by 1 in July.',
  },
  outbreak: {
    description: 'One diagnosis (chosen from the seed; see ground_truth.json generator.scenario_params.outbreak) surges on files '
      + '10..14 of the run (weight x4, x7, x9, x6, x3), then falls back to baseline.',
  },
  dirty: {
    description: 'Heavy data-quality problems: the dirty rate defaults to 0.30, rows get two problems more often, '
      + 'more files use CRLF line endings and vitals dirt is heavier.',
  },
  'schema-drift': {
    description: 'A column insurance_id appears after a quarter of the run, contact_number disappears from the header at half, '
      + 'and admission_date switches to MM/DD/YYYY at three quarters (without --files: at files 10, 20 and 30 of the run).',
  },
  'vitals-deterioration': {
    description: 'Implies --vitals. About 10% of patients get 4..6 readings whose vitals drift toward alert thresholds: '
      + 'heart rate > 120, spo2 < 90, temperature >= 38.5, systolic < 90 (one to four of them per patient).',
  },
};

/** Every kind of problem the generator injects, with what it looks like and what it should cause. */
export const PROBLEM_KINDS: Readonly<Record<string, string>> = {
  // patients, row level
  late: 'admission_date back-dated by 1..10 days (out of order); not a data-quality failure',
  null_patient_id: 'patient_id is empty, null, N/A, NULL or none -> fails valid_patient_id',
  null_age: 'age is a null marker -> fails valid_age',
  age_out_of_range: 'age like -5, 150, 121 -> fails valid_age',
  age_non_numeric: 'age like forty, 4O, 42.5 -> NULL after cleaning -> fails valid_age',
  null_gender: 'gender is a null marker -> fails valid_gender',
  invalid_gender: 'gender like X, U, unknown, ? -> fails valid_gender',
  gender_variant: 'gender like m, male, Female, FEMALE -> cleaned to M/F, passes',
  null_admission_date: 'admission_date is a null marker -> fails valid_admission_date',
  invalid_date: 'admission_date like 2024-02-30, 07/01/2024, 2024-13-01 -> fails valid_admission_date',
  unknown_diagnosis: 'diagnosis_code D011..D099 -> warning known_diagnosis',
  diagnosis_lowercase: 'diagnosis_code like d003 -> upper-cased by the pipeline, valid',
  null_diagnosis: 'diagnosis_code is a null marker -> warning known_diagnosis',
  null_contact_number: 'contact_number is a null marker -> warning has_contact_number',
  quoted_comma: 'address quoted with a comma inside, e.g. "12 Main St, Apt 4" -> passes',
  whitespace_padding: 'spaces around patient_id, age, gender and diagnosis_code -> trimmed, passes',
  extra_column: 'an extra trailing field beyond the header -> rescued, passes',
  malformed_too_few_fields: 'only the first three fields -> the missing columns are NULL',
  malformed_garbage: 'a line of garbage without commas -> becomes patient_id, every other column NULL',
  duplicate: 'an exact re-send of an earlier file\'s row (see duplicate_of) -> dropped by deduplication when the original reached silver',
  near_duplicate: 'a re-send with cosmetic differences (d003, padding, male) that collides after cleaning',
  date_format_mmddyyyy: 'schema-drift: the file writes admission_date as MM/DD/YYYY -> fails valid_admission_date',
  contact_number_column_missing: 'schema-drift: the header has no contact_number -> warning has_contact_number',
  // vitals, row level
  invalid_measured_at: 'vitals: measured_at like 2024-02-30T08:15:00Z, 01/05/2024 08:15 -> fails valid_measured_at',
  null_measured_at: 'vitals: measured_at is a null marker -> fails valid_measured_at',
  no_vitals: 'vitals: all five vitals empty -> fails has_vitals',
  heart_rate_out_of_range: 'vitals: heart_rate like 0, 300 -> fails heart_rate_range',
  systolic_bp_out_of_range: 'vitals: systolic_bp like 300, 40 -> fails systolic_bp_range (and maybe bp_order)',
  diastolic_bp_out_of_range: 'vitals: diastolic_bp like 10, 180 -> fails diastolic_bp_range (and maybe bp_order)',
  temperature_out_of_range: 'vitals: temperature_c like 98.6 (Fahrenheit), 25.0 -> fails temperature_c_range',
  spo2_out_of_range: 'vitals: spo2 like 101, 45 -> fails spo2_range',
  bp_order: 'vitals: systolic_bp <= diastolic_bp -> fails bp_order',
  non_numeric_vital: 'vitals: one vital like abc -> NULL after cleaning, passes',
  null_vital: 'vitals: one vital empty -> passes',
  unknown_patient: 'vitals: a patient_id that was never admitted -> passes the vitals rules',
  deteriorating: 'vitals: a reading of a deteriorating patient (vitals-deterioration scenario)',
};

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

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
  /** Share of late / out-of-order rows (default 0.02). */
  lateRate?: number;
  /** Share of rows with injected problems (default 0.05, or 0.30 with the dirty scenario). */
  dirtyRate?: number;
  /** Progress sink (default: a line per file on stderr); null for silence. */
  log?: ((line: string) => void) | null;
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
  scenarios: ScenarioName[];
  scenarioParams: ScenarioParams;
  aborted: boolean;
  elapsedMs: number;
  rowsPerSecond: number;
}

export interface ScenarioParams {
  outbreak?: { diagnosis: string; first_file: number; last_file: number; factors: number[] };
  schema_drift?: { insurance_id_from: number; contact_number_missing_from: number; mmddyyyy_from: number };
  flu_season?: { diagnoses: string[]; peak: string; max_factor: number };
}

export const GENERATE_USAGE = 'usage: generate --out <dir> [--every <duration>] [--files N] [--rows N] [--seed S] '
  + '[--scenario <name>[,<name>...]] [--start <date>] [--sim-step <duration>] [--vitals] [--late-rate R] [--dirty-rate R]';

const DEFAULT_EVERY_MS = 120_000;
const DEFAULT_ROWS = 100;
const DEFAULT_SEED = 42;
const DEFAULT_START = '2024-01-01';
const DAY_MS = 86_400_000;
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
    if (name === 'vitals') {
      if (value !== undefined && value !== 'true' && value !== 'false') fail(`--vitals takes no value`);
      o.vitals = value !== 'false';
      continue;
    }
    const KNOWN = ['out', 'every', 'files', 'rows', 'seed', 'scenario', 'start', 'sim-step', 'late-rate', 'dirty-rate'];
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

// ---------------------------------------------------------------------------
// PRNG and small tables
// ---------------------------------------------------------------------------

function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193); }
  return mix32(h);
}

/** mulberry32. */
class Rng {
  s = 0;
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return (this.next() * n) | 0;
  }
  pick<T>(a: readonly T[]): T {
    return a[(this.next() * a.length) | 0];
  }
}

const T3: string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const T4: string[] = Array.from({ length: 10000 }, (_, i) => String(i).padStart(4, '0'));
const NUM: string[] = Array.from({ length: 10000 }, (_, i) => String(i));

const FIRST_M = ['James', 'John', 'Robert', 'Michael', 'William', 'David', 'Richard', 'Joseph', 'Thomas', 'Charles', 'Daniel', 'Matthew',
  'Anthony', 'Mark', 'Steven', 'Paul', 'Andrew', 'Joshua', 'Kevin', 'Brian', 'George', 'Edward', 'Ronald', 'Timothy', 'Jason', 'Jeffrey',
  'Ryan', 'Jacob', 'Gary', 'Eric', 'Carlos', 'Luis', 'Wei', 'Ahmed', 'Omar', 'Raj', 'Hiroshi', 'Ivan', 'Kofi', 'Mateo'];
const FIRST_F = ['Mary', 'Patricia', 'Jennifer', 'Linda', 'Elizabeth', 'Barbara', 'Susan', 'Jessica', 'Sarah', 'Karen', 'Lisa', 'Nancy',
  'Betty', 'Sandra', 'Margaret', 'Ashley', 'Kimberly', 'Emily', 'Donna', 'Michelle', 'Carol', 'Amanda', 'Melissa', 'Deborah', 'Laura',
  'Rebecca', 'Sharon', 'Cynthia', 'Maria', 'Ana', 'Mei', 'Fatima', 'Aisha', 'Priya', 'Yuki', 'Olga', 'Amara', 'Sofia', 'Chloe', 'Ingrid'];
const LAST = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez',
  'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson', 'White', 'Harris',
  'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill',
  'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts', 'Chen', 'Patel', 'Kim',
  'Singh', 'Okafor', 'Schmidt', 'Rossi', 'Dubois', 'Kowalski', "O'Brien"];
const STREETS = ['Main', 'Oak', 'Pine', 'Maple', 'Cedar', 'Elm', 'Washington', 'Lake', 'Hill', 'Walnut', 'Park', 'Sunset', 'Lincoln',
  'Jackson', 'Church', 'Highland', 'River', 'Spring', 'Ridge', 'Meadow', 'Forest', 'Willow', 'Chestnut', 'Franklin', 'Jefferson',
  'Madison', 'Adams', 'Center', 'Mill', 'Valley', 'Harbor', 'Prospect', 'Orchard', 'Birch', 'Cherry', 'Union'];
const SUFFIX = ['St', 'Ave', 'Rd', 'Blvd', 'Ln', 'Dr', 'Ct', 'Way', 'Pl', 'Ter'];
// Pre-joined combinations, so that a row costs few string concatenations.
const NAMES_M: string[] = FIRST_M.flatMap((a) => LAST.map((b) => a + ' ' + b));
const NAMES_F: string[] = FIRST_F.flatMap((a) => LAST.map((b) => a + ' ' + b));
const STREET_SUFFIX: string[] = STREETS.flatMap((a) => SUFFIX.map((b) => ' ' + a + ' ' + b));
const PHONE3: string[] = T3.map((x) => '555-' + x + '-');
const INS4: string[] = T4.map((x) => 'INS' + x);

/** A string table stored as bytes, for copying entries into file buffers without string work. */
class ByteTable {
  readonly view: DataView;
  readonly start: Int32Array;
  constructor(strings: readonly string[]) {
    const text = strings.join('');
    // 8 bytes of padding: entries are copied 4 bytes at a time.
    const bytes = new Uint8Array(text.length + 8);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    this.view = new DataView(bytes.buffer);
    this.start = new Int32Array(strings.length + 1);
    let acc = 0;
    strings.forEach((x, i) => { this.start[i] = acc; acc += x.length; });
    this.start[strings.length] = acc;
  }
}

/**
 * Copies entry `i` of `t` to `dst` at `o`, four bytes at a time (so up to three
 * bytes past the entry are scribbled on; the next write or the final length
 * takes care of them; ByteSink keeps slack). Returns the new offset.
 */
function copyEntry(dst: DataView, o: number, t: ByteTable, i: number): number {
  const src = t.view;
  const s = t.start[i];
  const n = t.start[i + 1] - s;
  for (let k = 0; k < n; k += 4) dst.setUint32(o + k, src.getUint32(s + k));
  return o + n;
}

const B_T3C = new ByteTable(T3.map((x) => x + ','));
const B_NAMES_M = new ByteTable(NAMES_M.map((x) => x + ','));
const B_NAMES_F = new ByteTable(NAMES_F.map((x) => x + ','));
const AGE_STR: string[] = Array.from({ length: 256 }, (_, i) => String(i));
const B_AGE_GENDER = new ByteTable(AGE_STR.flatMap((a) => [a + ',M,', a + ',F,']));
const B_NUM = new ByteTable(NUM);
const B_STREET_SUFFIX = new ByteTable(STREET_SUFFIX.map((x) => x + ','));
const B_PHONE3 = new ByteTable(PHONE3);
const B_T4C = new ByteTable(T4.map((x) => x + ','));
const B_INS = new ByteTable(INS4.map((x) => ',' + x));
const B_T4 = new ByteTable(T4);

/** Acklam's inverse normal CDF. */
function invNorm(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  if (p < pl) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - pl) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

const AGE_TABLE_SIZE = 1024;
/** Per diagnosis, 1024 ages at evenly spaced quantiles of its (clamped) normal distribution. */
const AGE_TABLES: Uint8Array[] = DIAGNOSES.map((dg) => {
  const t = new Uint8Array(AGE_TABLE_SIZE);
  for (let i = 0; i < AGE_TABLE_SIZE; i++) {
    const age = Math.round(dg.ageMean + dg.ageSd * invNorm((i + 0.5) / AGE_TABLE_SIZE));
    t[i] = Math.min(dg.ageMax, Math.max(dg.ageMin, age));
  }
  return t;
});
const P_MALE = DIAGNOSES.map((d) => d.pMale);
const CODES: string[] = DIAGNOSES.map((d) => d.code);

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function isoToUs(iso: string): string {
  return iso.slice(5, 7) + '/' + iso.slice(8, 10) + '/' + iso.slice(0, 4);
}

function isoMinute(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

// ---------------------------------------------------------------------------
// Problem kinds (patients)
// ---------------------------------------------------------------------------

const NULL_MARKERS_OUT = ['', 'null', 'N/A', 'NULL', 'none', 'NA'];

/** Kind, relative weight, field group (two kinds on one row never share a group; 0 = exclusive). */
const PATIENT_DIRT: readonly (readonly [string, number, number])[] = [
  ['null_patient_id', 6, 1],
  ['null_age', 4, 2], ['age_out_of_range', 6, 2], ['age_non_numeric', 4, 2],
  ['null_gender', 3, 3], ['invalid_gender', 4, 3], ['gender_variant', 10, 3],
  ['null_admission_date', 3, 4], ['invalid_date', 6, 4],
  ['unknown_diagnosis', 6, 5], ['diagnosis_lowercase', 6, 5], ['null_diagnosis', 2, 5],
  ['null_contact_number', 5, 6],
  ['quoted_comma', 6, 7],
  ['whitespace_padding', 6, 8],
  ['extra_column', 3, 9],
  ['duplicate', 8, 0], ['near_duplicate', 4, 0],
  ['malformed_too_few_fields', 2, 0], ['malformed_garbage', 2, 0],
];
const PATIENT_DIRT_CUM: number[] = (() => {
  const total = PATIENT_DIRT.reduce((s, k) => s + k[1], 0);
  let acc = 0;
  return PATIENT_DIRT.map((k) => (acc += k[1] / total));
})();
/** Indices of the kinds that can combine (fallback for a duplicate in a file with no earlier file to copy from). */
const NON_EXCLUSIVE = PATIENT_DIRT.map((k, i) => [k, i] as const).filter(([k]) => k[2] !== 0).map(([, i]) => i);

function pickDirt(u: number): number {
  for (let i = 0; i < PATIENT_DIRT_CUM.length; i++) if (u < PATIENT_DIRT_CUM[i]) return i;
  return PATIENT_DIRT_CUM.length - 1;
}

// ---------------------------------------------------------------------------
// Files and layouts
// ---------------------------------------------------------------------------

/** Canonical field indices. */
const F_PID = 0, F_NAME = 1, F_AGE = 2, F_GENDER = 3, F_ADDRESS = 4, F_CONTACT = 5, F_DATE = 6, F_CODE = 7, F_INS = 8;
const CANONICAL = [...PATIENT_COLUMNS, 'insurance_id'];

interface Layout {
  columns: string[];
  cols: number[];
  /** Position of each canonical field in the file, or -1. */
  pos: number[];
  usDate: boolean;
  hasContact: boolean;
  hasIns: boolean;
}

function makeLayout(columns: string[], usDate: boolean): Layout {
  const cols = columns.map((c) => {
    const i = CANONICAL.indexOf(c);
    if (i < 0) throw new Error(`generate: unknown column ${c} in ground truth`);
    return i;
  });
  const pos = CANONICAL.map((_, c) => cols.indexOf(c));
  return { columns, cols, pos, usDate, hasContact: cols.includes(F_CONTACT), hasIns: cols.includes(F_INS) };
}

interface FileCtx {
  index: number;
  name: string;
  rows: number;
  simStartMs: number;
  simEndMs: number;
  weights: number[];
  cum: Float64Array;
  layout: Layout;
  pidPrefix: string;
  /** Cache of pidPrefix + 3 digits. */
  pidPre: string[];
}

function patientsFileName(i: number): string {
  return `patients_daily_file_${String(i).padStart(6, '0')}.csv`;
}
function vitalsFileName(i: number): string {
  return `vitals_${String(i).padStart(6, '0')}.csv`;
}
export { patientsFileName, vitalsFileName };

function cumulative(w: number[]): Float64Array {
  const total = w.reduce((s, x) => s + x, 0);
  const c = new Float64Array(w.length);
  let acc = 0;
  for (let i = 0; i < w.length; i++) c[i] = acc += w[i] / total;
  c[w.length - 1] = 1;
  return c;
}

function makeCtx(index: number, rows: number, simStartMs: number, simEndMs: number, weights: number[], layout: Layout): FileCtx {
  return {
    index, name: patientsFileName(index), rows, simStartMs, simEndMs, weights, cum: cumulative(weights), layout,
    pidPrefix: 'P' + String(index).padStart(6, '0'), pidPre: [],
  };
}

// ---------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------

const NO_PROBLEMS: string[] = [];

/**
 * File content as bytes, written in place: clean rows are copied from byte
 * tables (emitClean), other rows field by field. No file-sized string is ever
 * built (a rope of millions of small strings would make GC dominate).
 * Everything written is ASCII.
 */
class ByteSink {
  buf: Buffer;
  view: DataView;
  len = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafeSlow(Math.max(8192, size));
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }
  /** Makes room for `n` more bytes (plus slack for 4-byte copies). */
  ensure(n: number): void {
    if (this.len + n + 8 > this.buf.length) {
      const b = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.len + n + 8));
      this.buf.copy(b, 0, 0, this.len);
      this.buf = b;
      this.view = new DataView(b.buffer, b.byteOffset, b.length);
    }
  }
  write(s: string): void {
    this.ensure(s.length);
    // Short strings: a byte loop; longer ones (often concatenations): native copy.
    if (s.length <= 64) this.len = put(this.buf, this.len, s);
    else this.len += this.buf.write(s, this.len, 'latin1');
  }
  bytes(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

/** Copies the (ASCII) string `s` into `b` at `o`; returns the new offset. */
function put(b: Uint8Array, o: number, s: string): number {
  for (let i = 0; i < s.length; i++) b[o++] = s.charCodeAt(i);
  return o;
}

/** Per-file byte pieces for clean rows. */
interface FileBytes {
  /** `P` + 6-digit file index + the row's thousands (3 digits), per thousand. */
  pidHi: ByteTable;
  /** `YYYY-MM-DD,Dnnn` (+ the line ending when there is no insurance_id), per day and diagnosis. */
  tails: Map<number, ByteTable>;
  /** `{"file":"<name>","line":` (the start of a ground-truth entry). */
  entryHead: ByteTable;
  ins: boolean;
  crlf: boolean;
}

/** The rest of the ground-truth entry of a row that is only late. */
const LATE_ENTRY_TAIL = new ByteTable([',"problems":["late"],"failed_expectations":[],"quarantined":false,"survives_dedup":true,"warnings":[]}']);

/** Row tails by line-ending variant (0 LF, 1 CRLF, 2 none: insurance_id follows), shared by all files. */
const TAIL_CACHES: Map<number, ByteTable>[] = [new Map(), new Map(), new Map()];

function fileBytes(ctx: FileCtx, ins: boolean, crlf: boolean): FileBytes {
  const nHi = Math.min(1000, Math.ceil(ctx.rows / 1000));
  const tails = TAIL_CACHES[ins ? 2 : crlf ? 1 : 0];
  if (tails.size > 50_000) tails.clear();
  return {
    pidHi: new ByteTable(Array.from({ length: nHi }, (_, hi) => ctx.pidPrefix + T3[hi])), tails,
    entryHead: new ByteTable(['{"file":"' + ctx.name + '","line":']), ins, crlf,
  };
}

function tailOf(fb: FileBytes, day: number, diag: number): ByteTable {
  const key = day * 16 + diag;
  let t = fb.tails.get(key);
  if (t === undefined) {
    t = new ByteTable([isoDay(day) + ',' + CODES[diag] + (fb.ins ? '' : fb.crlf ? '\r\n' : '\n')]);
    fb.tails.set(key, t);
  }
  return t;
}

/** Writes a clean, lazy record straight from the byte tables (no strings are built). */
function emitClean(sink: ByteSink, rec: Rec, fb: FileBytes): void {
  sink.ensure(512);
  const d = sink.view;
  const row = rec.row;
  let o: number;
  if (row < 1_000_000) {
    o = copyEntry(d, sink.len, fb.pidHi, (row / 1000) | 0);
    o = copyEntry(d, o, B_T3C, row % 1000);
  } else {
    sink.write(pidOf(rec.ctx!, row) + ',');
    o = sink.len;
  }
  o = copyEntry(d, o, rec.male ? B_NAMES_M : B_NAMES_F, rec.name);
  o = copyEntry(d, o, B_AGE_GENDER, rec.age * 2 + (rec.male ? 0 : 1));
  o = copyEntry(d, o, B_NUM, 1 + (rec.addr % 9999));
  o = copyEntry(d, o, B_STREET_SUFFIX, (rec.addr / 9999) | 0);
  o = copyEntry(d, o, B_PHONE3, (rec.phone / 10000) | 0);
  o = copyEntry(d, o, B_T4C, rec.phone % 10000);
  o = copyEntry(d, o, tailOf(fb, rec.day, rec.diag), 0);
  if (fb.ins) {
    o = copyEntry(d, o, B_INS, (rec.ins / 10000) | 0);
    o = copyEntry(d, o, B_T4, rec.ins % 10000);
    const b = sink.buf;
    if (fb.crlf) b[o++] = 13;
    b[o++] = 10;
  }
  sink.len = o;
}

/** One generated patients record (reused; fields are the raw texts before layout rendering). */
interface Rec {
  f: string[];
  /** `f[F_DATE]` is a valid ISO date that the layout may re-format. */
  dateIso: boolean;
  extra: string | null;
  /** 0 normal, 1 too few fields, 2 garbage line (text in f[F_PID]). */
  malformed: number;
  problems: string[];
  /** Diagnosis index of the generated (not dirtied) code. */
  diag: number;
  /** For duplicates: the original row. */
  rootCtx: FileCtx | null;
  rootRow: number;
  /** The row admits a patient (its generated patient_id is intact; used for vitals). */
  admitted: boolean;
  /** `f` is not built yet: the row is only described by the numbers below (see materialize). */
  lazy: boolean;
  ctx: FileCtx | null;
  row: number;
  male: boolean;
  age: number;
  name: number;
  day: number;
  addr: number;
  phone: number;
  ins: number;
}

function newRec(): Rec {
  return {
    f: new Array<string>(9).fill(''), diag: 0, dateIso: true, extra: null, malformed: 0, problems: NO_PROBLEMS, rootCtx: null, rootRow: -1,
    admitted: false, lazy: false, ctx: null, row: 0, male: false, age: 0, name: 0, day: 0, addr: 0, phone: 0, ins: 0,
  };
}

interface Gen {
  seedHash: number;
  rng: Rng;
  lateRate: number;
  dirtyRate: number;
  comboRate: number;
  ctxByIndex: Map<number, FileCtx>;
  dayCache: Map<number, string>;
}

function rowSeed(g: Gen, file: number, row: number): number {
  return mix32(g.seedHash ^ mix32(Math.imul(file + 1, 0x9e3779b1) ^ mix32(row ^ 0x5bd1e995))) | 0; // int32 (a Smi) as a seed
}

function dayString(g: Gen, day: number): string {
  let s = g.dayCache.get(day);
  if (s === undefined) {
    s = isoDay(day);
    if (g.dayCache.size > 20000) g.dayCache.clear();
    g.dayCache.set(day, s);
  }
  return s;
}

/** Patient id of a row: `P` + 6-digit file index + (at least) 6-digit row index, unique per (file, row). */
function pidOf(ctx: FileCtx, row: number): string {
  if (row >= 1_000_000) return ctx.pidPrefix + String(row);
  const hi = (row / 1000) | 0;
  let pre = ctx.pidPre[hi];
  if (pre === undefined) pre = ctx.pidPre[hi] = ctx.pidPrefix + T3[hi];
  return pre + T3[row % 1000];
}

/** Builds the field strings of a lazily generated record. */
function materialize(g: Gen, rec: Rec): void {
  if (!rec.lazy) return;
  rec.lazy = false;
  const f = rec.f;
  f[F_PID] = pidOf(rec.ctx!, rec.row);
  f[F_NAME] = (rec.male ? NAMES_M : NAMES_F)[rec.name];
  f[F_AGE] = AGE_STR[rec.age];
  f[F_GENDER] = rec.male ? 'M' : 'F';
  f[F_ADDRESS] = NUM[1 + (rec.addr % 9999)] + STREET_SUFFIX[(rec.addr / 9999) | 0];
  f[F_CONTACT] = PHONE3[(rec.phone / 10000) | 0] + T4[rec.phone % 10000];
  f[F_DATE] = dayString(g, rec.day);
  f[F_CODE] = CODES[rec.diag];
  f[F_INS] = INS4[(rec.ins / 10000) | 0] + T4[rec.ins % 10000];
}

/**
 * Generates row `row` of file `ctx` into `rec` (a pure function of seed,
 * options, file and row). A clean row is left lazy (its concatenated fields
 * unbuilt) unless `strings`; dirty rows are always materialized.
 */
function genRow(g: Gen, ctx: FileCtx, row: number, rec: Rec, strings: boolean): void {
  const rng = g.rng;
  rng.s = rowSeed(g, ctx.index, row);
  const uDirt = rng.next();
  const uLate = rng.next();
  const uDiag = rng.next();
  const cum = ctx.cum;
  let d = 0;
  while (d < 9 && uDiag >= cum[d]) d++;
  const male = rng.next() < P_MALE[d];
  rec.male = male;
  rec.age = AGE_TABLES[d][(rng.next() * AGE_TABLE_SIZE) | 0];
  rec.name = (rng.next() * (male ? NAMES_M.length : NAMES_F.length)) | 0;
  rec.addr = (rng.next() * 9999 * STREET_SUFFIX.length) | 0;
  rec.phone = (rng.next() * 1e7) | 0;
  rec.ins = (rng.next() * 1e8) | 0;
  let day = Math.floor((ctx.simStartMs + rng.next() * (ctx.simEndMs - ctx.simStartMs)) / DAY_MS);
  rec.ctx = ctx;
  rec.row = row;
  rec.diag = d;
  rec.dateIso = true;
  rec.extra = null;
  rec.malformed = 0;
  rec.rootCtx = null;
  rec.rootRow = -1;
  rec.admitted = true;
  rec.problems = NO_PROBLEMS;
  if (uLate < g.lateRate) {
    day -= 1 + ((rng.next() * 10) | 0);
    rec.problems = ['late'];
  }
  rec.day = day;
  rec.lazy = true;
  if (uDirt >= g.dirtyRate) {
    if (strings) materialize(g, rec);
    return;
  }
  dirtyRow(g, ctx, rec, male);
}

/** Injects the problems of a dirty row (the rare path of genRow, kept apart so that the hot path stays small). */
function dirtyRow(g: Gen, ctx: FileCtx, rec: Rec, male: boolean): void {
  const rng = g.rng;
  materialize(g, rec);
  const f = rec.f;

  // One kind, sometimes two on different fields.
  let k1 = pickDirt(rng.next());
  const second = rng.next() < g.comboRate ? pickDirt(rng.next()) : -1;
  const kind1 = PATIENT_DIRT[k1][0];
  if (kind1 === 'duplicate' || kind1 === 'near_duplicate') {
    const cands: FileCtx[] = [];
    for (let i = ctx.index - 1; i >= ctx.index - 7 && i >= 0; i--) {
      const c = g.ctxByIndex.get(i);
      if (c !== undefined && c.rows > 0) cands.push(c);
    }
    if (cands.length > 0) {
      const ref = cands[(rng.next() * cands.length) | 0];
      const refRow = (rng.next() * ref.rows) | 0;
      const variant = rng.next();
      genRow(g, ref, refRow, rec, true);
      if (rec.rootCtx === null) { rec.rootCtx = ref; rec.rootRow = refRow; }
      rec.admitted = false;
      const inherited = rec.problems.filter((p) => p !== 'duplicate' && p !== 'near_duplicate');
      rec.problems = [kind1, ...inherited];
      if (kind1 === 'near_duplicate' && rec.malformed === 0) {
        if (variant < 0.4) rec.f[F_CODE] = rec.f[F_CODE].toLowerCase();
        else if (variant < 0.7) rec.f[F_PID] = '  ' + rec.f[F_PID] + ' ';
        else {
          const gd = rec.f[F_GENDER];
          if (gd === 'M') rec.f[F_GENDER] = 'male';
          else if (gd === 'F') rec.f[F_GENDER] = 'Female';
          else rec.f[F_CODE] = rec.f[F_CODE].toLowerCase();
        }
      }
      return;
    }
    k1 = NON_EXCLUSIVE[(rng.next() * NON_EXCLUSIVE.length) | 0];
  }
  const problems = rec.problems === NO_PROBLEMS ? [] : rec.problems.slice();
  applyDirt(g, rec, k1, male, problems);
  if (second >= 0 && PATIENT_DIRT[second][2] !== 0 && PATIENT_DIRT[second][2] !== PATIENT_DIRT[k1][2] && rec.malformed === 0) {
    applyDirt(g, rec, second, male, problems);
  }
  // Padding goes last so that it wraps whatever value the field got.
  const pi = problems.indexOf('whitespace_padding');
  if (pi >= 0) {
    problems.splice(pi, 1);
    problems.push('whitespace_padding');
    const u = rng.next();
    f[F_PID] = (u < 0.5 ? '  ' : ' ') + f[F_PID] + (u < 0.25 ? '' : '  ');
    f[F_GENDER] = f[F_GENDER] + '  ';
    f[F_CODE] = ' ' + f[F_CODE];
    f[F_AGE] = ' ' + f[F_AGE] + ' ';
  }
  rec.problems = problems;
}

function applyDirt(g: Gen, rec: Rec, k: number, male: boolean, problems: string[]): void {
  const rng = g.rng;
  const f = rec.f;
  const kind = PATIENT_DIRT[k][0];
  problems.push(kind);
  switch (kind) {
    case 'null_patient_id': f[F_PID] = rng.pick(NULL_MARKERS_OUT); rec.admitted = false; break;
    case 'null_age': f[F_AGE] = rng.pick(NULL_MARKERS_OUT); break;
    case 'age_out_of_range': f[F_AGE] = rng.pick(['-5', '150', '121', '-1', '200', '999']); break;
    case 'age_non_numeric': f[F_AGE] = rng.pick(['forty', '4O', '42.5', 'sixty-two', '~']); break;
    case 'null_gender': f[F_GENDER] = rng.pick(NULL_MARKERS_OUT); break;
    case 'invalid_gender': f[F_GENDER] = rng.pick(['X', 'U', 'unknown', '?', 'MF']); break;
    case 'gender_variant': f[F_GENDER] = male ? rng.pick(['m', 'male', 'Male', 'MALE']) : rng.pick(['f', 'female', 'Female', 'FEMALE']); break;
    case 'null_admission_date': f[F_DATE] = rng.pick(NULL_MARKERS_OUT); rec.dateIso = false; break;
    case 'invalid_date': {
      const u = rng.next();
      const iso = f[F_DATE];
      if (u < 0.3) f[F_DATE] = rng.pick(['2024-02-30', '2023-02-29', '2024-04-31', '2024-06-31', '2024-11-31']);
      else if (u < 0.6) f[F_DATE] = isoToUs(iso);
      else if (u < 0.8) f[F_DATE] = iso.slice(0, 5) + '13' + iso.slice(7);
      else f[F_DATE] = rng.pick(['yesterday', iso.replace(/-/g, ''), iso.replace(/-/g, '/'), iso + 'T25:00']);
      rec.dateIso = false;
      break;
    }
    case 'unknown_diagnosis': f[F_CODE] = 'D0' + (11 + ((rng.next() * 89) | 0)); break;
    case 'diagnosis_lowercase': f[F_CODE] = f[F_CODE].toLowerCase(); break;
    case 'null_diagnosis': f[F_CODE] = rng.pick(NULL_MARKERS_OUT); break;
    case 'null_contact_number': f[F_CONTACT] = rng.pick(NULL_MARKERS_OUT); break;
    case 'quoted_comma': f[F_ADDRESS] = '"' + f[F_ADDRESS] + ', ' + rng.pick(['Apt ', 'Unit ', 'Suite ', '#']) + (1 + ((rng.next() * 40) | 0)) + '"'; break;
    case 'whitespace_padding': break; // applied last by genRow
    case 'extra_column': rec.extra = rng.pick(['legacy_', 'x', 'ref-', 'EXTRA']) + T3[(rng.next() * 1000) | 0]; break;
    case 'malformed_too_few_fields': rec.malformed = 1; rec.admitted = false; break;
    case 'malformed_garbage': {
      rec.malformed = 2;
      rec.admitted = false;
      f[F_PID] = rng.pick(['~~corrupted record ', '%% transfer error ', '<<binary>> ', '@@@@ ']) + T4[(rng.next() * 10000) | 0].toString() + 'x' + T4[(rng.next() * 10000) | 0];
      break;
    }
  }
}

/** The raw text of canonical field `c` as it appears in a file of this layout (null when the field is absent). */
function rawField(rec: Rec, layout: Layout, c: number): string | null {
  if (rec.malformed === 2) return c === F_PID ? rec.f[F_PID] : null;
  const pos = layout.pos[c];
  if (pos < 0) return null;
  if (rec.malformed === 1 && pos >= 3) return null;
  if (c === F_DATE && rec.dateIso && layout.usDate) return isoToUs(rec.f[F_DATE]);
  return rec.f[c];
}

/** Writes the line of a (materialized) record as it appears in a file of this layout, with its line ending. */
function emitLine(sink: ByteSink, rec: Rec, layout: Layout, crlf: boolean): void {
  const f = rec.f;
  let need = 4 + (rec.extra === null ? 0 : rec.extra.length + 1);
  for (let i = 0; i < 9; i++) need += f[i].length + 1;
  sink.ensure(need);
  const b = sink.buf;
  let o = sink.len;
  if (rec.malformed === 2) {
    o = put(b, o, f[F_PID]);
  } else {
    const n = rec.malformed === 1 ? 3 : layout.cols.length;
    for (let i = 0; i < n; i++) {
      const c = layout.cols[i];
      if (i > 0) b[o++] = 44;
      o = put(b, o, c === F_DATE && rec.dateIso && layout.usDate ? isoToUs(f[F_DATE]) : f[c]);
    }
    if (rec.extra !== null && rec.malformed === 0) {
      b[o++] = 44;
      o = put(b, o, rec.extra);
    }
  }
  if (crlf) b[o++] = 13;
  b[o++] = 10;
  sink.len = o;
}

// ---------------------------------------------------------------------------
// The pipeline's rules (used to compute the ground truth)
// ---------------------------------------------------------------------------

const NULL_MARKERS_IN = new Set(['', 'null', 'na', 'n/a', 'nan', 'none']);

function clean(v: string | null): string | null {
  if (v === null) return null;
  let a = 0;
  let b = v.length;
  let c: number;
  while (a < b && ((c = v.charCodeAt(a)) === 32 || c === 9)) a++;
  while (b > a && ((c = v.charCodeAt(b - 1)) === 32 || c === 9)) b--;
  const t = a === 0 && b === v.length ? v : v.slice(a, b);
  return t.length <= 4 && NULL_MARKERS_IN.has(t.toLowerCase()) ? null : t;
}

/** `[+-]?digits` within int32, else null. */
function cleanInt(v: string | null): number | null {
  const t = clean(v);
  if (t === null) return null;
  let i = 0;
  const c0 = t.charCodeAt(0);
  if (c0 === 45 || c0 === 43) i = 1;
  if (i >= t.length) return null;
  let n = 0;
  for (; i < t.length; i++) {
    const d = t.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    n = n * 10 + d;
    if (n > 2147483648) return null;
  }
  if (c0 === 45) n = -n;
  return n <= 2147483647 ? n : null;
}

function cleanDouble(v: string | null): number | null {
  const t = clean(v);
  if (t === null || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

function daysIn(y: number, m: number): number {
  return m === 2 ? ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function validYmd(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m);
}

/** Exactly `YYYY-MM-DD`, a real calendar date, else null. */
function cleanDate(v: string | null): string | null {
  const t = clean(v);
  if (t === null || t.length !== 10 || t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45) return null;
  const dg = (i: number): number => { const d = t.charCodeAt(i) - 48; return d >= 0 && d <= 9 ? d : NaN; };
  const y = dg(0) * 1000 + dg(1) * 100 + dg(2) * 10 + dg(3);
  const m = dg(5) * 10 + dg(6);
  const d = dg(8) * 10 + dg(9);
  return y === y && m === m && d === d && validYmd(y, m, d) ? t : null;
}

function cleanTimestamp(v: string | null): boolean {
  const t = clean(v);
  if (t === null) return false;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})?)?$/.exec(t);
  if (!m || !validYmd(+m[1], +m[2], +m[3])) return false;
  if (m[4] !== undefined && (+m[4] > 23 || +m[5] > 59 || (m[6] !== undefined && +m[6] > 59))) return false;
  return true;
}

interface PatientVerdict {
  failed: string[];
  /** Cleaned diagnosis code (for counts) and whether contact is present. */
  code: string | null;
  contact: boolean;
}

function evalPatient(rec: Rec, layout: Layout): PatientVerdict {
  const failed: string[] = [];
  if (clean(rawField(rec, layout, F_PID)) === null) failed.push('valid_patient_id');
  const age = cleanInt(rawField(rec, layout, F_AGE));
  if (age === null || age < 0 || age > 120) failed.push('valid_age');
  let gender = clean(rawField(rec, layout, F_GENDER));
  if (gender !== null) {
    gender = gender.toUpperCase();
    if (gender === 'MALE') gender = 'M';
    else if (gender === 'FEMALE') gender = 'F';
  }
  if (gender !== 'M' && gender !== 'F') failed.push('valid_gender');
  if (cleanDate(rawField(rec, layout, F_DATE)) === null) failed.push('valid_admission_date');
  const code = clean(rawField(rec, layout, F_CODE));
  return { failed, code: code === null ? null : code.toUpperCase(), contact: clean(rawField(rec, layout, F_CONTACT)) !== null };
}

// ---------------------------------------------------------------------------
// Ground truth structures
// ---------------------------------------------------------------------------

interface PatientCounts {
  rows: number;
  listed: number;
  quarantined: number;
  passed_expectations: number;
  dedup_dropped: number;
  silver_rows: number;
  failed_expectations: Record<string, number>;
  warnings: Record<string, number>;
  problems: Record<string, number>;
  silver_diagnosis: Record<string, number>;
}

interface VitalsCounts {
  rows: number;
  listed: number;
  quarantined: number;
  failed_expectations: Record<string, number>;
  problems: Record<string, number>;
  alerts: Record<string, number>;
}

function zeroMap(keys: readonly string[]): Record<string, number> {
  const o: Record<string, number> = {};
  for (const k of keys) o[k] = 0;
  return o;
}

function bump(m: Record<string, number>, k: string, n = 1): void {
  m[k] = (m[k] ?? 0) + n;
}

function sortedMap(m: Record<string, number>): Record<string, number> {
  const o: Record<string, number> = {};
  for (const k of Object.keys(m).sort()) o[k] = m[k];
  return o;
}

/** Adds numeric leaves of `src` into `dst` (objects recursively). */
function deepAdd(dst: Record<string, unknown>, src: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(src)) {
    if (typeof v === 'number') dst[k] = ((dst[k] as number | undefined) ?? 0) + v;
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const sub = (dst[k] ??= {}) as Record<string, unknown>;
      deepAdd(sub, v as Record<string, unknown>);
    }
  }
}

interface FileEntry {
  file: string;
  kind: 'patients' | 'vitals';
  index: number;
  [k: string]: unknown;
  rows: unknown[];
}

/** A file entry as it is written: one JSON object, its row entries one per line. */
function serializeEntry(head: Record<string, unknown>, rows: RowLog): Buffer {
  const h = JSON.stringify(head);
  return Buffer.concat([
    Buffer.from(h.slice(0, -1) + ',"rows":[', 'latin1'), rows.bytes(), Buffer.from(rows.n > 0 ? '\n]}' : ']}', 'latin1'),
  ]);
}

/** Ground-truth row entries of one file, as JSON text bytes (one per line), so that no row strings stay alive. */
class RowLog {
  private readonly sink = new ByteSink(4096);
  n = 0;
  /** Adds one entry given as JSON text. */
  add(json: string): void {
    this.start();
    this.sink.write(json);
  }
  /** Starts an entry written piecewise with the methods below. */
  start(): void {
    this.sink.write(this.n === 0 ? '\n' : ',\n');
    this.n++;
  }
  table(t: ByteTable): void {
    this.sink.ensure(t.start[1] + 8);
    this.sink.len = copyEntry(this.sink.view, this.sink.len, t, 0);
  }
  str(s: string): void {
    this.sink.write(s);
  }
  int(v: number): void {
    this.sink.write(String(v));
  }
  /** A JSON array of identifier-like strings (nothing to escape). */
  names(a: readonly string[]): void {
    if (a.length === 0) { this.sink.write('[]'); return; }
    for (let i = 0; i < a.length; i++) {
      this.sink.write(i === 0 ? '["' : '","');
      this.sink.write(a[i]);
    }
    this.sink.write('"]');
  }
  bytes(): Buffer {
    return this.sink.bytes();
  }
}

interface StoredEntry {
  kind: 'patients' | 'vitals';
  index: number;
  counts: Record<string, unknown>;
  fileProblems: string[];
  buf: Buffer;
}

// ---------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------

const FILE_RE = /^(?:patients_daily_file|vitals)_(\d{6,})\.csv$/;
const TMP_RE = /^\.(?:(?:patients_daily_file|vitals)_\d{6,}\.csv|ground_truth\.json)\.tmp$/;
const GT_NAME = 'ground_truth.json';
const GT_FORMAT = 'localdlt-generator-ground-truth/1';
/** Least time between two ground-truth rewrites when files come faster than that (see generate). */
const GT_MIN_INTERVAL_MS = 1000;

function flu(dateMs: number): number {
  // Day of year (0-based), peak around January 15th.
  const dt = new Date(dateMs);
  const doy = (dateMs - Date.UTC(dt.getUTCFullYear(), 0, 1)) / DAY_MS;
  const c = (1 + Math.cos((2 * Math.PI * (doy - 14)) / 365.25)) / 2;
  return 1 + 2.5 * c * c;
}

const OUTBREAK_FACTORS = [4, 7, 9, 6, 3];

function resolveOptions(opts: GenerateOptions) {
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
  return {
    out: opts.out, scenarios, has, rows, files: opts.files, everyMs, simStepMs, lateRate, dirtyRate, seed: String(seed), start,
    startMs: startMs(start), vitals: opts.vitals === true || has('vitals-deterioration'),
    log: opts.log === undefined ? (line: string) => { process.stderr.write(line + '\n'); } : opts.log,
  };
}

/**
 * Writes synthetic patients (and vitals) files into `opts.out` until
 * `opts.files` files are written or `signal` aborts. See the module comment.
 */
export async function generate(opts: GenerateOptions, signal?: AbortSignal): Promise<GenerateSummary> {
  const o = resolveOptions(opts);
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  const out = path.resolve(o.out);
  fs.mkdirSync(out, { recursive: true });

  // Existing files: continue numbering after the highest index; drop stale temporaries of ours.
  let maxIndex = -1;
  for (const name of fs.readdirSync(out)) {
    const m = FILE_RE.exec(name);
    if (m) maxIndex = Math.max(maxIndex, Number(m[1]));
    else if (TMP_RE.test(name)) fs.rmSync(path.join(out, name), { force: true });
  }
  const firstIndex = maxIndex + 1;

  const g: Gen = {
    seedHash: hashString(o.seed),
    rng: new Rng(),
    lateRate: o.lateRate,
    dirtyRate: o.dirtyRate,
    comboRate: o.has('dirty') ? 0.3 : 0.1,
    ctxByIndex: new Map(),
    dayCache: new Map(),
  };

  // Ground truth of earlier runs (kept for files that exist).
  const stored: StoredEntry[] = [];
  const survivedRoots = new Set<string>();
  const gtPath = path.join(out, GT_NAME);
  if (firstIndex > 0 && fs.existsSync(gtPath)) {
    try {
      const doc = JSON.parse(fs.readFileSync(gtPath, 'utf8')) as { format?: string; generator?: Record<string, unknown>; files?: FileEntry[] };
      if (doc.format !== GT_FORMAT || !Array.isArray(doc.files)) throw new Error('unknown format');
      // Rows of earlier files are regenerated (to re-send them as duplicates) only when they were made with the same settings.
      const prev = doc.generator ?? {};
      const sameRows = prev.seed === o.seed && prev.late_rate === o.lateRate && prev.dirty_rate === o.dirtyRate
        && Array.isArray(prev.scenarios) && (prev.scenarios as string[]).includes('dirty') === o.has('dirty');
      if (!sameRows) log(`generate: note: ${out} was generated with other seed or rates; duplicates will only re-send rows of this run`);
      for (const e of doc.files) {
        if (e.index >= firstIndex) continue;
        const { rows: rowEntries, ...head } = e;
        const rowJson = new RowLog();
        for (const r of rowEntries as Record<string, unknown>[]) rowJson.add(JSON.stringify(r));
        stored.push({
          kind: e.kind, index: e.index, counts: e.counts as Record<string, unknown>,
          fileProblems: (e.file_problems as string[] | undefined) ?? [], buf: serializeEntry(head, rowJson),
        });
        if (e.kind === 'patients' && sameRows) {
          const layout = makeLayout(e.columns as string[], e.admission_date_format === 'MM/DD/YYYY');
          g.ctxByIndex.set(e.index, makeCtx(e.index, e.row_count as number, Date.parse(e.sim_start as string), Date.parse(e.sim_end as string),
            e.diagnosis_weights as number[], layout));
          for (const r of rowEntries as { survives_dedup?: boolean; duplicate_of?: { file: string; line: number } }[]) {
            if (r.duplicate_of && r.survives_dedup) survivedRoots.add(r.duplicate_of.file + ':' + r.duplicate_of.line);
          }
        }
      }
      const known = new Set(stored.filter((s) => s.kind === 'patients').map((s) => s.index));
      const missing: number[] = [];
      for (let i = 0; i < firstIndex; i++) if (!known.has(i) && fs.existsSync(path.join(out, patientsFileName(i)))) missing.push(i);
      if (missing.length > 0) log(`generate: warning: ${GT_NAME} has no entry for ${missing.length} existing file(s) (e.g. ${patientsFileName(missing[0])}); they are left out of the ground truth`);
    } catch (e) {
      log(`generate: warning: ignoring unreadable ${GT_NAME} (${(e as Error).message}); it is rewritten with the files of this run only`);
      stored.length = 0;
      g.ctxByIndex.clear();
      survivedRoots.clear();
    }
  }

  // Scenario parameters (file indices relative to the first file of this run).
  const params: ScenarioParams = {};
  let outbreakCode = -1;
  if (o.has('outbreak')) {
    outbreakCode = mix32(g.seedHash ^ 0x0b7b4eaa) % 10;
    params.outbreak = { diagnosis: CODES[outbreakCode], first_file: firstIndex + 10, last_file: firstIndex + 14, factors: OUTBREAK_FACTORS };
  }
  if (o.has('flu-season')) params.flu_season = { diagnoses: ['D003', 'D004'], peak: 'January 15', max_factor: 3.5 };
  if (o.has('schema-drift')) {
    const n = o.files;
    const at = (q: number, dflt: number): number => firstIndex + (n === undefined ? dflt : Math.max(1, Math.round(n * q)));
    params.schema_drift = { insurance_id_from: at(0.25, 10), contact_number_missing_from: at(0.5, 20), mmddyyyy_from: at(0.75, 30) };
  }

  const baseCols = [...PATIENT_COLUMNS] as string[];
  const layouts = [
    makeLayout(baseCols, false),
    makeLayout([...baseCols, 'insurance_id'], false),
    makeLayout([...baseCols.filter((c) => c !== 'contact_number'), 'insurance_id'], false),
    makeLayout([...baseCols.filter((c) => c !== 'contact_number'), 'insurance_id'], true),
  ];
  const layoutFor = (index: number): Layout => {
    const sd = params.schema_drift;
    if (!sd) return layouts[0];
    if (index >= sd.mmddyyyy_from) return layouts[3];
    if (index >= sd.contact_number_missing_from) return layouts[2];
    if (index >= sd.insurance_id_from) return layouts[1];
    return layouts[0];
  };

  const generatorDoc = {
    seed: o.seed, scenarios: o.scenarios, rows: o.rows, start: o.start, sim_step_ms: o.simStepMs,
    late_rate: o.lateRate, dirty_rate: o.dirtyRate, vitals: o.vitals, first_file_of_run: firstIndex, scenario_params: params,
  };

  const summary: GenerateSummary = {
    outDir: out, groundTruthPath: gtPath, firstIndex: null, lastIndex: null, files: [], filesWritten: 0, vitalsFilesWritten: 0,
    rows: 0, vitalsRows: 0, problems: {}, vitalsProblems: {}, fileProblems: {}, quarantined: 0, dedupDropped: 0, silverRows: 0,
    warnings: zeroMap(PATIENT_WARN_EXPECTATIONS), vitalsQuarantined: 0, alerts: {}, scenarios: o.scenarios, scenarioParams: params,
    aborted: false, elapsedMs: 0, rowsPerSecond: 0,
  };

  const rec = newRec();

  // Running totals of the ground truth (earlier runs' files included).
  const totals = {
    patients_files: 0, vitals_files: 0, patients: {} as Record<string, unknown>, vitals: {} as Record<string, unknown>,
    file_problems: {} as Record<string, number>,
  };
  const addTotals = (s: StoredEntry): void => {
    if (s.kind === 'patients') { totals.patients_files++; deepAdd(totals.patients, s.counts); } else { totals.vitals_files++; deepAdd(totals.vitals, s.counts); }
    for (const p of s.fileProblems) bump(totals.file_problems, p);
  };
  const groundTruthHead = (): Buffer => {
    const t = { ...totals, patients: { ...totals.patients }, vitals: { ...totals.vitals }, file_problems: sortedMap(totals.file_problems) };
    for (const x of [t.patients, t.vitals]) if (x.problems) x.problems = sortedMap(x.problems as Record<string, number>);
    return Buffer.from('{"format":' + JSON.stringify(GT_FORMAT) + ',\n'
      + '"about":' + JSON.stringify('Rows not listed under a file are clean: no problems, no failed expectations, not quarantined, '
        + 'survive deduplication, no warnings. line = physical line number, the header is line 1. warnings are only given for rows '
        + 'that reach patients_silver. Expectations are evaluated after cleaning (see assumptions).') + ',\n'
      + '"generator":' + JSON.stringify(generatorDoc) + ',\n'
      + '"expectations":' + JSON.stringify({
        patients_clean_drop: PATIENT_DROP_EXPECTATIONS, patients_silver_dedup_keys: ['patient_id', 'admission_date', 'diagnosis_code'],
        patients_silver_warn: PATIENT_WARN_EXPECTATIONS, vitals_drop: VITALS_DROP_EXPECTATIONS, vitals_alerts: VITALS_ALERTS,
      }) + ',\n'
      + '"assumptions":' + JSON.stringify(ASSUMPTIONS) + ',\n'
      + '"totals":' + JSON.stringify(t) + ',\n'
      + '"files":[\n');
  };

  // All writing happens on a worker thread, in order (see FileWriter).
  const writer = new FileWriter(out);
  for (const s of stored) { writer.entry(s.buf); addTotals(s); }
  stored.length = 0;
  const logWhenWritten = (p: Promise<void>, line: string): Promise<void> => p.then(() => log(line));

  const dedup: DedupState = { survivedRoots, memo: new Map(), rec: newRec() };

  const onAbort = (): void => { summary.aborted = true; };
  signal?.addEventListener('abort', onAbort, { once: true });
  const pace0 = performance.now();
  try {
    let index = firstIndex;
    for (let n = 0; o.files === undefined || n < o.files; n++, index++) {
      if (signal?.aborted) { summary.aborted = true; break; }
      if (n > 0) {
        if (o.everyMs > 0) {
          // Fixed rate: file n is due `n * every` after the first one (the clock only paces, it never shapes content).
          const wait = Math.max(0, pace0 + n * o.everyMs - performance.now());
          try {
            await sleep(wait, undefined, signal ? { signal } : undefined);
          } catch {
            summary.aborted = true;
            break;
          }
        } else {
          await new Promise<void>((r) => setImmediate(r));
          if (signal?.aborted) { summary.aborted = true; break; }
        }
      }

      // ---- file context
      const simStart = o.startMs + index * o.simStepMs;
      const simEnd = simStart + o.simStepMs;
      const w = DIAGNOSES.map((d) => d.weight as number);
      let outbreakFactor = 1;
      if (o.has('flu-season')) {
        const fl = flu(simStart + o.simStepMs / 2);
        w[2] *= fl;
        w[3] *= fl;
      }
      if (params.outbreak && index >= params.outbreak.first_file && index <= params.outbreak.last_file) {
        outbreakFactor = OUTBREAK_FACTORS[index - params.outbreak.first_file];
        w[outbreakCode] *= outbreakFactor;
      }
      const wsum = w.reduce((s, x) => s + x, 0);
      const weights = w.map((x) => Math.round((x / wsum) * 1e6) / 1e6);
      const layout = layoutFor(index);
      const ctx = makeCtx(index, o.rows, simStart, simEnd, weights, layout);
      g.ctxByIndex.set(index, ctx);
      const fileRng = new Rng();
      fileRng.s = mix32(g.seedHash ^ mix32(Math.imul(index + 1, 0x27d4eb2f) ^ 0xf11e));
      const crlf = fileRng.next() < Math.min(0.5, o.dirtyRate * 2);
      const fileProblems: string[] = [];
      if (crlf) fileProblems.push('crlf_line_endings');
      if (layout.hasIns) fileProblems.push('insurance_id_column_added');
      if (!layout.hasContact) fileProblems.push('contact_number_column_missing');
      if (layout.usDate) fileProblems.push('date_format_mmddyyyy');

      // ---- patients rows
      const { content, counts, rowJson, admitted } = buildPatients(g, ctx, crlf, o.vitals, rec, dedup);

      const written: Promise<void>[] = [writer.file(ctx.name, content)];
      summary.files.push(ctx.name);
      const head: Record<string, unknown> = {
        file: ctx.name, kind: 'patients', index, sim_start: new Date(simStart).toISOString(), sim_end: new Date(simEnd).toISOString(),
        row_count: o.rows, columns: layout.columns, admission_date_format: layout.usDate ? 'MM/DD/YYYY' : 'YYYY-MM-DD',
        line_ending: crlf ? 'CRLF' : 'LF', file_problems: fileProblems, diagnosis_weights: weights,
      };
      if (outbreakFactor !== 1) head.outbreak = { diagnosis: CODES[outbreakCode], factor: outbreakFactor };
      head.counts = counts;
      const entries: StoredEntry[] = [{ kind: 'patients', index, counts: counts as unknown as Record<string, unknown>, fileProblems, buf: serializeEntry(head, rowJson) }];

      summary.filesWritten++;
      summary.rows += o.rows;
      summary.firstIndex ??= index;
      summary.lastIndex = index;
      for (const [k, v] of Object.entries(counts.problems)) bump(summary.problems, k, v);
      for (const p of fileProblems) bump(summary.fileProblems, p);
      summary.quarantined += counts.quarantined;
      summary.dedupDropped += counts.dedup_dropped;
      summary.silverRows += counts.silver_rows;
      for (const [k, v] of Object.entries(counts.warnings)) bump(summary.warnings, k, v);

      let vitalsNote = '';
      if (o.vitals) {
        const vr = genVitals(g, o, ctx, admitted);
        written.push(writer.file(vr.name, vr.content));
        summary.files.push(vr.name);
        entries.push({ kind: 'vitals', index, counts: vr.counts as unknown as Record<string, unknown>, fileProblems: [], buf: serializeEntry(vr.head, vr.rowJson) });
        summary.vitalsFilesWritten++;
        summary.vitalsRows += vr.counts.rows;
        summary.vitalsQuarantined += vr.counts.quarantined;
        for (const [k, v] of Object.entries(vr.counts.problems)) bump(summary.vitalsProblems, k, v);
        for (const [k, v] of Object.entries(vr.counts.alerts)) bump(summary.alerts, k, v);
        vitalsNote = `, ${vr.name} (${vr.counts.rows} rows, ${vr.counts.listed} listed)`;
      }
      for (const e of entries) { writer.entry(e.buf); addTotals(e); }
      // With --every > 0 the file and its ground truth are on disk before the pause; back to back, the
      // writer thread catches up on its own (the ground truth being rewritten at most once a second).
      const gtDone = writer.groundTruth(groundTruthHead(), o.everyMs > 0);
      const shown = logWhenWritten(Promise.all(written).then(() => undefined),
        `generate: wrote ${ctx.name} (${o.rows} rows, ${counts.listed} listed in ${GT_NAME}, ${counts.quarantined} to quarantine)${vitalsNote}`);
      if (o.everyMs > 0) await Promise.all([shown, gtDone]);
      else {
        shown.catch(() => {}); // a failed write is reported by backpressure() or close()
        await writer.backpressure();
      }
    }
    if (summary.filesWritten === 0) void writer.groundTruth(groundTruthHead(), true);
    await writer.close();
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await writer.close().catch(() => {});
  }
  summary.problems = sortedMap(summary.problems);
  summary.vitalsProblems = sortedMap(summary.vitalsProblems);
  summary.fileProblems = sortedMap(summary.fileProblems);
  summary.alerts = sortedMap(summary.alerts);
  summary.elapsedMs = performance.now() - t0;
  summary.rowsPerSecond = summary.elapsedMs > 0 ? Math.round((summary.rows / summary.elapsedMs) * 1000) : 0;
  log(`generate: ${summary.aborted ? 'stopped' : 'done'}: ${summary.filesWritten} file(s), ${summary.rows} rows`
    + `${o.vitals ? ` (+ ${summary.vitalsRows} vitals rows)` : ''} in ${(summary.elapsedMs / 1000).toFixed(2)} s (${summary.rowsPerSecond} rows/s); ground truth in ${gtPath}`);
  return summary;
}

/**
 * The writer thread: plain synchronous file system calls, one message at a
 * time, so files appear in order and the generating thread never waits for
 * the disk (creating and renaming files, and the flush ext4 does when a large
 * ground_truth.json replaces the previous one, can block for milliseconds).
 * Messages: `file` (write `.name.tmp`, rename to `name`), `entry` (a
 * ground-truth file entry, kept for every later rewrite), `gt` (rewrite
 * ground_truth.json with this head, at most once per `minIntervalMs` unless
 * urgent; pending requests are answered by the next rewrite), `flush`.
 * Plain JavaScript, so that it runs from the TypeScript sources as well.
 */
const WRITER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const dir = workerData.dir;
const entries = [];
const SEP = Buffer.from(',\\n');
const TAIL = Buffer.from('\\n]}\\n');
let gt = null;
let lastGt = -Infinity;
let timer = null;
const done = (id, error) => parentPort.postMessage({ id, error: error === undefined ? undefined : String((error && error.message) || error) });
function writeGroundTruth() {
  if (timer !== null) { clearTimeout(timer); timer = null; }
  if (gt === null) return;
  const { head, ids } = gt;
  gt = null;
  lastGt = Date.now();
  let error;
  try {
    const bufs = [head];
    entries.forEach((e, i) => { if (i > 0) bufs.push(SEP); bufs.push(e); });
    bufs.push(TAIL);
    const tmp = path.join(dir, '.ground_truth.json.tmp');
    const fd = fs.openSync(tmp, 'w');
    try { fs.writevSync(fd, bufs); } finally { fs.closeSync(fd); }
    fs.renameSync(tmp, path.join(dir, 'ground_truth.json'));
  } catch (e) { error = e; }
  for (const id of ids) done(id, error);
}
parentPort.on('message', (m) => {
  try {
    if (m.op === 'file') {
      const tmp = path.join(dir, '.' + m.name + '.tmp');
      fs.writeFileSync(tmp, m.data);
      fs.renameSync(tmp, path.join(dir, m.name));
      done(m.id);
    } else if (m.op === 'entry') {
      entries.push(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
    } else if (m.op === 'gt') {
      gt = { head: Buffer.from(m.head.buffer, m.head.byteOffset, m.head.byteLength), ids: gt === null ? [m.id] : gt.ids.concat(m.id) };
      const wait = lastGt + workerData.minIntervalMs - Date.now();
      if (m.urgent || wait <= 0) writeGroundTruth();
      else if (timer === null) timer = setTimeout(writeGroundTruth, wait);
    } else if (m.op === 'flush') {
      writeGroundTruth();
      done(m.id);
    }
  } catch (e) {
    if (m.id !== undefined) done(m.id, e);
  }
});
`;

/** Main-thread side of the writer thread. */
class FileWriter {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void; file: boolean }>();
  private nextId = 0;
  /** Files sent and not yet written (ground-truth requests wait for the next rewrite and are not counted). */
  private inFlight = 0;
  private failure: Error | null = null;
  private closing: Promise<void> | null = null;
  private drained: (() => void) | null = null;

  constructor(dir: string) {
    this.worker = new Worker(WRITER_SOURCE, { eval: true, workerData: { dir, minIntervalMs: GT_MIN_INTERVAL_MS } });
    this.worker.on('message', (m: { id: number; error?: string }) => {
      const w = this.waiting.get(m.id);
      if (w === undefined) return;
      this.waiting.delete(m.id);
      if (w.file) this.inFlight--;
      if (m.error !== undefined) {
        const e = new Error(`generate: writing in ${dir} failed: ${m.error}`);
        this.failure ??= e;
        w.reject(e);
      } else w.resolve();
      if (this.drained !== null && this.inFlight <= FileWriter.MAX_IN_FLIGHT / 2) { const d = this.drained; this.drained = null; d(); }
    });
    this.worker.on('error', (e: Error) => this.fail(e));
    this.worker.on('exit', () => this.fail(new Error('generate: the writer thread stopped')));
  }

  static readonly MAX_IN_FLIGHT = 8;

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiting.values()) w.reject(this.failure);
    this.waiting.clear();
    this.inFlight = 0;
    if (this.drained !== null) { const d = this.drained; this.drained = null; d(); }
  }

  private send(msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<void> {
    if (this.failure !== null) {
      const r = Promise.reject(this.failure);
      r.catch(() => {}); // reported by backpressure() and close()
      return r;
    }
    const id = this.nextId++;
    const file = msg.op === 'file';
    const p = new Promise<void>((resolve, reject) => this.waiting.set(id, { resolve, reject, file }));
    p.catch(() => {}); // failures are also reported by backpressure() and close()
    if (file) this.inFlight++;
    this.worker.postMessage({ ...msg, id }, transfer);
    return p;
  }

  /** Writes `data` as `name` (under `.name.tmp`, then renamed); resolves once the file is visible. `data` is handed over. */
  file(name: string, data: Buffer): Promise<void> {
    // ByteSink buffers own their memory (allocUnsafeSlow), so they can be moved instead of copied.
    const own = data.buffer.byteLength >= data.byteLength && !(data.buffer instanceof SharedArrayBuffer) && data.byteOffset === 0 && data.buffer.byteLength > 4096;
    return this.send({ op: 'file', name, data }, own ? [data.buffer as ArrayBuffer] : []);
  }

  /** Appends a ground-truth file entry (copied). */
  entry(buf: Buffer): void {
    if (this.failure !== null) return;
    this.worker.postMessage({ op: 'entry', data: buf });
  }

  /** Rewrites ground_truth.json with `head` and every entry so far (coalesced unless urgent). */
  groundTruth(head: Buffer, urgent: boolean): Promise<void> {
    return this.send({ op: 'gt', head, urgent });
  }

  /** Waits while too many files are queued; throws if a write failed. */
  async backpressure(): Promise<void> {
    if (this.inFlight > FileWriter.MAX_IN_FLIGHT && this.failure === null) await new Promise<void>((r) => { this.drained = r; });
    if (this.failure !== null) throw this.failure;
  }

  /** Writes what is pending (the last ground truth included) and stops the thread; throws if a write failed. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        if (this.failure === null) await this.send({ op: 'flush' });
      } finally {
        this.worker.removeAllListeners('exit');
        await this.worker.terminate();
      }
      if (this.failure !== null) throw this.failure;
    })();
    return this.closing;
  }
}

/** What deduplication needs to know across files: originals whose key already reached silver through a re-send. */
interface DedupState {
  /** `file:line` of originals one of whose re-sends reached patients_silver. */
  survivedRoots: Set<string>;
  /** `file:line` of an original -> it passed the drop expectations in its own file. */
  memo: Map<string, boolean>;
  rec: Rec;
}

function rootPasses(g: Gen, dedup: DedupState, ctx: FileCtx, row: number): boolean {
  const key = ctx.name + ':' + (row + 2);
  let v = dedup.memo.get(key);
  if (v === undefined) {
    const saved = g.rng.s;
    genRow(g, ctx, row, dedup.rec, true);
    g.rng.s = saved;
    v = evalPatient(dedup.rec, ctx.layout).failed.length === 0;
    if (dedup.memo.size > 100_000) dedup.memo.clear();
    dedup.memo.set(key, v);
  }
  return v;
}

interface PatientsFile {
  content: Buffer;
  counts: PatientCounts;
  /** Ground-truth row entries, as JSON. */
  rowJson: RowLog;
  /** Patient ids admitted by the file (for vitals). */
  admitted: string[];
}

/** Generates one patients file: its bytes, its ground-truth rows (JSON) and counts. */
type WorkCounts = PatientCounts & { rowJson: RowLog; diagCount: number[]; otherDiag: Record<string, number> };

function buildPatients(g: Gen, ctx: FileCtx, crlf: boolean, vitals: boolean, rec: Rec, dedup: DedupState): PatientsFile {
  const layout = ctx.layout;
  const rows = ctx.rows;
  const eol = crlf ? '\r\n' : '\n';
  const counts: WorkCounts = {
    rows, listed: 0, quarantined: 0, passed_expectations: 0, dedup_dropped: 0, silver_rows: 0,
    failed_expectations: zeroMap(PATIENT_DROP_EXPECTATIONS), warnings: zeroMap(PATIENT_WARN_EXPECTATIONS), problems: {}, silver_diagnosis: {},
    rowJson: new RowLog(), diagCount: new Array<number>(10).fill(0), otherDiag: {},
  };
  const admitted: string[] = [];
  const content = new ByteSink(64 + rows * 110);
  content.write(layout.columns.join(',') + eol);
  const lateRows = fillRows(g, ctx, rec, content, fileBytes(ctx, layout.hasIns, crlf), counts, dedup, vitals ? admitted : null);
  if (lateRows > 0) bump(counts.problems, 'late', lateRows);
  const out: PatientCounts = {
    rows, listed: counts.rowJson.n, quarantined: counts.quarantined, passed_expectations: rows - counts.quarantined,
    dedup_dropped: counts.dedup_dropped, silver_rows: rows - counts.quarantined - counts.dedup_dropped,
    failed_expectations: counts.failed_expectations, warnings: counts.warnings, problems: sortedMap(counts.problems), silver_diagnosis: {},
  };
  for (let i = 0; i < 10; i++) if (counts.diagCount[i] > 0) out.silver_diagnosis[CODES[i]] = counts.diagCount[i];
  for (const k of Object.keys(counts.otherDiag).sort()) out.silver_diagnosis[k] = counts.otherDiag[k];
  return { content: content.bytes(), counts: out, rowJson: counts.rowJson, admitted };
}

/**
 * The row loop of a patients file; returns the number of rows that are only
 * late. (Kept to the loop alone: V8 compiles it on-stack while it runs, and
 * code after a loop has no type feedback yet, which would throw the compiled
 * code away at the end of every file.)
 */
function fillRows(g: Gen, ctx: FileCtx, rec: Rec, content: ByteSink, fb: FileBytes, counts: WorkCounts, dedup: DedupState, admitted: string[] | null): number {
  const layout = ctx.layout;
  const rows = ctx.rows;
  const fast = layout.hasContact && !layout.usDate;
  const diagCount = counts.diagCount;
  let lateRows = 0;
  for (let r = 0; r < rows; r++) {
    genRow(g, ctx, r, rec, !fast);
    if (fast && (rec.problems === NO_PROBLEMS || (rec.lazy && rec.problems.length === 1))) {
      // Clean (or only late, which passes everything): written from the tables.
      emitClean(content, rec, fb);
      diagCount[rec.diag]++;
      if (admitted !== null) admitted.push(pidOf(ctx, r));
      if (rec.problems !== NO_PROBLEMS) {
        lateRows++;
        const log = counts.rowJson;
        log.start();
        log.table(fb.entryHead);
        log.int(r + 2);
        log.table(LATE_ENTRY_TAIL);
      }
    } else {
      slowRow(g, ctx, r, rec, content, fb, counts, dedup);
      if (admitted !== null && rec.admitted) admitted.push(pidOf(ctx, r));
    }
  }
  return lateRows;
}

/** A row that needs the rules: rendered from its field strings, evaluated, listed in the ground truth. */
function slowRow(
  g: Gen, ctx: FileCtx, r: number, rec: Rec, content: ByteSink, fb: FileBytes, counts: WorkCounts, dedup: DedupState,
): void {
  const layout = ctx.layout;
  materialize(g, rec);
  emitLine(content, rec, layout, fb.crlf);
  // rec.problems is a fresh array for every row that has problems.
  const problems = rec.problems === NO_PROBLEMS ? [] : rec.problems;
  if (rec.dateIso && layout.usDate && rec.malformed === 0) problems.push('date_format_mmddyyyy');
  if (!layout.hasContact && rec.malformed === 0) problems.push('contact_number_column_missing');
  const v = evalPatient(rec, layout);
  const quarantined = v.failed.length > 0;
  let survives = !quarantined;
  let dupOf: { file: string; line: number } | undefined;
  if (rec.rootCtx !== null) {
    dupOf = { file: rec.rootCtx.name, line: rec.rootRow + 2 };
    if (survives) {
      const rk = dupOf.file + ':' + dupOf.line;
      if (rootPasses(g, dedup, rec.rootCtx, rec.rootRow) || dedup.survivedRoots.has(rk)) survives = false;
      else dedup.survivedRoots.add(rk);
    }
  }
  const warnings: string[] = [];
  if (survives) {
    if (v.code === null || !CODES.includes(v.code)) warnings.push('known_diagnosis');
    if (!v.contact) warnings.push('has_contact_number');
  }
  for (const p of problems) bump(counts.problems, p);
  for (const x of v.failed) counts.failed_expectations[x]++;
  for (const x of warnings) counts.warnings[x]++;
  if (quarantined) counts.quarantined++;
  else if (!survives) counts.dedup_dropped++;
  if (survives) {
    const ci = v.code === null ? -1 : CODES.indexOf(v.code);
    if (ci >= 0) counts.diagCount[ci]++;
    else bump(counts.otherDiag, v.code ?? 'null');
  }
  // Same text as JSON.stringify of {file, line, problems, failed_expectations, quarantined, survives_dedup, warnings[, duplicate_of]}
  // (every name here is a plain identifier, nothing needs escaping).
  const log = counts.rowJson;
  log.start();
  log.table(fb.entryHead);
  log.int(r + 2);
  log.str(',"problems":');
  log.names(problems);
  log.str(',"failed_expectations":');
  log.names(v.failed);
  log.str(quarantined ? ',"quarantined":true,"survives_dedup":' : ',"quarantined":false,"survives_dedup":');
  log.str(survives ? 'true,"warnings":' : 'false,"warnings":');
  log.names(warnings);
  if (dupOf) {
    log.str(',"duplicate_of":{"file":"');
    log.str(dupOf.file);
    log.str('","line":');
    log.int(dupOf.line);
    log.str('}');
  }
  log.str('}');}


const ASSUMPTIONS = [
  'CSV columns are mapped by header name; a declared column missing from the header is NULL.',
  'A line with fewer fields than the header leaves the missing trailing columns NULL; fields beyond the header are rescued and do not affect expectations.',
  'Quoted fields follow RFC 4180 (a comma inside quotes is data); CRLF and LF line endings are both accepted.',
  'Cleaning: values are trimmed; empty, null, na, n/a, nan, none (case-insensitive) are NULL; age and integer vitals must be [+-]?digits within int32; '
  + 'temperature_c a decimal; admission_date exactly YYYY-MM-DD and a real calendar date; measured_at an ISO-8601 timestamp; '
  + 'otherwise NULL. gender is upper-cased, MALE -> M, FEMALE -> F; diagnosis_code is upper-cased.',
  'A NULL result of an expectation predicate counts as a failure (e.g. gender IN (M, F) with NULL gender); vitals range rules and bp_order pass when a value is NULL.',
  'patients_silver keeps the first occurrence (file order, then line order) of each (patient_id, admission_date, diagnosis_code) among rows that passed patients_clean.',
];

// ---------------------------------------------------------------------------
// Vitals
// ---------------------------------------------------------------------------

const VITALS_DIRT: readonly (readonly [string, number])[] = [
  ['null_patient_id', 3], ['invalid_measured_at', 3], ['null_measured_at', 1], ['no_vitals', 2], ['heart_rate_out_of_range', 2],
  ['systolic_bp_out_of_range', 2], ['diastolic_bp_out_of_range', 1], ['temperature_out_of_range', 2], ['spo2_out_of_range', 2],
  ['bp_order', 2], ['non_numeric_vital', 2], ['null_vital', 2], ['whitespace_padding', 2], ['unknown_patient', 1],
];
const VITALS_DIRT_TOTAL = VITALS_DIRT.reduce((s, k) => s + k[1], 0);

function pickVitalsDirt(u: number): string {
  let acc = 0;
  for (const [k, w] of VITALS_DIRT) { acc += w / VITALS_DIRT_TOTAL; if (u < acc) return k; }
  return VITALS_DIRT[VITALS_DIRT.length - 1][0];
}

const SIGNS = ['heart_rate', 'spo2', 'temperature_c', 'systolic_bp'] as const;
/** `30.0` .. `49.9`. */
const TEMP_STR: string[] = Array.from({ length: 200 }, (_, i) => ((300 + i) / 10).toFixed(1));

function evalVitals(v: string[]): { failed: string[]; alerts: string[] } {
  const failed: string[] = [];
  if (clean(v[0]) === null) failed.push('valid_patient_id');
  if (!cleanTimestamp(v[1])) failed.push('valid_measured_at');
  const hr = cleanInt(v[2]), sys = cleanInt(v[3]), dia = cleanInt(v[4]), temp = cleanDouble(v[5]), spo2 = cleanInt(v[6]);
  if (hr === null && sys === null && dia === null && temp === null && spo2 === null) failed.push('has_vitals');
  if (hr !== null && (hr < 20 || hr > 250)) failed.push('heart_rate_range');
  if (sys !== null && (sys < 50 || sys > 260)) failed.push('systolic_bp_range');
  if (dia !== null && (dia < 20 || dia > 160)) failed.push('diastolic_bp_range');
  if (temp !== null && (temp < 30 || temp > 45)) failed.push('temperature_c_range');
  if (spo2 !== null && (spo2 < 50 || spo2 > 100)) failed.push('spo2_range');
  if (sys !== null && dia !== null && !(sys > dia)) failed.push('bp_order');
  const alerts: string[] = [];
  if (failed.length === 0) {
    if (hr !== null && hr > 120) alerts.push('heart_rate_gt_120');
    if (spo2 !== null && spo2 < 90) alerts.push('spo2_lt_90');
    if (temp !== null && temp >= 38.5) alerts.push('temperature_c_ge_38_5');
    if (sys !== null && sys < 90) alerts.push('systolic_bp_lt_90');
  }
  return { failed, alerts };
}

function genVitals(g: Gen, o: { lateRate: number; dirtyRate: number; has: (s: ScenarioName) => boolean }, ctx: FileCtx, admitted: string[]) {
  const name = vitalsFileName(ctx.index);
  const rng = new Rng();
  rng.s = mix32(g.seedHash ^ mix32(Math.imul(ctx.index + 1, 0x165667b1) ^ 0x7a1));
  const dirtyRate = Math.min(1, o.dirtyRate * 0.5);
  const deteriorate = o.has('vitals-deterioration');
  const counts: VitalsCounts = { rows: 0, listed: 0, quarantined: 0, failed_expectations: zeroMap(VITALS_DROP_EXPECTATIONS), problems: {}, alerts: {} };
  const rowJson = new RowLog();
  const deteriorating: { patient_id: string; signs: string[] }[] = [];
  const content = new ByteSink(64 + admitted.length * 4 * 64);
  content.write(VITALS_COLUMNS.join(',') + '\n');
  let line = 1;
  const stepMs = ctx.simEndMs - ctx.simStartMs;
  const v: string[] = new Array<string>(7).fill('');
  const minutes = new Map<number, string>();
  let chunk = '';
  for (const pid of admitted) {
    const det = deteriorate && rng.next() < 0.1;
    const n = det ? 4 + rng.int(3) : 2 + rng.int(3);
    const span = (n - 1) * 30 * 60_000;
    const t0 = Math.floor((ctx.simStartMs + rng.next() * Math.max(0, stepMs - span)) / 60_000) * 60_000;
    const base = { hr: 60 + rng.int(36), sys: 105 + rng.int(36), dia: 65 + rng.int(24), temp: 36.3 + rng.next(), spo2: 95 + rng.int(5) };
    let signs: string[] = [];
    let target = { hr: 0, sys: 0, dia: 0, temp: 0, spo2: 0 };
    if (det) {
      signs = SIGNS.filter(() => rng.next() < 0.5);
      if (signs.length === 0) signs = [SIGNS[rng.int(4)]];
      target = { hr: 125 + rng.int(21), sys: 78 + rng.int(11), dia: 50 + rng.int(9), temp: 38.6 + rng.next(), spo2: 84 + rng.int(6) };
      deteriorating.push({ patient_id: pid, signs });
    }
    let t = t0;
    for (let k = 0; k < n; k++) {
      const p = n > 1 ? k / (n - 1) : 1;
      let hr = base.hr + rng.int(7) - 3;
      let sys = base.sys + rng.int(9) - 4;
      let dia = base.dia + rng.int(7) - 3;
      let temp = base.temp + (rng.next() - 0.5) * 0.4;
      let spo2 = Math.min(100, base.spo2 + rng.int(3) - 1);
      if (det) {
        if (signs.includes('heart_rate')) hr = Math.round(base.hr + p * (target.hr - base.hr));
        if (signs.includes('systolic_bp')) { sys = Math.round(base.sys + p * (target.sys - base.sys)); dia = Math.min(dia, Math.round(base.dia + p * (target.dia - base.dia))); }
        if (signs.includes('temperature_c')) temp = base.temp + p * (target.temp - base.temp);
        if (signs.includes('spo2')) spo2 = Math.round(base.spo2 + p * (target.spo2 - base.spo2));
      }
      let ms = t;
      const problems: string[] = [];
      if (rng.next() < o.lateRate) { ms -= (1 + rng.int(10)) * DAY_MS; problems.push('late'); }
      if (det) problems.push('deteriorating');
      v[0] = pid;
      let at = minutes.get(ms);
      if (at === undefined) minutes.set(ms, (at = isoMinute(ms)));
      v[1] = at;
      v[2] = String(hr);
      v[3] = String(sys);
      v[4] = String(dia);
      const tenths = Math.round(temp * 10);
      v[5] = tenths >= 300 && tenths < 500 ? TEMP_STR[tenths - 300] : (tenths / 10).toFixed(1);
      v[6] = String(spo2);
      if (rng.next() < dirtyRate) {
        const kind = pickVitalsDirt(rng.next());
        problems.push(kind);
        const vi = 2 + rng.int(5);
        switch (kind) {
          case 'null_patient_id': v[0] = rng.pick(NULL_MARKERS_OUT); break;
          case 'invalid_measured_at': {
            const iso = v[1];
            v[1] = rng.pick([iso.slice(0, 5) + '02-30' + iso.slice(10), iso.slice(5, 7) + '/' + iso.slice(8, 10) + '/' + iso.slice(0, 4) + ' ' + iso.slice(11, 16),
              iso.slice(0, 11) + '25' + iso.slice(13), 'yesterday 8am']);
            break;
          }
          case 'null_measured_at': v[1] = rng.pick(NULL_MARKERS_OUT); break;
          case 'no_vitals': for (let i = 2; i < 7; i++) v[i] = rng.pick(['', '', 'null', 'N/A']); break;
          case 'heart_rate_out_of_range': v[2] = rng.pick(['0', '300', '15', '400']); break;
          case 'systolic_bp_out_of_range': v[3] = rng.pick(['300', '40', '45', '999']); break;
          case 'diastolic_bp_out_of_range': v[4] = rng.pick(['10', '180', '0']); break;
          case 'temperature_out_of_range': v[5] = rng.pick(['98.6', '101.2', '25.0', '47.5']); break;
          case 'spo2_out_of_range': v[6] = rng.pick(['101', '120', '45']); break;
          case 'bp_order': { const s = v[3]; v[3] = v[4]; v[4] = rng.next() < 0.3 ? v[3] : s; break; }
          case 'non_numeric_vital': v[vi] = rng.pick(['abc', '--', 'n.a.', 'high', '1;2']); break;
          case 'null_vital': v[vi] = rng.pick(NULL_MARKERS_OUT); break;
          case 'whitespace_padding': v[0] = ' ' + v[0] + ' '; v[vi] = '  ' + v[vi]; break;
          case 'unknown_patient': v[0] = 'P999' + T4[rng.int(10000)] + T4[rng.int(10000)]; break;
        }
      }
      // Lines are gathered in a string copied out natively every 64 KB (cheaper than copying each short line).
      chunk += v[0] + ',' + v[1] + ',' + v[2] + ',' + v[3] + ',' + v[4] + ',' + v[5] + ',' + v[6] + '\n';
      if (chunk.length > 65536) { content.write(chunk); chunk = ''; }
      line++;
      counts.rows++;
      // A reading without problems has in-range values by construction (no failure, no alert): only the others are checked.
      if (problems.length > 0) {
        const { failed, alerts } = evalVitals(v);
        const quarantined = failed.length > 0;
        if (quarantined) counts.quarantined++;
        for (const x of failed) counts.failed_expectations[x]++;
        for (const p of problems) bump(counts.problems, p);
        for (const a of alerts) bump(counts.alerts, a);
        rowJson.add(JSON.stringify({ file: name, line, problems, failed_expectations: failed, quarantined, alerts }));
      }
      t += (5 + rng.int(26)) * 60_000;
    }
  }
  content.write(chunk);
  counts.listed = rowJson.n;
  counts.problems = sortedMap(counts.problems);
  counts.alerts = sortedMap(counts.alerts);
  const head: Record<string, unknown> = {
    file: name, kind: 'vitals', index: ctx.index, sim_start: new Date(ctx.simStartMs).toISOString(), sim_end: new Date(ctx.simEndMs).toISOString(),
    patients_file: ctx.name, columns: [...VITALS_COLUMNS], line_ending: 'LF',
  };
  if (deteriorate) head.deteriorating_patients = deteriorating;
  head.counts = counts;
  return { name, content: content.bytes(), counts, head, rowJson };
}
