/**
 * Common subexpressions of the expressions compiled together (one
 * expression, or every column of a projection): structurally equal subtrees
 * get one id, and a subtree met more than once is evaluated once per batch.
 *
 * A select built in TypeScript reuses expressions freely: the risk layer's
 * "top feature" picks compare each of 15 masked contributions with
 * `greatest(...)` of all 15, so the `greatest` appears 15 times in one CASE and
 * each masked contribution twice, and the probability repeats every
 * contribution's product. Evaluated as a tree, a batch of 2,000 closing windows
 * cost ~500 ms; shared, each distinct subtree runs once.
 *
 * What is shared: registry calls, CASE, CAST and literals (a literal is a
 * column of n copies). Not shared: column references (free), user functions
 * (their code may not be deterministic) and anything holding a lambda (its
 * body runs over other batches) or a user function. Every registry function is
 * deterministic for a given batch (`current_timestamp()` reads the batch's
 * time), so computing a repeated subtree once gives what computing it twice
 * would, errors included (the first failing row is the same).
 */
import type { ExprNode } from '../ir/expr.js';
import type { Batch, Column } from '../batch.js';
import type { Value } from '../ir/types.js';

/** A literal's value as text that tells apart every value (-0 and 0, NaN and NULL, 1 and '1'). */
function valueKey(v: Value): string {
  return JSON.stringify(v, function (this: unknown, _k: string, x: unknown) {
    if (typeof x === 'number') return `n${Object.is(x, -0) ? '-0' : String(x)}`;
    if (typeof x === 'string') return `s${x}`;
    if (typeof x === 'bigint') return `b${x}`;
    if (x instanceof Map) return { m: [...x.entries()] };
    return x;
  });
}

export class SharedExprs {
  /** The id of each node's structure. */
  private readonly ids = new WeakMap<ExprNode, number>();
  private readonly byKey = new Map<string, number>();
  private readonly uses: number[] = [];
  /** The evaluators of shared ids, and their result slots (each valid for the batch it was computed from). */
  private readonly compiled = new Map<number, (b: Batch) => Column>();
  private readonly slots: { b: Batch | null; c: Column | null }[] = [];

  /** Counts the subtrees of the expressions to be compiled together. */
  constructor(roots: readonly ExprNode[]) {
    for (const e of roots) this.visit(e);
  }

  private visit(e: ExprNode): number {
    let key: string | null;
    switch (e.kind) {
      case 'col': key = `c${JSON.stringify([e.name, e.qualifier ?? []])}`; break;
      case 'lit': key = `l${e.type}:${valueKey(e.value)}`; break;
      case 'call': {
        const args = e.args.map((a) => this.visit(a));
        key = args.includes(-1) ? null : `f${e.fn}(${args.join(',')})`;
        break;
      }
      case 'cast': {
        const a = this.visit(e.arg);
        key = a < 0 ? null : `x${e.to}${e.try ? '?' : ''}(${a})`;
        break;
      }
      case 'case': {
        const parts = [e.operand ? this.visit(e.operand) : -2];
        for (const br of e.branches) parts.push(this.visit(br.when), this.visit(br.then));
        parts.push(e.otherwise ? this.visit(e.otherwise) : -2);
        key = parts.includes(-1) ? null : `k(${parts.join(',')})`;
        break;
      }
      default:
        // lambdas, lambda variables, user functions (and misplaced aggregates, which fail later)
        return -1;
    }
    if (key === null) return -1;
    let id = this.byKey.get(key);
    if (id === undefined) {
      id = this.uses.length;
      this.byKey.set(key, id);
      this.uses.push(0);
    }
    this.uses[id]++;
    this.ids.set(e, id);
    return id;
  }

  /**
   * The evaluator of `e`: `make()`'s, computing once per batch when `e`
   * occurs more than once (then compiled once too). Column references are
   * never wrapped.
   */
  evaluator(e: ExprNode, make: () => (b: Batch) => Column): (b: Batch) => Column {
    const id = this.ids.get(e);
    if (id === undefined || this.uses[id] < 2 || e.kind === 'col') return make();
    const known = this.compiled.get(id);
    if (known) return known;
    const f = make();
    const s = { b: null as Batch | null, c: null as Column | null };
    this.slots.push(s);
    const ev = (b: Batch): Column => {
      if (s.b === b) return s.c!;
      const c = f(b);
      s.b = b;
      s.c = c;
      return c;
    };
    this.compiled.set(id, ev);
    return ev;
  }

  /** Forgets the results (a batch and its columns are not kept past its evaluation). */
  release(): void {
    for (const s of this.slots) { s.b = null; s.c = null; }
  }

  /** Whether any evaluator computes once per batch (then `release` must follow each evaluation). */
  get used(): boolean {
    return this.slots.length > 0;
  }
}
