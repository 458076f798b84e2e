/**
 * The incremental executor: runs micro-batches through the pipeline graph.
 *
 * A micro-batch is processed in steps. Each source chunk (a file, or part of
 * one) is one step: the streaming flows run in topological order, each on the
 * new rows of its inputs, and incremental materialized views fold those rows
 * into their aggregates. A closing step follows, in which windowed streaming
 * aggregates emit the windows the watermark has passed. Then materialized views
 * produce their new contents, expectations on them are checked, and every table
 * commits. A dataset whose fail-expectation fires commits nothing for the batch;
 * the datasets downstream of it are skipped; the others commit.
 *
 * Materialized views run in one of two ways (decided by the graph, see
 * engine/graph/refresh.ts):
 * - incremental: one aggregate (or DISTINCT) over append-only inputs
 *   (streaming tables or streaming views) with only row-by-row steps below it
 *   and steps over its complete result above it; new input rows update the
 *   state, never recomputed from history;
 * - recompute: anything else; the query runs over complete snapshots of its
 *   inputs whenever one of them changed.
 * Materialized views that depend on no streaming dataset (reference data such
 * as a mapping file) are refreshed before the steps, so streaming flows that
 * join them see this batch's version.
 */
import type { EvalEnv } from '../expr/eval.js';
import type { DatasetDef, PlanNode } from '../ir/plan.js';
import { planInputs, planSources } from '../ir/plan.js';
import type { Schema } from '../ir/types.js';
import { concatBatches, emptyBatch, type Batch } from '../batch.js';
import type { PipelineGraph, GraphDataset } from '../graph/graph.js';
import { downstreamOf } from '../graph/graph.js';
import { CompiledFlow, sourceKey, type StepInputs } from './flow.js';
import { ExpectationsOperator, type ExpectationMetric, type ExpectationResult } from '../operators/expectations.js';
import type { TableStore } from '../sinks/store.js';
import { isPipelineError, PipelineError, RuntimeFailure } from '../errors.js';

export type FlowStatus = 'COMPLETED' | 'FAILED' | 'SKIPPED' | 'IDLE';

/** What one dataset's flow did in one micro-batch (DLT `flow_progress` metrics). */
export interface FlowBatchMetrics {
  dataset: string;
  kind: GraphDataset['kind'];
  status: FlowStatus;
  /** Rows written (streaming tables: appended; materialized views: the new contents). */
  num_output_rows: number;
  dropped_records: number;
  expectations: ExpectationMetric[];
  late_records: number;
  null_event_time_records: number;
  /** The batch watermark in µs (the one that applied to this batch), or null. */
  watermark_us: number | null;
  error?: PipelineError;
}

export interface BatchResult {
  batchId: number;
  flows: Map<string, FlowBatchMetrics>;
  /** The first failure, if any flow failed. */
  failure: PipelineError | null;
  /** Whether some windowed flow moved its watermark in this batch. */
  watermarkMoved: boolean;
}

/** A chunk of new rows from one source. */
export interface SourceChunk {
  source: string;
  batch: Batch;
}

export interface SourceAccess {
  /**
   * All current rows of a source read as a batch (a materialized view over
   * files), with a fingerprint of what was read; null when the source has no
   * files.
   */
  readAll(sourceKey: string, plan: PlanNode, ingestedAtUs: number): Promise<{ batch: Batch; fingerprint: string }>;
  /** The fingerprint `readAll` would give, from file listings only (nothing is read). */
  fingerprint(sourceKey: string, plan: PlanNode): Promise<string>;
}

export interface BatchInput {
  batchId: number;
  ingestedAtUs: number;
  chunks: AsyncIterable<SourceChunk> | Iterable<SourceChunk>;
}

type MvMode = 'incremental' | 'recompute';

/** Saved state of the executor (JSON): operator snapshots (base64) per dataset, watermarks, MV fingerprints. */
export interface ExecutorState {
  operators: Record<string, Record<string, unknown>>;
  watermarks: Record<string, Record<string, number>>;
  fingerprints: Record<string, string>;
}

export class PipelineExecutor {
  readonly flows = new Map<string, CompiledFlow>();
  private readonly expectations = new Map<string, ExpectationsOperator>();
  private readonly mvMode = new Map<string, MvMode>();
  /** MVs (and non-streaming views) refreshed before the steps. */
  private readonly staticSet = new Set<string>();
  private readonly mvContents = new Map<string, Batch>();
  private fingerprints = new Map<string, string>();
  private snapshotCache = new Map<string, Batch>();
  /** The source keys each flow reads. */
  readonly sourceKeys = new Map<string, Set<string>>();

