/**
 * Planning a SELECT: a list of expressions that may hold aggregates, window
 * functions and a generator becomes plan nodes, in Spark's order of
 * evaluation:
 *
 *   input → generate (a generator item) → aggregate (GROUP BY and every
 *   aggregate of the items, HAVING, QUALIFY and ORDER BY) → filter (HAVING) →
 *   window (every `over` expression) → filter (QUALIFY) → select (the items,
 *   plus hidden ORDER BY columns) → distinct → sort → limit → drop (hidden).
 *
 * Aggregates and window functions are replaced by references to hidden
 * columns (`__a0`, `__w0`, …) that the projection leaves out; a GROUP BY
 * expression written again in an item becomes a reference to its key. The
 * planner needs no schemas: the type checker validates the result (a column
 * that is neither grouped nor aggregated is MISSING_AGGREGATION here).
 *
 * The DLT SQL front end calls `planSelect`; the TypeScript builders use the
 * same helpers (`planHaving`, `planWindowColumns`, `planQualify`).
 */
import type { AggNode, ExprNode, SortKey, WindowOver } from '../ir/expr.js';
import { exprChildren, mapChildren, referencedColumns } from '../ir/expr.js';
import type { PlanNode, WindowSpec } from '../ir/plan.js';
import type { Schema } from '../ir/types.js';
import { DefinitionError, type Origin } from '../errors.js';
import { exprToString } from '../expr/text.js';
import { lookupGenerator } from '../functions/generators.js';
import { isWindowFunctionCall } from '../functions/window.js';
import { generateColumns } from '../expr/typecheck.js';

export interface SelectItemSpec {
  readonly expr: ExprNode;
  /** The output name (a generator item: one name per column it gives); default: the column's name, else the expression's text. */
  readonly name?: string | readonly string[];
}

export interface SelectOptions {
  /** GROUP BY expressions; given (even empty) or implied by an aggregate, the query aggregates. */
  readonly groupBy?: readonly ExprNode[];
  readonly having?: ExprNode | null;
  readonly qualify?: ExprNode | null;
  readonly orderBy?: readonly SortKey[];
  readonly limit?: number | null;
  readonly offset?: number | null;
  readonly distinct?: boolean;
  /** Named windows (`WINDOW w AS (…)`), for `OVER w`. */
  readonly windows?: Readonly<Record<string, WindowOver>>;
  /** The input's schema, when the caller knows it (gives a generator Spark's default column names). */
  readonly schemaOf?: (p: PlanNode) => Schema;
  readonly origin?: Origin;
}

const freeze = <T>(x: T): T => Object.freeze(x);

function col(name: string): ExprNode {
  return freeze({ kind: 'col', name });
}

/** A structural key of an expression (equal expressions, equal keys). */
export function exprKey(e: ExprNode): string {
  return JSON.stringify(e, (k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Map ? [...v.entries()] : typeof v === 'function' ? undefined : v));
}

function fail(code: string, message: string, e: ExprNode | null, origin: Origin | undefined, hint: string): never {
  throw new DefinitionError(code, message, { ...(e ? { expression: exprToString(e) } : {}), table: origin?.table ?? null }, { origin, hint });
}

/** Whether `e` holds an aggregate that belongs to the query (not the function of an OVER). */
export function hasQueryAggregate(e: ExprNode): boolean {
  if (e.kind === 'aggregate') return true;
  if (e.kind === 'over') {
    const inner = e.fn.kind === 'aggregate' ? [...e.fn.agg.args, ...(e.fn.agg.filter ? [e.fn.agg.filter] : [])] : exprChildren(e.fn);
    return [...inner, ...e.spec.partitionBy, ...e.spec.orderBy.map((k) => k.expr)].some(hasQueryAggregate);
  }
  return exprChildren(e).some(hasQueryAggregate);
}

export function hasWindow(e: ExprNode): boolean {
  return e.kind === 'over' || exprChildren(e).some(hasWindow);
}

function isGenerator(e: ExprNode): e is Extract<ExprNode, { kind: 'call' }> {
  return e.kind === 'call' && lookupGenerator(e.fn) !== undefined;
}

