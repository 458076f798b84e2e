/**
 * Values of any type as the collection and JSON functions see them: one JS
 * value per cell (see `Value`), compared, tested for equality and hashed the
 * way Spark does for that type.
 *
 * - Ordering (`compareFor`): numbers numerically with NaN above every other
 *   number and -0.0 equal to 0.0; strings by code point (Spark compares UTF-8
 *   bytes); FALSE before TRUE; arrays element by element (NULL first, a prefix
 *   first); structs field by field. Maps have no order in Spark: they compare
 *   by their stable text only so that sorting never throws.
 * - Equality (`equalsFor`): the ordering's zero, so NaN equals NaN and -0.0
 *   equals 0.0 (array_contains, array_distinct, array_position, …).
 * - Keys (`keyFor`): a JS value that is `SameValueZero`-equal exactly when the
 *   values are equal, for `Map`/`Set` lookups.
 *
 * Decimals inside nested values are JS numbers (the `Value` convention);
 * top-level decimal columns keep their exact unscaled values.
 */
import { stableText, valueAt, type Column, type NestedColumn } from '../batch.js';
import { isNestedColumn } from '../batch.js';
import { typeInfo, type DataType, type Field, type Value } from '../ir/types.js';

export type Compare = (a: Value, b: Value) => number;

/** Code-point order of two JS strings (UTF-16 surrogates sorted above U+E000–U+FFFF, as UTF-8 bytes order them). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

function compareNumbers(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  const an = a !== a, bn = b !== b;
  return an ? (bn ? 0 : 1) : -1;
}

const cmpCache = new Map<DataType, Compare>();

/** Spark's ordering of two non-NULL values of type `t` (NULLs inside nested values sort first). */
export function compareFor(t: DataType): Compare {
  let c = cmpCache.get(t);
  if (c) return c;
  const info = typeInfo(t);
  switch (info.kind) {
    case 'string': c = (a, b) => compareStrings(a as string, b as string); break;
    case 'boolean': c = (a, b) => (a === b ? 0 : a ? 1 : -1); break;
    case 'array': {
      const e = compareFor(info.element);
      c = (a, b) => {
        const x = a as readonly Value[], y = b as readonly Value[];
        const n = Math.min(x.length, y.length);
        for (let i = 0; i < n; i++) {
          const r = withNulls(e, x[i], y[i]);
          if (r !== 0) return r;
        }
        return x.length - y.length;
      };
      break;
    }
    case 'struct': {
      const fs = info.fields.map((f: Field) => [f.name, compareFor(f.type)] as const);
      c = (a, b) => {
        const x = a as Record<string, Value>, y = b as Record<string, Value>;
        for (const [name, fc] of fs) {
          const r = withNulls(fc, x[name] ?? null, y[name] ?? null);
          if (r !== 0) return r;
        }
        return 0;
      };
      break;
    }
    case 'map': c = (a, b) => compareStrings(stableText(a), stableText(b)); break;
    default: c = (a, b) => compareNumbers(a as number, b as number);
  }
  cmpCache.set(t, c);
  return c;
}

/** `cmp` with NULL before any value. */
export function withNulls(cmp: Compare, a: Value, b: Value): number {
  if (a === null) return b === null ? 0 : -1;
  if (b === null) return 1;
  return cmp(a, b);
}

/** Spark's equality of two non-NULL values of type `t`. */
export function equalsFor(t: DataType): (a: Value, b: Value) => boolean {
  const info = typeInfo(t);
  if (info.kind === 'string' || info.kind === 'boolean') return (a, b) => a === b;
  if (info.kind !== 'array' && info.kind !== 'struct' && info.kind !== 'map') return (a, b) => a === b || (a !== a && b !== b);
  const cmp = compareFor(t);
  return (a, b) => cmp(a, b) === 0;
}

/** A hashable key for a value of type `t`: equal keys (SameValueZero) exactly for equal values; NULL stays null. */
export function keyFor(t: DataType): (v: Value) => unknown {
  const info = typeInfo(t);
  if (info.kind !== 'array' && info.kind !== 'struct' && info.kind !== 'map') return (v) => v;
  return (v) => (v === null ? null : stableText(normalized(v)));
}

/** A nested value with NaN spelled out (JSON would write it as null) and -0 as 0. */
function normalized(v: Value): Value {
  if (typeof v === 'number') return v !== v ? '\u0000NaN' : v === 0 ? 0 : v;
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(normalized);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [normalized(k as Value) as string, normalized(x)]));
  const o: Record<string, Value> = {};
  for (const [k, x] of Object.entries(v)) o[k] = normalized(x);
  return o;
}

/** The JS values of a column (decimals as numbers, strings decoded); nested columns share their array. */
export function columnValues(c: Column, n: number): readonly Value[] {
  if (isNestedColumn(c)) return (c as NestedColumn).data;
  const out = new Array<Value>(n);
  for (let i = 0; i < n; i++) out[i] = valueAt(c, i);
  return out;
}

/** The element type of an array type, the key and value types of a map type, the fields of a struct type. */
export function elementOf(t: DataType): DataType {
  const i = typeInfo(t);
  if (i.kind !== 'array') throw new Error(`internal: ${t} is not an array`);
  return i.element;
}

export function mapTypesOf(t: DataType): { key: DataType; value: DataType } {
  const i = typeInfo(t);
  if (i.kind !== 'map') throw new Error(`internal: ${t} is not a map`);
  return { key: i.key, value: i.value };
}

export function fieldsOf(t: DataType): readonly Field[] {
  const i = typeInfo(t);
  if (i.kind !== 'struct') throw new Error(`internal: ${t} is not a struct`);
  return i.fields;
}
