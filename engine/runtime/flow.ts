/**
 * A flow's physical plan: the plan IR compiled into operators, with the state
 * of its stateful ones. One compiled flow serves both evaluation modes:
 *
 * - delta mode (streaming tables and views): each step gets the new input rows
 *   (a source chunk, the upstream datasets' new rows) and returns the new output
 *   rows; stateful operators remember what they need across steps and batches.
 * - snapshot mode (materialized views recomputed from scratch): a fresh copy of
 *   the flow runs once over complete inputs.
 *
 * Event time (streaming mode, Spark's semantics):
 * - each `withWatermark` node records the max event time of the rows it sees in
 *   a batch; after the batch (`advanceWatermarks`) its watermark becomes
 *   max − delay unless that is lower than before (it never moves back);
 * - the flow's batch watermark is the minimum over its watermark nodes, and is
 *   unset (no row is late) until every node has seen a row; it applies from the
 *   next batch, constant within a batch;
 * - a windowed aggregate discards a (row, window) pair when window_end <= the
 *   batch watermark, counts rows discarded from all their windows as
 *   `late_records`, and drops and counts rows with a NULL event time as
 *   `null_event_time_records` (the watermark node ignores them);
 * - on the closing step of each batch it emits, once, the windows whose end is
 *   at or before the batch watermark, and evicts them from state (append mode).
 * Incremental materialized views have no watermark: every window stays and is
 * shown with its current values (complete mode); NULL event times are counted.
 */
import { DEFAULT_ENV, type EvalEnv } from '../expr/eval.js';
import type { PlanNode } from '../ir/plan.js';
import type { Schema } from '../ir/types.js';
import { concatBatches, emptyBatch, type Batch } from '../batch.js';
import { planSchema, type TypeContext } from '../expr/typecheck.js';
import { ProjectOperator, DropOperator } from '../operators/project.js';
import { FilterOperator } from '../operators/filter.js';
import { JoinOperator } from '../operators/join.js';
import { AsOfJoinOperator } from '../operators/asof-join.js';
import { DedupOperator } from '../operators/dedup.js';
import { AggregateOperator } from '../operators/aggregate.js';
import { UnionOperator } from '../operators/union.js';
import { DistinctOperator } from '../operators/distinct.js';
import { LimitOperator, SortOperator } from '../operators/sort.js';
import { WindowOperator } from '../operators/window.js';
import { GenerateOperator } from '../operators/generate.js';
import { eventTimeUs } from '../operators/window-assign.js';
import { columnFromValues, columnIndex } from '../batch.js';
import { staticPushdown, type KeyProbe, type StaticPushdown } from './static-pushdown.js';
import { unionLayout } from '../expr/typecheck.js';
import { UnsupportedError, type Origin } from '../errors.js';

/**
 * - `streaming`: delta mode (streaming tables and views);
 * - `incremental`: a materialized view maintained from its inputs' new rows;
 * - `snapshot`: one run over complete inputs.
 */
export type FlowMode = 'streaming' | 'incremental' | 'snapshot';

export interface StepInputs {
  /** New rows of a source of this flow in this step (by source key), if any. */
  source(key: string): Batch | null;
  /** New rows of a dataset in this step (streaming read), if any. */
  delta(dataset: string): Batch | null;
  /** The complete current contents of a dataset (batch read). */
  snapshot(dataset: string): Batch;
  /**
   * The rows of a dataset whose `keys` columns hold the key of one of the
   * `probe` rows, for a stream-static join's right side restricted by key
   * (`staticReads` says which datasets); columns the flow does not read may be
   * NULL. Absent: `snapshot` is used.
   */
  snapshotWhere?(dataset: string, keys: readonly string[], probe: KeyProbe): Batch;
  /** True on the closing step of a micro-batch, when windows the watermark passed are emitted. */
  readonly final: boolean;
}

/** Per-batch counters of a flow (late and NULL event-time rows of windowed aggregates). */
export interface FlowCounters {
  late_records: number;
  null_event_time_records: number;
}

