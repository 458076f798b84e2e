/**
 * Small flat batches written as Parquet in JS (engine/sinks/parquet-plain.ts)
 * and the Snappy compressor it uses (engine/sinks/snappy.ts):
 *
 * - DuckDB reads from a plain file the rows it reads from parquet-wasm's file
 *   of the same batch (every flat type, NULLs, NaN, ±0, ±Infinity, multi-byte
 *   and empty strings, all-NULL and no-NULL columns, 0 to 2,048 rows: PLAIN_MAX_ROWS);
 * - the engine's decoder reads the batch back;
 * - the footer's statistics are exact: the engine reads back `columnStats`,
 *   and DuckDB, which skips row groups by them, counts the same rows under
 *   range filters as a scan of the batch;
 * - a plain file and a parquet-wasm file of the same schema concatenate page
 *   by page (the same layout key);
 * - batches the writer does not take (more rows, nested or decimal columns)
 *   are left to parquet-wasm;
 * - Snappy output decodes (hyparquet's decoder) to its input, over 64 KB
 *   block edges, repeated, random and tiny inputs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { snappyUncompress } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { batchFromRows, batchToRows, emptyBatch, type Batch } from '../engine/batch.js';
import type { Schema } from '../engine/ir/types.js';
import { columnStats, decodeParquet, encodeParquet } from '../engine/sinks/parquet.js';
import { concatParquet, layoutKey } from '../engine/sinks/parquet-concat.js';
import { parquetFooterOf } from '../engine/sinks/parquet-footer.js';
import { PLAIN_MAX_ROWS, encodePlainParquet } from '../engine/sinks/parquet-plain.js';
import { encodedColumnStats } from '../engine/sinks/parquet-stats.js';
import { snappyCompress } from '../engine/sinks/snappy.js';
import { Duck, multisetEqual, sqlString } from './helpers/duck.js';
import { tempDir } from './helpers/cli.js';
import { rng } from './helpers/random.js';

vi.setConfig({ testTimeout: 60_000 });

const SCHEMA: Schema = [
  { name: 'id', type: 'string' },
  { name: 'name', type: 'string' },
  { name: 'k', type: 'int' },
  { name: 'n', type: 'long' },
  { name: 'x', type: 'double' },
  { name: 'ok', type: 'boolean' },
  { name: 'd', type: 'date' },
  { name: 'ts', type: 'timestamp' },
  { name: 'always_null', type: 'double' },
  { name: 'never_null', type: 'int' },
];

const WORDS = ['alpha', 'Bäcker', 'Zoë', '東京', '🙂 smile', '', 'x'.repeat(300), 'ÿ', 'a\u0000b'];
const DOUBLES = [0, -0, NaN, Infinity, -Infinity, 1e-300, -2.5, 1e300];

function randomRows(seed: number, rows: number, nullRate = 0.15): Record<string, unknown>[] {
  const r = rng(seed);
  const pick = <V>(xs: readonly V[]) => xs[Math.floor(r() * xs.length)];
  const maybe = <V>(v: V) => (r() < nullRate ? null : v);
  const out = [];
  for (let i = 0; i < rows; i++) {
    out.push({
      id: `P${seed}-${i}`,
      name: maybe(pick(WORDS) + (r() < 0.5 ? String(Math.floor(r() * 50)) : '')),
      k: maybe(Math.floor((r() - 0.5) * 2 ** 31)),
      n: maybe(r() < 0.1 ? pick([2 ** 53 - 1, -(2 ** 53) + 1, 0, -1]) : Math.floor((r() - 0.5) * 2 ** 44)),
      x: maybe(r() < 0.2 ? pick(DOUBLES) : (r() - 0.5) * 1e6),
      ok: maybe(r() < 0.5),
      d: maybe(Math.floor(r() * 40_000) - 10_000),
      ts: maybe(Math.floor((r() - 0.3) * 4e15)),
      always_null: null,
      never_null: i % 7,
    });
  }
  return out;
}

const batchOf = (seed: number, rows: number, nullRate?: number) => batchFromRows(SCHEMA, randomRows(seed, rows, nullRate));
/** parquet-wasm's file of a batch (its own settings: dictionaries, page statistics). */
const wasmFile = (b: Batch) => encodeParquet(b, { tuning: 'default' });
const plainFile = (b: Batch) => {
  const p = encodePlainParquet(b, () => wasmFile(emptyBatch(b.schema)));
  if (!p) throw new Error('the plain writer declined');
  return p.bytes;
};

let duck: Duck;
let work: string;
let seq = 0;
const put = (bytes: Uint8Array) => { const f = path.join(work, `f${seq++}.parquet`); fs.writeFileSync(f, bytes); return f; };

