/**
 * ORDER BY and LIMIT over a complete input (a materialized view's query, or a
 * snapshot side of a join): stateless, a batch in, a batch out.
 *
 * Order: each key in turn, ASC or DESC, NULLs first or last as the key says
 * (Spark's default: NULLS FIRST for ASC, LAST for DESC); strings by UTF-8
 * bytes, NaN above every number; ties keep their input order (stable).
 */
import type { SortKey } from '../ir/expr.js';
import type { Schema } from '../ir/types.js';
import { columnLength, isNestedColumn, isNullAt, storageOf, takeBatch, type Batch, type Column, type MaskedColumn } from '../batch.js';
import { batchKeys } from '../column/group-ids.js';
import { compileExpr, DEFAULT_ENV, type EvalEnv, type Evaluator } from '../expr/eval.js';
import { compareAt } from '../functions/operators.js';

/**
 * Each key column as numbers whose ascending order is the key's order
 * (direction and NULL placement included): numbers as themselves, other
 * values (strings by bytes, booleans, decimals, nested values, NaN) by their
 * rank among the column's distinct values. Comparing rows is then comparing
 * numbers.
 */
export function sortKeyNumbers(cols: readonly Column[], keys: readonly Pick<SortKey, 'desc' | 'nullsFirst'>[], n: number): Float64Array[] {
  return cols.map((c, k) => {
    const out = new Float64Array(n);
    const { desc, nullsFirst } = keys[k];
    const nullValue = nullsFirst ? -Infinity : Infinity;
    const numeric = c.type !== 'string' && !isNestedColumn(c) && storageOf(c.type) !== 'decimal' && c.type !== 'boolean';
    let direct = numeric;
    if (numeric) {
      const d = (c as MaskedColumn).data;
      for (let i = 0; i < n; i++) if (d[i] !== d[i] || d[i] === Infinity || d[i] === -Infinity) { direct = false; break; }
    }
    if (direct) {
      const d = (c as MaskedColumn).data, nulls = (c as MaskedColumn).nulls;
      for (let i = 0; i < n; i++) out[i] = nulls !== null && nulls[i] === 1 ? nullValue : desc ? -d[i] : d[i];
      return out;
    }
    // rank of each distinct value (equal values, equal ranks)
    const ids = batchKeys([c], n);
    const order = Array.from({ length: ids.count }, (_, x) => x);
    const firsts = ids.firsts;
    order.sort((x, y) => {
      const i = firsts[x], j = firsts[y];
      const an = isNullAt(c, i), bn = isNullAt(c, j);
      if (an || bn) return an === bn ? 0 : an ? -1 : 1;
      return compareAt(c, c, i, j);
    });
    const rank = new Float64Array(ids.count);
    order.forEach((id, r) => { rank[id] = r; });
    for (let i = 0; i < n; i++) out[i] = isNullAt(c, i) ? nullValue : desc ? -rank[ids.ids[i]] : rank[ids.ids[i]];
    return out;
  });
}

/** A comparator of rows i and j of key columns, in the keys' directions and NULL placements. */
export function rowComparator(cols: readonly Column[], keys: readonly Pick<SortKey, 'desc' | 'nullsFirst'>[], n = cols.length ? columnLength(cols[0]) : 0): (i: number, j: number) => number {
  const nums = sortKeyNumbers(cols, keys, n);
  if (nums.length === 1) {
    const a = nums[0];
    return (i, j) => (a[i] < a[j] ? -1 : a[i] > a[j] ? 1 : 0);
  }
  return (i, j) => {
    for (let k = 0; k < nums.length; k++) {
      const x = nums[k][i], y = nums[k][j];
      if (x < y) return -1;
      if (x > y) return 1;
    }
    return 0;
  };
}

/** Row indices 0 … n−1 in key order, ties in input order. */
export function sortedIndices(cols: readonly Column[], keys: readonly Pick<SortKey, 'desc' | 'nullsFirst'>[], n: number): Int32Array {
  const cmp = rowComparator(cols, keys, n);
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  return idx.sort((a, b) => cmp(a, b) || a - b);
}

export class SortOperator {
  readonly stateful = false;
  private readonly keys: Evaluator[];

  constructor(readonly schema: Schema, private readonly spec: readonly SortKey[], env: EvalEnv = DEFAULT_ENV) {
    this.keys = spec.map((k) => compileExpr(k.expr, schema, env));
  }

  process(b: Batch): Batch {
    if (b.length < 2) return b;
    return takeBatch(b, sortedIndices(this.keys.map((f) => f(b)), this.spec, b.length));
  }
}

export class LimitOperator {
  readonly stateful = false;
  constructor(readonly schema: Schema, private readonly n: number | null, private readonly offset = 0) {}

  process(b: Batch): Batch {
    const start = Math.min(this.offset, b.length);
    const end = this.n === null ? b.length : Math.min(b.length, start + this.n);
    if (start === 0 && end === b.length) return b;
    const idx = new Int32Array(end - start);
    for (let k = 0; k < idx.length; k++) idx[k] = start + k;
    return takeBatch(b, idx);
  }
}
