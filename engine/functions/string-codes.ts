/**
 * Codes of strings with Spark 4.1's semantics: ascii, chr, base64, hex, the
 * md5/sha1/sha2 digests (node:crypto over the UTF-8 bytes), soundex,
 * levenshtein and format_number.
 */
import * as crypto from 'node:crypto';
import { StringColumnBuilder, stringColumnFromArray, stringsOf, type StringColumn } from '../column/string-column.js';
import { storageOf, type Column, type DecimalColumn, type FloatColumn, type IntColumn } from '../batch.js';
import { isDecimal, isNested, isNumeric, typeInfo, type DataType } from '../ir/types.js';
import { UnsupportedError } from '../errors.js';
import { P } from '../sql/precedence.js';
import { register, type ArgInfo, type KernelCtx, type ScalarFunction, type SqlEmit, type TypeCtx } from './registry.js';
import { codePointAt, intsOf, invalidArg, paramType, signature } from './string-args.js';
import { duckArg, duckCall, intSql, stringArgs } from './string.js';
import { decimalsPattern, formatDecimal, formatDouble, parseNumberPattern, type NumberPattern } from './format-number.js';

const isNull = (c: StringColumn, i: number) => c.nulls !== null && c.nulls[i] === 1;

/** A hex digest of bytes (Node's one-shot crypto.hash where it exists, 20.12+). */
const digestHex: (algo: string, data: Uint8Array) => string = typeof (crypto as { hash?: unknown }).hash === 'function'
  ? (algo, data) => crypto.hash(algo, data, 'hex')
  : (algo, data) => crypto.createHash(algo).update(data).digest('hex');
const str = (args: readonly Column[], i: number) => args[i] as StringColumn;
const op = (e: SqlEmit, i: number) => e.arg(i, P.ATOM);

/** A string parameter that Spark reads as BINARY: only strings (their UTF-8 bytes) convert implicitly. */
function binaryArg(a: ArgInfo, ctx: TypeCtx): DataType {
  if (!a.isNullLiteral && a.type !== 'string') ctx.mismatch(`${ctx.fn}() needs a string (its UTF-8 bytes), got ${a.type}`, 'cast the argument to STRING');
  return 'string';
}

/** A string → string kernel over each value's bytes. */
function perValue(f: (b: Uint8Array, a: number, z: number) => string) {
  return (args: readonly Column[], ctx: KernelCtx): Column => {
    const c = str(args, 0);
    const out = new StringColumnBuilder(ctx.n);
    for (let i = 0; i < ctx.n; i++) out.pushString(isNull(c, i) ? null : f(c.bytes, c.offsets[i], c.offsets[i + 1]));
    return out.finish();
  };
}

const ascii: ScalarFunction = {
  name: 'ascii', family: 'string', arity: [1, 1], signature: 'ascii(str)',
  summary: 'The code point of the first character of str (0 for an empty string).',
  examples: [{ sql: "ascii('222')", result: '50' }],
  nulls: 'propagate', type: signature('int', ['str']),
  kernel: (args, ctx) => {
    const c = str(args, 0);
    const data = new Int32Array(ctx.n);
    for (let i = 0; i < ctx.n; i++) if (!isNull(c, i) && c.offsets[i + 1] > c.offsets[i]) data[i] = codePointAt(c.bytes, c.offsets[i]);
    return { type: 'int', data, nulls: null };
  },
  sql: { default: 'ascii($1)', duckdb: 'CAST(ascii($1) AS INTEGER)' },
};

