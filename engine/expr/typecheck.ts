/**
 * Type inference for expressions and plans. Used by graph validation (unknown
 * columns, bad types) and by the executor to know output schemas up front.
 */
import type { AggNode, ExprNode } from '../ir/expr.js';
import type { FileSourceOptions, JoinHow, PlanNode } from '../ir/plan.js';
import { CSV_METADATA_COLUMNS, FILE_METADATA_COLUMN, FILE_METADATA_TYPE, JOIN_LEFT, JOIN_RIGHT } from '../ir/plan.js';
import { mapChildren } from '../ir/expr.js';
import { isMap } from '../ir/types.js';
import type { DataType, Field, Schema, Value } from '../ir/types.js';
import { DefinitionError, type Origin } from '../errors.js';
import { exprToString } from './text.js';
import { castProblem, litValue } from './cast.js';
import { functionNames, lookupFunction, type ArgInfo, type Resolved, type TypeCtx } from '../functions/registry.js';
import { commonType, comparisonType } from '../functions/coerce.js';
import { resolveAggregate } from '../functions/aggregates.js';
import { lookupWindowFunction, resolveWindow } from '../functions/window.js';
import { generatorColumns, lookupGenerator } from '../functions/generators.js';

export interface TypeContext {
  /** The output schema of a dataset of the pipeline. */
  datasetSchema(name: string): Schema;
  origin?: Origin;
  /** The pipeline's ANSI mode (type rules that depend on it). */
  ansi?: boolean;
}

function unknownColumn(name: string, schema: Schema, origin?: Origin): never {
  const known = schema.map((f) => f.name);
  const lower = name.toLowerCase();
  const close = known.find((k) => k.toLowerCase() === lower);
  throw new DefinitionError('UNKNOWN_COLUMN', `column "${name}" does not exist${origin?.table ? ` in the input of ${origin.table}` : ''}`, {
    column: name, table: origin?.table ?? null, known,
  }, { origin, hint: close ? `did you mean "${close}"? Column names are case-sensitive` : `known columns: ${known.join(', ')}` });
}

function typeError(message: string, e: ExprNode, origin?: Origin, hint = 'add a cast(...) or compare values of the same type'): never {
  throw new DefinitionError('TYPE_MISMATCH', message, { expression: exprToString(e), table: origin?.table ?? null }, { origin, hint });
}

/** The column name a lambda parameter takes inside its body (cannot clash with a real column). */
export function lambdaVarName(name: string): string {
  return '\u0000' + name;
}

/** Whether values of a and b can be compared (after Spark's implicit coercions). */
export function comparable(a: DataType, b: DataType, strict = true): boolean {
  return comparisonType(a, b, false, false, strict) !== null;
}

function isNullLit(e: ExprNode): boolean {
  return e.kind === 'lit' && e.value === null;
}

/** A resolved call: the entry's answer, the argument types after coercion, literal argument values. */
export interface ResolvedCall {
  readonly resolved: Resolved;
  readonly argTypes: readonly DataType[];
  readonly literals: readonly (Value | undefined)[];
}

