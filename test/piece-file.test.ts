/**
 * A data file written a piece at a time (engine/sinks/piece-file.ts, with
 * parquet-concat.ts `ParquetAppender`):
 *
 * - the file holds the pieces' rows in the order they were added, read by
 *   DuckDB and by the engine's reader, one row group per piece, even when a
 *   later piece's encoding finishes first;
 * - the Delta stats merged from the pieces equal those of all the rows;
 * - a file of one piece is that piece's bytes;
 * - a failed encoding fails the close, and an abandoned file leaves no open
 *   descriptor behind (it can be removed and written again).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchFromRows, batchToRows, concatBatches, type Batch } from '../engine/batch.js';
import type { Schema } from '../engine/ir/types.js';
import { decodeParquetFile } from '../engine/sinks/parquet.js';
import { readParquetFooter } from '../engine/sinks/parquet-footer.js';
import { deltaStats, encodeDataBytes, mergeDeltaStats } from '../engine/sinks/delta-stats.js';
import { PieceFile, type EncodedPiece } from '../engine/sinks/piece-file.js';
import { Duck, multisetEqual, sqlString } from './helpers/duck.js';
import { tempDir } from './helpers/cli.js';
import { rng } from './helpers/random.js';

const SCHEMA: Schema = [
  { name: 'id', type: 'string' },
  { name: 'name', type: 'string' },
  { name: 'n', type: 'long' },
  { name: 'x', type: 'double' },
  { name: 'd', type: 'date' },
  { name: 'ts', type: 'timestamp' },
  { name: 'ok', type: 'boolean' },
];
const WORDS = ['alpha', 'Bäcker', 'Zoë', '東京', '🙂', '', 'x'.repeat(40)];

function batch(seed: number, rows: number): Batch {
  const r = rng(seed);
  const maybe = <V>(v: V) => (r() < 0.1 ? null : v);
  return batchFromRows(SCHEMA, Array.from({ length: rows }, (_, i) => ({
    id: `P${seed}-${i}`, name: maybe(WORDS[Math.floor(r() * WORDS.length)] + String(Math.floor(r() * 50))),
    n: maybe(Math.floor((r() - 0.5) * 2 ** 40)), x: maybe((r() - 0.5) * 1e6), d: maybe(Math.floor(r() * 30_000)),
    ts: maybe(Math.floor(r() * 2e15)), ok: maybe(r() < 0.5),
  })));
}

let duck: Duck;
let work: string;
beforeAll(async () => { duck = await Duck.open(); work = tempDir('piece-file'); });
afterAll(() => { duck?.close(); if (work) fs.rmSync(work, { recursive: true, force: true, maxRetries: 5 }); });

const fail = (e: unknown) => new Error(`write failed: ${(e as Error).message}`);
const later = <T>(v: T, ms: number) => new Promise<T>((resolve) => setTimeout(() => resolve(v), ms));

describe('a file written a piece at a time', () => {
  it('holds the pieces\' rows in the order added, a row group each, whichever encoding finishes first', async () => {
    // sizes around the JS writer's limit (2,048 rows) and parquet-wasm's, so both writers' pieces meet in one file
    const pieces = [batch(1, 3000), batch(2, 17), batch(3, 2048), batch(4, 5000)];
    const file = path.join(work, 'four.parquet');
    const f = new PieceFile(file, fail);
    // the first piece's encoding finishes last
    pieces.forEach((b, k) => void f.add(b.length, k === 0 ? later(encodeDataBytes(b), 30) : Promise.resolve(encodeDataBytes(b))));
    const r = await f.close();
    expect(r.pieces.map((p) => p.rows)).toEqual(pieces.map((b) => b.length));
    expect(r.size).toBe(fs.statSync(file).size);
    const footer = readParquetFooter(file);
    expect(footer.rowGroups.length).toBe(4);
    expect(footer.rows).toBe(10_065);
    const all = concatBatches(SCHEMA, pieces);
    // the engine's reader: the same rows in the same order
    expect(batchToRows(decodeParquetFile(file, SCHEMA))).toEqual(batchToRows(all));
    // DuckDB: the same rows as DuckDB reads from the pieces written as files of their own
    const parts = pieces.map((b, k) => { const p = path.join(work, `piece-${k}.parquet`); fs.writeFileSync(p, encodeDataBytes(b).bytes); return p; });
    multisetEqual(await duck.all(`SELECT * FROM read_parquet(${sqlString(file)})`), await duck.all(`SELECT * FROM read_parquet([${parts.map(sqlString).join(', ')}])`));
    // in order: DuckDB's row numbers follow the pieces
    const ids = await duck.all(`SELECT id FROM read_parquet(${sqlString(file)})`);
    expect(ids.map((x) => x.id)).toEqual(batchToRows(all).map((x) => x.id));
    // the merged stats are those of all the rows
    expect(JSON.parse(mergeDeltaStats(SCHEMA, r.pieces.map((p) => p.stats), f.rows))).toEqual(JSON.parse(deltaStats(all)));
  });

  it('of one piece is that piece\'s bytes', async () => {
    const b = batch(5, 1234);
    const encoded = encodeDataBytes(b);
    const file = path.join(work, 'one.parquet');
    const f = new PieceFile(file, fail);
    void f.add(b.length, Promise.resolve(encoded));
    const r = await f.close();
    expect(Buffer.compare(fs.readFileSync(file), Buffer.from(encoded.bytes))).toBe(0);
    expect(r.pieces).toEqual([{ rows: 1234, stats: encoded.stats }]);
  });

  it('fails its close when a piece failed, and can be abandoned and written again', async () => {
    const file = path.join(work, 'failed.parquet');
    const f = new PieceFile(file, fail);
    const a = batch(6, 100), b = batch(7, 100);
    void f.add(a.length, Promise.resolve(encodeDataBytes(a)));
    void f.add(b.length, Promise.resolve(encodeDataBytes(b)));
    void f.add(10, Promise.reject(new Error('encoder broke')));
    await expect(f.close()).rejects.toThrow('encoder broke');
    await f.abandon();
    fs.rmSync(file, { force: true });
    // nothing holds the file: a new one of the same name is written whole
    const g = new PieceFile(file, fail);
    const pieces: EncodedPiece[] = [encodeDataBytes(a), encodeDataBytes(b)];
    for (const p of pieces) void g.add(100, Promise.resolve(p));
    await g.close();
    expect(batchToRows(decodeParquetFile(file, SCHEMA))).toEqual(batchToRows(concatBatches(SCHEMA, [a, b])));
  });
});
