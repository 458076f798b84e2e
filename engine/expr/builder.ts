/**
 * The declarative builders: expressions (`col`, `lit`, …), aggregates (`count`,
 * `avg`, …) and relations (`readCsv`, `stream`, `read`, then `select`, `filter`,
 * `join`, `dropDuplicates`, `groupBy().agg()`). Each call returns a new immutable
 * value wrapping IR nodes; nothing runs here.
 */
import type { AggNode, ExprNode, SortKey, UdfSql } from '../ir/expr.js';
import type { CsvOptions, JoinHow, PlanNode, SchemaEvolutionMode, WindowSpec } from '../ir/plan.js';
import { JOIN_LEFT, JOIN_RIGHT, JOIN_TYPES } from '../ir/plan.js';
import { hasQueryAggregate, hasWindow, planGroupedExpressions, planHaving, planQualify, planSelect, planWindowColumns } from '../plan/select.js';
import { lookupGenerator } from '../functions/generators.js';
import { parseTypeName, PRIMITIVE_TYPES, type DataType, type Field, type Value } from '../ir/types.js';
import { DefinitionError } from '../errors.js';
import { parseDurationUs } from '../duration.js';

/** An expression, a literal value, or an aggregate (inside SELECT, HAVING and window expressions). */
export type ExprLike = Expr | Agg | Value;

function freeze<T>(x: T): T {
  return Object.freeze(x);
}

/** Turns a JS value into a literal node; an `Expr` is returned as is. */
export function toNode(x: ExprLike): ExprNode {
  if (x instanceof Expr) return x.node;
  if (x instanceof Agg) return freeze({ kind: 'aggregate', agg: x.node });
  return litNode(x as Value);
}

function litNode(v: Value): ExprNode {
  if (v === null || v === undefined) return freeze({ kind: 'lit', value: null, type: 'string' as DataType });
  if (typeof v === 'number') {
    const type: DataType = Number.isInteger(v) && Math.abs(v) <= 2147483647 ? 'int' : Number.isInteger(v) ? 'long' : 'double';
    return freeze({ kind: 'lit', value: v, type });
  }
  if (typeof v === 'boolean') return freeze({ kind: 'lit', value: v, type: 'boolean' as DataType });
  if (Array.isArray(v)) return freeze({ kind: 'lit', value: freeze([...v]), type: 'array<string>' as DataType });
  if (typeof v === 'string') return freeze({ kind: 'lit', value: v, type: 'string' as DataType });
  throw new DefinitionError('INVALID_LITERAL', `cannot use ${typeof v} as a literal`, { value: String(v) }, { hint: 'use a string, number, boolean or null' });
}

function callNode(name: string, args: readonly ExprLike[]): ExprNode {
  return freeze({ kind: 'call', fn: name, args: freeze(args.map(toNode)) });
}

/**
 * Any registry function by its Spark name: `fn('date_trunc', 'day', col('ts'))`.
 * A string argument is a literal here (use `col()` for columns). Every
 * function of docs/functions.md is reachable this way; the common ones also
 * have builders below.
 */
export function fn(name: string, ...args: ExprLike[]): Expr {
  return new Expr(callNode(name, args));
}

/** An expression over the columns of a relation. */
export class Expr {
  constructor(readonly node: ExprNode) { if (new.target === Expr) Object.freeze(this); }

  private op(name: string, ...others: ExprLike[]): Expr { return new Expr(callNode(name, [this, ...others])); }

