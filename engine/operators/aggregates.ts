/**
 * Aggregate functions, each as init / add / remove / value (plus JSON state for
 * checkpoints). `remove` exists where the function is invertible (count, sum,
 * avg); min, max and count-distinct keep what they need to stay exact.
 */
import type { AggFn } from '../ir/expr.js';
import type { DataType, Value } from '../ir/types.js';
import { isNullAt, valueAt, type Column } from '../batch.js';

export interface AggregateFunction<S> {
  init(): S;
  /** Folds row i of the argument column (null for count(*)) into the state. */
  add(s: S, c: Column | null, i: number): S;
  remove?(s: S, c: Column | null, i: number): S;
  value(s: S): Value;
  save(s: S): unknown;
  load(j: unknown): S;
}

const countAll: AggregateFunction<number> = {
  init: () => 0,
  add: (s) => s + 1,
  remove: (s) => s - 1,
  value: (s) => s,
  save: (s) => s,
  load: (j) => j as number,
};

const count: AggregateFunction<number> = {
  init: () => 0,
  add: (s, c, i) => (isNullAt(c!, i) ? s : s + 1),
  remove: (s, c, i) => (isNullAt(c!, i) ? s : s - 1),
  value: (s) => s,
  save: (s) => s,
  load: (j) => j as number,
};

/** Sum: NULL when no non-NULL value was seen. */
const sum: AggregateFunction<{ n: number; sum: number }> = {
  init: () => ({ n: 0, sum: 0 }),
  add: (s, c, i) => { if (!isNullAt(c!, i)) { s.n++; s.sum += valueAt(c!, i) as number; } return s; },
  remove: (s, c, i) => { if (!isNullAt(c!, i)) { s.n--; s.sum -= valueAt(c!, i) as number; } return s; },
  value: (s) => (s.n === 0 ? null : s.sum),
  save: (s) => [s.n, s.sum],
  load: (j) => ({ n: (j as number[])[0], sum: (j as number[])[1] }),
};

/** Average of non-NULL values; NULL when there are none. Sum and count are kept exactly for integers. */
const avg: AggregateFunction<{ n: number; sum: number }> = {
  ...sum,
  value: (s) => (s.n === 0 ? null : s.sum / s.n),
};

function compareValues(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = String(a), y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function extreme(sign: 1 | -1): AggregateFunction<{ v: Value }> {
  return {
    init: () => ({ v: null }),
    add: (s, c, i) => {
      const v = valueAt(c!, i);
      if (v !== null && (s.v === null || sign * compareValues(v, s.v) > 0)) s.v = v;
      return s;
    },
    value: (s) => s.v,
    save: (s) => s.v,
    load: (j) => ({ v: j as Value }),
  };
}

/** count(DISTINCT x): the distinct non-NULL values of the group. */
const countDistinct: AggregateFunction<Set<Value>> = {
  init: () => new Set(),
  add: (s, c, i) => { const v = valueAt(c!, i); if (v !== null) s.add(Array.isArray(v) ? JSON.stringify(v) : v); return s; },
  value: (s) => s.size,
  save: (s) => [...s],
  load: (j) => new Set(j as Value[]),
};

export function aggregateFunction(fn: AggFn): AggregateFunction<unknown> {
  switch (fn) {
    case 'countAll': return countAll as AggregateFunction<unknown>;
    case 'count': return count as AggregateFunction<unknown>;
    case 'sum': return sum as AggregateFunction<unknown>;
    case 'avg': return avg as AggregateFunction<unknown>;
    case 'min': return extreme(-1) as AggregateFunction<unknown>;
    case 'max': return extreme(1) as AggregateFunction<unknown>;
    case 'countDistinct': return countDistinct as AggregateFunction<unknown>;
  }
}

export { compareValues };
export type { DataType };
