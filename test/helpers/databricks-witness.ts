/**
 * A Databricks-semantics witness: runs the emitted Databricks notebook and
 * its Python flows (their text, as a user deploys them) in DuckDB, with the
 * Spark behaviours they rely on emulated:
 *
 * - `read_files(...)`: the files are read by the Spark CSV emulation
 *   (`spark-csv.ts`: univocity tokenizer, Auto Loader header matching and
 *   rescued column) with the options written in the call;
 * - `RLIKE` and `regexp_replace` with Java regex semantics (`$` also matches
 *   before a final line terminator, `.` excludes every line terminator), as
 *   RE2 patterns; `$1` group references;
 * - `try_cast` from STRING as Spark casts (whitespace up to U+0020 trimmed,
 *   Spark's date and timestamp forms), `map`, `map_filter`,
 *   `transform_values`, `map_concat` (a repeated key fails), `from_json` to a
 *   map, `to_json`, `filter`/`array`, `window()` (Spark's window starts),
 *   `WATERMARK … DELAY OF` (one triggered update: windows that end at or
 *   before the maximum event time minus the delay), expectations (a DROP ROW
 *   constraint keeps the rows where it is true; FAIL UPDATE fails);
 * - the Python flows (`spark.readStream.table(...).dropDuplicates([...])`,
 *   `.alias`, `.join(..., F.expr(...), how)`, `.selectExpr`, `.where`,
 *   `@dp.expect*`): `dropDuplicates` keeps one row per key, which one being
 *   Spark's choice, so the witness keeps an arbitrary one (by a hash of the
 *   row), not the engine's.
 *
 * Independent of the compiler: it reads only the emitted text.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Duck } from './duck.js';
import { autoLoaderRows } from './spark-csv.js';
import { cdcWindowQuery } from '../../engine/sql/cdc.js';
import { duckdb } from '../../engine/sql/duckdb.js';

// ------------------------------------------------------------ Spark SQL tokens

type Tok = { t: 'id' | 'qid' | 'str' | 'num' | 'op'; v: string };

export function sparkTokens(sql: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (/\s/.test(c)) { i++; continue; }
    if (sql.startsWith('--', i)) { while (i < n && sql[i] !== '\n') i++; continue; }
    if (sql.startsWith('/*', i)) { const e = sql.indexOf('*/', i + 2); i = e < 0 ? n : e + 2; continue; }
    if (c === "'" || c === '"') {
      let v = '';
      i++;
      while (i < n && sql[i] !== c) {
        if (sql[i] === '\\' && i + 1 < n) {
          const e = sql[i + 1];
          v += ({ n: '\n', t: '\t', r: '\r', '0': '\0', b: '\b', Z: '\x1a' } as Record<string, string>)[e] ?? e;
          i += 2;
        } else v += sql[i++];
      }
      i++;
      out.push({ t: 'str', v });
      continue;
    }
    if (c === '`') {
      let v = '';
      i++;
      for (;;) {
        if (sql[i] === '`' && sql[i + 1] === '`') { v += '`'; i += 2; continue; }
        if (sql[i] === '`' || i >= n) { i++; break; }
        v += sql[i++];
      }
      out.push({ t: 'qid', v });
      continue;
    }
    const num = /^[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?/.exec(sql.slice(i, i + 40));
    if (num) { out.push({ t: 'num', v: num[0] }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i, i + 200));
    if (id) { out.push({ t: 'id', v: id[0] }); i += id[0].length; continue; }
    const op = ['=>', '->', '<>', '<=', '>=', '!=', '||'].find((o) => sql.startsWith(o, i)) ?? c;
    out.push({ t: 'op', v: op });
    i += op.length;
  }
  return out;
}

const isKw = (t: Tok | undefined, ...kw: string[]) => t !== undefined && t.t === 'id' && kw.includes(t.v.toUpperCase());
const isOp = (t: Tok | undefined, v: string) => t !== undefined && t.t === 'op' && t.v === v;

/** Index of the `)` matching the `(` at `open`. */
function closeOf(ts: Tok[], open: number): number {
  let d = 0;
  for (let k = open; k < ts.length; k++) {
    if (isOp(ts[k], '(')) d++;
    else if (isOp(ts[k], ')') && --d === 0) return k;
  }
  throw new Error('witness: unbalanced parentheses');
}

/** Splits tokens at top-level commas. */
function splitArgs(ts: Tok[]): Tok[][] {
  const out: Tok[][] = [[]];
  let d = 0;
  for (const t of ts) {
    if (isOp(t, '(')) d++;
    if (isOp(t, ')')) d--;
    if (d === 0 && isOp(t, ',')) { out.push([]); continue; }
    out[out.length - 1].push(t);
  }
  return out.length === 1 && out[0].length === 0 ? [] : out;
}

// ------------------------------------------------------------ Java regex -> RE2

const JAVA_TERMINATORS = '\\n\\r\\x{85}\\x{2028}\\x{2029}';

/** A Java pattern as an RE2 pattern with the same matches (boolean find, replace of validated text). */
export function javaRegexToRe2(p: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      const e = p[i + 1];
      i++;
      if (!inClass && e === 'Z') { out += `(?:\\r\\n|[${JAVA_TERMINATORS}])?\\z`; continue; }
      out += '\\' + e;
      continue;
    }
    if (inClass) { if (c === ']') inClass = false; out += c; continue; }
    if (c === '[') { inClass = true; out += c; if (p[i + 1] === '^') { out += '^'; i++; } if (p[i + 1] === ']') { out += '\\]'; i++; } continue; }
    if (c === '$') { out += `(?:\\r\\n|[${JAVA_TERMINATORS}])?\\z`; continue; }
    if (c === '.') { out += `[^${JAVA_TERMINATORS}]`; continue; }
    out += c;
  }
  return out;
}

// ------------------------------------------------------------ translation to DuckDB

const TYPES: Record<string, string> = { STRING: 'VARCHAR', INT: 'INTEGER', INTEGER: 'INTEGER', BIGINT: 'BIGINT', LONG: 'BIGINT', DOUBLE: 'DOUBLE', DATE: 'DATE', TIMESTAMP: 'TIMESTAMP', BOOLEAN: 'BOOLEAN' };

const duckStr = (s: string) => `'${s.replace(/'/g, "''")}'`;
const duckId = (s: string) => `"${s.replace(/"/g, '""')}"`;

