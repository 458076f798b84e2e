/**
 * DuckDB: the whole pipeline as one batch SQL script over the CSV files, one
 * `CREATE OR REPLACE TABLE <dataset>` per dataset (views stay views). It is the
 * executable witness of the equivalence tests and a way to inspect a
 * pipeline's logic with any SQL tool.
 *
 * CSV sources are read raw (`read_csv(..., header = false, all columns
 * VARCHAR, null_padding)`) and the engine's bronze rules are applied in SQL:
 * blank lines skipped, the header of each file matched by name
 * case-insensitively, spaces/tabs trimmed, null markers, try-casts with the
 * engine's rules, `_rescued_data` built field by field in file order (failed
 * conversions, unknown columns by header name, extra fields as `_c<index>`).
 */
import type { CsvOptions } from '../ir/plan.js';
import * as path from 'node:path';
import { typeInfo, type DataType } from '../ir/types.js';
import type { CsvSourceContext, Dialect, PackagedFiles } from './dialect.js';
import { quoteIdentWith } from './dialect.js';
import { parseText } from './expr.js';
import type { CompiledPipeline } from './compiler.js';
import { renderQuery, select, type FromSql, type QuerySql, type SelectItem } from './sql-ast.js';
import { reportMarkdown } from './report.js';
import { duckdbFilesSource } from './files-source.js';

/** DuckDB's spelling of a type. */
export function duckTypeName(t: DataType): string {
  const i = typeInfo(t);
  switch (i.kind) {
    case 'string': return 'VARCHAR';
    case 'int': return 'INTEGER';
    case 'long': return 'BIGINT';
    case 'double': return 'DOUBLE';
    case 'boolean': return 'BOOLEAN';
    case 'date': return 'DATE';
    case 'timestamp': return 'TIMESTAMP';
    case 'interval day to second': case 'interval year to month': return 'INTERVAL';
    case 'decimal': return `DECIMAL(${i.precision}, ${i.scale})`;
    case 'array': return `${duckTypeName(i.element)}[]`;
    case 'map': return `MAP(${duckTypeName(i.key)}, ${duckTypeName(i.value)})`;
    case 'struct': return `STRUCT(${i.fields.map((f) => `${ident(f.name)} ${duckTypeName(f.type)}`).join(', ')})`;
  }
}

const str = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ident = (n: string) => quoteIdentWith(n, '"');

/** Raw fields read per record beyond the declared columns (more are ignored by DuckDB's reader). */
export const EXTRA_FIELDS = 8;
const BLANK = `' ' || chr(9)`;

/** The path written into the script for an input file or folder. */
function sqlPath(p: string): string {
  if (!path.isAbsolute(p)) return p.split(path.sep).join('/');
  const rel = path.relative(process.cwd(), p);
  return !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : p.split(path.sep).join('/');
}

function joinPath(dir: string, file: string): string {
  return dir.endsWith('/') ? dir + file : `${dir}/${file}`;
}

/** The files matching a glob, without the names the engine never reads, in byte order. */
function fileListSql(pattern: string): string {
  return `(SELECT coalesce(list(file ORDER BY file), []) FROM glob(${str(pattern)})\n    WHERE NOT (parse_filename(file) LIKE '.%' OR file LIKE '%.tmp' OR file LIKE '%.partial' OR file LIKE '%~'))`;
}

