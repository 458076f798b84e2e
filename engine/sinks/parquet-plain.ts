/**
 * A Parquet writer for small flat batches, in JavaScript.
 *
 * Why: a batch of a few rows or a few thousand (a gold view's new contents, a
 * micro-batch's bronze file, an event-log part) went through Arrow's IPC
 * writer into parquet-wasm, whose fixed costs (the IPC schema, the copy into
 * wasm memory, the writer's settings, one call per column) were most of the
 * time: 0.5–1.5 ms for a 10-row view, 4–8 ms for 1,000 rows. Here the pages
 * are written straight from the columns.
 *
 * The file is laid out as parquet-wasm would lay out the same schema, so that
 * files from both writers are concatenated page by page (parquet-concat.ts
 * needs equal schemas, key-value metadata and column orders): those parts of
 * the footer are taken from parquet-wasm's own encoding of an empty batch of
 * the schema, once per schema. The rest is one row group with one PLAIN data
 * page (v1) per column, definition levels RLE/bit-packed, SNAPPY where it
 * pays (the codec chosen per column as for parquet-wasm's files, and kept
 * only when it saves bytes), and chunk statistics (null count, minimum and
 * maximum, exact) as `columnStats` computes them.
 *
 * Columns of nested or decimal types, and options other than the defaults,
 * are left to parquet-wasm (`encodePlainParquet` returns null).
 */
import type { Batch, Column } from '../batch.js';
import type { StringColumn } from '../column/string-column.js';
import type { DataType, Schema } from '../ir/types.js';
import { CC, CMD, DPH, FMD, MAGIC, PH, RG, SE, STATS, parquetFooterOf } from './parquet-footer.js';
import { columnStats, type ColumnStats } from './parquet-stats.js';
import { snappyCompress } from './snappy.js';
import { T, field, writeStruct, type TList, type TStruct } from './thrift-compact.js';

/** Batches up to this many rows are written here: past about 3,000 rows parquet-wasm is faster (its fixed cost of ~2 ms is paid back) and its dictionaries write fewer bytes. */
export const PLAIN_MAX_ROWS = 2_048;

/** Parquet physical types (parquet.thrift `Type`). */
const PT = { BOOLEAN: 0, INT32: 1, INT64: 2, DOUBLE: 5, BYTE_ARRAY: 6 } as const;
const PHYSICAL_OF: Record<string, number> = {
  boolean: PT.BOOLEAN, int: PT.INT32, date: PT.INT32, long: PT.INT64, timestamp: PT.INT64, double: PT.DOUBLE, string: PT.BYTE_ARRAY,
};
/** The physical type this writer uses for an engine type (undefined: not written here). */
const physical = (t: DataType): number | undefined => (Object.hasOwn(PHYSICAL_OF, t) ? PHYSICAL_OF[t] : undefined);
const ENC_PLAIN = 0, ENC_RLE = 3;
const CODEC_UNCOMPRESSED = 0, CODEC_SNAPPY = 1;

interface Template {
  /** parquet-wasm's file for no rows (written as is for an empty batch). */
  empty: Uint8Array;
  /** The footer fields copied into every file: version, schema, key-value metadata, created_by, column orders. */
  head: TStruct;
  tail: TStruct;
}

const templates = new Map<string, Template | null>();
const MAX_TEMPLATES = 256;

function templateOf(schema: Schema, encodeEmpty: () => Uint8Array): Template | null {
  const key = JSON.stringify(schema.map((f) => [f.name, f.type]));
  let t = templates.get(key);
  if (t !== undefined) return t;
  t = null;
  try {
    const empty = encodeEmpty();
    const meta = parquetFooterOf(empty).meta;
    const elements = (field(meta, FMD.SCHEMA) as TList).items as TStruct[];
    // flat: the root, then one leaf per column of the expected physical type
    const leaves = elements.slice(1);
    const flat = leaves.length === schema.length && leaves.every((e, j) => field(e, SE.NUM_CHILDREN) === undefined && field(e, SE.TYPE) === physical(schema[j].type));
    if (flat) {
      const keep = (ids: number[]) => meta.filter((f) => ids.includes(f.id));
      t = { empty, head: keep([FMD.VERSION, FMD.SCHEMA]), tail: keep([FMD.KV, FMD.CREATED_BY, FMD.COLUMN_ORDERS]) };
    }
  } catch {
    t = null;
  }
  if (templates.size >= MAX_TEMPLATES) templates.delete(templates.keys().next().value!);
  templates.set(key, t);
  return t;
}

/** A growable byte buffer. */
class Bytes {
  buf: Uint8Array;
  len = 0;
  constructor(n: number) { this.buf = new Uint8Array(Math.max(64, n)); }
  room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  byte(x: number): void { this.room(1); this.buf[this.len++] = x; }
  varint(x: number): void { while (x > 0x7f) { this.byte((x & 0x7f) | 0x80); x = Math.floor(x / 128); } this.byte(x); }
  u32(x: number): void { this.room(4); const b = this.buf, o = this.len; b[o] = x & 0xff; b[o + 1] = (x >>> 8) & 0xff; b[o + 2] = (x >>> 16) & 0xff; b[o + 3] = (x >>> 24) & 0xff; this.len += 4; }
  put(b: Uint8Array): void { this.room(b.length); this.buf.set(b, this.len); this.len += b.length; }
  view(): Uint8Array { return this.buf.subarray(0, this.len); }
}

