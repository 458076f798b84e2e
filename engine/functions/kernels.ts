/**
 * Building blocks for kernels: typed access to argument columns and result
 * builders, so that an entry's kernel is a loop, not plumbing. Kernels read
 * strings through the string-column accessors (bytes, or decoded once per
 * column with `stringsOf`).
 */
import {
  ColumnBuilder, constantColumn, isNestedColumn, storageOf,
  type BoolColumn, type Column, type FloatColumn, type IntColumn, type NestedColumn,
} from '../batch.js';
import { stringColumnFromArray, stringsOf, type StringColumn } from '../column/string-column.js';
import type { DataType, Value } from '../ir/types.js';
import type { Kernel, KernelCtx } from './registry.js';

/** A numeric, date, timestamp or interval column's values as numbers (any NULL slot holds a placeholder). */
export function numbers(c: Column): ArrayLike<number> {
  return (c as IntColumn | FloatColumn).data;
}

/** The null mask of a column (null when no value is NULL); nested columns get one computed. */
export function nullsOf(c: Column): Uint8Array | null {
  if (isNestedColumn(c)) {
    let m: Uint8Array | null = null;
    for (let i = 0; i < c.data.length; i++) if (c.data[i] === null) (m ??= new Uint8Array(c.data.length))[i] = 1;
    return m;
  }
  return c.nulls;
}

export function isNull(c: Column, i: number): boolean {
  if (isNestedColumn(c)) return c.data[i] === null;
  return c.nulls !== null && c.nulls[i] === 1;
}

/** The decoded strings of a string column (cached per column). */
export function strings(c: Column): (string | null)[] {
  return stringsOf(c as StringColumn);
}

/** A numeric result column of `type` from computed values (NaN where `nanIsNull`), with a null mask. */
export function numericColumn(type: DataType, data: Float64Array | Int32Array, nulls: Uint8Array | null): Column {
  const s = storageOf(type);
  if (s === 'i32') {
    const d = data instanceof Int32Array ? data : Int32Array.from(data);
    return { type: type as IntColumn['type'], data: d, nulls };
  }
  const d = data instanceof Float64Array ? data : Float64Array.from(data);
  return { type: type as FloatColumn['type'], data: d, nulls };
}

export function boolColumn(data: Uint8Array, nulls: Uint8Array | null): BoolColumn {
  return { type: 'boolean', data, nulls };
}

/** A result column built value by value (slow path: JS values). */
export function fromValues(type: DataType, n: number, f: (i: number) => Value): Column {
  if (type === 'string') {
    const out = new Array<string | null>(n);
    for (let i = 0; i < n; i++) out[i] = f(i) as string | null;
    return stringColumnFromArray(out);
  }
  const b = new ColumnBuilder(type, n);
  for (let i = 0; i < n; i++) b.push(f(i));
  return b.finish();
}

/** A string → string kernel on decoded strings (NULL in, NULL out; `f` may return null). */
export function mapStrings(f: (s: string, i: number, ctx: KernelCtx, args: readonly Column[]) => string | null): Kernel {
  return (args, ctx) => {
    const src = strings(args[0]);
    const out = new Array<string | null>(ctx.n);
    for (let i = 0; i < ctx.n; i++) { const s = src[i]; out[i] = s === null ? null : f(s, i, ctx, args); }
    return stringColumnFromArray(out);
  };
}

/** A kernel over JS values of every argument, row by row (for functions where the per-row work dominates). */
export function rowwise(f: (vals: Value[], i: number, ctx: KernelCtx) => Value): Kernel {
  return (args, ctx) => {
    const vals: Value[] = new Array(args.length);
    const getters = args.map(valueGetter);
    return fromValues(ctx.returns, ctx.n, (i) => {
      for (let k = 0; k < args.length; k++) vals[k] = getters[k](i);
      return f(vals, i, ctx);
    });
  };
}

/** A fast per-row value reader for a column (strings decoded once). */
export function valueGetter(c: Column): (i: number) => Value {
  if (c.type === 'string') { const s = strings(c); return (i) => s[i]; }
  if (isNestedColumn(c)) return (i) => (c as NestedColumn).data[i];
  if (c.type === 'boolean') return (i) => (c.nulls && c.nulls[i] ? null : c.data[i] === 1);
  if (storageOf(c.type) === 'decimal') return (i) => (c.nulls && c.nulls[i] ? null : Number((c.data as BigInt64Array)[i]));
  const m = c as IntColumn | FloatColumn;
  return (i) => (m.nulls && m.nulls[i] ? null : m.data[i]);
}

/** A column of NULLs of the result type. */
export function nullResult(ctx: KernelCtx): Column {
  return constantColumn(ctx.returns, null, ctx.n);
}
