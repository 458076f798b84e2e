/**
 * Rows of a batch by key (engine/column/key-index.ts), the lookup behind a
 * stream-static join restricted to the new rows' keys: it must find exactly
 * the rows whose key text is among the probe rows' (NULL keys match nothing),
 * in row order, each once, for every key type.
 */
import { describe, expect, it } from 'vitest';
import { batchFromRows, isNullAt, type Batch } from '../engine/batch.js';
import type { Schema } from '../engine/ir/types.js';
import { rowsMatching } from '../engine/column/key-index.js';
import { keyText } from '../engine/operators/keys.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}

const schema: Schema = [
  { name: 's', type: 'string', nullable: true },
  { name: 'i', type: 'int', nullable: true },
  { name: 'd', type: 'double', nullable: true },
  { name: 'm', type: 'decimal(10,2)', nullable: true },
  { name: 'b', type: 'boolean', nullable: true },
];

function rows(r: () => number, n: number): Record<string, unknown>[] {
  const strs = ['', 'a', 'é', 'ß', '\u{1F600}', 'P0001', 'P0002', 'p0001', 'a\u0000b'];
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  return Array.from({ length: n }, () => ({
    s: r() < 0.1 ? null : pick(strs),
    i: r() < 0.1 ? null : Math.floor(r() * 5) - 2,
    d: r() < 0.1 ? null : pick([0, -0, 1.5, NaN, -2, 1e300]),
    m: r() < 0.1 ? null : pick(['1.00', '-3.25', '0.00', '12345678.90']),
    b: r() < 0.1 ? null : r() < 0.5,
  }));
}

/** The reference: rows of `b` whose key text is one of the probe rows' without a NULL. */
function reference(b: Batch, keys: number[], probe: Batch, pkeys: number[]): number[] {
  const pc = pkeys.map((j) => probe.columns[j]), bc = keys.map((j) => b.columns[j]);
  const want = new Set<string>();
  for (let i = 0; i < probe.length; i++) if (!pc.some((c) => isNullAt(c, i))) want.add(keyText(pc, i));
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) if (!bc.some((c) => isNullAt(c, i)) && want.has(keyText(bc, i))) out.push(i);
  return out;
}

describe('rowsMatching: the rows of a batch holding one of the probe keys', () => {
  it('equals the key-text reference for single and composite keys of every type, with NULLs, duplicates and -0/NaN', () => {
    const keySets = [[0], [1], [2], [3], [4], [0, 1], [3, 0, 4], [2, 1]];
    let matched = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const r = rng(seed);
      const table = batchFromRows(schema, rows(r, Math.floor(r() * 400)) as never);
      const probe = batchFromRows(schema, rows(r, Math.floor(r() * 40)) as never);
      for (const keys of keySets) {
        const got = rowsMatching(table, keys, keys.map((j) => probe.columns[j]), probe.length);
        const want = reference(table, keys, probe, keys);
        expect(got, `seed ${seed} keys ${keys}`).toEqual(want);
        matched += want.length;
        // the index is kept with the batch: a second lookup answers the same
        expect(rowsMatching(table, keys, keys.map((j) => probe.columns[j]), probe.length)).toEqual(want);
      }
    }
    expect(matched).toBeGreaterThan(1000);
  });

  it('finds every row of many keys, each with many rows (the table grows past its first size)', () => {
    const r = rng(99);
    const ids = Array.from({ length: 3000 }, (_, k) => `P${k}`);
    const table = batchFromRows(schema, Array.from({ length: 20_000 }, () => ({ s: ids[Math.floor(r() * ids.length)], i: Math.floor(r() * 3), d: 1, m: '1.00', b: true })) as never);
    const probe = batchFromRows(schema, Array.from({ length: 500 }, () => ({ s: r() < 0.1 ? 'absent' : ids[Math.floor(r() * ids.length)], i: Math.floor(r() * 4), d: 1, m: '1.00', b: true })) as never);
    for (const keys of [[0], [0, 1]]) {
      const want = reference(table, keys, probe, keys);
      expect(want.length).toBeGreaterThan(500);
      expect(rowsMatching(table, keys, keys.map((j) => probe.columns[j]), probe.length)).toEqual(want);
    }
  });
});
