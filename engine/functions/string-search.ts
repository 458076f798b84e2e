/**
 * Searching in strings with Spark 4.1's semantics: instr, locate/position,
 * startswith, endswith, contains, split_part and substring_index. All of
 * them compare UTF-8 bytes (byte equality is string equality) and convert
 * byte offsets to 1-based character positions only for the result.
 */
import { StringColumnBuilder, type StringColumn } from '../column/string-column.js';
import type { Column } from '../batch.js';
import { P } from '../sql/precedence.js';
import { boolColumn } from './kernels.js';
import { register, type KernelCtx, type ScalarFunction, type SqlEmit } from './registry.js';
import { charCount, charToByte, indexOfBytes, intsOf, signature } from './string-args.js';
import { duckCall, intSql } from './string.js';

const isNull = (c: StringColumn, i: number) => c.nulls !== null && c.nulls[i] === 1;
const str = (args: readonly Column[], i: number) => args[i] as StringColumn;
const op = (e: SqlEmit, i: number) => e.arg(i, P.ATOM);

/**
 * Spark's UTF8String.indexOf: the 0-based character position of `sub` in
 * `s` at or after character `start`, or -1; an empty `sub` is found at 0.
 */
function indexOfChars(s: StringColumn, i: number, sub: StringColumn, start: number): number {
  const b = s.bytes, a = s.offsets[i], z = s.offsets[i + 1];
  const sa = sub.offsets[i], sz = sub.offsets[i + 1];
  if (sz === sa) return 0;
  const from = charToByte(b, a, z, start);
  const at = indexOfBytes(b, from, z, sub.bytes, sa, sz);
  return at < 0 ? -1 : start + charCount(b, from, at);
}

const instr: ScalarFunction = {
  name: 'instr', family: 'string', arity: [2, 2], signature: 'instr(str, substr)',
  summary: 'The 1-based character position of the first occurrence of substr in str, 0 when absent (1 for an empty substr).',
  examples: [{ sql: "instr('SparkSQL', 'SQL')", result: '6' }],
  nulls: 'propagate', type: signature('int', ['str']),
  kernel: (args, ctx) => {
    const s = str(args, 0), sub = str(args, 1);
    const data = new Int32Array(ctx.n);
    for (let i = 0; i < ctx.n; i++) if (!isNull(s, i) && !isNull(sub, i)) data[i] = indexOfChars(s, i, sub, 0) + 1;
    return { type: 'int', data, nulls: null };
  },
  sql: { default: 'instr($1, $2)', duckdb: 'CAST(instr($1, $2) AS INTEGER)' },
};

const locate: ScalarFunction = {
  name: 'locate', aliases: ['position'], family: 'string', arity: [2, 3],
  signature: 'locate(substr, str[, pos]) | position(substr IN str)',
  summary: 'The 1-based character position of the first occurrence of substr in str at or after position pos (default 1); 0 when absent or when pos < 1 or NULL (an empty substr is found at 1).',
  examples: [{ sql: "locate('bar', 'foobarbar')", result: '4' }, { sql: "locate('bar', 'foobarbar', 5)", result: '7' }, { sql: "position('bar' IN 'foobarbar')", result: '4' }],
  nulls: 'custom', type: signature('int', ['str', 'str', 'int']),
  kernel: (args, ctx: KernelCtx) => {
    const sub = str(args, 0), s = str(args, 1);
    const pos = args.length > 2 ? intsOf(args, 2, ctx) : null;
    const data = new Int32Array(ctx.n);
    let nulls: Uint8Array | null = null;
    for (let i = 0; i < ctx.n; i++) {
      if (pos && pos.nulls && pos.nulls[i]) continue; // a NULL start position gives 0 (as Hive)
      if (isNull(sub, i) || isNull(s, i)) { (nulls ??= new Uint8Array(ctx.n))[i] = 1; continue; }
      const p = pos ? pos.v[i] : 1;
      if (p < 1) continue;
      data[i] = indexOfChars(s, i, sub, p - 1) + 1;
    }
    return { type: 'int', data, nulls };
  },
  sql: {
    default: (e) => `locate(${e.args.map((_, i) => e.arg(i)).join(', ')})`,
    duckdb: (e) => {
      if (e.args.length === 2) return `CAST(instr(${e.arg(1)}, ${e.arg(0)}) AS INTEGER)`;
      const p = intSql(e, 2), s = e.arg(1), sub = e.arg(0);
      const rest = `instr(substring(${s}, ${p}), ${sub})`;
      return `CAST(CASE WHEN ${p} IS NULL OR ${p} < 1 THEN 0 WHEN ${op(e, 0)} IS NULL OR ${op(e, 1)} IS NULL THEN NULL WHEN ${op(e, 0)} = '' THEN 1 WHEN ${rest} = 0 THEN 0 ELSE ${rest} + ${p} - 1 END AS INTEGER)`;
    },
  },
  text: (a) => `locate(${a.join(', ')})`,
};

