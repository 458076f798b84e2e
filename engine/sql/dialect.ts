/**
 * A SQL dialect: the small set of hooks in which Databricks (Lakeflow / DLT
 * SQL), open-source Spark 4.1 Declarative Pipelines and DuckDB differ.
 *
 * The compiler (`compiler.ts`) walks the pipeline graph and the plan IR once
 * and asks the dialect only for spellings (quoting, literals, casts, regular
 * expressions, array functions), for how a CSV source is read, for window
 * syntax, and for how the per-dataset statements are packaged into files.
 * Policies that differ by target (expectations kept as constraints, lowered to
 * filters, or checked afterwards; which flows need Python) are flags here too.
 */
import type { DataType } from '../ir/types.js';
import type { CsvOptions, FileSourceOptions } from '../ir/plan.js';
import type { QuerySql } from './sql-ast.js';
import type { IssueNote } from './report.js';
import type { CompiledPipeline } from './compiler.js';

export type DialectName = 'databricks' | 'spark' | 'duckdb';

export const DIALECT_NAMES: readonly DialectName[] = ['databricks', 'spark', 'duckdb'];

/** What a dialect does with an expectation of a given action. */
export type ExpectationHandling = 'constraint' | 'filter' | 'check' | 'comment';

export interface CsvSourceContext {
  /** The dataset whose query reads the source. */
  readonly table: string;
  /** The input folder written into the SQL (or a configuration reference). */
  readonly input: string;
  /** Read incrementally (a streaming table or a streaming view). */
  readonly streaming: boolean;
  /** A name not used before in this compilation (`base`, then `base_2`, …). */
  unique(base: string): string;
  /** Reports a difference; `columns` are the CSV source's (bronze) columns. */
  readonly report: (issue: IssueNote) => void;
}

/** A CSV source compiled to SQL: a query whose columns are the engine's bronze columns. */
export interface CsvSourceSql {
  readonly query: QuerySql;
  /** Statements to run first (DuckDB: the list of files). */
  readonly preamble?: readonly string[];
}

/** A CSV source read from Python: `head` then `.calls` (the bronze rules as selectExpr levels). */
export interface PythonCsvReader {
  readonly head: string;
  readonly calls: string[];
  /** The SQL fragments used (for parse checks). */
  readonly fragments: string[];
}

/** The files of a compiled pipeline. */
export interface PackagedFiles {
  /** Path (relative to the output folder) → content. */
  readonly files: Record<string, string>;
  /** The files printed to stdout when no output folder is given, in order. */
  readonly main: readonly string[];
}

export interface Dialect {
  readonly name: DialectName;
  /** A human name for comments and reports. */
  readonly title: string;

  // ------------------------------------------------------------ spellings
  /** An identifier, quoted only when needed. */
  ident(name: string): string;
  /** A string literal. */
  str(s: string): string;
  /** A type name in CAST. */
  typeName(t: DataType): string;
  /** A DOUBLE literal of a finite or special value. */
  doubleLit(v: number): string;
  /** An ARRAY<STRING> of the given SQL expressions. */
  array(items: readonly string[]): string;
  /** `arr` without its NULL elements. */
  arrayCompact(arr: string): string;
  /** CAST that gives NULL instead of failing. */
  tryCast(e: string, t: DataType): string;
  /** Whether `e` matches the regular expression `re` as a whole (`re` has no anchors). */
  regexFull(e: string, re: string): string;
  /** Replaces every match of `re` (group references `$1`… as written by `backref`). */
  regexReplaceAll(e: string, re: string, replacement: string): string;
  /** A group reference in a replacement string. */
  backref(n: number): string;
  /** `e` without leading and trailing spaces and tabs. */
  trimBlank(e: string): string;
  /** The engine's `trim()`: spaces only. */
  trimSpaces(e: string): string;
  /** Length in characters, as INT. */
  length(e: string): string;
  /** Division giving NULL on a zero divisor. */
  divide(a: string, b: string): string;
  /** Remainder giving NULL on a zero divisor. */
  modulo(a: string, b: string): string;
  /** Integral division (`div`, BIGINT, truncated toward zero) giving NULL on a zero divisor. */
  intDivide(a: string, b: string): string;
  /** A numeric cast from `from` to `to` (double to integers truncates). */
  numericCast(e: string, from: DataType, to: DataType): string;
  /** sum() with the engine's result type (BIGINT for integers, DOUBLE for doubles); `over` (` OVER (…)`) follows the call. */
  sum(arg: string, argType: DataType, over?: string): string;
  /** TIMESTAMP of the moment the query runs. */
  currentTimestamp(): string;
  /** A TIMESTAMP from text already checked to be `YYYY-MM-DD[T ]HH:MM[:SS[.f]][Z|±HH:MM]` or a date. */
  timestampFromText(e: string): string;
  /** A dataset read in a query: `STREAM(x)` for a streaming read where the target has one. */
  tableRef(name: string, streaming: boolean): string;
  /** `INTERVAL n UNIT` for a watermark delay. */
  interval(us: number): string;

