/** The entry of a pool worker (engine/runtime/workers.ts): runs tasks, sends results back with their buffers transferred. */
import { parentPort, workerData } from 'node:worker_threads';
import { PerformanceObserver } from 'node:perf_hooks';
import * as fs from 'node:fs';
import * as v8 from 'node:v8';
import { V8_FLAGS } from './worker-share.js';
import { parseSourceFile } from '../sources/parse-file.js';
import { decodeParquetFile } from '../sinks/parquet.js';
import { writeGroup } from '../maintenance/optimize.js';
import { encodeDataBytes } from '../sinks/delta-stats.js';
import { batchBuffers, CLAIM_OPEN, CLAIM_WORKER, type WorkerTask } from './workers.js';

/** Claims of stealable parses and writes, shared with the pool (WorkerPool.stealable). */
const claims = new Int32Array((workerData as { claims: SharedArrayBuffer }).claims);
// V8 settings the main thread asked for (see worker-share.ts): starting a worker thread resets them to the process's own
const v8Flags = (workerData as Record<string, unknown>)[V8_FLAGS];
if (typeof v8Flags === 'string') v8.setFlagsFromString(v8Flags);

// this thread's garbage-collection time since its last answer, sent with each answer (the pool sums it)
let gcMs = 0;
new PerformanceObserver((list) => { for (const e of list.getEntries()) gcMs += e.duration; }).observe({ entryTypes: ['gc'] });
const takeGc = () => { const g = gcMs; gcMs = 0; return g; };

parentPort!.on('message', async (m: { id: number; task: WorkerTask }) => {
  try {
    const t = m.task;
    if (t.kind === 'readParquet') {
      const batch = decodeParquetFile(t.path, t.schema, t.range);
      parentPort!.postMessage({ id: m.id, ok: true, gcMs: takeGc(), value: batch }, batchBuffers(batch));
      return;
    }
    if (t.kind === 'encodeParquet') {
      const { bytes, stats } = encodeDataBytes(t.batch);
      // the bytes own their buffer (copied out of parquet-wasm's memory, or the JS writer's): moved, not copied
      const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
      parentPort!.postMessage({ id: m.id, ok: true, gcMs: takeGc(), value: { bytes: own, stats } }, [own.buffer as ArrayBuffer]);
      return;
    }
    if (t.kind === 'compactFiles') {
      const value = await writeGroup(t.dir, t.table, t.schema, t.files, t.stats);
      parentPort!.postMessage({ id: m.id, ok: true, gcMs: takeGc(), value });
      return;
    }
    if ((t.kind === 'writeParquet' || t.kind === 'parseCsv') && Atomics.compareExchange(claims, t.claim, CLAIM_OPEN, CLAIM_WORKER) !== CLAIM_OPEN) {
      // the main thread took this parse or write back
      parentPort!.postMessage({ id: m.id, ok: true, gcMs: takeGc(), value: null });
      return;
    }
    if (t.kind === 'writeParquet') {
      const { bytes, stats } = encodeDataBytes(t.batch);
      fs.writeFileSync(t.path, bytes);
      parentPort!.postMessage({ id: m.id, ok: true, gcMs: takeGc(), value: { size: bytes.length, stats } });
      return;
    }
    const r = parseSourceFile(Buffer.from(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength), t.options, t.meta);
    parentPort!.postMessage({ id: m.id, ok: true, gcMs: takeGc(), value: r }, batchBuffers(r.batch));
  } catch (e) {
    parentPort!.postMessage({ id: m.id, ok: false, error: { message: (e as Error).message, stack: (e as Error).stack, code: (e as NodeJS.ErrnoException).code, params: (e as { params?: unknown }).params } });
  }
});
