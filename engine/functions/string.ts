/**
 * String functions with Spark 4.1's semantics: case mapping, trimming,
 * lengths, concatenation, substrings, padding, repetition, reversal,
 * replacement and translation. Searching (instr, locate, split_part, …) is in
 * string-search.ts, hashes, encodings and format_number in string-codes.ts,
 * regular expressions and LIKE in string-regex.ts.
 *
 * Kernels read strings through the string-column accessors: positions,
 * lengths, padding, concatenation, trimming and replacement work on the UTF-8
 * bytes (a character is a code point, as Spark counts them); Unicode case
 * mapping decodes. Non-string arguments are cast to STRING with Spark's text
 * forms (engine/functions/string-args.ts).
 */
import { StringColumnBuilder, stringColumnFromArray, stringsOf, type StringColumn } from '../column/string-column.js';
import { isAsciiRange, utf8Decode } from '../column/utf8.js';
import { isNestedColumn, type Column, type NestedColumn } from '../batch.js';
import { castValue } from '../expr/cast.js';
import { elementType, isArray, isNested, type DataType, type Value } from '../ir/types.js';
import { P } from '../sql/precedence.js';
import { register, type ArgInfo, type KernelCtx, type ScalarFunction, type SqlEmit, type TypeCtx } from './registry.js';
import { charCount, charToByte, codePointAt, indexOfBytes, intsOf, seqLength, signature } from './string-args.js';

/** Every argument must be a string (an untyped NULL is one); numbers, dates and booleans are cast to STRING as Spark does. */
export function stringArgs(returns: DataType, castable = true) {
  return (args: readonly ArgInfo[], ctx: TypeCtx) => {
    for (const a of args) {
      if (a.type === 'string' || a.isNullLiteral) continue;
      if (!castable || a.type.includes('<')) ctx.mismatch(`${ctx.fn}() needs a string, got ${a.type}`);
    }
    return { returns, args: args.map(() => 'string' as DataType) };
  };
}

/** The largest value the engine builds (Spark's limit is 2^31 - 1 bytes; the engine's is lower, to stay in memory). */
export const MAX_STRING_BYTES = 1 << 28;

/** Fails the row when a result would be too long. */
export function checkLength(bytes: number, row: number, ctx: KernelCtx): void {
  if (bytes <= MAX_STRING_BYTES) return;
  ctx.fail(row, 'STRING_TOO_LONG', `the result would be ${bytes} bytes long, more than the engine's limit of ${MAX_STRING_BYTES} bytes${bytes > 2147483647 ? ' (and Spark\'s of 2147483647)' : ''}`, 'check the length or count argument');
}

/** A reusable buffer in which a kernel builds one value from pieces (no allocation per row). */
export class Scratch {
  buf = new Uint8Array(256);
  len = 0;

  reset(): void { this.len = 0; }

