import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { generate, parseGenerateArgs, SCENARIOS, type GenerateOptions } from '../src/generate/index.js';
import { hashDir, scratchDirs } from './helpers/dirs.js';
import { ensureBuilt, RUN_JS } from './helpers/cli.js';

const tmpDir = scratchDirs('localdlt-generate-');

const quiet = { log: null, everyMs: 0 } satisfies Partial<GenerateOptions>;

// ---------------------------------------------------------------------------
// A deliberately simple, independent model of the reader and the pipeline rules
// ---------------------------------------------------------------------------

/** Splits one physical line into fields (RFC 4180 quotes, no embedded newlines). */
function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    let j = i;
    while (line[j] === ' ' || line[j] === '\t') j++;
    if (line[j] === '"') {
      j++;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) throw new Error(`unclosed quote in ${line}`);
        if (line[q + 1] === '"') { field += line.slice(j, q + 1); j = q + 2; continue; }
        field += line.slice(j, q);
        j = q + 1;
        break;
      }
      const c = line.indexOf(',', j);
      const end = c < 0 ? line.length : c;
      field += line.slice(j, end);
      fields.push(field);
      if (c < 0) return fields;
      i = c + 1;
    } else {
      const c = line.indexOf(',', i);
      fields.push(c < 0 ? line.slice(i) : line.slice(i, c));
      if (c < 0) return fields;
      i = c + 1;
    }
  }
}

interface CsvFile { header: string[]; lines: { line: number; values: Record<string, string | null> }[]; crlf: boolean }

function readCsv(file: string): CsvFile {
  const text = fs.readFileSync(file, 'latin1');
  expect(text.endsWith('\n')).toBe(true);
  const raw = text.slice(0, -1).split('\n');
  const crlf = raw[0].endsWith('\r');
  const phys = raw.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const header = splitCsvLine(phys[0]).map((h) => h.trim());
  const lines = phys.slice(1).map((l, k) => {
    const f = splitCsvLine(l);
    const values: Record<string, string | null> = {};
    header.forEach((h, i) => { values[h] = i < f.length ? f[i] : null; });
    return { line: k + 2, values };
  });
  return { header, lines, crlf };
}

const NULLS = new Set(['', 'null', 'na', 'n/a', 'nan', 'none']);
function cl(v: string | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  const t = v.replace(/^[ \t]+|[ \t]+$/g, '');
  return NULLS.has(t.toLowerCase()) ? null : t;
}
function int32(v: string | null | undefined): number | null {
  const t = cl(v);
  if (t === null || !/^[+-]?\d+$/.test(t)) return null;
  const n = Number(t);
  return n >= -(2 ** 31) && n < 2 ** 31 ? n : null;
}
function dbl(v: string | null | undefined): number | null {
  const t = cl(v);
  return t !== null && /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t) ? Number(t) : null;
}
function realDate(y: number, m: number, d: number): boolean {
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}
function isoDate(v: string | null | undefined): string | null {
  const t = cl(v);
  const m = t === null ? null : /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  return m && realDate(+m[1], +m[2], +m[3]) ? t : null;
}
function isoTs(v: string | null | undefined): boolean {
  const t = cl(v);
  const m = t === null ? null : /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2}))?(?:[Zz]|[+-]\d{2}:\d{2})?)?$/.exec(t);
  if (!m || !realDate(+m[1], +m[2], +m[3])) return false;
  return m[4] === undefined || (+m[4] < 24 && +m[5] < 60 && (m[6] === undefined || +m[6] < 60));
}

interface Expected { failed: string[]; quarantined: boolean; survives: boolean; warnings: string[] }
const CLEAN: Expected = { failed: [], quarantined: false, survives: true, warnings: [] };
const KNOWN = new Set(['D001', 'D002', 'D003', 'D004', 'D005', 'D006', 'D007', 'D008', 'D009', 'D010']);

