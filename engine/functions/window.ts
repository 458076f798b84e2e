/**
 * The window function registry: the ranking, offset and value functions of
 * `fn(…) OVER (PARTITION BY … ORDER BY … frame)`. Each is one entry with its
 * type rule, how it computes a partition, and its SQL per dialect. Any
 * aggregate of the aggregate registry (engine/functions/aggregates.ts) can
 * also be used OVER a window; the window operator computes those from the
 * aggregate's state (add, and remove for sliding frames).
 *
 * Kinds:
 * - ranking (row_number, rank, dense_rank, percent_rank, cume_dist, ntile):
 *   need ORDER BY, take no frame;
 * - offset (lag, lead): need ORDER BY, take no frame;
 * - value (first_value, last_value, nth_value): read the frame, Spark's
 *   default frame when none is given (RANGE BETWEEN UNBOUNDED PRECEDING AND
 *   CURRENT ROW with ORDER BY, the whole partition without).
 *
 * IGNORE NULLS: the SQL reader appends a TRUE argument; the type rules read it
 * as the ignore-nulls flag (lag/lead: a trailing boolean literal in the offset
 * or default position, when it cannot be the default; always in the fourth).
 */
import type { ExprNode, WindowOver } from '../ir/expr.js';
import type { DataType, Schema, Value } from '../ir/types.js';
import { isNumeric } from '../ir/types.js';
import { valueAt, type Column } from '../batch.js';
import { DefinitionError, type Origin } from '../errors.js';
import type { Dialect, DialectName } from '../sql/dialect.js';
import type { ArgInfo, TypeCtx } from './registry.js';
import { commonType } from './coerce.js';
import { exprType } from '../expr/typecheck.js';
import { exprToString } from '../expr/text.js';
import { litValue } from '../expr/cast.js';
import { resolveAggregate, type ResolvedAggregate } from './aggregates.js';

/** One partition of the input, in window order, as a window function sees it. */
export interface WindowPartition {
  /** Rows in the partition. */
  readonly size: number;
  /** The batch row at each position (window order). */
  readonly rows: Int32Array;
  /** Per position: the first position of its peer group (rows equal on the ORDER BY keys). */
  readonly peerStart: Int32Array;
  /** Per position: the position after its peer group. */
  readonly peerEnd: Int32Array;
  /** Per position: the frame [frameStart, frameEnd) (positions). */
  readonly frameStart: Int32Array;
  readonly frameEnd: Int32Array;
  /** The argument columns (whole batch), brought to the types the rule asked for. */
  readonly args: readonly Column[];
  /** Writes the result of position k. */
  set(k: number, v: Value): void;
}

/** What a type rule decides beyond the types: literal parameters the evaluation and the SQL need. */
export interface WindowParams {
  /** lag/lead offset, ntile buckets, nth_value n. */
  readonly n?: number;
  readonly ignoreNulls?: boolean;
  /** lag/lead: the argument index of the default value, if given. */
  readonly defaultArg?: number;
  /** How many arguments are real arguments (the rest were flags). */
  readonly argCount: number;
}

export interface WindowResolved {
  readonly returns: DataType;
  /** The type each argument is brought to (null: as it is). */
  readonly args?: readonly (DataType | null)[];
  readonly params: WindowParams;
}

export interface WindowSqlEmit {
  readonly dialect: Dialect;
  /** The SQL of the real arguments (coerced). */
  readonly args: readonly string[];
  readonly params: WindowParams;
  /** `OVER (…)` */
  readonly over: string;
}

export interface WindowFunctionDef {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly kind: 'ranking' | 'offset' | 'value';
  readonly signature: string;
  readonly summary: string;
  readonly examples: readonly { readonly sql: string; readonly result: string }[];
  readonly arity: readonly [number, number];
  readonly type: (args: readonly ArgInfo[], ctx: TypeCtx) => WindowResolved;
  readonly evaluate: (p: WindowPartition, params: WindowParams) => void;
  readonly sql: Partial<Record<DialectName | 'default', ((e: WindowSqlEmit) => string) | { readonly unsupported: string }>>;
  readonly notes?: string;
}

const byName = new Map<string, WindowFunctionDef>();
const all: WindowFunctionDef[] = [];

