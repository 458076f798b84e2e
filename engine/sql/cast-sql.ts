/**
 * CAST in SQL, computing what the engine computes (`engine/expr/cast.ts`).
 *
 * Databricks and Spark 4.1: the emitted SQL sets `spark.sql.ansi.enabled` and
 * `spark.sql.session.timeZone` to the pipeline's settings, and the engine's
 * CAST is Spark's, so `CAST(x AS t)` / `try_cast(x AS t)` is exact.
 *
 * DuckDB casts with its own rules (`CAST(' 1.5' AS INT)` is 2, `'1d'` is no
 * double, hour 24 is midnight of the next day, a decimal → integer cast
 * rounds). Each pair is spelled out here with Spark's rules: text is trimmed
 * as Spark trims it and matched against Spark's accepted forms before
 * DuckDB converts it; integers wrap around where legacy Spark wraps them.
 * The ANSI mode's failures become `error(…)` calls, so that the script stops
 * where the engine fails. What DuckDB cannot reproduce is reported:
 * CAST_TEXT_EDGES (hexadecimal doubles, zone names, time-only text),
 * CAST_TIME_ZONE (gaps and overlaps of a region session zone),
 * DOUBLE_TO_STRING and CAST_TO_STRING (text of doubles, nested values and
 * intervals).
 */
import { isDecimal, typeInfo, type DataType } from '../ir/types.js';
import type { CastMode } from '../expr/cast.js';
import { sessionZone, type Zone } from '../time/zones.js';
import type { Dialect } from './dialect.js';

export interface CastSqlContext {
  readonly d: Dialect;
  readonly mode: CastMode;
  /** The session time zone (IANA name or offset). */
  readonly timeZone: string;
  /** Reports an approximation to the portability report. */
  note(code: string, detail: string): void;
  /** Reports a DOUBLE written as text. */
  doubleToString(): void;
}

/** The SQL of CAST(x AS to) for a value of type `from` (x is an atom or parenthesised). */
export function castSql(x: string, from: DataType, to: DataType, c: CastSqlContext): string {
  if (c.d.name !== 'duckdb') {
    const t = c.d.typeName(to);
    return c.mode === 'try' ? `try_cast(${x} AS ${t})` : `CAST(${x} AS ${t})`;
  }
  const legacy = c.mode === 'legacy';
  const v = duck(x, from, to, c, legacy);
  if (c.mode !== 'ansi' || v.total) return v.sql;
  // ANSI: where the engine fails the flow, the script stops
  const keep = v.nullOk ? ` AND NOT (${v.nullOk})` : '';
  return `CASE WHEN ${x} IS NOT NULL AND (${v.sql}) IS NULL${keep} THEN error(${str(`[CAST] a ${from.toUpperCase()} value does not convert to ${to.toUpperCase()} (ANSI mode)`)}) ELSE ${v.sql} END`;
}

interface DuckCast {
  readonly sql: string;
  /** Never NULL for a non-NULL input (no ANSI check needed). */
  readonly total?: boolean;
  /** A condition under which a NULL result is not a failure (in ANSI mode too). */
  readonly nullOk?: string;
}

const str = (s: string) => `'${s.replace(/'/g, "''")}'`;
const TRIM_CTL = `'^[\\x00-\\x20\\x7f]+|[\\x00-\\x20\\x7f]+$'`;
const TRIM_JAVA = `'^[\\x00-\\x20]+|[\\x00-\\x20]+$'`;
const trimCtl = (x: string) => `regexp_replace(${x}, ${TRIM_CTL}, '', 'g')`;
const trimJava = (x: string) => `regexp_replace(${x}, ${TRIM_JAVA}, '', 'g')`;
const full = (x: string, re: string) => `regexp_full_match(${x}, ${str(re)})`;
const group = (x: string, re: string, k: number) => `regexp_extract(${x}, ${str(`^${re}$`)}, ${k})`;

const DOUBLE_TEXT = '[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?';
const TWO_63 = '9.223372036854775808e18';

function kind(t: DataType): string {
  if (t === 'int' || t === 'long') return 'integral';
  if (isDecimal(t)) return 'decimal';
  if (t.startsWith('interval')) return 'interval';
  return typeInfo(t).kind;
}