/** Expected outcome of every patients line, over all files in order (dedup state shared). */
function expectPatients(files: CsvFile[]): Expected[][] {
  const seen = new Set<string>();
  return files.map((f) => f.lines.map(({ values: v }) => {
    const failed: string[] = [];
    const pid = cl(v.patient_id);
    if (pid === null) failed.push('valid_patient_id');
    const age = int32(v.age);
    if (age === null || age < 0 || age > 120) failed.push('valid_age');
    let g = cl(v.gender)?.toUpperCase() ?? null;
    if (g === 'MALE') g = 'M';
    if (g === 'FEMALE') g = 'F';
    if (g !== 'M' && g !== 'F') failed.push('valid_gender');
    const date = isoDate(v.admission_date);
    if (date === null) failed.push('valid_admission_date');
    if (failed.length > 0) return { failed, quarantined: true, survives: false, warnings: [] };
    const code = cl(v.diagnosis_code)?.toUpperCase() ?? null;
    const key = JSON.stringify([pid, date, code]);
    if (seen.has(key)) return { failed, quarantined: false, survives: false, warnings: [] };
    seen.add(key);
    const warnings: string[] = [];
    if (code === null || !KNOWN.has(code)) warnings.push('known_diagnosis');
    if (cl(v.contact_number) === null) warnings.push('has_contact_number');
    return { failed, quarantined: false, survives: true, warnings };
  }));
}

function expectVitals(f: CsvFile): { failed: string[]; alerts: string[] }[] {
  return f.lines.map(({ values: v }) => {
    const failed: string[] = [];
    if (cl(v.patient_id) === null) failed.push('valid_patient_id');
    if (!isoTs(v.measured_at)) failed.push('valid_measured_at');
    const hr = int32(v.heart_rate), sys = int32(v.systolic_bp), dia = int32(v.diastolic_bp), t = dbl(v.temperature_c), o2 = int32(v.spo2), rr = int32(v.respiration_rate);
    if ([hr, sys, dia, t, o2, rr].every((x) => x === null)) failed.push('has_vitals');
    const out = (x: number | null, lo: number, hi: number): boolean => x !== null && (x < lo || x > hi);
    if (out(hr, 20, 250)) failed.push('heart_rate_range');
    if (out(sys, 50, 260)) failed.push('systolic_bp_range');
    if (out(dia, 20, 160)) failed.push('diastolic_bp_range');
    if (out(t, 30, 45)) failed.push('temperature_c_range');
    if (out(o2, 50, 100)) failed.push('spo2_range');
    if (sys !== null && dia !== null && !(sys > dia)) failed.push('bp_order');
    if (out(rr, 3, 80)) failed.push('respiration_rate_range');
    const consc = cl(v.consciousness);
    if (consc !== null && !'ACVPU'.split('').includes(consc.toUpperCase())) failed.push('consciousness_acvpu');
    const alerts: string[] = [];
    if (failed.length === 0) {
      if (hr !== null && hr > 120) alerts.push('heart_rate_gt_120');
      if (o2 !== null && o2 < 90) alerts.push('spo2_lt_90');
      if (t !== null && t >= 38.5) alerts.push('temperature_c_ge_38_5');
      if (sys !== null && sys < 90) alerts.push('systolic_bp_lt_90');
    }
    return { failed, alerts };
  });
}

interface GtRow {
  file: string; line: number; problems: string[]; failed_expectations: string[]; quarantined: boolean;
  survives_dedup?: boolean; warnings?: string[]; alerts?: string[]; duplicate_of?: { file: string; line: number };
}
interface GtFile {
  file: string; kind: 'patients' | 'vitals'; index: number; row_count?: number; columns: string[]; line_ending: string;
  counts: Record<string, any>; rows: GtRow[]; diagnosis_weights?: number[]; outbreak?: { diagnosis: string; factor: number };
  deteriorating_patients?: { patient_id: string; signs: string[]; pattern: string; deterioration_start: string; first_threshold_alert: string | null; first_alerts: Record<string, string> }[];
  monitored_patients?: { patient_id: string; from: string; until: string }[];
}
interface Gt { format: string; generator: Record<string, any>; totals: Record<string, any>; files: GtFile[] }

function readGt(dir: string): Gt {
  return JSON.parse(fs.readFileSync(path.join(dir, 'ground_truth.json'), 'utf8')) as Gt;
}

