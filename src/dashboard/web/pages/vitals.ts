/** Vitals and alerts: the live alerts feed (newest first), and one patient's vitals over time with the 15-minute windows and the alert thresholds. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { Chart, Plot } from '../charts.js';
import { ErrorBox, html, markColors, num, useApi, useTheme, utc } from '../lib.js';
import type { RowsData } from './tables.js';

type Row = Record<string, any>;
interface Config { show_phi: boolean; vitals: { window_size: string; window_slide: string; watermark_delay: string; alert_rules: { reason: string; column: string; op: string; threshold: number }[] } }

const VITALS: { column: string; avg: string; label: string; unit: string }[] = [
  { column: 'heart_rate', avg: 'avg_heart_rate', label: 'Heart rate', unit: 'bpm' },
  { column: 'spo2', avg: 'avg_spo2', label: 'SpO₂', unit: '%' },
  { column: 'temperature_c', avg: 'avg_temperature_c', label: 'Temperature', unit: '°C' },
  { column: 'systolic_bp', avg: 'avg_systolic_bp', label: 'Systolic blood pressure', unit: 'mmHg' },
];

function alertValue(a: Row, rules: Config['vitals']['alert_rules']): string {
  if (typeof a.news2_total === 'number') return `NEWS2 ${a.news2_total}`;
  if (typeof a.risk_probability === 'number') return `risk ${(a.risk_probability * 100).toFixed(0)}%`;
  const r = rules.find((x) => x.reason === a.reason);
  if (!r) return '';
  const v = a[r.column];
  return typeof v === 'number' ? `${r.column.replace('avg_', 'avg ')} ${Number(v.toFixed(1))} (${r.op} ${r.threshold})` : '';
}

function quote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** NEWS2 (patient_early_warning) and the model's risk (patient_risk) of a patient, newest window first; nothing when the pipeline has no such tables. */
function EarlyWarningAndRisk({ patient }: { patient: string }) {
  const where = encodeURIComponent(`patient_id = ${quote(patient)}`);
  const ew = useApi<RowsData>(`/api/tables/patient_early_warning?limit=0&where=${where}`);
  const risk = useApi<RowsData>(`/api/tables/patient_risk?limit=0&where=${where}`);
  if (ew.error || risk.error || !ew.data || !risk.data) return null;
  const byEnd = (a: Row, b: Row) => String(b.window_end).localeCompare(String(a.window_end));
  const e = [...ew.data.rows].sort(byEnd).slice(0, 8);
  const r = [...risk.data.rows].sort(byEnd).slice(0, 8);
  return html`<div class="grid2" id="early-warning-risk">
    <div class="panel"><h4>NEWS2 (15-minute windows)</h4>
      ${e.length ? html`<table id="news2-table"><thead><tr><th>window end</th><th>NEWS2</th><th>band</th><th>complete</th></tr></thead><tbody>
        ${e.map((x) => html`<tr><td>${String(x.window_end).slice(0, 16).replace('T', ' ')}</td><td>${x.news2_total}</td><td>${x.news2_band}</td><td>${x.news2_complete ? 'yes' : `no (${x.news2_missing} missing)`}</td></tr>`)}</tbody></table>` : html`<p class="empty">No closed NEWS2 window yet.</p>`}
    </div>
    <div class="panel"><h4>Deterioration risk (4-hour windows; synthetic model, not for clinical decisions)</h4>
      ${r.length ? html`<table id="risk-table"><thead><tr><th>window end</th><th>risk</th><th>level</th><th>top features</th></tr></thead><tbody>
        ${r.map((x) => html`<tr><td>${String(x.window_end).slice(0, 16).replace('T', ' ')}</td><td>${(Number(x.risk_probability) * 100).toFixed(1)}%</td><td>${x.risk_level}</td><td>${[x.top_feature_1, x.top_feature_2, x.top_feature_3].join(', ')}</td></tr>`)}</tbody></table>` : html`<p class="empty">No closed risk window yet.</p>`}
    </div>
  </div>`;
}

