/**
 * Date and time arithmetic: date_add, date_sub, add_months, datediff,
 * months_between, timestampadd, timestampdiff, make_date, make_timestamp, and
 * `+`/`-` on dates, timestamps and intervals (the operator entries delegate
 * here when an operand is one of those).
 *
 * Spark's rules, in the session time zone:
 * - date ± int is date_add/date_sub; date ± year-month interval adds months
 *   with the day clamped to the end of the month (2016-08-31 + 1 month is
 *   2016-09-30); date ± a day-time interval of whole days (a literal such as
 *   INTERVAL 2 DAYS) is a DATE, any other day-time interval makes it a
 *   TIMESTAMP (the date's midnight plus the interval);
 * - timestamp ± day-time interval adds the whole days to the local date
 *   (DST-aware: a day can be 23 or 25 hours) and then the rest as elapsed
 *   time; timestamp ± year-month interval adds months to the local date-time;
 * - date − date is an `interval day to second` of whole days; timestamp −
 *   timestamp (or a date) is the elapsed time;
 * - interval ± interval of the same kind.
 */
import type { Column, DecimalColumn } from '../batch.js';
import { decimalType, isInterval, type DataType } from '../ir/types.js';
import { P, type Sql } from '../sql/precedence.js';
import {
  addMonthsToDays, civilFromDays, daysInMonth, validDate,
  US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND, US_PER_MILLI,
} from '../time/calendar.js';
import { instantMicros, localMicros, offsetAtMicros, zoneOf, type Zone } from '../time/zones.js';
import {
  anyNull, asDays, asMicros, asNumbers, build, duckDateArg, duckFromLocal, duckLet, duckLocal, duckTimestampArg, duckValidDate, emitZone,
  inputs, zoneOfCtx,
} from './datetime-common.js';
import { strings } from './kernels.js';
import type { ArgInfo, KernelCtx, Resolved, ScalarFunction, SqlEmit, TypeCtx } from './registry.js';

const DT: DataType = 'interval day to second';
const YM: DataType = 'interval year to month';

// ------------------------------------------------------------ zone-aware steps

/** Spark's timestampAddDayTime: whole days on the local date (keeping the offset when still valid), then the rest as elapsed time. */
export function addDayTime(us: number, dt: number, zone: Zone): number {
  if (zone.fixed !== null) return us + dt;
  const days = Math.trunc(dt / US_PER_DAY);
  const rest = dt - days * US_PER_DAY;
  const moved = days === 0 ? us : instantMicros(zone, localMicros(zone, us) + days * US_PER_DAY, offsetAtMicros(zone, us));
  return moved + rest;
}

/** Spark's timestampAddMonths: months added to the local date-time (day clamped to the month's end). */
export function addMonthsToMicros(us: number, months: number, zone: Zone): number {
  const local = localMicros(zone, us);
  const days = Math.floor(local / US_PER_DAY);
  const ofDay = local - days * US_PER_DAY;
  return instantMicros(zone, addMonthsToDays(days, months) * US_PER_DAY + ofDay, offsetAtMicros(zone, us));
}

/** DuckDB: the micros of a day-time INTERVAL value. */
function duckMicros(iv: string): string {
  return `CAST(round(epoch(${iv}) * 1000000) AS BIGINT)`;
}

/** DuckDB: timestamp + day-time interval, as addDayTime does it (sign: -1 subtracts). */
function duckAddDayTime(e: SqlEmit, ts: string, iv: string, sign: 1 | -1, literal?: number): string {
  const z = emitZone(e);
  const op = sign === 1 ? '+' : '-';
  if (z.fixed !== null) return `(${ts} ${op} ${iv})`;
  if (literal !== undefined) {
    const v = sign * literal;
    const days = Math.trunc(v / US_PER_DAY), rest = v - days * US_PER_DAY;
    const moved = days === 0 ? ts : duckFromLocal(e, `(${duckLocal(e, ts)} + to_days(${days}))`);
    return rest === 0 ? moved : `(${moved} + ${e.dialect.interval(rest)})`;
  }
  return duckLet(`(${sign} * ${duckMicros(iv)})`, (m) => {
    const days = `CAST(trunc(${m} / ${US_PER_DAY}) AS BIGINT)`;
    return `(${duckFromLocal(e, `(${duckLocal(e, ts)} + to_days(CAST(${days} AS INTEGER)))`)} + to_microseconds(${m} - ${days} * ${US_PER_DAY}))`;
  });
}

