/**
 * Tables on disk as Delta Lake tables: Parquet files plus `_delta_log/`.
 *
 * Layout: `<root>/tables/<table>/part-<batch>-<n>-<uuid>.snappy.parquet` and
 * `<root>/tables/<table>/_delta_log/<20-digit version>.json`.
 *
 * - Staged rows are buffered and flushed to Parquet under a temporary name that
 *   does not end in `.parquet` (`.<uuid>.parquet.tmp`); commit renames them to
 *   their final names, then writes the log entry. A crash in between leaves
 *   files the log does not list; `recover()` deletes them on the next start.
 * - A commit creates version N only if it does not exist: the entry is written
 *   to a temporary file and hard-linked to its final name (never renamed over).
 * - Each commit carries `txn {appId, version: batchId}`: a batch already
 *   committed by the same writer is not committed twice.
 * - A replacement (materialized view refresh, truncate) writes `remove` actions
 *   for the old files, which are deleted after the commit (no time travel by
 *   default, so `read_parquet('<table>/*.parquet')` equals the table).
 */
import type { WorkerPool } from '../runtime/workers.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Schema, DataType } from '../ir/types.js';
import { isNested, isStruct, sparkTypeJson } from '../ir/types.js';
import { concatBatches, detachStrings, emptyBatch, type Batch } from '../batch.js';
import { columnStats, decodeParquet, encodeParquet } from './parquet.js';
import type { CommitInfo, TableStore } from './store.js';
import { RuntimeFailure } from '../errors.js';
import { formatDate } from '../sources/csv-values.js';
import { faultPoint } from '../runtime/faults.js';

export const ENGINE_INFO = 'localdlt/0.1.0';

/** Rows buffered per table before a Parquet file is written. */
const FLUSH_ROWS = 65_536;

interface AddAction {
  path: string;
  partitionValues: Record<string, string>;
  size: number;
  modificationTime: number;
  dataChange: boolean;
  stats?: string;
}

export interface DeltaSnapshot {
  version: number;
  files: Map<string, AddAction>;
  txn: Map<string, number>;
  schemaString: string | null;
  metadataId: string | null;
  /** The AUTO CDC state named by the last commit that changed data (see engine/cdc/); null otherwise. */
  cdcState?: string | null;
}

interface Staged {
  buffer: Batch[];
  bufferedRows: number;
  files: { tmp: string; final: string; rows: number; stats: string; size: number }[];
  /** Files being encoded and written on a worker. */
  writing: Promise<void>[];
  replace: boolean;
  seq: number;
  /** Files a copy-on-write rewrite removes (`stageRewrite`). */
  removes: string[];
}

export function sparkSchemaString(schema: Schema): string {
  return JSON.stringify({ type: 'struct', fields: schema.map((f) => ({ name: f.name, type: sparkTypeJson(f.type), nullable: true, metadata: {} })) });
}

function pad20(n: number): string {
  return String(n).padStart(20, '0');
}

/**
 * Reads a table's Delta log and replays it into a snapshot. Given `base` (an
 * earlier snapshot of the same table), only the versions after it are read;
 * `base` itself is not changed.
 */
