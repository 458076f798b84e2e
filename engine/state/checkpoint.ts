/**
 * Checkpoints: what makes a restart resume exactly where the last run stopped.
 *
 * Layout under `<output>/_checkpoints/`:
 *
 * ```
 * metadata.json                       input root, generation, per-flow fingerprints
 * <flow>/offsets/<N>.json             written BEFORE batch N runs: the exact files (name, size, mtime)
 *                                     of the flow's sources, the batch timestamp, the watermarks
 * <flow>/commits/<N>.json             written AFTER the flow's table committed batch N
 * <flow>/state/<N>.json               watermarks and MV fingerprints after batch N, naming the binary state files
 * <flow>/state/<N>.<op>.snapshot|delta  operator state (dedup keys, aggregates): a full snapshot, else the change since the last file
 * <flow>/state/runs/<op>/<id>.run      key runs spilled from memory (state/runs.ts), named by the snapshots
 * <flow>/sources/index-<N>.json       the compacted file index (every file ingested up to batch N)
 * ```
 *
 * Metadata is human-readable JSON; large state is binary. Every file is written
 * to a temporary name and renamed, so a crash never leaves half a file. A file
 * that does not parse is refused with `CHECKPOINT_CORRUPT` naming it: a
 * checkpoint is never silently reset.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { RuntimeFailure } from '../errors.js';
import { faultPoint } from '../runtime/faults.js';

/**
 * 4: dedup and count-distinct keys hash the UTF-8 bytes of the values (KeyHasher) instead of their text;
 * 3: key tables may spill to sorted runs (state/runs.ts) named by their snapshots;
 * 2: operator state as binary snapshots and change logs; 1 kept aggregates as JSON.
 */
export const CHECKPOINT_FORMAT = 4;
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
  /** Set while a full refresh is under way (the tables asked for, `*` for all): a crash in the middle is finished on the next start. */
  refreshing: z.array(z.string()).optional(),
});
export type CheckpointMetadata = z.infer<typeof MetadataSchema>;

const OffsetsSchema = z.object({
  batchId: z.number().int().nonnegative(),
  generation: z.number().int().nonnegative(),
  ingestedAtUs: z.number(),
  files: z.record(z.string(), z.array(FileEntrySchema)),
  watermarks: z.record(z.string(), z.record(z.string(), z.number())).optional(),
  closing: z.boolean().optional(),
});
export type BatchOffsets = z.infer<typeof OffsetsSchema>;

const CommitSchema = z.object({
  batchId: z.number().int().nonnegative(), committedAt: z.string(), rows: z.number().optional(), status: z.string().optional(),
  /** Files of the batch's offsets that could not be read: not ingested. */
  skipped: z.array(z.object({ source: z.string(), name: z.string() })).optional(),
});
export type BatchCommit = z.infer<typeof CommitSchema>;

const IndexSchema = z.object({ upTo: z.number().int(), files: z.record(z.string(), z.array(FileEntrySchema.extend({ batchId: z.number() }))) });
export type FileIndexSnapshot = z.infer<typeof IndexSchema>;
type IndexedEntry = { name: string; size: number; mtimeMs: number; batchId: number };

/**
 * The file index snapshot, column by column (a month of files parses in a few
 * milliseconds; one object per file did not): `{"upTo": N, "columns": {<source>:
 * {"name": [...], "size": [...], "mtimeMs": [...], "batchId": [...]}}}`. The
 * older form (`files`: one object per file) is still read.
 */
