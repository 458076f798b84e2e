/**
 * The pipeline against the generator's ground truth: on a replay of a dirty
 * folder, every row's quarantine membership and `_failed_expectations`, the
 * dedup outcome and the warnings are exactly what the generator says it injected,
 * and bronze lost nothing.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generate } from '../src/generate/index.js';
import { runPipeline, type PipelineRun } from '../engine/index.js';
import { patientPipeline } from '../layers/pipeline.js';

interface TruthRow { file: string; line: number; failed_expectations: string[]; quarantined: boolean; survives_dedup: boolean; warnings?: string[] }
interface TruthFile { file: string; kind: string; row_count: number; rows: TruthRow[] }

let dir: string;
let run: PipelineRun;
let files: TruthFile[];
let rowsWritten: number;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ground-truth-'));
  const summary = await generate({ out: dir, files: 8, rows: 400, everyMs: 0, seed: 2024, scenarios: ['dirty'], vitals: true, log: null });
  rowsWritten = summary.rows;
  files = (JSON.parse(fs.readFileSync(path.join(dir, 'ground_truth.json'), 'utf8')) as { files: TruthFile[] }).files;
  run = await runPipeline(patientPipeline, { input: dir });
  expect(run.failure).toBeNull();
}, 120_000);

const key = (file: unknown, line: unknown) => `${file}:${line}`;

describe('pipeline vs ground truth (dirty scenario)', () => {
  it('bronze holds every row written', () => {
    const patientFiles = files.filter((f) => f.kind === 'patients');
    expect(run.rows('patients_bronze')).toHaveLength(rowsWritten);
    expect(rowsWritten).toBe(patientFiles.reduce((s, f) => s + f.row_count, 0));
  });

  it('quarantine membership and _failed_expectations match row by row', () => {
    const expected = new Map<string, string[]>();
    for (const f of files) if (f.kind === 'patients') for (const r of f.rows) if (r.quarantined) expected.set(key(r.file, r.line), r.failed_expectations);
    expect(expected.size).toBeGreaterThan(50);
    const actual = new Map(run.rows('patients_quarantine').map((r) => [key(r._source_file, r._line), r._failed_expectations as string[]]));
    expect(Object.fromEntries([...actual].sort())).toEqual(Object.fromEntries([...expected].sort()));
  });

  it('the dedup outcome matches: exactly the rows the ground truth says survive reach silver', () => {
    const listed = new Map<string, TruthRow>();
    for (const f of files) if (f.kind === 'patients') for (const r of f.rows) listed.set(key(r.file, r.line), r);
    const silver = new Set(run.rows('patients_silver').map((r) => key(r._source_file, r._line)));
    const bronze = run.rows('patients_bronze').map((r) => key(r._source_file, r._line));
    let dropped = 0;
    for (const k of bronze) {
      const t = listed.get(k);
      const survives = t ? t.survives_dedup : true; // an unlisted row is clean
      expect(silver.has(k), k).toBe(survives);
      if (t && !t.quarantined && !t.survives_dedup) dropped++;
    }
    expect(dropped).toBeGreaterThan(0);
  });

  it('warn expectations fire on the rows the ground truth names', () => {
    const expected = new Map<string, string[]>();
    for (const f of files) if (f.kind === 'patients') for (const r of f.rows) if (r.survives_dedup && r.warnings?.length) expected.set(key(r.file, r.line), r.warnings);
    const actual = new Map<string, string[]>();
    for (const r of run.rows('patients_silver')) {
      const w = [r.diagnosis_description === null ? 'known_diagnosis' : null, r.contact_number === null ? 'has_contact_number' : null].filter((x): x is string => x !== null);
      if (w.length) actual.set(key(r._source_file, r._line), w);
    }
    expect(Object.fromEntries([...actual].sort())).toEqual(Object.fromEntries([...expected].sort()));
    expect(run.expectation('patients_silver', 'known_diagnosis').failed_records).toBe([...expected.values()].filter((w) => w.includes('known_diagnosis')).length);
  });

  it('vitals quarantine matches too', () => {
    const expected = new Map<string, string[]>();
    for (const f of files) if (f.kind === 'vitals') for (const r of f.rows) if (r.quarantined) expected.set(key(r.file, r.line), r.failed_expectations);
    expect(expected.size).toBeGreaterThan(0);
    const actual = new Map(run.rows('vitals_quarantine').map((r) => [key(r._source_file, r._line), r._failed_expectations as string[]]));
    expect(Object.fromEntries([...actual].sort())).toEqual(Object.fromEntries([...expected].sort()));
  });
});
