/**
 * Parquet encoding and decoding of columnar batches.
 *
 * Encoding builds Arrow data straight from the batch's buffers (no per-value
 * builders), serialises it as an Arrow IPC stream and hands that to
 * parquet-wasm, which writes the Parquet file. Decoding goes the other way:
 * parquet-wasm reads the file into an IPC stream, apache-arrow parses it, and
 * the Arrow buffers are converted back into engine columns.
 *
 * Type mapping (see engine/ir/types.ts):
 *
 * | engine    | Arrow                        | Parquet                              |
 * |-----------|------------------------------|--------------------------------------|
 * | string    | Utf8                         | BYTE_ARRAY (STRING)                  |
 * | int       | Int32                        | INT32                                |
 * | long      | Int64                        | INT64                                |
 * | double    | Float64                      | DOUBLE                               |
 * | boolean   | Bool                         | BOOLEAN                              |
 * | date      | DateDay                      | INT32 (DATE)                         |
 * | timestamp | Timestamp(MICROSECOND,'UTC') | INT64 (TIMESTAMP micros, UTC-adjusted)|
 * | string[]  | List<Utf8>                   | LIST<BYTE_ARRAY (STRING)>            |
 *
 * Every field and every list element is nullable.
 */
import {
  Bool,
  Data,
  Decimal,
  Map_,
  DateDay,
  Field as ArrowField,
  Float64,
  Int32,
  Int64,
  List,
  RecordBatch,
  Schema as ArrowSchema,
  Struct,
  Table as ArrowTable,
  TimeUnit,
  TimestampMicrosecond,
  Type,
  Utf8,
  Vector,
  makeData,
  tableFromIPC,
  tableToIPC,
} from 'apache-arrow';
import * as fs from 'node:fs';
import type { DataType as ArrowDataType } from 'apache-arrow';
import { batchKeys } from '../column/group-ids.js';
import * as pw from 'parquet-wasm/node';
import {
  ColumnBuilder, columnFromValues, concatBatches, decimalScale, emptyColumn, isNestedColumn, pow10n, storageOf, takeColumn, valueAt,
  type Batch, type Column, type DecimalColumn, type MaskedColumn, type NestedColumn,
} from '../batch.js';
import {
  type StringColumn, StringColumnBuilder, compareStrAt, concatStrings, nullStringColumn, strAt, stringColumnFromArray, stringsOf,
} from '../column/string-column.js';
import { toValidUtf8 } from '../column/utf8.js';
import {
  arrayType, decimalType, mapType, structType, typeInfo, type DataType, type DecimalType, type Field, type Schema, type Value,
} from '../ir/types.js';

/** A Parquet page codec the writer offers (every one of them read by DuckDB, Spark and the engine). */
export type ParquetCodec = 'uncompressed' | 'snappy' | 'lz4_raw' | 'zstd';

const CODEC = {
  uncompressed: pw.Compression.UNCOMPRESSED, snappy: pw.Compression.SNAPPY, lz4_raw: pw.Compression.LZ4_RAW, zstd: pw.Compression.ZSTD,
} as const;

export interface ParquetWriteOptions {
  /**
   * Page compression: one codec for every column, or 'auto' (the default):
   * chosen per column (see columnCodec).
   */
  compression?: ParquetCodec | 'auto';
  /**
   * Per-column encoding choices: 'auto' (default) dictionary-encodes a column
   * only when a sample of it repeats values (gender, codes, descriptions, file
   * names), and keeps chunk statistics only; 'default' is the writer's own
   * (dictionary everywhere, page statistics).
   */
  tuning?: 'auto' | 'default';
  /** Maximum rows per row group (parquet-wasm's default, 1M rows, if unset). */
  rowGroupSize?: number;
}

export interface ColumnStats {
  nullCount: number;
  /** Minimum over non-null values; null if there are none (and always for boolean and string[]). */
  min: Value;
  /** Maximum over non-null values; null if there are none (and always for boolean and string[]). */
  max: Value;
}

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

const TWO32 = 4294967296;
/** Rows per Arrow record batch: keeps utf8 offsets well inside int32. */
const ENCODE_CHUNK_ROWS = 1 << 20;

function arrowTypeOf(t: DataType): ArrowDataType {
  const i = typeInfo(t);
  switch (i.kind) {
    case 'string': return new Utf8();
    case 'int': return new Int32();
    case 'long': return new Int64();
    case 'double': return new Float64();
    case 'boolean': return new Bool();
    case 'date': return new DateDay();
    case 'timestamp': return new TimestampMicrosecond('UTC');
    case 'decimal': return new Decimal(i.scale, i.precision, 128);
    case 'array': return new List(new ArrowField('element', arrowTypeOf(i.element), true));
    case 'map': return new Map_(new ArrowField('entries', new Struct([new ArrowField('key', arrowTypeOf(i.key), false), new ArrowField('value', arrowTypeOf(i.value), true)] as ArrowField[]), false) as never);
    case 'struct': return new Struct(i.fields.map((f: Field) => new ArrowField(f.name, arrowTypeOf(f.type), true)));
    default: throw new Error(`a column of type ${t} cannot be written to Parquet`);
  }
}

