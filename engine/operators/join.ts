/**
 * Joins: every join type (inner, left, right, full, left semi, left anti,
 * cross), on equal keys and/or any ON condition.
 *
 * Physical paths:
 * - hash: the equi-keys (USING pairs, and the `left_expr = right_expr`
 *   conjuncts of the condition) index the right side; each left row probes it;
 *   the rest of the condition (the residual) is evaluated on the candidate pairs;
 * - nested loop: without equi-keys every pair is a candidate, evaluated in
 *   chunks (memory is bounded by the chunk, not by the product).
 * NULL keys never match (as `=`); a pair matches when the condition is TRUE.
 *
 * In a streaming flow the left is the stream and the right a snapshot (a
 * stream-static join, as DLT runs them); the hash index is rebuilt only when
 * the snapshot changes. In a materialized view both sides are complete.
 * Output order: the left input's order, each left row's matches in right
 * order (unmatched rows of an outer left side in place); a right or full join
 * then appends the unmatched right rows in right order.
 */
import type { ExprNode } from '../ir/expr.js';
import { referencedColumns, substituteColumns } from '../ir/expr.js';
import type { JoinHow } from '../ir/plan.js';
import type { DataType, Schema } from '../ir/types.js';
import { ColumnBuilder, columnIndex, columnLength, emptyColumn, isNestedColumn, isNullAt, takeColumn, type Batch, type Column } from '../batch.js';
import { StringColumnBuilder } from '../column/string-column.js';
import { keyText } from './keys.js';
import { castColumn, compileExpr, trueMask, DEFAULT_ENV, type EvalEnv, type Evaluator } from '../expr/eval.js';
import { comparisonType } from '../functions/coerce.js';
import { lookupFunction } from '../functions/registry.js';
import { exprType, joinLayout, joinScope, joinScopeSide, resolveJoinCondition, type JoinColumn } from '../expr/typecheck.js';
import { isNested } from '../ir/types.js';

/** Candidate pairs evaluated at once against the residual condition. */
const CHUNK = 1 << 16;

interface KeyPair {
  readonly left: Evaluator;
  readonly right: Evaluator;
  readonly leftType: DataType;
  readonly rightType: DataType;
  readonly type: DataType;
}

/** The conjuncts of a condition (nested ANDs flattened). */
function conjuncts(e: ExprNode): ExprNode[] {
  if (e.kind === 'call' && lookupFunction(e.fn)?.name === 'and') return e.args.flatMap(conjuncts);
  return [e];
}

function sidesOf(e: ExprNode): Set<'left' | 'right'> {
  const out = new Set<'left' | 'right'>();
  for (const c of referencedColumns(e)) { const s = joinScopeSide(c); if (s) out.add(s.side); }
  return out;
}

/** `e` (over the join scope, reading one side) over that side's own columns. */
function toSide(e: ExprNode): ExprNode {
  return substituteColumns(e, (n) => ({ kind: 'col', name: joinScopeSide(n)?.name ?? n }));
}

export class JoinOperator {
  readonly stateful = false;
  readonly schema: Schema;
  private readonly layout: JoinColumn[];
  private readonly keys: KeyPair[] = [];
  private readonly residual: Evaluator | null = null;
  private readonly scope: Schema;
  private indexFor: Batch | null = null;
  private index = new Map<string, number[]>();

  constructor(private readonly left: Schema, private readonly right: Schema, private readonly how: JoinHow, on: readonly (readonly [string, string])[], condition: ExprNode | null = null, env: EvalEnv = DEFAULT_ENV) {
    this.layout = joinLayout(left, right, how, on);
    this.schema = this.layout.map((c) => c.field);
    this.scope = joinScope(left, right);
    // USING pairs: compared after bringing both sides to their common type, as `=` does
    for (const [lk, rk] of on) {
      const lt = left[columnIndex(left, lk)].type, rt = right[columnIndex(right, rk)].type;
      this.keys.push(this.keyPair({ kind: 'col', name: lk }, lt, { kind: 'col', name: rk }, rt, env));
    }
    const rest: ExprNode[] = [];
    if (condition) {
      for (const c of conjuncts(resolveJoinCondition(condition, left, right, env.origin))) {
        const eq = c.kind === 'call' && lookupFunction(c.fn)?.name === '=' ? c : null;
        if (eq) {
          const [a, b] = eq.args;
          const sa = sidesOf(a), sb = sidesOf(b);
          const one = (s: Set<string>, side: string) => s.size === 1 && s.has(side);
          const pair = one(sa, 'left') && one(sb, 'right') ? [a, b] : one(sa, 'right') && one(sb, 'left') ? [b, a] : null;
          if (pair) {
            const le = toSide(pair[0]), re = toSide(pair[1]);
            const lt = exprType(le, left, env.origin, env.ansi), rt = exprType(re, right, env.origin, env.ansi);
            const ct = comparisonType(lt, rt, false, false, !env.ansi);
            if (ct !== null && !isNested(ct)) { this.keys.push(this.keyPair(le, lt, re, rt, env)); continue; }
          }
        }
        rest.push(c);
      }
    }
    if (rest.length) this.residual = compileExpr(rest.length === 1 ? rest[0] : { kind: 'call', fn: 'and', args: rest }, this.scope, env);
  }

