/**
 * Array and struct functions with Spark 4.1 semantics: `array`, `size`,
 * `element_at` (1-based, negative from the end), the `x[i]` subscript
 * (`get_item`, 0-based) and the `s.f` field access (`get_field`), searches,
 * set operations, sorting, `slice`, `flatten`, `sequence`, `arrays_zip`,
 * `named_struct` and `struct`. Map functions are in map.ts, the functions
 * taking lambdas in higher-order.ts.
 *
 * Element equality is Spark's (NaN equals NaN, -0.0 equals 0.0; see
 * values.ts). In ANSI mode an index outside an array fails the flow
 * (INVALID_ARRAY_INDEX, INVALID_ARRAY_INDEX_IN_ELEMENT_AT); without it the
 * result is NULL. `size(NULL)` is -1 unless ANSI mode is on (Spark's
 * `spark.sql.legacy.sizeOfNull`, which ANSI mode turns off).
 *
 * DuckDB spellings compute the same: DuckDB lists are 1-based, so indexes
 * are shifted; Spark's NULL handling is spelled out where DuckDB's list
 * functions differ (NULL elements, NULL arrays in concatenations).
 */
import { ColumnBuilder, type Column } from '../batch.js';
import { arrayType, isArray, isMap, isStruct, structType, typeInfo, type DataType, type Field, type Value } from '../ir/types.js';
import { P } from '../sql/precedence.js';
import { arrayElement, meet, needIndex, perRow, valuesColumn, widest } from './collection-kit.js';
import { register, type ArgInfo, type KernelCtx, type ScalarFunction, type SqlEmit, type TypeCtx } from './registry.js';
import { columnValues, compareFor, equalsFor, keyFor, type Compare } from './values.js';

type Arr = readonly Value[];

/** Spark's largest array (ByteArrayMethods.MAX_ROUNDED_ARRAY_LENGTH). */
const MAX_ARRAY = 2147483632;

/** A DuckDB lambda parameter name that cannot clash with a column. */
const E = '__e', I = '__i';

/** Argument i as the base of a subscript: `(x)[i]` in DuckDB (a bare NULL or literal cannot take one), an atom elsewhere. */
function arr(e: SqlEmit, i: number): string {
  return e.dialect.name === 'duckdb' ? `(${e.arg(i)})` : e.arg(i, P.ATOM);
}

/** `CASE WHEN a IS NULL OR b IS NULL … THEN NULL ELSE body END`: Spark's NULL propagation where DuckDB's list function differs. */
function nullGuard(e: SqlEmit, idx: readonly number[], body: string): string {
  return `CASE WHEN ${idx.map((i) => `${e.arg(i, P.ATOM)} IS NULL`).join(' OR ')} THEN NULL ELSE ${body} END`;
}

// ------------------------------------------------------------ construction and size

const array: ScalarFunction = {
  name: 'array', family: 'collection', arity: [0, Infinity], signature: 'array(expr, ...)',
  summary: 'An array of the arguments, brought to their common type (NULL arguments become NULL elements).',
  examples: [{ sql: 'array(1, 2, 3)', result: '[1,2,3]' }, { sql: "array('a', NULL)", result: '["a",null]' }],
  nulls: 'custom',
  type: (args, ctx) => {
    if (args.length === 0) return { returns: 'array<string>' };
    const t = widest(args, ctx, 'elements');
    return { returns: arrayType(t), args: args.map(() => t) };
  },
  kernel: perRow((vals) => vals.slice(), false),
  sql: {
    default: 'array($*)',
    duckdb: (e) => (e.args.length === 0 ? `CAST([] AS ${e.dialect.typeName(e.returns)})` : `[${e.args.map((_, i) => e.arg(i)).join(', ')}]`),
  },
  notes: '`array()` without arguments is an empty array of any element type.',
};

function sizeOf(v: Value): number {
  return v instanceof Map ? v.size : (v as Arr).length;
}

const size: ScalarFunction = {
  name: 'size', aliases: ['cardinality'], family: 'collection', arity: [1, 1], signature: 'size(expr)',
  summary: 'The number of elements of an array or entries of a map; for NULL, -1 (NULL in ANSI mode, as Spark\'s spark.sql.legacy.sizeOfNull).',
  examples: [{ sql: "size(array('b', 'd', 'c', 'a'))", result: '4' }, { sql: "size(map('a', 1, 'b', 2))", result: '2' }],
  nulls: 'custom',
  type: (args, ctx) => {
    const a = args[0];
    if (!a.isNullLiteral && !isArray(a.type) && !isMap(a.type)) ctx.mismatch(`size() needs an array or a map, got ${a.type}`);
    return { returns: 'int' };
  },
  kernel: (args, ctx) => {
    const v = columnValues(args[0], ctx.n);
    const data = new Int32Array(ctx.n);
    let nulls: Uint8Array | null = null;
    for (let i = 0; i < ctx.n; i++) {
      if (v[i] === null) { if (ctx.ansi) (nulls ??= new Uint8Array(ctx.n))[i] = 1; else data[i] = -1; }
      else data[i] = sizeOf(v[i]);
    }
    return { type: 'int', data, nulls };
  },
  sql: {
    default: 'size($1)',
    duckdb: (e) => {
      const len = isMap(e.argTypes[0]) ? `cardinality(${e.arg(0)})` : `len(${e.arg(0)})`;
      return e.ansi ? `CAST(${len} AS INTEGER)` : `CAST(coalesce(${len}, -1) AS INTEGER)`;
    },
  },
};

const arraySize: ScalarFunction = {
  name: 'array_size', family: 'collection', arity: [1, 1], signature: 'array_size(expr)',
  summary: 'The number of elements of an array (NULL for NULL).',
  examples: [{ sql: "array_size(array('b', 'd', 'c', 'a'))", result: '4' }],
  nulls: 'propagate',
  type: (args, ctx) => { arrayElement(args, 0, ctx); return { returns: 'int' }; },
  kernel: perRow(([a]) => (a as Arr).length),
  sql: { default: 'array_size($1)', duckdb: 'CAST(len($1) AS INTEGER)' },
};

// ------------------------------------------------------------ access

/** Element `idx` (1-based, negative from the end) of an array; fails or NULL outside it. */
function elementAt(a: Arr, idx: number, row: number, ctx: KernelCtx, strict: boolean): Value {
  if (idx === 0) ctx.fail(row, 'INVALID_INDEX_OF_ZERO', 'the index 0 is invalid: SQL array indices start at 1', 'use 1 for the first element and -1 for the last');
  const k = idx > 0 ? idx - 1 : a.length + idx;
  if (k < 0 || k >= a.length) {
    if (strict) ctx.fail(row, 'INVALID_ARRAY_INDEX_IN_ELEMENT_AT', `the index ${idx} is out of bounds: the array has ${a.length} elements`, 'use try_element_at() to get NULL instead, or set the pipeline\'s ANSI mode off');
    return null;
  }
  return a[k] ?? null;
}

