/**
 * Relational plan IR and dataset definitions.
 *
 * A dataset (what exists: a streaming table, a materialized view or a view) is
 * kept apart from its flow (how rows get in: the plan). Every node is a frozen
 * plain object; builders in `engine/expr/builder.ts` produce them.
 */
import type { AggNode, ExprNode, SortKey } from './expr.js';
import type { Field, Value } from './types.js';
import type { Origin } from '../errors.js';

/** What to do with a CSV column set that differs from the declared schema (Auto Loader's schemaEvolutionMode). */
export type SchemaEvolutionMode = 'rescue' | 'addNewColumns' | 'failOnNewColumns';

export interface CsvOptions {
  /** Glob relative to the input root (no recursion into subfolders): `*` and `?` and `[abc]`. */
  readonly glob: string;
  /** Declared columns, in output order. Columns not declared are rescued. */
  readonly schema: readonly Field[];
  /** The first line holds column names (default true). */
  readonly header: boolean;
  /** Field values (after trimming, compared case-insensitively) that mean NULL. */
  readonly nullMarkers: readonly string[];
  /** Add `_rescued_data`, `_source_file`, `_line`, `_ingested_at` (default true). */
  readonly metadataColumns: boolean;
  /**
   * Where to look when no file in the input root matches: paths tried in order,
   * relative to the current directory (used for reference data such as a mapping
   * file that ships with the pipeline).
   */
  readonly fallbackPaths: readonly string[];
  readonly schemaEvolutionMode: SchemaEvolutionMode;
  /** At most this many new files per micro-batch (Auto Loader `maxFilesPerTrigger`, default 1000). */
  readonly maxFilesPerTrigger: number;
  /** Process files that are already in the folder at the first start (default true). */
  readonly includeExistingFiles: boolean;
  /** Re-ingest a file whose size or mtime changed after it was processed (default false). */
  readonly allowOverwrites: boolean;
}

/** Formats of an option-driven file source (`read_files`, `cloud_files`). */
export type FileFormat = 'csv' | 'json';
/** How a file source infers and names things: `read_files` (types inferred) or legacy `cloud_files` (CSV columns STRING unless `cloudFiles.inferColumnTypes`). */
export type FileReadMode = 'read_files' | 'cloud_files';
/** Spark's parse modes for malformed records. */
export type ParseMode = 'PERMISSIVE' | 'DROPMALFORMED' | 'FAILFAST';

/**
 * Spark's CSV / JSON reader options, defaults applied (the names are Spark's).
 * The TypeScript `readCsv` bronze rules are another preset of the same source
 * (see `CsvOptions`); SQL reads (`read_files`, `cloud_files`) use these.
 */
export interface ReaderOptions {
  /** Field separator (`sep` / `delimiter`, default `,`); may be several characters. */
  readonly sep: string;
  /** Quote character (default `"`); empty: no quoting. */
  readonly quote: string;
  /** Escape character inside quoted values (default `\`). */
  readonly escape: string;
  /** Escape of the quote character inside quoted values (`charToEscapeQuoteEscaping`, default: the escape character). */
  readonly charToEscapeQuoteEscaping: string;
  /** Lines starting with this character are skipped (default: none). */
  readonly comment: string;
  readonly header: boolean;
  /** The text that is NULL (default: the empty string). */
  readonly nullValue: string;
  /** The value of a quoted empty string (default: the empty string). */
  readonly emptyValue: string;
  readonly ignoreLeadingWhiteSpace: boolean;
  readonly ignoreTrailingWhiteSpace: boolean;
  /** The line separator (`lineSep`: one character for CSV, any text for JSON); absent: LF, CRLF or CR. */
  readonly lineSep?: string;
  /** A record may span lines inside quotes (CSV) / a JSON document per file (JSON). */
  readonly multiLine: boolean;
  readonly mode: ParseMode;
  /** Spark datetime patterns (`yyyy-MM-dd`); null: Spark's default parsing. */
  readonly dateFormat: string | null;
  readonly timestampFormat: string | null;
  /** The `timeZone` reader option: the zone of timestamp texts without one (default: the session time zone). */
  readonly timeZone?: string;
  /** The pipeline's session time zone (`spark.sql.session.timeZone`), set when the pipeline's sources are resolved; absent: UTC. */
  readonly sessionTimeZone?: string;
  /** Only files whose name matches this glob are read. */
  readonly pathGlobFilter: string | null;
  /** The rescued data column (Auto Loader), or null for none. */
  readonly rescuedDataColumn: string | null;
  /** Header names and JSON fields match the schema case-sensitively (Auto Loader's default: true); a case mismatch is rescued. */
  readonly readerCaseSensitive: boolean;
  /** Rows of the first file read for inference (`samplingRatio` is not supported; read_files reads at most this many). */
  readonly inferSampleRows: number;
}

