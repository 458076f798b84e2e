/**
 * Columnar batches.
 *
 * A micro-batch is a schema plus one typed column per field, never an array of
 * row objects. Numeric, date, timestamp and boolean columns are typed arrays
 * with an optional null mask (`nulls[i] === 1` means NULL); string columns are
 * UTF-8 bytes with offsets and the same null mask (`engine/column/string-column.ts`);
 * list columns are plain arrays holding `null` for NULL.
 */
import type { DataType, Field, Schema, Value } from './ir/types.js';
import {
  type StringColumn, StringColumnBuilder, strAt, stringColumnFromArray, nullStringColumn, constantStringColumn,
  takeStrings, concatStrings, compactStrings,
} from './column/string-column.js';

export type { StringColumn };
export interface IntColumn { readonly type: 'int' | 'date'; readonly data: Int32Array; readonly nulls: Uint8Array | null }
export interface FloatColumn { readonly type: 'long' | 'double' | 'timestamp'; readonly data: Float64Array; readonly nulls: Uint8Array | null }
export interface BoolColumn { readonly type: 'boolean'; readonly data: Uint8Array; readonly nulls: Uint8Array | null }
export interface ListColumn { readonly type: 'string[]'; readonly data: (string[] | null)[] }
export type Column = StringColumn | IntColumn | FloatColumn | BoolColumn | ListColumn;
export type MaskedColumn = IntColumn | FloatColumn | BoolColumn;

export interface Batch {
  readonly schema: Schema;
  readonly columns: readonly Column[];
  readonly length: number;
}

export function columnLength(c: Column): number {
  return c.type === 'string' ? c.offsets.length - 1 : c.data.length;
}

export function isNullAt(c: Column, i: number): boolean {
  switch (c.type) {
    case 'string[]': return c.data[i] === null;
    default: return c.nulls !== null && c.nulls[i] === 1;
  }
}

/** The cell value: numbers for numeric/date/timestamp, booleans for boolean. */
export function valueAt(c: Column, i: number): Value {
  switch (c.type) {
    case 'string': return strAt(c, i);
    case 'string[]': return c.data[i];
    case 'boolean': return c.nulls !== null && c.nulls[i] === 1 ? null : c.data[i] === 1;
    default: return c.nulls !== null && c.nulls[i] === 1 ? null : c.data[i];
  }
}

export function emptyColumn(type: DataType, n = 0): Column {
  switch (type) {
    case 'string': return nullStringColumn(n);
    case 'string[]': return { type, data: new Array<string[] | null>(n).fill(null) };
    case 'int': case 'date': return { type, data: new Int32Array(n), nulls: n ? new Uint8Array(n).fill(1) : null };
    case 'boolean': return { type, data: new Uint8Array(n), nulls: n ? new Uint8Array(n).fill(1) : null };
    default: return { type, data: new Float64Array(n), nulls: n ? new Uint8Array(n).fill(1) : null };
  }
}

/** A column of `n` copies of one value. */
export function constantColumn(type: DataType, value: Value, n: number): Column {
  if (value === null) return emptyColumn(type, n);
  switch (type) {
    case 'string': return constantStringColumn(value as string, n);
    case 'string[]': return { type, data: Array.from({ length: n }, () => [...(value as string[])]) };
    case 'int': case 'date': return { type, data: new Int32Array(n).fill(value as number), nulls: null };
    case 'boolean': return { type, data: new Uint8Array(n).fill(value ? 1 : 0), nulls: null };
    default: return { type, data: new Float64Array(n).fill(value as number), nulls: null };
  }
}

/** Builds a column from JS values (null for NULL). */
export function columnFromValues(type: DataType, values: readonly Value[]): Column {
  if (type === 'string') return stringColumnFromArray(values as readonly (string | null)[]);
  const b = new ColumnBuilder(type, values.length);
  for (const v of values) b.push(v);
  return b.finish();
}