/** Looks a key up in a map (Spark equality of keys; decimals and doubles as numbers). */
function mapGet(m: ReadonlyMap<Value, Value>, key: Value, keyType: DataType): Value {
  const direct = m.get(key);
  if (direct !== undefined) return direct;
  if (typeof key !== 'number' && !isArray(keyType) && !isStruct(keyType)) return null;
  const eq = equalsFor(keyType);
  for (const [k, v] of m) if (k !== null && eq(k, key)) return v;
  return null;
}

function elementAtType(args: readonly ArgInfo[], ctx: TypeCtx) {
  const c = args[0];
  if (!c.isNullLiteral && isMap(c.type)) {
    const { key, value } = typeInfo(c.type) as { key: DataType; value: DataType };
    const k = meet([key, args[1].isNullLiteral ? null : args[1].type], ctx);
    if (k !== key) ctx.mismatch(`${ctx.fn}() looks up a key of type ${args[1].type} in a map with ${key} keys`);
    return { returns: value, args: [null, key] };
  }
  const elem = arrayElement(args, 0, ctx) ?? 'string';
  needIndex(args, 1, ctx);
  return { returns: elem, args: [arrayType(elem), 'int' as DataType] };
}

function elementAtKernel(strict: (ctx: KernelCtx) => boolean) {
  return (args: readonly Column[], ctx: KernelCtx): Column => {
    if (isMap(ctx.argTypes[0])) {
      const keyType = (typeInfo(ctx.argTypes[0]) as { key: DataType }).key;
      return perRow(([m, k]) => mapGet(m as ReadonlyMap<Value, Value>, k, keyType))(args, ctx);
    }
    const s = strict(ctx);
    return perRow(([a, i], row) => elementAt(a as Arr, i as number, row, ctx, s))(args, ctx);
  };
}

/** DuckDB: arrays are 1-based there too; index 0 and (ANSI) an index outside the array fail as in the engine. */
function elementAtDuck(strict: boolean) {
  return (e: SqlEmit): string => {
    if (isMap(e.argTypes[0])) return `${arr(e, 0)}[${e.arg(1)}]`;
    const a = arr(e, 0), i = e.arg(1, P.ATOM);
    const zero = `WHEN ${i} = 0 THEN error('INVALID_INDEX_OF_ZERO: SQL array indices start at 1')`;
    const out = strict ? ` WHEN abs(${i}) > len(${a}) THEN error('INVALID_ARRAY_INDEX_IN_ELEMENT_AT: the index ' || ${i} || ' is out of bounds')` : '';
    return `CASE ${zero}${out} ELSE ${a}[${i}] END`;
  };
}

const elementAtFn: ScalarFunction = {
  name: 'element_at', family: 'collection', arity: [2, 2], signature: 'element_at(array, index) | element_at(map, key)',
  summary: 'The element at a 1-based index (negative counts from the end), or the value of a map key (NULL when missing). An index outside the array is NULL, or INVALID_ARRAY_INDEX_IN_ELEMENT_AT in ANSI mode; index 0 is always INVALID_INDEX_OF_ZERO.',
  examples: [{ sql: 'element_at(array(1, 2, 3), 2)', result: '2' }, { sql: "element_at(map(1, 'a', 2, 'b'), 2)", result: 'b' }],
  nulls: 'propagate',
  type: elementAtType,
  kernel: elementAtKernel((ctx) => ctx.ansi),
  sql: { default: 'element_at($1, $2)', duckdb: (e) => elementAtDuck(e.ansi)(e) },
};

const tryElementAt: ScalarFunction = {
  name: 'try_element_at', family: 'collection', arity: [2, 2], signature: 'try_element_at(array, index) | try_element_at(map, key)',
  summary: 'element_at() that gives NULL for an index outside the array whatever the ANSI mode (index 0 still fails).',
  examples: [{ sql: 'try_element_at(array(1, 2, 3), 4)', result: 'NULL' }],
  nulls: 'propagate',
  type: elementAtType,
  kernel: elementAtKernel(() => false),
  sql: { default: 'try_element_at($1, $2)', duckdb: (e) => elementAtDuck(false)(e) },
};

/** A struct field by name: exact, else the one field equal ignoring case (Spark's case-insensitive resolution). */
export function findField(fields: readonly Field[], name: string): Field | undefined | 'ambiguous' {
  const exact = fields.find((f) => f.name === name);
  if (exact) return exact;
  const close = fields.filter((f) => f.name.toLowerCase() === name.toLowerCase());
  return close.length === 1 ? close[0] : close.length > 1 ? 'ambiguous' : undefined;
}

function literalName(args: readonly ArgInfo[], i: number, ctx: TypeCtx): string {
  const v = args[i].literal;
  if (typeof v !== 'string') ctx.mismatch(`${ctx.fn}() needs a field name (a string literal) as argument ${i + 1}`);
  return v as string;
}

function structField(t: DataType, name: string, ctx: TypeCtx): Field {
  const f = findField((typeInfo(t) as { fields: readonly Field[] }).fields, name);
  if (f === 'ambiguous') ctx.mismatch(`the field ${name} is ambiguous in ${t}`, 'fields differ only by case: rename one');
  if (!f) ctx.mismatch(`${t} has no field ${name}`, `the fields are ${(typeInfo(t) as { fields: readonly Field[] }).fields.map((x) => x.name).join(', ')}`);
  return f as Field;
}

const getItem: ScalarFunction = {
  name: 'get_item', family: 'collection', arity: [2, 2], signature: 'expr[index] | expr[key]',
  summary: 'Subscript: the element at a 0-based index of an array (outside it NULL, or INVALID_ARRAY_INDEX in ANSI mode), the value of a map key (NULL when missing), or a struct field named by a string literal.',
  examples: [{ sql: 'array(1, 2, 3)[0]', result: '1' }, { sql: "map('a', 1)['a']", result: '1' }],
  nulls: 'propagate',
  type: (args, ctx) => {
    const c = args[0];
    if (!c.isNullLiteral && isStruct(c.type)) {
      const f = structField(c.type, literalName(args, 1, ctx), ctx);
      return { returns: f.type };
    }
    if (!c.isNullLiteral && isMap(c.type)) return elementAtType(args, ctx);
    const elem = arrayElement(args, 0, ctx) ?? 'string';
    needIndex(args, 1, ctx);
    return { returns: elem, args: [arrayType(elem), 'int'] };
  },
  kernel: (args, ctx) => {
    const t = ctx.argTypes[0];
    if (isStruct(t)) {
      const name = (findField((typeInfo(t) as { fields: readonly Field[] }).fields, ctx.literals[1] as string) as Field).name;
      return perRow(([s]) => (s as Record<string, Value>)[name] ?? null)(args, ctx);
    }
    if (isMap(t)) return elementAtKernel(() => false)(args, ctx);
    return perRow(([a, i], row) => {
      const xs = a as Arr, k = i as number;
      if (k < 0 || k >= xs.length) {
        if (ctx.ansi) ctx.fail(row, 'INVALID_ARRAY_INDEX', `the index ${k} is out of bounds: the array has ${xs.length} elements`, 'use try_element_at() (1-based) to get NULL instead, or set the pipeline\'s ANSI mode off');
        return null;
      }
      return xs[k] ?? null;
    })(args, ctx);
  },
  sql: {
    default: (e) => ({ sql: `${arr(e, 0)}[${e.arg(1)}]`, prec: P.ATOM }),
    duckdb: (e) => {
      const t = e.argTypes[0];
      if (isStruct(t)) return `struct_extract(${e.arg(0)}, ${e.arg(1)})`;
      if (isMap(t)) return `${arr(e, 0)}[${e.arg(1)}]`;
      const a = arr(e, 0), i = e.arg(1, P.ATOM);
      const bad = e.ansi ? `error('INVALID_ARRAY_INDEX: the index ' || ${i} || ' is out of bounds')` : 'NULL';
      return `CASE WHEN ${i} < 0 OR ${i} >= len(${a}) THEN ${bad} ELSE ${a}[${i} + 1] END`;
    },
  },
  text: (a) => `${a[0]}[${a[1]}]`,
  notes: 'The form the SQL reader gives `x[i]`.',
};