type Phys =
  | { k: 'source'; key: string; schema: Schema }
  | { k: 'read'; dataset: string; streaming: boolean; schema: Schema }
  | { k: 'map'; op: { process(b: Batch): Batch }; input: Phys; schema: Schema }
  | { k: 'join'; op: JoinOperator | AsOfJoinOperator; left: Phys; right: Phys; schema: Schema; pushdown: { pd: StaticPushdown; leftKeys: number[] } | null }
  | { k: 'union'; op: UnionOperator; inputs: Phys[]; schema: Schema }
  /** Inline rows (VALUES): the same complete batch whenever it is read. */
  | { k: 'const'; batch: Batch; schema: Schema }
  | { k: 'agg'; op: AggregateOperator; input: Phys; schema: Schema; id: string }
  | { k: 'watermark'; column: number; delayUs: number; input: Phys; schema: Schema; id: string };

export interface StatefulOperatorRef {
  id: string;
  op: DedupOperator | AggregateOperator;
}

export class CompiledFlow {
  readonly schema: Schema;
  readonly stateful: StatefulOperatorRef[] = [];
  /** Watermark nodes: id → delay. */
  readonly watermarks: { id: string; delayUs: number }[] = [];
  private root: Phys;
  private sourceCounter = 0;
  /** Max event time seen this batch per watermark node. */
  private batchMaxEventUs = new Map<string, number>();
  /** Current watermark (µs) of each watermark node; absent until the first batch with data. */
  private watermarkUs = new Map<string, number>();
  counters: FlowCounters = { late_records: 0, null_event_time_records: 0 };

  constructor(readonly dataset: string, readonly plan: PlanNode, readonly ctx: TypeContext, readonly origin: Origin, readonly mode: FlowMode, readonly env: EvalEnv = DEFAULT_ENV) {
    this.root = this.compile(plan, 'r');
    this.schema = this.root.schema;
    this.staticReads = this.snapshotReads();
  }

  /**
   * The datasets this flow reads as snapshots: `columns` when every read of it
   * is restricted by key (`snapshotWhere`, these columns; null: all), or null
   * when some read needs the whole snapshot.
   */
  readonly staticReads: ReadonlyMap<string, { columns: readonly string[] | null } | null>;

  /** A fresh copy with empty state (for snapshot-mode recomputation). */
  fresh(): CompiledFlow {
    return new CompiledFlow(this.dataset, this.plan, this.ctx, this.origin, this.mode, this.env);
  }

  /** Delta mode over streaming inputs (streaming tables and views). */
  get streaming(): boolean { return this.mode === 'streaming'; }