/**
 * An option-driven file source (`read_files(...)`, `cloud_files(...)`,
 * `readFiles({...})`). Its output: the schema's columns, then the rescued data
 * column (when `reader.rescuedDataColumn` names one), then `_metadata`
 * (a struct: file_path, file_name, file_size, file_modification_time) when
 * `fileMetadata` is set. The common fields (`glob`, streaming limits,
 * evolution) are those of `CsvOptions`; `nullMarkers` and `metadataColumns`
 * are unused (always `[]` and `false`).
 */
export interface FileSourceOptions extends CsvOptions {
  readonly format: FileFormat;
  readonly readMode: FileReadMode;
  readonly reader: ReaderOptions;
  /** The options as given (keys as written), for SQL emission. */
  readonly given: Readonly<Record<string, string>>;
  /** Whether `schema` was declared (DDL); else it is inferred from the files and fixed at the first start. */
  readonly declared: boolean;
  /** Inference has run (or the schema is declared): `schema` holds the final columns. */
  readonly resolved: boolean;
  /** `schemaHints`: columns whose type overrides (or adds to) the inferred ones. */
  readonly schemaHints: readonly Field[];
  /** Infer column types (read_files; cloud_files with `cloudFiles.inferColumnTypes`); else every CSV column is STRING. */
  readonly inferTypes: boolean;
  /** Add the `_metadata` struct column. */
  readonly fileMetadata: boolean;
}

/** The hidden file metadata column of file sources, and its fields. */
export const FILE_METADATA_COLUMN = '_metadata';
export const FILE_METADATA_TYPE = 'struct<file_path:string,file_name:string,file_size:long,file_modification_time:timestamp>' as const;

/**
 * Join types (Spark's names, as PySpark's `how`). Streaming flows allow the
 * stream–snapshot ones with the stream on the left: inner, left, left_semi,
 * left_anti.
 */
export type JoinHow = 'inner' | 'left' | 'right' | 'full' | 'left_semi' | 'left_anti' | 'cross';

export const JOIN_TYPES: readonly JoinHow[] = ['inner', 'left', 'right', 'full', 'left_semi', 'left_anti', 'cross'];

/**
 * In a join's `condition`, a column qualified with `left` or `right` names that
 * side's column (`{ kind: 'col', name: 'k', qualifier: ['right'] }`); an
 * unqualified column names the side that has it (both: AMBIGUOUS_COLUMN).
 */
export const JOIN_LEFT = 'left';
export const JOIN_RIGHT = 'right';

export interface WindowSpec {
  readonly kind: 'tumbling' | 'sliding';
  /** The event-time column (TIMESTAMP or DATE). */
  readonly timeColumn: string;
  readonly sizeUs: number;
  readonly slideUs: number;
  /** The sizes as written by the user, kept for SQL emission. */
  readonly sizeText: string;
  readonly slideText: string;
}

