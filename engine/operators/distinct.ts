/**
 * SELECT DISTINCT over a complete input: the first row of each distinct row
 * (NULLs equal, as GROUP BY compares), in input order. Stateless. Over a
 * stream the flow uses the dedup operator on every column instead, and an
 * incrementally maintained materialized view an aggregate without aggregates.
 */
import type { Schema } from '../ir/types.js';
import { takeBatch, type Batch } from '../batch.js';
import { batchKeys } from '../column/group-ids.js';

export class DistinctOperator {
  readonly stateful = false;
  constructor(readonly schema: Schema) {}

  process(b: Batch): Batch {
    if (b.length < 2) return b;
    const keys = batchKeys(b.columns, b.length);
    return keys.count === b.length ? b : takeBatch(b, keys.firsts);
  }
}
