/**
 * Conditional functions: coalesce, if/iff, nvl, nvl2, nullif, ifnull,
 * greatest and least. CASE (simple and searched) is an IR node of its own
 * (engine/expr/eval.ts); it is listed in the reference with these.
 */
import { ColumnBuilder, type BoolColumn, type Column } from '../batch.js';
import { commonType, comparisonType } from './coerce.js';
import { isNull } from './kernels.js';
import { compareAt } from './operators.js';
import { register, type ArgInfo, type KernelCtx, type ScalarFunction, type TypeCtx } from './registry.js';
import type { DataType } from '../ir/types.js';

/** All arguments (from `from` on) brought to their common type. */
function common(from = 0, strictStrings = false) {
  return (args: readonly ArgInfo[], ctx: TypeCtx): { returns: DataType; args: (DataType | null)[] } => {
    const vals = args.slice(from);
    const t = commonType(vals.map((a) => a.type), vals.map((a) => a.isNullLiteral), strictStrings);
    if (t === null) ctx.mismatch(`${ctx.fn}() mixes ${[...new Set(vals.map((a) => a.type))].join(' and ')}`);
    const out = t ?? 'string';
    return { returns: out, args: args.map((_, i) => (i < from ? null : out)) };
  };
}

/** Row i of the first column (among `cols`) chosen by `pick`, as a new column. */
function choose(ctx: KernelCtx, pick: (i: number) => Column | null): Column {
  const b = new ColumnBuilder(ctx.returns, ctx.n);
  for (let i = 0; i < ctx.n; i++) {
    const c = pick(i);
    if (c === null) b.push(null); else b.pushFrom(c, i);
  }
  return b.finish();
}

function isTrue(c: Column, i: number): boolean {
  const b = c as BoolColumn;
  return b.data[i] === 1 && !(b.nulls && b.nulls[i]);
}

const coalesce: ScalarFunction = {
  name: 'coalesce', family: 'conditional', arity: [1, Infinity], signature: 'coalesce(expr1, expr2, ...)',
  summary: 'The first argument that is not NULL, or NULL.',
  examples: [{ sql: 'coalesce(NULL, 1, NULL)', result: '1' }],
  nulls: 'custom', type: common(),
  kernel: (args, ctx) => choose(ctx, (i) => args.find((c) => !isNull(c, i)) ?? null),
  sql: { default: 'coalesce($*)' },
};

const ifnull: ScalarFunction = {
  name: 'ifnull', aliases: ['nvl'], family: 'conditional', arity: [2, 2], signature: 'ifnull(expr1, expr2)',
  summary: 'expr2 when expr1 is NULL, else expr1 (nvl is the same).',
  examples: [{ sql: "ifnull(NULL, array('2'))", result: '["2"]' }, { sql: 'nvl(NULL, 2)', result: '2' }],
  nulls: 'custom', type: common(),
  kernel: (args, ctx) => choose(ctx, (i) => (isNull(args[0], i) ? (isNull(args[1], i) ? null : args[1]) : args[0])),
  sql: { default: 'coalesce($1, $2)' },
};

const nvl2: ScalarFunction = {
  name: 'nvl2', family: 'conditional', arity: [3, 3], signature: 'nvl2(expr1, expr2, expr3)',
  summary: 'expr2 when expr1 is not NULL, else expr3.',
  examples: [{ sql: 'nvl2(NULL, 2, 1)', result: '1' }],
  nulls: 'custom', type: common(1),
  kernel: (args, ctx) => choose(ctx, (i) => (isNull(args[0], i) ? args[2] : args[1])),
  sql: { default: 'CASE WHEN $1 IS NOT NULL THEN $2 ELSE $3 END' },
};

const nullif: ScalarFunction = {
  name: 'nullif', family: 'conditional', arity: [2, 2], signature: 'nullif(expr1, expr2)',
  summary: 'NULL when expr1 equals expr2, else expr1.',
  examples: [{ sql: 'nullif(2, 2)', result: 'NULL' }],
  nulls: 'custom',
  type: (args, ctx) => {
    const t = comparisonType(args[0].type, args[1].type, args[0].isNullLiteral, args[1].isNullLiteral);
    if (t === null) ctx.mismatch(`cannot compare ${args[0].type} with ${args[1].type}`);
    return { returns: args[0].type, args: [null, t] };
  },
  kernel: (args, ctx) => {
    const x = ctx.coerce(args[0], ctx.argTypes[0], ctx.argTypes[1]);
    return choose(ctx, (i) => (isNull(args[0], i) ? null : !isNull(args[1], i) && compareAt(x, args[1], i) === 0 ? null : args[0]));
  },
  sql: { default: 'nullif($1, $2)' },
};

const iff: ScalarFunction = {
  name: 'if', aliases: ['iff'], databricksOnlyAliases: ['iff'], family: 'conditional', arity: [3, 3], signature: 'if(cond, expr1, expr2)',
  summary: 'expr1 when cond is TRUE, else expr2 (a NULL cond gives expr2). `iff` is the Databricks spelling.',
  examples: [{ sql: 'if(1 < 2, \'a\', \'b\')', result: 'a' }],
  nulls: 'custom',
  type: (args, ctx) => {
    if (args[0].type !== 'boolean' && !args[0].isNullLiteral) ctx.mismatch(`if() needs a boolean condition, got ${args[0].type}`);
    const r = common(1)(args, ctx);
    return { returns: r.returns, args: ['boolean', ...r.args.slice(1)] };
  },
  kernel: (args, ctx) => choose(ctx, (i) => (isTrue(args[0], i) ? args[1] : args[2])),
  sql: { default: 'CASE WHEN $1 THEN $2 ELSE $3 END', duckdb: 'CASE WHEN $1 THEN $2 ELSE $3 END' },
  notes: '`iff` is accepted as the Databricks spelling; the compiler writes CASE for every target.',
};

function extreme(name: 'greatest' | 'least'): ScalarFunction {
  const sign = name === 'greatest' ? 1 : -1;
  return {
    name, family: 'conditional', arity: [2, Infinity], signature: `${name}(expr1, expr2, ...)`,
    summary: `The ${name === 'greatest' ? 'largest' : 'smallest'} non-NULL argument (NULL only when all are NULL).`,
    examples: [{ sql: `${name}(10, 9, 2, 4, 3)`, result: name === 'greatest' ? '10' : '2' }],
    nulls: 'custom', type: common(0, true),
    kernel: (args, ctx) => choose(ctx, (i) => {
      let best: Column | null = null;
      for (const c of args) if (!isNull(c, i) && (best === null || sign * compareAt(c, best, i) > 0)) best = c;
      return best;
    }),
    sql: { default: `${name}($*)` },
  };
}

register([coalesce, ifnull, nvl2, nullif, iff, extreme('greatest'), extreme('least')]);