export function registerWindowFunctions(defs: readonly WindowFunctionDef[]): void {
  for (const d of defs) {
    for (const n of [d.name, ...(d.aliases ?? [])]) {
      if (byName.has(n)) throw new Error(`internal: window function ${n} registered twice`);
      byName.set(n, d);
    }
    all.push(d);
  }
}

export function lookupWindowFunction(name: string): WindowFunctionDef | undefined {
  return byName.get(name.toLowerCase());
}

export function allWindowFunctions(): readonly WindowFunctionDef[] {
  return all;
}

// ------------------------------------------------------------ helpers for rules

function intLiteral(a: ArgInfo | undefined): number | null {
  if (!a || a.node.kind !== 'lit' || a.literal === null || a.literal === undefined) return null;
  const v = Number(a.literal);
  return Number.isInteger(v) && (a.type === 'int' || a.type === 'long') ? v : null;
}

function boolLiteral(a: ArgInfo | undefined): boolean | null {
  if (!a || a.node.kind !== 'lit' || a.type !== 'boolean' || typeof a.literal !== 'boolean') return null;
  return a.literal;
}

const rankingSql = (name: string) => (e: WindowSqlEmit) => `${name}(${e.args.join(', ')}) ${e.over}`;

/** Spark puts IGNORE NULLS after the call; DuckDB inside the parentheses. */
function valueSql(name: string) {
  return (e: WindowSqlEmit) => {
    const args = e.args.join(', ');
    if (!e.params.ignoreNulls) return `${name}(${args}) ${e.over}`;
    return e.dialect.name === 'duckdb' ? `${name}(${args} IGNORE NULLS) ${e.over}` : `${name}(${args}) IGNORE NULLS ${e.over}`;
  };
}

function ranking(name: string, returns: DataType, summary: string, example: { sql: string; result: string }, evaluate: WindowFunctionDef['evaluate']): WindowFunctionDef {
  return {
    name, kind: 'ranking', signature: `${name}()`, summary, examples: [example], arity: [0, 0],
    type: () => ({ returns, params: { argCount: 0 } }), evaluate, sql: { default: rankingSql(name) },
  };
}

// ------------------------------------------------------------ offset: lag and lead

/**
 * lag/lead(input[, offset[, default]]) [IGNORE NULLS]: the canonical form has
 * four arguments (input, offset, default, ignoreNulls); the reader's trailing
 * TRUE is recognised where it cannot be the default.
 */
function offsetType(args: readonly ArgInfo[], ctx: TypeCtx): WindowResolved {
  const input = args[0];
  let count = args.length;
  let ignoreNulls = false;
  const last = args[count - 1];
  const lastBool = count > 1 ? boolLiteral(last) : null;
  if (count === 4) {
    if (lastBool === null) ctx.mismatch(`${ctx.fn}()'s fourth argument (ignore nulls) must be TRUE or FALSE`);
    ignoreNulls = lastBool === true; count = 3;
  } else if (lastBool !== null && (count === 2 || (count === 3 && input.type !== 'boolean' && !input.isNullLiteral))) {
    ignoreNulls = lastBool; count--;
  }
  let n = 1;
  if (count >= 2) {
    const off = intLiteral(args[1]);
    if (off === null) ctx.mismatch(`${ctx.fn}()'s offset must be an integer literal`, `write ${ctx.fn}(x, 2)`);
    n = off!;
  }
  let returns = input.type;
  const types: (DataType | null)[] = args.map(() => null);
  if (count === 3) {
    const def = args[2];
    const t = def.isNullLiteral ? input.type : commonType([input.type, def.type], [input.isNullLiteral, false]);
    if (t === null) ctx.mismatch(`${ctx.fn}()'s default (${def.type}) does not fit its input (${input.type})`);
    returns = input.isNullLiteral ? def.type : input.type;
    types[0] = returns; types[2] = returns;
  }
  return { returns, args: types, params: { n, ignoreNulls, defaultArg: count === 3 ? 2 : undefined, argCount: count } };
}

