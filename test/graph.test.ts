/**
 * Graph validation: one test per error code of engine/graph/graph.ts, checking
 * `code`, `params` and the origin (this file and the line of the offending
 * definition, marked below with a `@def:<id>` comment), then topological order
 * and the errors raised while defining (before any graph exists).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  col, count, read, rowsSource, sliding, stream, sum, tumbling,
} from '../engine/expr/builder.js';
import { definePipeline, materializedView, streamingTable, view, type Dataset } from '../engine/dataset.js';
import { buildGraph } from '../engine/graph/graph.js';
import { DefinitionError, PipelineError } from '../engine/errors.js';
import { parseDurationUs } from '../engine/duration.js';
import { runPipeline } from '../engine/testing.js';

const SOURCE_LINES = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');

/** The 1-based line of this file carrying the marker `@def:<id>`. */
function lineOf(id: string): number {
  const marker = `@def:${id}`;
  const hits = SOURCE_LINES.flatMap((l, i) => (l.trimEnd().endsWith(`// ${marker}`) ? [i + 1] : []));
  if (hits.length !== 1) throw new Error(`marker ${marker} found ${hits.length} times`);
  return hits[0];
}

/** Runs `f`, which must throw a PipelineError, and returns the error. */
function caught(f: () => unknown): PipelineError {
  expect(f).toThrow();
  try { f(); } catch (e) {
    expect(e).toBeInstanceOf(PipelineError);
    return e as PipelineError;
  }
  throw new Error('unreachable');
}

function graphError(datasets: Dataset[]): PipelineError {
  const p = definePipeline(datasets);
  const e = caught(() => buildGraph(p));
  expect(e).toBeInstanceOf(DefinitionError);
  return e;
}

function expectOrigin(e: PipelineError, id: string, table?: string): void {
  expect(e.origin).toBeDefined();
  expect(e.origin!.file).toMatch(/graph\.test\.ts$/);
  expect(e.origin!.line).toBe(lineOf(id));
  if (table !== undefined) expect(e.origin!.table).toBe(table);
}

const src = () => rowsSource('src', { id: 'int', name: 'string', age: 'int', t: 'timestamp' });
const bronze = () => streamingTable('bronze', { query: src() });