function PatientVitals({ patient, config, alerts }: { patient: string; config: Config; alerts: Row[] }) {
  const theme = useTheme();
  const where = encodeURIComponent(`patient_id = ${quote(patient)}`);
  const readings = useApi<RowsData>(`/api/tables/vitals_silver?limit=0&where=${where}&columns=measured_at,heart_rate,systolic_bp,diastolic_bp,temperature_c,spo2`);
  const windows = useApi<RowsData>(`/api/tables/vitals_15min?limit=0&where=${where}`);
  const error = readings.error ?? windows.error;
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (!readings.data || !windows.data) return html`<p class="loading">Loading the vitals of ${patient}…</p>`;
  const rs: Row[] = readings.data.rows.map((r) => ({ ...r, t: new Date(r.measured_at as string) }));
  const ws: Row[] = windows.data.rows.map((r) => ({ ...r, start: new Date(r.window_start as string), end: new Date(r.window_end as string) }));
  const mine: Row[] = alerts.filter((a) => a.patient_id === patient).map((a) => ({ ...a, start: new Date(a.window_start), end: new Date(a.window_end) }));
  const c = markColors();
  const span = rs.length ? [new Date(Math.min(...rs.map((r) => +r.t)) - 10 * 60_000), new Date(Math.max(...rs.map((r) => +r.t)) + 10 * 60_000)] : undefined;
  return html`<div data-patient=${patient}>
    <${EarlyWarningAndRisk} patient=${patient} />
    <p class="muted">${num(rs.length)} readings and ${num(ws.length)} closed ${config.vitals.window_size} windows (sliding every ${config.vitals.window_slide}; a window closes once the watermark, ${config.vitals.watermark_delay} behind the newest reading, passes its end).</p>
    <ul class="chart-legend" aria-label="Legend of the vitals charts">
      <li><span class="swatch" style=${{ background: c.main }} aria-hidden="true"></span>reading</li>
      <li><span class="swatch" style=${{ background: c.window }} aria-hidden="true"></span>15-minute window average</li>
      <li><span class="line" style=${{ borderTopColor: c.threshold }} aria-hidden="true"></span>alert threshold</li>
      <li><span class="swatch" style=${{ background: c.threshold, opacity: '0.25' }} aria-hidden="true"></span>window that raised an alert</li>
    </ul>
    <div class="grid2">${VITALS.map((v) => {
      const rules = config.vitals.alert_rules.filter((r) => r.column === v.avg);
      const pts = rs.filter((r) => r[v.column] !== null && r[v.column] !== undefined);
      const wins = ws.filter((w) => w[v.avg] !== null && w[v.avg] !== undefined);
      const hot = mine.filter((a) => rules.some((r) => r.reason === a.reason));
      return html`<div class="panel"><${Chart} id=${`vital-${v.column}`} caption=${`${v.label} (${v.unit})`} note=${rules.length ? `alerts: ${rules.map((r) => `${r.reason} ${r.op} ${r.threshold}`).join(', ')}` : ''}
        series=${1 + (wins.length ? 1 : 0) + rules.length} deps=${[readings.data, windows.data, theme, alerts.length]} empty=${pts.length ? null : 'No readings of this vital.'}
        plot=${(width: number) => ({
          height: 210, marginLeft: 44, width,
          x: { type: 'utc', label: null, domain: span },
          y: { label: v.unit, grid: true, nice: true, domain: undefined, zero: false },
          marks: [
            Plot.rect(hot, { x1: 'start', x2: 'end', fill: c.threshold, fillOpacity: 0.14 }),
            ...rules.map((r) => Plot.ruleY([r.threshold], { stroke: c.threshold, strokeDasharray: '6 4', strokeWidth: 1.5 })),
            ...rules.map((r) => Plot.text([r.threshold], { y: (d: number) => d, frameAnchor: 'right', text: () => `${r.reason} ${r.op} ${r.threshold}`, dy: -6, fill: c.threshold, textAnchor: 'end' })),
            Plot.ruleY(wins, { x1: 'start', x2: 'end', y: v.avg, stroke: c.window, strokeWidth: 2.5, strokeOpacity: 0.8 }),
            Plot.line(pts, { x: 't', y: v.column, stroke: c.main, strokeWidth: 1.2, strokeOpacity: 0.6 }),
            Plot.dot(pts, { x: 't', y: v.column, fill: c.main, r: 2.5, title: (r: Row) => `${utc(r.measured_at)}: ${r[v.column]} ${v.unit}` }),
          ],
        })} /></div>`;
    })}</div>
  </div>`;
}