/** Validity bitmap (1 = valid, LSB first) from a null mask (1 = NULL), rows [start, end). */
function validityFromMask(nulls: Uint8Array | null, start: number, end: number): { bitmap: Uint8Array | undefined; nullCount: number } {
  if (!nulls) return { bitmap: undefined, nullCount: 0 };
  const n = end - start;
  const bitmap = new Uint8Array((n + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < n; i++) {
    if (nulls[start + i]) nullCount++;
    else bitmap[i >> 3] |= 1 << (i & 7);
  }
  return nullCount ? { bitmap, nullCount } : { bitmap: undefined, nullCount: 0 };
}

/** Validity bitmap from a plain array where `null` (or undefined) marks NULL. */
function validityFromArray(values: readonly unknown[], start: number, end: number): { bitmap: Uint8Array | undefined; nullCount: number } {
  const n = end - start;
  let bitmap: Uint8Array | undefined;
  let nullCount = 0;
  for (let i = 0; i < n; i++) {
    if (values[start + i] == null) {
      if (!bitmap) {
        bitmap = new Uint8Array((n + 7) >> 3);
        // everything before i was valid
        for (let k = 0; k < i; k++) bitmap[k >> 3] |= 1 << (k & 7);
      }
      nullCount++;
    } else if (bitmap) bitmap[i >> 3] |= 1 << (i & 7);
  }
  return { bitmap, nullCount };
}

/** Utf8 data from rows [start, end) of a string column: its bytes as they are, offsets rebased to 0. */
function utf8Data(c: StringColumn, start: number, end: number): Data<Utf8> {
  const n = end - start;
  const base = c.offsets[start];
  const offsets = base === 0 ? c.offsets.subarray(start, end + 1) : c.offsets.slice(start, end + 1).map((o) => o - base);
  const { bitmap, nullCount } = validityFromMask(c.nulls, start, end);
  const bytes = c.bytes.subarray(base, c.offsets[end]);
  return makeData({ type: new Utf8(), length: n, nullCount, nullBitmap: bitmap, valueOffsets: offsets, data: bytes });
}

/** Bit-packs 0/1 bytes. */
function packBits(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const n = end - start;
  const out = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) if (bytes[start + i]) out[i >> 3] |= 1 << (i & 7);
  return out;
}

/** Float64 integers -> little-endian int64 bit patterns (exact below 2^53). */
function toInt64(values: Float64Array, start: number, end: number): BigInt64Array {
  const n = end - start;
  const out = new BigInt64Array(n);
  const words = new Int32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    const x = values[start + i];
    const hi = Math.floor(x / TWO32);
    words[2 * i] = (x - hi * TWO32) | 0;
    words[2 * i + 1] = hi | 0;
  }
  return out;
}

function columnData(c: Column, start: number, end: number): Data {
  const n = end - start;
  switch (c.type) {
    case 'string':
      return utf8Data(c, start, end);
    default:
      if (isNestedColumn(c)) return nestedData(c.type, c.data as readonly Value[], start, end);
      return decimalData(c as DecimalColumn, start, end);
    case 'int': case 'date': {
      const { bitmap, nullCount } = validityFromMask(c.nulls, start, end);
      const data = c.data.subarray(start, end);
      return c.type === 'int'
        ? makeData({ type: new Int32(), length: n, nullCount, nullBitmap: bitmap, data })
        : makeData({ type: new DateDay(), length: n, nullCount, nullBitmap: bitmap, data });
    }
    case 'double': {
      const { bitmap, nullCount } = validityFromMask(c.nulls, start, end);
      return makeData({ type: new Float64(), length: n, nullCount, nullBitmap: bitmap, data: c.data.subarray(start, end) });
    }
    case 'long': case 'timestamp': {
      const { bitmap, nullCount } = validityFromMask(c.nulls, start, end);
      const data = toInt64(c.data, start, end);
      return c.type === 'long'
        ? makeData({ type: new Int64(), length: n, nullCount, nullBitmap: bitmap, data })
        : makeData({ type: new TimestampMicrosecond('UTC'), length: n, nullCount, nullBitmap: bitmap, data });
    }
    case 'boolean': {
      const { bitmap, nullCount } = validityFromMask(c.nulls, start, end);
      return makeData({ type: new Bool(), length: n, nullCount, nullBitmap: bitmap, data: packBits(c.data, start, end) });
    }
  }
}

/** Decimal128 data: each unscaled value as 16 little-endian two's-complement bytes. */
function decimalData(c: DecimalColumn, start: number, end: number): Data {
  const n = end - start;
  const { bitmap, nullCount } = validityFromMask(c.nulls, start, end);
  const words = new BigInt64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const v = BigInt(c.data[start + i]);
    words[2 * i] = BigInt.asIntN(64, v);
    words[2 * i + 1] = BigInt.asIntN(64, v >> 64n);
  }
  return makeData({ type: arrowTypeOf(c.type) as Decimal, length: n, nullCount, nullBitmap: bitmap, data: new Uint32Array(words.buffer) });
}

/** Arrow data of nested JS values (arrays, maps, structs), rows [start, end): children built as engine columns. */
function nestedData(t: DataType, values: readonly Value[], start: number, end: number): Data {
  const n = end - start;
  const info = typeInfo(t);
  const { bitmap, nullCount } = validityFromArray(values, start, end);
  const type = arrowTypeOf(t);
  if (info.kind === 'array' || info.kind === 'map') {
    const offsets = new Int32Array(n + 1);
    const flat: Value[] = [];
    const keys: Value[] = [];
    for (let i = 0; i < n; i++) {
      const v = values[start + i];
      if (v !== null && v !== undefined) {
        if (info.kind === 'array') for (const x of v as readonly Value[]) flat.push(x ?? null);
        else for (const [k, x] of v as ReadonlyMap<Value, Value>) { keys.push(k); flat.push(x ?? null); }
      }
      offsets[i + 1] = flat.length;
    }
    let child: Data;
    if (info.kind === 'array') child = columnData(columnFromValues(info.element, flat), 0, flat.length);
    else {
      const entries = (type as Map_).children[0].type as Struct;
      child = makeData({ type: entries, length: flat.length, nullCount: 0, children: [
        columnData(columnFromValues(info.key, keys), 0, keys.length), columnData(columnFromValues(info.value, flat), 0, flat.length),
      ] });
    }
    return info.kind === 'array'
      ? makeData({ type: type as List, length: n, nullCount, nullBitmap: bitmap, valueOffsets: offsets, child })
      : makeData({ type: type as Map_, length: n, nullCount, nullBitmap: bitmap, valueOffsets: offsets, child });
  }
  if (info.kind !== 'struct') throw new Error(`internal: ${t} is not nested`);
  const children = info.fields.map((f: Field) => {
    const vals = new Array<Value>(n);
    for (let i = 0; i < n; i++) {
      const v = values[start + i] as { readonly [k: string]: Value } | null;
      vals[i] = v === null || v === undefined ? null : (v[f.name] ?? null);
    }
    return columnData(columnFromValues(f.type, vals), 0, n);
  });
  return makeData({ type: type as Struct, length: n, nullCount, nullBitmap: bitmap, children });
}

