/**
 * NEWS2, the National Early Warning Score 2, per patient and closed 15-minute
 * window of the vitals stream.
 *
 * Source: Royal College of Physicians, *National Early Warning Score (NEWS) 2:
 * Standardising the assessment of acute-illness severity in the NHS. Updated
 * report of a working party*, London: RCP, 2017 (ISBN 978-1-86016-682-2),
 * Chart 1 (the scoring system) and Chart 2/4 (clinical risk and response
 * thresholds); www.rcplondon.ac.uk/national-early-warning-score.
 *
 *   vitals_silver ─▶ patient_early_warning   (tumbling 15 minutes, 10-minute watermark, append)
 *
 * Conventions (the RCP text leaves them open; see docs in README):
 * - the value scored for a parameter is the latest reading of it in the window
 *   (readings without it skipped; see `latestKey`); consciousness is the worst
 *   level of the window;
 * - values are rounded half-up to chart precision before the look-up (integers;
 *   temperature to 0.1 °C), so that every value falls in exactly one band;
 * - SpO2 is scored on Scale 1 (Scale 2 needs a clinician's prescribed 88–92%
 *   target, which the feed does not carry);
 * - a parameter that is missing scores NULL, never 0: `news2_total` sums the
 *   sub-scores present, `news2_missing` counts the missing ones and
 *   `news2_complete` is false when any is missing (the total is then a lower
 *   bound); a single parameter scoring 3 still raises `news2_red`.
 * - band (RCP Chart 2 wording): `high` total ≥ 7, `medium` 5–6, `low_medium`
 *   a single parameter scoring 3 with the total below 5, `low` otherwise.
 */
import { coalesce, col, count, lit, max, round, stream, streamingTable, tumbling, upper, when, type Expr } from '../engine/index.js';
import { unixSeconds } from '../engine/index.js';
import type { Rel } from '../engine/index.js';
import { VITALS_WATERMARK_DELAY, vitalsSilver } from './vitals.js';

/** A closed band of a chart row: `low <= x <= high` at chart precision (NULL = open end) scores `score`. */
export interface News2Band { readonly low: number | null; readonly high: number | null; readonly score: number }

/** A scored numeric parameter: its input column, its chart precision (decimals) and its bands. */
export interface News2Parameter { readonly column: string; readonly decimals: number; readonly bands: readonly News2Band[] }

const b = (low: number | null, high: number | null, score: number): News2Band => Object.freeze({ low, high, score });

/**
 * NEWS2 Chart 1, the numeric rows, as written on the chart (closed ranges at
 * chart precision). Air or oxygen and consciousness follow below.
 */
export const NEWS2_CHART: Readonly<Record<string, News2Parameter>> = Object.freeze({
  respiration_rate: { column: 'respiration_rate', decimals: 0, bands: [b(null, 8, 3), b(9, 11, 1), b(12, 20, 0), b(21, 24, 2), b(25, null, 3)] },
  spo2: { column: 'spo2', decimals: 0, bands: [b(null, 91, 3), b(92, 93, 2), b(94, 95, 1), b(96, null, 0)] },
  systolic_bp: { column: 'systolic_bp', decimals: 0, bands: [b(null, 90, 3), b(91, 100, 2), b(101, 110, 1), b(111, 219, 0), b(220, null, 3)] },
  pulse: { column: 'heart_rate', decimals: 0, bands: [b(null, 40, 3), b(41, 50, 1), b(51, 90, 0), b(91, 110, 1), b(111, 130, 2), b(131, null, 3)] },
  temperature: { column: 'temperature_c', decimals: 1, bands: [b(null, 35.0, 3), b(35.1, 36.0, 1), b(36.1, 38.0, 0), b(38.1, 39.0, 1), b(39.1, null, 2)] },
});