  eq(o: ExprLike): Expr { return this.op('=', o); }
  ne(o: ExprLike): Expr { return this.op('<>', o); }
  lt(o: ExprLike): Expr { return this.op('<', o); }
  le(o: ExprLike): Expr { return this.op('<=', o); }
  gt(o: ExprLike): Expr { return this.op('>', o); }
  ge(o: ExprLike): Expr { return this.op('>=', o); }
  /** Null-safe equality (`<=>`): TRUE when both are NULL. */
  eqNullSafe(o: ExprLike): Expr { return this.op('<=>', o); }
  plus(o: ExprLike): Expr { return this.op('+', o); }
  minus(o: ExprLike): Expr { return this.op('-', o); }
  times(o: ExprLike): Expr { return this.op('*', o); }
  /** `/`: DOUBLE (DECIMAL for decimals). */
  div(o: ExprLike): Expr { return this.op('/', o); }
  /** SQL `div`: integral division (BIGINT). */
  intDiv(o: ExprLike): Expr { return this.op('div', o); }
  mod(o: ExprLike): Expr { return this.op('%', o); }
  negate(): Expr { return this.op('negative'); }
  and(...o: ExprLike[]): Expr { return and(this, ...o); }
  or(...o: ExprLike[]): Expr { return or(this, ...o); }
  not(): Expr { return not(this); }
  isNull(): Expr { return this.op('isnull'); }
  isNotNull(): Expr { return this.op('isnotnull'); }
  /** `low <= x AND x <= high`, inclusive, NULL when any side is NULL. */
  between(low: ExprLike, high: ExprLike): Expr { return this.op('between', low, high); }
  in(...list: (ExprLike | readonly Value[])[]): Expr {
    const flat = list.flatMap((x) => (Array.isArray(x) ? x : [x])) as ExprLike[];
    return this.op('in', ...flat);
  }
  upper(): Expr { return this.op('upper'); }
  lower(): Expr { return this.op('lower'); }
  trim(): Expr { return this.op('trim'); }
  length(): Expr { return this.op('length'); }
  cast(to: DataType | string): Expr { return cast(this, to); }
  tryCast(to: DataType | string): Expr { return tryCast(this, to); }
  /** This expression as the first argument of a registry function: `col('d').call('date_trunc', …)` is not the order Spark uses; prefer `fn(name, …)`. */
  toString(): string { return JSON.stringify(this.node); }
}

export function col(name: string): Expr {
  if (typeof name !== 'string' || name === '') throw new DefinitionError('INVALID_COLUMN_NAME', 'a column name must be a non-empty string', { name: String(name) });
  return new Expr(freeze({ kind: 'col', name }));
}

export function lit(v: Value, type?: DataType | string): Expr {
  const n = litNode(v);
  if (type === undefined) return new Expr(n);
  const t = parseTypeName(type);
  if (!t) throw new DefinitionError('UNKNOWN_TYPE', `unknown type "${type}"`, { type }, { hint: 'use a Spark type name: string, int, bigint, double, decimal(10,2), date, timestamp, array<string>, …' });
  return new Expr(freeze({ ...(n as { kind: 'lit'; value: Value }), type: t }));
}

export function and(...args: ExprLike[]): Expr {
  if (args.length === 1) return args[0] instanceof Expr ? args[0] : new Expr(toNode(args[0]));
  return new Expr(callNode('and', args));
}

export function or(...args: ExprLike[]): Expr {
  if (args.length === 1) return args[0] instanceof Expr ? args[0] : new Expr(toNode(args[0]));
  return new Expr(callNode('or', args));
}

export function not(x: ExprLike): Expr { return new Expr(callNode('not', [x])); }
export function coalesce(...args: ExprLike[]): Expr { return new Expr(callNode('coalesce', args)); }
export function upper(x: ExprLike): Expr { return fn('upper', x); }
export function lower(x: ExprLike): Expr { return fn('lower', x); }
/** Leading and trailing spaces removed, or characters that occur in `chars` (SQL `TRIM(BOTH chars FROM x)`). */
export function trim(x: ExprLike, chars?: ExprLike): Expr { return chars === undefined ? fn('trim', x) : fn('trim', x, chars); }
export function length(x: ExprLike): Expr { return fn('length', x); }
export function isNull(x: ExprLike): Expr { return new Expr(toNode(x)).isNull(); }
export function isNotNull(x: ExprLike): Expr { return new Expr(toNode(x)).isNotNull(); }

