/**
 * SQL for the option-driven file source (`read_files`, `cloud_files`,
 * `readFiles`), per target:
 *
 * - Databricks: `[STREAM] read_files('${source_path}/<glob>', format => …,
 *   <the reader options>, schema => '<the resolved columns>',
 *   rescuedDataColumn => …)` with `_metadata` selected (it is hidden there).
 *   The resolved (inferred or declared) schema is written out, so that the
 *   columns and types are the ones the engine fixed.
 * - Spark 4.1: no `read_files` in open-source Spark SQL, so the flow is a
 *   PySpark reader (`spark.read[Stream].format("csv"|"json").option(…)
 *   .schema(…)`); Spark has no rescued data column (reported).
 * - DuckDB: `read_csv` / `read_json` with the options that map exactly
 *   (delimiter, quote, escape, header, nullstr); every column is read as
 *   VARCHAR and converted with Spark's rules in SQL, the rescued data column
 *   holds the failed conversions; what DuckDB cannot do is in the
 *   portability report.
 */
import * as path from 'node:path';
import type { FileSourceOptions } from '../ir/plan.js';
import { FILE_METADATA_COLUMN } from '../ir/plan.js';
import { typeInfo, type DataType } from '../ir/types.js';
import type { CsvSourceContext, CsvSourceSql, Dialect, PythonCsvReader } from './dialect.js';
import { quoteIdentWith } from './dialect.js';
import { parseText } from './expr.js';
import { select, type FromSql, type QuerySql, type SelectItem } from './sql-ast.js';
import { sparkOptionLiteral, sparkSpellings, sparkString } from './spark-common.js';
import { py } from './python.js';

/** The reader options written for Spark and Databricks (Spark's names), defaults left out. */
export function sparkReaderOptions(o: FileSourceOptions): [string, string][] {
  const r = o.reader;
  const out: [string, string][] = [];
  if (o.format === 'csv') {
    out.push(['header', String(r.header)]);
    if (r.sep !== ',') out.push(['sep', r.sep]);
    if (r.quote !== '"') out.push(['quote', r.quote]);
    if (r.escape !== '\\') out.push(['escape', r.escape]);
    if (r.charToEscapeQuoteEscaping !== r.escape) out.push(['charToEscapeQuoteEscaping', r.charToEscapeQuoteEscaping]);
    if (r.comment !== '') out.push(['comment', r.comment]);
    if (r.nullValue !== '') out.push(['nullValue', r.nullValue]);
    if (r.emptyValue !== '') out.push(['emptyValue', r.emptyValue]);
    if (r.ignoreLeadingWhiteSpace) out.push(['ignoreLeadingWhiteSpace', 'true']);
    if (r.ignoreTrailingWhiteSpace) out.push(['ignoreTrailingWhiteSpace', 'true']);
  }
  if (r.multiLine) out.push(['multiLine', 'true']);
  if (r.lineSep !== undefined) out.push(['lineSep', r.lineSep]);
  if (r.mode !== 'PERMISSIVE') out.push(['mode', r.mode]);
  if (r.dateFormat !== null) out.push(['dateFormat', r.dateFormat]);
  if (r.timestampFormat !== null) out.push(['timestampFormat', r.timestampFormat]);
  if (r.timeZone !== undefined) out.push(['timeZone', r.timeZone]);
  if (r.pathGlobFilter !== null) out.push(['pathGlobFilter', r.pathGlobFilter]);
  if (!r.readerCaseSensitive) out.push(['readerCaseSensitive', 'false']);
  return out;
}

function schemaDdl(o: FileSourceOptions): string {
  return o.schema.map((f) => `${sparkSpellings.ident(f.name)} ${sparkSpellings.typeName(f.type)}`).join(', ');
}

const isBool = (v: string) => v === 'true' || v === 'false';

