/**
 * The synthetic data generator for the built-in patient pipeline (see the
 * README's "Synthetic data"): what the CLI, the bench and the tests use.
 */
export { generate } from './generate.js';
export { parseGenerateArgs, GENERATE_USAGE, type GenerateOptions, type GenerateSummary, type ScenarioParams } from './options.js';
export {
  PATIENT_COLUMNS, VITALS_COLUMNS, PATIENT_DROP_EXPECTATIONS, PATIENT_WARN_EXPECTATIONS, VITALS_DROP_EXPECTATIONS, VITALS_ALERTS,
  DIAGNOSES, SCENARIOS, type ScenarioName,
} from './catalog.js';
export { PROBLEM_KINDS } from './dirt.js';
export { patientsFileName, vitalsFileName } from './records.js';
export { UPDATE_KINDS, updatesFileName } from './updates.js';
export {
  UPDATE_COLUMNS, CURRENT_COLUMNS, HISTORY_COLUMNS, TRACKED_COLUMNS, UPDATES_SEMANTICS, UPDATES_GT_NAME, foldUpdates,
  type CurrentRow, type HistoryRow, type UpdateEvent,
} from './updates-truth.js';
