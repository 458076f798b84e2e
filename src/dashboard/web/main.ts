/**
 * The dashboard page: a header with the pipeline's last update and the live
 * state, a navigation between six pages (hash routes: nothing identifying
 * ever goes into the address bar), and the live feed (/api/stream): every
 * change of the output folder bumps `Version`, and the open page refetches
 * what it shows, without a reload.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ago, html, StateBadge, useApi, utc, Version } from './lib.js';
import { GraphPage } from './pages/graph.js';
import { QualityPage } from './pages/quality.js';
import { UpdatesPage } from './pages/updates.js';
import { TrendsPage } from './pages/trends.js';
import { VitalsPage } from './pages/vitals.js';
import { TablesPage } from './pages/tables.js';

const PAGES = [
  { id: 'graph', label: 'Pipeline' },
  { id: 'quality', label: 'Data quality' },
  { id: 'updates', label: 'Updates & events' },
  { id: 'trends', label: 'Patient trends' },
  { id: 'vitals', label: 'Vitals & alerts' },
  { id: 'tables', label: 'Tables' },
] as const;

function routeOf(hash: string): { page: string; arg: string | null } {
  const [, page, arg] = /^#\/([a-z]+)(?:\/(.+))?$/.exec(hash) ?? [];
  return { page: PAGES.some((p) => p.id === page) ? page : 'graph', arg: arg ? decodeURIComponent(arg) : null };
}

function useRoute() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return routeOf(hash);
}

type Live = 'connecting' | 'on' | 'off';

/** The live feed: a `change` event per new event-log version. */
function useLive(): { version: number; live: Live } {
  const [version, setVersion] = useState(0);
  const [live, setLive] = useState<Live>('connecting');
  useEffect(() => {
    const es = new EventSource('/api/stream');
    es.addEventListener('hello', () => setLive('on'));
    es.addEventListener('change', () => { setLive('on'); setVersion((v) => v + 1); });
    es.onerror = () => setLive(es.readyState === EventSource.CLOSED ? 'off' : 'connecting');
    es.onopen = () => setLive('on');
    return () => es.close();
  }, []);
  return { version, live };
}

const THEMES = ['auto', 'light', 'dark'] as const;
type Theme = (typeof THEMES)[number];

function applyTheme(t: Theme) {
  if (t === 'auto') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = t;
  window.dispatchEvent(new Event('localdlt-theme'));
}

function ThemeToggle() {
  const [t, setT] = useState<Theme>(() => (localStorage.getItem('localdlt-theme') as Theme | null) ?? 'auto');
  useEffect(() => { applyTheme(t); localStorage.setItem('localdlt-theme', t); }, [t]);
  const next = THEMES[(THEMES.indexOf(t) + 1) % THEMES.length];
  return html`<button id="theme" type="button" onClick=${() => setT(next)} aria-label=${`Colour scheme: ${t}. Switch to ${next}`} title="Colour scheme">${t === 'dark' ? '☾ dark' : t === 'light' ? '☀ light' : '◐ auto'}</button>`;
}

interface Status { pipeline: string; last_update: { id: string; state: string; started: string; ended: string | null; batches: number; error: string | null } | null }

function Header({ live }: { live: Live }) {
  const { data } = useApi<Status>('/api/status');
  const u = data?.last_update;
  return html`<header class="top">
    <h1>localdlt<span class="pipeline">${data ? `pipeline ${data.pipeline}` : ''}</span></h1>
    ${u ? html`<span class="update" id="update">update ${u.id.slice(0, 8)} <${StateBadge} state=${u.state} /> · ${u.batches} batch${u.batches === 1 ? '' : 'es'} · started <span title=${utc(u.started)}>${ago(u.started)}</span>${u.error ? ` · ${u.error}` : ''}</span>` : html`<span class="update">no update yet: waiting for the event log</span>`}
    <span class="spacer"></span>
    <span class=${`live ${live}`} role="status" id="live"><span class="dot" aria-hidden="true"></span>${live === 'on' ? 'live' : live === 'off' ? 'disconnected' : 'connecting…'}</span>
    <${ThemeToggle} />
  </header>`;
}

function App() {
  const { version, live } = useLive();
  const route = useRoute();
  const [, tick] = useState(0);
  useEffect(() => { const t = setInterval(() => tick((x) => x + 1), 5000); return () => clearInterval(t); }, []);
  useEffect(() => { document.title = `${PAGES.find((p) => p.id === route.page)?.label ?? ''} · localdlt`; }, [route.page]);
  const page = route.page;
  return html`<${Version.Provider} value=${version}>
    <a class="skip" href="#main" onClick=${(e: Event) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
    <${Header} live=${live} />
    <nav class="pages" aria-label="Pages">${PAGES.map((p) => html`<a href=${`#/${p.id}`} aria-current=${p.id === page ? 'page' : undefined}>${p.label}</a>`)}</nav>
    <main id="main" tabindex="-1" data-page=${page}>
      ${page === 'graph' ? html`<${GraphPage} />`
        : page === 'quality' ? html`<${QualityPage} />`
        : page === 'updates' ? html`<${UpdatesPage} />`
        : page === 'trends' ? html`<${TrendsPage} />`
        : page === 'vitals' ? html`<${VitalsPage} />`
        : html`<${TablesPage} table=${route.arg} />`}
    </main>
  </${Version.Provider}>`;
}

render(html`<${App} />`, document.getElementById('app')!);
