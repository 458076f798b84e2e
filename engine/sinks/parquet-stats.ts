/**
 * Column statistics of batches and Parquet files: null counts and min/max per
 * column, for Delta's `stats`.
 *
 * - `columnStats` scans a batch's columns;
 * - `encodedColumnStats` reads them from the footer of a file the engine just
 *   encoded: the Parquet writer computes each column chunk's minimum, maximum
 *   and null count anyway, so scanning the columns again (about 8% of a
 *   replay's worker time) is only needed where the footer cannot say it
 *   exactly: string bounds the writer truncated (it marks them inexact), a
 *   chunk with values but no bounds (all NaN, say), and types whose footer
 *   values are not read here (decimal, nested, boolean: scanned as before,
 *   they are cheap or rare). Both give the same result (a test holds them
 *   equal).
 */
import { isNestedColumn, storageOf, valueAt, type Batch, type Column, type DecimalColumn, type MaskedColumn } from '../batch.js';
import { compareStrAt, strAt } from '../column/string-column.js';
import type { DataType, Value } from '../ir/types.js';
import { CC, CMD, STATS, columnsOf, parquetFooterOf, rowGroupRows, type ParquetFooter } from './parquet-footer.js';
import { field, type TList, type TStruct } from './thrift-compact.js';

export interface ColumnStats {
  nullCount: number;
  /** Minimum over non-null values; null if there are none (and always for boolean and string[]). */
  min: Value;
  /** Maximum over non-null values; null if there are none (and always for boolean and string[]). */
  max: Value;
}


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

const utf8 = new TextDecoder();

/** How a footer value of an engine type reads (null: this type is scanned instead). */
function readerOf(type: DataType): ((b: Uint8Array) => Value) | null {
  const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  switch (type) {
    case 'string': return (b) => utf8.decode(b);
    case 'int': case 'date': return (b) => (b.length === 4 ? dv(b).getInt32(0, true) : null);
    case 'long': case 'timestamp': return (b) => (b.length === 8 ? Number(dv(b).getBigInt64(0, true)) : null);
    case 'double': return (b) => (b.length === 8 ? dv(b).getFloat64(0, true) : null);
    default: return null;
  }
}

/** The chunks' metadata of each top-level column, by name, over every row group. */
function chunksByColumn(f: ParquetFooter): Map<string, TStruct[]> {
  const out = new Map<string, TStruct[]>();
  for (const rg of f.rowGroups) {
    for (const c of columnsOf(rg)) {
      const m = field(c, CC.META) as TStruct | undefined;
      const p = (field(m ?? [], CMD.PATH) as TList | undefined)?.items as Uint8Array[] | undefined;
      if (!m || !p || p.length !== 1) continue; // nested columns have longer paths
      const name = utf8.decode(p[0]);
      let l = out.get(name);
      if (!l) out.set(name, (l = []));
      l.push(m);
    }
  }
  return out;
}

/** A column's statistics from its chunks, or null when they do not say it exactly. */
function fromChunks(chunks: readonly TStruct[], type: DataType, read: (b: Uint8Array) => Value): ColumnStats | null {
  let nullCount = 0, min: Value = null, max: Value = null;
  const less = type === 'string' ? (a: Value, b: Value) => compareUtf8(a as string, b as string) < 0 : (a: Value, b: Value) => (a as number) < (b as number);
  for (const m of chunks) {
    const st = field(m, CMD.STATISTICS) as TStruct | undefined;
    const nulls = st && (field(st, STATS.NULL_COUNT) as bigint | undefined);
    if (nulls === undefined) return null;
    nullCount += Number(nulls);
    const values = Number(field(m, CMD.NUM_VALUES) as bigint) - Number(nulls);
    if (values === 0) continue;
    const lo = field(st!, STATS.MIN_VALUE) as Uint8Array | undefined, hi = field(st!, STATS.MAX_VALUE) as Uint8Array | undefined;
    if (!lo || !hi) return null;
    if (type === 'string' && (field(st!, STATS.MIN_EXACT) !== true || field(st!, STATS.MAX_EXACT) !== true)) return null;
    const a = read(lo), b = read(hi);
    if (a === null || b === null || (typeof a === 'number' && Number.isNaN(a)) || (typeof b === 'number' && Number.isNaN(b))) return null;
    if (min === null || less(a, min)) min = a;
    if (max === null || less(max, b)) max = b;
  }
  return { nullCount, min, max };
}

/** `columnStats(batch)` for a batch just encoded as `bytes`, from the file's footer where it can. */
export function encodedColumnStats(batch: Batch, bytes: Uint8Array): Record<string, ColumnStats> {
  let chunks: Map<string, TStruct[]> | null = null;
  let rows = -1;
  try {
    const footer = parquetFooterOf(bytes);
    chunks = chunksByColumn(footer);
    rows = footer.rowGroups.reduce((a, rg) => a + rowGroupRows(rg), 0);
  } catch {
    chunks = null;
  }
  const usable = chunks !== null && rows === batch.length;
  const out: Record<string, ColumnStats> = {};
  batch.schema.forEach((f, j) => {
    const read = readerOf(f.type);
    const cs = usable && read ? chunks!.get(f.name) : undefined;
    const st = cs && cs.length ? fromChunks(cs, f.type, read!) : null;
    out[f.name] = st ?? statsOfColumn(batch.columns[j], batch.length);
  });
  return out;
}
