import { test } from 'vitest';
import * as fs from 'node:fs';
import { compilePipeline } from '../engine/sql/index.js';
import { definePipeline, materializedView, readCsv, streamingTable, view, col, stream, read, count, sum, avg, tumbling, sliding, cast, coalesce, when, udf, length, trim, lit } from '../engine/index.js';
test('x', async () => {
  const src = streamingTable('src', { query: readCsv({ glob: 'src_*.csv', schema: { id: 'string', n: 'int', big: 'long', x: 'double', flag: 'boolean', d: 'date', ts: 'timestamp', s: 'string' } }) });
  const f = udf('f', { returns: 'int', sql: 'abs($1) + 1' }, (v) => (v === null ? null : Math.abs(Number(v)) + 1));
  const exprs = view('exprs', {
    query: stream(src).select({
      id: 'id', a: col('n').plus(col('big')).times(2), b: col('n').div(0), c: col('n').mod(col('big')), e: col('x').between(0, lit(1.5)),
      g: col('s').in('a', 'b'), h: coalesce(col('s'), 'z'), i: when(col('n').gt(1), 'x').otherwise(null), j: cast(col('s'), 'timestamp'),
      k: cast(col('x'), 'int'), l: cast(col('d'), 'string'), m: length(trim(col('s'))), o: f(col('n')), p: col('d').eq('2024-01-01'), q: lit('2024-01-01', 'date'),
      t: col('ts'), r: col('flag').not().or(col('n').isNull()),
    }),
    expectOrDrop: { has_id: col('id').isNotNull() },
    expect: { small: col('a').lt(100) },
    quarantine: 'exprs_bad',
  });
  const windows = streamingTable('windows', {
    query: stream(exprs).withWatermark('t', '5 minutes').groupBy(sliding('t', '10 minutes', '5 minutes'), 'id').agg({ rows: count(), total: sum('a'), mean: avg('c') }),
  });
  const daily = materializedView('daily', { query: read(exprs).groupBy(tumbling('q', '1 day')).agg({ rows: count() }), expectOrFail: { some: col('rows').gt(0) } });
  const joined = materializedView('joined', { query: read(exprs).join(read(daily), { q: 'window_start' }, 'left').select('id', 'rows') });
  const p = definePipeline([src, exprs, windows, daily, joined], { name: 'wide' });
  for (const dialect of ['databricks', 'spark', 'duckdb'] as const) {
    const r = compilePipeline(p, { dialect, input: '/in' });
    for (const [f, c] of Object.entries(r.files)) { const out = `/tmp/wide/${dialect}/${f}`; fs.mkdirSync(out.replace(/\/[^/]*$/, ''), { recursive: true }); fs.writeFileSync(out, c); }
  }
}, 60000);