  private compile(p: PlanNode, id: string): Phys {
    const schema = planSchema(p, this.ctx);
    switch (p.kind) {
      case 'csv': case 'files': case 'rows': {
        const key = sourceKey(this.dataset, p, this.sourceCounter++);
        return { k: 'source', key, schema };
      }
      case 'read': return { k: 'read', dataset: p.dataset, streaming: p.streaming, schema };
      case 'select': case 'derive': {
        const input = this.compile(p.input, id + '.0');
        return { k: 'map', op: new ProjectOperator(input.schema, p.columns, p.kind, this.env), input, schema };
      }
      case 'drop': {
        const input = this.compile(p.input, id + '.0');
        return { k: 'map', op: new DropOperator(input.schema, p.names), input, schema };
      }
      case 'filter': {
        const input = this.compile(p.input, id + '.0');
        return { k: 'map', op: new FilterOperator(input.schema, p.predicate, this.env), input, schema };
      }
      case 'dedup': {
        const input = this.compile(p.input, id + '.0');
        const op = new DedupOperator(input.schema, p.keys);
        this.stateful.push({ id: `${id}:dedup`, op });
        return { k: 'map', op, input, schema };
      }
      case 'join': {
        const left = this.compile(p.input, id + '.0');
        const right = this.compile(p.right, id + '.1');
        if (this.streaming && isStreamingPhys(right)) {
          const both = isStreamingPhys(left);
          throw new UnsupportedError(both ? 'UNSUPPORTED_STREAM_STREAM_JOIN' : 'UNSUPPORTED_STREAMING_JOIN', both ? `${this.dataset} joins two streams; only stream-static joins are supported` : `${this.dataset} joins a snapshot with a stream on its right; the stream must be the left side`, { table: this.dataset, how: p.how }, { origin: this.origin, hint: both ? 'read the right side with read(x) (a snapshot), not stream(x)' : 'swap the sides: stream(x).join(read(y), …)' });
        }
        return { k: 'join', op: new JoinOperator(left.schema, right.schema, p.how, p.on, p.condition ?? null, this.env), left, right, schema, pushdown: this.pushdownOf(p, left, right) };
      }
      case 'asofJoin': {
        const left = this.compile(p.input, id + '.0');
        const right = this.compile(p.right, id + '.1');
        if (this.streaming && isStreamingPhys(right)) {
          throw new UnsupportedError('UNSUPPORTED_STREAM_STREAM_JOIN', `${this.dataset} joins two streams; only stream-static joins are supported`, { table: this.dataset }, { origin: this.origin, hint: 'read the right side with read(x) (a snapshot), not stream(x)' });
        }
        return { k: 'join', op: new AsOfJoinOperator(left.schema, right.schema, p), left, right, schema, pushdown: this.pushdownOf(p, left, right) };
      }
      case 'union': {
        const inputs = p.inputs.map((x, i) => this.compile(x, `${id}.${i}`));
        const same = inputs.every((x) => x.schema.length === schema.length && x.schema.every((f, j) => f.name === schema[j].name && f.type === schema[j].type));
        const layout = same ? null : unionLayout(inputs.map((x) => x.schema), p.byName ?? false, p.allowMissing ?? false, this.ctx.origin);
        return { k: 'union', op: layout ? new UnionOperator(schema, layout.sources, inputs.map((x) => x.schema)) : new UnionOperator(schema), inputs, schema };
      }
      case 'values': {
        const batch: Batch = { schema, columns: schema.map((f, j) => columnFromValues(f.type, p.rows.map((r) => r[j]))), length: p.rows.length };
        return { k: 'const', batch, schema };
      }
      case 'distinct': {
        const input = this.compile(p.input, id + '.0');
        const did = `${id}:distinct`;
        if (this.mode === 'streaming' && isStreamingPhys(input)) {
          // over a stream: each distinct row once, the first time it arrives (dropDuplicates on every column)
          const op = new DedupOperator(input.schema, input.schema.map((f) => f.name));
          this.stateful.push({ id: did, op });
          return { k: 'map', op, input, schema };
        }
        if (this.mode === 'incremental' && !hasMaterialization(input)) {
          // the materialized view's kept state: a grouping on every column, without aggregates
          const op = new AggregateOperator(input.schema, input.schema.map((f) => [f.name, { kind: 'col', name: f.name }] as const), [], null, this.env);
          this.stateful.push({ id: did, op });
          return { k: 'agg', op, input, schema, id: did };
        }
        return { k: 'map', op: new DistinctOperator(input.schema), input, schema };
      }
      case 'sort': {
        const input = this.compile(p.input, id + '.0');
        return { k: 'map', op: new SortOperator(input.schema, p.keys, this.env), input, schema };
      }
      case 'limit': {
        const input = this.compile(p.input, id + '.0');
        return { k: 'map', op: new LimitOperator(input.schema, p.n, p.offset ?? 0), input, schema };
      }
      case 'window': {
        const input = this.compile(p.input, id + '.0');
        return { k: 'map', op: new WindowOperator(input.schema, p.columns, this.env), input, schema };
      }
      case 'generate': {
        const input = this.compile(p.input, id + '.0');
        return { k: 'map', op: new GenerateOperator(input.schema, p.generator, p.arg, p.names, this.env), input, schema };
      }
      case 'watermark': {
        const input = this.compile(p.input, id + '.0');
        const wid = `${id}:watermark`;
        this.watermarks.push({ id: wid, delayUs: p.delayUs });
        return { k: 'watermark', column: columnIndex(input.schema, p.column), delayUs: p.delayUs, input, schema, id: wid };
      }
      case 'aggregate': {
        const input = this.compile(p.input, id + '.0');
        const op = new AggregateOperator(input.schema, p.keys, p.aggs, p.window, this.env);
        const aid = `${id}:aggregate`;
        this.stateful.push({ id: aid, op });
        return { k: 'agg', op, input, schema, id: aid };
      }
    }
  }

