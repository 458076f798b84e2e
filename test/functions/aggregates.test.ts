/**
 * Aggregates: each registry aggregate computed by the engine's aggregate
 * operator over batches equals DuckDB running the compiler's DuckDB spelling
 * on the same rows (where the registry says DuckDB is exact); the documented
 * Spark examples hold; incremental aggregates' add/remove sequences equal a
 * recompute over the remaining rows; state survives save/load.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { batchFromRows, batchToRows, decimalScale, type Batch, type DecimalColumn } from '../../engine/batch.js';
import { decimalText } from '../../engine/expr/cast.js';
import type { AggNode, ExprNode } from '../../engine/ir/expr.js';
import type { Schema, Value } from '../../engine/ir/types.js';
import { AggregateOperator } from '../../engine/operators/aggregate.js';
import { parseExpression } from '../../engine/parse/expr-parser.js';
import { aggregateSupport, allAggregates, resolveAggregate } from '../../engine/functions/aggregates.js';
import { duckdb } from '../../engine/sql/duckdb.js';
import { ExprCompiler } from '../../engine/sql/expr.js';
import { aggSql } from '../../engine/sql/python.js';
import { canonical } from './harness.js';

function aggOf(sql: string): AggNode {
  const e = parseExpression(sql);
  if (e.kind !== 'aggregate') throw new Error(`${sql} is not an aggregate`);
  return e.agg;
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

const SCHEMA: Schema = [
  { name: 'g', type: 'string' }, { name: 'x', type: 'double' }, { name: 'i', type: 'int' }, { name: 'b', type: 'boolean' },
  { name: 's', type: 'string' }, { name: 'd', type: 'decimal(9,2)' },
];

function randomRows(n: number, seed: number): Record<string, Value>[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, k) => ({
    g: ['a', 'b', 'c', null][Math.floor(r() * 4)],
    x: r() < 0.1 ? null : Math.round(r() * 1000) / 10,
    i: r() < 0.1 ? null : Math.floor(r() * 100) - 20,
    b: r() < 0.1 ? null : r() < 0.5,
    s: r() < 0.1 ? null : ['x', 'y', 'é', 'zz'][Math.floor(r() * 4)],
    d: r() < 0.1 ? null : (Math.floor(r() * 100000) / 100 - 300).toFixed(2),
    k,
  }));
}

/** The aggregate over rows fed in `chunks` batches, grouped by g: rows as { g, v } sorted by g. */
function engineResult(sql: string, rows: Record<string, Value>[], chunks: number, filter?: string): Record<string, unknown>[] {
  let agg = aggOf(sql);
  if (filter) agg = { ...agg, filter: parseExpression(filter) };
  const op = new AggregateOperator(SCHEMA, [['g', { kind: 'col', name: 'g' }]], [['v', agg]], null);
  const size = Math.ceil(rows.length / chunks);
  for (let k = 0; k < rows.length; k += size) op.add(batchFromRows(SCHEMA, rows.slice(k, k + size)));
  const t = resolveAggregate(agg, SCHEMA).returns;
  return batchToRows(op.result()).map((r) => ({ g: r.g, v: t.startsWith('decimal') ? decimalOf(op.result(), String(r.g)) : canonical(r.v, t) }));
}

function decimalOf(b: Batch, g: string): unknown {
  const rows = batchToRows(b);
  const i = rows.findIndex((r) => String(r.g) === g);
  const c = b.columns[1] as { data: BigInt64Array | bigint[]; nulls: Uint8Array | null; type: string };
  if (c.nulls && c.nulls[i]) return null;
  const scale = Number(/,(\d+)\)/.exec(c.type)![1]);
  const u = BigInt(c.data[i]);
  const neg = u < 0n;
  let s = (neg ? -u : u).toString().padStart(scale + 1, '0');
  s = scale ? `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}` : s;
  return (neg ? '-' : '') + s;
}

const CASES: { sql: string; filter?: string; tol?: number }[] = [
  { sql: 'count(*)' }, { sql: 'count(x)' }, { sql: 'count(DISTINCT s)' }, { sql: 'sum(i)' }, { sql: 'sum(x)', tol: 1e-9 }, { sql: 'avg(x)', tol: 1e-9 },
  { sql: 'sum(d)' }, { sql: 'avg(d)' }, { sql: 'min(d)' }, { sql: 'max(s)' }, { sql: 'min(x)' }, { sql: 'count_if(b)' }, { sql: 'bool_and(b)' }, { sql: 'bool_or(b)' },
  { sql: 'stddev_samp(x)', tol: 1e-9 }, { sql: 'stddev_pop(x)', tol: 1e-9 }, { sql: 'var_samp(i)', tol: 1e-9 }, { sql: 'var_pop(x)', tol: 1e-9 }, { sql: 'stddev(x)', tol: 1e-9 },
  { sql: 'median(x)', tol: 1e-9 }, { sql: 'percentile(i, 0.3)', tol: 1e-9 }, { sql: 'approx_count_distinct(s)' },
  { sql: 'sum(x)', filter: 'i > 10', tol: 1e-9 }, { sql: 'count(*)', filter: 'b' }, { sql: 'count(DISTINCT s)', filter: 'x > 20' }, { sql: 'max(i)', filter: 's = \'é\'' },
];

