/**
 * String columns as UTF-8 bytes: every byte-level kernel agrees with the same
 * operation on JS strings, on random and dirty text (multi-byte UTF-8, astral
 * characters, a BOM, invalid UTF-8, empty and NULL values).
 *
 * Invalid UTF-8 in an input file is replaced by U+FFFD exactly as TextDecoder
 * replaces it; a lone surrogate in a JS string handed to the engine is
 * encoded as U+FFFD (as TextEncoder does).
 */
import { DuckDBInstance } from '@duckdb/node-api';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { batchFromRows, batchToRows, columnFromValues, concatColumns, constantColumn, takeColumn, valueAt, type Column } from '../engine/batch.js';
import {
  StringColumnBuilder, compareStrAt, compactStrings, stringColumnFromArray, stringsOf, strAt, type StringColumn,
} from '../engine/column/string-column.js';
import { batchKeys } from '../engine/column/group-ids.js';
import { compareBytes, toValidUtf8, utf8Decode, utf8Encode, utf8Length } from '../engine/column/utf8.js';
import { KeyHasher, hash128Bytes, keyText } from '../engine/operators/keys.js';
import { compileExpr } from '../engine/expr/eval.js';
import { col, lit } from '../engine/expr/builder.js';
import { columnStats, compareUtf8, decodeParquet, encodeParquet } from '../engine/sinks/parquet.js';
import { parseCsv } from '../engine/sources/csv-parser.js';
import type { CsvOptions } from '../engine/ir/plan.js';
import type { Schema } from '../engine/ir/types.js';
import { rng } from './helpers/random.js';

const ALPHABET = ['a', 'Z', ' ', '0', ',', '"', 'é', 'ß', 'İ', 'ǅ', 'ﬀ', '中', '😀', '\u00a0', 'Ω', 'x', '\t', 'ü', 'ÿ', '𝔸'];

/** Random strings with NULLs and empty strings, over ASCII, 2-, 3- and 4-byte characters. */
function randomStrings(n: number, seed: number): (string | null)[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    const x = r();
    if (x < 0.1) return null;
    if (x < 0.15) return '';
    const len = 1 + Math.floor(r() * 12);
    let s = '';
    for (let k = 0; k < len; k++) s += ALPHABET[Math.floor(r() * ALPHABET.length)];
    return s;
  });
}

/** Code point order of JS strings (what byte order must equal). */
function cpCompare(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0)!), y = [...b].map((c) => c.codePointAt(0)!);
  for (let k = 0; k < Math.min(x.length, y.length); k++) if (x[k] !== y[k]) return x[k] - y[k];
  return x.length - y.length;
}

const values = randomStrings(2000, 1);

describe('UTF-8 string columns', () => {
  it('hold exactly the strings they were built from, whichever way they were built', () => {
    const c = stringColumnFromArray(values);
    expect(stringsOf(c)).toEqual(values);
    expect(Array.from({ length: values.length }, (_, i) => strAt(c, i))).toEqual(values);
    const b = new StringColumnBuilder(4, 4);
    for (const v of values) b.pushString(v);
    const built = b.finish();
    expect(stringsOf(built)).toEqual(values);
    expect(Buffer.compare(Buffer.from(built.bytes), Buffer.from(c.bytes))).toBe(0);
    expect(stringsOf(columnFromValues('string', values) as StringColumn)).toEqual(values);
    expect(batchToRows(batchFromRows([{ name: 's', type: 'string' }], values.map((s) => ({ s }))))).toEqual(values.map((s) => ({ s })));
  });

  it('take, concat, constant and compact agree with the same operations on arrays', () => {
    const c = stringColumnFromArray(values);
    const r = rng(2);
    const idx = Array.from({ length: 3000 }, () => Math.floor(r() * values.length));
    expect(stringsOf(takeColumn(c, idx) as StringColumn)).toEqual(idx.map((i) => values[i]));
    const runs = Array.from({ length: 500 }, (_, k) => k + 100).concat([7, 7, 3]);
    expect(stringsOf(takeColumn(c, runs) as StringColumn)).toEqual(runs.map((i) => values[i]));
    const parts = [values.slice(0, 10), [], values.slice(10, 1500), values.slice(1500)];
    const cat = concatColumns('string', parts.map((p) => stringColumnFromArray(p))) as StringColumn;
    expect(stringsOf(cat)).toEqual(values);
    const sliced = takeColumn(c, [5, 6, 7]) as StringColumn;
    expect(stringsOf(compactStrings(sliced))).toEqual([values[5], values[6], values[7]]);
    expect(stringsOf(constantColumn('string', 'é😀', 5) as StringColumn)).toEqual(Array(5).fill('é😀'));
    expect(stringsOf(constantColumn('string', null, 3) as StringColumn)).toEqual([null, null, null]);
    expect(stringsOf(constantColumn('string', '', 3) as StringColumn)).toEqual(['', '', '']);
  });

  it('compare by code point, as Spark and Parquet do (not by UTF-16 unit)', () => {
    const c = stringColumnFromArray(values);
    const r = rng(3);
    for (let k = 0; k < 3000; k++) {
      const i = Math.floor(r() * values.length), j = Math.floor(r() * values.length);
      if (values[i] === null || values[j] === null) continue;
      expect(Math.sign(compareStrAt(c, i, c, j))).toBe(Math.sign(cpCompare(values[i]!, values[j]!)));
    }
    // U+FF21 sorts before U+1F600 by code point; in UTF-16 its unit is greater than the surrogate's.
    const x = stringColumnFromArray(['\uFF21', '😀']);
    expect(compareStrAt(x, 0, x, 1)).toBeLessThan(0);
    expect(compareUtf8('\uFF21', '😀')).toBeLessThan(0);
  });

  it('byte helpers agree with TextEncoder / TextDecoder', () => {
    for (const v of values) {
      if (v === null) continue;
      const e = utf8Encode(v);
      expect(utf8Length(v)).toBe(e.length);
      expect(utf8Decode(e, 0, e.length)).toBe(v);
    }
    // A lone surrogate becomes U+FFFD (3 bytes), as TextEncoder writes it.
    expect(utf8Length('a\ud800b')).toBe(5);
    expect(stringsOf(stringColumnFromArray(['a\ud800b']))).toEqual(['a\ufffdb']);
    expect(Math.sign(compareBytes(utf8Encode('ab'), 0, 2, utf8Encode('abc'), 0, 3))).toBe(-1);
  });

  it('invalid UTF-8 is replaced exactly as TextDecoder replaces it', () => {
    const bad = [
      Buffer.from([0x61, 0xff, 0x62]), Buffer.from([0xc3]), Buffer.from([0xe2, 0x82]), Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from([0xf0, 0x9f, 0x98]), Buffer.from([0xc0, 0xaf, 0x41]), Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
      Buffer.from('ok', 'utf8'),
    ];
    for (const b of bad) {
      const fixed = toValidUtf8(b);
      const text = new TextDecoder().decode(b);
      expect(utf8Decode(fixed.bytes, 0, fixed.bytes.length)).toBe(text);
      expect(fixed.replaced).toBe(text.includes('\ufffd'));
    }
  });
});

