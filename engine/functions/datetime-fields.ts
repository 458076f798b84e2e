/**
 * Date and time fields (year … second, dayofweek, weekofyear, extract /
 * date_part) and truncation (date_trunc, trunc, last_day, next_day), in the
 * session time zone. A DATE field of a TIMESTAMP is the field of its date in
 * the zone; an hour of a DATE is 0; a STRING is read with Spark's CAST rules.
 */
import type { Column, DecimalColumn, FloatColumn, IntColumn } from '../batch.js';
import { DefinitionError } from '../errors.js';
import { decimalType, type DataType } from '../ir/types.js';
import {
  civilFromDays, dayOfYear, daysFromCivil, isoDayOfWeek, isoWeek, lastDayOfMonth, sundayDayOfWeek,
  US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND, US_PER_MILLI,
} from '../time/calendar.js';
import { instantMicros, localMicros, offsetAtMicros } from '../time/zones.js';
import {
  anyNull, asDays, asMicros, build, duckDateArg, duckFromLocal, duckLet, duckLocal, duckLocalArg, duckTimestampArg, inputs, isTemporalInput, zoneOfCtx,
} from './datetime-common.js';
import { strings } from './kernels.js';
import type { ArgInfo, KernelCtx, ScalarFunction, SqlEmit, TypeCtx } from './registry.js';

const str = (s: string) => `'${s.replace(/'/g, "''")}'`;

// ------------------------------------------------------------ fields of a date

interface DateFieldDef {
  readonly name: string;
  readonly aliases?: string[];
  readonly summary: string;
  readonly example: [string, string];
  readonly of: (days: number) => number;
  /** DuckDB SQL of the field of a DATE. */
  readonly duck: (d: string) => string;
}

const DATE_FIELDS: readonly DateFieldDef[] = [
  { name: 'year', summary: 'The year of a date or timestamp.', example: ["year('2016-07-30')", '2016'], of: (d) => civilFromDays(d)[0], duck: (d) => `year(${d})` },
  { name: 'quarter', summary: 'The quarter of the year (1 to 4).', example: ["quarter('2016-08-31')", '3'], of: (d) => Math.floor((civilFromDays(d)[1] - 1) / 3) + 1, duck: (d) => `quarter(${d})` },
  { name: 'month', summary: 'The month (1 to 12).', example: ["month('2016-07-30')", '7'], of: (d) => civilFromDays(d)[1], duck: (d) => `month(${d})` },
  { name: 'day', aliases: ['dayofmonth'], summary: 'The day of the month.', example: ["day('2009-07-30')", '30'], of: (d) => civilFromDays(d)[2], duck: (d) => `day(${d})` },
  { name: 'dayofweek', summary: 'The day of the week: 1 = Sunday, 2 = Monday, …, 7 = Saturday.', example: ["dayofweek('2009-07-30')", '5'], of: sundayDayOfWeek, duck: (d) => `(dayofweek(${d}) + 1)` },
  { name: 'weekday', summary: 'The day of the week: 0 = Monday, …, 6 = Sunday.', example: ["weekday('2009-07-30')", '3'], of: (d) => isoDayOfWeek(d) - 1, duck: (d) => `(isodow(${d}) - 1)` },
  { name: 'dayofyear', summary: 'The day of the year (1 to 366).', example: ["dayofyear('2016-04-09')", '100'], of: dayOfYear, duck: (d) => `dayofyear(${d})` },
  { name: 'weekofyear', summary: 'The ISO-8601 week of the year (weeks start on Monday; week 1 has more than 3 days).', example: ["weekofyear('2008-02-20')", '8'], of: (d) => isoWeek(d).week, duck: (d) => `weekofyear(${d})` },
];

function dateField(def: DateFieldDef): ScalarFunction {
  return {
    name: def.name, aliases: def.aliases, family: 'datetime', arity: [1, 1], signature: `${def.name}(date)`,
    summary: def.summary, examples: [{ sql: def.example[0], result: def.example[1] }],
    nulls: 'propagate', type: inputs('int', 'date'),
    kernel: (args, ctx) => {
      const x = asDays(args[0], ctx.argTypes[0], ctx);
      return build('int', ctx.n, (i) => (anyNull(i, x) ? null : def.of(x.v[i])));
    },
    sql: { default: `${def.name}($1)`, duckdb: (e) => ({ sql: def.duck(duckDateArg(e, 0)), prec: 100 }) },
  };
}

// ------------------------------------------------------------ fields of a time