const getField: ScalarFunction = {
  name: 'get_field', family: 'collection', arity: [2, 2], signature: 'expr.field',
  summary: 'Field access: a field of a struct (matched exactly, else ignoring case), the value of a string key of a map (NULL when missing), or that field of every struct of an array.',
  examples: [{ sql: "named_struct('a', 1, 'b', 'x').b", result: 'x' }],
  nulls: 'propagate',
  type: (args, ctx) => {
    const name = literalName(args, 1, ctx);
    const t = args[0].type;
    if (isStruct(t)) return { returns: structField(t, name, ctx).type };
    if (isMap(t)) {
      const { key, value } = typeInfo(t) as { key: DataType; value: DataType };
      if (key !== 'string') ctx.mismatch(`.${name} needs a map with string keys, got ${t}`);
      return { returns: value };
    }
    if (isArray(t) && isStruct((typeInfo(t) as { element: DataType }).element)) {
      return { returns: arrayType(structField((typeInfo(t) as { element: DataType }).element, name, ctx).type) };
    }
    return ctx.mismatch(`.${name} needs a struct (or a map, or an array of structs), got ${t}`);
  },
  kernel: (args, ctx) => {
    const t = ctx.argTypes[0];
    const name = ctx.literals[1] as string;
    if (isMap(t)) return perRow(([m]) => (m as ReadonlyMap<Value, Value>).get(name) ?? null)(args, ctx);
    const st = isArray(t) ? (typeInfo(t) as { element: DataType }).element : t;
    const f = findField((typeInfo(st) as { fields: readonly Field[] }).fields, name) as Field;
    if (isArray(t)) return perRow(([a]) => (a as Arr).map((s) => (s === null ? null : (s as Record<string, Value>)[f.name] ?? null)))(args, ctx);
    return perRow(([s]) => (s as Record<string, Value>)[f.name] ?? null)(args, ctx);
  },
  sql: {
    default: (e) => {
      const name = e.literals[1] as string;
      if (isMap(e.argTypes[0])) return { sql: `${arr(e, 0)}[${e.literal(name, 'string')}]`, prec: P.ATOM };
      return { sql: `${arr(e, 0)}.${e.dialect.ident(resolvedName(e.argTypes[0], name))}`, prec: P.ATOM };
    },
    duckdb: (e) => {
      const name = e.literals[1] as string;
      const t = e.argTypes[0];
      if (isMap(t)) return `${arr(e, 0)}[${e.literal(name, 'string')}]`;
      const field = e.literal(resolvedName(t, name), 'string');
      if (isArray(t)) return `list_transform(${e.arg(0)}, lambda ${E}: struct_extract(${E}, ${field}))`;
      return `struct_extract(${e.arg(0)}, ${field})`;
    },
  },
  text: (a) => `${a[0]}.${a[1].replace(/^'(.*)'$/s, '$1')}`,
  notes: 'The form the SQL reader gives `expr.field` on an expression; a qualified column `s.f` whose `s` is a struct column resolves to it too.',
};

function resolvedName(t: DataType, name: string): string {
  const st = isArray(t) ? (typeInfo(t) as { element: DataType }).element : t;
  const f = findField((typeInfo(st) as { fields: readonly Field[] }).fields, name);
  return f && f !== 'ambiguous' ? f.name : name;
}

// ------------------------------------------------------------ searching

/** Array and searched value brought to their common element type. */
function searchType(returns: DataType) {
  return (args: readonly ArgInfo[], ctx: TypeCtx) => {
    const elem = arrayElement(args, 0, ctx);
    const t = meet([elem, args[1].isNullLiteral ? null : args[1].type], ctx);
    return { returns, args: [arrayType(t), t] };
  };
}

const arrayContains: ScalarFunction = {
  name: 'array_contains', family: 'collection', arity: [2, 2], signature: 'array_contains(array, value)',
  summary: 'TRUE when the array holds the value; else NULL when it holds a NULL element, else FALSE.',
  examples: [{ sql: 'array_contains(array(1, 2, 3), 2)', result: 'true' }],
  nulls: 'propagate',
  type: searchType('boolean'),
  kernel: (args, ctx) => {
    const eq = equalsFor(ctx.argTypes[1]);
    return perRow(([a, v]) => {
      let hasNull = false;
      for (const x of a as Arr) { if (x === null) hasNull = true; else if (eq(x, v)) return true; }
      return hasNull ? null : false;
    })(args, ctx);
  },
  sql: {
    default: 'array_contains($1, $2)',
    duckdb: (e) => nullGuard(e, [0, 1], `CASE WHEN list_contains(${e.arg(0)}, ${e.arg(1)}) THEN TRUE WHEN list_position(${e.arg(0)}, NULL) IS NOT NULL THEN NULL ELSE FALSE END`),
  },
};

const arrayPosition: ScalarFunction = {
  name: 'array_position', family: 'collection', arity: [2, 2], signature: 'array_position(array, value)',
  summary: 'The 1-based position (BIGINT) of the first element equal to the value, or 0.',
  examples: [{ sql: 'array_position(array(312, 773, 708, 708), 708)', result: '3' }],
  nulls: 'propagate',
  type: searchType('long'),
  kernel: (args, ctx) => {
    const eq = equalsFor(ctx.argTypes[1]);
    return perRow(([a, v]) => {
      const xs = a as Arr;
      for (let k = 0; k < xs.length; k++) if (xs[k] !== null && eq(xs[k], v)) return k + 1;
      return 0;
    })(args, ctx);
  },
  sql: {
    default: 'array_position($1, $2)',
    duckdb: (e) => nullGuard(e, [0, 1], `CAST(coalesce(list_position(${e.arg(0)}, ${e.arg(1)}), 0) AS BIGINT)`),
  },
};

const arrayRemove: ScalarFunction = {
  name: 'array_remove', family: 'collection', arity: [2, 2], signature: 'array_remove(array, element)',
  summary: 'The array without the elements equal to the element (NULL elements stay).',
  examples: [{ sql: 'array_remove(array(1, 2, 3, NULL, 3), 3)', result: '[1,2,null]' }],
  nulls: 'propagate',
  type: (args, ctx) => { const r = searchType('string')(args, ctx); return { returns: r.args[0], args: r.args }; },
  kernel: (args, ctx) => {
    const eq = equalsFor(ctx.argTypes[1]);
    return perRow(([a, v]) => (a as Arr).filter((x) => x === null || !eq(x, v)))(args, ctx);
  },
  sql: {
    default: 'array_remove($1, $2)',
    duckdb: (e) => nullGuard(e, [0, 1], `list_filter(${e.arg(0)}, lambda ${E}: ${E} IS NULL OR ${E} <> ${e.arg(1, P.ATOM)})`),
  },
};

