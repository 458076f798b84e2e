/**
 * The event log's table: DLT's ten columns, its place on disk, and the JSON
 * shapes of `sequence`, `origin`, `error` and `details`.
 *
 * The log is a Delta table at `<output>/system/events` (Databricks keeps it at
 * `<storage>/system/events` for Hive metastore pipelines), so
 * `read_parquet('<output>/system/events/*.parquet')` in DuckDB reads it, and
 * `json_extract(details, '$.flow_progress.data_quality.expectations')` plays
 * the part of Databricks' `details:flow_progress.data_quality.expectations`.
 */
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { Schema } from '../ir/types.js';
import { DeltaStore, type DeltaStoreOptions } from '../sinks/delta-store.js';

/** The table name inside `<output>/system/`. */
export const EVENT_LOG_TABLE = 'events';

/** DLT's event log columns, in DLT's order. */
export const EVENT_LOG_SCHEMA: Schema = Object.freeze([
  { name: 'id', type: 'string' },
  { name: 'sequence', type: 'string' },
  { name: 'origin', type: 'string' },
  { name: 'timestamp', type: 'timestamp' },
  { name: 'message', type: 'string' },
  { name: 'level', type: 'string' },
  { name: 'maturity_level', type: 'string' },
  { name: 'error', type: 'string' },
  { name: 'details', type: 'string' },
  { name: 'event_type', type: 'string' },
] as const);

export type EventType = 'create_update' | 'update_progress' | 'flow_definition' | 'dataset_definition' | 'flow_progress' | 'purge';
export type EventLevel = 'INFO' | 'WARN' | 'ERROR' | 'METRICS';
export type UpdateState = 'INITIALIZING' | 'SETTING_UP_TABLES' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELED';

/** `sequence`: orders events (`control_plane_seq_no` grows across updates; `seq_no` within one). */
export interface EventSequence {
  data_plane_id: { instance: string; seq_no: number };
  control_plane_seq_no: number;
}

/** `origin`: where an event comes from. Flow events carry the flow, dataset and batch. */
export interface EventOrigin {
  cloud: 'local';
  pipeline_id: string;
  pipeline_type: 'WORKSPACE';
  pipeline_name: string;
  update_id: string;
  flow_id?: string;
  flow_name?: string;
  dataset_name?: string;
  batch_id?: number;
  /** The checkpoint generation (it grows with each full refresh; batch ids restart in a new one). Not in DLT. */
  generation?: number;
}

/** `error`: DLT's shape (`fatal`, `exceptions[]`) plus the engine's stable code, parameters and hint. */
export interface EventError {
  fatal: boolean;
  exceptions: { class_name: string; message: string }[];
  code?: string;
  params?: Record<string, unknown>;
  origin?: { table?: string; file?: string; line?: number };
  hint?: string;
}

export interface FlowProgressDetails {
  status: 'COMPLETED' | 'FAILED' | 'SKIPPED';
  metrics?: {
    num_output_rows: number; late_records?: number; null_event_time_records?: number;
    /** Malformed input records dropped by a file source (mode DROPMALFORMED). */
    malformed_records?: number;
    /** AUTO CDC flows (DLT's names, and the copy-on-write rewrite). */
    num_upserted_rows?: number; num_deleted_rows?: number; num_stale_events?: number; num_sequence_ties?: number;
    num_versions_opened?: number; num_versions_closed?: number; num_null_sequence_events?: number; num_truncates?: number;
    num_files_rewritten?: number; num_files_added?: number; bytes_written?: number; table_bytes?: number; num_target_rows?: number;
  };
  data_quality?: {
    dropped_records: number;
    expectations: { name: string; dataset: string; passed_records: number; failed_records: number }[];
  };
  /** The event-time watermark that applied to the batch (ISO-8601 UTC), when the flow has one. */
  watermark?: string;
  /** Not in DLT: the micro-batch (its planned start, the time from then to its events, the files it read). */
  batch?: { started_at: string; duration_ms: number; input_files: number };
}

/** A row of the event log with its JSON columns parsed. */
export interface PipelineEvent {
  id: string;
  sequence: EventSequence;
  origin: EventOrigin;
  /** Microseconds since the epoch (UTC). */
  timestamp: number;
  message: string;
  level: EventLevel;
  maturity_level: string | null;
  error: EventError | null;
  details: Record<string, any>;
  event_type: EventType | string;
}

/** The folder of the event log table. */
export function eventLogDir(output: string): string {
  return path.join(output, 'system', EVENT_LOG_TABLE);
}

/** A DeltaStore whose table `events` lives at `<output>/system/events` (not under `tables/`). */
export class EventLogStore extends DeltaStore {
  constructor(output: string, options: DeltaStoreOptions = {}) {
    super(path.join(output, 'system'), options);
  }

  override tableDir(table: string): string {
    return path.join(this.root, table);
  }
}

/** A UUID-shaped id derived from text (stable across runs). */
export function stableId(...parts: string[]): string {
  const h = createHash('sha1').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

/** The pipeline id of a pipeline writing to an output folder. */
export function pipelineIdOf(pipelineName: string, output: string): string {
  return stableId('pipeline', pipelineName, path.resolve(output));
}

/** The flow id of a dataset's flow. */
export function flowIdOf(pipelineId: string, flow: string): string {
  return stableId('flow', pipelineId, flow);
}
