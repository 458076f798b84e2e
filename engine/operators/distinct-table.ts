/**
 * The state of count(DISTINCT x): which (group key, value) pairs were seen,
 * and in which panes of event time (for windowed aggregates).
 *
 * A pair is stored as the 128-bit hash of its exact key text (as dedup keys
 * are, see keys.ts) with the first pane it was seen in: 20 bytes a slot in
 * typed arrays (at most 3/4 full), no string kept. A window's distinct count is then a plain
 * counter in its group: a row adds 1 to each of its windows that did not
 * already hold the value from another pane. Panes are `gcd(size, slide)` of
 * event time, so a window is a whole number of panes and a value seen on one
 * day is one entry, not one per sliding window that holds it.
 *
 * For checkpoints the table keeps a change log (pairs added or seen in a new
 * pane, and prunes) next to its snapshot form.
 *
 * With a spill directory, pairs beyond a memory budget go to sorted runs on
 * disk with their first pane (state/runs.ts); a pair found there behaves as one
 * found in memory. Pruning then forgets runs' pairs lazily, when runs merge.
 */
import { RunStore, SPILL_AT_SNAPSHOT, sortKeys, type RunManifest, type SpillOptions } from '../state/runs.js';
import { findSlot128, hash128, LOG_MIN, tableCapacity } from './keys.js';
import { largeFloat64, largeInt32, largeUint32 } from '../column/large-buffer.js';

/** Panes are int32 (days, minutes, seconds since the epoch) until one is not: then float64. */
type Panes = Int32Array | Float64Array;

export interface DistinctTableState {
  hashes: Uint32Array;
  panes: Float64Array;
  more: [string, number[]][];
  /** The runs on disk holding the other pairs (with a spill directory). */
  runs?: RunManifest | null;
  /** The highest pane pruned so far (pairs of runs at or before it are dropped when runs merge). */
  prunedBelow?: number;
}

export interface DistinctTableChanges {
  hashes: Uint32Array;
  panes: Float64Array;
  /** Prunes: [position in the log, threshold pane] (entries at or before the position were logged before it). */
  prunes: [number, number][];
}

export class DistinctTable {
  private slots: Uint32Array;
  private first: Panes;
  /** Further panes of pairs seen in more than one (rare for event data), by hash text. */
  private more = new Map<string, number[]>();
  private capacity: number;
  size = 0;
  private readonly h = new Uint32Array(4);
  /** Panes a pair was in before the last `add` that returned NEW_PANE. */
  readonly previous: number[] = [];
  // change log
  private logH = new Uint32Array(256);
  private logP = new Float64Array(64);
  private logN = 0;
  private prunes: [number, number][] = [];
  /** Whether changes are logged (off until the first snapshot: it would hold everything twice). */
  private logging = false;
  /** The change log outgrew a quarter of the table and was dropped: the next checkpoint must be a snapshot. */
  logOverflowed = false;
  /** Pairs spilled from memory, if a spill directory is set. */
  runs: RunStore | null = null;
  private spillAt = Infinity;
  /** `save` writes the in-memory pairs as a run first when there are at least this many. */
  private snapshotSpillAt = Infinity;
  private prunedBelow = -Infinity;

  constructor(capacity = 1024) {
    this.capacity = tableCapacity(capacity);
    this.slots = largeUint32(this.capacity * 4);
    this.first = largeInt32(this.capacity);
  }

  private occupied(q: number): boolean {
    const o = q * 4, s = this.slots;
    return s[o] !== 0 || s[o + 1] !== 0 || s[o + 2] !== 0 || s[o + 3] !== 0;
  }

  /** A new pair: it counts in every window of its pane. */
  static readonly NEW = 1;
  /** A known pair in a pane it was not in: it counts in the windows holding none of `previous`. */
  static readonly NEW_PANE = 2;
  /** Nothing new. */
  static readonly SEEN = 0;

  /** Records that the pair with this key text was seen in `pane`. */
  add(text: string, pane: number): number {
    hash128(text, this.h);
    return this.addHash(this.h, pane, true);
  }

  /** Records that the pair with this 128-bit hash (see KeyHasher) was seen in `pane`. */
  addHashed(h: Uint32Array, pane: number): number {
    this.h.set(h);
    return this.addHash(this.h, pane, true);
  }


  /** Keeps at most `maxKeys` pairs in memory, the others in sorted runs on disk. */
  spillTo(runs: RunStore, maxKeys: number, snapshotKeys = SPILL_AT_SNAPSHOT): void {
    this.runs = runs;
    this.snapshotSpillAt = Math.max(1, snapshotKeys);
    this.spillAt = Math.max(1, maxKeys);
    if (this.size >= this.spillAt) this.spill();
  }

