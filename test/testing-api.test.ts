/**
 * The testing API end to end: a small user pipeline (rowsSource -> streaming
 * table with expectations and a quarantine -> materialized view aggregate) run
 * with `runPipeline` over two batches of in-memory rows, then over in-memory
 * CSV files. Expected values are worked out by hand next to the fixtures.
 */
import { describe, expect, it } from 'vitest';
import { batchFromRows, batchToRows, concatBatches } from '../engine/batch.js';
import type { Schema } from '../engine/ir/types.js';
import { avg, col, count, countDistinct, max, read, readCsv, rowsSource, stream, sum, tumbling } from '../engine/expr/builder.js';
import { definePipeline, materializedView, streamingTable, view } from '../engine/dataset.js';
import { AggregateOperator } from '../engine/operators/aggregate.js';
import { RuntimeFailure } from '../engine/errors.js';
import { runPipeline, type Row } from '../engine/testing.js';

const ORDERS: Schema = [
  { name: 'id', type: 'int' }, { name: 'name', type: 'string' }, { name: 'dept', type: 'string' }, { name: 'amount', type: 'double' },
];

function ordersPipeline() {
  const src = rowsSource('src', { id: 'int', name: 'string', dept: 'string', amount: 'double' });
  const orders = streamingTable('orders', {
    query: src,
    expect: { has_name: col('name').isNotNull() },
    expectOrDrop: { valid_id: col('id').isNotNull(), positive_amount: col('amount').gt(0) },
    quarantine: 'orders_quarantine',
  });
  const totals = materializedView('dept_totals', {
    query: read('orders').groupBy('dept').agg({
      n: count(), total: sum('amount'), avg_amount: avg('amount'), customers: countDistinct('name'), biggest: max('amount'),
    }),
  });
  // a global aggregate over rows that a filter removes entirely
  const big = materializedView('big_orders', { query: read('orders').filter(col('amount').gt(1000)).agg({ n: count(), total: sum('amount') }) });
  // defined before its input on purpose
  return definePipeline([totals, orders, big]);
}

const batch1: Row[] = [
  { id: 1, name: 'ann', dept: 'A', amount: 10 },
  { id: null, name: 'bob', dept: 'A', amount: 5 }, // dropped: valid_id
  { id: 3, name: null, dept: 'B', amount: 20 }, // kept, warn has_name
  { id: 4, name: 'cy', dept: 'B', amount: -1 }, // dropped: positive_amount
];
const batch2: Row[] = [
  { id: 5, name: 'ann', dept: 'A', amount: 30 },
  { id: 6, name: 'dan', dept: null, amount: 7 }, // the NULL group
  { id: null, name: null, dept: 'C', amount: null }, // dropped: fails all three (NULL amount counts as failed)
  { id: 8, name: 'ann', dept: 'A', amount: 2.5 },
];

