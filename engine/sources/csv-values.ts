/**
 * Text <-> value conversions shared by the CSV parser and by casts.
 *
 * The `...Range(u, a, b)` functions parse the UTF-16 code units `u[a, b)`
 * (a `Uint8Array` holds ASCII text, a `Uint16Array` any text) without building
 * a string, and return `NaN` when the text does not convert, so the CSV hot
 * loop never allocates for numbers, booleans, dates or timestamps. They never
 * read outside `[a, b)`; `a < b` is required.
 *
 * The string helpers (`parseDateDays`, `parseTimestampUs`) return `null`
 * instead and accept surrounding ASCII spaces and tabs.
 *
 * Dates are Int32 days since 1970-01-01 (proleptic Gregorian calendar);
 * timestamps are microseconds since 1970-01-01T00:00:00Z held in a double.
 * `formatDate` gives `YYYY-MM-DD`; `formatTimestamp` gives
 * `YYYY-MM-DD HH:MM:SS[.ffffff]` in UTC with the fraction's trailing zeros
 * removed (and no fraction at all on a whole second), like Spark's
 * timestamp-to-string cast.
 */

/** Code units of a text: ASCII bytes, or UTF-16 code units. */
export type Codes = Uint8Array | Uint16Array;

/** Null markers used when a source does not name its own (compared case-insensitively, after trimming). */
export const DEFAULT_NULL_MARKERS: readonly string[] = Object.freeze(['null', 'na', 'n/a', 'nan', 'none']);

export const US_PER_SECOND = 1_000_000;
export const US_PER_DAY = 86_400_000_000;

const INT32_MAX = 2147483647;
const INT32_MIN_ABS = 2147483648;
/** Longs are kept in doubles: the accepted range is ±(2^53 − 1). */
const LONG_MAX_ABS = Number.MAX_SAFE_INTEGER;

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** The string of `u[a, b)`. */
export function codesToString(u: Codes, a: number, b: number): string {
  let out = '';
  for (let i = a; i < b; i += 4096) out += String.fromCharCode.apply(null, u.subarray(i, Math.min(b, i + 4096)) as unknown as number[]);
  return out;
}

let scratch = new Uint16Array(256);

/** The code units of `s` in a shared scratch array (valid until the next call). */
export function scratchCodes(s: string): Uint16Array {
  const n = s.length;
  if (n > scratch.length) scratch = new Uint16Array(Math.max(n, scratch.length * 2));
  const u = scratch;
  for (let i = 0; i < n; i++) u[i] = s.charCodeAt(i);
  return u;
}

/** `[+-]?digits` within INT32, else NaN. */
export function parseIntRange(u: Codes, a: number, b: number): number {
  let i = a;
  let neg = false;
  const s0 = u[i];
  if (s0 === 45) { neg = true; i++; } else if (s0 === 43) i++;
  if (i >= b) return NaN;
  const limit = neg ? INT32_MIN_ABS : INT32_MAX;
  let v = 0;
  for (; i < b; i++) {
    const d = u[i] - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
    if (v > limit) return NaN;
  }
  return neg ? -v | 0 : v;
}

/** `[+-]?digits` within ±(2^53 − 1), else NaN. Never returns -0. */
export function parseLongRange(u: Codes, a: number, b: number): number {
  let i = a;
  let neg = false;
  const s0 = u[i];
  if (s0 === 45) { neg = true; i++; } else if (s0 === 43) i++;
  if (i >= b) return NaN;
  let v = 0;
  for (; i < b; i++) {
    const d = u[i] - 48;
    if (d < 0 || d > 9) return NaN;
    // Exact while the true value is <= 2^53; a larger true value rounds to >= 2^53.
    v = v * 10 + d;
    if (v > LONG_MAX_ABS) return NaN;
  }
  return neg ? 0 - v : v;
}

/**
 * A JS-style decimal: `[+-]?(digits[.digits?]|.digits)([eE][+-]?digits)?`
 * (so `1.`, `.5`, `-2e-3` are accepted; `Infinity`, `NaN`, hex, `1_000` are
 * not). A value that overflows to ±Infinity is rejected. Else NaN.
 */
