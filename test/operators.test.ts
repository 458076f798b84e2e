/**
 * Step tests of the physical operators: a batch in, the expected batch (or
 * state) out. Fixtures are small and checked by hand.
 */
import * as v8 from 'node:v8';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { batchFromRows, batchToRows, columnFromValues, concatBatches, takeColumn, type Batch, type Column } from '../engine/batch.js';
import type { Schema, Value } from '../engine/ir/types.js';
import type { Expectation, WindowSpec } from '../engine/ir/plan.js';
import { avg, col, count, countDistinct, max, min, sliding, sum, tumbling, type Agg, type Expr } from '../engine/expr/builder.js';
import { DropOperator, ProjectOperator } from '../engine/operators/project.js';
import { FilterOperator } from '../engine/operators/filter.js';
import { JoinOperator } from '../engine/operators/join.js';
import { DedupOperator } from '../engine/operators/dedup.js';
import { Hash128Set, KeyHasher, keyText } from '../engine/operators/keys.js';
import { AggregateOperator } from '../engine/operators/aggregate.js';
import { rowsOf, type StateColumn } from '../engine/state/columns.js';
import { DistinctTable } from '../engine/operators/distinct-table.js';
import { ExpectationsOperator } from '../engine/operators/expectations.js';
import { eventTimeUs, windowStarts } from '../engine/operators/window-assign.js';
import { RuntimeFailure, isPipelineError } from '../engine/errors.js';
import { parseDateDays, parseTimestampUs } from '../engine/sources/csv-values.js';

type Row = Record<string, Value>;

const MIN = 60_000_000;
const ts = (s: string): number => parseTimestampUs(s)!;
const day = (s: string): number => parseDateDays(s)!;
const rows = (b: Batch): Row[] => batchToRows(b);
const names = (s: Schema): string[] => s.map((f) => f.name);

/** Folders for spilled key runs, removed after the file's tests. */
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-spill-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
let scratchN = 0;
function tempDirFor(name: string): string {
  const d = path.join(scratch, `${name}-${scratchN++}`, 'state');
  fs.mkdirSync(d, { recursive: true });
  return d;
}

// ---------------------------------------------------------------- project

describe('ProjectOperator / DropOperator', () => {
  const schema: Schema = [{ name: 'id', type: 'int' }, { name: 'name', type: 'string' }, { name: 'age', type: 'int' }];
  const input = batchFromRows(schema, [
    { id: 1, name: 'ann', age: 30 },
    { id: 2, name: null, age: null },
    { id: 3, name: 'bob', age: 41 },
  ]);

  it('select keeps exactly the listed columns, in the listed order, with computed ones', () => {
    const op = new ProjectOperator(schema, [['age', col('age').node], ['id', col('id').node], ['next_age', col('age').plus(1).node]], 'select');
    expect(op.schema).toEqual([{ name: 'age', type: 'int' }, { name: 'id', type: 'int' }, { name: 'next_age', type: 'int' }]);
    const out = op.process(input);
    expect(out.length).toBe(3);
    expect(rows(out)).toEqual([
      { age: 30, id: 1, next_age: 31 },
      { age: null, id: 2, next_age: null },
      { age: 41, id: 3, next_age: 42 },
    ]);
  });

  it('derive replaces a column in place and appends new ones', () => {
    const op = new ProjectOperator(schema, [['name', col('name').upper().node], ['adult', col('age').ge(18).node]], 'derive');
    expect(names(op.schema)).toEqual(['id', 'name', 'age', 'adult']);
    expect(op.schema[3].type).toBe('boolean');
    expect(rows(op.process(input))).toEqual([
      { id: 1, name: 'ANN', age: 30, adult: true },
      { id: 2, name: null, age: null, adult: null },
      { id: 3, name: 'BOB', age: 41, adult: true },
    ]);
  });

  it('derive can change a column type (replace with a cast)', () => {
    const op = new ProjectOperator(schema, [['age', col('age').cast('string').node]], 'derive');
    expect(op.schema).toEqual([{ name: 'id', type: 'int' }, { name: 'name', type: 'string' }, { name: 'age', type: 'string' }]);
    expect(rows(op.process(input)).map((r) => r.age)).toEqual(['30', null, '41']);
  });

  it('drop removes columns and keeps the order of the others', () => {
    const op = new DropOperator(schema, ['name']);
    expect(names(op.schema)).toEqual(['id', 'age']);
    expect(rows(op.process(input))).toEqual([{ id: 1, age: 30 }, { id: 2, age: null }, { id: 3, age: 41 }]);
  });

  it('an empty batch gives an empty batch with the output schema', () => {
    const op = new ProjectOperator(schema, [['x', col('id').times(2).node]], 'select');
    const out = op.process(batchFromRows(schema, []));
    expect(out.length).toBe(0);
    expect(names(out.schema)).toEqual(['x']);
  });
});

// ---------------------------------------------------------------- filter

describe('FilterOperator', () => {
  const schema: Schema = [{ name: 'id', type: 'int' }, { name: 'age', type: 'int' }, { name: 'ok', type: 'boolean' }];
  const input = batchFromRows(schema, [
    { id: 1, age: 30, ok: true },
    { id: 2, age: null, ok: false },
    { id: 3, age: 10, ok: null },
    { id: 4, age: 50, ok: true },
  ]);

  it('keeps TRUE rows only: FALSE and NULL predicates drop the row', () => {
    expect(rows(new FilterOperator(schema, col('age').gt(18).node).process(input)).map((r) => r.id)).toEqual([1, 4]);
    expect(rows(new FilterOperator(schema, col('ok').node).process(input)).map((r) => r.id)).toEqual([1, 4]);
    // NOT(NULL) is NULL: still dropped
    expect(rows(new FilterOperator(schema, col('ok').not().node).process(input)).map((r) => r.id)).toEqual([2]);
    // age <= 18 OR age IS NULL keeps the NULL row explicitly
    expect(rows(new FilterOperator(schema, col('age').le(18).or(col('age').isNull()).node).process(input)).map((r) => r.id)).toEqual([2, 3]);
  });

  it('keeps every column of the kept rows, in input order', () => {
    expect(rows(new FilterOperator(schema, col('id').ne(2).node).process(input))).toEqual([
      { id: 1, age: 30, ok: true },
      { id: 3, age: 10, ok: null },
      { id: 4, age: 50, ok: true },
    ]);
  });

  it('all rows failing gives an empty batch', () => {
    const out = new FilterOperator(schema, col('id').gt(100).node).process(input);
    expect(out.length).toBe(0);
    expect(out.schema).toEqual(schema);
  });
});

// ---------------------------------------------------------------- join