beforeAll(async () => {
  duck = await Duck.open();
  work = tempDir('parquet-plain');
});
afterAll(() => {
  duck.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('plain Parquet files', () => {
  const cases: [string, number, number, number?][] = [
    ['no rows', 1, 0], ['one row', 2, 1], ['7 rows', 3, 7], ['8 rows', 4, 8], ['9 rows', 5, 9],
    ['1,000 rows', 6, 1000], ['no NULLs', 7, 500, 0], ['mostly NULL', 8, 300, 0.95], [`${PLAIN_MAX_ROWS} rows`, 9, PLAIN_MAX_ROWS],
  ];
  for (const [label, seed, rows, nullRate] of cases) {
    it(`${label}: DuckDB reads the rows it reads from parquet-wasm's file, and the engine reads the batch back`, async () => {
      const b = batchOf(seed, rows, nullRate);
      const bytes = plainFile(b);
      // encodeParquet takes this path with the default options
      expect(Buffer.from(encodeParquet(b)).equals(Buffer.from(bytes))).toBe(true);
      const p = put(bytes), w = put(wasmFile(b));
      const q = (f: string) => `SELECT * REPLACE (CAST(x AS VARCHAR) AS x, CAST(always_null AS VARCHAR) AS always_null) FROM read_parquet(${sqlString(f)})`;
      const got = await duck.all(q(p));
      expect(got.length).toBe(rows);
      multisetEqual(got, await duck.all(q(w)), { label, tolerance: 0 });
      expect(await duck.describe(`SELECT * FROM read_parquet(${sqlString(p)})`)).toEqual(await duck.describe(`SELECT * FROM read_parquet(${sqlString(w)})`));
      const back = decodeParquet(bytes, SCHEMA);
      expect(batchToRows(back)).toEqual(batchToRows(b));
    });
  }

  it('the footer statistics are exact: read back by the engine, and used by DuckDB to skip rows correctly', async () => {
    for (const seed of [11, 12, 13]) {
      const b = batchOf(seed, 900, seed === 13 ? 0.6 : 0.1);
      const bytes = plainFile(b);
      expect(encodedColumnStats(b, bytes)).toEqual(columnStats(b));
      const f = sqlString(put(bytes));
      const rows = batchToRows(b);
      const r = rng(seed);
      for (let t = 0; t < 12; t++) {
        const pivot = rows[Math.floor(r() * rows.length)];
        for (const c of ['k', 'n', 'x', 'd', 'ts', 'name'] as const) {
          const v = pivot[c];
          // (a NUL character cannot be written in DuckDB's SQL text)
          if (v === null || (typeof v === 'number' && Number.isNaN(v)) || (typeof v === 'string' && v.includes('\u0000'))) continue;
          const lit = c === 'name' ? sqlString(v as string) : c === 'd' ? `DATE '1970-01-01' + INTEGER '${v}'` : c === 'ts' ? `make_timestamptz(${v}::BIGINT)` : Object.is(v, -0) ? '0' : String(v);
          if (c === 'x' && !Number.isFinite(v as number)) continue;
          const [{ lo, hi }] = await duck.all(`SELECT count(*) FILTER (WHERE ${c} < ${lit}) AS lo, count(*) FILTER (WHERE ${c} > ${lit}) AS hi FROM read_parquet(${f})`);
          const [{ lo2 }] = await duck.all(`SELECT count(*) AS lo2 FROM read_parquet(${f}) WHERE ${c} < ${lit}`);
          const [{ hi2 }] = await duck.all(`SELECT count(*) AS hi2 FROM read_parquet(${f}) WHERE ${c} > ${lit}`);
          expect([lo2, hi2], `${c} against ${String(v)}`).toEqual([lo, hi]);
        }
      }
    }
  });

  it('a plain file and a parquet-wasm file of the schema concatenate page by page', () => {
    const small = batchOf(21, 1200), large = batchOf(22, PLAIN_MAX_ROWS + 500);
    const a = parquetFooterOf(plainFile(small)), bytesB = encodeParquet(large), b = parquetFooterOf(bytesB);
    expect(layoutKey(a)).toBe(layoutKey(b));
    const fa = put(plainFile(small)), fb = put(bytesB);
    const chunks: Uint8Array[] = [];
    concatParquet([{ ...a, path: fa }, { ...b, path: fb }], (c) => chunks.push(new Uint8Array(c)));
    const joined = decodeParquet(Buffer.concat(chunks), SCHEMA);
    expect(batchToRows(joined)).toEqual([...batchToRows(small), ...batchToRows(large)]);
  });

  it('leaves to parquet-wasm what it does not take', () => {
    const empty = () => new Uint8Array(0);
    expect(encodePlainParquet(batchOf(31, PLAIN_MAX_ROWS + 1), empty)).toBeNull();
    for (const type of ['array<int>', 'decimal(10,2)', 'struct<a:int>', 'map<string,int>'] as const) {
      const b = batchFromRows([{ name: 'id', type: 'string' }, { name: 'v', type }], []);
      expect(encodePlainParquet(b, empty), type).toBeNull();
    }
    // other options than the defaults: parquet-wasm's file (it holds a dictionary page, the plain writer's never does)
    const b = batchOf(32, 50);
    expect(Buffer.from(encodeParquet(b, { compression: 'zstd' })).equals(Buffer.from(plainFile(b)))).toBe(false);
  });
});

describe('Snappy', () => {
  const roundTrip = (src: Uint8Array) => {
    const z = snappyCompress(src);
    const out = new Uint8Array(src.length);
    snappyUncompress(z, out);
    expect(Buffer.from(out).equals(Buffer.from(src))).toBe(true);
    return z.length;
  };

  it('decodes to its input: tiny, random, repetitive, and over 64 KB block edges', () => {
    const r = rng(5);
    for (let n = 0; n < 40; n++) roundTrip(Uint8Array.from({ length: n }, () => Math.floor(r() * 4)));
    for (const n of [65_535, 65_536, 65_537, 200_000, 300_001]) {
      roundTrip(Uint8Array.from({ length: n }, () => Math.floor(r() * 256)));
      const words = new TextEncoder().encode(Array.from({ length: n / 8 }, (_, i) => WORDS[i % WORDS.length] + (i % 97)).join(','));
      const z = roundTrip(words);
      expect(z).toBeLessThan(words.length / 2);
    }
    // long runs: copies longer than 64 bytes, and offsets near 64 KB
    const runs = new Uint8Array(150_000);
    for (let i = 0; i < runs.length; i++) runs[i] = i < 70_000 ? 7 : (i * 31) % 251;
    roundTrip(runs);
    const far = new Uint8Array(131_072);
    for (let i = 0; i < 65_000; i++) far[i] = Math.floor(r() * 256);
    far.copyWithin(65_000, 0, 66_072);
    roundTrip(far);
  });
});
