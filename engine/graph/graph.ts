/**
 * The pipeline graph: datasets, their flows and dependencies, validated and
 * topologically ordered.
 *
 * Validation runs named passes, each raising one coded `DefinitionError` with
 * parameters naming the table and the file:line of its definition:
 *
 * | code                              | rule |
 * |-----------------------------------|------|
 * | DUPLICATE_DATASET                 | two datasets (or a dataset and a quarantine) share a name |
 * | UNKNOWN_DATASET                   | a query reads a dataset the pipeline does not define |
 * | CYCLE                             | the dependencies form a cycle |
 * | UNKNOWN_COLUMN / TYPE_MISMATCH    | a column reference or type does not fit the input |
 * | DUPLICATE_EXPECTATION             | two expectations of one dataset share a name |
 * | EXPECTATION_NOT_BOOLEAN           | an expectation is not a boolean expression |
 * | STREAMING_TABLE_WITHOUT_STREAM    | a streaming table's query reads nothing incrementally |
 * | STREAM_FROM_MATERIALIZED_VIEW     | `stream(x)` of a materialized view (it is not append-only) |
 * | MATERIALIZED_VIEW_WITH_STREAM     | a materialized view reads with `stream(...)` |
 * | QUARANTINE_NEEDS_DROP_EXPECTATION | a quarantine on a dataset without drop expectations |
 * | QUARANTINE_ON_MATERIALIZED_VIEW   | quarantines only exist for streaming datasets |
 * | STREAMING_AGGREGATE_WITHOUT_WATERMARK | an aggregate in a streaming table without window + watermark |
 * | UNSUPPORTED_STREAMING_OPERATION   | ORDER BY, LIMIT or a window function over a stream, a union of a stream with a snapshot |
 * | UNSUPPORTED_STREAMING_JOIN        | a streaming join other than inner, left, left_semi or left_anti with the stream on the left |
 * | UNSUPPORTED_STREAM_STREAM_JOIN    | a join of two streams |
 * | EMPTY_PIPELINE                    | no datasets |
 * | DUPLICATE_FLOW                    | two flows share a name (a dataset's default flow is named as the dataset) |
 * | FLOW_TARGET_NOT_STREAMING_TABLE   | a flow targets a materialized view or a view |
 * | STREAMING_TABLE_WITHOUT_FLOW      | a streaming table without a query that no flow targets |
 * | FLOW_WITHOUT_STREAM               | an append or AUTO CDC flow reads nothing incrementally |
 * | FLOW_SCHEMA_MISMATCH              | flows into one table give a column different types, or do not fit its declared schema |
 * | CDC_TARGET_HAS_OTHER_FLOWS        | an AUTO CDC target has another flow (or a query of its own) |
 * | INVALID_AUTO_CDC                  | keys, sequence, columns or SCD options that do not fit the change feed |
 * | STREAM_FROM_CDC_TARGET            | `stream(x)` of an AUTO CDC target without `skipChangeCommits` |
 * | QUARANTINE_ON_CDC_TARGET          | a quarantine on an AUTO CDC target (put it on the feed's view) |
 */
import type { CdcSpec, DatasetDef, FlowDef, FlowKind, PlanNode } from '../ir/plan.js';
import { FAILED_EXPECTATIONS_COLUMN, SCD2_END_COLUMN, SCD2_START_COLUMN, planInputs, planReads, planSources, taggedColumns } from '../ir/plan.js';
import type { DataType, Field, Schema } from '../ir/types.js';
import { isNested } from '../ir/types.js';
import { DefinitionError, formatOrigin, type Origin } from '../errors.js';
import { exprType, planSchema } from '../expr/typecheck.js';
import type { Pipeline } from '../dataset.js';
import { refreshMode, type RefreshMode } from './refresh.js';

export interface GraphDataset {
  readonly def: DatasetDef;
  readonly name: string;
  readonly kind: DatasetDef['kind'];
  /** Output schema (after expectations: the same columns). */
  readonly schema: Schema;
  /** The flow reads its inputs incrementally (streaming tables and streaming views). */
  readonly streaming: boolean;
  /** Datasets this one reads (through any of its flows), with the read mode. */
  readonly inputs: readonly { dataset: string; streaming: boolean }[];
  /** Set on the quarantine table of a dataset: the dataset whose dropped rows it receives. */
  readonly quarantineOf?: string;
  readonly persisted: boolean;
  readonly origin: Origin;
  /** Materialized views: refreshed incrementally or recomputed, and why. */
  readonly refresh?: RefreshMode;
  /** The flows that write this dataset, in order (the default flow, named as the dataset, first). */
  readonly flows: readonly string[];
  /** The target of an AUTO CDC flow: rows change and disappear, so it is not append-only. */
  readonly cdc: boolean;
}

