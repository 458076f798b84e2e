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
import type { DataType, Schema, Value } from '../ir/types.js';
import { arrayType, isDecimal, isNumeric, isNested } from '../ir/types.js';
import { litValue } from '../expr/cast.js';
import { boundedDecimal, decimalParts } from './coerce.js';
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
  /** Always counts distinct values through the operator's distinct table (approx_count_distinct, exact here). */
  readonly distinctTable?: boolean;
  readonly type: (args: readonly ArgInfo[], ctx: TypeCtx, distinct: boolean) => { returns: DataType; args?: readonly (DataType | null)[] };
  /** The state implementation for the resolved types. */
  readonly make: (argTypes: readonly DataType[], returns: DataType, distinct: boolean, literals: readonly (Value | undefined)[]) => AggregateFunction<unknown>;
  readonly sql: Partial<Record<DialectName | 'default', string | ((e: AggregateSqlEmit) => string) | { readonly unsupported: string } | { readonly sql: string; readonly approx: string }>>;
  /** Differences a target has (listed in the reference and the portability report). */
  readonly notes?: string;
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
  /** Literal argument values (percentages, flags), in the representation of their types. */
  readonly literals: readonly (Value | undefined)[];
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
  const infos: ArgInfo[] = a.args.map((x) => ({ type: exprType(x, schema, origin, ansi), node: x, isNullLiteral: x.kind === 'lit' && x.value === null, literal: x.kind === 'lit' ? litValue(x.value, x.type) : undefined }));
  const ctx: TypeCtx = {
    fn: def.name,
    ansi,
    mismatch: (message, hint) => {
      throw new DefinitionError('TYPE_MISMATCH', `${message} in ${aggToString(a)}`, { expression: aggToString(a), table }, { origin, hint: hint ?? `the signature is ${def.signature}` });
    },
    lambdaType: () => { throw new Error('internal: aggregates take no lambdas'); },
  };
  const r = def.type(infos, ctx, a.distinct);
  return { def, returns: r.returns, argTypes: infos.map((x, i) => r.args?.[i] ?? x.type), literals: infos.map((x) => x.literal) };
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
    name: 'sum', signature: 'sum(expr)', summary: 'The sum of the non-NULL values (BIGINT for integers, DOUBLE for doubles, DECIMAL(p + 10, s) for decimals); NULL when there are none.',
    examples: [{ sql: 'sum(col) FROM VALUES (5), (10), (15) AS tab(col)', result: '30' }], arity: [1, 1], incremental: true, distinct: 'no',
    type: (args, ctx) => {
      numericArg('sum')(args, ctx);
      const t = args[0].type;
      if (isDecimal(t)) { const { precision, scale } = decimalParts(t); return { returns: boundedDecimal(precision + 10, scale) }; }
      return { returns: t === 'double' ? 'double' : 'long' };
    },
    make: (argTypes, returns) => aggregateFunction('sum', { argTypes, returns }),
    sql: {
      default: (e) => (isDecimal(e.argTypes[0]) ? `sum(${e.args[0]})${e.over}` : e.dialect.sum(e.args[0], e.argTypes[0], e.over)),
      duckdb: (e) => (isDecimal(e.argTypes[0]) ? `CAST(sum(${e.args[0]})${e.over} AS ${e.dialect.typeName(e.returns)})` : e.dialect.sum(e.args[0], e.argTypes[0], e.over)),
    },
  },
  {
    name: 'avg', aliases: ['mean'], signature: 'avg(expr)', summary: 'The mean of the non-NULL values (DOUBLE; DECIMAL(p + 4, s + 4) for decimals, rounded half up); NULL when there are none.',
    examples: [{ sql: 'avg(col) FROM VALUES (1), (2), (3) AS tab(col)', result: '2.0' }], arity: [1, 1], incremental: true, distinct: 'no',
    type: (args, ctx) => {
      numericArg('avg')(args, ctx);
      const t = args[0].type;
      if (isDecimal(t)) { const { precision, scale } = decimalParts(t); return { returns: boundedDecimal(precision + 4, scale + 4) }; }
      return { returns: 'double' };
    },
    make: (argTypes, returns) => aggregateFunction('avg', { argTypes, returns }),
    sql: {
      default: 'avg($1)',
      duckdb: (e) => (isDecimal(e.argTypes[0]) ? `CAST(avg(${e.args[0]}) AS ${e.dialect.typeName(e.returns)})` : `avg(${e.args[0]})`),
    },
  },
  ...(['min', 'max'] as const).map((name): AggregateDef => ({
    name, signature: `${name}(expr)`, summary: `The ${name === 'min' ? 'smallest' : 'largest'} non-NULL value.`,
    examples: [{ sql: `${name}(col) FROM VALUES (10), (50), (20) AS tab(col)`, result: name === 'min' ? '10' : '50' }], arity: [1, 1], incremental: true, distinct: 'no',
    type: (args, ctx) => { if (isNested(args[0].type)) ctx.mismatch(`${name}() cannot take ${args[0].type}`); return { returns: args[0].type }; },
    make: (argTypes) => aggregateFunction(name, { argTypes }),
    sql: { default: `${name}($1)` },
  })),
  {
    name: 'count_if', signature: 'count_if(expr)', summary: 'The number of rows where expr is TRUE.',
    examples: [{ sql: 'count_if(col % 2 = 0) FROM VALUES (NULL), (0), (1), (2), (3) AS tab(col)', result: '2' }], arity: [1, 1], incremental: true, distinct: 'no',
    type: (args, ctx) => { if (args[0].type !== 'boolean' && !args[0].isNullLiteral) ctx.mismatch(`count_if() needs a boolean, got ${args[0].type}`); return { returns: 'long' }; },
    make: () => aggregateFunction('count_if'),
    sql: { default: 'count_if($1)' },
  },
  ...([['bool_and', ['every'], 'TRUE when every non-NULL value is TRUE'], ['bool_or', ['some', 'any'], 'TRUE when some non-NULL value is TRUE']] as const).map(([name, aliases, summary]): AggregateDef => ({
    name, aliases, signature: `${name}(expr)`, summary: `${summary}; NULL without values.`,
    examples: [{ sql: `${name}(col) FROM VALUES (true), (false), (true) AS tab(col)`, result: name === 'bool_and' ? 'false' : 'true' }], arity: [1, 1], incremental: true, distinct: 'no',
    type: (args, ctx) => { if (args[0].type !== 'boolean' && !args[0].isNullLiteral) ctx.mismatch(`${name}() needs a boolean, got ${args[0].type}`); return { returns: 'boolean' }; },
    make: () => aggregateFunction(name),
    sql: { default: `${name}($1)` },
  })),
  ...([
    ['stddev_samp', ['stddev', 'std'], 'The sample standard deviation (NULL for one value)'],
    ['stddev_pop', [], 'The population standard deviation'],
    ['var_samp', ['variance'], 'The sample variance (NULL for one value)'],
    ['var_pop', [], 'The population variance'],
  ] as const).map(([name, aliases, summary]): AggregateDef => ({
    name, aliases, signature: `${name}(expr)`, summary: `${summary}, as DOUBLE; NULL without values.`,
    examples: [{ sql: `${name}(col) FROM VALUES (1), (2), (3) AS tab(col)`, result: { stddev_samp: '1.0', stddev_pop: '0.816496580927726', var_samp: '1.0', var_pop: '0.6666666666666666' }[name] }],
    arity: [1, 1], incremental: true, distinct: 'no',
    type: (args, ctx) => { numericArg(name)(args, ctx); return { returns: 'double', args: ['double'] }; },
    make: () => aggregateFunction(name),
    sql: { default: `${name}($1)` },
  })),
  ...(['min_by', 'max_by'] as const).map((name): AggregateDef => ({
    name, signature: `${name}(x, ord)`, summary: `The x of the row whose ord is the ${name === 'min_by' ? 'smallest' : 'largest'} (rows with a NULL ord are skipped; the first such row wins a tie).`,
    examples: [{ sql: `${name}(x, y) FROM VALUES ('a', 10), ('b', 50), ('c', 20) AS tab(x, y)`, result: name === 'min_by' ? 'a' : 'b' }], arity: [2, 2], incremental: true, distinct: 'no',
    type: (args, ctx) => { if (isNested(args[1].type)) ctx.mismatch(`${name}() cannot order by ${args[1].type}`); return { returns: args[0].type }; },
    make: () => aggregateFunction(name),
    sql: { default: `${name}($1, $2)`, duckdb: { unsupported: 'DuckDB picks another row among equal ords (arg_min/arg_max)' } },
  })),
  ...(['first', 'last'] as const).map((name): AggregateDef => ({
    name, aliases: name === 'first' ? ['first_value', 'any_value'] : ['last_value'], signature: `${name}(expr[, ignoreNulls])`,
    summary: `The ${name} value of the group in arrival order (micro-batch order, then file and line order); with ignoreNulls TRUE, the ${name} non-NULL value.`,
    examples: [{ sql: `${name}(col) FROM VALUES (10), (5), (20) AS tab(col)`, result: name === 'first' ? '10' : '20' }], arity: [1, 2], incremental: true, distinct: 'no',
    type: (args, ctx) => { if (args[1] && args[1].type !== 'boolean') ctx.mismatch(`${name}() takes a boolean as its second argument`); return { returns: args[0].type }; },
    make: (_t, _r, _d, lits) => aggregateFunction(name, { ignoreNulls: lits[1] === true }),
    sql: { default: `${name}($*)`, duckdb: { unsupported: `DuckDB's ${name}() has no defined row order` } },
  })),
  {
    name: 'collect_list', aliases: ['array_agg'], signature: 'collect_list(expr)', summary: 'The non-NULL values as an array, in arrival order. Holistic: keeps the group\'s values.',
    examples: [{ sql: 'collect_list(col) FROM VALUES (1), (2), (1) AS tab(col)', result: '[1,2,1]' }], arity: [1, 1], incremental: false, distinct: 'no',
    type: (args) => ({ returns: arrayType(args[0].type) }),
    make: () => aggregateFunction('collect_list'),
    sql: { default: 'collect_list($1)', duckdb: { unsupported: 'DuckDB lists have no defined element order without ORDER BY' } },
  },
  {
    name: 'collect_set', signature: 'collect_set(expr)', summary: 'The distinct non-NULL values as an array (in order of first arrival). Holistic: keeps the group\'s distinct values.',
    examples: [{ sql: 'collect_set(col) FROM VALUES (1), (2), (1) AS tab(col)', result: '[1,2]' }], arity: [1, 1], incremental: false, distinct: 'no',
    type: (args) => ({ returns: arrayType(args[0].type) }),
    make: () => aggregateFunction('collect_set'),
    sql: { default: 'collect_set($1)', duckdb: { unsupported: 'DuckDB lists have no defined element order without ORDER BY' } },
  },
  {
    name: 'percentile', signature: 'percentile(col, percentage)', summary: 'The exact percentile (0 to 1, or an array of them) of the values, interpolated linearly between the closest ranks. Holistic.',
    examples: [{ sql: 'percentile(col, 0.3) FROM VALUES (0), (10) AS tab(col)', result: '3.0' }], arity: [2, 2], incremental: false, distinct: 'no',
    type: (args, ctx) => {
      numericArg('percentile')(args, ctx);
      const p = args[1].literal;
      const ok = (x: unknown) => typeof x === 'number' || typeof x === 'string' ? Number(x) >= 0 && Number(x) <= 1 : false;
      if (Array.isArray(p) ? !p.every(ok) : !ok(p)) ctx.mismatch('percentile() needs a literal percentage between 0 and 1 (or an array of them)');
      return { returns: Array.isArray(p) ? arrayType('double') : 'double', args: ['double', null] };
    },
    make: (_t, _r, _d, lits) => aggregateFunction('percentile', { percentiles: Array.isArray(lits[1]) ? (lits[1] as unknown[]).map(Number) : Number(lits[1]) }),
    sql: { default: 'percentile($1, $2)', duckdb: 'quantile_cont($1, $2)' },
  },
  {
    name: 'median', signature: 'median(col)', summary: 'The exact median: percentile(col, 0.5). Holistic.',
    examples: [{ sql: 'median(col) FROM VALUES (0), (10) AS tab(col)', result: '5.0' }], arity: [1, 1], incremental: false, distinct: 'no',
    type: (args, ctx) => { numericArg('median')(args, ctx); return { returns: 'double', args: ['double'] }; },
    make: () => aggregateFunction('percentile', { percentiles: 0.5 }),
    sql: { default: 'median($1)', duckdb: 'quantile_cont($1, 0.5)' },
  },
  {
    name: 'approx_count_distinct', signature: 'approx_count_distinct(expr[, relativeSD])', summary: 'The number of distinct non-NULL values, counted exactly here (as count(DISTINCT)); Spark estimates it with HyperLogLog++.',
    examples: [{ sql: 'approx_count_distinct(col1) FROM VALUES (1), (1), (2), (2), (3) tab(col1)', result: '3' }], arity: [1, 2], incremental: true, distinct: 'no', distinctTable: true,
    type: () => ({ returns: 'long' }),
    make: () => aggregateFunction('countDistinct'),
    sql: {
      default: { sql: 'approx_count_distinct($1)', approx: 'Spark estimates the count with HyperLogLog++ (about 5% relative error); the engine counts exactly' },
      duckdb: 'count(DISTINCT $1)',
    },
    notes: 'Databricks and Spark estimate (HyperLogLog++, relative error about 5%): their counts can differ from the engine\'s exact ones.',
  },
]);

