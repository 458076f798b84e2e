/**
 * Projection: `select` (exactly these columns), `derive` (add or replace
 * columns, keep the rest) and `drop`. Stateless: a batch in, a batch out.
 */
import type { ExprNode } from '../ir/expr.js';
import type { Field, Schema } from '../ir/types.js';
import type { Batch, Column } from '../batch.js';
import { compileExpr, DEFAULT_ENV, type EvalEnv, type Evaluator } from '../expr/eval.js';
import { exprType } from '../expr/typecheck.js';

export class ProjectOperator {
  readonly stateful = false;
  readonly schema: Schema;
  private readonly outputs: { field: Field; evaluate: Evaluator }[];

  constructor(input: Schema, columns: readonly (readonly [string, ExprNode])[], mode: 'select' | 'derive', env: EvalEnv = DEFAULT_ENV) {
    const outs: { field: Field; evaluate: Evaluator }[] = [];
    if (mode === 'derive') {
      for (let j = 0; j < input.length; j++) {
        const idx = j;
        outs.push({ field: input[j], evaluate: (b) => b.columns[idx] });
      }
    }
    for (const [name, e] of columns) {
      const entry = { field: { name, type: exprType(e, input, env.origin, env.ansi) }, evaluate: compileExpr(e, input, env) };
      const at = outs.findIndex((o) => o.field.name === name);
      if (mode === 'derive' && at >= 0) outs[at] = entry; else outs.push(entry);
    }
    this.outputs = outs;
    this.schema = outs.map((o) => o.field);
  }

  process(b: Batch): Batch {
    const columns: Column[] = this.outputs.map((o) => o.evaluate(b));
    return { schema: this.schema, columns, length: b.length };
  }
}

export class DropOperator {
  readonly stateful = false;
  readonly schema: Schema;
  private readonly keep: number[];

  constructor(input: Schema, names: readonly string[]) {
    this.keep = [];
    input.forEach((f, j) => { if (!names.includes(f.name)) this.keep.push(j); });
    this.schema = this.keep.map((j) => input[j]);
  }

  process(b: Batch): Batch {
    return { schema: this.schema, columns: this.keep.map((j) => b.columns[j]), length: b.length };
  }
}
