/**
 * End to end: replays `data/` and the hand-made dirty folder (test/fixtures/dirty)
 * through the patient pipeline with Delta/Parquet output, then checks the
 * result against the same logic written independently in DuckDB SQL:
 *
 *  (a) bronze holds one row per data record of the input (counted here, not by the engine);
 *  (b) quarantine, silver and every gold table == DuckDB's SQL over the engine's bronze Parquet
 *      (multiset equality ignoring `_ingested_at`, doubles within 1e-9);
 *  (c) gold tables (and the business columns of silver and quarantine) == DuckDB's SQL over
 *      DuckDB's own `read_csv` of the input files;
 *  plus the persisted tables, their Delta logs and the types DuckDB reads.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline, type PipelineRun } from '../engine/testing.js';
import { patientPipeline } from '../layers/pipeline.js';
import { Duck, dateString, multisetEqual, sqlString, type PlainRow } from './helpers/duck.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GOLD = ['patient_stats_by_diagnosis', 'patient_stats_by_gender', 'daily_admissions_by_diagnosis', 'admissions_rolling_7d'];
const PERSISTED = ['diagnosis_mapping', 'patients_bronze', 'patients_quarantine', 'patients_silver', ...GOLD];
/** The vitals stream's tables (issue: windows and watermarks), written by the same pipeline. */
const VITALS = ['vitals_bronze', 'vitals_quarantine', 'vitals_silver', 'vitals_15min', 'patient_early_warning', 'patient_risk_features', 'patient_risk', 'patient_alerts'];
/** The patient change feed's tables (issue: flows and AUTO CDC), empty without patient_updates_*.csv files, and the as-of gold view. */
const UPDATES = ['patient_updates_bronze', 'patient_updates_quarantine', 'patients_current', 'patients_history', 'admissions_with_address'];
const IGNORE = ['_ingested_at'];

// ---------------------------------------------------------------- expected Parquet types (as DuckDB reads them)
const V = 'VARCHAR', I = 'INTEGER', L = 'BIGINT', D = 'DOUBLE', TZ = 'TIMESTAMP WITH TIME ZONE';
const PATIENT = { patient_id: V, name: V, age: I, gender: V, address: V, contact_number: V, admission_date: 'DATE', diagnosis_code: V };
const META = { _rescued_data: V, _source_file: V, _line: L, _ingested_at: TZ };
const TYPES: Record<string, Record<string, string>> = {
  diagnosis_mapping: { diagnosis_code: V, diagnosis_description: V },
  patients_bronze: { ...PATIENT, ...META },
  patients_quarantine: { ...PATIENT, ...META, _failed_expectations: 'VARCHAR[]' },
  patients_silver: { ...PATIENT, diagnosis_description: V, ...META },
  patient_stats_by_diagnosis: { diagnosis_description: V, patient_count: L, avg_age: D, unique_gender_count: L, min_age: I, max_age: I },
  patient_stats_by_gender: { gender: V, patient_count: L, avg_age: D, unique_diagnosis_count: L, min_age: I, max_age: I },
  daily_admissions_by_diagnosis: { window_start: TZ, window_end: TZ, diagnosis_description: V, admissions: L, avg_age: D },
  admissions_rolling_7d: { window_start: TZ, window_end: TZ, admissions: L, avg_age: D, unique_patients: L },
};

// ---------------------------------------------------------------- the pipeline's semantics in DuckDB SQL
/** Bronze value rules for text read with all_varchar. */
const BRONZE_MACROS = `
  -- trim ASCII spaces and tabs; empty text and the null markers (any case) are NULL
  CREATE MACRO txt(x) AS CASE WHEN lower(trim(x, ' ' || chr(9))) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL
                              ELSE trim(x, ' ' || chr(9)) END;
  -- int: [+-]?digits within INT32 (TRY_CAST alone would also take '1_000', '12.5', '0x10', '1e2')
  CREATE MACRO int_or_null(x) AS CASE WHEN regexp_full_match(txt(x), '[+-]?[0-9]+') THEN TRY_CAST(txt(x) AS INTEGER) END;
  -- date: exactly YYYY-MM-DD and a real calendar day (TRY_CAST gives NULL for 2024-02-30, 2023-02-29)
  CREATE MACRO date_or_null(x) AS CASE WHEN regexp_full_match(txt(x), '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN TRY_CAST(txt(x) AS DATE) END;
`;

