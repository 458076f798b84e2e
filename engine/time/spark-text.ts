/**
 * Spark's text → DATE and text → TIMESTAMP rules (`CAST(s AS DATE)`,
 * `CAST(s AS TIMESTAMP)`, `to_date(s)`, `to_timestamp(s)`, and the implicit
 * conversion of a string argument of a date/time function), with the session
 * time zone. Spark's `DateTimeUtils.stringToDate` / `stringToTimestamp`:
 *
 * - dates: `[+-]yyyy*`, `[+-]yyyy*-[m]m`, `[+-]yyyy*-[m]m-[d]d`, and the
 *   last followed by a space or `T` and anything (`2009-07-30 04:17:52` is
 *   2009-07-30); the year has 4 to 7 digits;
 * - timestamps: a date as above (year 4 to 6 digits), then optionally
 *   `[ T][h]h[:[m]m[:[s]s[.fraction]]]` and a zone (`Z`, `+08:00`, `-8`,
 *   `UTC+1`, ` UTC`, `America/Los_Angeles`); a time alone (`12:30:45`) is on
 *   the current date (of the micro-batch) in the zone; a fraction beyond 6
 *   digits is truncated; without a zone the time is in the session zone;
 * - the text is trimmed of white space and control characters first; a date
 *   that does not exist (2024-02-30) or a field out of range gives null.
 */
import { validDate, US_PER_DAY } from './calendar.js';
import { instantMicros, localMicros, zoneOf, type Zone } from './zones.js';

function isBlank(c: number): boolean {
  return c <= 0x20 || (c >= 0x7f && c <= 0x9f);
}

function trimBounds(s: string): [number, number] {
  let a = 0, z = s.length;
  while (a < z && isBlank(s.charCodeAt(a))) a++;
  while (z > a && isBlank(s.charCodeAt(z - 1))) z--;
  return [a, z];
}

/** Spark's text → DATE (epoch days), or null. */
export function parseSparkDate(s: string): number | null {
  let [j, end] = trimBounds(s);
  if (j === end) return null;
  const seg = [1, 1, 1];
  let sign = 1;
  const c0 = s.charCodeAt(j);
  if (c0 === 45 || c0 === 43) { sign = c0 === 45 ? -1 : 1; j++; }
  let i = 0, value = 0, digits = 0;
  const valid = (k: number, n: number) => (k === 0 ? n >= 4 && n <= 7 : n > 0 && n <= 2);
  while (j < end) {
    const c = s.charCodeAt(j);
    if (c === 32 || c === 84) break; // ' ' or 'T' ends the date
    if (i < 2 && c === 45) {
      if (!valid(i, digits)) return null;
      seg[i++] = value; value = 0; digits = 0;
    } else {
      const d = c - 48;
      if (d < 0 || d > 9) return null;
      value = value * 10 + d; digits++;
    }
    j++;
  }
  if (!valid(i, digits)) return null;
  if (i < 2 && j < end) return null;
  seg[i] = value;
  return validDate(sign * seg[0], seg[1], seg[2]);
}

/** The fields of a timestamp text: [y, m, d, h, mi, s, micros], the zone text, and whether it is a time alone. */
interface TimestampFields { readonly seg: number[]; readonly zone: string | null; readonly justTime: boolean }

function timestampFields(s: string): TimestampFields | null {
  let [j, end] = trimBounds(s);
  if (j === end) return null;
  const start = j;
  const seg = [1, 1, 1, 0, 0, 0, 0];
  let i = 0, value = 0, digits = 0, fracDigits = 0;
  let justTime = false;
  let yearSign = 0;
  let zone: string | null = null;
  const valid = (k: number, n: number) => k === 6 || (k === 0 ? n >= 4 && n <= 6 : n > 0 && n <= 2);
  const c0 = s.charCodeAt(j);
  if (c0 === 45 || c0 === 43) { yearSign = c0 === 45 ? -1 : 1; j++; }
  while (j < end) {
    const c = s.charCodeAt(j);
    const d = c - 48;
    if (d >= 0 && d <= 9) {
      if (i === 6) fracDigits++;
      if (i !== 6 || digits < 6) value = value * 10 + d;
      digits++;
      j++;
      continue;
    }
    if (j === start && c === 84) { // 'T' then a time
      justTime = true; i = 3; j++; continue;
    }
    if (i < 2) {
      if (c === 45) {
        if (!valid(i, digits)) return null;
        seg[i++] = value;
      } else if (i === 0 && c === 58 && yearSign === 0) { // 'hh:' a time alone
        if (!valid(3, digits)) return null;
        justTime = true;
        seg[3] = value; i = 4;
      } else return null;
    } else if (i === 2) {
      if (c !== 32 && c !== 84) return null;
      if (!valid(i, digits)) return null;
      seg[i++] = value;
    } else if (i === 3 || i === 4) {
      if (c !== 58) {
        // a zone right after the hour or minute (`2024-01-01T10Z`) is not accepted
        return null;
      }
      if (!valid(i, digits)) return null;
      seg[i++] = value;
    } else if (i === 5 || i === 6) {
      if (c === 46 && i === 5) {
        if (!valid(i, digits)) return null;
        seg[i++] = value;
      } else {
        if (!valid(i, digits)) return null;
        seg[i++] = value;
        zone = s.slice(j, end).trim();
        value = 0; digits = 0;
        j = end;
        break;
      }
    } else return null;
    value = 0; digits = 0;
    j++;
  }
  if (zone === null) {
    if (i === 3 && digits === 0 && !justTime) {
      // `2024-01-01T` or `2024-01-01 `: midnight
    } else if (!valid(i, digits)) return null;
    else seg[i] = value;
    if (i === 6) fracDigits = digits;
  }
  let frac = seg[6];
  for (let k = Math.min(fracDigits, 6); k < 6; k++) frac *= 10;
  seg[6] = frac;
  if (yearSign) seg[0] *= yearSign;
  return { seg, zone, justTime };
}

/** A zone written after a timestamp (`Z`, `+8`, `-08:00`, `UTC`, `GMT+1`, a region), or null. */
function zoneFromText(t: string): Zone | null {
  if (t === '') return zoneOf('UTC');
  // Spark pads a one-digit hour of an offset: +8:00 → +08:00
  return zoneOf(t.replace(/^([+-])(\d):/, '$10$2:'));
}

/**
 * Spark's text → TIMESTAMP (epoch micros) in `zone` (unless the text has its
 * own), or null. `nowUs` dates a time given alone.
 */
export function parseSparkTimestamp(s: string, zone: Zone, nowUs: number): number | null {
  const f = timestampFields(s);
  if (f === null) return null;
  const [y, mo, d, h, mi, sec, us] = f.seg;
  if (h > 23 || mi > 59 || sec > 59) return null;
  const z = f.zone === null ? zone : zoneFromText(f.zone);
  if (z === null) return null;
  let days: number | null;
  if (f.justTime) days = Math.floor(localMicros(z, nowUs) / US_PER_DAY);
  else days = validDate(y, mo, d);
  if (days === null) return null;
  const local = days * US_PER_DAY + ((h * 60 + mi) * 60 + sec) * 1_000_000 + us;
  return instantMicros(z, local);
}
