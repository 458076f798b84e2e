/**
 * Math functions with Spark 4.1's semantics.
 *
 * - Rounding (`round` HALF_UP, `bround` HALF_EVEN, `floor`, `ceil` with an
 *   optional scale) is exact on decimals with Spark's result types; a DOUBLE
 *   is rounded through its decimal text (Spark's `BigDecimal(d)`), so
 *   `round(0.125D, 2)` is 0.13 and `round(2.5D)` is 3.0.
 * - `floor`/`ceil` of a DOUBLE give a BIGINT; of a decimal, a decimal.
 * - Logarithms of zero or a negative number are NULL (`ln(0)`), square roots
 *   of negative numbers NaN, as in Spark.
 * - Integer overflow (`abs(-2147483648)`, `round(2147483647, -1)`) wraps
 *   around unless ANSI mode is on (then ARITHMETIC_OVERFLOW); `pmod` by zero
 *   is NULL (ANSI: DIVIDE_BY_ZERO); the `try_` arithmetic never fails.
 *
 * Functions of doubles take any number (it is brought to DOUBLE).
 */
import { newDecimalData, type Column, type DecimalColumn, type FloatColumn, type IntColumn } from '../batch.js';
import { decimalType, isDecimal, isInterval, isNumeric, type DataType, type DecimalType } from '../ir/types.js';
import { P, type Sql } from '../sql/precedence.js';
import { doubleToBigDecimal, decimalText } from '../expr/cast-text.js';
import { boundedDecimal, decimalParts } from './coerce.js';
import { decimalArith, roundUnscaled, type RoundingMode } from './decimal.js';
import { lookupFunction, register, type ArgInfo, type Kernel, type KernelCtx, type Resolved, type ScalarFunction, type SqlEmit, type TypeCtx } from './registry.js';

const INT_MIN = -2147483648, INT_MAX = 2147483647;
const TWO_63 = 9223372036854775808;

// ------------------------------------------------------------ type rules

function requireNumber(a: ArgInfo, ctx: TypeCtx): void {
  if (!a.isNullLiteral && !isNumeric(a.type)) ctx.mismatch(`${ctx.fn}() needs a number, got ${a.type}`, 'cast the argument to a numeric type');
}

/** Every argument a number, brought to DOUBLE; the result DOUBLE. */
function doubles(args: readonly ArgInfo[], ctx: TypeCtx): Resolved {
  for (const a of args) requireNumber(a, ctx);
  return { returns: 'double', args: args.map(() => 'double' as DataType) };
}

/** The type of a number argument (an untyped NULL is INT). */
function numType(a: ArgInfo): DataType {
  return a.isNullLiteral ? 'int' : a.type;
}

/** A constant INT argument (a scale), or null for a NULL literal. */
function constInt(a: ArgInfo | undefined, ctx: TypeCtx, what: string): number | null {
  if (a === undefined) return 0;
  if (a.isNullLiteral) return null;
  if (a.type !== 'int' || typeof a.literal !== 'number') ctx.mismatch(`the ${what} of ${ctx.fn}() must be a constant INT`, `write the ${what} as a number, e.g. ${ctx.fn}(x, 2)`);
  return a.literal as number;
}

/** Spark's RoundBase result type of a decimal rounded to `scale` digits. */
function roundedDecimal(t: DecimalType, scale: number): DecimalType {
  const { precision: p, scale: s } = decimalParts(t);
  const intDigits = p - s + 1;
  if (scale < 0) return decimalType(Math.min(Math.max(intDigits, -scale + 1), 38), 0);
  const ns = Math.min(s, scale);
  return decimalType(Math.min(intDigits + ns, 38), ns);
}

// ------------------------------------------------------------ kernels

function dataOf(c: Column): ArrayLike<number> {
  return (c as IntColumn | FloatColumn).data;
}

/** A DOUBLE → DOUBLE kernel; `nullIf` marks inputs whose result is NULL (a logarithm of 0). */
function mapDouble(f: (x: number) => number, nullIf?: (x: number) => boolean): Kernel {
  return (args, ctx) => {
    const x = dataOf(args[0]);
    const out = new Float64Array(ctx.n);
    let nulls: Uint8Array | null = null;
    for (let i = 0; i < ctx.n; i++) {
      if (nullIf && nullIf(x[i])) { (nulls ??= new Uint8Array(ctx.n))[i] = 1; continue; }
      out[i] = f(x[i]);
    }
    return { type: 'double', data: out, nulls };
  };
}

function mapDouble2(f: (a: number, b: number) => number, nullIf?: (a: number, b: number) => boolean): Kernel {
  return (args, ctx) => {
    const x = dataOf(args[0]), y = dataOf(args[1]);
    const out = new Float64Array(ctx.n);
    let nulls: Uint8Array | null = null;
    for (let i = 0; i < ctx.n; i++) {
      if (nullIf && nullIf(x[i], y[i])) { (nulls ??= new Uint8Array(ctx.n))[i] = 1; continue; }
      out[i] = f(x[i], y[i]);
    }
    return { type: 'double', data: out, nulls };
  };
}

function constant(v: number): Kernel {
  return (_args, ctx) => ({ type: 'double', data: new Float64Array(ctx.n).fill(v), nulls: null });
}

/** Whether a BIGINT result is one the engine holds exactly (a double). */
function exactLong(v: bigint): boolean {
  return BigInt(Number(v)) === v;
}

// ------------------------------------------------------------ abs, positive

