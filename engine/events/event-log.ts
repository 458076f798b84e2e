/**
 * The event log: DLT's `event_log` as a Delta table at `<output>/system/events`.
 *
 * `EventLog` is the service's `EventSink`. Each update (one `PipelineService.open`
 * … `close`) has its own `update_id` and writes:
 * - when it opens: `create_update`, `update_progress` INITIALIZING, one
 *   `dataset_definition` and one `flow_definition` per dataset, then
 *   `update_progress` RUNNING;
 * - per batch: one `flow_progress` per flow that did something (COMPLETED with
 *   its metrics and data quality; FAILED with the error; SKIPPED when upstream
 *   failed). Flows that were IDLE write nothing;
 * - when it closes: `update_progress` COMPLETED, FAILED or CANCELED.
 *
 * Exactly once: for each (generation, flow, batch id) there is exactly one
 * `flow_progress` COMPLETED, so summing `num_output_rows` over the log gives a
 * streaming table's row count even after a crash and a re-run:
 * - a batch without failure commits its events with `txn {appId:
 *   "system_events#<generation>", version: <batch id>}`; the service reports a
 *   batch before writing `commits/N`, so a crash in between re-runs the batch,
 *   and the `txn` makes its second commit a no-op;
 * - a batch with a failed flow is re-run on the next start; the flows that did
 *   commit their tables in it are logged at once (under the update's own
 *   appId), and the re-run skips them: when an update resumes a batch, it
 *   first reads which flows of that batch are already logged.
 * Other events commit under `system_events/update/<update id>` with versions
 * 0, 1, 2, ….
 *
 * Upkeep (`maintain`, between micro-batches): the log is a Delta table with
 * checkpoints like any other; its small files are compacted, only within one
 * UTC day (so that expiry drops whole files); events older than the retention
 * (default 30 days) are deleted, except the definitions and lifecycle events
 * of the running update. `summary.ts` keeps what `status` needs from the
 * whole log in `<output>/system/event_summary.json`, rewritten after each commit.
 *
 * Writing the log never fails the pipeline: an error is logged (a warning) and
 * the update goes on. Events never hold row contents, except the offending row
 * of a failed expectation in `error.params.row` (as DLT's "Expectation Violated").
 */
import * as path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import type { Value } from '../ir/types.js';
import { sqlTypeName } from '../ir/types.js';
import { exprToString } from '../expr/text.js';
import { planSources } from '../ir/plan.js';
import * as fs from 'node:fs';
import { batchFromRows, batchToRows, concatBatches, type Batch } from '../batch.js';
import { decodeParquetFile } from '../sinks/parquet.js';
import { writeDataFile } from '../sinks/delta-store.js';
import type { AddAction, DeltaAction } from '../sinks/delta-log.js';
import { DEFAULT_COMPACTION, compactGroups, planAutoCompaction, type CompactionPolicy, type CompactionResult } from '../maintenance/optimize.js';
import { emptySummary, foldEvent, readEventSummary, writeSummaryFile, type EventSummary } from './summary.js';
import { eventOfRow } from './read.js';
import { parseDurationMs } from '../duration.js';
import { ENGINE_INFO, sparkSchemaString } from '../sinks/delta-store.js';
import { isPipelineError } from '../errors.js';
import type { EventSink, Logger, OpenReport, PurgeInfo, ServiceOptions } from '../runtime/service.js';
import type { BatchResult, FlowBatchMetrics } from '../runtime/executor.js';
import type { PlannedBatch } from '../runtime/runner.js';
import type { GraphDataset, GraphFlow, PipelineGraph } from '../graph/graph.js';
import {
  EVENT_LOG_SCHEMA, EVENT_LOG_TABLE, EventLogStore, flowIdOf, pipelineIdOf,
  type EventError, type EventLevel, type EventOrigin, type EventType, type FlowProgressDetails, type UpdateState,
} from './schema.js';
import { eventLogDir } from './schema.js';
import { readEventLog } from './read.js';

/** The txn appId of batch events (DeltaStore appends `#<generation>`). */
export const BATCH_APP_ID = 'system_events';