function typeArg(to: DataType | string): DataType {
  const t = parseTypeName(to);
  if (!t) throw new DefinitionError('UNKNOWN_TYPE', `unknown type "${to}"`, { type: to }, { hint: 'use a Spark type name: string, int, bigint, double, decimal(10,2), boolean, date, timestamp, array<string>, map<string,int>, struct<a:int>' });
  return t;
}

export function cast(x: ExprLike, to: DataType | string): Expr {
  return new Expr(freeze({ kind: 'cast', arg: toNode(x), to: typeArg(to) }));
}

/** `TRY_CAST`: NULL for a value that does not convert, whatever the ANSI setting. */
export function tryCast(x: ExprLike, to: DataType | string): Expr {
  return new Expr(freeze({ kind: 'cast', arg: toNode(x), to: typeArg(to), try: true }));
}

/** A lambda for higher-order functions: `lambda((x) => x.gt(0))`, `lambda((k, v) => v.isNotNull())`. */
export function lambda(body: (...params: Expr[]) => ExprLike): Expr {
  const names = Array.from({ length: body.length || 1 }, (_, i) => ['x', 'y', 'z', 'w'][i] ?? `p${i}`);
  const params = names.map((n) => new Expr(freeze({ kind: 'var', name: n })));
  return new Expr(freeze({ kind: 'lambda', params: freeze(names), body: toNode(body(...params)) }));
}

/** `CASE WHEN … THEN … [WHEN …] [ELSE …] END`: `when(c, v).when(c2, v2).otherwise(v3)`. */
export class CaseBuilder extends Expr {
  constructor(branches: readonly { when: ExprNode; then: ExprNode }[], otherwise: ExprNode | null = null) {
    super(freeze({ kind: 'case', branches: freeze(branches.map((b) => freeze({ ...b }))), otherwise }));
    Object.freeze(this);
  }
  when(cond: ExprLike, then: ExprLike): CaseBuilder {
    return new CaseBuilder([...(this.node as unknown as { branches: { when: ExprNode; then: ExprNode }[] }).branches, { when: toNode(cond), then: toNode(then) }]);
  }
  otherwise(v: ExprLike): Expr {
    return new Expr(freeze({ kind: "case", branches: (this.node as unknown as { branches: never }).branches, otherwise: toNode(v) }));
  }
}

export function when(cond: ExprLike, then: ExprLike): CaseBuilder {
  return new CaseBuilder([{ when: toNode(cond), then: toNode(then) }]);
}

/**
 * A user function. It runs in the local engine; to compile to SQL it must carry
 * its SQL form, with `$1`, `$2`, … for the arguments (per dialect or `default`).
 * Without one the SQL compiler reports it as non-portable.
 */
export function udf(name: string, options: { returns: DataType | string; sql?: string | UdfSql }, fnImpl: (...args: Value[]) => Value): (...args: ExprLike[]) => Expr {
  const returns = parseTypeName(options.returns);
  if (!returns) throw new DefinitionError('UNKNOWN_TYPE', `unknown type "${options.returns}"`, { type: options.returns });
  const sql = typeof options.sql === 'string' ? { default: options.sql } : options.sql;
  return (...args) => new Expr(freeze({ kind: 'udf', name, args: freeze(args.map(toNode)), returns, fn: fnImpl, sql: sql ? freeze({ ...sql }) : undefined }));
}

// ---------------------------------------------------------------- aggregates

/**
 * An aggregate expression, used in `groupBy(...).agg({...})`, and anywhere an
 * expression is taken in a SELECT or HAVING (`having(count().expr().gt(1))`,
 * `{ ratio: sum('a').expr().div(count()) }`) or as a window aggregate
 * (`over(sum('x'), {...})`).
 */
