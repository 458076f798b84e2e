/**
 * Type inference for expressions and plans. Used by graph validation (unknown
 * columns, bad types) and by the executor to know output schemas up front.
 */
import type { AggNode, ExprNode } from '../ir/expr.js';
import { exprToString } from '../ir/expr.js';
import type { PlanNode } from '../ir/plan.js';
import { CSV_METADATA_COLUMNS } from '../ir/plan.js';
import { isNumeric, type DataType, type Field, type Schema } from '../ir/types.js';
import { DefinitionError, type Origin } from '../errors.js';

export interface TypeContext {
  /** The output schema of a dataset of the pipeline. */
  datasetSchema(name: string): Schema;
  origin?: Origin;
}

function unknownColumn(name: string, schema: Schema, origin?: Origin): never {
  const known = schema.map((f) => f.name);
  const lower = name.toLowerCase();
  const close = known.find((k) => k.toLowerCase() === lower);
  throw new DefinitionError('UNKNOWN_COLUMN', `column "${name}" does not exist${origin?.table ? ` in the input of ${origin.table}` : ''}`, {
    column: name, table: origin?.table ?? null, known,
  }, { origin, hint: close ? `did you mean "${close}"? Column names are case-sensitive` : `known columns: ${known.join(', ')}` });
}

function typeError(message: string, e: ExprNode, origin?: Origin): never {
  throw new DefinitionError('TYPE_MISMATCH', message, { expression: exprToString(e), table: origin?.table ?? null }, { origin, hint: 'add a cast(...) or compare values of the same type' });
}

/** The wider of two numeric types. */
export function widenNumeric(a: DataType, b: DataType): DataType {
  if (a === 'double' || b === 'double') return 'double';
  if (a === 'long' || b === 'long') return 'long';
  return 'int';
}

/** Whether values of a and b can be compared (after the evaluator's implicit coercions). */
export function comparable(a: DataType, b: DataType): boolean {
  if (a === b) return true;
  if (isNumeric(a) && isNumeric(b)) return true;
  const dt = (t: DataType) => t === 'date' || t === 'timestamp';
  if (dt(a) && dt(b)) return true;
  if ((dt(a) && b === 'string') || (a === 'string' && dt(b))) return true;
  return false;
}

function isNullLit(e: ExprNode): boolean {
  return e.kind === 'lit' && e.value === null;
}

