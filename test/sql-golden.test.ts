/**
 * Golden files: the patient pipeline compiled for each dialect, with the input
 * folder fixed to /data/incoming so the files do not depend on the machine.
 *
 * Regenerate after an intended change (then review the diff):
 *
 *     UPDATE_GOLDEN=1 TZ=UTC npx vitest run test/sql-golden.test.ts
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compilePipeline, DIALECT_NAMES } from '../engine/sql/index.js';
import { patientPipeline } from '../layers/pipeline.js';

const GOLDEN = path.join('test', 'golden');
const INPUT = '/data/incoming';
const update = process.env.UPDATE_GOLDEN === '1';

function listFiles(dir: string, base = dir): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p, base) : [path.relative(base, p).split(path.sep).join('/')];
  }).sort();
}

/** A readable first difference between two texts. */
function firstDifference(actual: string, expected: string): string {
  const a = actual.split('\n'), b = expected.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}:\n  golden: ${b[i] ?? '<end of file>'}\n  actual: ${a[i] ?? '<end of file>'}`;
  }
  return 'no difference';
}

describe('golden files of the patient pipeline', () => {
  for (const dialect of DIALECT_NAMES) {
    it(`${dialect}`, () => {
      const { files } = compilePipeline(patientPipeline, { dialect, input: INPUT });
      const dir = path.join(GOLDEN, dialect);
      if (update) {
        fs.rmSync(dir, { recursive: true, force: true });
        for (const [rel, content] of Object.entries(files)) {
          const p = path.join(dir, rel);
          fs.mkdirSync(path.dirname(p), { recursive: true });
          fs.writeFileSync(p, content);
        }
      }
      const hint = 'if the change is intended, regenerate with: UPDATE_GOLDEN=1 TZ=UTC npx vitest run test/sql-golden.test.ts';
      expect(listFiles(dir), `the files of ${dialect} (${hint})`).toEqual(Object.keys(files).sort());
      for (const [rel, content] of Object.entries(files)) {
        const golden = fs.readFileSync(path.join(dir, rel), 'utf8');
        if (golden !== content) expect.fail(`${dialect}/${rel} differs from its golden file at ${firstDifference(content, golden)}\n${hint}`);
      }
    });
  }

  it('is independent of the machine (no absolute path of this checkout)', () => {
    for (const dialect of DIALECT_NAMES) {
      const { files } = compilePipeline(patientPipeline, { dialect, input: INPUT });
      for (const [rel, content] of Object.entries(files)) expect(content.includes(process.cwd()), `${dialect}/${rel}`).toBe(false);
    }
  });
});