  /** Reads restricted by key (`staticPushdown`): the read nodes and the columns each needs. */
  private pushed = new Map<Phys, readonly string[] | null>();

  /** A stream-static join's right side restricted to the new rows' keys, when that gives the same rows (streaming flows only). */
  private pushdownOf(p: Extract<PlanNode, { kind: 'join' | 'asofJoin' }>, left: Phys, right: Phys): { pd: StaticPushdown; leftKeys: number[] } | null {
    if (!this.streaming || !isStreamingPhys(left) || isStreamingPhys(right)) return null;
    const leftKeys = p.on.map(([l]) => columnIndex(left.schema, l));
    if (leftKeys.some((j) => j < 0)) return null;
    const pd = staticPushdown(p.how, p.right, p.on.map(([, r]) => r), leftKeys.map((j) => left.schema[j].type), this.ctx);
    if (!pd) return null;
    let r = right;
    while (r.k === 'map') r = r.input;
    if (r.k !== 'read' || r.dataset !== pd.dataset) return null;
    this.pushed.set(r, pd.columns);
    return { pd, leftKeys };
  }

  private snapshotReads(): Map<string, { columns: readonly string[] | null } | null> {
    const out = new Map<string, { columns: readonly string[] | null } | null>();
    const visit = (n: Phys): void => {
      switch (n.k) {
        case 'read': {
          if (n.streaming) return;
          const prev = out.get(n.dataset);
          if (!this.pushed.has(n) || prev === null) { out.set(n.dataset, null); return; }
          const cols = this.pushed.get(n)!;
          out.set(n.dataset, { columns: prev === undefined ? cols : prev.columns === null || cols === null ? null : [...new Set([...prev.columns, ...cols])] });
          return;
        }
        case 'map': case 'agg': case 'watermark': visit(n.input); return;
        case 'join': visit(n.left); visit(n.right); return;
        case 'union': n.inputs.forEach(visit); return;
        default: return;
      }
    };
    visit(this.root);
    return out;
  }

  /** Runs one step in delta mode and returns the flow's new output rows. */
  step(inputs: StepInputs): Batch {
    return this.run(this.root, inputs) ?? emptyBatch(this.schema);
  }

  /** The batch watermark (µs) that applies to this flow: the minimum over its watermark nodes, or null. */
  currentWatermarkUs(): number | null {
    if (this.watermarks.length === 0) return null;
    let wm: number | null = null;
    for (const w of this.watermarks) {
      const v = this.watermarkUs.get(w.id);
      if (v === undefined) return null;
      wm = wm === null ? v : Math.min(wm, v);
    }
    return wm;
  }

  /** After a batch: moves each watermark to max(event time seen) − delay, never backwards. Returns whether it moved. */
  advanceWatermarks(): boolean {
    let moved = false;
    for (const w of this.watermarks) {
      const seen = this.batchMaxEventUs.get(w.id);
      if (seen === undefined) continue;
      const next = seen - w.delayUs;
      const prev = this.watermarkUs.get(w.id);
      if (prev === undefined || next > prev) { this.watermarkUs.set(w.id, next); moved = true; }
    }
    this.batchMaxEventUs.clear();
    return moved;
  }

  /** Whether a no-data batch would emit something (open windows exist behind the current watermark). */
  hasClosableWindows(): boolean {
    const wm = this.currentWatermarkUs();
    if (wm === null) return false;
    return this.stateful.some((s) => s.op instanceof AggregateOperator && s.op.window !== null && s.op.hasWindowEndingBy(wm));
  }

  watermarkState(): Record<string, number> {
    return Object.fromEntries(this.watermarkUs);
  }

  loadWatermarkState(s: Record<string, number>): void {
    this.watermarkUs = new Map(Object.entries(s));
  }

