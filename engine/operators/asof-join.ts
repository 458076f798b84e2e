/**
 * As-of join: each left row joins the right rows with equal keys whose
 * validity interval `[from, until)` holds the left row's time (`until` NULL:
 * still valid). Typically the right side is an SCD type 2 history
 * (`__START_AT`, `__END_AT`) and the left side facts with a date or time:
 * "the address valid on the admission date". `inner` or `left` (a left row
 * without a valid right row keeps NULLs); NULL keys and NULL times never match.
 *
 * The right side is a snapshot (a batch read), indexed by key and rebuilt
 * when the snapshot changes; each key's rows are sorted by `from`.
 */
import type { AsOfJoinNode } from '../ir/plan.js';
import type { DataType, Schema } from '../ir/types.js';
import { columnIndex, emptyColumn, isNullAt, takeColumn, valueAt, type Batch, type Column } from '../batch.js';
import { keyText } from './keys.js';
import { castColumn } from '../expr/eval.js';
import { comparisonType } from '../functions/coerce.js';
import { takeWithMissing } from './join.js';

export class AsOfJoinOperator {
  readonly stateful = false;
  readonly schema: Schema;
  private readonly leftKeys: number[];
  private readonly rightKeys: number[];
  private readonly rightKeep: number[];
  private readonly keyTypes: DataType[];
  private readonly at: number;
  private readonly from: number;
  private readonly until: number;
  private readonly timeType: DataType;
  private indexFor: Batch | null = null;
  /** key → right rows sorted by `from`, with their bounds. */
  private index = new Map<string, { row: number; from: number; until: number }[]>();

  constructor(left: Schema, private readonly right: Schema, node: Pick<AsOfJoinNode, 'how' | 'on' | 'at' | 'from' | 'until'>) {
    this.how = node.how;
    this.leftKeys = node.on.map(([l]) => columnIndex(left, l));
    this.rightKeys = node.on.map(([, r]) => columnIndex(right, r));
    const dropRight = new Set(node.on.filter(([l, r]) => l === r).map(([, r]) => r));
    this.rightKeep = [];
    right.forEach((f, j) => { if (!dropRight.has(f.name)) this.rightKeep.push(j); });
    this.schema = [...left, ...this.rightKeep.map((j) => right[j])];
    this.keyTypes = this.leftKeys.map((j, k) => comparisonType(left[j].type, right[this.rightKeys[k]].type) ?? left[j].type);
    this.at = columnIndex(left, node.at);
    this.from = columnIndex(right, node.from);
    this.until = columnIndex(right, node.until);
    const t1 = comparisonType(left[this.at].type, right[this.from].type) ?? right[this.from].type;
    this.timeType = comparisonType(t1, right[this.until].type) ?? t1;
  }

  private readonly how: AsOfJoinNode['how'];

  private times(b: Batch, j: number): Column {
    return castColumn(b.columns[j], b.schema[j].type, this.timeType, b.length);
  }

  private buildIndex(r: Batch): void {
    if (this.indexFor === r) return;
    const cols = this.rightKeys.map((j, k) => castColumn(r.columns[j], r.schema[j].type, this.keyTypes[k], r.length));
    const from = this.times(r, this.from), until = this.times(r, this.until);
    const idx = new Map<string, { row: number; from: number; until: number }[]>();
    for (let i = 0; i < r.length; i++) {
      if (cols.some((c) => isNullAt(c, i)) || isNullAt(from, i)) continue;
      const k = keyText(cols, i);
      const e = { row: i, from: valueAt(from, i) as number, until: isNullAt(until, i) ? Infinity : (valueAt(until, i) as number) };
      const list = idx.get(k);
      if (list) list.push(e); else idx.set(k, [e]);
    }
    for (const l of idx.values()) l.sort((a, b) => a.from - b.from || a.row - b.row);
    this.index = idx;
    this.indexFor = r;
  }

  process(left: Batch, right: Batch): Batch {
    this.buildIndex(right);
    if (this.index.size === 0 && this.how === 'left') {
      // nothing to match: every left row once, in order, with NULL right columns
      const columns: Column[] = [...left.columns];
      for (const j of this.rightKeep) columns.push(emptyColumn(this.right[j].type, left.length));
      return { schema: this.schema, columns, length: left.length };
    }
    const lcols = this.leftKeys.map((j, k) => castColumn(left.columns[j], left.schema[j].type, this.keyTypes[k], left.length));
    const at = this.times(left, this.at);
    const li: number[] = [];
    const ri: number[] = [];
    for (let i = 0; i < left.length; i++) {
      let hit = false;
      if (!isNullAt(at, i) && !lcols.some((c) => isNullAt(c, i))) {
        const t = valueAt(at, i) as number;
        for (const e of this.index.get(keyText(lcols, i)) ?? []) {
          if (e.from > t) break;
          if (t < e.until) { li.push(i); ri.push(e.row); hit = true; }
        }
      }
      if (!hit && this.how === 'left') { li.push(i); ri.push(-1); }
    }
    const columns: Column[] = left.columns.map((c) => takeColumn(c, li));
    for (const j of this.rightKeep) {
      const src = right.length > 0 ? right.columns[j] : emptyColumn(this.right[j].type, 0);
      columns.push(takeWithMissing(src, ri, this.right[j].type));
    }
    return { schema: this.schema, columns, length: li.length };
  }
}
