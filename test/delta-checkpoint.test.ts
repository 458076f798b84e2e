/**
 * Delta log checkpoints and metadata cleanup (engine/sinks/delta-log.ts),
 * checked against the protocol (delta-io/delta PROTOCOL.md, "Checkpoints",
 * "Checkpoint Schema", "Last Checkpoint File", "Metadata Cleanup") with an
 * independent replay of the JSON commits written here, and with DuckDB
 * reading each `<v>.checkpoint.parquet`:
 *
 * - every `delta.checkpointInterval` commits a checkpoint whose actions equal
 *   the replay of the JSON log up to its version (live adds with
 *   `dataChange: false`, unexpired tombstones, txn, metaData, protocol), and
 *   `_last_checkpoint` names it;
 * - opening a table reads the last checkpoint and the commits after it only
 *   (the commits before it can be garbage);
 * - a damaged or missing checkpoint falls back to an older one or the JSON
 *   log, and the next commit writes it again;
 * - time travel reads any version the log still holds;
 * - cleanup deletes the commits and checkpoints older than the retention
 *   (from midnight UTC), keeping a checkpoint for the oldest version kept.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeltaStore } from '../engine/sinks/delta-store.js';
import { readDeltaLog, readDeltaLogAsync, checkpointFileName, commitFileName, lastCleanupCutoff, listLog, type DeltaSnapshot } from '../engine/sinks/delta-log.js';
import { ManualClock } from '../engine/runtime/clock.js';
import { DeltaTable } from '../engine/sinks/delta-table.js';
import { vacuumTable } from '../engine/maintenance/vacuum.js';
import { batchFromRows } from '../engine/batch.js';
import type { Schema } from '../engine/ir/types.js';
import { isPipelineError } from '../engine/errors.js';
import { Duck, sqlString } from './helpers/duck.js';
import { tempDir } from './helpers/cli.js';

const SCHEMA: Schema = [{ name: 'id', type: 'string' }, { name: 'n', type: 'long' }];
const rows = (ids: string[]) => batchFromRows(SCHEMA, ids.map((id, i) => ({ id, n: i })));
const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000, HOUR = 3_600_000, DAY = 86_400_000;

let duck: Duck;
let work: string;

beforeAll(async () => {
  duck = await Duck.open();
  work = tempDir('delta-checkpoint');
});

afterAll(() => {
  duck?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

// ------------------------------------------------------------------ an independent replay of the JSON log

interface Replayed {
  version: number;
  files: Map<string, { path: string; size: number; stats: string; modificationTime: number }>;
  tombstones: Map<string, { path: string; deletionTimestamp: number }>;
  txn: Map<string, { version: number; lastUpdated: number }>;
  metaData: Record<string, any> | null;
  protocol: Record<string, any> | null;
  timestamp: number;
}

/** Replays commit texts 0..v (kept as written: cleanup may delete the files later). */
function replay(commits: readonly string[], v: number): Replayed {
  const r: Replayed = { version: v, files: new Map(), tombstones: new Map(), txn: new Map(), metaData: null, protocol: null, timestamp: 0 };
  for (let k = 0; k <= v; k++) {
    for (const line of commits[k].split('\n').filter(Boolean)) {
      const a = JSON.parse(line);
      if (a.add) { r.files.set(a.add.path, a.add); r.tombstones.delete(a.add.path); }
      if (a.remove) { r.files.delete(a.remove.path); r.tombstones.set(a.remove.path, a.remove); }
      if (a.txn) r.txn.set(a.txn.appId, { version: a.txn.version, lastUpdated: a.txn.lastUpdated });
      if (a.metaData) r.metaData = a.metaData;
      if (a.protocol) r.protocol = a.protocol;
      if (a.commitInfo) r.timestamp = a.commitInfo.timestamp;
    }
  }
  return r;
}