/** Air or oxygen: any supplemental oxygen scores 2, air 0 (a missing flag is not assumed to be air). */
export const NEWS2_OXYGEN_SCORE = { air: 0, oxygen: 2 } as const;
/** ACVPU: Alert scores 0; new Confusion, Voice, Pain, Unresponsive score 3. The rank orders them best to worst. */
export const NEWS2_CONSCIOUSNESS = { A: { rank: 0, score: 0 }, C: { rank: 1, score: 3 }, V: { rank: 2, score: 3 }, P: { rank: 3, score: 3 }, U: { rank: 4, score: 3 } } as const;

/** The sub-score columns of patient_early_warning, in order. */
export const NEWS2_SCORES = ['respiration_score', 'spo2_score', 'oxygen_score', 'systolic_bp_score', 'pulse_score', 'consciousness_score', 'temperature_score'] as const;

/** Band thresholds of the total (RCP Chart 2/4). */
export const NEWS2_HIGH = 7;
export const NEWS2_MEDIUM = 5;

export const EARLY_WARNING_WINDOW = '15 minutes';

/** The sub-score of a numeric parameter: the value rounded half-up to chart precision, then the band holding it; NULL for NULL. */
export function news2Score(p: News2Parameter, value: Expr): Expr {
  const x = p.decimals === 0 && value.node.kind === 'col' ? value : round(value, p.decimals);
  const inBand = (band: News2Band): Expr => {
    const parts: Expr[] = [];
    if (band.low !== null) parts.push(x.ge(band.low));
    if (band.high !== null) parts.push(x.le(band.high));
    return parts.length === 1 ? parts[0] : parts[0].and(parts[1]);
  };
  const [first, ...rest] = p.bands;
  let c = when(inBand(first), lit(first.score));
  for (const band of rest) c = c.when(inBand(band), lit(band.score));
  return c.otherwise(lit(null).cast('int'));
}

/** The oxygen sub-score from a boolean `on_oxygen`. */
export function oxygenScore(onOxygen: Expr): Expr {
  return when(onOxygen, lit(NEWS2_OXYGEN_SCORE.oxygen)).when(onOxygen.not(), lit(NEWS2_OXYGEN_SCORE.air)).otherwise(lit(null).cast('int'));
}

/** The ACVPU rank of a consciousness code (case-insensitive), NULL when missing or unknown. */
export function consciousnessRank(c: Expr): Expr {
  const u = upper(c);
  const [first, ...rest] = Object.entries(NEWS2_CONSCIOUSNESS);
  let e = when(u.eq(first[0]), lit(first[1].rank));
  for (const [k, v] of rest) e = e.when(u.eq(k), lit(v.rank));
  return e.otherwise(lit(null).cast('int'));
}

/** The consciousness sub-score from an ACVPU rank. */
export function consciousnessScore(rank: Expr): Expr {
  return when(rank.eq(0), lit(NEWS2_CONSCIOUSNESS.A.score)).when(rank.gt(0), lit(NEWS2_CONSCIOUSNESS.C.score)).otherwise(lit(null).cast('int'));
}

/**
 * The latest value of a parameter in a window, as a plain `max` (portable,
 * incremental and free of ties): each reading is keyed
 * `unix_seconds(measured_at) * 1000 + code`, where `code` is the value at
 * chart precision (integers as they are, temperature in tenths rounded
 * half-up, oxygen 0/1), and the window keeps the greatest key (a reading
 * without the parameter has a NULL key, which max skips); `key % 1000` is the
 * latest value. Two readings in
 * the same second: the higher value wins.
 */
const latestKey = (code: Expr) => max(unixSeconds(col('measured_at')).times(1000).plus(code));
const latestOf = (c: string) => latestKey(col(c).cast('long'));
const decode = (key: string) => col(key).mod(1000);
/**
 * NEWS2 columns over a relation holding the parameters `respiration_rate`,
 * `spo2`, `on_oxygen`, `systolic_bp`, `heart_rate`, `temperature_c` and
 * `consciousness_rank`: the seven sub-scores, the total of those present, the
 * missing count, completeness, the red flag and the band. `keep` columns go first.
 */
