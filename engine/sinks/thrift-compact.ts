/**
 * A lossless reader and writer of Thrift's compact protocol, the encoding of
 * Parquet footers, column indexes and offset indexes. Values keep their wire
 * types and field ids, so a decoded struct encodes back to the same bytes
 * unless a field was changed: fields this module knows nothing about (a newer
 * writer's statistics, say) survive a rewrite untouched.
 *
 * Neither Parquet library here offers this: parquet-wasm has no footer API,
 * and hyparquet's reader is internal and its metadata conversion drops the
 * wire types.
 */

export const T = {
  TRUE: 1, FALSE: 2, BYTE: 3, I16: 4, I32: 5, I64: 6, DOUBLE: 7, BINARY: 8, LIST: 9, SET: 10, MAP: 11, STRUCT: 12, UUID: 13,
} as const;

/** A struct: its fields in wire order. */
export type TStruct = TField[];
export interface TField { id: number; t: number; v: TValue }
export interface TList { et: number; items: TValue[] }
export interface TMap { kt: number; vt: number; entries: [TValue, TValue][] }
/** boolean (TRUE/FALSE), number (BYTE, I16, I32, DOUBLE), bigint (I64), bytes (BINARY, UUID), list/set, map or struct. */
export type TValue = boolean | number | bigint | Uint8Array | TList | TMap | TStruct;

export class ThriftError extends Error {}

