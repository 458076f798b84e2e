/**
 * Java's DecimalFormat as Spark's format_number uses it (US symbols,
 * RoundingMode.HALF_EVEN): `#,###,###,###,###,###,##0` plus `.000…` for d
 * decimal places, or a user pattern.
 *
 * Doubles are formatted from their shortest round-trip digits (so 1e23 prints
 * as 100,000,000,000,000,000,000,000 as in Java) and rounded as Java rounds
 * them: a tie in those digits is broken by the double's exact binary value
 * (2.675 is below 2.675 and rounds to 2.67), and only an exact tie (0.125)
 * goes to the even digit. Decimals and integers round their exact digits.
 * The sign is kept for -0.0 and for negative values that round to zero
 * ("-0.00"), as DecimalFormat does.
 */

/** A parsed DecimalFormat pattern (the subset the engine supports). */
export interface NumberPattern {
  readonly prefix: string;
  readonly suffix: string;
  readonly minInt: number;
  readonly minFrac: number;
  readonly maxFrac: number;
  /** Digits per group, 0 without grouping. */
  readonly grouping: number;
}

/** The pattern of format_number(x, d): grouping by three, exactly d decimals. */
export function decimalsPattern(d: number): NumberPattern {
  return { prefix: '', suffix: '', minInt: 1, minFrac: d, maxFrac: d, grouping: 3 };
}

/**
 * A DecimalFormat pattern: literal prefix and suffix, an integer part of `#`,
 * `0` and `,`, an optional fraction of `0`s then `#`s. Null when the pattern
 * uses what the engine does not support (quotes, `;`, `%`, `‰`, `¤`, `E`, `@`).
 */
export function parseNumberPattern(p: string): NumberPattern | null {
  if (p === '') return { prefix: '', suffix: '', minInt: 1, minFrac: 0, maxFrac: 0, grouping: 3 };
  if (/[;%\u2030\u00a4'E@]/.test(p)) return null;
  const m = /^([^#0,.]*)([#0,]*)(?:\.([0#]*))?([^#0,.]*)$/.exec(p);
  if (!m) return null;
  const [, prefix, int, frac = '', suffix] = m;
  if (!/^#*0*$/.test(int.replace(/,/g, ''))) return null;
  if (!/^0*#*$/.test(frac)) return null;
  if (int.replace(/,/g, '') === '' && frac === '') return null;
  const lastComma = int.lastIndexOf(',');
  const grouping = lastComma < 0 ? 0 : int.length - lastComma - 1;
  return {
    prefix, suffix,
    minInt: (int.match(/0/g) ?? []).length,
    minFrac: (frac.match(/0/g) ?? []).length,
    maxFrac: frac.length,
    grouping,
  };
}

/** Digits `ds` (no leading zeros) with the decimal point after `point` digits (may be <= 0 or > length). */
interface Digits { ds: string; point: number }

/** The shortest round-trip digits of a positive finite double. */
function doubleDigits(x: number): Digits {
  const [mant, exp] = x.toExponential().split('e');
  const ds = mant.replace('.', '').replace(/0+$/, '') || '0';
  return { ds, point: Number(exp) + 1 };
}

/** The sign of (decimal digits value - x) for a positive double x, exactly. */
function compareExact(d: Digits, x: number): number {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const hi = buf.getUint32(0), lo = buf.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (biased === 0) e = -1074; else { m |= 1n << 52n; e = biased - 1075; }
  const p = d.point - d.ds.length;
  let lhs = BigInt(d.ds), rhs = m;
  if (p >= 0) lhs *= 10n ** BigInt(p); else rhs *= 10n ** BigInt(-p);
  if (e >= 0) rhs <<= BigInt(e); else lhs <<= BigInt(-e);
  return lhs === rhs ? 0 : lhs > rhs ? 1 : -1;
}

/** Rounds digits to `frac` decimals, half-even; `tie` breaks a tie in the digits (negative: round down, positive: up, 0: to even). */
function roundDigits(d: Digits, frac: number, tie: () => number): Digits {
  const keep = d.point + frac;
  if (keep >= d.ds.length) return d;
  if (keep < 0) return { ds: '0', point: 1 };
  const digit = d.ds.charCodeAt(keep) - 48;
  let up: boolean;
  if (digit !== 5) up = digit > 5;
  else if (keep < d.ds.length - 1) up = true;
  else {
    const t = tie();
    up = t !== 0 ? t > 0 : keep > 0 && (d.ds.charCodeAt(keep - 1) - 48) % 2 === 1;
  }
  let kept = d.ds.slice(0, keep);
  let point = d.point;
  if (up) {
    const arr = kept.split('').map(Number);
    let k = arr.length - 1;
    while (k >= 0 && arr[k] === 9) { arr[k] = 0; k--; }
    if (k < 0) { arr.unshift(1); point++; } else arr[k]++;
    kept = arr.join('');
  }
  kept = kept.replace(/0+$/, '');
  return kept === '' ? { ds: '0', point: 1 } : { ds: kept, point };
}

function layout(d: Digits, negative: boolean, p: NumberPattern): string {
  const ds = d.ds === '0' ? '' : d.ds;
  const point = d.ds === '0' ? 0 : d.point;
  let int = point > 0 ? (ds.slice(0, point) + '0'.repeat(Math.max(0, point - ds.length))) : '';
  let frac = point >= 0 ? ds.slice(point) : '0'.repeat(-point) + ds;
  frac = frac.slice(0, p.maxFrac).padEnd(p.minFrac, '0');
  while (frac.length > p.minFrac && frac.endsWith('0')) frac = frac.slice(0, -1);
  int = int.replace(/^0+/, '');
  if (int.length < p.minInt) int = int.padStart(p.minInt, '0');
  if (int === '' && frac === '') int = '0';
  if (p.grouping > 0 && int.length > p.grouping) {
    const groups: string[] = [];
    for (let e = int.length; e > 0; e -= p.grouping) groups.unshift(int.slice(Math.max(0, e - p.grouping), e));
    int = groups.join(',');
  }
  return `${negative ? '-' : ''}${p.prefix}${int}${frac === '' ? '' : '.' + frac}${p.suffix}`;
}

/** A double formatted with a pattern. */
export function formatDouble(x: number, p: NumberPattern): string {
  if (Number.isNaN(x)) return 'NaN';
  const negative = x < 0 || Object.is(x, -0);
  if (!Number.isFinite(x)) return `${negative ? '-' : ''}${p.prefix}\u221e${p.suffix}`;
  const a = Math.abs(x);
  if (a === 0) return layout({ ds: '0', point: 1 }, negative, p);
  const d = doubleDigits(a);
  return layout(roundDigits(d, p.maxFrac, () => -compareExact(d, a)), negative, p);
}

/** An exact decimal (unscaled value and scale, or an integer) formatted with a pattern. */
export function formatDecimal(unscaled: bigint, scale: number, p: NumberPattern): string {
  const negative = unscaled < 0n;
  const text = (negative ? -unscaled : unscaled).toString();
  if (text === '0') return layout({ ds: '0', point: 1 }, negative, p);
  const trimmed = text.replace(/0+$/, '');
  const d: Digits = { ds: trimmed, point: text.length - scale };
  return layout(roundDigits(d, p.maxFrac, () => 0), negative, p);
}
