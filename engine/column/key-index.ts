/**
 * The rows of a batch by key, for lookups with keys from other batches (a
 * stream-static join's right side restricted to the keys of the new rows).
 * An open-addressing table of row numbers over `hashRow` of the key columns:
 * 12 bytes a row, no string per row. Built once per batch and key columns,
 * and kept while the batch lives (the kept rows of a static table stay the
 * same objects between micro-batches until the table changes).
 */
import type { Batch, Column } from '../batch.js';
import { isNullAt } from '../batch.js';
import { batchKeys, hashRow, sameKeyAcross } from './group-ids.js';

export class KeyIndex {
  private readonly slots: Int32Array;
  private readonly hashes: Int32Array;
  private readonly mask: number;

  private constructor(private readonly cols: readonly Column[], n: number) {
    let cap = 16;
    while (cap < n * 2) cap *= 2;
    this.mask = cap - 1;
    this.slots = new Int32Array(cap);
    this.hashes = new Int32Array(cap);
    for (let i = 0; i < n; i++) {
      // a NULL in the key matches nothing
      if (cols.some((c) => isNullAt(c, i))) continue;
      const h = hashRow(cols, i);
      let p = h & this.mask;
      while (this.slots[p] !== 0) p = (p + 1) & this.mask;
      this.slots[p] = i + 1;
      this.hashes[p] = h;
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

  /** Appends the rows whose key equals row `j` of `probe` (columns of the same types) to `out`. */
  rowsOf(probe: readonly Column[], j: number, out: number[]): void {
    const h = hashRow(probe, j);
    for (let p = h & this.mask; this.slots[p] !== 0; p = (p + 1) & this.mask) {
      const i = this.slots[p] - 1;
      if (this.hashes[p] === h && sameKeyAcross(this.cols, i, probe, j)) out.push(i);
    }
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