interface TimeFieldDef {
  readonly name: 'hour' | 'minute' | 'second';
  readonly example: [string, string];
  readonly of: (localUs: number) => number;
}

const microsOfDay = (l: number) => l - Math.floor(l / US_PER_DAY) * US_PER_DAY;

const TIME_FIELDS: readonly TimeFieldDef[] = [
  { name: 'hour', example: ["hour('2009-07-30 12:58:59')", '12'], of: (l) => Math.floor(microsOfDay(l) / US_PER_HOUR) },
  { name: 'minute', example: ["minute('2009-07-30 12:58:59')", '58'], of: (l) => Math.floor((microsOfDay(l) % US_PER_HOUR) / US_PER_MINUTE) },
  { name: 'second', example: ["second('2009-07-30 12:58:59')", '59'], of: (l) => Math.floor((microsOfDay(l) % US_PER_MINUTE) / US_PER_SECOND) },
];

function timeField(def: TimeFieldDef): ScalarFunction {
  return {
    name: def.name, family: 'datetime', arity: [1, 1], signature: `${def.name}(timestamp)`,
    summary: `The ${def.name} of a timestamp in the session time zone.`, examples: [{ sql: def.example[0], result: def.example[1] }],
    nulls: 'propagate', type: inputs('int', 'timestamp'),
    kernel: (args, ctx) => {
      const x = asMicros(args[0], ctx.argTypes[0], ctx);
      const zone = zoneOfCtx(ctx);
      return build('int', ctx.n, (i) => (anyNull(i, x) ? null : def.of(localMicros(zone, x.v[i]))));
    },
    sql: { default: `${def.name}($1)`, duckdb: (e) => ({ sql: `${def.name}(${duckLocalArg(e, 0)})`, prec: 100 }) },
  };
}

// ------------------------------------------------------------ extract / date_part

type FieldKind = 'year' | 'yearofweek' | 'quarter' | 'month' | 'week' | 'day' | 'dayofweek' | 'dayofweek_iso' | 'doy' | 'hour' | 'minute' | 'second';

const FIELD_NAMES: Readonly<Record<string, FieldKind>> = {
  YEAR: 'year', Y: 'year', YEARS: 'year', YR: 'year', YRS: 'year',
  YEAROFWEEK: 'yearofweek',
  QUARTER: 'quarter', QTR: 'quarter',
  MONTH: 'month', MON: 'month', MONS: 'month', MONTHS: 'month',
  WEEK: 'week', W: 'week', WEEKS: 'week',
  DAY: 'day', D: 'day', DAYS: 'day',
  DAYOFWEEK: 'dayofweek', DOW: 'dayofweek',
  DAYOFWEEK_ISO: 'dayofweek_iso', DOW_ISO: 'dayofweek_iso',
  DOY: 'doy',
  HOUR: 'hour', H: 'hour', HOURS: 'hour', HR: 'hour', HRS: 'hour',
  MINUTE: 'minute', M: 'minute', MIN: 'minute', MINS: 'minute', MINUTES: 'minute',
  SECOND: 'second', S: 'second', SEC: 'second', SECONDS: 'second', SECS: 'second',
};

const SECOND_TYPE = decimalType(8, 6);

function fieldOf(name: string, args: readonly ArgInfo[], ctx: TypeCtx): FieldKind {
  const lit = args[0].literal;
  if (typeof lit !== 'string') ctx.mismatch(`${ctx.fn}() needs the field as a literal (YEAR, MONTH, DAY, HOUR, …)`);
  const f = FIELD_NAMES[(lit as string).trim().toUpperCase()];
  const src = args[1].type;
  const interval = src.startsWith('interval');
  const ok = f !== undefined && (!interval || (src === 'interval year to month' ? f === 'year' || f === 'month' : f === 'day' || f === 'hour' || f === 'minute' || f === 'second'));
  if (!ok) {
    throw new DefinitionError('INVALID_EXTRACT_FIELD', `cannot extract ${String(lit)} from ${src} in ${name}()`, { field: String(lit), source: src },
      { hint: 'fields: YEAR, YEAROFWEEK, QUARTER, MONTH, WEEK, DAY, DAYOFWEEK, DAYOFWEEK_ISO, DOY, HOUR, MINUTE, SECOND (intervals: YEAR, MONTH or DAY, HOUR, MINUTE, SECOND)' });
  }
  return f!;
}