export function readDeltaLog(tableDir: string, base?: DeltaSnapshot): DeltaSnapshot {
  const logDir = path.join(tableDir, '_delta_log');
  const snap: DeltaSnapshot = base
    ? { version: base.version, files: new Map(base.files), txn: new Map(base.txn), schemaString: base.schemaString, metadataId: base.metadataId, cdcState: base.cdcState ?? null }
    : { version: -1, files: new Map(), txn: new Map(), schemaString: null, metadataId: null, cdcState: null };
  let names: string[];
  if (base) {
    // the next versions, one file at a time: no listing of a long log
    names = [];
    for (let v = base.version + 1; fs.existsSync(path.join(logDir, `${pad20(v)}.json`)); v++) names.push(`${pad20(v)}.json`);
  } else {
    try { names = fs.readdirSync(logDir).filter((n) => /^\d{20}\.json$/.test(n)).sort(); } catch { return snap; }
  }
  let expected = snap.version + 1;
  for (const n of names) {
    const v = Number(n.slice(0, 20));
    if (v !== expected) throw new RuntimeFailure('DELTA_LOG_GAP', `the Delta log of ${tableDir} jumps from version ${expected - 1} to ${v}`, { table: tableDir, missing: expected }, { hint: 'the table is damaged; restore the missing log file or full-refresh the table' });
    expected++;
    const text = fs.readFileSync(path.join(logDir, n), 'utf8');
    let cdcState: string | null | undefined;
    let dataChange = false;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let a: Record<string, any>;
      try { a = JSON.parse(line); } catch {
        throw new RuntimeFailure('DELTA_LOG_CORRUPT', `${path.join(logDir, n)} holds a line that is not JSON`, { file: path.join(logDir, n) }, { hint: 'the table is damaged; full-refresh it' });
      }
      if (a.add) { snap.files.set(a.add.path, a.add); dataChange ||= a.add.dataChange !== false; }
      else if (a.remove) { snap.files.delete(a.remove.path); dataChange ||= a.remove.dataChange !== false; }
      else if (a.commitInfo && typeof a.commitInfo.cdcState === 'string') cdcState = a.commitInfo.cdcState;
      else if (a.txn) snap.txn.set(a.txn.appId, a.txn.version);
      else if (a.metaData) { snap.schemaString = a.metaData.schemaString; snap.metadataId = a.metaData.id; }
    }
    if (cdcState !== undefined) snap.cdcState = cdcState;
    else if (dataChange) snap.cdcState = null;
    snap.version = v;
  }
  return snap;
}

function statValue(v: unknown, type: DataType): unknown {
  if (v === null || v === undefined) return undefined;
  if (type === 'date') return formatDate(v as number);
  if (type === 'timestamp') return new Date(Math.floor((v as number) / 1000)).toISOString();
  if (type === 'string') { const s = v as string; return s.length > 32 ? s.slice(0, 32) : s; }
  if (type === 'boolean' || isNested(type)) return undefined;
  return v;
}

/** Delta `stats` JSON for a file's rows. */
export function deltaStats(b: Batch): string {
  const st = columnStats(b);
  const minValues: Record<string, unknown> = {}, maxValues: Record<string, unknown> = {}, nullCount: Record<string, number> = {};
  for (const f of b.schema) {
    const s = st[f.name];
    if (!s || isStruct(f.type)) continue; // a struct's null counts would be per field
    nullCount[f.name] = s.nullCount;
    const mn = statValue(s.min, f.type), mx = statValue(s.max, f.type);
    if (mn !== undefined) minValues[f.name] = mn;
    if (mx !== undefined) {
      // a truncated string max must stay an upper bound
      maxValues[f.name] = f.type === 'string' && (s.max as string).length > 32 ? (mx as string) + '\uffff' : mx;
    }
  }
  return JSON.stringify({ numRecords: b.length, minValues, maxValues, nullCount });
}

export interface DeltaStoreOptions {
  /** Keep files removed by a refresh this long (ms) for time travel; 0 deletes them right after the commit. */
  vacuumRetentionMs?: number;
  /** Worker threads that encode and write Parquet files while this thread goes on (commit waits for them). */
  pool?: WorkerPool;
}

export class DeltaStore implements TableStore {
  private readonly logs = new Map<string, DeltaSnapshot>();
  /** Appended to every writer's appId: `#<checkpoint generation>`, so a full refresh starts a new idempotency scope. */
  appIdSuffix = '';
  /** The batch being written (for fault injection in crash tests). */
  currentBatch = -1;
  private readonly staged = new Map<string, Staged>();
  readonly tablesDir: string;

  constructor(readonly root: string, readonly options: DeltaStoreOptions = {}) {
    this.tablesDir = path.join(root, 'tables');
  }

  tableDir(table: string): string {
    return path.join(this.tablesDir, table);
  }

