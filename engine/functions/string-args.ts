/**
 * Arguments of the string functions, as Spark's ImplicitCastInputTypes
 * brings them: a string parameter takes numbers, decimals, dates, timestamps
 * and booleans (cast to their Spark text); an integer parameter takes
 * integers, strings (parsed as Spark casts a string to INT: with ANSI off an
 * invalid text is NULL and a fraction is dropped, with ANSI on it is
 * CAST_INVALID_INPUT) and, with ANSI off, doubles and decimals (truncated).
 *
 * Plus the UTF-8 walking the kernels share: character counts and character →
 * byte offsets on the column bytes, without decoding.
 */
import type { Column, FloatColumn, IntColumn } from '../batch.js';
import { DefinitionError } from '../errors.js';
import type { StringColumn } from '../column/string-column.js';
import { isDecimal, isInterval, isNested, type DataType } from '../ir/types.js';
import type { ArgInfo, KernelCtx, Resolved, TypeCtx } from './registry.js';

/** A parameter: a string, an INT, a BIGINT, or any type (left as it is). */
export type Param = 'str' | 'int' | 'long' | 'any';

/**
 * A type rule from parameter kinds (the last kind repeats for varargs) and a
 * result type (or a function of the arguments).
 */
export function signature(returns: DataType | ((args: readonly ArgInfo[], ctx: TypeCtx) => DataType), params: readonly Param[]) {
  return (args: readonly ArgInfo[], ctx: TypeCtx): Resolved => {
    const out = args.map((a, i) => paramType(params[Math.min(i, params.length - 1)], a, ctx, i));
    return { returns: typeof returns === 'function' ? returns(args, ctx) : returns, args: out };
  };
}

/** The type argument `a` is brought to for a parameter (null: left as it is, the kernel converts). */
export function paramType(p: Param, a: ArgInfo, ctx: TypeCtx, i: number): DataType | null {
  if (p === 'any') return null;
  if (a.isNullLiteral) return p === 'str' ? 'string' : p;
  const t = a.type;
  if (p === 'str') {
    if (isNested(t) || isInterval(t)) ctx.mismatch(`${ctx.fn}() needs a string as argument ${i + 1}, got ${t}`);
    return 'string';
  }
  if (t === 'int' || t === 'long') return p;
  if (t === 'string') return null;
  if ((t === 'double' || isDecimal(t)) && !ctx.ansi) return p;
  return ctx.mismatch(`${ctx.fn}() needs an integer as argument ${i + 1}, got ${t}`, ctx.ansi && (t === 'double' || isDecimal(t)) ? 'cast it to INT (ANSI mode does not narrow a fraction implicitly)' : undefined);
}

/** An integer argument's values and NULL mask (strings parsed as Spark casts them). */
export interface Ints {
  readonly v: ArrayLike<number>;
  readonly nulls: Uint8Array | null;
}

const INT_MIN = -2147483648, INT_MAX = 2147483647;
const LONG_LIMIT = 9223372036854775807;

/** The integer argument `i` of a call (its resolved type tells whether it is still a string). */
export function intsOf(args: readonly Column[], i: number, ctx: KernelCtx, long = false): Ints {
  const c = args[i];
  if (ctx.argTypes[i] !== 'string') {
    const m = c as IntColumn | FloatColumn;
    return { v: m.data, nulls: m.nulls };
  }
  const s = c as StringColumn;
  const n = ctx.n;
  const v = new Float64Array(n);
  let nulls: Uint8Array | null = s.nulls ? s.nulls.slice() : null;
  for (let r = 0; r < n; r++) {
    if (s.nulls !== null && s.nulls[r] === 1) continue;
    const x = parseSparkInt(s.bytes, s.offsets[r], s.offsets[r + 1], !ctx.ansi, long);
    if (x === null) {
      if (ctx.ansi) {
        const text = Buffer.from(s.bytes.buffer, s.bytes.byteOffset + s.offsets[r], s.offsets[r + 1] - s.offsets[r]).toString('utf8');
        ctx.fail(r, 'CAST_INVALID_INPUT', `the value '${text}' of type STRING cannot be cast to ${long ? 'BIGINT' : 'INT'} because it is malformed`, 'use try_cast() on the argument, or set the pipeline\'s ANSI mode off to get NULL');
      }
      (nulls ??= new Uint8Array(n))[r] = 1;
      continue;
    }
    v[r] = x;
  }
  return { v, nulls };
}

