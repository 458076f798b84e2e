/**
 * Grouped aggregation (`groupBy(keys).agg(...)`), optionally over event-time
 * windows. Stateful and incremental: `add(batch)` folds new rows into per-group
 * accumulators; `result()` gives every group's current values (complete output,
 * as a materialized view shows); `closeWindows(watermark)` emits and evicts the
 * windows the watermark has passed (append output, for streaming tables).
 *
 * State size is the number of groups (plus the distinct values of count-distinct
 * aggregates), never the number of rows seen.
 */
import type { AggNode, ExprNode } from '../ir/expr.js';
import type { WindowSpec } from '../ir/plan.js';
import type { Field, Schema, Value } from '../ir/types.js';
import { ColumnBuilder, columnIndex, valueAt, type Batch, type Column } from '../batch.js';
import { compileExpr, type Evaluator } from '../expr/eval.js';
import { aggType, exprType } from '../expr/typecheck.js';
import { aggregateFunction, compareValues, type AggregateFunction } from './aggregates.js';
import { keyText } from './keys.js';
import { eventTimeUs, windowStarts } from './window-assign.js';

interface Group {
  readonly key: Value[];
  readonly accs: unknown[];
}

export interface AggregateAddResult {
  /** Rows with a NULL event time (windowed aggregates only). */
  nullEventTime: number;
  /** Rows all of whose windows were behind the watermark. */
  late: number;
}

export class AggregateOperator {
  readonly stateful = true;
  readonly schema: Schema;
  private groups = new Map<string, Group>();
  private readonly keyEvals: Evaluator[];
  private readonly argEvals: (Evaluator | null)[];
  private readonly fns: AggregateFunction<unknown>[];
  private readonly timeIdx: number;

  constructor(input: Schema, private readonly keys: readonly (readonly [string, ExprNode])[], aggs: readonly (readonly [string, AggNode])[], readonly window: WindowSpec | null) {
    const fields: Field[] = [];
    if (window) fields.push({ name: 'window_start', type: 'timestamp' }, { name: 'window_end', type: 'timestamp' });
    for (const [name, e] of keys) fields.push({ name, type: exprType(e, input) });
    for (const [name, a] of aggs) fields.push({ name, type: aggType(a, input) });
    this.schema = fields;
    this.keyEvals = keys.map(([, e]) => compileExpr(e, input));
    this.argEvals = aggs.map(([, a]) => (a.arg ? compileExpr(a.arg, input) : null));
    this.fns = aggs.map(([, a]) => aggregateFunction(a.fn));
    this.timeIdx = window ? columnIndex(input, window.timeColumn) : -1;
  }

  get groupCount(): number { return this.groups.size; }

  private group(keyCols: Column[], i: number, prefix: Value[]): Group {
    let text = prefix.length ? `${prefix.join(',')}\u0002` : '';
    text += keyText(keyCols, i);
    let g = this.groups.get(text);
    if (!g) {
      const key = [...prefix, ...keyCols.map((c) => valueAt(c, i))];
      g = { key, accs: this.fns.map((f) => f.init()) };
      this.groups.set(text, g);
    }
    return g;
  }

  /**
   * Folds a batch in. With a window, a (row, window) pair whose window ends at or
   * before `watermarkUs` is discarded.
   */
  add(b: Batch, watermarkUs: number | null = null): AggregateAddResult {
    const res: AggregateAddResult = { nullEventTime: 0, late: 0 };
    if (b.length === 0) return res;
    const keyCols = this.keyEvals.map((f) => f(b));
    const argCols = this.argEvals.map((f) => (f ? f(b) : null));
    const fns = this.fns;
    const fold = (g: Group, i: number) => {
      for (let k = 0; k < fns.length; k++) g.accs[k] = fns[k].add(g.accs[k], argCols[k], i);
    };
    if (!this.window) {
      for (let i = 0; i < b.length; i++) fold(this.group(keyCols, i, []), i);
      return res;
    }
    const tcol = b.columns[this.timeIdx];
    const spec = this.window;
    for (let i = 0; i < b.length; i++) {
      const t = eventTimeUs(tcol, i);
      if (t === null) { res.nullEventTime++; continue; }
      let kept = 0;
      for (const start of windowStarts(t, spec)) {
        const end = start + spec.sizeUs;
        if (watermarkUs !== null && end <= watermarkUs) continue;
        kept++;
        fold(this.group(keyCols, i, [start, end]), i);
      }
      if (kept === 0) res.late++;
    }
    return res;
  }

  private toBatch(groups: Group[]): Batch {
    groups.sort((x, y) => compareKeys(x.key, y.key));
    const nKey = (this.window ? 2 : 0) + this.keys.length;
    const builders = this.schema.map((f) => new ColumnBuilder(f.type, groups.length));
    for (const g of groups) {
      for (let k = 0; k < nKey; k++) builders[k].push(g.key[k]);
      for (let k = 0; k < this.fns.length; k++) builders[nKey + k].push(this.fns[k].value(g.accs[k]));
    }
    return { schema: this.schema, columns: builders.map((b) => b.finish()), length: groups.length };
  }

  /** Every group with its current values, ordered by key (NULLs first). */
  result(): Batch {
    const groups = [...this.groups.values()];
    // a global aggregate (no keys, no window) has exactly one row, even over no rows (SQL semantics)
    if (groups.length === 0 && this.keys.length === 0 && !this.window) groups.push({ key: [], accs: this.fns.map((f) => f.init()) });
    return this.toBatch(groups);
  }

  /** Whether some window ends at or before the watermark (a no-data batch would emit it). */
  hasWindowEndingBy(watermarkUs: number): boolean {
    for (const g of this.groups.values()) if ((g.key[1] as number) <= watermarkUs) return true;
    return false;
  }

  /** Emits and evicts the windows whose end is at or before the watermark. */
  closeWindows(watermarkUs: number): Batch {
    const closed: Group[] = [];
    for (const [k, g] of this.groups) {
      if ((g.key[1] as number) <= watermarkUs) { closed.push(g); this.groups.delete(k); }
    }
    return this.toBatch(closed);
  }

  saveState(): unknown {
    return [...this.groups.entries()].map(([k, g]) => [k, g.key, g.accs.map((a, j) => this.fns[j].save(a))]);
  }

  loadState(j: unknown): void {
    this.groups = new Map();
    for (const [k, key, accs] of j as [string, Value[], unknown[]][]) {
      this.groups.set(k, { key, accs: accs.map((a, idx) => this.fns[idx].load(a)) });
    }
  }

  reset(): void { this.groups = new Map(); }
}

function compareKeys(a: Value[], b: Value[]): number {
  for (let k = 0; k < a.length; k++) {
    const x = a[k], y = b[k];
    if (x === y) continue;
    if (x === null) return -1;
    if (y === null) return 1;
    const c = compareValues(x, y);
    if (c !== 0) return c;
  }
  return 0;
}
