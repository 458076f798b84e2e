/**
 * Operators and predicates: arithmetic, comparison, boolean logic, NULL tests,
 * BETWEEN and IN, with Spark's semantics.
 *
 * Arithmetic on INT and BIGINT wraps around on overflow unless ANSI mode is
 * on (then ARITHMETIC_OVERFLOW); `/` on numbers gives DOUBLE (DECIMAL for
 * decimals, by Spark's precision rule); a zero divisor gives NULL unless ANSI
 * mode is on (then DIVIDE_BY_ZERO). `div` is integral division (BIGINT).
 * Comparisons bring both sides to one type (engine/functions/coerce.ts).
 * AND, OR and NOT use three-valued logic.
 */
import {
  isNestedColumn, stableText, storageOf,
  type BoolColumn, type Column, type DecimalColumn, type FloatColumn, type IntColumn,
} from '../batch.js';
import { compareStrAt } from '../column/string-column.js';
import { decimalType, isDecimal, isNumeric, type DataType } from '../ir/types.js';
import { P, paren, type Sql } from '../sql/precedence.js';
import { comparisonType, widenNumeric } from './coerce.js';
import { decimalArith, decimalResultType } from './decimal.js';
import { boolColumn, isNull, nullsOf } from './kernels.js';
import { register, type KernelCtx, type ScalarFunction, type SqlEmit, type TypeCtx, type ArgInfo } from './registry.js';
import { isTemporalArith, temporalArithKernel, temporalArithSql, temporalArithType } from './datetime.js';

// ------------------------------------------------------------ arithmetic

type ArithName = '+' | '-' | '*' | '/' | '%' | 'div';

const INT_MIN = -2147483648, INT_MAX = 2147483647;
const LONG_LIMIT = 9223372036854775807;

// Date and time arithmetic (date ± days or INTERVAL, timestamp ± INTERVAL, date − date,
// timestamp − timestamp, interval ± interval) lives with the date functions (datetime-arith.ts):
// each hook below hands `+` and `-` over when an operand is a date, timestamp or interval.
const temporal = (op: ArithName, types: readonly DataType[]): boolean => (op === '+' || op === '-') && isTemporalArith(types);

function arithType(op: ArithName): (args: readonly ArgInfo[], ctx: TypeCtx) => { returns: DataType; args: DataType[] } {
  return (args, ctx) => {
    if (temporal(op, args.map((x) => x.type))) return temporalArithType(op as '+' | '-', args, ctx) as { returns: DataType; args: DataType[] };
    const [a, b] = args;
    const at = a.isNullLiteral ? (b.isNullLiteral ? 'int' : b.type) : a.type;
    const bt = b.isNullLiteral ? at : b.type;
    if (!isNumeric(at) || !isNumeric(bt)) ctx.mismatch(`${op} needs numbers, got ${at} and ${bt}`, 'cast the operands to a numeric type');
    if (isDecimal(at) || isDecimal(bt)) {
      if (at === 'double' || bt === 'double') return { returns: op === 'div' ? 'long' : 'double', args: ['double', 'double'] };
      // An integer literal meeting a decimal counts with its own digits (Spark: DecimalType.fromLiteral).
      const r = decimalResultType(op, literalDecimal(a) ?? at, literalDecimal(b) ?? bt);
      return { returns: r.returns, args: [r.left, r.right] };
    }
    if (op === '/') return { returns: 'double', args: ['double', 'double'] };
    if (op === 'div') return { returns: 'long', args: [widenNumeric(at, bt), widenNumeric(at, bt)] };
    const t = widenNumeric(at, bt);
    return { returns: t, args: [t, t] };
  };
}

