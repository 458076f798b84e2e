/**
 * The testing API: run a pipeline in-process on fixture files or in-memory rows
 * and get every table back, with the expectation metrics of each batch. Nothing
 * is written to disk unless `output` is given; with `output`, the folder's lock
 * is held (as by `replay`) until `runPipeline` returns or `tester.close()`.
 *
 * ```ts
 * const run = await runPipeline(pipeline, { files: { 'patients_daily_file_001.csv': csvText } });
 * expect(run.rows('patients_silver')).toHaveLength(3);
 * expect(run.expectation('patients_clean', 'valid_age').failed_records).toBe(1);
 * ```
 *
 * For event-time logic, a `PipelineTester` drives batches one at a time
 * (`pushRows`, `tick`) and shows after each the watermark (`watermark`), the
 * windows emitted (`emitted`) and the late counts (`flowMetrics`).
 */
import type { Schema, Value } from './ir/types.js';
import { planSources } from './ir/plan.js';
import { batchFromRows, batchToRows, concatBatches, type Batch } from './batch.js';
import type { Pipeline } from './dataset.js';
import { buildGraph, type PipelineGraph } from './graph/graph.js';
import { MemoryStore, type CommitInfo, type DataFile, type RowRange, type TableStore } from './sinks/store.js';
import { memoryFileSystem, nodeFileSystem, type SourceFileSystem } from './sources/files.js';
import { PipelineRunner } from './runtime/runner.js';
import { FileSourceAccess } from './runtime/sources.js';
import { inferFileSchemas } from './runtime/file-schemas.js';
import type { BatchResult, FlowBatchMetrics } from './runtime/executor.js';
import type { ExpectationMetric } from './operators/expectations.js';
import { DefinitionError, RuntimeFailure, type PipelineError } from './errors.js';
import { DeltaStore } from './sinks/delta-store.js';
import { lockOutput, type OutputLock } from './runtime/lock.js';
import { cdcStateDir, FileCdcStateStore } from './cdc/state-store.js';

export type Row = Record<string, Value>;

export interface TestOptions {
  /** In-memory CSV files by name, read by the pipeline's file sources. */
  files?: Record<string, string | Buffer>;
  /** Or a folder of input files. */
  input?: string;
  /** Rows for `rowsSource(name, …)` sources: an array of rows is one batch; an array of arrays is several batches. */
  rows?: Record<string, Row[] | Row[][]>;
  /** `_ingested_at` clock: a fixed time (ms since epoch, or a Date), or a function. Default: 2024-01-01T00:00:00Z. */
  now?: number | Date | (() => number);
  maxFilesPerTrigger?: number;
  /** Also write the tables as Parquet/Delta under this folder (holding its lock: `OUTPUT_LOCKED` when another writer has it). */
  output?: string;
  /** Keys per segment (data file) of AUTO CDC targets (default 16384). */
  cdcSegmentKeys?: number;
  /** New rows of an append view's input kept in memory within a micro-batch before they are read back from files. */
  appendKeepRows?: number;
}

export interface TableResult {
  rows: Row[];
  batch: Batch;
}

/** Expectation metrics summed over batches. */
export type ExpectationTotals = Omit<ExpectationMetric, 'action'> & { action: ExpectationMetric['action'] };

export class PipelineTester {
  readonly graph: PipelineGraph;
  readonly runner: PipelineRunner;
  readonly store: TableStore;
  readonly batches: BatchResult[] = [];
  private readonly rowsFed = new Map<string, Batch[]>();
  /** What each table committed, by batch id. */
  private readonly written = new Map<number, Map<string, Batch>>();
  private readonly files: Record<string, string | Buffer>;
  /** With `output`: the folder's lock, held until `close()`. */
  private lock: OutputLock | null = null;

