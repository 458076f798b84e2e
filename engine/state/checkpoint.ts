/**
 * Checkpoints: what makes a restart resume exactly where the last run stopped.
 *
 * Layout under `<output>/_checkpoints/`:
 *
 * ```
 * metadata.json                       input root, generation, per-flow fingerprints
 * offsets/<N>.json                    written BEFORE batch N runs: the batch timestamp and, per flow, the exact
 *                                     files (name, size, mtime) of its sources and its watermarks
 * commits/<N>.json                    written AFTER every table committed batch N: per flow its rows, status,
 *                                     skipped files, and its state (watermarks, MV fingerprints, binary state files)
 * <flow>/state/<N>.<op>.snapshot|delta  operator state (dedup keys, aggregates): a full snapshot, else the change since the last file
 * <flow>/state/runs/<op>/<id>.run      key runs spilled from memory (state/runs.ts), named by the snapshots
 * <flow>/sources/index-<N>.json       the compacted file index (every file ingested up to batch N)
 * ```
 *
 * Every flow of a pipeline runs every batch, so the batch log is one record
 * per batch for the pipeline, with an entry per flow, rather than a log per
 * flow (format 4 had `<flow>/offsets`, `<flow>/commits` and `<flow>/state/<N>.json`:
 * about 60 files a batch for a 21-flow pipeline, each creation 0.1-1 ms on
 * this machine's disk; it is converted on open, see `migrateFromFormat4`).
 * A flow's entries count from the generation it last restarted at
 * (`metadata.restarted`, set by a selective full refresh), so the entries of
 * a flow reset by a refresh are ignored without rewriting the log.
 *
 * Metadata is human-readable JSON; large state is binary. Every file is written
 * to a temporary name and renamed, so a crash never leaves half a file. A file
 * that does not parse is refused with `CHECKPOINT_CORRUPT` naming it: a
 * checkpoint is never silently reset.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { lazily, zod } from './zod.js';
import { RuntimeFailure } from '../errors.js';
import { faultPoint } from '../runtime/faults.js';
import { readFileBytes } from '../sinks/read-bytes.js';
import { FileIndex, type FileIndexColumns, type IndexedFile } from './file-index.js';

/**
 * 7: an operator whose change in a batch was empty writes no change log (the commit record lists the batch);
 * 6: aggregate state stores its groups column by column (state/columns.ts; format-3 rows still load);
 * 5: one offsets and one commits record per pipeline batch (entries per flow), flow state in the commit record;
 * 4: dedup and count-distinct keys hash the UTF-8 bytes of the values (KeyHasher) instead of their text;
 * 3: key tables may spill to sorted runs (state/runs.ts) named by their snapshots;
 * 2: operator state as binary snapshots and change logs; 1 kept aggregates as JSON.
 */
export const CHECKPOINT_FORMAT = 7;
/** The flow fingerprints of the metadata: 2 = computed on the plans in canonical form. */
export const FINGERPRINT_VERSION = 2;
/**
 * Offsets and commits of this many recent batches are kept (Spark's
 * `spark.sql.streaming.minBatchesToRetain`, default 100); older ones are
 * folded into the file index first.
 */
export const DEFAULT_MIN_BATCHES_TO_RETAIN = 100;
/**
 * Operator state is written as change logs until they add up to more than the
 * last snapshot (or than this many bytes, for small state); then a new snapshot.
 */
export const MIN_SNAPSHOT_BYTES = 1 << 20;

