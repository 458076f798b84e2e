/**
 * Spark datetime patterns in DuckDB SQL, translated at compile time from a
 * literal pattern (engine/time/pattern.ts). DuckDB's strftime/strptime use
 * other letters and other rules (1-digit months accepted where `MM` wants 2,
 * `%y` 1999 where `yy` means 2099, lenient case), so the translation does not
 * use them for parsing: a text is matched by a regular expression built from
 * the pattern, its fields validated as Spark resolves them, and the instant
 * put together. Formatting writes each element with DuckDB's field functions.
 *
 * Not translated (the compiler reports NON_PORTABLE_EXPRESSION): a pattern
 * that is not a literal, zone names (z, VV) and localized offsets (O, ZZZZ)
 * in a zone that is not a fixed offset, D (day of year) when parsing.
 */
import { UnsupportedError } from '../errors.js';
import { DateTimePattern, formatOffset, PatternError, zoneName, type Tok } from '../time/pattern.js';
import { duckFromLocal, duckLet, duckValidDate, emitZone } from './datetime-common.js';
import type { SqlEmit } from './registry.js';

const str = (s: string) => `'${s.replace(/'/g, "''")}'`;

function notPortable(e: SqlEmit, fn: string, why: string): never {
  throw new UnsupportedError('NON_PORTABLE_EXPRESSION', `${fn}() has no ${e.dialect.title} form here: ${why}`, { function: fn, dialect: e.dialect.name },
    { hint: 'use a literal pattern with the letters y M d H h m s S a E and offsets X/Z, or compile with --partial to skip this table' });
}

/** The literal pattern of argument i (compiled), or a NON_PORTABLE_EXPRESSION error. */
export function literalPattern(e: SqlEmit, i: number, fn: string, parsing: boolean): DateTimePattern {
  const p = e.literals[i];
  if (typeof p !== 'string') notPortable(e, fn, `the pattern is not a literal, and ${e.dialect.title} patterns differ from Spark's`);
  try {
    return DateTimePattern.of(p, parsing);
  } catch (err) {
    if (err instanceof PatternError) notPortable(e, fn, err.message);
    throw err;
  }
}

function padded(x: string, width: number): string {
  return width <= 1 ? `CAST(${x} AS VARCHAR)` : `lpad(CAST(${x} AS VARCHAR), ${width}, '0')`;
}

/** DuckDB: the text of an instant `ts` (its local wall time `local`) written with a Spark pattern. */
export function duckFormat(e: SqlEmit, fn: string, p: DateTimePattern, localSql: string): string {
  return duckLet(localSql, (local) => formatWith(e, fn, p, local));
}

function formatWith(e: SqlEmit, fn: string, p: DateTimePattern, local: string): string {
  const zone = emitZone(e);
  const parts: string[] = [];
  const walk = (toks: readonly Tok[]): void => {
    for (const t of toks) {
      switch (t.k) {
        case 'lit': parts.push(str(t.text)); break;
        case 'opt': walk(t.toks); break;
        case 'frac': parts.push(`substr(lpad(CAST(microsecond(${local}) % 1000000 AS VARCHAR), 6, '0') || '000', 1, ${t.digits})`); break;
        case 'num': {
          const v = ({
            year: `year(${local})`, month: `month(${local})`, day: `day(${local})`, doy: `dayofyear(${local})`, hour: `hour(${local})`,
            hour12: `((hour(${local}) + 11) % 12 + 1)`, hour0_11: `(hour(${local}) % 12)`, hour1_24: `((hour(${local}) + 23) % 24 + 1)`,
            minute: `minute(${local})`, second: `second(${local})`, quarter: `quarter(${local})`,
          } as const)[t.field];
          if (t.reduced) parts.push(padded(`((${v} % 100) + 100) % 100`, 2));
          else if (t.field === 'year') {
            const y = `year(${local})`;
            const plus = t.sign === 'exceeds' ? `WHEN ${y} >= ${10 ** t.min} THEN '+' || CAST(${y} AS VARCHAR) ` : '';
            parts.push(`CASE ${plus}WHEN ${y} < 0 THEN '-' || ${padded(`-${y}`, t.min)} ELSE ${padded(y, t.min)} END`);
          } else parts.push(padded(v, t.min));
          break;
        }
        case 'text':
          switch (t.field) {
            case 'month': parts.push(`strftime(${local}, '${t.full ? '%B' : '%b'}')`); break;
            case 'dow': parts.push(`strftime(${local}, '${t.full ? '%A' : '%a'}')`); break;
            case 'ampm': parts.push(`CASE WHEN hour(${local}) < 12 THEN 'AM' ELSE 'PM' END`); break;
            case 'era': parts.push(`CASE WHEN year(${local}) > 0 THEN ${str(t.full ? 'Anno Domini' : 'AD')} ELSE ${str(t.full ? 'Before Christ' : 'BC')} END`); break;
            default: parts.push(t.full ? `CASE quarter(${local}) WHEN 1 THEN '1st quarter' WHEN 2 THEN '2nd quarter' WHEN 3 THEN '3rd quarter' ELSE '4th quarter' END` : `'Q' || quarter(${local})`); break;
          }
          break;
        case 'offset':
          if (zone.fixed === null) notPortable(e, fn, `offsets of the region zone ${zone.id} are not translated`);
          parts.push(str(formatOffset(t, zone.fixed!)));
          break;
        case 'zoneName':
          if (zone.fixed === null) notPortable(e, fn, `names of the region zone ${zone.id} are not translated`);
          parts.push(str(zoneName(zone, 0, t.full)));
          break;
        case 'zoneId': parts.push(str(zone.id)); break;
      }
    }
  };
  walk(p.tokens);
  return parts.length === 0 ? `''` : parts.length === 1 ? `CAST(${parts[0]} AS VARCHAR)` : parts.join(' || ');
}

