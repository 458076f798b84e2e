/**
 * Columnar evaluation of expression IR.
 *
 * `compileExpr(node, schema)` walks the IR once and returns a function from a
 * batch to a result column. Every operator works on whole columns with SQL
 * semantics: NULL in, NULL out; AND/OR/NOT use three-valued logic; `x IN (...)`
 * is NULL when nothing matches and a NULL is involved; division by zero is NULL.
 */
import type { ExprNode } from '../ir/expr.js';
import { isNumeric, type DataType, type Schema, type Value } from '../ir/types.js';
import {
  columnIndex, constantColumn, isNullAt, valueAt, ColumnBuilder,
  type Batch, type BoolColumn, type Column, type FloatColumn, type IntColumn, type MaskedColumn, type StringColumn,
} from '../batch.js';
import { exprType } from './typecheck.js';
import { parseDateDays, parseTimestampUs, formatDate, formatTimestamp } from '../sources/csv-values.js';
import { StringColumnBuilder, compareStrAt, stringColumnLength } from '../column/string-column.js';
import { isAsciiRange, utf8Decode } from '../column/utf8.js';

export type Evaluator = (b: Batch) => Column;

const US_PER_DAY = 86_400_000_000;

/** Compiles an expression against an input schema. */
export function compileExpr(e: ExprNode, schema: Schema): Evaluator {
  exprType(e, schema); // validates
  return compile(e, schema);
}

function typeOf(e: ExprNode, schema: Schema): DataType {
  return exprType(e, schema);
}