describe('string kernels on bytes equal the JS-string operations', () => {
  const schema: Schema = [{ name: 's', type: 'string' }, { name: 't', type: 'string' }];
  const other = randomStrings(values.length, 9);
  const batch = batchFromRows(schema, values.map((s, i) => ({ s, t: i % 3 === 0 ? s : other[i] })));
  const ev = (e: { node: never } | { node: unknown }) => {
    const c = compileExpr((e as { node: never }).node, schema)(batch);
    return Array.from({ length: batch.length }, (_, i) => valueAt(c, i));
  };

  it('upper, lower, trim, length', () => {
    expect(ev(col('s').upper())).toEqual(values.map((s) => (s === null ? null : s.toUpperCase())));
    expect(ev(col('s').lower())).toEqual(values.map((s) => (s === null ? null : s.toLowerCase())));
    expect(ev(col('s').trim())).toEqual(values.map((s) => (s === null ? null : s.replace(/^ +| +$/g, ''))));
    expect(ev(col('s').length())).toEqual(values.map((s) => (s === null ? null : [...s].length)));
  });

  it('comparisons and IN', () => {
    const t = (batchToRows(batch) as { t: string | null }[]).map((r) => r.t);
    const cmp = (i: number) => (values[i] === null || t[i] === null ? null : cpCompare(values[i]!, t[i]!));
    expect(ev(col('s').eq(col('t')))).toEqual(values.map((_, i) => (cmp(i) === null ? null : cmp(i) === 0)));
    expect(ev(col('s').lt(col('t')))).toEqual(values.map((_, i) => (cmp(i) === null ? null : cmp(i)! < 0)));
    expect(ev(col('s').ge(col('t')))).toEqual(values.map((_, i) => (cmp(i) === null ? null : cmp(i)! >= 0)));
    const set = ['é', '😀', 'a', ''];
    expect(ev(col('s').in(set))).toEqual(values.map((s) => (s === null ? null : set.includes(s))));
    expect(ev(col('s').eq(lit('ß')))).toEqual(values.map((s) => (s === null ? null : s === 'ß')));
  });
});

