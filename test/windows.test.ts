/**
 * Event-time windows and watermarks, step by step.
 *
 * - window assignment: epoch alignment, boundaries, a row exactly on a window
 *   end, sliding overlap, DATEs at 00:00 UTC, definition errors;
 * - the watermark, driven batch by batch with the testing API (`pushRows`,
 *   `tick`, `watermark`, `emitted`, `flowMetrics`) over `rowsSource`
 *   pipelines: how it advances, that it never goes back, the minimum over two
 *   inputs, eviction, late pairs dropped with their counts, NULL event times,
 *   append emission exactly once, the complete view of the same windows, the
 *   closing batch of a triggered run, and state that survives a save/load;
 * - the patient time-series views compared with DuckDB over the same silver
 *   rows (epoch-aligned windows written as arithmetic on epoch microseconds,
 *   not with time_bucket, whose default origin is 2000-01-03).
 */
import * as v8 from 'node:v8';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchFromRows, batchToRows, columnFromValues, schemaOf } from '../engine/batch.js';
import type { Schema } from '../engine/ir/types.js';
import type { WindowSpec } from '../engine/ir/plan.js';
import { col, count, read, rowsSource, sliding, stream, sum, tumbling } from '../engine/expr/builder.js';
import { definePipeline, materializedView, streamingTable } from '../engine/dataset.js';
import { AggregateOperator } from '../engine/operators/aggregate.js';
import { eventTimeUs, windowStarts, US_PER_DAY } from '../engine/operators/window-assign.js';
import { isPipelineError } from '../engine/errors.js';
import { PipelineTester, runPipeline, type PipelineRun, type Row } from '../engine/testing.js';
import { patientPipeline } from '../layers/pipeline.js';
import { Duck, multisetEqual, sqlString } from './helpers/duck.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SEC = 1_000_000;
const MIN = 60 * SEC;
/** 2024-01-01 hh:mm(:ss) UTC in µs. */
const T = (hhmm: string): number => {
  const [h, m, s] = hhmm.split(':').map(Number);
  return Date.UTC(2024, 0, 1, h, m, s ?? 0) * 1000;
};
const spec = (size: number, slide: number): Pick<WindowSpec, 'sizeUs' | 'slideUs'> => ({ sizeUs: size, slideUs: slide });
const code = (f: () => unknown): string => {
  try { f(); } catch (e) { return isPipelineError(e) ? e.code : String(e); }
  return 'no error';
};
const win = (r: Row) => `[${new Date((r.window_start as number) / 1000).toISOString().slice(11, 16)},${new Date((r.window_end as number) / 1000).toISOString().slice(11, 16)})`;

// ---------------------------------------------------------------- window assignment

