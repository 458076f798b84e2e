/**
 * Vitals files, one per patients file, with their own random stream per file.
 *
 * - Plain `--vitals`: two to four spot readings for every patient admitted by
 *   the patients file of the same index.
 * - `vitals-deterioration`: every admitted patient is monitored for 6..10
 *   hours, a reading every 15..30 minutes, with monitoring gaps, missing
 *   values and sensor artefacts. About 15% deteriorate from a recorded onset
 *   along one of the PATTERNS, which move all the signals together. The ground
 *   truth records, per monitored patient, the monitoring span, and for the
 *   deteriorating ones the pattern, the onset and the first reading crossing
 *   each alert threshold (VITALS_ALERTS).
 */
import { ByteSink } from './bytes.js';
import { type ScenarioName, VITALS_COLUMNS, VITALS_DROP_EXPECTATIONS } from './catalog.js';
import { DAY_MS, isoMinute } from './dates.js';
import { applyVitalsDirt, pickVitalsDirt } from './dirt.js';
import { RowLog, type VitalsCounts, bump, sortedMap, zeroMap } from './ground-truth.js';
import { Rng, mix32 } from './random.js';
import { type FileCtx, type Gen, vitalsFileName } from './records.js';
import { evalVitals } from './rules.js';

const SIGNS = ['heart_rate', 'spo2', 'temperature_c', 'systolic_bp'] as const;
/** `30.0` .. `49.9`. */
const TEMP_STR: string[] = Array.from({ length: 200 }, (_, i) => ((300 + i) / 10).toFixed(1));
const MIN = 60_000;
const HOUR = 60 * MIN;

/** A physiological state: the values a reading is drawn around. */
interface State { hr: number; sys: number; dia: number; temp: number; spo2: number; rr: number }

/**
 * The deterioration patterns: the change of each signal at full progression
 * (a fraction `p` in [0, 1] of the way), the progression at which
 * consciousness starts to fail, and whether oxygen is started when SpO2 falls
 * below 92 (the reading then rises by `o2Gain`).
 */
export const PATTERNS = {
  /** Sepsis-like: fever, tachycardia, tachypnoea, falling pressure, late confusion. */
  sepsis: { d: { hr: 45, sys: -38, dia: -22, temp: 2.4, spo2: -5, rr: 12 }, confusionAt: 0.7, o2Gain: 3 },
  /** Respiratory: tachypnoea and falling saturation first, oxygen started, then tachycardia. */
  respiratory: { d: { hr: 30, sys: -5, dia: -3, temp: 0.9, spo2: -13, rr: 16 }, confusionAt: 0.9, o2Gain: 5 },
  /** Haemorrhagic: tachycardia and hypotension, cool, drowsy late. */
  haemorrhagic: { d: { hr: 52, sys: -48, dia: -28, temp: -0.6, spo2: -4, rr: 9 }, confusionAt: 0.75, o2Gain: 2 },
  /** Cardiac: a falling output with tachyarrhythmia, low pressure and congestion. */
  cardiac: { d: { hr: 48, sys: -36, dia: -18, temp: 0, spo2: -8, rr: 10 }, confusionAt: 0.85, o2Gain: 3 },
} as const;
export type PatternName = keyof typeof PATTERNS;
const PATTERN_NAMES = Object.keys(PATTERNS) as PatternName[];

export interface VitalsOptions { lateRate: number; dirtyRate: number; has: (s: ScenarioName) => boolean }

interface Out {
  name: string;
  rng: Rng;
  dirtyRate: number;
  lateRate: number;
  counts: VitalsCounts;
  rowJson: RowLog;
  minutes: Map<number, string>;
  line: number;
  chunk: string;
  content: ByteSink;
}

/** Writes one reading `v` (fields in VITALS_COLUMNS order) at `ms`, with dirt and lateness; the alerts it raises (after dirt), or null when late. */
function emit(o: Out, v: string[], ms: number, problems: string[], listAlways: boolean): string[] | null {
  const rng = o.rng;
  let late = false;
  if (rng.next() < o.lateRate) { ms -= (1 + rng.int(10)) * DAY_MS; problems.push('late'); late = true; }
  let at = o.minutes.get(ms);
  if (at === undefined) o.minutes.set(ms, (at = isoMinute(ms)));
  v[1] = at;
  if (rng.next() < o.dirtyRate) {
    const kind = pickVitalsDirt(rng.next());
    problems.push(kind);
    applyVitalsDirt(rng, kind, v);
  }
  // Lines are gathered in a string copied out natively every 64 KB (cheaper than copying each short line).
  o.chunk += v.join(',') + '\n';
  if (o.chunk.length > 65536) { o.content.write(o.chunk); o.chunk = ''; }
  o.line++;
  o.counts.rows++;
  // A reading without problems has in-range values below the alert thresholds by construction: only the others are checked.
  if (problems.length === 0 && !listAlways) return late ? null : [];
  const { failed, alerts } = evalVitals(v);
  if (problems.length === 0 && alerts.length === 0) return late ? null : alerts;
  const quarantined = failed.length > 0;
  if (quarantined) o.counts.quarantined++;
  for (const x of failed) o.counts.failed_expectations[x]++;
  for (const p of problems) bump(o.counts.problems, p);
  for (const a of alerts) bump(o.counts.alerts, a);
  o.rowJson.add(JSON.stringify({ file: o.name, line: o.line, problems, failed_expectations: failed, quarantined, alerts }));
  return late ? null : alerts;
}