function extractType(name: string) {
  return (args: readonly ArgInfo[], ctx: TypeCtx) => {
    if (!isTemporalInput(args[1]) && !args[1].type.startsWith('interval')) ctx.mismatch(`${name}() needs a date, timestamp or interval, got ${args[1].type}`);
    const f = fieldOf(name, args, ctx);
    return { returns: f === 'second' ? SECOND_TYPE : 'int' as DataType, args: [null, null] };
  };
}

function dateOf(f: FieldKind, days: number): number {
  switch (f) {
    case 'year': return civilFromDays(days)[0];
    case 'yearofweek': return isoWeek(days).year;
    case 'quarter': return Math.floor((civilFromDays(days)[1] - 1) / 3) + 1;
    case 'month': return civilFromDays(days)[1];
    case 'week': return isoWeek(days).week;
    case 'day': return civilFromDays(days)[2];
    case 'dayofweek': return sundayDayOfWeek(days);
    case 'dayofweek_iso': return isoDayOfWeek(days);
    default: return dayOfYear(days);
  }
}

/** A DECIMAL(8,6) column of seconds with their fraction, from micros within the minute. */
function secondsColumn(n: number, micros: (i: number) => number | null): Column {
  const data = new BigInt64Array(n);
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const v = micros(i);
    if (v === null) { (nulls ??= new Uint8Array(n))[i] = 1; continue; }
    data[i] = BigInt(v);
  }
  return { type: SECOND_TYPE, data, nulls } as DecimalColumn;
}

function extractKernel(args: readonly Column[], ctx: KernelCtx): Column {
  const lit = String(ctx.literals[0]).trim().toUpperCase();
  const f = FIELD_NAMES[lit];
  const t = ctx.argTypes[1];
  const n = ctx.n;
  if (t === 'interval year to month') {
    const c = args[1] as IntColumn;
    return build('int', n, (i) => (c.nulls && c.nulls[i] ? null : f === 'year' ? Math.trunc(c.data[i] / 12) : c.data[i] % 12));
  }
  if (t === 'interval day to second') {
    const c = args[1] as FloatColumn;
    const at = (i: number) => (c.nulls && c.nulls[i] ? null : c.data[i]);
    if (f === 'second') return secondsColumn(n, (i) => { const v = at(i); return v === null ? null : v % US_PER_MINUTE; });
    const unit = f === 'day' ? US_PER_DAY : f === 'hour' ? US_PER_HOUR : US_PER_MINUTE;
    const mod = f === 'day' ? Infinity : f === 'hour' ? 24 : 60;
    return build('int', n, (i) => { const v = at(i); return v === null ? null : Math.trunc(v / unit) % mod; });
  }
  if (f === 'hour' || f === 'minute' || f === 'second') {
    const x = asMicros(args[1], t, ctx);
    const zone = zoneOfCtx(ctx);
    const local = (i: number) => microsOfDay(localMicros(zone, x.v[i]));
    if (f === 'second') return secondsColumn(n, (i) => (anyNull(i, x) ? null : local(i) % US_PER_MINUTE));
    return build('int', n, (i) => (anyNull(i, x) ? null : f === 'hour' ? Math.floor(local(i) / US_PER_HOUR) : Math.floor((local(i) % US_PER_HOUR) / US_PER_MINUTE)));
  }
  const x = asDays(args[1], t, ctx);
  return build('int', n, (i) => (anyNull(i, x) ? null : dateOf(f, x.v[i])));
}

function extractDuck(e: SqlEmit): string {
  const f = FIELD_NAMES[String(e.literals[0]).trim().toUpperCase()];
  const t = e.argTypes[1];
  const x = e.arg(1);
  if (t === 'interval year to month') {
    return duckLet(`datepart('year', ${x}) * 12 + datepart('month', ${x})`, (m) => (f === 'year' ? `CAST(trunc(${m} / 12) AS INTEGER)` : `CAST(${m} % 12 AS INTEGER)`));
  }
  if (t === 'interval day to second') {
    return duckLet(`CAST(round(epoch(${x}) * 1000000) AS BIGINT)`, (us) => {
      if (f === 'second') return `CAST(CAST(${us} % ${US_PER_MINUTE} AS DECIMAL(18, 0)) * 0.000001 AS DECIMAL(8, 6))`;
      if (f === 'day') return `CAST(trunc(${us} / ${US_PER_DAY}) AS INTEGER)`;
      return f === 'hour' ? `CAST(trunc(${us} / ${US_PER_HOUR}) % 24 AS INTEGER)` : `CAST(trunc(${us} / ${US_PER_MINUTE}) % 60 AS INTEGER)`;
    });
  }
  if (f === 'hour' || f === 'minute') return `${f}(${duckLocalArg(e, 1)})`;
  if (f === 'second') return `CAST(CAST(microsecond(${duckLocalArg(e, 1)}) AS DECIMAL(18, 0)) * 0.000001 AS DECIMAL(8, 6))`;
  const d = duckDateArg(e, 1);
  switch (f) {
    case 'year': return `year(${d})`;
    case 'yearofweek': return `isoyear(${d})`;
    case 'quarter': return `quarter(${d})`;
    case 'month': return `month(${d})`;
    case 'week': return `weekofyear(${d})`;
    case 'day': return `day(${d})`;
    case 'dayofweek': return `(dayofweek(${d}) + 1)`;
    case 'dayofweek_iso': return `isodow(${d})`;
    default: return `dayofyear(${d})`;
  }
}

