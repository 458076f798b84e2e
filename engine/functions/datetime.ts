/**
 * Date and time functions, with Spark 4.1's semantics in the session time
 * zone (`ctx.timeZone`, the pipeline option `timeZone`). Timestamps are epoch
 * microseconds (UTC), dates epoch days; the zone decides a timestamp's date
 * and fields, a date's midnight, how text without an offset is read and how a
 * timestamp is written.
 *
 * This module holds the current time, text ⇄ date/time (to_date,
 * to_timestamp, date_format, unix_timestamp, from_unixtime, …) and epoch
 * conversions, and registers the family: fields and truncation are in
 * datetime-fields.ts, arithmetic (and the `+`/`-` hook of the operators) in
 * datetime-arith.ts, the shared conversions in datetime-common.ts, the DuckDB
 * translation of patterns in datetime-sql.ts.
 *
 * `current_date()`, `current_timestamp()` and `now()` are the micro-batch's
 * time (`ctx.nowUs`), fixed for the batch, so that a re-run gives the same
 * rows. Text that does not parse is NULL, or in ANSI mode CAST_INVALID_INPUT
 * (without a pattern: Spark's CAST rules) or CANNOT_PARSE_TIMESTAMP (with a
 * pattern); `try_to_timestamp` never fails on its input. A pattern Spark
 * rejects is INVALID_DATETIME_PATTERN whatever the mode.
 */
import type { Column, DecimalColumn } from '../batch.js';
import { decimalScale } from '../batch.js';
import { isDecimal, type DataType } from '../ir/types.js';
import { P } from '../sql/precedence.js';
import { microsToDays, US_PER_SECOND, US_PER_MILLI } from '../time/calendar.js';
import { DateTimePattern, PatternError } from '../time/pattern.js';
import { parseSparkDate, parseSparkTimestamp } from '../time/spark-text.js';
import {
  anyNull, asDays, asMicros, asNumbers, build, buildStrings, duckDateArg, duckLet, duckLocal, duckLocalArg, duckTimestampArg, inputs, isTemporalInput, zoneOfCtx,
} from './datetime-common.js';
import { arithFunctions } from './datetime-arith.js';
import { fieldFunctions } from './datetime-fields.js';
import { duckFormat, duckParse, literalPattern } from './datetime-sql.js';
import { strings } from './kernels.js';
import { register, type ArgInfo, type KernelCtx, type ScalarFunction, type SqlEmit, type TypeCtx } from './registry.js';

export { isTemporalArith, temporalArithKernel, temporalArithSql, temporalArithType } from './datetime-arith.js';

const DEFAULT_FORMAT = 'yyyy-MM-dd HH:mm:ss';

const PARSE_NOTES = 'DuckDB: the pattern must be a literal; it is translated at compile time (a regular expression and Spark\'s field checks, not strptime); zone names (z, VV), localized offsets (O, ZZZZ) and day of year (D) are not translated (NON_PORTABLE_EXPRESSION). Without a pattern, text naming a zone region or a time without a date gives NULL in DuckDB (reported).';
const FORMAT_NOTES = 'DuckDB: the pattern must be a literal, written with DuckDB\'s field functions; offsets and zone names need a fixed-offset session zone (UTC, +05:30), else NON_PORTABLE_EXPRESSION.';

// ------------------------------------------------------------ the current time

const nowNote = 'the time the query runs, not the engine\'s micro-batch time';

const currentDate: ScalarFunction = {
  name: 'current_date', aliases: ['curdate'], family: 'datetime', arity: [0, 0], signature: 'current_date()',
  summary: 'The date of the micro-batch\'s time in the session time zone (the same for every row of a batch, and on a re-run).',
  examples: [{ sql: 'current_date()', result: '2024-01-15 (the batch date)' }],
  nulls: 'custom', type: () => ({ returns: 'date' }),
  kernel: (_args, ctx) => { const d = microsToDays(ctx.nowUs, zoneOfCtx(ctx)); return build('date', ctx.n, () => d); },
  sql: { default: 'current_date()', duckdb: { sql: (e) => `CAST(${duckLocal(e, "timezone('UTC', current_timestamp)")} AS DATE)`, approx: nowNote } },
  text: () => 'current_date()',
};

