/**
 * Dataset definitions: streaming tables, materialized views and views.
 *
 * A definition is a plain immutable value. Defining one registers nothing;
 * `definePipeline([...])` gathers them into a pipeline, which is then validated
 * and run. Every method returns a new value.
 *
 * ```ts
 * const clean = view('patients_clean', { query: stream(bronze).withColumns({ gender: upper(col('gender')) }) })
 *   .expectOrDrop('valid_patient_id', col('patient_id').isNotNull())
 *   .quarantine('patients_quarantine');
 * ```
 */
import { zoneOf } from './time/zones.js';
import type { DatasetDef, DatasetKind, Expectation, ExpectationAction, QuarantineSpec } from './ir/plan.js';
import type { DataType, Field } from './ir/types.js';
import { parseTypeName } from './ir/types.js';
import { Expr, Rel, type ExprLike, toNode } from './expr/builder.js';
import { callerOrigin, DefinitionError, type Origin } from './errors.js';
import { Flow } from './flow.js';

export interface DatasetOptions {
  /**
   * The query that fills the dataset (its default flow). A streaming table
   * may have none: its rows then come from flows that target it
   * (`appendFlow`, `autoCdc`), as `CREATE OR REFRESH STREAMING TABLE t;`.
   */
  query?: Rel;
  /** The table's columns, declared (`CREATE STREAMING TABLE t (a INT, b STRING)`): flows must fit them. */
  schema?: Record<string, DataType | string>;
  comment?: string;
  /**
   * Table properties, e.g. `{ quality: 'bronze' }`. `phi: 'name,address'` tags
   * those columns as protected health information (the dashboard masks them).
   */
  properties?: Record<string, string>;
  /** Comments on output columns; a comment holding the word PHI tags its column as PHI. */
  columnComments?: Record<string, string>;
  /** Warn expectations: rows are kept and counted. */
  expect?: Record<string, ExprLike>;
  /** Drop expectations: failing rows are removed (and quarantined if a quarantine is set). */
  expectOrDrop?: Record<string, ExprLike>;
  /** Fail expectations: a failing row fails the flow; nothing of the batch is committed. */
  expectOrFail?: Record<string, ExprLike>;
  /** Route rows removed by drop expectations to this streaming table. */
  quarantine?: string | { name: string; comment?: string; properties?: Record<string, string> };
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class Dataset {
  readonly def: DatasetDef;

  constructor(def: DatasetDef) {
    this.def = def;
    Object.freeze(this);
  }

  get name(): string { return this.def.name; }
  get kind(): DatasetKind { return this.def.kind; }

  private with(patch: Partial<DatasetDef>): Dataset {
    return new Dataset(Object.freeze({ ...this.def, ...patch }));
  }

  private addExpectations(action: ExpectationAction, rules: Record<string, ExprLike>): Dataset {
    const origin = callerOrigin(this.def.name);
    const added: Expectation[] = Object.entries(rules).map(([name, e]) => {
      const predicate = toNode(e instanceof Expr ? e : e);
      return Object.freeze({ name, predicate, action, origin });
    });
    return this.with({ expectations: Object.freeze([...this.def.expectations, ...added]) });
  }

  /** Warn: keep the row, count the failure (`@dlt.expect`). */
  expect(name: string, predicate: ExprLike): Dataset { return this.addExpectations('warn', { [name]: predicate }); }
  /** Drop the row (`@dlt.expect_or_drop`). */
  expectOrDrop(name: string, predicate: ExprLike): Dataset { return this.addExpectations('drop', { [name]: predicate }); }
  /** Fail the flow (`@dlt.expect_or_fail`). */
  expectOrFail(name: string, predicate: ExprLike): Dataset { return this.addExpectations('fail', { [name]: predicate }); }
  expectAll(rules: Record<string, ExprLike>): Dataset { return this.addExpectations('warn', rules); }
  expectAllOrDrop(rules: Record<string, ExprLike>): Dataset { return this.addExpectations('drop', rules); }
  expectAllOrFail(rules: Record<string, ExprLike>): Dataset { return this.addExpectations('fail', rules); }

  /** Sends the rows that drop expectations remove to a streaming table, with `_failed_expectations`. */
  quarantine(name: string, options: { comment?: string; properties?: Record<string, string> } = {}): Dataset {
    return this.with({ quarantine: quarantineSpec({ name, ...options }) });
  }

  comment(text: string): Dataset { return this.with({ comment: text }); }
  /** Comments on output columns (merged with earlier ones). */
  columnComments(comments: Record<string, string>): Dataset { return this.with({ columnComments: Object.freeze({ ...this.def.columnComments, ...comments }) }); }
  properties(props: Record<string, string>): Dataset { return this.with({ properties: Object.freeze({ ...this.def.properties, ...props }) }); }
}

function quarantineSpec(q: string | { name: string; comment?: string; properties?: Record<string, string> }): QuarantineSpec {
  const spec = typeof q === 'string' ? { name: q } : q;
  return Object.freeze({ name: spec.name, comment: spec.comment, properties: Object.freeze({ ...(spec.properties ?? {}) }) });
}

function define(kind: DatasetKind, name: string, opts: DatasetOptions, origin: Origin): Dataset {
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw new DefinitionError('INVALID_DATASET_NAME', `dataset name "${name}" is not a plain identifier`, { name: String(name) }, { origin, hint: 'use letters, digits and underscores, starting with a letter, e.g. patients_silver' });
  }
  opts ??= {};
  if (opts.query !== undefined && !(opts.query instanceof Rel)) {
    throw new DefinitionError('MISSING_QUERY', `dataset "${name}" has a query that is not a relation`, { table: name }, { origin, hint: 'pass { query: readCsv(...) } or { query: stream(other).select(...) }' });
  }
  if (opts.query === undefined && kind !== 'streaming_table') {
    throw new DefinitionError('MISSING_QUERY', `dataset "${name}" has no query`, { table: name }, { origin, hint: 'pass { query: readCsv(...) } or { query: stream(other).select(...) }; only a streaming table can take its rows from flows alone' });
  }
  let schema: Field[] | undefined;
  if (opts.schema) {
    schema = Object.entries(opts.schema).map(([c, t]) => {
      const type = parseTypeName(t);
      if (!type) throw new DefinitionError('UNKNOWN_TYPE', `column "${c}" of ${name} has unknown type "${t}"`, { table: name, column: c, type: t }, { origin, hint: 'use string, int, long, double, boolean, date, timestamp, decimal(p,s), …' });
      return Object.freeze({ name: c, type });
    });
  }
  let ds = new Dataset(Object.freeze({
    kind,
    name,
    comment: opts.comment,
    properties: Object.freeze({ ...(opts.properties ?? {}) }),
    ...(opts.columnComments ? { columnComments: Object.freeze({ ...opts.columnComments }) } : {}),
    ...(opts.query ? { query: opts.query.node } : {}),
    ...(schema ? { schema: Object.freeze(schema) } : {}),
    expectations: Object.freeze([]),
    quarantine: opts.quarantine ? quarantineSpec(opts.quarantine) : undefined,
    origin,
  }));
  if (opts.expect) ds = withOrigin(ds.expectAll(opts.expect), origin);
  if (opts.expectOrDrop) ds = withOrigin(ds.expectAllOrDrop(opts.expectOrDrop), origin);
  if (opts.expectOrFail) ds = withOrigin(ds.expectAllOrFail(opts.expectOrFail), origin);
  return ds;
}