function csvSourceDuck(o: CsvOptions, ctx: CsvSourceContext): { query: QuerySql; preamble: string[] } {
  const d = duckdb;
  const nc = o.schema.length;
  const n = nc + EXTRA_FIELDS;
  const variable = ctx.unique(`${ctx.table}_files`);
  const pattern = joinPath(sqlPath(ctx.input), o.glob);
  const lists = [fileListSql(pattern), ...o.fallbackPaths.map((p) => `(SELECT coalesce(list(file), []) FROM glob(${str(sqlPath(p))}))`)];
  const listSql = lists.length === 1 ? lists[0]
    : `(SELECT CASE ${lists.slice(0, -1).map((_, i) => `WHEN len(f${i}) > 0 THEN f${i}`).join(' ')} ELSE f${lists.length - 1} END\n  FROM (SELECT ${lists.map((l, i) => `${l} AS f${i}`).join(',\n    ')}))`;
  const preamble = [
    `-- the files of ${ctx.table}: ${o.glob} in the input folder${o.fallbackPaths.length ? ' (else its fallback copy)' : ''}, in byte order of their names`,
    `SET VARIABLE ${variable} = ${listSql};`,
  ];
  const cols = Array.from({ length: n }, (_, i) => `c${i}`);
  const scan = `SELECT filename, [${cols.join(', ')}] AS _f FROM read_csv(getvariable(${str(variable)}), header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', null_padding = true, strict_mode = false, filename = true, columns = {${cols.map((c) => `${str(c)}: 'VARCHAR'`).join(', ')}})`;
  const empty = `SELECT NULL::VARCHAR AS filename, NULL::VARCHAR[] AS _f WHERE false`;
  const from: FromSql = { kind: 'text', sql: `query(CASE WHEN len(getvariable(${str(variable)})) = 0\n  THEN ${str(empty)}\n  ELSE ${str(scan)} END)` };
  const sub = (q: QuerySql, alias: string): FromSql => ({ kind: 'sub', query: q, alias });
  const it = (sql: string, alias: string | null = null): SelectItem => ({ sql, alias });
  // 1. records, in file then reading order
  let q: QuerySql = select([it('filename', '_file'), it('row_number() OVER ()', '_rec'), it('_f')], from);
  // 2. the record's number within its file; fields trimmed of spaces and tabs; blank lines flagged
  q = select([
    it('_file'), it('row_number() OVER (PARTITION BY _file ORDER BY _rec)', '_line'),
    it(`list_transform(_f, lambda x: trim(x, ${BLANK}))`, '_t'),
    it(`_f[1] IS NOT NULL AND trim(_f[1], ${BLANK}) = '' AND len(list_filter(_f[2:], lambda x: x IS NOT NULL)) = 0`, '_blank'),
  ], sub(q, 'records'));
  // 3. blank lines skipped; the first remaining record of a file is its header
  q = select([it('_file'), it('_line'), it('_t'), ...(o.header ? [it('first_value(_t) OVER (PARTITION BY _file ORDER BY _line)', '_h'), it('row_number() OVER (PARTITION BY _file ORDER BY _line)', '_n')] : [])], sub(q, 'lines'), { where: ['NOT _blank'] });
  // 4. null markers; where each declared column is (header names matched case-insensitively)
  const markers = [...new Set(['', ...o.nullMarkers.map((m) => m.toLowerCase())])].map(str).join(', ');
  const pos = (f: { name: string }) => `_p_${f.name}`;
  q = select([
    it('_file'), it('_line'),
    it(o.header ? '_h' : 'CAST(NULL AS VARCHAR[])', '_h'),
    it(`list_transform(_t, lambda x: CASE WHEN lower(x) IN (${markers}) THEN NULL ELSE x END)`, '_v'),
    ...o.schema.map((f, j) => it(o.header ? `list_position(list_transform(_h, lambda x: lower(x)), ${str(f.name.toLowerCase())})` : String(j + 1), pos(f))),
  ], sub(q, 'records'), { where: o.header ? ['_n > 1'] : [] });
  const carry = [it('_file'), it('_line'), it('_h'), it('_v'), ...o.schema.map((f) => it(ident(pos(f))))];
  // 5. the text of each declared column
  q = select([...o.schema.map((f) => it(`_v[${ident(pos(f))}]`, f.name)), ...carry], sub(q, 'fields'));
  // 6. typed values with the engine's rules (the text is kept for _rescued_data)
  const typed = o.schema.filter((f) => f.type !== 'string');
  q = select([
    ...o.schema.map((f) => (f.type === 'string' ? it(ident(f.name)) : it(parseText(d, ident(f.name), f.type, 'bronze'), f.name))),
    ...typed.map((f) => it(ident(f.name), `_text_${f.name}`)),
    ...carry,
  ], sub(q, 'texts'));
  if (!o.metadataColumns) return { query: select(o.schema.map((f) => it(ident(f.name))), sub(q, 'typed')), preamble };
  // 7. the rescued entries in field order: failed conversions under the column name, other fields under their header name or _c<index>
  const keyCase = `CASE ${o.schema.map((f) => `WHEN i = ${ident(pos(f))} THEN ${str(f.name)}`).join(' ')} ELSE coalesce(nullif(_h[i], ''), '_c' || (i - 1)) END`;
  const valCase = `CASE ${o.schema.map((f) => `WHEN i = ${ident(pos(f))} THEN ${f.type === 'string' ? 'NULL' : `CASE WHEN ${ident(f.name)} IS NULL THEN ${ident(`_text_${f.name}`)} END`}`).join(' ')} ELSE _v[i] END`;
  q = select([
    ...o.schema.map((f) => it(ident(f.name))), it('_file'), it('_line'),
    it(`list_filter(list_transform(range(1, ${n + 1}), lambda i: {'i': i, 'k': ${keyCase}, 'v': ${valCase}}), lambda e: e.v IS NOT NULL)`, '_e'),
  ], sub(q, 'typed'));
  // 8. _rescued_data as a JSON object (a key already used in the row goes under _c<index>), and the metadata columns
  const key = `CASE WHEN list_contains(list_transform(_e[1:p - 1], lambda e: e.k), _e[p].k) THEN '_c' || (_e[p].i - 1) ELSE _e[p].k END`;
  q = select([
    ...o.schema.map((f) => it(ident(f.name))),
    it(`CASE WHEN len(_e) > 0 THEN '{' || array_to_string(list_transform(range(1, len(_e) + 1), lambda p: to_json(${key}) || ':' || to_json(_e[p].v)), ',') || '}' END`, '_rescued_data'),
    it('parse_filename(_file)', '_source_file'),
    it('_line'),
    it(d.currentTimestamp(), '_ingested_at'),
  ], sub(q, 'rescued'));
  return { query: q, preamble };
}

