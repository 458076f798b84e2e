/**
 * Key pushdown into the static side of a stream-static join.
 *
 * A streaming flow that joins its new rows with a table read as a snapshot
 * (`stream(a).join(read(b), …)`, an as-of join) needs, for those rows, only
 * the right rows whose join key is among the new rows' keys. When the right
 * side is "key-local" (each of its rows depends only on input rows with the
 * same key: projections, filters, window functions partitioned by the key),
 * the table can be restricted to those keys before the right side runs, and
 * the result is the same. Without this, every step with new rows reads the
 * whole table and runs the right side over all of it, a cost that grows with
 * the table's history (a year of admissions for a few hundred vitals windows).
 *
 * `staticPushdown` decides it from the plan: the table read, the key columns
 * there, and the columns the right side reads (the rest need not be kept).
 */
import type { PlanNode } from '../ir/plan.js';
import { exprChildren, referencedColumns, type ExprNode } from '../ir/expr.js';
import type { Schema } from '../ir/types.js';
import { columnIndex, concatBatches, emptyBatch, projectBatch, takeBatch, type Batch, type Column } from '../batch.js';
import { rowsMatching } from '../column/key-index.js';
import { planSchema, type TypeContext } from '../expr/typecheck.js';

/** A static table the right side of a join may be restricted to by key. */
export interface StaticPushdown {
  /** The table read (a snapshot read). */
  readonly dataset: string;
  /** The table's columns that carry the join keys, in the join's key order. */
  readonly keys: readonly string[];
  /** The table's columns the right side reads (the others are never looked at); null: all. */
  readonly columns: readonly string[] | null;
}

/** Joins whose result, for each left row, depends only on right rows with its key. */
const PUSHDOWN_HOWS = new Set(['inner', 'left', 'left_semi', 'left_anti']);

/** Whether a column reference inside names a qualifier (`t.col`, `s.field`): its column is not plain to trace. */
function qualified(e: ExprNode): boolean {
  return (e.kind === 'col' && (e.qualifier?.length ?? 0) > 0) || exprChildren(e).some(qualified);
}

function refsOf(exprs: readonly ExprNode[], out: Set<string>): boolean {
  for (const e of exprs) {
    if (qualified(e)) return false;
    referencedColumns(e, out);
  }
  return true;
}

/**
 * The pushdown for a join's right side `right`, joined on `rightKeys` with
 * left keys of types `leftTypes`; null when the right side is not key-local,
 * the join keeps right rows without a match, or a key's type differs between
 * the sides (the join would compare converted values).
 */
export function staticPushdown(how: string, right: PlanNode, rightKeys: readonly string[], leftTypes: readonly string[], ctx: TypeContext): StaticPushdown | null {
  if (!PUSHDOWN_HOWS.has(how) || rightKeys.length === 0) return null;
  let keys = [...rightKeys];
  // the columns read above the current node (null: every column it outputs)
  let wanted: Set<string> | null = null;
  const partitionsByKeys = (spec: { partitionBy: readonly ExprNode[] }) =>
    keys.every((k) => spec.partitionBy.some((p) => p.kind === 'col' && !p.qualifier?.length && p.name === k));
  let p = right;
  for (;;) {
    switch (p.kind) {
      case 'read': {
        if (p.streaming) return null;
        const schema: Schema = planSchema(p, ctx);
        for (let k = 0; k < keys.length; k++) {
          const f = schema.find((x) => x.name === keys[k]);
          if (!f || f.type !== leftTypes[k]) return null;
        }
        const columns = wanted === null ? null : schema.map((f) => f.name).filter((n) => wanted!.has(n) || keys.includes(n));
        return { dataset: p.dataset, keys, columns };
      }
      case 'select': {
        const next: string[] = [];
        for (const k of keys) {
          const c = p.columns.find(([n]) => n === k);
          if (!c || c[1].kind !== 'col' || c[1].qualifier?.length) return null;
          next.push(c[1].name);
        }
        const refs = new Set<string>();
        if (!refsOf(p.columns.filter(([n]) => wanted === null || wanted.has(n) || keys.includes(n)).map(([, e]) => e), refs)) return null;
        keys = next;
        wanted = refs;
        break;
      }
      case 'derive': {
        const next: string[] = [];
        for (const k of keys) {
          const c = p.columns.find(([n]) => n === k);
          if (c && (c[1].kind !== 'col' || c[1].qualifier?.length)) return null;
          next.push(c ? (c[1] as { name: string }).name : k);
        }
        if (wanted !== null && !refsOf(p.columns.map(([, e]) => e), wanted)) return null;
        keys = next;
        break;
      }
      case 'drop':
        if (keys.some((k) => p.kind === 'drop' && p.names.includes(k))) return null;
        break;
      case 'filter':
        if (wanted !== null && !refsOf([p.predicate], wanted)) return null;
        break;
      case 'sort':
        if (wanted !== null && !refsOf(p.keys.map((k) => k.expr), wanted)) return null;
        break;
      case 'distinct':
        // distinct compares every column
        wanted = null;
        break;
      case 'window':
        for (const [n, e] of p.columns) {
          if (keys.includes(n) || e.kind !== 'over' || !partitionsByKeys(e.spec)) return null;
          if (wanted !== null && !refsOf([e], wanted)) return null;
        }
        break;
      case 'generate':
        if (keys.some((k) => p.kind === 'generate' && p.names.includes(k))) return null;
        if (wanted !== null && !refsOf([p.arg], wanted)) return null;
        break;
      default:
        return null;
    }
    p = (p as { input: PlanNode }).input;
  }
}

/** The fields of a table's schema a restricted read keeps (`columns` null: all). */
export function keptSchema(schema: Schema, columns: readonly string[] | null): Schema {
  return columns === null ? schema : schema.filter((f) => columns.includes(f.name));
}

/**
 * The rows of `parts` (kept columns of a table) whose `keys` columns hold the
 * key of one of the `probe` rows (null: every row), with the table's full
 * schema: the columns not kept are NULL (the flow never reads them). Each
 * part is looked up through its key index (`KeyIndex`), not scanned.
 */
export function rowsWithKeys(full: Schema, parts: readonly Batch[], keys: readonly string[] | null, probe: KeyProbe | null): Batch {
  let taken = parts;
  if (keys !== null && probe !== null) {
    if (probe.length === 0) return emptyBatch(full);
    taken = parts.flatMap((b) => {
      const rows = rowsMatching(b, keys.map((k) => columnIndex(b.schema, k)), probe.columns, probe.length);
      return rows.length === b.length ? [b] : rows.length ? [takeBatch(b, rows)] : [];
    });
  }
  if (taken.length === 0) return emptyBatch(full);
  return projectBatch(taken.length === 1 ? taken[0] : concatBatches(taken[0].schema, taken), full);
}

/** The key columns of the rows a restricted read looks up (the same types as the table's key columns). */
export interface KeyProbe { columns: readonly Column[]; length: number }
