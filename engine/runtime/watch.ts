/**
 * Watch mode: discovers new input files and runs micro-batches until stopped.
 *
 * - Discovery: chokidar events (inotify) plus a periodic listing that backs
 *   them up, so a missed event loses nothing.
 * - Half-written files are never read: a file is taken when a stat finds its
 *   mtime older than `stabilityMs` (T), at once when it is found, else at a
 *   later stat that agrees with the previous one on size and mtime; or once two
 *   stats T apart agree (an mtime in the future). Hidden and temporary names are
 *   ignored.
 * - Triggers: `continuous` (a batch as soon as files are ready), an interval
 *   (`2m`: at most one batch per interval), `once` (one batch, then stop),
 *   `available-now` (everything available, then stop).
 * - A processed file whose size or mtime later changes is reported once as
 *   `file_changed` and not ingested again.
 * - Between micro-batches, the tables' upkeep runs (compaction, the event
 *   log's expiry: `PipelineService.maintain`), bounded in time.
 * - `stop()` (Ctrl-C / SIGTERM) lets the running batch finish, then resolves.
 */
import * as path from 'node:path';
import { watch as chokidarWatch, type FSWatcher } from 'chokidar';
import type { MaintenanceReport, PipelineService } from './service.js';
import type { BatchResult } from './executor.js';
import type { PlannedBatch } from './runner.js';
import { isIgnoredName, nodeFileSystem, type FileEntry } from '../sources/files.js';

export type Trigger = { kind: 'continuous' } | { kind: 'interval'; ms: number } | { kind: 'once' } | { kind: 'available-now' };

export interface WatchOptions {
  trigger: Trigger;
  /** Write-stability wait T in ms (default 200). */
  stabilityMs?: number;
  /** Periodic listing interval in ms (default 1000). */
  pollMs?: number;
  onBatch?: (r: BatchResult, plan: PlannedBatch) => void;
  /** Called when a batch fails (the loop stops). */
  onFailure?: (r: BatchResult) => void;
  /** Called after each maintenance slot between micro-batches. */
  onMaintenance?: (m: MaintenanceReport) => void;
}

interface Candidate {
  size: number;
  mtimeMs: number;
  seenAt: number;
  ready: boolean;
}

export class Watcher {
  private readonly candidates = new Map<string, Candidate>();
  private readonly reported = new Set<string>();
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;
  private lastBatchAt = 0;
  private failed: BatchResult | null = null;
  readonly stabilityMs: number;

  constructor(readonly service: PipelineService, readonly options: WatchOptions) {
    this.stabilityMs = options.stabilityMs ?? 200;
  }

  private get input(): string { return this.service.runner.options.input; }

  /** Processed files stat'ed per scan for changes, in turns (a folder of a month of files is not stat'ed at every poll). */
  private static readonly CHANGE_CHECK_FILES = 500;
  private changeCheck: string[] = [];
  private changeCheckAt = 0;

  /**
   * Looks at the folder: new candidates, stability checks, changed processed
   * files. Only names are listed; new names are stat'ed, and processed ones a
   * slice at a time.
   */
  private scan(): void {
    const now = Date.now();
    const names = nodeFileSystem.names!(this.input);
    const present = new Set<string>();
    const processed: string[] = [];
    for (const name of names) {
      if (isIgnoredName(name)) continue;
      present.add(name);
      if (this.indexed(name)) { processed.push(name); continue; }
      const f = nodeFileSystem.stat(this.input, name);
      if (!f) continue;
      const c = this.candidates.get(f.name);
      if (!c) {
        this.candidates.set(f.name, { size: f.size, mtimeMs: f.mtimeMs, seenAt: now, ready: now - f.mtimeMs >= this.stabilityMs });
      } else if (!c.ready) {
        // unchanged, and not written to for T (by its mtime) or seen unchanged for T
        if (c.size === f.size && c.mtimeMs === f.mtimeMs && (now - f.mtimeMs >= this.stabilityMs || now - c.seenAt >= this.stabilityMs)) c.ready = true;
        else if (c.size !== f.size || c.mtimeMs !== f.mtimeMs) { c.size = f.size; c.mtimeMs = f.mtimeMs; c.seenAt = now; }
      }
    }
    for (const name of [...this.candidates.keys()]) if (!present.has(name)) this.candidates.delete(name);
    // changed processed files, a slice per scan
    if (this.changeCheckAt >= this.changeCheck.length) { this.changeCheck = processed; this.changeCheckAt = 0; }
    const end = Math.min(this.changeCheck.length, this.changeCheckAt + Watcher.CHANGE_CHECK_FILES);
    for (; this.changeCheckAt < end; this.changeCheckAt++) {
      const name = this.changeCheck[this.changeCheckAt];
      const indexed = this.indexed(name);
      const f = indexed ? nodeFileSystem.stat(this.input, name) : null;
      if (!indexed || !f) continue;
      if ((indexed.size !== f.size || indexed.mtimeMs !== f.mtimeMs) && !this.reported.has(name)) {
        this.reported.add(name);
        this.service.logger.warn({ event: 'file_changed', file: name, size: f.size, indexed_size: indexed.size }, 'a processed file changed; it is not ingested again');
      }
    }
  }

