/**
 * Flows: how rows get into a streaming table, apart from the table itself.
 *
 * A dataset defined with a query has a default flow named as the dataset. A
 * streaming table can also take rows from more flows, each with its own
 * checkpoint: append flows (`appendFlow`, SQL `CREATE FLOW f AS INSERT INTO t
 * BY NAME SELECT …`) and one AUTO CDC flow (`autoCdc`, SQL `CREATE FLOW f AS
 * AUTO CDC INTO t …`). Like datasets, flows are plain immutable values that
 * `definePipeline([...])` gathers.
 *
 * ```ts
 * const admissions = streamingTable('admissions');          // no query: rows come from flows
 * const north = appendFlow(admissions, { name: 'north', query: stream(northFeed) });
 * const south = appendFlow(admissions, { name: 'south', query: stream(southFeed) });
 * const current = streamingTable('patients_current');
 * const cdc = autoCdc(current, { source: updates, keys: ['patient_id'], sequenceBy: 'updated_at',
 *   applyAsDeletes: col('op').eq('DELETE'), exceptColumns: ['op'], storedAs: 1 });
 * definePipeline([admissions, north, south, current, cdc, …]);
 * ```
 */
import type { CdcSpec, FlowDef, FlowKind, PlanNode } from './ir/plan.js';
import type { ExprNode } from './ir/expr.js';
import { col, Expr, Rel, stream, toNode, type DatasetRef, type ExprLike } from './expr/builder.js';
import { callerOrigin, DefinitionError, type Origin } from './errors.js';

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class Flow {
  readonly def: FlowDef;

  constructor(def: FlowDef) {
    this.def = def;
    Object.freeze(this);
  }

  get name(): string { return this.def.name; }
  get target(): string { return this.def.target; }
  get kind(): FlowKind { return this.def.kind; }
}

function targetName(t: DatasetRef): string {
  return typeof t === 'string' ? t : t.name;
}

function checkName(kind: string, name: unknown, origin: Origin): string {
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw new DefinitionError('INVALID_FLOW_NAME', `${kind} name "${String(name)}" is not a plain identifier`, { name: String(name) }, { origin, hint: 'use letters, digits and underscores, starting with a letter, e.g. admissions_north' });
  }
  return name;
}

export interface AppendFlowOptions {
  /** The flow's name (its checkpoint folder); unique among the pipeline's flows and datasets. */
  name: string;
  /** The rows to insert; columns are matched to the target's by name (missing ones are NULL). */
  query: Rel;
  /** A one-time backfill (`INSERT INTO … ONCE`): run once as a batch query, again only after a full refresh. */
  once?: boolean;
  comment?: string;
}

/** An append flow into a streaming table (`CREATE FLOW name AS INSERT INTO target BY NAME …`). */
export function appendFlow(target: DatasetRef, opts: AppendFlowOptions): Flow {
  const origin = callerOrigin(targetName(target));
  const name = checkName('flow', opts?.name, origin);
  if (!opts || !(opts.query instanceof Rel)) {
    throw new DefinitionError('MISSING_QUERY', `flow "${name}" has no query`, { flow: name, table: targetName(target) }, { origin, hint: 'pass { name, query: stream(other) } or { name, query: readCsv(...) }' });
  }
  return new Flow(Object.freeze({
    name, target: targetName(target), kind: 'append' as const, query: opts.query.node, once: opts.once === true,
    ...(opts.comment ? { comment: opts.comment } : {}), origin,
  }));
}

