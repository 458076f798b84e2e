/**
 * CAST as Spark 4.1 does it, columnar, in its three modes:
 * - `legacy` (`spark.sql.ansi.enabled` off): a value that does not convert is
 *   NULL; integers wrap around when narrowed (`CAST(3000000000L AS INT)`), a
 *   double saturates; `'1.9'` reads as the integer 1;
 * - `ansi`: the same value fails the flow with CAST_INVALID_INPUT (malformed
 *   text), CAST_OVERFLOW (a number outside the target) or
 *   NUMERIC_VALUE_OUT_OF_RANGE (a decimal beyond its precision);
 * - `try` (`TRY_CAST`): the ANSI rules, with NULL instead of each failure.
 *
 * Which pairs of types convert at all is `canCast` (Spark's `Cast.canCast`
 * and `canAnsiCast`); the type checker reports the others as TYPE_MISMATCH.
 * Text is read and written by `cast-text.ts`; the session time zone applies
 * to text ↔ timestamp and date ↔ timestamp.
 *
 * The engine keeps BIGINT values in doubles: a BIGINT result a double cannot
 * hold exactly (beyond ±2^53, e.g. 9223372036854775807) is out of the
 * engine's range, NULL or CAST_OVERFLOW.
 *
 * Implicit conversions in legacy mode keep the engine's strict rules
 * (`implicit-cast.ts`).
 */
import {
  ColumnBuilder, decimalScale, isNestedColumn, newDecimalData, storageOf,
  type BoolColumn, type Column, type DecimalColumn, type FloatColumn, type IntColumn, type NestedColumn,
} from '../batch.js';
import { stringColumnFromArray, stringsOf, type StringColumn } from '../column/string-column.js';
import { isDecimal, isNested, typeInfo, type DataType, type DecimalType, type Value } from '../ir/types.js';
import type { Zone } from '../time/zones.js';
import {
  decimalJavaText, decimalText, digitCount, doubleToBigDecimal, doubleToString, formatDate, formatTimestampIn,
  parseBigDecimal, parseBoolean, parseDouble, parseIntegral, parseSparkDate, parseSparkTimestamp, rescaleHalfUp, bigPow10,
} from './cast-text.js';
import { daysToUtcUs, utcUsToDays } from '../time/zones.js';

export { castColumn, castValue, litValue, toUnscaled, rescaleUnscaled } from './implicit-cast.js';
export { decimalText, doubleToString } from './cast-text.js';

export type CastMode = 'legacy' | 'ansi' | 'try';

export interface CastOptions {
  readonly mode: CastMode;
  /** The session time zone. */
  readonly zone: Zone;
  /** The batch's timestamp (epoch µs): the date of a time-only text. */
  readonly nowUs: number;
  /** Fails the flow for a row (ANSI mode). */
  readonly fail: (row: number, code: string, message: string) => never;
}

const US_PER_SECOND = 1_000_000;
const INT_MIN = -2147483648, INT_MAX = 2147483647;
const TWO_63 = 9223372036854775808;

// ------------------------------------------------------------ which casts exist

type Kind = 'string' | 'boolean' | 'integral' | 'double' | 'decimal' | 'date' | 'timestamp' | 'interval' | 'array' | 'map' | 'struct';

function kindOf(t: DataType): Kind {
  if (t === 'int' || t === 'long') return 'integral';
  if (t === 'string' || t === 'boolean' || t === 'double' || t === 'date' || t === 'timestamp') return t;
  if (isDecimal(t)) return 'decimal';
  if (t.startsWith('interval')) return 'interval';
  return typeInfo(t).kind as Kind;
}

/**
 * Why a value of type `from` cannot be cast to `to` in a mode (Spark's
 * `canCast` for legacy mode, `canAnsiCast` for ANSI and TRY_CAST), or null
 * when it can.
 */
