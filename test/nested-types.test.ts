/**
 * Nested columns (arrays, maps, structs) through storage: arrays of structs,
 * maps of arrays and structs holding decimals, dates and timestamps
 * round-trip Parquet exactly, DuckDB reads the files with the matching
 * types and values, and the Delta schema JSON is Spark's. Values computed by
 * the collection and JSON functions take the same path.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { batchFromRows, batchToRows, schemaOf, type Batch } from '../engine/batch.js';
import { compileExpr } from '../engine/expr/eval.js';
import { parseExpression } from '../engine/parse/expr-parser.js';
import { decodeParquet, encodeParquet } from '../engine/sinks/parquet.js';
import { sparkSchemaString } from '../engine/sinks/delta-store.js';
import { typeFromSparkJson, type Value } from '../engine/ir/types.js';

const SCHEMA = schemaOf([
  { name: 'id', type: 'int' },
  { name: 'events', type: 'array<struct<code:string,at:timestamp,amount:decimal(10,2)>>' },
  { name: 'tags', type: 'map<string,array<int>>' },
  { name: 'codes', type: 'map<int,string>' },
  { name: 'patient', type: 'struct<dob:date,weight:decimal(5,1),name:struct<given:string,family:string>,flags:array<boolean>>' },
  { name: 'matrix', type: 'array<array<double>>' },
]);

const ROWS: Record<string, Value>[] = [
  {
    id: 1,
    events: [{ code: 'A1', at: 1_700_000_000_123_456, amount: 12.5 }, { code: 'B2', at: null, amount: -0.01 }],
    tags: new Map([['x', [1, 2]], ['y', []], ['z', null]]),
    codes: new Map([[200, 'ok'], [404, null]]),
    patient: { dob: 7000, weight: 72.4, name: { given: 'Ann', family: 'Lee' }, flags: [true, null, false] },
    matrix: [[1.5, -0], [], null],
  },
  { id: 2, events: [], tags: new Map(), codes: new Map(), patient: { dob: null, weight: null, name: null, flags: [] }, matrix: [] },
  { id: 3, events: null, tags: null, codes: null, patient: null, matrix: null },
  { id: 4, events: [null, { code: null, at: 0, amount: 99999999.99 }], tags: new Map([['é', [null]]]), codes: new Map([[-1, '']]), patient: { dob: -719162, weight: -9999.9, name: { given: null, family: 'Ø' }, flags: null }, matrix: [[NaN, Infinity]] },
];

let dir: string;
let inst: DuckDBInstance;
let con: DuckDBConnection;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nested-types-'));
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
  return (await con.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

function sample(): Batch {
  return batchFromRows(SCHEMA, ROWS);
}

function file(name: string, b: Batch): string {
  const p = join(dir, name);
  writeFileSync(p, encodeParquet(b));
  return p;
}

describe('nested columns in Parquet', () => {
  it('round-trip exactly: arrays of structs, maps of arrays, int-keyed maps, structs with decimals and dates, NaN and -0', () => {
    const b = sample();
    const back = decodeParquet(encodeParquet(b));
    expect(back.schema).toEqual(b.schema);
    expect(batchToRows(back)).toEqual(batchToRows(b));
    const m = batchToRows(back)[0].codes as Map<Value, Value>;
    expect([...m.keys()]).toEqual([200, 404]);
    expect(Object.is(((batchToRows(back)[0].matrix as Value[][])[0])[1], -0)).toBe(true);
    // read with the schema (as a table's reader does), columns in another order
    const projected = decodeParquet(encodeParquet(b), [SCHEMA[4], SCHEMA[1]]);
    expect(batchToRows(projected)).toEqual(ROWS.map((r) => ({ patient: r.patient, events: r.events })));
  });

  it('DuckDB reads them with the matching types', async () => {
    const p = file('types.parquet', sample());
    const desc = await query(`DESCRIBE SELECT * FROM read_parquet('${p}')`);
    expect(desc.map((r) => [r.column_name, r.column_type])).toEqual([
      ['id', 'INTEGER'],
      ['events', 'STRUCT(code VARCHAR, "at" TIMESTAMP WITH TIME ZONE, amount DECIMAL(10,2))[]'],
      ['tags', 'MAP(VARCHAR, INTEGER[])'],
      ['codes', 'MAP(INTEGER, VARCHAR)'],
      ['patient', 'STRUCT(dob DATE, weight DECIMAL(5,1), "name" STRUCT(given VARCHAR, "family" VARCHAR), flags BOOLEAN[])'],
      ['matrix', 'DOUBLE[][]'],
    ]);
  });

  it('DuckDB reads the same values', async () => {
    const p = file('values.parquet', sample());
    const rows = await query(`SELECT id,
        events[1].code AS code, CAST(events[1].amount AS VARCHAR) AS amount, CAST(events[1]."at" AS VARCHAR) AS at, len(events) AS n_events,
        tags['x'] AS x, cardinality(tags) AS n_tags, codes[404] IS NULL AS missing_404, codes[200] AS ok,
        CAST(patient.dob AS VARCHAR) AS dob, CAST(patient.weight AS VARCHAR) AS weight, patient.name.family AS family, patient.flags AS flags,
        CAST(matrix AS VARCHAR) AS matrix
      FROM read_parquet('${p}') ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, code: 'A1', amount: '12.50', at: '2023-11-14 22:13:20.123456+00', n_events: '2', x: [1, 2], n_tags: '3', missing_404: true, ok: 'ok', dob: '1989-03-02', weight: '72.4', family: 'Lee', flags: [true, null, false], matrix: '[[1.5, -0.0], [], NULL]' },
      { id: 2, code: null, amount: null, at: null, n_events: '0', x: null, n_tags: '0', missing_404: true, ok: null, dob: null, weight: null, family: null, flags: [], matrix: '[]' },
      { id: 3, code: null, amount: null, at: null, n_events: null, x: null, n_tags: null, missing_404: true, ok: null, dob: null, weight: null, family: null, flags: null, matrix: null },
      { id: 4, code: null, amount: null, at: null, n_events: '2', x: null, n_tags: '1', missing_404: true, ok: null, dob: '0001-01-01', weight: '-9999.9', family: 'Ø', flags: null, matrix: '[[nan, inf]]' },
    ]);
    const deep = await query(`SELECT CAST(events[2].amount AS VARCHAR) AS amount, CAST(events[2]."at" AS VARCHAR) AS at, tags['é'] AS e FROM read_parquet('${p}') WHERE id = 4`);
    expect(deep).toEqual([{ amount: '99999999.99', at: '1970-01-01 00:00:00+00', e: [null] }]);
  });

  it('values made by the collection and JSON functions are written and read back', async () => {
    const input = batchFromRows(schemaOf([{ name: 'raw', type: 'string' }]), [
      { raw: '{"id":7,"visits":[{"d":"2024-02-29","cost":"12.345"},{"d":"bad","cost":1}],"labs":{"hb":[13,14]}}' },
      { raw: '{"id":"x"}' },
      { raw: null },
    ]);
    const exprs = {
      rec: "from_json(raw, 'id INT, visits ARRAY<STRUCT<d: DATE, cost: DECIMAL(6,2)>>, labs MAP<STRING, ARRAY<INT>>')",
      costs: "transform(from_json(raw, 'visits ARRAY<STRUCT<d: DATE, cost: DECIMAL(6,2)>>').visits, v -> v.cost)",
      by_day: "map_from_entries(transform(from_json(raw, 'visits ARRAY<STRUCT<d: DATE, cost: DECIMAL(6,2)>>').visits, (v, i) -> struct(i, v.d)))",
    };
    const schema = [...input.schema];
    const columns = [...input.columns];
    const types: string[] = [];
    for (const [name, sql] of Object.entries(exprs)) {
      const e = parseExpression(sql);
      const col = compileExpr(e, input.schema)(input);
      schema.push({ name, type: col.type });
      types.push(col.type);
      columns.push(col);
    }
    expect(types).toEqual([
      'struct<id:int,visits:array<struct<d:date,cost:decimal(6,2)>>,labs:map<string,array<int>>>',
      'array<decimal(6,2)>',
      'map<int,date>',
    ]);
    const b: Batch = { schema, columns, length: input.length };
    const rows = batchToRows(b);
    expect(rows[0].rec).toEqual({ id: 7, visits: [{ d: 19782, cost: 12.35 }, { d: null, cost: 1 }], labs: new Map([['hb', [13, 14]]]) });
    expect(rows[1].rec).toEqual({ id: null, visits: null, labs: null });
    expect(rows[2]).toEqual({ raw: null, rec: null, costs: null, by_day: null });
    expect(rows[0].by_day).toEqual(new Map([[0, 19782], [1, null]]));
    const back = decodeParquet(encodeParquet(b));
    expect(batchToRows(back)).toEqual(rows);
    const p = file('functions.parquet', b);
    const duck = await query(`SELECT CAST(rec.visits[1].cost AS VARCHAR) AS cost, CAST(rec.visits[1].d AS VARCHAR) AS d, rec.labs['hb'] AS hb, CAST(costs AS VARCHAR) AS costs, CAST(by_day[0] AS VARCHAR) AS day0 FROM read_parquet('${p}') LIMIT 1`);
    expect(duck).toEqual([{ cost: '12.35', d: '2024-02-29', hb: [13, 14], costs: '[12.35, 1.00]', day0: '2024-02-29' }]);
  });
});

describe('nested columns in the Delta schema', () => {
  it('are Spark StructType JSON and read back to the same types', () => {
    const json = JSON.parse(sparkSchemaString(SCHEMA)) as { fields: { name: string; type: unknown }[] };
    expect(json.fields.find((f) => f.name === 'events')!.type).toEqual({
      type: 'array',
      elementType: {
        type: 'struct',
        fields: [
          { name: 'code', type: 'string', nullable: true, metadata: {} },
          { name: 'at', type: 'timestamp', nullable: true, metadata: {} },
          { name: 'amount', type: 'decimal(10,2)', nullable: true, metadata: {} },
        ],
      },
      containsNull: true,
    });
    expect(json.fields.find((f) => f.name === 'tags')!.type).toEqual({
      type: 'map', keyType: 'string', valueType: { type: 'array', elementType: 'integer', containsNull: true }, valueContainsNull: true,
    });
    expect(json.fields.find((f) => f.name === 'codes')!.type).toEqual({ type: 'map', keyType: 'integer', valueType: 'string', valueContainsNull: true });
    const patient = json.fields.find((f) => f.name === 'patient')!.type as { fields: { name: string; type: unknown }[] };
    expect(patient.fields.map((f) => [f.name, f.type])).toEqual([
      ['dob', 'date'], ['weight', 'decimal(5,1)'],
      ['name', { type: 'struct', fields: [{ name: 'given', type: 'string', nullable: true, metadata: {} }, { name: 'family', type: 'string', nullable: true, metadata: {} }] }],
      ['flags', { type: 'array', elementType: 'boolean', containsNull: true }],
    ]);
    for (const f of json.fields) expect(typeFromSparkJson(f.type)).toBe(SCHEMA.find((x) => x.name === f.name)!.type);
  });
});
