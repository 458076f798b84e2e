/**
 * Typed builders of the math functions (Spark names in camelCase). Arguments
 * are `ExprLike`: `col('x')` is a column, a JS number a literal.
 *
 *   round(col('temp'), 1)           bround(col('amount'), 2)
 *   floor(col('x'))  ceil(col('price'), 2)
 *   log(10, col('x'))  ln(col('x'))  pow(col('x'), 2)
 *   tryDivide(col('a'), col('b'))   pmod(col('day'), 7)
 */
import { fn, type Expr, type ExprLike } from '../builder.js';

/** The absolute value. */
export const abs = (x: ExprLike): Expr => fn('abs', x);
/** The value itself (unary plus). */
export const positive = (x: ExprLike): Expr => fn('positive', x);
/** The negated value. */
export const negative = (x: ExprLike): Expr => fn('negative', x);
/** Rounds half up to `scale` decimal places (default 0; negative: left of the point). */
export const round = (x: ExprLike, scale?: number): Expr => (scale === undefined ? fn('round', x) : fn('round', x, scale));
/** Rounds half to even (banker's rounding) to `scale` decimal places. */
export const bround = (x: ExprLike, scale?: number): Expr => (scale === undefined ? fn('bround', x) : fn('bround', x, scale));
/** Rounds down (to a BIGINT, or at `scale` decimal places to a decimal). */
export const floor = (x: ExprLike, scale?: number): Expr => (scale === undefined ? fn('floor', x) : fn('floor', x, scale));
/** Rounds up (to a BIGINT, or at `scale` decimal places to a decimal). */
export const ceil = (x: ExprLike, scale?: number): Expr => (scale === undefined ? fn('ceil', x) : fn('ceil', x, scale));
/** `x` raised to the power `y`. */
export const pow = (x: ExprLike, y: ExprLike): Expr => fn('pow', x, y);
export const sqrt = (x: ExprLike): Expr => fn('sqrt', x);
export const cbrt = (x: ExprLike): Expr => fn('cbrt', x);
export const exp = (x: ExprLike): Expr => fn('exp', x);
export const expm1 = (x: ExprLike): Expr => fn('expm1', x);
/** The natural logarithm (NULL for zero or a negative number). */
export const ln = (x: ExprLike): Expr => fn('ln', x);
/** `log(x)`: the natural logarithm; `log(base, x)`: the logarithm in a base (Spark's argument order). */
export function log(baseOrX: ExprLike, x?: ExprLike): Expr {
  return x === undefined ? fn('log', baseOrX) : fn('log', baseOrX, x);
}
export const log10 = (x: ExprLike): Expr => fn('log10', x);
export const log2 = (x: ExprLike): Expr => fn('log2', x);
export const log1p = (x: ExprLike): Expr => fn('log1p', x);
/** -1.0, 0.0 or 1.0. */
export const sign = (x: ExprLike): Expr => fn('sign', x);
export const signum = sign;
export const rint = (x: ExprLike): Expr => fn('rint', x);
export const sin = (x: ExprLike): Expr => fn('sin', x);
export const cos = (x: ExprLike): Expr => fn('cos', x);
export const tan = (x: ExprLike): Expr => fn('tan', x);
export const cot = (x: ExprLike): Expr => fn('cot', x);
export const sec = (x: ExprLike): Expr => fn('sec', x);
export const csc = (x: ExprLike): Expr => fn('csc', x);
export const asin = (x: ExprLike): Expr => fn('asin', x);
export const acos = (x: ExprLike): Expr => fn('acos', x);
export const atan = (x: ExprLike): Expr => fn('atan', x);
export const atan2 = (y: ExprLike, x: ExprLike): Expr => fn('atan2', y, x);
export const sinh = (x: ExprLike): Expr => fn('sinh', x);
export const cosh = (x: ExprLike): Expr => fn('cosh', x);
export const tanh = (x: ExprLike): Expr => fn('tanh', x);
export const asinh = (x: ExprLike): Expr => fn('asinh', x);
export const acosh = (x: ExprLike): Expr => fn('acosh', x);
export const atanh = (x: ExprLike): Expr => fn('atanh', x);
export const degrees = (x: ExprLike): Expr => fn('degrees', x);
export const radians = (x: ExprLike): Expr => fn('radians', x);
export const hypot = (x: ExprLike, y: ExprLike): Expr => fn('hypot', x, y);
export const pi = (): Expr => fn('pi');
/** Euler's number. */
export const e = (): Expr => fn('e');
/** n! for 0 <= n <= 20, else NULL. */
export const factorial = (n: ExprLike): Expr => fn('factorial', n);
/** The positive remainder. */
export const pmod = (x: ExprLike, y: ExprLike): Expr => fn('pmod', x, y);
/** Arithmetic that gives NULL instead of an overflow or a division by zero. */
export const tryAdd = (x: ExprLike, y: ExprLike): Expr => fn('try_add', x, y);
export const trySubtract = (x: ExprLike, y: ExprLike): Expr => fn('try_subtract', x, y);
export const tryMultiply = (x: ExprLike, y: ExprLike): Expr => fn('try_multiply', x, y);
export const tryDivide = (x: ExprLike, y: ExprLike): Expr => fn('try_divide', x, y);
export const tryMod = (x: ExprLike, y: ExprLike): Expr => fn('try_mod', x, y);
