/**
 * The builders' plan shapes for lowered SQL. SQL has one projection, SELECT;
 * the TypeScript builders also have `withColumns` (a derive) and name an
 * aggregate's outputs directly. A query the SQL compiler wrote from a
 * TypeScript plan reads back to a different but equivalent plan; this pass
 * rewrites the equivalent shapes to the builders' ones, so that the same
 * pipeline has the same IR (and the same flow fingerprints) whichever way
 * it came in. Every rule keeps the rows and the schema exactly:
 *
 * - a projection that keeps every input column in order, replacing some and
 *   appending others, is a derive; one that keeps them all unchanged is its
 *   input;
 * - a projection over a projection whose struct columns it only takes fields
 *   of (`w.start`, `w.end` of `window(…) AS w`) reads the fields directly;
 * - a projection over an aggregate that only names (and keeps in order) the
 *   aggregate's outputs renames them in the aggregate;
 * - `t IS NOT NULL` right below a windowed aggregate on `t` is dropped: the
 *   windowed aggregate drops rows without a time itself;
 * - a watermark delay and a window's size and slide are spelled from their
 *   length (`1 minute` and `INTERVAL 1 MINUTES` are one delay);
 * - a CASE without an operand has no `operand` field;
 * - `CAST(35.1 AS DOUBLE)` (how the SQL compiler writes a DOUBLE literal)
 *   is the DOUBLE literal;
 * - with ANSI mode off, `try_divide(a, b)` is `a / b` and `try_mod(a, b)` is
 *   `a % b` (both give NULL for a zero divisor and cannot overflow).
 */
import type { ExprNode } from '../ir/expr.js';
import { exprChildren, mapChildren, substituteColumns } from '../ir/expr.js';
import type { PlanNode } from '../ir/plan.js';
import type { Schema } from '../ir/types.js';

const freeze = <T>(x: T): T => Object.freeze(x);

type Select = Extract<PlanNode, { kind: 'select' }>;
type Cols = readonly (readonly [string, ExprNode])[];

/** The plan with its inputs replaced by `f(input)`. */
function mapInputs(p: PlanNode, f: (c: PlanNode) => PlanNode): PlanNode {
  switch (p.kind) {
    case 'csv': case 'files': case 'rows': case 'read': case 'values': return p;
    case 'join': case 'asofJoin': {
      const input = f(p.input), right = f(p.right);
      return input === p.input && right === p.right ? p : freeze({ ...p, input, right });
    }
    case 'union': {
      const inputs = p.inputs.map(f);
      return inputs.every((x, i) => x === p.inputs[i]) ? p : freeze({ ...p, inputs: freeze(inputs) });
    }
    default: {
      const input = f(p.input);
      return input === p.input ? p : freeze({ ...p, input } as PlanNode);
    }
  }
}

/** A length of time in its largest whole unit (`10 minutes`). */
function durationText(us: number): string {
  const units: [number, string][] = [[86_400_000_000, 'day'], [3_600_000_000, 'hour'], [60_000_000, 'minute'], [1_000_000, 'second'], [1000, 'millisecond']];
  for (const [n, u] of units) if (us % n === 0) return `${us / n} ${u}${us / n === 1 ? '' : 's'}`;
  return `${us} microseconds`;
}

const TRY_OPERATORS: Readonly<Record<string, string>> = { try_divide: '/', try_mod: '%' };

/** An expression in canonical form (see the module comment). */
export function canonicalExpr(e: ExprNode, ansi = false): ExprNode {
  let x = mapChildren(e, (c) => canonicalExpr(c, ansi));
  if (!ansi && x.kind === 'call' && TRY_OPERATORS[x.fn] && x.args.length === 2) x = { ...x, fn: TRY_OPERATORS[x.fn] };
  if (x.kind === 'case' && (x.operand === null || x.operand === undefined) && 'operand' in x) {
    const { operand: _drop, ...rest } = x;
    x = rest as ExprNode;
  }
  // a DOUBLE literal written as a cast of a decimal (or of 'NaN', 'Infinity')
  if (x.kind === 'cast' && x.to === 'double' && !x.try && x.arg.kind === 'lit') {
    const { value, type } = x.arg;
    if (typeof value === 'string' && (type.startsWith('decimal') || (type === 'string' && /^(NaN|-?Infinity)$/.test(value)))) {
      return freeze({ kind: 'lit', value: Number(value), type: 'double' });
    }
  }
  // `named_struct(…).f` is the field's expression
  if (x.kind === 'call' && x.fn === 'get_field' && x.args.length === 2) {
    const [s, f] = x.args;
    if (s.kind === 'call' && s.fn === 'named_struct' && f.kind === 'lit' && typeof f.value === 'string') {
      for (let i = 0; i + 1 < s.args.length; i += 2) {
        const k = s.args[i];
        if (k.kind === 'lit' && typeof k.value === 'string' && k.value.toLowerCase() === f.value.toLowerCase()) return s.args[i + 1];
      }
    }
  }
  return freeze(x);
}

const isCol = (e: ExprNode, name: string) => e.kind === 'col' && e.name === name && !e.qualifier?.length;