  constructor(readonly pipeline: Pipeline, readonly options: TestOptions = {}) {
    this.files = { ...(options.files ?? {}) };
    const fsys: SourceFileSystem = options.input ? nodeFileSystem : memoryFileSystem(this.files);
    // file sources without a declared schema take the columns of the first file (read_files / Auto Loader inference)
    this.graph = buildGraph(inferFileSchemas(pipeline, { input: options.input ?? '.', fs: fsys }).pipeline);
    if (options.output) this.lock = lockOutput(options.output, { command: 'runPipeline' });
    this.store = options.output ? new DeltaStore(options.output) : new MemoryStore();
    const now = options.now;
    const clock = typeof now === 'function' ? now : () => (now instanceof Date ? now.getTime() : now ?? Date.UTC(2024, 0, 1));
    const recording = new RecordingStore(this.store, (table, batchId, rows) => {
      let m = this.written.get(batchId);
      if (!m) { m = new Map(); this.written.set(batchId, m); }
      m.set(table, rows);
    });
    const output = options.output;
    this.runner = new PipelineRunner({
      graph: this.graph, store: recording, input: options.input ?? '.', fs: fsys, now: clock, maxFilesPerTrigger: options.maxFilesPerTrigger,
      executor: { cdcSegmentKeys: options.cdcSegmentKeys, appendKeepRows: options.appendKeepRows, ...(output ? { cdcState: (flow: string) => new FileCdcStateStore(cdcStateDir(output, flow)) } : {}) },
    });
    // rows sources are read through the same source access (batch reads) as files
    (this.runner.executor.sources as FileSourceAccess).rows = this.rowsFed;
  }

  /** Releases the output folder (with `output`); the tables stay readable through `table()`. */
  close(): void {
    this.lock?.release();
    this.lock = null;
  }

  /** Adds in-memory files (visible to the next batches). */
  addFiles(files: Record<string, string | Buffer>): void {
    if (this.options.input) throw new DefinitionError('TESTER_USES_FOLDER', 'this tester reads a folder; write files there instead', {});
    Object.assign(this.files, files);
    this.runner.setFileSystem(memoryFileSystem(this.files));
  }

  private created = false;

  /** With `output`, every persisted table exists from the start (empty until data arrives). */
  private async ensureTables(): Promise<void> {
    if (this.options.output && !this.lock) throw new RuntimeFailure('OUTPUT_RELEASED', `this tester closed and released ${this.options.output}; it runs no more batches`, { output: this.options.output }, { hint: 'create a new PipelineTester (or call runPipeline again) to write to it' });
    if (this.created || !(this.store instanceof DeltaStore)) return;
    this.created = true;
    for (const g of this.graph.datasets.values()) if (g.persisted) await this.store.ensureTable(g.name, g.schema);
  }

  /** Runs every available file (triggered, available-now). */
  async runAvailable(): Promise<BatchResult[]> {
    await this.ensureTables();
    const r = await this.runner.runAvailableNow();
    this.batches.push(...r);
    return r;
  }

  /** Runs one batch holding these rows of `rowsSource` sources (and no file). */
  async pushRows(rows: Record<string, Row[]>): Promise<BatchResult> {
    await this.ensureTables();
    const chunks: { source: string; batch: Batch }[] = [];
    for (const [name, list] of Object.entries(rows)) {
      const schema = this.rowsSourceSchema(name);
      const b = batchFromRows(schema, list);
      chunks.push({ source: name, batch: b });
      const fed = this.rowsFed.get(name) ?? [];
      fed.push(b);
      this.rowsFed.set(name, fed);
    }
    const batchId = this.runner.nextBatchId++;
    const r = await this.runner.executor.runBatch({ batchId, ingestedAtUs: Math.floor(this.clock()) * 1000, chunks });
    this.batches.push(r);
    return r;
  }

  /** Runs a batch without data (lets windows whose end the watermark passed close). */
  async tick(): Promise<BatchResult> {
    return this.pushRows({});
  }

  private clock(): number {
    const now = this.options.now;
    return typeof now === 'function' ? now() : now instanceof Date ? now.getTime() : now ?? Date.UTC(2024, 0, 1);
  }

