/**
 * Realistic DLT SQL notebooks, each in its own style, replayed on a dirty
 * fixture folder; every table is compared with DuckDB running an equivalent
 * hand-written query over the same files:
 *
 * 1. legacy: `cloud_files` + `LIVE.`, `SET` of ANSI mode, `${key}` config,
 *    `STREAM (live.x)`, double-quoted strings, missing final `;`;
 * 2. modern: `STREAM read_files` with inferred types and `schemaHints`, a
 *    join with a snapshot dimension, a CTE, a window function + QUALIFY;
 * 3. JSON input: newline-delimited JSON, an array exploded with LATERAL VIEW,
 *    a windowed aggregate (`GROUP BY window(ts, '1 hour')`);
 * 4. healthcare-tutorial shape: two external tables bound with `--source`,
 *    USE CATALOG/SCHEMA, APPLY CHANGES INTO, run through the CLI, and a
 *    replay cut into chunks with restarts equal to a one-shot replay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadPipeline, runPipeline, type Pipeline, type PipelineRun } from '../engine/index.js';
import { Duck, dateString, multisetEqual, type PlainRow } from './helpers/duck.js';
import { ensureBuilt, readTableViaLog, runCli } from './helpers/cli.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'localdlt-sql-nb-'));
let duck: Duck;
beforeAll(async () => { duck = await Duck.open(); });
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function folder(name: string, files: Record<string, string>): string {
  const d = path.join(root, name);
  fs.mkdirSync(d, { recursive: true });
  for (const [f, t] of Object.entries(files)) fs.writeFileSync(path.join(d, f), t);
  return d;
}

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The engine's rows as DuckDB gives them (dates as text, maps as objects). */
function plain(run: PipelineRun, table: string, drop: readonly string[] = []): PlainRow[] {
  const g = run.tester.graph.datasets.get(table)!;
  const dates = g.schema.filter((f) => f.type === 'date').map((f) => f.name);
  return run.rows(table).map((r) => {
    const o: PlainRow = { ...r };
    for (const d of dates) if (typeof o[d] === 'number') o[d] = dateString(o[d] as number);
    for (const d of drop) delete o[d];
    return o;
  });
}

async function compare(_p: Pipeline, run: PipelineRun, table: string, sql: string, drop: readonly string[] = []): Promise<void> {
  const expected = await duck.all(sql);
  const actual = plain(run, table, drop);
  expect(actual.length, `${table}: rows`).toBe(expected.length);
  multisetEqual(actual, expected, { label: table });
}

