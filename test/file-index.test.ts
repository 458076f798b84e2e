/**
 * The file index of a flow that reads several file sources, across the
 * retention of offsets and commits (`minBatchesToRetain`): once old batch
 * records are removed, the index snapshot must name every source's files, so
 * a restart ingests none of them again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { batchToRows, definePipeline, readCsv, streamingTable } from '../engine/index.js';
import { PipelineService } from '../engine/runtime/service.js';
import { tempDir } from './helpers/cli.js';
import { batchesIn, offsetsDir } from './helpers/batch-log.js';
import { FileIndex, type IndexedFile } from '../engine/state/file-index.js';
import { nodeFileSystem, type SourceFileSystem } from '../engine/sources/files.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

const schema = { id: 'string', n: 'int' } as const;
const both = streamingTable('both', {
  query: readCsv({ glob: 'a_*.csv', schema, maxFilesPerTrigger: 1 }).union(readCsv({ glob: 'b_*.csv', schema, maxFilesPerTrigger: 1 })),
});
const pipeline = definePipeline([both], { name: 'two-sources', configuration: { 'spark.sql.streaming.minBatchesToRetain': '3' } });

async function run(input: string, output: string): Promise<{ rows: number; batches: number }> {
  const { service } = await PipelineService.open({ pipeline, input, output, threads: 1 });
  try {
    const results = await service.runAvailableNow();
    const rows = batchToRows(await service.store.snapshot('both', service.graph.datasets.get('both')!.schema)).length;
    return { rows, batches: results.filter((r) => r.flows.get('both')!.num_output_rows > 0).length };
  } finally {
    await service.close('COMPLETED');
  }
}

describe('a flow with two file sources', () => {
  it('keeps both sources\' files in its index when old batch records are removed: a restart ingests nothing again', async () => {
    const root = tempDir('file-index');
    dirs.push(root);
    const input = path.join(root, 'in'), output = path.join(root, 'out');
    fs.mkdirSync(input);
    for (let k = 0; k < 12; k++) {
      fs.writeFileSync(path.join(input, `a_${String(k).padStart(2, '0')}.csv`), `id,n\na${k},${k}\n`);
      fs.writeFileSync(path.join(input, `b_${String(k).padStart(2, '0')}.csv`), `id,n\nb${k},${k}\n`);
    }
    // one file of each source a batch: 12 batches, and the records of all but the last 3 removed at batch 9
    const first = await run(input, output);
    expect(first).toEqual({ rows: 24, batches: 12 });
    expect(batchesIn(offsetsDir(output))[0]).toBeGreaterThan(0);
    const again = await run(input, output);
    expect(again).toEqual({ rows: 24, batches: 0 });
  });
});

describe('FileIndex: the snapshot columns plus the files added since', () => {
  // a seeded generator: the same sequences at every run
  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
  }
  const names = (r: () => number) => {
    const pool = ['a.csv', 'b.csv', 'é.csv', 'dup.csv', '', 'x/y.csv', '\u{1F600}.csv'];
    return r() < 0.3 ? pool[Math.floor(r() * pool.length)] : `f_${Math.floor(r() * 400)}.csv`;
  };
  const sorted = (it: Iterable<IndexedFile>) => [...it].map((f) => JSON.stringify(f)).sort();

  it('answers as a Map of the same entries under random additions, replacements, deletions and drops', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const r = rng(seed);
      const n = Math.floor(r() * 300);
      const cols = { name: [] as string[], size: [] as number[], mtimeMs: [] as number[], batchId: [] as number[] };
      const model = new Map<string, IndexedFile>();
      for (let i = 0; i < n; i++) {
        const f = { name: names(r), size: Math.floor(r() * 1000), mtimeMs: 1_700_000_000_000 + i, batchId: Math.floor(r() * 50) };
        cols.name.push(f.name); cols.size.push(f.size); cols.mtimeMs.push(f.mtimeMs); cols.batchId.push(f.batchId);
        model.set(f.name, f);
      }
      const idx = new FileIndex(cols);
      for (let step = 0; step < 400; step++) {
        const name = names(r), p = r();
        if (p < 0.45) {
          const f = { name, size: Math.floor(r() * 1000), mtimeMs: step, batchId: 50 + Math.floor(r() * 20) };
          idx.set(name, f); model.set(name, f);
        } else if (p < 0.6) {
          expect(idx.delete(name)).toBe(model.delete(name));
        } else if (p < 0.63) {
          const cut = Math.floor(r() * 70);
          let dropped = 0;
          for (const [k, f] of model) if (f.batchId > cut) { model.delete(k); dropped++; }
          expect(idx.dropAfter(cut)).toBe(dropped);
        } else {
          expect(idx.has(name)).toBe(model.has(name));
          expect(idx.get(name)).toEqual(model.get(name));
        }
        expect(idx.size).toBe(model.size);
      }
      expect(sorted(idx.values())).toEqual(sorted(model.values()));
      expect([...idx].every(([k, f]) => f.name === k && model.get(k)?.batchId === f.batchId)).toBe(true);
    }
  });

  it('its iterator, like a Map\'s, goes on to files added while it runs', () => {
    const idx = new FileIndex({ name: ['a', 'b'], size: [1, 2], mtimeMs: [0, 0], batchId: [0, 0] });
    const it = idx.values();
    expect(it.next().value?.name).toBe('a');
    idx.set('c', { name: 'c', size: 3, mtimeMs: 0, batchId: 1 });
    idx.delete('b');
    expect([...it].map((f) => f.name)).toEqual(['c']);
  });
});

describe('the input folder listed while the pipeline opens', () => {
  /** The real file system, counting its listings. */
  function counting() {
    const calls = { names: 0, namesAsync: 0 };
    const fsys: SourceFileSystem = {
      ...nodeFileSystem,
      names: (root) => { calls.names++; return nodeFileSystem.names!(root); },
      namesAsync: (root) => { calls.namesAsync++; return nodeFileSystem.namesAsync!(root); },
    };
    return { fsys, calls };
  }
  const one = streamingTable('one', { query: readCsv({ glob: 'a_*.csv', schema }) });
  const p1 = definePipeline([one], { name: 'prefetch' });
  async function ids(service: PipelineService): Promise<string[]> {
    return batchToRows(await service.store.snapshot('one', service.graph.datasets.get('one')!.schema)).map((r) => String(r.id)).sort();
  }

  it('serves the first run when the folder has not changed, and is listed again when files arrived after the open', async () => {
    const root = tempDir('prefetch');
    dirs.push(root);
    const input = path.join(root, 'in'), output = path.join(root, 'out');
    fs.mkdirSync(input);
    fs.writeFileSync(path.join(input, 'a_1.csv'), 'id,n\nx,1\n');
    const a = counting();
    let { service } = await PipelineService.open({ pipeline: p1, input, output, threads: 1, fs: a.fsys });
    try {
      await service.runAvailableNow();
      expect(await ids(service)).toEqual(['x']);
    } finally { await service.close('COMPLETED'); }
    expect(a.calls).toEqual({ names: 0, namesAsync: 1 });

    const b = counting();
    ({ service } = await PipelineService.open({ pipeline: p1, input, output, threads: 1, fs: b.fsys }));
    try {
      // a file that arrives between the open and the run belongs to the run (Trigger.AvailableNow: the files present when it starts)
      fs.writeFileSync(path.join(input, 'a_2.csv'), 'id,n\ny,2\n');
      await service.runAvailableNow();
      expect(await ids(service)).toEqual(['x', 'y']);
    } finally { await service.close('COMPLETED'); }
    expect(b.calls).toEqual({ names: 1, namesAsync: 1 });
  });
});

