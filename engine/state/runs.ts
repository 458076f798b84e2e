/**
 * Sorted runs of 128-bit keys on disk: the spilled part of a key table (dedup
 * keys, count-distinct pairs) once it outgrows its memory budget.
 *
 * A key table keeps its newest keys in memory (a hash table, the "memtable");
 * when that holds `maxKeys` keys it is sorted and written here as an immutable
 * run file, and the memtable starts empty. Runs never share a key (a key is
 * only added when no run holds it). A lookup that misses the memtable asks each
 * run: its Bloom filter (10 bits a key, in memory) rules most runs out, and a
 * hit reads one block of 128 entries, found through in-memory fence keys (the
 * first key of each block). Runs of similar size are merged (a new run of both,
 * written sequentially), so there are about log2(keys / maxKeys) of them.
 *
 * So memory is bounded by `maxKeys` plus ~1.3 bytes a key on disk, whatever
 * the history. Checkpoints name the runs in a manifest; a run file is deleted
 * only once no state a restart could load still names it (see `retire`).
 *
 * File: a 32-byte header (magic, version, entry count, value bytes, Bloom words), the sorted
 * entries (4 × uint32 key, then a float64 value if any), the Bloom filter
 * words, the fence keys.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FSYNC } from './checkpoint.js';
import { bytesOf, largeFloat64, largeUint32 } from '../column/large-buffer.js';

const MAGIC = 0x4e52444c; // "LDRN"
const VERSION = 1;
const HEADER = 32;
/** Entries per block (one read on a Bloom hit). */
export const BLOCK = 128;
const BLOOM_BITS_PER_KEY = 10;
const BLOOM_PROBES = 7;
/** Entries per read or write buffer while merging and writing. */
const IO_ENTRIES = 16_384;

/**
 * A state snapshot first writes the in-memory keys as a run when there are at
 * least this many (a key table with runs on disk): a snapshot then holds few
 * keys, so a restart rebuilds a small hash table instead of up to `maxKeys`
 * keys (262,144 by default: ~150 ms), and reads the runs' Bloom filters
 * instead. A month of two-minute batches adds ~1.7M dedup keys: about 50 runs
 * of this size, merged as they come to about log2(50) runs.
 */
export const SPILL_AT_SNAPSHOT = 32_768;

/** Where keys beyond a memory budget go: sorted runs in `dir`. */
export interface SpillOptions {
  dir: string;
  /** Keys held in memory before they are written to disk. */
  maxKeys: number;
  /** A snapshot writes the in-memory keys as a run first when there are at least this many (default SPILL_AT_SNAPSHOT). */
  snapshotKeys?: number;
}

export interface RunManifest {
  /** The id the next run file gets. */
  next: number;
  runs: { id: number; count: number }[];
}

/** A damaged or missing run file. */
export class RunFileError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`${file}: ${reason}`);
  }
}

