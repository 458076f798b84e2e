/**
 * A Delta table's transaction log (`_delta_log/`), read and written as the
 * Delta protocol says (delta-io/delta PROTOCOL.md):
 *
 * - commits `<20-digit version>.json`, one action a line, created only if
 *   absent (put-if-absent through a hard link, never a rename over);
 * - classic checkpoints `<v>.checkpoint.parquet`: one row per action, one
 *   struct column per action type (`txn`, `add`, `remove`, `metaData`,
 *   `protocol`), holding the replay of the log up to v: the live files (with
 *   `dataChange: false`), the remove tombstones that have not expired, the
 *   transaction ids, the protocol and the metadata; and `_last_checkpoint`
 *   (`{"version","size","sizeInBytes","numOfAddFiles"}`) pointing at the newest;
 * - reading: `_last_checkpoint`, that checkpoint, then the commits after it,
 *   found by asking for version + 1, + 2, … (the folder is not listed). A
 *   checkpoint that is missing or does not read falls back to an older one or
 *   to the JSON log (the writer then rewrites it);
 * - metadata cleanup: commits and checkpoints older than the newest checkpoint
 *   whose commit is older than midnight UTC of (now − `delta.logRetentionDuration`)
 *   are deleted; that checkpoint and its commit stay, so every version within
 *   the retention can still be read (time travel).
 *
 * Table properties read from `metaData.configuration` (Delta's names and defaults):
 * `delta.checkpointInterval` (10), `delta.logRetentionDuration` (interval 30 days),
 * `delta.deletedFileRetentionDuration` (unset here: a removed file is deleted
 * as soon as the commit that removes it is written; set, removed files stay
 * that long and VACUUM deletes them after).
 *
 * The data model (actions, snapshots, file names) is delta-snapshot.ts and the
 * checkpoint files delta-checkpoint.ts; this module re-exports both.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { RuntimeFailure, DefinitionError } from '../errors.js';
import { parseDurationMs } from '../duration.js';
import { applyAction, checkpointFileName, commitFileName, damaged, emptySnapshot, pad20, type DeltaSnapshot } from './delta-snapshot.js';
import { readCheckpoint, readCheckpointAsync, readLastCheckpoint } from './delta-checkpoint.js';
import { writeFileAtomic } from '../state/checkpoint.js';

export {
  CDC_STATE_APP_ID, LAST_CHECKPOINT, applyAction, checkpointFileName, commitFileName, emptySnapshot, pad20,
  type AddAction, type DeltaAction, type DeltaSnapshot, type MetadataAction, type ProtocolAction, type RemoveAction, type TxnAction,
} from './delta-snapshot.js';
export { CHECKPOINT_SCHEMA, checkpointActions, readCheckpoint, readCheckpointAsync, readLastCheckpoint, writeCheckpoint } from './delta-checkpoint.js';

function copySnapshot(s: DeltaSnapshot): DeltaSnapshot {
  return {
    ...s, files: new Map(s.files), tombstones: new Map(s.tombstones), txn: new Map(s.txn), txnUpdated: new Map(s.txnUpdated),
    damagedCheckpoints: [...s.damagedCheckpoints], lastCommit: s.lastCommit ? { ...s.lastCommit } : null,
  };
}

// ------------------------------------------------------------------ table properties

export const DEFAULT_CHECKPOINT_INTERVAL = 10;
export const DEFAULT_LOG_RETENTION_MS = 30 * 86_400_000;

export interface TableConfig {
  /** `delta.checkpointInterval`: a checkpoint every this many commits. */
  checkpointInterval: number;
  /** `delta.logRetentionDuration`: commits and checkpoints older than this may be deleted. */
  logRetentionMs: number;
  /** `delta.deletedFileRetentionDuration`: removed files are kept this long; null: deleted right after the commit. */
  deletedFileRetentionMs: number | null;
}

