/**
 * NEWS2 in the stream (layers/news2.ts): patient_early_warning and the
 * early-warning reasons of patient_alerts.
 *
 * - step tests at every band boundary of RCP NEWS2 Chart 1 (2017), the
 *   expected scores written out from the published chart (not from the
 *   thresholds table of the layer);
 * - rounding half-up to chart precision before the look-up (temperature to
 *   0.1 °C);
 * - missing parameters score NULL, the total is partial and flagged, a red
 *   score still shows;
 * - bands, the worked example, latest reading per window, worst consciousness;
 * - the alerts early_warning_high and early_warning_red;
 * - the DuckDB script computes the same table over the same files.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runPipeline, type PipelineRun, type Row } from '../engine/testing.js';
import { definePipeline, Dataset } from '../engine/dataset.js';
import { compilePipeline } from '../engine/sql/index.js';
import { vitalsBronze, vitalsSilver, vitals15min } from '../layers/vitals.js';
import { patientEarlyWarning } from '../layers/news2.js';
import { patientAlerts } from '../layers/alerts.js';
import { patientsBronze, diagnosisMapping } from '../layers/bronze.js';
import * as silver from '../layers/silver.js';
import { patientRiskFeatures, patientRisk } from '../layers/risk.js';
import { Duck, multisetEqual } from './helpers/duck.js';

const HEADER = 'patient_id,measured_at,heart_rate,systolic_bp,diastolic_bp,temperature_c,spo2,respiration_rate,on_oxygen,consciousness';
/** A normal reading (NEWS2 0 on every parameter). */
const NORMAL = { heart_rate: '70', systolic_bp: '120', diastolic_bp: '70', temperature_c: '37.0', spo2: '98', respiration_rate: '16', on_oxygen: 'false', consciousness: 'A' };
type Reading = Partial<typeof NORMAL> & { id: string; at?: string };

function csv(readings: Reading[]): string {
  const lines = readings.map((r) => {
    const v = { ...NORMAL, ...r };
    return [r.id, r.at ?? '2024-03-01T08:01:00Z', v.heart_rate, v.systolic_bp, v.diastolic_bp, v.temperature_c, v.spo2, v.respiration_rate, v.on_oxygen, v.consciousness].join(',');
  });
  // a reading far later closes every window before it (10-minute watermark)
  lines.push(['ZZ', '2024-03-01T12:00:00Z', ...Object.values(NORMAL)].join(','));
  return [HEADER, ...lines].join('\n') + '\n';
}

// patient_alerts also reads patient_risk, which needs the admissions (none here: no risk rows)
const pipeline = definePipeline([
  patientsBronze, diagnosisMapping, ...Object.values(silver).filter((x) => x instanceof Dataset), vitalsBronze, vitalsSilver, vitals15min, patientEarlyWarning, patientRiskFeatures, patientRisk, patientAlerts,
]);

async function run(readings: Reading[]): Promise<PipelineRun> {
  const r = await runPipeline(pipeline, { files: { 'vitals_000001.csv': csv(readings) } });
  expect(r.failure).toBeNull();
  return r;
}

const byPatient = (r: PipelineRun): Map<string, Row> => new Map(r.rows('patient_early_warning').map((x) => [x.patient_id as string, x]));

/** RCP NEWS2 Chart 1, boundary values and their published scores. */
const STEPS: { param: keyof typeof NORMAL; score: string; cases: [string, number][] }[] = [
  { param: 'respiration_rate', score: 'respiration_score', cases: [['4', 3], ['8', 3], ['9', 1], ['11', 1], ['12', 0], ['20', 0], ['21', 2], ['24', 2], ['25', 3], ['40', 3]] },
  { param: 'spo2', score: 'spo2_score', cases: [['80', 3], ['91', 3], ['92', 2], ['93', 2], ['94', 1], ['95', 1], ['96', 0], ['100', 0]] },
  { param: 'systolic_bp', score: 'systolic_bp_score', cases: [['70', 3], ['90', 3], ['91', 2], ['100', 2], ['101', 1], ['110', 1], ['111', 0], ['219', 0], ['220', 3], ['250', 3]] },
  { param: 'heart_rate', score: 'pulse_score', cases: [['30', 3], ['40', 3], ['41', 1], ['50', 1], ['51', 0], ['90', 0], ['91', 1], ['110', 1], ['111', 2], ['130', 2], ['131', 3], ['180', 3]] },
  { param: 'temperature_c', score: 'temperature_score', cases: [['34.0', 3], ['35.0', 3], ['35.1', 1], ['36.0', 1], ['36.1', 0], ['38.0', 0], ['38.1', 1], ['39.0', 1], ['39.1', 2], ['41.0', 2],
    // finer than the chart: rounded half-up to 0.1 °C first
    ['35.04', 3], ['35.05', 1], ['36.04', 1], ['36.05', 0], ['38.04', 0], ['38.05', 1], ['39.049', 1], ['39.05', 2]] },
  { param: 'on_oxygen', score: 'oxygen_score', cases: [['false', 0], ['true', 2], ['TRUE', 2]] },
  { param: 'consciousness', score: 'consciousness_score', cases: [['A', 0], ['C', 3], ['V', 3], ['P', 3], ['U', 3], ['c', 3], ['a', 0]] },
];