function compile(e: ExprNode, schema: Schema): Evaluator {
  switch (e.kind) {
    case 'col': {
      const i = columnIndex(schema, e.name);
      return (b) => b.columns[i];
    }
    case 'lit': {
      const { type } = e;
      const value = litValue(e.value, type);
      return (b) => constantColumn(type, value, b.length);
    }
    case 'compare': {
      const lt = typeOf(e.left, schema), rt = typeOf(e.right, schema);
      const common = compareType(lt, rt);
      const l = coerced(e.left, schema, common), r = coerced(e.right, schema, common);
      const op = e.op;
      return (b) => compareColumns(op, l(b), r(b), b.length);
    }
    case 'arith': {
      const out = typeOf(e, schema);
      const l = compile(e.left, schema), r = compile(e.right, schema);
      const op = e.op;
      return (b) => arith(op, l(b), r(b), b.length, out);
    }
    case 'and': case 'or': {
      const args = e.args.map((a) => compile(a, schema));
      const isAnd = e.kind === 'and';
      return (b) => {
        let acc = asBool(args[0](b), b.length);
        for (let k = 1; k < args.length; k++) acc = isAnd ? and2(acc, asBool(args[k](b), b.length), b.length) : or2(acc, asBool(args[k](b), b.length), b.length);
        return acc;
      };
    }
    case 'not': {
      const a = compile(e.arg, schema);
      return (b) => {
        const c = asBool(a(b), b.length);
        const data = new Uint8Array(b.length);
        for (let i = 0; i < b.length; i++) data[i] = c.data[i] ^ 1;
        return { type: 'boolean', data, nulls: c.nulls };
      };
    }
    case 'isNull': {
      const a = compile(e.arg, schema);
      const neg = e.negated ? 1 : 0;
      return (b) => {
        const c = a(b);
        const data = new Uint8Array(b.length);
        for (let i = 0; i < b.length; i++) data[i] = (isNullAt(c, i) ? 1 : 0) ^ neg;
        return { type: 'boolean', data, nulls: null };
      };
    }
    case 'between': {
      const ge = compile({ kind: 'compare', op: '>=', left: e.arg, right: e.low }, schema);
      const le = compile({ kind: 'compare', op: '<=', left: e.arg, right: e.high }, schema);
      return (b) => and2(ge(b) as BoolColumn, le(b) as BoolColumn, b.length);
    }
    case 'in': {
      const at = typeOf(e.arg, schema);
      const allLit = e.list.every((x) => x.kind === 'lit');
      if (allLit) {
        const common = e.list.reduce<DataType>((t, x) => (x.kind === 'lit' && x.value !== null ? compareType(t, x.type) : t), at);
        const arg = coerced(e.arg, schema, common);
        const lits = e.list.map((x) => x as { value: Value; type: DataType });
        const hasNull = lits.some((x) => litValue(x.value, x.type) === null);
        const set = new Set(lits.filter((x) => litValue(x.value, x.type) !== null).map((x) => coerceScalar(litValue(x.value, x.type), x.type, common)));
        return (b) => {
          const c = arg(b);
          const n = b.length;
          const data = new Uint8Array(n);
          let nulls: Uint8Array | null = null;
          for (let i = 0; i < n; i++) {
            const v = valueAt(c, i);
            if (v === null) { (nulls ??= new Uint8Array(n))[i] = 1; continue; }
            if (set.has(v as never)) data[i] = 1;
            else if (hasNull) (nulls ??= new Uint8Array(n))[i] = 1;
          }
          return { type: 'boolean', data, nulls };
        };
      }
      const eqs = e.list.map((x) => compile({ kind: 'compare', op: '=', left: e.arg, right: x }, schema));
      return (b) => eqs.reduce<BoolColumn | null>((acc, f) => (acc ? or2(acc, f(b) as BoolColumn, b.length) : (f(b) as BoolColumn)), null)!;
    }
    case 'coalesce': {
      const out = typeOf(e, schema);
      const args = e.args.map((a) => coerced(a, schema, out));
      return (b) => {
        const cols = args.map((f) => f(b));
        const builder = new ColumnBuilder(out, b.length);
        for (let i = 0; i < b.length; i++) {
          let v: Value = null;
          for (const c of cols) { if (!isNullAt(c, i)) { v = valueAt(c, i); break; } }
          builder.push(v);
        }
        return builder.finish();
      };
    }
    case 'fn': {
      const a = compile(e.arg, schema);
      const name = e.name;
      return (b) => {
        const c = a(b);
        if (c.type !== 'string') return constantColumn(name === 'length' ? 'int' : 'string', null, b.length);
        return stringFn(name, c);
      };
    }
    case 'case': {
      const out = typeOf(e, schema);
      const whens = e.branches.map((br) => compile(br.when, schema));
      const thens = e.branches.map((br) => coerced(br.then, schema, out));
      const other = e.otherwise ? coerced(e.otherwise, schema, out) : null;
      return (b) => {
        const n = b.length;
        const conds = whens.map((w) => asBool(w(b), n));
        const vals = thens.map((t) => t(b));
        const ov = other ? other(b) : null;
        const builder = new ColumnBuilder(out, n);
        for (let i = 0; i < n; i++) {
          let chosen: Column | null = ov;
          for (let k = 0; k < conds.length; k++) {
            const c = conds[k];
            if (c.data[i] === 1 && !(c.nulls && c.nulls[i])) { chosen = vals[k]; break; }
          }
          if (chosen) builder.pushFrom(chosen, i); else builder.push(null);
        }
        return builder.finish();
      };
    }
    case 'cast': {
      const from = typeOf(e.arg, schema);
      const a = compile(e.arg, schema);
      const to = e.to;
      return (b) => castColumn(a(b), from, to, b.length);
    }
    case 'udf': {
      const args = e.args.map((x) => compile(x, schema));
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

/** upper, lower, trim (spaces) and length (characters) on UTF-8 bytes; case mapping of non-ASCII text decodes. */
function stringFn(name: string, c: StringColumn): Column {
  const n = stringColumnLength(c);
  const { offsets, bytes, nulls } = c;
  if (name === 'length') {
    const data = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let chars = 0;
      for (let k = offsets[i], e = offsets[i + 1]; k < e; k++) if ((bytes[k] & 0xc0) !== 0x80) chars++;
      data[i] = chars;
    }
    return { type: 'int', data, nulls };
  }
  const out = new StringColumnBuilder(n, offsets[n] - offsets[0]);
  if (name === 'trim') {
    for (let i = 0; i < n; i++) {
      if (nulls !== null && nulls[i] === 1) { out.pushNull(); continue; }
      let a = offsets[i], z = offsets[i + 1];
      while (a < z && bytes[a] === 32) a++;
      while (z > a && bytes[z - 1] === 32) z--;
      out.pushBytes(bytes, a, z);
    }
    return out.finish();
  }
  const upper = name === 'upper';
  const scratch = new Uint8Array(64);
  for (let i = 0; i < n; i++) {
    if (nulls !== null && nulls[i] === 1) { out.pushNull(); continue; }
    const a = offsets[i], z = offsets[i + 1];
    if (!isAsciiRange(bytes, a, z) || z - a > scratch.length) {
      const s = utf8Decode(bytes, a, z);
      out.pushString(upper ? s.toUpperCase() : s.toLowerCase());
      continue;
    }
    for (let k = a; k < z; k++) {
      const x = bytes[k];
      scratch[k - a] = upper ? (x >= 97 && x <= 122 ? x - 32 : x) : (x >= 65 && x <= 90 ? x + 32 : x);
    }
    out.pushBytes(scratch, 0, z - a);
  }
  return out.finish();
}

/** The type both sides of a comparison are brought to. */
export function compareType(a: DataType, b: DataType): DataType {
  if (a === b) return a;
  if (isNumeric(a) && isNumeric(b)) return 'double';
  if (a === 'timestamp' || b === 'timestamp') return 'timestamp';
  if (a === 'date' || b === 'date') return 'date';
  return a;
}

function coerced(e: ExprNode, schema: Schema, to: DataType): Evaluator {
  const from = typeOf(e, schema);
  const f = compile(e, schema);
  if (from === to || (isNumeric(from) && isNumeric(to) && to === 'double')) return f;
  if (e.kind === 'lit') {
    const v = coerceScalar(litValue(e.value, e.type), from, to);
    return (b) => constantColumn(to, v, b.length);
  }
  return (b) => castColumn(f(b), from, to, b.length);
}

/** A literal value of type `from` brought to type `to` (numbers stay as they are between numeric types). */
function coerceScalar(v: Value, from: DataType, to: DataType): Value {
  if (v === null || from === to || (isNumeric(from) && isNumeric(to))) return v;
  return castValue(v, from, to);
}

/**
 * A literal's value in the representation of its own type: `lit('2024-01-02', 'date')`
 * holds the text, which becomes epoch days here (as CAST would convert it).
 */
function litValue(v: Value, type: DataType): Value {
  if (v === null) return null;
  if (typeof v === 'string' && type !== 'string') return castValue(v, 'string', type);
  if (typeof v !== 'string' && type === 'string') return castValue(v, typeof v === 'boolean' ? 'boolean' : Array.isArray(v) ? 'array<string>' : Number.isInteger(v) ? 'long' : 'double', 'string');
  return v;
}

export function asBool(c: Column, n: number): BoolColumn {
  if (c.type === 'boolean') return c;
  const data = new Uint8Array(n);
  const nulls = new Uint8Array(n).fill(1);
  return { type: 'boolean', data, nulls };
}

function and2(a: BoolColumn, b: BoolColumn, n: number): BoolColumn {
  const data = new Uint8Array(n);
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const an = a.nulls !== null && a.nulls[i] === 1, bn = b.nulls !== null && b.nulls[i] === 1;
    const af = !an && a.data[i] === 0, bf = !bn && b.data[i] === 0;
    if (af || bf) continue; // false
    if (an || bn) { (nulls ??= new Uint8Array(n))[i] = 1; continue; }
    data[i] = 1;
  }
  return { type: 'boolean', data, nulls };
}

function or2(a: BoolColumn, b: BoolColumn, n: number): BoolColumn {
  const data = new Uint8Array(n);
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const an = a.nulls !== null && a.nulls[i] === 1, bn = b.nulls !== null && b.nulls[i] === 1;
    if ((!an && a.data[i] === 1) || (!bn && b.data[i] === 1)) { data[i] = 1; continue; }
    if (an || bn) (nulls ??= new Uint8Array(n))[i] = 1;
  }
  return { type: 'boolean', data, nulls };
}