export type PlanNode =
  | { readonly kind: 'csv'; readonly options: CsvOptions }
  /** An option-driven file source (CSV with Spark's reader options, or newline-delimited JSON). */
  | { readonly kind: 'files'; readonly options: FileSourceOptions }
  | { readonly kind: 'rows'; readonly name: string; readonly schema: readonly Field[] }
  | { readonly kind: 'read'; readonly dataset: string; readonly streaming: boolean; readonly skipChangeCommits?: boolean }
  | { readonly kind: 'select'; readonly input: PlanNode; readonly columns: readonly (readonly [string, ExprNode])[] }
  | { readonly kind: 'derive'; readonly input: PlanNode; readonly columns: readonly (readonly [string, ExprNode])[] }
  | { readonly kind: 'drop'; readonly input: PlanNode; readonly names: readonly string[] }
  | { readonly kind: 'filter'; readonly input: PlanNode; readonly predicate: ExprNode }
  /**
   * A join. `on`: pairs of equal columns (USING semantics: a right key with its
   * left key's name is not repeated in the output); `condition`: any further ON
   * expression over both sides (see JOIN_LEFT). The output is every left column,
   * then the right columns (none for semi and anti joins).
   */
  | { readonly kind: 'join'; readonly input: PlanNode; readonly right: PlanNode; readonly how: JoinHow; readonly on: readonly (readonly [string, string])[]; readonly condition?: ExprNode | null }
  | { readonly kind: 'dedup'; readonly input: PlanNode; readonly keys: readonly string[] }
  | { readonly kind: 'watermark'; readonly input: PlanNode; readonly column: string; readonly delayUs: number; readonly delayText: string }
  | { readonly kind: 'aggregate'; readonly input: PlanNode; readonly window: WindowSpec | null; readonly keys: readonly (readonly [string, ExprNode])[]; readonly aggs: readonly (readonly [string, AggNode])[] }
  /**
   * UNION ALL. By position (default): the first input names the columns, types
   * widen to a common type. `byName`: columns matched by name, in the first
   * input's order; `allowMissing`: a column an input lacks is NULL there.
   */
  | { readonly kind: 'union'; readonly inputs: readonly PlanNode[]; readonly byName?: boolean; readonly allowMissing?: boolean }
  | RelationalNode
  | AsOfJoinNode;

/**
 * The relational operators of SELECT beyond projection and filtering. Each
 * keeps its input's columns unless it says otherwise.
 */
export type RelationalNode =
  /** SELECT DISTINCT: one row per distinct row (NULLs equal). */
  | { readonly kind: 'distinct'; readonly input: PlanNode }
  /** ORDER BY (stable: ties keep their input order). Materialized views only (and snapshot sides). */
  | { readonly kind: 'sort'; readonly input: PlanNode; readonly keys: readonly SortKey[] }
  /** LIMIT n [OFFSET m]: rows offset … offset + n − 1 of the input's order (`n` null: every row after the offset). */
  | { readonly kind: 'limit'; readonly input: PlanNode; readonly n: number | null; readonly offset?: number }
  /**
   * Analytic window functions: every input column, then one column per entry,
   * each an `over` expression (a window function or an aggregate OVER a
   * partition, order and frame) over the input's columns.
   */
  | { readonly kind: 'window'; readonly input: PlanNode; readonly columns: readonly (readonly [string, ExprNode])[] }
  /**
   * A generator (LATERAL VIEW): every input column, then the generator's columns
   * (`names`), one output row per element (`explode`, `posexplode`, their
   * `_outer` forms keep a row of NULLs for a NULL or empty collection).
   */
  | { readonly kind: 'generate'; readonly input: PlanNode; readonly generator: string; readonly arg: ExprNode; readonly names: readonly string[] }
  /** Inline rows (`VALUES (…), (…) AS t(a, b)`): values in the engine's representation of each column type. */
  | { readonly kind: 'values'; readonly schema: readonly Field[]; readonly rows: readonly (readonly Value[])[] };

