/**
 * Columnar batches.
 *
 * A micro-batch is a schema plus one typed column per field, never an array of
 * row objects. Numeric, date, timestamp and boolean columns are typed arrays
 * with an optional null mask (`nulls[i] === 1` means NULL); string columns are
 * UTF-8 bytes with offsets and the same null mask (`engine/column/string-column.ts`);
 * list columns are plain arrays holding `null` for NULL.
 */
import { isDecimal, isNested, typeInfo, type ArrayType, type DataType, type DecimalType, type Field, type MapType, type Schema, type StructType, type Value } from './ir/types.js';
import {
  type StringColumn, StringColumnBuilder, strAt, stringColumnFromArray, nullStringColumn, constantStringColumn,
  takeStrings, concatStrings, compactStrings,
} from './column/string-column.js';

export type { StringColumn };
export interface IntColumn { readonly type: 'int' | 'date' | 'interval year to month'; readonly data: Int32Array; readonly nulls: Uint8Array | null }
export interface FloatColumn { readonly type: 'long' | 'double' | 'timestamp' | 'interval day to second'; readonly data: Float64Array; readonly nulls: Uint8Array | null }
export interface BoolColumn { readonly type: 'boolean'; readonly data: Uint8Array; readonly nulls: Uint8Array | null }
/** Unscaled values: BigInt64Array up to precision 18, an array of bigints beyond. */
export interface DecimalColumn { readonly type: DecimalType; readonly data: BigInt64Array | bigint[]; readonly nulls: Uint8Array | null }
/** Arrays, maps and structs: one JS value per row (see `Value`), `null` for NULL. */
export interface NestedColumn { readonly type: ArrayType | MapType | StructType; readonly data: (Value | null)[] }
export type Column = StringColumn | IntColumn | FloatColumn | BoolColumn | DecimalColumn | NestedColumn;
export type MaskedColumn = IntColumn | FloatColumn | BoolColumn;

export interface Batch {
  readonly schema: Schema;
  readonly columns: readonly Column[];
  readonly length: number;
}

/** How a type is stored in memory. */
export type Storage = 'string' | 'i32' | 'f64' | 'bool' | 'decimal' | 'nested';

const storageCache = new Map<DataType, Storage>();

export function storageOf(t: DataType): Storage {
  let s = storageCache.get(t);
  if (s === undefined) {
    s = t === 'string' ? 'string'
      : t === 'int' || t === 'date' || t === 'interval year to month' ? 'i32'
      : t === 'boolean' ? 'bool'
      : t === 'long' || t === 'double' || t === 'timestamp' || t === 'interval day to second' ? 'f64'
      : isDecimal(t) ? 'decimal'
      : isNested(t) ? 'nested'
      : undefined;
    if (s === undefined) throw new Error(`internal: no storage for type ${t}`);
    storageCache.set(t, s);
  }
  return s;
}

export function columnLength(c: Column): number {
  return c.type === 'string' ? c.offsets.length - 1 : c.data.length;
}

export function isNullAt(c: Column, i: number): boolean {
  if ('nulls' in c) return c.nulls !== null && c.nulls[i] === 1;
  return c.data[i] === null;
}

const POW10 = Array.from({ length: 39 }, (_, k) => 10n ** BigInt(k));

/** 10^k as a bigint (k <= 38). */
export function pow10n(k: number): bigint { return POW10[k]; }

/** The scale of a decimal type. */
export function decimalScale(t: DecimalType): number {
  return (typeInfo(t) as { scale: number }).scale;
}

/** The cell value: numbers for numeric/date/timestamp (decimals approximately), booleans for boolean, JS values for nested types. */
export function valueAt(c: Column, i: number): Value {
  switch (c.type) {
    case 'string': return strAt(c, i);
    case 'boolean': return c.nulls !== null && c.nulls[i] === 1 ? null : c.data[i] === 1;
    default:
      if (!('nulls' in c)) return c.data[i];
      if (c.nulls !== null && c.nulls[i] === 1) return null;
      if (storageOf(c.type) === 'decimal') return Number((c as DecimalColumn).data[i]) / 10 ** decimalScale(c.type as DecimalType);
      return (c as IntColumn | FloatColumn).data[i];
  }
}

function nullMask(n: number): Uint8Array | null {
  return n ? new Uint8Array(n).fill(1) : null;
}

