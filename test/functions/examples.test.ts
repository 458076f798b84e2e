/**
 * The documented examples of the JSON and collection families (shown in
 * docs/functions.md) give the documented result, printed as Spark's SQL
 * shell prints it (`[1,2,3]`, `{"a":1}`, `{1:"a"}`, NULL).
 */
import { describe, expect, it } from 'vitest';
import { allFunctions } from '../../engine/functions/registry.js';
import { runEngine } from './harness.js';
import { doubleToString } from '../../engine/expr/cast.js';
import { typeInfo, type DataType } from '../../engine/ir/types.js';

/** A value in the harness's canonical form, printed as Spark prints a result. */
function sparkText(v: unknown, t: DataType, top = true): string {
  if (v === null || v === undefined) return top ? 'NULL' : 'null';
  const i = typeInfo(t);
  switch (i.kind) {
    case 'array': return `[${(v as unknown[]).map((x) => sparkText(x, i.element, false)).join(',')}]`;
    case 'map': return `{${(v as { map: [unknown, unknown][] }).map.map(([k, x]) => `${sparkText(k, i.key, false)}:${sparkText(x, i.value, false)}`).join(',')}}`;
    case 'struct': return `{${i.fields.map((f) => `"${f.name}":${sparkText((v as Record<string, unknown>)[f.name], f.type, false)}`).join(',')}}`;
    case 'string': case 'date': case 'timestamp': return top ? String(v) : JSON.stringify(v);
    case 'double': return doubleToString(v as number);
    default: return String(v);
  }
}

describe('documented examples of the JSON and collection functions', () => {
  for (const f of allFunctions().filter((x) => x.family === 'json' || x.family === 'collection')) {
    for (const ex of f.examples) {
      it(`${ex.sql} → ${ex.result}`, () => {
        const r = runEngine({ sql: ex.sql });
        expect(r.error, ex.sql).toBeUndefined();
        expect(sparkText(r.values![0], r.type!)).toBe(ex.result);
      });
    }
  }
});