describe('JoinOperator', () => {
  const left: Schema = [{ name: 'pid', type: 'int' }, { name: 'visit', type: 'string' }];
  const right: Schema = [{ name: 'pid', type: 'int' }, { name: 'name', type: 'string' }];
  const l = batchFromRows(left, [
    { pid: 2, visit: 'v1' },
    { pid: null, visit: 'v2' },
    { pid: 1, visit: 'v3' },
    { pid: 3, visit: 'v4' },
    { pid: 2, visit: 'v5' },
  ]);
  const r = batchFromRows(right, [
    { pid: 1, name: 'ann' },
    { pid: 2, name: 'bob' },
    { pid: null, name: 'nobody' },
    { pid: 2, name: 'bobby' },
  ]);

  it('inner: NULL keys never match; each left row in order, its matches in right order', () => {
    const op = new JoinOperator(left, right, 'inner', [['pid', 'pid']]);
    expect(names(op.schema)).toEqual(['pid', 'visit', 'name']);
    expect(rows(op.process(l, r))).toEqual([
      { pid: 2, visit: 'v1', name: 'bob' },
      { pid: 2, visit: 'v1', name: 'bobby' },
      { pid: 1, visit: 'v3', name: 'ann' },
      { pid: 2, visit: 'v5', name: 'bob' },
      { pid: 2, visit: 'v5', name: 'bobby' },
    ]);
  });

  it('left: unmatched left rows (including NULL keys) get NULL right columns', () => {
    const op = new JoinOperator(left, right, 'left', [['pid', 'pid']]);
    expect(rows(op.process(l, r))).toEqual([
      { pid: 2, visit: 'v1', name: 'bob' },
      { pid: 2, visit: 'v1', name: 'bobby' },
      { pid: null, visit: 'v2', name: null },
      { pid: 1, visit: 'v3', name: 'ann' },
      { pid: 3, visit: 'v4', name: null },
      { pid: 2, visit: 'v5', name: 'bob' },
      { pid: 2, visit: 'v5', name: 'bobby' },
    ]);
  });

  it('left join against an empty right side', () => {
    const op = new JoinOperator(left, right, 'left', [['pid', 'pid']]);
    const out = op.process(l, batchFromRows(right, []));
    expect(rows(out).map((x) => [x.visit, x.name])).toEqual([['v1', null], ['v2', null], ['v3', null], ['v4', null], ['v5', null]]);
    expect(new JoinOperator(left, right, 'inner', [['pid', 'pid']]).process(l, batchFromRows(right, [])).length).toBe(0);
  });

  it('a right key with another name is kept as a column of its own', () => {
    const right2: Schema = [{ name: 'patient_id', type: 'int' }, { name: 'name', type: 'string' }];
    const r2 = batchFromRows(right2, [{ patient_id: 3, name: 'cy' }, { patient_id: 1, name: 'ann' }]);
    const op = new JoinOperator(left, right2, 'left', [['pid', 'patient_id']]);
    expect(names(op.schema)).toEqual(['pid', 'visit', 'patient_id', 'name']);
    expect(rows(op.process(l, r2))).toEqual([
      { pid: 2, visit: 'v1', patient_id: null, name: null },
      { pid: null, visit: 'v2', patient_id: null, name: null },
      { pid: 1, visit: 'v3', patient_id: 1, name: 'ann' },
      { pid: 3, visit: 'v4', patient_id: 3, name: 'cy' },
      { pid: 2, visit: 'v5', patient_id: null, name: null },
    ]);
  });

  it('composite keys: every pair must match, a NULL in any part never matches', () => {
    const ls: Schema = [{ name: 'a', type: 'string' }, { name: 'b', type: 'int' }];
    const rs: Schema = [{ name: 'a', type: 'string' }, { name: 'b', type: 'int' }, { name: 'v', type: 'int' }];
    const lb = batchFromRows(ls, [{ a: 'x', b: 1 }, { a: 'x', b: 2 }, { a: null, b: 1 }, { a: 'y', b: null }]);
    const rb = batchFromRows(rs, [{ a: 'x', b: 1, v: 10 }, { a: 'x', b: 2, v: 20 }, { a: null, b: 1, v: 30 }, { a: 'y', b: null, v: 40 }]);
    const out = new JoinOperator(ls, rs, 'inner', [['a', 'a'], ['b', 'b']]).process(lb, rb);
    expect(rows(out)).toEqual([{ a: 'x', b: 1, v: 10 }, { a: 'x', b: 2, v: 20 }]);
  });

  it('keys of different numeric types compare as numbers (an int never equals 1.5)', () => {
    const ls: Schema = [{ name: 'k', type: 'int' }];
    const rs: Schema = [{ name: 'rk', type: 'double' }, { name: 'v', type: 'string' }];
    const lb = batchFromRows(ls, [{ k: 1 }, { k: 2 }]);
    const rb = batchFromRows(rs, [{ rk: 1.5, v: 'one and a half' }, { rk: 2, v: 'two' }]);
    expect(rows(new JoinOperator(ls, rs, 'inner', [['k', 'rk']]).process(lb, rb))).toEqual([{ k: 2, rk: 2, v: 'two' }]);
  });

  it('a DATE key matches a TIMESTAMP key only at 00:00 UTC', () => {
    const ls: Schema = [{ name: 'd', type: 'date' }];
    const rs: Schema = [{ name: 't', type: 'timestamp' }, { name: 'v', type: 'string' }];
    const lb = batchFromRows(ls, [{ d: day('2024-01-02') }]);
    const rb = batchFromRows(rs, [{ t: ts('2024-01-02T10:00:00Z'), v: 'ten' }, { t: ts('2024-01-02T00:00:00Z'), v: 'midnight' }]);
    expect(rows(new JoinOperator(ls, rs, 'inner', [['d', 't']]).process(lb, rb)).map((x) => x.v)).toEqual(['midnight']);
  });

  it('the right index follows a new right snapshot', () => {
    const op = new JoinOperator(left, right, 'inner', [['pid', 'pid']]);
    expect(op.process(l, r).length).toBe(5);
    const r2 = batchFromRows(right, [{ pid: 3, name: 'cy' }]);
    expect(rows(op.process(l, r2))).toEqual([{ pid: 3, visit: 'v4', name: 'cy' }]);
  });
});

// ---------------------------------------------------------------- dedup

describe('DedupOperator', () => {
  const schema: Schema = [{ name: 'id', type: 'int' }, { name: 'src', type: 'string' }, { name: 'n', type: 'int' }];
  const b1 = batchFromRows(schema, [
    { id: 1, src: 'a', n: 1 },
    { id: 1, src: 'a', n: 2 },
    { id: null, src: 'a', n: 3 },
    { id: 1, src: 'b', n: 4 },
    { id: null, src: 'a', n: 5 },
    { id: null, src: null, n: 6 },
  ]);
  const b2 = batchFromRows(schema, [
    { id: 1, src: 'a', n: 7 },
    { id: 2, src: 'a', n: 8 },
    { id: null, src: null, n: 9 },
    { id: 2, src: 'a', n: 10 },
  ]);

  it('keeps the first row of each key within a batch and across batches; NULLs compare equal', () => {
    const op = new DedupOperator(schema, ['id', 'src']);
    expect(rows(op.process(b1)).map((x) => x.n)).toEqual([1, 3, 4, 6]);
    expect(op.stateSize).toBe(4);
    expect(rows(op.process(b2)).map((x) => x.n)).toEqual([8]);
    expect(op.stateSize).toBe(5);
    // seeing the same batch again emits nothing
    expect(op.process(b1).length).toBe(0);
  });

  it('a key of one column', () => {
    const op = new DedupOperator(schema, ['src']);
    expect(rows(op.process(b1)).map((x) => x.n)).toEqual([1, 4, 6]);
  });

  it('NULL and the string "\\u0000"/"" are different keys; 1 and "1" in different columns too', () => {
    const s: Schema = [{ name: 'k', type: 'string' }];
    const op = new DedupOperator(s, ['k']);
    expect(rows(op.process(batchFromRows(s, [{ k: null }, { k: '' }, { k: 'null' }, { k: null }, { k: '' }])))).toEqual([{ k: null }, { k: '' }, { k: 'null' }]);
  });

  it('state save/load round trip gives the same behaviour as an uninterrupted operator', () => {
    const a = new DedupOperator(schema, ['id', 'src']);
    a.process(b1);
    const bytes = a.snapshot();
    expect(bytes).toBeInstanceOf(Uint8Array);
    // through a copy of the bytes, as a checkpoint would store them
    const b = new DedupOperator(schema, ['id', 'src']);
    b.loadSnapshot(new Uint8Array(Buffer.from(bytes)));
    expect(b.stateSize).toBe(4);
    expect(rows(b.process(b2))).toEqual(rows(a.process(b2)));
    expect(rows(b.process(b2))).toEqual([]);
  });

  it('reset forgets every key', () => {
    const op = new DedupOperator(schema, ['id']);
    op.process(b1);
    op.reset();
    expect(rows(op.process(b1)).map((x) => x.n)).toEqual([1, 3]);
  });
});

