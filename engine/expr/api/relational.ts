/**
 * Builders of the relational vocabulary: window functions and `over`, sort
 * keys, generators and inline rows. Free functions named after Spark's
 * (camelCase); a string is a column name where a column is meant (window
 * partitions and orders, `asc`, `desc`), a literal elsewhere.
 *
 * ```ts
 * read(visits).select({
 *   patient_id: 'patient_id',
 *   visit_no: over(rowNumber(), { partitionBy: 'patient_id', orderBy: 'visited_at' }),
 *   running: over(sum('amount'), { partitionBy: 'patient_id', orderBy: 'visited_at', rows: ['unboundedPreceding', 'currentRow'] }),
 * }).qualify(…)
 * ```
 */
import type { ExprNode, FrameBound, SortKey, WindowFrame } from '../../ir/expr.js';
import type { DataType, Field, Value } from '../../ir/types.js';
import { parseTypeName, typeInfo } from '../../ir/types.js';
import { Agg, Expr, Rel, SortOrder, col, toNode, type ExprLike } from '../builder.js';
import { castValue } from '../cast.js';
import { DefinitionError } from '../../errors.js';
import { parseDurationUs } from '../../duration.js';

const freeze = <T>(x: T): T => Object.freeze(x);

function call(fn: string, args: readonly ExprLike[]): Expr {
  return new Expr(freeze({ kind: 'call', fn, args: freeze(args.map(toNode)) }));
}

function colOrExpr(x: string | ExprLike): ExprNode {
  return typeof x === 'string' ? col(x).node : toNode(x);
}

// ---------------------------------------------------------------- window functions

/** `row_number()`: 1, 2, … in window order. */
export function rowNumber(): Expr { return call('row_number', []); }
/** `rank()`: ties share a rank, leaving gaps. */
export function rank(): Expr { return call('rank', []); }
/** `dense_rank()`: ties share a rank, without gaps. */
export function denseRank(): Expr { return call('dense_rank', []); }
/** `percent_rank()`: (rank − 1) / (rows − 1). */
export function percentRank(): Expr { return call('percent_rank', []); }
/** `cume_dist()`: rows up to the row's peers / rows. */
export function cumeDist(): Expr { return call('cume_dist', []); }
/** `ntile(n)`: the bucket 1…n of the row. */
export function ntile(n: number): Expr { return call('ntile', [n]); }

function offsetCall(fn: 'lag' | 'lead', x: string | ExprLike, offset: number, defaultValue: ExprLike, ignoreNulls: boolean): Expr {
  const args: ExprNode[] = [colOrExpr(x), toNode(offset)];
  if (defaultValue !== null || ignoreNulls) args.push(toNode(defaultValue));
  if (ignoreNulls) args.push(toNode(true));
  return new Expr(freeze({ kind: 'call', fn, args: freeze(args) }));
}

/** `lag(x, offset, default)`: the value `offset` rows before (a string is a column name). */
export function lag(x: string | ExprLike, offset = 1, defaultValue: ExprLike = null, options: { ignoreNulls?: boolean } = {}): Expr {
  return offsetCall('lag', x, offset, defaultValue, options.ignoreNulls ?? false);
}
/** `lead(x, offset, default)`: the value `offset` rows after. */
export function lead(x: string | ExprLike, offset = 1, defaultValue: ExprLike = null, options: { ignoreNulls?: boolean } = {}): Expr {
  return offsetCall('lead', x, offset, defaultValue, options.ignoreNulls ?? false);
}
/** `first_value(x)` of the frame (IGNORE NULLS with `ignoreNulls`). */
export function firstValue(x: string | ExprLike, ignoreNulls = false): Expr { return new Expr(freeze({ kind: 'call', fn: 'first_value', args: freeze([colOrExpr(x), ...(ignoreNulls ? [toNode(true)] : [])]) })); }
/** `last_value(x)` of the frame. */
export function lastValue(x: string | ExprLike, ignoreNulls = false): Expr { return new Expr(freeze({ kind: 'call', fn: 'last_value', args: freeze([colOrExpr(x), ...(ignoreNulls ? [toNode(true)] : [])]) })); }
/** `nth_value(x, n)` of the frame (from 1). */
export function nthValue(x: string | ExprLike, n: number, ignoreNulls = false): Expr { return new Expr(freeze({ kind: 'call', fn: 'nth_value', args: freeze([colOrExpr(x), toNode(n), ...(ignoreNulls ? [toNode(true)] : [])]) })); }

