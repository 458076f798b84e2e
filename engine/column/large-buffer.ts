/**
 * Large buffers (LARGE_BYTES or more) that do not come from malloc.
 *
 * Node allocates an ArrayBuffer's memory with glibc's malloc. glibc serves a
 * block above its mmap threshold (128 KB at the start) with a mapping of its
 * own, and when such a block is freed it raises the threshold to the block's
 * size (up to 32 MB). One freed 8 MB buffer, then, makes every later
 * allocation under 8 MB come from the allocator's arenas, which keep freed
 * memory (up to twice the threshold at their top, and whatever lies between
 * live blocks). Measured on a 5M-row replay: with the threshold held at 1-2 MB
 * the peak RSS is ~45 MB lower than when it drifts to 8 MB, in the same time.
 *
 * So the few buffers of a megabyte or more that the engine allocates itself
 * (key tables and their spills, run files' filters, the Arrow IPC stream handed
 * to the Parquet encoder) are the memory of a WebAssembly.Memory of their own:
 * V8 maps it from the operating system directly and unmaps it when the buffer
 * is collected. Typed arrays over it are ordinary ones (same speed). Its size is
 * a whole number of 64 KB pages, so a view is cut to the length asked for; use
 * `bytesOf`, never `.buffer`, to reach the bytes. Such a buffer is never handed
 * to another thread (it cannot be transferred, only copied).
 */

/** Buffers of at least this many bytes come from their own WebAssembly memory. */
export const LARGE_BYTES = 1 << 20;
const PAGE = 65_536;
/** A WebAssembly memory holds at most 65,536 pages (4 GiB). */
const MAX_PAGES = 65_536;

/** The part of the WebAssembly API used here (the compile target's library does not declare it). */
const Wasm = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => { buffer: ArrayBuffer } } }).WebAssembly;

/** An ArrayBuffer of at least `bytes` bytes, zero-filled: its own mapping when large. */
export function largeArrayBuffer(bytes: number): ArrayBuffer {
  if (bytes < LARGE_BYTES) return new ArrayBuffer(bytes);
  const pages = Math.ceil(bytes / PAGE);
  if (pages > MAX_PAGES) return new ArrayBuffer(bytes);
  try {
    return new Wasm.Memory({ initial: pages, maximum: pages }).buffer;
  } catch {
    // out of address space for memories: an ordinary buffer
    return new ArrayBuffer(bytes);
  }
}

export function largeUint8(n: number): Uint8Array { return new Uint8Array(largeArrayBuffer(n), 0, n); }
export function largeUint32(n: number): Uint32Array { return new Uint32Array(largeArrayBuffer(n * 4), 0, n); }
export function largeInt32(n: number): Int32Array { return new Int32Array(largeArrayBuffer(n * 4), 0, n); }
export function largeFloat64(n: number): Float64Array { return new Float64Array(largeArrayBuffer(n * 8), 0, n); }

/** The bytes of a typed array, exactly (its buffer may be longer). */
export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