function duck(x: string, from: DataType, to: DataType, c: CastSqlContext, legacy: boolean): DuckCast {
  const T = c.d.typeName(to);
  const f = kind(from), t = kind(to);
  const zone = sessionZone(c.timeZone);
  if (t === 'string') return toText(x, from, c, legacy, zone);
  if (f === 'string') return fromText(x, to, c, legacy, zone);
  switch (t) {
    case 'boolean':
      if (f === 'date') return { sql: `CAST(NULL AS BOOLEAN)`, total: true };
      if (f === 'timestamp') return { sql: `epoch_us(${x}) <> 0`, total: true };
      return { sql: `${x} <> 0`, total: true };
    case 'integral': return toIntegral(x, from, to as 'int' | 'long', legacy);
    case 'double':
      if (f === 'date') return { sql: 'CAST(NULL AS DOUBLE)', total: true };
      if (f === 'timestamp') return { sql: `epoch_us(${x}) / 1000000.0`, total: true };
      return { sql: `CAST(${x} AS DOUBLE)`, total: true };
    case 'decimal':
      if (f === 'date') return { sql: `CAST(NULL AS ${T})`, total: true };
      if (f === 'boolean') return { sql: `TRY_CAST(CAST(${x} AS INTEGER) AS ${T})` };
      if (f === 'timestamp') return { sql: `TRY_CAST(CAST(epoch_us(${x}) / 1000000.0 AS VARCHAR) AS ${T})` };
      // Spark converts a double through its shortest decimal text (DuckDB's text of a double is also the shortest)
      if (f === 'double') return { sql: `CASE WHEN isfinite(${x}) THEN TRY_CAST(CAST(${x} AS VARCHAR) AS ${T}) END`, nullOk: `NOT isfinite(${x})` };
      return { sql: `TRY_CAST(${x} AS ${T})` };
    case 'date': return { sql: zone.fixed === 0 ? `CAST(${x} AS DATE)` : `CAST(${localOf(x, zone, c)} AS DATE)`, total: true };
    case 'timestamp': return toTimestamp(x, from, c, zone);
    case 'array': {
      const ef = (typeInfo(from) as { element: DataType }).element, et = (typeInfo(to) as { element: DataType }).element;
      const inner = duck('e', ef, et, c, legacy);
      return { sql: `list_transform(${x}, lambda e: ${inner.sql})`, total: legacy || inner.total };
    }
    default:
      c.note('CAST_NESTED', `a ${from.toUpperCase()} is cast to ${to.toUpperCase()} by DuckDB's rules for the fields of maps and structs`);
      return { sql: `TRY_CAST(${x} AS ${T})`, total: true };
  }
}

// ------------------------------------------------------------ → string

function toText(x: string, from: DataType, c: CastSqlContext, legacy: boolean, zone: Zone): DuckCast {
  const f = kind(from);
  if (f === 'double') c.doubleToString();
  if (f === 'timestamp' && !isUtc(zone)) return { sql: `CAST(${localOf(x, zone, c)} AS VARCHAR)`, total: true };
  if (f === 'decimal' && legacy && (typeInfo(from) as { scale: number }).scale > 6) {
    // Java's BigDecimal.toString: scientific below 1E-6 (`1E-8`, `0E-10`, `1.23E-7`)
    const s = (typeInfo(from) as { scale: number }).scale;
    const digits = `coalesce(nullif(ltrim(replace(CAST(abs(${x}) AS VARCHAR), '.', ''), '0'), ''), '0')`;
    const mant = `CASE WHEN length(${digits}) > 1 THEN ${digits}[1] || '.' || ${digits}[2:] ELSE ${digits} END`;
    const sci = `CASE WHEN ${x} < 0 THEN '-' ELSE '' END || ${mant} || 'E' || CAST(length(${digits}) - 1 - ${s} AS VARCHAR)`;
    return { sql: `CASE WHEN abs(${x}) >= 0.000001 THEN CAST(${x} AS VARCHAR) ELSE ${sci} END`, total: true };
  }
  if (f === 'array' || f === 'map' || f === 'struct' || f === 'interval') {
    c.note('CAST_TO_STRING', `a ${from.toUpperCase()} cast to STRING is written as DuckDB writes it, not as Spark does ([1, 2], {a -> 1}, INTERVAL '1 00:00:00' DAY TO SECOND)`);
  }
  return { sql: `CAST(${x} AS VARCHAR)`, total: true };
}

