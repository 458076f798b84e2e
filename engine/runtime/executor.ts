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
 *
 * A streaming table takes rows from its flows (the default flow is its own
 * query): each flow runs on its own inputs, its rows are matched to the
 * table's columns by name and checked by the table's expectations, and the
 * table's new rows (what `stream(table)` reads downstream) are those of all
 * its flows. A ONCE flow runs in the closing step of its first batch as a
 * batch query over snapshots, then never again. An AUTO CDC flow buffers the
 * events of its feed and applies them to its target in the closing step.
 * Metrics are per flow (keyed by flow name; a default flow is named as its
 * dataset).
 */
import type { EvalEnv } from '../expr/eval.js';
import type { DatasetDef, PlanNode } from '../ir/plan.js';
import { planSources } from '../ir/plan.js';
import type { Schema } from '../ir/types.js';
import { columnIndex, concatBatches, emptyBatch, emptyColumn, type Batch } from '../batch.js';
import type { PipelineGraph, GraphDataset, GraphFlow } from '../graph/graph.js';
import { downstreamOf } from '../graph/graph.js';
import { appendInput } from '../graph/refresh.js';
import { CompiledFlow, sourceKey, type StepInputs } from './flow.js';
import { keptSchema, rowsWithKeys, type KeyProbe } from './static-pushdown.js';
import { ExpectationsOperator, type ExpectationMetric, type ExpectationResult } from '../operators/expectations.js';
import type { RowRange, TableStore } from '../sinks/store.js';
import { isPipelineError, PipelineError, RuntimeFailure, type Origin } from '../errors.js';
import { CdcFlowRuntime } from './cdc-flow.js';
import type { CdcMetrics } from '../cdc/target.js';
import { MemoryCdcStateStore, type CdcStateStore } from '../cdc/state-store.js';

export type FlowStatus = 'COMPLETED' | 'FAILED' | 'SKIPPED' | 'IDLE';

/** What one flow did in one micro-batch (DLT `flow_progress` metrics). */
export interface FlowBatchMetrics {
  /** The flow's name (a dataset's default flow is named as the dataset). */
  flow: string;
  /** The dataset the flow writes. */
  dataset: string;
  kind: GraphDataset['kind'];
  status: FlowStatus;
  /** Rows written (streaming tables: appended; materialized views: the new contents). */
  num_output_rows: number;
  dropped_records: number;
  /** Malformed input records the flow's file sources dropped (mode DROPMALFORMED). */
  malformed_records?: number;
  expectations: ExpectationMetric[];
  late_records: number;
  null_event_time_records: number;
  /** The batch watermark in µs (the one that applied to this batch), or null. */
  watermark_us: number | null;
  /** An AUTO CDC flow: upserts, deletes, stale events, ties, versions, and the rewrite. */
  cdc?: CdcMetrics;
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
  /** Malformed records of the chunk's file that the source dropped (DROPMALFORMED): counted on the flow that reads it. */
  malformedDropped?: number;
  /**
   * The batch's last planned chunk: a table's rows of this step go to the writer right after its
   * flows ran (a worker encodes them while this thread runs the next flows), not at the commit.
   */
  last?: boolean;
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

/**
 * - incremental: an aggregate folding its inputs' new rows;
 * - append: a join of an append-only input with snapshots (an as-of lookup):
 *   while the snapshots do not change, the new input rows' matches are appended;
 *   when one changes, the view is recomputed;
 * - recompute: the query over complete snapshots whenever an input changed.
 */
/**
 * New rows of an append view's input kept in memory for the view within one
 * micro-batch; beyond, a persisted input's rows are read back from its new
 * files (a 1M-row replay is one micro-batch: keeping them all took ~200 MB).
 */
const APPEND_KEEP_ROWS = 262_144;

/** A promise whose rejection is handled later (by an await): not reported as unhandled meanwhile. */
function settledLater<T>(p: Promise<T> | null): Promise<T> | null {
  p?.catch(() => undefined);
  return p;
}

type MvMode = 'incremental' | 'append' | 'recompute';

/** An append view computed step by step in a batch (see `planStepwise`). */
interface Stepwise {
  /** The appended input, and the others. */
  left: string;
  rights: string[];
  /** Its first rows replace the view's contents. */
  replace: boolean;
  /** Rows were staged. */
  started: boolean;
  /** The other inputs' snapshots, read at the first step with new rows. */
  snaps: Map<string, Batch> | null;
}

/** Saved state of the executor (JSON): operator snapshots (base64) per dataset, watermarks, MV fingerprints. */
export interface ExecutorState {
  operators: Record<string, Record<string, unknown>>;
  watermarks: Record<string, Record<string, number>>;
  fingerprints: Record<string, string>;
}

export interface ExecutorOptions {
  /** Where each AUTO CDC flow keeps its state (default: in memory). */
  cdcState?: (flow: string) => CdcStateStore;
  /** Keys per segment of AUTO CDC targets. */
  cdcSegmentKeys?: number;
  /** New rows of an append view's input kept in memory within a micro-batch (default APPEND_KEEP_ROWS). */
  appendKeepRows?: number;
}

export class PipelineExecutor {
  /** Compiled flows by flow name (AUTO CDC flows compile their change feed). */
  readonly flows = new Map<string, CompiledFlow>();
  /** AUTO CDC flows by flow name. */
  readonly cdc = new Map<string, CdcFlowRuntime>();
  /** ONCE flows that ran (in memory; the service also knows it from the checkpoint). */
  readonly onceDone = new Set<string>();
  /** New flows whose streaming inputs' existing rows the next batch reads first (see `backfillNewFlow`). */
  private readonly backfill = new Set<string>();
  private oncePending = new Set<string>();
  private cdcOpened = false;
  private readonly expectations = new Map<string, ExpectationsOperator>();
  private readonly mvMode = new Map<string, MvMode>();
  /**
   * The datasets whose new rows an append view reads: only their rows of a
   * batch are kept until the views run (keeping every dataset's would hold a
   * whole replay's bronze and silver in memory).
   */
  private readonly appendLefts = new Set<string>();
  /** The append views (MvMode 'append'), each with the input it appends (graph/refresh.ts `appendInput`). */
  private readonly appendInputs = new Map<string, string>();
  private get appendKeepRows(): number { return this.options.appendKeepRows ?? APPEND_KEEP_ROWS; }
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

