/**
 * Auto Loader behaviours of the CSV source through the checkpointed service:
 * schema evolution modes, includeExistingFiles, changed files, vanished files.
 */
import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { col, definePipeline, materializedView, read, readCsv, stream, streamingTable, count, type SchemaEvolutionMode } from '../engine/index.js';
import { PipelineService } from '../engine/runtime/service.js';
import { readDeltaLog } from '../engine/sinks/delta-store.js';

function pipeline(mode: SchemaEvolutionMode, extra: { includeExistingFiles?: boolean; allowOverwrites?: boolean } = {}) {
  const bronze = streamingTable('events_bronze', { query: readCsv({ glob: 'events_*.csv', schema: { id: 'string', n: 'int' }, schemaEvolutionMode: mode, ...extra }) });
  const silver = streamingTable('events_silver', { query: stream(bronze).withColumns({ n2: col('n').times(2) }) });
  const total = materializedView('events_total', { query: read(silver).agg({ rows: count() }) });
  return definePipeline([bronze, silver, total]);
}

function dirs() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-evo-'));
  const input = path.join(root, 'in');
  fs.mkdirSync(input);
  return { input, output: path.join(root, 'out') };
}

const warnings: { obj: object; msg?: string }[] = [];
const logger = { info() {}, debug() {}, error() {}, warn(obj: object | string, msg?: string) { warnings.push({ obj: obj as object, msg }); } };

async function run(p: ReturnType<typeof pipeline>, d: { input: string; output: string }) {
  const { service } = await PipelineService.open({ pipeline: p, input: d.input, output: d.output, logger });
  const results = await service.runAvailableNow();
  const failure = results.find((r) => r.failure)?.failure ?? null;
  // a run ends by releasing the output folder, as the CLI does; the tables stay readable
  await service.close(failure ? 'FAILED' : 'COMPLETED', failure ?? undefined);
  return { service, results, failure };
}

async function rows(service: PipelineService, table: string) {
  const g = service.graph.datasets.get(table)!;
  const { batchToRows } = await import('../engine/batch.js');
  return batchToRows(await service.store.snapshot(table, g.schema));
}

describe('schema evolution', () => {
  it('rescue (default): a new column goes to _rescued_data and the schema stays', async () => {
    const d = dirs();
    fs.writeFileSync(path.join(d.input, 'events_1.csv'), 'id,n\na,1\n');
    fs.writeFileSync(path.join(d.input, 'events_2.csv'), 'id,n,color\nb,2,red\n');
    const { service, failure } = await run(pipeline('rescue'), d);
    expect(failure).toBeNull();
    const r = await rows(service, 'events_bronze');
    expect(r.map((x) => x._rescued_data)).toEqual([null, '{"color":"red"}']);
    expect(Object.keys(r[0])).not.toContain('color');
  });

  it('failOnNewColumns: the update stops with NEW_COLUMNS_FOUND naming the columns, and commits nothing of that batch', async () => {
    const d = dirs();
    fs.writeFileSync(path.join(d.input, 'events_1.csv'), 'id,n,color,size\nb,2,red,L\n');
    const { service, failure } = await run(pipeline('failOnNewColumns'), d);
    expect(failure?.code).toBe('NEW_COLUMNS_FOUND');
    expect(failure?.params).toMatchObject({ table: 'events_bronze', file: 'events_1.csv', columns: ['color', 'size'] });
    expect(await rows(service, 'events_bronze')).toEqual([]);
    // still failing on the next start: the batch is re-run with the same file
    const again = await run(pipeline('failOnNewColumns'), d);
    expect(again.failure?.code).toBe('NEW_COLUMNS_FOUND');
  });

  it('addNewColumns: stops once with NEW_COLUMNS_ADDED; on restart the columns are in the schema and the Delta metaData', async () => {
    const d = dirs();
    fs.writeFileSync(path.join(d.input, 'events_1.csv'), 'id,n\na,1\n');
    const first = await run(pipeline('addNewColumns'), d);
    expect(first.failure).toBeNull();
    fs.writeFileSync(path.join(d.input, 'events_2.csv'), 'id,n,color\nb,2,red\n');
    const second = await run(pipeline('addNewColumns'), d);
    expect(second.failure?.code).toBe('NEW_COLUMNS_ADDED');
    expect(second.failure?.params).toMatchObject({ table: 'events_bronze', columns: ['color'] });
    const third = await run(pipeline('addNewColumns'), d);
    expect(third.failure).toBeNull();
    const bronze = await rows(third.service, 'events_bronze');
    expect(bronze.map((x) => [x.id, x.color ?? null, x._rescued_data])).toEqual([['a', null, null], ['b', 'red', null]]);
    const schema = JSON.parse(readDeltaLog(third.service.store.tableDir('events_bronze')).schemaString!);
    expect(schema.fields.map((f: { name: string }) => f.name)).toContain('color');
    // the downstream streaming table carries it too (withColumns keeps every column)
    expect((await rows(third.service, 'events_silver')).map((x) => x.color ?? null)).toEqual([null, 'red']);
    expect((await rows(third.service, 'events_total'))[0].rows).toBe(2);
  });
});

describe('file discovery', () => {
  it('includeExistingFiles: false skips the files present at the first start, for good', async () => {
    const d = dirs();
    fs.writeFileSync(path.join(d.input, 'events_1.csv'), 'id,n\na,1\n');
    const first = await run(pipeline('rescue', { includeExistingFiles: false }), d);
    expect(first.results).toHaveLength(0);
    fs.writeFileSync(path.join(d.input, 'events_2.csv'), 'id,n\nb,2\n');
    const second = await run(pipeline('rescue', { includeExistingFiles: false }), d);
    expect((await rows(second.service, 'events_bronze')).map((x) => x.id)).toEqual(['b']);
  });

  it('a processed file that changes is reported as file_changed and not ingested again (unless allowOverwrites)', async () => {
    const d = dirs();
    const f = path.join(d.input, 'events_1.csv');
    fs.writeFileSync(f, 'id,n\na,1\n');
    await run(pipeline('rescue'), d);
    fs.writeFileSync(f, 'id,n\na,1\nb,2\n');
    fs.utimesSync(f, new Date(), new Date(Date.now() + 5000));
    warnings.length = 0;
    const again = await run(pipeline('rescue'), d);
    expect(again.results).toHaveLength(0);
    expect(warnings.some((w) => (w.obj as { event?: string }).event === 'file_changed')).toBe(true);
    expect((await rows(again.service, 'events_bronze')).map((x) => x.id)).toEqual(['a']);
    const over = await run(pipeline('rescue', { allowOverwrites: true }), { ...d, output: d.output + '-2' });
    expect((await rows(over.service, 'events_bronze')).map((x) => x.id)).toEqual(['a', 'b']);
  });
});