const extract: ScalarFunction = {
  name: 'extract', family: 'datetime', arity: [2, 2], signature: 'extract(field FROM source)',
  summary: 'A field of a date, timestamp or interval: YEAR, YEAROFWEEK, QUARTER, MONTH, WEEK (ISO), DAY, DAYOFWEEK (1 = Sunday), DAYOFWEEK_ISO (1 = Monday), DOY, HOUR, MINUTE, SECOND (DECIMAL(8,6), with the fraction).',
  examples: [{ sql: "extract(YEAR FROM TIMESTAMP '2019-08-12 01:00:00.123456')", result: '2019' }, { sql: "extract(SECONDS FROM TIMESTAMP '2019-10-01 00:00:01.000001')", result: '1.000001' }],
  nulls: 'propagate', type: extractType('extract'), kernel: extractKernel,
  sql: {
    default: (e) => ({ sql: `extract(${String(e.literals[0]).trim().toUpperCase()} FROM ${e.arg(1)})`, prec: 100 }),
    duckdb: (e) => ({ sql: extractDuck(e), prec: 100 }),
  },
  text: (a) => `extract(${a[0].replace(/^'|'$/g, '')} FROM ${a[1]})`,
};

const datePart: ScalarFunction = {
  name: 'date_part', aliases: ['datepart'], family: 'datetime', arity: [2, 2], signature: 'date_part(field, source)',
  summary: 'extract(field FROM source), with the field as a string literal.',
  examples: [{ sql: "date_part('week', TIMESTAMP '2019-08-12 01:00:00.123456')", result: '33' }, { sql: "date_part('doy', DATE '2019-08-12')", result: '224' }],
  nulls: 'propagate', type: extractType('date_part'), kernel: extractKernel,
  sql: { default: (e) => ({ sql: `date_part(${e.arg(0)}, ${e.arg(1)})`, prec: 100 }), duckdb: (e) => ({ sql: extractDuck(e), prec: 100 }) },
};

// ------------------------------------------------------------ truncation

type TruncUnit = 'year' | 'quarter' | 'month' | 'week' | 'day' | 'hour' | 'minute' | 'second' | 'millisecond' | 'microsecond';

const TRUNC_UNITS: Readonly<Record<string, TruncUnit>> = {
  YEAR: 'year', YYYY: 'year', YY: 'year', QUARTER: 'quarter', MONTH: 'month', MM: 'month', MON: 'month', WEEK: 'week',
  DAY: 'day', DD: 'day', HOUR: 'hour', MINUTE: 'minute', SECOND: 'second', MILLISECOND: 'millisecond', MICROSECOND: 'microsecond',
};
const DATE_UNITS = new Set<TruncUnit>(['year', 'quarter', 'month', 'week']);

function truncUnit(text: string | null, dateOnly: boolean): TruncUnit | null {
  if (text === null) return null;
  const u = TRUNC_UNITS[text.trim().toUpperCase()];
  return u === undefined || (dateOnly && !DATE_UNITS.has(u)) ? null : u;
}

/** A date truncated to the first day of its year, quarter, month or (Monday) week. */
export function truncDays(days: number, u: TruncUnit): number {
  const [y, m] = civilFromDays(days);
  switch (u) {
    case 'year': return daysFromCivil(y, 1, 1);
    case 'quarter': return daysFromCivil(y, Math.floor((m - 1) / 3) * 3 + 1, 1);
    case 'month': return daysFromCivil(y, m, 1);
    default: return days - isoDayOfWeek(days) + 1;
  }
}