export interface EventLogOptions {
  /** Where warnings about the log itself go. */
  logger?: Logger;
  /** Clock (ms since epoch); default: the service's clock, else Date.now. */
  now?: () => number;
  /** How the update was started, for `create_update` (e.g. "replay", "run"). */
  command?: string;
  /** The trigger of the update ("available-now", "continuous", "2m", …). */
  trigger?: string;
  /** Events older than this (ms) are deleted by `maintain` (default 30 days), except the running update's definitions. */
  retentionMs?: number;
  /** Properties of the event log's Delta table (e.g. `delta.logRetentionDuration`). */
  tableProperties?: Record<string, string>;
  /** Compaction of the log's small files between batches (default on). */
  compaction?: Partial<CompactionPolicy> | false;
}

/** Events are kept 30 days by default (as Delta keeps its log). */
export const DEFAULT_EVENT_RETENTION_MS = 30 * 86_400_000;
/** The pipeline configuration key of the event retention (`configuration: { 'localdlt.eventLog.retentionDuration': '7 days' }`). */
export const EVENT_RETENTION_CONF = 'localdlt.eventLog.retentionDuration';
const SPARK_TABLE_DEFAULTS = 'spark.databricks.delta.properties.defaults.';
/** Expiry runs at most this often (clock time). */
const EXPIRY_EVERY_MS = 3_600_000;

/** The UTC day of a file's events (from its stats): the event log compacts only within one day. */
function dayOf(a: AddAction): string {
  try { return String((JSON.parse(a.stats ?? '{}') as { minValues?: { timestamp?: string } }).minValues?.timestamp ?? '').slice(0, 10); } catch { return ''; }
}

/** The newest event time (ms) a file holds, from its stats; null when unknown. */
function newestOf(a: AddAction): number | null {
  try {
    const t = (JSON.parse(a.stats ?? '{}') as { maxValues?: { timestamp?: string } }).maxValues?.timestamp;
    return t ? Date.parse(t) : null;
  } catch { return null; }
}

interface Pending {
  event_type: EventType;
  level: EventLevel;
  message: string;
  origin: Partial<EventOrigin>;
  details: Record<string, unknown>;
  error?: EventError | null;
}

function datasetType(g: GraphDataset): string {
  return g.kind === 'streaming_table' ? 'STREAMING_TABLE' : g.kind === 'materialized_view' ? 'MATERIALIZED_VIEW' : 'VIEW';
}

function flowType(g: GraphDataset, f: GraphFlow): 'APPEND' | 'COMPLETE' | 'AUTO_CDC' | 'ONCE' {
  if (f.kind === 'auto_cdc') return 'AUTO_CDC';
  if (f.once) return 'ONCE';
  return g.kind === 'materialized_view' || !g.streaming ? 'COMPLETE' : 'APPEND';
}

function schemaFields(g: GraphDataset): { name: string; data_type: string; nullable: boolean; comment?: string }[] {
  const comments = g.def.columnComments ?? {};
  return g.schema.map((f) => ({ name: f.name, data_type: sqlTypeName(f.type), nullable: true, ...(comments[f.name] !== undefined ? { comment: comments[f.name] } : {}) }));
}

function isoOfUs(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString();
}

/** The `error` column for an error (a coded PipelineError keeps its code, parameters and hint). */
export function eventError(e: unknown, fatal: boolean): EventError {
  if (isPipelineError(e)) {
    return {
      fatal,
      exceptions: [{ class_name: e.name, message: e.message.split('\n')[0] }],
      code: e.code,
      params: e.params as Record<string, unknown>,
      origin: e.origin ? { ...e.origin } : undefined,
      hint: e.hint,
    };
  }
  const err = e as Error | undefined;
  return { fatal, exceptions: [{ class_name: err?.name ?? 'Error', message: err?.message ?? String(e) }], code: 'INTERNAL_ERROR' };
}

