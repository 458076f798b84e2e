/**
 * CAST from arrays, maps and structs: element by element to another nested
 * type (structs by position, taking the target's field names, as Spark
 * does), or to STRING in Spark's text form (`[1, 2]`, `{a -> 1}`, `{1, x}`,
 * `null` for NULL elements, values formatted by their type).
 *
 * These are the implicit coercions the collection functions ask for
 * (`array(1, 2.5)` makes `array<decimal(11,1)>`, `array_union(ints, longs)`)
 * and explicit CASTs; a value that does not convert becomes NULL.
 */
import type { Column, NestedColumn } from '../batch.js';
import { ColumnBuilder, decimalScale } from '../batch.js';
import { isDecimal, isNested, typeInfo, type DataType, type DecimalType, type Field, type Value } from '../ir/types.js';
import { formatDate, formatTimestamp } from '../sources/csv-values.js';
import { castValue, decimalText, doubleToString, toUnscaled } from './cast.js';

/** Whether CAST from `from` to `to` is handled here. */
export function isNestedCast(from: DataType, to: DataType): boolean {
  return isNested(from) && (isNested(to) || to === 'string');
}

/** A nested column cast to `to` (a nested type or STRING). */
export function castNestedColumn(c: Column, from: DataType, to: DataType, n: number): Column {
  const src = (c as NestedColumn).data;
  const b = new ColumnBuilder(to, n);
  for (let i = 0; i < n; i++) b.push(castNestedValue(src[i], from, to));
  return b.finish();
}

/** One value of type `from` as type `to` (NULL when it does not convert). */
export function castNestedValue(v: Value, from: DataType, to: DataType): Value {
  if (v === null || from === to) return v;
  if (to === 'string') return nestedText(v, from);
  const f = typeInfo(from), t = typeInfo(to);
  if (f.kind === 'array' && t.kind === 'array') return (v as readonly Value[]).map((x) => castNestedValue(x, f.element, t.element));
  if (f.kind === 'map' && t.kind === 'map') {
    const out = new Map<Value, Value>();
    for (const [k, x] of v as ReadonlyMap<Value, Value>) {
      const key = castNestedValue(k, f.key, t.key);
      if (key === null) return null;
      out.set(key, castNestedValue(x, f.value, t.value));
    }
    return out as unknown as Value;
  }
  if (f.kind === 'struct' && t.kind === 'struct') {
    if (f.fields.length !== t.fields.length) return null;
    const o: Record<string, Value> = {};
    const src = v as Record<string, Value>;
    t.fields.forEach((tf: Field, k: number) => { o[tf.name] = castNestedValue(src[f.fields[k].name] ?? null, f.fields[k].type, tf.type); });
    return o;
  }
  if (isNested(from) || isNested(to)) return null;
  return castLeaf(v, from, to);
}

/** An atomic value inside a nested one (decimals are JS numbers there). */
function castLeaf(v: Value, from: DataType, to: DataType): Value {
  if (isDecimal(to)) {
    const u = toUnscaled(v, from, to);
    return u === null ? null : Number(u) / 10 ** decimalScale(to);
  }
  if (isDecimal(from) && to === 'string') return decimalLeafText(v as number, from);
  return castValue(v, from, to);
}

/** A decimal inside a nested value (a JS number) as text with its type's scale. */
export function decimalLeafText(v: number, t: DecimalType): string {
  const u = toUnscaled(v, 'double', t);
  return u === null ? String(v) : decimalText(u, decimalScale(t));
}

/** Spark's CAST(… AS STRING) of a value of type `t`. */
export function nestedText(v: Value, t: DataType): string {
  if (v === null) return 'null';
  const i = typeInfo(t);
  switch (i.kind) {
    case 'array': return `[${(v as readonly Value[]).map((x) => nestedText(x, i.element)).join(', ')}]`;
    case 'map': return `{${[...(v as ReadonlyMap<Value, Value>)].map(([k, x]) => `${nestedText(k, i.key)} -> ${nestedText(x, i.value)}`).join(', ')}}`;
    case 'struct': return `{${i.fields.map((f: Field) => nestedText((v as Record<string, Value>)[f.name] ?? null, f.type)).join(', ')}}`;
    case 'decimal': return decimalLeafText(v as number, t as DecimalType);
    case 'double': return doubleToString(v as number);
    case 'date': return formatDate(v as number);
    case 'timestamp': return formatTimestamp(v as number);
    default: return String(v);
  }
}