  private rowsSourceSchema(name: string) {
    for (const f of this.graph.flows.values()) {
      for (const p of planSources(f.query)) if (p.kind === 'rows' && p.name === name) return p.schema;
    }
    throw new DefinitionError('UNKNOWN_SOURCE', `the pipeline has no rowsSource named "${name}"`, { source: name }, { hint: 'declare it with rowsSource(name, schema)' });
  }

  /** A table's current contents (views are computed from their inputs' snapshots). */
  async table(name: string): Promise<TableResult> {
    const g = this.graph.datasets.get(name);
    if (!g) throw new DefinitionError('UNKNOWN_DATASET', `the pipeline has no dataset "${name}"`, { reference: name, known: [...this.graph.datasets.keys()] });
    const batch = await this.runner.executor.snapshotOf(name);
    return { rows: batchToRows(batch), batch };
  }

  /** The watermark (µs) that will apply to a dataset's next batch, or null. */
  watermark(dataset: string): number | null {
    return this.runner.executor.flows.get(dataset)?.currentWatermarkUs() ?? null;
  }

  /**
   * The rows a table committed in one batch (default: the last batch run): a
   * streaming table's appended rows (for a windowed aggregate in append mode,
   * the windows that closed in that batch), a materialized view's new contents.
   * Empty when the table wrote nothing in that batch.
   */
  emitted(dataset: string, batchId?: number): Row[] {
    if (!this.graph.datasets.has(dataset)) throw new DefinitionError('UNKNOWN_DATASET', `the pipeline has no dataset "${dataset}"`, { reference: dataset, known: [...this.graph.datasets.keys()] });
    const id = batchId ?? this.batches[this.batches.length - 1]?.batchId;
    const b = id === undefined ? undefined : this.written.get(id)?.get(dataset);
    return b ? batchToRows(b) : [];
  }

  /** Per-batch metrics of one dataset. */
  flowMetrics(dataset: string): FlowBatchMetrics[] {
    return this.batches.map((b) => b.flows.get(dataset)).filter((m): m is FlowBatchMetrics => m !== undefined);
  }
}

/** Passes everything to a store and reports what each commit published (for `PipelineTester.emitted`). */
class RecordingStore implements TableStore {
  private staged = new Map<string, Batch[]>();
  constructor(private readonly inner: TableStore, private readonly onCommit: (table: string, batchId: number, rows: Batch) => void) {}
  snapshot(table: string, schema: Schema): Promise<Batch> { return this.inner.snapshot(table, schema); }
  snapshotParts(table: string, schema: Schema): Promise<readonly Batch[]> { return this.inner.snapshotParts(table, schema); }
  rowCount(table: string): Promise<number> { return this.inner.rowCount(table); }
  committedVersion(table: string, appId: string): Promise<number> { return this.inner.committedVersion(table, appId); }
  truncate(table: string, schema: Schema): Promise<void> { this.staged.delete(table); return this.inner.truncate(table, schema); }
  async append(table: string, schema: Schema, rows: Batch): Promise<void> {
    await this.inner.append(table, schema, rows);
    if (rows.length) (this.staged.get(table) ?? this.staged.set(table, []).get(table)!).push(rows);
  }
  async replace(table: string, schema: Schema, rows: Batch): Promise<void> {
    await this.inner.replace(table, schema, rows);
    this.staged.set(table, [rows]);
  }
  async discard(table: string): Promise<void> {
    this.staged.delete(table);
    await this.inner.discard(table);
  }
  dataFiles(table: string): Promise<DataFile[]> { return this.inner.dataFiles(table); }
  readDataFile(table: string, schema: Schema, file: string, range?: RowRange): Promise<Batch> { return this.inner.readDataFile(table, schema, file, range); }
  cdcState(table: string): Promise<string | null> { return this.inner.cdcState(table); }
  async stageRewrite(table: string, schema: Schema, remove: readonly string[], add: readonly Batch[]): Promise<DataFile[]> {
    const out = await this.inner.stageRewrite(table, schema, remove, add);
    for (const b of add) if (b.length) (this.staged.get(table) ?? this.staged.set(table, []).get(table)!).push(b);
    return out;
  }
  async commit(table: string, schema: Schema, info: CommitInfo): Promise<boolean> {
    const ok = await this.inner.commit(table, schema, info);
    const parts = this.staged.get(table) ?? [];
    this.staged.delete(table);
    if (ok) this.onCommit(table, info.batchId, concatBatches(schema, parts));
    return ok;
  }
}