const currentTimestamp: ScalarFunction = {
  name: 'current_timestamp', aliases: ['now'], family: 'datetime', arity: [0, 0], signature: 'current_timestamp()',
  summary: 'The micro-batch\'s time (the same for every row of a batch, and on a re-run). `now()` is the same.',
  examples: [{ sql: 'current_timestamp()', result: '2024-01-15 10:30:00 (the batch time)' }],
  nulls: 'custom', type: () => ({ returns: 'timestamp' }),
  kernel: (_args, ctx) => build('timestamp', ctx.n, () => ctx.nowUs),
  sql: { default: 'current_timestamp()', duckdb: { sql: "timezone('UTC', current_timestamp)", approx: nowNote } },
  text: () => 'current_timestamp()',
};

// ------------------------------------------------------------ patterns

/** The compiled pattern of argument k at row i (a literal is compiled once); INVALID_DATETIME_PATTERN for a pattern Spark rejects. */
function patterns(args: readonly Column[], ctx: KernelCtx, k: number, parsing: boolean, dflt = DEFAULT_FORMAT): (i: number) => DateTimePattern | null {
  const compile = (p: string, i: number): DateTimePattern => {
    try { return DateTimePattern.of(p, parsing); } catch (e) {
      if (e instanceof PatternError) ctx.fail(i, 'INVALID_DATETIME_PATTERN', e.message, 'see https://spark.apache.org/docs/latest/sql-ref-datetime-pattern.html');
      throw e;
    }
  };
  if (k >= args.length) { const p = compile(dflt, 0); return () => p; }
  const lit = ctx.literals[k];
  if (typeof lit === 'string') { const p = compile(lit, 0); return () => p; }
  if (lit === null) return () => null;
  const s = strings(args[k]);
  return (i) => (s[i] === null ? null : compile(s[i]!, i));
}

function cannotParse(ctx: KernelCtx, i: number, message: string, fn: string): null {
  if (ctx.ansi) ctx.fail(i, 'CANNOT_PARSE_TIMESTAMP', `${message}`, `use try_to_timestamp() to get NULL for text that does not match, or correct the pattern (in ${fn})`);
  return null;
}

/**
 * Text → instant with a pattern (Spark's GetTimestamp): a STRING is parsed
 * (NULL or CANNOT_PARSE_TIMESTAMP when it does not match); a DATE or
 * TIMESTAMP input is taken as it is. `lenient`: never fail (try_ forms).
 */
function parsedMicros(args: readonly Column[], ctx: KernelCtx, fn: string, lenient: boolean): { v: Float64Array; nulls: Uint8Array | null } {
  const n = ctx.n;
  const t = ctx.argTypes[0];
  if (t !== 'string') {
    const m = asMicros(args[0], t, ctx);
    return { v: Float64Array.from(m.v), nulls: m.nulls };
  }
  const src = strings(args[0]);
  const pat = patterns(args, ctx, 1, true);
  const zone = zoneOfCtx(ctx);
  const v = new Float64Array(n);
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const s = src[i], p = pat(i);
    if (s === null || p === null) { (nulls ??= new Uint8Array(n))[i] = 1; continue; }
    const r = p.parse(s, zone);
    if (typeof r === 'string') {
      if (!lenient) cannotParse(ctx, i, r, fn);
      (nulls ??= new Uint8Array(n))[i] = 1;
      continue;
    }
    v[i] = r;
  }
  return { v, nulls };
}

/** Without a pattern: Spark's CAST rules (lenient: NULL even in ANSI mode). */
function castMicros(args: readonly Column[], ctx: KernelCtx, lenient: boolean): { v: ArrayLike<number>; nulls: Uint8Array | null } {
  if (!lenient || ctx.argTypes[0] !== 'string') return asMicros(args[0], ctx.argTypes[0], ctx);
  const src = strings(args[0]);
  const zone = zoneOfCtx(ctx);
  const v = new Float64Array(ctx.n);
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < ctx.n; i++) {
    const us = src[i] === null ? null : parseSparkTimestamp(src[i]!, zone, ctx.nowUs);
    if (us === null) (nulls ??= new Uint8Array(ctx.n))[i] = 1; else v[i] = us;
  }
  return { v, nulls };
}

