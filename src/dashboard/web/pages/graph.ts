/** The pipeline graph: the DAG left to right (dagre), each dataset with its kind, layer, rows, last update and state; edges with the rows of the last batch. */
import dagre from '@dagrejs/dagre';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ago, ErrorBox, html, KIND_LABEL, num, stateLook, useApi, utc, pct, ms } from '../lib.js';

export interface GraphNode {
  name: string; kind: string; layer: string | null; persisted: boolean; comment: string | null;
  rows: number | null; files: number | null; last_commit: string | null; state: string; error_code: string | null;
  last_batch_rows: number | null; quarantine_of: string | null; watermark: string | null;
  expectations: { name: string; action: string; pass_rate: number | null; failed_records: number }[];
}
export interface GraphEdge { from: string; to: string; streaming: boolean; rows: number | null }
export interface GraphData {
  pipeline: string; source: string;
  last_batch: { update_id: string; generation: number; batch_id: number; at: string; duration_ms?: number; input_files?: number } | null;
  nodes: GraphNode[]; edges: GraphEdge[];
}

const NODE_W = 226;
const NODE_H = 96;

interface Layout {
  width: number; height: number;
  nodes: Map<string, { x: number; y: number }>;
  /** Edge points by "from->to". */
  edges: Map<string, { x: number; y: number }[]>;
}

/** Lays the DAG out left to right (dagre's layered layout); recomputed only when the structure changes. */
function layout(nodes: GraphNode[], edges: GraphEdge[]): Layout {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 22, ranksep: 60, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.name, { width: NODE_W, height: NODE_H });
  for (const e of edges) if (g.hasNode(e.from) && g.hasNode(e.to)) g.setEdge(e.from, e.to, { width: 56, height: 18, labelpos: 'c' });
  dagre.layout(g);
  const out: Layout = { width: (g.graph().width ?? 0) + 4, height: (g.graph().height ?? 0) + 4, nodes: new Map(), edges: new Map() };
  for (const n of nodes) {
    const p = g.node(n.name);
    out.nodes.set(n.name, { x: p.x - NODE_W / 2, y: p.y - NODE_H / 2 });
  }
  for (const e of edges) {
    if (!g.hasEdge(e.from, e.to)) continue;
    out.edges.set(`${e.from}->${e.to}`, (g.edge(e.from, e.to).points ?? []) as { x: number; y: number }[]);
  }
  return out;
}