export interface PipelineRun {
  /** Every dataset's contents as rows. */
  tables: Record<string, Row[]>;
  batches: BatchResult[];
  failure: PipelineError | null;
  rows(table: string): Row[];
  /** An expectation's metrics summed over all batches. */
  expectation(dataset: string, name: string): ExpectationTotals;
  /** `num_output_rows` and `dropped_records` summed over all batches. */
  totals(dataset: string): { num_output_rows: number; dropped_records: number; late_records: number; null_event_time_records: number };
  tester: PipelineTester;
}

/** Runs a pipeline to completion on the given inputs and returns every table. */
export async function runPipeline(pipeline: Pipeline, options: TestOptions = {}): Promise<PipelineRun> {
  const t = new PipelineTester(pipeline, options);
  try {
    return await runToEnd(t, options);
  } finally {
    t.close();
  }
}

async function runToEnd(t: PipelineTester, options: TestOptions): Promise<PipelineRun> {
  let failure: PipelineError | null = null;
  if (options.rows) {
    const names = Object.keys(options.rows);
    const asBatches = (v: Row[] | Row[][]): Row[][] => (v.length > 0 && Array.isArray(v[0]) ? (v as Row[][]) : [v as Row[]]);
    const perSource = names.map((n) => asBatches(options.rows![n]));
    const n = Math.max(0, ...perSource.map((b) => b.length));
    for (let i = 0; i < n; i++) {
      const push: Record<string, Row[]> = {};
      names.forEach((name, k) => { if (perSource[k][i]) push[name] = perSource[k][i]; });
      const r = await t.pushRows(push);
      if (r.failure) { failure = r.failure; break; }
    }
  }
  if (!failure) {
    const rs = await t.runAvailable();
    failure = rs.find((r) => r.failure)?.failure ?? null;
    if (!failure && options.rows && t.runner.executor.needsClosingBatch()) await t.tick();
  }
  const tables: Record<string, Row[]> = {};
  for (const name of t.graph.order) tables[name] = (await t.table(name)).rows;
  const sumMetric = (dataset: string, name: string): ExpectationTotals => {
    const out: ExpectationTotals = { name, dataset, action: 'warn', passed_records: 0, failed_records: 0 };
    let found = false;
    for (const m of t.flowMetrics(dataset)) {
      const e = m.expectations.find((x) => x.name === name);
      if (e) { found = true; out.action = e.action; out.passed_records += e.passed_records; out.failed_records += e.failed_records; }
    }
    if (!found && !t.graph.datasets.get(dataset)?.def.expectations.some((e) => e.name === name)) {
      throw new DefinitionError('UNKNOWN_EXPECTATION', `${dataset} has no expectation "${name}"`, { table: dataset, expectation: name });
    }
    return out;
  };
  return {
    tables, batches: t.batches, failure, tester: t,
    rows: (table) => {
      if (!(table in tables)) throw new DefinitionError('UNKNOWN_DATASET', `the pipeline has no dataset "${table}"`, { reference: table, known: Object.keys(tables) });
      return tables[table];
    },
    expectation: sumMetric,
    totals: (dataset) => t.flowMetrics(dataset).reduce((s, m) => ({
      num_output_rows: s.num_output_rows + (m.kind === 'materialized_view' ? 0 : m.num_output_rows),
      dropped_records: s.dropped_records + m.dropped_records,
      late_records: s.late_records + m.late_records,
      null_event_time_records: s.null_event_time_records + m.null_event_time_records,
    }), { num_output_rows: 0, dropped_records: 0, late_records: 0, null_event_time_records: 0 }),
  };
}