export function castProblem(from: DataType, to: DataType, mode: CastMode): string | null {
  if (from === to) return null;
  const f = kindOf(from), t = kindOf(to);
  const legacy = mode === 'legacy';
  const numeric = (k: Kind) => k === 'integral' || k === 'double' || k === 'decimal';
  const ansiOnly = (ok: boolean, why: string) => (ok ? null : why);
  if (t === 'string') return null;
  switch (f) {
    case 'string':
      if (t === 'interval') return 'the engine does not read intervals from text';
      if (t === 'array' || t === 'map' || t === 'struct') return 'text does not convert to a nested type (use from_json or split)';
      return null;
    case 'boolean':
      if (numeric(t)) return null;
      if (t === 'timestamp') return ansiOnly(legacy, 'a BOOLEAN converts to a TIMESTAMP only with ANSI mode off');
      break;
    case 'integral': case 'double': case 'decimal':
      if (numeric(t) || t === 'boolean' || t === 'timestamp') return null;
      if (t === 'date') return 'a number does not convert to a DATE (use date_from_unix_date)';
      // Spark's result depends on the interval's fields (INTERVAL DAY counts days), which the engine does not keep
      if (t === 'interval') return 'the engine keeps intervals as DAY TO SECOND or YEAR TO MONTH only (use make_interval or INTERVAL literals)';
      break;
    case 'date':
      if (t === 'timestamp') return null;
      if (numeric(t) || t === 'boolean') return ansiOnly(legacy, `a DATE does not convert to ${to.toUpperCase()} in ANSI mode (use unix_date)`);
      break;
    case 'timestamp':
      if (t === 'date' || numeric(t)) return null;
      if (t === 'boolean') return ansiOnly(legacy, 'a TIMESTAMP does not convert to a BOOLEAN in ANSI mode');
      break;
    case 'interval':
      if (t === 'integral' || t === 'decimal') return 'the engine keeps intervals as DAY TO SECOND or YEAR TO MONTH only: divide the interval by another, or use extract()';
      break;
    case 'array':
      if (t === 'array') return castProblem((typeInfo(from) as { element: DataType }).element, (typeInfo(to) as { element: DataType }).element, mode);
      break;
    case 'map':
      if (t === 'map') {
        const a = typeInfo(from) as { key: DataType; value: DataType }, b = typeInfo(to) as { key: DataType; value: DataType };
        return castProblem(a.key, b.key, mode) ?? castProblem(a.value, b.value, mode);
      }
      break;
    case 'struct':
      if (t === 'struct') {
        const a = (typeInfo(from) as { fields: readonly { type: DataType }[] }).fields, b = (typeInfo(to) as { fields: readonly { type: DataType }[] }).fields;
        if (a.length !== b.length) return `the structs have ${a.length} and ${b.length} fields`;
        for (let k = 0; k < a.length; k++) { const p = castProblem(a[k].type, b[k].type, mode); if (p) return p; }
        return null;
      }
      break;
  }
  return `${from.toUpperCase()} does not convert to ${to.toUpperCase()}`;
}

// ------------------------------------------------------------ the cast

/** Output of a cast kernel: typed data plus a null mask made on demand. */
class Out<D> {
  nulls: Uint8Array | null;
  constructor(readonly data: D, src: Uint8Array | null, readonly n: number) {
    this.nulls = src ? src.slice() : null;
  }
  setNull(i: number): void { (this.nulls ??= new Uint8Array(this.n))[i] = 1; }
}

function srcNulls(c: Column): Uint8Array | null {
  if (isNestedColumn(c)) {
    let m: Uint8Array | null = null;
    for (let i = 0; i < c.data.length; i++) if (c.data[i] === null) (m ??= new Uint8Array(c.data.length))[i] = 1;
    return m;
  }
  return c.nulls;
}

function shown(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : typeof v === 'bigint' ? v.toString() : String(v);
}