  log(table: string): DeltaSnapshot {
    let s = this.logs.get(table);
    if (!s) { s = readDeltaLog(this.tableDir(table)); this.logs.set(table, s); }
    return s;
  }

  /** Deletes Parquet and temporary files that no committed version lists (left by an interrupted batch). */
  recover(table: string): string[] {
    const dir = this.tableDir(table);
    const live = this.log(table).files;
    const removed: string[] = [];
    let names: string[] = [];
    try { names = fs.readdirSync(dir); } catch { return removed; }
    for (const n of names) {
      if (n === '_delta_log') continue;
      if ((n.endsWith('.parquet') && !live.has(n)) || n.endsWith('.parquet.tmp')) {
        fs.rmSync(path.join(dir, n), { force: true });
        removed.push(n);
      }
    }
    return removed;
  }

  private stage(table: string): Staged {
    let s = this.staged.get(table);
    if (!s) { s = { buffer: [], bufferedRows: 0, files: [], writing: [], replace: false, seq: 0, removes: [] }; this.staged.set(table, s); }
    return s;
  }

  async snapshot(table: string, schema: Schema): Promise<Batch> {
    const snap = this.log(table);
    const dir = this.tableDir(table);
    const parts = [...snap.files.keys()].map((p) => decodeParquet(new Uint8Array(fs.readFileSync(path.join(dir, p))), schema));
    return parts.length ? concatBatches(schema, parts) : emptyBatch(schema);
  }

  async rowCount(table: string): Promise<number> {
    let n = 0;
    for (const a of this.log(table).files.values()) n += a.stats ? JSON.parse(a.stats).numRecords ?? 0 : 0;
    return n;
  }

  async append(table: string, schema: Schema, rows: Batch): Promise<void> {
    if (rows.length === 0) return;
    const s = this.stage(table);
    // a few rows from each of many input files (quarantine, say) wait long for a flush: copy their strings
    s.buffer.push(rows.length < FLUSH_ROWS / 16 ? detachStrings(rows) : rows);
    s.bufferedRows += rows.length;
    if (s.bufferedRows >= FLUSH_ROWS) this.flush(table, schema);
  }

  async replace(table: string, schema: Schema, rows: Batch): Promise<void> {
    await this.discard(table);
    const s = this.stage(table);
    s.replace = true;
    s.buffer.push(rows);
    s.bufferedRows += rows.length;
    this.flush(table, schema, true);
  }

  /** Writes the buffered rows of a table to a temporary Parquet file. */
  private flush(table: string, schema: Schema, evenIfEmpty = false): void {
    const s = this.stage(table);
    if (s.bufferedRows === 0 && !evenIfEmpty) return;
    const b = concatBatches(schema, s.buffer);
    s.buffer = [];
    s.bufferedRows = 0;
    this.writeStagedFile(table, s, b);
  }

  private writeStagedFile(table: string, s: Staged, b: Batch): Staged['files'][number] {
    const dir = this.tableDir(table);
    fs.mkdirSync(dir, { recursive: true });
    const id = randomUUID();
    const final = `part-${String(Math.max(0, this.currentBatch)).padStart(6, "0")}-${String(s.seq++).padStart(5, "0")}-${id}.c000.snappy.parquet`;
    const tmp = `.${id}.parquet.tmp`;
    const failed = (e: unknown) => new RuntimeFailure('TABLE_WRITE_FAILED', `cannot write a data file of ${table}: ${(e as Error).message}`, { table, reason: (e as NodeJS.ErrnoException).code ?? 'unknown' }, { hint: 'check free disk space and permissions; the batch was not committed and will be re-run', cause: e });
    const pool = this.options.pool;
    if (pool?.enabled) {
      const entry = { tmp, final, rows: b.length, stats: '', size: 0 };
      s.files.push(entry);
      s.writing.push(pool.writeParquet(b, path.join(dir, tmp)).then((r) => { entry.size = r.size; entry.stats = r.stats; }, (e: unknown) => { throw failed(e); }));
      return entry;
    }
    const bytes = encodeParquet(b);
    try {
      fs.writeFileSync(path.join(dir, tmp), bytes);
    } catch (e) {
      throw failed(e);
    }
    const f = { tmp, final, rows: b.length, stats: deltaStats(b), size: bytes.length };
    s.files.push(f);
    return f;
  }

