/**
 * The event log's running summary: what `status` (and the dashboard) needs
 * from the whole log, kept up to date as events are written, so that reading
 * it costs the same after a month of batches as after one.
 *
 * It holds, per dataset, the expectation totals since the dataset's last full
 * refresh (a materialized view counts its last refresh), the last
 * `flow_progress` status and watermark; the last update (state, start, end,
 * batches); the definitions of the last update that wrote them
 * (`create_update`, `dataset_definition`, `flow_definition`: what
 * `catalogOfEvents` describes the datasets from); and the highest
 * `control_plane_seq_no`. It is a fold over the
 * events in sequence order (`foldEvent`); summing over the whole log
 * (`summarize`) gives the same result while no event has expired.
 *
 * The writer (`EventLog`) keeps it at `<output>/system/event_summary.json`
 * with the event log's Delta version it includes, rewritten after each of its
 * commits. A reader takes that file and folds in the events of the commits
 * after that version (normally none: a writer killed between its commit and
 * the summary leaves one); without a usable file it folds the whole log.
 * Expired events leave the totals as they were: they count from the last full
 * refresh, not from the retention window.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import { lazily } from '../state/zod.js';
import { batchToRows } from '../batch.js';
import { decodeParquet } from '../sinks/parquet.js';
import { readDeltaLog, parseCommit, commitFileName, type DeltaSnapshot } from '../sinks/delta-log.js';
import { writeFileAtomic } from '../state/checkpoint.js';
import { EVENT_LOG_SCHEMA, eventLogDir, type PipelineEvent } from './schema.js';
import { compareEvents, eventOfRow, EventLogReader } from './read.js';

/** The metrics an AUTO CDC flow reports in flow_progress, summed per dataset. */
export const CDC_METRICS = ['num_upserted_rows', 'num_deleted_rows', 'num_stale_events', 'num_sequence_ties', 'num_versions_opened', 'num_versions_closed', 'num_null_sequence_events'] as const;

/** The summary's schemas, built on first use (see state/zod.ts). */
const S = lazily((z) => {
  const DatasetSchema = z.object({
    expectations: z.record(z.string(), z.object({ passed: z.number(), failed: z.number() })),
    watermark: z.string().nullable(),
    lastStatus: z.object({ status: z.string(), batch: z.number().nullable(), code: z.string().optional() }).nullable(),
    lastEventMs: z.number().nullable(),
    /** AUTO CDC targets: their flow_progress metrics, summed. */
    cdc: z.record(z.string(), z.number()).nullable().optional(),
  });

  const SummarySchema = z.object({
    format: z.literal(1),
    version: z.number().int(),
    seq: z.number(),
    kinds: z.record(z.string(), z.string()),
    datasets: z.record(z.string(), DatasetSchema),
    lastUpdate: z.object({
      id: z.string(), state: z.string(), startedMs: z.number(), endedMs: z.number().nullable(), batches: z.number(),
      lastBatch: z.string().nullable(), error: z.string().optional(),
    }).nullable(),
    /** The last `create_update` event. */
    lastCreate: z.any().nullable(),
    /** The definition events (and the `create_update`) of the last update that defined datasets, in order. */
    definitions: z.array(z.any()),
  });
  return { DatasetSchema, SummarySchema };
});
type Schemas = ReturnType<typeof S>;

export type EventSummary = z.infer<Schemas['SummarySchema']>;
export type DatasetSummary = z.infer<Schemas['DatasetSchema']>;

export function emptySummary(): EventSummary {
  return { format: 1, version: -1, seq: 0, kinds: {}, datasets: {}, lastUpdate: null, lastCreate: null, definitions: [] };
}

/** `<output>/system/event_summary.json`. */
export function summaryFile(output: string): string {
  return path.join(path.dirname(eventLogDir(output)), 'event_summary.json');
}

function dataset(s: EventSummary, name: string): DatasetSummary {
  return (s.datasets[name] ??= { expectations: {}, watermark: null, lastStatus: null, lastEventMs: null });
}

