/**
 * TypeScript builders of the date and time functions: free functions named
 * after the Spark function in camelCase (`date_trunc` → `dateTrunc`). A JS
 * string argument is a literal (a unit, a pattern, a date text); `col('x')` is
 * a column: `dateTrunc('day', col('ts'))`, `toDate(col('raw'), 'MM/dd/yyyy')`,
 * `col('ts').plus(interval('1 day'))`. Every one is a registry call, the same
 * as `fn('date_trunc', 'day', col('ts'))`.
 */
import { DefinitionError } from '../../errors.js';
import { parseExpression } from '../../parse/expr-parser.js';
import { Expr, fn, type ExprLike } from '../builder.js';

const opt = (...xs: (ExprLike | undefined)[]): ExprLike[] => xs.filter((x): x is ExprLike => x !== undefined);

/** The micro-batch's date in the session time zone. */
export function currentDate(): Expr { return fn('current_date'); }
/** The micro-batch's time. */
export function currentTimestamp(): Expr { return fn('current_timestamp'); }
/** The micro-batch's time (current_timestamp). */
export function now(): Expr { return fn('now'); }

/** Text → DATE (Spark's CAST rules, or a Spark datetime pattern). */
export function toDate(x: ExprLike, format?: ExprLike): Expr { return fn('to_date', ...opt(x, format)); }
/** Text → TIMESTAMP (Spark's CAST rules, or a Spark datetime pattern), in the session time zone unless the text has its own. */
export function toTimestamp(x: ExprLike, format?: ExprLike): Expr { return fn('to_timestamp', ...opt(x, format)); }
/** toTimestamp that gives NULL instead of failing. */
export function tryToTimestamp(x: ExprLike, format?: ExprLike): Expr { return fn('try_to_timestamp', ...opt(x, format)); }
/** A timestamp written with a Spark datetime pattern. */
export function dateFormat(x: ExprLike, format: ExprLike): Expr { return fn('date_format', x, format); }
/** Seconds since the epoch of a timestamp, a date or a text (pattern default 'yyyy-MM-dd HH:mm:ss'); no argument: the batch time. */
export function unixTimestamp(x?: ExprLike, format?: ExprLike): Expr { return fn('unix_timestamp', ...opt(x, format)); }
export function toUnixTimestamp(x: ExprLike, format?: ExprLike): Expr { return fn('to_unix_timestamp', ...opt(x, format)); }
/** Seconds since the epoch written with a pattern (default 'yyyy-MM-dd HH:mm:ss'). */
export function fromUnixtime(seconds: ExprLike, format?: ExprLike): Expr { return fn('from_unixtime', ...opt(seconds, format)); }
export function unixSeconds(ts: ExprLike): Expr { return fn('unix_seconds', ts); }
export function unixMillis(ts: ExprLike): Expr { return fn('unix_millis', ts); }
export function unixMicros(ts: ExprLike): Expr { return fn('unix_micros', ts); }
export function timestampSeconds(n: ExprLike): Expr { return fn('timestamp_seconds', n); }
export function timestampMillis(n: ExprLike): Expr { return fn('timestamp_millis', n); }
export function timestampMicros(n: ExprLike): Expr { return fn('timestamp_micros', n); }
export function unixDate(d: ExprLike): Expr { return fn('unix_date', d); }
export function dateFromUnixDate(n: ExprLike): Expr { return fn('date_from_unix_date', n); }

export function year(d: ExprLike): Expr { return fn('year', d); }
export function quarter(d: ExprLike): Expr { return fn('quarter', d); }
export function month(d: ExprLike): Expr { return fn('month', d); }
export function day(d: ExprLike): Expr { return fn('day', d); }
export function dayofmonth(d: ExprLike): Expr { return fn('dayofmonth', d); }
/** 1 = Sunday … 7 = Saturday. */
export function dayofweek(d: ExprLike): Expr { return fn('dayofweek', d); }
/** 0 = Monday … 6 = Sunday. */
export function weekday(d: ExprLike): Expr { return fn('weekday', d); }
export function dayofyear(d: ExprLike): Expr { return fn('dayofyear', d); }
/** The ISO week of the year. */
export function weekofyear(d: ExprLike): Expr { return fn('weekofyear', d); }
export function hour(ts: ExprLike): Expr { return fn('hour', ts); }
export function minute(ts: ExprLike): Expr { return fn('minute', ts); }
export function second(ts: ExprLike): Expr { return fn('second', ts); }
/** `extract('YEAR', ts)`: a field (YEAR, QUARTER, MONTH, WEEK, DAY, DAYOFWEEK, DOY, HOUR, MINUTE, SECOND, …) of a date, timestamp or interval. */
export function extract(field: string, source: ExprLike): Expr { return fn('extract', field, source); }
export function datePart(field: string, source: ExprLike): Expr { return fn('date_part', field, source); }

/** `dateTrunc('day', col('ts'))`: YEAR, QUARTER, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND. */
export function dateTrunc(unit: ExprLike, ts: ExprLike): Expr { return fn('date_trunc', unit, ts); }
/** `trunc(col('d'), 'month')`: YEAR, QUARTER, MONTH, WEEK. */
export function trunc(d: ExprLike, unit: ExprLike): Expr { return fn('trunc', d, unit); }
export function lastDay(d: ExprLike): Expr { return fn('last_day', d); }
export function nextDay(d: ExprLike, dayOfWeek: ExprLike): Expr { return fn('next_day', d, dayOfWeek); }

export function dateAdd(d: ExprLike, days: ExprLike): Expr { return fn('date_add', d, days); }
export function dateSub(d: ExprLike, days: ExprLike): Expr { return fn('date_sub', d, days); }
/** Months added with the day clamped to the month's end. */
export function addMonths(d: ExprLike, months: ExprLike): Expr { return fn('add_months', d, months); }
/** Days from start to end: `datediff(end, start)`. */
export function datediff(end: ExprLike, start: ExprLike): Expr { return fn('datediff', end, start); }
export function monthsBetween(ts1: ExprLike, ts2: ExprLike, roundOff?: ExprLike): Expr { return fn('months_between', ...opt(ts1, ts2, roundOff)); }
/** `timestampadd('HOUR', 2, col('ts'))`. */
export function timestampadd(unit: string, quantity: ExprLike, ts: ExprLike): Expr { return fn('timestampadd', unit, quantity, ts); }
/** `timestampdiff('DAY', col('start'), col('end'))`. */
export function timestampdiff(unit: string, start: ExprLike, end: ExprLike): Expr { return fn('timestampdiff', unit, start, end); }
export function makeDate(y: ExprLike, m: ExprLike, d: ExprLike): Expr { return fn('make_date', y, m, d); }
export function makeTimestamp(y: ExprLike, mo: ExprLike, d: ExprLike, h: ExprLike, mi: ExprLike, s: ExprLike, timeZone?: ExprLike): Expr {
  return fn('make_timestamp', ...opt(y, mo, d, h, mi, s, timeZone));
}

/**
 * An interval literal, as SQL writes it after INTERVAL: `interval('1 day')`,
 * `interval('2 hours 30 minutes')`, `interval('3 months')` (for
 * `col('ts').plus(interval('1 day'))`).
 */
export function interval(spec: string): Expr {
  const node = parseExpression(`INTERVAL '${spec.replace(/'/g, "''")}'`);
  if (node.kind !== 'lit') throw new DefinitionError('INVALID_LITERAL', `not an interval: ${spec}`, { value: spec }, { hint: "write it as interval('1 day 2 hours') or interval('3 months')" });
  return new Expr(node);
}
