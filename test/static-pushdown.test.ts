/**
 * Stream-static joins restricted by key (engine/runtime/static-pushdown.ts)
 * and a table's rows kept between reads (engine/sinks/kept-rows.ts).
 *
 * - the plan analysis: which right sides are key-local (projections, filters,
 *   window functions partitioned by the key), which are not (an aggregate, a
 *   window over another partition, a right or full join, keys of another type);
 * - a pipeline whose static table gains rows every batch and is compacted in
 *   between, joined (plain and as-of, the validity intervals from `lead`) with
 *   a stream: every static row of a key arrives in a batch before the stream
 *   rows of that key, so the result equals DuckDB's join of the whole tables.
 *   The kept rows were brought up to date from the commits (not read again),
 *   across appends and compactions, and a restart gives the same tables.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { asOfJoin, col, definePipeline, lead, over, read, readCsv, stream, streamingTable, sum, upper, type PlanNode } from '../engine/index.js';
import { staticPushdown } from '../engine/runtime/static-pushdown.js';
import { PipelineService } from '../engine/runtime/service.js';
import { DeltaStore } from '../engine/sinks/delta-store.js';
import { compactGroups, planOptimize } from '../engine/maintenance/optimize.js';
import type { Schema } from '../engine/ir/types.js';
import type { TypeContext } from '../engine/expr/typecheck.js';
import { Duck, multisetEqual, type PlainRow } from './helpers/duck.js';
import { readLogEntries, readTableViaLog, tablesDir, tempDir } from './helpers/cli.js';

vi.setConfig({ testTimeout: 120_000 });

const dims = streamingTable('dims', { query: readCsv({ glob: 'dims_*.csv', schema: { k: 'string', t: 'timestamp', v: 'int', note: 'string' } }) });
const facts = streamingTable('facts', { query: readCsv({ glob: 'facts_*.csv', schema: { k: 'string', at: 'timestamp', x: 'int' } }) });
const intervals = read(dims).filter(col('v').gt(0)).select('k', { from: col('t') }, 'v')
  .withColumns({ until: over(lead('from'), { partitionBy: ['k'], orderBy: ['from', 'v'] }) });
const joined = streamingTable('joined', { query: stream(facts).join(read(dims).select('k', { dv: col('v') }, 'note'), 'k', 'left') });
const asof = streamingTable('asof', { query: asOfJoin(stream(facts), intervals, { on: 'k', at: 'at', from: 'from', until: 'until', how: 'left' }) });
const pipeline = definePipeline([dims, facts, joined, asof]);

describe('the plan analysis', () => {
  const dimsSchema: Schema = [{ name: 'k', type: 'string' }, { name: 't', type: 'timestamp' }, { name: 'v', type: 'int' }, { name: 'note', type: 'string' }];
  const tc: TypeContext = { datasetSchema: (n) => { if (n !== 'dims') throw new Error(n); return dimsSchema; } };
  const plan = (r: { node: PlanNode }) => r.node;

  it('restricts projections, filters and windows partitioned by the key, keeping only the columns read', () => {
    const pd = staticPushdown('left', plan(intervals), ['k'], ['string'], tc);
    expect(pd).toEqual({ dataset: 'dims', keys: ['k'], columns: ['k', 't', 'v'] });
    const renamed = read(dims).select({ key: col('k') }, 'v');
    expect(staticPushdown('inner', plan(renamed), ['key'], ['string'], tc)).toEqual({ dataset: 'dims', keys: ['k'], columns: ['k', 'v'] });
    expect(staticPushdown('left_anti', plan(read(dims)), ['k'], ['string'], tc)).toEqual({ dataset: 'dims', keys: ['k'], columns: null });
  });

  it('does not restrict what depends on other keys, keeps unmatched right rows, or compares converted keys', () => {
    const otherPartition = read(dims).withColumns({ n: over(lead('v'), { partitionBy: ['note'], orderBy: ['t'] }) });
    const aggregated = read(dims).groupBy('k').agg({ s: sum('v') });
    const computedKey = read(dims).select({ k: col('note') }, 'v');
    expect(staticPushdown('left', plan(otherPartition), ['k'], ['string'], tc)).toBeNull();
    expect(staticPushdown('left', plan(aggregated), ['k'], ['string'], tc)).toBeNull();
    expect(staticPushdown('full', plan(read(dims)), ['k'], ['string'], tc)).toBeNull();
    expect(staticPushdown('right', plan(read(dims)), ['k'], ['string'], tc)).toBeNull();
    expect(staticPushdown('left', plan(read(dims)), ['k'], ['int'], tc)).toBeNull();
    expect(staticPushdown('left', plan(computedKey), ['k'], ['string'], tc)).toEqual({ dataset: 'dims', keys: ['note'], columns: ['v', 'note'] });
    expect(staticPushdown('left', plan(read(dims).select({ k: upper(col('k')) })), ['k'], ['string'], tc)).toBeNull();
    // a qualified reference (\`s.field\`) anywhere in an expression: which column it reads is not plain to trace
    const qualifiedRef: PlanNode = { kind: 'select', input: plan(read(dims)), columns: [['k', { kind: 'col', name: 'k' }], ['f', { kind: 'cast', arg: { kind: 'col', name: 'field', qualifier: ['note'] }, to: 'string' }]] };
    expect(staticPushdown('left', qualifiedRef, ['k'], ['string'], tc)).toBeNull();
  });
});

describe('a static table that grows and is compacted, joined by key', () => {
  let duck: Duck;
  let work: string;
  const BATCHES = 32;
  const iso = (m: number) => new Date(Date.UTC(2026, 0, 1) + m * 60_000).toISOString();

  beforeAll(async () => {
    duck = await Duck.open();
    work = tempDir('static-pushdown');
    const input = path.join(work, 'pool');
    fs.mkdirSync(input, { recursive: true });
    // keys k0..k(7·BATCHES): key j's static rows come in batch floor(j / 7), its stream rows in later batches only;
    // some keys never get static rows, some stream rows have no key, and a few static rows are filtered out (v <= 0)
    let seed = 7;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    for (let b = 0; b < BATCHES; b++) {
      const d = ['k,t,v,note'];
      for (let j = 7 * b; j < 7 * b + 7; j++) {
        for (let r = 0, n = 1 + rnd(3); r < n; r++) d.push(`k${j},${iso(rnd(600))},${rnd(5) - 1},n${rnd(4)}${r === 1 ? ',' : ''}`.replace(/,$/, ''));
        if (j % 5 === 0) d.push(`k${j},${iso(rnd(600))},${rnd(3)},é${j}`);
      }
      const f = ['k,at,x'];
      for (let r = 0; r < 25; r++) {
        const j = b === 0 ? -1 : rnd(7 * b);
        f.push(`${j < 0 || r % 11 === 0 ? (r % 2 ? 'nokey' + r : '') : 'k' + j},${iso(rnd(700))},${r}`);
      }
      fs.writeFileSync(path.join(input, `dims_${String(b).padStart(3, '0')}.csv`), d.join('\n') + '\n');
      fs.writeFileSync(path.join(input, `facts_${String(b).padStart(3, '0')}.csv`), f.join('\n') + '\n');
    }
  });
  afterAll(() => duck?.close());

  const expected = async (out: string, sql: string): Promise<PlainRow[]> => {
    const t = (n: string) => `read_parquet('${path.join(tablesDir(out), n)}/*.parquet')`;
    return duck.all(sql.replaceAll('{dims}', t('dims')).replaceAll('{facts}', t('facts')));
  };

  it('equals DuckDB joining the whole tables, with the kept rows brought up to date across appends and compactions', async () => {
    const out = path.join(work, 'out'), input = path.join(work, 'in');
    fs.mkdirSync(input, { recursive: true });
    const copy = (prefix: string, b: number) => { const n = `${prefix}_${String(b).padStart(3, '0')}.csv`; fs.copyFileSync(path.join(work, 'pool', n), path.join(input, n)); };
    const open = async (autoCompact: boolean) => {
      const { service } = await PipelineService.open({ pipeline, input, output: out, maxFilesPerTrigger: 1, autoCompact: autoCompact ? { mergeFactor: 4 } : false });
      return { service, store: service.runner.executor.store as DeltaStore };
    };
    const ok = (rs: { failure?: unknown }[]) => expect(rs.some((r) => r.failure)).toBe(false);
    // half the files, with automatic compaction: each merges the file of the batch just run, not read yet (the merged file is read instead)
    for (let b = 0; b < BATCHES / 2; b++) { copy('dims', b); copy('facts', b); }
    let { service, store } = await open(true);
    ok(await service.runAvailableNow());
    const first = { ...store.kept.counts };
    await service.close('COMPLETED');
    // a restart (the kept rows start again from the files), then the stream's file and the table's file of each batch
    // apart, compacted by hand: after the stream's file, every file merged was read (its parts stand for the merged file)
    ({ service, store } = await open(false));
    let compactions = 0;
    const compact = async () => { const t = store.table('dims'); if ((await compactGroups(t, planOptimize(t.snapshot), { name: 'dims' })).filesRemoved > 1) compactions++; };
    for (let b = BATCHES / 2; b < BATCHES; b++) {
      copy('facts', b);
      ok(await service.runAvailableNow());
      if (b % 3 === 0) await compact();
      copy('dims', b);
      ok(await service.runAvailableNow());
      if (b % 3 === 1) await compact();
    }
    const second = { ...store.kept.counts };
    await service.close('COMPLETED');
    expect(first.kept).toBeGreaterThan(first.whole);
    expect(second.kept).toBeGreaterThan(second.whole);
    expect(compactions).toBeGreaterThan(4);
    expect(readLogEntries(path.join(tablesDir(out), 'dims')).some((e) => e.actions.some((a) => a.commitInfo?.operation === 'OPTIMIZE'))).toBe(true);

    const ignore = ['_ingested_at', '_source_file', '_line', '_rescued_data'];
    const strip = (rows: PlainRow[]) => rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !ignore.includes(k))));
    const plain = strip(await readTableViaLog(duck, out, 'joined'));
    expect(plain.length).toBeGreaterThan(BATCHES * 25);
    multisetEqual(plain, await expected(out, `SELECT f.k, f.at, f.x, d.v AS dv, d.note FROM {facts} f LEFT JOIN {dims} d ON f.k = d.k`));
    const asofRows = strip(await readTableViaLog(duck, out, 'asof'));
    multisetEqual(asofRows, await expected(out, `WITH i AS (SELECT k, t AS "from", v, lead(t) OVER (PARTITION BY k ORDER BY t, v) AS "until" FROM {dims} WHERE v > 0)
      SELECT f.k, f.at, f.x, i."from", i.v, i."until" FROM {facts} f LEFT JOIN i ON f.k = i.k AND i."from" <= f.at AND (i."until" IS NULL OR f.at < i."until")`));
    expect(asofRows.filter((r) => r.v !== null).length).toBeGreaterThan(BATCHES * 5);
  });
});