/** Silver, quarantine and gold over a relation `bronze` (engine columns) and `mapping` (diagnosis_code, diagnosis_description). */
const PIPELINE_SQL = `
  CREATE OR REPLACE VIEW clean AS
    SELECT * REPLACE (
      CASE upper(gender) WHEN 'MALE' THEN 'M' WHEN 'FEMALE' THEN 'F' ELSE upper(gender) END AS gender,
      upper(diagnosis_code) AS diagnosis_code)
    FROM bronze;

  -- the four drop rules (a NULL result fails); the failed rule names, in declaration order
  CREATE OR REPLACE VIEW checked AS
    SELECT *, [r FOR r IN [
        CASE WHEN patient_id IS NULL THEN 'valid_patient_id' END,
        CASE WHEN (age BETWEEN 0 AND 120) IS NOT TRUE THEN 'valid_age' END,
        CASE WHEN (gender IN ('M', 'F')) IS NOT TRUE THEN 'valid_gender' END,
        CASE WHEN admission_date IS NULL THEN 'valid_admission_date' END
      ] IF r IS NOT NULL] AS _failed_expectations
    FROM clean;

  CREATE OR REPLACE VIEW patients_quarantine AS SELECT * FROM checked WHERE len(_failed_expectations) > 0;

  -- valid rows, the first of each (patient_id, admission_date, diagnosis_code) by file name (byte order)
  -- then line, NULL keys equal; then the description of the code, if the mapping has it
  CREATE OR REPLACE VIEW patients_silver AS
    SELECT v.* EXCLUDE (_failed_expectations), m.diagnosis_description
    FROM (SELECT * FROM checked WHERE len(_failed_expectations) = 0
          QUALIFY row_number() OVER (PARTITION BY patient_id, admission_date, diagnosis_code ORDER BY _source_file, _line) = 1) v
    LEFT JOIN mapping m ON m.diagnosis_code = v.diagnosis_code;

  CREATE OR REPLACE VIEW patient_stats_by_diagnosis AS
    SELECT diagnosis_description, count(patient_id) AS patient_count, avg(age) AS avg_age,
           count(DISTINCT gender) AS unique_gender_count, min(age) AS min_age, max(age) AS max_age
    FROM patients_silver GROUP BY diagnosis_description;

  CREATE OR REPLACE VIEW patient_stats_by_gender AS
    SELECT gender, count(patient_id) AS patient_count, avg(age) AS avg_age,
           count(DISTINCT diagnosis_description) AS unique_diagnosis_count, min(age) AS min_age, max(age) AS max_age
    FROM patients_silver GROUP BY gender;

  -- tumbling 1-day windows aligned to the epoch: a DATE's window starts at its 00:00 UTC
  CREATE OR REPLACE VIEW daily_admissions_by_diagnosis AS
    SELECT admission_date::TIMESTAMP AS window_start, admission_date::TIMESTAMP + INTERVAL 1 DAY AS window_end,
           diagnosis_description, count(*) AS admissions, avg(age) AS avg_age
    FROM patients_silver GROUP BY ALL;

  -- 7-day windows sliding by 1 day: a row belongs to the windows starting admission_date - 6 … admission_date
  CREATE OR REPLACE VIEW admissions_rolling_7d AS
    SELECT (admission_date - k::INTEGER)::TIMESTAMP AS window_start,
           (admission_date - k::INTEGER)::TIMESTAMP + INTERVAL 7 DAY AS window_end,
           count(*) AS admissions, avg(age) AS avg_age, count(DISTINCT patient_id) AS unique_patients
    FROM patients_silver, range(0, 7) AS days(k) GROUP BY ALL;
`;

// ---------------------------------------------------------------- independent readers of the input
const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

function patientFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => /^patients_daily_file_.*\.csv$/.test(n)).sort(byteOrder);
}