function hasGenerator(e: ExprNode): boolean {
  return isGenerator(e) || exprChildren(e).some(hasGenerator);
}

/** `OVER w` and `OVER (w …)` resolved against the named windows. */
function resolveNamedWindows(e: ExprNode, windows: Readonly<Record<string, WindowOver>>, origin?: Origin): ExprNode {
  let x = e;
  if (x.kind === 'over' && x.spec.name !== undefined) {
    const base = windows[x.spec.name];
    if (!base) fail('UNKNOWN_WINDOW', `window ${x.spec.name} is not defined`, x, origin, `define it: WINDOW ${x.spec.name} AS (PARTITION BY … ORDER BY …)`);
    const s = x.spec;
    const spec: WindowOver = freeze({
      partitionBy: s.partitionBy.length ? s.partitionBy : base.partitionBy,
      orderBy: s.orderBy.length ? s.orderBy : base.orderBy,
      frame: s.frame ?? base.frame,
    });
    x = freeze({ ...x, spec });
  }
  return mapChildren(x, (c) => resolveNamedWindows(c, windows, origin));
}

/** Collects aggregates into named hidden columns and rewrites expressions over the aggregate's output. */
export class AggregateCollector {
  readonly aggs: (readonly [string, AggNode])[] = [];
  private readonly byKey = new Map<string, string>();
  private readonly keyNames: Map<string, string>;

  constructor(keys: readonly (readonly [string, ExprNode])[], existing: readonly (readonly [string, AggNode])[] = [], private readonly prefix = '__a', private readonly origin?: Origin, private readonly strict = true) {
    this.keyNames = new Map(keys.map(([n, e]) => [exprKey(e), n]));
    for (const [n, a] of existing) this.byKey.set(exprKey({ kind: 'aggregate', agg: a }), n);
  }

  private name(a: AggNode): string {
    const k = exprKey({ kind: 'aggregate', agg: a });
    let n = this.byKey.get(k);
    if (n === undefined) {
      n = `${this.prefix}${this.aggs.length}`;
      this.byKey.set(k, n);
      this.aggs.push(freeze([n, a] as const));
    }
    return n;
  }

  /** `e` over the aggregate's output: grouped expressions and aggregates become columns. */
  rewrite(e: ExprNode, outputs: ReadonlySet<string> = new Set()): ExprNode {
    const key = this.keyNames.get(exprKey(e));
    if (key !== undefined) return col(key);
    switch (e.kind) {
      case 'aggregate': {
        if (hasQueryAggregate({ kind: 'call', fn: 'x', args: [...e.agg.args, ...(e.agg.filter ? [e.agg.filter] : [])] })) {
          fail('NESTED_AGGREGATE', `the aggregate ${exprToString(e)} holds another aggregate`, e, this.origin, 'aggregate in a subquery first');
        }
        return col(this.name(e.agg));
      }
      case 'over': {
        const fn: ExprNode = e.fn.kind === 'aggregate'
          ? freeze({ ...e.fn, agg: freeze({ ...e.fn.agg, args: freeze(e.fn.agg.args.map((a) => this.rewrite(a, outputs))), filter: e.fn.agg.filter ? this.rewrite(e.fn.agg.filter, outputs) : null }) })
          : mapChildren(e.fn, (c) => this.rewrite(c, outputs));
        return freeze({ ...e, fn, spec: freeze({ ...e.spec, partitionBy: freeze(e.spec.partitionBy.map((x) => this.rewrite(x, outputs))), orderBy: freeze(e.spec.orderBy.map((k) => freeze({ ...k, expr: this.rewrite(k.expr, outputs) }))) }) });
      }
      case 'col':
        if (this.strict && !outputs.has(e.name)) {
          fail('MISSING_AGGREGATION', `column ${exprToString(e)} is neither grouped nor aggregated`, e, this.origin, `add it to GROUP BY, or aggregate it (e.g. max(${exprToString(e)}), any_value(…))`);
        }
        return e;
      default: return mapChildren(e, (c) => this.rewrite(c, outputs));
    }
  }
}

