/**
 * A pool of worker threads for the work that does not need the pipeline's
 * state: parsing and typing the next input files while the main thread runs
 * operators (and, later, encoding Parquet). Buffers cross with `transferList`
 * (no copy). The code a worker runs is the same module the main thread would
 * run, so the results are byte for byte those of the one-thread path.
 *
 * Tasks are queued per worker in submission order; a pool of size 0 runs
 * nothing (callers keep their one-thread path).
 */
import { Worker } from 'node:worker_threads';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CsvOptions } from '../ir/plan.js';
import type { SourceParseResult } from '../sources/parse-file.js';
import type { FileMeta } from '../sources/file-reader.js';
import type { Batch, Column } from '../batch.js';
import type { Schema } from '../ir/types.js';
import type { RowRange } from '../sinks/store.js';
import { sharedWithWorkers } from './worker-share.js';

export interface ParseTask {
  readonly kind: 'parseCsv';
  readonly bytes: Uint8Array;
  readonly options: CsvOptions;
  readonly meta: FileMeta;
  /** A slot of the pool's claims: the worker parses only if it claims the task before the main thread does. */
  readonly claim: number;
}

/** Claim slots shared with the workers (a few parses and writes are ever out at once). */
const CLAIM_SLOTS = 1024;
/** A claim slot's states. */
export const CLAIM_OPEN = 0, CLAIM_WORKER = 1, CLAIM_MAIN = 2;

/** A task sent to a worker that the main thread may take back (work stealing). */
export interface Stealable<T> {
  /** The worker's result; null when the main thread took the task first. */
  readonly result: Promise<T | null>;
  /** Takes the task back if the worker has not begun it: true when the caller must do it itself. */
  steal(): boolean;
}

/** A parse sent to a worker that the main thread may take back (`WorkerPool.parseCsvStealable`). */
export type StealableParse = Stealable<SourceParseResult>;

export interface WriteParquetTask {
  readonly kind: 'writeParquet';
  readonly batch: Batch;
  /** The file to write (a temporary name in the table's folder). */
  readonly path: string;
  /** A slot of the pool's claims: the worker writes only if it claims the task before the main thread does. */
  readonly claim: number;
}

/** Encodes a batch as Parquet and answers with the bytes (transferred) and their Delta stats: a piece of a file written here (sinks/piece-file.ts). */
export interface EncodeParquetTask {
  readonly kind: 'encodeParquet';
  readonly batch: Batch;
}

export interface ReadParquetTask {
  readonly kind: 'readParquet';
  readonly path: string;
  readonly schema: Schema;
  /** Only these rows. */
  readonly range?: RowRange;
}

export interface CompactFilesTask {
  readonly kind: 'compactFiles';
  /** The table's folder, its name (for messages) and the schema to read and write with. */
  readonly dir: string;
  readonly table: string;
  readonly schema: Schema;
  /** The group's files, in order (names inside `dir`). */
  readonly files: readonly string[];
  /** Their Delta stats (the stats of the files copied page by page). */
  readonly stats?: readonly (string | undefined)[];
}

/** A compacted group's new file: still under its temporary name (`tmp`), to be renamed to `final` by the commit. */
export interface CompactedFile { tmp: string; final: string; rows: number; stats: string; size: number }

export type WorkerTask = ParseTask | WriteParquetTask | EncodeParquetTask | ReadParquetTask | CompactFilesTask;

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

/** The worker script: next to this module once built; from dist/ when this module runs from source (tests). */
function workerScript(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return path.join(path.dirname(here), 'worker-main.js');
  const root = path.resolve(path.dirname(here), '..', '..');
  return path.join(root, 'dist', 'engine', 'runtime', 'worker-main.js');
}

/** The number of worker threads to use by default: one beside the main thread when there is a second core. */
export function defaultThreads(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return cores > 1 ? 2 : 1;
}

