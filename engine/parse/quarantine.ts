/**
 * A quarantine table written in SQL, read back as a quarantine. The SQL
 * compiler writes a dataset's quarantine (`quarantine: { name }` of the
 * builders) as a streaming table over the dataset's own query:
 *
 *   SELECT *, filter(array(CASE WHEN NOT coalesce(rule, FALSE) THEN 'name' END, …), x -> x IS NOT NULL) AS _failed_expectations
 *   FROM (<the dataset's query>) WHERE NOT (coalesce(drop_rule, FALSE) AND …)
 *
 * A streaming table whose query is exactly that, for a streaming dataset
 * with drop expectations and no quarantine of its own, keeps exactly the rows
 * the dataset's quarantine keeps; it becomes that quarantine, so that the
 * pipeline read back has the plan (and fingerprints) of its definition.
 * Anything that differs in the least (another rule, another column, a flow
 * into the table) stays a streaming table of its own.
 */
import type { DatasetDef, PlanNode } from '../ir/plan.js';
import { FAILED_EXPECTATIONS_COLUMN, isFileSource, planReads, planSources } from '../ir/plan.js';
import type { ExprNode } from '../ir/expr.js';
import { hashOf } from '../graph/fingerprint.js';

const freeze = <T>(x: T): T => Object.freeze(x);

function conjuncts(e: ExprNode): ExprNode[] {
  return e.kind === 'call' && e.fn === 'and' ? e.args.flatMap(conjuncts) : [e];
}

const coalesceFalse = (p: ExprNode): ExprNode => ({ kind: 'call', fn: 'coalesce', args: [p, { kind: 'lit', value: false, type: 'boolean' }] });
const same = (a: unknown, b: unknown) => hashOf(a) === hashOf(b);

/** Whether `q` is the quarantine query the compiler writes for `parent`. */
function isQuarantineOf(q: PlanNode, parent: DatasetDef): boolean {
  if (!parent.query) return false;
  if (q.kind !== 'derive' || q.columns.length !== 1 || q.columns[0][0] !== FAILED_EXPECTATIONS_COLUMN) return false;
  const f = q.input;
  if (f.kind !== 'filter' || !same(f.input, parent.query)) return false;
  const drops = parent.expectations.filter((e) => e.action === 'drop');
  if (!drops.length) return false;
  // WHERE NOT (coalesce(rule, FALSE) AND …) over the drop rules, in order
  const p = f.predicate;
  if (p.kind !== 'call' || p.fn !== 'not' || p.args.length !== 1) return false;
  const parts = conjuncts(p.args[0]);
  if (parts.length !== drops.length || !parts.every((x, i) => same(x, coalesceFalse(drops[i].predicate)))) return false;
  // filter(array(CASE WHEN NOT coalesce(rule, FALSE) THEN 'name' END, …), x -> x IS NOT NULL) over every rule, in order
  const list = q.columns[0][1];
  if (list.kind !== 'call' || list.fn !== 'filter' || list.args.length !== 2) return false;
  const [arr, lambda] = list.args;
  if (lambda.kind !== 'lambda' || lambda.params.length !== 1) return false;
  if (!same(lambda.body, { kind: 'call', fn: 'isnotnull', args: [{ kind: 'var', name: lambda.params[0] }] })) return false;
  if (arr.kind !== 'call' || arr.fn !== 'array' || arr.args.length !== parent.expectations.length) return false;
  return arr.args.every((c, i) => {
    const e = parent.expectations[i];
    return c.kind === 'case' && !c.operand && c.otherwise === null && c.branches.length === 1
      && same(c.branches[0].when, { kind: 'call', fn: 'not', args: [coalesceFalse(e.predicate)] })
      && c.branches[0].then.kind === 'lit' && c.branches[0].then.value === e.name;
  });
}

/**
 * The datasets with every streaming table that is the compiler's form of a
 * quarantine folded into its dataset (see the module comment). `hasFlows`:
 * whether a flow other than the default one writes into a dataset.
 */
export function foldQuarantines(defs: readonly DatasetDef[], hasFlows: (name: string) => boolean): DatasetDef[] {
  const out = [...defs];
  for (const q of defs) {
    if (q.kind !== 'streaming_table' || !q.query || q.expectations.length || q.schema || hasFlows(q.name)) continue;
    const streaming = (d: DatasetDef) => !!d.query && (planReads(d.query).some((r) => r.streaming) || planSources(d.query).some(isFileSource));
    const at = out.findIndex((d) => d.name !== q.name && !d.quarantine && d.kind !== 'materialized_view' && streaming(d) && isQuarantineOf(q.query!, d));
    if (at < 0) continue;
    const parent = out[at];
    const properties = Object.fromEntries(Object.entries(q.properties).filter(([k, v]) => parent.properties[k] !== v));
    out[at] = freeze({ ...parent, quarantine: freeze({ name: q.name, ...(q.comment !== undefined ? { comment: q.comment } : {}), properties: freeze(properties) }) });
    out.splice(out.indexOf(q), 1);
  }
  return out;
}
