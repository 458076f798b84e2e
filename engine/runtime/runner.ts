/**
 * The micro-batch runner: decides which files make up each batch, feeds them
 * to the executor, and keeps the file index (every file is ingested once).
 *
 * Batches: the new files of every streaming file source, in byte order of
 * their names, at most `maxFilesPerTrigger` files per source per batch (default
 * 1000, as Auto Loader). A triggered run (`replay`, `--trigger available-now`)
 * runs batches until no new file is left, then one closing batch without data
 * if the last batch moved a watermark, so the windows that can close do close.
 */
import type { CsvOptions } from '../ir/plan.js';
import { isFileSource, planSources } from '../ir/plan.js';
import type { PipelineGraph } from '../graph/graph.js';
import { PipelineExecutor, type BatchResult, type ExecutorOptions, type SourceChunk } from './executor.js';
import { sourceKey } from './flow.js';
import { FileSourceAccess, fileMetaOf, parseFailure, readCsvFile, readSourceBytes } from './sources.js';
import { acceptsFile, parseSourceFile, type SourceParseResult } from '../sources/parse-file.js';
import type { WorkerPool } from './workers.js';
import * as path from 'node:path';
import { checkNewColumns } from './schema-evolution.js';
import { matchFiles, matchNewFiles, nodeFileSystem, type FileEntry, type SourceFileSystem } from '../sources/files.js';

/** How often processed files are checked for changes (ms). */
const CHANGE_CHECK_MS = 2000;
/** Processed files stat'ed per check: a month of files is checked in turns, not all at once. */
export const CHANGE_CHECK_FILES = 1000;
import type { TableStore } from '../sinks/store.js';
import { FileIndex, type IndexedFile } from '../state/file-index.js';

export interface StreamingFileSource {
  key: string;
  /** The flow that reads the source (its checkpoint holds the file index). */
  dataset: string;
  options: CsvOptions;
}

export interface PlannedBatch {
  batchId: number;
  ingestedAtUs: number;
  files: { source: string; file: FileEntry }[];
  /** Files of the plan that could not be read (vanished or unreadable): not ingested, retried by a later batch. */
  skipped?: { source: string; name: string; reason: string }[];
}

export interface RunnerOptions {
  graph: PipelineGraph;
  store: TableStore;
  /** Input root folder of the file sources. */
  input: string;
  fs?: SourceFileSystem;
  /** Clock for `_ingested_at` (ms since epoch). */
  now?: () => number;
  /** Overrides every source's maxFilesPerTrigger. */
  maxFilesPerTrigger?: number;
  onBatch?: (result: BatchResult, plan: PlannedBatch) => void;
  /** A planned file could not be read; it is skipped in this batch and retried later. */
  onFileSkipped?: (file: string, reason: string, error: unknown) => void;
  /** A processed file's size or mtime changed (`file_changed`). */
  onFileChanged?: (file: string, before: FileEntry, now: FileEntry, reingested: boolean) => void;
  /** Malformed records of a file were dropped (mode DROPMALFORMED). */
  onMalformed?: (file: string, dropped: number) => void;
  /** New columns were found in an `addNewColumns` source. */
  onNewColumns?: (source: string, columns: string[]) => void;
  /** Worker threads that parse the next files while the operators run (none: everything on this thread). */
  pool?: WorkerPool;
  /** Executor options (where AUTO CDC state lives). */
  executor?: ExecutorOptions;
}

/** Files parsed ahead of the one being processed (bounds the memory of the prefetch). */
const PARSE_AHEAD = 2;

export class PipelineRunner {
  readonly executor: PipelineExecutor;
  readonly sources: StreamingFileSource[] = [];
  readonly fileIndex = new Map<string, FileIndex>();
  nextBatchId = 0;
  private fsys: SourceFileSystem;

  constructor(readonly options: RunnerOptions) {
    this.fsys = options.fs ?? nodeFileSystem;
    this.executor = new PipelineExecutor(options.graph, options.store, new FileSourceAccess(this.fsys, options.input), options.executor);
    for (const name of options.graph.flowOrder) {
      const f = options.graph.flows.get(name)!;
      if (!f.streaming || f.once) continue;
      planSources(f.query).forEach((p, i) => {
        if (isFileSource(p)) this.sources.push({ key: sourceKey(name, p, i), dataset: name, options: p.options });
      });
    }
    for (const s of this.sources) this.fileIndex.set(s.key, new FileIndex());
  }

  /** Swaps the file system (the testing API adds in-memory files between batches). */
  setFileSystem(fsys: SourceFileSystem): void {
    this.fsys = fsys;
    (this.executor.sources as FileSourceAccess).fsys = fsys;
  }

  /** When processed files were last stat'ed for changes (performance.now()). */
  private lastChangeCheck = -Infinity;

