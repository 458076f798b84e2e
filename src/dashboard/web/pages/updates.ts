/** Updates and events: the update history, each batch's duration and rows, and a filterable event-log view. */
import { useState } from 'preact/hooks';
import { Chart, Plot } from '../charts.js';
import { ago, ErrorBox, html, markColors, ms, num, StateBadge, useApi, useTheme, utc } from '../lib.js';

interface Updates {
  updates: { id: string; state: string; started: string; ended: string | null; batches: number; error: string | null; trigger: string | null; full_refresh: boolean }[];
  batches: { update_id: string; generation: number; batch_id: number; at: string; duration_ms: number | null; input_files: number | null; rows_in: number; rows_written: number; dropped: number; status: string; error_code: string | null }[];
}

interface Events {
  total: number; all: number; types: string[]; datasets: string[];
  events: { id: string; timestamp: string; level: string; event_type: string; message: string; origin: { dataset_name?: string; batch_id?: number }; error: { code?: string } | null }[];
}

const LEVEL_CLS: Record<string, string> = { ERROR: 'bad', WARN: 'warn', INFO: 'info', METRICS: '' };

function EventLog() {
  const [type, setType] = useState('');
  const [level, setLevel] = useState('');
  const [dataset, setDataset] = useState('');
  const [since, setSince] = useState('');
  const [text, setText] = useState('');
  const q = new URLSearchParams({ limit: '200' });
  if (type) q.set('type', type);
  if (level) q.set('level', level);
  if (dataset) q.set('dataset', dataset);
  if (since) q.set('since', since);
  if (text) q.set('q', text);
  const { data, error } = useApi<Events>(`/api/events?${q}`);
  const sel = (label: string, id: string, value: string, set: (v: string) => void, options: [string, string][]) => html`<label for=${id}>${label}<select id=${id} value=${value} onChange=${(e: Event) => set((e.target as HTMLSelectElement).value)}>${options.map(([v, l]) => html`<option value=${v}>${l}</option>`)}</select></label>`;
  return html`<section class="panel" aria-labelledby="ev-h">
    <h3 id="ev-h">Event log</h3>
    <div class="filters" role="search" aria-label="Filter events">
      ${sel('Type', 'ev-type', type, setType, [['', 'any type'], ...(data?.types ?? []).map((t): [string, string] => [t, t])])}
      ${sel('Level', 'ev-level', level, setLevel, [['', 'any level'], ['INFO', 'INFO'], ['METRICS', 'METRICS'], ['WARN', 'WARN'], ['ERROR', 'ERROR'], ['WARN,ERROR', 'WARN or ERROR']])}
      ${sel('Dataset', 'ev-dataset', dataset, setDataset, [['', 'any dataset'], ...(data?.datasets ?? []).map((t): [string, string] => [t, t])])}
      ${sel('Time', 'ev-since', since, setSince, [['', 'any time'], ['15m', 'last 15 minutes'], ['1h', 'last hour'], ['1 day', 'last day'], ['7 days', 'last 7 days']])}
      <label for="ev-text">Message contains<input id="ev-text" type="search" value=${text} onInput=${(e: Event) => setText((e.target as HTMLInputElement).value)} /></label>
    </div>
    <${ErrorBox} error=${error} />
    ${data ? html`<p class="muted" id="event-count">${num(data.events.length)} of ${num(data.total)} matching events (${num(data.all)} in the log), newest first</p>
      <div class="table-wrap" tabindex="0" role="region" aria-label="Events"><table class="data" id="events">
        <thead><tr><th scope="col">Time (UTC)</th><th scope="col">Level</th><th scope="col">Type</th><th scope="col">Dataset</th><th scope="col">Message</th></tr></thead>
        <tbody>${data.events.map((e) => html`<tr data-type=${e.event_type} data-level=${e.level}>
          <td class="mono">${e.timestamp.slice(0, 19).replace('T', ' ')}</td>
          <td><span class=${`badge ${LEVEL_CLS[e.level] ?? ''}`}>${e.level}</span></td>
          <td>${e.event_type}</td>
          <td>${e.origin.dataset_name ?? ''}${e.origin.batch_id !== undefined ? html` <span class="muted">#${e.origin.batch_id}</span>` : null}</td>
          <td>${e.message}${e.error?.code ? html` <strong>${e.error.code}</strong>` : null}</td>
        </tr>`)}</tbody>
      </table></div>` : error ? null : html`<p class="loading">Loading…</p>`}
  </section>`;
}

export function UpdatesPage() {
  const theme = useTheme();
  const { data, error } = useApi<Updates>('/api/updates?limit=200');
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (!data) return html`<p class="loading">Loading updates…</p>`;
  const batches = [...data.batches].reverse().filter((b) => b.duration_ms !== null);
  const c = markColors();
  return html`
    <div class="page-head"><h2>Updates and events</h2><p>${data.updates.length} updates (a run, replay or start each), ${num(data.batches.length)} recent batches.</p></div>
    <div class="grid2">
      <section class="panel" aria-labelledby="up-h">
        <h3 id="up-h">Updates</h3>
        <div class="table-wrap" tabindex="0" role="region" aria-label="Updates"><table class="data" id="updates">
          <thead><tr><th scope="col">Update</th><th scope="col">State</th><th scope="col">Started</th><th scope="col">Took</th><th scope="col" class="num">Batches</th><th scope="col">Trigger</th></tr></thead>
          <tbody>${data.updates.slice(0, 20).map((u) => html`<tr>
            <td class="mono">${u.id.slice(0, 8)}</td>
            <td><${StateBadge} state=${u.state} />${u.error ? html` <strong>${u.error}</strong>` : null}</td>
            <td title=${utc(u.started)}>${ago(u.started)}</td>
            <td>${u.ended ? ms(Date.parse(u.ended) - Date.parse(u.started)) : 'running'}</td>
            <td class="num">${num(u.batches)}</td>
            <td>${u.trigger ?? ''}${u.full_refresh ? ' (full refresh)' : ''}</td>
          </tr>`)}</tbody>
        </table></div>
      </section>
      <section class="panel">
        <${Chart} id="batch-chart" caption="Batch duration" note="(from the batch's planned start to its events; hover a bar for its rows and files)" series=${1}
          deps=${[data, theme]} empty=${batches.length ? null : 'No batch yet.'}
          plot=${(width: number) => ({
            height: 200, marginLeft: 54, width,
            x: { label: 'batch', type: 'band', ticks: batches.length > 24 ? batches.filter((_, i) => i % Math.ceil(batches.length / 12) === 0).map((b) => `#${b.batch_id}`) : undefined },
            y: { label: 'ms', grid: true, nice: true },
            marks: [
              Plot.barY(batches, { x: (b: Updates['batches'][number]) => `#${b.batch_id}`, y: 'duration_ms', fill: c.main, title: (b: Updates['batches'][number]) => `batch ${b.batch_id}: ${ms(b.duration_ms)}, ${num(b.rows_in)} rows in, ${b.input_files ?? 0} files` }),
              Plot.ruleY([0]),
            ],
          })} />
      </section>
    </div>
    <div style=${{ height: '16px' }}></div>
    <section class="panel" aria-labelledby="batches-h">
      <h3 id="batches-h">Recent batches</h3>
        <div class="table-wrap" tabindex="0" role="region" aria-label="Recent batches"><table class="data" id="batches">
          <thead><tr><th scope="col">Batch</th><th scope="col">At</th><th scope="col" class="num">Duration</th><th scope="col" class="num">Files</th><th scope="col" class="num">Rows in</th><th scope="col" class="num">Rows written</th><th scope="col" class="num">Dropped</th><th scope="col">Status</th></tr></thead>
          <tbody>${data.batches.slice(0, 15).map((b) => html`<tr>
            <td>#${b.batch_id}</td><td class="when" title=${utc(b.at)}>${ago(b.at)}</td><td class="num">${ms(b.duration_ms)}</td><td class="num">${num(b.input_files)}</td>
            <td class="num">${num(b.rows_in)}</td><td class="num">${num(b.rows_written)}</td><td class="num">${num(b.dropped)}</td>
            <td><${StateBadge} state=${b.status} />${b.error_code ? html` <strong>${b.error_code}</strong>` : null}</td>
          </tr>`)}</tbody>
        </table></div>
    </section>
    <${EventLog} />`;
}
