/**
 * The Databricks notebook computes what the engine computes, outside what the
 * portability report tags. The emitted Databricks text (notebook and Python
 * flow) runs in the witness (`helpers/databricks-witness.ts`: Spark's CSV
 * tokenizer and Auto Loader's header and rescued-column rules, Spark's
 * try_cast, Java regexes, map functions, window(), watermarks, expectations,
 * dropDuplicates), written apart from the compiler; every table is compared
 * with the engine's.
 *
 * The report's entries without a condition always apply; an entry with a
 * condition applies when the input triggers it, which each case names. For a
 * triggered entry the test also shows that the difference is real: without
 * the entry's tags the comparison fails.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runPipeline, type PipelineRun } from '../engine/testing.js';
import { patientPipeline } from '../layers/pipeline.js';
import { buildGraph } from '../engine/graph/graph.js';
import { compilePipeline, type PortabilityIssue } from '../engine/sql/index.js';
import { differencesIn } from '../engine/sql/report.js';
import { Duck, dateString, multisetEqual, type PlainRow } from './helpers/duck.js';
import { runDatabricksWitness } from './helpers/databricks-witness.js';

const FIX = path.join('test', 'fixtures', 'spark-csv');
const graph = buildGraph(patientPipeline);

function engineRows(run: PipelineRun, table: string): PlainRow[] {
  const dates = graph.datasets.get(table)!.schema.filter((f) => f.type === 'date').map((f) => f.name);
  return run.rows(table).map((r) => {
    const o: PlainRow = { ...r };
    for (const d of dates) if (typeof o[d] === 'number') o[d] = dateString(o[d] as number);
    return o;
  });
}

interface Outcome {
  run: PipelineRun;
  witness: Record<string, PlainRow[]>;
  report: PortabilityIssue[];
  notebook: string;
}

async function witnessRun(dir: string, patch: (notebook: string) => string = (x) => x): Promise<Outcome> {
  const run = await runPipeline(patientPipeline, { input: dir });
  expect(run.failure).toBeNull();
  const { files, report, main } = compilePipeline(patientPipeline, { dialect: 'databricks', input: dir });
  const notebook = patch(files[main[0]]);
  const db = await Duck.open();
  try {
    const { order } = await runDatabricksWitness(db, files, notebook, { sourcePath: dir });
    expect(order).toEqual([...graph.order]);
    const witness: Record<string, PlainRow[]> = {};
    for (const t of order) witness[t] = await db.all(`SELECT * FROM "${t}"`);
    return { run, witness, report, notebook };
  } finally { db.close(); }
}

/** The tables that differ beyond what the entries (unconditional, plus `triggered`) tag; an empty list = agreement. */
function untagged(o: Outcome, triggered: readonly string[]): string[] {
  const active = o.report.filter((i) => i.condition === undefined || triggered.includes(i.code));
  const failures: string[] = [];
  for (const t of graph.order) {
    const d = differencesIn(active, t);
    if (d.rows) continue;
    try {
      const actual = o.witness[t], expected = engineRows(o.run, t);
      if (actual.length !== expected.length) throw new Error(`${t}: ${actual.length} rows, engine ${expected.length}`);
      if (actual.length) expect(Object.keys(actual[0])).toEqual(graph.datasets.get(t)!.schema.map((f) => f.name));
      multisetEqual(actual, expected, { label: t, ignore: [...d.columns] });
    } catch (e) {
      failures.push((e as Error).message.split('\n').slice(0, 6).join('\n'));
    }
  }
  return failures;
}

/** Agreement outside the tags, and each triggered entry needed (without it, something differs). */
function expectTagged(o: Outcome, triggered: readonly string[]): void {
  expect(untagged(o, triggered)).toEqual([]);
  for (const code of triggered) expect(o.report.some((i) => i.code === code), `${code} is in the report`).toBe(true);
  // the tags are needed: without them something differs
  if (triggered.length) expect(untagged(o, []).length, `${triggered.join(', ')} tag real differences`).toBeGreaterThan(0);
}

const caseDir = (c: string) => path.join(FIX, c);

