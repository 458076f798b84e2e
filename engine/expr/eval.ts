/**
 * Columnar evaluation of expression IR.
 *
 * `compileExpr(node, schema, env)` walks the IR once and returns a function
 * from a batch to a result column. Functions and operators run their registry
 * entry's kernel on whole columns, after the argument coercions the entry's
 * type rule asks for; a `propagate` entry's result is NULL wherever an
 * argument is NULL. CASE, CAST and lambdas are evaluated here.
 *
 * `env` carries the session settings the semantics depend on: ANSI mode, the
 * session time zone and the micro-batch's timestamp (`current_timestamp()`),
 * and the dataset, for errors.
 */
import { call, exprChildren, type ExprNode } from '../ir/expr.js';
import { FILE_METADATA_COLUMN, FILE_METADATA_TYPE } from '../ir/plan.js';
import { INPUT_FILE_NAME } from '../functions/input-file.js';
import type { DataType, Schema, Value } from '../ir/types.js';
import {
  columnIndex, columnLength, constantColumn, isNestedColumn, takeColumn, valueAt, ColumnBuilder,
  type Batch, type BoolColumn, type Column,
} from '../batch.js';
import { exprType, resolveCall, lambdaVarName, structFieldRef } from './typecheck.js';
import { castColumn, castProblem, litValue, sparkCast, type CastMode } from './cast.js';
import { sessionZone } from '../time/zones.js';
import { lookupFunction, type KernelCtx, type LambdaEval } from '../functions/registry.js';
import { RuntimeFailure, type Origin } from '../errors.js';
import '../functions/index.js';
import { SharedExprs } from './shared.js';

export type Evaluator = (b: Batch) => Column;

/** Session settings an expression's meaning depends on. */
export interface EvalEnv {
  /** `spark.sql.ansi.enabled`. */
  readonly ansi: boolean;
  /** `spark.sql.session.timeZone` (IANA name). */
  readonly timeZone: string;
  /** The current micro-batch's timestamp (epoch micros), read at evaluation time. */
  readonly clock: { readonly nowUs: number };
  /** The dataset being computed (for errors). */
  readonly origin?: Origin;
}

const wallClock = { get nowUs(): number { return Date.now() * 1000; } };

export const DEFAULT_ENV: EvalEnv = Object.freeze({ ansi: false, timeZone: 'UTC', clock: wallClock });

/** Compiles an expression against an input schema (type-checking it first). A subtree that occurs more than once is computed once per batch. */
export function compileExpr(e: ExprNode, schema: Schema, env: EvalEnv = DEFAULT_ENV): Evaluator {
  const all = compileExprs([e], schema, env);
  return (b) => all(b)[0];
}

/**
 * Compiles expressions evaluated together over the same batches (the columns
 * of a projection): subtrees they share are computed once per batch (shared.ts).
 */
export function compileExprs(es: readonly ExprNode[], schema: Schema, env: EvalEnv = DEFAULT_ENV, options: { share?: boolean } = {}): (b: Batch) => Column[] {
  for (const e of es) exprType(e, schema, env.origin, env.ansi); // validates
  const sh = options.share === false ? null : new SharedExprs(es);
  const fs = es.map((e) => compile(e, schema, env, sh));
  if (!sh?.used) return (b) => fs.map((f) => f(b));
  return (b) => {
    try {
      return fs.map((f) => f(b));
    } finally {
      sh!.release();
    }
  };
}

function typeOf(e: ExprNode, schema: Schema, env: EvalEnv): DataType {
  return exprType(e, schema, env.origin, env.ansi);
}

/** A description of row i for an error: its source file and line when the batch has them, else its first values. */
function describeRow(b: Batch, i: number): Record<string, Value> {
  const out: Record<string, Value> = {};
  const file = columnIndex(b.schema, '_source_file'), line = columnIndex(b.schema, '_line');
  if (file >= 0 && line >= 0) {
    out._source_file = valueAt(b.columns[file], i);
    out._line = valueAt(b.columns[line], i);
    return out;
  }
  for (let j = 0; j < Math.min(6, b.schema.length); j++) {
    const v = valueAt(b.columns[j], i);
    out[b.schema[j].name] = typeof v === 'object' && v !== null ? '…' : v;
  }
  return out;
}

function failure(env: EvalEnv, fn: string, b: Batch, row: number, code: string, message: string, hint?: string): never {
  const table = env.origin?.table ?? null;
  throw new RuntimeFailure(code, `${message} (in ${fn}${table ? ` of ${table}` : ''})`, { function: fn, table, row: describeRow(b, row) }, {
    origin: env.origin,
    hint: hint ?? `use try_${fn === 'cast' ? 'cast' : fn}() or a guard (CASE WHEN …) to get NULL instead, or set the pipeline's ANSI mode off`,
  });
}

function compile(e: ExprNode, schema: Schema, env: EvalEnv, sh: SharedExprs | null): Evaluator {
  return sh ? sh.evaluator(e, () => compileNode(e, schema, env, sh)) : compileNode(e, schema, env, null);
}