export function resolveCall(e: Extract<ExprNode, { kind: 'call' }>, schema: Schema, origin?: Origin, ansi = false): ResolvedCall {
  const f = lookupFunction(e.fn);
  if (!f && lookupWindowFunction(e.fn)) {
    throw new DefinitionError('MISPLACED_WINDOW_FUNCTION', `the window function ${exprToString(e)} needs an OVER clause`, { expression: exprToString(e), function: e.fn, table: origin?.table ?? null }, { origin, hint: `write ${e.fn}(…) OVER (PARTITION BY … ORDER BY …) in the SELECT list or QUALIFY of a materialized view (over(${e.fn}(…), {…}) in TypeScript)` });
  }
  if (!f && lookupGenerator(e.fn)) {
    throw new DefinitionError('MISPLACED_GENERATOR', `the generator ${exprToString(e)} can only be a whole item of a SELECT list`, { expression: exprToString(e), function: e.fn, table: origin?.table ?? null }, { origin, hint: `write SELECT …, ${e.fn}(…) AS name (rel.explode(…) in TypeScript), or LATERAL VIEW ${e.fn}(…)` });
  }
  if (!f) {
    throw new DefinitionError('UNKNOWN_FUNCTION', `function ${e.fn}() does not exist`, { function: e.fn, table: origin?.table ?? null }, { origin, hint: suggestFunction(e.fn) });
  }
  const [min, max] = f.arity;
  if (e.args.length < min || e.args.length > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new DefinitionError('WRONG_ARGUMENT_COUNT', `${f.name}() takes ${want} argument(s), got ${e.args.length}`, { function: f.name, expected: want, got: e.args.length, table: origin?.table ?? null }, { origin, hint: `the signature is ${f.signature}` });
  }
  const lambdaAt = new Set(f.lambdaArgs ?? []);
  const infos: ArgInfo[] = e.args.map((a, i) => {
    if (a.kind === 'lambda') {
      if (!lambdaAt.has(i)) typeError(`${f.name}() does not take a lambda as argument ${i + 1}`, e, origin);
      return { type: 'boolean', node: a, isNullLiteral: false, lambdaParams: a.params };
    }
    const t = exprType(a, schema, origin, ansi);
    return { type: t, node: a, isNullLiteral: isNullLit(a), literal: a.kind === 'lit' ? litValue(a.value, a.type) : undefined };
  });
  const ctx: TypeCtx = {
    fn: f.name,
    ansi,
    mismatch: (message, hint) => typeError(`${message} in ${exprToString(e)}`, e, origin, hint ?? `the signature is ${f.signature}`),
    invalid: (code, message, params, hint) => {
      throw new DefinitionError(code, `${message} in ${exprToString(e)}`, { function: f.name, expression: exprToString(e), table: origin?.table ?? null, ...params }, { origin, hint });
    },
    lambdaType: (i, params) => {
      const lam = e.args[i];
      if (lam.kind !== 'lambda') return typeError(`${f.name}() needs a lambda (x -> ...) as argument ${i + 1}`, e, origin);
      if (lam.params.length !== params.length) typeError(`the lambda of ${f.name}() takes ${params.length} parameter(s), got ${lam.params.length}`, e, origin);
      const own = new Set(lam.params.map(lambdaVarName));
      const inner: Field[] = [...schema.filter((f) => !own.has(f.name)), ...lam.params.map((p, k) => ({ name: lambdaVarName(p), type: params[k] }))];
      return exprType(lam.body, inner, origin, ansi);
    },
  };
  const resolved = f.type(infos, ctx);
  const argTypes = infos.map((a, i) => resolved.args?.[i] ?? a.type);
  return { resolved, argTypes, literals: infos.map((a) => a.literal) };
}

function suggestFunction(name: string): string {
  const lower = name.toLowerCase();
  const names = functionNames();
  const close = names.filter((n) => editDistance(n, lower) <= 2).sort((a, b) => editDistance(a, lower) - editDistance(b, lower));
  return close.length ? `did you mean ${close.slice(0, 3).map((c) => `${c}()`).join(' or ')}?` : 'see docs/functions.md for the functions the engine knows';
}

/** Levenshtein distance (for "did you mean"). */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/**
 * A qualified column reference that is a field of a nested column rather
 * than a column of a table: `s.f` (qualifier `[s]`) or `t.s.f.g` where `s`
 * is a struct (or map, or array of structs) column of the schema and no
 * column is named `f`. Returns the equivalent `get_field` chain, else
 * undefined (a known column wins: its qualifier names a table).
 */
export function structFieldRef(e: Extract<ExprNode, { kind: 'col' }>, schema: Schema): ExprNode | undefined {
  if (!e.qualifier?.length || schema.some((f) => f.name === e.name)) return undefined;
  const parts = [...e.qualifier, e.name];
  for (let start = 0; start < parts.length - 1; start++) {
    const f = schema.find((x) => x.name === parts[start]);
    if (!f || !(f.type.startsWith('struct<') || f.type.startsWith('map<') || f.type.startsWith('array<'))) continue;
    let out: ExprNode = { kind: 'col', name: parts[start] };
    for (const field of parts.slice(start + 1)) out = { kind: 'call', fn: 'get_field', args: [out, { kind: 'lit', value: field, type: 'string' }] };
    return out;
  }
  return undefined;
}