function propertyDuration(conf: Record<string, string>, key: string, table: string | undefined): number | undefined {
  const v = conf[key];
  if (v === undefined) return undefined;
  try { return parseDurationMs(v, key); } catch (e) {
    throw new DefinitionError('INVALID_TABLE_PROPERTY', `table property ${key} = "${v}"${table ? ` of ${table}` : ''} is not a duration`, { table: table ?? null, property: key, value: v }, {
      hint: `write it as Delta does, e.g. '${key}' = 'interval 7 days'`, cause: e,
    });
  }
}

/** The maintenance settings of a table from its configuration (Delta's property names and defaults). */
export function tableConfig(conf: Record<string, string> | null | undefined, table?: string): TableConfig {
  const c = conf ?? {};
  let interval = DEFAULT_CHECKPOINT_INTERVAL;
  if (c['delta.checkpointInterval'] !== undefined) {
    interval = Number(c['delta.checkpointInterval']);
    if (!Number.isInteger(interval) || interval <= 0) {
      throw new DefinitionError('INVALID_TABLE_PROPERTY', `table property delta.checkpointInterval = "${c['delta.checkpointInterval']}"${table ? ` of ${table}` : ''} is not a positive integer`, { table: table ?? null, property: 'delta.checkpointInterval', value: c['delta.checkpointInterval'] }, { hint: 'the Delta default is 10' });
    }
  }
  return {
    checkpointInterval: interval,
    logRetentionMs: propertyDuration(c, 'delta.logRetentionDuration', table) ?? DEFAULT_LOG_RETENTION_MS,
    deletedFileRetentionMs: propertyDuration(c, 'delta.deletedFileRetentionDuration', table) ?? null,
  };
}

// ------------------------------------------------------------------ replay

/** Parses a commit file's text into actions. */
export function parseCommit(text: string, file: string): Record<string, any>[] {
  const out: Record<string, any>[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try { out.push(JSON.parse(line)); } catch { throw damaged(file, 'a line is not JSON'); }
  }
  return out;
}

function readCommit(logDir: string, v: number): Record<string, any>[] | null {
  const file = path.join(logDir, commitFileName(v));
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  return parseCommit(text, file);
}

/** Applies one version's actions: the files, then the commit's info and the cdcState it names (or clears, when it changed data without naming one). */
export function applyCommit(snap: DeltaSnapshot, v: number, actions: readonly Record<string, any>[]): void {
  let info: { timestamp: number | null; operation: string | null } = { timestamp: null, operation: null };
  let cdcState: string | undefined;
  let dataChange = false;
  for (const a of actions) {
    if (a.commitInfo) {
      info = { timestamp: typeof a.commitInfo.timestamp === 'number' ? a.commitInfo.timestamp : null, operation: a.commitInfo.operation ?? null };
      if (typeof a.commitInfo.cdcState === 'string') cdcState = a.commitInfo.cdcState;
    } else {
      if ((a.add || a.remove) && (a.add ?? a.remove).dataChange !== false) dataChange = true;
      applyAction(snap, a);
    }
  }
  if (cdcState !== undefined) snap.cdcState = cdcState;
  else if (dataChange) snap.cdcState = null;
  snap.version = v;
  snap.lastCommit = info;
}

/** Replays the commits after `snap.version` (asking for each next version; no listing), up to `until`. */
function replayTail(logDir: string, snap: DeltaSnapshot, until = Infinity): void {
  for (let v = snap.version + 1; v <= until; v++) {
    const actions = readCommit(logDir, v);
    if (!actions) {
      if (until !== Infinity) throw new RuntimeFailure('DELTA_VERSION_NOT_FOUND', `version ${v} of ${path.dirname(logDir)} is not in its log`, { table: path.dirname(logDir), version: v }, { hint: 'ask for a version the log still holds (older commits expire after delta.logRetentionDuration)' });
      return;
    }
    applyCommit(snap, v, actions);
  }
}

export interface LogListing { commits: number[]; checkpoints: number[] }