function arrowSchemaOf(schema: Schema): ArrowSchema {
  return new ArrowSchema(schema.map((f) => new ArrowField(f.name, arrowTypeOf(f.type), true)));
}

/** The batch as an Arrow table (buffers shared where the layout allows). */
export function batchToArrow(batch: Batch): ArrowTable {
  const schema = arrowSchemaOf(batch.schema);
  const structType = new Struct(schema.fields);
  const batches: RecordBatch[] = [];
  let start = 0;
  do { // at least one (possibly empty) record batch, so an empty file still has its schema
    const end = Math.min(batch.length, start + ENCODE_CHUNK_ROWS);
    const children = batch.columns.map((c) => columnData(c, start, end));
    batches.push(new RecordBatch(schema, makeData({ type: structType, length: end - start, nullCount: 0, children })));
    start = end;
  } while (start < batch.length);
  return new ArrowTable(schema, batches);
}

/** Cap on the memory set aside at once (wasm32 memory is at most 4 GiB). */
const MAX_RESERVE = 1536 * 1024 * 1024;
/**
 * Room reserved beyond a task's estimate. It was 16 MB, so every thread that wrote even a tiny
 * file (an event-log part, a log checkpoint) kept 19 MB of wasm memory.
 */
const RESERVE_SLACK = 4 << 20;
const RESERVE_STEP = 8 << 20;

/**
 * Makes sure parquet-wasm's allocator has about `bytes` of memory to hand out.
 *
 * Each growth of a WebAssembly memory makes V8 account the whole new buffer
 * as external memory, which triggers a full JS garbage collection; the Rust
 * allocator grows page by page, so writing 1M rows into a fresh instance in a
 * process with a large JS heap took ~10 s instead of ~1.5 s. Allocating (and
 * freeing) one block of the size needed up front grows the memory once; the
 * allocator keeps the freed block and later allocations reuse it. The block
 * goes in as the input of `readSchema`, which rejects it at once (no footer).
 */
function reserveWasmMemory(bytes: number): void {
  // rounded up to 8 MB: otherwise a run of reads each a little larger than the last (a restart
  // reading 21 small log checkpoints) reserves, and copies a block of zeros in, at every read
  const want = Math.min(Math.ceil(bytes / RESERVE_STEP) * RESERVE_STEP, MAX_RESERVE);
  if (pw.wasmMemory().buffer.byteLength >= want) return;
  try {
    pw.readSchema(new Uint8Array(want));
  } catch {
    // expected: not a Parquet file
  }
}

/** Rows sampled to decide on dictionary encoding. */
const DICTIONARY_SAMPLE = 2048;

/**
 * Whether a column repeats its values enough for a dictionary to pay: fewer
 * than one distinct value in four over an evenly spread sample. A dictionary
 * on unique values (names, ids) costs building time and falls back anyway.
 */
function repeats(c: Column, n: number): boolean {
  if (n < 64) return true;
  const step = Math.max(1, Math.floor(n / DICTIONARY_SAMPLE));
  const rows = Int32Array.from({ length: Math.min(n, DICTIONARY_SAMPLE) }, (_, k) => Math.min(n - 1, k * step));
  const sample = takeColumn(c, rows);
  return batchKeys([sample], rows.length).count * 4 <= rows.length;
}

/**
 * The codec of a column under compression 'auto', from the measurement of
 * src/bench-parquet.ts over the patient tables (README "Performance").
 */
function columnCodec(type: DataType, dictionary: boolean): ParquetCodec {
  // Measured on a 68k-row silver file (src/bench-parquet.ts, README "Performance"): dictionary-encoded
  // columns (gender, codes, descriptions, file names) and 4-byte values (int, date) are small already and
  // no codec saved more than a few KB on them, so they are written uncompressed (no codec time). The other
  // columns (ids, names, addresses, phone numbers, line numbers, rescued JSON) keep snappy: zstd wrote 47%
  // fewer bytes over the whole file but took 1.2-1.9x snappy's encode time, and lz4_raw was no smaller.
  if (dictionary || type === 'int' || type === 'date' || type === 'boolean') return 'uncompressed';
  return 'snappy';
}

/** Encodes a batch as a Parquet file (compression chosen per column by default). */
export function encodeParquet(batch: Batch, options: ParquetWriteOptions = {}): Uint8Array {
  if (batch.columns.length !== batch.schema.length) throw new Error('internal: batch has a column count different from its schema');
  const ipc = tableToIPC(batchToArrow(batch), 'stream');
  const props = writerProperties(batch, options);
  // Peak use is the IPC copy, the Arrow arrays and the output (measured ~2.4x the IPC size).
  reserveWasmMemory(ipc.length * 2.5 + RESERVE_SLACK);
  const table = pw.Table.fromIPCStream(ipc);
  return pw.writeParquet(table, props);
}

/**
 * Encodes a sequence of batches (same schema) as one Parquet file, handing its
 * bytes to `write` as they are produced: parquet-wasm holds one row group's
 * encoded pages and one batch at a time, so the memory used does not grow with
 * the file (a compaction of 1M rows in one piece took ~750 MB of wasm memory).
 * The writer settings come from the first batch; `rowGroupSize` defaults to
 * 131,072 rows so that readers can take the file a slice at a time. Returns
 * the rows, the bytes and each column's statistics.
 */