export class EventLog implements EventSink {
  readonly store: EventLogStore;
  /** `<output>/system/events`. */
  readonly dir: string;
  private readonly logger: Logger | undefined;
  private now: () => number;
  private graph: PipelineGraph | null = null;
  private pipelineId = '';
  private pipelineName = '';
  private updateId = '';
  /** Rows in the log before this update (the base of `control_plane_seq_no`). */
  private seqBase = 0;
  private seq = 0;
  private controlVersion = 0;
  /** `<generation>:<batch>` → flows whose COMPLETED flow_progress is already in the log. */
  private readonly logged = new Map<string, Set<string>>();
  /** What `status` needs from the whole log (summary.ts), kept as events are written. */
  private summary: EventSummary = emptySummary();
  private readonly compaction: CompactionPolicy | null;
  private expireAt = -Infinity;
  /** The log table's properties: Spark's pipeline-wide Delta defaults, the service's, then these options'. */
  private tableProps: Record<string, string>;
  private retentionMs: number;

  constructor(readonly output: string, readonly options: EventLogOptions = {}) {
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.tableProps = { ...(options.tableProperties ?? {}) };
    this.store = new EventLogStore(output, { now: () => this.now(), properties: () => this.tableProps, warn: (obj, msg) => this.logger?.warn(obj, msg) });
    this.dir = eventLogDir(output);
    this.compaction = options.compaction === false ? null : { ...DEFAULT_COMPACTION, ...(options.compaction ?? {}), bucketOf: dayOf, sealOlderBuckets: true };
    this.retentionMs = options.retentionMs ?? DEFAULT_EVENT_RETENTION_MS;
  }

  // ------------------------------------------------------------------ EventSink