const absFn: ScalarFunction = {
  name: 'abs', family: 'math', arity: [1, 1], signature: 'abs(expr)',
  summary: 'The absolute value. abs(-2147483648) wraps around (ANSI: ARITHMETIC_OVERFLOW).',
  examples: [{ sql: 'abs(-1)', result: '1' }, { sql: 'abs(-2.50)', result: '2.50' }],
  nulls: 'propagate',
  type: (args, ctx) => {
    if (!args[0].isNullLiteral && !isNumeric(args[0].type) && !isInterval(args[0].type)) ctx.mismatch(`abs() needs a number or an interval, got ${args[0].type}`);
    return { returns: numType(args[0]), args: [numType(args[0])] };
  },
  kernel: (args, ctx) => {
    const t = ctx.returns;
    if (isDecimal(t)) {
      const c = args[0] as DecimalColumn;
      const data = newDecimalData(t, ctx.n);
      for (let i = 0; i < ctx.n; i++) { const v = BigInt(c.data[i]); (data as bigint[])[i] = v < 0n ? -v : v; }
      return { type: t, data, nulls: c.nulls } as Column;
    }
    const x = dataOf(args[0]);
    const nulls = (args[0] as IntColumn).nulls;
    if (t === 'int' || t === 'interval year to month') {
      const out = new Int32Array(ctx.n);
      for (let i = 0; i < ctx.n; i++) {
        if (x[i] === INT_MIN && !(nulls && nulls[i]) && ctx.ansi) ctx.fail(i, 'ARITHMETIC_OVERFLOW', `abs(${x[i]}) does not fit an INT`, 'cast the argument to BIGINT first, or set the pipeline\'s ANSI mode off');
        out[i] = Math.abs(x[i]) | 0;
      }
      return { type: t, data: out, nulls } as Column;
    }
    const out = new Float64Array(ctx.n);
    for (let i = 0; i < ctx.n; i++) {
      // BIGINT: abs(-2^63) wraps around to itself
      if (t === 'long' && x[i] === -TWO_63) { if (ctx.ansi && !(nulls && nulls[i])) ctx.fail(i, 'ARITHMETIC_OVERFLOW', `abs(${x[i]}) does not fit a BIGINT`); out[i] = x[i]; continue; }
      out[i] = Math.abs(x[i]);
    }
    return { type: t, data: out, nulls } as Column;
  },
  sql: {
    default: 'abs($1)',
    duckdb: (e) => {
      if (e.returns === 'int' || e.returns === 'long') e.note('INTEGER_OVERFLOW', 'abs() of the smallest INT or BIGINT fails in DuckDB; the engine wraps around as Spark does');
      return `abs(${e.arg(0)})`;
    },
  },
};

const positiveFn: ScalarFunction = {
  name: 'positive', family: 'math', arity: [1, 1], signature: 'positive(expr)', summary: 'The value itself (unary plus).',
  examples: [{ sql: 'positive(-25)', result: '-25' }],
  nulls: 'propagate',
  type: (args, ctx) => {
    if (!args[0].isNullLiteral && !isNumeric(args[0].type) && !isInterval(args[0].type)) ctx.mismatch(`positive() needs a number or an interval, got ${args[0].type}`);
    return { returns: numType(args[0]), args: [numType(args[0])] };
  },
  kernel: (args) => args[0],
  sql: { default: 'positive($1)', duckdb: (e) => ({ sql: `+${e.arg(0, P.UNARY)}`, prec: P.UNARY }) },
};

// ------------------------------------------------------------ round, bround, floor, ceil

/**
 * Rounds a column of numbers to `scale` digits with a rounding mode, as
 * Spark's RoundBase does: integers with a negative scale (wrapping around on
 * overflow, ANSI: ARITHMETIC_OVERFLOW), decimals exactly to the result type,
 * doubles through their decimal text.
 */
function roundColumn(c: Column, from: DataType, to: DataType, scale: number, mode: RoundingMode, ctx: KernelCtx): Column {
  const n = ctx.n;
  const srcNulls = (c as IntColumn).nulls;
  let nulls: Uint8Array | null = srcNulls ? srcNulls.slice() : null;
  const setNull = (i: number) => { (nulls ??= new Uint8Array(n))[i] = 1; };
  const skip = (i: number) => srcNulls !== null && srcNulls[i] === 1;
  if (isDecimal(to)) {
    const { precision, scale: ts } = decimalParts(to);
    const limit = 10n ** BigInt(precision);
    const data = newDecimalData(to as DecimalType, n);
    const fromScale = isDecimal(from) ? decimalParts(from).scale : 0;
    for (let i = 0; i < n; i++) {
      if (skip(i)) continue;
      let u: bigint, s: number;
      if (isDecimal(from)) { u = BigInt((c as DecimalColumn).data[i]); s = fromScale; }
      else if (from === 'double') {
        const x = dataOf(c)[i];
        if (!Number.isFinite(x)) { setNull(i); continue; }
        const b = doubleToBigDecimal(x); u = b.unscaled; s = b.scale;
      } else { u = BigInt(dataOf(c)[i]); s = 0; }
      // round at `scale`, then express at the result's scale
      const r = roundUnscaled(roundUnscaled(u, s, scale, mode), scale, ts, 'down');
      if (r >= limit || r <= -limit) {
        if (ctx.ansi) ctx.fail(i, 'NUMERIC_VALUE_OUT_OF_RANGE', `${decimalText(r, ts)} does not fit ${to.toUpperCase()}`);
        setNull(i);
        continue;
      }
      (data as bigint[])[i] = r;
    }
    return { type: to as DecimalType, data, nulls } as Column;
  }
  const x = dataOf(c);
  if (to === 'double') {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = x[i];
      if (!Number.isFinite(v)) { out[i] = v; continue; }
      const b = doubleToBigDecimal(v);
      out[i] = Number(decimalText(roundUnscaled(b.unscaled, b.scale, scale, mode), Math.max(scale, 0)) + (scale < 0 ? 'e' + -scale : ''));
    }
    return { type: 'double', data: out, nulls };
  }
  // INT, BIGINT (a long result from floor/ceil of a DOUBLE is handled by the caller)
  const isInt = to === 'int';
  const out = isInt ? new Int32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (skip(i)) continue;
    if (scale >= 0) { out[i] = x[i]; continue; }
    const r = roundUnscaled(BigInt(x[i]), 0, scale, mode) * 10n ** BigInt(-scale);
    const fits = isInt ? r >= -2147483648n && r <= 2147483647n : r >= -(2n ** 63n) && r < 2n ** 63n;
    if (!fits && ctx.ansi) ctx.fail(i, 'ARITHMETIC_OVERFLOW', `${ctx.returns === to ? 'rounding' : 'the result'} of ${x[i]} does not fit ${to === 'int' ? 'an INT' : 'a BIGINT'}`, 'cast the argument to a wider type first, or set the pipeline\'s ANSI mode off');
    const w = BigInt.asIntN(isInt ? 32 : 64, r); // wraps around, as Spark's intValue/longValue
    if (!isInt && !exactLong(w)) { setNull(i); continue; }
    out[i] = Number(w);
  }
  return { type: to, data: out, nulls } as Column;
}