/** Rows `indices[k]` of a column, in that order. */
export function takeColumn(c: Column, indices: ArrayLike<number>): Column {
  const n = indices.length;
  switch (c.type) {
    case 'string': return takeStrings(c, indices);
    case 'string[]': {
      const out = new Array(n);
      for (let k = 0; k < n; k++) out[k] = c.data[indices[k]];
      return { type: c.type, data: out } as Column;
    }
    default: {
      const data = new (c.data.constructor as { new(n: number): Int32Array | Float64Array | Uint8Array })(n);
      for (let k = 0; k < n; k++) data[k] = c.data[indices[k]];
      let nulls: Uint8Array | null = null;
      if (c.nulls) {
        nulls = new Uint8Array(n);
        let any = 0;
        for (let k = 0; k < n; k++) any |= (nulls[k] = c.nulls[indices[k]]);
        if (!any) nulls = null;
      }
      return { type: c.type, data, nulls } as Column;
    }
  }
}

export function takeBatch(b: Batch, indices: ArrayLike<number>): Batch {
  if (indices.length === b.length) {
    let identity = true;
    for (let i = 0; i < indices.length; i++) if (indices[i] !== i) { identity = false; break; }
    if (identity) return b;
  }
  return { schema: b.schema, columns: b.columns.map((c) => takeColumn(c, indices)), length: indices.length };
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
  switch (type) {
    case 'string[]': {
      const out = new Array(n);
      let o = 0;
      for (const c of cols) { const d = (c as ListColumn).data as unknown[]; for (let i = 0; i < d.length; i++) out[o++] = d[i]; }
      return { type, data: out } as Column;
    }
    default: {
      const first = cols[0] as MaskedColumn | undefined;
      const Ctor = (first ? first.data.constructor : (emptyColumn(type, 0) as MaskedColumn).data.constructor) as { new(n: number): Int32Array | Float64Array | Uint8Array };
      const data = new Ctor(n);
      let nulls: Uint8Array | null = null;
      let o = 0;
      for (const c0 of cols) {
        const c = c0 as MaskedColumn;
        data.set(c.data as never, o);
        if (c.nulls) {
          if (!nulls) nulls = new Uint8Array(n);
          nulls.set(c.nulls, o);
        }
        o += c.data.length;
      }
      return { type, data, nulls } as Column;
    }
  }
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
  private str: StringColumnBuilder | null = null;
  private arr: unknown[] | null = null;
  private typed: Int32Array | Float64Array | Uint8Array | null = null;
  private nulls: Uint8Array | null = null;
  private anyNull = false;

  constructor(readonly type: DataType, capacity = 1024) {
    const cap = Math.max(16, capacity);
    if (type === 'string') this.str = new StringColumnBuilder(cap);
    else if (type === 'string[]') this.arr = [];
    else {
      this.typed = type === 'int' || type === 'date' ? new Int32Array(cap) : type === 'boolean' ? new Uint8Array(cap) : new Float64Array(cap);
      this.nulls = new Uint8Array(cap);
    }
  }

  get length(): number { return this.n; }

  private grow(): void {
    const t = this.typed!;
    const next = new (t.constructor as { new(n: number): typeof t })(t.length * 2);
    next.set(t as never);
    this.typed = next;
    const nn = new Uint8Array(t.length * 2);
    nn.set(this.nulls!);
    this.nulls = nn;
  }

  push(v: Value): void {
    if (this.str) { this.str.pushString(v as string | null); this.n++; return; }
    if (this.arr) { this.arr.push(v); this.n++; return; }
    if (this.n === this.typed!.length) this.grow();
    if (v === null) { this.nulls![this.n] = 1; this.anyNull = true; }
    else this.typed![this.n] = typeof v === 'boolean' ? (v ? 1 : 0) : (v as number);
    this.n++;
  }

  /** Appends row i of column c (same type). */
  pushFrom(c: Column, i: number): void {
    if (this.str) { this.str.pushFrom(c as StringColumn, i); this.n++; return; }
    if (this.arr) { this.arr.push((c as ListColumn).data[i]); this.n++; return; }
    if (this.n === this.typed!.length) this.grow();
    const m = c as MaskedColumn;
    if (m.nulls && m.nulls[i]) { this.nulls![this.n] = 1; this.anyNull = true; }
    else this.typed![this.n] = m.data[i];
    this.n++;
  }

  finish(): Column {
    if (this.str) return this.str.finish();
    if (this.arr) return { type: this.type, data: this.arr } as Column;
    return {
      type: this.type,
      data: this.typed!.slice(0, this.n),
      nulls: this.anyNull ? this.nulls!.slice(0, this.n) : null,
    } as Column;
  }
}

export function schemaOf(fields: readonly Field[]): Schema {
  return Object.freeze(fields.map((f) => Object.freeze({ name: f.name, type: f.type })));
}
