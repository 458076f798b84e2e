/**
 * Grouped aggregation (`groupBy(keys).agg(...)`), optionally over event-time
 * windows. Stateful and incremental: `add(batch)` folds new rows into per-group
 * accumulators; `result()` gives every group's current values (complete output,
 * as a materialized view shows); `closeWindows(watermark)` emits and evicts the
 * windows the watermark has passed (append output, for streaming tables).
 *
 * State size is the number of groups (plus, for count-distinct aggregates, the
 * distinct (group, value) pairs as 24-byte hashes), never the number of rows seen.
 */
import type { AggNode, ExprNode } from '../ir/expr.js';
import type { WindowSpec } from '../ir/plan.js';
import type { Field, Schema, Value } from '../ir/types.js';
import { ColumnBuilder, columnIndex, isNestedColumn, isNullAt, keyValueText, storageOf, valueAt, type Batch, type Column, type DecimalColumn, type MaskedColumn, type NestedColumn } from '../batch.js';
import { strAt } from '../column/string-column.js';
import { batchKeys } from '../column/group-ids.js';
import { compileExpr, trueMask, DEFAULT_ENV, type EvalEnv, type Evaluator } from '../expr/eval.js';
import { resolveAggregate } from '../functions/aggregates.js';
import { exprType } from '../expr/typecheck.js';
import { compareValues, type AggregateFunction } from './aggregates.js';
import { KeyHasher, keyText, keyTextOfValues } from './keys.js';
import { DistinctTable, type DistinctTableChanges, type DistinctTableState } from './distinct-table.js';
import { cellOf, columnsOf, isColumnOf, rowsOf, type StateColumn } from '../state/columns.js';
import { RunStore, type SpillOptions } from '../state/runs.js';

/** The map key of the NULL group (single-column keys). */
const NULL_KEY = Symbol('NULL');
import { eventTimeUs } from './window-assign.js';
import * as path from 'node:path';
import * as v8 from 'node:v8';

interface Group {
  readonly key: Value[];
  /**
   * The accumulators; null while the group is as the loaded snapshot saved it
   * (row `row` of the operator's `saved` columns): they are built on first use.
   */
  accs: unknown[] | null;
  row: number;
  /** The save epoch in which the group last changed (incremental checkpoints). */
  mark: number;
  /** Evicted (its window closed). */
  gone?: boolean;
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
  /** Groups without a window, by key text. */
  private flat = new Map<unknown, Group>();
  /** Windowed groups: window start (µs) → group key → group. */
  private windows = new Map<number, Map<unknown, Group>>();
  private readonly keyTypes: string[];
  private readonly keyEvals: Evaluator[];
  /** The argument evaluators of each aggregate (none for count(*)). */
  private readonly argEvals: Evaluator[][];
  /** `FILTER (WHERE …)` of each aggregate, if any. */
  private readonly filterEvals: (Evaluator | null)[];
  private readonly fns: AggregateFunction<unknown>[];
  private readonly timeIdx: number;
  private readonly hasher = new KeyHasher();
  /** Per aggregate: the seen (group, value) pairs of a count-distinct, else null. */
  private distinct: (DistinctTable | null)[];
  /** Pane length (µs) of count-distinct pairs: gcd(size, slide) of the window, 0 without one. */
  private readonly paneUs: number;
  /** Incremental checkpoints: groups changed since the last save, windows evicted. */
  private epoch = 1;
  private dirty: Group[] = [];
  private removedStarts: number[] = [];
  private mustSnapshot = true;
  /**
   * The saved accumulators of the last snapshot loaded, one column per
   * aggregate, while some group still reads from them (`lazy` of them). A
   * restart builds a group's accumulators when a batch first touches it, not
   * all at once: most open windows see no row before they close.
   */
  private saved: StateColumn[] | null = null;
  private lazy = 0;