const chr: ScalarFunction = {
  name: 'chr', aliases: ['char'], family: 'string', arity: [1, 1], signature: 'chr(n)',
  summary: 'The character whose code is n modulo 256 (Latin-1); an empty string when n < 0.',
  examples: [{ sql: 'chr(65)', result: 'A' }],
  nulls: 'propagate', type: signature('string', ['long']),
  kernel: (args, ctx) => {
    const n = intsOf(args, 0, ctx, true);
    const out = new Array<string | null>(ctx.n);
    for (let i = 0; i < ctx.n; i++) {
      if (n.nulls && n.nulls[i]) { out[i] = null; continue; }
      const v = n.v[i];
      out[i] = v < 0 ? '' : String.fromCharCode(v % 256);
    }
    return stringColumnFromArray(out);
  },
  sql: { default: 'chr($1)', duckdb: (e) => { const n = intSql(e, 0); return `CASE WHEN ${n} < 0 THEN '' ELSE chr(CAST(${n} % 256 AS INTEGER)) END`; } },
};

/** Java's MIME base64 (Spark's default, spark.sql.chunkBase64String.enabled): lines of 76 characters joined by CRLF. */
export function mimeBase64(b: Uint8Array, a: number, z: number): string {
  const s = Buffer.from(b.buffer, b.byteOffset + a, z - a).toString('base64');
  if (s.length <= 76) return s;
  const lines: string[] = [];
  for (let k = 0; k < s.length; k += 76) lines.push(s.slice(k, k + 76));
  return lines.join('\r\n');
}

const base64: ScalarFunction = {
  name: 'base64', family: 'string', arity: [1, 1], signature: 'base64(str)',
  summary: 'The base64 encoding of the UTF-8 bytes of str, in lines of 76 characters separated by CRLF (Java\'s MIME encoder, Spark\'s default).',
  examples: [{ sql: "base64('Spark SQL')", result: 'U3BhcmsgU1FM' }],
  nulls: 'propagate', type: (args, ctx) => ({ returns: 'string', args: args.map((a) => binaryArg(a, ctx)) }),
  kernel: perValue(mimeBase64),
  sql: { default: 'base64($1)', duckdb: "rtrim(regexp_replace(to_base64(encode($1)), '(.{76})', '\\1' || chr(13) || chr(10), 'g'), chr(13) || chr(10))" },
};

const HEX = '0123456789ABCDEF';

const hex: ScalarFunction = {
  name: 'hex', family: 'string', arity: [1, 1], signature: 'hex(expr)',
  summary: 'Upper-case hexadecimal: of a BIGINT\'s two\'s complement, or of a string\'s UTF-8 bytes.',
  examples: [{ sql: 'hex(17)', result: '11' }, { sql: "hex('Spark SQL')", result: '537061726B2053514C' }],
  nulls: 'propagate',
  type: (args, ctx) => {
    const a = args[0];
    if (a.isNullLiteral) return { returns: 'string', args: ['long'] };
    if (a.type === 'int' || a.type === 'long' || ((a.type === 'double' || isDecimal(a.type)) && !ctx.ansi)) return { returns: 'string', args: ['long'] };
    if (isNumeric(a.type) || isNested(a.type)) ctx.mismatch(`hex() needs a BIGINT or a string, got ${a.type}`);
    return { returns: 'string', args: ['string'] };
  },
  kernel: (args, ctx) => {
    if (ctx.argTypes[0] === 'string') {
      return perValue((b, a, z) => { let s = ''; for (let k = a; k < z; k++) s += HEX[b[k] >> 4] + HEX[b[k] & 15]; return s; })(args, ctx);
    }
    const c = args[0] as FloatColumn | IntColumn;
    const out = new Array<string | null>(ctx.n);
    for (let i = 0; i < ctx.n; i++) out[i] = c.nulls && c.nulls[i] ? null : BigInt.asUintN(64, BigInt(Math.trunc(c.data[i]))).toString(16).toUpperCase();
    return stringColumnFromArray(out);
  },
  sql: { default: 'hex($1)', duckdb: (e) => (e.argTypes[0] === 'string' ? duckCall('hex')(e) : `hex(${intSql(e, 0)})`) },
};

