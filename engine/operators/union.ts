/**
 * Union (ALL): the inputs' rows, in input order. Each input's columns are
 * brought to the output's: by position or by name (a missing column is NULL),
 * cast to the output's (widened) types. Stateless.
 */
import type { Schema } from '../ir/types.js';
import { concatBatches, emptyColumn, type Batch, type Column } from '../batch.js';
import { castColumn } from '../expr/eval.js';

export class UnionOperator {
  readonly stateful = false;
  /**
   * @param sources per input, the input column feeding each output column (-1: NULL); omitted: same columns.
   * @param inputs the inputs' schemas (with `sources`).
   */
  constructor(readonly schema: Schema, private readonly sources?: readonly (readonly number[])[], private readonly inputs?: readonly Schema[]) {}

  private conform(b: Batch, i: number): Batch {
    if (!this.sources || !this.inputs) return { ...b, schema: this.schema };
    const src = this.sources[i], from = this.inputs[i];
    const columns: Column[] = this.schema.map((f, k) => {
      const j = src[k];
      if (j < 0) return emptyColumn(f.type, b.length);
      return from[j].type === f.type ? b.columns[j] : castColumn(b.columns[j], from[j].type, f.type, b.length);
    });
    return { schema: this.schema, columns, length: b.length };
  }

  /** Batches by input position (null: nothing from that input). */
  process(inputs: readonly (Batch | null)[]): Batch {
    const parts: Batch[] = [];
    inputs.forEach((b, i) => { if (b && b.length) parts.push(this.conform(b, i)); });
    return concatBatches(this.schema, parts);
  }
}
