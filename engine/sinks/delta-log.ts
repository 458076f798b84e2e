/**
 * A Delta table's transaction log (`_delta_log/`), read and written as the
 * Delta protocol says (delta-io/delta PROTOCOL.md):
 *
 * - commits `<20-digit version>.json`, one action a line, created only if
 *   absent (put-if-absent through a hard link, never a rename over);
 * - classic checkpoints `<v>.checkpoint.parquet`: one row per action, one
 *   struct column per action type (`txn`, `add`, `remove`, `metaData`,
 *   `protocol`), holding the replay of the log up to v: the live files (with
 *   `dataChange: false`), the remove tombstones that have not expired, the
 *   transaction ids, the protocol and the metadata; and `_last_checkpoint`
 *   (`{"version","size","sizeInBytes","numOfAddFiles"}`) pointing at the newest;
 * - reading: `_last_checkpoint`, that checkpoint, then the commits after it,
 *   found by asking for version + 1, + 2, … (the folder is not listed). A
 *   checkpoint that is missing or does not read falls back to an older one or
 *   to the JSON log (the writer then rewrites it);
 * - metadata cleanup: commits and checkpoints older than the newest checkpoint
 *   whose commit is older than midnight UTC of (now − `delta.logRetentionDuration`)
 *   are deleted; that checkpoint and its commit stay, so every version within
 *   the retention can still be read (time travel).
 *
 * Table properties read from `metaData.configuration` (Delta's names and defaults):
 * `delta.checkpointInterval` (10), `delta.logRetentionDuration` (interval 30 days),
 * `delta.deletedFileRetentionDuration` (unset here: a removed file is deleted
 * as soon as the commit that removes it is written; set, removed files stay
 * that long and VACUUM deletes them after).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { RuntimeFailure, DefinitionError } from '../errors.js';
import { batchFromRows, batchToRows } from '../batch.js';
import type { Schema, Value } from '../ir/types.js';
import { decodeParquet, encodeParquet } from './parquet.js';
import { parquetReadObjects } from 'hyparquet';
import { parseDurationMs } from '../duration.js';
import { faultPoint } from '../runtime/faults.js';

export interface AddAction {
  path: string;
  partitionValues: Record<string, string>;
  size: number;
  modificationTime: number;
  dataChange: boolean;
  stats?: string;
  tags?: Record<string, string>;
}

export interface RemoveAction {
  path: string;
  deletionTimestamp?: number;
  dataChange: boolean;
  extendedFileMetadata?: boolean;
  partitionValues?: Record<string, string>;
  size?: number;
}

export interface MetadataAction {
  id: string;
  name?: string | null;
  description?: string | null;
  format: { provider: string; options: Record<string, string> };
  schemaString: string;
  partitionColumns: string[];
  configuration: Record<string, string>;
  createdTime?: number | null;
}

export interface ProtocolAction { minReaderVersion: number; minWriterVersion: number }
export interface TxnAction { appId: string; version: number; lastUpdated?: number }

export type DeltaAction =
  | { add: AddAction } | { remove: RemoveAction } | { metaData: MetadataAction } | { protocol: ProtocolAction }
  | { txn: TxnAction } | { commitInfo: Record<string, unknown> };

export interface DeltaSnapshot {
  /** The table version (-1: no table). */
  version: number;
  /** Live data files, by path. */
  files: Map<string, AddAction>;
  /** Files removed and still within their retention (tombstones for VACUUM), by path. */
  tombstones: Map<string, RemoveAction>;
  /** Transaction ids: appId → version. */
  txn: Map<string, number>;
  /** appId → lastUpdated (ms), when the txn carried it. */
  txnUpdated: Map<string, number>;
  schemaString: string | null;
  metadataId: string | null;
  metadata: MetadataAction | null;
  protocol: ProtocolAction | null;
  /** The checkpoint this snapshot was read from (-1: none, the JSON log from version 0). */
  checkpointVersion: number;
  /** Checkpoints that did not read (the writer rewrites them). */
  damagedCheckpoints: number[];
  /** commitInfo of the last version, when it was read. */
  lastCommit: { timestamp: number | null; operation: string | null } | null;
  /**
   * The AUTO CDC state named by the last commit that changed data (see
   * engine/cdc/), null otherwise. A checkpoint keeps it as a txn action whose
   * appId is `CDC_STATE_APP_ID` + the name.
   */
  cdcState: string | null;
}