function digest(name: 'md5' | 'sha1', algo: string, ex: string): ScalarFunction {
  return {
    name, aliases: name === 'sha1' ? ['sha'] : undefined, family: 'string', arity: [1, 1], signature: `${name}(str)`,
    summary: `The ${name.toUpperCase()} digest of the UTF-8 bytes of str, as lower-case hexadecimal.`,
    examples: [{ sql: `${name}('Spark')`, result: ex }],
    nulls: 'propagate', type: (args, ctx) => ({ returns: 'string', args: args.map((a) => binaryArg(a, ctx)) }),
    kernel: perValue((b, a, z) => digestHex(algo, b.subarray(a, z))),
    sql: { default: `${name}($1)` },
  };
}

const SHA2_BITS: Readonly<Record<number, string>> = { 0: 'sha256', 224: 'sha224', 256: 'sha256', 384: 'sha384', 512: 'sha512' };

const sha2: ScalarFunction = {
  name: 'sha2', family: 'string', arity: [2, 2], signature: 'sha2(str, bitLength)',
  summary: 'The SHA-2 digest (bitLength 224, 256, 384 or 512; 0 means 256) of the UTF-8 bytes of str, as lower-case hexadecimal; NULL for another bitLength.',
  examples: [{ sql: "sha2('Spark', 256)", result: '529bc3b07127ecb7e53a4dcf1991d9152c24537d919178022b2c42657f79a26b' }],
  nulls: 'propagate',
  type: (args, ctx) => ({ returns: 'string', args: [binaryArg(args[0], ctx), paramType('int', args[1], ctx, 1)] }),
  kernel: (args, ctx) => {
    const c = str(args, 0);
    const bits = intsOf(args, 1, ctx);
    const out = new StringColumnBuilder(ctx.n);
    for (let i = 0; i < ctx.n; i++) {
      const algo = bits.nulls && bits.nulls[i] ? undefined : SHA2_BITS[bits.v[i]];
      out.pushString(isNull(c, i) || algo === undefined ? null : digestHex(algo, c.bytes.subarray(c.offsets[i], c.offsets[i + 1])));
    }
    return out.finish();
  },
  sql: {
    default: 'sha2($1, $2)',
    duckdb: (e) => {
      const bits = e.literals[1];
      if (bits === null) return 'CAST(NULL AS VARCHAR)';
      if (typeof bits === 'number' && (bits === 0 || bits === 256)) return `sha256(${duckArg(e, 0)})`;
      if (typeof bits === 'number' && SHA2_BITS[bits] === undefined) return 'CAST(NULL AS VARCHAR)';
      throw new UnsupportedError('NON_PORTABLE_EXPRESSION', `sha2() with bit length ${bits ?? '(a column)'} has no DuckDB form: DuckDB has SHA-256 only`, { function: 'sha2', dialect: 'duckdb' }, { hint: 'use sha2(x, 256) for a portable digest' });
    },
  },
  notes: 'DuckDB: SHA-256 only (bit length 0 or 256, or an invalid literal bit length, which gives NULL); SHA-224/384/512 and a bit length from a column are NON_PORTABLE_EXPRESSION.',
};

const SOUNDEX = '01230120022455012623010202';

/** Spark's soundex on bytes: a first byte that is not an ASCII letter returns the input unchanged. */
function soundexOf(b: Uint8Array, a: number, z: number): string | Uint8Array {
  if (z === a) return '';
  let x = b[a];
  if (x >= 97 && x <= 122) x -= 32;
  else if (x < 65 || x > 90) return b.subarray(a, z);
  const sx = [x, 48, 48, 48];
  let k = 1;
  let last = SOUNDEX.charCodeAt(x - 65);
  for (let i = a + 1; i < z; i++) {
    let y = b[i];
    if (y >= 97 && y <= 122) y -= 32;
    else if (y < 65 || y > 90) { last = 48; continue; }
    const code = y === 72 || y === 87 ? 55 : SOUNDEX.charCodeAt(y - 65);
    if (code === 55) continue;
    if (code !== 48 && code !== last) { sx[k++] = code; if (k > 3) break; }
    last = code;
  }
  return String.fromCharCode(...sx);
}

