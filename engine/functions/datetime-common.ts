/**
 * What the date and time entries share: the type rules of their inputs, the
 * columnar conversion of an argument to days or micros in the session zone
 * (Spark's implicit casts: a TIMESTAMP gives its date in the zone, a DATE its
 * midnight, a STRING is read with Spark's CAST rules), result columns, and
 * the SQL of those conversions per dialect (DuckDB: in the session zone, with
 * `timezone()` when it is not UTC).
 */
import type { Column, FloatColumn, IntColumn } from '../batch.js';
import { StringColumnBuilder } from '../column/string-column.js';
import type { DataType } from '../ir/types.js';
import { P, type Sql } from '../sql/precedence.js';
import { US_PER_DAY, microsToDays, daysToMicros } from '../time/calendar.js';
import { parseSparkDate, parseSparkTimestamp } from '../time/spark-text.js';
import { sessionZone, type Zone } from '../time/zones.js';
import { strings } from './kernels.js';
import type { ArgInfo, KernelCtx, SqlEmit, TypeCtx } from './registry.js';

// ------------------------------------------------------------ type rules

export type Want = 'date' | 'timestamp' | 'int' | 'long' | 'string' | 'double' | 'any';

/** Whether an argument can stand for a date or timestamp input (DATE, TIMESTAMP, STRING or an untyped NULL). */
export function isTemporalInput(a: ArgInfo): boolean {
  return a.isNullLiteral || a.type === 'date' || a.type === 'timestamp' || a.type === 'string';
}

/**
 * A type rule for functions whose inputs are dates, timestamps, integers or
 * strings: `wants[i]` says what argument i must be. Date and timestamp inputs
 * stay as they are (the kernel converts them in the session zone); integers
 * take INT (a string literal of digits too, as Spark casts it).
 */
export function inputs(returns: DataType | ((args: readonly ArgInfo[]) => DataType), ...wants: Want[]) {
  return (args: readonly ArgInfo[], ctx: TypeCtx) => {
    const out: (DataType | null)[] = [];
    args.forEach((a, i) => {
      const w = wants[Math.min(i, wants.length - 1)];
      switch (w) {
        case 'date': case 'timestamp':
          if (!isTemporalInput(a)) ctx.mismatch(`${ctx.fn}() needs a ${w === 'date' ? 'date' : 'timestamp'} (or a string) as argument ${i + 1}, got ${a.type}`);
          out.push(null);
          break;
        case 'int': case 'long':
          if (a.isNullLiteral || a.type === 'int' || (w === 'long' && a.type === 'long')) { out.push(w); break; }
          if (a.type === 'string' && typeof a.literal === 'string' && /^\s*[+-]?\d+\s*$/.test(a.literal)) { out.push(w); break; }
          if (a.type === 'string' && a.literal !== undefined) ctx.mismatch(`the argument ${i + 1} of ${ctx.fn}() must be an integer, got '${String(a.literal)}'`);
          ctx.mismatch(`${ctx.fn}() needs ${w === 'int' ? 'an INT' : 'an integer'} as argument ${i + 1}, got ${a.type}`, w === 'int' ? 'cast it to INT' : undefined);
          break;
        case 'double':
          if (!a.isNullLiteral && a.type !== 'int' && a.type !== 'long' && a.type !== 'double' && !a.type.startsWith('decimal')) ctx.mismatch(`${ctx.fn}() needs a number as argument ${i + 1}, got ${a.type}`);
          out.push('double');
          break;
        case 'string':
          if (!a.isNullLiteral && a.type !== 'string') ctx.mismatch(`${ctx.fn}() needs a string as argument ${i + 1}, got ${a.type}`);
          out.push('string');
          break;
        default: out.push(null);
      }
    });
    return { returns: typeof returns === 'function' ? returns(args) : returns, args: out };
  };
}

// ------------------------------------------------------------ kernels: inputs

/** Numbers with a null mask (a slot under a set mask bit holds a placeholder). */
export interface Nums { readonly v: ArrayLike<number>; readonly nulls: Uint8Array | null }

export function zoneOfCtx(ctx: KernelCtx): Zone {
  return sessionZone(ctx.timeZone);
}

function malformed(ctx: KernelCtx, i: number, s: string, to: 'DATE' | 'TIMESTAMP'): void {
  if (ctx.ansi) ctx.fail(i, 'CAST_INVALID_INPUT', `the value '${s}' of type STRING cannot be cast to ${to} because it is malformed`, 'correct the value, or use try_cast() or a pattern (to_date(s, \'…\')) to read it');
}

