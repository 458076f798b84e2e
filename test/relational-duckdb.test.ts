/**
 * The relational operators against DuckDB: each pipeline runs in the engine
 * and, compiled to the DuckDB dialect, in DuckDB over the same input; every
 * table must be equal as a multiset (doubles within 1e-9). Inputs carry the
 * edges: NULL keys and values, ties, empty and NULL collections, duplicate
 * rows, missing columns.
 */
import { describe, expect, it, afterAll } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runPipeline, type PipelineRun } from '../engine/testing.js';
import { buildGraph } from '../engine/graph/graph.js';
import { compilePipeline } from '../engine/sql/index.js';
import {
  definePipeline, materializedView, streamingTable, readCsv, stream, read, col, lit, count, sum, avg, min, max, countDistinct,
  over, rowNumber, rank, denseRank, percentRank, cumeDist, ntile, lag, lead, firstValue, lastValue, nthValue,
  asc, desc, descNullsFirst, ascNullsLast, values, explode, planSelect, Rel, type Pipeline,
} from '../engine/index.js';
import { Duck, dateString, multisetEqual, type PlainRow } from './helpers/duck.js';
import { parseExpression } from '../engine/parse/expr-parser.js';
import type { WindowOver } from '../engine/ir/expr.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'localdlt-rel-duck-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Values sorted with NULL first (JS sort puts null among strings by its text). */
function sorted(xs: unknown[]): unknown[] {
  return [...xs].sort((a, b) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : String(a) < String(b) ? -1 : 1));
}

function plain(p: Pipeline, run: PipelineRun, table: string): PlainRow[] {
  const g = buildGraph(p).datasets.get(table)!;
  const dates = g.schema.filter((f) => f.type === 'date').map((f) => f.name);
  return run.rows(table).map((r) => {
    const o: PlainRow = { ...r };
    for (const d of dates) if (typeof o[d] === 'number') o[d] = dateString(o[d] as number);
    for (const [k, v] of Object.entries(o)) if (v instanceof Map) o[k] = Object.fromEntries(v);
    return o;
  });
}

/** Runs the pipeline in the engine and in DuckDB; every table must match. Returns the engine's run. */
async function agree(p: Pipeline, input = dir): Promise<PipelineRun> {
  const run = await runPipeline(p, { input });
  expect(run.failure).toBeNull();
  const { files, main } = compilePipeline(p, { dialect: 'duckdb', input });
  const db = await Duck.open();
  try {
    await db.run(files[main[0]]);
    const graph = buildGraph(p);
    for (const name of graph.order) {
      const g = graph.datasets.get(name)!;
      // maps come back as their entries ({key, value} structs), turned into objects below
      const cols = g.schema.map((f) => (f.type.startsWith('map<') ? `map_entries("${f.name}") AS "${f.name}"` : `"${f.name}"`));
      const actual = await db.all(`SELECT ${cols.join(', ')} FROM "${name}"`);
      const expected = plain(p, run, name);
      expect(actual.length, `${name}: row count`).toBe(expected.length);
      if (actual.length) expect(Object.keys(actual[0]), `${name}: columns`).toEqual(g.schema.map((f) => f.name));
      const maps = new Set(g.schema.filter((f) => f.type.startsWith('map<')).map((f) => f.name));
      multisetEqual(actual.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, maps.has(k) ? mapPlain(v) : v]))), expected, { label: name });
    }
  } finally { db.close(); }
  return run;
}

/** A MAP read as its entries (a list of {key, value}) as an object, as the engine's maps are compared. */
function mapPlain(v: unknown): unknown {
  return Array.isArray(v) ? Object.fromEntries(v.map((e: { key: string; value: unknown }) => [e.key, e.value])) : v;
}

// ---------------------------------------------------------------- window functions

