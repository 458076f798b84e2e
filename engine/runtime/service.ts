/**
 * A pipeline bound to an input folder and an output folder: Delta tables,
 * checkpoints, and the batch protocol that makes output exactly-once.
 *
 * For each micro-batch N:
 * 1. `offsets/N` is written: the batch time and, per flow, the exact files of its sources;
 * 2. the batch runs; each table commits with `txn {appId: <flow>#<generation>, version: N}`;
 * 3. operator state after N is saved (binary files per stateful operator);
 * 4. `commits/N` is written: per flow its metrics and its state after N.
 * On start, a batch with offsets but without its commit record is re-run with
 * exactly the same files and batch time; tables that already hold its `txn`
 * skip the write, so nothing is committed twice. Parquet files left by an
 * uncommitted batch are deleted first.
 *
 * One writer per output folder: `open` takes the folder's lock (./lock.ts)
 * before it reads the checkpoint, and `close` releases it.
 */
import { WorkerPool } from './workers.js';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Pipeline } from '../dataset.js';
import { buildGraph, downstreamOf, type PipelineGraph } from '../graph/graph.js';
import { graphFingerprints } from '../graph/fingerprint.js';
import { DeltaStore } from '../sinks/delta-store.js';
import { CHECKPOINT_FORMAT, FINGERPRINT_VERSION, CheckpointStore, DEFAULT_MIN_BATCHES_TO_RETAIN, type BatchCommit, type BatchOffsets, type CheckpointMetadata } from '../state/checkpoint.js';
import type { FileIndex } from '../state/file-index.js';
import { PipelineRunner, type PlannedBatch } from './runner.js';
import type { BatchResult } from './executor.js';
import { DefinitionError, RuntimeFailure } from '../errors.js';
import { sparkTypeJson, type Value } from '../ir/types.js';
import type { SourceFileSystem } from '../sources/files.js';
import { nodeFileSystem } from '../sources/files.js';
import { faultPoint } from './faults.js';
import { OperatorStateFiles } from './operator-state.js';
import { evolvePipeline } from './schema-evolution.js';
import { inferFileSchemas } from './file-schemas.js';
import type { Field } from '../ir/types.js';
import { lockOutput, type OutputLock } from './lock.js';
import { cdcStateDir, FileCdcStateStore } from '../cdc/state-store.js';
import { systemClock, type Clock } from './clock.js';
import { tableConfig } from '../sinks/delta-log.js';
import { DEFAULT_COMPACTION, type CompactionPolicy, type CompactionResult } from '../maintenance/optimize.js';
import { AutoMaintenance, type MaintenanceReport } from '../maintenance/auto.js';

export interface Logger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {}, debug() {} };

export interface ServiceOptions {
  pipeline: Pipeline;
  input: string;
  output: string;
  /** Truncate every table and reset every checkpoint first. */
  fullRefreshAll?: boolean;
  /** Truncate these tables and the streaming tables downstream of them, reset their flows, reprocess all files. */
  fullRefresh?: readonly string[];
  maxFilesPerTrigger?: number;
  /** The clock (ms since the epoch) for batch times, commit times and every retention rule. */
  now?: Clock;
  logger?: Logger;
  fs?: SourceFileSystem;
  onBatch?: (r: BatchResult, plan: PlannedBatch) => void;
  /** Receives the update's lifecycle and every batch's metrics (the event log). */
  events?: EventSink;
  /**
   * Keep files removed by a commit (a materialized-view refresh, a compaction)
   * this long (ms) in tables that do not set `delta.deletedFileRetentionDuration`.
   * Default 0: deleted right after the commit.
   */
  vacuumRetentionMs?: number;
  /**
   * Table properties every table gets unless it sets its own, e.g.
   * `{ 'delta.logRetentionDuration': 'interval 7 days' }` (as Spark's
   * `spark.databricks.delta.properties.defaults.*`, which the pipeline's
   * `configuration` may also hold).
   */
  tableProperties?: Record<string, string>;
  /** Offsets and commits of this many recent batches are kept (Spark's `minBatchesToRetain`, default 100). */
  minBatchesToRetain?: number;
  /** Compact small files between micro-batches (default on; `false` turns it off). */
  autoCompact?: boolean | Partial<CompactionPolicy>;
  /** Time a maintenance slot between micro-batches may take before it stops starting new work (ms, default 250). */
  maintenanceBudgetMs?: number;
  /**
   * Keys a key table (dedup keys, count-distinct pairs) holds in memory; beyond
   * that they go to sorted runs on disk under the checkpoint (state/runs.ts).
   */
  stateKeysInMemory?: number;
  /** Keys per segment (data file) of AUTO CDC targets (default 16384). */
  cdcSegmentKeys?: number;
  /** New input rows an append-only view keeps in memory in a batch before it reads them back from the new files (executor.ts, APPEND_KEEP_ROWS). */
  appendKeepRows?: number;
  /** Named in the output folder's lock (and in the error another writer gets): `replay`, `run`, … Default `PipelineService`. */
  command?: string;
  /** Take the output folder's lock even when another host (or a running process) holds it, with a warning. */
  forceUnlock?: boolean;
  /**
   * Threads to use (the main thread counts): 2 or more parse the next input
   * files on worker threads while the operators run; 1 keeps everything on
   * this thread. Default 1; the CLI defaults to 2 on a machine with 2+ cores.
   */
  threads?: number;
}