function arithKernel(op: ArithName) {
  return (args: readonly Column[], ctx: KernelCtx): Column => {
    if (temporal(op, ctx.argTypes)) return temporalArithKernel(op as '+' | '-', args, ctx);
    if (storageOf(ctx.argTypes[0]) === 'decimal') return decimalArith(op, args[0] as DecimalColumn, args[1] as DecimalColumn, ctx);
    const n = ctx.n;
    const x = (args[0] as IntColumn | FloatColumn).data, y = (args[1] as IntColumn | FloatColumn).data;
    const xn = args[0].type === 'string' ? null : (args[0] as IntColumn).nulls, yn = (args[1] as IntColumn).nulls;
    const out = ctx.returns;
    const isInt = out === 'int';
    const data = isInt ? new Int32Array(n) : new Float64Array(n);
    let nulls: Uint8Array | null = null;
    for (let i = 0; i < n; i++) {
      if ((xn && xn[i]) || (yn && yn[i])) continue;
      const u = x[i], v = y[i];
      let r: number;
      switch (op) {
        case '+': r = u + v; break;
        case '-': r = u - v; break;
        case '*': r = isInt ? Math.imul(u, v) : u * v; break;
        case '/':
          if (v === 0) { if (ctx.ansi) ctx.fail(i, 'DIVIDE_BY_ZERO', 'division by zero'); (nulls ??= new Uint8Array(n))[i] = 1; continue; }
          r = u / v; break;
        case 'div':
          if (v === 0) { if (ctx.ansi) ctx.fail(i, 'DIVIDE_BY_ZERO', 'division by zero'); (nulls ??= new Uint8Array(n))[i] = 1; continue; }
          r = Math.trunc(u / v); break;
        default:
          if (v === 0) { if (ctx.ansi) ctx.fail(i, 'DIVIDE_BY_ZERO', 'remainder by zero'); (nulls ??= new Uint8Array(n))[i] = 1; continue; }
          r = u % v; break;
      }
      if (isInt) {
        if (ctx.ansi && op !== '*' && (r < INT_MIN || r > INT_MAX)) ctx.fail(i, 'ARITHMETIC_OVERFLOW', `integer overflow in ${u} ${op} ${v}`, 'cast the operands to BIGINT first, or use try_add/try_multiply');
        if (ctx.ansi && op === '*' && (u * v < INT_MIN || u * v > INT_MAX)) ctx.fail(i, 'ARITHMETIC_OVERFLOW', `integer overflow in ${u} * ${v}`, 'cast the operands to BIGINT first');
        data[i] = r | 0;
      } else {
        if (ctx.ansi && out === 'long' && Math.abs(r) > LONG_LIMIT) ctx.fail(i, 'ARITHMETIC_OVERFLOW', `long overflow in ${u} ${op} ${v}`);
        data[i] = r;
      }
    }
    return { type: out, data, nulls } as Column;
  };
}

function arithSql(op: ArithName) {
  return (e: SqlEmit): Sql => {
    if (temporal(op, e.argTypes)) return temporalArithSql(op as '+' | '-', e);
    const d = e.dialect;
    // Legacy mode: a zero divisor gives NULL on every target. ANSI mode: the target fails as the engine does.
    if (!e.ansi) {
      if (op === '/') return hookish(d.divide(e.arg(0, P.MUL), e.arg(1, P.MUL + 1)), P.MUL);
      if (op === '%') return hookish(d.modulo(e.arg(0, P.MUL), e.arg(1, P.MUL + 1)), P.MUL);
      if (op === 'div') return hookish(d.intDivide(e.arg(0, P.MUL), e.arg(1, P.MUL + 1)), P.MUL);
    } else if (op === 'div' && d.name === 'duckdb') return hookish(d.intDivide(e.arg(0, P.MUL), e.arg(1, P.MUL + 1)), P.MUL);
    if (e.returns !== 'double' && !isDecimal(e.returns)) e.note('INTEGER_OVERFLOW', 'integer arithmetic that overflows wraps around in Spark (legacy mode) but not in every engine');
    if (isDecimal(e.returns) && d.name === 'duckdb' && (op === '/' || op === '*')) {
      // DuckDB divides decimals in DOUBLE and cannot hold Spark's widest products: cast to Spark's result type.
      e.note('DECIMAL_ARITHMETIC', `DuckDB computes decimal ${op === '/' ? 'division in DOUBLE' : 'products beyond 38 digits differently'}; the result is cast to ${e.returns.toUpperCase()} and can differ in its last digit`);
      const inner = op === '/' ? `CAST(${e.arg(0, P.MUL)} AS DOUBLE) / nullif(${e.arg(1, P.MUL + 1)}, 0)` : `CAST(${e.arg(0, P.MUL)} AS DOUBLE) * ${e.arg(1, P.MUL + 1)}`;
      return { sql: `CAST(${inner} AS ${d.typeName(e.returns)})`, prec: P.ATOM };
    }
    const prec = op === '*' || op === '/' || op === '%' ? P.MUL : P.ADD;
    return { sql: `${e.arg(0, prec)} ${op} ${e.arg(1, prec + 1)}`, prec };
  };
}

