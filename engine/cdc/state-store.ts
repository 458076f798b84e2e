/**
 * Where an AUTO CDC flow keeps its state between batches: the events each key
 * keeps, in one Parquet file per segment of the target (`state-<id>.parquet`),
 * and manifests (`manifest-<id>.json`) listing the segments with their key
 * range, their data file in the table and their state file.
 *
 * On disk this is `<output>/_checkpoints/<flow>/cdc/`; in memory (the testing
 * API) a map. Files are immutable: a batch writes new ones and the manifest
 * naming them before the table commits; the table's commit names the manifest
 * (`cdcState` in its commitInfo), so the state that goes with the table is
 * always the one its last commit names, whatever happened in between.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../state/checkpoint.js';
import { RuntimeFailure } from '../errors.js';
import { readFileBytes } from '../sinks/read-bytes.js';

export interface CdcStateStore {
  /** Where the files are (for messages). */
  readonly where: string;
  write(name: string, bytes: Uint8Array): void;
  /** The file's bytes; `CHECKPOINT_CORRUPT` when it is missing. */
  read(name: string): Uint8Array;
  exists(name: string): boolean;
  list(): string[];
  remove(name: string): void;
  /** Removes everything (a full refresh). */
  clear(): void;
}

function missing(where: string, name: string, e?: unknown): never {
  throw new RuntimeFailure('CHECKPOINT_CORRUPT', `checkpoint file ${path.join(where, name)} is unreadable: the AUTO CDC state it names is missing`, { file: path.join(where, name), reason: 'missing' }, {
    hint: 'restore the file from a backup, or rebuild the table with --full-refresh <table> (this reprocesses its change feed)', cause: e,
  });
}

export class FileCdcStateStore implements CdcStateStore {
  constructor(readonly where: string) {}

  write(name: string, bytes: Uint8Array): void {
    writeFileAtomic(path.join(this.where, name), bytes);
  }

  read(name: string): Uint8Array {
    try { return readFileBytes(path.join(this.where, name)); } catch (e) { return missing(this.where, name, e); }
  }

  exists(name: string): boolean {
    return fs.existsSync(path.join(this.where, name));
  }

  list(): string[] {
    try { return fs.readdirSync(this.where).filter((n) => !n.startsWith('.')); } catch { return []; }
  }

  remove(name: string): void {
    fs.rmSync(path.join(this.where, name), { force: true });
  }

  clear(): void {
    fs.rmSync(this.where, { recursive: true, force: true });
  }
}

export class MemoryCdcStateStore implements CdcStateStore {
  readonly where = '(memory)';
  private readonly files = new Map<string, Uint8Array>();
  write(name: string, bytes: Uint8Array): void { this.files.set(name, bytes); }
  read(name: string): Uint8Array { const b = this.files.get(name); return b ?? missing(this.where, name); }
  exists(name: string): boolean { return this.files.has(name); }
  list(): string[] { return [...this.files.keys()]; }
  remove(name: string): void { this.files.delete(name); }
  clear(): void { this.files.clear(); }
}

/** The folder of a flow's CDC state under an output folder. */
export function cdcStateDir(output: string, flow: string): string {
  return path.join(output, '_checkpoints', flow, 'cdc');
}
