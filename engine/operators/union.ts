/** Union (ALL): the inputs' rows, in input order. Stateless. */
import type { Schema } from '../ir/types.js';
import { concatBatches, type Batch } from '../batch.js';

export class UnionOperator {
  readonly stateful = false;
  constructor(readonly schema: Schema) {}

  process(inputs: readonly Batch[]): Batch {
    return concatBatches(this.schema, inputs.map((b) => ({ ...b, schema: this.schema })));
  }
}
