/**
 * The vitals monitoring stream (layers/vitals.ts):
 *
 * - shape: columns and types of each table, the documented alert list, and
 *   independence from the admission files (a folder without vitals files
 *   leaves the vitals tables empty);
 * - vitals_silver's drop rules, boundary by boundary, with the quarantine;
 * - the sample files in data/, hand-checked: late and out-of-order readings,
 *   a NULL and an unparsable measured_at, out-of-range values, and windows
 *   that raise two alert reasons at once;
 * - vitals_15min over an in-order file == DuckDB's batch result for every
 *   closed window (and the materialized view of the same windows == all of
 *   them); with out-of-order files, == a DuckDB model of the watermark that
 *   drops exactly the pairs behind each batch's watermark, with the same late
 *   counts per batch;
 * - append emission exactly once across stops and restarts (and a crash
 *   before the commit marker) with `PipelineService` checkpoints.
 */
import * as v8 from 'node:v8';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { read } from '../engine/expr/builder.js';
import { definePipeline, materializedView } from '../engine/dataset.js';
import { buildGraph } from '../engine/graph/graph.js';
import { PipelineService } from '../engine/runtime/service.js';
import { AggregateOperator } from '../engine/operators/aggregate.js';
import { DeltaStore } from '../engine/sinks/delta-store.js';
import { batchToRows } from '../engine/batch.js';
import { runPipeline, type PipelineRun, type Row } from '../engine/testing.js';
import { patientPipeline } from '../layers/pipeline.js';
import {
  ALERT_RULES, VITALS_RULES, vitals15min, vitalsBronze, vitalsSilver, vitalsWindowAggregates,
} from '../layers/vitals.js';
import { patientAlerts } from '../layers/alerts.js';
import { patientEarlyWarning } from '../layers/news2.js';
import { Duck, multisetEqual, sqlString, type PlainRow } from './helpers/duck.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA = path.join(ROOT, 'data');
const MIN = 60_000_000;
const HEADER = 'patient_id,measured_at,heart_rate,systolic_bp,diastolic_bp,temperature_c,spo2';
/** 2024-01-02 hh:mm UTC in µs (the day of the sample files). */
const T = (hhmm: string): number => Date.parse(`2024-01-02T${hhmm}:00Z`) * 1000;
const hm = (us: unknown): string => new Date((us as number) / 1000).toISOString().slice(11, 16);
const win = (r: Row | PlainRow): string => `[${hm(r.window_start)},${hm(r.window_end)})`;
const AVERAGES = ['readings', 'avg_heart_rate', 'avg_systolic_bp', 'avg_diastolic_bp', 'avg_temperature_c', 'avg_spo2'];
const VITALS_TABLES = ['vitals_bronze', 'vitals_silver', 'vitals_quarantine', 'vitals_15min', 'patient_alerts'];

const tmp = (prefix: string): string => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
const copyData = (dir: string, ...names: string[]): void => { for (const n of names) fs.copyFileSync(path.join(DATA, n), path.join(dir, n)); };

// ---------------------------------------------------------------- generated readings

interface Reading { patient_id: string | null; t: number | null; hr: number | null; sys: number | null; dia: number | null; temp: number | null; spo2: number | null }

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}

/**
 * Readings of a few patients over `hours` from 2024-01-02 06:00: one every 1–6
 * minutes per patient, each vital NULL now and then, a few out of range, a few
 * without a patient or a time. Profiles make the alert reasons appear.
 */
function generateReadings(seed: number, hours: number): Reading[] {
  const rnd = lcg(seed);
  const profiles: Record<string, { hr: number; sys: number; dia: number; temp: number; spo2: number }> = {
    P0001: { hr: 72, sys: 120, dia: 78, temp: 36.8, spo2: 97 },
    P0002: { hr: 125, sys: 118, dia: 76, temp: 38.6, spo2: 95 }, // tachycardia, fever
    P0012: { hr: 88, sys: 86, dia: 55, temp: 37.0, spo2: 88 }, // hypoxemia, hypotension
    P0013: { hr: 41, sys: 110, dia: 70, temp: 36.5, spo2: 96 }, // bradycardia now and then
  };
  const out: Reading[] = [];
  const start = T('06:00');
  for (const [id, p] of Object.entries(profiles)) {
    let t = start + Math.floor(rnd() * 3 * MIN);
    while (t < start + hours * 60 * MIN) {
      const maybe = (v: number): number | null => (rnd() < 0.08 ? null : v);
      const r: Reading = {
        patient_id: rnd() < 0.02 ? null : id,
        t: rnd() < 0.02 ? null : t,
        hr: maybe(Math.round(p.hr + (rnd() - 0.5) * 16)),
        sys: maybe(Math.round(p.sys + (rnd() - 0.5) * 14)),
        dia: maybe(Math.round(p.dia + (rnd() - 0.5) * 10)),
        temp: maybe(Math.round((p.temp + (rnd() - 0.5)) * 10) / 10),
        spo2: maybe(Math.min(100, Math.round(p.spo2 + (rnd() - 0.5) * 6))),
      };
      if (rnd() < 0.03) r.hr = 300; // out of range
      out.push(r);
      t += MIN + Math.floor(rnd() * 5 * MIN) + Math.floor(rnd() * 60) * 1_000_000;
    }
  }
  return out;
}