/** Definition levels (max level 1) as the RLE/bit-packed hybrid, after their 4-byte length. */
function writeLevels(out: Bytes, nulls: Uint8Array | null, n: number, nullCount: number): void {
  const at = out.len;
  out.u32(0);
  if (n === 0) { /* no levels */ } else if (nullCount === 0) {
    out.varint(n * 2); // one RLE run of 1s
    out.byte(1);
  } else if (nullCount === n) {
    out.varint(n * 2);
    out.byte(0);
  } else {
    const groups = Math.ceil(n / 8);
    out.varint(groups * 2 + 1); // one bit-packed run
    out.room(groups);
    const b = out.buf;
    for (let g = 0; g < groups; g++) {
      let x = 0;
      for (let k = 0, i = g * 8; k < 8 && i < n; k++, i++) if (nulls![i] !== 1) x |= 1 << k;
      b[out.len++] = x;
    }
  }
  const len = out.len - at - 4;
  out.buf[at] = len & 0xff; out.buf[at + 1] = (len >>> 8) & 0xff; out.buf[at + 2] = (len >>> 16) & 0xff; out.buf[at + 3] = (len >>> 24) & 0xff;
}

const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);

/** The PLAIN values of a column's non-null rows. */
function writeValues(out: Bytes, c: Column, n: number): void {
  const nulls = (c as { nulls: Uint8Array | null }).nulls;
  const valid = (i: number) => nulls === null || nulls[i] !== 1;
  switch (c.type) {
    case 'string': {
      const { offsets, bytes } = c as StringColumn;
      out.room(offsets[n] - offsets[0] + 4 * n);
      const b = out.buf;
      let o = out.len;
      for (let i = 0; i < n; i++) {
        if (!valid(i)) continue;
        const s = offsets[i], e = offsets[i + 1], len = e - s;
        b[o] = len & 0xff; b[o + 1] = (len >>> 8) & 0xff; b[o + 2] = (len >>> 16) & 0xff; b[o + 3] = len >>> 24;
        o += 4;
        if (len > 32) { b.set(bytes.subarray(s, e), o); o += len; } else for (let p = s; p < e; p++) b[o++] = bytes[p];
      }
      out.len = o;
      return;
    }
    case 'int': case 'date': {
      const d = c.data as Int32Array;
      out.room(4 * n);
      for (let i = 0; i < n; i++) if (valid(i)) out.u32(d[i]);
      return;
    }
    case 'long': case 'timestamp': {
      const d = c.data as Float64Array;
      out.room(8 * n);
      for (let i = 0; i < n; i++) {
        if (!valid(i)) continue;
        const x = d[i];
        const hi = Math.floor(x / 4294967296);
        out.u32((x - hi * 4294967296) >>> 0);
        out.u32(hi | 0);
      }
      return;
    }
    case 'double': {
      const d = c.data as Float64Array;
      out.room(8 * n);
      for (let i = 0; i < n; i++) if (valid(i)) { f64[0] = d[i]; out.put(f64b); }
      return;
    }
    case 'boolean': {
      const d = c.data as Uint8Array;
      let x = 0, k = 0;
      for (let i = 0; i < n; i++) {
        if (!valid(i)) continue;
        if (d[i]) x |= 1 << k;
        if (++k === 8) { out.byte(x); x = 0; k = 0; }
      }
      if (k) out.byte(x);
      return;
    }
    default:
      throw new Error(`internal: ${String(c.type)} has no plain encoding here`);
  }
}

/** A statistics value as Parquet stores it (PLAIN bytes of the physical type). */
function statValue(type: DataType, v: unknown): Uint8Array | null {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'string': return new TextEncoder().encode(v as string);
    case 'int': case 'date': { const b = new Uint8Array(4); new DataView(b.buffer).setInt32(0, v as number, true); return b; }
    case 'long': case 'timestamp': { const b = new Uint8Array(8); new DataView(b.buffer).setBigInt64(0, BigInt(v as number), true); return b; }
    case 'double': { const b = new Uint8Array(8); new DataView(b.buffer).setFloat64(0, v as number, true); return b; }
    default: return null;
  }
}

function statistics(type: DataType, st: ColumnStats): TStruct {
  const s: TStruct = [{ id: STATS.NULL_COUNT, t: T.I64, v: BigInt(st.nullCount) }];
  const hi = statValue(type, st.max), lo = statValue(type, st.min);
  if (hi && lo) {
    s.push({ id: STATS.MAX_VALUE, t: T.BINARY, v: hi }, { id: STATS.MIN_VALUE, t: T.BINARY, v: lo }, { id: STATS.MAX_EXACT, t: T.TRUE, v: true }, { id: STATS.MIN_EXACT, t: T.TRUE, v: true });
  }
  return s;
}