function durationUs(text: string): number {
  const m = /^\s*(\d+)\s*(microsecond|millisecond|second|minute|hour|day|week)s?\s*$/i.exec(text);
  if (!m) throw new Error(`witness: interval ${text}`);
  const unit: Record<string, number> = { microsecond: 1, millisecond: 1e3, second: 1e6, minute: 6e7, hour: 3.6e9, day: 8.64e10, week: 6.048e11 };
  return Number(m[1]) * unit[m[2].toLowerCase()];
}

export interface TranslateEnv {
  /** Materializes a `read_files(...)` call; returns the table holding its rows. */
  readFiles(args: Map<string, string>, path: string): string;
}

interface Watermark { source: string; column: string; delayUs: number }

class Translator {
  private lambdaVars: Map<string, string>[] = [];
  watermark: Watermark | null = null;
  constructor(private readonly env: TranslateEnv) {}

  /** Rewrites each SELECT holding window(...): the FROM item gains the windows of each row (unnest), window(...) becomes __w. */
  private windows(ts: Tok[]): Tok[] {
    for (let k = 0; k < ts.length; k++) {
      if (!(isKw(ts[k], 'WINDOW') && isOp(ts[k + 1], '('))) continue;
      // the enclosing SELECT at the same depth
      let d = 0, sel = -1;
      for (let j = k - 1; j >= 0; j--) {
        if (isOp(ts[j], ')')) d++;
        else if (isOp(ts[j], '(')) { if (d === 0) break; d--; }
        else if (d === 0 && isKw(ts[j], 'SELECT')) { sel = j; break; }
      }
      if (sel < 0) throw new Error('witness: window() outside a SELECT');
      const win = ts.slice(k, closeOf(ts, k + 1) + 1);
      const args = splitArgs(win.slice(2, -1));
      const size = durationUs(args[1][0].v);
      const slide = args[2] ? durationUs(args[2][0].v) : size;
      // FROM item of this SELECT
      let from = -1, end = ts.length;
      d = 0;
      for (let j = sel + 1; j < ts.length; j++) {
        if (isOp(ts[j], '(')) d++;
        else if (isOp(ts[j], ')')) { if (d === 0) { end = j; break; } d--; }
        else if (d === 0 && from < 0 && isKw(ts[j], 'FROM')) from = j;
        else if (d === 0 && from >= 0 && isKw(ts[j], 'WHERE', 'GROUP', 'HAVING', 'UNION', 'ORDER')) { end = j; break; }
      }
      const item = ts.slice(from + 1, end);
      const repl: Tok[] = [];
      const body = ts.slice(sel, from);
      const rest = ts.slice(end);
      // replace every window(...) equal to this one in the SELECT list and after
      const key = win.map((t) => t.v).join(' ');
      const swap = (xs: Tok[]) => {
        const o: Tok[] = [];
        for (let j = 0; j < xs.length; j++) {
          if (isKw(xs[j], 'WINDOW') && isOp(xs[j + 1], '(')) {
            const c = closeOf(xs, j + 1);
            if (xs.slice(j, c + 1).map((t) => t.v).join(' ') === key) { o.push({ t: 'id', v: '__w' }); j = c; continue; }
          }
          o.push(xs[j]);
        }
        return o;
      };
      repl.push(...swap(body), { t: 'id', v: 'FROM' }, { t: 'op', v: '(' }, { t: 'id', v: 'SELECT' }, { t: 'op', v: '*' }, { t: 'op', v: ',' },
        { t: 'id', v: 'unnest' }, { t: 'op', v: '(' }, { t: 'id', v: 'spark_windows' }, { t: 'op', v: '(' }, ...args[0], { t: 'op', v: ',' },
        { t: 'num', v: String(size) }, { t: 'op', v: ',' }, { t: 'num', v: String(slide) }, { t: 'op', v: ')' }, { t: 'op', v: ')' },
        { t: 'id', v: 'AS' }, { t: 'id', v: '__w' }, { t: 'id', v: 'FROM' }, ...item, { t: 'op', v: ')' }, { t: 'id', v: 'AS' }, { t: 'id', v: '__wsrc' });
      // the rest of the SELECT up to its end at this depth
      let stop = rest.length;
      d = 0;
      for (let j = 0; j < rest.length; j++) {
        if (isOp(rest[j], '(')) d++;
        else if (isOp(rest[j], ')')) { if (d === 0) { stop = j; break; } d--; }
      }
      const tail = swap(rest.slice(0, stop));
      // a watermark on the FROM item: append-mode output of one triggered update
      const wm = item.findIndex((t) => isKw(t, 'WATERMARK'));
      if (wm >= 0) {
        const src = item[1].v;
        const column = item[wm + 1].v;
        const n = Number(item[wm + 5].v);
        const unit = item[wm + 6].v.replace(/S$/i, '').toLowerCase();
        const delayUs = durationUs(`${n} ${unit}`);
        const having = `__w."end" <= (SELECT max(${duckId(column)}) FROM ${duckId(src)}) - INTERVAL ${delayUs} MICROSECONDS`;
        tail.push({ t: 'id', v: 'HAVING' }, { t: 'id', v: `__RAW__${having}` });
      }
      ts = [...ts.slice(0, sel), ...repl, ...tail, ...rest.slice(stop)];
      k = sel;
    }
    return ts;
  }

  query(sql: string): string {
    return this.expr(this.windows(sparkTokens(sql)));
  }

