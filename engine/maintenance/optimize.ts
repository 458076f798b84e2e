/**
 * Compaction (Delta's OPTIMIZE): small data files of a table are rewritten
 * into larger ones in one commit whose `remove` and `add` actions carry
 * `dataChange: false`, so readers that tail the log for new data (a Spark
 * stream over the table, a downstream streaming flow) skip it: no row is seen
 * twice. Row order inside a table is not part of its contents; each new file
 * takes the name prefix (`part-<batch>-<n>`) of the oldest file it replaces.
 *
 * Two plans:
 * - automatic (between micro-batches): size tiers. A file's tier is 0 below
 *   `minFileBytes` and 1 + log_K(size / minFileBytes) above; when a tier holds
 *   `mergeFactor` (K) files, they are merged (into files of at most the
 *   target size). Each row is rewritten about once per tier, so the work per
 *   batch stays constant however long the pipeline runs, and a table keeps at
 *   most K − 1 files per tier below the target size: 5 tiers between 64 KB and
 *   128 MB, so at most 45 small files (plus the files that reached the target);
 * - by hand (`optimize`): every file below the target, packed in name order
 *   into as few files of at most the target size as possible.
 *
 * `bucketOf` keeps files apart that must not share a file (the event log
 * merges only files of the same day, so that expiry drops whole files), and
 * `sealOlderBuckets` merges a past day into one file once the next day began.
 *
 * Removed files are deleted right after the commit unless the table keeps
 * them (`delta.deletedFileRetentionDuration`, then VACUUM deletes them). A
 * crash before the commit leaves files no version lists (deleted at the next
 * start); a crash after it leaves removed files (deleted at the next start too).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Schema } from '../ir/types.js';
import { typeFromSparkJson } from '../ir/types.js';
import { randomUUID } from 'node:crypto';
import type { Batch } from '../batch.js';
import { decodeParquet, encodeParquet, encodeParquetStream, parquetSlices } from '../sinks/parquet.js';
import { concatParquet, isConcatenable, layoutKey } from '../sinks/parquet-concat.js';
import { parquetFooterOf, readParquetFooter, rowGroupRows, type ParquetFooter } from '../sinks/parquet-footer.js';
import { ENGINE_INFO, writeFailed } from '../sinks/delta-store.js';
import { deltaStatsOf, encodeDataBytes, mergeDeltaStats } from '../sinks/delta-stats.js';
import { concatBatches, emptyBatch } from '../batch.js';
import type { AddAction, DeltaAction, DeltaSnapshot } from '../sinks/delta-log.js';
import type { DeltaTable } from '../sinks/delta-table.js';
import { RuntimeFailure } from '../errors.js';
import { faultPoint } from '../runtime/faults.js';
import type { CompactedFile, WorkerPool } from '../runtime/workers.js';
import { readFileBytes } from '../sinks/read-bytes.js';

export interface CompactionPolicy {
  /** A compacted file holds at most this many bytes (of its inputs); files this big are left alone. */
  targetFileBytes: number;
  /** … and at most this many rows. */
  targetRows: number;
  /** Files merged at once in a tier (automatic plan). */
  mergeFactor: number;
  /** Files below this size are all tier 0. */
  minFileBytes: number;
  /** Files merge only with files of the same bucket. */
  bucketOf?: (add: AddAction) => string;
  /**
   * Buckets before the newest (in name order) receive no more files: the
   * automatic plan merges each into as few files as the target allows (the
   * event log's past days), instead of leaving up to K − 1 files a tier.
   */
  sealOlderBuckets?: boolean;
}

/** Delta's default OPTIMIZE target is 128 MB (`delta.targetFileSize` on Databricks' auto compaction). */
export const DEFAULT_COMPACTION: CompactionPolicy = {
  targetFileBytes: 128 << 20,
  targetRows: 8_000_000,
  mergeFactor: 10,
  minFileBytes: 64 << 10,
};

export interface CompactionGroup {
  bucket: string;
  files: AddAction[];
}