export async function encodeParquetStream(
  batches: AsyncIterable<Batch> | Iterable<Batch>, write: (chunk: Uint8Array) => void, options: ParquetWriteOptions = {},
): Promise<{ rows: number; size: number; stats: Record<string, ColumnStats> | null; schema: Schema | null }> {
  const it = (Symbol.asyncIterator in batches ? (batches as AsyncIterable<Batch>)[Symbol.asyncIterator]() : (batches as Iterable<Batch>)[Symbol.iterator]()) as AsyncIterator<Batch> | Iterator<Batch>;
  let rows = 0, size = 0;
  let stats: Record<string, ColumnStats> | null = null;
  let schema: Schema | null = null;
  let pending: Batch | null = null;
  /** The next non-empty batch (the writer settings come from the first one). */
  const next = async (): Promise<Batch | null> => {
    for (;;) {
      const r = await it.next();
      if (r.done) return null;
      schema ??= r.value.schema;
      if (r.value.length > 0) return r.value;
    }
  };
  pending = await next();
  if (pending === null) {
    // no rows: still a valid (empty) file
    const known = schema as Schema | null;
    if (known === null) return { rows, size, stats, schema: null };
    const none: Batch = { schema: known, columns: known.map((f) => emptyColumn(f.type, 0)), length: 0 };
    const empty = encodeParquet(none, options);
    write(empty);
    return { rows, size: empty.length, stats: columnStats(none), schema: known };
  }
  const props = writerProperties(pending, { rowGroupSize: 131_072, ...options });
  const input = new ReadableStream<pw.RecordBatch>({
    // each pull enqueues or closes (a pull that does neither is not called again)
    pull: async (ctrl) => {
      const b = pending ?? (await next());
      pending = null;
      if (b === null) { ctrl.close(); return; }
      rows += b.length;
      const st = columnStats(b);
      stats = stats === null ? st : mergeColumnStats(stats, st);
      const ipc = tableToIPC(batchToArrow(b), 'stream');
      reserveWasmMemory(ipc.length * 2.5 + RESERVE_SLACK);
      const t = pw.Table.fromIPCStream(ipc);
      try {
        for (const rb of t.recordBatches()) ctrl.enqueue(rb);
      } finally {
        t.free();
      }
    },
  }, { highWaterMark: 0 });
  const out = await pw.transformParquetStream(input, props);
  for await (const chunk of out as unknown as AsyncIterable<Uint8Array>) {
    write(chunk);
    size += chunk.length;
  }
  return { rows, size, stats, schema };
}

/** The combined statistics of two parts of a column set (columnStats of each). */
export function mergeColumnStats(a: Record<string, ColumnStats>, b: Record<string, ColumnStats>): Record<string, ColumnStats> {
  const out: Record<string, ColumnStats> = {};
  const less = (x: Value, y: Value) => (typeof x === 'string' && typeof y === 'string' ? compareUtf8(x, y) < 0 : (x as number) < (y as number));
  for (const k of Object.keys(a)) {
    const x = a[k], y = b[k];
    if (!y) { out[k] = x; continue; }
    out[k] = {
      nullCount: x.nullCount + y.nullCount,
      min: x.min === null ? y.min : y.min === null ? x.min : less(y.min, x.min) ? y.min : x.min,
      max: x.max === null ? y.max : y.max === null ? x.max : less(x.max, y.max) ? y.max : x.max,
    };
  }
  return out;
}

/** parquet-wasm's writer settings for a batch like this one (dictionary and codec per column from a sample). */
function writerProperties(batch: Batch, options: ParquetWriteOptions): pw.WriterProperties {
  const compression = options.compression ?? 'auto';
  let builder = new pw.WriterPropertiesBuilder().setCompression(CODEC[compression === 'auto' ? 'snappy' : compression]);
  if (options.rowGroupSize !== undefined) {
    if (!(options.rowGroupSize >= 1)) throw new Error(`rowGroupSize must be positive, got ${options.rowGroupSize}`);
    builder = builder.setMaxRowGroupSize(Math.floor(options.rowGroupSize));
  }
  if ((options.tuning ?? 'auto') === 'auto') {
    // Page statistics cost time on every page and no reader of these tables uses them (Delta keeps file statistics).
    builder = builder.setStatisticsEnabled(pw.EnabledStatistics.Chunk);
    batch.schema.forEach((f, j) => {
      if (isNestedColumn(batch.columns[j])) return;
      const dict = repeats(batch.columns[j], batch.length);
      builder = builder.setColumnDictionaryEnabled(f.name, dict);
      if (compression === 'auto') builder = builder.setColumnCompression(f.name, CODEC[columnCodec(f.type, dict)]);
    });
  } else if (compression === 'auto') {
    batch.schema.forEach((f, j) => { if (!isNestedColumn(batch.columns[j])) builder = builder.setColumnCompression(f.name, CODEC[columnCodec(f.type, true)]); });
  }
  return builder.build();
}

// ---------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------

/** The engine type of an Arrow type, or undefined if the engine has none. */
function engineTypeOf(t: ArrowDataType): DataType | undefined {
  switch (t.typeId) {
    case Type.Dictionary: return engineTypeOf((t as unknown as { dictionary: ArrowDataType }).dictionary);
    case Type.Utf8: case Type.LargeUtf8: case Type.Utf8View:
    case Type.Binary: case Type.LargeBinary: case Type.BinaryView:
      return 'string';
    case Type.Int: {
      const { bitWidth, isSigned } = t as unknown as { bitWidth: number; isSigned: boolean };
      return bitWidth < 32 || (bitWidth === 32 && isSigned) ? 'int' : 'long';
    }
    case Type.Float: return 'double';
    case Type.Bool: return 'boolean';
    case Type.Date: return 'date';
    case Type.Timestamp: return 'timestamp';
    case Type.Decimal: {
      const { precision, scale } = t as unknown as { precision: number; scale: number };
      return precision <= 38 ? decimalType(precision, scale) : undefined;
    }
    case Type.List: case Type.LargeList: case Type.FixedSizeList: {
      const child = (t as unknown as { children: ArrowField[] }).children[0];
      const e = child && engineTypeOf(child.type);
      return e && arrayType(e);
    }
    case Type.Map: {
      const entries = (t as unknown as { children: ArrowField[] }).children[0].type as unknown as { children: ArrowField[] };
      const k = engineTypeOf(entries.children[0].type), v = engineTypeOf(entries.children[1].type);
      return k && v ? mapType(k, v) : undefined;
    }
    case Type.Struct: {
      const fields: Field[] = [];
      for (const f of (t as unknown as { children: ArrowField[] }).children) {
        const ft = engineTypeOf(f.type);
        if (!ft) return undefined;
        fields.push({ name: f.name, type: ft });
      }
      return structType(fields);
    }
    default: return undefined;
  }
}