describe('patient_early_warning: NEWS2 sub-scores at every band boundary (RCP Chart 1)', () => {
  let r: PipelineRun;
  const readings: Reading[] = [];
  for (const s of STEPS) for (const [v] of s.cases) readings.push({ id: `${s.param}=${v}`, [s.param]: v, ...(s.param === 'systolic_bp' ? { diastolic_bp: '40' } : {}) });
  beforeAll(async () => { r = await run(readings); });

  for (const s of STEPS) {
    it(`${s.param}`, () => {
      const rows = byPatient(r);
      for (const [v, score] of s.cases) {
        const row = rows.get(`${s.param}=${v}`);
        expect(row, `${s.param}=${v}`).toBeDefined();
        expect(row![s.score], `${s.param}=${v}`).toBe(score);
        // every other parameter normal: the total is this score, complete
        expect(row!.news2_total, `${s.param}=${v}`).toBe(score);
        expect(row!.news2_complete).toBe(true);
        expect(row!.news2_red).toBe(score === 3);
      }
    });
  }
});

describe('patient_early_warning: windows, missing parameters, bands', () => {
  let r: PipelineRun;
  beforeAll(async () => {
    r = await run([
      // missing parameters: NULL sub-scores, counted, the total partial; a red score from the values present
      { id: 'no-rr', respiration_rate: '' },
      { id: 'no-o2-flag-no-temp', on_oxygen: '', temperature_c: 'null' },
      { id: 'partial-red', respiration_rate: '', spo2: '', heart_rate: '135' },
      // an old-format file has none of the new columns: see the next describe
      // bands
      { id: 'low-4', respiration_rate: '22', heart_rate: '95', temperature_c: '38.2' }, // 2+1+1
      { id: 'medium-5', respiration_rate: '22', heart_rate: '95', temperature_c: '38.2', spo2: '95' }, // 2+1+1+1
      { id: 'medium-6', respiration_rate: '22', heart_rate: '115', temperature_c: '38.2', spo2: '95' }, // 2+2+1+1
      { id: 'red-only', consciousness: 'C' }, // 3, total 3
      { id: 'red-and-medium', consciousness: 'V', heart_rate: '95', spo2: '95' }, // 3+1+1 = 5: medium governs
      // the worked example of the reference: 7, and 9 on oxygen
      { id: 'worked', respiration_rate: '22', spo2: '95', systolic_bp: '105', heart_rate: '115', temperature_c: '38.4' },
      { id: 'worked-o2', respiration_rate: '22', spo2: '95', systolic_bp: '105', heart_rate: '115', temperature_c: '38.4', on_oxygen: 'true' },
      // the latest reading of each parameter in the window; consciousness the worst
      { id: 'latest', at: '2024-03-01T08:00:00Z', heart_rate: '135', consciousness: 'V', temperature_c: '39.5' },
      { id: 'latest', at: '2024-03-01T08:10:00Z', heart_rate: '72', consciousness: 'A', temperature_c: '' },
      // another window of the same patient
      { id: 'latest', at: '2024-03-01T08:20:00Z', heart_rate: '45' },
    ]);
  });

  it('a missing parameter scores NULL, is counted, and the total is flagged partial', () => {
    const rows = byPatient(r);
    expect(rows.get('no-rr')).toMatchObject({ respiration_score: null, news2_total: 0, news2_missing: 1, news2_complete: false, news2_band: 'low' });
    expect(rows.get('no-o2-flag-no-temp')).toMatchObject({ oxygen_score: null, temperature_score: null, news2_missing: 2, news2_complete: false });
    expect(rows.get('partial-red')).toMatchObject({ respiration_score: null, spo2_score: null, pulse_score: 3, news2_total: 3, news2_missing: 2, news2_complete: false, news2_red: true, news2_band: 'low_medium' });
  });

  it('bands: low 0-4, low-medium for a single 3 below 5, medium 5-6, high from 7', () => {
    const rows = byPatient(r);
    expect(rows.get('low-4')).toMatchObject({ news2_total: 4, news2_band: 'low', news2_red: false });
    expect(rows.get('medium-5')).toMatchObject({ news2_total: 5, news2_band: 'medium' });
    expect(rows.get('medium-6')).toMatchObject({ news2_total: 6, news2_band: 'medium' });
    expect(rows.get('red-only')).toMatchObject({ news2_total: 3, news2_band: 'low_medium', news2_red: true });
    expect(rows.get('red-and-medium')).toMatchObject({ news2_total: 5, news2_band: 'medium', news2_red: true });
    expect(rows.get('worked')).toMatchObject({ respiration_score: 2, spo2_score: 1, oxygen_score: 0, systolic_bp_score: 1, pulse_score: 2, consciousness_score: 0, temperature_score: 1, news2_total: 7, news2_band: 'high' });
    expect(rows.get('worked-o2')).toMatchObject({ news2_total: 9, news2_band: 'high' });
  });

  it('scores the latest reading of each parameter in a closed 15-minute window, consciousness the worst', () => {
    const rows = r.rows('patient_early_warning').filter((x) => x.patient_id === 'latest').sort((a, b) => (a.window_start as number) - (b.window_start as number));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ readings: 2, heart_rate: 72, pulse_score: 0, consciousness_rank: 2, consciousness_score: 3, temperature_c: 39.5, temperature_score: 2 });
    expect(rows[0].window_end as number - (rows[0].window_start as number)).toBe(15 * 60 * 1_000_000);
    expect(rows[1]).toMatchObject({ readings: 1, heart_rate: 45, pulse_score: 1 });
  });

  it('patient_alerts: early_warning_high for a total of 7 or more, early_warning_red for a single 3, one row per window', () => {
    const alerts = r.rows('patient_alerts').filter((a) => (a.reason as string).startsWith('early_warning'));
    const key = (a: Row) => `${a.patient_id}:${a.reason}`;
    const expected = r.rows('patient_early_warning').flatMap((w) => [
      ...((w.news2_total as number) >= 7 ? [`${w.patient_id}:early_warning_high`] : []),
      ...(w.news2_red ? [`${w.patient_id}:early_warning_red`] : []),
    ]);
    expect(alerts.map(key).sort()).toEqual(expected.sort());
    expect(alerts.map(key)).toEqual(expect.arrayContaining(['worked:early_warning_high', 'worked-o2:early_warning_high', 'red-only:early_warning_red', 'partial-red:early_warning_red']));
    expect(alerts.map(key)).not.toContain('medium-6:early_warning_high');
    for (const a of alerts) {
      const w = r.rows('patient_early_warning').find((x) => x.patient_id === a.patient_id && x.window_start === a.window_start)!;
      expect(a).toMatchObject({ news2_total: w.news2_total, readings: w.readings, avg_heart_rate: null, risk_probability: null });
    }
  });
});