// ------------------------------------------------------------ + and - on dates, timestamps and intervals

type Op = '+' | '-';

const isTemporal = (t: DataType) => t === 'date' || t === 'timestamp' || isInterval(t);

/** Whether `+`/`-` over these operand types is date/time arithmetic (the operator entries delegate here). */
export function isTemporalArith(types: readonly DataType[]): boolean {
  return types.some(isTemporal);
}

/** Whether an operand is a day-time interval of whole days written as a literal (`INTERVAL 2 DAYS`, `- INTERVAL '1' DAY`). */
function isDayLiteral(a: ArgInfo): boolean {
  let node = a.node;
  if (node.kind === 'call' && node.fn === 'negative' && node.args.length === 1) node = node.args[0];
  if (node.kind !== 'lit' || node.type !== DT || typeof node.value !== 'number') return false;
  return node.value % US_PER_DAY === 0;
}

/** The type rule of `+`/`-` with a date, timestamp or interval operand. */
export function temporalArithType(op: Op, args: readonly ArgInfo[], ctx: TypeCtx): Resolved {
  const [a, b] = args;
  const ta: DataType | null = a.isNullLiteral ? null : a.type, tb: DataType | null = b.isNullLiteral ? null : b.type;
  const isDate = (t: DataType | null) => t === 'date';
  const tsLike = (t: DataType | null) => t === 'timestamp' || t === 'date' || t === 'string';
  const no = (): never => ctx.mismatch(`cannot compute ${ta ?? 'NULL'} ${op} ${tb ?? 'NULL'}`, 'date ± INT days, date/timestamp ± INTERVAL, date − date and timestamp − timestamp are the date and time forms');
  const r = (returns: DataType, x: DataType | null = null, y: DataType | null = null): Resolved => ({ returns, args: [x, y] });
  const dayOrTs = (iv: ArgInfo) => (isDayLiteral(iv) ? 'date' : 'timestamp');
  if (ta !== null && tb !== null && isInterval(ta) && isInterval(tb)) return ta === tb ? r(ta) : no();
  if (ta !== null && isInterval(ta) && tb === null) return r(ta, null, ta);
  if (tb !== null && isInterval(tb) && ta === null) return op === '+' ? r(tb, tb, null) : no();
  if (op === '+') {
    if (isDate(ta) && (tb === 'int' || tb === null)) return r('date', null, 'int');
    if (isDate(tb) && (ta === 'int' || ta === null)) return r('date', 'int', null);
    if (isDate(ta) && tb === YM) return r('date');
    if (isDate(tb) && ta === YM) return r('date');
    if (isDate(ta) && tb === DT) return r(dayOrTs(b));
    if (isDate(tb) && ta === DT) return r(dayOrTs(a));
    if (tsLike(ta) && tb !== null && isInterval(tb)) return r('timestamp');
    if (tsLike(tb) && ta !== null && isInterval(ta)) return r('timestamp');
    if (ta === 'timestamp' && tb === null) return r('timestamp', null, DT);
    if (tb === 'timestamp' && ta === null) return r('timestamp', DT, null);
    return no();
  }
  if (isDate(ta) && (tb === 'int' || tb === null)) return r('date', null, 'int');
  if (isDate(ta) && tb === YM) return r('date');
  if (isDate(ta) && tb === DT) return r(dayOrTs(b));
  if (tsLike(ta) && tb !== null && isInterval(tb)) return r('timestamp');
  const dateish = (t: DataType | null) => t === 'date' || t === null;
  if ((isDate(ta) && (isDate(tb) || tb === null)) || (ta === 'string' && isDate(tb)) || (ta === null && isDate(tb))) return r(DT);
  if ((ta === 'timestamp' || tb === 'timestamp') && (tsLike(ta) || ta === null) && (tsLike(tb) || tb === null) && !(dateish(ta) && dateish(tb))) return r(DT);
  return no();
}

