/**
 * Expression IR → SQL text, for any dialect.
 *
 * Semantics follow the engine's evaluator (`engine/expr/eval.ts`), not the SQL
 * target's defaults, wherever they could differ:
 * - three-valued logic, IN, BETWEEN, COALESCE and CASE are the same in SQL;
 * - a comparison of a DATE/TIMESTAMP with a STRING converts the string with the
 *   engine's strict rules (`YYYY-MM-DD`, ISO timestamps), not the target's
 *   lenient cast;
 * - CAST from STRING is the engine's try-cast (Spark's non-ANSI CAST, but with
 *   the engine's accepted forms): a value that does not convert is NULL;
 * - `/` and `%` give NULL on a zero divisor; `/` always gives a DOUBLE;
 * - `trim()` removes spaces only; `length()` counts characters.
 *
 * A user function (`udf`) compiles from its SQL template (`$1`, `$2`, … for the
 * arguments), per dialect or `default`; without one it is a
 * `NON_PORTABLE_EXPRESSION` error naming the table, the expression and the dialect.
 */
import type { ExprNode } from '../ir/expr.js';
import { exprToString } from '../ir/expr.js';
import { isNumeric, type DataType, type Schema, type Value } from '../ir/types.js';
import { exprType } from '../expr/typecheck.js';
import { castValue, compareType } from '../expr/eval.js';
import { formatDate, formatTimestamp } from '../sources/csv-values.js';
import { UnsupportedError, type Origin } from '../errors.js';
import type { Dialect } from './dialect.js';

/** Expression forms whose results can differ from the engine's at the edges (reported). */
export type ExprConstruct = 'INTEGER_OVERFLOW' | 'DOUBLE_TO_STRING' | 'UNICODE_CASE_MAPPING';

export interface ExprContext {
  readonly dialect: Dialect;
  /** Names and types of the column keys an expression may reference. */
  readonly schema: Schema;
  /** The SQL of a column key. */
  ref(key: string): string;
  /** The dataset being compiled (for errors). */
  readonly table: string;
  readonly origin?: Origin;
  /** Told about the forms listed in ExprConstruct. */
  readonly onConstruct?: (c: ExprConstruct) => void;
}

/** Operator precedence of rendered SQL (higher binds tighter). */
export const P = { OR: 10, AND: 20, NOT: 30, PRED: 35, CMP: 40, ADD: 60, MUL: 70, UNARY: 90, ATOM: 100 } as const;

export interface Sql {
  readonly sql: string;
  readonly prec: number;
}

const atom = (sql: string): Sql => ({ sql, prec: P.ATOM });

/** `s` in parentheses unless it binds at least as tightly as `min`. */
export function paren(s: Sql, min: number): string {
  return s.prec >= min ? s.sql : `(${s.sql})`;
}

/** Whether `s` is an identifier, a literal, one function call or one parenthesised group spanning the whole text. */
export function isAtomText(text: string): boolean {
  const s = text.trim();
  if (/^[A-Za-z_][A-Za-z0-9_.]*$/.test(s) || /^`[^`]*`$/.test(s) || /^"[^"]*"$/.test(s) || /^[0-9]+$/.test(s)) return true;
  const m = /^[A-Za-z_][A-Za-z0-9_]*\s*\(/.exec(s);
  const start = m ? m[0].length - 1 : s.startsWith('(') ? 0 : -1;
  if (start < 0) return false;
  let depth = 0;
  let quote: string | null = null;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (quote) { if (c === '\\') i++; else if (c === quote) quote = null; continue; }
    if (c === "'" || c === '"' || c === '`') { quote = c; continue; }
    if (c === '(') depth++;
    else if (c === ')') { depth--; if (depth === 0 && i !== s.length - 1) return false; }
  }
  return depth === 0;
}

/** Rendered SQL from a dialect hook: an atom when it is one call, else parenthesised when nested. */
function hook(sql: string, prec: number = P.ADD): Sql {
  return isAtomText(sql) ? atom(sql) : { sql, prec };
}

// ------------------------------------------------------------ text → typed values (the engine's rules)

/** `[+-]?digits` */
export const INT_RE = '[+-]?[0-9]+';
/** A JS-style decimal (see csv-values.ts parseDoubleRange). */
export const DOUBLE_RE = '[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?';
export const DATE_RE = '[0-9]{4}-[0-9]{2}-[0-9]{2}';
/** A date, or a date with a time (hours 00-23, minutes and seconds 00-59), a fraction and a zone. */
export const TIMESTAMP_RE = '[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]+)?)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?';
const LONG_MAX = '9007199254740991';
const DOUBLE_MAX = '1.7976931348623157E308';

