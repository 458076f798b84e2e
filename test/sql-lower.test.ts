/**
 * DLT SQL → plan IR: each statement form (modern, legacy, OSS) becomes the
 * dataset or flow the TypeScript builders would make; references, `${key}`,
 * SET and USE; and every error with its code and file:line:col, collected
 * as a list.
 */
import { describe, expect, it, afterAll } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lowerSql, type LowerResult } from '../engine/parse/lower.js';
import { parseSourceBinding } from '../engine/parse/file-source.js';
import {
  loadPipeline, loadPipelineReport, runPipeline, definePipeline, streamingTable, rowsSource, stream, col, type PlanNode,
} from '../engine/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'localdlt-sql-lower-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const RAW = parseSourceBinding('raw=raw_*.csv,schema=id INT, name STRING, ts TIMESTAMP, op STRING');

function lower(sql: string, extra: Parameters<typeof lowerSql>[1] = {}): LowerResult {
  return lowerSql([{ path: 'p.sql', text: sql }], { sources: [RAW], input: dir, ...extra });
}

function ok(sql: string, extra: Parameters<typeof lowerSql>[1] = {}): LowerResult {
  const r = lower(sql, extra);
  expect(r.errors.map((e) => e.message)).toEqual([]);
  return r;
}

function errs(sql: string, extra: Parameters<typeof lowerSql>[1] = {}): { code: string; line: unknown; col: unknown; hint?: string; params: Record<string, unknown> }[] {
  return lower(sql, extra).errors.map((e) => ({ code: e.code, line: (e.params as Record<string, unknown>).line ?? e.origin?.line, col: (e.params as Record<string, unknown>).col ?? e.origin?.col, hint: e.hint, params: e.params as Record<string, unknown> }));
}

function reads(p: PlanNode | undefined, out: { dataset: string; streaming: boolean }[] = []): { dataset: string; streaming: boolean }[] {
  if (!p) return out;
  if (p.kind === 'read') out.push({ dataset: p.dataset, streaming: p.streaming });
  for (const k of ['input', 'right'] as const) if (k in p) reads((p as Record<string, PlanNode>)[k], out);
  if (p.kind === 'union') for (const i of p.inputs) reads(i, out);
  return out;
}

describe('dataset statements', () => {
  it.each([
    ['CREATE OR REFRESH STREAMING TABLE S AS SELECT * FROM STREAM(raw)', 'streaming_table'],
    ['CREATE OR REFRESH PRIVATE STREAMING TABLE s AS SELECT * FROM STREAM raw', 'streaming_table'],
    ['CREATE OR REFRESH MATERIALIZED VIEW s AS SELECT * FROM raw', 'materialized_view'],
    ['CREATE TEMPORARY VIEW s AS SELECT * FROM raw', 'view'],
    ['CREATE OR REPLACE TEMPORARY VIEW s AS SELECT * FROM raw', 'view'],
    ['CREATE VIEW s AS SELECT * FROM raw', 'view'],
    ['CREATE STREAMING TABLE s AS SELECT * FROM STREAM(raw)', 'streaming_table'],
    ['CREATE MATERIALIZED VIEW s AS SELECT * FROM raw', 'materialized_view'],
    ['CREATE OR REFRESH STREAMING LIVE TABLE s AS SELECT * FROM STREAM(raw)', 'streaming_table'],
    ['CREATE INCREMENTAL LIVE TABLE s AS SELECT * FROM STREAM (raw)', 'streaming_table'],
    ['CREATE LIVE TABLE s AS SELECT * FROM raw', 'materialized_view'],
    ['CREATE TEMPORARY LIVE VIEW s AS SELECT * FROM raw', 'view'],
    ['CREATE LIVE VIEW s AS SELECT * FROM raw', 'view'],
  ])('%s', (sql, kind) => {
    const r = ok(sql);
    expect(r.datasets.map((d) => [d.name, d.kind])).toEqual([['s', kind]]);
    expect(r.datasets[0].def.origin).toMatchObject({ file: 'p.sql', line: 1, col: 1 });
  });

  it('columns, constraints, comments, properties, PARTITIONED BY and CLUSTER BY', () => {
    const r = ok(`CREATE OR REFRESH STREAMING TABLE silver (
      id INT NOT NULL COMMENT 'the key',
      name STRING COMMENT 'Patient name [PHI]',
      CONSTRAINT valid_id EXPECT (id > 0) ON VIOLATION DROP ROW,
      CONSTRAINT has_name EXPECT (name IS NOT NULL) ON VIOLATION FAIL UPDATE,
      CONSTRAINT warn_only EXPECT (length(name) < 50)
    ) COMMENT "silver" TBLPROPERTIES ('quality' = 'silver') PARTITIONED BY (name) CLUSTER BY (id)
    AS SELECT id, name FROM STREAM(raw)`);
    const d = r.datasets[0].def;
    expect(d.schema).toEqual([{ name: 'id', type: 'int' }, { name: 'name', type: 'string' }]);
    expect(d.columnComments).toEqual({ id: 'the key', name: 'Patient name [PHI]' });
    expect(d.comment).toBe('silver');
    expect(d.properties).toEqual({ quality: 'silver', 'localdlt.partitionedBy': 'name', 'localdlt.clusterBy': 'id' });
    expect(d.expectations.map((e) => [e.name, e.action, e.origin?.line])).toEqual([['valid_id', 'drop', 4], ['has_name', 'fail', 5], ['warn_only', 'warn', 6]]);
  });

  it('a column list without types names the query columns', () => {
    const r = ok('CREATE MATERIALIZED VIEW m (a, b) AS SELECT id, name FROM raw');
    const q = r.datasets[0].def.query!;
    expect(q.kind).toBe('select');
    expect((q as Extract<PlanNode, { kind: 'select' }>).columns.map(([n]) => n)).toEqual(['a', 'b']);
  });
});

