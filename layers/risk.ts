/**
 * Real-time deterioration risk: features from the vitals stream and a
 * logistic model that is data (layers/models/risk.json), loaded as IR
 * expressions, so that the local run and the compiled SQL compute the same
 * probability.
 *
 *   vitals_silver ─▶ patient_risk_features ─▶ patient_risk ─▶ patient_alerts (risk_high)
 *                        patients_silver ─────┘ (as-of: the latest admission at or before the window end)
 *
 * - `patient_risk_features` (streaming, gold): per patient, 4-hour windows
 *   sliding every 15 minutes on `measured_at` (10-minute watermark, append):
 *   the latest value of each vital (as in NEWS2: `latestKey`), its change
 *   against the 4-hour mean, the 4-hour extremes, counts of abnormal readings
 *   (`FILTER` aggregates), oxygen and the worst consciousness, the NEWS2 of
 *   the latest values, and age and diagnosis of the latest admission at or
 *   before the window end (as-of join on `patients_silver`; NULL without one).
 * - `patient_risk` (streaming, gold): the probability that a threshold alert
 *   (tachycardia, hypoxemia, fever, hypotension on a reading) fires within the
 *   next RISK_HORIZON_HOURS hours, its level (`high` at or above the model's
 *   threshold, `elevated` at or above half of it, else `low`), and the three
 *   features that push the score up most (standardised value × weight).
 *
 * The model is trained and evaluated on synthetic data only; it is not
 * clinically validated and not for clinical decisions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { asOfJoin, col, count, exp, fn, lead, lit, max, min, avg, over, read, round, sliding, stream, streamingTable, unixSeconds, when, type Expr, type Rel } from '../engine/index.js';
import { NEWS2_CHART, consciousnessRank, news2Score, oxygenScore, consciousnessScore } from './news2.js';
import { patientsSilver } from './silver.js';
import { VITALS_WATERMARK_DELAY, vitalsSilver } from './vitals.js';

export const RISK_HORIZON_HOURS = 4;
export const RISK_WINDOW_SIZE = '4 hours';
export const RISK_WINDOW_SLIDE = '15 minutes';

/** Diagnoses whose patients decompensate in the cardio-respiratory patterns (COPD, asthma, heart failure, MI, CAD). */
export const CARDIORESPIRATORY_DIAGNOSES = ['D003', 'D004', 'D005', 'D007', 'D010'] as const;

/** The model's input columns of patient_risk_features, in order. */
export const RISK_FEATURES = [
  'heart_rate', 'systolic_bp', 'respiration_rate', 'spo2', 'temperature_c',
  'heart_rate_change', 'systolic_bp_change', 'respiration_rate_change', 'spo2_change',
  'max_temperature_c', 'on_oxygen', 'consciousness_rank',
  'tachycardic_readings', 'hypoxic_readings', 'tachypnoeic_readings', 'hypotensive_readings',
  'news2_total', 'age', 'cardiorespiratory',
] as const;
export type RiskFeature = (typeof RISK_FEATURES)[number];

/** The trained artefact (layers/models/risk.json): a logistic model over standardised features. */
export interface RiskModel {
  format: 'localdlt-risk-logistic/1';
  horizon_hours: number;
  /** Per feature: training mean and standard deviation; a NULL feature counts as the mean (standardised 0). */
  features: { name: RiskFeature; mean: number; sd: number; weight: number }[];
  intercept: number;
  /** The probability at or above which the level is `high` (a `risk_high` alert). */
  threshold: number;
  training: Record<string, unknown>;
  evaluation?: Record<string, unknown>;
  notice: string;
  /** The fitting library's own serialisation (ml-logistic-regression), kept to check the IR against it. */
  library_model?: unknown;
}

export const RISK_MODEL_PATH = path.join(path.dirname(fileURLToPath(import.meta.url)).replace(/[\\/]dist[\\/]layers$/, `${path.sep}layers`), 'models', 'risk.json');

export function loadRiskModel(file = RISK_MODEL_PATH): RiskModel {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as RiskModel;
}

const latestKey = (code: Expr) => max(unixSeconds(col('measured_at')).times(1000).plus(code));
const latestOf = (c: string) => latestKey(col(c).cast('long'));
const decode = (key: string) => col(key).mod(1000);

