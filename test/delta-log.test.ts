/**
 * The Delta log, checked against the protocol (../shared/reference/dlt-semantics.md §8)
 * and against the Parquet files with DuckDB:
 *
 * - versions are contiguous `00000000000000000000.json`, … with no temporary file left;
 * - version 0 has protocol (1, 2) and a metaData whose Spark schema string has
 *   the types DuckDB reads from the files;
 * - every `add` has stats (numRecords, nullCount, min/max) that match its file;
 * - `txn` makes a commit idempotent per (appId, batch), also after a full refresh
 *   (a new generation is a new appId);
 * - a version is created only if absent: two committers cannot both win it, also
 *   when separate processes race for it;
 * - a materialized-view refresh writes `remove` actions and deletes the old files
 *   (retention 0), so `read_parquet('<table>/*.parquet')` equals the table;
 * - the replay runs with `delta.checkpointInterval` = 2 (a pipeline-wide
 *   default, Spark's `spark.databricks.delta.properties.defaults.*`): every
 *   table's log also holds classic checkpoints, which DuckDB reads, whose
 *   live files equal the JSON replay (test/delta-checkpoint.test.ts checks
 *   them action by action).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DeltaStore, writeLogEntry } from '../engine/sinks/delta-store.js';
import { CLEANUP_MARKER } from '../engine/sinks/delta-log.js';
import { batchFromRows } from '../engine/batch.js';
import type { Schema, Value } from '../engine/ir/types.js';
import { isPipelineError } from '../engine/errors.js';
import { Duck, dateString, multisetEqual, sqlString } from './helpers/duck.js';
import {
  copyInto, ensureBuilt, generatePool, liveFiles, parquetOnDisk, readLogEntries, readTableGlob, readTableViaLog, runCli,
  tableNames, tablesDir, tempDir, ENGINE_JS, type Pool,
} from './helpers/cli.js';

// child processes on a possibly loaded machine
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

let duck: Duck;
let pool: Pool;
let work: string;
let input: string;
let out: string;

beforeAll(async () => {
  ensureBuilt();
  duck = await Duck.open();
  work = tempDir('delta');
  pool = await generatePool({ files: 3, rows: 40, seed: 'delta-log', scenarios: ['dirty', 'vitals-deterioration'] });
  input = path.join(work, 'in');
  copyInto(pool, input, pool.files);
  out = path.join(work, 'out');
  const mod = path.join(work, 'checkpoint-every-2.mjs');
  fs.writeFileSync(mod, `import { definePipeline } from ${JSON.stringify(pathToFileURL(ENGINE_JS).href)};
import { patientPipeline } from ${JSON.stringify(pathToFileURL(path.join(path.dirname(ENGINE_JS), '..', 'layers', 'pipeline.js')).href)};
export default definePipeline([...patientPipeline.datasets, ...patientPipeline.flows], { ...patientPipeline.options, configuration: { ...patientPipeline.options.configuration, 'spark.databricks.delta.properties.defaults.checkpointInterval': '2' } });
`);
  const r = await runCli(['replay', input, '--output', out, '--max-files-per-trigger', '1', '--pipeline', mod]);
  expect(r.code, r.stderr).toBe(0);
}, 60_000);

afterAll(() => {
  duck?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true, maxRetries: 5 });
  if (pool) fs.rmSync(pool.dir, { recursive: true, force: true, maxRetries: 5 });
}, 30_000);

const tableDir = (t: string, o = out) => path.join(tablesDir(o), t);

/** Spark type (from a schema string) → the DuckDB type of the Parquet column. */
function duckTypeOf(t: unknown): string {
  if (typeof t === 'object' && t !== null && (t as { type?: string }).type === 'array') return `${duckTypeOf((t as { elementType: unknown }).elementType)}[]`;
  const m: Record<string, string> = { string: 'VARCHAR', integer: 'INTEGER', long: 'BIGINT', double: 'DOUBLE', boolean: 'BOOLEAN', date: 'DATE', timestamp: 'TIMESTAMP WITH TIME ZONE' };
  if (typeof t !== 'string' || !m[t]) throw new Error(`unexpected Spark type ${JSON.stringify(t)}`);
  return m[t];
}