/** What an AUTO CDC flow resolves to against its change feed. */
export interface ResolvedCdc {
  readonly spec: CdcSpec;
  /** The change feed's columns (the flow's query output). */
  readonly sourceSchema: Schema;
  /** The feed's columns kept in the target (keys included), in the feed's order. */
  readonly columns: readonly string[];
  /** SCD type 2: the columns whose change opens a version. */
  readonly tracked: readonly string[];
  /** The columns whose NULL in an upsert keeps the stored value. */
  readonly ignoreNull: readonly string[];
  readonly sequenceType: DataType;
}

export interface GraphFlow {
  readonly name: string;
  readonly target: string;
  readonly kind: FlowKind;
  /** A one-time backfill: a batch query, run once. */
  readonly once: boolean;
  readonly query: PlanNode;
  /** The dataset's own query (the flow is named as the dataset). */
  readonly isDefault: boolean;
  /** Datasets the flow reads, with the read mode (a ONCE flow reads snapshots). */
  readonly inputs: readonly { dataset: string; streaming: boolean }[];
  /** The flow reads its inputs incrementally. */
  readonly streaming: boolean;
  /** The query's output schema. */
  readonly schema: Schema;
  readonly cdc?: ResolvedCdc;
  readonly comment?: string;
  readonly origin: Origin;
}

export interface PipelineGraph {
  readonly pipeline: Pipeline;
  readonly datasets: ReadonlyMap<string, GraphDataset>;
  /** Dataset names in a valid execution order (ties broken by definition order). */
  readonly order: readonly string[];
  /** Direct consumers of each dataset. */
  readonly consumers: ReadonlyMap<string, readonly string[]>;
  /** Every flow by name: the datasets' default flows and the pipeline's flows. */
  readonly flows: ReadonlyMap<string, GraphFlow>;
  /** Flow names in execution order (by target, in each target's flow order). */
  readonly flowOrder: readonly string[];
}

function err(code: string, message: string, params: Record<string, unknown>, origin: Origin | undefined, hint: string): never {
  throw new DefinitionError(code, message, params, { origin, hint });
}

function hasStreamingSource(p: PlanNode): boolean {
  if (p.kind === 'csv' || p.kind === 'files' || p.kind === 'rows') return true;
  if (p.kind === 'read') return p.streaming;
  return planInputs(p).some(hasStreamingSource);
}

function findAggregates(p: PlanNode, out: PlanNode[] = []): PlanNode[] {
  if (p.kind === 'aggregate') out.push(p);
  for (const c of planInputs(p)) findAggregates(c, out);
  return out;
}

const STREAMING_JOINS = new Set(['inner', 'left', 'left_semi', 'left_anti']);

/** What Spark rejects in a streaming query (over the streaming part of the plan). */
function validateStreamingOperators(d: DatasetDef, f: FlowDef): void {
  const walk = (p: PlanNode): void => {
    const streamIn = (x: PlanNode) => hasStreamingSource(x);
    const what: Partial<Record<PlanNode['kind'], string>> = { sort: 'ORDER BY (sort)', limit: 'LIMIT', window: 'a window function (OVER)' };
    const input = (p as { input?: PlanNode }).input;
    if (what[p.kind] && input && streamIn(input)) {
      err('UNSUPPORTED_STREAMING_OPERATION', `${d.name} applies ${what[p.kind]} to a stream; Spark allows it only in materialized views`, { table: d.name, operation: p.kind }, d.origin,
        'make the dataset a materialized view (read(x) instead of stream(x)), or use an event-time window with a watermark');
    }
    if (p.kind === 'union' && p.inputs.some(streamIn) && !p.inputs.every(streamIn)) {
      err('UNSUPPORTED_STREAMING_OPERATION', `${d.name} unions a stream with a snapshot; Spark does not allow it`, { table: d.name, operation: 'union' }, d.origin, 'union streams with streams (stream(x)), or make the dataset a materialized view');
    }
    if (p.kind === 'join') {
      const l = streamIn(p.input), r = streamIn(p.right);
      if (l && r) err('UNSUPPORTED_STREAM_STREAM_JOIN', `${d.name} joins two streams; only stream-static joins are supported`, { table: d.name, how: p.how }, d.origin, 'read the right side with read(x) (a snapshot), not stream(x)');
      if (r && !l) err('UNSUPPORTED_STREAMING_JOIN', `${d.name} joins a snapshot with a stream on its right; the stream must be the left side`, { table: d.name, how: p.how }, d.origin, 'swap the sides: stream(x).join(read(y), …)');
      if (l && !STREAMING_JOINS.has(p.how)) {
        err('UNSUPPORTED_STREAMING_JOIN', `${d.name} makes a ${p.how} join of a stream with a snapshot; a streaming table allows inner, left, left_semi and left_anti joins with the stream on the left`, { table: d.name, how: p.how }, d.origin,
          'use one of those join types, or make the dataset a materialized view (read(x) on both sides)');
      }
    }
    for (const c of planInputs(p)) walk(c);
  };
  walk(f.query);
}

