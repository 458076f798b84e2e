/**
 * A backlog of files under `maxFilesPerTrigger` (a replay of a month of files,
 * one file per batch): the runner lists the folder once and keeps the names it
 * could not take yet, as Spark's file source keeps its unread files, instead
 * of listing the folder and stat'ing every waiting file at every batch. The
 * batches are the same (name order, the limit per batch); a run lists the
 * folder once (Trigger.AvailableNow), so files that arrive meanwhile wait for
 * the next run and come after the backlog; a file that vanished from the
 * backlog is passed over and counted nowhere as ingested.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchToRows, definePipeline, PipelineService, readFiles, streamingTable } from '../engine/index.js';
import { nodeFileSystem, type SourceFileSystem } from '../engine/sources/files.js';

let work: string;
beforeAll(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'localdlt-backlog-')); });
afterAll(() => { fs.rmSync(work, { recursive: true, force: true }); });

const pipeline = () => definePipeline([
  streamingTable('raw', { query: readFiles({ glob: 'r_*.csv', format: 'csv', options: { header: 'true' }, schema: 'id INT, f STRING' }) }),
], { name: 'backlog' });

/** The real file system, counting folder listings. */
function counting(): { fs: SourceFileSystem; listings: number } {
  const c = {
    listings: 0,
    fs: {
      names: (root: string) => { c.listings++; return nodeFileSystem.names!(root); },
      list: (root: string) => { c.listings++; return nodeFileSystem.list(root); },
      read: (root: string, name: string) => nodeFileSystem.read(root, name),
      stat: (root: string, name: string) => nodeFileSystem.stat(root, name),
    } as SourceFileSystem,
  };
  return c;
}

function write(dir: string, name: string, id: number): void {
  fs.writeFileSync(path.join(dir, name), `id,f\n${id},${name}\n`);
}

async function replay(name: string, files: number, limit: number, between?: (batch: number, input: string) => void, runs = 1) {
  const input = path.join(work, `${name}-in`), output = path.join(work, `${name}-out`);
  fs.mkdirSync(input, { recursive: true });
  for (let i = 0; i < files; i++) write(input, `r_${String(i).padStart(3, '0')}.csv`, i);
  const c = counting();
  const { service } = await PipelineService.open({ pipeline: pipeline(), input, output, fs: c.fs, maxFilesPerTrigger: limit, now: () => Date.UTC(2024, 0, 1) });
  c.listings = 0;
  const batches: string[][] = [];
  /** The batches of each run. */
  const perRun: number[] = [];
  for (let k = 0; k < runs; k++) {
    const rs = await service.runAvailableNow((_r, plan) => {
      if (!plan.files.length) return;
      batches.push(plan.files.map((f) => f.file.name));
      between?.(batches.length, input);
    });
    expect(rs.find((r) => r.failure)?.failure ?? null).toBeNull();
    perRun.push(batches.length - perRun.reduce((a, b) => a + b, 0));
  }
  const rows = batchToRows(await service.store.snapshot('raw', service.graph.datasets.get('raw')!.schema)).map((r) => r.f as string).sort();
  await service.close('COMPLETED');
  return { batches, rows, listings: c.listings, perRun };
}

describe('a backlog of files under maxFilesPerTrigger', () => {
  it('is listed once and taken in name order, the limit per batch', async () => {
    const files = 60;
    const r = await replay('once', files, 3);
    expect(r.batches.length).toBe(files / 3);
    expect(r.batches.flat()).toEqual(Array.from({ length: files }, (_, i) => `r_${String(i).padStart(3, '0')}.csv`));
    expect(r.batches.slice(0, -1).every((b) => b.length === 3)).toBe(true);
    expect(r.rows.length).toBe(files);
    // Trigger.AvailableNow: one listing for the whole run (listing every batch, and stat'ing every waiting file, would be 21)
    expect(r.listings).toBe(1);
  }, 60_000);

  it('files that arrive during a run wait for the next run (Trigger.AvailableNow), and every file lands once', async () => {
    const r = await replay('arrive', 10, 2, (batch, input) => {
      if (batch === 1) { write(input, 'r_004b.csv', 100); write(input, 'r_999.csv', 101); }
    }, 2);
    const order = r.batches.flat();
    expect(r.perRun).toEqual([5, 1]);
    expect(order.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => `r_${String(i).padStart(3, '0')}.csv`));
    expect(order.slice(10)).toEqual(['r_004b.csv', 'r_999.csv']);
    expect(r.rows).toEqual([...order].sort());
  }, 60_000);

  it('a file that vanished from the backlog is passed over; the others land', async () => {
    const r = await replay('vanish', 10, 2, (batch, input) => {
      if (batch === 1) fs.rmSync(path.join(input, 'r_005.csv'));
    });
    const order = r.batches.flat();
    expect(order).not.toContain('r_005.csv');
    expect(order.length).toBe(9);
    expect(r.batches.slice(0, -1).every((b) => b.length === 2)).toBe(true);
    expect(r.rows).toEqual([...order].sort());
  }, 60_000);
});