/** Casts a column of type `from` to `to` (the pair must pass `castProblem`). */
export function sparkCast(c: Column, from: DataType, to: DataType, n: number, o: CastOptions): Column {
  if (from === to) return c;
  const ctx = new Ctx(from, to, o);
  switch (kindOf(to)) {
    case 'string': return toStringColumn(c, from, n, ctx);
    case 'boolean': return toBoolean(c, from, n, ctx);
    case 'integral': return toIntegral(c, from, to as 'int' | 'long', n, ctx);
    case 'double': return toDouble(c, from, n, ctx);
    case 'decimal': return toDecimal(c, from, to as DecimalType, n, ctx);
    case 'date': return toDate(c, from, n, ctx);
    case 'timestamp': return toTimestamp(c, from, n, ctx);
    default: return toNested(c, from, to, n, ctx);
  }
}

/** What a kernel needs: the mode and how a row that does not convert is handled. */
class Ctx {
  readonly ansi: boolean;
  readonly legacy: boolean;
  constructor(readonly from: DataType, readonly to: DataType, readonly o: CastOptions) {
    this.ansi = o.mode === 'ansi';
    this.legacy = o.mode === 'legacy';
  }
  /** Malformed text: NULL, or CAST_INVALID_INPUT in ANSI mode. */
  invalid(out: Out<unknown>, i: number, v: unknown): void {
    if (this.ansi) this.o.fail(i, 'CAST_INVALID_INPUT', `the value ${shown(v)} of type ${this.from.toUpperCase()} cannot be cast to ${this.to.toUpperCase()} because it is malformed`);
    out.setNull(i);
  }
  /** A value outside the target: NULL, or CAST_OVERFLOW in ANSI mode (always, with `always`). */
  overflow(out: Out<unknown>, i: number, v: unknown, always = false): void {
    if (this.ansi || always) this.o.fail(i, 'CAST_OVERFLOW', `the value ${shown(v)} of type ${this.from.toUpperCase()} cannot be cast to ${this.to.toUpperCase()} due to an overflow`);
    out.setNull(i);
  }
  /** A decimal beyond its precision: NULL, or NUMERIC_VALUE_OUT_OF_RANGE in ANSI mode (always, with `always`). */
  outOfRange(out: Out<unknown>, i: number, v: string, always = false): void {
    if (this.ansi || always) this.o.fail(i, 'NUMERIC_VALUE_OUT_OF_RANGE', `${v} cannot be represented as ${this.to.toUpperCase()}`);
    out.setNull(i);
  }
}

function numbersOf(c: Column): ArrayLike<number> {
  return (c as IntColumn | FloatColumn).data;
}

function unscaledOf(c: Column): ArrayLike<bigint> {
  return (c as DecimalColumn).data;
}

// ------------------------------------------------------------ → string

function toStringColumn(c: Column, from: DataType, n: number, ctx: Ctx): Column {
  const nulls = srcNulls(c);
  const out = new Array<string | null>(n);
  const text = textOf(from, ctx);
  const get = reader(c, from);
  for (let i = 0; i < n; i++) out[i] = nulls && nulls[i] ? null : text(get(i));
  return stringColumnFromArray(out);
}

/** A reader of row i's value: numbers, bigints for decimals, strings, booleans, JS values for nested types. */
function reader(c: Column, from: DataType): (i: number) => unknown {
  if (from === 'string') { const s = stringsOf(c as StringColumn); return (i) => s[i]; }
  if (from === 'boolean') { const d = (c as BoolColumn).data; return (i) => d[i] === 1; }
  if (isDecimal(from)) { const d = unscaledOf(c); return (i) => d[i]; }
  if (isNestedColumn(c)) { const d = (c as NestedColumn).data; return (i) => d[i]; }
  const d = numbersOf(c);
  return (i) => d[i];
}

