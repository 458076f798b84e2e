/**
 * The aggregate registry: each aggregate function is one entry with its type
 * rule, its state (`AggregateFunction`: init / add / remove / value, plus
 * save / load for checkpoints), whether it is maintained incrementally, and
 * its SQL spelling per dialect.
 *
 * `incremental`: the state is bounded per group and updated by each new row
 * (and `remove` where the function is invertible). A holistic aggregate
 * (median, percentile, collect_list) keeps its group's values.
 * `count(DISTINCT x)` is incremental through the aggregate operator's
 * distinct table (one 128-bit hash per (group, value) pair, spilled like key
 * tables).
 */
import type { AggNode } from '../ir/expr.js';
import type { DataType, Schema } from '../ir/types.js';
import { isNumeric, isNested } from '../ir/types.js';
import { DefinitionError, UnsupportedError, type Origin } from '../errors.js';
import { aggregateFunction, type AggregateFunction } from '../operators/aggregates.js';
import type { Dialect, DialectName } from '../sql/dialect.js';
import type { ArgInfo, TypeCtx } from './registry.js';
import { exprType } from '../expr/typecheck.js';
import { exprToString, aggToString } from '../expr/text.js';

export interface AggregateSqlEmit {
  readonly dialect: Dialect;
  /** The SQL of the arguments. */
  readonly args: readonly string[];
  readonly argTypes: readonly DataType[];
  readonly distinct: boolean;
  readonly returns: DataType;
  /**
   * ` OVER (…)` when the aggregate is a window function, else ''. A spelling
   * must put it right after the aggregate call (inside any CAST around it); a
   * template gets it appended.
   */
  readonly over: string;
}

export interface AggregateDef {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly signature: string;
  readonly summary: string;
  readonly examples: readonly { readonly sql: string; readonly result: string }[];
  readonly arity: readonly [number, number];
  /** Maintained from init/add/(remove)/value with bounded state per group. */
  readonly incremental: boolean;
  /** DISTINCT is accepted (and how it is computed). */
  readonly distinct: 'table' | 'no';
  readonly type: (args: readonly ArgInfo[], ctx: TypeCtx, distinct: boolean) => { returns: DataType; args?: readonly (DataType | null)[] };
  /** The state implementation for the resolved types. */
  readonly make: (argTypes: readonly DataType[], returns: DataType, distinct: boolean) => AggregateFunction<unknown>;
  readonly sql: Partial<Record<DialectName | 'default', string | ((e: AggregateSqlEmit) => string) | { readonly unsupported: string }>>;
}

const byName = new Map<string, AggregateDef>();
const all: AggregateDef[] = [];

export function registerAggregates(defs: readonly AggregateDef[]): void {
  for (const d of defs) {
    for (const n of [d.name, ...(d.aliases ?? [])]) {
      if (byName.has(n)) throw new Error(`internal: aggregate ${n} registered twice`);
      byName.set(n, d);
    }
    all.push(d);
  }
}

export function lookupAggregate(name: string): AggregateDef | undefined {
  return byName.get(name.toLowerCase());
}

export function allAggregates(): readonly AggregateDef[] {
  return all;
}

export interface ResolvedAggregate {
  readonly def: AggregateDef;
  readonly returns: DataType;
  readonly argTypes: readonly DataType[];
}

/** Type-checks an aggregate call and resolves its entry. */
export function resolveAggregate(a: AggNode, schema: Schema, origin?: Origin, ansi = false): ResolvedAggregate {
  const def = lookupAggregate(a.fn);
  const table = origin?.table ?? null;
  if (!def) {
    throw new DefinitionError('UNKNOWN_FUNCTION', `aggregate function ${a.fn}() does not exist`, { function: a.fn, table }, { origin, hint: `known aggregates: ${all.map((d) => d.name).join(', ')}` });
  }
  const [min, max] = def.arity;
  if (a.args.length < min || a.args.length > max) {
    throw new DefinitionError('WRONG_ARGUMENT_COUNT', `${def.name}() takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${a.args.length}`, { function: def.name, table }, { origin, hint: `the signature is ${def.signature}` });
  }
  if (a.distinct && def.distinct === 'no') {
    throw new DefinitionError('UNSUPPORTED_DISTINCT', `${def.name}(DISTINCT …) is not supported`, { function: def.name, table }, { origin, hint: 'aggregate the DISTINCT values in a subquery first' });
  }
  if (a.filter) {
    const ft = exprType(a.filter, schema, origin, ansi);
    if (ft !== 'boolean') {
      throw new DefinitionError('TYPE_MISMATCH', `FILTER (WHERE …) of ${def.name}() needs a boolean, got ${ft}`, { expression: exprToString(a.filter), table }, { origin, hint: 'write a condition' });
    }
  }
  const infos: ArgInfo[] = a.args.map((x) => ({ type: exprType(x, schema, origin, ansi), node: x, isNullLiteral: x.kind === 'lit' && x.value === null }));
  const ctx: TypeCtx = {
    fn: def.name,
    ansi,
    mismatch: (message, hint) => {
      throw new DefinitionError('TYPE_MISMATCH', `${message} in ${aggToString(a)}`, { expression: aggToString(a), table }, { origin, hint: hint ?? `the signature is ${def.signature}` });
    },
    lambdaType: () => { throw new Error('internal: aggregates take no lambdas'); },
  };
  const r = def.type(infos, ctx, a.distinct);
  return { def, returns: r.returns, argTypes: infos.map((x, i) => r.args?.[i] ?? x.type) };
}