function roundType() {
  return (args: readonly ArgInfo[], ctx: TypeCtx): Resolved => {
    requireNumber(args[0], ctx);
    const scale = constInt(args[1], ctx, 'scale');
    const t = numType(args[0]);
    if (isDecimal(t)) return { returns: roundedDecimal(t, scale ?? 0), args: [t] };
    return { returns: t, args: [t] };
  };
}

function roundKernel(mode: RoundingMode): Kernel {
  return (args, ctx) => {
    const scale = args.length > 1 ? (ctx.literals[1] as number | null | undefined) : 0;
    if (scale === null || scale === undefined) return nullsOf(ctx);
    return roundColumn(args[0], ctx.argTypes[0], ctx.returns, scale, mode, ctx);
  };
}

function nullsOf(ctx: KernelCtx): Column {
  const t = ctx.returns;
  if (isDecimal(t)) return { type: t, data: newDecimalData(t, ctx.n), nulls: new Uint8Array(ctx.n).fill(1) } as Column;
  if (t === 'int') return { type: 'int', data: new Int32Array(ctx.n), nulls: new Uint8Array(ctx.n).fill(1) };
  return { type: t, data: new Float64Array(ctx.n), nulls: new Uint8Array(ctx.n).fill(1) } as Column;
}

/**
 * DuckDB: exact rounding of a decimal (or of a double through its decimal
 * text) to `scale` digits, then to the result type: `round` rounds half away
 * from zero as Spark's HALF_UP; half-even, floor and ceiling are built from it.
 */
function duckRound(e: SqlEmit, mode: RoundingMode, scale: number): string {
  const from = e.argTypes[0];
  const x = e.arg(0, P.ATOM);
  const T = e.dialect.typeName(e.returns);
  if (from === 'int' || from === 'long') {
    if (scale >= 0) return x;
    e.note('INTEGER_OVERFLOW', `${mode === 'half_up' ? 'round' : 'bround'}() of an integer near its type's limit wraps around in the engine (as Spark) and may fail in DuckDB`);
    return decRound(`CAST(${x} AS DECIMAL(38, 0))`, mode, scale, `CAST(%s AS ${T})`);
  }
  if (from === 'double') {
    // Spark rounds a double's decimal text: go through DECIMAL(38, 18) where it holds the value
    const dec = `CAST(CAST(${x} AS VARCHAR) AS DECIMAL(38, 18))`;
    const exact = decRound(dec, mode, Math.min(scale, 18), 'CAST(%s AS DOUBLE)');
    return `CASE WHEN isfinite(${x}) AND abs(${x}) < 1e20 THEN ${exact} ELSE ${scale >= 0 ? x : `${mode === 'half_even' ? 'round_even' : 'round'}(${x}, ${scale})`} END`;
  }
  return decRound(x, mode, scale, `CAST(%s AS ${T})`);
}

/** A decimal SQL value rounded exactly to `scale` digits, wrapped by `wrap` (`%s` is the value). */
function decRound(x: string, mode: RoundingMode, scale: number, wrap: string): string {
  const up = scale >= 0 ? `CAST('1${'0'.repeat(scale)}' AS DECIMAL(${scale + 1}, 0))` : `CAST('0.${'0'.repeat(-scale - 1)}1' AS DECIMAL(${-scale}, ${-scale}))`;
  const down = scale >= 0 ? `CAST('0.${'0'.repeat(Math.max(scale - 1, 0))}1' AS DECIMAL(${Math.max(scale, 1)}, ${Math.max(scale, 1)}))` : `CAST('1${'0'.repeat(-scale)}' AS DECIMAL(${-scale + 1}, 0))`;
  // the value as a count of units of 10^-scale, rounded, then scaled back
  const units = scale === 0 ? x : `(${x} * ${up})`;
  let r: string;
  switch (mode) {
    case 'floor': r = `floor(${units})`; break;
    case 'ceiling': r = `ceil(${units})`; break;
    case 'half_up': r = `round(${units})`; break;
    default: {
      // half-even: round half away from zero, then step back toward zero on a tie whose result is odd
      const ra = `round(${units})`;
      r = `(${ra} - CASE WHEN abs(${units} - trunc(${units})) = 0.5 AND ${ra} % 2 <> 0 THEN sign(${units}) ELSE 0 END)`;
    }
  }
  const back = scale === 0 ? r : `(${r} * ${down})`;
  return wrap.replace('%s', () => back);
}