function pathOf(points: { x: number; y: number }[]): string {
  if (points.length < 2) return '';
  let d = `M${points[0].x},${points[0].y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const m = { x: (points[i].x + points[i + 1].x) / 2, y: (points[i].y + points[i + 1].y) / 2 };
    d += ` Q${points[i].x},${points[i].y} ${i === points.length - 2 ? `${points[i + 1].x},${points[i + 1].y}` : `${m.x},${m.y}`}`;
  }
  if (points.length === 2) d += ` L${points[1].x},${points[1].y}`;
  return d;
}

function Node({ n, at }: { n: GraphNode; at: { x: number; y: number } }) {
  const st = stateLook(n.state);
  const worst = n.expectations.filter((x) => x.pass_rate !== null).sort((a, b) => (a.pass_rate ?? 1) - (b.pass_rate ?? 1))[0];
  const label = `${n.name}: ${KIND_LABEL[n.kind] ?? n.kind}${n.layer ? `, ${n.layer}` : ''}, ${n.persisted ? `${num(n.rows)} rows` : 'not stored'}, last update ${ago(n.last_commit)}, ${st.label}`;
  const style = { left: `${at.x}px`, top: `${at.y}px`, width: `${NODE_W}px`, height: `${NODE_H}px` };
  const title = `${label}. Click to browse its rows.`;
  const body = html`
    <span class="name" title=${n.comment ?? n.name}>${n.name}</span>
    <span class="meta">${n.layer ? html`<span class=${`layer ${n.layer}`}>${n.layer}</span>` : null}<span>${KIND_LABEL[n.kind] ?? n.kind}</span></span>
    <span class="rows">${n.persisted ? html`<span class="count">${num(n.rows)}</span> <small>rows${n.last_batch_rows ? ` (${n.kind === 'materialized_view' ? 'refreshed' : `+${num(n.last_batch_rows)}`})` : ''}</small>` : html`<small>not stored · ${n.expectations.length} rule${n.expectations.length === 1 ? '' : 's'}</small>`}</span>
    <span class="foot"><span title=${utc(n.last_commit)}>${n.persisted ? ago(n.last_commit) : worst ? `min ${pct(worst.pass_rate)}` : ''}</span><span class=${`badge ${st.cls}`}><span aria-hidden="true">${st.icon}</span>${st.label}</span></span>`;
  return n.persisted
    ? html`<a class=${`node ${n.layer ?? ''} ${n.kind === 'view' ? 'view' : ''}`} href=${`#/tables/${encodeURIComponent(n.name)}`} style=${style} data-dataset=${n.name} data-rows=${n.rows ?? ''} data-state=${n.state} title=${title}>${body}</a>`
    : html`<div class=${`node ${n.layer ?? ''} view`} style=${style} data-dataset=${n.name} data-state=${n.state} role="group" aria-label=${label}>${body}</div>`;
}

function scaleOf(room: number, width: number): number {
  return room > 0 && width > room ? Math.max(0.75, room / width) : 1;
}

export function GraphPage() {
  const { data, error } = useApi<GraphData>('/api/graph');
  const shape = data ? JSON.stringify([data.nodes.map((n) => n.name), data.edges.map((e) => [e.from, e.to])]) : '';
  const lay = useMemo(() => (data ? layout(data.nodes, data.edges) : null), [shape]);
  // the whole graph in view: scaled down (never below 0.75) to the width of its box
  const wrap = useRef<HTMLDivElement>(null);
  const [room, setRoom] = useState(0);
  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setRoom(el.clientWidth - 16));
    ro.observe(el);
    return () => ro.disconnect();
  }, [lay !== null]);
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (!data || !lay) return html`<p class="loading">Loading the pipeline…</p>`;
  const lb = data.last_batch;
  const totals = (layer: string) => data.nodes.filter((n) => n.layer === layer && n.kind === 'streaming_table' && !n.quarantine_of).reduce((s, n) => s + (n.rows ?? 0), 0);
  const quarantined = data.nodes.filter((n) => n.quarantine_of).reduce((s, n) => s + (n.rows ?? 0), 0);
  const failing = data.nodes.filter((n) => n.state === 'FAILED');
  return html`
    <div class="page-head"><h2>Pipeline graph</h2><p>${data.nodes.length} datasets of <strong>${data.pipeline}</strong>, left to right from the sources; definitions from the ${data.source === 'event_log' ? 'event log' : 'pipeline module'}.</p></div>
    <div class="kpis">
      <div class="kpi"><div class="label">Last batch</div><div class="value" data-kpi="last-batch">${lb ? `#${lb.batch_id}` : '–'}</div><div class="sub">${lb ? html`<span title=${utc(lb.at)}>${ago(lb.at)}</span>${lb.duration_ms !== undefined ? ` · ${ms(lb.duration_ms)}` : ''}${lb.input_files !== undefined ? ` · ${lb.input_files} file${lb.input_files === 1 ? '' : 's'}` : ''}` : 'no batch yet'}</div></div>
      <div class="kpi"><div class="label">Bronze rows</div><div class="value" data-kpi="bronze">${num(totals('bronze'))}</div><div class="sub">every record received</div></div>
      <div class="kpi"><div class="label">Silver rows</div><div class="value" data-kpi="silver">${num(totals('silver'))}</div><div class="sub">valid, de-duplicated</div></div>
      <div class="kpi"><div class="label">Quarantined</div><div class="value" data-kpi="quarantined">${num(quarantined)}</div><div class="sub"><a href="#/quality">data quality</a></div></div>
      <div class="kpi"><div class="label">Failed flows</div><div class="value" data-kpi="failed">${failing.length}</div><div class="sub">${failing.length ? failing.map((n) => n.name).join(', ') : 'none'}</div></div>
    </div>
    <div class="graph-wrap" role="region" aria-label="Pipeline graph" tabindex="0" ref=${wrap}>
      <div class="graph-scale" style=${{ height: `${lay.height * scaleOf(room, lay.width)}px` }}>
      <div class="graph" style=${{ width: `${lay.width}px`, height: `${lay.height}px`, transform: `scale(${scaleOf(room, lay.width)})` }}>
        <svg class="edges" width=${lay.width} height=${lay.height} aria-hidden="true">
          <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" /></marker></defs>
          ${data.edges.map((e) => {
            const points = lay.edges.get(`${e.from}->${e.to}`) ?? [];
            const mid = points[Math.floor(points.length / 2)] ?? { x: 0, y: 0 };
            const label = e.rows ? `+${num(e.rows)}` : '';
            return html`<g data-edge=${`${e.from}->${e.to}`} data-rows=${e.rows ?? ''}>
              <path d=${pathOf(points)} class=${`${e.streaming ? 'stream' : 'snapshot'} ${e.rows ? 'moved' : ''}`} marker-end="url(#arrow)" />
              ${label ? html`<rect class="label-bg" x=${mid.x - label.length * 3.6 - 4} y=${mid.y - 9} width=${label.length * 7.2 + 8} height="17" rx="4" /><text x=${mid.x} y=${mid.y + 4} text-anchor="middle">${label}</text>` : null}
            </g>`;
          })}
        </svg>
        ${data.nodes.map((n) => html`<${Node} key=${n.name} n=${n} at=${lay.nodes.get(n.name)!} />`)}
      </div>
      </div>
    </div>
    <div class="legend" aria-label="Legend">
      <span><svg width="34" height="10" aria-hidden="true"><line x1="0" x2="34" y1="5" y2="5" stroke="currentColor" stroke-width="2" /></svg> streaming read</span>
      <span><svg width="34" height="10" aria-hidden="true"><line x1="0" x2="34" y1="5" y2="5" stroke="currentColor" stroke-width="2" stroke-dasharray="5 4" /></svg> snapshot read</span>
      <span>edge label: rows that moved in the last batch</span>
      <span><span class="layer bronze">bronze</span> · <span class="layer silver">silver</span> · <span class="layer gold">gold</span> layers</span>
      <span>click a table to browse its rows</span>
    </div>`;
}
