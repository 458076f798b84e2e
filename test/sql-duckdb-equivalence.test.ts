/**
 * The DuckDB dialect is the executable witness that the compiled SQL means
 * what the engine does: the generated script runs in DuckDB over the same
 * input folder as the engine, and every table is compared.
 *
 * - every table and view: equal as multisets (doubles within 1e-9) on every
 *   column the portability report does not list as differing (`_line`,
 *   `_ingested_at`; aggregates have none of them, so they are equal exactly);
 * - AUTO CDC targets (`patients_current`, `patients_history`): the engine's
 *   incremental state equals the script's window functions over all events.
 *
 * Inputs: the sample data (`data/`), the hand-made dirty folder
 * (`test/fixtures/dirty/`), and a dirty folder written here for what those two
 * do not exercise (vitals with bad timestamps and doubles, late readings for
 * the watermark, header-less oddities, null markers in every type).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runPipeline, type PipelineRun } from '../engine/testing.js';
import { patientPipeline } from '../layers/pipeline.js';
import { buildGraph } from '../engine/graph/graph.js';
import { compilePipeline, nonReproducibleColumns } from '../engine/sql/index.js';
import { definePipeline, materializedView, readCsv, streamingTable, view, col, stream, read, count, sum, avg, min, max, tumbling, lit, cast, coalesce, when, udf, length, trim, upper, lower } from '../engine/index.js';
import type { Pipeline } from '../engine/index.js';
import { Duck, dateString, multisetEqual, type PlainRow } from './helpers/duck.js';

const EXTRA = fs.mkdtempSync(path.join(os.tmpdir(), 'localdlt-sql-eq-'));

/** A dirty folder for what data/ and test/fixtures/dirty/ do not cover. */
function writeExtraFixture(dir: string): void {
  const files: Record<string, string> = {
    'patients_daily_file_001.csv': [
      'patient_id,name,age,gender,address,contact_number,admission_date,diagnosis_code,NAME,notes',
      'E1,Amy,30,F,1 A St,555,2024-05-01,D001,dup-name,first note',
      'E2,Bo,NONE,male,2 B St,NaN,2024-05-01,D002,,',
      'E3,Cy,  -0 ,FEMALE,3 C St,556,2024-05-02,D003',
      'E4,Di,12,F,4 D St,557,2024-05-02,D004,x,y,z,w',
      'E1,Amy,31,F,1 A St,555,2024-05-01,D001',
      'E5,"Ed ""E""",40,M,"5 E St, Apt ""9""",558,2024-13-01,D005',
      'E6,Fi,+2147483647,F,6 F St,559,2024-05-03,d006',
      'E7,Gu,-2147483648,M,7 G St,560,2024-05-03,D007',
      'E8,Hu,45,M,8 H St,561,2024-05-04,',
      '',
    ].join('\n'),
    'diagnosis_mapping.csv': 'diagnosis_code,diagnosis_description\nD001,One\nD002,Two\nD003,Three\nD003,Three again\n',
    'vitals_000001.csv': [
      'patient_id,measured_at,heart_rate,systolic_bp,diastolic_bp,temperature_c,spo2',
      'V1,2024-05-01T08:00:00Z,70,120,80,36.6,98',
      'V1,2024-05-01 08:04,72,121,79,36.7,97',
      'V1,2024-05-01T10:05:30+02:00,75,119,78,1e1,96',
      'V2,2024-05-01t08:02:15.1234567z,130,125,85,38.9,95',
      'V2,2024-05-01 24:00,80,120,80,36.6,98',
      'V2,2024-02-30T08:00:00Z,80,120,80,36.6,98',
      'V2,2024-05-01T08:09:59.5,81,122,81,.5,94',
      'V3,2024-05-01,60,110,70,37.,99',
      'V3,2024-05-01T08:20:00-00:30,55,100,60,36.1,93',
      'V3,yesterday,50,90,60,36,92',
      'V4,2024-05-01T08:07:00Z,n/a,null,NA,NaN,None',
      'V4,2024-05-01T08:08:00Z,300,120,80,1e999,101',
      'V5,2024-05-01T08:30:00Z,90,80,95,36.5,97',
      'V5,2024-05-01T08:31:00Z,110,150,90,39.5,88',
    ].join('\r\n') + '\r\n',
    'vitals_000002.csv': [
      'measured_at,PATIENT_ID,heart_rate,temperature_c,extra',
      '2024-05-01T07:55:00Z,V1,65,36.4,late',
      '2024-05-01T08:40:00Z,V2,99,37.1,',
      '2024-05-01T08:41:00Z,V5,,41.0,',
    ].join('\n'),
    '.hidden_vitals_000003.csv': 'patient_id,measured_at\nV9,2024-05-01T08:00:00Z\n',
    // the patient change feed: out of order across files, ties, a delete then a stale update, NULL markers, unknown ops
    'patient_updates_000001.csv': [
      'patient_id,name,address,contact_number,insurance_id,op,updated_at',
      'E1,Amy,1 A St,555,INS1,UPSERT,2024-04-20T08:00:00Z',
      'E1,Amy,9 Z St,555,INS1,UPSERT,2024-05-03T08:00:00Z',
      'E3,Cy,3 C St,556,,UPSERT,2024-05-02T09:00:00Z',
      'E3,Cy,3 C St,556,INS3,UPSERT,2024-05-02T10:00:00Z',
      'E4,Di,4 D St,557,INS4,UPSERT,2024-05-02T10:00:00Z',
      'E4,Di,4 D St,999,INS4,UPSERT,2024-05-02T10:00:00Z',
      'E6,Fi,6 F St,559,,DELETE,2024-05-05T00:00:00Z',
      'E7,Gu,7 G St,560,INS7,MERGE,2024-05-03T00:00:00Z',
      'null,Xx,0 X St,0,,UPSERT,2024-05-01T00:00:00Z',
      'E8,Hu,8 H St,561,INS8,UPSERT,not a time',
      '',
    ].join('\n'),
    'patient_updates_000002.csv': [
      'patient_id,name,address,contact_number,insurance_id,op,updated_at',
      'E1,Amy,5 Q St,555,INS1,UPSERT,2024-05-02T08:00:00Z',
      'E6,Fi,6 F St,559,INS6,UPSERT,2024-05-04T00:00:00Z',
      'E6,Fi,6 G St,559,INS6,UPSERT,2024-05-06T00:00:00Z',
      'E4,,,,,DELETE,2024-05-02T10:00:00Z',
      'E5,Ed,5 E St,,,UPSERT,2024-05-01T00:00:00Z',
      'E5,Ed,5 E St,558,,UPSERT,2024-05-01T00:00:00Z',
      'E2,Bo,2 B St,,INS2,UPSERT,2024-04-30T00:00:00Z',
      'E2,Bo,2 B St,,INS2,UPSERT,2024-04-30T00:00:00Z',
      '',
    ].join('\n'),
    'vitals_000004.csv.tmp': 'patient_id,measured_at\nV9,2024-05-01T08:00:00Z\n',
  };
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
}

