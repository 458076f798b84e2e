/**
 * Expression IR → SQL text, for any dialect.
 *
 * Semantics follow the engine's evaluator (`engine/expr/eval.ts`), not the SQL
 * target's defaults, wherever they could differ:
 * - three-valued logic, IN, BETWEEN, COALESCE and CASE are the same in SQL;
 * - a comparison of a DATE/TIMESTAMP with a STRING converts the string with the
 *   engine's strict rules (`YYYY-MM-DD`, ISO timestamps), not the target's
 *   lenient cast (in ANSI mode: Spark's ANSI cast, as the engine does);
 * - CAST is Spark's, in the pipeline's ANSI mode and session time zone
 *   (`cast-sql.ts`: plain CAST on Databricks and Spark, Spark's rules spelled
 *   out for DuckDB);
 * - `/` and `%` give NULL on a zero divisor; `/` always gives a DOUBLE;
 * - `trim()` removes spaces only; `length()` counts characters.
 *
 * A user function (`udf`) compiles from its SQL template (`$1`, `$2`, … for the
 * arguments), per dialect or `default`; without one it is a
 * `NON_PORTABLE_EXPRESSION` error naming the table, the expression and the dialect.
 */
import type { AggNode, ExprNode } from '../ir/expr.js';
import { resolveAggregate, type ResolvedAggregate } from '../functions/aggregates.js';
import { isDecimal, isNested, isNumeric, typeInfo, type DataType, type Field, type Schema, type Value } from '../ir/types.js';
import { exprType, lambdaVarName, resolveCall, structFieldRef, type ResolvedCall } from '../expr/typecheck.js';
import { exprToString } from '../expr/text.js';
import { castValue, decimalText, litValue, sparkCast, type CastMode } from '../expr/cast.js';
import { constantColumn, decimalScale, isNullAt, valueAt, type DecimalColumn } from '../batch.js';
import { sessionZone } from '../time/zones.js';
import { castSql } from './cast-sql.js';
import { lookupFunction, spellingFor, type LambdaOptions, type SqlEmit } from '../functions/registry.js';
import '../functions/index.js';
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
  /** Told about a function a dialect computes differently at the edges (its registry entry says so). */
  readonly onNote?: (code: string, detail: string) => void;
  /** The pipeline's ANSI mode (type rules that depend on it). */
  readonly ansi?: boolean;
  /** The session time zone (`spark.sql.session.timeZone`, default UTC). */
  readonly timeZone?: string;
}

import { P, atom, paren, type Sql } from './precedence.js';