export function emptyColumn(type: DataType, n = 0): Column {
  switch (storageOf(type)) {
    case 'string': return nullStringColumn(n);
    case 'nested': return { type: type as NestedColumn['type'], data: new Array<Value>(n).fill(null) };
    case 'i32': return { type: type as IntColumn['type'], data: new Int32Array(n), nulls: nullMask(n) };
    case 'bool': return { type: 'boolean', data: new Uint8Array(n), nulls: nullMask(n) };
    case 'decimal': return { type: type as DecimalType, data: newDecimalData(type as DecimalType, n), nulls: nullMask(n) };
    default: return { type: type as FloatColumn['type'], data: new Float64Array(n), nulls: nullMask(n) };
  }
}

/** Storage for `n` unscaled values of a decimal type (zeros). */
export function newDecimalData(t: DecimalType, n: number): BigInt64Array | bigint[] {
  return (typeInfo(t) as { precision: number }).precision <= 18 ? new BigInt64Array(n) : new Array<bigint>(n).fill(0n);
}

/** The unscaled value of a JS number or decimal text for a decimal type (rounded half up; exact for text). */
function unscaledOf(v: Value, t: DecimalType): bigint {
  if (typeof v === 'bigint') return v;
  const scale = decimalScale(t);
  const text = typeof v === 'string' ? v.trim() : Number(v).toFixed(Math.min(100, scale + 1));
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m) throw new Error(`internal: not a decimal: ${text}`);
  const frac = (m[3] ?? '').padEnd(scale + 1, '0');
  let u = BigInt((m[2] || '0') + frac.slice(0, scale));
  if (Number(frac[scale]) >= 5) u += 1n;
  return m[1] === '-' ? -u : u;
}

/** A column of `n` copies of one value. */
export function constantColumn(type: DataType, value: Value, n: number): Column {
  if (value === null) return emptyColumn(type, n);
  switch (storageOf(type)) {
    case 'string': return constantStringColumn(value as string, n);
    case 'nested': return { type: type as NestedColumn['type'], data: new Array<Value>(n).fill(value) };
    case 'i32': return { type: type as IntColumn['type'], data: new Int32Array(n).fill(value as number), nulls: null };
    case 'bool': return { type: 'boolean', data: new Uint8Array(n).fill(value ? 1 : 0), nulls: null };
    case 'decimal': {
      const data = newDecimalData(type as DecimalType, n);
      data.fill(unscaledOf(value, type as DecimalType));
      return { type: type as DecimalType, data, nulls: null };
    }
    default: return { type: type as FloatColumn['type'], data: new Float64Array(n).fill(value as number), nulls: null };
  }
}

/** Builds a column from JS values (null for NULL). */
export function columnFromValues(type: DataType, values: readonly Value[]): Column {
  if (type === 'string') return stringColumnFromArray(values as readonly (string | null)[]);
  const b = new ColumnBuilder(type, values.length);
  for (const v of values) b.push(v);
  return b.finish();
}

/** Whether `indices` are 0, 1, …, n − 1: a take of all `n` rows in order. */
export function isIdentity(indices: ArrayLike<number>, n: number): boolean {
  if (indices.length !== n) return false;
  for (let i = 0; i < n; i++) if (indices[i] !== i) return false;
  return true;
}

/** Rows `indices[k]` of a column, in that order (the column itself when that is every row in order: columns are never changed in place). */
export function takeColumn(c: Column, indices: ArrayLike<number>): Column {
  const n = indices.length;
  if (isIdentity(indices, columnLength(c))) return c;
  if (c.type === 'string') return takeStrings(c, indices);
  if (!('nulls' in c)) {
    const out = new Array<Value>(n);
    for (let k = 0; k < n; k++) out[k] = c.data[indices[k]];
    return { type: c.type, data: out };
  }
  const src = c.data;
  const data = Array.isArray(src) ? new Array<bigint>(n) : new (src.constructor as { new(n: number): typeof src })(n);
  for (let k = 0; k < n; k++) data[k] = src[indices[k]];
  let nulls: Uint8Array | null = null;
  if (c.nulls) {
    nulls = new Uint8Array(n);
    let any = 0;
    for (let k = 0; k < n; k++) any |= (nulls[k] = c.nulls[indices[k]]);
    if (!any) nulls = null;
  }
  return { type: c.type, data, nulls } as Column;
}

export function takeBatch(b: Batch, indices: ArrayLike<number>): Batch {
  if (isIdentity(indices, b.length)) return b;
  return { schema: b.schema, columns: b.columns.map((c) => takeColumn(c, indices)), length: indices.length };
}