  constructor(readonly graph: PipelineGraph, readonly store: TableStore, readonly sources: SourceAccess, readonly options: ExecutorOptions = {}) {
    const o = graph.pipeline.options;
    this.session = { ansi: o.ansi ?? false, timeZone: o.timeZone ?? 'UTC' };
    const schemas = new Map([...graph.datasets].map(([n, g]) => [n, g.schema]));
    const streamingUpstream = new Set<string>();
    const cdcState = options.cdcState ?? (() => new MemoryCdcStateStore());
    for (const name of graph.order) {
      const g = graph.datasets.get(name)!;
      if (g.quarantineOf) { streamingUpstream.add(name); continue; }
      const left = g.kind === 'materialized_view' && !this.incrementalEligible(g) ? appendInput(this.defaultFlow(name).query, (d) => this.appendOnly(d)) : null;
      const mvMode = g.kind === 'materialized_view' ? (this.incrementalEligible(g) ? 'incremental' : left ? 'append' : 'recompute') : undefined;
      if (mvMode) this.mvMode.set(name, mvMode);
      if (left) { this.appendInputs.set(name, left); this.appendLefts.add(left); }
      const envOf = (origin: Origin): EvalEnv => ({ ansi: this.session.ansi, timeZone: this.session.timeZone, clock: this.clock, origin });
      for (const fname of g.flows) {
        const gf = graph.flows.get(fname)!;
        const ctx = { datasetSchema: (n: string) => schemas.get(n)!, origin: { table: name, file: gf.origin.file, line: gf.origin.line }, ansi: o.ansi ?? false };
        const mode = gf.once ? 'snapshot' : g.kind === 'materialized_view' ? (mvMode === 'incremental' ? 'incremental' : 'snapshot') : g.streaming ? 'streaming' : 'snapshot';
        this.flows.set(fname, new CompiledFlow(fname, gf.query, ctx, gf.origin, mode, envOf(ctx.origin)));
        this.sourceKeys.set(fname, new Set(planSources(gf.query).map((p, i) => sourceKey(fname, p, i))));
        if (gf.kind === 'auto_cdc') this.cdc.set(fname, new CdcFlowRuntime(gf, g, store, cdcState(fname), { segmentKeys: options.cdcSegmentKeys, env: envOf(ctx.origin) }));
      }
      if (!g.cdc) this.expectations.set(name, new ExpectationsOperator(name, g.schema, g.def.expectations, g.origin, envOf({ table: name, file: g.origin.file, line: g.origin.line }), g.def.notNull));
      if (g.streaming || g.inputs.some((i) => streamingUpstream.has(i.dataset))) streamingUpstream.add(name);
      else this.staticSet.add(name);
    }
  }

  /** The flow that is a dataset's own query. */
  private defaultFlow(name: string): GraphFlow {
    return this.graph.flows.get(name)!;
  }

  /** A flow's rows with the target's columns, by name (columns the flow does not write are NULL). */
  private conform(gf: GraphFlow, b: Batch): Batch {
    const target = this.graph.datasets.get(gf.target)!.schema;
    if (b.schema === target || (b.schema.length === target.length && b.schema.every((f, i) => f.name === target[i].name && f.type === target[i].type))) return b.schema === target ? b : { ...b, schema: target };
    return { schema: target, columns: target.map((f) => { const j = columnIndex(b.schema, f.name); return j >= 0 ? b.columns[j] : emptyColumn(f.type, b.length); }), length: b.length };
  }