/** A dialect hook's text: an atom when it is one call, else at the given precedence. */
function hookish(sql: string, prec: number): Sql {
  return /^[A-Za-z_][A-Za-z0-9_]*\(.*\)$/s.test(sql) && balanced(sql) ? { sql, prec: P.ATOM } : { sql, prec };
}

function balanced(s: string): boolean {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) { if (c === quote) quote = ''; continue; }
    if (c === "'") { quote = c; continue; }
    if (c === '(') depth++;
    else if (c === ')') { depth--; if (depth === 0 && i !== s.length - 1) return false; }
  }
  return depth === 0;
}

const arithDoc: Record<ArithName, { sig: string; summary: string; ex: { sql: string; result: string }[] }> = {
  '+': { sig: 'expr1 + expr2', summary: 'Sum of two numbers (date/timestamp plus an interval: see the date functions).', ex: [{ sql: '1 + 2', result: '3' }] },
  '-': { sig: 'expr1 - expr2', summary: 'Difference of two numbers.', ex: [{ sql: '2 - 1', result: '1' }] },
  '*': { sig: 'expr1 * expr2', summary: 'Product of two numbers.', ex: [{ sql: '2 * 3', result: '6' }] },
  '/': { sig: 'expr1 / expr2', summary: 'Division: DOUBLE for integers and doubles, DECIMAL for decimals; a zero divisor gives NULL (ANSI: DIVIDE_BY_ZERO).', ex: [{ sql: '3 / 2', result: '1.5' }, { sql: '2L / 2L', result: '1.0' }] },
  '%': { sig: 'expr1 % expr2', summary: 'Remainder, with the sign of the dividend; a zero divisor gives NULL (ANSI: DIVIDE_BY_ZERO).', ex: [{ sql: '2 % 1.8', result: '0.2' }] },
  div: { sig: 'expr1 div expr2', summary: 'Integral division (BIGINT), truncated toward zero. TypeScript: `intDiv()`.', ex: [{ sql: '3 div 2', result: '1' }] },
};

/** The minimal decimal type of an integer literal (`3` is DECIMAL(1,0)), else null. */
function literalDecimal(a: ArgInfo): DataType | null {
  if ((a.type !== 'int' && a.type !== 'long') || typeof a.literal !== 'number') return null;
  return decimalType(Math.max(1, String(Math.abs(a.literal)).length), 0);
}

const arithmetic: ScalarFunction[] = (['+', '-', '*', '/', '%', 'div'] as const).map((op) => ({
  name: op,
  aliases: op === '%' ? ['mod'] : [],
  family: 'operator',
  arity: [2, 2],
  signature: arithDoc[op].sig,
  summary: arithDoc[op].summary,
  examples: arithDoc[op].ex,
  nulls: 'propagate',
  type: arithType(op),
  kernel: arithKernel(op),
  sql: { default: arithSql(op) },
  text: (a) => (op === 'div' ? `(${a[0]} div ${a[1]})` : `(${a[0]} ${op} ${a[1]})`),
  ...(op === '/' || op === '*' ? { notes: 'DuckDB: on decimals it is computed in DOUBLE and cast to the Spark result type (reported as DECIMAL_ARITHMETIC).' } : {}),
}));

const unaryMinus: ScalarFunction = {
  name: 'negative',
  family: 'operator',
  arity: [1, 1],
  signature: '- expr',
  summary: 'The negated value.',
  examples: [{ sql: 'negative(1)', result: '-1' }],
  nulls: 'propagate',
  type: (args, ctx) => {
    if (!isNumeric(args[0].type) && !args[0].type.startsWith('interval')) ctx.mismatch(`- needs a number, got ${args[0].type}`);
    return { returns: args[0].type };
  },
  kernel: (args, ctx) => {
    if (storageOf(ctx.returns) === 'decimal') {
      const c = args[0] as DecimalColumn;
      const data = c.data instanceof BigInt64Array ? c.data.map((v) => -v) : c.data.map((v) => -v);
      return { type: c.type, data, nulls: c.nulls };
    }
    const c = args[0] as IntColumn | FloatColumn;
    // -(-2147483648) wraps around to itself (ANSI: ARITHMETIC_OVERFLOW); so does the smallest BIGINT
    const min = ctx.returns === 'int' ? INT_MIN : ctx.returns === 'long' ? -LONG_LIMIT - 1 : NaN;
    if (ctx.ansi) for (let i = 0; i < ctx.n; i++) if (c.data[i] === min && !(c.nulls && c.nulls[i])) ctx.fail(i, 'ARITHMETIC_OVERFLOW', `-(${min}) does not fit ${ctx.returns === 'int' ? 'an INT' : 'a BIGINT'}`, 'cast the operand to a wider type first');
    const data = c.data instanceof Int32Array ? c.data.map((v) => -v | 0) : c.data.map((v) => (v === 0 || v === min ? v : -v));
    return { ...c, data } as Column;
  },
  sql: { default: (e) => ({ sql: `-${e.arg(0, P.UNARY)}`, prec: P.UNARY }) },
  text: (a) => `(- ${a[0]})`,
};