function compareColumns(op: string, a: Column, b: Column, n: number): BoolColumn {
  const data = new Uint8Array(n);
  let nulls: Uint8Array | null = null;
  if (a.type === 'string' && b.type === 'string') {
    for (let i = 0; i < n; i++) {
      if ((a.nulls !== null && a.nulls[i] === 1) || (b.nulls !== null && b.nulls[i] === 1)) { (nulls ??= new Uint8Array(n))[i] = 1; continue; }
      data[i] = cmp(op, compareStrAt(a, i, b, i));
    }
    return { type: 'boolean', data, nulls };
  }
  if (a.type === 'array<string>' || b.type === 'array<string>' || a.type === 'string' || b.type === 'string') {
    for (let i = 0; i < n; i++) {
      const u = valueAt(a, i), v = valueAt(b, i);
      if (u === null || v === null || u === undefined || v === undefined) { (nulls ??= new Uint8Array(n))[i] = 1; continue; }
      const s = String(u), t = String(v);
      data[i] = cmp(op, s < t ? -1 : s > t ? 1 : 0);
    }
    return { type: 'boolean', data, nulls };
  }
  const x = a as MaskedColumn, y = b as MaskedColumn;
  const xs = x.type === 'date' && y.type === 'timestamp' ? US_PER_DAY : 1;
  const ys = y.type === 'date' && x.type === 'timestamp' ? US_PER_DAY : 1;
  const xd = x.data, yd = y.data, xn = x.nulls, yn = y.nulls;
  switch (op) {
    case '=': for (let i = 0; i < n; i++) data[i] = xd[i] * xs === yd[i] * ys ? 1 : 0; break;
    case '!=': for (let i = 0; i < n; i++) data[i] = xd[i] * xs !== yd[i] * ys ? 1 : 0; break;
    case '<': for (let i = 0; i < n; i++) data[i] = xd[i] * xs < yd[i] * ys ? 1 : 0; break;
    case '<=': for (let i = 0; i < n; i++) data[i] = xd[i] * xs <= yd[i] * ys ? 1 : 0; break;
    case '>': for (let i = 0; i < n; i++) data[i] = xd[i] * xs > yd[i] * ys ? 1 : 0; break;
    case '>=': for (let i = 0; i < n; i++) data[i] = xd[i] * xs >= yd[i] * ys ? 1 : 0; break;
  }
  if (xn || yn) {
    nulls = new Uint8Array(n);
    for (let i = 0; i < n; i++) nulls[i] = (xn ? xn[i] : 0) | (yn ? yn[i] : 0);
  }
  return { type: 'boolean', data, nulls };
}