function offsetEval(sign: 1 | -1) {
  return (p: WindowPartition, params: WindowParams) => {
    const x = p.args[0];
    const off = (params.n ?? 1) * sign; // positions back (lag: +, lead: −)
    const def = params.defaultArg !== undefined ? p.args[params.defaultArg] : null;
    const fallback = (k: number): Value => (def ? valueAt(def, p.rows[k]) : null);
    if (!params.ignoreNulls || off === 0) {
      for (let k = 0; k < p.size; k++) {
        const j = k - off;
        p.set(k, j >= 0 && j < p.size ? valueAt(x, p.rows[j]) : fallback(k));
      }
      return;
    }
    // IGNORE NULLS: the |off|-th non-NULL value before (lag) or after (lead) the row
    const nonNull: number[] = [];
    for (let k = 0; k < p.size; k++) if (valueAt(x, p.rows[k]) !== null) nonNull.push(k);
    const steps = Math.abs(off);
    const back = off > 0;
    let idx = 0; // nonNull[idx] is the first non-NULL position >= k
    for (let k = 0; k < p.size; k++) {
      while (idx < nonNull.length && nonNull[idx] < k) idx++;
      // before k: nonNull[idx-1], nonNull[idx-2], …; after k: the first non-NULL > k
      let t: number;
      if (back) t = idx - steps;
      else { const after = idx < nonNull.length && nonNull[idx] === k ? idx + 1 : idx; t = after + steps - 1; }
      p.set(k, t >= 0 && t < nonNull.length ? valueAt(x, p.rows[nonNull[t]]) : fallback(k));
    }
  };
}

function offsetDef(name: 'lag' | 'lead'): WindowFunctionDef {
  const lag = name === 'lag';
  return {
    name, kind: 'offset', signature: `${name}(input[, offset[, default]]) [IGNORE NULLS]`, arity: [1, 4],
    summary: `The value of input ${lag ? 'offset rows before' : 'offset rows after'} the row in its partition (offset 1 by default, 0 is the row itself, a negative offset looks the other way); default (NULL unless given) when there is no such row. IGNORE NULLS counts only non-NULL values.`,
    examples: [{ sql: `${name}(b) OVER (PARTITION BY a ORDER BY b) FROM VALUES ('A1', 2), ('A1', 1), ('A2', 3), ('A1', 1) tab(a, b)`, result: lag ? 'NULL, 1, 1, NULL (rows in a, b order)' : '1, 2, NULL, NULL (rows in a, b order)' }],
    type: offsetType,
    evaluate: offsetEval(lag ? 1 : -1),
    sql: {
      default: (e) => {
        const args = [e.args[0], String(e.params.n ?? 1), ...(e.params.defaultArg !== undefined ? [e.args[2]] : [])].join(', ');
        if (!e.params.ignoreNulls) return `${name}(${args}) ${e.over}`;
        return e.dialect.name === 'duckdb' ? `${name}(${args} IGNORE NULLS) ${e.over}` : `${name}(${args}) IGNORE NULLS ${e.over}`;
      },
    },
  };
}

// ------------------------------------------------------------ value functions over the frame

/** Per position: the number of non-NULL values before it, and the non-NULL positions. */
function nonNullIndex(p: WindowPartition): { before: Int32Array; at: Int32Array } {
  const before = new Int32Array(p.size + 1);
  const at: number[] = [];
  const x = p.args[0];
  for (let k = 0; k < p.size; k++) {
    before[k] = at.length;
    if (valueAt(x, p.rows[k]) !== null) at.push(k);
  }
  before[p.size] = at.length;
  return { before, at: Int32Array.from(at) };
}

/** The position `n`-th (1-based) from the frame's start (or end, `fromEnd`), NULLs skipped when asked; -1 if none. */
function framePick(fromEnd: boolean, nth: (params: WindowParams) => number) {
  return (p: WindowPartition, params: WindowParams) => {
    const x = p.args[0];
    const n = nth(params);
    const idx = params.ignoreNulls ? nonNullIndex(p) : null;
    for (let k = 0; k < p.size; k++) {
      const s = p.frameStart[k], e = p.frameEnd[k];
      let pos = -1;
      if (s < e) {
        if (!idx) pos = fromEnd ? e - n : s + n - 1;
        else {
          const t = fromEnd ? idx.before[e] - n : idx.before[s] + n - 1;
          if (t >= idx.before[s] && t < idx.before[e]) pos = idx.at[t];
        }
        if (pos < s || pos >= e) pos = -1;
      }
      p.set(k, pos < 0 ? null : valueAt(x, p.rows[pos]));
    }
  };
}

