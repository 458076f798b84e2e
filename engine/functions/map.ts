/**
 * Map functions with Spark 4.1 semantics: `map`, `map_from_arrays`,
 * `map_from_entries`, `map_keys`, `map_values`, `map_entries`,
 * `map_concat` and `map_contains_key` (the lambda ones, `map_filter`,
 * `transform_keys` and `transform_values`, are in higher-order.ts).
 *
 * A map is a JS `Map` in insertion order, keyed by the key's JS value (keys
 * are atomic: strings, numbers, booleans, dates, timestamps). A NULL key is
 * always an error (NULL_MAP_KEY); so is a repeated key, as with Spark's
 * default `spark.sql.mapKeyDedupPolicy=EXCEPTION` (DUPLICATED_MAP_KEY).
 */
import { isNested, mapType, arrayType, structType, typeInfo, type DataType, type Field, type Value } from '../ir/types.js';
import { P } from '../sql/precedence.js';
import { mapKV, meet, perRow, widest, arrayElement } from './collection-kit.js';
import { register, type KernelCtx, type ScalarFunction, type SqlEmit, type TypeCtx } from './registry.js';
import { keyFor } from './values.js';

type MapValue = ReadonlyMap<Value, Value>;

/** Adds an entry to a map being built: a NULL key or a key already there fails the flow. */
export function putEntry(m: Map<Value, Value>, k: Value, v: Value, row: number, ctx: KernelCtx, keyOf: (v: Value) => unknown = (x) => x): void {
  if (k === null) ctx.fail(row, 'NULL_MAP_KEY', 'a map key is NULL: map keys cannot be NULL', 'filter out or coalesce() NULL keys first');
  const key = keyOf(k) as Value;
  if (m.has(key)) ctx.fail(row, 'DUPLICATED_MAP_KEY', `the key ${String(k)} appears twice in a map`, 'make the keys unique first (Spark\'s default spark.sql.mapKeyDedupPolicy is EXCEPTION)');
  m.set(key, v);
}

/** Map keys must be atomic values (a JS Map finds them by value). */
export function atomicKey(t: DataType, ctx: TypeCtx): void {
  if (isNested(t)) ctx.mismatch(`${ctx.fn}() needs keys of an atomic type, got ${t}`, 'use a string or number key');
}

function duckNullGuard(e: SqlEmit, idx: readonly number[], body: string): string {
  return `CASE WHEN ${idx.map((i) => `${e.arg(i, P.ATOM)} IS NULL`).join(' OR ')} THEN NULL ELSE ${body} END`;
}

const map: ScalarFunction = {
  name: 'map', family: 'collection', arity: [0, Infinity], signature: 'map(key1, value1, key2, value2, ...)',
  summary: 'A map of the key/value pairs; a NULL key is NULL_MAP_KEY, a repeated key DUPLICATED_MAP_KEY.',
  examples: [{ sql: "map(1.0, '2', 3.0, '4')", result: '{1.0:"2",3.0:"4"}' }],
  nulls: 'custom',
  type: (args, ctx) => {
    if (args.length % 2 !== 0) ctx.mismatch('map() takes pairs of a key and a value');
    if (args.length === 0) return { returns: 'map<string,string>' };
    const keys = args.filter((_, i) => i % 2 === 0), vals = args.filter((_, i) => i % 2 === 1);
    const k = widest(keys, ctx, 'keys'), v = widest(vals, ctx, 'values');
    atomicKey(k, ctx);
    return { returns: mapType(k, v), args: args.map((_, i) => (i % 2 === 0 ? k : v)) };
  },
  kernel: (args, ctx) => perRow((vals, row) => {
    const m = new Map<Value, Value>();
    for (let k = 0; k < vals.length; k += 2) putEntry(m, vals[k], vals[k + 1], row, ctx);
    return m as unknown as Value;
  }, false)(args, ctx),
  sql: {
    // map(…) as an argument trips Spark grammars (dt-sql-parser): map_from_arrays is the same map, NULL and repeated keys included
    default: (e) => {
      if (e.args.length === 0) return 'map()';
      const ks = e.args.map((_, i) => i).filter((i) => i % 2 === 0);
      return `map_from_arrays(array(${ks.map((i) => e.arg(i)).join(', ')}), array(${ks.map((i) => e.arg(i + 1)).join(', ')}))`;
    },
    duckdb: (e) => {
      if (e.args.length === 0) return `CAST(MAP {} AS ${e.dialect.typeName(e.returns)})`;
      const ks = e.args.map((_, i) => i).filter((i) => i % 2 === 0), vs = ks.map((i) => i + 1);
      return `MAP([${ks.map((i) => e.arg(i)).join(', ')}], [${vs.map((i) => e.arg(i)).join(', ')}])`;
    },
  },
};

