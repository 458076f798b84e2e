/**
 * String functions. Kernels read strings through the string-column accessors:
 * ASCII paths work on UTF-8 bytes; Unicode case mapping and regular
 * expressions decode (once per column).
 */
import { StringColumnBuilder, stringColumnLength, type StringColumn } from '../column/string-column.js';
import { isAsciiRange, utf8Decode } from '../column/utf8.js';
import type { Column } from '../batch.js';
import { register, type ArgInfo, type ScalarFunction, type TypeCtx } from './registry.js';
import type { DataType } from '../ir/types.js';

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

/** upper / lower: ASCII on bytes, anything else through JS case mapping (decoded). */
function caseMap(c: StringColumn, upper: boolean): Column {
  const n = stringColumnLength(c);
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

const upper: ScalarFunction = {
  name: 'upper', aliases: ['ucase'], family: 'string', arity: [1, 1], signature: 'upper(str)',
  summary: 'The string with all characters upper-cased.',
  examples: [{ sql: "upper('SparkSql')", result: 'SPARKSQL' }],
  nulls: 'propagate', type: stringArgs('string'),
  kernel: (args) => caseMap(args[0] as StringColumn, true),
  sql: { default: (e) => { e.note('UNICODE_CASE_MAPPING', 'case mapping of non-ASCII text follows each engine\'s Unicode tables'); return `upper(${e.arg(0)})`; } },
};

const lower: ScalarFunction = {
  name: 'lower', aliases: ['lcase'], family: 'string', arity: [1, 1], signature: 'lower(str)',
  summary: 'The string with all characters lower-cased.',
  examples: [{ sql: "lower('SparkSql')", result: 'sparksql' }],
  nulls: 'propagate', type: stringArgs('string'),
  kernel: (args) => caseMap(args[0] as StringColumn, false),
  sql: { default: (e) => { e.note('UNICODE_CASE_MAPPING', 'case mapping of non-ASCII text follows each engine\'s Unicode tables'); return `lower(${e.arg(0)})`; } },
};

const trim: ScalarFunction = {
  name: 'trim', family: 'string', arity: [1, 1], signature: 'trim(str)',
  summary: 'The string without leading and trailing space characters.',
  examples: [{ sql: "trim('    SparkSQL   ')", result: 'SparkSQL' }],
  nulls: 'propagate', type: stringArgs('string'),
  kernel: (args) => {
    const c = args[0] as StringColumn;
    const n = stringColumnLength(c);
    const { offsets, bytes, nulls } = c;
    const out = new StringColumnBuilder(n, offsets[n] - offsets[0]);
    for (let i = 0; i < n; i++) {
      if (nulls !== null && nulls[i] === 1) { out.pushNull(); continue; }
      let a = offsets[i], z = offsets[i + 1];
      while (a < z && bytes[a] === 32) a++;
      while (z > a && bytes[z - 1] === 32) z--;
      out.pushBytes(bytes, a, z);
    }
    return out.finish();
  },
  sql: { default: (e) => e.dialect.trimSpaces(e.arg(0)) },
};

const length: ScalarFunction = {
  name: 'length', aliases: ['char_length', 'character_length', 'len'], family: 'string', arity: [1, 1], signature: 'length(str)',
  summary: 'The number of characters (Unicode code points) of the string.',
  examples: [{ sql: "length('Spark SQL ')", result: '10' }],
  nulls: 'propagate', type: stringArgs('int'),
  kernel: (args, ctx) => {
    const c = args[0] as StringColumn;
    const { offsets, bytes } = c;
    const data = new Int32Array(ctx.n);
    for (let i = 0; i < ctx.n; i++) {
      let chars = 0;
      for (let k = offsets[i], e = offsets[i + 1]; k < e; k++) if ((bytes[k] & 0xc0) !== 0x80) chars++;
      data[i] = chars;
    }
    return { type: 'int', data, nulls: null };
  },
  sql: { default: (e) => e.dialect.length(e.arg(0)) },
};

register([upper, lower, trim, length]);
