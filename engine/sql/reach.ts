/**
 * Where a difference reaches: given columns (or whole rows) of one dataset, or
 * of the CSV source it reads, that can hold other values on a target than in
 * the engine, the columns and rows of every dataset downstream that can differ
 * as a consequence. Computed on the plan IR, the same the engine runs:
 *
 * - a column differs when its expression reads a differing column;
 * - rows differ (some may be missing, extra or entirely other) when a filter,
 *   a drop or fail expectation, a join key, a dedup key, a watermark or a
 *   grouping key reads a differing column, or when an input's rows differ;
 *   then every column of the dataset can differ;
 * - an aggregate differs when its argument does; `count(*)` only with rows;
 * - a quarantine differs like its parent's flow before the expectations, its
 *   rows when a drop rule reads a differing column, and `_failed_expectations`
 *   when any rule does.
 */
import type { ExprNode } from '../ir/expr.js';
import { referencedColumns } from '../ir/expr.js';
import type { PlanNode } from '../ir/plan.js';
import { FAILED_EXPECTATIONS_COLUMN } from '../ir/plan.js';
import type { Schema } from '../ir/types.js';
import { csvSourceSchema, fileSourceSchema, planSchema } from '../expr/typecheck.js';
import type { GraphDataset, PipelineGraph } from '../graph/graph.js';

/** A dataset a difference reaches: the columns that can differ, all of them when rows can. */
export interface Reach {
  readonly table: string;
  readonly columns: readonly string[];
  /** Rows can be missing, extra or entirely other. */
  readonly rows: boolean;
}

/** Where a difference starts: columns of a dataset's output, or of the CSV source its flow reads. */
export interface DifferenceOrigin {
  readonly table: string;
  readonly columns: readonly string[];
  readonly rows?: boolean;
  /**
   * Where in `table`'s flow the columns are: its output (default), the CSV
   * source it reads (the bronze columns), or the output of its dedup (then
   * `columns` are ignored: every column but the keys differs).
   */
  readonly at?: 'output' | 'source' | 'dedup';
}

interface Taint { cols: Set<string>; rows: boolean }

const CLEAN: Taint = { cols: new Set(), rows: false };

function touches(e: ExprNode, t: Taint): boolean {
  if (t.rows) return true;
  for (const c of referencedColumns(e)) if (t.cols.has(c)) return true;
  return false;
}

function all(schema: Schema): Set<string> {
  return new Set(schema.map((f) => f.name));
}

class ReachWalker {
  private readonly taints = new Map<string, Taint>();
  constructor(private readonly graph: PipelineGraph, private readonly origin: DifferenceOrigin) {}

  private ctx(g: GraphDataset) {
    return { datasetSchema: (n: string) => this.graph.datasets.get(n)!.schema, origin: { table: g.name } };
  }