// ------------------------------------------------------------ text →

function fromText(x: string, to: DataType, c: CastSqlContext, legacy: boolean, zone: Zone): DuckCast {
  const T = c.d.typeName(to);
  switch (kind(to)) {
    case 'integral': {
      const t = trimCtl(x);
      const value = legacy
        // Spark's legacy toInt/toLong: a well-formed fraction is dropped ('1.9' is 1, '.5' is 0)
        ? `CASE WHEN ${full(t, '[+-]?[0-9]*([.][0-9]*)?')} AND NOT ${full(t, '[+-]?')} THEN TRY_CAST(regexp_extract(${t}, '^[+-]?') || coalesce(nullif(regexp_extract(${t}, '^[+-]?([0-9]*)', 1), ''), '0') AS ${T}) END`
        : `CASE WHEN ${full(t, '[+-]?[0-9]+')} THEN TRY_CAST(${t} AS ${T}) END`;
      return { sql: to === 'long' ? exactLong(value) : value };
    }
    case 'double': {
      c.note('CAST_TEXT_EDGES', 'hexadecimal floating-point text (0x1p3) cast to DOUBLE is NULL in DuckDB; the engine reads it as Java does');
      const t = trimJava(x);
      return {
        sql: `CASE WHEN ${full(t, DOUBLE_TEXT + '[fFdD]?')} THEN CAST(regexp_replace(${t}, '[fFdD]$', '') AS DOUBLE)`
          + ` WHEN ${full(t, '[+-]?NaN')} OR lower(${t}) = 'nan' THEN CAST('NaN' AS DOUBLE)`
          + ` WHEN ${full(t, '[+]?Infinity')} OR lower(${t}) IN ('inf', '+inf', 'infinity', '+infinity') THEN CAST('Infinity' AS DOUBLE)`
          + ` WHEN ${t} = '-Infinity' OR lower(${t}) IN ('-inf', '-infinity') THEN CAST('-Infinity' AS DOUBLE) END`,
      };
    }
    case 'decimal': {
      const t = trimJava(x);
      return { sql: `CASE WHEN ${full(t, DOUBLE_TEXT)} THEN TRY_CAST(${t} AS ${T}) END` };
    }
    case 'boolean': {
      const t = `lower(${trimCtl(x)})`;
      return { sql: `CASE WHEN ${t} IN ('t', 'true', 'y', 'yes', '1') THEN TRUE WHEN ${t} IN ('f', 'false', 'n', 'no', '0') THEN FALSE END` };
    }
    case 'date': {
      const t = trimCtl(x);
      const re = '(?s)([+-]?)([0-9]{4,7})(?:-([0-9]{1,2})(?:-([0-9]{1,2})(?:[ T].*)?)?)?';
      const num = (k: number, dflt: string) => `coalesce(TRY_CAST(nullif(${group(t, re, k)}, '') AS BIGINT), ${dflt})`;
      const y = `(CASE WHEN ${group(t, re, 1)} = '-' THEN -1 ELSE 1 END * ${num(2, '0')})`;
      return { sql: `CASE WHEN ${full(t, re)} THEN ${makeDate(y, num(3, '1'), num(4, '1'))} END` };
    }
    case 'timestamp': return textToTimestamp(x, c, zone);
    default: return { sql: `CAST(NULL AS ${T})`, total: true };
  }
}

/** A BIGINT the engine can hold (a double holds it exactly), else NULL. */
function exactLong(v: string): string {
  return `CASE WHEN TRY_CAST(CAST(${v} AS DOUBLE) AS BIGINT) = ${v} THEN ${v} END`;
}

/** make_date with Spark's validation (NULL for a month or day that does not exist). */
function makeDate(y: string, m: string, d: string): string {
  return `CASE WHEN ${y} BETWEEN -290000 AND 290000 AND ${m} BETWEEN 1 AND 12 THEN CASE WHEN ${d} BETWEEN 1 AND day(last_day(make_date(${y}, ${m}, 1))) THEN make_date(${y}, ${m}, ${d}) END END`;
}