describe('patient_early_warning over files without the new columns, and in DuckDB', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'localdlt-news2-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('an old-format file loads: respiration, oxygen and consciousness are NULL, the total partial', async () => {
    const old = 'patient_id,measured_at,heart_rate,systolic_bp,diastolic_bp,temperature_c,spo2\nOLD,2024-03-01T08:01:00Z,135,85,60,39.5,90\nZZ,2024-03-01T12:00:00Z,70,120,70,37.0,98\n';
    const r = await runPipeline(pipeline, { files: { 'vitals_000001.csv': old } });
    const row = byPatient(r).get('OLD')!;
    expect(row).toMatchObject({ respiration_score: null, oxygen_score: null, consciousness_score: null, pulse_score: 3, systolic_bp_score: 3, spo2_score: 3, temperature_score: 2, news2_total: 11, news2_missing: 3, news2_complete: false, news2_band: 'high' });
  });

  it('the DuckDB script computes the same patient_early_warning and patient_alerts', async () => {
    const readings: Reading[] = [];
    for (const s of STEPS) for (const [v] of s.cases) readings.push({ id: `${s.param}=${v}`, [s.param]: v, ...(s.param === 'systolic_bp' ? { diastolic_bp: '40' } : {}) });
    readings.push({ id: 'two', at: '2024-03-01T08:00:00Z', heart_rate: '135', consciousness: 'P' }, { id: 'two', at: '2024-03-01T08:12:00Z', heart_rate: '', spo2: '91' });
    fs.writeFileSync(path.join(dir, 'vitals_000001.csv'), csv(readings));
    const r = await runPipeline(pipeline, { input: dir });
    const { files, main } = compilePipeline(pipeline, { dialect: 'duckdb', input: dir });
    const db = await Duck.open();
    try {
      await db.run(files[main[0]]);
      for (const t of ['patient_early_warning', 'patient_alerts']) {
        const actual = await db.all(`SELECT * FROM "${t}"`);
        expect(actual.length, t).toBe(r.rows(t).length);
        multisetEqual(actual, r.rows(t), { label: t });
      }
      expect(r.rows('patient_early_warning').length).toBeGreaterThan(50);
    } finally { db.close(); }
  }, 60_000);
});
