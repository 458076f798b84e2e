/**
 * Builders for arrays, maps, structs and the higher-order functions, named
 * after their Spark functions: `arrayContains(col('tags'), 'icu')`,
 * `elementAt(col('codes'), 1)`, `getField(col('address'), 'zip')`,
 * `filter(col('vitals'), (v) => v.gt(100))`, `transformValues(col('m'), (k, v) => v.times(2))`.
 * A JS string is a literal (use `col()` for a column); a lambda is a JS
 * function of `Expr` parameters.
 */
import { Expr, fn, toNode, type ExprLike } from '../builder.js';
import type { ExprNode } from '../../ir/expr.js';

type Lambda1 = ((x: Expr) => ExprLike) | Expr;
type Lambda2 = ((x: Expr, y: Expr) => ExprLike) | Expr;
type ElementLambda = ((x: Expr, i: Expr) => ExprLike) | Lambda1;

let depth = 0;

/**
 * A lambda from a JS function. Parameters are named by role and nesting
 * depth (`_x0`, `_i0`, `_x1`, …), so they never capture a column of the same
 * name in the emitted SQL and an inner lambda can read an outer one's.
 */
function lam(f: ((...p: Expr[]) => ExprLike) | Expr, roles: readonly string[], optional = false): Expr {
  if (f instanceof Expr) return f;
  const d = depth++;
  try {
    const count = optional ? Math.max(1, Math.min(roles.length, f.length)) : roles.length;
    const names = roles.slice(0, count).map((r) => `_${r}${d}`);
    const params = names.map((n) => new Expr(Object.freeze({ kind: 'var', name: n }) as ExprNode));
    return new Expr(Object.freeze({ kind: 'lambda', params: Object.freeze(names), body: toNode(f(...params)) }) as ExprNode);
  } finally {
    depth--;
  }
}

// construction and size
export const array = (...elements: ExprLike[]): Expr => fn('array', ...elements);
/** Elements of an array or entries of a map; NULL gives -1 (NULL in ANSI mode). */
export const size = (x: ExprLike): Expr => fn('size', x);
export const cardinality = size;
export const arraySize = (x: ExprLike): Expr => fn('array_size', x);

// access
/** 1-based (negative from the end) for arrays; by key for maps. */
export const elementAt = (x: ExprLike, indexOrKey: ExprLike): Expr => fn('element_at', x, indexOrKey);
export const tryElementAt = (x: ExprLike, indexOrKey: ExprLike): Expr => fn('try_element_at', x, indexOrKey);
/** SQL `x[i]`: 0-based for arrays, by key for maps. */
export const getItem = (x: ExprLike, indexOrKey: ExprLike): Expr => fn('get_item', x, indexOrKey);
/** SQL `s.field`: a struct field, a string map key, or the field of every struct of an array. */
export const getField = (x: ExprLike, field: string): Expr => fn('get_field', x, field);

// searching and sets
export const arrayContains = (a: ExprLike, value: ExprLike): Expr => fn('array_contains', a, value);
export const arrayPosition = (a: ExprLike, value: ExprLike): Expr => fn('array_position', a, value);
export const arrayRemove = (a: ExprLike, value: ExprLike): Expr => fn('array_remove', a, value);
export const arrayDistinct = (a: ExprLike): Expr => fn('array_distinct', a);
export const arrayUnion = (a: ExprLike, b: ExprLike): Expr => fn('array_union', a, b);
export const arrayIntersect = (a: ExprLike, b: ExprLike): Expr => fn('array_intersect', a, b);
export const arrayExcept = (a: ExprLike, b: ExprLike): Expr => fn('array_except', a, b);
export const arraysOverlap = (a: ExprLike, b: ExprLike): Expr => fn('arrays_overlap', a, b);

// building and reshaping
export const arrayJoin = (a: ExprLike, delimiter: ExprLike, nullReplacement?: ExprLike): Expr =>
  (nullReplacement === undefined ? fn('array_join', a, delimiter) : fn('array_join', a, delimiter, nullReplacement));
