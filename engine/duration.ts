/**
 * Durations, parsed one way everywhere: window sizes, watermark delays, triggers,
 * generator intervals. Accepted forms: `0`, `250ms`, `2m`, `2 minutes`,
 * `15 minutes`, `1 hour`, `7 days`, `1 week`, `1h30m`, `interval 10 minutes`.
 * Months and years are refused: their length varies.
 */
import { DefinitionError } from './errors.js';

const UNIT_US: Record<string, number> = {
  us: 1, microsecond: 1, microseconds: 1,
  ms: 1_000, millisecond: 1_000, milliseconds: 1_000, msec: 1_000,
  s: 1_000_000, sec: 1_000_000, secs: 1_000_000, second: 1_000_000, seconds: 1_000_000,
  m: 60_000_000, min: 60_000_000, mins: 60_000_000, minute: 60_000_000, minutes: 60_000_000,
  h: 3_600_000_000, hr: 3_600_000_000, hrs: 3_600_000_000, hour: 3_600_000_000, hours: 3_600_000_000,
  d: 86_400_000_000, day: 86_400_000_000, days: 86_400_000_000,
  w: 604_800_000_000, week: 604_800_000_000, weeks: 604_800_000_000,
};

const VARIABLE_UNITS = new Set(['mo', 'mon', 'month', 'months', 'y', 'yr', 'year', 'years']);

/** Parses a duration into microseconds; throws `INVALID_DURATION` or `UNSUPPORTED_DURATION_UNIT`. */
export function parseDurationUs(text: string, what = 'duration'): number {
  const raw = String(text).trim().toLowerCase().replace(/^interval\s+/, '');
  if (raw === '0') return 0;
  const re = /(\d+(?:\.\d+)?)\s*([a-z]+)\s*/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(raw)) !== null) {
    const unit = m[2];
    if (VARIABLE_UNITS.has(unit)) {
      throw new DefinitionError('UNSUPPORTED_DURATION_UNIT', `${what} "${text}" uses ${unit}, whose length varies`, { value: text, unit, what }, {
        hint: 'use days or weeks, e.g. "30 days"',
      });
    }
    const us = UNIT_US[unit];
    if (us === undefined) break;
    total += Number(m[1]) * us;
    matched = re.lastIndex;
  }
  if (matched === 0 || matched !== raw.length || !Number.isFinite(total)) {
    throw new DefinitionError('INVALID_DURATION', `${what} "${text}" is not a duration`, { value: text, what }, {
      hint: 'write e.g. "15 minutes", "2m", "1 day", "7 days" or "250ms"',
    });
  }
  return Math.round(total);
}

export function parseDurationMs(text: string, what = 'duration'): number {
  return parseDurationUs(text, what) / 1000;
}

/** Spark's interval text for a microsecond count, e.g. `15 minutes`, `7 days`. */
export function durationToSql(us: number): string {
  const units: [number, string][] = [[604_800_000_000, 'week'], [86_400_000_000, 'day'], [3_600_000_000, 'hour'], [60_000_000, 'minute'], [1_000_000, 'second'], [1_000, 'millisecond']];
  for (const [u, name] of units) {
    if (us >= u && us % u === 0) {
      const n = us / u;
      if (name === 'week') return `${n * 7} days`;
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return `${us} microseconds`;
}