function roundFn(name: 'round' | 'bround', mode: RoundingMode): ScalarFunction {
  return {
    name, family: 'math', arity: [1, 2], signature: `${name}(expr[, scale])`,
    summary: name === 'round'
      ? 'Rounds to `scale` decimal places (default 0; negative: left of the point), half up. Decimals keep a decimal type (Spark\'s precision rule); a DOUBLE is rounded through its decimal text.'
      : 'Rounds to `scale` decimal places (default 0) with HALF_EVEN (banker\'s) rounding.',
    examples: name === 'round'
      ? [{ sql: 'round(2.5, 0)', result: '3' }, { sql: 'round(25, -1)', result: '30' }, { sql: 'round(0.125D, 2)', result: '0.13' }]
      : [{ sql: 'bround(2.5, 0)', result: '2' }, { sql: 'bround(25, -1)', result: '20' }],
    nulls: 'propagate',
    type: roundType(),
    kernel: roundKernel(mode),
    sql: {
      default: (e) => (e.args.length > 1 ? `${name}(${e.arg(0)}, ${e.arg(1)})` : `${name}(${e.arg(0)})`),
      duckdb: (e) => {
        const scale = e.args.length > 1 ? (e.literals[1] as number | null) : 0;
        if (scale === null || scale === undefined) return `CAST(NULL AS ${e.dialect.typeName(e.returns)})`;
        return duckRound(e, mode, scale);
      },
    },
    notes: 'DuckDB: rounding is spelled out on exact decimals (a DOUBLE through its decimal text, up to 1E20).',
  };
}

function floorCeilFn(name: 'floor' | 'ceil'): ScalarFunction {
  const mode: RoundingMode = name === 'floor' ? 'floor' : 'ceiling';
  return {
    name, aliases: name === 'ceil' ? ['ceiling'] : [], family: 'math', arity: [1, 2], signature: `${name}(expr[, scale])`,
    summary: name === 'floor'
      ? 'The largest number not greater than expr: a BIGINT for integers and doubles, a decimal for decimals; with a scale, rounded down at that decimal place (a decimal).'
      : 'The smallest number not less than expr: a BIGINT for integers and doubles, a decimal for decimals; with a scale, rounded up at that decimal place (a decimal).',
    examples: name === 'floor'
      ? [{ sql: 'floor(-0.1)', result: '-1' }, { sql: 'floor(5)', result: '5' }, { sql: 'floor(3.1411, 3)', result: '3.141' }, { sql: 'floor(3.1411, -3)', result: '0' }]
      : [{ sql: 'ceil(-0.1)', result: '0' }, { sql: 'ceil(5)', result: '5' }, { sql: 'ceil(3.1411, 3)', result: '3.142' }, { sql: 'ceil(3.1411, -3)', result: '1000' }],
    nulls: 'propagate',
    type: (args, ctx) => {
      requireNumber(args[0], ctx);
      const t = numType(args[0]);
      if (args.length === 1) {
        if (isDecimal(t)) {
          const { precision: p, scale: s } = decimalParts(t);
          return { returns: s === 0 ? t : boundedDecimal(p - s + 1, 0), args: [t] };
        }
        return { returns: 'long', args: [t === 'int' ? 'long' : t] };
      }
      const scale = constInt(args[1], ctx, 'scale');
      if (scale === null) ctx.mismatch(`the scale of ${ctx.fn}() must be a constant INT, not NULL`);
      // with a scale, the value is a decimal (an integer as DECIMAL(10|20, 0), a double as DECIMAL(30, 15))
      const dt = isDecimal(t) ? t : t === 'int' ? decimalType(10, 0) : t === 'long' ? decimalType(20, 0) : decimalType(30, 15);
      return { returns: roundedDecimal(dt, scale ?? 0), args: [dt, 'int'] };
    },
    kernel: (args, ctx) => {
      const from = ctx.argTypes[0];
      if (args.length > 1) {
        const scale = ctx.literals[1] as number | null | undefined;
        if (scale === null || scale === undefined) return nullsOf(ctx);
        return roundColumn(args[0], from, ctx.returns, scale, mode, ctx);
      }
      if (isDecimal(from)) return roundColumn(args[0], from, ctx.returns, 0, mode, ctx);
      if (from === 'long') return args[0];
      // DOUBLE → BIGINT: Java's (long) of Math.floor/ceil (NaN is 0; beyond the range the nearest bound)
      const x = dataOf(args[0]);
      const out = new Float64Array(ctx.n);
      let nulls = (args[0] as FloatColumn).nulls;
      for (let i = 0; i < ctx.n; i++) {
        const v = name === 'floor' ? Math.floor(x[i]) : Math.ceil(x[i]);
        if (v !== v) { out[i] = 0; continue; }
        if (v >= TWO_63) { nulls = nulls ? nulls.slice() : new Uint8Array(ctx.n); nulls[i] = 1; continue; } // Long.MAX_VALUE: beyond the engine's BIGINT
        out[i] = v < -TWO_63 ? -TWO_63 : v + 0;
      }
      return { type: 'long', data: out, nulls };
    },
    sql: {
      default: (e) => (e.args.length > 1 ? `${name}(${e.arg(0)}, ${e.arg(1)})` : `${name}(${e.arg(0)})`),
      duckdb: (e) => {
        const from = e.argTypes[0];
        if (e.args.length > 1) {
          const scale = e.literals[1] as number | null;
          if (scale === null || scale === undefined) return `CAST(NULL AS ${e.dialect.typeName(e.returns)})`;
          return duckRound(e, mode, scale);
        }
        if (isDecimal(from)) return duckRound(e, mode, 0);
        if (from === 'long') return e.arg(0);
        const x = e.arg(0, P.ATOM);
        return `CASE WHEN isnan(${x}) THEN 0 WHEN ${name}(${x}) >= 9.223372036854775808e18 THEN NULL WHEN ${name}(${x}) <= -9.223372036854775808e18 THEN -9223372036854775808 ELSE CAST(${name}(${x}) AS BIGINT) END`;
      },
    },
  };
}

// ------------------------------------------------------------ functions of doubles

interface DoubleFn {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly sig: string;
  readonly summary: string;
  readonly ex: readonly { sql: string; result: string }[];
  readonly kernel: Kernel;
  readonly arity: readonly [number, number];
  /** DuckDB spelling (default: the same call). */
  readonly duck?: (e: SqlEmit) => string | Sql;
  readonly spark?: (e: SqlEmit) => string | Sql;
}

