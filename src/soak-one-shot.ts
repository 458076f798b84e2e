/**
 * The month soak's one-shot replay, as a process of its own
 * (src/bench-soak.ts starts it next to the soak: it needs only the input
 * files, which are known up front, so on two cores both run at once).
 *
 *   node dist/src/soak-one-shot.js '{"pool":…,"batches":…,"input":…,"output":…,"retention":…,"nowMs":…}'
 */
import { oneShot, soakPool } from './soak.js';

interface Args { pool: string; poolBatches: number; batches: number; input: string; output: string; retention: string; nowMs: number }

const a = JSON.parse(process.argv[2] ?? '{}') as Args;
const pool = await soakPool(a.pool, a.poolBatches);
const t = performance.now();
await oneShot(pool, a.batches, a.input, a.output, a.retention, a.nowMs, (n) => {
  if (n % 1000 === 0) process.stderr.write(`one-shot: ${n} batches, ${((performance.now() - t) / 60_000).toFixed(1)} min\n`);
});
process.stderr.write(`one-shot: done in ${((performance.now() - t) / 60_000).toFixed(1)} min\n`);
