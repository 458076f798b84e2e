/**
 * One writer per output folder (engine/runtime/lock.ts):
 *
 * - two writers started together: exactly one runs; the other exits 2 with
 *   OUTPUT_LOCKED naming it, and a writer refused that way changes no file
 *   under the output (a listing with sizes and mtimes before and after);
 * - readers (status, show, events) run while a writer holds the lock;
 * - a writer killed with SIGKILL leaves a stale lock that the next start takes
 *   over (logged), and the tables then equal a clean run's;
 * - a lock naming another host is refused, and taken with --force-unlock;
 * - several processes taking over one stale lock at once: exactly one wins;
 * - the in-process API (PipelineService, runPipeline with `output`) takes the
 *   same lock and releases it on close, on a failed open, and at the end.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Duck, multisetEqual, type PlainRow } from './helpers/duck.js';
import {
  ENGINE_JS, copyInto, ensureBuilt, generatePool, isPatientFile, isVitalsFile, logLines, readTableViaLog, recordCount, runCli,
  startCli, tableNames, tempDir, waitFor, type LiveChild, type Pool,
} from './helpers/cli.js';
import {
  LOCK_FILE, PipelineService, isPipelineError, lockOutput, readEventLog, readOutputLock, runPipeline, type LockHolder,
} from '../engine/index.js';
import { patientPipeline } from '../layers/pipeline.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const IGNORE = ['_ingested_at'];

let duck: Duck;
let pool: Pool;
let work: string;
let input: string;
const cleanRows = new Map<string, PlainRow[]>();

beforeAll(async () => {
  ensureBuilt();
  duck = await Duck.open();
  work = tempDir('lock');
  pool = await generatePool({ files: 3, rows: 30, seed: 'lock', scenarios: ['dirty', 'vitals-deterioration'] });
  input = path.join(work, 'in');
  copyInto(pool, input, pool.files);
  const clean = path.join(work, 'clean');
  const r = await runCli(['replay', input, '--output', clean, '--max-files-per-trigger', '1']);
  expect(r.code, r.stderr).toBe(0);
  expect(fs.existsSync(path.join(clean, LOCK_FILE)), 'a finished replay leaves no lock').toBe(false);
  for (const t of tableNames(clean)) cleanRows.set(t, await readTableViaLog(duck, clean, t));
});

afterAll(() => {
  duck?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true, maxRetries: 5 });
  if (pool) fs.rmSync(pool.dir, { recursive: true, force: true, maxRetries: 5 });
});

/** Every file and folder under `dir` with its size and mtime (folders: their names only). */
function listing(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const rel = path.relative(dir, p);
      if (e.isDirectory()) { out[rel + '/'] = 'dir'; walk(p); continue; }
      const st = fs.statSync(p);
      out[rel] = `${st.size} bytes, mtime ${st.mtimeMs}`;
    }
  };
  walk(dir);
  return out;
}

function readLockFile(out: string): LockHolder {
  return JSON.parse(fs.readFileSync(path.join(out, LOCK_FILE), 'utf8')) as LockHolder;
}

async function expectTablesEqualClean(out: string): Promise<void> {
  expect(tableNames(out)).toEqual([...cleanRows.keys()]);
  for (const [t, rows] of cleanRows) multisetEqual(await readTableViaLog(duck, out, t), rows, { ignore: IGNORE, label: t });
}

/** The one-line OUTPUT_LOCKED error of a refused writer, checked to name the holder. */
function expectLocked(r: { code: number | null; stderr: string }, holder: { pid: number; command: string; host?: string }): void {
  expect(r.code, r.stderr).toBe(2);
  const line = r.stderr.split('\n').find((l) => l.startsWith('error '));
  expect(line, r.stderr).toMatch(/^error OUTPUT_LOCKED: /);
  expect(line).toContain(`pid ${holder.pid} on ${holder.host ? `host ${holder.host}` : 'this host'} (${holder.command}, started `);
  expect(r.stderr).toMatch(/\n {2}hint: /);
}

