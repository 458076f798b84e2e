/**
 * The Delta log's data model: the actions, a snapshot (the replay of the log
 * up to a version), the file names of `_delta_log/`, and how one action
 * applies to a snapshot. The log (delta-log.ts) and its checkpoints
 * (delta-checkpoint.ts) both build snapshots with these.
 */
import { RuntimeFailure } from '../errors.js';

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

export function pad20(n: number): string {
  return String(n).padStart(20, '0');
}

export const LAST_CHECKPOINT = '_last_checkpoint';
export const commitFileName = (v: number): string => `${pad20(v)}.json`;
export const checkpointFileName = (v: number): string => `${pad20(v)}.checkpoint.parquet`;

/** A log file that does not read (DELTA_LOG_CORRUPT). */
export function damaged(file: string, why: string): RuntimeFailure {
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
