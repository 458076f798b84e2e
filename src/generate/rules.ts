/**
 * The pipeline's rules, re-stated independently of the engine so that the
 * ground truth can say what the pipeline must do with every row: cleaning,
 * the drop and warn expectations, the vitals ranges and alerts.
 */
import { F_AGE, F_CODE, F_CONTACT, F_DATE, F_GENDER, F_PID, type Layout, type Rec, rawField } from './records.js';

const NULL_MARKERS_IN = new Set(['', 'null', 'na', 'n/a', 'nan', 'none']);

export function clean(v: string | null): string | null {
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

/**
 * An ISO-8601 timestamp as the pipeline reads a TIMESTAMP column:
 * `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DD[T ]HH:MM[:SS[.fraction]]`
 * followed by nothing (UTC), `Z` or `±HH:MM` (up to ±23:59); `T` and `Z` in
 * either case. Epoch milliseconds (the fraction truncated), or null.
 */
export function parseTimestampMs(t: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?([Zz]|[+-]\d{2}:\d{2})?)?$/.exec(t);
  if (!m || !validYmd(+m[1], +m[2], +m[3])) return null;
  const hh = m[4] === undefined ? 0 : +m[4];
  const mi = m[5] === undefined ? 0 : +m[5];
  const ss = m[6] === undefined ? 0 : +m[6];
  if (hh > 23 || mi > 59 || ss > 59) return null;
  let offsetMin = 0;
  const z = m[8];
  if (z !== undefined && z !== 'Z' && z !== 'z') {
    const oh = +z.slice(1, 3);
    const om = +z.slice(4, 6);
    if (oh > 23 || om > 59) return null;
    offsetMin = (z[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const ms = m[7] === undefined ? 0 : +(m[7] + '00').slice(0, 3);
  const d = new Date(Date.UTC(2000, 0, 1, hh, mi, ss, ms));
  d.setUTCFullYear(+m[1], +m[2] - 1, +m[3]); // years below 100 too
  return d.getTime() - offsetMin * 60_000;
}

export interface PatientVerdict {
  failed: string[];
  /** Cleaned diagnosis code (for counts) and whether contact is present. */
  code: string | null;
  contact: boolean;
}

export function evalPatient(rec: Rec, layout: Layout): PatientVerdict {
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

export const ASSUMPTIONS = [
  'CSV columns are mapped by header name; a declared column missing from the header is NULL.',
  'on_oxygen is true or false (case-insensitive); anything else is NULL. consciousness is compared upper-cased.',
  'A line with fewer fields than the header leaves the missing trailing columns NULL; fields beyond the header are rescued and do not affect expectations.',
  'Quoted fields follow RFC 4180 (a comma inside quotes is data); CRLF and LF line endings are both accepted.',
  'Cleaning: values are trimmed; empty, null, na, n/a, nan, none (case-insensitive) are NULL; age and integer vitals must be [+-]?digits within int32; '
  + 'temperature_c a decimal; admission_date exactly YYYY-MM-DD and a real calendar date; measured_at an ISO-8601 timestamp; '
  + 'otherwise NULL. gender is upper-cased, MALE -> M, FEMALE -> F; diagnosis_code is upper-cased.',
  'A NULL result of an expectation predicate counts as a failure (e.g. gender IN (M, F) with NULL gender); vitals range rules and bp_order pass when a value is NULL.',
  'patients_silver keeps the first occurrence (file order, then line order) of each (patient_id, admission_date, diagnosis_code) among rows that passed patients_clean.',
];

export function evalVitals(v: string[]): { failed: string[]; alerts: string[] } {
  const failed: string[] = [];
  if (clean(v[0]) === null) failed.push('valid_patient_id');
  if (!cleanTimestamp(v[1])) failed.push('valid_measured_at');
  const hr = cleanInt(v[2]), sys = cleanInt(v[3]), dia = cleanInt(v[4]), temp = cleanDouble(v[5]), spo2 = cleanInt(v[6]), rr = cleanInt(v[7]);
  const consc = clean(v[9]);
  if (hr === null && sys === null && dia === null && temp === null && spo2 === null && rr === null) failed.push('has_vitals');
  if (hr !== null && (hr < 20 || hr > 250)) failed.push('heart_rate_range');
  if (sys !== null && (sys < 50 || sys > 260)) failed.push('systolic_bp_range');
  if (dia !== null && (dia < 20 || dia > 160)) failed.push('diastolic_bp_range');
  if (temp !== null && (temp < 30 || temp > 45)) failed.push('temperature_c_range');
  if (spo2 !== null && (spo2 < 50 || spo2 > 100)) failed.push('spo2_range');
  if (sys !== null && dia !== null && !(sys > dia)) failed.push('bp_order');
  if (rr !== null && (rr < 3 || rr > 80)) failed.push('respiration_rate_range');
  if (consc !== null && !['A', 'C', 'V', 'P', 'U'].includes(consc.toUpperCase())) failed.push('consciousness_acvpu');
  const alerts: string[] = [];
  if (failed.length === 0) {
    if (hr !== null && hr > 120) alerts.push('heart_rate_gt_120');
    if (spo2 !== null && spo2 < 90) alerts.push('spo2_lt_90');
    if (temp !== null && temp >= 38.5) alerts.push('temperature_c_ge_38_5');
    if (sys !== null && sys < 90) alerts.push('systolic_bp_lt_90');
  }
  return { failed, alerts };
}