describe('window assignment (step)', () => {
  it('tumbling: epoch-aligned, [start, end): a row exactly on an end belongs to the next window only', () => {
    const w = spec(5 * MIN, 5 * MIN);
    expect(windowStarts(T('12:00'), w)).toEqual([T('12:00')]);
    expect(windowStarts(T('12:04:59'), w)).toEqual([T('12:00')]);
    expect(windowStarts(T('12:05') - 1, w)).toEqual([T('12:00')]);
    expect(windowStarts(T('12:05'), w)).toEqual([T('12:05')]);
    // 15-minute windows start on the quarter hour (aligned to the epoch, not to the first row)
    expect(windowStarts(T('12:07'), spec(15 * MIN, 15 * MIN))).toEqual([T('12:00')]);
    expect(windowStarts(T('12:15'), spec(15 * MIN, 15 * MIN))).toEqual([T('12:15')]);
  });

  it('sliding: a row is in size/slide overlapping windows; on a boundary the window ending there is left out', () => {
    const w = spec(15 * MIN, 5 * MIN);
    expect(windowStarts(T('12:07'), w)).toEqual([T('11:55'), T('12:00'), T('12:05')]);
    // 12:10 is the end of [11:55, 12:10): not in it
    expect(windowStarts(T('12:10'), w)).toEqual([T('12:00'), T('12:05'), T('12:10')]);
    expect(windowStarts(T('12:10') - 1, w)).toEqual([T('11:55'), T('12:00'), T('12:05')]);
    // 7-day windows sliding by a day: 7 windows per row
    expect(windowStarts(T('12:00'), spec(7 * US_PER_DAY, US_PER_DAY))).toHaveLength(7);
    // a slide that does not divide the size: starts t − (t mod slide) − k·slide with start ≤ t < start + size
    expect(windowStarts(25 * MIN, spec(10 * MIN, 4 * MIN))).toEqual([16 * MIN, 20 * MIN, 24 * MIN]);
  });

  it('a DATE is taken at 00:00 UTC; one-day windows hold exactly that day; weeks are epoch-aligned (Thursdays)', () => {
    const d = columnFromValues('date', [19723, null]); // 2024-01-01
    expect(eventTimeUs(d, 0)).toBe(Date.UTC(2024, 0, 1) * 1000);
    expect(eventTimeUs(d, 1)).toBeNull();
    expect(windowStarts(eventTimeUs(d, 0)!, spec(US_PER_DAY, US_PER_DAY))).toEqual([Date.UTC(2024, 0, 1) * 1000]);
    expect(windowStarts(eventTimeUs(d, 0)!, spec(7 * US_PER_DAY, 7 * US_PER_DAY))).toEqual([Date.UTC(2023, 11, 28) * 1000]);
  });

  it('sizes from seconds to weeks; months, years, bad sizes and slide > size are coded definition errors', () => {
    expect(tumbling('t', '30 seconds').spec.sizeUs).toBe(30 * SEC);
    expect(sliding('t', '1 week', '1 day').spec).toMatchObject({ sizeUs: 7 * US_PER_DAY, slideUs: US_PER_DAY });
    expect(code(() => tumbling('t', '1 month'))).toBe('UNSUPPORTED_DURATION_UNIT');
    expect(code(() => sliding('t', '1 year', '1 day'))).toBe('UNSUPPORTED_DURATION_UNIT');
    expect(code(() => tumbling('t', 'fifteen minutes'))).toBe('INVALID_DURATION');
    expect(code(() => sliding('t', '5 minutes', '10 minutes'))).toBe('INVALID_WINDOW');
    expect(code(() => tumbling('t', '0'))).toBe('INVALID_WINDOW');
  });

  it('in an aggregate: only windows holding a row exist; every (row, window) pair counts once', () => {
    const s: Schema = [{ name: 't', type: 'timestamp' }];
    const op = new AggregateOperator(s, [], [['n', count().node]], sliding('t', '15 minutes', '5 minutes').spec);
    op.add(batchFromRows(s, [{ t: T('12:00') }, { t: T('12:10') }, { t: T('12:14:59') }]));
    const out = batchToRows(op.result());
    expect(out.map((r) => `${win(r)}=${r.n}`)).toEqual([
      '[11:50,12:05)=1', '[11:55,12:10)=1', '[12:00,12:15)=3', '[12:05,12:20)=2', '[12:10,12:25)=2',
    ]);
    expect(out.reduce((a, r) => a + (r.n as number), 0)).toBe(3 * 3);
    expect(op.schema.map((f) => `${f.name}:${f.type}`)).toEqual(['window_start:timestamp', 'window_end:timestamp', 'n:long']);
  });
});