  /** Translates a token sequence. */
  expr(ts: Tok[]): string {
    const out: string[] = [];
    let glue = false;
    const push0 = out.push.bind(out);
    const push = (x: string) => { if (glue && out.length) { out[out.length - 1] += x; glue = false; return out.length; } return push0(x); };
    for (let k = 0; k < ts.length; k++) {
      if (isOp(ts[k], '.') && !(ts[k + 1]?.t === 'id' && /^(start|end)$/i.test(ts[k + 1].v))) { out[out.length - 1] += '.'; glue = true; continue; }
      const t = ts[k];
      if (t.t === 'id' && t.v.startsWith('__RAW__')) { push(t.v.slice(7)); continue; }
      if (t.t === 'str') { push(duckStr(t.v)); continue; }
      if (t.t === 'qid') { push(duckId(t.v)); continue; }
      if (t.t === 'num') { push(t.v); continue; }
      if (t.t === 'op') {
        if (t.v === '.' && ts[k + 1]?.t === 'id' && /^(start|end)$/i.test(ts[k + 1].v)) { out[out.length - 1] += `."${ts[k + 1].v.toLowerCase()}"`; k++; continue; }
        if (t.v === '(') {
          const c = closeOf(ts, k);
          push(`(${this.expr(ts.slice(k + 1, c))})`);
          k = c;
          continue;
        }
        push(t.v === '->' ? '->' : t.v);
        continue;
      }
      const up = t.v.toUpperCase();
      if (up === 'STREAM') {
        if (isOp(ts[k + 1], '(')) { const c = closeOf(ts, k + 1); push(this.expr(ts.slice(k + 2, c))); k = c; continue; }
        if (isKw(ts[k + 1], 'READ_FILES')) continue;
        // STREAM x WATERMARK c DELAY OF INTERVAL n UNIT AS s
        if (isKw(ts[k + 2], 'WATERMARK')) {
          push(this.expr([ts[k + 1]]));
          this.watermark = { source: ts[k + 1].v, column: ts[k + 3].v, delayUs: 0 };
          k += 8;
          continue;
        }
        continue;
      }
      if (up === 'RLIKE') {
        const left = out.pop()!;
        const pat = ts[k + 1];
        if (pat.t !== 'str') throw new Error('witness: RLIKE needs a literal pattern');
        push(`regexp_matches(${left}, ${duckStr(javaRegexToRe2(pat.v))})`);
        k++;
        continue;
      }
      const lv = this.lambdaVars.find((m) => m.has(t.v));
      if (lv && !isOp(ts[k + 1], '(')) { push(lv.get(t.v)!); continue; }
      if (isOp(ts[k + 1], '(')) {
        const c = closeOf(ts, k + 1);
        push(this.call(t.v, ts.slice(k + 2, c)));
        k = c;
        continue;
      }
      push(t.v);
    }
    return out.join(' ');
  }

  private lambda(ts: Tok[], bind: (vars: string[]) => Map<string, string>): string {
    const arrow = ts.findIndex((t) => isOp(t, '->'));
    const vars = ts.slice(0, arrow).filter((t) => t.t === 'id').map((t) => t.v);
    this.lambdaVars.push(bind(vars));
    try { return this.expr(ts.slice(arrow + 1)); } finally { this.lambdaVars.pop(); }
  }

  private call(name: string, argTs: Tok[]): string {
    const f = name.toLowerCase();
    const args = splitArgs(argTs);
    const a = (i: number) => this.expr(args[i]);
    switch (f) {
      case 'read_files': {
        const opts = new Map<string, string>();
        for (const x of args.slice(1)) opts.set(x[0].v, x.slice(2).map((t) => t.v).join(''));
        return this.env.readFiles(opts, args[0][0].v);
      }
      case 'try_cast': case 'cast': {
        // the AS at depth 0 (the value may hold a CAST of its own)
        let depth = 0;
        const as = argTs.findIndex((t) => { if (isOp(t, '(')) depth++; else if (isOp(t, ')')) depth--; return depth === 0 && isKw(t, 'AS'); });
        const inner = this.expr(argTs.slice(0, as));
        const ty = argTs.slice(as + 1).map((t) => t.v).join('').toUpperCase();
        if (f === 'try_cast') return `spark_try_cast_${ty.toLowerCase()}(${inner})`;
        return `CAST(${inner} AS ${TYPES[ty] ?? ty})`;
      }
      case 'trim': {
        const from = argTs.findIndex((t) => isKw(t, 'FROM'));
        if (from < 0) return `trim(${this.expr(argTs)}, ' ')`;
        const chars = argTs.find((t) => t.t === 'str')!.v;
        const where = argTs[0].v.toUpperCase();
        const fn = where === 'LEADING' ? 'ltrim' : where === 'TRAILING' ? 'rtrim' : 'trim';
        return `${fn}(${this.expr(argTs.slice(from + 1))}, ${duckStr(chars)})`;
      }
      case 'map': {
        const ks: string[] = [], vs: string[] = [];
        for (let i = 0; i < args.length; i += 2) { ks.push(a(i)); vs.push(a(i + 1)); }
        return `map([${ks.join(', ')}]::VARCHAR[], [${vs.join(', ')}]::VARCHAR[])`;
      }
      case 'map_filter':
        return `map_from_entries(list_filter(map_entries(${a(0)}), lambda __e: ${this.lambda(args[1], (v) => new Map([[v[0], '__e.key'], [v[1], '__e.value']]))}))`;
      case 'transform_values':
        return `map_from_entries(list_transform(map_entries(${a(0)}), lambda __e: {'key': __e.key, 'value': ${this.lambda(args[1], (v) => new Map([[v[0], '__e.key'], [v[1], '__e.value']]))}}))`;
      case 'map_concat': return `spark_map_concat(${a(0)}, ${a(1)})`;
      case 'map_keys': return `map_keys(${a(0)})`;
      case 'from_json': {
        const schema = args[1][0].v.replace(/\s/g, '').toUpperCase();
        if (schema !== 'MAP<STRING,STRING>') throw new Error(`witness: from_json schema ${schema}`);
        return `TRY_CAST(TRY_CAST(${a(0)} AS JSON) AS MAP(VARCHAR, VARCHAR))`;
      }
      case 'to_json': return `CAST(to_json(${a(0)}) AS VARCHAR)`;
      case 'array': return `[${args.map((_, i) => a(i)).join(', ')}]`;
      case 'array_contains': return `list_contains(${a(0)}, ${a(1)})`;
      case 'filter':
        // an aggregate's FILTER (WHERE cond) clause
        if (isKw(argTs[0], 'WHERE')) return `FILTER (WHERE ${this.expr(argTs.slice(1))})`;
        return `list_filter(${a(0)}, lambda __x: ${this.lambda(args[1], (v) => new Map([[v[0], '__x']]))})`;
      case 'regexp_replace': {
        const p = args[1][0], r = args[2][0];
        if (p.t !== 'str' || r.t !== 'str') throw new Error('witness: regexp_replace needs literals');
        return `regexp_replace(${a(0)}, ${duckStr(javaRegexToRe2(p.v))}, ${duckStr(r.v.replace(/\$(\d)/g, '\\$1'))}, 'g')`;
      }
      case 'current_timestamp': return 'CAST(current_timestamp AS TIMESTAMP)';
      case 'try_divide': return `(${a(0)} / nullif(${a(1)}, 0))`;
      case 'try_mod': return `(${a(0)} % nullif(${a(1)}, 0))`;
      case 'unix_seconds': return `CAST(floor(epoch_us(${a(0)}) / 1000000) AS BIGINT)`;
      case 'length': return `CAST(length(${a(0)}) AS INTEGER)`;
      case 'count': return `count(${this.expr(argTs)})`;
      default: return `${name}(${args.map((_, i) => a(i)).join(', ')})`;
    }
  }
}

