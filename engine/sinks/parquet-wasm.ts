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
import { createRequire } from 'node:module';
import { workerData } from 'node:worker_threads';
import * as pw from 'parquet-wasm/esm';
import { readFileLarge } from './read-bytes.js';
import { shareWithWorkers } from '../runtime/worker-share.js';

/** The part of the WebAssembly API used here (the compile target's library does not declare it). */
interface WasmApi { Module: new (bytes: Uint8Array) => object }
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const SHARED = 'localdltParquetWasm';

function compiledModule(): object {
  const shared = (workerData as Record<string, unknown> | null | undefined)?.[SHARED];
  if (shared instanceof Wasm.Module) return shared;
  return new Wasm.Module(readFileLarge(createRequire(import.meta.url).resolve('parquet-wasm/esm/parquet_wasm_bg.wasm')));
}

const compiled = compiledModule();
pw.initSync({ module: compiled as never });
shareWithWorkers(SHARED, compiled);

export { pw };
