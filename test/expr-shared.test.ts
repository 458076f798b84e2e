/**
 * Common subexpressions (engine/expr/shared.ts): expressions compiled together
 * compute a repeated subtree once per batch.
 *
 * - Random expressions built with many repeated subtrees (literals that differ
 *   only in type, sign of zero, NaN or NULL; CASE; casts; string functions)
 *   give the same columns shared and not shared, over several batches in turn.
 * - A repeated subtree's kernel runs once per batch, across the columns of a
 *   projection too; a new batch computes it again.
 * - An ANSI failure inside a repeated subtree fails as it does unshared.
 */
import { describe, expect, it, vi } from 'vitest';
import { batchFromRows, batchToRows, type Batch } from '../engine/batch.js';
import { col, fn, lit, when, type Expr } from '../engine/index.js';
import { compileExprs, DEFAULT_ENV } from '../engine/expr/eval.js';
import { lookupFunction } from '../engine/functions/registry.js';
import { ProjectOperator } from '../engine/operators/project.js';
import type { ExprNode } from '../engine/ir/expr.js';
import type { Schema } from '../engine/ir/types.js';
import { rng } from './helpers/random.js';

const SCHEMA: Schema = [
  { name: 'a', type: 'double' },
  { name: 'b', type: 'int' },
  { name: 's', type: 'string' },
];

function batch(seed: number, n: number): Batch {
  const r = rng(seed);
  const rows = [];
  for (let i = 0; i < n; i++) {
    rows.push({
      a: r() < 0.1 ? null : r() < 0.1 ? 0 : r() < 0.05 ? -0 : r() < 0.05 ? NaN : Math.round((r() - 0.5) * 200) / 8,
      b: r() < 0.1 ? null : Math.floor((r() - 0.5) * 40),
      s: r() < 0.1 ? null : ['x', 'Zoë', '1', '', '東京', 'abc'][Math.floor(r() * 6)],
    });
  }
  return batchFromRows(SCHEMA, rows);
}

/** Random expressions over a small pool of subtrees, so that the same subtrees come back. */
function randomExprs(seed: number, count: number): ExprNode[] {
  const r = rng(seed);
  const pick = <V>(xs: readonly V[]) => xs[Math.floor(r() * xs.length)];
  const leaves: (() => Expr)[] = [
    () => col('a'), () => col('b').cast('double'), () => lit(0.0), () => lit(-0.0), () => lit(NaN), () => lit(null).cast('double'),
    () => lit(1), () => lit(1.0), () => col('s').cast('double'), () => fn('length', col('s')).cast('double'),
  ];
  const pool: Expr[] = [];
  const num = (depth: number): Expr => {
    if (pool.length && r() < 0.35) return pick(pool);
    let e: Expr;
    if (depth <= 0 || r() < 0.3) e = pick(leaves)().cast('double');
    else {
      const k = r();
      const x = num(depth - 1), y = num(depth - 1);
      if (k < 0.2) e = x.plus(y);
      else if (k < 0.35) e = x.times(y);
      else if (k < 0.5) e = lit(1.0).div(x);
      else if (k < 0.65) e = fn('greatest', x, y, num(depth - 1));
      else if (k < 0.8) e = when(x.gt(y), x).when(col('s').eq(lit(pick(['x', '1', 'abc']))), y).otherwise(lit(-1.0));
      else if (k < 0.9) e = fn('coalesce', x, y);
      else e = fn('length', fn('concat', col('s'), x.cast('string'))).cast('double');
    }
    pool.push(e);
    return e;
  };
  return Array.from({ length: count }, () => num(4).node);
}

const rowsOf = (schema: Schema, cols: ReturnType<ReturnType<typeof compileExprs>>, n: number) =>
  batchToRows({ schema, columns: cols, length: n });

