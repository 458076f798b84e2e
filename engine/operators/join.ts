/**
 * Equi-join of a batch (the left, usually a stream) with a snapshot of the right
 * side (a stream-static join, as DLT runs them: each micro-batch sees the right
 * side's latest snapshot). `inner` or `left`; NULL keys never match. Output
 * order follows the left input, then the right side's order.
 *
 * State: only the hash index of the right snapshot, rebuilt when the snapshot changes.
 */
import type { JoinHow } from '../ir/plan.js';
import type { Schema } from '../ir/types.js';
import { columnIndex, columnLength, emptyColumn, isNestedColumn, isNullAt, takeColumn, type Batch, type Column } from '../batch.js';
import { StringColumnBuilder } from '../column/string-column.js';
import { keyText } from './keys.js';
import { castColumn } from '../expr/eval.js';
import { comparisonType } from '../functions/coerce.js';

export class JoinOperator {
  readonly stateful = false;
  readonly schema: Schema;
  private readonly leftKeys: number[];
  private readonly rightKeys: number[];
  private readonly rightKeep: number[];
  private indexFor: Batch | null = null;
  private index = new Map<string, number[]>();

  constructor(left: Schema, private readonly right: Schema, private readonly how: JoinHow, on: readonly (readonly [string, string])[]) {
    this.leftKeys = on.map(([l]) => columnIndex(left, l));
    this.rightKeys = on.map(([, r]) => columnIndex(right, r));
    const dropRight = new Set(on.filter(([l, r]) => l === r).map(([, r]) => r));
    this.rightKeep = [];
    right.forEach((f, j) => { if (!dropRight.has(f.name)) this.rightKeep.push(j); });
    this.schema = [...left, ...this.rightKeep.map((j) => right[j])];
    // keys are compared after bringing both sides to their common type, as `=` does
    // (int vs double as doubles, date vs timestamp as timestamps)
    this.keyTypes = this.leftKeys.map((j, k) => (comparisonType(left[j].type, right[this.rightKeys[k]].type) ?? left[j].type));
  }

  private readonly keyTypes: Schema[number]['type'][];

  private rightKeyCols(r: Batch): Column[] {
    return this.rightKeys.map((j, k) => castColumn(r.columns[j], r.schema[j].type, this.keyTypes[k], r.length));
  }

  private leftKeyCols(l: Batch): Column[] {
    return this.leftKeys.map((j, k) => castColumn(l.columns[j], l.schema[j].type, this.keyTypes[k], l.length));
  }

  private buildIndex(r: Batch): void {
    if (this.indexFor === r) return;
    const cols = this.rightKeyCols(r);
    const idx = new Map<string, number[]>();
    for (let i = 0; i < r.length; i++) {
      if (cols.some((c) => isNullAt(c, i))) continue;
      const k = keyText(cols, i);
      const list = idx.get(k);
      if (list) list.push(i); else idx.set(k, [i]);
    }
    this.index = idx;
    this.indexFor = r;
  }

  process(left: Batch, right: Batch): Batch {
    this.buildIndex(right);
    const lcols = this.leftKeyCols(left);
    const li: number[] = [];
    const ri: number[] = [];
    for (let i = 0; i < left.length; i++) {
      const isNull = lcols.some((c) => isNullAt(c, i));
      const matches = isNull ? undefined : this.index.get(keyText(lcols, i));
      if (matches) for (const m of matches) { li.push(i); ri.push(m); }
      else if (this.how === 'left') { li.push(i); ri.push(-1); }
    }
    const columns: Column[] = left.columns.map((c) => takeColumn(c, li));
    for (const j of this.rightKeep) {
      const src = right.length > 0 ? right.columns[j] : emptyColumn(this.right[j].type, 0);
      columns.push(takeWithMissing(src, ri, this.right[j].type));
    }
    return { schema: this.schema, columns, length: li.length };
  }
}

/** Like takeColumn, but index -1 gives NULL. */
export function takeWithMissing(c: Column, indices: number[], type: Schema[number]['type']): Column {
  if (!indices.includes(-1)) return takeColumn(c, indices);
  const n = indices.length;
  const safe = indices.map((i) => (i < 0 ? 0 : i));
  const hasRows = columnLength(c) > 0;
  if (!hasRows) return emptyColumn(type, n);
  if (c.type === 'string') {
    const b = new StringColumnBuilder(n);
    for (let k = 0; k < n; k++) if (indices[k] < 0) b.pushNull(); else b.pushFrom(c, indices[k]);
    return b.finish();
  }
  const out = takeColumn(c, safe);
  if (isNestedColumn(out)) {
    for (let k = 0; k < n; k++) if (indices[k] < 0) out.data[k] = null;
    return out;
  }
  const nulls = out.nulls ?? new Uint8Array(n);
  for (let k = 0; k < n; k++) if (indices[k] < 0) nulls[k] = 1;
  return { ...out, nulls } as Column;
}
