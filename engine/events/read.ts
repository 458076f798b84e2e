/** Reading the event log back: every event, parsed, in sequence order. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { batchToRows } from '../batch.js';
import { EVENT_LOG_SCHEMA, EVENT_LOG_TABLE, EventLogStore, eventLogDir, type PipelineEvent } from './schema.js';

function parseJson(text: unknown): any {
  if (typeof text !== 'string' || text === '') return null;
  try { return JSON.parse(text); } catch { return null; }
}

/** Whether `<output>/system/events` holds a committed Delta table. */
export function eventLogExists(output: string): boolean {
  return fs.existsSync(path.join(eventLogDir(output), '_delta_log', `${'0'.repeat(20)}.json`));
}

/** Orders events: `control_plane_seq_no`, then `seq_no`, then time. */
export function compareEvents(a: PipelineEvent, b: PipelineEvent): number {
  return (a.sequence.control_plane_seq_no - b.sequence.control_plane_seq_no)
    || (a.sequence.data_plane_id.seq_no - b.sequence.data_plane_id.seq_no)
    || (a.timestamp - b.timestamp);
}

/** Every event of the log at `<output>/system/events` (none if there is no log yet), oldest first. */
export async function readEventLog(output: string): Promise<PipelineEvent[]> {
  if (!eventLogExists(output)) return [];
  const store = new EventLogStore(output);
  const rows = batchToRows(await store.snapshot(EVENT_LOG_TABLE, EVENT_LOG_SCHEMA));
  const events: PipelineEvent[] = rows.map((r) => ({
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
  }));
  return events.sort(compareEvents);
}
