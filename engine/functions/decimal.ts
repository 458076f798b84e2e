/**
 * DECIMAL arithmetic with Spark's result types (DecimalPrecision), exact on
 * unscaled BigInt values. A result that does not fit its precision is NULL,
 * or ARITHMETIC_OVERFLOW in ANSI mode; division rounds half up to the result
 * scale.
 *
 * | op      | precision                                   | scale                 |
 * |---------|---------------------------------------------|-----------------------|
 * | + -     | max(s1, s2) + max(p1 - s1, p2 - s2) + 1      | max(s1, s2)           |
 * | *       | p1 + p2 + 1                                  | s1 + s2               |
 * | /       | p1 - s1 + s2 + max(6, s1 + p2 + 1)           | max(6, s1 + p2 + 1)   |
 * | %       | min(p1 - s1, p2 - s2) + max(s1, s2)          | max(s1, s2)           |
 *
 * Precision is capped at 38 by giving up scale down to 6 (boundedDecimal).
 */
import { newDecimalData, pow10n, type Column, type DecimalColumn } from '../batch.js';
import type { DataType, DecimalType } from '../ir/types.js';
import { asDecimal, boundedDecimal, decimalParts } from './coerce.js';
import type { KernelCtx } from './registry.js';

export function decimalResultType(op: string, a: DataType, b: DataType): { returns: DataType; left: DecimalType; right: DecimalType } {
  const left = asDecimal(a)!, right = asDecimal(b)!;
  const { precision: p1, scale: s1 } = decimalParts(left);
  const { precision: p2, scale: s2 } = decimalParts(right);
  let returns: DataType;
  switch (op) {
    case '+': case '-': {
      const s = Math.max(s1, s2);
      returns = boundedDecimal(s + Math.max(p1 - s1, p2 - s2) + 1, s);
      break;
    }
    case '*': returns = boundedDecimal(p1 + p2 + 1, s1 + s2); break;
    case '/': {
      const s = Math.max(6, s1 + p2 + 1);
      returns = boundedDecimal(p1 - s1 + s2 + s, s);
      break;
    }
    case 'div': returns = 'long'; break;
    default: {
      const s = Math.max(s1, s2);
      returns = boundedDecimal(Math.min(p1 - s1, p2 - s2) + s, s);
    }
  }
  return { returns, left, right };
}

/** Rounds q = num / den half up (away from zero at .5). */
export function divHalfUp(num: bigint, den: bigint): bigint {
  const q = num / den, r = num % den;
  if (r === 0n) return q;
  const twice = 2n * (r < 0n ? -r : r), d = den < 0n ? -den : den;
  if (twice >= d) return q + ((num < 0n) !== (den < 0n) ? -1n : 1n);
  return q;
}

/** An unscaled value at scale `from` moved to scale `to` (half up). */
function toScale(v: bigint, from: number, to: number): bigint {
  return to >= from ? v * pow10n(to - from) : divHalfUp(v, pow10n(from - to));
}

export function decimalArith(op: string, a: DecimalColumn, b: DecimalColumn, ctx: KernelCtx): Column {
  const n = ctx.n;
  const s1 = decimalParts(a.type).scale, s2 = decimalParts(b.type).scale;
  const out = ctx.returns;
  const isLong = out === 'long';
  const { precision, scale } = isLong ? { precision: 19, scale: 0 } : decimalParts(out);
  const limit = pow10n(precision);
  const data = isLong ? new Float64Array(n) : newDecimalData(out as DecimalType, n);
  let nulls: Uint8Array | null = null;
  const setNull = (i: number) => { (nulls ??= new Uint8Array(n))[i] = 1; };
  for (let i = 0; i < n; i++) {
    if ((a.nulls && a.nulls[i]) || (b.nulls && b.nulls[i])) { setNull(i); continue; }
    const x = BigInt(a.data[i]), y = BigInt(b.data[i]);
    let r: bigint;
    switch (op) {
      case '+': case '-': {
        const s = Math.max(s1, s2);
        const xs = x * pow10n(s - s1), ys = y * pow10n(s - s2);
        r = toScale(op === '+' ? xs + ys : xs - ys, s, scale);
        break;
      }
      case '*': {
        const raw = x * y; // scale s1 + s2
        r = s1 + s2 > scale ? divHalfUp(raw, pow10n(s1 + s2 - scale)) : raw * pow10n(scale - s1 - s2);
        break;
      }
      case '/': case 'div': {
        if (y === 0n) { if (ctx.ansi) ctx.fail(i, 'DIVIDE_BY_ZERO', 'division by zero'); setNull(i); continue; }
        // x/10^s1 ÷ y/10^s2 = (x · 10^(s2 + scale - s1)) / y at `scale`
        const e = s2 + scale - s1;
        const num = e >= 0 ? x * pow10n(e) : x, den = e >= 0 ? y : y * pow10n(-e);
        r = op === 'div' ? num / den : divHalfUp(num, den);
        break;
      }
      default: {
        if (y === 0n) { if (ctx.ansi) ctx.fail(i, 'DIVIDE_BY_ZERO', 'remainder by zero'); setNull(i); continue; }
        const s = Math.max(s1, s2);
        r = toScale((x * pow10n(s - s1)) % (y * pow10n(s - s2)), s, scale);
      }
    }
    if (isLong) {
      if (r >= 2n ** 63n || r < -(2n ** 63n)) { if (ctx.ansi) ctx.fail(i, 'ARITHMETIC_OVERFLOW', 'the integral quotient does not fit a BIGINT'); setNull(i); continue; }
      (data as Float64Array)[i] = Number(r);
      continue;
    }
    if (r >= limit || r <= -limit) {
      if (ctx.ansi) ctx.fail(i, 'NUMERIC_VALUE_OUT_OF_RANGE', `the result does not fit ${out.toUpperCase()}`, 'cast the operands to a wider DECIMAL or to DOUBLE');
      setNull(i);
      continue;
    }
    (data as BigInt64Array | bigint[])[i] = r;
  }
  return isLong ? { type: 'long', data: data as Float64Array, nulls } : { type: out as DecimalType, data: data as BigInt64Array, nulls };
}

export type RoundingMode = 'half_up' | 'half_even' | 'floor' | 'ceiling' | 'down';

/**
 * An unscaled value at scale `from` moved to scale `to` (either may be
 * negative: 1.2E+3 is 12 at scale -2) with a rounding mode of
 * java.math.RoundingMode.
 */
export function roundUnscaled(u: bigint, from: number, to: number, mode: RoundingMode): bigint {
  if (to >= from) return u * pow10big(to - from);
  const d = pow10big(from - to);
  const q = u / d, r = u % d; // truncated toward zero
  if (r === 0n) return q;
  const away = u < 0n ? q - 1n : q + 1n;
  switch (mode) {
    case 'down': return q;
    case 'floor': return u < 0n ? away : q;
    case 'ceiling': return u < 0n ? q : away;
    default: {
      const twice = 2n * (r < 0n ? -r : r);
      if (twice > d) return away;
      if (twice < d) return q;
      return mode === 'half_up' || (q & 1n) !== 0n ? away : q;
    }
  }
}

function pow10big(k: number): bigint {
  return k <= 38 ? pow10n(k) : 10n ** BigInt(k);
}