/** The windowed vitals features (without the admission): shared by the streaming table and train-risk. */
export function riskWindowFeaturesOf(input: Rel): Rel {
  const w = input.groupBy(sliding('measured_at', RISK_WINDOW_SIZE, RISK_WINDOW_SLIDE), 'patient_id').agg({
    readings: count(),
    hr_key: latestOf('heart_rate'),
    sbp_key: latestOf('systolic_bp'),
    rr_key: latestOf('respiration_rate'),
    spo2_key: latestOf('spo2'),
    temp_key: latestKey(round(col('temperature_c'), 1).times(10).cast('long')),
    hr_mean: avg('heart_rate'),
    sbp_mean: avg('systolic_bp'),
    rr_mean: avg('respiration_rate'),
    spo2_mean: avg('spo2'),
    max_temperature_c: max('temperature_c'),
    oxygen_any: max(when(col('on_oxygen'), lit(1)).when(col('on_oxygen').not(), lit(0)).otherwise(lit(null).cast('int'))),
    consciousness_rank: max(consciousnessRank(col('consciousness'))),
    tachycardic_readings: count().filter(col('heart_rate').gt(110)),
    hypoxic_readings: count().filter(col('spo2').lt(94)),
    tachypnoeic_readings: count().filter(col('respiration_rate').gt(20)),
    hypotensive_readings: count().filter(col('systolic_bp').lt(100)),
  });
  const v = w.select('window_start', 'window_end', 'patient_id', 'readings', {
    heart_rate: decode('hr_key').cast('int'),
    systolic_bp: decode('sbp_key').cast('int'),
    respiration_rate: decode('rr_key').cast('int'),
    spo2: decode('spo2_key').cast('int'),
    temperature_c: decode('temp_key').cast('double').div(10),
  }, 'hr_mean', 'sbp_mean', 'rr_mean', 'spo2_mean', 'max_temperature_c', 'oxygen_any', 'consciousness_rank',
  'tachycardic_readings', 'hypoxic_readings', 'tachypnoeic_readings', 'hypotensive_readings');
  const score = (e: Expr) => when(e.isNull(), lit(0)).otherwise(e);
  return v.select('window_start', 'window_end', 'patient_id', 'readings',
    'heart_rate', 'systolic_bp', 'respiration_rate', 'spo2', 'temperature_c', {
      heart_rate_change: col('heart_rate').minus(col('hr_mean')),
      systolic_bp_change: col('systolic_bp').minus(col('sbp_mean')),
      respiration_rate_change: col('respiration_rate').minus(col('rr_mean')),
      spo2_change: col('spo2').minus(col('spo2_mean')),
    }, 'max_temperature_c', { on_oxygen: col('oxygen_any') }, 'consciousness_rank',
    'tachycardic_readings', 'hypoxic_readings', 'tachypnoeic_readings', 'hypotensive_readings', {
      // NEWS2 of the latest values (sub-scores present; consciousness the worst of the 4 hours)
      news2_total: [
        news2Score(NEWS2_CHART.respiration_rate, col('respiration_rate')), news2Score(NEWS2_CHART.spo2, col('spo2')),
        oxygenScore(col('oxygen_any').eq(1)), news2Score(NEWS2_CHART.systolic_bp, col('systolic_bp')),
        news2Score(NEWS2_CHART.pulse, col('heart_rate')), consciousnessScore(col('consciousness_rank')),
        news2Score(NEWS2_CHART.temperature, col('temperature_c')),
      ].map(score).reduce((a, e) => a.plus(e)),
    });
}

/** The admissions as validity intervals: from the admission date (00:00 UTC) until the patient's next admission. */
export function admissionIntervalsOf(silver: Rel): Rel {
  return silver.select('patient_id', 'age', 'diagnosis_code', { admitted_from: col('admission_date').cast('timestamp') })
    .withColumns({ admitted_until: over(lead('admitted_from'), { partitionBy: ['patient_id'], orderBy: ['admitted_from', 'age', 'diagnosis_code'] }) });
}

/**
 * The model's inputs: the window features with age and diagnosis of the latest
 * admission at or before the window end (an as-of join, in patient_risk's SQL
 * flow: the windowed features table itself is a PySpark flow on Spark).
 */