export class Agg {
  constructor(readonly node: AggNode) { Object.freeze(this); }
  /** `FILTER (WHERE cond)`: only rows where cond is TRUE are aggregated. */
  filter(cond: ExprLike): Agg { return new Agg(freeze({ ...this.node, filter: toNode(cond) })); }
  /** This aggregate as an expression, to compute with: `count().expr().gt(1)`. */
  expr(): Expr { return new Expr(toNode(this)); }
}

function aggArg(x: ExprLike | string): ExprNode {
  return typeof x === 'string' ? col(x).node : toNode(x);
}

function aggOf(name: string, args: readonly ExprNode[], distinct = false): Agg {
  return new Agg(freeze({ kind: 'agg', fn: name, args: freeze([...args]), distinct, filter: null }));
}

/** Any aggregate of the registry by name: `aggregate('stddev_samp', 'age')`; strings are column names here. */
export function aggregate(name: string, ...args: (ExprLike | string)[]): Agg { return aggOf(name, args.map(aggArg)); }

/** `count(x)` counts non-NULL values; `count()` or `count('*')` counts rows. */
export function count(x?: ExprLike | string): Agg { return x === undefined || x === '*' ? aggOf('count', []) : aggOf('count', [aggArg(x)]); }
export function countDistinct(x: ExprLike | string): Agg { return aggOf('count', [aggArg(x)], true); }
export function sum(x: ExprLike | string): Agg { return aggOf('sum', [aggArg(x)]); }
export function avg(x: ExprLike | string): Agg { return aggOf('avg', [aggArg(x)]); }
export function min(x: ExprLike | string): Agg { return aggOf('min', [aggArg(x)]); }
export function max(x: ExprLike | string): Agg { return aggOf('max', [aggArg(x)]); }

// ---------------------------------------------------------------- windows

/** An event-time window used as a grouping key; adds `window_start` and `window_end` (TIMESTAMP). */
export class Window {
  constructor(readonly spec: WindowSpec) { Object.freeze(this); }
}

function windowSpec(kind: 'tumbling' | 'sliding', timeColumn: string, size: string, slide: string): WindowSpec {
  const sizeUs = parseDurationUs(size, 'window size');
  const slideUs = parseDurationUs(slide, 'window slide');
  if (sizeUs <= 0 || slideUs <= 0) {
    throw new DefinitionError('INVALID_WINDOW', `window size and slide must be positive (size "${size}", slide "${slide}")`, { size, slide }, { hint: 'e.g. tumbling("ts", "15 minutes")' });
  }
  if (slideUs > sizeUs) {
    throw new DefinitionError('INVALID_WINDOW', `window slide "${slide}" is longer than its size "${size}"`, { size, slide }, { hint: 'the slide must be at most the size' });
  }
  return freeze({ kind, timeColumn, sizeUs, slideUs, sizeText: size, slideText: slide });
}

/** Epoch-aligned tumbling windows of `size` on `timeColumn`. */
export function tumbling(timeColumn: string, size: string): Window {
  return new Window(windowSpec('tumbling', timeColumn, size, size));
}

/** Epoch-aligned sliding windows of `size`, one starting every `slide`. */
export function sliding(timeColumn: string, size: string, slide: string): Window {
  return new Window(windowSpec('sliding', timeColumn, size, slide));
}

// ---------------------------------------------------------------- relations

export type DatasetRef = string | { readonly name: string };

function refName(d: DatasetRef): string {
  return typeof d === 'string' ? d : d.name;
}

type ColumnsArg = Record<string, ExprLike | string>;

function toColumnPairs(spec: ColumnsArg): (readonly [string, ExprNode])[] {
  return Object.entries(spec).map(([k, v]) => freeze([k, typeof v === 'string' ? col(v).node : toNode(v)] as const));
}

/** A sort key for `orderBy` and window specs: `asc('x')`, `desc(col('y'))` (api/relational.ts). */
export class SortOrder {
  constructor(readonly key: SortKey) { Object.freeze(this); }
}

