/**
 * AUTO CDC step tests: events pushed batch by batch through the engine
 * (rowsSource → feed → AUTO CDC target), the target and the flow's metrics
 * checked after each step. SCD type 1 and type 2: in order, out of order,
 * delete then stale update, delete then re-insert, NULL updates with and
 * without IGNORE NULL UPDATES, untracked-only changes, same-sequence ties,
 * truncate, NULL sequences.
 */
import { describe, expect, it } from 'vitest';
import {
  autoCdc, col, definePipeline, PipelineTester, rowsSource, stream, streamingTable,
  type AutoCdcOptions, type CdcMetrics, type Row,
} from '../engine/index.js';

type Ev = { id: string; name?: string | null; city?: string | null; op?: string; seq: number | null };

const feed = streamingTable('feed', { query: rowsSource('ev', { id: 'string', name: 'string', city: 'string', op: 'string', seq: 'long' }) });

function tester(opts: Partial<AutoCdcOptions> = {}, scd: 1 | 2 = 1): PipelineTester {
  const target = streamingTable('t');
  const base: AutoCdcOptions = {
    source: feed, keys: ['id'], sequenceBy: 'seq',
    applyAsDeletes: col('op').eq('DELETE'),
    exceptColumns: scd === 2 ? ['op', 'seq'] : ['op'],
    storedAs: scd,
    ...(scd === 2 ? { trackHistory: ['city'] } : {}),
  };
  return new PipelineTester(definePipeline([feed, target, autoCdc(target, { ...base, ...opts })]), { cdcSegmentKeys: 2 });
}

async function push(t: PipelineTester, events: Ev[]): Promise<CdcMetrics> {
  const r = await t.pushRows({ ev: events.map((e) => ({ id: e.id, name: e.name ?? null, city: e.city ?? null, op: e.op ?? 'UPSERT', seq: e.seq })) });
  expect(r.failure).toBeNull();
  return r.flows.get('t')!.cdc!;
}

async function rows(t: PipelineTester): Promise<Row[]> {
  const out = (await t.table('t')).rows;
  return out.sort((a, b) => String(a.id).localeCompare(String(b.id)) || Number(a.__START_AT ?? 0) - Number(b.__START_AT ?? 0));
}

