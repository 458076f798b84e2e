/**
 * Compaction by concatenation (engine/sinks/parquet-concat.ts,
 * engine/sinks/thrift-compact.ts, maintenance/optimize.ts `writeGroup`):
 *
 * - the Thrift compact codec is lossless: the engine's footers and random
 *   structs of every wire type encode back to the same bytes;
 * - a concatenated file holds the rows of its inputs, read by DuckDB and by the
 *   engine's own reader; every page its offset index points at is a page header
 *   of the stated size (the offsets were moved right);
 * - files of another schema are refused;
 * - the merged Delta stats equal the stats of all the rows written as one file;
 * - `writeGroup` copies files with large row groups and re-encodes the rest,
 *   and the result equals DuckDB's union of the inputs;
 * - the statistics of a file read from its footer (parquet-stats.ts) equal
 *   those of a scan of its columns, special values and truncated strings
 *   included.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readOffsetIndex } from 'hyparquet';
import { batchFromRows, batchToRows, concatBatches, type Batch } from '../engine/batch.js';
import type { Schema } from '../engine/ir/types.js';
import { decodeParquetFile, encodeParquet } from '../engine/sinks/parquet.js';
import { concatParquet } from '../engine/sinks/parquet-concat.js';
import { parquetFooterOf, readParquetFooter, ParquetFooterError } from '../engine/sinks/parquet-footer.js';
import { T, readStruct, writeStruct, field, type TStruct, type TValue, type TList } from '../engine/sinks/thrift-compact.js';
import { deltaStats, deltaStatsOf, mergeDeltaStats } from '../engine/sinks/delta-stats.js';
import { encodedColumnStats } from '../engine/sinks/parquet-stats.js';
import { COPY_MAX_SMALL_GROUPS, COPY_MIN_ROWS_PER_GROUP, writeGroup } from '../engine/maintenance/optimize.js';
import { Duck, multisetEqual, sqlString } from './helpers/duck.js';
import { tempDir } from './helpers/cli.js';
import { rng } from './helpers/random.js';

const SCHEMA: Schema = [
  { name: 'id', type: 'string' },
  { name: 'name', type: 'string' },
  { name: 'n', type: 'long' },
  { name: 'k', type: 'int' },
  { name: 'x', type: 'double' },
  { name: 'ok', type: 'boolean' },
  { name: 'd', type: 'date' },
  { name: 'ts', type: 'timestamp' },
  { name: 'tags', type: 'array<string>' },
];

vi.setConfig({ testTimeout: 60_000 });

let duck: Duck;
let work: string;

beforeAll(async () => {
  duck = await Duck.open();
  work = tempDir('parquet-concat');
});
afterAll(() => {
  duck?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true, maxRetries: 5 });
});

const WORDS = ['alpha', 'Bäcker', 'Zoë', '東京', '🙂 smile', '', 'x'.repeat(40), 'zz' + 'é'.repeat(30), 'ÿ'];

function randomBatch(seed: number, rows: number, opts: { allNull?: string } = {}): Batch {
  const r = rng(seed);
  const pick = <V>(xs: readonly V[]) => xs[Math.floor(r() * xs.length)];
  const out = [];
  for (let i = 0; i < rows; i++) {
    const maybe = <V>(v: V) => (r() < 0.1 ? null : v);
    out.push({
      id: `P${seed}-${i}`,
      name: opts.allNull === 'name' ? null : maybe(pick(WORDS) + (r() < 0.5 ? String(Math.floor(r() * 1000)) : '')),
      n: maybe(Math.floor((r() - 0.5) * 2 ** 40)),
      k: maybe(Math.floor((r() - 0.5) * 2 ** 20)),
      x: maybe((r() - 0.5) * 1e6),
      ok: maybe(r() < 0.5),
      d: maybe(Math.floor(r() * 40_000) - 10_000),
      ts: maybe(Math.floor(r() * 2e15)),
      tags: maybe([pick(WORDS), pick(WORDS)]),
    });
  }
  return batchFromRows(SCHEMA, out);
}

function writeFile(name: string, b: Batch, rowGroupSize?: number): string {
  const p = path.join(work, name);
  fs.writeFileSync(p, encodeParquet(b, rowGroupSize ? { rowGroupSize } : {}));
  return p;
}

const glob = (files: readonly string[]) => `read_parquet([${files.map(sqlString).join(', ')}])`;

describe('the Thrift compact codec', () => {
  it('re-encodes the engine\'s footers byte for byte', () => {
    for (const [i, b] of [randomBatch(1, 50), randomBatch(2, 0)].entries()) {
      const bytes = encodeParquet(b, { rowGroupSize: 16 });
      const len = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 8, 4).getUint32(0, true);
      const footer = bytes.subarray(bytes.length - 8 - len, bytes.length - 8);
      const { value, end } = readStruct(footer);
      expect(end, `file ${i}`).toBe(footer.length);
      expect(Buffer.from(writeStruct(value)).equals(Buffer.from(footer)), `file ${i}`).toBe(true);
    }
  });

  it('round-trips random structs of every wire type', () => {
    const r = rng(7);
    const scalar = (t: number): TValue => {
      switch (t) {
        case T.TRUE: case T.FALSE: return r() < 0.5;
        case T.BYTE: return Math.floor(r() * 256);
        case T.I16: return Math.floor((r() - 0.5) * 65_000);
        case T.I32: return Math.floor((r() - 0.5) * 2 ** 31);
        case T.I64: return BigInt(Math.floor((r() - 0.5) * 2 ** 52)) * (r() < 0.3 ? 4096n : 1n);
        case T.DOUBLE: return (r() - 0.5) * 1e300;
        case T.BINARY: return new Uint8Array(Array.from({ length: Math.floor(r() * 20) }, () => Math.floor(r() * 256)));
        default: return new Uint8Array(16).fill(Math.floor(r() * 256));
      }
    };
    const types = [T.TRUE, T.BYTE, T.I16, T.I32, T.I64, T.DOUBLE, T.BINARY, T.UUID];
    const struct = (depth: number): TStruct => {
      const s: TStruct = [];
      let id = 0;
      const n = Math.floor(r() * 8);
      for (let i = 0; i < n; i++) {
        id += r() < 0.2 ? 20 + Math.floor(r() * 100) : 1 + Math.floor(r() * 3); // long field headers too
        const kind = r();
        if (kind < 0.15 && depth < 3) s.push({ id, t: T.STRUCT, v: struct(depth + 1) });
        else if (kind < 0.3 && depth < 3) {
          const et = r() < 0.3 ? T.STRUCT : types[Math.floor(r() * types.length)];
          const len = r() < 0.3 ? 15 + Math.floor(r() * 20) : Math.floor(r() * 5); // long list headers too
          s.push({ id, t: r() < 0.2 ? T.SET : T.LIST, v: { et, items: Array.from({ length: len }, () => (et === T.STRUCT ? struct(depth + 1) : scalar(et))) } });
        } else if (kind < 0.4) {
          const n2 = Math.floor(r() * 4);
          s.push({ id, t: T.MAP, v: { kt: n2 ? T.BINARY : 0, vt: n2 ? T.I64 : 0, entries: Array.from({ length: n2 }, () => [scalar(T.BINARY), scalar(T.I64)] as [TValue, TValue]) } });
        } else {
          const t = types[Math.floor(r() * types.length)];
          const v = scalar(t);
          s.push({ id, t: t === T.TRUE ? (v ? T.TRUE : T.FALSE) : t, v });
        }
      }
      return s;
    };
    for (let i = 0; i < 300; i++) {
      const s = struct(0);
      const bytes = writeStruct(s);
      const back = readStruct(bytes);
      expect(back.end).toBe(bytes.length);
      expect(back.value).toEqual(s);
      expect(Buffer.from(writeStruct(back.value)).equals(Buffer.from(bytes))).toBe(true);
    }
  });
});

describe('concatParquet', () => {
  it('holds the rows of its inputs (DuckDB and the engine\'s reader), and its offset indexes point at the pages', async () => {
    const batches = [randomBatch(11, 3_000), randomBatch(12, 1), randomBatch(13, 2_500, { allNull: 'name' }), randomBatch(14, 4_000)];
    const files = batches.map((b, i) => writeFile(`in-${i}.parquet`, b, 1_000));
    const out = path.join(work, 'out.parquet');
    const fd = fs.openSync(out, 'w');
    const r = concatParquet(files.map(readParquetFooter), (c) => fs.writeSync(fd, c));
    fs.closeSync(fd);
    const rows = batches.reduce((a, b) => a + b.length, 0);
    expect(r.rows).toBe(rows);
    expect(r.size).toBe(fs.statSync(out).size);
    expect(r.rowGroups).toBe(files.map(readParquetFooter).reduce((a, f) => a + f.rowGroups.length, 0));
    // DuckDB reads the file as the union of the inputs, with the same types
    multisetEqual(await duck.all(`SELECT * FROM read_parquet(${sqlString(out)})`), await duck.all(`SELECT * FROM ${glob(files)}`), { label: 'DuckDB' });
    expect(await duck.describe(`SELECT * FROM read_parquet(${sqlString(out)})`)).toEqual(await duck.describe(`SELECT * FROM ${glob(files)}`));
    const meta = await duck.all(`SELECT count(DISTINCT row_group_id) AS n, sum(num_values) AS v FROM parquet_metadata(${sqlString(out)})`);
    expect(meta[0].n).toBe(r.rowGroups);
    // the engine's own reader, in order
    expect(batchToRows(decodeParquetFile(out, SCHEMA))).toEqual(batchToRows(concatBatches(SCHEMA, batches)));
    // every page location of every offset index is a page header of that size
    const bytes = new Uint8Array(fs.readFileSync(out));
    const footer = parquetFooterOf(bytes);
    let pages = 0;
    for (const rg of footer.rowGroups) for (const c of (field(rg, 1) as TList).items as TStruct[]) {
      const at = field(c, 4) as bigint | undefined;
      expect(at, 'every chunk keeps its offset index').toBeDefined();
      const oi = readOffsetIndex({ view: new DataView(bytes.buffer, Number(at), field(c, 5) as number), offset: 0 });
      for (const loc of oi.page_locations) {
        const header = readStruct(bytes, Number(loc.offset));
        // PageHeader: 1 type, 2 uncompressed size, 3 compressed size; the page follows the header
        expect(header.end - Number(loc.offset) + (field(header.value, 3) as number)).toBe(loc.compressed_page_size);
        pages++;
      }
    }
    expect(pages).toBeGreaterThan(r.rowGroups);
  });

  it('refuses files of another schema, and a file that is not Parquet', () => {
    const a = writeFile('schema-a.parquet', randomBatch(21, 10));
    const other: Schema = SCHEMA.map((f) => (f.name === 'k' ? { name: 'k', type: 'long' } : f));
    const b = path.join(work, 'schema-b.parquet');
    fs.writeFileSync(b, encodeParquet(batchFromRows(other, batchToRows(randomBatch(22, 10)))));
    expect(() => concatParquet([readParquetFooter(a), readParquetFooter(b)], () => {})).toThrow(ParquetFooterError);
    const c = path.join(work, 'not.parquet');
    fs.writeFileSync(c, 'id,name\n1,x\n');
    expect(() => readParquetFooter(c)).toThrow(ParquetFooterError);
  });
});

describe('merged Delta stats', () => {
  it('equal the stats of all the rows written as one file', () => {
    for (let seed = 0; seed < 20; seed++) {
      const parts = Array.from({ length: 1 + (seed % 4) }, (_, i) => randomBatch(seed * 10 + i, i === 1 ? 0 : 1 + ((seed * 37 + i * 11) % 60), { allNull: i === 2 ? 'name' : undefined }));
      const merged = JSON.parse(mergeDeltaStats(SCHEMA, parts.map(deltaStats)));
      expect(merged, `seed ${seed}`).toEqual(JSON.parse(deltaStats(concatBatches(SCHEMA, parts))));
    }
  });

  it('leave a bound out when a part with values has none', () => {
    const s = mergeDeltaStats(SCHEMA, [deltaStats(randomBatch(1, 20)), JSON.stringify({ numRecords: 5, minValues: {}, maxValues: {}, nullCount: { n: 0 } })]);
    const m = JSON.parse(s);
    expect(m.numRecords).toBe(25);
    expect(m.minValues.n).toBeUndefined();
    expect(m.maxValues.n).toBeUndefined();
    expect(m.nullCount.n).toBeDefined();
    expect(m.nullCount.name).toBeUndefined();
  });
});

describe('writeGroup (compaction)', () => {
  it('copies files with large row groups, re-encodes the others, and equals the union of its inputs', async () => {
    const dir = path.join(work, 'table');
    fs.mkdirSync(dir, { recursive: true });
    const big = COPY_MIN_ROWS_PER_GROUP + 500;
    const batches = [randomBatch(31, big), randomBatch(32, 40), randomBatch(33, big + 7), randomBatch(34, 3)];
    const names = batches.map((b, i) => `part-000001-0000${i}-x.c000.snappy.parquet`);
    batches.forEach((b, i) => fs.writeFileSync(path.join(dir, names[i]), encodeParquet(b)));
    const w = await writeGroup(dir, 't', SCHEMA, names, batches.map(deltaStats));
    const out = path.join(dir, w.tmp);
    expect(w.rows).toBe(batches.reduce((a, b) => a + b.length, 0));
    expect(w.size).toBe(fs.statSync(out).size);
    // the two large files as they were (their row groups), then one row group of the small ones
    const groups = readParquetFooter(out).rowGroups.map((rg) => Number(field(rg, 3)));
    expect(groups).toEqual([big, big + 7, 43]);
    multisetEqual(await duck.all(`SELECT * FROM read_parquet(${sqlString(out)})`), await duck.all(`SELECT * FROM ${glob(names.map((n) => path.join(dir, n)))}`), { label: 'compacted' });
    expect(JSON.parse(w.stats)).toEqual(JSON.parse(deltaStats(concatBatches(SCHEMA, batches))));
    expect(fs.readdirSync(dir).filter((f) => f.includes('.rest.'))).toEqual([]);
    // files whose add actions carry no stats (another writer's): the row count still comes from their footers
    const bare = await writeGroup(dir, 't', SCHEMA, names);
    expect(JSON.parse(bare.stats).numRecords).toBe(w.rows);
  });

  it('copies a few small files whole, re-encodes more small row groups into one, and a large file of another layout', async () => {
    const dir = path.join(work, 'table2');
    fs.mkdirSync(dir, { recursive: true });
    const big = COPY_MIN_ROWS_PER_GROUP * 2;
    const groupRows = (f: string) => readParquetFooter(path.join(dir, f)).rowGroups.map((rg) => Number(field(rg, 3)));
    const small = [randomBatch(41, 30), randomBatch(42, 30)];
    small.forEach((b, i) => fs.writeFileSync(path.join(dir, `s${i}.parquet`), encodeParquet(b)));
    // at most COPY_MAX_SMALL_GROUPS row groups in all: copied, row groups kept
    const w1 = await writeGroup(dir, 't', SCHEMA, ['s0.parquet', 's1.parquet'], small.map(deltaStats));
    expect(groupRows(w1.tmp)).toEqual([30, 30]);
    expect(JSON.parse(w1.stats)).toEqual(JSON.parse(deltaStats(concatBatches(SCHEMA, small))));
    multisetEqual(await duck.all(`SELECT * FROM read_parquet(${sqlString(path.join(dir, w1.tmp))})`),
      await duck.all(`SELECT * FROM read_parquet([${['s0', 's1'].map((f) => sqlString(path.join(dir, `${f}.parquet`))).join(', ')}])`), { label: 'copied small files' });
    // more: re-encoded into one row group
    const many = Array.from({ length: COPY_MAX_SMALL_GROUPS + 1 }, (_, i) => randomBatch(100 + i, 30));
    many.forEach((b, i) => fs.writeFileSync(path.join(dir, `m${i}.parquet`), encodeParquet(b)));
    const w1b = await writeGroup(dir, 't', SCHEMA, many.map((_, i) => `m${i}.parquet`), many.map(deltaStats));
    expect(groupRows(w1b.tmp)).toEqual([30 * many.length]);
    // a large file written with fewer columns (before a column was added): rewritten in the table's schema
    const narrow = SCHEMA.filter((f) => f.name !== 'tags');
    const old = randomBatch(43, big);
    fs.writeFileSync(path.join(dir, 'old.parquet'), encodeParquet({ schema: narrow, columns: old.columns.slice(0, narrow.length), length: old.length }));
    fs.writeFileSync(path.join(dir, 'new.parquet'), encodeParquet(randomBatch(44, big)));
    const w2 = await writeGroup(dir, 't', SCHEMA, ['old.parquet', 'new.parquet']);
    const out = path.join(dir, w2.tmp);
    expect(w2.rows).toBe(2 * big);
    // the new file copied, the old one rewritten after it
    expect(readParquetFooter(out).rowGroups.map((rg) => Number(field(rg, 3)))).toEqual([big, big]);
    const rows = await duck.all(`SELECT count(*) AS n, count(tags) AS t FROM read_parquet(${sqlString(out)})`);
    expect(rows[0].n).toBe(2 * big);
    expect(rows[0].t).toBeLessThan(2 * big); // the old file's rows have no tags
    expect((await duck.all(`DESCRIBE SELECT * FROM read_parquet(${sqlString(out)})`)).map((r) => r.column_name)).toEqual(SCHEMA.map((f) => f.name));
  });
});

describe('writeGroup re-encoding, in one call (a group of at most 131,072 rows) and streaming (more)', () => {
  it('both give the union of the inputs, in row groups of at most 131,072 rows, with the stats of all the rows', async () => {
    for (const [label, each] of [['one call', 20_000], ['streaming', 50_000]] as const) {
      const dir = path.join(work, `reencode-${label.replace(' ', '-')}`);
      fs.mkdirSync(dir, { recursive: true });
      // row groups of 1,000 rows: never copied page by page
      const batches = [randomBatch(61, each), randomBatch(62, each, { allNull: 'name' }), randomBatch(63, each)];
      const names = batches.map((_, i) => `part-000002-0000${i}-x.c000.snappy.parquet`);
      batches.forEach((b, i) => fs.writeFileSync(path.join(dir, names[i]), encodeParquet(b, { rowGroupSize: 1_000 })));
      const w = await writeGroup(dir, 't', SCHEMA, names, batches.map(deltaStats));
      const out = path.join(dir, w.tmp);
      const total = 3 * each;
      expect(w.rows, label).toBe(total);
      expect(w.size, label).toBe(fs.statSync(out).size);
      const groups = readParquetFooter(out).rowGroups.map((rg) => Number(field(rg, 3)));
      expect(groups, label).toEqual(total <= 131_072 ? [total] : [131_072, total - 131_072]);
      multisetEqual(await duck.all(`SELECT * FROM read_parquet(${sqlString(out)})`), await duck.all(`SELECT * FROM ${glob(names.map((n) => path.join(dir, n)))}`), { label });
      expect(JSON.parse(w.stats), label).toEqual(JSON.parse(deltaStats(concatBatches(SCHEMA, batches))));
    }
  }, 180_000); // 42 s on a quiet machine (150k rows re-encoded in slices): the file's 60 s failed under load
});

describe('statistics from the footer', () => {
  it('equal a scan of the columns: random batches, special doubles, long and multi-byte strings, NULL-only and empty columns', () => {
    const special: Schema = [{ name: 'x', type: 'double' }, { name: 's', type: 'string' }, { name: 'dec', type: 'decimal(10,2)' }, { name: 'none', type: 'long' }];
    const cases: Batch[] = [
      ...Array.from({ length: 12 }, (_, i) => randomBatch(100 + i, [0, 1, 5, 70, 2_000][i % 5], { allNull: i % 3 === 0 ? 'name' : undefined })),
      batchFromRows(special, [{ x: NaN, s: 'é'.repeat(40), dec: 1.25, none: null }, { x: -0, s: 'a'.repeat(100), dec: -3.5, none: null }, { x: 0, s: null, dec: null, none: null }]),
      batchFromRows(special, [{ x: NaN, s: '', dec: 0, none: null }, { x: null, s: '\u{10FFFF}x', dec: 2, none: null }]),
      batchFromRows(special, [{ x: -Infinity, s: 'b', dec: 1, none: null }, { x: Infinity, s: 'a', dec: 1, none: null }]),
    ];
    for (const [i, b] of cases.entries()) {
      const bytes = encodeParquet(b);
      expect(deltaStatsOf(b.schema, b.length, encodedColumnStats(b, bytes)), `case ${i}`).toBe(deltaStats(b));
    }
  });

  it('are read from the footer, not scanned, where the footer says them exactly', () => {
    const schema: Schema = [{ name: 'n', type: 'long' }, { name: 'd', type: 'date' }, { name: 's', type: 'string' }, { name: 'long_s', type: 'string' }];
    const row = (k: number) => ({ n: k, d: k, s: `s${k}`, long_s: 'y'.repeat(80) + k });
    const written = batchFromRows(schema, [row(1), row(5)]);
    const other = batchFromRows(schema, [row(7), row(8)]); // the same shape, other values
    // parquet-wasm's file (an option other than the defaults): it truncates long string bounds, which the
    // JS writer of small batches (parquet-plain.ts) writes whole
    const st = encodedColumnStats(other, encodeParquet(written, { compression: 'snappy' }));
    expect([st.n.min, st.n.max, st.d.min, st.d.max, st.s.min, st.s.max]).toEqual([1, 5, 1, 5, 's1', 's5']);
    // a bound the writer truncated is scanned instead
    expect([st.long_s.min, st.long_s.max]).toEqual(['y'.repeat(80) + 7, 'y'.repeat(80) + 8]);
  });
});
