/** docs/functions.md is generated from the registry; this fails when it is stale (run `npm run docs`). */
import * as fs from 'node:fs';
import { expect, it } from 'vitest';
import { functionReference } from '../../engine/functions/docs.js';
import { allFunctions } from '../../engine/functions/registry.js';
import { allAggregates } from '../../engine/functions/aggregates.js';

it('docs/functions.md is up to date with the registry', () => {
  const file = fs.readFileSync('docs/functions.md', 'utf8');
  expect(file, 'docs/functions.md is stale: run npm run docs').toBe(functionReference());
});

it('every entry documents a signature, a summary and an example', () => {
  for (const f of allFunctions()) {
    expect(f.signature, f.name).not.toBe('');
    expect(f.summary, f.name).not.toBe('');
    expect(f.examples.length, `${f.name} has no example`).toBeGreaterThan(0);
  }
  for (const a of allAggregates()) expect(a.examples.length, `${a.name} has no example`).toBeGreaterThan(0);
});