/** Databricks: `read_files(…)` with every column of the engine's source. */
export function databricksFilesSource(o: FileSourceOptions, ctx: CsvSourceContext, sourcePathKey: string): CsvSourceSql {
  const args = [
    sparkString(`\${${sourcePathKey}}/${o.glob}`),
    `format => '${o.format}'`,
    ...sparkReaderOptions(o).map(([k, v]) => `${k} => ${isBool(v) ? v : sparkOptionLiteral(v)}`),
    `schema => ${sparkString(schemaDdl(o))}`,
  ];
  if (o.reader.rescuedDataColumn !== null) args.push(`rescuedDataColumn => ${sparkString(o.reader.rescuedDataColumn)}`);
  if (ctx.streaming) {
    if (o.maxFilesPerTrigger !== 1000) args.push(`maxFilesPerTrigger => ${o.maxFilesPerTrigger}`);
    if (!o.includeExistingFiles) args.push('includeExistingFiles => false');
    if (o.allowOverwrites) args.push('allowOverwrites => true');
  }
  if (!o.declared) {
    ctx.report({ table: ctx.table, code: 'SCHEMA_FIXED', treatment: 'lowered', detail: `the columns the engine inferred from the first file (${schemaDdl(o)}) are written as read_files' schema, so Databricks reads the same columns and types.` });
  }
  const ident = (n: string) => quoteIdentWith(n, '`');
  const from: FromSql = { kind: 'text', sql: `${ctx.streaming ? 'STREAM ' : ''}read_files(\n  ${args.join(',\n  ')}\n)` };
  const items: SelectItem[] = [{ sql: '*', alias: null }];
  if (o.fileMetadata) items.push({ sql: ident(FILE_METADATA_COLUMN), alias: null });
  return { query: select(items, from) };
}

/** Spark 4.1: a PySpark reader (no read_files in open-source Spark SQL). */
export function sparkFilesReader(o: FileSourceOptions, ctx: CsvSourceContext): PythonCsvReader {
  if (o.reader.rescuedDataColumn !== null) {
    ctx.report({ table: ctx.table, code: 'RESCUED_DATA', treatment: 'not-reproduced', columns: [o.reader.rescuedDataColumn], detail: `Spark's ${o.format} reader has no rescued data column: ${o.reader.rescuedDataColumn} is NULL, and values that do not convert are NULL (mode ${o.reader.mode}).` });
  }
  if (o.format === 'csv' && o.reader.header) {
    ctx.report({ table: ctx.table, code: 'HEADER_BY_POSITION', treatment: 'not-reproduced', columns: o.schema.map((f) => f.name), condition: "a file's header has another order or other names than the schema", detail: "Spark's CSV reader maps columns by position (enforceSchema); Auto Loader and the engine match header names." });
  }
  const calls = sparkReaderOptions(o).map(([k, v]) => `.option(${py(k)}, ${py(v)})`);
  calls.push(`.schema(${py(schemaDdl(o))})`);
  if (ctx.streaming && o.maxFilesPerTrigger !== 1000) calls.push(`.option("maxFilesPerTrigger", ${o.maxFilesPerTrigger})`);
  calls.push(`.load(SOURCE_PATH + ${py('/' + o.glob)})`);
  const sel = ['"*"'];
  if (o.reader.rescuedDataColumn !== null) sel.push(`F.lit(None).cast("string").alias(${py(o.reader.rescuedDataColumn)})`);
  if (o.fileMetadata) sel.push(py(FILE_METADATA_COLUMN));
  calls.push(`.select(${sel.join(', ')})`);
  return { head: `spark.${ctx.streaming ? 'readStream' : 'read'}.format(${py(o.format)})`, calls, fragments: [] };
}

// ------------------------------------------------------------ DuckDB

const dstr = (s: string) => `'${s.replace(/'/g, "''")}'`;
const dident = (n: string) => quoteIdentWith(n, '"');

