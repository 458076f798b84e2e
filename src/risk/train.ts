/**
 * `train-risk`: fits the deterioration model of layers/risk.ts on a generated
 * folder (the vitals-deterioration scenario) and evaluates it on held-out
 * patients, next to NEWS2 alone.
 *
 * - Features: the pipeline's own `patient_risk_features` (the same IR the
 *   stream runs), computed by the engine over the folder.
 * - Labels (ground_truth.json): a window is positive when the patient's first
 *   threshold alert comes within RISK_HORIZON_HOURS after the window end;
 *   windows at or after that alert are left out (the patient is already
 *   alerting); patients the ground truth does not list are left out.
 * - Split by patient (a hash of the seed and the patient id): 70% train.
 * - Fit: ml-logistic-regression (batch gradient descent, deterministic) on
 *   standardised features with a constant column; NULL features count as the
 *   training mean. The artefact keeps the library's model next to the
 *   pipeline's form (means, standard deviations, weights, intercept).
 * - Threshold: the probability at which the training patients' stable windows
 *   raise as many alerts as NEWS2 ≥ 7 raises on them (same false-alert budget).
 *
 * Synthetic data only: not clinically validated, not for clinical decisions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { definePipeline, read, runPipeline, stream, streamingTable } from '../../engine/index.js';
import { diagnosisMapping, patientsBronze } from '../../layers/bronze.js';
import { patientsClean, patientsSilver } from '../../layers/silver.js';
import { vitalsBronze, vitalsSilver } from '../../layers/vitals.js';
import { patientEarlyWarning, NEWS2_HIGH } from '../../layers/news2.js';
import { RISK_FEATURES, RISK_HORIZON_HOURS, patientRiskFeatures, riskInputsOf, type RiskFeature, type RiskModel } from '../../layers/risk.js';
import { auprc, auroc, median } from './metrics.js';

const require = createRequire(import.meta.url);
// CommonJS builds (lib/) of the libraries
const { Matrix } = require('ml-matrix') as typeof import('ml-matrix');
const LogisticRegression = require('ml-logistic-regression') as new (o: { numSteps: number; learningRate: number }) => LogReg;
interface LogReg { train(X: unknown, Y: unknown): void; classifiers: { testScores(X: unknown): number[] }[]; toJSON(): unknown }
const LogisticRegressionStatic = require('ml-logistic-regression') as { load(m: unknown): LogReg };

export const NOTICE = 'Trained and evaluated on synthetic data from the generator; not clinically validated; not for clinical decisions.';
const HOUR_US = 3_600_000_000;
const DAY_US = 24 * HOUR_US;

export interface TrainOptions { input: string; seed: string; steps: number; trainShare: number }

interface Truth { deteriorating: Map<string, number | null>; monitoredUs: Map<string, number> }

function readTruth(input: string): Truth {
  const gt = JSON.parse(fs.readFileSync(path.join(input, 'ground_truth.json'), 'utf8')) as { files: { kind: string; monitored_patients?: { patient_id: string; from: string; until: string }[]; deteriorating_patients?: { patient_id: string; first_threshold_alert: string | null }[] }[] };
  const deteriorating = new Map<string, number | null>();
  const monitoredUs = new Map<string, number>();
  for (const f of gt.files) {
    if (f.kind !== 'vitals') continue;
    for (const m of f.monitored_patients ?? []) monitoredUs.set(m.patient_id, (Date.parse(m.until) - Date.parse(m.from)) * 1000);
    for (const d of f.deteriorating_patients ?? []) deteriorating.set(d.patient_id, d.first_threshold_alert ? Date.parse(d.first_threshold_alert) * 1000 : null);
  }
  if (monitoredUs.size === 0) throw new Error('train-risk: the ground truth lists no monitored patients (generate with --scenario vitals-deterioration)');
  return { deteriorating, monitoredUs };
}

/** FNV-1a of the seed and the patient id, in [0, 1). */
function share(seed: string, id: string): number {
  let h = 0x811c9dc5;
  for (const c of `${seed}\u0000${id}`) { h ^= c.charCodeAt(0); h = Math.imul(h, 0x01000193) >>> 0; }
  return h / 2 ** 32;
}

export interface Row { patient_id: string; window_end: number; x: (number | null)[]; news2: number; label: boolean; train: boolean }