function sortKeyOf(k: string | ExprLike | SortOrder): SortKey {
  if (k instanceof SortOrder) return k.key;
  const expr = typeof k === 'string' ? col(k).node : toNode(k);
  return freeze({ expr, desc: false, nullsFirst: true });
}

export type JoinOn =
  | string | readonly string[] | Record<string, string>
  /** Any condition: unqualified columns name the side that has them. */
  | Expr
  /** A condition over the two sides: `(l, r) => l('k').eq(r('k')).and(r('t').le(l('t')))`. */
  | ((left: (name: string) => Expr, right: (name: string) => Expr) => ExprLike);

function sideCol(side: string) {
  return (name: string): Expr => new Expr(freeze({ kind: 'col', name, qualifier: freeze([side]) }));
}

/** Whether an expression needs planning (aggregates, window functions or a generator inside). */
function needsPlanning(e: ExprNode): boolean {
  return hasQueryAggregate(e) || hasWindow(e) || hasGeneratorCall(e);
}

function hasGeneratorCall(e: ExprNode): boolean {
  return (e.kind === 'call' && lookupGenerator(e.fn) !== undefined) || (e.kind === 'call' && e.args.some(hasGeneratorCall));
}

/** A relation: a query being built. */
export class Rel {
  constructor(readonly node: PlanNode) { Object.freeze(this); }

  /**
   * Keeps exactly these columns: names, or `{ out: expr }` records. Aggregates
   * make it a global aggregation (`select({ n: count() })`), window functions
   * are computed first (`over(rowNumber(), {...})`), and a generator
   * (`explode(col('tags'))`) gives one row per element.
   */
  select(...cols: (string | ColumnsArg)[]): Rel {
    const pairs: (readonly [string, ExprNode])[] = [];
    for (const c of cols) {
      if (typeof c === 'string') pairs.push(freeze([c, col(c).node] as const));
      else pairs.push(...toColumnPairs(c));
    }
    if (pairs.some(([, e]) => needsPlanning(e))) return new Rel(planSelect(this.node, pairs.map(([name, expr]) => ({ name, expr }))));
    return new Rel(freeze({ kind: 'select', input: this.node, columns: freeze(pairs) }));
  }

  /** Adds or replaces columns, keeping the others (Spark's `withColumns`); window functions are computed first. */
  withColumns(spec: ColumnsArg): Rel {
    const pairs = toColumnPairs(spec);
    if (pairs.some(([, e]) => hasWindow(e))) return new Rel(planWindowColumns(this.node, pairs, 'derive'));
    return new Rel(freeze({ kind: 'derive', input: this.node, columns: freeze(pairs) }));
  }

  withColumn(name: string, e: ExprLike): Rel { return this.withColumns({ [name]: e }); }

  drop(...names: string[]): Rel { return new Rel(freeze({ kind: 'drop', input: this.node, names: freeze(names) })); }

  /**
   * Keeps the rows where the predicate is TRUE. A predicate over window
   * functions is a QUALIFY; over aggregates (right after `agg`) a HAVING.
   */
  filter(predicate: ExprLike): Rel {
    const p = toNode(predicate);
    if (hasWindow(p)) return this.qualify(new Expr(p));
    if (hasQueryAggregate(p)) return this.having(new Expr(p));
    return new Rel(freeze({ kind: 'filter', input: this.node, predicate: p }));
  }
  where(predicate: ExprLike): Rel { return this.filter(predicate); }

  /**
   * HAVING, right after `groupBy(...).agg(...)`: a filter on the groups that may
   * use aggregates not in the output (`having(count().expr().gt(1))`).
   */
  having(predicate: ExprLike): Rel {
    const p = toNode(predicate);
    if (this.node.kind !== 'aggregate') {
      throw new DefinitionError('HAVING_WITHOUT_AGGREGATE', 'having() follows groupBy(...).agg(...)', {}, { hint: 'aggregate first, or use filter()' });
    }
    return new Rel(planHaving(this.node, p));
  }

