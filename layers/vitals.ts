/**
 * Vitals monitoring: a second CSV source, `vitals_*.csv`, independent of the
 * admission files (a folder without vitals files leaves these tables empty).
 *
 *   vitals_*.csv ─▶ vitals_bronze ─▶ vitals_silver ─▶ vitals_15min ─▶ patient_alerts (alerts.ts)
 *                                        ├─▶ vitals_quarantine
 *                                        ├─▶ patient_early_warning (news2.ts) ─▶ patient_alerts
 *                                        └─▶ patient_risk (risk.ts) ─────────▶ patient_alerts
 *
 * - `vitals_bronze`: every record as received, values that do not fit their
 *   column NULL and kept in `_rescued_data`, with the file and line of each row.
 * - `vitals_silver`: readings that pass the drop rules below; the others go to
 *   `vitals_quarantine` with `_failed_expectations` naming every rule they failed.
 * - `vitals_15min`: per patient, 15-minute windows sliding every 5 minutes on
 *   `measured_at` (epoch-aligned, `[start, end)`), with a 10-minute watermark.
 *   Append mode: a window is written once, in the first micro-batch whose
 *   watermark (max `measured_at` of the earlier batches − 10 minutes) is at or
 *   past its end. A reading whose every window already closed is dropped and
 *   counted in `late_records` of the batch, next to the watermark value.
 *   Averages ignore NULLs (a window with no heart rate has `avg_heart_rate` NULL).
 * - `ALERT_RULES`: the thresholds on the window averages that raise an alert
 *   of `patient_alerts` (alerts.ts).
 */
import { avg, col, count, or, readCsv, sliding, stream, streamingTable, upper, type Expr } from '../engine/index.js';
import type { Rel } from '../engine/index.js';

/** The columns of `vitals_*.csv`, with their types (`measured_at`: ISO-8601, UTC). */
export const VITALS_SCHEMA = {
  patient_id: 'string',
  measured_at: 'timestamp',
  heart_rate: 'int',
  systolic_bp: 'int',
  diastolic_bp: 'int',
  temperature_c: 'double',
  spo2: 'int',
  respiration_rate: 'int',
  on_oxygen: 'boolean',
  consciousness: 'string',
} as const;

/**
 * The numeric vital-sign columns (a reading must carry at least one).
 * `respiration_rate`, `on_oxygen` (supplemental oxygen: true/false) and
 * `consciousness` (ACVPU: A, C, V, P, U; C is new confusion) came later: a
 * file without them still loads, the missing columns NULL.
 */
export const VITAL_COLUMNS = ['heart_rate', 'systolic_bp', 'diastolic_bp', 'temperature_c', 'spo2', 'respiration_rate'] as const;

/** The ACVPU consciousness levels, best to worst. */
export const ACVPU = ['A', 'C', 'V', 'P', 'U'] as const;

/** Inclusive plausible ranges; a NULL value passes (the reading may not carry that vital). */
export const VITAL_RANGES = {
  heart_rate: [20, 250],
  systolic_bp: [50, 260],
  diastolic_bp: [20, 160],
  temperature_c: [30, 45],
  spo2: [50, 100],
  respiration_rate: [3, 80],
} as const satisfies Record<(typeof VITAL_COLUMNS)[number], readonly [number, number]>;

/** The watermark delay and the windows of `vitals_15min`. */
export const VITALS_WATERMARK_DELAY = '10 minutes';
export const VITALS_WINDOW_SIZE = '15 minutes';
export const VITALS_WINDOW_SLIDE = '5 minutes';

const inRangeOrNull = (c: string, [low, high]: readonly [number, number]): Expr => col(c).isNull().or(col(c).between(low, high));

