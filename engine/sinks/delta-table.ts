/**
 * One Delta table as its single writer holds it: the current snapshot (read
 * once from the last checkpoint and the commits after it, then kept up to date
 * by this writer's own commits), commits, and the log's upkeep after each
 * commit:
 *
 * - every `delta.checkpointInterval` commits (10) a checkpoint and
 *   `_last_checkpoint` (delta-log.ts); a checkpoint found damaged when the
 *   table was opened is rewritten at the next commit;
 * - metadata cleanup after a checkpoint, at most once a day of the clock (the
 *   cut-off moves at midnight UTC): commits and checkpoints older than
 *   `delta.logRetentionDuration` (30 days) are deleted;
 * - tombstones (removed files) are kept in memory and in checkpoints only
 *   while `delta.deletedFileRetentionDuration` runs; transaction ids not
 *   updated for `delta.logRetentionDuration` are left out of checkpoints (only
 *   the latest batch of a writer can ever be re-run, and it is recent).
 *
 * Upkeep never fails a commit that was written: an error is reported through
 * `warn` and retried at the next checkpoint.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { systemClock, type Clock } from '../runtime/clock.js';
import {
  applyCommit, cleanupCutoff, cleanupLog, lastCleanupCutoff, nextCleanupAt, readDeltaLog, readDeltaLogAsync, tableConfig, writeCheckpoint, writeLogEntry,
  type DeltaAction, type DeltaSnapshot, type TableConfig,
} from './delta-log.js';
import { faultPoint } from '../runtime/faults.js';

export interface DeltaTableOptions {
  now?: Clock;
  /** Reports an upkeep problem (a checkpoint or cleanup that failed); the table goes on. */
  warn?: (obj: object, msg: string) => void;
}

/**
 * What a commit made through this object did to the table's rows, for readers
 * that keep the rows in memory (`DeltaStore.snapshotParts`): `append` adds
 * new rows in `added`; `rewrite` (`dataChange: false`, a compaction) replaces
 * the files `removed` by `added` holding the same rows.
 */
export interface RowChange {
  version: number;
  kind: 'append' | 'rewrite';
  added: string[];
  removed: string[];
}

/** Row changes a table remembers (a reader further behind reads the table again). */
const ROW_CHANGES_KEPT = 64;

/** Epochs are unique in the process (two objects for one table never share one). */
let epochs = 0;

export class DeltaTable {
  private snap: DeltaSnapshot | null = null;
  private cleanupAt = -Infinity;
  /**
   * Bumped whenever the rows changed in a way `rowChanges` does not describe
   * (the snapshot read again, rows deleted or replaced, a schema change): a
   * reader's kept rows of an older epoch are stale.
   */
  epoch = ++epochs;
  private changes: RowChange[] = [];
  /** Checkpoints written by this object (for tests and the soak bench). */
  checkpointsWritten = 0;

  constructor(readonly dir: string, private readonly options: DeltaTableOptions = {}) {}

  get now(): Clock { return this.options.now ?? systemClock; }

  /** The table as last committed (read on first use). */
  get snapshot(): DeltaSnapshot {
    return (this.snap ??= readDeltaLog(this.dir));
  }

  /**
   * Reads the snapshot ahead of its first use, decoding the last checkpoint
   * without parquet-wasm (`readDeltaLogAsync`); opening a pipeline loads all
   * its tables this way.
   */
  async load(): Promise<DeltaSnapshot> {
    if (this.snap) return this.snap;
    const s = await readDeltaLogAsync(this.dir);
    return (this.snap ??= s);
  }

  /** Forgets the snapshot: the next use reads the log again. */
  reload(): void {
    this.snap = null;
    this.forgetRowChanges();
  }

  private forgetRowChanges(): void {
    this.epoch = ++epochs;
    this.changes = [];
  }

  /** The row changes of the versions after `version` (this epoch), or null when they are not all known. */
  rowChangesSince(version: number): readonly RowChange[] | null {
    const snap = this.snapshot;
    if (version === snap.version) return [];
    const from = this.changes.findIndex((c) => c.version === version + 1);
    if (from < 0) return null;
    return this.changes.slice(from);
  }