function escapeRe(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, (c) => '\\' + c);
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/**
 * DuckDB: the instant (TIMESTAMP, UTC) a text names under a Spark pattern,
 * NULL when it does not match or names no valid date and time; in ANSI mode a
 * text that does not parse stops the query (`error()`), as Spark fails.
 */
export function duckParse(e: SqlEmit, fn: string, p: DateTimePattern, textSql: string): string {
  return duckLet(textSql, (text) => parseWith(e, fn, p, text));
}

function parseWith(e: SqlEmit, fn: string, p: DateTimePattern, text: string): string {
  let re = '';
  let group = 0;
  const groups: Record<string, number> = {};
  const walk = (toks: readonly Tok[]): void => {
    for (const t of toks) {
      switch (t.k) {
        case 'lit': re += escapeRe(t.text); break;
        case 'opt': re += '(?:'; walk(t.toks); re += ')?'; break;
        case 'frac': re += `([0-9]{1,${t.digits}})`; groups.frac = ++group; break;
        case 'num': {
          if (t.field === 'doy' || t.field === 'quarter') notPortable(e, fn, `the pattern letter for ${t.field === 'doy' ? 'the day of the year' : 'the quarter'} is not translated`);
          if (t.reduced) re += '([0-9]{2})';
          else if (t.sign === 'exceeds') re += `([0-9]{${t.min}}|[+-][0-9]{${t.min + 1},19})`;
          else re += `(${t.sign === 'normal' ? '-?' : ''}[0-9]{${t.min},${Math.min(t.max, 19)}})`;
          groups[t.reduced ? 'yy' : t.field] = ++group;
          break;
        }
        case 'text':
          if (t.field === 'month') { re += `(${MONTHS.map((m) => (t.full ? m : m.slice(0, 3))).join('|')})`; groups.monthText = ++group; groups.monthFull = t.full ? 1 : 0; }
          else if (t.field === 'ampm') { re += '(am|pm)'; groups.ampm = ++group; }
          else if (t.field === 'era') { re += t.full ? '(before christ|anno domini)' : '(bc|ad)'; groups.era = ++group; }
          else notPortable(e, fn, 'day-of-week and quarter names are not read');
          break;
        case 'offset': {
          if (t.letter === 'O' || (t.letter === 'Z' && t.count === 4)) notPortable(e, fn, 'localized offsets (O, ZZZZ) are not translated');
          const zero = t.letter === 'X' || (t.letter === 'Z' && t.count === 5) ? 'z|' : '';
          let body: string;
          if (t.letter === 'Z') body = t.count <= 3 ? '[+-][0-9]{4}(?:[0-9]{2})?' : '[+-][0-9]{2}:[0-9]{2}(?::[0-9]{2})?';
          else if (t.count === 1) body = '[+-][0-9]{2}(?:[0-9]{2})?';
          else if (t.count === 2) body = '[+-][0-9]{4}';
          else if (t.count === 4) body = '[+-][0-9]{4}(?:[0-9]{2})?';
          else body = t.count === 3 ? '[+-][0-9]{2}:[0-9]{2}' : '[+-][0-9]{2}:[0-9]{2}(?::[0-9]{2})?';
          re += `(${zero}${body})`;
          groups.offset = ++group;
          break;
        }
        default: notPortable(e, fn, 'zone names in the text are not read');
      }
    }
  };
  walk(p.tokens);
  const full = `(?is:${re})`;
  const names = Array.from({ length: group }, (_, k) => `'g${k + 1}'`);
  const groupsSql = group === 0 ? `{'g0': ''}` : `regexp_extract(${text}, '^${full.replace(/'/g, "''")}$', [${names.join(', ')}])`;
  return duckLet(groupsSql, (gs) => resolveParsed(e, p, text, full, gs, groups));
}