describe('SCD type 1', () => {
  it('in order: the latest event per key is the row', async () => {
    const t = tester();
    let m = await push(t, [{ id: 'a', name: 'Ann', city: 'Oslo', seq: 1 }, { id: 'b', name: 'Bob', city: 'Rome', seq: 1 }]);
    expect(m).toMatchObject({ num_upserted_rows: 2, num_deleted_rows: 0, num_stale_events: 0 });
    m = await push(t, [{ id: 'a', name: 'Ann', city: 'Bergen', seq: 2 }]);
    expect(m).toMatchObject({ num_upserted_rows: 1, num_target_rows: 2 });
    expect(await rows(t)).toEqual([{ id: 'a', name: 'Ann', city: 'Bergen', seq: 2 }, { id: 'b', name: 'Bob', city: 'Rome', seq: 1 }]);
  });

  it('out of order: an older event arriving later changes nothing and is stale', async () => {
    const t = tester();
    await push(t, [{ id: 'a', name: 'Ann', city: 'Bergen', seq: 5 }]);
    const m = await push(t, [{ id: 'a', name: 'Ann', city: 'Oslo', seq: 3 }]);
    expect(m).toMatchObject({ num_upserted_rows: 0, num_stale_events: 1 });
    expect(await rows(t)).toEqual([{ id: 'a', name: 'Ann', city: 'Bergen', seq: 5 }]);
  });

  it('a delete keeps a tombstone: a stale update does not bring the row back, a newer one does', async () => {
    const t = tester();
    await push(t, [{ id: 'a', name: 'Ann', city: 'Oslo', seq: 1 }]);
    let m = await push(t, [{ id: 'a', op: 'DELETE', seq: 10 }]);
    expect(m).toMatchObject({ num_deleted_rows: 1, num_target_rows: 0 });
    m = await push(t, [{ id: 'a', name: 'Ann', city: 'Rome', seq: 5 }]);
    expect(m).toMatchObject({ num_upserted_rows: 0, num_stale_events: 1 });
    expect(await rows(t)).toEqual([]);
    m = await push(t, [{ id: 'a', name: 'Ann', city: 'Paris', seq: 12 }]);
    expect(m).toMatchObject({ num_upserted_rows: 1 });
    expect(await rows(t)).toEqual([{ id: 'a', name: 'Ann', city: 'Paris', seq: 12 }]);
  });

  it('a delete of a key never seen keeps a tombstone too', async () => {
    const t = tester();
    await push(t, [{ id: 'z', op: 'DELETE', seq: 9 }]);
    await push(t, [{ id: 'z', name: 'Zoe', city: 'Oslo', seq: 4 }]);
    expect(await rows(t)).toEqual([]);
  });

  it('without IGNORE NULL UPDATES the highest-sequence event wins whole, NULLs included', async () => {
    const t = tester();
    await push(t, [{ id: 'a', name: 'Ann', city: 'Oslo', seq: 1 }]);
    await push(t, [{ id: 'a', name: 'Anna', city: null, seq: 2 }]);
    expect(await rows(t)).toEqual([{ id: 'a', name: 'Anna', city: null, seq: 2 }]);
  });

  it('IGNORE NULL UPDATES: each column takes the value of the highest-sequence event that supplied one, in any order', async () => {
    const events: Ev[] = [
      { id: 'a', name: 'Ann', city: 'Oslo', seq: 1 },
      { id: 'a', name: 'Anna', city: null, seq: 3 },
      { id: 'a', name: 'Annie', city: 'Rome', seq: 2 }, // late: supplies city (stored from seq 1), not name (seq 3)
    ];
    for (const order of [[0, 1, 2], [2, 1, 0], [1, 0, 2]]) {
      const t = tester({ ignoreNullUpdates: true });
      for (const i of order) await push(t, [events[i]]);
      expect(await rows(t)).toEqual([{ id: 'a', name: 'Anna', city: 'Rome', seq: 3 }]);
    }
  });

  it('IGNORE NULL UPDATES: a delete supplies NULL to every column', async () => {
    const t = tester({ ignoreNullUpdates: true });
    await push(t, [{ id: 'a', name: 'Ann', city: 'Oslo', seq: 1 }]);
    await push(t, [{ id: 'a', name: 'Bea', city: null, seq: 3 }]);
    await push(t, [{ id: 'a', op: 'DELETE', seq: 2 }]);
    expect(await rows(t)).toEqual([{ id: 'a', name: 'Bea', city: null, seq: 3 }]);
  });

  it('IGNORE NULL UPDATES on some columns only', async () => {
    const t = tester({ ignoreNullUpdates: ['city'] });
    await push(t, [{ id: 'a', name: 'Ann', city: 'Oslo', seq: 1 }]);
    await push(t, [{ id: 'a', name: null, city: null, seq: 2 }]);
    expect(await rows(t)).toEqual([{ id: 'a', name: null, city: 'Oslo', seq: 2 }]);
  });

  it('same sequence: a DELETE wins, else the row that sorts greatest as text, whatever the arrival order; ties are counted', async () => {
    for (const flip of [false, true]) {
      const t = tester();
      const pair: Ev[] = [{ id: 'a', name: 'Ann', city: 'Oslo', seq: 4 }, { id: 'a', name: 'Ann', city: 'Rome', seq: 4 }];
      const m1 = await push(t, [flip ? pair[1] : pair[0]]);
      const m2 = await push(t, [flip ? pair[0] : pair[1]]);
      expect(m1.num_sequence_ties + m2.num_sequence_ties).toBe(1);
      expect(await rows(t)).toEqual([{ id: 'a', name: 'Ann', city: 'Rome', seq: 4 }]);
      const m3 = await push(t, [{ id: 'a', op: 'DELETE', seq: 4 }]);
      expect(m3).toMatchObject({ num_sequence_ties: 1, num_deleted_rows: 1 });
      expect(await rows(t)).toEqual([]);
    }
    // in one batch
    const t = tester();
    const m = await push(t, [{ id: 'b', op: 'DELETE', seq: 7 }, { id: 'b', name: 'Zed', city: 'Zurich', seq: 7 }]);
    expect(m.num_sequence_ties).toBe(2);
    expect(await rows(t)).toEqual([]);
  });

  it('a re-sent event is the same event: no tie, counted stale', async () => {
    const t = tester();
    const e: Ev = { id: 'a', name: 'Ann', city: 'Oslo', seq: 1 };
    await push(t, [e]);
    const m = await push(t, [e]);
    expect(m).toMatchObject({ num_sequence_ties: 0, num_stale_events: 1, num_upserted_rows: 0 });
    expect(await rows(t)).toEqual([{ id: 'a', name: 'Ann', city: 'Oslo', seq: 1 }]);
  });

  it('an event with a NULL sequence is not applied, and counted', async () => {
    const t = tester();
    const m = await push(t, [{ id: 'a', name: 'Ann', city: 'Oslo', seq: null }, { id: 'b', name: 'Bob', city: 'Rome', seq: 1 }]);
    expect(m).toMatchObject({ num_null_sequence_events: 1, num_upserted_rows: 1 });
    expect((await rows(t)).map((r) => r.id)).toEqual(['b']);
  });

  it('APPLY AS TRUNCATE empties the table; events at or before it stay void, later ones apply', async () => {
    const t = tester({ applyAsTruncates: col('op').eq('TRUNCATE') });
    await push(t, [{ id: 'a', name: 'Ann', city: 'Oslo', seq: 1 }, { id: 'b', name: 'Bob', city: 'Rome', seq: 8 }, { id: 'c', name: 'Cy', city: 'Nice', seq: 2 }]);
    const m = await push(t, [{ id: 'x', op: 'TRUNCATE', seq: 5 }]);
    expect(m).toMatchObject({ num_truncates: 1 });
    expect((await rows(t)).map((r) => r.id)).toEqual(['b']);
    await push(t, [{ id: 'a', name: 'Ann', city: 'Lyon', seq: 3 }, { id: 'd', name: 'Di', city: 'Pisa', seq: 4 }, { id: 'c', name: 'Cy', city: 'Bonn', seq: 6 }]);
    expect(await rows(t)).toEqual([{ id: 'b', name: 'Bob', city: 'Rome', seq: 8 }, { id: 'c', name: 'Cy', city: 'Bonn', seq: 6 }]);
  });

  it('several segments: keys spread over files, each batch rewrites only the files of its keys', async () => {
    const t = tester();
    await push(t, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((id) => ({ id, name: id, city: 'X', seq: 1 })));
    const m = await push(t, [{ id: 'b', name: 'b', city: 'Y', seq: 2 }]);
    expect(m.num_files_rewritten).toBe(1);
    expect(m.num_files_added).toBe(1);
    expect(m.bytes_written).toBeLessThanOrEqual(m.table_bytes);
    expect((await rows(t)).find((r) => r.id === 'b')!.city).toBe('Y');
    expect(await rows(t)).toHaveLength(8);
  });
});