describe('a file a batch could not read', () => {
  const one = streamingTable('one', { query: readCsv({ glob: 'a_*.csv', schema }) });
  const p1 = definePipeline([one], { name: 'skipped' });

  it('is not in the index a restart reads: the next run ingests it', async () => {
    const root = tempDir('skipped');
    dirs.push(root);
    const input = path.join(root, 'in'), output = path.join(root, 'out');
    fs.mkdirSync(input);
    for (const k of [1, 2, 3]) fs.writeFileSync(path.join(input, `a_${k}.csv`), `id,n\nr${k},${k}\n`);
    const unreadable: SourceFileSystem = {
      ...nodeFileSystem,
      read: (r, name) => { if (name === 'a_2.csv') throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }); return nodeFileSystem.read(r, name); },
    };
    const ids = async (service: PipelineService) => batchToRows(await service.store.snapshot('one', service.graph.datasets.get('one')!.schema)).map((r) => String(r.id)).sort();
    let { service } = await PipelineService.open({ pipeline: p1, input, output, threads: 1, fs: unreadable });
    try {
      await service.runAvailableNow();
      expect(await ids(service)).toEqual(['r1', 'r3']);
    } finally { await service.close('COMPLETED'); }
    ({ service } = await PipelineService.open({ pipeline: p1, input, output, threads: 1 }));
    try {
      await service.runAvailableNow();
      expect(await ids(service)).toEqual(['r1', 'r2', 'r3']);
    } finally { await service.close('COMPLETED'); }
  });
});
