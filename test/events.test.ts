/**
 * The event log (`<output>/system/events`), as DLT writes it:
 *
 * - a replay of dirty data (patients and vitals) through the patient pipeline
 *   logs counts that match the tables: the `num_output_rows` of a streaming
 *   table summed over its `flow_progress` events is its row count, a
 *   materialized view's last one is its row count, the rows `patients_clean`
 *   dropped are the quarantine's rows, and each rule's failures are the
 *   quarantined rows that name it;
 * - the columns and the JSON of `sequence`, `origin`, `details` and `error`
 *   have DLT's shape, field by field;
 * - DLT's usual data-quality query, adapted to DuckDB, works on the Parquet files;
 * - exactly one COMPLETED `flow_progress` per (flow, batch) after a crash and a
 *   re-run (child processes killed with LOCALDLT_CRASH_AT), and after a batch
 *   that failed on an expect_or_fail rule and was re-run;
 * - no event carries row contents, except the offending row of a failed expectation.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildGraph, col, definePipeline, EventLog, readCsv, readEventLog, stream, streamingTable,
  type PipelineEvent, type PipelineGraph,
} from '../engine/index.js';
import { PipelineService } from '../engine/runtime/service.js';
import { patientPipeline } from '../layers/pipeline.js';
import { Duck, sqlString } from './helpers/duck.js';
import { copyInto, ensureBuilt, generatePool, runCli, tempDir, type Pool } from './helpers/cli.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const DIRTY = path.join(ROOT, 'test', 'fixtures', 'dirty');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let duck: Duck;
let work: string;
let pool: Pool;
let out: string;
let events: PipelineEvent[];
let graph: PipelineGraph;

const eventsGlob = (o: string) => sqlString(path.join(o, 'system', 'events', '*.parquet'));
const tableGlob = (o: string, t: string) => sqlString(path.join(o, 'tables', t, '*.parquet'));
const count = async (o: string, t: string) => Number((await duck.all(`SELECT count(*) AS n FROM read_parquet(${tableGlob(o, t)})`))[0].n);
const flowProgress = (evs: PipelineEvent[], flow?: string) =>
  evs.filter((e) => e.event_type === 'flow_progress' && (flow === undefined || e.origin.flow_name === flow));
const completed = (evs: PipelineEvent[], flow?: string) => flowProgress(evs, flow).filter((e) => e.details.flow_progress.status === 'COMPLETED');
const sumRows = (evs: PipelineEvent[]) => evs.reduce((s, e) => s + (e.details.flow_progress.metrics?.num_output_rows ?? 0), 0);

/** Replays `input` in-process with the event log, one file per batch. */
async function replay(input: string, output: string, pipeline = patientPipeline) {
  const { service } = await PipelineService.open({ pipeline, input, output, maxFilesPerTrigger: 1, events: new EventLog(output) });
  const results = await service.runAvailableNow();
  const failure = results.find((r) => r.failure)?.failure;
  await service.close(failure ? 'FAILED' : 'COMPLETED', failure);
  return { service, results };
}

beforeAll(async () => {
  duck = await Duck.open();
  work = tempDir('events');
  pool = await generatePool({ files: 3, rows: 60, seed: 'events', scenarios: ['dirty', 'vitals-deterioration'] });
  const input = path.join(work, 'in');
  copyInto(pool, input, pool.files);
  out = path.join(work, 'out');
  await replay(input, out);
  events = await readEventLog(out);
  graph = buildGraph(patientPipeline);
}, 120_000);

afterAll(() => {
  duck?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
  if (pool) fs.rmSync(pool.dir, { recursive: true, force: true });
});