  async updateStarted(info: { updateId: string; graph: PipelineGraph; report: OpenReport; options: ServiceOptions }): Promise<void> {
    await this.guard('create_update', async () => {
      const { graph, report, options } = info;
      this.graph = graph;
      this.updateId = info.updateId;
      this.pipelineName = graph.pipeline.name;
      this.pipelineId = pipelineIdOf(this.pipelineName, this.output);
      if (!this.options.now && options.now) this.now = options.now;
      const conf = graph.pipeline.options.configuration ?? {};
      const defaults: Record<string, string> = {};
      for (const [k, v] of Object.entries(conf)) if (k.startsWith(SPARK_TABLE_DEFAULTS)) defaults[`delta.${k.slice(SPARK_TABLE_DEFAULTS.length)}`] = v;
      this.tableProps = { ...defaults, ...(options.tableProperties ?? {}), ...(this.options.tableProperties ?? {}) };
      await this.store.preload([EVENT_LOG_TABLE]);
      if (this.options.retentionMs === undefined && conf[EVENT_RETENTION_CONF] !== undefined) this.retentionMs = parseDurationMs(conf[EVENT_RETENTION_CONF], EVENT_RETENTION_CONF);
      this.summary = readEventSummary(this.output, this.store.log(EVENT_LOG_TABLE));
      this.seqBase = this.summary.seq;
      if (report.resumedBatch !== null) await this.loadLogged(report.generation, report.resumedBatch);

      const short = this.updateId.slice(0, 8);
      const fullRefreshAll = options.fullRefreshAll === true;
      const events: Pending[] = [];
      events.push({
        event_type: 'create_update', level: 'INFO', origin: {},
        message: `Update ${short} started by ${this.options.command ?? 'API_CALL'}${fullRefreshAll ? ' (full refresh of all tables)' : options.fullRefresh?.length ? ` (full refresh of ${options.fullRefresh.join(', ')})` : ''}.`,
        details: {
          create_update: {
            cause: this.options.command ? 'USER_ACTION' : 'API_CALL',
            config: {
              id: this.pipelineId,
              name: this.pipelineName,
              input: path.resolve(options.input),
              storage: path.resolve(options.output),
              continuous: this.options.trigger !== undefined && this.options.trigger !== 'available-now' && this.options.trigger !== 'once',
              trigger: this.options.trigger ?? 'available-now',
              max_files_per_trigger: options.maxFilesPerTrigger ?? null,
              configuration: { ...(graph.pipeline.options.configuration ?? {}) },
            },
            full_refresh: fullRefreshAll,
            full_refresh_selection: [...(options.fullRefresh ?? [])],
            refresh_selection: [],
            validate_only: false,
            engine_version: ENGINE_INFO,
            // not in DLT: what opening the checkpoint found
            generation: report.generation,
            refreshed_datasets: [...report.refreshed],
            resumed_batch: report.resumedBatch,
            skipped_files: report.indexedFiles,
            orphan_files_removed: report.orphanFiles,
          },
        },
      });
      events.push(this.updateProgress('INITIALIZING'));
      for (const name of graph.order) {
        const g = graph.datasets.get(name)!;
        events.push({
          event_type: 'dataset_definition', level: 'INFO', origin: { dataset_name: name },
          message: `Dataset '${name}' is defined as ${datasetType(g)}.`,
          details: {
            dataset_definition: {
              dataset_type: datasetType(g),
              num_flows: g.flows.length,
              ...(g.cdc ? { cdc: true } : {}),
              expectations: g.def.expectations.map((x) => ({ name: x.name, action: x.action.toUpperCase(), constraint: exprToString(x.predicate) })),
              schema: schemaFields(g),
              schema_json: sparkSchemaString(g.schema),
              table_properties: { ...g.def.properties },
              comment: g.def.comment ?? null,
              persisted: g.persisted,
              ...(g.quarantineOf ? { quarantine_of: g.quarantineOf } : {}),
              ...(g.def.quarantine ? { quarantine: g.def.quarantine.name } : {}),
              source_location: { path: g.origin.file ?? null, line_number: g.origin.line ?? null },
            },
          },
        });
      }
      for (const name of graph.flowOrder) {
        const f = graph.flows.get(name)!;
        const g = graph.datasets.get(f.target)!;
        const cdc = f.cdc;
        events.push({
          event_type: 'flow_definition', level: 'INFO', origin: this.flowOrigin(name),
          message: `Flow '${name}' is defined as ${flowType(g, f)}.`,
          details: {
            flow_definition: {
              output_dataset: f.target,
              input_datasets: f.inputs.map((i) => i.dataset),
              flow_type: flowType(g, f),
              schema: schemaFields(g),
              schema_json: sparkSchemaString(g.schema),
              // not in DLT: the file sources the flow reads and the read mode of each input
              sources: planSources(f.query).map((p) => (p.kind === 'csv' || p.kind === 'files' ? { format: p.kind === 'files' ? p.options.format : 'csv', glob: p.options.glob } : { format: 'rows', name: p.kind === 'rows' ? p.name : null })),
              streaming_inputs: f.inputs.filter((i) => i.streaming).map((i) => i.dataset),
              ...(cdc ? { auto_cdc: { keys: [...cdc.spec.keys], sequence_by: exprToString(cdc.spec.sequenceBy), stored_as_scd_type: cdc.spec.storedAs, columns: [...cdc.columns], track_history: cdc.spec.storedAs === 2 ? [...cdc.tracked] : null, ignore_null_updates: [...cdc.ignoreNull] } } : {}),
              ...(f.once ? { once: true } : {}),
              // not in DLT: how a materialized view is refreshed (incremental state or a recompute when an input changed)
              ...(g.refresh && f.isDefault ? { refresh_mode: g.refresh.mode, refresh_reason: g.refresh.reason } : {}),
            },
          },
        });
      }
      events.push(this.updateProgress('RUNNING'));
      await this.writeControl(events);
    });
  }