/** Null mask (1 = NULL) of rows [0, n) of a chunk, written at `pos`; returns whether any was NULL. */
function readNulls(d: Data, nulls: Uint8Array, pos: number): boolean {
  if (d.typeId === Type.Null) { nulls.fill(1, pos, pos + d.length); return d.length > 0; }
  const bm = d.nullBitmap;
  if (!bm || bm.length === 0 || d.nullCount === 0) return false;
  const off = d.offset;
  let any = false;
  for (let i = 0; i < d.length; i++) {
    const b = off + i;
    if (!((bm[b >> 3] >> (b & 7)) & 1)) { nulls[pos + i] = 1; any = true; }
  }
  return any;
}

function isValid(d: Data, i: number): boolean {
  if (d.typeId === Type.Null) return false;
  const bm = d.nullBitmap;
  if (!bm || bm.length === 0 || d.nullCount === 0) return true;
  const b = d.offset + i;
  return ((bm[b >> 3] >> (b & 7)) & 1) === 1;
}

const decoder = new TextDecoder('utf-8', { ignoreBOM: true }); // keep a leading U+FEFF

/** Offsets of a chunk as numbers (Large* layouts have BigInt64 offsets). */
function numericOffsets(o: Int32Array | BigInt64Array, count: number): ArrayLike<number> {
  if (o instanceof Int32Array) return o;
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = Number(o[i]);
  return out;
}

const dictionaryCache = new WeakMap<Vector, StringColumn>();

/** One chunk (any layout) as a string column: Utf8 bytes are taken as they are (validated as UTF-8). */
function readStringChunk(d: Data): StringColumn {
  const n = d.length;
  const nulls = new Uint8Array(n);
  const anyNull = readNulls(d, nulls, 0);
  switch (d.typeId) {
    case Type.Utf8: case Type.Binary: case Type.LargeUtf8: case Type.LargeBinary: {
      const offs = numericOffsets(d.valueOffsets as unknown as Int32Array | BigInt64Array, n + 1);
      const values = d.values as Uint8Array;
      if (d.typeId === Type.Utf8 || d.typeId === Type.LargeUtf8) {
        // Arrow's layout is the engine's: one copy of the bytes and rebased offsets (when NULL slots hold no bytes)
        const base = offs[0];
        let empty = true;
        if (anyNull) for (let i = 0; i < n; i++) if (nulls[i] === 1 && offs[i] !== offs[i + 1]) { empty = false; break; }
        if (empty && offs[n] - base < 2 ** 31) {
          const offsets = new Int32Array(n + 1);
          for (let i = 0; i <= n; i++) offsets[i] = offs[i] - base;
          return { type: 'string', offsets, bytes: values.slice(base, offs[n]), nulls: anyNull ? nulls : null };
        }
      }
      const b = new StringColumnBuilder(n, offs[n] - offs[0]);
      let valid = true;
      for (let i = 0; i < n; i++) if (anyNull && nulls[i]) b.pushNull(); else b.pushBytes(values, offs[i], offs[i + 1]);
      const col = b.finish();
      if (d.typeId === Type.Utf8 || d.typeId === Type.LargeUtf8) return col;
      // Binary: replace invalid UTF-8 as TextDecoder does.
      const fixed = toValidUtf8(col.bytes);
      valid = !fixed.replaced;
      return valid ? col : stringColumnFromArray(Array.from({ length: n }, (_, i) => (col.nulls && col.nulls[i] ? null : decoder.decode(col.bytes.subarray(col.offsets[i], col.offsets[i + 1])))));
    }
    case Type.Dictionary: {
      const dict = d.dictionary!;
      // Chunks of one column usually share (a growing) dictionary: read each once.
      let words = dictionaryCache.get(dict);
      if (!words) {
        words = concatStrings(dict.data.map((dd) => readStringChunk(dd)));
        dictionaryCache.set(dict, words);
      }
      const idx = d.values as ArrayLike<number | bigint>;
      const b = new StringColumnBuilder(n);
      for (let i = 0; i < n; i++) if (anyNull && nulls[i]) b.pushNull(); else b.pushFrom(words, Number(idx[i]));
      return b.finish();
    }
    default: {
      const v = new Vector([d]);
      const out: (string | null)[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const x: unknown = v.get(i);
        out[i] = x == null ? null : x instanceof Uint8Array ? decoder.decode(x) : String(x);
      }
      return stringColumnFromArray(out);
    }
  }
}

function readStringColumn(chunks: readonly Data[], n: number): StringColumn {
  const parts = chunks.filter((d) => d.length > 0).map(readStringChunk);
  return parts.length === 0 ? nullStringColumn(n) : concatStrings(parts);
}

