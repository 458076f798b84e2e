/**
 * Worker threads: parsing the next files on a worker (threads 2) gives the
 * same bytes as the one-thread path (threads 1): every table's Parquet files,
 * in commit order, and the checkpoint (offsets and operator state), on the
 * dirty fixtures with a fixed clock. A replay killed with SIGKILL while a
 * worker holds files loses and duplicates nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { patientPipeline } from '../layers/pipeline.js';
import { PipelineService } from '../engine/runtime/service.js';
import { WorkerPool } from '../engine/runtime/workers.js';
import { readCsv } from '../engine/expr/builder.js';
import { parseSourceFile } from '../engine/sources/parse-file.js';
import { batchFromRows, batchToRows } from '../engine/batch.js';
import { decodeParquetFile, encodeParquet } from '../engine/sinks/parquet.js';
import type { Schema } from '../engine/ir/types.js';
import type { CsvOptions } from '../engine/ir/plan.js';
import { Duck, multisetEqual } from './helpers/duck.js';
import { copyInto, ensureBuilt, generatePool, readTableViaLog, runCli, startCli, tableNames, tempDir, waitFor, type Pool } from './helpers/cli.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const FIXTURES = path.join('test', 'fixtures', 'dirty');

function listFiles(dir: string, base = dir): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name))])).sort();
}

/** The Parquet bytes of a table in commit order (file names carry the batch and sequence, then a random id; ties by content). */
function tableBytes(out: string, table: string): Buffer[] {
  const dir = path.join(out, 'tables', table);
  return fs.readdirSync(dir).filter((f) => f.endsWith('.parquet'))
    .map((f) => ({ key: f.slice(0, 18), bytes: fs.readFileSync(path.join(dir, f)) }))
    .sort((a, b) => a.key.localeCompare(b.key) || Buffer.compare(a.bytes, b.bytes))
    .map((x) => x.bytes);
}

/** Both outputs hold the same tables, each of the same Parquet files byte for byte. */
function expectSameTableBytes(one: string, two: string): void {
  const tables = tableNames(one);
  expect(tableNames(two)).toEqual(tables);
  for (const t of tables) {
    const a = tableBytes(one, t), b = tableBytes(two, t);
    expect(b.length, t).toBe(a.length);
    a.forEach((buf, k) => expect(Buffer.compare(buf, b[k]), `${t} file ${k}`).toBe(0));
  }
}

async function replay(input: string, output: string, threads: number, maxFilesPerTrigger = 2, appendKeepRows?: number): Promise<void> {
  const t = Date.UTC(2024, 4, 1, 12);
  const { service } = await PipelineService.open({ pipeline: patientPipeline, input, output, threads, maxFilesPerTrigger, appendKeepRows, now: () => t });
  await service.runAvailableNow();
  await service.close('COMPLETED');
}

/** A DuckDB connection, a work folder and a generated pool of dirty files for a describe block (set up before its tests, removed after). */
function generatedFixture(name: string, files: number, rows: number, seed: string): { duck: Duck; pool: Pool; work: string } {
  const f = {} as { duck: Duck; pool: Pool; work: string };
  beforeAll(async () => {
    ensureBuilt();
    f.duck = await Duck.open();
    f.work = tempDir(name);
    f.pool = await generatePool({ files, rows, seed, scenarios: ['dirty'] });
  });
  afterAll(() => {
    f.duck?.close();
    fs.rmSync(f.work, { recursive: true, force: true, maxRetries: 5 });
    fs.rmSync(f.pool.dir, { recursive: true, force: true, maxRetries: 5 });
  });
  return f;
}

describe('threads on and off', () => {
  let work: string;
  beforeAll(() => { ensureBuilt(); work = tempDir('threads'); });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true, maxRetries: 5 }));

  it('give byte-identical tables and checkpoints on the dirty fixtures', async () => {
    const one = path.join(work, 'one'), two = path.join(work, 'two');
    await replay(FIXTURES, one, 1);
    await replay(FIXTURES, two, 2);
    expectSameTableBytes(one, two);
    const cp = (o: string) => listFiles(path.join(o, '_checkpoints')).filter((f) => !f.startsWith('metadata'));
    expect(cp(two)).toEqual(cp(one));
    for (const f of cp(one)) {
      const x = fs.readFileSync(path.join(one, '_checkpoints', f)), y = fs.readFileSync(path.join(two, '_checkpoints', f));
      // commit records: identical but for the time of the commit
      if (f.startsWith(`commits${path.sep}`)) expect({ ...JSON.parse(y.toString()), committedAt: 0 }, f).toEqual({ ...JSON.parse(x.toString()), committedAt: 0 });
      else expect(Buffer.compare(x, y), f).toBe(0);
    }
  });
});

