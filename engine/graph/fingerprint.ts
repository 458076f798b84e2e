/**
 * Fingerprints of flow definitions: a stable hash of what a flow computes (its
 * query and expectations), ignoring comments, properties and where it was
 * defined. A checkpoint records them; on restart a changed fingerprint tells
 * which flow's definition changed.
 */
import { createHash } from 'node:crypto';
import type { DatasetDef, PlanNode } from '../ir/plan.js';
import { planInputs } from '../ir/plan.js';
import type { GraphFlow, PipelineGraph } from './graph.js';
import { canonicalPlan } from '../plan/canonical.js';
import { planSchema } from '../expr/typecheck.js';

function canonical(x: unknown): unknown {
  if (typeof x === 'function') return undefined;
  if (Array.isArray(x)) return x.map(canonical);
  if (x && typeof x === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(x).sort()) {
      if (k === 'fallbackPaths' || k === 'origin' || k === 'fn') continue;
      const v = canonical((x as Record<string, unknown>)[k]);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
  return x;
}

export function hashOf(x: unknown): string {
  return createHash('sha256').update(JSON.stringify(canonical(x))).digest('hex').slice(0, 16);
}

/** What a flow computes: its query (or the dataset's own, for the default flow) plus the target's expectations. */
export function flowFingerprint(def: DatasetDef, flow?: GraphFlow): string {
  const query = flow ? flow.query : def.query;
  // a default flow keeps the fingerprint it had before flows existed (a checkpoint must not see a change)
  const extra = flow && !flow.isDefault ? { flow: flow.kind, once: flow.once, cdc: flow.cdc?.spec ?? null } : {};
  return hashOf({ kind: def.kind, query, expectations: def.expectations.map((e) => ({ name: e.name, action: e.action, predicate: e.predicate })), quarantine: def.quarantine?.name ?? null, ...extra });
}

/**
 * The part of a flow that its saved state depends on: the plan below and
 * including each stateful operator, and an AUTO CDC flow's keys, sequence,
 * columns and SCD options.
 */
export function stateFingerprint(flow: { query?: PlanNode; cdc?: GraphFlow['cdc'] }): string {
  const parts: unknown[] = [];
  const walk = (p: PlanNode) => {
    if (p.kind === 'dedup' || p.kind === 'aggregate' || p.kind === 'watermark' || p.kind === 'distinct') parts.push(p);
    for (const c of planInputs(p)) walk(c);
  };
  if (flow.query) walk(flow.query);
  if (flow.cdc) {
    const { spec, columns, tracked, ignoreNull, sequenceType } = flow.cdc;
    parts.push({ keys: spec.keys, sequenceBy: spec.sequenceBy, storedAs: spec.storedAs, columns, tracked, ignoreNull, sequenceType });
  }
  return hashOf(parts);
}

/**
 * The fingerprint of every flow (`<definition>/<state>`), computed on the
 * flow's plan in canonical form (plan/canonical.ts): a SELECT that keeps
 * every input column is the same plan as the derive it equals, so that a
 * pipeline read back from its SQL has the fingerprints of its TypeScript
 * definition. `legacy`: on the plans as written (checkpoints written before
 * the canonical form recorded these).
 */
export function graphFingerprints(graph: PipelineGraph, legacy = false): Record<string, string> {
  const out: Record<string, string> = {};
  const ansi = graph.pipeline.options.ansi ?? false;
  const schemaOf = (p: PlanNode) => planSchema(p, { datasetSchema: (n: string) => graph.datasets.get(n)!.schema, origin: {}, ansi });
  const canon = (p: PlanNode | undefined) => (p && !legacy ? canonicalPlan(p, schemaOf, ansi) : p);
  for (const n of graph.flowOrder) {
    const f = graph.flows.get(n)!;
    const def = graph.datasets.get(f.target)!.def;
    const flow = legacy ? f : { ...f, query: canon(f.query)! };
    const d = legacy || !def.query ? def : { ...def, query: canon(def.query)! };
    out[n] = `${flowFingerprint(d, flow)}/${stateFingerprint(flow)}`;
  }
  return out;
}