describe('window functions agree with DuckDB', () => {
  // g: partition (NULL one included); o: order key with ties and NULLs; u: unique order; x: values with NULLs
  const rows = [
    ['a', 1, 1, 10.5], ['a', 1, 2, null], ['a', 2, 3, 3.0], ['a', null, 4, 7.25], ['a', 3, 5, null], ['a', 3, 6, 1.0], ['a', 5, 7, 2.0],
    ['b', 2, 8, 4.0], ['b', 2, 9, 4.0], ['b', null, 10, null], ['b', null, 11, 6.0],
    [null, 4, 12, 8.0], [null, 1, 13, null],
    ['c', 9, 14, 9.0],
  ];
  const src = materializedView('w_src', { query: values({ g: 'string', o: 'int', u: 'int', x: 'double' }, rows) });

  it('ranking functions over ties and NULLs (ascending, descending, NULLS placement)', async () => {
    const v = materializedView('ranks', {
      query: read(src).select({
        g: 'g', o: 'o', u: 'u',
        rk: over(rank(), { partitionBy: 'g', orderBy: 'o' }),
        drk: over(denseRank(), { partitionBy: 'g', orderBy: desc('o') }),
        prk: over(percentRank(), { partitionBy: 'g', orderBy: ascNullsLast('o') }),
        cd: over(cumeDist(), { partitionBy: 'g', orderBy: descNullsFirst('o') }),
        rn: over(rowNumber(), { partitionBy: 'g', orderBy: ['o', 'u'] }),
        nt3: over(ntile(3), { partitionBy: 'g', orderBy: 'u' }),
        nt5: over(ntile(5), { orderBy: desc('u') }),
        global: over(rank(), { orderBy: [desc('o'), 'g'] }),
      }),
    });
    const run = await agree(definePipeline([src, v], { name: 'ranks' }));
    expect(run.rows('ranks').find((r) => r.u === 4)).toMatchObject({ rk: 1, rn: 1 });
  }, 60_000);

  it('lag, lead, first_value, last_value, nth_value (defaults, offsets, IGNORE NULLS)', async () => {
    const v = materializedView('offsets', {
      query: read(src).select({
        u: 'u',
        lg: over(lag('x'), { partitionBy: 'g', orderBy: 'u' }),
        lg2: over(lag('x', 2, -1), { partitionBy: 'g', orderBy: 'u' }),
        ld: over(lead('x'), { partitionBy: 'g', orderBy: 'u' }),
        ld3: over(lead('o', 3, 0), { orderBy: desc('u') }),
        lgi: over(lag('x', 1, null, { ignoreNulls: true }), { partitionBy: 'g', orderBy: 'u' }),
        ldi: over(lead('x', 2, null, { ignoreNulls: true }), { partitionBy: 'g', orderBy: 'u' }),
        fv: over(firstValue('x'), { partitionBy: 'g', orderBy: 'u' }),
        fvi: over(firstValue('x', true), { partitionBy: 'g', orderBy: 'u' }),
        lv: over(lastValue('x'), { partitionBy: 'g', orderBy: 'u' }),
        lvw: over(lastValue('x', true), { partitionBy: 'g', orderBy: 'u', rows: ['unboundedPreceding', 'unboundedFollowing'] }),
        nv: over(nthValue('x', 2), { partitionBy: 'g', orderBy: 'u' }),
        nvi: over(nthValue('x', 2, true), { partitionBy: 'g', orderBy: 'u', rows: [-1, 2] }),
        whole: over(firstValue('u'), { partitionBy: 'g' }),
      }),
    });
    await agree(definePipeline([src, v], { name: 'offsets' }));
  }, 60_000);

  it('aggregates over frames: default RANGE with ties, ROWS sliding, cumulative, reverse, RANGE offsets with NULL keys', async () => {
    const v = materializedView('frames', {
      query: read(src).select({
        u: 'u',
        run_sum: over(sum('x'), { partitionBy: 'g', orderBy: 'o' }),
        run_cnt: over(count(), { partitionBy: 'g', orderBy: 'o' }),
        slide_avg: over(avg('x'), { partitionBy: 'g', orderBy: 'u', rows: [-1, 1] }),
        slide_min: over(min('x'), { partitionBy: 'g', orderBy: 'u', rows: [-2, 0] }),
        slide_max: over(max('o'), { orderBy: 'u', rows: [1, 3] }),
        lead_rows: over(sum('u'), { orderBy: 'u', rows: [-3, -1] }),
        cum: over(count('x'), { partitionBy: 'g', orderBy: 'u', rows: ['unboundedPreceding', 'currentRow'] }),
        rev: over(sum('x'), { partitionBy: 'g', orderBy: 'u', rows: ['currentRow', 'unboundedFollowing'] }),
        rng: over(sum('u'), { partitionBy: 'g', orderBy: 'o', range: [-1, 1] }),
        rng_desc: over(count(), { partitionBy: 'g', orderBy: desc('o'), range: [-2, 0] }),
        whole: over(sum('x'), { partitionBy: 'g' }),
        all_rows: over(count(), {}),
        mx: over(max('x'), { partitionBy: 'g', orderBy: 'o' }),
      }),
    });
    await agree(definePipeline([src, v], { name: 'frames' }));
  }, 60_000);

  it('RANGE frames over dates and timestamps, and QUALIFY (top 2 per group) with a CSV source', async () => {
    fs.writeFileSync(path.join(dir, 'ev_1.csv'), [
      'id,who,at,d,amount',
      '1,ann,2024-01-01T10:00:00Z,2024-01-01,10',
      '2,ann,2024-01-01T10:30:00Z,2024-01-02,20',
      '3,ann,2024-01-01T12:00:00Z,2024-01-04,5',
      '4,bob,2024-01-01T09:00:00Z,2024-01-01,7',
      '5,bob,,2024-01-03,3',
      '6,bob,2024-01-02T09:00:00Z,,8',
      '7,cy,2024-01-01T00:00:00Z,2024-01-01,',
    ].join('\n') + '\n');
    const ev = streamingTable('ev', { query: readCsv({ glob: 'ev_*.csv', schema: { id: 'int', who: 'string', at: 'timestamp', d: 'date', amount: 'int' }, metadataColumns: false }) });
    const w = materializedView('ev_windows', {
      query: read(ev).select({
        id: 'id', who: 'who',
        last_hour: over(count(), { partitionBy: 'who', orderBy: 'at', range: [{ preceding: '1 hour' }, 'currentRow'] }),
        two_days: over(sum('amount'), { partitionBy: 'who', orderBy: 'd', range: [-1, 'currentRow'] }),
        rn: over(rowNumber(), { partitionBy: 'who', orderBy: [desc('amount'), 'id'] }),
      }),
    });
    const top = materializedView('ev_top', { query: read(ev).qualify(over(rowNumber(), { partitionBy: 'who', orderBy: [desc('amount'), 'id'] }).le(2)).select('id', 'who', 'amount') });
    const run = await agree(definePipeline([ev, w, top], { name: 'evw' }));
    expect(run.rows('ev_top').map((r) => r.id).sort()).toEqual([1, 2, 4, 6, 7]);
  }, 60_000);
});