const INPUTS: { label: string; dir: string }[] = [
  { label: 'sample data (data/)', dir: 'data' },
  { label: 'dirty fixture (test/fixtures/dirty/)', dir: fs.existsSync('test/fixtures/dirty') ? 'test/fixtures/dirty' : 'test/fixtures/sql-dirty' },
  { label: 'extra dirty folder (vitals, headers, timestamps)', dir: EXTRA },
];

/** Engine rows in the DuckDB helper's plain form (DATE as 'YYYY-MM-DD'). */
function plainEngineRows(p: Pipeline, run: PipelineRun, table: string): PlainRow[] {
  const g = buildGraph(p).datasets.get(table)!;
  const dates = g.schema.filter((f) => f.type === 'date').map((f) => f.name);
  return run.rows(table).map((r) => {
    const o: PlainRow = { ...r };
    for (const d of dates) if (typeof o[d] === 'number') o[d] = dateString(o[d] as number);
    return o;
  });
}

async function compare(p: Pipeline, input: string, opts: { expectFailure?: string } = {}): Promise<{ db: Duck; run: PipelineRun; tables: string[] }> {
  const run = await runPipeline(p, { input });
  const { files, report, main } = compilePipeline(p, { dialect: 'duckdb', input });
  const script = files[main[0]];
  const db = await Duck.open();
  if (opts.expectFailure) {
    await expect(db.run(script)).rejects.toThrow(opts.expectFailure);
    expect(run.failure?.code).toBe('EXPECTATION_FAILED');
    return { db, run, tables: [] };
  }
  expect(run.failure).toBeNull();
  await db.run(script);
  const graph = buildGraph(p);
  const ignore = [...nonReproducibleColumns(report)];
  for (const name of graph.order) {
    const g = graph.datasets.get(name)!;
    const actual = await db.all(`SELECT * FROM "${name}"`);
    const expected = plainEngineRows(p, run, name);
    expect(actual.length, `${name}: row count`).toBe(expected.length);
    // same columns, in the same order
    if (actual.length) expect(Object.keys(actual[0])).toEqual(g.schema.map((f) => f.name));
    // an aggregate's columns are its own; a view that keeps input columns (the as-of join) shares their differences
    multisetEqual(actual, expected, { label: `${name} (${g.kind})`, ignore });
  }
  return { db, run, tables: graph.order as string[] };
}

