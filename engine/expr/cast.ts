/**
 * CAST between engine types, columnar.
 *
 * From STRING the text is trimmed (as Spark trims it) and converted with the
 * engine's rules (`csv-values.ts`: int within INT32, long, a decimal number,
 * `true`/`false`, a real `YYYY-MM-DD` date, an ISO-8601 timestamp); a value
 * that does not convert is NULL, or, in ANSI mode and not `try`, fails the
 * flow with CAST_INVALID_INPUT. Numbers narrow by truncation toward zero; a
 * value outside the target type is NULL (ANSI: CAST_OVERFLOW).
 */
import {
  ColumnBuilder, decimalScale, pow10n, storageOf, valueAt,
  type Column, type DecimalColumn, type FloatColumn, type IntColumn,
} from '../batch.js';
import { isDecimal, isNumeric, typeInfo, type DataType, type DecimalType, type Value } from '../ir/types.js';
import { parseDateDays, parseTimestampUs, formatDate, formatTimestamp } from '../sources/csv-values.js';
import { castNestedColumn, isNestedCast } from './cast-nested.js';

const US_PER_DAY = 86_400_000_000;
const INT_RE = /^[+-]?\d+$/;
const NUM_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DEC_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** How a failed conversion is handled: NULL (legacy or TRY_CAST) or an error (ANSI CAST). */
export interface CastMode {
  readonly ansi: boolean;
  /** Called for a row whose value does not convert, in ANSI mode. */
  fail?(row: number, code: string, message: string): never;
}

const LENIENT: CastMode = { ansi: false };

/** CAST of a whole column. */
export function castColumn(c: Column, from: DataType, to: DataType, n: number, mode: CastMode = LENIENT): Column {
  if (from === to) return c;
  if (isNestedCast(from, to)) return castNestedColumn(c, from, to, n);
  if (isNumeric(from) && isNumeric(to) && !isDecimal(from) && !isDecimal(to)) return castNumeric(c as IntColumn | FloatColumn, to, n, mode);
  const b = new ColumnBuilder(to, n);
  const toDec = isDecimal(to);
  for (let i = 0; i < n; i++) {
    const v = isDecimal(from) && !toDec ? decimalValueAt(c as DecimalColumn, i) : valueAt(c, i);
    if (v === null) { b.push(null); continue; }
    if (toDec) {
      const u = isDecimal(from) ? rescaleUnscaled((c as DecimalColumn).data[i], decimalScale(from as DecimalType), to as DecimalType) : toUnscaled(v, from, to as DecimalType);
      if (u === null) { failOr(mode, i, from, to, v); b.pushUnscaled(null); } else b.pushUnscaled(u);
      continue;
    }
    const r = castValue(v, from, to);
    if (r === null) failOr(mode, i, from, to, v);
    b.push(r);
  }
  return b.finish();
}

function failOr(mode: CastMode, row: number, from: DataType, to: DataType, v: Value): void {
  if (!mode.ansi || !mode.fail) return;
  const shown = typeof v === 'string' ? `'${v}'` : String(v);
  if (from === 'string') mode.fail(row, 'CAST_INVALID_INPUT', `the value ${shown} of type STRING cannot be cast to ${to.toUpperCase()} because it is malformed`);
  mode.fail(row, 'CAST_OVERFLOW', `the value ${shown} of type ${from.toUpperCase()} cannot be cast to ${to.toUpperCase()} due to an overflow`);
}

function castNumeric(m: IntColumn | FloatColumn, to: DataType, n: number, mode: CastMode): Column {
  if (to === 'double') {
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = m.data[i];
    return { type: 'double', data, nulls: m.nulls };
  }
  const lo = to === 'int' ? -2147483648 : -9223372036854775808;
  const hi = to === 'int' ? 2147483647 : 9223372036854775807;
  const data = to === 'int' ? new Int32Array(n) : new Float64Array(n);
  let nulls = m.nulls;
  for (let i = 0; i < n; i++) {
    if (nulls && nulls[i]) continue;
    const x = Math.trunc(m.data[i]);
    if (!(x >= lo && x <= hi)) {
      if (mode.ansi && mode.fail) failOr(mode, i, m.type, to, m.data[i]);
      if (nulls === m.nulls) nulls = m.nulls ? m.nulls.slice() : new Uint8Array(n);
      nulls![i] = 1;
      continue;
    }
    data[i] = x;
  }
  return { type: to, data, nulls } as Column;
}

/** The exact value of a decimal cell as a JS number or its text. */
function decimalValueAt(c: DecimalColumn, i: number): Value {
  if (c.nulls && c.nulls[i]) return null;
  return Number(c.data[i]) / 10 ** decimalScale(c.type);
}

/** The decimal text of an unscaled value. */
export function decimalText(u: bigint, scale: number): string {
  const neg = u < 0n;
  let digits = (neg ? -u : u).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = digits.slice(0, digits.length - scale) + '.' + digits.slice(digits.length - scale);
  }
  return (neg ? '-' : '') + digits;
}