/** The SQL of an aggregate call, given its arguments' SQL (`over`: its OVER clause as a window function); `note` hears what the target computes differently. */
export function aggregateSql(def: AggregateDef, dialect: Dialect, e: Omit<AggregateSqlEmit, 'dialect' | 'over'> & { over?: string }, note?: (code: string, detail: string) => void): string {
  const s = def.sql[dialect.name] ?? def.sql.default;
  const over = e.over ?? '';
  const fill = (t: string) => t.replace(/\$(\d+)/g, (_m, k: string) => e.args[Number(k) - 1]).replace('$*', e.args.join(', ')) + over;
  if (s === undefined) throw new Error(`internal: no SQL for aggregate ${def.name}`);
  if (typeof s === 'function') {
    const out = s({ ...e, over, dialect });
    return over && !out.includes(over) ? out + over : out;
  }
  if (typeof s === 'string') return fill(s);
  if ('approx' in s) { note?.(`AGGREGATE_${def.name.toUpperCase()}`, `${def.name}(): ${s.approx}`); return fill(s.sql); }
  throw new UnsupportedError('NON_PORTABLE_EXPRESSION', `${def.name}() has no ${dialect.title} form: ${s.unsupported}`, { function: def.name, dialect: dialect.name }, { hint: 'use another aggregate, or compile with --partial to skip this table' });
}

/** How a dialect supports an aggregate: exact, approximated (why) or not at all (why). */
export function aggregateSupport(def: AggregateDef, d: DialectName): { readonly kind: 'exact' | 'approx' | 'unsupported'; readonly note?: string } {
  const s = def.sql[d] ?? def.sql.default;
  if (s === undefined) return { kind: 'unsupported', note: 'no spelling' };
  if (typeof s === 'object' && 'unsupported' in s) return { kind: 'unsupported', note: s.unsupported };
  if (typeof s === 'object' && 'approx' in s) return { kind: 'approx', note: s.approx };
  return { kind: 'exact' };
}