/** The folder's diagnosis_mapping.csv, else the one in data/ (as the pipeline's fallback). */
function mappingFile(dir: string): string {
  const own = path.join(dir, 'diagnosis_mapping.csv');
  return fs.existsSync(own) ? own : path.join(ROOT, 'data', 'diagnosis_mapping.csv');
}

/**
 * Data records of a CSV text, counted without the engine: a record ends at an
 * LF outside quotes; a quote opens a quoted field only at a field's start
 * (after spaces/tabs), where `""` is a quote; lines of only spaces/tabs/CR are
 * blank; the first record is the header.
 */
function countRecords(text: string): number {
  let records = 0, inQuotes = false, fieldStart = true, content = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') { if (text[i + 1] === '"') i++; else inQuotes = false; }
    } else if (ch === '\n') {
      if (content) records++;
      content = false; fieldStart = true;
    } else if (ch !== ' ' && ch !== '\t' && ch !== '\r' && ch !== '\ufeff') {
      content = true;
      if (ch === '"' && fieldStart) inQuotes = true;
      fieldStart = ch === ',';
    }
  }
  return records + (content ? 1 : 0) - 1;
}

/** Blank lines before the header (DuckDB's read_csv needs them skipped explicitly). */
function leadingBlankLines(text: string): number {
  const lines = text.replace(/^\ufeff/, '').split('\n');
  let n = 0;
  while (n < lines.length && /^[ \t\r]*$/.test(lines[n])) n++;
  return n;
}

/**
 * `bronze` straight from the CSV files with DuckDB's own reader: columns by
 * header name (any order, any case), short rows NULL-padded, extra fields
 * dropped. `_line` is the record's ordinal in its file (same order as the
 * physical line). DuckDB reads a line of only spaces as a one-field record
 * where the engine skips it as blank; such rows are left out.
 */
async function loadCsvBronze(duck: Duck, dir: string): Promise<void> {
  const parts = patientFiles(dir).map((f) => {
    const file = path.join(dir, f);
    const skip = leadingBlankLines(fs.readFileSync(file, 'utf8')); // (an explicit skip = 0 upsets DuckDB's sniffer)
    return `SELECT *, concat_ws('', *COLUMNS(*)) AS _text, ${sqlString(f)} AS _file, row_number() OVER () AS _ord
      FROM read_csv(${sqlString(file)}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"',
                    null_padding = true, strict_mode = false${skip > 0 ? `, skip = ${skip}` : ''})`;
  });
  await duck.run(`
    CREATE OR REPLACE TABLE raw AS ${parts.join('\nUNION ALL BY NAME\n')};
    CREATE OR REPLACE VIEW bronze AS
      SELECT txt(patient_id) AS patient_id, txt(name) AS name, int_or_null(age) AS age, txt(gender) AS gender,
             txt(address) AS address, txt(contact_number) AS contact_number, date_or_null(admission_date) AS admission_date,
             txt(diagnosis_code) AS diagnosis_code, _file AS _source_file, _ord AS _line
      FROM raw
      WHERE NOT coalesce(regexp_full_match(_text, '[ \\t]+'), false);
  `);
}

async function loadMapping(duck: Duck, dir: string): Promise<void> {
  await duck.run(`CREATE OR REPLACE VIEW mapping AS
    SELECT txt(diagnosis_code) AS diagnosis_code, txt(diagnosis_description) AS diagnosis_description
    FROM read_csv(${sqlString(mappingFile(dir))}, header = true, all_varchar = true)`);
}

// ---------------------------------------------------------------- engine side
const tableDir = (out: string, t: string): string => path.join(out, 'tables', t);
const parquetGlob = (out: string, t: string): string => sqlString(path.join(tableDir(out, t), '*.parquet'));

/** The engine's rows of a table in the helper's conventions (DATE as 'YYYY-MM-DD'). */
async function engineRows(run: PipelineRun, table: string): Promise<PlainRow[]> {
  const { schema } = (await run.tester.table(table)).batch;
  const dates = schema.filter((f) => f.type === 'date').map((f) => f.name);
  return run.rows(table).map((r) => {
    const o: PlainRow = { ...r };
    for (const c of dates) if (o[c] !== null) o[c] = dateString(o[c] as number);
    return o;
  });
}

