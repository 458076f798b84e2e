/**
 * How a materialized view is refreshed, decided from its plan:
 *
 * - incremental: the query keeps one piece of state (one aggregate, or a
 *   DISTINCT kept as a grouping) over append-only inputs (streaming tables,
 *   streaming views), with only row-by-row steps below it (select, filter,
 *   dedup, union, explode, watermark) and only steps over its complete result
 *   above it (select, filter/HAVING, windows/QUALIFY, ORDER BY, LIMIT,
 *   explode); every aggregate is maintained from new rows (the registry's
 *   `incremental`). New input rows update the state; history is never re-read.
 * - recompute: anything else (window functions or ORDER BY … LIMIT over the
 *   input rows, joins, holistic aggregates, inputs that are not append-only,
 *   file sources, inline rows); the query runs over complete snapshots of its
 *   inputs, and only in batches where one of them changed.
 */
import type { PlanNode } from '../ir/plan.js';
import { planInputs } from '../ir/plan.js';
import { lookupAggregate } from '../functions/aggregates.js';

export interface RefreshMode {
  readonly mode: 'incremental' | 'recompute';
  /** Why (for `graph`, `status` and the event log). */
  readonly reason: string;
}

const ROW_BY_ROW = new Set<PlanNode['kind']>(['select', 'derive', 'drop', 'filter', 'dedup', 'union', 'watermark', 'generate']);
const OVER_RESULT = new Set<PlanNode['kind']>(['select', 'derive', 'drop', 'filter', 'window', 'sort', 'limit', 'generate']);

/** The refresh mode of a materialized view's query; `appendOnly` tells whether a dataset only ever gains rows. */
export function refreshMode(query: PlanNode, appendOnly: (dataset: string) => boolean): RefreshMode {
  const recompute = (reason: string): RefreshMode => ({ mode: 'recompute', reason });
  // above the kept state: steps over its complete result
  let p = query;
  while (p.kind !== 'aggregate' && p.kind !== 'distinct') {
    if (!OVER_RESULT.has(p.kind)) return recompute(why(query));
    p = (p as { input: PlanNode }).input;
  }
  if (p.kind === 'aggregate') {
    const holistic = p.aggs.map(([, a]) => lookupAggregate(a.fn)).find((d) => d && !d.incremental);
    if (holistic) return recompute(`holistic aggregate ${holistic.name}()`);
  }
  // below it: row-by-row steps over append-only reads
  let bad: string | null = null;
  const below = (n: PlanNode): void => {
    if (bad) return;
    if (n.kind === 'read') { if (n.streaming || !appendOnly(n.dataset)) bad = `reads ${n.dataset}, which is not append-only`; return; }
    if (n.kind === 'csv' || n.kind === 'files' || n.kind === 'rows') { bad = 'reads a source directly'; return; }
    if (n.kind === 'values') { bad = 'inline rows'; return; }
    if (!ROW_BY_ROW.has(n.kind)) { bad = why(n); return; }
    for (const c of planInputs(n)) below(c);
  };
  below(p.input);
  if (bad) return recompute(bad);
  return { mode: 'incremental', reason: p.kind === 'aggregate' ? 'aggregate state updated by new rows' : 'distinct rows kept as new rows arrive' };
}

/** The first step of a plan that keeps a view from being incremental, as a short reason. */
function why(p: PlanNode): string {
  const stack = [p];
  const kinds = new Set<string>();
  let states = 0;
  while (stack.length) {
    const n = stack.pop()!;
    kinds.add(n.kind);
    if (n.kind === 'aggregate' || n.kind === 'distinct') states++;
    stack.push(...planInputs(n));
  }
  if (kinds.has('join')) return 'join';
  if (kinds.has('window')) return 'window functions over the input rows';
  if (kinds.has('sort') || kinds.has('limit')) return 'ORDER BY / LIMIT over the input rows';
  if (kinds.has('values')) return 'inline rows';
  if (kinds.has('csv') || kinds.has('files') || kinds.has('rows')) return 'reads a source directly';
  if (states === 0) return 'no aggregate';
  return 'more than one aggregate or DISTINCT';
}

/**
 * For a materialized view that joins one append-only input with snapshots of
 * others (stateless steps around, no aggregate): that input, whose new rows'
 * matches can be appended to the view while the others do not change; else null.
 */
export function appendInput(query: PlanNode, appendOnly: (dataset: string) => boolean): string | null {
  let left: string | null = null;
  let ok = true;
  const reads = (p: PlanNode): string[] => (p.kind === 'read' ? [p.dataset] : planInputs(p).flatMap(reads));
  const walk = (p: PlanNode, side: 'left' | 'right') => {
    switch (p.kind) {
      case 'csv': case 'files': case 'rows': case 'aggregate': case 'dedup': case 'union': case 'watermark': ok = false; return;
      case 'read':
        if (side === 'left') { if (left !== null || !appendOnly(p.dataset)) ok = false; else left = p.dataset; }
        return;
      case 'join': case 'asofJoin': walk(p.input, side); walk(p.right, 'right'); return;
      default: for (const c of planInputs(p)) walk(c, side);
    }
  };
  walk(query, 'left');
  const joins = (p: PlanNode): boolean => p.kind === 'join' || p.kind === 'asofJoin' || planInputs(p).some(joins);
  if (!ok || left === null || !joins(query)) return null;
  // the appended input must not also be read on a right side
  return reads(query).filter((d) => d === left).length === 1 ? left : null;
}
