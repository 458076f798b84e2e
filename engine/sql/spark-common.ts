/**
 * What Databricks (DLT / Lakeflow SQL) and open-source Spark 4.1 share: Spark
 * SQL spellings, the bronze rules over an all-STRING CSV read, and the Python
 * module layout of flows written with `pyspark.pipelines`.
 */
import type { CsvOptions } from '../ir/plan.js';
import { sqlTypeName } from '../ir/types.js';
import type { Dialect } from './dialect.js';
import type { IssueNote } from './report.js';
import { quoteIdentWith } from './dialect.js';
import { parseText } from './expr.js';
import type { CompiledDataset, CompiledPipeline } from './compiler.js';
import { flowStatements } from './cdc.js';
import { PythonRenderer, py } from './python.js';
import { select, type FromSql, type QuerySql, type SelectItem } from './sql-ast.js';

export type SparkSpellings = Pick<Dialect,
  'ident' | 'str' | 'typeName' | 'doubleLit' | 'array' | 'arrayCompact' | 'tryCast' | 'regexFull' | 'regexReplaceAll' | 'backref'
  | 'trimBlank' | 'trimSpaces' | 'length' | 'divide' | 'modulo' | 'intDivide' | 'numericCast' | 'sum' | 'currentTimestamp' | 'timestampFromText' | 'tableRef' | 'interval'>;

