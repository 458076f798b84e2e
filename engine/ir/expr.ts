/**
 * Expression IR: immutable, kind-tagged nodes.
 *
 * Every interpreter walks these nodes: the columnar evaluator
 * (`engine/expr/eval.ts`), the type checker, the SQL compiler (`engine/sql/`)
 * and the text form (`engine/expr/text.ts`). A function or operator is a
 * `call` of a function registry entry (`engine/functions/`) by its name: the
 * entry holds its type rule, null behaviour, kernel and SQL spellings.
 * Nothing here is executable code, except `udf` nodes, which must carry their
 * SQL form to be portable.
 */
import type { DataType, Value } from './types.js';

export type ExprNode =
  /** A column; `qualifier` holds the parts written before it (`t.col`, `s.field`), resolved by the SQL reader. */
  | { readonly kind: 'col'; readonly name: string; readonly qualifier?: readonly string[] }
  | { readonly kind: 'lit'; readonly value: Value; readonly type: DataType }
  /** A registry function or operator (`+`, `=`, `and`, `upper`, `coalesce`, …), by its canonical name. */
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly ExprNode[] }
  /** `CASE [operand] WHEN … THEN … [ELSE …] END`; with an operand, each `when` is compared to it. */
  | { readonly kind: 'case'; readonly operand?: ExprNode | null; readonly branches: readonly { readonly when: ExprNode; readonly then: ExprNode }[]; readonly otherwise: ExprNode | null }
  /** `CAST(x AS t)`; `try`: `TRY_CAST`, NULL instead of an error whatever the ANSI setting. */
  | { readonly kind: 'cast'; readonly arg: ExprNode; readonly to: DataType; readonly try?: boolean }
  /** `x -> body` or `(x, y) -> body`, an argument of a higher-order function. */
  | { readonly kind: 'lambda'; readonly params: readonly string[]; readonly body: ExprNode }
  /** A lambda parameter inside its lambda's body. */
  | { readonly kind: 'var'; readonly name: string }
  | { readonly kind: 'udf'; readonly name: string; readonly args: readonly ExprNode[]; readonly returns: DataType; readonly fn: (...args: Value[]) => Value; readonly sql?: UdfSql }
  /**
   * An aggregate call inside an expression (`sum(x) / count(*)` in a SELECT,
   * HAVING or QUALIFY). Planning moves it into an aggregate node and leaves a
   * column reference; anywhere else it is a MISPLACED_AGGREGATE error.
   */
  | { readonly kind: 'aggregate'; readonly agg: AggNode }
  /** A window function call (`row_number() OVER (…)`, `sum(x) OVER (…)`); planned into a window node. */
  | { readonly kind: 'over'; readonly fn: ExprNode; readonly spec: WindowOver };

/** `OVER (PARTITION BY … ORDER BY … frame)`. */
export interface WindowOver {
  readonly partitionBy: readonly ExprNode[];
  readonly orderBy: readonly SortKey[];
  readonly frame: WindowFrame | null;
  /** A named window (`OVER w`), resolved against the query's WINDOW clause by the planner. */
  readonly name?: string;
}

export interface SortKey {
  readonly expr: ExprNode;
  readonly desc: boolean;
  /** NULLS FIRST (Spark's default for ASC) or LAST (default for DESC). */
  readonly nullsFirst: boolean;
}

export type FrameBound =
  | { readonly kind: 'unbounded_preceding' }
  | { readonly kind: 'preceding'; readonly offset: ExprNode }
  | { readonly kind: 'current_row' }
  | { readonly kind: 'following'; readonly offset: ExprNode }
  | { readonly kind: 'unbounded_following' };

export interface WindowFrame {
  readonly unit: 'rows' | 'range';
  readonly start: FrameBound;
  readonly end: FrameBound;
}

/** The SQL form of a user function, per dialect or for all (`default`). Placeholders `$1`, `$2`, … stand for the arguments. */
export type UdfSql = Partial<Record<'default' | 'databricks' | 'spark' | 'duckdb', string>>;

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type ArithOp = '+' | '-' | '*' | '/' | '%';