describe('the event log of a replay of dirty data: counts match the tables', () => {
  it('is a Delta table at <output>/system/events', () => {
    const dir = path.join(out, 'system', 'events');
    expect(fs.existsSync(path.join(dir, '_delta_log', '00000000000000000000.json'))).toBe(true);
    expect(fs.readdirSync(dir).some((n) => n.endsWith('.parquet'))).toBe(true);
    expect(events.length).toBeGreaterThan(graph.order.length * 2);
  });

  it('sums num_output_rows of each streaming table to its row count', async () => {
    for (const name of graph.order) {
      const g = graph.datasets.get(name)!;
      if (g.kind !== 'streaming_table') continue;
      expect(sumRows(completed(events, name)), name).toBe(await count(out, name));
    }
    expect(await count(out, 'patients_bronze')).toBe(pool.totals.patients.rows);
    expect(await count(out, 'vitals_bronze')).toBe(pool.totals.vitals!.rows);
  });

  it("gives each materialized view's row count in its last flow_progress", async () => {
    for (const name of graph.order) {
      if (graph.datasets.get(name)!.kind !== 'materialized_view') continue;
      const last = completed(events, name).at(-1);
      expect(last, name).toBeDefined();
      expect(last!.details.flow_progress.metrics.num_output_rows, name).toBe(await count(out, name));
    }
  });

  it('counts the rows patients_clean dropped as the quarantine rows, rule by rule', async () => {
    const clean = completed(events, 'patients_clean');
    const dropped = clean.reduce((s, e) => s + e.details.flow_progress.data_quality.dropped_records, 0);
    expect(dropped).toBe(await count(out, 'patients_quarantine'));
    expect(dropped).toBeGreaterThan(0);
    // passed + failed = the rows the view saw (= bronze); output = rows passing every rule
    expect(sumRows(clean) + dropped).toBe(await count(out, 'patients_bronze'));
    for (const e of clean) {
      const fp = e.details.flow_progress;
      for (const x of fp.data_quality.expectations) expect(x.passed_records + x.failed_records).toBe(fp.metrics.num_output_rows + fp.data_quality.dropped_records);
    }
    // each rule's failures = quarantined rows naming the rule
    const byRule = await duck.all(`SELECT r AS name, count(*) AS n FROM (SELECT unnest(_failed_expectations) AS r FROM read_parquet(${tableGlob(out, 'patients_quarantine')})) GROUP BY r`);
    const fromLog = new Map<string, number>();
    for (const e of clean) for (const x of e.details.flow_progress.data_quality.expectations) fromLog.set(x.name, (fromLog.get(x.name) ?? 0) + x.failed_records);
    for (const r of byRule) expect(fromLog.get(String(r.name)), String(r.name)).toBe(r.n);
    expect([...fromLog.values()].reduce((s, n) => s + n, 0)).toBe(byRule.reduce((s, r) => s + Number(r.n), 0));
  });

  it("counts warn failures of patients_silver on the rows it wrote", async () => {
    const silver = completed(events, 'patients_silver');
    const failed = new Map<string, number>();
    for (const e of silver) for (const x of e.details.flow_progress.data_quality.expectations) failed.set(x.name, (failed.get(x.name) ?? 0) + x.failed_records);
    const [row] = await duck.all(`SELECT count(*) FILTER (WHERE diagnosis_description IS NULL) AS known_diagnosis,
      count(*) FILTER (WHERE contact_number IS NULL) AS has_contact_number FROM read_parquet(${tableGlob(out, 'patients_silver')})`);
    expect(failed.get('known_diagnosis')).toBe(row.known_diagnosis);
    expect(failed.get('has_contact_number')).toBe(row.has_contact_number);
    expect(silver.every((e) => e.details.flow_progress.data_quality.dropped_records === 0)).toBe(true);
  });

  it('reports watermarks and late rows of the windowed vitals flow', () => {
    const w = completed(events, 'vitals_15min');
    expect(w.length).toBeGreaterThan(0);
    const marks = w.map((e) => e.details.flow_progress.watermark).filter((x): x is string => typeof x === 'string');
    expect(marks.length).toBeGreaterThan(0);
    for (const m of marks) expect(m).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect([...marks].sort()).toEqual(marks); // never goes back
    for (const e of w) {
      expect(Number.isInteger(e.details.flow_progress.metrics.late_records)).toBe(true);
      expect(Number.isInteger(e.details.flow_progress.metrics.null_event_time_records)).toBe(true);
    }
  });
});