describe('Hash128Set', () => {
  it('holds many distinct keys across rehashes; adding twice is a no-op', () => {
    const set = new Hash128Set(16);
    const N = 50_000;
    let added = 0;
    for (let i = 0; i < N; i++) if (set.addKey(`key-${i}`)) added++;
    expect(added).toBe(N);
    expect(set.size).toBe(N);
    let again = 0;
    for (let i = 0; i < N; i += 7) if (set.addKey(`key-${i}`)) again++;
    expect(again).toBe(0);
    expect(set.size).toBe(N);
    for (let i = 0; i < N; i += 997) expect(set.hasKey(`key-${i}`)).toBe(true);
    expect(set.hasKey('key-50000')).toBe(false);
    expect(set.hasKey('')).toBe(false);
  });

  it('toBytes / fromBytes round trip keeps exactly the same keys', () => {
    const set = new Hash128Set();
    const N = 10_000;
    for (let i = 0; i < N; i++) set.addKey(keyText([{ type: 'int', data: new Int32Array([i]), nulls: null }], 0));
    const bytes = set.toBytes();
    expect(bytes.byteLength).toBe(N * 16);
    // an unaligned copy, as read back from a file
    const buf = new Uint8Array(bytes.byteLength + 3);
    buf.set(bytes, 3);
    const back = Hash128Set.fromBytes(buf.subarray(3));
    expect(back.size).toBe(N);
    let found = 0;
    for (let i = 0; i < N; i++) if (back.hasKey(keyText([{ type: 'int', data: new Int32Array([i]), nulls: null }], 0))) found++;
    expect(found).toBe(N);
    expect(back.hasKey(keyText([{ type: 'int', data: new Int32Array([N]), nulls: null }], 0))).toBe(false);
    expect(back.addKey(keyText([{ type: 'int', data: new Int32Array([5]), nulls: null }], 0))).toBe(false);
    expect(back.addKey('new')).toBe(true);
    expect(back.size).toBe(N + 1);
    // and the round trip of the round trip gives the same bytes set
    const again = Hash128Set.fromBytes(set.toBytes());
    expect(again.size).toBe(N);
  });

  it('an empty set round-trips', () => {
    const empty = Hash128Set.fromBytes(new Hash128Set().toBytes());
    expect(empty.size).toBe(0);
    expect(empty.addKey('x')).toBe(true);
  });

  it('keyText tells NULL, empty string and type apart', () => {
    const s = (v: string | null) => keyText([columnFromValues('string', [v])], 0);
    const n = (v: number | null) => keyText([{ type: 'int', data: new Int32Array([v ?? 0]), nulls: v === null ? new Uint8Array([1]) : null }], 0);
    expect(new Set([s(null), s(''), s('1'), n(null), n(1), n(0)]).size).toBe(5); // NULL is NULL whatever the type
    expect(s(null)).toBe(n(null));
    expect(s('1')).not.toBe(n(1));
  });

  it('KeyHasher tells NULL, empty string, type and column boundaries apart; equal numbers of any type are one key', () => {
    const h = (cols: Column[]) => [...new KeyHasher().addRow(cols, 0).hash()].join(':');
    const s = (v: string | null) => columnFromValues('string', [v]);
    const int = (v: number | null) => columnFromValues('int', [v]);
    const dbl = (v: number | null) => columnFromValues('double', [v]);
    const keys = [h([s(null)]), h([s('')]), h([s('1')]), h([int(1)]), h([int(0)]), h([s('ab'), s('c')]), h([s('a'), s('bc')]), h([s('é')])];
    expect(new Set(keys).size).toBe(keys.length);
    expect(h([s(null)])).toBe(h([int(null)])); // NULL is NULL whatever the type
    expect(h([int(1)])).toBe(h([dbl(1)]));
    expect(h([dbl(0)])).toBe(h([dbl(-0)]));
    expect(h([s('Ünïcödé'), int(3)])).toBe(h([takeColumn(columnFromValues('string', ['x', 'Ünïcödé']), [1]), int(3)]));
  });
});

// ---------------------------------------------------------------- aggregate

