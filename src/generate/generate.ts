/**
 * The generator's loop: writes `patients_daily_file_NNNNNN.csv` (and with
 * vitals `vitals_NNNNNN.csv`, with updates `patient_updates_NNNNNN.csv`) into
 * a folder, one file at once and then one per `every` interval, each under a
 * hidden temporary name that is renamed into place, so a watcher never sees a
 * partial file. Numbering starts at 000000; when the folder already holds
 * generated files, numbering continues after the highest index found (a
 * restarted generator appends).
 *
 * Content is a pure function of (seed, options, file index, row index); the
 * wall clock is only used to pace the writes, never for content.
 * `ground_truth.json` is rewritten atomically after every file; when files
 * come faster than one a second the rewrites are coalesced, and the last one
 * is done before generate() returns.
 *
 * Threads: this one plans files (the ground truth, the rows with problems,
 * vitals, updates), a render thread writes the bytes of a file while the next
 * one is planned (render.ts), and a writer thread writes files in order
 * (writer.ts). A file is committed (sent to the writer with its ground truth)
 * once rendered, in file order.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ByteSink, SinkPool } from './bytes.js';
import { DIAGNOSES, OUTBREAK_FACTORS, PATIENT_COLUMNS, PATIENT_WARN_EXPECTATIONS, flu } from './catalog.js';
import { GT_MIN_INTERVAL_MS, GT_NAME, GroundTruthTotals, type StoredEntry, bump, loadPreviousRuns, serializeEntry, sortedMap, zeroMap } from './ground-truth.js';
import { type GenerateOptions, type GenerateSummary, type ScenarioParams, resolveOptions } from './options.js';
import { type DedupState, planPatients } from './patients.js';
import { RENDER_WORKER_MIN_ROWS, Renderer } from './render.js';
import { Rng, hashString, mix32 } from './random.js';
import { type Gen, type Layout, makeCtx, makeLayout, newRec } from './records.js';
import { CODES } from './tables.js';
import { genVitals } from './vitals.js';

import { UpdatesFeed } from './updates.js';
import { UPDATES_GT_NAME } from './updates-truth.js';
import { FileWriter } from './writer.js';

const FILE_RE = /^(?:patients_daily_file|vitals|patient_updates)_(\d{6,})\.csv$/;
const TMP_RE = /^\.(?:(?:patients_daily_file|vitals|patient_updates)_\d{6,}\.csv|(?:updates_)?ground_truth\.json)\.tmp$/;

/**
 * Writes synthetic patients (and vitals) files into `opts.out` until
 * `opts.files` files are written or `signal` aborts. See the module comment.
 */