  /** The micro-batch's timestamp, read by current_timestamp() and friends (the batch's offsets fix it, so a re-run sees the same). */
  private readonly clock = { nowUs: Date.now() * 1000 };
  private readonly session: { readonly ansi: boolean; readonly timeZone: string };

  constructor(readonly graph: PipelineGraph, readonly store: TableStore, readonly sources: SourceAccess) {
    const o = graph.pipeline.options;
    this.session = { ansi: o.ansi ?? false, timeZone: o.timeZone ?? 'UTC' };
    const schemas = new Map([...graph.datasets].map(([n, g]) => [n, g.schema]));
    const streamingUpstream = new Set<string>();
    for (const name of graph.order) {
      const g = graph.datasets.get(name)!;
      if (g.quarantineOf) { streamingUpstream.add(name); continue; }
      const ctx = { datasetSchema: (n: string) => schemas.get(n)!, origin: { table: name, file: g.origin.file, line: g.origin.line }, ansi: o.ansi ?? false };
      const mvMode = g.kind === 'materialized_view' ? (this.incrementalEligible(g) ? 'incremental' : 'recompute') : undefined;
      if (mvMode) this.mvMode.set(name, mvMode);
      const env: EvalEnv = { ansi: this.session.ansi, timeZone: this.session.timeZone, clock: this.clock, origin: ctx.origin };
      const flow = new CompiledFlow(name, g.def.query, ctx, g.origin, g.streaming ? 'streaming' : mvMode === 'incremental' ? 'incremental' : 'snapshot', env);
      this.flows.set(name, flow);
      this.sourceKeys.set(name, new Set(planSources(g.def.query).map((p, i) => sourceKey(name, p, i))));
      const inputSchema = flow.schema;
      this.expectations.set(name, new ExpectationsOperator(name, inputSchema, g.def.expectations, g.origin, env));
      if (g.streaming || g.inputs.some((i) => streamingUpstream.has(i.dataset))) streamingUpstream.add(name);
      else this.staticSet.add(name);
    }
  }

  /** Whether this dataset is refreshed incrementally (materialized views only). */
  mvModeOf(name: string): MvMode | undefined { return this.mvMode.get(name); }

  /** The graph decides (engine/graph/refresh.ts): one aggregate or DISTINCT over append-only inputs. */
  private incrementalEligible(g: GraphDataset): boolean {
    return g.refresh?.mode === 'incremental';
  }

  // ------------------------------------------------------------------ state

  saveState(): ExecutorState {
    const operators: ExecutorState['operators'] = {};
    const watermarks: ExecutorState['watermarks'] = {};
    for (const [name, f] of this.flows) {
      const ops: Record<string, unknown> = {};
      for (const s of f.stateful) ops[s.id] = Buffer.from(s.op.snapshot()).toString('base64');
      if (Object.keys(ops).length) operators[name] = ops;
      if (f.watermarks.length) watermarks[name] = f.watermarkState();
    }
    return { operators, watermarks, fingerprints: Object.fromEntries(this.fingerprints) };
  }

  /** Watermarks of the flows that have them. */
  watermarkState(): ExecutorState['watermarks'] {
    const out: ExecutorState['watermarks'] = {};
    for (const [name, f] of this.flows) if (f.watermarks.length) out[name] = f.watermarkState();
    return out;
  }

  /** Fingerprints of the materialized views' inputs when they were last computed. */
  fingerprintState(): ExecutorState['fingerprints'] {
    return Object.fromEntries(this.fingerprints);
  }

  loadState(s: ExecutorState): void {
    for (const [name, ops] of Object.entries(s.operators)) {
      const f = this.flows.get(name);
      if (!f) continue;
      for (const ref of f.stateful) if (typeof ops[ref.id] === 'string') ref.op.loadSnapshot(new Uint8Array(Buffer.from(ops[ref.id] as string, 'base64')));
    }
    for (const [name, w] of Object.entries(s.watermarks)) this.flows.get(name)?.loadWatermarkState(w);
    this.fingerprints = new Map(Object.entries(s.fingerprints));
  }

  /** Forgets the state of some datasets (full refresh). */
  resetState(names: readonly string[]): void {
    for (const n of names) {
      const f = this.flows.get(n);
      if (f) { for (const s of f.stateful) s.op.reset(); f.loadWatermarkState({}); }
      this.fingerprints.delete(n);
      this.mvContents.delete(n);
    }
  }