/**
 * The typed value of text `v` (already trimmed; NULL stays NULL) with the
 * engine's rules: int `[+-]?\d+` within INT32, long within ±(2^53−1), a JS-style
 * double (finite only in `bronze` mode), `true`/`false`, a real calendar date
 * `YYYY-MM-DD`, an ISO-8601 timestamp (UTC unless it has a zone).
 */
export function parseText(d: Dialect, v: string, to: DataType, mode: 'bronze' | 'cast'): string {
  switch (to) {
    case 'string': return v;
    case 'int': return `CASE WHEN ${d.regexFull(v, INT_RE)} THEN ${d.tryCast(v, 'int')} END`;
    case 'long': {
      const x = d.tryCast(v, 'long');
      return `CASE WHEN ${d.regexFull(v, INT_RE)} AND abs(${x}) <= ${LONG_MAX} THEN ${x} END`;
    }
    case 'double': {
      const x = d.tryCast(v, 'double');
      return mode === 'bronze'
        ? `CASE WHEN ${d.regexFull(v, DOUBLE_RE)} AND abs(${x}) <= ${DOUBLE_MAX} THEN ${x} END`
        : `CASE WHEN ${d.regexFull(v, DOUBLE_RE)} THEN ${x} END`;
    }
    case 'boolean': return `CASE lower(${v}) WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE END`;
    case 'date': return `CASE WHEN ${d.regexFull(v, DATE_RE)} THEN ${d.tryCast(v, 'date')} END`;
    case 'timestamp': return `CASE WHEN ${d.regexFull(v, TIMESTAMP_RE)} THEN ${d.timestampFromText(v)} END`;
    default: return `CAST(NULL AS ${d.typeName(to)})`;
  }
}

/** CAST(string AS to) as the engine does it: JS-trimmed text, then the strict rules. */
function castFromString(d: Dialect, x: string, to: DataType): string {
  if (to === 'string') return x;
  const t = d.regexReplaceAll(x, '^\\s+|\\s+$', '');
  return parseText(d, t, to, 'cast');
}

// ------------------------------------------------------------ literals

/** A literal's value in the representation of its own type (as eval.ts's litValue). */
function litValue(v: Value, type: DataType): Value {
  if (v === null) return null;
  if (typeof v === 'string' && type !== 'string') return castValue(v, 'string', type);
  if (typeof v !== 'string' && type === 'string') return castValue(v, typeof v === 'boolean' ? 'boolean' : Array.isArray(v) ? 'array<string>' : 'double', 'string');
  return v;
}

export function literalSql(d: Dialect, value: Value, type: DataType): Sql {
  const v = litValue(value, type);
  if (v === null) return atom('NULL');
  switch (type) {
    case 'string': return atom(d.str(String(v)));
    case 'boolean': return atom(v ? 'TRUE' : 'FALSE');
    case 'int': case 'long': {
      const n = Math.trunc(Number(v));
      const text = type === 'long' && Math.abs(n) <= 2147483647 ? `CAST(${n} AS ${d.typeName('long')})` : String(n);
      return n < 0 && !text.startsWith('CAST') ? { sql: text, prec: P.UNARY } : atom(text);
    }
    case 'double': return atom(d.doubleLit(Number(v)));
    case 'date': return atom(`DATE '${formatDate(Number(v))}'`);
    case 'timestamp': return atom(`TIMESTAMP '${formatTimestamp(Number(v))}'`);
    case 'array<string>': return atom(d.array((v as string[]).map((s) => d.str(s))));
    default: throw new Error(`internal: no SQL literal for type ${type}`);
  }
}

/** A NULL of a type (for projections, where an untyped NULL has no column type). */
export function typedNull(d: Dialect, t: DataType): string {
  return `CAST(NULL AS ${d.typeName(t)})`;
}

// ------------------------------------------------------------ the compiler

function isNullLit(e: ExprNode): boolean {
  return e.kind === 'lit' && e.value === null;
}

const DT = (t: DataType) => t === 'date' || t === 'timestamp';

export class ExprCompiler {
  constructor(readonly ctx: ExprContext) {}