export { MAINTENANCE_SNAPSHOT_DELTAS } from './operator-state.js';

/** 2^18 keys: about 12 MB of memory per key table. */
export const DEFAULT_STATE_KEYS_IN_MEMORY = 262_144;

/**
 * What the service reports as it runs; the event log (`engine/events/`) is one
 * implementation. Called synchronously, in order; a sink must not throw.
 */
export interface EventSink {
  /** The update (one `open`) starts: its id, the graph, and what `open` found. */
  updateStarted(info: { updateId: string; graph: PipelineGraph; report: OpenReport; options: ServiceOptions }): void | Promise<void>;
  /** A batch committed (or failed): one call per batch, after its tables committed and before `commits/N`. */
  batchCompleted(info: { updateId: string; result: BatchResult; plan: PlannedBatch; generation: number }): void | Promise<void>;
  /** The update ends. */
  updateFinished(info: { updateId: string; state: 'COMPLETED' | 'FAILED' | 'CANCELED'; error?: unknown }): void | Promise<void>;
  /** Keys were purged from an AUTO CDC target (`purge`). */
  purged?(info: PurgeInfo): void | Promise<void>;
  /** Between micro-batches: the sink's own upkeep (the event log compacts and expires events), within `budgetMs`. */
  maintain?(info: { budgetMs: number }): void | CompactionResult[] | Promise<void | CompactionResult[]>;
}

/** What a purge did. */
export interface PurgeInfo {
  table: string;
  flow: string;
  /** The keys asked for (their key text), found or not. */
  keys: string[];
  /** Keys the target did not know. */
  missing: number;
  /** Rows (SCD type 2: versions) removed. */
  rowsRemoved: number;
  /** The table's Delta version that removed them. */
  version: number;
}

export type { MaintenanceReport } from '../maintenance/auto.js';

const SPARK_TABLE_DEFAULTS = 'spark.databricks.delta.properties.defaults.';
const MIN_BATCHES_CONF = 'spark.sql.streaming.minBatchesToRetain';

export interface OpenReport {
  generation: number;
  /** A batch that was planned but not committed and was re-run. */
  resumedBatch: number | null;
  /** Files already ingested (skipped). */
  indexedFiles: number;
  /** Files deleted because no committed version lists them. */
  orphanFiles: number;
  refreshed: string[];
}

export class PipelineService {
  readonly graph: PipelineGraph;
  readonly store: DeltaStore;
  readonly checkpoint: CheckpointStore;
  private readonly operatorState: OperatorStateFiles;
  readonly runner: PipelineRunner;
  readonly logger: Logger;
  private generation = 0;
  private metadata!: CheckpointMetadata;
  readonly clock: Clock;
  private readonly maintenance: AutoMaintenance;
  /** Offsets, commits and state change logs of this many recent batches are kept. */
  readonly minBatchesToRetain: number;
  private lastCommitted = -1;

  /** Worker threads for parsing (none with threads: 1). */
  private readonly pool: WorkerPool;
  /** Columns added by schema evolution, by source key (saved in the checkpoint metadata). */
  private evolved: Record<string, string[]> = {};
  /** Inferred columns of file sources, by source key (saved in the checkpoint metadata). */
  private fileSchemas: Record<string, Field[]> = {};

