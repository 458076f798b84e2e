/**
 * Bytes without strings: a string table stored as bytes (ByteTable) whose
 * entries are copied four bytes at a time, and a growable output buffer
 * (ByteSink). Everything the generator writes is ASCII.
 */
/** A string table stored as bytes, for copying entries into file buffers without string work. */
export class ByteTable {
  readonly view: DataView;
  readonly start: Int32Array;
  constructor(strings: readonly string[]) {
    const text = strings.join('');
    // 8 bytes of padding: entries are copied 4 bytes at a time.
    const bytes = new Uint8Array(text.length + 8);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    this.view = new DataView(bytes.buffer);
    this.start = new Int32Array(strings.length + 1);
    let acc = 0;
    strings.forEach((x, i) => { this.start[i] = acc; acc += x.length; });
    this.start[strings.length] = acc;
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
 * File content as bytes, written in place: clean rows are copied from byte
 * tables (emitClean), other rows field by field. No file-sized string is ever
 * built (a rope of millions of small strings would make GC dominate).
 * Everything written is ASCII.
 */
export class ByteSink {
  buf: Buffer;
  view: DataView;
  len = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafeSlow(Math.max(8192, size));
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }
  /** Makes room for `n` more bytes (plus slack for 4-byte copies). */
  ensure(n: number): void {
    if (this.len + n + 8 > this.buf.length) {
      const b = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.len + n + 8));
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

