/**
 * A checkpoint written in format 4 (a batch log per flow: `<flow>/offsets`,
 * `<flow>/commits`, `<flow>/state/<N>.json`) is converted on open to format 5
 * (one offsets and one commit record per batch) and goes on as if it had never
 * been converted.
 *
 * The fixture (test/fixtures/checkpoint-format4, the output folder in `written/`) was written by the engine
 * before the change: `pipeline.mjs` replayed over `input/` with
 * `--max-files-per-trigger 1`, killed with SIGKILL at `before-commit-marker@2`,
 * so batches 0 and 1 committed and batch 2 (whose flows saved their state)
 * did not. Each run here resumes batch 2, then takes `later/`, and every table
 * must equal a clean run of today's engine over the same files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Duck, multisetEqual, type PlainRow } from './helpers/duck.js';
import { ENGINE_JS, ensureBuilt, logLines, readTableViaLog, runCli, tableNames, tempDir } from './helpers/cli.js';
import { batchesIn, commitsDir, offsetsDir, readOffsetsRecord } from './helpers/batch-log.js';
import { CHECKPOINT_FORMAT } from '../engine/state/checkpoint.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

const FIXTURE = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'checkpoint-format4');
const FLOWS = ['events', 'unique_events', 'per_window', 'totals'];

let duck: Duck;
let work: string;
let pipeline: string;
const cleanRows = new Map<string, PlainRow[]>();

/** An input folder holding the fixture's first files, and `later/` too when asked. */
function inputFolder(name: string, later: boolean): string {
  const dir = path.join(work, name);
  fs.cpSync(path.join(FIXTURE, 'input'), dir, { recursive: true });
  if (later) fs.cpSync(path.join(FIXTURE, 'later'), dir, { recursive: true });
  return dir;
}

const replay = (input: string, output: string, env?: Record<string, string>) =>
  runCli(['replay', input, '--pipeline', pipeline, '--output', output, '--max-files-per-trigger', '1'], { env });

/** The fixture's format-4 output, bound to `input` (the metadata names the input folder it was made for). */
function format4Output(name: string, input: string): string {
  const out = path.join(work, name);
  fs.cpSync(path.join(FIXTURE, 'written'), out, { recursive: true });
  const metaFile = path.join(out, '_checkpoints', 'metadata.json');
  const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as { format: number; input: string };
  expect(meta.format).toBe(4);
  fs.writeFileSync(metaFile, JSON.stringify({ ...meta, input }, null, 2) + '\n');
  return out;
}

async function expectEqualsClean(out: string, label: string): Promise<void> {
  expect(tableNames(out)).toEqual([...cleanRows.keys()]);
  for (const [t, rows] of cleanRows) multisetEqual(await readTableViaLog(duck, out, t), rows, { ignore: ['_ingested_at'], label: `${label}: ${t}` });
}

beforeAll(async () => {
  ensureBuilt();
  duck = await Duck.open();
  work = tempDir('migration');
  pipeline = path.join(work, 'pipeline.mjs');
  fs.writeFileSync(pipeline, fs.readFileSync(path.join(FIXTURE, 'pipeline.mjs'), 'utf8').replace("'ENGINE'", JSON.stringify(pathToFileURL(ENGINE_JS).href)));
  // today's engine, same files, same batch boundaries: the first files, then the later ones
  const input = inputFolder('clean-in', false);
  const clean = path.join(work, 'clean');
  expect((await replay(input, clean)).code).toBe(0);
  fs.cpSync(path.join(FIXTURE, 'later'), input, { recursive: true });
  expect((await replay(input, clean)).code).toBe(0);
  for (const t of tableNames(clean)) cleanRows.set(t, await readTableViaLog(duck, clean, t));
  expect(cleanRows.get('per_window')!.length).toBeGreaterThan(0);
}, 120_000);

afterAll(() => {
  duck?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true, maxRetries: 5 });
});

describe('a format-4 checkpoint', () => {
  it('is converted on open: the interrupted batch is re-run from the converted log, and the pipeline goes on as a clean run', async () => {
    const input = inputFolder('in', false);
    const out = format4Output('out', input);
    const first = await replay(input, out);
    expect(first.code, first.stderr).toBe(0);
    const logs = logLines(first.stderr);
    expect(logs.some((l) => l.msg === 'checkpoint converted to one batch log for the pipeline'), first.stderr).toBe(true);
    expect(logs.find((l) => l.msg === 'resuming an interrupted batch')?.batch, first.stderr).toBe(2);

    const cp = path.join(out, '_checkpoints');
    expect(JSON.parse(fs.readFileSync(path.join(cp, 'metadata.json'), 'utf8')).format).toBe(CHECKPOINT_FORMAT);
    // the per-flow logs are gone; binary state stays where it was
    for (const f of FLOWS) {
      expect(fs.existsSync(path.join(cp, f, 'offsets')), f).toBe(false);
      expect(fs.existsSync(path.join(cp, f, 'commits')), f).toBe(false);
      const state = path.join(cp, f, 'state');
      if (fs.existsSync(state)) expect(fs.readdirSync(state).filter((n) => n.endsWith('.json')), f).toEqual([]);
    }
    // batches 0 and 1 came from the old log, each flow in each; their files are the ones the old log named
    const committed = batchesIn(commitsDir(out));
    expect(committed.slice(0, 3)).toEqual([0, 1, 2]);
    for (const b of [0, 1, 2]) {
      const o = readOffsetsRecord(out, b)!;
      expect(Object.keys(o.flows).sort(), `batch ${b}`).toEqual([...FLOWS].sort());
      expect(Object.values(o.flows.events.files ?? {}).flat().map((f) => f.name), `batch ${b}`).toEqual([`events_00${b}.csv`]);
    }
    expect(batchesIn(offsetsDir(out))).toEqual(committed);

    fs.cpSync(path.join(FIXTURE, 'later'), input, { recursive: true });
    const second = await replay(input, out);
    expect(second.code, second.stderr).toBe(0);
    expect(logLines(second.stderr).some((l) => l.msg === 'checkpoint converted to one batch log for the pipeline')).toBe(false);
    await expectEqualsClean(out, 'converted');
  });

  it('killed in the middle of the conversion (the new records and metadata written, the old files not yet removed): the next start goes on', async () => {
    const input = inputFolder('in-crash', false);
    const out = format4Output('out-crash', input);
    const crashed = await replay(input, out, { LOCALDLT_CRASH_AT: 'mid-migration' });
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    // the metadata says format 5 already: the records are complete
    expect(JSON.parse(fs.readFileSync(path.join(out, '_checkpoints', 'metadata.json'), 'utf8')).format).toBe(CHECKPOINT_FORMAT);
    const again = await replay(input, out);
    expect(again.code, again.stderr).toBe(0);
    expect(logLines(again.stderr).find((l) => l.msg === 'resuming an interrupted batch')?.batch, again.stderr).toBe(2);
    fs.cpSync(path.join(FIXTURE, 'later'), input, { recursive: true });
    expect((await replay(input, out)).code).toBe(0);
    await expectEqualsClean(out, 'crash during conversion');
  });
});