function hasWatermark(p: PlanNode): boolean {
  if (p.kind === 'watermark') return true;
  return planInputs(p).some(hasWatermark);
}

/** Every streaming read of a plan, with its options. */
function streamReads(p: PlanNode, out: Extract<PlanNode, { kind: 'read' }>[] = []): Extract<PlanNode, { kind: 'read' }>[] {
  if (p.kind === 'read' && p.streaming) out.push(p);
  for (const c of planInputs(p)) streamReads(c, out);
  return out;
}

/** A flow before its schema is known. */
interface FlowEntry {
  def: FlowDef;
  isDefault: boolean;
}

/** Builds and validates the graph. Throws the first `DefinitionError` found. */
export function buildGraph(pipeline: Pipeline): PipelineGraph {
  const defs = pipeline.datasets.map((d) => d.def);
  if (defs.length === 0) err('EMPTY_PIPELINE', 'the pipeline defines no datasets', {}, undefined, 'pass the datasets to definePipeline([...])');

  // validateUniqueNames (datasets and quarantines)
  const byName = new Map<string, { origin: Origin }>();
  const claim = (name: string, origin: Origin) => {
    const prev = byName.get(name);
    if (prev) {
      err('DUPLICATE_DATASET', `dataset "${name}" is defined twice`, { name, first: formatOrigin(prev.origin), second: formatOrigin(origin) }, origin, `rename one of them; the first is at ${formatOrigin(prev.origin)}`);
    }
    byName.set(name, { origin });
  };
  for (const d of defs) {
    claim(d.name, d.origin);
    if (d.quarantine) claim(d.quarantine.name, d.origin);
  }
  const defByName = new Map(defs.map((d) => [d.name, d]));

  // flows: each dataset's default flow, then the pipeline's flows
  const flowsOf = new Map<string, FlowEntry[]>(defs.map((d) => [d.name, []]));
  const flowByName = new Map<string, FlowEntry>();
  for (const d of defs) {
    if (!d.query) continue;
    const e: FlowEntry = { def: Object.freeze({ name: d.name, target: d.name, kind: 'append' as const, query: d.query, once: false, origin: d.origin }), isDefault: true };
    flowsOf.get(d.name)!.push(e);
    flowByName.set(d.name, e);
  }
  for (const f of pipeline.flows.map((x) => x.def)) {
    const target = defByName.get(f.target);
    if (!target) {
      const close = [...byName.keys()].find((k) => k.toLowerCase() === f.target.toLowerCase());
      err('UNKNOWN_DATASET', `flow ${f.name} writes into "${f.target}", which the pipeline does not define`, { flow: f.name, table: f.target, reference: f.target, known: [...byName.keys()] }, f.origin,
        close ? `did you mean "${close}"?` : `define the target first: streamingTable('${f.target}')`);
    }
    if (target.kind !== 'streaming_table') {
      err('FLOW_TARGET_NOT_STREAMING_TABLE', `flow ${f.name} writes into ${target.kind.replace('_', ' ')} ${target.name}; flows write into streaming tables`, { flow: f.name, table: target.name, kind: target.kind }, f.origin, `declare ${target.name} with streamingTable('${target.name}')`);
    }
    const prev = flowByName.get(f.name);
    if (prev || (byName.has(f.name) && f.name !== f.target)) {
      const first = prev?.def.origin ?? byName.get(f.name)!.origin;
      err('DUPLICATE_FLOW', `flow name "${f.name}" is taken${prev?.isDefault ? ` by the default flow of dataset ${f.name}` : prev ? ' by another flow' : ' by a dataset'}`, { flow: f.name, table: f.target, first: formatOrigin(first) }, f.origin,
        `give the flow its own name; a dataset's query is its default flow, named as the dataset (${formatOrigin(first)})`);
    }
    const e: FlowEntry = { def: f, isDefault: false };
    flowsOf.get(f.target)!.push(e);
    flowByName.set(f.name, e);
  }
  for (const d of defs) {
    const fl = flowsOf.get(d.name)!;
    if (fl.length === 0) {
      err('STREAMING_TABLE_WITHOUT_FLOW', `streaming table ${d.name} has no query and no flow writes into it`, { table: d.name }, d.origin, `add a flow: appendFlow('${d.name}', { name, query }) or autoCdc('${d.name}', { … })`);
    }
    const cdcFlows = fl.filter((x) => x.def.kind === 'auto_cdc');
    if (cdcFlows.length && fl.length > 1) {
      const other = fl.find((x) => x !== cdcFlows[0])!;
      err('CDC_TARGET_HAS_OTHER_FLOWS', `${d.name} is the target of AUTO CDC flow ${cdcFlows[0].def.name} and is also written by ${other.isDefault ? 'its own query' : `flow ${other.def.name}`}`, { table: d.name, flow: cdcFlows[0].def.name, other: other.def.name }, cdcFlows[0].def.origin,
        'an AUTO CDC target takes its rows from one AUTO CDC flow only: declare it without a query, and union the change feeds upstream');
    }
    if (cdcFlows.length && d.quarantine) {
      err('QUARANTINE_ON_CDC_TARGET', `${d.name} is an AUTO CDC target with a quarantine`, { table: d.name, quarantine: d.quarantine.name }, d.origin, 'put the drop expectations and the quarantine on the change feed (a view upstream), as patient_updates_clean does');
    }
  }

  // validateReferences
  const allFlows = [...flowByName.values()];
  for (const fe of allFlows) {
    for (const r of planReads(fe.def.query)) {
      if (!defByName.has(r.dataset)) {
        const isQuarantine = defs.some((x) => x.quarantine?.name === r.dataset);
        if (!isQuarantine) {
          const close = [...byName.keys()].find((k) => k.toLowerCase() === r.dataset.toLowerCase());
          err('UNKNOWN_DATASET', `${fe.isDefault ? fe.def.target : `flow ${fe.def.name}`} reads "${r.dataset}", which the pipeline does not define`, { table: fe.def.target, ...(fe.isDefault ? {} : { flow: fe.def.name }), reference: r.dataset, known: [...byName.keys()] }, fe.def.origin,
            close ? `did you mean "${close}"?` : 'add the dataset to definePipeline([...]) or fix the name');
        }
      }
    }
  }

  // the quarantine tables become datasets of their own (with a default flow reading their dataset)
  const all: { def: DatasetDef; quarantineOf?: string }[] = [];
  for (const d of defs) {
    all.push({ def: d });
    if (d.quarantine) {
      const query = Object.freeze({ kind: 'read', dataset: d.name, streaming: true }) as PlanNode;
      const qdef: DatasetDef = Object.freeze({
        kind: 'streaming_table', name: d.quarantine.name, comment: d.quarantine.comment ?? `Rows of ${d.name} that failed its drop expectations, with the rules they failed.`,
        properties: Object.freeze({ ...d.properties, ...d.quarantine.properties }),
        ...(d.columnComments ? { columnComments: d.columnComments } : {}),
        query,
        expectations: Object.freeze([]), origin: d.origin,
      });
      all.push({ def: qdef, quarantineOf: d.name });
      const e: FlowEntry = { def: Object.freeze({ name: qdef.name, target: qdef.name, kind: 'append' as const, query, once: false, origin: d.origin }), isDefault: true };
      flowsOf.set(qdef.name, [e]);
      if (flowByName.has(qdef.name)) err('DUPLICATE_FLOW', `flow name "${qdef.name}" is taken by the quarantine of ${d.name}`, { flow: qdef.name, table: d.name }, flowByName.get(qdef.name)!.def.origin, 'give the flow its own name');
      flowByName.set(qdef.name, e);
    }
  }
  const entryByName = new Map(all.map((e) => [e.def.name, e]));
  const cdcTargets = new Set<string>();
  for (const [t, fl] of flowsOf) if (fl.some((x) => x.def.kind === 'auto_cdc')) cdcTargets.add(t);

  // validateAcyclic + topological order (Kahn, ties by definition order)
  const deps = new Map<string, string[]>();
  for (const e of all) deps.set(e.def.name, [...new Set(flowsOf.get(e.def.name)!.flatMap((f) => planReads(f.def.query).map((r) => r.dataset)))]);
  const order = topoOrder(all.map((e) => e.def.name), deps, (cycle) => {
    const first = entryByName.get(cycle[0])!.def;
    err('CYCLE', `the datasets ${cycle.join(' -> ')} depend on each other in a cycle`, { cycle, table: first.name }, first.origin, 'break the cycle: a dataset cannot read itself, directly or through others');
  });

  // kinds and read modes
  for (const e of all) {
    const d = e.def;
    if (e.quarantineOf) continue;
    for (const fe of flowsOf.get(d.name)!) {
      const f = fe.def;
      const who = fe.isDefault ? d.name : `flow ${f.name}`;
      for (const r of planReads(f.query)) {
        const target = entryByName.get(r.dataset)!.def;
        if (r.streaming && target.kind === 'materialized_view') {
          err('STREAM_FROM_MATERIALIZED_VIEW', `${who} reads materialized view "${target.name}" with stream(), but a materialized view is not append-only`, { table: d.name, source: target.name }, f.origin, `use read("${target.name}") for a snapshot, or make ${target.name} a streaming table`);
        }
      }
      for (const r of streamReads(f.query)) {
        if (cdcTargets.has(r.dataset) && !r.skipChangeCommits && !f.once) {
          err('STREAM_FROM_CDC_TARGET', `${who} reads AUTO CDC target "${r.dataset}" with stream(), but its rows are updated and deleted in place`, { table: d.name, source: r.dataset, ...(fe.isDefault ? {} : { flow: f.name }) }, f.origin,
            `read a snapshot with read("${r.dataset}") (a materialized view), or ignore the commits that change rows with stream("${r.dataset}", { skipChangeCommits: true }) (SQL: STREAM(${r.dataset}) WITH (skipChangeCommits = true))`);
        }
      }
      if (d.kind === 'materialized_view' && planReads(f.query).some((r) => r.streaming)) {
        err('MATERIALIZED_VIEW_WITH_STREAM', `materialized view ${d.name} reads with stream(); a materialized view is a batch query`, { table: d.name }, d.origin, 'use read(x) in a materialized view, or make it a streaming table');
      }
      if (d.kind === 'streaming_table' && !f.once && !hasStreamingSource(f.query)) {
        if (fe.isDefault) err('STREAMING_TABLE_WITHOUT_STREAM', `streaming table ${d.name} reads nothing incrementally`, { table: d.name }, d.origin, 'read a source with readCsv(...) or another dataset with stream(x), or make it a materialized view');
        err('FLOW_WITHOUT_STREAM', `flow ${f.name} into ${d.name} reads nothing incrementally`, { table: d.name, flow: f.name }, f.origin, f.kind === 'auto_cdc' ? 'read the change feed with stream(x)' : 'read a source with readCsv(...) or another dataset with stream(x), or make it a ONCE flow (once: true) for a one-time backfill');
      }
    }
  }

  // schemas, columns, expectations (in topological order)
  const schemas = new Map<string, Schema>();
  const result = new Map<string, GraphDataset>();
  const streamingOf = new Map<string, boolean>();
  const graphFlows = new Map<string, GraphFlow>();
  for (const name of order) {
    const e = entryByName.get(name)!;
    const d = e.def;
    const flowEntries = flowsOf.get(name)!;
    const flowSchemas: Schema[] = [];
    for (const fe of flowEntries) {
      const f = fe.def;
      const ctx = { datasetSchema: (n: string) => schemas.get(n)!, origin: { table: d.name, file: f.origin.file, line: f.origin.line }, ansi: pipeline.options.ansi ?? false };
      flowSchemas.push(planSchema(f.query, ctx));
    }
    let schema: Schema;
    let cdc: ResolvedCdc | undefined;
    if (e.quarantineOf) {
      schema = [...schemas.get(e.quarantineOf)!, { name: FAILED_EXPECTATIONS_COLUMN, type: 'array<string>' }];
    } else {
      const cdcIndex = flowEntries.findIndex((x) => x.def.kind === 'auto_cdc');
      if (cdcIndex >= 0) {
        cdc = resolveCdc(flowEntries[cdcIndex].def, flowSchemas[cdcIndex]);
        schema = cdcTargetSchema(d, flowEntries[cdcIndex].def, cdc);
      } else {
        schema = targetSchema(d, flowEntries, flowSchemas);
      }
      const expectationSchema = cdc && cdc.spec.storedAs === 2 ? schema.filter((f) => f.name !== SCD2_START_COLUMN && f.name !== SCD2_END_COLUMN) : schema;
      const seen = new Set<string>();
      for (const x of d.expectations) {
        if (seen.has(x.name)) err('DUPLICATE_EXPECTATION', `${d.name} has two expectations named "${x.name}"`, { table: d.name, expectation: x.name }, x.origin ?? d.origin, 'expectation names must be unique within a dataset');
        seen.add(x.name);
        const t = exprType(x.predicate, expectationSchema, { table: d.name, file: x.origin?.file ?? d.origin.file, line: x.origin?.line ?? d.origin.line }, pipeline.options.ansi ?? false);
        if (t !== 'boolean') err('EXPECTATION_NOT_BOOLEAN', `expectation "${x.name}" of ${d.name} is ${t}, not a boolean`, { table: d.name, expectation: x.name, type: t }, x.origin ?? d.origin, 'write a condition, e.g. col("age").between(0, 120)');
      }
      for (const c of [...Object.keys(d.columnComments ?? {}), ...taggedColumns('phi', d.properties)]) {
        if (!schema.some((f) => f.name === c)) {
          err('UNKNOWN_COLUMN', `${d.name} comments on or tags column "${c}", which it does not have`, { table: d.name, column: c, columns: schema.map((f) => f.name) }, d.origin, `columns: ${schema.map((f) => f.name).join(', ')}`);
        }
      }
      if (d.quarantine) {
        if (!d.expectations.some((x) => x.action === 'drop')) err('QUARANTINE_NEEDS_DROP_EXPECTATION', `${d.name} has a quarantine but no drop expectation`, { table: d.name, quarantine: d.quarantine.name }, d.origin, 'add expectOrDrop(...) rules; the quarantine receives the rows they drop');
      }
    }
    const flowStreaming = (f: FlowDef) => !f.once && d.kind !== 'materialized_view'
      && (planSources(f.query).length > 0 || planReads(f.query).some((r) => r.streaming && (streamingOf.get(r.dataset) ?? true)));
    const streaming = d.kind === 'materialized_view' ? false
      : d.kind === 'streaming_table' && !flowEntries.some((x) => x.isDefault) ? true
        : flowEntries.some((x) => flowStreaming(x.def));
    streamingOf.set(name, streaming);
    if (d.quarantine && !streaming) {
      err('QUARANTINE_ON_MATERIALIZED_VIEW', `${d.name} is not a streaming dataset; quarantines collect rows from streaming flows only`, { table: d.name, quarantine: d.quarantine.name }, d.origin, 'put the drop expectations and the quarantine on the streaming table or view upstream');
    }
    flowEntries.forEach((fe, i) => {
      const f = fe.def;
      const fs = flowStreaming(f);
      if (fs && d.kind !== 'materialized_view') {
        validateStreamingOperators(d, f);
        for (const a of findAggregates(f.query)) {
          if (a.kind === 'aggregate' && (!a.window || !hasWatermark(a.input))) {
            err('STREAMING_AGGREGATE_WITHOUT_WATERMARK', `${fe.isDefault ? d.name : `flow ${f.name}`} aggregates a stream without an event-time window and watermark`, { table: d.name }, f.origin, 'use a materialized view for running totals, or group by a tumbling/sliding window after withWatermark(...)');
          }
        }
      }
      const inputs = e.quarantineOf ? [{ dataset: e.quarantineOf, streaming: true }] : planReads(f.query).map((r) => ({ dataset: r.dataset, streaming: r.streaming && !f.once }));
      graphFlows.set(f.name, Object.freeze({
        name: f.name, target: name, kind: f.kind, once: f.once, query: f.query, isDefault: fe.isDefault, inputs,
        streaming: e.quarantineOf ? true : fs, schema: flowSchemas[i], ...(f.kind === 'auto_cdc' && cdc ? { cdc } : {}),
        ...(f.comment ? { comment: f.comment } : {}), origin: f.origin,
      }));
    });
    schemas.set(name, schema);
    const appendOnly = (n: string) => { const x = result.get(n); return x !== undefined && ((x.kind === 'streaming_table' && !x.cdc) || (x.kind === 'view' && x.streaming)); };
    const inputs = flowEntries.flatMap((fe) => graphFlows.get(fe.def.name)!.inputs);
    result.set(name, Object.freeze({
      def: d, name, kind: d.kind, schema, streaming,
      inputs,
      quarantineOf: e.quarantineOf, persisted: d.kind !== 'view', origin: d.origin,
      ...(d.kind === 'materialized_view' && d.query ? { refresh: refreshMode(d.query, appendOnly) } : {}),
      flows: flowEntries.map((x) => x.def.name), cdc: cdcTargets.has(name),
    }));
  }

  const consumers = new Map<string, string[]>(order.map((n) => [n, []]));
  for (const n of order) for (const dep of deps.get(n)!) consumers.get(dep)!.push(n);
  const flowOrder = order.flatMap((n) => result.get(n)!.flows);
  return Object.freeze({ pipeline, datasets: result, order, consumers, flows: graphFlows, flowOrder });
}