function resolveParsed(e: SqlEmit, p: DateTimePattern, text: string, full: string, gs: string, groups: Record<string, number>): string {
  const g = (name: string) => `${gs}.g${groups[name]}`;
  const has = (name: string) => groups[name] !== undefined;
  const int = (name: string) => `CAST(${g(name)} AS BIGINT)`;
  let year = has('year') ? int('year') : has('yy') ? `(2000 + ${int('yy')})` : '1970';
  if (has('era')) year = `(CASE WHEN lower(${g('era')}) IN ('bc', 'before christ') THEN 1 - ${year} ELSE ${year} END)`;
  const month = has('monthText') ? `list_position([${MONTHS.map((m) => str(groups.monthFull ? m : m.slice(0, 3))).join(', ')}], lower(${g('monthText')}))` : has('month') ? int('month') : '1';
  const day = has('day') ? int('day') : '1';
  const ampm = has('ampm') ? `(CASE lower(${g('ampm')}) WHEN 'pm' THEN 1 ELSE 0 END)` : null;
  const checks: string[] = [];
  let hour: string;
  if (has('hour')) {
    hour = int('hour');
    checks.push(`${hour} BETWEEN 0 AND 23`);
    if (ampm) checks.push(`(${hour} >= 12) = (${ampm} = 1)`);
  } else if (has('hour1_24')) {
    checks.push(`${int('hour1_24')} BETWEEN 1 AND 24`);
    hour = `(${int('hour1_24')} % 24)`;
  } else if (has('hour12')) {
    checks.push(`${int('hour12')} BETWEEN 1 AND 12`);
    hour = `(${ampm ?? '0'} * 12 + ${int('hour12')} % 12)`;
  } else if (has('hour0_11')) {
    checks.push(`${int('hour0_11')} BETWEEN 0 AND 11`);
    hour = `(${ampm ?? '0'} * 12 + ${int('hour0_11')})`;
  } else hour = ampm ? `(${ampm} * 12)` : '0';
  const minute = has('minute') ? int('minute') : '0', second = has('second') ? int('second') : '0';
  if (has('minute')) checks.push(`${minute} BETWEEN 0 AND 59`);
  if (has('second')) checks.push(`${second} BETWEEN 0 AND 59`);
  const micros = has('frac') ? `CAST(rpad(${g('frac')}, 6, '0')[1:6] AS BIGINT)` : '0';
  const date = duckValidDate(year, month, day);
  const local = `(CAST(${date} AS TIMESTAMP) + to_microseconds(((${hour} * 60 + ${minute}) * 60 + ${second}) * 1000000 + ${micros}))`;
  let instant: string;
  if (has('offset')) {
    const o = `replace(upper(${g('offset')}), ':', '')`;
    const secs = `(CASE WHEN ${o} = 'Z' THEN 0 ELSE (CASE substr(${o}, 1, 1) WHEN '-' THEN -1 ELSE 1 END) * (CAST(substr(${o}, 2, 2) AS INTEGER) * 3600 + coalesce(CAST(nullif(substr(${o}, 4, 2), '') AS INTEGER), 0) * 60 + coalesce(CAST(nullif(substr(${o}, 6, 2), '') AS INTEGER), 0)) END)`;
    instant = `(${local} - to_seconds(${secs}))`;
  } else instant = duckFromLocal(e, local);
  const cond = [`regexp_full_match(${text}, '${full.replace(/'/g, "''")}')`, ...checks].join(' AND ');
  if (!e.ansi) return `CASE WHEN ${cond} THEN ${instant} END`;
  return `CASE WHEN ${text} IS NULL THEN NULL WHEN ${cond} AND ${date} IS NOT NULL THEN ${instant} ELSE error('CANNOT_PARSE_TIMESTAMP: ' || ${text} || ' does not match ' || ${str(p.pattern)}) END`;
}