  constructor(input: Schema, private readonly keys: readonly (readonly [string, ExprNode])[], aggs: readonly (readonly [string, AggNode])[], readonly window: WindowSpec | null, env: EvalEnv = DEFAULT_ENV) {
    const fields: Field[] = [];
    if (window) fields.push({ name: 'window_start', type: 'timestamp' }, { name: 'window_end', type: 'timestamp' });
    for (const [name, e] of keys) fields.push({ name, type: exprType(e, input, env.origin, env.ansi) });
    const resolved = aggs.map(([, a]) => resolveAggregate(a, input, env.origin, env.ansi));
    aggs.forEach(([name], k) => fields.push({ name, type: resolved[k].returns }));
    this.schema = fields;
    this.keyEvals = keys.map(([, e]) => compileExpr(e, input, env));
    this.keyTypes = keys.map(([, e]) => exprType(e, input, env.origin, env.ansi));
    this.argEvals = aggs.map(([, a], k) => a.args.map((x, j) => {
      const t = exprType(x, input, env.origin, env.ansi), want = resolved[k].argTypes[j];
      return compileExpr(t === want ? x : { kind: 'cast', arg: x, to: want }, input, env);
    }));
    this.filterEvals = aggs.map(([, a]) => (a.filter ? compileExpr(a.filter, input, env) : null));
    this.fns = aggs.map(([, a], k) => resolved[k].def.make(resolved[k].argTypes, resolved[k].returns, a.distinct, resolved[k].literals));
    this.distinct = aggs.map(([, a], k) => (resolved[k].def.distinctTable || (a.distinct && a.fn === 'count') ? new DistinctTable() : null));
    this.paneUs = window ? gcd(window.sizeUs, window.slideUs) : 0;
    this.timeIdx = window ? columnIndex(input, window.timeColumn) : -1;
  }

  get groupCount(): number {
    let n = this.flat.size;
    for (const m of this.windows.values()) n += m.size;
    return n;
  }

  /**
   * The map key of row i's group: the value itself for a single key column
   * (NULL as a sentinel), else the exact key text.
   */
  private mapKey(keyCols: Column[], i: number): unknown {
    if (keyCols.length === 0) return '';
    if (keyCols.length === 1) {
      const c = keyCols[0];
      switch (c.type) {
        case 'string': { const v = strAt(c, i); return v === null ? NULL_KEY : v; }
        default:
          if (isNestedColumn(c) || storageOf(c.type) === 'decimal') return keyValueText(c as DecimalColumn | NestedColumn, i) ?? NULL_KEY;
          return c.nulls !== null && c.nulls[i] === 1 ? NULL_KEY : (c as MaskedColumn).data[i];
      }
    }
    return keyText(keyCols, i);
  }

  private mapKeyOfValues(values: readonly Value[]): unknown {
    if (values.length === 0) return '';
    if (values.length === 1) {
      const v = values[0];
      return v === null ? NULL_KEY : Array.isArray(v) ? JSON.stringify(v) : typeof v === 'boolean' ? (v ? 1 : 0) : v;
    }
    return keyTextOfValues(values, this.keyTypes);
  }

  private newGroup(key: Value[]): Group {
    return { key, accs: this.fns.map((f) => f.init()), row: -1, mark: 0 };
  }

  /** The accumulators of a group saved in `saved` (built, not kept). */
  private loadAccs(row: number): unknown[] {
    const s = this.saved!;
    return this.fns.map((f, k) => f.load(cellOf(s[k], row)));
  }

  /** A group loaded from a snapshot gets its accumulators (on first use). */
  private touch(g: Group): void {
    g.accs = this.loadAccs(g.row);
    this.forget(g);
  }

  /** A group no longer reads from `saved` (touched, replaced or evicted). */
  private forget(g: Group): void {
    g.row = -1;
    if (--this.lazy === 0) this.saved = null;
  }