  /**
   * A flow without a checkpoint added to a pipeline that already ran: its next
   * batch first reads the rows its streaming inputs already hold (a new stream
   * starts at the beginning of its source; files come through the file index).
   * Only flows into persisted streaming tables (not quarantines, views or ONCE flows).
   */
  backfillNewFlow(flow: string): boolean {
    const gf = this.graph.flows.get(flow);
    const g = gf && this.graph.datasets.get(gf.target)!;
    if (!gf || !g || gf.once || g.kind !== 'streaming_table' || g.quarantineOf || !gf.inputs.some((i) => i.streaming)) return false;
    this.backfill.add(flow);
    return true;
  }

  /** Loads the AUTO CDC targets' state (before the first batch). */
  async openCdc(): Promise<void> {
    if (this.cdcOpened) return;
    for (const c of this.cdc.values()) await c.open();
    this.cdcOpened = true;
  }

  /** Whether this dataset is refreshed incrementally (materialized views only). */
  mvModeOf(name: string): MvMode | undefined { return this.mvMode.get(name); }

  private appendOnly(name: string): boolean {
    const g = this.graph.datasets.get(name)!;
    return (g.kind === 'streaming_table' && !g.cdc) || (g.kind === 'view' && g.streaming);
  }

  /**
   * The new rows of an append view's input in this batch, as parts read one at
   * a time: the rows kept in memory, or (`kept` null: a persisted input with
   * more than APPEND_KEEP_ROWS new rows) its new data files.
   */
  private async appendedParts(left: string, kept: Batch[] | null, filesBefore: Map<string, Set<string>>): Promise<{ rows: number; batch?: Batch; file?: string; range?: RowRange }[]> {
    const before = filesBefore.get(left);
    if (kept !== null || !before) return (kept ?? []).map((b) => ({ rows: b.length, batch: b }));
    // a file's row groups one at a time when the store knows them (one part's rows in memory, not a whole file's)
    return (await this.store.dataFiles(left)).filter((f) => !before.has(f.path) && f.rows > 0).flatMap((f) => {
      if (!f.rowGroups || f.rowGroups.length < 2) return [{ rows: f.rows, file: f.path }];
      let offset = 0;
      return f.rowGroups.map((limit) => { const part = { rows: limit, file: f.path, range: { offset, limit } }; offset += limit; return part; });
    });
  }

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

  /** Forgets the state of some datasets' flows (full refresh). */
  resetState(names: readonly string[]): void {
    for (const n of names) {
      for (const fname of this.graph.datasets.get(n)?.flows ?? [n]) {
        const f = this.flows.get(fname);
        if (f) { for (const s of f.stateful) s.op.reset(); f.loadWatermarkState({}); }
        this.cdc.get(fname)?.reset();
        this.onceDone.delete(fname);
      }
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
      // an append view forgot its fingerprint: the next batch recomputes it
      if (this.mvMode.get(name) === 'append') { this.forceRefresh.add(name); continue; }
      if (!flow || this.mvMode.get(name) !== 'incremental') continue;
      const snaps = new Map<string, Batch>();
      for (const i of g.inputs) snaps.set(i.dataset, await this.snapshotOf(i.dataset));
      flow.step({ final: false, source: () => null, delta: () => null, snapshot: (d) => snaps.get(d)! });
      this.forceRefresh.add(name);
    }
  }

  /** Materialized views to rewrite in the next batch even without new input. */
  private readonly forceRefresh = new Set<string>();

  /** Recomputes the materialized views downstream of a table in the next batch (its rows changed outside a batch: a purge). */
  refreshDownstream(table: string): void {
    for (const n of downstreamOf(this.graph, [table])) if (n !== table && this.mvMode.has(n)) this.forceRefresh.add(n);
  }

  /** Whether some materialized view waits to be rewritten, or a ONCE flow to run (a batch without data will do it). */
  get hasPendingRefresh(): boolean {
    if (this.forceRefresh.size > 0) return true;
    for (const f of this.graph.flows.values()) if (f.once && !this.onceDone.has(f.name)) return true;
    return this.neverComputed();
  }

