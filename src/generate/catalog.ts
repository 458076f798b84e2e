/**
 * What the generator knows about the pipeline and the world it simulates:
 * columns, expectations, alert rules, diagnoses and scenarios.
 */
import { DAY_MS } from './dates.js';

export const PATIENT_COLUMNS = ['patient_id', 'name', 'age', 'gender', 'address', 'contact_number', 'admission_date', 'diagnosis_code'] as const;
export const VITALS_COLUMNS = ['patient_id', 'measured_at', 'heart_rate', 'systolic_bp', 'diastolic_bp', 'temperature_c', 'spo2', 'respiration_rate', 'on_oxygen', 'consciousness'] as const;

/** Drop expectations of patients_clean, in evaluation (and `_failed_expectations`) order. */
export const PATIENT_DROP_EXPECTATIONS = ['valid_patient_id', 'valid_age', 'valid_gender', 'valid_admission_date'] as const;
/** Warn expectations of patients_silver (evaluated on deduplicated survivors). */
export const PATIENT_WARN_EXPECTATIONS = ['known_diagnosis', 'has_contact_number'] as const;
/** Drop expectations of the vitals table, in order. */
export const VITALS_DROP_EXPECTATIONS = [
  'valid_patient_id', 'valid_measured_at', 'has_vitals', 'heart_rate_range', 'systolic_bp_range',
  'diastolic_bp_range', 'temperature_c_range', 'spo2_range', 'bp_order', 'respiration_rate_range', 'consciousness_acvpu',
] as const;
/** Vital-sign alert conditions (on readings that pass the vitals expectations). */
export const VITALS_ALERTS = {
  heart_rate_gt_120: 'heart_rate > 120',
  spo2_lt_90: 'spo2 < 90',
  temperature_c_ge_38_5: 'temperature_c >= 38.5',
  systolic_bp_lt_90: 'systolic_bp < 90',
} as const;

export const DIAGNOSES = [
  { code: 'D001', name: 'Hypertension', weight: 0.20, ageMean: 60, ageSd: 13, ageMin: 25, ageMax: 98, pMale: 0.50 },
  { code: 'D002', name: 'Diabetes Mellitus', weight: 0.15, ageMean: 57, ageSd: 14, ageMin: 18, ageMax: 95, pMale: 0.52 },
  { code: 'D003', name: 'Chronic Obstructive Pulmonary Disease', weight: 0.07, ageMean: 68, ageSd: 9, ageMin: 40, ageMax: 98, pMale: 0.52 },
  { code: 'D004', name: 'Asthma', weight: 0.08, ageMean: 27, ageSd: 17, ageMin: 3, ageMax: 85, pMale: 0.45 },
  { code: 'D005', name: 'Heart Failure', weight: 0.07, ageMean: 75, ageSd: 10, ageMin: 35, ageMax: 100, pMale: 0.50 },
  { code: 'D006', name: 'Stroke', weight: 0.06, ageMean: 72, ageSd: 12, ageMin: 30, ageMax: 100, pMale: 0.48 },
  { code: 'D007', name: 'Myocardial Infarction', weight: 0.07, ageMean: 64, ageSd: 12, ageMin: 30, ageMax: 98, pMale: 0.62 },
  { code: 'D008', name: 'Chronic Kidney Disease', weight: 0.08, ageMean: 65, ageSd: 13, ageMin: 20, ageMax: 98, pMale: 0.50 },
  { code: 'D009', name: 'Hyperlipidemia', weight: 0.12, ageMean: 55, ageSd: 12, ageMin: 20, ageMax: 95, pMale: 0.50 },
  { code: 'D010', name: 'Coronary Artery Disease', weight: 0.10, ageMean: 66, ageSd: 11, ageMin: 30, ageMax: 98, pMale: 0.58 },
] as const;

export type ScenarioName = 'baseline' | 'flu-season' | 'outbreak' | 'dirty' | 'schema-drift' | 'vitals-deterioration';

export const SCENARIOS: Readonly<Record<ScenarioName, { readonly description: string }>> = {
  baseline: {
    description: 'Always on (the base of every other scenario): a stable mix of the ten diagnoses D001..D010 '
      + '(hypertension 20%, diabetes 15%, hyperlipidemia 12%, CAD 10%, ...), ages drawn per diagnosis '
      + '(asthma young, heart failure and stroke old), a balanced M/F mix, light dirt (--dirty-rate 0.05) and 2% late rows.',
  },
  'flu-season': {
    description: 'COPD (D003) and asthma (D004) follow an annual curve of the simulated date: their weight is multiplied by '
      + 'up to 3.5 around mid-January and by 1 in July.',
  },
  outbreak: {
    description: 'One diagnosis (chosen from the seed; see ground_truth.json generator.scenario_params.outbreak) surges on files '
      + '10..14 of the run (weight x4, x7, x9, x6, x3), then falls back to baseline.',
  },
  dirty: {
    description: 'Heavy data-quality problems: the dirty rate defaults to 0.30, rows get two problems more often, '
      + 'more files use CRLF line endings and vitals dirt is heavier.',
  },
  'schema-drift': {
    description: 'A column insurance_id appears after a quarter of the run, contact_number disappears from the header at half, '
      + 'and admission_date switches to MM/DD/YYYY at three quarters (without --files: at files 10, 20 and 30 of the run).',
  },
  'vitals-deterioration': {
    description: 'Implies --vitals. Every admitted patient is monitored for 6..10 hours (a reading every 15..30 minutes, with '
      + 'monitoring gaps, missing values and sensor artefacts); about 15% deteriorate from a recorded onset along a '
      + 'sepsis-like, respiratory, haemorrhagic or cardiac pattern that moves heart rate, blood pressure, respiration, '
      + 'SpO2, temperature, oxygen and consciousness together toward the alert thresholds. ground_truth.json records '
      + 'per patient the pattern, the onset and the first reading that crosses each alert threshold.',
  },
};

export function flu(dateMs: number): number {
  // Day of year (0-based), peak around January 15th.
  const dt = new Date(dateMs);
  const doy = (dateMs - Date.UTC(dt.getUTCFullYear(), 0, 1)) / DAY_MS;
  const c = (1 + Math.cos((2 * Math.PI * (doy - 14)) / 365.25)) / 2;
  return 1 + 2.5 * c * c;
}

export const OUTBREAK_FACTORS = [4, 7, 9, 6, 3];
