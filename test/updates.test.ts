/**
 * The patient updates feed (`--updates`) and its ground truth: the SCD1 and
 * SCD2 states and the quarantine in `updates_ground_truth.json` equal what
 * DuckDB computes with window functions over the generated CSVs; the feed has
 * every kind of event it claims; it is deterministic per seed and changes no
 * other file; the fold's semantics on small hand-made feeds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldUpdates, generate, parseGenerateArgs, type GenerateOptions, type UpdateEvent } from '../src/generate/index.js';
import { hashDir, scratchDirs } from './helpers/dirs.js';
import { Duck, multisetEqual, sqlString, type PlainRow } from './helpers/duck.js';

const tmpDir = scratchDirs('localdlt-updates-');

const quiet = { log: null, everyMs: 0 } satisfies Partial<GenerateOptions>;

interface Truth {
  counts: Record<string, number> & { quarantine_reasons: Record<string, number> };
  files: { file: string; rows: number; valid_events: number; quarantined: number; generated?: Record<string, number> }[];
  quarantine: { file: string; line: number; reason: string }[];
  patients_current: PlainRow[];
  patients_history: PlainRow[];
}
const readTruth = (dir: string): Truth => JSON.parse(fs.readFileSync(path.join(dir, 'updates_ground_truth.json'), 'utf8')) as Truth;

const NULLS = new Set(['', 'null', 'na', 'n/a', 'nan', 'none']);
const cl = (v: string | undefined): string | null => (v === undefined || NULLS.has(v.trim().toLowerCase()) ? null : v.trim());

/** The valid events of the feed, re-read with a plain split (the feed never quotes). */
function readEvents(dir: string): (UpdateEvent & { file: string })[] {
  const out: (UpdateEvent & { file: string })[] = [];
  for (const f of fs.readdirSync(dir).filter((n) => n.startsWith('patient_updates_')).sort()) {
    const lines = fs.readFileSync(path.join(dir, f), 'latin1').split('\n').slice(1, -1);
    for (const l of lines) {
      const [pid, name, address, contact, ins, op, at] = l.split(',').map(cl);
      if (pid === null || at === null || (op !== 'UPSERT' && op !== 'DELETE')) continue;
      out.push({ file: f, patient_id: pid, name, address, contact_number: contact, insurance_id: ins, op, seq: Date.parse(at) });
    }
  }
  return out;
}