  // ------------------------------------------------------------ file-level rewrites (AUTO CDC targets)

  async dataFiles(table: string): Promise<{ path: string; rows: number; bytes: number }[]> {
    return [...this.log(table).files.values()].map((a) => ({ path: a.path, rows: a.stats ? JSON.parse(a.stats).numRecords ?? 0 : 0, bytes: a.size }));
  }

  async readDataFile(table: string, schema: Schema, file: string): Promise<Batch> {
    return decodeParquet(new Uint8Array(fs.readFileSync(path.join(this.tableDir(table), file))), schema);
  }

  /** Stages a copy-on-write rewrite: `remove` actions for these files and one new file per batch (see TableStore). */
  async stageRewrite(table: string, schema: Schema, remove: readonly string[], add: readonly Batch[]): Promise<{ path: string; rows: number; bytes: number }[]> {
    const s = this.stage(table);
    this.flush(table, schema);
    s.removes.push(...remove);
    const files = add.map((b) => this.writeStagedFile(table, s, b));
    // their sizes are known once written (a worker may encode them)
    await this.written(s);
    return files.map((f) => ({ path: f.final, rows: f.rows, bytes: f.size }));
  }

  async cdcState(table: string): Promise<string | null> {
    return this.log(table).cdcState ?? null;
  }

  /** Waits for the table's files still being written on a worker. */
  private async written(s: Staged): Promise<void> {
    const jobs = s.writing.splice(0);
    const results = await Promise.allSettled(jobs);
    const bad = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (bad) throw bad.reason;
  }

  async discard(table: string): Promise<void> {
    const s = this.staged.get(table);
    if (!s) return;
    await this.written(s).catch(() => undefined);
    for (const f of s.files) fs.rmSync(path.join(this.tableDir(table), f.tmp), { force: true });
    this.staged.delete(table);
  }

