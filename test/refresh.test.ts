/**
 * Refresh semantics, through the CLI as a child process:
 *
 * - `--full-refresh patients_silver` names and truncates silver, the streaming
 *   tables around it that must re-read the files, and the views downstream,
 *   reprocesses every patient file, and leaves the unrelated tables (vitals,
 *   the mapping) alone: every table then equals a fresh run;
 * - `--full-refresh-all` does the same for every table (also with a new
 *   --input, which the checkpoint then records);
 * - a full refresh killed half-way is finished by the next start;
 * - `validate` writes nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Duck, multisetEqual } from './helpers/duck.js';
import {
  copyInto, ensureBuilt, generatePool, isPatientFile, isVitalsFile, liveFiles, logLines, readLogEntries, readTableGlob,
  readTableViaLog, runCli, tableNames, tablesDir, tempDir, ENGINE_JS, type Pool,
} from './helpers/cli.js';

// child processes on a possibly loaded machine
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

const IGNORE = ['_ingested_at'];
const GOLD = ['patient_stats_by_diagnosis', 'patient_stats_by_gender', 'daily_admissions_by_diagnosis', 'admissions_rolling_7d'];
const VITALS = ['vitals_bronze', 'vitals_silver', 'vitals_quarantine', 'vitals_15min', 'patient_early_warning', 'patient_risk_features', 'patient_risk', 'patient_alerts'];

let duck: Duck;
let pool: Pool;
let work: string;
let input: string;
/** A fresh run over every file. */
let fresh: string;

const replay = (inp: string, out: string, extra: string[] = [], env?: Record<string, string>) =>
  runCli(['replay', inp, '--output', out, '--max-files-per-trigger', '1', ...extra], { env });

beforeAll(async () => {
  ensureBuilt();
  duck = await Duck.open();
  work = tempDir('refresh');
  pool = await generatePool({ files: 3, rows: 40, seed: 'refresh', scenarios: ['dirty', 'vitals-deterioration'] });
  input = path.join(work, 'in');
  copyInto(pool, input, pool.files);
  fresh = path.join(work, 'fresh');
  const r = await replay(input, fresh);
  expect(r.code, r.stderr).toBe(0);
}, 60_000);

afterAll(() => {
  duck?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true, maxRetries: 5 });
  if (pool) fs.rmSync(pool.dir, { recursive: true, force: true, maxRetries: 5 });
}, 30_000);

const tdir = (out: string, t: string) => path.join(tablesDir(out), t);
const copyFresh = (name: string) => {
  const out = path.join(work, name);
  fs.cpSync(fresh, out, { recursive: true });
  return out;
};

async function expectEqualsFresh(out: string, label: string): Promise<void> {
  const tables = tableNames(fresh);
  expect(tableNames(out)).toEqual(tables);
  for (const t of tables) {
    multisetEqual(await readTableViaLog(duck, out, t), await readTableViaLog(duck, fresh, t), { ignore: IGNORE, label: `${label}: ${t}` });
    multisetEqual(await readTableGlob(duck, out, t), await readTableViaLog(duck, out, t), { label: `${label}: ${t} read_parquet vs. log` });
  }
  // no record twice
  for (const [t, names] of [['patients_bronze', pool.files.filter(isPatientFile)], ['vitals_bronze', pool.files.filter(isVitalsFile)]] as const) {
    const rows = await readTableViaLog(duck, out, t);
    const total = names.reduce((s, n) => s + pool.records.get(n)!, 0);
    expect(rows, `${label}: ${t}`).toHaveLength(total);
    expect(new Set(rows.map((r) => `${r._source_file}\u0000${r._line}`)).size).toBe(total);
  }
}

/** Every row of a table, with `_ingested_at`, as a sorted list of JSON strings. */
async function exactRows(out: string, t: string): Promise<string[]> {
  return (await readTableViaLog(duck, out, t)).map((r) => JSON.stringify(r)).sort();
}

describe('--full-refresh <table>', () => {
  it('lists and truncates silver with the streaming tables that must re-read the files and the views downstream; reprocesses every patient file; leaves the rest alone', async () => {
    const out = copyFresh('selective');
    const versionsBefore = Object.fromEntries(tableNames(out).map((t) => [t, liveFiles(tdir(out, t)).version]));
    const r = await replay(input, out, ['--full-refresh', 'patients_silver']);
    expect(r.code, r.stderr).toBe(0);
    const listed = logLines(r.stderr).find((l) => l.msg === 'full refresh')?.tables as string[];
    expect(listed).toEqual(expect.arrayContaining(['patients_silver', 'patients_bronze', 'patients_quarantine', ...GOLD]));
    expect(listed).not.toContain('diagnosis_mapping');
    // patient_risk looks up the admissions (as-of join on patients_silver): it is refreshed too, and with it the vitals stream it reads
    expect(listed).toEqual(expect.arrayContaining(['patient_risk', 'vitals_bronze']));
    expect(r.stdout).toMatch(/\bnew files\b/);

    await expectEqualsFresh(out, 'after --full-refresh patients_silver');

    // untouched: the mapping
    expect(liveFiles(tdir(out, 'diagnosis_mapping')).version).toBe(versionsBefore.diagnosis_mapping);

    // each refreshed streaming table: one commit removing every file, then the new generation's batches
    for (const t of ['patients_bronze', 'patients_silver', 'patients_quarantine']) {
      const entries = readLogEntries(tdir(out, t)).filter((e) => e.version > versionsBefore[t]);
      const first = entries[0].actions;
      expect(first.filter((a) => a.add), t).toEqual([]);
      expect(first.filter((a) => a.remove).length, t).toBeGreaterThan(0);
      const txns = entries.slice(1).flatMap((e) => e.actions).filter((a) => a.txn).map((a) => a.txn.appId as string);
      expect(txns.length, t).toBeGreaterThan(0);
      for (const id of txns) expect(id, t).toBe(`${t}#1`);
    }

    // a normal update afterwards has nothing to do
    const again = await replay(input, out);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/\b0 new files \(6 already ingested, skipped\)/);
  });

  it('names an unknown table with UNKNOWN_DATASET and changes nothing', async () => {
    const out = copyFresh('unknown');
    const before = Object.fromEntries(tableNames(out).map((t) => [t, liveFiles(tdir(out, t)).version]));
    const r = await replay(input, out, ['--full-refresh', 'patients_silverr']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error UNKNOWN_DATASET\b.*patients_silverr/m);
    expect(Object.fromEntries(tableNames(out).map((t) => [t, liveFiles(tdir(out, t)).version]))).toEqual(before);
  });

  it('killed half-way through the truncation, is finished by the next start', async () => {
    const out = copyFresh('selective-crash');
    const crashed = await replay(input, out, ['--full-refresh', 'patients_silver'], { LOCALDLT_CRASH_AT: 'mid-refresh#2' });
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    const again = await replay(input, out);
    expect(again.code, again.stderr).toBe(0);
    expect(logLines(again.stderr).some((l) => l.msg === 'finishing a full refresh that was interrupted')).toBe(true);
    await expectEqualsFresh(out, 'after an interrupted --full-refresh patients_silver');
  });
});

