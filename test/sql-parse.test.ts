/**
 * Every query body and expression emitted for Databricks and for Spark 4.1
 * parses with a Spark SQL grammar (dt-sql-parser's SparkSQL parser). The
 * DLT-specific parts that grammar does not know (`CREATE OR REFRESH STREAMING
 * TABLE … (CONSTRAINT …)`, `STREAM read_files(…)`, `WATERMARK … DELAY OF …`)
 * are checked by their own structural tests, then replaced by their plain
 * Spark equivalent so the rest of the statement is parsed too.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SparkSQL } from 'dt-sql-parser';
import { compilePipeline, type CompiledSql } from '../engine/sql/index.js';
import { patientPipeline } from '../layers/pipeline.js';
import { definePipeline, materializedView, readCsv, streamingTable, view, col, stream, read, count, sum, avg, tumbling, sliding, cast, coalesce, when, udf, length, trim, lit, appendFlow, autoCdc, asOfJoin } from '../engine/index.js';

let parser: SparkSQL;
beforeAll(() => { parser = new SparkSQL(); }, 60_000);

/** Parse errors of one statement (empty when it parses). */
function errors(sql: string): string[] {
  return parser.validate(sql).map((e) => `${e.message} (line ${e.startLine}, column ${e.startColumn})`);
}