describe('validation codes', () => {
  it('DUPLICATE_DATASET: two datasets with one name (the second is reported)', () => {
    const first = streamingTable('patients', { query: src() }); // @def:dup1
    const second = materializedView('patients', { query: read('patients').select('id') }); // @def:dup2
    const e = graphError([first, second]);
    expect(e.code).toBe('DUPLICATE_DATASET');
    expect(e.params).toMatchObject({ name: 'patients', first: `patients (${first.def.origin.file}:${lineOf('dup1')})`, second: `patients (${second.def.origin.file}:${lineOf('dup2')})` });
    expectOrigin(e, 'dup2', 'patients');
  });

  it('DUPLICATE_DATASET: a quarantine named like a dataset', () => {
    const q = streamingTable('clean', { query: src(), expectOrDrop: { valid_id: col('id').isNotNull() }, quarantine: 'bronze' }); // @def:dupq
    const e = graphError([bronze(), q]);
    expect(e.code).toBe('DUPLICATE_DATASET');
    expect(e.params).toMatchObject({ name: 'bronze' });
    expectOrigin(e, 'dupq', 'clean');
  });

  it('UNKNOWN_DATASET: a read of a dataset the pipeline does not define', () => {
    const silver = streamingTable('silver', { query: stream('Bronze') }); // @def:unknownds
    const e = graphError([bronze(), silver]);
    expect(e.code).toBe('UNKNOWN_DATASET');
    expect(e.params).toMatchObject({ table: 'silver', reference: 'Bronze', known: ['bronze', 'silver'] });
    expect(e.hint).toContain('"bronze"');
    expectOrigin(e, 'unknownds', 'silver');
  });

  it('CYCLE: datasets that read each other', () => {
    const a = streamingTable('a', { query: stream('c') }); // @def:cycle
    const b = streamingTable('b', { query: stream('a') });
    const c = view('c', { query: stream('b') });
    const e = graphError([a, b, c, bronze()]);
    expect(e.code).toBe('CYCLE');
    const cycle = e.params.cycle as string[];
    expect(cycle[0]).toBe(cycle[cycle.length - 1]);
    expect(new Set(cycle)).toEqual(new Set(['a', 'b', 'c']));
    expect(cycle).toHaveLength(4);
    expect(e.params).toMatchObject({ table: cycle[0] });
    expect(cycle[0]).toBe('a');
    expectOrigin(e, 'cycle', 'a');
  });

  it('CYCLE: a dataset reading itself', () => {
    const self = materializedView('self', { query: read('self') }); // @def:self
    const e = graphError([self]);
    expect(e.code).toBe('CYCLE');
    expect(e.params).toMatchObject({ cycle: ['self', 'self'], table: 'self' });
    expectOrigin(e, 'self', 'self');
  });

  it('UNKNOWN_COLUMN: a column the input does not have (with a case hint)', () => {
    const silver = streamingTable('silver', { query: stream('bronze').select('id', 'Name') }); // @def:unknowncol
    const e = graphError([bronze(), silver]);
    expect(e.code).toBe('UNKNOWN_COLUMN');
    expect(e.params).toMatchObject({ column: 'Name', table: 'silver', known: ['id', 'name', 'age', 't'] });
    expect(e.hint).toContain('"name"');
    expectOrigin(e, 'unknowncol', 'silver');
  });

  it('UNKNOWN_COLUMN: in a later step of the query (after a select dropped it)', () => {
    const silver = streamingTable('silver', { query: stream('bronze').select('id').filter(col('age').gt(1)) }); // @def:unknowncol2
    const e = graphError([bronze(), silver]);
    expect(e.code).toBe('UNKNOWN_COLUMN');
    expect(e.params).toMatchObject({ column: 'age', table: 'silver', known: ['id'] });
    expectOrigin(e, 'unknowncol2', 'silver');
  });

  it('TYPE_MISMATCH: comparing a string with a number', () => {
    const silver = streamingTable('silver', { query: stream('bronze').filter(col('name').gt(5)) }); // @def:type
    const e = graphError([bronze(), silver]);
    expect(e.code).toBe('TYPE_MISMATCH');
    expect(e.params).toMatchObject({ expression: '(name > 5)', table: 'silver' });
    expectOrigin(e, 'type', 'silver');
  });

  it('TYPE_MISMATCH: join keys of incomparable types', () => {
    const ref = materializedView('ref', { query: rowsSource('ref_src', { code: 'string', label: 'string' }) });
    const silver = streamingTable('silver', { query: stream('bronze').join(read('ref'), { age: 'code' }) }); // @def:typejoin
    const e = graphError([bronze(), ref, silver]);
    expect(e.code).toBe('TYPE_MISMATCH');
    expect(e.params).toMatchObject({ left: 'age', right: 'code', table: 'silver' });
    expectOrigin(e, 'typejoin', 'silver');
  });

  it('DUPLICATE_EXPECTATION: two expectations of a dataset with one name', () => {
    const silver = streamingTable('silver', { query: stream('bronze'), expect: { valid_age: col('age').ge(0) } }).expectOrDrop('valid_age', col('age').le(150)); // @def:dupexp
    const e = graphError([bronze(), silver]);
    expect(e.code).toBe('DUPLICATE_EXPECTATION');
    expect(e.params).toMatchObject({ table: 'silver', expectation: 'valid_age' });
    expectOrigin(e, 'dupexp', 'silver');
  });

  it('EXPECTATION_NOT_BOOLEAN: an expectation that is not a condition', () => {
    const silver = streamingTable('silver', { query: stream('bronze'), expectOrDrop: { has_age: col('age') } }); // @def:notbool
    const e = graphError([bronze(), silver]);
    expect(e.code).toBe('EXPECTATION_NOT_BOOLEAN');
    expect(e.params).toMatchObject({ table: 'silver', expectation: 'has_age', type: 'int' });
    expectOrigin(e, 'notbool', 'silver');
  });

  it('STREAMING_TABLE_WITHOUT_STREAM: a streaming table that only reads snapshots', () => {
    const silver = streamingTable('silver', { query: read('bronze').select('id') }); // @def:nostream
    const e = graphError([bronze(), silver]);
    expect(e.code).toBe('STREAMING_TABLE_WITHOUT_STREAM');
    expect(e.params).toMatchObject({ table: 'silver' });
    expectOrigin(e, 'nostream', 'silver');
  });

  it('STREAM_FROM_MATERIALIZED_VIEW: stream() of a materialized view', () => {
    const mv = materializedView('counts', { query: read('bronze').groupBy('name').agg({ n: count() }) });
    const st = streamingTable('downstream', { query: stream('counts') }); // @def:streammv
    const e = graphError([bronze(), mv, st]);
    expect(e.code).toBe('STREAM_FROM_MATERIALIZED_VIEW');
    expect(e.params).toMatchObject({ table: 'downstream', source: 'counts' });
    expectOrigin(e, 'streammv', 'downstream');
  });

  it('MATERIALIZED_VIEW_WITH_STREAM: a materialized view reading with stream()', () => {
    const mv = materializedView('gold', { query: stream('bronze').groupBy('name').agg({ n: count() }) }); // @def:mvstream
    const e = graphError([bronze(), mv]);
    expect(e.code).toBe('MATERIALIZED_VIEW_WITH_STREAM');
    expect(e.params).toMatchObject({ table: 'gold' });
    expectOrigin(e, 'mvstream', 'gold');
  });

  it('QUARANTINE_NEEDS_DROP_EXPECTATION: a quarantine with only warn/fail rules', () => {
    const silver = streamingTable('silver', { query: stream('bronze'), expect: { adult: col('age').ge(18) }, expectOrFail: { has_id: col('id').isNotNull() }, quarantine: 'silver_quarantine' }); // @def:qnodrop
    const e = graphError([bronze(), silver]);
    expect(e.code).toBe('QUARANTINE_NEEDS_DROP_EXPECTATION');
    expect(e.params).toMatchObject({ table: 'silver', quarantine: 'silver_quarantine' });
    expectOrigin(e, 'qnodrop', 'silver');
  });

  it('QUARANTINE_ON_MATERIALIZED_VIEW: a quarantine on a batch dataset', () => {
    const mv = materializedView('gold', { query: read('bronze').select('id', 'age'), expectOrDrop: { adult: col('age').ge(18) } }).quarantine('gold_quarantine'); // @def:qmv
    const e = graphError([bronze(), mv]);
    expect(e.code).toBe('QUARANTINE_ON_MATERIALIZED_VIEW');
    expect(e.params).toMatchObject({ table: 'gold', quarantine: 'gold_quarantine' });
    expectOrigin(e, 'qmv', 'gold');
  });

  it('QUARANTINE_ON_MATERIALIZED_VIEW: also for a view over snapshots', () => {
    const v = view('snap', { query: read('bronze'), expectOrDrop: { adult: col('age').ge(18) }, quarantine: 'snap_q' }); // @def:qview
    const e = graphError([bronze(), v]);
    expect(e.code).toBe('QUARANTINE_ON_MATERIALIZED_VIEW');
    expect(e.params).toMatchObject({ table: 'snap', quarantine: 'snap_q' });
    expectOrigin(e, 'qview', 'snap');
  });

  it('STREAMING_AGGREGATE_WITHOUT_WATERMARK: a running aggregate in a streaming table', () => {
    const st = streamingTable('per_name', { query: stream('bronze').groupBy('name').agg({ n: count() }) }); // @def:nowm
    const e = graphError([bronze(), st]);
    expect(e.code).toBe('STREAMING_AGGREGATE_WITHOUT_WATERMARK');
    expect(e.params).toMatchObject({ table: 'per_name' });
    expectOrigin(e, 'nowm', 'per_name');
  });

  it('STREAMING_AGGREGATE_WITHOUT_WATERMARK: a window without a watermark is not enough', () => {
    const st = streamingTable('per_window', { query: stream('bronze').groupBy(tumbling('t', '10 minutes')).agg({ n: count() }) }); // @def:nowm2
    const e = graphError([bronze(), st]);
    expect(e.code).toBe('STREAMING_AGGREGATE_WITHOUT_WATERMARK');
    expectOrigin(e, 'nowm2', 'per_window');
    // with the watermark it is valid
    const ok = streamingTable('per_window', { query: stream('bronze').withWatermark('t', '5 minutes').groupBy(tumbling('t', '10 minutes')).agg({ n: count() }) });
    expect(() => buildGraph(definePipeline([bronze(), ok]))).not.toThrow();
  });

  it('EMPTY_PIPELINE: no datasets', () => {
    const e = caught(() => buildGraph(definePipeline([])));
    expect(e).toBeInstanceOf(DefinitionError);
    expect(e.code).toBe('EMPTY_PIPELINE');
    expect(e.params).toEqual({});
  });
});