function predicate(name: 'startswith' | 'endswith' | 'contains', test: (b: Uint8Array, a: number, z: number, x: Uint8Array, c: number, d: number) => boolean, duck: string, ex: [string, string, string]): ScalarFunction {
  return {
    name, family: 'string', arity: [2, 2], signature: `${name}(left, right)`,
    summary: `TRUE when left ${name === 'startswith' ? 'starts with' : name === 'endswith' ? 'ends with' : 'contains'} right (an empty right always matches).`,
    examples: [{ sql: `${name}('${ex[0]}', '${ex[1]}')`, result: ex[2] }],
    nulls: 'propagate', type: signature('boolean', ['str']),
    kernel: (args, ctx) => {
      const l = str(args, 0), r = str(args, 1);
      const data = new Uint8Array(ctx.n);
      for (let i = 0; i < ctx.n; i++) {
        if (isNull(l, i) || isNull(r, i)) continue;
        data[i] = test(l.bytes, l.offsets[i], l.offsets[i + 1], r.bytes, r.offsets[i], r.offsets[i + 1]) ? 1 : 0;
      }
      return boolColumn(data, null);
    },
    sql: { default: `${name}($1, $2)`, duckdb: duckCall(duck) },
  };
}

function startsWith(b: Uint8Array, a: number, z: number, x: Uint8Array, c: number, d: number): boolean {
  if (d - c > z - a) return false;
  for (let k = 0; k < d - c; k++) if (b[a + k] !== x[c + k]) return false;
  return true;
}

function endsWith(b: Uint8Array, a: number, z: number, x: Uint8Array, c: number, d: number): boolean {
  return d - c <= z - a && startsWith(b, z - (d - c), z, x, c, d);
}

function contains(b: Uint8Array, a: number, z: number, x: Uint8Array, c: number, d: number): boolean {
  return indexOfBytes(b, a, z, x, c, d) >= 0;
}

/** The byte ranges of str split at every occurrence of delim (Java's split with limit -1; an empty delim does not split). */
function splitRanges(b: Uint8Array, a: number, z: number, x: Uint8Array, c: number, d: number): number[] {
  const out: number[] = [];
  if (d === c) return [a, z];
  let from = a;
  for (;;) {
    const at = indexOfBytes(b, from, z, x, c, d);
    if (at < 0) break;
    out.push(from, at);
    from = at + (d - c);
  }
  out.push(from, z);
  return out;
}

const splitPart: ScalarFunction = {
  name: 'split_part', family: 'string', arity: [3, 3], signature: 'split_part(str, delimiter, partNum)',
  summary: 'Part partNum (1-based; negative counts from the end) of str split at delimiter (not a regex); an empty string when out of range; an empty delimiter does not split. partNum 0 is INVALID_INDEX_OF_ZERO.',
  examples: [{ sql: "split_part('11.12.13', '.', 3)", result: '13' }],
  nulls: 'propagate', type: signature('string', ['str', 'str', 'int']),
  kernel: (args, ctx) => {
    const s = str(args, 0), d = str(args, 1);
    const p = intsOf(args, 2, ctx);
    const out = new StringColumnBuilder(ctx.n, s.offsets[ctx.n] - s.offsets[0]);
    for (let i = 0; i < ctx.n; i++) {
      if (isNull(s, i) || isNull(d, i) || (p.nulls && p.nulls[i])) { out.pushNull(); continue; }
      const k = p.v[i];
      if (k === 0) ctx.fail(i, 'INVALID_INDEX_OF_ZERO', 'split_part() part numbers start at 1 (or -1 from the end), got 0', 'use 1 for the first part or -1 for the last');
      const r = splitRanges(s.bytes, s.offsets[i], s.offsets[i + 1], d.bytes, d.offsets[i], d.offsets[i + 1]);
      const parts = r.length / 2;
      const j = k > 0 ? k - 1 : parts + k;
      if (j < 0 || j >= parts) out.pushBytes(s.bytes, 0, 0);
      else out.pushBytes(s.bytes, r[2 * j], r[2 * j + 1]);
    }
    return out.finish();
  },
  sql: {
    default: 'split_part($1, $2, $3)',
    duckdb: (e) => {
      const n = intSql(e, 2);
      return `CASE WHEN ${op(e, 0)} IS NULL OR ${op(e, 1)} IS NULL OR ${n} IS NULL THEN NULL WHEN ${n} = 0 THEN error('INVALID_INDEX_OF_ZERO: split_part() part numbers start at 1') WHEN ${op(e, 1)} = '' THEN CASE WHEN ${n} = 1 OR ${n} = -1 THEN ${e.arg(0)} ELSE '' END ELSE split_part(${e.arg(0)}, ${e.arg(1)}, ${n}) END`;
    },
  },
};

