/**
 * Reading an output folder: the one place `status`, `show`, `events` and the
 * dashboard get their facts from. Everything comes from the event log and the
 * Delta tables; nothing else is kept.
 *
 * - the catalog (datasets, kinds, schemas, expectations, inputs) from the event
 *   log's definitions, or from a pipeline module when one is given;
 * - `status()`: the object `status --json` prints;
 * - `readRows()`: a table's rows in commit order (or its last rows), filtered
 *   with a `--where` condition, with the identifying columns masked on request.
 *
 * An `OutputReader` can be kept and asked again and again (the dashboard does):
 * it reads only what was added since (new event-log versions and files, new
 * Delta log versions) and keeps decoded data files, which never change, up to
 * a row budget.
 */
import { readOutputLock } from '../../engine/runtime/lock.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from './args.js';
import {
  buildGraph, catalogOfEvents, catalogOfGraph, columnsTagged, DefinitionError, EVENT_LOG_SCHEMA, EventLogReader, eventLogDir,
  type Catalog, type CatalogDataset, type ExprNode, type Pipeline, type PipelineEvent, type Schema, type Value,
} from '../../engine/index.js';
import { orderedFiles, readDeltaLog, type DeltaSnapshot } from '../../engine/sinks/delta-store.js';
import { readDeltaLogAsync } from '../../engine/sinks/delta-log.js';
import { readEventSummary, type EventSummary } from '../../engine/events/summary.js';
import { decodeParquetFile } from '../../engine/sinks/parquet.js';
import { valueAt, type Batch } from '../../engine/batch.js';
import { patientPipeline } from '../../layers/pipeline.js';
import { filterWhere } from './where.js';

/** Columns `--redact` masks (and the dashboard, unless started with --show-phi), whatever the table. */
export const REDACTED_COLUMNS: readonly string[] = ['name', 'address', 'contact_number'];
export const MASK = '***';
/** The tag that marks a column as protected health information (table property `phi`, or a column comment). */
export const PHI_TAG = 'phi';

/** Fails with a usage error when the output folder is missing. */
export function requireOutput(output: string, command: string): void {
  let st: fs.Stats;
  try { st = fs.statSync(output); } catch {
    throw new UsageError(`${command}: output folder ${output} does not exist (pass --output <dir>, the folder given to replay or run)`);
  }
  if (!st.isDirectory()) throw new UsageError(`${command}: --output ${output} is not a folder`);
}

// ------------------------------------------------------------------ facts from the event log

export interface ExpectationTotals { action: string; passed: number; failed: number }

/** The AUTO CDC metrics a status sums over batches. */
import { CDC_METRICS } from '../../engine/events/summary.js';
export { CDC_METRICS };
export type CdcTotals = Record<(typeof CDC_METRICS)[number], number>;

export interface DatasetEvents {
  expectations: Map<string, ExpectationTotals>;
  /** AUTO CDC targets: the flow's metrics summed since the last full refresh. */
  cdc: CdcTotals | null;
  watermark: string | null;
  lastStatus: { status: string; batch: number | null; code?: string } | null;
  lastEventMs: number | null;
}