function doubleFn(d: DoubleFn): ScalarFunction {
  return {
    name: d.name, aliases: d.aliases ?? [], family: 'math', arity: d.arity, signature: d.sig, summary: d.summary, examples: d.ex,
    nulls: 'propagate', type: doubles, kernel: d.kernel,
    sql: {
      default: d.spark ?? ((e) => `${d.name}(${e.args.map((_, i) => e.arg(i)).join(', ')})`),
      ...(d.duck ? { duckdb: d.duck } : {}),
    },
  };
}

const NAN = `CAST('NaN' AS DOUBLE)`;
const x0 = (e: SqlEmit) => e.arg(0, P.ATOM);

/** Java's StrictMath.toDegrees / toRadians constants. */
const RADIANS_TO_DEGREES = 57.29577951308232, DEGREES_TO_RADIANS = 0.017453292519943295;

const doubleFns: ScalarFunction[] = [
  doubleFn({
    name: 'sqrt', arity: [1, 1], sig: 'sqrt(expr)', summary: 'The square root (NaN for a negative number).', ex: [{ sql: 'sqrt(4)', result: '2.0' }],
    kernel: mapDouble(Math.sqrt), duck: (e) => `CASE WHEN ${x0(e)} < 0 THEN ${NAN} ELSE sqrt(${x0(e)}) END`,
  }),
  doubleFn({ name: 'cbrt', arity: [1, 1], sig: 'cbrt(expr)', summary: 'The cube root.', ex: [{ sql: 'cbrt(27.0)', result: '3.0' }], kernel: mapDouble(Math.cbrt) }),
  doubleFn({ name: 'exp', arity: [1, 1], sig: 'exp(expr)', summary: 'e to the power of expr.', ex: [{ sql: 'exp(0)', result: '1.0' }], kernel: mapDouble(Math.exp) }),
  doubleFn({
    name: 'expm1', arity: [1, 1], sig: 'expm1(expr)', summary: 'exp(expr) - 1, exact near 0.', ex: [{ sql: 'expm1(0)', result: '0.0' }], kernel: mapDouble(Math.expm1),
    duck: (e) => { const x = x0(e); return `CASE WHEN abs(${x}) < 1e-5 THEN ${x} + ${x} * ${x} / 2 + ${x} * ${x} * ${x} / 6 ELSE exp(${x}) - 1 END`; },
  }),
  doubleFn({
    name: 'ln', arity: [1, 1], sig: 'ln(expr)', summary: 'The natural logarithm; NULL for zero or a negative number.', ex: [{ sql: 'ln(1)', result: '0.0' }, { sql: 'ln(0)', result: 'NULL' }],
    kernel: mapDouble(Math.log, (x) => x <= 0), duck: (e) => `CASE WHEN ${x0(e)} > 0 THEN ln(${x0(e)}) END`,
  }),
  doubleFn({
    name: 'log10', arity: [1, 1], sig: 'log10(expr)', summary: 'The base-10 logarithm; NULL for zero or a negative number.', ex: [{ sql: 'log10(10)', result: '1.0' }],
    kernel: mapDouble(Math.log10, (x) => x <= 0), duck: (e) => `CASE WHEN ${x0(e)} > 0 THEN log10(${x0(e)}) END`,
  }),
  doubleFn({
    name: 'log2', arity: [1, 1], sig: 'log2(expr)', summary: 'The base-2 logarithm; NULL for zero or a negative number.', ex: [{ sql: 'log2(2)', result: '1.0' }],
    kernel: mapDouble((x) => Math.log(x) / Math.LN2, (x) => x <= 0), duck: (e) => `CASE WHEN ${x0(e)} > 0 THEN ln(${x0(e)}) / ln(2) END`,
  }),
  doubleFn({
    name: 'log1p', arity: [1, 1], sig: 'log1p(expr)', summary: 'ln(1 + expr), exact near 0; NULL for expr <= -1.', ex: [{ sql: 'log1p(0)', result: '0.0' }],
    kernel: mapDouble(Math.log1p, (x) => x <= -1),
    duck: (e) => { const x = x0(e); return `CASE WHEN ${x} <= -1 THEN NULL WHEN abs(${x}) < 1e-5 THEN ${x} - ${x} * ${x} / 2 + ${x} * ${x} * ${x} / 3 ELSE ln(1 + ${x}) END`; },
  }),
  doubleFn({
    name: 'log', arity: [1, 2], sig: 'log([base, ]expr)', summary: 'The logarithm of expr in base `base` (natural with one argument); NULL when either is zero or negative.',
    ex: [{ sql: 'log(10, 100)', result: '2.0' }, { sql: 'log(1)', result: '0.0' }],
    kernel: (args, ctx) => (args.length === 1 ? mapDouble(Math.log, (x) => x <= 0)(args, ctx) : mapDouble2((b, x) => Math.log(x) / Math.log(b), (b, x) => b <= 0 || x <= 0)(args, ctx)),
    duck: (e) => (e.args.length === 1
      ? `CASE WHEN ${x0(e)} > 0 THEN ln(${x0(e)}) END`
      : `CASE WHEN ${e.arg(0, P.ATOM)} > 0 AND ${e.arg(1, P.ATOM)} > 0 THEN ln(${e.arg(1, P.ATOM)}) / ln(${e.arg(0, P.ATOM)}) END`),
  }),
  doubleFn({
    name: 'pow', aliases: ['power'], arity: [2, 2], sig: 'pow(expr1, expr2)', summary: 'expr1 raised to the power expr2 (DOUBLE).', ex: [{ sql: 'pow(2, 3)', result: '8.0' }],
    kernel: mapDouble2(Math.pow),
  }),
  doubleFn({
    name: 'sign', aliases: ['signum'], arity: [1, 1], sig: 'sign(expr)', summary: '-1.0, 0.0 or 1.0 as expr is negative, zero or positive (NaN for NaN).', ex: [{ sql: 'sign(40)', result: '1.0' }],
    kernel: mapDouble(Math.sign), duck: (e) => `CASE WHEN isnan(${x0(e)}) THEN ${NAN} ELSE CAST(sign(${x0(e)}) AS DOUBLE) END`,
  }),
  doubleFn({
    name: 'rint', arity: [1, 1], sig: 'rint(expr)', summary: 'The closest mathematical integer as a DOUBLE (ties to even).', ex: [{ sql: 'rint(12.3456)', result: '12.0' }],
    kernel: mapDouble(rint), duck: (e) => `round_even(${e.arg(0)}, 0)`,
  }),
  doubleFn({ name: 'sin', arity: [1, 1], sig: 'sin(expr)', summary: 'The sine (radians).', ex: [{ sql: 'sin(0)', result: '0.0' }], kernel: mapDouble(Math.sin) }),
  doubleFn({ name: 'cos', arity: [1, 1], sig: 'cos(expr)', summary: 'The cosine (radians).', ex: [{ sql: 'cos(0)', result: '1.0' }], kernel: mapDouble(Math.cos) }),
  doubleFn({ name: 'tan', arity: [1, 1], sig: 'tan(expr)', summary: 'The tangent (radians).', ex: [{ sql: 'tan(0)', result: '0.0' }], kernel: mapDouble(Math.tan) }),
  doubleFn({ name: 'cot', arity: [1, 1], sig: 'cot(expr)', summary: 'The cotangent, 1 / tan(expr).', ex: [{ sql: 'cot(1)', result: '0.6420926159343306' }], kernel: mapDouble((x) => 1 / Math.tan(x)), duck: (e) => `1 / tan(${e.arg(0)})` }),
  doubleFn({ name: 'sec', arity: [1, 1], sig: 'sec(expr)', summary: 'The secant, 1 / cos(expr).', ex: [{ sql: 'sec(0)', result: '1.0' }], kernel: mapDouble((x) => 1 / Math.cos(x)), duck: (e) => `1 / cos(${e.arg(0)})` }),
  doubleFn({ name: 'csc', arity: [1, 1], sig: 'csc(expr)', summary: 'The cosecant, 1 / sin(expr).', ex: [{ sql: 'csc(1)', result: '1.1883951057781212' }], kernel: mapDouble((x) => 1 / Math.sin(x)), duck: (e) => `1 / sin(${e.arg(0)})` }),
  doubleFn({
    name: 'asin', arity: [1, 1], sig: 'asin(expr)', summary: 'The arc sine (NaN outside [-1, 1]).', ex: [{ sql: 'asin(0)', result: '0.0' }, { sql: 'asin(2)', result: 'NaN' }],
    kernel: mapDouble(Math.asin), duck: (e) => `CASE WHEN ${x0(e)} BETWEEN -1 AND 1 THEN asin(${x0(e)}) ELSE ${NAN} END`,
  }),
  doubleFn({
    name: 'acos', arity: [1, 1], sig: 'acos(expr)', summary: 'The arc cosine (NaN outside [-1, 1]).', ex: [{ sql: 'acos(1)', result: '0.0' }, { sql: 'acos(2)', result: 'NaN' }],
    kernel: mapDouble(Math.acos), duck: (e) => `CASE WHEN ${x0(e)} BETWEEN -1 AND 1 THEN acos(${x0(e)}) ELSE ${NAN} END`,
  }),
  doubleFn({ name: 'atan', arity: [1, 1], sig: 'atan(expr)', summary: 'The arc tangent.', ex: [{ sql: 'atan(0)', result: '0.0' }], kernel: mapDouble(Math.atan) }),
  doubleFn({ name: 'atan2', arity: [2, 2], sig: 'atan2(exprY, exprX)', summary: 'The angle of the point (exprX, exprY) from the positive x axis.', ex: [{ sql: 'atan2(0, 0)', result: '0.0' }], kernel: mapDouble2(Math.atan2) }),
  doubleFn({ name: 'sinh', arity: [1, 1], sig: 'sinh(expr)', summary: 'The hyperbolic sine.', ex: [{ sql: 'sinh(0)', result: '0.0' }], kernel: mapDouble(Math.sinh) }),
  doubleFn({ name: 'cosh', arity: [1, 1], sig: 'cosh(expr)', summary: 'The hyperbolic cosine.', ex: [{ sql: 'cosh(0)', result: '1.0' }], kernel: mapDouble(Math.cosh) }),
  doubleFn({ name: 'tanh', arity: [1, 1], sig: 'tanh(expr)', summary: 'The hyperbolic tangent.', ex: [{ sql: 'tanh(0)', result: '0.0' }], kernel: mapDouble(Math.tanh) }),
  doubleFn({
    name: 'asinh', arity: [1, 1], sig: 'asinh(expr)', summary: 'The inverse hyperbolic sine.', ex: [{ sql: 'asinh(0)', result: '0.0' }],
    kernel: mapDouble((x) => (x === -Infinity ? -Infinity : Math.log(x + Math.sqrt(x * x + 1)))),
    duck: (e) => { const x = x0(e); return `CASE WHEN isinf(${x}) THEN ${x} ELSE ln(${x} + sqrt(${x} * ${x} + 1)) END`; },
  }),
  doubleFn({
    name: 'acosh', arity: [1, 1], sig: 'acosh(expr)', summary: 'The inverse hyperbolic cosine (NaN below 1).', ex: [{ sql: 'acosh(1)', result: '0.0' }],
    kernel: mapDouble((x) => Math.log(x + Math.sqrt(x * x - 1))),
    duck: (e) => { const x = x0(e); return `CASE WHEN ${x} >= 1 THEN ln(${x} + sqrt(${x} * ${x} - 1)) ELSE ${NAN} END`; },
  }),
  doubleFn({
    name: 'atanh', arity: [1, 1], sig: 'atanh(expr)', summary: 'The inverse hyperbolic tangent (NaN outside [-1, 1]).', ex: [{ sql: 'atanh(0)', result: '0.0' }],
    kernel: mapDouble((x) => 0.5 * (Math.log1p(x) - Math.log1p(-x))),
    duck: (e) => { const x = x0(e); return `CASE WHEN ${x} BETWEEN -1 AND 1 THEN 0.5 * ln((1 + ${x}) / (1 - ${x})) ELSE ${NAN} END`; },
  }),
  doubleFn({
    name: 'degrees', arity: [1, 1], sig: 'degrees(expr)', summary: 'Radians to degrees.', ex: [{ sql: 'degrees(3.141592653589793)', result: '180.0' }],
    kernel: mapDouble((x) => x * RADIANS_TO_DEGREES), duck: (e) => `${e.arg(0, P.MUL)} * CAST(${RADIANS_TO_DEGREES} AS DOUBLE)`,
  }),
  doubleFn({
    name: 'radians', arity: [1, 1], sig: 'radians(expr)', summary: 'Degrees to radians.', ex: [{ sql: 'radians(180)', result: '3.141592653589793' }],
    kernel: mapDouble((x) => x * DEGREES_TO_RADIANS), duck: (e) => `${e.arg(0, P.MUL)} * CAST(${DEGREES_TO_RADIANS} AS DOUBLE)`,
  }),
  doubleFn({
    name: 'hypot', arity: [2, 2], sig: 'hypot(expr1, expr2)', summary: 'sqrt(expr1² + expr2²) without overflow.', ex: [{ sql: 'hypot(3, 4)', result: '5.0' }],
    kernel: mapDouble2(Math.hypot),
    duck: (e) => {
      const a = `abs(${e.arg(0)})`, b = `abs(${e.arg(1)})`;
      return `CASE WHEN isinf(${a}) OR isinf(${b}) THEN CAST('Infinity' AS DOUBLE) WHEN greatest(${a}, ${b}) = 0 THEN 0.0 ELSE greatest(${a}, ${b}) * sqrt(1 + pow(least(${a}, ${b}) / greatest(${a}, ${b}), 2)) END`;
    },
  }),
  doubleFn({ name: 'pi', arity: [0, 0], sig: 'pi()', summary: 'π.', ex: [{ sql: 'pi()', result: '3.141592653589793' }], kernel: constant(Math.PI) }),
  doubleFn({ name: 'e', arity: [0, 0], sig: 'e()', summary: 'Euler\'s number e.', ex: [{ sql: 'e()', result: '2.718281828459045' }], kernel: constant(Math.E), duck: () => 'exp(1.0)' }),
];