describe('legacy notebook: cloud_files, LIVE., SET, ${key}', () => {
  const input = folder('legacy-in', {
    'patients_001.csv': [
      'patient_id,name,age,gender,admitted',
      'p001, alice smith ,34,f,2024-01-02',
      'p002,"BOB, JR",abc,M,2024-01-03',
      ',nobody,40,F,2024-01-04',
      'p004,carol,130,f,2024-01-05',
      '',
    ].join('\n'),
    'patients_002.csv': [
      'patient_id,name,age,gender,admitted',
      'p005,dan,,m,2024-02-30',
      'p001, alice smith ,34,f,2024-01-02',
      'p006,Eve O\'Neil,51,F,2024-01-05',
    ].join('\r\n'),
    'notes.txt': 'not a patient file',
  });
  const nb = folder('legacy-nb', {
    'patients.sql': `-- Databricks notebook source
-- Databricks notebook source
-- MAGIC %md
-- MAGIC # Patients, the 2022 way
-- MAGIC Reads the daily files with Auto Loader.

-- COMMAND ----------

SET spark.sql.ansi.enabled = false;

-- COMMAND ----------

-- DBTITLE 1,Bronze
CREATE OR REFRESH STREAMING LIVE TABLE patients_raw
COMMENT "Raw patient files"
TBLPROPERTIES ("quality" = "bronze")
AS SELECT * FROM cloud_files("\${source}/patients", "csv", map("header", "true", "pathGlobFilter", "patients_*.csv"))

-- COMMAND ----------

-- DBTITLE 1,Silver
CREATE OR REFRESH STREAMING LIVE TABLE patients_clean (
  CONSTRAINT valid_id EXPECT (patient_id IS NOT NULL) ON VIOLATION DROP ROW,
  CONSTRAINT valid_age EXPECT (age BETWEEN 0 AND 120)
)
PARTITIONED BY (gender)
COMMENT "Typed and cleaned"
AS SELECT patient_id, initcap(trim(name)) AS name, CAST(age AS INT) AS age, upper(gender) AS gender,
  to_date(admitted, "yyyy-MM-dd") AS admitted
FROM STREAM (live.patients_raw)

-- COMMAND ----------

CREATE LIVE TABLE patients_by_gender
AS SELECT gender, count(*) AS patients, avg(age) AS avg_age, max(admitted) AS last_admitted
FROM live.patients_clean
GROUP BY gender
`,
  });

  it('runs, and every table equals DuckDB', async () => {
    const p = await loadPipeline(path.join(nb, 'patients.sql'), { conf: { source: '/Volumes/main/raw' }, pathMap: [`/Volumes/main/raw/patients=${input}`], input });
    expect(p.options.ansi).toBe(false);
    const clean = p.datasets.find((d) => d.name === 'patients_clean')!;
    expect(clean.def.properties['localdlt.partitionedBy']).toBe('gender');
    expect(clean.def.expectations.map((e) => [e.name, e.action])).toEqual([['valid_id', 'drop'], ['valid_age', 'warn']]);
    const run = await runPipeline(p, { input });
    expect(run.failure).toBeNull();
    const raw = `read_csv(${q(path.join(input, 'patients_*.csv'))}, header = true, all_varchar = true, quote = '"', escape = '"')`;
    await compare(p, run, 'patients_raw', `SELECT *, NULL::VARCHAR AS _rescued_data FROM ${raw}`, ['_metadata']);
    const clean2 = `SELECT patient_id,
        array_to_string(list_transform(string_split(lower(trim(name)), ' '), w -> upper(w[1]) || w[2:]), ' ') AS name,
        TRY_CAST(age AS INTEGER) AS age, upper(gender) AS gender, strftime(try_strptime(admitted, '%Y-%m-%d'), '%Y-%m-%d') AS admitted
      FROM ${raw} WHERE patient_id IS NOT NULL`;
    await compare(p, run, 'patients_clean', clean2);
    await compare(p, run, 'patients_by_gender', `SELECT gender, count(*) AS patients, avg(age) AS avg_age, max(admitted) AS last_admitted FROM (${clean2}) GROUP BY gender`);
    expect(run.expectation('patients_clean', 'valid_age').failed_records).toBe(3); // 130, and the NULL ages (abc, empty) count as failed
    expect(run.totals('patients_clean').dropped_records).toBe(1);
  });
});

