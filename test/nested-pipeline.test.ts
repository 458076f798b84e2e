/**
 * The collection builders in a pipeline: arrays, maps, structs and lambdas
 * built from CSV columns give the same tables in the engine and in the
 * DuckDB script the compiler writes; the Databricks and Spark SQL compile.
 */
import { afterAll, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  definePipeline, materializedView, readCsv, streamingTable, read, col, lit, compilePipeline,
  array, arrayContains, arrayDistinct, arrayJoin, arraySort, arrayUnion, elementAt, exists, filter, forall, getField,
  map, mapFilter, mapKeys, mapValues, namedStruct, reduce, size, slice, sortArray, transform, transformValues, zipWith, struct, getItem,
  arraysZip, sequence, flatten, arrayPosition, fromJson, toJson, getJsonObject, jsonPath,
} from '../engine/index.js';
import { runPipeline } from '../engine/testing.js';
import { buildGraph } from '../engine/graph/graph.js';
import { Duck, multisetEqual } from './helpers/duck.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'localdlt-nested-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const src = streamingTable('readings', {
  query: readCsv({ glob: 'r_*.csv', schema: { id: 'string', a: 'int', b: 'int', c: 'int', unit: 'string', raw: 'string' } }),
});

const vals = array(col('a'), col('b'), col('c'));
const collections = materializedView('collections', {
  query: read(src).select({
    id: col('id'),
    vals,
    n: size(vals),
    sorted: sortArray(vals, false),
    sorted_nulls_last: arraySort(vals),
    positive: filter(vals, (x) => x.gt(0)),
    above_index: filter(vals, (x, i) => x.gt(i)),
    scaled: transform(vals, (x) => x.times(col('c'))),
    with_index: transform(vals, (x, i) => x.plus(i)),
    any_big: exists(vals, (x) => x.gt(10)),
    all_set: forall(vals, (x) => x.isNotNull()),
    total: reduce(vals, 0, (acc, x) => acc.plus(x)),
    nested_lambda: transform(vals, (x) => size(filter(vals, (y) => y.lt(x)))),
    zipped: zipWith(vals, sequence(1, 3), (x, y) => x.times(y)),
    zip_struct: arraysZip(vals, sequence(1, 3)),
    second: elementAt(vals, 2),
    first0: getItem(vals, 0),
    tail: slice(vals, -2, 2),
    has_one: arrayContains(vals, 1),
    pos: arrayPosition(vals, 1),
    distinct_: arrayDistinct(arrayUnion(vals, array(1, 2))),
    joined: arrayJoin(vals, '-', '?'),
    flat: flatten(array(vals, array(col('c')))),
    unit_factor: elementAt(map(['mg', 1], ['g', 1000]), col('unit')),
    unit_keys: mapKeys(mapFilter(map(['mg', col('a')], ['g', col('b')]), (k, v) => v.gt(0))),
    doubled: mapValues(transformValues(map(['x', col('a')]), (k, v) => v.times(2))),
    rec: namedStruct({ id: col('id'), sum: reduce(vals, 0, (acc, x) => acc.plus(x)), tags: array(col('unit'), 'csv') }),
    rec_sum: getField(namedStruct({ sum: col('a').plus(col('b')) }), 'sum'),
    pair: struct(col('a'), col('unit')),
    constant: lit(null),
  }),
});

const json = materializedView('json', {
  query: read(src).select({
    id: col('id'),
    parsed: fromJson(col('raw'), 'k INT, tags ARRAY<STRING>'),
    back: toJson(fromJson(col('raw'), 'k INT, tags ARRAY<STRING>')),
    k: getJsonObject(col('raw'), '$.k'),
    tag0: jsonPath(col('raw'), 'TAGS[0]'),
  }),
});

const pipeline = definePipeline([src, collections, json], { name: 'nested' });

it('the engine and the DuckDB script agree on arrays, maps, structs and lambdas', async () => {
  fs.writeFileSync(path.join(dir, 'r_1.csv'), [
    'id,a,b,c,unit,raw',
    'r1,1,5,3,mg,"{""k"":1,""tags"":[""x"",""y""]}"',
    'r2,-2,,7,g,"{""k"":""bad""}"',
    'r3,12,12,0,kg,not json',
    'r4,,,,,',
  ].join('\n') + '\n');
  const run = await runPipeline(pipeline, { input: dir });
  expect(run.failure).toBeNull();
  const rows = run.rows('collections');
  expect(rows.find((r) => r.id === 'r1')).toMatchObject({
    vals: [1, 5, 3], n: 3, sorted: [5, 3, 1], positive: [1, 5, 3], above_index: [1, 5, 3], scaled: [3, 15, 9], with_index: [1, 6, 5],
    any_big: false, all_set: true, total: 9, nested_lambda: [0, 2, 1], zipped: [1, 10, 9], second: 5, first0: 1, tail: [5, 3],
    has_one: true, pos: 1, distinct_: [1, 5, 3, 2], joined: '1-5-3', flat: [1, 5, 3, 3], unit_factor: 1, unit_keys: ['mg', 'g'], doubled: [2],
    rec: { id: 'r1', sum: 9, tags: ['mg', 'csv'] }, rec_sum: 6, pair: { a: 1, unit: 'mg' },
  });
  expect(rows.find((r) => r.id === 'r2')).toMatchObject({ vals: [-2, null, 7], sorted: [7, -2, null], sorted_nulls_last: [-2, 7, null], all_set: false, total: null, joined: '-2-?-7', unit_factor: 1000, unit_keys: [] });
  expect(rows.find((r) => r.id === 'r4')).toMatchObject({ vals: [null, null, null], any_big: null, all_set: false, unit_factor: null, pos: 0 });
  expect(run.rows('json').find((r) => r.id === 'r1')).toEqual({ id: 'r1', parsed: { k: 1, tags: ['x', 'y'] }, back: '{"k":1,"tags":["x","y"]}', k: '1', tag0: 'x' });
  expect(run.rows('json').find((r) => r.id === 'r2')).toMatchObject({ parsed: { k: null, tags: null }, back: '{}', k: 'bad', tag0: null });

  const { files, report, main } = compilePipeline(pipeline, { dialect: 'duckdb', input: dir });
  const db = await Duck.open();
  try {
    await db.run(files[main[0]]);
    const actual = await db.all('SELECT * FROM collections');
    expect(Object.keys(actual[0])).toEqual(buildGraph(pipeline).datasets.get('collections')!.schema.map((f) => f.name));
    multisetEqual(actual, rows, { label: 'collections' });
  } finally {
    db.close();
  }
  // the JSON functions are approximations in DuckDB, and the report says so
  const notes = JSON.stringify(report);
  for (const f of ['FROM_JSON', 'TO_JSON', 'GET_JSON_OBJECT', 'JSON_PATH']) expect(notes).toContain(`FUNCTION_${f}`);
  for (const dialect of ['databricks', 'spark'] as const) {
    const out = compilePipeline(pipeline, { dialect, input: dir });
    const sql = Object.values(out.files).join('\n');
    expect(sql).toContain('filter(');
    expect(sql).toMatch(/transform\(.*->/);
    if (dialect === 'databricks') expect(sql).toContain(':TAGS[0]');
    else expect(sql).toContain("get_json_object(raw, '$.TAGS[0]')");
  }
}, 60_000);