function toCsv(rows: Reading[]): string {
  const f = (v: number | string | null): string => (v === null ? '' : String(v));
  return [HEADER, ...rows.map((r) => [f(r.patient_id), r.t === null ? '' : new Date(r.t / 1000).toISOString(), f(r.hr), f(r.sys), f(r.dia), f(r.temp), f(r.spo2)].join(','))].join('\n') + '\n';
}

/**
 * Arrival order: most readings arrive 0–5 minutes after they were measured, one
 * in five up to `maxDelayMin` minutes after (rows without a time anywhere).
 */
function arrivalOrder(rows: Reading[], seed: number, maxDelayMin: number): Reading[] {
  const rnd = lcg(seed);
  const keyed = rows.map((r, i) => ({ r, at: (r.t ?? T('06:00') + i * MIN) + Math.floor(rnd() * (rnd() < 0.2 ? maxDelayMin : 5) * MIN) }));
  return keyed.sort((a, b) => a.at - b.at).map((x) => x.r);
}

function writeFiles(dir: string, chunks: Reading[][]): string[] {
  return chunks.map((c, i) => {
    const name = `vitals_${String(i + 1).padStart(6, '0')}.csv`;
    fs.writeFileSync(path.join(dir, name), toCsv(c));
    return name;
  });
}

function split<T>(xs: T[], parts: number): T[][] {
  const size = Math.ceil(xs.length / parts);
  return Array.from({ length: parts }, (_, i) => xs.slice(i * size, (i + 1) * size));
}

// ---------------------------------------------------------------- the DuckDB model

/**
 * The vitals tables in DuckDB SQL, over `files` (in batch order, one file a
 * batch): silver by the same rules; every (reading, window) pair by arithmetic
 * on epoch microseconds; each batch's watermark = max measured_at of the
 * silver rows of the earlier batches − 10 minutes; a pair is kept when there is
 * no watermark yet or its window ends after it.
 */
async function loadModel(duck: Duck, dir: string, files: string[]): Promise<void> {
  const list = `[${files.map((f) => sqlString(path.join(dir, f))).join(', ')}]`;
  const order = files.map((f, i) => `(${sqlString(path.join(dir, f))}, ${i})`).join(', ');
  await duck.run(`
    CREATE OR REPLACE TABLE raw AS SELECT * FROM read_csv(${list}, header = true, all_varchar = true, filename = true);
    CREATE OR REPLACE TABLE file_batch AS SELECT * FROM (VALUES ${order}) v(filename, b);
    CREATE OR REPLACE TABLE typed AS
      SELECT row_number() OVER () AS id, fb.b, r.patient_id,
             epoch_us(TRY_CAST(r.measured_at AS TIMESTAMPTZ)) AS t,
             TRY_CAST(r.heart_rate AS INTEGER) AS heart_rate, TRY_CAST(r.systolic_bp AS INTEGER) AS systolic_bp,
             TRY_CAST(r.diastolic_bp AS INTEGER) AS diastolic_bp, TRY_CAST(r.temperature_c AS DOUBLE) AS temperature_c,
             TRY_CAST(r.spo2 AS INTEGER) AS spo2
      FROM raw r JOIN file_batch fb USING (filename);
    CREATE OR REPLACE TABLE silver AS SELECT * FROM typed
      WHERE patient_id IS NOT NULL AND t IS NOT NULL
        AND (heart_rate IS NOT NULL OR systolic_bp IS NOT NULL OR diastolic_bp IS NOT NULL OR temperature_c IS NOT NULL OR spo2 IS NOT NULL)
        AND (heart_rate IS NULL OR heart_rate BETWEEN 20 AND 250)
        AND (systolic_bp IS NULL OR systolic_bp BETWEEN 50 AND 260)
        AND (diastolic_bp IS NULL OR diastolic_bp BETWEEN 20 AND 160)
        AND (temperature_c IS NULL OR temperature_c BETWEEN 30 AND 45)
        AND (spo2 IS NULL OR spo2 BETWEEN 50 AND 100)
        AND (systolic_bp IS NULL OR diastolic_bp IS NULL OR systolic_bp > diastolic_bp);
    CREATE OR REPLACE TABLE batch_wm AS
      SELECT fb.b, (SELECT max(s.t) FROM silver s WHERE s.b < fb.b) - ${10 * MIN} AS wm FROM file_batch fb;
    CREATE OR REPLACE TABLE pairs AS
      SELECT s.*, ls - k * ${5 * MIN} AS ws, ls - k * ${5 * MIN} + ${15 * MIN} AS we, w.wm,
             (w.wm IS NULL OR ls - k * ${5 * MIN} + ${15 * MIN} > w.wm) AS kept
      FROM (SELECT *, t - (((t % ${5 * MIN}) + ${5 * MIN}) % ${5 * MIN}) AS ls FROM silver) s
      JOIN batch_wm w USING (b), range(0, 3) r(k)
      WHERE ls - k * ${5 * MIN} + ${15 * MIN} > s.t;
    CREATE OR REPLACE MACRO windows_of(src) AS TABLE
      SELECT make_timestamp(ws) AS window_start, make_timestamp(we) AS window_end, patient_id,
             count(*) AS readings, avg(heart_rate) AS avg_heart_rate, avg(systolic_bp) AS avg_systolic_bp,
             avg(diastolic_bp) AS avg_diastolic_bp, avg(temperature_c) AS avg_temperature_c, avg(spo2) AS avg_spo2,
             any_value(we) AS we_us
      FROM query_table(src) GROUP BY ws, we, patient_id;
    CREATE OR REPLACE VIEW kept_pairs AS SELECT * FROM pairs WHERE kept;
    CREATE OR REPLACE VIEW final_wm AS SELECT max(t) - ${10 * MIN} AS wm FROM silver;
  `);
}