/** DLT-only syntax replaced by plain Spark SQL with the same structure (each form is checked on its own below). */
function toPlainSpark(sql: string): string {
  return sql
    .replace(/\bSTREAM (read_files\()/g, '$1')
    .replace(/\bSTREAM (\w+|`[^`]+`) WATERMARK \S+ DELAY OF INTERVAL \d+ \w+ AS (\w+)/g, '$1 AS $2')
    .replace(/\) WATERMARK \S+ DELAY OF INTERVAL \d+ \w+ AS (\w+)/g, ') AS $1');
}

const WATERMARK = /WATERMARK (\w+|`[^`]+`) DELAY OF INTERVAL \d+ (DAYS|HOURS|MINUTES|SECONDS|MILLISECONDS|MICROSECONDS) AS \w+/g;
const HEAD = /^(CREATE OR REFRESH STREAMING TABLE|CREATE OR REFRESH MATERIALIZED VIEW|CREATE STREAMING TABLE|CREATE MATERIALIZED VIEW|CREATE TEMPORARY VIEW) (\w+|`[^`]+`)/;

/** The statements of a SQL file (cells / `;`-terminated statements), comments removed. */
function statements(text: string): string[] {
  const noComments = text.split('\n').filter((l) => !l.trimStart().startsWith('--')).join('\n');
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  for (let i = 0; i < noComments.length; i++) {
    const c = noComments[i];
    cur += c;
    if (quote) { if (c === '\\') { cur += noComments[++i] ?? ''; } else if (c === quote) quote = null; continue; }
    if (c === "'" || c === '"' || c === '`') { quote = c; continue; }
    if (c === ';') { if (cur.trim() !== ';') out.push(cur.trim().replace(/;$/, '')); cur = ''; }
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

interface Parsed { kind: string; name: string; constraints: { name: string; expr: string; action: string }[]; rest: string }

const ID = '(?:\\w+|`[^`]+`)';

/**
 * A flow statement: `CREATE FLOW f AS INSERT [ONCE] INTO t BY NAME <query>` (the
 * query parsed), or Databricks' `CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(s)
 * KEYS (…) … SEQUENCE BY … STORED AS SCD TYPE n` (clause order checked, its
 * expressions parsed).
 */
function checkFlow(stmt: string, dialect: 'databricks' | 'spark'): void {
  const ins = new RegExp(`^CREATE FLOW ${ID}(?: COMMENT '[^']*')? AS\\nINSERT (ONCE )?INTO ${ID} BY NAME\\n([\\s\\S]*)$`).exec(stmt);
  if (ins) {
    if (dialect === 'spark') expect(ins[1], 'no ONCE flows in OSS Spark 4.1').toBeUndefined();
    expect(errors(toPlainSpark(ins[2])), stmt).toEqual([]);
    return;
  }
  expect(dialect, 'AUTO CDC only on Databricks').toBe('databricks');
  const lines = stmt.split('\n');
  const once = / AUTO CDC ONCE INTO /.test(lines[0]);
  expect(lines[0]).toMatch(new RegExp(`^CREATE FLOW ${ID} AS AUTO CDC (ONCE )?INTO ${ID}$`));
  expect(lines[1]).toMatch(new RegExp(once ? `^FROM ${ID}$` : `^FROM STREAM\\(${ID}\\)$`));
  expect(lines[2]).toMatch(new RegExp(`^KEYS \\(${ID}(, ${ID})*\\)$`));
  const order = ['IGNORE NULL UPDATES', 'APPLY AS DELETE WHEN', 'APPLY AS TRUNCATE WHEN', 'SEQUENCE BY', 'COLUMNS', 'STORED AS SCD TYPE', 'TRACK HISTORY ON'];
  let at = -1;
  for (const l of lines.slice(3)) {
    const k = order.findIndex((o) => l.startsWith(o));
    expect(k, `clause ${l}`).toBeGreaterThan(at);
    at = k;
    if (/^(APPLY AS (DELETE|TRUNCATE) WHEN|SEQUENCE BY) /.test(l)) expect(errors(`SELECT * FROM t WHERE ${l.replace(/^(APPLY AS (DELETE|TRUNCATE) WHEN|SEQUENCE BY) /, '')} IS NOT NULL`), l).toEqual([]);
  }
  expect(lines.some((l) => l.startsWith('SEQUENCE BY '))).toBe(true);
  expect(lines.some((l) => /^STORED AS SCD TYPE [12]$/.test(l))).toBe(true);
}

/** Splits a dataset statement into its head, its constraint block and the rest (COMMENT … AS query). */
function splitStatement(stmt: string): Parsed {
  const m = HEAD.exec(stmt);
  if (!m) throw new Error(`not a dataset statement: ${stmt.slice(0, 80)}`);
  let rest = stmt.slice(m[0].length);
  const constraints: Parsed['constraints'] = [];
  if (rest.startsWith(' (\n')) {
    const end = rest.search(/\n\)(\n|$)/);
    const block = rest.slice(3, end);
    for (const line of block.split('\n')) {
      const c = /^ {2}CONSTRAINT (\w+|`[^`]+`) EXPECT \((.*)\)( ON VIOLATION (DROP ROW|FAIL UPDATE))?,?$/.exec(line);
      if (!c) throw new Error(`bad constraint line: ${line}`);
      constraints.push({ name: c[1], expr: c[2], action: c[4] ?? 'warn' });
    }
    rest = rest.slice(end + 2);
  }
  return { kind: m[1], name: m[2], constraints, rest };
}

function compiled(dialect: 'databricks' | 'spark', p = patientPipeline, partial = false): CompiledSql {
  return compilePipeline(p, { dialect, input: '/data/incoming', partial });
}

/** A pipeline using every expression and plan form the compiler knows. */
function widePipeline() {
  const src = streamingTable('src', { query: readCsv({ glob: 'src_*.csv', schema: { id: 'string', n: 'int', big: 'long', x: 'double', flag: 'boolean', d: 'date', ts: 'timestamp', s: 'string' } }) });
  const f = udf('f', { returns: 'int', sql: 'abs($1) + 1' }, (v) => (v === null ? null : Math.abs(Number(v)) + 1));
  const exprs = view('exprs', {
    query: stream(src).select({
      id: 'id', a: col('n').plus(col('big')).times(2), b: col('n').div(0), c: col('n').mod(col('big')), e: col('x').between(0, lit(1.5)),
      g: col('s').in('a', 'b'), h: coalesce(col('s'), 'z'), i: when(col('n').gt(1), 'x').otherwise(null), j: cast(col('s'), 'timestamp'),
      k: cast(col('x'), 'int'), l: cast(col('d'), 'string'), m: length(trim(col('s'))), o: f(col('n')), p: col('d').eq('2024-01-01'), q: lit('2024-01-01', 'date'),
      t: col('ts'), r: col('flag').not().or(col('n').isNull()),
    }),
    expectOrDrop: { has_id: col('id').isNotNull() },
    expect: { small: col('a').lt(100) },
    quarantine: 'exprs_bad',
  });
  const windows = streamingTable('windows', {
    query: stream(exprs).withWatermark('t', '5 minutes').groupBy(sliding('t', '10 minutes', '5 minutes'), 'id').agg({ rows: count(), total: sum('a'), mean: avg('c') }),
  });
  const daily = materializedView('daily', { query: read(exprs).groupBy(tumbling('q', '1 day')).agg({ rows: count() }), expectOrFail: { some: col('rows').gt(0) } });
  const joined = materializedView('joined', { query: read(exprs).join(read(daily), { q: 'window_start' }, 'left').select('id', 'rows') });
  // flows: a table written by two append flows and a ONCE backfill; an AUTO CDC target of each SCD type; an as-of join
  const all = streamingTable('all_rows', { expectOrDrop: { has_id: col('id').isNotNull() } });
  const cur = streamingTable('cur'), hist = streamingTable('hist');
  const cdc = { source: stream(src).filter(col('s').ne('x')), keys: ['id'], sequenceBy: col('ts'), applyAsDeletes: col('s').eq('DELETE') };
  const asof = materializedView('asof', { query: asOfJoin(read(src), read(hist).select('id', { hs: 'n' }, '__START_AT', '__END_AT'), { on: 'id', at: 'd' }) });
  return definePipeline([
    src, exprs, windows, daily, joined, all, cur, hist, asof,
    appendFlow(all, { name: 'from_src', query: stream(src).select('id', 'n') }),
    appendFlow(all, { name: 'from_exprs', query: stream(exprs).select('id', { n: 'k' }) }),
    appendFlow(all, { name: 'backfill', query: read(src).select('id'), once: true }),
    autoCdc(cur, { ...cdc, exceptColumns: ['s'], ignoreNullUpdates: ['x'], applyAsTruncates: col('s').eq('TRUNCATE') }),
    autoCdc(hist, { ...cdc, columns: ['id', 'n', 'x'], storedAs: 2, trackHistoryExcept: ['x'] }),
  ], { name: 'wide' });
}

describe.each(['databricks', 'spark'] as const)('%s: every emitted query parses as Spark SQL', (dialect) => {
  for (const [label, make] of [['patient pipeline', () => compiled(dialect)], ['every construct', () => compiled(dialect, widePipeline())]] as const) {
    it(`${label}: query bodies and expressions`, () => {
      const c = make();
      expect(c.fragments.length).toBeGreaterThan(5);
      const bad: string[] = [];
      for (const f of c.fragments) {
        const errs = errors(toPlainSpark(f.sql));
        if (errs.length) bad.push(`${f.table} (${f.kind}): ${errs.join('; ')}\n${f.sql}`);
      }
      expect(bad).toEqual([]);
    }, 120_000);

    it(`${label}: dataset statements (wrappers checked structurally, the rest parsed)`, () => {
      const c = make();
      let checked = 0;
      for (const [file, text] of Object.entries(c.files)) {
        if (!file.endsWith('.sql')) continue;
        if (dialect === 'databricks') expect(text.startsWith('-- Databricks notebook source\n'), file).toBe(true);
        for (const stmt of statements(text)) {
          if (stmt.startsWith('SET ')) { expect(errors(stmt)).toEqual([]); continue; }
          if (stmt.startsWith('CREATE FLOW ')) { checkFlow(stmt, dialect); checked++; continue; }
          const s = splitStatement(stmt);
          if (dialect === 'databricks') expect(s.kind.startsWith('CREATE OR REFRESH') || s.kind === 'CREATE TEMPORARY VIEW', s.kind).toBe(true);
          else {
            expect(s.kind.includes('OR REFRESH'), `${s.kind} in OSS Spark`).toBe(false);
            expect(s.constraints, 'OSS Spark has no expectations').toEqual([]);
          }
          for (const k of s.constraints) expect(errors(`SELECT * FROM t WHERE ${k.expr}`), `${s.name}.${k.name}`).toEqual([]);
          // no legacy LIVE. prefix; every WATERMARK clause has the documented shape
          expect(stmt).not.toMatch(/\bLIVE\./);
          const wm = stmt.match(/WATERMARK[^\n]*/g) ?? [];
          for (const w of wm) expect(w, s.name).toMatch(new RegExp(`^${WATERMARK.source}$`));
          // the rest, with a plain CREATE TABLE head, parses (a table written by flows only has no AS: it gets a query to parse)
          const rest = /\bAS\n/.test(s.rest) ? s.rest : `${s.rest}\nAS SELECT 1`;
          const plain = `CREATE TABLE ${s.name}${toPlainSpark(rest)}`.replace(/\n-- properties:[^\n]*/, '');
          const errs = errors(plain);
          expect(errs, `${file}: ${s.name}\n${plain}`).toEqual([]);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(3);
    }, 120_000);
  }
});

describe('Databricks wrappers', () => {
  const c = compiled('databricks');
  const notebook = c.files['patients.sql'];

  it('is a notebook of cells, the session time zone and ANSI mode set first', () => {
    const cells = notebook.split('\n\n-- COMMAND ----------\n\n');
    expect(cells.length).toBeGreaterThan(8);
    expect(cells[1].trim()).toBe('SET spark.sql.session.timeZone = UTC;\nSET spark.sql.ansi.enabled = false;');
  });

  it('reads the bronze files with STREAM read_files, all columns as STRING, the file name from _metadata', () => {
    const bronze = statements(notebook).find((s) => s.startsWith('CREATE OR REFRESH STREAMING TABLE patients_bronze'))!;
    expect(bronze).toMatch(/FROM STREAM read_files\(\n\s+'\$\{source_path\}\/patients_daily_file_\*\.csv',\n\s+format => 'csv',\n\s+header => true,/);
    expect(bronze).toContain(`schema => 'patient_id STRING, name STRING, age STRING, gender STRING, address STRING, contact_number STRING, admission_date STRING, diagnosis_code STRING'`);
    expect(bronze).toContain('_metadata.file_name AS _source_file');
    // \\z in the SQL literal is Java's \z: the very end (Java's $ also matches before a final line break)
    expect(bronze).toContain("CASE WHEN age RLIKE '^([+-]?[0-9]+)\\\\z' THEN try_cast(age AS INT) END AS age");
    expect(bronze).toContain("CASE WHEN admission_date RLIKE '^([0-9]{4}-[0-9]{2}-[0-9]{2})\\\\z' THEN try_cast(admission_date AS DATE) END AS admission_date");
    // the reader options that make Spark tokenize as the engine does
    expect(bronze).toMatch(/lineSep => '\\n',\n\s+ignoreLeadingWhiteSpace => true,\n\s+ignoreTrailingWhiteSpace => true,/);
    expect(bronze).toContain("TBLPROPERTIES ('quality' = 'bronze')");
    // the mapping is a materialized view over a batch read
    expect(notebook).toMatch(/CREATE OR REFRESH MATERIALIZED VIEW diagnosis_mapping[\s\S]*FROM read_files\(/);
  });

  it('keeps expectations as constraints with their actions', () => {
    const clean = splitStatement(statements(notebook).find((s) => s.startsWith('CREATE TEMPORARY VIEW patients_clean'))!);
    expect(clean.constraints).toEqual([
      { name: 'valid_patient_id', expr: 'patient_id IS NOT NULL', action: 'DROP ROW' },
      { name: 'valid_age', expr: 'age IS NOT NULL AND age BETWEEN 0 AND 120', action: 'DROP ROW' },
      { name: 'valid_gender', expr: "gender IN ('M', 'F')", action: 'DROP ROW' },
      { name: 'valid_admission_date', expr: 'admission_date IS NOT NULL', action: 'DROP ROW' },
    ]);
    const gold = splitStatement(statements(notebook).find((s) => s.startsWith('CREATE OR REFRESH MATERIALIZED VIEW patient_stats_by_gender'))!);
    expect(gold.constraints.map((x) => x.action)).toEqual(['FAIL UPDATE', 'FAIL UPDATE']);
    expect(c.files['patients_silver.py']).toContain('@dp.expect("known_diagnosis", "diagnosis_description IS NOT NULL")');
  });

  it('makes the quarantine a streaming table with the NULL-safe inverse and the failed rules', () => {
    const q = statements(notebook).find((s) => s.startsWith('CREATE OR REFRESH STREAMING TABLE patients_quarantine'))!;
    expect(q).toContain("WHERE NOT (coalesce(patient_id IS NOT NULL, FALSE) AND coalesce(age IS NOT NULL AND age BETWEEN 0 AND 120, FALSE) AND coalesce(gender IN ('M', 'F'), FALSE) AND coalesce(admission_date IS NOT NULL, FALSE))");
    expect(q).toContain("filter(array(CASE WHEN NOT coalesce(patient_id IS NOT NULL, FALSE) THEN 'valid_patient_id' END,");
    expect(q).toContain('FROM STREAM(patients_bronze)');
  });

  it('writes the streaming dedup as a Python flow and lists it in the report and the bundle', () => {
    const py = c.files['patients_silver.py'];
    expect(py).toContain('spark.readStream.table("patients_clean")');
    expect(py).toContain('.dropDuplicates(["patient_id", "admission_date", "diagnosis_code"])');
    expect(py).toMatch(/@dp\.table\(\n\s+name="patients_silver",/);
    expect(notebook).not.toMatch(/CREATE[^\n]* patients_silver\b/);
    expect(c.report.some((i) => i.table === 'patients_silver' && i.code === 'DEDUP_IN_PYTHON' && i.treatment === 'python')).toBe(true);
    const yml = c.files['databricks.yml'];
    expect(yml).toContain('- notebook:\n            path: ./patients.sql');
    expect(yml).toContain('- file:\n            path: ./patients_silver.py');
    expect(yml).toContain('source_path: ${var.source_path}');
    expect(yml).toMatch(/source_path:\n\s+description: [^\n]+\n\s+default: \/data\/incoming/);
  });

  it('uses window() with a watermark on the streaming read for a streaming windowed aggregate', () => {
    const w = statements(notebook).find((s) => s.startsWith('CREATE OR REFRESH STREAMING TABLE vitals_15min'));
    if (!w) return; // the vitals tables are part of the patient pipeline in this version
    expect(w).toContain("window(measured_at, '15 minutes', '5 minutes') AS w");
    expect(w).toContain('FROM STREAM vitals_silver WATERMARK measured_at DELAY OF INTERVAL 10 MINUTES AS s');
    expect(w).toContain('w.start AS window_start');
  });

  it('the Python files are valid Python (when a python3 is installed)', () => {
    let python: string | null = null;
    for (const p of ['python3', 'python']) { try { execFileSync(p, ['--version'], { stdio: 'ignore' }); python = p; break; } catch { /* none */ } }
    if (!python) return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'localdlt-py-'));
    try {
      const all = { ...compiled('databricks').files, ...Object.fromEntries(Object.entries(compiled('spark').files).map(([k, v]) => [`spark_${k.replace(/\//g, '_')}`, v])) };
      for (const [name, text] of Object.entries(all)) {
        if (!name.endsWith('.py')) continue;
        const f = path.join(dir, name);
        fs.writeFileSync(f, text);
        execFileSync(python, ['-c', 'import ast,sys; ast.parse(open(sys.argv[1]).read())', f]);
      }
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  }, 60_000);
});

describe('Spark 4.1 project', () => {
  const c = compiled('spark');

  it('has a spec with name, storage and the transformations glob', () => {
    const spec = c.files['spark-pipeline.yml'];
    expect(spec).toMatch(/^name: "patients"$/m);
    expect(spec).toMatch(/^storage: "file:\/\/\/[^"]+"$/m);
    expect(spec).toContain('libraries:\n  - glob:\n      include: transformations/**');
    for (const f of Object.keys(c.files)) expect(f === 'spark-pipeline.yml' || f === 'portability.md' || /^transformations\/\w+\.(sql|py)$/.test(f), f).toBe(true);
  });

  it('ingests files in Python and lowers drop expectations to filters, the others to comments', () => {
    expect(c.files['transformations/patients_bronze.py']).toContain('spark.readStream.format("csv")');
    expect(c.files['transformations/diagnosis_mapping.py']).toContain('spark.read.format("csv")');
    const clean = c.files['transformations/patients_clean.sql'];
    expect(clean).toContain('CREATE TEMPORARY VIEW patients_clean');
    expect(clean).toMatch(/WHERE patient_id IS NOT NULL\n\s+AND age IS NOT NULL AND age BETWEEN 0 AND 120\n\s+AND gender IN \('M', 'F'\)\n\s+AND admission_date IS NOT NULL/);
    expect(c.files['transformations/patient_stats_by_gender.sql']).toContain('-- expectation positive_count (fail): patient_count > 0 -- not enforced');
    const codes = new Set(c.report.map((i) => i.code));
    for (const code of ['FILE_SOURCE_IN_PYTHON', 'DROP_EXPECTATION_AS_FILTER', 'FAIL_EXPECTATION_NOT_ENFORCED', 'WARN_EXPECTATION_NOT_COUNTED', 'DEDUP_IN_PYTHON', 'HEADER_BY_POSITION']) expect(codes.has(code), code).toBe(true);
  });
});
