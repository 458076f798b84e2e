/** parquet-wasm's memory, grown once per task rather than page by page (the encoder and the decoder both use it). */
import { pw } from './parquet-wasm.js';
import { largeUint8 } from '../column/large-buffer.js';

/** Cap on the memory set aside at once (wasm32 memory is at most 4 GiB). */
const MAX_RESERVE = 1536 * 1024 * 1024;
/**
 * Room reserved beyond a task's estimate. It was 16 MB, so every thread that wrote even a tiny
 * file (an event-log part, a log checkpoint) kept 19 MB of wasm memory; then 4 MB, rounded up to
 * 8 MB. A reservation is written into (see below), and on this machine a process pays about
 * 3 ms per MB the first time it touches memory: 8 MB cost a fresh process ~50 ms per thread,
 * for tasks (a batch's small files, a compaction of ten of them) that use under 2 MB.
 */
export const RESERVE_SLACK = 1 << 20;
/** Reservations grow in steps of 1 MB up to 16 MB, then of 8 MB. */
const SMALL_STEP = 1 << 20;
const SMALL_UP_TO = 16 << 20;
const RESERVE_STEP = 8 << 20;

/**
 * Makes sure parquet-wasm's allocator has about `bytes` of memory to hand out.
 *
 * Each growth of a WebAssembly memory makes V8 account the whole new buffer
 * as external memory, which triggers a full JS garbage collection; the Rust
 * allocator grows page by page, so writing 1M rows into a fresh instance in a
 * process with a large JS heap took ~10 s instead of ~1.5 s. Allocating (and
 * freeing) one block of the size needed up front grows the memory once; the
 * allocator keeps the freed block and later allocations reuse it. The block
 * goes in as the input of `readSchema`, which rejects it at once (no footer).
 */
export function reserveWasmMemory(bytes: number): void {
  // rounded up (1 MB steps up to 16 MB, 8 MB above): otherwise a run of reads each a little larger
  // than the last (a restart reading 21 small log checkpoints) reserves, and copies a block of zeros
  // in, at every read
  const step = bytes <= SMALL_UP_TO ? SMALL_STEP : RESERVE_STEP;
  const want = Math.min(Math.ceil(bytes / step) * step, MAX_RESERVE);
  if (pw.wasmMemory().buffer.byteLength >= want) return;
  try {
    pw.readSchema(largeUint8(want));
  } catch {
    // expected: not a Parquet file
  }
}
