/**
 * Analytic window functions over a complete input (a materialized view is
 * recomputed, or the window sits above its incrementally kept aggregate):
 * every input row, in input order, with one new column per `over` expression.
 *
 * Functions sharing a PARTITION BY and ORDER BY are computed together: the
 * rows are grouped by partition (NULLs equal), each partition sorted by the
 * ORDER BY keys (stable: ties keep input order), peer groups found (rows equal
 * on the keys), then each function fills its column:
 * - window-registry functions (engine/functions/window.ts) from the
 *   partition, its peers and frames;
 * - aggregates from their state over each row's frame: cumulative when the
 *   frame starts at the partition's start (or, backwards, ends at its end),
 *   sliding with add/remove when the aggregate can remove, else recomputed
 *   per row.
 *
 * Frames (Spark's): ROWS counts rows from the current one; RANGE compares the
 * ORDER BY key (CURRENT ROW is the row's peer group; an offset is a distance
 * in the key's units, NULL keys being their own group). Without a frame:
 * RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW with ORDER BY, the whole
 * partition without.
 */
import type { ExprNode, FrameBound, SortKey, WindowFrame } from '../ir/expr.js';
import type { DataType, Field, Schema, Value } from '../ir/types.js';
import { columnFromValues, valueAt, type Batch, type Column } from '../batch.js';
import { compileExpr, DEFAULT_ENV, type EvalEnv, type Evaluator } from '../expr/eval.js';
import { batchKeys } from '../column/group-ids.js';
import { exprType } from '../expr/typecheck.js';
import { frameOffsetValue, resolveWindow, type ResolvedWindow, type WindowPartition } from '../functions/window.js';
import type { AggregateFunction } from './aggregates.js';
import { sortKeyNumbers } from './sort.js';
import { sortKeyText } from '../expr/text.js';
import { exprToString } from '../expr/text.js';

interface CompiledFunction {
  readonly field: Field;
  readonly resolved: ResolvedWindow;
  readonly frame: WindowFrame | null;
  readonly args: Evaluator[];
  /** Aggregates: their state functions. */
  readonly agg: AggregateFunction<unknown> | null;
}

interface SpecGroup {
  readonly partition: Evaluator[];
  readonly order: Evaluator[];
  readonly keys: readonly SortKey[];
  readonly orderType: DataType | null;
  readonly fns: CompiledFunction[];
}

const DEFAULT_WITH_ORDER: WindowFrame = { unit: 'range', start: { kind: 'unbounded_preceding' }, end: { kind: 'current_row' } };
const WHOLE: WindowFrame = { unit: 'rows', start: { kind: 'unbounded_preceding' }, end: { kind: 'unbounded_following' } };

/** A copy of a value an aggregate state may keep mutating (arrays, maps). */
function detach(v: Value): Value {
  if (Array.isArray(v)) return [...v];
  if (v instanceof Map) return new Map(v);
  return v;
}

export class WindowOperator {
  readonly stateful = false;
  readonly schema: Schema;
  private readonly groups: SpecGroup[] = [];
  /** Output column of each function, in `columns` order: [group, index in group]. */
  private readonly slots: [number, number][] = [];

  constructor(private readonly input: Schema, columns: readonly (readonly [string, ExprNode])[], env: EvalEnv = DEFAULT_ENV) {
    const byKey = new Map<string, number>();
    const fields: Field[] = [];
    for (const [name, e] of columns) {
      const over = e as Extract<ExprNode, { kind: 'over' }>;
      const resolved = resolveWindow(over, input, env.origin, env.ansi);
      const key = `${over.spec.partitionBy.map(exprToString).join(', ')} | ${over.spec.orderBy.map(sortKeyText).join(', ')}`;
      let g = byKey.get(key);
      if (g === undefined) {
        g = this.groups.length;
        byKey.set(key, g);
        this.groups.push({
          partition: over.spec.partitionBy.map((x) => compileExpr(x, input, env)),
          order: over.spec.orderBy.map((k) => compileExpr(k.expr, input, env)),
          keys: over.spec.orderBy,
          orderType: over.spec.orderBy.length === 1 ? exprType(over.spec.orderBy[0].expr, input, env.origin, env.ansi) : null,
          fns: [],
        });
      }
      const field = { name, type: resolved.returns };
      const args = resolved.kind === 'function'
        ? resolved.args.slice(0, resolved.resolved.params.argCount).map((a, i) => this.argEval(a, resolved.argTypes[i], env))
        : resolved.args.map((a, i) => this.argEval(a, resolved.agg.argTypes[i], env));
      const agg = resolved.kind === 'aggregate' ? resolved.agg.def.make(resolved.agg.argTypes, resolved.agg.returns, false, resolved.agg.literals) : null;
      this.slots.push([g, this.groups[g].fns.length]);
      this.groups[g].fns.push({ field, resolved, frame: over.spec.frame, args, agg });
      fields.push(field);
    }
    this.schema = [...input, ...fields];
  }