export function exprType(e: ExprNode, schema: Schema, origin?: Origin, ansi = false): DataType {
  switch (e.kind) {
    case 'col': case 'var': {
      const name = e.kind === 'col' ? e.name : lambdaVarName(e.name);
      const f = schema.find((x) => x.name === name);
      const field = !f && e.kind === 'col' ? structFieldRef(e, schema) : undefined;
      if (field) return exprType(field, schema, origin, ansi);
      if (!f) unknownColumn(e.kind === 'col' ? e.name : e.name, schema.filter((x) => !x.name.startsWith('\u0000')), origin);
      return f.type;
    }
    case 'lit': return e.type;
    case 'call': return resolveCall(e, schema, origin, ansi).resolved.returns;
    case 'case': {
      const outs = [...e.branches.map((b) => b.then), ...(e.otherwise ? [e.otherwise] : [])];
      if (e.operand) {
        const t = exprType(e.operand, schema, origin, ansi);
        for (const b of e.branches) {
          const bt = exprType(b.when, schema, origin, ansi);
          if (!isNullLit(b.when) && !comparable(t, bt, !ansi)) typeError(`CASE compares ${t} with ${bt}`, e, origin);
        }
      } else {
        for (const b of e.branches) {
          const t = exprType(b.when, schema, origin, ansi);
          if (t !== 'boolean' && !isNullLit(b.when)) typeError(`CASE WHEN needs a boolean condition, got ${t}`, b.when, origin);
        }
      }
      const types = outs.map((o) => exprType(o, schema, origin, ansi));
      const out = commonType(types, outs.map(isNullLit));
      if (out === null) typeError(`CASE branches mix ${[...new Set(types)].join(' and ')}`, e, origin);
      return out ?? 'string';
    }
    case 'cast': {
      const from = exprType(e.arg, schema, origin, ansi);
      const problem = isNullLit(e.arg) ? null : castProblem(from, e.to, e.try ? 'try' : ansi ? 'ansi' : 'legacy');
      if (problem) typeError(`cannot cast ${from} to ${e.to}: ${problem}`, e, origin, 'convert the value with a function instead (see docs/functions.md), or cast through another type');
      return e.to;
    }
    case 'lambda': return typeError('a lambda (x -> ...) can only be the argument of a function such as filter() or transform()', e, origin);
    case 'udf': e.args.forEach((a) => exprType(a, schema, origin, ansi)); return e.returns;
    case 'aggregate':
      throw new DefinitionError('MISPLACED_AGGREGATE', `the aggregate ${exprToString(e)} is not allowed here`, { expression: exprToString(e), table: origin?.table ?? null }, { origin, hint: 'aggregates go in the SELECT list or HAVING of a grouped query (groupBy(...).agg({...}) in TypeScript)' });
    case 'over':
      throw new DefinitionError('MISPLACED_WINDOW_FUNCTION', `the window function ${exprToString(e)} is not allowed here`, { expression: exprToString(e), table: origin?.table ?? null }, { origin, hint: 'window functions go in the SELECT list or QUALIFY of a materialized view query' });
  }
}

export function aggType(a: AggNode, schema: Schema, origin?: Origin, ansi = false): DataType {
  return resolveAggregate(a, schema, origin, ansi).returns;
}

function dupCheck(fields: Field[], origin?: Origin): Field[] {
  const seen = new Set<string>();
  for (const f of fields) {
    if (seen.has(f.name)) {
      throw new DefinitionError('DUPLICATE_COLUMN', `the output has two columns named "${f.name}"`, { column: f.name, table: origin?.table ?? null }, { origin, hint: 'rename one of them with select({ new_name: col(...) })' });
    }
    seen.add(f.name);
  }
  return fields;
}

export function csvSourceSchema(opts: { schema: readonly Field[]; metadataColumns: boolean }): Schema {
  const out: Field[] = opts.schema.map((f) => ({ name: f.name, type: f.type }));
  if (opts.metadataColumns) {
    const types: Record<(typeof CSV_METADATA_COLUMNS)[number], DataType> = { _rescued_data: 'string', _source_file: 'string', _line: 'long', _ingested_at: 'timestamp' };
    for (const n of CSV_METADATA_COLUMNS) out.push({ name: n, type: types[n] });
  }
  return out;
}

/**
 * The columns of an option-driven file source: the schema, the rescued data
 * column, then `_metadata`. A source whose schema is inferred must have been
 * resolved first (`inferFileSchemas`): SCHEMA_NOT_INFERRED otherwise.
 */