/** Features, labels and the split, from the engine's run over the folder. */
export async function trainingData(o: TrainOptions): Promise<{ rows: Row[]; truth: Truth; earlyWarning: { patient_id: string; window_end: number; news2_total: number }[] }> {
  const truth = readTruth(o.input);
  // the model's inputs as patient_risk computes them (the same IR)
  const inputs = streamingTable('risk_inputs', { query: riskInputsOf(stream(patientRiskFeatures), read(patientsSilver)) });
  const p = definePipeline([diagnosisMapping, patientsBronze, patientsClean, patientsSilver, vitalsBronze, vitalsSilver, patientEarlyWarning, patientRiskFeatures, inputs]);
  const run = await runPipeline(p, { input: o.input });
  if (run.failure) throw new Error(`train-risk: the pipeline failed: ${run.failure.message}`);
  const rows: Row[] = [];
  for (const r of run.rows('risk_inputs')) {
    const id = r.patient_id as string;
    if (!truth.monitoredUs.has(id)) continue;
    const end = r.window_end as number;
    const first = truth.deteriorating.get(id) ?? null;
    if (first !== null && end >= first) continue;
    const label = first !== null && first - end <= RISK_HORIZON_HOURS * HOUR_US;
    rows.push({ patient_id: id, window_end: end, x: RISK_FEATURES.map((f) => (r[f] === null ? null : Number(r[f]))), news2: Number(r.news2_total), label, train: share(o.seed, id) < o.trainShare });
  }
  rows.sort((a, b) => (a.patient_id < b.patient_id ? -1 : a.patient_id > b.patient_id ? 1 : a.window_end - b.window_end));
  const earlyWarning = run.rows('patient_early_warning').map((r) => ({ patient_id: r.patient_id as string, window_end: r.window_end as number, news2_total: r.news2_total as number }));
  return { rows, truth, earlyWarning };
}

/** The standardised design matrix (constant column first), NULL as 0. */
export function design(rows: readonly { x: (number | null)[] }[], stats: { mean: number; sd: number }[]): number[][] {
  return rows.map((r) => [1, ...r.x.map((v, j) => (v === null ? 0 : (v - stats[j].mean) / stats[j].sd))]);
}

export function fit(rows: Row[], o: TrainOptions): { model: RiskModel; library: unknown; lr: LogReg } {
  const train = rows.filter((r) => r.train);
  const stats = RISK_FEATURES.map((_, j) => {
    const v = train.map((r) => r.x[j]).filter((x): x is number => x !== null);
    const mean = v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0;
    const sd = v.length ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) : 0;
    return { mean, sd: sd > 0 ? sd : 1 };
  });
  const X = new Matrix(design(train, stats));
  const Y = Matrix.columnVector(train.map((r) => (r.label ? 1 : 0)));
  const lr = new LogisticRegression({ numSteps: o.steps, learningRate: 2 / train.length });
  lr.train(X, Y);
  // classifier 0 is one-vs-all for class 0 with targets flipped: its score is P(label = 1)
  const flat = (lr.classifiers[0] as unknown as { weights: { to1DArray(): number[] } }).weights.to1DArray();
  const probs = lr.classifiers[0].testScores(X);
  // threshold: as many alerts on the training patients' negative windows as NEWS2 >= 7 raises there
  const negs = train.map((r, i) => ({ r, p: probs[i] })).filter((x) => !x.r.label);
  const k = negs.filter((x) => x.r.news2 >= NEWS2_HIGH).length;
  const sorted = negs.map((x) => x.p).sort((a, b) => b - a);
  const threshold = k > 0 && k < sorted.length ? (sorted[k - 1] + sorted[k]) / 2 : sorted[0] + 1e-9;
  const model: RiskModel = {
    format: 'localdlt-risk-logistic/1',
    horizon_hours: RISK_HORIZON_HOURS,
    features: RISK_FEATURES.map((name: RiskFeature, j) => ({ name, mean: stats[j].mean, sd: stats[j].sd, weight: flat[j + 1] })),
    intercept: flat[0],
    threshold,
    training: { library: 'ml-logistic-regression', steps: o.steps, learning_rate: 2 / train.length, seed: o.seed, train_share: o.trainShare, train_windows: train.length, train_positive_windows: train.filter((r) => r.label).length },
    notice: NOTICE,
  };
  const library = JSON.parse(JSON.stringify(lr.toJSON())) as unknown;
  return { model: { ...model, library_model: library }, library, lr };
}

/** The library's probabilities for rows (the reference the IR is checked against). */
export function libraryScores(library: unknown, model: RiskModel, rows: readonly { x: (number | null)[] }[]): number[] {
  const lr = LogisticRegressionStatic.load(library);
  return lr.classifiers[0].testScores(new Matrix(design(rows, model.features)));
}

export interface Metrics { auroc: number; auprc: number; window_sensitivity: number; patients_detected: string; false_alerts_per_patient_day: number; median_lead_minutes: number | null }