  private argEval(a: ExprNode, want: DataType, env: EvalEnv): Evaluator {
    const t = exprType(a, this.input, env.origin, env.ansi);
    return compileExpr(t === want ? a : { kind: 'cast', arg: a, to: want }, this.input, env);
  }

  process(b: Batch): Batch {
    const n = b.length;
    const results: Column[][] = this.groups.map((g) => {
      const out = g.fns.map(() => new Array<Value>(n).fill(null));
      const partCols = g.partition.map((f) => f(b));
      const orderCols = g.order.map((f) => f(b));
      const fnArgs = g.fns.map((f) => f.args.map((a) => a(b)));
      // one permutation: partitions in order of first appearance, each in window order, ties in input order
      const keys = partCols.length ? batchKeys(partCols, n) : { ids: new Int32Array(n), count: n > 0 ? 1 : 0 };
      const part = keys.ids;
      const nums = sortKeyNumbers(orderCols, g.keys, n);
      // partitions laid out contiguously (a counting sort by partition id keeps input order), then each sorted
      const starts = new Int32Array(keys.count + 1);
      for (let i = 0; i < n; i++) starts[part[i] + 1]++;
      for (let p = 0; p < keys.count; p++) starts[p + 1] += starts[p];
      const perm = new Int32Array(n);
      const fill = starts.slice(0, keys.count);
      for (let i = 0; i < n; i++) perm[fill[part[i]]++] = i;
      if (nums.length) {
        const cmp = nums.length === 1
          ? ((a: Float64Array) => (x: number, y: number) => (a[x] < a[y] ? -1 : a[x] > a[y] ? 1 : x - y))(nums[0])
          : (x: number, y: number) => { for (let k = 0; k < nums.length; k++) { const a = nums[k][x], c = nums[k][y]; if (a < c) return -1; if (a > c) return 1; } return x - y; };
        for (let p = 0; p < keys.count; p++) if (starts[p + 1] - starts[p] > 1) perm.subarray(starts[p], starts[p + 1]).sort(cmp);
      }
      const peers = (x: number, y: number) => { for (let k = 0; k < nums.length; k++) if (nums[k][x] !== nums[k][y]) return false; return true; };
      const peerStart = new Int32Array(n), peerEnd = new Int32Array(n);
      for (let s = 0; s < n;) {
        let e = s + 1;
        while (e < n && part[perm[e]] === part[perm[s]]) e++;
        // positions are relative to the partition's start
        for (let k = s; k < e; k++) peerStart[k] = k > s && peers(perm[k - 1], perm[k]) ? peerStart[k - 1] : k - s;
        for (let k = e - 1; k >= s; k--) peerEnd[k] = k < e - 1 && peerStart[k + 1] === peerStart[k] ? peerEnd[k + 1] : k - s + 1;
        const size = e - s;
        const rows = perm.subarray(s, e), ps = peerStart.subarray(s, e), pe = peerEnd.subarray(s, e);
        g.fns.forEach((f, fi) => {
          const frame = f.frame ?? (g.keys.length ? DEFAULT_WITH_ORDER : WHOLE);
          const { start, end } = this.frames(frame, size, rows, ps, pe, orderCols[0], g.keys[0], g.orderType);
          const target = out[fi];
          const p: WindowPartition = { size, rows, peerStart: ps, peerEnd: pe, frameStart: start, frameEnd: end, args: fnArgs[fi], set: (k, v) => { target[rows[k]] = v; } };
          if (f.resolved.kind === 'function') f.resolved.def.evaluate(p, f.resolved.resolved.params);
          else this.aggregate(f.agg!, p, frame);
        });
        s = e;
      }
      return g.fns.map((f, fi) => columnFromValues(f.field.type, out[fi]));
    });
    return { schema: this.schema, columns: [...b.columns, ...this.slots.map(([g, k]) => results[g][k])], length: n };
  }