function cmp(op: string, c: number): number {
  switch (op) {
    case '=': return c === 0 ? 1 : 0;
    case '!=': return c !== 0 ? 1 : 0;
    case '<': return c < 0 ? 1 : 0;
    case '<=': return c <= 0 ? 1 : 0;
    case '>': return c > 0 ? 1 : 0;
    default: return c >= 0 ? 1 : 0;
  }
}

function arith(op: string, a: Column, b: Column, n: number, out: DataType): Column {
  const x = a as MaskedColumn, y = b as MaskedColumn;
  const builder = new ColumnBuilder(out, n);
  for (let i = 0; i < n; i++) {
    if ((x.nulls && x.nulls[i]) || (y.nulls && y.nulls[i]) || (a.type as string) === 'string' || (b.type as string) === 'string') { builder.push(null); continue; }
    const u = x.data[i], v = y.data[i];
    let r: number;
    switch (op) {
      case '+': r = u + v; break;
      case '-': r = u - v; break;
      case '*': r = u * v; break;
      case '/': if (v === 0) { builder.push(null); continue; } r = u / v; break;
      default: if (v === 0) { builder.push(null); continue; } r = u % v; break;
    }
    if (out === 'int') r = r | 0;
    builder.push(r);
  }
  return builder.finish();
}