/** Per-row unit texts: the literal once, or the column's strings. */
function unitTexts(args: readonly Column[], ctx: KernelCtx, k: number): (i: number) => string | null {
  const lit = ctx.literals[k];
  if (typeof lit === 'string' || lit === null) return () => lit as string | null;
  const s = strings(args[k]);
  return (i) => s[i];
}

/** Per-row units read from texts (the last text's unit is remembered). */
function unitsOf<U>(texts: (i: number) => string | null, read: (text: string | null) => U): (i: number) => U {
  let lastText: string | null | undefined;
  let last: U;
  return (i) => {
    const t = texts(i);
    if (t !== lastText) { lastText = t; last = read(t); }
    return last;
  };
}

const dateTrunc: ScalarFunction = {
  name: 'date_trunc', family: 'datetime', arity: [2, 2], signature: 'date_trunc(fmt, ts)',
  summary: 'The timestamp truncated to a unit in the session time zone: YEAR/YYYY/YY, QUARTER, MONTH/MM/MON, WEEK (Monday), DAY/DD, HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND; another unit gives NULL.',
  examples: [{ sql: "date_trunc('YEAR', '2015-03-05T09:32:05.359')", result: '2015-01-01 00:00:00' }, { sql: "date_trunc('HOUR', '2015-03-05T09:32:05.359')", result: '2015-03-05 09:00:00' }],
  nulls: 'propagate', type: inputs('timestamp', 'string', 'timestamp'),
  kernel: (args, ctx) => {
    const x = asMicros(args[1], ctx.argTypes[1], ctx);
    const unit = unitsOf(unitTexts(args, ctx, 0), (t) => truncUnit(t, false));
    const zone = zoneOfCtx(ctx);
    return build('timestamp', ctx.n, (i) => {
      if (anyNull(i, x)) return null;
      const u = unit(i);
      if (u === null) return null;
      const us = x.v[i];
      switch (u) {
        case 'microsecond': return us;
        case 'millisecond': return us - (((us % US_PER_MILLI) + US_PER_MILLI) % US_PER_MILLI);
        case 'second': return us - (((us % US_PER_SECOND) + US_PER_SECOND) % US_PER_SECOND);
        case 'minute': case 'hour': case 'day': {
          const l = localMicros(zone, us);
          const size = u === 'minute' ? US_PER_MINUTE : u === 'hour' ? US_PER_HOUR : US_PER_DAY;
          return instantMicros(zone, l - (((l % size) + size) % size), offsetAtMicros(zone, us));
        }
        default: {
          const days = Math.floor(localMicros(zone, us) / US_PER_DAY);
          return instantMicros(zone, truncDays(days, u) * US_PER_DAY);
        }
      }
    });
  },
  sql: {
    default: 'date_trunc($1, $2)',
    duckdb: (e) => {
      const one = (ts: string, u: TruncUnit): string => {
        if (u === 'microsecond') return ts;
        if (u === 'millisecond' || u === 'second') return `date_trunc('${u}', ${ts})`;
        return duckFromLocal(e, `date_trunc('${u}', ${duckLocal(e, ts)})`);
      };
      const lit = e.literals[0];
      if (typeof lit === 'string' || lit === null) {
        const u = truncUnit(lit as string | null, false);
        return { sql: u === null ? 'CAST(NULL AS TIMESTAMP)' : one(duckTimestampArg(e, 1), u), prec: 100 };
      }
      const sql = duckLet(duckTimestampArg(e, 1), (ts) => `CASE upper(trim(${e.arg(0)})) ${Object.entries(TRUNC_UNITS).map(([k, u]) => `WHEN ${str(k)} THEN ${one(ts, u)}`).join(' ')} END`);
      return { sql, prec: 100 };
    },
  },
};