export const flatten = (a: ExprLike): Expr => fn('flatten', a);
/** `length` elements from the 1-based `start` (negative from the end). */
export const slice = (a: ExprLike, start: ExprLike, length: ExprLike): Expr => fn('slice', a, start, length);
export const arrayCompact = (a: ExprLike): Expr => fn('array_compact', a);
export const arrayAppend = (a: ExprLike, element: ExprLike): Expr => fn('array_append', a, element);
export const arrayPrepend = (a: ExprLike, element: ExprLike): Expr => fn('array_prepend', a, element);
export const arrayMin = (a: ExprLike): Expr => fn('array_min', a);
export const arrayMax = (a: ExprLike): Expr => fn('array_max', a);
export const arrayRepeat = (element: ExprLike, count: ExprLike): Expr => fn('array_repeat', element, count);
/** Ascending with NULLs first, or descending with NULLs last. */
export const sortArray = (a: ExprLike, ascending = true): Expr => fn('sort_array', a, ascending);
/** Ascending with NULLs last, or by a comparator `(l, r) => negative | 0 | positive` (INT). */
export const arraySort = (a: ExprLike, comparator?: Lambda2): Expr =>
  (comparator === undefined ? fn('array_sort', a) : fn('array_sort', a, lam(comparator, ['l', 'r'])));
export const sequence = (start: ExprLike, stop: ExprLike, step?: ExprLike): Expr =>
  (step === undefined ? fn('sequence', start, stop) : fn('sequence', start, stop, step));
export const arraysZip = (...arrays: ExprLike[]): Expr => fn('arrays_zip', ...arrays);

// structs
/** `namedStruct({ a: col('x'), b: 1 })`. */
export const namedStruct = (fields: Readonly<Record<string, ExprLike>>): Expr => fn('named_struct', ...Object.entries(fields).flatMap(([k, v]) => [k, v]));
export const struct = (...values: ExprLike[]): Expr => fn('struct', ...values);

// maps
/** `map([k1, v1], [k2, v2])`. */
export const map = (...entries: readonly (readonly [ExprLike, ExprLike])[]): Expr => fn('map', ...entries.flatMap(([k, v]) => [k, v]));
export const mapFromArrays = (keys: ExprLike, values: ExprLike): Expr => fn('map_from_arrays', keys, values);
export const mapFromEntries = (entries: ExprLike): Expr => fn('map_from_entries', entries);
export const mapKeys = (m: ExprLike): Expr => fn('map_keys', m);
export const mapValues = (m: ExprLike): Expr => fn('map_values', m);
export const mapEntries = (m: ExprLike): Expr => fn('map_entries', m);
export const mapConcat = (...maps: ExprLike[]): Expr => fn('map_concat', ...maps);
export const mapContainsKey = (m: ExprLike, key: ExprLike): Expr => fn('map_contains_key', m, key);

// higher-order functions
/** Elements where `f(x)` (or `f(x, i)`, i 0-based) is TRUE. */
export const filter = (a: ExprLike, f: ElementLambda): Expr => fn('filter', a, lam(f as Lambda2, ['x', 'i'], true));
export const transform = (a: ExprLike, f: ElementLambda): Expr => fn('transform', a, lam(f as Lambda2, ['x', 'i'], true));
export const exists = (a: ExprLike, f: Lambda1): Expr => fn('exists', a, lam(f, ['x']));
export const forall = (a: ExprLike, f: Lambda1): Expr => fn('forall', a, lam(f, ['x']));
/** Spark's aggregate/reduce: `reduce(col('xs'), 0, (acc, x) => acc.plus(x))`; merge must return the zero's type. */
export const reduce = (a: ExprLike, zero: ExprLike, merge: Lambda2, finish?: Lambda1): Expr =>
  (finish === undefined
    ? fn('aggregate', a, zero, lam(merge, ['acc', 'x']))
    : fn('aggregate', a, zero, lam(merge, ['acc', 'x']), lam(finish, ['acc'])));
export const zipWith = (a: ExprLike, b: ExprLike, f: Lambda2): Expr => fn('zip_with', a, b, lam(f, ['x', 'y']));
export const mapFilter = (m: ExprLike, f: Lambda2): Expr => fn('map_filter', m, lam(f, ['k', 'v']));
export const transformKeys = (m: ExprLike, f: Lambda2): Expr => fn('transform_keys', m, lam(f, ['k', 'v']));
export const transformValues = (m: ExprLike, f: Lambda2): Expr => fn('transform_values', m, lam(f, ['k', 'v']));