  async batchCompleted(info: { updateId: string; result: BatchResult; plan: PlannedBatch; generation: number }): Promise<void> {
    await this.guard('flow_progress', async () => {
      if (!this.graph) return;
      const { result, generation, plan } = info;
      // not in DLT: when the batch was planned, how long it took until its events, and how many files it read
      const batch = { started_at: isoOfUs(plan.ingestedAtUs), duration_ms: Math.max(0, Math.round(this.now() - plan.ingestedAtUs / 1000)), input_files: plan.files.length };
      const key = `${generation}:${result.batchId}`;
      const done = this.logged.get(key) ?? new Set<string>();
      const events: Pending[] = [];
      const completed: string[] = [];
      for (const name of this.graph.flowOrder) {
        const m = result.flows.get(name);
        if (!m || m.status === 'IDLE') continue;
        if (m.status === 'COMPLETED' && done.has(name)) continue;
        const e = this.flowProgress(name, m, result.batchId, generation);
        (e.details.flow_progress as FlowProgressDetails).batch = batch;
        events.push(e);
        if (m.status === 'COMPLETED') completed.push(name);
      }
      if (!events.length) return;
      if (result.failure) {
        // re-run later: log what committed now, and remember it for the re-run
        await this.writeControl(events);
      } else {
        const written = await this.write(events, BATCH_APP_ID, result.batchId, `#${generation}`);
        if (!written) this.logger?.debug({ batch: result.batchId }, 'event log: the batch was already logged');
      }
      for (const n of completed) done.add(n);
      this.logged.set(key, done);
    });
  }

  /** An erasure (`purge`): which table and flow, how many keys and rows; the keys only as hashes (a log keeps no identifiers). */
  async purged(info: PurgeInfo): Promise<void> {
    await this.guard('purge', async () => {
      if (!this.graph) return;
      await this.writeControl([{
        event_type: 'purge', level: 'INFO', origin: { ...this.flowOrigin(info.flow), dataset_name: info.table },
        message: `Purged ${info.keys.length} key${info.keys.length === 1 ? '' : 's'} from '${info.table}': ${info.rowsRemoved} row${info.rowsRemoved === 1 ? '' : 's'} removed${info.missing ? `, ${info.missing} key${info.missing === 1 ? '' : 's'} not found` : ''}.`,
        details: { purge: { table: info.table, flow: info.flow, keys: info.keys.length, key_hashes: info.keys.map((k) => createHash('sha256').update(k).digest('hex').slice(0, 16)), keys_not_found: info.missing, rows_removed: info.rowsRemoved, delta_version: info.version } },
      }]);
    });
  }

  async updateFinished(info: { updateId: string; state: 'COMPLETED' | 'FAILED' | 'CANCELED'; error?: unknown }): Promise<void> {
    await this.guard('update_progress', async () => {
      if (!this.graph) return;
      const e = this.updateProgress(info.state);
      if (info.error !== undefined && info.error !== null) e.error = eventError(info.error, true);
      await this.writeControl([e]);
    });
  }

  // ------------------------------------------------------------------ events

  private flowOrigin(name: string): Partial<EventOrigin> {
    return { flow_id: flowIdOf(this.pipelineId, name), flow_name: name, dataset_name: this.graph?.flows.get(name)?.target ?? name };
  }

  private updateProgress(state: UpdateState): Pending {
    return {
      event_type: 'update_progress', level: state === 'FAILED' ? 'ERROR' : state === 'CANCELED' ? 'WARN' : 'INFO', origin: {},
      message: `Update ${this.updateId.slice(0, 8)} is ${state}.`,
      details: { update_progress: { state } },
    };
  }

  private flowProgress(name: string, m: FlowBatchMetrics, batchId: number, generation: number): Pending {
    const g = this.graph!.datasets.get(m.dataset)!;
    const origin = { ...this.flowOrigin(name), batch_id: batchId, generation };
    if (m.status === 'FAILED' || m.status === 'SKIPPED') {
      const details: FlowProgressDetails = { status: m.status };
      return {
        event_type: 'flow_progress', level: m.status === 'FAILED' ? 'ERROR' : 'WARN', origin,
        message: m.status === 'FAILED' ? `Flow '${name}' has FAILED${m.error ? `: ${m.error.code}` : ''}.` : `Flow '${name}' is SKIPPED: an upstream flow failed.`,
        details: { flow_progress: details },
        error: m.status === 'FAILED' && m.error ? eventError(m.error, false) : null,
      };
    }
    const details: FlowProgressDetails = {
      status: 'COMPLETED',
      metrics: { num_output_rows: m.num_output_rows },
    };
    if (g.streaming && !g.quarantineOf) {
      details.metrics!.late_records = m.late_records;
      details.metrics!.null_event_time_records = m.null_event_time_records;
    }
    if (m.cdc) Object.assign(details.metrics!, m.cdc);
    if (m.malformed_records) details.metrics!.malformed_records = m.malformed_records;
    if (m.expectations.length) {
      details.data_quality = {
        dropped_records: m.dropped_records,
        expectations: m.expectations.map((x) => ({ name: x.name, dataset: x.dataset, passed_records: x.passed_records, failed_records: x.failed_records })),
      };
    }
    if (m.watermark_us !== null && m.watermark_us !== undefined) details.watermark = isoOfUs(m.watermark_us);
    const dropped = m.dropped_records ? `, dropped ${m.dropped_records}` : '';
    return {
      event_type: 'flow_progress', level: 'METRICS', origin,
      message: `Flow '${name}' has COMPLETED: ${m.num_output_rows} output row${m.num_output_rows === 1 ? '' : 's'}${dropped}.`,
      details: { flow_progress: details },
    };
  }