describe('SCD type 2', () => {
  const v = (id: string, name: string | null, city: string | null, s: number, e: number | null) => ({ id, name, city, __START_AT: s, __END_AT: e });

  it('in order: a tracked change closes the current version and opens one; a delete closes it', async () => {
    const t = tester({}, 2);
    await push(t, [{ id: 'a', name: 'Ann', city: 'Oslo', seq: 1 }]);
    let m = await push(t, [{ id: 'a', name: 'Ann', city: 'Rome', seq: 4 }]);
    expect(m).toMatchObject({ num_versions_opened: 1, num_versions_closed: 1 });
    m = await push(t, [{ id: 'a', op: 'DELETE', seq: 6 }]);
    expect(m).toMatchObject({ num_versions_opened: 0, num_versions_closed: 1, num_deleted_rows: 1 });
    expect(await rows(t)).toEqual([v('a', 'Ann', 'Oslo', 1, 4), v('a', 'Ann', 'Rome', 4, 6)]);
  });

  it('a change of untracked columns updates the current version in place', async () => {
    const t = tester({}, 2);
    await push(t, [{ id: 'a', name: 'Ann', city: 'Oslo', seq: 1 }]);
    const m = await push(t, [{ id: 'a', name: 'Anna', city: 'Oslo', seq: 3 }]);
    expect(m).toMatchObject({ num_versions_opened: 0, num_versions_closed: 0, num_upserted_rows: 1 });
    expect(await rows(t)).toEqual([v('a', 'Anna', 'Oslo', 1, null)]);
  });

  it('out of order: a late event splits the version that covered its time; later boundaries stay consistent', async () => {
    const t = tester({}, 2);
    await push(t, [{ id: 'a', name: 'Ann', city: 'Oslo', seq: 1 }, { id: 'a', name: 'Ann', city: 'Pisa', seq: 5 }]);
    await push(t, [{ id: 'a', name: 'Ann', city: 'Rome', seq: 3 }]);
    expect(await rows(t)).toEqual([v('a', 'Ann', 'Oslo', 1, 3), v('a', 'Ann', 'Rome', 3, 5), v('a', 'Ann', 'Pisa', 5, null)]);
    // a late delete inside a version closes it there; the next event opens again
    await push(t, [{ id: 'a', op: 'DELETE', seq: 2 }]);
    expect(await rows(t)).toEqual([v('a', 'Ann', 'Oslo', 1, 2), v('a', 'Ann', 'Rome', 3, 5), v('a', 'Ann', 'Pisa', 5, null)]);
  });

  it('consecutive versions with equal tracked columns are one version, whatever the arrival order', async () => {
    const events: Ev[] = [
      { id: 'a', name: 'Ann', city: 'Oslo', seq: 1 },
      { id: 'a', name: 'Ann', city: 'Rome', seq: 3 },
      { id: 'a', name: 'Anna', city: 'Rome', seq: 2 },
    ];
    for (const order of [[0, 1, 2], [0, 2, 1], [2, 1, 0], [1, 2, 0]]) {
      const t = tester({}, 2);
      for (const i of order) await push(t, [events[i]]);
      // Rome from 2 on (the event at 3 changes nothing tracked: the version keeps its latest untracked values)
      expect(await rows(t)).toEqual([v('a', 'Ann', 'Oslo', 1, 2), v('a', 'Ann', 'Rome', 2, null)]);
    }
  });

  it('a late untracked change inside an older version does not open a version', async () => {
    const t = tester({}, 2);
    await push(t, [{ id: 'a', name: 'Ann', city: 'Oslo', seq: 1 }, { id: 'a', name: 'Ann', city: 'Rome', seq: 5 }]);
    await push(t, [{ id: 'a', name: 'Annie', city: 'Oslo', seq: 3 }]);
    expect(await rows(t)).toEqual([v('a', 'Annie', 'Oslo', 1, 5), v('a', 'Ann', 'Rome', 5, null)]);
  });

  it('delete then re-insert opens a new version after the gap; a delete with no open version does nothing', async () => {
    const t = tester({}, 2);
    await push(t, [{ id: 'a', op: 'DELETE', seq: 1 }]);
    expect(await rows(t)).toEqual([]);
    await push(t, [{ id: 'a', name: 'Ann', city: 'Oslo', seq: 2 }, { id: 'a', op: 'DELETE', seq: 4 }]);
    await push(t, [{ id: 'a', name: 'Ann', city: 'Oslo', seq: 6 }]);
    expect(await rows(t)).toEqual([v('a', 'Ann', 'Oslo', 2, 4), v('a', 'Ann', 'Oslo', 6, null)]);
    // a stale update inside the gap lands there as its own version
    await push(t, [{ id: 'a', name: 'Ann', city: 'Rome', seq: 5 }]);
    expect(await rows(t)).toEqual([v('a', 'Ann', 'Oslo', 2, 4), v('a', 'Ann', 'Rome', 5, 6), v('a', 'Ann', 'Oslo', 6, null)]);
  });

  it('same sequence: a DELETE wins; otherwise the greatest row, and no zero-length version', async () => {
    const t = tester({}, 2);
    await push(t, [{ id: 'a', name: 'Ann', city: 'Rome', seq: 3 }, { id: 'a', name: 'Ann', city: 'Oslo', seq: 1 }]);
    await push(t, [{ id: 'a', name: 'Ann', city: 'Pisa', seq: 3 }]);
    expect(await rows(t)).toEqual([v('a', 'Ann', 'Oslo', 1, 3), v('a', 'Ann', 'Rome', 3, null)]);
    const m = await push(t, [{ id: 'a', op: 'DELETE', seq: 3 }]);
    expect(m.num_sequence_ties).toBe(1);
    expect(await rows(t)).toEqual([v('a', 'Ann', 'Oslo', 1, 3)]);
  });

  it('IGNORE NULL UPDATES: a NULL keeps the value, also in history', async () => {
    const t = tester({ ignoreNullUpdates: true }, 2);
    await push(t, [{ id: 'a', name: 'Ann', city: 'Oslo', seq: 1 }, { id: 'a', name: null, city: 'Rome', seq: 2 }]);
    await push(t, [{ id: 'a', name: 'Bea', city: null, seq: 3 }]);
    expect(await rows(t)).toEqual([v('a', 'Ann', 'Oslo', 1, 2), v('a', 'Bea', 'Rome', 2, null)]);
  });

  it('every column tracked by default', async () => {
    const t = tester({ trackHistory: undefined }, 2);
    await push(t, [{ id: 'a', name: 'Ann', city: 'Oslo', seq: 1 }, { id: 'a', name: 'Anna', city: 'Oslo', seq: 2 }]);
    expect(await rows(t)).toEqual([v('a', 'Ann', 'Oslo', 1, 2), v('a', 'Anna', 'Oslo', 2, null)]);
  });
});
