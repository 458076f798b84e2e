import fs from 'node:fs';
import path from 'node:path';
import { PipelineService } from '/work/main/dist/engine/index.js';
import { patientPipeline } from '/work/main/dist/layers/pipeline.js';
const [input, output, extraDir] = process.argv.slice(2);
const mem = () => `rss=${(process.memoryUsage().rss / 1e6) | 0}`;
let t0 = performance.now();
const { service } = await PipelineService.open({ pipeline: patientPipeline, input, output });
console.error('open', (performance.now() - t0) | 0, 'ms', mem());
t0 = performance.now();
const r0 = await service.runAvailableNow();
console.error('run (no new file)', (performance.now() - t0) | 0, 'ms', r0.length, 'batches', mem());
for (const f of fs.readdirSync(extraDir).filter((x) => x.endsWith('.csv')).sort().slice(0, Number(process.env.NF ?? 4))) {
  fs.copyFileSync(path.join(extraDir, f), path.join(input, f));
  t0 = performance.now();
  await service.runAvailableNow();
  console.error('file', f, (performance.now() - t0) | 0, 'ms', mem());
}
await service.close('COMPLETED');
