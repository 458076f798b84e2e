/**
 * The patient change feed of the generator (`--updates`: moves, phone changes,
 * name corrections, erasures, late and out-of-order events, re-sends, ties and
 * rows for the quarantine) through the patient pipeline, against the
 * generator's ground truth (`updates_ground_truth.json`: the final SCD type 1
 * state and SCD type 2 history, computed by sorting every valid event once):
 *
 * - one replay of the whole folder;
 * - the files delivered in a shuffled order, one replay (a restart) per file;
 * - watch mode, the files arriving while it runs, stopped and restarted midway;
 * - the DuckDB dialect over the same folder (window functions).
 *
 * The generator writes the feed only once it has `--updates` (issue 15's
 * generator work); without it there is nothing to compare and the suite says so.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compilePipeline } from '../engine/sql/index.js';
import { patientPipeline } from '../layers/pipeline.js';
import { Duck, multisetEqual, type PlainRow } from './helpers/duck.js';
import { copyInto, ensureBuilt, generatePool, readTableViaLog, runCli, startCli, tempDir, waitFor, type Pool } from './helpers/cli.js';
import { committedFiles } from './helpers/batch-log.js';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

let pool: Pool;
let work: string;
let duck: Duck;
let truth: { patients_current: PlainRow[]; patients_history: PlainRow[]; quarantine: unknown[] } | null = null;

beforeAll(async () => {
  ensureBuilt();
  duck = await Duck.open();
  work = tempDir('cdc-gt');
  // the options object goes to the generator as is: `updates` asks for the change feed
  pool = await generatePool({ files: 6, rows: 150, seed: 'cdc-ground-truth', scenarios: ['dirty'], updates: true, updateRows: 120 } as Parameters<typeof generatePool>[0]);
  const gt = path.join(pool.dir, 'updates_ground_truth.json');
  if (fs.existsSync(gt)) truth = JSON.parse(fs.readFileSync(gt, 'utf8'));
});

afterAll(() => {
  duck?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true, maxRetries: 5 });
  if (pool) fs.rmSync(pool.dir, { recursive: true, force: true, maxRetries: 5 });
});

/** Ground-truth times are ISO-8601 (`2024-01-03T14:22:05Z`); the tables' come as microseconds (or text). */
function iso(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return new Date(Math.floor(v / 1000)).toISOString().replace('.000Z', 'Z'); // DuckDB's micros
  const s = v instanceof Date ? v.toISOString() : String(v);
  let t = s.replace(' ', 'T');
  if (/[+-]\d\d$/.test(t)) t += ':00';
  else if (!/(Z|[+-]\d\d:\d\d)$/.test(t)) t += 'Z';
  const d = new Date(t);
  return d.toISOString().replace('.000Z', 'Z');
}

async function check(output: string, label: string): Promise<void> {
  const cur = (await readTableViaLog(duck, output, 'patients_current')).map((r) => ({ ...r, updated_at: iso(r.updated_at) }));
  const hist = (await readTableViaLog(duck, output, 'patients_history')).map((r) => ({ ...r, __START_AT: iso(r.__START_AT), __END_AT: iso(r.__END_AT) }));
  multisetEqual(cur, truth!.patients_current, { label: `${label}: patients_current` });
  multisetEqual(hist, truth!.patients_history, { label: `${label}: patients_history` });
  expect((await readTableViaLog(duck, output, 'patient_updates_quarantine')).length).toBe(truth!.quarantine.length);
}

const updateFiles = () => pool.files.filter((n) => n.startsWith('patient_updates_'));

describe('the generated change feed equals its ground truth', () => {
  it('the generator wrote a change feed with a ground truth (else the comparisons below have nothing to check)', () => {
    if (!truth) console.warn('cdc-ground-truth: this generator writes no patient_updates_*.csv (no --updates yet): nothing to compare');
    expect(truth === null || updateFiles().length > 0).toBe(true);
  });

  it.runIf(() => truth !== null)('one replay of the folder', async () => {
    expect(truth!.patients_history.length).toBeGreaterThan(0);
    const input = path.join(work, 'all');
    copyInto(pool, input, pool.files);
    const out = path.join(work, 'one-shot');
    const r = await runCli(['replay', input, '--output', out, '--log-level', 'warn']);
    expect(r.code, r.stderr).toBe(0);
    await check(out, 'one replay');
    // the DuckDB script over the same folder gives the same targets
    const { files, main } = compilePipeline(patientPipeline, { dialect: 'duckdb', input });
    const db = await Duck.open();
    try {
      await db.run(files[main[0]]);
      for (const t of ['patients_current', 'patients_history']) multisetEqual(await db.all(`SELECT * FROM ${t}`), await readTableViaLog(duck, out, t), { label: `duckdb ${t}` });
    } finally { db.close(); }
  });

  it.runIf(() => truth !== null)('files delivered out of order, a restart after each', async () => {
    const input = path.join(work, 'shuffled');
    fs.mkdirSync(input, { recursive: true });
    const out = path.join(work, 'shuffled-out');
    // the admissions first (the as-of join reads them), then the feed's files in a shuffled order
    copyInto(pool, input, pool.files.filter((n) => !n.startsWith('patient_updates_')));
    const feed = updateFiles();
    const order = feed.map((n, i) => ({ n, k: (i * 7919) % feed.length })).sort((a, b) => a.k - b.k).map((x) => x.n);
    for (const n of order) {
      fs.copyFileSync(path.join(pool.dir, n), path.join(input, n));
      const r = await runCli(['replay', input, '--output', out, '--log-level', 'warn']);
      expect(r.code, r.stderr).toBe(0);
    }
    await check(out, 'shuffled, restarts');
  });

  it.runIf(() => truth !== null)('watch mode, files arriving while it runs, stopped and restarted midway', async () => {
    const input = path.join(work, 'watched');
    fs.mkdirSync(input, { recursive: true });
    const out = path.join(work, 'watched-out');
    const feed = updateFiles();
    const half = Math.ceil(feed.length / 2);
    copyInto(pool, input, pool.files.filter((n) => !n.startsWith('patient_updates_')));
    for (const [from, to] of [[0, half], [half, feed.length]]) {
      const child = startCli(['run', '--input', input, '--output', out, '--trigger', 'continuous', '--log-level', 'info']);
      for (const n of feed.slice(from, to)) fs.copyFileSync(path.join(pool.dir, n), path.join(input, n));
      await waitFor('the watched files to commit', () => logged(out, feed.slice(0, to)), 60_000, 200);
      // Ctrl-C: the running batch finishes, the next start resumes
      child.child.kill('SIGTERM');
      const exit = await child.exited;
      expect(exit.code, child.stderr()).toBe(0);
    }
    await check(out, 'watch mode');
  });
});

/** Whether every file was ingested (the file index of patient_updates_bronze). */
function logged(out: string, files: readonly string[]): boolean {
  const seen = committedFiles(out, 'patient_updates_bronze');
  return files.every((n) => seen.has(n));
}