export function fileSourceSchema(opts: FileSourceOptions): Schema {
  if (!opts.resolved) {
    throw new DefinitionError('SCHEMA_NOT_INFERRED', `the columns of the ${opts.format} files "${opts.glob}" are inferred from the files, and no files were read yet`, { glob: opts.glob, format: opts.format }, { hint: 'run with the input folder (the schema is inferred from the first file), or declare the schema (schema => \'a INT, b STRING\')' });
  }
  const out: Field[] = opts.schema.map((f) => ({ name: f.name, type: f.type }));
  const rescued = opts.reader.rescuedDataColumn;
  if (rescued !== null && !out.some((f) => f.name === rescued)) out.push({ name: rescued, type: 'string' });
  if (opts.fileMetadata && !out.some((f) => f.name === FILE_METADATA_COLUMN)) out.push({ name: FILE_METADATA_COLUMN, type: FILE_METADATA_TYPE });
  return out;
}

/** The output schema of a plan; validates every column reference on the way. */
export function planSchema(p: PlanNode, ctx: TypeContext): Schema {
  const o = ctx.origin;
  switch (p.kind) {
    case 'csv': return csvSourceSchema(p.options);
    case 'files': return fileSourceSchema(p.options);
    case 'rows': return p.schema;
    case 'read': return ctx.datasetSchema(p.dataset);
    case 'select': {
      const s = planSchema(p.input, ctx);
      return dupCheck(p.columns.map(([name, e]) => ({ name, type: exprType(e, s, o, ctx.ansi) })), o);
    }
    case 'derive': {
      const s = planSchema(p.input, ctx);
      const out: Field[] = [...s];
      for (const [name, e] of p.columns) {
        const f = { name, type: exprType(e, s, o, ctx.ansi) };
        const i = out.findIndex((x) => x.name === name);
        if (i >= 0) out[i] = f; else out.push(f);
      }
      return out;
    }
    case 'drop': {
      const s = planSchema(p.input, ctx);
      for (const n of p.names) if (!s.some((f) => f.name === n)) unknownColumn(n, s, o);
      return s.filter((f) => !p.names.includes(f.name));
    }
    case 'filter': {
      const s = planSchema(p.input, ctx);
      const t = exprType(p.predicate, s, o, ctx.ansi);
      if (t !== 'boolean') typeError(`a filter needs a boolean condition, got ${t}`, p.predicate, o);
      return s;
    }
    case 'join': {
      const l = planSchema(p.input, ctx), r = planSchema(p.right, ctx);
      for (const [lk, rk] of p.on) {
        const lf = l.find((f) => f.name === lk); if (!lf) unknownColumn(lk, l, o);
        const rf = r.find((f) => f.name === rk); if (!rf) unknownColumn(rk, r, o);
        if (!comparable(lf.type, rf.type, !ctx.ansi)) {
          throw new DefinitionError('TYPE_MISMATCH', `join keys ${lk} (${lf.type}) and ${rk} (${rf.type}) have different types`, { left: lk, right: rk, table: o?.table ?? null }, { origin: o, hint: 'cast one key to the other type' });
        }
      }
      if (p.how === 'cross' && p.on.length) {
        throw new DefinitionError('INVALID_JOIN', 'a cross join has no join keys', { table: o?.table ?? null }, { origin: o, hint: 'use an inner join with keys, or a cross join with a condition' });
      }
      if (p.condition) {
        const scope = joinScope(l, r);
        const t = exprType(resolveJoinCondition(p.condition, l, r, o), scope, o, ctx.ansi);
        if (t !== 'boolean') typeError(`a join condition needs a boolean, got ${t}`, p.condition, o);
      }
      return dupCheck(joinLayout(l, r, p.how, p.on).map((c) => c.field), o);
    }
    case 'asofJoin': {
      const l = planSchema(p.input, ctx), r = planSchema(p.right, ctx);
      for (const [lk, rk] of p.on) {
        const lf = l.find((f) => f.name === lk); if (!lf) unknownColumn(lk, l, o);
        const rf = r.find((f) => f.name === rk); if (!rf) unknownColumn(rk, r, o);
        if (!comparable(lf.type, rf.type, !ctx.ansi)) {
          throw new DefinitionError('TYPE_MISMATCH', `join keys ${lk} (${lf.type}) and ${rk} (${rf.type}) have different types`, { left: lk, right: rk, table: o?.table ?? null }, { origin: o, hint: 'cast one key to the other type' });
        }
      }
      const at = l.find((f) => f.name === p.at); if (!at) unknownColumn(p.at, l, o);
      for (const b of [p.from, p.until]) {
        const f = r.find((x) => x.name === b); if (!f) unknownColumn(b, r, o);
        const time = (t: DataType) => t === 'date' || t === 'timestamp' || t === 'int' || t === 'long' || t === 'double';
        if (!time(at.type) || !time(f.type) || !comparable(at.type, f.type)) {
          throw new DefinitionError('TYPE_MISMATCH', `as-of join compares ${p.at} (${at.type}) with ${b} (${f.type})`, { left: p.at, right: b, table: o?.table ?? null }, { origin: o, hint: 'the time and the validity bounds must be dates, timestamps or numbers' });
        }
      }
      const dropRight = new Set(p.on.filter(([lk, rk]) => lk === rk).map(([, rk]) => rk));
      return dupCheck([...l, ...r.filter((f) => !dropRight.has(f.name))], o);
    }
    case 'dedup': {
      const s = planSchema(p.input, ctx);
      for (const k of p.keys) if (!s.some((f) => f.name === k)) unknownColumn(k, s, o);
      return s;
    }
    case 'watermark': {
      const s = planSchema(p.input, ctx);
      const f = s.find((x) => x.name === p.column);
      if (!f) unknownColumn(p.column, s, o);
      if (f.type !== 'timestamp' && f.type !== 'date') {
        throw new DefinitionError('TYPE_MISMATCH', `watermark column "${p.column}" is ${f.type}, not a timestamp or date`, { column: p.column, type: f.type, table: o?.table ?? null }, { origin: o, hint: 'cast it to timestamp first' });
      }
      return s;
    }
    case 'aggregate': {
      const s = planSchema(p.input, ctx);
      const out: Field[] = [];
      if (p.window) {
        const f = s.find((x) => x.name === p.window!.timeColumn);
        if (!f) unknownColumn(p.window.timeColumn, s, o);
        if (f.type !== 'timestamp' && f.type !== 'date') {
          throw new DefinitionError('TYPE_MISMATCH', `window column "${f.name}" is ${f.type}, not a timestamp or date`, { column: f.name, type: f.type, table: o?.table ?? null }, { origin: o, hint: 'cast it to timestamp first' });
        }
        out.push({ name: 'window_start', type: 'timestamp' }, { name: 'window_end', type: 'timestamp' });
      }
      for (const [name, e] of p.keys) out.push({ name, type: exprType(e, s, o, ctx.ansi) });
      for (const [name, a] of p.aggs) out.push({ name, type: aggType(a, s, o, ctx.ansi) });
      return dupCheck(out, o);
    }
    case 'union': return unionLayout(p.inputs.map((i) => planSchema(i, ctx)), p.byName ?? false, p.allowMissing ?? false, o).fields;
    case 'distinct': return planSchema(p.input, ctx);
    case 'sort': {
      const s = planSchema(p.input, ctx);
      for (const k of p.keys) {
        const t = exprType(k.expr, s, o, ctx.ansi);
        if (isMap(t)) typeError(`cannot order by ${exprToString(k.expr)}: values of type ${t} are not ordered`, k.expr, o, 'order by a key of the map, or by another column');
      }
      return s;
    }
    case 'limit': {
      const s = planSchema(p.input, ctx);
      for (const [what, v] of [['LIMIT', p.n], ['OFFSET', p.offset ?? 0]] as const) {
        if (v !== null && (!Number.isInteger(v) || v < 0)) {
          throw new DefinitionError('INVALID_LIMIT', `${what} must be a non-negative integer, got ${v}`, { value: v, table: o?.table ?? null }, { origin: o, hint: `write ${what.toLowerCase()}(10)` });
        }
      }
      return s;
    }
    case 'window': {
      const s = planSchema(p.input, ctx);
      const out: Field[] = [...s];
      for (const [name, e] of p.columns) {
        if (e.kind !== 'over') typeError(`a window column must be a window function OVER (…), got ${exprToString(e)}`, e, o, 'write fn(…) OVER (PARTITION BY … ORDER BY …)');
        out.push({ name, type: resolveWindow(e, s, o, ctx.ansi).returns });
      }
      return dupCheck(out, o);
    }
    case 'generate': {
      const s = planSchema(p.input, ctx);
      return dupCheck([...s, ...generateColumns(p.generator, p.arg, p.names, s, o, ctx.ansi)], o);
    }
    case 'values': {
      p.rows.forEach((r, i) => {
        if (r.length !== p.schema.length) {
          throw new DefinitionError('VALUES_ROW_LENGTH', `row ${i + 1} of the inline rows has ${r.length} values, the columns are ${p.schema.length}`, { row: i + 1, values: r.length, columns: p.schema.length, table: o?.table ?? null }, { origin: o, hint: 'give every row one value per column' });
        }
      });
      return dupCheck([...p.schema], o);
    }
  }
}

