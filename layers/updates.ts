/**
 * The patient change feed: `patient_updates_*.csv` with one event per row
 * (a registration, a move, a phone change, a name correction, an erasure),
 * applied by AUTO CDC to the current patients (SCD type 1) and to their
 * history (SCD type 2), whatever the order the events arrive in.
 *
 *   patient_updates_*.csv ─▶ patient_updates_bronze ─▶ patient_updates_clean ─┬▶ patients_current (SCD 1)
 *                                                        └▶ patient_updates_quarantine └▶ patients_history (SCD 2)
 *   patients_silver + patients_history ─▶ admissions_with_address (as-of join)
 *
 * - `patient_updates_clean` drops rows without a patient, without a valid
 *   `updated_at`, or whose `op` is not UPSERT or DELETE, into the quarantine.
 * - Both targets keep the feed's columns but `op` and the metadata columns;
 *   `updated_at` orders the events (SEQUENCE BY). `patients_history` tracks
 *   `name`, `address` and `contact_number` (a change of `insurance_id` updates
 *   the current version in place) and leaves `updated_at` out: `__START_AT`
 *   and `__END_AT` carry it.
 * - `admissions_with_address`: every silver admission with the address the
 *   patient's history held on the admission date (NULL without history then).
 */
import { asOfJoin, autoCdc, col, materializedView, read, readCsv, stream, streamingTable, view } from '../engine/index.js';
import { patientsSilver } from './silver.js';

/** The columns of `patient_updates_*.csv`, with their types. */
export const UPDATES_SCHEMA = {
  patient_id: 'string',
  name: 'string',
  address: 'string',
  contact_number: 'string',
  insurance_id: 'string',
  op: 'string',
  updated_at: 'timestamp',
} as const;

/** The operations of the feed. */
export const UPDATE_OPS = ['UPSERT', 'DELETE'] as const;

/** The columns of the feed that are not the targets' (the operation and the bronze metadata). */
export const FEED_ONLY_COLUMNS = ['op', '_rescued_data', '_source_file', '_line', '_ingested_at'] as const;

/** Columns whose change opens a new version of a patient in `patients_history`. */
export const TRACKED_COLUMNS = ['name', 'address', 'contact_number'] as const;

export const patientUpdatesBronze = streamingTable('patient_updates_bronze', {
  comment: 'Patient change events as received (UPSERT or DELETE with the time of the change): every record, with _rescued_data and the file and line of each row.',
  properties: { quality: 'bronze' },
  query: readCsv({ glob: 'patient_updates_*.csv', schema: UPDATES_SCHEMA }),
});

export const patientUpdatesClean = view('patient_updates_clean', {
  comment: 'Patient change events with a patient, a valid time and a known operation, in the shape AUTO CDC reads.',
  properties: { quality: 'silver' },
  query: stream(patientUpdatesBronze),
  expectOrDrop: {
    valid_patient_id: col('patient_id').isNotNull(),
    valid_updated_at: col('updated_at').isNotNull(),
    valid_op: col('op').in(...UPDATE_OPS),
  },
  quarantine: {
    name: 'patient_updates_quarantine',
    comment: 'Patient change events that failed a validation rule, with _failed_expectations naming every rule they failed.',
    properties: { quality: 'silver' },
  },
});

export const patientsCurrent = streamingTable('patients_current', {
  comment: 'The current record of every patient (SCD type 1): the latest change by updated_at; an erased patient has no row.',
  properties: { quality: 'silver' },
});

export const patientsCurrentFlow = autoCdc(patientsCurrent, {
  source: patientUpdatesClean,
  keys: ['patient_id'],
  sequenceBy: 'updated_at',
  applyAsDeletes: col('op').eq('DELETE'),
  exceptColumns: [...FEED_ONLY_COLUMNS],
  storedAs: 1,
});

export const patientsHistory = streamingTable('patients_history', {
  comment: 'Every version of every patient (SCD type 2): a change of name, address or contact number opens a version; __START_AT and __END_AT (NULL: current) are the times of the changes.',
  properties: { quality: 'silver' },
});

export const patientsHistoryFlow = autoCdc(patientsHistory, {
  source: patientUpdatesClean,
  keys: ['patient_id'],
  sequenceBy: 'updated_at',
  applyAsDeletes: col('op').eq('DELETE'),
  exceptColumns: [...FEED_ONLY_COLUMNS, 'updated_at'],
  storedAs: 2,
  trackHistory: [...TRACKED_COLUMNS],
});

export const admissionsWithAddress = materializedView('admissions_with_address', {
  comment: "Valid admissions with the address the patient's history held on the admission date (an as-of join on patients_history).",
  properties: { quality: 'gold' },
  query: asOfJoin(
    read(patientsSilver),
    read(patientsHistory).select('patient_id', { address_at_admission: col('address') }, '__START_AT', '__END_AT'),
    { on: 'patient_id', at: 'admission_date', how: 'left' },
  ).drop('__START_AT', '__END_AT'),
});

/** The change feed's datasets and flows, in definition order (the quarantine comes with patient_updates_clean). */
export const updatesDefinitions = [
  patientUpdatesBronze, patientUpdatesClean, patientsCurrent, patientsCurrentFlow, patientsHistory, patientsHistoryFlow, admissionsWithAddress,
];