// ------------------------------------------------------------ set operations

/** The distinct elements of `xs` in order of first occurrence (one NULL kept). */
function distinct(xs: Arr, key: (v: Value) => unknown): Value[] {
  const seen = new Set<unknown>();
  const out: Value[] = [];
  for (const x of xs) {
    const k = x === null ? NULL_KEY : key(x);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(x ?? null);
  }
  return out;
}

const NULL_KEY = Symbol('null');

/** Two arrays brought to their common element type. */
function twoArrays(args: readonly ArgInfo[], ctx: TypeCtx) {
  const t = meet([arrayElement(args, 0, ctx), arrayElement(args, 1, ctx)], ctx);
  return { returns: arrayType(t), args: [arrayType(t), arrayType(t)] };
}

/** DuckDB: distinct elements in order of first occurrence (list_distinct drops NULL and reorders). */
function duckDistinct(list: string, keep = 'TRUE'): string {
  return `list_filter(${list}, lambda ${E}, ${I}: list_position(${list}, ${E}) = ${I} AND ${keep})`;
}

const arrayDistinct: ScalarFunction = {
  name: 'array_distinct', family: 'collection', arity: [1, 1], signature: 'array_distinct(array)',
  summary: 'The array without repeated elements, in order of first occurrence (one NULL kept).',
  examples: [{ sql: 'array_distinct(array(1, 2, 3, NULL, 3))', result: '[1,2,3,null]' }],
  nulls: 'propagate',
  type: (args, ctx) => { const t = arrayElement(args, 0, ctx) ?? 'string'; return { returns: arrayType(t), args: [arrayType(t)] }; },
  kernel: (args, ctx) => {
    const key = keyFor((typeInfo(ctx.returns) as { element: DataType }).element);
    return perRow(([a]) => distinct(a as Arr, key))(args, ctx);
  },
  sql: { default: 'array_distinct($1)', duckdb: (e) => duckDistinct(e.arg(0)) },
};

const arrayUnion: ScalarFunction = {
  name: 'array_union', family: 'collection', arity: [2, 2], signature: 'array_union(array1, array2)',
  summary: 'The distinct elements of both arrays, in order of first occurrence.',
  examples: [{ sql: 'array_union(array(1, 2, 3), array(1, 3, 5))', result: '[1,2,3,5]' }],
  nulls: 'propagate',
  type: twoArrays,
  kernel: (args, ctx) => {
    const key = keyFor((typeInfo(ctx.returns) as { element: DataType }).element);
    return perRow(([a, b]) => distinct([...(a as Arr), ...(b as Arr)], key))(args, ctx);
  },
  sql: { default: 'array_union($1, $2)', duckdb: (e) => nullGuard(e, [0, 1], duckDistinct(`list_concat(${e.arg(0)}, ${e.arg(1)})`)) },
};

const arrayIntersect: ScalarFunction = {
  name: 'array_intersect', family: 'collection', arity: [2, 2], signature: 'array_intersect(array1, array2)',
  summary: 'The distinct elements of the first array that are also in the second, in order.',
  examples: [{ sql: 'array_intersect(array(1, 2, 3), array(1, 3, 5))', result: '[1,3]' }],
  nulls: 'propagate',
  type: twoArrays,
  kernel: (args, ctx) => {
    const key = keyFor((typeInfo(ctx.returns) as { element: DataType }).element);
    return perRow(([a, b]) => {
      const inB = new Set((b as Arr).map((x) => (x === null ? NULL_KEY : key(x))));
      return distinct(a as Arr, key).filter((x) => inB.has(x === null ? NULL_KEY : key(x)));
    })(args, ctx);
  },
  sql: { default: 'array_intersect($1, $2)', duckdb: (e) => nullGuard(e, [0, 1], duckDistinct(e.arg(0), `list_position(${e.arg(1)}, ${E}) IS NOT NULL`)) },
};

const arrayExcept: ScalarFunction = {
  name: 'array_except', family: 'collection', arity: [2, 2], signature: 'array_except(array1, array2)',
  summary: 'The distinct elements of the first array that are not in the second, in order.',
  examples: [{ sql: 'array_except(array(1, 2, 3), array(1, 3, 5))', result: '[2]' }],
  nulls: 'propagate',
  type: twoArrays,
  kernel: (args, ctx) => {
    const key = keyFor((typeInfo(ctx.returns) as { element: DataType }).element);
    return perRow(([a, b]) => {
      const inB = new Set((b as Arr).map((x) => (x === null ? NULL_KEY : key(x))));
      return distinct(a as Arr, key).filter((x) => !inB.has(x === null ? NULL_KEY : key(x)));
    })(args, ctx);
  },
  sql: { default: 'array_except($1, $2)', duckdb: (e) => nullGuard(e, [0, 1], duckDistinct(e.arg(0), `list_position(${e.arg(1)}, ${E}) IS NULL`)) },
};

const arraysOverlap: ScalarFunction = {
  name: 'arrays_overlap', family: 'collection', arity: [2, 2], signature: 'arrays_overlap(array1, array2)',
  summary: 'TRUE when the arrays share a non-NULL element; else NULL when both are non-empty and either holds a NULL; else FALSE.',
  examples: [{ sql: 'arrays_overlap(array(1, 2, 3), array(3, 4, 5))', result: 'true' }],
  nulls: 'propagate',
  type: (args, ctx) => ({ ...twoArrays(args, ctx), returns: 'boolean' }),
  kernel: (args, ctx) => {
    const key = keyFor((typeInfo(ctx.argTypes[0]) as { element: DataType }).element);
    return perRow(([a, b]) => {
      const xs = a as Arr, ys = b as Arr;
      const inA = new Set(xs.filter((x) => x !== null).map(key));
      let hasNull = xs.some((x) => x === null);
      for (const y of ys) { if (y === null) hasNull = true; else if (inA.has(key(y))) return true; }
      return hasNull && xs.length > 0 && ys.length > 0 ? null : false;
    })(args, ctx);
  },
  sql: {
    default: 'arrays_overlap($1, $2)',
    duckdb: (e) => {
      const a = e.arg(0), b = e.arg(1);
      return nullGuard(e, [0, 1], `CASE WHEN len(list_filter(${a}, lambda ${E}: list_contains(${b}, ${E}))) > 0 THEN TRUE WHEN len(${a}) > 0 AND len(${b}) > 0 AND (list_position(${a}, NULL) IS NOT NULL OR list_position(${b}, NULL) IS NOT NULL) THEN NULL ELSE FALSE END`);
    },
  },
};

// ------------------------------------------------------------ building and reshaping

