/**
 * Reading a checkpoint's batch log in tests: `_checkpoints/offsets/<N>.json`
 * (per flow, the files of its sources) and `_checkpoints/commits/<N>.json`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface OffsetsRecord {
  batchId: number;
  generation: number;
  ingestedAtUs: number;
  closing?: boolean;
  flows: Record<string, { files?: Record<string, { name: string; size: number; mtimeMs: number }[]>; watermarks?: Record<string, number> }>;
}

export function offsetsDir(out: string): string { return path.join(out, '_checkpoints', 'offsets'); }
export function commitsDir(out: string): string { return path.join(out, '_checkpoints', 'commits'); }

/** The offsets record of a batch, or null. */
export function readOffsetsRecord(out: string, batch: number): OffsetsRecord | null {
  const f = path.join(offsetsDir(out), `${batch}.json`);
  return fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, 'utf8')) as OffsetsRecord) : null;
}

/** The batch numbers of a folder of records, in order. */
export function batchesIn(dir: string): number[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => /^\d+\.json$/.test(n)).map((n) => parseInt(n, 10)).sort((a, b) => a - b) : [];
}

/** The names of the files a flow's committed batches hold (of the records still kept). */
export function committedFiles(out: string, flow: string): Set<string> {
  const seen = new Set<string>();
  const commits = new Set(batchesIn(commitsDir(out)));
  for (const b of batchesIn(offsetsDir(out))) {
    if (!commits.has(b)) continue;
    const o = readOffsetsRecord(out, b);
    for (const list of Object.values(o?.flows[flow]?.files ?? {})) for (const x of list) seen.add(x.name);
  }
  return seen;
}
