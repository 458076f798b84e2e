/**
 * Text ↔ value as Spark 4.1's CAST reads and writes it.
 *
 * Readers return null when the text does not convert (the caller turns that
 * into NULL or, in ANSI mode, CAST_INVALID_INPUT):
 * - integers (`UTF8String.toInt/toLong`): ASCII whitespace and control
 *   characters trimmed; `[+-]digits`; in legacy mode a fraction is allowed and
 *   dropped (`'1.9'` → 1, `'.5'` → 0), not in ANSI mode;
 * - doubles (`Double.parseDouble`, then Spark's special literals): Java
 *   syntax with a `d`/`f` suffix, hexadecimal, `NaN`, `Infinity`, and
 *   `inf`/`infinity`/`nan` in any case;
 * - decimals (`new BigDecimal(text.trim)`): `[+-]digits[.digits][e[+-]n]`;
 * - booleans: `t true y yes 1` / `f false n no 0`, any case;
 * - dates (`stringToDate`): `[+-]yyyy[y…]`, `yyyy-[m]m`, `yyyy-[m]m-[d]d`,
 *   and the last followed by a space or `T` and anything;
 * - timestamps (`stringToTimestamp`): a date, optionally followed by
 *   `[ T][h]h[:[m]m[:[s]s[.fraction]]]` and a zone after the seconds (`Z`,
 *   `±hh:mm`, `UTC+1`, `Europe/Paris`, …); a time alone is on the batch's
 *   date; the session zone applies when the text names none.
 *
 * Writers: Java's `Double.toString`, decimals plain or as
 * `BigDecimal.toString` (legacy mode), dates `yyyy-MM-dd`, timestamps
 * `yyyy-MM-dd HH:mm:ss[.ffffff]` in the session zone.
 */
import { pow10n } from '../batch.js';
import { daysFromCivil, formatDate, formatTimestamp } from '../sources/csv-values.js';
import { localToUtcUs, parseZoneId, utcToLocalUs, type Zone } from '../time/zones.js';

const US_PER_DAY = 86_400_000_000;
const US_PER_SECOND = 1_000_000;

