/**
 * Parquet encoding of columnar batches (decoding: parquet-decode.ts; column
 * statistics: parquet-stats.ts; both re-exported here).
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
  Bool, Data, Decimal, Map_, DateDay, Field as ArrowField, Float64, Int32, Int64, List, RecordBatch, Schema as ArrowSchema, Struct,
  Table as ArrowTable, TimestampMicrosecond, Utf8, makeData, RecordBatchStreamWriter,
} from 'apache-arrow';
import type { DataType as ArrowDataType } from 'apache-arrow';
import { pw } from './parquet-wasm.js';
import { batchKeys } from '../column/group-ids.js';
import { columnFromValues, emptyBatch, emptyColumn, isNestedColumn, storageOf, takeColumn, type Batch, type Column, type DecimalColumn, type MaskedColumn } from '../batch.js';
import type { StringColumn } from '../column/string-column.js';
import { structType, typeInfo, type DataType, type Field, type Schema, type Value } from '../ir/types.js';
import { RESERVE_SLACK, reserveWasmMemory } from './parquet-wasm-memory.js';
import { largeUint8 } from '../column/large-buffer.js';
import { columnStats, mergeColumnStats, type ColumnStats } from './parquet-stats.js';
import { encodePlainParquet } from './parquet-plain.js';

export { decodeParquet, decodeParquetFile, parquetSlices, parquetToArrow } from './parquet-decode.js';
export { columnStats, compareUtf8, mergeColumnStats, statsOfColumn, type ColumnStats } from './parquet-stats.js';

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
  const m = Math.min(n, DICTIONARY_SAMPLE);
  if (c.type === 'string') return distinctSampledStrings(c as StringColumn, n, step, m) * 4 <= m;
  const st = storageOf(c.type);
  if (st === 'i32' || st === 'f64' || st === 'bool') return distinctSampledNumbers(c as MaskedColumn, n, step, m) * 4 <= m;
  const rows = new Int32Array(m);
  for (let k = 0; k < m; k++) rows[k] = Math.min(n - 1, k * step);
  return batchKeys([takeColumn(c, rows)], m).count * 4 <= m;
}

/** Distinct values among the sampled rows of a number column (NULL counts as one value): a Set, no grouping machinery to warm up. */
function distinctSampledNumbers(c: MaskedColumn, n: number, step: number, m: number): number {
  const { data, nulls } = c;
  const seen = new Set<number | null>();
  for (let k = 0; k < m; k++) {
    const i = Math.min(n - 1, k * step);
    seen.add(nulls !== null && nulls[i] === 1 ? null : (data[i] as number));
  }
  return seen.size;
}

/**
 * Distinct values among the sampled rows of a string column, by a 32-bit hash
 * of their bytes (an estimate: a collision counts two values as one, which
 * only matters at the threshold). No copy of the sample, no JS strings.
 */
function distinctSampledStrings(c: StringColumn, n: number, step: number, m: number): number {
  const { offsets, bytes, nulls } = c;
  const seen = new Set<number>();
  for (let k = 0; k < m; k++) {
    const i = Math.min(n - 1, k * step);
    if (nulls !== null && nulls[i] === 1) { seen.add(-1); continue; }
    let h = 0x811c9dc5;
    for (let p = offsets[i], e = offsets[i + 1]; p < e; p++) h = Math.imul(h ^ bytes[p], 0x01000193);
    seen.add(h >>> 0);
  }
  return seen.size;
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
  return encodeParquetWithStats(batch, options).bytes;
}

/**
 * `encodeParquet`, with the columns' statistics when the writer computed them
 * (the JS writer of small batches does; else null, and `encodedColumnStats`
 * reads them from the footer).
 */
export function encodeParquetWithStats(batch: Batch, options: ParquetWriteOptions = {}): { bytes: Uint8Array; stats: Record<string, ColumnStats> | null } {
  if (batch.columns.length !== batch.schema.length) throw new Error('internal: batch has a column count different from its schema');
  // a small flat batch with the default settings: written in JS (parquet-plain.ts), laid out as parquet-wasm lays out its schema
  if ((options.compression ?? 'auto') === 'auto' && (options.tuning ?? 'auto') === 'auto' && (options.rowGroupSize === undefined || options.rowGroupSize >= batch.length)) {
    const plain = encodePlainParquet(batch, () => encodeWithWasm(emptyBatch(batch.schema), options));
    if (plain) return plain;
  }
  return { bytes: encodeWithWasm(batch, options), stats: null };
}

/**
 * A table as an Arrow IPC stream (apache-arrow's `tableToIPC(table, 'stream')`),
 * joined into a large buffer (column/large-buffer.ts): it is as large as the
 * batch, and only copied into parquet-wasm's memory.
 */
function ipcStream(table: ArrowTable): Uint8Array {
  const writer = RecordBatchStreamWriter.writeAll(table);
  // the writer's queue of chunks (apache-arrow 21); joined by the writer itself if that changes
  const parts = (writer as unknown as { _sink?: { _values?: unknown } })._sink?._values;
  if (!Array.isArray(parts) || !parts.every((p) => p instanceof Uint8Array)) return writer.toUint8Array(true);
  let n = 0;
  for (const p of parts as Uint8Array[]) n += p.byteLength;
  const out = largeUint8(n);
  let at = 0;
  for (const p of parts as Uint8Array[]) { out.set(p, at); at += p.byteLength; }
  return out;
}

/** parquet-wasm's encoding of a batch. */
function encodeWithWasm(batch: Batch, options: ParquetWriteOptions): Uint8Array {
  const ipc = ipcStream(batchToArrow(batch));
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
      const ipc = ipcStream(batchToArrow(b));
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