function rowsOf(a: AddAction): number {
  if (!a.stats) return 0;
  try { return (JSON.parse(a.stats) as { numRecords?: number }).numRecords ?? 0; } catch { return 0; }
}

function byName(a: AddAction, b: AddAction): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

function isSmall(a: AddAction, p: CompactionPolicy): boolean {
  return a.size < p.targetFileBytes && rowsOf(a) < p.targetRows;
}

/** The tier of a file: 0 below `minFileBytes`, then one more per factor of `mergeFactor`. */
export function tierOf(size: number, p: CompactionPolicy): number {
  if (size < p.minFileBytes) return 0;
  return 1 + Math.floor(Math.log(size / p.minFileBytes) / Math.log(p.mergeFactor) + 1e-9);
}

/** Splits files (in order) into runs of at most the target bytes and rows; runs of one file are dropped. */
function pack(bucket: string, files: AddAction[], p: CompactionPolicy): CompactionGroup[] {
  const out: CompactionGroup[] = [];
  let cur: AddAction[] = [], bytes = 0, rows = 0;
  const close = () => { if (cur.length > 1) out.push({ bucket, files: cur }); cur = []; bytes = 0; rows = 0; };
  for (const f of files) {
    const r = rowsOf(f);
    if (cur.length && (bytes + f.size > p.targetFileBytes || rows + r > p.targetRows)) close();
    cur.push(f);
    bytes += f.size;
    rows += r;
  }
  close();
  return out;
}

function buckets(snap: DeltaSnapshot, p: CompactionPolicy): Map<string, AddAction[]> {
  const out = new Map<string, AddAction[]>();
  for (const a of [...snap.files.values()].sort(byName)) {
    if (!isSmall(a, p)) continue;
    const k = p.bucketOf?.(a) ?? '';
    let l = out.get(k);
    if (!l) { l = []; out.set(k, l); }
    l.push(a);
  }
  return out;
}

/** The merges automatic compaction would do now (smallest tier first). */
export function planAutoCompaction(snap: DeltaSnapshot, p: CompactionPolicy = DEFAULT_COMPACTION): CompactionGroup[] {
  const groups: CompactionGroup[] = [];
  const all = buckets(snap, p);
  const newest = [...all.keys()].sort().pop();
  for (const [bucket, files] of all) {
    if (p.sealOlderBuckets && bucket !== newest) { groups.push(...pack(bucket, files, p)); continue; }
    const tiers = new Map<number, AddAction[]>();
    for (const f of files) {
      const t = tierOf(f.size, p);
      let l = tiers.get(t);
      if (!l) { l = []; tiers.set(t, l); }
      l.push(f);
    }
    for (const t of [...tiers.keys()].sort((a, b) => a - b)) {
      const l = tiers.get(t)!;
      if (l.length >= p.mergeFactor) groups.push(...pack(bucket, l, p));
    }
  }
  return groups;
}

/** The merges a manual OPTIMIZE does: every small file, packed in name order. */
export function planOptimize(snap: DeltaSnapshot, p: CompactionPolicy = DEFAULT_COMPACTION): CompactionGroup[] {
  const groups: CompactionGroup[] = [];
  for (const [bucket, files] of buckets(snap, p)) groups.push(...pack(bucket, files, p));
  return groups;
}

/** The schema of a table from its log's schema string. */
export function schemaOfSnapshot(snap: DeltaSnapshot, table: string): Schema {
  if (!snap.schemaString) throw new RuntimeFailure('DELTA_LOG_CORRUPT', `${table} has no schema in its log`, { table }, { hint: 'the table is damaged; full-refresh it' });
  const fields = (JSON.parse(snap.schemaString) as { fields: { name: string; type: unknown }[] }).fields;
  return fields.map((f) => {
    const type = typeFromSparkJson(f.type);
    if (!type) throw new RuntimeFailure('UNSUPPORTED_TABLE_TYPE', `column ${f.name} of ${table} has a type this engine does not read: ${JSON.stringify(f.type)}`, { table, column: f.name }, { hint: 'compact this table with the engine that wrote it' });
    return { name: f.name, type };
  });
}