describe('updates feed vs DuckDB window functions', { timeout: 120_000 }, () => {
  let dir: string;
  let truth: Truth;
  let duck: Duck;
  const TS = `'%Y-%m-%dT%H:%M:%SZ'`;

  beforeAll(async () => {
    dir = tmpDir();
    await generate({ ...quiet, out: dir, files: 12, rows: 300, updateRows: 200, seed: 77, updates: true, scenarios: ['dirty'], vitals: true });
    truth = readTruth(dir);
    duck = await Duck.open();
    await duck.run(`CREATE MACRO cl(x) AS CASE WHEN x IS NULL OR lower(trim(x)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(x) END`);
    await duck.run(`CREATE TABLE raw AS SELECT regexp_extract(filename, '[^/]+$') AS file, * EXCLUDE (filename)
      FROM read_csv(${sqlString(path.join(dir, 'patient_updates_*.csv'))}, header = true, auto_detect = false, filename = true, quote = '', escape = '',
        columns = {'patient_id': 'VARCHAR', 'name': 'VARCHAR', 'address': 'VARCHAR', 'contact_number': 'VARCHAR', 'insurance_id': 'VARCHAR', 'op': 'VARCHAR', 'updated_at': 'VARCHAR'})`);
    await duck.run(`CREATE TABLE lines AS SELECT file, row_number() OVER (PARTITION BY file ORDER BY rowid) + 1 AS line,
      cl(patient_id) AS pid, cl(name) AS name, cl(address) AS address, cl(contact_number) AS contact_number, cl(insurance_id) AS insurance_id,
      cl(op) AS op, try_strptime(cl(updated_at), ${TS}) AS ts FROM raw`);
    // the valid events, exact re-sends collapsed, then one event per (key, sequence): DELETE wins, else the greatest row
    await duck.run(`CREATE TABLE win AS SELECT * EXCLUDE (rn) FROM (
      SELECT *, row_number() OVER (PARTITION BY pid, ts ORDER BY op = 'DELETE' DESC, name DESC NULLS LAST, address DESC NULLS LAST,
        contact_number DESC NULLS LAST, insurance_id DESC NULLS LAST) AS rn
      FROM (SELECT DISTINCT pid, name, address, contact_number, insurance_id, op, ts FROM lines
            WHERE pid IS NOT NULL AND ts IS NOT NULL AND op IN ('UPSERT', 'DELETE'))) WHERE rn = 1`);
  });
  afterAll(() => duck?.close());

  it('quarantine: every row with a NULL patient_id or updated_at or an unknown op, with its reason', async () => {
    const expected = await duck.all(`SELECT file, line, CASE WHEN pid IS NULL THEN 'null_patient_id' WHEN ts IS NULL THEN 'null_updated_at' ELSE 'unknown_op' END AS reason
      FROM lines WHERE pid IS NULL OR ts IS NULL OR op IS NULL OR op NOT IN ('UPSERT', 'DELETE')`);
    expect(expected.length).toBeGreaterThan(100);
    multisetEqual(truth.quarantine as unknown as PlainRow[], expected, { label: 'quarantine' });
    for (const r of ['null_patient_id', 'null_updated_at', 'unknown_op']) expect(truth.counts.quarantine_reasons[r], r).toBeGreaterThan(10);
  });

  it('patients_current (SCD1): the winning event of the highest sequence, deleted keys absent', async () => {
    const expected = await duck.all(`SELECT pid AS patient_id, name, address, contact_number, insurance_id, strftime(ts, ${TS}) AS updated_at
      FROM (SELECT *, row_number() OVER (PARTITION BY pid ORDER BY ts DESC) AS r FROM win) WHERE r = 1 AND op = 'UPSERT'`);
    expect(expected.length).toBeGreaterThan(200);
    multisetEqual(truth.patients_current, expected, { label: 'patients_current' });
    const ids = truth.patients_current.map((r) => r.patient_id as string);
    expect(ids).toEqual([...ids].sort());
  });

  it('patients_history (SCD2): versions on tracked changes, insurance_id in place, deletes close', async () => {
    await duck.run(`CREATE TABLE marked AS SELECT *,
      CASE WHEN op = 'UPSERT' AND (lag(op) OVER w IS NULL OR lag(op) OVER w = 'DELETE' OR name IS DISTINCT FROM lag(name) OVER w
        OR address IS DISTINCT FROM lag(address) OVER w OR contact_number IS DISTINCT FROM lag(contact_number) OVER w) THEN 1 ELSE 0 END AS starts
      FROM win WINDOW w AS (PARTITION BY pid ORDER BY ts)`);
    await duck.run(`CREATE TABLE grouped AS SELECT *,
      sum(starts) OVER (PARTITION BY pid ORDER BY ts ROWS UNBOUNDED PRECEDING) AS g,
      min(CASE WHEN starts = 1 OR op = 'DELETE' THEN ts END) OVER (PARTITION BY pid ORDER BY ts ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_boundary
      FROM marked`);
    const expected = await duck.all(`SELECT s.pid AS patient_id, s.name, s.address, s.contact_number, i.insurance_id,
        strftime(s.ts, ${TS}) AS __START_AT, strftime(s.next_boundary, ${TS}) AS __END_AT
      FROM grouped s JOIN (SELECT pid, g, first(insurance_id ORDER BY ts DESC) AS insurance_id FROM grouped WHERE op = 'UPSERT' GROUP BY pid, g) i
        ON i.pid = s.pid AND i.g = s.g
      WHERE s.starts = 1`);
    expect(expected.length).toBeGreaterThan(truth.patients_current.length);
    multisetEqual(truth.patients_history, expected, { label: 'patients_history' });
    // the current versions are the SCD1 rows' tracked columns
    const open = truth.patients_history.filter((h) => h.__END_AT === null);
    expect(open.map((h) => [h.patient_id, h.name, h.address, h.contact_number, h.insurance_id]))
      .toEqual(truth.patients_current.map((c) => [c.patient_id, c.name, c.address, c.contact_number, c.insurance_id]));
  });

  it('the feed holds every kind of event: multi-version histories, deletes, re-inserts, stale updates after deletes, late events across files, re-sends and ties', async () => {
    const gen: Record<string, number> = {};
    for (const f of truth.files) for (const [k, n] of Object.entries(f.generated ?? {})) gen[k] = (gen[k] ?? 0) + n;
    for (const k of ['registration', 'move', 'phone_change', 'name_correction', 'insurance_change', 'erasure', 'reregistration', 'late', 'resent', 'tie']) {
      expect(gen[k] ?? 0, k).toBeGreaterThan(0);
    }
    const events = readEvents(dir);
    const byKey = new Map<string, typeof events>();
    for (const e of events) byKey.set(e.patient_id, [...(byKey.get(e.patient_id) ?? []), e]);
    let lateAcrossFiles = 0, staleAfterDelete = 0, reinserted = 0, exactResends = 0, ties = 0;
    for (const evs of byKey.values()) {
      const seen = new Set<string>();
      for (let i = 0; i < evs.length; i++) {
        const e = evs[i];
        const text = JSON.stringify([e.op, e.seq, e.name, e.address, e.contact_number, e.insurance_id]);
        if (seen.has(text)) exactResends++;
        seen.add(text);
        // an event in a later file with an earlier sequence than one of an earlier file
        if (evs.some((x) => x.file < e.file && x.seq > e.seq)) lateAcrossFiles++;
        // an UPSERT delivered after a DELETE of a higher sequence
        if (e.op === 'UPSERT' && evs.slice(0, i).some((x) => x.op === 'DELETE' && x.seq > e.seq)) staleAfterDelete++;
        if (evs.some((x) => x.seq === e.seq && x !== e && (x.op !== e.op || x.contact_number !== e.contact_number))) ties++;
      }
      const sorted = [...evs].sort((a, b) => a.seq - b.seq);
      if (sorted.some((x, i) => x.op === 'DELETE' && sorted.slice(i + 1).some((y) => y.op === 'UPSERT' && y.seq > x.seq))) reinserted++;
    }
    expect({ lateAcrossFiles: lateAcrossFiles > 0, staleAfterDelete: staleAfterDelete > 0, reinserted: reinserted > 0, exactResends: exactResends > 0, ties: ties > 0 })
      .toEqual({ lateAcrossFiles: true, staleAfterDelete: true, reinserted: true, exactResends: true, ties: true });
    const versions = new Map<unknown, number>();
    for (const h of truth.patients_history) versions.set(h.patient_id, (versions.get(h.patient_id) ?? 0) + 1);
    expect(Math.max(...versions.values())).toBeGreaterThanOrEqual(4);
    expect(truth.counts.deletes).toBeGreaterThan(5);
    expect(truth.counts.resent_events).toBeGreaterThan(0);
    expect(truth.counts.sequence_ties).toBeGreaterThan(0);
  });

  it('every patient of the feed appears in the admissions feed', () => {
    const admitted = new Set<string>();
    for (const f of fs.readdirSync(dir).filter((n) => n.startsWith('patients_daily_file_'))) {
      for (const l of fs.readFileSync(path.join(dir, f), 'latin1').split(/\r?\n/).slice(1)) admitted.add(l.split(',')[0]);
    }
    const events = readEvents(dir);
    expect(events.length).toBeGreaterThan(1000);
    for (const e of events) expect(admitted.has(e.patient_id), e.patient_id).toBe(true);
  });
});