describe('references', () => {
  it.each([
    ['STREAM(b)', true], ['STREAM b', true], ['STREAM(LIVE.b)', true], ['STREAM (live.b)', true], ['LIVE.b', false], ['b', false],
    ['cat.sch.b', false], ['sch.B', false], ['`b`', false],
  ])('%s', (ref, streaming) => {
    const r = ok(`CREATE STREAMING TABLE b AS SELECT * FROM STREAM(raw); CREATE ${streaming ? 'STREAMING TABLE' : 'MATERIALIZED VIEW'} c AS SELECT * FROM ${ref}`);
    expect(reads(r.datasets.find((d) => d.name === 'c')!.def.query)).toEqual([{ dataset: 'b', streaming }]);
  });

  it('datasets may be used before they are defined, in any file', () => {
    const r = lowerSql([
      { path: 'a.sql', text: 'CREATE MATERIALIZED VIEW gold AS SELECT count(*) AS n FROM silver' },
      { path: 'b.sql', text: 'CREATE MATERIALIZED VIEW silver AS SELECT id FROM raw' },
    ], { sources: [RAW], input: dir });
    expect(r.errors).toEqual([]);
    expect(r.datasets.map((d) => d.name)).toEqual(['gold', 'silver']);
  });

  it('TypeScript datasets and SQL datasets read each other', async () => {
    const events = streamingTable('events', { query: rowsSource('events', { id: 'int', v: 'string' }) });
    const doubled = streamingTable('doubled', { query: stream('sql_events').withColumn('id2', col('id').times(2)) });
    const r = lowerSql([{ path: 'p.sql', text: 'CREATE STREAMING TABLE sql_events AS SELECT id, upper(v) AS v FROM STREAM(events) WHERE id > 1' }], { external: { datasets: [events, doubled], flows: [] } });
    expect(r.errors).toEqual([]);
    const run = await runPipeline(definePipeline([events, doubled, ...r.datasets]), { rows: { events: [{ id: 1, v: 'a' }, { id: 2, v: 'b' }, { id: 3, v: null }] } });
    expect(run.rows('doubled')).toEqual([{ id: 2, v: 'B', id2: 4 }, { id: 3, v: null, id2: 6 }]);
  });
});

