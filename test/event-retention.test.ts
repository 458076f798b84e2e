/**
 * The event log over time (engine/events/event-log.ts, summary.ts):
 *
 * - its running summary (what `status` reads: expectation totals since each
 *   table's last full refresh, last status and watermark, the last update, the
 *   definitions) equals a fold of the whole log, whether read from the summary
 *   file, from a summary one or more commits behind plus the commits after it,
 *   or rebuilt from the log when the file is missing; across updates, a failed
 *   batch, a full refresh and a restart;
 * - with a clock, events older than the retention are deleted (a day at a
 *   time), except the running update's definitions; the summary keeps the
 *   totals of every batch; `control_plane_seq_no` keeps growing across expiry
 *   and restarts; compaction never puts two days in one file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { col, definePipeline, EventLog, readCsv, readEventLog, stream, streamingTable, type PipelineEvent } from '../engine/index.js';
import { PipelineService } from '../engine/runtime/service.js';
import { ManualClock } from '../engine/runtime/clock.js';
import { readEventSummary, readSummaryFile, summarize, summaryFile, type EventSummary } from '../engine/events/summary.js';
import { eventLogDir } from '../engine/events/schema.js';
import { readDeltaLog } from '../engine/sinks/delta-log.js';
import { patientPipeline } from '../layers/pipeline.js';
import { copyInto, generatePool, tempDir, type Pool } from './helpers/cli.js';

const HOUR = 3_600_000, DAY = 86_400_000;

let work: string;
let pool: Pool;

beforeAll(async () => {
  work = tempDir('event-retention');
  pool = await generatePool({ files: 30, rows: 5, seed: 'event-retention', scenarios: ['dirty'] });
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
  if (pool) fs.rmSync(pool.dir, { recursive: true, force: true });
});

/** The parts of a summary that do not depend on how it was computed. */
function facts(s: EventSummary) {
  return {
    version: s.version, seq: s.seq, kinds: s.kinds, datasets: s.datasets, lastUpdate: s.lastUpdate,
    definitions: s.definitions.map((e: PipelineEvent) => e.id), lastCreate: s.lastCreate?.id ?? null,
  };
}

async function fullFold(output: string): Promise<ReturnType<typeof facts>> {
  return facts(summarize(await readEventLog(output), readDeltaLog(eventLogDir(output)).version));
}

describe('the event summary', () => {
  it('equals a fold of the whole log: from its file, from a stale file and the commits after it, or rebuilt', async () => {
    const input = path.join(work, 'summary-in');
    const output = path.join(work, 'summary-out');
    fs.mkdirSync(input, { recursive: true });
    const names = pool.files.filter((n) => n.startsWith('patients_'));
    const run = async (opts: { fullRefresh?: string[]; pipeline?: typeof patientPipeline } = {}) => {
      const { service } = await PipelineService.open({ pipeline: opts.pipeline ?? patientPipeline, input, output, maxFilesPerTrigger: 1, fullRefresh: opts.fullRefresh, events: new EventLog(output) });
      const rs = await service.runAvailableNow();
      const failure = rs.find((r) => r.failure)?.failure;
      await service.close(failure ? 'FAILED' : 'COMPLETED', failure);
    };
    copyInto(pool, input, names.slice(0, 4));
    await run();
    const stale = fs.readFileSync(summaryFile(output), 'utf8');
    const staleVersion = readSummaryFile(output)!.version;
    copyInto(pool, input, names.slice(4, 8));
    await run();
    expect(facts(readEventSummary(output))).toEqual(await fullFold(output));
    // the file as it was several commits ago: it is read with the commits after it
    const current = fs.readFileSync(summaryFile(output), 'utf8');
    fs.writeFileSync(summaryFile(output), stale);
    expect(readEventSummary(output).version).toBeGreaterThan(staleVersion);
    expect(facts(readEventSummary(output))).toEqual(await fullFold(output));
    // no file: the whole log
    fs.rmSync(summaryFile(output));
    expect(facts(readEventSummary(output))).toEqual(await fullFold(output));
    fs.writeFileSync(summaryFile(output), current);
    // a full refresh of silver (its totals start over), more files, and the summary still matches
    copyInto(pool, input, names.slice(8, 12));
    await run({ fullRefresh: ['patients_silver'] });
    const s = readEventSummary(output);
    expect(facts(s)).toEqual(await fullFold(output));
    expect(s.lastUpdate!.state).toBe('COMPLETED');
    expect(s.kinds.patient_stats_by_gender).toBe('MATERIALIZED_VIEW');
    expect(s.definitions.filter((e: PipelineEvent) => e.event_type === 'dataset_definition').map((e: PipelineEvent) => e.origin.dataset_name)).toContain('patients_silver');
  });

  it('after a failed batch (expect_or_fail) and its re-run', async () => {
    const input = path.join(work, 'fail-in');
    const output = path.join(work, 'fail-out');
    fs.mkdirSync(input, { recursive: true });
    fs.writeFileSync(path.join(input, 'f_1.csv'), 'id,v\n1,10\n2,20\n');
    fs.writeFileSync(path.join(input, 'f_2.csv'), 'id,v\n3,30\n4,500\n');
    const make = (limit: number) => {
      const src = streamingTable('src', { query: readCsv({ glob: 'f_*.csv', schema: { id: 'int', v: 'int' } }) });
      const checked = streamingTable('checked', { query: stream(src).select('id', 'v'), expectOrFail: { small_v: col('v').lt(limit) } });
      return definePipeline([src, checked], { name: 'failing' });
    };
    for (const limit of [100, 1000]) {
      const { service } = await PipelineService.open({ pipeline: make(limit), input, output, maxFilesPerTrigger: 1, events: new EventLog(output) });
      const rs = await service.runAvailableNow();
      const failure = rs.find((r) => r.failure)?.failure;
      await service.close(failure ? 'FAILED' : 'COMPLETED', failure);
      const s = readEventSummary(output);
      expect(facts(s)).toEqual(await fullFold(output));
      expect(s.lastUpdate!.state).toBe(limit === 100 ? 'FAILED' : 'COMPLETED');
    }
    expect(readEventSummary(output).datasets.checked.expectations.small_v).toEqual({ passed: 4, failed: 0 });
  });
});