/** The versions of the commits and classic checkpoints in `_delta_log`, ascending. */
export function listLog(logDir: string): LogListing {
  let names: string[];
  try { names = fs.readdirSync(logDir); } catch { return { commits: [], checkpoints: [] }; }
  const commits: number[] = [], checkpoints: number[] = [];
  for (const n of names) {
    if (/^\d{20}\.json$/.test(n)) commits.push(Number(n.slice(0, 20)));
    else if (/^\d{20}\.checkpoint\.parquet$/.test(n)) checkpoints.push(Number(n.slice(0, 20)));
  }
  const asc = (a: number, b: number) => a - b;
  return { commits: commits.sort(asc), checkpoints: checkpoints.sort(asc) };
}

/**
 * Reads a table's log into a snapshot: the newest readable checkpoint and the
 * commits after it. Given `base` (an earlier snapshot of the same table), only
 * the versions after it are read and `base` is not changed. With `version`,
 * the table as of that version (time travel): the newest checkpoint at or
 * before it, then the commits up to it.
 */
export function readDeltaLog(tableDir: string, base?: DeltaSnapshot, opts: { version?: number } = {}): DeltaSnapshot {
  const logDir = path.join(tableDir, '_delta_log');
  if (base && opts.version === undefined) {
    const snap = copySnapshot(base);
    replayTail(logDir, snap);
    return snap;
  }
  if (opts.version === undefined) {
    const last = readLastCheckpoint(logDir);
    if (last) {
      try {
        return withTail(logDir, readCheckpoint(logDir, last.version, last.size));
      } catch (e) {
        if (!isDamaged(e)) throw e;
        // a damaged checkpoint: the listing below tries older ones, then the JSON log
      }
    }
  }
  return readFromListing(tableDir, logDir, opts.version);
}

/**
 * `readDeltaLog` of the current version, with the last checkpoint read by
 * `readCheckpointAsync`; without `_last_checkpoint`, or when that checkpoint
 * is damaged, the listing of `readDeltaLog` with its fallbacks.
 */
export async function readDeltaLogAsync(tableDir: string): Promise<DeltaSnapshot> {
  const logDir = path.join(tableDir, '_delta_log');
  const last = readLastCheckpoint(logDir);
  if (last) {
    try {
      return withTail(logDir, await readCheckpointAsync(logDir, last.version, last.size));
    } catch (e) {
      if (!isDamaged(e)) throw e;
    }
  }
  return readFromListing(tableDir, logDir, undefined);
}

const isDamaged = (e: unknown): boolean => (e as { code?: string }).code === 'DELTA_LOG_CORRUPT';

/** A checkpoint's snapshot brought to the current version: the commits after it (or its own commit's info). */
function withTail(logDir: string, snap: DeltaSnapshot): DeltaSnapshot {
  const at = snap.version;
  replayTail(logDir, snap);
  if (snap.version === at) fillLastCommit(logDir, snap);
  return snap;
}

function fillLastCommit(logDir: string, snap: DeltaSnapshot): void {
  try {
    const actions = readCommit(logDir, snap.version);
    const ci = actions?.find((a) => a.commitInfo)?.commitInfo;
    snap.lastCommit = ci ? { timestamp: typeof ci.timestamp === 'number' ? ci.timestamp : null, operation: ci.operation ?? null } : null;
  } catch { snap.lastCommit = null; }
}

