/**
 * A generator (`explode`, `posexplode`, their `_outer` forms): each input row
 * is repeated once per element of its array (or entry of its map), with the
 * element (and its position) in new columns. A NULL or empty collection gives
 * no row, or with `_outer` one row whose new columns are NULL. Stateless:
 * output rows follow the input order, then element order.
 */
import type { ExprNode } from '../ir/expr.js';
import type { Field, Schema, Value } from '../ir/types.js';
import { ColumnBuilder, takeColumn, type Batch, type NestedColumn } from '../batch.js';
import { compileExpr, DEFAULT_ENV, type EvalEnv, type Evaluator } from '../expr/eval.js';
import { generateColumns } from '../expr/typecheck.js';
import { lookupGenerator, type GeneratorDef } from '../functions/generators.js';

export class GenerateOperator {
  readonly stateful = false;
  readonly schema: Schema;
  private readonly def: GeneratorDef;
  private readonly arg: Evaluator;
  private readonly out: Field[];

  constructor(private readonly input: Schema, generator: string, arg: ExprNode, names: readonly string[], env: EvalEnv = DEFAULT_ENV) {
    this.def = lookupGenerator(generator)!;
    this.out = generateColumns(generator, arg, names, input, env.origin, env.ansi);
    this.arg = compileExpr(arg, input, env);
    this.schema = [...input, ...this.out];
  }

  process(b: Batch): Batch {
    const coll = this.arg(b) as NestedColumn;
    const rows: number[] = [];
    const builders = this.out.map((f) => new ColumnBuilder(f.type, b.length));
    const pos = this.def.position ? builders[0] : null;
    const vals = this.def.position ? builders.slice(1) : builders;
    for (let i = 0; i < b.length; i++) {
      const v = coll.data[i];
      const entries: Value[][] | null = v === null ? null
        : v instanceof Map ? [...(v as Map<Value, Value>).entries()].map(([k, x]) => [k, x])
        : Array.isArray(v) ? (v as Value[]).map((x) => [x]) : null;
      if (!entries || entries.length === 0) {
        if (!this.def.outer) continue;
        rows.push(i);
        for (const x of builders) x.push(null);
        continue;
      }
      entries.forEach((e, k) => {
        rows.push(i);
        pos?.push(k);
        e.forEach((x, c) => vals[c].push(x));
      });
    }
    const idx = Int32Array.from(rows);
    return { schema: this.schema, columns: [...b.columns.map((c) => takeColumn(c, idx)), ...builders.map((x) => x.finish())], length: idx.length };
  }
}