describe('threads on and off, with flushes large enough to be handed to the worker', () => {
  const fx = generatedFixture('threads-large', 4, 12_000, 'threads-large');

  it('give byte-identical tables when flushes of more than 16,384 rows move their buffers to the worker and fill files of several row groups', async () => {
    const input = path.join(fx.work, 'in');
    copyInto(fx.pool, input, fx.pool.files);
    const one = path.join(fx.work, 'one'), two = path.join(fx.work, 'two');
    // one batch of four 12k-row files: flushes of 24k rows, two to a file; the append view reads silver's new rows back from its files
    await replay(input, one, 1, 4, 1000);
    await replay(input, two, 2, 4, 1000);
    expectSameTableBytes(one, two);
    // the case is exercised: bronze and silver have files of more than 16,384 rows
    for (const t of ['patients_bronze', 'patients_silver']) {
      const counts = await fx.duck.all(`SELECT count(*)::INTEGER AS n FROM read_parquet('${path.join(two, 'tables', t)}/*.parquet', filename = true) GROUP BY filename`);
      expect(Math.max(...counts.map((r) => Number(r.n))), t).toBeGreaterThan(16_384);
    }
    // and every row of the input is in bronze (nothing lost to a detached buffer)
    const bronze = await readTableViaLog(fx.duck, two, 'patients_bronze');
    const records = fx.pool.files.filter((f) => f.startsWith('patients_')).reduce((n, f) => n + fx.pool.records.get(f)!, 0);
    expect(records).toBeGreaterThan(16_384);
    expect(bronze.length).toBe(records);
    // files of several flushes: a row group each, and admissions_with_address (an append view over silver that reads
    // silver's new files back a row group at a time) holds every silver row, with no address (no change feed here)
    const groups = await fx.duck.all(`SELECT file_name, count(DISTINCT row_group_id)::INTEGER AS n FROM parquet_metadata('${path.join(two, 'tables', 'patients_silver')}/*.parquet') GROUP BY file_name`);
    expect(Math.max(...groups.map((r) => Number(r.n)))).toBeGreaterThan(1);
    const silver = await readTableViaLog(fx.duck, two, 'patients_silver');
    const view = await readTableViaLog(fx.duck, two, 'admissions_with_address');
    expect(view.every((r) => r.address_at_admission === null)).toBe(true);
    // silver is de-duplicated on these keys: each of its rows once (a part read twice, or skipped, shows here)
    const key = (r: Record<string, unknown>) => JSON.stringify([r.patient_id, r.admission_date, r.diagnosis_code]);
    expect(new Set(view.map(key)).size).toBe(silver.length);
    expect(view.length).toBe(silver.length);
    multisetEqual(view.map(({ address_at_admission: _, ...r }) => r), silver, { ignore: ['_ingested_at'] });
  });
});

describe('a parse the main thread takes back from a busy worker (work stealing)', () => {
  const options = (readCsv({ glob: '*.csv', schema: { id: 'string', n: 'int' } }).node as unknown as { options: CsvOptions }).options;
  const csv = (from: number, rows: number) => Buffer.from(['id,n', ...Array.from({ length: rows }, (_, k) => `p${from + k},${k % 7 === 0 ? 'x' : from + k}`)].join('\n') + '\n');
  const meta = (name: string) => ({ sourceFile: name, ingestedAtUs: 1_700_000_000_000_000 });

  it('the worker answers a task it did not claim with null and parses or writes the ones it claimed; the result does not depend on the thread', async () => {
    const pool = new WorkerPool(2);
    try {
      // an idle worker claims the task first: it is the worker's to parse
      const first = pool.parseCsvStealable(csv(0, 500), options, meta('a.csv'));
      const parsed = await first.result;
      expect(first.steal()).toBe(false);
      expect(parsed!.batch.length).toBe(500);
      expect(batchToRows(parsed!.batch)).toEqual(batchToRows(parseSourceFile(csv(0, 500), options, meta('a.csv')).batch));
      // a worker busy encoding Parquet has not begun the next parse: the main thread takes it
      const big = batchFromRows([{ name: 'id', type: 'string' }, { name: 'n', type: 'long' }], Array.from({ length: 400_000 }, (_, k) => ({ id: `row-${k}`, n: k })));
      const dir = tempDir('steal');
      const busy = pool.writeParquetStealable(big, path.join(dir, 'big.parquet.tmp'));
      const queued = pool.parseCsvStealable(csv(500, 500), options, meta('b.csv'));
      // so are writes queued behind it: a write taken back is not written by the worker
      const queuedWrite = pool.writeParquetStealable(batchFromRows([{ name: 'id', type: 'string' }], [{ id: 'x' }]), path.join(dir, 'small.parquet.tmp'));
      expect(queued.steal()).toBe(true);
      expect(queued.steal()).toBe(false); // taken once
      expect(queuedWrite.steal()).toBe(true);
      expect(await queued.result).toBeNull();
      expect(await queuedWrite.result).toBeNull();
      expect(fs.existsSync(path.join(dir, 'small.parquet.tmp'))).toBe(false);
      expect((await busy.result)!.size).toBe(fs.statSync(path.join(dir, 'big.parquet.tmp')).size);
      expect(busy.steal()).toBe(false);
    } finally {
      await pool.close();
    }
  });
});