function sameSnapshot(s: DeltaSnapshot, r: Replayed, label: string): void {
  expect(s.version, label).toBe(r.version);
  expect(new Set(s.files.keys()), `${label}: live files`).toEqual(new Set(r.files.keys()));
  for (const [p, a] of r.files) {
    expect(s.files.get(p)!.size, `${label}: ${p} size`).toBe(a.size);
    expect(s.files.get(p)!.stats, `${label}: ${p} stats`).toBe(a.stats);
  }
  expect(Object.fromEntries(s.txn), `${label}: txn`).toEqual(Object.fromEntries([...r.txn].map(([k, v]) => [k, v.version])));
  expect(s.metadataId, `${label}: metaData id`).toBe(r.metaData!.id);
  expect(s.schemaString, `${label}: schema`).toBe(r.metaData!.schemaString);
  expect(s.metadata!.configuration, `${label}: configuration`).toEqual(r.metaData!.configuration);
}

/**
 * A table committed once a minute: streaming appends (appId `flow`), and every
 * 5th version a replacement (removes every live file) under appId `mv`; its
 * removed files are kept one hour. Returns the commit texts as written.
 */
async function buildTable(root: string, versions: number, opts: { stepMs?: number; properties?: Record<string, string> } = {}): Promise<{ dir: string; commits: string[]; clock: ManualClock; store: DeltaStore }> {
  const clock = new ManualClock(T0);
  const properties = { 'delta.deletedFileRetentionDuration': 'interval 1 hour', quality: 'silver', ...(opts.properties ?? {}) };
  const store = new DeltaStore(root, { now: clock.now, properties: () => properties });
  const dir = store.tableDir('t');
  const commits: string[] = [];
  for (let v = 0; v < versions; v++) {
    clock.advance(opts.stepMs ?? MINUTE);
    if (v % 5 === 4) {
      await store.replace('t', SCHEMA, rows([`r${v}`]));
      expect(await store.commit('t', SCHEMA, { batchId: v, appId: 'mv', operation: 'CREATE OR REPLACE' })).toBe(true);
    } else {
      await store.append('t', SCHEMA, rows([`a${v}`, `b${v}`]));
      expect(await store.commit('t', SCHEMA, { batchId: v, appId: 'flow', operation: 'STREAMING UPDATE' })).toBe(true);
    }
    commits.push(fs.readFileSync(path.join(dir, '_delta_log', commitFileName(v)), 'utf8'));
  }
  return { dir, commits, clock, store };
}

/** A checkpoint's actions as DuckDB reads them. */
async function checkpointViaDuckDb(dir: string, v: number) {
  const file = sqlString(path.join(dir, '_delta_log', checkpointFileName(v)));
  const all = await duck.all(`SELECT
      add.path AS add_path, add.size AS add_size, add.stats AS add_stats, add.dataChange AS add_dc, cardinality(add.partitionValues) AS add_pv,
      remove.path AS rm_path, remove.deletionTimestamp AS rm_ts, remove.dataChange AS rm_dc,
      txn.appId AS txn_app, txn.version AS txn_version, txn.lastUpdated AS txn_updated,
      metaData.id AS md_id, metaData.schemaString AS md_schema, metaData.format.provider AS md_provider, metaData.partitionColumns AS md_parts,
      to_json(metaData.configuration) AS md_conf, protocol.minReaderVersion AS p_r, protocol.minWriterVersion AS p_w
    FROM read_parquet(${file})`);
  return all;
}