/** Math.rint: the nearest integer, ties to even. */
function rint(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x), d = x - f;
  const r = d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
  return r === 0 && x < 0 ? -0 : r;
}

// ------------------------------------------------------------ factorial, pmod

const factorialFn: ScalarFunction = {
  name: 'factorial', family: 'math', arity: [1, 1], signature: 'factorial(expr)', summary: 'expr! for 0 <= expr <= 20 (BIGINT), else NULL.',
  examples: [{ sql: 'factorial(5)', result: '120' }],
  nulls: 'propagate',
  type: (args, ctx) => {
    if (!args[0].isNullLiteral && args[0].type !== 'int' && args[0].type !== 'long') ctx.mismatch(`factorial() needs an INT, got ${args[0].type}`);
    return { returns: 'long', args: ['int'] };
  },
  kernel: (args, ctx) => {
    const x = dataOf(args[0]);
    const out = new Float64Array(ctx.n);
    let nulls: Uint8Array | null = null;
    for (let i = 0; i < ctx.n; i++) {
      const v = x[i];
      if (v < 0 || v > 20) { (nulls ??= new Uint8Array(ctx.n))[i] = 1; continue; }
      let f = 1n;
      for (let k = 2n; k <= BigInt(v); k++) f *= k;
      // 19! and 20! are beyond 2^53 but exact as doubles (many factors of 2)
      out[i] = Number(f);
    }
    return { type: 'long', data: out, nulls };
  },
  sql: { default: 'factorial($1)', duckdb: (e) => `CASE WHEN ${e.arg(0, P.ATOM)} BETWEEN 0 AND 20 THEN CAST(factorial(${e.arg(0)}) AS BIGINT) END` },
};