/** A Spark SQL string literal (backslashes are escapes in Spark). */
export function sparkString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export const sparkSpellings: SparkSpellings = {
  ident: (n) => quoteIdentWith(n, '`'),
  str: sparkString,
  typeName: (t) => sqlTypeName(t),
  doubleLit: (v) => (Number.isNaN(v) ? `CAST('NaN' AS DOUBLE)` : !Number.isFinite(v) ? `CAST('${v > 0 ? '' : '-'}Infinity' AS DOUBLE)` : `CAST(${String(v)} AS DOUBLE)`),
  array: (items) => `array(${items.join(', ')})`,
  arrayCompact: (arr) => `filter(${arr}, x -> x IS NOT NULL)`,
  tryCast: (e, t) => `try_cast(${e} AS ${sqlTypeName(t)})`,
  // Java's $ also matches before a final line terminator ("12\n" would pass): \z is the very end
  regexFull: (e, re) => `${e} RLIKE ${sparkString(`^(${re})\\z`)}`,
  regexReplaceAll: (e, re, rep) => `regexp_replace(${e}, ${sparkString(re)}, ${sparkString(rep)})`,
  backref: (n) => `$${n}`,
  // ' \t' is a space and a tab: Spark unescapes \t in string literals
  trimBlank: (e) => `trim(BOTH ' \\t' FROM ${e})`,
  trimSpaces: (e) => `trim(${e})`,
  length: (e) => `length(${e})`,
  divide: (a, b) => `try_divide(${a}, ${b})`,
  modulo: (a, b) => `try_mod(${a}, ${b})`,
  intDivide: (a, b) => `CASE WHEN ${b} = 0 THEN NULL ELSE ${a} div ${b} END`,
  numericCast: (e, from, to) => (to === 'double' || from !== 'double' && to === 'long' ? `CAST(${e} AS ${sqlTypeName(to)})` : `try_cast(${e} AS ${sqlTypeName(to)})`),
  sum: (arg, _t, over = '') => `sum(${arg})${over}`,
  currentTimestamp: () => 'current_timestamp()',
  timestampFromText: (e) => `try_cast(regexp_replace(upper(${e}), '^(.{10})[T ]([0-9]{2}:[0-9]{2})([Z+-]|$)', '$1 $2:00$3') AS TIMESTAMP)`,
  tableRef: (name, streaming) => (streaming ? `STREAM(${quoteIdentWith(name, '`')})` : quoteIdentWith(name, '`')),
  interval: (us) => {
    const units: [number, string][] = [[86_400_000_000, 'DAYS'], [3_600_000_000, 'HOURS'], [60_000_000, 'MINUTES'], [1_000_000, 'SECONDS'], [1_000, 'MILLISECONDS']];
    for (const [u, name] of units) if (us % u === 0) return `INTERVAL ${us / u} ${name}`;
    return `INTERVAL ${us} MICROSECONDS`;
  },
};

// ------------------------------------------------------------ bronze rules over an all-STRING read

/** The DDL of the all-STRING read schema (`a STRING, b STRING`). */
export function stringSchemaDdl(o: CsvOptions, d: Pick<Dialect, 'ident'>): string {
  return o.schema.map((f) => `${d.ident(f.name)} STRING`).join(', ');
}

const TEXT_PREFIX = '_text_';

/**
 * The bronze rules as SELECT levels over a read whose declared columns are all
 * STRING: (1) trim spaces and tabs, null markers → NULL; (2) try-cast typed
 * columns with the engine's rules, keeping their text; (3) `_rescued_data`
 * (the failed conversions, plus the reader's rescued unknown columns when
 * `rescuedRaw` names that column), `_source_file`, `_line`, `_ingested_at`.
 */
export function bronzeLevels(d: Dialect, o: CsvOptions, opts: { rescuedRaw: string | null; fileName: string }): SelectItem[][] {
  const markers = ['', ...o.nullMarkers.map((m) => m.toLowerCase())];
  const markerList = [...new Set(markers)].map((m) => d.str(m)).join(', ');
  const meta = o.metadataColumns;
  const typed = o.schema.filter((f) => f.type !== 'string');
  const l1: SelectItem[] = o.schema.map((f) => {
    const t = d.trimBlank(d.ident(f.name));
    return { sql: `CASE WHEN lower(${t}) IN (${markerList}) THEN NULL ELSE ${t} END`, alias: f.name };
  });
  if (meta) {
    if (opts.rescuedRaw) l1.push({ sql: d.ident(opts.rescuedRaw), alias: opts.rescuedRaw });
    l1.push({ sql: opts.fileName, alias: '_source_file' });
  }
  const levels: SelectItem[][] = [l1];
  const pass = (names: string[]): SelectItem[] => names.map((n) => ({ sql: d.ident(n), alias: n }));
  const metaPass = meta ? [...(opts.rescuedRaw ? [opts.rescuedRaw] : []), '_source_file'] : [];
  if (typed.length) {
    const l2: SelectItem[] = o.schema.map((f) => (f.type === 'string' ? { sql: d.ident(f.name), alias: f.name } : { sql: parseText(d, d.ident(f.name), f.type, 'bronze'), alias: f.name }));
    if (meta) l2.push(...typed.map((f) => ({ sql: d.ident(f.name), alias: TEXT_PREFIX + f.name })), ...pass(metaPass));
    levels.push(l2);
  }
  if (meta) {
    const parts: string[] = [];
    if (typed.length) {
      const entries = typed.map((f) => `${d.str(f.name)}, CASE WHEN ${d.ident(f.name)} IS NULL THEN ${d.ident(TEXT_PREFIX + f.name)} END`).join(', ');
      parts.push(`map_filter(map(${entries}), (k, v) -> v IS NOT NULL)`);
    }
    if (opts.rescuedRaw) {
      // the reader's rescued fields as the engine rescues them: trimmed, NULL markers left out, no key of a failed conversion (map_concat fails on a repeated key)
      const raw = `transform_values(from_json(coalesce(${d.ident(opts.rescuedRaw)}, '{}'), 'MAP<STRING, STRING>'), (k, v) -> ${d.trimBlank('v')})`;
      const taken = typed.length ? ` AND NOT array_contains(array(${typed.map((f) => d.str(f.name)).join(', ')}), k)` : '';
      parts.push(`map_filter(${raw}, (k, v) -> k <> '_file_path' AND NOT coalesce(lower(v) IN (${markerList}), TRUE)${taken})`);
    }
    const rescued = parts.length === 0 ? `CAST(NULL AS STRING)` : `nullif(to_json(${parts.length === 2 ? `map_concat(${parts.join(', ')})` : parts[0]}), '{}')`;
    levels.push([
      ...pass(o.schema.map((f) => f.name)),
      { sql: rescued, alias: '_rescued_data' },
      { sql: '_source_file', alias: '_source_file' },
      { sql: 'CAST(NULL AS BIGINT)', alias: '_line' },
      { sql: d.currentTimestamp(), alias: '_ingested_at' },
    ]);
  }
  return levels;
}

/** The bronze levels nested over a FROM item, innermost first. */
export function nestLevels(levels: SelectItem[][], from: FromSql): QuerySql {
  let q = select(levels[0], from);
  for (let i = 1; i < levels.length; i++) q = select(levels[i], { kind: 'sub', query: q, alias: i === 1 ? 'raw' : `l${i}` });
  return q;
}

/** The bronze levels as PySpark `.selectExpr(...)` calls. */
export function levelCalls(levels: SelectItem[][], d: Dialect): { calls: string[]; fragments: string[] } {
  const calls: string[] = [];
  const fragments: string[] = [];
  for (const level of levels) {
    const items = level.map((it) => (it.alias === null || it.sql === d.ident(it.alias) ? it.sql : `${it.sql} AS ${d.ident(it.alias)}`));
    fragments.push(...items.map((i) => `SELECT ${i} FROM t`));
    calls.push(`.selectExpr(\n    ${items.map(py).join(',\n    ')},\n)`);
  }
  return { calls, fragments };
}

/**
 * The options of a Spark CSV read that reproduce the engine's tokenizing
 * (univocity under Spark, `multiLine`): `""` as an escaped quote; records end
 * at LF only (a CR before it is trailing whitespace, a lone CR is data, so a
 * file with CR-only line endings is one line, as in the engine; without
 * `lineSep` Spark would guess the separator from the first line end);
 * leading and trailing whitespace of a field dropped, so that header names
 * are matched trimmed, a line of spaces or tabs is skipped and a quote after
 * leading spaces opens a quoted field; the spaces inside quotes stay (the SQL
 * trims them); a UTF-8 BOM is skipped by the parser.
 */
export const SPARK_CSV_OPTIONS: readonly (readonly [string, string])[] = [
  ['multiLine', 'true'],
  ['escape', '"'],
  ['lineSep', '\n'],
  ['ignoreLeadingWhiteSpace', 'true'],
  ['ignoreTrailingWhiteSpace', 'true'],
  ['mode', 'PERMISSIVE'],
];

/** An option value as a Spark SQL string literal, control characters escaped (`'\\n'`). */
export function sparkOptionLiteral(v: string): string {
  return sparkString(v).replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
}

/** Reports the CSV behaviours a Spark CSV read cannot reproduce (columns: the source's). */
export function reportCsvLimits(ctx: { table: string; report: (i: IssueNote) => void }, o: CsvOptions, target: string): void {
  const t = ctx.table;
  const declared = o.schema.map((f) => f.name);
  const values = [...declared, ...(o.metadataColumns ? ['_rescued_data'] : [])];
  if (o.metadataColumns) {
    ctx.report({ table: t, code: 'LINE_NUMBER', treatment: 'not-reproduced', detail: `${target} does not expose the physical line of a record: _line is NULL.`, columns: ['_line'] });
    ctx.report({ table: t, code: 'INGESTED_AT', treatment: 'approximated', detail: '_ingested_at is current_timestamp() of the update that reads the file, not the engine\'s batch time.', columns: ['_ingested_at'] });
  }
  ctx.report({
    table: t, code: 'CORRUPT_RECORD', treatment: 'not-reproduced', rows: true, condition: 'a file ends inside a quoted field (a quote left open)',
    detail: `the engine turns the record holding the open quote into a row of NULLs with {"_corrupt_record": <its first line>} in _rescued_data and goes on at the next line; ${target}'s parser (multiLine) reads the quoted field on across lines, up to a quote followed by a comma, a line end or spaces, or to the end of the file: that record keeps its first fields, one field holds the rest, and the lines it swallowed are no records.`,
  });
  ctx.report({
    table: t, code: 'TEXT_AFTER_QUOTE', treatment: 'not-reproduced', columns: values, condition: 'text follows the closing quote of a field (`"a"b`, `"a" b`)',
    detail: `the engine appends the text to the unquoted value (\`ab\`); ${target} (unescapedQuoteHandling STOP_AT_DELIMITER, the only setting that does not swallow the next fields) keeps the quotes (\`"a"b\`).`,
  });
  ctx.report({
    table: t, code: 'CONTROL_CHARACTERS', treatment: 'not-reproduced', columns: values, condition: 'a value or a header name begins or ends with a control character other than a tab (U+0000–U+001F, e.g. a lone CR)',
    detail: `${target}'s ignoreLeadingWhiteSpace/ignoreTrailingWhiteSpace drop every character up to U+0020 at the edges of a field (and a quote after them opens a quoted field); the engine trims spaces and tabs only.`,
  });
  ctx.report({
    table: t, code: 'BLANK_LAST_LINE', treatment: 'not-reproduced', rows: true, condition: 'a file ends, without a line break, in a line of spaces or tabs that follows a record whose last field is quoted and followed by spaces or a CR',
    detail: `the engine skips the blank line; ${target}'s parser (univocity) ends on it with a value it carried over from the quoted field and gives a row of NULLs.`,
  });
  ctx.report({
    table: t, code: 'MAX_COLUMNS', treatment: 'not-reproduced', rows: true, condition: 'a record has more than 20480 fields (e.g. a large file with CR-only line endings, which both read as one line)',
    detail: `${target}'s parser stops at maxColumns (20480): the read fails; the engine reads the record.`,
  });
  if (o.fallbackPaths.length) {
    ctx.report({ table: t, code: 'FALLBACK_PATH', treatment: 'not-reproduced', rows: true, condition: `no file matches ${o.glob} in the source folder`, detail: `when no file matches ${o.glob} in the input folder the engine reads its fallback copy (${o.fallbackPaths.map((p) => p.split(/[\\/]/).pop()).join(', ')}); on ${target} the file must be in the source folder.` });
  }
  if (o.schemaEvolutionMode !== 'rescue') {
    ctx.report({ table: t, code: 'SCHEMA_EVOLUTION', treatment: 'not-reproduced', columns: values, condition: 'a file has a column not in the schema', detail: `schemaEvolutionMode "${o.schemaEvolutionMode}" is not reproduced: the declared columns are read and unknown ones rescued.` });
  }
}

