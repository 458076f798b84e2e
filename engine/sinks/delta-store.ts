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
 *   default, so `read_parquet('<table>/*.parquet')` equals the table), unless
 *   the table sets `delta.deletedFileRetentionDuration` (then VACUUM does).
 * - Each table's log is a `DeltaTable` (delta-table.ts): checkpoints every
 *   `delta.checkpointInterval` commits and log cleanup after
 *   `delta.logRetentionDuration`; the table's properties (its definition's,
 *   over pipeline-wide defaults) are its `metaData.configuration`.
 */
import type { WorkerPool } from '../runtime/workers.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KeptRows } from './kept-rows.js';
import { randomUUID } from 'node:crypto';
import type { Schema } from '../ir/types.js';
import { sparkTypeJson } from '../ir/types.js';
import { concatBatches, detachStrings, emptyBatch, type Batch } from '../batch.js';
import { decodeParquetFile } from './parquet.js';
import { encodeDataBytes, mergeDeltaStats } from './delta-stats.js';
import type { CommitInfo, DataFile, RowRange, TableStore } from './store.js';
import { RuntimeFailure } from '../errors.js';
import { faultPoint } from '../runtime/faults.js';
import { systemClock, type Clock } from '../runtime/clock.js';
import { DeltaTable } from './delta-table.js';
import { tableConfig, type AddAction, type DeltaAction, type DeltaSnapshot } from './delta-log.js';
import { plainTakes } from './parquet-plain.js';
import { PieceFile, type EncodedPiece } from './piece-file.js';

export { readDeltaLog, writeLogEntry, type AddAction, type DeltaSnapshot } from './delta-log.js';

export const ENGINE_INFO = 'localdlt/0.1.0';

/**
 * Rows buffered per table before a Parquet file is written. Everything a flush
 * holds scales with it: the table's buffered parts, their concatenation, the
 * Arrow IPC copy and parquet-wasm's memory on the worker (which never shrinks).
 * At 65,536 rows a 5M-row replay peaked at ~540 MB RSS; at 16,384 at ~440 MB,
 * in the same time (8,192: no lower, and 12% slower). A flush is 16-26k rows
 * with 10k-row input files; the flushes of a batch fill files of FILE_ROWS.
 */
const FLUSH_ROWS = 16_384;
/**
 * Rows of a file made of flushes (sinks/piece-file.ts): a table's flushes go
 * into one open file, a row group each, until it holds this many rows. A replay
 * then writes as many files as when a flush was a file of 65,536 rows, and
 * maintenance has no small files to copy afterwards.
 */
const FILE_ROWS = 65_536;
/** Parquet files handed to the worker threads and not written yet, at most, before an append waits. */
const MAX_WRITES_IN_FLIGHT = 4;
/**
 * Files of at most this many rows are written by the main thread when a
 * commit would otherwise wait for the worker (work stealing): the small files
 * of an incremental batch are then encoded on both cores. Larger files stay on
 * the worker, so the main thread's parquet-wasm memory stays that of small
 * files (stealing the 65k-row files of a replay raised its peak RSS from
 * ~480 to ~730 MB).
 */
const STEAL_MAX_ROWS = 16_384;
/**
 * Files the JS writer takes (parquet-plain.ts `plainTakes`: flat, at most 2,048 rows) are written by
 * the thread that has their rows, never sent to a worker: it takes ~1.5 ms for 1,000 rows, about
 * what the copy to the worker, its wake-up and the answer cost, and a micro-batch's commit waited
 * for them. Others (a quarantine's array of failed expectations) still go to the worker.
 */
const writtenHere = plainTakes;

interface Staged {
  buffer: Batch[];
  bufferedRows: number;
  files: { tmp: string; final: string; rows: number; stats: string; size: number }[];
  /** Files being encoded and written on a worker. */
  writing: WriteJob[];
  replace: boolean;
  seq: number;
  /** Files a copy-on-write rewrite removes (`stageRewrite`). */
  removes: string[];
  /** The file the table's flushes are going into (a batch with more than FLUSH_ROWS rows), until it holds FILE_ROWS. */
  open: { file: PieceFile; entry: Staged['files'][number] } | null;
}