/** DuckDB macros emulating Spark functions the translation uses. */
export const SPARK_MACROS = [
  // whitespace as Spark's casts trim it: every char up to U+0020
  `CREATE OR REPLACE MACRO spark_trim_ws(x) AS regexp_replace(x, '^[\\x00-\\x20]+|[\\x00-\\x20]+$', '', 'g')`,
  `CREATE OR REPLACE MACRO spark_try_cast_int(x) AS CASE WHEN regexp_full_match(spark_trim_ws(x), '[+-]?[0-9]+') THEN TRY_CAST(spark_trim_ws(x) AS INTEGER) END`,
  `CREATE OR REPLACE MACRO spark_try_cast_bigint(x) AS CASE WHEN regexp_full_match(spark_trim_ws(x), '[+-]?[0-9]+') THEN TRY_CAST(spark_trim_ws(x) AS BIGINT) END`,
  `CREATE OR REPLACE MACRO spark_try_cast_double(x) AS CASE WHEN regexp_full_match(spark_trim_ws(x), '[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?[dDfF]?|[+-]?(Infinity|NaN)') THEN TRY_CAST(regexp_replace(spark_trim_ws(x), '[dDfF]$', '') AS DOUBLE) END`,
  `CREATE OR REPLACE MACRO spark_try_cast_boolean(x) AS CASE lower(spark_trim_ws(x)) WHEN 'true' THEN true WHEN 't' THEN true WHEN 'yes' THEN true WHEN 'y' THEN true WHEN '1' THEN true WHEN 'false' THEN false WHEN 'f' THEN false WHEN 'no' THEN false WHEN 'n' THEN false WHEN '0' THEN false END`,
  `CREATE OR REPLACE MACRO spark_try_cast_string(x) AS x`,
  // Spark's stringToDate: [+-]yyyy[-[m]m[-[d]d[( |T)anything]]]
  `CREATE OR REPLACE MACRO spark_try_cast_date(x) AS CASE WHEN regexp_full_match(spark_trim_ws(x), '([0-9]{4})(-([0-9]{1,2})(-([0-9]{1,2})([ T].*)?)?)?')
     THEN TRY_CAST(printf('%s-%02d-%02d', regexp_extract(spark_trim_ws(x), '^([0-9]{4})', 1),
       coalesce(TRY_CAST(nullif(regexp_extract(spark_trim_ws(x), '^[0-9]{4}-([0-9]{1,2})', 1), '') AS INTEGER), 1),
       coalesce(TRY_CAST(nullif(regexp_extract(spark_trim_ws(x), '^[0-9]{4}-[0-9]{1,2}-([0-9]{1,2})', 1), '') AS INTEGER), 1)) AS DATE) END`,
  // Spark's stringToTimestamp (session time zone UTC): date, then [ T]h:m[:s[.fraction]], then Z or ±hh[:mm]; fraction digits beyond 6 dropped
  `CREATE OR REPLACE MACRO spark_ts_parts(x) AS regexp_extract(spark_trim_ws(x), '^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[T ]([0-9]{1,2}):([0-9]{1,2})(?::([0-9]{1,2})(?:[.]([0-9]*))?)?)?(Z|UTC|[+-][0-9]{1,2}(?::?[0-9]{2})?)?$', ['y', 'mo', 'd', 'h', 'mi', 's', 'f', 'z'])`,
  `CREATE OR REPLACE MACRO spark_ts_from_parts(v) AS CASE WHEN v.y = '' THEN NULL ELSE
       TRY_CAST(printf('%s-%02d-%02d %02d:%02d:%02d', v.y, TRY_CAST(v.mo AS INTEGER), TRY_CAST(v.d AS INTEGER),
         coalesce(TRY_CAST(nullif(v.h, '') AS INTEGER), 0), coalesce(TRY_CAST(nullif(v.mi, '') AS INTEGER), 0), coalesce(TRY_CAST(nullif(v.s, '') AS INTEGER), 0)) AS TIMESTAMP)
       + to_microseconds(coalesce(TRY_CAST(rpad(left(nullif(v.f, ''), 6), 6, '0') AS BIGINT), 0))
       - CASE WHEN v.z IN ('', 'Z', 'UTC') THEN INTERVAL 0 MINUTES ELSE
           to_minutes(CAST((CASE WHEN left(v.z, 1) = '-' THEN -1 ELSE 1 END) * (TRY_CAST(substr(replace(v.z, ':', ''), 2, 2) AS INTEGER) * 60 + coalesce(TRY_CAST(nullif(substr(replace(v.z, ':', ''), 4, 2), '') AS INTEGER), 0)) AS BIGINT)) END
     END`,
  `CREATE OR REPLACE MACRO spark_try_cast_timestamp(x) AS spark_ts_from_parts(spark_ts_parts(x))`,
  // map_concat fails on a repeated key (spark.sql.mapKeyDedupPolicy = EXCEPTION)
  `CREATE OR REPLACE MACRO spark_map_concat(a, b) AS CASE WHEN len(list_intersect(map_keys(a), map_keys(b))) > 0 THEN error('DUPLICATED_MAP_KEY') ELSE map_concat(a, b) END`,
  // window(t, size, slide): the windows [start, start + size) holding t, start = t - (t mod slide) - k * slide
  `CREATE OR REPLACE MACRO spark_windows(t, size_us, slide_us) AS CASE WHEN t IS NULL THEN [] ELSE list_transform(
     list_filter(range(0, CAST(ceil(size_us / slide_us) AS BIGINT)), lambda k: epoch_us(CAST(t AS TIMESTAMP)) - ((epoch_us(CAST(t AS TIMESTAMP)) % slide_us) + slide_us) % slide_us - k * slide_us + size_us > epoch_us(CAST(t AS TIMESTAMP))),
     lambda k: {'start': make_timestamp(epoch_us(CAST(t AS TIMESTAMP)) - ((epoch_us(CAST(t AS TIMESTAMP)) % slide_us) + slide_us) % slide_us - k * slide_us),
                'end': make_timestamp(epoch_us(CAST(t AS TIMESTAMP)) - ((epoch_us(CAST(t AS TIMESTAMP)) % slide_us) + slide_us) % slide_us - k * slide_us + size_us)}) END`,
];

