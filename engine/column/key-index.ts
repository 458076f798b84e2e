/**
 * The rows of a batch by key, for lookups with keys from other batches (a
 * stream-static join's right side restricted to the keys of the new rows).
 * An open-addressing table of the distinct keys over `hashRow` of the key
 * columns, each key's rows chained: 4 bytes a row and 16–32 a distinct key, no
 * string per row. Built once per batch and key columns, and kept while the
 * batch lives (the kept rows of a static table stay the same objects between
 * micro-batches until the table changes).
 */
import type { Batch, Column } from '../batch.js';
import { isNullAt } from '../batch.js';
import { batchKeys, hashRow, sameKeyAcross } from './group-ids.js';

export class KeyIndex {
  /** Per slot: the latest row of a key, plus one (0: empty). */
  private slots: Int32Array;
  private hashes: Int32Array;
  /** Per row: the previous row of the same key, plus one (0: none). */
  private readonly next: Int32Array;
  private mask: number;

  private constructor(private readonly cols: readonly Column[], n: number) {
    // sized by the distinct keys as they come (a key has many rows: admissions of one patient), not by the rows
    this.slots = new Int32Array(64);
    this.hashes = new Int32Array(64);
    this.mask = 63;
    this.next = new Int32Array(n);
    let keys = 0;
    // one slot per distinct key, its rows chained: a key of many rows costs its probe once, not once per row
    rows: for (let i = 0; i < n; i++) {
      // a NULL in the key matches nothing
      for (const c of cols) if (isNullAt(c, i)) continue rows;
      const h = hashRow(cols, i);
      const p = this.slotOf(h, cols, i);
      if (this.slots[p] !== 0) this.next[i] = this.slots[p];
      else {
        this.hashes[p] = h;
        keys++;
      }
      this.slots[p] = i + 1;
      if (keys * 2 > this.mask) this.grow();
    }
  }

  /** The slot of the key of row `j` of `cols` (hash `h`): its own, or the empty one where it would go. */
  private slotOf(h: number, cols: readonly Column[], j: number): number {
    let p = h & this.mask;
    while (this.slots[p] !== 0 && !(this.hashes[p] === h && sameKeyAcross(this.cols, this.slots[p] - 1, cols, j))) p = (p + 1) & this.mask;
    return p;
  }

  /** Doubles the table (the chains stay as they are: only their heads move). */
  private grow(): void {
    const { slots, hashes } = this;
    const cap = slots.length * 2;
    this.slots = new Int32Array(cap);
    this.hashes = new Int32Array(cap);
    this.mask = cap - 1;
    for (let q = 0; q < slots.length; q++) {
      if (slots[q] === 0) continue;
      let p = hashes[q] & this.mask;
      while (this.slots[p] !== 0) p = (p + 1) & this.mask;
      this.slots[p] = slots[q];
      this.hashes[p] = hashes[q];
    }
  }

  private static cache = new WeakMap<Batch, Map<string, KeyIndex>>();

  /** The index of `b` over the columns at `keys` (built at the first call for this batch). */
  static of(b: Batch, keys: readonly number[]): KeyIndex {
    let m = KeyIndex.cache.get(b);
    if (!m) KeyIndex.cache.set(b, (m = new Map()));
    const k = keys.join(',');
    let idx = m.get(k);
    if (!idx) m.set(k, (idx = new KeyIndex(keys.map((j) => b.columns[j]), b.length)));
    return idx;
  }

  /** Appends the rows whose key equals row `j` of `probe` (columns of the same types) to `out` (latest first). */
  rowsOf(probe: readonly Column[], j: number, out: number[]): void {
    const p = this.slotOf(hashRow(probe, j), probe, j);
    for (let i = this.slots[p]; i !== 0; i = this.next[i - 1]) out.push(i - 1);
  }
}

/**
 * The rows of `b` whose key (the columns at `keys`) equals the key of some row
 * of `probe` without a NULL in it, in row order, each once.
 */
export function rowsMatching(b: Batch, keys: readonly number[], probe: readonly Column[], n: number): number[] {
  const idx = KeyIndex.of(b, keys);
  const { firsts, count } = batchKeys(probe, n);
  const rows: number[] = [];
  for (let k = 0; k < count; k++) {
    const j = firsts[k];
    if (!probe.some((c) => isNullAt(c, j))) idx.rowsOf(probe, j, rows);
  }
  return rows.sort((x, y) => x - y);
}