/** The records' schemas, built on first use (see zod.ts). */
const S = lazily((z) => {
  const FileEntrySchema = z.object({ name: z.string(), size: z.number(), mtimeMs: z.number() });

  const MetadataSchema = z.object({
    format: z.literal(CHECKPOINT_FORMAT),
    pipeline: z.string(),
    input: z.string(),
    generation: z.number().int().nonnegative(),
    flows: z.record(z.string(), z.string()),
    /** How `flows` was computed: 2, on the plans in canonical form (graph/fingerprint.ts); absent: on the plans as written. */
    fingerprints: z.literal(FINGERPRINT_VERSION).optional(),
    created: z.string(),
    /** Columns added to CSV sources by schema evolution (`addNewColumns`), by source key. */
    evolved: z.record(z.string(), z.array(z.string())).optional(),
    /** The inferred columns of file sources (read_files / cloud_files without a schema), by source key: Auto Loader's schema location. */
    fileSchemas: z.record(z.string(), z.array(z.object({ name: z.string(), type: z.string() }))).optional(),
    /** Flows reset by a selective full refresh, and the generation they restarted at: their entries of earlier generations do not count. */
    restarted: z.record(z.string(), z.number().int().nonnegative()).optional(),
    /** Set while a full refresh is under way (the tables asked for, `*` for all): a crash in the middle is finished on the next start. */
    refreshing: z.array(z.string()).optional(),
  });

  const FlowOffsetsSchema = z.object({
    files: z.record(z.string(), z.array(FileEntrySchema)).optional(),
    watermarks: z.record(z.string(), z.number()).optional(),
  });

  const OffsetsSchema = z.object({
    batchId: z.number().int().nonnegative(),
    generation: z.number().int().nonnegative(),
    ingestedAtUs: z.number(),
    closing: z.boolean().optional(),
    /** Every flow that takes part in the batch, with the files of its sources (none for a flow that reads tables). */
    flows: z.record(z.string(), FlowOffsetsSchema),
  });

  const FlowStateSchema = z.object({
    operators: z.record(z.string(), z.unknown()),
    watermarks: z.record(z.string(), z.number()),
    /** The binary state of each stateful operator after the batch: its last file is a snapshot or a change log. */
    binary: z.record(z.string(), z.enum(['snapshot', 'delta'])),
    /**
     * Per operator, the batches after its last snapshot whose change was empty: no change log was
     * written for them (an idle flow writes no file per batch). Absent: every batch has its file.
     */
    unchanged: z.record(z.string(), z.array(z.number().int().nonnegative())).optional(),
  });

  const FlowCommitSchema = z.object({
    rows: z.number().optional(),
    status: z.string().optional(),
    /** Files of the batch's offsets that could not be read: not ingested. */
    skipped: z.array(z.object({ source: z.string(), name: z.string() })).optional(),
    /** The flow's state after the batch (flows with operators state, watermarks or MV fingerprints). */
    state: FlowStateSchema.optional(),
  });

  const CommitSchema = z.object({
    batchId: z.number().int().nonnegative(),
    generation: z.number().int().nonnegative(),
    committedAt: z.string(),
    flows: z.record(z.string(), FlowCommitSchema),
  });

  const IndexSchema = z.object({ upTo: z.number().int(), files: z.record(z.string(), z.array(FileEntrySchema.extend({ batchId: z.number() }))) });
  return { FileEntrySchema, MetadataSchema, FlowOffsetsSchema, OffsetsSchema, FlowStateSchema, FlowCommitSchema, CommitSchema, IndexSchema };
});
type Schemas = ReturnType<typeof S>;
export type CheckpointMetadata = z.infer<Schemas['MetadataSchema']>;
export type BatchOffsets = z.infer<Schemas['OffsetsSchema']>;
export type FlowState = z.infer<Schemas['FlowStateSchema']>;
export type BatchCommit = z.infer<Schemas['CommitSchema']>;
interface CommittedBatch { offsets: BatchOffsets; skipped: Record<string, { source: string; name: string }[]> }
export type FileIndexSnapshot = z.infer<Schemas['IndexSchema']>;

/**
 * The file index snapshot, column by column (a month of files parses in a few
 * milliseconds; one object per file did not): `{"upTo": N, "columns": {<source>:
 * {"name": [...], "size": [...], "mtimeMs": [...], "batchId": [...]}}}`. The
 * older form (`files`: one object per file) is still read.
 */
