/** Data quality: each expectation's pass rate now and over the last batches, its action, and the quarantine drill-down. */
import { useState } from 'preact/hooks';
import { actionLook, ErrorBox, html, num, pct, Sparkline, useApi } from '../lib.js';
import { RowsTable, type RowsData } from './tables.js';

interface Quality {
  batches: number;
  expectations: {
    dataset: string; name: string; action: string; constraint: string | null;
    passed_records: number; failed_records: number; pass_rate: number | null; quarantine: string | null;
    history: { batch_id: number; at: string; passed: number; failed: number; pass_rate: number | null }[];
  }[];
  quarantines: { table: string; of: string; rows: number | null }[];
}

function Rate({ rate, action }: { rate: number | null; action: string }) {
  // all passed; rows dropped or warned about (handled); a fail rule that failed
  const cls = rate === null || rate === 1 ? '' : action === 'fail' ? 'bad' : 'warn';
  return html`<span class=${`rate ${cls}`}><span class="bar" aria-hidden="true"><span style=${{ width: `${(rate ?? 0) * 100}%` }}></span></span><span class="pct">${pct(rate)}</span></span>`;
}

function Quarantine({ table, of }: { table: string; of: string }) {
  const [rule, setRule] = useState('');
  const { data, error } = useApi<RowsData>(`/api/tables/${encodeURIComponent(table)}?limit=100&last=1`);
  const rows = data ? [...data.rows].reverse() : [];
  const rules = [...new Set(rows.flatMap((r) => (r._failed_expectations as string[] | null) ?? []))].sort();
  const shown = rule ? rows.filter((r) => ((r._failed_expectations as string[] | null) ?? []).includes(rule)) : rows;
  const first = ['_failed_expectations', '_source_file', '_line'];
  return html`<div class="drill" data-quarantine=${table}>
    <div class="filters">
      <label>Failed rule<select value=${rule} onChange=${(e: Event) => setRule((e.target as HTMLSelectElement).value)}>
        <option value="">any rule</option>${rules.map((r) => html`<option value=${r}>${r}</option>`)}
      </select></label>
      <span class="muted">${data ? `newest ${num(rows.length)} of ${num(data.total)} rows of ${table} (rows of ${of} that failed a drop rule)` : ''}</span>
    </div>
    <${ErrorBox} error=${error} />
    ${data ? html`<${RowsTable} data=${{ ...data, rows: shown }} first=${first} caption=${`Quarantined rows of ${table}`} />` : html`<p class="loading">Loading…</p>`}
  </div>`;
}

export function QualityPage() {
  const { data, error } = useApi<Quality>('/api/quality?batches=30');
  const [open, setOpen] = useState<string | null>(null);
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (!data) return html`<p class="loading">Loading data quality…</p>`;
  const failing = data.expectations.filter((x) => x.failed_records > 0).length;
  return html`
    <div class="page-head"><h2>Data quality</h2><p>${data.expectations.length} expectations, ${failing} with failing rows. Pass rates are summed since each table's last full refresh (a materialized view: its last refresh); the sparkline shows the last ${data.batches} batches.</p></div>
    <section class="panel" aria-labelledby="exp-h">
      <h3 id="exp-h">Expectations</h3>
      <div class="table-wrap" tabindex="0" role="region" aria-label="Expectations">
      <table class="data" id="expectations">
        <thead><tr><th scope="col">Dataset</th><th scope="col">Expectation</th><th scope="col">Action</th><th scope="col">Pass rate now</th><th scope="col" class="num">Failed</th><th scope="col" class="num">Checked</th><th scope="col">Last ${data.batches} batches</th></tr></thead>
        <tbody>${data.expectations.map((x) => {
          const a = actionLook(x.action);
          return html`<tr data-expectation=${`${x.dataset}.${x.name}`}>
            <td>${x.dataset}</td>
            <td><strong>${x.name}</strong>${x.constraint ? html`<br /><code class="muted">${x.constraint}</code>` : null}</td>
            <td><span class=${`badge ${a.cls}`}>${a.label}</span></td>
            <td><${Rate} rate=${x.pass_rate} action=${x.action} /></td>
            <td class="num">${num(x.failed_records)}</td>
            <td class="num">${num(x.passed_records + x.failed_records)}</td>
            <td><${Sparkline} values=${x.history.map((h) => h.pass_rate)} label=${`${x.name}: pass rate over the last ${x.history.length} batches, from ${pct(x.history[0]?.pass_rate ?? null)} to ${pct(x.history.at(-1)?.pass_rate ?? null)}`} /></td>
          </tr>`;
        })}</tbody>
      </table></div>
    </section>
    ${data.quarantines.map((q) => html`<section class="panel" aria-labelledby=${`q-${q.table}`}>
      <div class="page-head"><h3 id=${`q-${q.table}`}>Quarantine: ${q.table}</h3><span class="muted">${num(q.rows)} rows from ${q.of}</span>
        <button aria-expanded=${open === q.table} aria-controls=${`qd-${q.table}`} data-open-quarantine=${q.table} onClick=${() => setOpen(open === q.table ? null : q.table)}>${open === q.table ? 'Hide rows' : 'Show quarantined rows'}</button></div>
      <div id=${`qd-${q.table}`}>${open === q.table ? html`<${Quarantine} table=${q.table} of=${q.of} />` : null}</div>
    </section>`)}`;
}