function sqlPath(p: string): string {
  if (!path.isAbsolute(p)) return p.split(path.sep).join('/');
  const rel = path.relative(process.cwd(), p);
  return !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : p.split(path.sep).join('/');
}

function isPrimitive(t: DataType): boolean {
  const k = typeInfo(t).kind;
  return k === 'string' || k === 'int' || k === 'long' || k === 'double' || k === 'boolean' || k === 'date' || k === 'timestamp';
}

/** DuckDB: read_csv / read_json over the matching files, values converted with Spark's rules in SQL. */
export function duckdbFilesSource(d: Dialect, o: FileSourceOptions, ctx: CsvSourceContext): CsvSourceSql {
  const r = o.reader;
  const variable = ctx.unique(`${ctx.table}_files`);
  const dir = sqlPath(ctx.input);
  const pattern = dir.endsWith('/') ? dir + o.glob : `${dir}/${o.glob}`;
  const filter = r.pathGlobFilter !== null ? ` AND parse_filename(file) GLOB ${dstr(r.pathGlobFilter)}` : '';
  const preamble = [
    `-- the files of ${ctx.table}: ${o.glob} in the input folder, in byte order of their names`,
    `SET VARIABLE ${variable} = (SELECT coalesce(list(file ORDER BY file), []) FROM glob(${dstr(pattern)})\n    WHERE NOT (parse_filename(file) LIKE '.%' OR file LIKE '%.tmp' OR file LIKE '%.partial' OR file LIKE '%~')${filter});`,
  ];
  const cols = o.schema;
  const columns = `{${cols.map((f) => `${dstr(f.name)}: 'VARCHAR'`).join(', ')}}`;
  const report = (code: string, detail: string, condition?: string, rows = false) => ctx.report({ table: ctx.table, code, treatment: 'approximated', detail, ...(condition ? { condition } : {}), ...(rows ? { rows: true } : {}), columns: [...cols.map((f) => f.name), ...(r.rescuedDataColumn ? [r.rescuedDataColumn] : [])] });
  let scan: string;
  if (o.format === 'csv') {
    const opts = [
      `header = ${r.header}`, 'auto_detect = false', `delim = ${dstr(r.sep)}`, `quote = ${dstr(r.quote)}`, `escape = ${dstr(r.escape === '' ? r.quote : r.escape)}`,
      `nullstr = ${dstr(r.nullValue)}`, 'null_padding = true', 'strict_mode = false', 'filename = true', `columns = ${columns}`,
      ...(r.comment !== '' ? [`comment = ${dstr(r.comment)}`] : []),
      ...(r.mode === 'DROPMALFORMED' ? ['ignore_errors = true'] : []),
    ];
    scan = `read_csv(getvariable(${dstr(variable)}), ${opts.join(', ')})`;
    if (r.header) report('HEADER_BY_POSITION', "DuckDB maps a file's columns by position; Auto Loader and the engine match header names (a case mismatch is rescued).", "a file's header has another order, other names or other case than the schema");
    if (!r.multiLine) report('QUOTED_NEWLINES', 'DuckDB reads a line break inside quotes as data; without multiLine Spark ends the record at the line break.', 'a quoted value holds a line break', true);
    if (r.mode !== 'PERMISSIVE') report('MALFORMED_RECORDS', `mode ${r.mode}: DuckDB ${r.mode === 'DROPMALFORMED' ? 'drops records it cannot split (ignore_errors), not those whose values fail a conversion' : 'fails on records it cannot split, not on values that fail a conversion'}.`, 'a record has another number of fields than the header, or a value that does not convert', true);
    report('EXTRA_FIELDS', 'fields beyond the schema are not rescued as _c<index> in DuckDB (null_padding reads the declared columns only).', 'a record has more fields than the schema');
  } else {
    scan = `read_json(getvariable(${dstr(variable)}), format = ${r.multiLine ? "'auto'" : "'newline_delimited'"}, columns = ${columns}, filename = true, ignore_errors = true)`;
    report('JSON_VALUES', 'DuckDB reads each field as text (a JSON string without its quotes, other values as JSON); unknown fields are not rescued and a line that is not a JSON object is dropped, not kept as a row of NULLs.', 'a line has a field not in the schema, or is not a JSON object', true);
  }
  if (r.ignoreLeadingWhiteSpace || r.ignoreTrailingWhiteSpace) report('WHITESPACE', 'whitespace is trimmed after reading, inside quoted values too.', 'a quoted value starts or ends with whitespace');
  if (r.dateFormat !== null || r.timestampFormat !== null) report('DATETIME_FORMAT', 'dateFormat / timestampFormat are not applied in DuckDB: dates and timestamps convert with the ISO rules.', 'a date or timestamp is not ISO-8601', false);
  const empty = `SELECT NULL::VARCHAR AS filename, ${cols.map((f) => `NULL::VARCHAR AS ${dident(f.name)}`).join(', ')} WHERE false`;
  const from: FromSql = { kind: 'text', sql: `query(CASE WHEN len(getvariable(${dstr(variable)})) = 0\n  THEN ${dstr(empty)}\n  ELSE ${dstr(`SELECT * FROM ${scan}`)} END)` };
  const trimmed = (x: string) => (r.ignoreLeadingWhiteSpace && r.ignoreTrailingWhiteSpace ? `trim(${x})` : r.ignoreLeadingWhiteSpace ? `ltrim(${x})` : r.ignoreTrailingWhiteSpace ? `rtrim(${x})` : x);
  const items: SelectItem[] = [];
  const texts: SelectItem[] = cols.map((f) => ({ sql: trimmed(dident(f.name)), alias: f.name }));
  let q: QuerySql = select([{ sql: 'filename', alias: '_file' }, ...texts], from);
  const conv = (f: { name: string; type: DataType }) => {
    if (!isPrimitive(f.type)) return `TRY_CAST(${dident(f.name)} AS ${d.typeName(f.type)})`;
    return parseText(d, dident(f.name), f.type, 'cast');
  };
  for (const f of cols) items.push({ sql: conv(f), alias: f.name });
  if (r.rescuedDataColumn !== null) {
    const typed = cols.filter((f) => f.type !== 'string');
    const entries = typed.map((f) => `CASE WHEN ${dident(f.name)} IS NOT NULL AND (${conv(f)}) IS NULL THEN ${dstr(JSON.stringify(f.name) + ':')} || to_json(${dident(f.name)}) END`);
    const any = typed.map((f) => `(${dident(f.name)} IS NOT NULL AND (${conv(f)}) IS NULL)`);
    items.push({
      sql: any.length ? `CASE WHEN ${any.join(' OR ')} THEN '{' || concat_ws(',', ${entries.join(', ')}, '"_file_path":' || to_json('file:' || _file)) || '}' END` : 'CAST(NULL AS VARCHAR)',
      alias: r.rescuedDataColumn,
    });
    report('RESCUED_DATA', `${r.rescuedDataColumn} holds the values that fail a conversion; fields not in the schema are not rescued, and _file_path is the path as DuckDB reads it.`, 'a file has a field not in the schema');
  }
  if (o.fileMetadata) {
    items.push({ sql: `struct_pack(file_path := 'file:' || _file, file_name := parse_filename(_file), file_size := CAST(NULL AS BIGINT), file_modification_time := CAST(NULL AS TIMESTAMP))`, alias: FILE_METADATA_COLUMN });
    ctx.report({ table: ctx.table, code: 'FILE_METADATA', treatment: 'approximated', columns: [FILE_METADATA_COLUMN], detail: '_metadata.file_path is the path as DuckDB reads it (relative to where the script runs); file_size and file_modification_time are NULL.' });
  }
  q = select(items, { kind: 'sub', query: q, alias: 'texts' });
  return { query: q, preamble };
}
