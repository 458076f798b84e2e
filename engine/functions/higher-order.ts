/**
 * Higher-order functions: their last arguments are lambdas (`x -> …`,
 * `(x, i) -> …`, `(k, v) -> …`). A lambda runs once per call on a column of
 * all the elements of the batch's arrays (or entries of its maps), with the
 * outer columns it reads taken at each element's row (engine/expr/eval.ts),
 * so the body is evaluated columnar like any expression.
 *
 * Semantics are Spark's: `exists` and `forall` use three-valued logic
 * (`spark.sql.legacy.followThreeValuedLogicInArrayExists` is true);
 * `aggregate`/`reduce` need the merge lambda to return the zero value's type;
 * `transform_keys` fails on a NULL or repeated key as `map()` does.
 */
import { ColumnBuilder, type Column } from '../batch.js';
import { exprChildren, type ExprNode } from '../ir/expr.js';
import { arrayType, mapType, typeInfo, type DataType, type Value } from '../ir/types.js';
import { P } from '../sql/precedence.js';
import { arrayElement, flatten, indexColumn, mapKV, valuesColumn } from './collection-kit.js';
import { atomicKey, putEntry } from './map.js';
import { register, type ArgInfo, type KernelCtx, type ScalarFunction, type SqlEmit, type TypeCtx } from './registry.js';
import { columnValues } from './values.js';

type Arr = readonly Value[];
type MapValue = ReadonlyMap<Value, Value>;

/** The lambda of argument i takes `counts` parameters (one of them). */
function lambdaArity(args: readonly ArgInfo[], i: number, counts: readonly number[], ctx: TypeCtx): number {
  const n = args[i].lambdaParams?.length;
  if (n === undefined) return ctx.mismatch(`${ctx.fn}() needs a lambda (x -> …) as argument ${i + 1}`);
  if (!counts.includes(n)) ctx.mismatch(`the lambda of ${ctx.fn}() takes ${counts.join(' or ')} parameter(s), got ${n}`);
  return n;
}

/** Element lambda types: `x` or `(x, i)` with i the 0-based INT index. */
function elementParams(args: readonly ArgInfo[], ctx: TypeCtx): DataType[] {
  const elem = arrayElement(args, 0, ctx) ?? 'string';
  return lambdaArity(args, 1, [1, 2], ctx) === 2 ? [elem, 'int'] : [elem];
}

function needBoolean(t: DataType, ctx: TypeCtx): void {
  if (t !== 'boolean') ctx.mismatch(`the lambda of ${ctx.fn}() must return a boolean, got ${t}`);
}

/** The lambda of argument 1 over every element of the batch's arrays: the arrays, their flattening and the lambda's results. */
function overElements(args: readonly Column[], ctx: KernelCtx) {
  const arrays = columnValues(args[0], ctx.n);
  const elem = (typeInfo(ctx.argTypes[0]) as { element: DataType }).element;
  const f = flatten(arrays, ctx.n);
  const out = ctx.lambda(1)([valuesColumn(elem, f.values), indexColumn(f)], f.rows);
  return { arrays, f, results: columnValues(out, f.values.length) };
}

/** DuckDB: `body` with `name` bound to the value of `sql` (DuckDB has no let: a one-element list_transform). */
function bind(name: string, sql: string, body: string): string {
  return `list_transform([${sql}], lambda ${name}: ${body})[1]`;
}

/** DuckDB: a list function over an element lambda; Spark's 0-based index is DuckDB's 1-based one minus 1. */
function duckElementLambda(e: SqlEmit, fn: string, i = 1): string {
  const lam = e.lambda(i);
  if (lam.params.length === 1) return `${fn}(${e.arg(0)}, ${e.arg(i)})`;
  const idx = '__i1';
  return `${fn}(${e.arg(0)}, lambda ${lam.params[0]}, ${idx}: ${bind(lam.params[1], `${idx} - 1`, lam.body)})`;
}

