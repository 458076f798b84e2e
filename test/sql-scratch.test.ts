import { test } from 'vitest';
import { runPipeline } from '../engine/testing.js';
import { patientPipeline } from '../layers/pipeline.js';
test('x', async () => {
  for (const input of ['data', 'test/fixtures/dirty']) {
    const r = await runPipeline(patientPipeline, { input });
    console.log(input, r.failure?.code, r.failure?.params);
    for (const [t, rows] of Object.entries(r.tables)) { console.log('==', t, rows.length); for (const row of rows.slice(0, 40)) console.log(JSON.stringify(row)); }
  }
}, 60000);