/** The appId prefix under which a checkpoint keeps the snapshot's cdcState. */
export const CDC_STATE_APP_ID = 'localdlt.cdcState:';

export function emptySnapshot(): DeltaSnapshot {
  return {
    version: -1, files: new Map(), tombstones: new Map(), txn: new Map(), txnUpdated: new Map(), schemaString: null, metadataId: null,
    metadata: null, protocol: null, checkpointVersion: -1, damagedCheckpoints: [], lastCommit: null, cdcState: null,
  };
}

function copySnapshot(s: DeltaSnapshot): DeltaSnapshot {
  return {
    ...s, files: new Map(s.files), tombstones: new Map(s.tombstones), txn: new Map(s.txn), txnUpdated: new Map(s.txnUpdated),
    damagedCheckpoints: [...s.damagedCheckpoints], lastCommit: s.lastCommit ? { ...s.lastCommit } : null,
  };
}

export function pad20(n: number): string {
  return String(n).padStart(20, '0');
}

export const LAST_CHECKPOINT = '_last_checkpoint';
export const commitFileName = (v: number): string => `${pad20(v)}.json`;
export const checkpointFileName = (v: number): string => `${pad20(v)}.checkpoint.parquet`;

// ------------------------------------------------------------------ table properties

export const DEFAULT_CHECKPOINT_INTERVAL = 10;
export const DEFAULT_LOG_RETENTION_MS = 30 * 86_400_000;

export interface TableConfig {
  /** `delta.checkpointInterval`: a checkpoint every this many commits. */
  checkpointInterval: number;
  /** `delta.logRetentionDuration`: commits and checkpoints older than this may be deleted. */
  logRetentionMs: number;
  /** `delta.deletedFileRetentionDuration`: removed files are kept this long; null: deleted right after the commit. */
  deletedFileRetentionMs: number | null;
}

function propertyDuration(conf: Record<string, string>, key: string, table: string | undefined): number | undefined {
  const v = conf[key];
  if (v === undefined) return undefined;
  try { return parseDurationMs(v, key); } catch (e) {
    throw new DefinitionError('INVALID_TABLE_PROPERTY', `table property ${key} = "${v}"${table ? ` of ${table}` : ''} is not a duration`, { table: table ?? null, property: key, value: v }, {
      hint: `write it as Delta does, e.g. '${key}' = 'interval 7 days'`, cause: e,
    });
  }
}

/** The maintenance settings of a table from its configuration (Delta's property names and defaults). */
export function tableConfig(conf: Record<string, string> | null | undefined, table?: string): TableConfig {
  const c = conf ?? {};
  let interval = DEFAULT_CHECKPOINT_INTERVAL;
  if (c['delta.checkpointInterval'] !== undefined) {
    interval = Number(c['delta.checkpointInterval']);
    if (!Number.isInteger(interval) || interval <= 0) {
      throw new DefinitionError('INVALID_TABLE_PROPERTY', `table property delta.checkpointInterval = "${c['delta.checkpointInterval']}"${table ? ` of ${table}` : ''} is not a positive integer`, { table: table ?? null, property: 'delta.checkpointInterval', value: c['delta.checkpointInterval'] }, { hint: 'the Delta default is 10' });
    }
  }
  return {
    checkpointInterval: interval,
    logRetentionMs: propertyDuration(c, 'delta.logRetentionDuration', table) ?? DEFAULT_LOG_RETENTION_MS,
    deletedFileRetentionMs: propertyDuration(c, 'delta.deletedFileRetentionDuration', table) ?? null,
  };
}

// ------------------------------------------------------------------ replay