/** An argument as epoch days (DATE; a TIMESTAMP's date in the session zone; a STRING read as Spark's CAST to DATE). */
export function asDays(c: Column, t: DataType, ctx: KernelCtx): Nums {
  if (t === 'date') return { v: (c as IntColumn).data, nulls: (c as IntColumn).nulls };
  const n = ctx.n;
  const v = new Int32Array(n);
  let nulls: Uint8Array | null = null;
  if (t === 'timestamp') {
    const src = (c as FloatColumn).data, m = (c as FloatColumn).nulls;
    const zone = zoneOfCtx(ctx);
    for (let i = 0; i < n; i++) if (!(m && m[i])) v[i] = microsToDays(src[i], zone);
    return { v, nulls: m };
  }
  if (t === 'string') {
    const src = strings(c);
    for (let i = 0; i < n; i++) {
      const s = src[i];
      if (s === null) { (nulls ??= new Uint8Array(n))[i] = 1; continue; }
      const d = parseSparkDate(s);
      if (d === null) { malformed(ctx, i, s, 'DATE'); (nulls ??= new Uint8Array(n))[i] = 1; continue; }
      v[i] = d;
    }
    return { v, nulls };
  }
  return { v, nulls: new Uint8Array(n).fill(1) };
}

/** An argument as epoch micros (TIMESTAMP; a DATE's midnight in the session zone; a STRING read as Spark's CAST to TIMESTAMP). */
export function asMicros(c: Column, t: DataType, ctx: KernelCtx): Nums {
  if (t === 'timestamp') return { v: (c as FloatColumn).data, nulls: (c as FloatColumn).nulls };
  const n = ctx.n;
  const v = new Float64Array(n);
  let nulls: Uint8Array | null = null;
  const zone = zoneOfCtx(ctx);
  if (t === 'date') {
    const src = (c as IntColumn).data, m = (c as IntColumn).nulls;
    if (zone.fixed !== null) { const off = zone.fixed * 1_000_000; for (let i = 0; i < n; i++) v[i] = src[i] * US_PER_DAY - off; }
    else for (let i = 0; i < n; i++) if (!(m && m[i])) v[i] = daysToMicros(src[i], zone);
    return { v, nulls: m };
  }
  if (t === 'string') {
    const src = strings(c);
    for (let i = 0; i < n; i++) {
      const s = src[i];
      if (s === null) { (nulls ??= new Uint8Array(n))[i] = 1; continue; }
      const us = parseSparkTimestamp(s, zone, ctx.nowUs);
      if (us === null) { malformed(ctx, i, s, 'TIMESTAMP'); (nulls ??= new Uint8Array(n))[i] = 1; continue; }
      v[i] = us;
    }
    return { v, nulls };
  }
  return { v, nulls: new Uint8Array(n).fill(1) };
}

/** A numeric argument (INT, BIGINT, DOUBLE columns) as numbers. */
export function asNumbers(c: Column): Nums {
  return { v: (c as IntColumn | FloatColumn).data, nulls: (c as IntColumn | FloatColumn).nulls };
}

export function isNullAt(x: Nums, i: number): boolean {
  return x.nulls !== null && x.nulls[i] === 1;
}

// ------------------------------------------------------------ kernels: results

/** Builds a result column of an i32 or f64 type, row by row; `f` returns null for NULL. */
export function build(type: 'int' | 'date' | 'long' | 'double' | 'timestamp' | 'interval day to second' | 'interval year to month', n: number, f: (i: number) => number | null): Column {
  const data = type === 'int' || type === 'date' || type === 'interval year to month' ? new Int32Array(n) : new Float64Array(n);
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const r = f(i);
    if (r === null || Number.isNaN(r)) { (nulls ??= new Uint8Array(n))[i] = 1; continue; }
    data[i] = r;
  }
  return { type, data, nulls } as Column;
}

/** Builds a STRING result column row by row; `f` returns null for NULL. */
export function buildStrings(n: number, f: (i: number) => string | null): Column {
  const b = new StringColumnBuilder(n, n * 20);
  for (let i = 0; i < n; i++) b.pushString(f(i));
  return b.finish();
}

