/**
 * Building blocks shared by the array, map, struct and higher-order
 * functions: type-rule helpers (array and map arguments, untyped NULLs and
 * empty `array()`/`map()` calls), row-wise kernels over JS values, and the
 * flattening of array elements into one column for a lambda.
 */
import { ColumnBuilder, columnFromValues, type Column } from '../batch.js';
import { arrayType, isArray, isMap, isNumeric, isStruct, mapType, typeInfo, type DataType, type Value } from '../ir/types.js';
import { commonType } from './coerce.js';
import type { ArgInfo, KernelCtx, TypeCtx } from './registry.js';
import type { ExprNode } from '../ir/expr.js';
import { columnValues } from './values.js';

/** An argument with no type of its own: an untyped NULL, or `array()` / `map()` without arguments. */
export function untyped(a: ArgInfo): boolean {
  return a.isNullLiteral || untypedNode(a.node);
}

/** `NULL`, `array()`, `map()`, or an array of those (`array(NULL)`: Spark's array<void>). */
function untypedNode(n: ExprNode): boolean {
  if (n.kind === 'lit') return n.value === null && n.type === 'string';
  if (n.kind !== 'call') return false;
  const fn = n.fn.toLowerCase();
  return (fn === 'array' || fn === 'map') && n.args.every(untypedNode);
}

/** The element type of array argument i (null when the argument is untyped); a mismatch otherwise. */
export function arrayElement(args: readonly ArgInfo[], i: number, ctx: TypeCtx): DataType | null {
  const a = args[i];
  if (a.isNullLiteral || (untyped(a) && isArray(a.type))) return null;
  if (!isArray(a.type)) ctx.mismatch(`${ctx.fn}() needs an array as argument ${i + 1}, got ${a.type}`);
  return (typeInfo(a.type) as { element: DataType }).element;
}

/** The key and value types of map argument i (null when untyped); a mismatch otherwise. */
export function mapKV(args: readonly ArgInfo[], i: number, ctx: TypeCtx): { key: DataType; value: DataType } | null {
  const a = args[i];
  if (a.isNullLiteral || (untyped(a) && isMap(a.type))) return null;
  if (!isMap(a.type)) ctx.mismatch(`${ctx.fn}() needs a map as argument ${i + 1}, got ${a.type}`);
  const t = typeInfo(a.type) as { key: DataType; value: DataType };
  return { key: t.key, value: t.value };
}

/**
 * The common type of several values that meet (elements of two arrays, an
 * element and a searched value): numbers widen, a date meets a timestamp;
 * a string does not meet a number (Spark's coercion without string
 * promotion). Unknown (null) entries are skipped; all unknown gives `fallback`.
 */
export function meet(types: readonly (DataType | null)[], ctx: TypeCtx, fallback: DataType = 'string'): DataType {
  const known = types.filter((t): t is DataType => t !== null);
  if (known.length === 0) return fallback;
  const t = commonType(known, [], true) ?? nestedMeet(known);
  if (t === null) ctx.mismatch(`${ctx.fn}() mixes ${[...new Set(known)].join(' and ')}`, 'cast the arguments to one type');
  return t!;
}

/** Arrays, maps and structs of types that meet, element by element (`array<int>` and `array<bigint>`). */
function nestedMeet(types: readonly DataType[]): DataType | null {
  const infos = types.map(typeInfo);
  const kind = infos[0].kind;
  if (!infos.every((i) => i.kind === kind)) return null;
  if (kind === 'array') {
    const e = meetOrNull(infos.map((i) => (i as { element: DataType }).element));
    return e && arrayType(e);
  }
  if (kind === 'map') {
    const k = meetOrNull(infos.map((i) => (i as { key: DataType }).key));
    const v = meetOrNull(infos.map((i) => (i as { value: DataType }).value));
    return k && v ? mapType(k, v) : null;
  }
  return null;
}

function meetOrNull(types: readonly DataType[]): DataType | null {
  return commonType(types, [], true) ?? nestedMeet(types);
}

/** The common type of values that become one (array elements, map keys or values): strings absorb other atomic types, as Spark's `array(1, 'a')` does. */
export function widest(args: readonly ArgInfo[], ctx: TypeCtx, what: string): DataType {
  const typed = args.filter((a) => !untyped(a));
  if (typed.length === 0) {
    const e = args.find((a) => !a.isNullLiteral);
    return e ? e.type : 'string';
  }
  const t = commonType(typed.map((a) => a.type)) ?? nestedMeet(typed.map((a) => a.type));
  if (t === null) ctx.mismatch(`${ctx.fn}() mixes ${what} of types ${[...new Set(typed.map((a) => a.type))].join(' and ')}`, 'cast the arguments to one type');
  return t!;
}

/** Whether values of type t are integers usable as an index (int or bigint). */
export function isIndexType(t: DataType): boolean {
  return t === 'int' || t === 'long';
}

export function needIndex(args: readonly ArgInfo[], i: number, ctx: TypeCtx, what = 'an index'): void {
  const a = args[i];
  if (!a.isNullLiteral && !isIndexType(a.type)) ctx.mismatch(`${ctx.fn}() needs ${what} (an integer) as argument ${i + 1}, got ${a.type}`);
}

export function needStructType(t: DataType): boolean {
  return isStruct(t);
}

export { isNumeric };

/**
 * A row-wise kernel over JS values: `f(values, row)` for each row, or NULL
 * without calling `f` when `skipNulls` and an argument (at the given
 * positions, default all) is NULL.
 */
export function perRow(f: (vals: Value[], row: number, ctx: KernelCtx) => Value, skipNulls = true, at?: readonly number[]) {
  return (args: readonly Column[], ctx: KernelCtx): Column => {
    const cols = args.map((c) => columnValues(c, ctx.n));
    const check = at ?? cols.map((_, k) => k);
    const b = new ColumnBuilder(ctx.returns, ctx.n);
    const vals: Value[] = new Array(cols.length);
    for (let i = 0; i < ctx.n; i++) {
      let skip = false;
      for (let k = 0; k < cols.length; k++) vals[k] = cols[k][i];
      if (skipNulls) for (const k of check) if (vals[k] === null) { skip = true; break; }
      b.push(skip ? null : f(vals, i, ctx));
    }
    return b.finish();
  };
}

/** Elements of the arrays of rows, flattened for a lambda: one column of elements, their outer rows and positions. */
export interface Flat {
  /** Start of row i's elements in the flat column (`offsets[n]` is the total). */
  readonly offsets: Int32Array;
  /** The outer row of each element. */
  readonly rows: Int32Array;
  /** The 0-based position of each element within its array. */
  readonly index: Int32Array;
  readonly values: Value[];
}

export function flatten(arrays: readonly Value[], n: number): Flat {
  const offsets = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) { const a = arrays[i] as readonly Value[] | null; total += a ? a.length : 0; offsets[i + 1] = total; }
  const rows = new Int32Array(total), index = new Int32Array(total);
  const values = new Array<Value>(total);
  for (let i = 0, k = 0; i < n; i++) {
    const a = arrays[i] as readonly Value[] | null;
    if (!a) continue;
    for (let j = 0; j < a.length; j++, k++) { rows[k] = i; index[k] = j; values[k] = a[j] ?? null; }
  }
  return { offsets, rows, index, values };
}

/** A column of type t holding `values`. */
export function valuesColumn(t: DataType, values: readonly Value[]): Column {
  return columnFromValues(t, values);
}

/** The index column (0-based positions, INT) of a flat set of elements. */
export function indexColumn(f: Flat): Column {
  return { type: 'int', data: f.index, nulls: null };
}
