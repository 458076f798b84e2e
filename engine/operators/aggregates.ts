/**
 * Aggregate function states, each as init / add / remove / value (plus save /
 * load for checkpoints). `remove` exists where the function is invertible
 * (count, sum, avg, variance, count_if, bool_and/or); min, max and the holistic
 * aggregates keep what they need to stay exact.
 *
 * Accumulators are small mutable objects updated in place. Besides the
 * row-at-a-time `add`, each function has `addRows`, a loop over many (row,
 * group) pairs of one batch that reads the argument column's typed array
 * directly: the aggregate operator's hot path. `more` holds every argument
 * column (for aggregates of two arguments: min_by, percentile).
 *
 * The aggregate registry (engine/functions/aggregates.ts) picks the state for
 * a call's resolved types.
 */
import type { DataType, DecimalType, Value } from '../ir/types.js';
import { isNestedColumn, pow10n, storageOf, valueAt, isNullAt, stableText, type Column, type DecimalColumn, type MaskedColumn } from '../batch.js';
import { typeInfo } from '../ir/types.js';

export interface AggregateFunction<S> {
  init(): S;
  /** Folds row i of the argument column (null for count(*)) into the state. */
  add(s: S, c: Column | null, i: number, more?: readonly Column[]): void;
  /** Folds rows `rows[p]` into `states[p]` for p < n. */
  addRows(states: S[], c: Column | null, rows: Int32Array, n: number, more?: readonly Column[]): void;
  remove?(s: S, c: Column | null, i: number, more?: readonly Column[]): void;
  value(s: S): Value;
  save(s: S): unknown;
  load(j: unknown): S;
}