  async commit(table: string, schema: Schema, info: CommitInfo): Promise<boolean> {
    const s = this.staged.get(table);
    if (!s) return false;
    this.flush(table, schema);
    await this.written(s);
    const snap = this.log(table);
    const appId = info.appId + this.appIdSuffix;
    const done = snap.txn.get(appId);
    if (done !== undefined && done >= info.batchId) {
      await this.discard(table);
      return false;
    }
    const dir = this.tableDir(table);
    fs.mkdirSync(path.join(dir, '_delta_log'), { recursive: true });
    const now = Date.now();
    const actions: unknown[] = [];
    const schemaString = sparkSchemaString(schema);
    const rewrite = s.removes.length > 0;
    actions.push({ commitInfo: {
      timestamp: now, operation: info.operation, operationParameters: { mode: s.replace ? 'Overwrite' : rewrite ? 'Rewrite' : 'Append', partitionBy: '[]' }, engineInfo: ENGINE_INFO, isBlindAppend: !s.replace && !rewrite,
      operationMetrics: Object.fromEntries(Object.entries({ numFiles: s.files.length, numOutputRows: s.files.reduce((n, f) => n + f.rows, 0), ...(rewrite ? { numRemovedFiles: s.removes.length } : {}), ...(info.metrics ?? {}) }).map(([k, v]) => [k, String(v)])),
      ...(info.cdcState !== undefined ? { cdcState: info.cdcState } : {}),
    } });
    if (snap.version < 0) actions.push({ protocol: { minReaderVersion: 1, minWriterVersion: 2 } });
    let metadataId = snap.metadataId;
    if (snap.version < 0 || snap.schemaString !== schemaString) {
      metadataId ??= randomUUID();
      actions.push({ metaData: { id: metadataId, name: table, format: { provider: 'parquet', options: {} }, schemaString, partitionColumns: [], configuration: {}, createdTime: now } });
    }
    const removed: string[] = [];
    const toRemove = s.replace || info.appId === '__truncate__' ? [...snap.files.keys()] : s.removes.filter((p) => snap.files.has(p));
    for (const p of toRemove) {
      removed.push(p);
      actions.push({ remove: { path: p, deletionTimestamp: now, dataChange: true, extendedFileMetadata: false, partitionValues: {} } });
    }
    const adds: AddAction[] = [];
    for (const f of s.files) {
      fs.renameSync(path.join(dir, f.tmp), path.join(dir, f.final));
      const add: AddAction = { path: f.final, partitionValues: {}, size: f.size, modificationTime: now, dataChange: true, stats: f.stats };
      adds.push(add);
      actions.push({ add });
    }
    actions.push({ txn: { appId, version: info.batchId, lastUpdated: now } });
    const version = snap.version + 1;
    faultPoint('mid-sink', this.currentBatch);
    try {
      writeLogEntry(dir, version, actions.map((a) => JSON.stringify(a)).join('\n') + '\n');
    } catch (e) {
      // another writer took this version (or the entry could not be written): the files renamed above belong to no version
      for (const a of adds) fs.rmSync(path.join(dir, a.path), { force: true });
      this.staged.delete(table);
      this.logs.delete(table);
      throw e;
    }
    faultPoint('after-table-commit', this.currentBatch);
    snap.version = version;
    for (const p of removed) snap.files.delete(p);
    for (const a of adds) snap.files.set(a.path, a);
    snap.txn.set(appId, info.batchId);
    snap.schemaString = schemaString;
    snap.metadataId = metadataId;
    snap.cdcState = info.cdcState !== undefined ? info.cdcState : removed.length || adds.length ? null : snap.cdcState ?? null;
    this.staged.delete(table);
    if (!(this.options.vacuumRetentionMs! > 0)) for (const p of removed) fs.rmSync(path.join(dir, p), { force: true });
    return true;
  }

  async committedVersion(table: string, appId: string): Promise<number> {
    return this.log(table).txn.get(appId + this.appIdSuffix) ?? -1;
  }

  async truncate(table: string, schema: Schema): Promise<void> {
    await this.replace(table, schema, emptyBatch(schema));
  }

  /**
   * Creates an empty table (version 0 with one empty Parquet file, so that a
   * glob over the folder reads the schema) if the table does not exist yet.
   */
  async ensureTable(table: string, schema: Schema): Promise<boolean> {
    if (this.log(table).version >= 0 || this.staged.has(table)) return false;
    this.stage(table).replace = false;
    this.flush(table, schema, true);
    await this.commit(table, schema, { batchId: -1, appId: '__create__', operation: 'CREATE TABLE' });
    return true;
  }

  /** Commits an empty table at once (full refresh); a table that does not exist yet is left alone. */
  async truncateNow(table: string, schema: Schema): Promise<void> {
    const snap = this.log(table);
    if (snap.version < 0) return;
    await this.discard(table);
    this.stage(table).replace = true;
    await this.commit(table, schema, { batchId: snap.version + 1, appId: '__truncate__', operation: 'WRITE' });
  }

}

/** Creates `_delta_log/<version>.json` only if it does not exist (put-if-absent via a hard link). */
export function writeLogEntry(tableDir: string, version: number, text: string): void {
  const logDir = path.join(tableDir, '_delta_log');
  const final = path.join(logDir, `${pad20(version)}.json`);
  const tmp = path.join(logDir, `.${pad20(version)}.json.${randomUUID()}.tmp`);
  fs.writeFileSync(tmp, text);
  try {
    fs.linkSync(tmp, final);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new RuntimeFailure('DELTA_COMMIT_CONFLICT', `version ${version} of ${tableDir} was committed by another writer`, { table: tableDir, version }, { hint: 'only one pipeline run may write a table at a time' });
    }
    throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