export function parseDoubleRange(u: Codes, a: number, b: number): number {
  let i = a;
  let neg = false;
  let c = u[i];
  if (c === 45 || c === 43) { neg = c === 45; i++; }
  let mant = 0;
  let digits = 0;
  let fracDigits = 0;
  for (; i < b; i++) {
    c = u[i] - 48;
    if (c < 0 || c > 9) break;
    mant = mant * 10 + c;
    digits++;
  }
  if (i < b && u[i] === 46) {
    for (i++; i < b; i++) {
      c = u[i] - 48;
      if (c < 0 || c > 9) break;
      mant = mant * 10 + c;
      fracDigits++;
    }
    digits += fracDigits;
  }
  if (digits === 0) return NaN;
  if (i === b) {
    // Clinger's fast path: an exact mantissa divided by an exact power of ten is correctly rounded.
    if (digits <= 15) { const v = fracDigits === 0 ? mant : mant / POW10[fracDigits]; return neg ? -v : v; }
  } else {
    c = u[i];
    if (c !== 101 && c !== 69) return NaN;
    i++;
    if (i < b && (u[i] === 43 || u[i] === 45)) i++;
    if (i >= b) return NaN;
    for (; i < b; i++) { c = u[i] - 48; if (c < 0 || c > 9) return NaN; }
  }
  const v = Number(codesToString(u, a, b));
  return Number.isFinite(v) ? v : NaN;
}

