/**
 * The deterioration model (layers/risk.ts, src/risk/train.ts):
 *
 * - the model as IR (the pipeline's expressions) equals the trained library
 *   model's probabilities on 1,000 random feature rows, within 1e-9;
 * - retraining with the same seed gives the same artefact (another seed,
 *   another split);
 * - replay of a deterioration-scenario folder: every deteriorating patient of
 *   the ground truth gets risk_high or early_warning_high at or before the
 *   first threshold alert, except for the documented rate; stable patients get
 *   no more alerts per patient-day than the stated rate;
 * - patient_risk rows: level from the threshold, three distinct top features.
 *
 * The DuckDB equivalence of patient_risk_features and patient_risk is in
 * sql-duckdb-equivalence.test.ts (every table of the pipeline).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { definePipeline, materializedView, rowsSource } from '../engine/index.js';
import { runPipeline, type PipelineRun, type Row } from '../engine/testing.js';
import { patientPipeline } from '../layers/pipeline.js';
import { RISK_FEATURES, loadRiskModel, riskOf, riskModel } from '../layers/risk.js';
import { generate } from '../src/generate/index.js';
import { fit, libraryScores, trainingData, type Row as TrainRow } from '../src/risk/train.js';

/** Documented in README (Real-time patient risk): at most this share of deteriorating patients is missed, at most this many alerts per stable patient-day. */
const MAX_MISSED_SHARE = 0.2;
const MAX_ALERTS_PER_STABLE_PATIENT_DAY = 3;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0; s ^= s >>> 13; return s / 2 ** 32; };
}

describe('the model as IR', () => {
  it('equals the library model on 1,000 random feature rows (within 1e-9), NULL features included', async () => {
    const m = loadRiskModel();
    expect(m.library_model).toBeDefined();
    const r = rng(42);
    const rows = Array.from({ length: 1000 }, (_, i) => {
      const row: Row = { window_start: i, window_end: i + 1, patient_id: `R${i}`, readings: 1 + Math.floor(r() * 16), news2_total: Math.floor(r() * 15) };
      RISK_FEATURES.forEach((f, j) => { row[f] = r() < 0.05 ? null : m.features[j].mean + (r() - 0.5) * 6 * m.features[j].sd; });
      return row;
    });
    const schema: Record<string, string> = { window_start: 'long', window_end: 'long', patient_id: 'string', readings: 'long', news2_total: 'int' };
    for (const f of RISK_FEATURES) schema[f] = 'double';
    const p = definePipeline([materializedView('scored', { query: riskOf(rowsSource('features', schema), m) })]);
    const run = await runPipeline(p, { rows: { features: rows } });
    expect(run.failure).toBeNull();
    const got = new Map(run.rows('scored').map((x) => [x.patient_id as string, x]));
    const lib = libraryScores(m.library_model, m, rows.map((x) => ({ x: RISK_FEATURES.map((f) => x[f] as number | null) })));
    let high = 0;
    rows.forEach((x, i) => {
      const g = got.get(x.patient_id as string)!;
      expect(Math.abs((g.risk_probability as number) - lib[i]), `row ${i}`).toBeLessThanOrEqual(1e-9);
      expect(g.risk_level).toBe(lib[i] >= m.threshold ? 'high' : lib[i] >= m.threshold / 2 ? 'elevated' : 'low');
      const tops = [g.top_feature_1, g.top_feature_2, g.top_feature_3];
      expect(new Set(tops).size).toBe(3);
      for (const t of tops) expect(RISK_FEATURES).toContain(t);
      if (g.risk_level === 'high') high++;
    });
    // the rows exercise both sides of the threshold
    expect(high).toBeGreaterThan(0);
    expect(high).toBeLessThan(1000);
  });

  it('the pipeline carries the committed artefact', () => {
    expect(riskModel).toEqual(loadRiskModel());
    expect(riskModel.notice).toMatch(/not clinically validated/);
  });
});