  /**
   * Resets incremental materialized views and folds their inputs' complete
   * snapshots into them again (after a definition change); their new contents
   * are written by the next batch.
   */
  async rebuildIncremental(names: readonly string[]): Promise<void> {
    this.resetState(names);
    for (const name of names) {
      const flow = this.flows.get(name);
      const g = this.graph.datasets.get(name)!;
      if (!flow || this.mvMode.get(name) !== 'incremental') continue;
      const snaps = new Map<string, Batch>();
      for (const i of g.inputs) snaps.set(i.dataset, await this.snapshotOf(i.dataset));
      flow.step({ final: false, source: () => null, delta: () => null, snapshot: (d) => snaps.get(d)! });
      this.forceRefresh.add(name);
    }
  }

  /** Materialized views to rewrite in the next batch even without new input. */
  private readonly forceRefresh = new Set<string>();

  /** Whether some materialized view waits to be rewritten (a batch without data will do it). */
  get hasPendingRefresh(): boolean { return this.forceRefresh.size > 0 || this.neverComputed(); }

  /** Whether a materialized view that reads no file (inline rows, other static views) was never computed: no file batch would compute it. */
  private neverComputed(): boolean {
    for (const n of this.staticSet) {
      const g = this.graph.datasets.get(n)!;
      if (g.kind === 'materialized_view' && !this.fingerprints.has(n) && planSources(g.def.query).length === 0) return true;
    }
    return false;
  }

  /** Whether a batch without data would emit windows (a triggered run's closing batch). */
  needsClosingBatch(): boolean {
    for (const f of this.flows.values()) if (f.streaming && f.hasClosableWindows()) return true;
    return false;
  }

  // ------------------------------------------------------------------ snapshots

  /** A dataset's current contents (views are evaluated over their inputs' snapshots). */
  async snapshotOf(name: string, ingestedAtUs = Date.now() * 1000): Promise<Batch> {
    this.clock.nowUs = ingestedAtUs;
    const b = await this.snapshot(name, ingestedAtUs);
    this.snapshotCache.delete(name);
    return b;
  }

  private async snapshot(name: string, ingestedAtUs: number): Promise<Batch> {
    const cached = this.snapshotCache.get(name);
    if (cached) return cached;
    const g = this.graph.datasets.get(name)!;
    let b: Batch;
    if (g.kind === 'materialized_view') {
      b = this.mvContents.get(name) ?? (await this.store.snapshot(name, g.schema));
      this.mvContents.set(name, b);
    } else if (g.kind === 'view') {
      b = (await this.evaluateSnapshot(name, ingestedAtUs)).kept;
    } else {
      b = await this.store.snapshot(name, g.schema);
    }
    this.snapshotCache.set(name, b);
    return b;
  }

  /** Runs a dataset's query over complete snapshots of its inputs and applies its expectations. */
  private async evaluateSnapshot(name: string, ingestedAtUs: number): Promise<ExpectationResult> {
    const g = this.graph.datasets.get(name)!;
    const snaps = new Map<string, Batch>();
    for (const i of g.inputs) snaps.set(i.dataset, await this.snapshot(i.dataset, ingestedAtUs));
    const srcs = new Map<string, Batch>();
    let idx = 0;
    for (const p of planSources(g.def.query)) {
      const key = sourceKey(name, p, idx++);
      srcs.set(key, (await this.sources.readAll(key, p, ingestedAtUs)).batch);
    }
    const out = CompiledFlow.evaluateSnapshot(this.flows.get(name)!, { source: (k) => srcs.get(k) ?? null, snapshot: (d) => snaps.get(d)! });
    return this.expectations.get(name)!.apply(out, false);
  }

  private async sourceFingerprint(name: string): Promise<string> {
    const g = this.graph.datasets.get(name)!;
    const parts: string[] = [];
    let idx = 0;
    for (const p of planSources(g.def.query)) parts.push(await this.sources.fingerprint(sourceKey(name, p, idx++), p));
    return parts.join('|');
  }

  // ------------------------------------------------------------------ batches

