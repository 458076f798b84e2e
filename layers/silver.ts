/**
 * Silver: cleaned, validated and de-duplicated admissions, joined with the
 * diagnosis descriptions. Rows that fail a validation rule go to
 * `patients_quarantine` with the names of the rules they failed.
 */
import { col, read, stream, streamingTable, upper, view, when } from '../engine/index.js';
import { diagnosisMapping, patientsBronze } from './bronze.js';

const gender = upper(col('gender'));

export const patientsClean = view('patients_clean', {
  comment: 'Admissions with normalised gender (M/F) and diagnosis codes, checked by the validation rules.',
  properties: { quality: 'silver' },
  query: stream(patientsBronze).withColumns({
    gender: when(gender.eq('MALE'), 'M').when(gender.eq('FEMALE'), 'F').otherwise(gender),
    diagnosis_code: upper(col('diagnosis_code')),
  }),
  expectOrDrop: {
    valid_patient_id: col('patient_id').isNotNull(),
    valid_age: col('age').isNotNull().and(col('age').between(0, 120)),
    valid_gender: col('gender').in('M', 'F'),
    valid_admission_date: col('admission_date').isNotNull(),
  },
  quarantine: {
    name: 'patients_quarantine',
    comment: 'Admissions that failed a validation rule, with _failed_expectations naming every rule they failed.',
    properties: { quality: 'silver' },
  },
});

export const patientsSilver = streamingTable('patients_silver', {
  comment: 'Valid admissions, de-duplicated on (patient_id, admission_date, diagnosis_code), with the diagnosis description.',
  properties: { quality: 'silver' },
  query: stream(patientsClean)
    .dropDuplicates(['patient_id', 'admission_date', 'diagnosis_code'])
    .leftJoin(read(diagnosisMapping), 'diagnosis_code')
    .select(
      'patient_id', 'name', 'age', 'gender', 'address', 'contact_number', 'admission_date',
      'diagnosis_code', 'diagnosis_description', '_rescued_data', '_source_file', '_line', '_ingested_at',
    ),
  expect: {
    known_diagnosis: col('diagnosis_description').isNotNull(),
    has_contact_number: col('contact_number').isNotNull(),
  },
});