  /** `notOnDisk`: the pair is known not to be in a run (it is being moved within memory). */
  private addHash(h: Uint32Array, pane: number, log: boolean, notOnDisk = false): number {
    if (h[0] === 0 && h[1] === 0 && h[2] === 0 && h[3] === 0) h[3] = 1; // all-zero marks an empty slot
    const f = findSlot128(this.slots, this.capacity, h);
    let p0: number;
    if (f >= 0) p0 = this.first[f];
    else if (!notOnDisk && this.runs !== null && this.runs.get(h)) p0 = this.runs.value;
    else {
      const p = -1 - f;
      if (this.first instanceof Int32Array && (pane | 0) !== pane) this.first = Float64Array.from(this.first);
      this.slots.set(h, p * 4);
      this.first[p] = pane;
      this.size++;
      if (log) this.log(h, pane);
      if (this.size >= this.spillAt) this.spill();
      else if (this.size * 4 > this.capacity * 3) this.rehash(this.capacity * 2);
      return DistinctTable.NEW;
    }
    if (p0 === pane) return DistinctTable.SEEN;
    const k = hashText(h);
    const extra = this.more.get(k);
    if (extra?.includes(pane)) return DistinctTable.SEEN;
    this.previous.length = 0;
    this.previous.push(p0);
    if (extra) { for (const x of extra) this.previous.push(x); extra.push(pane); } else this.more.set(k, [pane]);
    if (log) this.log(h, pane);
    return DistinctTable.NEW_PANE;
  }

  private log(h: Uint32Array, pane: number): void {
    if (!this.logging) return;
    if (this.logN >= LOG_MIN && this.logN * 4 > this.size) { this.setLogging(false); this.logOverflowed = true; return; }
    if ((this.logN + 1) * 4 > this.logH.length) { const g = new Uint32Array(this.logH.length * 2); g.set(this.logH); this.logH = g; }
    if (this.logN + 1 > this.logP.length) { const g = new Float64Array(this.logP.length * 2); g.set(this.logP); this.logP = g; }
    this.logH.set(h, this.logN * 4);
    this.logP[this.logN++] = pane;
  }

  /**
   * Writes the in-memory pairs as a sorted run and empties the table; pairs
   * of runs whose panes were all pruned are dropped as runs merge. The change
   * log stops until the next snapshot, which names the new run set.
   */
  private spill(): void {
    const n = this.size;
    const { hashes, panes } = this.packed(true);
    const sorted = sortKeys(hashes, panes, n);
    this.runs!.add(sorted.keys, sorted.values, n, (u, o, pane) => pane > this.prunedBelow || this.more.has(hashText(u.subarray(o, o + 4))));
    this.slots.fill(0);
    this.size = 0;
    this.setLogging(false);
  }

  private rehash(newCap: number): void {
    const oldS = this.slots, oldP = this.first;
    this.capacity = newCap;
    this.slots = largeUint32(newCap * 4);
    this.first = oldP instanceof Int32Array ? largeInt32(newCap) : largeFloat64(newCap);
    const mask = newCap - 1;
    for (let q = 0; q < oldP.length; q++) {
      const o = q * 4;
      if (oldS[o] === 0 && oldS[o + 1] === 0 && oldS[o + 2] === 0 && oldS[o + 3] === 0) continue;
      let p = oldS[o] & mask;
      while (this.occupied(p)) p = (p + 1) & mask;
      this.slots[p * 4] = oldS[o]; this.slots[p * 4 + 1] = oldS[o + 1]; this.slots[p * 4 + 2] = oldS[o + 2]; this.slots[p * 4 + 3] = oldS[o + 3];
      this.first[p] = oldP[q];
    }
  }

  /**
   * Forgets the pairs whose every pane is at or before `pane` (their windows
   * have all closed, so they can no longer count anywhere).
   */
  prune(pane: number, log = true): void {
    if (log && this.logging) this.prunes.push([this.logN, pane]);
    if (this.runs !== null) {
      // pairs held by runs: their later panes at or before `pane` can no longer matter
      this.prunedBelow = Math.max(this.prunedBelow, pane);
      const h = new Uint32Array(4);
      for (const [k, extra] of this.more) {
        const parts = k.split('.');
        for (let i = 0; i < 4; i++) h[i] = Number(parts[i]);
        if (findSlot128(this.slots, this.capacity, h) >= 0) continue;
        const left = extra.filter((x) => x > pane);
        if (left.length === 0) this.more.delete(k);
        else if (left.length < extra.length) this.more.set(k, left);
      }
    }
    const keepS: number[] = [];
    const keepP: number[] = [];
    for (let q = 0; q < this.first.length; q++) {
      if (!this.occupied(q)) continue;
      const p0 = this.first[q];
      const o = q * 4;
      const k = this.more.size ? hashText(this.slots.subarray(o, o + 4)) : '';
      const extra = this.more.size ? this.more.get(k) : undefined;
      const max = extra ? Math.max(p0, ...extra) : p0;
      if (max <= pane) { if (extra) this.more.delete(k); continue; }
      keepS.push(this.slots[o], this.slots[o + 1], this.slots[o + 2], this.slots[o + 3]);
      keepP.push(p0);
    }
    if (keepP.length === this.size) return;
    const c = tableCapacity(keepP.length);
    this.capacity = c;
    this.slots = largeUint32(c * 4);
    this.first = this.first instanceof Int32Array ? largeInt32(c) : largeFloat64(c);
    this.size = 0;
    const h = new Uint32Array(4);
    for (let i = 0; i < keepP.length; i++) {
      h[0] = keepS[i * 4]; h[1] = keepS[i * 4 + 1]; h[2] = keepS[i * 4 + 2]; h[3] = keepS[i * 4 + 3];
      this.addHash(h, keepP[i], false, true);
    }
  }