describe('--full-refresh-all', () => {
  it('truncates every table, resets every checkpoint and reprocesses every file', async () => {
    const out = copyFresh('all');
    const versionsBefore = Object.fromEntries(tableNames(out).map((t) => [t, liveFiles(tdir(out, t)).version]));
    const r = await replay(input, out, ['--full-refresh-all']);
    expect(r.code, r.stderr).toBe(0);
    expect(logLines(r.stderr).find((l) => l.msg === 'full refresh of every table')?.tables).toEqual(expect.arrayContaining(['patients_silver', ...GOLD, ...VITALS, 'diagnosis_mapping']));
    expect(r.stdout).toMatch(/\b6 new files\b/);
    expect(r.stdout).not.toMatch(/already ingested/);
    await expectEqualsFresh(out, 'after --full-refresh-all');
    for (const t of ['patients_bronze', 'vitals_bronze', 'patients_silver']) {
      const later = readLogEntries(tdir(out, t)).filter((e) => e.version > versionsBefore[t]).flatMap((e) => e.actions);
      expect(later.filter((a) => a.remove).length, `${t}: the old files are removed`).toBeGreaterThan(0);
      const log = liveFiles(tdir(out, t));
      expect(log.txn.has(`${t}#1`), t).toBe(true);
    }
    const meta = JSON.parse(fs.readFileSync(path.join(out, '_checkpoints', 'metadata.json'), 'utf8')) as { generation: number };
    expect(meta.generation).toBe(1);
  });

  it('with a new --input starts over from it, and the checkpoint then belongs to the new input', async () => {
    const out = copyFresh('all-new-input');
    const other = path.join(work, 'in-moved');
    copyInto(pool, other, pool.files);
    const refused = await replay(other, out);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error CHECKPOINT_INPUT_CHANGED\b/m);

    const r = await replay(other, out, ['--full-refresh-all']);
    expect(r.code, r.stderr).toBe(0);
    await expectEqualsFresh(out, 'after --full-refresh-all with a new input');
    const again = await replay(other, out);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/\b0 new files \(6 already ingested, skipped\)/);
    const old = await replay(input, out);
    expect(old.code).toBe(1);
    expect(old.stderr).toMatch(/^error CHECKPOINT_INPUT_CHANGED\b/m);
  });

  it('killed half-way through the truncation, is finished by the next start', async () => {
    const out = copyFresh('all-crash');
    const crashed = await replay(input, out, ['--full-refresh-all'], { LOCALDLT_CRASH_AT: 'mid-refresh#4' });
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    const again = await replay(input, out);
    expect(again.code, again.stderr).toBe(0);
    expect(logLines(again.stderr).some((l) => l.msg === 'finishing a full refresh that was interrupted')).toBe(true);
    await expectEqualsFresh(out, 'after an interrupted --full-refresh-all');
  });
});

describe('validate', () => {
  it('checks the pipeline and writes nothing', async () => {
    const cwd = tempDir('validate');
    try {
      const r = await runCli(['validate'], { cwd });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^valid: \d+ datasets \(\d+ persisted\)/);
      expect(fs.readdirSync(cwd)).toEqual([]);

      // a pipeline module: valid, then one with an unknown column
      const mod = path.join(work, 'validate-ok.mjs');
      const bad = path.join(work, 'validate-bad.mjs');
      const engine = JSON.stringify(pathToFileURL(ENGINE_JS).href);
      const body = (cols: string) => `
import { streamingTable, readCsv, stream, definePipeline } from ${engine};
const b = streamingTable('b', { query: readCsv({ glob: 'x_*.csv', schema: { id: 'string' } }) });
const s = streamingTable('s', { query: stream(b).select(${cols}) });
export default definePipeline([b, s]);
`;
      fs.writeFileSync(mod, body(`'id'`));
      fs.writeFileSync(bad, body(`'nope'`));
      const ok = await runCli(['validate', '--pipeline', mod], { cwd });
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(/^valid: 2 datasets \(2 persisted\)/);
      const ko = await runCli(['validate', '--pipeline', bad], { cwd });
      expect(ko.code).toBe(1);
      expect(ko.stderr).toMatch(/^error [A-Z_]+\b.*nope/m);
      expect(fs.readdirSync(cwd)).toEqual([]);
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });
});
