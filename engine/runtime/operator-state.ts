/**
 * Operator state on disk, per flow and stateful operator: a snapshot, then a
 * change log per batch that changed something (checkpoint.ts keeps the files;
 * the commit record names the batches that changed nothing). This keeps what
 * each operator wrote since its snapshot, and decides per batch between a
 * change log, nothing and a new snapshot, and between batches which
 * operators get a new snapshot.
 */
import { MIN_SNAPSHOT_BYTES, type BatchCommit, type CheckpointStore, type FlowState } from '../state/checkpoint.js';
import { RunFileError } from '../state/runs.js';
import { RuntimeFailure } from '../errors.js';
import type { PipelineExecutor } from './executor.js';
import { faultPoint } from './faults.js';

/**
 * Change logs since an operator's last snapshot at which a maintenance slot
 * between batches that compacted a table writes a new one (any slot at twice
 * as many: a restart replays at most about that many; the batches themselves
 * snapshot at `minBatchesToRetain`, or when the change logs outweigh the
 * snapshot).
 */
export const MAINTENANCE_SNAPSHOT_DELTAS = 10;

interface StateSizes { snapshot: number; since: number; deltas: number; unchanged: number[] }

export class OperatorStateFiles {
  /** Per (flow, operator): bytes of its last snapshot and of the change logs written since, and the batches since then that changed nothing. */
  private readonly stateSizes = new Map<string, StateSizes>();

  constructor(private readonly checkpoint: CheckpointStore, private readonly executor: PipelineExecutor, private readonly minBatchesToRetain: number) {}

  /**
   * A maintenance slot's share of state upkeep: an operator with
   * MAINTENANCE_SNAPSHOT_DELTAS change logs since its snapshot gets a new
   * snapshot in a slot that compacted a table (`busy`: upkeep gathers in a few
   * slots, so most batches follow an empty one), in any slot once it has twice
   * as many, as the state after the last committed batch (the longest replay
   * first, no new one once `budgetMs` has passed). A restart then reads that
   * snapshot and the few change logs after it (readState takes the latest
   * snapshot at or before the batch), instead of up to `minBatchesToRetain`
   * change logs; the files before it are deleted. The batch that follows
   * writes its change against this snapshot. Returns the snapshots written.
   * The operators must hold the state after `lastCommitted`.
   */
  snapshotBetweenBatches(lastCommitted: number, budgetMs: number, busy: boolean): number {
    const started = performance.now();
    const due: { flow: string; ref: { id: string; op: { snapshot(): Uint8Array } }; key: string; since: number }[] = [];
    for (const [flow, f] of this.executor.flows) {
      for (const ref of f.stateful) {
        const key = `${flow}\u0000${ref.id}`;
        const sizes = this.stateSizes.get(key);
        // the change logs a restart reads (batches that changed nothing have none)
        if (sizes && sizes.deltas - sizes.unchanged.length >= (busy ? 1 : 2) * MAINTENANCE_SNAPSHOT_DELTAS) due.push({ flow, ref, key, since: sizes.since });
      }
    }
    due.sort((a, b) => b.since - a.since);
    let written = 0;
    for (const d of due) {
      if (performance.now() - started >= budgetMs) break;
      const bytes = d.ref.op.snapshot();
      try {
        this.checkpoint.writeState(d.flow, lastCommitted, { [d.ref.id]: 'snapshot' }, { [d.ref.id]: bytes });
      } catch (e) {
        // the operator now counts its changes from a snapshot that is not on disk: the next batch writes a full one
        this.stateSizes.delete(d.key);
        throw e;
      }
      this.stateSizes.set(d.key, { snapshot: bytes.byteLength, since: 0, deltas: 0, unchanged: [] });
      faultPoint('mid-state-snapshot', lastCommitted);
      this.checkpoint.pruneState(d.flow, lastCommitted);
      written++;
    }
    return written;
  }

