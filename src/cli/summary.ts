/** What the CLI prints about batches: a compact line per batch, and a per-table summary at the end. */
import type { Writable } from 'node:stream';
import type { BatchResult, PipelineGraph } from '../../engine/index.js';
import type { PlannedBatch } from '../../engine/runtime/runner.js';

export interface TableTotals {
  kind: string;
  rows: number;
  dropped: number;
  expectations: Map<string, { action: string; failed: number; passed: number }>;
  late: number;
  status: string;
}

export interface RunTotals {
  batches: number;
  files: number;
  lastBatchRows: number;
  tables: Map<string, TableTotals>;
  started: number;
}

export function newTotals(): RunTotals {
  return { batches: 0, files: 0, lastBatchRows: 0, tables: new Map(), started: Date.now() };
}

export function addBatch(t: RunTotals, r: BatchResult, plan: PlannedBatch): void {
  t.batches++;
  t.files += plan.files.length;
  t.lastBatchRows = 0;
  // per dataset: the flows into it add up (an AUTO CDC target shows its rows after the batch)
  for (const m of r.flows.values()) {
    const name = m.dataset;
    let tt = t.tables.get(name);
    if (!tt) { tt = { kind: m.kind, rows: 0, dropped: 0, expectations: new Map(), late: 0, status: m.status }; t.tables.set(name, tt); }
    if (m.status !== 'IDLE') tt.status = m.status;
    if (m.kind === 'materialized_view') { if (m.status === 'COMPLETED') tt.rows = m.num_output_rows; }
    else if (m.cdc) { if (m.status === 'COMPLETED') tt.rows = m.cdc.num_target_rows; }
    else tt.rows += m.num_output_rows;
    tt.dropped += m.dropped_records;
    tt.late += m.late_records;
    for (const e of m.expectations) {
      const x = tt.expectations.get(e.name) ?? { action: e.action, failed: 0, passed: 0 };
      x.failed += e.failed_records;
      x.passed += e.passed_records;
      tt.expectations.set(e.name, x);
    }
  }
  const firstSource = [...r.flows.values()].find((m) => m.kind === 'streaming_table');
  t.lastBatchRows = firstSource?.num_output_rows ?? 0;
}

/** One compact line per batch: files, rows in, rows out per layer, dropped, late, time. */
export function batchLine(g: PipelineGraph, r: BatchResult, plan: PlannedBatch, _t: RunTotals): string {
  const byLayer = new Map<string, number>();
  let dropped = 0, late = 0, rowsIn = 0;
  for (const m of r.flows.values()) {
    const d = g.datasets.get(m.dataset)!;
    const layer = d.def.properties.quality ?? d.kind;
    if (m.kind !== 'view') byLayer.set(layer, (byLayer.get(layer) ?? 0) + m.num_output_rows);
    dropped += m.dropped_records;
    late += m.late_records;
    if (d.def.properties.quality === 'bronze' && d.streaming && !d.quarantineOf) rowsIn += m.num_output_rows;
  }
  const layers = [...byLayer].map(([l, n]) => `${l} ${n}`).join(', ');
  const status = r.failure ? ` FAILED ${r.failure.code}` : '';
  return `batch ${r.batchId}: ${plan.files.length} file${plan.files.length === 1 ? '' : 's'}, ${rowsIn} rows in; out: ${layers}; dropped ${dropped}; late ${late}${status}`;
}

function pad(s: string, n: number): string { return s.length >= n ? s : s + ' '.repeat(n - s.length); }
function lpad(s: string, n: number): string { return s.length >= n ? s : ' '.repeat(n - s.length) + s; }

export function printSummary(out: Writable, g: PipelineGraph, t: RunTotals, info: { seconds: number; skippedFiles: number; output: string }): void {
  const lines: string[] = [];
  lines.push(`${t.batches} batch${t.batches === 1 ? '' : 'es'}, ${t.files} new file${t.files === 1 ? '' : 's'}${info.skippedFiles ? ` (${info.skippedFiles} already ingested, skipped)` : ''} in ${info.seconds.toFixed(2)} s; tables in ${info.output}/tables`);
  const w = Math.max(8, ...g.order.map((n) => n.length)) + 2;
  lines.push(`${pad('table', w)}${pad('kind', 20)}${lpad('rows', 10)}${lpad('dropped', 9)}  status`);
  for (const name of g.order) {
    const d = g.datasets.get(name)!;
    const tt = t.tables.get(name);
    const kind = d.kind === 'materialized_view' ? 'materialized view' : d.kind === 'streaming_table' ? 'streaming table' : 'view';
    const rowsText = tt ? String(tt.rows) : '-';
    lines.push(`${pad(name, w)}${pad(kind, 20)}${lpad(rowsText, 10)}${lpad(String(tt?.dropped ?? 0), 9)}  ${tt?.status ?? 'IDLE'}`);
    for (const [e, x] of tt?.expectations ?? []) {
      if (x.failed === 0) continue;
      lines.push(`${pad('', w)}  ${x.action === 'drop' ? 'dropped' : x.action === 'warn' ? 'warned ' : 'failed '} ${lpad(String(x.failed), 6)}  ${e}`);
    }
  }
  out.write(lines.join('\n') + '\n');
}