/** addRows from add, for the functions without a typed loop. */
function rowsFrom<S>(add: AggregateFunction<S>['add']): AggregateFunction<S>['addRows'] {
  return (states, c, rows, n, more) => { for (let p = 0; p < n; p++) add(states[p], c, rows[p], more); };
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
    if (isNestedColumn(c!)) {
      const d = c.data;
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

// ------------------------------------------------------------ decimals

interface BigSum { n: number; sum: bigint }

/** sum / avg over decimals, exact on unscaled values; the registry gives the result scale. */
function decimalSum(inScale: number, outType: DecimalType, isAvg: boolean): AggregateFunction<BigSum> {
  const { precision, scale } = typeInfo(outType) as { precision: number; scale: number };
  const limit = pow10n(precision);
  const add = (s: BigSum, c: Column | null, i: number) => {
    const d = c as DecimalColumn;
    if (d.nulls && d.nulls[i]) return;
    s.n++;
    s.sum += BigInt(d.data[i]);
  };
  return {
    init: () => ({ n: 0, sum: 0n }),
    add,
    addRows: rowsFrom(add),
    remove: (s, c, i) => {
      const d = c as DecimalColumn;
      if (d.nulls && d.nulls[i]) return;
      s.n--;
      s.sum -= BigInt(d.data[i]);
    },
    value: (s) => {
      if (s.n === 0) return null;
      let u = s.sum * pow10n(Math.max(0, scale - inScale));
      if (isAvg) {
        const den = BigInt(s.n);
        const q = u / den, r = u % den;
        u = 2n * (r < 0n ? -r : r) >= den ? q + (u < 0n ? -1n : 1n) : q;
      }
      if (u >= limit || u <= -limit) return null; // overflow: NULL (ANSI mode fails in the operator's result check)
      return decimalValue(u, scale);
    },
    save: (s) => [s.n, s.sum.toString()],
    load: (j) => ({ n: (j as [number, string])[0], sum: BigInt((j as [number, string])[1]) }),
  };
}

/** A decimal result as its exact text (the column builder reads text exactly). */
function decimalValue(u: bigint, scale: number): string {
  const neg = u < 0n;
  let digits = (neg ? -u : u).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  }
  return (neg ? '-' : '') + digits;
}

// ------------------------------------------------------------ min / max

/** Compares two values of one type (numbers, strings by code point, booleans, nested by stable text). */
export function compareValues(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'string' && typeof b === 'string') {
    if (a === b) return 0;
    // code point order (UTF-8 byte order), not UTF-16
    const x = [...a], y = [...b];
    for (let k = 0; k < Math.min(x.length, y.length); k++) if (x[k] !== y[k]) return x[k].codePointAt(0)! - y[k].codePointAt(0)!;
    return x.length - y.length;
  }
  const x = stableText(a), y = stableText(b);
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
      if (c!.type === 'string' || isNestedColumn(c!) || c!.type === 'boolean' || storageOf(c!.type) === 'decimal') { for (let p = 0; p < n; p++) add(states[p], c, rows[p]); return; }
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

/** min / max over decimals: the exact unscaled value is kept. */
function decimalExtreme(sign: 1 | -1, scale: number): AggregateFunction<{ u: bigint | null }> {
  const add = (s: { u: bigint | null }, c: Column | null, i: number) => {
    const d = c as DecimalColumn;
    if (d.nulls && d.nulls[i]) return;
    const v = BigInt(d.data[i]);
    if (s.u === null || (sign > 0 ? v > s.u : v < s.u)) s.u = v;
  };
  return {
    init: () => ({ u: null }),
    add,
    addRows: rowsFrom(add),
    value: (s) => (s.u === null ? null : decimalValue(s.u, scale)),
    save: (s) => (s.u === null ? null : s.u.toString()),
    load: (j) => ({ u: j === null ? null : BigInt(j as string) }),
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

// ------------------------------------------------------------ count_if, bool_and / bool_or

/** count_if(cond): rows where cond is TRUE. */
const countIf: AggregateFunction<Count> = {
  init: () => ({ n: 0 }),
  add: (s, c, i) => { if (valueAt(c!, i) === true) s.n++; },
  addRows: (states, c, rows, n) => {
    const b = c as MaskedColumn;
    for (let p = 0; p < n; p++) { const r = rows[p]; if (b.data[r] === 1 && !(b.nulls && b.nulls[r])) states[p].n++; }
  },
  remove: (s, c, i) => { if (valueAt(c!, i) === true) s.n--; },
  value: (s) => s.n,
  save: (s) => s.n,
  load: (j) => ({ n: j as number }),
};

interface TrueFalse { t: number; f: number }

/** bool_and / bool_or: counts of TRUE and FALSE, so removal stays exact. */
function boolAgg(isAnd: boolean): AggregateFunction<TrueFalse> {
  const step = (s: TrueFalse, c: Column | null, i: number, d: number) => {
    const v = valueAt(c!, i);
    if (v === true) s.t += d; else if (v === false) s.f += d;
  };
  return {
    init: () => ({ t: 0, f: 0 }),
    add: (s, c, i) => step(s, c, i, 1),
    addRows: rowsFrom((s, c, i) => step(s, c, i, 1)),
    remove: (s, c, i) => step(s, c, i, -1),
    value: (s) => (s.t + s.f === 0 ? null : isAnd ? s.f === 0 : s.t > 0),
    save: (s) => [s.t, s.f],
    load: (j) => ({ t: (j as number[])[0], f: (j as number[])[1] }),
  };
}

// ------------------------------------------------------------ variance family

interface Moments { n: number; mean: number; m2: number }

/**
 * Variance and standard deviation (Welford's update, with the inverse update
 * for removal). Sample forms are NULL for a single value (Spark 4); population
 * forms are 0 for one value; NULL without values.
 */
function moments(kind: 'var_samp' | 'var_pop' | 'stddev_samp' | 'stddev_pop'): AggregateFunction<Moments> {
  const add = (s: Moments, x: number) => {
    s.n++;
    const d = x - s.mean;
    s.mean += d / s.n;
    s.m2 += d * (x - s.mean);
  };
  const one = (s: Moments, c: Column | null, i: number) => { const v = valueAt(c!, i); if (v !== null) add(s, v as number); };
  return {
    init: () => ({ n: 0, mean: 0, m2: 0 }),
    add: one,
    addRows: (states, c, rows, n) => {
      const m = c as MaskedColumn;
      for (let p = 0; p < n; p++) { const r = rows[p]; if (!(m.nulls && m.nulls[r])) add(states[p], m.data[r]); }
    },
    remove: (s, c, i) => {
      const v = valueAt(c!, i);
      if (v === null) return;
      const x = v as number;
      if (s.n <= 1) { s.n = 0; s.mean = 0; s.m2 = 0; return; }
      const meanBefore = (s.mean * s.n - x) / (s.n - 1);
      s.m2 -= (x - s.mean) * (x - meanBefore);
      s.mean = meanBefore;
      s.n--;
      if (s.m2 < 0) s.m2 = 0;
    },
    value: (s) => {
      if (s.n === 0) return null;
      const samp = kind === 'var_samp' || kind === 'stddev_samp';
      if (samp && s.n === 1) return null;
      const v = s.m2 / (samp ? s.n - 1 : s.n);
      return kind.startsWith('stddev') ? Math.sqrt(v) : v;
    },
    save: (s) => [s.n, s.mean, s.m2],
    load: (j) => { const [n, mean, m2] = j as number[]; return { n, mean, m2 }; },
  };
}

// ------------------------------------------------------------ min_by / max_by, first / last

interface ByState { ord: Value; v: Value; seen: boolean }

/** min_by(x, ord) / max_by(x, ord): x of the row with the smallest / largest ord (NULL ords skipped; the first such row wins a tie). */
function byOrder(sign: 1 | -1): AggregateFunction<ByState> {
  const add = (s: ByState, c: Column | null, i: number, more?: readonly Column[]) => {
    const ord = valueAt(more![1], i);
    if (ord === null) return;
    if (!s.seen || sign * compareValues(ord, s.ord) > 0) { s.ord = ord; s.v = valueAt(c!, i); s.seen = true; }
  };
  return {
    init: () => ({ ord: null, v: null, seen: false }),
    add,
    addRows: rowsFrom(add),
    value: (s) => (s.seen ? s.v : null),
    save: (s) => [s.seen, s.ord, s.v],
    load: (j) => { const [seen, ord, v] = j as [boolean, Value, Value]; return { seen, ord, v }; },
  };
}

/** first / last (and any_value): in arrival order; with ignoreNulls, NULLs are skipped. */
function firstLast(last: boolean, ignoreNulls: boolean): AggregateFunction<{ v: Value; seen: boolean }> {
  const add = (s: { v: Value; seen: boolean }, c: Column | null, i: number) => {
    const v = valueAt(c!, i);
    if (ignoreNulls && v === null) return;
    if (last || !s.seen) { s.v = v; s.seen = true; }
  };
  return {
    init: () => ({ v: null, seen: false }),
    add,
    addRows: rowsFrom(add),
    value: (s) => s.v,
    save: (s) => [s.seen, s.v],
    load: (j) => { const [seen, v] = j as [boolean, Value]; return { seen, v }; },
  };
}

// ------------------------------------------------------------ holistic: collect_list / collect_set / percentile

interface Values { vs: Value[] }

/** collect_list: the non-NULL values in arrival order. collect_set: without repeats (first occurrence order). */
function collect(set: boolean): AggregateFunction<Values & { keys?: Set<string> }> {
  const add = (s: Values & { keys?: Set<string> }, c: Column | null, i: number) => {
    const v = valueAt(c!, i);
    if (v === null) return;
    if (set) {
      const k = typeof v === 'object' ? stableText(v) : `${typeof v}:${String(v)}`;
      if ((s.keys ??= new Set(s.vs.map((x) => (typeof x === 'object' ? stableText(x) : `${typeof x}:${String(x)}`)))).has(k)) return;
      s.keys.add(k);
    }
    s.vs.push(v);
  };
  return {
    init: () => ({ vs: [] }),
    add,
    addRows: rowsFrom(add),
    remove: set ? undefined : (s, c, i) => {
      const v = valueAt(c!, i);
      if (v === null) return;
      const k = s.vs.findIndex((x) => compareValues(x, v) === 0);
      if (k >= 0) s.vs.splice(k, 1);
    },
    value: (s) => [...s.vs],
    save: (s) => s.vs,
    load: (j) => ({ vs: [...(j as Value[])] }),
  };
}

/** Exact percentile with linear interpolation between the closest ranks (Spark's `percentile`, `median`). */
export function percentileOf(sorted: readonly number[], p: number): number {
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return lo === hi ? sorted[lo] : sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/** percentile(x, p) / median(x): keeps the group's values; p is a literal (or an array of them). */
function percentile(ps: number | readonly number[]): AggregateFunction<Values> {
  const add = (s: Values, c: Column | null, i: number) => { const v = valueAt(c!, i); if (v !== null) s.vs.push(Number(v)); };
  return {
    init: () => ({ vs: [] }),
    add,
    addRows: rowsFrom(add),
    remove: (s, c, i) => {
      const v = valueAt(c!, i);
      if (v === null) return;
      const k = s.vs.indexOf(Number(v));
      if (k >= 0) s.vs.splice(k, 1);
    },
    value: (s) => {
      if (s.vs.length === 0) return null;
      const sorted = (s.vs as number[]).slice().sort((a, b) => a - b);
      return typeof ps === 'number' ? percentileOf(sorted, ps) : ps.map((p) => percentileOf(sorted, p));
    },
    save: (s) => s.vs,
    load: (j) => ({ vs: [...(j as number[])] }),
  };
}

/** The state implementations by internal key. */
export function aggregateFunction(fn: string, opts: { argTypes?: readonly DataType[]; returns?: DataType; percentiles?: number | readonly number[]; ignoreNulls?: boolean } = {}): AggregateFunction<unknown> {
  const u = <S>(f: AggregateFunction<S>) => f as AggregateFunction<unknown>;
  const inType = opts.argTypes?.[0];
  const decimalIn = inType !== undefined && storageOf(inType) === 'decimal';
  switch (fn) {
    case 'countAll': return u(countAll);
    case 'count': return u(count);
    case 'countDistinct': return u(countDistinct);
    case 'sum': return decimalIn ? u(decimalSum((typeInfo(inType!) as { scale: number }).scale, opts.returns as DecimalType, false)) : u(sum);
    case 'avg': return decimalIn ? u(decimalSum((typeInfo(inType!) as { scale: number }).scale, opts.returns as DecimalType, true)) : u(avg);
    case 'min': case 'max': return decimalIn ? u(decimalExtreme(fn === 'max' ? 1 : -1, (typeInfo(inType!) as { scale: number }).scale)) : u(extreme(fn === 'max' ? 1 : -1));
    case 'count_if': return u(countIf);
    case 'bool_and': return u(boolAgg(true));
    case 'bool_or': return u(boolAgg(false));
    case 'var_samp': case 'var_pop': case 'stddev_samp': case 'stddev_pop': return u(moments(fn));
    case 'min_by': return u(byOrder(-1));
    case 'max_by': return u(byOrder(1));
    case 'first': return u(firstLast(false, opts.ignoreNulls ?? false));
    case 'last': return u(firstLast(true, opts.ignoreNulls ?? false));
    case 'collect_list': return u(collect(false));
    case 'collect_set': return u(collect(true));
    case 'percentile': return u(percentile(opts.percentiles ?? 0.5));
    default: throw new Error(`internal: no aggregate state ${fn}`);
  }
}

