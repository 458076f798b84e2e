import { it, expect } from 'vitest';
import { col, count, read, rowsSource, stream, sum, tumbling } from '../engine/expr/builder.js';
import { definePipeline, materializedView, streamingTable, view } from '../engine/dataset.js';
import { runPipeline } from '../engine/testing.js';
import { parseTimestampUs } from '../engine/sources/csv-values.js';
const ts = (s: string) => parseTimestampUs(s)!;
it('probe', async () => {
  const src = rowsSource('ev', { id: 'int', k: 'string', t: 'timestamp' });
  const bronze = streamingTable('bronze', { query: src });
  const dedup = streamingTable('dedup', { query: stream('bronze').dropDuplicates(['id']) });
  const ref = materializedView('ref', { query: rowsSource('refs', { k: 'string', label: 'string' }) });
  const joined = view('joined', { query: stream('dedup').leftJoin(read('ref'), 'k') });
  const win = streamingTable('win', { query: stream('joined').withWatermark('t', '5 minutes').groupBy(tumbling('t', '10 minutes'), 'label').agg({ n: count() }) });
  const mv = materializedView('per_label', { query: read('dedup').join(read('ref'), 'k').groupBy('label').agg({ n: count() }) });
  const p = definePipeline([bronze, dedup, ref, joined, win, mv]);
  const run = await runPipeline(p, { rows: {
    refs: [[{ k: 'a', label: 'A' }, { k: 'b', label: 'B' }]],
    ev: [[{ id: 1, k: 'a', t: ts('2024-01-01T00:01:00Z') }, { id: 1, k: 'b', t: ts('2024-01-01T00:02:00Z') }, { id: 2, k: 'z', t: ts('2024-01-01T00:03:00Z') }],
         [{ id: 3, k: 'b', t: ts('2024-01-01T00:16:00Z') }, { id: 2, k: 'a', t: ts('2024-01-01T00:17:00Z') }, { id: 4, k: 'a', t: ts('2024-01-01T00:02:00Z') }],
         [{ id: 5, k: 'b', t: ts('2024-01-01T00:40:00Z') }]],
  } });
  console.log(run.failure, JSON.stringify(run.tables, null, 0));
  console.log(run.batches.map(b => [...b.flows.values()].map(f => `${f.dataset}:${f.status}:${f.num_output_rows}:${f.late_records}:${f.watermark_us}`).join(' ')));
});