function numericArg(name: string) {
  return (args: readonly ArgInfo[], ctx: TypeCtx) => {
    if (!isNumeric(args[0].type) && !args[0].isNullLiteral) ctx.mismatch(`${name}() needs a number, got ${args[0].type}`);
  };
}

registerAggregates([
  {
    name: 'count', signature: 'count(*) | count(expr) | count(DISTINCT expr)', summary: 'The number of rows, of non-NULL values, or of distinct non-NULL values.',
    examples: [{ sql: 'count(*)', result: 'rows in the group' }], arity: [0, 1], incremental: true, distinct: 'table',
    type: () => ({ returns: 'long' }),
    make: (argTypes, _r, distinct) => aggregateFunction(argTypes.length === 0 ? 'countAll' : distinct ? 'countDistinct' : 'count'),
    sql: { default: (e) => (e.args.length === 0 ? `count(*)${e.over}` : `count(${e.distinct ? 'DISTINCT ' : ''}${e.args[0]})${e.over}`) },
  },
  {
    name: 'sum', signature: 'sum(expr)', summary: 'The sum of the non-NULL values (BIGINT for integers, DOUBLE for doubles); NULL when there are none.',
    examples: [{ sql: 'sum(col) FROM VALUES (5), (10), (15) AS tab(col)', result: '30' }], arity: [1, 1], incremental: true, distinct: 'no',
    type: (args, ctx) => { numericArg('sum')(args, ctx); return { returns: args[0].type === 'double' ? 'double' : 'long' }; },
    make: () => aggregateFunction('sum'),
    sql: { default: (e) => e.dialect.sum(e.args[0], e.argTypes[0], e.over) },
  },
  {
    name: 'avg', aliases: ['mean'], signature: 'avg(expr)', summary: 'The mean of the non-NULL values (DOUBLE); NULL when there are none.',
    examples: [{ sql: 'avg(col) FROM VALUES (1), (2), (3) AS tab(col)', result: '2.0' }], arity: [1, 1], incremental: true, distinct: 'no',
    type: (args, ctx) => { numericArg('avg')(args, ctx); return { returns: 'double' }; },
    make: () => aggregateFunction('avg'),
    sql: { default: 'avg($1)' },
  },
  ...(['min', 'max'] as const).map((name): AggregateDef => ({
    name, signature: `${name}(expr)`, summary: `The ${name === 'min' ? 'smallest' : 'largest'} non-NULL value.`,
    examples: [{ sql: `${name}(col) FROM VALUES (10), (50), (20) AS tab(col)`, result: name === 'min' ? '10' : '50' }], arity: [1, 1], incremental: true, distinct: 'no',
    type: (args, ctx) => { if (isNested(args[0].type)) ctx.mismatch(`${name}() cannot take ${args[0].type}`); return { returns: args[0].type }; },
    make: () => aggregateFunction(name),
    sql: { default: `${name}($1)` },
  })),
]);

/** The SQL of an aggregate call, given its arguments' SQL. */
export function aggregateSql(def: AggregateDef, dialect: Dialect, e: Omit<AggregateSqlEmit, 'dialect' | 'over'> & { over?: string }): string {
  const s = def.sql[dialect.name] ?? def.sql.default;
  const over = e.over ?? '';
  if (s === undefined) throw new Error(`internal: no SQL for aggregate ${def.name}`);
  if (typeof s === 'function') {
    const out = s({ ...e, over, dialect });
    return over && !out.includes(over) ? out + over : out;
  }
  if (typeof s === 'string') return s.replace(/\$(\d+)/g, (_m, k: string) => e.args[Number(k) - 1]) + over;
  throw new UnsupportedError('NON_PORTABLE_EXPRESSION', `${def.name}() has no ${dialect.title} form: ${s.unsupported}`, { function: def.name, dialect: dialect.name });
}