/** The kernel of `+`/`-` with a date, timestamp or interval operand. */
export function temporalArithKernel(op: Op, args: readonly Column[], ctx: KernelCtx): Column {
  const [ta, tb] = ctx.argTypes;
  const sign = op === '+' ? 1 : -1;
  const n = ctx.n;
  const zone = zoneOfCtx(ctx);
  const out = ctx.returns;
  if (isInterval(out) && isInterval(ta) && isInterval(tb)) {
    const x = asNumbers(args[0]), y = asNumbers(args[1]);
    return build(out as 'interval day to second', n, (i) => (anyNull(i, x, y) ? null : x.v[i] + sign * y.v[i]));
  }
  if (out === DT) {
    // a difference
    if ((ta === 'date' || ta === 'string') && tb === 'date') {
      const x = asDays(args[0], ta, ctx), y = asDays(args[1], tb, ctx);
      return build(DT as 'interval day to second', n, (i) => (anyNull(i, x, y) ? null : (x.v[i] - y.v[i]) * US_PER_DAY));
    }
    const x = asMicros(args[0], ta, ctx), y = asMicros(args[1], tb, ctx);
    return build(DT as 'interval day to second', n, (i) => (anyNull(i, x, y) ? null : x.v[i] - y.v[i]));
  }
  // one operand is the date/timestamp, the other the amount
  const dateFirst = !(ta === 'int' || isInterval(ta));
  const [base, bt, amount, at] = dateFirst ? [args[0], ta, args[1], tb] : [args[1], tb, args[0], ta];
  const m = asNumbers(amount);
  if (out === 'date') {
    const d = asDays(base, bt, ctx);
    if (at === YM) return build('date', n, (i) => (anyNull(i, d, m) ? null : addMonthsToDays(d.v[i], sign * m.v[i])));
    const perDay = at === DT ? US_PER_DAY : 1;
    return build('date', n, (i) => (anyNull(i, d, m) ? null : d.v[i] + sign * (m.v[i] / perDay)));
  }
  const t = asMicros(base, bt, ctx);
  if (at === YM) return build('timestamp', n, (i) => (anyNull(i, t, m) ? null : addMonthsToMicros(t.v[i], sign * m.v[i], zone)));
  return build('timestamp', n, (i) => (anyNull(i, t, m) ? null : addDayTime(t.v[i], sign * m.v[i], zone)));
}

/** The SQL of `+`/`-` with a date, timestamp or interval operand. */
export function temporalArithSql(op: Op, e: SqlEmit): Sql {
  const d = e.dialect;
  const prec = P.ADD;
  if (d.name !== 'duckdb') return { sql: `${e.arg(0, prec)} ${op} ${e.arg(1, prec + 1)}`, prec };
  const [ta, tb] = e.argTypes;
  const out = e.returns;
  const atom = (sql: string): Sql => ({ sql, prec: P.ATOM });
  if (isInterval(out) && isInterval(ta) && isInterval(tb)) return { sql: `${e.arg(0, prec)} ${op} ${e.arg(1, prec + 1)}`, prec };
  if (out === DT) {
    if ((ta === 'date' || ta === 'string') && tb === 'date') return atom(`to_microseconds((${duckDateArg(e, 0)} - ${duckDateArg(e, 1)}) * CAST(${US_PER_DAY} AS BIGINT))`);
    return atom(`to_microseconds(epoch_us(${duckTimestampArg(e, 0)}) - epoch_us(${duckTimestampArg(e, 1)}))`);
  }
  const dateFirst = !(ta === 'int' || isInterval(ta));
  const [bi, ai] = dateFirst ? [0, 1] : [1, 0];
  const at = e.argTypes[ai];
  const amount = e.arg(ai, P.MUL);
  const sign = op === '+' ? 1 : -1;
  if (out === 'date') {
    const base = duckDateArg(e, bi);
    if (at === 'int') return atom(`CAST(${base} ${op} ${amount} AS DATE)`);
    return atom(`CAST(${base} ${op} ${amount} AS DATE)`);
  }
  const ts = duckTimestampArg(e, bi);
  if (at === YM) return atom(duckFromLocal(e, `(${duckLocal(e, ts)} ${op} ${amount})`));
  const lit = e.literals[ai];
  return atom(duckAddDayTime(e, ts, amount, sign, typeof lit === 'number' ? lit : undefined));
}

// ------------------------------------------------------------ date_add, date_sub, add_months, datediff, months_between