/** Folds one event (in sequence order) into the summary. */
export function foldEvent(s: EventSummary, e: PipelineEvent): void {
  s.seq = Math.max(s.seq, e.sequence?.control_plane_seq_no ?? 0);
  const updateId = e.origin?.update_id;
  switch (e.event_type) {
    case 'create_update': {
      for (const n of (e.details?.create_update?.refreshed_datasets ?? []) as string[]) delete s.datasets[n];
      s.lastUpdate = { id: updateId, state: 'RUNNING', startedMs: e.timestamp / 1000, endedMs: null, batches: 0, lastBatch: null };
      s.lastCreate = e;
      return;
    }
    case 'dataset_definition': case 'flow_definition': {
      if (s.definitions[s.definitions.length - 1]?.origin?.update_id !== updateId) {
        s.definitions = s.lastCreate?.origin?.update_id === updateId ? [s.lastCreate] : [];
      }
      s.definitions.push(e);
      if (e.event_type === 'flow_definition') return;
      const name = e.origin?.dataset_name;
      const kind = e.details?.dataset_definition?.dataset_type;
      if (name && typeof kind === 'string') s.kinds[name] = kind;
      return;
    }
    case 'update_progress': {
      const u = s.lastUpdate;
      if (!u || u.id !== updateId) return;
      u.state = e.details?.update_progress?.state ?? u.state;
      if (['COMPLETED', 'FAILED', 'CANCELED'].includes(u.state)) u.endedMs = e.timestamp / 1000;
      if (e.error?.code) u.error = e.error.code;
      return;
    }
    case 'flow_progress': {
      const u = s.lastUpdate;
      if (u && u.id === updateId && e.origin.batch_id !== undefined) {
        const key = `${e.origin.generation ?? 0}:${e.origin.batch_id}`;
        if (key !== u.lastBatch) { u.batches++; u.lastBatch = key; }
      }
      const name = e.origin.dataset_name ?? e.origin.flow_name;
      if (!name) return;
      const d = dataset(s, name);
      const fp = (e.details?.flow_progress ?? {}) as { status?: string; watermark?: string; data_quality?: { expectations?: { name: string; passed_records: number; failed_records: number }[] } };
      d.lastStatus = { status: fp.status ?? '?', batch: e.origin.batch_id ?? null, ...(e.error?.code ? { code: e.error.code } : {}) };
      d.lastEventMs = e.timestamp / 1000;
      if (fp.status !== 'COMPLETED') return;
      // a materialized view checks all its rows at each refresh: its last refresh counts
      if (s.kinds[name] === 'MATERIALIZED_VIEW' && fp.data_quality) for (const t of Object.values(d.expectations)) { t.passed = 0; t.failed = 0; }
      for (const x of fp.data_quality?.expectations ?? []) {
        const t = (d.expectations[x.name] ??= { passed: 0, failed: 0 });
        t.passed += x.passed_records;
        t.failed += x.failed_records;
      }
      if (fp.watermark) d.watermark = fp.watermark;
      const m = ((e.details?.flow_progress as { metrics?: Record<string, unknown> } | undefined)?.metrics ?? {});
      if (typeof m.num_upserted_rows === 'number') {
        const c = (d.cdc ??= Object.fromEntries(CDC_METRICS.map((k) => [k, 0])));
        for (const k of CDC_METRICS) c[k] = (c[k] ?? 0) + (typeof m[k] === 'number' ? (m[k] as number) : 0);
      }
      return;
    }
    default:
  }
}

/** The summary of a list of events (sorted here). */
export function summarize(events: readonly PipelineEvent[], version = -1): EventSummary {
  const s = emptySummary();
  for (const e of [...events].sort(compareEvents)) foldEvent(s, e);
  s.version = version;
  return s;
}

/** The summary file, or null when it is missing or does not parse. */
export function readSummaryFile(output: string): EventSummary | null {
  let raw: unknown;
  try { raw = JSON.parse(fs.readFileSync(summaryFile(output), 'utf8')); } catch { return null; }
  const r = S().SummarySchema.safeParse(raw);
  return r.success ? r.data : null;
}

/** Writes the summary file (the definitions' JSON is kept between calls: they change once per update). */
export function writeSummaryFile(output: string, s: EventSummary): void {
  const { definitions, lastCreate, ...rest } = s;
  if (!defsCache || defsCache.arr !== definitions || defsCache.len !== definitions.length || defsCache.lastCreate !== lastCreate) {
    defsCache = { arr: definitions, len: definitions.length, lastCreate, json: JSON.stringify({ lastCreate, definitions }).slice(1, -1) };
  }
  writeFileAtomic(summaryFile(output), `${JSON.stringify(rest).slice(0, -1)},${defsCache.json}}\n`);
}

let defsCache: { arr: unknown[]; len: number; lastCreate: unknown; json: string } | null = null;

/**
 * The events the commits after `from` added (versions from+1 … snap.version),
 * or null when a commit or one of its files is gone (compacted, expired).
 */
function eventsAfter(dir: string, from: number, snap: DeltaSnapshot): PipelineEvent[] | null {
  const out: PipelineEvent[] = [];
  for (let v = from + 1; v <= snap.version; v++) {
    let text: string;
    try { text = fs.readFileSync(path.join(dir, '_delta_log', commitFileName(v)), 'utf8'); } catch { return null; }
    for (const a of parseCommit(text, commitFileName(v))) {
      if (!a.add || a.add.dataChange === false) continue;
      let bytes: Buffer;
      try { bytes = fs.readFileSync(path.join(dir, a.add.path)); } catch { return null; }
      out.push(...batchToRows(decodeParquet(new Uint8Array(bytes), EVENT_LOG_SCHEMA)).map(eventOfRow));
    }
  }
  return out.sort(compareEvents);
}

/**
 * The summary of the event log at `<output>/system/events`: the summary file
 * and the events committed after it, else a fold of the whole log. Reads the
 * log's last checkpoint and the commits after it, never the whole history.
 */
export function readEventSummary(output: string, snapshot?: DeltaSnapshot): EventSummary {
  const dir = eventLogDir(output);
  const snap = snapshot ?? readDeltaLog(dir);
  const file = readSummaryFile(output);
  if (file && file.version <= snap.version && file.version >= 0) {
    const tail = eventsAfter(dir, file.version, snap);
    if (tail) {
      for (const e of tail) foldEvent(file, e);
      file.version = snap.version;
      return file;
    }
  }
  return summarize(new EventLogReader(output).read(), snap.version);
}