const soundex: ScalarFunction = {
  name: 'soundex', family: 'string', arity: [1, 1], signature: 'soundex(str)',
  summary: 'The Soundex code of str (a string that does not start with an ASCII letter is returned as it is).',
  examples: [{ sql: "soundex('Miller')", result: 'M460' }],
  nulls: 'propagate', type: stringArgs('string', false),
  kernel: (args, ctx) => {
    const c = str(args, 0);
    const out = new StringColumnBuilder(ctx.n);
    for (let i = 0; i < ctx.n; i++) {
      if (isNull(c, i)) { out.pushNull(); continue; }
      const r = soundexOf(c.bytes, c.offsets[i], c.offsets[i + 1]);
      if (typeof r === 'string') out.pushString(r); else out.pushBytes(r, 0, r.length);
    }
    return out.finish();
  },
  sql: { default: 'soundex($1)', duckdb: { unsupported: 'DuckDB has no soundex' } },
};

/** Levenshtein distance between two strings, by code points. */
function levenshteinOf(s: string, t: string): number {
  const a = Array.from(s), b = Array.from(t);
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let p = Array.from({ length: a.length + 1 }, (_, i) => i);
  let d = new Array<number>(a.length + 1);
  for (let j = 0; j < b.length; j++) {
    d[0] = j + 1;
    for (let i = 0; i < a.length; i++) d[i + 1] = Math.min(d[i] + 1, p[i + 1] + 1, p[i] + (a[i] === b[j] ? 0 : 1));
    [p, d] = [d, p];
  }
  return p[a.length];
}

const levenshtein: ScalarFunction = {
  name: 'levenshtein', family: 'string', arity: [2, 3], signature: 'levenshtein(str1, str2[, threshold])',
  summary: 'The Levenshtein distance between the strings (edits of characters); with threshold, -1 when the distance is larger.',
  examples: [{ sql: "levenshtein('kitten', 'sitting')", result: '3' }, { sql: "levenshtein('kitten', 'sitting', 2)", result: '-1' }],
  nulls: 'propagate', type: signature('int', ['str', 'str', 'int']),
  kernel: (args, ctx) => {
    const a = stringsOf(str(args, 0)), b = stringsOf(str(args, 1));
    const t = args.length > 2 ? intsOf(args, 2, ctx) : null;
    const data = new Int32Array(ctx.n);
    for (let i = 0; i < ctx.n; i++) {
      const x = a[i], y = b[i];
      if (x === null || y === null || (t && t.nulls && t.nulls[i])) continue;
      const dist = levenshteinOf(x, y);
      data[i] = t && dist > t.v[i] ? -1 : dist;
    }
    return { type: 'int', data, nulls: null };
  },
  sql: {
    default: (e) => `levenshtein(${e.args.map((_, i) => e.arg(i)).join(', ')})`,
    duckdb: {
      approx: 'DuckDB counts edits of UTF-8 bytes: distances differ for non-ASCII text',
      sql: (e) => {
        const d = `CAST(levenshtein(${e.arg(0)}, ${e.arg(1)}) AS INTEGER)`;
        return e.args.length === 2 ? d : `CASE WHEN ${d} <= ${op(e, 2)} THEN ${d} ELSE -1 END`;
      },
    },
  },
};

const patternCache = new Map<string, NumberPattern | null>();

function numberPattern(text: string): NumberPattern | null {
  let p = patternCache.get(text);
  if (p === undefined) { p = parseNumberPattern(text); patternCache.set(text, p); }
  return p;
}