const textInput = (fn: string) => (args: readonly ArgInfo[], ctx: TypeCtx) => {
  if (!isTemporalInput(args[0])) ctx.mismatch(`${fn}() needs a string, date or timestamp, got ${args[0].type}`);
  if (args.length > 1 && args[1].type !== 'string' && !args[1].isNullLiteral) ctx.mismatch(`${fn}() needs a string pattern, got ${args[1].type}`);
};

/** DuckDB: an ANSI-mode guard: a non-NULL input whose conversion is NULL stops the query, as Spark fails. */
function duckAnsi(e: SqlEmit, input: string, value: string, code: string): string {
  if (!e.ansi) return value;
  return duckLet(`{'i': ${input}, 'v': ${value}}`, (x) => `CASE WHEN ${x}.i IS NOT NULL AND ${x}.v IS NULL THEN error(${e.dialect.str(`${code}: the value cannot be read`)}) ELSE ${x}.v END`);
}

// ------------------------------------------------------------ to_date, to_timestamp, try_to_timestamp

const toDate: ScalarFunction = {
  name: 'to_date', family: 'datetime', arity: [1, 2], signature: 'to_date(date_str[, fmt])',
  summary: "The date of a text: without fmt by Spark's CAST rules (`2009-07-30 04:17:52` is 2009-07-30), with fmt by the pattern (in the session time zone). Text that does not parse is NULL (ANSI: CAST_INVALID_INPUT without fmt, CANNOT_PARSE_TIMESTAMP with it).",
  examples: [{ sql: "to_date('2009-07-30 04:17:52')", result: '2009-07-30' }, { sql: "to_date('2016-12-31', 'yyyy-MM-dd')", result: '2016-12-31' }],
  nulls: 'propagate',
  type: (args, ctx) => { textInput('to_date')(args, ctx); return { returns: 'date', args: args.map((_, i) => (i === 1 ? 'string' as DataType : null)) }; },
  kernel: (args, ctx) => {
    if (args.length === 1) {
      const d = asDays(args[0], ctx.argTypes[0], ctx);
      return build('date', ctx.n, (i) => (anyNull(i, d) ? null : d.v[i]));
    }
    const m = parsedMicros(args, ctx, 'to_date', false);
    const zone = zoneOfCtx(ctx);
    return build('date', ctx.n, (i) => (m.nulls && m.nulls[i] ? null : microsToDays(m.v[i], zone)));
  },
  sql: {
    default: (e) => ({ sql: `to_date(${e.args.map((_, i) => e.arg(i)).join(', ')})`, prec: P.ATOM }),
    duckdb: (e) => {
      if (e.args.length === 1 || e.argTypes[0] !== 'string') return { sql: duckAnsi(e, e.arg(0), duckDateArg(e, 0), 'CAST_INVALID_INPUT'), prec: P.ATOM };
      const p = literalPattern(e, 1, 'to_date', true);
      return { sql: `CAST(${duckLocal(e, duckParse(e, 'to_date', p, e.arg(0)))} AS DATE)`, prec: P.ATOM };
    },
  },
  notes: PARSE_NOTES,
};

function toTimestampEntry(name: 'to_timestamp' | 'try_to_timestamp'): ScalarFunction {
  const lenient = name === 'try_to_timestamp';
  return {
    name, family: 'datetime', arity: [1, 2], signature: `${name}(timestamp_str[, fmt])`,
    summary: lenient
      ? 'to_timestamp that gives NULL instead of failing on text that does not parse, whatever the ANSI mode.'
      : "The timestamp of a text: without fmt by Spark's CAST rules, with fmt by the pattern; read in the session time zone unless the text has a zone or offset. Text that does not parse is NULL (ANSI: CAST_INVALID_INPUT without fmt, CANNOT_PARSE_TIMESTAMP with it).",
    examples: lenient
      ? [{ sql: "try_to_timestamp('2016-12-31', 'yyyy-MM-dd')", result: '2016-12-31 00:00:00' }, { sql: "try_to_timestamp('foo', 'yyyy-MM-dd')", result: 'NULL' }]
      : [{ sql: "to_timestamp('2016-12-31 00:12:00')", result: '2016-12-31 00:12:00' }, { sql: "to_timestamp('2016-12-31', 'yyyy-MM-dd')", result: '2016-12-31 00:00:00' }],
    nulls: 'propagate',
    type: (args, ctx) => { textInput(name)(args, ctx); return { returns: 'timestamp', args: args.map((_, i) => (i === 1 ? 'string' as DataType : null)) }; },
    kernel: (args, ctx) => {
      const m = args.length === 1 ? castMicros(args, ctx, lenient) : parsedMicros(args, ctx, name, lenient);
      return build('timestamp', ctx.n, (i) => (m.nulls && m.nulls[i] ? null : m.v[i]));
    },
    sql: {
      default: (e) => ({ sql: `${name}(${e.args.map((_, i) => e.arg(i)).join(', ')})`, prec: P.ATOM }),
      duckdb: (e) => {
        const ansi = lenient ? { ...e, ansi: false } : e;
        if (e.args.length === 1 || e.argTypes[0] !== 'string') return { sql: duckAnsi(ansi, e.arg(0), duckTimestampArg(e, 0), 'CAST_INVALID_INPUT'), prec: P.ATOM };
        return { sql: duckParse(ansi, name, literalPattern(e, 1, name, true), e.arg(0)), prec: P.ATOM };
      },
    },
    notes: PARSE_NOTES,
  };
}