/** Snappy pays for these types (parquet.ts `columnCodec`: int, date and boolean are written uncompressed). */
const compressible = (type: DataType) => type !== 'int' && type !== 'date' && type !== 'boolean';

/** Whether this writer takes the batch: at most PLAIN_MAX_ROWS rows, flat columns of the types above. */
export function plainTakes(batch: Batch): boolean {
  return batch.length <= PLAIN_MAX_ROWS && batch.schema.every((f) => physical(f.type) !== undefined);
}

/**
 * Encodes a small flat batch as a Parquet file, with `stats` its columns'
 * statistics (`columnStats`); null when the batch is not one this writer takes
 * (more than PLAIN_MAX_ROWS rows, a nested or decimal column): then
 * parquet-wasm writes it. `encodeEmpty` gives parquet-wasm's file for no rows
 * of this schema.
 */
export function encodePlainParquet(batch: Batch, encodeEmpty: () => Uint8Array): { bytes: Uint8Array; stats: Record<string, ColumnStats> } | null {
  const n = batch.length;
  if (!plainTakes(batch)) return null;
  const tpl = templateOf(batch.schema, encodeEmpty);
  if (tpl === null) return null;
  const stats = columnStats(batch);
  if (n === 0) return { bytes: tpl.empty, stats };
  const out = new Bytes(1024 + n * batch.schema.length * 8);
  out.put(MAGIC);
  const page = new Bytes(1024 + n * 8);
  const chunks: TStruct[] = [];
  let totalUncompressed = 0, totalCompressed = 0;
  batch.schema.forEach((f, j) => {
    const c = batch.columns[j];
    const nulls = (c as { nulls: Uint8Array | null }).nulls;
    const st = stats[f.name];
    page.len = 0;
    writeLevels(page, nulls, n, st.nullCount);
    writeValues(page, c, n);
    const raw = page.view();
    let body = raw, codec = CODEC_UNCOMPRESSED;
    if (compressible(f.type)) {
      const z = snappyCompress(raw);
      if (z.length < raw.length) { body = z; codec = CODEC_SNAPPY; }
    }
    const header = writeStruct([
      { id: PH.TYPE, t: T.I32, v: 0 }, // DATA_PAGE
      { id: PH.UNCOMPRESSED, t: T.I32, v: raw.length },
      { id: PH.COMPRESSED, t: T.I32, v: body.length },
      { id: PH.DATA_PAGE, t: T.STRUCT, v: [
        { id: DPH.NUM_VALUES, t: T.I32, v: n }, { id: DPH.ENCODING, t: T.I32, v: ENC_PLAIN },
        { id: DPH.DEF_ENCODING, t: T.I32, v: ENC_RLE }, { id: DPH.REP_ENCODING, t: T.I32, v: ENC_RLE },
      ] },
    ]);
    const offset = out.len;
    out.put(header);
    out.put(body);
    const uncompressed = header.length + raw.length, compressed = header.length + body.length;
    totalUncompressed += uncompressed;
    totalCompressed += compressed;
    const meta: TStruct = [
      { id: CMD.TYPE, t: T.I32, v: physical(f.type)! },
      { id: CMD.ENCODINGS, t: T.LIST, v: { et: T.I32, items: [ENC_PLAIN, ENC_RLE] } },
      { id: CMD.PATH, t: T.LIST, v: { et: T.BINARY, items: [new TextEncoder().encode(f.name)] } },
      { id: CMD.CODEC, t: T.I32, v: codec },
      { id: CMD.NUM_VALUES, t: T.I64, v: BigInt(n) },
      { id: CMD.UNCOMPRESSED, t: T.I64, v: BigInt(uncompressed) },
      { id: CMD.COMPRESSED, t: T.I64, v: BigInt(compressed) },
      { id: CMD.DATA_PAGE, t: T.I64, v: BigInt(offset) },
      { id: CMD.STATISTICS, t: T.STRUCT, v: statistics(f.type, st) },
    ];
    chunks.push([{ id: CC.FILE_OFFSET, t: T.I64, v: BigInt(offset) }, { id: CC.META, t: T.STRUCT, v: meta }]);
  });
  const rowGroup: TStruct = [
    { id: RG.COLUMNS, t: T.LIST, v: { et: T.STRUCT, items: chunks } },
    { id: RG.TOTAL_BYTE_SIZE, t: T.I64, v: BigInt(totalUncompressed) },
    { id: RG.NUM_ROWS, t: T.I64, v: BigInt(n) },
    { id: RG.FILE_OFFSET, t: T.I64, v: 4n },
    { id: RG.TOTAL_COMPRESSED, t: T.I64, v: BigInt(totalCompressed) },
    { id: RG.ORDINAL, t: T.I16, v: 0 },
  ];
  const footer = writeStruct([
    ...tpl.head,
    { id: FMD.NUM_ROWS, t: T.I64, v: BigInt(n) },
    { id: FMD.ROW_GROUPS, t: T.LIST, v: { et: T.STRUCT, items: [rowGroup] } },
    ...tpl.tail,
  ]);
  out.put(footer);
  out.u32(footer.length);
  out.put(MAGIC);
  return { bytes: out.buf.slice(0, out.len), stats };
}
