/**
 * Rows of operator state (group keys, saved accumulators: numbers, strings,
 * booleans, NULL, bigints, binary and arrays of them) stored column by column
 * inside a v8-serialized snapshot. A column whose values are all numbers (or
 * NULL) becomes one Float64Array and a NULL mask, which v8 copies whole; a
 * column of arrays of one length becomes one column per position; anything
 * else stays a plain array of values.
 *
 * Why: v8 deserializes an array of small arrays value by value. The patient
 * pipeline's risk features (16k open windows × 17 accumulators, 3.9 MB)
 * deserialized in about 120 ms as rows; as columns, see `test/state-columns.test.ts`
 * and the README's restart figures.
 */

export type StateColumn =
  | { t: 'n'; d: Float64Array; nulls?: Uint8Array }
  | { t: 'a'; cols: StateColumn[] }
  | { t: 'v'; d: unknown[] };

/** The column of `values` (all rows' values at one position). */
export function columnOf(values: readonly unknown[]): StateColumn {
  const n = values.length;
  let numbers = n > 0, nulls = 0, len = -1, arrays = n > 0;
  for (let i = 0; i < n && (numbers || arrays); i++) {
    const v = values[i];
    if (v === null) { nulls++; arrays = false; continue; }
    if (typeof v !== 'number') numbers = false;
    if (!Array.isArray(v) || (len >= 0 && v.length !== len)) arrays = false;
    else len = v.length;
  }
  if (numbers && nulls < n) {
    const d = new Float64Array(n);
    let mask: Uint8Array | undefined;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v === null) (mask ??= new Uint8Array(n))[i] = 1;
      else d[i] = v as number;
    }
    return mask ? { t: 'n', d, nulls: mask } : { t: 'n', d };
  }
  if (arrays && len > 0) {
    const cols: StateColumn[] = [];
    for (let k = 0; k < len; k++) cols.push(columnOf(values.map((v) => (v as unknown[])[k])));
    return { t: 'a', cols };
  }
  return { t: 'v', d: values.slice() };
}

/** The columns of rows that all have `width` values. */
export function columnsOf(rows: readonly (readonly unknown[])[], width: number): StateColumn[] {
  const cols: StateColumn[] = [];
  for (let j = 0; j < width; j++) cols.push(columnOf(rows.map((r) => r[j])));
  return cols;
}

/**
 * The rows of columns, each an array of its values in column order: built a
 * column at a time, in loops the JIT optimizes at once (a restart runs them
 * in a fresh process), not a value at a time through a dispatch.
 */
export function rowsOf(cols: readonly StateColumn[], n: number): unknown[][] {
  const w = cols.length;
  const rows: unknown[][] = new Array(n);
  for (let i = 0; i < n; i++) rows[i] = new Array(w);
  for (let j = 0; j < w; j++) setColumn(cols[j], j, rows, n);
  return rows;
}

function setColumn(c: StateColumn, j: number, rows: unknown[][], n: number): void {
  if (c.t === 'n') {
    const d = c.d, m = c.nulls;
    if (m === undefined) for (let i = 0; i < n; i++) rows[i][j] = d[i];
    else for (let i = 0; i < n; i++) rows[i][j] = m[i] === 1 ? null : d[i];
  } else if (c.t === 'a') {
    const sub = rowsOf(c.cols, n);
    for (let i = 0; i < n; i++) rows[i][j] = sub[i];
  } else {
    const d = c.d;
    for (let i = 0; i < n; i++) rows[i][j] = d[i];
  }
}

/** Row i's value of a column (as `rowsOf` gives it), without building the other rows. */
export function cellOf(c: StateColumn, i: number): unknown {
  if (c.t === 'n') return c.nulls !== undefined && c.nulls[i] === 1 ? null : c.d[i];
  if (c.t === 'a') return c.cols.map((x) => cellOf(x, i));
  return c.d[i];
}

/** Whether `c` is a well-formed column of `n` rows (state read from disk is checked before it is used). */
export function isColumnOf(c: unknown, n: number): c is StateColumn {
  if (c === null || typeof c !== 'object') return false;
  const x = c as { t?: unknown; d?: unknown; nulls?: unknown; cols?: unknown };
  if (x.t === 'n') return x.d instanceof Float64Array && x.d.length === n && (x.nulls === undefined || (x.nulls instanceof Uint8Array && x.nulls.length === n));
  if (x.t === 'a') return Array.isArray(x.cols) && x.cols.length > 0 && x.cols.every((k) => isColumnOf(k, n));
  if (x.t === 'v') return Array.isArray(x.d) && x.d.length === n;
  return false;
}