describe('aggregates: the engine equals DuckDB (batched input, grouped, with FILTER)', () => {
  let db: DuckDBInstance;
  let conn: DuckDBConnection;
  const rows = randomRows(600, 11);
  beforeAll(async () => {
    db = await DuckDBInstance.create(':memory:');
    conn = await db.connect();
    await conn.run('CREATE TABLE t (g VARCHAR, x DOUBLE, i INTEGER, b BOOLEAN, s VARCHAR, d DECIMAL(9,2), k INTEGER)');
    const lit = (v: Value) => (v === null ? 'NULL' : typeof v === 'string' ? `'${v}'` : String(v));
    await conn.run(`INSERT INTO t VALUES ${rows.map((r) => `(${[r.g, r.x, r.i, r.b, r.s, r.d, r.k].map(lit).join(', ')})`).join(', ')}`);
  });
  afterAll(() => conn?.closeSync());
  for (const c of CASES) {
    const agg = aggOf(c.sql);
    const def = resolveAggregate(agg, SCHEMA).def;
    if (aggregateSupport(def, 'duckdb').kind !== 'exact') continue;
    it(`${c.sql}${c.filter ? ` FILTER (WHERE ${c.filter})` : ''}`, async () => {
      const compiler = new ExprCompiler({ dialect: duckdb, schema: SCHEMA, ref: (k) => k, table: 't' });
      const sql = aggSql(duckdb, compiler, c.filter ? { ...agg, filter: parseExpression(c.filter) } : agg);
      const duck = (await conn.runAndReadAll(`SELECT g, ${sql} AS v FROM t GROUP BY g ORDER BY g NULLS FIRST`)).getRowObjectsJS();
      const dv = (v: unknown) => (v === null ? null : typeof v === 'bigint' ? Number(v) : typeof v === 'object' && v !== null && 'toString' in v ? String(v) : v);
      for (const chunks of [1, 7]) {
        const mine = engineResult(c.sql, rows, chunks, c.filter);
        expect(mine.map((r) => r.g)).toEqual(duck.map((r) => r.g));
        mine.forEach((r, k) => {
          const want = dv(duck[k].v);
          if (typeof r.v === 'number' && typeof want === 'number') expect(Math.abs(r.v - want)).toBeLessThanOrEqual((c.tol ?? 0) * Math.max(1, Math.abs(want)));
          else if (typeof r.v === 'string' && typeof want === 'number') expect(Number(r.v)).toBeCloseTo(want, 6);
          else expect(r.v, `${c.sql} group ${r.g}`).toEqual(want);
        });
      }
    });
  }
});

