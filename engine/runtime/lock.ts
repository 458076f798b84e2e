/**
 * One writer per output folder.
 *
 * Every command that writes an output folder (`run`, `replay`, `start`, a full
 * refresh; the in-process `PipelineService` and `runPipeline` with `output`)
 * holds `<output>/_lock.json` while it works. Readers (`status`, `show`,
 * `events`, `graph`) take no lock and never wait.
 *
 * - Taking it is atomic: the holder's details are written to a temporary file
 *   that is hard-linked to `_lock.json` (a link fails if the name exists), so
 *   the lock file is never seen half-written. A second writer that finds it
 *   held fails at once with `OUTPUT_LOCKED` naming the holder, and has written
 *   nothing under the output.
 * - A lock whose process no longer runs on this host (same host name, the PID
 *   is gone, belongs to a process started later, or the machine rebooted since)
 *   is stale: it is taken over, with a warning, so a SIGKILL never leaves the
 *   folder locked. Of several processes taking over one stale lock at once,
 *   exactly one wins: each first hard-links its own lock to a claim named after
 *   the stale lock's token (`_lock.json.takeover-<token>`); only one link can
 *   succeed, and the winner renames its lock over the stale one if the lock
 *   file still is that stale lock. A claim whose process died is stale too.
 * - A lock taken on another host is never taken over automatically (its PID
 *   cannot be checked from here); `forceUnlock` (`--force-unlock`) takes any
 *   lock, with a warning.
 * - The lock is released by `release()` (the service's `close`) and at process
 *   exit; a process killed by a signal leaves a stale lock (see above).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { RuntimeFailure } from '../errors.js';

/** The lock file, directly under the output folder. */
export const LOCK_FILE = '_lock.json';

/** What a lock file says about its holder. */
export interface LockHolder {
  pid: number;
  host: string;
  /** The command that holds it (`replay`, `run`, `start`, `runPipeline`, …). */
  command: string;
  /** When the lock was taken (ISO-8601). */
  started: string;
  /** Unique per lock taken: tells one lock from the next one at the same path. */
  token: string;
  /** The holder's command line, for a person reading the error. */
  argv?: string;
  /** Linux: the boot the holder ran in (`/proc/sys/kernel/random/boot_id`). */
  boot?: string;
  /** Linux: the holder process's start time in clock ticks after boot (`/proc/<pid>/stat`), to tell a reused PID. */
  procStart?: string;
}

export interface LockOptions {
  /** Named in the lock file and in the error a second writer gets. */
  command: string;
  /** Take the lock whoever holds it (after a warning). */
  forceUnlock?: boolean;
  /** Where a takeover is reported. */
  logger?: { warn(obj: object, msg?: string): void };
}

/** A lock this process holds. */
export interface OutputLock {
  readonly file: string;
  readonly holder: LockHolder;
  /** The stale or forced lock this one replaced, if any. */
  readonly replaced: LockHolder | null;
  /** Removes the lock file (if it is still this lock's). Idempotent. */
  release(): void;
}

/** How the holder of an existing lock stands, seen from this process. */
export type HolderState = 'running' | 'this-process' | 'stale' | 'other-host' | 'unreadable';

/** How long a writer keeps retrying while another process is taking a stale lock over. */
const BUSY_RETRY_MS = 5000;

// ------------------------------------------------------------------ this process

/** Locks held by this process, by token: shared by every copy of this module loaded in the process. */
const held: Map<string, string> = ((globalThis as Record<symbol, unknown>)[Symbol.for('localdlt.outputLocks')] ??= new Map<string, string>()) as Map<string, string>;

function readText(file: string): string | null {
  try { return fs.readFileSync(file, 'utf8'); } catch { return null; }
}

const bootId = (): string | undefined => readText('/proc/sys/kernel/random/boot_id')?.trim() || undefined;

/** Field 22 of /proc/<pid>/stat (start time after boot, clock ticks); undefined off Linux or when the process is gone. */
function procStartOf(pid: number | 'self'): string | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // the command name (field 2) is in parentheses and may hold spaces: count from the last ')'
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19];
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// ------------------------------------------------------------------ reading a lock

/** A lock file as read: its text, and its holder ('unreadable' when the text is not a lock this engine wrote). */
interface LockRead {
  raw: string;
  holder: LockHolder | 'unreadable';
}

/** The lock file as it is now; null when there is no lock. */
function readLock(file: string): LockRead | null {
  let raw: string;
  try { raw = fs.readFileSync(file, 'utf8'); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return { raw: '', holder: 'unreadable' };
  }
  try {
    const h = JSON.parse(raw) as LockHolder;
    const ok = Number.isInteger(h.pid) && h.pid > 0 && typeof h.host === 'string' && typeof h.token === 'string' && typeof h.command === 'string' && typeof h.started === 'string';
    return { raw, holder: ok ? h : 'unreadable' };
  } catch {
    return { raw, holder: 'unreadable' };
  }
}

