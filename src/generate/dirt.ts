/**
 * Data-quality problems: every kind the generator injects (PROBLEM_KINDS),
 * their weights, and how each one changes a patients record or a vitals
 * reading. Which rows get dirt is decided by the row's random stream
 * (patients.ts, vitals.ts).
 */
import { isoToUs } from './dates.js';
import { type Rng } from './random.js';
import { F_ADDRESS, F_AGE, F_CODE, F_CONTACT, F_DATE, F_GENDER, F_PID, type Gen, NO_PROBLEMS, type Rec } from './records.js';

import { T3, T4 } from './tables.js';

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
  no_vitals: 'vitals: all six numeric vitals empty -> fails has_vitals',
  respiration_rate_out_of_range: 'vitals: respiration_rate like 0, 120 -> fails respiration_rate_range',
  invalid_consciousness: 'vitals: consciousness like X, alert, 5 -> fails consciousness_acvpu',
  artefact: 'vitals: a sensor artefact (SpO2 probe off, motion on the pulse) in one reading of a monitored patient',
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

export const NULL_MARKERS_OUT = ['', 'null', 'N/A', 'NULL', 'none', 'NA'];

/** Kind, relative weight, field group (two kinds on one row never share a group; 0 = exclusive). */
export const PATIENT_DIRT: readonly (readonly [string, number, number])[] = [
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
export const NON_EXCLUSIVE = PATIENT_DIRT.map((k, i) => [k, i] as const).filter(([k]) => k[2] !== 0).map(([, i]) => i);

export function pickDirt(u: number): number {
  for (let i = 0; i < PATIENT_DIRT_CUM.length; i++) if (u < PATIENT_DIRT_CUM[i]) return i;
  return PATIENT_DIRT_CUM.length - 1;
}

/**
 * Applies dirt kind `k1` (and `second`, when it is not exclusive and touches
 * another field group) to a materialized record; whitespace padding goes last
 * so that it wraps whatever value a field got. Sets `rec.problems`.
 */
export function injectDirt(g: Gen, rec: Rec, k1: number, second: number, male: boolean): void {
  const rng = g.rng;
  const f = rec.f;
  const problems = rec.problems === NO_PROBLEMS ? [] : rec.problems.slice();
  applyDirt(g, rec, k1, male, problems);
  if (second >= 0 && PATIENT_DIRT[second][2] !== 0 && PATIENT_DIRT[second][2] !== PATIENT_DIRT[k1][2] && rec.malformed === 0) {
    applyDirt(g, rec, second, male, problems);
  }
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

/** The cosmetic differences of a near duplicate (`variant` uniform in [0, 1)): they collide with the original after cleaning. */
export function nearDuplicate(rec: Rec, variant: number): void {
  if (rec.malformed !== 0) return;
  if (variant < 0.4) rec.f[F_CODE] = rec.f[F_CODE].toLowerCase();
  else if (variant < 0.7) rec.f[F_PID] = '  ' + rec.f[F_PID] + ' ';
  else {
    const gd = rec.f[F_GENDER];
    if (gd === 'M') rec.f[F_GENDER] = 'male';
    else if (gd === 'F') rec.f[F_GENDER] = 'Female';
    else rec.f[F_CODE] = rec.f[F_CODE].toLowerCase();
  }
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

const VITALS_DIRT: readonly (readonly [string, number])[] = [
  ['null_patient_id', 3], ['invalid_measured_at', 3], ['null_measured_at', 1], ['no_vitals', 2], ['heart_rate_out_of_range', 2],
  ['systolic_bp_out_of_range', 2], ['diastolic_bp_out_of_range', 1], ['temperature_out_of_range', 2], ['spo2_out_of_range', 2],
  ['bp_order', 2], ['non_numeric_vital', 2], ['null_vital', 2], ['whitespace_padding', 2], ['unknown_patient', 1],
  ['respiration_rate_out_of_range', 1], ['invalid_consciousness', 1],
];
const VITALS_DIRT_TOTAL = VITALS_DIRT.reduce((s, k) => s + k[1], 0);

export function pickVitalsDirt(u: number): string {
  let acc = 0;
  for (const [k, w] of VITALS_DIRT) { acc += w / VITALS_DIRT_TOTAL; if (u < acc) return k; }
  return VITALS_DIRT[VITALS_DIRT.length - 1][0];
}

/** Applies vitals dirt `kind` to the fields `v` of a reading (in VITALS_COLUMNS order). */
export function applyVitalsDirt(rng: Rng, kind: string, v: string[]): void {
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
    case 'no_vitals': for (let i = 2; i < 8; i++) v[i] = rng.pick(['', '', 'null', 'N/A']); break;
    case 'respiration_rate_out_of_range': v[7] = rng.pick(['0', '120', '2', '99']); break;
    case 'invalid_consciousness': v[9] = rng.pick(['X', 'alert', '5', 'AV']); break;
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