describe('keys on bytes', () => {
  it('KeyHasher equals hash128Bytes of the tagged byte form', () => {
    const c = stringColumnFromArray(['é😀', null]);
    const n = columnFromValues('long', [42]);
    const h = new KeyHasher().add(c, 0).add(c, 1).add(n, 0).hash();
    const e = utf8Encode('é😀');
    const f = new Float64Array([42]);
    const form = Buffer.concat([Buffer.from([1, e.length, 0, 0, 0]), Buffer.from(e), Buffer.from([0]), Buffer.from([2]), Buffer.from(f.buffer)]);
    const out = new Uint32Array(4);
    hash128Bytes(form, form.length, out);
    expect([...h]).toEqual([...out]);
  });

  it('batch keys group exactly as key texts do', () => {
    const r = rng(5);
    const words = randomStrings(40, 6);
    const a = Array.from({ length: 5000 }, () => words[Math.floor(r() * words.length)]);
    const b = Array.from({ length: 5000 }, () => (r() < 0.1 ? null : Math.floor(r() * 3)));
    const cols: Column[] = [stringColumnFromArray(a), columnFromValues('int', b)];
    const keys = batchKeys(cols, a.length);
    const texts = a.map((_, i) => keyText(cols, i));
    const byText = new Map<string, number>();
    texts.forEach((t, i) => { if (!byText.has(t)) byText.set(t, byText.size); expect(keys.ids[i]).toBe(byText.get(t)); });
    expect(keys.count).toBe(byText.size);
    for (let id = 0; id < keys.count; id++) expect(keys.ids[keys.firsts[id]]).toBe(id);
  });
});

describe('CSV files as bytes', () => {
  const options: CsvOptions = {
    glob: '*.csv', schema: [{ name: 'id', type: 'int' }, { name: 'name', type: 'string' }, { name: 'city', type: 'string' }],
    header: true, nullMarkers: ['null', 'NA', 'ñull'], metadataColumns: true, fallbackPaths: [], schemaEvolutionMode: 'rescue',
    maxFilesPerTrigger: 1000, includeExistingFiles: true, allowOverwrites: false,
  };
  const meta = { sourceFile: 'f.csv', ingestedAtUs: 0 };

  it('a file read as bytes equals the same file read as its decoded text (BOM, multi-byte, invalid UTF-8)', () => {
    const r = rng(7);
    const lines = ['\uFEFFid, Name ,CITY'];
    for (let k = 0; k < 300; k++) {
      const v = randomStrings(3, k * 7 + 1).map((s) => (s === null ? 'null' : s.includes('"') || s.includes(',') ? `"${s.replace(/"/g, '""')}"` : s));
      lines.push(`${r() < 0.1 ? 'x' + k : k},${v[0]},${v[1]}${r() < 0.1 ? ',extra😀' : ''}`);
    }
    lines.push('7,ÑULL,na', '8,"unclosed,😀');
    const text = lines.join(r() < 0.5 ? '\n' : '\r\n');
    const bytes = Buffer.from(text, 'utf8');
    // Splice invalid sequences into some values.
    const dirty = Buffer.concat([bytes.subarray(0, 40), Buffer.from([0xff, 0xc3]), bytes.subarray(40, 400), Buffer.from([0xe2, 0x82]), bytes.subarray(400)]);
    for (const input of [bytes, dirty]) {
      const fromBytes = parseCsv(input, options, meta);
      const fromText = parseCsv(new TextDecoder().decode(input), options, meta);
      expect(batchToRows(fromBytes.batch)).toEqual(batchToRows(fromText.batch));
      expect(fromBytes.header).toEqual(['id', 'Name', 'CITY']);
    }
  });

  it('a non-ASCII null marker matches case-insensitively', () => {
    const b = parseCsv(Buffer.from('id,name,city\n1,ÑULL,x\n2,ñull,y\n'), options, meta).batch;
    expect(batchToRows(b).map((r) => r.name)).toEqual([null, null]);
  });
});

describe('Parquet from the bytes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'utf8-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('round-trips, DuckDB reads the same strings, and the statistics are the code-point min and max', async () => {
    const schema: Schema = [{ name: 's', type: 'string' }];
    const col0 = stringColumnFromArray(values);
    // A column that is a slice of a larger one (offsets not starting at 0).
    const sliced = takeColumn(col0, Array.from({ length: 1000 }, (_, i) => i + 500));
    for (const c of [col0, sliced]) {
      const batch = { schema, columns: [c], length: stringsOf(c as StringColumn).length };
      const bytes = encodeParquet(batch);
      const back = decodeParquet(bytes, schema);
      expect(stringsOf(back.columns[0] as StringColumn)).toEqual(stringsOf(c as StringColumn));
      const file = path.join(dir, `s${stringsOf(c as StringColumn).length}.parquet`);
      fs.writeFileSync(file, bytes);
      const db = await DuckDBInstance.create(':memory:');
      const conn = await db.connect();
      const rows = (await conn.runAndReadAll(`SELECT s FROM read_parquet('${file}')`)).getRowObjectsJS();
      expect(rows.map((r) => r.s)).toEqual(stringsOf(c as StringColumn));
      conn.closeSync();
      const stats = columnStats(batch).s;
      const nonNull = stringsOf(c as StringColumn).filter((v): v is string => v !== null).sort(cpCompare);
      expect(stats.min).toBe(nonNull[0]);
      expect(stats.max).toBe(nonNull[nonNull.length - 1]);
      expect(stats.nullCount).toBe(stringsOf(c as StringColumn).length - nonNull.length);
    }
  });
});