  async runBatch(input: BatchInput): Promise<BatchResult> {
    const { batchId, ingestedAtUs } = input;
    this.clock.nowUs = ingestedAtUs;
    this.snapshotCache = new Map();
    const metrics = new Map<string, FlowBatchMetrics>();
    const failed = new Set<string>();
    const changed = new Set<string>();
    let failure: PipelineError | null = null;
    const order = this.graph.order;

    for (const name of order) {
      const g = this.graph.datasets.get(name)!;
      const f = this.flows.get(name);
      if (f) f.counters = { late_records: 0, null_event_time_records: 0 };
      metrics.set(name, {
        dataset: name, kind: g.kind, status: 'IDLE', num_output_rows: 0, dropped_records: 0,
        expectations: g.def.expectations.map((e) => ({ name: e.name, dataset: name, action: e.action, passed_records: 0, failed_records: 0 })),
        late_records: 0, null_event_time_records: 0, watermark_us: f?.currentWatermarkUs() ?? null,
      });
    }

    const fail = (name: string, e: unknown) => {
      const err = isPipelineError(e) ? e : new RuntimeFailure('FLOW_FAILED', `${name} failed: ${(e as Error)?.message ?? String(e)}`, { table: name }, { cause: e });
      if (!failure) failure = err;
      for (const d of downstreamOf(this.graph, [name])) {
        if (!failed.has(d)) {
          failed.add(d);
          const m = metrics.get(d)!;
          m.status = d === name ? 'FAILED' : 'SKIPPED';
          if (d === name) m.error = err;
        }
      }
    };

    const addMetrics = (name: string, r: { metrics: ExpectationMetric[]; dropped_records: number }) => {
      const m = metrics.get(name)!;
      m.dropped_records += r.dropped_records;
      r.metrics.forEach((x, i) => { m.expectations[i].passed_records += x.passed_records; m.expectations[i].failed_records += x.failed_records; });
    };

    // 1. static materialized views (reference data) first
    for (const name of order) {
      if (!this.staticSet.has(name) || failed.has(name)) continue;
      const g = this.graph.datasets.get(name)!;
      if (g.kind !== 'materialized_view') continue;
      try {
        const fp = await this.sourceFingerprint(name);
        const inputsChanged = g.inputs.some((i) => changed.has(i.dataset));
        if (!inputsChanged && this.fingerprints.get(name) === fp) continue;
        for (const i of g.inputs) this.snapshotCache.delete(i.dataset);
        const out = await this.evaluateMvSnapshot(name, ingestedAtUs, addMetrics);
        await this.publishMv(name, out, metrics.get(name)!, batchId);
        this.fingerprints.set(name, fp);
        changed.add(name);
      } catch (e) {
        fail(name, e);
      }
    }

    // 2. steps: one per source chunk, then the closing step
    const streamingOrder = order.filter((n) => {
      const g = this.graph.datasets.get(n)!;
      return g.streaming || g.quarantineOf !== undefined || this.mvMode.get(n) === 'incremental';
    });
    const runStep = async (chunk: SourceChunk | null) => {
      const deltas = new Map<string, Batch>();
      const quarantined = new Map<string, Batch>();
      for (const name of streamingOrder) {
        if (failed.has(name)) continue;
        const g = this.graph.datasets.get(name)!;
        const m = metrics.get(name)!;
        try {
          if (g.quarantineOf) {
            const q = quarantined.get(g.quarantineOf);
            if (q && q.length) {
              deltas.set(name, q);
              await this.store.append(name, g.schema, q);
              m.num_output_rows += q.length;
              m.status = 'COMPLETED';
              changed.add(name);
            }
            continue;
          }
          const flow = this.flows.get(name)!;
          const isMv = g.kind === 'materialized_view';
          const hasInput = chunk === null || g.inputs.some((i) => deltas.get(i.dataset)?.length) || (chunk !== null && this.sourceKeys.get(name)!.has(chunk.source));
          if (!hasInput) continue;
          const snaps = new Map<string, Batch>();
          for (const i of g.inputs) if (!i.streaming && !isMv) snaps.set(i.dataset, await this.snapshot(i.dataset, ingestedAtUs));
          const inputs: StepInputs = {
            final: chunk === null,
            source: (k) => (chunk && chunk.source === k ? chunk.batch : null),
            delta: (d) => deltas.get(d) ?? null,
            snapshot: (d) => (isMv ? deltas.get(d) ?? emptyBatch(this.graph.datasets.get(d)!.schema) : snaps.get(d)!),
          };
          if (isMv) {
            // incremental MV: reads see the new rows; the result comes out in the closing step
            const out = flow.step(inputs);
            if (g.inputs.some((i) => deltas.get(i.dataset)?.length) || this.forceRefresh.delete(name)) changed.add(name);
            if (chunk === null && changed.has(name)) {
              const r = this.expectations.get(name)!.apply(out, false);
              addMetrics(name, r);
              this.mvContents.set(name, r.kept);
              await this.store.replace(name, g.schema, r.kept);
              m.num_output_rows = r.kept.length;
              m.status = 'COMPLETED';
              this.snapshotCache.set(name, r.kept);
            }
            continue;
          }
          const out = flow.step(inputs);
          if (out.length === 0) continue;
          const r = this.expectations.get(name)!.apply(out, g.def.quarantine !== undefined);
          addMetrics(name, r);
          if (r.quarantined) quarantined.set(name, r.quarantined);
          deltas.set(name, r.kept);
          m.status = 'COMPLETED';
          if (g.persisted) {
            await this.store.append(name, g.schema, r.kept);
            m.num_output_rows += r.kept.length;
          } else {
            m.num_output_rows += r.kept.length;
          }
          changed.add(name);
        } catch (e) {
          fail(name, e);
        }
      }
    };
    try {
      for await (const chunk of input.chunks) await runStep(chunk);
    } catch (e) {
      // the input itself failed (e.g. new columns under failOnNewColumns): the whole batch fails
      const table = (e as { params?: { table?: unknown } }).params?.table;
      const culprit = typeof table === 'string' && this.graph.datasets.has(table) ? table : this.graph.order.find((n) => this.graph.datasets.get(n)!.streaming) ?? order[0];
      fail(culprit, e);
      for (const name of order) {
        const m = metrics.get(name)!;
        if (failed.has(name) || (this.staticSet.has(name) && m.status === 'COMPLETED')) continue;
        failed.add(name);
        m.status = 'SKIPPED';
      }
    }
    await runStep(null);

    // 3. commit the streaming tables and incremental views (or discard what a failed flow staged)
    for (const name of order) {
      const g = this.graph.datasets.get(name)!;
      const f = this.flows.get(name);
      const m = metrics.get(name)!;
      if (f) { m.late_records = f.counters.late_records; m.null_event_time_records = f.counters.null_event_time_records; }
      if (!g.persisted || this.staticSet.has(name) || this.mvMode.get(name) === 'recompute') continue;
      if (failed.has(name) || m.status !== 'COMPLETED') { await this.store.discard(name); continue; }
      await this.commit(name, batchId, m);
    }

    // 4. materialized views recomputed from complete snapshots, in order
    for (const name of order) {
      if (this.staticSet.has(name) || failed.has(name) || this.mvMode.get(name) !== 'recompute') continue;
      const g = this.graph.datasets.get(name)!;
      if (!g.inputs.some((i) => changed.has(i.dataset)) && this.fingerprints.has(name)) continue;
      try {
        for (const i of g.inputs) this.snapshotCache.delete(i.dataset);
        const out = await this.evaluateMvSnapshot(name, ingestedAtUs, addMetrics);
        await this.publishMv(name, out, metrics.get(name)!, batchId);
        this.fingerprints.set(name, 'computed');
        changed.add(name);
      } catch (e) {
        fail(name, e);
        await this.store.discard(name);
      }
    }

    let watermarkMoved = false;
    for (const [name, f] of this.flows) if (!failed.has(name) && f.streaming && f.advanceWatermarks()) watermarkMoved = true;
    this.snapshotCache = new Map();
    return { batchId, flows: metrics, failure, watermarkMoved };
  }

