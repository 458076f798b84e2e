import { test } from 'vitest';
import { runPipeline } from '../engine/testing.js';
import { patientPipeline } from '../layers/pipeline.js';
import { compilePipeline } from '../engine/sql/index.js';
import { Duck } from './helpers/duck.js';
test('x', async () => {
  for (const input of ['data', 'test/fixtures/dirty', process.env.EXTRA!].filter(Boolean)) {
    const run = await runPipeline(patientPipeline, { input });
    const { files, main } = compilePipeline(patientPipeline, { dialect: 'duckdb', input });
    const db = await Duck.open(); await db.run(files[main[0]]);
    for (const t of Object.keys(run.tables)) {
      const n = (await db.all(`SELECT count(*) AS n FROM "${t}"`))[0].n;
      console.log(input, t, run.tables[t].length, n);
    }
    const r = await db.all(`SELECT patient_id, age, _rescued_data, _line, _source_file FROM patients_bronze WHERE _rescued_data IS NOT NULL`);
    console.log(r);
    db.close();
  }
}, 60000);