/** Windows of the given pairs view, split by the final watermark. */
async function modelWindows(duck: Duck, pairsView: 'pairs' | 'kept_pairs', closed: boolean | null): Promise<PlainRow[]> {
  const cond = closed === null ? 'true' : closed ? 'we_us <= (SELECT wm FROM final_wm)' : 'we_us > (SELECT wm FROM final_wm)';
  const rows = await duck.all(`SELECT * FROM windows_of(${sqlString(pairsView)}) WHERE ${cond}`);
  return rows.map(({ we_us: _, ...r }) => r);
}

/** patient_alerts from windows, with the documented thresholds written out again. */
function alertsFrom(windows: PlainRow[]): PlainRow[] {
  const out: PlainRow[] = [];
  for (const w of windows) {
    const hr = w.avg_heart_rate as number | null, spo2 = w.avg_spo2 as number | null, temp = w.avg_temperature_c as number | null, sys = w.avg_systolic_bp as number | null;
    const reasons = [
      hr !== null && hr > 120 && 'tachycardia', hr !== null && hr < 40 && 'bradycardia', spo2 !== null && spo2 < 90 && 'hypoxemia',
      temp !== null && temp >= 38.5 && 'fever', sys !== null && sys < 90 && 'hypotension',
    ].filter((x): x is string => typeof x === 'string');
    for (const reason of reasons) {
      const { window_start, window_end, patient_id, ...avgs } = w;
      out.push({ window_start, window_end, patient_id, reason, ...avgs, news2_total: null, risk_probability: null });
    }
  }
  return out;
}

const THRESHOLD_REASONS = new Set(ALERT_RULES.map((r) => r.reason as string));
/** The threshold-reason rows of patient_alerts (the early-warning and risk reasons are checked in news2.test.ts and risk.test.ts). */
const thresholdAlerts = (rows: PlainRow[]): PlainRow[] => rows.filter((r) => THRESHOLD_REASONS.has(r.reason as string));

const flowsOf = (run: PipelineRun) => run.tester.flowMetrics('vitals_15min');

// ---------------------------------------------------------------- shape

