/**
 * Large buffers (column/large-buffer.ts) come from a WebAssembly memory of
 * their own: views of exactly the length asked for, zero-filled, and the key
 * tables built on them (dedup keys, spilled to sorted runs) keep every key
 * through growth, spills and a snapshot.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytesOf, LARGE_BYTES, largeFloat64, largeUint32, largeUint8 } from '../engine/column/large-buffer.js';
import { Hash128Set } from '../engine/operators/keys.js';
import { RunStore } from '../engine/state/runs.js';

describe('large buffers', () => {
  it('are views of exactly the length asked for, zero-filled, whose bytes are reached through bytesOf', () => {
    for (const n of [10, LARGE_BYTES / 4 - 1, LARGE_BYTES / 4 + 3, 3 * LARGE_BYTES]) {
      const a = largeUint32(n);
      expect(a.length).toBe(n);
      expect(a.every((x) => x === 0)).toBe(true);
      a[n - 1] = 0xdeadbeef;
      const b = bytesOf(a);
      expect(b.byteLength).toBe(n * 4);
      expect(Array.from(b.subarray(b.length - 4))).toEqual([0xef, 0xbe, 0xad, 0xde]);
    }
    expect(largeUint8(LARGE_BYTES + 1).length).toBe(LARGE_BYTES + 1);
    expect(largeFloat64(LARGE_BYTES).length).toBe(LARGE_BYTES);
  });

  it('hold a key table that grows past them, spills to runs and is saved: every key stays, no other key appears', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'localdlt-large-'));
    try {
      const set = new Hash128Set(16);
      set.spillTo(RunStore.create(dir, 0), 150_000);
      const n = 400_000;
      for (let i = 0; i < n; i++) expect(set.addKey(`k${i}`)).toBe(true);
      expect(set.addKey('k123456')).toBe(false);
      for (let i = 0; i < n; i += 997) expect(set.hasKey(`k${i}`)).toBe(true);
      for (let i = n; i < n + 2000; i++) expect(set.hasKey(`k${i}`)).toBe(false);
      // the keys still in memory, saved and loaded: exactly 16 bytes each
      const bytes = set.toBytes();
      expect(bytes.byteLength % 16).toBe(0);
      const back = Hash128Set.fromBytes(bytes);
      expect(back.toBytes().byteLength).toBe(bytes.byteLength);
      expect(back.hasKey(`k${n - 1}`)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
