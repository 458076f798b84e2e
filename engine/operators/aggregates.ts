/**
 * Aggregate functions, each as init / add / remove / value (plus JSON state for
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

/** Per-operator context shared by the accumulators of one aggregate (count-distinct value interning). */
export interface AggContext {
  /** Distinct values seen by a count-distinct aggregate, interned to small integers. */
  readonly intern: Map<Value, number>;
  readonly values: Value[];
  /** For each interned value, the count-distinct states (groups) that hold it. */
  readonly members: (Distinct[] | Set<Distinct> | undefined)[];
}

export function newAggContext(): AggContext {
  return { intern: new Map(), values: [], members: [] };
}

export interface AggregateFunction<S> {
  init(): S;
  /** Folds row i of the argument column (null for count(*)) into the state. */
  add(s: S, c: Column | null, i: number, ctx: AggContext): void;
  /** Folds rows `rows[p]` into `states[p]` for p < n. */
  addRows(states: S[], c: Column | null, rows: Int32Array, n: number, ctx: AggContext): void;
  remove?(s: S, c: Column | null, i: number): void;
  value(s: S, ctx: AggContext): Value;
  save(s: S, ctx: AggContext): unknown;
  load(j: unknown, ctx: AggContext): S;
  /** Forgets states of groups that are gone (closed windows). */
  evict?(states: S[], ctx: AggContext): void;
  /**
   * What changed since the last `saveDelta` / `markSaved` (an incremental
   * checkpoint); without it the whole state (`save`) is the change.
   */
  saveDelta?(s: S, ctx: AggContext): unknown;
  /** Applies a saved change on top of a state (absent: a new group). */
  applyDelta?(s: S | undefined, j: unknown, ctx: AggContext): S;
  /** Everything so far is in a snapshot: the next delta starts here. */
  markSaved?(s: S): void;
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
    if (c!.type === 'string' || c!.type === 'string[]') {
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
      if (c!.type === 'string' || c!.type === 'string[]' || c!.type === 'boolean') { for (let p = 0; p < n; p++) add(states[p], c, rows[p]); return; }
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
 * count(DISTINCT x). Each group keeps the ids of its distinct values (interned
 * once per value); membership is checked from the value's side, whose list of
 * groups is short (a patient id is in a handful of windows), so the hot loop
 * touches one small list per row instead of a large hash set per group.
 */
export interface Distinct {
  ids: number[];
  /** How many of `ids` are already in a checkpoint (ids only grow: the rest is the change). */
  saved: number;
}

function addMember(ctx: AggContext, s: Distinct, id: number): void {
  const list = ctx.members[id];
  if (list === undefined) { ctx.members[id] = [s]; s.ids.push(id); return; }
  if (Array.isArray(list)) {
    if (list.includes(s)) return;
    list.push(s);
    if (list.length > 32) ctx.members[id] = new Set(list);
  } else {
    if (list.has(s)) return;
    list.add(s);
  }
  s.ids.push(id);
}

const countDistinct: AggregateFunction<Distinct> = {
  init: () => ({ ids: [], saved: 0 }),
  add: (s, c, i, ctx) => { const v = valueAt(c!, i); if (v !== null) addMember(ctx, s, internValue(ctx, v)); },
  addRows: (states, c, rows, n, ctx) => {
    // intern each row's value once (a row feeds several windows)
    let lastRow = -1, lastId = -1;
    for (let p = 0; p < n; p++) {
      const r = rows[p];
      if (r !== lastRow) {
        lastRow = r;
        const v = valueAt(c!, r);
        lastId = v === null ? -1 : internValue(ctx, v);
      }
      if (lastId >= 0) addMember(ctx, states[p], lastId);
    }
  },
  value: (s) => s.ids.length,
  save: (s) => s.ids,
  load: (j, ctx) => {
    const s: Distinct = { ids: [], saved: 0 };
    for (const id of j as number[]) addMember(ctx, s, id);
    s.saved = s.ids.length;
    return s;
  },
  saveDelta: (s) => {
    const out = s.saved === 0 ? s.ids.slice() : s.ids.slice(s.saved);
    s.saved = s.ids.length;
    return out;
  },
  applyDelta: (prev, j, ctx) => {
    const s = prev ?? { ids: [], saved: 0 };
    for (const id of j as number[]) addMember(ctx, s, id);
    s.saved = s.ids.length;
    return s;
  },
  markSaved: (s) => { s.saved = s.ids.length; },
  evict: (states, ctx) => {
    for (const s of states) {
      for (const id of s.ids) {
        const list = ctx.members[id];
        if (Array.isArray(list)) { const k = list.indexOf(s); if (k >= 0) list.splice(k, 1); }
        else list?.delete(s);
      }
    }
  },
};

function internValue(ctx: AggContext, v: Value): number {
  const key = Array.isArray(v) ? JSON.stringify(v) : v;
  let id = ctx.intern.get(key);
  if (id === undefined) {
    // a parsed string may be a slice of its whole file's text: keep a copy of its own
    const own = typeof key === 'string' && key.length >= 13 ? (key + ' ').slice(0, -1) : key;
    id = ctx.values.length; ctx.values.push(own); ctx.intern.set(own, id);
  }
  return id;
}

/** Restores an interning table saved with `AggContext.values` (ids keep their meaning). */
export function restoreAggContext(values: readonly Value[]): AggContext {
  const ctx = newAggContext();
  for (const v of values) { ctx.intern.set(v, ctx.values.length); ctx.values.push(v); }
  return ctx;
}

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