// ------------------------------------------------------------ date_format, from_unixtime

const dateFormat: ScalarFunction = {
  name: 'date_format', family: 'datetime', arity: [2, 2], signature: 'date_format(timestamp, fmt)',
  summary: 'The timestamp written with a Spark datetime pattern in the session time zone.',
  examples: [{ sql: "date_format('2016-04-08', 'y')", result: '2016' }, { sql: "date_format(TIMESTAMP '2024-03-05 14:07:09.25', 'EEE, d MMM yyyy hh:mm:ss.SS a')", result: 'Tue, 5 Mar 2024 02:07:09.25 PM' }],
  nulls: 'propagate', type: inputs('string', 'timestamp', 'string'),
  kernel: (args, ctx) => {
    const t = asMicros(args[0], ctx.argTypes[0], ctx);
    const pat = patterns(args, ctx, 1, false);
    const zone = zoneOfCtx(ctx);
    return buildStrings(ctx.n, (i) => { const p = pat(i); return anyNull(i, t) || p === null ? null : p.format(t.v[i], zone); });
  },
  sql: {
    default: 'date_format($1, $2)',
    duckdb: (e) => ({ sql: duckFormat(e, 'date_format', literalPattern(e, 1, 'date_format', false), duckLocalArg(e, 0)), prec: P.ATOM }),
  },
  notes: FORMAT_NOTES,
};

const fromUnixtime: ScalarFunction = {
  name: 'from_unixtime', family: 'datetime', arity: [1, 2], signature: 'from_unixtime(unix_time[, fmt])',
  summary: "The instant unix_time seconds after 1970-01-01T00:00Z written with fmt (default 'yyyy-MM-dd HH:mm:ss') in the session time zone.",
  examples: [{ sql: "from_unixtime(0, 'yyyy-MM-dd HH:mm:ss')", result: '1970-01-01 00:00:00' }, { sql: 'from_unixtime(1460073600)', result: '2016-04-08 00:00:00' }],
  nulls: 'propagate', type: inputs('string', 'long', 'string'),
  kernel: (args, ctx) => {
    const s = asNumbers(args[0]);
    const pat = patterns(args, ctx, 1, false);
    const zone = zoneOfCtx(ctx);
    return buildStrings(ctx.n, (i) => { const p = pat(i); return anyNull(i, s) || p === null ? null : p.format(s.v[i] * US_PER_SECOND, zone); });
  },
  sql: {
    default: (e) => ({ sql: `from_unixtime(${e.args.map((_, i) => e.arg(i)).join(', ')})`, prec: P.ATOM }),
    duckdb: (e) => {
      const p = e.args.length === 1 ? DateTimePattern.of(DEFAULT_FORMAT, false) : literalPattern(e, 1, 'from_unixtime', false);
      return { sql: duckFormat(e, 'from_unixtime', p, duckLocal(e, `make_timestamp(CAST(${e.arg(0, P.MUL)} AS BIGINT) * 1000000)`)), prec: P.ATOM };
    },
  },
  notes: FORMAT_NOTES,
};

// ------------------------------------------------------------ unix_timestamp and the epoch conversions

