/**
 * Flows apart from datasets: several append flows into one streaming table,
 * each with its own checkpoint; adding a flow processes only its input (a new
 * stream reads its source from the start); removing one keeps the rows it
 * wrote; ONCE flows run once (again after a full refresh); the definition
 * errors of flows and AUTO CDC, with their codes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  appendFlow, autoCdc, batchToRows, col, definePipeline, buildGraph, materializedView, read, readCsv, runPipeline, stream, streamingTable, view,
  type Pipeline, type Row,
} from '../engine/index.js';
import { PipelineService } from '../engine/runtime/service.js';
import { EventLog } from '../engine/events/event-log.js';
import { readEventLog } from '../engine/events/read.js';
import { tempDir } from './helpers/cli.js';
import { batchesIn, commitsDir } from './helpers/batch-log.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

function folder(files: Record<string, string>): { input: string; output: string } {
  const root = tempDir('flows');
  dirs.push(root);
  const input = path.join(root, 'in');
  fs.mkdirSync(input);
  for (const [n, t] of Object.entries(files)) fs.writeFileSync(path.join(input, n), t);
  return { input, output: path.join(root, 'out') };
}

async function replay(pipeline: Pipeline, input: string, output: string, extra: { fullRefresh?: string[] } = {}) {
  const { service } = await PipelineService.open({ pipeline, input, output, events: new EventLog(output, {}), ...extra });
  const results = await service.runAvailableNow();
  await service.close('COMPLETED');
  expect(results.find((r) => r.failure)?.failure ?? null).toBeNull();
  return { results, rows: async (t: string) => batchToRows(await service.store.snapshot(t, service.graph.datasets.get(t)!.schema)) };
}

const sorted = (rows: Row[], by = 'id') => [...rows].sort((a, b) => String(a[by]).localeCompare(String(b[by])));

const north = streamingTable('north_raw', { query: readCsv({ glob: 'north_*.csv', schema: { id: 'string', n: 'int' } }) });
const south = streamingTable('south_raw', { query: readCsv({ glob: 'south_*.csv', schema: { id: 'string', n: 'int', ward: 'string' } }) });
const admissions = () => streamingTable('admissions', { comment: 'both regions' });
const fromNorth = appendFlow('admissions', { name: 'from_north', query: stream(north).select('id', 'n') });
const fromSouth = appendFlow('admissions', { name: 'from_south', query: stream(south).select('id', 'n', 'ward') });

describe('append flows', () => {
  it('two flows into one table: rows by name (missing columns NULL), a checkpoint and metrics per flow', async () => {
    const { input, output } = folder({ 'north_1.csv': 'id,n\nA,1\nB,2\n', 'south_1.csv': 'id,n,ward\nC,3,W1\n' });
    const p = definePipeline([north, south, admissions(), fromNorth, fromSouth], { name: 'regions' });
    const { results, rows } = await replay(p, input, output);
    expect(sorted(await rows('admissions'))).toEqual([{ id: 'A', n: 1, ward: null }, { id: 'B', n: 2, ward: null }, { id: 'C', n: 3, ward: 'W1' }]);
    const commits = batchesIn(commitsDir(output));
    const last = JSON.parse(fs.readFileSync(path.join(commitsDir(output), `${commits[commits.length - 1]}.json`), 'utf8')) as { flows: Record<string, { rows?: number }> };
    expect(last.flows.from_north).toMatchObject({ rows: 2 });
    expect(last.flows.from_south).toMatchObject({ rows: 1 });
    const m = results[0].flows;
    expect(m.get('from_north')).toMatchObject({ flow: 'from_north', dataset: 'admissions', num_output_rows: 2, status: 'COMPLETED' });
    expect(m.get('from_south')).toMatchObject({ flow: 'from_south', dataset: 'admissions', num_output_rows: 1 });
    // the event log: one flow_definition and one flow_progress per flow, naming the dataset
    const events = await readEventLog(output);
    const defs = events.filter((e) => e.event_type === 'flow_definition' && e.origin.dataset_name === 'admissions');
    expect(defs.map((e) => e.origin.flow_name).sort()).toEqual(['from_north', 'from_south']);
    const dd = events.find((e) => e.event_type === 'dataset_definition' && e.origin.dataset_name === 'admissions')!;
    expect(dd.details.dataset_definition.num_flows).toBe(2);
    const progress = events.filter((e) => e.event_type === 'flow_progress' && e.origin.dataset_name === 'admissions');
    expect(progress.map((e) => [e.origin.flow_name, e.details.flow_progress.metrics.num_output_rows]).sort()).toEqual([['from_north', 2], ['from_south', 1]]);
  });

  it('adding a flow processes only its input: files from the start, a stream from its source\'s first row; removing one keeps its rows', async () => {
    const { input, output } = folder({ 'north_1.csv': 'id,n\nA,1\n', 'south_1.csv': 'id,n,ward\nC,3,W1\n' });
    const before = definePipeline([north, south, admissions(), fromNorth], { name: 'regions' });
    let r = await replay(before, input, output);
    expect(sorted(await r.rows('admissions'))).toEqual([{ id: 'A', n: 1 }]);
    // south_raw already ingested south_1.csv; the new flow reads it from the table
    fs.writeFileSync(path.join(input, 'north_2.csv'), 'id,n\nB,2\n');
    const after = definePipeline([north, south, admissions(), fromNorth, fromSouth], { name: 'regions' });
    r = await replay(after, input, output);
    expect(sorted(await r.rows('admissions'))).toEqual([{ id: 'A', n: 1, ward: null }, { id: 'B', n: 2, ward: null }, { id: 'C', n: 3, ward: 'W1' }]);
    // a file-reading flow added later reads every file of its glob
    const late = appendFlow('admissions', { name: 'from_files', query: readCsv({ glob: 'north_*.csv', schema: { id: 'string', n: 'int' } }).select('id', 'n') });
    r = await replay(definePipeline([north, south, admissions(), fromNorth, fromSouth, late], { name: 'regions' }), input, output);
    expect((await r.rows('admissions')).filter((x) => x.id === 'A' || x.id === 'B')).toHaveLength(4);
    // removing flows keeps what they wrote (the declared columns stay)
    const kept = streamingTable('admissions', { schema: { id: 'string', n: 'int', ward: 'string' } });
    fs.writeFileSync(path.join(input, 'north_3.csv'), 'id,n\nD,4\n');
    r = await replay(definePipeline([north, south, kept, fromNorth], { name: 'regions' }), input, output);
    expect(sorted(await r.rows('admissions')).map((x) => x.id)).toEqual(['A', 'A', 'B', 'B', 'C', 'D']);
  });

  it('a ONCE flow runs in the first update only, and again after a full refresh of its table', async () => {
    const { input, output } = folder({ 'north_1.csv': 'id,n\nA,1\n', 'legacy.csv': 'id,n\nOLD1,0\nOLD2,0\n' });
    const legacy = appendFlow('admissions', { name: 'legacy_backfill', once: true, query: readCsv({ glob: 'legacy.csv', schema: { id: 'string', n: 'int' } }).select('id', 'n') });
    const p = definePipeline([north, admissions(), fromNorth, legacy], { name: 'regions' });
    let r = await replay(p, input, output);
    expect(sorted(await r.rows('admissions')).map((x) => x.id)).toEqual(['A', 'OLD1', 'OLD2']);
    fs.writeFileSync(path.join(input, 'north_2.csv'), 'id,n\nB,2\n');
    fs.writeFileSync(path.join(input, 'legacy.csv'), 'id,n\nOLD1,0\nOLD2,0\nOLD3,0\n');
    r = await replay(p, input, output);
    expect(sorted(await r.rows('admissions')).map((x) => x.id)).toEqual(['A', 'B', 'OLD1', 'OLD2']);
    r = await replay(p, input, output, { fullRefresh: ['admissions'] });
    expect(sorted(await r.rows('admissions')).map((x) => x.id)).toEqual(['A', 'B', 'OLD1', 'OLD2', 'OLD3']);
  });

  it('an AUTO CDC ONCE flow applies its (batch) feed once, and again after a full refresh', async () => {
    const { input, output } = folder({ 'snap.csv': 'id,v,seq\nA,x,1\nB,y,1\nA,z,2\n' });
    const snap = readCsv({ glob: 'snap.csv', schema: { id: 'string', v: 'string', seq: 'long' }, metadataColumns: false });
    const t = streamingTable('t');
    const p = definePipeline([t, autoCdc(t, { source: snap, keys: ['id'], sequenceBy: 'seq', once: true })], { name: 'once_cdc' });
    let r = await replay(p, input, output);
    expect(sorted(await r.rows('t'))).toEqual([{ id: 'A', v: 'z', seq: 2 }, { id: 'B', v: 'y', seq: 1 }]);
    expect(r.results[0].flows.get('t')!.cdc).toMatchObject({ num_upserted_rows: 2 });
    fs.writeFileSync(path.join(input, 'snap.csv'), 'id,v,seq\nA,x,1\nB,y,1\nA,z,2\nC,w,3\n');
    r = await replay(p, input, output);
    expect(sorted(await r.rows('t')).map((x) => x.id)).toEqual(['A', 'B']);
    r = await replay(p, input, output, { fullRefresh: ['t'] });
    expect(sorted(await r.rows('t')).map((x) => x.id)).toEqual(['A', 'B', 'C']);
  });

  it('in memory (the testing API) too', async () => {
    const p = definePipeline([north, south, admissions(), fromNorth, fromSouth], { name: 'regions' });
    const run = await runPipeline(p, { files: { 'north_1.csv': 'id,n\nA,1\n', 'south_1.csv': 'id,n,ward\nC,3,W1\n' } });
    expect(sorted(run.rows('admissions'))).toEqual([{ id: 'A', n: 1, ward: null }, { id: 'C', n: 3, ward: 'W1' }]);
  });
});

describe('definition errors of flows and AUTO CDC', () => {
  const code = (f: () => unknown) => { try { f(); } catch (e) { return (e as { code: string }).code; } return null; };
  const feed = streamingTable('feed', { query: readCsv({ glob: 'f_*.csv', schema: { id: 'string', v: 'string', op: 'string', seq: 'long' }, metadataColumns: false }) });
  const cdcOpts = { source: feed, keys: ['id'], sequenceBy: 'seq' };

  it('names, targets and kinds', () => {
    const t = streamingTable('t');
    expect(code(() => buildGraph(definePipeline([feed, t], {})))).toBe('STREAMING_TABLE_WITHOUT_FLOW');
    expect(code(() => buildGraph(definePipeline([feed, t, appendFlow('t', { name: 'feed', query: stream(feed) })], {})))).toBe('DUPLICATE_FLOW');
    expect(code(() => buildGraph(definePipeline([feed, t, appendFlow('t', { name: 'a', query: stream(feed) }), appendFlow('t', { name: 'a', query: stream(feed) })], {})))).toBe('DUPLICATE_FLOW');
    expect(code(() => buildGraph(definePipeline([feed, appendFlow('nope', { name: 'a', query: stream(feed) })], {})))).toBe('UNKNOWN_DATASET');
    const mv = materializedView('mv', { query: read(feed) });
    expect(code(() => buildGraph(definePipeline([feed, mv, appendFlow('mv', { name: 'a', query: stream(feed) })], {})))).toBe('FLOW_TARGET_NOT_STREAMING_TABLE');
    expect(code(() => buildGraph(definePipeline([feed, t, appendFlow('t', { name: 'a', query: read(feed) })], {})))).toBe('FLOW_WITHOUT_STREAM');
    expect(code(() => buildGraph(definePipeline([feed, t, appendFlow('t', { name: 'a', query: read(feed), once: true })], {})))).toBeNull();
    expect(code(() => buildGraph(definePipeline([feed, t, appendFlow('t', { name: 'a', query: stream(feed).select('id') }), appendFlow('t', { name: 'b', query: stream(feed).select({ id: col('seq') }) })], {})))).toBe('FLOW_SCHEMA_MISMATCH');
    const declared = streamingTable('d', { schema: { id: 'string' } });
    expect(code(() => buildGraph(definePipeline([feed, declared, appendFlow('d', { name: 'a', query: stream(feed).select('id', 'v') })], {})))).toBe('FLOW_SCHEMA_MISMATCH');
    expect(code(() => view('v'))).toBe('MISSING_QUERY');
  });

  it('AUTO CDC targets and options', () => {
    const t = streamingTable('t');
    expect(code(() => buildGraph(definePipeline([feed, t, autoCdc(t, cdcOpts), appendFlow('t', { name: 'more', query: stream(feed) })], {})))).toBe('CDC_TARGET_HAS_OTHER_FLOWS');
    expect(code(() => buildGraph(definePipeline([feed, t, autoCdc(t, { ...cdcOpts, keys: ['nope'] })], {})))).toBe('UNKNOWN_COLUMN');
    expect(code(() => buildGraph(definePipeline([feed, t, autoCdc(t, { ...cdcOpts, applyAsDeletes: col('op') })], {})))).toBe('INVALID_AUTO_CDC');
    expect(code(() => buildGraph(definePipeline([feed, t, autoCdc(t, { ...cdcOpts, storedAs: 2, applyAsTruncates: col('op').eq('T') })], {})))).toBe('INVALID_AUTO_CDC');
    expect(code(() => buildGraph(definePipeline([feed, t, autoCdc(t, { ...cdcOpts, trackHistory: ['v'] })], {})))).toBe('INVALID_AUTO_CDC');
    expect(code(() => buildGraph(definePipeline([feed, t, autoCdc(t, { ...cdcOpts, exceptColumns: ['id'] })], {})))).toBe('INVALID_AUTO_CDC');
    expect(code(() => autoCdc(t, { ...cdcOpts, columns: ['id'], exceptColumns: ['v'] }))).toBe('INVALID_AUTO_CDC');
    expect(code(() => autoCdc(t, { ...cdcOpts, keys: [] }))).toBe('INVALID_AUTO_CDC');
    // a stream of an AUTO CDC target needs skipChangeCommits; a snapshot read is fine
    const down = streamingTable('down', { query: stream(t) });
    expect(code(() => buildGraph(definePipeline([feed, t, autoCdc(t, cdcOpts), down], {})))).toBe('STREAM_FROM_CDC_TARGET');
    const ok = streamingTable('down', { query: stream(t, { skipChangeCommits: true }) });
    expect(code(() => buildGraph(definePipeline([feed, t, autoCdc(t, cdcOpts), ok, materializedView('snap', { query: read(t) })], {})))).toBeNull();
    // the declared schema of an SCD type 2 target must hold __START_AT and __END_AT typed as the sequence
    const h = streamingTable('h', { schema: { id: 'string', v: 'string', op: 'string', __START_AT: 'long', __END_AT: 'long' } });
    expect(code(() => buildGraph(definePipeline([feed, h, autoCdc(h, { ...cdcOpts, exceptColumns: ['seq'], storedAs: 2 })], {})))).toBeNull();
    const h2 = streamingTable('h', { schema: { id: 'string', v: 'string', op: 'string' } });
    expect(code(() => buildGraph(definePipeline([feed, h2, autoCdc(h2, { ...cdcOpts, exceptColumns: ['seq'], storedAs: 2 })], {})))).toBe('FLOW_SCHEMA_MISMATCH');
  });
});
