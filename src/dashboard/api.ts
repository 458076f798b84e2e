/**
 * The dashboard's JSON API: what the page shows, computed on request from an
 * `OutputReader` (the event log and the Delta tables; nothing else is kept).
 *
 * | path                         | what                                                             |
 * |------------------------------|------------------------------------------------------------------|
 * | /api/status                  | exactly the object `status --json` prints                        |
 * | /api/graph                   | datasets (kind, layer, rows, last commit, state) and edges with the rows of the last batch |
 * | /api/quality?batches=N       | each expectation's pass rate now and per batch over the last N batches |
 * | /api/updates                 | the updates and their batches (duration, files, rows)            |
 * | /api/events?type=&level=&dataset=&since=&until=&q=&limit= | the event log, newest first |
 * | /api/tables                  | the tables with their columns (masked ones marked)               |
 * | /api/tables/<name>?limit=&where=&columns=&last=1 | rows of a table (first 100 by default)     |
 * | /api/config                  | PHI mode and the alert thresholds of the vitals page              |
 */
import { isPipelineError, type DataType, type PipelineEvent, type Value } from '../../engine/index.js';
import { formatDate, formatTimestamp } from '../../engine/sources/csv-values.js';
import { ALERT_RULES, VITALS_WINDOW_SIZE, VITALS_WINDOW_SLIDE, VITALS_WATERMARK_DELAY } from '../../layers/vitals.js';
import { UsageError } from '../cli/args.js';
import { MASK, updatesOf, type OutputReader, type TableRef } from '../cli/output-reader.js';
import { parseWhere, whereColumns } from '../cli/where.js';
import { parseSince } from '../cli/inspect.js';

/** An API error: an HTTP status, a stable code, a message and a hint. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly hint?: string) {
    super(message);
  }
}

export interface ApiContext {
  reader: OutputReader;
  /** Show the PHI columns unmasked (--show-phi). */
  showPhi: boolean;
}

const MAX_LIMIT = 10_000;

function intParam(q: URLSearchParams, name: string, dflt: number, max: number): number {
  const v = q.get(name);
  if (v === null || v === '') return dflt;
  if (!/^\d+$/.test(v)) throw new ApiError(400, 'BAD_PARAMETER', `${name} must be a whole number, got "${v}"`);
  return Math.min(Number(v), max);
}

function listParam(q: URLSearchParams, name: string): string[] | null {
  const v = q.get(name);
  if (v === null || v.trim() === '') return null;
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

/** A nested value as plain JSON (maps become objects). */
function plain(v: Value): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x as Value)]));
  return v;
}

/** A cell as JSON: dates as YYYY-MM-DD, timestamps as ISO-8601 UTC, maps as objects. */
export function jsonCell(v: Value, type: DataType): unknown {
  if (v === null || v === MASK) return v;
  if (type === 'date') return formatDate(v as number);
  if (type === 'timestamp') return formatTimestamp(v as number).replace(' ', 'T') + 'Z';
  return plain(v);
}

function iso(us: number): string {
  return new Date(us / 1000).toISOString();
}

// ------------------------------------------------------------------ batches from the event log

interface FlowProgress {
  event: PipelineEvent;
  name: string;
  status: string;
  rows: number;
  dropped: number;
  expectations: { name: string; passed_records: number; failed_records: number }[];
}

interface BatchFacts {
  key: string;
  updateId: string;
  generation: number;
  batchId: number;
  at: number;
  info: { started_at?: string; duration_ms?: number; input_files?: number };
  flows: Map<string, FlowProgress>;
}