function readFromListing(tableDir: string, logDir: string, version: number | undefined): DeltaSnapshot {
  const { commits, checkpoints } = listLog(logDir);
  if (!commits.length && !checkpoints.length) {
    if (version !== undefined) throw new RuntimeFailure('DELTA_VERSION_NOT_FOUND', `${tableDir} has no Delta log`, { table: tableDir, version }, { hint: 'check the table folder' });
    return emptySnapshot();
  }
  const until = version ?? Infinity;
  const damagedOnes: number[] = [];
  const last = readLastCheckpoint(logDir);
  for (let i = checkpoints.length - 1; i >= 0; i--) {
    const c = checkpoints[i];
    if (c > until) continue;
    let snap: DeltaSnapshot;
    try {
      snap = readCheckpoint(logDir, c, last?.version === c ? last.size : undefined);
    } catch (e) {
      if (!isDamaged(e)) throw e;
      damagedOnes.push(c);
      continue;
    }
    snap.damagedCheckpoints = damagedOnes;
    if (last && last.version !== c && version === undefined && !damagedOnes.includes(last.version) && last.version > c) snap.damagedCheckpoints.push(last.version);
    replayTail(logDir, snap, version);
    if (snap.version === c) fillLastCommit(logDir, snap);
    // the commits after it stop short of versions the log holds: that would be the table's past, not the table
    const newest = Math.max(commits.length ? commits[commits.length - 1] : -1, checkpoints[checkpoints.length - 1]);
    if (version === undefined && snap.version < newest) {
      if (damagedOnes.length) throw damaged(path.join(logDir, checkpointFileName(damagedOnes[0])), `it does not read, and the commits after version ${snap.version} that would stand in for it have expired`);
      throw new RuntimeFailure('DELTA_LOG_GAP', `the Delta log of ${tableDir} jumps from version ${snap.version} to ${commits.find((v) => v > snap.version) ?? newest}`, { table: tableDir, missing: snap.version + 1 }, { hint: 'the table is damaged; restore the missing log file or full-refresh the table' });
    }
    return snap;
  }
  // no usable checkpoint: the JSON log from version 0
  const snap = emptySnapshot();
  snap.damagedCheckpoints = damagedOnes;
  if (last && !damagedOnes.includes(last.version) && version === undefined) snap.damagedCheckpoints.push(last.version);
  if (commits[0] !== 0) {
    if (version !== undefined) throw new RuntimeFailure('DELTA_VERSION_NOT_FOUND', `version ${version} of ${tableDir} has expired from its log`, { table: tableDir, version }, { hint: `the oldest version the log can still read is the oldest checkpoint's (${checkpoints[0] ?? commits[0]})` });
    if (damagedOnes.length) throw damaged(path.join(logDir, checkpointFileName(damagedOnes[0])), `it does not read, and the commits before version ${commits[0]} have expired`);
    throw new RuntimeFailure('DELTA_LOG_GAP', `the Delta log of ${tableDir} jumps from version -1 to ${commits[0]}`, { table: tableDir, missing: 0 }, { hint: 'the table is damaged; restore the missing log file or full-refresh the table' });
  }
  let expected = 0;
  for (const v of commits) {
    if (v > until) break;
    if (v !== expected) throw new RuntimeFailure('DELTA_LOG_GAP', `the Delta log of ${tableDir} jumps from version ${expected - 1} to ${v}`, { table: tableDir, missing: expected }, { hint: 'the table is damaged; restore the missing log file or full-refresh the table' });
    applyCommit(snap, v, readCommit(logDir, v) ?? []);
    expected++;
  }
  if (version !== undefined && snap.version !== version) replayTail(logDir, snap, version);
  return snap;
}

// ------------------------------------------------------------------ writing commits