/** How a value of a type is written as text (CAST(… AS STRING)). */
function textOf(from: DataType, ctx: Ctx): (v: unknown) => string {
  const info = typeInfo(from);
  switch (info.kind) {
    case 'string': return (v) => v as string;
    case 'boolean': return (v) => (v ? 'true' : 'false');
    case 'int': case 'long': return (v) => String(v);
    case 'double': return (v) => doubleToString(v as number);
    case 'decimal': {
      const s = info.scale;
      return ctx.legacy ? (v) => decimalJavaText(BigInt(v as bigint), s) : (v) => decimalText(BigInt(v as bigint), s);
    }
    case 'date': return (v) => formatDate(v as number);
    case 'timestamp': return (v) => formatTimestampIn(v as number, ctx.o.zone);
    case 'interval day to second': return (v) => `INTERVAL '${dayTimeText(v as number)}' DAY TO SECOND`;
    case 'interval year to month': return (v) => `INTERVAL '${yearMonthText(v as number)}' YEAR TO MONTH`;
    default: return nestedText(from, ctx);
  }
}

/** A nested value as Spark writes it: `[1, null]`, `{a -> 1}`, `{1, x}` (elements as CAST writes them). */
function nestedText(t: DataType, ctx: Ctx): (v: unknown) => string {
  const info = typeInfo(t);
  if (info.kind === 'array') {
    const el = nestedText(info.element, ctx);
    return (v) => `[${(v as Value[]).map((x) => (x === null ? 'null' : el(x))).join(', ')}]`;
  }
  if (info.kind === 'map') {
    const k = nestedText(info.key, ctx), val = nestedText(info.value, ctx);
    return (v) => `{${[...(v as Map<string, Value>)].map(([a, b]) => `${k(a)} ->${b === null ? ' null' : ' ' + val(b)}`).join(', ')}}`;
  }
  if (info.kind === 'struct') {
    const fs = info.fields.map((f) => ({ name: f.name, text: nestedText(f.type, ctx) }));
    return (v) => `{${fs.map((f) => { const x = (v as Record<string, Value>)[f.name] ?? null; return x === null ? 'null' : f.text(x); }).join(', ')}}`;
  }
  if (info.kind === 'decimal') {
    // nested values hold decimals as JS numbers (or their text)
    return (v) => { const d = parseBigDecimal(String(v)); const u = d ? rescaleHalfUp(d.unscaled, d.scale, info.scale) : 0n; return ctx.legacy ? decimalJavaText(u, info.scale) : decimalText(u, info.scale); };
  }
  const scalar = textOf(t, ctx);
  return (v) => scalar(v);
}

function dayTimeText(us: number): string {
  const neg = us < 0;
  let a = Math.abs(us);
  const days = Math.floor(a / 86_400_000_000); a -= days * 86_400_000_000;
  const h = Math.floor(a / 3_600_000_000); a -= h * 3_600_000_000;
  const m = Math.floor(a / 60_000_000); a -= m * 60_000_000;
  const s = Math.floor(a / US_PER_SECOND), frac = a - s * US_PER_SECOND;
  const sec = String(s).padStart(2, '0') + (frac ? '.' + String(frac).padStart(6, '0').replace(/0+$/, '') : '');
  return `${neg ? '-' : ''}${days} ${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${sec}`;
}

function yearMonthText(months: number): string {
  const a = Math.abs(months);
  return `${months < 0 ? '-' : ''}${Math.floor(a / 12)}-${a % 12}`;
}

// ------------------------------------------------------------ → boolean

function toBoolean(c: Column, from: DataType, n: number, ctx: Ctx): Column {
  const out = new Out(new Uint8Array(n), srcNulls(c), n);
  const nulls = srcNulls(c);
  const f = kindOf(from);
  if (f === 'string') {
    const s = stringsOf(c as StringColumn);
    for (let i = 0; i < n; i++) {
      if (nulls && nulls[i]) continue;
      const b = parseBoolean(s[i]!);
      if (b === null) ctx.invalid(out, i, s[i]); else out.data[i] = b ? 1 : 0;
    }
  } else if (f === 'decimal') {
    const d = unscaledOf(c);
    for (let i = 0; i < n; i++) out.data[i] = d[i] !== 0n ? 1 : 0;
  } else if (f === 'date') {
    for (let i = 0; i < n; i++) out.setNull(i);
  } else {
    const d = numbersOf(c);
    for (let i = 0; i < n; i++) out.data[i] = d[i] !== 0 ? 1 : 0;
  }
  return { type: 'boolean', data: out.data, nulls: out.nulls };
}

