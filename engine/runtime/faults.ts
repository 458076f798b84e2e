/**
 * Fault injection for crash tests. With `LOCALDLT_CRASH_AT=<point>[@<batch>][#<n>]`
 * in the environment, the process kills itself with SIGKILL when it reaches that
 * point (in that batch; at its n-th occurrence, default 1). Points, in batch order:
 * `before-offsets`, `after-offsets`, `mid-sink` (a table's data files renamed,
 * its log entry not yet written), `after-table-commit` (after a table's log entry),
 * `after-sink` (every table committed), `before-commit-marker` (state saved, no
 * commits/N yet), `after-commit-marker`; and `mid-refresh` (a full refresh at start:
 * after each table is truncated). Table upkeep: `before-checkpoint` and
 * `mid-checkpoint` (`@<table version>`: the checkpoint written, `_last_checkpoint`
 * not yet), `mid-compaction` (new files written under temporary names),
 * `mid-compaction-commit` (renamed, not committed), `after-compaction-commit`
 * (committed, the replaced files not deleted yet), `mid-vacuum` (after each file
 * deleted), `mid-retention` (`@<batch>`: old offsets and commits of the
 * checkpoint being removed) and `mid-state-snapshot` (`@<batch>`: a snapshot
 * of the state after that batch written between batches, the change logs it
 * replaces not deleted yet); `mid-migration` (a format-4 checkpoint converted: the
 * new records and metadata written, the old per-flow files not yet removed).
 * Without the variable this costs nothing.
 */
const spec = process.env.LOCALDLT_CRASH_AT;
const parsed = spec ? /^([a-z-]+)(?:@(\d+))?(?:#(\d+))?$/.exec(spec) : null;
let hits = 0;

export function faultPoint(point: string, batchId?: number): void {
  if (!parsed || parsed[1] !== point) return;
  if (parsed[2] !== undefined && batchId !== undefined && Number(parsed[2]) !== batchId) return;
  hits++;
  if (hits < Number(parsed[3] ?? 1)) return;
  process.kill(process.pid, 'SIGKILL');
}