/** The schema of a table written by append flows: declared, or the union of the flows' columns by name. */
function targetSchema(d: DatasetDef, flows: readonly FlowEntry[], flowSchemas: readonly Schema[]): Schema {
  if (d.schema) {
    flows.forEach((fe, i) => {
      for (const f of flowSchemas[i]) {
        const t = d.schema!.find((x) => x.name === f.name);
        if (!t || t.type !== f.type) {
          err('FLOW_SCHEMA_MISMATCH', `${fe.isDefault ? d.name : `flow ${fe.def.name}`} writes column ${f.name} (${f.type}), which ${d.name} declares ${t ? `as ${t.type}` : 'not at all'}`, { table: d.name, flow: fe.def.name, column: f.name, type: f.type, declared: t?.type ?? null }, fe.def.origin,
            t ? `cast the column to ${t.type} in the flow's query` : `add ${f.name} to the declared schema of ${d.name}, or leave it out of the flow's query`);
        }
      }
    });
    return d.schema;
  }
  const out: Field[] = [];
  flows.forEach((fe, i) => {
    for (const f of flowSchemas[i]) {
      const prev = out.find((x) => x.name === f.name);
      if (!prev) { out.push(f); continue; }
      if (prev.type !== f.type) {
        err('FLOW_SCHEMA_MISMATCH', `flows into ${d.name} give column ${f.name} two types: ${prev.type} and ${f.type} (flow ${fe.def.name})`, { table: d.name, flow: fe.def.name, column: f.name, type: f.type, other: prev.type }, fe.def.origin, `cast ${f.name} to one type in every flow`);
      }
    }
  });
  return out;
}