  /** Whether a materialized view that reads no file (inline rows, other static views) was never computed: no file batch would compute it. */
  private neverComputed(): boolean {
    for (const n of this.staticSet) {
      const g = this.graph.datasets.get(n)!;
      if (g.kind === 'materialized_view' && !this.fingerprints.has(n) && planSources(this.defaultFlow(n).query).length === 0) return true;
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
    for (const p of planSources(this.defaultFlow(name).query)) {
      const key = sourceKey(name, p, idx++);
      srcs.set(key, (await this.sources.readAll(key, p, ingestedAtUs)).batch);
    }
    const out = CompiledFlow.evaluateSnapshot(this.flows.get(name)!, { source: (k) => srcs.get(k) ?? null, snapshot: (d) => snaps.get(d)! });
    return this.expectations.get(name)!.apply(out, false);
  }

  /** A ONCE flow's rows: its query over complete snapshots of its inputs and sources. */
  private async evaluateOnce(gf: GraphFlow, ingestedAtUs: number): Promise<Batch> {
    const snaps = new Map<string, Batch>();
    for (const i of gf.inputs) snaps.set(i.dataset, await this.snapshot(i.dataset, ingestedAtUs));
    const srcs = new Map<string, Batch>();
    let idx = 0;
    for (const p of planSources(gf.query)) {
      const key = sourceKey(gf.name, p, idx++);
      srcs.set(key, (await this.sources.readAll(key, p, ingestedAtUs)).batch);
    }
    return CompiledFlow.evaluateSnapshot(this.flows.get(gf.name)!, { source: (k) => srcs.get(k) ?? null, snapshot: (d) => snaps.get(d)! });
  }

  private async sourceFingerprint(name: string): Promise<string> {
    const g = this.graph.datasets.get(name)!;
    const parts: string[] = [];
    let idx = 0;
    void g;
    for (const p of planSources(this.defaultFlow(name).query)) parts.push(await this.sources.fingerprint(sourceKey(name, p, idx++), p));
    return parts.join('|');
  }

  // ------------------------------------------------------------------ batches

  async runBatch(input: BatchInput): Promise<BatchResult> {
    const { batchId, ingestedAtUs } = input;
    this.clock.nowUs = ingestedAtUs;
    await this.openCdc();
    this.snapshotCache = new Map();
    this.oncePending = new Set();
    const metrics = new Map<string, FlowBatchMetrics>();
    const failed = new Set<string>();
    const changed = new Set<string>();
    /** The new rows of this batch of the datasets append views read (appendLefts), while they are few. */
    const appended = new Map<string, Batch[]>();
    /** The persisted ones whose new rows are read back from their files. */
    const spilled = new Set<string>();
    /** Rows in `appended`, per dataset. */
    const keptRows = new Map<string, number>();
    /** The data files the persisted ones held before this batch: the files added since hold the batch's rows. */
    const filesBefore = new Map<string, Set<string>>();
    for (const d of this.appendLefts) if (this.graph.datasets.get(d)!.persisted) filesBefore.set(d, new Set((await this.store.dataFiles(d)).map((f) => f.path)));
    let failure: PipelineError | null = null;
    const order = this.graph.order;
    const stepwise = await this.planStepwise(changed);
    // the input's rows are then not kept for the views: only a fallback reads them, back from its files
    for (const d of this.appendLefts) if (filesBefore.has(d) && [...this.appendInputs].every(([n, left]) => left !== d || stepwise.has(n))) spilled.add(d);

    for (const name of order) {
      const g = this.graph.datasets.get(name)!;
      for (const fname of g.flows) {
        const f = this.flows.get(fname);
        if (f) f.counters = { late_records: 0, null_event_time_records: 0 };
        metrics.set(fname, {
          flow: fname, dataset: name, kind: g.kind, status: 'IDLE', num_output_rows: 0, dropped_records: 0,
          expectations: g.def.expectations.map((e) => ({ name: e.name, dataset: name, action: e.action, passed_records: 0, failed_records: 0 })),
          late_records: 0, null_event_time_records: 0, watermark_us: f?.currentWatermarkUs() ?? null,
        });
      }
    }
    /** The metrics of a dataset's flows. */
    const flowMetrics = (name: string) => this.graph.datasets.get(name)!.flows.map((f) => metrics.get(f)!);
    /** A dataset's status: COMPLETED when one of its flows completed. */
    const completed = (name: string) => flowMetrics(name).some((m) => m.status === 'COMPLETED');

    const fail = (name: string, e: unknown, flow?: string) => {
      const err = isPipelineError(e) ? e : new RuntimeFailure('FLOW_FAILED', `${flow ?? name} failed: ${(e as Error)?.message ?? String(e)}`, { table: name, ...(flow && flow !== name ? { flow } : {}) }, { cause: e });
      if (!failure) failure = err;
      for (const d of downstreamOf(this.graph, [name])) {
        if (!failed.has(d)) {
          failed.add(d);
          for (const m of flowMetrics(d)) {
            const own = d === name && (flow === undefined || m.flow === flow);
            m.status = own ? 'FAILED' : 'SKIPPED';
            if (own) m.error = err;
          }
        }
      }
    };

    const addMetrics = (flow: string, r: { metrics: ExpectationMetric[]; dropped_records: number }) => {
      const m = metrics.get(flow)!;
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
    const stagesCommit = (name: string) => this.graph.datasets.get(name)!.persisted && !this.staticSet.has(name) && (this.mvMode.get(name) ?? 'incremental') === 'incremental';
    // after the last chunk's step a table's staged rows are written out (see SourceChunk.last); rows its flows
    // add in the closing step, if any, go to a file of their own
    const flushEarly = (chunk: SourceChunk | null, name: string) => {
      if (chunk?.last && !failed.has(name) && stagesCommit(name)) this.store.prepareCommit?.(name, this.graph.datasets.get(name)!.schema);
    };
    const runStep = async (chunk: SourceChunk | null, backfill: Map<string, Map<string, Batch>> | null = null) => {
      if (chunk?.malformedDropped) {
        // a source key is its flow's name, `#n` for the flow's n-th source
        const m = metrics.get(chunk.source.replace(/#\d+$/, ''));
        if (m) m.malformed_records = (m.malformed_records ?? 0) + chunk.malformedDropped;
      }
      const deltas = new Map<string, Batch>();
      const quarantined = new Map<string, Batch[]>();
      for (const name of streamingOrder) {
        if (failed.has(name)) continue;
        const g = this.graph.datasets.get(name)!;
        if (g.quarantineOf) {
          const m = metrics.get(name)!;
          try {
            const q = concatBatches(g.schema, quarantined.get(g.quarantineOf) ?? []);
            if (q.length) {
              deltas.set(name, q);
              await this.store.append(name, g.schema, q);
              m.num_output_rows += q.length;
              m.status = 'COMPLETED';
              changed.add(name);
            }
          } catch (e) {
            fail(name, e);
          }
          flushEarly(chunk, name);
          continue;
        }
        const isMv = g.kind === 'materialized_view';
        const kept: Batch[] = [];
        for (const fname of g.flows) {
          if (failed.has(name)) break;
          const gf = this.graph.flows.get(fname)!;
          const m = metrics.get(fname)!;
          const flow = this.flows.get(fname)!;
          try {
            if (gf.once && gf.kind === 'auto_cdc') {
              // a one-time AUTO CDC backfill: the feed read once as a batch, its events applied in the closing step
              if (chunk !== null || this.onceDone.has(fname)) continue;
              const cdc = this.cdc.get(fname)!;
              addMetrics(fname, cdc.collect(await this.evaluateOnce(gf, ingestedAtUs)));
              const done = await cdc.finish(batchId);
              m.status = 'COMPLETED';
              if (done.metrics) { m.cdc = done.metrics; m.num_output_rows = done.metrics.num_upserted_rows + done.metrics.num_deleted_rows; }
              if (done.applied) changed.add(name);
              if (done.appended?.length) kept.push(done.appended);
              this.oncePending.add(fname);
              continue;
            }
            if (gf.once) {
              // a one-time backfill: a batch query in the closing step of its first batch
              if (chunk !== null || this.onceDone.has(fname)) continue;
              const out = this.conform(gf, await this.evaluateOnce(gf, ingestedAtUs));
              const r = this.expectations.get(name)!.apply(out, g.def.quarantine !== undefined);
              addMetrics(fname, r);
              if (r.quarantined?.length) (quarantined.get(name) ?? quarantined.set(name, []).get(name)!).push(r.quarantined);
              kept.push(r.kept);
              if (g.persisted) await this.store.append(name, g.schema, r.kept);
              m.num_output_rows += r.kept.length;
              m.status = 'COMPLETED';
              this.oncePending.add(fname);
              changed.add(name);
              continue;
            }
            const filled = backfill?.get(fname);
            // new rows of a static input (a stream-static join's table) alone produce nothing: only the stream's rows are joined
            const streamRows = filled !== undefined || gf.inputs.some((i) => (i.streaming || isMv) && deltas.get(i.dataset)?.length) || (chunk !== null && this.sourceKeys.get(fname)!.has(chunk.source));
            if (chunk !== null && !streamRows) continue;
            const snaps = new Map<string, Batch>();
            // a table the flow only joins by key (static-pushdown.ts): its kept rows, a few columns, restricted per step
            const keptRows = new Map<string, readonly Batch[]>();
            // the closing step without new stream rows joins nothing with the static inputs: they are not read
            for (const i of gf.inputs) {
              if (i.streaming || isMv) continue;
              const ds = this.graph.datasets.get(i.dataset)!;
              const where = streamRows && ds.kind !== 'materialized_view' && ds.kind !== 'view' ? flow.staticReads.get(i.dataset) : null;
              if (where) keptRows.set(i.dataset, await this.store.snapshotParts(i.dataset, keptSchema(ds.schema, where.columns)));
              else snaps.set(i.dataset, streamRows ? await this.snapshot(i.dataset, ingestedAtUs) : emptyBatch(ds.schema));
            }
            const inputs: StepInputs = {
              final: chunk === null,
              source: (k) => (chunk && chunk.source === k ? chunk.batch : null),
              delta: (d) => filled?.get(d) ?? deltas.get(d) ?? null,
              snapshot: (d) => (isMv ? deltas.get(d) ?? emptyBatch(this.graph.datasets.get(d)!.schema) : snaps.get(d) ?? rowsWithKeys(this.graph.datasets.get(d)!.schema, keptRows.get(d)!, null, null)),
              ...(keptRows.size ? { snapshotWhere: (d: string, keys: readonly string[], probe: KeyProbe) => rowsWithKeys(this.graph.datasets.get(d)!.schema, keptRows.get(d)!, keys, probe) } : {}),
            };
            if (isMv) {
              // incremental MV: reads see the new rows; the result comes out in the closing step
              const out = flow.step(inputs);
              if (g.inputs.some((i) => deltas.get(i.dataset)?.length) || this.forceRefresh.delete(name)) changed.add(name);
              if (chunk === null && changed.has(name)) {
                const r = this.expectations.get(name)!.apply(out, false);
                addMetrics(fname, r);
                this.mvContents.set(name, r.kept);
                await this.store.replace(name, g.schema, r.kept);
                m.num_output_rows = r.kept.length;
                m.status = 'COMPLETED';
                this.snapshotCache.set(name, r.kept);
              }
              continue;
            }
            const out = flow.step(inputs);
            const cdc = this.cdc.get(fname);
            if (cdc) {
              if (out.length) { addMetrics(fname, cdc.collect(out)); m.status = 'COMPLETED'; }
              if (chunk !== null) continue;
              const done = await cdc.finish(batchId);
              if (done.metrics) { m.cdc = done.metrics; m.status = 'COMPLETED'; }
              if (done.applied) {
                m.num_output_rows = done.metrics!.num_upserted_rows + done.metrics!.num_deleted_rows;
                changed.add(name);
              } else if (m.status === 'COMPLETED' && done.metrics) {
                m.num_output_rows = done.metrics.num_upserted_rows + done.metrics.num_deleted_rows;
              }
              if (done.appended?.length) kept.push(done.appended);
              continue;
            }
            if (out.length === 0) continue;
            const r = this.expectations.get(name)!.apply(this.conform(gf, out), g.def.quarantine !== undefined);
            addMetrics(fname, r);
            if (r.quarantined?.length) (quarantined.get(name) ?? quarantined.set(name, []).get(name)!).push(r.quarantined);
            kept.push(r.kept);
            m.status = 'COMPLETED';
            if (g.persisted) await this.store.append(name, g.schema, r.kept);
            m.num_output_rows += r.kept.length;
            changed.add(name);
          } catch (e) {
            fail(name, e, fname);
          }
        }
        if (!failed.has(name) && kept.length) {
          const b = concatBatches(g.schema, kept);
          deltas.set(name, b);
          // kept until the views run; a persisted input past APPEND_KEEP_ROWS is read back from its new files
          // instead, one at a time (a replay's whole silver would otherwise stay in memory)
          if (this.appendLefts.has(name) && !spilled.has(name)) {
            const parts = appended.get(name) ?? appended.set(name, []).get(name)!;
            parts.push(b);
            const rows = (keptRows.get(name) ?? 0) + b.length;
            keptRows.set(name, rows);
            if (g.persisted && rows > this.appendKeepRows) { appended.delete(name); spilled.add(name); }
          }
        }
        if (!isMv) flushEarly(chunk, name);
      }
      for (const [name, st] of stepwise) {
        if (failed.has(name)) continue;
        const part = deltas.get(st.left);
        try {
          if (part?.length) await this.appendViewPart(name, st, part, ingestedAtUs, metrics.get(name)!, addMetrics);
        } catch (e) {
          fail(name, e);
        }
        // as for the tables (flushEarly): after the last chunk the view's staged rows go to the writer
        if (chunk?.last && st.started && !failed.has(name)) this.store.prepareCommit?.(name, this.graph.datasets.get(name)!.schema);
      }
    };
    try {
      // new flows into existing tables first read what their streaming inputs already hold (as a new stream starts at the beginning)
      if (this.backfill.size) {
        const filled = new Map<string, Map<string, Batch>>();
        for (const fname of this.backfill) {
          const gf = this.graph.flows.get(fname)!;
          const snaps = new Map<string, Batch>();
          for (const i of gf.inputs) if (i.streaming) snaps.set(i.dataset, await this.snapshot(i.dataset, ingestedAtUs));
          if ([...snaps.values()].some((b) => b.length)) filled.set(fname, snaps);
        }
        this.backfill.clear();
        if (filled.size) await runStep({ source: '', batch: emptyBatch([]) }, filled);
      }
      for await (const chunk of input.chunks) await runStep(chunk);
    } catch (e) {
      // the input itself failed (e.g. new columns under failOnNewColumns): the whole batch fails
      const table = (e as { params?: { table?: unknown } }).params?.table;
      const culprit = typeof table === 'string' && this.graph.datasets.has(table) ? table : this.graph.order.find((n) => this.graph.datasets.get(n)!.streaming) ?? order[0];
      fail(culprit, e);
      for (const name of order) {
        if (failed.has(name) || (this.staticSet.has(name) && completed(name))) continue;
        failed.add(name);
        for (const m of flowMetrics(name)) m.status = 'SKIPPED';
      }
    }
    await runStep(null);

    // 3. commit the streaming tables and incremental views (or discard what a failed flow staged);
    // every table's last rows go to the writer first, so that their files are encoded together
    for (const name of order) if (stagesCommit(name) && !failed.has(name) && completed(name)) this.store.prepareCommit?.(name, this.graph.datasets.get(name)!.schema);
    for (const name of order) {
      const g = this.graph.datasets.get(name)!;
      for (const fname of g.flows) {
        const f = this.flows.get(fname);
        const m = metrics.get(fname)!;
        if (f) { m.late_records = f.counters.late_records; m.null_event_time_records = f.counters.null_event_time_records; }
      }
      if (!stagesCommit(name)) continue;
      const cdc = g.cdc ? this.cdc.get(g.flows[0]) : undefined;
      if (failed.has(name) || !completed(name)) {
        await this.store.discard(name);
        cdc?.discard();
        for (const fname of g.flows) this.oncePending.delete(fname);
        continue;
      }
      try {
        await this.commit(name, batchId, flowMetrics(name), cdc?.target.pendingState ?? undefined);
        cdc?.committed();
        for (const fname of g.flows) if (this.oncePending.has(fname)) this.onceDone.add(fname);
      } catch (e) {
        cdc?.discard();
        throw e;
      }
    }

    // 4. materialized views recomputed from complete snapshots (or appended to), in order
    for (const name of order) {
      const mode = this.mvMode.get(name);
      const st = stepwise.get(name);
      if (st?.started && (failed.has(name) || this.forceRefresh.has(name) || st.rights.some((d) => changed.has(d)))) {
        // computed step by step over inputs that changed after all: recomputed below instead
        await this.store.discard(name);
        const m = metrics.get(name)!;
        m.dropped_records = 0;
        m.num_output_rows = 0;
        for (const e of m.expectations) { e.passed_records = 0; e.failed_records = 0; }
        st.started = false;
      }
      if (this.staticSet.has(name) || failed.has(name) || (mode !== 'recompute' && mode !== 'append')) continue;
      const g = this.graph.datasets.get(name)!;
      const forced = this.forceRefresh.delete(name);
      if (st?.started) {
        try {
          await this.commitAppendView(name, batchId, metrics.get(name)!, st.replace);
          changed.add(name);
        } catch (e) {
          fail(name, e);
          await this.store.discard(name);
        }
        continue;
      }
      if (!g.inputs.some((i) => changed.has(i.dataset)) && this.fingerprints.has(name) && !forced) continue;
      const left = this.appendInputs.get(name) ?? null;
      const parts = left === null ? [] : await this.appendedParts(left, spilled.has(left) ? null : appended.get(left) ?? [], filesBefore);
      // only the appended input changed: its new rows' matches are added to the view; or the view's first
      // computation when its input holds only this batch's rows (a replay from scratch): those rows are the
      // input's snapshot, without reading them back. Either way one part (a step's rows) at a time, so the
      // view's rows are written as they come instead of all held at once.
      const onlyLeft = left !== null && !forced && this.fingerprints.has(name) && !g.inputs.some((i) => i.dataset !== left && changed.has(i.dataset));
      const fresh = left !== null && !forced && !onlyLeft && parts.length > 0
        && parts.reduce((n, b) => n + b.rows, 0) === (await this.store.rowCount(left));
      if (onlyLeft || fresh) {
        try {
          const snaps = new Map<string, Batch>();
          for (const i of g.inputs) if (i.dataset !== left) { this.snapshotCache.delete(i.dataset); snaps.set(i.dataset, await this.snapshot(i.dataset, ingestedAtUs)); }
          const m = metrics.get(name)!;
          let replace = fresh;
          m.num_output_rows = 0;
          const schema = this.graph.datasets.get(left!)!.schema;
          // the next part is read (on the worker, when there is one) while this one is evaluated
          const read = (k: number) => settledLater(k < parts.length && !parts[k].batch ? this.store.readDataFile(left!, schema, parts[k].file!, parts[k].range) : null);
          let ahead = read(0);
          for (let k = 0; k < parts.length; k++) {
            const p = parts[k];
            const pending = ahead;
            ahead = read(k + 1);
            const part = p.batch ?? await pending!;
            const out = CompiledFlow.evaluateSnapshot(this.flows.get(name)!, { source: () => null, snapshot: (d) => (d === left ? part : snaps.get(d)!) });
            const r = this.expectations.get(name)!.apply(out, false);
            addMetrics(name, r);
            if (replace) { await this.store.replace(name, g.schema, r.kept); replace = false; } else await this.store.append(name, g.schema, r.kept);
            m.num_output_rows += r.kept.length;
          }
          await this.commitAppendView(name, batchId, m, fresh);
          changed.add(name);
        } catch (e) {
          fail(name, e);
          await this.store.discard(name);
        }
        continue;
      }
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
    for (const [name, f] of this.flows) if (!failed.has(this.graph.flows.get(name)!.target) && f.streaming && f.advanceWatermarks()) watermarkMoved = true;
    this.snapshotCache = new Map();
    return { batchId, flows: metrics, failure, watermarkMoved };
  }

  /**
   * Append views computed step by step in this batch: each step's new rows of
   * the appended input are matched with the other inputs' snapshots as they
   * come, instead of being read back from files after the steps. Chosen when
   * the view's rows so far stay valid (it was computed before and is not to be
   * recomputed: its new matches are appended), or when its input is empty
   * before the batch (its first rows replace the view's). Speculative: if one
   * of the other inputs changes during the batch after all, the staged rows are
   * discarded and the view is computed after the steps as before.
   */
  private async planStepwise(changed: ReadonlySet<string>): Promise<Map<string, Stepwise>> {
    const out = new Map<string, Stepwise>();
    for (const [name, left] of this.appendInputs) {
      const g = this.graph.datasets.get(name)!;
      if (this.staticSet.has(name) || this.forceRefresh.has(name) || !g.persisted) continue;
      const rights = g.inputs.map((i) => i.dataset).filter((d) => d !== left);
      if (rights.some((d) => changed.has(d))) continue;
      const computed = this.fingerprints.has(name);
      if (!computed && !(this.graph.datasets.get(left)!.persisted && (await this.store.rowCount(left)) === 0)) continue;
      out.set(name, { left, rights, replace: !computed, started: false, snaps: null });
    }
    return out;
  }

  /** Matches one step's new rows of an append view's input and stages the view's new rows. */
  private async appendViewPart(name: string, st: Stepwise, part: Batch, ingestedAtUs: number, m: FlowBatchMetrics, addMetrics: (n: string, r: { metrics: ExpectationMetric[]; dropped_records: number }) => void): Promise<void> {
    if (!st.snaps) {
      st.snaps = new Map();
      for (const d of st.rights) { this.snapshotCache.delete(d); st.snaps.set(d, await this.snapshot(d, ingestedAtUs)); }
    }
    const snaps = st.snaps;
    const g = this.graph.datasets.get(name)!;
    const out = CompiledFlow.evaluateSnapshot(this.flows.get(name)!, { source: () => null, snapshot: (d) => (d === st.left ? part : snaps.get(d)!) });
    const r = this.expectations.get(name)!.apply(out, false);
    addMetrics(name, r);
    if (st.replace && !st.started) await this.store.replace(name, g.schema, r.kept);
    else await this.store.append(name, g.schema, r.kept);
    st.started = true;
    m.num_output_rows += r.kept.length;
  }

  /** Commits an append view's staged rows; `computed`: they replace its contents (its first computation). */
  private async commitAppendView(name: string, batchId: number, m: FlowBatchMetrics, computed: boolean): Promise<void> {
    m.status = 'COMPLETED';
    await this.commit(name, batchId, m);
    // a materialized view reports its rows, not what this refresh added
    m.num_output_rows = await this.store.rowCount(name);
    if (computed) this.fingerprints.set(name, 'computed');
    this.mvContents.delete(name);
    this.snapshotCache.delete(name);
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

  private async commit(name: string, batchId: number, ms: FlowBatchMetrics | readonly FlowBatchMetrics[], cdcState?: string): Promise<void> {
    const g = this.graph.datasets.get(name)!;
    const list = Array.isArray(ms) ? ms : [ms as FlowBatchMetrics];
    await this.store.commit(name, g.schema, {
      batchId, appId: name, operation: cdcState !== undefined ? 'MERGE' : g.kind === 'materialized_view' ? 'CREATE OR REPLACE' : 'STREAMING UPDATE',
      metrics: { numOutputRows: list.reduce((n, m) => n + m.num_output_rows, 0) },
      ...(cdcState !== undefined ? { cdcState } : {}),
    });
    this.snapshotCache.delete(name);
  }
}