  /**
   * New files of each streaming source, not yet indexed, in byte order. Only
   * names are listed and new files stat'ed, so planning a batch does not grow
   * with the files processed. Processed files are checked for changes
   * (`file_changed`) at most every CHANGE_CHECK_MS, CHANGE_CHECK_FILES of them
   * at a time in turns; a source with `allowOverwrites` stats every file at
   * every call (a changed file is ingested again).
   */
  pendingFiles(candidates?: Iterable<string>, relist = true): { source: StreamingFileSource; files: FileEntry[] }[] {
    const now = performance.now();
    const check = now - this.lastChangeCheck >= CHANGE_CHECK_MS;
    if (check) this.lastChangeCheck = now;
    const given = candidates ? [...candidates] : null;
    // the caller knows the new names (the watcher): they are stat'ed, the folder is not listed
    // otherwise a folder is listed once for all the sources that read it (a restart after a month of files
    // lists 43,000 names: each listing took 0.2-0.4 s)
    const listed = new Map<string, string[]>();
    // the listing made while the pipeline opened serves the first full listing after it (once)
    if (this.prefetched && !given && relist) listed.set(this.options.input, this.prefetched);
    this.prefetched = null;
    const names = this.fsys.names?.bind(this.fsys);
    const fsys: SourceFileSystem = given ? { ...this.fsys, names: () => given }
      : names ? { ...this.fsys, names: (root) => { let n = listed.get(root); if (!n) { n = names(root); listed.set(root, n); } return n; } }
      : this.fsys;
    return this.sources.map((s) => {
      const seen = this.fileIndex.get(s.key)!;
      const limit = Math.max(1, this.options.maxFilesPerTrigger ?? s.options.maxFilesPerTrigger);
      const cached = given || s.options.allowOverwrites ? null : this.fromBacklog(s, seen, limit, !relist);
      if (cached) {
        if (check) this.checkProcessed(s, seen);
        return { source: s, files: cached };
      }
      if (!relist && !given && !s.options.allowOverwrites) return { source: s, files: [] };
      const quick = s.options.allowOverwrites ? null : matchNewFiles(fsys, this.options.input, s.options.glob, seen);
      if (quick) {
        if (check) this.checkProcessed(s, seen);
        const files = quick.filter((f) => acceptsFile(s.options, f.name));
        // more than a batch is waiting: the rest is kept for the next batches instead of listing and stat'ing it again
        if (!given && files.length > limit) this.backlog.set(s.key, { names: files.slice(limit).map((f) => f.name), next: 0 });
        else this.backlog.delete(s.key);
        return { source: s, files };
      }
      const files = matchFiles(this.fsys, this.options.input, s.options.glob).filter((f) => {
        if (!acceptsFile(s.options, f.name)) return false;
        const old = seen.get(f.name);
        if (!old) return true;
        if (old.size === f.size && old.mtimeMs === f.mtimeMs) return false;
        // a processed file changed: reported once; ingested again only with allowOverwrites
        const key = `${s.key}\u0000${f.name}\u0000${f.size}\u0000${f.mtimeMs}`;
        if (!this.reportedChanges.has(key)) {
          this.reportedChanges.add(key);
          this.options.onFileChanged?.(f.name, old, f, s.options.allowOverwrites);
        }
        return s.options.allowOverwrites;
      });
      return { source: s, files };
    });
  }

  /**
   * Per source: the names a listing found beyond the rate limit, in order, not
   * yet planned (Spark's file source keeps the same cache of unread files when
   * `maxFilesPerTrigger` is set). A backlog of N files then costs one listing,
   * not N listings that each stat every waiting file. A name is stat'ed again
   * when its batch is planned (a vanished file is passed over; one processed
   * meanwhile is skipped). When what is left cannot fill a whole batch, the
   * folder is listed again, so files that arrived meanwhile come after the
   * backlog, as in Spark.
   */
  private readonly backlog = new Map<string, { names: string[]; next: number }>();

  /**
   * The next `limit` files of a source's backlog, or null when it cannot fill
   * a batch (the folder is listed again); `partial`: what is left, even if
   * less than a batch (null only when nothing is).
   */
  private fromBacklog(s: StreamingFileSource, seen: FileIndex, limit: number, partial = false): FileEntry[] | null {
    const b = this.backlog.get(s.key);
    if (!b) return null;
    // the cursor passes only processed names: a planned file that a failed batch did not index is planned again
    while (b.next < b.names.length && seen.has(b.names[b.next])) b.next++;
    const out: FileEntry[] = [];
    for (let i = b.next; i < b.names.length && out.length < limit; i++) {
      const name = b.names[i];
      if (seen.has(name)) continue;
      const f = this.fsys.stat(this.options.input, name);
      if (f) out.push(f);
    }
    if (out.length < limit) {
      this.backlog.delete(s.key);
      return partial && out.length ? out : null;
    }
    return out;
  }