export interface CompactionResult {
  table: string;
  /** The table version of the compaction commit (-1: nothing was committed). */
  version: number;
  filesRemoved: number;
  filesAdded: number;
  bytesRemoved: number;
  bytesAdded: number;
  rows: number;
  ms: number;
  /** Which files each new file replaces (for indexes keyed by file, such as a CDC target's). */
  rewrites: { added: string; removed: string[] }[];
  /** Groups left for a later call (the time budget ran out). */
  deferred: number;
}

export interface CompactOptions {
  /** The table's name (for messages). */
  name: string;
  /** The schema to read and write the files with (default: the log's). */
  schema?: Schema;
  /** Stop starting new groups once this much time passed (ms); the groups done so far are committed. */
  budgetMs?: number;
  /** `OPTIMIZE` parameters for the commit info (auto: true when automatic). */
  auto?: boolean;
  /** Worker threads: a group is rewritten on one of them (its parquet-wasm memory), not on this thread. */
  pool?: WorkerPool;
  /** Delete the removed files after the commit (the default when the table keeps no removed files). */
  deleteRemoved?: boolean;
}

function prefixOf(p: string): string {
  return /^(part-\d+-\d+)-/.exec(p)?.[1] ?? 'part-000000-00000';
}

/**
 * A file is copied page by page into a compacted file when its row groups
 * hold at least this many rows on average (and none fewer than
 * `COPY_MIN_ROWS_EACH`): decoding and encoding such pages again would give
 * the same row groups at a cost of seconds per million rows. Smaller row
 * groups (the files of small micro-batches) are rewritten, so that they merge
 * into row groups of this size.
 */
export const COPY_MIN_ROWS_PER_GROUP = 16_384;
const COPY_MIN_ROWS_EACH = 1_024;
/**
 * Files are also copied whole, small row groups and all, while the compacted
 * file holds at most this many row groups: the first merge of ten one-batch
 * files copies their pages (a few ms, where decoding and encoding took
 * 20 ms warm and 100-250 ms in a process that had not done it yet), and the
 * next tier, a hundred small row groups, is rewritten into large ones.
 */
export const COPY_MAX_SMALL_GROUPS = 16;

/** The footer layout this engine writes for a schema today (from an empty file), by schema. */
const layouts = new Map<string, string>();
function layoutOfSchema(schema: Schema): string {
  const k = JSON.stringify(schema);
  let v = layouts.get(k);
  if (v === undefined) {
    v = layoutKey(parquetFooterOf(encodeParquet(emptyBatch(schema))));
    layouts.set(k, v);
  }
  return v;
}

function footerOf(file: string): ParquetFooter | null {
  try { return readParquetFooter(file); } catch { return null; }
}

/**
 * The footers, when the files all have small row groups, can all be copied,
 * and hold at most COPY_MAX_SMALL_GROUPS row groups in all; else null (with
 * some large row groups, the small ones are re-encoded into one).
 */
function fewGroups(footers: readonly (ParquetFooter | null)[], schema: Schema): ParquetFooter[] | null {
  let groups = 0;
  for (const f of footers) {
    if (!f || !f.rowGroups.length || f.rows / f.rowGroups.length >= COPY_MIN_ROWS_PER_GROUP) return null;
    groups += f.rowGroups.length;
  }
  if (groups > COPY_MAX_SMALL_GROUPS) return null;
  const layout = layoutOfSchema(schema);
  return footers.every((f) => isConcatenable(f!) && layoutKey(f!) === layout) ? footers as ParquetFooter[] : null;
}

/** The footer of a file whose pages can be copied, else null; the schema's layout is only worked out for files with large row groups. */
function copyable(f: ParquetFooter | null, schema: Schema): ParquetFooter | null {
  if (!f || !f.rowGroups.length) return null;
  const counts = f.rowGroups.map(rowGroupRows);
  if (f.rows / counts.length < COPY_MIN_ROWS_PER_GROUP || Math.min(...counts) < COPY_MIN_ROWS_EACH) return null;
  return isConcatenable(f) && layoutKey(f) === layoutOfSchema(schema) ? f : null;
}