/** Creates `_delta_log/<version>.json` only if it does not exist (put-if-absent via a hard link). */
export function writeLogEntry(tableDir: string, version: number, text: string): void {
  const logDir = path.join(tableDir, '_delta_log');
  const final = path.join(logDir, commitFileName(version));
  const tmp = path.join(logDir, `.${pad20(version)}.json.${randomUUID()}.tmp`);
  fs.writeFileSync(tmp, text);
  try {
    fs.linkSync(tmp, final);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new RuntimeFailure('DELTA_COMMIT_CONFLICT', `version ${version} of ${tableDir} was committed by another writer`, { table: tableDir, version }, { hint: 'only one pipeline run may write a table at a time' });
    }
    throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

// ------------------------------------------------------------------ metadata cleanup

const DAY_MS = 86_400_000;

/** The commit time (ms) of a version: its commitInfo.timestamp, else the file's modification time; null when gone. */
export function commitTimestamp(logDir: string, v: number): number | null {
  const file = path.join(logDir, commitFileName(v));
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch { return null; }
  const nl = text.indexOf('\n');
  for (const line of (nl >= 0 ? [text.slice(0, nl), ...text.slice(nl + 1).split('\n')] : [text])) {
    if (!line.includes('"commitInfo"')) continue;
    try {
      const ts = (JSON.parse(line) as { commitInfo?: { timestamp?: unknown } }).commitInfo?.timestamp;
      if (typeof ts === 'number') return ts;
    } catch { /* fall back to the file time */ }
    break;
  }
  try { return fs.statSync(file).mtimeMs; } catch { return null; }
}

/**
 * Deletes expired log files (PROTOCOL.md, "Metadata Cleanup"): the cut-off is
 * midnight UTC of (now − retention); the newest checkpoint whose commit is not
 * newer than it stays, with its commit, and everything older goes (commits,
 * checkpoints, and temporary files a crash left). Returns the files deleted.
 */
export function cleanupLog(tableDir: string, nowMs: number, retentionMs: number): string[] {
  const logDir = path.join(tableDir, '_delta_log');
  const cutoff = cleanupCutoff(nowMs, retentionMs);
  const deleted = cleanupBefore(logDir, cutoff);
  try { writeFileAtomic(path.join(logDir, CLEANUP_MARKER), JSON.stringify({ cutoff }) + '\n'); } catch { /* the next start cleans up again */ }
  return deleted;
}

/**
 * The cut-off of the last cleanup, kept beside the log (`_delta_log/.cleanup.json`;
 * Delta readers ignore names that are not log files). A writer that opens the
 * table again the same day skips the cleanup, which lists the whole retained log
 * (a month of two-minute batches with 7 days kept: 8,000 files, ~100 ms a table).
 */
export const CLEANUP_MARKER = '.cleanup.json';

/** The cut-off a cleanup at `nowMs` uses: midnight UTC of (now − retention). */
export function cleanupCutoff(nowMs: number, retentionMs: number): number {
  return Math.floor((nowMs - retentionMs) / DAY_MS) * DAY_MS;
}

/** The cut-off of the table's last cleanup, or null (none recorded, or unreadable). */
export function lastCleanupCutoff(tableDir: string): number | null {
  try {
    const v = JSON.parse(fs.readFileSync(path.join(tableDir, '_delta_log', CLEANUP_MARKER), 'utf8')).cutoff;
    return typeof v === 'number' ? v : null;
  } catch { return null; }
}

function cleanupBefore(logDir: string, cutoff: number): string[] {
  const { commits, checkpoints } = listLog(logDir);
  const deleted: string[] = [];
  // temporary files of interrupted writes (this writer holds the table: none is in flight)
  for (const n of fs.readdirSync(logDir)) if (n.startsWith('.') && n.endsWith('.tmp')) { fs.rmSync(path.join(logDir, n), { force: true }); deleted.push(n); }
  // the newest checkpoint whose commit is at or before the cut-off (commit times only grow: binary search)
  let lo = 0, hi = checkpoints.length - 1, keep = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const ts = commitTimestamp(logDir, checkpoints[mid]);
    if (ts !== null && ts <= cutoff) { keep = checkpoints[mid]; lo = mid + 1; } else hi = mid - 1;
  }
  if (keep < 0) return deleted;
  for (const v of commits) if (v < keep) { fs.rmSync(path.join(logDir, commitFileName(v)), { force: true }); deleted.push(commitFileName(v)); }
  for (const v of checkpoints) if (v < keep) { fs.rmSync(path.join(logDir, checkpointFileName(v)), { force: true }); deleted.push(checkpointFileName(v)); }
  return deleted;
}

/** When cleanup can next delete something: the cut-off moves once a day (midnight UTC). */
export function nextCleanupAt(nowMs: number, retentionMs: number): number {
  return Math.floor((nowMs - retentionMs) / DAY_MS) * DAY_MS + DAY_MS + retentionMs;
}
