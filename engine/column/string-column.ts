/**
 * String columns as UTF-8 bytes, in Arrow's variable-width layout: `offsets`
 * (n + 1 int32 byte positions) into one `bytes` buffer, plus the engine's null
 * mask (`nulls[i] === 1` means NULL, as for every other column type; the
 * Parquet writer turns it into Arrow's validity bitmap). Value i is
 * `bytes[offsets[i], offsets[i + 1])`; a NULL value has no bytes.
 *
 * Kernels read values through the accessors here. `strAt` decodes one value;
 * `stringsOf` decodes a whole column once (cached per column) for functions
 * that need JS strings (case mapping, regular expressions, JSON).
 */
import { utf8Decode, utf8Length, utf8Write, compareBytes, equalBytes } from './utf8.js';

export interface StringColumn {
  readonly type: 'string';
  readonly offsets: Int32Array;
  readonly bytes: Uint8Array;
  readonly nulls: Uint8Array | null;
}

const EMPTY_BYTES = new Uint8Array(0);

export function stringColumnLength(c: StringColumn): number {
  return c.offsets.length - 1;
}

export function strIsNull(c: StringColumn, i: number): boolean {
  return c.nulls !== null && c.nulls[i] === 1;
}

const decoded = new WeakMap<StringColumn, (string | null)[]>();

/** Value i as a JS string (null for NULL). */
export function strAt(c: StringColumn, i: number): string | null {
  if (c.nulls !== null && c.nulls[i] === 1) return null;
  const all = decoded.get(c);
  if (all !== undefined) return all[i];
  return utf8Decode(c.bytes, c.offsets[i], c.offsets[i + 1]);
}

/** Max bytes decoded as one JS string before slicing (well under V8's string limit). */
const MAX_JOINED_DECODE = 1 << 27;

/** Every value as a JS string, decoded once per column (the result is cached; do not mutate it). */
export function stringsOf(c: StringColumn): (string | null)[] {
  let out = decoded.get(c);
  if (out !== undefined) return out;
  const n = c.offsets.length - 1;
  out = new Array<string | null>(n);
  const { offsets, bytes, nulls } = c;
  const base = offsets[0];
  const end = offsets[n];
  let ascii = end - base <= MAX_JOINED_DECODE;
  if (ascii) for (let k = base; k < end; k++) if (bytes[k] >= 0x80) { ascii = false; break; }
  if (ascii && n > 0) {
    // One native decode, then slices (V8 shares the memory of slices of 13+ characters).
    const s = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1', base, end);
    for (let i = 0; i < n; i++) out[i] = nulls !== null && nulls[i] === 1 ? null : s.slice(offsets[i] - base, offsets[i + 1] - base);
  } else {
    for (let i = 0; i < n; i++) out[i] = nulls !== null && nulls[i] === 1 ? null : utf8Decode(bytes, offsets[i], offsets[i + 1]);
  }
  decoded.set(c, out);
  return out;
}

/** Byte length of value i (0 for NULL). */
export function strByteLength(c: StringColumn, i: number): number {
  return c.offsets[i + 1] - c.offsets[i];
}

/** Compares value i of x with value j of y by code point; both must be non-NULL. */
export function compareStrAt(x: StringColumn, i: number, y: StringColumn, j: number): number {
  return compareBytes(x.bytes, x.offsets[i], x.offsets[i + 1], y.bytes, y.offsets[j], y.offsets[j + 1]);
}

/** Whether value i of x equals value j of y; both must be non-NULL. */
export function equalStrAt(x: StringColumn, i: number, y: StringColumn, j: number): boolean {
  return equalBytes(x.bytes, x.offsets[i], x.offsets[i + 1], y.bytes, y.offsets[j], y.offsets[j + 1]);
}

/** Whether non-NULL value i equals `b` (UTF-8 bytes). */
export function strEqualsBytes(c: StringColumn, i: number, b: Uint8Array): boolean {
  return equalBytes(c.bytes, c.offsets[i], c.offsets[i + 1], b, 0, b.length);
}

