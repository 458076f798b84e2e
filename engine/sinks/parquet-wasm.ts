/**
 * parquet-wasm, compiled once per process and shared with the worker threads.
 *
 * The package's Node entry reads its 4.9 MB module with `readFileSync` and
 * compiles it in every thread that imports it. Both cost memory for the whole
 * run: the freed read buffer sets glibc's mmap threshold to 4.9 MB (see
 * column/large-buffer.ts), and each thread compiled (and tiered up) the module's
 * code again. Here the main thread reads the module into a large buffer and
 * compiles it; a worker receives the compiled module in its `workerData`
 * (runtime/worker-share.ts), and V8 shares its code between the threads.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { workerData } from 'node:worker_threads';
import * as pw from 'parquet-wasm/esm';
import { largeUint8 } from '../column/large-buffer.js';
import { shareWithWorkers } from '../runtime/worker-share.js';

/** The part of the WebAssembly API used here (the compile target's library does not declare it). */
interface WasmApi { Module: new (bytes: Uint8Array) => object }
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const SHARED = 'localdltParquetWasm';

function compiledModule(): object {
  const shared = (workerData as Record<string, unknown> | null | undefined)?.[SHARED];
  if (shared instanceof Wasm.Module) return shared;
  const file = createRequire(import.meta.url).resolve('parquet-wasm/esm/parquet_wasm_bg.wasm');
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const bytes = largeUint8(size);
    for (let at = 0; at < size;) {
      const n = fs.readSync(fd, bytes, at, size - at, at);
      if (n === 0) throw new Error(`internal: ${file} ended at byte ${at} of ${size}`);
      at += n;
    }
    return new Wasm.Module(bytes);
  } finally {
    fs.closeSync(fd);
  }
}

const compiled = compiledModule();
pw.initSync({ module: compiled as never });
shareWithWorkers(SHARED, compiled);

export { pw };