function withOrigin(ds: Dataset, origin: Origin): Dataset {
  return new Dataset(Object.freeze({ ...ds.def, expectations: Object.freeze(ds.def.expectations.map((e) => Object.freeze({ ...e, origin }))) }));
}

/**
 * A streaming table: incremental, each input row processed once (`CREATE OR
 * REFRESH STREAMING TABLE`). Without a query it is the target of flows only.
 */
export function streamingTable(name: string, opts: DatasetOptions = {}): Dataset {
  return define('streaming_table', name, opts, callerOrigin(name));
}

/** A materialized view: always equals its query over its inputs (`CREATE OR REFRESH MATERIALIZED VIEW`). */
export function materializedView(name: string, opts: DatasetOptions): Dataset {
  return define('materialized_view', name, opts, callerOrigin(name));
}

/** A view: not persisted, computed inside the pipeline; may carry expectations (`CREATE TEMPORARY VIEW`). */
export function view(name: string, opts: DatasetOptions): Dataset {
  return define('view', name, opts, callerOrigin(name));
}

export interface PipelineOptions {
  name?: string;
  /** Default input folder (used by `sql` and as the CLI default). */
  input?: string;
  configuration?: Record<string, string>;
  /**
   * `spark.sql.ansi.enabled`: invalid casts, overflows and division by zero fail
   * the flow (with the function, table and row) instead of giving NULL. Off by
   * default for TypeScript pipelines (SQL pipelines default to on, as Spark 4).
   */
  ansi?: boolean;
  /** `spark.sql.session.timeZone` (an IANA name or an offset such as `+05:30`, default UTC): date/time functions and timestamp text use it. */
  timeZone?: string;
}

/** A pipeline: a set of dataset and flow definitions, validated when it is built into a graph. */
export interface Pipeline {
  readonly kind: 'pipeline';
  readonly name: string;
  readonly datasets: readonly Dataset[];
  /** Flows besides the datasets' default flows (`appendFlow`, `autoCdc`), in definition order. */
  readonly flows: readonly Flow[];
  readonly options: Readonly<PipelineOptions>;
}

/** Gathers datasets and flows (in any order) into a pipeline. */
export function definePipeline(definitions: readonly (Dataset | Flow)[], options: PipelineOptions = {}): Pipeline {
  const datasets: Dataset[] = [];
  const flows: Flow[] = [];
  for (const d of definitions) {
    if (d instanceof Dataset) datasets.push(d);
    else if (d instanceof Flow) flows.push(d);
    else throw new DefinitionError('INVALID_PIPELINE', 'definePipeline takes datasets made by streamingTable, materializedView or view, and flows made by appendFlow or autoCdc', { got: typeof d }, {});
  }
  if (options.timeZone !== undefined) {
    if (zoneOf(options.timeZone) === null) {
      throw new DefinitionError('INVALID_TIME_ZONE', `unknown time zone "${options.timeZone}"`, { timeZone: options.timeZone }, { hint: 'use an IANA name such as UTC, Europe/Paris or America/New_York, or an offset such as +05:30' });
    }
  }
  return Object.freeze({ kind: 'pipeline' as const, name: options.name ?? 'pipeline', datasets: Object.freeze(datasets), flows: Object.freeze(flows), options: Object.freeze({ ...options }) });
}