  private keyPair(le: ExprNode, lt: DataType, re: ExprNode, rt: DataType, env: EvalEnv): KeyPair {
    const type = comparisonType(lt, rt, false, false, !env.ansi) ?? lt;
    return { left: compileExpr(le, this.left, env), right: compileExpr(re, this.right, env), leftType: lt, rightType: rt, type };
  }

  private keyCols(b: Batch, side: 'left' | 'right'): Column[] {
    return this.keys.map((k) => castColumn((side === 'left' ? k.left : k.right)(b), side === 'left' ? k.leftType : k.rightType, k.type, b.length));
  }

  private buildIndex(r: Batch): void {
    if (this.indexFor === r) return;
    const cols = this.keyCols(r, 'right');
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

  /** The matching (left, right) pairs, in left order then right order. */
  private matches(left: Batch, right: Batch): { li: number[]; ri: number[] } {
    const li: number[] = [], ri: number[] = [];
    // without a residual condition every candidate matches: collect straight into the result
    let cl: number[] = this.residual ? [] : li, cr: number[] = this.residual ? [] : ri;
    const flush = () => {
      if (!this.residual || !cl.length) return;
      const l = Int32Array.from(cl), r = Int32Array.from(cr);
      const pairs: Batch = { schema: this.scope, columns: [...left.columns.map((c) => takeColumn(c, l)), ...right.columns.map((c) => takeColumn(c, r))], length: l.length };
      const mask = trueMask(this.residual(pairs), l.length);
      for (let k = 0; k < l.length; k++) if (mask[k]) { li.push(l[k]); ri.push(r[k]); }
      cl = []; cr = [];
    };
    if (this.keys.length) {
      this.buildIndex(right);
      const cols = this.keyCols(left, 'left');
      for (let i = 0; i < left.length; i++) {
        if (cols.some((c) => isNullAt(c, i))) continue;
        const m = this.index.get(keyText(cols, i));
        if (!m) continue;
        for (const j of m) { cl.push(i); cr.push(j); }
        if (cl.length >= CHUNK) flush();
      }
    } else {
      for (let i = 0; i < left.length; i++) {
        for (let j = 0; j < right.length; j++) { cl.push(i); cr.push(j); }
        if (cl.length >= CHUNK) flush();
      }
    }
    flush();
    return { li, ri };
  }

  process(left: Batch, right: Batch): Batch {
    const { li, ri } = this.matches(left, right);
    const how = this.how;
    let outL: number[], outR: number[];
    if (how === 'inner' || how === 'cross') { outL = li; outR = ri; }
    else if (how === 'left_semi' || how === 'left_anti') {
      const hit = new Uint8Array(left.length);
      for (const i of li) hit[i] = 1;
      outL = [];
      for (let i = 0; i < left.length; i++) if ((hit[i] === 1) === (how === 'left_semi')) outL.push(i);
      outR = outL.map(() => -1);
    } else {
      outL = []; outR = [];
      if (how === 'right') { outL = [...li]; outR = [...ri]; }
      else {
        // left and full: each left row's matches in place, or the row with NULLs
        let p = 0;
        for (let i = 0; i < left.length; i++) {
          if (p < li.length && li[p] === i) { while (p < li.length && li[p] === i) { outL.push(i); outR.push(ri[p++]); } }
          else { outL.push(i); outR.push(-1); }
        }
      }
      if (how === 'right' || how === 'full') {
        const hit = new Uint8Array(right.length);
        for (const j of ri) hit[j] = 1;
        for (let j = 0; j < right.length; j++) if (!hit[j]) { outL.push(-1); outR.push(j); }
      }
    }
    const columns = this.layout.map((c) => this.column(c, left, right, outL, outR));
    return { schema: this.schema, columns, length: outL.length };
  }

  private column(c: JoinColumn, left: Batch, right: Batch, outL: number[], outR: number[]): Column {
    const src = (b: Batch, s: Schema, j: number): Column => (b.length > 0 ? b.columns[j] : emptyColumn(s[j].type, 0));
    if (c.right < 0) return takeWithMissing(src(left, this.left, c.left), outL, c.field.type);
    if (c.left < 0) return takeWithMissing(src(right, this.right, c.right), outR, c.field.type);
    // a USING key of a full join: coalesce(left, right) in the common type
    const t = c.field.type;
    const lc = castColumn(src(left, this.left, c.left), this.left[c.left].type, t, left.length);
    const rc = castColumn(src(right, this.right, c.right), this.right[c.right].type, t, right.length);
    const b = new ColumnBuilder(t, outL.length);
    for (let k = 0; k < outL.length; k++) {
      const i = outL[k], j = outR[k];
      if (i >= 0 && !isNullAt(lc, i)) b.pushFrom(lc, i);
      else if (j >= 0) b.pushFrom(rc, j);
      else b.push(null);
    }
    return b.finish();
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
    // a new array: the take may have returned the column itself
    const data = out.data.slice();
    for (let k = 0; k < n; k++) if (indices[k] < 0) data[k] = null;
    return { type: out.type, data } as Column;
  }
  const nulls = out.nulls ? new Uint8Array(out.nulls) : new Uint8Array(n);
  for (let k = 0; k < n; k++) if (indices[k] < 0) nulls[k] = 1;
  return { ...out, nulls } as Column;
}
