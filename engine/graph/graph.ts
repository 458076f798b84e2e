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
 */
import type { DatasetDef, PlanNode } from '../ir/plan.js';
import { FAILED_EXPECTATIONS_COLUMN, planInputs, planReads, planSources, taggedColumns } from '../ir/plan.js';
import type { Schema } from '../ir/types.js';
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
  /** Datasets this one reads, with the read mode. */
  readonly inputs: readonly { dataset: string; streaming: boolean }[];
  /** Set on the quarantine table of a dataset: the dataset whose dropped rows it receives. */
  readonly quarantineOf?: string;
  readonly persisted: boolean;
  readonly origin: Origin;
  /** Materialized views: refreshed incrementally or recomputed, and why. */
  readonly refresh?: RefreshMode;
}

export interface PipelineGraph {
  readonly pipeline: Pipeline;
  readonly datasets: ReadonlyMap<string, GraphDataset>;
  /** Dataset names in a valid execution order (ties broken by definition order). */
  readonly order: readonly string[];
  /** Direct consumers of each dataset. */
  readonly consumers: ReadonlyMap<string, readonly string[]>;
}

function err(code: string, message: string, params: Record<string, unknown>, origin: Origin | undefined, hint: string): never {
  throw new DefinitionError(code, message, params, { origin, hint });
}