/** Whether any of the inputs is NULL at row i. */
export function anyNull(i: number, a: Nums, b?: Nums, c?: Nums, d?: Nums, e?: Nums): boolean {
  return (a.nulls !== null && a.nulls[i] === 1) || (b !== undefined && b.nulls !== null && b.nulls[i] === 1)
    || (c !== undefined && c.nulls !== null && c.nulls[i] === 1) || (d !== undefined && d.nulls !== null && d.nulls[i] === 1)
    || (e !== undefined && e.nulls !== null && e.nulls[i] === 1);
}

// ------------------------------------------------------------ SQL

/** The session zone of an emission. */
export function emitZone(e: SqlEmit): Zone {
  return sessionZone(e.timeZone);
}

const str = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** DuckDB: the local wall-clock TIMESTAMP of an instant (a TIMESTAMP holding UTC) in the session zone. */
export function duckLocal(e: SqlEmit, ts: string): string {
  const z = emitZone(e);
  if (z.fixed === 0) return ts;
  if (z.fixed !== null) return `(${ts} + INTERVAL ${z.fixed} SECOND)`;
  e.note('DST_OVERLAP', `DuckDB resolves a wall-clock time that occurs twice (the hour after a fall-back DST transition in ${z.id}) to the later instant; Spark takes the earlier`);
  return `timezone(${str(z.id)}, timezone('UTC', ${ts}))`;
}

/** DuckDB: the instant (a TIMESTAMP holding UTC) of a local wall-clock TIMESTAMP in the session zone. */
export function duckFromLocal(e: SqlEmit, local: string): string {
  const z = emitZone(e);
  if (z.fixed === 0) return local;
  if (z.fixed !== null) return `(${local} - INTERVAL ${z.fixed} SECOND)`;
  e.note('DST_OVERLAP', `DuckDB resolves a wall-clock time that occurs twice (the hour after a fall-back DST transition in ${z.id}) to the later instant; Spark takes the earlier`);
  return `timezone('UTC', timezone(${str(z.id)}, ${local}))`;
}

/**
 * DuckDB: `body` with `value` computed once and bound to a name (a one-element
 * list_transform), so that SQL using a value several times does not repeat it.
 */
export function duckLet(value: string, body: (name: string) => string): string {
  let h = 2166136261;
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 16777619);
  const name = `_dt${(h >>> 0).toString(36)}`;
  return `list_transform([${value}], lambda ${name}: ${body(name)})[1]`;
}

const BLANK = '[\\x{00}-\\x{20}\\x{7f}-\\x{9f}]';

/** DuckDB: text trimmed of white space and control characters (as Spark trims before a CAST). */
function duckTrimAll(s: string): string {
  return `regexp_replace(${s}, '^${BLANK}+|${BLANK}+$', '', 'g')`;
}

/** DuckDB: make_date(y, m, d) when the fields name a real date, else NULL. */
export function duckValidDate(y: string, m: string, d: string): string {
  return duckLet(`{'y': ${y}, 'm': ${m}, 'd': ${d}}`, (f) =>
    `CASE WHEN ${f}.m BETWEEN 1 AND 12 AND ${f}.d BETWEEN 1 AND day(last_day(make_date(${f}.y, ${f}.m, 1))) THEN make_date(${f}.y, ${f}.m, ${f}.d) END`);
}

const DATE_RE = '^(?s:([+-]?)([0-9]{4,7})(?:-([0-9]{1,2})(?:-([0-9]{1,2})(?:[ T].*)?)?)?)$';

/** DuckDB: Spark's text → DATE (parseSparkDate). */
export function duckTextDate(s: string): string {
  return duckLet(`regexp_extract(${duckTrimAll(s)}, '${DATE_RE}', ['sg', 'y', 'm', 'd'])`, (g) => {
    const y = `(CASE ${g}.sg WHEN '-' THEN -1 ELSE 1 END * CAST(${g}.y AS INTEGER))`;
    const m = `coalesce(CAST(nullif(${g}.m, '') AS INTEGER), 1)`;
    const d = `coalesce(CAST(nullif(${g}.d, '') AS INTEGER), 1)`;
    return `CASE WHEN ${g}.y <> '' THEN ${duckValidDate(y, m, d)} END`;
  });
}

const TS_RE = '^(?s:([+-]?)([0-9]{4,6})(?:-([0-9]{1,2})(?:-([0-9]{1,2})(?:[ T](?:([0-9]{1,2})(?::([0-9]{1,2})(?::([0-9]{1,2})(?:[.]([0-9]*))?(.*))?)?)?)?)?)?)$';
const OFFSET_RE = '^(?:UTC|GMT|UT)?([+-])([0-9]{1,2})(?::?([0-9]{2}))?(?::?([0-9]{2}))?$';