describe('NOT NULL columns (Delta NOT NULL constraints)', () => {
  const events = streamingTable('events', { query: rowsSource('events', { id: 'int', v: 'string' }) });
  const rows = { events: [{ id: 1, v: 'a' }, { id: 2, v: null }, { id: 3, v: 'c' }] };
  const pipeline = (sql: string) => {
    const r = lowerSql([{ path: 'p.sql', text: sql }], { external: { datasets: [events], flows: [] } });
    expect(r.errors).toEqual([]);
    return definePipeline([events, ...r.datasets]);
  };

  it('a NULL in a NOT NULL column fails the update: DELTA_NOT_NULL_CONSTRAINT_VIOLATED naming the table, the column and the row', async () => {
    for (const sql of [
      'CREATE OR REFRESH STREAMING TABLE t (id INT NOT NULL, v STRING NOT NULL COMMENT \'value\') AS SELECT id, v FROM STREAM(events)',
      'CREATE OR REFRESH MATERIALIZED VIEW t (id INT, v STRING NOT NULL) AS SELECT id, v FROM events',
    ]) {
      const p = pipeline(sql);
      expect(p.datasets.find((d) => d.name === 't')!.def.notNull).toContain('v');
      const run = await runPipeline(p, { rows });
      expect(run.batches.at(-1)!.failure).toMatchObject({ code: 'DELTA_NOT_NULL_CONSTRAINT_VIOLATED', params: { table: 't', column: 'v', row: { id: 2, v: null } } });
      // nothing of the batch was committed
      expect(run.rows('t')).toEqual([]);
    }
  });

  it('rows a drop expectation removes never reach the check; without NULLs the update succeeds', async () => {
    const p = pipeline(`CREATE OR REFRESH STREAMING TABLE t (id INT NOT NULL, v STRING NOT NULL, CONSTRAINT has_v EXPECT (v IS NOT NULL) ON VIOLATION DROP ROW) AS SELECT id, v FROM STREAM(events)`);
    const run = await runPipeline(p, { rows });
    expect(run.batches.at(-1)!.failure).toBeFalsy();
    expect(run.rows('t')).toEqual([{ id: 1, v: 'a' }, { id: 3, v: 'c' }]);
    // a warn expectation keeps the row: the constraint fails the update
    const warn = pipeline(`CREATE OR REFRESH STREAMING TABLE t (id INT, v STRING NOT NULL, CONSTRAINT has_v EXPECT (v IS NOT NULL)) AS SELECT id, v FROM STREAM(events)`);
    expect((await runPipeline(warn, { rows })).batches.at(-1)!.failure).toMatchObject({ code: 'DELTA_NOT_NULL_CONSTRAINT_VIOLATED', params: { column: 'v' } });
  });
});

describe('flows', () => {
  it('CREATE FLOW … INSERT INTO [ONCE]', () => {
    const r = ok(`CREATE OR REFRESH STREAMING TABLE all_rows;
      CREATE FLOW live_rows AS INSERT INTO all_rows BY NAME SELECT id, name FROM STREAM(raw);
      CREATE FLOW backfill COMMENT 'once' AS INSERT INTO ONCE all_rows BY NAME SELECT id, name FROM raw;
      CREATE FLOW backfill2 AS INSERT ONCE INTO all_rows BY NAME SELECT id, name FROM raw`);
    expect(r.flows.map((f) => [f.name, f.target, f.kind, f.def.once])).toEqual([
      ['live_rows', 'all_rows', 'append', false], ['backfill', 'all_rows', 'append', true], ['backfill2', 'all_rows', 'append', true],
    ]);
    expect(r.flows[1].def.comment).toBe('once');
  });

  it.each([
    ['AUTO CDC', `CREATE FLOW cdc AS AUTO CDC INTO cur FROM STREAM(raw) KEYS (id) APPLY AS DELETE WHEN op = 'D' SEQUENCE BY ts COLUMNS * EXCEPT (op) STORED AS SCD TYPE 2 TRACK HISTORY ON name`, 'cdc'],
    ['APPLY CHANGES', `APPLY CHANGES INTO LIVE.cur FROM STREAM(LIVE.raw) KEYS (ID) IGNORE NULL UPDATES APPLY AS DELETE WHEN op = "D" SEQUENCE BY ts COLUMNS * EXCEPT (op) STORED AS SCD TYPE 2 TRACK HISTORY ON name`, 'cur'],
  ])('%s INTO', (_, flow, name) => {
    const r = ok(`CREATE OR REFRESH STREAMING TABLE cur; ${flow}`);
    const f = r.flows[0].def;
    expect([f.name, f.target, f.kind]).toEqual([name, 'cur', 'auto_cdc']);
    expect(f.cdc).toMatchObject({ keys: ['id'], exceptColumns: ['op'], storedAs: 2, trackHistory: ['name'], sequenceBy: { kind: 'col', name: 'ts' } });
    expect(reads(f.query)).toEqual([]);
  });

  it('an inline FLOW AUTO CDC', () => {
    const r = ok('CREATE OR REFRESH STREAMING TABLE cur FLOW AUTO CDC FROM STREAM(raw) KEYS (id) SEQUENCE BY ts');
    expect(r.flows.map((f) => [f.name, f.target, f.kind])).toEqual([['cur', 'cur', 'auto_cdc']]);
  });
});

