/**
 * Fingerprints of flow definitions: a stable hash of what a flow computes (its
 * query and expectations), ignoring comments, properties and where it was
 * defined. A checkpoint records them; on restart a changed fingerprint tells
 * which flow's definition changed.
 */
import { createHash } from 'node:crypto';
import type { DatasetDef, PlanNode } from '../ir/plan.js';
import { planInputs } from '../ir/plan.js';

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

/** What a flow computes: query plus expectations. */
export function flowFingerprint(def: DatasetDef): string {
  return hashOf({ kind: def.kind, query: def.query, expectations: def.expectations.map((e) => ({ name: e.name, action: e.action, predicate: e.predicate })), quarantine: def.quarantine?.name ?? null });
}

/** The part of a flow that its saved state depends on: the plan below and including each stateful operator. */
export function stateFingerprint(def: DatasetDef): string {
  const parts: unknown[] = [];
  const walk = (p: PlanNode) => {
    if (p.kind === 'dedup' || p.kind === 'aggregate' || p.kind === 'watermark' || p.kind === 'distinct') parts.push(p);
    for (const c of planInputs(p)) walk(c);
  };
  walk(def.query);
  return hashOf(parts);
}