// ------------------------------------------------------------ → int, bigint

function toIntegral(c: Column, from: DataType, to: 'int' | 'long', n: number, ctx: Ctx): Column {
  const isInt = to === 'int';
  const out = new Out(isInt ? new Int32Array(n) : new Float64Array(n), srcNulls(c), n);
  const nulls = srcNulls(c);
  const skip = (i: number) => nulls !== null && nulls[i] === 1;
  /** Stores a bigint result known to be within the target's range (BIGINT: within what a double holds exactly). */
  const put = (i: number, v: bigint, shownValue: unknown) => {
    const x = Number(v);
    if (!isInt && BigInt(x) !== v) { ctx.overflow(out, i, shownValue); return; }
    out.data[i] = x;
  };
  switch (kindOf(from)) {
    case 'string': {
      const s = stringsOf(c as StringColumn);
      for (let i = 0; i < n; i++) {
        if (skip(i)) continue;
        const v = parseIntegral(s[i]!, isInt ? 32 : 64, ctx.legacy);
        if (v === null) ctx.invalid(out, i, s[i]);
        else if (v !== v) ctx.overflow(out, i, s[i]); // beyond what the engine holds exactly
        else out.data[i] = v;
      }
      break;
    }
    case 'boolean': { const d = (c as BoolColumn).data; for (let i = 0; i < n; i++) out.data[i] = d[i]; break; }
    case 'date': for (let i = 0; i < n; i++) out.setNull(i); break;
    case 'timestamp': {
      const d = numbersOf(c);
      for (let i = 0; i < n; i++) {
        if (skip(i)) continue;
        const sec = Math.floor(d[i] / US_PER_SECOND);
        if (isInt && (sec < INT_MIN || sec > INT_MAX)) { ctx.overflow(out, i, formatTimestampIn(d[i], ctx.o.zone)); continue; }
        out.data[i] = sec;
      }
      break;
    }
    case 'integral': {
      const d = numbersOf(c);
      for (let i = 0; i < n; i++) {
        if (skip(i)) continue;
        const x = d[i];
        if (isInt && (x < INT_MIN || x > INT_MAX)) {
          if (ctx.legacy) { out.data[i] = x | 0; continue; } // wraps around, as Java's (int) of a long
          ctx.overflow(out, i, x);
          continue;
        }
        out.data[i] = x;
      }
      break;
    }
    case 'double': {
      const d = numbersOf(c);
      for (let i = 0; i < n; i++) {
        if (skip(i)) continue;
        const x = d[i];
        // Spark's exact check: floor(x) <= MAX and ceil(x) >= MIN (a BIGINT also below 2^63, which the engine cannot hold)
        const inRange = isInt ? Math.floor(x) <= INT_MAX && Math.ceil(x) >= INT_MIN : x < TWO_63 && x >= -TWO_63;
        if (inRange) { out.data[i] = Math.trunc(x) + 0; continue; }
        if (!ctx.legacy) { ctx.overflow(out, i, doubleToString(x)); continue; }
        // Java's (int) / (long) of a double: NaN is 0, beyond the range the nearest bound
        if (x !== x) { out.data[i] = 0; continue; }
        if (isInt) out.data[i] = x > 0 ? INT_MAX : INT_MIN;
        else if (x < 0) out.data[i] = -TWO_63;
        else ctx.overflow(out, i, doubleToString(x)); // Long.MAX_VALUE: beyond what the engine holds exactly
      }
      break;
    }
    case 'decimal': {
      const d = unscaledOf(c), s = decimalScale(from as DecimalType), div = bigPow10(s);
      for (let i = 0; i < n; i++) {
        if (skip(i)) continue;
        let q = BigInt(d[i]) / div;
        const fits = isInt ? q >= -2147483648n && q <= 2147483647n : q >= -(2n ** 63n) && q < 2n ** 63n;
        if (!fits) {
          if (!ctx.legacy) { ctx.overflow(out, i, decimalText(BigInt(d[i]), s)); continue; }
          q = BigInt.asIntN(isInt ? 32 : 64, q); // Decimal.toInt/toLong keep the low-order bits
        }
        put(i, q, decimalText(BigInt(d[i]), s));
      }
      break;
    }
    default: throw new Error(`internal: no cast from ${from} to ${to}`);
  }
  return { type: to, data: out.data, nulls: out.nulls } as Column;
}