beforeAll(() => writeExtraFixture(EXTRA));
afterAll(() => fs.rmSync(EXTRA, { recursive: true, force: true }));

describe('the DuckDB script computes what the engine computes', () => {
  for (const { label, dir } of INPUTS) {
    it(`patient pipeline over the ${label}`, async () => {
      const { db, run } = await compare(patientPipeline, dir);
      try {
        // the comparison is not vacuous
        expect(run.rows('patients_bronze').length).toBeGreaterThan(0);
        const counts = await db.all(`SELECT (SELECT count(*) FROM patients_silver) AS silver, (SELECT count(*) FROM patients_quarantine) AS q`);
        expect(counts[0]).toEqual({ silver: run.rows('patients_silver').length, q: run.rows('patients_quarantine').length });
        if (dir === EXTRA) {
          // the extra folder exercises the vitals tables: timestamps, doubles, the watermark, the alerts
          for (const t of ['vitals_bronze', 'vitals_silver', 'vitals_quarantine', 'vitals_15min', 'patient_alerts']) expect(run.rows(t).length, t).toBeGreaterThan(0);
          // and the change feed: both AUTO CDC targets, the quarantine, and addresses found by the as-of join
          for (const t of ['patient_updates_quarantine', 'patients_current', 'patients_history']) expect(run.rows(t).length, t).toBeGreaterThan(0);
          expect(run.rows('patients_current').map((r) => r.patient_id).sort()).toEqual(['E1', 'E2', 'E3', 'E5', 'E6']);
          expect(run.rows('admissions_with_address').some((r) => r.address_at_admission !== null)).toBe(true);
        }
      } finally { db.close(); }
    }, 60_000);
  }

  it('the report excludes only what DuckDB cannot reproduce', () => {
    const { report } = compilePipeline(patientPipeline, { dialect: 'duckdb', input: 'data' });
    expect([...nonReproducibleColumns(report)].sort()).toEqual(['_ingested_at', '_line']);
  });

  it('reproduces _line exactly for files without blank lines or quoted line breaks', async () => {
    const run = await runPipeline(patientPipeline, { input: 'data' });
    const { files, main } = compilePipeline(patientPipeline, { dialect: 'duckdb', input: 'data' });
    const db = await Duck.open();
    try {
      await db.run(files[main[0]]);
      const rows = await db.all(`SELECT _source_file, _line, patient_id FROM patients_bronze WHERE _source_file <> 'patients_daily_file_003.csv'`);
      const expected = run.rows('patients_bronze').filter((r) => r._source_file !== 'patients_daily_file_003.csv').map((r) => ({ _source_file: r._source_file, _line: r._line, patient_id: r.patient_id }));
      multisetEqual(rows, expected, { label: '_line' });
    } finally { db.close(); }
  }, 60_000);
});