const stop = async (c: LiveChild) => {
  c.child.kill('SIGTERM');
  return c.exited;
};

describe('two writers on one output folder', () => {
  it('started together: exactly one runs, the other exits 2 with OUTPUT_LOCKED naming it; refused writers change no file; readers run meanwhile', async () => {
    const out = path.join(work, 'out-two');
    const args = ['run', '--input', input, '--output', out, '--max-files-per-trigger', '1'];
    const a = startCli(args), b = startCli(args);
    let winner: LiveChild | null = null;
    try {
      // watch mode never ends by itself: the one that exits is the one refused
      const first = await Promise.race([a.exited.then((r) => ({ c: a, r })), b.exited.then((r) => ({ c: b, r }))]);
      const loser = first.c;
      winner = loser === a ? b : a;
      expectLocked({ code: first.r.code, stderr: loser.stderr() }, { pid: winner.child.pid!, command: 'run' });
      expect(loser.stdout()).toBe('');
      expect(logLines(loser.stderr()).some((l) => l.msg === 'watching for new files (Ctrl-C to stop)'), 'the refused writer never started').toBe(false);

      // the winner processes every file, then idles
      const w = winner;
      await waitFor('the winner to watch', () => logLines(w.stderr()).some((l) => l.msg === 'watching for new files (Ctrl-C to stop)'), 60_000);
      const patients = recordCount(pool, pool.files.filter(isPatientFile)), vitals = recordCount(pool, pool.files.filter(isVitalsFile));
      await waitFor('every file to be processed', async () => (await readTableViaLog(duck, out, 'patients_bronze')).length === patients && (await readTableViaLog(duck, out, 'vitals_bronze')).length === vitals, 60_000, 200);
      let last = '';
      await waitFor('the winner to be idle', () => { const now = JSON.stringify(listing(out)); const same = now === last; last = now; return same; }, 30_000, 700);
      const holder = readLockFile(out);
      expect(holder).toMatchObject({ pid: winner.child.pid, host: os.hostname(), command: 'run' });

      // refused writers, including a full refresh and the demo, write nothing under the output (nor into their input)
      const before = listing(out);
      const demoInput = path.join(work, 'demo-in');
      fs.mkdirSync(demoInput);
      for (const cmd of [
        ['replay', input, '--output', out],
        ['replay', input, '--output', out, '--full-refresh-all'],
        ['replay', input, '--output', out, '--full-refresh', 'patients_silver'],
        ['run', '--input', input, '--output', out, '--trigger', 'once'],
        ['start', '--input', demoInput, '--output', out, '--every', '1s'],
      ]) {
        const r = await runCli(cmd);
        expectLocked(r, { pid: holder.pid, command: 'run' });
        expect(r.stdout, cmd.join(' ')).toBe('');
        expect(listing(out), `${cmd.join(' ')} changed the output`).toEqual(before);
      }
      expect(fs.readdirSync(demoInput)).toEqual([]);

      // readers take no lock and do not wait for it
      const status = await runCli(['status', '--output', out, '--json']);
      expect(status.code, status.stderr).toBe(0);
      const st = JSON.parse(status.stdout) as { writer: Record<string, unknown>; tables: { name: string; rows: number | null }[] };
      expect(st.writer).toMatchObject({ pid: holder.pid, command: 'run', host: os.hostname(), state: 'running' });
      expect(st.tables.find((t) => t.name === 'patients_bronze')?.rows).toBe(patients);
      const text = await runCli(['status', '--output', out]);
      expect(text.stdout).toContain(`writer pid ${holder.pid} on this host (run, started ${holder.started})`);
      const show = await runCli(['show', 'patients_silver', '--output', out, '--json', '--limit', '0']);
      expect(show.code, show.stderr).toBe(0);
      expect(show.stdout.trim().split('\n')).toHaveLength(cleanRows.get('patients_silver')!.length);
      const events = await runCli(['events', '--output', out, '--type', 'create_update']);
      expect(events.code, events.stderr).toBe(0);
      expect(events.stdout).toContain('create_update');
      expect(listing(out), 'readers changed the output').toEqual(before);
      expect(readLockFile(out).token).toBe(holder.token);
    } finally {
      if (winner) expect((await stop(winner)).code, winner.stderr()).toBe(0);
      for (const c of [a, b]) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    }
    // the winner released the folder on SIGTERM; exactly one update ran on it
    expect(fs.existsSync(path.join(out, LOCK_FILE))).toBe(false);
    const updates = (await readEventLog(out)).filter((e) => e.event_type === 'create_update');
    expect(updates).toHaveLength(1);
    await expectTablesEqualClean(out);
  });
});