describe('AggregateOperator', () => {
  const schema: Schema = [{ name: 'g', type: 'string' }, { name: 'x', type: 'int' }, { name: 'y', type: 'double' }];
  const data: Row[] = [
    { g: 'a', x: 1, y: 1.5 },
    { g: 'a', x: null, y: null },
    { g: 'a', x: 3, y: 2.5 },
    { g: 'a', x: 1, y: null },
    { g: 'b', x: null, y: null },
    { g: 'b', x: null, y: null },
    { g: null, x: 5, y: -1 },
    { g: null, x: 7, y: null },
    { g: 'c', x: -2, y: 0 },
  ];
  const aggs: Record<string, Agg> = {
    rows: count(), n_x: count('x'), distinct_x: countDistinct('x'),
    sum_x: sum('x'), avg_x: avg('x'), min_x: min('x'), max_x: max('x'),
    sum_y: sum(col('y')), min_y: min('y'),
  };
  const make = (window: WindowSpec | null = null, keys: [string, Expr][] = [['g', col('g')]]) =>
    new AggregateOperator(schema, keys.map(([n, e]) => [n, e.node] as const), Object.entries(aggs).map(([n, a]) => [n, a.node] as const), window);

  // worked out by hand; ordered by key with the NULL group first
  const expected: Row[] = [
    { g: null, rows: 2, n_x: 2, distinct_x: 2, sum_x: 12, avg_x: 6, min_x: 5, max_x: 7, sum_y: -1, min_y: -1 },
    { g: 'a', rows: 4, n_x: 3, distinct_x: 2, sum_x: 5, avg_x: 5 / 3, min_x: 1, max_x: 3, sum_y: 4, min_y: 1.5 },
    { g: 'b', rows: 2, n_x: 0, distinct_x: 0, sum_x: null, avg_x: null, min_x: null, max_x: null, sum_y: null, min_y: null },
    { g: 'c', rows: 1, n_x: 1, distinct_x: 1, sum_x: -2, avg_x: -2, min_x: -2, max_x: -2, sum_y: 0, min_y: 0 },
  ];

  it('output schema: keys then aggregates, with SQL result types', () => {
    expect(make().schema).toEqual([
      { name: 'g', type: 'string' }, { name: 'rows', type: 'long' }, { name: 'n_x', type: 'long' }, { name: 'distinct_x', type: 'long' },
      { name: 'sum_x', type: 'long' }, { name: 'avg_x', type: 'double' }, { name: 'min_x', type: 'int' }, { name: 'max_x', type: 'int' },
      { name: 'sum_y', type: 'double' }, { name: 'min_y', type: 'double' },
    ]);
  });

  it('count(*) vs count(x), countDistinct ignores NULLs, all-NULL groups give NULL, the NULL group is present', () => {
    const op = make();
    op.add(batchFromRows(schema, data));
    expect(op.groupCount).toBe(4);
    expect(rows(op.result())).toEqual(expected);
  });

  it('incremental: two batches give the same result as one', () => {
    const op = make();
    op.add(batchFromRows(schema, data.slice(0, 4)));
    // an intermediate result reflects the first batch only
    expect(rows(op.result())).toEqual([{ g: 'a', rows: 4, n_x: 3, distinct_x: 2, sum_x: 5, avg_x: 5 / 3, min_x: 1, max_x: 3, sum_y: 4, min_y: 1.5 }]);
    op.add(batchFromRows(schema, data.slice(4)));
    expect(rows(op.result())).toEqual(expected);
    // every split point agrees
    for (let k = 0; k <= data.length; k++) {
      const o = make();
      o.add(batchFromRows(schema, data.slice(0, k)));
      o.add(batchFromRows(schema, data.slice(k)));
      expect(rows(o.result())).toEqual(expected);
    }
  });

  it('state save/load (a binary snapshot) continues exactly where it stopped', () => {
    const a = make();
    a.add(batchFromRows(schema, data.slice(0, 5)));
    const saved = new Uint8Array(Buffer.from(a.snapshot()));
    const b = make();
    b.loadSnapshot(saved);
    expect(rows(b.result())).toEqual(rows(a.result()));
    b.add(batchFromRows(schema, data.slice(5)));
    expect(rows(b.result())).toEqual(expected);
    // countDistinct remembers the values seen before the save: adding x=1 to group a again keeps 2 distinct
    b.add(batchFromRows(schema, [{ g: 'a', x: 1, y: null }]));
    expect(rows(b.result())[1]).toMatchObject({ g: 'a', rows: 5, n_x: 4, distinct_x: 2, sum_x: 6 });
  });

  it.each([{ spill: 'in memory' }, { spill: 'spilled to disk past 4 pairs' }])('binary checkpoints: a snapshot plus the change logs after it rebuilds the state at every batch ($spill)', ({ spill }) => {
    // a pseudo-random stream of batches over a sliding window with keys, count-distinct and evictions
    const s: Schema = [{ name: 't', type: 'timestamp' }, { name: 'k', type: 'string' }, { name: 'p', type: 'string' }, { name: 'x', type: 'int' }];
    const w = sliding('t', '30 minutes', '10 minutes').spec;
    // spilled: the live operator's runs live in one folder; each restore reads a copy of it, as a restart reads the checkpoint
    const liveDir = tempDirFor('agg-live');
    let restores = 0;
    const mk = (dir?: string) => {
      const op = new AggregateOperator(s, [['k', col('k').node]], [['n', count().node], ['d', countDistinct('p').node], ['sx', sum('x').node], ['mx', max('x').node]], w);
      if (spill !== 'in memory') {
        const d = dir ?? path.join(liveDir, '..', `restore-${restores++}`);
        if (!dir) fs.cpSync(liveDir, d, { recursive: true });
        op.useSpill({ dir: d, maxKeys: 4 });
      }
      return op;
    };
    const t0 = ts('2024-01-01T00:00:00Z');
    let seed = 11;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const live = mk(liveDir);
    // and the same stream through an operator that never spills
    const reference = new AggregateOperator(s, [['k', col('k').node]], [['n', count().node], ['d', countDistinct('p').node], ['sx', sum('x').node], ['mx', max('x').node]], w);
    const files: { kind: 'snapshot' | 'delta'; bytes: Uint8Array }[] = [];
    for (let b = 0; b < 12; b++) {
      const batch: Row[] = [];
      for (let i = 0; i < 40; i++) batch.push({ t: t0 + (b * 10 + rnd(40)) * MIN, k: rnd(5) === 0 ? null : `k${rnd(3)}`, p: rnd(7) === 0 ? null : `patient-${rnd(30)}-with-a-long-id`, x: rnd(9) === 0 ? null : rnd(100) - 20 });
      const wm = b >= 3 ? t0 + (b - 3) * 10 * MIN : null;
      live.add(batchFromRows(s, batch), wm);
      reference.add(batchFromRows(s, batch), wm);
      if (b % 4 === 3) expect(rows(live.closeWindows(t0 + (b - 2) * 10 * MIN))).toEqual(rows(reference.closeWindows(t0 + (b - 2) * 10 * MIN)));
      expect(rows(live.result())).toEqual(rows(reference.result()));
      // a snapshot at batches 0 and 6, change logs otherwise (as the service decides by size)
      files.push(b === 0 || b === 6 || live.wantsSnapshot ? { kind: 'snapshot', bytes: live.snapshot() } : { kind: 'delta', bytes: live.changes() });
      // rebuild from the last snapshot and the change logs after it
      let base = files.length - 1;
      while (files[base].kind !== 'snapshot') base--;
      const restored = mk();
      restored.loadSnapshot(files[base].bytes);
      for (let k = base + 1; k < files.length; k++) restored.applyChanges(files[k].bytes);
      expect(rows(restored.result()), `batch ${b}`).toEqual(rows(live.result()));
      expect(restored.groupCount).toBe(live.groupCount);
    }
    // the restored operator goes on exactly as the live one (count-distinct remembers its members)
    let base = files.length - 1;
    while (files[base].kind !== 'snapshot') base--;
    const restored = mk();
    restored.loadSnapshot(files[base].bytes);
    for (let k = base + 1; k < files.length; k++) restored.applyChanges(files[k].bytes);
    const more = batchFromRows(s, [{ t: t0 + 115 * MIN, k: 'k1', p: 'patient-3-with-a-long-id', x: 1 }, { t: t0 + 118 * MIN, k: 'k1', p: 'patient-new', x: 2 }]);
    live.add(more, t0 + 90 * MIN);
    restored.add(more, t0 + 90 * MIN);
    expect(rows(restored.result())).toEqual(rows(live.result()));
    expect(rows(restored.closeWindows(t0 + 200 * MIN))).toEqual(rows(live.closeWindows(t0 + 200 * MIN)));
    // change logs hold the change, not the state: one row touches 3 windows of one key
    live.snapshot();
    live.add(batchFromRows(s, [{ t: t0 + 300 * MIN, k: 'k0', p: 'patient-1-with-a-long-id', x: 5 }]));
    const delta = v8.deserialize(live.changes()) as { v: number; n: number; distinct: ({ hashes: Uint32Array } | null)[] };
    expect(delta.v).toBe(4);
    expect(delta.n).toBe(3);
    // one new (key, value) pair for the count-distinct (a 128-bit hash), nothing for the others
    expect(delta.distinct.map((d) => d?.hashes.length ?? null)).toEqual([null, 4, null, null]);
    if (spill !== 'in memory') expect(fs.readdirSync(path.join(liveDir, 'distinct-1')).filter((f) => f.endsWith('.run')).length).toBeGreaterThan(0);
  });

  it('restarted at every batch, an operator whose groups load on first use goes on as the live one, and its own snapshots and change logs rebuild it', () => {
    // most windows see no row between two restarts: they stay as the snapshot saved them, are emitted,
    // shown and saved again from it; the touched ones get their accumulators back first
    const s: Schema = [{ name: 't', type: 'timestamp' }, { name: 'k', type: 'string' }, { name: 'p', type: 'string' }, { name: 'x', type: 'int' }];
    const w = sliding('t', '40 minutes', '10 minutes').spec;
    const mk = () => new AggregateOperator(s, [['k', col('k').node]],
      [['n', count().node], ['d', countDistinct('p').node], ['sx', sum('x').node], ['mx', max('x').node], ['mn', min('x').node], ['ax', avg('x').node]], w);
    const t0 = ts('2024-01-01T00:00:00Z');
    let seed = 5;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const reference = mk();
    let op = mk();
    const files: { kind: 'snapshot' | 'delta'; bytes: Uint8Array }[] = [];
    let peak = 0;
    for (let b = 0; b < 24; b++) {
      // a few rows on one or two of 12 keys: the other keys' windows are not touched
      const batch: Row[] = [];
      const keys = [rnd(12), rnd(12)];
      for (let i = 0; i < 1 + rnd(6); i++) batch.push({ t: t0 + (b * 5 + rnd(30)) * MIN, k: keys[rnd(2)] === 0 ? null : `k${keys[rnd(2)]}`, p: `p${rnd(9)}`, x: rnd(8) === 0 ? null : rnd(50) - 10 });
      // the first batches fill every key's windows
      if (b < 2) for (let k = 0; k < 12; k++) batch.push({ t: t0 + (b * 5 + k) * MIN, k: `k${k}`, p: `p${k}`, x: k });
      const wm = b >= 4 ? t0 + (b - 4) * 5 * MIN : null;
      op.add(batchFromRows(s, batch), wm);
      reference.add(batchFromRows(s, batch), wm);
      if (b % 3 === 2) expect(rows(op.closeWindows(t0 + (b - 3) * 5 * MIN)), `batch ${b}`).toEqual(rows(reference.closeWindows(t0 + (b - 3) * 5 * MIN)));
      if (b % 2 === 1) expect(rows(op.result()), `batch ${b}`).toEqual(rows(reference.result()));
      files.push(b % 5 === 0 || op.wantsSnapshot ? { kind: 'snapshot', bytes: op.snapshot() } : { kind: 'delta', bytes: op.changes() });
      // restart from the last snapshot and the change logs after it
      let base = files.length - 1;
      while (files[base].kind !== 'snapshot') base--;
      op = mk();
      op.loadSnapshot(files[base].bytes);
      for (let k = base + 1; k < files.length; k++) op.applyChanges(files[k].bytes);
      expect(op.groupCount).toBe(reference.groupCount);
      peak = Math.max(peak, reference.groupCount);
    }
    expect(peak).toBeGreaterThan(40);
    expect(rows(op.result())).toEqual(rows(reference.result()));
    // a snapshot of groups never touched since they were loaded equals the live operator's
    const again = mk();
    again.loadSnapshot(op.snapshot());
    expect(rows(again.result())).toEqual(rows(reference.result()));
    expect(rows(again.closeWindows(t0 + 1000 * MIN))).toEqual(rows(reference.closeWindows(t0 + 1000 * MIN)));
    expect(again.groupCount).toBe(0);
  });

  it.each([{ maxKeys: 0 }, { maxKeys: 3 }, { maxKeys: 8 }])('count(DISTINCT) over sliding windows equals a brute-force count, with late rows, closing windows and pruning (pairs spilled past $maxKeys, 0: never)', ({ maxKeys }) => {
    const s: Schema = [{ name: 't', type: 'timestamp' }, { name: 'k', type: 'string' }, { name: 'p', type: 'string' }];
    // size 30, slide 20: panes of gcd = 10 minutes, windows overlap by one pane
    const w = sliding('t', '30 minutes', '20 minutes').spec;
    const op = new AggregateOperator(s, [['k', col('k').node]], [['d', countDistinct('p').node], ['n', count().node]], w);
    if (maxKeys) op.useSpill({ dir: tempDirFor('distinct-brute'), maxKeys });
    const t0 = ts('2024-01-01T00:00:00Z');
    let seed = 5;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    // the reference: kept (row, window) pairs, grouped by hand
    const kept = new Map<string, { start: number; k: string | null; ps: Set<string>; n: number }>();
    const emitted: Row[] = [];
    const closedRef: Row[] = [];
    let wm: number | null = null;
    for (let b = 0; b < 10; b++) {
      const batch: Row[] = [];
      for (let i = 0; i < 60; i++) batch.push({ t: t0 + (b * 15 + rnd(50) - 10) * MIN + rnd(60) * 1_000_000, k: rnd(4) === 0 ? null : `k${rnd(2)}`, p: rnd(6) === 0 ? null : `p${rnd(12)}` });
      op.add(batchFromRows(s, batch), wm);
      for (const r of batch) {
        const t = r.t as number;
        for (let start = Math.floor(t / (20 * MIN)) * 20 * MIN; start > t - 30 * MIN; start -= 20 * MIN) {
          if (wm !== null && start + 30 * MIN <= wm) continue;
          const key = `${start}|${r.k}`;
          const e = kept.get(key) ?? { start, k: r.k as string | null, ps: new Set<string>(), n: 0 };
          e.n++;
          if (r.p !== null) e.ps.add(r.p as string);
          kept.set(key, e);
        }
      }
      if (b % 3 === 2) {
        wm = t0 + (b * 15 - 20) * MIN;
        emitted.push(...rows(op.closeWindows(wm)));
        for (const [key, e] of kept) if (e.start + 30 * MIN <= wm) { kept.delete(key); closedRef.push({ window_start: e.start, window_end: e.start + 30 * MIN, k: e.k, d: e.ps.size, n: e.n }); }
      }
    }
    const open = [...kept.values()].map((e) => ({ window_start: e.start, window_end: e.start + 30 * MIN, k: e.k, d: e.ps.size, n: e.n }));
    const sortRows = (xs: Row[]) => [...xs].sort((x, y) => (x.window_start as number) - (y.window_start as number) || String(x.k).localeCompare(String(y.k)));
    expect(sortRows(rows(op.result()))).toEqual(sortRows(open));
    expect(emitted.length).toBeGreaterThan(0);
    expect(sortRows(emitted)).toEqual(sortRows(closedRef));
  });

  it('a corrupt or foreign binary state is refused, not half-loaded', () => {
    const a = make();
    a.add(batchFromRows(schema, data));
    const snap = a.snapshot();
    expect(() => make().loadSnapshot(snap.subarray(0, snap.length >> 1))).toThrow();
    expect(() => make().loadSnapshot(v8.serialize({ v: 3, groups: [] }))).toThrow(/format 3/);
    expect(() => make().applyChanges(snap)).toThrow(/format 3/);
    // format 4 with a column one row short
    const st = v8.deserialize(snap) as { n: number; accs: { t: string; d: unknown }[] };
    const bad = { ...st, accs: st.accs.map((c, j) => (j === 0 && c.t === 'n' ? { ...c, d: (c.d as Float64Array).subarray(1) } : c)) };
    expect(() => make().loadSnapshot(v8.serialize(bad))).toThrow(/malformed/);
    expect(() => make().loadSnapshot(v8.serialize({ ...st, n: st.n + 1 }))).toThrow(/malformed/);
  });

  it('state written by the previous engine (format 3: groups as rows) loads, and its change logs apply', () => {
    const w = sliding('t', '30 minutes', '10 minutes').spec;
    const s: Schema = [{ name: 't', type: 'timestamp' }, { name: 'k', type: 'string' }, { name: 'p', type: 'string' }, { name: 'x', type: 'double' }];
    const mk = () => new AggregateOperator(s, [['k', col('k').node]], [['n', count().node], ['d', countDistinct('p').node], ['a', avg('x').node], ['mn', min('x').node], ['mx', max('k').node]], w);
    const t0 = ts('2024-01-01T00:00:00Z');
    const batch = (b: number) => batchFromRows(s, Array.from({ length: 30 }, (_, i) => ({ t: t0 + (b * 10 + (i * 7) % 40) * MIN, k: i % 5 === 0 ? null : `k${i % 3}`, p: `p${(i * b) % 11}`, x: i % 4 === 0 ? null : i / 3 - 2 })));
    const live = mk();
    live.add(batch(0));
    // the same state as format 3 wrote it: [key, saved accumulators] per group
    const toV3 = (bytes: Uint8Array) => {
      const st = v8.deserialize(bytes) as { v: number; n: number; keys: StateColumn[]; accs: StateColumn[] } & Record<string, unknown>;
      expect(st.v).toBe(4);
      const keys = rowsOf(st.keys, st.n), accs = rowsOf(st.accs, st.n);
      const { n: _n, keys: _k, accs: _a, ...rest } = st;
      return v8.serialize({ ...rest, v: 3, groups: keys.map((k, i) => [k, accs[i]]) });
    };
    const snap = live.snapshot();
    live.add(batch(1), t0 + 5 * MIN);
    const delta = live.changes();
    const fromV4 = mk(), fromV3 = mk();
    fromV4.loadSnapshot(snap);
    fromV4.applyChanges(delta);
    fromV3.loadSnapshot(toV3(snap));
    fromV3.applyChanges(toV3(delta));
    expect(rows(fromV3.result())).toEqual(rows(live.result()));
    expect(rows(fromV4.result())).toEqual(rows(live.result()));
    for (const op of [live, fromV3, fromV4]) op.add(batch(2), t0 + 15 * MIN);
    expect(rows(fromV3.closeWindows(t0 + 60 * MIN))).toEqual(rows(live.closeWindows(t0 + 60 * MIN)));
    expect(rows(fromV3.result())).toEqual(rows(live.result()));
  });

  it('a global aggregate (no keys) folds everything into one row', () => {
    const op = make(null, []);
    op.add(batchFromRows(schema, data));
    expect(rows(op.result())).toEqual([{ rows: 9, n_x: 6, distinct_x: 5, sum_x: 15, avg_x: 2.5, min_x: -2, max_x: 7, sum_y: 3, min_y: -1 }]);
  });

  it('a global aggregate over no rows is one row: count 0, the others NULL (SQL semantics)', () => {
    const op = make(null, []);
    expect(rows(op.result())).toEqual([{ rows: 0, n_x: 0, distinct_x: 0, sum_x: null, avg_x: null, min_x: null, max_x: null, sum_y: null, min_y: null }]);
    op.add(batchFromRows(schema, []));
    expect(op.result().length).toBe(1);
    // grouped aggregates over no rows have no rows
    expect(make().result().length).toBe(0);
  });

  it('group by a computed key; min/max of strings and dates', () => {
    const s: Schema = [{ name: 'name', type: 'string' }, { name: 'd', type: 'date' }];
    const op = new AggregateOperator(s, [['initial', col('name').upper().node]], [['first', min('name').node], ['last', max('name').node], ['latest', max('d').node]], null);
    op.add(batchFromRows(s, [{ name: 'bob', d: day('2024-01-05') }, { name: 'Bea', d: day('2023-12-31') }, { name: 'ann', d: null }, { name: 'Al', d: day('2024-02-01') }]));
    // the key is the whole upper-cased name; groups come out ordered by it
    expect(rows(op.result())).toEqual([
      { initial: 'AL', first: 'Al', last: 'Al', latest: day('2024-02-01') },
      { initial: 'ANN', first: 'ann', last: 'ann', latest: null },
      { initial: 'BEA', first: 'Bea', last: 'Bea', latest: day('2023-12-31') },
      { initial: 'BOB', first: 'bob', last: 'bob', latest: day('2024-01-05') },
    ]);
    const op2 = new AggregateOperator(s, [], [['first', min('name').node], ['last', max('name').node], ['earliest', min('d').node]], null);
    op2.add(batchFromRows(s, [{ name: 'bob', d: day('2024-01-05') }, { name: 'Bea', d: day('2023-12-31') }, { name: 'ann', d: null }]));
    // ordinal string order: 'B' < 'a' < 'b'
    expect(rows(op2.result())).toEqual([{ first: 'Bea', last: 'bob', earliest: day('2023-12-31') }]);
  });

  it('windowed: rows fold into their window; closeWindows emits and evicts what the watermark passed', () => {
    const s: Schema = [{ name: 't', type: 'timestamp' }, { name: 'k', type: 'string' }];
    const w = tumbling('t', '10 minutes').spec;
    const op = new AggregateOperator(s, [['k', col('k').node]], [['n', count().node]], w);
    expect(names(op.schema)).toEqual(['window_start', 'window_end', 'k', 'n']);
    const t0 = ts('2024-01-01T00:00:00Z');
    const r = op.add(batchFromRows(s, [
      { t: t0 + 1 * MIN, k: 'a' }, { t: t0 + 9 * MIN, k: 'a' }, { t: t0 + 10 * MIN, k: 'a' }, { t: null, k: 'a' }, { t: t0 + 12 * MIN, k: 'b' },
    ]));
    expect(r).toEqual({ nullEventTime: 1, late: 0 });
    expect(rows(op.result())).toEqual([
      { window_start: t0, window_end: t0 + 10 * MIN, k: 'a', n: 2 },
      { window_start: t0 + 10 * MIN, window_end: t0 + 20 * MIN, k: 'a', n: 1 },
      { window_start: t0 + 10 * MIN, window_end: t0 + 20 * MIN, k: 'b', n: 1 },
    ]);
    expect(op.hasWindowEndingBy(t0 + 9 * MIN)).toBe(false);
    expect(op.hasWindowEndingBy(t0 + 10 * MIN)).toBe(true);
    // a watermark exactly at a window end closes it
    expect(rows(op.closeWindows(t0 + 10 * MIN))).toEqual([{ window_start: t0, window_end: t0 + 10 * MIN, k: 'a', n: 2 }]);
    expect(op.groupCount).toBe(2);
    // late rows: their only window ended at or before the watermark
    const late = op.add(batchFromRows(s, [{ t: t0 + 5 * MIN, k: 'a' }, { t: t0 + 15 * MIN, k: 'a' }]), t0 + 10 * MIN);
    expect(late).toEqual({ nullEventTime: 0, late: 1 });
    expect(rows(op.closeWindows(t0 + 20 * MIN))).toEqual([
      { window_start: t0 + 10 * MIN, window_end: t0 + 20 * MIN, k: 'a', n: 2 },
      { window_start: t0 + 10 * MIN, window_end: t0 + 20 * MIN, k: 'b', n: 1 },
    ]);
    expect(op.groupCount).toBe(0);
  });

  it('windowed sliding: a row counts in every window that holds it; partial lateness is not late', () => {
    const s: Schema = [{ name: 't', type: 'timestamp' }];
    const op = new AggregateOperator(s, [], [['n', count().node]], sliding('t', '10 minutes', '5 minutes').spec);
    const t0 = ts('2024-01-01T00:00:00Z');
    // t0+7: windows [0,10) and [5,15); with the watermark at t0+10 only [5,15) is kept
    const r = op.add(batchFromRows(s, [{ t: t0 + 7 * MIN }]), t0 + 10 * MIN);
    expect(r).toEqual({ nullEventTime: 0, late: 0 });
    expect(rows(op.result())).toEqual([{ window_start: t0 + 5 * MIN, window_end: t0 + 15 * MIN, n: 1 }]);
  });
});