describe('modern notebook: STREAM read_files, join, CTE, QUALIFY', () => {
  const input = folder('modern-in', {
    'admissions_2024_01.csv': [
      'admission_id;patient_id;dept_code;admitted_at;cost',
      '1;p1;CARD;2024-01-01 08:00:00;1200.50',
      '2;p2;NEUR;2024-01-01 09:30:00;800',
      '3;p1;CARD;2024-01-02 10:00:00;',
      '4;p3;ONC;2024-01-03 11:00:00;5000.25',
      '5;p4;XXX;2024-01-03 12:00:00;10',
    ].join('\n'),
    'admissions_2024_02.csv': [
      'admission_id;patient_id;dept_code;admitted_at;cost',
      '6;p2;NEUR;2024-02-01 08:00:00;900.75',
      '7;p5;card;2024-02-02 08:00:00;300',
      '8;p1;CARD;2024-02-03 08:00:00;1500',
    ].join('\n'),
    'departments.csv': 'dept_code,dept_name,floor\nCARD,Cardiology,2\nNEUR,Neurology,3\nONC,Oncology,4\n',
  });
  const sql = `
CREATE OR REFRESH STREAMING TABLE admissions_bronze
COMMENT 'admissions as they arrive'
AS SELECT *, _metadata.file_name AS source_file
FROM STREAM read_files('/Volumes/hospital/landing/admissions_*.csv', format => 'csv', header => true, sep => ';',
  schemaHints => 'cost DOUBLE, admission_id BIGINT');

CREATE OR REFRESH MATERIALIZED VIEW departments
AS SELECT * FROM read_files('/Volumes/hospital/landing/departments.csv', format => 'csv', header => 'true');

CREATE OR REFRESH STREAMING TABLE admissions (
  admission_id BIGINT, patient_id STRING, dept STRING, admitted_at TIMESTAMP, cost DOUBLE, source_file STRING,
  CONSTRAINT known_cost EXPECT (cost IS NOT NULL) ON VIOLATION DROP ROW
)
AS SELECT a.admission_id, a.patient_id, upper(a.dept_code) AS dept, a.admitted_at, a.cost, a.source_file
FROM STREAM(admissions_bronze) a;

CREATE OR REFRESH MATERIALIZED VIEW department_costs
AS WITH per_patient AS (
  SELECT a.dept, a.patient_id, sum(a.cost) AS total, count(*) AS visits
  FROM admissions a
  GROUP BY ALL
)
SELECT d.dept_name, p.patient_id, p.total, p.visits,
  rank() OVER (PARTITION BY d.dept_name ORDER BY p.total DESC) AS rnk
FROM per_patient p
LEFT JOIN departments d ON p.dept = d.dept_code
QUALIFY rnk <= 2;

CREATE OR REFRESH MATERIALIZED VIEW monthly
AS SELECT date_trunc('MONTH', admitted_at) AS month, count(DISTINCT patient_id) AS patients, round(sum(cost), 2) AS cost
FROM admissions GROUP BY 1 ORDER BY month;
`;
  const nb = folder('modern-nb', { 'admissions.sql': sql });

  it('runs, and every table equals DuckDB', async () => {
    const p = await loadPipeline(path.join(nb, 'admissions.sql'), { pathMap: [`/Volumes/hospital/landing=${input}`], input });
    expect(p.options.ansi).toBe(true);
    const run = await runPipeline(p, { input });
    expect(run.failure).toBeNull();
    const adm = `read_csv(${q(path.join(input, 'admissions_*.csv'))}, header = true, delim = ';', filename = true,
      columns = {'admission_id': 'BIGINT', 'patient_id': 'VARCHAR', 'dept_code': 'VARCHAR', 'admitted_at': 'TIMESTAMP', 'cost': 'DOUBLE'})`;
    await compare(p, run, 'admissions_bronze', `SELECT admission_id, patient_id, dept_code, admitted_at, cost, NULL::VARCHAR AS _rescued_data, parse_filename(filename) AS source_file FROM ${adm}`);
    await compare(p, run, 'departments', `SELECT dept_code, dept_name, floor::INTEGER AS floor, NULL::VARCHAR AS _rescued_data FROM read_csv(${q(path.join(input, 'departments.csv'))}, header = true, all_varchar = true)`);
    const admissions = `SELECT admission_id, patient_id, upper(dept_code) AS dept, admitted_at, cost, parse_filename(filename) AS source_file FROM ${adm} WHERE cost IS NOT NULL`;
    await compare(p, run, 'admissions', admissions);
    await compare(p, run, 'department_costs', `WITH per_patient AS (SELECT dept, patient_id, sum(cost) AS total, count(*) AS visits FROM (${admissions}) GROUP BY ALL),
      d AS (SELECT * FROM read_csv(${q(path.join(input, 'departments.csv'))}, header = true, all_varchar = true))
      SELECT * FROM (SELECT d.dept_name, p.patient_id, p.total, p.visits, rank() OVER (PARTITION BY d.dept_name ORDER BY p.total DESC) AS rnk
        FROM per_patient p LEFT JOIN d ON p.dept = d.dept_code) WHERE rnk <= 2`);
    await compare(p, run, 'monthly', `SELECT date_trunc('month', admitted_at) AS month, count(DISTINCT patient_id) AS patients, round(sum(cost), 2) AS cost FROM (${admissions}) GROUP BY 1`);
    expect(run.rows('monthly').map((r) => r.patients)).toEqual([4, 3]);
  });
});