/** The batches of the log (one per update, generation and batch id), oldest first. */
function batchesOf(events: readonly PipelineEvent[]): BatchFacts[] {
  const out = new Map<string, BatchFacts>();
  for (const e of events) {
    if (e.event_type !== 'flow_progress' || e.origin.batch_id === undefined) continue;
    const generation = e.origin.generation ?? 0;
    const key = `${e.origin.update_id}:${generation}:${e.origin.batch_id}`;
    let b = out.get(key);
    if (!b) { b = { key, updateId: e.origin.update_id, generation, batchId: e.origin.batch_id, at: e.timestamp, info: {}, flows: new Map() }; out.set(key, b); }
    const fp = e.details?.flow_progress ?? {};
    if (fp.batch) b.info = fp.batch;
    b.at = Math.max(b.at, e.timestamp);
    const name = e.origin.flow_name ?? e.origin.dataset_name ?? '?';
    b.flows.set(name, {
      event: e, name, status: fp.status ?? '?',
      rows: fp.metrics?.num_output_rows ?? 0,
      dropped: fp.data_quality?.dropped_records ?? 0,
      expectations: fp.data_quality?.expectations ?? [],
    });
  }
  return [...out.values()];
}

// ------------------------------------------------------------------ payloads

export function graphPayload(ctx: ApiContext): unknown {
  const { reader } = ctx;
  const status = reader.status();
  const catalog = reader.catalog();
  const batches = batchesOf(reader.allEvents());
  const last = batches.at(-1) ?? null;
  const byName = new Map(status.tables.map((t) => [t.name, t]));
  const nodes = catalog.order.map((name) => {
    const d = catalog.datasets.get(name)!;
    const t = byName.get(name)!;
    const flow = last?.flows.get(name);
    return {
      name, kind: d.kind, layer: d.layer, persisted: d.persisted, comment: d.comment,
      rows: t.rows, files: t.files, last_commit: t.last_commit,
      state: t.last_status?.status ?? 'IDLE', error_code: t.last_status?.code ?? null,
      last_batch_rows: flow ? flow.rows : null,
      quarantine_of: d.quarantineOf, watermark: t.watermark,
      expectations: t.expectations.map((x) => ({ name: x.name, action: x.action, pass_rate: x.pass_rate, failed_records: x.failed_records })),
    };
  });
  // one edge per (input, dataset), streaming if any read of it is
  const reads = new Map<string, { from: string; to: string; streaming: boolean }>();
  for (const to of catalog.order) {
    for (const i of catalog.datasets.get(to)!.inputs) {
      const k = `${i.dataset}->${to}`;
      const r = reads.get(k);
      if (r) r.streaming ||= i.streaming; else reads.set(k, { from: i.dataset, to, streaming: i.streaming });
    }
  }
  const edges = [...reads.values()].map((r) => {
    // into a quarantine go the rows its dataset dropped (the quarantine's own output), not the dataset's output
    const flow = catalog.datasets.get(r.to)?.quarantineOf === r.from ? last?.flows.get(r.to) : last?.flows.get(r.from);
    const downstreamRan = last?.flows.has(r.to) ?? false;
    return { ...r, rows: flow && downstreamRan ? flow.rows : last ? 0 : null };
  });
  return {
    pipeline: catalog.pipeline,
    source: catalog.source.kind,
    last_batch: last ? { update_id: last.updateId, generation: last.generation, batch_id: last.batchId, at: iso(last.at), ...last.info } : null,
    nodes, edges,
  };
}

export function qualityPayload(ctx: ApiContext, q: URLSearchParams): unknown {
  const { reader } = ctx;
  const n = intParam(q, 'batches', 30, 500);
  const status = reader.status();
  const catalog = reader.catalog();
  const batches = batchesOf(reader.allEvents());
  const expectations = status.tables.flatMap((t) => t.expectations.map((x) => {
    const d = catalog.datasets.get(t.name)!;
    const ran = batches.filter((b) => b.flows.get(t.name)?.status === 'COMPLETED').slice(-n);
    return {
      dataset: t.name, name: x.name, action: x.action,
      constraint: d.expectations.find((e) => e.name === x.name)?.constraint ?? null,
      passed_records: x.passed_records, failed_records: x.failed_records, pass_rate: x.pass_rate,
      quarantine: d.quarantine,
      history: ran.map((b) => {
        const m = b.flows.get(t.name)!.expectations.find((e) => e.name === x.name);
        const passed = m?.passed_records ?? 0, failed = m?.failed_records ?? 0;
        return { batch_id: b.batchId, generation: b.generation, at: iso(b.at), passed, failed, pass_rate: passed + failed > 0 ? passed / (passed + failed) : null };
      }),
    };
  }));
  const quarantines = catalog.order.filter((nm) => catalog.datasets.get(nm)!.quarantineOf).map((nm) => ({
    table: nm, of: catalog.datasets.get(nm)!.quarantineOf, rows: status.tables.find((t) => t.name === nm)?.rows ?? null,
  }));
  return { batches: n, expectations, quarantines };
}