const filter: ScalarFunction = {
  name: 'filter', family: 'collection', arity: [2, 2], signature: 'filter(array, x -> cond | (x, i) -> cond)',
  summary: 'The elements for which the lambda is TRUE (i is the 0-based index).',
  examples: [{ sql: 'filter(array(1, 2, 3), x -> x % 2 = 1)', result: '[1,3]' }, { sql: 'filter(array(0, 2, 3), (x, i) -> x > i)', result: '[2,3]' }],
  nulls: 'propagate',
  lambdaArgs: [1],
  type: (args, ctx) => {
    const params = elementParams(args, ctx);
    needBoolean(ctx.lambdaType(1, params), ctx);
    return { returns: arrayType(params[0]), args: [arrayType(params[0])], lambdas: { 1: params } };
  },
  kernel: (args, ctx) => {
    const { arrays, f, results } = overElements(args, ctx);
    const b = new ColumnBuilder(ctx.returns, ctx.n);
    for (let i = 0; i < ctx.n; i++) {
      if (arrays[i] === null) { b.push(null); continue; }
      const out: Value[] = [];
      for (let k = f.offsets[i]; k < f.offsets[i + 1]; k++) if (results[k] === true) out.push(f.values[k]);
      b.push(out);
    }
    return b.finish();
  },
  sql: { default: 'filter($1, $2)', duckdb: (e) => duckElementLambda(e, 'list_filter') },
};

const transform: ScalarFunction = {
  name: 'transform', family: 'collection', arity: [2, 2], signature: 'transform(array, x -> expr | (x, i) -> expr)',
  summary: 'The array of the lambda applied to each element (i is the 0-based index).',
  examples: [{ sql: 'transform(array(1, 2, 3), x -> x + 1)', result: '[2,3,4]' }, { sql: 'transform(array(1, 2, 3), (x, i) -> x + i)', result: '[1,3,5]' }],
  nulls: 'propagate',
  lambdaArgs: [1],
  type: (args, ctx) => {
    const params = elementParams(args, ctx);
    return { returns: arrayType(ctx.lambdaType(1, params)), args: [arrayType(params[0])], lambdas: { 1: params } };
  },
  kernel: (args, ctx) => {
    const { arrays, f, results } = overElements(args, ctx);
    const b = new ColumnBuilder(ctx.returns, ctx.n);
    for (let i = 0; i < ctx.n; i++) b.push(arrays[i] === null ? null : results.slice(f.offsets[i], f.offsets[i + 1]));
    return b.finish();
  },
  sql: { default: 'transform($1, $2)', duckdb: (e) => duckElementLambda(e, 'list_transform') },
};

/** exists (any TRUE) and forall (no FALSE), with NULL when undecided by a NULL. */
function quantifier(name: 'exists' | 'forall'): ScalarFunction {
  const any = name === 'exists';
  return {
    name, family: 'collection', arity: [2, 2], signature: `${name}(array, x -> cond)`,
    summary: any
      ? 'TRUE when the lambda is TRUE for some element; else NULL when it is NULL for some element; else FALSE.'
      : 'FALSE when the lambda is FALSE for some element; else NULL when it is NULL for some element; else TRUE.',
    examples: [{ sql: `${name}(array(1, 2, 3), x -> x % 2 = 0)`, result: any ? 'true' : 'false' }],
    nulls: 'propagate',
    lambdaArgs: [1],
    type: (args, ctx) => {
      const params = elementParams(args, ctx);
      needBoolean(ctx.lambdaType(1, params), ctx);
      return { returns: 'boolean', args: [arrayType(params[0])], lambdas: { 1: params } };
    },
    kernel: (args, ctx) => {
      const { arrays, f, results } = overElements(args, ctx);
      const b = new ColumnBuilder('boolean', ctx.n);
      for (let i = 0; i < ctx.n; i++) {
        if (arrays[i] === null) { b.push(null); continue; }
        let sawNull = false, decided = false;
        for (let k = f.offsets[i]; k < f.offsets[i + 1] && !decided; k++) {
          if (results[k] === null) sawNull = true;
          else if (results[k] === any) decided = true;
        }
        b.push(decided ? any : sawNull ? null : !any);
      }
      return b.finish();
    },
    sql: {
      default: `${name}($1, $2)`,
      duckdb: (e) => {
        const a = e.arg(0, P.ATOM);
        const lam = e.lambda(1);
        const pick = (cond: string) => `len(list_filter(${a}, lambda ${lam.params.join(', ')}: ${cond})) > 0`;
        const body = lam.body;
        return `CASE WHEN ${a} IS NULL THEN NULL WHEN ${pick(any ? `(${body})` : `NOT (${body})`)} THEN ${any ? 'TRUE' : 'FALSE'} WHEN ${pick(`(${body}) IS NULL`)} THEN NULL ELSE ${any ? 'FALSE' : 'TRUE'} END`;
      },
    },
  };
}

