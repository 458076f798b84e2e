/**
 * The relational operators in the engine:
 *
 * - the window registry's documented examples run as written;
 * - step tests: a materialized view kept incrementally (one aggregate or
 *   DISTINCT, HAVING, windows, ORDER BY … LIMIT over its result) equals, after
 *   every batch of an add sequence, the same query recomputed from scratch
 *   (its twin reads through `offset(0)`, which forces a recompute);
 * - refresh modes in the graph, the event log and `status`; a recompute runs
 *   only in batches where an input changed;
 * - a restart with state (incremental DISTINCT, streaming DISTINCT) equals a
 *   one-shot run.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PipelineTester, type Row } from '../engine/testing.js';
import { buildGraph } from '../engine/graph/graph.js';
import {
  definePipeline, materializedView, streamingTable, rowsSource, stream, read, col, count, sum, avg, max, min,
  over, rank, rowNumber, desc, values, planSelect, Rel, readCsv, PipelineService, DeltaStore, batchToRows, catalogOfEvents, readEventLog, EventLog,
} from '../engine/index.js';
import { aggregate } from '../engine/expr/builder.js';
import { parseExpression } from '../engine/parse/expr-parser.js';
import { allWindowFunctions } from '../engine/functions/window.js';
import { registerAggregates } from '../engine/functions/aggregates.js';
import { aggregateFunction } from '../engine/operators/aggregates.js';
import type { Value } from '../engine/ir/types.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'localdlt-rel-engine-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Rows as canonical text, sorted (a multiset). */
function bag(rows: readonly Row[]): string[] {
  return rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(12)) : v))).sort();
}

describe('the window registry examples', () => {
  const rows = [['A1', 2], ['A1', 1], ['A2', 3], ['A1', 1]];
  for (const def of allWindowFunctions()) {
    it(`${def.name}: ${def.examples[0].sql.split(' FROM')[0]} gives ${def.examples[0].result}`, async () => {
      const ex = def.examples[0];
      const fnExpr = parseExpression(ex.sql.split(' FROM VALUES')[0]);
      const src = materializedView('tab', { query: values({ a: 'string', b: 'int' }, rows) });
      const plan = planSelect(read(src).node, [{ expr: col('a').node }, { expr: col('b').node }, { expr: fnExpr, name: 'r' }], { orderBy: [{ expr: col('a').node, desc: false, nullsFirst: true }, { expr: col('b').node, desc: false, nullsFirst: true }] });
      const v = materializedView('ex', { query: new Rel(plan) });
      const t = new PipelineTester(definePipeline([src, v], { name: 'ex' }));
      await t.runAvailable();
      const out = (await t.table('ex')).rows.map((r) => r.r);
      const type = buildGraph(definePipeline([src, v], { name: 'ex' })).datasets.get('ex')!.schema[2].type;
      const text = out.map((x: Value) => (x === null ? 'NULL' : type === 'double' && Number.isInteger(x) ? (x as number).toFixed(1) : String(x))).join(', ');
      expect(`${text} (rows in a, b order)`).toBe(ex.result);
    });
  }
});

// ---------------------------------------------------------------- incremental = recompute

const EVENT_SCHEMA = { k: 'string', v: 'int', tags: 'array<string>' } as const;

/** Batches of rows with repeated keys, NULLs, and tags (NULL and empty arrays included). */
function batches(): Row[][] {
  return [
    [{ k: 'a', v: 1, tags: ['x', 'y'] }, { k: 'b', v: 2, tags: [] }, { k: null, v: 3, tags: null }],
    [{ k: 'a', v: 5, tags: ['y'] }, { k: 'c', v: null, tags: ['z', 'z'] }],
    [],
    [{ k: 'b', v: 2, tags: ['x'] }, { k: 'b', v: 7, tags: null }, { k: 'a', v: 1, tags: ['x', 'y'] }, { k: 'd', v: -4, tags: [] }],
    [{ k: null, v: null, tags: [] }, { k: 'c', v: 9, tags: ['x'] }],
  ];
}