/** Collects window expressions into named hidden columns (`__w0`, …). */
class WindowCollector {
  readonly columns: (readonly [string, ExprNode])[] = [];
  private readonly byKey = new Map<string, string>();
  constructor(private readonly prefix = '__w', private readonly origin?: Origin) {}

  rewrite(e: ExprNode): ExprNode {
    if (e.kind === 'over') {
      const inner = e.fn.kind === 'aggregate' ? [...e.fn.agg.args] : exprChildren(e.fn);
      if ([...inner, ...e.spec.partitionBy, ...e.spec.orderBy.map((k) => k.expr)].some(hasWindow)) {
        fail('NESTED_WINDOW_FUNCTION', `the window function ${exprToString(e)} holds another window function`, e, this.origin, 'compute the inner one in a subquery first');
      }
      if (e.fn.kind !== 'aggregate' && !isWindowFunctionCall(e.fn)) {
        fail('UNKNOWN_WINDOW_FUNCTION', `${exprToString(e.fn)} is not a window function or an aggregate`, e, this.origin, 'window functions: row_number, rank, dense_rank, percent_rank, cume_dist, ntile, lag, lead, first_value, last_value, nth_value, and every aggregate');
      }
      const k = exprKey(e);
      let n = this.byKey.get(k);
      if (n === undefined) {
        n = `${this.prefix}${this.columns.length}`;
        this.byKey.set(k, n);
        this.columns.push(freeze([n, e] as const));
      }
      return col(n);
    }
    return mapChildren(e, (c) => this.rewrite(c));
  }
}

function itemNames(it: SelectItemSpec): string[] {
  if (Array.isArray(it.name)) return [...it.name];
  if (typeof it.name === 'string') return [it.name];
  return [it.expr.kind === 'col' ? it.expr.name : exprToString(it.expr)];
}

