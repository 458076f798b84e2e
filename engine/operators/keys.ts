/**
 * Grouping and dedup keys.
 *
 * A key is a tuple of column values where NULLs compare equal (GROUP BY and
 * dropDuplicates semantics). `keyText` gives an exact, type-tagged text form;
 * `Hash128Set` stores 128-bit hashes of keys compactly (16 bytes a key, in one
 * typed array), so millions of dedup keys fit in tens of MB and serialize as one
 * buffer. A 128-bit hash makes a false "duplicate" practically impossible
 * (probability ~n²/2^129).
 */
import { isNestedColumn, keyValueText, stableText, storageOf, type Column, type DecimalColumn, type MaskedColumn, type NestedColumn } from '../batch.js';
import { isDecimal, isNested, type DataType, type Value } from '../ir/types.js';
import { strAt } from '../column/string-column.js';
import { sortKeys, type RunStore } from '../state/runs.js';
import { bytesOf, largeUint32 } from '../column/large-buffer.js';

/** Exact text of row i's key: values tagged by type, separated by a control character. */
export function keyText(cols: readonly Column[], i: number): string {
  let s = '';
  for (let k = 0; k < cols.length; k++) {
    const c = cols[k];
    if (k > 0) s += '\u0001';
    switch (c.type) {
      case 'string': { const v = strAt(c, i); s += v === null ? '\u0000' : 's' + v; break; }
      default:
        if (isNestedColumn(c) || storageOf(c.type) === 'decimal') { const v = keyValueText(c as DecimalColumn | NestedColumn, i); s += v === null ? '\u0000' : 'a' + v; break; }
        s += c.nulls !== null && c.nulls[i] === 1 ? '\u0000' : 'n' + (c as MaskedColumn).data[i]; break;
    }
  }
  return s;
}

/** The same text as `keyText`, from plain values of the given types. */
export function keyTextOfValues(values: readonly unknown[], types: readonly string[]): string {
  let s = '';
  for (let k = 0; k < values.length; k++) {
    if (k > 0) s += '\u0001';
    const v = values[k];
    if (v === null || v === undefined) s += '\u0000';
    else if (types[k] === 'string') s += 's' + v;
    else if (types[k] !== 'string' && (isNested(types[k] as DataType) || isDecimal(types[k] as DataType))) s += 'a' + (typeof v === 'object' ? stableText(v as Value) : String(v));
    else s += 'n' + (typeof v === 'boolean' ? (v ? 1 : 0) : v);
  }
  return s;
}

const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
const LEN_BYTES = new Uint8Array(4);

/**
 * Hashes a row's key to 128 bits from the exact byte form of its values, read
 * straight from the columns (no string is decoded or built). Each value is a
 * tag byte (0 NULL, 1 string, 2 number, 3 array) and then: a string's length
 * (4 bytes) and UTF-8 bytes; a number's float64 bytes (-0 as 0, one NaN, so
 * numeric types with equal values are equal keys, as in `keyText`); an array's
 * JSON text. The result equals `hash128Bytes` of those bytes concatenated.
 */
export class KeyHasher {
  private h1 = 0; private h2 = 0; private h3 = 0; private h4 = 0;
  private len = 0;
  /** The hash of the last `hash()` call. */
  readonly h = new Uint32Array(4);

  constructor() { this.reset(); }

  reset(): this {
    this.h1 = 0x9747b28c; this.h2 = 0x85ebca6b; this.h3 = 0xc2b2ae35; this.h4 = 0x27d4eb2f;
    this.len = 0;
    return this;
  }

