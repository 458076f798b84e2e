/**
 * The column statistics of a file this engine just encoded, read from the
 * file's footer: the Parquet writer computes each column chunk's minimum,
 * maximum and null count anyway, so scanning the columns again in JavaScript
 * for the Delta `stats` (parquet.ts `columnStats`, about 8% of a replay's
 * worker time) is only needed where the footer cannot say it exactly:
 *
 * - string bounds the writer truncated (it marks them inexact);
 * - a chunk with values but no bounds (all NaN, say);
 * - types whose footer values are not read here (decimal, nested, boolean:
 *   those are scanned as before; they are cheap or rare).
 *
 * The result equals `columnStats` of the batch (a test holds the two equal).
 */
import type { Batch } from '../batch.js';
import type { DataType, Value } from '../ir/types.js';
import { compareUtf8, statsOfColumn, type ColumnStats } from './parquet.js';
import { parquetFooterOf, rowGroupRows, type ParquetFooter } from './parquet-concat.js';
import { field, type TList, type TStruct } from './thrift-compact.js';

// parquet.thrift field ids
const RG_COLUMNS = 1, CC_META = 3, CMD_PATH = 3, CMD_NUM_VALUES = 5, CMD_STATISTICS = 12;
const ST_NULL_COUNT = 3, ST_MAX_VALUE = 5, ST_MIN_VALUE = 6, ST_MAX_EXACT = 7, ST_MIN_EXACT = 8;

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
    for (const c of ((field(rg, RG_COLUMNS) as TList | undefined)?.items ?? []) as TStruct[]) {
      const m = field(c, CC_META) as TStruct | undefined;
      const p = (field(m ?? [], CMD_PATH) as TList | undefined)?.items as Uint8Array[] | undefined;
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
    const st = field(m, CMD_STATISTICS) as TStruct | undefined;
    const nulls = st && (field(st, ST_NULL_COUNT) as bigint | undefined);
    if (nulls === undefined) return null;
    nullCount += Number(nulls);
    const values = Number(field(m, CMD_NUM_VALUES) as bigint) - Number(nulls);
    if (values === 0) continue;
    const lo = field(st!, ST_MIN_VALUE) as Uint8Array | undefined, hi = field(st!, ST_MAX_VALUE) as Uint8Array | undefined;
    if (!lo || !hi) return null;
    if (type === 'string' && (field(st!, ST_MIN_EXACT) !== true || field(st!, ST_MAX_EXACT) !== true)) return null;
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
