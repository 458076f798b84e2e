/**
 * Watch mode, through the CLI as a child process (`node dist/run.js run`):
 *
 * - a file dropped into the input folder (written under a temporary name, then
 *   renamed into place) is processed and its rows reach gold; SIGTERM then
 *   stops the process with exit code 0;
 * - a processed file whose content changes is reported as `file_changed` and
 *   not ingested again;
 * - a restart picks up the files added while it was stopped, and only those;
 * - a file written slowly, in chunks, in place, is read only once complete.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { batchesIn, offsetsDir, readOffsetsRecord } from './helpers/batch-log.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Duck } from './helpers/duck.js';
import {
  ensureBuilt, generatePool, liveFiles, logLines, readTableViaLog, startCli, tablesDir, tempDir, waitFor, type LiveChild, type Pool,
} from './helpers/cli.js';

// child processes on a possibly loaded machine
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

let duck: Duck;
let pool: Pool;
let work: string;
const children: LiveChild[] = [];

beforeAll(async () => {
  ensureBuilt();
  duck = await Duck.open();
  work = tempDir('watch');
  pool = await generatePool({ files: 4, rows: 60, seed: 'watch', scenarios: ['dirty'] });
}, 60_000);

afterEach(async () => {
  // a failed test must not leave a watcher running
  for (const c of children.splice(0)) {
    if (c.child.exitCode === null && c.child.signalCode === null) { c.child.kill('SIGKILL'); await c.exited; }
  }
});

afterAll(() => {
  duck?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true, maxRetries: 5 });
  if (pool) fs.rmSync(pool.dir, { recursive: true, force: true, maxRetries: 5 });
}, 30_000);

function start(input: string, output: string, stability: string, env?: Record<string, string>): LiveChild {
  const c = startCli(['run', '--input', input, '--output', output, '--stability', stability], { env });
  children.push(c);
  return c;
}

/** Rows of a table through its log, or undefined while a file vanishes under us (a concurrent refresh). */
async function rowsNow(out: string, table: string) {
  try { return await readTableViaLog(duck, out, table); } catch { return undefined; }
}

/** Writes a file under a hidden temporary name, then renames it into place (as the generator does). */
function dropByRename(from: string, dir: string): void {
  const name = path.basename(from);
  const tmp = path.join(dir, `.${name}.tmp`);
  fs.copyFileSync(from, tmp);
  fs.renameSync(tmp, path.join(dir, name));
}

const batchLines = (stderr: string) => stderr.split('\n').filter((l) => /^batch \d+: /.test(l));

async function stop(c: LiveChild): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  c.child.kill('SIGTERM');
  return c.exited;
}

