/**
 * The patient pipeline: daily admission files → bronze → silver (with a
 * quarantine) → gold statistics and time series; from the vitals files,
 * vitals bronze → silver (with a quarantine) → 15-minute windows → alerts;
 * and from the patient change feed, AUTO CDC into the current patients
 * (SCD type 1) and their history (SCD type 2), with the admissions joined to
 * the address valid on their date. A plain value: nothing is registered on import.
 */
import { definePipeline } from '../engine/index.js';
import { diagnosisMapping, patientsBronze } from './bronze.js';
import { patientsClean, patientsSilver } from './silver.js';
import { admissionsRolling7d, dailyAdmissionsByDiagnosis, patientStatsByDiagnosis, patientStatsByGender } from './gold.js';
import { vitals15min, vitalsBronze, vitalsSilver } from './vitals.js';
import { patientAlerts } from './alerts.js';
import { updatesDefinitions } from './updates.js';
import { patientEarlyWarning } from './news2.js';
import { patientRisk, patientRiskFeatures } from './risk.js';

export * from './bronze.js';
export * from './silver.js';
export * from './gold.js';
export * from './vitals.js';
export * from './updates.js';
export * from './news2.js';
export * from './risk.js';
export * from './alerts.js';

export const patientPipeline = definePipeline([
  diagnosisMapping,
  patientsBronze,
  patientsClean,
  patientsSilver,
  patientStatsByDiagnosis,
  patientStatsByGender,
  dailyAdmissionsByDiagnosis,
  admissionsRolling7d,
  // vitals monitoring: its own source (vitals_*.csv); vitals_quarantine comes with vitals_silver
  vitalsBronze,
  vitalsSilver,
  vitals15min,
  patientEarlyWarning,
  patientRiskFeatures,
  patientRisk,
  patientAlerts,
  // the patient change feed (patient_updates_*.csv): AUTO CDC into SCD type 1 and 2; patient_updates_quarantine comes with patient_updates_clean
  ...updatesDefinitions,
], { name: 'patients', input: 'incoming' });

export default patientPipeline;