// ------------------------------------------------------------ the notebook

/** A `CREATE FLOW` statement: an append flow (`INSERT [ONCE] INTO t BY NAME query`) or an AUTO CDC flow's clauses. */
export interface FlowStatement {
  readonly target: string;
  readonly insert?: string;
  readonly cdc?: {
    readonly source: string;
    readonly keys: string[];
    readonly ignoreNull: 'all' | string[] | null;
    readonly deletes: string | null;
    readonly truncates: string | null;
    readonly sequence: string;
    readonly columns: { list: string[] } | { except: string[] } | null;
    readonly storedAs: 1 | 2;
    readonly track: { list: string[] } | { except: string[] } | null;
  };
}

export interface NotebookStatement {
  /** `declare`: a streaming table without a query (its rows come from flows); `flow`: a CREATE FLOW. */
  readonly kind: 'streaming_table' | 'materialized_view' | 'view' | 'python' | 'set' | 'declare' | 'flow';
  readonly name: string;
  readonly flow?: FlowStatement;
  readonly constraints: { name: string; expr: string; action: 'warn' | 'drop' | 'fail' }[];
  readonly query: string;
  /** For a Python placeholder cell: the file holding the flow. */
  readonly file?: string;
}

/** The statements of an exported SQL notebook, in order. */
export function parseNotebook(text: string): NotebookStatement[] {
  const cells = text.split(/\n-- COMMAND -+\n/);
  const out: NotebookStatement[] = [];
  for (const cell of cells) {
    const py = /^-- (\S+) \([^)]*\): a Python flow in (\S+?\.py)/m.exec(cell);
    if (py) { out.push({ kind: 'python', name: py[1], constraints: [], query: '', file: py[2] }); continue; }
    const body = cell.split('\n').filter((l) => !l.startsWith('--')).join('\n').trim();
    if (!body) continue;
    if (/^SET\s/i.test(body)) {
      if (!/spark\.sql\.session\.timeZone\s*=\s*UTC/i.test(body)) throw new Error(`witness: unsupported SET ${body}`);
      out.push({ kind: 'set', name: '', constraints: [], query: body });
      continue;
    }
    if (/^CREATE\s+FLOW\s/i.test(body)) { out.push(parseFlow(body)); continue; }
    const m = /^CREATE\s+(?:OR\s+REFRESH\s+)?(STREAMING\s+TABLE|MATERIALIZED\s+VIEW|TEMPORARY\s+VIEW)\s+(`[^`]+`|\w+)/i.exec(body);
    if (!m) throw new Error(`witness: unsupported statement ${body.slice(0, 80)}`);
    const ts = sparkTokens(body.replace(/;\s*$/, ''));
    // constraints in the parentheses after the name, then clauses up to AS
    let k = ts.findIndex((t) => t.t === 'id' || t.t === 'qid' ? t.v === m[2].replace(/`/g, '') : false);
    const constraints: NotebookStatement['constraints'] = [];
    k++;
    if (isOp(ts[k], '(')) {
      const c = closeOf(ts, k);
      for (const part of splitArgs(ts.slice(k + 1, c))) {
        if (!isKw(part[0], 'CONSTRAINT')) continue;
        const exprOpen = part.findIndex((t) => isOp(t, '('));
        const exprClose = closeOf(part, exprOpen);
        const tail = part.slice(exprClose + 1).map((t) => t.v.toUpperCase()).join(' ');
        constraints.push({ name: part[1].v, expr: body.slice(0, 0) + tokensText(part.slice(exprOpen + 1, exprClose)), action: /DROP ROW/.test(tail) ? 'drop' : /FAIL UPDATE/.test(tail) ? 'fail' : 'warn' });
      }
      k = c + 1;
    }
    while (k < ts.length && !isKw(ts[k], 'AS')) k++;
    const kind = /^STREAMING/i.test(m[1]) ? 'streaming_table' : /^MATERIALIZED/i.test(m[1]) ? 'materialized_view' : 'view';
    // a streaming table without AS is written by flows only
    if (k >= ts.length && kind === 'streaming_table') { out.push({ kind: 'declare', name: m[2].replace(/`/g, ''), constraints, query: '' }); continue; }
    out.push({ kind, name: m[2].replace(/`/g, ''), constraints, query: tokensText(ts.slice(k + 1)) });
  }
  return out;
}

const unquote = (t: Tok) => t.v;
/** Identifiers up to the end of a clause: `a, b` or `(a, b)`. */
function idList(ts: Tok[]): string[] {
  return ts.filter((t) => t.t === 'id' || t.t === 'qid').map(unquote);
}
/** `cols` or `* EXCEPT (cols)`. */
function columnsClause(ts: Tok[]): { list: string[] } | { except: string[] } {
  return isOp(ts[0], '*') ? { except: idList(ts.slice(2)) } : { list: idList(ts) };
}