function damaged(file: string, why: string): RuntimeFailure {
  return new RuntimeFailure('DELTA_LOG_CORRUPT', `${file} is damaged: ${why}`, { file, reason: why }, { hint: 'the table is damaged; restore the file from a backup or full-refresh the table' });
}

/** Applies one action to a snapshot (the protocol's action reconciliation). */
export function applyAction(snap: DeltaSnapshot, a: Record<string, any>): void {
  if (a.add) {
    snap.files.set(a.add.path, a.add);
    snap.tombstones.delete(a.add.path);
  } else if (a.remove) {
    snap.files.delete(a.remove.path);
    snap.tombstones.set(a.remove.path, a.remove);
  } else if (a.txn) {
    snap.txn.set(a.txn.appId, a.txn.version);
    if (typeof a.txn.lastUpdated === 'number') snap.txnUpdated.set(a.txn.appId, a.txn.lastUpdated);
  } else if (a.metaData) {
    snap.metadata = a.metaData;
    snap.schemaString = a.metaData.schemaString;
    snap.metadataId = a.metaData.id;
  } else if (a.protocol) {
    snap.protocol = a.protocol;
  }
}

/** Parses a commit file's text into actions. */
export function parseCommit(text: string, file: string): Record<string, any>[] {
  const out: Record<string, any>[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try { out.push(JSON.parse(line)); } catch { throw damaged(file, 'a line is not JSON'); }
  }
  return out;
}

function readCommit(logDir: string, v: number): Record<string, any>[] | null {
  const file = path.join(logDir, commitFileName(v));
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  return parseCommit(text, file);
}

/** Applies one version's actions: the files, then the commit's info and the cdcState it names (or clears, when it changed data without naming one). */
export function applyCommit(snap: DeltaSnapshot, v: number, actions: readonly Record<string, any>[]): void {
  let info: { timestamp: number | null; operation: string | null } = { timestamp: null, operation: null };
  let cdcState: string | undefined;
  let dataChange = false;
  for (const a of actions) {
    if (a.commitInfo) {
      info = { timestamp: typeof a.commitInfo.timestamp === 'number' ? a.commitInfo.timestamp : null, operation: a.commitInfo.operation ?? null };
      if (typeof a.commitInfo.cdcState === 'string') cdcState = a.commitInfo.cdcState;
    } else {
      if ((a.add || a.remove) && (a.add ?? a.remove).dataChange !== false) dataChange = true;
      applyAction(snap, a);
    }
  }
  if (cdcState !== undefined) snap.cdcState = cdcState;
  else if (dataChange) snap.cdcState = null;
  snap.version = v;
  snap.lastCommit = info;
}

/** Replays the commits after `snap.version` (asking for each next version; no listing), up to `until`. */
function replayTail(logDir: string, snap: DeltaSnapshot, until = Infinity): void {
  for (let v = snap.version + 1; v <= until; v++) {
    const actions = readCommit(logDir, v);
    if (!actions) {
      if (until !== Infinity) throw new RuntimeFailure('DELTA_VERSION_NOT_FOUND', `version ${v} of ${path.dirname(logDir)} is not in its log`, { table: path.dirname(logDir), version: v }, { hint: 'ask for a version the log still holds (older commits expire after delta.logRetentionDuration)' });
      return;
    }
    applyCommit(snap, v, actions);
  }
}

// ------------------------------------------------------------------ checkpoints

const MAP = 'map<string,string>';
/** The checkpoint's columns (PROTOCOL.md, "Checkpoint Schema"), as engine types. */
export const CHECKPOINT_SCHEMA: Schema = Object.freeze([
  { name: 'txn', type: 'struct<appId:string,version:long,lastUpdated:long>' },
  { name: 'add', type: `struct<path:string,partitionValues:${MAP},size:long,modificationTime:long,dataChange:boolean,stats:string,tags:${MAP}>` },
  { name: 'remove', type: `struct<path:string,deletionTimestamp:long,dataChange:boolean,extendedFileMetadata:boolean,partitionValues:${MAP},size:long>` },
  { name: 'metaData', type: `struct<id:string,name:string,description:string,format:struct<provider:string,options:${MAP}>,schemaString:string,partitionColumns:array<string>,configuration:${MAP},createdTime:long>` },
  { name: 'protocol', type: 'struct<minReaderVersion:int,minWriterVersion:int>' },
] as const) as Schema;