function readIndexFile(file: string): { upTo: number; files: Map<string, IndexedEntry[]> } {
  let raw: any;
  try { raw = JSON.parse(fs.readFileSync(file, 'utf8')); } catch (e) { corrupt(file, (e as Error).message.startsWith('ENOENT') ? (e as Error).message : 'not valid JSON'); }
  const out = new Map<string, IndexedEntry[]>();
  if (raw && typeof raw === 'object' && raw.columns && typeof raw.columns === 'object' && Number.isInteger(raw.upTo)) {
    for (const [src, c] of Object.entries(raw.columns as Record<string, any>)) {
      const n = Array.isArray(c?.name) ? c.name.length : -1;
      const ok = n >= 0 && ['size', 'mtimeMs', 'batchId'].every((k) => Array.isArray(c[k]) && c[k].length === n && c[k].every((x: unknown) => typeof x === 'number'))
        && c.name.every((x: unknown) => typeof x === 'string');
      if (!ok) corrupt(file, `columns.${src}: the name, size, mtimeMs and batchId arrays do not match`);
      const list: IndexedEntry[] = new Array(n);
      for (let i = 0; i < n; i++) list[i] = { name: c.name[i], size: c.size[i], mtimeMs: c.mtimeMs[i], batchId: c.batchId[i] };
      out.set(src, list);
    }
    return { upTo: raw.upTo, files: out };
  }
  const r = IndexSchema.safeParse(raw);
  if (!r.success) corrupt(file, r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  for (const [src, files] of Object.entries(r.data.files)) out.set(src, files);
  return { upTo: r.data.upTo, files: out };
}

function indexFileText(upTo: number, files: Map<string, IndexedEntry[]>): string {
  const columns: Record<string, { name: string[]; size: number[]; mtimeMs: number[]; batchId: number[] }> = {};
  for (const [src, list] of files) columns[src] = { name: list.map((f) => f.name), size: list.map((f) => f.size), mtimeMs: list.map((f) => f.mtimeMs), batchId: list.map((f) => f.batchId) };
  return JSON.stringify({ upTo, columns }) + '\n';
}

const StateSchema = z.object({ batchId: z.number(), operators: z.record(z.string(), z.unknown()), watermarks: z.record(z.string(), z.number()), binary: z.record(z.string(), z.enum(['snapshot', 'delta'])) });
export type FlowStateFile = z.infer<typeof StateSchema>;

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
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) { corrupt(file, (e as Error).message); }
  let raw: unknown;
  try { raw = JSON.parse(text); } catch { corrupt(file, 'not valid JSON'); }
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
      if (!forRefresh) {
        throw new RuntimeFailure('CHECKPOINT_INCOMPATIBLE', `the checkpoint in ${this.root} is in format ${format}; this version reads format ${CHECKPOINT_FORMAT}`, { file: this.metadataFile, format, expected: CHECKPOINT_FORMAT }, {
          hint: 'run once with --full-refresh-all to rebuild every table and checkpoint in the new format',
        });
      }
      (raw as { format: number }).format = CHECKPOINT_FORMAT;
      const r = MetadataSchema.safeParse(raw);
      if (r.success) return r.data;
    }
    return readJson(this.metadataFile, MetadataSchema);
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

  // ------------------------------------------------------------ offsets and commits

  writeOffsets(flow: string, o: BatchOffsets): void {
    writeFileAtomic(path.join(this.flowDir(flow), 'offsets', `${o.batchId}.json`), JSON.stringify(o, null, 2) + '\n');
  }

  readOffsets(flow: string, batchId: number): BatchOffsets | null {
    const f = path.join(this.flowDir(flow), 'offsets', `${batchId}.json`);
    return fs.existsSync(f) ? readJson(f, OffsetsSchema) : null;
  }

  offsetBatches(flow: string): number[] { return batchNumbers(path.join(this.flowDir(flow), 'offsets'), '.json'); }
  commitBatches(flow: string): number[] { return batchNumbers(path.join(this.flowDir(flow), 'commits'), '.json'); }

  writeCommit(flow: string, c: BatchCommit): void {
    writeFileAtomic(path.join(this.flowDir(flow), 'commits', `${c.batchId}.json`), JSON.stringify(c) + '\n');
  }

  hasCommit(flow: string, batchId: number): boolean {
    const f = path.join(this.flowDir(flow), 'commits', `${batchId}.json`);
    if (!fs.existsSync(f)) return false;
    readJson(f, CommitSchema);
    return true;
  }

  // ------------------------------------------------------------ file index

  /** The compacted file index of a flow, plus the offsets after it. */
  readFileIndex(flow: string): Map<string, Map<string, { name: string; size: number; mtimeMs: number; batchId: number }>> {
    const out = new Map<string, Map<string, { name: string; size: number; mtimeMs: number; batchId: number }>>();
    const dir = path.join(this.flowDir(flow), 'sources');
    const snaps = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => /^index-\d+\.json$/.test(n)).map((n) => Number(n.slice(6, -5))).sort((a, b) => a - b) : [];
    let upTo = -1;
    if (snaps.length) {
      const last = snaps[snaps.length - 1];
      const idx = readIndexFile(path.join(dir, `index-${last}.json`));
      upTo = idx.upTo;
      for (const [src, files] of idx.files) out.set(src, new Map(files.map((f) => [f.name, f])));
    }
    const existing = path.join(dir, 'existing.json');
    if (fs.existsSync(existing)) {
      const idx = readIndexFile(existing);
      for (const [src, files] of idx.files) {
        const m = out.get(src) ?? new Map();
        for (const f of files) if (!m.has(f.name)) m.set(f.name, f);
        out.set(src, m);
      }
    }
    const commits = new Set(this.commitBatches(flow));
    for (const b of this.offsetBatches(flow)) {
      if (b <= upTo || !commits.has(b)) continue;
      const o = this.readOffsets(flow, b)!;
      const c = readJson(path.join(this.flowDir(flow), 'commits', `${b}.json`), CommitSchema);
      const skipped = new Set((c.skipped ?? []).map((x) => `${x.source}\u0000${x.name}`));
      for (const [src, files] of Object.entries(o.files)) {
        const m = out.get(src) ?? new Map();
        for (const f of files) if (!skipped.has(`${src}\u0000${f.name}`)) m.set(f.name, { ...f, batchId: b });
        out.set(src, m);
      }
    }
    return out;
  }

  /** Files present at the first start that a source skips (`includeExistingFiles: false`). */
  writeExistingFiles(flow: string, files: Record<string, { name: string; size: number; mtimeMs: number }[]>): void {
    writeFileAtomic(path.join(this.flowDir(flow), 'sources', 'existing.json'), indexFileText(-1, new Map(Object.entries(files).map(([k, v]) => [k, v.map((f) => ({ ...f, batchId: -1 }))]))));
  }

  /**
   * Deletes the offsets and commits of batches before the last `keep`
   * (`minBatchesToRetain`). The files those offsets name must stay known: when
   * the file index does not cover them yet, a new index snapshot (every file
   * ingested up to `lastCommitted`) is written first, so the index is rewritten
   * once every `keep` batches, not at every call. Only batches at or before
   * `lastCommitted` (committed by every flow) are ever removed, and each step is
   * safe to interrupt: a restart reads the newest index and the offsets after it.
   */
  compact(flow: string, index: Map<string, Map<string, { name: string; size: number; mtimeMs: number; batchId: number }>>, lastCommitted: number, keep = DEFAULT_MIN_BATCHES_TO_RETAIN): void {
    const cutoff = lastCommitted - Math.max(1, keep) + 1;
    if (cutoff <= 0) return;
    const dir = path.join(this.flowDir(flow), 'sources');
    if (index.size > 0) {
      const snaps = fs.existsSync(dir) ? fs.readdirSync(dir).map((n) => /^index-(\d+)\.json$/.exec(n)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1])) : [];
      const upTo = snaps.length ? Math.max(...snaps) : -1;
      if (upTo < cutoff - 1) {
        const files = new Map<string, IndexedEntry[]>();
        for (const [src, m] of index) files.set(src, [...m.values()].filter((f) => f.batchId <= lastCommitted).sort((a, b) => (a.name < b.name ? -1 : 1)));
        writeFileAtomic(path.join(dir, `index-${lastCommitted}.json`), indexFileText(lastCommitted, files));
        faultPoint('mid-retention', lastCommitted);
        for (const b of snaps) if (b < lastCommitted) fs.rmSync(path.join(dir, `index-${b}.json`), { force: true });
      }
    }
    faultPoint('mid-retention', lastCommitted);
    for (const sub of ['offsets', 'commits']) {
      for (const b of batchNumbers(path.join(this.flowDir(flow), sub), '.json')) if (b < cutoff) fs.rmSync(path.join(this.flowDir(flow), sub, `${b}.json`), { force: true });
    }
  }

  // ------------------------------------------------------------ operator state

  writeState(flow: string, s: FlowStateFile, binaries: Record<string, Uint8Array>): void {
    const dir = path.join(this.flowDir(flow), 'state');
    for (const [op, bytes] of Object.entries(binaries)) writeFileAtomic(path.join(dir, `${s.batchId}.${op}.${s.binary[op]}`), bytes);
    writeFileAtomic(path.join(dir, `${s.batchId}.json`), JSON.stringify(s) + '\n');
  }

  /**
   * The state after `batchId`: the JSON state of that batch, and for each binary
   * operator the latest snapshot at or before it plus the change logs after it
   * (each with its file, for errors that name it).
   */
  readState(flow: string, batchId: number): { state: FlowStateFile; binaries: Record<string, StatePart[]> } | null {
    const dir = path.join(this.flowDir(flow), 'state');
    const f = path.join(dir, `${batchId}.json`);
    if (!fs.existsSync(f)) return null;
    const state = readJson(f, StateSchema);
    const binaries: Record<string, StatePart[]> = {};
    const names = fs.readdirSync(dir);
    const read = (file: string): StatePart => {
      try { return { file, bytes: new Uint8Array(fs.readFileSync(file)) }; } catch (e) { corrupt(file, (e as Error).message); }
    };
    for (const op of Object.keys(state.binary)) {
      const snaps = names.map((n) => new RegExp(`^(\\d+)\\.${escapeRe(op)}\\.snapshot$`).exec(n)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1])).filter((b) => b <= batchId).sort((a, b) => a - b);
      const base = snaps.length ? snaps[snaps.length - 1] : -1;
      const parts: StatePart[] = [];
      if (base >= 0) parts.push(read(path.join(dir, `${base}.${op}.snapshot`)));
      else corrupt(path.join(dir, `${batchId}.json`), `no snapshot of ${op} at or before batch ${batchId}`);
      for (let b = base + 1; b <= batchId; b++) {
        const d = path.join(dir, `${b}.${op}.delta`);
        if (fs.existsSync(d)) parts.push(read(d));
        else if (fs.existsSync(path.join(dir, `${b}.json`))) corrupt(d, 'a change log between the snapshot and the state is missing');
      }
      binaries[op] = parts;
    }
    return { state, binaries };
  }

  /**
   * Deletes state files no longer needed to rebuild the state after `keepFrom`:
   * JSON states before it, and per operator the files before its last snapshot
   * at or before it.
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
      const j = /^(\d+)\.json$/.exec(n);
      if (j) { if (Number(j[1]) < keepFrom) fs.rmSync(path.join(dir, n), { force: true }); continue; }
      const m = /^(\d+)\.(.+)\.(snapshot|delta)$/.exec(n);
      if (m && Number(m[1]) < floors.get(m[2])!) fs.rmSync(path.join(dir, n), { force: true });
    }
  }

  /** Removes offsets, commits and state of batches after `batchId` (an abandoned batch that will be planned anew). */
  dropAfter(flow: string, batchId: number): void {
    for (const sub of ['offsets', 'commits']) {
      for (const b of batchNumbers(path.join(this.flowDir(flow), sub), '.json')) if (b > batchId) fs.rmSync(path.join(this.flowDir(flow), sub, `${b}.json`), { force: true });
    }
    this.dropStateAfter(flow, batchId);
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