const INT_RE = /^[+-]?\d+$/;
const NUM_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** SQL CAST with Spark's non-ANSI behaviour: a value that does not convert becomes NULL. */
export function castColumn(c: Column, from: DataType, to: DataType, n: number): Column {
  if (from === to) return c;
  if (isNumeric(from) && isNumeric(to)) {
    const m = c as IntColumn | FloatColumn;
    if (to === 'double' || to === 'long') {
      const data = new Float64Array(n);
      for (let i = 0; i < n; i++) data[i] = to === 'long' ? Math.trunc(m.data[i]) : m.data[i];
      return { type: to, data, nulls: m.nulls };
    }
    const data = new Int32Array(n);
    for (let i = 0; i < n; i++) data[i] = Math.trunc(m.data[i]);
    return { type: 'int', data, nulls: m.nulls };
  }
  const builder = new ColumnBuilder(to, n);
  for (let i = 0; i < n; i++) {
    const v = valueAt(c, i);
    builder.push(v === null ? null : castValue(v, from, to));
  }
  return builder.finish();
}

export function castValue(v: Value, from: DataType, to: DataType): Value {
  if (v === null) return null;
  if (to === 'string') {
    if (from === 'date') return formatDate(v as number);
    if (from === 'timestamp') return formatTimestamp(v as number);
    if (from === 'boolean') return v ? 'true' : 'false';
    if (from === 'array<string>') return `[${(v as string[]).join(', ')}]`;
    if (from === 'double') return doubleToString(v as number);
    return String(v);
  }
  if (from === 'string') {
    const s = (v as string).trim();
    switch (to) {
      case 'int': { if (!INT_RE.test(s)) return null; const x = Number(s); return x >= -2147483648 && x <= 2147483647 ? x : null; }
      case 'long': { if (!INT_RE.test(s)) return null; const x = Number(s); return Number.isSafeInteger(x) ? x : null; }
      case 'double': return NUM_RE.test(s) ? Number(s) : null;
      case 'boolean': { const l = s.toLowerCase(); return l === 'true' ? true : l === 'false' ? false : null; }
      case 'date': return parseDateDays(s);
      case 'timestamp': return parseTimestampUs(s);
      default: return null;
    }
  }
  if (from === 'date' && to === 'timestamp') return (v as number) * US_PER_DAY;
  if (from === 'timestamp' && to === 'date') return Math.floor((v as number) / US_PER_DAY);
  if (from === 'boolean' && isNumeric(to)) return v ? 1 : 0;
  if (isNumeric(from) && to === 'boolean') return (v as number) !== 0;
  return null;
}

/**
 * A DOUBLE as Spark writes it (Java's Double.toString): `1.0`, `0.25`, `1.0E7`,
 * `1.5E-4`; plain notation for 1e-3 <= |x| < 1e7, else scientific.
 */
function doubleToString(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e7) { const s = String(x); return s.includes('.') ? s : s + '.0'; }
  const [m, e] = x.toExponential().split('e');
  return `${m.includes('.') ? m : m + '.0'}E${e.startsWith('+') ? e.slice(1) : e}`;
}

/** Evaluates a boolean expression and returns a mask of rows where it is TRUE (NULL and FALSE are 0). */
export function trueMask(c: Column, n: number): Uint8Array {
  const b = asBool(c, n);
  if (!b.nulls) return b.data;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = b.data[i] & (b.nulls[i] ^ 1);
  return out;
}

export type { StringColumn };