/**
 * Writes a group's files as one new file. Files with large row groups (in the
 * layout this engine writes for `schema`) are copied page by page
 * (parquet-concat.ts); the others are decoded and encoded again, streaming:
 * one input slice and one row group are in memory at a time, however large
 * the group. `stats` are the files' Delta stats (from their `add` actions),
 * which give the stats of the copied part.
 */
export async function writeGroup(dir: string, table: string, schema: Schema, files: readonly string[], stats?: readonly (string | undefined)[]): Promise<CompactedFile> {
  const id = randomUUID();
  const tmp = `.${id}.parquet.tmp`;
  const final = `${prefixOf(files[0])}-${id}.c000.snappy.parquet`;
  const footers = files.map((f) => footerOf(path.join(dir, f)));
  const copies = fewGroups(footers, schema) ?? footers.map((f) => copyable(f, schema));
  const rewrite = files.filter((_, i) => copies[i] === null);
  const rewriteFooters = footers.filter((_, i) => copies[i] === null);
  const rewriteRows = rewriteFooters.every((f) => f !== null) ? rewriteFooters.reduce((n, f) => n + f!.rows, 0) : null;
  if (rewrite.length === files.length) return encodeGroup(dir, table, schema, rewrite, tmp, final, rewriteRows);
  // the rest is encoded first into a part of its own, then copied in after the others
  const rest = rewrite.length ? await encodeGroup(dir, table, schema, rewrite, `.${id}.rest.parquet.tmp`, '', rewriteRows) : null;
  try {
    const parts = copies.filter((c): c is ParquetFooter => c !== null);
    if (rest) parts.push(readParquetFooter(path.join(dir, rest.tmp)));
    const fd = openFor(dir, tmp, table);
    let size: number;
    try {
      size = concatParquet(parts, (chunk) => writeTo(fd, chunk, table)).size;
    } catch (e) {
      fs.rmSync(path.join(dir, tmp), { force: true });
      throw e;
    } finally {
      fs.closeSync(fd);
    }
    const partStats = files.map((_, i) => (copies[i] ? stats?.[i] : undefined)).filter((_, i) => copies[i] !== null);
    if (rest) partStats.push(rest.stats);
    const rows = parts.reduce((a, p) => a + p.rows, 0);
    return { tmp, final, rows, stats: mergeDeltaStats(schema, partStats, rows), size };
  } finally {
    if (rest) fs.rmSync(path.join(dir, rest.tmp), { force: true });
  }
}

function openFor(dir: string, file: string, table: string): number {
  try {
    return fs.openSync(path.join(dir, file), 'w');
  } catch (e) {
    throw writeFailed(table, e);
  }
}

function writeTo(fd: number, chunk: Uint8Array, table: string): void {
  try {
    fs.writeSync(fd, chunk);
  } catch (e) {
    throw writeFailed(table, e);
  }
}

/**
 * A group of at most this many rows (one row group of the streaming path) is
 * decoded whole and encoded in one call: a merge of ten 10k-row files took
 * 129 instead of 191 ms (the stream's per-slice statistics scan and its
 * record-batch plumbing), for at most one row group's rows in memory.
 */
const ONE_SHOT_MAX_ROWS = 131_072;

/** Decodes the files and encodes their rows as one file (`tmp`): in one call when they are few (`rows`, by their footers), else streaming. */
async function encodeGroup(dir: string, table: string, schema: Schema, files: readonly string[], tmp: string, final: string, rows: number | null): Promise<CompactedFile> {
  if (rows !== null && rows <= ONE_SHOT_MAX_ROWS) {
    const b = concatBatches(schema, files.map((f) => decodeParquet(readFileBytes(path.join(dir, f)), schema)));
    const { bytes, stats } = encodeDataBytes(b);
    const fd = openFor(dir, tmp, table);
    try {
      writeTo(fd, bytes, table);
    } catch (e) {
      fs.rmSync(path.join(dir, tmp), { force: true });
      throw e;
    } finally {
      fs.closeSync(fd);
    }
    return { tmp, final, rows: b.length, stats, size: bytes.length };
  }
  function* parts(): Generator<Batch> {
    for (const f of files) yield* parquetSlices(readFileBytes(path.join(dir, f)), schema);
  }
  const fd = openFor(dir, tmp, table);
  try {
    const r = await encodeParquetStream(parts(), (chunk) => writeTo(fd, chunk, table));
    return { tmp, final, rows: r.rows, stats: deltaStatsOf(schema, r.rows, r.stats ?? {}), size: r.size };
  } catch (e) {
    fs.rmSync(path.join(dir, tmp), { force: true });
    throw e;
  } finally {
    fs.closeSync(fd);
  }
}