describe('checkpoints', () => {
  let t: Awaited<ReturnType<typeof buildTable>>;
  beforeAll(async () => { t = await buildTable(path.join(work, 'a'), 35); });

  it('are written every 10 commits (delta.checkpointInterval), with _last_checkpoint naming the newest', () => {
    expect(listLog(path.join(t.dir, '_delta_log')).checkpoints).toEqual([10, 20, 30]);
    const last = JSON.parse(fs.readFileSync(path.join(t.dir, '_delta_log', '_last_checkpoint'), 'utf8'));
    expect(Object.keys(last).sort()).toEqual(['numOfAddFiles', 'size', 'sizeInBytes', 'version']);
    expect(last.version).toBe(30);
    expect(last.sizeInBytes).toBe(fs.statSync(path.join(t.dir, '_delta_log', checkpointFileName(30))).size);
    const r = replay(t.commits, 30);
    expect(last.numOfAddFiles).toBe(r.files.size);
  });

  it('DuckDB reads each checkpoint with the protocol\'s struct columns', async () => {
    const cols = await duck.describe(`SELECT * FROM read_parquet(${sqlString(path.join(t.dir, '_delta_log', checkpointFileName(20)))})`);
    expect(Object.keys(cols).sort()).toEqual(['add', 'metaData', 'protocol', 'remove', 'txn']);
    expect(cols.add).toMatch(/^STRUCT\(path VARCHAR, partitionValues MAP\(VARCHAR, VARCHAR\), size BIGINT, modificationTime BIGINT, dataChange BOOLEAN, stats VARCHAR, tags MAP\(VARCHAR, VARCHAR\)\)$/);
    expect(cols.remove).toContain('path VARCHAR');
    expect(cols.remove).toContain('deletionTimestamp BIGINT');
    expect(cols.remove).toContain('dataChange BOOLEAN');
    expect(cols.txn).toBe('STRUCT(appId VARCHAR, "version" BIGINT, lastUpdated BIGINT)');
    expect(cols.metaData).toContain('format STRUCT(provider VARCHAR, "options" MAP(VARCHAR, VARCHAR))');
    expect(cols.metaData).toContain('partitionColumns VARCHAR[]');
    expect(cols.metaData).toContain('"configuration" MAP(VARCHAR, VARCHAR)');
    expect(cols.protocol).toBe('STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER)');
  });

  it('each checkpoint\'s actions (read by DuckDB) equal the replay of the JSON log up to its version', async () => {
    for (const v of [10, 20, 30]) {
      const r = replay(t.commits, v);
      const got = await checkpointViaDuckDb(t.dir, v);
      // one action per row
      for (const row of got) expect([row.add_path, row.rm_path, row.txn_app, row.md_id, row.p_r].filter((x) => x !== null), `v${v}`).toHaveLength(1);
      const adds = got.filter((x) => x.add_path !== null);
      expect(new Map(adds.map((a) => [a.add_path, [a.add_size, a.add_stats, a.add_dc, a.add_pv]])), `v${v} adds`).toEqual(new Map([...r.files].map(([p, a]) => [p, [a.size, a.stats, false, 0]])));
      // tombstones: removed less than the retention (1 hour) before the checkpoint's commit
      const tombs = got.filter((x) => x.rm_path !== null);
      const expected = [...r.tombstones.values()].filter((x) => x.deletionTimestamp > r.timestamp - HOUR);
      expect(tombs.length, `v${v}`).toBeGreaterThan(0);
      expect(new Map(tombs.map((x) => [x.rm_path, [x.rm_ts, x.rm_dc]])), `v${v} tombstones`).toEqual(new Map(expected.map((x) => [x.path, [x.deletionTimestamp, false]])));
      const txns = got.filter((x) => x.txn_app !== null);
      expect(new Map(txns.map((x) => [x.txn_app, [x.txn_version, x.txn_updated]])), `v${v} txn`).toEqual(new Map([...r.txn].map(([k, x]) => [k, [x.version, x.lastUpdated]])));
      const [md] = got.filter((x) => x.md_id !== null);
      expect([md.md_id, md.md_schema, md.md_provider, md.md_parts, JSON.parse(md.md_conf as string)]).toEqual([r.metaData!.id, r.metaData!.schemaString, 'parquet', [], r.metaData!.configuration]);
      expect(got.filter((x) => x.p_r !== null).map((x) => [x.p_r, x.p_w])).toEqual([[r.protocol!.minReaderVersion, r.protocol!.minWriterVersion]]);
    }
  });

  it('the table properties are in metaData.configuration, and the removed files of the last hour are on disk', () => {
    const r = replay(t.commits, 34);
    expect(r.metaData!.configuration).toEqual({ 'delta.deletedFileRetentionDuration': 'interval 1 hour', quality: 'silver' });
    for (const p of r.tombstones.keys()) expect(fs.existsSync(path.join(t.dir, p)), p).toBe(true);
  });

  it('opening the table reads the last checkpoint and the commits after it, nothing before', () => {
    const copy = path.join(work, 'a-garbled');
    fs.cpSync(t.dir, copy, { recursive: true });
    const log = path.join(copy, '_delta_log');
    for (let v = 0; v < 30; v++) fs.writeFileSync(path.join(log, commitFileName(v)), 'not json\n');
    for (const c of [10, 20]) fs.writeFileSync(path.join(log, checkpointFileName(c)), 'not parquet');
    const s = readDeltaLog(copy);
    sameSnapshot(s, replay(t.commits, 34), 'from checkpoint 30');
    expect(s.checkpointVersion).toBe(30);
    expect(s.damagedCheckpoints).toEqual([]);
    // the whole log, read from version 0, gives the same
    sameSnapshot(readDeltaLog(t.dir), replay(t.commits, 34), 'original');
  });

  it('the restart path (readDeltaLogAsync: the checkpoint decoded by hyparquet) gives the snapshot parquet-wasm gives, from the tail only', async () => {
    const copy = path.join(work, 'a-garbled-async');
    fs.cpSync(t.dir, copy, { recursive: true });
    const log = path.join(copy, '_delta_log');
    for (let v = 0; v < 30; v++) fs.writeFileSync(path.join(log, commitFileName(v)), 'not json\n');
    const s = await readDeltaLogAsync(copy);
    sameSnapshot(s, replay(t.commits, 34), 'async, from checkpoint 30');
    expect(s.checkpointVersion).toBe(30);
    // every field of every action, tombstones and transaction times included, as the other decoder reads them
    const viaWasm = readDeltaLog(t.dir);
    expect(s.tombstones.size).toBeGreaterThan(0);
    for (const k of ['files', 'tombstones', 'txn', 'txnUpdated'] as const) expect(Object.fromEntries(s[k] as Map<string, unknown>), k).toEqual(Object.fromEntries(viaWasm[k] as Map<string, unknown>));
    expect(s.metadata).toEqual(viaWasm.metadata);
    expect(s.protocol).toEqual(viaWasm.protocol);
    expect(s.lastCommit).toEqual(viaWasm.lastCommit);
  });

  it('the restart path falls back as the other does: a damaged checkpoint, then one whose earlier commits expired', async () => {
    const { dir, commits } = await buildTable(path.join(work, 'damaged-async'), 33);
    const cp = path.join(dir, '_delta_log', checkpointFileName(30));
    fs.truncateSync(cp, Math.floor(fs.statSync(cp).size / 2));
    const s = await readDeltaLogAsync(dir);
    sameSnapshot(s, replay(commits, 32), 'fallback');
    expect(s.checkpointVersion).toBe(20);
    expect(s.damagedCheckpoints).toEqual([30]);
    // commits 11-19 expired, checkpoints 20 and 30 do not read: checkpoint 10 and its tail would be version
    // 10, the table's past; that is refused, not returned
    for (let v = 0; v < 20; v++) fs.rmSync(path.join(dir, '_delta_log', commitFileName(v)));
    fs.writeFileSync(path.join(dir, '_delta_log', checkpointFileName(20)), 'not parquet');
    for (const read of [() => readDeltaLog(dir), () => readDeltaLogAsync(dir)]) {
      let err: unknown;
      try { await read(); } catch (e) { err = e; }
      expect(isPipelineError(err) && err.code).toBe('DELTA_LOG_CORRUPT');
      expect((err as { params: { file: string } }).params.file).toContain(checkpointFileName(30));
    }
    // a listing of the log (no _last_checkpoint) that finds a missing commit in the middle: a gap, not the end of the table
    const gap = await buildTable(path.join(work, 'gap'), 36);
    fs.rmSync(path.join(gap.dir, '_delta_log', commitFileName(33)));
    fs.rmSync(path.join(gap.dir, '_delta_log', '_last_checkpoint'));
    let err: unknown;
    try { readDeltaLog(gap.dir); } catch (e) { err = e; }
    expect(isPipelineError(err) && err.code).toBe('DELTA_LOG_GAP');
  });

  it('a damaged checkpoint falls back to an older one and the JSON log, and the next commit writes it again', async () => {
    const root = path.join(work, 'damaged');
    const { dir, commits, clock } = await buildTable(root, 33);
    const cp = path.join(dir, '_delta_log', checkpointFileName(30));
    const size = fs.statSync(cp).size;
    fs.truncateSync(cp, Math.floor(size / 2));
    const s = readDeltaLog(dir);
    sameSnapshot(s, replay(commits, 32), 'fallback');
    expect(s.checkpointVersion).toBe(20);
    expect(s.damagedCheckpoints).toEqual([30]);
    // a writer opening the table (a restart) rewrites it at its next commit
    const store = new DeltaStore(root, { now: clock.now, properties: () => ({ 'delta.deletedFileRetentionDuration': 'interval 1 hour', quality: 'silver' }) });
    clock.advance(MINUTE);
    await store.append('t', SCHEMA, rows(['z']));
    expect(await store.commit('t', SCHEMA, { batchId: 33, appId: 'flow', operation: 'STREAMING UPDATE' })).toBe(true);
    commits.push(fs.readFileSync(path.join(dir, '_delta_log', commitFileName(33)), 'utf8'));
    const again = await checkpointViaDuckDb(dir, 30);
    expect(new Set(again.filter((x) => x.add_path !== null).map((x) => x.add_path))).toEqual(new Set(replay(commits, 30).files.keys()));
    const fresh = readDeltaLog(dir);
    expect(fresh.damagedCheckpoints).toEqual([]);
    sameSnapshot(fresh, replay(commits, 33), 'after the rewrite');
  });

  it('a checkpoint that _last_checkpoint names but is missing falls back, and is written again', async () => {
    const root = path.join(work, 'missing');
    const { dir, commits, clock, store } = await buildTable(root, 31);
    fs.rmSync(path.join(dir, '_delta_log', checkpointFileName(30)));
    const s = readDeltaLog(dir);
    sameSnapshot(s, replay(commits, 30), 'fallback');
    expect(s.damagedCheckpoints).toEqual([30]);
    const writer = new DeltaStore(root, { now: clock.now, properties: () => ({ 'delta.deletedFileRetentionDuration': 'interval 1 hour', quality: 'silver' }) });
    void store;
    clock.advance(MINUTE);
    await writer.append('t', SCHEMA, rows(['y']));
    await writer.commit('t', SCHEMA, { batchId: 31, appId: 'flow', operation: 'STREAMING UPDATE' });
    expect(fs.existsSync(path.join(dir, '_delta_log', checkpointFileName(30)))).toBe(true);
    expect(readDeltaLog(dir).checkpointVersion).toBe(31);
  });

  it('a damaged checkpoint whose earlier commits expired is DELTA_LOG_CORRUPT naming it', async () => {
    const { dir } = await buildTable(path.join(work, 'expired'), 22);
    const log = path.join(dir, '_delta_log');
    for (let v = 0; v < 20; v++) fs.rmSync(path.join(log, commitFileName(v)));
    fs.rmSync(path.join(log, checkpointFileName(10)));
    fs.writeFileSync(path.join(log, checkpointFileName(20)), 'not parquet');
    let err: unknown;
    try { readDeltaLog(dir); } catch (e) { err = e; }
    expect(isPipelineError(err) && err.code).toBe('DELTA_LOG_CORRUPT');
    expect((err as { params: { file: string } }).params.file).toContain(checkpointFileName(20));
  });

  it('time travel: every version reads as the JSON replay up to it', () => {
    for (let v = 0; v < 35; v++) sameSnapshot(readDeltaLog(t.dir, undefined, { version: v }), replay(t.commits, v), `version ${v}`);
  });
});