describe('runPipeline with rows', () => {
  it('streaming table, quarantine and incremental materialized view over two batches', async () => {
    const run = await runPipeline(ordersPipeline(), { rows: { src: [batch1, batch2] } });
    expect(run.failure).toBe(null);
    expect(run.batches).toHaveLength(2);
    // dependencies first; ties in definition order (dept_totals was defined first)
    expect(run.tester.graph.order).toEqual(['orders', 'dept_totals', 'orders_quarantine', 'big_orders']);
    expect(run.tester.runner.executor.mvModeOf('dept_totals')).toBe('incremental');

    // the streaming table: every kept row, in arrival order
    expect(run.rows('orders')).toEqual([
      { id: 1, name: 'ann', dept: 'A', amount: 10 },
      { id: 3, name: null, dept: 'B', amount: 20 },
      { id: 5, name: 'ann', dept: 'A', amount: 30 },
      { id: 6, name: 'dan', dept: null, amount: 7 },
      { id: 8, name: 'ann', dept: 'A', amount: 2.5 },
    ]);
    // the quarantine: dropped rows with every rule they failed, in declaration order
    expect(run.rows('orders_quarantine')).toEqual([
      { id: null, name: 'bob', dept: 'A', amount: 5, _failed_expectations: ['valid_id'] },
      { id: 4, name: 'cy', dept: 'B', amount: -1, _failed_expectations: ['positive_amount'] },
      { id: null, name: null, dept: 'C', amount: null, _failed_expectations: ['has_name', 'valid_id', 'positive_amount'] },
    ]);

    // expectation totals over both batches; passed + failed = 8 input rows
    expect(run.expectation('orders', 'has_name')).toEqual({ name: 'has_name', dataset: 'orders', action: 'warn', passed_records: 6, failed_records: 2 });
    expect(run.expectation('orders', 'valid_id')).toEqual({ name: 'valid_id', dataset: 'orders', action: 'drop', passed_records: 6, failed_records: 2 });
    expect(run.expectation('orders', 'positive_amount')).toEqual({ name: 'positive_amount', dataset: 'orders', action: 'drop', passed_records: 6, failed_records: 2 });
    expect(() => run.expectation('orders', 'nope')).toThrow(expect.objectContaining({ code: 'UNKNOWN_EXPECTATION' }));

    expect(run.totals('orders')).toEqual({ num_output_rows: 5, dropped_records: 3, late_records: 0, null_event_time_records: 0 });
    expect(run.totals('orders_quarantine')).toMatchObject({ num_output_rows: 3, dropped_records: 0 });
    // per batch: 2 kept + 2 dropped, then 3 kept + 1 dropped
    expect(run.batches.map((b) => b.flows.get('orders')!.num_output_rows)).toEqual([2, 3]);
    expect(run.batches.map((b) => b.flows.get('orders')!.dropped_records)).toEqual([2, 1]);
    expect(run.batches.map((b) => b.flows.get('orders')!.status)).toEqual(['COMPLETED', 'COMPLETED']);

    // the materialized view equals the aggregate over all kept rows, worked out by hand
    expect(run.rows('dept_totals')).toEqual([
      { dept: null, n: 1, total: 7, avg_amount: 7, customers: 1, biggest: 7 },
      { dept: 'A', n: 3, total: 42.5, avg_amount: 42.5 / 3, customers: 1, biggest: 30 },
      { dept: 'B', n: 1, total: 20, avg_amount: 20, customers: 0, biggest: 20 },
    ]);
    // ... and computed from scratch in one step over the final table
    const oneShot = new AggregateOperator(ORDERS, [['dept', col('dept').node]], [
      ['n', count().node], ['total', sum('amount').node], ['avg_amount', avg('amount').node], ['customers', countDistinct('name').node], ['biggest', max('amount').node],
    ], null);
    oneShot.add(batchFromRows(ORDERS, run.rows('orders')));
    expect(run.rows('dept_totals')).toEqual(batchToRows(oneShot.result()));
    // a global aggregate is one row even when no row reaches it
    expect(run.rows('big_orders')).toEqual([{ n: 0, total: null }]);
    // the MV's metrics show its whole contents after each batch
    expect(run.batches.map((b) => b.flows.get('dept_totals')!.num_output_rows)).toEqual([2, 3]);
  });

  it('one batch of all the rows gives the same tables as two batches', async () => {
    const two = await runPipeline(ordersPipeline(), { rows: { src: [batch1, batch2] } });
    const one = await runPipeline(ordersPipeline(), { rows: { src: [...batch1, ...batch2] } });
    expect(one.batches).toHaveLength(1);
    expect(one.tables).toEqual(two.tables);
    expect(one.expectation('orders', 'valid_id')).toEqual(two.expectation('orders', 'valid_id'));
    // the reference: concatenating the batches first
    const all = concatBatches(ORDERS, [batchFromRows(ORDERS, batch1), batchFromRows(ORDERS, batch2)]);
    expect(all.length).toBe(8);
  });

  it('a fail expectation fails the batch: EXPECTATION_FAILED, downstream flows SKIPPED, nothing of it committed', async () => {
    const src = rowsSource('events', { id: 'int', kind: 'string', qty: 'int' });
    const bronze = streamingTable('bronze', { query: src });
    const silver = streamingTable('silver', { query: stream('bronze').select('id', 'kind', 'qty'), expectOrFail: { qty_positive: col('qty').gt(0) } });
    const silverCopy = streamingTable('silver_copy', { query: stream('silver').filter(col('kind').ne('skip')) });
    const gold = materializedView('gold', { query: read('silver').groupBy('kind').agg({ n: count(), qty: sum('qty') }) });
    const side = materializedView('side', { query: read('bronze').agg({ n: count() }) });
    const p = definePipeline([bronze, silver, silverCopy, gold, side]);

    const b1: Row[] = [{ id: 1, kind: 'a', qty: 2 }, { id: 2, kind: 'b', qty: 3 }];
    const b2: Row[] = [{ id: 3, kind: 'a', qty: 1 }, { id: 4, kind: 'b', qty: 0 }, { id: 5, kind: 'a', qty: null }];
    const b3: Row[] = [{ id: 6, kind: 'a', qty: 9 }];
    const run = await runPipeline(p, { rows: { events: [b1, b2, b3] } });

    expect(run.failure).toBeInstanceOf(RuntimeFailure);
    expect(run.failure!.code).toBe('EXPECTATION_FAILED');
    // the first offending row of the batch (qty 0), not the later NULL one
    expect(run.failure!.params).toMatchObject({ table: 'silver', expectation: 'qty_positive', row: { id: 4, kind: 'b', qty: 0 } });
    expect(run.failure!.origin?.table).toBe('silver');
    expect(run.failure!.origin?.file).toMatch(/testing-api\.test\.ts$/);

    // the run stops at the failed batch
    expect(run.batches).toHaveLength(2);
    const flows = run.batches[1].flows;
    expect(run.batches[1].failure).toBe(run.failure);
    expect(flows.get('silver')!.status).toBe('FAILED');
    expect(flows.get('silver')!.error?.code).toBe('EXPECTATION_FAILED');
    expect(flows.get('silver_copy')!.status).toBe('SKIPPED');
    expect(flows.get('gold')!.status).toBe('SKIPPED');
    // datasets not downstream of the failure still complete
    expect(flows.get('bronze')!.status).toBe('COMPLETED');
    expect(flows.get('side')!.status).toBe('COMPLETED');
    expect(run.batches[0].flows.get('silver')!.status).toBe('COMPLETED');

    // silver and its consumers show the first batch only; bronze has both
    expect(run.rows('bronze').map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
    expect(run.rows('silver').map((r) => r.id)).toEqual([1, 2]);
    expect(run.rows('silver_copy').map((r) => r.id)).toEqual([1, 2]);
    expect(run.rows('gold')).toEqual([{ kind: 'a', n: 1, qty: 2 }, { kind: 'b', n: 1, qty: 3 }]);
    expect(run.rows('side')).toEqual([{ n: 5 }]);
  });
});

describe('runPipeline: dedup, stream-static join and a windowed aggregate with a watermark', () => {
  it('closes windows as the watermark passes them, counts late rows, and runs a closing batch', async () => {
    const MIN = 60_000_000;
    const t0 = Date.UTC(2024, 0, 1) * 1000;
    const bronze = streamingTable('bronze', { query: rowsSource('ev', { id: 'int', k: 'string', t: 'timestamp' }) });
    const dedup = streamingTable('dedup', { query: stream('bronze').dropDuplicates(['id']) });
    const ref = materializedView('ref', { query: rowsSource('refs', { k: 'string', label: 'string' }) });
    const joined = view('joined', { query: stream('dedup').leftJoin(read('ref'), 'k') });
    const win = streamingTable('win', { query: stream('joined').withWatermark('t', '5 minutes').groupBy(tumbling('t', '10 minutes'), 'label').agg({ n: count() }) });
    const run = await runPipeline(definePipeline([bronze, dedup, ref, joined, win]), { rows: {
      refs: [[{ k: 'a', label: 'A' }, { k: 'b', label: 'B' }]],
      ev: [
        // batch 0: id 1 twice (the second dropped by dedup); k 'z' has no label
        [{ id: 1, k: 'a', t: t0 + 1 * MIN }, { id: 1, k: 'b', t: t0 + 2 * MIN }, { id: 2, k: 'z', t: t0 + 3 * MIN }],
        // batch 1 (watermark t0-2min): id 4 at +2min is still on time; id 2 is a duplicate (its time never reaches the watermark)
        [{ id: 3, k: 'b', t: t0 + 16 * MIN }, { id: 2, k: 'a', t: t0 + 17 * MIN }, { id: 4, k: 'a', t: t0 + 2 * MIN }],
        // batch 2 (watermark 16min-5min = t0+11min): id 6 at +5min is late, its window [0, 10) ended
        [{ id: 5, k: 'b', t: t0 + 40 * MIN }, { id: 6, k: 'a', t: t0 + 5 * MIN }],
      ],
    } });
    expect(run.failure).toBe(null);
    expect(run.rows('dedup').map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(run.rows('joined').map((r) => [r.id, r.label])).toEqual([[1, 'A'], [2, null], [3, 'B'], [4, 'A'], [5, 'B'], [6, 'A']]);
    // batch 2 closes [0, 10); the closing batch (watermark t0+35min) closes [10, 20); [40, 50) stays open
    expect(run.batches).toHaveLength(4);
    expect(run.batches.map((b) => b.flows.get('win')!.watermark_us)).toEqual([null, t0 - 2 * MIN, t0 + 11 * MIN, t0 + 35 * MIN]);
    expect(run.batches.map((b) => b.flows.get('win')!.num_output_rows)).toEqual([0, 0, 2, 1]);
    expect(run.rows('win')).toEqual([
      { window_start: t0, window_end: t0 + 10 * MIN, label: null, n: 1 },
      { window_start: t0, window_end: t0 + 10 * MIN, label: 'A', n: 2 },
      { window_start: t0 + 10 * MIN, window_end: t0 + 20 * MIN, label: 'B', n: 1 },
    ]);
    expect(run.totals('win')).toMatchObject({ num_output_rows: 3, late_records: 1, null_event_time_records: 0 });
  });
});

describe('runPipeline with in-memory files', () => {
  const csvPipeline = () => {
    const raw = streamingTable('raw', {
      query: readCsv({ glob: 'visits_*.csv', schema: { id: 'int', name: 'string', visit_date: 'date', cost: 'double' } }),
      expectOrDrop: { valid_id: col('id').isNotNull() },
    });
    const perDay = materializedView('per_day', { query: read('raw').groupBy('visit_date').agg({ visits: count(), cost: sum('cost') }) });
    return definePipeline([raw, perDay]);
  };
  const files = {
    'visits_002.csv': 'id,name,visit_date,cost\n3,cy,2024-01-02,5\n',
    'visits_001.csv': 'id,name,visit_date,cost\n1,ann,2024-01-01,10.5\n\n2, bob ,2024-01-01,oops\nx,dan,2024-01-02,1\n',
    'other.csv': 'id\n99\n',
  };

  it('reads the files in name order, with metadata columns; unconvertible values are rescued', async () => {
    const run = await runPipeline(csvPipeline(), { files });
    expect(run.failure).toBe(null);
    expect(run.batches).toHaveLength(1);
    const at = Date.UTC(2024, 0, 1) * 1000;
    expect(run.rows('raw')).toEqual([
      { id: 1, name: 'ann', visit_date: 19723, cost: 10.5, _rescued_data: null, _source_file: 'visits_001.csv', _line: 2, _ingested_at: at },
      { id: 2, name: 'bob', visit_date: 19723, cost: null, _rescued_data: '{"cost":"oops"}', _source_file: 'visits_001.csv', _line: 4, _ingested_at: at },
      { id: 3, name: 'cy', visit_date: 19724, cost: 5, _rescued_data: null, _source_file: 'visits_002.csv', _line: 2, _ingested_at: at },
    ]);
    expect(run.expectation('raw', 'valid_id')).toMatchObject({ passed_records: 3, failed_records: 1 });
    expect(run.totals('raw')).toMatchObject({ num_output_rows: 3, dropped_records: 1 });
    expect(run.rows('per_day')).toEqual([
      { visit_date: 19723, visits: 2, cost: 10.5 },
      { visit_date: 19724, visits: 1, cost: 5 },
    ]);
  });

  it('one file per batch gives the same tables', async () => {
    const all = await runPipeline(csvPipeline(), { files });
    const one = await runPipeline(csvPipeline(), { files, maxFilesPerTrigger: 1 });
    expect(one.batches).toHaveLength(2);
    expect(one.batches.map((b) => b.flows.get('raw')!.num_output_rows)).toEqual([2, 1]);
    expect(one.tables).toEqual(all.tables);
  });

  it('no matching file: empty tables, no failure', async () => {
    const run = await runPipeline(csvPipeline(), { files: { 'other.csv': 'id\n1\n' } });
    expect(run.failure).toBe(null);
    expect(run.rows('raw')).toEqual([]);
    expect(run.rows('per_day')).toEqual([]);
  });
});
