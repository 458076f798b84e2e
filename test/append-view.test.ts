/**
 * An append view (admissions_with_address: an as-of join of silver with the
 * patient history) gets its input's new rows of a micro-batch either from
 * memory or, past `appendKeepRows`, read back from the input's new data files.
 * Both ways, with the in-memory store and with Delta tables, the view equals
 * the one computed in a single micro-batch over all files (its first
 * computation) and the one each batch recomputes (keep 0 with batches of one
 * file). The view's semantics against DuckDB are checked in
 * sql-duckdb-equivalence.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../src/generate/index.js';
import { patientPipeline } from '../layers/pipeline.js';
import { PipelineTester } from '../engine/testing.js';
import { batchToRows } from '../engine/batch.js';
import { multisetEqual } from './helpers/duck.js';
import { scratchDirs } from './helpers/dirs.js';

const tmp = scratchDirs('localdlt-append-view-');
let input: string;

beforeAll(async () => {
  input = tmp();
  await generate({ out: input, files: 8, rows: 400, everyMs: 0, seed: 41, updates: true, updateRows: 150, scenarios: ['dirty'], log: null });
}, 120_000);

async function run(opts: { keep?: number; output?: boolean; perTrigger?: number }): Promise<{ view: Record<string, unknown>[]; silver: Record<string, unknown>[]; history: Record<string, unknown>[] }> {
  const t = new PipelineTester(patientPipeline, { input, maxFilesPerTrigger: opts.perTrigger ?? 3, appendKeepRows: opts.keep, ...(opts.output ? { output: tmp() } : {}) });
  try {
    const rs = await t.runAvailable();
    expect(rs.some((r) => r.failure)).toBe(false);
    const rows = async (n: string) => batchToRows((await t.table(n)).batch) as Record<string, unknown>[];
    return { view: await rows('admissions_with_address'), silver: await rows('patients_silver'), history: await rows('patients_history') };
  } finally {
    t.close();
  }
}

describe('append view parts: kept in memory or read back from files', { timeout: 180_000 }, () => {
  it('gives the same view both ways, in memory and on Delta tables, as a single batch over every file', async () => {
    const once = await run({ perTrigger: 1000 });
    expect(once.view.length).toBe(once.silver.length);
    expect(once.view.some((r) => r.address_at_admission !== null)).toBe(true);
    expect(once.view.some((r) => r.address_at_admission === null)).toBe(true);
    const runs = {
      memKept: await run({}), memFiles: await run({ keep: 0 }), deltaKept: await run({ output: true }), deltaFiles: await run({ keep: 0, output: true }),
      deltaFilesOnce: await run({ keep: 0, output: true, perTrigger: 1000 }), oneFileBatches: await run({ keep: 0, perTrigger: 1 }),
    };
    for (const [label, r] of Object.entries(runs)) {
      expect(r.view.length, label).toBe(once.view.length);
      multisetEqual(r.view, once.view, { ignore: ['_ingested_at'], label });
    }
  });

  it('computes the view step by step while the history does not change: each silver row once, with no address', async () => {
    const plain = tmp();
    await generate({ out: plain, files: 6, rows: 300, everyMs: 0, seed: 43, scenarios: ['dirty'], log: null });
    for (const opts of [{ perTrigger: 1000 }, { perTrigger: 2 }, { perTrigger: 2, keep: 0 }]) {
      const t = new PipelineTester(patientPipeline, { input: plain, maxFilesPerTrigger: opts.perTrigger, appendKeepRows: opts.keep, output: tmp() });
      try {
        const rs = await t.runAvailable();
        expect(rs.some((r) => r.failure)).toBe(false);
        const silver = batchToRows((await t.table('patients_silver')).batch) as Record<string, unknown>[];
        const view = batchToRows((await t.table('admissions_with_address')).batch) as Record<string, unknown>[];
        expect(silver.length).toBeGreaterThan(1000);
        expect(view.every((r) => r.address_at_admission === null)).toBe(true);
        const cols = Object.keys(silver[0]).filter((c) => c in view[0] && c !== '_ingested_at');
        const pick = (r: Record<string, unknown>) => Object.fromEntries(cols.map((c) => [c, r[c]]));
        multisetEqual(view.map(pick), silver.map(pick), { label: JSON.stringify(opts) });
      } finally {
        t.close();
      }
    }
  });
});
