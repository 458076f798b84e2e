/**
 * Key tables beyond their memory budget: sorted runs on disk (engine/state/runs.ts).
 *
 * A spilled table must answer exactly as an in-memory one (the reference is a
 * plain Set of key texts, or the same operator without a spill folder), across
 * flushes, merges, snapshots, change logs and restores from a copy of the files.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { afterAll, describe, expect, it } from 'vitest';
import { batchFromRows, batchToRows } from '../engine/batch.js';
import type { Schema } from '../engine/ir/types.js';
import { DedupOperator } from '../engine/operators/dedup.js';
import { Hash128Set } from '../engine/operators/keys.js';
import { DistinctTable } from '../engine/operators/distinct-table.js';
import { BLOCK, RunFileError, RunStore, sortKeys } from '../engine/state/runs.js';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'spill-test-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const folder = (name: string): string => {
  const d = path.join(scratch, `${name}-${n++}`);
  fs.mkdirSync(d, { recursive: true });
  return d;
};
const runFiles = (dir: string): string[] => fs.readdirSync(dir).filter((f) => f.endsWith('.run')).sort();

/** A deterministic pseudo-random generator. */
function rng(seed: number): (k: number) => number {
  let s = seed;
  return (k) => { s = (s * 1103515245 + 12345) % 2147483648; return s % k; };
}

describe('sortKeys', () => {
  it('orders 128-bit keys as unsigned numbers, word by word, values travelling with their keys', () => {
    const r = rng(3);
    const count = 2000;
    const keys = new Uint32Array(count * 4);
    const values = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      // few distinct first words, so later words decide often; some above 2^31
      keys[i * 4] = r(4) * 0x40000000 + r(3);
      keys[i * 4 + 1] = r(2) ? 0xffffffff - r(5) : r(5);
      keys[i * 4 + 2] = r(1 << 30) * 2;
      keys[i * 4 + 3] = i;
      values[i] = i * 1.5;
    }
    const sorted = sortKeys(keys, values, count);
    const big = (k: Uint32Array, i: number) => (BigInt(k[i * 4]) << 96n) | (BigInt(k[i * 4 + 1]) << 64n) | (BigInt(k[i * 4 + 2]) << 32n) | BigInt(k[i * 4 + 3]);
    const expected = Array.from({ length: count }, (_, i) => i).sort((a, b) => (big(keys, a) < big(keys, b) ? -1 : 1));
    for (let i = 0; i < count; i++) {
      expect(big(sorted.keys, i)).toBe(big(keys, expected[i]));
      expect(sorted.values![i]).toBe(values[expected[i]]);
    }
  });
});