describe('run (watch mode)', () => {
  const files = () => pool.files;
  let input: string;
  let output: string;

  it('processes a file dropped by rename into gold, reports a changed file without re-ingesting it, and exits 0 on SIGTERM', async () => {
    input = path.join(work, 'in');
    output = path.join(work, 'out');
    fs.mkdirSync(input, { recursive: true });
    const c = start(input, output, '200ms');
    await waitFor('the watcher to start', () => logLines(c.stderr()).some((l) => l.msg === 'watching for new files (Ctrl-C to stop)'), 30_000);

    const f0 = files()[0];
    const dropped = Date.now();
    dropByRename(path.join(pool.dir, f0), input);
    const silver0 = pool.counts.get(f0)!.silver_rows!;
    expect(silver0).toBeGreaterThan(0);
    // gold: patients per gender add up to the file's silver rows
    await waitFor(`gold rows of ${f0}`, async () => {
      const gold = await rowsNow(output, 'patient_stats_by_gender');
      return gold !== undefined && gold.reduce((s, r) => s + (r.patient_count as number), 0) === silver0;
    }, 30_000, 50);
    const latencyMs = Date.now() - dropped;
    expect(latencyMs).toBeLessThan(30_000);
    expect((await readTableViaLog(duck, output, 'patients_bronze')).length).toBe(pool.records.get(f0));
    // the batch line is printed once the batch's checkpoint is complete, after the table commits
    await waitFor('the batch line', () => batchLines(c.stderr()).length > 0);
    expect(batchLines(c.stderr())).toHaveLength(1);

    // the processed file changes: reported, not re-ingested
    const bronzeVersion = liveFiles(path.join(tablesDir(output), 'patients_bronze')).version;
    fs.appendFileSync(path.join(input, f0), 'P999999999999,Late Addition,40,M,1 Main St,555-0100,2024-01-01,D001\n');
    const changed = await waitFor('file_changed', () => logLines(c.stderr()).find((l) => l.event === 'file_changed'), 15_000);
    expect(changed.file).toBe(f0);
    expect(changed.level).toBe(40); // warn
    await new Promise((r) => setTimeout(r, 1500)); // a periodic listing (1 s) has run since
    expect(liveFiles(path.join(tablesDir(output), 'patients_bronze')).version).toBe(bronzeVersion);
    expect((await readTableViaLog(duck, output, 'patients_bronze')).length).toBe(pool.records.get(f0));
    // the batch line is printed once the batch's checkpoint is complete, after the table commits
    await waitFor('the batch line', () => batchLines(c.stderr()).length > 0);
    expect(batchLines(c.stderr())).toHaveLength(1);
    // reported once
    expect(logLines(c.stderr()).filter((l) => l.event === 'file_changed')).toHaveLength(1);

    const exit = await stop(c);
    expect(exit, c.stderr()).toEqual({ code: 0, signal: null });
    expect(logLines(c.stderr()).some((l) => l.msg === 'stopped')).toBe(true);
  }, 90_000);

  it('a restart picks up the files added while it was stopped, and only those', async () => {
    expect(input, 'needs the previous test').toBeDefined();
    const [, f1, f2] = files();
    fs.copyFileSync(path.join(pool.dir, f1), path.join(input, f1));
    fs.copyFileSync(path.join(pool.dir, f2), path.join(input, f2));
    const c = start(input, output, '200ms');
    const started = await waitFor('the watcher to start', () => logLines(c.stderr()).find((l) => l.msg === 'watching for new files (Ctrl-C to stop)'), 30_000);
    expect(started.skipped_files).toBe(1);
    const expected = [files()[0], f1, f2].reduce((s, f) => s + pool.records.get(f)!, 0);
    const silver = [files()[0], f1, f2].reduce((s, f) => s + pool.counts.get(f)!.silver_rows!, 0);
    await waitFor('silver rows of the three files', async () => (await rowsNow(output, 'patients_silver'))?.length === silver, 30_000);
    await waitFor('gold of the three files', async () => {
      const gold = await rowsNow(output, 'patient_stats_by_gender');
      return gold !== undefined && gold.reduce((s, r) => s + (r.patient_count as number), 0) === silver;
    }, 30_000);
    const bronze = await readTableViaLog(duck, output, 'patients_bronze');
    expect(bronze).toHaveLength(expected);
    expect(new Set(bronze.map((r) => `${r._source_file}\u0000${r._line}`)).size).toBe(expected);
    // the changed file is still not re-ingested (its indexed rows only)
    expect(bronze.filter((r) => r._source_file === files()[0])).toHaveLength(pool.records.get(files()[0])!);
    const exit = await stop(c);
    expect(exit, c.stderr()).toEqual({ code: 0, signal: null });
  }, 90_000);

  it('reads a file written slowly in place only once it is complete', async () => {
    const dir = path.join(work, 'slow');
    const inp = path.join(dir, 'in');
    const out = path.join(dir, 'out');
    fs.mkdirSync(inp, { recursive: true });
    // T = 1 s against writes 150 ms apart: a margin for a loaded machine (the property holds for any T above the gaps)
    const T = 1000;
    const c = start(inp, out, `${T}ms`);
    await waitFor('the watcher to start', () => logLines(c.stderr()).some((l) => l.msg === 'watching for new files (Ctrl-C to stop)'), 30_000);

    const f = files()[3];
    const bytes = fs.readFileSync(path.join(pool.dir, f));
    const target = path.join(inp, f);
    // 5 chunks cut at arbitrary byte offsets (mid-line), 150 ms apart, written in place
    const cuts = [0, 0.13, 0.41, 0.58, 0.86, 1].map((x) => Math.floor(x * bytes.length));
    const gaps: number[] = [];
    let last = Date.now();
    for (let i = 0; i < 5; i++) {
      if (i > 0) {
        await new Promise((r) => setTimeout(r, 150));
        gaps.push(Date.now() - last);
        last = Date.now();
      }
      fs.appendFileSync(target, bytes.subarray(cuts[i], cuts[i + 1]));
      // nothing of the file may be committed while it is being written
      expect(batchLines(c.stderr()), `chunk ${i}`).toHaveLength(0);
    }
    expect(Math.max(...gaps), 'the writer itself paused longer than T; the test cannot tell').toBeLessThan(T);

    await waitFor('the complete file in bronze', async () => (await rowsNow(out, 'patients_bronze'))?.length === pool.records.get(f), 30_000);
    const bronze = await readTableViaLog(duck, out, 'patients_bronze');
    expect(bronze).toHaveLength(pool.records.get(f)!);
    expect(new Set(bronze.map((r) => r._line)).size).toBe(pool.records.get(f));
    // one batch, with the whole file (its size as indexed equals the final size)
    await waitFor('the batch line', () => batchLines(c.stderr()).length > 0);
    expect(batchLines(c.stderr())).toHaveLength(1);
    const listed = batchesIn(offsetsDir(out)).flatMap((b) => Object.values(readOffsetsRecord(out, b)!.flows.patients_bronze?.files ?? {}).flat());
    expect(listed).toEqual([expect.objectContaining({ name: f, size: bytes.length })]);
    expect(logLines(c.stderr()).filter((l) => l.event === 'file_changed')).toEqual([]);
    const exit = await stop(c);
    expect(exit, c.stderr()).toEqual({ code: 0, signal: null });
  }, 90_000);

  it('killed with SIGKILL in the middle of a batch, resumes it on the next start: nothing lost, nothing twice', async () => {
    const dir = path.join(work, 'kill');
    const inp = path.join(dir, 'in');
    const out = path.join(dir, 'out');
    fs.mkdirSync(inp, { recursive: true });
    const [f0, f1, f2] = files();
    // dies after the first table commit of its second batch
    const c = start(inp, out, '200ms', { LOCALDLT_CRASH_AT: 'after-table-commit@1' });
    await waitFor('the watcher to start', () => logLines(c.stderr()).some((l) => l.msg === 'watching for new files (Ctrl-C to stop)'), 30_000);
    dropByRename(path.join(pool.dir, f0), inp);
    await waitFor('the first batch', () => batchLines(c.stderr()).length === 1, 30_000);
    dropByRename(path.join(pool.dir, f1), inp);
    const exit = await c.exited;
    expect(exit.signal, c.stderr()).toBe('SIGKILL');

    dropByRename(path.join(pool.dir, f2), inp);
    const again = start(inp, out, '200ms');
    const silver = [f0, f1, f2].reduce((s, f) => s + pool.counts.get(f)!.silver_rows!, 0);
    await waitFor('silver of the three files', async () => (await rowsNow(out, 'patients_silver'))?.length === silver, 30_000);
    await waitFor('gold of the three files', async () => {
      const gold = await rowsNow(out, 'patient_stats_by_gender');
      return gold !== undefined && gold.reduce((s, r) => s + (r.patient_count as number), 0) === silver;
    }, 30_000);
    expect(logLines(again.stderr()).find((l) => l.msg === 're-running a batch that did not commit')?.batch).toBe(1);
    const records = [f0, f1, f2].reduce((s, f) => s + pool.records.get(f)!, 0);
    const bronze = await readTableViaLog(duck, out, 'patients_bronze');
    expect(bronze).toHaveLength(records);
    expect(new Set(bronze.map((r) => `${r._source_file}\u0000${r._line}`)).size).toBe(records);
    expect(await stop(again), again.stderr()).toEqual({ code: 0, signal: null });
  });

  it('SIGTERM while a batch may be running exits 0; the batch is either whole or re-run on the next start', async () => {
    const dir = path.join(work, 'term');
    const inp = path.join(dir, 'in');
    const out = path.join(dir, 'out');
    fs.mkdirSync(inp, { recursive: true });
    const big = await generatePool({ files: 1, rows: 20_000, seed: 'big' });
    try {
      const [f] = big.files;
      const c = start(inp, out, '200ms');
      await waitFor('the watcher to start', () => logLines(c.stderr()).some((l) => l.msg === 'watching for new files (Ctrl-C to stop)'), 30_000);
      dropByRename(path.join(big.dir, f), inp);
      await new Promise((r) => setTimeout(r, 400)); // about when the file becomes ready
      const exit = await stop(c);
      expect(exit, c.stderr()).toEqual({ code: 0, signal: null });
      const n = (await readTableViaLog(duck, out, 'patients_bronze')).length;
      expect([0, big.records.get(f)]).toContain(n);

      const again = start(inp, out, '200ms');
      // (a SIGTERM before the signal handlers are installed would kill it: see the report)
      await waitFor('the watcher to start', () => logLines(again.stderr()).some((l) => l.msg === 'watching for new files (Ctrl-C to stop)'), 30_000);
      await waitFor('every record of the file', async () => (await rowsNow(out, 'patients_bronze'))?.length === big.records.get(f), 60_000);
      await waitFor('silver', async () => (await rowsNow(out, 'patients_silver'))?.length === big.totals.patients.silver_rows, 60_000);
      expect(await stop(again), again.stderr()).toEqual({ code: 0, signal: null });
      const bronze = await readTableViaLog(duck, out, 'patients_bronze');
      expect(new Set(bronze.map((r) => r._line)).size).toBe(big.records.get(f));
    } finally {
      fs.rmSync(big.dir, { recursive: true, force: true });
    }
  });
});