/**
 * An as-of join: each left row joins the right rows with equal keys whose
 * validity interval holds the left row's time, `from <= at AND (until IS NULL
 * OR at < until)` (an SCD type 2 history: `__START_AT`, `__END_AT`). The output
 * is every left column, then the right columns except the keys that share
 * their left key's name. `left` keeps left rows without a match (right NULL).
 */
export interface AsOfJoinNode {
  readonly kind: 'asofJoin';
  readonly input: PlanNode;
  readonly right: PlanNode;
  readonly how: JoinHow;
  readonly on: readonly (readonly [string, string])[];
  /** The left column holding the time to look up (TIMESTAMP or DATE). */
  readonly at: string;
  /** The right columns bounding each right row's validity: `[from, until)`, `until` NULL for the current one. */
  readonly from: string;
  readonly until: string;
}

export type ExpectationAction = 'warn' | 'drop' | 'fail';

export interface Expectation {
  readonly name: string;
  readonly predicate: ExprNode;
  readonly action: ExpectationAction;
  readonly origin?: Origin;
}

export type DatasetKind = 'streaming_table' | 'materialized_view' | 'view';

export interface QuarantineSpec {
  readonly name: string;
  readonly comment?: string;
  readonly properties: Readonly<Record<string, string>>;
}

export interface DatasetDef {
  readonly kind: DatasetKind;
  readonly name: string;
  readonly comment?: string;
  readonly properties: Readonly<Record<string, string>>;
  /** Comments on output columns (`name STRING COMMENT '...'`), by column name. */
  readonly columnComments?: Readonly<Record<string, string>>;
  /**
   * The query of the dataset's default flow (named as the dataset). A
   * streaming table may have none: its rows then come only from flows that
   * name it as their target (`appendFlow`, `autoCdc`).
   */
  readonly query?: PlanNode;
  /** A declared schema (`CREATE STREAMING TABLE t (a INT, …)`): the flows' columns must fit it. */
  readonly schema?: readonly Field[];
  readonly expectations: readonly Expectation[];
  readonly quarantine?: QuarantineSpec;
  /**
   * Columns declared NOT NULL (`CREATE … (id STRING NOT NULL, …)`): Delta's
   * NOT NULL constraint. A row with NULL there fails the update
   * (DELTA_NOT_NULL_CONSTRAINT_VIOLATED) after the expectations dropped theirs.
   */
  readonly notNull?: readonly string[];
  readonly origin: Origin;
}

export type FlowKind = 'append' | 'auto_cdc';

/**
 * AUTO CDC (`APPLY CHANGES INTO`): how a change feed becomes the target's
 * rows. Columns are named as in the feed.
 */
export interface CdcSpec {
  /** The columns that identify a row. */
  readonly keys: readonly string[];
  /** Orders the events of a key (`SEQUENCE BY`); events with a NULL sequence are not applied. */
  readonly sequenceBy: ExprNode;
  /** An event for which this holds is a delete (`APPLY AS DELETE WHEN`). */
  readonly applyAsDeletes: ExprNode | null;
  /** An event for which this holds empties the table (`APPLY AS TRUNCATE WHEN`, SCD type 1 only). */
  readonly applyAsTruncates: ExprNode | null;
  /** The feed's columns kept in the target (`COLUMNS a, b`) … */
  readonly columns: readonly string[] | null;
  /** … or all but these (`COLUMNS * EXCEPT (op, seq)`). */
  readonly exceptColumns: readonly string[] | null;
  /** 1: the current row per key; 2: every version, with `__START_AT` and `__END_AT`. */
  readonly storedAs: 1 | 2;
  /** SCD type 2: the columns whose change opens a new version (`TRACK HISTORY ON a, b`) … */
  readonly trackHistory: readonly string[] | null;
  /** … or all but these (`TRACK HISTORY ON * EXCEPT (c)`); by default every column. */
  readonly trackHistoryExcept: readonly string[] | null;
  /**
   * `IGNORE NULL UPDATES`: a NULL in an upsert keeps the stored value. `true`
   * for every column, or the columns it applies to.
   */
  readonly ignoreNullUpdates: boolean | readonly string[];
}

