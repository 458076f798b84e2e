/**
 * Table storage, as the executor sees it. A micro-batch stages appends (streaming
 * tables) or a complete new contents (materialized views) per table, then
 * commits each table atomically, or discards what it staged (a failed flow).
 *
 * `MemoryStore` keeps everything in memory (the testing API); `DeltaStore`
 * (delta-store.ts) writes Parquet files and a Delta log.
 */
import type { Schema } from '../ir/types.js';
import { concatBatches, emptyBatch, type Batch } from '../batch.js';

export interface CommitInfo {
  batchId: number;
  /** The idempotency key of the writing flow (Delta `txn.appId`). */
  appId: string;
  /** Free-form facts for the commit (operation, metrics). */
  operation: 'STREAMING UPDATE' | 'CREATE OR REPLACE' | 'WRITE' | 'CREATE TABLE';
  metrics?: Record<string, number>;
}

export interface TableStore {
  /** The committed contents of a table (empty if it does not exist yet). */
  snapshot(table: string, schema: Schema): Promise<Batch>;
  /** Rows committed so far (cheap). */
  rowCount(table: string): Promise<number>;
  append(table: string, schema: Schema, rows: Batch): Promise<void>;
  replace(table: string, schema: Schema, rows: Batch): Promise<void>;
  discard(table: string): Promise<void>;
  /** Publishes what was staged for the table. Returns false when the batch was already committed (idempotent re-run). */
  commit(table: string, schema: Schema, info: CommitInfo): Promise<boolean>;
  /** The last batch id committed by a writer (`txn` version), or -1. */
  committedVersion(table: string, appId: string): Promise<number>;
  /** Removes a table's data (full refresh). */
  truncate(table: string, schema: Schema): Promise<void>;
}

interface MemTable {
  committed: Batch[];
  staged: Batch[];
  replacement: Batch | null;
  txn: Map<string, number>;
}

export class MemoryStore implements TableStore {
  private tables = new Map<string, MemTable>();

  private t(name: string): MemTable {
    let t = this.tables.get(name);
    if (!t) { t = { committed: [], staged: [], replacement: null, txn: new Map() }; this.tables.set(name, t); }
    return t;
  }

  tableNames(): string[] { return [...this.tables.keys()]; }

  async snapshot(table: string, schema: Schema): Promise<Batch> {
    const t = this.tables.get(table);
    if (!t) return emptyBatch(schema);
    const all = concatBatches(schema, t.committed);
    t.committed = all.length ? [all] : [];
    return all;
  }

  async rowCount(table: string): Promise<number> {
    return (this.tables.get(table)?.committed ?? []).reduce((s, b) => s + b.length, 0);
  }

  async append(table: string, _schema: Schema, rows: Batch): Promise<void> {
    if (rows.length) this.t(table).staged.push(rows);
  }

  async replace(table: string, _schema: Schema, rows: Batch): Promise<void> {
    const t = this.t(table);
    t.staged = [];
    t.replacement = rows;
  }

  async discard(table: string): Promise<void> {
    const t = this.t(table);
    t.staged = [];
    t.replacement = null;
  }

  async commit(table: string, _schema: Schema, info: CommitInfo): Promise<boolean> {
    const t = this.t(table);
    if ((t.txn.get(info.appId) ?? -1) >= info.batchId) { t.staged = []; t.replacement = null; return false; }
    if (t.replacement) t.committed = [t.replacement];
    t.committed.push(...t.staged);
    t.staged = [];
    t.replacement = null;
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