function unixTimestampEntry(name: 'unix_timestamp' | 'to_unix_timestamp'): ScalarFunction {
  const optional = name === 'unix_timestamp';
  return {
    name, family: 'datetime', arity: [optional ? 0 : 1, 2], signature: `${name}(${optional ? '[' : ''}time_exp[, fmt]${optional ? ']' : ''})`,
    summary: `Seconds since 1970-01-01T00:00Z (BIGINT) of a timestamp, a date (its midnight in the session time zone) or a text read with fmt (default 'yyyy-MM-dd HH:mm:ss'); text that does not parse is NULL (ANSI: CANNOT_PARSE_TIMESTAMP).${optional ? ' Without an argument: the micro-batch\'s time.' : ''}`,
    examples: [{ sql: `${name}('2016-04-08', 'yyyy-MM-dd')`, result: '1460073600' }],
    nulls: 'propagate',
    type: (args, ctx) => {
      if (args.length > 0) textInput(name)(args, ctx);
      return { returns: 'long', args: args.map((_, i) => (i === 1 ? 'string' as DataType : null)) };
    },
    kernel: (args, ctx) => {
      if (args.length === 0) return build('long', ctx.n, () => Math.floor(ctx.nowUs / US_PER_SECOND));
      const m = parsedMicros(args, ctx, name, false);
      return build('long', ctx.n, (i) => (m.nulls && m.nulls[i] ? null : Math.floor(m.v[i] / US_PER_SECOND)));
    },
    sql: {
      default: (e) => ({ sql: `${name}(${e.args.map((_, i) => e.arg(i)).join(', ')})`, prec: P.ATOM }),
      duckdb: (e) => {
        if (e.args.length === 0) {
          e.note('UNIX_TIMESTAMP_NOW', `unix_timestamp() is ${nowNote}`);
          return { sql: 'CAST(floor(epoch(current_timestamp)) AS BIGINT)', prec: P.ATOM };
        }
        const ts = e.argTypes[0] !== 'string' ? duckTimestampArg(e, 0)
          : duckParse(e, name, e.args.length === 1 ? DateTimePattern.of(DEFAULT_FORMAT, true) : literalPattern(e, 1, name, true), e.arg(0));
        return { sql: `CAST(floor(epoch_us(${ts}) / 1000000) AS BIGINT)`, prec: P.ATOM };
      },
    },
    notes: `${PARSE_NOTES}${optional ? ' Without an argument, DuckDB gives the time the query runs (reported).' : ''}`,
  };
}

function epochOf(name: 'unix_seconds' | 'unix_millis' | 'unix_micros', unit: number): ScalarFunction {
  return {
    name, family: 'datetime', arity: [1, 1], signature: `${name}(timestamp)`,
    summary: `The ${name.slice(5)} since 1970-01-01T00:00Z (BIGINT, rounded down).`,
    examples: [{ sql: `${name}(TIMESTAMP '1970-01-01 00:00:01Z')`, result: String(US_PER_SECOND / unit) }],
    nulls: 'propagate', type: inputs('long', 'timestamp'),
    kernel: (args, ctx) => {
      const t = asMicros(args[0], ctx.argTypes[0], ctx);
      return build('long', ctx.n, (i) => (anyNull(i, t) ? null : Math.floor(t.v[i] / unit)));
    },
    sql: { default: `${name}($1)`, duckdb: (e) => ({ sql: unit === 1 ? `epoch_us(${duckTimestampArg(e, 0)})` : `CAST(floor(epoch_us(${duckTimestampArg(e, 0)}) / ${unit}) AS BIGINT)`, prec: P.ATOM }) },
  };
}