/** Nested values (arrays, maps, structs) of `type` from Arrow chunks, children read as engine columns. */
function readNestedColumn(type: DataType, chunks: readonly Data[], n: number, name: string): NestedColumn {
  const out = new Array<Value>(n).fill(null);
  const info = typeInfo(type);
  let pos = 0;
  for (const d of chunks) {
    if (d.length === 0) continue;
    if (d.typeId === Type.Null) { pos += d.length; continue; }
    if (info.kind === 'array' && (d.typeId === Type.List || d.typeId === Type.LargeList || d.typeId === Type.FixedSizeList)) {
      const child = d.children[0];
      const elems = readColumn(info.element, [child], child.length, name);
      let offs: ArrayLike<number>;
      if (d.typeId === Type.FixedSizeList) {
        const size = (d.type as unknown as { listSize: number }).listSize;
        const o = new Float64Array(d.length + 1);
        for (let i = 0; i <= d.length; i++) o[i] = (d.offset + i) * size;
        offs = o;
      } else offs = numericOffsets(d.valueOffsets as unknown as Int32Array | BigInt64Array, d.length + 1);
      for (let i = 0; i < d.length; i++) {
        if (!isValid(d, i)) continue;
        const arr: Value[] = [];
        for (let k = offs[i]; k < offs[i + 1]; k++) arr.push(valueAt(elems, k));
        out[pos + i] = arr;
      }
    } else if (info.kind === 'map' && d.typeId === Type.Map) {
      const entries = d.children[0];
      const keys = readColumn(info.key, [entries.children[0]], entries.length, name);
      const vals = readColumn(info.value, [entries.children[1]], entries.length, name);
      const offs = numericOffsets(d.valueOffsets as unknown as Int32Array | BigInt64Array, d.length + 1);
      for (let i = 0; i < d.length; i++) {
        if (!isValid(d, i)) continue;
        // keys keep their type (an int key stays a number, as the map functions compare it)
        const m = new Map<Value, Value>();
        for (let k = offs[i]; k < offs[i + 1]; k++) m.set(valueAt(keys, k), valueAt(vals, k));
        out[pos + i] = m as unknown as Value;
      }
    } else if (info.kind === 'struct' && d.typeId === Type.Struct) {
      const names = (d.type as unknown as { children: ArrowField[] }).children.map((f) => f.name);
      const cols = info.fields.map((f: Field) => {
        let j = names.indexOf(f.name);
        if (j < 0) j = names.findIndex((x) => x.toLowerCase() === f.name.toLowerCase());
        return j < 0 ? emptyColumn(f.type, d.length) : readColumn(f.type, [d.children[j]], d.length, name);
      });
      for (let i = 0; i < d.length; i++) {
        if (!isValid(d, i)) continue;
        const o: Record<string, Value> = {};
        info.fields.forEach((f: Field, k: number) => { o[f.name] = valueAt(cols[k], i); });
        out[pos + i] = o;
      }
    } else {
      throw new Error(`cannot read Parquet column ${name} as ${type}: it holds ${String(d.type)}`);
    }
    pos += d.length;
  }
  return { type: type as NestedColumn['type'], data: out };
}

/** A decimal column from Arrow chunks (Decimal128/256 words, or integers), rescaled to `type`'s scale. */
function readDecimalColumn(type: DecimalType, chunks: readonly Data[], n: number, name: string): DecimalColumn {
  const scale = decimalScale(type);
  const b = new ColumnBuilder(type, n);
  for (const d of chunks) {
    if (d.length === 0) continue;
    if (d.typeId === Type.Decimal) {
      const { scale: from, bitWidth } = d.type as unknown as { scale: number; bitWidth: number };
      const words = d.values as Uint32Array;
      const per = bitWidth / 32;
      for (let i = 0; i < d.length; i++) {
        if (!isValid(d, i)) { b.pushUnscaled(null); continue; }
        let v = 0n;
        for (let k = per - 1; k >= 0; k--) v = (v << 32n) | BigInt(words[i * per + k]);
        v = BigInt.asIntN(bitWidth, v);
        b.pushUnscaled(rescale(v, from, scale));
      }
    } else {
      const tmp = readMaskedColumn('double', [d], d.length, name);
      for (let i = 0; i < d.length; i++) b.push(valueAt(tmp, i));
    }
  }
  return b.finish() as DecimalColumn;
}

/** An unscaled value moved from scale `from` to scale `to` (half up when digits are dropped). */
function rescale(v: bigint, from: number, to: number): bigint {
  if (from === to) return v;
  if (to > from) return v * pow10n(to - from);
  const d = pow10n(from - to);
  const q = v / d, r = v % d;
  return 2n * (r < 0n ? -r : r) >= d ? q + (v < 0n ? -1n : 1n) : q;
}

const MICROS_PER_DAY = 86400e6;

/** The source kind of a numeric chunk, for unit conversions. */
type NumKind = 'plain' | 'days' | 'micros';

/**
 * Values [0, n) of a fixed-width numeric chunk as doubles, written at out[pos ..]:
 * dates as epoch days, timestamps as epoch micros, int64 exactly below 2^53.
 * Returns the kind, or undefined if the layout isn't a plain numeric one.
 */
function readNumericChunk(d: Data, out: Float64Array, pos: number): NumKind | undefined {
  const n = d.length;
  const t = d.type as unknown as { bitWidth?: number; isSigned?: boolean; unit?: number };
  switch (d.typeId) {
    case Type.Int: case Type.Float: {
      const v = d.values as ArrayLike<number> | BigInt64Array | BigUint64Array;
      if (v instanceof BigInt64Array || v instanceof BigUint64Array) {
        const w = new Int32Array(v.buffer, v.byteOffset, n * 2);
        const signed = v instanceof BigInt64Array;
        for (let i = 0; i < n; i++) out[pos + i] = (signed ? w[2 * i + 1] : w[2 * i + 1] >>> 0) * TWO32 + (w[2 * i] >>> 0);
      } else if (d.typeId === Type.Float && t.bitWidth === 16) {
        const vec = new Vector([d]);
        for (let i = 0; i < n; i++) out[pos + i] = (vec.get(i) as number | null) ?? 0;
      } else {
        for (let i = 0; i < n; i++) out[pos + i] = (v as ArrayLike<number>)[i];
      }
      return 'plain';
    }
    case Type.Date: {
      const v = d.values as Int32Array | BigInt64Array;
      if (v instanceof Int32Array) for (let i = 0; i < n; i++) out[pos + i] = v[i];
      else for (let i = 0; i < n; i++) out[pos + i] = Math.floor(Number(v[i]) / 86400000);
      return 'days';
    }
    case Type.Timestamp: {
      const v = d.values as BigInt64Array;
      const unit = t.unit;
      if (unit === TimeUnit.NANOSECOND) {
        for (let i = 0; i < n; i++) {
          const x = v[i];
          let q = x / 1000n;
          if (x < 0n && q * 1000n !== x) q -= 1n; // floor
          out[pos + i] = Number(q);
        }
      } else {
        const mul = unit === TimeUnit.SECOND ? 1e6 : unit === TimeUnit.MILLISECOND ? 1e3 : 1;
        const w = new Int32Array(v.buffer, v.byteOffset, n * 2);
        for (let i = 0; i < n; i++) out[pos + i] = (w[2 * i + 1] * TWO32 + (w[2 * i] >>> 0)) * mul;
      }
      return 'micros';
    }
    case Type.Bool: {
      const bits = d.values as Uint8Array;
      for (let i = 0; i < n; i++) { const b = d.offset + i; out[pos + i] = (bits[b >> 3] >> (b & 7)) & 1; }
      return 'plain';
    }
    case Type.Null:
      return 'plain';
    default:
      return undefined;
  }
}