describe('event retention', () => {
  it('deletes events older than the retention, keeps the running update\'s definitions, and the summary keeps every batch', async () => {
    const input = path.join(work, 'retention-in');
    const output = path.join(work, 'retention-out');
    fs.mkdirSync(input, { recursive: true });
    const names = pool.files.filter((n) => n.startsWith('patients_'));
    const clock = new ManualClock(Date.UTC(2026, 2, 1, 6));
    const passed = new Map<string, number>();
    const batchTimes: number[] = [];
    let updates = 0;
    const run = async (files: string[]) => {
      updates++;
      const events = new EventLog(output, { now: clock.now, retentionMs: DAY });
      const { service } = await PipelineService.open({ pipeline: patientPipeline, input, output, now: clock.now, events });
      for (const f of files) {
        copyInto(pool, input, [f]);
        clock.advance(3 * HOUR);
        batchTimes.push(clock.now());
        const plan = service.runner.planBatch();
        const rs = await service.runPlanned(plan!);
        for (const r of rs) for (const x of r.flows.get('patients_clean')?.expectations ?? []) passed.set(x.name, (passed.get(x.name) ?? 0) + x.passed_records);
        await service.maintain();
      }
      await service.close('COMPLETED');
      return service.updateId;
    };
    await run(names.slice(0, 12));
    const last = await run(names.slice(12, 24));
    // 24 batches, 3 hours apart: 3 days
    const all = await readEventLog(output);
    const cutoff = clock.now() - DAY;
    // expiry drops whole files, a UTC day each: what is older than the cut-off's day is gone
    const day = Math.floor(cutoff / DAY) * DAY;
    const old = all.filter((e) => e.timestamp / 1000 < day);
    // … except the running update's definitions and lifecycle
    expect(old.length).toBeGreaterThan(0);
    for (const e of old) {
      expect(e.origin.update_id, e.event_type).toBe(last);
      expect(e.event_type).not.toBe('flow_progress');
    }
    expect(old.map((e) => e.event_type)).toContain('create_update');
    expect(old.map((e) => e.event_type)).toContain('dataset_definition');
    // the events within the retention are all there: one flow_progress of patients_bronze per batch
    const recent = all.filter((e) => e.event_type === 'flow_progress' && e.origin.flow_name === 'patients_bronze' && e.timestamp / 1000 >= cutoff);
    expect(recent.length).toBe(batchTimes.filter((t) => t >= cutoff).length);
    expect(all.filter((e) => e.event_type === 'flow_progress' && e.origin.flow_name === 'patients_bronze').length).toBe(batchTimes.filter((t) => t >= day).length);
    // the summary counts every batch since the start, not only those still in the log
    const s = readEventSummary(output);
    expect(s.datasets.patients_clean.expectations.valid_age.passed).toBe(passed.get('valid_age'));
    const retained = all.filter((e) => e.event_type === 'flow_progress' && e.origin.flow_name === 'patients_clean').reduce((n, e) => n + e.details.flow_progress.data_quality.expectations.find((x: { name: string }) => x.name === 'valid_age').passed_records, 0);
    expect(retained).toBeLessThan(passed.get('valid_age')!);
    expect(s.lastUpdate!.id).toBe(last);
    expect(updates).toBe(2);
    // sequence numbers: unique and growing across updates and expiry
    const seqs = all.map((e) => e.sequence.control_plane_seq_no);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(Math.max(...seqs)).toBe(s.seq);
    const byTime = [...all].sort((a, b) => a.timestamp - b.timestamp || a.sequence.control_plane_seq_no - b.sequence.control_plane_seq_no);
    for (let i = 1; i < byTime.length; i++) if (byTime[i].timestamp > byTime[i - 1].timestamp) expect(byTime[i].sequence.control_plane_seq_no).toBeGreaterThan(byTime[i - 1].sequence.control_plane_seq_no);
    // no data file of the log holds two days
    const snap = readDeltaLog(eventLogDir(output));
    for (const a of snap.files.values()) {
      const st = JSON.parse(a.stats!);
      expect(st.minValues.timestamp.slice(0, 10), a.path).toBe(st.maxValues.timestamp.slice(0, 10));
    }
    // the log's commits: DELETE commits remove whole files
    expect(snap.files.size).toBeLessThan(10);
  });
});
