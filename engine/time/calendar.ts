/**
 * The proleptic Gregorian calendar on day numbers (days since 1970-01-01),
 * as Spark computes it with `java.time.LocalDate`: fields, ISO weeks, month
 * arithmetic with the end-of-month clamp, and conversions between timestamps
 * (epoch micros) and dates in a zone.
 */
import { civilFromDays, daysFromCivil } from '../sources/csv-values.js';
import { instantMicros, localMicros, type Zone } from './zones.js';

export { civilFromDays, daysFromCivil };

export const US_PER_DAY = 86_400_000_000;
export const US_PER_HOUR = 3_600_000_000;
export const US_PER_MINUTE = 60_000_000;
export const US_PER_SECOND = 1_000_000;
export const US_PER_MILLI = 1000;

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** The day number of a valid date, or null (month 1-12, day within the month). */
export function validDate(y: number, m: number, d: number): number | null {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) return null;
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  return daysFromCivil(y, m, d);
}

/** Java's DayOfWeek value: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday). */
export function isoDayOfWeek(days: number): number {
  return ((((days + 3) % 7) + 7) % 7) + 1;
}

/** Spark's dayofweek: 1 = Sunday … 7 = Saturday. */
export function sundayDayOfWeek(days: number): number {
  return (isoDayOfWeek(days) % 7) + 1;
}

export function dayOfYear(days: number): number {
  const [y] = civilFromDays(days);
  return days - daysFromCivil(y, 1, 1) + 1;
}

/** The ISO-8601 week-based year and week (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(days: number): { year: number; week: number } {
  const thursday = days - isoDayOfWeek(days) + 4;
  const [y] = civilFromDays(thursday);
  return { year: y, week: Math.floor((thursday - daysFromCivil(y, 1, 1)) / 7) + 1 };
}

/** The date `months` months after, the day clamped to the end of the month (Spark's add_months). */
export function addMonthsToDays(days: number, months: number): number {
  const [y, m, d] = civilFromDays(days);
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12), nm = total - ny * 12 + 1;
  return daysFromCivil(ny, nm, Math.min(d, daysInMonth(ny, nm)));
}

export function lastDayOfMonth(days: number): number {
  const [y, m] = civilFromDays(days);
  return daysFromCivil(y, m, daysInMonth(y, m));
}

/** The date of an instant in a zone. */
export function microsToDays(us: number, zone: Zone): number {
  return Math.floor(localMicros(zone, us) / US_PER_DAY);
}

/** The first instant of a date in a zone (midnight, or the end of a gap at midnight). */
export function daysToMicros(days: number, zone: Zone): number {
  return instantMicros(zone, days * US_PER_DAY);
}

/** Microseconds of wall-clock time since local midnight. */
export function microsOfDay(localUs: number): number {
  return localUs - Math.floor(localUs / US_PER_DAY) * US_PER_DAY;
}

/** Floor division for possibly negative values. */
export function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

export function floorMod(a: number, b: number): number {
  return a - Math.floor(a / b) * b;
}
