/**
 * `patient_alerts`: one row per closed window, patient and reason.
 *
 * - the threshold reasons of `ALERT_RULES` (vitals.ts), from the averages of
 *   `vitals_15min` (15-minute windows sliding every 5 minutes); the row carries
 *   the window's averages;
 * - `early_warning_high` (NEWS2 total ≥ 7) and `early_warning_red` (a single
 *   parameter scoring 3), from `patient_early_warning` (tumbling 15 minutes);
 *   the row carries `news2_total` and the window's reading count;
 * - `risk_high` (the deterioration model's level is high), from `patient_risk`
 *   (risk.ts); the row carries `risk_probability`.
 *
 * Columns that do not belong to a reason's source are NULL.
 */
import { col, lit, stream, streamingTable, type Expr, type Rel } from '../engine/index.js';
import { ALERT_RULES, vitals15min } from './vitals.js';
import { NEWS2_HIGH, patientEarlyWarning } from './news2.js';
import { patientRisk } from './risk.js';

/** The reasons raised from the early-warning score and from the model. */
export const EARLY_WARNING_REASONS = ['early_warning_high', 'early_warning_red'] as const;
export const RISK_REASON = 'risk_high';

const AVERAGES = ['avg_heart_rate', 'avg_systolic_bp', 'avg_diastolic_bp', 'avg_temperature_c', 'avg_spo2'] as const;
const nullDouble = (): Expr => lit(null).cast('double');
const nullInt = (): Expr => lit(null).cast('int');

function alertCondition(r: (typeof ALERT_RULES)[number]): Expr {
  const c = col(r.column);
  switch (r.op) {
    case '>': return c.gt(r.threshold);
    case '<': return c.lt(r.threshold);
    case '>=': return c.ge(r.threshold);
  }
}

/** One select per threshold rule, unioned: the window, the patient, the reason, and the window's averages. */
export function alertsOf(windows: Rel): Rel {
  const [first, ...rest] = ALERT_RULES.map((r) => windows.filter(alertCondition(r)).select(
    'window_start', 'window_end', 'patient_id',
    { reason: lit(r.reason) },
    'readings', ...AVERAGES,
    { news2_total: nullInt(), risk_probability: nullDouble() },
  ));
  return first.union(...rest);
}

/** early_warning_high and early_warning_red rows of patient_early_warning windows. */
export function earlyWarningAlertsOf(ew: Rel): Rel {
  const conds: Record<(typeof EARLY_WARNING_REASONS)[number], Expr> = {
    early_warning_high: col('news2_total').ge(NEWS2_HIGH),
    early_warning_red: col('news2_red').eq(true),
  };
  const [first, ...rest] = EARLY_WARNING_REASONS.map((reason) => ew.filter(conds[reason]).select(
    'window_start', 'window_end', 'patient_id', { reason: lit(reason) }, 'readings',
    Object.fromEntries(AVERAGES.map((a) => [a, nullDouble()])),
    'news2_total', { risk_probability: nullDouble() },
  ));
  return first.union(...rest);
}

/** risk_high rows of patient_risk windows. */
export function riskAlertsOf(risk: Rel): Rel {
  return risk.filter(col('risk_level').eq('high')).select(
    'window_start', 'window_end', 'patient_id', { reason: lit(RISK_REASON) }, 'readings',
    Object.fromEntries(AVERAGES.map((a) => [a, nullDouble()])),
    { news2_total: nullInt() }, 'risk_probability',
  );
}

export const patientAlerts = streamingTable('patient_alerts', {
  comment: 'One row per closed window, patient and alert reason: tachycardia, bradycardia, hypoxemia, fever, hypotension (with the window averages), '
    + 'early_warning_high and early_warning_red (with the NEWS2 total), risk_high (with the model probability).',
  properties: { quality: 'gold' },
  query: alertsOf(stream(vitals15min)).union(earlyWarningAlertsOf(stream(patientEarlyWarning)), riskAlertsOf(stream(patientRisk))),
});