  /** Reads which flows of a batch that is being re-run are already logged as COMPLETED. */
  private async loadLogged(generation: number, batchId: number): Promise<void> {
    const done = new Set<string>();
    for (const e of await readEventLog(this.output)) {
      if (e.event_type !== 'flow_progress' || e.origin.batch_id !== batchId || (e.origin.generation ?? 0) !== generation) continue;
      if (e.details?.flow_progress?.status === 'COMPLETED' && e.origin.flow_name) done.add(e.origin.flow_name);
    }
    this.logged.set(`${generation}:${batchId}`, done);
  }

  // ------------------------------------------------------------------ writing

  private async guard(what: string, f: () => Promise<void>): Promise<void> {
    try {
      await f();
    } catch (e) {
      const code = isPipelineError(e) ? e.code : (e as NodeJS.ErrnoException)?.code ?? 'unknown';
      this.logger?.warn({ event_type: what, code, dir: this.dir }, 'could not write the event log; the pipeline goes on without these events');
    }
  }

  private writeControl(events: Pending[]): Promise<boolean> {
    const v = this.controlVersion++;
    return this.write(events, `${BATCH_APP_ID}/update/${this.updateId}`, v, '');
  }

  /** Appends events in one Delta commit; false when the txn says they are already there. */
  private async write(events: Pending[], appId: string, version: number, suffix: string): Promise<boolean> {
    const seqBefore = this.seq;
    const ts = this.now() * 1000;
    const base: EventOrigin = { cloud: 'local', pipeline_id: this.pipelineId, pipeline_type: 'WORKSPACE', pipeline_name: this.pipelineName, update_id: this.updateId };
    const rows: Record<string, Value>[] = events.map((e) => {
      this.seq++;
      return {
        id: randomUUID(),
        sequence: JSON.stringify({ data_plane_id: { instance: this.updateId, seq_no: this.seq }, control_plane_seq_no: this.seqBase + this.seq }),
        origin: JSON.stringify({ ...base, ...e.origin }),
        timestamp: ts,
        message: e.message,
        level: e.level,
        maturity_level: 'STABLE',
        error: e.error ? JSON.stringify(e.error) : null,
        details: JSON.stringify(e.details),
        event_type: e.event_type,
      };
    });
    let ok = false;
    try {
      this.store.appIdSuffix = suffix;
      await this.store.append(EVENT_LOG_TABLE, EVENT_LOG_SCHEMA, batchFromRows(EVENT_LOG_SCHEMA, rows));
      ok = await this.store.commit(EVENT_LOG_TABLE, EVENT_LOG_SCHEMA, { batchId: version, appId, operation: 'WRITE' });
      if (ok) {
        for (const r of rows) foldEvent(this.summary, eventOfRow(r));
        this.saveSummary();
      }
      return ok;
    } finally {
      if (!ok) {
        this.seq = seqBefore;
        await this.store.discard(EVENT_LOG_TABLE).catch(() => undefined);
      }
    }
  }

  // ------------------------------------------------------------------ upkeep