describe("the event log has DLT's shape", () => {
  it('has exactly DLT\'s ten columns, with their types', async () => {
    const types = await duck.describe(`SELECT * FROM read_parquet(${eventsGlob(out)})`);
    expect(Object.entries(types)).toEqual([
      ['id', 'VARCHAR'], ['sequence', 'VARCHAR'], ['origin', 'VARCHAR'], ['timestamp', 'TIMESTAMP WITH TIME ZONE'],
      ['message', 'VARCHAR'], ['level', 'VARCHAR'], ['maturity_level', 'VARCHAR'], ['error', 'VARCHAR'],
      ['details', 'VARCHAR'], ['event_type', 'VARCHAR'],
    ]);
  });

  it('has unique ids, increasing sequence numbers, one update id, UTC timestamps and known levels', () => {
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    for (const e of events) {
      expect(e.id).toMatch(UUID);
      expect(Object.keys(e.sequence).sort()).toEqual(['control_plane_seq_no', 'data_plane_id']);
      expect(Object.keys(e.sequence.data_plane_id).sort()).toEqual(['instance', 'seq_no']);
      expect(['INFO', 'WARN', 'ERROR', 'METRICS']).toContain(e.level);
      expect(e.maturity_level).toBe('STABLE');
      expect(e.timestamp).toBeGreaterThan(Date.parse('2020-01-01') * 1000);
      expect(typeof e.message).toBe('string');
      // details: one key, the event type
      expect(Object.keys(e.details)).toEqual([e.event_type]);
    }
    const seqs = events.map((e) => e.sequence.control_plane_seq_no);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs[0]).toBe(1);
    const updates = new Set(events.map((e) => e.origin.update_id));
    expect(updates.size).toBe(1);
    expect([...updates][0]).toMatch(UUID);
    expect(new Set(events.map((e) => e.sequence.data_plane_id.instance))).toEqual(updates);
  });

  it('origin: pipeline for every event; flow, dataset and batch for flow events', () => {
    for (const e of events) {
      expect(e.origin.pipeline_id).toMatch(UUID);
      expect(e.origin.pipeline_name).toBe('patients');
      expect(e.origin.update_id).toMatch(UUID);
    }
    for (const e of flowProgress(events)) {
      expect(Object.keys(e.origin).sort()).toEqual(['batch_id', 'cloud', 'dataset_name', 'flow_id', 'flow_name', 'generation', 'pipeline_id', 'pipeline_name', 'pipeline_type', 'update_id'].sort());
      expect(e.origin.flow_id).toMatch(UUID);
      expect(e.origin.dataset_name).toBe(e.origin.flow_name);
      expect(Number.isInteger(e.origin.batch_id)).toBe(true);
      expect(graph.datasets.has(e.origin.flow_name!)).toBe(true);
    }
    // one flow id per flow
    const ids = new Map<string, Set<string>>();
    for (const e of events) if (e.origin.flow_name) ids.set(e.origin.flow_name, (ids.get(e.origin.flow_name) ?? new Set()).add(e.origin.flow_id!));
    for (const [flow, s] of ids) expect(s.size, flow).toBe(1);
  });

  it('create_update and update_progress: the config, then INITIALIZING, RUNNING, COMPLETED', () => {
    const cu = events.filter((e) => e.event_type === 'create_update');
    expect(cu).toHaveLength(1);
    expect(events[0]).toBe(cu[0]);
    const d = cu[0].details.create_update;
    expect(d.cause).toBe('API_CALL');
    expect(d.full_refresh).toBe(false);
    expect(d.full_refresh_selection).toEqual([]);
    expect(d.refresh_selection).toEqual([]);
    expect(d.validate_only).toBe(false);
    expect(d.config.name).toBe('patients');
    expect(d.config.id).toBe(cu[0].origin.pipeline_id);
    expect(d.config.max_files_per_trigger).toBe(1);
    expect(typeof d.config.continuous).toBe('boolean');
    expect(cu[0].level).toBe('INFO');
    const states = events.filter((e) => e.event_type === 'update_progress').map((e) => e.details.update_progress.state);
    expect(states).toEqual(['INITIALIZING', 'RUNNING', 'COMPLETED']);
    expect(events.at(-1)!.event_type).toBe('update_progress');
    for (const e of events.filter((x) => x.event_type === 'update_progress')) expect(Object.keys(e.details.update_progress)).toEqual(['state']);
  });

  it('dataset_definition and flow_definition: one per dataset, with type, inputs and schema', () => {
    const dd = events.filter((e) => e.event_type === 'dataset_definition');
    const fd = events.filter((e) => e.event_type === 'flow_definition');
    expect(dd.map((e) => e.origin.dataset_name)).toEqual([...graph.order]);
    expect(fd.map((e) => e.origin.flow_name)).toEqual([...graph.order]);
    for (const e of dd) {
      const g = graph.datasets.get(e.origin.dataset_name!)!;
      const d = e.details.dataset_definition;
      expect(d.dataset_type).toBe({ streaming_table: 'STREAMING_TABLE', materialized_view: 'MATERIALIZED_VIEW', view: 'VIEW' }[g.kind]);
      expect(d.num_flows).toBe(g.flows.length);
      expect(d.schema.map((f: { name: string }) => f.name)).toEqual(g.schema.map((f) => f.name));
      for (const f of d.schema) expect(Object.keys(f).sort()).toEqual(['data_type', 'name', 'nullable']);
      expect(JSON.parse(d.schema_json).type).toBe('struct');
      expect(d.expectations.map((x: { name: string }) => x.name)).toEqual(g.def.expectations.map((x) => x.name));
      for (const x of d.expectations) expect(['WARN', 'DROP', 'FAIL']).toContain(x.action);
      expect(d.table_properties).toEqual({ ...g.def.properties });
    }
    const clean = dd.find((e) => e.origin.dataset_name === 'patients_clean')!.details.dataset_definition;
    expect(clean.expectations[0]).toEqual({ name: 'valid_patient_id', action: 'DROP', constraint: '(patient_id IS NOT NULL)' });
    expect(clean.quarantine).toBe('patients_quarantine');
    // one flow_definition per flow (a dataset's own query is its flow, named as the dataset)
    expect(fd.map((e) => e.origin.flow_name).sort()).toEqual([...graph.flows.keys()].sort());
    for (const e of fd) {
      const f = graph.flows.get(e.origin.flow_name!)!;
      const g = graph.datasets.get(f.target)!;
      const d = e.details.flow_definition;
      expect(e.origin.dataset_name).toBe(g.name);
      expect(d.output_dataset).toBe(g.name);
      expect(d.input_datasets).toEqual(f.inputs.map((i) => i.dataset));
      expect(d.flow_type).toBe(f.kind === 'auto_cdc' ? 'AUTO_CDC' : g.kind === 'materialized_view' ? 'COMPLETE' : 'APPEND');
      expect(d.schema.map((x: { name: string }) => x.name)).toEqual(g.schema.map((x) => x.name));
    }
    expect(fd.find((e) => e.origin.flow_name === 'patients_history')!.details.flow_definition.auto_cdc).toMatchObject({ keys: ['patient_id'], stored_as_scd_type: 2, track_history: ['name', 'address', 'contact_number'] });
    expect(fd.find((e) => e.origin.flow_name === 'patients_silver')!.details.flow_definition.input_datasets).toEqual(['patients_clean', 'diagnosis_mapping']);
  });

  it('flow_progress: status, metrics.num_output_rows and data_quality in DLT\'s shape', () => {
    const fp = flowProgress(events);
    expect(fp.length).toBeGreaterThan(0);
    for (const e of fp) {
      const d = e.details.flow_progress;
      const g = graph.datasets.get(e.origin.flow_name!)!;
      expect(d.status).toBe('COMPLETED');
      expect(e.level).toBe('METRICS');
      expect(e.error).toBeNull();
      const keys = ['status', 'metrics', 'batch', ...(g.def.expectations.length ? ['data_quality'] : []), ...(d.watermark !== undefined ? ['watermark'] : [])];
      expect(Object.keys(d).sort()).toEqual(keys.sort());
      // not in DLT: the batch's planned start, its duration and its input files, the same for every flow of the batch
      expect(Object.keys(d.batch).sort()).toEqual(['duration_ms', 'input_files', 'started_at']);
      expect(d.batch.duration_ms).toBeGreaterThanOrEqual(0);
      expect(d.batch.started_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const sameBatch = fp.filter((x) => x.origin.batch_id === e.origin.batch_id && x.origin.update_id === e.origin.update_id);
      for (const x of sameBatch) expect(x.details.flow_progress.batch).toEqual(d.batch);
      expect(Number.isInteger(d.metrics.num_output_rows)).toBe(true);
      if (g.def.expectations.length) {
        expect(Object.keys(d.data_quality).sort()).toEqual(['dropped_records', 'expectations']);
        expect(d.data_quality.expectations.map((x: { name: string }) => x.name)).toEqual(g.def.expectations.map((x) => x.name));
        for (const x of d.data_quality.expectations) {
          expect(Object.keys(x)).toEqual(['name', 'dataset', 'passed_records', 'failed_records']);
          expect(x.dataset).toBe(g.name);
          expect(Number.isInteger(x.passed_records) && Number.isInteger(x.failed_records)).toBe(true);
        }
      }
    }
    // the shape of the reference sample (dlt-semantics.md §2.4)
    const e = completed(events, 'patients_clean')[0];
    expect(e.details).toEqual({
      flow_progress: {
        status: 'COMPLETED',
        batch: { started_at: expect.any(String), duration_ms: expect.any(Number), input_files: expect.any(Number) },
        metrics: { num_output_rows: expect.any(Number), late_records: 0, null_event_time_records: 0 },
        data_quality: {
          dropped_records: expect.any(Number),
          expectations: ['valid_patient_id', 'valid_age', 'valid_gender', 'valid_admission_date'].map((name) => ({
            name, dataset: 'patients_clean', passed_records: expect.any(Number), failed_records: expect.any(Number),
          })),
        },
      },
    });
  });

  it('holds no row contents', async () => {
    const people = await duck.all(`SELECT DISTINCT name, address, contact_number FROM read_parquet(${tableGlob(out, 'patients_bronze')})`);
    const values = people.flatMap((r) => [r.name, r.address, r.contact_number]).filter((v): v is string => typeof v === 'string' && v.length > 4);
    expect(values.length).toBeGreaterThan(10);
    const text = (await duck.all(`SELECT * FROM read_parquet(${eventsGlob(out)})`)).map((r) => JSON.stringify(r)).join('\n');
    for (const v of values) expect(text.includes(v), v).toBe(false);
  });
});

