/**
 * A table's rows kept in memory between reads, a few columns of them, and
 * brought up to date from the table's own commits instead of read again.
 *
 * The static side of a stream-static join reads its table at every step with
 * new stream rows (`engine/runtime/static-pushdown.ts`). Reading every file of
 * a table that gains a file per batch costs more each month. Here the rows
 * read last time stay, in parts, and the commits since are applied: an append
 * adds its new files' rows; a compaction (`dataChange: false`) moves rows
 * between files, so the parts that held the removed files now stand for the
 * added ones (merged into one part, at the compaction's own pace). Anything
 * else (rows deleted or replaced, the schema changed, a commit this process
 * did not make) and the table is read again (`DeltaTable.epoch`).
 *
 * Memory: only the columns asked for, and at most `budgetBytes` for all
 * tables together; a table past it is read at each use, as before.
 */
import { concatBatches, type Batch, type Column } from '../batch.js';
import type { Schema } from '../ir/types.js';
import type { DeltaTable } from './delta-table.js';

/** What the kept rows of all tables may take. */
export const KEPT_ROWS_BUDGET_BYTES = 96 << 20;

interface Part {
  /** The live data files whose rows `batches` hold, together. */
  paths: string[];
  batches: Batch[];
}

interface Entry {
  epoch: number;
  version: number;
  parts: Part[];
  bytes: number;
}

function columnBytes(c: Column): number {
  if ('offsets' in c) return c.offsets.byteLength + c.bytes.byteLength + (c.nulls?.byteLength ?? 0);
  const d = (c as { data: unknown }).data;
  if (ArrayBuffer.isView(d)) return d.byteLength + ((c as { nulls?: Uint8Array | null }).nulls?.byteLength ?? 0);
  return (d as unknown[]).length * 32;
}

/** Approximate bytes a batch's columns hold. */
function batchBytes(b: Batch): number {
  let n = 0;
  for (const c of b.columns) n += columnBytes(c);
  return n;
}

export class KeptRows {
  private readonly entries = new Map<string, Entry>();
  /** Reads: whole (every file again) and kept (brought up to date), for tests. */
  readonly counts = { whole: 0, kept: 0 };

  constructor(private readonly budgetBytes = KEPT_ROWS_BUDGET_BYTES) {}

  /**
   * The table's committed rows, the columns of `schema` only, as parts.
   * `read` decodes one data file (its path as the log names it) to `schema`.
   */
  async parts(name: string, table: DeltaTable, schema: Schema, read: (file: string) => Promise<Batch>): Promise<Batch[]> {
    const key = `${name}\u0000${schema.map((f) => `${f.name}:${f.type}`).join(',')}`;
    const snap = table.snapshot;
    let e = this.entries.get(key);
    this.entries.delete(key);
    if (e && !(e.epoch === table.epoch && (await this.update(e, table, schema, read)))) e = undefined;
    if (e) this.counts.kept++;
    else {
      this.counts.whole++;
      const parts: Part[] = [];
      for (const p of [...snap.files.keys()].sort()) parts.push({ paths: [p], batches: [await read(p)] });
      e = { epoch: table.epoch, version: snap.version, parts, bytes: 0 };
    }
    e.version = snap.version;
    e.bytes = 0;
    for (const p of e.parts) for (const b of p.batches) e.bytes += batchBytes(b);
    let used = e.bytes;
    for (const x of this.entries.values()) used += x.bytes;
    if (used <= this.budgetBytes) this.entries.set(key, e);
    return e.parts.flatMap((p) => p.batches);
  }

  /** Applies the commits after `e.version`; false when they cannot be applied (the table is then read whole). */
  private async update(e: Entry, table: DeltaTable, schema: Schema, read: (file: string) => Promise<Batch>): Promise<boolean> {
    const changes = table.rowChangesSince(e.version);
    if (changes === null) return false;
    // appended files not read yet (still live, or merged into files that are then read instead)
    let pending: string[] = [];
    for (const c of changes) {
      if (c.kind === 'append') { pending.push(...c.added); continue; }
      const removed = new Set(c.removed);
      if (removed.size === 0) return false;
      const hit = e.parts.filter((p) => p.paths.some((x) => removed.has(x)));
      let covered = 0;
      for (const p of hit) for (const x of p.paths) { if (!removed.has(x)) return false; covered++; }
      const unread = pending.filter((x) => removed.has(x));
      if (covered + unread.length !== removed.size) return false;
      e.parts = e.parts.filter((p) => !hit.includes(p));
      if (unread.length === 0) {
        const batches = hit.flatMap((p) => p.batches);
        e.parts.push({ paths: [...c.added], batches: batches.length > 1 ? [concatBatches(schema, batches)] : batches });
      } else {
        // some of the merged rows were never read here: the merged files are read instead
        pending = pending.filter((x) => !removed.has(x)).concat(c.added);
      }
    }
    const live = table.snapshot.files;
    if (pending.some((x) => !live.has(x))) return false;
    for (const x of pending) e.parts.push({ paths: [x], batches: [await read(x)] });
    return true;
  }
}