/** Whether a lambda reads variables it does not declare (those of an enclosing lambda). */
function readsOuterVariables(lam: ExprNode): boolean {
  if (lam.kind !== 'lambda') return false;
  const own = new Set(lam.params);
  const walk = (e: ExprNode, bound: ReadonlySet<string>): boolean => {
    if (e.kind === 'var') return !bound.has(e.name);
    if (e.kind === 'lambda') return walk(e.body, new Set([...bound, ...e.params]));
    return exprChildren(e).some((c) => walk(c, bound));
  };
  return walk(lam.body, own);
}

/** aggregate/reduce: the merge lambda folded over each array from the zero value, then the finish lambda. */
function aggregateFn(name: 'aggregate'): ScalarFunction {
  return {
    name, aliases: ['reduce'], family: 'collection', arity: [3, 4], signature: `${name}(array, zero, (acc, x) -> merge[, acc -> finish])`,
    summary: 'Folds the array: acc starts at zero and becomes merge(acc, x) for each element; the result is finish(acc) (or acc). merge must return the type of zero. `reduce` is the same function.',
    examples: [{ sql: `${name}(array(1, 2, 3), 0, (acc, x) -> acc + x)`, result: '6' }, { sql: `${name}(array(1, 2, 3), 0, (acc, x) -> acc + x, acc -> acc * 10)`, result: '60' }],
    nulls: 'custom',
    lambdaArgs: [2, 3],
    type: (args, ctx) => {
      const zero = args[1].type;
      const elem = arrayElement(args, 0, ctx) ?? zero;
      lambdaArity(args, 2, [2], ctx);
      const merged = ctx.lambdaType(2, [zero, elem]);
      if (merged !== zero) ctx.mismatch(`the merge lambda of ${name}() returns ${merged} but the zero value is ${zero}`, `give the zero value the merge type, e.g. CAST(0 AS ${merged.toUpperCase()})`);
      const lambdas: Record<number, DataType[]> = { 2: [zero, elem] };
      let returns = zero;
      if (args.length > 3) { lambdaArity(args, 3, [1], ctx); returns = ctx.lambdaType(3, [zero]); lambdas[3] = [zero]; }
      return { returns, args: [arrayType(elem)], lambdas };
    },
    kernel: (args, ctx) => {
      const arrays = columnValues(args[0], ctx.n);
      const zero = ctx.argTypes[1];
      const elem = (typeInfo(ctx.argTypes[0]) as { element: DataType }).element;
      const acc: Value[] = columnValues(args[1], ctx.n).slice();
      const merge = ctx.lambda(2);
      const maxLen = arrays.reduce<number>((m, a) => Math.max(m, a === null ? 0 : (a as Arr).length), 0);
      for (let k = 0; k < maxLen; k++) {
        const rows: number[] = [];
        for (let i = 0; i < ctx.n; i++) if (arrays[i] !== null && (arrays[i] as Arr).length > k) rows.push(i);
        const r = merge([valuesColumn(zero, rows.map((i) => acc[i])), valuesColumn(elem, rows.map((i) => (arrays[i] as Arr)[k] ?? null))], Int32Array.from(rows));
        const out = columnValues(r, rows.length);
        rows.forEach((i, j) => { acc[i] = out[j]; });
      }
      const live: number[] = [];
      for (let i = 0; i < ctx.n; i++) if (arrays[i] !== null) live.push(i);
      let final: readonly Value[] = live.map((i) => acc[i]);
      if (ctx.argTypes.length > 3) final = columnValues(ctx.lambda(3)([valuesColumn(zero, final)], Int32Array.from(live)), live.length);
      const b = new ColumnBuilder(ctx.returns, ctx.n);
      let j = 0;
      for (let i = 0; i < ctx.n; i++) b.push(arrays[i] === null ? null : final[j++]);
      return b.finish();
    },
    sql: {
      default: `${name}($*)`,
      duckdb: (e) => {
        if (e.argTypes[1] !== (typeInfo(e.argTypes[0]) as { element: DataType }).element) e.unsupported('DuckDB\'s list_reduce keeps the accumulator in the element type');
        if (readsOuterVariables(e.args[2])) e.unsupported('DuckDB 1.5\'s list_reduce misreads the variables of an enclosing lambda over several rows');
        const reduced = `CASE WHEN ${e.arg(0, P.ATOM)} IS NULL THEN NULL ELSE list_reduce(${e.arg(0)}, ${e.arg(2)}, ${e.arg(1)}) END`;
        return e.args.length > 3 ? `list_transform([${reduced}], ${e.arg(3)})[1]` : reduced;
      },
    },
  };
}