/**
 * A frame bound: 'unboundedPreceding', 'currentRow', 'unboundedFollowing', a
 * number of rows or key units (negative: preceding, positive: following), or
 * `{ preceding: '1 day' }` / `{ following: … }` (a duration, for TIMESTAMP and
 * DATE keys of a RANGE frame).
 */
export type FrameBoundSpec = 'unboundedPreceding' | 'currentRow' | 'unboundedFollowing' | number | { readonly preceding: number | string } | { readonly following: number | string };

export interface OverSpec {
  readonly partitionBy?: string | ExprLike | readonly (string | ExprLike)[];
  readonly orderBy?: string | ExprLike | SortOrder | readonly (string | ExprLike | SortOrder)[];
  /** ROWS BETWEEN start AND end. */
  readonly rows?: readonly [FrameBoundSpec, FrameBoundSpec];
  /** RANGE BETWEEN start AND end (one ORDER BY key). */
  readonly range?: readonly [FrameBoundSpec, FrameBoundSpec];
}

function offsetNode(v: number | string): ExprNode {
  if (typeof v === 'number') return toNode(v);
  return freeze({ kind: 'lit', value: parseDurationUs(v, 'window frame offset'), type: 'interval day to second' as DataType });
}

function boundOf(b: FrameBoundSpec): FrameBound {
  if (b === 'unboundedPreceding' || b === -Infinity) return freeze({ kind: 'unbounded_preceding' });
  if (b === 'unboundedFollowing' || b === Infinity) return freeze({ kind: 'unbounded_following' });
  if (b === 'currentRow' || b === 0) return freeze({ kind: 'current_row' });
  if (typeof b === 'number') return b < 0 ? freeze({ kind: 'preceding', offset: toNode(-b) }) : freeze({ kind: 'following', offset: toNode(b) });
  if (typeof b === 'object' && 'preceding' in b) return freeze({ kind: 'preceding', offset: offsetNode(b.preceding) });
  if (typeof b === 'object' && 'following' in b) return freeze({ kind: 'following', offset: offsetNode(b.following) });
  throw new DefinitionError('INVALID_WINDOW_FRAME', `unknown frame bound ${JSON.stringify(b)}`, {}, { hint: "use 'unboundedPreceding', 'currentRow', 'unboundedFollowing', a number, or { preceding: '1 day' }" });
}

function listOf<T>(x: T | readonly T[] | undefined): readonly T[] {
  return x === undefined ? [] : Array.isArray(x) ? (x as readonly T[]) : [x as T];
}

/**
 * `fn OVER (PARTITION BY … ORDER BY … frame)`: a window function
 * (`rowNumber()`, `lag('x')`, …) or an aggregate (`sum('x')`, `count()`).
 */
export function over(fn: Expr | Agg, spec: OverSpec = {}): Expr {
  const f = toNode(fn);
  const partitionBy = listOf(spec.partitionBy).map((x) => colOrExpr(x as string | ExprLike));
  const orderBy: SortKey[] = listOf(spec.orderBy as string | ExprLike | SortOrder | readonly (string | ExprLike | SortOrder)[]).map((k) => (k instanceof SortOrder ? k.key : freeze({ expr: colOrExpr(k as string | ExprLike), desc: false, nullsFirst: true })));
  if (spec.rows && spec.range) throw new DefinitionError('INVALID_WINDOW_FRAME', 'a window has one frame: rows or range', {}, { hint: 'give rows: [...] or range: [...]' });
  const bounds = spec.rows ?? spec.range;
  const frame: WindowFrame | null = bounds ? freeze({ unit: spec.rows ? 'rows' : 'range', start: boundOf(bounds[0]), end: boundOf(bounds[1]) }) : null;
  return new Expr(freeze({ kind: 'over', fn: f, spec: freeze({ partitionBy: freeze(partitionBy), orderBy: freeze(orderBy), frame }) }));
}

// ---------------------------------------------------------------- sort keys

function sortOrder(x: string | ExprLike, desc: boolean, nullsFirst: boolean): SortOrder {
  return new SortOrder(freeze({ expr: colOrExpr(x), desc, nullsFirst }));
}
/** Ascending, NULLs first (Spark's default); a string is a column name. */
export function asc(x: string | ExprLike): SortOrder { return sortOrder(x, false, true); }
/** Descending, NULLs last (Spark's default). */
export function desc(x: string | ExprLike): SortOrder { return sortOrder(x, true, false); }
export function ascNullsFirst(x: string | ExprLike): SortOrder { return sortOrder(x, false, true); }
export function ascNullsLast(x: string | ExprLike): SortOrder { return sortOrder(x, false, false); }
export function descNullsFirst(x: string | ExprLike): SortOrder { return sortOrder(x, true, true); }
export function descNullsLast(x: string | ExprLike): SortOrder { return sortOrder(x, true, false); }