/** The output columns of a generator over `arg` (named by `names`, or Spark's defaults when it is empty). */
export function generateColumns(generator: string, arg: ExprNode, names: readonly string[], schema: Schema, origin?: Origin, ansi = false): Field[] {
  const def = lookupGenerator(generator);
  if (!def) {
    throw new DefinitionError('UNKNOWN_FUNCTION', `generator ${generator}() does not exist`, { function: generator, table: origin?.table ?? null }, { origin, hint: 'generators: explode, explode_outer, posexplode, posexplode_outer' });
  }
  const t = exprType(arg, schema, origin, ansi);
  const cols = generatorColumns(def, t);
  if (!cols) typeError(`${def.name}() needs an array or a map, got ${t}`, arg, origin, 'explode an ARRAY or a MAP column');
  if (names.length === 0) return cols;
  if (names.length !== cols.length) {
    throw new DefinitionError('GENERATOR_ALIAS_COUNT', `${def.name}() of a ${t} gives ${cols.length} column(s) (${cols.map((c) => c.name).join(', ')}), but ${names.length} name(s) were given`, { function: def.name, columns: cols.length, names: names.length, table: origin?.table ?? null }, { origin, hint: `name them all: AS (${cols.map((c) => c.name).join(', ')})` });
  }
  return cols.map((c, i) => ({ name: names[i], type: c.type }));
}

