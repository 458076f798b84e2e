/**
 * Bronze: the raw patient admission files, every record kept. Values that do
 * not fit their column (an age of "forty", a date of 2024-02-30) are NULL and
 * kept in `_rescued_data`, with the file and line each row came from.
 */
import * as path from 'node:path';
import { materializedView, readCsv, streamingTable } from '../engine/index.js';
import { projectDataDir } from './paths.js';

/** The columns of `patients_daily_file_*.csv`, with their types. */
export const PATIENT_SCHEMA = {
  patient_id: 'string',
  name: 'string',
  age: 'int',
  gender: 'string',
  address: 'string',
  contact_number: 'string',
  admission_date: 'date',
  diagnosis_code: 'string',
} as const;

export const patientsBronze = streamingTable('patients_bronze', {
  comment: 'Daily patient admission files as received: every record, with _rescued_data for values that do not fit and the file and line of each row.',
  properties: { quality: 'bronze' },
  query: readCsv({ glob: 'patients_daily_file_*.csv', schema: PATIENT_SCHEMA }),
});

/**
 * The diagnosis code mapping. Read from the input folder when a
 * `diagnosis_mapping.csv` is there, else from the copy in `data/`. A changed
 * mapping file is picked up by the next batch.
 */
export const diagnosisMapping = materializedView('diagnosis_mapping', {
  comment: 'Diagnosis code to description mapping (reference data).',
  properties: { quality: 'bronze' },
  query: readCsv({
    glob: 'diagnosis_mapping.csv',
    schema: { diagnosis_code: 'string', diagnosis_description: 'string' },
    fallbackPaths: [path.join(projectDataDir(), 'diagnosis_mapping.csv')],
  }).select('diagnosis_code', 'diagnosis_description'),
});