// ------------------------------------------------------------ → double

function toDouble(c: Column, from: DataType, n: number, ctx: Ctx): Column {
  const out = new Out(new Float64Array(n), srcNulls(c), n);
  const nulls = srcNulls(c);
  switch (kindOf(from)) {
    case 'string': {
      const s = stringsOf(c as StringColumn);
      for (let i = 0; i < n; i++) {
        if (nulls && nulls[i]) continue;
        const v = parseDouble(s[i]!);
        if (v === null) ctx.invalid(out, i, s[i]); else out.data[i] = v;
      }
      break;
    }
    case 'boolean': { const d = (c as BoolColumn).data; for (let i = 0; i < n; i++) out.data[i] = d[i]; break; }
    case 'date': for (let i = 0; i < n; i++) out.setNull(i); break;
    case 'timestamp': { const d = numbersOf(c); for (let i = 0; i < n; i++) out.data[i] = d[i] / US_PER_SECOND; break; }
    case 'decimal': {
      const d = unscaledOf(c), s = decimalScale(from as DecimalType);
      for (let i = 0; i < n; i++) if (!(nulls && nulls[i])) out.data[i] = Number(decimalText(BigInt(d[i]), s));
      break;
    }
    default: { const d = numbersOf(c); for (let i = 0; i < n; i++) out.data[i] = d[i]; }
  }
  return { type: 'double', data: out.data, nulls: out.nulls };
}

// ------------------------------------------------------------ → decimal

function toDecimal(c: Column, from: DataType, to: DecimalType, n: number, ctx: Ctx): Column {
  const { precision, scale } = typeInfo(to) as { precision: number; scale: number };
  const limit = bigPow10(precision);
  const out = new Out(newDecimalData(to, n), srcNulls(c), n);
  const nulls = srcNulls(c);
  const skip = (i: number) => nulls !== null && nulls[i] === 1;
  /** Rounds (half up) to the target scale and checks the precision. */
  const put = (i: number, u: bigint, s: number, always = false) => {
    const r = rescaleHalfUp(u, s, scale);
    if (r >= limit || r <= -limit) { ctx.outOfRange(out, i, decimalText(u, Math.max(s, 0)), always); return; }
    (out.data as bigint[])[i] = r;
  };
  switch (kindOf(from)) {
    case 'string': {
      const s = stringsOf(c as StringColumn);
      for (let i = 0; i < n; i++) {
        if (skip(i)) continue;
        const d = parseBigDecimal(s[i]!);
        if (d === null) { ctx.invalid(out, i, s[i]); continue; }
        if (digitCount(d.unscaled) - d.scale > 38) { ctx.outOfRange(out, i, s[i]!); continue; }
        put(i, d.unscaled, d.scale);
      }
      break;
    }
    case 'boolean': { const d = (c as BoolColumn).data; for (let i = 0; i < n; i++) if (!skip(i)) put(i, BigInt(d[i]), 0); break; }
    case 'date': for (let i = 0; i < n; i++) out.setNull(i); break;
    case 'timestamp': {
      const d = numbersOf(c);
      for (let i = 0; i < n; i++) if (!skip(i)) { const b = doubleToBigDecimal(d[i] / US_PER_SECOND); put(i, b.unscaled, b.scale); }
      break;
    }
    case 'integral': { const d = numbersOf(c); for (let i = 0; i < n; i++) if (!skip(i)) put(i, BigInt(d[i]), 0); break; }
    case 'double': {
      const d = numbersOf(c);
      for (let i = 0; i < n; i++) {
        if (skip(i)) continue;
        if (!Number.isFinite(d[i])) { out.setNull(i); continue; } // Spark: NULL in every mode
        const b = doubleToBigDecimal(d[i]);
        put(i, b.unscaled, b.scale);
      }
      break;
    }
    case 'decimal': {
      const d = unscaledOf(c), s = decimalScale(from as DecimalType);
      for (let i = 0; i < n; i++) if (!skip(i)) put(i, BigInt(d[i]), s);
      break;
    }
    default: throw new Error(`internal: no cast from ${from} to ${to}`);
  }
  return { type: to, data: out.data, nulls: out.nulls } as Column;
}