  // ------------------------------------------------------------ policies
  /** How expectations of each action are applied. */
  readonly expectations: Readonly<Record<'warn' | 'drop' | 'fail', ExpectationHandling>>;
  /** The windowed aggregate form: Spark's `window()` or epoch arithmetic. */
  readonly windows: 'spark' | 'epoch';
  /** How a watermark on a streaming read is expressed in SQL. */
  readonly watermark: 'clause' | 'python' | 'batch';
  /** A `dropDuplicates` has no SQL form: the flow is written in Python. */
  readonly dedupInPython: boolean;
  /** File sources cannot be read from SQL: the flow is written in Python. */
  readonly csvInPython: boolean;
  /** Flows into a table: `CREATE FLOW … INSERT INTO … BY NAME` statements, or one UNION ALL of their rows (a batch target). */
  readonly appendFlows: 'create_flow' | 'union';
  /** `INSERT ONCE INTO` (one-time backfills) exists. */
  readonly onceFlows: boolean;
  /** AUTO CDC: a `CREATE FLOW … AS AUTO CDC INTO` statement, the final state with window functions, or not available. */
  readonly autoCdc: 'statement' | 'window' | 'unsupported';

  /** The SQL of a CSV source with the engine's bronze rules. */
  csvSource(options: CsvOptions, ctx: CsvSourceContext): CsvSourceSql;
  /** The SQL of an option-driven file source (`read_files`); absent: the target reads it from Python. */
  filesSource?(options: FileSourceOptions, ctx: CsvSourceContext): CsvSourceSql;
  /** The PySpark reader of an option-driven file source (targets with Python flows). */
  pythonFilesReader?(options: FileSourceOptions, ctx: CsvSourceContext): PythonCsvReader;
  /** The PySpark reader of a CSV source (targets with Python flows). */
  pythonCsvReader?(options: CsvOptions, ctx: CsvSourceContext): PythonCsvReader;
  /** Packages the compiled datasets into the target's files. */
  package(compiled: CompiledPipeline): PackagedFiles;
}

/** Keywords quoted when used as identifiers (the union of what the three targets reserve). */
export const RESERVED = new Set([
  'all', 'alter', 'and', 'any', 'array', 'as', 'asc', 'at', 'authorization', 'between', 'both', 'by', 'case', 'cast', 'check',
  'collate', 'column', 'constraint', 'create', 'cross', 'cube', 'current', 'current_date', 'current_time', 'current_timestamp',
  'current_user', 'date', 'default', 'delete', 'desc', 'describe', 'distinct', 'do', 'drop', 'else', 'end', 'escape', 'except', 'exists',
  'false', 'fetch', 'filter', 'for', 'foreign', 'from', 'full', 'function', 'global', 'grant', 'group', 'grouping', 'having', 'in',
  'inner', 'insert', 'intersect', 'interval', 'into', 'is', 'join', 'lateral', 'leading', 'left', 'like', 'limit', 'local', 'map', 'minus',
  'natural', 'not', 'null', 'of', 'offset', 'on', 'only', 'or', 'order', 'outer', 'over', 'overlaps', 'partition', 'pivot', 'primary',
  'qualify', 'range', 'references', 'right', 'rollup', 'row', 'rows', 'select', 'semi', 'session_user', 'set', 'some', 'stream', 'struct', 'table',
  'tablesample', 'then', 'time', 'timestamp', 'to', 'trailing', 'true', 'union', 'unique', 'unknown', 'unpivot', 'update', 'user', 'using',
  'values', 'watermark', 'when', 'where', 'window', 'with', 'within',
]);

const PLAIN = /^[a-z_][a-z0-9_]*$/;

/** Quotes `name` with `q` unless it is a plain lower-case identifier that no target reserves. */
export function quoteIdentWith(name: string, q: '`' | '"'): string {
  if (PLAIN.test(name) && !RESERVED.has(name)) return name;
  return q + name.split(q).join(q + q) + q;
}