describe('expressions and operators beyond the patient pipeline', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'localdlt-sql-expr-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const SCHEMA = { id: 'string', n: 'int', big: 'long', x: 'double', flag: 'boolean', d: 'date', ts: 'timestamp', s: 'string' } as const;
  const src = streamingTable('src', { query: readCsv({ glob: 'src_*.csv', schema: SCHEMA, nullMarkers: ['null', '-'] }) });
  const shout = udf('shout', { returns: 'string', sql: "upper($1) || '!'" }, (v) => (v === null ? null : String(v).toUpperCase() + '!'));
  const exprs = materializedView('exprs', {
    query: read(src).select({
      id: col('id'),
      sum_: col('n').plus(col('big')),
      diff: col('n').minus(3),
      prod: col('n').times(col('x')),
      quot: col('n').div(col('big')),
      modu: col('n').mod(3),
      neg_lit: col('n').plus(-5),
      between_: col('x').between(0.5, 10),
      in_: col('s').in('a', 'b', null),
      notin: col('s').in('a', 'b').not(),
      co: coalesce(col('s'), col('id')),
      cs: when(col('n').gt(2), 'big').when(col('n').isNull(), 'none').otherwise('small'),
      n_text: cast(col('n'), 'string'),
      d_text: cast(col('d'), 'string'),
      ts_text: cast(col('ts'), 'string'),
      flag_text: cast(col('flag'), 'string'),
      s_int: cast(col('s'), 'int'),
      s_long: cast(col('s'), 'long'),
      s_double: cast(col('s'), 'double'),
      s_bool: cast(col('s'), 'boolean'),
      s_date: cast(col('s'), 'date'),
      s_ts: cast(col('s'), 'timestamp'),
      x_int: cast(col('x'), 'int'),
      d_ts: cast(col('d'), 'timestamp'),
      ts_d: cast(col('ts'), 'date'),
      flag_int: cast(col('flag'), 'int'),
      n_bool: cast(col('n'), 'boolean'),
      d_vs_text: col('d').eq(col('s')),
      d_vs_lit: col('d').ge('2024-01-02'),
      ts_vs_d: col('ts').gt(col('d')),
      up: upper(col('s')), lo: lower(col('s')), tr: trim(col('s')), len: length(col('s')),
      udf_: shout(col('s')),
      three_valued: col('flag').and(col('n').gt(0)).or(col('x').lt(0)),
      typed_null: lit(null),
      date_lit: lit('2024-02-29', 'date'),
      ts_lit: lit('2024-03-01T10:00:00Z', 'timestamp'),
    }),
  });
  const grouped = materializedView('grouped', {
    query: read(src).groupBy('flag').agg({ rows: count(), n_sum: sum('n'), x_sum: sum('x'), big_sum: sum('big'), x_avg: avg('x'), d_min: min('d'), s_max: max('s'), n_count: count('n') }),
  });
  const total = materializedView('total', { query: read(src).filter(col('id').eq('none')).agg({ rows: count(), n_sum: sum('n') }) });
  const hourly = materializedView('hourly', { query: read(src).groupBy(tumbling('ts', '1 hour')).agg({ rows: count() }) });
  const joined = view('joined', { query: stream(src).join(read(exprs), 'id').select('id', 'n', 'sum_', 'cs') });
  const deduped = streamingTable('deduped', { query: stream(src).dropDuplicates(['flag']).withColumn('n2', col('n').times(2)) });
  const pipeline = definePipeline([src, exprs, grouped, total, hourly, joined, deduped], { name: 'exprs' });

  it('agree on every operator, cast and literal form', async () => {
    fs.writeFileSync(path.join(dir, 'src_1.csv'), [
      'id,n,big,x,flag,d,ts,s',
      'a,1,10,0.5,true,2024-01-01,2024-01-01T10:30:00Z,a',
      'b,5,-3,2.25,false,2024-01-02,2024-01-01 11:00,2024-01-02',
      'c,-7,0,-1e2,TRUE,2024-02-29,2024-01-01T11:59:59.999Z, 42 ',
      'd,0,9007199254740991,0,-,2024-01-03,2024-01-02,true',
      'e,-,-,-,false,-,-,-',
      'f,12,4,3,true,2023-12-31,2023-12-31T23:00:00-01:00,2024-01-01T00:00:00+01:00',
      'g,3,2,1.5,false,2024-01-01,2024-01-01T12:00:00Z,b',
      'h,2147483647,1,7.75,true,2024-01-05,2024-01-05T00:00:00Z,  padded  ',
    ].join('\n') + '\n');
    const { db, run } = await compare(pipeline, dir);
    db.close();
    for (const t of ['src', 'exprs', 'grouped', 'hourly', 'joined', 'deduped']) expect(run.rows(t).length, t).toBeGreaterThan(0);
    expect(run.rows('total')).toEqual([{ rows: 0, n_sum: null }]);
  }, 60_000);

  it('a failing fail expectation stops the DuckDB script as it fails the engine', async () => {
    const strict = materializedView('strict', { query: read(src).select('id', 'n'), expectOrFail: { small_n: col('n').lt(100) } });
    const p = definePipeline([src, strict], { name: 'strict' });
    const { db } = await compare(p, dir, { expectFailure: 'EXPECTATION_FAILED: expectation "small_n" failed on strict' });
    db.close();
  }, 60_000);
});