describe('a writer killed with SIGKILL', () => {
  it('replay killed mid-batch: the next start takes the stale lock over (logged) and completes; tables equal a clean run', async () => {
    const out = path.join(work, 'out-killed');
    const crashed = await runCli(['replay', input, '--output', out, '--max-files-per-trigger', '1'], { env: { LOCALDLT_CRASH_AT: 'after-table-commit@1' } });
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    const stale = readLockFile(out);
    expect(stale).toMatchObject({ command: 'replay', host: os.hostname() });
    expect(readOutputLock(out)?.state).toBe('stale');
    const status = await runCli(['status', '--output', out, '--json']);
    expect(JSON.parse(status.stdout).writer).toEqual({ pid: stale.pid, host: os.hostname(), command: 'replay', started: stale.started, state: 'stale' });

    const again = await runCli(['replay', input, '--output', out, '--max-files-per-trigger', '1']);
    expect(again.code, again.stderr).toBe(0);
    const takeover = logLines(again.stderr).find((l) => l.event === 'lock_takeover');
    expect(takeover, again.stderr).toMatchObject({ level: 40, pid: stale.pid, command: 'replay', host: os.hostname(), started: stale.started });
    expect(fs.existsSync(path.join(out, LOCK_FILE))).toBe(false);
    expect(fs.readdirSync(out).filter((n) => n.startsWith(LOCK_FILE)), 'no claim or temporary lock file left').toEqual([]);
    await expectTablesEqualClean(out);
  });

  it('watch mode killed while it runs: the next start takes over', async () => {
    const out = path.join(work, 'out-killed-watch');
    const c = startCli(['run', '--input', input, '--output', out, '--max-files-per-trigger', '1']);
    await waitFor('a first batch', () => /^batch 0: /m.test(c.stderr()), 60_000);
    const pid = readLockFile(out).pid;
    expect(pid).toBe(c.child.pid);
    c.child.kill('SIGKILL');
    expect((await c.exited).signal).toBe('SIGKILL');
    expect(readLockFile(out).pid, 'SIGKILL leaves the lock behind').toBe(pid);
    const again = await runCli(['replay', input, '--output', out, '--max-files-per-trigger', '1']);
    expect(again.code, again.stderr).toBe(0);
    expect(logLines(again.stderr).find((l) => l.event === 'lock_takeover')?.pid, again.stderr).toBe(pid);
    await expectTablesEqualClean(out);
  });
});