// ------------------------------------------------------------ comparison

type CmpName = '=' | '<>' | '<' | '<=' | '>' | '>=' | '<=>';

function cmpType(args: readonly ArgInfo[], ctx: TypeCtx): { returns: DataType; args: DataType[] } {
  const [a, b] = args;
  const t = comparisonType(a.type, b.type, a.isNullLiteral, b.isNullLiteral, !ctx.ansi);
  if (t === null) ctx.mismatch(`cannot compare ${a.type} with ${b.type}`, ctx.ansi ? undefined : 'cast one side (in legacy mode a string is not compared with a number implicitly)');
  return { returns: 'boolean', args: [t!, t!] };
}

function cmpResult(op: CmpName, c: number): number {
  switch (op) {
    case '=': case '<=>': return c === 0 ? 1 : 0;
    case '<>': return c !== 0 ? 1 : 0;
    case '<': return c < 0 ? 1 : 0;
    case '<=': return c <= 0 ? 1 : 0;
    case '>': return c > 0 ? 1 : 0;
    default: return c >= 0 ? 1 : 0;
  }
}

/** Compares row i of two columns of the same type (both non-NULL): negative, zero or positive. */
export function compareAt(a: Column, b: Column, i: number, j = i): number {
  if (a.type === 'string') return compareStrAt(a, i, b as typeof a, j);
  if (isNestedColumn(a)) {
    const x = stableText(a.data[i]), y = stableText((b as typeof a).data[j]);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = (a as IntColumn | FloatColumn | DecimalColumn).data[i], y = (b as IntColumn | FloatColumn | DecimalColumn).data[j];
  if (typeof x === 'number' && typeof y === 'number' && (x !== x || y !== y)) {
    // Spark: NaN equals NaN and is greater than every other number.
    return x !== x ? (y !== y ? 0 : 1) : -1;
  }
  return x < y ? -1 : x > y ? 1 : 0;
}

function cmpKernel(op: CmpName) {
  return (args: readonly Column[], ctx: KernelCtx): Column => {
    const [a, b] = args;
    const n = ctx.n;
    const data = new Uint8Array(n);
    if (op === '<=>') {
      for (let i = 0; i < n; i++) {
        const an = isNull(a, i), bn = isNull(b, i);
        data[i] = an || bn ? (an && bn ? 1 : 0) : cmpResult('=', compareAt(a, b, i));
      }
      return boolColumn(data, null);
    }
    if (a.type !== 'string' && !isNestedColumn(a) && storageOf(a.type) !== 'decimal' && a.type !== 'boolean') {
      const xd = (a as IntColumn | FloatColumn).data, yd = (b as IntColumn | FloatColumn).data;
      let nan = false;
      switch (op) {
        case '=': for (let i = 0; i < n; i++) data[i] = xd[i] === yd[i] ? 1 : 0; break;
        case '<>': for (let i = 0; i < n; i++) data[i] = xd[i] !== yd[i] ? 1 : 0; break;
        case '<': for (let i = 0; i < n; i++) data[i] = xd[i] < yd[i] ? 1 : 0; break;
        case '<=': for (let i = 0; i < n; i++) data[i] = xd[i] <= yd[i] ? 1 : 0; break;
        case '>': for (let i = 0; i < n; i++) data[i] = xd[i] > yd[i] ? 1 : 0; break;
        default: for (let i = 0; i < n; i++) data[i] = xd[i] >= yd[i] ? 1 : 0; break;
      }
      if (a.type === 'double') for (let i = 0; i < n && !nan; i++) nan = xd[i] !== xd[i] || yd[i] !== yd[i];
      if (nan) for (let i = 0; i < n; i++) if (xd[i] !== xd[i] || yd[i] !== yd[i]) data[i] = cmpResult(op, compareAt(a, b, i));
      return boolColumn(data, null);
    }
    if (a.type === 'boolean') {
      const x = a.data, y = (b as BoolColumn).data;
      for (let i = 0; i < n; i++) data[i] = cmpResult(op, x[i] - y[i]);
      return boolColumn(data, null);
    }
    for (let i = 0; i < n; i++) if (!isNull(a, i) && !isNull(b, i)) data[i] = cmpResult(op, compareAt(a, b, i));
    return boolColumn(data, null);
  };
}

const cmpDoc: Record<CmpName, string> = {
  '=': 'Equal (NULL when either side is NULL).',
  '<>': 'Not equal.',
  '<': 'Less than.',
  '<=': 'Less than or equal.',
  '>': 'Greater than.',
  '>=': 'Greater than or equal.',
  '<=>': 'Null-safe equal: TRUE when both are NULL, FALSE when one is.',
};

const comparison: ScalarFunction[] = (['=', '<>', '<', '<=', '>', '>=', '<=>'] as const).map((op) => ({
  name: op,
  aliases: op === '=' ? ['=='] : op === '<>' ? ['!='] : [],
  family: 'operator',
  arity: [2, 2],
  signature: `expr1 ${op} expr2`,
  summary: cmpDoc[op],
  examples: [{ sql: op === '<=>' ? 'NULL <=> NULL' : `1 ${op} 2`, result: op === '<=>' ? 'true' : String(cmpResult(op, -1) === 1) }],
  nulls: op === '<=>' ? 'custom' : 'propagate',
  type: cmpType,
  kernel: cmpKernel(op),
  sql: {
    default: (e) => ({ sql: `${e.arg(0, P.ADD)} ${op} ${e.arg(1, P.ADD)}`, prec: P.CMP }),
    duckdb: op === '<=>' ? (e) => ({ sql: `${e.arg(0, P.ADD)} IS NOT DISTINCT FROM ${e.arg(1, P.ADD)}`, prec: P.CMP }) : undefined,
  },
  text: (a) => `(${a[0]} ${op} ${a[1]})`,
}));
for (const f of comparison) if ((f.sql as { duckdb?: unknown }).duckdb === undefined) delete (f.sql as { duckdb?: unknown }).duckdb;

// ------------------------------------------------------------ logic

function boolArgs(name: string) {
  return (args: readonly ArgInfo[], ctx: TypeCtx) => {
    for (const a of args) if (a.type !== 'boolean' && !a.isNullLiteral) ctx.mismatch(`${name} needs booleans, got ${a.type}`);
    return { returns: 'boolean' as DataType, args: args.map(() => 'boolean' as DataType) };
  };
}

function and2(a: BoolColumn, b: BoolColumn, n: number): BoolColumn {
  const data = new Uint8Array(n);
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const an = a.nulls !== null && a.nulls[i] === 1, bn = b.nulls !== null && b.nulls[i] === 1;
    const af = !an && a.data[i] === 0, bf = !bn && b.data[i] === 0;
    if (af || bf) continue;
    if (an || bn) { (nulls ??= new Uint8Array(n))[i] = 1; continue; }
    data[i] = 1;
  }
  return boolColumn(data, nulls);
}