// ------------------------------------------------------------ Python modules

/** The `dp` decorator of a dataset kind. */
function decorator(u: CompiledDataset, withProps: boolean): string[] {
  const fn = u.kind === 'materialized_view' ? 'materialized_view' : u.kind === 'view' ? 'temporary_view' : 'table';
  const args = [`name=${py(u.name)}`];
  if (u.comment) args.push(`comment=${py(u.comment)}`);
  if (withProps && u.kind !== 'view' && Object.keys(u.properties).length) {
    args.push(`table_properties={${Object.entries(u.properties).map(([k, v]) => `${py(k)}: ${py(v)}`).join(', ')}}`);
  }
  return ['@dp.' + fn + '(', ...args.map((a) => `    ${a},`), ')'];
}

/**
 * A Python module with the flows of `units` (a dataset and, when it has one,
 * its quarantine, which shares the dataset's query through a helper).
 */
export function pythonModule(units: readonly CompiledDataset[], opts: { header: string[]; expectations: boolean; sourcePath?: string | null; dialect: Dialect }): string {
  const lines: string[] = [...opts.header, '', 'from pyspark import pipelines as dp', 'from pyspark.sql import DataFrame, SparkSession', 'from pyspark.sql import functions as F', '', 'spark = SparkSession.active()'];
  const usesSource = units.some((u) => [u.python, u.pythonBase].some((ch) => ch && [ch.head, ...ch.calls, ...ch.setup].some((x) => x.includes('SOURCE_PATH'))));
  if (usesSource && opts.sourcePath !== undefined && opts.sourcePath !== null) lines.push(`SOURCE_PATH = spark.conf.get("source_path", ${py(opts.sourcePath)})`);
  const shared = new Set(units.filter((u) => u.quarantineOf).map((u) => u.quarantineOf!));
  for (const u of units) {
    if (!u.python) continue;
    lines.push('', '');
    const fname = u.name.replace(/[^A-Za-z0-9_]/g, '_');
    let body = u.python;
    if (u.pythonBase && (shared.has(u.name) || u.quarantineOf)) {
      // the flow before expectations is shared by the dataset and its quarantine
      const owner = u.quarantineOf ?? u.name;
      const helper = `_${owner.replace(/[^A-Za-z0-9_]/g, '_')}_rows`;
      if (!u.quarantineOf) {
        lines.push(`def ${helper}() -> DataFrame:`, `    """The rows of ${owner}'s flow, before its expectations."""`);
        for (const s of u.pythonBase.setup) lines.push(...indentPy(s, '    '));
        lines.push(`    return ${PythonRenderer.text(u.pythonBase, '    ')}`, '', '');
      }
      body = { setup: [], head: `${helper}()`, calls: u.python.calls.slice(u.pythonBase.calls.length), schema: u.python.schema };
    }
    lines.push(...decorator(u, true));
    if (opts.expectations) {
      for (const e of u.expectations) {
        const fn = e.action === 'warn' ? 'expect' : e.action === 'drop' ? 'expect_or_drop' : 'expect_or_fail';
        lines.push(`@dp.${fn}(${py(e.name)}, ${py(e.sql)})`);
      }
    } else {
      for (const n of u.notes) lines.push(`# ${n}`);
    }
    lines.push(`def ${fname}() -> DataFrame:`);
    if (u.comment) lines.push(`    """${u.comment.replace(/"""/g, '\\"\\"\\"')}"""`);
    for (const s of body.setup) lines.push(...indentPy(s, '    '));
    lines.push(`    return ${PythonRenderer.text(body, '    ')}`);
  }
  return lines.join('\n') + '\n';
}