  /** The taint of a plan's output. */
  private plan(g: GraphDataset, p: PlanNode): { taint: Taint; schema: Schema } {
    const ctx = this.ctx(g);
    const done = (t: Taint, schema: Schema) => ({ taint: t.rows ? { cols: all(schema), rows: true } : t, schema });
    switch (p.kind) {
      case 'csv': {
        const schema = csvSourceSchema(p.options);
        const o = this.origin;
        if (o.at === 'source' && o.table === g.name) return done({ cols: new Set(o.columns), rows: o.rows ?? false }, schema);
        return done(CLEAN, schema);
      }
      case 'files': {
        const schema = fileSourceSchema(p.options);
        const o = this.origin;
        if (o.at === 'source' && o.table === g.name) return done({ cols: new Set(o.columns), rows: o.rows ?? false }, schema);
        return done(CLEAN, schema);
      }
      case 'rows': return done(CLEAN, p.schema);
      case 'read': return done(this.taints.get(p.dataset) ?? CLEAN, ctx.datasetSchema(p.dataset));
      case 'select': {
        const i = this.plan(g, p.input);
        const cols = new Set(p.columns.filter(([, e]) => touches(e, i.taint)).map(([n]) => n));
        return done({ cols, rows: i.taint.rows }, planSchema(p, ctx));
      }
      case 'derive': {
        const i = this.plan(g, p.input);
        const cols = new Set(i.taint.cols);
        for (const [n, e] of p.columns) { if (touches(e, i.taint)) cols.add(n); else cols.delete(n); }
        return done({ cols, rows: i.taint.rows }, planSchema(p, ctx));
      }
      case 'drop': {
        const i = this.plan(g, p.input);
        return done({ cols: new Set([...i.taint.cols].filter((c) => !p.names.includes(c))), rows: i.taint.rows }, planSchema(p, ctx));
      }
      case 'filter': {
        const i = this.plan(g, p.input);
        return done({ cols: i.taint.cols, rows: touches(p.predicate, i.taint) }, i.schema);
      }
      case 'join': {
        const l = this.plan(g, p.input), r = this.plan(g, p.right);
        const keys = p.on.some(([lk, rk]) => l.taint.cols.has(lk) || r.taint.cols.has(rk));
        const cond = p.condition ? [...referencedColumns(p.condition)].some((c) => l.taint.cols.has(c) || r.taint.cols.has(c)) : false;
        const dropRight = new Set(p.on.filter(([lk, rk]) => lk === rk).map(([, rk]) => rk));
        const semi = p.how === 'left_semi' || p.how === 'left_anti';
        const cols = new Set([...l.taint.cols, ...(semi ? [] : [...r.taint.cols].filter((c) => !dropRight.has(c)))]);
        return done({ cols, rows: l.taint.rows || r.taint.rows || keys || cond }, planSchema(p, ctx));
      }
      case 'values': return done(CLEAN, p.schema);
      case 'distinct': {
        const i = this.plan(g, p.input);
        return done({ cols: i.taint.cols, rows: i.taint.rows || i.taint.cols.size > 0 }, i.schema);
      }
      case 'sort': {
        const i = this.plan(g, p.input);
        return done(i.taint, i.schema);
      }
      case 'limit': {
        // which rows are kept depends on the order: any differing row or sort key can change them
        const i = this.plan(g, p.input);
        return done({ cols: i.taint.cols, rows: i.taint.rows || i.taint.cols.size > 0 }, i.schema);
      }
      case 'window': {
        const i = this.plan(g, p.input);
        const cols = new Set(i.taint.cols);
        for (const [n, e] of p.columns) if (touches(e, i.taint)) cols.add(n);
        return done({ cols, rows: i.taint.rows }, planSchema(p, ctx));
      }
      case 'generate': {
        const i = this.plan(g, p.input);
        const schema = planSchema(p, ctx);
        const rows = i.taint.rows || touches(p.arg, i.taint);
        return done({ cols: i.taint.cols, rows }, schema);
      }
      case 'asofJoin': {
        const l = this.plan(g, p.input), r = this.plan(g, p.right);
        const keys = p.on.some(([lk, rk]) => l.taint.cols.has(lk) || r.taint.cols.has(rk)) || l.taint.cols.has(p.at) || r.taint.cols.has(p.from) || r.taint.cols.has(p.until);
        const dropRight = new Set(p.on.filter(([lk, rk]) => lk === rk).map(([, rk]) => rk));
        const cols = new Set([...l.taint.cols, ...[...r.taint.cols].filter((c) => !dropRight.has(c))]);
        return done({ cols, rows: l.taint.rows || r.taint.rows || keys }, planSchema(p, ctx));
      }
      case 'dedup': {
        const i = this.plan(g, p.input);
        if (this.origin.at === 'dedup' && this.origin.table === g.name) {
          return done({ cols: new Set(i.schema.map((f) => f.name).filter((c) => !p.keys.includes(c))), rows: i.taint.rows }, i.schema);
        }
        return done({ cols: i.taint.cols, rows: i.taint.rows || p.keys.some((k) => i.taint.cols.has(k)) }, i.schema);
      }
      case 'watermark': {
        const i = this.plan(g, p.input);
        return done({ cols: i.taint.cols, rows: i.taint.rows || i.taint.cols.has(p.column) }, i.schema);
      }
      case 'aggregate': {
        const i = this.plan(g, p.input);
        const schema = planSchema(p, ctx);
        const rows = i.taint.rows || p.keys.some(([, e]) => touches(e, i.taint)) || (p.window !== null && i.taint.cols.has(p.window.timeColumn));
        const cols = new Set(p.aggs.filter(([, a]) => a.args.some((x) => touches(x, i.taint)) || (a.filter !== null && touches(a.filter, i.taint))).map(([n]) => n));
        return done({ cols, rows }, schema);
      }
      case 'union': {
        const parts = p.inputs.map((x) => this.plan(g, x));
        const schema = planSchema(p, ctx);
        // by position, a differing column of any input is the output column at its position
        const cols = p.byName ? new Set(parts.flatMap((x) => [...x.taint.cols])) : new Set(parts.flatMap((x) => x.schema.map((f, j) => (x.taint.cols.has(f.name) ? schema[j].name : null)).filter((c): c is string => c !== null)));
        return done({ cols, rows: parts.some((x) => x.taint.rows) }, schema);
      }
    }
  }

