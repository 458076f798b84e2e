/**
 * Classic Delta checkpoints (PROTOCOL.md, "Classic checkpoint"):
 * `<v>.checkpoint.parquet`, one row per action and one struct column per
 * action type, holding the replay of the log up to v, and `_last_checkpoint`
 * naming the newest. Written with parquet-wasm; read with parquet-wasm
 * (`readCheckpoint`) or, when a pipeline opens and in `status`, with
 * hyparquet (`readCheckpointAsync`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { parquetReadObjects } from 'hyparquet';
import { batchFromRows, batchToRows } from '../batch.js';
import type { Schema, Value } from '../ir/types.js';
import { decodeParquet, encodeParquet } from './parquet.js';
import { faultPoint } from '../runtime/faults.js';
import {
  CDC_STATE_APP_ID, LAST_CHECKPOINT, applyAction, checkpointFileName, damaged, emptySnapshot,
  type AddAction, type DeltaSnapshot, type MetadataAction, type ProtocolAction, type RemoveAction,
} from './delta-snapshot.js';
import { readFileBytes } from './read-bytes.js';


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
  try { bytes = readFileBytes(file); } catch (e) { throw damaged(file, (e as Error).message); }
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
    const objects = await parquetReadObjects({ file: (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength ? buf.buffer : buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)) as ArrayBuffer, columns: CHECKPOINT_SCHEMA.map((f) => f.name) });
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