function timestampFrom(name: 'timestamp_seconds' | 'timestamp_millis' | 'timestamp_micros', unit: number): ScalarFunction {
  const fractional = name === 'timestamp_seconds';
  return {
    name, family: 'datetime', arity: [1, 1], signature: `${name}(${name.slice(10)})`,
    summary: `The instant that many ${name.slice(10)} after 1970-01-01T00:00Z${fractional ? ' (a fraction is kept to the microsecond)' : ''}.`,
    examples: [{ sql: `${name}(${fractional ? '1230219000' : unit === US_PER_MILLI ? '1230219000123' : '1230219000123123'})`, result: fractional ? '2008-12-25 15:30:00' : unit === US_PER_MILLI ? '2008-12-25 15:30:00.123' : '2008-12-25 15:30:00.123123' }],
    nulls: 'propagate',
    type: (args, ctx) => {
      const t = args[0].type;
      const ok = args[0].isNullLiteral || t === 'int' || t === 'long' || (fractional && (t === 'double' || isDecimal(t)));
      if (!ok) ctx.mismatch(`${name}() needs ${fractional ? 'a number' : 'an integer'}, got ${t}`);
      return { returns: 'timestamp', args: [args[0].isNullLiteral ? 'long' : null] };
    },
    kernel: (args, ctx) => {
      const t = ctx.argTypes[0];
      if (isDecimal(t)) {
        const c = args[0] as DecimalColumn;
        const scale = decimalScale(c.type);
        const mul = 10n ** BigInt(Math.max(0, 6 - scale)), div = 10n ** BigInt(Math.max(0, scale - 6));
        return build('timestamp', ctx.n, (i) => (c.nulls && c.nulls[i] ? null : Number((BigInt(c.data[i]) * mul) / div)));
      }
      const x = asNumbers(args[0]);
      return build('timestamp', ctx.n, (i) => (anyNull(i, x) ? null : t === 'double' ? Math.trunc(x.v[i] * unit) : x.v[i] * unit));
    },
    sql: {
      default: `${name}($1)`,
      duckdb: (e) => {
        const t = e.argTypes[0];
        const us = t === 'int' || t === 'long' ? `CAST(${e.arg(0, P.MUL)} AS BIGINT) * ${unit}`
          : isDecimal(t) ? `CAST(trunc(CAST(${e.arg(0)} AS DECIMAL(38, 6)) * ${unit}) AS BIGINT)` : `CAST(trunc(${e.arg(0, P.MUL)} * ${unit}) AS BIGINT)`;
        return { sql: `make_timestamp(${us})`, prec: P.ATOM };
      },
    },
  };
}

const unixDate: ScalarFunction = {
  name: 'unix_date', family: 'datetime', arity: [1, 1], signature: 'unix_date(date)',
  summary: 'The number of days since 1970-01-01.',
  examples: [{ sql: "unix_date(DATE '1970-01-02')", result: '1' }],
  nulls: 'propagate', type: inputs('int', 'date'),
  kernel: (args, ctx) => { const d = asDays(args[0], ctx.argTypes[0], ctx); return build('int', ctx.n, (i) => (anyNull(i, d) ? null : d.v[i])); },
  sql: { default: 'unix_date($1)', duckdb: (e) => ({ sql: `CAST(${duckDateArg(e, 0)} - DATE '1970-01-01' AS INTEGER)`, prec: P.ATOM }) },
};

const dateFromUnixDate: ScalarFunction = {
  name: 'date_from_unix_date', family: 'datetime', arity: [1, 1], signature: 'date_from_unix_date(days)',
  summary: 'The date that many days after 1970-01-01.',
  examples: [{ sql: 'date_from_unix_date(1)', result: '1970-01-02' }],
  nulls: 'propagate', type: inputs('date', 'int'),
  kernel: (args, ctx) => { const d = asNumbers(args[0]); return build('date', ctx.n, (i) => (anyNull(i, d) ? null : d.v[i])); },
  sql: { default: 'date_from_unix_date($1)', duckdb: (e) => ({ sql: `CAST(DATE '1970-01-01' + ${e.arg(0, P.MUL)} AS DATE)`, prec: P.ATOM }) },
};

register([
  currentDate, currentTimestamp,
  toDate, toTimestampEntry('to_timestamp'), toTimestampEntry('try_to_timestamp'), dateFormat,
  unixTimestampEntry('unix_timestamp'), unixTimestampEntry('to_unix_timestamp'), fromUnixtime,
  epochOf('unix_seconds', US_PER_SECOND), epochOf('unix_millis', US_PER_MILLI), epochOf('unix_micros', 1),
  timestampFrom('timestamp_seconds', US_PER_SECOND), timestampFrom('timestamp_millis', US_PER_MILLI), timestampFrom('timestamp_micros', 1),
  unixDate, dateFromUnixDate,
  ...fieldFunctions, ...arithFunctions,
]);

/** Spark's text → DATE and → TIMESTAMP rules, for other modules (CAST may adopt them). */
export { parseSparkDate, parseSparkTimestamp };
