/** Patient trends, read from the gold tables: daily admissions by diagnosis (stacked), rolling 7-day admissions, statistics by diagnosis and by gender. */
import { Chart, Plot } from '../charts.js';
import { ErrorBox, html, markColors, num, seriesColors, useApi, useTheme } from '../lib.js';
import type { RowsData } from './tables.js';

type Row = Record<string, any>;
export const UNKNOWN = '(unknown code)';

function rowsOf(d: RowsData | null): Row[] {
  return d?.rows ?? [];
}

export function TrendsPage() {
  const theme = useTheme();
  const daily = useApi<RowsData>('/api/tables/daily_admissions_by_diagnosis?limit=0');
  const rolling = useApi<RowsData>('/api/tables/admissions_rolling_7d?limit=0');
  const byDiag = useApi<RowsData>('/api/tables/patient_stats_by_diagnosis?limit=0');
  const byGender = useApi<RowsData>('/api/tables/patient_stats_by_gender?limit=0');
  const error = daily.error ?? rolling.error ?? byDiag.error ?? byGender.error;
  if (error) return html`<div class="page-head"><h2>Patient trends</h2></div><${ErrorBox} error=${error} /><p class="muted">The trends read the patient pipeline's gold tables.</p>`;

  const d = rowsOf(daily.data).map((r) => ({ day: new Date(r.window_start), diagnosis: r.diagnosis_description ?? UNKNOWN, admissions: r.admissions as number }));
  const totals = new Map<string, number>();
  for (const r of d) totals.set(r.diagnosis, (totals.get(r.diagnosis) ?? 0) + r.admissions);
  const diagnoses = [...totals.keys()].sort((a, b) => (a === UNKNOWN ? 1 : b === UNKNOWN ? -1 : totals.get(b)! - totals.get(a)! || a.localeCompare(b)));
  const colors = seriesColors(diagnoses.length);
  const colorOf = new Map(diagnoses.map((n, i) => [n, n === UNKNOWN ? '#999999' : colors[i]]));
  const r7 = rowsOf(rolling.data).map((r) => ({ end: new Date(r.window_end), admissions: r.admissions as number, unique: r.unique_patients as number }));
  const sd: Row[] = rowsOf(byDiag.data).map((r) => ({ ...r, diagnosis: r.diagnosis_description ?? UNKNOWN }));
  const sg: Row[] = rowsOf(byGender.data).map((r) => ({ ...r, gender: r.gender ?? 'NULL' }));
  const c = markColors();
  const loading = !daily.data || !rolling.data || !byDiag.data || !byGender.data;
  if (loading) return html`<p class="loading">Loading trends…</p>`;
  const days = d.length ? (Math.max(...d.map((r) => +r.day)) - Math.min(...d.map((r) => +r.day))) / 86_400_000 + 1 : 0;
  const totalAdmissions = sd.reduce((s, r) => s + (r.patient_count as number), 0);

  return html`
    <div class="page-head"><h2>Patient trends</h2><p>${num(totalAdmissions)} admissions over ${num(days)} days of admission dates, from the gold tables (updated with every batch).</p></div>
    <section class="panel">
      <${Chart} id="daily-admissions" caption="Daily admissions by diagnosis" note="(stacked; 1-day tumbling windows on admission_date)"
        series=${diagnoses.length} deps=${[daily.data, theme]} empty=${d.length ? null : 'No admissions yet.'}
        legend=${diagnoses.map((n) => ({ name: n, color: colorOf.get(n)! }))}
        plot=${(width: number) => ({
          height: 300, marginLeft: 48, width,
          x: { type: 'utc', label: null },
          y: { label: 'admissions', grid: true },
          color: { domain: diagnoses, range: diagnoses.map((n) => colorOf.get(n)!) },
          marks: [
            Plot.rectY(d, { x: 'day', interval: 'day', y: 'admissions', fill: 'diagnosis', order: diagnoses, title: (r: Row) => `${r.day.toISOString().slice(0, 10)} ${r.diagnosis}: ${r.admissions}`, inset: 0.5 }),
            Plot.ruleY([0]),
          ],
        })} />
    </section>
    <div class="grid2">
      <section class="panel">
        <${Chart} id="rolling-7d" caption="Rolling 7-day admissions" note="(7-day windows sliding by 1 day, at each window's end)"
          series=${2} deps=${[rolling.data, theme]} empty=${r7.length ? null : 'No admissions yet.'}
          legend=${[{ name: 'admissions', color: c.main }, { name: 'unique patients', color: c.second }]}
          plot=${(width: number) => ({
            height: 240, marginLeft: 48, width,
            x: { type: 'utc', label: null },
            y: { label: 'per 7 days', grid: true, nice: true },
            marks: [
              Plot.lineY(r7, { x: 'end', y: 'admissions', stroke: c.main, strokeWidth: 2, curve: 'monotone-x' }),
              Plot.lineY(r7, { x: 'end', y: 'unique', stroke: c.second, strokeWidth: 2, strokeDasharray: '5 3', curve: 'monotone-x' }),
              Plot.ruleY([0]),
            ],
          })} />
      </section>
      <section class="panel">
        <${Chart} id="by-gender" caption="Admissions by gender" note="(patient_stats_by_gender)"
          series=${sg.length} deps=${[byGender.data, theme]} empty=${sg.length ? null : 'No admissions yet.'}
          plot=${(width: number) => ({
            height: 90 + 34 * sg.length, marginLeft: 60, marginRight: 120, width,
            x: { label: 'admissions', grid: true },
            y: { label: null },
            marks: [
              Plot.barX(sg, { y: 'gender', x: 'patient_count', fill: c.main, sort: { y: '-x' } }),
              Plot.text(sg, { y: 'gender', x: 'patient_count', text: (r: Row) => `${num(r.patient_count)} · avg age ${Number(r.avg_age).toFixed(1)}`, textAnchor: 'start', dx: 6, fill: 'currentColor' }),
              Plot.ruleX([0]),
            ],
          })} />
      </section>
    </div>
    <div style=${{ height: '16px' }}></div>
    <div class="grid2">
      <section class="panel">
        <${Chart} id="by-diagnosis" caption="Admissions by diagnosis" note="(patient_stats_by_diagnosis)"
          series=${sd.length} deps=${[byDiag.data, theme]} empty=${sd.length ? null : 'No admissions yet.'}
          plot=${(width: number) => ({
            height: 60 + 26 * sd.length, marginLeft: 190, marginRight: 50, width,
            x: { label: 'admissions', grid: true },
            y: { label: null },
            color: { domain: diagnoses, range: diagnoses.map((n) => colorOf.get(n)!) },
            marks: [
              Plot.barX(sd, { y: 'diagnosis', x: 'patient_count', fill: 'diagnosis', sort: { y: '-x' } }),
              Plot.text(sd, { y: 'diagnosis', x: 'patient_count', text: (r: Row) => num(r.patient_count), textAnchor: 'start', dx: 5, fill: 'currentColor' }),
              Plot.ruleX([0]),
            ],
          })} />
      </section>
      <section class="panel">
        <${Chart} id="age-by-diagnosis" caption="Age by diagnosis" note="(minimum to maximum, dot at the average)"
          series=${sd.length} deps=${[byDiag.data, theme]} empty=${sd.length ? null : 'No admissions yet.'}
          plot=${(width: number) => ({
            height: 60 + 26 * sd.length, marginLeft: 190, marginRight: 20, width,
            x: { label: 'age', grid: true, domain: [0, 120] },
            y: { label: null, domain: [...sd].sort((a, b) => b.patient_count - a.patient_count).map((r) => r.diagnosis) },
            marks: [
              Plot.ruleY(sd, { y: 'diagnosis', x1: 'min_age', x2: 'max_age', stroke: c.main, strokeWidth: 2 }),
              Plot.dot(sd, { y: 'diagnosis', x: 'avg_age', fill: c.second, stroke: 'currentColor', r: 4.5, title: (r: Row) => `${r.diagnosis}: average ${Number(r.avg_age).toFixed(1)}, ${r.min_age}–${r.max_age}` }),
            ],
          })} />
      </section>
    </div>`;
}
