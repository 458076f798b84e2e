/** Reading the event log back: every event, parsed, in sequence order. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { batchToRows } from '../batch.js';
import type { Value } from '../ir/types.js';
import { readDeltaLog, type DeltaSnapshot } from '../sinks/delta-store.js';
import { decodeParquetFile } from '../sinks/parquet.js';
import { EVENT_LOG_SCHEMA, eventLogDir, type PipelineEvent } from './schema.js';

function parseJson(text: unknown): any {
  if (typeof text !== 'string' || text === '') return null;
  try { return JSON.parse(text); } catch { return null; }
}

/** Whether `<output>/system/events` holds a committed Delta table (its first commit, or a checkpoint once old commits expired). */
export function eventLogExists(output: string): boolean {
  const log = path.join(eventLogDir(output), '_delta_log');
  return fs.existsSync(path.join(log, `${'0'.repeat(20)}.json`)) || fs.existsSync(path.join(log, '_last_checkpoint'));
}

/** Orders events: `control_plane_seq_no`, then `seq_no`, then time. */
export function compareEvents(a: PipelineEvent, b: PipelineEvent): number {
  return (a.sequence.control_plane_seq_no - b.sequence.control_plane_seq_no)
    || (a.sequence.data_plane_id.seq_no - b.sequence.data_plane_id.seq_no)
    || (a.timestamp - b.timestamp);
}

/** An event-log row with its JSON columns parsed. */
export function eventOfRow(r: Record<string, Value>): PipelineEvent {
  return {
    id: r.id as string,
    sequence: parseJson(r.sequence) ?? { data_plane_id: { instance: '', seq_no: 0 }, control_plane_seq_no: 0 },
    origin: parseJson(r.origin) ?? {},
    timestamp: r.timestamp as number,
    message: (r.message as string) ?? '',
    level: r.level as PipelineEvent['level'],
    maturity_level: r.maturity_level as string | null,
    error: parseJson(r.error),
    details: parseJson(r.details) ?? {},
    event_type: r.event_type as string,
  };
}

/**
 * Reads the event log again and again as it grows: each call reads only the
 * Delta versions and data files added since the last call (a long-running
 * reader such as the dashboard polls it).
 */
export class EventLogReader {
  private snap: DeltaSnapshot | undefined;
  private readonly byFile = new Map<string, PipelineEvent[]>();
  private events: PipelineEvent[] = [];

  constructor(readonly output: string) {}

  /** The log's Delta version as last read (-1 before the first read or without a log). */
  get version(): number {
    return this.snap?.version ?? -1;
  }

  /** Whether a version after the last one read is on disk (one stat). */
  changed(): boolean {
    return fs.existsSync(path.join(eventLogDir(this.output), '_delta_log', `${String(this.version + 1).padStart(20, '0')}.json`));
  }

  /** Every event, oldest first (the same array until the log changes). */
  read(): PipelineEvent[] {
    if (this.snap === undefined && !eventLogExists(this.output)) return this.events;
    if (this.snap !== undefined && !this.changed()) return this.events;
    const dir = eventLogDir(this.output);
    this.snap = readDeltaLog(dir, this.snap);
    for (const f of [...this.byFile.keys()]) if (!this.snap.files.has(f)) this.byFile.delete(f);
    for (const f of this.snap.files.keys()) {
      if (this.byFile.has(f)) continue;
      const b = decodeParquetFile(path.join(dir, f), EVENT_LOG_SCHEMA);
      this.byFile.set(f, batchToRows(b).map(eventOfRow));
    }
    this.events = [...this.byFile.values()].flat().sort(compareEvents);
    return this.events;
  }
}

/** Every event of the log at `<output>/system/events` (none if there is no log yet), oldest first. */
export async function readEventLog(output: string): Promise<PipelineEvent[]> {
  return new EventLogReader(output).read();
}
