/**
 * VACUUM: deletes the data files of a table that no version within the
 * retention period references.
 *
 * A file is kept when the current version lists it, or when a version newer
 * than (now − retention) did: its tombstone (`remove.deletionTimestamp`) is
 * younger than the retention (tombstones stay in the snapshot for the table's
 * `delta.deletedFileRetentionDuration`; for a longer `--retain`, the removes
 * of the commits within it are read from the JSON log). Everything else in the
 * table folder goes: files whose last version is older, files no version lists
 * (an interrupted write), and temporary files. `_delta_log/` is never touched.
 *
 * The retention is `--retain`, by default the table's
 * `delta.deletedFileRetentionDuration` (else Delta's default, 7 days); a
 * retention shorter than the table's own is refused (VACUUM_RETENTION_TOO_SHORT),
 * as Delta's `retentionDurationCheck` does, since time travel within the
 * table's retention would break.
 *
 * VACUUM never runs beside a writer: the command takes the output folder's
 * lock, so a running pipeline (which holds it) makes it fail with
 * OUTPUT_LOCKED instead; files a writer is about to commit are never seen.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RuntimeFailure } from '../errors.js';
import type { DeltaTable } from '../sinks/delta-table.js';
import { commitFileName, parseCommit } from '../sinks/delta-log.js';
import { faultPoint } from '../runtime/faults.js';

/** Delta's default `delta.deletedFileRetentionDuration`: 1 week. */
export const DEFAULT_VACUUM_RETENTION_MS = 7 * 86_400_000;

export interface VacuumOptions {
  /** The table's name (for messages). */
  name: string;
  /** Keep files referenced by versions newer than now − retainMs (default: the table's retention, else 7 days). */
  retainMs?: number;
  /** List what would be deleted, delete nothing. */
  dryRun?: boolean;
}

export interface VacuumResult {
  table: string;
  retainMs: number;
  /** Files deleted (or that would be, with dryRun), relative to the table folder, in name order. */
  files: string[];
  bytes: number;
  /** Files kept: live, or referenced by a version within the retention. */
  kept: number;
}

export function vacuumTable(table: DeltaTable, opts: VacuumOptions): VacuumResult {
  table.reload();
  const snap = table.snapshot;
  const own = table.config().deletedFileRetentionMs;
  const retainMs = opts.retainMs ?? own ?? DEFAULT_VACUUM_RETENTION_MS;
  if (own !== null && retainMs < own) {
    throw new RuntimeFailure('VACUUM_RETENTION_TOO_SHORT', `vacuum of ${opts.name} with --retain ${Math.round(retainMs / 3_600_000)}h would delete files that versions within the table's delta.deletedFileRetentionDuration (${Math.round(own / 3_600_000)}h) still need`, { table: opts.name, retainMs, tableRetentionMs: own }, {
      hint: 'use a --retain at least as long as the table property, or lower the property first',
    });
  }
  const cutoff = table.now() - retainMs;
  // files removed by the commits within the retention whose tombstones already left the snapshot
  const removedSince = new Set<string>();
  if (retainMs > (own ?? 0)) {
    for (let v = snap.version; v >= 0; v--) {
      let text: string;
      try { text = fs.readFileSync(path.join(table.dir, '_delta_log', commitFileName(v)), 'utf8'); } catch { break; }
      const actions = parseCommit(text, commitFileName(v));
      const ts = actions.find((a) => a.commitInfo)?.commitInfo?.timestamp;
      if (typeof ts === 'number' && ts <= cutoff) break;
      for (const a of actions) if (a.remove) removedSince.add(a.remove.path);
    }
  }
  const result: VacuumResult = { table: opts.name, retainMs, files: [], bytes: 0, kept: 0 };
  let names: string[];
  try { names = fs.readdirSync(table.dir).sort(); } catch { return result; }
  for (const n of names) {
    if (n === '_delta_log') continue;
    const full = path.join(table.dir, n);
    let st: fs.Stats;
    try { st = fs.statSync(full); } catch { continue; }
    if (!st.isFile()) continue;
    const isData = n.endsWith('.parquet') && !n.startsWith('.');
    const isTemp = n.endsWith('.parquet.tmp');
    if (!isData && !isTemp) continue;
    if (isData && snap.files.has(n)) { result.kept++; continue; }
    // a removed file: its tombstone says when the last version that listed it ended
    const lastNeeded = isData ? snap.tombstones.get(n)?.deletionTimestamp ?? (removedSince.has(n) ? Infinity : -Infinity) : -Infinity;
    if (lastNeeded > cutoff) { result.kept++; continue; }
    result.files.push(n);
    result.bytes += st.size;
  }
  if (!opts.dryRun) {
    for (const n of result.files) {
      fs.rmSync(path.join(table.dir, n), { force: true });
      faultPoint('mid-vacuum');
    }
  }
  return result;
}