describe('topological order', () => {
  const gold = () => materializedView('gold', { query: read('silver').groupBy('name').agg({ n: count(), total_age: sum('age') }) });
  const silver = () => streamingTable('silver', { query: stream('bronze').filter(col('age').isNotNull()) });

  it('definitions given gold-before-bronze are ordered by dependency', () => {
    const g = buildGraph(definePipeline([gold(), silver(), bronze()]));
    expect(g.order).toEqual(['bronze', 'silver', 'gold']);
    expect(g.consumers.get('bronze')).toEqual(['silver']);
    expect(g.consumers.get('silver')).toEqual(['gold']);
    expect(g.consumers.get('gold')).toEqual([]);
    expect(g.datasets.get('gold')!.inputs).toEqual([{ dataset: 'silver', streaming: false }]);
    expect(g.datasets.get('silver')!.streaming).toBe(true);
    expect(g.datasets.get('gold')!.streaming).toBe(false);
  });

  it('independent datasets keep definition order; a quarantine follows its dataset', () => {
    const a = streamingTable('zeta', { query: rowsSource('z', { id: 'int' }), expectOrDrop: { pos: col('id').gt(0) }, quarantine: 'zeta_q' });
    const b = streamingTable('alpha', { query: rowsSource('a', { id: 'int' }) });
    const g = buildGraph(definePipeline([a, b]));
    expect(g.order).toEqual(['zeta', 'zeta_q', 'alpha']);
    expect(g.datasets.get('zeta_q')!.quarantineOf).toBe('zeta');
    expect(g.datasets.get('zeta_q')!.schema.map((f) => f.name)).toEqual(['id', '_failed_expectations']);
  });

  it('order independence: the same results whatever the definition order', async () => {
    const rows = [
      { id: 1, name: 'ann', age: 30, t: 0 },
      { id: 2, name: 'bob', age: null, t: 0 },
      { id: 3, name: 'ann', age: 40, t: 0 },
    ];
    const forward = await runPipeline(definePipeline([bronze(), silver(), gold()]), { rows: { src: rows } });
    const backward = await runPipeline(definePipeline([gold(), silver(), bronze()]), { rows: { src: rows } });
    expect(forward.failure).toBe(null);
    expect(backward.failure).toBe(null);
    expect(backward.rows('gold')).toEqual([{ name: 'ann', n: 2, total_age: 70 }]);
    expect(backward.tables).toEqual(forward.tables);
  });
});