const arrayJoin: ScalarFunction = {
  name: 'array_join', family: 'collection', arity: [2, 3], signature: 'array_join(array, delimiter[, nullReplacement])',
  summary: 'The elements (as strings) joined by the delimiter; NULL elements are skipped, or replaced by nullReplacement.',
  examples: [{ sql: "array_join(array('hello', NULL, 'world'), ' ', ',')", result: 'hello , world' }],
  nulls: 'propagate',
  type: (args, ctx) => {
    const elem = arrayElement(args, 0, ctx);
    if (elem !== null && !['string', 'int', 'long', 'double', 'boolean', 'date', 'timestamp'].includes(elem) && !elem.startsWith('decimal')) ctx.mismatch(`array_join() needs an array of atomic values, got array<${elem}>`);
    for (const i of [1, 2]) if (args[i] && !args[i].isNullLiteral && args[i].type !== 'string') ctx.mismatch(`array_join() needs a string as argument ${i + 1}, got ${args[i].type}`);
    return { returns: 'string', args: ['array<string>', 'string', 'string'] };
  },
  kernel: perRow(([a, d, r]) => {
    const parts: string[] = [];
    for (const x of a as Arr) { if (x !== null) parts.push(x as string); else if (r !== undefined) parts.push(r as string); }
    return parts.join(d as string);
  }),
  sql: {
    default: 'array_join($*)',
    duckdb: (e) => {
      const list = e.args.length === 3 ? `list_transform(${e.arg(0)}, lambda ${E}: coalesce(${E}, ${e.arg(2)}))` : e.arg(0);
      return nullGuard(e, e.args.map((_, i) => i), `array_to_string(${list}, ${e.arg(1)})`);
    },
  },
};

const flattenFn: ScalarFunction = {
  name: 'flatten', family: 'collection', arity: [1, 1], signature: 'flatten(arrayOfArrays)',
  summary: 'The arrays of an array concatenated (NULL when any of them is NULL).',
  examples: [{ sql: 'flatten(array(array(1, 2), array(3, 4)))', result: '[1,2,3,4]' }],
  nulls: 'propagate',
  type: (args, ctx) => {
    const inner = arrayElement(args, 0, ctx);
    if (inner !== null && !isArray(inner)) ctx.mismatch(`flatten() needs an array of arrays, got array<${inner}>`);
    return { returns: inner ?? 'array<string>' };
  },
  kernel: perRow(([a]) => {
    const out: Value[] = [];
    for (const x of a as Arr) { if (x === null) return null; out.push(...(x as Arr)); }
    return out;
  }),
  sql: { default: 'flatten($1)', duckdb: (e) => `CASE WHEN list_position(${e.arg(0)}, NULL) IS NOT NULL THEN NULL ELSE flatten(${e.arg(0)}) END` },
};

const slice: ScalarFunction = {
  name: 'slice', family: 'collection', arity: [3, 3], signature: 'slice(array, start, length)',
  summary: 'The length elements from the 1-based start (negative counts from the end); start 0 or a negative length is INVALID_PARAMETER_VALUE.',
  examples: [{ sql: 'slice(array(1, 2, 3, 4), 2, 2)', result: '[2,3]' }, { sql: 'slice(array(1, 2, 3, 4), -2, 2)', result: '[3,4]' }],
  nulls: 'propagate',
  type: (args, ctx) => {
    const t = arrayElement(args, 0, ctx) ?? 'string';
    needIndex(args, 1, ctx, 'a start');
    needIndex(args, 2, ctx, 'a length');
    return { returns: arrayType(t), args: [arrayType(t), 'int', 'int'] };
  },
  kernel: (args, ctx) => perRow(([a, s, l], row) => {
    const xs = a as Arr, start = s as number, len = l as number;
    if (start === 0) ctx.fail(row, 'INVALID_PARAMETER_VALUE', 'slice() start is 0: SQL array indices start at 1', 'use 1 for the first element, negative values to count from the end');
    if (len < 0) ctx.fail(row, 'INVALID_PARAMETER_VALUE', `slice() length is ${len}: it must be 0 or more`, 'check the length argument');
    const from = start > 0 ? start - 1 : xs.length + start;
    if (from < 0 || from >= xs.length) return [];
    return xs.slice(from, from + len);
  })(args, ctx),
  sql: {
    default: 'slice($1, $2, $3)',
    duckdb: (e) => {
      const a = e.arg(0), s = e.arg(1, P.ATOM), l = e.arg(2, P.ATOM);
      const from0 = `(CASE WHEN ${s} > 0 THEN ${s} - 1 ELSE len(${a}) + ${s} END)`;
      return `CASE WHEN ${s} = 0 THEN error('INVALID_PARAMETER_VALUE: slice() start is 0') WHEN ${l} < 0 THEN error('INVALID_PARAMETER_VALUE: slice() length is negative') `
        + `WHEN ${from0} < 0 THEN list_slice(${a}, 1, 0) ELSE list_slice(${a}, ${from0} + 1, ${from0} + ${l}) END`;
    },
  },
};

const arrayCompact: ScalarFunction = {
  name: 'array_compact', family: 'collection', arity: [1, 1], signature: 'array_compact(array)',
  summary: 'The array without its NULL elements.',
  examples: [{ sql: 'array_compact(array(1, 2, 3, NULL))', result: '[1,2,3]' }],
  nulls: 'propagate',
  type: (args, ctx) => { const t = arrayElement(args, 0, ctx) ?? 'string'; return { returns: arrayType(t) }; },
  kernel: perRow(([a]) => (a as Arr).filter((x) => x !== null)),
  sql: { default: 'array_compact($1)', duckdb: (e) => `list_filter(${e.arg(0)}, lambda ${E}: ${E} IS NOT NULL)` },
};

function appendFn(name: 'array_append' | 'array_prepend'): ScalarFunction {
  const append = name === 'array_append';
  return {
    name, family: 'collection', arity: [2, 2], signature: `${name}(array, element)`,
    summary: `The array with the element (which may be NULL) added at the ${append ? 'end' : 'start'}.`,
    examples: [{ sql: `${name}(array('b', 'd', 'c', 'a'), 'd')`, result: append ? '["b","d","c","a","d"]' : '["d","b","d","c","a"]' }],
    nulls: 'custom',
    type: (args, ctx) => {
      const t = meet([arrayElement(args, 0, ctx), args[1].isNullLiteral ? null : args[1].type], ctx);
      return { returns: arrayType(t), args: [arrayType(t), t] };
    },
    kernel: perRow(([a, v]) => (append ? [...(a as Arr), v] : [v, ...(a as Arr)]), true, [0]),
    sql: { default: `${name}($1, $2)`, duckdb: (e) => nullGuard(e, [0], append ? `list_append(${e.arg(0)}, ${e.arg(1)})` : `list_prepend(${e.arg(1)}, ${e.arg(0)})`) },
  };
}

