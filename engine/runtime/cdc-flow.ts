/**
 * An AUTO CDC flow inside a micro-batch: the executor hands it the change
 * feed's new rows step by step; it turns them into events (target
 * expectations apply to the events), buffers them, and at the closing step
 * applies the whole batch to its target at once (engine/cdc/), so that each
 * touched file is rewritten once per batch.
 */
import type { Batch } from '../batch.js';
import type { EvalEnv } from '../expr/eval.js';
import { concatBatches } from '../batch.js';
import type { GraphDataset, GraphFlow } from '../graph/graph.js';
import type { TableStore } from '../sinks/store.js';
import { ExpectationsOperator, type ExpectationResult } from '../operators/expectations.js';
import { cdcLayout, EventExtractor, type CdcLayout } from '../cdc/events.js';
import { CdcTarget, emptyCdcMetrics, type CdcApplied, type CdcMetrics } from '../cdc/target.js';
import type { CdcStateStore } from '../cdc/state-store.js';
import type { Seq } from '../cdc/fold.js';

export interface CdcFinish {
  /** Nothing new was applied: the table already holds this batch (a re-run), or no event came. */
  readonly applied: CdcApplied | null;
  readonly metrics: CdcMetrics | null;
  /** Rows a `skipChangeCommits` reader sees (a commit that only added files). */
  readonly appended: Batch | null;
}

export class CdcFlowRuntime {
  readonly layout: CdcLayout;
  readonly extractor: EventExtractor;
  readonly target: CdcTarget;
  readonly expectations: ExpectationsOperator;
  private buffer: Batch[] = [];
  private truncates: Seq[] = [];
  private nullSequence = 0;
  private opened = false;

  constructor(readonly flow: GraphFlow, readonly dataset: GraphDataset, store: TableStore, state: CdcStateStore, options: { segmentKeys?: number; env?: EvalEnv } = {}) {
    this.layout = cdcLayout(flow.name, dataset.name, flow.cdc!, dataset.schema);
    this.extractor = new EventExtractor(this.layout, flow.cdc!, options.env);
    this.target = new CdcTarget(this.layout, state, store, options);
    this.expectations = new ExpectationsOperator(dataset.name, this.layout.stateSchema, dataset.def.expectations, dataset.origin, options.env);
  }

  /** Loads the target's state (once, before the first batch). */
  async open(): Promise<void> {
    if (this.opened) return;
    await this.target.open();
    this.opened = true;
  }

  /** A full refresh: forget the state (the table is truncated by the caller). */
  reset(): void {
    this.target.reset();
    this.clear();
    this.opened = false;
  }

  private clear(): void {
    this.buffer = [];
    this.truncates = [];
    this.nullSequence = 0;
  }

  /** Buffers the events of the feed's new rows (after the target's expectations). */
  collect(rows: Batch): ExpectationResult {
    const x = this.extractor.extract(rows);
    this.truncates.push(...x.truncates);
    this.nullSequence += x.nullSequence;
    const r = this.expectations.apply(x.events, false);
    if (r.kept.length) this.buffer.push(r.kept);
    return r;
  }

  get hasWork(): boolean {
    return this.buffer.length > 0 || this.truncates.length > 0 || this.nullSequence > 0;
  }

  /** Applies the buffered events (the closing step of a batch). */
  async finish(batchId: number): Promise<CdcFinish> {
    await this.open();
    try {
      if (this.target.batchId >= batchId) {
        // a re-run of a batch the table already committed: its state and metrics are the manifest's
        const m = this.target.current.metrics ?? null;
        return { applied: null, metrics: m, appended: await this.target.appendedRows() };
      }
      if (!this.buffer.length && !this.truncates.length) {
        return { applied: null, metrics: this.nullSequence ? { ...emptyCdcMetrics(), num_null_sequence_events: this.nullSequence, num_target_rows: this.target.current.segments.reduce((n, s) => n + s.rows, 0), table_bytes: this.target.current.segments.reduce((n, s) => n + s.dataBytes, 0) } : null, appended: null };
      }
      const events = concatBatches(this.layout.stateSchema, this.buffer);
      const applied = await this.target.apply(batchId, events, this.truncates, this.nullSequence);
      return { applied, metrics: applied.metrics, appended: applied.appended };
    } finally {
      this.clear();
    }
  }

  /** The table committed what `finish` staged. */
  committed(): void { this.target.committed(); }
  /** The batch failed: drop what `finish` staged (and what was buffered). */
  discard(): void { this.target.discard(); this.clear(); }
}