const mapFromArrays: ScalarFunction = {
  name: 'map_from_arrays', family: 'collection', arity: [2, 2], signature: 'map_from_arrays(keys, values)',
  summary: 'A map pairing the elements of two arrays of the same length (else MAP_KEY_VALUE_DIFF_SIZES).',
  examples: [{ sql: "map_from_arrays(array(1.0, 3.0), array('2', '4'))", result: '{1.0:"2",3.0:"4"}' }],
  nulls: 'propagate',
  type: (args, ctx) => {
    const k = arrayElement(args, 0, ctx) ?? 'string', v = arrayElement(args, 1, ctx) ?? 'string';
    atomicKey(k, ctx);
    return { returns: mapType(k, v), args: [arrayType(k), arrayType(v)] };
  },
  kernel: (args, ctx) => perRow(([ks, vs], row) => {
    const a = ks as readonly Value[], b = vs as readonly Value[];
    if (a.length !== b.length) ctx.fail(row, 'MAP_KEY_VALUE_DIFF_SIZES', `the key array has ${a.length} elements and the value array ${b.length}`, 'pass arrays of the same length');
    const m = new Map<Value, Value>();
    a.forEach((k, i) => putEntry(m, k, b[i] ?? null, row, ctx));
    return m as unknown as Value;
  })(args, ctx),
  sql: { default: 'map_from_arrays($1, $2)', duckdb: (e) => duckNullGuard(e, [0, 1], `map(${e.arg(0)}, ${e.arg(1)})`) },
};

const mapFromEntries: ScalarFunction = {
  name: 'map_from_entries', family: 'collection', arity: [1, 1], signature: 'map_from_entries(arrayOfEntries)',
  summary: 'A map of an array of two-field structs (key, value); NULL when an entry is NULL.',
  examples: [{ sql: "map_from_entries(array(struct(1, 'a'), struct(2, 'b')))", result: '{1:"a",2:"b"}' }],
  nulls: 'propagate',
  type: (args, ctx) => {
    const e = arrayElement(args, 0, ctx);
    if (e === null) return { returns: 'map<string,string>', args: ['array<struct<key:string,value:string>>'] };
    const fields = typeInfo(e).kind === 'struct' ? (typeInfo(e) as { fields: readonly Field[] }).fields : [];
    if (fields.length !== 2) ctx.mismatch(`map_from_entries() needs an array of two-field structs, got array<${e}>`);
    atomicKey(fields[0].type, ctx);
    return { returns: mapType(fields[0].type, fields[1].type) };
  },
  kernel: (args, ctx) => {
    const e = (typeInfo(ctx.argTypes[0]) as { element: DataType }).element;
    const [kf, vf] = (typeInfo(e) as { fields: readonly Field[] }).fields;
    return perRow(([a], row) => {
      const m = new Map<Value, Value>();
      for (const entry of a as readonly Value[]) {
        if (entry === null) return null;
        const s = entry as Record<string, Value>;
        putEntry(m, s[kf.name] ?? null, s[vf.name] ?? null, row, ctx);
      }
      return m as unknown as Value;
    })(args, ctx);
  },
  sql: {
    default: 'map_from_entries($1)',
    duckdb: (e) => {
      const el = (typeInfo(e.argTypes[0]) as { element: DataType }).element;
      const [kf, vf] = (typeInfo(el) as { fields: readonly Field[] }).fields;
      const a = e.arg(0);
      return `CASE WHEN list_position(${a}, NULL) IS NOT NULL THEN NULL ELSE map_from_entries(list_transform(${a}, lambda __e: {'key': struct_extract(__e, ${e.literal(kf.name, 'string')}), 'value': struct_extract(__e, ${e.literal(vf.name, 'string')})})) END`;
    },
  },
};

const mapKeys: ScalarFunction = {
  name: 'map_keys', family: 'collection', arity: [1, 1], signature: 'map_keys(map)',
  summary: 'The keys of a map, in its order.',
  examples: [{ sql: "map_keys(map(1, 'a', 2, 'b'))", result: '[1,2]' }],
  nulls: 'propagate',
  type: (args, ctx) => ({ returns: arrayType(mapKV(args, 0, ctx)?.key ?? 'string') }),
  kernel: perRow(([m]) => [...(m as MapValue).keys()]),
  sql: { default: 'map_keys($1)' },
};