describe('the Databricks notebook, run with Spark semantics, computes what the engine computes', () => {
  it('padded and case-changed header names: columns still matched (ignoreLeading/TrailingWhiteSpace + readerCaseSensitive false)', async () => {
    const o = await witnessRun(caseDir('header-padded'));
    expectTagged(o, []);
    const p3 = o.witness.patients_bronze.find((r) => r.patient_id === 'P3');
    expect(p3).toMatchObject({ name: 'Cy', age: 51, gender: 'F', diagnosis_code: 'D003', admission_date: '2024-03-02' });
    expect(o.witness.patients_silver.map((r) => r.patient_id).sort()).toEqual(['P1', 'P2', 'P3']);
  }, 60_000);

  it('without the whitespace options the witness shows the issue: padded header names do not match on Databricks', async () => {
    const o = await witnessRun(caseDir('header-padded'), (nb) => nb.replace(/\n\s*ignoreLeadingWhiteSpace => true,\n\s*ignoreTrailingWhiteSpace => true,/g, ''));
    const p3 = o.witness.patients_bronze.find((r) => r.age === 51);
    expect(p3?.patient_id).toBeNull();
    expect(untagged(o, []).length).toBeGreaterThan(0);
  }, 60_000);

  it('a UTF-8 BOM is skipped (with CRLF line ends)', async () => {
    const o = await witnessRun(caseDir('bom'));
    expectTagged(o, []);
    expect(o.witness.patients_bronze.map((r) => r.patient_id).sort()).toEqual(['P1', 'P2']);
  }, 60_000);

  it('whitespace-only lines, before the header and between records, LF and CRLF, are skipped', async () => {
    const o = await witnessRun(caseDir('whitespace-lines'));
    expectTagged(o, []);
    expect(o.witness.patients_bronze).toHaveLength(5);
  }, 60_000);

  it('a quote after leading spaces opens a quoted field; spaces inside quotes are trimmed by the SQL', async () => {
    const o = await witnessRun(caseDir('quotes-after-spaces'));
    expectTagged(o, []);
    const rows = Object.fromEntries(o.witness.patients_bronze.map((r) => [r.patient_id, r]));
    expect(rows.P1).toMatchObject({ address: '1 Elm St, Apt 2', contact_number: '555-1' });
    expect(rows.P2).toMatchObject({ name: 'Ben "B" Brook', age: 40, address: '2 Mill Ln, rear' });
    expect(rows.P3).toMatchObject({ address: '3 Ford Rd', contact_number: '555-3', diagnosis_code: 'D003' });
  }, 60_000);

  it('CR-only line endings: one line for both (lineSep => \'\\n\'); a lone CR inside a value is data', async () => {
    const o = await witnessRun(caseDir('cr-only'));
    expectTagged(o, []);
    expect(o.witness.patients_bronze.map((r) => r.patient_id).sort()).toEqual(['P3', 'P4']);
  }, 60_000);

  it('a header with an unknown column: its fields rescued by name, trimmed, NULL markers left out', async () => {
    const o = await witnessRun(caseDir('unknown-column'));
    expectTagged(o, []);
    const rescued = Object.fromEntries(o.witness.patients_bronze.map((r) => [r.patient_id, r._rescued_data]));
    expect(rescued).toEqual({ P1: '{"ward":"East"}', P2: '{"ward":"West"}', P3: null, P4: null, P5: '{"age":"fifty"}' });
  }, 60_000);

  it('an open quote in the last record: CORRUPT_RECORD tags the rows it changes, downstream included', async () => {
    const o = await witnessRun(caseDir('open-quote'));
    expectTagged(o, ['CORRUPT_RECORD']);
    const engineP3 = o.run.rows('patients_bronze').find((r) => String(r._rescued_data ?? '').includes('_corrupt_record'));
    expect(engineP3?.patient_id).toBeNull();
    const sparkP3 = o.witness.patients_bronze.find((r) => r.patient_id === 'P3');
    // the quoted field runs to the end of the file, its final line break included
    expect(sparkP3).toMatchObject({ name: 'Cy', address: '3 Ford Rd, 555-3,2024-03-02,D003\n', contact_number: null });
    // the vitals and the mapping are not reached
    const reach = o.report.find((i) => i.code === 'CORRUPT_RECORD' && i.table === 'patients_bronze')!.reach.map((r) => r.table);
    expect(reach).toEqual(expect.arrayContaining(['patients_bronze', 'patients_quarantine', 'patients_silver', 'patient_stats_by_gender', 'admissions_rolling_7d']));
    expect(reach).not.toContain('vitals_bronze');
    expect(reach).not.toContain('diagnosis_mapping');
  }, 60_000);

  it('text after a closing quote: TEXT_AFTER_QUOTE tags the values', async () => {
    const o = await witnessRun(caseDir('text-after-quote'));
    expectTagged(o, ['TEXT_AFTER_QUOTE']);
    expect(o.witness.patients_bronze.find((r) => r.patient_id === 'P1')?.address).toBe('"1 Quay" St');
    expect(o.run.rows('patients_bronze').find((r) => r.patient_id === 'P1')?.address).toBe('1 Quay St');
  }, 60_000);

  it('the sample data: agreement outside the unconditional tags and the dedup choice', async () => {
    const o = await witnessRun('data');
    expectTagged(o, ['DEDUP_FIRST_ROW', 'RESCUED_EXTRA_FIELDS']);
    for (const t of ['patients_bronze', 'vitals_bronze', 'vitals_silver', 'vitals_15min']) expect(o.witness[t].length, t).toBeGreaterThan(0);
  }, 60_000);

  it('the dirty fixture: agreement outside the tags its input triggers', async () => {
    const o = await witnessRun(path.join('test', 'fixtures', 'dirty'));
    expectTagged(o, ['DEDUP_FIRST_ROW', 'RESCUED_EXTRA_FIELDS', 'RESCUED_KEY_ORDER']);
  }, 60_000);

  it('every report entry names its columns and reach; conditional entries say when', () => {
    const { report } = compilePipeline(patientPipeline, { dialect: 'databricks', input: 'data' });
    for (const i of report) {
      expect(Array.isArray(i.columns), i.code).toBe(true);
      if (i.columns.length || i.rows) expect(i.reach[0]?.table, i.code).toBe(i.table);
      for (const r of i.reach) if (r.rows) expect(r.columns).toEqual(graph.datasets.get(r.table)!.schema.map((f) => f.name));
    }
  });
});

