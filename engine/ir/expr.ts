/**
 * Expression IR: immutable, kind-tagged nodes.
 *
 * Both interpreters walk these nodes: the columnar evaluator (`engine/expr/eval.ts`)
 * and the SQL compiler (`engine/sql/`). Nothing here is executable code, except
 * `udf` nodes, which must carry their SQL form to be portable.
 */
import type { DataType, Value } from './types.js';

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type ArithOp = '+' | '-' | '*' | '/' | '%';
export type StringFn = 'upper' | 'lower' | 'trim' | 'length';

export type ExprNode =
  | { readonly kind: 'col'; readonly name: string }
  | { readonly kind: 'lit'; readonly value: Value; readonly type: DataType }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly left: ExprNode; readonly right: ExprNode }
  | { readonly kind: 'arith'; readonly op: ArithOp; readonly left: ExprNode; readonly right: ExprNode }
  | { readonly kind: 'and'; readonly args: readonly ExprNode[] }
  | { readonly kind: 'or'; readonly args: readonly ExprNode[] }
  | { readonly kind: 'not'; readonly arg: ExprNode }
  | { readonly kind: 'isNull'; readonly arg: ExprNode; readonly negated: boolean }
  | { readonly kind: 'between'; readonly arg: ExprNode; readonly low: ExprNode; readonly high: ExprNode }
  | { readonly kind: 'in'; readonly arg: ExprNode; readonly list: readonly ExprNode[] }
  | { readonly kind: 'coalesce'; readonly args: readonly ExprNode[] }
  | { readonly kind: 'fn'; readonly name: StringFn; readonly arg: ExprNode }
  | { readonly kind: 'case'; readonly branches: readonly { readonly when: ExprNode; readonly then: ExprNode }[]; readonly otherwise: ExprNode | null }
  | { readonly kind: 'cast'; readonly arg: ExprNode; readonly to: DataType }
  | { readonly kind: 'udf'; readonly name: string; readonly args: readonly ExprNode[]; readonly returns: DataType; readonly fn: (...args: Value[]) => Value; readonly sql?: UdfSql };

/** The SQL form of a user function, per dialect or for all (`default`). Placeholders `$1`, `$2`, … stand for the arguments. */
export type UdfSql = Partial<Record<'default' | 'databricks' | 'spark' | 'duckdb', string>>;

export type AggFn = 'count' | 'countAll' | 'countDistinct' | 'sum' | 'avg' | 'min' | 'max';

/** An aggregate call: `count(x)`, `count(*)`, `count(DISTINCT x)`, `sum`, `avg`, `min`, `max`. */
export interface AggNode {
  readonly kind: 'agg';
  readonly fn: AggFn;
  readonly arg: ExprNode | null;
}

/** The columns an expression reads. */
export function referencedColumns(e: ExprNode, out: Set<string> = new Set()): Set<string> {
  switch (e.kind) {
    case 'col': out.add(e.name); break;
    case 'lit': break;
    case 'compare': case 'arith': referencedColumns(e.left, out); referencedColumns(e.right, out); break;
    case 'and': case 'or': case 'coalesce': e.args.forEach((a) => referencedColumns(a, out)); break;
    case 'udf': e.args.forEach((a) => referencedColumns(a, out)); break;
    case 'not': case 'isNull': case 'fn': case 'cast': referencedColumns(e.arg, out); break;
    case 'between': referencedColumns(e.arg, out); referencedColumns(e.low, out); referencedColumns(e.high, out); break;
    case 'in': referencedColumns(e.arg, out); e.list.forEach((a) => referencedColumns(a, out)); break;
    case 'case':
      for (const b of e.branches) { referencedColumns(b.when, out); referencedColumns(b.then, out); }
      if (e.otherwise) referencedColumns(e.otherwise, out);
      break;
  }
  return out;
}

/** A stable text form of an expression, used in fingerprints and error messages (SQL-like). */
export function exprToString(e: ExprNode): string {
  switch (e.kind) {
    case 'col': return e.name;
    case 'lit': return e.value === null ? 'NULL' : typeof e.value === 'string' ? `'${e.value.replace(/'/g, "''")}'` : Array.isArray(e.value) ? `array(${e.value.map((v) => `'${v}'`).join(', ')})` : String(e.value);
    case 'compare': return `(${exprToString(e.left)} ${e.op === '!=' ? '<>' : e.op} ${exprToString(e.right)})`;
    case 'arith': return `(${exprToString(e.left)} ${e.op} ${exprToString(e.right)})`;
    case 'and': return `(${e.args.map(exprToString).join(' AND ')})`;
    case 'or': return `(${e.args.map(exprToString).join(' OR ')})`;
    case 'not': return `(NOT ${exprToString(e.arg)})`;
    case 'isNull': return `(${exprToString(e.arg)} IS ${e.negated ? 'NOT ' : ''}NULL)`;
    case 'between': return `(${exprToString(e.arg)} BETWEEN ${exprToString(e.low)} AND ${exprToString(e.high)})`;
    case 'in': return `(${exprToString(e.arg)} IN (${e.list.map(exprToString).join(', ')}))`;
    case 'coalesce': return `coalesce(${e.args.map(exprToString).join(', ')})`;
    case 'fn': return `${e.name}(${exprToString(e.arg)})`;
    case 'case': return `CASE ${e.branches.map((b) => `WHEN ${exprToString(b.when)} THEN ${exprToString(b.then)}`).join(' ')}${e.otherwise ? ` ELSE ${exprToString(e.otherwise)}` : ''} END`;
    case 'cast': return `CAST(${exprToString(e.arg)} AS ${e.to.toUpperCase()})`;
    case 'udf': return `${e.name}(${e.args.map(exprToString).join(', ')})`;
  }
}

export function aggToString(a: AggNode): string {
  if (a.fn === 'countAll') return 'count(*)';
  if (a.fn === 'countDistinct') return `count(DISTINCT ${exprToString(a.arg!)})`;
  return `${a.fn}(${exprToString(a.arg!)})`;
}