/** The columns of `schema` of a batch, by name (a column it lacks is NULL). */
export function projectBatch(b: Batch, schema: Schema): Batch {
  return { schema, length: b.length, columns: schema.map((f) => { const j = columnIndex(b.schema, f.name); return j >= 0 ? b.columns[j] : emptyColumn(f.type, b.length); }) };
}

/** Indices where `mask` is 1. */
export function maskIndices(mask: Uint8Array, n: number): Int32Array {
  let count = 0;
  for (let i = 0; i < n; i++) count += mask[i];
  const out = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < n; i++) if (mask[i]) out[k++] = i;
  return out;
}

export function filterBatch(b: Batch, mask: Uint8Array): Batch {
  return takeBatch(b, maskIndices(mask, b.length));
}

export function emptyBatch(schema: Schema): Batch {
  return { schema, columns: schema.map((f) => emptyColumn(f.type, 0)), length: 0 };
}

export function concatColumns(type: DataType, cols: readonly Column[]): Column {
  if (cols.length === 1) return cols[0];
  if (type === 'string') return concatStrings(cols as StringColumn[]);
  let n = 0;
  for (const c of cols) n += columnLength(c);
  const storage = storageOf(type);
  if (storage === 'nested') {
    const out = new Array<Value>(n);
    let o = 0;
    for (const c of cols) { const d = (c as NestedColumn).data; for (let i = 0; i < d.length; i++) out[o++] = d[i]; }
    return { type: type as NestedColumn['type'], data: out };
  }
  const data = storage === 'decimal' ? newDecimalData(type as DecimalType, n)
    : storage === 'i32' ? new Int32Array(n) : storage === 'bool' ? new Uint8Array(n) : new Float64Array(n);
  let nulls: Uint8Array | null = null;
  let o = 0;
  for (const c0 of cols) {
    const c = c0 as MaskedColumn | DecimalColumn;
    if (Array.isArray(data)) for (let i = 0; i < c.data.length; i++) data[o + i] = (c.data as bigint[])[i];
    else data.set(c.data as never, o);
    if (c.nulls) {
      if (!nulls) nulls = new Uint8Array(n);
      nulls.set(c.nulls, o);
    }
    o += c.data.length;
  }
  return { type, data, nulls } as Column;
}

export function concatBatches(schema: Schema, batches: readonly Batch[]): Batch {
  const nonEmpty = batches.filter((b) => b.length > 0);
  if (nonEmpty.length === 0) return emptyBatch(schema);
  if (nonEmpty.length === 1) return nonEmpty[0];
  return {
    schema,
    columns: schema.map((f, j) => concatColumns(f.type, nonEmpty.map((b) => b.columns[j]))),
    length: nonEmpty.reduce((s, b) => s + b.length, 0),
  };
}

/**
 * A copy of the batch whose string columns own exactly their bytes: a few rows
 * kept for long (a sparse table's write buffer) would otherwise keep a whole
 * parsed file's buffer alive.
 */
export function detachStrings(b: Batch): Batch {
  return { ...b, columns: b.columns.map((c) => (c.type === 'string' ? compactStrings(c) : c)) };
}

export function columnIndex(schema: Schema, name: string): number {
  for (let i = 0; i < schema.length; i++) if (schema[i].name === name) return i;
  return -1;
}

export function getColumn(b: Batch, name: string): Column {
  const i = columnIndex(b.schema, name);
  if (i < 0) throw new Error(`internal: column ${name} not in batch`);
  return b.columns[i];
}

/** Row objects, for tests and small outputs only. */
export function batchToRows(b: Batch): Record<string, Value>[] {
  const rows: Record<string, Value>[] = new Array(b.length);
  for (let i = 0; i < b.length; i++) {
    const r: Record<string, Value> = {};
    for (let j = 0; j < b.schema.length; j++) r[b.schema[j].name] = valueAt(b.columns[j], i);
    rows[i] = r;
  }
  return rows;
}

/** Builds a batch from row objects (missing keys are NULL). For tests and small inputs. */
export function batchFromRows(schema: Schema, rows: readonly Record<string, Value | undefined>[]): Batch {
  return {
    schema,
    columns: schema.map((f) => columnFromValues(f.type, rows.map((r) => r[f.name] ?? null))),
    length: rows.length,
  };
}