describe('a lock from another host', () => {
  it('is refused (exit 2, nothing written), and --force-unlock takes it with a warning', async () => {
    const out = path.join(work, 'out-other-host');
    const first = await runCli(['replay', input, '--output', out, '--max-files-per-trigger', '1']);
    expect(first.code, first.stderr).toBe(0);
    // new input after the first run, so the forced run has work to do
    const extra = path.join(work, 'in-other-host');
    copyInto(pool, extra, pool.files);
    const foreign: LockHolder = { pid: 4242, host: 'other-host.invalid', command: 'replay', started: '2026-01-01T00:00:00.000Z', token: 'a-lock-from-elsewhere' };
    fs.writeFileSync(path.join(out, LOCK_FILE), JSON.stringify(foreign));
    const before = listing(out);

    const refused = await runCli(['replay', input, '--output', out]);
    expectLocked(refused, { pid: 4242, command: 'replay', host: 'other-host.invalid' });
    expect(refused.stderr).toContain('--force-unlock');
    expect(listing(out)).toEqual(before);

    const forced = await runCli(['replay', input, '--output', out, '--force-unlock']);
    expect(forced.code, forced.stderr).toBe(0);
    const warning = logLines(forced.stderr).find((l) => l.event === 'lock_forced');
    expect(warning, forced.stderr).toMatchObject({ level: 40, pid: 4242, host: 'other-host.invalid', command: 'replay' });
    expect(fs.existsSync(path.join(out, LOCK_FILE))).toBe(false);
    await expectTablesEqualClean(out);
  });

  it('a status shows it and says only --force-unlock takes it over', async () => {
    const out = path.join(work, 'out-other-host-status');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, LOCK_FILE), JSON.stringify({ pid: 7, host: 'other-host.invalid', command: 'run', started: '2026-01-01T00:00:00.000Z', token: 't' }));
    const r = await runCli(['status', '--output', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).writer).toEqual({ pid: 7, host: 'other-host.invalid', command: 'run', started: '2026-01-01T00:00:00.000Z', state: 'other-host' });
  });
});

// ------------------------------------------------------------------ the race

/**
 * `n` processes call lockOutput on each of `rounds` output folders, all at the
 * same moments (they sleep until a common time per round). Each prints, per
 * round, WON (holding that lock until its stdin closes) or LOCKED <code> <holder pid>.
 */
async function race(outs: string[], n: number): Promise<{ won: number[][]; locked: { pid: number; code: string; holder: number }[][]; release: () => Promise<void> }> {
  const script = path.join(work, 'race.mjs');
  fs.writeFileSync(script, `
import { lockOutput } from ${JSON.stringify(ENGINE_JS)};
const [at, gap, ...outs] = process.argv.slice(2);
const held = [];
const sleep = (ms) => { if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms); };
outs.forEach((out, round) => {
  sleep(Number(at) + round * Number(gap) - Date.now());
  try {
    held.push(lockOutput(out, { command: 'race', logger: { warn: (o) => process.stderr.write(JSON.stringify(o) + '\\n') } }));
    process.stdout.write(round + ' WON ' + process.pid + '\\n');
  } catch (e) {
    process.stdout.write(round + ' LOCKED ' + process.pid + ' ' + e.code + ' ' + (e.params && e.params.pid) + '\\n');
  }
});
process.stdin.on('end', () => { for (const l of held) l.release(); process.exit(0); });
process.stdin.resume();
`);
  const gap = 40;
  const at = Date.now() + 1500 + 150 * n;
  const children = Array.from({ length: n }, () => {
    const c = spawn(process.execPath, [script, String(at), String(gap), ...outs], { stdio: ['pipe', 'pipe', 'pipe'] });
    let text = '', err = '';
    c.stdout.setEncoding('utf8').on('data', (d: string) => { text += d; });
    c.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    const exited = new Promise<void>((r) => c.on('close', () => r()));
    return { c, out: () => text, err: () => err, exited };
  });
  await waitFor('every process to answer every round', () => children.every((k) => k.out().split('\n').length > outs.length || k.c.exitCode !== null), 60_000);
  const won: number[][] = outs.map(() => []);
  const locked: { pid: number; code: string; holder: number }[][] = outs.map(() => []);
  for (const k of children) {
    const lines = k.out().trim().split('\n');
    expect(lines, k.err()).toHaveLength(outs.length);
    for (const line of lines) {
      const [round, word, pid, code, holder] = line.split(' ');
      expect(['WON', 'LOCKED'], `${line} ${k.err()}`).toContain(word);
      if (word === 'WON') won[Number(round)].push(Number(pid));
      else locked[Number(round)].push({ pid: Number(pid), code, holder: Number(holder) });
    }
  }
  return {
    won, locked,
    release: async () => { for (const k of children) k.c.stdin.end(); await Promise.all(children.map((k) => k.exited)); },
  };
}