export { P, paren, type Sql };

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
export function literalSql(d: Dialect, value: Value, type: DataType): Sql {
  const v = litValue(value, type);
  if (v === null) return atom('NULL');
  const info = typeInfo(type);
  switch (info.kind) {
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
    case 'decimal': {
      // The literal's text, cast to its exact type (a bare 2.50 would be DECIMAL(3,2) only by accident of writing).
      const text = typeof v === 'string' ? v : String(v);
      return atom(`CAST(${text.startsWith('-') ? `'${text}'` : text} AS ${d.typeName(type)})`);
    }
    case 'interval day to second': return atom(d.interval(Number(v)));
    case 'interval year to month': return atom(d.name === 'duckdb' ? `to_months(${Number(v)})` : `INTERVAL ${Number(v)} MONTHS`);
    case 'array': return atom(d.name === 'duckdb' ? `[${(v as Value[]).map((x) => literalSql(d, x, info.element).sql).join(', ')}]` : `array(${(v as Value[]).map((x) => literalSql(d, x, info.element).sql).join(', ')})`);
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

  private get origin(): Origin { return this.ctx.origin ?? { table: this.ctx.table }; }

  typeOf(e: ExprNode): DataType {
    return exprType(e, this.ctx.schema, this.origin, this.ctx.ansi ?? false);
  }

  /** Tells the portability report about a difference of the target (once per dataset). */
  note(code: string, detail: string): void {
    this.ctx.onNote?.(code, detail);
  }

  /** Type-checks an aggregate call and resolves its registry entry. */
  resolveAggregate(a: AggNode): ResolvedAggregate {
    return resolveAggregate(a, this.ctx.schema, this.origin, this.ctx.ansi ?? false);
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

  /** `e` brought to type `to` the way the evaluator coerces it (strict text rules for dates and numbers from strings). */
  coerce(e: ExprNode, to: DataType): Sql {
    const from = this.typeOf(e);
    if (from === to || isNullLit(e)) return this.c(e);
    if (this.ctx.ansi && from === 'string' && (DT(to) || isNumeric(to) || to === 'boolean')) {
      // ANSI mode: the engine converts with Spark's ANSI cast (a text that does not convert fails)
      return this.castTo(e, from, to, 'ansi');
    }
    if (from === 'string' && (DT(to) || isNumeric(to) || to === 'boolean')) {
      if (e.kind === 'lit') return literalSql(this.d, castValue(e.value, 'string', to), to);
      return hook(castFromString(this.d, this.c(e).sql, to), P.ADD);
    }
    if (to === 'timestamp' && from === 'date') return atom(`CAST(${this.c(e).sql} AS ${this.d.typeName('timestamp')})`);
    if (isNumeric(from) && isNumeric(to)) return this.c(e); // SQL widens numbers itself
    if (to === 'string') return atom(`CAST(${this.c(e).sql} AS ${this.d.typeName('string')})`);
    return atom(`CAST(${this.c(e).sql} AS ${this.d.typeName(to)})`);
  }

  private c(e: ExprNode): Sql {
    const d = this.d;
    switch (e.kind) {
      case 'col': {
        const field = e.qualifier?.length ? structFieldRef(e, this.ctx.schema) : undefined;
        return field ? this.c(field) : hook(this.ctx.ref(e.name), P.ATOM);
      }
      case 'var': return atom(d.ident(e.name));
      case 'lit': return literalSql(d, e.value, e.type);
      case 'call': return this.call(e);
      case 'case': {
        const out = this.typeOf(e);
        const head = e.operand ? `CASE ${this.c(e.operand).sql} ` : 'CASE ';
        const parts = e.branches.map((b) => `WHEN ${this.c(b.when).sql} THEN ${this.coerceValue(b.then, out)}`);
        const other = e.otherwise && !isNullLit(e.otherwise) ? ` ELSE ${this.coerceValue(e.otherwise, out)}` : '';
        return atom(`${head}${parts.join(' ')}${other} END`);
      }
      case 'cast': return this.cast(e.arg, e.to, e.try === true);
      case 'lambda': return this.lambdaSql(e, []);
      case 'udf': return this.udf(e);
      case 'aggregate': case 'over':
        throw new Error('internal: aggregates and window functions are compiled by the plan compiler');
    }
  }

  private call(e: Extract<ExprNode, { kind: 'call' }>): Sql {
    const d = this.d;
    const f = lookupFunction(e.fn)!;
    const r = resolveCall(e, this.ctx.schema, this.origin, this.ctx.ansi ?? false);
    const spelling = spellingFor(f, d.name);
    const fail = (why: string): never => {
      throw new UnsupportedError('NON_PORTABLE_EXPRESSION', `${f.name}() in ${this.ctx.table} has no ${d.title} form: ${why}`,
        { table: this.ctx.table, expression: exprToString(e), function: f.name, dialect: d.name },
        { origin: this.origin, hint: 'rewrite it with functions every target has, or compile with --partial to skip this table' });
    };
    if (spelling === undefined) return fail('no spelling');
    if (typeof spelling === 'object' && 'unsupported' in spelling) return fail(spelling.unsupported);
    if (typeof spelling === 'object' && 'approx' in spelling) this.ctx.onNote?.(`FUNCTION_${f.name.toUpperCase()}`, `${f.name}(): ${spelling.approx}`);
    const s = typeof spelling === 'object' ? spelling.sql : spelling;
    const emit: SqlEmit = {
      dialect: d,
      ansi: this.ctx.ansi ?? false,
      timeZone: this.ctx.timeZone ?? 'UTC',
      args: e.args,
      argTypes: r.argTypes,
      returns: r.resolved.returns,
      literals: r.literals,
      arg: (i, minPrec = P.OR) => paren(this.argSql(e, r, i), minPrec),
      argSql: (i) => this.argSql(e, r, i),
      lambda: (i, opts) => this.lambdaParts(e.args[i], r.resolved.lambdas?.[i] ?? [], opts),
      unsupported: fail,
      coerced: (i, t) => this.coerce(e.args[i], t),
      expr: (x) => this.c(x),
      literal: (v, t) => literalSql(d, v, t).sql,
      note: (code, detail) => {
        if (code === 'INTEGER_OVERFLOW' || code === 'UNICODE_CASE_MAPPING' || code === 'DOUBLE_TO_STRING') this.ctx.onConstruct?.(code);
        else this.ctx.onNote?.(code, detail);
      },
    };
    if (typeof s === 'function') {
      const out = s(emit);
      return typeof out === 'string' ? hook(out, P.ADD) : out;
    }
    return hook(fillTemplate(s, e.args.length, (i) => this.argSql(e, r, i)), P.ADD);
  }

  /** Argument i of a call, brought to its resolved type (a lambda with its parameters' types). */
  private argSql(e: Extract<ExprNode, { kind: 'call' }>, r: ResolvedCall, i: number): Sql {
    const a = e.args[i];
    if (a.kind === 'lambda') return this.lambdaSql(a, r.resolved.lambdas?.[i] ?? []);
    return this.coerce(a, r.argTypes[i]);
  }

  /** A lambda: `x -> body`, `(x, y) -> body`; DuckDB 1.3+ spells it `lambda x, y: body` (its `->` form is deprecated). */
  private lambdaSql(lam: Extract<ExprNode, { kind: 'lambda' }>, paramTypes: readonly DataType[]): Sql {
    const { params, body } = this.lambdaParts(lam, paramTypes);
    if (this.d.name === 'duckdb') return { sql: `lambda ${params.join(', ')}: ${body}`, prec: P.OR };
    return { sql: `${params.length === 1 ? params[0] : `(${params.join(', ')})`} -> ${body}`, prec: P.OR };
  }

  /**
   * A lambda's parameters and body, the body compiled with the parameters
   * known (their types from the function's type rule) and any `extra`
   * variables a spelling binds around it.
   */
  private lambdaParts(lam: ExprNode, paramTypes: readonly DataType[], opts: LambdaOptions = {}): { params: string[]; body: string } {
    if (lam.kind !== 'lambda') throw new Error('internal: not a lambda');
    const shadowed = new Set([...lam.params, ...(opts.extra ?? []).map((f) => f.name)].map(lambdaVarName));
    const inner: Field[] = [
      ...this.ctx.schema.filter((f) => !shadowed.has(f.name)),
      ...lam.params.map((p, k) => ({ name: lambdaVarName(p), type: paramTypes[k] ?? 'string' })),
      ...(opts.extra ?? []).map((f) => ({ name: lambdaVarName(f.name), type: f.type })),
    ];
    const child = new ExprCompiler({ ...this.ctx, schema: inner });
    return { params: lam.params.map((p) => this.d.ident(p)), body: child.c(lam.body).sql };
  }

  /** A branch value of a CASE whose result type is `out` (string→date/timestamp as the engine coerces). */
  private coerceValue(e: ExprNode, out: DataType): string {
    const t = this.typeOf(e);
    if (isNullLit(e) || t === out || (isNumeric(t) && isNumeric(out))) return this.c(e).sql;
    return this.coerce(e, out).sql;
  }

  private cast(arg: ExprNode, to: DataType, isTry: boolean): Sql {
    const from = this.typeOf(arg);
    if (from === to) return this.c(arg);
    if (isNullLit(arg)) return atom(typedNull(this.d, to));
    return this.castTo(arg, from, to, isTry ? 'try' : this.ctx.ansi ? 'ansi' : 'legacy');
  }

  /** Spark's CAST of an expression in a mode (`cast-sql.ts`). */
  private castTo(arg: ExprNode, from: DataType, to: DataType, mode: CastMode): Sql {
    if (this.d.name === 'duckdb' && arg.kind === 'lit') {
      const folded = this.foldCast(arg, from, to, mode);
      if (folded) return folded;
    }
    const sql = castSql(paren(this.c(arg), P.ATOM), from, to, {
      d: this.d, mode, timeZone: this.ctx.timeZone ?? 'UTC',
      note: (code, detail) => this.ctx.onNote?.(code, detail),
      doubleToString: () => this.ctx.onConstruct?.('DOUBLE_TO_STRING'),
    });
    return isAtomText(sql) ? atom(sql) : atom(`(${sql})`);
  }

  /**
   * A CAST of a literal computed by the engine (DuckDB: the spelled-out rules
   * would be long for a constant), or null when it fails (the target fails
   * too) or depends on the batch time (a time-only text).
   */
  private foldCast(arg: Extract<ExprNode, { kind: 'lit' }>, from: DataType, to: DataType, mode: CastMode): Sql | null {
    if (arg.value === null || isNested(to) || isNested(from) || to.startsWith('interval')) return null;
    if (from === 'string' && to === 'timestamp' && /^[\s\x00-\x20]*T?[0-9]{1,2}:/.test(String(arg.value))) return null;
    try {
      const col = sparkCast(constantColumn(arg.type, litValue(arg.value, arg.type), 1), from, to, 1, {
        mode, zone: sessionZone(this.ctx.timeZone ?? 'UTC'), nowUs: 0,
        fail: () => { throw new Error('cast fails'); },
      });
      if (isNullAt(col, 0)) return literalSql(this.d, null, to);
      const v = isDecimal(to) ? decimalText(BigInt((col as DecimalColumn).data[0]), decimalScale(to)) : valueAt(col, 0);
      return literalSql(this.d, v, to);
    } catch {
      return null;
    }
  }

  private udf(e: Extract<ExprNode, { kind: 'udf' }>): Sql {
    const d = this.d;
    const template = e.sql?.[d.name] ?? e.sql?.default;
    if (template === undefined) {
      throw new UnsupportedError('NON_PORTABLE_EXPRESSION',
        `${e.name}() in ${this.ctx.table} is a TypeScript function without a SQL form for ${d.title}`,
        { table: this.ctx.table, expression: exprToString(e), dialect: d.name },
        { origin: this.origin, hint: `give the udf its SQL: udf('${e.name}', { returns: '${e.returns}', sql: '…$1…' }, fn) (or sql: { ${d.name}: '…' }), or compile with --partial to skip this table` });
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

/**
 * Fills a registry template: `$1`… are the arguments, `$*` all of them joined
 * by commas, `$@2` those from the second on. An argument is parenthesised
 * unless it sits alone between `(`/`,` and `,`/`)` or binds tightly enough.
 */
export function fillTemplate(template: string, count: number, arg: (i: number) => Sql): string {
  const all = (from: number) => Array.from({ length: Math.max(0, count - from) }, (_, k) => arg(from + k).sql).join(', ');
  return template.replace(/\$(\*|@\d+|\d+)/g, (m, key: string, offset: number) => {
    if (key === '*') return all(0);
    if (key.startsWith('@')) return all(Number(key.slice(1)) - 1);
    const i = Number(key) - 1;
    if (i >= count) return 'NULL';
    const before = template.slice(0, offset).trimEnd();
    const after = template.slice(offset + m.length).trimStart();
    const alone = /[(,]$/.test(before) && /^[,)]/.test(after);
    return alone ? arg(i).sql : paren(arg(i), P.ATOM);
  });
}