describe('the witness itself', () => {
  it('the patient change feed: AUTO CDC into SCD type 1 and 2 and the as-of join agree (out of order, a delete then a stale update, quarantined rows)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'localdlt-witness-cdc-'));
    try {
      fs.copyFileSync(path.join(FIX, 'bom', 'diagnosis_mapping.csv'), path.join(dir, 'diagnosis_mapping.csv'));
      fs.writeFileSync(path.join(dir, 'patients_daily_file_001.csv'), 'patient_id,name,age,gender,address,contact_number,admission_date,diagnosis_code\nP1,Ann,34,F,1 Quay St,555-1,2024-03-05,D001\nP2,Ben,40,M,2 Mill Ln,555-2,2024-03-01,D002\nP3,Cy,51,F,3 Elm St,555-3,2024-03-02,D003\n');
      fs.writeFileSync(path.join(dir, 'patient_updates_000001.csv'), [
        'patient_id,name,address,contact_number,insurance_id,op,updated_at',
        'P1,Ann,1 Quay St,555-1,I1,UPSERT,2024-03-01T10:00:00Z',
        'P1,Ann,7 New Rd,555-1,I1,UPSERT,2024-03-10T10:00:00Z',
        'P2,Ben,2 Mill Ln,555-2,,UPSERT,2024-02-01T00:00:00Z',
        'P3,,,,,DELETE,2024-03-20T00:00:00Z',
        'P4,Dee,4 Oak St,555-4,I4,MERGE,2024-03-01T00:00:00Z',
        '',
      ].join('\n'));
      fs.writeFileSync(path.join(dir, 'patient_updates_000002.csv'), [
        'patient_id,name,address,contact_number,insurance_id,op,updated_at',
        'P1,Ann,5 Mid Ave,555-1,I1,UPSERT,2024-03-04T10:00:00Z',
        'P2,Ben,2 Mill Ln,555-2,I2,UPSERT,2024-02-15T00:00:00Z',
        'P3,Cy,3 Elm St,555-3,I3,UPSERT,2024-03-01T00:00:00Z',
        ',Nobody,,,,UPSERT,2024-03-01T00:00:00Z',
        '',
      ].join('\n'));
      const o = await witnessRun(dir);
      expectTagged(o, []);
      expect(o.witness.patients_current.map((r) => r.patient_id).sort()).toEqual(['P1', 'P2']);
      expect(o.witness.patients_history.filter((r) => r.patient_id === 'P1').map((r) => r.address)).toEqual(expect.arrayContaining(['1 Quay St', '5 Mid Ave', '7 New Rd']));
      expect(o.witness.patient_updates_quarantine).toHaveLength(2);
      expect(o.witness.admissions_with_address.find((r) => r.patient_id === 'P1')!.address_at_admission).toBe('5 Mid Ave');
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  }, 60_000);

  it('a dirty folder written here: a quoted value with a trailing line break is not an integer (Java $ vs \\z)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'localdlt-witness-'));
    try {
      fs.copyFileSync(path.join(FIX, 'bom', 'diagnosis_mapping.csv'), path.join(dir, 'diagnosis_mapping.csv'));
      fs.writeFileSync(path.join(dir, 'patients_daily_file_001.csv'), 'patient_id,name,age,gender,address,contact_number,admission_date,diagnosis_code\nP1,Ann,"34\n",F,1 Quay St,555-1,"2024-03-01\n",D001\nP2,Ben,40,M,2 Mill Ln,555-2,2024-03-01,D002\n');
      const o = await witnessRun(dir);
      expectTagged(o, []);
      expect(o.witness.patients_bronze.find((r) => r.patient_id === 'P1')).toMatchObject({ age: null, admission_date: null });
      // with the RLIKE anchored by $ (Java: also before a final line break) Spark would read 34 and 2024-03-01
      const dollar = await witnessRun(dir, (nb) => nb.replace(/\\\\z'/g, () => "$'"));
      expect(dollar.witness.patients_bronze.find((r) => r.patient_id === 'P1')).toMatchObject({ age: 34, admission_date: '2024-03-01' });
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  }, 60_000);
});