const mapValues: ScalarFunction = {
  name: 'map_values', family: 'collection', arity: [1, 1], signature: 'map_values(map)',
  summary: 'The values of a map, in its order.',
  examples: [{ sql: "map_values(map(1, 'a', 2, 'b'))", result: '["a","b"]' }],
  nulls: 'propagate',
  type: (args, ctx) => ({ returns: arrayType(mapKV(args, 0, ctx)?.value ?? 'string') }),
  kernel: perRow(([m]) => [...(m as MapValue).values()]),
  sql: { default: 'map_values($1)' },
};

const mapEntries: ScalarFunction = {
  name: 'map_entries', family: 'collection', arity: [1, 1], signature: 'map_entries(map)',
  summary: 'The entries of a map as an array of structs (key, value).',
  examples: [{ sql: "map_entries(map(1, 'a', 2, 'b'))", result: '[{"key":1,"value":"a"},{"key":2,"value":"b"}]' }],
  nulls: 'propagate',
  type: (args, ctx) => {
    const kv = mapKV(args, 0, ctx) ?? { key: 'string', value: 'string' };
    return { returns: arrayType(structType([{ name: 'key', type: kv.key }, { name: 'value', type: kv.value }])) };
  },
  kernel: perRow(([m]) => [...(m as MapValue)].map(([key, value]) => ({ key, value }))),
  sql: { default: 'map_entries($1)' },
};

const mapConcat: ScalarFunction = {
  name: 'map_concat', family: 'collection', arity: [0, Infinity], signature: 'map_concat(map, ...)',
  summary: 'The union of the maps (NULL when any is NULL); a key in two maps is DUPLICATED_MAP_KEY.',
  examples: [{ sql: "map_concat(map(1, 'a', 2, 'b'), map(3, 'c'))", result: '{1:"a",2:"b",3:"c"}' }],
  nulls: 'propagate',
  type: (args, ctx) => {
    if (args.length === 0) return { returns: 'map<string,string>' };
    const kvs = args.map((_, i) => mapKV(args, i, ctx));
    const typed = kvs.filter((x): x is { key: DataType; value: DataType } => x !== null);
    const k = meet(typed.map((x) => x.key), ctx), v = meet(typed.map((x) => x.value), ctx);
    atomicKey(k, ctx);
    return { returns: mapType(k, v), args: args.map(() => mapType(k, v)) };
  },
  kernel: (args, ctx) => perRow((vals, row) => {
    const out = new Map<Value, Value>();
    for (const m of vals) for (const [k, v] of m as MapValue) putEntry(out, k, v, row, ctx);
    return out as unknown as Value;
  })(args, ctx),
  sql: {
    default: 'map_concat($*)',
    duckdb: (e) => {
      if (e.args.length === 0) return `CAST(MAP {} AS ${e.dialect.typeName(e.returns)})`;
      // DuckDB keeps the last value of a repeated key: fail as the engine does
      const keys = `flatten([${e.args.map((_, i) => `map_keys(${e.arg(i)})`).join(', ')}])`;
      const concat = `map_concat(${e.args.map((_, i) => e.arg(i)).join(', ')})`;
      return duckNullGuard(e, e.args.map((_, i) => i), `CASE WHEN len(list_distinct(${keys})) < len(${keys}) THEN error('DUPLICATED_MAP_KEY: a key appears twice in map_concat') ELSE ${concat} END`);
    },
  },
};

const mapContainsKey: ScalarFunction = {
  name: 'map_contains_key', family: 'collection', arity: [2, 2], signature: 'map_contains_key(map, key)',
  summary: 'Whether the map has the key.',
  examples: [{ sql: "map_contains_key(map(1, 'a', 2, 'b'), 1)", result: 'true' }],
  nulls: 'propagate',
  type: (args, ctx) => {
    const kv = mapKV(args, 0, ctx) ?? { key: args[1].type, value: 'string' };
    const k = meet([kv.key, args[1].isNullLiteral ? null : args[1].type], ctx);
    return { returns: 'boolean', args: [mapType(k, kv.value), k] };
  },
  kernel: (args, ctx) => {
    const key = keyFor(ctx.argTypes[1]);
    return perRow(([m, k]) => {
      const mm = m as MapValue;
      if (mm.has(k)) return true;
      const want = key(k);
      for (const x of mm.keys()) if (key(x) === want || (typeof want === 'number' && want !== want && x !== x)) return true;
      return false;
    })(args, ctx);
  },
  sql: { default: 'map_contains_key($1, $2)', duckdb: (e) => duckNullGuard(e, [0, 1], `list_contains(map_keys(${e.arg(0)}), ${e.arg(1)})`) },
};

register([map, mapFromArrays, mapFromEntries, mapKeys, mapValues, mapEntries, mapConcat, mapContainsKey]);