/** The last byte offset <= from where bytes[c, d) occur in bytes[a, z), or -1. */
function lastIndexOfBytes(b: Uint8Array, a: number, from: number, x: Uint8Array, c: number, d: number): number {
  for (let k = from; k >= a; k--) {
    let ok = true;
    for (let j = 0; j < d - c; j++) if (b[k + j] !== x[c + j]) { ok = false; break; }
    if (ok) return k;
  }
  return -1;
}

const substringIndex: ScalarFunction = {
  name: 'substring_index', family: 'string', arity: [3, 3], signature: 'substring_index(str, delim, count)',
  summary: 'str before the count-th occurrence of delim (count > 0, from the left) or after the count-th occurrence from the right (count < 0); all of str when there are fewer; an empty string for count 0 or an empty delim.',
  examples: [{ sql: "substring_index('www.apache.org', '.', 2)", result: 'www.apache' }],
  nulls: 'propagate', type: signature('string', ['str', 'str', 'int']),
  kernel: (args, ctx) => {
    const s = str(args, 0), d = str(args, 1);
    const cnt = intsOf(args, 2, ctx);
    const out = new StringColumnBuilder(ctx.n, s.offsets[ctx.n] - s.offsets[0]);
    for (let i = 0; i < ctx.n; i++) {
      if (isNull(s, i) || isNull(d, i) || (cnt.nulls && cnt.nulls[i])) { out.pushNull(); continue; }
      const b = s.bytes, a = s.offsets[i], z = s.offsets[i + 1], x = d.bytes, c = d.offsets[i], e = d.offsets[i + 1];
      let count = cnt.v[i];
      if (e === c || count === 0) { out.pushBytes(b, a, a); continue; }
      if (count > 0) {
        let idx = a - 1;
        while (count > 0) {
          idx = indexOfBytes(b, idx + 1, z, x, c, e);
          if (idx < 0) break;
          count--;
        }
        out.pushBytes(b, a, idx < 0 ? z : idx);
      } else {
        let idx = z - (e - c) + 1;
        count = -count;
        while (count > 0) {
          idx = lastIndexOfBytes(b, a, idx - 1, x, c, e);
          if (idx < 0) break;
          count--;
        }
        out.pushBytes(b, idx < 0 ? a : idx + (e - c), z);
      }
    }
    return out.finish();
  },
  sql: {
    default: 'substring_index($1, $2, $3)',
    duckdb: {
      approx: 'for a negative count, occurrences of a delimiter that overlap itself are found from the left by DuckDB (Spark searches from the right)',
      sql: (e) => {
        const n = intSql(e, 2);
        const parts = `string_split(${e.arg(0)}, ${e.arg(1)})`;
        return `CASE WHEN ${op(e, 0)} IS NULL OR ${op(e, 1)} IS NULL OR ${n} IS NULL THEN NULL WHEN ${n} = 0 OR ${op(e, 1)} = '' THEN '' WHEN ${n} > 0 THEN array_to_string(${parts}[1:${n}], ${e.arg(1)}) ELSE array_to_string(${parts}[${n}:], ${e.arg(1)}) END`;
      },
    },
  },
};

register([
  instr, locate,
  predicate('startswith', startsWith, 'starts_with', ['Spark SQL', 'Spark', 'true']),
  predicate('endswith', endsWith, 'ends_with', ['Spark SQL', 'SQL', 'true']),
  predicate('contains', contains, 'contains', ['Spark SQL', 'Spark', 'true']),
  splitPart, substringIndex,
]);