/** A column from JS strings (null for NULL): one native encode of the joined text. */
export function stringColumnFromArray(values: readonly (string | null | undefined)[]): StringColumn {
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  let nulls: Uint8Array | null = null;
  let chars = 0;
  for (let i = 0; i < n; i++) {
    const s = values[i];
    if (s === null || s === undefined) (nulls ??= new Uint8Array(n))[i] = 1;
    else chars += s.length;
    offsets[i + 1] = chars;
  }
  if (chars === 0) return { type: 'string', offsets, bytes: EMPTY_BYTES, nulls };
  const joined = (values as (string | null)[]).join('');
  const buf = Buffer.from(joined, 'utf8');
  if (buf.length !== chars) {
    let o = 0;
    for (let i = 0; i < n; i++) {
      const s = values[i];
      if (s !== null && s !== undefined) o += utf8Length(s);
      offsets[i + 1] = o;
    }
    if (o !== buf.length) throw new Error('internal: UTF-8 length mismatch');
  }
  return { type: 'string', offsets, bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.length), nulls };
}

/** A column of `n` NULLs. */
export function nullStringColumn(n: number): StringColumn {
  return { type: 'string', offsets: new Int32Array(n + 1), bytes: EMPTY_BYTES, nulls: n > 0 ? new Uint8Array(n).fill(1) : null };
}

/** A column of `n` copies of `s`. */
export function constantStringColumn(s: string | null, n: number): StringColumn {
  if (s === null) return nullStringColumn(n);
  const one = Buffer.from(s, 'utf8');
  const len = one.length;
  const bytes = new Uint8Array(len * n);
  if (n > 0 && len > 0) {
    bytes.set(one, 0);
    let filled = len;
    while (filled < bytes.length) {
      const k = Math.min(filled, bytes.length - filled);
      bytes.copyWithin(filled, 0, k);
      filled += k;
    }
  }
  const offsets = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) offsets[i] = i * len;
  return { type: 'string', offsets, bytes, nulls: null };
}

/** Rows `indices[k]` of a column, in that order. */
export function takeStrings(c: StringColumn, indices: ArrayLike<number>): StringColumn {
  const n = indices.length;
  const { offsets: so, bytes: sb, nulls: sn } = c;
  const offsets = new Int32Array(n + 1);
  let total = 0;
  let nulls: Uint8Array | null = null;
  for (let k = 0; k < n; k++) {
    const i = indices[k];
    total += so[i + 1] - so[i];
    offsets[k + 1] = total;
    if (sn !== null && sn[i] === 1) (nulls ??= new Uint8Array(n))[k] = 1;
  }
  const bytes = new Uint8Array(total);
  // Copy runs of consecutive rows (a filter keeps most rows in order) in one piece.
  let k = 0;
  while (k < n) {
    const i0 = indices[k];
    let e = k + 1;
    while (e < n && indices[e] === indices[e - 1] + 1) e++;
    const a = so[i0], b = so[indices[e - 1] + 1];
    const o = offsets[k];
    if (b - a > 64) bytes.set(sb.subarray(a, b), o);
    else for (let p = a; p < b; p++) bytes[o + p - a] = sb[p];
    k = e;
  }
  return { type: 'string', offsets, bytes, nulls };
}

/** The columns one after the other. */
export function concatStrings(cols: readonly StringColumn[]): StringColumn {
  if (cols.length === 1) return cols[0];
  let n = 0, total = 0, anyNull = false;
  for (const c of cols) {
    const m = c.offsets.length - 1;
    n += m;
    total += c.offsets[m] - c.offsets[0];
    if (c.nulls) anyNull = true;
  }
  const offsets = new Int32Array(n + 1);
  const bytes = new Uint8Array(total);
  const nulls = anyNull ? new Uint8Array(n) : null;
  let row = 0, o = 0;
  for (const c of cols) {
    const m = c.offsets.length - 1;
    const base = c.offsets[0];
    bytes.set(c.bytes.subarray(base, c.offsets[m]), o);
    for (let i = 1; i <= m; i++) offsets[row + i] = o + c.offsets[i] - base;
    if (c.nulls) nulls!.set(c.nulls, row);
    row += m;
    o += c.offsets[m] - base;
  }
  return { type: 'string', offsets, bytes, nulls };
}

