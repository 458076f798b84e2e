/**
 * The bench's CDC line: one new 10,000-event file of a patient change feed
 * into AUTO CDC targets that already hold 1M keys (SCD type 1 and type 2, as
 * `patients_current` and `patients_history`), from start to commit; median and
 * p99 time per batch, and the bytes each batch rewrote over the table's bytes
 * (copy-on-write: the files holding a changed key are written again).
 *
 * Two feeds: random keys (every event picks one of the 1M keys uniformly), and
 * a feed shaped like the generator's (`--updates`): six in ten events for a
 * known patient picked uniformly, the others new registrations (increasing
 * ids), late events back-dated by 1–10 days, re-sends, ties and erasures.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { definePipeline } from '../engine/index.js';
import { PipelineService } from '../engine/runtime/service.js';
import { patientUpdatesBronze, patientUpdatesClean, patientsCurrent, patientsCurrentFlow, patientsHistory, patientsHistoryFlow } from '../layers/updates.js';

const HEADER = 'patient_id,name,address,contact_number,insurance_id,op,updated_at\n';
const STREETS = ['Main St', 'Oak Ave', 'Pine Rd', 'Elm St', 'Cedar Ct', 'Birch Ln', 'Maple Dr', 'Lake Rd'];
const NAMES = ['Ann', 'Bob', 'Cy', 'Di', 'Ed', 'Fi', 'Gu', 'Hu', 'Ida', 'Jo'];

/** The change feed and its two targets, without the admissions (the bench measures the CDC flows). */
export const cdcBenchPipeline = definePipeline([patientUpdatesBronze, patientUpdatesClean, patientsCurrent, patientsCurrentFlow, patientsHistory, patientsHistoryFlow], { name: 'cdc_bench' });

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

const pid = (i: number) => `P${String(i).padStart(12, '0')}`;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function row(r: () => number, id: number, op: 'UPSERT' | 'DELETE', atMs: number): string {
  if (op === 'DELETE') return `${pid(id)},,,,,DELETE,${iso(atMs)}\n`;
  const n = Math.floor(r() * 10_000);
  return `${pid(id)},${NAMES[n % NAMES.length]} ${n},${n} ${STREETS[n % STREETS.length]},555-${String(n).padStart(4, '0')},INS${n % 97},UPSERT,${iso(atMs)}\n`;
}

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);

/** The initial file: one UPSERT per key. */
function initialFile(file: string, keys: number): void {
  const r = rng(1);
  const fd = fs.openSync(file, 'w');
  let buf = HEADER;
  for (let i = 0; i < keys; i++) {
    buf += row(r, i, 'UPSERT', START + Math.floor(r() * DAY));
    if (buf.length > 1 << 20) { fs.writeSync(fd, buf); buf = ''; }
  }
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
}

/** One 10k-event file of batch `b`: random keys, or a generator-like feed (known keys and new registrations). */
function eventsFile(file: string, b: number, events: number, keys: { n: number }, kind: 'random' | 'generator'): void {
  const r = rng(1000 + b * 7 + (kind === 'random' ? 0 : 1));
  const day = START + (b + 1) * DAY;
  const lines: string[] = [HEADER];
  for (let e = 0; e < events; e++) {
    const at = day + Math.floor(r() * DAY);
    if (kind === 'random') { lines.push(row(r, Math.floor(r() * keys.n), r() < 0.03 ? 'DELETE' : 'UPSERT', at)); continue; }
    const u = r();
    if (u < 0.02 && lines.length > 1) { lines.push(lines[1 + Math.floor(r() * (lines.length - 1))]); continue; } // re-sent
    const late = r() < 0.06 ? (1 + Math.floor(r() * 10)) * DAY : 0;
    if (u < 0.62) lines.push(row(r, Math.floor(r() * keys.n), r() < 0.05 ? 'DELETE' : 'UPSERT', at - late));
    else lines.push(row(r, keys.n++, 'UPSERT', at - late));
  }
  fs.writeFileSync(file, lines.join(''));
}

const median = (xs: number[]) => { const s = [...xs].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const p99 = (xs: number[]) => { const s = [...xs].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)]; };