describe('metadata cleanup (delta.logRetentionDuration)', () => {
  it('deletes commits and checkpoints older than the retention; every version kept still reads', async () => {
    // a commit every 2 hours for 20 days, 3 days of log retention
    const { dir, commits, clock } = await buildTable(path.join(work, 'cleanup'), 240, { stepMs: 2 * HOUR, properties: { 'delta.logRetentionDuration': 'interval 3 days' } });
    const { commits: kept, checkpoints } = listLog(path.join(dir, '_delta_log'));
    const oldest = kept[0];
    // the oldest version kept has a checkpoint, and nothing older is left
    expect(checkpoints[0]).toBe(oldest);
    expect(kept).toEqual(Array.from({ length: 240 - oldest }, (_, i) => oldest + i));
    // cleanup ran at the last checkpoint: its cut-off is midnight UTC of (that commit's time - 3 days)
    const lastCheckpointTs = replay(commits, checkpoints[checkpoints.length - 1]).timestamp;
    const cutoff = Math.floor((lastCheckpointTs - 3 * DAY) / DAY) * DAY;
    expect(replay(commits, oldest).timestamp).toBeLessThanOrEqual(cutoff);
    // … and the checkpoint after it is newer than the cut-off (else it would have been the one kept)
    expect(replay(commits, checkpoints[1]).timestamp).toBeGreaterThan(cutoff);
    // the log keeps at least the retention
    expect(clock.now() - replay(commits, oldest).timestamp).toBeGreaterThanOrEqual(3 * DAY);
    expect(clock.now() - replay(commits, oldest).timestamp).toBeLessThan(5 * DAY);
    for (let v = oldest; v < 240; v += 7) sameSnapshot(readDeltaLog(dir, undefined, { version: v }), replay(commits, v), `version ${v}`);
    sameSnapshot(readDeltaLog(dir), replay(commits, 239), 'latest');
    let err: unknown;
    try { readDeltaLog(dir, undefined, { version: oldest - 1 }); } catch (e) { err = e; }
    expect(isPipelineError(err) && err.code).toBe('DELTA_VERSION_NOT_FOUND');
    // removed files stay on disk (the table keeps them an hour) until VACUUM, which keeps the last hour's
    const live = replay(commits, 239);
    const parquet = () => new Set(fs.readdirSync(dir).filter((n) => n.endsWith('.parquet')));
    expect(parquet().size).toBe(live.files.size + live.tombstones.size);
    const recent = [...live.tombstones.values()].filter((x) => x.deletionTimestamp > clock.now() - HOUR).map((x) => x.path);
    const r = vacuumTable(new DeltaTable(dir, { now: clock.now }), { name: 't' });
    expect(r.retainMs).toBe(HOUR);
    expect(parquet()).toEqual(new Set([...live.files.keys(), ...recent]));
  });

  it('a writer opened again the same day skips the cleanup its last one recorded; the next day it cleans up', async () => {
    const { dir, store, clock } = await buildTable(path.join(work, 'cleanup-marker'), 120, { stepMs: 2 * HOUR, properties: { 'delta.logRetentionDuration': 'interval 3 days' } });
    const logDir = path.join(dir, '_delta_log');
    const commitTen = async (reopened: DeltaStore, from: number) => {
      for (let v = from; v < from + 10; v++) {
        clock.advance(MINUTE);
        await reopened.append('t', SCHEMA, rows([`c${v}`]));
        expect(await reopened.commit('t', SCHEMA, { batchId: v, appId: 'flow', operation: 'STREAMING UPDATE' })).toBe(true);
      }
    };
    const properties = { 'delta.deletedFileRetentionDuration': 'interval 1 hour', quality: 'silver', 'delta.logRetentionDuration': 'interval 3 days' };
    // a writer's first checkpoint cleans up when the cut-off moved since the one recorded
    await commitTen(new DeltaStore(store.root, { now: clock.now, properties: () => properties }), 500);
    const cutoff = lastCleanupCutoff(dir);
    expect(cutoff).toBe(Math.floor((clock.now() - 3 * DAY) / DAY) * DAY);
    const oldest = listLog(logDir).commits[0];
    // a stray expired commit (as if the cleanup had not reached it): a writer opened again the same day leaves it
    fs.copyFileSync(path.join(logDir, commitFileName(oldest)), path.join(logDir, commitFileName(oldest - 1)));
    await commitTen(new DeltaStore(store.root, { now: clock.now, properties: () => properties }), 1000);
    expect(listLog(logDir).commits[0]).toBe(oldest - 1);
    // a day later the cut-off moved: the next writer's first checkpoint cleans up
    clock.advance(DAY);
    await commitTen(new DeltaStore(store.root, { now: clock.now, properties: () => properties }), 2000);
    expect(listLog(logDir).commits[0]).toBeGreaterThan(oldest);
    expect(lastCleanupCutoff(dir)).toBeGreaterThan(cutoff!);
  });
});