const SEQUENCE_TYPES = (t: DataType) => !isNested(t) && t !== 'boolean' && !t.startsWith('interval');

/** Resolves an AUTO CDC flow against its change feed's schema. */
function resolveCdc(f: FlowDef, source: Schema): ResolvedCdc {
  const spec = f.cdc!;
  const o: Origin = { table: f.target, file: f.origin.file, line: f.origin.line };
  const bad = (what: string, params: Record<string, unknown>, hint: string): never => err('INVALID_AUTO_CDC', `AUTO CDC flow ${f.name} into ${f.target}: ${what}`, { flow: f.name, table: f.target, ...params }, o, hint);
  const names = source.map((x) => x.name);
  const need = (cols: readonly string[], what: string) => {
    for (const c of cols) if (!names.includes(c)) err('UNKNOWN_COLUMN', `${what} column "${c}" is not a column of the change feed of ${f.name}`, { flow: f.name, table: f.target, column: c, known: names }, o, `columns: ${names.join(', ')}`);
  };
  need(spec.keys, 'key');
  for (const k of spec.keys) if (isNested(source.find((x) => x.name === k)!.type)) bad(`key ${k} is a nested type`, { column: k }, 'use columns of simple types as keys');
  const sequenceType = exprType(spec.sequenceBy, source, o);
  if (!SEQUENCE_TYPES(sequenceType)) bad(`SEQUENCE BY is ${sequenceType}, which has no order`, { type: sequenceType }, 'sequence by a number, a timestamp, a date or a string');
  for (const [what, e] of [['APPLY AS DELETE WHEN', spec.applyAsDeletes], ['APPLY AS TRUNCATE WHEN', spec.applyAsTruncates]] as const) {
    if (!e) continue;
    const t = exprType(e, source, o);
    if (t !== 'boolean') bad(`${what} is ${t}, not a condition`, { type: t }, "write a condition, e.g. col('op').eq('DELETE')");
  }
  if (spec.applyAsTruncates && spec.storedAs === 2) bad('APPLY AS TRUNCATE is for SCD type 1 only', {}, 'drop applyAsTruncates, or store as SCD type 1');
  if (spec.columns) need(spec.columns, 'COLUMNS');
  if (spec.exceptColumns) need(spec.exceptColumns, 'COLUMNS * EXCEPT');
  const columns = spec.columns ? names.filter((n) => spec.columns!.includes(n)) : names.filter((n) => !(spec.exceptColumns ?? []).includes(n));
  for (const k of spec.keys) if (!columns.includes(k)) bad(`key ${k} is not among the target's columns`, { column: k }, 'keep the keys in COLUMNS');
  if (spec.storedAs === 2) {
    for (const c of [SCD2_START_COLUMN, SCD2_END_COLUMN]) if (columns.includes(c)) bad(`the change feed has a column ${c}, which SCD type 2 adds`, { column: c }, `leave ${c} out with exceptColumns`);
  }
  if ((spec.trackHistory || spec.trackHistoryExcept) && spec.storedAs !== 2) bad('TRACK HISTORY is for SCD type 2 only', {}, 'store as SCD type 2 (storedAs: 2), or drop trackHistory');
  const nonKey = columns.filter((c) => !spec.keys.includes(c));
  const inTarget = (cols: readonly string[], what: string) => {
    for (const c of cols) if (!columns.includes(c)) bad(`${what} names ${c}, which is not a column of the target`, { column: c }, `target columns: ${columns.join(', ')}`);
  };
  if (spec.trackHistory) inTarget(spec.trackHistory, 'TRACK HISTORY ON');
  if (spec.trackHistoryExcept) inTarget(spec.trackHistoryExcept, 'TRACK HISTORY ON * EXCEPT');
  const tracked = spec.trackHistory ? nonKey.filter((c) => spec.trackHistory!.includes(c)) : nonKey.filter((c) => !(spec.trackHistoryExcept ?? []).includes(c));
  let ignoreNull: string[] = [];
  if (spec.ignoreNullUpdates === true) ignoreNull = nonKey;
  else if (Array.isArray(spec.ignoreNullUpdates)) { inTarget(spec.ignoreNullUpdates, 'IGNORE NULL UPDATES ON'); ignoreNull = nonKey.filter((c) => spec.ignoreNullUpdates !== true && (spec.ignoreNullUpdates as readonly string[]).includes(c)); }
  return Object.freeze({ spec, sourceSchema: source, columns: Object.freeze(columns), tracked: Object.freeze(tracked), ignoreNull: Object.freeze(ignoreNull), sequenceType });
}