export function updatesPayload(ctx: ApiContext, q: URLSearchParams): unknown {
  const { reader } = ctx;
  const limit = intParam(q, 'limit', 200, 5000);
  const events = reader.allEvents();
  const catalog = reader.catalog();
  const config = new Map<string, Record<string, any>>();
  for (const e of events) if (e.event_type === 'create_update') config.set(e.origin.update_id, e.details?.create_update ?? {});
  const updates = updatesOf(events).map((u) => {
    const cu = config.get(u.id) ?? {};
    return {
      id: u.id, state: u.state, started: new Date(u.startedMs).toISOString(), ended: u.endedMs ? new Date(u.endedMs).toISOString() : null,
      batches: u.batches, error: u.error ?? null, trigger: cu.config?.trigger ?? null,
      full_refresh: cu.full_refresh === true, refreshed: cu.refreshed_datasets ?? [],
    };
  }).reverse();
  // rows in: rows of the streaming flows that read files (no dataset inputs); rows written: every stored flow
  const reads = (name: string) => { const d = catalog.datasets.get(name); return d !== undefined && d.kind === 'streaming_table' && d.inputs.length === 0; };
  const stored = (name: string) => catalog.datasets.get(name)?.persisted ?? true;
  const batches = batchesOf(events).slice(-limit).reverse().map((b) => {
    const flows = [...b.flows.values()];
    const failed = flows.find((f) => f.status === 'FAILED');
    return {
      update_id: b.updateId, generation: b.generation, batch_id: b.batchId, at: iso(b.at),
      started_at: b.info.started_at ?? null, duration_ms: b.info.duration_ms ?? null, input_files: b.info.input_files ?? null,
      rows_in: flows.filter((f) => reads(f.name)).reduce((s, f) => s + f.rows, 0),
      rows_written: flows.filter((f) => stored(f.name) && f.status === 'COMPLETED').reduce((s, f) => s + f.rows, 0),
      dropped: flows.reduce((s, f) => s + f.dropped, 0),
      status: failed ? 'FAILED' : 'COMPLETED', error_code: failed?.event.error?.code ?? null,
      flows: flows.map((f) => ({ name: f.name, status: f.status, rows: f.rows })),
    };
  });
  return { updates, batches };
}

export function eventsPayload(ctx: ApiContext, q: URLSearchParams, redact: (x: unknown) => unknown): unknown {
  const { reader } = ctx;
  const types = listParam(q, 'type');
  const levels = listParam(q, 'level')?.map((l) => l.toUpperCase()) ?? null;
  const dataset = q.get('dataset') || null;
  const text = q.get('q')?.toLowerCase() || null;
  const limit = intParam(q, 'limit', 200, MAX_LIMIT);
  let since: number | null = null, until: number | null = null;
  try {
    if (q.get('since')) since = parseSince(q.get('since')!);
    if (q.get('until')) until = parseSince(q.get('until')!);
  } catch (e) {
    throw new ApiError(400, 'BAD_PARAMETER', (e as Error).message.replace(/^events: --since/, 'since/until'));
  }
  const all = reader.allEvents();
  const matched = all.filter((e) => (!types || types.includes(e.event_type))
    && (!levels || levels.includes(e.level))
    && (!dataset || e.origin.dataset_name === dataset || e.origin.flow_name === dataset)
    && (since === null || e.timestamp / 1000 >= since)
    && (until === null || e.timestamp / 1000 <= until)
    && (!text || e.message.toLowerCase().includes(text)));
  const picked = matched.slice(Math.max(0, matched.length - (limit || matched.length))).reverse();
  return {
    total: matched.length, all: all.length,
    types: [...new Set(all.map((e) => e.event_type))].sort(),
    datasets: [...new Set(all.map((e) => e.origin.dataset_name).filter((x): x is string => !!x))].sort(),
    events: picked.map((e) => ({
      id: e.id, timestamp: iso(e.timestamp), level: e.level, event_type: e.event_type, message: e.message,
      origin: e.origin, details: e.details, error: ctx.showPhi ? e.error : redact(e.error),
    })),
  };
}