describe('a key set spilled to runs', () => {
  it('answers as a Set of the keys, through flushes and merges; the manifest reopens it; files no state names are removed', () => {
    const dir = folder('set');
    const set = new Hash128Set();
    set.spillTo(RunStore.create(dir, 0), 100);
    const ref = new Set<string>();
    const r = rng(7);
    // 3000 adds over ~2000 distinct keys: many repeats, some of keys long spilled
    for (let i = 0; i < 3000; i++) {
      const key = `key-${r(2000)}`;
      expect(set.addKey(key), key).toBe(!ref.has(key));
      ref.add(key);
    }
    expect(set.total).toBe(ref.size);
    expect(set.size).toBeLessThan(100);
    const runs = set.runs!;
    // merged by size: about log2(keys / budget) runs, not one per flush
    const manifest = runs.manifest();
    expect(manifest.runs.length).toBeGreaterThan(0);
    expect(manifest.runs.length).toBeLessThanOrEqual(Math.ceil(Math.log2(ref.size / 100)) + 1);
    expect(manifest.runs.reduce((a, x) => a + x.count, 0) + set.size).toBe(ref.size);
    // runs merged away are deleted at once when no checkpoint named them
    expect(runFiles(dir)).toEqual(manifest.runs.map((x) => `${x.id}.run`).sort());

    // reopen from the manifest: every key is there, keys never added are not
    fs.writeFileSync(path.join(dir, '999.run'), 'left by an abandoned batch');
    const reopened = new Hash128Set();
    reopened.spillTo(RunStore.open(dir, 0, manifest), 100);
    expect(runFiles(dir)).not.toContain('999.run');
    const inMemory = set.toBytes();
    reopened.addPacked(inMemory);
    for (const key of ref) expect(reopened.hasKey(key) || reopened.addKey(key) === false, key).toBe(true);
    for (let i = 0; i < 500; i++) expect(reopened.addKey(`other-${i}`)).toBe(true);
  });

  it('a run named by a checkpoint stays until the checkpoint after the one that stopped naming it', () => {
    const dir = folder('retire');
    const set = new Hash128Set();
    set.spillTo(RunStore.create(dir, 0), 10);
    for (let i = 0; i < 10; i++) set.addKey(`a${i}`); // one run
    const m1 = set.runs!.manifest();
    expect(m1.runs).toHaveLength(1);
    const first = `${m1.runs[0].id}.run`;
    for (let i = 0; i < 10; i++) set.addKey(`b${i}`); // a second run, merged with the first
    expect(runFiles(dir)).toContain(first); // the state of checkpoint 1 can still be loaded
    const m2 = set.runs!.manifest();
    expect(m2.runs.map((x) => `${x.id}.run`)).not.toContain(first);
    expect(runFiles(dir)).toContain(first); // checkpoint 2 may not commit: 1 is still the one a restart loads
    set.runs!.collect(); // the next checkpoint: 2 committed
    expect(runFiles(dir)).not.toContain(first);
  });

  it('a new store (an operator reset) in a folder holding a loaded state\'s runs writes new files beside them, and removes them only after two checkpoints', () => {
    const dir = folder('reset');
    const old = new Hash128Set();
    old.spillTo(RunStore.create(dir, 0), 5);
    for (let i = 0; i < 5; i++) old.addKey(`old${i}`);
    const m = old.runs!.manifest();
    const before = runFiles(dir);
    const bytes = before.map((f) => fs.readFileSync(path.join(dir, f)));
    const fresh = new Hash128Set();
    fresh.spillTo(RunStore.create(dir, 0), 5);
    for (let i = 0; i < 5; i++) fresh.addKey(`new${i}`);
    // the old files are untouched: a restart before the next commit still loads them
    before.forEach((f, i) => expect(fs.readFileSync(path.join(dir, f))).toEqual(bytes[i]));
    fresh.runs!.manifest(); // checkpoint 1 of the new store
    expect(runFiles(dir)).toEqual(expect.arrayContaining(before));
    fresh.runs!.collect(); // checkpoint 2: checkpoint 1 committed, nothing names the old runs
    expect(runFiles(dir).filter((f) => before.includes(f))).toEqual([]);
    expect(m.runs.length).toBe(1);
  });

  it('a damaged run file is refused with RunFileError naming it', () => {
    const dir = folder('damaged');
    const set = new Hash128Set();
    set.spillTo(RunStore.create(dir, 0), 3 * BLOCK);
    for (let i = 0; i < 3 * BLOCK; i++) set.addKey(`k${i}`);
    const m = set.runs!.manifest();
    set.runs!.close();
    const file = path.join(dir, `${m.runs[0].id}.run`);
    const bytes = fs.readFileSync(file);
    for (const damage of [bytes.subarray(0, bytes.length - 7), Buffer.concat([Buffer.from('garbage!'), bytes.subarray(8)]), Buffer.alloc(0)]) {
      fs.writeFileSync(file, damage);
      let err: unknown;
      try { RunStore.open(dir, 0, m); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(RunFileError);
      expect((err as RunFileError).file).toBe(file);
    }
    fs.rmSync(file);
    expect(() => RunStore.open(dir, 0, m)).toThrow(RunFileError);
  });
});

describe('dropDuplicates with keys spilled to disk', () => {
  const schema: Schema = [{ name: 'id', type: 'string' }, { name: 'day', type: 'date' }, { name: 'n', type: 'int' }];

  // spilled when the memory budget is reached, or by the snapshots (at 8 keys) long before the budget is
  it.each([
    ['the memory budget', { maxKeys: 16 }],
    ['the snapshots', { maxKeys: 100_000, snapshotKeys: 8 }],
  ] as const)('keeps the same rows as an in-memory operator, restored from snapshot + change logs at every batch (spilled by %s)', (_what, budget) => {
    const live = folder('dedup-live');
    const spilled = new DedupOperator(schema, ['id', 'day']);
    spilled.useSpill({ dir: live, ...budget });
    const reference = new DedupOperator(schema, ['id', 'day']);
    const files: { kind: 'snapshot' | 'delta'; bytes: Uint8Array }[] = [];
    const r = rng(21);
    let row = 0;
    for (let b = 0; b < 25; b++) {
      const rows = Array.from({ length: 10 + r(40) }, () => ({ id: r(9) === 0 ? null : `patient-${r(150)}`, day: r(7) === 0 ? null : 19_700 + r(5), n: row++ }));
      const batch = batchFromRows(schema, rows);
      const got = batchToRows(spilled.process(batch));
      expect(got, `batch ${b}`).toEqual(batchToRows(reference.process(batch)));
      expect(spilled.stateSize).toBe(reference.stateSize);
      // as the service checkpoints: a snapshot when asked for (a new run set always asks), else a change log
      const snapshot = spilled.wantsSnapshot || b % 8 === 0;
      files.push(snapshot ? { kind: 'snapshot', bytes: spilled.snapshot() } : { kind: 'delta', bytes: spilled.changes() });
      // a snapshot holds fewer keys than its spill threshold: the rest are in runs
      if (snapshot && 'snapshotKeys' in budget) expect((v8.deserialize(files[files.length - 1].bytes) as { keys: Uint8Array }).keys.byteLength / 16).toBeLessThan(budget.snapshotKeys);
      // a restart from a copy of the checkpoint continues exactly as the live operator
      let base = files.length - 1;
      while (files[base].kind !== 'snapshot') base--;
      const copy = folder('dedup-restore');
      fs.cpSync(live, copy, { recursive: true });
      const restored = new DedupOperator(schema, ['id', 'day']);
      restored.useSpill({ dir: copy, ...budget });
      restored.loadSnapshot(files[base].bytes);
      for (let k = base + 1; k < files.length; k++) restored.applyChanges(files[k].bytes);
      expect(restored.stateSize).toBe(reference.stateSize);
      const probe = batchFromRows(schema, Array.from({ length: 30 }, () => ({ id: `patient-${r(200)}`, day: 19_700 + r(6), n: -1 })));
      const referenceCopy = new DedupOperator(schema, ['id', 'day']);
      referenceCopy.loadSnapshot(reference.snapshot());
      expect(batchToRows(restored.process(probe))).toEqual(batchToRows(referenceCopy.process(probe)));
    }
    expect(runFiles(live).length).toBeGreaterThan(0);
  });
});

describe('count-distinct pairs spilled to disk', () => {
  it('a pair on disk with a pruned first pane but a live later one keeps counting once, also when loading spills (a smaller budget)', () => {
    const dir = folder('distinct');
    const t = new DistinctTable();
    t.spillTo(RunStore.create(dir, 8), 4);
    for (const v of ['x', 'a', 'b', 'c']) expect(t.add(v, 1)).toBe(DistinctTable.NEW); // the 4th spills them to a run
    expect(t.size).toBe(0);
    expect(t.add('x', 5)).toBe(DistinctTable.NEW_PANE); // found on disk
    expect(t.previous).toEqual([1]);
    t.prune(2); // panes <= 2 closed; x still lives in pane 5
    t.add('d', 6);
    t.add('e', 6);
    const saved = t.save();
    for (const maxKeys of [4, 1]) {
      const copy = folder('distinct-restore');
      fs.cpSync(dir, copy, { recursive: true });
      const u = DistinctTable.load(structuredClone(saved), { dir: copy, maxKeys });
      // x was in pane 5: a row in pane 6 counts only in windows without pane 5
      expect(u.add('x', 6), `budget ${maxKeys}`).toBe(DistinctTable.NEW_PANE);
      expect(u.previous, `budget ${maxKeys}`).toContain(5);
      expect(u.add('x', 5)).toBe(DistinctTable.SEEN);
      expect(u.add('d', 6)).toBe(DistinctTable.SEEN);
    }
  });

  it('a save writes the in-memory pairs as a run first once there are enough; loaded, the table answers as before', () => {
    const dir = folder('distinct-save');
    const t = new DistinctTable();
    t.spillTo(RunStore.create(dir, 8), 1000, 5);
    const r = rng(5);
    const pairs = Array.from({ length: 40 }, () => [`v${r(30)}`, 1 + r(3)] as const);
    const answers = pairs.map(([v, pane]) => t.add(v, pane));
    expect(runFiles(dir)).toEqual([]);
    const saved = t.save();
    expect(t.size).toBe(0);
    expect(saved.hashes.length).toBe(0);
    expect(runFiles(dir).length).toBe(1);
    const copy = folder('distinct-save-restore');
    fs.cpSync(dir, copy, { recursive: true });
    const u = DistinctTable.load(structuredClone(saved), { dir: copy, maxKeys: 1000, snapshotKeys: 5 });
    const reference = new DistinctTable();
    pairs.forEach(([v, pane], i) => expect(reference.add(v, pane)).toBe(answers[i]));
    for (const [v, pane] of [['v1', 1], ['v2', 4], ['v77', 2], ['v3', 2], ['v3', 9]] as const) expect(u.add(v, pane), `${v} ${pane}`).toBe(reference.add(v, pane));
  });
});
