/**
 * dropDuplicates(keys): keeps the first row of each key, NULLs comparing equal.
 *
 * Stateful: the set of keys seen so far, kept as 128-bit hashes (see keys.ts),
 * so its size is bounded by the number of distinct keys, not by history, and a
 * snapshot is one binary buffer. "First" is the earliest batch, then input order
 * within the batch (file order, then line).
 */
import * as v8 from 'node:v8';
import type { Schema } from '../ir/types.js';
import { columnIndex, takeBatch, type Batch } from '../batch.js';
import { RunStore, SPILL_AT_SNAPSHOT, type RunManifest, type SpillOptions } from '../state/runs.js';
import { Hash128Set, KeyHasher } from './keys.js';

export class DedupOperator {
  readonly stateful = true;
  private seen = untracked();
  private readonly keyIdx: number[];
  private readonly hasher = new KeyHasher();

  constructor(readonly schema: Schema, keys: readonly string[]) {
    this.keyIdx = keys.map((k) => columnIndex(schema, k));
  }

  process(b: Batch): Batch {
    const cols = this.keyIdx.map((j) => b.columns[j]);
    const keep: number[] = [];
    const hasher = this.hasher;
    for (let i = 0; i < b.length; i++) if (this.seen.addHash(hasher.reset().addRow(cols, i).hash())) keep.push(i);
    return takeBatch(b, keep);
  }

  get stateSize(): number { return this.seen.total; }

  private spill: SpillOptions | null = null;
  /** Keeps at most `maxKeys` keys in memory, the rest in sorted runs on disk. */
  useSpill(o: SpillOptions): void {
    this.spill = o;
    this.withRuns(this.seen);
  }

  /** Attaches the spill folder's runs to `set`: those a snapshot names, else a new, empty store. */
  private withRuns(set: Hash128Set, named: RunManifest | null = null): Hash128Set {
    if (this.spill) set.spillTo(named ? RunStore.open(this.spill.dir, 0, named) : RunStore.create(this.spill.dir, 0), this.spill.maxKeys);
    return set;
  }

  // incremental checkpoints: a snapshot now and then, change logs in between
  private mustSnapshot = true;
  get wantsSnapshot(): boolean { return this.mustSnapshot || this.seen.logOverflowed || this.seen.runs?.changed === true; }
  /** The in-memory key hashes and the runs on disk holding the others. */
  snapshot(): Uint8Array {
    this.seen.spillForSnapshot(this.spill?.snapshotKeys ?? SPILL_AT_SNAPSHOT);
    this.seen.setTracking(true);
    this.mustSnapshot = false;
    return v8.serialize({ v: 2, runs: this.seen.runs?.manifest() ?? null, keys: this.seen.toBytes() });
  }
  loadSnapshot(bytes: Uint8Array): void {
    const st = v8.deserialize(bytes) as { v?: number; runs?: RunManifest | null; keys?: Uint8Array };
    if (st === null || typeof st !== 'object' || st.v !== 2 || !(st.keys instanceof Uint8Array)) throw new TypeError('dedup snapshot is not in format 2');
    if (st.runs && !this.spill) throw new TypeError('dedup snapshot names key runs on disk, but no spill directory is set');
    this.seen.runs?.close();
    this.seen = this.withRuns(Hash128Set.fromBytes(checkKeys(st.keys)), st.runs ?? null);
    this.seen.setTracking(true);
    this.mustSnapshot = false;
  }
  /** Whether `changes()` would log nothing (no key added since the last checkpoint). */
  get unchanged(): boolean { return this.seen.addedSinceDrain === 0; }
  /** The key hashes added since the last call (an incremental checkpoint). */
  changes(): Uint8Array { this.seen.runs?.collect(); return this.seen.drainAdded(); }
  /** Replays a change log on top of the loaded state. */
  applyChanges(bytes: Uint8Array): void { this.seen.addPacked(checkKeys(bytes)); this.mustSnapshot = false; }
  reset(): void {
    this.seen.runs?.close();
    this.seen = this.withRuns(untracked());
    this.mustSnapshot = true;
  }
}

/** A new key set logs nothing until its first snapshot. */
function untracked(): Hash128Set {
  const s = new Hash128Set();
  s.setTracking(false);
  return s;
}

/** Key files hold whole 128-bit hashes: anything else was cut short. */
function checkKeys(bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength % 16 !== 0) throw new RangeError(`${bytes.byteLength} bytes is not a whole number of 16-byte keys`);
  return bytes;
}
