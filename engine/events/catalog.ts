/**
 * A catalog: what an output folder holds, described without the pipeline's code.
 *
 * The event log's `dataset_definition` and `flow_definition` events name every
 * dataset with its kind, schema, properties, expectations and inputs, so a
 * reader of an output folder (`status`, `show`, `events`, the dashboard) can
 * describe any pipeline that wrote it, TypeScript or SQL, without `--pipeline`.
 * `catalogOfGraph` gives the same shape from a pipeline graph.
 */
import type { DatasetKind, ExpectationAction } from '../ir/plan.js';
import { taggedColumns } from '../ir/plan.js';
import { exprToString } from '../expr/text.js';
import { parseTypeName, type Field, type Schema } from '../ir/types.js';
import type { PipelineGraph } from '../graph/graph.js';
import type { PipelineEvent } from './schema.js';

export interface CatalogExpectation {
  readonly name: string;
  readonly action: ExpectationAction;
  /** The condition as text (`age IS NOT NULL AND …`), when known. */
  readonly constraint: string | null;
}

export interface CatalogDataset {
  readonly name: string;
  readonly kind: DatasetKind;
  /** Stored as a Delta table (views are not). */
  readonly persisted: boolean;
  /** The `quality` table property (bronze, silver, gold), if any. */
  readonly layer: string | null;
  readonly properties: Readonly<Record<string, string>>;
  readonly comment: string | null;
  readonly schema: Schema;
  readonly columnComments: Readonly<Record<string, string>>;
  readonly expectations: readonly CatalogExpectation[];
  /** Datasets this one reads, with the read mode. */
  readonly inputs: readonly { dataset: string; streaming: boolean }[];
  /** On a quarantine table: the dataset whose dropped rows it receives. */
  readonly quarantineOf: string | null;
  /** The quarantine table of this dataset, if it has one. */
  readonly quarantine: string | null;
  /** Where the dataset is defined. */
  readonly origin: { file: string | null; line: number | null };
  /** Materialized views: refreshed incrementally or recomputed, and why (null when not known). */
  readonly refresh: { mode: 'incremental' | 'recompute'; reason: string } | null;
}

export interface Catalog {
  readonly pipeline: string;
  /** Dataset names in execution order. */
  readonly order: readonly string[];
  readonly datasets: ReadonlyMap<string, CatalogDataset>;
  /** Direct consumers of each dataset. */
  readonly consumers: ReadonlyMap<string, readonly string[]>;
  /** Where the description comes from: the event log (the update that wrote it) or a pipeline module. */
  readonly source: { kind: 'event_log'; updateId: string } | { kind: 'pipeline' };
}

/** The columns of a dataset tagged `tag` by its table property or its column comments (see `taggedColumns`). */
export function columnsTagged(d: CatalogDataset, tag: string): string[] {
  return taggedColumns(tag, d.properties, d.columnComments);
}

function consumersOf(order: readonly string[], datasets: ReadonlyMap<string, CatalogDataset>): Map<string, string[]> {
  const out = new Map<string, string[]>(order.map((n) => [n, []]));
  for (const n of order) for (const i of datasets.get(n)!.inputs) if (!out.get(i.dataset)?.includes(n)) out.get(i.dataset)?.push(n);
  return out;
}

/** The catalog of a pipeline graph. */
export function catalogOfGraph(graph: PipelineGraph): Catalog {
  const datasets = new Map<string, CatalogDataset>();
  for (const name of graph.order) {
    const g = graph.datasets.get(name)!;
    const quarantine = g.def.quarantine?.name ?? null;
    datasets.set(name, Object.freeze({
      name, kind: g.kind, persisted: g.persisted, layer: g.def.properties.quality ?? null,
      properties: g.def.properties, comment: g.def.comment ?? null, schema: g.schema,
      columnComments: g.def.columnComments ?? {},
      expectations: g.def.expectations.map((x) => ({ name: x.name, action: x.action, constraint: exprToString(x.predicate) })),
      inputs: g.inputs, quarantineOf: g.quarantineOf ?? null, quarantine,
      origin: { file: g.origin.file ?? null, line: g.origin.line ?? null },
      refresh: g.refresh ? { mode: g.refresh.mode, reason: g.refresh.reason } : null,
    }));
  }
  return Object.freeze({ pipeline: graph.pipeline.name, order: graph.order, datasets, consumers: consumersOf(graph.order, datasets), source: { kind: 'pipeline' as const } });
}

const KINDS: Record<string, DatasetKind> = { STREAMING_TABLE: 'streaming_table', MATERIALIZED_VIEW: 'materialized_view', VIEW: 'view' };
const ACTIONS: Record<string, ExpectationAction> = { WARN: 'warn', DROP: 'drop', FAIL: 'fail' };