describe('configuration, SET and USE', () => {
  it('${key} from the configuration and from SET, which later statements see', () => {
    const r = ok(`SET spark.sql.session.timeZone = 'Europe/Paris';
      SET spark.sql.ansi.enabled = false;
      USE CATALOG main; USE SCHEMA health;
      CREATE MATERIALIZED VIEW \${prefix}_a AS SELECT id FROM raw WHERE id > \${min};
      SET min = 5;
      CREATE MATERIALIZED VIEW b AS SELECT id FROM raw WHERE id > \${min}`, { conf: { prefix: 'hc', min: '1' } });
    expect(r.datasets.map((d) => d.name)).toEqual(['hc_a', 'b']);
    expect(JSON.stringify(r.datasets[0].def.query)).toContain('"value":1');
    expect(JSON.stringify(r.datasets[1].def.query)).toContain('"value":5');
    expect([r.timeZone, r.ansi, r.catalog, r.schema]).toEqual(['Europe/Paris', false, 'main', 'health']);
  });

  it('a session setting has one value for the pipeline: a SET that changes what an earlier dataset runs with is SESSION_SETTING_CHANGED naming both places', () => {
    const e = errs(`SET spark.sql.session.timeZone = Europe/Paris;
CREATE MATERIALIZED VIEW a AS SELECT id FROM raw;
SET spark.sql.session.timeZone = America/New_York;
CREATE MATERIALIZED VIEW b AS SELECT id FROM raw;
SET spark.sql.ansi.enabled = false;`);
    expect(e.map((x) => [x.code, x.line, x.col])).toEqual([['SESSION_SETTING_CHANGED', 3, 1], ['SESSION_SETTING_CHANGED', 5, 1]]);
    expect(e[0].params).toMatchObject({ previous: 'Europe/Paris', previousAt: 'p.sql:1:1', value: 'America/New_York' });
    expect(String(e[0].params.seenBy)).toContain('a (p.sql:2:1)');
    // the default counts as a value (ANSI on): changing it after a dataset is the same error
    expect(e[1].params).toMatchObject({ previous: 'true', previousAt: null });
    // SETs before the first dataset, and a repeat of the same value after, are fine; the last value before the first dataset wins
    const r = ok(`SET spark.sql.session.timeZone = UTC;
SET spark.sql.session.timeZone = Asia/Tokyo;
CREATE MATERIALIZED VIEW a AS SELECT id FROM raw;
SET spark.sql.session.timeZone = Asia/Tokyo;
CREATE MATERIALIZED VIEW b AS SELECT id FROM raw;`);
    expect(r.timeZone).toBe('Asia/Tokyo');
  });
});