  /** Recomputes a materialized view from complete inputs and applies its expectations. */
  private async evaluateMvSnapshot(name: string, ingestedAtUs: number, addMetrics: (n: string, r: { metrics: ExpectationMetric[]; dropped_records: number }) => void): Promise<Batch> {
    const r = await this.evaluateSnapshot(name, ingestedAtUs);
    addMetrics(name, r);
    return r.kept;
  }

  /** Stages and commits a materialized view's new contents. */
  private async publishMv(name: string, out: Batch, m: FlowBatchMetrics, batchId: number): Promise<void> {
    const g = this.graph.datasets.get(name)!;
    await this.store.replace(name, g.schema, out);
    m.num_output_rows = out.length;
    m.status = 'COMPLETED';
    await this.commit(name, batchId, m);
    this.mvContents.set(name, out);
    this.snapshotCache.set(name, out);
  }

  private async commit(name: string, batchId: number, m: FlowBatchMetrics): Promise<void> {
    const g = this.graph.datasets.get(name)!;
    await this.store.commit(name, g.schema, {
      batchId, appId: name, operation: g.kind === 'materialized_view' ? 'CREATE OR REPLACE' : 'STREAMING UPDATE',
      metrics: { numOutputRows: m.num_output_rows },
    });
    this.snapshotCache.delete(name);
  }
}


