/** A file's bytes, read whole. */
import * as fs from 'node:fs';
import { largeUint8 } from '../column/large-buffer.js';

/**
 * The bytes of a file, as a plain Uint8Array over the Buffer that
 * `readFileSync` returns: no copy. (`new Uint8Array(buffer)` copies, and in a
 * fresh process the copy's memory is touched for the first time: reading the
 * 5.5 MB of operator state of a restart took 44 ms that way, 20 ms without.)
 */
export function readFileBytes(file: string): Uint8Array {
  const b = fs.readFileSync(file);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** The bytes of a file, read whole into a large buffer (column/large-buffer.ts): not from malloc when 1 MB or more. */
export function readFileLarge(file: string): Uint8Array {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const bytes = largeUint8(size);
    for (let at = 0; at < size;) {
      const n = fs.readSync(fd, bytes, at, size - at, at);
      if (n === 0) throw new Error(`${file} ended at byte ${at} of ${size}`);
      at += n;
    }
    return bytes;
  } finally {
    fs.closeSync(fd);
  }
}
