/** The table browser: the first 100 rows of any table, with a filter in the syntax of `show --where`. */
import { useEffect, useState } from 'preact/hooks';
import { ErrorBox, html, num, useApi } from '../lib.js';

export interface RowsData {
  table: string; version: number; total: number; returned: number;
  columns: { name: string; type: string; masked: boolean }[];
  rows: Record<string, unknown>[];
}

interface TableList { tables: { name: string; kind: string; layer: string | null; rows: number | null; comment: string | null; columns: { name: string; masked: boolean }[] }[] }

const NUMERIC = { has: (t: string) => t === 'int' || t === 'long' || t === 'double' || t.startsWith('decimal(') };

function cell(v: unknown): string {
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null)) return v.join(', ');
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(4)));
  return String(v);
}

export function RowsTable({ data, first = [], caption }: { data: RowsData; first?: string[]; caption: string }) {
  const cols = [...first.map((n) => data.columns.find((c) => c.name === n)).filter((c): c is RowsData['columns'][number] => !!c), ...data.columns.filter((c) => !first.includes(c.name))];
  if (!data.rows.length) return html`<p class="empty">No rows.</p>`;
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label=${caption}><table class="data" data-table=${data.table}>
    <caption class="skip">${caption}</caption>
    <thead><tr>${cols.map((c) => html`<th scope="col" class=${NUMERIC.has(c.type) ? 'num' : ''} title=${`${c.type}${c.masked ? ', masked (PHI)' : ''}`}>${c.name}${c.masked ? html` <span class="badge masked">PHI</span>` : null}</th>`)}</tr></thead>
    <tbody>${data.rows.map((r) => html`<tr>${cols.map((c) => {
      const v = r[c.name];
      if (v === null || v === undefined) return html`<td class="null">NULL</td>`;
      return html`<td class=${`${NUMERIC.has(c.type) ? 'num' : ''} ${c.masked ? 'masked' : ''}`} data-col=${c.name}><span class="cell" title=${cell(v)}>${cell(v)}</span></td>`;
    })}</tr>`)}</tbody>
  </table></div>`;
}

export function TablesPage({ table }: { table: string | null }) {
  const list = useApi<TableList>('/api/tables');
  const names = list.data?.tables.map((t) => t.name) ?? [];
  const current = table && (names.includes(table) || !list.data) ? table : names[0] ?? null;
  const [draft, setDraft] = useState('');
  const [where, setWhere] = useState('');
  useEffect(() => { setDraft(''); setWhere(''); }, [current]);
  const path = current ? `/api/tables/${encodeURIComponent(current)}?limit=100${where ? `&where=${encodeURIComponent(where)}` : ''}` : null;
  const rows = useApi<RowsData>(path);
  const info = list.data?.tables.find((t) => t.name === current);
  return html`
    <div class="page-head"><h2>Tables</h2><p>The first 100 rows (oldest commit first). Columns marked <span class="badge masked">PHI</span> hold identifying data, shown as *** unless the server was started with <code>--show-phi</code>.</p></div>
    <section class="panel">
      <form class="filters" onSubmit=${(e: Event) => { e.preventDefault(); setWhere(draft.trim()); }}>
        <label>Table<select id="table-select" value=${current ?? ''} onChange=${(e: Event) => { location.hash = `#/tables/${encodeURIComponent((e.target as HTMLSelectElement).value)}`; }}>
          ${names.map((n) => html`<option value=${n}>${n}</option>`)}
        </select></label>
        <label><span>Filter (as <code>show --where</code>)</span><input id="where" class="where" type="text" value=${draft} placeholder="age >= 65 AND gender = 'F'" onInput=${(e: Event) => setDraft((e.target as HTMLInputElement).value)} /></label>
        <button class="primary" type="submit">Apply</button>
        ${where ? html`<button type="button" onClick=${() => { setDraft(''); setWhere(''); }}>Clear</button>` : null}
      </form>
      ${info?.comment ? html`<p class="muted">${info.comment}</p>` : null}
      <${ErrorBox} error=${rows.error} />
      ${rows.data ? html`<p class="muted" id="row-count">${num(rows.data.returned)} of ${num(rows.data.total)} ${where ? 'matching ' : ''}rows</p><${RowsTable} data=${rows.data} caption=${`Rows of ${rows.data.table}`} />` : rows.error ? null : html`<p class="loading">Loading…</p>`}
    </section>`;
}