/** Spark's trim for numbers, booleans and datetimes: bytes 0x00–0x20 and 0x7F at both ends. */
export function trimControl(s: string): string {
  let a = 0, b = s.length;
  while (a < b && isCtl(s.charCodeAt(a))) a++;
  while (b > a && isCtl(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

function isCtl(c: number): boolean {
  return c <= 0x20 || c === 0x7f;
}

/** Java's String.trim: characters up to U+0020 at both ends. */
export function trimJava(s: string): string {
  let a = 0, b = s.length;
  while (a < b && s.charCodeAt(a) <= 0x20) a++;
  while (b > a && s.charCodeAt(b - 1) <= 0x20) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

// ------------------------------------------------------------ integers

const INT_MIN = -2147483648n, INT_MAX = 2147483647n;
const LONG_MIN = -(2n ** 63n), LONG_MAX = 2n ** 63n - 1n;

/**
 * The integer of a text as Spark's `toInt`/`toLong` (`bits` 32 or 64) reads
 * it, or null. `allowFraction`: legacy mode, where a well-formed fraction is
 * dropped. A BIGINT within Spark's range that a double cannot hold exactly
 * (beyond 2^53) is NaN.
 */
export function parseIntegral(text: string, bits: 32 | 64, allowFraction: boolean): number | null {
  const s = trimControl(text);
  const n = s.length;
  if (n === 0) return null;
  let i = 0;
  const c0 = s.charCodeAt(0);
  const neg = c0 === 45;
  if (neg || c0 === 43) { if (n === 1) return null; i = 1; }
  let end = n;
  let v = 0;
  for (let k = i; k < n; k++) {
    const c = s.charCodeAt(k);
    if (c >= 48 && c <= 57) { v = v * 10 + (c - 48); continue; }
    if (c !== 46 || !allowFraction) return null;
    for (let f = k + 1; f < n; f++) { const d = s.charCodeAt(f); if (d < 48 || d > 57) return null; }
    end = k;
    break;
  }
  if (end - i <= 15) {
    const x = neg ? -v : v;
    if (bits === 32 && (x < -2147483648 || x > 2147483647)) return null;
    return x + 0;
  }
  let b = BigInt(s.slice(i, end));
  if (neg) b = -b;
  if (bits === 32 ? b < INT_MIN || b > INT_MAX : b < LONG_MIN || b > LONG_MAX) return null;
  const x = Number(b);
  return BigInt(x) === b ? x : NaN;
}

// ------------------------------------------------------------ doubles

const PLAIN_DOUBLE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const JAVA_DOUBLE = /^[+-]?(?:NaN|Infinity|(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+)[fFdD]?)$/;

/** A DOUBLE from text as Spark reads it (`Double.parseDouble`, then `inf`/`nan` literals), or null. */
export function parseDouble(text: string): number | null {
  const s = trimJava(text);
  if (PLAIN_DOUBLE.test(s)) return Number(s);
  if (JAVA_DOUBLE.test(s)) {
    let body = s;
    const last = body.charCodeAt(body.length - 1);
    const isHex = /0[xX]/.test(body);
    if (!body.endsWith('NaN') && !body.endsWith('Infinity') && (last === 100 || last === 68 || last === 102 || last === 70)) body = body.slice(0, -1);
    if (isHex) return parseHexDouble(body);
    if (body.endsWith('NaN')) return NaN;
    return Number(body);
  }
  switch (s.toLowerCase()) {
    case 'inf': case '+inf': case 'infinity': case '+infinity': return Infinity;
    case '-inf': case '-infinity': return -Infinity;
    case 'nan': return NaN;
    default: return null;
  }
}

function parseHexDouble(s: string): number {
  const m = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/.exec(s)!;
  const digits = (m[2] + m[3]) || '0';
  const mant = BigInt('0x' + digits);
  const exp = Number(m[4]) - 4 * m[3].length;
  const v = Number(mant) * 2 ** exp;
  return m[1] === '-' ? -v : v;
}

// ------------------------------------------------------------ decimals

const BIG_DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** A decimal number read from text as Java's `new BigDecimal(text.trim())`: its unscaled value and scale, or null. */
export function parseBigDecimal(text: string): { unscaled: bigint; scale: number } | null {
  const m = BIG_DECIMAL.exec(trimJava(text));
  if (!m) return null;
  const int = m[2], frac = m[3] ?? '';
  if (int === '' && frac === '') return null;
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(exp)) return null;
  let u = BigInt((int || '0') + frac);
  if (m[1] === '-') u = -u;
  return { unscaled: u, scale: frac.length - exp };
}

/** Rounds an unscaled value at `fromScale` to `toScale`, half up (away from zero at .5). */
export function rescaleHalfUp(u: bigint, fromScale: number, toScale: number): bigint {
  if (toScale >= fromScale) return u * bigPow10(toScale - fromScale);
  const d = bigPow10(fromScale - toScale);
  const q = u / d, r = u % d;
  return 2n * (r < 0n ? -r : r) >= d ? q + (u < 0n ? -1n : 1n) : q;
}

/** Rounds an unscaled value at `fromScale` to `toScale`, half to even. */
export function rescaleHalfEven(u: bigint, fromScale: number, toScale: number): bigint {
  if (toScale >= fromScale) return u * bigPow10(toScale - fromScale);
  const d = bigPow10(fromScale - toScale);
  const q = u / d, r = u % d;
  const twice = 2n * (r < 0n ? -r : r);
  if (twice > d || (twice === d && (q & 1n) !== 0n)) return q + (u < 0n ? -1n : 1n);
  return q;
}

export function bigPow10(k: number): bigint {
  return k <= 38 ? pow10n(k) : 10n ** BigInt(k);
}

/** The number of decimal digits of |u| (1 for 0). */
export function digitCount(u: bigint): number {
  return (u < 0n ? -u : u).toString().length;
}

/** The exact decimal of a finite double, as Spark's `Decimal(double)` (through `Double.toString`'s digits). */
export function doubleToBigDecimal(x: number): { unscaled: bigint; scale: number } {
  return parseBigDecimal(doubleToString(x))!;
}

// ------------------------------------------------------------ booleans

const TRUE_STRINGS = new Set(['t', 'true', 'y', 'yes', '1']);
const FALSE_STRINGS = new Set(['f', 'false', 'n', 'no', '0']);

/** A BOOLEAN from text as Spark reads it, or null. */
export function parseBoolean(text: string): boolean | null {
  const s = trimControl(text).toLowerCase();
  if (TRUE_STRINGS.has(s)) return true;
  if (FALSE_STRINGS.has(s)) return false;
  return null;
}

// ------------------------------------------------------------ dates and timestamps

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function validDate(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

/** A DATE (epoch days) from text as Spark's `stringToDate` reads it, or null. */
export function parseSparkDate(text: string): number | null {
  const s = trimControl(text);
  const n = s.length;
  if (n === 0) return null;
  const seg = [1, 1, 1];
  let sign = 1, i = 0, value = 0, digits = 0, j = 0;
  const c0 = s.charCodeAt(0);
  if (c0 === 45 || c0 === 43) { sign = c0 === 45 ? -1 : 1; j = 1; }
  const valid = (k: number, dg: number) => (k === 0 ? dg >= 4 && dg <= 7 : dg > 0 && dg <= 2);
  for (; j < n && i < 3; j++) {
    const c = s.charCodeAt(j);
    if (c === 32 || c === 84) break;
    if (i < 2 && c === 45) {
      if (!valid(i, digits)) return null;
      seg[i++] = value; value = 0; digits = 0;
      continue;
    }
    const dgt = c - 48;
    if (dgt < 0 || dgt > 9) return null;
    value = value * 10 + dgt; digits++;
  }
  if (!valid(i, digits)) return null;
  if (i < 2 && j < n) return null;
  seg[i] = value;
  const y = sign * seg[0];
  if (!validDate(y, seg[1], seg[2])) return null;
  return daysFromCivil(y, seg[1], seg[2]);
}

interface TimestampParts {
  readonly y: number; readonly mo: number; readonly d: number;
  readonly h: number; readonly mi: number; readonly s: number; readonly us: number;
  readonly zone: string | null;
  readonly justTime: boolean;
}

/** Spark's `parseTimestampString`: the fields of a timestamp text, or null. */
function timestampParts(text: string): TimestampParts | null {
  const s = trimControl(text);
  const n = s.length;
  if (n === 0) return null;
  const seg = [1, 1, 1, 0, 0, 0, 0, 0, 0];
  let i = 0, value = 0, digits = 0, fracDigits = 0, j = 0;
  let justTime = false, zone: string | null = null;
  let yearSign = 0;
  const startsWithT = text.charCodeAt(0) === 84;
  const c0 = s.charCodeAt(0);
  if (c0 === 45 || c0 === 43) { yearSign = c0 === 45 ? -1 : 1; j = 1; }
  const valid = (k: number, dg: number) =>
    k === 6 || (k === 0 && dg >= 4 && dg <= 6) || (k === 7 && dg <= 2) || (k !== 0 && k !== 6 && k !== 7 && dg > 0 && dg <= 2);
  const close = (k: number): boolean => {
    if (!valid(k, digits)) return false;
    seg[k] = value; value = 0; digits = 0;
    return true;
  };
  for (; j < n; j++) {
    const c = s.charCodeAt(j);
    const dgt = c - 48;
    if (dgt >= 0 && dgt <= 9) {
      if (i === 6) fracDigits++;
      if (i !== 6 || digits < 6) value = value * 10 + dgt;
      digits++;
      continue;
    }
    if (j === 0 && c === 84 && startsWithT) { justTime = true; i += 3; continue; }
    if (i < 2) {
      if (c === 45) { if (!close(i)) return null; i++; continue; }
      if (i === 0 && c === 58 && yearSign === 0) {
        justTime = true;
        if (!valid(3, digits)) return null;
        seg[3] = value; value = 0; digits = 0; i = 4;
        continue;
      }
      return null;
    }
    if (i === 2) {
      if (c !== 32 && c !== 84) return null;
      if (!close(2)) return null;
      i++;
      continue;
    }
    if (i === 3 || i === 4) {
      if (c !== 58) return null;
      if (!close(i)) return null;
      i++;
      continue;
    }
    if (i === 5 || i === 6) {
      if (c === 46 && i === 5) { if (!close(5)) return null; i++; continue; }
      if (!close(i)) return null;
      i++;
      zone = s.slice(j);
      j = n - 1;
      if (i === 6) i++;
      continue;
    }
    if (i < 9 && (c === 58 || c === 32)) { if (!close(i)) return null; i++; continue; }
    return null;
  }
  if (!valid(i, digits)) return null;
  seg[i] = value;
  let us = seg[6];
  for (let k = Math.min(fracDigits, 6); k < 6; k++) us *= 10;
  return { y: seg[0] * (yearSign || 1), mo: seg[1], d: seg[2], h: seg[3], mi: seg[4], s: seg[5], us, zone, justTime };
}

/**
 * A TIMESTAMP (epoch µs) from text as Spark's `stringToTimestamp` reads it,
 * or null. `zone`: the session zone (used when the text names none);
 * `nowUs`: the batch's timestamp (the date of a text that is a time alone).
 */
export function parseSparkTimestamp(text: string, zone: Zone, nowUs: number): number | null {
  const p = timestampParts(text);
  if (p === null) return null;
  let z = zone;
  if (p.zone !== null) {
    const parsed = parseZoneId(trimJava(p.zone));
    if (parsed === null) return null;
    z = parsed;
  }
  if (p.h > 23 || p.mi > 59 || p.s > 59) return null;
  let days: number;
  if (p.justTime) days = Math.floor(utcToLocalUs(z, nowUs) / US_PER_DAY);
  else {
    if (!validDate(p.y, p.mo, p.d)) return null;
    days = daysFromCivil(p.y, p.mo, p.d);
  }
  const local = days * US_PER_DAY + ((p.h * 60 + p.mi) * 60 + p.s) * US_PER_SECOND + p.us;
  return localToUtcUs(z, local);
}

/** A timestamp (epoch µs) as Spark writes it in a zone: `yyyy-MM-dd HH:mm:ss[.ffffff]`. */
export function formatTimestampIn(us: number, zone: Zone): string {
  return formatTimestamp(utcToLocalUs(zone, us));
}

export { formatDate };

// ------------------------------------------------------------ numbers as text

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

/** A decimal in plain notation with its scale: `1.50`, `-0.001`. */
export function decimalText(u: bigint, scale: number): string {
  const neg = u < 0n;
  let digits = (neg ? -u : u).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = digits.slice(0, digits.length - scale) + '.' + digits.slice(digits.length - scale);
  }
  return (neg ? '-' : '') + digits;
}

/** Java's BigDecimal.toString: plain unless the adjusted exponent is below -6 (`1E-8`, `0E-10`, `1.23E-7`). */
export function decimalJavaText(u: bigint, scale: number): string {
  const coeff = (u < 0n ? -u : u).toString();
  const adjusted = -scale + (coeff.length - 1);
  if (scale >= 0 && adjusted >= -6) return decimalText(u, scale);
  const mant = coeff.length > 1 ? `${coeff[0]}.${coeff.slice(1)}` : coeff;
  return `${u < 0n ? '-' : ''}${mant}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
}