const zipWith: ScalarFunction = {
  name: 'zip_with', family: 'collection', arity: [3, 3], signature: 'zip_with(array1, array2, (x, y) -> expr)',
  summary: 'The lambda applied to the elements of both arrays pairwise; the shorter array is padded with NULLs.',
  examples: [{ sql: 'zip_with(array(1, 2, 3), array(3, 2, 1), (x, y) -> x + y)', result: '[4,4,4]' }],
  nulls: 'propagate',
  lambdaArgs: [2],
  type: (args, ctx) => {
    const a = arrayElement(args, 0, ctx) ?? 'string', b = arrayElement(args, 1, ctx) ?? 'string';
    lambdaArity(args, 2, [2], ctx);
    return { returns: arrayType(ctx.lambdaType(2, [a, b])), args: [arrayType(a), arrayType(b)], lambdas: { 2: [a, b] } };
  },
  kernel: (args, ctx) => {
    const xs = columnValues(args[0], ctx.n), ys = columnValues(args[1], ctx.n);
    const ta = (typeInfo(ctx.argTypes[0]) as { element: DataType }).element, tb = (typeInfo(ctx.argTypes[1]) as { element: DataType }).element;
    const left: Value[] = [], right: Value[] = [], rows: number[] = [];
    const lens = new Int32Array(ctx.n);
    for (let i = 0; i < ctx.n; i++) {
      const a = xs[i] as Arr | null, b = ys[i] as Arr | null;
      if (a === null || b === null) { lens[i] = -1; continue; }
      const m = Math.max(a.length, b.length);
      lens[i] = m;
      for (let k = 0; k < m; k++) { left.push(a[k] ?? null); right.push(b[k] ?? null); rows.push(i); }
    }
    const r = columnValues(ctx.lambda(2)([valuesColumn(ta, left), valuesColumn(tb, right)], Int32Array.from(rows)), left.length);
    const out = new ColumnBuilder(ctx.returns, ctx.n);
    let p = 0;
    for (let i = 0; i < ctx.n; i++) {
      if (lens[i] < 0) { out.push(null); continue; }
      out.push(r.slice(p, p + lens[i]));
      p += lens[i];
    }
    return out.finish();
  },
  sql: {
    default: 'zip_with($1, $2, $3)',
    duckdb: (e) => {
      const lam = e.lambda(2);
      const i = '__i';
      const a = e.arg(0), b = e.arg(1);
      const body = bind(lam.params[0], `(${a})[${i}]`, bind(lam.params[1], `(${b})[${i}]`, lam.body));
      return `CASE WHEN ${e.arg(0, P.ATOM)} IS NULL OR ${e.arg(1, P.ATOM)} IS NULL THEN NULL ELSE list_transform(range(1, greatest(len(${a}), len(${b})) + 1), lambda ${i}: ${body}) END`;
    },
  },
};

/** The lambda of argument 1 over every entry of the batch's maps, with (key, value) parameters. */
function overEntries(args: readonly Column[], ctx: KernelCtx) {
  const maps = columnValues(args[0], ctx.n);
  const { key, value } = typeInfo(ctx.argTypes[0]) as { key: DataType; value: DataType };
  const keys: Value[] = [], vals: Value[] = [], rows: number[] = [];
  const offsets = new Int32Array(ctx.n + 1);
  for (let i = 0; i < ctx.n; i++) {
    const m = maps[i] as MapValue | null;
    if (m) for (const [k, x] of m) { keys.push(k); vals.push(x); rows.push(i); }
    offsets[i + 1] = keys.length;
  }
  const out = ctx.lambda(1)([valuesColumn(key, keys), valuesColumn(value, vals)], Int32Array.from(rows));
  return { maps, keys, vals, offsets, results: columnValues(out, keys.length) };
}

function entryParams(args: readonly ArgInfo[], ctx: TypeCtx): DataType[] {
  const kv = mapKV(args, 0, ctx) ?? { key: 'string', value: 'string' };
  lambdaArity(args, 1, [2], ctx);
  return [kv.key, kv.value];
}

/** DuckDB: a map function as a list function over map_entries, the lambda's (k, v) bound from each entry struct. */
function duckEntries(e: SqlEmit, build: (entry: string, body: string) => string, list: 'list_filter' | 'list_transform'): string {
  const lam = e.lambda(1);
  const m = '__m';
  const body = bind(lam.params[0], `struct_extract(${m}, 'key')`, bind(lam.params[1], `struct_extract(${m}, 'value')`, lam.body));
  return `map_from_entries(${list}(map_entries(${e.arg(0)}), lambda ${m}: ${build(m, body)}))`;
}

