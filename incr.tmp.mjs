import fs from 'node:fs';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import { PipelineService } from './dist/engine/runtime/service.js';
import { patientPipeline } from './dist/layers/pipeline.js';
import { generate } from './dist/src/generate/generate.js';
const work = '/tmp/incr';
fs.rmSync(work, { recursive: true, force: true });
const hist = '/work/main/.bench/data-100x10k';
fs.mkdirSync(work + '/in', { recursive: true });
for (const f of fs.readdirSync(hist)) if (f.endsWith('.csv')) fs.symlinkSync(path.join(hist, f), path.join(work, 'in', f));
if (!fs.existsSync('/tmp/incr-base')) {
  const { execFileSync } = await import('node:child_process');
  execFileSync('node', ['dist/run.js', 'replay', work + '/in', '--output', '/tmp/incr-base', '--log-level', 'silent']);
}
fs.cpSync('/tmp/incr-base', work + '/out', { recursive: true });
const extra = work + '/extra';
fs.mkdirSync(extra);
const first = fs.readdirSync(hist).filter((f) => f.startsWith('patients_daily_file_')).length;
fs.writeFileSync(path.join(extra, `patients_daily_file_${String(first - 1).padStart(6, '0')}.csv`), '');
await generate({ out: extra, files: 30, rows: Number(process.env.ROWS ?? 10000), everyMs: 0, seed: 7, log: null });
fs.rmSync(path.join(extra, `patients_daily_file_${String(first - 1).padStart(6, '0')}.csv`));
const files = fs.readdirSync(extra).filter((f) => f.endsWith('.csv')).sort();
const { service } = await PipelineService.open({ pipeline: patientPipeline, input: work + '/in', output: work + '/out', threads: Number(process.env.THREADS ?? 1) });
const s = new Session(); s.connect();
const times = [];
for (const [k, f] of files.entries()) {
  if (k === 10) { await s.post('Profiler.enable'); await s.post('Profiler.setSamplingInterval', { interval: 200 }); await s.post('Profiler.start'); }
  fs.copyFileSync(path.join(extra, f), path.join(work, 'in', f));
  const t0 = performance.now();
  await service.runAvailableNow();
  times.push(performance.now() - t0);
}
const { profile } = await s.post('Profiler.stop');
fs.writeFileSync('/tmp/incr.cpuprofile', JSON.stringify(profile));
await service.close('COMPLETED');
const t = times.slice(10).sort((a, b) => a - b);
console.error('median', t[t.length >> 1].toFixed(1), 'all', times.map((x) => x.toFixed(0)).join(' '));