  private readonly reportedChanges = new Set<string>();
  /** Per source: where the change check of processed files goes on. */
  private readonly checkCursor = new Map<string, Iterator<IndexedFile>>();

  /** Stats the next CHANGE_CHECK_FILES processed files of a source; a changed one is reported once (not ingested again). */
  private checkProcessed(s: StreamingFileSource, seen: FileIndex): void {
    for (const old of this.nextToCheck(s, seen)) this.reportChange(s, old, this.fsys.stat(this.options.input, old.name));
  }

  /** The next CHANGE_CHECK_FILES processed files of a source, in turns. */
  private nextToCheck(s: StreamingFileSource, seen: FileIndex): IndexedFile[] {
    const out: IndexedFile[] = [];
    let it = this.checkCursor.get(s.key);
    for (let k = 0, restarted = false; k < Math.min(CHANGE_CHECK_FILES, seen.size); k++) {
      let r = it?.next();
      if (!r || r.done) {
        if (restarted) break;
        restarted = true;
        it = seen.values();
        r = it.next();
        if (r.done) break;
      }
      out.push(r.value);
    }
    if (it) this.checkCursor.set(s.key, it);
    return out;
  }

  private reportChange(s: StreamingFileSource, old: IndexedFile, f: FileEntry | null): void {
    if (!f || (f.size === old.size && f.mtimeMs === old.mtimeMs)) return;
    const key = `${s.key}\u0000${f.name}\u0000${f.size}\u0000${f.mtimeMs}`;
    if (!this.reportedChanges.has(key)) {
      this.reportedChanges.add(key);
      this.options.onFileChanged?.(f.name, old, f, false);
    }
  }

  /** The input folder's names listed while the pipeline opened; taken by the next full listing. */
  private prefetched: string[] | null = null;
  private prefetching: { listing: Promise<string[] | null>; version: string } | null = null;

  /**
   * Lists the input folder on libuv's threads while the pipeline's state
   * loads on this one (a month of files costs this thread ~35 ms less).
   * `takePrefetched` waits for it; the listing is used only if the folder has
   * not changed since it started (its `version`), so a run started later
   * still sees the files present when it starts. A file system without the
   * async calls lists at the first batch.
   */
  prefetchListing(): void {
    const fsys = this.fsys;
    if (this.prefetching || !fsys.namesAsync || !fsys.version || this.sources.length === 0) return;
    const version = fsys.version(this.options.input);
    // a listing that fails is made again, synchronously, by the first batch (which reports the error)
    this.prefetching = { listing: fsys.namesAsync(this.options.input).catch(() => null), version };
  }

  /** Waits for `prefetchListing`: its names serve the next full listing, if the folder has not changed. */
  async takePrefetched(): Promise<void> {
    const p = this.prefetching;
    this.prefetching = null;
    const names = p ? await p.listing : null;
    this.prefetched = names && this.fsys.version?.(this.options.input) === p!.version ? names : null;
  }

  /**
   * Marks the files now present as already ingested, for sources with
   * `includeExistingFiles: false` (evaluated on a pipeline's first start only).
   * Returns them by source key.
   */
  skipExistingFiles(): Record<string, FileEntry[]> {
    const out: Record<string, FileEntry[]> = {};
    for (const s of this.sources) {
      if (s.options.includeExistingFiles) continue;
      const files = matchFiles(this.fsys, this.options.input, s.options.glob).filter((f) => acceptsFile(s.options, f.name));
      for (const f of files) this.fileIndex.get(s.key)!.set(f.name, { ...f, batchId: -1 });
      out[s.key] = files;
    }
    return out;
  }

  /** Forgets the names a listing found beyond the rate limit: the next plan lists the folder. */
  forgetBacklog(): void {
    this.backlog.clear();
  }

  /**
   * The next batch's files (only those `accept` takes, when given), or null
   * when nothing is new. `candidates`: the names of the new files, when the
   * caller knows them (watch mode), so the input folder is not listed.
   * `relist: false`: only the files an earlier listing found (Trigger.AvailableNow
   * after its first batch), never a new listing (except for sources with
   * `allowOverwrites`, which keep no backlog and list at every plan).
   */
  planBatch(accept?: (f: FileEntry) => boolean, candidates?: Iterable<string>, relist = true): PlannedBatch | null {
    const files: PlannedBatch['files'] = [];
    for (const { source, files: all } of this.pendingFiles(candidates, relist)) {
      const pending = accept ? all.filter(accept) : all;
      const limit = this.options.maxFilesPerTrigger ?? source.options.maxFilesPerTrigger;
      for (const f of pending.slice(0, Math.max(1, limit))) files.push({ source: source.key, file: f });
    }
    if (files.length === 0) return null;
    return { batchId: this.nextBatchId, ingestedAtUs: this.nowUs(), files };
  }