  /** QUALIFY: keeps the rows where a predicate over window functions is TRUE (`qualify(over(rowNumber(), {...}).eq(1))`). */
  qualify(predicate: ExprLike): Rel { return new Rel(planQualify(this.node, toNode(predicate))); }

  /** SELECT DISTINCT: one row per distinct row (NULLs equal). On a stream: each distinct row once, when it first arrives. */
  distinct(): Rel { return new Rel(freeze({ kind: 'distinct', input: this.node })); }

  /** ORDER BY (materialized views; ties keep their input order): names, expressions or `asc(x)`/`desc(x)`. */
  orderBy(...keys: (string | ExprLike | SortOrder)[]): Rel {
    return new Rel(freeze({ kind: 'sort', input: this.node, keys: freeze(keys.map(sortKeyOf)) }));
  }
  sort(...keys: (string | ExprLike | SortOrder)[]): Rel { return this.orderBy(...keys); }

  /** LIMIT n (materialized views): the first n rows of the input's order. */
  limit(n: number): Rel {
    if (this.node.kind === 'limit' && this.node.n === null) return new Rel(freeze({ ...this.node, n }));
    return new Rel(freeze({ kind: 'limit', input: this.node, n }));
  }

  /** OFFSET n: skips the first n rows (`offset(10).limit(5)` is rows 11–15). */
  offset(n: number): Rel { return new Rel(freeze({ kind: 'limit', input: this.node, n: null, offset: n })); }

  /**
   * A join. `on`: a column name present on both sides, a list of them, or
   * `{ leftCol: 'rightCol' }` (equal keys; a right key with its left key's
   * name is not repeated), or a condition: an expression, or
   * `(l, r) => l('k').eq(r('k')).and(…)`. `how`: inner, left, right, full,
   * left_semi, left_anti, cross. The output has every left column, then the
   * right columns (none for semi and anti joins). NULL keys never match.
   */
  join(right: Rel, on: JoinOn, how: JoinHow = 'inner'): Rel {
    if (!(JOIN_TYPES as readonly string[]).includes(how)) throw new DefinitionError('UNSUPPORTED_JOIN', `join type "${how}" is not supported`, { how }, { hint: `use one of ${JOIN_TYPES.join(', ')}` });
    let pairs: (readonly [string, string])[] = [];
    let condition: ExprNode | null = null;
    if (typeof on === 'function') condition = toNode(on(sideCol(JOIN_LEFT), sideCol(JOIN_RIGHT)));
    else if (on instanceof Expr) condition = on.node;
    else pairs = (typeof on === 'string' ? [[on, on]] : Array.isArray(on) ? (on as string[]).map((k) => [k, k]) : Object.entries(on as Record<string, string>)).map((p) => freeze([p[0], p[1]] as const));
    return new Rel(freeze({ kind: 'join', input: this.node, right: right.node, how, on: freeze(pairs), ...(condition ? { condition } : {}) }));
  }

  leftJoin(right: Rel, on: JoinOn): Rel { return this.join(right, on, 'left'); }

  /** Every pair of rows (a cross join), optionally with a condition. */
  crossJoin(right: Rel, condition?: JoinOn): Rel {
    if (condition === undefined) return new Rel(freeze({ kind: 'join', input: this.node, right: right.node, how: 'cross', on: freeze([]) }));
    return this.join(right, condition, 'cross');
  }

  /** Keeps the first row of each key (NULLs compare equal): earliest batch, then input order. */
  dropDuplicates(keys: readonly string[]): Rel {
    return new Rel(freeze({ kind: 'dedup', input: this.node, keys: freeze([...keys]) }));
  }