  /** Mixes bytes[a, b) in. */
  private bytes(bytes: Uint8Array, a: number, b: number): void {
    let h1 = this.h1, h2 = this.h2, h3 = this.h3, h4 = this.h4;
    let i = this.len;
    for (let k = a; k < b; k++, i++) {
      const c = bytes[k];
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995); h2 ^= h2 >>> 15;
      h3 = Math.imul(h3 + c, 0xcc9e2d51); h3 = (h3 << 13) | (h3 >>> 19);
      h4 = Math.imul(h4 ^ (c + i), 0x1b873593); h4 ^= h4 >>> 13;
    }
    this.h1 = h1; this.h2 = h2; this.h3 = h3; this.h4 = h4;
    this.len = i;
  }

  /** Appends a single tag byte (also used as a separator). */
  tag(t: number): this {
    const c = t & 255, i = this.len++;
    this.h1 = Math.imul(this.h1 ^ c, 0x01000193);
    const h2 = Math.imul(this.h2 ^ c, 0x5bd1e995); this.h2 = h2 ^ (h2 >>> 15);
    const h3 = Math.imul(this.h3 + c, 0xcc9e2d51); this.h3 = (h3 << 13) | (h3 >>> 19);
    const h4 = Math.imul(this.h4 ^ (c + i), 0x1b873593); this.h4 = h4 ^ (h4 >>> 13);
    return this;
  }

  private tagged(t: number, bytes: Uint8Array, a: number, b: number): this {
    const n = b - a;
    this.tag(t);
    LEN_BYTES[0] = n & 255; LEN_BYTES[1] = (n >>> 8) & 255; LEN_BYTES[2] = (n >>> 16) & 255; LEN_BYTES[3] = n >>> 24;
    this.bytes(LEN_BYTES, 0, 4);
    this.bytes(bytes, a, b);
    return this;
  }

  /** Appends row i of column c. */
  add(c: Column, i: number): this {
    switch (c.type) {
      case 'string':
        if (c.nulls !== null && c.nulls[i] === 1) return this.tag(0);
        return this.tagged(1, c.bytes, c.offsets[i], c.offsets[i + 1]);
      default: {
        if (isNestedColumn(c) || storageOf(c.type) === 'decimal') {
          const v = keyValueText(c as DecimalColumn | NestedColumn, i);
          return v === null ? this.tag(0) : this.addText(3, v);
        }
        if (c.nulls !== null && c.nulls[i] === 1) return this.tag(0);
        return this.addNumber((c as MaskedColumn).data[i]);
      }
    }
  }

  /** Appends a number (as `add` appends a numeric column's value). */
  addNumber(x: number): this {
    F64[0] = x === 0 ? 0 : x !== x ? NaN : x;
    this.tag(2);
    this.bytes(F64_BYTES, 0, 8);
    return this;
  }

  /** Appends a tagged text value. */
  addText(tag: number, s: string): this {
    const e = Buffer.from(s, 'utf8');
    return this.tagged(tag, e, 0, e.length);
  }

  /** Appends row i of each column. */
  addRow(cols: readonly Column[], i: number): this {
    for (let k = 0; k < cols.length; k++) this.add(cols[k], i);
    return this;
  }

  /** The 128-bit hash of the bytes appended since `reset()` (into `h`). */
  hash(): Uint32Array {
    finish128(this.h1, this.h2, this.h3, this.h4, this.len, this.h);
    return this.h;
  }
}

function finish128(h1: number, h2: number, h3: number, h4: number, n: number, out: Uint32Array): void {
  h1 ^= n; h2 ^= n; h3 ^= n; h4 ^= n;
  out[0] = fmix(h1 ^ Math.imul(h3, 0x85ebca6b));
  out[1] = fmix(h2 ^ Math.imul(h4, 0xc2b2ae35));
  out[2] = fmix(h3 ^ Math.imul(h1, 0xcc9e2d51));
  out[3] = fmix(h4 ^ Math.imul(h2, 0x1b873593));
  if (out[0] === 0 && out[1] === 0 && out[2] === 0 && out[3] === 0) out[3] = 1; // all-zero marks an empty slot
}

/** Four independent 32-bit hashes of bytes[0, n) (murmur3-style mixing), i.e. 128 bits; never all zero. */
export function hash128Bytes(bytes: Uint8Array, n: number, out: Uint32Array): void {
  let h1 = 0x9747b28c, h2 = 0x85ebca6b, h3 = 0xc2b2ae35, h4 = 0x27d4eb2f;
  for (let i = 0; i < n; i++) {
    const c = bytes[i];
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995); h2 ^= h2 >>> 15;
    h3 = Math.imul(h3 + c, 0xcc9e2d51); h3 = (h3 << 13) | (h3 >>> 19);
    h4 = Math.imul(h4 ^ (c + i), 0x1b873593); h4 ^= h4 >>> 13;
  }
  finish128(h1, h2, h3, h4, n, out);
}

