/**
 * UTF-8 byte helpers shared by string columns, the CSV reader, hashing and the
 * Parquet writer.
 *
 * Strings live as UTF-8 bytes. A string is decoded to a JS string only where a
 * caller needs one (Unicode case mapping, regular expressions, JSON, output);
 * comparison, equality, hashing and ASCII-only functions read the bytes. Byte
 * order is Unicode code point order, which is how Spark and Parquet compare
 * strings.
 */
import { isAscii, isUtf8 } from 'node:buffer';

const encoder = new TextEncoder();
const fatalFree = new TextDecoder('utf-8', { ignoreBOM: true });

/** Bytes of a JS string (a lone surrogate becomes U+FFFD, as TextEncoder writes it). */
export function utf8Encode(s: string): Uint8Array {
  return encoder.encode(s);
}

/** The UTF-8 byte length of a JS string, as `utf8Encode` writes it. */
export function utf8Length(s: string): number {
  let len = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) len += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { len += 2; i++; }
    else len += 2;
  }
  return len;
}

/**
 * Writes `s` at `bytes[at]` (there must be room for `3 * s.length` bytes) and
 * returns the end position. ASCII is copied in a loop; anything else goes
 * through the encoder.
 */
export function utf8Write(s: string, bytes: Uint8Array, at: number): number {
  const n = s.length;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) break;
    bytes[at + i] = c;
  }
  if (i === n) return at + n;
  const r = encoder.encodeInto(i === 0 ? s : s.slice(i), bytes.subarray(at + i));
  return at + i + r.written;
}

/** The JS string of bytes[a, b) (valid UTF-8 assumed; invalid sequences decode to U+FFFD). */
export function utf8Decode(bytes: Uint8Array, a: number, b: number): string {
  if (b - a <= 24) {
    let s = '';
    for (let k = a; k < b; k++) {
      const c = bytes[k];
      if (c >= 0x80) return fatalFree.decode(bytes.subarray(a, b));
      s += String.fromCharCode(c);
    }
    return s;
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buf.toString('utf8', a, b);
}

/** Lexicographic comparison of x[xa, xb) and y[ya, yb) as unsigned bytes (= code point order). */
export function compareBytes(x: Uint8Array, xa: number, xb: number, y: Uint8Array, ya: number, yb: number): number {
  const lx = xb - xa, ly = yb - ya;
  const n = lx < ly ? lx : ly;
  for (let k = 0; k < n; k++) {
    const d = x[xa + k] - y[ya + k];
    if (d !== 0) return d;
  }
  return lx - ly;
}

/** Whether x[xa, xb) equals y[ya, yb). */
export function equalBytes(x: Uint8Array, xa: number, xb: number, y: Uint8Array, ya: number, yb: number): boolean {
  const n = xb - xa;
  if (n !== yb - ya) return false;
  for (let k = 0; k < n; k++) if (x[xa + k] !== y[ya + k]) return false;
  return true;
}

/** Whether every byte of bytes[a, b) is ASCII. */
export function isAsciiRange(bytes: Uint8Array, a: number, b: number): boolean {
  if (b - a > 64) return isAscii(bytes.subarray(a, b));
  for (let k = a; k < b; k++) if (bytes[k] >= 0x80) return false;
  return true;
}

/**
 * The input as valid UTF-8: returned as is when it already is, else decoded and
 * re-encoded, so that every invalid sequence becomes U+FFFD exactly as
 * `TextDecoder` (and Node's `toString('utf8')`) replace them.
 */
export function toValidUtf8(bytes: Uint8Array): { bytes: Uint8Array; replaced: boolean } {
  if (isAscii(bytes) || isUtf8(bytes)) return { bytes, replaced: false };
  return { bytes: encoder.encode(fatalFree.decode(bytes)), replaced: true };
}