  /**
   * The taint of what a dataset's flows write: the union over its flows. An
   * AUTO CDC flow carries its feed's tainted columns over by name; a taint
   * on a key, the sequence or the delete condition reaches every row.
   */
  private flowsTaint(g: GraphDataset): Taint {
    const cols = new Set<string>();
    let rows = false;
    for (const name of g.flows) {
      const f = this.graph.flows.get(name)!;
      const t = this.plan(g, f.query).taint;
      if (f.cdc) {
        const { spec } = f.cdc;
        const decisive = spec.keys.some((k) => t.cols.has(k)) || touches(spec.sequenceBy, t) || (spec.applyAsDeletes !== null && touches(spec.applyAsDeletes, t)) || (spec.applyAsTruncates !== null && touches(spec.applyAsTruncates, t));
        rows ||= t.rows || decisive;
      } else rows ||= t.rows;
      for (const c of t.cols) if (g.schema.some((x) => x.name === c)) cols.add(c);
    }
    return { cols, rows };
  }

  private dataset(g: GraphDataset): Taint {
    const o = this.origin;
    const own = o.table === g.name && (o.at ?? 'output') === 'output';
    if (g.quarantineOf) {
      const parent = this.graph.datasets.get(g.quarantineOf)!;
      const base = o.table === parent.name && (o.at ?? 'output') === 'output' ? { cols: new Set(o.columns), rows: o.rows ?? false } : this.flowsTaint(parent);
      const rules = parent.def.expectations;
      const rows = base.rows || rules.some((e) => e.action === 'drop' && touches(e.predicate, base));
      const cols = new Set(base.cols);
      if (rules.some((e) => touches(e.predicate, base))) cols.add(FAILED_EXPECTATIONS_COLUMN);
      if (own) for (const c of o.columns) cols.add(c);
      return rows || (own && o.rows) ? { cols: all(g.schema), rows: true } : { cols, rows: false };
    }
    const t = own ? { cols: new Set(o.columns), rows: o.rows ?? false } : this.flowsTaint(g);
    const rows = t.rows || g.def.expectations.some((e) => (e.action === 'drop' || e.action === 'fail') && touches(e.predicate, t));
    return rows ? { cols: all(g.schema), rows: true } : t;
  }

  run(): Reach[] {
    const out: Reach[] = [];
    for (const name of this.graph.order) {
      const g = this.graph.datasets.get(name)!;
      const t = this.dataset(g);
      this.taints.set(name, t);
      if (t.rows || t.cols.size) {
        out.push({ table: name, columns: g.schema.map((f) => f.name).filter((c) => t.cols.has(c)), rows: t.rows });
      }
    }
    return out;
  }
}

/** Every dataset a difference reaches (its own first), in execution order. */
export function reachOf(graph: PipelineGraph, origin: DifferenceOrigin): Reach[] {
  return new ReachWalker(graph, origin).run();
}