export function exprType(e: ExprNode, schema: Schema, origin?: Origin): DataType {
  switch (e.kind) {
    case 'col': {
      const f = schema.find((x) => x.name === e.name);
      if (!f) unknownColumn(e.name, schema, origin);
      return f.type;
    }
    case 'lit': return e.type;
    case 'compare': {
      const l = exprType(e.left, schema, origin), r = exprType(e.right, schema, origin);
      if (!isNullLit(e.left) && !isNullLit(e.right) && !comparable(l, r)) typeError(`cannot compare ${l} with ${r} in ${exprToString(e)}`, e, origin);
      return 'boolean';
    }
    case 'arith': {
      const l = exprType(e.left, schema, origin), r = exprType(e.right, schema, origin);
      const ln = isNumeric(l) || isNullLit(e.left), rn = isNumeric(r) || isNullLit(e.right);
      if (!ln || !rn) typeError(`arithmetic needs numbers, got ${l} ${e.op} ${r} in ${exprToString(e)}`, e, origin);
      if (e.op === '/') return 'double';
      return widenNumeric(isNumeric(l) ? l : 'int', isNumeric(r) ? r : 'int');
    }
    case 'and': case 'or':
      for (const a of e.args) {
        const t = exprType(a, schema, origin);
        if (t !== 'boolean' && !isNullLit(a)) typeError(`${e.kind.toUpperCase()} needs booleans, got ${t} in ${exprToString(a)}`, a, origin);
      }
      return 'boolean';
    case 'not': {
      const t = exprType(e.arg, schema, origin);
      if (t !== 'boolean' && !isNullLit(e.arg)) typeError(`NOT needs a boolean, got ${t}`, e, origin);
      return 'boolean';
    }
    case 'isNull': exprType(e.arg, schema, origin); return 'boolean';
    case 'between': {
      const t = exprType(e.arg, schema, origin);
      for (const b of [e.low, e.high]) {
        const bt = exprType(b, schema, origin);
        if (!isNullLit(b) && !comparable(t, bt)) typeError(`cannot compare ${t} with ${bt} in ${exprToString(e)}`, e, origin);
      }
      return 'boolean';
    }
    case 'in': {
      const t = exprType(e.arg, schema, origin);
      for (const b of e.list) {
        const bt = exprType(b, schema, origin);
        if (!isNullLit(b) && !comparable(t, bt)) typeError(`cannot compare ${t} with ${bt} in ${exprToString(e)}`, e, origin);
      }
      return 'boolean';
    }
    case 'coalesce': {
      let out: DataType | null = null;
      for (const a of e.args) {
        const t = exprType(a, schema, origin);
        if (isNullLit(a)) continue;
        if (out === null) out = t;
        else if (isNumeric(out) && isNumeric(t)) out = widenNumeric(out, t);
        else if (out !== t) typeError(`coalesce mixes ${out} and ${t}`, e, origin);
      }
      return out ?? 'string';
    }
    case 'fn': {
      const t = exprType(e.arg, schema, origin);
      if (t !== 'string' && !isNullLit(e.arg)) typeError(`${e.name}() needs a string, got ${t}`, e, origin);
      return e.name === 'length' ? 'int' : 'string';
    }
    case 'case': {
      let out: DataType | null = null;
      const outs = [...e.branches.map((b) => b.then), ...(e.otherwise ? [e.otherwise] : [])];
      for (const b of e.branches) {
        const t = exprType(b.when, schema, origin);
        if (t !== 'boolean' && !isNullLit(b.when)) typeError(`CASE WHEN needs a boolean condition, got ${t}`, b.when, origin);
      }
      for (const o of outs) {
        const t = exprType(o, schema, origin);
        if (isNullLit(o)) continue;
        if (out === null) out = t;
        else if (isNumeric(out) && isNumeric(t)) out = widenNumeric(out, t);
        else if (out !== t) typeError(`CASE branches mix ${out} and ${t}`, e, origin);
      }
      return out ?? 'string';
    }
    case 'cast': exprType(e.arg, schema, origin); return e.to;
    case 'udf': e.args.forEach((a) => exprType(a, schema, origin)); return e.returns;
  }
}

export function aggType(a: AggNode, schema: Schema, origin?: Origin): DataType {
  switch (a.fn) {
    case 'countAll': return 'long';
    case 'count': case 'countDistinct': exprType(a.arg!, schema, origin); return 'long';
    case 'avg': {
      const t = exprType(a.arg!, schema, origin);
      if (!isNumeric(t)) typeError(`avg() needs a number, got ${t}`, a.arg!, origin);
      return 'double';
    }
    case 'sum': {
      const t = exprType(a.arg!, schema, origin);
      if (!isNumeric(t)) typeError(`sum() needs a number, got ${t}`, a.arg!, origin);
      return t === 'double' ? 'double' : 'long';
    }
    case 'min': case 'max': {
      const t = exprType(a.arg!, schema, origin);
      if (t === 'array<string>') typeError(`${a.fn}() cannot take an array`, a.arg!, origin);
      return t;
    }
  }
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
      return dupCheck(p.columns.map(([name, e]) => ({ name, type: exprType(e, s, o) })), o);
    }
    case 'derive': {
      const s = planSchema(p.input, ctx);
      const out: Field[] = [...s];
      for (const [name, e] of p.columns) {
        const f = { name, type: exprType(e, s, o) };
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
      const t = exprType(p.predicate, s, o);
      if (t !== 'boolean') typeError(`a filter needs a boolean condition, got ${t}`, p.predicate, o);
      return s;
    }
    case 'join': {
      const l = planSchema(p.input, ctx), r = planSchema(p.right, ctx);
      for (const [lk, rk] of p.on) {
        const lf = l.find((f) => f.name === lk); if (!lf) unknownColumn(lk, l, o);
        const rf = r.find((f) => f.name === rk); if (!rf) unknownColumn(rk, r, o);
        if (!comparable(lf.type, rf.type)) {
          throw new DefinitionError('TYPE_MISMATCH', `join keys ${lk} (${lf.type}) and ${rk} (${rf.type}) have different types`, { left: lk, right: rk, table: o?.table ?? null }, { origin: o, hint: 'cast one key to the other type' });
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
      for (const [name, e] of p.keys) out.push({ name, type: exprType(e, s, o) });
      for (const [name, a] of p.aggs) out.push({ name, type: aggType(a, s, o) });
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