  private saveSummary(): void {
    this.summary.version = this.store.log(EVENT_LOG_TABLE).version;
    try { writeSummaryFile(this.output, this.summary); } catch (e) {
      this.logger?.warn({ file: 'event_summary.json', error: String((e as Error)?.message ?? e) }, 'could not write the event summary; status reads the whole log until it is written');
    }
  }

  /** Between micro-batches: compacts the log's small files (day by day), then expires old events (at most hourly). */
  async maintain(info: { budgetMs: number }): Promise<CompactionResult[]> {
    const done: CompactionResult[] = [];
    await this.guard('maintenance', async () => {
      if (!this.graph) return;
      const started = performance.now();
      const table = this.store.table(EVENT_LOG_TABLE);
      if (this.compaction) {
        const groups = planAutoCompaction(table.snapshot, this.compaction);
        if (groups.length) {
          done.push(await compactGroups(table, groups, { name: 'system.events', schema: EVENT_LOG_SCHEMA, auto: true, budgetMs: info.budgetMs }));
          this.saveSummary();
        }
      }
      const now = this.now();
      if (now >= this.expireAt && performance.now() - started < info.budgetMs) {
        this.expireAt = now + EXPIRY_EVERY_MS;
        if (this.expire(now - this.retentionMs) > 0) this.saveSummary();
      }
    });
    return done;
  }

  /**
   * Deletes the events older than `cutoffMs` (ms): files whose newest event is
   * older are removed, keeping only the running update's own definitions and
   * lifecycle events (rewritten into one file). Returns the files removed.
   */
  expire(cutoffMs: number): number {
    const table = this.store.table(EVENT_LOG_TABLE);
    const old = [...table.snapshot.files.values()].filter((a) => { const t = newestOf(a); return t !== null && t < cutoffMs; });
    if (!old.length) return 0;
    const keep: Batch[] = [];
    const removed: AddAction[] = [];
    for (const a of old) {
      const b = decodeParquetFile(path.join(table.dir, a.path), EVENT_LOG_SCHEMA);
      const rows = batchToRows(b);
      const kept = rows.filter((r) => r.event_type !== 'flow_progress' && typeof r.origin === 'string' && this.updateId !== '' && r.origin.includes(`"update_id":"${this.updateId}"`));
      if (kept.length === rows.length) continue; // nothing to expire in this file
      removed.push(a);
      if (kept.length) keep.push(batchFromRows(EVENT_LOG_SCHEMA, kept));
    }
    if (!removed.length) return 0;
    const now = this.now();
    const actions: DeltaAction[] = [{ commitInfo: {
      timestamp: now, operation: 'DELETE', operationParameters: { predicate: JSON.stringify([`timestamp < '${new Date(cutoffMs).toISOString()}'`]) },
      engineInfo: ENGINE_INFO, isBlindAppend: false, operationMetrics: { numRemovedFiles: String(removed.length), numAddedFiles: String(keep.length ? 1 : 0) },
    } }];
    for (const a of removed) actions.push({ remove: { path: a.path, deletionTimestamp: now, dataChange: true, extendedFileMetadata: true, partitionValues: {}, size: a.size } });
    let added: string | null = null;
    if (keep.length) {
      const f = writeDataFile(table.dir, 'system.events', concatBatches(EVENT_LOG_SCHEMA, keep), /^(part-\d+-\d+)-/.exec(removed[0].path)?.[1] ?? 'part-000000-00000');
      fs.renameSync(path.join(table.dir, f.tmp), path.join(table.dir, f.final));
      added = f.final;
      // the kept rows were in the removed files: not new data
      actions.push({ add: { path: f.final, partitionValues: {}, size: f.size, modificationTime: now, dataChange: false, stats: f.stats } });
    }
    try {
      table.commit(actions);
    } catch (e) {
      if (added) fs.rmSync(path.join(table.dir, added), { force: true });
      throw e;
    }
    if (table.config().deletedFileRetentionMs === null) for (const a of removed) fs.rmSync(path.join(table.dir, a.path), { force: true });
    this.logger?.debug({ files: removed.length, before: new Date(cutoffMs).toISOString() }, 'expired old events');
    return removed.length;
  }
}