/** An unscaled value moved to a decimal type's scale (half up), or null when it does not fit its precision. */
export function rescaleUnscaled(u: bigint, fromScale: number, to: DecimalType): bigint | null {
  const { precision, scale } = typeInfo(to) as { precision: number; scale: number };
  let v = u;
  if (scale > fromScale) v = u * pow10n(scale - fromScale);
  else if (scale < fromScale) {
    const d = pow10n(fromScale - scale);
    const q = u / d, r = u % d;
    v = 2n * (r < 0n ? -r : r) >= d ? q + (u < 0n ? -1n : 1n) : q;
  }
  const limit = pow10n(precision);
  return v >= limit || v <= -limit ? null : v;
}

/** The unscaled decimal of a value of another type, or null when it does not convert or fit. */
export function toUnscaled(v: Value, from: DataType, to: DecimalType): bigint | null {
  if (v === null) return null;
  if (from === 'string' || typeof v === 'string') {
    const m = DEC_RE.exec(String(v).trim());
    if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
    const frac = m[3] ?? '';
    const exp = m[4] ? Number(m[4]) : 0;
    const u = BigInt((m[2] || '0') + frac) * (m[1] === '-' ? -1n : 1n);
    const s = frac.length - exp;
    return s >= 0 ? rescaleUnscaled(u, s, to) : rescaleUnscaled(u * pow10n(-s), 0, to);
  }
  if (typeof v === 'boolean') return rescaleUnscaled(v ? 1n : 0n, 0, to);
  if (typeof v !== 'number' || !Number.isFinite(v)) return null;
  if (Number.isInteger(v)) return rescaleUnscaled(BigInt(v), 0, to);
  // A double converts through its shortest decimal text (as Java's BigDecimal.valueOf does).
  return toUnscaled(String(v), 'string', to);
}

/** One value converted (NULL when it does not convert). */
export function castValue(v: Value, from: DataType, to: DataType): Value {
  if (v === null) return null;
  if (from === to) return v;
  if (to === 'string') {
    if (from === 'date') return formatDate(v as number);
    if (from === 'timestamp') return formatTimestamp(v as number);
    if (from === 'boolean') return v ? 'true' : 'false';
    if (from === 'double') return doubleToString(v as number);
    if (typeof v === 'object') return sparkText(v);
    return String(v);
  }
  if (from === 'string') {
    const s = (v as string).trim();
    switch (to) {
      case 'int': { if (!INT_RE.test(s)) return null; const x = Number(s); return x >= -2147483648 && x <= 2147483647 ? x : null; }
      case 'long': { if (!INT_RE.test(s)) return null; const x = Number(s); return Number.isSafeInteger(x) ? x : null; }
      case 'double': return NUM_RE.test(s) ? Number(s) : null;
      case 'boolean': { const l = s.toLowerCase(); return l === 'true' ? true : l === 'false' ? false : null; }
      case 'date': return parseDateDays(s);
      case 'timestamp': return parseTimestampUs(s);
      default: return null;
    }
  }
  if (from === 'date' && to === 'timestamp') return (v as number) * US_PER_DAY;
  if (from === 'timestamp' && to === 'date') return Math.floor((v as number) / US_PER_DAY);
  if (from === 'boolean' && isNumeric(to)) return v ? 1 : 0;
  if (isNumeric(from) && to === 'boolean') return (v as number) !== 0;
  if (isNumeric(from) && isNumeric(to)) {
    if (to === 'double') return v;
    const x = Math.trunc(v as number);
    if (to === 'int') return x >= -2147483648 && x <= 2147483647 ? x : null;
    return Number.isFinite(x) ? x : null;
  }
  return null;
}

/** A nested value as Spark's CAST(… AS STRING) writes it: `[1, 2]`, `{a -> 1}`, `{1, x}`. */
function sparkText(v: Value): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map(sparkText).join(', ')}]`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${k} -> ${sparkText(x)}`).join(', ')}}`;
  if (typeof v === 'object') return `{${Object.values(v).map(sparkText).join(', ')}}`;
  if (typeof v === 'number' && !Number.isInteger(v)) return doubleToString(v);
  return String(v);
}

/**
 * A DOUBLE as Spark writes it (Java's Double.toString): `1.0`, `0.25`, `1.0E7`,
 * `1.5E-4`; plain notation for 1e-3 <= |x| < 1e7, else scientific.
 */
export function doubleToString(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e7) { const s = String(x); return s.includes('.') ? s : s + '.0'; }
  const [m, e] = x.toExponential().split('e');
  return `${m.includes('.') ? m : m + '.0'}E${e.startsWith('+') ? e.slice(1) : e}`;
}

/**
 * A literal's value in the representation of its own type: `lit('2024-01-02', 'date')`
 * holds the text, which becomes epoch days here (as CAST would convert it).
 */
export function litValue(v: Value, type: DataType): Value {
  if (v === null) return null;
  if (typeof v === 'string' && type !== 'string' && storageOf(type) !== 'decimal') return castValue(v, 'string', type);
  if (typeof v !== 'string' && type === 'string') {
    return castValue(v, typeof v === 'boolean' ? 'boolean' : typeof v === 'object' ? 'array<string>' : Number.isInteger(v) ? 'long' : 'double', 'string');
  }
  return v;
}
