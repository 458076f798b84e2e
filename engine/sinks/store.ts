/**
 * Table storage, as the executor sees it. A micro-batch stages appends (streaming
 * tables) or a complete new contents (materialized views) per table, then
 * commits each table atomically, or discards what it staged (a failed flow).
 *
 * `MemoryStore` keeps everything in memory (the testing API); `DeltaStore`
 * (delta-store.ts) writes Parquet files and a Delta log.
 */
import type { Schema } from '../ir/types.js';
import { concatBatches, emptyBatch, projectBatch, takeBatch, type Batch } from '../batch.js';

export interface CommitInfo {
  batchId: number;
  /** The idempotency key of the writing flow (Delta `txn.appId`). */
  appId: string;
  /** Free-form facts for the commit (operation, metrics). */
  operation: 'STREAMING UPDATE' | 'CREATE OR REPLACE' | 'WRITE' | 'CREATE TABLE' | 'MERGE' | 'DELETE';
  metrics?: Record<string, number>;
  /** An AUTO CDC target: the state manifest that goes with this version of the table (see engine/cdc/). */
  cdcState?: string;
}

/** A committed data file of a table. */
export interface DataFile {
  readonly path: string;
  readonly rows: number;
  readonly bytes: number;
  /** Rows per row group, when the store knows them without reading the file (a file it wrote in this batch). */
  readonly rowGroups?: readonly number[];
}

/** Rows `offset` to `offset + limit` of a data file. */
export interface RowRange { readonly offset: number; readonly limit: number }

export interface TableStore {
  /** The committed contents of a table (empty if it does not exist yet). */
  snapshot(table: string, schema: Schema): Promise<Batch>;
  /**
   * The committed rows, only the columns of `schema` (a subset of the table's),
   * as parts in no particular order. A store may keep them between calls and
   * bring them up to date from its own commits instead of reading every file
   * again (sinks/kept-rows.ts).
   */
  snapshotParts(table: string, schema: Schema): Promise<readonly Batch[]>;
  /** Rows committed so far (cheap). */
  rowCount(table: string): Promise<number>;
  append(table: string, schema: Schema, rows: Batch): Promise<void>;
  replace(table: string, schema: Schema, rows: Batch): Promise<void>;
  discard(table: string): Promise<void>;
  /**
   * Starts writing what is staged for the table, ahead of `commit` (optional):
   * a store that encodes on a worker then has the tables of a batch in its
   * queue together instead of one round trip per commit.
   */
  prepareCommit?(table: string, schema: Schema): void;
  /** Publishes what was staged for the table. Returns false when the batch was already committed (idempotent re-run). */
  commit(table: string, schema: Schema, info: CommitInfo): Promise<boolean>;
  /** The last batch id committed by a writer (`txn` version), or -1. */
  committedVersion(table: string, appId: string): Promise<number>;
  /** Removes a table's data (full refresh). */
  truncate(table: string, schema: Schema): Promise<void>;

  // ------------------------------------------------------------ file-level rewrites (AUTO CDC targets)
  /** The committed data files of a table. */
  dataFiles(table: string): Promise<DataFile[]>;
  /** The rows of one committed data file. */
  readDataFile(table: string, schema: Schema, file: string, range?: RowRange): Promise<Batch>;
  /**
   * Stages a copy-on-write rewrite: the files to remove and the new files (one
   * per batch), published by `commit` in one version (`remove` + `add`).
   * Returns the new files, in order.
   */
  stageRewrite(table: string, schema: Schema, remove: readonly string[], add: readonly Batch[]): Promise<DataFile[]>;
  /** The `cdcState` of the last commit that changed the table's data (null after a truncate or a plain write). */
  cdcState(table: string): Promise<string | null>;
}

interface MemTable {
  committed: Batch[];
  /** File names of the committed batches (for rewrites). */
  names: string[];
  staged: Batch[];
  replacement: Batch | null;
  removes: string[];
  adds: { name: string; batch: Batch }[];
  txn: Map<string, number>;
  cdcState: string | null;
  /** How many of the last parts the last commit added. */
  lastCommitted: number;
}

export class MemoryStore implements TableStore {
  private tables = new Map<string, MemTable>();
  private fileSeq = 0;

  private t(name: string): MemTable {
    let t = this.tables.get(name);
    if (!t) { t = { committed: [], names: [], staged: [], replacement: null, removes: [], adds: [], txn: new Map(), cdcState: null, lastCommitted: 0 }; this.tables.set(name, t); }
    return t;
  }

