/**
 * The patient pipeline: daily admission files → bronze → silver (with a
 * quarantine) → gold statistics and time series. A plain value: nothing is
 * registered on import.
 */
import { definePipeline } from '../engine/index.js';
import { diagnosisMapping, patientsBronze } from './bronze.js';
import { patientsClean, patientsSilver } from './silver.js';
import { admissionsRolling7d, dailyAdmissionsByDiagnosis, patientStatsByDiagnosis, patientStatsByGender } from './gold.js';

export * from './bronze.js';
export * from './silver.js';
export * from './gold.js';

export const patientPipeline = definePipeline([
  diagnosisMapping,
  patientsBronze,
  patientsClean,
  patientsSilver,
  patientStatsByDiagnosis,
  patientStatsByGender,
  dailyAdmissionsByDiagnosis,
  admissionsRolling7d,
], { name: 'patients', input: 'incoming' });

export default patientPipeline;