export function VitalsPage() {
  const config = useApi<Config>('/api/config', false);
  const feed = useApi<RowsData>('/api/tables/patient_alerts?limit=200&last=1');
  const [patient, setPatient] = useState<string | null>(null);
  const seen = useRef<Set<string> | null>(null);
  const alerts = feed.data ? [...feed.data.rows].sort((a, b) => String(b.window_end).localeCompare(String(a.window_end)) || String(a.patient_id).localeCompare(String(b.patient_id))) : [];
  const keyOf = (a: Row) => `${a.window_start}|${a.patient_id}|${a.reason}`;
  const fresh = new Set(seen.current ? alerts.map(keyOf).filter((k) => !seen.current!.has(k)) : []);
  useEffect(() => { if (feed.data) seen.current = new Set(alerts.map(keyOf)); }, [feed.data]);
  useEffect(() => { if (patient === null && alerts.length) setPatient(alerts[0].patient_id as string); }, [feed.data]);
  const error = feed.error ?? config.error;
  if (error) return html`<div class="page-head"><h2>Vitals and alerts</h2></div><${ErrorBox} error=${error} /><p class="muted">This page reads the patient pipeline's vitals tables (patient_alerts, vitals_15min, vitals_silver).</p>`;
  if (!feed.data || !config.data) return html`<p class="loading">Loading alerts…</p>`;
  const rules = config.data.vitals.alert_rules;
  const patients = [...new Set(alerts.map((a) => a.patient_id as string))];
  return html`
    <div class="page-head"><h2>Vitals and alerts</h2><p>${num(feed.data.total)} alerts in patient_alerts; the newest ${num(alerts.length)} below, newest window first. Pick an alert to see that patient's vitals.</p></div>
    <div class="split">
      <section class="panel" aria-labelledby="feed-h">
        <h3 id="feed-h">Alerts feed</h3>
        ${alerts.length ? html`<ol class="feed" id="alerts-feed" aria-live="polite">${alerts.map((a) => html`<li key=${keyOf(a)} class=${fresh.has(keyOf(a)) ? 'fresh' : ''} data-reason=${a.reason}>
          <button aria-pressed=${a.patient_id === patient} onClick=${() => setPatient(a.patient_id as string)}>
            <span><span class="badge bad">${a.reason}</span> <span class="who">${a.patient_id}</span></span>
            <span class="value">${alertValue(a, rules)}</span>
            <span class="when">${utc(a.window_start as string, false)} – ${String(a.window_end).slice(11, 16)}</span>
          </button></li>`)}</ol>` : html`<p class="empty">No alerts yet: alerts are raised when a closed 15-minute window's averages cross a threshold.</p>`}
      </section>
      <section class="panel" aria-labelledby="vitals-h">
        <div class="page-head"><h3 id="vitals-h">Vitals of</h3>
          <label class="muted" for="patient-select">patient</label>
          <select id="patient-select" value=${patient ?? ''} onChange=${(e: Event) => setPatient((e.target as HTMLSelectElement).value)}>
            ${patients.map((p) => html`<option value=${p}>${p}</option>`)}
          </select></div>
        ${patient ? html`<${PatientVitals} patient=${patient} config=${config.data} alerts=${alerts} />` : html`<p class="empty">No patient selected.</p>`}
      </section>
    </div>`;
}