describe('errors, with code and place, all of them', () => {
  it('collects one error per statement', () => {
    const e = errs(`CREATE MATERIALIZED VIEW a AS SELECT nmae FROM raw;
CREATE MATERIALIZED VIEW b AS SELECT * FROM rwa;
CREATE MATERIALIZED VIEW c AS SELECT nosuch(id) FROM raw;
CREATE MATERIALIZED VIEW d AS SELECT id FROM raw WHERE name;
CREATE MATERIALIZED VIEW e AS SELECT id FROM \${nope};
CREATE STREAMING TABLE f AS SELECT * FROM STREAM(d)`);
    expect(e.map((x) => [x.code, x.line, x.col])).toEqual([
      ['UNKNOWN_COLUMN', 1, 38], ['UNKNOWN_TABLE', 2, 45], ['UNKNOWN_FUNCTION', 3, 1], ['TYPE_MISMATCH', 4, 1], ['CONFIG_UNKNOWN', 5, 46], ['STREAM_FROM_MATERIALIZED_VIEW', 6, 50],
    ]);
    expect(e[0].hint).toBe('did you mean `name`?');
    expect(e[1].hint).toBe('did you mean `raw`?');
  });

  it.each([
    ['INSERT INTO t SELECT 1', 'SQL_UNSUPPORTED', 1, 1],
    ['SELECT 1', 'SQL_UNSUPPORTED', 1, 1],
    ['CREATE TABLE t AS SELECT 1', 'SQL_UNSUPPORTED', 1, 8],
    ['CREATE MATERIALIZED VIEW m AS SELECT id FROM raw PIVOT (sum(id) FOR name IN (\'a\'))', 'SQL_UNSUPPORTED', 1, 50],
    ['CREATE MATERIALIZED VIEW m AS SELECT id FROM raw EXCEPT SELECT id FROM raw', 'SQL_UNSUPPORTED', 1, 50],
    ['CREATE MATERIALIZED VIEW m AS SELECT a.id FROM raw a JOIN raw b ON a.id = b.id GROUP BY id', 'AMBIGUOUS_COLUMN', 1, 89],
    ['CREATE MATERIALIZED VIEW m AS SELECT * FROM read_files(\'/x/*.csv\', format => \'xml\')', 'SQL_UNSUPPORTED', 1, 45],
    ['CREATE MATERIALIZED VIEW m AS SELECT * FROM range(10)', 'SQL_UNSUPPORTED', 1, 45],
    ['CREATE MATERIALIZED VIEW m AS SELECT id FROM raw;\nCREATE MATERIALIZED VIEW M AS SELECT id FROM raw', 'DUPLICATE_DATASET', 2, 1],
    ['CREATE MATERIALIZED VIEW a.m AS SELECT id FROM raw;\nCREATE MATERIALIZED VIEW b.m AS SELECT id FROM raw', 'DATASET_FOLDER_CONFLICT', 2, 1],
    ['CREATE FLOW f AS INSERT INTO nowhere BY NAME SELECT id FROM STREAM(raw)', 'UNKNOWN_TABLE', 1, 30],
    ['CREATE OR REFRESH STREAMING TABLE t', 'STREAMING_TABLE_WITHOUT_FLOW', 1, 1],
  ])('%s → %s', (sql, code, line, col) => {
    const e = errs(sql);
    expect(e.map((x) => [x.code, x.line, x.col])).toEqual([[code, line, col]]);
    if (code === 'SQL_UNSUPPORTED') expect(typeof e[0].params.construct).toBe('string');
  });

  it('a %python cell is named', () => {
    const e = errs('-- Databricks notebook source\nCREATE MATERIALIZED VIEW m AS SELECT id FROM raw\n\n-- COMMAND ----------\n\n-- MAGIC %python\n-- MAGIC print(1)\n');
    expect(e.map((x) => [x.code, x.line, x.params.construct])).toEqual([['SQL_UNSUPPORTED', 6, '%python cell']]);
  });
});