/** Every ArrayBuffer a batch's columns own outright (transferable without copying). */
export function batchBuffers(b: Batch): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView | null | undefined) => {
    if (!a || !(a.buffer instanceof ArrayBuffer)) return;
    // an empty buffer may be a shared constant (a string column without characters): transferring it would detach it for every later use
    if (a.byteLength === 0) return;
    if (a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) out.add(a.buffer);
  };
  for (const c of b.columns as Column[]) {
    if (c.type === 'string') { add(c.offsets); add(c.bytes); add(c.nulls); continue; }
    if ('nulls' in c) { if (!Array.isArray(c.data)) add(c.data as ArrayBufferView); add(c.nulls); }
  }
  return [...out];
}

/**
 * The worker's young generation, in MB (V8's default grows to 3 x 16 MB). A
 * worker's objects die young (a file's parse, an encoding's Arrow objects).
 * Measured on the 1M and 5M folders (peak RSS, wall time): 4 MB 350-366 MB,
 * 9.2-9.3 s, 5M 361-369 MB, 40-42 s; 8 MB 358-370 MB, 9.0-9.2 s, 5M 392 MB,
 * 38.5 s; 16 MB 372-390 MB, 8.5-8.8 s, 5M 424 MB, 37.3 s; V8's default
 * ~400 MB, 8.8-8.9 s. The worker encodes and decodes in a replay's closing
 * step while the main thread waits for it, so its collections are on the
 * critical path there.
 */
const WORKER_YOUNG_GENERATION_MB = 4;

/** Garbage-collection time (ms) the pools' worker threads reported so far in this process (the bench prints it). */
export const workerGc = { ms: 0 };