  private run(n: Phys, inputs: StepInputs): Batch | null {
    switch (n.k) {
      case 'source': return inputs.final ? null : inputs.source(n.key);
      case 'read': return n.streaming ? inputs.delta(n.dataset) : inputs.snapshot(n.dataset);
      case 'map': {
        const b = this.run(n.input, inputs);
        return b && b.length > 0 ? n.op.process(b) : null;
      }
      case 'watermark': {
        // tracks the max event time only; rows pass unchanged (NULL event times are ignored here and
        // dropped and counted by the windowed aggregate, where they belong to no window)
        const b = this.run(n.input, inputs);
        if (b && b.length > 0 && this.streaming) {
          const c = b.columns[n.column];
          let max = this.batchMaxEventUs.get(n.id) ?? -Infinity;
          for (let i = 0; i < b.length; i++) { const t = eventTimeUs(c, i); if (t !== null && t > max) max = t; }
          if (max > -Infinity) this.batchMaxEventUs.set(n.id, max);
        }
        return b;
      }
      case 'join': {
        const l = this.run(n.left, inputs);
        if (!l || l.length === 0) return null;
        let rightInputs = inputs;
        const where = inputs.snapshotWhere;
        if (n.pushdown && where) {
          const { pd, leftKeys } = n.pushdown;
          const probe = { columns: leftKeys.map((j) => l.columns[j]), length: l.length };
          rightInputs = { ...inputs, snapshot: (d) => (d === pd.dataset ? where(d, pd.keys, probe) : inputs.snapshot(d)) };
        }
        const r = this.run(n.right, rightInputs) ?? emptyBatch(n.right.schema);
        return n.op.process(l, r);
      }
      case 'union': {
        const parts = n.inputs.map((x) => this.run(x, inputs));
        return parts.some((b) => b !== null && b.length > 0) ? n.op.process(parts) : null;
      }
      case 'const': return n.batch;
      case 'agg': {
        const b = this.run(n.input, inputs);
        if (this.mode === 'snapshot') {
          // complete input in one step
          if (b) n.op.add(b);
          return n.op.result();
        }
        if (this.mode === 'incremental') {
          // an incrementally maintained materialized view: fold new rows, show every group at the end
          // (no watermark: nothing is late, every window stays; NULL event times are still counted)
          if (b && b.length > 0) this.counters.null_event_time_records += n.op.add(b).nullEventTime;
          return inputs.final ? n.op.result() : null;
        }
        const wm = this.currentWatermarkUs();
        if (b && b.length > 0) {
          const r = n.op.add(b, wm);
          this.counters.late_records += r.late;
          this.counters.null_event_time_records += r.nullEventTime;
        }
        if (inputs.final && wm !== null) return n.op.closeWindows(wm);
        return null;
      }
    }
  }

  /** Runs the whole flow once over complete inputs (snapshot mode, fresh state). */
  static evaluateSnapshot(flow: CompiledFlow, inputs: Omit<StepInputs, 'final' | 'delta'> & { delta?: StepInputs['delta'] }): Batch {
    const f = new CompiledFlow(flow.dataset, flow.plan, flow.ctx, flow.origin, 'snapshot', flow.env);
    const b = f.run(f.root, { ...inputs, delta: inputs.delta ?? ((d) => inputs.snapshot(d)), final: false });
    return b ?? emptyBatch(f.schema);
  }
}

/** Whether a physical subtree keeps a materialized view's state (an aggregate, or a distinct kept as one). */
function hasMaterialization(p: Phys): boolean {
  switch (p.k) {
    case 'agg': return true;
    case 'source': case 'read': case 'const': return false;
    case 'map': case 'watermark': return hasMaterialization(p.input);
    case 'join': return hasMaterialization(p.left) || hasMaterialization(p.right);
    case 'union': return p.inputs.some(hasMaterialization);
  }
}

function isStreamingPhys(p: Phys): boolean {
  switch (p.k) {
    case 'source': return true;
    case 'const': return false;
    case 'read': return p.streaming;
    case 'map': case 'agg': case 'watermark': return isStreamingPhys(p.input);
    case 'join': return isStreamingPhys(p.left) || isStreamingPhys(p.right);
    case 'union': return p.inputs.some(isStreamingPhys);
  }
}

/** The identity of a source inside a dataset's flow: `<dataset>` for the first, `<dataset>#<i>` after. `rows` sources use their own name. */
export function sourceKey(dataset: string, p: PlanNode, index: number): string {
  if (p.kind === 'rows') return p.name;
  return index === 0 ? dataset : `${dataset}#${index}`;
}