/** Per-dataset facts from the event log: expectation totals since the last full refresh, last status, watermark. */
export function summarizeEvents(events: readonly PipelineEvent[], catalog: Catalog): Map<string, DatasetEvents> {
  const out = new Map<string, DatasetEvents>();
  const fresh = (name: string): DatasetEvents => {
    const expectations = new Map<string, ExpectationTotals>();
    for (const x of catalog.datasets.get(name)?.expectations ?? []) expectations.set(x.name, { action: x.action, passed: 0, failed: 0 });
    return { expectations, cdc: null, watermark: null, lastStatus: null, lastEventMs: null };
  };
  for (const n of catalog.order) out.set(n, fresh(n));
  for (const e of events) {
    if (e.event_type === 'create_update') {
      const refreshed = (e.details?.create_update?.refreshed_datasets ?? []) as string[];
      for (const n of refreshed) if (out.has(n)) out.set(n, fresh(n));
      continue;
    }
    if (e.event_type !== 'flow_progress') continue;
    const name = e.origin.dataset_name ?? e.origin.flow_name;
    if (!name || !out.has(name)) continue;
    const d = out.get(name)!;
    const fp = (e.details?.flow_progress ?? {}) as { status?: string; watermark?: string; data_quality?: { expectations?: { name: string; passed_records: number; failed_records: number }[] } };
    d.lastStatus = { status: fp.status ?? '?', batch: e.origin.batch_id ?? null, code: e.error?.code };
    d.lastEventMs = e.timestamp / 1000;
    if (fp.status !== 'COMPLETED') continue;
    // a materialized view checks all its rows at each refresh: its last refresh counts
    if (catalog.datasets.get(name)?.kind === 'materialized_view' && fp.data_quality) for (const t of d.expectations.values()) { t.passed = 0; t.failed = 0; }
    for (const x of fp.data_quality?.expectations ?? []) {
      const t = d.expectations.get(x.name) ?? { action: '?', passed: 0, failed: 0 };
      t.passed += x.passed_records;
      t.failed += x.failed_records;
      d.expectations.set(x.name, t);
    }
    if (fp.watermark) d.watermark = fp.watermark;
    const m = (e.details?.flow_progress?.metrics ?? {}) as Record<string, unknown>;
    if (typeof m.num_upserted_rows === 'number') {
      d.cdc ??= Object.fromEntries(CDC_METRICS.map((k) => [k, 0])) as CdcTotals;
      for (const k of CDC_METRICS) d.cdc[k] += typeof m[k] === 'number' ? (m[k] as number) : 0;
    }
  }
  return out;
}

export interface UpdateSummary { id: string; state: string; startedMs: number; endedMs: number | null; batches: number; error?: string }

/** Every update of the log, oldest first: its state, start, end and number of batches. */
export function updatesOf(events: readonly PipelineEvent[]): UpdateSummary[] {
  const byId = new Map<string, UpdateSummary & { batchIds: Set<string> }>();
  for (const e of events) {
    const id = e.origin.update_id;
    if (e.event_type === 'create_update') {
      byId.set(id, { id, state: 'RUNNING', startedMs: e.timestamp / 1000, endedMs: null, batches: 0, batchIds: new Set() });
      continue;
    }
    const u = byId.get(id);
    if (!u) continue;
    if (e.event_type === 'update_progress') {
      u.state = e.details?.update_progress?.state ?? u.state;
      if (['COMPLETED', 'FAILED', 'CANCELED'].includes(u.state)) u.endedMs = e.timestamp / 1000;
      if (e.error?.code) u.error = e.error.code;
    }
    if (e.event_type === 'flow_progress' && e.origin.batch_id !== undefined) {
      u.batchIds.add(`${e.origin.generation ?? 0}:${e.origin.batch_id}`);
      u.batches = u.batchIds.size;
    }
  }
  return [...byId.values()].map(({ batchIds: _b, ...u }) => u);
}

/** The per-dataset facts of an event summary (engine/events/summary.ts), as `summarizeEvents` gives them. */
export function datasetEventsOf(sum: EventSummary, catalog: Catalog): Map<string, DatasetEvents> {
  const out = new Map<string, DatasetEvents>();
  for (const n of catalog.order) {
    const s = sum.datasets[n];
    const expectations = new Map<string, ExpectationTotals>();
    for (const x of catalog.datasets.get(n)?.expectations ?? []) expectations.set(x.name, { action: x.action, passed: s?.expectations[x.name]?.passed ?? 0, failed: s?.expectations[x.name]?.failed ?? 0 });
    for (const [name, t] of Object.entries(s?.expectations ?? {})) if (!expectations.has(name)) expectations.set(name, { action: '?', passed: t.passed, failed: t.failed });
    out.set(n, {
      expectations, watermark: s?.watermark ?? null, lastEventMs: s?.lastEventMs ?? null, cdc: (s?.cdc as CdcTotals | null | undefined) ?? null,
      lastStatus: s?.lastStatus ? { status: s.lastStatus.status, batch: s.lastStatus.batch, code: s.lastStatus.code } : null,
    });
  }
  return out;
}