function convertKind(x: number, from: NumKind, to: DataType): number {
  if (to === 'date' && from === 'micros') return Math.floor(x / MICROS_PER_DAY);
  if (to === 'timestamp' && from === 'days') return x * MICROS_PER_DAY;
  return x;
}

/** A masked (numeric/date/timestamp/boolean) column of `type` from Arrow chunks. */
function readMaskedColumn(type: MaskedColumn['type'], chunks: readonly Data[], n: number, name: string): Column {
  const vals = new Float64Array(n);
  const nulls = new Uint8Array(n);
  let anyNull = false;
  let pos = 0;
  for (const d of chunks) {
    if (d.length === 0) continue;
    let kind = d.typeId === Type.Dictionary ? undefined : readNumericChunk(d, vals, pos);
    if (kind === undefined) {
      // Generic path: dictionaries, decimals, strings that hold numbers, ...
      const v = new Vector([d]);
      for (let i = 0; i < d.length; i++) {
        const x: unknown = v.get(i);
        if (x == null) { nulls[pos + i] = 1; anyNull = true; continue; }
        const num = typeof x === 'boolean' ? (x ? 1 : 0) : typeof x === 'bigint' ? Number(x) : x instanceof Date ? x.getTime() * 1000 : Number(x);
        if (Number.isNaN(num) && type !== 'double') throw new Error(`cannot read Parquet column ${name} as ${type}: value ${String(x)}`);
        vals[pos + i] = num;
      }
      kind = 'plain';
    } else if (readNulls(d, nulls, pos)) anyNull = true;
    if ((kind === 'micros' && type === 'date') || (kind === 'days' && type === 'timestamp')) {
      for (let i = 0; i < d.length; i++) vals[pos + i] = convertKind(vals[pos + i], kind, type);
    }
    pos += d.length;
  }
  const mask = anyNull ? nulls : null;
  if (mask) for (let i = 0; i < n; i++) if (mask[i]) vals[i] = 0;
  switch (type) {
    case 'int': case 'date': case 'interval year to month': {
      const data = new Int32Array(n);
      for (let i = 0; i < n; i++) data[i] = vals[i];
      return { type, data, nulls: mask };
    }
    case 'boolean': {
      const data = new Uint8Array(n);
      for (let i = 0; i < n; i++) data[i] = vals[i] ? 1 : 0;
      return { type, data, nulls: mask };
    }
    default:
      if (type === 'long') for (let i = 0; i < n; i++) vals[i] = Math.trunc(vals[i]);
      return { type, data: vals, nulls: mask };
  }
}

function readColumn(type: DataType, chunks: readonly Data[], n: number, name: string): Column {
  switch (storageOf(type)) {
    case 'string': return readStringColumn(chunks, n);
    case 'nested': return readNestedColumn(type, chunks, n, name);
    case 'decimal': return readDecimalColumn(type as DecimalType, chunks, n, name);
    default: return readMaskedColumn(type as MaskedColumn['type'], chunks, n, name);
  }
}


/** Files above this size are read a slice of rows at a time (see `parquetSlices`). */
const SLICED_ABOVE_BYTES = 4 << 20;
/** Rows per slice. */
const SLICE_ROWS = 65_536;

/** Parses Parquet bytes into an Arrow table (via parquet-wasm and an IPC stream); `slice` reads only those rows. */
export function parquetToArrow(bytes: Uint8Array, columns?: readonly string[], slice?: { offset: number; limit: number }): ArrowTable {
  // Peak use is the file copy, the Arrow arrays and their IPC copy (measured ~7.7x a snappy file; a slice's share of that).
  reserveWasmMemory(slice ? bytes.length + (64 << 20) : bytes.length * 8 + RESERVE_SLACK);
  const table = pw.readParquet(bytes, { batchSize: 65536, ...(columns ? { columns: [...columns] } : {}), ...(slice ?? {}) });
  return tableFromIPC(table.intoIPCStream());
}

/**
 * Decodes a Parquet file. With `schema`, returns exactly those columns (by name,
 * falling back to a case-insensitive match), converting types where needed;
 * columns missing from the file are all NULL. Without, the schema is derived
 * from the file (unsupported column types throw).
 */
export function decodeParquet(bytes: Uint8Array, schema?: Schema): Batch {
  const parts = [...parquetSlices(bytes, schema)];
  return parts.length === 1 ? parts[0] : concatBatches(parts[0].schema, parts);
}

/** Reads and decodes a Parquet file on disk (`decodeParquet`). */
export function decodeParquetFile(file: string, schema?: Schema): Batch {
  return decodeParquet(new Uint8Array(fs.readFileSync(file)), schema);
}

/**
 * Decodes a Parquet file as `decodeParquet` does, in slices of rows: a large
 * file is read 65,536 rows at a time, so that parquet-wasm holds the file and
 * one slice instead of the whole decoded file twice (a 1M-row file read whole
 * took ~760 MB of wasm memory, in slices ~50 MB, and less time).
 */
