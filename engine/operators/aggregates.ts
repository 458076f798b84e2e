/**
 * Aggregate functions, each as init / add / remove / value (plus save / load for
 * checkpoints). `remove` exists where the function is invertible (count, sum,
 * avg); min, max and count-distinct keep what they need to stay exact.
 *
 * Accumulators are small mutable objects updated in place. Besides the
 * row-at-a-time `add`, each function has `addRows`, a loop over many (row,
 * group) pairs of one batch that reads the argument column's typed array
 * directly: the aggregate operator's hot path.
 */
import type { AggFn } from '../ir/expr.js';
import type { DataType, Value } from '../ir/types.js';
import { isNullAt, valueAt, type Column, type MaskedColumn } from '../batch.js';

export interface AggregateFunction<S> {
  init(): S;
  /** Folds row i of the argument column (null for count(*)) into the state. */
  add(s: S, c: Column | null, i: number): void;
  /** Folds rows `rows[p]` into `states[p]` for p < n. */
  addRows(states: S[], c: Column | null, rows: Int32Array, n: number): void;
  remove?(s: S, c: Column | null, i: number): void;
  value(s: S): Value;
  save(s: S): unknown;
  load(j: unknown): S;
}

interface Count { n: number }
interface Sum { n: number; sum: number }
interface Extreme { v: Value }

const countAll: AggregateFunction<Count> = {
  init: () => ({ n: 0 }),
  add: (s) => { s.n++; },
  addRows: (states, _c, _rows, n) => { for (let p = 0; p < n; p++) states[p].n++; },
  remove: (s) => { s.n--; },
  value: (s) => s.n,
  save: (s) => s.n,
  load: (j) => ({ n: j as number }),
};

const count: AggregateFunction<Count> = {
  init: () => ({ n: 0 }),
  add: (s, c, i) => { if (!isNullAt(c!, i)) s.n++; },
  addRows: (states, c, rows, n) => {
    if (c!.type === 'array<string>') {
      const d = c!.data as unknown[];
      for (let p = 0; p < n; p++) if (d[rows[p]] !== null) states[p].n++;
      return;
    }
    const nulls = (c as MaskedColumn).nulls;
    if (!nulls) { for (let p = 0; p < n; p++) states[p].n++; return; }
    for (let p = 0; p < n; p++) if (nulls[rows[p]] === 0) states[p].n++;
  },
  remove: (s, c, i) => { if (!isNullAt(c!, i)) s.n--; },
  value: (s) => s.n,
  save: (s) => s.n,
  load: (j) => ({ n: j as number }),
};

function sumRows(states: Sum[], c: Column | null, rows: Int32Array, n: number): void {
  const m = c as MaskedColumn;
  const d = m.data, nulls = m.nulls;
  if (!nulls) { for (let p = 0; p < n; p++) { const s = states[p]; s.n++; s.sum += d[rows[p]]; } return; }
  for (let p = 0; p < n; p++) { const r = rows[p]; if (nulls[r] === 0) { const s = states[p]; s.n++; s.sum += d[r]; } }
}

/** Sum: NULL when no non-NULL value was seen. */
const sum: AggregateFunction<Sum> = {
  init: () => ({ n: 0, sum: 0 }),
  add: (s, c, i) => { if (!isNullAt(c!, i)) { s.n++; s.sum += valueAt(c!, i) as number; } },
  addRows: sumRows,
  remove: (s, c, i) => { if (!isNullAt(c!, i)) { s.n--; s.sum -= valueAt(c!, i) as number; } },
  value: (s) => (s.n === 0 ? null : s.sum),
  save: (s) => [s.n, s.sum],
  load: (j) => ({ n: (j as number[])[0], sum: (j as number[])[1] }),
};

/** Average of non-NULL values; NULL when there are none. */
const avg: AggregateFunction<Sum> = {
  ...sum,
  value: (s) => (s.n === 0 ? null : s.sum / s.n),
};

function compareValues(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = String(a), y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function extreme(sign: 1 | -1): AggregateFunction<Extreme> {
  const add = (s: Extreme, c: Column | null, i: number) => {
    const v = valueAt(c!, i);
    if (v !== null && (s.v === null || sign * compareValues(v, s.v) > 0)) s.v = v;
  };
  return {
    init: () => ({ v: null }),
    add,
    addRows: (states, c, rows, n) => {
      if (c!.type === 'string' || c!.type === 'array<string>' || c!.type === 'boolean') { for (let p = 0; p < n; p++) add(states[p], c, rows[p]); return; }
      const m = c as MaskedColumn;
      const d = m.data, nulls = m.nulls;
      for (let p = 0; p < n; p++) {
        const r = rows[p];
        if (nulls && nulls[r]) continue;
        const v = d[r], s = states[p];
        if (s.v === null || (sign > 0 ? v > (s.v as number) : v < (s.v as number))) s.v = v;
      }
    },
    value: (s) => s.v,
    save: (s) => s.v,
    load: (j) => ({ v: j as Value }),
  };
}

/**
 * count(DISTINCT x): the group keeps only its count; which (group, value)
 * pairs were seen is kept once per operator in a `DistinctTable`, which tells
 * the aggregate operator when a row adds a new value to a group (see aggregate.ts).
 */
const countDistinct: AggregateFunction<Count> = {
  init: () => ({ n: 0 }),
  add: () => { throw new Error('count(DISTINCT) is folded by the aggregate operator'); },
  addRows: () => { throw new Error('count(DISTINCT) is folded by the aggregate operator'); },
  value: (s) => s.n,
  save: (s) => s.n,
  load: (j) => ({ n: j as number }),
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