  /** Declares an event-time watermark on a streaming input: late rows behind `max(time) - delay` are dropped by windowed aggregates. */
  withWatermark(timeColumn: string, delay: string): Rel {
    const delayUs = parseDurationUs(delay, 'watermark delay');
    return new Rel(freeze({ kind: 'watermark', input: this.node, column: timeColumn, delayUs, delayText: delay }));
  }

  groupBy(...keys: (string | Window | ColumnsArg)[]): GroupedRel {
    let window: WindowSpec | null = null;
    const pairs: (readonly [string, ExprNode])[] = [];
    for (const k of keys) {
      if (k instanceof Window) {
        if (window) throw new DefinitionError('INVALID_WINDOW', 'a grouping takes at most one window', {});
        window = k.spec;
      } else if (typeof k === 'string') pairs.push(freeze([k, col(k).node] as const));
      else pairs.push(...toColumnPairs(k));
    }
    return new GroupedRel(this.node, window, pairs);
  }

  /** Aggregates the whole input into one row. */
  agg(spec: Record<string, Agg | Expr>): Rel { return this.groupBy().agg(spec); }

  /** UNION ALL by position (Spark's `union`): the first input names the columns; types widen to a common type. */
  union(...others: Rel[]): Rel {
    return new Rel(freeze({ kind: 'union', inputs: freeze([this.node, ...others.map((o) => o.node)]) }));
  }
  unionAll(...others: Rel[]): Rel { return this.union(...others); }

  /** UNION ALL by column name; with `allowMissingColumns` a column one side lacks is NULL there (and added at the end). */
  unionByName(other: Rel, options: { allowMissingColumns?: boolean } = {}): Rel {
    return new Rel(freeze({ kind: 'union', inputs: freeze([this.node, other.node]), byName: true, ...(options.allowMissingColumns ? { allowMissing: true } : {}) }));
  }

  /**
   * A generator (LATERAL VIEW): one row per element of an array or entry of a
   * map, with every column of this relation. `as`: the new column names (one
   * for an array: default `col`; two for a map: default `key`, `value`);
   * `position`: add the element's position (from 0) first (default name `pos`);
   * `outer`: a NULL or empty collection gives one row of NULLs instead of none.
   */
  explode(collection: ExprLike | string, options: { as?: string | readonly string[]; outer?: boolean; position?: boolean } = {}): Rel {
    const arg = typeof collection === 'string' ? col(collection).node : toNode(collection);
    const generator = `${options.position ? 'posexplode' : 'explode'}${options.outer ? '_outer' : ''}`;
    const names = options.as === undefined ? [] : typeof options.as === 'string' ? [...(options.position ? ['pos'] : []), options.as] : [...options.as];
    return new Rel(freeze({ kind: 'generate', input: this.node, generator, arg, names: freeze(names) }));
  }
}

export class GroupedRel {
  constructor(private readonly input: PlanNode, private readonly window: WindowSpec | null, private readonly keys: readonly (readonly [string, ExprNode])[]) {
    Object.freeze(this);
  }

  /** Named aggregates (`{ n: count() }`), or expressions over aggregates (`{ ratio: sum('a').expr().div(count()) }`). */
  agg(spec: Record<string, Agg | Expr>): Rel {
    const entries = Object.entries(spec);
    for (const [name, a] of entries) {
      if (!(a instanceof Agg) && !(a instanceof Expr && hasQueryAggregate(a.node))) throw new DefinitionError('INVALID_AGGREGATE', `agg value for "${name}" is not an aggregate`, { column: name }, { hint: 'use count(), sum(), avg(), min(), max(), countDistinct(), aggregate(name, …), or an expression over them' });
    }
    if (entries.every(([, a]) => a instanceof Agg)) {
      const aggs = entries.map(([name, a]) => freeze([name, (a as Agg).node] as const));
      return new Rel(freeze({ kind: 'aggregate', input: this.input, window: this.window, keys: freeze([...this.keys]), aggs: freeze(aggs) }));
    }
    return new Rel(planGroupedExpressions(this.input, this.window, this.keys, entries.map(([name, a]) => freeze([name, toNode(a)] as const))));
  }
}

