/**
 * The generator registry: functions that turn one row into several
 * (`explode`, `posexplode` and their `_outer` forms), used in a SELECT list or
 * as `LATERAL VIEW`. The plan holds them as `generate` nodes; the generate
 * operator (engine/operators/generate.ts) runs them and the SQL compiler spells
 * them per dialect.
 *
 * - explode(array) gives one row per element (column `col`); explode(map) one
 *   row per entry (columns `key`, `value`); the pos forms add `pos` (INT, from
 *   0) before them.
 * - A NULL or empty collection gives no row; the `_outer` forms give one row
 *   of NULLs instead.
 */
import type { DataType, Field } from '../ir/types.js';
import { typeInfo } from '../ir/types.js';
import type { DialectName } from '../sql/dialect.js';

export interface GeneratorDef {
  readonly name: string;
  readonly signature: string;
  readonly summary: string;
  readonly examples: readonly { readonly sql: string; readonly result: string }[];
  /** A NULL or empty collection gives one row of NULLs. */
  readonly outer: boolean;
  /** Adds the element's position (INT, from 0) as the first column. */
  readonly position: boolean;
  /** Which dialects spell it (all do: the compiler writes the form). */
  readonly support: Partial<Record<DialectName, string>>;
}

const defs: GeneratorDef[] = [
  {
    name: 'explode', signature: 'explode(collection)', outer: false, position: false,
    summary: 'One row per element of an array (column col) or entry of a map (columns key, value); none for NULL or empty.',
    examples: [{ sql: 'SELECT explode(array(10, 20))', result: '10; 20' }],
    support: { duckdb: 'unnest()' },
  },
  {
    name: 'explode_outer', signature: 'explode_outer(collection)', outer: true, position: false,
    summary: 'As explode, but a NULL or empty collection gives one row of NULLs.',
    examples: [{ sql: 'SELECT explode_outer(array())', result: 'NULL' }],
    support: { duckdb: 'unnest() of the collection or of [NULL]' },
  },
  {
    name: 'posexplode', signature: 'posexplode(collection)', outer: false, position: true,
    summary: 'As explode, with the position (INT, from 0) first (columns pos, col or pos, key, value).',
    examples: [{ sql: 'SELECT posexplode(array(10, 20))', result: '0, 10; 1, 20' }],
    support: { duckdb: 'unnest(range(len())) beside unnest()' },
  },
  {
    name: 'posexplode_outer', signature: 'posexplode_outer(collection)', outer: true, position: true,
    summary: 'As posexplode, but a NULL or empty collection gives one row of NULLs.',
    examples: [{ sql: 'SELECT posexplode_outer(CAST(NULL AS ARRAY<INT>))', result: 'NULL, NULL' }],
    support: { duckdb: 'unnest() of the collection or of [NULL]' },
  },
];

const byName = new Map(defs.map((d) => [d.name, d]));

export function lookupGenerator(name: string): GeneratorDef | undefined {
  return byName.get(name.toLowerCase());
}

export function allGenerators(): readonly GeneratorDef[] {
  return defs;
}

/** The generator's output columns for an argument type, with Spark's default names; null when the type is not an array or a map. */
export function generatorColumns(def: GeneratorDef, argType: DataType): Field[] | null {
  const i = typeInfo(argType);
  const pos: Field[] = def.position ? [{ name: 'pos', type: 'int' }] : [];
  if (i.kind === 'array') return [...pos, { name: 'col', type: i.element }];
  if (i.kind === 'map') return [...pos, { name: 'key', type: i.key }, { name: 'value', type: i.value }];
  return null;
}