/** pmod's and the try_ arithmetic's operand types: as the operator's. */
function operatorType(op: string) {
  return (args: readonly ArgInfo[], ctx: TypeCtx): Resolved => lookupFunction(op)!.type(args, ctx);
}

const pmodFn: ScalarFunction = {
  name: 'pmod', family: 'math', arity: [2, 2], signature: 'pmod(expr1, expr2)',
  summary: 'The positive remainder of expr1 / expr2; NULL for a zero divisor (ANSI: DIVIDE_BY_ZERO).',
  examples: [{ sql: 'pmod(10, 3)', result: '1' }, { sql: 'pmod(-10, 3)', result: '2' }],
  nulls: 'propagate',
  type: operatorType('%'),
  kernel: (args, ctx) => {
    const rem = lookupFunction('%')!.kernel(args, ctx);
    // Spark: r = a % n; if r < 0 then (r + n) % n else r
    const out = ctx.returns;
    if (isDecimal(out)) {
      const r = rem as DecimalColumn, n = args[1] as DecimalColumn;
      const ts = decimalParts(out).scale, ns = decimalParts(ctx.argTypes[1]).scale;
      const data = newDecimalData(out, ctx.n);
      for (let i = 0; i < ctx.n; i++) {
        let v = BigInt(r.data[i]);
        if (v < 0n) {
          const nv = roundUnscaled(BigInt(n.data[i]), ns, ts, 'down');
          v = (v + nv) % nv;
        }
        (data as bigint[])[i] = v;
      }
      return { type: out, data, nulls: r.nulls } as Column;
    }
    const r = rem as IntColumn | FloatColumn, n = dataOf(args[1]);
    const data = r.data.slice();
    for (let i = 0; i < ctx.n; i++) {
      const v = data[i];
      if (v < 0) data[i] = out === 'int' ? ((v + n[i]) | 0) % n[i] : (v + n[i]) % n[i];
    }
    return { ...r, data } as Column;
  },
  sql: {
    default: 'pmod($1, $2)',
    duckdb: (e) => {
      const a = e.arg(0, P.ATOM), n = e.arg(1, P.ATOM);
      const r = `(${a} % nullif(${n}, 0))`;
      const v = `CASE WHEN ${r} < 0 THEN (${r} + ${n}) % ${n} ELSE ${r} END`;
      return isDecimal(e.returns) ? `CAST(${v} AS ${e.dialect.typeName(e.returns)})` : v;
    },
  },
};