export function riskInputsOf(features: Rel, admissions: Rel): Rel {
  const joined = asOfJoin(features, admissionIntervalsOf(admissions), { on: 'patient_id', at: 'window_end', from: 'admitted_from', until: 'admitted_until', how: 'left' });
  return joined.select('window_start', 'window_end', 'patient_id', 'readings',
    ...RISK_FEATURES.filter((f) => f !== 'age' && f !== 'cardiorespiratory'), 'age', 'diagnosis_code', {
      cardiorespiratory: when(col('diagnosis_code').isNull(), lit(null).cast('int'))
        .when(col('diagnosis_code').in(...CARDIORESPIRATORY_DIAGNOSES), lit(1)).otherwise(lit(0)),
    });
}

export const patientRiskFeatures = streamingTable('patient_risk_features', {
  comment: 'Per patient, 4-hour windows sliding every 15 minutes: latest vitals, changes against the 4-hour mean, extremes, abnormal-reading counts, '
    + 'oxygen, worst consciousness and the NEWS2 of the latest values.',
  properties: { quality: 'gold' },
  query: riskWindowFeaturesOf(stream(vitalsSilver).withWatermark('measured_at', VITALS_WATERMARK_DELAY)),
});

/** The standardised value of a feature (NULL counts as the training mean: 0). */
function z(f: RiskModel['features'][number]): Expr {
  return fn('coalesce', col(f.name).cast('double').minus(lit(f.mean)).div(lit(f.sd)), lit(0.0));
}

/** The model's linear predictor as an IR expression: intercept + Σ weight × z(feature). */
export function riskLogit(m: RiskModel): Expr {
  return m.features.reduce((acc: Expr, f) => acc.plus(z(f).times(lit(f.weight))), lit(m.intercept));
}

/** The probability: 1 / (1 + exp(-logit)). */
export function riskProbability(m: RiskModel): Expr {
  return lit(1.0).div(lit(1.0).plus(exp(riskLogit(m).negate())));
}

/** The contribution column of a feature: weight × standardised value. */
const contribution = (f: RiskFeature) => `contribution_${f}`;

/**
 * The probability, its level and the names of the three features contributing
 * most (weight × standardised value, largest first; ties by feature order),
 * one select per step so that each expression stays linear in the features.
 */
export function riskOf(features: Rel, m: RiskModel): Rel {
  const keep = ['window_start', 'window_end', 'patient_id', 'readings', 'news2_total'];
  let r = features.select(...keep, { risk_probability: riskProbability(m) },
    Object.fromEntries(m.features.map((f) => [contribution(f.name), z(f).times(lit(f.weight))])));
  const chosen: string[] = [];
  const names = m.features.map((f) => f.name);
  for (let k = 1; k <= 3; k++) {
    // a feature already chosen counts as -infinity
    const masked = (f: RiskFeature): Expr => chosen.length
      ? when(chosen.map((c) => col(c).eq(f)).reduce((a, e) => a.or(e)), lit(-1e308)).otherwise(col(contribution(f)))
      : col(contribution(f));
    const top = fn('greatest', ...names.map(masked));
    const [first, ...rest] = names;
    let pick = when(masked(first).eq(top), lit(first));
    for (const n of rest) pick = pick.when(masked(n).eq(top), lit(n));
    r = r.withColumns({ [`top_feature_${k}`]: pick.otherwise(lit(null).cast('string')) });
    chosen.push(`top_feature_${k}`);
  }
  return r.select(...keep, 'risk_probability', {
    risk_level: when(col('risk_probability').ge(m.threshold), lit('high')).when(col('risk_probability').ge(m.threshold / 2), lit('elevated')).otherwise(lit('low')),
  }, 'top_feature_1', 'top_feature_2', 'top_feature_3');
}

export const riskModel: RiskModel = loadRiskModel();

export const patientRisk = streamingTable('patient_risk', {
  comment: `Per patient and 4-hour window sliding every 15 minutes: the probability of a threshold alert within the next ${RISK_HORIZON_HOURS} hours `
    + '(logistic model of layers/models/risk.json, trained on synthetic data; not clinically validated, not for clinical decisions), its level and the three features that raise it most.',
  properties: { quality: 'gold' },
  query: riskOf(riskInputsOf(stream(patientRiskFeatures), read(patientsSilver)), riskModel),
});

