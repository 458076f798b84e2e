/**
 * Inline rows (`VALUES`) and frame offsets in SQL: every cell typed with a
 * CAST, so that each dialect gives the columns the engine's types (an empty
 * array or a map is otherwise untyped).
 */
import type { DataType, Field, Value } from '../ir/types.js';
import { typeInfo } from '../ir/types.js';
import type { Dialect } from './dialect.js';
import { literalSql } from './expr.js';
import type { FromSql } from './sql-ast.js';

/** A value of type `t` as SQL (typed). */
export function valueSql(d: Dialect, v: Value, t: DataType): string {
  if (v === null || v === undefined) return `CAST(NULL AS ${d.typeName(t)})`;
  const i = typeInfo(t);
  switch (i.kind) {
    case 'array': {
      const items = (v as readonly Value[]).map((x) => valueSql(d, x, i.element));
      return `CAST(${d.name === 'duckdb' ? `[${items.join(', ')}]` : `array(${items.join(', ')})`} AS ${d.typeName(t)})`;
    }
    case 'map': {
      const entries = v instanceof Map ? [...v.entries()] : Object.entries(v as Record<string, Value>);
      const kv = entries.map(([k, x]) => [valueSql(d, k as Value, i.key), valueSql(d, x, i.value)]);
      const lit = d.name === 'duckdb' ? `MAP {${kv.map(([k, x]) => `${k}: ${x}`).join(', ')}}` : `(map(${kv.flat().join(', ')}))`; // parenthesised: a Spark grammar (dt-sql-parser) misreads CAST(map(…) AS …) after other items
      return `CAST(${lit} AS ${d.typeName(t)})`;
    }
    case 'struct': {
      const o = v as Record<string, Value>;
      const fields = i.fields.map((f) => [f.name, valueSql(d, o[f.name] ?? null, f.type)] as const);
      const lit = d.name === 'duckdb' ? `{${fields.map(([n, x]) => `${d.str(n)}: ${x}`).join(', ')}}` : `named_struct(${fields.map(([n, x]) => `${d.str(n)}, ${x}`).join(', ')})`;
      return `CAST(${lit} AS ${d.typeName(t)})`;
    }
    case 'int': case 'string': case 'boolean': case 'date': case 'timestamp': case 'double': case 'decimal':
      return literalSql(d, v, t).sql;
    default:
      return `CAST(${literalSql(d, v, t).sql} AS ${d.typeName(t)})`;
  }
}

/** `(VALUES (…), (…)) AS alias(a, b)`; no rows: one row of NULLs the caller filters out (`emptyWhere`). */
export function valuesFrom(d: Dialect, schema: readonly Field[], rows: readonly (readonly Value[])[], alias = 'v'): { from: FromSql; empty: boolean } {
  const list = rows.length ? rows : [schema.map(() => null)];
  const body = list.map((r) => `(${schema.map((f, j) => valueSql(d, r[j], f.type)).join(', ')})`).join(',\n  ');
  return { from: { kind: 'text', sql: `(VALUES\n  ${body}\n) AS ${alias}(${schema.map((f) => d.ident(f.name)).join(', ')})` }, empty: rows.length === 0 };
}

/** A frame offset literal (`2`, an INTERVAL) as the dialect writes it in `ROWS|RANGE BETWEEN … PRECEDING`. */
export function frameOffsetSql(d: Dialect, v: Value, t: DataType): string {
  if (t === 'interval day to second' && d.name === 'duckdb') return `INTERVAL '${Number(v)} microseconds'`;
  return literalSql(d, v, t).sql;
}