// ---------------------------------------------------------------- joins

describe('joins agree with DuckDB', () => {
  const left = materializedView('jl', { query: values({ id: 'int', k: 'string', v: 'int' }, [[1, 'a', 1], [2, 'a', 5], [3, 'b', 2], [4, null, 3], [5, 'c', null], [6, 'b', 9]]) });
  const right = materializedView('jr', { query: values({ k: 'string', w: 'int', tag: 'string' }, [['a', 2, 'r1'], ['a', 6, 'r2'], ['b', 2, 'r3'], [null, 3, 'r4'], ['d', 1, 'r5']]) });
  const kinds = ['inner', 'left', 'right', 'full', 'left_semi', 'left_anti'] as const;

  it('every join type on equal keys (USING, NULL keys never match)', async () => {
    const views = kinds.map((how) => materializedView(`using_${how}`, { query: read(left).join(read(right), 'k', how) }));
    const run = await agree(definePipeline([left, right, ...views], { name: 'using' }));
    // the USING key: from the right in a right join, coalesced in a full join
    expect(sorted(run.rows('using_right').map((r) => r.k))).toEqual([null, 'a', 'a', 'a', 'a', 'b', 'b', 'd']);
    expect(sorted(run.rows('using_full').filter((r) => r.id === null).map((r) => r.k))).toEqual([null, 'd']);
  }, 60_000);

  it('every join type on an equi-key plus a residual condition', async () => {
    const views = kinds.map((how) => materializedView(`cond_${how}`, {
      query: read(left).join(read(right).select({ rk: 'k', w: 'w', tag: 'tag' }), (l, r) => l('k').eq(r('rk')).and(l('v').lt(r('w'))), how),
    }));
    await agree(definePipeline([left, right, ...views], { name: 'cond' }));
  }, 60_000);

  it('every join type on a non-equi condition only (nested loop), and cross joins', async () => {
    const r2 = read(right).select({ rk: 'k', w: 'w' });
    const views = kinds.map((how) => materializedView(`range_${how}`, { query: read(left).join(r2, (l, r) => l('v').between(r('w').minus(1), r('w').plus(1)), how) }));
    const cross = materializedView('cross_all', { query: read(left).crossJoin(r2) });
    const crossCond = materializedView('cross_cond', { query: read(left).crossJoin(r2, col('v').gt(col('w'))) });
    const run = await agree(definePipeline([left, right, ...views, cross, crossCond], { name: 'nonequi' }));
    expect(run.rows('cross_all')).toHaveLength(30);
  }, 60_000);

  it('a full join on keys of different types coalesces the key in the common type', async () => {
    const a = materializedView('ta', { query: values({ n: 'int', x: 'string' }, [[1, 'one'], [2, 'two'], [null, 'none']]) });
    const b = materializedView('tb', { query: values({ n: 'long', y: 'string' }, [[2, 'deux'], [3, 'trois']]) });
    const j = materializedView('tj', { query: read(a).join(read(b), 'n', 'full') });
    const run = await agree(definePipeline([a, b, j], { name: 'typed' }));
    expect(buildGraph(definePipeline([a, b, j], { name: 'typed' })).datasets.get('tj')!.schema[0]).toEqual({ name: 'n', type: 'long' });
    expect(sorted(run.rows('tj').map((r) => r.n))).toEqual([null, 1, 2, 3]);
  }, 60_000);

  it('a stream–snapshot left anti and left semi join of a streaming table', async () => {
    fs.writeFileSync(path.join(dir, 'orders_1.csv'), 'oid,k,v\n1,a,1\n2,b,2\n3,,3\n4,z,4\n5,a,7\n');
    const orders = streamingTable('orders', { query: readCsv({ glob: 'orders_*.csv', schema: { oid: 'int', k: 'string', v: 'int' }, metadataColumns: false }) });
    const unmatched = streamingTable('unmatched', { query: stream(orders).join(read(right), 'k', 'left_anti') });
    const matched = streamingTable('matched', { query: stream(orders).join(read(right), (l, r) => l('k').eq(r('k')).and(l('v').lt(r('w'))), 'left_semi') });
    const run = await agree(definePipeline([left, right, orders, unmatched, matched], { name: 'stream_semi' }));
    expect(run.rows('unmatched').map((r) => r.oid).sort()).toEqual([3, 4]);
    // order 5 (a, 7) meets no right row of a with 7 < w
    expect(run.rows('matched').map((r) => r.oid).sort()).toEqual([1]);
  }, 60_000);
});

