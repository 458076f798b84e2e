/**
 * Vitals files: two to four readings (four to six when deteriorating) for
 * every patient admitted by the patients file of the same index, with their
 * own random stream per file.
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

export function genVitals(g: Gen, o: { lateRate: number; dirtyRate: number; has: (s: ScenarioName) => boolean }, ctx: FileCtx, admitted: string[], content: ByteSink) {
  const name = vitalsFileName(ctx.index);
  const rng = new Rng();
  rng.s = mix32(g.seedHash ^ mix32(Math.imul(ctx.index + 1, 0x165667b1) ^ 0x7a1));
  const dirtyRate = Math.min(1, o.dirtyRate * 0.5);
  const deteriorate = o.has('vitals-deterioration');
  const counts: VitalsCounts = { rows: 0, listed: 0, quarantined: 0, failed_expectations: zeroMap(VITALS_DROP_EXPECTATIONS), problems: {}, alerts: {} };
  const rowJson = new RowLog();
  const deteriorating: { patient_id: string; signs: string[] }[] = [];
  content.write(VITALS_COLUMNS.join(',') + '\n');
  let line = 1;
  const stepMs = ctx.simEndMs - ctx.simStartMs;
  const v: string[] = new Array<string>(7).fill('');
  const minutes = new Map<number, string>();
  let chunk = '';
  for (const pid of admitted) {
    const det = deteriorate && rng.next() < 0.1;
    const n = det ? 4 + rng.int(3) : 2 + rng.int(3);
    const span = (n - 1) * 30 * 60_000;
    const t0 = Math.floor((ctx.simStartMs + rng.next() * Math.max(0, stepMs - span)) / 60_000) * 60_000;
    const base = { hr: 60 + rng.int(36), sys: 105 + rng.int(36), dia: 65 + rng.int(24), temp: 36.3 + rng.next(), spo2: 95 + rng.int(5) };
    let signs: string[] = [];
    let target = { hr: 0, sys: 0, dia: 0, temp: 0, spo2: 0 };
    if (det) {
      signs = SIGNS.filter(() => rng.next() < 0.5);
      if (signs.length === 0) signs = [SIGNS[rng.int(4)]];
      target = { hr: 125 + rng.int(21), sys: 78 + rng.int(11), dia: 50 + rng.int(9), temp: 38.6 + rng.next(), spo2: 84 + rng.int(6) };
      deteriorating.push({ patient_id: pid, signs });
    }
    let t = t0;
    for (let k = 0; k < n; k++) {
      const p = n > 1 ? k / (n - 1) : 1;
      let hr = base.hr + rng.int(7) - 3;
      let sys = base.sys + rng.int(9) - 4;
      let dia = base.dia + rng.int(7) - 3;
      let temp = base.temp + (rng.next() - 0.5) * 0.4;
      let spo2 = Math.min(100, base.spo2 + rng.int(3) - 1);
      if (det) {
        if (signs.includes('heart_rate')) hr = Math.round(base.hr + p * (target.hr - base.hr));
        if (signs.includes('systolic_bp')) { sys = Math.round(base.sys + p * (target.sys - base.sys)); dia = Math.min(dia, Math.round(base.dia + p * (target.dia - base.dia))); }
        if (signs.includes('temperature_c')) temp = base.temp + p * (target.temp - base.temp);
        if (signs.includes('spo2')) spo2 = Math.round(base.spo2 + p * (target.spo2 - base.spo2));
      }
      let ms = t;
      const problems: string[] = [];
      if (rng.next() < o.lateRate) { ms -= (1 + rng.int(10)) * DAY_MS; problems.push('late'); }
      if (det) problems.push('deteriorating');
      v[0] = pid;
      let at = minutes.get(ms);
      if (at === undefined) minutes.set(ms, (at = isoMinute(ms)));
      v[1] = at;
      v[2] = String(hr);
      v[3] = String(sys);
      v[4] = String(dia);
      const tenths = Math.round(temp * 10);
      v[5] = tenths >= 300 && tenths < 500 ? TEMP_STR[tenths - 300] : (tenths / 10).toFixed(1);
      v[6] = String(spo2);
      if (rng.next() < dirtyRate) {
        const kind = pickVitalsDirt(rng.next());
        problems.push(kind);
        applyVitalsDirt(rng, kind, v);
      }
      // Lines are gathered in a string copied out natively every 64 KB (cheaper than copying each short line).
      chunk += v[0] + ',' + v[1] + ',' + v[2] + ',' + v[3] + ',' + v[4] + ',' + v[5] + ',' + v[6] + '\n';
      if (chunk.length > 65536) { content.write(chunk); chunk = ''; }
      line++;
      counts.rows++;
      // A reading without problems has in-range values by construction (no failure, no alert): only the others are checked.
      if (problems.length > 0) {
        const { failed, alerts } = evalVitals(v);
        const quarantined = failed.length > 0;
        if (quarantined) counts.quarantined++;
        for (const x of failed) counts.failed_expectations[x]++;
        for (const p of problems) bump(counts.problems, p);
        for (const a of alerts) bump(counts.alerts, a);
        rowJson.add(JSON.stringify({ file: name, line, problems, failed_expectations: failed, quarantined, alerts }));
      }
      t += (5 + rng.int(26)) * 60_000;
    }
  }
  content.write(chunk);
  counts.listed = rowJson.n;
  counts.problems = sortedMap(counts.problems);
  counts.alerts = sortedMap(counts.alerts);
  const head: Record<string, unknown> = {
    file: name, kind: 'vitals', index: ctx.index, sim_start: new Date(ctx.simStartMs).toISOString(), sim_end: new Date(ctx.simEndMs).toISOString(),
    patients_file: ctx.name, columns: [...VITALS_COLUMNS], line_ending: 'LF',
  };
  if (deteriorate) head.deteriorating_patients = deteriorating;
  head.counts = counts;
  return { name, content: content.bytes(), counts, head, rowJson };
}
