/**
 * Charts with Observable Plot. Plot returns a detached SVG; its built-in
 * `<style>` element is removed before the SVG enters the page (the page's
 * Content-Security-Policy allows no inline style, and style.css carries the
 * same rules), so no CSP violation is ever reported.
 */
import * as Plot from '@observablehq/plot';
import { useEffect, useRef } from 'preact/hooks';
import { html } from './lib.js';

export { Plot };

export interface ChartProps {
  /** Plot options without width (the figure's width is used). */
  plot: (width: number) => Plot.PlotOptions;
  caption: string;
  note?: string;
  /** An HTML legend (series name and colour), shown above the chart. */
  legend?: { name: string; color: string; dashed?: boolean }[];
  /** Number of series drawn (data-series, for tests and scripts). */
  series?: number;
  id: string;
  /** Re-render when any of these change. */
  deps: unknown[];
  empty?: string | null;
}

/**
 * Makes Plot's SVG fit the page: no inline `<style>` (CSP), and one image for
 * assistive technology (the figure's caption names it; the marks' own
 * aria-labels, not allowed on plain groups, become `data-mark`).
 */
function cleanPlot(svg: SVGElement, caption: string): void {
  for (const s of svg.querySelectorAll('style')) s.remove();
  for (const g of svg.querySelectorAll('[aria-label]')) {
    g.setAttribute('data-mark', g.getAttribute('aria-label')!);
    g.removeAttribute('aria-label');
    g.removeAttribute('aria-description');
  }
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', caption);
}

export function Chart(p: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || p.empty) return;
    const width = Math.max(320, Math.floor(el.clientWidth || 640));
    const fig = Plot.plot({ ...p.plot(width), width }) as unknown as SVGElement;
    cleanPlot(fig, p.caption);
    el.replaceChildren(fig);
  }, [...p.deps, p.empty]);
  return html`<figure class="chart" id=${p.id} data-series=${p.series ?? ''}>
    <figcaption>${p.caption}${p.note ? html` <span class="muted">${p.note}</span>` : null}</figcaption>
    ${p.legend?.length ? html`<ul class="chart-legend" aria-label=${`${p.caption}: legend`}>
      ${p.legend.map((l) => html`<li data-series-name=${l.name}>${l.dashed ? html`<span class="line" aria-hidden="true"></span>` : html`<span class="swatch" aria-hidden="true" ref=${(e: HTMLElement | null) => { if (e) e.style.background = l.color; }}></span>`}${l.name}</li>`)}
    </ul>` : null}
    ${p.empty ? html`<p class="empty">${p.empty}</p>` : html`<div ref=${box} class="plot"></div>`}
  </figure>`;
}