describe('sliding windows against a brute force (random rows, several keys per batch)', () => {
  for (const [size, slide] of [['15 minutes', '5 minutes'], ['10 minutes', '3 minutes'], ['1 day', '1 day'], ['7 days', '1 day']] as const) {
    it(`${size} sliding by ${slide}`, () => {
      const s = schemaOf([{ name: 't', type: 'timestamp' }, { name: 'k', type: 'string' }, { name: 'v', type: 'int' }]);
      const w = sliding('t', size, slide).spec;
      const op = new AggregateOperator(s, [['k', col('k').node]], [['n', count().node], ['total', sum('v').node]], w);
      let seed = 5;
      const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
      const all: Row[] = [];
      for (let b = 0; b < 6; b++) {
        // a few distinct times per batch, each repeated, so that rows of one key share a slide
        const times = Array.from({ length: 4 }, () => T('12:00') + Math.floor(rnd() * 3 * w.sizeUs / 1e6) * 1e6);
        const rows = Array.from({ length: 60 }, () => ({ t: times[Math.floor(rnd() * times.length)] + (rnd() < 0.3 ? Math.floor(rnd() * 400) * 1e6 : 0), k: ['a', 'b', 'c'][Math.floor(rnd() * 3)], v: Math.floor(rnd() * 10) }));
        all.push(...rows);
        op.add(batchFromRows(s, rows));
      }
      const expected = new Map<string, { n: number; total: number }>();
      for (const r of all) {
        const t = r.t as number;
        for (let start = t - (((t % w.slideUs) + w.slideUs) % w.slideUs); start > t - w.sizeUs; start -= w.slideUs) {
          const key = `${start}|${start + w.sizeUs}|${r.k}`;
          const e = expected.get(key) ?? { n: 0, total: 0 };
          e.n++; e.total += r.v as number;
          expected.set(key, e);
        }
      }
      const got = batchToRows(op.result()).map((r) => `${r.window_start}|${r.window_end}|${r.k} ${r.n} ${r.total}`).sort();
      expect(got).toEqual([...expected].map(([k, e]) => `${k} ${e.n} ${e.total}`).sort());
    });
  }
});

// ---------------------------------------------------------------- watermark, with the testing API

/** events (rowsSource) -> `events` streaming table -> windowed streaming table + the complete view of the same windows. */
function eventsPipeline(opts: { size?: string; slide?: string; delay?: string } = {}) {
  const size = opts.size ?? '5 minutes';
  const slide = opts.slide ?? size;
  const window = () => sliding('t', size, slide);
  const events = streamingTable('events', { query: rowsSource('src', { t: 'timestamp', k: 'string', v: 'int' }) });
  const perWindow = streamingTable('per_window', {
    query: stream(events).withWatermark('t', opts.delay ?? '0 seconds').groupBy(window(), 'k').agg({ n: count(), total: sum('v') }),
  });
  const allWindows = materializedView('all_windows', { query: read(events).groupBy(window(), 'k').agg({ n: count(), total: sum('v') }) });
  return definePipeline([events, perWindow, allWindows]);
}

const windows = (rows: Row[]) => rows.map((r) => `${win(r)} ${r.k} n=${r.n}`).sort();
const aggOf = (t: PipelineTester, dataset: string) => t.runner.executor.flows.get(dataset)!.stateful.find((s) => s.op instanceof AggregateOperator)!.op as AggregateOperator;