function or2(a: BoolColumn, b: BoolColumn, n: number): BoolColumn {
  const data = new Uint8Array(n);
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const an = a.nulls !== null && a.nulls[i] === 1, bn = b.nulls !== null && b.nulls[i] === 1;
    if ((!an && a.data[i] === 1) || (!bn && b.data[i] === 1)) { data[i] = 1; continue; }
    if (an || bn) (nulls ??= new Uint8Array(n))[i] = 1;
  }
  return boolColumn(data, nulls);
}

const logic: ScalarFunction[] = [
  {
    name: 'and', family: 'operator', arity: [0, Infinity], signature: 'expr1 AND expr2', summary: 'Logical AND (three-valued: FALSE wins over NULL).',
    examples: [{ sql: 'true AND NULL', result: 'NULL' }, { sql: 'false AND NULL', result: 'false' }], nulls: 'custom', type: boolArgs('AND'),
    kernel: (args, ctx) => args.length === 0 ? boolColumn(new Uint8Array(ctx.n).fill(1), null) : args.slice(1).reduce<BoolColumn>((acc, c) => and2(acc, c as BoolColumn, ctx.n), args[0] as BoolColumn),
    sql: { default: (e) => e.args.length === 0 ? { sql: 'TRUE', prec: P.ATOM } : { sql: e.args.map((_, i) => e.arg(i, P.AND + 1)).join(' AND '), prec: P.AND } },
    text: (a) => `(${a.join(' AND ')})`,
  },
  {
    name: 'or', family: 'operator', arity: [0, Infinity], signature: 'expr1 OR expr2', summary: 'Logical OR (three-valued: TRUE wins over NULL).',
    examples: [{ sql: 'true OR NULL', result: 'true' }, { sql: 'false OR NULL', result: 'NULL' }], nulls: 'custom', type: boolArgs('OR'),
    kernel: (args, ctx) => args.length === 0 ? boolColumn(new Uint8Array(ctx.n), null) : args.slice(1).reduce<BoolColumn>((acc, c) => or2(acc, c as BoolColumn, ctx.n), args[0] as BoolColumn),
    sql: { default: (e) => e.args.length === 0 ? { sql: 'FALSE', prec: P.ATOM } : { sql: e.args.map((_, i) => e.arg(i, P.OR + 1)).join(' OR '), prec: P.OR } },
    text: (a) => `(${a.join(' OR ')})`,
  },
  {
    name: 'not', aliases: ['!'], family: 'operator', arity: [1, 1], signature: 'NOT expr', summary: 'Logical negation (NULL stays NULL).',
    examples: [{ sql: 'NOT true', result: 'false' }], nulls: 'propagate', type: boolArgs('NOT'),
    kernel: (args, ctx) => {
      const c = args[0] as BoolColumn;
      const data = new Uint8Array(ctx.n);
      for (let i = 0; i < ctx.n; i++) data[i] = c.data[i] ^ 1;
      return boolColumn(data, c.nulls);
    },
    sql: { default: (e) => ({ sql: `NOT ${e.arg(0, P.ATOM)}`, prec: P.NOT }) },
    text: (a) => `(NOT ${a[0]})`,
  },
];