/** first_value/last_value(expr[, ignoreNulls]). */
function firstLastType(args: readonly ArgInfo[], ctx: TypeCtx): WindowResolved {
  let ignoreNulls = false;
  if (args.length === 2) {
    const b = boolLiteral(args[1]);
    if (b === null) ctx.mismatch(`${ctx.fn}()'s second argument (ignore nulls) must be TRUE or FALSE`);
    ignoreNulls = b!;
  }
  return { returns: args[0].type, params: { ignoreNulls, argCount: 1 } };
}

function nthType(args: readonly ArgInfo[], ctx: TypeCtx): WindowResolved {
  const n = intLiteral(args[1]);
  if (n === null || n <= 0) ctx.mismatch('nth_value()\'s offset must be a positive integer literal');
  let ignoreNulls = false;
  if (args.length === 3) {
    const b = boolLiteral(args[2]);
    if (b === null) ctx.mismatch('nth_value()\'s third argument (ignore nulls) must be TRUE or FALSE');
    ignoreNulls = b!;
  }
  return { returns: args[0].type, params: { n: n!, ignoreNulls, argCount: 1 } };
}

// ------------------------------------------------------------ the table

registerWindowFunctions([
  ranking('row_number', 'int', 'The number of the row in its partition, from 1, in window order (ties in an order the engine keeps stable: input order).',
    { sql: 'row_number() OVER (PARTITION BY a ORDER BY b) FROM VALUES (\'A1\', 2), (\'A1\', 1), (\'A2\', 3), (\'A1\', 1) tab(a, b)', result: '1, 2, 3, 1 (rows in a, b order)' },
    (p) => { for (let k = 0; k < p.size; k++) p.set(k, k + 1); }),
  ranking('rank', 'int', 'The rank of the row in its partition: 1 + the number of rows before its peers (ties share a rank, leaving gaps).',
    { sql: 'rank() OVER (PARTITION BY a ORDER BY b) FROM VALUES (\'A1\', 2), (\'A1\', 1), (\'A2\', 3), (\'A1\', 1) tab(a, b)', result: '1, 1, 3, 1 (rows in a, b order)' },
    (p) => { for (let k = 0; k < p.size; k++) p.set(k, p.peerStart[k] + 1); }),
  ranking('dense_rank', 'int', 'The rank of the row in its partition without gaps: 1 + the number of distinct peer groups before it.',
    { sql: 'dense_rank() OVER (PARTITION BY a ORDER BY b) FROM VALUES (\'A1\', 2), (\'A1\', 1), (\'A2\', 3), (\'A1\', 1) tab(a, b)', result: '1, 1, 2, 1 (rows in a, b order)' },
    (p) => { let r = 0; for (let k = 0; k < p.size; k++) { if (p.peerStart[k] === k) r++; p.set(k, r); } }),
  ranking('percent_rank', 'double', 'The relative rank: (rank − 1) / (rows in the partition − 1), 0 for a partition of one row.',
    { sql: 'percent_rank() OVER (PARTITION BY a ORDER BY b) FROM VALUES (\'A1\', 2), (\'A1\', 1), (\'A2\', 3), (\'A1\', 1) tab(a, b)', result: '0.0, 0.0, 1.0, 0.0 (rows in a, b order)' },
    (p) => { for (let k = 0; k < p.size; k++) p.set(k, p.size === 1 ? 0 : p.peerStart[k] / (p.size - 1)); }),
  ranking('cume_dist', 'double', 'The cumulative distribution: the rows up to and including the row\'s peers / the rows in the partition.',
    { sql: 'cume_dist() OVER (PARTITION BY a ORDER BY b) FROM VALUES (\'A1\', 2), (\'A1\', 1), (\'A2\', 3), (\'A1\', 1) tab(a, b)', result: '0.6666666666666666, 0.6666666666666666, 1.0, 1.0 (rows in a, b order)' },
    (p) => { for (let k = 0; k < p.size; k++) p.set(k, p.peerEnd[k] / p.size); }),
  {
    name: 'ntile', kind: 'ranking', signature: 'ntile(n)', arity: [1, 1],
    summary: 'The bucket (1 to n) of the row when its partition is divided into n buckets as equal as possible (the first buckets get one row more).',
    examples: [{ sql: 'ntile(2) OVER (PARTITION BY a ORDER BY b) FROM VALUES (\'A1\', 2), (\'A1\', 1), (\'A2\', 3), (\'A1\', 1) tab(a, b)', result: '1, 1, 2, 1 (rows in a, b order)' }],
    type: (args, ctx) => {
      const n = intLiteral(args[0]);
      if (n === null || n <= 0) ctx.mismatch('ntile() needs a positive integer literal', 'write ntile(4)');
      return { returns: 'int', params: { n: n!, argCount: 0 } };
    },
    evaluate: (p, params) => {
      const b = params.n!;
      const size = Math.floor(p.size / b), extra = p.size % b;
      const big = extra * (size + 1);
      for (let k = 0; k < p.size; k++) p.set(k, k < big ? Math.floor(k / (size + 1)) + 1 : extra + Math.floor((k - big) / size) + 1);
    },
    sql: { default: (e) => `ntile(${e.params.n}) ${e.over}` },
  },
  offsetDef('lag'),
  offsetDef('lead'),
  {
    name: 'first_value', kind: 'value', signature: 'first_value(expr[, ignoreNulls]) [IGNORE NULLS]', arity: [1, 2],
    summary: 'The value of expr at the first row of the frame (the first non-NULL one with IGNORE NULLS); NULL for an empty frame.',
    examples: [{ sql: 'first_value(b) OVER (PARTITION BY a ORDER BY b) FROM VALUES (\'A1\', 2), (\'A1\', 1), (\'A2\', 3), (\'A1\', 1) tab(a, b)', result: '1, 1, 1, 3 (rows in a, b order)' }],
    type: firstLastType, evaluate: framePick(false, () => 1), sql: { default: valueSql('first_value') },
  },
  {
    name: 'last_value', kind: 'value', signature: 'last_value(expr[, ignoreNulls]) [IGNORE NULLS]', arity: [1, 2],
    summary: 'The value of expr at the last row of the frame (the last non-NULL one with IGNORE NULLS); with ORDER BY and the default frame, the last peer of the row.',
    examples: [{ sql: 'last_value(b) OVER (PARTITION BY a ORDER BY b) FROM VALUES (\'A1\', 2), (\'A1\', 1), (\'A2\', 3), (\'A1\', 1) tab(a, b)', result: '1, 1, 2, 3 (rows in a, b order)' }],
    type: firstLastType, evaluate: framePick(true, () => 1), sql: { default: valueSql('last_value') },
  },
  {
    name: 'nth_value', kind: 'value', signature: 'nth_value(expr, offset) [IGNORE NULLS]', arity: [2, 3],
    summary: 'The value of expr at the offset-th row (from 1) of the frame (of its non-NULL values with IGNORE NULLS); NULL when the frame is shorter.',
    examples: [{ sql: 'nth_value(b, 2) OVER (PARTITION BY a ORDER BY b) FROM VALUES (\'A1\', 2), (\'A1\', 1), (\'A2\', 3), (\'A1\', 1) tab(a, b)', result: '1, 1, 1, NULL (rows in a, b order)' }],
    type: nthType, evaluate: framePick(false, (q) => q.n ?? 1),
    sql: {
      default: (e) => {
        const args = `${e.args[0]}, ${e.params.n}`;
        if (!e.params.ignoreNulls) return `nth_value(${args}) ${e.over}`;
        return e.dialect.name === 'duckdb' ? `nth_value(${args} IGNORE NULLS) ${e.over}` : `nth_value(${args}) IGNORE NULLS ${e.over}`;
      },
    },
  },
]);