describe('watermark (step, PipelineTester)', () => {
  it('advances to max(event time of earlier batches) − delay, applied from the next batch', async () => {
    const t = new PipelineTester(eventsPipeline({ delay: '10 minutes' }));
    expect(t.watermark('per_window')).toBeNull();
    await t.pushRows({ src: [{ t: T('12:02'), k: 'a' }, { t: T('12:10'), k: 'a' }, { t: T('12:05'), k: 'b' }] });
    // the batch itself ran without a watermark
    expect(t.flowMetrics('per_window')[0].watermark_us).toBeNull();
    expect(t.watermark('per_window')).toBe(T('12:00'));
    await t.pushRows({ src: [{ t: T('12:20'), k: 'a' }] });
    expect(t.flowMetrics('per_window')[1].watermark_us).toBe(T('12:00'));
    expect(t.watermark('per_window')).toBe(T('12:10'));
    // a dataset without a watermark has none
    expect(t.watermark('events')).toBeNull();
    expect(t.flowMetrics('events').map((m) => m.watermark_us)).toEqual([null, null]);
  });

  it('never moves back: a batch of older rows leaves it where it was (and its rows are late)', async () => {
    const t = new PipelineTester(eventsPipeline({ delay: '10 minutes' }));
    await t.pushRows({ src: [{ t: T('12:30'), k: 'a' }] });
    expect(t.watermark('per_window')).toBe(T('12:20'));
    const r = await t.pushRows({ src: [{ t: T('12:01'), k: 'a' }, { t: T('12:14'), k: 'a' }] });
    expect(t.watermark('per_window')).toBe(T('12:20'));
    expect(r.watermarkMoved).toBe(false);
    expect(t.flowMetrics('per_window')[1]).toMatchObject({ watermark_us: T('12:20'), late_records: 2 });
    await t.tick();
    expect(t.watermark('per_window')).toBe(T('12:20'));
  });

  it('append mode: a window is emitted once, by the first batch whose watermark reaches its end; a later row for it is late', async () => {
    // the reference case: 5-minute windows, delay 0
    const t = new PipelineTester(eventsPipeline());
    await t.pushRows({ src: [{ t: T('12:03'), k: 'a', v: 1 }] });
    expect(t.emitted('per_window')).toEqual([]);
    await t.pushRows({ src: [{ t: T('12:06'), k: 'a', v: 2 }] });
    // the watermark of batch 2 was 12:03: [12:00,12:05) is not closed yet
    expect(t.flowMetrics('per_window')[1].watermark_us).toBe(T('12:03'));
    expect(t.emitted('per_window')).toEqual([]);
    expect(t.watermark('per_window')).toBe(T('12:06'));
    // the batch after (here without data) emits it
    await t.tick();
    expect(t.emitted('per_window')).toEqual([{ window_start: T('12:00'), window_end: T('12:05'), k: 'a', n: 1, total: 1 }]);
    expect(t.flowMetrics('per_window')[2]).toMatchObject({ watermark_us: T('12:06'), num_output_rows: 1, late_records: 0 });
    // a 12:04 row now is late: dropped and counted, the window is not emitted again
    await t.pushRows({ src: [{ t: T('12:04'), k: 'a', v: 10 }] });
    expect(t.flowMetrics('per_window')[3]).toMatchObject({ late_records: 1, num_output_rows: 0 });
    expect(t.emitted('per_window')).toEqual([]);
    await t.tick();
    await t.pushRows({ src: [{ t: T('12:20'), k: 'a', v: 3 }] });
    await t.tick();
    expect(t.emitted('per_window').map((r) => win(r))).toEqual(['[12:05,12:10)']);
    const table = (await t.table('per_window')).rows;
    expect(windows(table)).toEqual(['[12:00,12:05) a n=1', '[12:05,12:10) a n=1']);
    // the materialized view over the same rows shows every window with current values, the late row and the open window included
    expect(windows((await t.table('all_windows')).rows)).toEqual(['[12:00,12:05) a n=2', '[12:05,12:10) a n=1', '[12:20,12:25) a n=1']);
  });

  it('evicts the state of the windows the watermark passed; state holds only the open windows', async () => {
    const t = new PipelineTester(eventsPipeline());
    await t.pushRows({ src: [{ t: T('12:01'), k: 'a' }, { t: T('12:02'), k: 'b' }, { t: T('12:07'), k: 'a' }, { t: T('12:11'), k: 'c' }] });
    const op = aggOf(t, 'per_window');
    expect(op.groupCount).toBe(4);
    await t.tick(); // watermark 12:11: [12:00,12:05) and [12:05,12:10) close
    expect(t.emitted('per_window')).toHaveLength(3);
    expect(op.groupCount).toBe(1);
    expect(batchToRows(op.result()).map((r) => win(r))).toEqual(['[12:10,12:15)']);
    await t.pushRows({ src: [{ t: T('13:00'), k: 'z' }] });
    await t.tick();
    expect(op.groupCount).toBe(1); // only [13:00,13:05) z
    expect(t.emitted('per_window').map((r) => `${win(r)} ${r.k}`)).toEqual(['[12:10,12:15) c']);
  });

  it('sliding windows: only the (row, window) pairs behind the watermark are dropped; a row counts as late only when all its pairs are', async () => {
    const t = new PipelineTester(eventsPipeline({ size: '15 minutes', slide: '5 minutes', delay: '5 minutes' }));
    await t.pushRows({ src: [{ t: T('12:25'), k: 'a', v: 0 }] });
    expect(t.watermark('per_window')).toBe(T('12:20'));
    await t.pushRows({
      src: [
        { t: T('12:12'), k: 'a', v: 1 }, // windows ending 12:15, 12:20 (dropped), 12:25 (kept): not late
        { t: T('12:16'), k: 'a', v: 8 }, // windows ending 12:20 (dropped), 12:25, 12:30 (kept): not late
        { t: T('12:04'), k: 'a', v: 2 }, // windows ending 12:05, 12:10, 12:15: all dropped, late
        { t: T('12:05'), k: 'a', v: 4 }, // windows ending 12:10, 12:15, 12:20 (= the watermark): all dropped, late
      ],
    });
    expect(t.flowMetrics('per_window')[1]).toMatchObject({ watermark_us: T('12:20'), late_records: 2 });
    await t.pushRows({ src: [{ t: T('13:00'), k: 'a', v: 0 }] });
    await t.tick();
    const out = (await t.table('per_window')).rows.map((r) => `${win(r)} n=${r.n} total=${r.total}`).sort();
    expect(out).toEqual([
      '[12:10,12:25) n=2 total=9',
      '[12:15,12:30) n=2 total=8',
      '[12:20,12:35) n=1 total=0',
      '[12:25,12:40) n=1 total=0',
    ]);
  });

  it('NULL event times are dropped and counted by the windowed aggregate; they do not move the watermark', async () => {
    const t = new PipelineTester(eventsPipeline());
    await t.pushRows({ src: [{ t: null, k: 'a' }, { t: T('12:01'), k: 'a' }, { t: null, k: 'b' }] });
    expect(t.flowMetrics('per_window')[0]).toMatchObject({ null_event_time_records: 2, late_records: 0 });
    // the incrementally maintained view counts them too (it shows no window for them)
    expect(t.flowMetrics('all_windows')[0]).toMatchObject({ null_event_time_records: 2 });
    expect(t.flowMetrics('events')[0]).toMatchObject({ null_event_time_records: 0, num_output_rows: 3 });
    expect(t.watermark('per_window')).toBe(T('12:01'));
    // a batch of NULL times only: counted, the watermark stays
    const r = await t.pushRows({ src: [{ t: null, k: 'c' }] });
    expect(r.watermarkMoved).toBe(false);
    expect(t.flowMetrics('per_window')[1]).toMatchObject({ null_event_time_records: 1, watermark_us: T('12:01') });
    expect(windows((await t.table('all_windows')).rows)).toEqual(['[12:00,12:05) a n=1']);
    const run = await runPipeline(eventsPipeline(), { rows: { src: [[{ t: null, k: 'a' }], [{ t: null, k: 'b' }, { t: T('12:00'), k: 'b' }]] } });
    expect(run.totals('per_window')).toMatchObject({ null_event_time_records: 2, late_records: 0 });
  });

  it('with two watermarked inputs the minimum wins; it is unset until both have seen a row; an idle input keeps its value', async () => {
    const a = rowsSource('a', { t: 'timestamp', k: 'string' });
    const b = rowsSource('b', { t: 'timestamp', k: 'string' });
    const both = streamingTable('both', {
      query: a.withWatermark('t', '0 seconds').union(b.withWatermark('t', '10 minutes')).groupBy(tumbling('t', '5 minutes'), 'k').agg({ n: count() }),
    });
    const t = new PipelineTester(definePipeline([both]));
    await t.pushRows({ a: [{ t: T('12:30'), k: 'a' }] });
    expect(t.watermark('both')).toBeNull(); // b has seen nothing yet (Spark: its watermark is 0)
    await t.pushRows({ b: [{ t: T('12:20'), k: 'b' }] });
    expect(t.watermark('both')).toBe(T('12:10')); // min(12:30 − 0, 12:20 − 10m)
    await t.pushRows({ a: [{ t: T('13:00'), k: 'a' }] });
    expect(t.watermark('both')).toBe(T('12:10')); // b is idle: min(13:00, 12:10)
    await t.pushRows({ b: [{ t: T('12:50'), k: 'b' }], a: [{ t: T('12:12'), k: 'a' }] });
    // 12:12 is in [12:10,12:15), which ends after the 12:10 watermark: kept
    expect(t.flowMetrics('both')[3]).toMatchObject({ watermark_us: T('12:10'), late_records: 0 });
    expect(t.watermark('both')).toBe(T('12:40'));
    await t.tick();
    expect(t.emitted('both').map((r) => `${win(r)} ${r.k} n=${r.n}`)).toEqual(['[12:10,12:15) a n=1', '[12:20,12:25) b n=1', '[12:30,12:35) a n=1']);
  });

  it('a triggered run ends with one batch without data when its last batch moved the watermark, and only then', async () => {
    const moved = await runPipeline(eventsPipeline(), { rows: { src: [[{ t: T('12:01'), k: 'a' }], [{ t: T('12:07'), k: 'a' }]] } });
    expect(moved.batches).toHaveLength(3);
    expect(windows(moved.rows('per_window'))).toEqual(['[12:00,12:05) a n=1']);
    expect(moved.tester.emitted('per_window', 2)).toHaveLength(1);
    // the last batch did not move the watermark (its rows are older): nothing left to close, no extra batch
    const still = await runPipeline(eventsPipeline(), { rows: { src: [[{ t: T('12:07'), k: 'a' }], [{ t: T('12:06'), k: 'b' }]] } });
    expect(still.batches).toHaveLength(2);
    expect(still.rows('per_window')).toEqual([]);
    // [12:05,12:10) is still open: it stays in state for a later run
    expect(aggOf(still.tester, 'per_window').groupCount).toBe(2);
  });

  it('open windows and the watermark survive a save and load of the executor state, and close exactly once afterwards', async () => {
    const t1 = new PipelineTester(eventsPipeline({ delay: '5 minutes' }));
    await t1.pushRows({ src: [{ t: T('12:01'), k: 'a', v: 1 }, { t: T('12:09'), k: 'a', v: 2 }] });
    await t1.tick(); // watermark 12:04: nothing closes
    const saved = JSON.parse(JSON.stringify(t1.runner.executor.saveState()));
    expect(saved.watermarks.per_window).toEqual({ 'r.0:watermark': T('12:04') });
    const t2 = new PipelineTester(eventsPipeline({ delay: '5 minutes' }));
    t2.runner.executor.loadState(saved);
    expect(t2.watermark('per_window')).toBe(T('12:04'));
    expect(v8.deserialize(aggOf(t2, 'per_window').snapshot())).toEqual(v8.deserialize(aggOf(t1, 'per_window').snapshot()));
    await t2.pushRows({ src: [{ t: T('12:03'), k: 'a', v: 4 }, { t: T('12:16'), k: 'a', v: 8 }] });
    await t2.tick();
    expect(windows((await t2.table('per_window')).rows)).toEqual(['[12:00,12:05) a n=2', '[12:05,12:10) a n=1']);
  });
});