  /** Each position's frame [start, end), clamped to the partition (an empty frame has start = end). */
  private frames(frame: WindowFrame, size: number, rows: Int32Array, peerStart: Int32Array, peerEnd: Int32Array, key: Column | undefined, sk: SortKey | undefined, keyType: DataType | null): { start: Int32Array; end: Int32Array } {
    const start = new Int32Array(size), end = new Int32Array(size);
    const bound = (b: FrameBound, k: number, isStart: boolean): number => {
      switch (b.kind) {
        case 'unbounded_preceding': return 0;
        case 'unbounded_following': return size;
        case 'current_row':
          if (frame.unit === 'rows') return isStart ? k : k + 1;
          return isStart ? peerStart[k] : peerEnd[k];
        case 'preceding': case 'following': {
          const off = frameOffsetValue(b.offset, keyType, frame.unit)!;
          if (frame.unit === 'rows') {
            const at = b.kind === 'preceding' ? k - off : k + off;
            return isStart ? at : at + 1;
          }
          return this.rangeBound(key!, sk!, rows, size, k, b.kind === 'preceding' ? -off : off, isStart);
        }
      }
    };
    for (let k = 0; k < size; k++) {
      let s = Math.max(0, Math.min(size, bound(frame.start, k, true)));
      const e = Math.max(0, Math.min(size, bound(frame.end, k, false)));
      if (s > e) s = e;
      start[k] = s; end[k] = e;
    }
    return { start, end };
  }

  /**
   * A RANGE bound: the first position whose key is at or after (start) / the
   * position after the last whose key is at or before (end) the row's key
   * moved by `delta` in sort direction. NULL keys: the NULL peer group.
   */
  private rangeBound(key: Column, sk: SortKey, rows: Int32Array, size: number, k: number, delta: number, isStart: boolean): number {
    const v = valueAt(key, rows[k]);
    const num = (x: Value): number => Number(x);
    // position p compared with the bound: < 0 before it, 0 at it, > 0 after it (in window order)
    const cmp = (p: number): number => {
      const x = valueAt(key, rows[p]);
      if (x === null || v === null) {
        if (x === null && v === null) return 0;
        return (x === null) === sk.nullsFirst ? -1 : 1;
      }
      const target = num(v) + (sk.desc ? -delta : delta);
      const d = num(x) - target;
      return sk.desc ? -d : d;
    };
    // binary search over the partition (keys are sorted in window order)
    let lo = 0, hi = size;
    if (isStart) {
      while (lo < hi) { const mid = (lo + hi) >> 1; if (cmp(mid) < 0) lo = mid + 1; else hi = mid; }
      return lo;
    }
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cmp(mid) <= 0) lo = mid + 1; else hi = mid; }
    return lo;
  }

  /** An aggregate over each position's frame. */
  private aggregate(fn: AggregateFunction<unknown>, p: WindowPartition, frame: WindowFrame): void {
    const arg = p.args[0] ?? null;
    const add = (s: unknown, k: number) => fn.add(s, arg, p.rows[k]);
    const { frameStart: fs, frameEnd: fe, size } = p;
    if (frame.start.kind === 'unbounded_preceding') {
      const s = fn.init();
      let hi = 0;
      for (let k = 0; k < size; k++) {
        while (hi < fe[k]) add(s, hi++);
        p.set(k, detach(fn.value(s)));
      }
      return;
    }
    if (frame.end.kind === 'unbounded_following') {
      const s = fn.init();
      let lo = size;
      for (let k = size - 1; k >= 0; k--) {
        while (lo > fs[k]) add(s, --lo);
        p.set(k, detach(fn.value(s)));
      }
      return;
    }
    if (fn.remove) {
      const s = fn.init();
      let lo = 0, hi = 0;
      for (let k = 0; k < size; k++) {
        while (hi < fe[k]) add(s, hi++);
        while (lo < fs[k]) fn.remove(s, arg, p.rows[lo++]);
        p.set(k, detach(fn.value(s)));
      }
      return;
    }
    for (let k = 0; k < size; k++) {
      const s = fn.init();
      for (let j = fs[k]; j < fe[k]; j++) add(s, j);
      p.set(k, detach(fn.value(s)));
    }
  }
}