function daysShift(name: 'date_add' | 'date_sub', sign: 1 | -1): ScalarFunction {
  return {
    name, aliases: name === 'date_add' ? ['dateadd'] : [], family: 'datetime', arity: [2, 2], signature: `${name}(start_date, num_days)`,
    summary: `The date num_days ${sign === 1 ? 'after' : 'before'} start_date (an INT; a timestamp gives its date in the session time zone).${name === 'date_add' ? ' `dateadd(unit, n, ts)` is timestampadd.' : ''}`,
    examples: [{ sql: `${name}('2016-07-30', 1)`, result: sign === 1 ? '2016-07-31' : '2016-07-29' }],
    nulls: 'propagate', type: inputs('date', 'date', 'int'),
    kernel: (args, ctx) => {
      const d = asDays(args[0], ctx.argTypes[0], ctx), k = asNumbers(args[1]);
      return build('date', ctx.n, (i) => (anyNull(i, d, k) ? null : d.v[i] + sign * k.v[i]));
    },
    sql: { default: `${name}($1, $2)`, duckdb: (e) => ({ sql: `CAST(${duckDateArg(e, 0)} ${sign === 1 ? '+' : '-'} ${e.arg(1, P.MUL)} AS DATE)`, prec: P.ATOM }) },
  };
}

const addMonths: ScalarFunction = {
  name: 'add_months', family: 'datetime', arity: [2, 2], signature: 'add_months(start_date, num_months)',
  summary: 'The date num_months after start_date; the day is clamped to the end of the month.',
  examples: [{ sql: "add_months('2016-08-31', 1)", result: '2016-09-30' }],
  nulls: 'propagate', type: inputs('date', 'date', 'int'),
  kernel: (args, ctx) => {
    const d = asDays(args[0], ctx.argTypes[0], ctx), k = asNumbers(args[1]);
    return build('date', ctx.n, (i) => (anyNull(i, d, k) ? null : addMonthsToDays(d.v[i], k.v[i])));
  },
  sql: { default: 'add_months($1, $2)', duckdb: (e) => ({ sql: `CAST(${duckDateArg(e, 0)} + to_months(${e.arg(1)}) AS DATE)`, prec: P.ATOM }) },
};

const datediff: ScalarFunction = {
  name: 'datediff', aliases: ['date_diff'], family: 'datetime', arity: [2, 2], signature: 'datediff(end_date, start_date)',
  summary: 'The number of days from start_date to end_date (end first: positive when end_date is later). `datediff(unit, start, end)` is timestampdiff.',
  examples: [{ sql: "datediff('2009-07-31', '2009-07-30')", result: '1' }, { sql: "datediff('2009-07-30', '2009-07-31')", result: '-1' }],
  nulls: 'propagate', type: inputs('int', 'date', 'date'),
  kernel: (args, ctx) => {
    const a = asDays(args[0], ctx.argTypes[0], ctx), b = asDays(args[1], ctx.argTypes[1], ctx);
    return build('int', ctx.n, (i) => (anyNull(i, a, b) ? null : a.v[i] - b.v[i]));
  },
  sql: { default: 'datediff($1, $2)', duckdb: (e) => ({ sql: `CAST(${duckDateArg(e, 0)} - ${duckDateArg(e, 1)} AS INTEGER)`, prec: P.ATOM }) },
  notes: 'DuckDB\'s own datediff(part, start, end) counts boundaries with the start first; the compiler writes end - start.',
};

/** Spark's monthsBetween (31-day months for the fraction; whole months when the days match or both are month ends). */
export function monthsBetween(t1: number, t2: number, roundOff: boolean, zone: Zone): number {
  const l1 = localMicros(zone, t1), l2 = localMicros(zone, t2);
  const d1 = Math.floor(l1 / US_PER_DAY), d2 = Math.floor(l2 / US_PER_DAY);
  const [y1, m1, day1] = civilFromDays(d1), [y2, m2, day2] = civilFromDays(d2);
  const months = (y1 * 12 + m1) - (y2 * 12 + m2);
  if (day1 === day2 || (day1 === daysInMonth(y1, m1) && day2 === daysInMonth(y2, m2))) return months;
  const sec1 = Math.trunc((t1 - instantMicros(zone, d1 * US_PER_DAY)) / US_PER_SECOND);
  const sec2 = Math.trunc((t2 - instantMicros(zone, d2 * US_PER_DAY)) / US_PER_SECOND);
  const diff = months + ((day1 - day2) * 86_400 + sec1 - sec2) / (31 * 86_400);
  return roundOff ? Math.round(diff * 1e8) / 1e8 : diff;
}