  private noteRowChange(version: number, actions: readonly DeltaAction[]): void {
    const added: string[] = [], removed: string[] = [];
    let meta = false, changed = false, rewritten = false;
    for (const a of actions as readonly Record<string, any>[]) {
      if (a.metaData || a.protocol) meta = true;
      const f = a.add ?? a.remove;
      if (!f) continue;
      if (f.dataChange === false) rewritten = true; else changed = true;
      (a.add ? added : removed).push(f.path);
    }
    // an append adds new rows only (or no file at all); a compaction (all dataChange: false) moves rows between
    // files without changing them; anything else changed rows in a way a reader cannot follow
    const kind = !rewritten && removed.length === 0 ? 'append' : rewritten && !changed ? 'rewrite' : null;
    if (meta || kind === null) { this.forgetRowChanges(); return; }
    this.changes.push({ version, kind, added, removed });
    if (this.changes.length > ROW_CHANGES_KEPT) this.changes.splice(0, this.changes.length - ROW_CHANGES_KEPT);
  }

  /** The table's maintenance settings (from its metaData.configuration). */
  config(): TableConfig {
    return tableConfig(this.snapshot.metadata?.configuration, path.basename(this.dir));
  }

  /**
   * Commits `actions` as the next version (put-if-absent), applies them to the
   * snapshot, then does the log's upkeep. Throws DELTA_COMMIT_CONFLICT when
   * another writer took the version (the snapshot is then read again on next use).
   */
  commit(actions: readonly DeltaAction[]): number {
    const snap = this.snapshot;
    const version = snap.version + 1;
    fs.mkdirSync(path.join(this.dir, '_delta_log'), { recursive: true });
    try {
      writeLogEntry(this.dir, version, actions.map((a) => JSON.stringify(a)).join('\n') + '\n');
    } catch (e) {
      this.snap = null;
      this.forgetRowChanges();
      throw e;
    }
    applyCommit(snap, version, actions as readonly Record<string, any>[]);
    this.noteRowChange(version, actions);
    this.upkeep();
    return version;
  }

  private upkeep(): void {
    const snap = this.snap!;
    let cfg: TableConfig;
    try { cfg = this.config(); } catch (e) { this.options.warn?.({ table: this.dir, error: String(e) }, 'table properties do not parse; no checkpoint written'); return; }
    const now = this.now();
    const keepTombstonesAfter = now - (cfg.deletedFileRetentionMs ?? 0);
    for (const [p, r] of snap.tombstones) if ((r.deletionTimestamp ?? 0) <= keepTombstonesAfter) snap.tombstones.delete(p);
    const due = (snap.version > 0 && snap.version % cfg.checkpointInterval === 0) || snap.damagedCheckpoints.length > 0;
    if (!due) return;
    faultPoint('before-checkpoint', snap.version);
    const opts = { tombstonesAfterMs: keepTombstonesAfter, txnAfterMs: now - cfg.logRetentionMs };
    try {
      // a checkpoint that did not read is written again (from the log as of its version), then the current one
      for (const c of snap.damagedCheckpoints) if (c < snap.version) writeCheckpoint(this.dir, readDeltaLog(this.dir, undefined, { version: c }), opts);
      writeCheckpoint(this.dir, snap, opts);
      this.checkpointsWritten++;
      snap.checkpointVersion = snap.version;
      snap.damagedCheckpoints = [];
    } catch (e) {
      this.options.warn?.({ table: this.dir, version: snap.version, error: String((e as Error)?.message ?? e) }, 'could not write a Delta checkpoint; the next one is tried at the next interval');
      return;
    }
    if (now >= this.cleanupAt) {
      try {
        // a writer opened again the same day: the last cleanup used this cut-off (nothing more to delete)
        if (this.cleanupAt === -Infinity && lastCleanupCutoff(this.dir) === cleanupCutoff(now, cfg.logRetentionMs)) this.cleanupAt = nextCleanupAt(now, cfg.logRetentionMs);
        else {
          cleanupLog(this.dir, now, cfg.logRetentionMs);
          this.cleanupAt = nextCleanupAt(now, cfg.logRetentionMs);
        }
      } catch (e) {
        this.options.warn?.({ table: this.dir, error: String((e as Error)?.message ?? e) }, 'could not clean up the Delta log');
      }
    }
  }
}