describe('DLT queries over the event log, in DuckDB', () => {
  it('extracts expectation metrics from details', async () => {
    const rows = await duck.all(`
      SELECT e.dataset, e.name, sum(e.passed_records) AS passed, sum(e.failed_records) AS failed
      FROM read_parquet(${eventsGlob(out)}),
           unnest(from_json(json_extract(details, '$.flow_progress.data_quality.expectations'),
                  '[{"name":"VARCHAR","dataset":"VARCHAR","passed_records":"BIGINT","failed_records":"BIGINT"}]')) AS t(e)
      WHERE event_type = 'flow_progress'
      GROUP BY ALL ORDER BY 1, 2`);
    const expected = new Map<string, { passed: number; failed: number }>();
    for (const ev of completed(events)) {
      for (const x of ev.details.flow_progress.data_quality?.expectations ?? []) {
        const k = `${x.dataset}.${x.name}`;
        const t = expected.get(k) ?? { passed: 0, failed: 0 };
        t.passed += x.passed_records;
        t.failed += x.failed_records;
        expected.set(k, t);
      }
    }
    expect(rows.length).toBe(expected.size);
    for (const r of rows) expect({ passed: r.passed, failed: r.failed }, `${r.dataset}.${r.name}`).toEqual(expected.get(`${r.dataset}.${r.name}`));
    const q = await duck.all(`SELECT sum(failed_records) AS n FROM (
      SELECT unnest(from_json(json_extract(details, '$.flow_progress.data_quality.expectations'), '[{"name":"VARCHAR","dataset":"VARCHAR","passed_records":"BIGINT","failed_records":"BIGINT"}]'), recursive := true)
      FROM read_parquet(${eventsGlob(out)}) WHERE event_type = 'flow_progress') WHERE dataset = 'patients_clean' AND name = 'valid_age'`);
    expect(q[0].n).toBe(expected.get('patients_clean.valid_age')!.failed);
  });

  it('reads origin and metrics with json_extract (rows per flow and update)', async () => {
    const rows = await duck.all(`
      SELECT json_extract_string(origin, '$.update_id') AS update_id, json_extract_string(origin, '$.flow_name') AS flow,
             sum(CAST(json_extract(details, '$.flow_progress.metrics.num_output_rows') AS BIGINT)) AS rows
      FROM read_parquet(${eventsGlob(out)})
      WHERE event_type = 'flow_progress' AND json_extract_string(details, '$.flow_progress.status') = 'COMPLETED'
      GROUP BY ALL`);
    const bronze = rows.find((r) => r.flow === 'patients_bronze')!;
    expect(bronze.rows).toBe(pool.totals.patients.rows);
    expect(bronze.update_id).toBe(events[0].origin.update_id);
  });
});