// ---------------------------------------------------------------- generators

/** `explode(collection)` as a SELECT item: one row per element (a string is a column name). */
export function explode(x: string | ExprLike): Expr { return new Expr(freeze({ kind: 'call', fn: 'explode', args: freeze([colOrExpr(x)]) })); }
/** `explode_outer`: a NULL or empty collection gives one row of NULLs. */
export function explodeOuter(x: string | ExprLike): Expr { return new Expr(freeze({ kind: 'call', fn: 'explode_outer', args: freeze([colOrExpr(x)]) })); }
/** `posexplode`: position (from 0) and element; in `select` name it with rel.explode(…, { position: true, as }). */
export function posexplode(x: string | ExprLike): Expr { return new Expr(freeze({ kind: 'call', fn: 'posexplode', args: freeze([colOrExpr(x)]) })); }
export function posexplodeOuter(x: string | ExprLike): Expr { return new Expr(freeze({ kind: 'call', fn: 'posexplode_outer', args: freeze([colOrExpr(x)]) })); }

// ---------------------------------------------------------------- inline rows

/** A JS value in the engine's representation of type `t` (dates and timestamps may be given as text). */
function normalize(v: unknown, t: DataType, where: string): Value {
  if (v === null || v === undefined) return null;
  const i = typeInfo(t);
  switch (i.kind) {
    case 'array':
      if (!Array.isArray(v)) break;
      return freeze(v.map((x) => normalize(x, i.element, where)));
    case 'map': {
      const entries = v instanceof Map ? [...v.entries()] : typeof v === 'object' ? Object.entries(v as object) : null;
      if (!entries) break;
      return new Map(entries.map(([k, x]) => [k as string, normalize(x, i.value, where)]));
    }
    case 'struct': {
      if (typeof v !== 'object' || Array.isArray(v)) break;
      return freeze(Object.fromEntries(i.fields.map((f) => [f.name, normalize((v as Record<string, unknown>)[f.name], f.type, where)])));
    }
    case 'date': case 'timestamp':
      if (typeof v === 'string') {
        const x = castValue(v, 'string', t);
        if (x === null) break;
        return x;
      }
      if (typeof v === 'number') return v;
      break;
    case 'string': if (typeof v === 'string') return v; break;
    case 'boolean': if (typeof v === 'boolean') return v; break;
    case 'decimal': if (typeof v === 'number' || typeof v === 'string') return v as Value; break;
    default: if (typeof v === 'number') return v; break;
  }
  throw new DefinitionError('INVALID_LITERAL', `${where}: ${JSON.stringify(v)} is not a ${t}`, { value: String(v), type: t }, { hint: 'give values of the declared types (dates as YYYY-MM-DD text or day numbers)' });
}

/**
 * Inline rows (`VALUES (…), (…) AS t(a, b)`): a constant relation, e.g. a
 * small reference table. `schema`: column name → type name; `rows`: arrays in
 * column order, or records.
 */
export function values(schema: Record<string, DataType | string>, rows: readonly (readonly unknown[] | Record<string, unknown>)[]): Rel {
  const fields: Field[] = Object.entries(schema).map(([name, t]) => {
    const type = parseTypeName(t);
    if (!type) throw new DefinitionError('UNKNOWN_TYPE', `column "${name}" has unknown type "${t}"`, { column: name, type: t });
    return freeze({ name, type });
  });
  const out = rows.map((r, i) => {
    const cells = Array.isArray(r) ? r : fields.map((f) => (r as Record<string, unknown>)[f.name]);
    if (cells.length !== fields.length) throw new DefinitionError('VALUES_ROW_LENGTH', `row ${i + 1} has ${cells.length} values, the columns are ${fields.length}`, { row: i + 1 }, { hint: 'give every row one value per column' });
    return freeze(cells.map((v, j) => normalize(v, fields[j].type, `row ${i + 1}, column ${fields[j].name}`)));
  });
  return new Rel(freeze({ kind: 'values', schema: freeze(fields), rows: freeze(out) }));
}