function extremeFn(name: 'array_min' | 'array_max'): ScalarFunction {
  const sign = name === 'array_max' ? 1 : -1;
  return {
    name, family: 'collection', arity: [1, 1], signature: `${name}(array)`,
    summary: `The ${sign > 0 ? 'largest' : 'smallest'} non-NULL element (NULL when there is none; NaN is the largest double).`,
    examples: [{ sql: `${name}(array(1, 20, NULL, 3))`, result: sign > 0 ? '20' : '1' }],
    nulls: 'propagate',
    type: (args, ctx) => ({ returns: arrayElement(args, 0, ctx) ?? 'string' }),
    kernel: (args, ctx) => {
      const cmp = compareFor(ctx.returns);
      return perRow(([a]) => {
        let best: Value = null;
        for (const x of a as Arr) if (x !== null && (best === null || sign * cmp(x, best) > 0)) best = x;
        return best;
      })(args, ctx);
    },
    sql: { default: `${name}($1)`, duckdb: `list_${sign > 0 ? 'max' : 'min'}($1)` },
  };
}

const arrayRepeat: ScalarFunction = {
  name: 'array_repeat', family: 'collection', arity: [2, 2], signature: 'array_repeat(element, count)',
  summary: 'An array of count copies of the element (empty for a count below 1).',
  examples: [{ sql: "array_repeat('123', 2)", result: '["123","123"]' }],
  nulls: 'custom',
  type: (args, ctx) => { needIndex(args, 1, ctx, 'a count'); return { returns: arrayType(args[0].type), args: [null, 'int'] }; },
  kernel: (args, ctx) => perRow(([v, c], row) => {
    const k = c as number;
    if (k > MAX_ARRAY) ctx.fail(row, 'COLLECTION_SIZE_LIMIT_EXCEEDED', `array_repeat() cannot make ${k} elements`, 'repeat fewer times');
    return new Array<Value>(Math.max(0, k)).fill(v);
  }, true, [1])(args, ctx),
  sql: { default: 'array_repeat($1, $2)', duckdb: (e) => nullGuard(e, [1], `list_transform(range(greatest(${e.arg(1)}, 0)), lambda ${E}: ${e.arg(0)})`) },
};

// ------------------------------------------------------------ sorting

/** Sorts a copy of `xs`: NULLs first or last, the rest by `cmp` (stable). */
function sorted(xs: Arr, cmp: Compare, desc: boolean, nullsFirst: boolean): Value[] {
  const vals = xs.filter((x) => x !== null);
  const nulls = xs.length - vals.length;
  vals.sort(desc ? (a, b) => cmp(b, a) : cmp);
  const pad = new Array<Value>(nulls).fill(null);
  return nullsFirst ? [...pad, ...vals] : [...vals, ...pad];
}

function orderable(t: DataType, ctx: TypeCtx): void {
  if (isMap(t) || (isArray(t) && isMap((typeInfo(t) as { element: DataType }).element))) ctx.mismatch(`${ctx.fn}() cannot sort maps`);
}

const sortArray: ScalarFunction = {
  name: 'sort_array', family: 'collection', arity: [1, 2], signature: 'sort_array(array[, ascendingOrder])',
  summary: 'The array sorted ascending (NULLs first) or, with FALSE, descending (NULLs last); ascendingOrder must be a boolean literal.',
  examples: [{ sql: "sort_array(array('b', 'd', NULL, 'c', 'a'), true)", result: '[null,"a","b","c","d"]' }],
  nulls: 'propagate',
  type: (args, ctx) => {
    const t = arrayElement(args, 0, ctx) ?? 'string';
    orderable(t, ctx);
    if (args[1] && !(args[1].node.kind === 'lit' && (args[1].type === 'boolean' || args[1].isNullLiteral)) && !(args[1].node.kind === 'cast' && args[1].node.arg.kind === 'lit')) {
      ctx.mismatch('sort_array() needs a boolean literal (TRUE or FALSE) as its second argument');
    }
    if (args[1] && args[1].type !== 'boolean' && !args[1].isNullLiteral) ctx.mismatch(`sort_array() needs a boolean as its second argument, got ${args[1].type}`);
    return { returns: arrayType(t), args: [arrayType(t), 'boolean'] };
  },
  kernel: (args, ctx) => {
    const cmp = compareFor((typeInfo(ctx.returns) as { element: DataType }).element);
    return perRow(([a, asc]) => (asc === false ? sorted(a as Arr, cmp, true, false) : sorted(a as Arr, cmp, false, true)))(args, ctx);
  },
  sql: {
    default: 'sort_array($*)',
    duckdb: (e) => {
      const desc = e.args.length > 1 && e.literals[1] === false;
      const body = desc ? `list_sort(${e.arg(0)}, 'DESC', 'NULLS LAST')` : `list_sort(${e.arg(0)}, 'ASC', 'NULLS FIRST')`;
      return e.args.length > 1 && e.literals[1] !== true && e.literals[1] !== false ? `CAST(NULL AS ${e.dialect.typeName(e.returns)})` : body;
    },
  },
};

/** Sorting with a comparator lambda: every pair of a row's elements compared in one lambda call per batch of rows. */
function sortWithComparator(args: readonly Column[], ctx: KernelCtx): Column {
  const elem = (typeInfo(ctx.returns) as { element: DataType }).element;
  const arrays = columnValues(args[0], ctx.n);
  const out = new ColumnBuilder(ctx.returns, ctx.n);
  const cmp = ctx.lambda(1);
  const PAIRS = 1 << 18;
  let row = 0;
  while (row < ctx.n) {
    // a chunk of rows whose pairs fit the budget (at least one row)
    const left: Value[] = [], right: Value[] = [], rows: number[] = [];
    const firstRow = row;
    do {
      const a = arrays[row] as Arr | null;
      if (a) for (const x of a) for (const y of a) { left.push(x ?? null); right.push(y ?? null); rows.push(row); }
      row++;
    } while (row < ctx.n && left.length < PAIRS);
    const r = columnValues(cmp([valuesColumn(elem, left), valuesColumn(elem, right)], Int32Array.from(rows)), left.length);
    let p = 0;
    for (let i = firstRow; i < row; i++) {
      const a = arrays[i] as Arr | null;
      if (!a) { out.push(null); continue; }
      const m = a.length, base = p;
      const order = Array.from({ length: m }, (_, k) => k);
      order.sort((x, y) => {
        const v = r[base + x * m + y];
        if (v === null) ctx.fail(i, 'COMPARATOR_RETURNS_NULL', 'the comparator of array_sort() returned NULL', 'make the comparator return -1, 0 or 1 for every pair, NULL elements included');
        return v as number;
      });
      p += m * m;
      out.push(order.map((k) => a[k] ?? null));
    }
  }
  return out.finish();
}

const arraySort: ScalarFunction = {
  name: 'array_sort', family: 'collection', arity: [1, 2], signature: 'array_sort(array[, (left, right) -> comparator])',
  summary: 'The array sorted ascending with NULLs last, or by a comparator lambda returning a negative number, 0 or a positive number (INT).',
  examples: [{ sql: "array_sort(array('b', 'd', NULL, 'c', 'a'))", result: '["a","b","c","d",null]' }],
  nulls: 'propagate',
  lambdaArgs: [1],
  type: (args, ctx) => {
    const t = arrayElement(args, 0, ctx) ?? 'string';
    if (args.length === 1) { orderable(t, ctx); return { returns: arrayType(t), args: [arrayType(t)] }; }
    const body = ctx.lambdaType(1, [t, t]);
    if (body !== 'int') ctx.mismatch(`the comparator of array_sort() must return an INT, got ${body}`);
    return { returns: arrayType(t), args: [arrayType(t)], lambdas: { 1: [t, t] } };
  },
  kernel: (args, ctx) => {
    if (ctx.argTypes.length === 2) return sortWithComparator(args, ctx);
    const cmp = compareFor((typeInfo(ctx.returns) as { element: DataType }).element);
    return perRow(([a]) => sorted(a as Arr, cmp, false, false))(args, ctx);
  },
  sql: {
    default: 'array_sort($*)',
    duckdb: (e) => {
      if (e.args.length > 1) e.unsupported('DuckDB\'s list_sort takes no comparator');
      return `list_sort(${e.arg(0)}, 'ASC', 'NULLS LAST')`;
    },
  },
  notes: 'DuckDB: only without a comparator.',
};

