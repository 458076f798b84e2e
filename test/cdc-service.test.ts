/**
 * AUTO CDC targets in the patient pipeline, through the command line: the
 * change feed's tables, `purge` (erasure that a replay does not undo, an
 * event in the event log, the gold view recomputed), `--full-refresh` of a
 * CDC target (tombstones forgotten, the feed reprocessed), `status` with the
 * flow's metrics, and a `skipChangeCommits` reader seeing only commits that
 * add rows.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { autoCdc, col, definePipeline, PipelineTester, rowsSource, stream, streamingTable } from '../engine/index.js';
import { Duck, type PlainRow } from './helpers/duck.js';
import { ensureBuilt, liveFiles, parquetOnDisk, readTableGlob, readTableViaLog, runCli, tempDir } from './helpers/cli.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const HEADER = 'patient_id,name,address,contact_number,insurance_id,op,updated_at';
const ADMISSIONS = 'patient_id,name,age,gender,address,contact_number,admission_date,diagnosis_code\n'
  + 'P1,Ann,34,F,1 Quay St,555-1,2024-03-05,D001\nP2,Ben,40,M,2 Mill Ln,555-2,2024-03-01,D002\nP3,Cy,51,F,3 Elm St,555-3,2024-03-02,D003\n';

let work: string;
let duck: Duck;
beforeAll(async () => { ensureBuilt(); work = tempDir('cdc-service'); duck = await Duck.open(); });
afterAll(() => { duck?.close(); if (work) fs.rmSync(work, { recursive: true, force: true, maxRetries: 5 }); });

function setup(name: string): { input: string; output: string; write: (file: string, lines: string[]) => void } {
  const input = path.join(work, name, 'in');
  fs.mkdirSync(input, { recursive: true });
  fs.writeFileSync(path.join(input, 'patients_daily_file_001.csv'), ADMISSIONS);
  return { input, output: path.join(work, name, 'out'), write: (file, lines) => fs.writeFileSync(path.join(input, file), [HEADER, ...lines, ''].join('\n')) };
}

const replay = async (input: string, output: string, ...extra: string[]) => {
  const r = await runCli(['replay', input, '--output', output, '--log-level', 'warn', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return r;
};
const rows = async (output: string, t: string): Promise<PlainRow[]> => {
  const viaLog = await readTableViaLog(duck, output, t);
  // after a clean stop the folder holds exactly the live files
  expect(parquetOnDisk(path.join(output, 'tables', t))).toEqual([...liveFiles(path.join(output, 'tables', t)).files.keys()].sort());
  return viaLog;
};
const ids = (rs: PlainRow[]) => rs.map((r) => r.patient_id).sort();

describe('the patient change feed', () => {
  it('purge erases every row and version of a key, keeps its tombstone, logs it, and recomputes the gold view', async () => {
    const { input, output, write } = setup('purge');
    write('patient_updates_000001.csv', [
      'P1,Ann,1 Quay St,555-1,I1,UPSERT,2024-03-01T10:00:00Z',
      'P1,Ann,7 New Rd,555-1,I1,UPSERT,2024-03-10T10:00:00Z',
      'P2,Ben,2 Mill Ln,555-2,I2,UPSERT,2024-02-01T00:00:00Z',
    ]);
    await replay(input, output);
    expect(ids(await rows(output, 'patients_current'))).toEqual(['P1', 'P2']);
    expect((await rows(output, 'patients_history')).filter((r) => r.patient_id === 'P1')).toHaveLength(2);
    expect((await rows(output, 'admissions_with_address')).find((r) => r.patient_id === 'P1')!.address_at_admission).toBe('1 Quay St');

    for (const table of ['patients_current', 'patients_history']) {
      const r = await runCli(['purge', '--output', output, '--table', table, '--key', 'P1,P9']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/purged 1 of 2 keys/);
    }
    expect(ids(await rows(output, 'patients_current'))).toEqual(['P2']);
    expect(ids(await rows(output, 'patients_history'))).toEqual(['P2']);
    expect((await rows(output, 'admissions_with_address')).find((r) => r.patient_id === 'P1')!.address_at_admission).toBeNull();
    const events = await duck.all(`SELECT details, origin FROM read_parquet('${path.join(output, 'system', 'events', '*.parquet')}') WHERE event_type = 'purge'`);
    expect(events).toHaveLength(2);
    const purges = events.map((e) => JSON.parse(String(e.details)).purge).sort((a, b) => a.table.localeCompare(b.table));
    expect(purges[0]).toMatchObject({ table: 'patients_current', keys: 2, keys_not_found: 1, rows_removed: 1 });
    expect(purges[1]).toMatchObject({ table: 'patients_history', keys: 2, keys_not_found: 1, rows_removed: 2 });
    expect(JSON.stringify(purges)).not.toContain('P1');

    // a re-sent old event does not bring the key back; a newer one does
    write('patient_updates_000002.csv', ['P1,Ann,1 Quay St,555-1,I1,UPSERT,2024-03-01T10:00:00Z', 'P1,Ann,7 New Rd,555-1,I1,UPSERT,2024-03-10T10:00:00Z']);
    await replay(input, output);
    expect(ids(await rows(output, 'patients_current'))).toEqual(['P2']);
    expect(ids(await rows(output, 'patients_history'))).toEqual(['P2']);
    write('patient_updates_000003.csv', ['P1,Ann,8 Late Rd,555-1,I1,UPSERT,2024-04-01T00:00:00Z']);
    await replay(input, output);
    expect((await rows(output, 'patients_current')).find((r) => r.patient_id === 'P1')!.address).toBe('8 Late Rd');
    expect((await rows(output, 'patients_history')).filter((r) => r.patient_id === 'P1').map((r) => r.address)).toEqual(['8 Late Rd']);

    // status shows the flow's metrics
    const st = await runCli(['status', '--output', output, '--json']);
    const cur = JSON.parse(st.stdout).tables.find((t: { name: string }) => t.name === 'patients_current');
    expect(cur.cdc).toMatchObject({ num_upserted_rows: 3, num_deleted_rows: 0 });
    expect(cur.cdc.num_stale_events).toBe(2);
    // errors: not a CDC target, a key of the wrong shape
    const bad = await runCli(['purge', '--output', output, '--table', 'patients_silver', '--key', 'P1']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('NOT_A_CDC_TARGET');
  });

  it('--full-refresh of a CDC target forgets its tombstones and reprocesses the feed', async () => {
    const { input, output, write } = setup('refresh');
    write('patient_updates_000001.csv', ['P1,Ann,1 Quay St,555-1,I1,UPSERT,2024-03-01T10:00:00Z', 'P2,Ben,2 Mill Ln,555-2,I2,UPSERT,2024-02-01T00:00:00Z']);
    await replay(input, output);
    const p = await runCli(['purge', '--output', output, '--table', 'patients_current', '--key', 'P1']);
    expect(p.code, p.stderr).toBe(0);
    expect(ids(await rows(output, 'patients_current'))).toEqual(['P2']);
    await replay(input, output, '--full-refresh', 'patients_current');
    expect(ids(await rows(output, 'patients_current'))).toEqual(['P1', 'P2']);
    // the history was rebuilt from the same feed too (it is downstream of the re-read source), and equals a fresh run
    const fresh = path.join(work, 'refresh', 'fresh');
    await replay(input, fresh);
    for (const t of ['patients_current', 'patients_history']) expect(await rows(output, t)).toEqual(expect.arrayContaining(await rows(fresh, t)));
    expect(await readTableGlob(duck, output, 'patients_current')).toHaveLength(2);
  });
});

describe('stream(t, { skipChangeCommits: true }) of an AUTO CDC target', () => {
  it('sees the rows of commits that only add files, and none of a commit that rewrites', async () => {
    const feed = streamingTable('feed', { query: rowsSource('ev', { id: 'string', v: 'string', seq: 'long' }) });
    const cur = streamingTable('cur');
    const inserts = streamingTable('inserts', { query: stream(cur, { skipChangeCommits: true }) });
    const t = new PipelineTester(definePipeline([feed, cur, autoCdc(cur, { source: feed, keys: ['id'], sequenceBy: 'seq', applyAsDeletes: col('v').eq('DEL') }), inserts]), { cdcSegmentKeys: 2 });
    await t.pushRows({ ev: [{ id: 'a', v: 'x', seq: 1 }, { id: 'b', v: 'y', seq: 1 }] });
    expect(t.emitted('inserts').map((r) => r.id).sort()).toEqual(['a', 'b']);
    // an update rewrites a file: nothing reaches the reader
    await t.pushRows({ ev: [{ id: 'a', v: 'z', seq: 2 }] });
    expect(t.emitted('inserts')).toEqual([]);
    // new keys past a full last segment go to a new file: an append the reader sees
    await t.pushRows({ ev: [{ id: 'c', v: 'w', seq: 3 }, { id: 'd', v: 'w', seq: 3 }] });
    expect(t.emitted('inserts').map((r) => r.id).sort()).toEqual(['c', 'd']);
    expect((await t.table('cur')).rows.map((r) => r.v).sort()).toEqual(['w', 'w', 'y', 'z']);
  });
});

describe('table maintenance and AUTO CDC targets', () => {
  it('auto-compaction leaves a CDC target\'s key segments alone (its state names them), and the target stays exact', async () => {
    const { PipelineService } = await import('../engine/runtime/service.js');
    const { patientUpdatesBronze, patientUpdatesClean, patientsCurrent, patientsCurrentFlow } = await import('../layers/updates.js');
    const pipeline = definePipeline([patientUpdatesBronze, patientUpdatesClean, patientsCurrent, patientsCurrentFlow], { name: 'cdc_upkeep' });
    const { input, output, write } = setup('upkeep');
    fs.rmSync(path.join(input, 'patients_daily_file_001.csv'));
    const { service } = await PipelineService.open({ pipeline, input, output, cdcSegmentKeys: 2 });
    const expected = new Map<string, string>();
    try {
      // 24 batches of new keys and moves: many small segment files, more than a compaction tier holds
      for (let b = 1; b <= 24; b++) {
        const lines: string[] = [];
        for (const k of [b, b + 100, (b * 7) % 24 + 1]) {
          const id = `P${String(k).padStart(3, '0')}`;
          const addr = `${b} Road ${k}`;
          lines.push(`${id},N${k},${addr},555-${k},I${k},UPSERT,2024-03-01T00:00:${String(b).padStart(2, '0')}Z`);
          expected.set(id, addr);
        }
        write(`patient_updates_${String(b).padStart(6, '0')}.csv`, lines);
        await service.runAvailableNow();
        await service.maintain();
      }
    } finally {
      await service.close('COMPLETED');
    }
    const dir = path.join(output, 'tables', 'patients_current');
    expect(liveFiles(dir).files.size).toBeGreaterThan(10);
    const got = await rows(output, 'patients_current');
    expect(new Map(got.map((r) => [String(r.patient_id), String(r.address)]))).toEqual(expected);
    // the optimize command skips it too
    const r = await runCli(['optimize', '--output', output, '--table', 'patients_current']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('AUTO CDC target');
    expect(await rows(output, 'patients_current')).toEqual(got);
  });
});