export interface CdcBenchResult {
  keys: number;
  events_per_batch: number;
  initial_load_s: number;
  feeds: {
    feed: 'random' | 'generator';
    batches: number;
    batch_ms: { median: number; p99: number };
    /** Per target: bytes written by a batch over the table's bytes after it (median), and the table's size. */
    targets: Record<string, { rewritten_over_table: number; table_mb: number; files: number }>;
  }[];
}

/** Loads `keys` keys, then times `samples` batches of 10k events of each feed (after `warmup` untimed ones). */
export async function cdcBench(workRoot: string, o: { keys: number; samples: number; warmup: number; log: (s: string) => void }): Promise<CdcBenchResult> {
  const result: CdcBenchResult = { keys: o.keys, events_per_batch: 10_000, initial_load_s: 0, feeds: [] };
  for (const kind of ['random', 'generator'] as const) {
    const work = fs.mkdtempSync(path.join(workRoot, `bench-cdc-${kind}-`));
    const input = path.join(work, 'in');
    const output = path.join(work, 'out');
    fs.mkdirSync(input);
    initialFile(path.join(input, 'patient_updates_000000.csv'), o.keys);
    const { service } = await PipelineService.open({ pipeline: cdcBenchPipeline, input, output });
    const t0 = performance.now();
    await service.runAvailableNow();
    const load = (performance.now() - t0) / 1000;
    if (kind === 'random') result.initial_load_s = load;
    o.log(`  cdc ${kind}: ${o.keys.toLocaleString('en-US')} keys loaded in ${load.toFixed(1)} s`);
    const keys = { n: o.keys };
    const times: number[] = [];
    const ratios: Record<string, number[]> = { patients_current: [], patients_history: [] };
    const last: CdcBenchResult['feeds'][number]['targets'] = {};
    for (let b = 0; b < o.warmup + o.samples; b++) {
      eventsFile(path.join(input, `patient_updates_${String(b + 1).padStart(6, '0')}.csv`), b, 10_000, keys, kind);
      const s = performance.now();
      const rs = await service.runAvailableNow();
      const ms = performance.now() - s;
      if (b < o.warmup) continue;
      times.push(ms);
      for (const t of Object.keys(ratios)) {
        const m = rs[rs.length - 1].flows.get(t)?.cdc;
        if (!m || !m.table_bytes) continue;
        ratios[t].push(m.bytes_written / m.table_bytes);
        last[t] = { rewritten_over_table: 0, table_mb: m.table_bytes / 1e6, files: 0 };
      }
    }
    for (const t of Object.keys(ratios)) {
      const files = fs.readdirSync(path.join(output, 'tables', t)).filter((f) => f.endsWith('.parquet')).length;
      last[t] = { ...(last[t] ?? { table_mb: 0 }), rewritten_over_table: median(ratios[t]), files };
    }
    await service.close('COMPLETED');
    fs.rmSync(work, { recursive: true, force: true });
    result.feeds.push({ feed: kind, batches: o.samples, batch_ms: { median: median(times), p99: p99(times) }, targets: last });
    o.log(`  cdc ${kind}: median ${median(times).toFixed(0)} ms per 10k-event batch`);
  }
  return result;
}

/** The report's CDC lines. */
export function cdcReport(r: CdcBenchResult): string[] {
  const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  const lines = [`| one 10k-event file into AUTO CDC targets holding ${(r.keys / 1e6).toLocaleString('en-US')}M keys | median | p99 | patients_current rewritten / table | patients_history rewritten / table |`, '|---|---|---|---|---|'];
  for (const x of r.feeds) {
    const c = x.targets.patients_current, h = x.targets.patients_history;
    lines.push(`| ${x.feed === 'random' ? 'random keys' : "generator-shaped feed"} | ${f(x.batch_ms.median, 0)} ms | ${f(x.batch_ms.p99, 0)} ms | ${f(c?.rewritten_over_table ?? NaN)} (${f(c?.table_mb ?? NaN, 0)} MB, ${c?.files ?? 0} files) | ${f(h?.rewritten_over_table ?? NaN)} (${f(h?.table_mb ?? NaN, 0)} MB, ${h?.files ?? 0} files) |`);
  }
  lines.push('', `initial load of ${r.keys.toLocaleString('en-US')} keys (one file, both targets): ${f(r.initial_load_s, 1)} s`);
  return lines;
}
