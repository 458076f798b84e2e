/**
 * Snappy compression (the raw format Parquet's SNAPPY codec uses, without
 * framing): a varint of the uncompressed length, then literals and copies.
 *
 * The matcher is the format's usual greedy one: input in 64 KB blocks, a hash
 * table of the last position of each 4-byte sequence, a copy wherever four
 * bytes repeat, and probes spaced further apart the longer nothing matched
 * (incompressible data passes quickly). Any valid Snappy stream decodes to the
 * same bytes, so the output only has to be valid, not equal to another
 * encoder's.
 */

const BLOCK = 1 << 16;
const HASH_BITS = 14;
const table = new Uint16Array(1 << HASH_BITS);

/** An upper bound of the compressed size of `n` bytes (the format's own bound). */
export function maxCompressedLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

const load32 = (b: Uint8Array, i: number) => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
/** The hash table's size follows the block's (clearing 16K entries for a 100-byte page cost more than compressing it). */
let shift = 32 - HASH_BITS;
const hash = (x: number) => Math.imul(x, 0x1e35a7bd) >>> shift;

function emitLiteral(out: Uint8Array, o: number, src: Uint8Array, from: number, len: number): number {
  const n = len - 1;
  if (n < 60) out[o++] = n << 2;
  else if (n < 0x100) { out[o++] = 60 << 2; out[o++] = n; }
  else if (n < 0x10000) { out[o++] = 61 << 2; out[o++] = n & 0xff; out[o++] = n >>> 8; }
  else if (n < 0x1000000) { out[o++] = 62 << 2; out[o++] = n & 0xff; out[o++] = (n >>> 8) & 0xff; out[o++] = n >>> 16; }
  else { out[o++] = 63 << 2; out[o++] = n & 0xff; out[o++] = (n >>> 8) & 0xff; out[o++] = (n >>> 16) & 0xff; out[o++] = n >>> 24; }
  out.set(src.subarray(from, from + len), o);
  return o + len;
}

function emitCopy(out: Uint8Array, o: number, offset: number, len: number): number {
  // copies of up to 64 bytes each; the last one kept at 4 bytes or more
  while (len >= 68) { out[o++] = (63 << 2) | 2; out[o++] = offset & 0xff; out[o++] = offset >>> 8; len -= 64; }
  if (len > 64) { out[o++] = (59 << 2) | 2; out[o++] = offset & 0xff; out[o++] = offset >>> 8; len -= 60; }
  if (len < 12 && offset < 2048) {
    out[o++] = 1 | ((len - 4) << 2) | ((offset >>> 8) << 5);
    out[o++] = offset & 0xff;
  } else {
    out[o++] = 2 | ((len - 1) << 2);
    out[o++] = offset & 0xff;
    out[o++] = offset >>> 8;
  }
  return o;
}

/** Compresses one block (at most 64 KB, so that offsets fit in 16 bits). */
function compressBlock(src: Uint8Array, start: number, end: number, out: Uint8Array, o: number): number {
  let lit = start;
  if (end - start < 15) return end > start ? emitLiteral(out, o, src, start, end - start) : o;
  let bits = 8;
  while (bits < HASH_BITS && 1 << bits < end - start) bits++;
  shift = 32 - bits;
  table.fill(0, 0, 1 << bits);
  const limit = end - 15;
  let i = start + 1;
  let nextHash = hash(load32(src, i));
  for (;;) {
    let skip = 32;
    let next = i;
    let candidate: number;
    // look for a 4-byte match
    do {
      i = next;
      const h = nextHash;
      next = i + (skip++ >> 5);
      if (next > limit) return lit < end ? emitLiteral(out, o, src, lit, end - lit) : o;
      nextHash = hash(load32(src, next));
      candidate = start + table[h];
      table[h] = i - start;
    } while (load32(src, i) !== load32(src, candidate));
    o = emitLiteral(out, o, src, lit, i - lit);
    // one copy, then more as long as the next bytes match too
    for (;;) {
      let len = 4;
      while (i + len < end && src[i + len] === src[candidate + len]) len++;
      o = emitCopy(out, o, i - candidate, len);
      i += len;
      lit = i;
      if (i >= limit) return lit < end ? emitLiteral(out, o, src, lit, end - lit) : o;
      table[hash(load32(src, i - 1))] = i - 1 - start;
      const h = hash(load32(src, i));
      candidate = start + table[h];
      table[h] = i - start;
      if (load32(src, i) !== load32(src, candidate)) break;
    }
    nextHash = hash(load32(src, ++i));
  }
}

/** Snappy-compresses `src`. */
export function snappyCompress(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(maxCompressedLength(src.length));
  let o = 0;
  let n = src.length;
  do { out[o++] = (n & 0x7f) | (n > 0x7f ? 0x80 : 0); n >>>= 7; } while (n > 0);
  for (let s = 0; s < src.length; s += BLOCK) o = compressBlock(src, s, Math.min(src.length, s + BLOCK), out, o);
  return out.subarray(0, o);
}