/** An AUTO CDC target's schema: the kept columns, then (SCD type 2) `__START_AT`, `__END_AT` typed as the sequence. */
function cdcTargetSchema(d: DatasetDef, f: FlowDef, cdc: ResolvedCdc): Schema {
  const out: Field[] = cdc.columns.map((c) => cdc.sourceSchema.find((x) => x.name === c)!);
  if (cdc.spec.storedAs === 2) out.push({ name: SCD2_START_COLUMN, type: cdc.sequenceType }, { name: SCD2_END_COLUMN, type: cdc.sequenceType });
  if (d.schema) {
    const same = d.schema.length === out.length && out.every((x) => d.schema!.some((y) => y.name === x.name && y.type === x.type));
    if (!same) {
      err('FLOW_SCHEMA_MISMATCH', `the declared schema of ${d.name} does not match what AUTO CDC flow ${f.name} writes`, { table: d.name, flow: f.name, declared: d.schema.map((x) => `${x.name} ${x.type}`), written: out.map((x) => `${x.name} ${x.type}`) }, f.origin,
        `declare exactly: ${out.map((x) => `${x.name} ${x.type}`).join(', ')}${cdc.spec.storedAs === 2 ? ` (${SCD2_START_COLUMN} and ${SCD2_END_COLUMN} have the type of SEQUENCE BY)` : ''}`);
    }
    return d.schema;
  }
  return out;
}

