/**
 * Expectations, as DLT applies them to a dataset's output rows.
 *
 * - warn: the row is kept; the failure is counted.
 * - drop: the row is removed (and sent to the quarantine, if any).
 * - fail: the flow fails; nothing of the batch is committed.
 *
 * A rule whose result is NULL counts as failed. Every rule is evaluated on every
 * row, so `passed_records + failed_records` is the number of input rows for each
 * rule, and `dropped_records` counts rows removed by any drop rule. Quarantined
 * rows carry `_failed_expectations`: every rule of the dataset they failed, in
 * declaration order.
 *
 * Columns declared NOT NULL are checked on the rows that go on (after the
 * drop rules): a NULL there fails the flow with
 * DELTA_NOT_NULL_CONSTRAINT_VIOLATED, as Delta's NOT NULL constraint fails
 * the write on Databricks.
 */
import type { Expectation } from '../ir/plan.js';
import { FAILED_EXPECTATIONS_COLUMN } from '../ir/plan.js';
import type { Schema } from '../ir/types.js';
import { batchToRows, isNullAt, maskIndices, takeBatch, type Batch } from '../batch.js';
import { compileExpr, trueMask, DEFAULT_ENV, type EvalEnv, type Evaluator } from '../expr/eval.js';
import { exprToString } from '../expr/text.js';
import { RuntimeFailure, type Origin } from '../errors.js';

export interface ExpectationMetric {
  name: string;
  dataset: string;
  action: 'warn' | 'drop' | 'fail';
  passed_records: number;
  failed_records: number;
}

export interface ExpectationResult {
  /** The rows that go on (all rows but those a drop rule removed). */
  kept: Batch;
  /** The removed rows plus `_failed_expectations` (only when a quarantine schema is given). */
  quarantined: Batch | null;
  metrics: ExpectationMetric[];
  dropped_records: number;
}

export class ExpectationsOperator {
  readonly stateful = false;
  private readonly rules: { e: Expectation; evaluate: Evaluator }[];
  readonly quarantineSchema: Schema;

  /** Positions (in `schema`) of the columns declared NOT NULL. */
  private readonly notNull: { name: string; at: number }[];

  constructor(readonly dataset: string, readonly schema: Schema, expectations: readonly Expectation[], private readonly origin?: Origin, env: EvalEnv = DEFAULT_ENV, notNull: readonly string[] = []) {
    this.rules = expectations.map((e) => ({ e, evaluate: compileExpr(e.predicate, schema, { ...env, origin: e.origin ?? origin ?? env.origin }) }));
    this.quarantineSchema = [...schema, { name: FAILED_EXPECTATIONS_COLUMN, type: 'array<string>' }];
    this.notNull = notNull.map((c) => ({ name: c, at: schema.findIndex((f) => f.name.toLowerCase() === c.toLowerCase()) })).filter((c) => c.at >= 0);
  }

  get count(): number { return this.rules.length; }

  /** The first row (in order) with NULL in a NOT NULL column fails the flow. */
  private checkNotNull(b: Batch): void {
    for (let i = 0; i < b.length; i++) {
      for (const c of this.notNull) {
        if (!isNullAt(b.columns[c.at], i)) continue;
        const row = batchToRows(takeBatch(b, [i]))[0];
        throw new RuntimeFailure('DELTA_NOT_NULL_CONSTRAINT_VIOLATED', `NOT NULL constraint violated for column: ${this.schema[c.at].name} of ${this.dataset}`, {
          table: this.dataset, column: this.schema[c.at].name, row, rowIndex: i,
        }, { origin: this.origin, hint: `the column is declared NOT NULL: fix the data, drop such rows first (CONSTRAINT c EXPECT (${this.schema[c.at].name} IS NOT NULL) ON VIOLATION DROP ROW), or remove NOT NULL; nothing of this batch was committed for this table and the ones downstream of it` });
      }
    }
  }

  apply(b: Batch, withQuarantine: boolean): ExpectationResult {
    const n = b.length;
    const metrics: ExpectationMetric[] = [];
    if (this.rules.length === 0) {
      if (this.notNull.length) this.checkNotNull(b);
      return { kept: b, quarantined: null, metrics, dropped_records: 0 };
    }
    const passMasks: Uint8Array[] = [];
    const dropOk = new Uint8Array(n).fill(1);
    for (const { e, evaluate } of this.rules) {
      const pass = n ? trueMask(evaluate(b), n) : new Uint8Array(0);
      passMasks.push(pass);
      let passed = 0;
      for (let i = 0; i < n; i++) passed += pass[i];
      metrics.push({ name: e.name, dataset: this.dataset, action: e.action, passed_records: passed, failed_records: n - passed });
      if (e.action === 'drop') for (let i = 0; i < n; i++) dropOk[i] &= pass[i];
    }
    // fail rules: the first offending row in input order, first failing rule in declaration order
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < this.rules.length; r++) {
        const { e } = this.rules[r];
        if (e.action === 'fail' && passMasks[r][i] === 0) {
          const row = batchToRows(takeBatch(b, [i]))[0];
          throw new RuntimeFailure('EXPECTATION_FAILED', `expectation "${e.name}" failed on ${this.dataset}: ${exprToString(e.predicate)} was not true`, {
            table: this.dataset, expectation: e.name, expression: exprToString(e.predicate), row, rowIndex: i,
          }, { origin: e.origin ?? this.origin, hint: 'fix the data or the rule, then run again; nothing of this batch was committed for this table and the ones downstream of it' });
        }
      }
    }
    const keptIdx = maskIndices(dropOk, n);
    const kept = takeBatch(b, keptIdx);
    if (this.notNull.length) this.checkNotNull(kept);
    let quarantined: Batch | null = null;
    if (withQuarantine) {
      const bad: number[] = [];
      const failed: string[][] = [];
      for (let i = 0; i < n; i++) {
        if (dropOk[i]) continue;
        bad.push(i);
        const names: string[] = [];
        for (let r = 0; r < this.rules.length; r++) if (passMasks[r][i] === 0) names.push(this.rules[r].e.name);
        failed.push(names);
      }
      const q = takeBatch(b, bad);
      quarantined = { schema: this.quarantineSchema, columns: [...q.columns, { type: 'array<string>', data: failed }], length: bad.length };
    }
    return { kept, quarantined, metrics, dropped_records: n - keptIdx.length };
  }
}