  private indexed(name: string): FileEntry | undefined {
    for (const m of this.service.runner.fileIndex.values()) { const f = m.get(name); if (f) return f; }
    return undefined;
  }

  private hasReady(): boolean {
    for (const c of this.candidates.values()) if (c.ready) return true;
    return false;
  }

  /** The time until the next not-yet-stable candidate can be re-checked. */
  private nextCheckMs(): number {
    let min = Infinity;
    const now = Date.now();
    for (const c of this.candidates.values()) if (!c.ready) min = Math.min(min, Math.max(0, Math.min(c.mtimeMs, c.seenAt) + this.stabilityMs - now));
    return min;
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Runs until `stop()`, a failure, or (for `once` / `available-now`) the work is done. */
  async run(): Promise<{ batches: number; failure: BatchResult | null }> {
    const { trigger } = this.options;
    let batches = 0;
    if (trigger.kind === 'available-now') {
      const rs = await this.service.runAvailableNow(this.options.onBatch);
      const failure = rs.find((r) => r.failure) ?? null;
      if (failure) this.options.onFailure?.(failure);
      return { batches: rs.length, failure };
    }
    // an interrupted batch first
    const resumed = await this.service.runAvailableNowPendingOnly(this.options.onBatch);
    if (resumed?.failure) { this.options.onFailure?.(resumed); return { batches: 1, failure: resumed }; }
    if (resumed) batches++;

    this.watcher = chokidarWatch(this.input, {
      depth: 0, ignoreInitial: true, persistent: true,
      ignored: (p: string) => p !== this.input && isIgnoredName(path.basename(p)),
    });
    this.watcher.on('add', () => this.poke());
    this.watcher.on('change', () => this.poke());
    this.watcher.on('error', (e) => this.service.logger.warn({ error: String(e) }, 'file watcher error; the periodic listing continues'));
    const pollMs = this.options.pollMs ?? 1000;
    this.timer = setInterval(() => this.poke(), pollMs);

    try {
      while (!this.stopping && !this.failed) {
        this.scan();
        const readyNow = this.hasReady();
        const intervalOk = trigger.kind !== 'interval' || Date.now() - this.lastBatchAt >= trigger.ms;
        if (readyNow && intervalOk) {
          const r = await this.runReady();
          if (r) {
            batches++;
            if (r.failure) { this.failed = r; this.options.onFailure?.(r); break; }
            if (trigger.kind === 'once') break;
            // table upkeep between micro-batches (bounded in time), unless stopping
            if (!this.stopping) await this.maintainBetweenBatches();
            continue;
          }
        }
        const waitMs = Math.min(pollMs, this.nextCheckMs(), trigger.kind === 'interval' && readyNow ? Math.max(0, this.lastBatchAt + trigger.ms - Date.now()) : Infinity);
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, Math.max(5, waitMs));
        });
      }
    } finally {
      await this.close();
    }
    return { batches, failure: this.failed };
  }

  private async runReady(): Promise<BatchResult | null> {
    const ready = new Set([...this.candidates].filter(([, c]) => c.ready).map(([n]) => n));
    const plan = this.service.runner.planBatch((f) => ready.has(f.name), ready);
    if (!plan) {
      // ready files that no source matches: forget them
      for (const n of ready) this.candidates.delete(n);
      return null;
    }
    this.lastBatchAt = Date.now();
    let result: BatchResult | null = null;
    this.running = (async () => {
      const rs = await this.service.runPlanned(plan, this.options.onBatch);
      result = rs[rs.length - 1];
    })();
    await this.running;
    this.running = null;
    for (const { file } of plan.files) this.candidates.delete(file.name);
    return result;
  }

  private async maintainBetweenBatches(): Promise<void> {
    this.running = (async () => {
      const m = await this.service.maintain();
      this.options.onMaintenance?.(m);
    })();
    await this.running;
    this.running = null;
  }

  /** Finishes the running batch, then stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.poke();
    if (this.running) await this.running;
  }

  private async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.watcher) await this.watcher.close();
    this.watcher = null;
  }
}

/** Parses `--trigger`: a duration, `once`, `available-now` or `continuous`. */
export function parseTrigger(text: string | undefined, parseMs: (s: string) => number): Trigger {
  if (text === undefined || text === 'continuous' || text === 'default') return { kind: 'continuous' };
  if (text === 'once') return { kind: 'once' };
  if (text === 'available-now' || text === 'availableNow') return { kind: 'available-now' };
  const ms = parseMs(text);
  return ms === 0 ? { kind: 'continuous' } : { kind: 'interval', ms };
}