  tableNames(): string[] { return [...this.tables.keys()]; }

  async snapshot(table: string, schema: Schema): Promise<Batch> {
    const t = this.tables.get(table);
    if (!t) return emptyBatch(schema);
    const all = concatBatches(schema, t.committed);
    // an appended table's older parts are merged under the first one's name (files of rewritten tables stay
    // apart); the last commit's parts keep theirs: the names a batch started with stay the rows it did not add
    const old = t.committed.length - t.lastCommitted;
    if (t.cdcState === null && old > 1) {
      t.committed = [concatBatches(schema, t.committed.slice(0, old)), ...t.committed.slice(old)];
      t.names = [t.names[0], ...t.names.slice(old)];
    }
    return all;
  }

  async snapshotParts(table: string, schema: Schema): Promise<readonly Batch[]> {
    return (this.tables.get(table)?.committed ?? []).map((b) => projectBatch(b, schema));
  }

  private name(): string { return `mem-${this.fileSeq++}`; }

  async rowCount(table: string): Promise<number> {
    return (this.tables.get(table)?.committed ?? []).reduce((s, b) => s + b.length, 0);
  }

  async dataFiles(table: string): Promise<DataFile[]> {
    const t = this.tables.get(table);
    if (!t) return [];
    return t.committed.map((b, i) => ({ path: t.names[i], rows: b.length, bytes: 0 }));
  }

  async readDataFile(table: string, schema: Schema, file: string, range?: RowRange): Promise<Batch> {
    const t = this.tables.get(table);
    const i = t?.names.indexOf(file) ?? -1;
    if (!t || i < 0) throw new Error(`internal: ${table} has no file ${file}`);
    const b = t.committed[i];
    if (!range) return b;
    const end = Math.min(b.length, range.offset + range.limit);
    return takeBatch(b, Int32Array.from({ length: Math.max(0, end - range.offset) }, (_, k) => range.offset + k));
  }

  async stageRewrite(table: string, _schema: Schema, remove: readonly string[], add: readonly Batch[]): Promise<DataFile[]> {
    const t = this.t(table);
    t.removes.push(...remove);
    const out: DataFile[] = [];
    for (const b of add) {
      const name = this.name();
      t.adds.push({ name, batch: b });
      out.push({ path: name, rows: b.length, bytes: 0 });
    }
    return out;
  }

  async cdcState(table: string): Promise<string | null> {
    return this.tables.get(table)?.cdcState ?? null;
  }

  async append(table: string, _schema: Schema, rows: Batch): Promise<void> {
    if (rows.length) this.t(table).staged.push(rows);
  }

  async replace(table: string, _schema: Schema, rows: Batch): Promise<void> {
    const t = this.t(table);
    t.staged = [];
    t.removes = [];
    t.adds = [];
    t.replacement = rows;
  }

  async discard(table: string): Promise<void> {
    const t = this.t(table);
    t.staged = [];
    t.replacement = null;
    t.removes = [];
    t.adds = [];
  }

  async commit(table: string, _schema: Schema, info: CommitInfo): Promise<boolean> {
    const t = this.t(table);
    if ((t.txn.get(info.appId) ?? -1) >= info.batchId) { await this.discard(table); return false; }
    if (t.replacement) { t.committed = [t.replacement]; t.names = [this.name()]; }
    for (const r of t.removes) {
      const i = t.names.indexOf(r);
      if (i >= 0) { t.names.splice(i, 1); t.committed.splice(i, 1); }
    }
    const before = t.replacement ? 0 : t.committed.length;
    for (const a of t.adds) { t.committed.push(a.batch); t.names.push(a.name); }
    for (const b of t.staged) { t.committed.push(b); t.names.push(this.name()); }
    t.lastCommitted = Math.max(0, t.committed.length - before);
    if (info.cdcState !== undefined) t.cdcState = info.cdcState;
    else if (t.replacement || t.staged.length || t.removes.length || t.adds.length) t.cdcState = null;
    t.staged = [];
    t.replacement = null;
    t.removes = [];
    t.adds = [];
    t.txn.set(info.appId, info.batchId);
    return true;
  }

  async committedVersion(table: string, appId: string): Promise<number> {
    return this.tables.get(table)?.txn.get(appId) ?? -1;
  }

  async truncate(table: string): Promise<void> {
    this.tables.delete(table);
  }
}