/** Spark's stringToTimestamp: a date, a time with an optional fraction and zone; the session zone otherwise. */
function textToTimestamp(x: string, c: CastSqlContext, zone: Zone): DuckCast {
  c.note('CAST_TEXT_EDGES', 'text cast to TIMESTAMP that names a zone by name (Europe/Paris, PST) or holds a time without a date is NULL in DuckDB; offsets, Z, UTC and GMT are read as the engine reads them');
  const t = trimCtl(x);
  const re = '([+-]?)([0-9]{4,6})(?:-([0-9]{1,2})(?:-([0-9]{1,2})(?:[ T]([0-9]{1,2})(?::([0-9]{1,2})(?::([0-9]{1,2})(?:[.]([0-9]*))?([^0-9.].*)?)?)?)?)?)?';
  const g = (k: number) => group(t, '(?s)' + re, k);
  const num = (k: number, dflt: string) => `coalesce(TRY_CAST(nullif(${g(k)}, '') AS BIGINT), ${dflt})`;
  const y = `(CASE WHEN ${g(1)} = '-' THEN -1 ELSE 1 END * ${num(2, '0')})`;
  const h = num(5, '0'), mi = num(6, '0'), s = num(7, '0');
  const frac = `CAST(rpad(substr(${g(8)}, 1, 6), 6, '0') AS BIGINT)`;
  const date = makeDate(y, num(3, '1'), num(4, '1'));
  const localUs = `(CAST(${date} - DATE '1970-01-01' AS BIGINT) * 86400000000 + ((${h} * 60 + ${mi}) * 60 + ${s}) * 1000000 + ${frac})`;
  // the zone written in the text: Z, UTC, GMT, UT, an offset (±h, ±hh:mm, ±hhmm, ±hh:mm:ss), or one of those prefixes with an offset
  const z = `trim(${g(9)})`;
  const zre = '(?:UTC|GMT|UT)?([+-])([0-9]{1,2})(?::?([0-9]{2}))?(?::?([0-9]{2}))?';
  const zg = (k: number) => `coalesce(TRY_CAST(nullif(${group(z, zre, k)}, '') AS BIGINT), 0)`;
  const offsetUs = `(CASE WHEN ${group(z, zre, 1)} = '-' THEN -1 ELSE 1 END * ((${zg(2)} * 60 + ${zg(3)}) * 60 + ${zg(4)}) * 1000000)`;
  const zoneOk = `(${zg(2)} < 18 OR (${zg(2)} = 18 AND ${zg(3)} = 0 AND ${zg(4)} = 0)) AND ${zg(3)} < 60 AND ${zg(4)} < 60`;
  const session = zone.fixed !== null ? `make_timestamp(${localUs} - ${zone.fixed! * 1_000_000})` : fromLocal(`make_timestamp(${localUs})`, zone, c);
  const valid = `${full(t, '(?s)' + re)} AND ${h} < 24 AND ${mi} < 60 AND ${s} < 60 AND ${date} IS NOT NULL`;
  return {
    sql: `CASE WHEN ${valid} THEN CASE WHEN ${g(9)} = '' THEN ${session}`
      + ` WHEN ${z} IN ('Z', 'UTC', 'GMT', 'UT') THEN make_timestamp(${localUs})`
      + ` WHEN ${full(z, zre)} AND ${zoneOk} THEN make_timestamp(${localUs} - ${offsetUs}) END END`,
  };
}

function toTimestamp(x: string, from: DataType, c: CastSqlContext, zone: Zone): DuckCast {
  switch (kind(from)) {
    case 'date': return { sql: zone.fixed !== null ? `CAST(${x} AS TIMESTAMP) - INTERVAL (${zone.fixed! * 1_000_000}) MICROSECOND` : fromLocal(`CAST(${x} AS TIMESTAMP)`, zone, c), total: true };
    case 'boolean': return { sql: `make_timestamp(CAST(${x} AS BIGINT))`, total: true };
    case 'integral': return { sql: `CASE WHEN abs(${x}) < 9223372036854 THEN make_timestamp(CAST(${x} AS BIGINT) * 1000000) END` };
    case 'double': return { sql: `CASE WHEN isfinite(${x}) AND abs(${x}) < 9223372036854 THEN make_timestamp(CAST(trunc(${x} * 1000000) AS BIGINT)) END` };
    default: return { sql: `make_timestamp(CAST(trunc(${x} * 1000000) AS BIGINT))` };
  }
}