interface SparkField { name: string; type: unknown; nullable: boolean; metadata: object }

function schemaOf(t: string): SparkField[] {
  const md = readLogEntries(tableDir(t)).flatMap((e) => e.actions).filter((a) => a.metaData).pop()!.metaData;
  const s = JSON.parse(md.schemaString) as { type: string; fields: SparkField[] };
  expect(s.type).toBe('struct');
  return s.fields;
}

describe('the Delta log of every table of a replay', () => {
  it('has every persisted table, with contiguous versions from 0, a checkpoint every 2 versions and no temporary file', () => {
    const tables = tableNames(out);
    expect(tables).toEqual(expect.arrayContaining(['patients_bronze', 'patients_silver', 'patients_quarantine', 'patient_stats_by_gender', 'vitals_15min', 'patient_alerts']));
    for (const t of tables) {
      const logDir = path.join(tableDir(t), '_delta_log');
      const names = fs.readdirSync(logDir);
      const versions = names.filter((n) => /^\d{20}\.json$/.test(n)).sort();
      expect(versions.length, t).toBeGreaterThan(0);
      versions.forEach((n, i) => expect(n, t).toBe(`${String(i).padStart(20, '0')}.json`));
      const checkpoints = versions.map((_, v) => v).filter((v) => v > 0 && v % 2 === 0).map((v) => `${String(v).padStart(20, '0')}.checkpoint.parquet`);
      expect(names.filter((n) => !/^\d{20}\.json$/.test(n)).sort(), `${t}: other files in _delta_log`).toEqual([...checkpoints, ...(checkpoints.length ? ['_last_checkpoint', CLEANUP_MARKER] : [])].sort());
      expect(fs.readdirSync(tableDir(t)).filter((n) => n.endsWith('.tmp') || n.startsWith('.')), `${t}: temporary files`).toEqual([]);
    }
  });

  it('version 0 holds protocol (1, 2), metaData and commitInfo; every version has commitInfo', () => {
    for (const t of tableNames(out)) {
      const entries = readLogEntries(tableDir(t));
      const v0 = entries[0].actions;
      expect(v0.filter((a) => a.protocol), t).toEqual([{ protocol: { minReaderVersion: 1, minWriterVersion: 2 } }]);
      const md = v0.find((a) => a.metaData)?.metaData;
      expect(md, t).toBeDefined();
      expect(md.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(md.format).toEqual({ provider: 'parquet', options: {} });
      expect(md.partitionColumns).toEqual([]);
      expect(typeof md.schemaString).toBe('string');
      for (const e of entries) {
        expect(e.actions.filter((a) => a.commitInfo), `${t} v${e.version}`).toHaveLength(1);
        expect(typeof e.actions.find((a) => a.commitInfo)!.commitInfo.timestamp).toBe('number');
        // every line is one action
        for (const a of e.actions) expect(Object.keys(a), `${t} v${e.version}`).toHaveLength(1);
      }
      // the protocol is set once, the metadata id never changes
      expect(entries.slice(1).flatMap((e) => e.actions).filter((a) => a.protocol), t).toEqual([]);
      for (const a of entries.flatMap((e) => e.actions).filter((x) => x.metaData)) expect(a.metaData.id, t).toBe(md.id);
    }
  });

  it('DuckDB reads every checkpoint, and its live files are the JSON replay\'s', async () => {
    let checked = 0;
    for (const t of tableNames(out)) {
      const logDir = path.join(tableDir(t), '_delta_log');
      const entries = readLogEntries(tableDir(t));
      for (const n of fs.readdirSync(logDir).filter((x) => x.endsWith('.checkpoint.parquet'))) {
        const v = Number(n.slice(0, 20));
        const live = new Set<string>();
        for (const e of entries.filter((x) => x.version <= v)) for (const a of e.actions) { if (a.add) live.add(a.add.path); if (a.remove) live.delete(a.remove.path); }
        const rows = await duck.all(`SELECT add.path AS p, add.dataChange AS dc FROM read_parquet(${sqlString(path.join(logDir, n))}) WHERE add IS NOT NULL`);
        expect(new Set(rows.map((r) => r.p)), `${t} ${n}`).toEqual(live);
        for (const r of rows) expect(r.dc).toBe(false);
        const [{ n: protocols }] = await duck.all(`SELECT count(*) AS n FROM read_parquet(${sqlString(path.join(logDir, n))}) WHERE protocol IS NOT NULL AND metaData IS NULL`);
        expect(protocols).toBe(1);
        checked++;
      }
      if (readLogEntries(tableDir(t)).length < 3) continue; // a table committed once or twice has no checkpoint yet
      const last = JSON.parse(fs.readFileSync(path.join(logDir, '_last_checkpoint'), 'utf8'));
      expect(last.version % 2).toBe(0);
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('the schema string has the expected Spark types', () => {
    const types = (t: string) => Object.fromEntries(schemaOf(t).map((f) => [f.name, f.type]));
    const meta = { _rescued_data: 'string', _source_file: 'string', _line: 'long', _ingested_at: 'timestamp' };
    const patient = { patient_id: 'string', name: 'string', age: 'integer', gender: 'string', address: 'string', contact_number: 'string', admission_date: 'date', diagnosis_code: 'string' };
    expect(types('patients_bronze')).toEqual({ ...patient, ...meta });
    expect(types('patients_quarantine')).toEqual({ ...patient, ...meta, _failed_expectations: { type: 'array', elementType: 'string', containsNull: true } });
    expect(types('patients_silver')).toEqual({ ...patient, diagnosis_description: 'string', ...meta });
    expect(types('patient_stats_by_gender')).toEqual({ gender: 'string', patient_count: 'long', avg_age: 'double', unique_diagnosis_count: 'long', min_age: 'integer', max_age: 'integer' });
    expect(types('daily_admissions_by_diagnosis')).toEqual({ window_start: 'timestamp', window_end: 'timestamp', diagnosis_description: 'string', admissions: 'long', avg_age: 'double' });
    expect(types('vitals_bronze')).toMatchObject({ measured_at: 'timestamp', heart_rate: 'integer', temperature_c: 'double' });
    for (const t of tableNames(out)) for (const f of schemaOf(t)) {
      expect(f.nullable, `${t}.${f.name}`).toBe(true);
      expect(f.metadata, `${t}.${f.name}`).toEqual({});
    }
  });

  it('the schema string matches the columns DuckDB reads from every data file', async () => {
    for (const t of tableNames(out)) {
      const fields = schemaOf(t);
      for (const f of liveFiles(tableDir(t)).files.keys()) {
        const cols = await duck.describe(`SELECT * FROM read_parquet(${sqlString(path.join(tableDir(t), f))})`);
        expect(Object.keys(cols), `${t}/${f}`).toEqual(fields.map((x) => x.name));
        for (const x of fields) expect(cols[x.name], `${t}/${f}: ${x.name}`).toBe(duckTypeOf(x.type));
      }
    }
  });

  it("every add's size and stats (numRecords, nullCount, min/max) match its file", async () => {
    let checked = 0;
    for (const t of tableNames(out)) {
      const fields = schemaOf(t);
      for (const e of readLogEntries(tableDir(t))) {
        for (const a of e.actions.filter((x) => x.add)) {
          const add = a.add as { path: string; size: number; stats: string; dataChange: boolean; partitionValues: object; modificationTime: number };
          const file = path.join(tableDir(t), add.path);
          expect(add.path, `${t} v${e.version}`).toMatch(/^part-(\d+-)+[0-9a-f]{8}-[0-9a-f-]{27}\.c000\.snappy\.parquet$/);
          expect(add.partitionValues).toEqual({});
          expect(add.dataChange).toBe(true);
          expect(typeof add.modificationTime).toBe('number');
          if (!liveFiles(tableDir(t)).files.has(add.path)) continue; // removed later, and deleted (checked below)
          expect(fs.statSync(file).size, `${t}/${add.path} size`).toBe(add.size);
          const stats = JSON.parse(add.stats) as { numRecords: number; nullCount: Record<string, number>; minValues: Record<string, unknown>; maxValues: Record<string, unknown> };
          const sel = [`count(*) AS n`, ...fields.flatMap((f, i) => {
            const q = `"${f.name}"`;
            const base = [`count(${q}) AS c${i}`];
            return typeof f.type === 'string' && f.type !== 'boolean' ? [...base, `min(${q}) AS lo${i}`, `max(${q}) AS hi${i}`] : base;
          })];
          const [row] = await duck.all(`SELECT ${sel.join(', ')} FROM read_parquet(${sqlString(file)})`);
          const where = `${t}/${add.path}`;
          expect(stats.numRecords, `${where} numRecords`).toBe(row.n);
          fields.forEach((f, i) => {
            const nulls = (row.n as number) - (row[`c${i}`] as number);
            if (f.type === 'boolean' || typeof f.type !== 'string') {
              if (f.name in stats.nullCount) expect(stats.nullCount[f.name], `${where} nullCount.${f.name}`).toBe(nulls);
              return;
            }
            expect(stats.nullCount[f.name], `${where} nullCount.${f.name}`).toBe(nulls);
            const lo = row[`lo${i}`], hi = row[`hi${i}`];
            if (lo === null) {
              expect(stats.minValues[f.name], `${where} minValues.${f.name}`).toBeUndefined();
              expect(stats.maxValues[f.name], `${where} maxValues.${f.name}`).toBeUndefined();
              return;
            }
            expect(stats.minValues[f.name], `${where} minValues.${f.name}`).toEqual(statOf(f.type, lo, 'min'));
            expect(stats.maxValues[f.name], `${where} maxValues.${f.name}`).toEqual(statOf(f.type, hi, 'max'));
          });
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('every streaming commit carries txn {appId: <table>#<generation>, version: batch id}, increasing', () => {
    for (const t of ['patients_bronze', 'patients_silver', 'vitals_bronze', 'vitals_silver']) {
      const txns = readLogEntries(tableDir(t)).map((e) => e.actions.filter((a) => a.txn).map((a) => a.txn));
      for (const list of txns) expect(list, t).toHaveLength(1);
      const data = txns.flat().filter((x) => x.appId !== '__create__');
      expect(data.length, t).toBeGreaterThan(0);
      for (const x of data) expect(x.appId, t).toBe(`${t}#0`);
      const versions = data.map((x) => x.version as number);
      expect([...versions].sort((a, b) => a - b), t).toEqual(versions);
      expect(new Set(versions).size, t).toBe(versions.length);
    }
    // one batch per patient file (and per vitals file), so bronze's batch ids are 0, 1, 2
    const bronze = readLogEntries(tableDir('patients_bronze')).flatMap((e) => e.actions).filter((a) => a.txn && a.txn.appId !== '__create__').map((a) => a.txn.version);
    expect(bronze).toEqual([0, 1, 2]);
  });

  it('materialized-view refreshes remove every older file, and the removed files are deleted (retention 0)', async () => {
    let refreshes = 0;
    for (const t of tableNames(out)) {
      const live = new Set<string>();
      const removedEver = new Set<string>();
      for (const e of readLogEntries(tableDir(t))) {
        const removes = e.actions.filter((a) => a.remove).map((a) => a.remove);
        const adds = e.actions.filter((a) => a.add).map((a) => a.add.path as string);
        const mode = e.actions.find((a) => a.commitInfo)!.commitInfo.operationParameters?.mode;
        if (mode === 'Overwrite') {
          // a replacement removes exactly what was live
          expect(new Set(removes.map((r) => r.path)), `${t} v${e.version}`).toEqual(live);
          if (live.size) refreshes++;
          for (const r of removes) {
            expect(r.dataChange).toBe(true);
            expect(typeof r.deletionTimestamp).toBe('number');
          }
        } else {
          expect(removes, `${t} v${e.version}: an append removes nothing`).toEqual([]);
        }
        for (const r of removes) { live.delete(r.path); removedEver.add(r.path); }
        for (const p of adds) live.add(p);
      }
      for (const p of removedEver) expect(fs.existsSync(path.join(tableDir(t), p)), `${t}/${p} was removed and must be deleted`).toBe(false);
      expect(parquetOnDisk(tableDir(t)), t).toEqual([...live].sort());
      multisetEqual(await readTableGlob(duck, out, t), await readTableViaLog(duck, out, t), { label: `${t}: read_parquet vs. log` });
    }
    expect(refreshes).toBeGreaterThan(3);
  });
});

/** The stats value Delta should hold for a DuckDB min or max (see engine/sinks/delta-store.ts and §8). */
function statOf(type: string, v: unknown, which: 'min' | 'max'): unknown {
  switch (type) {
    case 'date': return v; // 'YYYY-MM-DD' from the helper
    case 'timestamp': return new Date(Math.floor((v as number) / 1000)).toISOString(); // milliseconds, UTC
    case 'string': {
      const s = v as string;
      if (s.length <= 32) return s;
      return which === 'min' ? s.slice(0, 32) : s.slice(0, 32) + '\uffff';
    }
    default: return v;
  }
}

// ------------------------------------------------------------------ DeltaStore directly

const SCHEMA: Schema = [
  { name: 'id', type: 'string' }, { name: 'n', type: 'long' }, { name: 'd', type: 'date' },
  { name: 'ts', type: 'timestamp' }, { name: 'x', type: 'double' }, { name: 'tags', type: 'array<string>' },
];
const rows = (ids: string[]): ReturnType<typeof batchFromRows> => batchFromRows(SCHEMA, ids.map((id, i): Record<string, Value> => ({
  id, n: i, d: 19_800 + i, ts: 1_700_000_000_000_000 + i * 1_000_000, x: i / 3, tags: i % 2 ? ['a', id] : null,
})));

function codeOf(f: () => unknown): string | undefined {
  try { f(); } catch (e) { return isPipelineError(e) ? e.code : `not a pipeline error: ${String(e)}`; }
  return undefined;
}

async function codeOfAsync(f: () => Promise<unknown>): Promise<string | undefined> {
  try { await f(); } catch (e) { return isPipelineError(e) ? e.code : `not a pipeline error: ${String(e)}`; }
  return undefined;
}

describe('DeltaStore', () => {
  it('txn: a batch committed once is not committed again (its staged files are dropped), including after a full refresh', async () => {
    const root = path.join(work, 'txn');
    const dir = path.join(root, 'tables', 't');
    const store = new DeltaStore(root);
    store.appIdSuffix = '#0';
    await store.append('t', SCHEMA, rows(['a', 'b']));
    expect(await store.commit('t', SCHEMA, { batchId: 0, appId: 'flow', operation: 'STREAMING UPDATE' })).toBe(true);
    await store.append('t', SCHEMA, rows(['c']));
    expect(await store.commit('t', SCHEMA, { batchId: 1, appId: 'flow', operation: 'STREAMING UPDATE' })).toBe(true);
    expect(liveFiles(dir).version).toBe(1);

    // the same batch again (a re-run after a crash): no new version, nothing left behind
    await store.append('t', SCHEMA, rows(['c']));
    expect(await store.commit('t', SCHEMA, { batchId: 1, appId: 'flow', operation: 'STREAMING UPDATE' })).toBe(false);
    await store.append('t', SCHEMA, rows(['a', 'b']));
    expect(await store.commit('t', SCHEMA, { batchId: 0, appId: 'flow', operation: 'STREAMING UPDATE' })).toBe(false);
    // a new store (a new process) reads the txn from the log
    const again = new DeltaStore(root);
    again.appIdSuffix = '#0';
    await again.append('t', SCHEMA, rows(['c']));
    expect(await again.commit('t', SCHEMA, { batchId: 1, appId: 'flow', operation: 'STREAMING UPDATE' })).toBe(false);
    expect(await again.committedVersion('t', 'flow')).toBe(1);
    expect(liveFiles(dir).version).toBe(1);
    expect(fs.readdirSync(dir).filter((n) => n !== '_delta_log' && !liveFiles(dir).files.has(n)), 'files of skipped commits').toEqual([]);
    expect((await readTableGlob(duck, root, 't')).map((r) => r.id).sort()).toEqual(['a', 'b', 'c']);

    // full refresh: truncate, then generation 1 is a new idempotency scope that starts at batch 0 again
    const refreshed = new DeltaStore(root);
    await refreshed.truncateNow('t', SCHEMA);
    expect(liveFiles(dir).version).toBe(2);
    expect(liveFiles(dir).files.size).toBe(0);
    refreshed.appIdSuffix = '#1';
    expect(await refreshed.committedVersion('t', 'flow')).toBe(-1);
    await refreshed.append('t', SCHEMA, rows(['z']));
    expect(await refreshed.commit('t', SCHEMA, { batchId: 0, appId: 'flow', operation: 'STREAMING UPDATE' })).toBe(true);
    await refreshed.append('t', SCHEMA, rows(['z']));
    expect(await refreshed.commit('t', SCHEMA, { batchId: 0, appId: 'flow', operation: 'STREAMING UPDATE' })).toBe(false);
    const log = liveFiles(dir);
    expect(log.version).toBe(3);
    expect(log.txn.get('flow#0')).toBe(1);
    expect(log.txn.get('flow#1')).toBe(0);
    expect((await readTableViaLog(duck, root, 't')).map((r) => r.id)).toEqual(['z']);
    multisetEqual(await readTableGlob(duck, root, 't'), await readTableViaLog(duck, root, 't'), { label: 'after refresh' });
  });

  it('writeLogEntry creates a version only once: the second writer of the same version gets DELTA_COMMIT_CONFLICT', () => {
    const dir = path.join(work, 'conflict-entry');
    fs.mkdirSync(path.join(dir, '_delta_log'), { recursive: true });
    writeLogEntry(dir, 0, '{"commitInfo":{"who":"first"}}\n');
    expect(codeOf(() => writeLogEntry(dir, 0, '{"commitInfo":{"who":"second"}}\n'))).toBe('DELTA_COMMIT_CONFLICT');
    expect(fs.readFileSync(path.join(dir, '_delta_log', '00000000000000000000.json'), 'utf8')).toBe('{"commitInfo":{"who":"first"}}\n');
    expect(fs.readdirSync(path.join(dir, '_delta_log'))).toEqual(['00000000000000000000.json']);
  });

  it('two stores committing the same version: one wins, the other gets DELTA_COMMIT_CONFLICT and leaves no file', async () => {
    const root = path.join(work, 'conflict-store');
    const dir = path.join(root, 'tables', 't');
    const a = new DeltaStore(root), b = new DeltaStore(root);
    // both have read the (empty) log before either commits
    expect(a.log('t').version).toBe(-1);
    expect(b.log('t').version).toBe(-1);
    await a.append('t', SCHEMA, rows(['from-a']));
    await b.append('t', SCHEMA, rows(['from-b']));
    expect(await a.commit('t', SCHEMA, { batchId: 0, appId: 'writer-a', operation: 'WRITE' })).toBe(true);
    expect(await codeOfAsync(() => b.commit('t', SCHEMA, { batchId: 0, appId: 'writer-b', operation: 'WRITE' }))).toBe('DELTA_COMMIT_CONFLICT');
    const log = liveFiles(dir);
    expect(log.version).toBe(0);
    expect([...log.txn.keys()]).toEqual(['writer-a']);
    expect((await readTableViaLog(duck, root, 't')).map((r) => r.id)).toEqual(['from-a']);
    // the loser's data files are not left in the folder: the glob still equals the table
    expect(parquetOnDisk(dir)).toEqual([...log.files.keys()]);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('processes racing for the same version: exactly one wins', async () => {
    const dir = path.join(work, 'race');
    fs.mkdirSync(path.join(dir, '_delta_log'), { recursive: true });
    writeLogEntry(dir, 0, '{"commitInfo":{"who":"setup"}}\n');
    const mod = pathToFileURL(path.join(path.dirname(ENGINE_JS), 'sinks', 'delta-store.js')).href;
    const startAt = Date.now() + 1500;
    const script = `
      const { writeLogEntry } = await import(${JSON.stringify(mod)});
      const me = process.argv[1];
      while (Date.now() < ${startAt}) {}
      try { writeLogEntry(${JSON.stringify(dir)}, 1, JSON.stringify({ commitInfo: { who: me } }) + '\\n'); console.log('won ' + me); }
      catch (e) { console.log('lost ' + (e.code ?? e.message)); }`;
    const N = 6;
    const results = await Promise.all(Array.from({ length: N }, (_, i) => new Promise<string>((resolve, reject) => {
      const c = spawn(process.execPath, ['--input-type=module', '-e', script, `w${i}`], { stdio: ['ignore', 'pipe', 'inherit'] });
      let o = '';
      c.stdout.setEncoding('utf8').on('data', (d: string) => { o += d; });
      c.on('error', reject);
      c.on('close', () => resolve(o.trim()));
    })));
    const won = results.filter((r) => r.startsWith('won '));
    expect(won, results.join('\n')).toHaveLength(1);
    expect(results.filter((r) => r === 'lost DELTA_COMMIT_CONFLICT'), results.join('\n')).toHaveLength(N - 1);
    const winner = won[0].slice(4);
    expect(JSON.parse(fs.readFileSync(path.join(dir, '_delta_log', '00000000000000000001.json'), 'utf8')).commitInfo.who).toBe(winner);
    expect(fs.readdirSync(path.join(dir, '_delta_log')).sort()).toEqual(['00000000000000000000.json', '00000000000000000001.json']);
  }, 30_000);

  it('a replacement removes the old files and deletes them; with a retention they stay on disk but out of the table', async () => {
    for (const retention of [0, 3_600_000]) {
      const root = path.join(work, `replace-${retention}`);
      const dir = path.join(root, 'tables', 'mv');
      const store = new DeltaStore(root, { vacuumRetentionMs: retention });
      await store.replace('mv', SCHEMA, rows(['v1-a', 'v1-b']));
      expect(await store.commit('mv', SCHEMA, { batchId: 0, appId: 'mv', operation: 'CREATE OR REPLACE' })).toBe(true);
      const first = [...liveFiles(dir).files.keys()];
      await store.replace('mv', SCHEMA, rows(['v2-a']));
      expect(await store.commit('mv', SCHEMA, { batchId: 1, appId: 'mv', operation: 'CREATE OR REPLACE' })).toBe(true);
      const entries = readLogEntries(dir);
      expect(entries.map((e) => e.version)).toEqual([0, 1]);
      expect(entries[1].actions.filter((a) => a.remove).map((a) => a.remove.path)).toEqual(first);
      expect((await readTableViaLog(duck, root, 'mv')).map((r) => r.id)).toEqual(['v2-a']);
      for (const f of first) expect(fs.existsSync(path.join(dir, f)), `retention ${retention}: ${f}`).toBe(retention > 0);
      if (retention === 0) multisetEqual(await readTableGlob(duck, root, 'mv'), await readTableViaLog(duck, root, 'mv'), { label: 'retention 0' });
    }
  });

  it('stats of a file written by the store match DuckDB (dates, timestamps, doubles, nulls, arrays)', async () => {
    const root = path.join(work, 'stats');
    const store = new DeltaStore(root);
    const long = 'x'.repeat(40);
    await store.append('s', SCHEMA, batchFromRows(SCHEMA, [
      { id: long, n: -5, d: 0, ts: 1_700_000_000_123_456, x: -0.5, tags: ['q'] },
      { id: 'b', n: 7, d: 19_999, ts: null, x: null, tags: null },
      { id: null, n: null, d: null, ts: 1_600_000_000_000_000, x: 2.25, tags: [] },
    ]));
    expect(await store.commit('s', SCHEMA, { batchId: 0, appId: 's', operation: 'WRITE' })).toBe(true);
    const [add] = readLogEntries(path.join(root, 'tables', 's'))[0].actions.filter((a) => a.add).map((a) => a.add);
    const stats = JSON.parse(add.stats);
    expect(stats.numRecords).toBe(3);
    expect(stats.nullCount).toEqual({ id: 1, n: 1, d: 1, ts: 1, x: 1, tags: 1 });
    expect(stats.minValues).toEqual({ id: 'b', n: -5, d: dateString(0), ts: new Date(1_600_000_000_000).toISOString(), x: -0.5 });
    expect(stats.maxValues).toEqual({ id: long.slice(0, 32) + '\uffff', n: 7, d: dateString(19_999), ts: new Date(1_700_000_000_123).toISOString(), x: 2.25 });
    const [row] = await duck.all(`SELECT count(*) n, count(tags) t, min(id) lo, max(d) hi FROM read_parquet(${sqlString(path.join(root, 'tables', 's', add.path))})`);
    expect(row).toEqual({ n: 3, t: 2, lo: 'b', hi: dateString(19_999) });
  });
});

describe('txn after a full refresh, through the CLI', () => {
  it('--full-refresh-all starts generation 1; a crash after a table commit of its first batch does not commit that batch twice', async () => {
    const o = path.join(work, 'out-refresh');
    fs.cpSync(out, o, { recursive: true });
    const crashed = await runCli(['replay', input, '--output', o, '--max-files-per-trigger', '1', '--full-refresh-all'], { env: { LOCALDLT_CRASH_AT: 'after-table-commit@0#2' } });
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    const again = await runCli(['replay', input, '--output', o, '--max-files-per-trigger', '1']);
    expect(again.code, again.stderr).toBe(0);
    for (const t of tableNames(out)) {
      multisetEqual(await readTableViaLog(duck, o, t), await readTableViaLog(duck, out, t), { ignore: ['_ingested_at'], label: `after refresh: ${t}` });
      multisetEqual(await readTableGlob(duck, o, t), await readTableViaLog(duck, o, t), { label: `after refresh: ${t} read_parquet vs. log` });
    }
    const bronze = liveFiles(tableDir('patients_bronze', o));
    expect(bronze.txn.get('patients_bronze#0')).toBe(2);
    expect(bronze.txn.get('patients_bronze#1')).toBe(2);
    // batch 0 of generation 1 was committed once
    const gen1 = readLogEntries(tableDir('patients_bronze', o)).flatMap((e) => e.actions).filter((a) => a.txn?.appId === 'patients_bronze#1').map((a) => a.txn.version);
    expect(gen1).toEqual([0, 1, 2]);
  }, 60_000);
});
