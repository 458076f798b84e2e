/**
 * DECIMAL end to end: a pipeline computes on decimal columns (exact
 * arithmetic, rounding and casts with Spark's result types), writes them as
 * Delta tables, and DuckDB reads the Parquet files back with the same types
 * and the exact same digits; the Delta schema names the decimal types; the
 * engine's Parquet codec round-trips the widest values.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bround, cast, ceil, col, definePipeline, rowsSource, round, runPipeline, streamingTable, stream, tryDivide,
} from '../engine/index.js';
import { batchFromRows, schemaOf, type DecimalColumn } from '../engine/batch.js';
import { decodeParquet, encodeParquet } from '../engine/sinks/parquet.js';
import { decimalText } from '../engine/expr/cast.js';
import { Duck } from './helpers/duck.js';

let dir: string;
let duck: Duck;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'localdlt-decimal-'));
  duck = await Duck.open();
});

afterAll(() => {
  duck?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The exact text of every value of a Parquet file's columns, as DuckDB reads them. */
async function duckText(glob: string, columns: string[]): Promise<Record<string, string | null>[]> {
  const rows = await duck.all(`SELECT ${columns.map((c) => `CAST(${c} AS VARCHAR) AS ${c}`).join(', ')} FROM read_parquet('${glob}') ORDER BY id`);
  return rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] === null ? null : String(r[c])])));
}

describe('decimal columns through a pipeline, Delta and DuckDB', () => {
  const bronze = streamingTable('payments_bronze', { query: rowsSource('payments', { id: 'int', amount: 'decimal(10,2)', rate: 'decimal(5,4)', big: 'decimal(38,10)', text: 'string' }) });
  const silver = streamingTable('payments_silver', {
    query: stream(bronze).select({
      id: col('id'),
      amount: col('amount'),
      fee: round(col('amount').times(col('rate')), 2),
      even: bround(col('amount'), 1),
      up: ceil(col('amount')),
      share: tryDivide(col('amount'), 3),
      parsed: cast(col('text'), 'decimal(12,3)'),
      big: col('big'),
    }),
  });
  const pipeline = definePipeline([bronze, silver], { name: 'decimals' });
  const rows = [
    { id: 1, amount: '1234.56', rate: '0.0125', big: '12345678901234567890.1234567891', text: ' 1.0005 ' },
    { id: 2, amount: '-0.05', rate: '1.0000', big: '-0.0000000001', text: '-99999999.9995' },
    { id: 3, amount: '99999999.99', rate: '0.5000', big: null, text: 'x' },
    { id: 4, amount: null, rate: null, big: '0.0000000000', text: null },
  ];

  it('computes exactly, and DuckDB reads the Delta files with the same types and digits', async () => {
    const out = path.join(dir, 'out');
    const run = await runPipeline(pipeline, { output: out, rows: { payments: rows } });
    const tables = path.join(out, 'tables');
    const got = run.rows('payments_silver');
    expect(got).toHaveLength(4);

    // the Delta log's schema names Spark's decimal types
    const log0 = fs.readFileSync(path.join(tables, 'payments_silver', '_delta_log', '00000000000000000000.json'), 'utf8');
    const meta = log0.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { metaData?: { schemaString: string } }).find((a) => a.metaData)!;
    const types = Object.fromEntries((JSON.parse(meta.metaData!.schemaString) as { fields: { name: string; type: string }[] }).fields.map((f) => [f.name, f.type]));
    expect(types).toMatchObject({ amount: 'decimal(10,2)', fee: 'decimal(13,2)', even: 'decimal(10,1)', up: 'decimal(9,0)', share: 'decimal(14,6)', parsed: 'decimal(12,3)', big: 'decimal(38,10)' });

    const glob = path.join(tables, 'payments_silver', '*.parquet');
    const desc = await duck.describe(`SELECT * FROM read_parquet('${glob}')`);
    expect(desc).toMatchObject({ amount: 'DECIMAL(10,2)', fee: 'DECIMAL(13,2)', even: 'DECIMAL(10,1)', up: 'DECIMAL(9,0)', share: 'DECIMAL(14,6)', parsed: 'DECIMAL(12,3)', big: 'DECIMAL(38,10)' });
    const text = await duckText(glob, ['id', 'amount', 'fee', 'even', 'up', 'share', 'parsed', 'big']);
    expect(text).toEqual([
      // 1234.56 × 0.0125 = 15.432000 → 15.43; bround(1234.56, 1) = 1234.6; ceil = 1235; 1234.56 / 3 = 411.520000
      { id: '1', amount: '1234.56', fee: '15.43', even: '1234.6', up: '1235', share: '411.520000', parsed: '1.001', big: '12345678901234567890.1234567891' },
      // -0.05 × 1 = -0.05; bround(-0.05, 1) = 0.0 (half even); ceil(-0.05) = 0; -0.05 / 3 = -0.016667; '-99999999.9995' rounds half up to -100000000.000
      { id: '2', amount: '-0.05', fee: '-0.05', even: '0.0', up: '0', share: '-0.016667', parsed: '-100000000.000', big: '-0.0000000001' },
      // 99999999.99 × 0.5 = 49999999.995 → 50000000.00 (half up)
      { id: '3', amount: '99999999.99', fee: '50000000.00', even: '100000000.0', up: '100000000', share: '33333333.330000', parsed: null, big: null },
      { id: '4', amount: null, fee: null, even: null, up: null, share: null, parsed: null, big: '0.0000000000' },
    ]);
    // the engine's rows hold the same values (decimals as numbers in row objects)
    expect(got.map((r) => r.fee)).toEqual([15.43, -0.05, 50000000, null]);

  });
});

describe('Parquet codec: decimals of every storage width', () => {
  it('round-trips DECIMAL(5,2), DECIMAL(18,4) and DECIMAL(38,10) exactly, with NULLs, and DuckDB agrees', async () => {
    const schema = schemaOf([{ name: 'id', type: 'int' }, { name: 'a', type: 'decimal(5,2)' }, { name: 'b', type: 'decimal(18,4)' }, { name: 'c', type: 'decimal(38,10)' }]);
    const values = [
      { id: 1, a: '999.99', b: '99999999999999.9999', c: '9999999999999999999999999999.9999999999' },
      { id: 2, a: '-999.99', b: '-0.0001', c: '-9999999999999999999999999999.9999999999' },
      { id: 3, a: null, b: '0.0000', c: null },
      { id: 4, a: '0.01', b: null, c: '0.0000000001' },
    ];
    const batch = batchFromRows(schema, values);
    const bytes = encodeParquet(batch);
    const back = decodeParquet(bytes);
    expect(back.schema).toEqual(schema);
    for (const [j, name] of ['a', 'b', 'c'].entries()) {
      const c = back.columns[j + 1] as DecimalColumn;
      const texts = values.map((_, i) => (c.nulls && c.nulls[i] ? null : decimalText(BigInt(c.data[i]), [2, 4, 10][j])));
      expect(texts, name).toEqual(values.map((v) => (v as Record<string, string | null>)[name]));
    }
    const file = path.join(dir, 'widths.parquet');
    fs.writeFileSync(file, bytes);
    expect(await duck.describe(`SELECT * FROM read_parquet('${file}')`)).toMatchObject({ a: 'DECIMAL(5,2)', b: 'DECIMAL(18,4)', c: 'DECIMAL(38,10)' });
    expect(await duckText(file, ['id', 'a', 'b', 'c'])).toEqual(values.map((v) => Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === null ? null : String(x)]))));
  });
});