const tempStr = (temp: number): string => {
  const tenths = Math.round(temp * 10);
  return tenths >= 300 && tenths < 500 ? TEMP_STR[tenths - 300] : (tenths / 10).toFixed(1);
};

export function genVitals(g: Gen, o: VitalsOptions, ctx: FileCtx, admitted: string[], content: ByteSink) {
  const name = vitalsFileName(ctx.index);
  const rng = new Rng();
  rng.s = mix32(g.seedHash ^ mix32(Math.imul(ctx.index + 1, 0x165667b1) ^ 0x7a1));
  const deteriorate = o.has('vitals-deterioration');
  const counts: VitalsCounts = { rows: 0, listed: 0, quarantined: 0, failed_expectations: zeroMap(VITALS_DROP_EXPECTATIONS), problems: {}, alerts: {} };
  const out: Out = { name, rng, dirtyRate: Math.min(1, o.dirtyRate * 0.5), lateRate: o.lateRate, counts, rowJson: new RowLog(), minutes: new Map(), line: 1, chunk: '', content };
  content.write(VITALS_COLUMNS.join(',') + '\n');
  const head: Record<string, unknown> = {
    file: name, kind: 'vitals', index: ctx.index, sim_start: new Date(ctx.simStartMs).toISOString(), sim_end: new Date(ctx.simEndMs).toISOString(),
    patients_file: ctx.name, columns: [...VITALS_COLUMNS], line_ending: 'LF',
  };
  if (deteriorate) Object.assign(head, monitored(out, ctx, admitted));
  else spotReadings(out, ctx, admitted);
  content.write(out.chunk);
  counts.listed = out.rowJson.n;
  counts.problems = sortedMap(counts.problems);
  counts.alerts = sortedMap(counts.alerts);
  head.counts = counts;
  return { name, content: content.bytes(), counts, head, rowJson: out.rowJson };
}

/** Plain `--vitals`: two to four spot readings per patient, 5..30 minutes apart, all in normal ranges. */
function spotReadings(out: Out, ctx: FileCtx, admitted: string[]): void {
  const rng = out.rng;
  const stepMs = ctx.simEndMs - ctx.simStartMs;
  const v: string[] = new Array<string>(VITALS_COLUMNS.length).fill('');
  for (const pid of admitted) {
    const n = 2 + rng.int(3);
    const span = (n - 1) * 30 * MIN;
    let t = Math.floor((ctx.simStartMs + rng.next() * Math.max(0, stepMs - span)) / MIN) * MIN;
    const base = { hr: 60 + rng.int(36), sys: 105 + rng.int(36), dia: 65 + rng.int(24), temp: 36.3 + rng.next(), spo2: 95 + rng.int(5), rr: 12 + rng.int(8) };
    for (let k = 0; k < n; k++) {
      v[0] = pid;
      v[2] = String(base.hr + rng.int(7) - 3);
      v[3] = String(base.sys + rng.int(9) - 4);
      v[4] = String(base.dia + rng.int(7) - 3);
      v[5] = tempStr(base.temp + (rng.next() - 0.5) * 0.4);
      v[6] = String(Math.min(100, base.spo2 + rng.int(3) - 1));
      v[7] = String(base.rr + rng.int(3) - 1);
      v[8] = 'false';
      v[9] = 'A';
      emit(out, v, t, [], false);
      t += (5 + rng.int(26)) * MIN;
    }
  }
}