/** The drop rules of `vitals_silver`, in order. */
export const VITALS_RULES: Record<string, Expr> = {
  valid_patient_id: col('patient_id').isNotNull(),
  valid_measured_at: col('measured_at').isNotNull(),
  has_vitals: or(...VITAL_COLUMNS.map((c) => col(c).isNotNull())),
  heart_rate_range: inRangeOrNull('heart_rate', VITAL_RANGES.heart_rate),
  systolic_bp_range: inRangeOrNull('systolic_bp', VITAL_RANGES.systolic_bp),
  diastolic_bp_range: inRangeOrNull('diastolic_bp', VITAL_RANGES.diastolic_bp),
  temperature_c_range: inRangeOrNull('temperature_c', VITAL_RANGES.temperature_c),
  spo2_range: inRangeOrNull('spo2', VITAL_RANGES.spo2),
  bp_order: col('systolic_bp').isNull().or(col('diastolic_bp').isNull(), col('systolic_bp').gt(col('diastolic_bp'))),
  respiration_rate_range: inRangeOrNull('respiration_rate', VITAL_RANGES.respiration_rate),
  consciousness_acvpu: col('consciousness').isNull().or(upper(col('consciousness')).in(...ACVPU)),
};

export const vitalsBronze = streamingTable('vitals_bronze', {
  comment: 'Vital-sign readings as received: every record, with _rescued_data for values that do not fit and the file and line of each row.',
  properties: { quality: 'bronze' },
  query: readCsv({ glob: 'vitals_*.csv', schema: VITALS_SCHEMA }),
});

export const vitalsSilver = streamingTable('vitals_silver', {
  comment: 'Valid vital-sign readings: a patient, a measurement time, at least one vital, every vital in its plausible range, systolic above diastolic.',
  properties: { quality: 'silver' },
  query: stream(vitalsBronze),
  expectOrDrop: VITALS_RULES,
  quarantine: {
    name: 'vitals_quarantine',
    comment: 'Vital-sign readings that failed a validation rule, with _failed_expectations naming every rule they failed.',
    properties: { quality: 'silver' },
  },
});

/** The windowed averages (shared by the streaming table and by tests that recompute them). */
export function vitalsWindowAggregates(input: Rel): Rel {
  return input.groupBy(sliding('measured_at', VITALS_WINDOW_SIZE, VITALS_WINDOW_SLIDE), 'patient_id').agg({
    readings: count(),
    avg_heart_rate: avg('heart_rate'),
    avg_systolic_bp: avg('systolic_bp'),
    avg_diastolic_bp: avg('diastolic_bp'),
    avg_temperature_c: avg('temperature_c'),
    avg_spo2: avg('spo2'),
  });
}

export const vitals15min = streamingTable('vitals_15min', {
  comment: 'Per patient: readings and average vitals over 15-minute windows sliding every 5 minutes, written once when the 10-minute watermark passes the window end (append mode).',
  properties: { quality: 'gold' },
  query: vitalsWindowAggregates(stream(vitalsSilver).withWatermark('measured_at', VITALS_WATERMARK_DELAY)),
});

/**
 * The alert reasons, a fixed list. A window raises a reason when its average
 * crosses the threshold (a NULL average raises nothing):
 *
 * | reason       | condition                    |
 * |--------------|------------------------------|
 * | tachycardia  | avg_heart_rate > 120         |
 * | bradycardia  | avg_heart_rate < 40          |
 * | hypoxemia    | avg_spo2 < 90                |
 * | fever        | avg_temperature_c >= 38.5    |
 * | hypotension  | avg_systolic_bp < 90         |
 */
export const ALERT_RULES = [
  { reason: 'tachycardia', column: 'avg_heart_rate', op: '>', threshold: 120 },
  { reason: 'bradycardia', column: 'avg_heart_rate', op: '<', threshold: 40 },
  { reason: 'hypoxemia', column: 'avg_spo2', op: '<', threshold: 90 },
  { reason: 'fever', column: 'avg_temperature_c', op: '>=', threshold: 38.5 },
  { reason: 'hypotension', column: 'avg_systolic_bp', op: '<', threshold: 90 },
] as const;

export type AlertReason = (typeof ALERT_RULES)[number]['reason'];

/** The vitals datasets, in definition order (the quarantine comes with vitals_silver; patient_alerts is in alerts.ts). */
export const vitalsDatasets = [vitalsBronze, vitalsSilver, vitals15min];
