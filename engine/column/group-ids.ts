/**
 * Distinct keys within one batch: each row gets the id of its key (ids in
 * order of first appearance), so per-key work (finding a group, decoding a
 * string) runs once per distinct key instead of once per row. Keys compare as
 * GROUP BY does: NULLs equal, numbers by value, strings by bytes.
 */
import { isNestedColumn, keyValueText, storageOf, type Column, type DecimalColumn, type MaskedColumn, type NestedColumn } from '../batch.js';

export interface BatchKeys {
  /** Row -> key id. */
  readonly ids: Int32Array;
  /** Key id -> its first row. */
  readonly firsts: Int32Array;
  readonly count: number;
}

const F64 = new Float64Array(1);
const W32 = new Int32Array(F64.buffer);

/** A row's key hash over `cols` (strings by their bytes; NULLs, numbers and texts as `sameKey` compares them). */
export function hashRow(cols: readonly Column[], i: number): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < cols.length; k++) {
    const c = cols[k];
    if (isNestedColumn(c) || c.type !== 'string' && storageOf(c.type) === 'decimal') {
      const s = keyValueText(c as DecimalColumn | NestedColumn, i);
      if (s !== null) for (let p = 0; p < s.length; p++) h = Math.imul(h ^ s.charCodeAt(p), 0x01000193);
      h = Math.imul(h ^ (s === null ? 1 : 2), 0x01000193);
      continue;
    }
    if (c.nulls !== null && c.nulls[i] === 1) { h = Math.imul(h ^ 0x9e37, 0x01000193); continue; }
    if (c.type === 'string') {
      const bytes = c.bytes;
      for (let p = c.offsets[i], e = c.offsets[i + 1]; p < e; p++) h = Math.imul(h ^ bytes[p], 0x01000193);
      h = Math.imul(h ^ 0xff, 0x01000193);
    } else {
      const x = (c as MaskedColumn).data[i];
      F64[0] = x === 0 ? 0 : x;
      h = Math.imul(h ^ W32[0], 0x01000193);
      h = Math.imul(h ^ W32[1], 0x01000193);
    }
  }
  h ^= h >>> 16;
  return h;
}

function sameKey(cols: readonly Column[], i: number, j: number): boolean {
  return sameKeyAcross(cols, i, cols, j);
}

/** Whether row `i` of `as` and row `j` of `bs` (columns of the same types) hold the same key. */
export function sameKeyAcross(as: readonly Column[], i: number, bs: readonly Column[], j: number): boolean {
  for (let k = 0; k < as.length; k++) {
    const c = as[k];
    if (isNestedColumn(c) || c.type !== 'string' && storageOf(c.type) === 'decimal') {
      if (keyValueText(c as DecimalColumn | NestedColumn, i) !== keyValueText(bs[k] as DecimalColumn | NestedColumn, j)) return false;
      continue;
    }
    const d = bs[k] as typeof c;
    const an = c.nulls !== null && c.nulls[i] === 1, bn = d.nulls !== null && d.nulls[j] === 1;
    if (an || bn) { if (an !== bn) return false; continue; }
    if (c.type === 'string') {
      if (d.type !== 'string') return false;
      const o = c.offsets, bytes = c.bytes, p = d.offsets, dbytes = d.bytes;
      const a0 = o[i], len = o[i + 1] - a0, b0 = p[j];
      if (p[j + 1] - b0 !== len) return false;
      for (let q = 0; q < len; q++) if (bytes[a0 + q] !== dbytes[b0 + q]) return false;
    } else {
      const x = (c as MaskedColumn).data[i], y = (d as MaskedColumn).data[j];
      if (x !== y && !(x !== x && y !== y)) return false;
    }
  }
  return true;
}

/** The distinct keys of rows [0, n) over `cols` (no columns: one key). */
export function batchKeys(cols: readonly Column[], n: number): BatchKeys {
  const ids = new Int32Array(n);
  if (cols.length === 0 || n === 0) return { ids, firsts: new Int32Array(n > 0 ? 1 : 0), count: n > 0 ? 1 : 0 };
  let cap = 16;
  while (cap < n * 2) cap *= 2;
  const mask = cap - 1;
  const slots = new Int32Array(cap).fill(-1);
  const hashes = new Int32Array(cap);
  const firsts: number[] = [];
  for (let i = 0; i < n; i++) {
    const h = hashRow(cols, i);
    let p = h & mask;
    for (;;) {
      const id = slots[p];
      if (id < 0) {
        slots[p] = firsts.length;
        hashes[p] = h;
        ids[i] = firsts.length;
        firsts.push(i);
        break;
      }
      if (hashes[p] === h && sameKey(cols, firsts[id], i)) { ids[i] = id; break; }
      p = (p + 1) & mask;
    }
  }
  return { ids, firsts: Int32Array.from(firsts), count: firsts.length };
}