function compileNode(e: ExprNode, schema: Schema, env: EvalEnv, sh: SharedExprs | null): Evaluator {
  switch (e.kind) {
    case 'col': case 'var': {
      const name = e.kind === 'col' ? e.name : lambdaVarName(e.name);
      const i = columnIndex(schema, name);
      const field = i < 0 && e.kind === 'col' ? structFieldRef(e, schema) : undefined;
      if (field) return compile(field, schema, env, null);
      return (b) => b.columns[i];
    }
    case 'lit': {
      const { type } = e;
      const value = litValue(e.value, type);
      return (b) => constantColumn(type, value, b.length);
    }
    case 'call': return compileCall(e, schema, env, sh);
    case 'case': return compileCase(e, schema, env, sh);
    case 'cast': {
      const from = typeOf(e.arg, schema, env);
      const a = compile(e.arg, schema, env, sh);
      const to = e.to;
      // CAST(NULL AS t): a NULL of type t, whatever the literal's own type
      if (e.arg.kind === 'lit' && e.arg.value === null) return (b) => constantColumn(to, null, b.length);
      const mode: CastMode = e.try ? 'try' : env.ansi ? 'ansi' : 'legacy';
      const zone = sessionZone(env.timeZone);
      return (b) => sparkCast(a(b), from, to, b.length, {
        mode, zone, nowUs: env.clock.nowUs,
        fail: (row, code, message) => failure(env, 'cast', b, row, code, message, 'use try_cast() to get NULL for values that do not convert'),
      });
    }
    case 'lambda':
      throw new Error('internal: a lambda is evaluated by the function that takes it');
    case 'aggregate': case 'over':
      throw new Error('internal: aggregates and window functions are planned into their own operators');
    case 'udf': {
      const args = e.args.map((x) => compile(x, schema, env, sh));
      const { fn, returns } = e;
      return (b) => {
        const cols = args.map((f) => f(b));
        const builder = new ColumnBuilder(returns, b.length);
        const vals: Value[] = new Array(cols.length);
        for (let i = 0; i < b.length; i++) {
          for (let k = 0; k < cols.length; k++) vals[k] = valueAt(cols[k], i);
          const v = fn(...vals);
          builder.push(v === undefined ? null : v);
        }
        return builder.finish();
      };
    }
  }
}

function compileCall(e: Extract<ExprNode, { kind: 'call' }>, schema: Schema, env: EvalEnv, sh: SharedExprs | null): Evaluator {
  const f = lookupFunction(e.fn)!;
  // input_file_name() over rows that carry a file source's _metadata: its file_path
  if (f.name === INPUT_FILE_NAME && schema.some((c) => c.name === FILE_METADATA_COLUMN && c.type === FILE_METADATA_TYPE)) {
    return compile(call('get_field', [{ kind: 'col', name: FILE_METADATA_COLUMN }, { kind: 'lit', value: 'file_path', type: 'string' }]), schema, env, null);
  }
  const r = resolveCall(e, schema, env.origin, env.ansi);
  const lambdaAt = new Set(f.lambdaArgs ?? []);
  const args = e.args.map((a, i) => (lambdaAt.has(i) ? null : coerced(a, schema, env, r.argTypes[i], sh)));
  const lambdas = new Map<number, (b: Batch) => LambdaEval>();
  for (const i of lambdaAt) {
    const lam = e.args[i];
    if (!lam || lam.kind !== 'lambda') continue; // an optional lambda not given
    lambdas.set(i, compileLambda(lam, schema, env, r.resolved.lambdas?.[i] ?? []));
  }
  const propagate = f.nulls === 'propagate';
  const name = f.name;
  return (b) => {
    const n = b.length;
    const cols = args.map((a) => (a ? a(b) : constantColumn('boolean', null, n)));
    const ctx: KernelCtx = {
      n,
      ansi: env.ansi,
      timeZone: env.timeZone,
      nowUs: env.clock.nowUs,
      returns: r.resolved.returns,
      argTypes: r.argTypes,
      literals: r.literals,
      plan: r.resolved.plan,
      fail: (row, code, message, hint) => failure(env, name, b, row, code, message, hint),
      lambda: (i) => lambdas.get(i)!(b),
      coerce: (c, from, to) => castColumn(c, from, to, n),
    };
    const out = f.kernel(cols, ctx);
    return propagate ? withArgNulls(out, cols.filter((_, i) => !lambdaAt.has(i)), n) : out;
  };
}

/**
 * A lambda: its body compiled over the outer columns it reads (taken at each
 * element's outer row) followed by its parameters.
 */