describe('exactly one flow_progress per (flow, batch)', () => {
  /** Checks one COMPLETED per (generation, flow, batch) and that streaming tables sum to their counts. */
  async function checkOnce(output: string) {
    const evs = await readEventLog(output);
    const seen = new Map<string, number>();
    for (const e of completed(evs)) {
      const k = `${e.origin.generation}/${e.origin.flow_name}/${e.origin.batch_id}`;
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    expect([...seen].filter(([, n]) => n > 1)).toEqual([]);
    for (const name of graph.order) {
      const g = graph.datasets.get(name)!;
      if (g.kind === 'streaming_table') expect(sumRows(completed(evs, name)), name).toBe(await count(output, name));
    }
    const seqs = evs.map((e) => e.sequence.control_plane_seq_no);
    expect(new Set(seqs).size, 'sequence numbers are unique across updates').toBe(seqs.length);
    return evs;
  }

  beforeAll(() => ensureBuilt());

  it.each(['before-commit-marker@0', 'after-sink@1', 'mid-sink@0#2'])('after a crash at %s and a re-run', async (spec) => {
    const output = path.join(work, `crash-${spec.replace(/\W+/g, '_')}`);
    const args = ['replay', DIRTY, '--output', output, '--max-files-per-trigger', '1'];
    const crashed = await runCli(args, { env: { LOCALDLT_CRASH_AT: spec } });
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    const again = await runCli(args);
    expect(again.code, again.stderr).toBe(0);
    const evs = await checkOnce(output);
    const updates = evs.filter((e) => e.event_type === 'create_update');
    expect(updates).toHaveLength(2);
    expect(updates[1].details.create_update.resumed_batch).toBe(Number(/@(\d+)/.exec(spec)![1]));
    expect(updates[1].details.create_update.cause).toBe('USER_ACTION');
    // the crashed update never finished; the second did
    expect(evs.filter((e) => e.event_type === 'update_progress').map((e) => `${e.origin.update_id === updates[0].origin.update_id ? 1 : 2}:${e.details.update_progress.state}`))
      .toEqual(['1:INITIALIZING', '1:RUNNING', '2:INITIALIZING', '2:RUNNING', '2:COMPLETED']);
    expect(await count(output, 'patients_bronze')).toBe(42);
  }, 60_000);

  it('after a batch failed on an expect_or_fail rule and was re-run with the rule fixed', async () => {
    const input = path.join(work, 'fail-in');
    fs.mkdirSync(input, { recursive: true });
    fs.writeFileSync(path.join(input, 'f_1.csv'), 'id,v,name\n1,10,Alice Example\n2,20,Bob Example\n');
    fs.writeFileSync(path.join(input, 'f_2.csv'), 'id,v,name\n3,30,Carol Example\n4,500,Dave Offender\n5,40,Erin Example\n');
    const make = (limit: number) => {
      const src = streamingTable('src', { query: readCsv({ glob: 'f_*.csv', schema: { id: 'int', v: 'int', name: 'string' } }) });
      const checked = streamingTable('checked', { query: stream(src).select('id', 'v', 'name'), expectOrFail: { small_v: col('v').lt(limit) } });
      const after = streamingTable('after', { query: stream(checked).select('id') });
      return definePipeline([src, checked, after], { name: 'failing' });
    };
    const output = path.join(work, 'fail-out');
    const first = await replay(input, output, make(100));
    expect(first.results.at(-1)!.failure?.code).toBe('EXPECTATION_FAILED');
    let evs = await readEventLog(output);
    const b1 = flowProgress(evs).filter((e) => e.origin.batch_id === 1);
    expect(b1.map((e) => [e.origin.flow_name, e.details.flow_progress.status])).toEqual([['src', 'COMPLETED'], ['checked', 'FAILED'], ['after', 'SKIPPED']]);
    const failed = b1[1];
    expect(failed.level).toBe('ERROR');
    expect(failed.details.flow_progress).toEqual({ status: 'FAILED', batch: { started_at: expect.any(String), duration_ms: expect.any(Number), input_files: 1 } });
    expect(failed.error!.fatal).toBe(false);
    expect(failed.error!.code).toBe('EXPECTATION_FAILED');
    expect(failed.error!.exceptions[0].class_name).toBe('RuntimeFailure');
    expect(failed.error!.params!.expectation).toBe('small_v');
    // the offending row is the one row an event may carry
    expect((failed.error!.params!.row as { name: string }).name).toBe('Dave Offender');
    const text = JSON.stringify(evs);
    for (const n of ['Alice Example', 'Bob Example', 'Carol Example', 'Erin Example']) expect(text.includes(n), n).toBe(false);
    const end = evs.filter((e) => e.event_type === 'update_progress').at(-1)!;
    expect(end.details.update_progress.state).toBe('FAILED');
    expect(end.level).toBe('ERROR');
    expect(end.error!.fatal).toBe(true);

    // fixed: the batch is re-run; src is not logged twice
    const second = await replay(input, output, make(1000));
    expect(second.results.every((r) => !r.failure)).toBe(true);
    evs = await checkOnceFor(output, ['src', 'checked', 'after'], { src: 5, checked: 5, after: 5 });
    expect(completed(evs).filter((e) => e.origin.batch_id === 1).map((e) => e.origin.flow_name).sort()).toEqual(['after', 'checked', 'src']);
  }, 60_000);

  async function checkOnceFor(output: string, flows: string[], counts: Record<string, number>) {
    const evs = await readEventLog(output);
    const seen = new Map<string, number>();
    for (const e of completed(evs)) seen.set(`${e.origin.flow_name}/${e.origin.batch_id}`, (seen.get(`${e.origin.flow_name}/${e.origin.batch_id}`) ?? 0) + 1);
    expect([...seen].filter(([, n]) => n > 1)).toEqual([]);
    for (const f of flows) {
      expect(await count(output, f), f).toBe(counts[f]);
      expect(sumRows(completed(evs, f)), f).toBe(counts[f]);
    }
    return evs;
  }
});
