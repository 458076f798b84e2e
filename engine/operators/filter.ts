/** Filter: keeps the rows whose predicate is TRUE (FALSE and NULL are dropped). Stateless. */
import type { ExprNode } from '../ir/expr.js';
import type { Schema } from '../ir/types.js';
import { filterBatch, type Batch } from '../batch.js';
import { compileExpr, trueMask, DEFAULT_ENV, type EvalEnv, type Evaluator } from '../expr/eval.js';

export class FilterOperator {
  readonly stateful = false;
  private readonly predicate: Evaluator;

  constructor(readonly schema: Schema, predicate: ExprNode, env: EvalEnv = DEFAULT_ENV) {
    this.predicate = compileExpr(predicate, schema, env);
  }

  process(b: Batch): Batch {
    if (b.length === 0) return b;
    return filterBatch(b, trueMask(this.predicate(b), b.length));
  }
}