/** The last update of an event summary, as `lastUpdate` gives it. */
export function lastUpdateOf(sum: EventSummary): UpdateSummary | null {
  const u = sum.lastUpdate;
  return u ? { id: u.id, state: u.state, startedMs: u.startedMs, endedMs: u.endedMs, batches: u.batches, ...(u.error ? { error: u.error } : {}) } : null;
}

/** The last update of the log, or null. */
export function lastUpdate(events: readonly PipelineEvent[]): UpdateSummary | null {
  const all = updatesOf(events);
  return all.length ? all[all.length - 1] : null;
}

// ------------------------------------------------------------------ the report `status --json` prints

export interface StatusTable {
  name: string;
  kind: string;
  layer: string | null;
  rows: number | null;
  files: number | null;
  last_commit: string | null;
  last_status: { status: string; batch: number | null; code?: string } | null;
  watermark: string | null;
  /** Materialized views: `incremental` (state updated by new rows) or `recompute` (rerun when an input changed), and why. */
  refresh: { mode: string; reason: string } | null;
  expectations: { name: string; action: string; passed_records: number; failed_records: number; pass_rate: number | null }[];
  /** AUTO CDC targets: the flow's metrics summed since the last full refresh. */
  cdc?: CdcTotals;
}

export interface StatusReport {
  pipeline: string;
  output: string;
  last_update: { id: string; state: string; started: string; ended: string | null; batches: number; error: string | null } | null;
  /** The writer holding the output's lock now, if any. */
  writer: { pid?: number; host?: string; command?: string; started?: string; state: string } | null;
  tables: StatusTable[];
}

// ------------------------------------------------------------------ tables

export interface TableRef {
  name: string;
  schema: Schema;
  dir: string;
  /** The catalog entry (absent for system.events). */
  dataset: CatalogDataset | null;
}

export interface RowsQuery {
  /** Rows to return (0 = all). */
  limit: number;
  where?: ExprNode | null;
  /** Column names to return, in this order (default: all). */
  columns?: readonly string[];
  /** The last `limit` matching rows (in commit order) instead of the first. */
  last?: boolean;
  /** Columns whose non-NULL values are replaced by `***`. */
  mask?: readonly string[];
  /** The table as of this version (time travel: its files must still be there, see `vacuum`). */
  version?: number;
}

export interface RowsResult {
  fields: Schema;
  rows: Value[][];
  /** Matching rows (all rows of the table without a condition). */
  total: number;
  /** The table's Delta version read (-1: no data yet). */
  version: number;
  /** The columns masked in `rows`. */
  masked: string[];
}

/** A snapshot's files in commit order (data files are named `part-<batch>-<n>-…`; a compacted file takes its oldest input's name), rows and version. */
function filesOf(snap: DeltaSnapshot): { files: string[]; rows: number; version: number } {
  let rows = 0;
  for (const a of snap.files.values()) rows += a.stats ? (JSON.parse(a.stats) as { numRecords?: number }).numRecords ?? 0 : 0;
  return { files: orderedFiles(snap).map((a) => a.path), rows, version: snap.version };
}

/** Decoded data files kept in memory, at most this many rows in all. */
const DECODED_ROW_BUDGET = 1_000_000;

export interface OutputReaderOptions {
  /** Describe the output with this pipeline instead of the event log's definitions. */
  pipeline?: Pipeline;
}