describe('several processes at once', () => {
  it.each([
    ['no lock yet', false],
    ['one stale lock', true],
  ])('%s: exactly one takes it, the others get OUTPUT_LOCKED naming it', async (_name, withStale) => {
    const outs = Array.from({ length: 40 }, (_, i) => path.join(work, `out-race-${withStale ? 'stale' : 'fresh'}-${i}`));
    // the PID of a process that has ended, on this host
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => gone.on('close', r));
    for (const out of outs) {
      fs.mkdirSync(out);
      if (withStale) fs.writeFileSync(path.join(out, LOCK_FILE), JSON.stringify({ pid: gone.pid, host: os.hostname(), command: 'replay', started: new Date().toISOString(), token: `stale-${path.basename(out)}` }));
    }
    const r = await race(outs, 6);
    try {
      outs.forEach((out, i) => {
        expect(r.won[i], `round ${i}: ${JSON.stringify(r.locked[i])}`).toHaveLength(1);
        expect(r.locked[i]).toHaveLength(5);
        for (const l of r.locked[i]) expect(l).toMatchObject({ code: 'OUTPUT_LOCKED', holder: r.won[i][0] });
        expect(readLockFile(out)).toMatchObject({ pid: r.won[i][0], command: 'race' });
      });
    } finally {
      await r.release();
    }
    for (const out of outs) expect(fs.readdirSync(out), 'released, no claim or temporary file left').toEqual([]);
  });
});

// ------------------------------------------------------------------ in-process

describe('the in-process API takes the same lock', () => {
  const expectLockedError = (e: unknown, state: string) => {
    expect(isPipelineError(e) ? e.code : e).toBe('OUTPUT_LOCKED');
    expect(isPipelineError(e) && e.params).toMatchObject({ pid: process.pid, host: os.hostname(), state });
  };

  it('PipelineService: a second open is refused until the first closes; a closed service runs no batch', async () => {
    const out = path.join(work, 'api-service');
    const first = await PipelineService.open({ pipeline: patientPipeline, input, output: out, maxFilesPerTrigger: 1, command: 'first' });
    expect(readLockFile(out)).toMatchObject({ pid: process.pid, command: 'first' });
    expectLockedError(await PipelineService.open({ pipeline: patientPipeline, input, output: out }).catch((e: unknown) => e), 'this-process');
    expectLockedError(await runPipeline(patientPipeline, { input, output: out }).catch((e: unknown) => e), 'this-process');
    // another process is refused too, naming this one
    const cli = await runCli(['replay', input, '--output', out]);
    expectLocked(cli, { pid: process.pid, command: 'first' });
    await first.service.runAvailableNow();
    await first.service.close('COMPLETED');
    expect(fs.existsSync(path.join(out, LOCK_FILE))).toBe(false);
    const err = await first.service.runAvailableNow().catch((e: unknown) => e);
    expect(isPipelineError(err) && err.code).toBe('OUTPUT_RELEASED');
    const second = await PipelineService.open({ pipeline: patientPipeline, input, output: out });
    await second.service.close('COMPLETED');
    await expectTablesEqualClean(out);
  });

  it('an open that fails releases the lock', async () => {
    const out = path.join(work, 'api-failed-open');
    const a = await PipelineService.open({ pipeline: patientPipeline, input, output: out });
    await a.service.close('COMPLETED');
    const other = path.join(work, 'in-elsewhere');
    fs.mkdirSync(other);
    const e = await PipelineService.open({ pipeline: patientPipeline, input: other, output: out }).catch((x: unknown) => x);
    expect(isPipelineError(e) && e.code).toBe('CHECKPOINT_INPUT_CHANGED');
    expect(fs.existsSync(path.join(out, LOCK_FILE))).toBe(false);
    const b = await PipelineService.open({ pipeline: patientPipeline, input, output: out });
    await b.service.close('COMPLETED');
  });

  it('runPipeline with output holds the lock while it runs and releases it at the end', async () => {
    const out = path.join(work, 'api-run-pipeline');
    const run = await runPipeline(patientPipeline, { input, output: out, maxFilesPerTrigger: 1 });
    expect(run.failure).toBeNull();
    expect(fs.existsSync(path.join(out, LOCK_FILE))).toBe(false);
    const held = lockOutput(out, { command: 'holder' });
    try {
      expectLockedError(await runPipeline(patientPipeline, { input, output: out }).catch((e: unknown) => e), 'this-process');
    } finally {
      held.release();
    }
    const again = await runPipeline(patientPipeline, { input, output: out, maxFilesPerTrigger: 1 });
    expect(again.failure).toBeNull();
  });
});