describe('shared subexpressions', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`give the same columns as computing every subtree (seed ${seed})`, () => {
      const es = randomExprs(seed, 6);
      const schema: Schema = es.map((_, k) => ({ name: `e${k}`, type: 'double' }));
      const shared = compileExprs(es, SCHEMA, DEFAULT_ENV);
      const plain = compileExprs(es, SCHEMA, DEFAULT_ENV, { share: false });
      for (const b of [batch(seed, 50), batch(seed + 100, 7), batch(seed, 50)]) {
        const got = rowsOf(schema, shared(b), b.length), want = rowsOf(schema, plain(b), b.length);
        // NaN and -0 compare as themselves
        expect(got.map((r) => Object.values(r).map((v) => Object.is(v, -0) ? '-0' : String(v)))).toEqual(want.map((r) => Object.values(r).map((v) => Object.is(v, -0) ? '-0' : String(v))));
      }
    });
  }

  it('computes a repeated subtree once per batch, across a projection\'s columns', () => {
    const entry = lookupFunction('greatest')!;
    const spy = vi.spyOn(entry, 'kernel');
    try {
      const top = fn('greatest', col('a'), col('b').cast('double'));
      const pick = when(col('a').eq(top), lit('a')).when(col('b').cast('double').eq(top), lit('b')).otherwise(lit(null).cast('string'));
      const op = new ProjectOperator(SCHEMA, [['top', top.node], ['pick', pick.node], ['again', top.plus(lit(1.0)).node]], 'select');
      const b1 = batch(9, 20), b2 = batch(10, 20);
      const out1 = op.process(b1);
      expect(spy).toHaveBeenCalledTimes(1);
      const out2 = op.process(b2);
      expect(spy).toHaveBeenCalledTimes(2);
      // the values are the batch's own
      const plain = new ProjectOperator(SCHEMA, [['top', fn('greatest', col('a'), col('b').cast('double')).node]], 'select');
      spy.mockClear();
      expect(batchToRows(out1).map((r) => r.top)).toEqual(batchToRows(plain.process(b1)).map((r) => r.top));
      expect(batchToRows(out2).map((r) => r.top)).toEqual(batchToRows(plain.process(b2)).map((r) => r.top));
      const rows = batchToRows(out2);
      for (const r of rows) if (r.top !== null) expect(r.again).toBe((r.top as number) + 1);
    } finally {
      spy.mockRestore();
    }
  });

  it('keeps literals that differ only in type, zero sign, NaN or NULL apart', () => {
    const es = [
      lit(0, 'double').cast('string'), lit(-0, 'double').cast('string'), fn('coalesce', lit(NaN), lit(2, 'double')).cast('string'),
      fn('coalesce', lit(null).cast('double'), lit(2, 'double')).cast('string'), lit(1).cast('string'), lit(1, 'double').cast('string'), lit('1'),
    ].map((e) => e.node);
    const b = batch(1, 1);
    const text = (cols: ReturnType<ReturnType<typeof compileExprs>>) => cols.map((c) => String(batchToRows({ schema: [{ name: 'v', type: 'string' }], columns: [c], length: 1 })[0].v));
    const got = text(compileExprs(es, SCHEMA, DEFAULT_ENV)(b));
    expect(got).toEqual(text(compileExprs(es, SCHEMA, DEFAULT_ENV, { share: false })(b)));
    expect(got).toEqual(['0.0', '-0.0', 'NaN', '2.0', '1', '1.0', '1']);
  });

  it('fails in ANSI mode as the unshared evaluation does', () => {
    const bad = col('s').cast('int');
    const es = [bad.plus(lit(1)).node, bad.times(lit(2)).node];
    const env = { ...DEFAULT_ENV, ansi: true };
    const b = batchFromRows(SCHEMA, [{ a: 1, b: 1, s: '7' }, { a: 1, b: 1, s: 'seven' }]);
    const err = (f: () => unknown) => { try { f(); return null; } catch (e) { return (e as { code?: string }).code ?? String(e); } };
    const shared = err(() => compileExprs(es, SCHEMA, env)(b));
    expect(shared).not.toBeNull();
    expect(shared).toBe(err(() => compileExprs(es, SCHEMA, env, { share: false })(b)));
  });
});