/** A local timestamp of the session zone (a region) as the UTC timestamp (DuckDB's ICU rules). */
function fromLocal(local: string, zone: Zone, c: CastSqlContext): string {
  c.note('CAST_TIME_ZONE', `local times in the gaps and overlaps of ${zone.id} are resolved by DuckDB's ICU rules, which can differ from java.time's`);
  return `CAST(timezone(${str(zone.id)}, ${local}) AS TIMESTAMP)`;
}

/** The local timestamp of a UTC timestamp in the session zone. */
function localOf(x: string, zone: Zone, c: CastSqlContext): string {
  if (zone.fixed !== null) return `(${x} + INTERVAL (${zone.fixed! * 1_000_000}) MICROSECOND)`;
  void c;
  return `timezone(${str(zone.id)}, CAST(${x} AS TIMESTAMPTZ))`;
}

// ------------------------------------------------------------ numbers

function toIntegral(x: string, from: DataType, to: 'int' | 'long', legacy: boolean): DuckCast {
  const T = to === 'int' ? 'INTEGER' : 'BIGINT';
  const bits = to === 'int' ? 32 : 64;
  const wrap = (h: string) => {
    const half = bits === 32 ? '2147483648' : '9223372036854775808';
    const mod = bits === 32 ? '4294967296' : '18446744073709551616';
    return `CAST(((${h} + ${half}::HUGEINT) % ${mod}::HUGEINT + ${mod}::HUGEINT) % ${mod}::HUGEINT - ${half}::HUGEINT AS ${T})`;
  };
  switch (kind(from)) {
    case 'boolean': return { sql: `CAST(${x} AS ${T})`, total: true };
    case 'date': return { sql: `CAST(NULL AS ${T})`, total: true };
    case 'timestamp': {
      const sec = `((epoch_us(${x}) - ((epoch_us(${x}) % 1000000) + 1000000) % 1000000) // 1000000)`;
      return { sql: `TRY_CAST(${sec} AS ${T})` };
    }
    case 'integral':
      if (to === 'long') return { sql: `CAST(${x} AS BIGINT)`, total: true };
      return legacy ? { sql: wrap(`CAST(${x} AS HUGEINT)`), total: true } : { sql: `TRY_CAST(${x} AS INTEGER)` };
    case 'double': {
      if (!legacy) {
        const ok = to === 'int' ? `floor(${x}) <= 2147483647 AND ceil(${x}) >= -2147483648` : `${x} < ${TWO_63} AND ${x} >= -${TWO_63}`;
        return { sql: `CASE WHEN ${ok} THEN CAST(trunc(${x}) AS ${T}) END` };
      }
      // Java's (int)/(long) of a double: NaN is 0, beyond the range the nearest bound (Long.MAX_VALUE is beyond the engine's BIGINT)
      return to === 'int'
        ? { sql: `CASE WHEN isnan(${x}) THEN 0 WHEN ${x} >= 2147483647 THEN 2147483647 WHEN ${x} <= -2147483648 THEN -2147483648 ELSE CAST(trunc(${x}) AS INTEGER) END` }
        : { sql: `CASE WHEN isnan(${x}) THEN 0 WHEN ${x} >= ${TWO_63} THEN NULL WHEN ${x} <= -${TWO_63} THEN -9223372036854775808 ELSE CAST(trunc(${x}) AS BIGINT) END` };
    }
    case 'decimal': {
      const h = `CAST(trunc(${x}) AS HUGEINT)`;
      const v = legacy ? wrap(h) : `TRY_CAST(${h} AS ${T})`;
      return { sql: to === 'long' ? exactLong(v) : v };
    }
    default: return { sql: `CAST(NULL AS ${T})`, total: true };
  }
}

function isUtc(z: Zone): boolean {
  return z.fixed === 0;
}