function readIndexFile(file: string): { upTo: number; files: Map<string, FileIndex> } {
  const raw: any = parsedJson(file, readText(file));
  const out = new Map<string, FileIndex>();
  if (raw && typeof raw === 'object' && raw.columns && typeof raw.columns === 'object' && Number.isInteger(raw.upTo)) {
    for (const [src, c] of Object.entries(raw.columns as Record<string, any>)) {
      const n = Array.isArray(c?.name) ? c.name.length : -1;
      const ok = n >= 0 && ['size', 'mtimeMs', 'batchId'].every((k) => Array.isArray(c[k]) && c[k].length === n);
      if (!ok) corrupt(file, `columns.${src}: the name, size, mtimeMs and batchId arrays do not match`);
      const { name, size, mtimeMs, batchId } = c as { name: unknown[]; size: unknown[]; mtimeMs: unknown[]; batchId: unknown[] };
      for (let i = 0; i < n; i++) {
        if (typeof name[i] !== 'string' || typeof size[i] !== 'number' || typeof mtimeMs[i] !== 'number' || typeof batchId[i] !== 'number') corrupt(file, `columns.${src}: entry ${i} is not a name and three numbers`);
      }
      // the columns as read are the index the runner keeps (a month of files: ~22k entries a source)
      out.set(src, new FileIndex(c as FileIndexColumns));
    }
    return { upTo: raw.upTo, files: out };
  }
  const r = S().IndexSchema.safeParse(raw);
  if (!r.success) corrupt(file, r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  for (const [src, files] of Object.entries(r.data.files)) {
    const idx = new FileIndex();
    for (const f of files) idx.set(f.name, f);
    out.set(src, idx);
  }
  return { upTo: r.data.upTo, files: out };
}

function indexFileText(upTo: number, files: Map<string, IndexedFile[]>): string {
  const columns: Record<string, { name: string[]; size: number[]; mtimeMs: number[]; batchId: number[] }> = {};
  for (const [src, list] of files) columns[src] = { name: list.map((f) => f.name), size: list.map((f) => f.size), mtimeMs: list.map((f) => f.mtimeMs), batchId: list.map((f) => f.batchId) };
  return JSON.stringify({ upTo, columns }) + '\n';
}


/** One binary state file (a snapshot or a change log) and its bytes. */
export interface StatePart { file: string; bytes: Uint8Array }

function corrupt(file: string, why: string): never {
  throw new RuntimeFailure('CHECKPOINT_CORRUPT', `checkpoint file ${file} is unreadable: ${why}`, { file, reason: why }, {
    hint: 'restore the file from a backup, or start over with --full-refresh-all (this reprocesses every input file)',
  });
}

/**
 * Whether checkpoint files are fsynced before they are renamed into place.
 * Without it (the default) a checkpoint survives the process being killed at any
 * point (the page cache keeps what was written), but not a power loss; an fsync
 * costs ~6 ms here, ~30 per batch. `LOCALDLT_FSYNC=1` turns it on.
 */
export const FSYNC = process.env.LOCALDLT_FSYNC === '1';

/** Writes a file atomically: temporary name, (fsync,) rename. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${randomUUID()}.tmp`);
  let fd: number;
  try {
    fd = fs.openSync(tmp, 'w');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    fs.mkdirSync(dir, { recursive: true });
    fd = fs.openSync(tmp, 'w');
  }
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    if (FSYNC) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}


function readJson<T>(file: string, schema: z.ZodType<T>): T {
  return checked(file, parsedJson(file, readText(file)), schema);
}

function readText(file: string): string {
  try { return fs.readFileSync(file, 'utf8'); } catch (e) { corrupt(file, (e as Error).message); }
}

function parsedJson(file: string, text: string): unknown {
  try { return JSON.parse(text); } catch { corrupt(file, 'not valid JSON'); }
}

function checked<T>(file: string, raw: unknown, schema: z.ZodType<T>): T {
  const r = schema.safeParse(raw);
  if (!r.success) corrupt(file, r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return r.data;
}

function batchNumbers(dir: string, suffix: string): number[] {
  let names: string[];
  try { names = fs.readdirSync(dir); } catch { return []; }
  return names.filter((n) => n.endsWith(suffix) && /^\d+/.test(n)).map((n) => Number(n.slice(0, n.length - suffix.length))).filter((n) => Number.isInteger(n)).sort((a, b) => a - b);
}

export class CheckpointStore {
  constructor(readonly root: string) {}

  get metadataFile(): string { return path.join(this.root, 'metadata.json'); }
  flowDir(flow: string): string { return path.join(this.root, flow); }

  exists(): boolean { return fs.existsSync(this.metadataFile); }

  /**
   * The checkpoint's metadata. One written in an older format is refused with
   * CHECKPOINT_INCOMPATIBLE, unless `forRefresh` (a full refresh of everything
   * starts over and only needs the generation).
   */
  readMetadata(forRefresh = false): CheckpointMetadata | null {
    if (!this.exists()) return null;
    let raw: unknown;
    try { raw = JSON.parse(fs.readFileSync(this.metadataFile, 'utf8')); } catch { raw = null; }
    const format = (raw as { format?: unknown } | null)?.format;
    if (typeof format === 'number' && Number.isInteger(format) && format >= 1 && format < CHECKPOINT_FORMAT) {
      // format 4 differs in its batch log only, which opening converts (migrateFromFormat4); formats 5 and 6
      // in how new state is written only (aggregate rows, a change log for every batch, still load): they
      // open as they are
      if (!forRefresh && format !== 4 && format !== 5 && format !== 6) {
        throw new RuntimeFailure('CHECKPOINT_INCOMPATIBLE', `the checkpoint in ${this.root} is in format ${format}; this version reads format ${CHECKPOINT_FORMAT}`, { file: this.metadataFile, format, expected: CHECKPOINT_FORMAT }, {
          hint: 'run once with --full-refresh-all to rebuild every table and checkpoint in the new format',
        });
      }
      (raw as { format: number }).format = CHECKPOINT_FORMAT;
      const r = S().MetadataSchema.safeParse(raw);
      if (r.success) return r.data;
    }
    return readJson(this.metadataFile, S().MetadataSchema);
  }

  writeMetadata(m: CheckpointMetadata): void {
    writeFileAtomic(this.metadataFile, JSON.stringify(m, null, 2) + '\n');
  }

  /** Removes everything (full refresh of the whole pipeline). */
  clear(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }

  clearFlow(flow: string): void {
    fs.rmSync(this.flowDir(flow), { recursive: true, force: true });
  }

  /** Removes every flow's folder, keeping metadata.json (full refresh of the whole pipeline). */
  clearFlows(): void {
    let names: string[] = [];
    try { names = fs.readdirSync(this.root); } catch { return; }
    for (const n of names) if (n !== 'metadata.json') fs.rmSync(path.join(this.root, n), { recursive: true, force: true });
  }

  /** Whether the checkpoint is in format 4 (a batch log per flow), which `migrateFromFormat4` converts. */
  isFormat4(): boolean {
    try { return (JSON.parse(fs.readFileSync(this.metadataFile, 'utf8')) as { format?: unknown }).format === 4; } catch { return false; }
  }

  /**
   * Converts a format-4 checkpoint in place: per batch, the flows' offsets
   * files become one offsets record; when every flow that planned the batch
   * committed it, their commit files and state files (`<flow>/state/<N>.json`)
   * become one commit record. The metadata is rewritten after the records, and
   * the old files are removed after it: a crash before the metadata converts
   * again from the old files, a crash after it leaves old files nothing reads.
   */
  migrateFromFormat4(): void {
    const z = zod();
    const Legacy = z.object({
      batchId: z.number().int().nonnegative(), generation: z.number().int().nonnegative(), ingestedAtUs: z.number(),
      files: z.record(z.string(), z.array(S().FileEntrySchema)), watermarks: z.record(z.string(), z.record(z.string(), z.number())).optional(), closing: z.boolean().optional(),
    });
    const LegacyCommit = z.object({ batchId: z.number(), committedAt: z.string(), rows: z.number().optional(), status: z.string().optional(), skipped: z.array(z.object({ source: z.string(), name: z.string() })).optional() });
    const LegacyState = z.object({ batchId: z.number(), operators: z.record(z.string(), z.unknown()), watermarks: z.record(z.string(), z.number()), binary: z.record(z.string(), z.enum(['snapshot', 'delta'])) });
    const flows = fs.readdirSync(this.root, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== 'offsets' && e.name !== 'commits').map((e) => e.name).sort();
    const offsets = new Map<number, BatchOffsets>();
    const planned = new Map<number, string[]>();
    for (const f of flows) {
      for (const b of batchNumbers(path.join(this.flowDir(f), 'offsets'), '.json')) {
        const o = readJson(path.join(this.flowDir(f), 'offsets', `${b}.json`), Legacy);
        const rec = offsets.get(b) ?? { batchId: b, generation: o.generation, ingestedAtUs: o.ingestedAtUs, ...(o.closing ? { closing: true } : {}), flows: {} };
        rec.flows[f] = { ...(Object.keys(o.files).length ? { files: o.files } : {}), ...(o.watermarks?.[f] ? { watermarks: o.watermarks[f] } : {}) };
        offsets.set(b, rec);
        planned.set(b, [...(planned.get(b) ?? []), f]);
      }
    }
    for (const [b, rec] of [...offsets].sort((x, y) => x[0] - y[0])) {
      this.writeOffsets(rec);
      const fl = planned.get(b)!;
      if (!fl.every((f) => fs.existsSync(path.join(this.flowDir(f), 'commits', `${b}.json`)))) continue;
      const commit: BatchCommit = { batchId: b, generation: rec.generation, committedAt: '', flows: {} };
      for (const f of fl) {
        const c = readJson(path.join(this.flowDir(f), 'commits', `${b}.json`), LegacyCommit);
        commit.committedAt = c.committedAt;
        const stFile = path.join(this.flowDir(f), 'state', `${b}.json`);
        const st = fs.existsSync(stFile) ? readJson(stFile, LegacyState) : null;
        commit.flows[f] = {
          ...(c.rows !== undefined ? { rows: c.rows } : {}), ...(c.status !== undefined ? { status: c.status } : {}), ...(c.skipped ? { skipped: c.skipped } : {}),
          ...(st ? { state: { operators: st.operators, watermarks: st.watermarks, binary: st.binary } } : {}),
        };
      }
      this.writeCommit(commit);
    }
    const raw = JSON.parse(fs.readFileSync(this.metadataFile, 'utf8')) as Record<string, unknown>;
    writeFileAtomic(this.metadataFile, JSON.stringify({ ...raw, format: CHECKPOINT_FORMAT }, null, 2) + '\n');
    faultPoint('mid-migration');
    for (const f of flows) {
      for (const sub of ['offsets', 'commits']) fs.rmSync(path.join(this.flowDir(f), sub), { recursive: true, force: true });
      const st = path.join(this.flowDir(f), 'state');
      if (fs.existsSync(st)) for (const n of fs.readdirSync(st)) if (/^\d+\.json$/.test(n)) fs.rmSync(path.join(st, n), { force: true });
    }
    this.committed = null;
  }

  // ------------------------------------------------------------ offsets and commits

  private batchFile(sub: 'offsets' | 'commits', batchId: number): string { return path.join(this.root, sub, `${batchId}.json`); }

  writeOffsets(o: BatchOffsets): void {
    writeFileAtomic(this.batchFile('offsets', o.batchId), JSON.stringify(o) + '\n');
  }

  readOffsets(batchId: number): BatchOffsets | null {
    const f = this.batchFile('offsets', batchId);
    return fs.existsSync(f) ? readJson(f, S().OffsetsSchema) : null;
  }

  offsetBatches(): number[] { return batchNumbers(path.join(this.root, 'offsets'), '.json'); }
  commitBatches(): number[] { return batchNumbers(path.join(this.root, 'commits'), '.json'); }

  writeCommit(c: BatchCommit): void {
    writeFileAtomic(this.batchFile('commits', c.batchId), JSON.stringify(c) + '\n');
  }

  /** The commit record of a batch (CHECKPOINT_CORRUPT when it does not read), null when there is none. */
  readCommit(batchId: number): BatchCommit | null {
    const f = this.batchFile('commits', batchId);
    return fs.existsSync(f) ? readJson(f, S().CommitSchema) : null;
  }

  // ------------------------------------------------------------ file index

  /**
   * The compacted file index of a flow, plus the files of the committed
   * batches after it in which the flow counts (`counts`: its entries of the
   * generations since it last restarted).
   */
  readFileIndex(flow: string, counts: (generation: number) => boolean): Map<string, FileIndex> {
    const out = new Map<string, FileIndex>();
    const dir = path.join(this.flowDir(flow), 'sources');
    const snaps = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => /^index-\d+\.json$/.test(n)).map((n) => Number(n.slice(6, -5))).sort((a, b) => a - b) : [];
    let upTo = -1;
    if (snaps.length) {
      const last = snaps[snaps.length - 1];
      const idx = readIndexFile(path.join(dir, `index-${last}.json`));
      upTo = idx.upTo;
      for (const [src, files] of idx.files) out.set(src, files);
    }
    const existing = path.join(dir, 'existing.json');
    if (fs.existsSync(existing)) {
      const idx = readIndexFile(existing);
      for (const [src, files] of idx.files) {
        const m = out.get(src) ?? new FileIndex();
        for (const f of files.values()) if (!m.has(f.name)) m.set(f.name, f);
        out.set(src, m);
      }
    }
    for (const { offsets: o, skipped: sk } of this.committedBatches(upTo + 1)) {
      const entry = o.flows[flow];
      if (!entry?.files || !counts(o.generation)) continue;
      const skipped = new Set((sk[flow] ?? []).map((x) => `${x.source}\u0000${x.name}`));
      for (const [src, files] of Object.entries(entry.files)) {
        const m = out.get(src) ?? new FileIndex();
        for (const f of files) if (!skipped.has(`${src}\u0000${f.name}`)) m.set(f.name, { ...f, batchId: o.batchId });
        out.set(src, m);
      }
    }
    return out;
  }

  /** Read once per store: every flow's index reads the same records (the cache is for opening; the log only grows after). */
  private committed: { from: number; list: CommittedBatch[] } | null = null;

  /** The offsets of the committed batches from `from` on, with the files each flow's commit skipped. */
  private committedBatches(from: number): CommittedBatch[] {
    if (!this.committed || this.committed.from > from) {
      const commits = new Set(this.commitBatches());
      const list: CommittedBatch[] = [];
      for (const b of this.offsetBatches()) {
        if (b < from || !commits.has(b)) continue;
        list.push({ offsets: this.readOffsets(b)!, skipped: this.skippedFiles(b) });
      }
      this.committed = { from, list };
    }
    return this.committed.list.filter((x) => x.offsets.batchId >= from);
  }

  /**
   * The files a committed batch's flows skipped. Only a commit that names
   * skipped files is validated whole: a restart reads up to
   * `minBatchesToRetain` of them, and the schema check of all of them cost
   * ~40 ms of a fresh process (JSON.parse alone ~3 ms).
   */
  private skippedFiles(batchId: number): Record<string, { source: string; name: string }[]> {
    const f = this.batchFile('commits', batchId);
    const text = readText(f);
    const raw = parsedJson(f, text);
    if (text.includes('"skipped"')) {
      const c = checked(f, raw, S().CommitSchema);
      return Object.fromEntries(Object.entries(c.flows).flatMap(([k, v]) => (v.skipped ? [[k, v.skipped]] : [])));
    }
    if ((raw as { batchId?: unknown } | null)?.batchId !== batchId) corrupt(f, `batchId: expected ${batchId}`);
    return {};
  }

  /** Forgets the records read while opening (the batch log moves on). */
  forgetRecords(): void { this.committed = null; }

  /** Files present at the first start that a source skips (`includeExistingFiles: false`). */
  writeExistingFiles(flow: string, files: Record<string, { name: string; size: number; mtimeMs: number }[]>): void {
    writeFileAtomic(path.join(this.flowDir(flow), 'sources', 'existing.json'), indexFileText(-1, new Map(Object.entries(files).map(([k, v]) => [k, v.map((f) => ({ ...f, batchId: -1 }))]))));
  }

  /**
   * Writes a new index snapshot of a source flow (every file ingested up to
   * `lastCommitted`) when its last one does not cover the batches that
   * `pruneBatches` is about to remove: the index is rewritten once every
   * `keep` batches, not at every call.
   */
  compactIndex(flow: string, index: Map<string, FileIndex>, lastCommitted: number, keep = DEFAULT_MIN_BATCHES_TO_RETAIN): void {
    const cutoff = lastCommitted - Math.max(1, keep) + 1;
    if (cutoff <= 0 || index.size === 0) return;
    const dir = path.join(this.flowDir(flow), 'sources');
    const snaps = fs.existsSync(dir) ? fs.readdirSync(dir).map((n) => /^index-(\d+)\.json$/.exec(n)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1])) : [];
    const upTo = snaps.length ? Math.max(...snaps) : -1;
    if (upTo >= cutoff - 1) return;
    const files = new Map<string, IndexedFile[]>();
    for (const [src, m] of index) files.set(src, [...m.values()].filter((f) => f.batchId <= lastCommitted).sort((a, b) => (a.name < b.name ? -1 : 1)));
    writeFileAtomic(path.join(dir, `index-${lastCommitted}.json`), indexFileText(lastCommitted, files));
    faultPoint('mid-retention', lastCommitted);
    for (const b of snaps) if (b < lastCommitted) fs.rmSync(path.join(dir, `index-${b}.json`), { force: true });
  }

  /**
   * Deletes the offsets and commits of batches before the last `keep`
   * (`minBatchesToRetain`), after every source flow's index covers them
   * (`compactIndex` first). Only batches at or before `lastCommitted` are ever
   * removed, and each step is safe to interrupt: a restart reads the newest
   * index and the records after it.
   */
  pruneBatches(lastCommitted: number, keep = DEFAULT_MIN_BATCHES_TO_RETAIN): void {
    const cutoff = lastCommitted - Math.max(1, keep) + 1;
    if (cutoff <= 0) return;
    faultPoint('mid-retention', lastCommitted);
    for (const sub of ['offsets', 'commits'] as const) {
      for (const b of batchNumbers(path.join(this.root, sub), '.json')) if (b < cutoff) fs.rmSync(this.batchFile(sub, b), { force: true });
    }
  }

  // ------------------------------------------------------------ operator state

  /** The binary state files of a batch (its JSON part goes into the batch's commit record). */
  writeState(flow: string, batchId: number, binary: Record<string, 'snapshot' | 'delta'>, binaries: Record<string, Uint8Array | null>): void {
    const dir = path.join(this.flowDir(flow), 'state');
    for (const [op, bytes] of Object.entries(binaries)) if (bytes !== null) writeFileAtomic(path.join(dir, `${batchId}.${op}.${binary[op]}`), bytes);
  }

  /**
   * The binary state after `batchId` of each operator `state.binary` names:
   * the latest snapshot at or before it plus the change logs after it (each
   * with its file, for errors that name it). `recordFile` is the commit record
   * that holds `state`, named when a file it needs is missing.
   */
  readState(flow: string, batchId: number, state: FlowState, recordFile: string): Record<string, StatePart[]> {
    const dir = path.join(this.flowDir(flow), 'state');
    const binaries: Record<string, StatePart[]> = {};
    const ops = Object.keys(state.binary);
    if (!ops.length) return binaries;
    let names: string[] = [];
    try { names = fs.readdirSync(dir); } catch { /* no state folder: every operator below is missing its snapshot */ }
    const read = (file: string): StatePart => {
      try { return { file, bytes: readFileBytes(file) }; } catch (e) { corrupt(file, (e as Error).message); }
    };
    const present = new Set(names);
    for (const op of ops) {
      const snaps = names.map((n) => new RegExp(`^(\\d+)\\.${escapeRe(op)}\\.snapshot$`).exec(n)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1])).filter((b) => b <= batchId).sort((a, b) => a - b);
      const base = snaps.length ? snaps[snaps.length - 1] : -1;
      const parts: StatePart[] = [];
      if (base >= 0) parts.push(read(path.join(dir, `${base}.${op}.snapshot`)));
      else corrupt(recordFile, `no snapshot of ${flow}'s ${op} at or before batch ${batchId}`);
      const unchanged = new Set(state.unchanged?.[op] ?? []);
      for (let b = base + 1; b <= batchId; b++) {
        const d = `${b}.${op}.delta`;
        if (unchanged.has(b)) continue;
        if (present.has(d)) parts.push(read(path.join(dir, d)));
        else corrupt(path.join(dir, d), 'a change log between the snapshot and the state is missing');
      }
      binaries[op] = parts;
    }
    return binaries;
  }

  /** The commit record's file of a batch (for errors). */
  commitFile(batchId: number): string { return this.batchFile('commits', batchId); }

  /**
   * Deletes state files no longer needed to rebuild the state after `keepFrom`:
   * per operator the files before its last snapshot at or before it, and the
   * change log of that snapshot's batch (a snapshot written between batches
   * replaces it).
   */
  pruneState(flow: string, keepFrom: number): void {
    const dir = path.join(this.flowDir(flow), 'state');
    if (!fs.existsSync(dir)) return;
    const names = fs.readdirSync(dir);
    const floors = new Map<string, number>();
    for (const n of names) {
      const m = /^(\d+)\.(.+)\.(snapshot|delta)$/.exec(n);
      if (!m) continue;
      if (!floors.has(m[2])) floors.set(m[2], -1);
      const b = Number(m[1]);
      if (m[3] === 'snapshot' && b <= keepFrom && b > floors.get(m[2])!) floors.set(m[2], b);
    }
    for (const n of names) {
      const m = /^(\d+)\.(.+)\.(snapshot|delta)$/.exec(n);
      if (!m) continue;
      const b = Number(m[1]), floor = floors.get(m[2])!;
      if (b < floor || (b === floor && m[3] === 'delta')) fs.rmSync(path.join(dir, n), { force: true });
    }
  }

  /** Removes the offsets and commits of batches after `batchId` (an abandoned batch that will be planned anew). */
  dropBatchesAfter(batchId: number): void {
    for (const sub of ['offsets', 'commits'] as const) {
      for (const b of batchNumbers(path.join(this.root, sub), '.json')) if (b > batchId) fs.rmSync(this.batchFile(sub, b), { force: true });
    }
    this.committed = null;
  }

  /**
   * Removes the state files of batches after `batchId`: a batch that did not
   * commit may have left a snapshot, and its re-run may write a change log
   * instead (another budget, a file skipped): the stale snapshot must not be
   * taken as the base later.
   */
  dropStateAfter(flow: string, batchId: number): void {
    const dir = path.join(this.flowDir(flow), 'state');
    if (!fs.existsSync(dir)) return;
    for (const n of fs.readdirSync(dir)) {
      const m = /^(\d+)\./.exec(n);
      if (m && Number(m[1]) > batchId) fs.rmSync(path.join(dir, n), { force: true });
    }
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.+^${}()|[\]\\*?]/g, '\\$&');
}