/** `true` / `false` (case-insensitive): 1 / 0, else NaN. */
export function parseBoolRange(u: Codes, a: number, b: number): number {
  const n = b - a;
  if (n === 4) {
    return (u[a] | 32) === 116 && (u[a + 1] | 32) === 114 && (u[a + 2] | 32) === 117 && (u[a + 3] | 32) === 101 ? 1 : NaN;
  }
  if (n === 5) {
    return (u[a] | 32) === 102 && (u[a + 1] | 32) === 97 && (u[a + 2] | 32) === 108 && (u[a + 3] | 32) === 115 && (u[a + 4] | 32) === 101 ? 0 : NaN;
  }
  return NaN;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeap(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (no validation). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** [year, month, day] of a day number. */
export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** Two decimal digits at u[i, i+2) (both in range), or NaN. */
function two(u: Codes, i: number): number {
  const h = u[i] - 48;
  const l = u[i + 1] - 48;
  return h >= 0 && h <= 9 && l >= 0 && l <= 9 ? h * 10 + l : NaN;
}

/** Days of `YYYY-MM-DD` at u[a, a+10) (in range), validated as a real calendar date, else NaN. */
function dateAt(u: Codes, a: number): number {
  if (u[a + 4] !== 45 || u[a + 7] !== 45) return NaN;
  const y0 = u[a] - 48;
  const y1 = u[a + 1] - 48;
  const y2 = u[a + 2] - 48;
  const y3 = u[a + 3] - 48;
  const m0 = u[a + 5] - 48;
  const m1 = u[a + 6] - 48;
  const d0 = u[a + 8] - 48;
  const d1 = u[a + 9] - 48;
  if ((y0 >>> 0) > 9 || (y1 >>> 0) > 9 || (y2 >>> 0) > 9 || (y3 >>> 0) > 9 || (m0 >>> 0) > 9 || (m1 >>> 0) > 9 || (d0 >>> 0) > 9 || (d1 >>> 0) > 9) return NaN;
  const y = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const m = m0 * 10 + m1;
  const d = d0 * 10 + d1;
  if (m < 1 || m > 12 || d < 1 || (d > 28 && d > daysInMonth(y, m))) return NaN;
  return daysFromCivil(y, m, d);
}

/** Exactly `YYYY-MM-DD` (a real calendar date): days since epoch, else NaN. */
export function parseDateRange(u: Codes, a: number, b: number): number {
  if (b - a !== 10) return NaN;
  return dateAt(u, a);
}

/**
 * `YYYY-MM-DD` (midnight UTC), or `YYYY-MM-DD[T ]HH:MM[:SS[.fraction]]`
 * followed by nothing (UTC), `Z` or `±HH:MM`. `T` and `Z` may be lower case.
 * Hours 00-23, minutes and seconds 00-59, offsets up to ±23:59. Fraction
 * digits beyond the sixth are truncated. Microseconds since epoch, else NaN.
 */
export function parseTimestampRange(u: Codes, a: number, b: number): number {
  const len = b - a;
  if (len < 10) return NaN;
  const days = dateAt(u, a);
  if (days !== days) return NaN;
  if (len === 10) return days * US_PER_DAY;
  const sep = u[a + 10];
  if (sep !== 84 && sep !== 116 && sep !== 32) return NaN;
  if (len < 16 || u[a + 13] !== 58) return NaN;
  const hh = two(u, a + 11);
  const mi = two(u, a + 14);
  if (!(hh <= 23) || !(mi <= 59)) return NaN;
  let i = a + 16;
  let ss = 0;
  let frac = 0;
  if (i < b && u[i] === 58) {
    if (i + 3 > b) return NaN;
    ss = two(u, i + 1);
    if (!(ss <= 59)) return NaN;
    i += 3;
    if (i < b && u[i] === 46) {
      i++;
      const f0 = i;
      for (; i < b; i++) {
        const d = u[i] - 48;
        if (d < 0 || d > 9) break;
        if (i - f0 < 6) frac = frac * 10 + d;
      }
      const nf = i - f0;
      if (nf === 0) return NaN;
      if (nf < 6) frac *= POW10[6 - nf];
    }
  }
  let offsetMin = 0;
  if (i < b) {
    const c = u[i];
    if (c === 90 || c === 122) {
      if (i + 1 !== b) return NaN;
    } else if (c === 43 || c === 45) {
      if (b - i !== 6 || u[i + 3] !== 58) return NaN;
      const oh = two(u, i + 1);
      const om = two(u, i + 4);
      if (!(oh <= 23) || !(om <= 59)) return NaN;
      offsetMin = (c === 45 ? -1 : 1) * (oh * 60 + om);
    } else return NaN;
  }
  return days * US_PER_DAY + ((hh * 60 + mi - offsetMin) * 60 + ss) * US_PER_SECOND + frac;
}

/** Parses the trimmed `s` with `f`, or null. */
function parseTrimmed(s: string, f: (u: Codes, a: number, b: number) => number): number | null {
  const u = scratchCodes(s);
  let a = 0;
  let b = s.length;
  while (a < b && (u[a] === 32 || u[a] === 9)) a++;
  while (b > a && (u[b - 1] === 32 || u[b - 1] === 9)) b--;
  if (a === b) return null;
  const v = f(u, a, b);
  return v === v ? v : null;
}

/** `YYYY-MM-DD` (surrounding spaces/tabs allowed) as days since 1970-01-01, or null. */
export function parseDateDays(s: string): number | null {
  return parseTrimmed(s, parseDateRange);
}

/** An ISO-8601 timestamp (see parseTimestampRange; a bare date is midnight UTC) as epoch microseconds, or null. */
export function parseTimestampUs(s: string): number | null {
  return parseTrimmed(s, parseTimestampRange);
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

function yearText(y: number): string {
  if (y >= 0 && y <= 9999) return String(y).padStart(4, '0');
  return (y < 0 ? '-' : '+') + String(Math.abs(y)).padStart(4, '0');
}

/** `YYYY-MM-DD` of days since 1970-01-01 (years outside 0..9999 get a sign). */
export function formatDate(days: number): string {
  const [y, m, d] = civilFromDays(Math.floor(days));
  return `${yearText(y)}-${pad2(m)}-${pad2(d)}`;
}

/**
 * `YYYY-MM-DD HH:MM:SS[.ffffff]` in UTC (Spark's timestamp-to-string shape):
 * a space between date and time, no zone suffix, and the fraction only when
 * it is non-zero, with trailing zeros removed (`...:05.25`, `...:05.000001`).
 */
export function formatTimestamp(us: number): string {
  const t = Math.floor(us);
  const days = Math.floor(t / US_PER_DAY);
  let rem = t - days * US_PER_DAY;
  const frac = rem % US_PER_SECOND;
  rem = (rem - frac) / US_PER_SECOND;
  const ss = rem % 60;
  rem = (rem - ss) / 60;
  const mi = rem % 60;
  const hh = (rem - mi) / 60;
  let out = `${formatDate(days)} ${pad2(hh)}:${pad2(mi)}:${pad2(ss)}`;
  if (frac !== 0) out += '.' + String(frac).padStart(6, '0').replace(/0+$/, '');
  return out;
}