export function withNews2(r: Rel, keep: readonly string[]): Rel {
  const scored = r.select(...keep, {
    respiration_score: news2Score(NEWS2_CHART.respiration_rate, col('respiration_rate')),
    spo2_score: news2Score(NEWS2_CHART.spo2, col('spo2')),
    oxygen_score: oxygenScore(col('on_oxygen')),
    systolic_bp_score: news2Score(NEWS2_CHART.systolic_bp, col('systolic_bp')),
    pulse_score: news2Score(NEWS2_CHART.pulse, col('heart_rate')),
    consciousness_score: consciousnessScore(col('consciousness_rank')),
    temperature_score: news2Score(NEWS2_CHART.temperature, col('temperature_c')),
  });
  const zeroIfNull = (s: string) => when(col(s).isNull(), lit(0)).otherwise(col(s));
  const oneIfNull = (s: string) => when(col(s).isNull(), lit(1)).otherwise(lit(0));
  const sum = (f: (s: string) => Expr) => NEWS2_SCORES.map(f).reduce((a, e) => a.plus(e));
  const totals = scored.select(...keep, ...NEWS2_SCORES, {
    news2_total: sum(zeroIfNull),
    news2_missing: sum(oneIfNull),
    news2_red: NEWS2_SCORES.map((s) => coalesce(col(s).eq(3), lit(false))).reduce((a, e) => a.or(e)),
  });
  return totals.select(...keep, ...NEWS2_SCORES, 'news2_total', {
    news2_complete: col('news2_missing').eq(0),
  }, 'news2_missing', 'news2_red', {
    news2_band: when(col('news2_total').ge(NEWS2_HIGH), lit('high'))
      .when(col('news2_total').ge(NEWS2_MEDIUM), lit('medium'))
      .when(col('news2_red'), lit('low_medium'))
      .otherwise(lit('low')),
  });
}

/** The windowed NEWS2 (shared by the streaming table and by tests that recompute it). */
export function earlyWarningOf(input: Rel): Rel {
  const windows = input.groupBy(tumbling('measured_at', EARLY_WARNING_WINDOW), 'patient_id').agg({
    readings: count(),
    respiration_key: latestOf('respiration_rate'),
    spo2_key: latestOf('spo2'),
    oxygen_key: latestKey(when(col('on_oxygen'), lit(1)).when(col('on_oxygen').not(), lit(0)).otherwise(lit(null).cast('int')).cast('long')),
    systolic_bp_key: latestOf('systolic_bp'),
    heart_rate_key: latestOf('heart_rate'),
    temperature_key: latestKey(round(col('temperature_c'), 1).times(10).cast('long')),
    consciousness_rank: max(consciousnessRank(col('consciousness'))),
  });
  const values = windows.select('window_start', 'window_end', 'patient_id', 'readings', {
    respiration_rate: decode('respiration_key').cast('int'),
    spo2: decode('spo2_key').cast('int'),
    on_oxygen: decode('oxygen_key').eq(1),
    systolic_bp: decode('systolic_bp_key').cast('int'),
    heart_rate: decode('heart_rate_key').cast('int'),
    temperature_c: decode('temperature_key').cast('double').div(10),
  }, 'consciousness_rank');
  return withNews2(values, ['window_start', 'window_end', 'patient_id', 'readings', 'respiration_rate', 'spo2', 'on_oxygen', 'systolic_bp', 'heart_rate', 'temperature_c', 'consciousness_rank']);
}

export const patientEarlyWarning = streamingTable('patient_early_warning', {
  comment: 'NEWS2 (RCP 2017) per patient and closed 15-minute window: the sub-scores of the latest reading of each parameter (consciousness: the worst), '
    + 'the total of the sub-scores present, the missing count, completeness, the red flag (a single parameter scoring 3) and the band.',
  properties: { quality: 'gold' },
  query: earlyWarningOf(stream(vitalsSilver).withWatermark('measured_at', VITALS_WATERMARK_DELAY)),
});
