/**
 * Operator state stored column by column (engine/state/columns.ts): rows of
 * saved accumulators and group keys go through columns and back unchanged,
 * whatever their values (numbers with -0, NaN and infinities, NULL, strings,
 * bigints, booleans, binary, nested arrays of one or several lengths), also
 * through v8 serialization as a snapshot stores them; malformed columns are
 * recognised.
 */
import * as v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { cellOf, columnOf, columnsOf, isColumnOf, rowsOf, type StateColumn } from '../engine/state/columns.js';

function roundTrip(rows: unknown[][], width: number): unknown[][] {
  const cols = v8.deserialize(v8.serialize(columnsOf(rows, width))) as StateColumn[];
  expect(cols.every((c) => isColumnOf(c, rows.length))).toBe(true);
  return rowsOf(cols, rows.length);
}

describe('state columns', () => {
  it('numbers (with NULL) become one Float64Array and a mask; arrays of one length a column per position; the rest stays as values', () => {
    expect(columnOf([1, 2.5, -0]).t).toBe('n');
    const withNull = columnOf([1, null, 3]);
    expect(withNull.t === 'n' && withNull.nulls).toEqual(new Uint8Array([0, 1, 0]));
    const pairs = columnOf([[1, 2], [3, null], [5, 6]]);
    expect(pairs.t).toBe('a');
    expect(pairs.t === 'a' && pairs.cols.map((c) => c.t)).toEqual(['n', 'n']);
    expect(columnOf([[1, 2], [3]]).t).toBe('v');
    expect(columnOf([null, null]).t).toBe('v');
    expect(columnOf(['a', 1]).t).toBe('v');
    expect(columnOf([]).t).toBe('v');
  });

  it('rows go through columns and back unchanged, on random and edge values', () => {
    let seed = 7;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const edge = [0, -0, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53 + 2, -1.5e-300, 1767570300000000];
    for (let trial = 0; trial < 60; trial++) {
      const n = rnd(40);
      // a kind per column, as an operator's saved accumulators have one shape per position (with NULLs)
      const kinds = Array.from({ length: 1 + rnd(6) }, () => rnd(8));
      const value = (kind: number): unknown => {
        if (rnd(6) === 0 && kind !== 6) return null;
        switch (kind) {
          case 0: return edge[rnd(edge.length)];
          case 1: return rnd(1000) / 7 - 50;
          case 2: return `s${rnd(50)}é€😀`;
          case 3: return BigInt(rnd(1000)) * 10n ** 20n;
          case 4: return [rnd(5), rnd(3) === 0 ? null : rnd(100) / 3];
          case 5: return rnd(2) === 0 ? [rnd(9)] : [rnd(9), 'x', [1, 2]];
          case 6: return rnd(2) === 0;
          default: return new Uint8Array([rnd(256), rnd(256)]);
        }
      };
      const rows = Array.from({ length: n }, () => kinds.map(value));
      const back = roundTrip(rows, kinds.length);
      expect(back).toHaveLength(n);
      // Object.is per leaf: -0 stays -0, NaN stays NaN
      const same = (a: unknown, b: unknown): boolean => Array.isArray(a) ? Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]))
        : a instanceof Uint8Array ? b instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i]) : Object.is(a, b);
      for (let i = 0; i < n; i++) expect(same(back[i], rows[i]), `trial ${trial} row ${i}: ${String(rows[i])}`).toBe(true);
      // one value at a time (a group restored on first use) gives the same values
      const cols = v8.deserialize(v8.serialize(columnsOf(rows, kinds.length))) as StateColumn[];
      for (let i = 0; i < n; i++) expect(same(cols.map((c) => cellOf(c, i)), rows[i]), `trial ${trial} cell row ${i}`).toBe(true);
    }
  });

  it('a column of the wrong length or kind is not a column of n rows', () => {
    const c = columnOf([1, 2, 3]);
    expect(isColumnOf(c, 3)).toBe(true);
    expect(isColumnOf(c, 4)).toBe(false);
    expect(isColumnOf({ t: 'n', d: [1, 2, 3] }, 3)).toBe(false);
    expect(isColumnOf({ t: 'n', d: new Float64Array(3), nulls: new Uint8Array(2) }, 3)).toBe(false);
    expect(isColumnOf({ t: 'a', cols: [] }, 0)).toBe(false);
    expect(isColumnOf({ t: 'a', cols: [columnOf([1, 2]), columnOf([1])] }, 2)).toBe(false);
    expect(isColumnOf({ t: 'x', d: [] }, 0)).toBe(false);
    expect(isColumnOf(null, 0)).toBe(false);
  });
});