/**
 * A copy that owns exactly its bytes: a column sliced out of a large buffer
 * (a parsed file) would otherwise keep the whole buffer alive.
 */
export function compactStrings(c: StringColumn): StringColumn {
  const n = c.offsets.length - 1;
  const base = c.offsets[0];
  const used = c.offsets[n] - base;
  if (base === 0 && c.bytes.byteLength === used && c.bytes.buffer.byteLength === used) return c;
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) offsets[i] = c.offsets[i] - base;
  return { type: 'string', offsets, bytes: c.bytes.slice(base, base + used), nulls: c.nulls ? c.nulls.slice() : null };
}

/** A growable string column. */
export class StringColumnBuilder {
  private n = 0;
  private pos = 0;
  private offsets: Int32Array;
  private bytes: Uint8Array;
  private nulls: Uint8Array | null = null;

  constructor(capacity = 1024, byteCapacity = capacity * 16) {
    this.offsets = new Int32Array(Math.max(16, capacity) + 1);
    this.bytes = new Uint8Array(Math.max(64, byteCapacity));
  }

  get length(): number { return this.n; }

  private growRows(): void {
    const o = new Int32Array((this.offsets.length - 1) * 2 + 1);
    o.set(this.offsets);
    this.offsets = o;
    if (this.nulls) { const m = new Uint8Array(o.length - 1); m.set(this.nulls); this.nulls = m; }
  }

  private ensureBytes(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.bytes.length) return;
    let cap = this.bytes.length * 2;
    while (cap < need) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.bytes.subarray(0, this.pos));
    this.bytes = b;
  }

  pushNull(): void {
    if (this.n + 1 >= this.offsets.length) this.growRows();
    (this.nulls ??= new Uint8Array(this.offsets.length - 1))[this.n] = 1;
    this.n++;
    this.offsets[this.n] = this.pos;
  }

  /** Appends src[a, b) (UTF-8). */
  pushBytes(src: Uint8Array, a: number, b: number): void {
    if (this.n + 1 >= this.offsets.length) this.growRows();
    const len = b - a;
    this.ensureBytes(len);
    const dst = this.bytes;
    const o = this.pos;
    if (len > 32) dst.set(src.subarray(a, b), o);
    else for (let k = 0; k < len; k++) dst[o + k] = src[a + k];
    this.pos = o + len;
    this.n++;
    this.offsets[this.n] = this.pos;
  }

  pushString(s: string | null): void {
    if (s === null) { this.pushNull(); return; }
    if (this.n + 1 >= this.offsets.length) this.growRows();
    this.ensureBytes(s.length * 3);
    this.pos = utf8Write(s, this.bytes, this.pos);
    this.n++;
    this.offsets[this.n] = this.pos;
  }

  /** Takes back the values from row `n` on (`n` <= length). */
  truncate(n: number): void {
    if (this.nulls) this.nulls.fill(0, n, this.n);
    this.n = n;
    this.pos = this.offsets[n];
  }

  /** Appends value i of `c`. */
  pushFrom(c: StringColumn, i: number): void {
    if (c.nulls !== null && c.nulls[i] === 1) this.pushNull();
    else this.pushBytes(c.bytes, c.offsets[i], c.offsets[i + 1]);
  }

  finish(): StringColumn {
    const n = this.n;
    const full = this.pos * 4 >= this.bytes.length * 3;
    return {
      type: 'string',
      offsets: this.offsets.slice(0, n + 1),
      bytes: full ? this.bytes.subarray(0, this.pos) : this.bytes.slice(0, this.pos),
      nulls: this.nulls ? this.nulls.slice(0, n) : null,
    };
  }
}

export { compareBytes, equalBytes };