/** Kahn's algorithm; `onCycle` gets one cycle's path when there is one. */
export function topoOrder(names: readonly string[], deps: ReadonlyMap<string, readonly string[]>, onCycle: (cycle: string[]) => never): string[] {
  const pos = new Map(names.map((n, i) => [n, i]));
  const indeg = new Map(names.map((n) => [n, 0]));
  const users = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const n of names) for (const d of deps.get(n) ?? []) { indeg.set(n, indeg.get(n)! + 1); users.get(d)?.push(n); }
  const ready = names.filter((n) => indeg.get(n) === 0);
  const out: string[] = [];
  while (ready.length) {
    ready.sort((a, b) => pos.get(a)! - pos.get(b)!);
    const n = ready.shift()!;
    out.push(n);
    for (const u of users.get(n)!) { indeg.set(u, indeg.get(u)! - 1); if (indeg.get(u) === 0) ready.push(u); }
  }
  if (out.length < names.length) {
    // find a cycle among the remaining nodes
    const left = new Set(names.filter((n) => !out.includes(n)));
    let cur = [...left].sort((a, b) => pos.get(a)! - pos.get(b)!)[0];
    const path: string[] = [];
    const seenAt = new Map<string, number>();
    while (!seenAt.has(cur)) {
      seenAt.set(cur, path.length);
      path.push(cur);
      cur = (deps.get(cur) ?? []).find((d) => left.has(d))!;
    }
    const cycle = path.slice(seenAt.get(cur)!);
    cycle.push(cur);
    onCycle(cycle.reverse());
  }
  return out;
}

/** Every dataset downstream of `names` (inclusive), in execution order. */
export function downstreamOf(graph: PipelineGraph, names: readonly string[]): string[] {
  const hit = new Set(names);
  for (const n of graph.order) {
    const g = graph.datasets.get(n)!;
    if (g.inputs.some((i) => hit.has(i.dataset))) hit.add(n);
  }
  return graph.order.filter((n) => hit.has(n));
}