const mapFilter: ScalarFunction = {
  name: 'map_filter', family: 'collection', arity: [2, 2], signature: 'map_filter(map, (k, v) -> cond)',
  summary: 'The entries for which the lambda is TRUE.',
  examples: [{ sql: 'map_filter(map(1, 0, 2, 2, 3, -1), (k, v) -> k > v)', result: '{1:0,3:-1}' }],
  nulls: 'propagate',
  lambdaArgs: [1],
  type: (args, ctx) => {
    const params = entryParams(args, ctx);
    needBoolean(ctx.lambdaType(1, params), ctx);
    return { returns: mapType(params[0], params[1]), args: [mapType(params[0], params[1])], lambdas: { 1: params } };
  },
  kernel: (args, ctx) => {
    const { maps, keys, vals, offsets, results } = overEntries(args, ctx);
    const b = new ColumnBuilder(ctx.returns, ctx.n);
    for (let i = 0; i < ctx.n; i++) {
      if (maps[i] === null) { b.push(null); continue; }
      const m = new Map<Value, Value>();
      for (let k = offsets[i]; k < offsets[i + 1]; k++) if (results[k] === true) m.set(keys[k], vals[k]);
      b.push(m as unknown as Value);
    }
    return b.finish();
  },
  sql: { default: 'map_filter($1, $2)', duckdb: (e) => duckEntries(e, (_m, body) => body, 'list_filter') },
};

const transformValues: ScalarFunction = {
  name: 'transform_values', family: 'collection', arity: [2, 2], signature: 'transform_values(map, (k, v) -> expr)',
  summary: 'The map with each value replaced by the lambda\'s result.',
  examples: [{ sql: 'transform_values(map_from_arrays(array(1, 2, 3), array(1, 2, 3)), (k, v) -> v + 1)', result: '{1:2,2:3,3:4}' }],
  nulls: 'propagate',
  lambdaArgs: [1],
  type: (args, ctx) => {
    const params = entryParams(args, ctx);
    return { returns: mapType(params[0], ctx.lambdaType(1, params)), args: [mapType(params[0], params[1])], lambdas: { 1: params } };
  },
  kernel: (args, ctx) => {
    const { maps, keys, offsets, results } = overEntries(args, ctx);
    const b = new ColumnBuilder(ctx.returns, ctx.n);
    for (let i = 0; i < ctx.n; i++) {
      if (maps[i] === null) { b.push(null); continue; }
      const m = new Map<Value, Value>();
      for (let k = offsets[i]; k < offsets[i + 1]; k++) m.set(keys[k], results[k]);
      b.push(m as unknown as Value);
    }
    return b.finish();
  },
  sql: { default: 'transform_values($1, $2)', duckdb: (e) => duckEntries(e, (m, body) => `{'key': struct_extract(${m}, 'key'), 'value': ${body}}`, 'list_transform') },
};

const transformKeys: ScalarFunction = {
  name: 'transform_keys', family: 'collection', arity: [2, 2], signature: 'transform_keys(map, (k, v) -> expr)',
  summary: 'The map with each key replaced by the lambda\'s result (a NULL key is NULL_MAP_KEY, a repeated one DUPLICATED_MAP_KEY).',
  examples: [{ sql: 'transform_keys(map_from_arrays(array(1, 2, 3), array(1, 2, 3)), (k, v) -> k + 1)', result: '{2:1,3:2,4:3}' }],
  nulls: 'propagate',
  lambdaArgs: [1],
  type: (args, ctx) => {
    const params = entryParams(args, ctx);
    const k = ctx.lambdaType(1, params);
    atomicKey(k, ctx);
    return { returns: mapType(k, params[1]), args: [mapType(params[0], params[1])], lambdas: { 1: params } };
  },
  kernel: (args, ctx) => {
    const { maps, vals, offsets, results } = overEntries(args, ctx);
    const b = new ColumnBuilder(ctx.returns, ctx.n);
    for (let i = 0; i < ctx.n; i++) {
      if (maps[i] === null) { b.push(null); continue; }
      const m = new Map<Value, Value>();
      for (let k = offsets[i]; k < offsets[i + 1]; k++) putEntry(m, results[k], vals[k], i, ctx);
      b.push(m as unknown as Value);
    }
    return b.finish();
  },
  sql: { default: 'transform_keys($1, $2)', duckdb: (e) => duckEntries(e, (m, body) => `{'key': ${body}, 'value': struct_extract(${m}, 'value')}`, 'list_transform') },
};

register([filter, transform, quantifier('exists'), quantifier('forall'), aggregateFn('aggregate'), zipWith, mapFilter, transformValues, transformKeys]);
