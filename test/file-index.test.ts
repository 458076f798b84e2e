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
