/**
 * The engine's implicit conversions (legacy mode), columnar: how a value is
 * brought to the type a function or comparison needs when the pipeline's
 * ANSI mode is off, and how typed literals (`lit('2024-01-02', 'date')`) are
 * read. An explicit CAST follows Spark instead (`cast.ts`).
 *
 * From STRING the text is trimmed and converted with the engine's strict
 * rules (`csv-values.ts`: int within INT32, long, a decimal number,
 * `true`/`false`, a real `YYYY-MM-DD` date, an ISO-8601 timestamp, UTC unless
 * it names a zone); a value that does not convert is NULL. Numbers narrow by
 * truncation toward zero; a value outside the target type is NULL.
 */
import {
  ColumnBuilder, decimalScale, pow10n, storageOf, valueAt,
  type Column, type DecimalColumn, type FloatColumn, type IntColumn,
} from '../batch.js';
import { isDecimal, isNumeric, typeInfo, type DataType, type DecimalType, type Value } from '../ir/types.js';
import { parseDateDays, parseTimestampUs, formatDate, formatTimestamp } from '../sources/csv-values.js';
import { decimalText, doubleToString } from './cast-text.js';
import { castNestedColumn, isNestedCast } from './cast-nested.js';

const US_PER_DAY = 86_400_000_000;
const INT_RE = /^[+-]?\d+$/;
const NUM_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DEC_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** A column brought to another type with the engine's implicit rules (NULL where a value does not convert). */
export function castColumn(c: Column, from: DataType, to: DataType, n: number): Column {
  if (from === to) return c;
  if (isNestedCast(from, to)) return castNestedColumn(c, from, to, n);
  if (isNumeric(from) && isNumeric(to) && !isDecimal(from) && !isDecimal(to)) return castNumeric(c as IntColumn | FloatColumn, to, n);
  const b = new ColumnBuilder(to, n);
  const toDec = isDecimal(to);
  if (isDecimal(from) && to === 'string') {
    // the exact digits with the type's scale (1.50 stays '1.50'), as Spark writes a decimal
    const d = c as DecimalColumn, scale = decimalScale(from);
    for (let i = 0; i < n; i++) b.push(d.nulls && d.nulls[i] ? null : decimalText(BigInt(d.data[i]), scale));
    return b.finish();
  }
  for (let i = 0; i < n; i++) {
    const v = isDecimal(from) && !toDec ? decimalValueAt(c as DecimalColumn, i) : valueAt(c, i);
    if (v === null) { b.push(null); continue; }
    if (toDec) {
      const u = isDecimal(from) ? rescaleUnscaled((c as DecimalColumn).data[i], decimalScale(from as DecimalType), to as DecimalType) : toUnscaled(v, from, to as DecimalType);
      b.pushUnscaled(u);
      continue;
    }
    b.push(castValue(v, from, to));
  }
  return b.finish();
}

function castNumeric(m: IntColumn | FloatColumn, to: DataType, n: number): Column {
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