/** The 128-bit hash of a text's UTF-8 bytes. */
export function hash128(s: string, out: Uint32Array): void {
  const b = Buffer.from(s, 'utf8');
  hash128Bytes(b, b.length, out);
}

function fmix(h: number): number {
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The power-of-two slot count that holds `n` 128-bit keys at most 3/4 full. */
export function tableCapacity(n: number): number {
  let c = 16;
  while (c * 3 < n * 4) c *= 2;
  return c;
}

/**
 * Linear probing in 128-bit key slots (4 × uint32 each, all-zero = empty): the
 * slot holding `h`, or -1 - (the empty slot where it would go).
 */
export function findSlot128(s: Uint32Array, capacity: number, h: Uint32Array): number {
  const mask = capacity - 1;
  let p = h[0] & mask;
  for (;;) {
    const o = p * 4;
    if (s[o] === 0 && s[o + 1] === 0 && s[o + 2] === 0 && s[o + 3] === 0) return -1 - p;
    if (s[o] === h[0] && s[o + 1] === h[1] && s[o + 2] === h[2] && s[o + 3] === h[3]) return p;
    p = (p + 1) & mask;
  }
}

/** Change logs shorter than this are always kept. */
export const LOG_MIN = 65_536;

/** An open-addressing set of 128-bit hashes, stored as 4 × uint32 per slot (all-zero = empty). */
export class Hash128Set {
  private slots: Uint32Array;
  private capacity: number;
  size = 0;
  private readonly tmp = new Uint32Array(4);
  /** Hashes added since the last `drainAdded()` (a change log for incremental checkpoints). */
  private added = new Uint32Array(64);
  private addedCount = 0;
  private tracking = true;
  /** The change log outgrew a quarter of the set: it was dropped (the next checkpoint must be a snapshot). */
  logOverflowed = false;
  /** Sorted runs on disk holding the keys spilled from memory (see state/runs.ts), if any. */
  runs: RunStore | null = null;
  /** The in-memory table spills to `runs` when it holds this many keys. */
  private spillAt = Infinity;

  constructor(capacity = 1024) {
    this.capacity = tableCapacity(capacity);
    this.slots = largeUint32(this.capacity * 4);
  }

  /** Adds the key; returns true when it was not there yet. */
  addKey(text: string): boolean {
    hash128(text, this.tmp);
    return this.addHash(this.tmp);
  }

  hasKey(text: string): boolean {
    hash128(text, this.tmp);
    return this.find(this.tmp) >= 0 || (this.runs !== null && this.runs.get(this.tmp));
  }

  private find(h: Uint32Array): number {
    return findSlot128(this.slots, this.capacity, h);
  }

  /** Keys beyond `maxKeys` in memory go to `runs`, the in-memory table starting empty again. */
  spillTo(runs: RunStore, maxKeys: number): void {
    this.runs = runs;
    this.spillAt = Math.max(1, maxKeys);
    if (this.size >= this.spillAt) this.spill();
  }

  /** Before a snapshot: the in-memory keys go to a run when there are at least `min` of them (and runs are set up). */
  spillForSnapshot(min: number): void {
    if (this.runs !== null && this.size >= min) this.spill();
  }

  /** Keys in memory and on disk. */
  get total(): number { return this.size + (this.runs?.count ?? 0); }

  /** Adds a key by its 128-bit hash (see KeyHasher); returns true when it was not there yet. */
  addHash(h: Uint32Array): boolean {
    if (h[0] === 0 && h[1] === 0 && h[2] === 0 && h[3] === 0) h[3] = 1; // reserve all-zero for "empty"
    const f = this.find(h);
    if (f >= 0) return false;
    if (this.runs !== null && this.runs.get(h)) return false;
    const p = -1 - f;
    this.slots.set(h, p * 4);
    this.size++;
    if (this.size >= this.spillAt) { this.spill(); return true; }
    if (this.tracking && this.addedCount >= LOG_MIN && this.addedCount * 4 > this.size) {
      this.tracking = false;
      this.logOverflowed = true;
      this.added = new Uint32Array(64);
      this.addedCount = 0;
    }
    if (this.tracking) {
      if ((this.addedCount + 1) * 4 > this.added.length) { const g = new Uint32Array(this.added.length * 2); g.set(this.added); this.added = g; }
      this.added.set(h, this.addedCount * 4);
      this.addedCount++;
    }
    if (this.size * 4 > this.capacity * 3) this.rehash(this.capacity * 2);
    return true;
  }

  /**
   * Writes the in-memory keys as a sorted run and empties the table. The change
   * log stops until the next snapshot, which names the new run set.
   */
  private spill(): void {
    const keys = this.packed(largeUint32(this.size * 4));
    const sorted = sortKeys(keys, null, this.size);
    this.runs!.add(sorted.keys, null, this.size);
    this.slots.fill(0);
    this.size = 0;
    this.setTracking(false);
  }

  /** Hashes added since the last `drainAdded()`. */
  get addedSinceDrain(): number { return this.addedCount; }

  /** The hashes added since the last call, packed (16 bytes each), in insertion order. */
  drainAdded(): Uint8Array {
    const out = new Uint8Array(this.added.buffer.slice(0, this.addedCount * 16));
    this.added = new Uint32Array(64);
    this.addedCount = 0;
    return out;
  }

  /**
   * Turns the change log on or off (off while the next checkpoint is a snapshot
   * anyway, so a big first batch does not hold its keys twice); clears it.
   */
  setTracking(on: boolean): void {
    this.tracking = on;
    this.logOverflowed = false;
    this.added = new Uint32Array(64);
    this.addedCount = 0;
  }

  /** Adds packed hashes (a snapshot or a change log). */
  addPacked(bytes: Uint8Array): void {
    const copy = largeUint32(bytes.byteLength >> 2);
    bytesOf(copy).set(bytes.subarray(0, copy.length * 4));
    const h = new Uint32Array(4);
    const was = this.tracking;
    this.tracking = false;
    for (let o = 0; o + 3 < copy.length; o += 4) {
      h[0] = copy[o]; h[1] = copy[o + 1]; h[2] = copy[o + 2]; h[3] = copy[o + 3];
      this.addHash(h);
    }
    this.tracking = was;
  }

  private rehash(newCap: number): void {
    const old = this.slots;
    const was = this.tracking;
    this.tracking = false;
    // the keys move within memory: no run holds them
    const runs = this.runs;
    this.runs = null;
    this.capacity = newCap;
    this.slots = largeUint32(newCap * 4);
    this.size = 0;
    const h = new Uint32Array(4);
    for (let o = 0; o < old.length; o += 4) {
      if (old[o] === 0 && old[o + 1] === 0 && old[o + 2] === 0 && old[o + 3] === 0) continue;
      h[0] = old[o]; h[1] = old[o + 1]; h[2] = old[o + 2]; h[3] = old[o + 3];
      this.addHash(h);
    }
    this.runs = runs;
    this.tracking = was;
  }

  /** The stored hashes, packed (16 bytes each), in slot order. */
  toBytes(): Uint8Array {
    return new Uint8Array(this.packed(new Uint32Array(this.size * 4)).buffer);
  }

  /** The stored hashes packed into `out` (4 × uint32 each), in slot order. */
  private packed(out: Uint32Array): Uint32Array {
    let k = 0;
    const s = this.slots;
    for (let o = 0; o < s.length; o += 4) {
      if (s[o] === 0 && s[o + 1] === 0 && s[o + 2] === 0 && s[o + 3] === 0) continue;
      out[k++] = s[o]; out[k++] = s[o + 1]; out[k++] = s[o + 2]; out[k++] = s[o + 3];
    }
    return out;
  }

  static fromBytes(bytes: Uint8Array): Hash128Set {
    const set = new Hash128Set(Math.max(16, bytes.byteLength / 16));
    set.addPacked(bytes);
    return set;
  }
}
