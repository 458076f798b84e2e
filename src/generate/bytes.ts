/**
 * Bytes without strings: a string table stored as bytes (ByteTable) whose
 * entries are copied four bytes at a time, and a growable output buffer
 * (ByteSink). Everything the generator writes is ASCII.
 */

/** A string table stored as bytes, for copying entries into file buffers without string work. */
export class ByteTable {
  /** Entry i is the bytes [start[i], start[i + 1]) of `view`, which has 8 bytes of padding (entries are copied 4 bytes at a time). */
  private constructor(readonly view: DataView, readonly start: Int32Array) {}

  static of(strings: readonly string[]): ByteTable {
    const text = strings.join('');
    const start = new Int32Array(strings.length + 1);
    let acc = 0;
    for (let i = 0; i < strings.length; i++) {
      start[i] = acc;
      acc += strings[i].length;
    }
    start[strings.length] = acc;
    const bytes = Buffer.alloc(text.length + 8);
    bytes.write(text, 0, 'latin1');
    return new ByteTable(new DataView(bytes.buffer, bytes.byteOffset, bytes.length), start);
  }

  /** A table of one entry (kept apart from `of`, whose optimized code is specialized for large tables). */
  static one(s: string): ByteTable {
    const bytes = Buffer.alloc(s.length + 8);
    bytes.write(s, 0, 'latin1');
    return new ByteTable(new DataView(bytes.buffer, bytes.byteOffset, bytes.length), Int32Array.of(0, s.length));
  }

  /** A table of `count` entries of `width` bytes each, given as their concatenation. */
  static fixed(text: string, count: number, width: number): ByteTable {
    const bytes = Buffer.alloc(text.length + 8);
    bytes.write(text, 0, 'latin1');
    const start = new Int32Array(count + 1);
    for (let i = 1; i <= count; i++) start[i] = i * width;
    return new ByteTable(new DataView(bytes.buffer, bytes.byteOffset, bytes.length), start);
  }

}

/**
 * Copies entry `i` of `t` to `dst` at `o`, four bytes at a time (so up to three
 * bytes past the entry are scribbled on; the next write or the final length
 * takes care of them; ByteSink keeps slack). Returns the new offset.
 */
export function copyEntry(dst: DataView, o: number, t: ByteTable, i: number): number {
  const src = t.view;
  const s = t.start[i];
  const n = t.start[i + 1] - s;
  for (let k = 0; k < n; k += 4) dst.setUint32(o + k, src.getUint32(s + k));
  return o + n;
}

/**
 * copyEntry for an entry of `width` bytes, at most 20, in straight-line code
 * (with `width` a constant where it is inlined, the tests fold away).
 */
export function copyFixed(dst: DataView, o: number, t: ByteTable, i: number, width: number): number {
  const src = t.view;
  const s = t.start[i];
  dst.setUint32(o, src.getUint32(s));
  if (width > 4) dst.setUint32(o + 4, src.getUint32(s + 4));
  if (width > 8) dst.setUint32(o + 8, src.getUint32(s + 8));
  if (width > 12) dst.setUint32(o + 12, src.getUint32(s + 12));
  if (width > 16) dst.setUint32(o + 16, src.getUint32(s + 16));
  return o + width;
}

/**
 * File content as bytes, written in place: clean rows are copied from byte
 * tables (emitClean), other rows field by field. No file-sized string is ever
 * built (a rope of millions of small strings would make GC dominate).
 * Everything written is ASCII.
 */
export class ByteSink {
  buf: Buffer;
  view: DataView;
  len = 0;
  /**
   * `shared`: the bytes live in a SharedArrayBuffer, so that another thread
   * can read them without a copy and without moving (detaching) the buffer:
   * the first detached ArrayBuffer of a process makes V8 throw away the
   * optimized code of every function that reads typed arrays.
   */
  constructor(size: number, private readonly shared = false, buf?: Buffer) {
    this.buf = buf ?? this.alloc(Math.max(8192, size));
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }
  /** A shared sink writing into `sab` from its start. */
  static over(sab: SharedArrayBuffer): ByteSink {
    return new ByteSink(0, true, Buffer.from(sab));
  }

  private alloc(n: number): Buffer {
    return this.shared ? Buffer.from(new SharedArrayBuffer(n)) : Buffer.allocUnsafeSlow(n);
  }
  /** Makes room for `n` more bytes (plus slack for 4-byte copies). */
  ensure(n: number): void {
    if (this.len + n + 8 > this.buf.length) {
      const b = this.alloc(Math.max(this.buf.length * 2, this.len + n + 8));
      this.buf.copy(b, 0, 0, this.len);
      this.buf = b;
      this.view = new DataView(b.buffer, b.byteOffset, b.length);
    }
  }
  write(s: string): void {
    this.ensure(s.length);
    // Short strings: a byte loop; longer ones (often concatenations): native copy.
    if (s.length <= 64) this.len = put(this.buf, this.len, s);
    else this.len += this.buf.write(s, this.len, 'latin1');
  }
  bytes(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

/** Copies the (ASCII) string `s` into `b` at `o`; returns the new offset. */
export function put(b: Uint8Array, o: number, s: string): number {
  for (let i = 0; i < s.length; i++) b[o++] = s.charCodeAt(i);
  return o;
}

/**
 * Shared sinks for file contents, reused once the writer thread has written
 * them: a fresh buffer of a file's size costs page faults and zeroing.
 */
export class SinkPool {
  private readonly free: ByteSink[] = [];

  /** An empty shared sink of at least `size` bytes. */
  take(size: number): ByteSink {
    const i = this.free.findIndex((s) => s.buf.length >= size);
    const sink = i >= 0 ? this.free.splice(i, 1)[0] : new ByteSink(size, true);
    sink.len = 0;
    return sink;
  }

  /** Returns a sink whose bytes are no longer read. */
  give(sink: ByteSink): void {
    this.free.push(sink);
  }
}