/**
 * Spark's UTF8String.toInt / toLong: surrounding whitespace and control
 * characters trimmed, an optional sign, digits, and (when `allowDecimal`) a
 * fraction that is dropped; null when malformed or out of range.
 */
export function parseSparkInt(b: Uint8Array, a: number, z: number, allowDecimal: boolean, long: boolean): number | null {
  while (a < z && (b[a] <= 0x20 || b[a] === 0x7f)) a++;
  if (a === z) return null;
  while (z > a && (b[z - 1] <= 0x20 || b[z - 1] === 0x7f)) z--;
  let neg = false;
  if (b[a] === 0x2d || b[a] === 0x2b) {
    if (z - a === 1) return null;
    neg = b[a] === 0x2d;
    a++;
  }
  let v = 0;
  let k = a;
  for (; k < z; k++) {
    const c = b[k];
    if (c === 0x2e && allowDecimal) break;
    if (c < 0x30 || c > 0x39) return null;
    v = v * 10 + (c - 0x30);
  }
  if (k < z) for (k++; k < z; k++) if (b[k] < 0x30 || b[k] > 0x39) return null;
  if (neg) v = -v;
  if (long ? Math.abs(v) > LONG_LIMIT : v < INT_MIN || v > INT_MAX) return null;
  return v === 0 ? 0 : v;
}

// ------------------------------------------------------------ UTF-8 walking

/** The number of characters (code points) of bytes[a, z). */
export function charCount(b: Uint8Array, a: number, z: number): number {
  let n = 0;
  for (let k = a; k < z; k++) if ((b[k] & 0xc0) !== 0x80) n++;
  return n;
}

/** The byte offset of character `n` (0-based) of bytes[a, z), clamped to z. */
export function charToByte(b: Uint8Array, a: number, z: number, n: number): number {
  if (n <= 0) return a;
  let k = a, c = 0;
  while (k < z) {
    k++;
    while (k < z && (b[k] & 0xc0) === 0x80) k++;
    if (++c === n) return k;
  }
  return z;
}

/** The length in bytes of the UTF-8 sequence starting with byte x. */
export function seqLength(x: number): number {
  return x < 0x80 ? 1 : x < 0xe0 ? 2 : x < 0xf0 ? 3 : 4;
}

/** The code point at byte k (well-formed UTF-8 assumed). */
export function codePointAt(b: Uint8Array, k: number): number {
  const x = b[k];
  if (x < 0x80) return x;
  if (x < 0xe0) return ((x & 0x1f) << 6) | (b[k + 1] & 0x3f);
  if (x < 0xf0) return ((x & 0x0f) << 12) | ((b[k + 1] & 0x3f) << 6) | (b[k + 2] & 0x3f);
  return ((x & 0x07) << 18) | ((b[k + 1] & 0x3f) << 12) | ((b[k + 2] & 0x3f) << 6) | (b[k + 3] & 0x3f);
}

/** Whether bytes[a, z) of `b` equal bytes[c, d) of `x`. */
export function bytesEqual(b: Uint8Array, a: number, z: number, x: Uint8Array, c: number, d: number): boolean {
  if (z - a !== d - c) return false;
  for (let k = 0; k < z - a; k++) if (b[a + k] !== x[c + k]) return false;
  return true;
}

/** The first byte offset >= from where bytes[c, d) of x occur in bytes[from, z) of b, or -1. */
export function indexOfBytes(b: Uint8Array, from: number, z: number, x: Uint8Array, c: number, d: number): number {
  const len = d - c;
  if (len === 0) return from;
  const first = x[c];
  const last = z - len;
  outer: for (let k = from; k <= last; k++) {
    if (b[k] !== first) continue;
    for (let j = 1; j < len; j++) if (b[k + j] !== x[c + j]) continue outer;
    return k;
  }
  return -1;
}

/** Value i of a string column as [bytes, start, end] (the caller checks NULL). */
export function span(c: StringColumn, i: number): [Uint8Array, number, number] {
  return [c.bytes, c.offsets[i], c.offsets[i + 1]];
}

/** Fails type checking with a code other than TYPE_MISMATCH (an invalid literal argument). */
export function invalidArg(ctx: TypeCtx, code: string, message: string, params: Readonly<Record<string, unknown>> = {}, hint?: string): never {
  if (ctx.invalid) return ctx.invalid(code, message, params, hint);
  throw new DefinitionError(code, message, { function: ctx.fn, ...params }, { hint });
}