const monthsBetweenFn: ScalarFunction = {
  name: 'months_between', family: 'datetime', arity: [2, 3], signature: 'months_between(timestamp1, timestamp2[, roundOff])',
  summary: 'Months from timestamp2 to timestamp1: whole when both fall on the same day of the month or both on the last day, else with a fraction of a 31-day month; rounded to 8 digits unless roundOff is false.',
  examples: [{ sql: "months_between('1997-02-28 10:30:00', '1996-10-30')", result: '3.94959677' }, { sql: "months_between('1997-02-28 10:30:00', '1996-10-30', false)", result: '3.9495967741935485' }],
  nulls: 'propagate',
  type: (args, ctx) => {
    const r = inputs('double', 'timestamp', 'timestamp')(args.slice(0, 2), ctx);
    if (args.length === 3 && args[2].type !== 'boolean' && !args[2].isNullLiteral) ctx.mismatch(`months_between() needs a boolean roundOff, got ${args[2].type}`);
    return { returns: 'double', args: [...r.args, ...(args.length === 3 ? ['boolean' as DataType] : [])] };
  },
  kernel: (args, ctx) => {
    const a = asMicros(args[0], ctx.argTypes[0], ctx), b = asMicros(args[1], ctx.argTypes[1], ctx);
    const round = args.length === 3 ? args[2] as unknown as { data: Uint8Array } : null;
    const zone = zoneOfCtx(ctx);
    return build('double', ctx.n, (i) => (anyNull(i, a, b) ? null : monthsBetween(a.v[i], b.v[i], round === null || round.data[i] === 1, zone)));
  },
  sql: {
    default: (e) => ({ sql: `months_between(${e.args.map((_, i) => e.arg(i)).join(', ')})`, prec: P.ATOM }),
    duckdb: (e) => {
      const pair = `{'t1': ${duckTimestampArg(e, 0)}, 't2': ${duckTimestampArg(e, 1)}}`;
      const sql = duckLet(pair, (p) => duckLet(`{'t1': ${p}.t1, 't2': ${p}.t2, 'd1': CAST(${duckLocal(e, `${p}.t1`)} AS DATE), 'd2': CAST(${duckLocal(e, `${p}.t2`)} AS DATE)}`, (v) => {
        const [t1, t2, d1, d2] = ['t1', 't2', 'd1', 'd2'].map((k) => `${v}.${k}`);
        const months = `((year(${d1}) * 12 + month(${d1})) - (year(${d2}) * 12 + month(${d2})))`;
        const whole = `day(${d1}) = day(${d2}) OR (${d1} = last_day(${d1}) AND ${d2} = last_day(${d2}))`;
        const secs = (t: string, d: string) => `trunc((epoch_us(${t}) - epoch_us(${duckFromLocal(e, `CAST(${d} AS TIMESTAMP)`)})) / 1000000)`;
        const diff = `(${months} + ((day(${d1}) - day(${d2})) * 86400 + ${secs(t1, d1)} - ${secs(t2, d2)}) / 2678400.0)`;
        const rounded = `floor(${diff} * 1e8 + 0.5) / 1e8`;
        const value = e.args.length === 3 ? `CASE WHEN ${e.arg(2)} THEN ${rounded} ELSE ${diff} END` : rounded;
        return `CAST(CASE WHEN ${whole} THEN ${months} ELSE ${value} END AS DOUBLE)`;
      }));
      return { sql, prec: P.ATOM };
    },
  },
};

// ------------------------------------------------------------ timestampadd, timestampdiff

