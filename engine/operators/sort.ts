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
import { isNullAt, takeBatch, type Batch, type Column } from '../batch.js';
import { compileExpr, DEFAULT_ENV, type EvalEnv, type Evaluator } from '../expr/eval.js';
import { compareAt } from '../functions/operators.js';

/** A comparator of rows i and j of key columns, in the keys' directions and NULL placements. */
export function rowComparator(cols: readonly Column[], keys: readonly Pick<SortKey, 'desc' | 'nullsFirst'>[]): (i: number, j: number) => number {
  return (i, j) => {
    for (let k = 0; k < cols.length; k++) {
      const c = cols[k];
      const an = isNullAt(c, i), bn = isNullAt(c, j);
      if (an || bn) {
        if (an && bn) continue;
        return an === keys[k].nullsFirst ? -1 : 1;
      }
      const r = compareAt(c, c, i, j);
      if (r !== 0) return keys[k].desc ? -r : r;
    }
    return 0;
  };
}

/** Row indices 0 … n−1 in key order, ties in input order. */
export function sortedIndices(cols: readonly Column[], keys: readonly Pick<SortKey, 'desc' | 'nullsFirst'>[], n: number): Int32Array {
  const cmp = rowComparator(cols, keys);
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => cmp(a, b) || a - b);
  return Int32Array.from(idx);
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