describe('definition-time errors', () => {
  it('INVALID_DURATION', () => {
    const e = caught(() => stream('bronze').withWatermark('t', 'soon'));
    expect(e).toBeInstanceOf(DefinitionError);
    expect(e.code).toBe('INVALID_DURATION');
    expect(e.params).toMatchObject({ value: 'soon', what: 'watermark delay' });
    expect(caught(() => tumbling('t', '10 minutes later')).code).toBe('INVALID_DURATION');
    expect(caught(() => tumbling('t', '')).code).toBe('INVALID_DURATION');
    expect(parseDurationUs('1h30m')).toBe(90 * 60_000_000);
    expect(parseDurationUs('interval 10 minutes')).toBe(10 * 60_000_000);
  });

  it("UNSUPPORTED_DURATION_UNIT for '1 month'", () => {
    const e = caught(() => tumbling('t', '1 month'));
    expect(e.code).toBe('UNSUPPORTED_DURATION_UNIT');
    expect(e.params).toMatchObject({ value: '1 month', unit: 'month', what: 'window size' });
    expect(caught(() => sliding('t', '2 years', '1 day')).params).toMatchObject({ unit: 'years' });
  });

  it('INVALID_WINDOW: slide longer than size, or not positive', () => {
    const e = caught(() => sliding('t', '5 minutes', '10 minutes'));
    expect(e.code).toBe('INVALID_WINDOW');
    expect(e.params).toEqual({ size: '5 minutes', slide: '10 minutes' });
    expect(caught(() => tumbling('t', '0')).code).toBe('INVALID_WINDOW');
    expect(caught(() => stream('bronze').groupBy(tumbling('t', '1 hour'), tumbling('t', '2 hours'))).code).toBe('INVALID_WINDOW');
  });

  it('INVALID_DATASET_NAME, with the origin of the definition', () => {
    const e = caught(() => streamingTable('patients-silver', { query: src() })); // @def:badname
    expect(e).toBeInstanceOf(DefinitionError);
    expect(e.code).toBe('INVALID_DATASET_NAME');
    expect(e.params).toEqual({ name: 'patients-silver' });
    expectOrigin(e, 'badname', 'patients-silver');
    expect(caught(() => materializedView('1st', { query: src() })).code).toBe('INVALID_DATASET_NAME');
    expect(caught(() => view('', { query: src() })).code).toBe('INVALID_DATASET_NAME');
  });
});
