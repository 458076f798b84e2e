/** Shared pieces of the page: htm bound to Preact, API reads that follow the live feed, formatting, colours. */
import { h, createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import htm from 'htm';

export const html = htm.bind(h);

/** Grows by one whenever the output folder changed (the live feed); pages read it to refetch. */
export const Version = createContext(0);

export interface ApiState<T> {
  data: T | null;
  error: { code: string; message: string; hint?: string } | null;
  loading: boolean;
}

export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw body?.error ?? { code: `HTTP_${res.status}`, message: res.statusText };
  return body as T;
}

/** Reads an API path, again whenever the output changes or `path` changes; keeps the last data while reloading. */
export function useApi<T>(path: string | null, live = true): ApiState<T> {
  const version = useContext(Version);
  const [state, setState] = useState<ApiState<T>>({ data: null, error: null, loading: path !== null });
  useEffect(() => {
    if (path === null) { setState({ data: null, error: null, loading: false }); return; }
    let gone = false;
    setState((s) => ({ ...s, loading: true }));
    getJson<T>(path).then(
      (data) => { if (!gone) setState({ data, error: null, loading: false }); },
      (error) => { if (!gone) setState({ data: null, error: normalizeError(error), loading: false }); },
    );
    return () => { gone = true; };
  }, [path, live ? version : 0]);
  return state;
}

function normalizeError(e: unknown): { code: string; message: string; hint?: string } {
  if (e && typeof e === 'object' && 'code' in e) return e as { code: string; message: string; hint?: string };
  return { code: 'NETWORK', message: String((e as Error)?.message ?? e) };
}

export function ErrorBox({ error }: { error: { code: string; message: string; hint?: string } | null }) {
  if (!error) return null;
  return html`<div class="error-box" role="alert"><strong>${error.code}</strong>: ${error.message}${error.hint ? html`<br /><span>${error.hint}</span>` : null}</div>`;
}

export function Panel({ title, children, id }: { title?: string; children: ComponentChildren; id?: string }) {
  return html`<section class="panel" aria-labelledby=${title && id ? id : undefined}>${title ? html`<h2 id=${id}>${title}</h2>` : null}${children}</section>`;
}

// ------------------------------------------------------------------ formatting

const nf = new Intl.NumberFormat('en-US');
export function num(n: number | null | undefined): string {
  return n === null || n === undefined ? '–' : nf.format(n);
}

export function pct(r: number | null | undefined, digits = 1): string {
  if (r === null || r === undefined) return '–';
  if (r < 1 && r > 0.9995 && digits <= 1) return '99.9%';
  return `${(r * 100).toFixed(digits)}%`;
}

/** "2024-05-01 12:00:03 UTC" */
export function utc(iso: string | null | undefined, seconds = true): string {
  if (!iso) return '–';
  return `${iso.slice(0, 10)} ${iso.slice(11, seconds ? 19 : 16)} UTC`;
}

/** "12 s ago", "3 min ago", "2 h ago", else the UTC date. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return utc(iso, false);
}

export function ms(n: number | null | undefined): string {
  if (n === null || n === undefined) return '–';
  return n < 1000 ? `${n} ms` : `${(n / 1000).toFixed(n < 10_000 ? 2 : 1)} s`;
}

export const KIND_LABEL: Record<string, string> = { streaming_table: 'streaming table', materialized_view: 'materialized view', view: 'view' };

/** A state as a badge class and a symbol (never colour alone). */
export function stateLook(state: string | null | undefined): { cls: string; icon: string; label: string } {
  switch (state) {
    case 'COMPLETED': return { cls: 'ok', icon: '✓', label: 'completed' };
    case 'RUNNING': return { cls: 'info', icon: '▶', label: 'running' };
    case 'FAILED': return { cls: 'bad', icon: '✕', label: 'failed' };
    case 'SKIPPED': return { cls: 'warn', icon: '!', label: 'skipped' };
    case 'CANCELED': return { cls: 'warn', icon: '■', label: 'canceled' };
    default: return { cls: '', icon: '○', label: (state ?? 'idle').toLowerCase() };
  }
}

export function StateBadge({ state }: { state: string | null | undefined }) {
  const l = stateLook(state);
  return html`<span class=${`badge ${l.cls}`}><span aria-hidden="true">${l.icon}</span>${l.label}</span>`;
}

export function actionLook(action: string): { cls: string; label: string } {
  return action === 'drop' ? { cls: 'warn', label: 'drop row' } : action === 'fail' ? { cls: 'bad', label: 'fail update' } : { cls: 'info', label: 'warn' };
}

// ------------------------------------------------------------------ colours

/** The current theme ('dark' or 'light'), from the toggle or the system. */
export function currentTheme(): 'dark' | 'light' {
  const set = document.documentElement.dataset.theme;
  if (set === 'dark' || set === 'light') return set;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** Paul Tol's muted scheme (light backgrounds) and light scheme (dark backgrounds): colour-blind safe. */
const SERIES_LIGHT = ['#CC6677', '#332288', '#DDCC77', '#117733', '#88CCEE', '#882255', '#44AA99', '#999933', '#AA4499', '#6699CC', '#DDDDDD'];
const SERIES_DARK = ['#EE8866', '#77AADD', '#EEDD88', '#44BB99', '#99DDFF', '#FFAABB', '#BBCC33', '#AAAA00', '#CC99EE', '#DDDDDD', '#888888'];

export function seriesColors(n: number): string[] {
  const p = currentTheme() === 'dark' ? SERIES_DARK : SERIES_LIGHT;
  return Array.from({ length: n }, (_, i) => p[i % p.length]);
}

/** Okabe-Ito colours for marks that mean something (readings, averages, thresholds). */
export function markColors(): { main: string; second: string; threshold: string; window: string } {
  return currentTheme() === 'dark'
    ? { main: '#56B4E9', second: '#E69F00', threshold: '#FF8F87', window: '#F0E442' }
    : { main: '#0072B2', second: '#E69F00', threshold: '#D55E00', window: '#009E73' };
}

/** Theme changes re-render charts: a counter that grows when the theme changes. */
export function useTheme(): string {
  const [t, setT] = useState(currentTheme());
  useEffect(() => {
    const update = () => setT(currentTheme());
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    mq.addEventListener('change', update);
    window.addEventListener('localdlt-theme', update);
    return () => { mq.removeEventListener('change', update); window.removeEventListener('localdlt-theme', update); };
  }, []);
  return t;
}

/** A simple sparkline: pass rates (0..1, null = nothing checked) of the last batches. */
export function Sparkline({ values, label, width = 120, height = 26 }: { values: (number | null)[]; label: string; width?: number; height?: number }) {
  const pts = values.map((v, i) => (v === null ? null : [values.length === 1 ? width / 2 : (i * (width - 4)) / (values.length - 1) + 2, 2 + (1 - v) * (height - 4)] as const));
  const shown = pts.filter((p): p is readonly [number, number] => p !== null);
  const last = shown.at(-1);
  return html`<svg class="spark" width=${width} height=${height} viewBox=${`0 0 ${width} ${height}`} role="img" aria-label=${label}>
    <line x1="0" x2=${width} y1="2" y2="2" />
    <line x1="0" x2=${width} y1=${height - 2} y2=${height - 2} />
    ${shown.length > 1 ? html`<polyline points=${shown.map((p) => p.join(',')).join(' ')} />` : null}
    ${last ? html`<circle cx=${last[0]} cy=${last[1]} r="2.5" />` : null}
  </svg>`;
}