/** Plans a SELECT list with its clauses (see the module comment). */
export function planSelect(input: PlanNode, items: readonly SelectItemSpec[], opts: SelectOptions = {}): PlanNode {
  const o = opts.origin;
  const named = (e: ExprNode) => (opts.windows ? resolveNamedWindows(e, opts.windows, o) : e);
  let list = items.map((it) => ({ ...it, expr: named(it.expr) }));
  let having = opts.having ? named(opts.having) : null;
  let qualify = opts.qualify ? named(opts.qualify) : null;
  let orderBy = (opts.orderBy ?? []).map((k) => ({ ...k, expr: named(k.expr) }));
  let plan = input;

  // 1. a generator item: the generate node, and its columns as items
  const gens = list.filter((it) => isGenerator(it.expr));
  if (gens.length > 1) fail('MULTIPLE_GENERATORS', 'a SELECT list can hold one generator (explode, posexplode, …)', gens[1].expr, o, 'explode in a subquery or a LATERAL VIEW first');
  for (const it of list) if (!isGenerator(it.expr) && hasGenerator(it.expr)) fail('MISPLACED_GENERATOR', `the generator in ${exprToString(it.expr)} can only be a whole item of the SELECT list`, it.expr, o, 'write SELECT …, explode(…) AS name');
  const aggregating = opts.groupBy !== undefined || !!having || list.some((it) => hasQueryAggregate(it.expr)) || orderBy.some((k) => hasQueryAggregate(k.expr)) || (qualify !== null && hasQueryAggregate(qualify));
  if (gens.length) {
    const g = gens[0].expr as Extract<ExprNode, { kind: 'call' }>;
    if (aggregating || list.some((it) => hasWindow(it.expr))) fail('UNSUPPORTED_GENERATOR', 'a generator cannot be combined with aggregates or window functions in one SELECT', g, o, 'explode in a subquery first');
    if (g.args.length !== 1) fail('WRONG_ARGUMENT_COUNT', `${g.fn}() takes 1 argument, got ${g.args.length}`, g, o, `the signature is ${g.fn}(collection)`);
    let names = gens[0].name === undefined ? [] : itemNames(gens[0]);
    if (!names.length) {
      names = opts.schemaOf ? generateColumns(g.fn, g.args[0], [], opts.schemaOf(plan), o).map((f) => f.name) : [...(lookupGenerator(g.fn)!.position ? ['pos'] : []), 'col'];
    }
    plan = freeze({ kind: 'generate', input: plan, generator: lookupGenerator(g.fn)!.name, arg: g.args[0], names: freeze(names) });
    list = list.map((it) => (it === gens[0] ? { expr: col(names[0]), name: names, multi: true } : it)) as typeof list;
  }

  // 2. aggregation: GROUP BY keys and every aggregate of the query
  if (aggregating) {
    const groupBy = opts.groupBy ?? [];
    const keys = groupBy.map((e, i) => freeze([e.kind === 'col' ? e.name : `__g${i}`, e] as const));
    const ac = new AggregateCollector(keys, [], '__a', o);
    list = list.map((it) => ({ ...it, expr: ac.rewrite(it.expr) }));
    if (having) having = ac.rewrite(having);
    if (qualify) qualify = ac.rewrite(qualify);
    // ORDER BY may name the select list's outputs
    const outputs = new Set(list.flatMap((it) => itemNames(it)));
    orderBy = orderBy.map((k) => ({ ...k, expr: ac.rewrite(k.expr, outputs) }));
    plan = freeze({ kind: 'aggregate', input: plan, window: null, keys: freeze(keys), aggs: freeze(ac.aggs) });
    if (having) plan = freeze({ kind: 'filter', input: plan, predicate: having });
  }

  // 3. window functions, then QUALIFY
  const wc = new WindowCollector('__w', o);
  list = list.map((it) => ({ ...it, expr: wc.rewrite(it.expr) }));
  if (qualify) qualify = wc.rewrite(qualify);
  orderBy = orderBy.map((k) => ({ ...k, expr: wc.rewrite(k.expr) }));
  if (wc.columns.length) plan = freeze({ kind: 'window', input: plan, columns: freeze(wc.columns) });
  if (qualify) plan = freeze({ kind: 'filter', input: plan, predicate: qualify });

  // 4. the projection, with hidden columns for ORDER BY expressions not in it
  const pairs: (readonly [string, ExprNode])[] = [];
  const outputs = new Map<string, ExprNode>();
  for (const it of list) {
    const names = itemNames(it);
    if ((it as { multi?: boolean }).multi) for (const n of names) { pairs.push(freeze([n, col(n)] as const)); outputs.set(n, col(n)); }
    else { pairs.push(freeze([names[0], it.expr] as const)); outputs.set(names[0], it.expr); }
  }
  const hidden: string[] = [];
  const sortKeys: SortKey[] = orderBy.map((k, i) => {
    const refs = [...referencedColumns(k.expr)];
    if (refs.every((r) => outputs.has(r)) && !hasWindow(k.expr) && !hasQueryAggregate(k.expr)) return freeze(k);
    if (opts.distinct) fail('INVALID_ORDER_BY', `ORDER BY ${exprToString(k.expr)} is not in the SELECT DISTINCT list`, k.expr, o, 'order by the selected columns');
    const name = `__o${i}`;
    hidden.push(name);
    // names of the select list stand for their expressions
    pairs.push(freeze([name, substituteAliases(k.expr, outputs)] as const));
    return freeze({ ...k, expr: col(name) });
  });
  const identity = pairs.length === 0;
  if (!identity) plan = freeze({ kind: 'select', input: plan, columns: freeze(pairs) });
  if (opts.distinct) plan = freeze({ kind: 'distinct', input: plan });
  if (sortKeys.length) plan = freeze({ kind: 'sort', input: plan, keys: freeze(sortKeys) });
  if ((opts.limit !== undefined && opts.limit !== null) || opts.offset) plan = freeze({ kind: 'limit', input: plan, n: opts.limit ?? null, ...(opts.offset ? { offset: opts.offset } : {}) });
  if (hidden.length) plan = freeze({ kind: 'drop', input: plan, names: freeze(hidden) });
  return plan;
}

/** Column references to select-list names replaced by those items' expressions (for hidden ORDER BY columns). */
function substituteAliases(e: ExprNode, outputs: ReadonlyMap<string, ExprNode>): ExprNode {
  if (e.kind === 'col' && !e.qualifier?.length && outputs.has(e.name)) {
    const x = outputs.get(e.name)!;
    return x.kind === 'col' && x.name === e.name ? e : x;
  }
  return mapChildren(e, (c) => substituteAliases(c, outputs));
}

