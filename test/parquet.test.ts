import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  Dictionary, Field as ArrowField, Int32 as ArrowInt32, LargeUtf8, List, Schema as ArrowSchema, Table as ArrowTable,
  TimestampMillisecond, TimestampNanosecond, TimestampSecond, Utf8, tableToIPC, vectorFromArray,
} from 'apache-arrow';
import * as pw from 'parquet-wasm/node';
import type { DuckDBConnection } from '@duckdb/node-api';
import { batchFromRows, batchToRows, columnLength, emptyBatch, schemaOf } from '../engine/batch.js';
import type { Batch } from '../engine/batch.js';
import type { Value } from '../engine/ir/types.js';
import { columnStats, compareUtf8, decodeParquet, encodeParquet, encodeParquetStream, parquetSlices } from '../engine/sinks/parquet.js';
import { concatBatches } from '../engine/batch.js';

const SCHEMA = schemaOf([
  { name: 's', type: 'string' },
  { name: 'i', type: 'int' },
  { name: 'l', type: 'long' },
  { name: 'd', type: 'double' },
  { name: 'b', type: 'boolean' },
  { name: 'dt', type: 'date' },
  { name: 'ts', type: 'timestamp' },
  { name: 'arr', type: 'array<string>' },
]);

const ROWS: Record<string, Value>[] = [
  { s: 'hello', i: 1, l: 10, d: 1.5, b: true, dt: 19000, ts: 1_700_000_000_123_456, arr: ['a', 'b'] },
  { s: null, i: null, l: null, d: null, b: null, dt: null, ts: null, arr: null },
  { s: '', i: -2147483648, l: -9007199254740991, d: -2.25, b: false, dt: -1, ts: -1, arr: [] },
  { s: 'héllo wörld 😀 日本', i: 2147483647, l: 9007199254740991, d: 1e300, b: true, dt: 0, ts: 0, arr: ['', 'ü', '😀'] },
  { s: 'x'.repeat(40), i: 0, l: 4294967296, d: -0.0, b: false, dt: -719162, ts: -62135596800000000, arr: ['only'] },
  { s: 'null', i: 7, l: -4294967297, d: 3.141592653589793, b: null, dt: 2932896, ts: 253402300799999999, arr: ['x', 'y', 'z'] },
  { s: 'zzz', i: null, l: 5, d: null, b: true, dt: null, ts: 86_400_000_000, arr: null },
];

function sample(): Batch {
  return batchFromRows(SCHEMA, ROWS);
}

let dir: string;
let inst: DuckDBInstance;
let con: DuckDBConnection;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parquet-test-'));
  inst = await DuckDBInstance.create(':memory:');
  con = await inst.connect();
  await con.run("SET TimeZone = 'UTC'");
});