export const duckdb: Dialect = {
  name: 'duckdb',
  title: 'DuckDB',
  ident,
  str,
  typeName: (t) => duckTypeName(t),
  doubleLit: (v) => (Number.isNaN(v) ? `CAST('NaN' AS DOUBLE)` : !Number.isFinite(v) ? `CAST('${v > 0 ? '' : '-'}Infinity' AS DOUBLE)` : `CAST(${String(v)} AS DOUBLE)`),
  array: (items) => `[${items.join(', ')}]`,
  arrayCompact: (arr) => `list_filter(${arr}, lambda x: x IS NOT NULL)`,
  tryCast: (e, t) => `TRY_CAST(${e} AS ${duckTypeName(t)})`,
  regexFull: (e, re) => `regexp_full_match(${e}, ${str(re)})`,
  regexReplaceAll: (e, re, rep) => `regexp_replace(${e}, ${str(re)}, ${str(rep)}, 'g')`,
  backref: (n) => `\\${n}`,
  trimBlank: (e) => `trim(${e}, ${BLANK})`,
  trimSpaces: (e) => `trim(${e})`,
  length: (e) => `CAST(length(${e}) AS INTEGER)`,
  divide: (a, b) => `${a} / nullif(${b}, 0)`,
  modulo: (a, b) => `${a} % ${b}`,
  intDivide: (a, b) => `CAST(trunc(${a} / nullif(${b}, 0)) AS BIGINT)`,
  numericCast: (e, from, to) => (to === 'double' ? `CAST(${e} AS DOUBLE)` : from === 'double' ? `TRY_CAST(trunc(${e}) AS ${duckTypeName(to)})` : to === 'long' ? `CAST(${e} AS BIGINT)` : `TRY_CAST(${e} AS ${duckTypeName(to)})`),
  sum: (arg, t, over = '') => (t === 'double' ? `sum(${arg})${over}` : `CAST(sum(${arg})${over} AS BIGINT)`),
  currentTimestamp: () => 'CAST(current_timestamp AS TIMESTAMP)',
  timestampFromText: (e) => `CAST(TRY_CAST(regexp_replace(upper(${e}), '^(.{10})[T ]([0-9]{2}:[0-9]{2})([Z+-]|$)', '\\1 \\2:00\\3') AS TIMESTAMPTZ) AS TIMESTAMP)`,
  tableRef: (name) => ident(name),
  // DuckDB's INTERVAL n UNIT takes a non-negative 32-bit n
  interval: (us) => (us >= 0 && us <= 2147483647 ? `INTERVAL ${us} MICROSECONDS` : `to_microseconds(CAST(${us} AS BIGINT))`),

  expectations: { warn: 'comment', drop: 'filter', fail: 'check' },
  windows: 'epoch',
  watermark: 'batch',
  dedupInPython: false,
  csvInPython: false,
  appendFlows: 'union',
  onceFlows: true,
  autoCdc: 'window',

  filesSource(o, ctx) {
    return duckdbFilesSource(this, o, ctx);
  },

  csvSource(o, ctx) {
    if (o.metadataColumns) {
      ctx.report({ table: ctx.table, code: 'LINE_NUMBER', treatment: 'approximated', detail: '_line is the number of the record in its file counting the header and lines of spaces (DuckDB\'s reader gives no physical line): it equals the physical line only in a file without empty lines and without line breaks inside quotes.', columns: ['_line'] });
      ctx.report({ table: ctx.table, code: 'INGESTED_AT', treatment: 'approximated', detail: '_ingested_at is the time the script runs (current_timestamp), not the engine\'s batch time.', columns: ['_ingested_at'] });
      ctx.report({ table: ctx.table, code: 'CORRUPT_RECORD', treatment: 'not-reproduced', rows: true, condition: 'a file ends inside a quoted field (a quote left open)', detail: 'a quote left open at the end of a file is not turned into a row of NULLs with {"_corrupt_record": …}: DuckDB reads the rest of the file as one field.' });
      ctx.report({ table: ctx.table, code: 'RESCUED_FIELD_LIMIT', treatment: 'approximated', columns: ['_rescued_data'], condition: `a record has more than ${o.schema.length + EXTRA_FIELDS} fields`, detail: `records are read as the ${o.schema.length} declared columns plus ${EXTRA_FIELDS} more fields: fields beyond those are ignored, not rescued as _c<index>.` });
    }
    ctx.report({ table: ctx.table, code: 'CSV_QUOTE_EDGE_CASES', treatment: 'approximated', rows: true, condition: 'a quote follows leading spaces, text follows a closing quote, or a line holds only a quoted blank value', detail: 'a quote after leading spaces (`,  "x"`) is text to DuckDB, and text after a closing quote (`"a"b`) is dropped; the engine unquotes the first and appends the second. A line holding only a quoted blank value is skipped as blank.' });
    ctx.report({ table: ctx.table, code: 'FILE_ORDER', treatment: 'approximated', detail: 'records are numbered in the order DuckDB reads them: run the script with preserve_insertion_order (the default) so that it is file order, then line order.' });
    return csvSourceDuck(o, ctx);
  },

  package(c: CompiledPipeline): PackagedFiles {
    const name = c.pipeline.name;
    const file = `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.sql`;
    const out: string[] = [
      `-- Pipeline "${name}", compiled by localdlt for DuckDB: one batch over the CSV files in ${c.input}.`,
      '-- Every dataset becomes a table of the same name (views stay views); rows dropped by expectations',
      '-- are filtered out, a failed "fail" expectation stops the script, quarantines are tables.',
      `-- Run (DuckDB 1.1+): duckdb pipeline.duckdb -c ".read ${file}"   (differences from the engine: portability.md)`,
      "SET TimeZone = 'UTC';",
      'BEGIN TRANSACTION;',
    ];
    for (const u of c.datasets) {
      out.push('', `-- ${'-'.repeat(60)} ${u.name} (${u.kind.replace('_', ' ')}${u.quarantineOf ? `, quarantine of ${u.quarantineOf}` : ''})`);
      if (u.error) { out.push(...[`-- NOT COMPILED: ${u.error.code}: ${u.error.message.split('\n')[0]}`, `-- ${JSON.stringify(u.error.params)}`]); continue; }
      for (const n of u.notes) out.push(`-- ${n}`);
      out.push(...u.preamble);
      const kw = u.kind === 'view' ? 'CREATE OR REPLACE VIEW' : 'CREATE OR REPLACE TABLE';
      out.push(`${kw} ${ident(u.name)} AS`, `${u.query ? renderQuery(u.query, ident) : u.sql!};`);
      if (u.comment) out.push(`COMMENT ON ${u.kind === 'view' ? 'VIEW' : 'TABLE'} ${ident(u.name)} IS ${str(u.comment)};`);
      for (const chk of u.checks) out.push(`-- fail expectations of ${u.name}: the script stops here when a row violates one`, `${chk};`);
    }
    out.push('', 'COMMIT;', '');
    const files: Record<string, string> = { [file]: out.join('\n') };
    files['portability.md'] = reportMarkdown(c.report, { pipeline: name, dialect: 'duckdb', title: 'DuckDB' });
    return { files, main: [file] };
  },
};