  /** Loads every operator's state, and the flows' watermarks and fingerprints, as `commit` recorded them (flows `counts` accepts). */
  load(commit: BatchCommit, counts: (flow: string, generation: number) => boolean): void {
    const ex = this.executor;
    const batchId = commit.batchId;
    const recordFile = this.checkpoint.commitFile(batchId);
    let fingerprints: Record<string, string> = {};
    for (const [name, flow] of ex.flows) {
      const state = commit.flows[name]?.state;
      if (!state || !counts(name, commit.generation)) continue;
      const st = { state, binaries: this.checkpoint.readState(name, batchId, state, recordFile) };
      // state that reads but does not fit its operator is a damaged checkpoint, not an internal error
      const damaged = (stateFile: string, e: unknown): never => {
        const file = e instanceof RunFileError ? e.file : stateFile;
        throw new RuntimeFailure('CHECKPOINT_CORRUPT', `checkpoint file ${file} is unreadable: its operator state does not load (${(e as Error)?.message ?? String(e)})`, { file, reason: String((e as Error)?.message ?? e) }, {
          hint: 'restore the file from a backup, or start over with --full-refresh-all (this reprocesses every input file)', cause: e,
        });
      };
      for (const ref of flow.stateful) {
        const parts = st.binaries[ref.id];
        if (!parts) continue;
        const unchanged = st.state.unchanged?.[ref.id] ?? [];
        const sizes: StateSizes = { snapshot: 0, since: 0, deltas: parts.length - 1 + unchanged.length, unchanged: [...unchanged] };
        parts.forEach((part, k) => {
          try {
            if (k === 0) ref.op.loadSnapshot(part.bytes);
            else ref.op.applyChanges(part.bytes);
          } catch (e) { damaged(part.file, e); }
          if (k === 0) sizes.snapshot = part.bytes.byteLength;
          else sizes.since += part.bytes.byteLength;
        });
        this.stateSizes.set(`${name}\u0000${ref.id}`, sizes);
      }
      const fp = (st.state.operators['__fingerprints'] ?? {}) as Record<string, string>;
      fingerprints = { ...fingerprints, ...fp };
      try { ex.loadState({ operators: {}, watermarks: { [name]: st.state.watermarks }, fingerprints: {} }); } catch (e) { damaged(recordFile, e); }
    }
    ex.loadState({ operators: {}, watermarks: {}, fingerprints });
  }

  /**
   * Writes the state after a batch: per stateful operator the change since the
   * last file, or a snapshot when the change logs since the last snapshot would
   * outweigh it (so a restart reads at most about twice the state, and a batch
   * writes what it changed, not the whole state), or when they number
   * `minBatchesToRetain` (so a restart reads at most that many files, and the
   * state folder keeps change logs of that many batches at most, as offsets
   * and commits).
   */
  save(batchId: number): Map<string, FlowState> {
    const out = new Map<string, FlowState>();
    const ex = this.executor;
    const fingerprints = ex.fingerprintState();
    const watermarks = ex.watermarkState();
    for (const [name, flow] of ex.flows) {
      const operators: Record<string, unknown> = {};
      const binary: Record<string, 'snapshot' | 'delta'> = {};
      const binaries: Record<string, Uint8Array | null> = {};
      const unchangedOps: Record<string, number[]> = {};
      for (const ref of flow.stateful) {
        const key = `${name}\u0000${ref.id}`;
        const sizes = this.stateSizes.get(key);
        let bytes: Uint8Array | null = null;
        let idle = false;
        if (sizes && !ref.op.wantsSnapshot && sizes.deltas + 1 < this.minBatchesToRetain) {
          idle = ref.op.unchanged;
          const delta = ref.op.changes();
          if (sizes.since + delta.byteLength <= Math.max(sizes.snapshot, MIN_SNAPSHOT_BYTES)) bytes = delta;
        }
        if (bytes && idle) {
          // nothing changed: no file; the commit record names the batch instead
          binary[ref.id] = 'delta';
          sizes!.unchanged.push(batchId);
          sizes!.deltas++;
          bytes = null;
        } else if (bytes) {
          binary[ref.id] = 'delta';
          sizes!.since += bytes.byteLength;
          sizes!.deltas++;
        } else {
          bytes = ref.op.snapshot();
          binary[ref.id] = 'snapshot';
          this.stateSizes.set(key, { snapshot: bytes.byteLength, since: 0, deltas: 0, unchanged: [] });
        }
        binaries[ref.id] = bytes;
        const unchanged = this.stateSizes.get(key)!.unchanged;
        if (unchanged.length) unchangedOps[ref.id] = [...unchanged];
      }
      if (ex.mvModeOf(name) !== undefined && fingerprints[name] !== undefined) operators['__fingerprints'] = { [name]: fingerprints[name] };
      if (!flow.stateful.length && !flow.watermarks.length && !operators['__fingerprints']) continue;
      this.checkpoint.writeState(name, batchId, binary, binaries);
      out.set(name, { operators, watermarks: watermarks[name] ?? {}, binary, ...(Object.keys(unchangedOps).length ? { unchanged: unchangedOps } : {}) });
      // keep the state after the previous batch too: until commits/N is written, a restart re-runs N from it
      this.checkpoint.pruneState(name, batchId - 1);
    }
    return out;
  }
}