  private get d(): Dialect { return this.ctx.dialect; }

  typeOf(e: ExprNode): DataType {
    return exprType(e, this.ctx.schema, this.ctx.origin ?? { table: this.ctx.table });
  }

  /** The SQL of an expression (validated against the schema first). */
  sql(e: ExprNode): string {
    this.typeOf(e);
    return this.c(e).sql;
  }

  /** As `sql`, but a NULL literal gets its type (for select lists). */
  projection(e: ExprNode): string {
    if (isNullLit(e)) return typedNull(this.d, e.kind === 'lit' ? e.type : 'string');
    return this.sql(e);
  }

  /** `e` brought to type `to` the way the evaluator coerces comparison operands. */
  private coerce(e: ExprNode, to: DataType): Sql {
    const from = this.typeOf(e);
    if (from === to || isNullLit(e)) return this.c(e);
    if (DT(to) && from === 'string') {
      if (e.kind === 'lit') return literalSql(this.d, castValue(e.value, 'string', to), to);
      return hook(castFromString(this.d, this.c(e).sql, to), P.ADD);
    }
    if (to === 'timestamp' && from === 'date') return atom(`CAST(${this.c(e).sql} AS ${this.d.typeName('timestamp')})`);
    return this.c(e);
  }

  private c(e: ExprNode): Sql {
    const d = this.d;
    switch (e.kind) {
      case 'col': return hook(this.ctx.ref(e.name), P.ATOM);
      case 'lit': return literalSql(d, e.value, e.type);
      case 'compare': {
        const lt = this.typeOf(e.left), rt = this.typeOf(e.right);
        const common = isNullLit(e.left) || isNullLit(e.right) ? lt : compareType(lt, rt);
        const l = this.coerce(e.left, common), r = this.coerce(e.right, common);
        return { sql: `${paren(l, P.ADD)} ${e.op === '!=' ? '<>' : e.op} ${paren(r, P.ADD)}`, prec: P.CMP };
      }
      case 'arith': {
        const l = this.c(e.left), r = this.c(e.right);
        // `/` gives a DOUBLE on every target; both give NULL on a zero divisor
        if (e.op === '/') return hook(d.divide(paren(l, P.MUL), paren(r, P.MUL + 1)), P.MUL);
        if (e.op === '%') return hook(d.modulo(paren(l, P.MUL), paren(r, P.MUL + 1)), P.MUL);
        if (this.typeOf(e) !== 'double') this.ctx.onConstruct?.('INTEGER_OVERFLOW');
        const prec = e.op === '*' ? P.MUL : P.ADD;
        return { sql: `${paren(l, prec)} ${e.op} ${paren(r, prec + 1)}`, prec };
      }
      case 'and': case 'or': {
        if (e.args.length === 0) return atom(e.kind === 'and' ? 'TRUE' : 'FALSE');
        const prec = e.kind === 'and' ? P.AND : P.OR;
        return { sql: e.args.map((a) => paren(this.c(a), prec + 1)).join(e.kind === 'and' ? ' AND ' : ' OR '), prec };
      }
      case 'not': return { sql: `NOT ${paren(this.c(e.arg), P.ATOM)}`, prec: P.NOT };
      case 'isNull': return { sql: `${paren(this.c(e.arg), P.ADD)} IS ${e.negated ? 'NOT ' : ''}NULL`, prec: P.PRED };
      case 'between': {
        const t = this.typeOf(e.arg);
        const lt = isNullLit(e.low) ? t : compareType(t, this.typeOf(e.low));
        const ht = isNullLit(e.high) ? t : compareType(t, this.typeOf(e.high));
        if (lt !== ht) {
          return this.c({ kind: 'and', args: [{ kind: 'compare', op: '>=', left: e.arg, right: e.low }, { kind: 'compare', op: '<=', left: e.arg, right: e.high }] });
        }
        return { sql: `${paren(this.coerce(e.arg, lt), P.ADD)} BETWEEN ${paren(this.coerce(e.low, lt), P.ADD)} AND ${paren(this.coerce(e.high, lt), P.ADD)}`, prec: P.PRED };
      }
      case 'in': {
        const t = this.typeOf(e.arg);
        const common = e.list.reduce<DataType>((acc, x) => (isNullLit(x) ? acc : compareType(acc, this.typeOf(x))), t);
        const items = e.list.map((x) => paren(this.coerce(x, common), P.ADD));
        if (items.length === 0) return atom('FALSE');
        return { sql: `${paren(this.coerce(e.arg, common), P.ADD)} IN (${items.join(', ')})`, prec: P.PRED };
      }
      case 'coalesce': {
        const out = this.typeOf(e);
        return atom(`coalesce(${e.args.map((a) => this.coerceValue(a, out)).join(', ')})`);
      }
      case 'fn': {
        const a = this.c(e.arg);
        switch (e.name) {
          case 'upper': this.ctx.onConstruct?.('UNICODE_CASE_MAPPING'); return atom(`upper(${a.sql})`);
          case 'lower': this.ctx.onConstruct?.('UNICODE_CASE_MAPPING'); return atom(`lower(${a.sql})`);
          case 'trim': return hook(d.trimSpaces(a.sql));
          case 'length': return hook(d.length(a.sql));
        }
        break;
      }
      case 'case': {
        const out = this.typeOf(e);
        const parts = e.branches.map((b) => `WHEN ${this.c(b.when).sql} THEN ${this.coerceValue(b.then, out)}`);
        const other = e.otherwise && !isNullLit(e.otherwise) ? ` ELSE ${this.coerceValue(e.otherwise, out)}` : '';
        return atom(`CASE ${parts.join(' ')}${other} END`);
      }
      case 'cast': return this.cast(e.arg, e.to);
      case 'udf': return this.udf(e);
    }
    throw new Error(`internal: unknown expression ${(e as ExprNode).kind}`);
  }