// ---------------------------------------------------------------- expectations

describe('DistinctTable', () => {
  it('records (pair, pane) once; a known pair in a new pane reports its earlier panes; survives growth, save/load, change logs and pruning', () => {
    const t = new DistinctTable(4);
    expect(t.add('a', 5)).toBe(DistinctTable.NEW);
    expect(t.add('a', 5)).toBe(DistinctTable.SEEN);
    expect(t.add('a', 7)).toBe(DistinctTable.NEW_PANE);
    expect(t.previous).toEqual([5]);
    expect(t.add('a', 9)).toBe(DistinctTable.NEW_PANE);
    expect(t.previous).toEqual([5, 7]);
    const base = t.save();
    // panes beyond int32 (sub-second panes over epoch microseconds) switch the pane array to float64
    for (let i = 0; i < 5000; i++) expect(t.add(`v${i}`, i % 2 ? 3e12 + i : i)).toBe(DistinctTable.NEW);
    expect(t.add('v4999', 3e12 + 4999)).toBe(DistinctTable.SEEN);
    expect(t.size).toBe(5001);
    const restored = DistinctTable.load(base);
    restored.apply(t.drain());
    for (let i = 0; i < 5000; i += 7) expect(restored.add(`v${i}`, i % 2 ? 3e12 + i : i)).toBe(DistinctTable.SEEN);
    // pruning forgets pairs whose every pane is at or before the threshold
    restored.prune(4000);
    expect(restored.size).toBe(2500 + 499);
    expect(restored.add('v10', 10)).toBe(DistinctTable.NEW);
    expect(restored.add('a', 9)).toBe(DistinctTable.NEW);
  });
});

