/**
 * The DLT SQL reader's parser: every statement form (modern, legacy, OSS
 * Spark 4.1), the notebook format, configuration references, and its errors
 * with their codes and positions.
 */
import { describe, expect, it } from 'vitest';
import { tokenize } from '../engine/parse/lexer.js';
import { SqlParser } from '../engine/parse/sql-parser.js';
import { sourceStatements } from '../engine/parse/source.js';
import type { Statement } from '../engine/parse/ast.js';
import { isPipelineError } from '../engine/errors.js';

function parse(sql: string): Statement {
  const p = new SqlParser(tokenize(sql, { file: 'x.sql' }), 'x.sql');
  const s = p.statement();
  if (!p.atEnd()) p.fail('unexpected text after the statement');
  return s;
}

function errorOf(f: () => unknown): { code: string; params: Record<string, unknown> } {
  try { f(); } catch (e) { if (isPipelineError(e)) return { code: e.code, params: e.params as Record<string, unknown> }; throw e; }
  throw new Error('expected an error');
}

describe('statements', () => {
  it.each([
    ['CREATE OR REFRESH STREAMING TABLE s AS SELECT * FROM STREAM(x)', 'streaming_table', false],
    ['CREATE OR REFRESH PRIVATE STREAMING TABLE s AS SELECT * FROM STREAM x', 'streaming_table', false],
    ['CREATE OR REFRESH MATERIALIZED VIEW m AS SELECT 1 AS one', 'materialized_view', false],
    ['CREATE TEMPORARY VIEW v AS SELECT a FROM t', 'temporary_view', false],
    ['CREATE OR REPLACE TEMPORARY VIEW v AS SELECT a FROM t', 'temporary_view', false],
    ['CREATE VIEW v AS SELECT a FROM t', 'view', false],
    ['CREATE STREAMING TABLE IF NOT EXISTS s AS SELECT * FROM STREAM(x)', 'streaming_table', false],
    ['CREATE MATERIALIZED VIEW m AS SELECT 1', 'materialized_view', false],
    ['CREATE OR REFRESH STREAMING LIVE TABLE s AS SELECT * FROM STREAM(LIVE.x)', 'streaming_table', true],
    ['CREATE INCREMENTAL LIVE TABLE s AS SELECT * FROM STREAM (live.x)', 'streaming_table', true],
    ['CREATE LIVE TABLE m AS SELECT * FROM LIVE.x', 'materialized_view', true],
    ['CREATE OR REFRESH LIVE TABLE m AS SELECT * FROM live.x', 'materialized_view', true],
    ['CREATE TEMPORARY LIVE VIEW v AS SELECT * FROM LIVE.x', 'temporary_view', true],
    ['CREATE LIVE VIEW v AS SELECT * FROM LIVE.x', 'temporary_view', true],
    ['CREATE TEMPORARY STREAMING LIVE VIEW v AS SELECT * FROM STREAM(LIVE.x)', 'temporary_view', true],
  ] as const)('%s', (sql, object, legacy) => {
    const s = parse(sql);
    expect(s.kind).toBe('create');
    if (s.kind !== 'create') return;
    expect(s.object).toBe(object);
    expect(s.legacy).toBe(legacy);
  });

  it('reads column lists, constraints and clauses', () => {
    const s = parse(`CREATE OR REFRESH STREAMING TABLE silver (
      patient_id STRING NOT NULL COMMENT 'hospital number',
      age INT,
      CONSTRAINT valid_age EXPECT (age BETWEEN 0 AND 120) ON VIOLATION DROP ROW,
      CONSTRAINT has_id EXPECT (patient_id IS NOT NULL) ON VIOLATION FAIL UPDATE,
      CONSTRAINT warn_only EXPECT (age > 1)
    ) COMMENT "the silver table" TBLPROPERTIES ('quality' = 'silver', pipelines.reset.allowed = false)
      PARTITIONED BY (age) CLUSTER BY (patient_id) USING DELTA
    AS SELECT * FROM STREAM(bronze)`);
    if (s.kind !== 'create') throw new Error('not a create');
    expect(s.columns.map((c) => [c.name, c.type, c.notNull, c.comment])).toEqual([['patient_id', 'string', true, 'hospital number'], ['age', 'int', false, null]]);
    expect(s.constraints.map((c) => [c.name, c.action])).toEqual([['valid_age', 'drop'], ['has_id', 'fail'], ['warn_only', 'warn']]);
    expect(s.comment).toBe('the silver table');
    expect(s.properties).toEqual({ quality: 'silver', 'pipelines.reset.allowed': 'false' });
    expect(s.partitionedBy).toEqual(['age']);
    expect(s.clusterBy).toEqual(['patient_id']);
  });

  it('reads flows, AUTO CDC and APPLY CHANGES', () => {
    const f = parse('CREATE FLOW f AS INSERT INTO t BY NAME SELECT * FROM STREAM(s)');
    expect(f).toMatchObject({ kind: 'insert_flow', name: 'f', once: false });
    expect(parse('CREATE FLOW f AS INSERT INTO ONCE t BY NAME SELECT * FROM s')).toMatchObject({ once: true });
    expect(parse('CREATE FLOW f AS INSERT ONCE INTO t BY NAME SELECT * FROM s')).toMatchObject({ once: true });
    const c = parse(`CREATE FLOW cdc AS AUTO CDC INTO dim FROM STREAM(changes) KEYS (id) IGNORE NULL UPDATES
      APPLY AS DELETE WHEN op = 'D' APPLY AS TRUNCATE WHEN op = 'T' SEQUENCE BY seq COLUMNS * EXCEPT (op, seq)
      STORED AS SCD TYPE 2 TRACK HISTORY ON name, address`);
    if (c.kind !== 'cdc_flow') throw new Error('not a cdc flow');
    expect(c.cdc.keys).toEqual(['id']);
    expect(c.cdc.storedAs).toBe(2);
    expect(c.cdc.ignoreNullUpdates).toBe(true);
    expect(c.cdc.columns).toEqual({ except: ['op', 'seq'] });
    expect(c.cdc.trackHistory).toEqual({ list: ['name', 'address'] });
    const l = parse('APPLY CHANGES INTO LIVE.dim FROM STREAM(LIVE.changes) KEYS (id) SEQUENCE BY seq STORED AS SCD TYPE 1');
    expect(l).toMatchObject({ kind: 'cdc_flow', legacy: true });
  });

  it('reads queries: joins, GROUP BY, HAVING, QUALIFY, windows, set operations, WITH, VALUES, LATERAL VIEW, WATERMARK, read_files', () => {
    const s = parse(`CREATE OR REFRESH MATERIALIZED VIEW m AS
      WITH recent AS (SELECT * FROM a WHERE d > DATE '2024-01-01')
      SELECT r.k, count(*) AS n, sum(x) FILTER (WHERE x > 0) s, row_number() OVER (PARTITION BY r.k ORDER BY n DESC) AS rn
      FROM recent r LEFT JOIN b ON r.k = b.k AND b.v BETWEEN 1 AND 2 JOIN c USING (k) LEFT ANTI JOIN d ON d.k = r.k
      LATERAL VIEW OUTER explode(r.items) t AS item
      GROUP BY r.k HAVING count(*) > 1 QUALIFY rn = 1 ORDER BY n DESC NULLS LAST LIMIT 10`);
    if (s.kind !== 'create' || s.query?.kind !== 'with') throw new Error('bad parse');
    const q = s.query.body;
    if (q.kind !== 'select') throw new Error('not a select');
    expect(q.items.map((i) => (i.kind === 'expr' ? i.alias : '*'))).toEqual([null, 'n', 's', 'rn']);
    expect(q.having).not.toBeNull();
    expect(q.qualify).not.toBeNull();
    expect(q.orderBy[0]).toMatchObject({ desc: true, nullsFirst: false });
    const u = parse('CREATE MATERIALIZED VIEW u AS SELECT a FROM x UNION ALL BY NAME SELECT a FROM y UNION SELECT a FROM z');
    if (u.kind !== 'create') throw new Error();
    expect(u.query).toMatchObject({ kind: 'setop', op: 'union', all: false, left: { kind: 'setop', all: true, byName: true } });
    const r = parse(`CREATE OR REFRESH STREAMING TABLE raw AS SELECT *, _metadata.file_name AS f
      FROM STREAM read_files('/Volumes/x', format => 'csv', header => true, \`cloudFiles.schemaHints\` => 'a INT')`);
    if (r.kind !== 'create' || r.query?.kind !== 'select') throw new Error();
    expect(r.query.from).toMatchObject({ kind: 'tvf', name: 'read_files', stream: true });
    const w = parse(`CREATE STREAMING TABLE w AS SELECT * FROM STREAM vitals WATERMARK measured_at DELAY OF INTERVAL 10 MINUTES AS v`);
    if (w.kind !== 'create' || w.query?.kind !== 'select') throw new Error();
    expect(w.query.from).toMatchObject({ kind: 'table', stream: true, alias: 'v', watermark: { delayUs: 600_000_000 } });
    const v = parse('CREATE MATERIALIZED VIEW v AS SELECT * FROM VALUES (1, \'a\'), (2, \'b\') AS t(id, name)');
    if (v.kind !== 'create' || v.query?.kind !== 'select') throw new Error();
    expect(v.query.from).toMatchObject({ kind: 'values', alias: 't', columnAliases: ['id', 'name'] });
  });

  it('reads SET and USE', () => {
    expect(parse('USE CATALOG main')).toMatchObject({ kind: 'use', what: 'catalog', name: 'main' });
    expect(parse('USE SCHEMA healthcare')).toMatchObject({ kind: 'use', what: 'schema', name: 'healthcare' });
  });
});