/** The deterioration scenario: a monitored trajectory per patient (see the module comment). */
function monitored(out: Out, ctx: FileCtx, admitted: string[]): Record<string, unknown> {
  const rng = out.rng;
  const stepMs = ctx.simEndMs - ctx.simStartMs;
  const v: string[] = new Array<string>(VITALS_COLUMNS.length).fill('');
  const deteriorating: Record<string, unknown>[] = [];
  const monitoredPatients: { patient_id: string; from: string; until: string }[] = [];
  for (const pid of admitted) {
    const det = rng.next() < 0.15;
    const spanMs = (6 + rng.int(5)) * HOUR;
    const t0 = Math.floor((ctx.simStartMs + rng.next() * Math.max(0, stepMs - spanMs)) / MIN) * MIN;
    const base: State = { hr: 62 + rng.int(28), sys: 112 + rng.int(30), dia: 66 + rng.int(20), temp: 36.4 + rng.next() * 0.9, spo2: 96 + rng.int(4), rr: 13 + rng.int(6) };
    const pattern = PATTERN_NAMES[rng.int(PATTERN_NAMES.length)];
    const def = PATTERNS[pattern];
    // onset between 1.5 hours in and 3.5 hours before the end; full progression after 2..4 hours
    const onset = t0 + Math.floor((1.5 * HOUR + rng.next() * Math.max(0, spanMs - 5 * HOUR)) / MIN) * MIN;
    const duration = (2 + rng.next() * 2) * HOUR;
    const scale = 0.8 + rng.next() * 0.4;
    let onO2 = rng.next() < 0.05; // a few stable patients are on oxygen throughout
    const firstAlerts: Record<string, string> = {};
    const drift: State = { hr: 0, sys: 0, dia: 0, temp: 0, spo2: 0, rr: 0 };
    let t = t0;
    let last = t0;
    while (t < t0 + spanMs) {
      // a slow random walk around the baseline (stable patients stay clear of the thresholds)
      drift.hr = clamp(drift.hr + rng.int(5) - 2, -8, 8);
      drift.sys = clamp(drift.sys + rng.int(5) - 2, -8, 8);
      drift.rr = clamp(drift.rr + (rng.next() < 0.5 ? 0 : rng.int(3) - 1), -2, 2);
      const p = det && t >= onset ? Math.min(1, (t - onset) / duration) ** 1.3 * scale : 0;
      const hr = Math.round(base.hr + drift.hr + p * def.d.hr + rng.int(7) - 3);
      const sys = Math.round(base.sys + drift.sys + p * def.d.sys + rng.int(9) - 4);
      const dia = Math.min(sys - 15, Math.round(base.dia + drift.sys / 2 + p * def.d.dia + rng.int(7) - 3));
      const temp = base.temp + p * def.d.temp + (rng.next() - 0.5) * 0.3;
      let spo2 = base.spo2 + p * def.d.spo2 + rng.int(3) - 1;
      const rr = Math.round(base.rr + drift.rr + p * def.d.rr + rng.int(3) - 1);
      if (!onO2 && spo2 < 92) onO2 = true;
      if (onO2 && p > 0) spo2 += def.o2Gain;
      spo2 = Math.min(100, Math.round(spo2));
      const confused = p >= def.confusionAt && rng.next() < 0.6;
      const problems: string[] = [];
      if (det && t >= onset) problems.push('deteriorating');
      v[0] = pid;
      v[2] = String(hr);
      v[3] = String(sys);
      v[4] = String(dia);
      v[5] = rng.next() < 0.12 ? '' : tempStr(temp); // temperature is not taken at every round
      v[6] = String(spo2);
      v[7] = String(Math.max(4, rr));
      v[8] = onO2 ? 'true' : 'false';
      v[9] = confused ? (p > 0.95 && rng.next() < 0.3 ? 'V' : 'C') : 'A';
      if (rng.next() < 0.02) {
        // a sensor artefact: the SpO2 probe off a finger, or motion on the pulse
        problems.push('artefact');
        if (rng.next() < 0.6) v[6] = String(70 + rng.int(16));
        else v[2] = String(125 + rng.int(30));
      }
      const alerts = emit(out, v, t, problems, true);
      if (det && alerts) for (const a of alerts) if (firstAlerts[a] === undefined && t >= onset) firstAlerts[a] = isoMinute(t);
      last = t;
      // a reading every 15..30 minutes; now and then a gap of 1..2 hours (the patient off the ward, a missed round)
      t += rng.next() < 0.04 ? (60 + rng.int(61)) * MIN : (15 + rng.int(16)) * MIN;
    }
    monitoredPatients.push({ patient_id: pid, from: isoMinute(t0), until: isoMinute(last) });
    if (det) {
      const firsts = Object.values(firstAlerts).sort();
      deteriorating.push({
        patient_id: pid, pattern, deterioration_start: isoMinute(onset),
        first_threshold_alert: firsts.length ? firsts[0] : null, first_alerts: Object.fromEntries(Object.entries(firstAlerts).sort()),
        signs: Object.keys(firstAlerts).sort().map((a) => SIGN_OF[a]),
      });
    }
  }
  return { monitored_patients: monitoredPatients, deteriorating_patients: deteriorating };
}

const SIGN_OF: Record<string, (typeof SIGNS)[number]> = {
  heart_rate_gt_120: 'heart_rate', spo2_lt_90: 'spo2', temperature_c_ge_38_5: 'temperature_c', systolic_bp_lt_90: 'systolic_bp',
};

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