describe('updates feed: determinism and independence', { timeout: 120_000 }, () => {
  const base = { ...quiet, files: 6, rows: 200, seed: 31, vitals: true, scenarios: ['schema-drift', 'dirty'] } as const;
  const opts = (o: Partial<GenerateOptions>): GenerateOptions => ({ ...base, scenarios: [...base.scenarios], out: '', ...o });

  it('--updates is a flag and --update-rows a count', () => {
    expect(parseGenerateArgs(['--out', 'x', '--updates', '--update-rows', '25'])).toEqual({ out: 'x', updates: true, updateRows: 25 });
    expect(() => parseGenerateArgs(['--out', 'x', '--updates=yes'])).toThrow(/--updates takes no value/);
    expect(() => parseGenerateArgs(['--out', 'x', '--update-rows', '-1'])).toThrow(/--update-rows must be an integer/);
  });

  it('the same seed writes the same feed and ground truth; another seed another feed', async () => {
    const [a, b, c] = [tmpDir(), tmpDir(), tmpDir()];
    await generate(opts({ out: a, updates: true }));
    await generate(opts({ out: b, updates: true }));
    await generate(opts({ out: c, updates: true, seed: 32 }));
    const ha = hashDir(a);
    expect(Object.keys(ha).filter((f) => f.startsWith('patient_updates_'))).toHaveLength(6);
    expect(ha['updates_ground_truth.json']).toBeDefined();
    expect(hashDir(b)).toEqual(ha);
    expect(hashDir(c)['patient_updates_000003.csv']).not.toBe(ha['patient_updates_000003.csv']);
  });

  it('--updates changes no byte of the other files', async () => {
    const [withUpdates, without] = [tmpDir(), tmpDir()];
    await generate(opts({ out: withUpdates, updates: true, updateRows: 500 }));
    await generate(opts({ out: without }));
    const hw = hashDir(withUpdates);
    const ho = hashDir(without);
    expect(Object.keys(ho).length).toBe(13);
    for (const f of Object.keys(ho)) expect(hw[f], f).toBe(ho[f]);
  });

  it('a restarted run appends the files and the ground truth an uninterrupted run writes', async () => {
    const [whole, parts] = [tmpDir(), tmpDir()];
    // (schema-drift moves with the number of files of a run, so not here)
    const o = { updates: true, updateRows: 60, scenarios: ['dirty' as const] };
    await generate(opts({ ...o, out: whole }));
    await generate(opts({ ...o, out: parts, files: 4 }));
    await generate(opts({ ...o, out: parts, files: 2 }));
    const hw = hashDir(whole);
    const hp = hashDir(parts);
    for (const f of Object.keys(hw)) if (f.startsWith('patient_updates_')) expect(hp[f], f).toBe(hw[f]);
    const [tw, tp] = [readTruth(whole), readTruth(parts)];
    expect(tp.files).toEqual(tw.files);
    expect(tp.quarantine).toEqual(tw.quarantine);
    expect(tp.patients_current).toEqual(tw.patients_current);
    expect(tp.patients_history).toEqual(tw.patients_history);
  });
});