/**
 * A file handed to a worker: `done` settles when it is written; `steal` writes
 * it here instead if it is small and the worker has not begun it (true then).
 */
interface WriteJob { done: Promise<void>; steal: () => boolean; settled: boolean }

/**
 * The table's buffered rows as one batch, taken out of the buffer. `owned`:
 * concatenated here from several parts, so nothing else reads its buffers.
 */
function takeBuffered(schema: Schema, s: Staged): { b: Batch; owned: boolean } {
  const owned = s.buffer.reduce((k, x) => k + (x.length > 0 ? 1 : 0), 0) > 1;
  const b = concatBatches(schema, s.buffer);
  s.buffer = [];
  s.bufferedRows = 0;
  return { b, owned };
}

export function sparkSchemaString(schema: Schema): string {
  return JSON.stringify({ type: 'struct', fields: schema.map((f) => ({ name: f.name, type: sparkTypeJson(f.type), nullable: true, metadata: {} })) });
}

/** The live files of a snapshot in name order: data files are named `part-<batch>-<n>-…`, so this is commit order. */
export function orderedFiles(snap: DeltaSnapshot): AddAction[] {
  return [...snap.files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function sameConfiguration(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const ka = Object.keys(a ?? {}).sort(), kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a![k] === b[k]);
}

export interface DeltaStoreOptions {
  /**
   * Keep files removed by a commit this long (ms) for time travel, for tables
   * that do not set `delta.deletedFileRetentionDuration`; 0 (default) deletes
   * them right after the commit.
   */
  vacuumRetentionMs?: number;
  /** The clock for commit times and every retention rule. */
  now?: Clock;
  /** A table's properties, written to its `metaData.configuration` (Delta settings such as `delta.logRetentionDuration` among them). */
  properties?: (table: string) => Record<string, string>;
  /** Where problems with the log's upkeep (a checkpoint that could not be written) are reported. */
  warn?: (obj: object, msg: string) => void;
  /** Worker threads that encode and write Parquet files while this thread goes on (commit waits for them). */
  pool?: WorkerPool;
}

export class DeltaStore implements TableStore {
  private readonly tables = new Map<string, DeltaTable>();
  /** Appended to every writer's appId: `#<checkpoint generation>`, so a full refresh starts a new idempotency scope. */
  appIdSuffix = '';
  /** The batch being written (for fault injection in crash tests). */
  currentBatch = -1;
  private readonly staged = new Map<string, Staged>();
  readonly tablesDir: string;

  constructor(readonly root: string, readonly options: DeltaStoreOptions = {}) {
    this.tablesDir = path.join(root, 'tables');
  }

  get now(): Clock { return this.options.now ?? systemClock; }

  tableDir(table: string): string {
    return path.join(this.tablesDir, table);
  }

  /** The table's log as its writer holds it (checkpoints, cleanup: delta-table.ts). */
  table(table: string): DeltaTable {
    let t = this.tables.get(table);
    if (!t) { t = new DeltaTable(this.tableDir(table), { now: this.now, warn: this.options.warn }); this.tables.set(table, t); }
    return t;
  }

  /** Reads the logs of these tables ahead of their first use (`DeltaTable.load`). */
  async preload(tables: readonly string[]): Promise<void> {
    await Promise.all(tables.map((t) => this.table(t).load()));
  }

  log(table: string): DeltaSnapshot {
    return this.table(table).snapshot;
  }

  /** The configuration a commit writes: the table's properties, and the store-wide removed-file retention if the table sets none. */
  configurationOf(table: string): Record<string, string> {
    const conf = { ...(this.options.properties?.(table) ?? {}) };
    const ms = this.options.vacuumRetentionMs ?? 0;
    if (ms > 0 && conf['delta.deletedFileRetentionDuration'] === undefined) conf['delta.deletedFileRetentionDuration'] = `interval ${Math.ceil(ms / 1000)} seconds`;
    return conf;
  }

  /**
   * Deletes Parquet and temporary files that no committed version lists (left
   * by an interrupted batch or maintenance). Files a retained tombstone names
   * stay (time travel, VACUUM).
   */
  recover(table: string): string[] {
    const dir = this.tableDir(table);
    const snap = this.log(table);
    const removed: string[] = [];
    let names: string[] = [];
    try { names = fs.readdirSync(dir); } catch { return removed; }
    let retention: number | null = null;
    try { retention = this.table(table).config().deletedFileRetentionMs; } catch { /* a bad property: keep nothing removed */ }
    const keptAfter = retention === null ? Infinity : this.now() - retention;
    const retained = (n: string) => (snap.tombstones.get(n)?.deletionTimestamp ?? -Infinity) > keptAfter;
    for (const n of names) {
      if (n === '_delta_log') continue;
      if ((n.endsWith('.parquet') && !snap.files.has(n) && !retained(n)) || n.endsWith('.parquet.tmp')) {
        fs.rmSync(path.join(dir, n), { force: true });
        removed.push(n);
      }
    }
    return removed;
  }

  private stage(table: string): Staged {
    let s = this.staged.get(table);
    if (!s) { s = { buffer: [], bufferedRows: 0, files: [], writing: [], replace: false, seq: 0, removes: [], open: null }; this.staged.set(table, s); }
    return s;
  }

  async snapshot(table: string, schema: Schema): Promise<Batch> {
    const snap = this.log(table);
    const dir = this.tableDir(table);
    const parts: Batch[] = [];
    for (const a of orderedFiles(snap)) parts.push(await this.readFile(path.join(dir, a.path), schema));
    return parts.length ? concatBatches(schema, parts) : emptyBatch(schema);
  }

  async snapshotParts(table: string, schema: Schema): Promise<readonly Batch[]> {
    const dir = this.tableDir(table);
    return this.kept.parts(table, this.table(table), schema, (file) => this.readFile(path.join(dir, file), schema));
  }

  /** Rows of tables kept between `snapshotParts` calls. */
  readonly kept = new KeptRows();

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
    if (s.bufferedRows >= FLUSH_ROWS) {
      this.flushPiece(table, schema, s);
      await this.options.pool?.atMost(MAX_WRITES_IN_FLIGHT);
    }
  }

  async replace(table: string, schema: Schema, rows: Batch): Promise<void> {
    await this.discard(table);
    const s = this.stage(table);
    s.replace = true;
    s.buffer.push(rows);
    s.bufferedRows += rows.length;
    // a commit follows (a view's new contents)
    this.flush(table, schema, true, true);
  }

  prepareCommit(table: string, schema: Schema): void {
    if (this.staged.has(table)) this.flush(table, schema);
  }

  /**
   * Writes the buffered rows of a table to a temporary Parquet file. `waiting`:
   * the caller waits for the file right away (a commit), so a small file is
   * written here rather than sent to the worker and waited for.
   */
  private flush(table: string, schema: Schema, evenIfEmpty = false, waiting = false): void {
    const s = this.stage(table);
    if (s.open) {
      // the rest goes into the open file, which is then complete
      if (s.bufferedRows > 0) this.flushPiece(table, schema, s);
      if (s.open) this.closePiece(table, schema, s);
      if (!evenIfEmpty) return;
    }
    if (s.bufferedRows === 0 && !evenIfEmpty) return;
    const { b, owned } = takeBuffered(schema, s);
    this.writeStagedFile(table, s, b, waiting, owned);
  }

  /** A new data file of the table in this batch, under its temporary name until the commit. */
  private newFile(table: string, s: Staged, rows: number): Staged['files'][number] {
    const dir = this.tableDir(table);
    fs.mkdirSync(dir, { recursive: true });
    const id = randomUUID();
    const entry = { tmp: `.${id}.parquet.tmp`, final: `${this.filePrefix(s)}-${id}.c000.snappy.parquet`, rows, stats: '', size: 0 };
    s.files.push(entry);
    return entry;
  }

  /**
   * Encodes the buffered rows as the next piece of the table's open file
   * (opened here if there is none): on a worker when there is one, unless the
   * JS writer takes them. The file is closed once it holds FILE_ROWS rows.
   */
  private flushPiece(table: string, schema: Schema, s: Staged): void {
    const { b, owned } = takeBuffered(schema, s);
    if (b.length === 0) return;
    if (!s.open) {
      const entry = this.newFile(table, s, 0);
      s.open = { file: new PieceFile(path.join(this.tableDir(table), entry.tmp), (e) => writeFailed(table, e)), entry };
    }
    const pool = this.options.pool;
    let encoded: Promise<EncodedPiece>;
    if (pool?.enabled && !writtenHere(b)) encoded = pool.encodeParquet(b, owned).catch((e: unknown) => { throw writeFailed(table, e); });
    else {
      try { encoded = Promise.resolve(encodeDataBytes(b)); } catch (e) { encoded = Promise.reject(writeFailed(table, e)); }
    }
    this.track(s, s.open.file.add(b.length, encoded));
    if (s.open.file.rows >= FILE_ROWS) this.closePiece(table, schema, s);
  }

  /** Closes the table's open file: its footer is written once its pieces are in, and its size and stats are known then. */
  private closePiece(table: string, schema: Schema, s: Staged): void {
    const o = s.open;
    if (!o) return;
    s.open = null;
    if (this.rowGroupsBatch !== this.currentBatch) { this.rowGroupsWritten.clear(); this.rowGroupsBatch = this.currentBatch; }
    this.track(s, o.file.close().then((r) => {
      if (r.pieces.length > 1) this.rowGroupsWritten.set(`${table}\u0000${o.entry.final}`, r.pieces.map((p) => p.rows));
      o.entry.rows = o.file.rows;
      o.entry.size = r.size;
      o.entry.stats = r.pieces.length === 1 ? r.pieces[0].stats : mergeDeltaStats(schema, r.pieces.map((p) => p.stats), o.file.rows);
    }));
  }

  /** A write the commit waits for (not one this thread can take back). */
  private track(s: Staged, p: Promise<void>): void {
    const job: WriteJob = { settled: false, done: p.finally(() => { job.settled = true; }), steal: () => false };
    job.done.catch(() => undefined); // awaited by `written`
    s.writing.push(job);
  }

  private filePrefix(s: Staged): string {
    return `part-${String(Math.max(0, this.currentBatch)).padStart(6, '0')}-${String(s.seq++).padStart(5, '0')}`;
  }

  /** `owned`: nothing else holds `b`'s buffers, so a file sent to the worker takes them (transferred, not copied). */
  private writeStagedFile(table: string, s: Staged, b: Batch, waiting = false, owned = false): Staged['files'][number] {
    const pool = this.options.pool;
    if (pool?.enabled && !writtenHere(b) && !(waiting && b.length <= STEAL_MAX_ROWS)) {
      const dir = this.tableDir(table);
      const entry = this.newFile(table, s, b.length);
      // only a small file can be taken back: only its rows are kept here (the worker has its own copy), until it is written
      let rows: Batch | null = b.length <= STEAL_MAX_ROWS ? b : null;
      const task = pool.writeParquetStealable(b, path.join(dir, entry.tmp), owned && rows === null);
      const fill = (r: { size: number; stats: string } | null) => { if (r) { entry.size = r.size; entry.stats = r.stats; } };
      const job: WriteJob = {
        settled: false,
        done: task.result.then(fill, (e: unknown) => { throw writeFailed(table, e); }).finally(() => {
          job.settled = true;
          rows = null;
          const k = this.writeQueue.indexOf(job);
          if (k >= 0) this.writeQueue.splice(k, 1);
        }),
        steal: () => {
          if (rows === null || !task.steal()) return false;
          const x = rows;
          rows = null;
          fill(encodeDataFile(dir, entry.tmp, table, x));
          return true;
        },
      };
      s.writing.push(job);
      if (rows !== null) this.writeQueue.push(job);
      return entry;
    }
    const f = writeDataFile(this.tableDir(table), table, b, this.filePrefix(s));
    s.files.push(f);
    return f;
  }

  // ------------------------------------------------------------ file-level rewrites (AUTO CDC targets)

  async dataFiles(table: string): Promise<DataFile[]> {
    return [...this.log(table).files.values()].map((a) => {
      const groups = this.rowGroupsWritten.get(`${table}\u0000${a.path}`);
      return { path: a.path, rows: a.stats ? JSON.parse(a.stats).numRecords ?? 0 : 0, bytes: a.size, ...(groups ? { rowGroups: groups } : {}) };
    });
  }

  /**
   * Rows per row group of the files of several pieces written in the current
   * batch (a view reading a table's new rows back reads them a row group at a
   * time: a whole file of 65,536 rows, twice, was ~100 MB of a replay's peak).
   * Emptied when the next batch begins, so it holds one batch's files.
   */
  private readonly rowGroupsWritten = new Map<string, number[]>();
  private rowGroupsBatch = -1;

  async readDataFile(table: string, schema: Schema, file: string, range?: RowRange): Promise<Batch> {
    return this.readFile(path.join(this.tableDir(table), file), schema, range);
  }

  /** Decodes a data file: on a worker thread when there is one (parquet-wasm's memory grows there, not here). */
  private readFile(file: string, schema: Schema, range?: RowRange): Promise<Batch> {
    const pool = this.options.pool;
    if (pool?.enabled) return pool.readParquet(file, schema, range);
    return Promise.resolve(decodeParquetFile(file, schema, range));
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

  /** Files handed to the worker, every table's, in the order they were sent (the worker takes them from the oldest). */
  private writeQueue: WriteJob[] = [];

  /**
   * Waits for the table's files still being written on a worker. Meanwhile
   * this thread, which would only wait, writes the small files the worker has
   * not begun, any table's, the newest first: the two threads meet in the
   * middle of the queue. The encoder is the same, so the files do not depend
   * on which thread wrote them.
   */
  private async written(s: Staged, steal = true): Promise<void> {
    const jobs = s.writing.splice(0);
    let failure: unknown = null;
    if (steal && jobs.some((j) => !j.settled)) {
      while (failure === null && this.writeQueue.length) {
        const j = this.writeQueue.pop()!;
        if (j.settled) continue;
        try { j.steal(); } catch (e) { failure = e; }
      }
    }
    const results = await Promise.allSettled(jobs.map((j) => j.done));
    if (failure !== null) throw failure;
    const bad = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (bad) throw bad.reason;
  }

  async discard(table: string): Promise<void> {
    const s = this.staged.get(table);
    if (!s) return;
    const open = s.open;
    s.open = null;
    await this.written(s, false).catch(() => undefined);
    await open?.file.abandon();
    for (const f of s.files) fs.rmSync(path.join(this.tableDir(table), f.tmp), { force: true });
    this.staged.delete(table);
  }

  async commit(table: string, schema: Schema, info: CommitInfo): Promise<boolean> {
    const s = this.staged.get(table);
    if (!s) return false;
    this.flush(table, schema, false, true);
    await this.written(s);
    const log = this.table(table);
    const snap = log.snapshot;
    const appId = info.appId + this.appIdSuffix;
    const done = snap.txn.get(appId);
    if (done !== undefined && done >= info.batchId) {
      await this.discard(table);
      return false;
    }
    const dir = this.tableDir(table);
    const now = this.now();
    const actions: DeltaAction[] = [];
    const schemaString = sparkSchemaString(schema);
    const configuration = this.configurationOf(table);
    const retention = tableConfig(configuration, table).deletedFileRetentionMs;
    const rewrite = s.removes.length > 0;
    actions.push({ commitInfo: {
      timestamp: now, operation: info.operation, operationParameters: { mode: s.replace ? 'Overwrite' : rewrite ? 'Rewrite' : 'Append', partitionBy: '[]' }, engineInfo: ENGINE_INFO, isBlindAppend: !s.replace && !rewrite,
      operationMetrics: Object.fromEntries(Object.entries({ numFiles: s.files.length, numOutputRows: s.files.reduce((n, f) => n + f.rows, 0), ...(rewrite ? { numRemovedFiles: s.removes.length } : {}), ...(info.metrics ?? {}) }).map(([k, v]) => [k, String(v)])),
      ...(info.cdcState !== undefined ? { cdcState: info.cdcState } : {}),
    } });
    if (snap.version < 0) actions.push({ protocol: { minReaderVersion: 1, minWriterVersion: 2 } });
    if (snap.version < 0 || snap.schemaString !== schemaString || !sameConfiguration(snap.metadata?.configuration, configuration)) {
      const id = snap.metadataId ?? randomUUID();
      actions.push({ metaData: { id, name: table, format: { provider: 'parquet', options: {} }, schemaString, partitionColumns: [], configuration, createdTime: snap.metadata?.createdTime ?? now } });
    }
    const removed: string[] = [];
    const toRemove = s.replace || info.appId === '__truncate__' ? [...snap.files.values()] : s.removes.map((p) => snap.files.get(p)).filter((a): a is AddAction => a !== undefined);
    for (const a of toRemove) {
      removed.push(a.path);
      actions.push({ remove: { path: a.path, deletionTimestamp: now, dataChange: true, extendedFileMetadata: true, partitionValues: {}, size: a.size } });
    }
    const adds: AddAction[] = [];
    for (const f of s.files) {
      fs.renameSync(path.join(dir, f.tmp), path.join(dir, f.final));
      const add: AddAction = { path: f.final, partitionValues: {}, size: f.size, modificationTime: now, dataChange: true, stats: f.stats };
      adds.push(add);
      actions.push({ add });
    }
    actions.push({ txn: { appId, version: info.batchId, lastUpdated: now } });
    faultPoint('mid-sink', this.currentBatch);
    try {
      log.commit(actions);
    } catch (e) {
      // another writer took this version (or the entry could not be written): the files renamed above belong to no version
      for (const a of adds) fs.rmSync(path.join(dir, a.path), { force: true });
      this.staged.delete(table);
      throw e;
    }
    faultPoint('after-table-commit', this.currentBatch);
    this.staged.delete(table);
    if (retention === null) for (const p of removed) fs.rmSync(path.join(dir, p), { force: true });
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

/**
 * Writes a batch as a Parquet data file of a table under a temporary name
 * (`.<uuid>.parquet.tmp`); the caller renames it to `final` when it commits.
 */
export function writeDataFile(dir: string, table: string, b: Batch, prefix: string): { tmp: string; final: string; rows: number; stats: string; size: number } {
  fs.mkdirSync(dir, { recursive: true });
  const id = randomUUID();
  const final = `${prefix}-${id}.c000.snappy.parquet`;
  const tmp = `.${id}.parquet.tmp`;
  return { tmp, final, rows: b.length, ...encodeDataFile(dir, tmp, table, b) };
}

/** Encodes a batch as Parquet into `dir/file`: its size and Delta stats. */
function encodeDataFile(dir: string, file: string, table: string, b: Batch): { size: number; stats: string } {
  const { bytes, stats } = encodeDataBytes(b);
  try {
    fs.writeFileSync(path.join(dir, file), bytes);
  } catch (e) {
    throw writeFailed(table, e);
  }
  return { size: bytes.length, stats };
}

export function writeFailed(table: string, e: unknown): RuntimeFailure {
  return new RuntimeFailure('TABLE_WRITE_FAILED', `cannot write a data file of ${table}: ${(e as Error).message}`, { table, reason: (e as NodeJS.ErrnoException).code ?? 'unknown' }, { hint: 'check free disk space and permissions; the batch was not committed and will be re-run', cause: e });
}