const toMap = (o: Record<string, string> | undefined | null): Map<string, string> | null => (o ? new Map(Object.entries(o)) : null);
const fromMap = (m: unknown): Record<string, string> => (m instanceof Map ? Object.fromEntries(m) : m && typeof m === 'object' ? { ...(m as Record<string, string>) } : {});

/** Drops the null fields of a struct read from a checkpoint (absent in JSON). */
function plain(o: Record<string, Value>): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(o)) if (v !== null && v !== undefined) out[k] = v;
  return out;
}

/** The actions a checkpoint of `snap` holds (protocol, metadata, txns, live files, unexpired tombstones). */
export function checkpointActions(snap: DeltaSnapshot, opts: { tombstonesAfterMs: number; txnAfterMs?: number }): Record<string, Value>[] {
  const rows: Record<string, Value>[] = [];
  const row = (k: string, v: Record<string, Value>): Record<string, Value> => ({ txn: null, add: null, remove: null, metaData: null, protocol: null, [k]: v });
  if (snap.protocol) rows.push(row('protocol', { minReaderVersion: snap.protocol.minReaderVersion, minWriterVersion: snap.protocol.minWriterVersion }));
  if (snap.metadata) {
    const m = snap.metadata;
    rows.push(row('metaData', {
      id: m.id, name: m.name ?? null, description: m.description ?? null,
      format: { provider: m.format?.provider ?? 'parquet', options: toMap(m.format?.options ?? {}) },
      schemaString: m.schemaString, partitionColumns: [...(m.partitionColumns ?? [])], configuration: toMap(m.configuration ?? {}), createdTime: m.createdTime ?? null,
    }));
  }
  if (snap.cdcState !== null) rows.push(row('txn', { appId: CDC_STATE_APP_ID + snap.cdcState, version: snap.version, lastUpdated: null }));
  for (const [appId, version] of snap.txn) {
    const updated = snap.txnUpdated.get(appId);
    if (opts.txnAfterMs !== undefined && updated !== undefined && updated <= opts.txnAfterMs) continue;
    rows.push(row('txn', { appId, version, lastUpdated: updated ?? null }));
  }
  for (const a of snap.files.values()) {
    rows.push(row('add', {
      path: a.path, partitionValues: toMap(a.partitionValues ?? {}), size: a.size, modificationTime: a.modificationTime, dataChange: false,
      stats: a.stats ?? null, tags: a.tags ? toMap(a.tags) : null,
    }));
  }
  for (const r of snap.tombstones.values()) {
    if ((r.deletionTimestamp ?? 0) <= opts.tombstonesAfterMs) continue;
    rows.push(row('remove', {
      path: r.path, deletionTimestamp: r.deletionTimestamp ?? null, dataChange: false, extendedFileMetadata: r.extendedFileMetadata ?? null,
      partitionValues: r.partitionValues ? toMap(r.partitionValues) : null, size: r.size ?? null,
    }));
  }
  return rows;
}

/**
 * Writes `<v>.checkpoint.parquet` for the snapshot (its version), then
 * `_last_checkpoint`. Each is written to a temporary name and renamed: two
 * writers of the same checkpoint write the same content, so the last wins
 * harmlessly (PROTOCOL.md, "Classic checkpoint").
 */
export function writeCheckpoint(tableDir: string, snap: DeltaSnapshot, opts: { tombstonesAfterMs: number; txnAfterMs?: number }): { file: string; actions: number; bytes: number } {
  const logDir = path.join(tableDir, '_delta_log');
  const rows = checkpointActions(snap, opts);
  const bytes = encodeParquet(batchFromRows(CHECKPOINT_SCHEMA, rows));
  const file = path.join(logDir, checkpointFileName(snap.version));
  writeReplacing(file, bytes);
  faultPoint('mid-checkpoint', snap.version);
  const numOfAddFiles = rows.filter((r) => r.add !== null).length;
  writeReplacing(path.join(logDir, LAST_CHECKPOINT), JSON.stringify({ version: snap.version, size: rows.length, sizeInBytes: bytes.length, numOfAddFiles }) + '\n');
  return { file, actions: rows.length, bytes: bytes.length };
}

