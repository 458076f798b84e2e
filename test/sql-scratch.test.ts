import { test } from 'vitest';
import { runPipeline } from '../engine/testing.js';
import { definePipeline, materializedView, readCsv, streamingTable, read, col, count, sum } from '../engine/index.js';
test('x', async () => {
  const src = streamingTable('src', { query: readCsv({ glob: 'a*.csv', schema: { id: 'string', n: 'int' } }) });
  const total = materializedView('total', { query: read(src).filter(col('id').eq('none')).agg({ rows: count(), n_sum: sum('n') }) });
  const run = await runPipeline(definePipeline([src, total]), { files: { 'a1.csv': 'id,n\nx,1\n' } });
  console.log(run.rows('total'));
  const run2 = await runPipeline(definePipeline([src, total]), { files: { } });
  console.log(run2.rows('total'));
}, 60000);