afterAll(() => {
  con?.closeSync();
  inst?.closeSync();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const r = await con.runAndReadAll(sql);
  return r.getRowObjectsJson() as Record<string, unknown>[];
}

function writeTemp(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

describe('encodeParquet / decodeParquet round trip', () => {
  it('round-trips every type with NULLs in every column', () => {
    const b = sample();
    for (const compression of ['snappy', 'uncompressed'] as const) {
      const back = decodeParquet(encodeParquet(b, { compression }));
      expect(back.length).toBe(b.length);
      expect(back.schema).toEqual(b.schema);
      expect(back.columns.map((c) => c.type)).toEqual(b.columns.map((c) => c.type));
      expect(batchToRows(back)).toEqual(batchToRows(b));
      // -0 survives
      expect(Object.is(batchToRows(back)[4].d, -0)).toBe(true);
    }
  });

  it('round-trips with the schema given and the same result as without', () => {
    const b = sample();
    const bytes = encodeParquet(b);
    expect(batchToRows(decodeParquet(bytes, SCHEMA))).toEqual(batchToRows(b));
  });

  it('projects, reorders, matches names case-insensitively and fills missing columns with NULL', () => {
    const bytes = encodeParquet(sample());
    const schema = schemaOf([
      { name: 'TS', type: 'timestamp' },
      { name: 'missing', type: 'int' },
      { name: 's', type: 'string' },
      { name: 'gone', type: 'array<string>' },
    ]);
    const back = decodeParquet(bytes, schema);
    expect(back.schema).toEqual(schema);
    expect(back.length).toBe(ROWS.length);
    expect(batchToRows(back)).toEqual(ROWS.map((r) => ({ TS: r.ts, missing: null, s: r.s, gone: null })));
    const onlyMissing = decodeParquet(bytes, schemaOf([{ name: 'nope', type: 'double' }]));
    expect(onlyMissing.length).toBe(ROWS.length);
    expect(batchToRows(onlyMissing).every((r) => r.nope === null)).toBe(true);
  });

  it('converts compatible types when the schema asks for them', () => {
    const bytes = encodeParquet(sample());
    const back = decodeParquet(bytes, schemaOf([
      { name: 'i', type: 'long' },
      { name: 'i', type: 'double' },
      { name: 'ts', type: 'date' },
      { name: 'dt', type: 'timestamp' },
      { name: 'i', type: 'string' },
    ]));
    const rows = back.columns.map((c, j) => batchToRows({ schema: [back.schema[j]], columns: [c], length: back.length }).map((r) => Object.values(r)[0]));
    expect(rows[0]).toEqual(ROWS.map((r) => r.i));
    expect(rows[1]).toEqual(ROWS.map((r) => r.i));
    expect(rows[2]).toEqual(ROWS.map((r) => (r.ts === null ? null : Math.floor((r.ts as number) / 86400e6))));
    expect(rows[3]).toEqual(ROWS.map((r) => (r.dt === null ? null : (r.dt as number) * 86400e6)));
    expect(rows[4]).toEqual(ROWS.map((r) => (r.i === null ? null : String(r.i))));
  });

  it('writes and reads an empty batch with its schema', async () => {
    const bytes = encodeParquet(emptyBatch(SCHEMA));
    expect(bytes.length).toBeGreaterThan(0);
    const back = decodeParquet(bytes);
    expect(back.length).toBe(0);
    expect(back.schema).toEqual(SCHEMA);
    expect(back.columns.every((c) => columnLength(c) === 0)).toBe(true);
    const p = writeTemp('empty.parquet', bytes);
    const desc = await query(`DESCRIBE SELECT * FROM read_parquet('${p}')`);
    expect(desc.map((r) => r.column_type)).toEqual(['VARCHAR', 'INTEGER', 'BIGINT', 'DOUBLE', 'BOOLEAN', 'DATE', 'TIMESTAMP WITH TIME ZONE', 'VARCHAR[]']);
    expect(await query(`SELECT count(*)::INTEGER AS n FROM read_parquet('${p}')`)).toEqual([{ n: 0 }]);
  });

  it('round-trips a large batch over several row groups and Arrow chunks, with mixed ASCII / non-ASCII strings', () => {
    const n = 100_000; // > 65,536, the decoder's Arrow batch size
    const rows: Record<string, Value>[] = [];
    for (let k = 0; k < n; k++) {
      rows.push({
        s: k % 11 === 0 ? null : k % 5 === 0 ? `ü${k}€` : `row-${k}`,
        i: k % 13 === 0 ? null : k,
        l: k * 1_000_003,
        d: k % 7 === 0 ? null : k / 4,
        b: k % 3 === 0 ? null : k % 2 === 0,
        dt: k % 17 === 0 ? null : k - 50_000,
        ts: k % 19 === 0 ? null : k * 1_000_001 - 5e10,
        arr: k % 23 === 0 ? null : k % 4 === 0 ? [] : [`a${k}`, k % 3 === 0 ? 'é' : 'b'],
      });
    }
    const b = batchFromRows(SCHEMA, rows);
    const bytes = encodeParquet(b, { rowGroupSize: 40_000 });
    const back = decodeParquet(bytes);
    expect(back.length).toBe(n);
    expect(back.schema).toEqual(SCHEMA);
    // Compare cell by cell (a deep equal of 100k row objects is slow).
    const got = batchToRows(back);
    let mismatch: string | null = null;
    for (let k = 0; k < n && mismatch === null; k++) {
      for (const f of SCHEMA) {
        const a = got[k][f.name];
        const e = rows[k][f.name];
        const same = Array.isArray(e) ? Array.isArray(a) && a.length === e.length && a.every((x, j) => x === e[j]) : Object.is(a, e);
        if (!same) { mismatch = `row ${k} column ${f.name}: got ${JSON.stringify(a)}, want ${JSON.stringify(e)}`; break; }
      }
    }
    expect(mismatch).toBeNull();
  }, 30_000);

  it('keeps odd strings intact (leading BOM, NUL, surrogate pairs, lone surrogates become U+FFFD)', () => {
    const schema = schemaOf([{ name: 's', type: 'string' }, { name: 'a', type: 'array<string>' }]);
    const strings = ['\uFEFFbom first', 'nul\u0000inside', '😀😀', 'ascii', '\uFEFF'];
    const b = batchFromRows(schema, strings.map((s) => ({ s, a: [s, s] })));
    expect(batchToRows(decodeParquet(encodeParquet(b)))).toEqual(strings.map((s) => ({ s, a: [s, s] })));
    const lone = batchFromRows(schema, [{ s: 'a\uD800b', a: ['\uDC00'] }]);
    expect(batchToRows(decodeParquet(encodeParquet(lone)))).toEqual([{ s: 'a\uFFFDb', a: ['\uFFFD'] }]);
  });

  it('rejects a bad rowGroupSize', () => {
    expect(() => encodeParquet(sample(), { rowGroupSize: 0 })).toThrow(/rowGroupSize/);
  });
});

describe('DuckDB reads what we write', () => {
  let path: string;
  beforeAll(() => {
    path = writeTemp('all.parquet', encodeParquet(sample()));
  });

  it('chooses the codec per column: repeating and 4-byte columns uncompressed, unique text snappy; a fixed codec everywhere', async () => {
    const schema = schemaOf([{ name: 'id', type: 'string' }, { name: 'g', type: 'string' }, { name: 'n', type: 'int' }, { name: 'l', type: 'long' }]);
    const rows = Array.from({ length: 5000 }, (_, i) => ({ id: `P${String(i * 7919).padStart(9, '0')}`, g: i % 3 ? 'F' : 'M', n: i % 97, l: i * 1_000_003 }));
    const auto = writeTemp('codecs.parquet', encodeParquet(batchFromRows(schema, rows)));
    const byColumn = await query(`SELECT DISTINCT path_in_schema AS c, compression FROM parquet_metadata('${auto}') ORDER BY c`);
    expect(byColumn).toEqual([
      { c: 'g', compression: 'UNCOMPRESSED' }, { c: 'id', compression: 'SNAPPY' }, { c: 'l', compression: 'SNAPPY' }, { c: 'n', compression: 'UNCOMPRESSED' },
    ]);
    const zstd = writeTemp('zstd.parquet', encodeParquet(batchFromRows(schema, rows), { compression: 'zstd' }));
    expect(await query(`SELECT DISTINCT compression FROM parquet_metadata('${zstd}')`)).toEqual([{ compression: 'ZSTD' }]);
    const back = await query(`SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(n) AS s FROM read_parquet('${zstd}')`);
    expect(back).toEqual([{ n: '5000', ids: '5000', s: String(rows.reduce((a, r) => a + r.n, 0)) }]);
  });

  it('sees the Spark-compatible Parquet types', async () => {
    const desc = await query(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
    expect(desc.map((r) => [r.column_name, r.column_type])).toEqual([
      ['s', 'VARCHAR'], ['i', 'INTEGER'], ['l', 'BIGINT'], ['d', 'DOUBLE'], ['b', 'BOOLEAN'],
      ['dt', 'DATE'], ['ts', 'TIMESTAMP WITH TIME ZONE'], ['arr', 'VARCHAR[]'],
    ]);
    // a few rows: every flat column repeats (dictionary), so it is written uncompressed; the list keeps snappy
    const comp = await query(`SELECT DISTINCT path_in_schema LIKE 'arr%' AS list, compression FROM parquet_metadata('${path}') ORDER BY list`);
    expect(comp).toEqual([{ list: false, compression: 'UNCOMPRESSED' }, { list: true, compression: 'SNAPPY' }]);
    const meta = await query(`SELECT name, type, repetition_type, converted_type, logical_type FROM parquet_schema('${path}')`);
    const col = (name: string) => meta.find((m) => m.name === name)!;
    expect(col('ts').type).toBe('INT64');
    expect(String(col('ts').logical_type)).toMatch(/^TimestampType\(isAdjustedToUTC=1, .*MICROS=MicroSeconds\(\)/);
    expect(col('dt')).toMatchObject({ type: 'INT32', converted_type: 'DATE' });
    expect(col('s')).toMatchObject({ type: 'BYTE_ARRAY', converted_type: 'UTF8' });
    expect(col('i')).toMatchObject({ type: 'INT32', converted_type: null });
    expect(col('l')).toMatchObject({ type: 'INT64', converted_type: null });
    expect(col('arr')).toMatchObject({ converted_type: 'LIST', repetition_type: 'OPTIONAL' });
    expect(col('element')).toMatchObject({ type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' });
    // every top-level column is nullable
    for (const f of SCHEMA) expect(col(f.name).repetition_type).toBe('OPTIONAL');
  });

  it('reads the same values', async () => {
    const rows = await query(`SELECT s, i, l::VARCHAR AS l, d, b, datediff('day', DATE '1970-01-01', dt) AS dt,
      epoch_us(ts)::VARCHAR AS ts, arr FROM read_parquet('${path}')`);
    const expected = ROWS.map((r) => ({
      ...r,
      l: r.l === null ? null : String(r.l),
      ts: r.ts === null ? null : String(r.ts),
    }));
    expect(rows.map((r) => ({ ...r, dt: r.dt === null ? null : Number(r.dt), d: r.d === null ? null : Number(r.d) }))).toEqual(expected);
  });

  it('counts the same NULLs and sums to the same totals', async () => {
    const [r] = await query(`SELECT
        count(*) - count(s) AS ns, count(*) - count(i) AS ni, count(*) - count(l) AS nl, count(*) - count(d) AS nd,
        count(*) - count(b) AS nb, count(*) - count(dt) AS ndt, count(*) - count(ts) AS nts, count(*) - count(arr) AS narr,
        sum(i)::VARCHAR AS si, sum(l)::VARCHAR AS sl, sum(d) AS sd, count_if(b) AS nb_true,
        sum(datediff('day', DATE '1970-01-01', dt))::VARCHAR AS sdt, sum(epoch_us(ts))::VARCHAR AS sts,
        sum(len(arr)) AS sarr, sum(length(s)) AS slen
      FROM read_parquet('${path}')`);
    const nulls = (k: string) => ROWS.filter((x) => x[k] === null).length;
    const sum = (k: string) => ROWS.reduce((a, x) => a + (x[k] === null ? 0n : BigInt(x[k] as number)), 0n);
    expect(Number(r.ns)).toBe(nulls('s'));
    expect(Number(r.ni)).toBe(nulls('i'));
    expect(Number(r.nl)).toBe(nulls('l'));
    expect(Number(r.nd)).toBe(nulls('d'));
    expect(Number(r.nb)).toBe(nulls('b'));
    expect(Number(r.ndt)).toBe(nulls('dt'));
    expect(Number(r.nts)).toBe(nulls('ts'));
    expect(Number(r.narr)).toBe(nulls('arr'));
    expect(r.si).toBe(String(sum('i')));
    expect(r.sl).toBe(String(sum('l')));
    expect(Number(r.sd)).toBe(ROWS.reduce((a, x) => a + ((x.d as number | null) ?? 0), 0));
    expect(Number(r.nb_true)).toBe(ROWS.filter((x) => x.b === true).length);
    expect(r.sdt).toBe(String(sum('dt')));
    expect(r.sts).toBe(String(sum('ts')));
    expect(Number(r.sarr)).toBe(ROWS.reduce((a, x) => a + ((x.arr as string[] | null)?.length ?? 0), 0));
    // DuckDB length() counts code points
    expect(Number(r.slen)).toBe(ROWS.reduce((a, x) => a + (x.s === null ? 0 : [...(x.s as string)].length), 0));
  });

  it('honours rowGroupSize and uncompressed', async () => {
    const rows = Array.from({ length: 1000 }, (_, k) => ({ s: `v${k}`, i: k, l: k, d: k, b: k % 2 === 0, dt: k, ts: k, arr: [`${k}`] }));
    const p = writeTemp('groups.parquet', encodeParquet(batchFromRows(SCHEMA, rows), { rowGroupSize: 300, compression: 'uncompressed' }));
    const [m] = await query(`SELECT count(DISTINCT row_group_id)::INTEGER AS groups, bool_and(compression = 'UNCOMPRESSED') AS unc FROM parquet_metadata('${p}')`);
    expect(m).toEqual({ groups: 4, unc: true });
    const [c] = await query(`SELECT count(*)::INTEGER AS n, sum(i)::INTEGER AS si FROM read_parquet('${p}')`);
    expect(c).toEqual({ n: 1000, si: 499500 });
  });

  it('decodes files DuckDB wrote (other units, small ints, dictionaries)', async () => {
    const p = join(dir, 'duck.parquet');
    await con.run(`COPY (SELECT
        CASE WHEN k % 4 = 0 THEN NULL ELSE 'k' || (k % 3) END AS s,
        k::TINYINT AS tiny, k::SMALLINT AS small, k::INTEGER AS i, (k * 10000000000)::BIGINT AS big, k::FLOAT AS f, k / 2 AS d,
        k % 2 = 0 AS b, DATE '2024-01-01' + k::INTEGER AS dt,
        make_timestamp(1700000000000000 + k)::TIMESTAMP AS ts_plain,
        (TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (k) SECOND)::TIMESTAMP_MS AS ts_ms,
        (TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (k) SECOND)::TIMESTAMP_NS AS ts_ns,
        (TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (k) SECOND)::TIMESTAMPTZ AS ts_tz,
        CASE WHEN k = 3 THEN NULL ELSE ['x' || k, NULL::VARCHAR] END AS arr
      FROM range(0, 10) t(k)) TO '${p}' (FORMAT PARQUET)`);
    const back = decodeParquet(new Uint8Array(readFileSync(p)));
    expect(back.schema.map((f) => [f.name, f.type])).toEqual([
      ['s', 'string'], ['tiny', 'int'], ['small', 'int'], ['i', 'int'], ['big', 'long'], ['f', 'double'], ['d', 'double'],
      ['b', 'boolean'], ['dt', 'date'], ['ts_plain', 'timestamp'], ['ts_ms', 'timestamp'], ['ts_ns', 'timestamp'], ['ts_tz', 'timestamp'],
      ['arr', 'array<string>'],
    ]);
    const rows = batchToRows(back);
    const jan1 = Date.UTC(2024, 0, 1);
    for (let k = 0; k < 10; k++) {
      expect(rows[k]).toEqual({
        s: k % 4 === 0 ? null : `k${k % 3}`,
        tiny: k, small: k, i: k, big: k * 1e10, f: k, d: k / 2,
        b: k % 2 === 0,
        dt: jan1 / 86400000 + k,
        ts_plain: 1700000000000000 + k,
        ts_ms: (jan1 + k * 1000) * 1000,
        ts_ns: (jan1 + k * 1000) * 1000,
        ts_tz: (jan1 + k * 1000) * 1000,
        arr: k === 3 ? null : [`x${k}`, null],
      });
    }
  });
});

describe('decoding Arrow layouts other than the ones we write', () => {
  it('reads dictionary and LargeUtf8 strings, lists of dictionary strings and timestamps in s / ms / ns', () => {
    const words = ['x', null, 'héllo', 'x', 'z', null, 'x'];
    const secs = [0, null, -1, 1_700_000_000, 1, 2, 3];
    const table = new ArrowTable({
      dict: vectorFromArray(words, new Dictionary(new Utf8(), new ArrowInt32())),
      large: vectorFromArray(words, new LargeUtf8()),
      ts_s: vectorFromArray(secs.map((v) => (v === null ? null : v * 1000)), new TimestampSecond('UTC')),
      ts_ms: vectorFromArray(secs.map((v) => (v === null ? null : v * 1000)), new TimestampMillisecond()),
      ts_ns: vectorFromArray(secs.map((v) => (v === null ? null : v * 1000)), new TimestampNanosecond('UTC')),
      list: vectorFromArray(
        words.map((w) => (w === null ? null : [w, w + '!'])),
        new List(new ArrowField('item', new Dictionary(new Utf8(), new ArrowInt32()), true)),
      ),
    });
    const bytes = pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(table, 'stream')));
    const back = decodeParquet(bytes);
    expect(back.schema.map((f) => f.type)).toEqual(['string', 'string', 'timestamp', 'timestamp', 'timestamp', 'array<string>']);
    const rows = batchToRows(back);
    const micros = secs.map((v) => (v === null ? null : v * 1_000_000));
    expect(rows).toEqual(words.map((w, k) => ({
      dict: w, large: w, ts_s: micros[k], ts_ms: micros[k], ts_ns: micros[k], list: w === null ? null : [w, w + '!'],
    })));
  });
});

describe('columnStats', () => {
  it('computes null counts and min/max per type', () => {
    const stats = columnStats(sample());
    expect(stats.s).toEqual({ nullCount: 1, min: '', max: 'zzz' });
    expect(stats.i).toEqual({ nullCount: 2, min: -2147483648, max: 2147483647 });
    expect(stats.l).toEqual({ nullCount: 1, min: -9007199254740991, max: 9007199254740991 });
    expect(stats.d).toEqual({ nullCount: 2, min: -2.25, max: 1e300 });
    expect(stats.b).toEqual({ nullCount: 2, min: null, max: null });
    expect(stats.dt).toEqual({ nullCount: 2, min: -719162, max: 2932896 });
    expect(stats.ts).toEqual({ nullCount: 1, min: -62135596800000000, max: 253402300799999999 });
    expect(stats.arr).toEqual({ nullCount: 2, min: null, max: null });
  });

  it('gives null min/max for all-NULL and empty columns and ignores NaN', () => {
    const schema = schemaOf([{ name: 'x', type: 'double' }, { name: 's', type: 'string' }]);
    expect(columnStats(batchFromRows(schema, [{ x: null, s: null }, { x: null, s: null }]))).toEqual({
      x: { nullCount: 2, min: null, max: null },
      s: { nullCount: 2, min: null, max: null },
    });
    expect(columnStats(emptyBatch(schema))).toEqual({
      x: { nullCount: 0, min: null, max: null },
      s: { nullCount: 0, min: null, max: null },
    });
    expect(columnStats(batchFromRows(schema, [{ x: NaN }, { x: 3 }, { x: -1 }])).x).toEqual({ nullCount: 0, min: -1, max: 3 });
  });

  it('finds the string min and max of random values with shared prefixes, short values and NULLs (against a sort)', () => {
    const schema = schemaOf([{ name: 's', type: 'string' }]);
    let seed = 11;
    const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    const alphabet = ['P', '0', '1', '\u0000', 'é', '😀', 'z', ' '];
    for (let round = 0; round < 200; round++) {
      const rows = Array.from({ length: 1 + Math.floor(rnd() * 40) }, () => {
        if (rnd() < 0.1) return { s: null };
        const len = Math.floor(rnd() * 9);
        return { s: 'P00' .slice(0, Math.floor(rnd() * 4)) + Array.from({ length: len }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('') };
      });
      const values = rows.map((r) => r.s).filter((v): v is string => v !== null).sort(compareUtf8);
      const st = columnStats(batchFromRows(schema, rows)).s;
      expect(st.min, `round ${round}`).toBe(values.length ? values[0] : null);
      expect(st.max, `round ${round}`).toBe(values.length ? values[values.length - 1] : null);
      expect(st.nullCount).toBe(rows.length - values.length);
    }
  });

  it('orders strings by code point (UTF-8 byte order), as Parquet statistics do', () => {
    // U+FF21 (fullwidth A) sorts below U+1F600 in code points, above it in UTF-16 units.
    const schema = schemaOf([{ name: 's', type: 'string' }]);
    const stats = columnStats(batchFromRows(schema, [{ s: '\uFF21' }, { s: '😀' }, { s: 'a' }]));
    expect(stats.s).toEqual({ nullCount: 0, min: 'a', max: '😀' });
    expect(compareUtf8('\uFF21', '😀')).toBeLessThan(0);
    expect(compareUtf8('abc', 'abd')).toBeLessThan(0);
    expect(compareUtf8('ab', 'abc')).toBeLessThan(0);
    expect(compareUtf8('b', 'b')).toBe(0);
  });

  it('matches min/max that DuckDB computes from the written file', async () => {
    const p = writeTemp('stats.parquet', encodeParquet(sample()));
    const [r] = await query(`SELECT min(s) AS mins, max(s) AS maxs, min(i) AS mini, max(i) AS maxi,
      min(l)::VARCHAR AS minl, max(l)::VARCHAR AS maxl, min(d) AS mind, max(d) AS maxd,
      min(epoch_us(ts))::VARCHAR AS mints, max(epoch_us(ts))::VARCHAR AS maxts FROM read_parquet('${p}')`);
    const st = columnStats(sample());
    expect(r.mins).toBe(st.s.min);
    expect(r.maxs).toBe(st.s.max);
    expect(Number(r.mini)).toBe(st.i.min);
    expect(Number(r.maxi)).toBe(st.i.max);
    expect(r.minl).toBe(String(st.l.min));
    expect(r.maxl).toBe(String(st.l.max));
    expect(Number(r.mind)).toBe(st.d.min);
    expect(Number(r.maxd)).toBe(st.d.max);
    expect(r.mints).toBe(String(st.ts.min));
    expect(r.maxts).toBe(String(st.ts.max));
  });
});

describe('streamed writing and sliced reading', () => {
  const schema = schemaOf([{ name: 'id', type: 'string' }, { name: 'n', type: 'long' }, { name: 'x', type: 'double' }, { name: 'g', type: 'string' }]);
  const part = (from: number, count: number): Batch => batchFromRows(schema, Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return { id: i % 97 === 0 ? null : `P${String(i).padStart(9, '0')}-${'é'.repeat(i % 3)}`, n: i * 7 - 3, x: i % 11 === 0 ? null : i / 3, g: ['a', 'b', 'c'][i % 3] };
  }));

  it('writes batches (empty ones included) as one file equal to their concatenation, with merged statistics', async () => {
    const parts = [part(0, 0), part(0, 1000), part(1000, 0), part(1000, 70_000), part(71_000, 5)];
    const chunks: Uint8Array[] = [];
    const r = await encodeParquetStream(parts, (c) => chunks.push(c.slice()));
    const bytes = new Uint8Array(Buffer.concat(chunks));
    expect(r.size).toBe(bytes.length);
    const all = concatBatches(schema, parts);
    expect(r.rows).toBe(all.length);
    expect(r.stats).toEqual(columnStats(all));
    expect(batchToRows(decodeParquet(bytes, schema))).toEqual(batchToRows(all));
    const p = writeTemp('streamed.parquet', bytes);
    const [d] = await query(`SELECT count(*)::INT AS c, min(id) AS mi, max(id) AS ma, sum(n)::VARCHAR AS sn, count(x)::INT AS cx FROM read_parquet('${p}')`);
    expect(d).toEqual({ c: all.length, mi: r.stats!.id.min, ma: r.stats!.id.max, sn: String(batchToRows(all).reduce((t, row) => t + (row.n as number), 0)), cx: all.length - r.stats!.x.nullCount });
  });

  it('writes a valid empty file when every batch is empty', async () => {
    const chunks: Uint8Array[] = [];
    const r = await encodeParquetStream([part(0, 0)], (c) => chunks.push(c.slice()));
    expect(r.rows).toBe(0);
    expect(decodeParquet(new Uint8Array(Buffer.concat(chunks)), schema).length).toBe(0);
  });

  it('reads a large file in slices with the same rows as a whole read', () => {
    // > 4 MB, so that the reader takes it 65,536 rows at a time
    const big = part(0, 300_000);
    const bytes = encodeParquet(big, { compression: 'uncompressed' });
    expect(bytes.length).toBeGreaterThan(4 << 20);
    const slices = [...parquetSlices(bytes, schema)];
    expect(slices.length).toBeGreaterThan(1);
    const back = decodeParquet(bytes, schema);
    expect(back.length).toBe(big.length);
    expect(batchToRows(back)).toEqual(batchToRows(big));
    // without a schema too
    expect(decodeParquet(bytes).length).toBe(big.length);
  });
});