// ------------------------------------------------------------ NULL tests, BETWEEN, IN

function nullTest(name: 'isnull' | 'isnotnull'): ScalarFunction {
  const negated = name === 'isnotnull';
  return {
    name, family: 'operator', arity: [1, 1], signature: negated ? 'expr IS NOT NULL' : 'expr IS NULL',
    summary: negated ? 'TRUE when the value is not NULL.' : 'TRUE when the value is NULL.',
    examples: [{ sql: negated ? 'isnotnull(1)' : 'isnull(1)', result: negated ? 'true' : 'false' }],
    nulls: 'custom',
    type: () => ({ returns: 'boolean' }),
    kernel: (args, ctx) => {
      const m = nullsOf(args[0]);
      const data = new Uint8Array(ctx.n);
      for (let i = 0; i < ctx.n; i++) data[i] = ((m !== null && m[i] === 1) ? 1 : 0) ^ (negated ? 1 : 0);
      return boolColumn(data, null);
    },
    sql: { default: (e) => ({ sql: `${e.arg(0, P.ADD)} IS ${negated ? 'NOT ' : ''}NULL`, prec: P.PRED }) },
    text: (a) => `(${a[0]} IS ${negated ? 'NOT ' : ''}NULL)`,
  };
}

const between: ScalarFunction = {
  name: 'between', family: 'operator', arity: [3, 3], signature: 'expr BETWEEN lower AND upper',
  summary: 'lower <= expr AND expr <= upper (inclusive; NULL when a needed comparison is NULL).',
  examples: [{ sql: '2 BETWEEN 1 AND 3', result: 'true' }],
  nulls: 'custom',
  type: (args, ctx) => {
    const [x, lo, hi] = args;
    const tl = comparisonType(x.type, lo.type, x.isNullLiteral, lo.isNullLiteral, !ctx.ansi);
    const th = comparisonType(x.type, hi.type, x.isNullLiteral, hi.isNullLiteral, !ctx.ansi);
    if (tl === null) ctx.mismatch(`cannot compare ${x.type} with ${lo.type}`);
    if (th === null) ctx.mismatch(`cannot compare ${x.type} with ${hi.type}`);
    return { returns: 'boolean' };
  },
  kernel: (args, ctx) => {
    // The arguments come uncoerced; compare each pair in its own comparison type.
    const [x, lo, hi] = args;
    const [tx, tl, th] = ctx.argTypes;
    const ge = comparePair('>=', x, tx, lo, tl, ctx), le = comparePair('<=', x, tx, hi, th, ctx);
    return and2(ge, le, ctx.n);
  },
  sql: {
    default: (e) => {
      const [tx, tl, th] = e.argTypes;
      const lt = comparisonType(tx, tl)!, ht = comparisonType(tx, th)!;
      const isNullLit = (i: number) => e.args[i].kind === 'lit' && (e.args[i] as { value: unknown }).value === null;
      const lType = isNullLit(1) ? tx : lt, hType = isNullLit(2) ? tx : ht;
      if (lType !== hType) {
        const ge = e.expr({ kind: 'call', fn: '>=', args: [e.args[0], e.args[1]] }), le = e.expr({ kind: 'call', fn: '<=', args: [e.args[0], e.args[2]] });
        return { sql: `${paren(ge, P.AND + 1)} AND ${paren(le, P.AND + 1)}`, prec: P.AND };
      }
      return { sql: `${paren(e.coerced(0, lType), P.ADD)} BETWEEN ${paren(e.coerced(1, lType), P.ADD)} AND ${paren(e.coerced(2, lType), P.ADD)}`, prec: P.PRED };
    },
  },
  text: (a) => `(${a[0]} BETWEEN ${a[1]} AND ${a[2]})`,
};