describe('results sent back from a worker', () => {
  it('do not detach the worker\'s shared empty buffers: later tasks still build and encode string columns without characters', async () => {
    const schema: Schema = [{ name: 'id', type: 'string' }, { name: 'added', type: 'string' }];
    const dir = tempDir('detach');
    // files written before the column `added` existed: read back, its column has no characters
    const names = ['a.parquet', 'b.parquet'];
    for (const n of names) fs.writeFileSync(path.join(dir, n), encodeParquet(batchFromRows([schema[0]], [{ id: n }])));
    const pool = new WorkerPool(2);
    try {
      for (let i = 0; i < 2; i++) {
        expect(batchToRows(await pool.readParquet(path.join(dir, names[0]), schema)), `read ${i + 1}`).toEqual([{ id: names[0], added: null }]);
        const w = await pool.compactFiles(dir, 't', schema, names);
        expect(batchToRows(decodeParquetFile(path.join(dir, w.tmp), schema)), `compaction ${i + 1}`).toEqual(names.map((id) => ({ id, added: null })));
      }
    } finally {
      await pool.close();
    }
  });
});

describe('SIGKILL while a worker parses', () => {
  const fx = generatedFixture('threads-kill', 24, 2000, 'threads');

  it('loses and duplicates nothing', async () => {
    const input = path.join(fx.work, 'in');
    copyInto(fx.pool, input, fx.pool.files);
    const clean = path.join(fx.work, 'clean'), killed = path.join(fx.work, 'killed');
    expect((await runCli(['replay', input, '--output', clean, '--threads', '1', '--max-files-per-trigger', '3'])).code).toBe(0);
    const child = startCli(['replay', input, '--output', killed, '--threads', '2', '--max-files-per-trigger', '3']);
    // kill once a batch has committed (files are then being parsed on the worker for the next one)
    await waitFor('a committed batch', () => listFiles(path.join(killed, '_checkpoints')).some((f) => f.endsWith(`commits${path.sep}0.json`)), 60_000, 20);
    child.child.kill('SIGKILL');
    await child.exited;
    const r = await runCli(['replay', input, '--output', killed, '--threads', '2', '--max-files-per-trigger', '3']);
    expect(r.code, r.stderr).toBe(0);
    for (const t of tableNames(clean)) {
      multisetEqual(await readTableViaLog(fx.duck, killed, t), await readTableViaLog(fx.duck, clean, t), { ignore: ['_ingested_at'] });
    }
  });
});

describe('compaction and read-back on the worker', () => {
  const fx = generatedFixture('threads-maint', 12, 1500, 'threads-maint');

  /** One file per batch, every small file compacted in pairs between batches, and append views reading their input back from the new files. */
  async function run(input: string, output: string, threads: number): Promise<void> {
    const { service } = await PipelineService.open({
      pipeline: patientPipeline, input, output, threads, maxFilesPerTrigger: 1, appendKeepRows: 100,
      autoCompact: { minFileBytes: 1 << 30, mergeFactor: 2 }, maintenanceBudgetMs: 600_000,
    });
    await service.runAvailableNow();
    await service.close('COMPLETED');
  }

  const optimizeCommits = (out: string, table: string) => fs.readdirSync(path.join(out, 'tables', table, '_delta_log'))
    .filter((f) => f.endsWith('.json'))
    .filter((f) => fs.readFileSync(path.join(out, 'tables', table, '_delta_log', f), 'utf8').includes('"operation":"OPTIMIZE"')).length;

  it('give the tables of the one-thread path', async () => {
    const input = path.join(fx.work, 'in');
    copyInto(fx.pool, input, fx.pool.files);
    const one = path.join(fx.work, 'one'), two = path.join(fx.work, 'two');
    await run(input, one, 1);
    await run(input, two, 2);
    // compaction ran (on the worker with two threads) and the append view took the read-back path
    expect(optimizeCommits(two, 'patients_silver')).toBeGreaterThan(0);
    expect(optimizeCommits(two, 'patients_silver')).toBe(optimizeCommits(one, 'patients_silver'));
    const tables = tableNames(one);
    expect(tableNames(two)).toEqual(tables);
    let rows = 0;
    for (const t of tables) {
      const a = await readTableViaLog(fx.duck, one, t);
      rows += a.length;
      multisetEqual(await readTableViaLog(fx.duck, two, t), a, { ignore: ['_ingested_at'] });
    }
    expect(rows).toBeGreaterThan(12 * 1500);
  });
});