// ------------------------------------------------------------ resolution

/** A resolved `over` expression: its function (or aggregate), types, and frame. */
export type ResolvedWindow =
  | { readonly kind: 'function'; readonly def: WindowFunctionDef; readonly resolved: WindowResolved; readonly argTypes: readonly DataType[]; readonly args: readonly ExprNode[]; readonly returns: DataType }
  | { readonly kind: 'aggregate'; readonly agg: ResolvedAggregate; readonly args: readonly ExprNode[]; readonly returns: DataType };

function windowError(code: string, message: string, e: ExprNode, origin: Origin | undefined, hint: string): never {
  throw new DefinitionError(code, message, { expression: exprToString(e), table: origin?.table ?? null }, { origin, hint });
}

/** The number a frame offset stands for, in the units of the ORDER BY key (days for DATE, µs for TIMESTAMP). */
export function frameOffsetValue(offset: ExprNode, keyType: DataType | null, unit: 'rows' | 'range'): number | null {
  if (offset.kind !== 'lit' || offset.value === null) return null;
  const v = litValue(offset.value, offset.type);
  if (typeof v !== 'number' && typeof v !== 'bigint') return null;
  const n = Number(v);
  if (unit === 'rows') return offset.type === 'int' || offset.type === 'long' ? n : null;
  if (keyType === null) return null;
  if (offset.type === 'interval day to second') {
    if (keyType === 'timestamp') return n;
    if (keyType === 'date') return n % 86_400_000_000 === 0 ? n / 86_400_000_000 : null;
    return null;
  }
  if (isNumeric(offset.type)) {
    if (keyType === 'date') return offset.type === 'int' || offset.type === 'long' ? n : null;
    return isNumeric(keyType) ? n : null;
  }
  return null;
}