/** Whether the holder of a lock still runs. */
export function holderState(h: LockHolder | 'unreadable'): HolderState {
  if (h === 'unreadable') return 'unreadable';
  if (h.host !== os.hostname()) return 'other-host';
  const boot = bootId();
  if (h.boot && boot && h.boot !== boot) return 'stale';
  const ownStart = procStartOf('self');
  if (h.pid === process.pid) {
    if (held.has(h.token)) return 'this-process';
    // this PID, but not a lock this module took: another thread of this process (same start time), or a
    // process that had this PID before (a restarted container); without /proc it is taken as this process
    return h.procStart && ownStart && h.procStart !== ownStart ? 'stale' : 'this-process';
  }
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return 'stale';
    // EPERM: the process exists (another user's)
  }
  // the PID runs, but it may have been given to a process started after the holder died
  const start = h.procStart ? procStartOf(h.pid) : undefined;
  if (start !== undefined && start !== h.procStart) return 'stale';
  return 'running';
}

/** The holder of an output folder's lock, and how it stands (for `status`); null when the folder is not locked. */
export function readOutputLock(output: string): { holder: LockHolder | null; state: HolderState } | null {
  const l = readLock(path.join(output, LOCK_FILE));
  if (l === null) return null;
  return { holder: l.holder === 'unreadable' ? null : l.holder, state: holderState(l.holder) };
}

// ------------------------------------------------------------------ taking a lock

/** "pid 123 on this host (replay, started 2024-01-01T00:00:00.000Z)" */
export function describeHolder(h: LockHolder): string {
  const where = h.host === os.hostname() ? (h.pid === process.pid ? 'this process' : 'this host') : `host ${h.host}`;
  return `pid ${h.pid} on ${where} (${h.command}, started ${h.started})`;
}

function lockedError(output: string, file: string, h: LockHolder | 'unreadable', state: HolderState): RuntimeFailure {
  const dir = path.resolve(output);
  if (h === 'unreadable') {
    return new RuntimeFailure('OUTPUT_LOCKED', `output folder ${dir} is locked: ${file} is not a lock file this engine can read`, { output: dir, lockFile: file, state }, {
      hint: `if no pipeline writes to ${dir}, delete ${file} or run again with --force-unlock`,
    });
  }
  const hint = state === 'other-host'
    ? `a lock from another host is never taken over automatically; if nothing on ${h.host} still writes to ${dir}, run again with --force-unlock (forceUnlock: true in the API)`
    : state === 'this-process'
      ? 'this process already writes to this folder: close the other service (service.close()) or runner first'
      : `wait for it to finish, or stop it (kill ${h.pid}); a lock whose process has died is taken over automatically`;
  return new RuntimeFailure('OUTPUT_LOCKED', `output folder ${dir} is locked by another writer: ${describeHolder(h)}`, {
    output: dir, lockFile: file, pid: h.pid, host: h.host, command: h.command, started: h.started, state,
  }, { hint });
}

function newHolder(command: string): LockHolder {
  const boot = bootId();
  const procStart = procStartOf('self');
  return {
    pid: process.pid, host: os.hostname(), command, started: new Date().toISOString(), token: randomUUID(),
    argv: process.argv.slice(1).join(' ').slice(0, 500),
    ...(boot ? { boot } : {}), ...(procStart ? { procStart } : {}),
  };
}

