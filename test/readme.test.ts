/**
 * The README's examples work as printed: the user-defined pipeline module runs
 * through the CLI, and the unit-test example passes.
 */
import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

const ROOT = path.resolve(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

function block(after: string, lang: string): string {
  const at = README.indexOf(after);
  expect(at, `README section "${after}"`).toBeGreaterThanOrEqual(0);
  const start = README.indexOf('```' + lang + '\n', at);
  const end = README.indexOf('\n```', start + 4);
  return README.slice(start + lang.length + 4, end + 1);
}

describe('README', () => {
  it('opens with exactly two quick-start commands', () => {
    const quick = block('## Quick start', 'sh').trim().split('\n');
    expect(quick.map((l) => l.split('#')[0].trim())).toEqual(['npm install && npm start', 'npm install && npm test']);
  });

  it('the user-defined pipeline runs as printed', () => {
    const dir = fs.mkdtempSync(path.join(ROOT, '.readme-'));
    try {
      fs.writeFileSync(path.join(dir, 'my-pipeline.mjs'), block('## Define your own pipeline', 'js'));
      const input = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-in-'));
      fs.writeFileSync(path.join(input, 'readings_1.csv'), 'sensor,value,at\ns1,20.5,2024-01-01T00:00:00Z\ns2,300,2024-01-01T00:01:00Z\n,1,2024-01-01T00:02:00Z\ns1,21.5,2024-01-01T00:03:00Z\n');
      const out = path.join(input, 'out');
      const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/run.js'), 'replay', input, '--output', out, '--pipeline', path.join(dir, 'my-pipeline.mjs'), '--log-level', 'warn'], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/readings_silver\s+streaming table\s+2\s+2/);
      expect(r.stdout).toMatch(/readings_per_sensor\s+materialized view\s+1/);
      expect(fs.existsSync(path.join(out, 'tables', 'readings_quarantine', '_delta_log'))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the unit-test example passes', async () => {
    const code = block('## Unit-test a pipeline', 'ts');
    const dir = fs.mkdtempSync(path.join(ROOT, '.readme-'));
    try {
      // run the example's test body with vitest's expect, importing 'localdlt' as a user would
      const body = code.replace("import { test, expect } from 'vitest';", 'const tests = []; const test = (name, fn) => tests.push([name, fn]);') + '\nexport { tests };\n';
      const file = path.join(dir, 'example.mjs');
      fs.writeFileSync(file, body.replace(/^export \{ tests \};$/m, 'export { tests };').replace(/\bexpect\(/g, 'globalThis.__expect('));
      (globalThis as Record<string, unknown>).__expect = expect;
      const mod = (await import(file)) as { tests: [string, () => Promise<void>][] };
      expect(mod.tests).toHaveLength(1);
      await mod.tests[0][1]();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