/**
 * Type-checks an `over` expression against the input schema: the function or
 * aggregate, its arguments, the partition and order expressions and the frame.
 */
export function resolveWindow(e: Extract<ExprNode, { kind: 'over' }>, schema: Schema, origin?: Origin, ansi = false): ResolvedWindow {
  const spec: WindowOver = e.spec;
  if (spec.name) windowError('UNKNOWN_WINDOW', `window ${spec.name} is not defined`, e, origin, 'define it in the WINDOW clause of the query');
  for (const p of spec.partitionBy) exprType(p, schema, origin, ansi);
  const orderTypes = spec.orderBy.map((k) => exprType(k.expr, schema, origin, ansi));
  const frame = spec.frame;
  let out: ResolvedWindow;
  if (e.fn.kind === 'aggregate') {
    const a = e.fn.agg;
    if (a.distinct) windowError('UNSUPPORTED_WINDOW_FUNCTION', `${a.fn}(DISTINCT …) OVER (…) is not supported`, e, origin, 'Spark does not allow DISTINCT in window aggregates; aggregate the distinct values in a subquery');
    if (a.filter) windowError('UNSUPPORTED_WINDOW_FUNCTION', `${a.fn}(…) FILTER (WHERE …) OVER (…) is not supported`, e, origin, 'Spark does not allow FILTER in window aggregates; use CASE WHEN inside the aggregate');
    const agg = resolveAggregate(a, schema, origin, ansi);
    out = { kind: 'aggregate', agg, args: a.args, returns: agg.returns };
  } else if (e.fn.kind === 'call' && lookupWindowFunction(e.fn.fn)) {
    const def = lookupWindowFunction(e.fn.fn)!;
    const call = e.fn;
    const [min, max] = def.arity;
    if (call.args.length < min || call.args.length > max) {
      throw new DefinitionError('WRONG_ARGUMENT_COUNT', `${def.name}() takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${call.args.length}`, { function: def.name, table: origin?.table ?? null }, { origin, hint: `the signature is ${def.signature}` });
    }
    const infos: ArgInfo[] = call.args.map((x) => ({ type: exprType(x, schema, origin, ansi), node: x, isNullLiteral: x.kind === 'lit' && x.value === null, literal: x.kind === 'lit' ? litValue(x.value, x.type) : undefined }));
    const ctx: TypeCtx = {
      fn: def.name, ansi,
      mismatch: (message, hint) => { throw new DefinitionError('TYPE_MISMATCH', `${message} in ${exprToString(e)}`, { expression: exprToString(e), table: origin?.table ?? null }, { origin, hint: hint ?? `the signature is ${def.signature}` }); },
      lambdaType: () => { throw new Error('internal: window functions take no lambdas'); },
    };
    const resolved = def.type(infos, ctx);
    if (def.kind !== 'value' && spec.orderBy.length === 0) windowError('WINDOW_ORDER_REQUIRED', `${def.name}() needs an ordered window (ORDER BY in its OVER clause)`, e, origin, `write ${def.name}(…) OVER (PARTITION BY … ORDER BY …)`);
    if (def.kind !== 'value' && frame) windowError('WINDOW_FRAME_NOT_ALLOWED', `${def.name}() takes no window frame (ROWS/RANGE)`, e, origin, 'remove the frame: the function defines which rows it reads');
    out = { kind: 'function', def, resolved, argTypes: infos.map((x, i) => resolved.args?.[i] ?? x.type), args: call.args, returns: resolved.returns };
  } else {
    const name = e.fn.kind === 'call' ? e.fn.fn : exprToString(e.fn);
    const known = [...all.map((d) => d.name)].join(', ');
    return windowError('UNKNOWN_WINDOW_FUNCTION', `${name}() is not a window function or an aggregate`, e, origin, `window functions: ${known}, and every aggregate (sum, count, avg, min, max, …)`);
  }
  if (frame) {
    const badOrder = frame.start.kind === 'unbounded_following' || frame.end.kind === 'unbounded_preceding'
      || (frame.start.kind === 'current_row' && frame.end.kind === 'preceding')
      || (frame.start.kind === 'following' && (frame.end.kind === 'preceding' || frame.end.kind === 'current_row'));
    if (badOrder) windowError('INVALID_WINDOW_FRAME', 'the frame\'s start comes after its end', e, origin, 'write the bounds in order: BETWEEN <start> AND <end>');
    const offsets = [frame.start, frame.end].filter((b): b is Extract<typeof b, { offset: ExprNode }> => b.kind === 'preceding' || b.kind === 'following');
    if (frame.unit === 'range' && offsets.length && orderTypes.length !== 1) {
      windowError('INVALID_WINDOW_FRAME', 'a RANGE frame with offsets needs exactly one ORDER BY expression', e, origin, 'order by one numeric, DATE or TIMESTAMP expression, or use a ROWS frame');
    }
    for (const b of offsets) {
      const v = frameOffsetValue(b.offset, frame.unit === 'range' ? orderTypes[0] : null, frame.unit);
      if (v === null || v < 0) {
        windowError('INVALID_WINDOW_FRAME', frame.unit === 'rows' ? 'a ROWS frame offset must be a non-negative integer literal' : `a RANGE frame offset must be a non-negative literal of the ORDER BY key's kind (${orderTypes[0]}: ${orderTypes[0] === 'timestamp' ? 'an INTERVAL' : orderTypes[0] === 'date' ? 'a number of days' : 'a number'})`, e, origin, frame.unit === 'rows' ? 'write ROWS BETWEEN 2 PRECEDING AND CURRENT ROW' : 'write RANGE BETWEEN INTERVAL 1 DAY PRECEDING AND CURRENT ROW (timestamps) or RANGE BETWEEN 10 PRECEDING AND CURRENT ROW (numbers)');
      }
    }
    if (frame.start.kind === 'following' && frame.end.kind === 'following' && Number(frameOffsetValue(frame.start.offset, orderTypes[0] ?? null, frame.unit)) > Number(frameOffsetValue(frame.end.offset, orderTypes[0] ?? null, frame.unit))) {
      windowError('INVALID_WINDOW_FRAME', 'the frame\'s start comes after its end', e, origin, 'write the bounds in order');
    }
    if (frame.start.kind === 'preceding' && frame.end.kind === 'preceding' && Number(frameOffsetValue(frame.start.offset, orderTypes[0] ?? null, frame.unit)) < Number(frameOffsetValue(frame.end.offset, orderTypes[0] ?? null, frame.unit))) {
      windowError('INVALID_WINDOW_FRAME', 'the frame\'s start comes after its end', e, origin, 'write the bounds in order');
    }
  }
  return out;
}

/** The SQL of a window function call with its OVER clause (aggregates are rendered by the plan compiler). */
export function windowFunctionSql(def: WindowFunctionDef, dialect: Dialect, e: Omit<WindowSqlEmit, 'dialect'>): string {
  const s = def.sql[dialect.name] ?? def.sql.default;
  if (s === undefined) throw new Error(`internal: no SQL for window function ${def.name}`);
  if (typeof s === 'function') return s({ ...e, dialect });
  throw new DefinitionError('NON_PORTABLE_EXPRESSION', `${def.name}() has no ${dialect.title} form: ${s.unsupported}`, { function: def.name, dialect: dialect.name });
}

/** Whether a node is a window function call (not meaningful outside OVER). */
export function isWindowFunctionCall(e: ExprNode): boolean {
  return e.kind === 'call' && lookupWindowFunction(e.fn) !== undefined;
}