// ------------------------------------------------------------ generating

const US_PER_DAY = 86_400_000_000;

/** Adds months to epoch days, clamping the day to the target month's length. */
function addMonthsDays(days: number, months: number): number {
  const d = new Date(days * 86_400_000);
  const y = d.getUTCFullYear(), m = d.getUTCMonth() + months, day = d.getUTCDate();
  const ty = y + Math.floor(m / 12), tm = ((m % 12) + 12) % 12;
  const last = new Date(Date.UTC(ty, tm + 1, 0)).getUTCDate();
  return Math.floor(Date.UTC(ty, tm, Math.min(day, last)) / 86_400_000);
}

const sequence: ScalarFunction = {
  name: 'sequence', family: 'collection', arity: [2, 3], signature: 'sequence(start, stop[, step])',
  summary: 'The values from start to stop (inclusive) by step: integers (step 1 or -1 by default), or dates and timestamps by an interval (1 day by default). A step that never reaches stop is ILLEGAL_SEQUENCE_BOUNDARIES.',
  examples: [{ sql: 'sequence(1, 5)', result: '[1,2,3,4,5]' }, { sql: 'sequence(5, 1)', result: '[5,4,3,2,1]' }],
  nulls: 'propagate',
  type: (args, ctx) => {
    const [s, e] = args;
    const st = s.isNullLiteral ? e.type : s.type, et = e.isNullLiteral ? st : e.type;
    if ((st === 'int' || st === 'long') && (et === 'int' || et === 'long')) {
      const t = st === 'long' || et === 'long' || (args[2] && args[2].type === 'long') ? 'long' : 'int';
      if (args[2] && !args[2].isNullLiteral && args[2].type !== 'int' && args[2].type !== 'long') ctx.mismatch(`sequence() of integers needs an integer step, got ${args[2].type}`);
      return { returns: arrayType(t), args: [t, t, t] };
    }
    const temporal = (t: DataType) => t === 'date' || t === 'timestamp';
    if (temporal(st) && temporal(et)) {
      const t: DataType = st === 'timestamp' || et === 'timestamp' ? 'timestamp' : 'date';
      const step = args[2];
      if (step && !step.isNullLiteral && !step.type.startsWith('interval')) ctx.mismatch(`sequence() of ${t}s needs an interval step, got ${step.type}`);
      if (t === 'date' && step && step.type === 'interval day to second' && typeof step.literal === 'number' && step.literal % US_PER_DAY !== 0) ctx.mismatch('sequence() of dates needs a step of whole days or months');
      return { returns: arrayType(t), args: [t, t] };
    }
    return ctx.mismatch(`sequence() needs integers, dates or timestamps, got ${st} and ${et}`);
  },
  kernel: (args, ctx) => {
    const t = (typeInfo(ctx.returns) as { element: DataType }).element;
    const stepType = ctx.argTypes[2];
    const fail = (row: number, a: number, b: number, step: number): never => ctx.fail(row, 'ILLEGAL_SEQUENCE_BOUNDARIES', `illegal sequence boundaries: ${a} to ${b} by ${step}`, 'give a step whose sign goes from start toward stop');
    const limit = (row: number, count: number): void => { if (count > MAX_ARRAY) ctx.fail(row, 'COLLECTION_SIZE_LIMIT_EXCEEDED', `sequence() would make ${count} elements`, 'use a larger step'); };
    return perRow(([a, b, s], row) => {
      const start = a as number, stop = b as number;
      if (t === 'int' || t === 'long') {
        const step = s === undefined ? (start <= stop ? 1 : -1) : (s as number);
        if (!((step > 0 && start <= stop) || (step < 0 && start >= stop) || (step === 0 && start === stop))) fail(row, start, stop, step);
        const count = step === 0 ? 1 : Math.floor((stop - start) / step) + 1;
        limit(row, count);
        const out = new Array<Value>(count);
        for (let k = 0; k < count; k++) out[k] = start + k * step;
        return out;
      }
      // dates and timestamps: start + k * step (months then microseconds), Spark's TemporalSequence
      const months = stepType === 'interval year to month' ? (s as number) : 0;
      let micros = s === undefined ? US_PER_DAY : stepType === 'interval day to second' ? (s as number) : 0;
      if (t === 'date' && s === undefined && start > stop) micros = -US_PER_DAY;
      if (t === 'timestamp' && s === undefined && start > stop) micros = -US_PER_DAY;
      const toUs = (v: number) => (t === 'date' ? v * US_PER_DAY : v);
      const x = toUs(start), y = toUs(stop);
      const dir = months !== 0 ? Math.sign(months) : Math.sign(micros);
      if (!((dir > 0 && x <= y) || (dir < 0 && x >= y) || (dir === 0 && x === y))) fail(row, x, y, months || micros);
      const out: Value[] = [];
      for (let k = 0; ; k++) {
        let v: number;
        if (t === 'date') v = addMonthsDays(start, k * months) + (k * micros) / US_PER_DAY;
        else v = addMonthsDays(Math.floor(x / US_PER_DAY), k * months) * US_PER_DAY + (x - Math.floor(x / US_PER_DAY) * US_PER_DAY) + k * micros;
        const vu = toUs(v);
        if (dir >= 0 ? vu > y : vu < y) break;
        out.push(v);
        if (dir === 0) break;
        limit(row, out.length);
      }
      return out;
    })(args, ctx);
  },
  sql: {
    default: 'sequence($*)',
    duckdb: (e) => {
      const elem = (typeInfo(e.returns) as { element: DataType }).element;
      const a = e.arg(0), b = e.arg(1, P.ATOM);
      if (elem === 'int' || elem === 'long') {
        const step = e.args.length > 2 ? e.arg(2, P.ATOM) : `(CASE WHEN ${a} <= ${b} THEN 1 ELSE -1 END)`;
        const ok = `(${step} > 0 AND ${a} <= ${b}) OR (${step} < 0 AND ${a} >= ${b}) OR (${step} = 0 AND ${a} = ${b})`;
        return `CASE WHEN NOT (${ok}) THEN error('ILLEGAL_SEQUENCE_BOUNDARIES: illegal sequence boundaries') WHEN ${step} = 0 THEN [CAST(${a} AS ${e.dialect.typeName(elem)})] ELSE CAST(generate_series(${a}, ${b}, ${step}) AS ${e.dialect.typeName(e.returns)}) END`;
      }
      if (e.args.length > 2 && e.argTypes[2] === 'interval year to month') e.note('SEQUENCE_MONTHS', 'DuckDB steps by months from the previous element (Jan 31, Feb 29, Mar 29) where Spark adds k months to the start (Mar 31)');
      const step = e.args.length > 2 ? e.arg(2) : `CASE WHEN ${a} <= ${b} THEN INTERVAL 1 DAY ELSE -INTERVAL 1 DAY END`;
      return `CAST(generate_series(CAST(${a} AS TIMESTAMP), CAST(${b} AS TIMESTAMP), ${step}) AS ${e.dialect.typeName(e.returns)})`;
    },
  },
};