describe('errors carry their code and place', () => {
  it.each([
    ['SELECT * FROM t', 'SQL_UNSUPPORTED', 1, 1],
    ['CREATE TABLE t (a INT) AS SELECT 1', 'SQL_UNSUPPORTED', 1, 8],
    ["CREATE OR REFRESH STREAMING TABLE t LOCATION '/x' AS SELECT a FROM x", 'SQL_UNSUPPORTED', 1, 37],
    ['CREATE MATERIALIZED VIEW m', 'SQL_SYNTAX', 1, 27],
    ['CREATE MATERIALIZED VIEW m AS SELECT a FROM t TABLESAMPLE (10 PERCENT)', 'SQL_UNSUPPORTED', 1, 47],
    ['CREATE MATERIALIZED VIEW m AS SELECT a FROM t WHERE a IN (SELECT b FROM u)', 'SQL_UNSUPPORTED', 1, 58],
    ["CREATE MATERIALIZED VIEW m AS SELECT 'open FROM t", 'SQL_SYNTAX', 1, 38],
  ])('%s → %s at %i:%i', (sql, code, line, col) => {
    const e = errorOf(() => parse(sql));
    expect(e.code).toBe(code);
    expect([e.params.line, e.params.col]).toEqual([line, col]);
  });
});

describe('notebook sources', () => {
  const nb = [
    '-- Databricks notebook source',
    '-- MAGIC %md',
    '-- MAGIC # Title',
    '',
    '-- COMMAND ----------',
    '-- DBTITLE 1,Bronze',
    '-- Databricks notebook source',
    "SET my.path = /data/in;",
    "CREATE OR REFRESH STREAMING LIVE TABLE b AS SELECT * FROM cloud_files('${my.path}', 'csv')",
    '',
    '-- COMMAND ----------',
    'CREATE LIVE TABLE g AS SELECT count(*) n FROM LIVE.b;',
    'CREATE LIVE VIEW v AS SELECT 1 -- no final semicolon',
  ].join('\n');

  it('skips markdown cells and titles, splits statements, applies SET to later statements', () => {
    const conf = new Map<string, string>();
    const { statements, sets } = sourceStatements(nb, 'nb.sql', conf);
    expect(statements.map((s) => s.line)).toEqual([8, 9, 12, 13]);
    expect(statements[1].text).toContain("cloud_files('/data/in', 'csv')");
    expect(sets).toEqual([{ key: 'my.path', value: '/data/in', line: 8 }]);
  });

  it('a %python cell is SQL_UNSUPPORTED naming the cell', () => {
    const e = errorOf(() => sourceStatements(['-- Databricks notebook source', 'SELECT 1', '-- COMMAND ----------', '-- MAGIC %python', '-- MAGIC import dlt'].join('\n'), 'nb.sql', new Map()));
    expect(e.code).toBe('SQL_UNSUPPORTED');
    expect(e.params).toMatchObject({ cell: 2, line: 4, construct: '%python cell' });
  });

  it('an unknown ${key} is CONFIG_UNKNOWN at its place', () => {
    const e = errorOf(() => sourceStatements("CREATE MATERIALIZED VIEW m AS\nSELECT * FROM ${src}.t", 'a.sql', new Map([['x', '1']])));
    expect(e.code).toBe('CONFIG_UNKNOWN');
    expect(e.params).toMatchObject({ key: 'src', line: 2, col: 15 });
  });
});