  /**
   * Folds a batch in. With a window, a (row, window) pair whose window ends at or
   * before `watermarkUs` is discarded.
   */
  add(b: Batch, watermarkUs: number | null = null): AggregateAddResult {
    const res: AggregateAddResult = { nullEventTime: 0, late: 0 };
    if (b.length === 0) return res;
    const keyCols = this.keyEvals.map((f) => f(b));
    const argCols = this.argEvals.map((fs) => fs.map((f) => f(b)));
    const n = b.length;
    let pairGroups: Group[];
    let pairRows: Int32Array;
    let pairs = 0;
    // The group-map key of each distinct key in the batch, computed once per key.
    const local = batchKeys(keyCols, n);
    const localKey = new Array<unknown>(local.count);
    for (let id = 0; id < local.count; id++) localKey[id] = this.mapKey(keyCols, local.firsts[id]);
    if (!this.window) {
      const localGroup = new Array<Group>(local.count);
      for (let id = 0; id < local.count; id++) {
        const i = local.firsts[id];
        let g = this.flat.get(localKey[id]);
        if (!g) { g = this.newGroup(keyCols.map((c) => valueAt(c, i))); this.flat.set(localKey[id], g); }
        if (g.accs === null) this.touch(g);
        if (g.mark !== this.epoch) { g.mark = this.epoch; this.dirty.push(g); }
        localGroup[id] = g;
      }
      pairGroups = new Array<Group>(n);
      pairRows = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        pairGroups[pairs] = localGroup[local.ids[i]];
        pairRows[pairs++] = i;
      }
    } else {
      const spec = this.window;
      const per = Math.ceil(spec.sizeUs / spec.slideUs);
      pairGroups = new Array<Group>(n * per);
      pairRows = new Int32Array(n * per);
      const tcol = b.columns[this.timeIdx];
      // the groups of the last slide-aligned start seen for each key of the batch (rows of one key and one
      // slide share their windows: dates, say, under a daily slide)
      const seenLast = new Float64Array(local.count).fill(NaN);
      const seenGroups = new Array<Group[]>(local.count);
      // with a size that is a multiple of the slide, the windows of t depend on its slide only
      const aligned = spec.sizeUs % spec.slideUs === 0;
      for (let i = 0; i < n; i++) {
        const t = eventTimeUs(tcol, i);
        if (t === null) { res.nullEventTime++; continue; }
        const id = local.ids[i];
        // the windows holding t: starts t - (t mod slide) - k*slide while start > t - size (ascending order does not matter here)
        const last = t - (((t % spec.slideUs) + spec.slideUs) % spec.slideUs);
        let gs: Group[];
        if (aligned && seenLast[id] === last) gs = seenGroups[id];
        else {
          gs = [];
          const text = localKey[id];
          for (let start = last; start > last - spec.sizeUs; start -= spec.slideUs) {
            const end = start + spec.sizeUs;
            if (end <= t) continue;
            if (watermarkUs !== null && end <= watermarkUs) continue;
            let m = this.windows.get(start);
            if (!m) { m = new Map(); this.windows.set(start, m); }
            let g = m.get(text);
            if (!g) { g = this.newGroup([start, end, ...keyCols.map((c) => valueAt(c, i))]); m.set(text, g); }
            if (g.accs === null) this.touch(g);
            if (g.mark !== this.epoch) { g.mark = this.epoch; this.dirty.push(g); }
            gs.push(g);
          }
          seenLast[id] = last;
          seenGroups[id] = gs;
        }
        if (gs.length === 0) { res.late++; continue; }
        for (let q = 0; q < gs.length; q++) {
          pairGroups[pairs] = gs[q];
          pairRows[pairs++] = i;
        }
      }
    }
    const states = new Array<unknown>(pairs);
    for (let k = 0; k < this.fns.length; k++) {
      let groups = pairGroups, rows = pairRows, count = pairs;
      const filter = this.filterEvals[k];
      if (filter) {
        // FILTER (WHERE …): only the pairs of rows where the condition is TRUE.
        const mask = trueMask(filter(b), n);
        groups = []; rows = new Int32Array(pairs); count = 0;
        for (let p = 0; p < pairs; p++) if (mask[pairRows[p]]) { groups.push(pairGroups[p]); rows[count++] = pairRows[p]; }
      }
      const table = this.distinct[k];
      if (table) { this.addDistinct(table, k, b, keyCols, argCols[k][0], groups, rows, count); continue; }
      for (let p = 0; p < count; p++) states[p] = groups[p].accs![k];
      this.fns[k].addRows(states, argCols[k][0] ?? null, rows, count, argCols[k]);
    }
    return res;
  }

  /**
   * count(DISTINCT): each row's (group key, value) pair is recorded with its
   * pane; a pair new to the table counts once in each of the row's windows, a
   * pair seen before in other panes only in the windows that hold none of them.
   * A row's (row, window) pairs are consecutive.
   */
  private addDistinct(table: DistinctTable, k: number, b: Batch, keyCols: Column[], arg: Column, pairGroups: Group[], pairRows: Int32Array, pairs: number): void {
    const tcol = this.window ? b.columns[this.timeIdx] : null;
    const size = this.window?.sizeUs ?? 0;
    const hasher = this.hasher;
    let p = 0;
    while (p < pairs) {
      const r = pairRows[p];
      let e = p + 1;
      while (e < pairs && pairRows[e] === r) e++;
      if (!isNullAt(arg, r)) {
        const pane = tcol ? Math.floor(eventTimeUs(tcol, r)! / this.paneUs) : 0;
        const res = table.addHashed(hasher.reset().addRow(keyCols, r).tag(4).add(arg, r).hash(), pane);
        if (res === DistinctTable.NEW) {
          for (let q = p; q < e; q++) (pairGroups[q].accs![k] as { n: number }).n++;
        } else if (res === DistinctTable.NEW_PANE) {
          for (let q = p; q < e; q++) {
            const start = pairGroups[q].key[0] as number;
            if (!table.previous.some((x) => x * this.paneUs >= start && x * this.paneUs < start + size)) (pairGroups[q].accs![k] as { n: number }).n++;
          }
        }
      }
      p = e;
    }
  }

  private allGroups(): Group[] {
    const out = [...this.flat.values()];
    for (const m of this.windows.values()) for (const g of m.values()) out.push(g);
    return out;
  }

  private toBatch(groups: Group[]): Batch {
    groups.sort((x, y) => compareKeys(x.key, y.key));
    const nKey = (this.window ? 2 : 0) + this.keys.length;
    const builders = this.schema.map((f) => new ColumnBuilder(f.type, groups.length));
    for (const g of groups) {
      for (let k = 0; k < nKey; k++) builders[k].push(g.key[k]);
      const accs = g.accs ?? this.loadAccs(g.row);
      for (let k = 0; k < this.fns.length; k++) builders[nKey + k].push(this.fns[k].value(accs[k]));
    }
    return { schema: this.schema, columns: builders.map((b) => b.finish()), length: groups.length };
  }

  /** Every group with its current values, ordered by key (NULLs first). */
  result(): Batch {
    const groups = this.allGroups();
    // a global aggregate (no keys, no window) has exactly one row, even over no rows (SQL semantics)
    if (groups.length === 0 && this.keys.length === 0 && !this.window) groups.push(this.newGroup([]));
    return this.toBatch(groups);
  }

  /** Whether some window ends at or before the watermark (a no-data batch would emit it). */
  hasWindowEndingBy(watermarkUs: number): boolean {
    if (!this.window) return false;
    for (const start of this.windows.keys()) if (start + this.window.sizeUs <= watermarkUs) return true;
    return false;
  }

  /** Emits and evicts the windows whose end is at or before the watermark. */
  closeWindows(watermarkUs: number): Batch {
    if (!this.window) return this.toBatch([]);
    const closed: Group[] = [];
    const starts: number[] = [];
    for (const start of this.windows.keys()) if (start + this.window.sizeUs <= watermarkUs) starts.push(start);
    for (const start of starts) for (const g of this.windows.get(start)!.values()) closed.push(g);
    // the rows first: a group as loaded reads its accumulators from the snapshot, which eviction may let go
    const out = this.toBatch(closed);
    this.evictWindows(starts);
    // pairs whose panes all lie in closed windows can count nowhere any more (open windows end after the watermark)
    if (starts.length) for (const t of this.distinct) t?.prune(Math.floor((watermarkUs - this.window.sizeUs) / this.paneUs));
    return out;
  }

  private evictWindows(starts: readonly number[]): void {
    for (const start of starts) {
      const m = this.windows.get(start);
      if (!m) continue;
      for (const g of m.values()) { g.gone = true; if (g.accs === null) this.forget(g); }
      this.windows.delete(start);
      this.removedStarts.push(start);
    }
  }

  // ------------------------------------------------------------------ checkpoints

  /** Whether the next checkpoint must be a snapshot (nothing saved yet, or the ids were renumbered). */
  get wantsSnapshot(): boolean { return this.mustSnapshot || this.distinct.some((t) => t !== null && (t.logOverflowed || t.runs?.changed === true)); }

  private spill: SpillOptions | null = null;
  /** Keeps at most `maxKeys` count-distinct pairs per aggregate in memory, the rest in sorted runs under `dir`. */
  useSpill(o: SpillOptions): void {
    this.spill = o;
    this.distinct.forEach((t, k) => { if (t) t.spillTo(RunStore.create(this.spillDir(k), 8), o.maxKeys, o.snapshotKeys); });
  }

  private spillDir(k: number): string { return path.join(this.spill!.dir, `distinct-${k}`); }

  private newDistinct(k: number): DistinctTable {
    const t = new DistinctTable();
    if (this.spill) t.spillTo(RunStore.create(this.spillDir(k), 8), this.spill.maxKeys, this.spill.snapshotKeys);
    return t;
  }

  private startEpoch(): void {
    this.epoch++;
    this.dirty = [];
    this.removedStarts = [];
  }

  /**
   * Groups as saved: format 4 stores keys and saved accumulators column by
   * column (state/columns.ts: a restart deserializes the risk features'
   * windows about 10× faster than format 3's rows); format 3 when the keys
   * differ in length (they do not: a group key has the operator's width).
   */
  private savedGroups(groups: Iterable<Group>): { v: 3; groups: unknown[] } | { v: 4; n: number; keys: StateColumn[]; accs: StateColumn[] } {
    const keys: Value[][] = [], accs: unknown[][] = [];
    for (const g of groups) {
      if (g.gone) continue;
      keys.push(g.key);
      // a group as loaded is saved as it was
      accs.push(g.accs === null ? this.fns.map((_, j) => cellOf(this.saved![j], g.row)) : g.accs.map((a, j) => this.fns[j].save(a)));
    }
    const width = keys.length ? keys[0].length : 0;
    if (keys.some((k) => k.length !== width)) return { v: 3, groups: keys.map((k, i) => [k, accs[i]]) };
    return { v: 4, n: keys.length, keys: columnsOf(keys, width), accs: columnsOf(accs, this.fns.length) };
  }

  /** The columns of a format-4 snapshot or change log; null if they are not well formed. */
  private savedColumns(st: { n?: unknown; keys?: unknown; accs?: unknown }): { n: number; keys: StateColumn[]; accs: StateColumn[] } | null {
    const n = st.n;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || !Array.isArray(st.keys) || !Array.isArray(st.accs) || st.accs.length !== this.fns.length) return null;
    const keys = st.keys as unknown[], accs = st.accs as unknown[];
    if (!keys.every((c) => isColumnOf(c, n)) || !accs.every((c) => isColumnOf(c, n))) return null;
    return { n, keys: keys as StateColumn[], accs: accs as StateColumn[] };
  }

  /** Calls `each` with every saved group of a snapshot or change log (format 3 or 4); false if they are not well formed. */
  private eachSavedGroup(st: { v?: unknown; groups?: unknown; n?: unknown; keys?: unknown; accs?: unknown }, each: (key: Value[], saved: unknown[]) => void): boolean {
    if (st.v === 3) {
      if (!Array.isArray(st.groups)) return false;
      for (const [key, saved] of st.groups as [Value[], unknown[]][]) each(key, saved);
      return true;
    }
    const c = st.v === 4 ? this.savedColumns(st) : null;
    if (!c) return false;
    const keyRows = rowsOf(c.keys, c.n) as Value[][], savedRows = rowsOf(c.accs, c.n);
    for (let i = 0; i < c.n; i++) each(keyRows[i], savedRows[i]);
    return true;
  }

  /** The whole state, binary (v8 serialization of format 4). Later changes are relative to it. */
  snapshot(): Uint8Array {
    const bytes = v8.serialize({ ...this.savedGroups(this.allGroups()), distinct: this.distinct.map((t) => t?.save() ?? null) });
    this.startEpoch();
    this.mustSnapshot = false;
    return bytes;
  }

  /** Whether `changes()` would log nothing: no group changed, no window was evicted, no count-distinct pair is new. */
  get unchanged(): boolean {
    return this.dirty.length === 0 && this.removedStarts.length === 0 && this.distinct.every((t) => t === null || t.drained);
  }

  /** What changed since the last snapshot or change log: changed groups, new count-distinct pairs, evicted windows. */
  changes(): Uint8Array {
    for (const t of this.distinct) t?.runs?.collect();
    const bytes = v8.serialize({ ...this.savedGroups(this.dirty), delta: true, removed: this.removedStarts, distinct: this.distinct.map((t) => t?.drain() ?? null) });
    this.startEpoch();
    return bytes;
  }

  loadSnapshot(bytes: Uint8Array): void {
    const st = v8.deserialize(bytes) as { v?: number; n?: unknown; keys?: unknown; accs?: unknown; distinct?: (DistinctTableState | null)[] };
    if (st === null || typeof st !== 'object' || (st.v !== 3 && st.v !== 4) || !Array.isArray(st.distinct) || st.distinct.length !== this.fns.length) {
      throw new TypeError('aggregate snapshot is not in format 3 or 4');
    }
    this.clearGroups();
    for (const t of this.distinct) t?.runs?.close();
    this.distinct = this.distinct.map((t, k) => (t ? DistinctTable.load(st.distinct![k]!, this.spill && { dir: this.spillDir(k), maxKeys: this.spill.maxKeys, snapshotKeys: this.spill.snapshotKeys }) : null));
    let ok: boolean;
    if (st.v === 4) {
      // format 4: the keys now, the accumulators when a batch first uses them (see `saved`)
      const c = this.savedColumns(st);
      ok = c !== null;
      if (c && c.n > 0) {
        const keyRows = rowsOf(c.keys, c.n) as Value[][];
        this.saved = c.accs;
        this.lazy = c.n;
        for (let i = 0; i < c.n; i++) this.putGroup(keyRows[i], null, i);
      }
    } else ok = this.eachSavedGroup(st, (key, saved) => this.putGroup(key, saved.map((a, idx) => this.fns[idx].load(a)), -1));
    if (!ok) throw new TypeError(`aggregate snapshot of format ${st.v} holds malformed groups`);
    this.startEpoch();
    this.mustSnapshot = false;
  }

  applyChanges(bytes: Uint8Array): void {
    const st = v8.deserialize(bytes) as { v?: number; delta?: boolean; removed?: number[]; distinct?: (DistinctTableChanges | null)[] };
    if (st === null || typeof st !== 'object' || (st.v !== 3 && st.v !== 4) || st.delta !== true || !Array.isArray(st.removed) || !Array.isArray(st.distinct) || st.distinct.length !== this.fns.length) {
      throw new TypeError('aggregate change log is not in format 3 or 4');
    }
    // checked whole before anything is applied
    const changed: [Value[], unknown[]][] = [];
    if (!this.eachSavedGroup(st, (key, saved) => changed.push([key, saved]))) throw new TypeError(`aggregate change log of format ${st.v} holds malformed groups`);
    this.distinct.forEach((t, k) => { if (t) t.apply(st.distinct![k]!); });
    for (const [key, saved] of changed) {
      const accs = saved.map((d, j) => this.fns[j].load(d));
      const g = this.findGroup(key);
      if (g) { if (g.accs === null) this.forget(g); g.accs = accs; } else this.putGroup(key, accs, -1);
    }
    this.evictWindows(st.removed);
    this.startEpoch();
    this.mustSnapshot = false;
  }

  private findGroup(key: Value[]): Group | undefined {
    if (!this.window) return this.flat.get(this.mapKeyOfValues(key));
    return this.windows.get(key[0] as number)?.get(this.mapKeyOfValues(key.slice(2)));
  }

  private putGroup(key: Value[], accs: unknown[] | null, row: number): void {
    const g: Group = { key, accs, row, mark: 0 };
    if (!this.window) { this.flat.set(this.mapKeyOfValues(key), g); return; }
    const start = key[0] as number;
    let m = this.windows.get(start);
    if (!m) { m = new Map(); this.windows.set(start, m); }
    m.set(this.mapKeyOfValues(key.slice(2)), g);
  }

  private clearGroups(): void {
    this.flat = new Map();
    this.windows = new Map();
    this.saved = null;
    this.lazy = 0;
  }

  reset(): void {
    this.clearGroups();
    for (const t of this.distinct) t?.runs?.close();
    this.distinct = this.distinct.map((t, k) => (t ? this.newDistinct(k) : null));
    this.startEpoch();
    this.mustSnapshot = true;
  }
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

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

