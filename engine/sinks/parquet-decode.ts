/**
 * Parquet decoding into columnar batches: parquet-wasm reads the file into an
 * Arrow IPC stream, apache-arrow parses it, and the Arrow buffers become
 * engine columns (types as in parquet.ts). Large files are read a slice of
 * rows at a time.
 */
import {
  Bool, Data, Decimal, Field as ArrowField, List, Struct, Table as ArrowTable, TimeUnit, Type, Utf8, Vector, tableFromIPC,
} from 'apache-arrow';
import type { DataType as ArrowDataType } from 'apache-arrow';
import * as fs from 'node:fs';
import { pw } from './parquet-wasm.js';
import {
  ColumnBuilder, concatBatches, decimalScale, emptyColumn, pow10n, storageOf, valueAt,
  type Batch, type Column, type DecimalColumn, type MaskedColumn, type NestedColumn,
} from '../batch.js';
import { StringColumnBuilder, concatStrings, nullStringColumn, stringColumnFromArray, type StringColumn } from '../column/string-column.js';
import { toValidUtf8 } from '../column/utf8.js';
import {
  arrayType, decimalType, mapType, structType, typeInfo, type DataType, type DecimalType, type Field, type Schema, type Value,
} from '../ir/types.js';
import { RESERVE_SLACK, reserveWasmMemory } from './parquet-wasm-memory.js';
import { readAt, readParquetFooterAt, rowGroupRows, withFd, type ParquetFooter } from './parquet-footer.js';
import type { RowRange } from './store.js';
import { projectParquet, topLevelColumns } from './parquet-project.js';

/** 2^32: the high word of an int64 as a double. */
const TWO32 = 4294967296;

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
export function parquetToArrow(bytes: Uint8Array, columns?: readonly string[], slice?: RowRange): ArrowTable {
  // Peak use is the file copy, the Arrow arrays and their IPC copy (measured ~7.7x a snappy file; a slice's share of that).
  reserveWasmMemory(slice ? Math.min(bytes.length * 8, bytes.length + (64 << 20)) + RESERVE_SLACK : bytes.length * 8 + RESERVE_SLACK);
  const table = pw.readParquet(bytes, { batchSize: 65536, ...(columns ? { columns: [...columns] } : {}), ...(slice ?? {}) });
  return tableFromIPC(table.intoIPCStream());
}

/**
 * Decodes a Parquet file. With `schema`, returns exactly those columns (by name,
 * falling back to a case-insensitive match), converting types where needed;
 * columns missing from the file are all NULL. Without, the schema is derived
 * from the file (unsupported column types throw).
 */
export function decodeParquet(bytes: Uint8Array, schema?: Schema, range?: RowRange): Batch {
  const parts = [...parquetSlices(bytes, schema, range)];
  return parts.length === 1 ? parts[0] : concatBatches(parts[0].schema, parts);
}

/** Reads and decodes a Parquet file on disk (`decodeParquet`). */
export function decodeParquetFile(file: string, schema?: Schema, range?: RowRange): Batch {
  const { bytes, rest } = parquetFileBytes(file, schema, range);
  return decodeParquet(bytes, schema, rest);
}

/** The row groups that hold exactly the rows of `range`, or null when it does not fall on row group bounds. */
function groupsOf(footer: ParquetFooter, range: RowRange): number[] | null {
  const out: number[] = [];
  let at = 0;
  for (let g = 0; g < footer.rowGroups.length && at < range.offset + range.limit; g++) {
    const n = rowGroupRows(footer.rowGroups[g]);
    if (at >= range.offset) out.push(g);
    else if (at + n > range.offset) return null;
    at += n;
  }
  return out.length && at === range.offset + range.limit ? out : null;
}

/** Files from this size on are cut down to the columns asked for before they are decoded. */
const PROJECT_FROM_BYTES = 1 << 20;

/**
 * The bytes to decode: a large file's chunks of `schema`'s columns only, as a
 * smaller Parquet file (parquet-project.ts), else the whole file (read once,
 * through the same descriptor).
 */
function parquetFileBytes(file: string, schema?: Schema, range?: RowRange): { bytes: Uint8Array; rest?: RowRange } {
  return withFd(file, (fd) => {
    const size = fs.fstatSync(fd).size;
    let read: ParquetFooter | undefined;
    const footer = () => (read ??= readParquetFooterAt(fd, file, size));
    if (range) {
      // rows on row group bounds (a file written a piece at a time): those row groups only, as a file of their own
      try {
        const groups = groupsOf(footer(), range);
        const names = schema ? schema.map((f) => f.name) : (topLevelColumns(footer()) ?? []).map((t) => t.name);
        const cut = groups && projectParquet(fd, footer(), names, 1, groups);
        if (cut) return { bytes: cut };
      } catch {
        // read as below, and its error reported from there
      }
    }
    if (schema && size >= PROJECT_FROM_BYTES) {
      try {
        const cut = projectParquet(fd, footer(), schema.map((f) => f.name));
        if (cut) return { bytes: cut, rest: range };
      } catch {
        // the whole file is decoded, and its error reported from there
      }
    }
    const b = readAt(fd, 0, size);
    return { bytes: new Uint8Array(b.buffer, b.byteOffset, b.byteLength), rest: range };
  });
}

/**
 * Decodes a Parquet file as `decodeParquet` does, in slices of rows: a large
 * file is read 65,536 rows at a time, so that parquet-wasm holds the file and
 * one slice instead of the whole decoded file twice (a 1M-row file read whole
 * took ~760 MB of wasm memory, in slices ~50 MB, and less time).
 */
export function* parquetSlices(bytes: Uint8Array, schema?: Schema, range?: RowRange): Generator<Batch> {
  const sliced = range === undefined && bytes.length > SLICED_ABOVE_BYTES;
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
    const table = parquetToArrow(bytes, columns, range ?? (sliced ? { offset, limit: SLICE_ROWS } : undefined));
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