// ---------------------------------------------------------------- the replays
interface Replay { name: string; dir: string; records: number }
const REPLAYS: Replay[] = [
  { name: 'data/', dir: path.join(ROOT, 'data'), records: 27 },
  { name: 'dirty fixture', dir: path.join(ROOT, 'test', 'fixtures', 'dirty'), records: 42 },
];

describe.each(REPLAYS)('replay of $name', ({ dir, records }) => {
  let out: string;
  let run: PipelineRun;
  let duck: Duck;

  beforeAll(async () => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-replay-'));
    run = await runPipeline(patientPipeline, { input: dir, output: out });
    duck = await Duck.open();
    await duck.run(BRONZE_MACROS);
    await loadMapping(duck, dir);
  }, 60_000);

  afterAll(() => {
    duck?.close();
    if (out) fs.rmSync(out, { recursive: true, force: true });
  });

  it('runs without failure', () => {
    expect(run.failure).toBeNull();
  });

  it('(a) bronze has one row per data record of the input', async () => {
    const counted = patientFiles(dir).reduce((n, f) => n + countRecords(fs.readFileSync(path.join(dir, f), 'utf8')), 0);
    expect(counted).toBe(records);
    expect(run.rows('patients_bronze')).toHaveLength(records);
    await loadCsvBronze(duck, dir);
    expect((await duck.all('SELECT count(*) AS n FROM bronze'))[0].n).toBe(records);
  });

  it('writes every persisted table (not the patients_clean view) as a Delta table that DuckDB reads back', async () => {
    expect(fs.readdirSync(path.join(out, 'tables')).sort()).toEqual([...PERSISTED, ...VITALS, ...UPDATES].sort());
    for (const t of PERSISTED) {
      expect(fs.existsSync(path.join(tableDir(out, t), '_delta_log', '00000000000000000000.json')), t).toBe(true);
      multisetEqual(await duck.all(`SELECT * FROM read_parquet(${parquetGlob(out, t)})`), await engineRows(run, t), { label: `${t}: Parquet vs run.rows` });
    }
  });

  it('DuckDB reads every table with the right types', async () => {
    for (const t of PERSISTED) {
      const types = await duck.describe(`SELECT * FROM read_parquet(${parquetGlob(out, t)})`);
      expect(Object.entries(types), t).toEqual(Object.entries(TYPES[t]));
    }
  });

  it('reads the folder\'s own diagnosis mapping, else data/diagnosis_mapping.csv', async () => {
    multisetEqual(run.rows('diagnosis_mapping'), await duck.all('SELECT * FROM mapping'), { label: 'diagnosis_mapping' });
  });

  it('(b) quarantine, silver and gold == DuckDB SQL over the engine\'s bronze Parquet', async () => {
    await duck.run(`CREATE OR REPLACE VIEW bronze AS SELECT * FROM read_parquet(${parquetGlob(out, 'patients_bronze')})`);
    await duck.run(PIPELINE_SQL);
    for (const t of ['patients_quarantine', 'patients_silver', ...GOLD]) {
      const engine = await duck.all(`SELECT * FROM read_parquet(${parquetGlob(out, t)})`);
      expect(engine.length, t).toBeGreaterThan(0);
      multisetEqual(engine, await duck.all(`SELECT * FROM ${t}`), { ignore: IGNORE, tolerance: 1e-9, label: t });
    }
  });

  it('(c) gold, silver and quarantine == DuckDB SQL over DuckDB\'s own read_csv of the files', async () => {
    await loadCsvBronze(duck, dir);
    await duck.run(PIPELINE_SQL);
    // DuckDB's reader has no physical line numbers and no _rescued_data: compare the other columns
    const skip = ['_ingested_at', '_rescued_data', '_line'];
    for (const t of ['patients_quarantine', 'patients_silver', ...GOLD]) {
      const engine = await duck.all(`SELECT * FROM read_parquet(${parquetGlob(out, t)})`);
      expect(engine.length, t).toBeGreaterThan(0);
      multisetEqual(engine, await duck.all(`SELECT * FROM ${t}`), { ignore: skip, tolerance: 1e-9, label: `${t} (from read_csv)` });
    }
  });
});