function countRefs(cols: Cols, name: string): number {
  let n = 0;
  const walk = (e: ExprNode) => { if (e.kind === 'col' && e.name === name) n++; else for (const c of exprChildren(e)) walk(c); };
  for (const [, e] of cols) walk(e);
  return n;
}

function onlyUnderGetField(cols: Cols, name: string): boolean {
  let ok = true;
  const walk = (e: ExprNode, parentIsField: boolean) => {
    if (e.kind === 'col' && e.name === name && !parentIsField) ok = false;
    const field = e.kind === 'call' && e.fn === 'get_field';
    exprChildren(e).forEach((c, i) => walk(c, field && i === 0));
  };
  for (const [, e] of cols) walk(e, false);
  return ok;
}

/** The plan in the builders' shapes (see the module comment); `schemaOf` gives a plan's output schema. */
export function canonicalPlan(plan: PlanNode, schemaOf: (p: PlanNode) => Schema, ansi = false): PlanNode {
  const walk = (p0: PlanNode): PlanNode => {
    let p = mapInputs(p0, walk);
    if (p.kind === 'select' || p.kind === 'derive' || p.kind === 'window') {
      const columns = p.columns.map(([n, e]) => freeze([n, canonicalExpr(e, ansi)] as const));
      p = freeze({ ...p, columns: freeze(columns) });
    } else if (p.kind === 'filter') {
      p = freeze({ ...p, predicate: canonicalExpr(p.predicate, ansi) });
    } else if (p.kind === 'watermark') {
      p = freeze({ ...p, delayText: durationText(p.delayUs) });
    } else if (p.kind === 'aggregate') {
      if (p.window) p = freeze({ ...p, window: freeze({ ...p.window, sizeText: durationText(p.window.sizeUs), slideText: durationText(p.window.slideUs) }) });
      const input = p.input;
      const w = p.window;
      if (w && input.kind === 'filter' && input.predicate.kind === 'call' && input.predicate.fn === 'isnotnull' && isCol(input.predicate.args[0], w.timeColumn)) {
        p = freeze({ ...p, input: input.input });
      }
    }
    if (p.kind === 'select') p = simplifySelect(p, schemaOf);
    return p;
  };
  return walk(plan);
}

function simplifySelect(p0: Select, schemaOf: (p: PlanNode) => Schema): PlanNode {
  let p = p0;
  // a projection over a projection whose struct columns it only takes fields of
  if (p.input.kind === 'select') {
    const inner = p.input;
    const structs = inner.columns.filter(([, e]) => e.kind === 'call' && e.fn === 'named_struct');
    if (structs.length && structs.every(([n]) => onlyUnderGetField(p.columns, n)) && inner.columns.every(([n, e]) => e.kind === 'col' || (e.kind === 'call' && e.fn === 'named_struct') || countRefs(p.columns, n) <= 1)) {
      const byName = new Map(inner.columns.map(([n, e]) => [n, e]));
      const columns = p.columns.map(([n, e]) => freeze([n, canonicalExpr(substituteColumns(e, (c) => byName.get(c) ?? freeze({ kind: 'col', name: c })))] as const));
      p = freeze({ kind: 'select', input: inner.input, columns: freeze(columns) });
    }
  }
  // a projection that names an aggregate's outputs in order
  if (p.input.kind === 'aggregate') {
    const agg = p.input;
    const outs = [...(agg.window ? ['window_start', 'window_end'] : []), ...agg.keys.map(([n]) => n), ...agg.aggs.map(([n]) => n)];
    const renames = new Map<string, string>();
    const keyNames = new Set(agg.keys.map(([n]) => n));
    const ok = p.columns.length === outs.length && p.columns.every(([n, e], i) => {
      if (!(e.kind === 'col' && !e.qualifier?.length && e.name === outs[i])) return false;
      if (n === e.name) return true;
      if (keyNames.has(e.name) || i < (agg.window ? 2 : 0)) return false;
      renames.set(e.name, n);
      return true;
    });
    const taken = new Set(outs.filter((o) => !renames.has(o)));
    if (ok && [...renames.values()].every((n) => !taken.has(n))) {
      return freeze({ ...agg, aggs: freeze(agg.aggs.map(([n, a]) => freeze([renames.get(n) ?? n, a] as const))) });
    }
  }
  // a projection that keeps every input column in order: a derive (or nothing)
  let schema: Schema;
  try { schema = schemaOf(p.input); } catch { return p; }
  if (p.columns.length < schema.length) return p;
  const names = new Set<string>();
  for (const [n] of p.columns) { const k = n.toLowerCase(); if (names.has(k)) return p; names.add(k); }
  const changed: (readonly [string, ExprNode])[] = [];
  for (let i = 0; i < p.columns.length; i++) {
    const [n, e] = p.columns[i];
    if (i < schema.length) {
      if (n !== schema[i].name) return p;
      if (isCol(e, n)) continue;
    }
    changed.push(p.columns[i]);
  }
  if (!changed.length) return p.input;
  return freeze({ kind: 'derive', input: p.input, columns: freeze(changed) });
}