describe('the fold (SCD1 and SCD2) on small feeds', () => {
  const T = (h: number): number => Date.UTC(2024, 0, 1, h);
  const at = (h: number): string => `2024-01-01T${String(h).padStart(2, '0')}:00:00Z`;
  const up = (h: number, name: string, address: string, contact: string | null, ins: string | null = 'I1', id = 'P1'): UpdateEvent =>
    ({ patient_id: id, name, address, contact_number: contact, insurance_id: ins, op: 'UPSERT', seq: T(h) });
  const del = (h: number, id = 'P1'): UpdateEvent => ({ patient_id: id, name: null, address: null, contact_number: null, insurance_id: null, op: 'DELETE', seq: T(h) });
  const hist = (evs: UpdateEvent[]): [string | null, string | null, string | null][] =>
    foldUpdates(evs).history.map((h) => [h.address, h.__START_AT, h.__END_AT]);

  it('in order and out of order give the same states; a late event splits the version that covered its time', () => {
    const evs = [up(1, 'Ann', 'A', '1'), up(3, 'Ann', 'C', '1'), up(2, 'Ann', 'B', '1')];
    expect(hist(evs)).toEqual([['A', at(1), at(2)], ['B', at(2), at(3)], ['C', at(3), null]]);
    expect(foldUpdates(evs)).toEqual(foldUpdates([...evs].reverse()));
    expect(foldUpdates(evs).current).toEqual([{ patient_id: 'P1', name: 'Ann', address: 'C', contact_number: '1', insurance_id: 'I1', updated_at: at(3) }]);
  });

  it('untracked changes update the open version in place; equal tracked columns are one version', () => {
    const f = foldUpdates([up(1, 'Ann', 'A', '1', 'I1'), up(2, 'Ann', 'A', '1', 'I2'), up(3, 'Ann', 'A', '1', 'I2')]);
    expect(f.history).toEqual([{ patient_id: 'P1', name: 'Ann', address: 'A', contact_number: '1', insurance_id: 'I2', __START_AT: at(1), __END_AT: null }]);
    // NULL equals NULL among tracked columns
    expect(foldUpdates([up(1, 'Ann', 'A', null), up(2, 'Ann', 'A', null)]).history).toHaveLength(1);
    expect(foldUpdates([up(1, 'Ann', 'A', null), up(2, 'Ann', 'A', '2')]).history).toHaveLength(2);
  });

  it('a delete closes the version and removes the key; a stale update after it changes nothing; a later upsert re-creates', () => {
    const deleted = [up(1, 'Ann', 'A', '1'), del(3), up(2, 'Ann', 'B', '1')];
    expect(hist(deleted)).toEqual([['A', at(1), at(2)], ['B', at(2), at(3)]]);
    expect(foldUpdates(deleted).current).toEqual([]);
    const back = [...deleted, up(5, 'Ann', 'B', '1'), del(4)];
    expect(hist(back)).toEqual([['A', at(1), at(2)], ['B', at(2), at(3)], ['B', at(5), null]]);
    expect(foldUpdates(back).current.map((r) => r.updated_at)).toEqual([at(5)]);
    // a delete of a key that has no version does nothing in SCD2
    expect(foldUpdates([del(1), up(2, 'Ann', 'A', '1')]).history).toHaveLength(1);
  });

  it('ties: a DELETE wins; otherwise the greatest row as text; exact re-sends are one event', () => {
    const a = up(2, 'Ann', 'A', '555-1'), b = up(2, 'Ann', 'A', '555-2');
    for (const evs of [[up(1, 'Ann', 'A', '1'), a, b], [b, up(1, 'Ann', 'A', '1'), a]]) {
      const f = foldUpdates(evs);
      expect(f.current[0].contact_number).toBe('555-2');
      expect(f.sequenceTies).toBe(1);
    }
    const d = foldUpdates([up(1, 'Ann', 'A', '1'), up(2, 'Zed', 'Z', '9'), del(2), up(2, 'Ann', 'A', '1')]);
    expect(d.current).toEqual([]);
    expect(d.deleteWonTies).toBe(1);
    expect(hist([up(1, 'Ann', 'A', '1'), up(2, 'Zed', 'Z', '9'), del(2)])).toEqual([['A', at(1), at(2)]]);
    const r = foldUpdates([a, { ...a }, { ...a }]);
    expect([r.resentEvents, r.sequenceTies, r.history.length]).toEqual([2, 0, 1]);
  });

  it('keys are independent and come out sorted', () => {
    const f = foldUpdates([up(1, 'Bo', 'B', '1', 'I', 'P2'), up(1, 'Al', 'A', '1', 'I', 'P1'), del(2, 'P2')]);
    expect(f.current.map((r) => r.patient_id)).toEqual(['P1']);
    expect(f.history.map((h) => [h.patient_id, h.__END_AT])).toEqual([['P1', null], ['P2', at(2)]]);
  });
});