  private nowUs(): number {
    return Math.floor((this.options.now ?? Date.now)()) * 1000;
  }

  /**
   * Reads the plan's files in order. A file that vanished since it was listed,
   * or cannot be read, is skipped (logged, not indexed) and picked up again by a
   * later batch; bad content never fails a read (it is rescued). With a worker
   * pool, the next files are parsed on workers while this thread runs the
   * operators on the current one; the order and the results are the same.
   */
  private async *chunks(plan: PlannedBatch): AsyncGenerator<SourceChunk> {
    const pool = this.options.pool;
    type Parsed = SourceParseResult | { error: unknown };
    const parse = (i: number): (() => Promise<Parsed>) => {
      const { source, file } = plan.files[i];
      const src = this.sources.find((s) => s.key === source)!;
      // the file waited for at once is parsed here: on a worker it would only be taken back (or waited for)
      if (!pool?.enabled || i === waitedFor) {
        return async () => { try { return readCsvFile(this.fsys, this.options.input, file, src.options, plan.ingestedAtUs); } catch (e) { return { error: e }; } };
      }
      let bytes: Uint8Array;
      try { bytes = readSourceBytes(this.fsys, this.options.input, file.name); } catch (e) { return async () => ({ error: e }); }
      const meta = fileMetaOf(this.options.input, file, plan.ingestedAtUs);
      const job = pool.parseCsvStealable(bytes, src.options, meta);
      return async () => {
        // not begun on the worker (busy encoding Parquet): parsed here rather than waited for
        if (job.steal()) { try { return parseSourceFile(bytes, src.options, meta); } catch (e) { return { error: e }; } }
        try { return (await job.result)!; } catch (e) { return { error: e }; }
      };
    };
    const ahead: (() => Promise<Parsed>)[] = [];
    let next = 0;
    let waitedFor = 0;
    const fill = () => { while (ahead.length < (pool?.enabled ? PARSE_AHEAD : 1) && next < plan.files.length) ahead.push(parse(next++)); };
    for (let i = 0; i < plan.files.length; i++) {
      waitedFor = ahead.length === 0 ? i : -1;
      fill();
      const parsed = await ahead.shift()!();
      const { source, file } = plan.files[i];
      if ('error' in parsed) {
        const e = parsed.error;
        const reason = (e as { params?: { reason?: string } }).params?.reason ?? 'unreadable';
        (plan.skipped ??= []).push({ source, name: file.name, reason });
        this.options.onFileSkipped?.(file.name, reason, e);
        continue;
      }
      const src = this.sources.find((s) => s.key === source)!;
      const table = this.options.graph.flows.get(src.dataset)?.target ?? src.dataset;
      const failure = parseFailure(parsed, table);
      if (failure) throw failure;
      checkNewColumns(table, source, file.name, src.options, parsed.unknownColumns, (s, cols) => this.options.onNewColumns?.(s, cols));
      if (parsed.dropped) this.options.onMalformed?.(file.name, parsed.dropped);
      yield { source, batch: parsed.batch, ...(parsed.dropped ? { malformedDropped: parsed.dropped } : {}), ...(i === plan.files.length - 1 ? { last: true } : {}) };
    }
  }

  /** Runs one planned batch (or a batch without data when `plan.files` is empty). */
  async runBatch(plan: PlannedBatch): Promise<BatchResult> {
    plan.skipped = [];
    const result = await this.executor.runBatch({ batchId: plan.batchId, ingestedAtUs: plan.ingestedAtUs, chunks: this.chunks(plan) });
    if (result.failure) return result;
    const skipped = new Set(plan.skipped.map((s) => `${s.source}\u0000${s.name}`));
    for (const { source, file } of plan.files) if (!skipped.has(`${source}\u0000${file.name}`)) this.fileIndex.get(source)!.set(file.name, { ...file, batchId: plan.batchId });
    this.nextBatchId = plan.batchId + 1;
    this.options.onBatch?.(result, plan);
    return result;
  }

  /**
   * Processes everything available now, in as many batches as the rate limits
   * require, then a closing batch without data if a watermark moved. Stops at
   * the first batch with a failed flow.
   */
  async runAvailableNow(): Promise<BatchResult[]> {
    const results: BatchResult[] = [];
    let plan: PlannedBatch | null;
    let lastMovedWatermark = false;
    while ((plan = this.planBatch()) !== null) {
      const r = await this.runBatch(plan);
      results.push(r);
      lastMovedWatermark = r.watermarkMoved;
      if (r.failure) return results;
    }
    if ((lastMovedWatermark && this.executor.needsClosingBatch()) || (results.length === 0 && this.executor.hasPendingRefresh)) {
      results.push(await this.runBatch({ batchId: this.nextBatchId, ingestedAtUs: this.nowUs(), files: [] }));
    }
    return results;
  }
}