describe('the DuckDB macros follow the bronze value rules', () => {
  it('ints are [+-]?digits within INT32; dates are real YYYY-MM-DD days; null markers in any case', async () => {
    const duck = await Duck.open();
    try {
      await duck.run(BRONZE_MACROS);
      const [r] = await duck.all(`SELECT
        [int_or_null(x) FOR x IN [' +7 ', '007', '-1', '2147483647', '2147483648', '4.5', '1e2', '1_000', '0x10', 'forty']] AS ints,
        [date_or_null(x)::VARCHAR FOR x IN ['2024-02-29', '2024-02-30', '2023-02-29', '07/01/2024', '2024-3-8', ' 2024-03-01 ']] AS dates,
        [txt(x) FOR x IN ['NULL', 'n/A', 'NaN', 'none', 'Na', '', chr(9) || ' x ', 'nil']] AS texts`);
      expect(r.ints).toEqual([7, 7, -1, 2147483647, null, null, null, null, null, null]);
      expect(r.dates).toEqual(['2024-02-29', null, null, null, null, '2024-03-01']);
      expect(r.texts).toEqual([null, null, null, null, null, null, 'x', 'nil']);
    } finally {
      duck.close();
    }
  });
});

// ---------------------------------------------------------------- hand-checked anchors for the dirty folder
describe('dirty fixture: hand-checked outcomes', () => {
  let run: PipelineRun;
  beforeAll(async () => { run = await runPipeline(patientPipeline, { input: path.join(ROOT, 'test', 'fixtures', 'dirty') }); }, 60_000);

  const silver = (id: string): PlainRow[] => run.rows('patients_silver').filter((r) => r.patient_id === id);

  it('the folder mapping wins over data/: D002 is "Type 2 Diabetes", D009/D010 have no description', () => {
    expect(silver('P101')[0].diagnosis_description).toBe('Type 2 Diabetes');
    expect(silver('P206')[0].diagnosis_description).toBeNull();
    expect(silver('P207')[0].diagnosis_description).toBeNull();
  });

  it('dedup keeps the first by file then line, codes compared after upper-casing, NULL codes equal', () => {
    expect(silver('P100').map((r) => [r.age, r._source_file, r._line])).toEqual([
      [34, 'patients_daily_file_001.csv', 2], [34, 'patients_daily_file_004.csv', 4],
    ]);
    expect(silver('P101').map((r) => r.age)).toEqual([0]);
    expect(silver('P301').map((r) => [r.age, r.diagnosis_code])).toEqual([[55, null]]);
    expect(silver('P200').map((r) => [r.age, r._source_file])).toEqual([[66, 'patients_daily_file_002.csv']]);
    // the first P105 row failed valid_age, so the later valid one is the first silver row of its key
    expect(silver('P105').map((r) => [r.age, r._source_file])).toEqual([[40, 'patients_daily_file_003.csv']]);
  });

  it('quarantine rows name every rule they failed, in order', () => {
    const q = new Map(run.rows('patients_quarantine').map((r) => [`${r._source_file}:${r._line}`, r._failed_expectations]));
    expect(q.get('patients_daily_file_001.csv:19')).toEqual(['valid_age', 'valid_gender', 'valid_admission_date']);
    expect(q.get('patients_daily_file_001.csv:20')).toEqual(['valid_patient_id', 'valid_age', 'valid_gender', 'valid_admission_date']);
    expect(q.get('patients_daily_file_002.csv:7')).toEqual(['valid_age', 'valid_gender']);
    expect(q.get('patients_daily_file_004.csv:6')).toEqual(['valid_age']); // 4.5 is not an int
    expect(q.get('patients_daily_file_004.csv:7')).toEqual(['valid_admission_date']); // 2024-3-8 is not YYYY-MM-DD
    expect(run.rows('patients_quarantine')).toHaveLength(19);
    expect(run.rows('patients_silver')).toHaveLength(17);
  });
});