describe('incrementally kept materialized views equal their recompute after every batch', () => {
  const src = streamingTable('events', { query: rowsSource('feed', EVENT_SCHEMA) });
  const other = streamingTable('other', { query: rowsSource('other_feed', { n: 'int' }) });
  // each view and its twin; the twin reads through offset(0), which makes it a recompute
  const views: [string, (r: Rel) => Rel][] = [
    ['having', (r) => r.groupBy('k').agg({ n: count(), s: sum('v') }).having(max('v').expr().gt(1))],
    ['distinct_k', (r) => r.select('k').distinct()],
    ['ranked', (r) => r.groupBy('k').agg({ s: sum('v') }).select({ k: 'k', s: 's', place: over(rank(), { orderBy: desc('s') }) })],
    ['top2', (r) => r.groupBy('k').agg({ n: count(), s: sum('v') }).orderBy(desc('s'), 'k').limit(2)],
    ['tag_counts', (r) => r.explode('tags', { as: 'tag' }).groupBy('tag').agg({ n: count(), lo: min('v'), hi: max('v') })],
    ['ratio', (r) => r.groupBy('k').agg({ mean: sum('v').expr().div(count('v')), avg: avg('v') })],
  ];
  const defs = views.flatMap(([name, q]) => [
    materializedView(name, { query: q(read(src)) }),
    materializedView(`${name}_recomputed`, { query: q(read(src).offset(0)) }),
  ]);
  const pipeline = definePipeline([src, other, ...defs], { name: 'steps' });

  it('the graph marks each view and its twin', () => {
    const g = buildGraph(pipeline);
    for (const [name] of views) {
      expect(g.datasets.get(name)!.refresh, name).toMatchObject({ mode: 'incremental' });
      expect(g.datasets.get(`${name}_recomputed`)!.refresh).toEqual({ mode: 'recompute', reason: 'ORDER BY / LIMIT over the input rows' });
    }
  });

  it('after every batch (including an empty one) each view equals its recompute', async () => {
    const t = new PipelineTester(pipeline);
    let checked = 0;
    for (const b of batches()) {
      await t.pushRows(b.length ? { feed: b } : {});
      for (const [name] of views) {
        const inc = (await t.table(name)).rows, full = (await t.table(`${name}_recomputed`)).rows;
        expect(bag(inc), `${name} after ${checked} batches`).toEqual(bag(full));
        if (name === 'top2' || name === 'ranked') expect(inc).toEqual(full); // ordered results: the same order too
      }
      checked++;
    }
    expect((await t.table('having')).rows.length).toBeGreaterThan(1);
    expect((await t.table('tag_counts')).rows.find((r) => r.tag === 'x')).toEqual({ tag: 'x', n: 4, lo: 1, hi: 9 });
  });

  it('a recomputed view runs only in batches where an input changed', async () => {
    const win = materializedView('win', { query: read(src).select({ k: 'k', v: 'v', rn: over(rowNumber(), { partitionBy: 'k', orderBy: 'v' }) }) });
    const p = definePipeline([src, other, win], { name: 'recompute' });
    expect(buildGraph(p).datasets.get('win')!.refresh).toEqual({ mode: 'recompute', reason: 'window functions over the input rows' });
    const t = new PipelineTester(p);
    const r1 = await t.pushRows({ feed: batches()[0] });
    expect(r1.flows.get('win')!.status).toBe('COMPLETED');
    const r2 = await t.pushRows({ other_feed: [{ n: 1 }] });
    expect(r2.flows.get('win')!.status).toBe('IDLE');
    expect(r2.flows.get('other')!.status).toBe('COMPLETED');
    const r3 = await t.pushRows({ feed: batches()[1] });
    expect(r3.flows.get('win')!.status).toBe('COMPLETED');
    expect((await t.table('win')).rows.filter((r) => r.k === 'a').map((r) => [r.v, r.rn])).toEqual([[1, 1], [5, 2]]);
  });

  it('holistic aggregates, joins and inline rows make a view a recompute, with the reason', () => {
    registerAggregates([{
      name: 'test_holistic_median', signature: 'test_holistic_median(x)', summary: 'test only', examples: [], arity: [1, 1], incremental: false, distinct: 'no',
      type: () => ({ returns: 'double' }), make: () => aggregateFunction('avg'), sql: { default: 'median($1)' },
    }]);
    const med = materializedView('med', { query: read(src).groupBy('k').agg({ m: aggregate('test_holistic_median', 'v') }) });
    const joined = materializedView('joined', { query: read(src).join(read(other), (l, r) => l('v').gt(r('n')), 'left').groupBy('k').agg({ n: count() }) });
    const inline = materializedView('inline', { query: values({ a: 'int' }, [[1]]).groupBy('a').agg({ n: count() }) });
    const g = buildGraph(definePipeline([src, other, med, joined, inline], { name: 'modes' }));
    expect(g.datasets.get('med')!.refresh).toEqual({ mode: 'recompute', reason: 'holistic aggregate test_holistic_median()' });
    expect(g.datasets.get('joined')!.refresh).toEqual({ mode: 'recompute', reason: 'join' });
    expect(g.datasets.get('inline')!.refresh).toEqual({ mode: 'recompute', reason: 'inline rows' });
  });
});