const UNIT_NAMES = ['MICROSECOND', 'MILLISECOND', 'SECOND', 'MINUTE', 'HOUR', 'DAY', 'DAYOFYEAR', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'] as const;
type Unit = typeof UNIT_NAMES[number];
const UNIT_MICROS: Partial<Record<Unit, number>> = {
  MICROSECOND: 1, MILLISECOND: US_PER_MILLI, SECOND: US_PER_SECOND, MINUTE: US_PER_MINUTE, HOUR: US_PER_HOUR, DAY: US_PER_DAY, DAYOFYEAR: US_PER_DAY, WEEK: 7 * US_PER_DAY,
};
const UNIT_MONTHS: Partial<Record<Unit, number>> = { MONTH: 1, QUARTER: 3, YEAR: 12 };

function unitOf(args: readonly ArgInfo[], ctx: TypeCtx): Unit {
  const u = typeof args[0].literal === 'string' ? args[0].literal.trim().toUpperCase() : '';
  if (!(UNIT_NAMES as readonly string[]).includes(u)) ctx.mismatch(`${ctx.fn}() needs a unit (${UNIT_NAMES.join(', ')}), got ${args[0].literal === undefined ? 'an expression' : String(args[0].literal)}`);
  return u as Unit;
}

const timestampAdd: ScalarFunction = {
  name: 'timestampadd', family: 'datetime', arity: [3, 3], signature: 'timestampadd(unit, quantity, timestamp)',
  summary: 'The timestamp plus quantity units (MICROSECOND … WEEK as a day-time interval: days on the local date; MONTH, QUARTER, YEAR as months). Also written dateadd(unit, quantity, timestamp) and date_add(unit, …).',
  examples: [{ sql: "timestampadd(HOUR, -1, TIMESTAMP '2022-02-25 01:02:03')", result: '2022-02-25 00:02:03' }, { sql: "timestampadd(MONTH, -1, TIMESTAMP '2022-03-31 01:02:03')", result: '2022-02-28 01:02:03' }],
  nulls: 'propagate',
  type: (args, ctx) => {
    unitOf(args, ctx);
    return inputs('timestamp', 'any', 'long', 'timestamp')(args, ctx);
  },
  kernel: (args, ctx) => {
    const unit = String(ctx.literals[0]).trim().toUpperCase() as Unit;
    const q = asNumbers(args[1]), t = asMicros(args[2], ctx.argTypes[2], ctx);
    const zone = zoneOfCtx(ctx);
    const months = UNIT_MONTHS[unit];
    if (months !== undefined) return build('timestamp', ctx.n, (i) => (anyNull(i, q, t) ? null : addMonthsToMicros(t.v[i], q.v[i] * months, zone)));
    const us = UNIT_MICROS[unit]!;
    return build('timestamp', ctx.n, (i) => (anyNull(i, q, t) ? null : addDayTime(t.v[i], q.v[i] * us, zone)));
  },
  sql: {
    default: (e) => ({ sql: `timestampadd(${String(e.literals[0]).trim().toUpperCase()}, ${e.arg(1)}, ${e.arg(2)})`, prec: P.ATOM }),
    duckdb: (e) => {
      const unit = String(e.literals[0]).trim().toUpperCase() as Unit;
      const ts = duckTimestampArg(e, 2);
      const months = UNIT_MONTHS[unit];
      if (months !== undefined) return { sql: duckFromLocal(e, `(${duckLocal(e, ts)} + to_months(CAST(${e.arg(1, P.MUL)} * ${months} AS INTEGER)))`), prec: P.ATOM };
      const iv = `to_microseconds(CAST(${e.arg(1)} AS BIGINT) * ${UNIT_MICROS[unit]})`;
      return { sql: duckAddDayTime(e, ts, iv, 1), prec: P.ATOM };
    },
  },
  text: (a) => `timestampadd(${a[0].replace(/^'|'$/g, '')}, ${a[1]}, ${a[2]})`,
};

/** Whole units from local date-time a to b, as java.time's ChronoUnit.between on LocalDateTime (truncated toward zero). */
function unitsBetween(unit: Unit, a: number, b: number): number {
  const us = UNIT_MICROS[unit];
  if (us !== undefined) return Math.trunc((b - a) / us);
  const da = Math.floor(a / US_PER_DAY), db = Math.floor(b / US_PER_DAY);
  const ta = a - da * US_PER_DAY, tb = b - db * US_PER_DAY;
  let end = db;
  if (db > da && tb < ta) end--;
  else if (db < da && tb > ta) end++;
  const [y1, m1, d1] = civilFromDays(da), [y2, m2, d2] = civilFromDays(end);
  const months = Math.trunc(((y2 * 12 + m2) * 32 + d2 - ((y1 * 12 + m1) * 32 + d1)) / 32);
  return Math.trunc(months / UNIT_MONTHS[unit]!);
}

const timestampDiff: ScalarFunction = {
  name: 'timestampdiff', family: 'datetime', arity: [3, 3], signature: 'timestampdiff(unit, start, end)',
  summary: 'Whole units from start to end, counted on the local date-times in the session time zone (truncated toward zero). Also written datediff(unit, start, end) and date_diff(unit, …).',
  examples: [{ sql: "timestampdiff(HOUR, TIMESTAMP '2022-02-25 01:02:03', TIMESTAMP '2022-02-25 00:02:03')", result: '-1' }, { sql: "timestampdiff(MONTH, TIMESTAMP '2022-01-31 00:00:00', TIMESTAMP '2022-02-28 00:00:00')", result: '0' }],
  nulls: 'propagate',
  type: (args, ctx) => {
    unitOf(args, ctx);
    return inputs('long', 'any', 'timestamp', 'timestamp')(args, ctx);
  },
  kernel: (args, ctx) => {
    const unit = String(ctx.literals[0]).trim().toUpperCase() as Unit;
    const a = asMicros(args[1], ctx.argTypes[1], ctx), b = asMicros(args[2], ctx.argTypes[2], ctx);
    const zone = zoneOfCtx(ctx);
    return build('long', ctx.n, (i) => (anyNull(i, a, b) ? null : unitsBetween(unit, localMicros(zone, a.v[i]), localMicros(zone, b.v[i]))));
  },
  sql: {
    default: (e) => ({ sql: `timestampdiff(${String(e.literals[0]).trim().toUpperCase()}, ${e.arg(1)}, ${e.arg(2)})`, prec: P.ATOM }),
    duckdb: (e) => {
      const unit = String(e.literals[0]).trim().toUpperCase() as Unit;
      return { sql: duckLet(`{'a': ${duckLocal(e, duckTimestampArg(e, 1))}, 'b': ${duckLocal(e, duckTimestampArg(e, 2))}}`, (v) => unitsBetweenDuck(unit, `${v}.a`, `${v}.b`)), prec: P.ATOM };
    },
  },
  text: (a) => `timestampdiff(${a[0].replace(/^'|'$/g, '')}, ${a[1]}, ${a[2]})`,
};

/** DuckDB: unitsBetween on two local TIMESTAMPs. */
function unitsBetweenDuck(unit: Unit, a: string, b: string): string {
  const us = UNIT_MICROS[unit];
  if (us !== undefined) return `CAST(trunc((epoch_us(${b}) - epoch_us(${a})) / ${us}) AS BIGINT)`;
  // java.time: the end date moves one day toward the start when its time of day has not been reached
  const tod = (x: string) => `(epoch_us(${x}) - epoch_us(date_trunc('day', ${x})))`;
  const da = `CAST(${a} AS DATE)`, db = `CAST(${b} AS DATE)`;
  const end = `(${db} - CASE WHEN ${db} > ${da} AND ${tod(b)} < ${tod(a)} THEN 1 WHEN ${db} < ${da} AND ${tod(b)} > ${tod(a)} THEN -1 ELSE 0 END)`;
  return duckLet(end, (d) => {
    const months = `trunc(((year(${d}) * 12 + month(${d})) * 32 + day(${d}) - ((year(${da}) * 12 + month(${da})) * 32 + day(${da}))) / 32)`;
    return `CAST(trunc(${months} / ${UNIT_MONTHS[unit]}) AS BIGINT)`;
  });
}

// ------------------------------------------------------------ make_date, make_timestamp

function outOfBounds(ctx: KernelCtx, i: number, what: string): null {
  if (ctx.ansi) ctx.fail(i, 'DATETIME_FIELD_OUT_OF_BOUNDS', `invalid date or time: ${what}`, 'check the fields, or use try_make_timestamp / a guard to get NULL');
  return null;
}

const makeDate: ScalarFunction = {
  name: 'make_date', family: 'datetime', arity: [3, 3], signature: 'make_date(year, month, day)',
  summary: 'The date of the fields; fields that name no date give NULL (ANSI: DATETIME_FIELD_OUT_OF_BOUNDS).',
  examples: [{ sql: 'make_date(2013, 7, 15)', result: '2013-07-15' }, { sql: 'make_date(2019, 7, NULL)', result: 'NULL' }],
  nulls: 'propagate', type: inputs('date', 'int', 'int', 'int'),
  kernel: (args, ctx) => {
    const [y, m, d] = args.map(asNumbers);
    return build('date', ctx.n, (i) => {
      if (anyNull(i, y, m, d)) return null;
      return validDate(y.v[i], m.v[i], d.v[i]) ?? outOfBounds(ctx, i, `${y.v[i]}-${m.v[i]}-${d.v[i]}`);
    });
  },
  sql: { default: 'make_date($1, $2, $3)', duckdb: (e) => ({ sql: duckValidDate(e.arg(0), e.arg(1), e.arg(2)), prec: P.ATOM }) },
};

const SEC_TYPE = decimalType(16, 6);

const makeTimestamp: ScalarFunction = {
  name: 'make_timestamp', family: 'datetime', arity: [6, 7], signature: 'make_timestamp(year, month, day, hour, min, sec[, timezone])',
  summary: 'The timestamp of local fields in the session time zone (or the given one); sec may have a fraction, and 60 (with no fraction) is the next minute. Fields out of range give NULL (ANSI: DATETIME_FIELD_OUT_OF_BOUNDS).',
  examples: [{ sql: 'make_timestamp(2014, 12, 28, 6, 30, 45.887)', result: '2014-12-28 06:30:45.887' }, { sql: 'make_timestamp(2019, 6, 30, 23, 59, 60)', result: '2019-07-01 00:00:00' }],
  nulls: 'propagate',
  type: (args, ctx) => {
    const r = inputs('timestamp', 'int', 'int', 'int', 'int', 'int', 'double', 'string')(args, ctx);
    return { returns: 'timestamp', args: r.args.map((t, i) => (i === 5 ? SEC_TYPE : t)) };
  },
  kernel: (args, ctx) => {
    const [y, mo, d, h, mi] = args.slice(0, 5).map(asNumbers);
    const sec = args[5] as DecimalColumn;
    const zones = args.length === 7 ? strings(args[6]) : null;
    const session = zoneOfCtx(ctx);
    return build('timestamp', ctx.n, (i) => {
      if (anyNull(i, y, mo, d, h, mi) || (sec.nulls && sec.nulls[i])) return null;
      if (zones && zones[i] === null) return null;
      const secUs = Number(sec.data[i]);
      const whole = Math.floor(secUs / US_PER_SECOND), frac = secUs - whole * US_PER_SECOND;
      const days = validDate(y.v[i], mo.v[i], d.v[i]);
      const badTime = h.v[i] < 0 || h.v[i] > 23 || mi.v[i] < 0 || mi.v[i] > 59 || whole < 0 || whole > 60 || (whole === 60 && frac !== 0);
      if (days === null || badTime) return outOfBounds(ctx, i, `${y.v[i]}-${mo.v[i]}-${d.v[i]} ${h.v[i]}:${mi.v[i]}:${secUs / US_PER_SECOND}`);
      const zone = zones ? zoneOf(zones[i]!) : session;
      if (zone === null) {
        if (ctx.ansi) ctx.fail(i, 'INVALID_TIME_ZONE', `unknown time zone '${zones![i]}'`, 'use a region such as Europe/Paris or an offset such as +01:00');
        return null;
      }
      return instantMicros(zone, days * US_PER_DAY + ((h.v[i] * 60 + mi.v[i]) * 60 + whole) * US_PER_SECOND + frac);
    });
  },
  sql: {
    default: (e) => ({ sql: `make_timestamp(${e.args.map((_, i) => e.arg(i)).join(', ')})`, prec: P.ATOM }),
    duckdb: (e) => {
      const [y, mo, d, h, mi, s] = [0, 1, 2, 3, 4, 5].map((i) => e.arg(i));
      const us = `CAST(${s} * 1000000 AS BIGINT)`;
      const ok = `${h} BETWEEN 0 AND 23 AND ${mi} BETWEEN 0 AND 59 AND ${us} >= 0 AND (${us} < 60000000 OR ${us} = 60000000)`;
      const local = `(CAST(${duckValidDate(y, mo, d)} AS TIMESTAMP) + to_microseconds((CAST(${h} AS BIGINT) * 60 + ${mi}) * 60000000 + ${us}))`;
      let instant: string;
      if (e.args.length === 7) {
        const z = e.literals[6];
        const zone = typeof z === 'string' ? zoneOf(z) : null;
        if (zone === null || zone.fixed === null) {
          if (zone === null) e.note('MAKE_TIMESTAMP_ZONE', 'a time zone argument that is not a literal is read by DuckDB\'s timezone(), which stops the query on an unknown name where the engine gives NULL');
          return { sql: `CASE WHEN ${ok} THEN timezone('UTC', timezone(${e.arg(6)}, ${local})) END`, prec: P.ATOM };
        }
        instant = `(${local} - INTERVAL ${zone.fixed} SECOND)`;
      } else instant = duckFromLocal(e, local);
      return { sql: `CASE WHEN ${ok} THEN ${instant} END`, prec: P.ATOM };
    },
  },
};

export const arithFunctions: readonly ScalarFunction[] = [
  daysShift('date_add', 1), daysShift('date_sub', -1), addMonths, datediff, monthsBetweenFn, timestampAdd, timestampDiff, makeDate, makeTimestamp,
];