const trunc: ScalarFunction = {
  name: 'trunc', family: 'datetime', arity: [2, 2], signature: 'trunc(date, fmt)',
  summary: 'The date truncated to a unit: YEAR/YYYY/YY, QUARTER, MONTH/MM/MON, WEEK (Monday); another unit gives NULL.',
  examples: [{ sql: "trunc('2019-08-04', 'week')", result: '2019-07-29' }, { sql: "trunc('2009-02-12', 'MM')", result: '2009-02-01' }],
  nulls: 'propagate', type: inputs('date', 'date', 'string'),
  kernel: (args, ctx) => {
    const x = asDays(args[0], ctx.argTypes[0], ctx);
    const unit = unitsOf(unitTexts(args, ctx, 1), (t) => truncUnit(t, true));
    return build('date', ctx.n, (i) => {
      if (anyNull(i, x)) return null;
      const u = unit(i);
      return u === null ? null : truncDays(x.v[i], u);
    });
  },
  sql: {
    default: 'trunc($1, $2)',
    duckdb: (e) => {
      const d = duckDateArg(e, 0);
      const lit = e.literals[1];
      if (typeof lit === 'string' || lit === null) {
        const u = truncUnit(lit as string | null, true);
        return { sql: u === null ? 'CAST(NULL AS DATE)' : `CAST(date_trunc('${u}', ${d}) AS DATE)`, prec: 100 };
      }
      const cases = Object.entries(TRUNC_UNITS).filter(([, u]) => DATE_UNITS.has(u)).map(([k, u]) => `WHEN ${str(k)} THEN CAST(date_trunc('${u}', ${d}) AS DATE)`).join(' ');
      return { sql: `CASE upper(trim(${e.arg(1)})) ${cases} END`, prec: 100 };
    },
  },
};

const lastDay: ScalarFunction = {
  name: 'last_day', family: 'datetime', arity: [1, 1], signature: 'last_day(date)',
  summary: 'The last day of the month of the date.',
  examples: [{ sql: "last_day('2009-01-12')", result: '2009-01-31' }],
  nulls: 'propagate', type: inputs('date', 'date'),
  kernel: (args, ctx) => {
    const x = asDays(args[0], ctx.argTypes[0], ctx);
    return build('date', ctx.n, (i) => (anyNull(i, x) ? null : lastDayOfMonth(x.v[i])));
  },
  sql: { default: 'last_day($1)', duckdb: (e) => ({ sql: `last_day(${duckDateArg(e, 0)})`, prec: 100 }) },
};

const DOW_NAMES: Readonly<Record<string, number>> = {
  MO: 1, MON: 1, MONDAY: 1, TU: 2, TUE: 2, TUESDAY: 2, WE: 3, WED: 3, WEDNESDAY: 3, TH: 4, THU: 4, THURSDAY: 4,
  FR: 5, FRI: 5, FRIDAY: 5, SA: 6, SAT: 6, SATURDAY: 6, SU: 7, SUN: 7, SUNDAY: 7,
};

const nextDay: ScalarFunction = {
  name: 'next_day', family: 'datetime', arity: [2, 2], signature: 'next_day(start_date, day_of_week)',
  summary: "The first date later than start_date that falls on day_of_week ('MO', 'Mon', 'Monday', …; case-insensitive). Another day name gives NULL (ANSI: ILLEGAL_DAY_OF_WEEK).",
  examples: [{ sql: "next_day('2015-01-14', 'TU')", result: '2015-01-20' }],
  nulls: 'propagate', type: inputs('date', 'date', 'string'),
  kernel: (args, ctx) => {
    const x = asDays(args[0], ctx.argTypes[0], ctx);
    const names = unitTexts(args, ctx, 1);
    return build('date', ctx.n, (i) => {
      const name = names(i);
      if (anyNull(i, x) || name === null) return null;
      const target = DOW_NAMES[name.trim().toUpperCase()];
      if (target === undefined) {
        if (ctx.ansi) ctx.fail(i, 'ILLEGAL_DAY_OF_WEEK', `illegal input for day of week: ${name}`, "use MO, TU, WE, TH, FR, SA, SU (or Mon/Monday, …)");
        return null;
      }
      const d = x.v[i];
      return d + ((((target - isoDayOfWeek(d) + 6) % 7) + 7) % 7) + 1;
    });
  },
  sql: {
    default: 'next_day($1, $2)',
    duckdb: (e) => {
      const lit = e.literals[1];
      const target = typeof lit === 'string' ? String(DOW_NAMES[lit.trim().toUpperCase()] ?? 'NULL')
        : `CASE upper(trim(${e.arg(1)})) ${Object.entries(DOW_NAMES).map(([k, v]) => `WHEN ${str(k)} THEN ${v}`).join(' ')} END`;
      return { sql: duckLet(duckDateArg(e, 0), (d) => `CAST(${d} + CAST((((${target}) - isodow(${d}) + 6) % 7 + 7) % 7 + 1 AS INTEGER) AS DATE)`), prec: 100 };
    },
  },
};

export const fieldFunctions: readonly ScalarFunction[] = [
  ...DATE_FIELDS.map(dateField), ...TIME_FIELDS.map(timeField), extract, datePart, dateTrunc, trunc, lastDay, nextDay,
];