/** Compares keys a[i] and b[j] (4 × uint32 each) as unsigned 128-bit numbers. */
function cmpKey(a: Uint32Array, i: number, b: Uint32Array, j: number): number {
  for (let k = 0; k < 4; k++) {
    const x = a[i + k], y = b[j + k];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

class Run {
  constructor(
    readonly id: number,
    readonly file: string,
    readonly fd: number,
    readonly count: number,
    readonly bloom: Uint32Array,
    /** First key of each block, 4 × uint32 each. */
    readonly fences: Uint32Array,
  ) {}

  mayHold(h: Uint32Array): boolean {
    const m = this.bloom.length * 32;
    const a = h[1], b = h[2] | 1;
    for (let i = 0; i < BLOOM_PROBES; i++) {
      const p = ((a + Math.imul(i, b)) >>> 0) % m;
      if ((this.bloom[p >>> 5] & (1 << (p & 31))) === 0) return false;
    }
    return true;
  }
}

function bloomWords(count: number): number {
  return Math.max(2, Math.ceil((count * BLOOM_BITS_PER_KEY) / 32));
}

function bloomAdd(bloom: Uint32Array, keys: Uint32Array, o: number): void {
  const m = bloom.length * 32;
  const a = keys[o + 1], b = keys[o + 2] | 1;
  for (let i = 0; i < BLOOM_PROBES; i++) {
    const p = ((a + Math.imul(i, b)) >>> 0) % m;
    bloom[p >>> 5] |= 1 << (p & 31);
  }
}

/** Writes one run sequentially; the Bloom filter and fences are built on the way. */
class RunWriter {
  private readonly fd: number;
  private readonly buf: ArrayBuffer;
  private readonly u32: Uint32Array;
  private readonly f64: Float64Array;
  private n = 0;
  private buffered = 0;
  private readonly bloom: Uint32Array;
  private readonly fences: number[] = [];
  private readonly stride: number;

  constructor(readonly file: string, readonly valueBytes: number, maxCount: number) {
    this.fd = fs.openSync(file, 'w');
    this.stride = (16 + valueBytes) / 4;
    this.buf = new ArrayBuffer(IO_ENTRIES * (16 + valueBytes));
    this.u32 = new Uint32Array(this.buf);
    this.f64 = new Float64Array(this.buf);
    this.bloom = largeUint32(bloomWords(maxCount));
    this.at = HEADER;
  }

  /** File offset of the next write (writes are positional: the header goes in last, at 0). */
  private at: number;

  private write(bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.byteLength) done += fs.writeSync(this.fd, bytes, done, bytes.byteLength - done, this.at + done);
    this.at += bytes.byteLength;
  }

  push(keys: Uint32Array, o: number, value: number): void {
    if (this.n % BLOCK === 0) this.fences.push(keys[o], keys[o + 1], keys[o + 2], keys[o + 3]);
    bloomAdd(this.bloom, keys, o);
    const p = this.buffered * this.stride;
    this.u32[p] = keys[o]; this.u32[p + 1] = keys[o + 1]; this.u32[p + 2] = keys[o + 2]; this.u32[p + 3] = keys[o + 3];
    if (this.valueBytes) this.f64[p / 2 + 2] = value;
    this.n++;
    if (++this.buffered === IO_ENTRIES) this.drain();
  }

  private drain(): void {
    if (this.buffered) this.write(new Uint8Array(this.buf, 0, this.buffered * this.stride * 4));
    this.buffered = 0;
  }

  finish(id: number): Run {
    this.drain();
    const fences = new Uint32Array(this.fences);
    this.write(bytesOf(this.bloom));
    this.write(new Uint8Array(fences.buffer));
    const header = new Uint32Array([MAGIC, VERSION, this.n, this.valueBytes, this.bloom.length, 0, 0, 0]);
    this.at = 0;
    this.write(new Uint8Array(header.buffer));
    if (FSYNC) fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    return openRun(this.file, id, this.n, this.valueBytes);
  }
}

/** Opens a run file, checking its header and length against the manifest. */
function openRun(file: string, id: number, count: number, valueBytes: number): Run {
  let fd: number;
  try { fd = fs.openSync(file, 'r'); } catch (e) { throw new RunFileError(file, (e as Error).message); }
  try {
    const header = new Uint32Array(HEADER / 4);
    const got = fs.readSync(fd, new Uint8Array(header.buffer), 0, HEADER, 0);
    if (got !== HEADER || header[0] !== MAGIC || header[1] !== VERSION) throw new RunFileError(file, 'not a key run file');
    if (header[2] !== count || header[3] !== valueBytes) throw new RunFileError(file, `holds ${header[2]} entries of ${header[3]}-byte values, the checkpoint expects ${count} of ${valueBytes}`);
    const entryBytes = 16 + valueBytes;
    const words = header[4];
    if (words < 2) throw new RunFileError(file, 'has no Bloom filter');
    const blocks = Math.ceil(count / BLOCK);
    const size = HEADER + count * entryBytes + words * 4 + blocks * 16;
    if (fs.fstatSync(fd).size !== size) throw new RunFileError(file, `is ${fs.fstatSync(fd).size} bytes, expected ${size}`);
    const bloom = largeUint32(words);
    fs.readSync(fd, bytesOf(bloom), 0, words * 4, HEADER + count * entryBytes);
    const fences = largeUint32(blocks * 4);
    fs.readSync(fd, bytesOf(fences), 0, blocks * 16, HEADER + count * entryBytes + words * 4);
    return new Run(id, file, fd, count, bloom, fences);
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/** Reads a run's entries in order, a buffer at a time. */
class RunReader {
  private readonly buf: ArrayBuffer;
  readonly u32: Uint32Array;
  readonly f64: Float64Array;
  private start = 0; // entry index of buf[0]
  private loaded = 0;
  /** Position in the buffer of the current entry (in entries). */
  pos = 0;
  private readonly stride: number;

  constructor(private readonly run: Run, private readonly valueBytes: number) {
    this.stride = (16 + valueBytes) / 4;
    this.buf = new ArrayBuffer(IO_ENTRIES * (16 + valueBytes));
    this.u32 = new Uint32Array(this.buf);
    this.f64 = new Float64Array(this.buf);
    this.fill();
  }

  get done(): boolean { return this.start + this.pos >= this.run.count; }
  /** Offset in `u32` of the current key. */
  get keyAt(): number { return this.pos * this.stride; }
  get value(): number { return this.valueBytes ? this.f64[(this.pos * this.stride) / 2 + 2] : 0; }

  next(): void {
    if (++this.pos === this.loaded && !this.done) { this.start += this.loaded; this.fill(); }
  }

  private fill(): void {
    const n = Math.min(IO_ENTRIES, this.run.count - this.start);
    const bytes = n * this.stride * 4;
    const got = fs.readSync(this.run.fd, new Uint8Array(this.buf, 0, bytes), 0, bytes, HEADER + this.start * this.stride * 4);
    if (got !== bytes) throw new RunFileError(this.run.file, 'ends early');
    this.loaded = n;
    this.pos = 0;
  }
}

/** The runs of one key table, newest last. */
export class RunStore {
  private runs: Run[] = [];
  private next = 0;
  /** The run set changed since the last manifest: the next checkpoint must name the new set. */
  changed = false;
  /** Runs merged away since the last manifest, and those merged away before it (deleted at the next checkpoint). */
  private retired: Run[] = [];
  private awaitingCommit: Run[] = [];
  private readonly stride: number;
  private readonly block: ArrayBuffer;
  private readonly blockU32: Uint32Array;
  private readonly blockF64: Float64Array;
  /** The value of the last key `get` found. */
  value = 0;

  private constructor(readonly dir: string, readonly valueBytes: 0 | 8) {
    this.stride = (16 + valueBytes) / 4;
    this.block = new ArrayBuffer(BLOCK * (16 + valueBytes));
    this.blockU32 = new Uint32Array(this.block);
    this.blockF64 = new Float64Array(this.block);
  }

  /**
   * An empty store. Run files left in `dir` by an older state are removed at
   * the checkpoint after its first manifest (when no loadable state names them).
   */
  static create(dir: string, valueBytes: 0 | 8): RunStore {
    fs.mkdirSync(dir, { recursive: true });
    const s = new RunStore(dir, valueBytes);
    s.sweep = 2;
    // ids continue after the files there: a state that names them may still be the one a restart loads
    for (const f of fs.readdirSync(dir)) {
      const m = /^(\d+)\.run$/.exec(f);
      if (m) s.next = Math.max(s.next, Number(m[1]) + 1);
    }
    return s;
  }

  /** Ids of the runs the last manifest (or the loaded one) names. */
  private named = new Set<number>();
  /** Counts down the checkpoints until files this store does not know are removed. */
  private sweep = 0;

  /** The store a checkpoint names; run files it does not name are removed. */
  static open(dir: string, valueBytes: 0 | 8, m: RunManifest): RunStore {
    const id = (x: unknown): boolean => Number.isSafeInteger(x) && (x as number) >= 0;
    if (!m || !id(m.next) || !Array.isArray(m.runs) || !m.runs.every((r) => r && id(r.id) && r.id < m.next && id(r.count)) || new Set(m.runs.map((r) => r.id)).size !== m.runs.length) {
      throw new TypeError('run manifest is malformed');
    }
    const s = new RunStore(dir, valueBytes);
    s.next = m.next;
    fs.mkdirSync(dir, { recursive: true });
    const named = new Set(m.runs.map((r) => `${r.id}.run`));
    for (const f of fs.readdirSync(dir)) if (f.endsWith('.run') && !named.has(f)) fs.rmSync(path.join(dir, f), { force: true });
    for (const r of m.runs) s.runs.push(openRun(path.join(dir, `${r.id}.run`), r.id, r.count, valueBytes));
    s.named = new Set(m.runs.map((r) => r.id));
    return s;
  }

  get count(): number {
    let n = 0;
    for (const r of this.runs) n += r.count;
    return n;
  }

  /** Whether a run holds key `h` (its value then in `value`). */
  get(h: Uint32Array): boolean {
    for (let i = this.runs.length - 1; i >= 0; i--) {
      const r = this.runs[i];
      if (r.mayHold(h) && this.find(r, h)) return true;
    }
    return false;
  }

  private find(r: Run, h: Uint32Array): boolean {
    // the last block whose first key is <= h
    let lo = 0, hi = r.fences.length / 4 - 1;
    if (cmpKey(r.fences, 0, h, 0) > 0) return false;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (cmpKey(r.fences, mid * 4, h, 0) <= 0) lo = mid; else hi = mid - 1;
    }
    const first = lo * BLOCK;
    const n = Math.min(BLOCK, r.count - first);
    const bytes = n * this.stride * 4;
    const got = fs.readSync(r.fd, new Uint8Array(this.block, 0, bytes), 0, bytes, HEADER + first * this.stride * 4);
    if (got !== bytes) throw new RunFileError(r.file, 'ends early');
    let a = 0, b = n - 1;
    while (a <= b) {
      const mid = (a + b) >>> 1;
      const c = cmpKey(this.blockU32, mid * this.stride, h, 0);
      if (c === 0) { this.value = this.valueBytes ? this.blockF64[(mid * this.stride) / 2 + 2] : 0; return true; }
      if (c < 0) a = mid + 1; else b = mid - 1;
    }
    return false;
  }

  /**
   * Writes `n` keys (sorted, none held by a run) with their values as a new run,
   * then merges runs of similar size; `keep` filters entries while merging.
   */
  add(keys: Uint32Array, values: Float64Array | null, n: number, keep?: (keys: Uint32Array, o: number, value: number) => boolean): void {
    if (n === 0) return;
    const w = new RunWriter(path.join(this.dir, `${this.next}.run`), this.valueBytes, n);
    for (let i = 0; i < n; i++) w.push(keys, i * 4, values ? values[i] : 0);
    this.runs.push(w.finish(this.next++));
    this.changed = true;
    while (this.runs.length > 1 && this.runs[this.runs.length - 1].count * 2 >= this.runs[this.runs.length - 2].count) {
      const b = this.runs.pop()!, a = this.runs.pop()!;
      this.runs.push(this.merge(a, b, keep));
    }
  }

  private merge(a: Run, b: Run, keep?: (keys: Uint32Array, o: number, value: number) => boolean): Run {
    const w = new RunWriter(path.join(this.dir, `${this.next}.run`), this.valueBytes, a.count + b.count);
    const ra = new RunReader(a, this.valueBytes), rb = new RunReader(b, this.valueBytes);
    const emit = (r: RunReader) => {
      if (!keep || keep(r.u32, r.keyAt, r.value)) w.push(r.u32, r.keyAt, r.value);
      r.next();
    };
    while (!ra.done && !rb.done) emit(cmpKey(ra.u32, ra.keyAt, rb.u32, rb.keyAt) <= 0 ? ra : rb);
    while (!ra.done) emit(ra);
    while (!rb.done) emit(rb);
    const out = w.finish(this.next++);
    for (const r of [a, b]) {
      if (this.named.has(r.id)) this.retired.push(r);
      else { fs.closeSync(r.fd); fs.rmSync(r.file, { force: true }); } // no checkpoint names it
    }
    return out;
  }

  /**
   * The run set for a checkpoint. Runs merged away before the previous
   * manifest are deleted now: the state that named them can no longer be
   * loaded (the batch after it committed before this checkpoint was asked for).
   */
  manifest(): RunManifest {
    this.collect();
    this.awaitingCommit = this.retired;
    this.retired = [];
    this.changed = false;
    this.named = new Set(this.runs.map((r) => r.id));
    return { next: this.next, runs: this.runs.map((r) => ({ id: r.id, count: r.count })) };
  }

  /** Deletes the runs merged away before the last manifest (called at every checkpoint). */
  collect(): void {
    for (const r of this.awaitingCommit) {
      try { fs.closeSync(r.fd); } catch { /* already closed */ }
      fs.rmSync(r.file, { force: true });
    }
    this.awaitingCommit = [];
    if (this.sweep > 0 && --this.sweep === 0) {
      const known = new Set([...this.runs, ...this.retired].map((r) => path.basename(r.file)));
      for (const f of fs.readdirSync(this.dir)) if (f.endsWith('.run') && !known.has(f)) fs.rmSync(path.join(this.dir, f), { force: true });
    }
  }

  /** Closes every file (the store is no longer used; files stay). */
  close(): void {
    for (const r of [...this.runs, ...this.retired, ...this.awaitingCommit]) {
      try { fs.closeSync(r.fd); } catch { /* already closed */ }
    }
    this.runs = [];
    this.retired = [];
    this.awaitingCommit = [];
  }
}

/**
 * Sorts `n` 128-bit keys (4 × uint32 each) and their values: a counting sort on
 * the top 16 bits of the first word, then insertion sort within each bucket
 * (hash keys are uniform, so buckets hold a handful).
 */
export function sortKeys(keys: Uint32Array, values: Float64Array | null, n: number): { keys: Uint32Array; values: Float64Array | null } {
  const counts = new Uint32Array(65_537);
  for (let i = 0; i < n; i++) counts[(keys[i * 4] >>> 16) + 1]++;
  for (let b = 1; b < counts.length; b++) counts[b] += counts[b - 1];
  const outK = largeUint32(n * 4);
  const outV = values ? largeFloat64(n) : null;
  const pos = counts.slice(0, 65_536);
  for (let i = 0; i < n; i++) {
    const p = pos[keys[i * 4] >>> 16]++;
    outK[p * 4] = keys[i * 4]; outK[p * 4 + 1] = keys[i * 4 + 1]; outK[p * 4 + 2] = keys[i * 4 + 2]; outK[p * 4 + 3] = keys[i * 4 + 3];
    if (outV) outV[p] = values![i];
  }
  const t = new Uint32Array(4);
  for (let b = 0; b < 65_536; b++) {
    const lo = counts[b], hi = counts[b + 1];
    for (let i = lo + 1; i < hi; i++) {
      t[0] = outK[i * 4]; t[1] = outK[i * 4 + 1]; t[2] = outK[i * 4 + 2]; t[3] = outK[i * 4 + 3];
      const v = outV ? outV[i] : 0;
      let j = i - 1;
      while (j >= lo && cmpKey(outK, j * 4, t, 0) > 0) {
        outK.copyWithin((j + 1) * 4, j * 4, j * 4 + 4);
        if (outV) outV[j + 1] = outV[j];
        j--;
      }
      outK.set(t, (j + 1) * 4);
      if (outV) outV[j + 1] = v;
    }
  }
  return { keys: outK, values: outV };
}