/** A growable column. */
export class ColumnBuilder {
  private n = 0;
  private readonly storage: Storage;
  private str: StringColumnBuilder | null = null;
  private arr: Value[] | null = null;
  private big: bigint[] | null = null;
  private typed: Int32Array | Float64Array | Uint8Array | null = null;
  private nulls: Uint8Array | null = null;
  private anyNull = false;

  constructor(readonly type: DataType, capacity = 1024) {
    const cap = Math.max(16, capacity);
    this.storage = storageOf(type);
    switch (this.storage) {
      case 'string': this.str = new StringColumnBuilder(cap); break;
      case 'nested': this.arr = []; break;
      case 'decimal': this.big = []; this.nulls = new Uint8Array(cap); break;
      default:
        this.typed = this.storage === 'i32' ? new Int32Array(cap) : this.storage === 'bool' ? new Uint8Array(cap) : new Float64Array(cap);
        this.nulls = new Uint8Array(cap);
    }
  }

  get length(): number { return this.n; }

  private grow(): void {
    const cap = this.nulls!.length * 2;
    if (this.typed) {
      const t = this.typed;
      const next = new (t.constructor as { new(n: number): typeof t })(cap);
      next.set(t as never);
      this.typed = next;
    }
    const nn = new Uint8Array(cap);
    nn.set(this.nulls!);
    this.nulls = nn;
  }

  push(v: Value): void {
    if (this.str) { this.str.pushString(v as string | null); this.n++; return; }
    if (this.arr) { this.arr.push(v); this.n++; return; }
    if (this.n === this.nulls!.length) this.grow();
    if (v === null) { this.nulls![this.n] = 1; this.anyNull = true; if (this.big) this.big.push(0n); }
    else if (this.big) this.big.push(unscaledOf(v, this.type as DecimalType));
    else this.typed![this.n] = typeof v === 'boolean' ? (v ? 1 : 0) : (v as number);
    this.n++;
  }

  /** Appends an unscaled decimal value (decimal columns). */
  pushUnscaled(v: bigint | null): void {
    if (this.n === this.nulls!.length) this.grow();
    if (v === null) { this.nulls![this.n] = 1; this.anyNull = true; this.big!.push(0n); }
    else this.big!.push(v);
    this.n++;
  }

  /** Appends row i of column c (same type). */
  pushFrom(c: Column, i: number): void {
    if (this.str) { this.str.pushFrom(c as StringColumn, i); this.n++; return; }
    if (this.arr) { this.arr.push((c as NestedColumn).data[i]); this.n++; return; }
    if (this.n === this.nulls!.length) this.grow();
    const m = c as MaskedColumn | DecimalColumn;
    if (m.nulls && m.nulls[i]) { this.nulls![this.n] = 1; this.anyNull = true; if (this.big) this.big.push(0n); }
    else if (this.big) this.big.push((m as DecimalColumn).data[i]);
    else this.typed![this.n] = (m as MaskedColumn).data[i];
    this.n++;
  }

  finish(): Column {
    if (this.str) return this.str.finish();
    if (this.arr) return { type: this.type as NestedColumn['type'], data: this.arr };
    const nulls = this.anyNull ? this.nulls!.slice(0, this.n) : null;
    if (this.big) {
      const data = newDecimalData(this.type as DecimalType, this.n);
      for (let i = 0; i < this.n; i++) data[i] = this.big[i];
      return { type: this.type as DecimalType, data, nulls };
    }
    return { type: this.type, data: this.typed!.slice(0, this.n), nulls } as Column;
  }
}

export function schemaOf(fields: readonly Field[]): Schema {
  return Object.freeze(fields.map((f) => Object.freeze({ name: f.name, type: f.type })));
}

/** A stable text of a nested value (maps as their entries in order), for keys and equality. */
export function stableText(v: Value): string {
  return JSON.stringify(v, (_k, x: unknown) => (x instanceof Map ? { '\u0000map': [...x.entries()] } : typeof x === 'bigint' ? x.toString() : x));
}

/** Whether a column keeps its values as JS values (arrays, maps, structs) rather than typed arrays. */
export function isNestedColumn(c: Column): c is NestedColumn {
  return !('nulls' in c);
}

/**
 * The exact text of row i of a decimal or nested column for keys (null for
 * NULL): decimals as their unscaled value, nested values as `stableText`.
 */
export function keyValueText(c: DecimalColumn | NestedColumn, i: number): string | null {
  if (isNestedColumn(c)) { const v = c.data[i]; return v === null ? null : stableText(v); }
  return c.nulls !== null && c.nulls[i] === 1 ? null : c.data[i].toString();
}