function writeReplacing(file: string, data: string | Uint8Array): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`);
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** Reads a checkpoint into a snapshot at its version; throws DELTA_LOG_CORRUPT when it does not read. */
export function readCheckpoint(logDir: string, version: number, expectedSize?: number): DeltaSnapshot {
  const file = path.join(logDir, checkpointFileName(version));
  let bytes: Uint8Array;
  try { bytes = new Uint8Array(fs.readFileSync(file)); } catch (e) { throw damaged(file, (e as Error).message); }
  let rows: Record<string, Value>[];
  try { rows = batchToRows(decodeParquet(bytes, CHECKPOINT_SCHEMA)); } catch (e) { throw damaged(file, `not a readable checkpoint (${(e as Error).message})`); }
  return checkpointSnapshot(file, rows, version, expectedSize);
}

/**
 * `readCheckpoint` without parquet-wasm and Arrow: the file is decoded by
 * hyparquet (plain JavaScript). A table's checkpoint holds a few dozen actions,
 * and a restart reads one per table: through parquet-wasm and Arrow that took
 * 190-310 ms for the 17 checkpoints of the soak's month, through hyparquet
 * 66 ms (README "Library choices, measured").
 */
export async function readCheckpointAsync(logDir: string, version: number, expectedSize?: number): Promise<DeltaSnapshot> {
  const file = path.join(logDir, checkpointFileName(version));
  let buf: Buffer;
  try { buf = await fs.promises.readFile(file); } catch (e) { throw damaged(file, (e as Error).message); }
  let rows: Record<string, Value>[];
  try {
    const objects = await parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer, columns: CHECKPOINT_SCHEMA.map((f) => f.name) });
    rows = objects.map((o) => fromHyparquet(o) as Record<string, Value>);
  } catch (e) { throw damaged(file, `not a readable checkpoint (${(e as Error).message})`); }
  return checkpointSnapshot(file, rows, version, expectedSize);
}

/** hyparquet's values as the checkpoint reader takes them: 64-bit integers as numbers (times, sizes, versions), no undefined. */
function fromHyparquet(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v === undefined || v === null) return null;
  if (Array.isArray(v)) return v.map(fromHyparquet);
  if (typeof v === 'object' && !(v instanceof Uint8Array) && !(v instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = fromHyparquet(x);
    return out;
  }
  return v;
}

/** A snapshot from a checkpoint's actions (one row per action). */
function checkpointSnapshot(file: string, rows: Record<string, Value>[], version: number, expectedSize?: number): DeltaSnapshot {
  if (expectedSize !== undefined && rows.length !== expectedSize) throw damaged(file, `it holds ${rows.length} actions, _last_checkpoint says ${expectedSize}`);
  const snap = emptySnapshot();
  for (const r of rows) {
    if (r.add) {
      const a = plain(r.add as Record<string, Value>);
      snap.files.set(a.path, { ...a, partitionValues: fromMap(a.partitionValues), ...(a.tags ? { tags: fromMap(a.tags) } : {}) } as AddAction);
    } else if (r.remove) {
      const a = plain(r.remove as Record<string, Value>);
      snap.tombstones.set(a.path, { ...a, ...(a.partitionValues ? { partitionValues: fromMap(a.partitionValues) } : {}) } as RemoveAction);
    } else if (r.txn) {
      const t = plain(r.txn as Record<string, Value>);
      if (typeof t.appId === 'string' && t.appId.startsWith(CDC_STATE_APP_ID)) { snap.cdcState = t.appId.slice(CDC_STATE_APP_ID.length); continue; }
      snap.txn.set(t.appId, t.version);
      if (typeof t.lastUpdated === 'number') snap.txnUpdated.set(t.appId, t.lastUpdated);
    } else if (r.metaData) {
      const m = plain(r.metaData as Record<string, Value>);
      const md: MetadataAction = {
        ...m, format: { provider: m.format?.provider ?? 'parquet', options: fromMap(m.format?.options) },
        partitionColumns: [...(m.partitionColumns ?? [])], configuration: fromMap(m.configuration),
      } as MetadataAction;
      applyAction(snap, { metaData: md });
    } else if (r.protocol) {
      snap.protocol = plain(r.protocol as Record<string, Value>) as ProtocolAction;
    }
  }
  if (!snap.protocol || !snap.metadata) throw damaged(file, 'it has no protocol or no metaData action');
  snap.version = version;
  snap.checkpointVersion = version;
  return snap;
}

/** `_last_checkpoint`, or null when it is missing or does not parse. */
export function readLastCheckpoint(logDir: string): { version: number; size?: number } | null {
  let text: string;
  try { text = fs.readFileSync(path.join(logDir, LAST_CHECKPOINT), 'utf8'); } catch { return null; }
  try {
    const j = JSON.parse(text) as { version?: unknown; size?: unknown };
    if (!Number.isSafeInteger(j.version) || (j.version as number) < 0) return null;
    return { version: j.version as number, size: Number.isSafeInteger(j.size) ? (j.size as number) : undefined };
  } catch { return null; }
}

export interface LogListing { commits: number[]; checkpoints: number[] }

/** The versions of the commits and classic checkpoints in `_delta_log`, ascending. */
export function listLog(logDir: string): LogListing {
  let names: string[];
  try { names = fs.readdirSync(logDir); } catch { return { commits: [], checkpoints: [] }; }
  const commits: number[] = [], checkpoints: number[] = [];
  for (const n of names) {
    if (/^\d{20}\.json$/.test(n)) commits.push(Number(n.slice(0, 20)));
    else if (/^\d{20}\.checkpoint\.parquet$/.test(n)) checkpoints.push(Number(n.slice(0, 20)));
  }
  const asc = (a: number, b: number) => a - b;
  return { commits: commits.sort(asc), checkpoints: checkpoints.sort(asc) };
}

/**
 * Reads a table's log into a snapshot: the newest readable checkpoint and the
 * commits after it. Given `base` (an earlier snapshot of the same table), only
 * the versions after it are read and `base` is not changed. With `version`,
 * the table as of that version (time travel): the newest checkpoint at or
 * before it, then the commits up to it.
 */
export function readDeltaLog(tableDir: string, base?: DeltaSnapshot, opts: { version?: number } = {}): DeltaSnapshot {
  const logDir = path.join(tableDir, '_delta_log');
  if (base && opts.version === undefined) {
    const snap = copySnapshot(base);
    replayTail(logDir, snap);
    return snap;
  }
  if (opts.version === undefined) {
    const last = readLastCheckpoint(logDir);
    if (last) {
      try {
        const snap = readCheckpoint(logDir, last.version, last.size);
        replayTail(logDir, snap);
        if (snap.version === last.version) fillLastCommit(logDir, snap);
        return snap;
      } catch (e) {
        if ((e as { code?: string }).code !== 'DELTA_LOG_CORRUPT') throw e;
        // a damaged checkpoint: the listing below tries older ones, then the JSON log
      }
    }
  }
  return readFromListing(tableDir, logDir, opts.version);
}

/**
 * `readDeltaLog` of the current version, with the last checkpoint read by
 * `readCheckpointAsync`; anything else (no `_last_checkpoint`, a damaged
 * checkpoint) takes `readDeltaLog`'s path, with its fallbacks.
 */
export async function readDeltaLogAsync(tableDir: string): Promise<DeltaSnapshot> {
  const logDir = path.join(tableDir, '_delta_log');
  const last = readLastCheckpoint(logDir);
  if (last) {
    try {
      const snap = await readCheckpointAsync(logDir, last.version, last.size);
      replayTail(logDir, snap);
      if (snap.version === last.version) fillLastCommit(logDir, snap);
      return snap;
    } catch (e) {
      if ((e as { code?: string }).code !== 'DELTA_LOG_CORRUPT') throw e;
    }
  }
  return readDeltaLog(tableDir);
}

function fillLastCommit(logDir: string, snap: DeltaSnapshot): void {
  try {
    const actions = readCommit(logDir, snap.version);
    const ci = actions?.find((a) => a.commitInfo)?.commitInfo;
    snap.lastCommit = ci ? { timestamp: typeof ci.timestamp === 'number' ? ci.timestamp : null, operation: ci.operation ?? null } : null;
  } catch { snap.lastCommit = null; }
}

function readFromListing(tableDir: string, logDir: string, version: number | undefined): DeltaSnapshot {
  const { commits, checkpoints } = listLog(logDir);
  if (!commits.length && !checkpoints.length) {
    if (version !== undefined) throw new RuntimeFailure('DELTA_VERSION_NOT_FOUND', `${tableDir} has no Delta log`, { table: tableDir, version }, { hint: 'check the table folder' });
    return emptySnapshot();
  }
  const until = version ?? Infinity;
  const damagedOnes: number[] = [];
  const last = readLastCheckpoint(logDir);
  for (let i = checkpoints.length - 1; i >= 0; i--) {
    const c = checkpoints[i];
    if (c > until) continue;
    let snap: DeltaSnapshot;
    try {
      snap = readCheckpoint(logDir, c, last?.version === c ? last.size : undefined);
    } catch (e) {
      if ((e as { code?: string }).code !== 'DELTA_LOG_CORRUPT') throw e;
      damagedOnes.push(c);
      continue;
    }
    snap.damagedCheckpoints = damagedOnes;
    if (last && last.version !== c && version === undefined && !damagedOnes.includes(last.version) && last.version > c) snap.damagedCheckpoints.push(last.version);
    replayTail(logDir, snap, version);
    if (snap.version === c) fillLastCommit(logDir, snap);
    // the commits after it stop short of versions the log holds: that would be the table's past, not the table
    const newest = Math.max(commits.length ? commits[commits.length - 1] : -1, checkpoints[checkpoints.length - 1]);
    if (version === undefined && snap.version < newest) {
      if (damagedOnes.length) throw damaged(path.join(logDir, checkpointFileName(damagedOnes[0])), `it does not read, and the commits after version ${snap.version} that would stand in for it have expired`);
      throw new RuntimeFailure('DELTA_LOG_GAP', `the Delta log of ${tableDir} jumps from version ${snap.version} to ${commits.find((v) => v > snap.version) ?? newest}`, { table: tableDir, missing: snap.version + 1 }, { hint: 'the table is damaged; restore the missing log file or full-refresh the table' });
    }
    return snap;
  }
  // no usable checkpoint: the JSON log from version 0
  const snap = emptySnapshot();
  snap.damagedCheckpoints = damagedOnes;
  if (last && !damagedOnes.includes(last.version) && version === undefined) snap.damagedCheckpoints.push(last.version);
  if (commits[0] !== 0) {
    if (version !== undefined) throw new RuntimeFailure('DELTA_VERSION_NOT_FOUND', `version ${version} of ${tableDir} has expired from its log`, { table: tableDir, version }, { hint: `the oldest version the log can still read is the oldest checkpoint's (${checkpoints[0] ?? commits[0]})` });
    if (damagedOnes.length) throw damaged(path.join(logDir, checkpointFileName(damagedOnes[0])), `it does not read, and the commits before version ${commits[0]} have expired`);
    throw new RuntimeFailure('DELTA_LOG_GAP', `the Delta log of ${tableDir} jumps from version -1 to ${commits[0]}`, { table: tableDir, missing: 0 }, { hint: 'the table is damaged; restore the missing log file or full-refresh the table' });
  }
  let expected = 0;
  for (const v of commits) {
    if (v > until) break;
    if (v !== expected) throw new RuntimeFailure('DELTA_LOG_GAP', `the Delta log of ${tableDir} jumps from version ${expected - 1} to ${v}`, { table: tableDir, missing: expected }, { hint: 'the table is damaged; restore the missing log file or full-refresh the table' });
    applyCommit(snap, v, readCommit(logDir, v) ?? []);
    expected++;
  }
  if (version !== undefined && snap.version !== version) replayTail(logDir, snap, version);
  return snap;
}