// ---------------------------------------------------------------- event log, status, restarts

describe('refresh modes in the event log, and restarts with relational state', () => {
  const write = (dir: string, name: string, text: string) => { fs.mkdirSync(dir, { recursive: true }); fs.writeFileSync(path.join(dir, name), text); };
  const rows = (n: number, from: number) => Array.from({ length: n }, (_, i) => `${(from + i) % 5 === 0 ? '' : `k${(from + i) % 3}`},${(from + i) % 4},${from + i}`).join('\n');
  const src = streamingTable('src', { query: readCsv({ glob: 'in_*.csv', schema: { k: 'string', v: 'int', id: 'int' }, metadataColumns: false }) });
  const pipeline = definePipeline([
    src,
    streamingTable('first_seen', { query: stream(src).select('k', 'v').distinct() }),
    materializedView('pairs', { query: read(src).select('k', 'v').distinct() }),
    materializedView('ranked', { query: read(src).select({ k: 'k', id: 'id', rn: over(rowNumber(), { partitionBy: 'k', orderBy: desc('id') }) }).qualify(col('rn').le(2)) }),
  ], { name: 'restarts' });

  async function run(input: string, output: string): Promise<void> {
    const { service } = await PipelineService.open({ pipeline, input, output, maxFilesPerTrigger: 1, now: () => Date.UTC(2024, 0, 1), events: new EventLog(output, { command: 'replay', trigger: 'available-now' }) });
    try { await service.runAvailableNow(); } finally { await service.close('COMPLETED'); }
  }

  async function tables(output: string): Promise<Record<string, string[]>> {
    const g = buildGraph(pipeline);
    const store = new DeltaStore(output);
    const out: Record<string, string[]> = {};
    for (const n of g.order) out[n] = bag(batchToRows(await store.snapshot(n, g.datasets.get(n)!.schema)));
    return out;
  }

  it('a run cut by a restart equals a one-shot run; the event log (which status and the dashboard read) names the refresh modes', async () => {
    const inA = path.join(tmp, 'a-in'), outA = path.join(tmp, 'a-out'), inB = path.join(tmp, 'b-in'), outB = path.join(tmp, 'b-out');
    const header = 'k,v,id\n';
    write(inA, 'in_1.csv', header + rows(12, 0)); write(inA, 'in_2.csv', header + rows(9, 12));
    await run(inA, outA);
    write(inA, 'in_3.csv', header + rows(15, 21));
    await run(inA, outA);
    for (const f of ['in_1.csv', 'in_2.csv', 'in_3.csv']) write(inB, f, fs.readFileSync(path.join(inA, f), 'utf8'));
    await run(inB, outB);
    const a = await tables(outA), b = await tables(outB);
    expect(a).toEqual(b);
    expect(a.pairs.length).toBeGreaterThan(4);
    expect(a.first_seen).toEqual(a.pairs);
    const catalog = catalogOfEvents(await readEventLog(outA))!;
    expect(catalog.datasets.get('pairs')!.refresh).toEqual({ mode: 'incremental', reason: 'distinct rows kept as new rows arrive' });
    expect(catalog.datasets.get('ranked')!.refresh).toEqual({ mode: 'recompute', reason: 'window functions over the input rows' });
    expect(catalog.datasets.get('first_seen')!.refresh).toBeNull();
  });
});