// ------------------------------------------------------------ → date, timestamp, interval

function toDate(c: Column, from: DataType, n: number, ctx: Ctx): Column {
  const out = new Out(new Int32Array(n), srcNulls(c), n);
  const nulls = srcNulls(c);
  if (from === 'string') {
    const s = stringsOf(c as StringColumn);
    for (let i = 0; i < n; i++) {
      if (nulls && nulls[i]) continue;
      const d = parseSparkDate(s[i]!);
      if (d === null || d < INT_MIN || d > INT_MAX) ctx.invalid(out, i, s[i]); else out.data[i] = d;
    }
  } else {
    const d = numbersOf(c);
    for (let i = 0; i < n; i++) if (!(nulls && nulls[i])) out.data[i] = utcUsToDays(ctx.o.zone, d[i]);
  }
  return { type: 'date', data: out.data, nulls: out.nulls };
}

function toTimestamp(c: Column, from: DataType, n: number, ctx: Ctx): Column {
  const out = new Out(new Float64Array(n), srcNulls(c), n);
  const nulls = srcNulls(c);
  const skip = (i: number) => nulls !== null && nulls[i] === 1;
  switch (kindOf(from)) {
    case 'string': {
      const s = stringsOf(c as StringColumn);
      for (let i = 0; i < n; i++) {
        if (skip(i)) continue;
        const t = parseSparkTimestamp(s[i]!, ctx.o.zone, ctx.o.nowUs);
        if (t === null) ctx.invalid(out, i, s[i]); else out.data[i] = t;
      }
      break;
    }
    case 'date': { const d = numbersOf(c); for (let i = 0; i < n; i++) if (!skip(i)) out.data[i] = daysToUtcUs(ctx.o.zone, d[i]); break; }
    case 'boolean': { const d = (c as BoolColumn).data; for (let i = 0; i < n; i++) out.data[i] = d[i]; break; }
    case 'integral': { const d = numbersOf(c); for (let i = 0; i < n; i++) out.data[i] = clampLong(d[i] * US_PER_SECOND); break; }
    case 'double': {
      const d = numbersOf(c);
      for (let i = 0; i < n; i++) {
        if (skip(i)) continue;
        const x = d[i];
        if (!Number.isFinite(x)) { ctx.invalid(out, i, doubleToString(x)); continue; }
        const us = Math.trunc(x * US_PER_SECOND);
        if (!ctx.legacy && (us >= TWO_63 || us < -TWO_63)) { ctx.overflow(out, i, doubleToString(x)); continue; }
        out.data[i] = clampLong(us) + 0;
      }
      break;
    }
    case 'decimal': {
      const d = unscaledOf(c), s = decimalScale(from as DecimalType);
      for (let i = 0; i < n; i++) if (!skip(i)) out.data[i] = Number(BigInt.asIntN(64, (BigInt(d[i]) * 1_000_000n) / bigPow10(s)));
      break;
    }
    default: throw new Error(`internal: no cast from ${from} to timestamp`);
  }
  return { type: 'timestamp', data: out.data, nulls: out.nulls };
}

function clampLong(x: number): number {
  return x >= TWO_63 ? TWO_63 : x < -TWO_63 ? -TWO_63 : x;
}