/** A `CREATE FLOW` statement (Databricks' current syntax). */
function parseFlow(body: string): NotebookStatement {
  const ts = sparkTokens(body.replace(/;\s*$/, ''));
  const name = ts[2].v;
  if (!isKw(ts[3], 'AS')) throw new Error(`witness: CREATE FLOW ${name}: AS expected`);
  let k = 4;
  if (isKw(ts[k], 'INSERT')) {
    k++;
    if (isKw(ts[k], 'ONCE')) k++;
    if (!isKw(ts[k], 'INTO')) throw new Error(`witness: CREATE FLOW ${name}: INSERT [ONCE] INTO expected`);
    const target = ts[k + 1].v;
    if (!isKw(ts[k + 2], 'BY') || !isKw(ts[k + 3], 'NAME')) throw new Error(`witness: flow ${name}: only INSERT … BY NAME is emulated`);
    return { kind: 'flow', name, constraints: [], query: tokensText(ts.slice(k + 4)), flow: { target, insert: tokensText(ts.slice(k + 4)) } };
  }
  if (!isKw(ts[k], 'AUTO') || !isKw(ts[k + 1], 'CDC')) throw new Error(`witness: CREATE FLOW ${name}: INSERT or AUTO CDC expected`);
  k += 2;
  if (isKw(ts[k], 'ONCE')) k++;
  if (!isKw(ts[k], 'INTO')) throw new Error(`witness: CREATE FLOW ${name}: AUTO CDC [ONCE] INTO expected`);
  const target = ts[k + 1].v;
  k += 2;
  // the clauses, in their documented order
  const heads: [string, string[]][] = [['FROM', ['FROM']], ['KEYS', ['KEYS']], ['IGNORE', ['IGNORE', 'NULL', 'UPDATES']], ['DELETE', ['APPLY', 'AS', 'DELETE', 'WHEN']], ['TRUNCATE', ['APPLY', 'AS', 'TRUNCATE', 'WHEN']], ['SEQUENCE', ['SEQUENCE', 'BY']], ['COLUMNS', ['COLUMNS']], ['STORED', ['STORED', 'AS', 'SCD', 'TYPE']], ['TRACK', ['TRACK', 'HISTORY', 'ON']]];
  const clauses = new Map<string, Tok[]>();
  let cur: string | null = null;
  let depth = 0;
  while (k < ts.length) {
    if (depth === 0) {
      const h = heads.find(([, words]) => words.every((w, i) => isKw(ts[k + i], w)));
      if (h) { cur = h[0]; clauses.set(cur, []); k += h[1].length; continue; }
    }
    if (isOp(ts[k], '(')) depth++;
    if (isOp(ts[k], ')')) depth--;
    if (cur === null) throw new Error(`witness: flow ${name}: unexpected ${ts[k].v}`);
    clauses.get(cur)!.push(ts[k]);
    k++;
  }
  const from = clauses.get('FROM')!;
  if (!isKw(from[0], 'STREAM') && from.length !== 1) throw new Error(`witness: flow ${name}: FROM STREAM(x) or FROM x (ONCE) expected`);
  const ignore = clauses.get('IGNORE');
  const text = (c: string) => (clauses.has(c) ? tokensText(clauses.get(c)!) : null);
  return {
    kind: 'flow', name, constraints: [], query: '',
    flow: {
      target,
      cdc: {
        source: idList(isKw(from[0], 'STREAM') ? from.slice(1) : from)[0], keys: idList(clauses.get('KEYS')!),
        ignoreNull: ignore === undefined ? null : ignore.length === 0 ? 'all' : idList(ignore.slice(1)),
        deletes: text('DELETE'), truncates: text('TRUNCATE'), sequence: text('SEQUENCE')!,
        columns: clauses.has('COLUMNS') ? columnsClause(clauses.get('COLUMNS')!) : null,
        storedAs: clauses.has('STORED') && clauses.get('STORED')![0].v === '2' ? 2 : 1,
        track: clauses.has('TRACK') ? columnsClause(clauses.get('TRACK')!) : null,
      },
    },
  };
}

/** Spark SQL text of tokens (re-quoted). */
function tokensText(ts: Tok[]): string {
  return ts.map((t) => (t.t === 'str' ? `'${t.v.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\r/g, '\\r')}'` : t.t === 'qid' ? '`' + t.v.replace(/`/g, '``') + '`' : t.v)).join(' ');
}

// ------------------------------------------------------------ the Python flows

type PyVal = { k: 'str'; v: string } | { k: 'list'; v: PyVal[] } | { k: 'chain'; head: string[]; calls: { name: string; args: PyVal[]; kw: Record<string, PyVal> }[] } | { k: 'other'; v: string };

function pyTokens(src: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '#') { while (i < src.length && src[i] !== '\n') i++; continue; }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      out.push(src.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) { out.push(id[0]); i += id[0].length; continue; }
    out.push(c);
    i++;
  }
  return out;
}

function pyString(tok: string): string {
  if (tok.startsWith('"')) return JSON.parse(tok) as string;
  return tok.slice(1, -1).replace(/\\(.)/g, (_, x: string) => (x === 'n' ? '\n' : x === 't' ? '\t' : x));
}

class PyParser {
  k = 0;
  constructor(private readonly ts: string[]) {}
  value(): PyVal {
    const t = this.ts[this.k];
    if (t.startsWith('"') || t.startsWith("'")) { this.k++; return { k: 'str', v: pyString(t) }; }
    if (t === '[') {
      this.k++;
      const items: PyVal[] = [];
      while (this.ts[this.k] !== ']') { items.push(this.value()); if (this.ts[this.k] === ',') this.k++; }
      this.k++;
      return { k: 'list', v: items };
    }
    if (t === '(') { this.k++; const v = this.value(); this.k++; return v; }
    // a chain: name(.name)* with calls
    const head: string[] = [this.ts[this.k++]];
    const calls: { name: string; args: PyVal[]; kw: Record<string, PyVal> }[] = [];
    for (;;) {
      if (this.ts[this.k] === '.' && this.ts[this.k + 2] === '(') {
        const name = this.ts[this.k + 1];
        this.k += 3;
        const args: PyVal[] = [];
        const kw: Record<string, PyVal> = {};
        while (this.ts[this.k] !== ')') {
          if (/^[A-Za-z_]/.test(this.ts[this.k]) && this.ts[this.k + 1] === '=') { const key = this.ts[this.k]; this.k += 2; kw[key] = this.value(); }
          else args.push(this.value());
          if (this.ts[this.k] === ',') this.k++;
        }
        this.k++;
        calls.push({ name, args, kw });
      } else if (this.ts[this.k] === '.') {
        if (calls.length) throw new Error('witness: attribute after a call');
        head.push(this.ts[this.k + 1]);
        this.k += 2;
      } else break;
    }
    return { k: 'chain', head, calls };
  }
}

export interface PythonFlow { name: string; kind: 'table' | 'materialized_view' | 'temporary_view'; expectations: { name: string; expr: string; action: 'warn' | 'drop' | 'fail' }[]; chain: PyVal }

/** The flows of a pipeline Python file (`@dp.table` … `def f(): return (chain)`). */
export function parsePythonFlows(src: string): PythonFlow[] {
  const out: PythonFlow[] = [];
  const re = /@dp\.(table|materialized_view|temporary_view)\(([\s\S]*?)\n\)\n((?:@dp\.expect\w*\(.*\)\n)*)def \w+\(\) -> DataFrame:\n(?:\s*"""[\s\S]*?"""\n)?\s*return ([\s\S]*?)(?=\n\n\n|\n*$)/g;
  for (const m of src.matchAll(re)) {
    const name = /name="([^"]+)"/.exec(m[2])![1];
    const expectations = [...m[3].matchAll(/@dp\.(expect|expect_or_drop|expect_or_fail)\(("(?:[^"\\]|\\.)*"), ("(?:[^"\\]|\\.)*")\)/g)].map((e) => ({
      name: JSON.parse(e[2]) as string, expr: JSON.parse(e[3]) as string, action: (e[1] === 'expect' ? 'warn' : e[1] === 'expect_or_drop' ? 'drop' : 'fail') as 'warn' | 'drop' | 'fail',
    }));
    if (/^\s*def |^\s*\w+ = /m.test(m[4])) throw new Error(`witness: unsupported Python setup in ${name}`);
    out.push({ name, kind: m[1] as PythonFlow['kind'], expectations, chain: new PyParser(pyTokens(m[4])).value() });
  }
  return out;
}