/** Where each output column of a join comes from: a left column, a right column, or (USING keys of a full join) both. */
export interface JoinColumn {
  readonly field: Field;
  readonly left: number;
  readonly right: number;
}

/**
 * The output of a join: every left column, then the right columns except the
 * keys that share their left key's name (USING); none of the right for semi
 * and anti joins. A shared key comes from the left side, from the right in a
 * right join, and is coalesce(left, right) in a full join.
 */
export function joinLayout(l: Schema, r: Schema, how: JoinHow, on: readonly (readonly [string, string])[]): JoinColumn[] {
  const shared = new Map(on.filter(([lk, rk]) => lk === rk).map(([lk]) => [lk, r.findIndex((f) => f.name === lk)]));
  const out: JoinColumn[] = [];
  l.forEach((f, j) => {
    const rj = shared.get(f.name);
    if (rj === undefined || how === 'inner' || how === 'left' || how === 'left_semi' || how === 'left_anti' || how === 'cross') out.push({ field: f, left: j, right: -1 });
    else if (how === 'right') out.push({ field: { name: f.name, type: r[rj].type }, left: -1, right: rj });
    else out.push({ field: { name: f.name, type: commonType([f.type, r[rj].type], [false, false]) ?? f.type }, left: j, right: rj });
  });
  if (how === 'left_semi' || how === 'left_anti') return out;
  r.forEach((f, j) => { if (!shared.has(f.name)) out.push({ field: f, left: -1, right: j }); });
  return out;
}

const LEFT_PREFIX = '\u0001l.';
const RIGHT_PREFIX = '\u0001r.';

/** The columns a join condition is evaluated over: left then right columns under side-prefixed names. */
export function joinScope(l: Schema, r: Schema): Field[] {
  return [...l.map((f) => ({ name: LEFT_PREFIX + f.name, type: f.type })), ...r.map((f) => ({ name: RIGHT_PREFIX + f.name, type: f.type }))];
}

