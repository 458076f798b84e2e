/**
 * The canonical form of plans (engine/plan/canonical.ts) that the flow
 * fingerprints are computed on, so that a SQL pipeline and the TypeScript one
 * it was compiled from fingerprint alike; and checkpoints whose fingerprints
 * were computed before it (no `fingerprints` version) still open unchanged.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildGraph, col, lit, readFiles, streamingTable, definePipeline, stream, count, avg, tumbling, lowerSql } from '../engine/index.js';
import type { PlanNode } from '../engine/index.js';
import { canonicalPlan } from '../engine/plan/canonical.js';
import { graphFingerprints } from '../engine/graph/fingerprint.js';
import { planSchema } from '../engine/expr/typecheck.js';
import { patientPipeline } from '../layers/pipeline.js';
import { ensureBuilt, runCli, tempDir } from './helpers/cli.js';

const work = tempDir('canonical');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const values: PlanNode = { kind: 'values', schema: [{ name: 'a', type: 'int' }, { name: 'b', type: 'string' }], rows: [[1, 'x'], [2, null]] };
const schemaOf = (p: PlanNode) => planSchema(p, { datasetSchema: () => [], origin: {}, ansi: false });
const c = (name: string) => ({ kind: 'col', name }) as const;

describe('canonicalPlan', () => {
  it('a projection keeping every input column in order is a derive of the others; all unchanged, its input', () => {
    const sel: PlanNode = { kind: 'select', input: values, columns: [['a', c('a')], ['b', { kind: 'call', fn: 'upper', args: [c('b')] }], ['n', { kind: 'lit', value: 1, type: 'int' }]] };
    expect(canonicalPlan(sel, schemaOf)).toEqual({ kind: 'derive', input: values, columns: [['b', { kind: 'call', fn: 'upper', args: [c('b')] }], ['n', { kind: 'lit', value: 1, type: 'int' }]] });
    expect(canonicalPlan({ kind: 'select', input: values, columns: [['a', c('a')], ['b', c('b')]] }, schemaOf)).toEqual(values);
  });

  it('keeps a projection that drops, reorders or renames a column', () => {
    for (const columns of [[['a', c('a')]], [['b', c('b')], ['a', c('a')]], [['x', c('a')], ['b', c('b')]]] as const) {
      const sel = { kind: 'select', input: values, columns } as unknown as PlanNode;
      expect(canonicalPlan(sel, schemaOf)).toEqual(sel);
    }
  });

  it('names an aggregate\'s outputs in the aggregate; drops `t IS NOT NULL` below a window on t; try_divide is / with ANSI off only', () => {
    const agg: PlanNode = {
      kind: 'aggregate', input: { kind: 'filter', input: values, predicate: { kind: 'call', fn: 'isnotnull', args: [c('t')] } },
      window: { kind: 'tumbling', timeColumn: 't', sizeUs: 1, slideUs: 1, sizeText: '1 microsecond', slideText: '1 microsecond' },
      keys: [['b', c('b')]], aggs: [['__a0', { kind: 'agg', fn: 'count', args: [], distinct: false, filter: null }]],
    };
    const sel: PlanNode = { kind: 'select', input: agg, columns: [['window_start', c('window_start')], ['window_end', c('window_end')], ['b', c('b')], ['n', c('__a0')]] };
    const out = canonicalPlan(sel, schemaOf);
    expect(out).toMatchObject({ kind: 'aggregate', input: values, aggs: [['n', { fn: 'count' }]] });
    const div: PlanNode = { kind: 'filter', input: values, predicate: { kind: 'call', fn: '=', args: [{ kind: 'call', fn: 'try_divide', args: [c('a'), lit(2).node] }, lit(1).node] } };
    expect(JSON.stringify(canonicalPlan(div, schemaOf, false))).toContain('"fn":"/"');
    expect(JSON.stringify(canonicalPlan(div, schemaOf, true))).toContain('"fn":"try_divide"');
  });
});

describe('SQL and TypeScript definitions of one pipeline', () => {
  it('fingerprint alike: withColumns and the SELECT listing every column, agg() and GROUP BY window()', async () => {
    const src = streamingTable('raw', { query: readFiles({ glob: 'r*.csv', format: 'csv', schema: 'id INT, t TIMESTAMP, v DOUBLE', options: { header: 'true' } }) });
    const ts = definePipeline([src,
      streamingTable('clean', { query: stream(src).withColumns({ v: col('v').times(2), k: lit('x') }) }),
      streamingTable('w', { query: stream('clean').withWatermark('t', '1 minute').groupBy(tumbling('t', '10 minutes'), 'id').agg({ n: count(), mean: avg('v') }) }),
    ], { name: 'p', ansi: false });
    const sql = lowerSql([{ path: 'p.sql', text: `
      SET spark.sql.ansi.enabled = false;
      CREATE STREAMING TABLE raw AS SELECT * FROM STREAM read_files('r*.csv', format => 'csv', header => true, schema => 'id INT, t TIMESTAMP, v DOUBLE');
      CREATE STREAMING TABLE clean AS SELECT id, t, v * 2 AS v, 'x' AS k FROM STREAM raw;
      CREATE STREAMING TABLE w AS SELECT w.start AS window_start, w.end AS window_end, id, n, mean FROM (
        SELECT window(t, '10 minutes') AS w, id, count(*) AS n, avg(v) AS mean FROM STREAM clean WATERMARK t DELAY OF INTERVAL 1 MINUTE WHERE t IS NOT NULL GROUP BY window(t, '10 minutes'), id
      );` }]);
    expect(sql.errors).toEqual([]);
    const a = graphFingerprints(buildGraph(ts)), b = graphFingerprints(buildGraph(definePipeline(sql.datasets, { name: 'p', ansi: false })));
    expect(b.clean).toBe(a.clean);
    expect(b.w).toBe(a.w);
    // and a different computation does not
    const other = lowerSql([{ path: 'q.sql', text: `SET spark.sql.ansi.enabled = false;
      CREATE STREAMING TABLE raw AS SELECT * FROM STREAM read_files('r*.csv', format => 'csv', header => true, schema => 'id INT, t TIMESTAMP, v DOUBLE');
      CREATE STREAMING TABLE clean AS SELECT id, t, v * 3 AS v, 'x' AS k FROM STREAM raw;` }]);
    expect(graphFingerprints(buildGraph(definePipeline(other.datasets, { name: 'p', ansi: false }))).clean).not.toBe(a.clean);
  });
});

describe('a checkpoint whose fingerprints predate the canonical form', () => {
  it('opens without a definition change (its fingerprints are compared as they were computed), then records the canonical ones', { timeout: 120_000 }, async () => {
    ensureBuilt();
    const input = path.join(work, 'in');
    fs.mkdirSync(input, { recursive: true });
    const dirty = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'dirty');
    for (const f of ['patients_daily_file_001.csv', 'diagnosis_mapping.csv']) fs.copyFileSync(path.join(dirty, f), path.join(input, f));
    const out = path.join(work, 'out');
    const first = await runCli(['replay', input, '--output', out]);
    expect(first.code, first.stderr).toBe(0);
    const metaFile = path.join(out, '_checkpoints', 'metadata.json');
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as Record<string, unknown>;
    expect(meta.fingerprints).toBe(2);
    const graph = buildGraph(patientPipeline);
    const legacy = graphFingerprints(graph, true);
    // the canonical form changes some of the patient pipeline's fingerprints (the test would be empty otherwise)
    expect(Object.keys(legacy).filter((n) => legacy[n] !== (meta.flows as Record<string, string>)[n]).length).toBeGreaterThan(0);
    const { fingerprints: _v, ...old } = meta;
    fs.writeFileSync(metaFile, JSON.stringify({ ...old, flows: legacy }));
    fs.copyFileSync(path.join(dirty, 'patients_daily_file_002.csv'), path.join(input, 'patients_daily_file_002.csv'));
    const again = await runCli(['replay', input, '--output', out]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/definition changed|CHECKPOINT_INCOMPATIBLE/);
    const after = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as Record<string, unknown>;
    expect(after.fingerprints).toBe(2);
    expect(after.flows).toEqual(meta.flows);
  });
});