// ------------------------------------------------------------ running

export interface WitnessOptions {
  /** The folder `${source_path}` stands for. */
  readonly sourcePath: string;
}

/** Runs the notebook (and the Python files it names) in `db`; tables and views get the datasets' names. */
export async function runDatabricksWitness(db: Duck, files: Record<string, string>, notebook: string, o: WitnessOptions): Promise<{ order: string[] }> {
  for (const m of SPARK_MACROS) await db.run(m);
  let n = 0;
  const pending: { table: string; rows: string[]; cols: string[] }[] = [];
  const env: TranslateEnv = {
    readFiles: (opts, pathArg) => {
      const table = `__read_files_${++n}`;
      if ((opts.get('format') ?? 'csv') !== 'csv') throw new Error('witness: read_files format');
      if (opts.get('multiLine') !== 'true') throw new Error('witness: only multiLine reads are emulated');
      const mode = opts.get('mode') ?? 'PERMISSIVE';
      if (mode !== 'PERMISSIVE') throw new Error('witness: mode');
      const unq = (v: string | undefined) => v;
      const schema = (unq(opts.get('schema')) ?? '').split(',').map((x) => x.trim().split(/\s+/)[0].replace(/`/g, ''));
      const rescue = unq(opts.get('rescuedDataColumn'));
      const full = pathArg.replace('${source_path}', o.sourcePath);
      const dir = path.dirname(full);
      const glob = new RegExp('^' + path.basename(full).replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
      // Spark's file listing leaves out names starting with _ or .
      const names = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => glob.test(f) && !/^[_.]/.test(f)).sort() : [];
      const rows: string[] = [];
      for (const f of names) {
        const filePath = 'file:' + path.resolve(dir, f);
        const read = autoLoaderRows(fs.readFileSync(path.join(dir, f), 'utf8'), {
          quote: unq(opts.get('quote')) ?? '"', escape: unq(opts.get('escape')) ?? '\\',
          lineSep: unq(opts.get('lineSep')) ?? null,
          ignoreLeadingWhiteSpace: opts.get('ignoreLeadingWhiteSpace') === 'true',
          ignoreTrailingWhiteSpace: opts.get('ignoreTrailingWhiteSpace') === 'true',
          header: opts.get('header') === 'true', schema, caseSensitive: opts.get('readerCaseSensitive') !== 'false', rescue: rescue !== undefined, filePath,
        });
        const lit = (v: string | null) => (v === null ? 'NULL' : duckStr(v));
        for (const r of read.rows) rows.push(`(${[...r.values.map(lit), ...(rescue ? [lit(r.rescued)] : []), `{'file_name': ${duckStr(f)}, 'file_path': ${duckStr(filePath)}}`].join(', ')})`);
      }
      pending.push({ table, rows, cols: [...schema.map((c) => `${duckId(c)} VARCHAR`), ...(rescue ? [`${duckId(rescue)} VARCHAR`] : []), `_metadata STRUCT(file_name VARCHAR, file_path VARCHAR)`] });
      return table;
    },
  };
  const flush = async () => {
    for (const p of pending.splice(0)) {
      await db.run(`CREATE TABLE ${p.table} (${p.cols.join(', ')})`);
      for (let i = 0; i < p.rows.length; i += 500) await db.run(`INSERT INTO ${p.table} VALUES ${p.rows.slice(i, i + 500).join(',\n')}`);
    }
  };
  const order: string[] = [];
  const create = async (name: string, kind: 'table' | 'view', query: string, constraints: { name: string; sql: string; action: string }[]) => {
    const drops = constraints.filter((c) => c.action === 'drop');
    const where = drops.length ? ` WHERE ${drops.map((c) => `coalesce((${c.sql}), false)`).join(' AND ')}` : '';
    await flush();
    await db.run(`CREATE ${kind === 'view' ? 'VIEW' : 'TABLE'} ${duckId(name)} AS SELECT * FROM (\n${query}\n) AS __q${where}`);
    for (const c of constraints.filter((x) => x.action === 'fail')) {
      const bad = await db.all(`SELECT count(*) AS n FROM ${duckId(name)} WHERE NOT coalesce((${c.sql}), false)`);
      if (Number(bad[0].n) > 0) throw new Error(`EXPECTATION_FAILED: ${c.name} on ${name}`);
    }
    order.push(name);
  };
  // tables written by flows: their constraints, and whether a flow created them yet
  const declared = new Map<string, { constraints: { name: string; sql: string; action: string }[]; created: boolean }>();
  for (const st of parseNotebook(notebook)) {
    if (st.kind === 'set') continue;
    if (st.kind === 'declare') {
      const tr = new Translator(env);
      declared.set(st.name, { constraints: st.constraints.map((c) => ({ name: c.name, sql: tr.query(c.expr), action: c.action })), created: false });
      continue;
    }
    if (st.kind === 'flow') {
      const f = st.flow!;
      const d = declared.get(f.target);
      if (!d) throw new Error(`witness: flow ${st.name} writes ${f.target}, which is not declared`);
      const tr = new Translator(env);
      if (f.insert !== undefined) {
        // append flows: the first creates the table, the others insert by name; the table's drop constraints filter every flow
        const q = tr.query(f.insert);
        if (!d.created) { await create(f.target, 'table', q, d.constraints); d.created = true; continue; }
        const drops = d.constraints.filter((c) => c.action === 'drop');
        await flush();
        await db.run(`INSERT INTO ${duckId(f.target)} BY NAME SELECT * FROM (\n${q}\n) AS __q${drops.length ? ` WHERE ${drops.map((c) => `coalesce((${c.sql}), false)`).join(' AND ')}` : ''}`);
        continue;
      }
      // AUTO CDC: Databricks' semantics over every event of the feed at once (window functions)
      const c = f.cdc!;
      await flush();
      const feedCols = Object.keys(await db.describe(`SELECT * FROM ${duckId(c.source)}`));
      const pick = (x: { list: string[] } | { except: string[] } | null, all: string[]) => (x === null ? all : 'list' in x ? all.filter((n) => x.list.includes(n)) : all.filter((n) => !x.except.includes(n)));
      const columns = pick(c.columns, feedCols);
      const nonKey = columns.filter((n) => !c.keys.includes(n));
      const out = [...columns, ...(c.storedAs === 2 ? ['__START_AT', '__END_AT'] : [])];
      const sql = cdcWindowQuery(duckdb, out, {
        keys: c.keys, columns, storedAs: c.storedAs,
        tracked: c.storedAs === 2 ? pick(c.track, nonKey) : [],
        ignoreNull: c.ignoreNull === null ? [] : c.ignoreNull === 'all' ? nonKey : nonKey.filter((n) => (c.ignoreNull as string[]).includes(n)),
        sequence: tr.query(c.sequence), deletes: c.deletes === null ? null : tr.query(c.deletes), truncates: c.truncates === null ? null : tr.query(c.truncates),
        drops: d.constraints.filter((x) => x.action === 'drop').map((x) => x.sql),
      }, `SELECT * FROM ${duckId(c.source)}`);
      await create(f.target, 'table', sql, d.constraints.filter((x) => x.action !== 'drop'));
      d.created = true;
      continue;
    }
    if (st.kind === 'python') {
      const flow = parsePythonFlows(files[st.file!]).find((f) => f.name === st.name);
      if (!flow) throw new Error(`witness: no flow ${st.name} in ${st.file}`);
      const tr = new Translator(env);
      const sql = chainSql(flow.chain, tr);
      await create(flow.name, flow.kind === 'temporary_view' ? 'view' : 'table', sql, flow.expectations.map((e) => ({ name: e.name, sql: tr.query(e.expr), action: e.action })));
      continue;
    }
    const tr = new Translator(env);
    const q = tr.query(st.query);
    await create(st.name, st.kind === 'view' ? 'view' : 'table', q, st.constraints.map((c) => ({ name: c.name, sql: tr.query(c.expr), action: c.action })));
  }
  return { order };
}

/** A PySpark chain as a DuckDB query. */
function chainSql(v: PyVal, tr: Translator): string {
  if (v.k !== 'chain') throw new Error('witness: expected a DataFrame chain');
  const [root, ...attrs] = v.head;
  let sql: string;
  let alias: string | null = null;
  let calls = v.calls;
  if (root === 'spark' && (attrs[0] === 'readStream' || attrs[0] === 'read') && calls[0]?.name === 'table') {
    sql = `SELECT * FROM ${duckId((calls[0].args[0] as { v: string }).v)}`;
    calls = calls.slice(1);
  } else throw new Error(`witness: unsupported source ${v.head.join('.')}`);
  let joined: string | null = null;
  const from = () => joined ?? `(${sql}) AS ${alias ?? '__t'}`;
  for (const c of calls) {
    const str = (i: number) => (c.args[i] as { v: string }).v;
    switch (c.name) {
      case 'alias': alias = str(0); break;
      case 'dropDuplicates': {
        const keys = (c.args[0] as { v: PyVal[] }).v.map((x) => duckId((x as { v: string }).v));
        // Spark keeps one row per key, which one is not specified: an arbitrary one (a hash of the row), not the engine's first
        sql = `SELECT * EXCLUDE (__rn) FROM (SELECT __d.*, row_number() OVER (PARTITION BY ${keys.join(', ')} ORDER BY hash(CAST(to_json(__d) AS VARCHAR))) AS __rn FROM (${sql}) AS __d) WHERE __rn = 1`;
        alias = null;
        break;
      }
      case 'join': {
        const right = c.args[0] as Extract<PyVal, { k: 'chain' }>;
        const rAlias = right.calls.find((x) => x.name === 'alias');
        const rightSql = chainSql({ ...right, calls: right.calls.filter((x) => x.name !== 'alias') }, tr);
        const cond = c.args[1] as Extract<PyVal, { k: 'chain' }>;
        const on = tr.query((cond.calls[0].args[0] as { v: string }).v);
        const how = (c.args[2] as { v: string } | undefined)?.v ?? 'inner';
        joined = `(${sql}) AS ${alias} ${how === 'left' ? 'LEFT' : 'INNER'} JOIN (${rightSql}) AS ${(rAlias!.args[0] as { v: string }).v} ON ${on}`;
        break;
      }
      case 'selectExpr':
        sql = `SELECT ${c.args.map((x) => tr.query((x as { v: string }).v)).join(', ')} FROM ${from()}`;
        joined = null; alias = null;
        break;
      case 'where': case 'filter':
        sql = `SELECT * FROM ${from()} WHERE ${tr.query(str(0))}`;
        joined = null; alias = null;
        break;
      case 'withColumn': {
        const e = c.args[1] as Extract<PyVal, { k: 'chain' }>;
        sql = `SELECT *, ${tr.query((e.calls[0].args[0] as { v: string }).v)} AS ${duckId(str(0))} FROM ${from()}`;
        joined = null; alias = null;
        break;
      }
      default: throw new Error(`witness: unsupported DataFrame call .${c.name}`);
    }
  }
  if (joined) throw new Error('witness: a join must be followed by selectExpr');
  return sql;
}