const arraysZip: ScalarFunction = {
  name: 'arrays_zip', family: 'collection', arity: [1, Infinity], signature: 'arrays_zip(array1, array2, ...)',
  summary: 'An array of structs whose i-th struct holds the i-th element of each array (NULL past a shorter array); fields are named after column arguments, else 0, 1, …',
  examples: [{ sql: 'arrays_zip(array(1, 2, 3), array(2, 3, 4))', result: '[{"0":1,"1":2},{"0":2,"1":3},{"0":3,"1":4}]' }],
  nulls: 'propagate',
  type: (args, ctx) => {
    const fields = args.map((a, k) => ({ name: zipName(a, k), type: arrayElement(args, k, ctx) ?? 'string' }));
    return { returns: arrayType(structType(fields)) };
  },
  kernel: (args, ctx) => {
    const names = (typeInfo((typeInfo(ctx.returns) as { element: DataType }).element) as { fields: readonly Field[] }).fields.map((f) => f.name);
    return perRow((vals) => {
      const arrays = vals as Arr[];
      const len = Math.max(0, ...arrays.map((a) => a.length));
      return Array.from({ length: len }, (_, k) => Object.fromEntries(names.map((nm, j) => [nm, arrays[j][k] ?? null])));
    })(args, ctx);
  },
  sql: {
    // Spark names the fields after column arguments as it sees them: the engine's names are cast in unless they are the positions
    default: (e) => {
      const zip = `arrays_zip(${e.args.map((_, i) => e.arg(i)).join(', ')})`;
      const names = (typeInfo((typeInfo(e.returns) as { element: DataType }).element) as { fields: readonly Field[] }).fields.map((f) => f.name);
      return names.every((nm, k) => nm === String(k)) ? zip : `CAST(${zip} AS ${e.dialect.typeName(e.returns)})`;
    },
    duckdb: (e) => {
      const names = (typeInfo((typeInfo(e.returns) as { element: DataType }).element) as { fields: readonly Field[] }).fields.map((f) => f.name);
      const lens = e.args.map((_, i) => `len(${e.arg(i)})`);
      const maxLen = lens.length === 1 ? lens[0] : `greatest(${lens.join(', ')})`;
      return nullGuard(e, e.args.map((_, i) => i), `list_transform(range(1, ${maxLen} + 1), lambda ${I}: {${names.map((nm, j) => `${e.literal(nm, 'string')}: (${e.arg(j)})[${I}]`).join(', ')}})`);
    },
  },
};

/** The struct field name Spark gives an argument: a column's name, else its position. */
function zipName(a: ArgInfo, k: number): string {
  return a.node.kind === 'col' ? a.node.name : String(k);
}

// ------------------------------------------------------------ structs

const namedStruct: ScalarFunction = {
  name: 'named_struct', family: 'collection', arity: [2, Infinity], signature: 'named_struct(name1, value1, name2, value2, ...)',
  summary: 'A struct with the given field names (string literals) and values.',
  examples: [{ sql: "named_struct('a', 1, 'b', 2)", result: '{"a":1,"b":2}' }],
  nulls: 'custom',
  type: (args, ctx) => {
    if (args.length % 2 !== 0) ctx.mismatch('named_struct() takes pairs of a name and a value');
    const fields: Field[] = [];
    for (let k = 0; k < args.length; k += 2) {
      const name = args[k].literal;
      if (typeof name !== 'string' || args[k].type !== 'string') ctx.mismatch(`named_struct() needs a field name (a string literal) as argument ${k + 1}`);
      fields.push({ name: name as string, type: args[k + 1].type });
    }
    return { returns: structType(fields) };
  },
  kernel: (args, ctx) => {
    const fields = (typeInfo(ctx.returns) as { fields: readonly Field[] }).fields;
    return perRow((vals) => Object.fromEntries(fields.map((f, j) => [f.name, vals[2 * j + 1]])), false)(args, ctx);
  },
  sql: {
    default: (e) => `named_struct(${e.args.map((_, i) => e.arg(i)).join(', ')})`,
    duckdb: (e) => structDuck(e, (typeInfo(e.returns) as { fields: readonly Field[] }).fields, (j) => 2 * j + 1),
  },
};

function structDuck(e: SqlEmit, fields: readonly Field[], argOf: (j: number) => number): string {
  return `{${fields.map((f, j) => `${e.literal(f.name, 'string')}: ${e.arg(argOf(j))}`).join(', ')}}`;
}

const struct: ScalarFunction = {
  name: 'struct', family: 'collection', arity: [1, Infinity], signature: 'struct(expr1, expr2, ...)',
  summary: 'A struct of the values; a column keeps its name as the field name, a field access its field name, other values are col1, col2, …',
  examples: [{ sql: 'struct(1, 2)', result: '{"col1":1,"col2":2}' }],
  nulls: 'custom',
  type: (args) => ({ returns: structType(args.map((a, k) => ({ name: structName(a, k), type: a.type }))) }),
  kernel: (args, ctx) => {
    const fields = (typeInfo(ctx.returns) as { fields: readonly Field[] }).fields;
    return perRow((vals) => Object.fromEntries(fields.map((f, j) => [f.name, vals[j]])), false)(args, ctx);
  },
  sql: {
    // named_struct spells the engine's field names whatever the SQL of a column becomes
    default: (e) => `named_struct(${(typeInfo(e.returns) as { fields: readonly Field[] }).fields.map((f, j) => `${e.literal(f.name, 'string')}, ${e.arg(j)}`).join(', ')})`,
    duckdb: (e) => structDuck(e, (typeInfo(e.returns) as { fields: readonly Field[] }).fields, (j) => j),
  },
};

function structName(a: ArgInfo, k: number): string {
  if (a.node.kind === 'col' || a.node.kind === 'var') return a.node.name;
  if (a.node.kind === 'call' && a.node.fn === 'get_field' && a.node.args[1]?.kind === 'lit' && typeof a.node.args[1].value === 'string') return a.node.args[1].value;
  return `col${k + 1}`;
}

register([
  array, size, arraySize, elementAtFn, tryElementAt, getItem, getField,
  arrayContains, arrayPosition, arrayRemove,
  arrayDistinct, arrayUnion, arrayIntersect, arrayExcept, arraysOverlap,
  arrayJoin, flattenFn, slice, arrayCompact, appendFn('array_append'), appendFn('array_prepend'),
  extremeFn('array_min'), extremeFn('array_max'), arrayRepeat,
  sortArray, arraySort, sequence, arraysZip, namedStruct, struct,
]);