export class OutputReader {
  readonly events: EventLogReader;
  private readonly fixed: Catalog | null;
  private cached: { version: number; catalog: Catalog } | null = null;
  private readonly logs = new Map<string, DeltaSnapshot>();
  private readonly decoded = new Map<string, Batch>();
  private decodedRows = 0;

  constructor(readonly output: string, options: OutputReaderOptions = {}) {
    this.events = new EventLogReader(output);
    this.fixed = options.pipeline ? catalogOfGraph(buildGraph(options.pipeline)) : null;
  }

  /** Every event, oldest first. */
  allEvents(): PipelineEvent[] {
    return this.events.read();
  }

  private summaryCache: EventSummary | null = null;

  /**
   * What the whole event log says, from its running summary and the commits
   * after it (engine/events/summary.ts): the same cost after a month of
   * batches as after one. Read again when the log has a new version.
   */
  eventSummary(): EventSummary {
    const c = this.summaryCache;
    if (c && !fs.existsSync(path.join(eventLogDir(this.output), '_delta_log', `${String(c.version + 1).padStart(20, '0')}.json`))) return c;
    this.summaryCache = readEventSummary(this.output);
    return this.summaryCache;
  }

  /**
   * The datasets of the output: from `--pipeline` when given, else from the
   * event log's last definitions, else (no log yet) the patient pipeline.
   */
  catalog(): Catalog {
    if (this.fixed) return this.fixed;
    const sum = this.eventSummary();
    if (this.cached && this.cached.version === sum.version) return this.cached.catalog;
    const catalog = catalogOfEvents(sum.definitions as PipelineEvent[]) ?? catalogOfGraph(buildGraph(patientPipeline));
    this.cached = { version: sum.version, catalog };
    return catalog;
  }

  /** The persisted datasets, in execution order. */
  tables(): string[] {
    const c = this.catalog();
    return c.order.filter((n) => c.datasets.get(n)!.persisted);
  }

  /**
   * Reads the event log's and every table's Delta log at once, their last
   * checkpoints decoded without parquet-wasm (`readDeltaLogAsync`): what
   * `status` does first. Later reads only add the commits after these.
   */
  async preloadLogs(): Promise<void> {
    const ev = eventLogDir(this.output);
    if (!this.summaryCache && fs.existsSync(path.join(ev, '_delta_log'))) this.summaryCache = readEventSummary(this.output, await readDeltaLogAsync(ev));
    const dirs = this.tables().map((n) => path.join(this.output, 'tables', n)).filter((d) => !this.logs.has(d) && fs.existsSync(path.join(d, '_delta_log')));
    const snaps = await Promise.all(dirs.map((d) => readDeltaLogAsync(d)));
    dirs.forEach((d, k) => this.logs.set(d, snaps[k]));
  }

  /** A table's Delta log, read incrementally. */
  deltaLog(dir: string): DeltaSnapshot {
    const before = this.logs.get(dir);
    let snap: DeltaSnapshot;
    try {
      snap = readDeltaLog(dir, before && before.version >= 0 ? before : undefined);
    } catch (e) {
      // a table rewritten from scratch (full refresh) starts its log again: read it whole
      if (!before) throw e;
      snap = readDeltaLog(dir);
    }
    if (before && before.version >= 0 && !fs.existsSync(path.join(dir, '_delta_log', `${String(before.version).padStart(20, '0')}.json`))) snap = readDeltaLog(dir);
    this.logs.set(dir, snap);
    return snap;
  }

  /** The last commit of a table: its version, time (ms) and operation. */
  lastCommit(dir: string, version: number): { version: number; timestamp: number | null; operation: string | null } | null {
    if (version < 0) return null;
    const file = path.join(dir, '_delta_log', `${String(version).padStart(20, '0')}.json`);
    let text: string;
    try { text = fs.readFileSync(file, 'utf8'); } catch { return null; }
    for (const line of text.split('\n')) {
      if (!line.includes('commitInfo')) continue;
      try {
        const ci = (JSON.parse(line) as { commitInfo?: { timestamp?: number; operation?: string } }).commitInfo;
        if (ci) return { version, timestamp: ci.timestamp ?? null, operation: ci.operation ?? null };
      } catch { /* ignore */ }
    }
    return { version, timestamp: null, operation: null };
  }