class Reader {
  pos: number;
  constructor(readonly b: Uint8Array, start: number) { this.pos = start; }
  byte(): number {
    if (this.pos >= this.b.length) throw new ThriftError('thrift data ended early');
    return this.b[this.pos++];
  }
  varint(): bigint {
    let r = 0n, shift = 0n;
    for (;;) {
      const x = this.byte();
      r |= BigInt(x & 0x7f) << shift;
      if (!(x & 0x80)) return r;
      shift += 7n;
      if (shift > 70n) throw new ThriftError('thrift varint too long');
    }
  }
  zigzag(): bigint { const u = this.varint(); return (u >> 1n) ^ -(u & 1n); }
  bytes(n: number): Uint8Array {
    if (this.pos + n > this.b.length) throw new ThriftError('thrift data ended early');
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

function readValue(r: Reader, t: number): TValue {
  switch (t) {
    case T.TRUE: return true;
    case T.FALSE: return false;
    case T.BYTE: return r.byte();
    case T.I16: case T.I32: return Number(r.zigzag());
    case T.I64: return r.zigzag();
    case T.DOUBLE: { const b = r.bytes(8); return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true); }
    case T.BINARY: return r.bytes(Number(r.varint()));
    case T.UUID: return r.bytes(16);
    case T.LIST: case T.SET: {
      const h = r.byte();
      const et = h & 0x0f;
      const n = (h >> 4) === 15 ? Number(r.varint()) : h >> 4;
      // a boolean element is one byte (1 true, 2 false; some writers use 0 for false)
      const items: TValue[] = [];
      for (let i = 0; i < n; i++) items.push(et === T.TRUE || et === T.FALSE ? r.byte() === 1 : readValue(r, et));
      return { et, items };
    }
    case T.MAP: {
      const n = Number(r.varint());
      if (n === 0) return { kt: 0, vt: 0, entries: [] };
      const h = r.byte();
      const kt = h >> 4, vt = h & 0x0f;
      const el = (x: number) => (x === T.TRUE || x === T.FALSE ? r.byte() === 1 : readValue(r, x));
      const entries: [TValue, TValue][] = [];
      for (let i = 0; i < n; i++) entries.push([el(kt), el(vt)]);
      return { kt, vt, entries };
    }
    case T.STRUCT: return readStructAt(r);
    default: throw new ThriftError(`thrift type ${t} is not known`);
  }
}

function readStructAt(r: Reader): TStruct {
  const out: TStruct = [];
  let id = 0;
  for (;;) {
    const h = r.byte();
    const t = h & 0x0f;
    if (t === 0) return out;
    const delta = h >> 4;
    id = delta ? id + delta : Number(r.zigzag());
    out.push({ id, t, v: readValue(r, t) });
  }
}

/** Decodes a struct starting at `start`; `end` is where it stopped. */
export function readStruct(b: Uint8Array, start = 0): { value: TStruct; end: number } {
  const r = new Reader(b, start);
  const value = readStructAt(r);
  return { value, end: r.pos };
}

class Writer {
  private buf = new Uint8Array(1024);
  len = 0;
  private room(n: number) {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  byte(x: number) { this.room(1); this.buf[this.len++] = x & 0xff; }
  bytes(b: Uint8Array) { this.room(b.length); this.buf.set(b, this.len); this.len += b.length; }
  varint(x: bigint) {
    for (;;) {
      if (x < 0x80n) { this.byte(Number(x)); return; }
      this.byte(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
  }
  zigzag(x: bigint) { this.varint(x >= 0n ? x << 1n : ((-x) << 1n) - 1n); }
  done(): Uint8Array { return this.buf.slice(0, this.len); }
}

function writeValue(w: Writer, t: number, v: TValue): void {
  switch (t) {
    case T.TRUE: case T.FALSE: return; // in the field header
    case T.BYTE: w.byte(v as number); return;
    case T.I16: case T.I32: w.zigzag(BigInt(v as number)); return;
    case T.I64: w.zigzag(v as bigint); return;
    case T.DOUBLE: { const b = new Uint8Array(8); new DataView(b.buffer).setFloat64(0, v as number, true); w.bytes(b); return; }
    case T.BINARY: w.varint(BigInt((v as Uint8Array).length)); w.bytes(v as Uint8Array); return;
    case T.UUID: w.bytes(v as Uint8Array); return;
    case T.LIST: case T.SET: {
      const l = v as TList;
      if (l.items.length < 15) w.byte((l.items.length << 4) | l.et);
      else { w.byte(0xf0 | l.et); w.varint(BigInt(l.items.length)); }
      for (const x of l.items) writeElement(w, l.et, x);
      return;
    }
    case T.MAP: {
      const m = v as TMap;
      w.varint(BigInt(m.entries.length));
      if (!m.entries.length) return;
      w.byte((m.kt << 4) | m.vt);
      for (const [k, x] of m.entries) { writeElement(w, m.kt, k); writeElement(w, m.vt, x); }
      return;
    }
    case T.STRUCT: writeStructTo(w, v as TStruct); return;
    default: throw new ThriftError(`thrift type ${t} is not known`);
  }
}

function writeElement(w: Writer, t: number, v: TValue): void {
  if (t === T.TRUE || t === T.FALSE) w.byte(v ? 1 : 2);
  else writeValue(w, t, v);
}

function writeStructTo(w: Writer, s: TStruct): void {
  let last = 0;
  for (const f of s) {
    const t = f.t === T.TRUE || f.t === T.FALSE ? (f.v ? T.TRUE : T.FALSE) : f.t;
    const delta = f.id - last;
    if (delta > 0 && delta <= 15) w.byte((delta << 4) | t);
    else { w.byte(t); w.zigzag(BigInt(f.id)); }
    last = f.id;
    writeValue(w, t, f.v);
  }
  w.byte(0);
}

/** Encodes a struct (its fields in the order given, which should be by id). */
export function writeStruct(s: TStruct): Uint8Array {
  const w = new Writer();
  writeStructTo(w, s);
  return w.done();
}

// -- field access -------------------------------------------------------------

export function field(s: TStruct, id: number): TValue | undefined {
  for (const f of s) if (f.id === id) return f.v;
  return undefined;
}

/** Sets a field (added in id order when absent). */
export function setField(s: TStruct, id: number, t: number, v: TValue): void {
  const i = s.findIndex((f) => f.id >= id);
  if (i >= 0 && s[i].id === id) { s[i] = { id, t, v }; return; }
  if (i < 0) s.push({ id, t, v });
  else s.splice(i, 0, { id, t, v });
}

export function dropField(s: TStruct, id: number): void {
  const i = s.findIndex((f) => f.id === id);
  if (i >= 0) s.splice(i, 1);
}

/** A deep copy of a value (bytes are shared: they are never changed in place). */
export function cloneValue<V extends TValue>(v: V): V {
  if (Array.isArray(v)) return v.map((f) => ({ id: f.id, t: f.t, v: cloneValue(f.v) })) as V;
  if (typeof v !== 'object' || v instanceof Uint8Array) return v;
  if ('items' in v) return { et: v.et, items: v.items.map(cloneValue) } as V;
  return { kt: v.kt, vt: v.vt, entries: v.entries.map(([k, x]) => [cloneValue(k), cloneValue(x)]) } as V;
}
