/**
 * Join builders beyond the equi-join of `Rel.join`.
 *
 * `asOfJoin(left, right, …)`: each left row with the right rows of equal keys
 * whose validity interval holds the left row's time — the SCD type 2 lookup
 * "the address valid on the admission date":
 *
 * ```ts
 * asOfJoin(read(silver), read(history), { on: 'patient_id', at: 'admission_date', how: 'left' })
 * // right rows with __START_AT <= admission_date AND (__END_AT IS NULL OR admission_date < __END_AT)
 * ```
 */
import type { JoinHow } from './ir/plan.js';
import { SCD2_END_COLUMN, SCD2_START_COLUMN } from './ir/plan.js';
import { Rel } from './expr/builder.js';
import { DefinitionError } from './errors.js';

export interface AsOfJoinOptions {
  /** Key columns: a name on both sides, a list, or `{ leftCol: 'rightCol' }`. */
  on: string | readonly string[] | Record<string, string>;
  /** The left column holding the time to look up (DATE or TIMESTAMP). */
  at: string;
  /** The right columns bounding validity, `[from, until)`; default `__START_AT`, `__END_AT` (SCD type 2). */
  from?: string;
  until?: string;
  /** `left` (default) keeps left rows without a valid right row; `inner` drops them. */
  how?: JoinHow;
}

export function asOfJoin(left: Rel, right: Rel, opts: AsOfJoinOptions): Rel {
  const on = opts.on;
  const pairs = typeof on === 'string' ? [[on, on]] : Array.isArray(on) ? (on as string[]).map((k) => [k, k]) : Object.entries(on as Record<string, string>);
  const how = opts.how ?? 'left';
  if (how !== 'inner' && how !== 'left') throw new DefinitionError('UNSUPPORTED_JOIN', `join type "${how}" is not supported`, { how }, { hint: 'use "inner" or "left"' });
  return new Rel(Object.freeze({
    kind: 'asofJoin' as const, input: left.node, right: right.node, how,
    on: Object.freeze(pairs.map((p) => Object.freeze([p[0], p[1]] as const))),
    at: opts.at, from: opts.from ?? SCD2_START_COLUMN, until: opts.until ?? SCD2_END_COLUMN,
  }));
}