// ---------------------------------------------------------------- unions, distinct, sort/limit, generators

describe('set operations, ordering and generators agree with DuckDB', () => {
  it('union by position (widened types) and by name with missing columns', async () => {
    const a = materializedView('ua', { query: values({ id: 'int', name: 'string', score: 'int' }, [[1, 'x', 10], [2, null, null]]) });
    const b = materializedView('ub', { query: values({ name: 'string', id: 'long', extra: 'double' }, [['y', 3, 1.5], ['x', 1, null]]) });
    const c = materializedView('uc', { query: values({ a: 'long', b: 'string', c: 'double' }, [[7, 'z', 2.5]]) });
    const byPos = materializedView('by_pos', { query: read(a).union(read(c)) });
    const byName = materializedView('by_name', { query: read(a).unionByName(read(b), { allowMissingColumns: true }) });
    const p = definePipeline([a, b, c, byPos, byName], { name: 'unions' });
    const g = buildGraph(p);
    expect(g.datasets.get('by_pos')!.schema).toEqual([{ name: 'id', type: 'long' }, { name: 'name', type: 'string' }, { name: 'score', type: 'double' }]);
    expect(g.datasets.get('by_name')!.schema.map((f) => f.name)).toEqual(['id', 'name', 'score', 'extra']);
    const run = await agree(p);
    expect(run.rows('by_name')).toHaveLength(4);
  }, 60_000);

  it('distinct with NULLs and duplicates; distinct of a projection', async () => {
    const s = materializedView('dsrc', { query: values({ a: 'string', b: 'int', c: 'double' }, [['x', 1, null], ['x', 1, null], [null, 1, 2.0], [null, 1, 2.0], [null, null, null], [null, null, null], ['x', 2, null]]) });
    const d1 = materializedView('d_all', { query: read(s).distinct() });
    const d2 = materializedView('d_a', { query: read(s).select('a').distinct() });
    const run = await agree(definePipeline([s, d1, d2], { name: 'distincts' }));
    expect(run.rows('d_all')).toHaveLength(4);
    expect(run.rows('d_a')).toHaveLength(2);
  }, 60_000);

  it('ORDER BY with NULL placement, LIMIT and OFFSET', async () => {
    const s = materializedView('ssrc', { query: values({ k: 'int', s: 'string' }, [[3, 'c'], [null, 'n'], [1, 'a'], [5, 'e'], [2, 'b'], [4, null]]) });
    const top = materializedView('top3', { query: read(s).orderBy(desc('k')).limit(3) });
    const page = materializedView('page', { query: read(s).orderBy(ascNullsLast('k')).offset(2).limit(2) });
    const bys = materializedView('by_s', { query: read(s).orderBy(descNullsFirst('s'), 'k').limit(4) });
    const run = await agree(definePipeline([s, top, page, bys], { name: 'sorts' }));
    expect(run.rows('top3').map((r) => r.k)).toEqual([5, 4, 3]);
    expect(run.rows('page').map((r) => r.k)).toEqual([3, 4]);
    expect(run.rows('by_s').map((r) => r.s)).toEqual([null, 'n', 'e', 'c']);
  }, 60_000);

  it('explode, explode_outer, posexplode, posexplode_outer of arrays (NULL, empty, NULL elements) and maps', async () => {
    const s = materializedView('xsrc', {
      query: values({ id: 'int', arr: 'array<int>', m: 'map<string,int>' }, [
        [1, [10, 20, null], { a: 1, b: 2 }], [2, [], {}], [3, null, null], [4, [30], { c: null }],
      ]),
    });
    const e1 = materializedView('x_explode', { query: read(s).explode('arr', { as: 'v' }).drop('m') });
    const e2 = materializedView('x_outer', { query: read(s).explode('arr', { as: 'v', outer: true }).drop('m') });
    const e3 = materializedView('x_pos', { query: read(s).explode('arr', { position: true, as: ['p', 'v'] }).drop('m', 'arr') });
    const e4 = materializedView('x_pos_outer', { query: read(s).explode('arr', { position: true, outer: true }).drop('m', 'arr') });
    const e5 = materializedView('x_map', { query: read(s).explode('m', { as: ['k', 'val'] }).drop('arr', 'm') });
    const e6 = materializedView('x_map_outer', { query: read(s).explode('m', { outer: true, position: true }).drop('arr', 'm') });
    const e7 = materializedView('x_select', { query: read(s).select({ id: 'id', v: explode(col('arr')) }) });
    const run = await agree(definePipeline([s, e1, e2, e3, e4, e5, e6, e7], { name: 'explodes' }));
    expect(run.rows('x_explode')).toHaveLength(4);
    expect(run.rows('x_outer')).toHaveLength(6);
    expect(run.rows('x_pos_outer').filter((r) => r.id === 3)).toEqual([{ id: 3, pos: null, col: null }]);
    expect(run.rows('x_map_outer').filter((r) => r.id === 2)).toEqual([{ id: 2, pos: null, key: null, value: null }]);
  }, 60_000);

  it('explode in a streaming table over rows of a CSV file', async () => {
    fs.writeFileSync(path.join(dir, 'tags_1.csv'), 'id,n\n1,3\n2,0\n3,\n');
    const t = streamingTable('tags', { query: readCsv({ glob: 'tags_*.csv', schema: { id: 'int', n: 'int' }, metadataColumns: false }) });
    const lists = materializedView('lists', { query: values({ n: 'int', items: 'array<string>' }, [[3, ['a', 'b', 'c']], [0, []]]) });
    const arr = streamingTable('tag_rows', { query: stream(t).join(read(lists), 'n', 'left').explode('items', { as: 'item', outer: true }).select('id', 'item') });
    const run = await agree(definePipeline([t, lists, arr], { name: 'stream_explode' }));
    expect(run.rows('tag_rows')).toHaveLength(5);
  }, 60_000);
});