const formatNumber: ScalarFunction = {
  name: 'format_number', family: 'string', arity: [2, 2], signature: 'format_number(expr, d | fmt)',
  summary: "The number formatted like '#,###,###.##' rounded (HALF_EVEN) to d decimal places (no decimal point when d is 0; NULL when d < 0), or with a DecimalFormat pattern fmt (prefix, `#`/`0` digits with `,` grouping, `.` and fraction digits, suffix).",
  examples: [{ sql: 'format_number(12332.123456, 4)', result: '12,332.1235' }, { sql: "format_number(12332.123456, '##################.###')", result: '12332.123' }],
  nulls: 'propagate',
  type: (args, ctx) => {
    const [x, d] = args;
    if (!x.isNullLiteral && !isNumeric(x.type)) ctx.mismatch(`format_number() needs a number, got ${x.type}`, 'cast the value to a numeric type');
    if (!d.isNullLiteral && d.type !== 'int' && d.type !== 'long' && d.type !== 'string') ctx.mismatch(`format_number() needs an integer or a format pattern, got ${d.type}`);
    if (d.type === 'string' && typeof d.literal === 'string' && numberPattern(d.literal) === null) {
      invalidArg(ctx, 'UNSUPPORTED_FORMAT_PATTERN', `format_number() pattern '${d.literal}' uses DecimalFormat features the engine does not support`, { pattern: d.literal }, 'use digits (# and 0), grouping commas, a decimal point and literal prefix/suffix text');
    }
    return { returns: 'string', args: [x.isNullLiteral ? 'double' : null, d.isNullLiteral ? 'int' : d.type === 'string' ? 'string' : 'int'] };
  },
  kernel: (args, ctx) => {
    const xt = ctx.argTypes[0];
    const out = new Array<string | null>(ctx.n);
    const byText = ctx.argTypes[1] === 'string';
    const texts = byText ? stringsOf(str(args, 1)) : null;
    const ds = byText ? null : intsOf(args, 1, ctx);
    const x = args[0];
    const xNulls = (x as IntColumn).nulls;
    const scale = isDecimal(xt) ? (typeInfo(xt) as { scale: number }).scale : 0;
    let lastD = -1, lastP: NumberPattern = decimalsPattern(0);
    for (let i = 0; i < ctx.n; i++) {
      if (xNulls && xNulls[i]) { out[i] = null; continue; }
      let p: NumberPattern | null;
      if (texts) {
        const t = texts[i];
        if (t === null) { out[i] = null; continue; }
        p = numberPattern(t);
        if (p === null) ctx.fail(i, 'UNSUPPORTED_FORMAT_PATTERN', `format_number() pattern '${t}' uses DecimalFormat features the engine does not support`);
      } else {
        if (ds!.nulls && ds!.nulls[i]) { out[i] = null; continue; }
        const d = ds!.v[i];
        if (d < 0) { out[i] = null; continue; }
        p = d === lastD ? lastP : (lastP = decimalsPattern(d));
        lastD = d;
      }
      if (storageOf(xt) === 'decimal') out[i] = formatDecimal(BigInt((x as DecimalColumn).data[i]), scale, p!);
      else if (xt === 'double') out[i] = formatDouble((x as FloatColumn).data[i], p!);
      else out[i] = formatDecimal(BigInt(Math.trunc((x as IntColumn | FloatColumn).data[i])), 0, p!);
    }
    return stringColumnFromArray(out);
  },
  sql: {
    default: 'format_number($1, $2)',
    duckdb: {
      approx: "DuckDB's format() prints the exact binary digits of doubles beyond 2^53 (Java: their shortest digits), NaN and infinities differently, and decimals through DOUBLE",
      sql: (e) => {
        const d = e.literals[1];
        if (typeof d === 'number' && Number.isInteger(d)) return d < 0 ? 'CAST(NULL AS VARCHAR)' : `format('{:,.${d}f}', CAST(${e.arg(0)} AS DOUBLE))`;
        throw new UnsupportedError('NON_PORTABLE_EXPRESSION', 'format_number() with a decimal-place count from a column or a pattern has no DuckDB form', { function: 'format_number', dialect: 'duckdb' }, { hint: 'use a literal number of decimal places' });
      },
    },
  },
};

register([
  ascii, chr, base64, hex, digest('md5', 'md5', '8cde774d6f7333752ed72cacddb05126'), digest('sha1', 'sha1', '85f5955f4b27a9a4c2aab6ffe5d7189fc298b92c'), sha2,
  soundex, levenshtein, formatNumber,
]);
