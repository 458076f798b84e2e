/**
 * A short soak (src/soak.ts): 720 two-minute micro-batches (a simulated day,
 * from 20:00 UTC) of a 20-row patient file and a vitals file each, run as
 * watch mode runs them (a batch, then a maintenance slot), with a clock
 * advancing two minutes per batch, a 12-hour log and event retention (the
 * cut-off passes midnight: expiry happens), and two restarts.
 * It asserts the bounds a long-running pipeline must keep, never timings
 * (`npm run bench -- --soak` measures those, over a month):
 *
 * - no data table holds more than 64 data files, and the folder holds exactly
 *   the files its log lists;
 * - each `_delta_log` holds no commit older than the retention allows, a
 *   checkpoint for its oldest version, and at most the files of the retention;
 * - offsets and commits: the last 100 batches; state: at most 100 change logs
 *   after a snapshot per operator;
 * - the event log: nothing older than the retention (by the day) but the
 *   running update's definitions, at most 64 files;
 * - every table equals a one-shot replay of the same files (in memory: no
 *   Delta log, checkpoint or compaction there).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  STEP_MS, checkpointsOnDisk, compareOutputs, duckConnection, oneShotInMemory, runSoak, soakPool, tablesByLayer, tablesOnDisk, soakPipeline,
  type SoakRun,
} from '../src/soak.js';
import { listLog, commitTimestamp } from '../engine/sinks/delta-log.js';
import { readEventLog } from '../engine/index.js';
import { readEventSummary } from '../engine/events/summary.js';
import { eventLogDir } from '../engine/events/schema.js';
import { tempDir } from './helpers/cli.js';

const BATCHES = 720;
const RETENTION = '12 hours';
const RETENTION_MS = 12 * 3_600_000;
const DAY = 86_400_000;

let work: string;
let output: string;
let run: SoakRun;
let pool: Awaited<ReturnType<typeof soakPool>>;
const startMs = Date.UTC(2026, 4, 1, 20);

beforeAll(async () => {
  work = tempDir('soak');
  pool = await soakPool(path.join(work, 'pool'), BATCHES);
  output = path.join(work, 'out');
  run = await runSoak({ pool, input: path.join(work, 'in'), output, batches: BATCHES, retention: RETENTION, startMs, restartAfter: [240, 480] });
}, 900_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true, maxRetries: 5 });
}, 120_000);

describe(`a soak of ${BATCHES} two-minute batches`, () => {
  it('ran every batch, compacting as it went', () => {
    expect(run.failures).toBe(0);
    expect(run.batchMs).toHaveLength(BATCHES);
    expect(run.compactions).toBeGreaterThan(BATCHES / 20);
    expect(run.clockEndMs).toBe(startMs + BATCHES * STEP_MS);
  });

  it('no table holds more than 64 data files, and each folder holds exactly the files its log lists', () => {
    const tables = tablesOnDisk(output);
    expect(tables.length).toBe([...tablesByLayer(soakPipeline(RETENTION)).values()].flat().length + 1);
    for (const t of tables) {
      expect(t.files, t.table).toBeLessThanOrEqual(64);
      expect(t.parquetOnDisk, `${t.table}: Parquet files in the folder vs. the log`).toBe(t.files);
    }
    // the tables that grew every batch were compacted: far fewer files than commits
    for (const name of ['patients_bronze', 'vitals_bronze', 'vitals_silver']) expect(tables.find((t) => t.table === name)!.files, name).toBeLessThan(30);
  });

  it('each _delta_log keeps the retention and no more: a checkpoint for its oldest version, no older commit', () => {
    const now = run.clockEndMs;
    for (const t of tablesOnDisk(output)) {
      const dir = t.table === 'system.events' ? eventLogDir(output) : path.join(output, 'tables', t.table);
      const logDir = path.join(dir, '_delta_log');
      const { commits, checkpoints } = listLog(logDir);
      if (commits.length < 20) continue; // a table that hardly commits keeps its whole log
      const oldest = commits[0];
      // a checkpoint at the oldest version kept (or none was due to be deleted yet: the log starts at 0)
      if (oldest > 0) expect(checkpoints[0], t.table).toBe(oldest);
      // nothing kept is older than midnight UTC of (now - retention) minus the checkpoint interval's spread
      const cutoff = Math.floor((now - RETENTION_MS) / DAY) * DAY;
      const ts = commitTimestamp(logDir, oldest)!;
      if (oldest > 0) expect(ts, t.table).toBeLessThanOrEqual(cutoff);
      const next = checkpoints.find((c) => c > oldest);
      if (oldest > 0 && next !== undefined) expect(commitTimestamp(logDir, next)!, t.table).toBeGreaterThan(cutoff - DAY);
      // at most two commits a batch (a batch and its closing batch) over retention + a day, plus checkpoints
      const bound = Math.ceil(2 * ((RETENTION_MS + DAY) / STEP_MS) * 1.1) + 3;
      expect(t.logFiles, t.table).toBeLessThanOrEqual(bound);
    }
    // the busiest tables did expire commits
    expect(listLog(path.join(output, 'tables', 'patients_bronze', '_delta_log')).commits[0]).toBeGreaterThan(0);
  });

  it('offsets and commits: the last 100 batches; state: at most 100 change logs after a snapshot', () => {
    for (const c of checkpointsOnDisk(output)) {
      expect(c.offsets, c.flow).toBeLessThanOrEqual(110);
      expect(c.commits, c.flow).toBeLessThanOrEqual(110);
      expect(c.offsets, c.flow).toBeGreaterThanOrEqual(100);
      const state = path.join(output, '_checkpoints', c.flow, 'state');
      if (!fs.existsSync(state)) continue;
      const deltas = new Map<string, number>();
      for (const n of fs.readdirSync(state)) {
        const m = /^\d+\.(.+)\.delta$/.exec(n);
        if (m) deltas.set(m[1], (deltas.get(m[1]) ?? 0) + 1);
      }
      for (const [op, n] of deltas) expect(n, `${c.flow} ${op}`).toBeLessThanOrEqual(2 * 100);
    }
  });

  it('the event log keeps the retention, by the day, and the running update\'s definitions; at most 64 files', async () => {
    const events = await readEventLog(output);
    const day = Math.floor((run.clockEndMs - RETENTION_MS) / DAY) * DAY;
    const old = events.filter((e) => e.timestamp / 1000 < day);
    const last = readEventSummary(output).lastUpdate!.id;
    for (const e of old) {
      expect(e.origin.update_id).toBe(last);
      expect(e.event_type).not.toBe('flow_progress');
    }
    expect(events.filter((e) => e.event_type === 'flow_progress').length).toBeGreaterThan(0);
    expect(tablesOnDisk(output).find((t) => t.table === 'system.events')!.files).toBeLessThanOrEqual(64);
  });

  it('every table equals a one-shot replay of the same files (ignoring _ingested_at)', async () => {
    const oneOut = path.join(work, 'oneshot-out');
    await oneShotInMemory(pool, BATCHES, path.join(work, 'oneshot-in'), oneOut, RETENTION);
    const duck = await duckConnection();
    try {
      const tables = [...tablesByLayer(soakPipeline(RETENTION)).values()].flat();
      const cmp = await compareOutputs(duck.conn, output, oneOut, tables);
      for (const c of cmp) {
        expect(c.rowsA, c.table).toBe(c.rowsB);
        expect([c.onlyInA, c.onlyInB], c.table).toEqual([0, 0]);
      }
      expect(cmp.find((c) => c.table === 'patients_bronze')!.rowsA).toBe(BATCHES * 20);
    } finally {
      duck.close();
    }
  }, 600_000);
});
