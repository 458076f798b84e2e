/**
 * Constructs a target cannot express fail with coded errors naming the table,
 * the expression and the dialect; with `partial` the other tables still
 * compile and the failure is in the report. Also: the `sql` command.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compilePipeline, DIALECT_NAMES, getDialect } from '../engine/sql/index.js';
import { definePipeline, materializedView, readCsv, rowsSource, streamingTable, view, col, read, stream, udf, UnsupportedError, type PipelineError } from '../engine/index.js';
import { cmdSql, SQL_HELP } from '../src/cli/sql-command.js';
import { UsageError } from '../src/cli/args.js';

const src = streamingTable('src', { query: readCsv({ glob: 'src_*.csv', schema: { id: 'string', n: 'int' } }) });
const jsOnly = udf('bucket', { returns: 'int' }, (v) => (v === null ? null : Math.floor(Number(v) / 10)));
const duckOnly = udf('twice', { returns: 'int', sql: { duckdb: '$1 * 2' } }, (v) => (v === null ? null : Number(v) * 2));
const withUdf = view('bucketed', {
  query: stream(src).withColumn('bucket', jsOnly(col('n'))),
  expectOrDrop: { has_id: col('id').isNotNull() },
  quarantine: 'bucketed_bad',
});
const downstream = materializedView('per_bucket', { query: read(withUdf).groupBy('bucket').agg({}) });
const plain = materializedView('plain', { query: read(src).select('id', { n2: duckOnly(col('n')) }) });
const pipeline = definePipeline([src, withUdf, downstream, plain], { name: 'udfs' });

function caught(f: () => unknown): PipelineError {
  try { f(); } catch (e) { return e as PipelineError; }
  throw new Error('expected an error');
}

describe('a udf without a SQL form', () => {
  for (const dialect of DIALECT_NAMES) {
    it(`fails with NON_PORTABLE_EXPRESSION naming the table, the expression and the dialect (${dialect})`, () => {
      const e = caught(() => compilePipeline(pipeline, { dialect, input: '/in' }));
      expect(e).toBeInstanceOf(UnsupportedError);
      expect(e.code).toBe('NON_PORTABLE_EXPRESSION');
      expect(e.params).toEqual({ table: 'bucketed', expression: 'bucket(n)', dialect });
      expect(e.hint).toMatch(/sql:/);
    });
  }

  it('compiles from a per-dialect SQL form, and fails where there is none', () => {
    const p = definePipeline([src, plain], { name: 'p' });
    expect(compilePipeline(p, { dialect: 'duckdb', input: '/in' }).files['p.sql']).toContain('n * 2 AS n2');
    const e = caught(() => compilePipeline(p, { dialect: 'databricks', input: '/in' }));
    expect([e.code, e.params]).toEqual(['NON_PORTABLE_EXPRESSION', { table: 'plain', expression: 'twice(n)', dialect: 'databricks' }]);
  });

  it('with partial: the other tables compile; the table and its quarantine are reported, not emitted', () => {
    const { files, report, datasets } = compilePipeline(pipeline, { dialect: 'databricks', input: '/in', partial: true });
    const notebook = files['udfs.sql'];
    expect(notebook).toContain('CREATE OR REFRESH STREAMING TABLE src');
    expect(notebook).toContain('CREATE OR REFRESH MATERIALIZED VIEW per_bucket'); // still compiles: it reads the table by name
    expect(notebook).not.toContain('CREATE TEMPORARY VIEW bucketed');
    expect(notebook).toContain('-- bucketed: NOT COMPILED');
    expect(notebook).toContain('-- bucketed_bad: NOT COMPILED');
    expect(datasets.filter((d) => d.error).map((d) => [d.name, d.error!.code])).toEqual([
      ['bucketed', 'NON_PORTABLE_EXPRESSION'], ['bucketed_bad', 'NOT_COMPILED'], ['plain', 'NON_PORTABLE_EXPRESSION'],
    ]);
    const unsupported = report.filter((i) => i.treatment === 'unsupported');
    expect(unsupported.map((i) => [i.table, i.code])).toEqual([['bucketed', 'NON_PORTABLE_EXPRESSION'], ['plain', 'NON_PORTABLE_EXPRESSION']]);
    expect(files['portability.md']).toContain('## Not compiled');
  });

  it('with partial on DuckDB: the script runs without the table', async () => {
    const { files } = compilePipeline(pipeline, { dialect: 'duckdb', input: '/in', partial: true });
    expect(files['udfs.sql']).toContain('-- NOT COMPILED: NON_PORTABLE_EXPRESSION');
    expect(files['udfs.sql']).toContain('CREATE OR REPLACE TABLE plain AS');
  });
});

describe('other unsupported constructs', () => {
  it('an in-memory rows source has no SQL form', () => {
    const rows = streamingTable('events', { query: rowsSource('events_in', { id: 'string' }) });
    for (const dialect of DIALECT_NAMES) {
      const e = caught(() => compilePipeline(definePipeline([rows]), { dialect, input: '/in' }));
      expect([e.code, e.params]).toEqual(['NON_PORTABLE_SOURCE', { table: 'events', source: 'events_in', dialect }]);
    }
  });

  it('an unknown dialect', () => {
    const e = caught(() => getDialect('oracle'));
    expect([e.code, e.params]).toEqual(['UNKNOWN_DIALECT', { dialect: 'oracle', known: ['databricks', 'spark', 'duckdb'] }]);
  });

  it('an invalid pipeline fails with its definition error before any SQL is written', () => {
    const bad = materializedView('bad', { query: read(src).select('nope') });
    const e = caught(() => compilePipeline(definePipeline([src, bad]), { dialect: 'duckdb', input: '/in' }));
    expect([e.code, e.params.column]).toEqual(['UNKNOWN_COLUMN', 'nope']);
  });
});

describe('the sql command', () => {
  let out = '';
  let err = '';
  let dir = '';
  beforeEach(() => {
    out = ''; err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out += String(s); return true; });
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { err += String(s); return true; });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'localdlt-sqlcmd-'));
  });
  afterEach(() => { vi.restoreAllMocks(); fs.rmSync(dir, { recursive: true, force: true }); });

  it('prints the Databricks notebook (and its Python flows) to stdout, the report to stderr only', async () => {
    expect(await cmdSql(['--input', '/data/incoming'])).toBe(0);
    expect(out.startsWith('-- Databricks notebook source\n')).toBe(true);
    expect(out).toContain('CREATE OR REFRESH STREAMING TABLE patients_bronze');
    expect(out).toContain('# ==== patients_silver.py ====\n');
    expect(out).not.toContain('portability (');
    expect(err).toContain('portability (databricks):');
    expect(err).toContain('DEDUP_IN_PYTHON');
  });

  it('prints the DuckDB script alone', async () => {
    expect(await cmdSql(['--dialect', 'duckdb', '--input', 'data'])).toBe(0);
    expect(out.startsWith('-- Pipeline "patients", compiled by localdlt for DuckDB')).toBe(true);
    expect(out).not.toContain('====');
    expect(out).toContain("glob('data/patients_daily_file_*.csv')");
  });

  it('uses the pipeline\'s configured input by default', async () => {
    expect(await cmdSql(['--dialect', 'duckdb'])).toBe(0);
    expect(out).toContain("glob('incoming/patients_daily_file_*.csv')");
  });

  it('writes every file with --out, and removes its own stale transformations', async () => {
    fs.mkdirSync(path.join(dir, 'transformations'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'transformations', 'old_table.sql'), '-- old_table: part of pipeline "patients", compiled by localdlt\n');
    fs.writeFileSync(path.join(dir, 'transformations', 'mine.sql'), '-- written by hand\n');
    expect(await cmdSql(['--dialect', 'spark', '--input', '/data/incoming', '--out', dir])).toBe(0);
    expect(out).toBe('');
    for (const f of ['spark-pipeline.yml', 'portability.md', 'transformations/patients_bronze.py', 'transformations/patients_clean.sql']) expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
    expect(fs.existsSync(path.join(dir, 'transformations', 'old_table.sql'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'transformations', 'mine.sql'))).toBe(true);
    expect(err).toMatch(/sql: wrote \d+ files to /);
  });

  it('compiles a pipeline module with --pipeline, and --partial', async () => {
    const mod = path.join(dir, 'p.mjs');
    const engine = path.resolve('engine/index.ts');
    // a TypeScript engine cannot be imported by a plain .mjs here: use the built one when present
    const built = path.resolve('dist/engine/index.js');
    if (!fs.existsSync(built)) return;
    fs.writeFileSync(mod, `import { definePipeline, streamingTable, view, readCsv, stream, col, udf } from ${JSON.stringify(built)};
const src = streamingTable('src', { query: readCsv({ glob: 'x_*.csv', schema: { a: 'int' } }) });
const f = udf('f', { returns: 'int' }, (v) => v);
export default definePipeline([src, view('v', { query: stream(src).select({ b: f(col('a')) }) })], { name: 'mod' });
`);
    void engine;
    await expect(cmdSql(['--pipeline', mod, '--dialect', 'duckdb'])).rejects.toMatchObject({ code: 'NON_PORTABLE_EXPRESSION' });
    expect(await cmdSql(['--pipeline', mod, '--dialect', 'duckdb', '--partial'])).toBe(0);
    expect(out).toContain('CREATE OR REPLACE TABLE src AS');
    expect(err).toContain('not compiled (--partial): v');
  });

  it('refuses bad usage with a UsageError', async () => {
    await expect(cmdSql(['--dialect', 'oracle'])).rejects.toBeInstanceOf(UsageError);
    await expect(cmdSql(['--bogus'])).rejects.toBeInstanceOf(UsageError);
    await expect(cmdSql(['extra-arg'])).rejects.toBeInstanceOf(UsageError);
    await expect(cmdSql(['--out'])).rejects.toBeInstanceOf(UsageError);
    await expect(cmdSql(['--pipeline', path.join(dir, 'missing.js')])).rejects.toBeInstanceOf(UsageError);
  });

  it('has a help text', async () => {
    expect(await cmdSql(['--help'])).toBe(0);
    expect(out).toBe(SQL_HELP + '\n');
    expect(SQL_HELP).toMatch(/--dialect databricks\|spark\|duckdb/);
  });
});