export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly pending: Map<number, Pending>[] = [];
  private nextId = 1;
  private turn = 0;
  private closed = false;
  /** Tasks sent and not answered yet, and who waits for fewer. */
  private inFlight = 0;
  private waiters: { max: number; resolve: () => void }[] = [];
  /** Who took each stealable parse (CLAIM_*), shared with the workers. */
  private readonly claims = new Int32Array(new SharedArrayBuffer(4 * CLAIM_SLOTS));
  private nextClaim = 0;

  /** `threads`: the total thread count wanted (the main thread counts as one). */
  constructor(threads: number) {
    const n = Math.max(0, Math.floor(threads) - 1);
    for (let k = 0; k < n; k++) {
      const w = new Worker(workerScript(), { workerData: { ...sharedWithWorkers(), claims: this.claims.buffer }, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
      const pending = new Map<number, Pending>();
      w.on('message', (m: { id: number; ok: boolean; gcMs?: number; value?: unknown; error?: { message: string; stack?: string; code?: string; params?: unknown } }) => {
        if (m.gcMs) workerGc.ms += m.gcMs;
        const p = pending.get(m.id);
        if (!p) return;
        pending.delete(m.id);
        this.settled();
        if (pending.size === 0) w.unref(); // idle: does not keep the process alive
        if (m.ok) p.resolve(m.value);
        else p.reject(Object.assign(new Error(m.error?.message ?? 'worker task failed'), { stack: m.error?.stack, code: m.error?.code, ...(m.error?.params ? { params: m.error.params } : {}) }));
      });
      w.on('error', (e) => { for (const p of pending.values()) { p.reject(e); this.settled(); } pending.clear(); });
      w.unref();
      this.workers.push(w);
      this.pending.push(pending);
    }
  }

  /** Whether tasks run on worker threads (false: the caller uses its one-thread path). */
  get enabled(): boolean { return this.workers.length > 0 && !this.closed; }

  private settled(): void {
    this.inFlight--;
    if (!this.waiters.length) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) if (this.inFlight <= w.max) w.resolve(); else still.push(w);
    this.waiters = still;
  }

  /**
   * Resolves once at most `max` tasks are out: a producer that waits here
   * before sending more keeps the batches queued for the workers (copies of
   * rows already written here) from piling up when it outpaces them.
   */
  async atMost(max: number): Promise<void> {
    if (this.inFlight <= max || !this.enabled) return;
    await new Promise<void>((resolve) => this.waiters.push({ max, resolve }));
  }

  private run<T>(task: WorkerTask, transfer: ArrayBuffer[]): Promise<T> {
    const k = this.turn++ % this.workers.length;
    const id = this.nextId++;
    this.inFlight++;
    return new Promise<T>((resolve, reject) => {
      this.pending[k].set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.workers[k].ref(); // a task is out: keep the process alive until it answers
      this.workers[k].postMessage({ id, task }, transfer);
    });
  }

  /**
   * Parses a CSV file on a worker unless the main thread takes it back first
   * (work stealing). The worker also encodes Parquet, and its queue can hold
   * several files' encodings when the main thread needs the next parsed file:
   * then the main thread, which would only wait, parses it itself. Both run
   * the same code on the same bytes, so the result does not depend on which
   * thread parsed it. `bytes` is copied to the worker (the caller keeps it).
   */
  parseCsvStealable(bytes: Uint8Array, options: CsvOptions, meta: ParseTask['meta']): StealableParse {
    const copy = new Uint8Array(bytes); // a copy (Buffer.slice would share the memory the transfer detaches)
    return this.stealable<SourceParseResult>((claim) => ({ kind: 'parseCsv', bytes: copy, options, meta, claim }), [copy.buffer as ArrayBuffer]);
  }

  /**
   * Encodes a batch as Parquet and writes it to `file` on a worker unless the
   * main thread takes it back first (DeltaStore: a commit that would wait for
   * the worker writes the files it has not begun); resolves with the file's
   * size and Delta statistics. The batch is copied (its columns may still be
   * read here) unless `transfer`: then its buffers move to the worker and the
   * batch is unusable here (a flush's own concatenation: a copy would allocate
   * and free a buffer of the batch's size on each side).
   */
  writeParquetStealable(batch: Batch, file: string, transfer = false): Stealable<{ size: number; stats: string }> {
    return this.stealable((claim) => ({ kind: 'writeParquet', batch, path: file, claim }), transfer ? batchBuffers(batch) : []);
  }

  /**
   * Encodes a batch as Parquet on a worker: its bytes (transferred back) and
   * Delta stats. `transfer` as in `writeParquetStealable`.
   */
  encodeParquet(batch: Batch, transfer = false): Promise<{ bytes: Uint8Array; stats: string }> {
    return this.run({ kind: 'encodeParquet', batch }, transfer ? batchBuffers(batch) : []);
  }

  private stealable<T>(task: (claim: number) => WorkerTask, transfer: ArrayBuffer[]): Stealable<T> {
    const claim = this.nextClaim++ % CLAIM_SLOTS;
    Atomics.store(this.claims, claim, CLAIM_OPEN);
    const result = this.run<T | null>(task(claim), transfer);
    result.catch(() => undefined); // awaited by the caller unless it stole the task
    return { result, steal: () => Atomics.compareExchange(this.claims, claim, CLAIM_OPEN, CLAIM_MAIN) === CLAIM_OPEN };
  }

  /**
   * Reads a Parquet file on a worker (its parquet-wasm memory, not this
   * thread's); the decoded columns' buffers are transferred back.
   */
  readParquet(file: string, schema: Schema, range?: RowRange): Promise<Batch> {
    return this.run<Batch>({ kind: 'readParquet', path: file, schema, range }, []);
  }

  /** Rewrites a compaction group's files as one new file on a worker (maintenance/optimize.ts `writeGroup`). */
  compactFiles(dir: string, table: string, schema: Schema, files: readonly string[], stats?: readonly (string | undefined)[]): Promise<CompactedFile> {
    return this.run<CompactedFile>({ kind: 'compactFiles', dir, table, schema, files, stats }, []);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