/** Rewrites each group into one file and commits them all as one OPTIMIZE version. */
export async function compactGroups(table: DeltaTable, groups: readonly CompactionGroup[], opts: CompactOptions): Promise<CompactionResult> {
  const started = performance.now();
  const result: CompactionResult = { table: opts.name, version: -1, filesRemoved: 0, filesAdded: 0, bytesRemoved: 0, bytesAdded: 0, rows: 0, ms: 0, rewrites: [], deferred: 0 };
  if (!groups.length) return result;
  const snap = table.snapshot;
  const schema = opts.schema ?? schemaOfSnapshot(snap, opts.name);
  const written: (CompactedFile & { group: CompactionGroup })[] = [];
  const dir = table.dir;
  try {
    for (let i = 0; i < groups.length; i++) {
      if (i > 0 && opts.budgetMs !== undefined && performance.now() - started >= opts.budgetMs) { result.deferred = groups.length - i; break; }
      const g = groups[i];
      const files = g.files.map((a) => a.path);
      const stats = g.files.map((a) => a.stats);
      const w = opts.pool?.enabled ? await opts.pool.compactFiles(dir, opts.name, schema, files, stats) : await writeGroup(dir, opts.name, schema, files, stats);
      written.push({ ...w, group: g });
    }
    faultPoint('mid-compaction');
    const now = table.now();
    const actions: DeltaAction[] = [];
    const removes: DeltaAction[] = [], adds: DeltaAction[] = [];
    for (const w of written) {
      fs.renameSync(path.join(dir, w.tmp), path.join(dir, w.final));
      for (const a of w.group.files) {
        removes.push({ remove: { path: a.path, deletionTimestamp: now, dataChange: false, extendedFileMetadata: true, partitionValues: {}, size: a.size } });
        result.bytesRemoved += a.size;
      }
      adds.push({ add: { path: w.final, partitionValues: {}, size: w.size, modificationTime: now, dataChange: false, stats: w.stats } });
      result.filesRemoved += w.group.files.length;
      result.filesAdded++;
      result.bytesAdded += w.size;
      result.rows += w.rows;
      result.rewrites.push({ added: w.final, removed: w.group.files.map((a) => a.path) });
    }
    actions.push({ commitInfo: {
      timestamp: now, operation: 'OPTIMIZE', operationParameters: { predicate: '[]', zOrderBy: '[]', auto: opts.auto === true },
      engineInfo: ENGINE_INFO, isBlindAppend: false,
      operationMetrics: { numRemovedFiles: String(result.filesRemoved), numAddedFiles: String(result.filesAdded), numRemovedBytes: String(result.bytesRemoved), numAddedBytes: String(result.bytesAdded) },
    } });
    actions.push(...removes, ...adds);
    faultPoint('mid-compaction-commit');
    result.version = table.commit(actions);
  } catch (e) {
    // nothing committed: the new files belong to no version
    if (result.version < 0) for (const w of written) { fs.rmSync(path.join(dir, w.tmp), { force: true }); fs.rmSync(path.join(dir, w.final), { force: true }); }
    throw e;
  }
  faultPoint('after-compaction-commit');
  const keep = table.config().deletedFileRetentionMs;
  if (opts.deleteRemoved ?? keep === null) for (const w of written) for (const a of w.group.files) fs.rmSync(path.join(dir, a.path), { force: true });
  result.ms = performance.now() - started;
  return result;
}