/** One comparison of two differently typed columns, each cast to their comparison type by the caller's ctx. */
function comparePair(op: CmpName, a: Column, ta: DataType, b: Column, tb: DataType, ctx: KernelCtx): BoolColumn {
  const t = comparisonType(ta, tb) ?? ta;
  const x = ctx.coerce(a, ta, t), y = ctx.coerce(b, tb, t);
  const r = cmpKernel(op)([x, y], ctx) as BoolColumn;
  const m = nullsOf(x), k = nullsOf(y);
  if (!m && !k) return r;
  const nulls = new Uint8Array(ctx.n);
  for (let i = 0; i < ctx.n; i++) nulls[i] = (m ? m[i] : 0) | (k ? k[i] : 0);
  return boolColumn(r.data, nulls);
}

const inList: ScalarFunction = {
  name: 'in', family: 'operator', arity: [1, Infinity], signature: 'expr IN (value1, value2, ...)',
  summary: 'TRUE when expr equals a value of the list; NULL when nothing matches and a NULL is involved.',
  examples: [{ sql: '1 IN (1, 2)', result: 'true' }, { sql: '3 IN (1, NULL)', result: 'NULL' }],
  nulls: 'custom',
  type: (args, ctx) => {
    let t = args[0].type;
    let any = !args[0].isNullLiteral;
    for (const a of args.slice(1)) {
      if (a.isNullLiteral) continue;
      if (!any) { t = a.type; any = true; continue; }
      const c = comparisonType(t, a.type, false, false, !ctx.ansi);
      if (c === null) ctx.mismatch(`cannot compare ${t} with ${a.type}`);
      t = c!;
    }
    return { returns: 'boolean', args: args.map(() => t) };
  },
  kernel: (args, ctx) => {
    const n = ctx.n;
    const x = args[0];
    const data = new Uint8Array(n);
    let nulls: Uint8Array | null = null;
    for (let i = 0; i < n; i++) {
      if (isNull(x, i)) { (nulls ??= new Uint8Array(n))[i] = 1; continue; }
      let sawNull = false;
      for (let k = 1; k < args.length; k++) {
        const c = args[k];
        if (isNull(c, i)) { sawNull = true; continue; }
        if (compareAt(x, c, i) === 0) { data[i] = 1; break; }
      }
      if (!data[i] && sawNull) (nulls ??= new Uint8Array(n))[i] = 1;
    }
    return boolColumn(data, nulls);
  },
  sql: {
    default: (e) => {
      if (e.args.length === 1) return { sql: 'FALSE', prec: P.ATOM };
      const items = e.args.slice(1).map((_, k) => e.arg(k + 1, P.ADD));
      return { sql: `${e.arg(0, P.ADD)} IN (${items.join(', ')})`, prec: P.PRED };
    },
  },
  text: (a) => `(${a[0]} IN (${a.slice(1).join(', ')}))`,
};

register([...arithmetic, unaryMinus, ...comparison, ...logic, nullTest('isnull'), nullTest('isnotnull'), between, inList]);