/**
 * Reads another dataset of the pipeline incrementally (SQL `STREAM(x)`).
 * `skipChangeCommits` reads a table that is not append-only (an AUTO CDC
 * target) by ignoring the commits that change or delete rows
 * (`STREAM(x) WITH (skipChangeCommits = true)`).
 */
export function stream(dataset: DatasetRef, options: { skipChangeCommits?: boolean } = {}): Rel {
  return new Rel(freeze({ kind: 'read', dataset: refName(dataset), streaming: true, ...(options.skipChangeCommits ? { skipChangeCommits: true } : {}) }));
}

/** Reads another dataset of the pipeline as a complete snapshot (a batch dependency). */
export function read(dataset: DatasetRef): Rel {
  return new Rel(freeze({ kind: 'read', dataset: refName(dataset), streaming: false }));
}

export interface CsvSourceOptions {
  glob: string;
  /** Column name → type name (`string`, `int`, `date`, `timestamp`, `double`, …), in output order. */
  schema: Record<string, DataType | string>;
  header?: boolean;
  nullMarkers?: readonly string[];
  metadataColumns?: boolean;
  fallbackPaths?: readonly string[];
  schemaEvolutionMode?: SchemaEvolutionMode;
  maxFilesPerTrigger?: number;
  includeExistingFiles?: boolean;
  allowOverwrites?: boolean;
}

export const DEFAULT_NULL_MARKERS = freeze(['null', 'na', 'n/a', 'nan', 'none']);

/** A CSV file source with Auto Loader-like behaviour. */
export function readCsv(opts: CsvSourceOptions): Rel {
  if (!opts.glob || opts.glob.includes('/') || opts.glob.includes('\\')) {
    throw new DefinitionError('INVALID_SOURCE_GLOB', `CSV glob "${opts.glob}" must be a file-name pattern without folders`, { glob: opts.glob }, { hint: 'globs are relative to the input root and do not recurse, e.g. "patients_daily_file_*.csv"' });
  }
  const schema: Field[] = Object.entries(opts.schema).map(([name, t]) => {
    const type = parseTypeName(t);
    if (!type || !(PRIMITIVE_TYPES as readonly string[]).includes(type)) throw new DefinitionError('UNKNOWN_TYPE', `column "${name}" has unknown type "${t}"`, { column: name, type: t }, { hint: 'use string, int, long, double, boolean, date or timestamp' });
    return freeze({ name, type });
  });
  const options: CsvOptions = freeze({
    glob: opts.glob,
    schema: freeze(schema),
    header: opts.header ?? true,
    nullMarkers: freeze([...(opts.nullMarkers ?? DEFAULT_NULL_MARKERS)].map((s) => s.toLowerCase())),
    metadataColumns: opts.metadataColumns ?? true,
    fallbackPaths: freeze([...(opts.fallbackPaths ?? [])]),
    schemaEvolutionMode: opts.schemaEvolutionMode ?? 'rescue',
    maxFilesPerTrigger: opts.maxFilesPerTrigger ?? 1000,
    includeExistingFiles: opts.includeExistingFiles ?? true,
    allowOverwrites: opts.allowOverwrites ?? false,
  });
  return new Rel(freeze({ kind: 'csv', options }));
}

/** An in-memory source, fed by the testing API (`runPipeline(..., { rows: { name: [...] } })`). */
export function rowsSource(name: string, schema: Record<string, DataType | string>): Rel {
  const fields: Field[] = Object.entries(schema).map(([n, t]) => {
    const type = parseTypeName(t);
    if (!type) throw new DefinitionError('UNKNOWN_TYPE', `column "${n}" has unknown type "${t}"`, { column: n, type: t });
    return freeze({ name: n, type });
  });
  return new Rel(freeze({ kind: 'rows', name, schema: freeze(fields) }));
}