describe('ExpectationsOperator', () => {
  const schema: Schema = [{ name: 'id', type: 'int' }, { name: 'age', type: 'int' }, { name: 'email', type: 'string' }];
  const input = batchFromRows(schema, [
    { id: 1, age: 30, email: 'a@x' },
    { id: 2, age: null, email: 'b@x' },
    { id: null, age: 200, email: null },
    { id: 4, age: 40, email: null },
    { id: 5, age: -1, email: 'e@x' },
  ]);
  const rule = (name: string, e: Expr, action: Expectation['action']): Expectation => ({ name, predicate: e.node, action });
  const rules: Expectation[] = [
    rule('has_email', col('email').isNotNull(), 'warn'),
    rule('valid_id', col('id').isNotNull(), 'drop'),
    rule('valid_age', col('age').between(0, 120), 'drop'),
  ];

  it('warn keeps, drop removes; NULL counts as failed; passed + failed = rows for every rule', () => {
    const op = new ExpectationsOperator('patients', schema, rules);
    const r = op.apply(input, false);
    expect(r.quarantined).toBe(null);
    expect(rows(r.kept).map((x) => x.id)).toEqual([1, 4]);
    expect(r.dropped_records).toBe(3);
    expect(r.metrics).toEqual([
      { name: 'has_email', dataset: 'patients', action: 'warn', passed_records: 3, failed_records: 2 },
      { name: 'valid_id', dataset: 'patients', action: 'drop', passed_records: 4, failed_records: 1 },
      // age NULL -> between is NULL -> failed
      { name: 'valid_age', dataset: 'patients', action: 'drop', passed_records: 2, failed_records: 3 },
    ]);
    for (const m of r.metrics) expect(m.passed_records + m.failed_records).toBe(input.length);
  });

  it('quarantine: dropped rows with _failed_expectations in declaration order, warn rules included', () => {
    const op = new ExpectationsOperator('patients', schema, rules);
    const r = op.apply(input, true);
    expect(names(r.quarantined!.schema)).toEqual(['id', 'age', 'email', '_failed_expectations']);
    expect(r.quarantined!.schema[3].type).toBe('array<string>');
    expect(rows(r.quarantined!)).toEqual([
      { id: 2, age: null, email: 'b@x', _failed_expectations: ['valid_age'] },
      { id: null, age: 200, email: null, _failed_expectations: ['has_email', 'valid_id', 'valid_age'] },
      { id: 5, age: -1, email: 'e@x', _failed_expectations: ['valid_age'] },
    ]);
    // row 4 failed only a warn rule: kept, not quarantined
    expect(rows(r.kept).map((x) => x.id)).toEqual([1, 4]);
    expect(r.kept.length + r.quarantined!.length).toBe(input.length);
  });

  it('warn-only: every row kept, failures counted', () => {
    const op = new ExpectationsOperator('t', schema, [rule('has_email', col('email').isNotNull(), 'warn')]);
    const r = op.apply(input, true);
    expect(r.kept.length).toBe(5);
    expect(r.dropped_records).toBe(0);
    expect(r.quarantined!.length).toBe(0);
    expect(r.metrics[0]).toMatchObject({ passed_records: 3, failed_records: 2 });
  });

  it('no rules: the batch passes through untouched', () => {
    const op = new ExpectationsOperator('t', schema, []);
    const r = op.apply(input, true);
    expect(r.kept).toBe(input);
    expect(r.metrics).toEqual([]);
  });

  it('fail throws EXPECTATION_FAILED for the first offending row (input order), with the row', () => {
    const op = new ExpectationsOperator('patients', schema, [
      rule('has_email', col('email').isNotNull(), 'warn'),
      rule('adult', col('age').ge(18), 'fail'),
      rule('valid_id', col('id').isNotNull(), 'fail'),
    ], { table: 'patients', file: 'p.ts', line: 7 });
    let err: unknown;
    try { op.apply(input, false); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(RuntimeFailure);
    expect(isPipelineError(err)).toBe(true);
    const f = err as RuntimeFailure;
    expect(f.code).toBe('EXPECTATION_FAILED');
    // row 2 (id 2) is the first row failing a fail rule: age NULL >= 18 is NULL
    expect(f.params).toMatchObject({ table: 'patients', expectation: 'adult', row: { id: 2, age: null, email: 'b@x' }, rowIndex: 1 });
    expect(f.origin).toEqual({ table: 'patients', file: 'p.ts', line: 7 });
  });

  it('fail: among the rules a row fails, the first declared is reported', () => {
    const op = new ExpectationsOperator('t', schema, [
      rule('valid_id', col('id').isNotNull(), 'fail'),
      rule('valid_age', col('age').between(0, 120), 'fail'),
    ]);
    // row 2 (id 2, age NULL) fails valid_age; row 3 fails both but comes later
    expect(() => op.apply(input, false)).toThrow(RuntimeFailure);
    try { op.apply(input, false); } catch (e) {
      expect((e as RuntimeFailure).params).toMatchObject({ expectation: 'valid_age', row: { id: 2 } });
    }
    const only3 = batchFromRows(schema, [{ id: null, age: 200, email: null }]);
    try { op.apply(only3, false); expect.unreachable(); } catch (e) {
      expect((e as RuntimeFailure).params).toMatchObject({ table: 't', expectation: 'valid_id', row: { id: null, age: 200, email: null } });
    }
  });

  it('fail passes when every row is fine; an empty batch passes', () => {
    const op = new ExpectationsOperator('t', schema, [rule('valid_id', col('id').isNotNull(), 'fail')]);
    const ok = batchFromRows(schema, [{ id: 1, age: 1, email: null }]);
    expect(op.apply(ok, false).kept.length).toBe(1);
    const r = op.apply(batchFromRows(schema, []), false);
    expect(r.kept.length).toBe(0);
    expect(r.metrics[0]).toMatchObject({ passed_records: 0, failed_records: 0 });
  });
});

// ---------------------------------------------------------------- window assignment

describe('window assignment', () => {
  const spec = (size: number, slide: number) => ({ sizeUs: size, slideUs: slide });

  it('tumbling: epoch-aligned, one window per row', () => {
    const t0 = ts('2024-01-01T00:00:00Z');
    expect(windowStarts(t0 + 7 * MIN, spec(10 * MIN, 10 * MIN))).toEqual([t0]);
    expect(windowStarts(t0 + 9 * MIN + 59_999_999, spec(10 * MIN, 10 * MIN))).toEqual([t0]);
    expect(windowStarts(t0, spec(10 * MIN, 10 * MIN))).toEqual([t0]);
    // 15-minute windows are aligned to the epoch, not to the first row
    expect(windowStarts(ts('2024-01-01T10:07:00Z'), spec(15 * MIN, 15 * MIN))).toEqual([ts('2024-01-01T10:00:00Z')]);
  });

  it('a row exactly on a window end belongs to the next window only', () => {
    const t0 = ts('2024-01-01T00:00:00Z');
    expect(windowStarts(t0 + 10 * MIN, spec(10 * MIN, 10 * MIN))).toEqual([t0 + 10 * MIN]);
    expect(windowStarts(t0 + 10 * MIN - 1, spec(10 * MIN, 10 * MIN))).toEqual([t0]);
    // sliding: on a boundary, the window ending there is excluded
    expect(windowStarts(t0 + 10 * MIN, spec(10 * MIN, 5 * MIN))).toEqual([t0 + 5 * MIN, t0 + 10 * MIN]);
  });

  it('sliding: size/slide overlapping windows, ascending', () => {
    const t0 = ts('2024-01-01T00:00:00Z');
    expect(windowStarts(t0 + 7 * MIN, spec(10 * MIN, 5 * MIN))).toEqual([t0, t0 + 5 * MIN]);
    expect(windowStarts(t0 + 7 * MIN, spec(15 * MIN, 5 * MIN))).toEqual([t0 - 5 * MIN, t0, t0 + 5 * MIN]);
    expect(windowStarts(t0 + 7 * MIN, spec(60 * MIN, 1 * MIN))).toHaveLength(60);
    // size not a multiple of the slide: starts at 3, 6, 9 (size 10) contain t = 10
    expect(windowStarts(10, spec(10, 3))).toEqual([3, 6, 9]);
    // the count is ceil(size / slide) or floor, depending on t
    expect(windowStarts(11, spec(10, 3))).toEqual([3, 6, 9]);
    expect(windowStarts(12, spec(10, 3))).toEqual([3, 6, 9, 12]);
  });

  it('negative times (before 1970) align the same way', () => {
    expect(windowStarts(-1, spec(10, 10))).toEqual([-10]);
    expect(windowStarts(-10, spec(10, 10))).toEqual([-10]);
    expect(windowStarts(-11, spec(10, 10))).toEqual([-20]);
    expect(windowStarts(-3, spec(10, 5))).toEqual([-10, -5]);
    const t = ts('1969-12-31T23:55:00Z');
    expect(windowStarts(t, spec(10 * MIN, 10 * MIN))).toEqual([ts('1969-12-31T23:50:00Z')]);
  });

  it('DATE is taken at 00:00 UTC; NULL has no event time', () => {
    const d = day('2024-01-02');
    const dates = { type: 'date' as const, data: new Int32Array([d, 0, -1]), nulls: new Uint8Array([0, 1, 0]) };
    expect(eventTimeUs(dates, 0)).toBe(ts('2024-01-02T00:00:00Z'));
    expect(eventTimeUs(dates, 1)).toBe(null);
    expect(eventTimeUs(dates, 2)).toBe(ts('1969-12-31T00:00:00Z'));
    const stamps = { type: 'timestamp' as const, data: new Float64Array([123]), nulls: null };
    expect(eventTimeUs(stamps, 0)).toBe(123);
    // a one-day tumbling window over DATEs holds exactly that day
    const DAY = 86_400_000_000;
    expect(windowStarts(eventTimeUs(dates, 0)!, spec(DAY, DAY))).toEqual([ts('2024-01-02T00:00:00Z')]);
    // 7-day windows are epoch-aligned (1970-01-01 was a Thursday)
    expect(windowStarts(eventTimeUs(dates, 0)!, spec(7 * DAY, 7 * DAY))).toEqual([ts('2023-12-28T00:00:00Z')]);
  });

  it('DATE windows in an aggregate', () => {
    const s: Schema = [{ name: 'd', type: 'date' }];
    const op = new AggregateOperator(s, [], [['n', count().node]], tumbling('d', '1 day').spec);
    op.add(batchFromRows(s, [{ d: day('2024-01-01') }, { d: day('2024-01-01') }, { d: day('2024-01-02') }]));
    expect(rows(op.result())).toEqual([
      { window_start: ts('2024-01-01T00:00:00Z'), window_end: ts('2024-01-02T00:00:00Z'), n: 2 },
      { window_start: ts('2024-01-02T00:00:00Z'), window_end: ts('2024-01-03T00:00:00Z'), n: 1 },
    ]);
  });
});

describe('concatBatches (aggregate of two batches equals one)', () => {
  it('is the reference for incremental equivalence', () => {
    const s: Schema = [{ name: 'x', type: 'int' }];
    const a = batchFromRows(s, [{ x: 1 }, { x: null }]);
    const b = batchFromRows(s, [{ x: 3 }]);
    expect(rows(concatBatches(s, [a, b]))).toEqual([{ x: 1 }, { x: null }, { x: 3 }]);
  });
});