describe('aggregates: Spark documentation examples', () => {
  const one = (sql: string, schema: Schema, rows: Record<string, Value>[]) => {
    const agg = aggOf(sql);
    const op = new AggregateOperator(schema, [], [['v', agg]], null);
    op.add(batchFromRows(schema, rows));
    return batchToRows(op.result())[0].v;
  };
  const col = (vals: Value[], type = 'int') => ({ schema: [{ name: 'col', type }] as Schema, rows: vals.map((col) => ({ col })) });
  it.each([
    ['count_if(col % 2 = 0)', col([null, 0, 1, 2, 3]), 2],
    ['sum(col)', col([5, 10, 15]), 30],
    ['avg(col)', col([1, 2, 3]), 2],
    ['stddev_samp(col)', col([1, 2, 3]), 1],
    ['var_pop(col)', col([1, 2, 3]), 2 / 3],
    ['var_samp(col)', col([1]), null],
    ['stddev_pop(col)', col([7]), 0],
    ['median(col)', col([0, 10]), 5],
    ['percentile(col, 0.3)', col([0, 10]), 3],
    ['bool_and(col)', col([true, false, true], 'boolean'), false],
    ['bool_or(col)', col([null, false], 'boolean'), false],
    ['bool_and(col)', col([null, null], 'boolean'), null],
    ['approx_count_distinct(col)', col([1, 1, 2, 2, 3]), 3],
    ['collect_list(col)', col([1, 2, null, 1]), [1, 2, 1]],
    ['collect_set(col)', col([1, 2, null, 1]), [1, 2]],
    ['first(col)', col([null, 5, 20]), null],
    ['first(col, true)', col([null, 5, 20]), 5],
    ['last(col)', col([10, 5, 20]), 20],
    ['count(*)', col([]), 0],
    ['sum(col)', col([]), null],
  ] as [string, { schema: Schema; rows: Record<string, Value>[] }, Value][])('%s', (sql, input, want) => {
    const got = one(sql, input.schema, input.rows);
    if (typeof want === 'number' && typeof got === 'number') expect(got).toBeCloseTo(want, 12);
    else expect(got).toEqual(want);
  });

  it('min_by / max_by pick by the ordering column', () => {
    const schema: Schema = [{ name: 'x', type: 'string' }, { name: 'y', type: 'int' }];
    const rows = [{ x: 'a', y: 10 }, { x: 'b', y: 50 }, { x: 'c', y: 20 }, { x: 'd', y: null }];
    const run = (sql: string) => { const op = new AggregateOperator(schema, [], [['v', aggOf(sql)]], null); op.add(batchFromRows(schema, rows)); return batchToRows(op.result())[0].v; };
    expect(run('min_by(x, y)')).toBe('a');
    expect(run('max_by(x, y)')).toBe('b');
  });

  it('sum and avg of decimals keep the exact digits, with Spark\'s result types', () => {
    const schema: Schema = [{ name: 'd', type: 'decimal(5,2)' }];
    const agg = (sql: string) => resolveAggregate(aggOf(sql), schema).returns;
    expect(agg('sum(d)')).toBe('decimal(15,2)');
    expect(agg('avg(d)')).toBe('decimal(9,6)');
    const op = new AggregateOperator(schema, [], [['s', aggOf('sum(d)')], ['a', aggOf('avg(d)')]], null);
    op.add(batchFromRows(schema, [{ d: '0.10' }, { d: '0.20' }, { d: '0.05' }]));
    const b = op.result();
    const text = (j: number) => { const c = b.columns[j] as DecimalColumn; return decimalText(BigInt(c.data[0]), decimalScale(c.type)); };
    expect(text(0)).toBe('0.35');
    expect(text(1)).toBe('0.116667');
  });
});

describe('aggregates: add and remove sequences equal a recompute', () => {
  const schema: Schema = [{ name: 'x', type: 'double' }, { name: 'b', type: 'boolean' }, { name: 'd', type: 'decimal(9,2)' }];
  for (const sql of ['count(x)', 'sum(x)', 'avg(x)', 'count_if(b)', 'bool_and(b)', 'bool_or(b)', 'var_samp(x)', 'stddev_pop(x)', 'sum(d)', 'avg(d)', 'collect_list(x)', 'median(x)']) {
    it(sql, () => {
      const agg = aggOf(sql);
      const r = resolveAggregate(agg, schema);
      const fn = r.def.make(r.argTypes, r.returns, false, r.literals);
      if (!fn.remove) return;
      const rand = rng(3);
      const rows = Array.from({ length: 300 }, () => ({ x: rand() < 0.1 ? null : Math.round(rand() * 1000) / 10, b: rand() < 0.1 ? null : rand() < 0.5, d: (Math.floor(rand() * 10000) / 100).toFixed(2) }));
      const batch = batchFromRows(schema, rows);
      const col = batch.columns[schema.findIndex((f) => f.name === (agg.args[0] as Extract<ExprNode, { kind: 'col' }>).name)];
      const state = fn.init();
      const live: number[] = [];
      for (let step = 0; step < 600; step++) {
        if (live.length > 0 && rand() < 0.4) {
          const k = Math.floor(rand() * live.length);
          fn.remove!(state, col, live[k]);
          live.splice(k, 1);
        } else {
          const i = Math.floor(rand() * rows.length);
          fn.add(state, col, i);
          live.push(i);
        }
        if (step % 50 === 49) {
          const fresh = fn.init();
          for (const i of live) fn.add(fresh, col, i);
          const a = fn.value(state), b = fn.value(fresh);
          if (typeof a === 'number' && typeof b === 'number') expect(a).toBeCloseTo(b, 6);
          else if (Array.isArray(a) && Array.isArray(b)) expect([...a].sort()).toEqual([...b].sort());
          else expect(a).toEqual(b);
          // and the state survives a checkpoint
          expect(fn.value(fn.load(structuredClone(fn.save(state))))).toEqual(a);
        }
      }
    });
  }
});

describe('the aggregate registry', () => {
  it('says for each aggregate whether it is incremental', () => {
    for (const a of allAggregates()) expect(typeof a.incremental).toBe('boolean');
    expect(allAggregates().filter((a) => !a.incremental).map((a) => a.name).sort()).toEqual(['collect_list', 'collect_set', 'median', 'percentile']);
  });
});