function hasStreamingSource(p: PlanNode): boolean {
  if (p.kind === 'csv' || p.kind === 'rows') return true;
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
function validateStreamingOperators(d: DatasetDef): void {
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
  walk(d.query);
}

function hasWatermark(p: PlanNode): boolean {
  if (p.kind === 'watermark') return true;
  return planInputs(p).some(hasWatermark);
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

  // validateReferences
  const defByName = new Map(defs.map((d) => [d.name, d]));
  for (const d of defs) {
    for (const r of planReads(d.query)) {
      if (!defByName.has(r.dataset)) {
        const isQuarantine = defs.some((x) => x.quarantine?.name === r.dataset);
        if (!isQuarantine) {
          const close = [...byName.keys()].find((k) => k.toLowerCase() === r.dataset.toLowerCase());
          err('UNKNOWN_DATASET', `${d.name} reads "${r.dataset}", which the pipeline does not define`, { table: d.name, reference: r.dataset, known: [...byName.keys()] }, d.origin,
            close ? `did you mean "${close}"?` : 'add the dataset to definePipeline([...]) or fix the name');
        }
      }
    }
  }

  // the quarantine tables become datasets of their own
  const all: { def: DatasetDef; quarantineOf?: string }[] = [];
  for (const d of defs) {
    all.push({ def: d });
    if (d.quarantine) {
      all.push({
        def: Object.freeze({
          kind: 'streaming_table', name: d.quarantine.name, comment: d.quarantine.comment ?? `Rows of ${d.name} that failed its drop expectations, with the rules they failed.`,
          properties: Object.freeze({ ...d.properties, ...d.quarantine.properties }),
          ...(d.columnComments ? { columnComments: d.columnComments } : {}),
          query: Object.freeze({ kind: 'read', dataset: d.name, streaming: true }) as PlanNode,
          expectations: Object.freeze([]), origin: d.origin,
        }),
        quarantineOf: d.name,
      });
    }
  }
  const entryByName = new Map(all.map((e) => [e.def.name, e]));

  // validateAcyclic + topological order (Kahn, ties by definition order)
  const deps = new Map<string, string[]>();
  for (const e of all) deps.set(e.def.name, [...new Set(planReads(e.def.query).map((r) => r.dataset))]);
  const order = topoOrder(all.map((e) => e.def.name), deps, (cycle) => {
    const first = entryByName.get(cycle[0])!.def;
    err('CYCLE', `the datasets ${cycle.join(' -> ')} depend on each other in a cycle`, { cycle, table: first.name }, first.origin, 'break the cycle: a dataset cannot read itself, directly or through others');
  });

  // kinds and read modes
  for (const e of all) {
    const d = e.def;
    if (e.quarantineOf) continue;
    for (const r of planReads(d.query)) {
      const target = entryByName.get(r.dataset)!.def;
      if (r.streaming && target.kind === 'materialized_view') {
        err('STREAM_FROM_MATERIALIZED_VIEW', `${d.name} reads materialized view "${target.name}" with stream(), but a materialized view is not append-only`, { table: d.name, source: target.name }, d.origin, `use read("${target.name}") for a snapshot, or make ${target.name} a streaming table`);
      }
    }
    if (d.kind === 'materialized_view' && planReads(d.query).some((r) => r.streaming)) {
      err('MATERIALIZED_VIEW_WITH_STREAM', `materialized view ${d.name} reads with stream(); a materialized view is a batch query`, { table: d.name }, d.origin, 'use read(x) in a materialized view, or make it a streaming table');
    }
    if (d.kind === 'streaming_table' && !hasStreamingSource(d.query)) {
      err('STREAMING_TABLE_WITHOUT_STREAM', `streaming table ${d.name} reads nothing incrementally`, { table: d.name }, d.origin, 'read a source with readCsv(...) or another dataset with stream(x), or make it a materialized view');
    }
  }

  // schemas, columns, expectations (in topological order)
  const schemas = new Map<string, Schema>();
  const result = new Map<string, GraphDataset>();
  const streamingOf = new Map<string, boolean>();
  for (const name of order) {
    const e = entryByName.get(name)!;
    const d = e.def;
    const ctx = { datasetSchema: (n: string) => schemas.get(n)!, origin: { table: d.name, file: d.origin.file, line: d.origin.line }, ansi: pipeline.options.ansi ?? false };
    let schema: Schema;
    if (e.quarantineOf) {
      schema = [...schemas.get(e.quarantineOf)!, { name: FAILED_EXPECTATIONS_COLUMN, type: 'array<string>' }];
    } else {
      schema = planSchema(d.query, ctx);
      const seen = new Set<string>();
      for (const x of d.expectations) {
        if (seen.has(x.name)) err('DUPLICATE_EXPECTATION', `${d.name} has two expectations named "${x.name}"`, { table: d.name, expectation: x.name }, x.origin ?? d.origin, 'expectation names must be unique within a dataset');
        seen.add(x.name);
        const t = exprType(x.predicate, schema, { table: d.name, file: x.origin?.file ?? d.origin.file, line: x.origin?.line ?? d.origin.line }, pipeline.options.ansi ?? false);
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
    const streaming = d.kind === 'materialized_view' ? false
      : planSources(d.query).length > 0 || planReads(d.query).some((r) => r.streaming && (streamingOf.get(r.dataset) ?? true));
    streamingOf.set(name, streaming);
    if (d.quarantine && !streaming) {
      err('QUARANTINE_ON_MATERIALIZED_VIEW', `${d.name} is not a streaming dataset; quarantines collect rows from streaming flows only`, { table: d.name, quarantine: d.quarantine.name }, d.origin, 'put the drop expectations and the quarantine on the streaming table or view upstream');
    }
    if (streaming && d.kind !== 'materialized_view') {
      validateStreamingOperators(d);
      for (const a of findAggregates(d.query)) {
        if (a.kind === 'aggregate' && (!a.window || !hasWatermark(a.input))) {
          err('STREAMING_AGGREGATE_WITHOUT_WATERMARK', `${d.name} aggregates a stream without an event-time window and watermark`, { table: d.name }, d.origin, 'use a materialized view for running totals, or group by a tumbling/sliding window after withWatermark(...)');
        }
      }
    }
    schemas.set(name, schema);
    const appendOnly = (n: string) => { const x = result.get(n); return x !== undefined && (x.kind === 'streaming_table' || (x.kind === 'view' && x.streaming)); };
    result.set(name, Object.freeze({
      def: d, name, kind: d.kind, schema, streaming,
      inputs: e.quarantineOf ? [{ dataset: e.quarantineOf, streaming: true }] : planReads(d.query),
      quarantineOf: e.quarantineOf, persisted: d.kind !== 'view', origin: d.origin,
      ...(d.kind === 'materialized_view' ? { refresh: refreshMode(d.query, appendOnly) } : {}),
    }));
  }

  const consumers = new Map<string, string[]>(order.map((n) => [n, []]));
  for (const n of order) for (const dep of deps.get(n)!) consumers.get(dep)!.push(n);
  return Object.freeze({ pipeline, datasets: result, order, consumers });
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