function columnsOf(ctx: ApiContext, t: TableRef): { name: string; type: DataType; masked: boolean }[] {
  const prot = ctx.showPhi ? [] : ctx.reader.protectedColumns(t);
  return t.schema.map((f) => ({ name: f.name, type: f.type, masked: prot.includes(f.name) }));
}

export function tablesPayload(ctx: ApiContext): unknown {
  const { reader } = ctx;
  const status = reader.status();
  return {
    tables: reader.tables().map((name) => {
      const t = reader.resolveTable(name);
      const s = status.tables.find((x) => x.name === name);
      return { name, kind: t.dataset?.kind ?? null, layer: t.dataset?.layer ?? null, rows: s?.rows ?? null, comment: t.dataset?.comment ?? null, columns: columnsOf(ctx, t) };
    }),
  };
}

/** Turns the coded errors of the readers into API errors. */
function apiErrorOf(e: unknown): never {
  if (e instanceof ApiError) throw e;
  if (e instanceof UsageError) throw new ApiError(400, e.code === 'BAD_USAGE' ? 'BAD_WHERE' : e.code, e.message.replace(/^--where: /, 'where: '));
  if (isPipelineError(e)) throw new ApiError(e.code === 'UNKNOWN_DATASET' ? 404 : 400, e.code, e.message.split('\n')[0], e.hint);
  throw e;
}

export function tableRowsPayload(ctx: ApiContext, name: string, q: URLSearchParams): unknown {
  const { reader } = ctx;
  try {
    const t = reader.resolveTable(name);
    const columns = columnsOf(ctx, t);
    const masked = columns.filter((c) => c.masked).map((c) => c.name);
    const whereText = q.get('where');
    const where = whereText && whereText.trim() ? parseWhere(whereText, t.schema) : null;
    if (where) {
      // a filter on a masked column would tell its values: refused
      const used = [...whereColumns(where)].filter((c) => masked.includes(c));
      if (used.length) throw new ApiError(403, 'PHI_MASKED', `where: ${used.join(', ')} ${used.length === 1 ? 'is' : 'are'} masked; a filter cannot use ${used.length === 1 ? 'it' : 'them'}`, 'start the dashboard with --show-phi to filter on identifying columns');
    }
    const wanted = listParam(q, 'columns');
    const fields = wanted ? wanted.map((c) => {
      const f = t.schema.find((x) => x.name === c) ?? t.schema.find((x) => x.name.toLowerCase() === c.toLowerCase());
      if (!f) throw new ApiError(400, 'UNKNOWN_COLUMN', `${t.name} has no column "${c}"`, `columns: ${t.schema.map((x) => x.name).join(', ')}`);
      return f.name;
    }) : undefined;
    const limit = intParam(q, 'limit', 100, MAX_LIMIT);
    const last = q.get('last') === '1' || q.get('last') === 'true';
    const r = reader.readRows(t, { limit: limit === 0 ? MAX_LIMIT : limit, where, columns: fields, last, mask: masked });
    return {
      table: t.name, version: r.version, total: r.total, returned: r.rows.length,
      columns: r.fields.map((f) => ({ name: f.name, type: f.type, masked: masked.includes(f.name) })),
      rows: r.rows.map((row) => Object.fromEntries(r.fields.map((f, i) => [f.name, jsonCell(row[i], f.type)]))),
    };
  } catch (e) {
    apiErrorOf(e);
  }
}

export function configPayload(ctx: ApiContext): unknown {
  return {
    show_phi: ctx.showPhi,
    mask: MASK,
    vitals: { window_size: VITALS_WINDOW_SIZE, window_slide: VITALS_WINDOW_SLIDE, watermark_delay: VITALS_WATERMARK_DELAY, alert_rules: ALERT_RULES },
  };
}