// ---------------------------------------------------------------- patient time series vs DuckDB

/** Epoch-aligned windows over a relation `src(t BIGINT µs, …)`: arithmetic on epoch microseconds. */
const WINDOW_MACROS = `
  CREATE OR REPLACE MACRO last_start(t, slide) AS t - (((t % slide) + slide) % slide);
  -- every (row, window) pair: starts t − (t mod slide) − k·slide with start + size > t
  CREATE OR REPLACE MACRO pairs(size, slide) AS TABLE
    SELECT s.*, last_start(s.t, slide) - k * slide AS ws, last_start(s.t, slide) - k * slide + size AS we
    FROM src s, range(0, CAST(ceil(size / slide) AS BIGINT)) r(k)
    WHERE s.t IS NOT NULL AND last_start(s.t, slide) - k * slide + size > s.t;
`;

describe.each([
  { name: 'data/', dir: path.join(ROOT, 'data') },
  { name: 'dirty fixture', dir: path.join(ROOT, 'test', 'fixtures', 'dirty') },
])('patient time series over $name == DuckDB over the same silver rows', ({ dir }) => {
  let out: string;
  let run: PipelineRun;
  let duck: Duck;
  beforeAll(async () => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'windows-gold-'));
    run = await runPipeline(patientPipeline, { input: dir, output: out });
    duck = await Duck.open();
    await duck.run(`CREATE TABLE silver AS SELECT * FROM read_parquet(${sqlString(path.join(out, 'tables', 'patients_silver', '*.parquet'))})`);
    await duck.run(`CREATE VIEW src AS SELECT *, epoch_us(admission_date::TIMESTAMP) AS t FROM silver`);
    await duck.run(WINDOW_MACROS);
  }, 60_000);
  afterAll(() => {
    duck?.close();
    if (out) fs.rmSync(out, { recursive: true, force: true });
  });

  const DAY = US_PER_DAY;
  it('silver is what the views read', async () => {
    expect(run.failure).toBeNull();
    expect((await duck.all('SELECT count(*) AS n FROM silver'))[0].n).toBe(run.rows('patients_silver').length);
    expect(run.rows('patients_silver').length).toBeGreaterThan(5);
  });

  it('daily_admissions_by_diagnosis: tumbling 1-day windows per diagnosis_description', async () => {
    const expected = await duck.all(`
      SELECT make_timestamp(ws) AS window_start, make_timestamp(we) AS window_end, diagnosis_description,
             count(*) AS admissions, avg(age) AS avg_age
      FROM pairs(${DAY}, ${DAY}) GROUP BY ALL`);
    const actual = run.rows('daily_admissions_by_diagnosis');
    expect(Object.keys(actual[0])).toEqual(['window_start', 'window_end', 'diagnosis_description', 'admissions', 'avg_age']);
    expect(actual.length).toBe(expected.length);
    multisetEqual(actual, expected, { label: 'daily_admissions_by_diagnosis' });
  });

  it('admissions_rolling_7d: 7-day windows sliding by 1 day', async () => {
    const expected = await duck.all(`
      SELECT make_timestamp(ws) AS window_start, make_timestamp(we) AS window_end,
             count(*) AS admissions, avg(age) AS avg_age, count(DISTINCT patient_id) AS unique_patients
      FROM pairs(${7 * DAY}, ${DAY}) GROUP BY ALL`);
    const actual = run.rows('admissions_rolling_7d');
    expect(Object.keys(actual[0])).toEqual(['window_start', 'window_end', 'admissions', 'avg_age', 'unique_patients']);
    // every admission day opens 7 windows: the first starts 6 days before the earliest day
    const days = await duck.all('SELECT count(DISTINCT admission_date) AS d, min(admission_date) AS first FROM silver');
    expect(actual.length).toBeGreaterThanOrEqual(7);
    expect(Math.min(...actual.map((r) => r.window_start as number))).toBe(Date.parse(`${days[0].first}T00:00:00Z`) * 1000 - 6 * DAY);
    multisetEqual(actual, expected, { label: 'admissions_rolling_7d' });
  });

  it('time_bucket\'s default origin would disagree for 7-day windows (why the SQL above uses epoch arithmetic)', async () => {
    const [r] = await duck.all(`SELECT epoch_us(time_bucket(INTERVAL 7 DAY, TIMESTAMP '2024-01-01')) AS tb, last_start(epoch_us(TIMESTAMP '2024-01-01'), ${7 * DAY}) AS epoch_aligned`);
    expect(r.epoch_aligned).toBe(Date.UTC(2023, 11, 28) * 1000);
    expect(r.tb).not.toBe(r.epoch_aligned);
  });
});