/** Which side a column of `joinScope` belongs to, and its name there. */
export function joinScopeSide(name: string): { side: 'left' | 'right'; name: string } | null {
  if (name.startsWith(LEFT_PREFIX)) return { side: 'left', name: name.slice(LEFT_PREFIX.length) };
  if (name.startsWith(RIGHT_PREFIX)) return { side: 'right', name: name.slice(RIGHT_PREFIX.length) };
  return null;
}

/** A join condition over `joinScope`: `left.x`/`right.x` name a side's column, an unqualified name the side that has it. */
export function resolveJoinCondition(cond: ExprNode, l: Schema, r: Schema, origin?: Origin): ExprNode {
  const sub = (e: ExprNode): ExprNode => {
    if (e.kind !== 'col') return mapChildren(e, sub);
    const q = e.qualifier?.length === 1 ? e.qualifier[0].toLowerCase() : null;
    const inL = l.some((f) => f.name === e.name), inR = r.some((f) => f.name === e.name);
    if (q === JOIN_LEFT || q === JOIN_RIGHT) {
      const side = q === JOIN_LEFT ? l : r;
      if (!side.some((f) => f.name === e.name)) unknownColumn(e.name, side, origin);
      return { kind: 'col', name: (q === JOIN_LEFT ? LEFT_PREFIX : RIGHT_PREFIX) + e.name };
    }
    if (e.qualifier?.length) unknownColumn([...e.qualifier, e.name].join('.'), [...l, ...r], origin);
    if (inL && inR) {
      throw new DefinitionError('AMBIGUOUS_COLUMN', `column "${e.name}" of the join condition is on both sides`, { column: e.name, table: origin?.table ?? null }, { origin, hint: `say which side: left.${e.name} or right.${e.name} (in TypeScript: (l, r) => l('${e.name}')…)` });
    }
    if (!inL && !inR) unknownColumn(e.name, [...l, ...r], origin);
    return { kind: 'col', name: (inL ? LEFT_PREFIX : RIGHT_PREFIX) + e.name };
  };
  return sub(cond);
}

/** The output of a union and, per input, the input column feeding each output column (-1: NULL). */
export function unionLayout(schemas: readonly Schema[], byName: boolean, allowMissing: boolean, origin?: Origin): { fields: Field[]; sources: number[][] } {
  const first = schemas[0];
  const mismatch = (message: string, s: Schema, hint: string): never => {
    throw new DefinitionError('UNION_SCHEMA_MISMATCH', message, { left: first.map((f) => `${f.name}:${f.type}`), right: s.map((f) => `${f.name}:${f.type}`), table: origin?.table ?? null }, { origin, hint });
  };
  let names: string[];
  let sources: number[][];
  if (!byName) {
    for (const s of schemas.slice(1)) if (s.length !== first.length) mismatch(`union inputs have ${first.length} and ${s.length} columns`, s, 'select the same number of columns on every side (union matches columns by position; unionByName by name)');
    names = first.map((f) => f.name);
    sources = schemas.map((s) => s.map((_, j) => j));
  } else {
    names = first.map((f) => f.name);
    if (allowMissing) for (const s of schemas.slice(1)) for (const f of s) if (!names.includes(f.name)) names.push(f.name);
    sources = schemas.map((s) => names.map((n) => s.findIndex((f) => f.name === n)));
    schemas.forEach((s, i) => {
      if (!allowMissing) {
        const missing = names.filter((_, k) => sources[i][k] < 0);
        const extra = s.filter((f) => !names.includes(f.name)).map((f) => f.name);
        if (missing.length || extra.length) mismatch(`union by name: input ${i + 1} ${missing.length ? `lacks ${missing.join(', ')}` : `has ${extra.join(', ')} beyond the first input's columns`}`, s, 'give every input the same column names, or allow missing columns (unionByName(x, { allowMissingColumns: true }))');
      }
    });
  }
  const fields = names.map((name, k) => {
    const types = schemas.map((s, i) => (sources[i][k] >= 0 ? s[sources[i][k]].type : null));
    const present = types.filter((t): t is DataType => t !== null);
    const t = commonType(present, present.map(() => false));
    if (t === null) mismatch(`union column ${name} mixes ${[...new Set(present)].join(' and ')}`, schemas[types.findIndex((x, i) => i > 0 && x !== null && x !== present[0])] ?? first, 'cast the columns to one type on every side');
    return { name, type: t! };
  });
  return { fields, sources };
}