// ---------------------------------------------------------------- SELECT planning

describe('planned SELECTs (aggregates in expressions, HAVING, windows over aggregates) agree with DuckDB', () => {
  it('GROUP BY with expressions over aggregates, HAVING on a hidden aggregate, rank over an aggregate, ORDER BY a hidden column, LIMIT', async () => {
    fs.writeFileSync(path.join(dir, 'sales_1.csv'), 'region,item,qty,price\nn,a,1,2.5\nn,b,3,1.0\ns,a,2,2.5\ns,c,,4.0\ne,a,5,2.5\ne,b,1,1.0\ne,c,2,4.0\nw,a,1,\n,b,2,1.0\n');
    const sales = streamingTable('sales', { query: readCsv({ glob: 'sales_*.csv', schema: { region: 'string', item: 'string', qty: 'int', price: 'double' }, metadataColumns: false }) });
    const c = (n: string) => col(n).node;
    const agg = (fn: string, ...args: ReturnType<typeof c>[]) => ({ kind: 'aggregate' as const, agg: { kind: 'agg' as const, fn, args, distinct: false, filter: null } });
    const plan = planSelect(read(sales).node, [
      { expr: c('region') },
      { name: 'revenue', expr: { kind: 'call', fn: '*', args: [agg('sum', c('qty')), { kind: 'lit', value: 2, type: 'int' }] } },
      { name: 'avg_price', expr: agg('avg', c('price')) },
      { name: 'place', expr: { kind: 'over', fn: { kind: 'call', fn: 'rank', args: [] }, spec: { partitionBy: [], orderBy: [{ expr: agg('sum', c('qty')), desc: true, nullsFirst: false }], frame: null } } },
    ], {
      groupBy: [c('region')],
      having: { kind: 'call', fn: '>', args: [agg('count'), { kind: 'lit', value: 1, type: 'int' }] },
      orderBy: [{ expr: agg('max', c('qty')), desc: true, nullsFirst: false }, { expr: c('region'), desc: false, nullsFirst: true }],
      limit: 3,
    });
    const report = materializedView('sales_report', { query: new Rel(plan) });
    const run = await agree(definePipeline([sales, report], { name: 'planned' }));
    expect(run.rows('sales_report').map((r) => r.region)).toEqual(['e', 'n', 's']);
    expect(buildGraph(definePipeline([sales, report], { name: 'planned' })).datasets.get('sales_report')!.schema.map((f) => f.name)).toEqual(['region', 'revenue', 'avg_price', 'place']);
  }, 60_000);

  it('builder forms: agg with expressions, having(), a global select of aggregates, count distinct with a window', async () => {
    const s = materializedView('bsrc', { query: values({ g: 'string', v: 'int' }, [['a', 1], ['a', 2], ['b', 5], ['b', 5], [null, 3], ['c', null]]) });
    const ratio = materializedView('ratio', { query: read(s).groupBy('g').agg({ n: count(), mean: sum('v').expr().div(count('v')), spread: max('v').expr().minus(min('v')) }) });
    const big = materializedView('big', { query: read(s).groupBy('g').agg({ n: count() }).having(sum('v').expr().ge(3).and(countDistinct('v').expr().ge(1))) });
    const totals = materializedView('totals', { query: read(s).select({ n: count(), total: sum('v'), half: avg('v').expr().div(2) }) });
    const share = materializedView('share', { query: read(s).withColumns({ share: col('v').div(over(sum('v'), { partitionBy: 'g' })), n: over(count(), {}) }) });
    const run = await agree(definePipeline([s, ratio, big, totals, share], { name: 'builders' }));
    expect(sorted(run.rows('big').map((r) => r.g))).toEqual([null, 'a', 'b']);
    expect(run.rows('totals')).toEqual([{ n: 6, total: 16, half: 1.6 }]);
  }, 60_000);

  it('lit() values in inline rows: dates, timestamps, decimals, booleans and NULLs', async () => {
    const s = materializedView('typed', {
      query: values({ d: 'date', t: 'timestamp', n: 'decimal(10,2)', b: 'boolean', s: 'string' }, [
        ['2024-02-29', '2024-03-01T10:15:00Z', '12.34', true, "it's"], [null, null, null, null, null],
      ]),
    });
    const f = materializedView('typed_f', { query: read(s).filter(col('b').or(col('d').isNull())).select({ d: 'd', next: lit(1) }) });
    await agree(definePipeline([s, f], { name: 'typed' }));
  }, 60_000);
});

