/** Scratch folders under one temporary root (removed after the file's tests), and folder hashes. */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll } from 'vitest';

/** A function making fresh folders under a temporary root that is removed after the calling file's tests. */
export function scratchDirs(prefix: string): () => string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  let n = 0;
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  return () => {
    const d = path.join(root, `d${n++}`);
    fs.mkdirSync(d);
    return d;
  };
}

/** File name -> sha256 of its bytes, for every file of a folder. */
export function hashDir(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir).sort()) out[f] = createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex');
  return out;
}