/** Checks ground_truth.json of `dir` against an independent re-parse of every file. */
function checkGroundTruth(dir: string): { patientsRows: number; listed: number; vitalsRows: number } {
  const gt = readGt(dir);
  const pFiles = gt.files.filter((f) => f.kind === 'patients');
  const vFiles = gt.files.filter((f) => f.kind === 'vitals');
  const parsed = pFiles.map((f) => readCsv(path.join(dir, f.file)));
  const expected = expectPatients(parsed);
  let patientsRows = 0;
  let listed = 0;
  const cleanKeys = new Set<string>();
  pFiles.forEach((gf, fi) => {
    const csv = parsed[fi];
    expect(csv.header).toEqual(gf.columns);
    expect(csv.crlf).toBe(gf.line_ending === 'CRLF');
    expect(csv.lines.length).toBe(gf.row_count);
    const byLine = new Map(gf.rows.map((r) => [r.line, r]));
    expect(byLine.size).toBe(gf.rows.length);
    let quarantined = 0;
    let dedupDropped = 0;
    const warn: Record<string, number> = { known_diagnosis: 0, has_contact_number: 0 };
    csv.lines.forEach(({ line, values }, k) => {
      const exp = expected[fi][k];
      const r = byLine.get(line);
      const got: Expected = r
        ? { failed: r.failed_expectations, quarantined: r.quarantined, survives: r.survives_dedup!, warnings: r.warnings! }
        : CLEAN;
      expect({ file: gf.file, line, ...got }).toEqual({ file: gf.file, line, ...exp });
      if (r) {
        expect(r.file).toBe(gf.file);
        expect(r.problems.length + r.failed_expectations.length + r.warnings!.length + (r.survives_dedup ? 0 : 1)).toBeGreaterThan(0);
        if (r.problems.includes('duplicate') || r.problems.includes('near_duplicate')) expect(r.duplicate_of).toBeDefined();
      } else {
        // Rows without injected problems are unique on the dedup key.
        const key = JSON.stringify([values.patient_id, values.admission_date, values.diagnosis_code]);
        expect(cleanKeys.has(key)).toBe(false);
        cleanKeys.add(key);
      }
      if (exp.quarantined) quarantined++;
      else if (!exp.survives) dedupDropped++;
      for (const w of exp.warnings) warn[w]++;
      patientsRows++;
    });
    listed += gf.rows.length;
    expect(gf.counts.rows).toBe(csv.lines.length);
    expect(gf.counts.listed).toBe(gf.rows.length);
    expect(gf.counts.quarantined).toBe(quarantined);
    expect(gf.counts.dedup_dropped).toBe(dedupDropped);
    expect(gf.counts.silver_rows).toBe(csv.lines.length - quarantined - dedupDropped);
    expect(gf.counts.warnings).toEqual(warn);
  });
  let vitalsRows = 0;
  for (const vf of vFiles) {
    const csv = readCsv(path.join(dir, vf.file));
    expect(csv.header).toEqual(vf.columns);
    const exp = expectVitals(csv);
    const byLine = new Map(vf.rows.map((r) => [r.line, r]));
    let quarantined = 0;
    csv.lines.forEach(({ line }, k) => {
      const r = byLine.get(line);
      const got = r ? { failed: r.failed_expectations, alerts: r.alerts } : { failed: [], alerts: [] };
      expect({ file: vf.file, line, ...got }).toEqual({ file: vf.file, line, ...exp[k] });
      if (r) expect(r.quarantined).toBe(r.failed_expectations.length > 0);
      if (exp[k].failed.length > 0) quarantined++;
      vitalsRows++;
    });
    expect(vf.counts.rows).toBe(csv.lines.length);
    expect(vf.counts.quarantined).toBe(quarantined);
  }
  // Totals are the sums of the per-file counts.
  expect(gt.totals.patients_files).toBe(pFiles.length);
  expect(gt.totals.patients.rows).toBe(patientsRows);
  expect(gt.totals.patients.listed).toBe(listed);
  expect(gt.totals.patients.quarantined).toBe(pFiles.reduce((s, f) => s + f.counts.quarantined, 0));
  const problemTotals: Record<string, number> = {};
  for (const f of pFiles) for (const [k, v] of Object.entries(f.counts.problems as Record<string, number>)) problemTotals[k] = (problemTotals[k] ?? 0) + v;
  expect(gt.totals.patients.problems).toEqual(problemTotals);
  return { patientsRows, listed, vitalsRows };
}