describe('SQL text through the expression reader and planSelect agrees with DuckDB', () => {
  it('window functions with IGNORE NULLS, a named window, FILTER, QUALIFY and ORDER BY', async () => {
    const src = materializedView('sq', { query: values({ g: 'string', i: 'int', x: 'int' }, [['a', 1, null], ['a', 2, 5], ['a', 3, null], ['a', 4, 7], ['a', 5, null], ['b', 1, 2], ['b', 2, null], ['b', 3, 3]]) });
    const e = (sql: string) => parseExpression(sql);
    const w: WindowOver = (e('row_number() OVER (PARTITION BY g ORDER BY i)') as Extract<ReturnType<typeof e>, { kind: 'over' }>).spec;
    const items = [
      'g', 'i', 'x',
      'lag(x) IGNORE NULLS OVER w', 'lag(x, 2) IGNORE NULLS OVER w', 'lead(x, 1, -1) OVER w', 'lead(x) IGNORE NULLS OVER w',
      'first_value(x) IGNORE NULLS OVER w', 'last_value(x) IGNORE NULLS OVER (PARTITION BY g ORDER BY i ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)',
      'nth_value(x, 2) IGNORE NULLS OVER w', 'count(x) OVER (PARTITION BY g)', 'sum(x) OVER (ORDER BY g, i ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)',
      'x * 10 + row_number() OVER w',
    ].map((sql, k) => ({ expr: e(sql), name: k < 3 ? undefined : `c${k}` }));
    const plan = planSelect(read(src).node, items, {
      windows: { w },
      qualify: e('rank() OVER (PARTITION BY g ORDER BY i DESC) <= 4'),
      orderBy: [{ expr: e('g'), desc: false, nullsFirst: true }, { expr: e('i'), desc: true, nullsFirst: false }],
    });
    const q = materializedView('sq_out', { query: new Rel(plan) });
    const grouped = materializedView('sq_grouped', {
      query: new Rel(planSelect(read(src).node, [
        { expr: e('g') }, { expr: e('count(*) FILTER (WHERE x IS NULL)'), name: 'nulls' }, { expr: e('sum(x) / count(x)'), name: 'mean' },
        { expr: e('dense_rank() OVER (ORDER BY count(x) DESC, g)'), name: 'place' },
      ], { groupBy: [e('g')], having: e('max(i) > 2') })),
    });
    const run = await agree(definePipeline([src, q, grouped], { name: 'sqltext' }));
    const a3 = run.rows('sq_out').find((r) => r.g === 'a' && r.i === 3)!;
    expect([a3.c3, a3.c4, a3.c6]).toEqual([5, null, 7]);
    expect(run.rows('sq_out').map((r) => `${r.g}${r.i}`)).toEqual(['a5', 'a4', 'a3', 'a2', 'b3', 'b2', 'b1']);
  }, 60_000);
});