/**
 * An aggregate call: `count(x)`, `count(*)` (no argument), `count(DISTINCT x)`,
 * `sum`, `avg`, … by the aggregate registry's name, with an optional
 * `FILTER (WHERE …)`.
 */
export interface AggNode {
  readonly kind: 'agg';
  readonly fn: string;
  readonly args: readonly ExprNode[];
  readonly distinct: boolean;
  readonly filter: ExprNode | null;
}

/** Aggregate names of the original builder set (kept for typed builders). */
export type AggFn = 'count' | 'countAll' | 'countDistinct' | 'sum' | 'avg' | 'min' | 'max';

/** Children of an expression, in order. */
export function exprChildren(e: ExprNode): readonly ExprNode[] {
  switch (e.kind) {
    case 'col': case 'lit': case 'var': return [];
    case 'call': case 'udf': return e.args;
    case 'cast': return [e.arg];
    case 'lambda': return [e.body];
    case 'aggregate': return [...e.agg.args, ...(e.agg.filter ? [e.agg.filter] : [])];
    case 'over': return [e.fn, ...e.spec.partitionBy, ...e.spec.orderBy.map((k) => k.expr)];
    case 'case': {
      const out: ExprNode[] = e.operand ? [e.operand] : [];
      for (const b of e.branches) out.push(b.when, b.then);
      if (e.otherwise) out.push(e.otherwise);
      return out;
    }
  }
}

/** The columns an expression reads (lambda parameters are not columns). */
export function referencedColumns(e: ExprNode, out: Set<string> = new Set()): Set<string> {
  if (e.kind === 'col') out.add(e.name);
  for (const c of exprChildren(e)) referencedColumns(c, out);
  return out;
}

/** The columns an aggregate reads. */
export function aggColumns(a: AggNode, out: Set<string> = new Set()): Set<string> {
  for (const x of a.args) referencedColumns(x, out);
  if (a.filter) referencedColumns(a.filter, out);
  return out;
}

/** Whether an expression holds a call of one of these functions anywhere. */
export function exprUses(e: ExprNode, fns: ReadonlySet<string>): boolean {
  if (e.kind === 'call' && fns.has(e.fn)) return true;
  return exprChildren(e).some((c) => exprUses(c, fns));
}

export function call(fn: string, args: readonly ExprNode[]): ExprNode {
  return Object.freeze({ kind: 'call', fn, args: Object.freeze([...args]) });
}

/** A copy of `e` with every child replaced by `f(child)` (bottom-up rewrites call it recursively). */
export function mapChildren(e: ExprNode, f: (c: ExprNode) => ExprNode): ExprNode {
  switch (e.kind) {
    case 'col': case 'lit': case 'var': return e;
    case 'call': return { ...e, args: e.args.map(f) };
    case 'udf': return { ...e, args: e.args.map(f) };
    case 'cast': return { ...e, arg: f(e.arg) };
    case 'lambda': return { ...e, body: f(e.body) };
    case 'case': return { ...e, operand: e.operand ? f(e.operand) : e.operand, branches: e.branches.map((b) => ({ when: f(b.when), then: f(b.then) })), otherwise: e.otherwise ? f(e.otherwise) : null };
    case 'aggregate': return { ...e, agg: { ...e.agg, args: e.agg.args.map(f), filter: e.agg.filter ? f(e.agg.filter) : null } };
    case 'over': return { ...e, fn: f(e.fn), spec: { ...e.spec, partitionBy: e.spec.partitionBy.map(f), orderBy: e.spec.orderBy.map((k) => ({ ...k, expr: f(k.expr) })) } };
  }
}

/** `e` with every column reference replaced by `f(name)`. */
export function substituteColumns(e: ExprNode, f: (name: string) => ExprNode): ExprNode {
  if (e.kind === 'col') return f(e.name);
  return mapChildren(e, (c) => substituteColumns(c, f));
}
