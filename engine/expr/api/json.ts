/**
 * Builders for the JSON functions, named after their Spark functions:
 * `getJsonObject(col('raw'), '$.a.b')`, `jsonPath(col('raw'), 'store.bicycle.price')`
 * (Databricks' `raw:store.bicycle.price`), `fromJson(col('raw'), 'a INT, b STRING')`,
 * `toJson(col('s'))`. Options are a JS object: `fromJson(x, schema, { mode: 'FAILFAST' })`.
 */
import { fn, type Expr, type ExprLike } from '../builder.js';

function options(o: Readonly<Record<string, string>>): Expr {
  return fn('map', ...Object.entries(o).flatMap(([k, v]) => [k, v]));
}

/** The value at a JsonPath (`$.a[0].b`, `$.a[*]`), strings without quotes, else compact JSON. */
export const getJsonObject = (json: ExprLike, path: string): Expr => fn('get_json_object', json, path);
/**
 * Databricks' `json:path`: `jsonPath(col('raw'), 'store.fruit[0].weight')`;
 * identifiers match ignoring case, `['Name']` exactly, `` `zip code` `` quotes one.
 */
export const jsonPath = (json: ExprLike, path: string): Expr => fn('json_path', json, databricksPath(path));
/** A JSON string read with a DDL schema: `'a INT, b ARRAY<STRING>'`, `'MAP<STRING, INT>'`. */
export const fromJson = (json: ExprLike, schema: string, opts?: Readonly<Record<string, string>>): Expr =>
  (opts === undefined ? fn('from_json', json, schema) : fn('from_json', json, schema, options(opts)));
export const toJson = (value: ExprLike, opts?: Readonly<Record<string, string>>): Expr =>
  (opts === undefined ? fn('to_json', value) : fn('to_json', value, options(opts)));
export const schemaOfJson = (json: string): Expr => fn('schema_of_json', json);
export const jsonArrayLength = (json: ExprLike): Expr => fn('json_array_length', json);
export const jsonObjectKeys = (json: ExprLike): Expr => fn('json_object_keys', json);

/** A path as written after `:` (`a.b[0]`, `` `zip code` ``, `['Exact']`) in json_path's form (`$.a.b[0]`). */
function databricksPath(p: string): string {
  if (p.startsWith('$')) return p;
  return p.startsWith('[') ? `$${p}` : `$.${p}`;
}