// ------------------------------------------------------------------ writing commits

/** Creates `_delta_log/<version>.json` only if it does not exist (put-if-absent via a hard link). */
export function writeLogEntry(tableDir: string, version: number, text: string): void {
  const logDir = path.join(tableDir, '_delta_log');
  const final = path.join(logDir, commitFileName(version));
  const tmp = path.join(logDir, `.${pad20(version)}.json.${randomUUID()}.tmp`);
  fs.writeFileSync(tmp, text);
  try {
    fs.linkSync(tmp, final);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new RuntimeFailure('DELTA_COMMIT_CONFLICT', `version ${version} of ${tableDir} was committed by another writer`, { table: tableDir, version }, { hint: 'only one pipeline run may write a table at a time' });
    }
    throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

// ------------------------------------------------------------------ metadata cleanup

const DAY_MS = 86_400_000;

/** The commit time (ms) of a version: its commitInfo.timestamp, else the file's modification time; null when gone. */
export function commitTimestamp(logDir: string, v: number): number | null {
  const file = path.join(logDir, commitFileName(v));
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch { return null; }
  const nl = text.indexOf('\n');
  for (const line of (nl >= 0 ? [text.slice(0, nl), ...text.slice(nl + 1).split('\n')] : [text])) {
    if (!line.includes('"commitInfo"')) continue;
    try {
      const ts = (JSON.parse(line) as { commitInfo?: { timestamp?: unknown } }).commitInfo?.timestamp;
      if (typeof ts === 'number') return ts;
    } catch { /* fall back to the file time */ }
    break;
  }
  try { return fs.statSync(file).mtimeMs; } catch { return null; }
}

/**
 * Deletes expired log files (PROTOCOL.md, "Metadata Cleanup"): the cut-off is
 * midnight UTC of (now − retention); the newest checkpoint whose commit is not
 * newer than it stays, with its commit, and everything older goes (commits,
 * checkpoints, and temporary files a crash left). Returns the files deleted.
 */
export function cleanupLog(tableDir: string, nowMs: number, retentionMs: number): string[] {
  const logDir = path.join(tableDir, '_delta_log');
  const cutoff = Math.floor((nowMs - retentionMs) / DAY_MS) * DAY_MS;
  const { commits, checkpoints } = listLog(logDir);
  const deleted: string[] = [];
  // temporary files of interrupted writes (this writer holds the table: none is in flight)
  for (const n of fs.readdirSync(logDir)) if (n.startsWith('.') && n.endsWith('.tmp')) { fs.rmSync(path.join(logDir, n), { force: true }); deleted.push(n); }
  // the newest checkpoint whose commit is at or before the cut-off (commit times only grow: binary search)
  let lo = 0, hi = checkpoints.length - 1, keep = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const ts = commitTimestamp(logDir, checkpoints[mid]);
    if (ts !== null && ts <= cutoff) { keep = checkpoints[mid]; lo = mid + 1; } else hi = mid - 1;
  }
  if (keep < 0) return deleted;
  for (const v of commits) if (v < keep) { fs.rmSync(path.join(logDir, commitFileName(v)), { force: true }); deleted.push(commitFileName(v)); }
  for (const v of checkpoints) if (v < keep) { fs.rmSync(path.join(logDir, checkpointFileName(v)), { force: true }); deleted.push(checkpointFileName(v)); }
  return deleted;
}

/** When cleanup can next delete something: the cut-off moves once a day (midnight UTC). */
export function nextCleanupAt(nowMs: number, retentionMs: number): number {
  return Math.floor((nowMs - retentionMs) / DAY_MS) * DAY_MS + DAY_MS + retentionMs;
}