  /** Rows (from the Delta stats), live files (in commit order: by name) and version of a table. */
  liveFiles(dir: string): { files: string[]; rows: number; version: number } {
    return filesOf(this.deltaLog(dir));
  }

  /** The writer holding the output's lock (status takes no lock). */
  writer(): StatusReport['writer'] {
    const lock = readOutputLock(this.output);
    if (!lock) return null;
    return { ...(lock.holder ? { pid: lock.holder.pid, host: lock.holder.host, command: lock.holder.command, started: lock.holder.started } : {}), state: lock.state };
  }

  /** The object `status --json` prints. */
  status(): StatusReport {
    const sum = this.eventSummary();
    const catalog = this.catalog();
    const byDataset = datasetEventsOf(sum, catalog);
    const update = lastUpdateOf(sum);
    const tables = catalog.order.map((name): StatusTable => {
      const d = catalog.datasets.get(name)!;
      const dir = path.join(this.output, 'tables', name);
      const onDisk = d.persisted ? this.liveFiles(dir) : null;
      const commit = onDisk ? this.lastCommit(dir, onDisk.version) : null;
      const ev = byDataset.get(name)!;
      return {
        name, kind: d.kind, layer: d.layer,
        rows: onDisk && onDisk.version >= 0 ? onDisk.rows : null,
        files: onDisk && onDisk.version >= 0 ? onDisk.files.length : null,
        last_commit: commit?.timestamp ? new Date(commit.timestamp).toISOString() : null,
        last_status: ev.lastStatus,
        watermark: ev.watermark,
        refresh: d.refresh,
        expectations: [...ev.expectations].map(([n, t]) => ({
          name: n, action: t.action, passed_records: t.passed, failed_records: t.failed,
          pass_rate: t.passed + t.failed > 0 ? t.passed / (t.passed + t.failed) : null,
        })),
        ...(ev.cdc ? { cdc: ev.cdc } : {}),
      };
    });
    return {
      pipeline: catalog.pipeline, output: path.resolve(this.output),
      last_update: update ? { id: update.id, state: update.state, started: new Date(update.startedMs).toISOString(), ended: update.endedMs ? new Date(update.endedMs).toISOString() : null, batches: update.batches, error: update.error ?? null } : null,
      writer: this.writer(),
      tables,
    };
  }

  /** A table by name (case-insensitive; `system.events` is the event log); coded errors for unknown names and views. */
  resolveTable(name: string): TableRef {
    if (name === 'system.events' || name === 'system/events') return { name: 'system.events', schema: EVENT_LOG_SCHEMA, dir: eventLogDir(this.output), dataset: null };
    const catalog = this.catalog();
    const d = catalog.datasets.get(name) ?? [...catalog.datasets.values()].find((x) => x.name.toLowerCase() === name.toLowerCase());
    const tables = this.tables();
    if (!d) {
      const close = tables.find((t) => t.toLowerCase() === name.toLowerCase()) ?? tables.find((t) => t.includes(name) || name.includes(t));
      throw new DefinitionError('UNKNOWN_DATASET', `the pipeline "${catalog.pipeline}" has no table "${name}"`, { table: name, known: [...tables, 'system.events'] }, {
        hint: `${close ? `did you mean "${close}"? ` : ''}tables: ${tables.join(', ')}, system.events`,
      });
    }
    if (!d.persisted) {
      const feeds = (catalog.consumers.get(d.name) ?? []).filter((c) => catalog.datasets.get(c)!.persisted);
      throw new DefinitionError('DATASET_NOT_STORED', `${d.name} is a view: it is computed inside the pipeline and not stored`, { table: d.name }, {
        origin: { table: d.name, file: d.origin.file ?? undefined, line: d.origin.line ?? undefined },
        hint: feeds.length ? `show a table it feeds: ${feeds.join(', ')}` : `tables: ${tables.join(', ')}`,
      });
    }
    return { name: d.name, schema: d.schema, dir: path.join(this.output, 'tables', d.name), dataset: d };
  }

