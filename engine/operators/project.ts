/**
 * Projection: `select` (exactly these columns), `derive` (add or replace
 * columns, keep the rest) and `drop`. Stateless: a batch in, a batch out.
 */
import type { ExprNode } from '../ir/expr.js';
import type { Field, Schema } from '../ir/types.js';
import type { Batch, Column } from '../batch.js';
import { compileExprs, DEFAULT_ENV, type EvalEnv } from '../expr/eval.js';
import { exprType } from '../expr/typecheck.js';

export class ProjectOperator {
  readonly stateful = false;
  readonly schema: Schema;
  /** Per output column: the input column it passes on, or the index of its expression. */
  private readonly outputs: ({ input: number } | { expr: number })[];
  /** The expressions, compiled together: subexpressions they share are computed once per batch. */
  private readonly evaluate: (b: Batch) => Column[];

  constructor(input: Schema, columns: readonly (readonly [string, ExprNode])[], mode: 'select' | 'derive', env: EvalEnv = DEFAULT_ENV) {
    const outs: { field: Field; from: { input: number } | { expr: number } }[] = [];
    if (mode === 'derive') for (let j = 0; j < input.length; j++) outs.push({ field: input[j], from: { input: j } });
    const exprs: ExprNode[] = [];
    for (const [name, e] of columns) {
      const field = { name, type: exprType(e, input, env.origin, env.ansi) };
      const at = mode === 'derive' ? outs.findIndex((o) => o.field.name === name) : -1;
      // a derive that replaces a column computed earlier takes its expression's place
      const was = at >= 0 ? outs[at].from : null;
      const k = was && 'expr' in was ? was.expr : exprs.length;
      exprs[k] = e;
      const entry = { field, from: { expr: k } };
      if (at >= 0) outs[at] = entry; else outs.push(entry);
    }
    this.outputs = outs.map((o) => o.from);
    this.evaluate = compileExprs(exprs, input, env);
    this.schema = outs.map((o) => o.field);
  }

  process(b: Batch): Batch {
    const computed = this.evaluate(b);
    const columns: Column[] = this.outputs.map((o) => ('input' in o ? b.columns[o.input] : computed[o.expr]));
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