describe('JSON notebook: read_files format json, LATERAL VIEW explode, window()', () => {
  const input = folder('json-in', {
    'vitals_001.json': [
      '{"patient_id": "p1", "ts": "2024-03-01T08:05:00", "hr": 72, "tags": ["rest", "am"]}',
      '{"patient_id": "p2", "ts": "2024-03-01T08:20:00", "hr": 130, "tags": ["exercise"]}',
      '{"patient_id": "p1", "ts": "2024-03-01T09:10:00", "hr": null, "tags": []}',
      '{"patient_id": "p3", "ts": "2024-03-01T09:40:00", "hr": 88}',
      '',
    ].join('\n'),
    'vitals_002.json': [
      '{"patient_id": "p2", "ts": "2024-03-01T10:00:00", "hr": 95, "tags": ["am", "rest"]}',
      '{"patient_id": "p4", "ts": "2024-03-01T10:15:00", "hr": 61, "tags": null}',
    ].join('\n'),
  });
  const sql = `-- Databricks notebook source
CREATE OR REFRESH STREAMING TABLE vitals_raw
AS SELECT * FROM STREAM read_files('\${landing}/vitals_*.json', format => 'json');

-- COMMAND ----------

CREATE OR REFRESH STREAMING TABLE vitals (
  CONSTRAINT has_hr EXPECT (hr IS NOT NULL) ON VIOLATION DROP ROW
) AS SELECT patient_id, to_timestamp(ts) AS ts, CAST(hr AS INT) AS hr, tags
FROM STREAM(vitals_raw);

-- COMMAND ----------

CREATE OR REFRESH MATERIALIZED VIEW vitals_tags
AS SELECT patient_id, tag, count(*) AS n FROM vitals LATERAL VIEW explode(tags) t AS tag GROUP BY patient_id, tag;

-- COMMAND ----------

CREATE OR REFRESH MATERIALIZED VIEW hourly
AS SELECT window.start AS hour_start, window.end AS hour_end, count(*) AS readings, max(hr) AS max_hr
FROM vitals GROUP BY window(ts, '1 hour')
`;
  const nb = folder('json-nb', { 'vitals.sql': sql });

  it('runs, and every table equals DuckDB', async () => {
    const p = await loadPipeline(path.join(nb, 'vitals.sql'), { conf: { landing: input }, input });
    const run = await runPipeline(p, { input });
    expect(run.failure).toBeNull();
    const raw = `read_json(${q(path.join(input, 'vitals_*.json'))}, format = 'newline_delimited', columns = {'hr': 'BIGINT', 'patient_id': 'VARCHAR', 'tags': 'VARCHAR[]', 'ts': 'VARCHAR'})`;
    await compare(p, run, 'vitals_raw', `SELECT hr, patient_id, tags, ts, NULL::VARCHAR AS _rescued_data FROM ${raw}`);
    const vitals = `SELECT patient_id, ts::TIMESTAMP AS ts, hr::INTEGER AS hr, tags FROM ${raw} WHERE hr IS NOT NULL`;
    await compare(p, run, 'vitals', vitals);
    await compare(p, run, 'vitals_tags', `SELECT patient_id, tag, count(*) AS n FROM (SELECT patient_id, unnest(tags) AS tag FROM (${vitals})) GROUP BY ALL`);
    await compare(p, run, 'hourly', `SELECT time_bucket(INTERVAL 1 HOUR, ts) AS hour_start, time_bucket(INTERVAL 1 HOUR, ts) + INTERVAL 1 HOUR AS hour_end, count(*) AS readings, max(hr) AS max_hr FROM (${vitals}) GROUP BY ALL`);
    expect(run.totals('vitals').dropped_records).toBe(1);
  });
});

