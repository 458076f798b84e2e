/**
 * Type inference for expressions and plans. Used by graph validation (unknown
 * columns, bad types) and by the executor to know output schemas up front.
 */
import type { AggNode, ExprNode } from '../ir/expr.js';
import type { PlanNode } from '../ir/plan.js';
import { CSV_METADATA_COLUMNS } from '../ir/plan.js';
import type { DataType, Field, Schema, Value } from '../ir/types.js';
import { DefinitionError, type Origin } from '../errors.js';
import { exprToString } from './text.js';
import { litValue } from './cast.js';
import { functionNames, lookupFunction, type ArgInfo, type Resolved, type TypeCtx } from '../functions/registry.js';
import { commonType, comparisonType } from '../functions/coerce.js';
import { resolveAggregate } from '../functions/aggregates.js';

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
    lambdaType: (i, params) => {
      const lam = e.args[i];
      if (lam.kind !== 'lambda') return typeError(`${f.name}() needs a lambda (x -> ...) as argument ${i + 1}`, e, origin);
      if (lam.params.length !== params.length) typeError(`the lambda of ${f.name}() takes ${params.length} parameter(s), got ${lam.params.length}`, e, origin);
      const inner: Field[] = [...schema, ...lam.params.map((p, k) => ({ name: lambdaVarName(p), type: params[k] }))];
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

export function exprType(e: ExprNode, schema: Schema, origin?: Origin, ansi = false): DataType {
  switch (e.kind) {
    case 'col': case 'var': {
      const name = e.kind === 'col' ? e.name : lambdaVarName(e.name);
      const f = schema.find((x) => x.name === name);
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
    case 'cast': exprType(e.arg, schema, origin, ansi); return e.to;
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

/** The output schema of a plan; validates every column reference on the way. */
export function planSchema(p: PlanNode, ctx: TypeContext): Schema {
  const o = ctx.origin;
  switch (p.kind) {
    case 'csv': return csvSourceSchema(p.options);
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
      const dropRight = new Set(p.on.filter(([lk, rk]) => lk === rk).map(([, rk]) => rk));
      return dupCheck([...l, ...r.filter((f) => !dropRight.has(f.name))], o);
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
    case 'union': {
      const schemas = p.inputs.map((i) => planSchema(i, ctx));
      const first = schemas[0];
      for (const s of schemas.slice(1)) {
        const same = s.length === first.length && s.every((f, i) => f.name === first[i].name && f.type === first[i].type);
        if (!same) {
          throw new DefinitionError('UNION_SCHEMA_MISMATCH', 'union inputs have different columns', { left: first.map((f) => `${f.name}:${f.type}`), right: s.map((f) => `${f.name}:${f.type}`), table: o?.table ?? null }, { origin: o, hint: 'select the same columns, in the same order, on every side' });
        }
      }
      return first;
    }
  }
}