describe('loadPipeline: files, folders, specs', () => {
  it('a folder: SQL files and JS modules in path order, Python skipped with a warning', async () => {
    const f = path.join(dir, 'folder');
    fs.mkdirSync(path.join(f, 'transformations', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(f, 'transformations', 'a.sql'), 'CREATE MATERIALIZED VIEW a AS SELECT id FROM raw');
    fs.writeFileSync(path.join(f, 'transformations', 'sub', 'b.sql'), 'CREATE MATERIALIZED VIEW b AS SELECT count(*) AS n FROM a');
    fs.writeFileSync(path.join(f, 'transformations', 'c.py'), 'import dlt\n@dlt.table(name="py_table")\ndef x():\n  return None\n');
    const warnings: string[] = [];
    const p = await loadPipeline(f, { sources: ['raw=raw_*.csv,schema=id INT'], input: dir, onWarning: (w) => warnings.push(w) });
    expect(p.datasets.map((d) => d.name)).toEqual(['a', 'b']);
    expect(warnings.join('\n')).toContain('py_table');
  });

  it('spark-pipeline.yml: libraries globs and configuration (localdlt.* keys)', async () => {
    const f = path.join(dir, 'spark');
    fs.mkdirSync(path.join(f, 'transformations'), { recursive: true });
    fs.writeFileSync(path.join(f, 'transformations', 'x.sql'), 'CREATE MATERIALIZED VIEW x AS SELECT id FROM src WHERE id > ${min}');
    fs.writeFileSync(path.join(f, 'explorations.sql'), 'SELECT 1');
    fs.writeFileSync(path.join(f, 'spark-pipeline.yml'), `name: sp
libraries:
  - glob:
      include: transformations/**
configuration:
  min: "3"
  localdlt.source.src: "s_*.csv,schema=id INT"
  localdlt.input: "${dir}"
`);
    const p = await loadPipeline(path.join(f, 'spark-pipeline.yml'));
    expect([p.name, p.datasets.map((d) => d.name), p.options.configuration?.min, p.options.input]).toEqual(['sp', ['x'], '3', dir]);
  });

  it('databricks.yml: the first pipeline, ${var.*} defaults, --target overrides', async () => {
    const f = path.join(dir, 'bundle');
    fs.mkdirSync(f, { recursive: true });
    fs.writeFileSync(path.join(f, 'nb.sql'), '-- Databricks notebook source\nCREATE MATERIALIZED VIEW y AS SELECT id FROM raw WHERE id > ${min}');
    fs.writeFileSync(path.join(f, 'databricks.yml'), `bundle:
  name: b
variables:
  min_value:
    default: 2
resources:
  pipelines:
    first:
      name: first_pipeline
      libraries:
        - notebook:
            path: ./nb.sql
      configuration:
        min: \${var.min_value}
targets:
  dev:
    default: true
  prod:
    variables:
      min_value: 9
`);
    const opts = { sources: ['raw=raw_*.csv,schema=id INT'], input: dir };
    expect((await loadPipeline(path.join(f, 'databricks.yml'), opts)).options.configuration?.min).toBe('2');
    const prod = await loadPipeline(path.join(f, 'databricks.yml'), { ...opts, target: 'prod' });
    expect([prod.name, prod.options.configuration?.min]).toEqual(['first_pipeline', '9']);
    await expect(loadPipeline(path.join(f, 'databricks.yml'), { ...opts, target: 'qa' })).rejects.toMatchObject({ code: 'UNKNOWN_TARGET' });
  });

  it('a missing file is PIPELINE_NOT_FOUND; a report lists every error', async () => {
    await expect(loadPipeline(path.join(dir, 'nope.sql'))).rejects.toMatchObject({ code: 'PIPELINE_NOT_FOUND' });
    const f = path.join(dir, 'two-errors.sql');
    fs.writeFileSync(f, 'CREATE MATERIALIZED VIEW a AS SELECT x FROM raw;\nCREATE MATERIALIZED VIEW b AS SELECT y FROM raw;');
    const r = await loadPipelineReport(f, { sources: ['raw=raw_*.csv,schema=id INT'], input: dir });
    expect(r.errors.map((e) => [e.code, e.origin?.line])).toEqual([['UNKNOWN_COLUMN', 1], ['UNKNOWN_COLUMN', 2]]);
  });
});