describe('training and replay on a deterioration-scenario folder', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'localdlt-risk-'));
  let rows: TrainRow[];
  let run: PipelineRun;
  beforeAll(async () => {
    await generate({ out: dir, files: 2, rows: 150, seed: 'risk-test', everyMs: 0, log: null, scenarios: ['vitals-deterioration'] });
    rows = (await trainingData({ input: dir, seed: 's', steps: 50, trainShare: 0.7 })).rows;
    run = await runPipeline(patientPipeline, { input: dir });
  }, 300_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('retraining with the same seed gives the same artefact; another seed another split', () => {
    const o = { input: dir, seed: 's', steps: 50, trainShare: 0.7 };
    const a = fit(rows, o).model, b = fit(rows, o).model;
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.features.map((f) => f.name)).toEqual([...RISK_FEATURES]);
    const other = rows.map((r) => ({ ...r, train: !r.train }));
    expect(JSON.stringify(fit(other, o).model)).not.toBe(JSON.stringify(a));
    expect(rows.some((r) => r.label)).toBe(true);
  });

  it('every monitored patient gets early-warning and risk rows', () => {
    expect(run.failure).toBeNull();
    const gt = JSON.parse(fs.readFileSync(path.join(dir, 'ground_truth.json'), 'utf8'));
    const monitored = gt.files.flatMap((f: { monitored_patients?: { patient_id: string }[] }) => f.monitored_patients ?? []).map((m: { patient_id: string }) => m.patient_id);
    const ew = new Set(run.rows('patient_early_warning').map((r) => r.patient_id));
    const risk = new Set(run.rows('patient_risk').map((r) => r.patient_id));
    for (const id of monitored) { expect(ew.has(id), id).toBe(true); expect(risk.has(id), id).toBe(true); }
  });

  it('deteriorating patients are alerted (risk_high or early_warning_high) at or before their first threshold alert; stable patients rarely', () => {
    const gt = JSON.parse(fs.readFileSync(path.join(dir, 'ground_truth.json'), 'utf8'));
    const files = gt.files.filter((f: { kind: string }) => f.kind === 'vitals');
    const det = files.flatMap((f: { deteriorating_patients: { patient_id: string; first_threshold_alert: string | null }[] }) => f.deteriorating_patients).filter((d: { first_threshold_alert: string | null }) => d.first_threshold_alert !== null);
    const detIds = new Set(files.flatMap((f: { deteriorating_patients: { patient_id: string }[] }) => f.deteriorating_patients.map((d) => d.patient_id)));
    const alerts = run.rows('patient_alerts').filter((a) => a.reason === 'risk_high' || a.reason === 'early_warning_high');
    expect(alerts.some((a) => a.reason === 'risk_high')).toBe(true);
    const byPatient = new Map<string, number[]>();
    for (const a of alerts) byPatient.set(a.patient_id as string, [...(byPatient.get(a.patient_id as string) ?? []), a.window_end as number]);
    const missed = det.filter((d: { patient_id: string; first_threshold_alert: string }) => !(byPatient.get(d.patient_id) ?? []).some((e) => e <= Date.parse(d.first_threshold_alert) * 1000));
    expect(det.length).toBeGreaterThan(10);
    expect(missed.length / det.length).toBeLessThanOrEqual(MAX_MISSED_SHARE);
    const stable = files.flatMap((f: { monitored_patients: { patient_id: string; from: string; until: string }[] }) => f.monitored_patients).filter((m: { patient_id: string }) => !detIds.has(m.patient_id));
    const days = stable.reduce((a: number, m: { from: string; until: string }) => a + (Date.parse(m.until) - Date.parse(m.from)) / 86_400_000, 0);
    const stableAlerts = stable.reduce((a: number, m: { patient_id: string }) => a + (byPatient.get(m.patient_id)?.length ?? 0), 0);
    expect(stableAlerts / days).toBeLessThanOrEqual(MAX_ALERTS_PER_STABLE_PATIENT_DAY);
  });
});