  /** The columns of a table that are masked unless PHI is shown: the `--redact` columns and the columns tagged `phi`. */
  protectedColumns(table: TableRef): string[] {
    const tagged = table.dataset ? columnsTagged(table.dataset, PHI_TAG) : [];
    return table.schema.map((f) => f.name).filter((n) => REDACTED_COLUMNS.includes(n.toLowerCase()) || tagged.includes(n));
  }

  private decode(dir: string, file: string, schema: Schema): Batch {
    const key = path.join(dir, file);
    const hit = this.decoded.get(key);
    if (hit) {
      // most recently used last
      this.decoded.delete(key);
      this.decoded.set(key, hit);
      return hit;
    }
    const b = decodeParquetFile(key, schema);
    this.decoded.set(key, b);
    this.decodedRows += b.length;
    for (const [k, old] of this.decoded) {
      if (this.decodedRows <= DECODED_ROW_BUDGET || k === key) break;
      this.decoded.delete(k);
      this.decodedRows -= old.length;
    }
    return b;
  }

  /** A table's rows in commit order, filtered, limited and masked. */
  readRows(table: TableRef, q: RowsQuery): RowsResult {
    try {
      return this.readRowsOnce(table, q);
    } catch (e) {
      // a refresh deleted a file between reading the log and the file: read the new version
      if ((e as NodeJS.ErrnoException)?.code !== 'ENOENT') throw e;
      this.logs.delete(table.dir);
      return this.readRowsOnce(table, q);
    }
  }

  private readRowsOnce(table: TableRef, q: RowsQuery): RowsResult {
    const { files, rows: totalRows, version } = q.version === undefined ? this.liveFiles(table.dir) : filesOf(readDeltaLog(table.dir, undefined, { version: q.version }));
    const fields = (q.columns ?? table.schema.map((f) => f.name)).map((c) => table.schema.find((x) => x.name === c)!);
    const where = q.where ?? null;
    const limit = q.limit;
    const picked: Batch[] = [];
    let pickedRows = 0;
    let matched = 0;
    const order = q.last ? [...files].reverse() : files;
    for (const f of order) {
      if (limit > 0 && pickedRows >= limit && !where) break;
      let b = this.decode(table.dir, f, table.schema);
      if (where) b = filterWhere(b, where);
      matched += b.length;
      if (b.length && (limit === 0 || pickedRows < limit)) { picked.push(b); pickedRows += b.length; }
    }
    const mask = new Set(q.mask ?? []);
    const masked = fields.filter((f) => mask.has(f.name)).map((f) => f.name);
    const rowOf = (b: Batch, idx: number[], i: number): Value[] => idx.map((j, c) => {
      const v = valueAt(b.columns[j], i);
      return v !== null && mask.has(fields[c].name) ? MASK : v;
    });
    const rows: Value[][] = [];
    for (const b of picked) {
      const idx = fields.map((f) => b.schema.findIndex((x) => x.name === f.name));
      if (q.last) {
        // files newest first; rows of a file from its end
        const part: Value[][] = [];
        for (let i = b.length - 1; i >= 0 && (limit === 0 || rows.length + part.length < limit); i--) part.push(rowOf(b, idx, i));
        rows.push(...part);
      } else {
        for (let i = 0; i < b.length && (limit === 0 || rows.length < limit); i++) rows.push(rowOf(b, idx, i));
      }
    }
    if (q.last) rows.reverse();
    return { fields, rows, total: where ? matched : totalRows, version, masked };
  }
}