  /** A branch value of a CASE/COALESCE whose result type is `out` (string→date/timestamp as the engine coerces). */
  private coerceValue(e: ExprNode, out: DataType): string {
    const t = this.typeOf(e);
    if (isNullLit(e) || t === out || (isNumeric(t) && isNumeric(out))) return this.c(e).sql;
    return this.coerce(e, out).sql;
  }

  private cast(arg: ExprNode, to: DataType): Sql {
    const d = this.d;
    const from = this.typeOf(arg);
    const a = this.c(arg);
    if (from === to) return a;
    if (isNullLit(arg)) return atom(typedNull(d, to));
    if (isNumeric(from) && isNumeric(to)) return hook(d.numericCast(a.sql, from, to));
    if (to === 'string') {
      if (from === 'double') this.ctx.onConstruct?.('DOUBLE_TO_STRING');
      if (from === 'array<string>' || from === 'boolean' || from === 'date' || from === 'timestamp' || isNumeric(from)) return atom(`CAST(${a.sql} AS ${d.typeName('string')})`);
    }
    if (from === 'string') return hook(castFromString(d, a.sql, to));
    if ((from === 'date' && to === 'timestamp') || (from === 'timestamp' && to === 'date')) return atom(`CAST(${a.sql} AS ${d.typeName(to)})`);
    if (from === 'boolean' && isNumeric(to)) return atom(`CAST(${a.sql} AS ${d.typeName(to)})`);
    if (isNumeric(from) && to === 'boolean') return atom(`CAST(${a.sql} AS ${d.typeName(to)})`);
    return atom(typedNull(d, to));
  }

  private udf(e: Extract<ExprNode, { kind: 'udf' }>): Sql {
    const d = this.d;
    const template = e.sql?.[d.name] ?? e.sql?.default;
    if (template === undefined) {
      throw new UnsupportedError('NON_PORTABLE_EXPRESSION',
        `${e.name}() in ${this.ctx.table} is a TypeScript function without a SQL form for ${d.title}`,
        { table: this.ctx.table, expression: exprToString(e), dialect: d.name },
        { origin: this.ctx.origin ?? { table: this.ctx.table }, hint: `give the udf its SQL: udf('${e.name}', { returns: '${e.returns}', sql: '…$1…' }, fn) (or sql: { ${d.name}: '…' }), or compile with --partial to skip this table` });
    }
    const args = e.args.map((a) => paren(this.c(a), P.ATOM));
    const sql = template.replace(/\$(\d+)/g, (m, n: string) => {
      const i = Number(n) - 1;
      if (i < 0 || i >= args.length) {
        throw new UnsupportedError('INVALID_UDF_SQL', `the SQL of ${e.name}() refers to ${m}, but the function has ${args.length} argument(s)`, { table: this.ctx.table, expression: exprToString(e), dialect: d.name, template });
      }
      return args[i];
    });
    return hook(sql, P.OR);
  }
}
