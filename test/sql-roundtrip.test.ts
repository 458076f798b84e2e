/**
 * The round trip: the patient pipeline compiled with `sql --dialect
 * databricks`, read back with `--pipeline <out>/databricks.yml`, gives the
 * same flow fingerprints (the checkpoint's, definition and state) for every
 * dataset below the file sources and the same rows for every dataset it defines (the Python file is skipped with a
 * warning naming its dataset, and what reads that dataset with it); the bronze
 * tables differ only in the columns the portability report names (`_line`,
 * `_ingested_at`). The Spark 4.1 output's SQL files are read without error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildGraph, isFileSource, loadPipelineReport } from '../engine/index.js';
import { planSources } from '../engine/ir/plan.js';
import { patientPipeline } from '../layers/pipeline.js';
import { Duck, multisetEqual } from './helpers/duck.js';
import { ensureBuilt, readTableViaLog, runCli, tableNames } from './helpers/cli.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'localdlt-sql-rt-'));
const dirty = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'dirty');
let duck: Duck;
const input = path.join(root, 'in');

beforeAll(async () => {
  ensureBuilt();
  duck = await Duck.open();
  fs.mkdirSync(input);
  // the dirty files as they are: blank lines inside a file and before its header included
  for (const f of ['patients_daily_file_001.csv', 'patients_daily_file_002.csv', 'patients_daily_file_003.csv', 'patients_daily_file_004.csv', 'diagnosis_mapping.csv']) {
    fs.copyFileSync(path.join(dirty, f), path.join(input, f));
  }
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('round trip through the Databricks bundle', () => {
  it('gives the same fingerprints below the file sources and the same rows for every dataset the bundle defines in SQL', { timeout: 120_000 }, async () => {
    const bundle = path.join(root, 'databricks');
    const c = await runCli(['sql', '--dialect', 'databricks', '--input', input, '--out', bundle]);
    expect(c.code, c.stderr).toBe(0);
    const ts = path.join(root, 'out-ts'), sql = path.join(root, 'out-sql');
    const a = await runCli(['replay', input, '--output', ts]);
    expect(a.code, a.stderr).toBe(0);
    const b = await runCli(['replay', input, '--pipeline', path.join(bundle, 'databricks.yml'), '--conf', `source_path=${input}`, '--output', sql]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/patients_silver\.py is Python and is skipped: datasets patients_silver/);
    const read = tableNames(sql);
    expect(read).toEqual(expect.arrayContaining(['diagnosis_mapping', 'patients_bronze', 'patients_quarantine', 'vitals_bronze', 'patients_current', 'patients_history']));
    expect(read).not.toContain('patients_silver');
    for (const t of read) {
      const mine = await readTableViaLog(duck, sql, t);
      const theirs = await readTableViaLog(duck, ts, t);
      multisetEqual(mine, theirs, { label: t, ignore: ['_line', '_ingested_at', '_metadata'] });
    }
    expect((await readTableViaLog(duck, sql, 'patients_bronze')).length).toBeGreaterThan(10);
    // the flow fingerprints the checkpoints recorded: equal for every flow that does not read files itself
    const fingerprints = (out: string) => (JSON.parse(fs.readFileSync(path.join(out, '_checkpoints', 'metadata.json'), 'utf8')) as { flows: Record<string, string> }).flows;
    const mineFp = fingerprints(sql), theirsFp = fingerprints(ts);
    const graph = buildGraph(patientPipeline);
    const readsFiles = new Set([...graph.flows.values()].filter((f) => planSources(f.query).some(isFileSource)).map((f) => f.name));
    const below = Object.keys(mineFp).filter((n) => !readsFiles.has(n));
    expect(below).toEqual(expect.arrayContaining(['patients_clean', 'patients_quarantine', 'vitals_silver', 'vitals_quarantine', 'vitals_15min', 'patient_early_warning', 'patient_risk_features', 'patient_updates_clean', 'patient_updates_quarantine', 'patients_current', 'patients_history']));
    expect(Object.fromEntries(below.map((n) => [n, mineFp[n]]))).toEqual(Object.fromEntries(below.map((n) => [n, theirsFp[n]])));
  });

  it('reads the Spark 4.1 project without errors (Python files skipped, named)', { timeout: 60_000 }, async () => {
    const out = path.join(root, 'spark');
    const c = await runCli(['sql', '--dialect', 'spark', '--input', input, '--out', out]);
    expect(c.code, c.stderr).toBe(0);
    const warnings: string[] = [];
    const r = await loadPipelineReport(path.join(out, 'spark-pipeline.yml'), { input, onWarning: (w) => warnings.push(w) });
    expect(r.errors.map((e) => e.message)).toEqual([]);
    expect(warnings.join('\n')).toMatch(/patients_bronze\.py is Python and is skipped: datasets patients_bronze/);
    expect(warnings.join('\n')).toMatch(/patients_clean is skipped: it reads patients_bronze/);
  });
});