/**
 * DuckDB: Spark's text → TIMESTAMP (parseSparkTimestamp) in the session
 * zone: a date, an optional time, an optional zone (`Z`, `UTC`, `GMT`, `UT`
 * or an offset). A region name written in the text and a time without a date
 * give NULL in DuckDB (reported).
 */
export function duckTextTimestamp(e: SqlEmit, s: string): string {
  e.note('TEXT_TIMESTAMP_FORMS', 'DuckDB reads text as Spark\'s CAST to TIMESTAMP does, except a zone region name inside the text (`… America/New_York`) or a time without a date, which give NULL');
  return duckLet(`regexp_extract(${duckTrimAll(s)}, '${TS_RE}', ['sg', 'y', 'm', 'd', 'h', 'mi', 's', 'f', 'z'])`, (g) => {
    const int = (k: string, dflt: number) => `coalesce(CAST(nullif(${g}.${k}, '') AS BIGINT), ${dflt})`;
    const y = `(CASE ${g}.sg WHEN '-' THEN -1 ELSE 1 END * CAST(${g}.y AS INTEGER))`;
    const [m, d, h, mi, sec] = [int('m', 1), int('d', 1), int('h', 0), int('mi', 0), int('s', 0)];
    const micros = `coalesce(CAST(nullif(rpad(substr(${g}.f, 1, 6), 6, '0'), '') AS BIGINT), 0)`;
    const local = `(CAST(${duckValidDate(y, m, d)} AS TIMESTAMP) + to_microseconds(((${h} * 60 + ${mi}) * 60 + ${sec}) * 1000000 + ${micros}))`;
    const zoned = duckLet(`{'z': upper(trim(${g}.z)), 'l': ${local}}`, (v) => {
      const off = duckLet(`regexp_extract(${v}.z, '${OFFSET_RE}', ['sg', 'hh', 'mm', 'ss'])`, (o) =>
        `CASE WHEN ${o}.hh <> '' AND CAST(${o}.hh AS INTEGER) <= 18 THEN ${v}.l - to_seconds((CASE ${o}.sg WHEN '-' THEN -1 ELSE 1 END) * (CAST(${o}.hh AS INTEGER) * 3600 + coalesce(CAST(nullif(${o}.mm, '') AS INTEGER), 0) * 60 + coalesce(CAST(nullif(${o}.ss, '') AS INTEGER), 0))) END`);
      return `CASE WHEN ${v}.z = '' THEN ${duckFromLocal(e, `${v}.l`)} WHEN ${v}.z IN ('Z', 'UTC', 'GMT', 'UT') THEN ${v}.l ELSE ${off} END`;
    });
    return `CASE WHEN ${g}.y <> '' AND ${h} <= 23 AND ${mi} <= 59 AND ${sec} <= 59 THEN ${zoned} END`;
  });
}

function ansiNote(e: SqlEmit): void {
  if (e.ansi) e.note('TEXT_DATE_ANSI', 'in ANSI mode the engine fails on text that is not a date or timestamp where a function wants one (CAST_INVALID_INPUT); DuckDB gives NULL');
}

/** DuckDB: argument i as a DATE in the session zone. */
export function duckDateArg(e: SqlEmit, i: number): string {
  const t = e.argTypes[i];
  if (t === 'timestamp') return `CAST(${duckLocal(e, e.arg(i))} AS DATE)`;
  if (t === 'string') { ansiNote(e); return duckTextDate(e.arg(i)); }
  return e.arg(i, P.ATOM);
}

/** DuckDB: argument i as a TIMESTAMP instant (UTC). */
export function duckTimestampArg(e: SqlEmit, i: number): string {
  const t = e.argTypes[i];
  if (t === 'date') return duckFromLocal(e, `CAST(${e.arg(i)} AS TIMESTAMP)`);
  if (t === 'string') { ansiNote(e); return duckTextTimestamp(e, e.arg(i)); }
  return e.arg(i, P.ATOM);
}

/** DuckDB: argument i as the local wall-clock TIMESTAMP in the session zone. */
export function duckLocalArg(e: SqlEmit, i: number): string {
  if (e.argTypes[i] === 'date') return `CAST(${e.arg(i)} AS TIMESTAMP)`;
  return duckLocal(e, duckTimestampArg(e, i));
}

/** A call as an atom. */
export function call(sql: string): Sql {
  return { sql, prec: P.ATOM };
}