// ------------------------------------------------------------ nested types

/**
 * Arrays, maps and structs: their elements are gathered into one column per
 * element type, cast as columns, and put back (a failing element fails its row).
 */
function toNested(c: Column, from: DataType, to: DataType, n: number, ctx: Ctx): Column {
  const data = (c as NestedColumn).data;
  const rows: number[] = [];
  const out = data.slice();
  const castValues = (values: Value[], f: DataType, t: DataType, owner: readonly number[]): Value[] => {
    const col = valuesColumn(f, values);
    const cast = sparkCast(col, f, t, values.length, { ...ctx.o, fail: (k, code, msg) => ctx.o.fail(owner[k], code, msg) });
    return Array.from({ length: values.length }, (_, k) => nestedValueAt(cast, t, k));
  };
  const fi = typeInfo(from), ti = typeInfo(to);
  if (fi.kind === 'array' && ti.kind === 'array') {
    const flat: Value[] = [];
    for (let i = 0; i < n; i++) { const v = data[i] as Value[] | null; if (v) for (const x of v) { flat.push(x); rows.push(i); } }
    const cast = castValues(flat, fi.element, ti.element, rows);
    let k = 0;
    for (let i = 0; i < n; i++) { const v = data[i] as Value[] | null; if (v) out[i] = v.map(() => cast[k++]); }
  } else if (fi.kind === 'map' && ti.kind === 'map') {
    const keys: Value[] = [], vals: Value[] = [];
    for (let i = 0; i < n; i++) { const v = data[i] as Map<string, Value> | null; if (v) for (const [a, b] of v) { keys.push(a); vals.push(b); rows.push(i); } }
    const ck = castValues(keys, fi.key, ti.key, rows), cv = castValues(vals, fi.value, ti.value, rows);
    let k = 0;
    for (let i = 0; i < n; i++) {
      const v = data[i] as Map<string, Value> | null;
      if (!v) continue;
      const m = new Map<string, Value>();
      for (let e = 0; e < v.size; e++, k++) m.set(ck[k] as string, cv[k]); // keys keep their type (maps of values are keyed by value)
      out[i] = m;
    }
  } else if (fi.kind === 'struct' && ti.kind === 'struct') {
    for (let i = 0; i < n; i++) rows.push(i);
    const fields = fi.fields.map((f, j) => castValues(data.map((v) => (v === null ? null : (v as Record<string, Value>)[f.name] ?? null)), f.type, ti.fields[j].type, rows));
    for (let i = 0; i < n; i++) {
      if (data[i] === null) continue;
      const o: Record<string, Value> = {};
      ti.fields.forEach((f, j) => { o[f.name] = fields[j][i]; });
      out[i] = o;
    }
  } else throw new Error(`internal: no cast from ${from} to ${to}`);
  return { type: to as NestedColumn['type'], data: out };
}

/** A column of element values (decimals as nested values hold them: numbers or text). */
function valuesColumn(t: DataType, values: Value[]): Column {
  if (t === 'string') return stringColumnFromArray(values.map((v) => (v === null ? null : String(v))));
  const b = new ColumnBuilder(t, values.length);
  for (const v of values) b.push(storageOf(t) === 'decimal' && typeof v === 'number' ? String(v) : v);
  return b.finish();
}

/** Row k of a cast element column as a nested value. */
function nestedValueAt(c: Column, t: DataType, k: number): Value {
  if (isNested(t)) return (c as NestedColumn).data[k];
  if (t === 'string') return stringsOf(c as StringColumn)[k];
  const m = c as IntColumn | FloatColumn | BoolColumn | DecimalColumn;
  if (m.nulls && m.nulls[k]) return null;
  if (t === 'boolean') return (m as BoolColumn).data[k] === 1;
  if (isDecimal(t)) return Number(decimalText(BigInt((m as DecimalColumn).data[k]), decimalScale(t)));
  return (m as IntColumn).data[k];
}