/** Writes the holder to a temporary file next to the lock, fully, before any link or rename publishes it. */
function writeTemp(file: string, h: LockHolder): string {
  const tmp = `${file}.${h.token}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(h, null, 2) + '\n');
  return tmp;
}

/** Creates the lock file if there is none: true when this process now holds it. */
function tryCreate(file: string, me: LockHolder): boolean {
  const tmp = writeTemp(file, me);
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function claimName(file: string, old: LockRead): string {
  const id = old.holder === 'unreadable' ? createHash('sha256').update(old.raw).digest('hex').slice(0, 32) : old.holder.token.replace(/[^\w-]/g, '').slice(0, 64);
  return `${file}.takeover-${id}`;
}

/**
 * Replaces the lock judged stale (or forced) by this process's own: 'won',
 * 'busy' (another process is taking it over right now: `claimer`) or 'changed'
 * (the lock is not the one judged any more: look again).
 *
 * The claim holds the claimer's own lock (so a claim left by a process that
 * died while taking over is itself seen as stale, and removed); only the
 * claimer may replace the lock, and it does so only if the lock still is the
 * one it judged.
 */
function takeOver(file: string, old: LockRead, me: LockHolder, force: boolean): { result: 'won' | 'changed' } | { result: 'busy'; claimer: LockHolder | 'unreadable' } {
  const claim = claimName(file, old);
  const tmp = writeTemp(file, me);
  try {
    try {
      fs.linkSync(tmp, claim);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const other = readLock(claim);
      if (other === null) return { result: 'changed' };
      const state = holderState(other.holder);
      const dead = state === 'stale' || state === 'unreadable' || (force && state === 'other-host');
      // the claimer died taking over: its claim goes (if it still is that claim), and this process tries again
      if (dead && readText(claim) === other.raw) fs.rmSync(claim, { force: true });
      return dead ? { result: 'changed' } : { result: 'busy', claimer: other.holder };
    }
    try {
      // nobody else can replace the lock while this process holds the claim: if it still is the lock judged,
      // its holder is gone and ours takes its place in one step
      if (readText(file) !== old.raw) return { result: 'changed' };
      fs.renameSync(tmp, file);
      return { result: 'won' };
    } finally {
      fs.rmSync(claim, { force: true });
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Takes the lock of an output folder (creating the folder if needed), or throws
 * `OUTPUT_LOCKED` naming the holder. Call before reading anything under the folder.
 */
export function lockOutput(output: string, options: LockOptions): OutputLock {
  const file = path.join(output, LOCK_FILE);
  const me = newHolder(options.command);
  const mayTake = (state: HolderState) => state === 'stale' || (options.forceUnlock === true && state !== 'this-process');
  let isDir = false;
  try { isDir = fs.statSync(output).isDirectory(); } catch { /* created below */ }
  if (isDir) {
    // a held lock is refused before anything is written
    const l = readLock(file);
    if (l !== null && !mayTake(holderState(l.holder))) throw lockedError(output, file, l.holder, holderState(l.holder));
  } else {
    fs.mkdirSync(output, { recursive: true });
  }
  const deadline = Date.now() + BUSY_RETRY_MS;
  for (;;) {
    const l = readLock(file);
    if (l === null) {
      if (tryCreate(file, me)) return acquired(file, me, null);
      continue; // another writer created it in between: look at it
    }
    const state = holderState(l.holder);
    if (!mayTake(state)) throw lockedError(output, file, l.holder, state);
    const r = takeOver(file, l, me, options.forceUnlock === true);
    if (r.result === 'won') {
      const h = l.holder === 'unreadable' ? null : l.holder;
      const was = h ? describeHolder(h) : 'an unreadable lock file';
      options.logger?.warn({
        event: state === 'stale' ? 'lock_takeover' : 'lock_forced', output: path.resolve(output),
        ...(h ? { pid: h.pid, host: h.host, command: h.command, started: h.started } : {}),
      }, state === 'stale'
        ? `took over the lock of a writer that is no longer running: ${was}`
        : `--force-unlock: took over the lock of ${was}; if that writer still runs, two writers now share this folder`);
      return acquired(file, me, h);
    }
    if (r.result === 'busy') {
      // the process taking it over is the next holder
      if (Date.now() > deadline) throw lockedError(output, file, r.claimer, holderState(r.claimer));
      sleepSync(20);
    }
  }
}

// ------------------------------------------------------------------ releasing

function releaseFile(file: string, token: string): void {
  held.delete(token);
  const l = readLock(file);
  if (l !== null && l.holder !== 'unreadable' && l.holder.token === token) fs.rmSync(file, { force: true });
  if (held.size === 0) uninstallHandlers();
}

function acquired(file: string, me: LockHolder, replaced: LockHolder | null): OutputLock {
  held.set(me.token, file);
  installHandlers();
  let released = false;
  return {
    file, holder: me, replaced,
    release() {
      if (released) return;
      released = true;
      releaseFile(file, me.token);
    },
  };
}

/** Releases every lock this process holds (at exit: synchronous, never throws). */
function releaseAll(): void {
  for (const [token, file] of [...held]) {
    try { releaseFile(file, token); } catch { /* the folder may be gone */ }
  }
}

let installed = false;

/**
 * Locks are released at process exit. A signal without a handler ends the
 * process at once, with no JavaScript run (and a handler would only run when
 * the event loop turns, which a replay may not do for seconds): the lock of a
 * process killed that way is stale and the next writer takes it over. The CLI's
 * `run` and `start` handle SIGINT and SIGTERM themselves and close the service,
 * which releases the lock.
 */
function installHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', releaseAll);
}

function uninstallHandlers(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', releaseAll);
}