describe('stale locks of this host', () => {
  const warnings: Record<string, unknown>[] = [];
  const logger = { warn: (o: object) => { warnings.push(o as Record<string, unknown>); } };
  const linux = fs.existsSync('/proc/self/stat');

  it.runIf(linux)('this PID in a lock taken by an earlier process (a restarted container) is stale: its start time differs', () => {
    const out = path.join(work, 'stale-same-pid');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, LOCK_FILE), JSON.stringify({ pid: process.pid, host: os.hostname(), command: 'replay', started: '2026-01-01T00:00:00.000Z', token: 'before-restart', procStart: '1' }));
    const lock = lockOutput(out, { command: 'now', logger });
    expect(lock.replaced).toMatchObject({ token: 'before-restart' });
    expect(warnings.at(-1)).toMatchObject({ event: 'lock_takeover', pid: process.pid });
    lock.release();
  });

  it.runIf(linux)('a lock from before the last reboot is stale', () => {
    const out = path.join(work, 'stale-boot');
    fs.mkdirSync(out);
    // the parent of this process runs, but the lock names another boot
    fs.writeFileSync(path.join(out, LOCK_FILE), JSON.stringify({ pid: process.ppid, host: os.hostname(), command: 'run', started: '2026-01-01T00:00:00.000Z', token: 'old-boot', boot: 'another-boot-id' }));
    expect(readOutputLock(out)?.state).toBe('stale');
    const lock = lockOutput(out, { command: 'now', logger });
    expect(lock.replaced?.token).toBe('old-boot');
    lock.release();
  });

  it('a takeover claim left by a process that died taking over is itself stale', async () => {
    const out = path.join(work, 'stale-claim');
    fs.mkdirSync(out);
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => gone.on('close', r));
    const dead = (token: string) => JSON.stringify({ pid: gone.pid, host: os.hostname(), command: 'replay', started: '2026-01-01T00:00:00.000Z', token });
    fs.writeFileSync(path.join(out, LOCK_FILE), dead('crashed-writer'));
    fs.writeFileSync(path.join(out, `${LOCK_FILE}.takeover-crashed-writer`), dead('crashed-taker'));
    const lock = lockOutput(out, { command: 'now', logger });
    expect(lock.replaced?.token).toBe('crashed-writer');
    expect(fs.readdirSync(out)).toEqual([LOCK_FILE]);
    lock.release();
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('a running process of this host is not taken over; an unreadable lock file is refused unless forced', () => {
    const out = path.join(work, 'live-parent');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, LOCK_FILE), JSON.stringify({ pid: process.ppid, host: os.hostname(), command: 'run', started: '2026-01-01T00:00:00.000Z', token: 'parent' }));
    expect(readOutputLock(out)?.state).toBe('running');
    const e = (() => { try { lockOutput(out, { command: 'now' }); } catch (x) { return x; } })();
    expect(isPipelineError(e) && e.params).toMatchObject({ pid: process.ppid, state: 'running' });
    fs.writeFileSync(path.join(out, LOCK_FILE), 'not json');
    const bad = (() => { try { lockOutput(out, { command: 'now' }); } catch (x) { return x; } })();
    expect(isPipelineError(bad) && bad.code).toBe('OUTPUT_LOCKED');
    expect(isPipelineError(bad) && bad.params.state).toBe('unreadable');
    const forced = lockOutput(out, { command: 'now', forceUnlock: true, logger });
    expect(warnings.at(-1)).toMatchObject({ event: 'lock_forced' });
    forced.release();
    expect(fs.readdirSync(out)).toEqual([]);
  });
});