/** Held-out evaluation of a score (window level) and of its alert rule (patient level). */
export function evaluate(heldOut: Row[], truth: Truth, score: (r: Row) => number, alert: (r: Row) => boolean, alertsOf: (id: string) => number[]): Metrics {
  const s = heldOut.map(score), y = heldOut.map((r) => r.label);
  const pos = heldOut.filter((r) => r.label);
  const ids = [...new Set(heldOut.map((r) => r.patient_id))];
  const det = ids.filter((id) => (truth.deteriorating.get(id) ?? null) !== null);
  const stable = ids.filter((id) => !truth.deteriorating.has(id));
  const leads: number[] = [];
  for (const id of det) {
    const first = truth.deteriorating.get(id)!;
    const t = alertsOf(id).filter((e) => e <= first);
    if (t.length) leads.push((first - Math.min(...t)) / 60_000_000);
  }
  const stableDays = stable.reduce((a, id) => a + (truth.monitoredUs.get(id) ?? 0), 0) / DAY_US;
  const falseAlerts = stable.reduce((a, id) => a + alertsOf(id).length, 0);
  return {
    auroc: auroc(s, y), auprc: auprc(s, y),
    window_sensitivity: pos.filter(alert).length / Math.max(1, pos.length),
    patients_detected: `${leads.length}/${det.length}`,
    false_alerts_per_patient_day: stableDays > 0 ? falseAlerts / stableDays : NaN,
    median_lead_minutes: median(leads),
  };
}

export async function trainRisk(o: TrainOptions): Promise<{ model: RiskModel; library: unknown; model_metrics: Metrics; news2_metrics: Metrics; rows: Row[] }> {
  const { rows, truth, earlyWarning } = await trainingData(o);
  const { model, library, lr } = fit(rows, o);
  const heldOut = rows.filter((r) => !r.train);
  const p = lr.classifiers[0].testScores(new Matrix(design(heldOut, model.features)));
  const prob = new Map(heldOut.map((r, i) => [r, p[i]]));
  // alerts as the stream raises them: risk_high per feature window, early_warning_high per 15-minute NEWS2 window
  const riskAlerts = new Map<string, number[]>();
  for (const r of heldOut) if (prob.get(r)! >= model.threshold) riskAlerts.set(r.patient_id, [...(riskAlerts.get(r.patient_id) ?? []), r.window_end]);
  // the stable patients' alerts run to the end of their monitoring; the held-out rows stop at the first threshold alert only for deteriorating ones
  const ewAlerts = new Map<string, number[]>();
  const held = new Set(heldOut.map((r) => r.patient_id));
  for (const w of earlyWarning) if (held.has(w.patient_id) && w.news2_total >= NEWS2_HIGH) ewAlerts.set(w.patient_id, [...(ewAlerts.get(w.patient_id) ?? []), w.window_end]);
  const model_metrics = evaluate(heldOut, truth, (r) => prob.get(r)!, (r) => prob.get(r)! >= model.threshold, (id) => riskAlerts.get(id) ?? []);
  const news2_metrics = evaluate(heldOut, truth, (r) => r.news2, (r) => r.news2 >= NEWS2_HIGH, (id) => ewAlerts.get(id) ?? []);
  model.evaluation = {
    held_out_windows: heldOut.length, held_out_positive_windows: heldOut.filter((r) => r.label).length,
    held_out_patients: held.size, model: model_metrics, news2_alone: news2_metrics,
  };
  return { model, library, model_metrics, news2_metrics, rows };
}

const fmt = (x: number | null, d = 3) => (x === null || Number.isNaN(x) ? 'n/a' : x.toFixed(d));

export function evaluationTable(m: Metrics, n: Metrics, threshold: number): string {
  return [
    `| held-out patients | model (risk_high, p >= ${threshold.toFixed(3)}) | NEWS2 alone (total >= ${NEWS2_HIGH}) |`,
    '|---|---|---|',
    `| AUROC (windows, next ${RISK_HORIZON_HOURS} h) | ${fmt(m.auroc)} | ${fmt(n.auroc)} |`,
    `| AUPRC | ${fmt(m.auprc)} | ${fmt(n.auprc)} |`,
    `| sensitivity (positive windows alerting) | ${fmt(m.window_sensitivity)} | ${fmt(n.window_sensitivity)} |`,
    `| deteriorating patients alerted before their first threshold alert | ${m.patients_detected} | ${n.patients_detected} |`,
    `| false alerts per stable patient-day | ${fmt(m.false_alerts_per_patient_day, 2)} | ${fmt(n.false_alerts_per_patient_day, 2)} |`,
    `| median lead time before the first threshold alert (min) | ${fmt(m.median_lead_minutes, 0)} | ${fmt(n.median_lead_minutes, 0)} |`,
  ].join('\n');
}