function indentPy(s: string, by: string): string[] {
  return s.split('\n').map((l) => by + l);
}

/** The SQL statement of a dataset for Databricks (`CREATE OR REFRESH …`) or Spark 4.1 (`CREATE …`). */
export function sqlStatement(u: CompiledDataset, d: Dialect, opts: { refresh: boolean; constraints: boolean }): string {
  const kw = u.kind === 'streaming_table' ? `CREATE ${opts.refresh ? 'OR REFRESH ' : ''}STREAMING TABLE`
    : u.kind === 'materialized_view' ? `CREATE ${opts.refresh ? 'OR REFRESH ' : ''}MATERIALIZED VIEW`
      : 'CREATE TEMPORARY VIEW';
  const lines: string[] = [];
  for (const n of u.notes) lines.push(`-- ${n}`);
  const cons = opts.constraints ? u.expectations.filter((e) => e.handling === 'constraint') : [];
  // a declared schema (a table written by flows only may have one)
  const cols = u.graph.def.schema && !u.sql ? u.schema.map((f) => `${d.ident(f.name)} ${d.typeName(f.type).toUpperCase()}`) : [];
  const parts = [...cols, ...cons.map((e) => {
    const action = e.action === 'drop' ? ' ON VIOLATION DROP ROW' : e.action === 'fail' ? ' ON VIOLATION FAIL UPDATE' : '';
    return `CONSTRAINT ${d.ident(e.name)} EXPECT (${e.sql})${action}`;
  })];
  if (parts.length) {
    lines.push(`${kw} ${d.ident(u.name)} (`);
    parts.forEach((x, i) => lines.push(`  ${x}${i < parts.length - 1 ? ',' : ''}`));
    lines.push(')');
  } else lines.push(`${kw} ${d.ident(u.name)}`);
  if (u.comment) lines.push(`COMMENT ${d.str(u.comment)}`);
  const props = Object.entries(u.properties);
  if (props.length) {
    if (u.kind === 'view') lines.push(`-- properties: ${props.map(([k, v]) => `${k} = ${v}`).join(', ')} (a temporary view has no TBLPROPERTIES)`);
    else lines.push(`TBLPROPERTIES (${props.map(([k, v]) => `${d.str(k)} = ${d.str(v)}`).join(', ')})`);
  }
  // a table written by flows only is declared without a query; its flows follow
  if (u.sql) lines.push('AS', u.sql);
  return lines.join('\n') + ';';
}

/** The statements of the flows into a dataset besides its own query, each on its own. */
export function flowStatementsOf(u: CompiledDataset, d: Dialect): string[] {
  return (u.flows ?? []).flatMap((f) => flowStatements(f, d));
}

/** The datasets that are written in Python, grouped with their quarantines. */
export function pythonGroups(c: CompiledPipeline): CompiledDataset[][] {
  const groups: CompiledDataset[][] = [];
  for (const u of c.datasets) {
    if (u.error || u.language !== 'python') continue;
    if (u.quarantineOf) {
      const g = groups.find((x) => x[0].name === u.quarantineOf);
      if (g) { g.push(u); continue; }
    }
    groups.push([u]);
  }
  return groups;
}

/** A comment block naming what could not be compiled (partial output). */
export function errorNote(u: CompiledDataset, prefix: string): string {
  const e = u.error!;
  return [`${prefix} ${u.name}: NOT COMPILED`, `${prefix} ${e.code}: ${e.message.split('\n')[0]}`, `${prefix} ${JSON.stringify(e.params)}`].join('\n');
}