  private constructor(readonly options: ServiceOptions) {
    this.graph = buildGraph(options.pipeline);
    this.logger = options.logger ?? silentLogger;
    this.clock = options.now ?? systemClock;
    // table properties: Spark's pipeline-wide defaults, the service's defaults, then the table's own
    const defaults: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.graph.pipeline.options.configuration ?? {})) if (k.startsWith(SPARK_TABLE_DEFAULTS)) defaults[`delta.${k.slice(SPARK_TABLE_DEFAULTS.length)}`] = v;
    Object.assign(defaults, options.tableProperties ?? {});
    const properties = (table: string): Record<string, string> => ({ ...defaults, ...(this.graph.datasets.get(table)?.def.properties ?? {}) });
    this.pool = new WorkerPool(options.threads ?? 1);
    this.store = new DeltaStore(options.output, {
      vacuumRetentionMs: options.vacuumRetentionMs, now: this.clock, properties, pool: this.pool,
      warn: (obj, msg) => this.logger.warn(obj, msg),
    });
    // a property that does not parse fails here, not in the middle of a batch
    for (const g of this.graph.datasets.values()) if (g.persisted) tableConfig(this.store.configurationOf(g.name), g.name);
    const conf = this.graph.pipeline.options.configuration ?? {};
    const keep = options.minBatchesToRetain ?? (conf[MIN_BATCHES_CONF] !== undefined ? Number(conf[MIN_BATCHES_CONF]) : DEFAULT_MIN_BATCHES_TO_RETAIN);
    if (!Number.isInteger(keep) || keep < 1) {
      throw new DefinitionError('INVALID_CONFIGURATION', `${MIN_BATCHES_CONF} must be a positive integer, got "${conf[MIN_BATCHES_CONF] ?? keep}"`, { key: MIN_BATCHES_CONF, value: String(conf[MIN_BATCHES_CONF] ?? keep) }, { hint: 'Spark\'s default is 100' });
    }
    this.minBatchesToRetain = keep;
    const auto = options.autoCompact ?? true;
    this.maintenance = new AutoMaintenance({
      store: this.store, policy: auto === false ? null : { ...DEFAULT_COMPACTION, ...(auto === true ? {} : auto) },
      // an AUTO CDC target's files are its key segments (the CDC state names them): never compacted
      tables: this.graph.order.map((n) => this.graph.datasets.get(n)!).filter((g) => g.persisted && !g.cdc).map((g) => ({ name: g.name, schema: g.schema })),
      state: (budgetMs, busy) => this.snapshotStateBetweenBatches(budgetMs, busy),
      events: options.events?.maintain ? (budgetMs) => options.events!.maintain!({ budgetMs }) : undefined,
      warn: (obj, msg) => this.logger.warn(obj, msg), debug: (obj, msg) => this.logger.debug(obj, msg),
    });
    this.checkpoint = new CheckpointStore(path.join(options.output, '_checkpoints'));
    this.runner = new PipelineRunner({
      graph: this.graph, store: this.store, input: options.input, fs: options.fs ?? nodeFileSystem,
      now: this.clock, maxFilesPerTrigger: options.maxFilesPerTrigger, pool: this.pool,
      executor: { cdcState: (flow) => new FileCdcStateStore(cdcStateDir(options.output, flow)), cdcSegmentKeys: options.cdcSegmentKeys, appendKeepRows: options.appendKeepRows },
      onFileChanged: (file, before, now, reingested) => this.logger.warn({ event: 'file_changed', file, size: now.size, indexed_size: before.size, reingested }, reingested ? 'a processed file changed; it is ingested again (allowOverwrites)' : 'a processed file changed; it is not ingested again'),
      onMalformed: (file, dropped) => this.logger.warn({ event: 'malformed_records', file, dropped }, 'malformed records were dropped (mode DROPMALFORMED)'),
      onFileSkipped: (file, reason) => this.logger.warn({ event: 'file_skipped', file, reason }, 'a file could not be read; it is skipped and retried by a later batch'),
      onNewColumns: (source, columns) => {
        this.evolved[source] = [...new Set([...(this.evolved[source] ?? []), ...columns])];
        this.metadata = { ...this.metadata, evolved: this.evolved };
        this.checkpoint.writeMetadata(this.metadata);
        this.logger.warn({ event: 'schema_evolution', source, columns }, 'new columns found; they are added to the schema from the next start');
      },
    });
    this.operatorState = new OperatorStateFiles(this.checkpoint, this.runner.executor, this.minBatchesToRetain);
  }

  /** The flows that have a checkpoint folder: every flow of the graph (a dataset's default flow is named as the dataset). */
  get flowNames(): string[] { return [...this.graph.flowOrder]; }

  /** This update's id (a new one each time the pipeline is opened). */
  readonly updateId = randomUUID();

  /**
   * Takes the output folder's lock (`OUTPUT_LOCKED` when another writer holds
   * it), then opens the checkpoint. The lock is held until `close`.
   */
  static async open(options: ServiceOptions): Promise<{ service: PipelineService; report: OpenReport }> {
    const lock = lockOutput(options.output, { command: options.command ?? 'PipelineService', forceUnlock: options.forceUnlock, logger: options.logger });
    try {
      const cp = new CheckpointStore(path.join(options.output, '_checkpoints'));
      const stored = options.fullRefreshAll ? null : cp.readMetadata();
      const evolved = stored?.evolved ?? {};
      // inferred file-source schemas: read back from the checkpoint, or inferred now and recorded by init()
      const inferred = inferFileSchemas(options.pipeline, {
        input: path.resolve(options.input), fs: options.fs ?? nodeFileSystem, stored: (stored?.fileSchemas ?? {}) as Record<string, Field[]>,
      });
      const s = new PipelineService({ ...options, pipeline: evolvePipeline(inferred.pipeline, evolved) });
      s.lock = lock;
      s.evolved = { ...evolved };
      s.fileSchemas = inferred.schemas;
      const report = await s.init();
      await options.events?.updateStarted({ updateId: s.updateId, graph: s.graph, report, options });
      return { service: s, report };
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  /** The output folder's lock, held from `open` to `close`. */
  private lock: OutputLock | null = null;

  /** Ends the update (for the event log) and releases the output folder. The service cannot run batches after it. */
  async close(state: 'COMPLETED' | 'FAILED' | 'CANCELED', error?: unknown): Promise<void> {
    await this.pool.close();
    if (!this.lock) return;
    try {
      await this.options.events?.updateFinished({ updateId: this.updateId, state, error });
    } finally {
      this.lock.release();
      this.lock = null;
    }
  }

  private async init(): Promise<OpenReport> {
    const input = path.resolve(this.options.input);
    // the input folder is listed on libuv's threads while the state loads (Trigger.AvailableNow takes it)
    this.runner.prefetchListing();
    const fps = graphFingerprints(this.graph);
    // a batch log per flow (format 4) becomes one per pipeline before anything reads it
    if (!this.options.fullRefreshAll && this.checkpoint.isFormat4()) {
      this.checkpoint.migrateFromFormat4();
      this.logger.info({ format: CHECKPOINT_FORMAT }, 'checkpoint converted to one batch log for the pipeline');
    }
    let meta = this.checkpoint.readMetadata(this.options.fullRefreshAll ?? false);
    // every table's log, read now: the last checkpoints decode without parquet-wasm (DeltaTable.load)
    await this.store.preload([...this.graph.datasets.values()].filter((g) => g.persisted).map((g) => g.name));
    const refreshed: string[] = [];
    // a full refresh that a crash interrupted is finished before anything else
    let fullRefreshAll = this.options.fullRefreshAll ?? false;
    let fullRefresh = this.options.fullRefresh ?? [];
    if (meta?.refreshing && !fullRefreshAll && !fullRefresh.length) {
      this.logger.warn({ tables: meta.refreshing }, 'finishing a full refresh that was interrupted');
      if (meta.refreshing.includes('*')) fullRefreshAll = true;
      else fullRefresh = meta.refreshing.filter((t) => this.graph.datasets.has(t));
    }
    if (fullRefreshAll && meta) {
      // the new generation (and input) is recorded first, so that a crash below cannot reuse the old appIds
      meta = { ...meta, input, generation: meta.generation + 1, flows: {}, evolved: undefined, fileSchemas: undefined, restarted: undefined, refreshing: ['*'] };
      this.checkpoint.writeMetadata(meta);
      for (const n of this.graph.order) {
        if (this.graph.datasets.get(n)!.persisted) await this.store.truncateNow(n, this.graph.datasets.get(n)!.schema);
        faultPoint('mid-refresh');
      }
      this.checkpoint.clearFlows();
      refreshed.push(...this.graph.order);
      this.logger.info({ tables: refreshed }, 'full refresh of every table');
    }
    const firstStart = !meta;
    if (!meta) {
      meta = { format: CHECKPOINT_FORMAT, pipeline: this.options.pipeline.name, input, generation: 0, flows: fps, fingerprints: FINGERPRINT_VERSION, created: new Date(this.clock()).toISOString() };
    } else if (!fullRefreshAll) {
      if (meta.input !== input) {
        throw new RuntimeFailure('CHECKPOINT_INPUT_CHANGED', `the checkpoint in ${this.checkpoint.root} was made for input ${meta.input}, not ${input}`, { expected: meta.input, actual: input }, {
          hint: 'use the same --input, another --output, or --full-refresh-all to start over from the new input',
        });
      }
    }
    if (fullRefresh.length) {
      for (const t of fullRefresh) if (!this.graph.datasets.has(t)) throw new DefinitionError('UNKNOWN_DATASET', `--full-refresh names "${t}", which the pipeline does not define`, { reference: t, known: [...this.graph.datasets.keys()] }, { hint: 'list tables by name, separated by commas' });
      // a selective refresh re-reads every source file, so every streaming flow between the sources and the chosen tables restarts too
      const chosen = downstreamOf(this.graph, fullRefresh);
      const upstreamStreaming = this.graph.order.filter((n) => this.graph.datasets.get(n)!.streaming && chosen.some((c) => downstreamOf(this.graph, [n]).includes(c)));
      const all = downstreamOf(this.graph, [...new Set([...chosen, ...upstreamStreaming])]);
      // the new generation first (see above); the refreshed flows then join at the next batch, the others go on
      // (their entries in the batch log count from the new generation on)
      const restarted = { ...(meta.restarted ?? {}) };
      for (const n of all) for (const f of this.graph.datasets.get(n)!.flows) restarted[f] = meta.generation + 1;
      meta = { ...meta, generation: meta.generation + 1, restarted, refreshing: [...fullRefresh] };
      this.checkpoint.writeMetadata(meta);
      for (const n of all) {
        const g = this.graph.datasets.get(n)!;
        if (g.persisted) await this.store.truncateNow(n, g.schema);
        faultPoint('mid-refresh');
        for (const f of g.flows) {
          this.checkpoint.clearFlow(f);
          delete meta.flows[f];
        }
        refreshed.push(n);
      }
      this.logger.info({ tables: refreshed }, 'full refresh');
    }
    // definition changes the saved state cannot carry (a checkpoint written before the canonical fingerprints is compared with the plans as written)
    const compared = meta.fingerprints === FINGERPRINT_VERSION ? fps : graphFingerprints(this.graph, true);
    for (const [n, fp] of Object.entries(compared)) {
      const old = meta.flows[n];
      if (!old || old === fp) continue;
      const [, oldState] = old.split('/');
      const [, newState] = fp.split('/');
      const target = this.graph.flows.get(n)!.target;
      const isCdc = this.runner.executor.cdc.has(n);
      const hasState = this.runner.executor.flows.get(n)?.stateful.length || isCdc;
      if (hasState && oldState !== newState) {
        throw new RuntimeFailure('CHECKPOINT_INCOMPATIBLE', `the definition of ${n === target ? n : `flow ${n} into ${target}`} changed in a way its saved state cannot carry (${isCdc ? 'its AUTO CDC keys, sequence, columns or SCD type changed' : 'a dedup key, grouping or window changed'})`, { table: target, ...(n === target ? {} : { flow: n }) }, {
          origin: this.graph.flows.get(n)!.origin, hint: `run with --full-refresh ${target} to rebuild it from all input files`,
        });
      }
      if (this.graph.datasets.get(n)?.kind === 'materialized_view' && (hasState || this.runner.executor.mvModeOf(n) === 'append')) {
        // an incremental materialized view is rebuilt from its inputs' snapshots: it always equals its query
        this.rebuild.add(n);
        this.logger.info({ table: n }, 'definition changed; the materialized view is recomputed');
      } else {
        this.logger.info({ table: n }, 'definition changed; new logic applies to new data');
      }
    }
    // table schemas: additive changes evolve the Delta schema; others need a full refresh
    for (const n of this.graph.order) {
      const g = this.graph.datasets.get(n)!;
      if (g.kind !== 'streaming_table') continue;
      const old = this.store.log(n).schemaString;
      if (!old) continue;
      const oldFields = (JSON.parse(old).fields as { name: string; type: unknown }[]);
      for (const f of oldFields) {
        const now = g.schema.find((x) => x.name === f.name);
        const change = !now ? 'dropped' : JSON.stringify(sparkTypeJson(now.type)) !== JSON.stringify(f.type) ? `type changed from ${JSON.stringify(f.type)} to ${JSON.stringify(sparkTypeJson(now.type))}` : null;
        if (change && !refreshed.includes(n)) {
          throw new RuntimeFailure('INCOMPATIBLE_SCHEMA_CHANGE', `column ${f.name} of streaming table ${n} was ${change}; the rows already written cannot follow`, { table: n, column: f.name, change: change.startsWith('type') ? 'type' : 'dropped' }, {
            origin: g.origin, hint: `run with --full-refresh ${n} to rebuild the table from all input files`,
          });
        }
      }
    }
    meta = {
      ...meta, flows: fps, fingerprints: FINGERPRINT_VERSION, refreshing: undefined, ...(Object.keys(this.evolved).length ? { evolved: this.evolved } : {}),
      ...(Object.keys(this.fileSchemas).length ? { fileSchemas: { ...(meta.fileSchemas ?? {}), ...this.fileSchemas } } : {}),
    };
    this.metadata = meta;
    this.generation = meta.generation;
    this.checkpoint.writeMetadata(meta);

    // orphan files of uncommitted batches
    let orphanFiles = 0;
    for (const n of this.graph.order) if (this.graph.datasets.get(n)!.persisted) orphanFiles += this.store.recover(n).length;
    if (orphanFiles) this.logger.warn({ files: orphanFiles }, 'deleted data files of an uncommitted batch');
    // every persisted table exists from the start, empty until data arrives (as DLT creates them at update start)
    for (const n of this.graph.order) {
      const g = this.graph.datasets.get(n)!;
      if (g.persisted) await this.store.ensureTable(n, g.schema);
    }

    // where the pipeline stands: the last batch planned and the last committed (one record each per batch)
    const flows = this.flowNames;
    const offsetBatches = this.checkpoint.offsetBatches();
    const commitBatches = this.checkpoint.commitBatches();
    const lastOffsets = offsetBatches.length ? offsetBatches[offsetBatches.length - 1] : -1;
    const lastCommitted = commitBatches.length ? commitBatches[commitBatches.length - 1] : -1;
    // the last commit record decides where to resume and which flows have run: a damaged one is refused (CHECKPOINT_CORRUPT)
    const lastCommit = lastCommitted >= 0 ? this.checkpoint.readCommit(lastCommitted) : null;
    this.lastCommitted = lastCommitted;
    const counted = (f: string) => lastCommit !== null && lastCommit.flows[f] !== undefined && this.counts(f, lastCommit.generation);
    for (const f of flows) if (counted(f) && this.graph.flows.get(f)?.once) this.runner.executor.onceDone.add(f);
    // flows added to a pipeline that already ran read what their streaming inputs hold (a flow reset by a
    // selective refresh or new joins at the next batch; one whose first batch did not commit reads them again:
    // the table's txn keeps a commit from happening twice)
    if (lastCommitted >= 0) {
      for (const f of flows) {
        if (counted(f) || refreshed.includes(this.graph.flows.get(f)!.target)) continue;
        if (this.runner.executor.backfillNewFlow(f)) this.logger.info({ flow: f }, 'a new flow: it first reads the rows its streaming inputs already hold');
      }
    }
    // file index: the union over source flows
    let indexedFiles = 0;
    for (const src of this.runner.sources) {
      const idx = this.checkpoint.readFileIndex(src.dataset, (g) => this.counts(src.dataset, g)).get(src.key);
      if (!idx) continue;
      const m = this.runner.fileIndex.get(src.key)!;
      if (m.size === 0) {
        // the index read is the runner's (a month of files: not copied entry by entry)
        idx.dropAfter(lastCommitted);
        this.runner.fileIndex.set(src.key, idx);
        indexedFiles += idx.size;
      } else for (const [name, f] of idx) if (f.batchId <= lastCommitted) { m.set(name, f); indexedFiles++; }
    }
    this.checkpoint.forgetRecords();
    if (firstStart) {
      // includeExistingFiles: false — files already there at the first start are skipped for good
      const skipped = this.runner.skipExistingFiles();
      for (const src of this.runner.sources) {
        if (!skipped[src.key]) continue;
        this.checkpoint.writeExistingFiles(src.dataset, { [src.key]: skipped[src.key] });
        if (skipped[src.key].length) this.logger.info({ source: src.key, files: skipped[src.key].length }, 'includeExistingFiles is off: files present at the first start are skipped');
      }
    }
    // key tables beyond the memory budget spill to sorted runs next to the state
    const maxKeys = this.options.stateKeysInMemory ?? DEFAULT_STATE_KEYS_IN_MEMORY;
    for (const [name, flow] of this.runner.executor.flows) {
      for (const ref of flow.stateful) ref.op.useSpill({ dir: path.join(this.checkpoint.flowDir(name), 'state', 'runs', ref.id), maxKeys });
    }
    // operator state after the last committed batch; later state belongs to a batch that did not commit
    for (const f of flows) this.checkpoint.dropStateAfter(f, lastCommitted);
    if (lastCommit) this.operatorState.load(lastCommit, (flow, generation) => this.counts(flow, generation));
    if (this.rebuild.size) await this.runner.executor.rebuildIncremental([...this.rebuild]);
    // rebuilt views' state is written by the next batch, not between batches
    this.stateIsCommitted = this.rebuild.size === 0;
    this.runner.nextBatchId = lastCommitted + 1;
    let resumedBatch: number | null = null;
    if (lastOffsets > lastCommitted) {
      resumedBatch = lastCommitted + 1;
      this.pendingReplay = this.readPlannedBatch(resumedBatch);
      this.checkpoint.dropBatchesAfter(resumedBatch);
      for (const f of flows) this.checkpoint.dropStateAfter(f, resumedBatch);
    }
    return { generation: this.generation, resumedBatch, indexedFiles, orphanFiles, refreshed };
  }

  private pendingReplay: PlannedBatch | null = null;
  /** Incremental materialized views whose definition changed: recomputed from their inputs at open. */
  private readonly rebuild = new Set<string>();

  /** Whether a flow's entries in batch records of this generation count (not before a selective refresh reset it). */
  private counts(flow: string, generation: number): boolean {
    return generation >= (this.metadata?.restarted?.[flow] ?? 0);
  }

  /** The batch as first planned, from its offsets (without the files of flows reset since). */
  private readPlannedBatch(batchId: number): PlannedBatch {
    const files: PlannedBatch['files'] = [];
    const o = this.checkpoint.readOffsets(batchId);
    if (!o) return { batchId, ingestedAtUs: Math.floor(this.clock()) * 1000, files };
    for (const f of this.flowNames) {
      const entry = o.flows[f];
      if (!entry?.files || !this.counts(f, o.generation)) continue;
      for (const [source, list] of Object.entries(entry.files)) for (const file of list) files.push({ source, file });
    }
    return { batchId, ingestedAtUs: o.ingestedAtUs, files };
  }

  /** Whether the operators hold exactly the state after `lastCommitted` (not while a batch runs, nor after one failed). */
  private stateIsCommitted = false;

  /** See OperatorStateFiles.snapshotBetweenBatches: only while the operators hold the committed state. */
  private snapshotStateBetweenBatches(budgetMs: number, busy: boolean): number {
    if (!this.stateIsCommitted || this.lastCommitted < 0 || !this.lock) return 0;
    return this.operatorState.snapshotBetweenBatches(this.lastCommitted, budgetMs, busy);
  }

  /** A closed service no longer holds the output folder: it runs nothing. */
  private assertOpen(): void {
    if (!this.lock) throw new RuntimeFailure('OUTPUT_RELEASED', `the pipeline service of ${this.options.output} is closed and released the output folder; it runs no more batches`, { output: this.options.output }, { hint: 'open a new service with PipelineService.open' });
  }

  /** Runs one batch through the checkpoint protocol. */
  async runBatch(plan: PlannedBatch): Promise<BatchResult> {
    this.assertOpen();
    this.stateIsCommitted = false;
    faultPoint('before-offsets', plan.batchId);
    const wm = this.runner.executor.watermarkState();
    const entries: BatchOffsets['flows'] = {};
    for (const f of this.flowNames) entries[f] = wm[f] ? { watermarks: wm[f] } : {};
    for (const { source, file } of plan.files) {
      const f = this.runner.sources.find((s) => s.key === source)!.dataset;
      ((entries[f].files ??= {})[source] ??= []).push(file);
    }
    this.checkpoint.writeOffsets({ batchId: plan.batchId, generation: this.generation, ingestedAtUs: plan.ingestedAtUs, ...(plan.files.length === 0 ? { closing: true } : {}), flows: entries });
    faultPoint('after-offsets', plan.batchId);
    this.store.appIdSuffix = `#${this.generation}`;
    this.store.currentBatch = plan.batchId;
    const result = await this.runner.runBatch(plan);
    faultPoint('after-sink', plan.batchId);
    await this.options.events?.batchCompleted({ updateId: this.updateId, result, plan, generation: this.generation });
    if (result.failure) {
      this.logger.error({ batch: plan.batchId, code: result.failure.code }, 'batch failed; it will be re-run on the next start');
      return result;
    }
    const states = this.operatorState.save(plan.batchId);
    faultPoint('before-commit-marker', plan.batchId);
    const commit: BatchCommit = { batchId: plan.batchId, generation: this.generation, committedAt: new Date(this.clock()).toISOString(), flows: {} };
    for (const f of this.flowNames) {
      const m = result.flows.get(f);
      const skipped = (plan.skipped ?? []).filter((x) => this.runner.sources.some((s) => s.key === x.source && s.dataset === f)).map((x) => ({ source: x.source, name: x.name }));
      const state = states.get(f);
      commit.flows[f] = {
        ...(m?.num_output_rows !== undefined ? { rows: m.num_output_rows } : {}), ...(m?.status !== undefined ? { status: m.status } : {}),
        ...(skipped.length ? { skipped } : {}), ...(state ? { state } : {}),
      };
    }
    this.checkpoint.writeCommit(commit);
    faultPoint('after-commit-marker', plan.batchId);
    this.lastCommitted = plan.batchId;
    this.stateIsCommitted = true;
    if (plan.batchId % 10 === 9) {
      const keep = this.minBatchesToRetain;
      // one index per source flow, holding every source of the flow
      const bySourceFlow = new Map<string, Map<string, FileIndex>>();
      for (const src of this.runner.sources) {
        const idx = this.runner.fileIndex.get(src.key);
        if (!idx) continue;
        let m = bySourceFlow.get(src.dataset);
        if (!m) bySourceFlow.set(src.dataset, (m = new Map()));
        m.set(src.key, idx);
      }
      for (const [flow, index] of bySourceFlow) this.checkpoint.compactIndex(flow, index, plan.batchId, keep);
      this.checkpoint.pruneBatches(plan.batchId, keep);
    }
    return result;
  }

  /**
   * Erasure: removes every row and history version of these keys from an AUTO
   * CDC target and keeps a purge marker per key, so that no event at or before
   * the key's last sequence brings it back (a replay of the feed, a re-sent
   * file). One Delta commit; then a batch without data recomputes the
   * materialized views that read the table. Key values are given in key order.
   */
  async purge(table: string, keys: readonly (readonly Value[])[]): Promise<PurgeInfo> {
    this.assertOpen();
    const g = this.graph.datasets.get(table);
    if (!g) throw new DefinitionError('UNKNOWN_DATASET', `the pipeline has no table "${table}"`, { table, known: [...this.graph.datasets.keys()] }, { hint: 'name an AUTO CDC target' });
    const rt = g.cdc ? this.runner.executor.cdc.get(g.flows[0]) : undefined;
    if (!rt) {
      throw new DefinitionError('NOT_A_CDC_TARGET', `${table} is not the target of an AUTO CDC flow; purge removes keys from AUTO CDC targets`, { table }, {
        origin: g.origin, hint: `AUTO CDC targets: ${[...this.graph.datasets.values()].filter((x) => x.cdc).map((x) => x.name).join(', ') || 'none'}`,
      });
    }
    // a batch that did not commit goes first, so the purge applies to the state that goes with the table
    if (this.pendingReplay) await this.runAvailableNowPendingOnly();
    this.stateIsCommitted = false;
    await rt.open();
    const { applied, found, missing } = await rt.target.purge(keys);
    const before = this.store.log(table).version;
    const rowsBefore = rt.target.current.segments.reduce((n, s) => n + s.rows, 0);
    try {
      await this.store.commit(table, g.schema, { batchId: before + 1, appId: '__purge__', operation: 'DELETE', cdcState: applied.cdcState, metrics: { numDeletedRows: applied.metrics.num_deleted_rows } });
    } catch (e) {
      rt.discard();
      throw e;
    }
    rt.committed();
    const info: PurgeInfo = { table, flow: rt.flow.name, keys: [...found, ...missing], missing: missing.length, rowsRemoved: rowsBefore - applied.metrics.num_target_rows, version: this.store.log(table).version };
    this.logger.info({ event: 'purge', table, keys: info.keys.length, missing: info.missing, rows_removed: info.rowsRemoved }, 'keys purged');
    await this.options.events?.purged?.(info);
    // materialized views that read the table are recomputed now
    this.runner.executor.refreshDownstream(table);
    const closing = this.closingPlan();
    await this.runBatch(closing);
    return info;
  }

  /**
   * A maintenance slot between micro-batches (maintenance/auto.ts): compaction
   * of the tables whose small files reached a tier's merge factor, then the
   * event log's upkeep, starting no new work after `budgetMs` (default 250).
   */
  async maintain(opts: { budgetMs?: number } = {}): Promise<MaintenanceReport> {
    return this.maintenance.run(opts.budgetMs ?? this.options.maintenanceBudgetMs ?? 250);
  }

  /**
   * Runs the interrupted batch (if any), then every file available now (one
   * listing of the input: files that arrive during the run wait for the next
   * one, as with Spark's Trigger.AvailableNow), then a closing batch if windows
   * the watermark passed are open.
   */
  async runAvailableNow(onBatch?: (r: BatchResult, plan: PlannedBatch) => void): Promise<BatchResult[]> {
    this.assertOpen();
    const results: BatchResult[] = [];
    const run = async (plan: PlannedBatch) => {
      const r = await this.runBatch(plan);
      results.push(r);
      onBatch?.(r, plan);
      this.options.onBatch?.(r, plan);
      return r;
    };
    if (this.pendingReplay) {
      const plan = this.pendingReplay;
      this.pendingReplay = null;
      this.logger.info({ batch: plan.batchId, files: plan.files.length }, 're-running a batch that did not commit');
      const r = await run(plan);
      if (r.failure) return results;
    }
    // Trigger.AvailableNow: the files present now, in as many batches as the rate limit needs; one listing
    // (files that arrive meanwhile wait for the next run, as in Spark)
    this.runner.forgetBacklog();
    await this.runner.takePrefetched();
    let plan: PlannedBatch | null;
    for (let first = true; (plan = this.runner.planBatch(undefined, undefined, first)) !== null; first = false) {
      const r = await run(plan);
      if (r.failure) return results;
      await this.maintain();
    }
    // windows the watermark has passed close now: after the last data batch moved it, and also when the
    // run that moved it stopped before its closing batch (a crash after the commit, or a re-run batch)
    if (this.runner.executor.needsClosingBatch() || this.runner.executor.hasPendingRefresh) {
      await run(this.closingPlan());
    }
    return results;
  }

  get lastCommittedBatch(): number { return this.lastCommitted; }

  /** A batch without data: windows the watermark passed close, pending refreshes run. */
  private closingPlan(): PlannedBatch {
    return { batchId: this.runner.nextBatchId, ingestedAtUs: Math.floor(this.clock()) * 1000, files: [] };
  }

  /**
   * Re-runs an interrupted batch, if there is one; else closes the windows the
   * watermark passed when the run that moved it stopped before its closing batch.
   */
  async runAvailableNowPendingOnly(onBatch?: (r: BatchResult, plan: PlannedBatch) => void): Promise<BatchResult | null> {
    this.assertOpen();
    if (!this.pendingReplay) {
      if (!this.runner.executor.needsClosingBatch()) return null;
      const closing = this.closingPlan();
      const c = await this.runBatch(closing);
      onBatch?.(c, closing);
      this.options.onBatch?.(c, closing);
      return c;
    }
    const plan = this.pendingReplay;
    this.pendingReplay = null;
    this.logger.info({ batch: plan.batchId, files: plan.files.length }, 're-running a batch that did not commit');
    const rs = await this.runPlanned(plan, onBatch);
    return rs[rs.length - 1];
  }

  /** Runs a planned batch, then a closing batch without data if it moved a watermark and windows can close. */
  async runPlanned(plan: PlannedBatch, onBatch?: (r: BatchResult, plan: PlannedBatch) => void): Promise<BatchResult[]> {
    const out: BatchResult[] = [];
    const r = await this.runBatch(plan);
    out.push(r);
    onBatch?.(r, plan);
    this.options.onBatch?.(r, plan);
    if (!r.failure && r.watermarkMoved && this.runner.executor.needsClosingBatch()) {
      const closing = this.closingPlan();
      const c = await this.runBatch(closing);
      out.push(c);
      onBatch?.(c, closing);
      this.options.onBatch?.(c, closing);
    }
    return out;
  }
}