describe('vitals layer: shape', () => {
  const graph = buildGraph(patientPipeline);
  const schema = (n: string) => graph.datasets.get(n)!.schema.map((f) => `${f.name}:${f.type}`);

  it('the pipeline holds the vitals datasets and the quarantine, as streaming tables, with these columns', () => {
    for (const n of VITALS_TABLES) expect(graph.datasets.get(n)?.kind, n).toBe('streaming_table');
    const csv = ['patient_id:string', 'measured_at:timestamp', 'heart_rate:int', 'systolic_bp:int', 'diastolic_bp:int', 'temperature_c:double', 'spo2:int', 'respiration_rate:int', 'on_oxygen:boolean', 'consciousness:string'];
    const meta = ['_rescued_data:string', '_source_file:string', '_line:long', '_ingested_at:timestamp'];
    expect(schema('vitals_bronze')).toEqual([...csv, ...meta]);
    expect(schema('vitals_silver')).toEqual([...csv, ...meta]);
    expect(schema('vitals_quarantine')).toEqual([...csv, ...meta, '_failed_expectations:array<string>']);
    const avgs = ['readings:long', 'avg_heart_rate:double', 'avg_systolic_bp:double', 'avg_diastolic_bp:double', 'avg_temperature_c:double', 'avg_spo2:double'];
    expect(schema('vitals_15min')).toEqual(['window_start:timestamp', 'window_end:timestamp', 'patient_id:string', ...avgs]);
    expect(schema('patient_alerts')).toEqual(['window_start:timestamp', 'window_end:timestamp', 'patient_id:string', 'reason:string', ...avgs, 'news2_total:int', 'risk_probability:double']);
    expect(graph.datasets.get('vitals_quarantine')!.def.properties.quality).toBe('silver');
  });

  it('the rules, the windows and the alert list are the documented ones', () => {
    expect(Object.keys(VITALS_RULES)).toEqual(['valid_patient_id', 'valid_measured_at', 'has_vitals', 'heart_rate_range', 'systolic_bp_range', 'diastolic_bp_range', 'temperature_c_range', 'spo2_range', 'bp_order', 'respiration_rate_range', 'consciousness_acvpu']);
    expect(vitalsSilver.def.expectations.every((e) => e.action === 'drop')).toBe(true);
    const agg = vitals15min.def.query;
    expect(agg.kind === 'aggregate' && agg.window).toMatchObject({ kind: 'sliding', sizeUs: 15 * MIN, slideUs: 5 * MIN, timeColumn: 'measured_at' });
    expect(agg.kind === 'aggregate' && agg.input).toMatchObject({ kind: 'watermark', column: 'measured_at', delayUs: 10 * MIN });
    expect(ALERT_RULES.map((r) => `${r.reason}: ${r.column} ${r.op} ${r.threshold}`)).toEqual([
      'tachycardia: avg_heart_rate > 120', 'bradycardia: avg_heart_rate < 40', 'hypoxemia: avg_spo2 < 90',
      'fever: avg_temperature_c >= 38.5', 'hypotension: avg_systolic_bp < 90',
    ]);
  });

  it('the vitals stream reads nothing of the admissions (but patient_risk, which looks up age and diagnosis)', () => {
    const upstream = (n: string): string[] => graph.datasets.get(n)!.inputs.flatMap((i) => [i.dataset, ...(i.dataset === 'patient_risk' ? [] : upstream(i.dataset))]);
    const vitalsSide = (u: string) => u.startsWith('vitals_') || u === 'patient_early_warning' || u === 'patient_risk';
    for (const n of [...VITALS_TABLES, 'patient_early_warning']) for (const u of upstream(n)) expect(vitalsSide(u), `${n} reads ${u}`).toBe(true);
  });

  it('a folder without vitals files leaves the vitals tables empty (and the admissions run as before)', async () => {
    const run = await runPipeline(patientPipeline, { input: path.join(ROOT, 'test', 'fixtures', 'dirty') });
    expect(run.failure).toBeNull();
    for (const n of VITALS_TABLES) expect(run.rows(n), n).toEqual([]);
    expect(run.rows('patients_silver').length).toBeGreaterThan(0);
    expect(run.tester.watermark('vitals_15min')).toBeNull();
    expect(flowsOf(run).every((m) => m.status === 'IDLE' && m.late_records === 0)).toBe(true);
  });

  it('a folder with only vitals files fills the vitals tables and leaves the admissions empty', async () => {
    const dir = tmp('vitals-only-');
    try {
      copyData(dir, 'vitals_000001.csv');
      const run = await runPipeline(patientPipeline, { input: dir });
      expect(run.failure).toBeNull();
      expect(run.rows('patients_bronze')).toEqual([]);
      expect(run.rows('vitals_bronze')).toHaveLength(17);
      expect(run.rows('vitals_15min').length).toBeGreaterThan(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------- silver rules

describe('vitals_silver: drop rules, boundaries, quarantine', () => {
  const lines = [
    // id, time, hr, sys, dia, temp, spo2                          -> failed rules
    ['P1,2024-01-02T08:00:00Z,20,50,20,30,50', []], // every lower bound passes
    ['P1,2024-01-02T08:01:00Z,250,260,159,45,100', []], // every upper bound passes
    ['P1,2024-01-02T08:02:00Z,19,,,,', ['heart_rate_range']],
    ['P1,2024-01-02T08:03:00Z,251,,,,', ['heart_rate_range']],
    ['P1,2024-01-02T08:04:00Z,,49,,,', ['systolic_bp_range']],
    ['P1,2024-01-02T08:05:00Z,,261,,,', ['systolic_bp_range']],
    ['P1,2024-01-02T08:06:00Z,,,19,,', ['diastolic_bp_range']],
    ['P1,2024-01-02T08:07:00Z,,,161,,', ['diastolic_bp_range']],
    ['P1,2024-01-02T08:08:00Z,,,,29.9,', ['temperature_c_range']],
    ['P1,2024-01-02T08:09:00Z,,,,45.1,', ['temperature_c_range']],
    ['P1,2024-01-02T08:10:00Z,,,,,49', ['spo2_range']],
    ['P1,2024-01-02T08:11:00Z,,,,,101', ['spo2_range']],
    ['P1,2024-01-02T08:12:00Z,,120,120,,', ['bp_order']], // equal is not above
    ['P1,2024-01-02T08:13:00Z,,80,90,,', ['bp_order']],
    ['P1,2024-01-02T08:14:00Z,,120,,,', []], // one side NULL: bp_order passes
    ['P1,2024-01-02T08:15:00Z,,,,,', ['has_vitals']],
    [',2024-01-02T08:16:00Z,70,,,,', ['valid_patient_id']],
    ['P1,,70,,,,', ['valid_measured_at']],
    ['P1,2024-02-30T08:00:00Z,70,,,,', ['valid_measured_at']], // not a time: NULL, kept in _rescued_data
    ['P1,2024-01-02T08:17:00Z,sixty,,,,', ['has_vitals']], // not an int: NULL
    [',,300,40,90,,', ['valid_patient_id', 'valid_measured_at', 'heart_rate_range', 'systolic_bp_range', 'bp_order']],
  ] as const;
  let run: PipelineRun;
  beforeAll(async () => {
    run = await runPipeline(patientPipeline, { files: { 'vitals_000001.csv': [HEADER, ...lines.map((l) => l[0])].join('\n') + '\n' } });
  });

  it('bronze keeps every record; silver + quarantine = bronze', () => {
    expect(run.failure).toBeNull();
    expect(run.rows('vitals_bronze')).toHaveLength(lines.length);
    expect(run.rows('vitals_silver').length + run.rows('vitals_quarantine').length).toBe(lines.length);
    const bad = run.rows('vitals_bronze').filter((r) => r._rescued_data !== null);
    expect(bad).toHaveLength(2);
  });

  it('each row fails exactly the rules it breaks; a NULL value passes its range rule', () => {
    const byLine = new Map(run.rows('vitals_quarantine').map((r) => [r._line as number, r._failed_expectations]));
    lines.forEach(([, failed], i) => {
      expect(byLine.get(i + 2) ?? [], `line ${i + 2}: ${lines[i][0]}`).toEqual([...failed]);
    });
    expect(run.rows('vitals_silver').map((r) => r._line)).toEqual([2, 3, 16]);
  });

  it('expectation metrics count every rule', () => {
    const failedOf = (rule: string) => lines.filter(([, f]) => (f as readonly string[]).includes(rule)).length;
    for (const rule of Object.keys(VITALS_RULES)) {
      const m = run.expectation('vitals_silver', rule);
      expect(m, rule).toMatchObject({ action: 'drop', failed_records: failedOf(rule), passed_records: lines.length - failedOf(rule) });
    }
    expect(run.totals('vitals_silver').dropped_records).toBe(lines.length - 3);
  });
});

// ---------------------------------------------------------------- the sample files

describe('sample files in data/ (hand-checked)', () => {
  const b1 = fs.readFileSync(path.join(DATA, 'vitals_000001.csv'), 'utf8').trim().split('\n').length - 1;
  const b2 = fs.readFileSync(path.join(DATA, 'vitals_000002.csv'), 'utf8').trim().split('\n').length - 1;
  let perFile: PipelineRun;
  let oneBatch: PipelineRun;
  beforeAll(async () => {
    // one file per source per batch: batch 0 = patients 001 + vitals 1, batch 1 = patients 002 + vitals 2, batch 2 = patients 003
    perFile = await runPipeline(patientPipeline, { input: DATA, maxFilesPerTrigger: 1 });
    // everything in one batch (replay's default), then the closing batch
    oneBatch = await runPipeline(patientPipeline, { input: DATA });
  }, 60_000);
  const row = (run: PipelineRun, table: string, start: string, id: string) => run.rows(table).filter((r) => r.window_start === T(start) && r.patient_id === id);

  it('bronze keeps all 28 records; 7 fail a rule, each for the documented reason', () => {
    expect(b1 + b2).toBe(28);
    for (const run of [perFile, oneBatch]) {
      expect(run.failure).toBeNull();
      expect(run.rows('vitals_bronze')).toHaveLength(28);
      expect(run.rows('vitals_silver')).toHaveLength(21);
      const q = run.rows('vitals_quarantine').map((r) => `${(r._source_file as string).slice(-10)}:${r._line} ${(r._failed_expectations as string[]).join('+')}`).sort();
      expect(q).toEqual([
        '000001.csv:8 valid_measured_at', // NULL measured_at
        '000001.csv:10 heart_rate_range', // heart rate 300
        '000001.csv:11 bp_order', // 85 over 90
        '000001.csv:12 has_vitals', // no vital at all
        '000001.csv:13 valid_patient_id',
        '000002.csv:10 temperature_c_range', // 52.0 °C
        '000002.csv:7 valid_measured_at', // "yesterday": NULL, kept in _rescued_data
      ].sort((a, b) => (a < b ? -1 : 1)));
    }
  });

  it('file by file: the 08:05 reading of file 2 is behind the 08:20 watermark and counted late; 08:16 loses one window only', () => {
    const m = flowsOf(perFile);
    expect(m.map((x) => x.watermark_us === null ? null : hm(x.watermark_us))).toEqual([null, '08:20', '08:42']);
    expect(m.map((x) => x.late_records)).toEqual([0, 1, 0]);
    expect(m.map((x) => x.null_event_time_records)).toEqual([0, 0, 0]); // silver already dropped NULL times
    // batch 1 closes the windows ending by 08:20, batch 2 (patients file 3 only) those ending by 08:42
    expect(m.map((x) => x.num_output_rows)).toEqual([0, 14, 14]);
    expect(perFile.tester.watermark('vitals_15min')).toBe(T('08:42'));
    expect(perFile.batches).toHaveLength(3); // the last batch did not move the watermark: no closing batch
    // P0002 [07:55,08:10): 08:01 and 08:07; the late 08:05 (hr 140) is not in it
    expect(row(perFile, 'vitals_15min', '07:55', 'P0002')).toEqual([{
      window_start: T('07:55'), window_end: T('08:10'), patient_id: 'P0002', readings: 2,
      avg_heart_rate: 129.5, avg_systolic_bp: 123.5, avg_diastolic_bp: 81, avg_temperature_c: 39, avg_spo2: 95.5,
    }]);
    // P0012 at 08:16 (file 2): [08:05,08:20) ends at the watermark, dropped; [08:10,08:25) and [08:15,08:30) keep it
    expect(row(perFile, 'vitals_15min', '08:05', 'P0012')).toEqual([]);
    expect(row(perFile, 'vitals_15min', '08:10', 'P0012')[0]).toMatchObject({ readings: 2, avg_heart_rate: 93.5, avg_spo2: 85.5 });
    // out of order inside file 1 (08:04 after 08:07) is not late: same batch
    expect(row(perFile, 'vitals_15min', '07:50', 'P0012')[0]).toMatchObject({ readings: 2, avg_heart_rate: 89, avg_systolic_bp: 85 });
    // averages ignore NULLs: P0002 at 08:21 has only heart rate and temperature
    expect(row(perFile, 'vitals_15min', '08:15', 'P0002')[0]).toMatchObject({ readings: 1, avg_heart_rate: 126, avg_systolic_bp: null, avg_spo2: null, avg_temperature_c: 38.7 });
  });

  it('windows still open (ending after 08:42) are not written; they stay in state', () => {
    for (const run of [perFile, oneBatch]) {
      const ends = run.rows('vitals_15min').map((r) => r.window_end as number);
      expect(Math.max(...ends)).toBe(T('08:40'));
      const op = run.tester.runner.executor.flows.get('vitals_15min')!.stateful[0].op as AggregateOperator;
      const open = batchToRows(op.result());
      expect(open.length).toBeGreaterThan(0);
      expect(open.every((r) => (r.window_end as number) > T('08:42'))).toBe(true);
      expect(open.find((r) => r.window_start === T('08:40') && r.patient_id === 'P0012')).toMatchObject({ readings: 2 }); // 08:41, 08:52
    }
  });

  it('in one batch nothing is late (results depend on batch boundaries, as in Spark)', () => {
    const m = flowsOf(oneBatch);
    expect(m.map((x) => x.late_records)).toEqual([0, 0]);
    expect(m.map((x) => x.watermark_us === null ? null : hm(x.watermark_us))).toEqual([null, '08:42']);
    expect(oneBatch.batches).toHaveLength(2); // the data batch, then the closing batch without data
    expect(oneBatch.batches[1].flows.get('vitals_bronze')!.num_output_rows).toBe(0);
    expect(row(oneBatch, 'vitals_15min', '07:55', 'P0002')[0]).toMatchObject({ readings: 3, avg_heart_rate: 133 });
    expect(row(oneBatch, 'vitals_15min', '08:05', 'P0012')[0]).toMatchObject({ readings: 1, avg_heart_rate: 94 });
  });

  it('patient_alerts: every reason appears; one window can raise two; a NULL average raises nothing; rows carry the window averages', () => {
    for (const run of [perFile, oneBatch]) {
      const alerts = thresholdAlerts(run.rows('patient_alerts'));
      expect(new Set(alerts.map((a) => a.reason))).toEqual(new Set(ALERT_RULES.map((r) => r.reason)));
      const reasonsOf = (start: string, id: string) => alerts.filter((a) => a.window_start === T(start) && a.patient_id === id).map((a) => a.reason).sort();
      expect(reasonsOf('08:00', 'P0002')).toEqual(['fever', 'tachycardia']);
      expect(reasonsOf('07:55', 'P0012')).toEqual(['hypotension', 'hypoxemia']);
      expect(reasonsOf('08:00', 'P0013')).toEqual(['bradycardia']);
      expect(reasonsOf('08:15', 'P0002')).toEqual(['fever', 'tachycardia']); // avg_systolic_bp NULL: no hypotension
      expect(reasonsOf('08:00', 'P0001')).toEqual([]);
      // each alert carries exactly the averages of its window
      for (const a of alerts) {
        const [w] = row(run, 'vitals_15min', hm(a.window_start), a.patient_id as string);
        for (const c of AVERAGES) expect(a[c], `${a.reason} ${c}`).toBe(w[c]);
      }
      multisetEqual(alerts, alertsFrom(run.rows('vitals_15min')), { label: 'patient_alerts' });
    }
  });
});

// ---------------------------------------------------------------- vs DuckDB

/** The vitals datasets plus the complete-mode view of the same windows. */
const withCompleteView = definePipeline([
  ...patientPipeline.datasets.filter((d) => ['diagnosis_mapping', 'patients_bronze', 'patients_clean', 'patients_silver', 'patient_risk_features', 'patient_risk'].includes(d.name)),
  vitalsBronze, vitalsSilver, vitals15min, patientEarlyWarning, patientAlerts,
  materializedView('vitals_15min_all', { query: vitalsWindowAggregates(read(vitalsSilver)) }),
]);

describe('vitals_15min == DuckDB', () => {
  let duck: Duck;
  const dirs: string[] = [];
  beforeAll(async () => { duck = await Duck.open(); });
  afterAll(() => {
    duck?.close();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('over an in-order file: every closed window equals the batch result; open windows are not written; the view shows them all', async () => {
    const readings = generateReadings(7, 3).sort((a, b) => (a.t ?? 0) - (b.t ?? 0));
    const dir = tmp('vitals-inorder-');
    dirs.push(dir);
    const files = writeFiles(dir, [readings]);
    const run = await runPipeline(withCompleteView, { input: dir });
    expect(run.failure).toBeNull();
    await loadModel(duck, dir, files);
    const [{ n: silverRows }] = await duck.all('SELECT count(*) AS n FROM silver');
    expect(run.rows('vitals_silver')).toHaveLength(silverRows as number);
    expect(silverRows as number).toBeGreaterThan(100);
    expect(run.rows('vitals_quarantine').length).toBeGreaterThan(5);
    const [{ wm }] = await duck.all('SELECT wm FROM final_wm');
    expect(run.tester.watermark('vitals_15min')).toBe(wm);
    // the plain batch result (all pairs, no watermark) restricted to the closed windows
    const closed = await modelWindows(duck, 'pairs', true);
    const open = await modelWindows(duck, 'pairs', false);
    expect(open.length).toBeGreaterThan(0);
    expect(closed.length).toBeGreaterThan(50);
    multisetEqual(run.rows('vitals_15min'), closed, { label: 'vitals_15min (in order)' });
    multisetEqual(run.rows('vitals_15min_all'), [...closed, ...open], { label: 'vitals_15min_all' });
    multisetEqual(thresholdAlerts(run.rows('patient_alerts')), alertsFrom(closed), { label: 'patient_alerts' });
    expect(run.totals('vitals_15min')).toMatchObject({ late_records: 0, null_event_time_records: 0 });
    expect(new Set(thresholdAlerts(run.rows('patient_alerts')).map((a) => a.reason)).size).toBe(5);

    // the same rows in order over six files, one batch each: nothing is late, the same windows come out
    const dir6 = tmp('vitals-inorder6-');
    dirs.push(dir6);
    const files6 = writeFiles(dir6, split(readings.filter((r) => r.t !== null), 6));
    const run6 = await runPipeline(withCompleteView, { input: dir6, maxFilesPerTrigger: 1 });
    await loadModel(duck, dir6, files6);
    expect(flowsOf(run6).map((m) => m.late_records)).toEqual(Array(flowsOf(run6).length).fill(0));
    expect(flowsOf(run6).filter((m) => m.num_output_rows > 0).length).toBeGreaterThan(3); // windows close batch by batch
    multisetEqual(run6.rows('vitals_15min'), await modelWindows(duck, 'pairs', true), { label: 'vitals_15min (in order, 6 batches)' });
  });

  it.each([
    { name: 'data/ files', seed: 0 },
    { name: 'generated, shuffled, 8 files', seed: 11 },
    { name: 'generated, shuffled, 5 files', seed: 23 },
  ])('out of order ($name): only the pairs behind each batch\'s watermark are dropped, and the late counts say so', async ({ seed }) => {
    const dir = tmp('vitals-ooo-');
    dirs.push(dir);
    let files: string[];
    if (seed === 0) {
      files = ['vitals_000001.csv', 'vitals_000002.csv'];
      copyData(dir, ...files);
    } else {
      const arrived = arrivalOrder(generateReadings(seed, 4), seed + 1, 60);
      files = writeFiles(dir, split(arrived, seed === 11 ? 8 : 5));
    }
    const run = await runPipeline(withCompleteView, { input: dir, maxFilesPerTrigger: 1 });
    expect(run.failure).toBeNull();
    await loadModel(duck, dir, files);

    // the watermark of each data batch, then the late rows: rows none of whose pairs is kept
    const wms = await duck.all('SELECT b, wm FROM batch_wm ORDER BY b');
    const m = flowsOf(run);
    expect(m.slice(0, files.length).map((x) => x.watermark_us)).toEqual(wms.map((w) => w.wm));
    const late = await duck.all(`SELECT b, count(*) FILTER (WHERE NOT any_kept) AS late, count(*) FILTER (WHERE any_kept AND dropped > 0) AS partial
      FROM (SELECT b, id, bool_or(kept) AS any_kept, count(*) FILTER (WHERE NOT kept) AS dropped FROM pairs GROUP BY b, id)
      RIGHT JOIN file_batch USING (b) GROUP BY b ORDER BY b`);
    expect(m.slice(0, files.length).map((x) => x.late_records)).toEqual(late.map((l) => l.late));
    expect(m.slice(files.length).every((x) => x.late_records === 0)).toBe(true); // the closing batch has no rows
    const totalLate = late.reduce((a, l) => a + (l.late as number), 0);
    const totalPartial = late.reduce((a, l) => a + (l.partial as number), 0);
    expect(totalLate).toBeGreaterThan(0);
    expect(totalPartial).toBeGreaterThan(0);
    expect(run.totals('vitals_15min').late_records).toBe(totalLate);

    // written windows == the kept pairs' windows that the final watermark closed
    const [{ wm }] = await duck.all('SELECT wm FROM final_wm');
    expect(run.tester.watermark('vitals_15min')).toBe(wm);
    const expected = await modelWindows(duck, 'kept_pairs', true);
    multisetEqual(run.rows('vitals_15min'), expected, { label: 'vitals_15min (out of order)' });
    // a window is written once
    const keys = run.rows('vitals_15min').map((r) => `${r.window_start}/${r.patient_id}`);
    expect(new Set(keys).size).toBe(keys.length);
    // the dropped pairs did change some windows (the watermark mattered), and the view shows them all, late pairs included
    const everything = await modelWindows(duck, 'pairs', null);
    multisetEqual(run.rows('vitals_15min_all'), everything, { label: 'vitals_15min_all (out of order)' });
    multisetEqual(thresholdAlerts(run.rows('patient_alerts')), alertsFrom(expected), { label: 'patient_alerts (out of order)' });
  });
});

// ---------------------------------------------------------------- stop and restart

describe('append emission exactly once across stops and restarts (PipelineService checkpoints)', () => {
  let input: string;
  let output: string;
  let duck: Duck;
  beforeAll(async () => {
    input = tmp('vitals-restart-in-');
    output = tmp('vitals-restart-out-');
    duck = await Duck.open();
  });
  // one service at a time holds the output folder: each stop closes the service, as the CLI does
  let current: PipelineService | null = null;
  afterAll(async () => {
    await current?.close('COMPLETED');
    duck?.close();
    for (const d of [input, output]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  const reopen = async () => {
    await current?.close('COMPLETED');
    const r = await PipelineService.open({ pipeline: patientPipeline, input, output, now: () => Date.UTC(2024, 0, 3) });
    current = r.service;
    return r;
  };
  const open = async () => (await reopen()).service;
  const parquet = async (table: string): Promise<PlainRow[]> => {
    const dir = path.join(output, 'tables', table);
    if (!fs.existsSync(dir) || !fs.readdirSync(dir).some((f) => f.endsWith('.parquet'))) return [];
    return duck.all(`SELECT * FROM read_parquet(${sqlString(path.join(dir, '*.parquet'))})`);
  };
  const keysOf = (rows: PlainRow[]) => rows.map((r) => `${win(r)} ${r.patient_id}`);
  const FILE3 = `${HEADER}\nP0001,2024-01-02T10:00:00Z,70,118,76,36.8,98\n`;

  it('run, stop, add files, restart: every window is written once, with the readings from before the stop', async () => {
    // run 1: file 1, then a closing batch (its watermark moved to 08:20)
    copyData(input, 'vitals_000001.csv');
    let s = await open();
    let rs = await s.runAvailableNow();
    expect(rs.map((r) => r.flows.get('vitals_15min')!.num_output_rows)).toEqual([0, 14]);
    expect(rs[1].flows.get('vitals_15min')!.watermark_us).toBe(T('08:20'));
    const afterRun1 = await parquet('vitals_15min');
    expect(afterRun1.every((r) => (r.window_end as number) <= T('08:20'))).toBe(true);
    // the checkpoint holds the watermark and the open windows; a new service loads exactly them
    const ex1 = s.runner.executor;
    // (compared decoded: the same numbers may serialize as small integers or doubles)
    const decode = (st: { operators: Record<string, Record<string, unknown>> }) => ({ ...st, operators: Object.fromEntries(Object.entries(st.operators).map(([d, ops]) => [d, Object.fromEntries(Object.entries(ops).map(([k, b]) => [k, k.endsWith(':aggregate') ? v8.deserialize(Buffer.from(b as string, 'base64')) : b]))])) });
    const state1 = decode(ex1.saveState());
    s = await open();
    expect(decode(s.runner.executor.saveState())).toEqual(state1);
    expect(s.runner.executor.flows.get('vitals_15min')!.currentWatermarkUs()).toBe(T('08:20'));
    const openWindows = (s.runner.executor.flows.get('vitals_15min')!.stateful[0].op as AggregateOperator).groupCount;
    expect(openWindows).toBeGreaterThan(5);
    // nothing new: no batch at all, nothing emitted again
    expect(await s.runAvailableNow()).toEqual([]);

    // run 2 (a new service on the same output): file 2; 08:05 is late against the restored watermark
    copyData(input, 'vitals_000002.csv');
    s = await open();
    rs = await s.runAvailableNow();
    expect(rs.map((r) => r.batchId)).toEqual([2, 3]);
    expect(rs[0].flows.get('vitals_15min')).toMatchObject({ watermark_us: T('08:20'), late_records: 1 });
    expect(rs[1].flows.get('vitals_15min')).toMatchObject({ watermark_us: T('08:42'), late_records: 0 });
    const afterRun2 = await parquet('vitals_15min');
    expect(new Set(keysOf(afterRun2)).size).toBe(afterRun2.length);
    // [08:25,08:40) P0001 holds 08:30 (file 1, before the stop) and 08:36 (file 2)
    expect(afterRun2.find((r) => r.window_start === T('08:25') && r.patient_id === 'P0001')).toMatchObject({ readings: 2, avg_heart_rate: 72 });

    // a crash after the last batch's Delta commits but before its commit markers: the batch is re-run, nothing is written twice
    fs.rmSync(path.join(output, '_checkpoints', 'commits', '3.json'));
    const reopened = await reopen();
    expect(reopened.report.resumedBatch).toBe(3);
    s = reopened.service;
    // the state after batch 2 was kept for this re-run: its watermark and its open windows
    expect(s.runner.executor.flows.get('vitals_15min')!.currentWatermarkUs()).toBe(T('08:42'));
    expect((s.runner.executor.flows.get('vitals_15min')!.stateful[0].op as AggregateOperator).groupCount).toBeGreaterThan(10);
    rs = await s.runAvailableNow();
    expect(rs.map((r) => r.batchId)).toEqual([3]);
    expect(keysOf(await parquet('vitals_15min')).sort()).toEqual(keysOf(afterRun2).sort());

    // run 3: a much later reading closes every window left open
    fs.writeFileSync(path.join(input, 'vitals_000003.csv'), FILE3);
    s = await open();
    rs = await s.runAvailableNow();
    expect(rs.map((r) => r.batchId)).toEqual([4, 5]);
    const final = await parquet('vitals_15min');
    expect(new Set(keysOf(final)).size).toBe(final.length);
    expect(final.filter((r) => (r.window_end as number) > T('08:42')).length).toBeGreaterThan(0);
    // the Delta snapshot agrees with the files
    const store = new DeltaStore(output);
    const snap = batchToRows(await store.snapshot('vitals_15min', buildGraph(patientPipeline).datasets.get('vitals_15min')!.schema));
    multisetEqual(snap, final, { label: 'Delta snapshot vs Parquet files' });

    // the same files run in one process, one file a batch, give the same windows
    const straight = await runPipeline(patientPipeline, { input, maxFilesPerTrigger: 1 });
    multisetEqual(final, straight.rows('vitals_15min'), { label: 'stop/restart vs one run' });
    multisetEqual(await parquet('patient_alerts'), straight.rows('patient_alerts'), { label: 'patient_alerts stop/restart vs one run' });
    // only the 10:00 window(s) remain open
    const last = (s.runner.executor.flows.get('vitals_15min')!.stateful[0].op as AggregateOperator);
    expect(batchToRows(last.result()).every((r) => r.patient_id === 'P0001' && (r.window_end as number) > T('09:50'))).toBe(true);
  }, 60_000);
});
