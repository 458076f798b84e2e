/**
 * The README's "Run your existing DLT SQL" examples work as printed: the
 * legacy notebook replays with its command line, the tutorial-shaped one
 * with two --source bindings, validate reports the typo as shown, and the
 * unit test passes.
 */
import { describe, expect, it, afterAll } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadPipeline, runPipeline } from '../engine/index.js';
import { ensureBuilt, runCli } from './helpers/cli.js';

const ROOT = path.resolve(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const SECTION = README.slice(README.indexOf('## Run your existing DLT SQL'), README.indexOf('## Take it to Databricks or Spark'));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'localdlt-readme-sql-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The n-th code block of a language in the section. */
function block(lang: string, n: number): string {
  const re = new RegExp('```' + lang + '\\n([\\s\\S]*?)\\n```', 'g');
  const all = [...SECTION.matchAll(re)].map((m) => m[1]);
  expect(all.length).toBeGreaterThan(n);
  return all[n];
}

/** A shell command of the section as arguments (quotes and line continuations read). */
function argv(cmd: string): string[] {
  const text = cmd.replace(/\\\n\s*/g, ' ');
  return [...text.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]).slice(2);
}

describe('README: Run your existing DLT SQL', () => {
  it('the legacy notebook replays with its command', { timeout: 60_000 }, async () => {
    ensureBuilt();
    const cwd = path.join(dir, 'legacy');
    fs.mkdirSync(path.join(cwd, 'incoming'), { recursive: true });
    fs.writeFileSync(path.join(cwd, 'legacy.sql'), block('sql', 0));
    fs.writeFileSync(path.join(cwd, 'incoming', 'admissions_1.csv'), 'patient_id,ward,age\np1,east,34\np2,west,130\np3,east,50\n');
    const r = await runCli(argv(block('sh', 0)), { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/admissions_clean\s+streaming table\s+2\s+1/);
    expect(r.stdout).toMatch(/admissions_by_ward\s+materialized view\s+1/);
  });

  it('the tutorial-shaped notebook replays with two --source lines, and validate catches the typo', { timeout: 60_000 }, async () => {
    const cwd = path.join(dir, 'tutorial');
    fs.mkdirSync(path.join(cwd, 'incoming'), { recursive: true });
    fs.writeFileSync(path.join(cwd, 'tutorial.sql'), block('sql', 1));
    fs.writeFileSync(path.join(cwd, 'incoming', 'patients_daily_file_1.csv'), 'patient_id,name,diagnosis_code\nP1,Ann,D1\n,Nobody,D2\nP3,Cy,D9\n');
    fs.writeFileSync(path.join(cwd, 'incoming', 'diagnosis_mapping.csv'), 'diagnosis_code,diagnosis_description\nD1,Asthma\nD2,COPD\n');
    const args = argv(block('sh', 1));
    const r = await runCli(args, { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/patients_silver\s+streaming table\s+2\s+1/);
    fs.writeFileSync(path.join(cwd, 'tutorial.sql'), block('sql', 1).replace('m.diagnosis_description', 'm.diagnosis_descripton'));
    const sources = args.filter((_, i) => args[i - 1] === '--source').flatMap((s) => ['--source', s]);
    const v = await runCli(['validate', '--pipeline', 'tutorial.sql', '--input', 'incoming', ...sources], { cwd });
    expect(v.code).toBe(1);
    const shown = SECTION.slice(SECTION.indexOf('gives:')).split('```')[1];
    expect(v.stderr.trim()).toBe(shown.trim());
  });

  it('the unit test passes', async () => {
    const cwd = path.join(dir, 'unit');
    fs.mkdirSync(cwd, { recursive: true });
    fs.writeFileSync(path.join(cwd, 'pipeline.sql'), block('sql', 2));
    const ts = block('ts', 0);
    const files = JSON.parse(`{${/files: \{ ('[^']+'): '([^']*)' \}/.exec(ts)!.slice(1).map((x, i) => (i === 0 ? JSON.stringify(x.slice(1, -1)) : JSON.stringify(x.replace(/\\n/g, '\n')))).join(':')}}`) as Record<string, string>;
    const expected = /toEqual\((\[.*\])\);/.exec(ts)![1];
    const p = await loadPipeline(path.join(cwd, 'pipeline.sql'));
    const run = await runPipeline(p, { files });
    expect(JSON.stringify(run.rows('admissions_clean'))).toBe(JSON.stringify(eval(`(${expected})`)));
  });
});