export async function generate(opts: GenerateOptions, signal?: AbortSignal): Promise<GenerateSummary> {
  const o = resolveOptions(opts);
  const t0 = opts.timedFrom ?? performance.now();
  const log = o.log ?? (() => {});
  const out = path.resolve(o.out);
  fs.mkdirSync(out, { recursive: true });

  // Existing files: continue numbering after the highest index; drop stale temporaries of ours.
  let maxIndex = -1;
  for (const name of fs.readdirSync(out)) {
    const m = FILE_RE.exec(name);
    if (m) maxIndex = Math.max(maxIndex, Number(m[1]));
    else if (TMP_RE.test(name)) fs.rmSync(path.join(out, name), { force: true });
  }
  const firstIndex = maxIndex + 1;

  const g: Gen = {
    seedHash: hashString(o.seed),
    rng: new Rng(),
    lateRate: o.lateRate,
    dirtyRate: o.dirtyRate,
    comboRate: o.has('dirty') ? 0.3 : 0.1,
    ctxByIndex: new Map(),
    dayCache: new Map(),
  };

  // Ground truth of earlier runs (kept for files that exist).
  const earlier = loadPreviousRuns(out, firstIndex, o, log);
  for (const c of earlier.ctxs) g.ctxByIndex.set(c.index, c);
  const gtPath = path.join(out, GT_NAME);

  // Scenario parameters (file indices relative to the first file of this run).
  const params: ScenarioParams = {};
  let outbreakCode = -1;
  if (o.has('outbreak')) {
    outbreakCode = mix32(g.seedHash ^ 0x0b7b4eaa) % 10;
    params.outbreak = { diagnosis: CODES[outbreakCode], first_file: firstIndex + 10, last_file: firstIndex + 14, factors: OUTBREAK_FACTORS };
  }
  if (o.has('flu-season')) params.flu_season = { diagnoses: ['D003', 'D004'], peak: 'January 15', max_factor: 3.5 };
  if (o.has('schema-drift')) {
    const n = o.files;
    const at = (q: number, dflt: number): number => firstIndex + (n === undefined ? dflt : Math.max(1, Math.round(n * q)));
    params.schema_drift = { insurance_id_from: at(0.25, 10), contact_number_missing_from: at(0.5, 20), mmddyyyy_from: at(0.75, 30) };
  }

  const baseCols = [...PATIENT_COLUMNS] as string[];
  const layouts = [
    makeLayout(baseCols, false),
    makeLayout([...baseCols, 'insurance_id'], false),
    makeLayout([...baseCols.filter((c) => c !== 'contact_number'), 'insurance_id'], false),
    makeLayout([...baseCols.filter((c) => c !== 'contact_number'), 'insurance_id'], true),
  ];
  const layoutFor = (index: number): Layout => {
    const sd = params.schema_drift;
    if (!sd) return layouts[0];
    if (index >= sd.mmddyyyy_from) return layouts[3];
    if (index >= sd.contact_number_missing_from) return layouts[2];
    if (index >= sd.insurance_id_from) return layouts[1];
    return layouts[0];
  };

  const generatorDoc = {
    seed: o.seed, scenarios: o.scenarios, rows: o.rows, start: o.start, sim_step_ms: o.simStepMs,
    late_rate: o.lateRate, dirty_rate: o.dirtyRate, vitals: o.vitals, first_file_of_run: firstIndex, scenario_params: params,
  };

  const summary: GenerateSummary = {
    outDir: out, groundTruthPath: gtPath, firstIndex: null, lastIndex: null, files: [], filesWritten: 0, vitalsFilesWritten: 0,
    rows: 0, vitalsRows: 0, problems: {}, vitalsProblems: {}, fileProblems: {}, quarantined: 0, dedupDropped: 0, silverRows: 0,
    warnings: zeroMap(PATIENT_WARN_EXPECTATIONS), vitalsQuarantined: 0, alerts: {}, scenarios: o.scenarios, scenarioParams: params,
    updatesFilesWritten: 0, updateRows: 0, updatesQuarantined: 0, updatesGroundTruthPath: o.updates ? path.join(out, UPDATES_GT_NAME) : null,
    aborted: false, renderThread: false, elapsedMs: 0, rowsPerSecond: 0,
  };

  const rec = newRec();
  const sinks = new SinkPool();

  const totals = new GroundTruthTotals(generatorDoc);
  // The updates feed has its own ground truth, rewritten (on this thread) at most once a second when files come faster.
  const updates = o.updates
    ? UpdatesFeed.load(out, firstIndex, { seed: o.seed, updateRows: o.updateRows, lateRate: o.lateRate, dirtyRate: o.dirtyRate, start: o.start, simStepMs: o.simStepMs }, log)
    : null;
  let updatesTruthWritten = -Infinity;
  let updatesTruthStale = updates !== null;

  // All writing happens on a worker thread, in order (see FileWriter).
  const writer = new FileWriter(out);
  for (const s of earlier.stored) { writer.entry(s.buf); totals.add(s); }
  earlier.stored.length = 0;
  const logWhenWritten = (p: Promise<void>, line: string): Promise<void> => p.then(() => log(line));

  const dedup: DedupState = { survivedRoots: earlier.survivedRoots, memo: new Map(), rec: newRec() };
  const renderer = Renderer.create(g, o.everyMs === 0 && o.rows >= RENDER_WORKER_MIN_ROWS);
  summary.renderThread = renderer.threaded;
  /** Lines of the rows planned with their strings (see planPatients). */
  const side = new ByteSink(64 + o.rows * 16);
  /** The commit of the previous file. */
  let previous: Promise<void> = Promise.resolve();

  const onAbort = (): void => { summary.aborted = true; };
  signal?.addEventListener('abort', onAbort, { once: true });
  const pace0 = performance.now();
  try {
    let index = firstIndex;
    for (let n = 0; o.files === undefined || n < o.files; n++, index++) {
      if (signal?.aborted) { summary.aborted = true; break; }
      if (n > 0) {
        if (o.everyMs > 0) {
          // Fixed rate: file n is due `n * every` after the first one (the clock only paces, it never shapes content).
          const wait = Math.max(0, pace0 + n * o.everyMs - performance.now());
          try {
            await sleep(wait, undefined, signal ? { signal } : undefined);
          } catch {
            summary.aborted = true;
            break;
          }
        } else {
          await new Promise<void>((r) => setImmediate(r));
          if (signal?.aborted) { summary.aborted = true; break; }
        }
      }

      // ---- file context
      const simStart = o.startMs + index * o.simStepMs;
      const simEnd = simStart + o.simStepMs;
      const w = DIAGNOSES.map((d) => d.weight as number);
      let outbreakFactor = 1;
      if (o.has('flu-season')) {
        const fl = flu(simStart + o.simStepMs / 2);
        w[2] *= fl;
        w[3] *= fl;
      }
      if (params.outbreak && index >= params.outbreak.first_file && index <= params.outbreak.last_file) {
        outbreakFactor = OUTBREAK_FACTORS[index - params.outbreak.first_file];
        w[outbreakCode] *= outbreakFactor;
      }
      const wsum = w.reduce((s, x) => s + x, 0);
      const weights = w.map((x) => Math.round((x / wsum) * 1e6) / 1e6);
      const layout = layoutFor(index);
      const ctx = makeCtx(index, o.rows, simStart, simEnd, weights, layout);
      g.ctxByIndex.set(index, ctx);
      const fileRng = new Rng();
      fileRng.s = mix32(g.seedHash ^ mix32(Math.imul(index + 1, 0x27d4eb2f) ^ 0xf11e));
      const crlf = fileRng.next() < Math.min(0.5, o.dirtyRate * 2);
      const fileProblems: string[] = [];
      if (crlf) fileProblems.push('crlf_line_endings');
      if (layout.hasIns) fileProblems.push('insurance_id_column_added');
      if (!layout.hasContact) fileProblems.push('contact_number_column_missing');
      if (layout.usDate) fileProblems.push('date_format_mmddyyyy');

      // ---- patients rows: planned here, rendered by the renderer (on its thread, while the next file is planned)
      const { counts, rowJson, admitted, slow } = planPatients(g, ctx, crlf, o.vitals, rec, dedup, side);
      const rendered = renderer.render(ctx, crlf, slow, sinks.take(64 + o.rows * 110));
      rendered.catch(() => {}); // reported where the file is committed
      const files: { name: string; content: Buffer; sink: ByteSink | null }[] = [];
      summary.files.push(ctx.name);
      const head: Record<string, unknown> = {
        file: ctx.name, kind: 'patients', index, sim_start: new Date(simStart).toISOString(), sim_end: new Date(simEnd).toISOString(),
        row_count: o.rows, columns: layout.columns, admission_date_format: layout.usDate ? 'MM/DD/YYYY' : 'YYYY-MM-DD',
        line_ending: crlf ? 'CRLF' : 'LF', file_problems: fileProblems, diagnosis_weights: weights,
      };
      if (outbreakFactor !== 1) head.outbreak = { diagnosis: CODES[outbreakCode], factor: outbreakFactor };
      head.counts = counts;
      const entries: StoredEntry[] = [{ kind: 'patients', index, counts: counts as unknown as Record<string, unknown>, fileProblems, buf: serializeEntry(head, rowJson) }];

      summary.filesWritten++;
      summary.rows += o.rows;
      summary.firstIndex ??= index;
      summary.lastIndex = index;
      for (const [k, v] of Object.entries(counts.problems)) bump(summary.problems, k, v);
      for (const p of fileProblems) bump(summary.fileProblems, p);
      summary.quarantined += counts.quarantined;
      summary.dedupDropped += counts.dedup_dropped;
      summary.silverRows += counts.silver_rows;
      for (const [k, v] of Object.entries(counts.warnings)) bump(summary.warnings, k, v);

      let vitalsNote = '';
      if (o.vitals) {
        const vSink = sinks.take(64 + admitted.length * 4 * 64);
        const vr = genVitals(g, o, ctx, admitted, vSink);
        files.push({ name: vr.name, content: vr.content, sink: vSink });
        summary.files.push(vr.name);
        entries.push({ kind: 'vitals', index, counts: vr.counts as unknown as Record<string, unknown>, fileProblems: [], buf: serializeEntry(vr.head, vr.rowJson) });
        summary.vitalsFilesWritten++;
        summary.vitalsRows += vr.counts.rows;
        summary.vitalsQuarantined += vr.counts.quarantined;
        for (const [k, v] of Object.entries(vr.counts.problems)) bump(summary.vitalsProblems, k, v);
        for (const [k, v] of Object.entries(vr.counts.alerts)) bump(summary.alerts, k, v);
        vitalsNote = `, ${vr.name} (${vr.counts.rows} rows, ${vr.counts.listed} listed)`;
      }
      let updatesNote = '';
      if (updates !== null) {
        const uSink = sinks.take(64 + o.updateRows * 96);
        const ur = updates.build(g, index, simStart, simEnd, (i) => g.ctxByIndex.get(i), uSink);
        files.push({ name: ur.name, content: ur.content, sink: uSink });
        summary.files.push(ur.name);
        summary.updatesFilesWritten++;
        summary.updateRows += ur.entry.rows;
        summary.updatesQuarantined += ur.entry.quarantined;
        updatesTruthStale = true;
        if (o.everyMs > 0 || performance.now() - updatesTruthWritten >= GT_MIN_INTERVAL_MS) {
          files.push({ name: UPDATES_GT_NAME, content: updates.groundTruth(), sink: null });
          updatesTruthWritten = performance.now();
          updatesTruthStale = false;
        }
        updatesNote = `, ${ur.name} (${ur.entry.rows} rows, ${ur.entry.quarantined} to quarantine)`;
      }
      const line = `generate: wrote ${ctx.name} (${o.rows} rows, ${counts.listed} listed in ${GT_NAME}, ${counts.quarantined} to quarantine)${vitalsNote}${updatesNote}`;

      // ---- commit, in file order once the file is rendered: the files, then the ground truth that lists them
      const commit = async (): Promise<{ done: Promise<unknown> }> => {
        const r = await rendered;
        const written: Promise<void>[] = [writer.file(ctx.name, r.content).then(() => sinks.give(r.sink))];
        for (const f of files) written.push(writer.file(f.name, f.content).then(() => { if (f.sink !== null) sinks.give(f.sink); }));
        for (const e of entries) { writer.entry(e.buf); totals.add(e); }
        // With --every > 0 the file and its ground truth are on disk before the pause; back to back, the
        // writer thread catches up on its own (the ground truth being rewritten at most once a second).
        const gtDone = writer.groundTruth(totals.head(), o.everyMs > 0);
        const shown = logWhenWritten(Promise.all(written).then(() => undefined), line);
        shown.catch(() => {}); // a failed write is reported by backpressure() or close()
        return { done: Promise.all([shown, gtDone]) };
      };
      const committed = previous.then(commit);
      committed.catch(() => {}); // awaited below or after the loop
      if (o.everyMs > 0) await (await committed).done;
      else {
        // one file may be rendering while this thread plans the next
        await previous;
        await writer.backpressure();
      }
      previous = committed.then(() => undefined);
    }
    await previous;
    if (summary.filesWritten === 0) void writer.groundTruth(totals.head(), true);
    if (updates !== null && updatesTruthStale) void writer.file(UPDATES_GT_NAME, updates.groundTruth());
    await writer.close();
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await previous.catch(() => {});
    await renderer.close();
    await writer.close().catch(() => {});
  }
  summary.problems = sortedMap(summary.problems);
  summary.vitalsProblems = sortedMap(summary.vitalsProblems);
  summary.fileProblems = sortedMap(summary.fileProblems);
  summary.alerts = sortedMap(summary.alerts);
  summary.elapsedMs = performance.now() - t0;
  summary.rowsPerSecond = summary.elapsedMs > 0 ? Math.round((summary.rows / summary.elapsedMs) * 1000) : 0;
  log(`generate: ${summary.aborted ? 'stopped' : 'done'}: ${summary.filesWritten} file(s), ${summary.rows} rows`
    + `${o.vitals ? ` (+ ${summary.vitalsRows} vitals rows)` : ''}${updates ? ` (+ ${summary.updateRows} update rows)` : ''} in ${(summary.elapsedMs / 1000).toFixed(2)} s (${summary.rowsPerSecond} rows/s); ground truth in ${gtPath}`);
  return summary;
}
