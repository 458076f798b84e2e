/**
 * The file index of one streaming file source: every file it ingested, by
 * name, with its size, modification time and batch.
 *
 * After a month of two-minute batches a source has ingested ~22,000 files,
 * and a restart reads them all from the index snapshot. A `Map` of one object
 * per file took ~40 ms a source to build, plus the garbage. Here the snapshot's
 * columns stay as they were read (the names array and three number columns),
 * with an open-addressing table of row numbers over the names; the files
 * ingested since are kept in a `Map`. Lookups, additions and iteration behave
 * as on a `Map` of the same entries (a name added again replaces its row).
 */
import type { FileEntry } from '../sources/files.js';

export interface IndexedFile extends FileEntry {
  batchId: number;
}

/** FNV-1a over the UTF-16 code units of a name. */
function hashName(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The columns of a snapshot: the same length each; names distinct. */
export interface FileIndexColumns {
  name: string[];
  size: ArrayLike<number>;
  mtimeMs: ArrayLike<number>;
  batchId: ArrayLike<number>;
}

export class FileIndex implements Iterable<[string, IndexedFile]> {
  private readonly base: FileIndexColumns;
  /** Row + 1 of each name in the base columns, open addressing (0: empty). */
  private readonly slots: Int32Array;
  private readonly mask: number;
  /** Base rows replaced or deleted since the snapshot (allocated at the first). */
  private gone: Uint8Array | null = null;
  private baseLive: number;
  /** Files indexed since the snapshot, and base rows replaced. */
  private readonly added = new Map<string, IndexedFile>();

  constructor(columns?: FileIndexColumns) {
    this.base = columns ?? { name: [], size: [], mtimeMs: [], batchId: [] };
    const n = this.base.name.length;
    let cap = 16;
    while (cap < n * 2) cap *= 2;
    this.slots = new Int32Array(n ? cap : 0);
    this.mask = cap - 1;
    this.baseLive = n;
    for (let i = 0; i < n; i++) {
      const name = this.base.name[i];
      let h = hashName(name) & this.mask;
      for (;;) {
        const r = this.slots[h];
        if (r === 0) { this.slots[h] = i + 1; break; }
        // a name twice in a snapshot: the later row wins, as a Map built from it would keep
        if (this.base.name[r - 1] === name) { this.removeRow(r - 1); this.slots[h] = i + 1; break; }
        h = (h + 1) & this.mask;
      }
    }
  }

  /** The base row of a name, or -1. */
  private row(name: string): number {
    if (this.slots.length === 0) return -1;
    let h = hashName(name) & this.mask;
    for (;;) {
      const r = this.slots[h];
      if (r === 0) return -1;
      if (this.base.name[r - 1] === name) return this.gone?.[r - 1] ? -1 : r - 1;
      h = (h + 1) & this.mask;
    }
  }

  private removeRow(i: number): void {
    this.gone ??= new Uint8Array(this.base.name.length);
    if (!this.gone[i]) { this.gone[i] = 1; this.baseLive--; }
  }

  private entry(i: number): IndexedFile {
    const b = this.base;
    return { name: b.name[i], size: b.size[i], mtimeMs: b.mtimeMs[i], batchId: b.batchId[i] };
  }

  get size(): number { return this.baseLive + this.added.size; }

  has(name: string): boolean { return this.added.has(name) || this.row(name) >= 0; }

  get(name: string): IndexedFile | undefined {
    const f = this.added.get(name);
    if (f) return f;
    const i = this.row(name);
    return i >= 0 ? this.entry(i) : undefined;
  }

  set(name: string, f: IndexedFile): this {
    const i = this.row(name);
    if (i >= 0) this.removeRow(i);
    this.added.set(name, f);
    return this;
  }

  delete(name: string): boolean {
    if (this.added.delete(name)) return true;
    const i = this.row(name);
    if (i < 0) return false;
    this.removeRow(i);
    return true;
  }

  /** Removes the files of batches after `batchId` (not committed); returns how many. */
  dropAfter(batchId: number): number {
    let n = 0;
    const b = this.base.batchId;
    for (let i = 0; i < b.length; i++) if (b[i] > batchId && !this.gone?.[i]) { this.removeRow(i); n++; }
    for (const [name, f] of this.added) if (f.batchId > batchId) { this.added.delete(name); n++; }
    return n;
  }

  /** Every entry: the snapshot's rows in their order, then the files added since, in the order added. Like a Map's iterator, it sees entries added while it runs. */
  *values(): IterableIterator<IndexedFile> {
    const n = this.base.name.length;
    for (let i = 0; i < n; i++) if (!this.gone?.[i]) yield this.entry(i);
    yield* this.added.values();
  }

  *entries(): IterableIterator<[string, IndexedFile]> {
    for (const f of this.values()) yield [f.name, f];
  }

  [Symbol.iterator](): IterableIterator<[string, IndexedFile]> { return this.entries(); }
}