export function* parquetSlices(bytes: Uint8Array, schema?: Schema): Generator<Batch> {
  const sliced = bytes.length > SLICED_ABOVE_BYTES;
  let sources: (string | undefined)[] = [];
  let columns: string[] | undefined;
  if (schema) {
    // Project: only read the columns asked for.
    const fileNames = tableFromIPC(pw.readSchema(bytes).intoIPCStream()).schema.fields.map((f) => f.name);
    const pick = (name: string): string | undefined => {
      if (fileNames.includes(name)) return name;
      const lower = name.toLowerCase();
      return fileNames.find((f) => f.toLowerCase() === lower);
    };
    sources = schema.map((f) => pick(f.name));
    const wanted = [...new Set(sources.filter((s): s is string => s !== undefined))];
    // With nothing to read, still read (all columns) for the row count.
    columns = wanted.length > 0 ? wanted : undefined;
  }
  for (let offset = 0; ; offset += SLICE_ROWS) {
    const table = parquetToArrow(bytes, columns, sliced ? { offset, limit: SLICE_ROWS } : undefined);
    yield schema ? projectArrow(table, schema, sources) : wholeArrow(table);
    if (!sliced || table.numRows < SLICE_ROWS) return;
  }
}

function wholeArrow(table: ArrowTable): Batch {
  const target: Field[] = table.schema.fields.map((f) => {
    const t = engineTypeOf(f.type);
    if (!t) throw new Error(`unsupported Parquet column type for ${f.name}: ${String(f.type)}`);
    return { name: f.name, type: t };
  });
  const n = table.numRows;
  const columns = table.schema.fields.map((f, j) => readColumn(target[j].type, table.getChildAt(j)!.data, n, f.name));
  return { schema: target, columns, length: n };
}

function projectArrow(table: ArrowTable, schema: Schema, sources: readonly (string | undefined)[]): Batch {
  const n = table.numRows;
  const columns = schema.map((f, j) => {
    const src = sources[j];
    const vec = src === undefined ? null : table.getChild(src);
    return vec ? readColumn(f.type, vec.data, n, f.name) : emptyColumn(f.type, n);
  });
  return { schema, columns, length: n };
}

// ---------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------

/** Maps UTF-16 code units so that numeric order is code point (= UTF-8 byte) order. */
function cpKey(u: number): number {
  return u >= 0xe000 ? u - 0x800 : u >= 0xd800 ? u + 0x2000 : u;
}

/** Compares strings by Unicode code point (the order of their UTF-8 bytes, as Parquet/Spark do). */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x < 0xd800 && y < 0xd800 ? x - y : cpKey(x) - cpKey(y);
  }
  return a.length - b.length;
}

/** The first (up to) 6 bytes of a value as a number, zero-padded on the right. */
function prefixKey(bytes: Uint8Array, a: number, len: number): number {
  let k = 0;
  for (let j = 0; j < 6; j++) k = k * 256 + (j < len ? bytes[a + j] : 0);
  return k;
}

/**
 * Per-column null counts and min/max over non-null values (numbers for numeric,
 * date (epoch days) and timestamp (epoch micros) columns; strings compared by
 * code point). NaN is ignored for min/max. Boolean and string[] get null min/max.
 */
export function columnStats(batch: Batch): Record<string, ColumnStats> {
  const out: Record<string, ColumnStats> = {};
  for (let j = 0; j < batch.schema.length; j++) out[batch.schema[j].name] = statsOfColumn(batch.columns[j], batch.length);
  return out;
}

/** The statistics of one column of `n` rows (columnStats). */
export function statsOfColumn(c: Column, n: number): ColumnStats {
  let nullCount = 0;
  let min: Value = null;
  let max: Value = null;
  switch (c.type) {
    case 'string': {
      // Byte order is code point order, as Parquet and Spark compare strings.
      let lo = -1, hi = -1;
      const { offsets, bytes, nulls } = c;
      // Values are compared by their first 6 bytes as one number (zero-padded: a smaller prefix is a smaller
      // string); only equal prefixes need the full comparison.
      let loKey = 0, hiKey = 0;
      for (let i = 0; i < n; i++) {
        if (nulls !== null && nulls[i] === 1) { nullCount++; continue; }
        const a = offsets[i], len = offsets[i + 1] - a;
        const k = len >= 6
          ? ((((bytes[a] * 256 + bytes[a + 1]) * 256 + bytes[a + 2]) * 256 + bytes[a + 3]) * 256 + bytes[a + 4]) * 256 + bytes[a + 5]
          : prefixKey(bytes, a, len);
        if (lo < 0) { lo = i; hi = i; loKey = k; hiKey = k; continue; }
        if (k < loKey || (k === loKey && compareStrAt(c, i, c, lo) < 0)) { lo = i; loKey = k; }
        else if (k > hiKey || (k === hiKey && compareStrAt(c, i, c, hi) > 0)) { hi = i; hiKey = k; }
      }
      if (lo >= 0) { min = strAt(c, lo); max = strAt(c, hi); }
      break;
    }
    case 'boolean':
      if (c.nulls) for (let i = 0; i < n; i++) nullCount += c.nulls[i];
      break;
    default: {
      if (isNestedColumn(c)) { for (let i = 0; i < n; i++) if (c.data[i] === null) nullCount++; break; }
      if (storageOf(c.type) === 'decimal') {
        const dc = c as DecimalColumn;
        let lo = -1, hi = -1;
        for (let i = 0; i < n; i++) {
          if (dc.nulls && dc.nulls[i]) { nullCount++; continue; }
          if (lo < 0 || dc.data[i] < dc.data[lo]) lo = i;
          if (hi < 0 || dc.data[i] > dc.data[hi]) hi = i;
        }
        if (lo >= 0) { min = valueAt(dc, lo); max = valueAt(dc, hi); }
        break;
      }
      const d = (c as MaskedColumn).data;
      const m = (c as MaskedColumn).nulls;
      let lo = Infinity;
      let hi = -Infinity;
      let any = false;
      for (let i = 0; i < n; i++) {
        if (m && m[i]) { nullCount++; continue; }
        const x = d[i];
        if (x !== x) continue; // NaN
        any = true;
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      if (any) { min = lo; max = hi; }
    }
  }
  return { nullCount, min, max };
}