function diagnosisShare(dir: string, file: string, codes: string[]): number {
  const csv = readCsv(path.join(dir, file));
  let n = 0;
  for (const { values } of csv.lines) if (codes.includes((cl(values.diagnosis_code) ?? '').toUpperCase())) n++;
  return n / csv.lines.length;
}

// ---------------------------------------------------------------------------

describe('parseGenerateArgs', () => {
  it('parses every option', () => {
    const o = parseGenerateArgs(['--out', 'incoming', '--every', '2 minutes', '--files', '10', '--rows=500', '--seed', '7',
      '--scenario', 'flu-season,dirty', '--start', '2024-03-01', '--sim-step', '1 day', '--vitals', '--late-rate', '0.1', '--dirty-rate', '0.2']);
    expect(o).toEqual({
      out: 'incoming', everyMs: 120_000, files: 10, rows: 500, seed: 7, scenarios: ['flu-season', 'dirty'], start: '2024-03-01',
      simStepMs: 86_400_000, vitals: true, lateRate: 0.1, dirtyRate: 0.2,
    });
    expect(parseGenerateArgs(['generate', '--out', 'x', '--every', '0'])).toEqual({ out: 'x', everyMs: 0 });
    expect(parseGenerateArgs(['--out', 'x', '--every', '250ms', '--seed', 'abc']).everyMs).toBe(250);
  });

  it('rejects bad usage with a one-line message', () => {
    const bad: string[][] = [
      [], ['--every', '2m'], ['--out', 'x', '--rows', 'ten'], ['--out', 'x', '--files', '0'], ['--out', 'x', '--scenario', 'nope'],
      ['--out', 'x', '--every', 'soon'], ['--out', 'x', '--late-rate', '2'], ['--out', 'x', '--start', '2024-02-30'],
      ['--out', 'x', '--bogus'], ['--out'], ['--out', 'x', 'extra'], ['--out', 'x', '--out', 'y'], ['--out', 'x', '--every', '1 month'],
    ];
    for (const argv of bad) {
      let err: unknown;
      try { parseGenerateArgs(argv); } catch (e) { err = e; }
      expect(err, argv.join(' ')).toBeInstanceOf(Error);
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it('documents every scenario', () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual(['baseline', 'dirty', 'flu-season', 'outbreak', 'schema-drift', 'vitals-deterioration']);
    for (const s of Object.values(SCENARIOS)) expect(s.description.length).toBeGreaterThan(20);
  });
});

describe('generate', { timeout: 60_000 }, () => {
  it('writes the expected files with the documented headers', async () => {
    const dir = tmpDir();
    const s = await generate({ ...quiet, out: dir, files: 3, rows: 50, vitals: true });
    expect(s.filesWritten).toBe(3);
    expect(s.vitalsFilesWritten).toBe(3);
    expect(s.rows).toBe(150);
    expect(s.firstIndex).toBe(0);
    expect(s.lastIndex).toBe(2);
    expect(fs.readdirSync(dir).sort()).toEqual([
      'ground_truth.json', 'patients_daily_file_000000.csv', 'patients_daily_file_000001.csv', 'patients_daily_file_000002.csv',
      'vitals_000000.csv', 'vitals_000001.csv', 'vitals_000002.csv',
    ]);
    const text = fs.readFileSync(path.join(dir, 'patients_daily_file_000001.csv'), 'latin1');
    expect(text.split(/\r?\n/)[0]).toBe('patient_id,name,age,gender,address,contact_number,admission_date,diagnosis_code');
    const vit = fs.readFileSync(path.join(dir, 'vitals_000001.csv'), 'latin1').split('\n');
    expect(vit[0]).toBe('patient_id,measured_at,heart_rate,systolic_bp,diastolic_bp,temperature_c,spo2,respiration_rate,on_oxygen,consciousness');
    const clean = vit.slice(1).filter((l) => /^P\d{12},\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00Z,\d+,\d+,\d+,\d+\.\d,\d+,\d+,(true|false),[ACVPU]$/.test(l));
    expect(clean.length).toBeGreaterThan(50);
    // File 1 covers 2024-01-02: most admissions are on that day.
    const csv = readCsv(path.join(dir, 'patients_daily_file_000001.csv'));
    expect(csv.lines.filter((l) => l.values.admission_date === '2024-01-02').length).toBeGreaterThan(40);
  });

  it('writes byte-identical files for the same seed and options', async () => {
    const opts = { ...quiet, files: 8, rows: 300, seed: 1234, vitals: true, scenarios: ['dirty', 'schema-drift', 'outbreak', 'vitals-deterioration'] as const };
    const a = tmpDir();
    const b = tmpDir();
    const c = tmpDir();
    await generate({ ...opts, scenarios: [...opts.scenarios], out: a });
    await generate({ ...opts, scenarios: [...opts.scenarios], out: b });
    await generate({ ...opts, scenarios: [...opts.scenarios], out: c, seed: 1235 });
    const ha = hashDir(a);
    expect(Object.keys(ha)).toHaveLength(17);
    expect(hashDir(b)).toEqual(ha);
    expect(hashDir(c)['patients_daily_file_000000.csv']).not.toBe(ha['patients_daily_file_000000.csv']);
  });

  it('the build, rendering on a second thread, writes the bytes this process writes rendering on its own', async () => {
    // dist/ renders big files on a worker (src/generate/render-worker.js); the TypeScript sources run here cannot start it
    ensureBuilt();
    const built = (await import(pathToFileURL(path.join(path.dirname(RUN_JS), 'src', 'generate', 'index.js')).href)) as { generate: typeof generate };
    const cases: Partial<GenerateOptions>[] = [
      { files: 3, rows: 20_000, seed: 9, vitals: true, updates: true, scenarios: ['dirty', 'schema-drift', 'outbreak'] },
      { files: 2, rows: 25_001, seed: 'x', lateRate: 0.3, dirtyRate: 0.6, start: '2024-02-28', simStepMs: 12 * 3_600_000 },
    ];
    for (const c of cases) {
      const [threaded, local] = [tmpDir(), tmpDir()];
      const a = await built.generate({ ...quiet, ...c, out: threaded });
      const b = await generate({ ...quiet, ...c, out: local });
      expect([a.renderThread, b.renderThread]).toEqual([true, false]);
      expect(hashDir(threaded)).toEqual(hashDir(local));
    }
  });

  it('continues numbering after existing files, and a restart appends the same files an uninterrupted run writes', async () => {
    const whole = tmpDir();
    const parts = tmpDir();
    await generate({ ...quiet, out: whole, files: 5, rows: 200, seed: 5, scenarios: ['dirty'] });
    const first = await generate({ ...quiet, out: parts, files: 3, rows: 200, seed: 5, scenarios: ['dirty'] });
    const second = await generate({ ...quiet, out: parts, files: 2, rows: 200, seed: 5, scenarios: ['dirty'] });
    expect([first.firstIndex, first.lastIndex, second.firstIndex, second.lastIndex]).toEqual([0, 2, 3, 4]);
    const hw = hashDir(whole);
    const hp = hashDir(parts);
    for (const f of Object.keys(hw)) if (f.endsWith('.csv')) expect(hp[f], f).toBe(hw[f]);
    expect(Object.keys(hp).sort()).toEqual(Object.keys(hw).sort());
    // The restarted ground truth equals the uninterrupted one (duplicates across the restart included).
    expect(readGt(parts).files).toEqual(readGt(whole).files);
    expect(readGt(parts).totals).toEqual(readGt(whole).totals);
    const filesPart = (d: string): string => {
      const t = fs.readFileSync(path.join(d, 'ground_truth.json'), 'utf8');
      return t.slice(t.indexOf('"files":['));
    };
    expect(filesPart(parts)).toBe(filesPart(whole));
    checkGroundTruth(parts);
  });

  it('never shows a partial file under a final name', async () => {
    const dir = tmpDir();
    const events: string[] = [];
    const watcher = fs.watch(dir, (_e, name) => { if (name) events.push(String(name)); });
    const badSeen: string[] = [];
    let checks = 0;
    const rows = 20000;
    const poll = setInterval(() => {
      for (const name of fs.readdirSync(dir)) {
        if (!name.endsWith('.csv')) continue;
        expect(name.startsWith('.')).toBe(false);
        const text = fs.readFileSync(path.join(dir, name), 'latin1');
        checks++;
        if (!text.endsWith('\n') || text.split('\n').length !== rows + 2) badSeen.push(name);
      }
    }, 2);
    try {
      await generate({ ...quiet, out: dir, files: 6, rows, everyMs: 40 });
    } finally {
      clearInterval(poll);
      await new Promise((r) => setTimeout(r, 50));
      watcher.close();
    }
    expect(checks).toBeGreaterThan(0);
    expect(badSeen).toEqual([]);
    expect(events.some((n) => /^\.patients_daily_file_\d{6}\.csv\.tmp$/.test(n))).toBe(true);
    expect(events.some((n) => n === '.ground_truth.json.tmp')).toBe(true);
    const names = fs.readdirSync(dir).sort();
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(names).toEqual(['ground_truth.json', ...Array.from({ length: 6 }, (_, i) => `patients_daily_file_00000${i}.csv`)]);
  });

  it('stops when the signal aborts, between files', async () => {
    const dir = tmpDir();
    const ac = new AbortController();
    const t0 = Date.now();
    // Abort while it waits for the second file (due a minute after the first).
    const log = (line: string): void => { if (line.includes('wrote')) setTimeout(() => ac.abort(), 50); };
    const s = await generate({ ...quiet, out: dir, rows: 10, everyMs: 60_000, log }, ac.signal);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(s.aborted).toBe(true);
    expect(s.filesWritten).toBe(1);
    expect(readGt(dir).files).toHaveLength(1);
  });

  it('fails with the cause when a file cannot be written', async () => {
    const dir = tmpDir();
    let removed = false;
    const log = (line: string): void => {
      if (!removed && line.includes('wrote')) { removed = true; fs.rmSync(dir, { recursive: true, force: true }); }
    };
    await expect(generate({ ...quiet, out: dir, files: 5, rows: 10, everyMs: 20, log })).rejects.toThrow(/ENOENT/);
  });

  it('outbreak: the share of one diagnosis rises on files 10..14, then falls back', async () => {
    const dir = tmpDir();
    const s = await generate({ ...quiet, out: dir, files: 20, rows: 500, seed: 99, scenarios: ['outbreak'] });
    const ob = s.scenarioParams.outbreak!;
    expect(ob).toMatchObject({ first_file: 10, last_file: 14 });
    expect(readGt(dir).generator.scenario_params.outbreak.diagnosis).toBe(ob.diagnosis);
    const share = Array.from({ length: 20 }, (_, i) => diagnosisShare(dir, `patients_daily_file_${String(i).padStart(6, '0')}.csv`, [ob.diagnosis]));
    const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
    const before = mean(share.slice(0, 10));
    const during = mean(share.slice(10, 15));
    const after = mean(share.slice(15));
    expect(during).toBeGreaterThan(2.5 * before);
    expect(during).toBeGreaterThan(2.5 * after);
    expect(after).toBeLessThan(1.6 * before);
    expect(Math.max(...share.slice(10, 15))).toBe(Math.max(...share));
  });

  it('flu-season: respiratory share over a simulated year is higher in Dec-Feb than in Jun-Aug', async () => {
    const dir = tmpDir();
    await generate({ ...quiet, out: dir, files: 365, rows: 60, simStepMs: 86_400_000, scenarios: ['flu-season'], start: '2024-01-01' });
    const gt = readGt(dir);
    const byMonth = new Map<number, { resp: number; all: number }>();
    for (const f of gt.files) {
      const month = new Date(Date.UTC(2024, 0, 1) + f.index * 86_400_000).getUTCMonth() + 1;
      const csv = readCsv(path.join(dir, f.file));
      const m = byMonth.get(month) ?? { resp: 0, all: 0 };
      for (const { values } of csv.lines) {
        const code = (cl(values.diagnosis_code) ?? '').toUpperCase();
        if (code === 'D003' || code === 'D004') m.resp++;
        m.all++;
      }
      byMonth.set(month, m);
    }
    const share = (months: number[]): number => {
      let r = 0, a = 0;
      for (const mo of months) { r += byMonth.get(mo)!.resp; a += byMonth.get(mo)!.all; }
      return r / a;
    };
    const winter = share([12, 1, 2]);
    const summer = share([6, 7, 8]);
    expect(winter).toBeGreaterThan(1.5 * summer);
    expect(summer).toBeGreaterThan(0.08);
  });

  it('baseline: diagnoses, ages and genders look plausible', async () => {
    const dir = tmpDir();
    await generate({ ...quiet, out: dir, files: 4, rows: 2500, dirtyRate: 0, lateRate: 0 });
    const ages: Record<string, number[]> = {};
    let male = 0, total = 0;
    for (let i = 0; i < 4; i++) {
      for (const { values } of readCsv(path.join(dir, `patients_daily_file_00000${i}.csv`)).lines) {
        (ages[values.diagnosis_code!] ??= []).push(Number(values.age));
        if (values.gender === 'M') male++;
        total++;
      }
    }
    expect(Object.keys(ages).sort()).toEqual(['D001', 'D002', 'D003', 'D004', 'D005', 'D006', 'D007', 'D008', 'D009', 'D010']);
    const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
    expect(mean(ages.D004)).toBeLessThan(40);
    expect(mean(ages.D005)).toBeGreaterThan(65);
    expect(mean(ages.D006)).toBeGreaterThan(65);
    for (const a of Object.values(ages)) for (const x of a) expect(x >= 0 && x <= 120).toBe(true);
    expect(male / total).toBeGreaterThan(0.45);
    expect(male / total).toBeLessThan(0.57);
    expect(readGt(dir).totals.patients.listed).toBe(0);
  });

  it('ground truth agrees with an independent re-parse of the files (default scenario)', async () => {
    const dir = tmpDir();
    const s = await generate({ ...quiet, out: dir, files: 10, rows: 400, vitals: true });
    const r = checkGroundTruth(dir);
    expect(r.patientsRows).toBe(4000);
    expect(s.problems.late).toBeGreaterThan(20);
    expect(r.listed).toBeGreaterThan(200);
  });

  it('ground truth agrees with an independent re-parse of the files (dirty, schema-drift, vitals-deterioration)', async () => {
    const dir = tmpDir();
    const s = await generate({
      ...quiet, out: dir, files: 12, rows: 400, seed: 'drift', scenarios: ['dirty', 'schema-drift', 'vitals-deterioration'],
    });
    checkGroundTruth(dir);
    const gt = readGt(dir);
    // Every kind of dirt shows up.
    for (const k of ['null_patient_id', 'null_age', 'age_out_of_range', 'age_non_numeric', 'null_gender', 'invalid_gender', 'gender_variant',
      'null_admission_date', 'invalid_date', 'unknown_diagnosis', 'diagnosis_lowercase', 'null_contact_number', 'quoted_comma',
      'whitespace_padding', 'extra_column', 'duplicate', 'near_duplicate', 'malformed_too_few_fields', 'malformed_garbage', 'late',
      'date_format_mmddyyyy', 'contact_number_column_missing']) {
      expect(s.problems[k] ?? 0, k).toBeGreaterThan(0);
    }
    expect(s.fileProblems.crlf_line_endings).toBeGreaterThan(0);
    // Dirty rate around 30% (late rows and schema-drift problems aside).
    const p = gt.files.filter((f) => f.kind === 'patients' && f.index < 3);
    const dirty = p.reduce((n, f) => n + f.rows.filter((r) => r.problems.some((x) => x !== 'late')).length, 0);
    expect(dirty / (3 * 400)).toBeGreaterThan(0.22);
    expect(dirty / (3 * 400)).toBeLessThan(0.38);
    // Schema drift: insurance_id appears, then contact_number disappears, then dates become MM/DD/YYYY.
    const cols = (i: number): string[] => gt.files.find((f) => f.kind === 'patients' && f.index === i)!.columns;
    expect(cols(0)).not.toContain('insurance_id');
    expect(cols(3)).toContain('insurance_id');
    expect(cols(3)).toContain('contact_number');
    expect(cols(6)).not.toContain('contact_number');
    const late = readCsv(path.join(dir, 'patients_daily_file_000011.csv'));
    expect(late.lines.filter((l) => /^\d{2}\/\d{2}\/\d{4}$/.test(l.values.admission_date ?? '')).length).toBeGreaterThan(300);
    // Duplicates re-sent from earlier files are dropped by deduplication when the original reached silver.
    const dups = gt.files.flatMap((f) => f.rows).filter((r) => r.problems[0] === 'duplicate' && !r.quarantined);
    expect(dups.length).toBeGreaterThan(5);
    for (const d of dups) expect(d.duplicate_of!.file < d.file).toBe(true);
    expect(dups.some((d) => d.survives_dedup === false)).toBe(true);
    // Vitals: deteriorating patients reach the alert thresholds, and vitals dirt is quarantined.
    expect(s.vitalsFilesWritten).toBe(12);
    expect(s.alerts.heart_rate_gt_120 ?? 0).toBeGreaterThan(0);
    expect(s.alerts.spo2_lt_90 ?? 0).toBeGreaterThan(0);
    expect(s.alerts.temperature_c_ge_38_5 ?? 0).toBeGreaterThan(0);
    expect(s.alerts.systolic_bp_lt_90 ?? 0).toBeGreaterThan(0);
    expect(s.vitalsQuarantined).toBeGreaterThan(0);
    const det = gt.files.filter((f) => f.kind === 'vitals').flatMap((f) => f.deteriorating_patients ?? []);
    expect(det.length).toBeGreaterThan(50);
  });

  it('vitals-deterioration: monitored trajectories, the four patterns, onsets and first threshold alerts that the readings bear out', async () => {
    const dir = tmpDir();
    await generate({ ...quiet, out: dir, files: 3, rows: 150, seed: 'traj', dirtyRate: 0, lateRate: 0, scenarios: ['vitals-deterioration'] });
    const gt = readGt(dir);
    for (const f of gt.files.filter((x) => x.kind === 'vitals')) {
      const csv = readCsv(path.join(dir, f.file));
      const byPatient = new Map<string, Record<string, string>[]>();
      for (const { values } of csv.lines) byPatient.set(values.patient_id!, [...(byPatient.get(values.patient_id!) ?? []), values as Record<string, string>]);
      // every monitored patient has a 6..10 hour trajectory of readings, with all the new columns
      expect(f.monitored_patients!.length).toBe(byPatient.size);
      for (const m of f.monitored_patients!) {
        const rows = byPatient.get(m.patient_id)!;
        expect(rows[0].measured_at).toBe(m.from);
        expect(rows.length).toBeGreaterThanOrEqual(8);
        expect(Date.parse(m.until) - Date.parse(m.from)).toBeGreaterThan(3 * 3_600_000);
        for (const r of rows) { expect(r.on_oxygen).toMatch(/^(true|false)$/); expect(r.consciousness).toMatch(/^[ACVPU]$/); expect(+r.respiration_rate).toBeGreaterThan(3); }
      }
      for (const d of f.deteriorating_patients!) {
        expect(Object.keys({ sepsis: 1, respiratory: 1, haemorrhagic: 1, cardiac: 1 })).toContain(d.pattern);
        const rows = byPatient.get(d.patient_id)!;
        // the first alert of each kind is the first reading at or after the onset that crosses its threshold
        const crosses: Record<string, (r: Record<string, string>) => boolean> = {
          heart_rate_gt_120: (r) => +r.heart_rate > 120, spo2_lt_90: (r) => +r.spo2 < 90,
          temperature_c_ge_38_5: (r) => r.temperature_c !== '' && +r.temperature_c >= 38.5, systolic_bp_lt_90: (r) => +r.systolic_bp < 90,
        };
        for (const [a, test] of Object.entries(crosses)) {
          const first = rows.find((r) => r.measured_at >= d.deterioration_start && test(r));
          expect(d.first_alerts[a] ?? null, `${d.patient_id} ${a}`).toBe(first?.measured_at ?? null);
        }
        const firsts = Object.values(d.first_alerts).sort();
        expect(d.first_threshold_alert).toBe(firsts[0] ?? null);
      }
    }
    const det = gt.files.flatMap((f) => f.deteriorating_patients ?? []);
    expect(new Set(det.map((d) => d.pattern)).size).toBe(4);
    expect(det.filter((d) => d.first_threshold_alert !== null).length / det.length).toBeGreaterThan(0.6);
  });
});
