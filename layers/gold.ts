/**
 * Gold: statistics and time series over the silver admissions, maintained
 * incrementally from new silver rows. The statistics carry fail expectations
 * on their own output, the gold layer's data-quality checks.
 */
import { avg, col, count, countDistinct, materializedView, max, min, read, sliding, tumbling } from '../engine/index.js';
import { patientsSilver } from './silver.js';

const goldChecks = {
  positive_count: col('patient_count').gt(0),
  plausible_avg_age: col('avg_age').between(0, 120),
};

export const patientStatsByDiagnosis = materializedView('patient_stats_by_diagnosis', {
  comment: 'Patients per diagnosis: count, age statistics and number of genders.',
  properties: { quality: 'gold' },
  query: read(patientsSilver).groupBy('diagnosis_description').agg({
    patient_count: count('patient_id'),
    avg_age: avg('age'),
    unique_gender_count: countDistinct('gender'),
    min_age: min('age'),
    max_age: max('age'),
  }),
  expectOrFail: goldChecks,
});

export const patientStatsByGender = materializedView('patient_stats_by_gender', {
  comment: 'Patients per gender: count, age statistics and number of diagnoses.',
  properties: { quality: 'gold' },
  query: read(patientsSilver).groupBy('gender').agg({
    patient_count: count('patient_id'),
    avg_age: avg('age'),
    unique_diagnosis_count: countDistinct('diagnosis_description'),
    min_age: min('age'),
    max_age: max('age'),
  }),
  expectOrFail: goldChecks,
});

export const dailyAdmissionsByDiagnosis = materializedView('daily_admissions_by_diagnosis', {
  comment: 'Admissions per day and diagnosis (tumbling 1-day windows on admission_date).',
  properties: { quality: 'gold' },
  query: read(patientsSilver).groupBy(tumbling('admission_date', '1 day'), 'diagnosis_description').agg({
    admissions: count(),
    avg_age: avg('age'),
  }),
});

export const admissionsRolling7d = materializedView('admissions_rolling_7d', {
  comment: 'Admissions over 7-day windows sliding by 1 day on admission_date.',
  properties: { quality: 'gold' },
  query: read(patientsSilver).groupBy(sliding('admission_date', '7 days', '1 day')).agg({
    admissions: count(),
    avg_age: avg('age'),
    unique_patients: countDistinct('patient_id'),
  }),
});