describe('healthcare tutorial shape: two bound tables, APPLY CHANGES, CLI replay in chunks', () => {
  const files: Record<string, string> = {
    'patients_daily_file_001.csv': [
      'patient_id,name,age,gender,diagnosis_code,updated_at',
      'P1,Ann Lee,34,F,D01,2024-01-01 08:00:00',
      'P2,Bob Ray,67,M,D02,2024-01-01 09:00:00',
      'P3,Cy Moe,-5,M,D01,2024-01-01 09:30:00',
    ].join('\n'),
    'patients_daily_file_002.csv': [
      'patient_id,name,age,gender,diagnosis_code,updated_at',
      'P1,Ann Lee,35,F,D03,2024-01-02 08:00:00',
      ',Nameless,50,F,D01,2024-01-02 08:30:00',
      'P4,Dee Kay,41,F,D99,2024-01-02 09:00:00',
    ].join('\n'),
    'patients_daily_file_003.csv': [
      'patient_id,name,age,gender,diagnosis_code,updated_at',
      'P2,Bob Ray,68,M,D02,2024-01-03 09:00:00',
      'P1,Ann Lee,34,F,D01,2023-12-31 08:00:00',
      'P5,Eli Fox,29,M,D03,2024-01-03 10:00:00',
    ].join('\n'),
  };
  const mapping = 'diagnosis_code,diagnosis_description\nD01,Hypertension\nD02,Diabetes\nD03,Asthma\n';
  const sql = `-- Databricks notebook source
-- MAGIC %md
-- MAGIC # Healthcare pipeline (tutorial shape)

-- COMMAND ----------

USE CATALOG healthcare_catalog;
USE SCHEMA healthcare;

-- COMMAND ----------

CREATE OR REFRESH STREAMING TABLE patients_bronze
COMMENT "Raw daily patient records"
AS SELECT * FROM STREAM(healthcare.raw_patients_daily);

CREATE OR REFRESH MATERIALIZED VIEW diagnosis_mapping
AS SELECT * FROM healthcare.raw_diagnosis_map;

-- COMMAND ----------

CREATE OR REFRESH STREAMING TABLE patients_silver (
  CONSTRAINT valid_patient_id EXPECT (patient_id IS NOT NULL) ON VIOLATION DROP ROW,
  CONSTRAINT valid_age EXPECT (age BETWEEN \${min_age} AND 120) ON VIOLATION DROP ROW
)
AS SELECT p.patient_id, p.name, p.age, p.gender, p.diagnosis_code,
  coalesce(m.diagnosis_description, 'Unknown') AS diagnosis_description, p.updated_at
FROM STREAM(patients_bronze) p
LEFT JOIN diagnosis_mapping m ON p.diagnosis_code = m.diagnosis_code;

-- COMMAND ----------

CREATE OR REFRESH STREAMING TABLE patients_current;

APPLY CHANGES INTO patients_current
FROM STREAM(patients_silver)
KEYS (patient_id)
SEQUENCE BY updated_at
STORED AS SCD TYPE 1;

-- COMMAND ----------

CREATE OR REFRESH MATERIALIZED VIEW diagnosis_summary
AS SELECT diagnosis_description, count(*) AS patient_count, avg(age) AS avg_age
FROM healthcare_catalog.healthcare.patients_current
GROUP BY diagnosis_description
`;
  let nbFile: string;
  const args = (input: string, out: string) => ['--pipeline', nbFile, '--input', input, '--output', out,
    '--source', 'healthcare.raw_patients_daily=patients_daily_file_*.csv,schema=patient_id STRING, name STRING, age INT, gender STRING, diagnosis_code STRING, updated_at TIMESTAMP',
    '--source', 'healthcare.raw_diagnosis_map=diagnosis_mapping.csv,format=csv', '--conf', 'min_age=0'];
  beforeAll(() => {
    ensureBuilt();
    nbFile = path.join(folder('tutorial-nb', { 'healthcare.sql': sql }), 'healthcare.sql');
  });

  const patientsSql = (input: string) => `read_csv(${q(path.join(input, 'patients_daily_file_*.csv'))}, header = true,
    columns = {'patient_id': 'VARCHAR', 'name': 'VARCHAR', 'age': 'INTEGER', 'gender': 'VARCHAR', 'diagnosis_code': 'VARCHAR', 'updated_at': 'TIMESTAMP'})`;

  async function check(out: string, input: string): Promise<void> {
    const read = (t: string) => readTableViaLog(duck, out, t);
    // a declared schema: no rescued data column (as read_files with schema =>)
    multisetEqual(await read('patients_bronze'), await duck.all(`SELECT * FROM ${patientsSql(input)}`), { label: 'patients_bronze', ignore: ['_metadata'] });
    const map = `read_csv(${q(path.join(input, 'diagnosis_mapping.csv'))}, header = true, all_varchar = true)`;
    multisetEqual(await read('diagnosis_mapping'), await duck.all(`SELECT *, NULL::VARCHAR AS _rescued_data FROM ${map}`), { label: 'diagnosis_mapping' });
    const silver = `SELECT p.patient_id, p.name, p.age, p.gender, p.diagnosis_code, coalesce(m.diagnosis_description, 'Unknown') AS diagnosis_description, p.updated_at
      FROM ${patientsSql(input)} p LEFT JOIN ${map} m ON p.diagnosis_code = m.diagnosis_code WHERE p.patient_id IS NOT NULL AND p.age BETWEEN 0 AND 120`;
    multisetEqual(await read('patients_silver'), await duck.all(silver), { label: 'patients_silver' });
    const current = `SELECT s.* FROM (${silver}) s JOIN (SELECT patient_id, max(updated_at) AS last FROM (${silver}) GROUP BY patient_id) x ON s.patient_id = x.patient_id AND s.updated_at = x.last`;
    multisetEqual(await read('patients_current'), await duck.all(current), { label: 'patients_current' });
    multisetEqual(await read('diagnosis_summary'), await duck.all(`SELECT diagnosis_description, count(*) AS patient_count, avg(age) AS avg_age FROM (${current}) GROUP BY ALL`), { label: 'diagnosis_summary' });
  }

  it('replays through the CLI, and every table equals DuckDB', { timeout: 60_000 }, async () => {
    const input = folder('tutorial-in', { ...files, 'diagnosis_mapping.csv': mapping });
    const out = path.join(root, 'tutorial-out');
    const r = await runCli(['replay', ...args(input, out)]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readdirSync(path.join(out, 'tables')).sort()).toEqual(['diagnosis_mapping', 'diagnosis_summary', 'patients_bronze', 'patients_current', 'patients_silver']);
    await check(out, input);
    expect((await readTableViaLog(duck, out, 'patients_current')).find((x) => x.patient_id === 'P1')?.diagnosis_code).toBe('D03');
  });

  it('a replay cut into chunks, with restarts, equals a one-shot replay', { timeout: 90_000 }, async () => {
    const input = folder('tutorial-chunks', { 'diagnosis_mapping.csv': mapping });
    const out = path.join(root, 'tutorial-chunks-out');
    for (const name of Object.keys(files).sort()) {
      fs.writeFileSync(path.join(input, name), files[name]);
      const r = await runCli(['replay', ...args(input, out)]);
      expect(r.code, r.stderr).toBe(0);
    }
    const oneShot = path.join(root, 'tutorial-out');
    for (const t of ['patients_bronze', 'diagnosis_mapping', 'patients_silver', 'patients_current', 'diagnosis_summary']) {
      multisetEqual(await readTableViaLog(duck, out, t), await readTableViaLog(duck, oneShot, t), { label: `chunked ${t}`, ignore: ['_metadata'] });
    }
    await check(out, input);
  });
});