/**
 * HAVING over an aggregate node: aggregates in the predicate are the node's
 * own (reused when equal) or extra hidden ones, grouped expressions its keys;
 * the hidden columns are dropped after the filter.
 */
export function planHaving(agg: Extract<PlanNode, { kind: 'aggregate' }>, predicate: ExprNode, origin?: Origin): PlanNode {
  const outputs = new Set([...(agg.window ? ['window_start', 'window_end'] : []), ...agg.keys.map(([n]) => n), ...agg.aggs.map(([n]) => n)]);
  const ac = new AggregateCollector(agg.keys, agg.aggs, '__h', origin, false);
  const pred = ac.rewrite(predicate, outputs);
  if (hasWindow(pred)) fail('MISPLACED_WINDOW_FUNCTION', 'HAVING cannot hold a window function', predicate, origin, 'filter window functions with QUALIFY');
  const node: PlanNode = ac.aggs.length ? freeze({ ...agg, aggs: freeze([...agg.aggs, ...ac.aggs]) }) : agg;
  const filtered: PlanNode = freeze({ kind: 'filter', input: node, predicate: pred });
  return ac.aggs.length ? freeze({ kind: 'drop', input: filtered, names: freeze(ac.aggs.map(([n]) => n)) }) : filtered;
}

/**
 * Columns some of which hold window functions (`select` keeps only these
 * columns, `derive` adds or replaces them): a window node computes the `over`
 * expressions into hidden columns first.
 */
export function planWindowColumns(input: PlanNode, pairs: readonly (readonly [string, ExprNode])[], mode: 'select' | 'derive', origin?: Origin): PlanNode {
  const wc = new WindowCollector('__w', origin);
  const rewritten = pairs.map(([n, e]) => freeze([n, wc.rewrite(e)] as const));
  let plan: PlanNode = wc.columns.length ? freeze({ kind: 'window', input, columns: freeze(wc.columns) }) : input;
  plan = freeze({ kind: mode, input: plan, columns: freeze(rewritten) });
  if (mode === 'derive' && wc.columns.length) plan = freeze({ kind: 'drop', input: plan, names: freeze(wc.columns.map(([n]) => n)) });
  return plan;
}

/** QUALIFY: a filter over window functions (computed into hidden columns, dropped after). */
export function planQualify(input: PlanNode, predicate: ExprNode, origin?: Origin): PlanNode {
  const wc = new WindowCollector('__q', origin);
  const pred = wc.rewrite(predicate);
  let plan: PlanNode = wc.columns.length ? freeze({ kind: 'window', input, columns: freeze(wc.columns) }) : input;
  plan = freeze({ kind: 'filter', input: plan, predicate: pred });
  return wc.columns.length ? freeze({ kind: 'drop', input: plan, names: freeze(wc.columns.map(([n]) => n)) }) : plan;
}

/**
 * A grouped aggregation whose outputs are expressions over aggregates
 * (`{ ratio: sum('a').div(count()) }`): the aggregates become hidden columns
 * of the aggregate node, the outputs a projection over it (the window columns
 * and the keys first, as an aggregate node gives them).
 */
export function planGroupedExpressions(input: PlanNode, window: WindowSpec | null, keys: readonly (readonly [string, ExprNode])[], outputs: readonly (readonly [string, ExprNode])[], origin?: Origin): PlanNode {
  const ac = new AggregateCollector(keys, [], '__a', origin);
  const cols = outputs.map(([n, e]) => freeze([n, ac.rewrite(e)] as const));
  const agg: PlanNode = freeze({ kind: 'aggregate', input, window, keys: freeze([...keys]), aggs: freeze(ac.aggs) });
  const head = [...(window ? ['window_start', 'window_end'] : []), ...keys.map(([n]) => n)].map((n) => freeze([n, col(n)] as const));
  return freeze({ kind: 'select', input: agg, columns: freeze([...head, ...cols]) });
}