  /** Turns the change log on or off; clears it. */
  setLogging(on: boolean): void {
    this.logging = on;
    this.logOverflowed = false;
    this.drain();
  }

  /** The in-memory pairs, packed in slot order: hashes (4 × uint32 each) and first panes. */
  private packed(large = false): { hashes: Uint32Array; panes: Float64Array } {
    // a spill's pairs are sorted and written, then dropped: large buffers; a snapshot's are kept exactly
    const hashes = large ? largeUint32(this.size * 4) : new Uint32Array(this.size * 4);
    const panes = large ? largeFloat64(this.size) : new Float64Array(this.size);
    let k = 0;
    for (let q = 0; q < this.first.length; q++) {
      if (!this.occupied(q)) continue;
      hashes.set(this.slots.subarray(q * 4, q * 4 + 4), k * 4);
      panes[k++] = this.first[q];
    }
    return { hashes, panes };
  }

  /** Every pair (a snapshot); also starts a new change log. */
  save(): DistinctTableState {
    if (this.runs && this.size >= this.snapshotSpillAt) this.spill();
    const { hashes, panes } = this.packed();
    this.setLogging(true);
    const st: DistinctTableState = { hashes, panes, more: [...this.more] };
    if (this.runs) { st.runs = this.runs.manifest(); st.prunedBelow = this.prunedBelow; }
    return st;
  }

  /** A table as saved; with `spill`, its runs (or a new, empty store) in that directory. */
  static load(st: DistinctTableState, spill: SpillOptions | null = null): DistinctTable {
    if (!(st.hashes instanceof Uint32Array) || !(st.panes instanceof Float64Array) || st.hashes.length !== st.panes.length * 4 || !Array.isArray(st.more)) throw new TypeError('count-distinct state is malformed');
    if (st.runs && !spill) throw new TypeError('count-distinct state names runs on disk, but no spill directory is set');
    const t = new DistinctTable(st.panes.length);
    // `more` and `prunedBelow` first: attaching the runs may spill (a smaller budget), and merges consult them
    t.more = new Map(st.more.map(([k, v]) => [k, [...v]]));
    if (typeof st.prunedBelow === 'number') t.prunedBelow = st.prunedBelow;
    const h = new Uint32Array(4);
    for (let i = 0; i < st.panes.length; i++) {
      h.set(st.hashes.subarray(i * 4, i * 4 + 4));
      t.addHash(h, st.panes[i], false, true);
    }
    if (spill) t.spillTo(st.runs ? RunStore.open(spill.dir, 8, st.runs) : RunStore.create(spill.dir, 8), spill.maxKeys, spill.snapshotKeys);
    t.setLogging(true);
    return t;
  }

  /** The pairs added or seen in a new pane since the last save or drain, and the prunes, in order. */
  /** Whether `drain()` would give no change. */
  get drained(): boolean { return this.logN === 0 && this.prunes.length === 0; }

  drain(): DistinctTableChanges {
    const out: DistinctTableChanges = { hashes: this.logH.slice(0, this.logN * 4), panes: this.logP.slice(0, this.logN), prunes: this.prunes };
    this.logH = new Uint32Array(256);
    this.logP = new Float64Array(64);
    this.logN = 0;
    this.prunes = [];
    return out;
  }

  /** Replays a change log. */
  apply(c: DistinctTableChanges): void {
    if (!(c.hashes instanceof Uint32Array) || !(c.panes instanceof Float64Array) || c.hashes.length !== c.panes.length * 4 || !Array.isArray(c.prunes)) throw new TypeError('count-distinct change log is malformed');
    const h = new Uint32Array(4);
    let next = 0;
    for (let i = 0; i <= c.panes.length; i++) {
      while (next < c.prunes.length && c.prunes[next][0] === i) this.prune(c.prunes[next++][1], false);
      if (i === c.panes.length) break;
      h.set(c.hashes.subarray(i * 4, i * 4 + 4));
      this.addHash(h, c.panes[i], false);
    }
  }
}

function hashText(h: Uint32Array): string {
  return `${h[0]}.${h[1]}.${h[2]}.${h[3]}`;
}