// ------------------------------------------------------------ try_ arithmetic

const TRY_OPS = { try_add: '+', try_subtract: '-', try_multiply: '*', try_divide: '/', try_mod: '%' } as const;

/**
 * `try_add` and friends: the operator's result, with NULL wherever the
 * operator would overflow or divide by zero, whatever the ANSI mode.
 */
function tryFn(name: keyof typeof TRY_OPS): ScalarFunction {
  const op = TRY_OPS[name];
  const examples: Record<keyof typeof TRY_OPS, { sql: string; result: string }[]> = {
    try_add: [{ sql: 'try_add(1, 2)', result: '3' }, { sql: 'try_add(2147483647, 1)', result: 'NULL' }],
    try_subtract: [{ sql: 'try_subtract(2, 1)', result: '1' }, { sql: 'try_subtract(-2147483648, 1)', result: 'NULL' }],
    try_multiply: [{ sql: 'try_multiply(2, 3)', result: '6' }, { sql: 'try_multiply(-2147483648, 10)', result: 'NULL' }],
    try_divide: [{ sql: 'try_divide(3, 2)', result: '1.5' }, { sql: 'try_divide(1, 0)', result: 'NULL' }],
    try_mod: [{ sql: 'try_mod(3, 2)', result: '1' }, { sql: 'try_mod(1, 0)', result: 'NULL' }],
  };
  return {
    name, family: 'math', arity: [2, 2], signature: `${name}(expr1, expr2)`,
    summary: `expr1 ${op} expr2, NULL instead of an overflow or a division by zero (in every ANSI mode).`,
    examples: examples[name],
    nulls: 'propagate',
    type: operatorType(op),
    kernel: (args, ctx) => tryKernel(op, args, ctx),
    sql: {
      default: `${name}($1, $2)`,
      duckdb: (e) => {
        const a = e.arg(0, P.MUL + 1), b = e.arg(1, P.MUL + 1);
        const T = e.dialect.typeName(e.returns);
        if (op === '/' || op === '%') {
          const v = `${e.arg(0, P.MUL)} ${op} nullif(${b}, 0)`;
          if (isDecimal(e.returns) && op === '/') e.note('DECIMAL_ARITHMETIC', `DuckDB divides decimals in DOUBLE; try_divide() is cast to ${e.returns.toUpperCase()} and can differ in its last digit`);
          return isDecimal(e.returns) ? `TRY_CAST(${v} AS ${T})` : `(${v})`;
        }
        if (e.returns === 'long') e.note('INTEGER_OVERFLOW', `${name}() of BIGINTs beyond ±2^53 is NULL in the engine (it holds BIGINT in doubles)`);
        return `TRY_CAST(try(${a} ${op} ${b}) AS ${T})`;
      },
    },
  };
}

function tryKernel(op: string, args: readonly Column[], ctx: KernelCtx): Column {
  const out = ctx.returns;
  // decimals and division: the legacy operator already gives NULL for overflow and zero divisors
  const legacy: KernelCtx = { ...ctx, ansi: false };
  if (isDecimal(ctx.argTypes[0]) || op === '/' || op === '%') {
    if (isDecimal(ctx.argTypes[0])) return decimalArith(op, args[0] as DecimalColumn, args[1] as DecimalColumn, legacy);
    return lookupFunction(op)!.kernel(args, legacy);
  }
  const x = dataOf(args[0]), y = dataOf(args[1]);
  const n = ctx.n;
  const isInt = out === 'int';
  const data = isInt ? new Int32Array(n) : new Float64Array(n);
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const u = x[i], v = y[i];
    const r = op === '+' ? u + v : op === '-' ? u - v : u * v;
    if (out === 'double') { data[i] = r; continue; }
    let ok: boolean;
    if (isInt) ok = r >= INT_MIN && r <= INT_MAX;
    else if (Math.abs(r) < 2 ** 53) ok = true;
    else {
      const e = op === '+' ? BigInt(u) + BigInt(v) : op === '-' ? BigInt(u) - BigInt(v) : BigInt(u) * BigInt(v);
      ok = e >= -(2n ** 63n) && e < 2n ** 63n && exactLong(e);
    }
    if (!ok) { (nulls ??= new Uint8Array(n))[i] = 1; continue; }
    data[i] = r;
  }
  return { type: out, data, nulls } as Column;
}

register([
  absFn, positiveFn,
  roundFn('round', 'half_up'), roundFn('bround', 'half_even'), floorCeilFn('floor'), floorCeilFn('ceil'),
  ...doubleFns, factorialFn, pmodFn,
  ...(Object.keys(TRY_OPS) as (keyof typeof TRY_OPS)[]).map(tryFn),
]);

