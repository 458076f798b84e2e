/**
 * A Parquet file cut down to some of its columns (engine/sinks/parquet-project.ts):
 *
 * - for every choice of columns tried (flat, nested, the first, the last, one
 *   named in another case), the cut file decodes to the same values as the
 *   whole file read for those columns, and DuckDB reads from it the rows it
 *   reads from the whole file;
 * - the cut file holds only the chunks of those columns (it is smaller by the
 *   others' bytes), over several row groups;
 * - a file that cannot or need not be cut (all columns, none found, a damaged
 *   footer) gives null, and `decodeParquetFile` then reads it whole;
 * - cut to some row groups (every column, or some), it holds those rows only;
 *   `decodeParquetFile` with a row range reads the same rows whether the range
 *   falls on row group bounds (through the cut) or not (parquet-wasm's slice).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { batchFromRows, batchToRows, type Batch } from '../engine/batch.js';
import type { Schema } from '../engine/ir/types.js';
import { decodeParquet, decodeParquetFile, encodeParquet } from '../engine/sinks/parquet.js';
import { readParquetFooter, withFd } from '../engine/sinks/parquet-footer.js';
import { projectParquet, topLevelColumns } from '../engine/sinks/parquet-project.js';
import { Duck, multisetEqual, sqlString } from './helpers/duck.js';
import { tempDir } from './helpers/cli.js';
import { rng } from './helpers/random.js';

vi.setConfig({ testTimeout: 60_000 });

const SCHEMA: Schema = [
  { name: 'patient_id', type: 'string' },
  { name: 'tags', type: 'array<string>' },
  { name: 'n', type: 'long' },
  { name: 'k', type: 'int' },
  { name: 'vitals', type: 'struct<hr:int,notes:array<string>,seen:timestamp>' },
  { name: 'x', type: 'double' },
  { name: 'ok', type: 'boolean' },
  { name: 'attrs', type: 'map<string,double>' },
  { name: 'd', type: 'date' },
  { name: 'amount', type: 'decimal(12,2)' },
  { name: 'ts', type: 'timestamp' },
  { name: 'Code', type: 'string' },
];

const WORDS = ['alpha', 'Bäcker', 'Zoë', '東京', '🙂 smile', '', 'x'.repeat(40), 'ÿ'];

function randomBatch(seed: number, rows: number): Batch {
  const r = rng(seed);
  const pick = <V>(xs: readonly V[]) => xs[Math.floor(r() * xs.length)];
  const maybe = <V>(v: V) => (r() < 0.1 ? null : v);
  const out = [];
  for (let i = 0; i < rows; i++) {
    out.push({
      patient_id: `P${seed}-${i}`,
      tags: maybe([pick(WORDS), maybe(pick(WORDS))]),
      n: maybe(Math.floor((r() - 0.5) * 2 ** 40)),
      k: maybe(Math.floor((r() - 0.5) * 2 ** 20)),
      vitals: maybe({ hr: maybe(Math.floor(r() * 200)), notes: maybe([pick(WORDS)]), seen: maybe(Math.floor(r() * 2e15)) }),
      x: maybe((r() - 0.5) * 1e6),
      ok: maybe(r() < 0.5),
      attrs: maybe(new Map([[pick(WORDS), (r() - 0.5) * 100]])),
      d: maybe(Math.floor(r() * 40_000) - 10_000),
      amount: maybe(String(Math.floor((r() - 0.5) * 1e8) / 100)),
      ts: maybe(Math.floor(r() * 2e15)),
      Code: maybe(pick(['I10', 'J18.9', 'E11'])),
    });
  }
  return batchFromRows(SCHEMA, out);
}

let duck: Duck;
let work: string;
let file: string;
let bytes: Uint8Array;

beforeAll(async () => {
  duck = await Duck.open();
  work = tempDir('parquet-project');
  file = path.join(work, 'whole.parquet');
  // several row groups, so that chunks of one column are not next to each other
  bytes = encodeParquet(randomBatch(1, 3000), { rowGroupSize: 700 });
  fs.writeFileSync(file, bytes);
});
afterAll(() => {
  duck?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true, maxRetries: 5 });
});

const sub = (names: readonly string[]): Schema => names.map((n) => {
  const f = SCHEMA.find((x) => x.name.toLowerCase() === n.toLowerCase())!;
  return { name: n, type: f.type };
});

const cut = (names: readonly string[], worthBelow = 1) => withFd(file, (fd) => projectParquet(fd, readParquetFooter(file), names, worthBelow));

describe('projectParquet', () => {
  it('lists the top-level columns with their leaves', () => {
    const top = topLevelColumns(readParquetFooter(file))!;
    expect(top.map((t) => t.name)).toEqual(SCHEMA.map((f) => f.name));
    // array: 1 leaf; struct of int, array, timestamp: 3; map: 2
    expect(top.map((t) => t.leaves[1] - t.leaves[0])).toEqual([1, 1, 1, 1, 3, 1, 1, 2, 1, 1, 1, 1]);
  });

  const choices: string[][] = [
    ['patient_id'],
    ['patient_id', 'k', 'd', 'Code'],
    ['vitals'],
    ['tags', 'attrs', 'amount'],
    ['ts'],
    ['code', 'x', 'ok'],
    ['vitals', 'patient_id', 'n'],
  ];
  for (const names of choices) {
    it(`reads ${names.join(', ')} as the whole file does`, async () => {
      const schema = sub(names);
      const small = cut(names)!;
      expect(small).not.toBeNull();
      expect(small.length).toBeLessThan(bytes.length);
      const expected = batchToRows(decodeParquet(bytes, schema));
      expect(batchToRows(decodeParquet(small, schema))).toEqual(expected);
      // DuckDB: the same rows from the cut file as from the whole one
      const cutPath = path.join(work, `cut-${names.join('-')}.parquet`);
      fs.writeFileSync(cutPath, small);
      const cols = names.map((n) => `"${n}"`).join(', ');
      const fromCut = await duck.all(`SELECT ${cols} FROM read_parquet(${sqlString(cutPath)})`);
      const fromWhole = await duck.all(`SELECT ${cols} FROM read_parquet(${sqlString(file)})`);
      expect(fromCut.length).toBe(3000);
      multisetEqual(fromCut, fromWhole);
    });
  }

  it('holds only the chunks asked for', async () => {
    const small = cut(['patient_id'])!;
    const groups = await duck.all(`SELECT row_group_id, path_in_schema, total_compressed_size FROM parquet_metadata(${sqlString(file)})`);
    const chunkBytes = groups.filter((g) => g.path_in_schema === 'patient_id').reduce((s, g) => s + Number(g.total_compressed_size), 0);
    expect(new Set(groups.map((g) => g.row_group_id)).size).toBeGreaterThan(1);
    // the chunks, the magic numbers and a footer of a few hundred bytes
    expect(small.length).toBeGreaterThanOrEqual(chunkBytes + 12);
    expect(small.length).toBeLessThan(chunkBytes + 12 + 4096);
  });

  it('gives null when cutting would not help or cannot be done', () => {
    expect(cut(SCHEMA.map((f) => f.name))).toBeNull();
    expect(cut(['no_such_column'])).toBeNull();
    // the kept chunks are most of the file
    expect(cut(SCHEMA.map((f) => f.name).filter((n) => n !== 'ok'), 0.75)).toBeNull();
  });

  it('cut to row groups, holds their rows, every column or some', async () => {
    const all = batchToRows(decodeParquet(bytes, SCHEMA));
    // row groups of 700 rows: the second and third, every column (Arrow's schema kept), then two columns of the last
    const both = withFd(file, (fd) => projectParquet(fd, readParquetFooter(file), SCHEMA.map((f) => f.name), 1, [1, 2]))!;
    expect(both).not.toBeNull();
    expect(batchToRows(decodeParquet(both, SCHEMA))).toEqual(all.slice(700, 2100));
    expect(batchToRows(decodeParquet(both))).toEqual(all.slice(700, 2100));
    const cutPath = path.join(work, 'groups-1-2.parquet');
    fs.writeFileSync(cutPath, both);
    multisetEqual(await duck.all(`SELECT * FROM read_parquet(${sqlString(cutPath)})`), await duck.all(`SELECT * FROM read_parquet(${sqlString(file)}) LIMIT 1400 OFFSET 700`));
    const some = withFd(file, (fd) => projectParquet(fd, readParquetFooter(file), ['patient_id', 'ts'], 1, [4]))!;
    expect(batchToRows(decodeParquet(some, sub(['patient_id', 'ts'])))).toEqual(all.slice(2800).map((r) => ({ patient_id: r.patient_id, ts: r.ts })));
    // no such row group
    expect(withFd(file, (fd) => projectParquet(fd, readParquetFooter(file), ['patient_id'], 1, [9]))).toBeNull();
  });

  it('decodeParquetFile reads a row range the same on row group bounds and off them', () => {
    const all = batchToRows(decodeParquet(bytes, SCHEMA));
    for (const [offset, limit] of [[0, 700], [700, 1400], [2800, 200], [350, 700], [0, 3000], [2999, 1]]) {
      expect(batchToRows(decodeParquetFile(file, SCHEMA, { offset, limit })), `${offset}+${limit}`).toEqual(all.slice(offset, offset + limit));
    }
  });

  it('decodeParquetFile reads a large file through the cut, and a damaged one as before', () => {
    const big = path.join(work, 'big.parquet');
    fs.writeFileSync(big, encodeParquet(randomBatch(2, 40_000), { rowGroupSize: 15_000 }));
    expect(fs.statSync(big).size).toBeGreaterThan(1 << 20);
    const schema = sub(['patient_id', 'vitals', 'amount']);
    expect(withFd(big, (fd) => projectParquet(fd, readParquetFooter(big), schema.map((f) => f.name)))).not.toBeNull();
    expect(batchToRows(decodeParquetFile(big, schema))).toEqual(batchToRows(decodeParquet(new Uint8Array(fs.readFileSync(big)), schema)));
    // a damaged footer: the whole file is read, and fails as it did
    const bad = path.join(work, 'bad.parquet');
    const b = new Uint8Array(fs.readFileSync(big));
    b.fill(7, b.length - 200, b.length - 8);
    fs.writeFileSync(bad, b);
    expect(() => decodeParquetFile(bad, schema)).toThrow();
  });
});