interface SchemaField { name?: unknown; data_type?: unknown; comment?: unknown }

/**
 * The catalog the event log describes: the datasets and flows defined by the
 * last update that wrote definitions, in the order it wrote them. Null when
 * the log holds no definitions.
 */
export function catalogOfEvents(events: readonly PipelineEvent[]): Catalog | null {
  let updateId: string | null = null;
  for (let i = events.length - 1; i >= 0 && updateId === null; i--) if (events[i].event_type === 'dataset_definition') updateId = events[i].origin.update_id;
  if (updateId === null) return null;
  const defs = events.filter((e) => e.origin.update_id === updateId && e.event_type === 'dataset_definition');
  // a dataset's inputs are those of every flow that writes it
  const flows = new Map<string, { input_datasets: string[]; streaming_inputs: string[]; refresh_mode?: unknown; refresh_reason?: unknown }>();
  for (const e of events) {
    if (e.origin.update_id !== updateId || e.event_type !== 'flow_definition') continue;
    const fd = e.details?.flow_definition ?? {};
    const key = String(fd.output_dataset ?? e.origin.flow_name);
    const acc = flows.get(key) ?? { input_datasets: [], streaming_inputs: [] };
    for (const d of Array.isArray(fd.input_datasets) ? fd.input_datasets as string[] : []) if (!acc.input_datasets.includes(d)) acc.input_datasets.push(d);
    for (const d of Array.isArray(fd.streaming_inputs) ? fd.streaming_inputs as string[] : []) if (!acc.streaming_inputs.includes(d)) acc.streaming_inputs.push(d);
    if (fd.refresh_mode !== undefined) { acc.refresh_mode = fd.refresh_mode; acc.refresh_reason = fd.refresh_reason; }
    flows.set(key, acc);
  }
  const datasets = new Map<string, CatalogDataset>();
  const order: string[] = [];
  let pipeline = defs[0]?.origin.pipeline_name ?? 'pipeline';
  for (const e of events) if (e.origin.update_id === updateId && e.event_type === 'create_update') pipeline = e.details?.create_update?.config?.name ?? pipeline;
  for (const e of defs) {
    const dd = e.details?.dataset_definition ?? {};
    const name = e.origin.dataset_name;
    if (!name || datasets.has(name)) continue;
    const kind = KINDS[String(dd.dataset_type)] ?? 'streaming_table';
    const columnComments: Record<string, string> = {};
    const schema: Field[] = [];
    for (const f of (Array.isArray(dd.schema) ? dd.schema : []) as SchemaField[]) {
      if (typeof f.name !== 'string') continue;
      schema.push({ name: f.name, type: parseTypeName(String(f.data_type ?? 'string')) ?? 'string' });
      if (typeof f.comment === 'string') columnComments[f.name] = f.comment;
    }
    const fd = flows.get(name) ?? { input_datasets: [] as string[], streaming_inputs: [] as string[], refresh_mode: undefined as unknown, refresh_reason: undefined as unknown };
    const streamingInputs = new Set<string>(fd.streaming_inputs);
    const inputs = fd.input_datasets.map((d) => ({ dataset: d, streaming: streamingInputs.has(d) }));
    const properties: Record<string, string> = {};
    for (const [k, v] of Object.entries(dd.table_properties ?? {})) properties[k] = String(v);
    datasets.set(name, Object.freeze({
      name, kind, persisted: typeof dd.persisted === 'boolean' ? dd.persisted : kind !== 'view',
      layer: properties.quality ?? null, properties, comment: typeof dd.comment === 'string' ? dd.comment : null,
      schema, columnComments,
      expectations: (Array.isArray(dd.expectations) ? dd.expectations : []).map((x: Record<string, unknown>) => ({
        name: String(x.name), action: ACTIONS[String(x.action).toUpperCase()] ?? 'warn', constraint: typeof x.constraint === 'string' ? x.constraint : null,
      })),
      inputs, quarantineOf: typeof dd.quarantine_of === 'string' ? dd.quarantine_of : null,
      quarantine: typeof dd.quarantine === 'string' ? dd.quarantine : null,
      origin: { file: dd.source_location?.path ?? null, line: dd.source_location?.line_number ?? null },
      refresh: fd.refresh_mode === 'incremental' || fd.refresh_mode === 'recompute' ? { mode: fd.refresh_mode as 'incremental' | 'recompute', reason: typeof fd.refresh_reason === 'string' ? fd.refresh_reason : '' } : null,
    }));
    order.push(name);
  }
  return Object.freeze({ pipeline, order, datasets, consumers: consumersOf(order, datasets), source: { kind: 'event_log' as const, updateId } });
}
