/**
 * The string functions that DuckDB computes only approximately (RE2 regular
 * expressions, byte-based levenshtein, fmt-based format_number, …): their
 * DuckDB SQL runs and agrees with the engine on inputs where the two
 * semantics coincide; what DuckDB cannot express is NON_PORTABLE_EXPRESSION;
 * the approximations reach the portability report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, DuckDBListValue, type DuckDBConnection } from '@duckdb/node-api';
import { parseExpression } from '../../engine/parse/expr-parser.js';
import { ExprCompiler } from '../../engine/sql/expr.js';
import { duckdb } from '../../engine/sql/duckdb.js';
import { databricks } from '../../engine/sql/databricks.js';
import { isPipelineError } from '../../engine/errors.js';
import { runEngine } from './harness.js';

function duckSql(sql: string, notes: string[] = []): string {
  const c = new ExprCompiler({ dialect: duckdb, schema: [], ref: (k) => k, table: 't', onNote: (code) => notes.push(code), onConstruct: (code) => notes.push(code) });
  return c.projection(parseExpression(sql));
}

/** Spark SQL whose DuckDB form is approximate, on inputs where RE2 / DuckDB and Java / Spark agree. */
const agreeing: string[] = [
  "'abc' RLIKE '^a.c$'",
  "rlike('a1b22', '[0-9]+')",
  "regexp_like('ABC', 'b')",
  String.raw`regexp_replace('100-200', '(\\d+)', 'num')`,
  String.raw`regexp_replace('100-200', '(\\d+)-(\\d+)', '$2-$1')`,
  "regexp_replace('aaa', 'a', 'b', 2)",
  String.raw`regexp_extract('100-200', '(\\d+)-(\\d+)', 2)`,
  "regexp_extract('abc', '(x)', 1)",
  String.raw`regexp_extract_all('100-200, 300-400', '(\\d+)-(\\d+)', 1)`,
  "regexp_count('Steven Jones and Stephen Smith', 'Ste(v|ph)en')",
  "regexp_substr('Steven Jones', 'J[a-z]+')",
  "regexp_substr('Steven', 'x')",
  "split('oneAtwoBthreeC', '[ABC]')",
  "split('a,b,,c', ',')",
  "substring_index('www.apache.org', '.', 2)",
  "substring_index('www.apache.org', '.', -2)",
  "levenshtein('kitten', 'sitting')",
  "levenshtein('kitten', 'sitting', 2)",
  'format_number(12332.123456, 4)',
  'format_number(CAST(2.675 AS DOUBLE), 2)',
  'format_number(-1234.5678D, 0)',
];

/** Spark SQL that has no DuckDB form. */
const nonPortable: string[] = [
  "'abc' RLIKE 'a(?=b)'",
  String.raw`regexp_replace('aa', '(a)\\1', 'x')`,
  "split('a,b,c', ',', 2)",
  "sha2('abc', 512)",
  "regexp_instr('abc', 'b')",
  "soundex('Miller')",
];

describe('DuckDB approximations of string functions', () => {
  let db: DuckDBInstance;
  let conn: DuckDBConnection;
  beforeAll(async () => { db = await DuckDBInstance.create(':memory:'); conn = await db.connect(); });
  afterAll(() => { conn?.closeSync(); });

  for (const sql of agreeing) {
    it(`${sql} runs in DuckDB and agrees with the engine here`, async () => {
      const engine = runEngine({ sql });
      expect(engine.error).toBeUndefined();
      const rows = (await conn.runAndReadAll(`SELECT ${duckSql(sql)} AS v`)).getRows();
      const v = rows[0][0];
      const got = v instanceof DuckDBListValue ? v.items : typeof v === 'bigint' ? Number(v) : v;
      expect(got).toEqual(engine.values![0]);
    });
  }

  for (const sql of nonPortable) {
    it(`${sql} is NON_PORTABLE_EXPRESSION for DuckDB but compiles for Databricks`, () => {
      let code: string | null = null;
      try { duckSql(sql); } catch (e) { if (isPipelineError(e)) code = e.code; else throw e; }
      expect(code).toBe('NON_PORTABLE_EXPRESSION');
      const c = new ExprCompiler({ dialect: databricks, schema: [], ref: (k) => k, table: 't' });
      expect(c.projection(parseExpression(sql))).toMatch(/\w+/);
    });
  }

  it('reports the approximations to the portability report', () => {
    const notes: string[] = [];
    duckSql("regexp_extract('a', 'a', 0)", notes);
    duckSql("format_number(1.5D, 1)", notes);
    duckSql("upper('a')", notes);
    duckSql("substring('abc', '2')", notes);
    expect(notes).toEqual(expect.arrayContaining(['FUNCTION_REGEXP_EXTRACT', 'FUNCTION_FORMAT_NUMBER', 'UNICODE_CASE_MAPPING', 'STRING_AS_NUMBER']));
  });
});