function compileLambda(lam: Extract<ExprNode, { kind: 'lambda' }>, schema: Schema, env: EvalEnv, paramTypes: readonly DataType[]): (b: Batch) => LambdaEval {
  // the outer columns and the variables of enclosing lambdas, except those this lambda's parameters shadow
  const own = new Set(lam.params.map(lambdaVarName));
  const used = namesUsed(lam.body);
  const outer = schema.filter((f) => !own.has(f.name) && used.has(f.name));
  const inner: Schema = [...outer, ...lam.params.map((p, k) => ({ name: lambdaVarName(p), type: paramTypes[k] ?? 'string' }))];
  const body = compile(lam.body, inner, env, null);
  const outerIdx = outer.map((f) => columnIndex(schema, f.name));
  return (b) => (params, rows) => {
    const cols: Column[] = outerIdx.map((j) => takeColumn(b.columns[j], rows));
    return body({ schema: inner, columns: [...cols, ...params], length: rows.length });
  };
}

/** The columns and lambda variables (as their column names) an expression reads, nested lambdas included. */
function namesUsed(e: ExprNode, out: Set<string> = new Set()): Set<string> {
  if (e.kind === 'col') { out.add(e.name); for (const q of e.qualifier ?? []) out.add(q); }
  else if (e.kind === 'var') out.add(lambdaVarName(e.name));
  for (const c of exprChildren(e)) namesUsed(c, out);
  return out;
}

function compileCase(e: Extract<ExprNode, { kind: 'case' }>, schema: Schema, env: EvalEnv, sh: SharedExprs | null): Evaluator {
  const out = typeOf(e, schema, env);
  const conds = e.branches.map((br) => compile(e.operand ? { kind: 'call', fn: '=', args: [e.operand, br.when] } : br.when, schema, env, sh));
  const thens = e.branches.map((br) => coerced(br.then, schema, env, out, sh));
  const other = e.otherwise ? coerced(e.otherwise, schema, env, out, sh) : null;
  return (b) => {
    const n = b.length;
    const cs = conds.map((w) => asBool(w(b), n));
    // Branch values are computed for all rows (as Spark does for non-failing expressions).
    const vals = thens.map((t) => t(b));
    const ov = other ? other(b) : null;
    const builder = new ColumnBuilder(out, n);
    for (let i = 0; i < n; i++) {
      let chosen: Column | null = ov;
      for (let k = 0; k < cs.length; k++) {
        const c = cs[k];
        if (c.data[i] === 1 && !(c.nulls && c.nulls[i])) { chosen = vals[k]; break; }
      }
      if (chosen) builder.pushFrom(chosen, i); else builder.push(null);
    }
    return builder.finish();
  };
}

/**
 * `e` evaluated and brought to type `to` (implicit coercion). Legacy mode: the
 * engine's strict rules, NULL where a value does not convert. ANSI mode:
 * Spark's ANSI cast (a value that does not convert fails the flow).
 */
function coerced(e: ExprNode, schema: Schema, env: EvalEnv, to: DataType, sh: SharedExprs | null): Evaluator {
  const from = typeOf(e, schema, env);
  const f = compile(e, schema, env, sh);
  if (from === to) return f;
  if (env.ansi && castProblem(from, to, 'ansi') === null && !(e.kind === 'lit' && e.value === null)) {
    const zone = sessionZone(env.timeZone);
    return (b) => sparkCast(f(b), from, to, b.length, {
      mode: 'ansi', zone, nowUs: env.clock.nowUs,
      fail: (row, code, message) => failure(env, 'cast', b, row, code, `${message} (an implicit cast)`, 'cast the value explicitly with try_cast(), or compare values of the same type'),
    });
  }
  if (e.kind === 'lit') {
    const one = castColumn(constantColumn(e.type, litValue(e.value, e.type), 1), from, to, 1);
    return (b) => takeColumn(one, new Int32Array(b.length));
  }
  return (b) => castColumn(f(b), from, to, b.length);
}

/** The result with NULL wherever an argument is NULL. */
function withArgNulls(out: Column, args: readonly Column[], n: number): Column {
  let mask: Uint8Array | null = null;
  for (const a of args) {
    if (isNestedColumn(a)) {
      for (let i = 0; i < n; i++) if (a.data[i] === null) (mask ??= new Uint8Array(n))[i] = 1;
      continue;
    }
    const m = a.nulls;
    if (!m) continue;
    if (!mask) mask = m.slice();
    else for (let i = 0; i < n; i++) mask[i] |= m[i];
  }
  if (!mask) return out;
  if (isNestedColumn(out)) {
    const data = out.data.slice();
    for (let i = 0; i < n; i++) if (mask[i]) data[i] = null;
    return { type: out.type, data };
  }
  if (out.nulls) for (let i = 0; i < n; i++) mask[i] |= out.nulls[i];
  return { ...out, nulls: mask } as Column;
}

export function asBool(c: Column, n: number): BoolColumn {
  if (c.type === 'boolean') return c;
  const data = new Uint8Array(n);
  const nulls = new Uint8Array(n).fill(1);
  return { type: 'boolean', data, nulls };
}

/** Evaluates a boolean expression and returns a mask of rows where it is TRUE (NULL and FALSE are 0). */
export function trueMask(c: Column, n: number): Uint8Array {
  const b = asBool(c, n);
  if (!b.nulls) return b.data;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = b.data[i] & (b.nulls[i] ^ 1);
  return out;
}

export { castColumn, castValue } from './cast.js';
export { columnLength };