  ensure(n: number): void {
    if (n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }

  append(src: Uint8Array, a: number, z: number): void {
    const n = z - a;
    this.ensure(this.len + n);
    if (n > 32) this.buf.set(src.subarray(a, z), this.len);
    else for (let k = 0; k < n; k++) this.buf[this.len + k] = src[a + k];
    this.len += n;
  }
}

const isNull = (c: StringColumn, i: number) => c.nulls !== null && c.nulls[i] === 1;
const str = (args: readonly Column[], i: number) => args[i] as StringColumn;

/** A DuckDB operand: the argument's SQL, parenthesised unless it is an atom. */
const op = (e: SqlEmit, i: number) => e.arg(i, P.ATOM);

// ------------------------------------------------------------ case mapping

/** upper / lower: ASCII on bytes, anything else through JS case mapping (decoded). */
function caseMap(c: StringColumn, upper: boolean): Column {
  const n = c.offsets.length - 1;
  const { offsets, bytes, nulls } = c;
  const out = new StringColumnBuilder(n, offsets[n] - offsets[0]);
  const scratch = new Uint8Array(256);
  for (let i = 0; i < n; i++) {
    if (nulls !== null && nulls[i] === 1) { out.pushNull(); continue; }
    const a = offsets[i], z = offsets[i + 1];
    if (z - a > scratch.length || !isAsciiRange(bytes, a, z)) {
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

const caseNote = (e: SqlEmit) => e.note('UNICODE_CASE_MAPPING', 'case mapping of non-ASCII text follows each engine\'s Unicode tables');

const upper: ScalarFunction = {
  name: 'upper', aliases: ['ucase'], family: 'string', arity: [1, 1], signature: 'upper(str)',
  summary: 'The string with all characters upper-cased.',
  examples: [{ sql: "upper('SparkSql')", result: 'SPARKSQL' }],
  nulls: 'propagate', type: stringArgs('string'),
  kernel: (args) => caseMap(args[0] as StringColumn, true),
  sql: { default: (e) => { caseNote(e); return `upper(${e.arg(0)})`; } },
};

const lower: ScalarFunction = {
  name: 'lower', aliases: ['lcase'], family: 'string', arity: [1, 1], signature: 'lower(str)',
  summary: 'The string with all characters lower-cased.',
  examples: [{ sql: "lower('SparkSql')", result: 'sparksql' }],
  nulls: 'propagate', type: stringArgs('string'),
  kernel: (args) => caseMap(args[0] as StringColumn, false),
  sql: { default: (e) => { caseNote(e); return `lower(${e.arg(0)})`; } },
};

/** Java's Character.toTitleCase of one UTF-16 unit (ICU's simple title-case mapping). */
const TITLE_SPECIAL: Readonly<Record<number, number>> = { 0x1c4: 0x1c5, 0x1c5: 0x1c5, 0x1c6: 0x1c5, 0x1c7: 0x1c8, 0x1c8: 0x1c8, 0x1c9: 0x1c8, 0x1ca: 0x1cb, 0x1cb: 0x1cb, 0x1cc: 0x1cb, 0x1f1: 0x1f2, 0x1f2: 0x1f2, 0x1f3: 0x1f2 };

function titleCase(ch: number): number {
  const t = TITLE_SPECIAL[ch];
  if (t !== undefined) return t;
  if (ch >= 0x10d0 && ch <= 0x10ff) return ch; // Georgian: the title case of Mkhedruli is itself
  if (ch >= 0x1f80 && ch <= 0x1faf) return (ch & 0xf) < 8 ? ch + 8 : ch;
  if (ch === 0x1fb3 || ch === 0x1fc3 || ch === 0x1ff3) return ch + 9;
  if (ch >= 0xd800 && ch <= 0xdfff) return ch;
  const u = String.fromCharCode(ch).toUpperCase();
  return u.length === 1 ? u.charCodeAt(0) : ch;
}

/** Spark's initcap: lower-case, then the first character and every character after a space title-cased (UTF-16 units). */
export function initcapText(s: string): string {
  const l = s.toLowerCase();
  let out = '';
  let prevSpace = true;
  for (let i = 0; i < l.length; i++) {
    const c = l.charCodeAt(i);
    out += String.fromCharCode(prevSpace ? titleCase(c) : c);
    prevSpace = c === 0x20;
  }
  return out;
}

const initcap: ScalarFunction = {
  name: 'initcap', family: 'string', arity: [1, 1], signature: 'initcap(str)',
  summary: 'The string with the first letter of each word upper-cased and the other letters lower-cased; words are separated by spaces.',
  examples: [{ sql: "initcap('sPark sql')", result: 'Spark Sql' }],
  nulls: 'propagate', type: stringArgs('string'),
  kernel: (args, ctx) => {
    const c = str(args, 0);
    const out = new StringColumnBuilder(ctx.n, c.offsets[ctx.n] - c.offsets[0]);
    const { bytes, offsets } = c;
    const scratch = new Uint8Array(256);
    for (let i = 0; i < ctx.n; i++) {
      if (isNull(c, i)) { out.pushNull(); continue; }
      const a = offsets[i], z = offsets[i + 1];
      if (z - a > scratch.length || !isAsciiRange(bytes, a, z)) { out.pushString(initcapText(utf8Decode(bytes, a, z))); continue; }
      let prev = 0x20;
      for (let k = a; k < z; k++) {
        let x = bytes[k];
        if (x >= 65 && x <= 90) x += 32;
        if (prev === 0x20 && x >= 97 && x <= 122) x -= 32;
        scratch[k - a] = x;
        prev = bytes[k];
      }
      out.pushBytes(scratch, 0, z - a);
    }
    return out.finish();
  },
  sql: {
    default: (e) => { caseNote(e); return `initcap(${e.arg(0)})`; },
    duckdb: (e) => { caseNote(e); return `array_to_string(list_transform(string_split(lower(${e.arg(0)}), ' '), lambda w: upper(w[1]) || w[2:]), ' ')`; },
  },
};

// ------------------------------------------------------------ trimming

type Side = 'both' | 'left' | 'right';

/** A set of characters to trim: ASCII as a byte table, else code points. */
interface TrimSet { readonly ascii: Uint8Array | null; readonly cps: ReadonlySet<number> }

function trimSet(b: Uint8Array, a: number, z: number): TrimSet {
  if (isAsciiRange(b, a, z)) {
    const t = new Uint8Array(128);
    for (let k = a; k < z; k++) t[b[k]] = 1;
    return { ascii: t, cps: new Set() };
  }
  const cps = new Set<number>();
  for (let k = a; k < z; k += seqLength(b[k])) cps.add(codePointAt(b, k));
  return { ascii: null, cps };
}

const SPACE_SET: TrimSet = { ascii: (() => { const t = new Uint8Array(128); t[0x20] = 1; return t; })(), cps: new Set() };

function trimRange(b: Uint8Array, a: number, z: number, set: TrimSet, side: Side): [number, number] {
  if (set.ascii) {
    const t = set.ascii;
    if (side !== 'right') while (a < z && b[a] < 0x80 && t[b[a]] === 1) a++;
    if (side !== 'left') while (z > a && b[z - 1] < 0x80 && t[b[z - 1]] === 1) z--;
    return [a, z];
  }
  if (side !== 'right') while (a < z && set.cps.has(codePointAt(b, a))) a += seqLength(b[a]);
  if (side !== 'left') {
    while (z > a) {
      let s = z - 1;
      while (s > a && (b[s] & 0xc0) === 0x80) s--;
      if (!set.cps.has(codePointAt(b, s))) break;
      z = s;
    }
  }
  return [a, z];
}

function trimKernel(side: Side) {
  return (args: readonly Column[], ctx: KernelCtx): Column => {
    const c = str(args, 0);
    const chars = args.length > 1 ? str(args, 1) : null;
    const out = new StringColumnBuilder(ctx.n, c.offsets[ctx.n] - c.offsets[0]);
    let set = SPACE_SET;
    let lastA = -1, lastZ = -1;
    for (let i = 0; i < ctx.n; i++) {
      if (isNull(c, i) || (chars && isNull(chars, i))) { out.pushNull(); continue; }
      if (chars) {
        const ca = chars.offsets[i], cz = chars.offsets[i + 1];
        if (lastA < 0 || !sameBytes(chars.bytes, lastA, lastZ, ca, cz)) { set = trimSet(chars.bytes, ca, cz); lastA = ca; lastZ = cz; }
      }
      const [a, z] = trimRange(c.bytes, c.offsets[i], c.offsets[i + 1], set, side);
      out.pushBytes(c.bytes, a, z);
    }
    return out.finish();
  };
}

function sameBytes(b: Uint8Array, a: number, z: number, c: number, d: number): boolean {
  if (z - a !== d - c) return false;
  if (a === c) return true;
  for (let k = 0; k < z - a; k++) if (b[a + k] !== b[c + k]) return false;
  return true;
}

function trimEntry(name: 'trim' | 'ltrim' | 'rtrim' | 'btrim', side: Side): ScalarFunction {
  const word = side === 'both' ? 'BOTH' : side === 'left' ? 'LEADING' : 'TRAILING';
  const what = side === 'both' ? 'leading and trailing' : side === 'left' ? 'leading' : 'trailing';
  const sparkSql = (e: SqlEmit) => (e.args.length === 1 ? `${name}(${e.arg(0)})` : name === 'btrim' ? `btrim(${e.arg(0)}, ${e.arg(1)})` : `TRIM(${word} ${e.arg(1)} FROM ${e.arg(0)})`);
  return {
    name, family: 'string', arity: [1, 2],
    signature: name === 'btrim' ? 'btrim(str[, trimStr])' : name === 'trim' ? 'trim(str) | trim([BOTH | LEADING | TRAILING] [trimStr] FROM str)' : `${name}(str) | ${name}(trimStr, str)`,
    summary: `The string without ${what} spaces (U+0020 only), or without ${what} characters that occur in trimStr.`,
    examples: name === 'btrim' ? [{ sql: "btrim('xyxtrimyyx', 'xy')", result: 'trim' }]
      : name === 'trim' ? [{ sql: "trim('    SparkSQL   ')", result: 'SparkSQL' }, { sql: "trim(BOTH 'SL' FROM 'SSparkSQLS')", result: 'parkSQ' }]
        : name === 'ltrim' ? [{ sql: "ltrim('    SparkSQL   ')", result: 'SparkSQL   ' }, { sql: "trim(LEADING 'xyz' FROM 'zzzytest')", result: 'test' }]
          : [{ sql: "rtrim('    SparkSQL   ')", result: '    SparkSQL' }, { sql: "trim(TRAILING 'xyz' FROM 'testxxzx')", result: 'test' }],
    nulls: 'propagate', type: stringArgs('string'),
    kernel: trimKernel(side),
    sql: {
      default: sparkSql,
      duckdb: (e) => (e.args.length === 1 ? (name === 'trim' || name === 'btrim' ? e.dialect.trimSpaces(e.arg(0)) : `${name}(${e.arg(0)}, ' ')`) : `${name === 'btrim' ? 'trim' : name}(${e.arg(0)}, ${e.arg(1)})`),
    },
    text: name === 'btrim' ? undefined : (a) => (a.length === 1 ? `${name}(${a[0]})` : `trim(${word} ${a[1]} FROM ${a[0]})`),
    notes: name === 'btrim' ? undefined : `\`${name}(s, chars)\` in TypeScript and in the IR takes the string first; the SQL function-call form \`${name}(trimStr, str)\` takes the characters first, as in Spark (the reader swaps them).`,
  };
}

// ------------------------------------------------------------ lengths

const length: ScalarFunction = {
  name: 'length', aliases: ['char_length', 'character_length', 'len'], family: 'string', arity: [1, 1], signature: 'length(str)',
  summary: 'The number of characters (Unicode code points) of the string.',
  examples: [{ sql: "length('Spark SQL ')", result: '10' }],
  nulls: 'propagate', type: stringArgs('int'),
  kernel: (args, ctx) => {
    const { offsets, bytes } = args[0] as StringColumn;
    const data = new Int32Array(ctx.n);
    for (let i = 0; i < ctx.n; i++) data[i] = charCount(bytes, offsets[i], offsets[i + 1]);
    return { type: 'int', data, nulls: null };
  },
  sql: { default: (e) => e.dialect.length(e.arg(0)) },
};

function byteLength(name: 'octet_length' | 'bit_length', factor: number): ScalarFunction {
  return {
    name, family: 'string', arity: [1, 1], signature: `${name}(str)`,
    summary: factor === 1 ? 'The number of bytes of the string in UTF-8.' : 'The number of bits of the string in UTF-8.',
    examples: [{ sql: `${name}('Spark SQL')`, result: String(9 * factor) }],
    nulls: 'propagate', type: stringArgs('int'),
    kernel: (args, ctx) => {
      const { offsets } = args[0] as StringColumn;
      const data = new Int32Array(ctx.n);
      for (let i = 0; i < ctx.n; i++) data[i] = (offsets[i + 1] - offsets[i]) * factor;
      return { type: 'int', data, nulls: null };
    },
    sql: { default: `${name}($1)`, duckdb: factor === 1 ? 'CAST(strlen($1) AS INTEGER)' : 'CAST(bit_length($1) AS INTEGER)' },
  };
}

// ------------------------------------------------------------ concatenation

function concatType(args: readonly ArgInfo[], ctx: TypeCtx) {
  const arrays = args.filter((a) => !a.isNullLiteral && isArray(a.type));
  if (arrays.length === 0) return signature('string', ['str'])(args, ctx);
  const t = arrays[0].type;
  for (const a of args) if (!a.isNullLiteral && a.type !== t) ctx.mismatch(`concat() needs arguments of one type, got ${[...new Set(args.filter((x) => !x.isNullLiteral).map((x) => x.type))].join(' and ')}`);
  return { returns: t, args: args.map(() => t) };
}

const concat: ScalarFunction = {
  name: 'concat', family: 'string', arity: [0, Infinity], signature: 'concat(str1, str2, ...) | str1 || str2',
  summary: 'The strings one after the other; NULL when any argument is NULL. Arrays of one type concatenate into an array.',
  examples: [{ sql: "concat('Spark', 'SQL')", result: 'SparkSQL' }, { sql: "'a' || NULL", result: 'NULL' }],
  nulls: 'propagate', type: concatType,
  kernel: (args, ctx) => {
    const n = ctx.n;
    if (isArray(ctx.returns)) {
      const data = new Array<Value>(n);
      for (let i = 0; i < n; i++) data[i] = args.some((c) => (c as NestedColumn).data[i] === null) ? null : args.flatMap((c) => (c as NestedColumn).data[i] as Value[]);
      return { type: ctx.returns as NestedColumn['type'], data };
    }
    const cols = args as readonly StringColumn[];
    let total = 0;
    for (const c of cols) total += c.offsets[n] - c.offsets[0];
    const out = new StringColumnBuilder(n, total);
    const sc = new Scratch();
    rows: for (let i = 0; i < n; i++) {
      for (const c of cols) if (c.nulls !== null && c.nulls[i] === 1) { out.pushNull(); continue rows; }
      sc.reset();
      for (const c of cols) sc.append(c.bytes, c.offsets[i], c.offsets[i + 1]);
      out.pushBytes(sc.buf, 0, sc.len);
    }
    return out.finish();
  },
  sql: {
    default: (e) => `concat(${e.args.map((_, i) => e.arg(i)).join(', ')})`,
    duckdb: (e) => {
      if (e.args.length === 0) return { sql: "''", prec: P.ATOM };
      if (isArray(e.returns)) return `CASE WHEN ${e.args.map((_, i) => `${op(e, i)} IS NULL`).join(' OR ')} THEN NULL ELSE list_concat(${e.args.map((_, i) => e.arg(i)).join(', ')}) END`;
      if (e.args.length === 1) return { sql: e.arg(0, P.ATOM), prec: P.ATOM };
      return { sql: `(${e.args.map((_, i) => e.arg(i, P.ADD)).join(' || ')})`, prec: P.ATOM };
    },
  },
  text: (a) => `concat(${a.join(', ')})`,
};

const concatWs: ScalarFunction = {
  name: 'concat_ws', family: 'string', arity: [1, Infinity], signature: 'concat_ws(sep[, str | array(str)]+)',
  summary: 'The strings (and the elements of array arguments) joined by sep, skipping NULLs; NULL only when sep is NULL.',
  examples: [{ sql: "concat_ws(' ', 'Spark', 'SQL')", result: 'Spark SQL' }, { sql: "concat_ws('/', 'foo', null, 'bar')", result: 'foo/bar' }],
  nulls: 'custom',
  type: (args, ctx) => ({
    returns: 'string',
    args: args.map((a, i) => {
      if (i > 0 && !a.isNullLiteral && isArray(a.type)) {
        if (isNested(elementType(a.type))) ctx.mismatch(`concat_ws() needs arrays of strings, got ${a.type}`);
        return null;
      }
      if (!a.isNullLiteral && isNested(a.type)) ctx.mismatch(`concat_ws() needs strings or arrays of strings, got ${a.type}`);
      return 'string';
    }),
  }),
  kernel: (args, ctx) => {
    if (!ctx.argTypes.some((t) => isArray(t))) return concatWsBytes(args as readonly StringColumn[], ctx.n);
    const sep = stringsOf(str(args, 0));
    const parts = args.slice(1).map((c, k) => {
      const t = ctx.argTypes[k + 1];
      if (!isArray(t)) { const s = stringsOf(c as StringColumn); return (i: number, into: string[]) => { const v = s[i]; if (v !== null) into.push(v); }; }
      const et = elementType(t);
      const data = (c as NestedColumn).data;
      return (i: number, into: string[]) => {
        const arr = data[i] as Value[] | null;
        if (arr === null) return;
        for (const x of arr) if (x !== null) into.push(et === 'string' ? (x as string) : (castValue(x, et, 'string') as string));
      };
    });
    const out = new Array<string | null>(ctx.n);
    const pieces: string[] = [];
    for (let i = 0; i < ctx.n; i++) {
      const s = sep[i];
      if (s === null) { out[i] = null; continue; }
      pieces.length = 0;
      for (const p of parts) p(i, pieces);
      out[i] = pieces.join(s);
    }
    return stringColumnFromArray(out);
  },
  sql: {
    default: (e) => `concat_ws(${e.args.map((_, i) => e.arg(i)).join(', ')})`,
    duckdb: (e) => {
      if (e.args.length === 1) return `CASE WHEN ${op(e, 0)} IS NULL THEN NULL ELSE '' END`;
      if (!e.argTypes.some((t, i) => i > 0 && isArray(t))) return duckCall('concat_ws')(e);
      const lists = e.args.slice(1).map((_, k) => {
        const i = k + 1;
        const t = e.argTypes[i];
        return isArray(t) ? (t === 'array<string>' ? e.arg(i) : `CAST(${e.arg(i)} AS VARCHAR[])`) : `[${e.arg(i)}]`;
      });
      return `CASE WHEN ${op(e, 0)} IS NULL THEN NULL ELSE array_to_string(list_concat(${lists.join(', ')}), ${e.arg(0)}) END`;
    },
  },
};

/** concat_ws over string arguments only, on bytes. */
function concatWsBytes(cols: readonly StringColumn[], n: number): Column {
  const sep = cols[0];
  const out = new StringColumnBuilder(n);
  const sc = new Scratch();
  for (let i = 0; i < n; i++) {
    if (isNull(sep, i)) { out.pushNull(); continue; }
    sc.reset();
    let first = true;
    for (let k = 1; k < cols.length; k++) {
      const c = cols[k];
      if (isNull(c, i)) continue;
      if (!first) sc.append(sep.bytes, sep.offsets[i], sep.offsets[i + 1]);
      sc.append(c.bytes, c.offsets[i], c.offsets[i + 1]);
      first = false;
    }
    out.pushBytes(sc.buf, 0, sc.len);
  }
  return out.finish();
}

// ------------------------------------------------------------ substrings

const INT_MAX = 2147483647;

/**
 * Spark's substringSQL on bytes[a, z): 1-based `pos` (0 counts as 1, a negative
 * pos counts from the end), `len` characters; the result's byte range.
 */
export function substringRange(b: Uint8Array, a: number, z: number, pos: number, len: number): [number, number] {
  const ascii = z - a <= 64 ? isAsciiRange(b, a, z) : false;
  const chars = ascii ? z - a : charCount(b, a, z);
  let start = pos > 0 ? pos - 1 : pos < 0 ? chars + pos : 0;
  const end = Math.min(start + len, INT_MAX);
  start = Math.max(start, 0);
  if (start >= end || start >= chars) return [a, a];
  const stop = Math.min(end, chars);
  if (ascii) return [a + start, a + stop];
  const s = charToByte(b, a, z, start);
  return [s, charToByte(b, s, z, stop - start)];
}

const substring: ScalarFunction = {
  name: 'substring', aliases: ['substr'], family: 'string', arity: [2, 3],
  signature: 'substring(str, pos[, len]) | substring(str FROM pos [FOR len])',
  summary: 'len characters of str from the 1-based position pos (0 counts as 1; a negative pos counts from the end; all characters to the end without len).',
  examples: [{ sql: "substring('Spark SQL', 5)", result: 'k SQL' }, { sql: "substring('Spark SQL', -3)", result: 'SQL' }, { sql: "substring('Spark SQL', 5, 1)", result: 'k' }],
  nulls: 'propagate', type: signature('string', ['str', 'int', 'int']),
  kernel: (args, ctx) => {
    const c = str(args, 0);
    const p = intsOf(args, 1, ctx), l = args.length > 2 ? intsOf(args, 2, ctx) : null;
    const out = new StringColumnBuilder(ctx.n, c.offsets[ctx.n] - c.offsets[0]);
    for (let i = 0; i < ctx.n; i++) {
      if (isNull(c, i) || (p.nulls && p.nulls[i]) || (l && l.nulls && l.nulls[i])) { out.pushNull(); continue; }
      const [s, e] = substringRange(c.bytes, c.offsets[i], c.offsets[i + 1], p.v[i], l ? l.v[i] : INT_MAX);
      out.pushBytes(c.bytes, s, e);
    }
    return out.finish();
  },
  sql: {
    default: (e) => `substring(${e.args.map((_, i) => e.arg(i)).join(', ')})`,
    duckdb: (e) => {
      const s = e.arg(0), sp = op(e, 0), p = intSql(e, 1);
      const l = e.args.length > 2 ? intSql(e, 2) : '2147483647';
      const st = `CASE WHEN ${p} > 0 THEN ${p} - 1 WHEN ${p} < 0 THEN length(${s}) + ${p} ELSE 0 END`;
      const from = `greatest(${st}, 0)`;
      const guard = [`${sp} IS NULL`, `${p} IS NULL`, ...(e.args.length > 2 ? [`${l} IS NULL`] : [])].join(' OR ');
      return `CASE WHEN ${guard} THEN NULL WHEN (${st}) + ${l} <= ${from} THEN '' ELSE substring(${s}, ${from} + 1, (${st}) + ${l} - ${from}) END`;
    },
  },
};

/**
 * An integer argument as DuckDB SQL: BIGINT (so that sums cannot overflow) or
 * INTEGER, truncated as Spark casts a fraction; a string parsed leniently.
 */
export function intSql(e: SqlEmit, i: number, type: 'BIGINT' | 'INTEGER' = 'BIGINT'): string {
  if (isNullArg(e, i)) return `CAST(NULL AS ${type})`;
  if (e.argTypes[i] === 'string') {
    e.note('STRING_AS_NUMBER', 'a text argument used as a number is converted with DuckDB\'s rules (Spark: trimmed integer text, NULL otherwise)');
    return `CAST(trunc(TRY_CAST(${e.arg(i)} AS DOUBLE)) AS ${type})`;
  }
  return `CAST(trunc(${e.arg(i)}) AS ${type})`;
}

/** Whether argument i is an untyped NULL literal. */
export function isNullArg(e: SqlEmit, i: number): boolean {
  const a = e.args[i];
  return a.kind === 'lit' && a.value === null;
}

/** Argument i for DuckDB: an untyped NULL gets its type (DuckDB cannot choose between overloads for a bare NULL). */
export function duckArg(e: SqlEmit, i: number): string {
  return isNullArg(e, i) ? `CAST(NULL AS ${e.dialect.typeName(e.argTypes[i])})` : e.arg(i);
}

/** `name(args…)` for DuckDB with typed NULL arguments. */
export function duckCall(name: string) {
  return (e: SqlEmit): string => `${name}(${e.args.map((_, i) => duckArg(e, i)).join(', ')})`;
}

const left: ScalarFunction = {
  name: 'left', family: 'string', arity: [2, 2], signature: 'left(str, len)',
  summary: 'The leftmost len characters of str; an empty string when len <= 0.',
  examples: [{ sql: "left('Spark SQL', 3)", result: 'Spa' }],
  nulls: 'propagate', type: signature('string', ['str', 'int']),
  kernel: (args, ctx) => {
    const c = str(args, 0);
    const l = intsOf(args, 1, ctx);
    const out = new StringColumnBuilder(ctx.n, c.offsets[ctx.n] - c.offsets[0]);
    for (let i = 0; i < ctx.n; i++) {
      if (isNull(c, i) || (l.nulls && l.nulls[i])) { out.pushNull(); continue; }
      const [s, e] = substringRange(c.bytes, c.offsets[i], c.offsets[i + 1], 1, l.v[i]);
      out.pushBytes(c.bytes, s, e);
    }
    return out.finish();
  },
  sql: {
    default: 'left($1, $2)',
    duckdb: (e) => { const n = intSql(e, 1); return `CASE WHEN ${op(e, 0)} IS NULL OR ${n} IS NULL THEN NULL WHEN ${n} <= 0 THEN '' ELSE left(${e.arg(0)}, ${n}) END`; },
  },
};

const right: ScalarFunction = {
  name: 'right', family: 'string', arity: [2, 2], signature: 'right(str, len)',
  summary: 'The rightmost len characters of str; an empty string when len <= 0.',
  examples: [{ sql: "right('Spark SQL', 3)", result: 'SQL' }],
  nulls: 'propagate', type: signature('string', ['str', 'int']),
  kernel: (args, ctx) => {
    const c = str(args, 0);
    const l = intsOf(args, 1, ctx);
    const out = new StringColumnBuilder(ctx.n, c.offsets[ctx.n] - c.offsets[0]);
    for (let i = 0; i < ctx.n; i++) {
      if (isNull(c, i) || (l.nulls && l.nulls[i])) { out.pushNull(); continue; }
      const len = l.v[i];
      if (len <= 0) { out.pushBytes(c.bytes, 0, 0); continue; }
      const [s, e] = substringRange(c.bytes, c.offsets[i], c.offsets[i + 1], -len, INT_MAX);
      out.pushBytes(c.bytes, s, e);
    }
    return out.finish();
  },
  sql: {
    default: 'right($1, $2)',
    duckdb: (e) => { const n = intSql(e, 1); return `CASE WHEN ${op(e, 0)} IS NULL OR ${n} IS NULL THEN NULL WHEN ${n} <= 0 THEN '' ELSE right(${e.arg(0)}, ${n}) END`; },
  },
};

// ------------------------------------------------------------ padding and repetition

function padKernel(leftSide: boolean) {
  return (args: readonly Column[], ctx: KernelCtx): Column => {
    const c = str(args, 0);
    const l = intsOf(args, 1, ctx);
    const pad = args.length > 2 ? str(args, 2) : null;
    const space = new Uint8Array([0x20]);
    const out = new StringColumnBuilder(ctx.n, c.offsets[ctx.n] - c.offsets[0]);
    const sc = new Scratch();
    for (let i = 0; i < ctx.n; i++) {
      if (isNull(c, i) || (l.nulls && l.nulls[i]) || (pad && isNull(pad, i))) { out.pushNull(); continue; }
      const b = c.bytes, a = c.offsets[i], z = c.offsets[i + 1];
      const len = l.v[i];
      const pb = pad ? pad.bytes : space, pa = pad ? pad.offsets[i] : 0, pz = pad ? pad.offsets[i + 1] : 1;
      const chars = charCount(b, a, z);
      const spaces = len - chars;
      if (spaces <= 0 || pz === pa) {
        out.pushBytes(b, a, len <= 0 ? a : charToByte(b, a, z, len));
        continue;
      }
      const padChars = charCount(pb, pa, pz);
      const count = Math.floor(spaces / padChars);
      const remainEnd = charToByte(pb, pa, pz, spaces - padChars * count);
      const total = (z - a) + (pz - pa) * count + (remainEnd - pa);
      checkLength(total, i, ctx);
      sc.reset();
      sc.ensure(total);
      if (!leftSide) sc.append(b, a, z);
      for (let k = 0; k < count; k++) sc.append(pb, pa, pz);
      sc.append(pb, pa, remainEnd);
      if (leftSide) sc.append(b, a, z);
      out.pushBytes(sc.buf, 0, total);
    }
    return out.finish();
  };
}

function padEntry(name: 'lpad' | 'rpad'): ScalarFunction {
  const l = name === 'lpad';
  return {
    name, family: 'string', arity: [2, 3], signature: `${name}(str, len[, pad])`,
    summary: `str ${l ? 'left' : 'right'}-padded with pad (default a space) to len characters; a longer str is cut to its first len characters (an empty pad only cuts).`,
    examples: [{ sql: `${name}('hi', 5, '??')`, result: l ? '???hi' : 'hi???' }, { sql: `${name}('hi', 1, '??')`, result: 'h' }],
    nulls: 'propagate', type: signature('string', ['str', 'int', 'str']),
    kernel: padKernel(l),
    sql: {
      default: (e) => `${name}(${e.args.map((_, i) => e.arg(i)).join(', ')})`,
      duckdb: (e) => {
        const n = intSql(e, 1, 'INTEGER');
        if (e.args.length === 2) return `${name}(${duckArg(e, 0)}, ${n}, ' ')`;
        return `CASE WHEN ${n} IS NULL THEN NULL WHEN ${op(e, 2)} = '' THEN left(${duckArg(e, 0)}, greatest(${n}, 0)) ELSE ${name}(${duckArg(e, 0)}, ${n}, ${duckArg(e, 2)}) END`;
      },
    },
  };
}

const repeat: ScalarFunction = {
  name: 'repeat', family: 'string', arity: [2, 2], signature: 'repeat(str, n)',
  summary: 'str repeated n times (an empty string when n <= 0).',
  examples: [{ sql: "repeat('123', 2)", result: '123123' }],
  nulls: 'propagate', type: signature('string', ['str', 'int']),
  kernel: (args, ctx) => {
    const c = str(args, 0);
    const t = intsOf(args, 1, ctx);
    const out = new StringColumnBuilder(ctx.n);
    for (let i = 0; i < ctx.n; i++) {
      if (isNull(c, i) || (t.nulls && t.nulls[i])) { out.pushNull(); continue; }
      const a = c.offsets[i], z = c.offsets[i + 1];
      const times = t.v[i];
      if (times <= 0 || z === a) { out.pushBytes(c.bytes, a, a); continue; }
      const total = (z - a) * times;
      checkLength(total, i, ctx);
      const buf = new Uint8Array(total);
      buf.set(c.bytes.subarray(a, z), 0);
      let filled = z - a;
      while (filled < total) { const k = Math.min(filled, total - filled); buf.copyWithin(filled, 0, k); filled += k; }
      out.pushBytes(buf, 0, total);
    }
    return out.finish();
  },
  sql: { default: 'repeat($1, $2)', duckdb: (e) => `repeat(${e.arg(0)}, ${intSql(e, 1)})` },
};

const space: ScalarFunction = {
  name: 'space', family: 'string', arity: [1, 1], signature: 'space(n)',
  summary: 'A string of n spaces (empty when n <= 0).',
  examples: [{ sql: "concat(space(2), '1')", result: '  1' }],
  nulls: 'propagate', type: signature('string', ['int']),
  kernel: (args, ctx) => {
    const t = intsOf(args, 0, ctx);
    const out = new Array<string | null>(ctx.n);
    for (let i = 0; i < ctx.n; i++) {
      if (t.nulls && t.nulls[i]) { out[i] = null; continue; }
      checkLength(t.v[i], i, ctx);
      out[i] = ' '.repeat(Math.max(0, t.v[i]));
    }
    return stringColumnFromArray(out);
  },
  sql: { default: 'space($1)', duckdb: (e) => `repeat(' ', ${intSql(e, 0)})` },
};

// ------------------------------------------------------------ reverse, replace, translate

const reverse: ScalarFunction = {
  name: 'reverse', family: 'string', arity: [1, 1], signature: 'reverse(str | array)',
  summary: 'The characters of the string in reverse order (code points, as Spark), or the elements of an array in reverse order.',
  examples: [{ sql: "reverse('Spark SQL')", result: 'LQS krapS' }],
  nulls: 'propagate',
  type: (args, ctx) => (!args[0].isNullLiteral && isArray(args[0].type) ? { returns: args[0].type } : signature('string', ['str'])(args, ctx)),
  kernel: (args, ctx) => {
    if (isNestedColumn(args[0])) {
      const d = (args[0] as NestedColumn).data;
      return { type: args[0].type, data: d.map((v) => (v === null ? null : [...(v as Value[])].reverse())) };
    }
    const c = str(args, 0);
    const out = new StringColumnBuilder(ctx.n, c.offsets[ctx.n] - c.offsets[0]);
    const { bytes: b } = c;
    let buf = new Uint8Array(64);
    for (let i = 0; i < ctx.n; i++) {
      if (isNull(c, i)) { out.pushNull(); continue; }
      const a = c.offsets[i], z = c.offsets[i + 1], len = z - a;
      if (buf.length < len) buf = new Uint8Array(len * 2);
      for (let k = a; k < z;) {
        const sl = Math.min(seqLength(b[k]), z - k);
        const to = len - (k - a) - sl;
        for (let j = 0; j < sl; j++) buf[to + j] = b[k + j];
        k += sl;
      }
      out.pushBytes(buf, 0, len);
    }
    return out.finish();
  },
  sql: {
    default: 'reverse($1)',
    duckdb: (e) => (isArray(e.returns) ? `list_reverse(${e.arg(0)})` : `array_to_string(list_reverse(string_split(${e.arg(0)}, '')), '')`),
  },
};

const replace: ScalarFunction = {
  name: 'replace', family: 'string', arity: [2, 3], signature: 'replace(str, search[, replace])',
  summary: 'str with every occurrence of search replaced by replace (default: removed); an empty search changes nothing.',
  examples: [{ sql: "replace('ABCabc', 'abc', 'DEF')", result: 'ABCDEF' }],
  nulls: 'propagate', type: signature('string', ['str']),
  kernel: (args, ctx) => {
    const c = str(args, 0), s = str(args, 1), r = args.length > 2 ? str(args, 2) : null;
    const out = new StringColumnBuilder(ctx.n, c.offsets[ctx.n] - c.offsets[0]);
    const sc = new Scratch();
    for (let i = 0; i < ctx.n; i++) {
      if (isNull(c, i) || isNull(s, i) || (r && isNull(r, i))) { out.pushNull(); continue; }
      const b = c.bytes, a = c.offsets[i], z = c.offsets[i + 1];
      const sa = s.offsets[i], sz = s.offsets[i + 1];
      let at = sz === sa ? -1 : indexOfBytes(b, a, z, s.bytes, sa, sz);
      if (at < 0) { out.pushBytes(b, a, z); continue; }
      sc.reset();
      let from = a;
      while (at >= 0) {
        sc.append(b, from, at);
        if (r) sc.append(r.bytes, r.offsets[i], r.offsets[i + 1]);
        checkLength(sc.len, i, ctx);
        from = at + (sz - sa);
        at = indexOfBytes(b, from, z, s.bytes, sa, sz);
      }
      sc.append(b, from, z);
      out.pushBytes(sc.buf, 0, sc.len);
    }
    return out.finish();
  },
  sql: { default: (e) => `replace(${e.arg(0)}, ${e.arg(1)}, ${e.args.length > 2 ? e.arg(2) : "''"})` },
};

/** Spark's translate dictionary: from's characters → to's (a missing one deletes); the first occurrence wins. */
function translateDict(from: string, to: string): Map<string, string | null> {
  const dict = new Map<string, string | null>();
  const t = Array.from(to);
  let j = 0;
  for (const ch of from) {
    const rep = j < t.length ? t[j] : null;
    j++;
    if (!dict.has(ch)) dict.set(ch, rep === '\u0000' ? null : rep);
  }
  return dict;
}

const translate: ScalarFunction = {
  name: 'translate', family: 'string', arity: [3, 3], signature: 'translate(input, from, to)',
  summary: 'input with each character of from replaced by the character at the same place in to (removed when to is shorter).',
  examples: [{ sql: "translate('AaBbCc', 'abc', '123')", result: 'A1B2C3' }],
  nulls: 'propagate', type: signature('string', ['str']),
  kernel: (args, ctx) => {
    const [src, from, to] = args.map((c) => stringsOf(c as StringColumn));
    const out = new Array<string | null>(ctx.n);
    let key = '', dict = new Map<string, string | null>();
    for (let i = 0; i < ctx.n; i++) {
      const s = src[i], f = from[i], t = to[i];
      if (s === null || f === null || t === null) { out[i] = null; continue; }
      const k = `${f}\u0000${t}`;
      if (k !== key) { dict = translateDict(f, t); key = k; }
      let r = '';
      for (const ch of s) {
        if (!dict.has(ch)) { r += ch; continue; }
        const x = dict.get(ch);
        if (x !== null && x !== undefined) r += x;
      }
      out[i] = r;
    }
    return stringColumnFromArray(out);
  },
  sql: { default: 'translate($1, $2, $3)' },
};

register([
  upper, lower, initcap, trimEntry('trim', 'both'), trimEntry('ltrim', 'left'), trimEntry('rtrim', 'right'), trimEntry('btrim', 'both'),
  length, byteLength('octet_length', 1), byteLength('bit_length', 8),
  concat, concatWs, substring, left, right, padEntry('lpad'), padEntry('rpad'), repeat, space, reverse, replace, translate,
]);