/**
 * A flow: how rows get into a dataset (Spark SDP's model: the dataset says what
 * exists, the flow how rows arrive). Every dataset with a query has a default
 * flow named as the dataset; a streaming table may have more (`appendFlow`)
 * or be the target of one AUTO CDC flow (`autoCdc`). Each flow keeps its own
 * checkpoint (`_checkpoints/<flow>/`).
 */
export interface FlowDef {
  readonly name: string;
  readonly target: string;
  readonly kind: FlowKind;
  /** Append: the rows to insert (by name). AUTO CDC: the change feed. */
  readonly query: PlanNode;
  /** A one-time backfill (`INSERT INTO … ONCE`): runs as a batch query in the first update, never again until a full refresh. */
  readonly once: boolean;
  readonly cdc?: CdcSpec;
  readonly comment?: string;
  readonly origin: Origin;
}

/** The SCD type 2 columns added to a target. */
export const SCD2_START_COLUMN = '__START_AT';
export const SCD2_END_COLUMN = '__END_AT';

/** Children of a plan node, in order. */
export function planInputs(p: PlanNode): PlanNode[] {
  switch (p.kind) {
    case 'csv': case 'files': case 'rows': case 'read': case 'values': return [];
    case 'join': case 'asofJoin': return [p.input, p.right];
    case 'union': return [...p.inputs];
    default: return [p.input];
  }
}

/** Every `read` in a plan: the dataset dependencies with their mode. */
export function planReads(p: PlanNode, out: { dataset: string; streaming: boolean }[] = []): { dataset: string; streaming: boolean }[] {
  if (p.kind === 'read') out.push({ dataset: p.dataset, streaming: p.streaming });
  for (const c of planInputs(p)) planReads(c, out);
  return out;
}

/** A file source node (the bronze CSV preset, or an option-driven `files` source). */
export type FileSourceNode = Extract<PlanNode, { kind: 'csv' | 'files' }>;

export function isFileSource(p: PlanNode): p is FileSourceNode {
  return p.kind === 'csv' || p.kind === 'files';
}

/** Every source (files or in-memory rows) in a plan. */
export function planSources(p: PlanNode, out: PlanNode[] = []): PlanNode[] {
  if (p.kind === 'csv' || p.kind === 'files' || p.kind === 'rows') out.push(p);
  for (const c of planInputs(p)) planSources(c, out);
  return out;
}

/** The names of the metadata columns a CSV source adds. */
export const CSV_METADATA_COLUMNS = ['_rescued_data', '_source_file', '_line', '_ingested_at'] as const;
export const FAILED_EXPECTATIONS_COLUMN = '_failed_expectations';

/**
 * The columns a dataset tags with `tag` (for example `phi`): those its table
 * property `<tag>` lists (comma-separated names), and those whose column
 * comment holds the tag as a word (`'Patient name [PHI]'`). Case-insensitive.
 */
export function taggedColumns(tag: string, properties: Readonly<Record<string, string>>, columnComments: Readonly<Record<string, string>> = {}): string[] {
  const out = new Set<string>();
  const prop = Object.entries(properties).find(([k]) => k.toLowerCase() === tag.toLowerCase())?.[1];
  for (const c of (prop ?? '').split(',')) if (c.trim()) out.add(c.trim());
  const word = new RegExp(`(^|[^A-Za-z0-9_])${tag.replace(/[^A-Za-z0-9_]/g, '')}($|[^A-Za-z0-9_])`, 'i');
  for (const [c, comment] of Object.entries(columnComments)) if (word.test(comment)) out.add(c);
  return [...out];
}