export interface AutoCdcOptions {
  /** The change feed: a dataset (read with `stream(x)`) or a relation over one. */
  source: DatasetRef | Rel;
  /** The columns that identify a row. */
  keys: readonly string[];
  /** Orders a key's events: a column name or an expression. Events with a NULL sequence are not applied (counted). */
  sequenceBy: string | Expr;
  /** Which events are deletes, e.g. `col('op').eq('DELETE')`. */
  applyAsDeletes?: ExprLike;
  /** Which events empty the table (SCD type 1 only), e.g. `col('op').eq('TRUNCATE')`. */
  applyAsTruncates?: ExprLike;
  /** The feed's columns kept in the target … */
  columns?: readonly string[];
  /** … or all but these. */
  exceptColumns?: readonly string[];
  /** 1 (default): the current row per key; 2: the history of every key with `__START_AT`, `__END_AT`. */
  storedAs?: 1 | 2;
  /** SCD type 2: the columns whose change opens a new version … */
  trackHistory?: readonly string[];
  /** … or all but these (default: every column). */
  trackHistoryExcept?: readonly string[];
  /** A NULL in an upsert keeps the stored value: for every column (`true`) or for the columns listed. */
  ignoreNullUpdates?: boolean | readonly string[];
  /** The flow's name (default: the target's name). */
  name?: string;
  comment?: string;
  /** `AUTO CDC ONCE`: the feed is read once as a batch (a backfill), again only after a full refresh. */
  once?: boolean;
}

/**
 * An AUTO CDC flow into a streaming table (formerly APPLY CHANGES INTO): upserts
 * and deletes by key, in SEQUENCE BY order whatever the arrival order, stored
 * as the current rows (SCD type 1) or as full history (SCD type 2).
 */
export function autoCdc(target: DatasetRef, opts: AutoCdcOptions): Flow {
  const tname = targetName(target);
  const origin = callerOrigin(tname);
  const name = checkName('flow', opts?.name ?? tname, origin);
  const bad = (what: string, hint: string): never => {
    throw new DefinitionError('INVALID_AUTO_CDC', `AUTO CDC flow "${name}" into ${tname}: ${what}`, { flow: name, table: tname }, { origin, hint });
  };
  if (!opts) bad('no options', 'pass { source, keys, sequenceBy }');
  const query: PlanNode = opts.source instanceof Rel ? opts.source.node : stream(opts.source as DatasetRef).node;
  if (!Array.isArray(opts.keys) || opts.keys.length === 0 || !opts.keys.every((k) => typeof k === 'string')) bad('keys must be a non-empty list of column names', "keys: ['patient_id']");
  if (opts.sequenceBy === undefined || opts.sequenceBy === null) bad('sequenceBy is missing', "sequenceBy: 'updated_at'");
  if (opts.columns && opts.exceptColumns) bad('columns and exceptColumns exclude each other', 'give one of them');
  if (opts.trackHistory && opts.trackHistoryExcept) bad('trackHistory and trackHistoryExcept exclude each other', 'give one of them');
  const storedAs = opts.storedAs ?? 1;
  if (storedAs !== 1 && storedAs !== 2) bad(`storedAs is ${String(storedAs)}`, 'use 1 (current rows) or 2 (history)');
  const sequenceBy: ExprNode = typeof opts.sequenceBy === 'string' ? col(opts.sequenceBy).node : toNode(opts.sequenceBy);
  const list = (x: readonly string[] | undefined): readonly string[] | null => (x ? Object.freeze([...x]) : null);
  const ignore = opts.ignoreNullUpdates;
  const cdc: CdcSpec = Object.freeze({
    keys: Object.freeze([...opts.keys]),
    sequenceBy,
    applyAsDeletes: opts.applyAsDeletes === undefined ? null : toNode(opts.applyAsDeletes),
    applyAsTruncates: opts.applyAsTruncates === undefined ? null : toNode(opts.applyAsTruncates),
    columns: list(opts.columns),
    exceptColumns: list(opts.exceptColumns),
    storedAs,
    trackHistory: list(opts.trackHistory),
    trackHistoryExcept: list(opts.trackHistoryExcept),
    ignoreNullUpdates: Array.isArray(ignore) ? Object.freeze([...ignore]) : ignore === true,
  });
  return new Flow(Object.freeze({
    name, target: tname, kind: 'auto_cdc' as const, query, once: opts.once === true, cdc,
    ...(opts.comment ? { comment: opts.comment } : {}), origin,
  }));
}
