/**
 * Helpers for tests that drive the built CLI (`node dist/run.js`) as a child
 * process: running it, generating input folders, and reading the Delta tables
 * it writes, both through DuckDB's `read_parquet` and through an independent
 * reading of the `_delta_log` (written here from the protocol, not imported
 * from the engine).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, type GenerateOptions } from '../../src/generate/index.js';
import { sqlString, type Duck, type PlainRow } from './duck.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The built CLI (LOCALDLT_TEST_DIST points the tests at another build, e.g. of an older commit). */
const DIST = process.env.LOCALDLT_TEST_DIST ? path.resolve(process.env.LOCALDLT_TEST_DIST) : path.join(ROOT, 'dist');
export const RUN_JS = path.join(DIST, 'run.js');
/** The engine's public module as built (for pipeline modules written by tests). */
export const ENGINE_JS = path.join(DIST, 'engine', 'index.js');

/** Builds `dist/` once when it is missing (`npm test` builds first). */
export function ensureBuilt(): void {
  if (fs.existsSync(RUN_JS) && fs.existsSync(ENGINE_JS)) return;
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
}

/** A fresh temporary folder under os.tmpdir(). */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `localdlt-${prefix}-`));
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment of a child: this process's, without fault injection unless asked for. */
function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TZ: 'UTC', NO_COLOR: '1' };
  delete env.LOCALDLT_CRASH_AT;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Runs `node dist/run.js <args>` to its end. */
export function runCli(args: string[], opts: { env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUN_JS, ...args], { cwd: opts.cwd ?? ROOT, env: childEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`timeout: node dist/run.js ${args.join(' ')}\n${stderr}`)); }, opts.timeoutMs ?? 60_000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
  });
}

/** A long-running child (`run` in watch mode) whose output is collected as it comes. */
export interface LiveChild {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the child exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startCli(args: string[], opts: { env?: Record<string, string | undefined>; cwd?: string } = {}): LiveChild {
  const child = spawn(process.execPath, [RUN_JS, ...args], { cwd: opts.cwd ?? ROOT, env: childEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** JSON log lines of a child's stderr (pino writes JSON when stderr is not a terminal). */
export function logLines(stderr: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    try { out.push(JSON.parse(line) as Record<string, unknown>); } catch { /* not a log line */ }
  }
  return out;
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// ------------------------------------------------------------------ input

export interface Pool {
  dir: string;
  /** Data file names (patients and vitals), in byte order. */
  files: string[];
  /** Data records per file, from the generator's ground truth. */
  records: Map<string, number>;
  /** Per-file ground-truth counts (`silver_rows` for patient files). */
  counts: Map<string, { rows: number; silver_rows?: number }>;
  /** Ground-truth totals. */
  totals: { patients: { rows: number; silver_rows: number }; vitals?: { rows: number } };
}

/** Generates a pool of input files (and reads the generator's ground truth). */
export async function generatePool(opts: Omit<GenerateOptions, 'out' | 'everyMs' | 'log'>, dir = tempDir('pool')): Promise<Pool> {
  await generate({ ...opts, out: dir, everyMs: 0, log: null });
  const gt = JSON.parse(fs.readFileSync(path.join(dir, 'ground_truth.json'), 'utf8')) as {
    totals: Pool['totals'];
    files: { file: string; counts: { rows: number; silver_rows?: number } }[];
  };
  const records = new Map(gt.files.map((f) => [f.file, f.counts.rows]));
  const counts = new Map(gt.files.map((f) => [f.file, f.counts]));
  const files = fs.readdirSync(dir).filter((n) => n.endsWith('.csv')).sort();
  return { dir, files, records, counts, totals: gt.totals };
}

/** Copies some files of a pool into a folder (created if needed). */
export function copyInto(pool: Pool, dest: string, names: readonly string[]): void {
  fs.mkdirSync(dest, { recursive: true });
  for (const n of names) fs.copyFileSync(path.join(pool.dir, n), path.join(dest, n));
}

export const isPatientFile = (n: string): boolean => n.startsWith('patients_daily_file_');
export const isVitalsFile = (n: string): boolean => n.startsWith('vitals_');

/** Sum of records of the files of a pool that pass `filter`. */
export function recordCount(pool: Pool, names: readonly string[]): number {
  return names.reduce((s, n) => s + (pool.records.get(n) ?? NaN), 0);
}

// ------------------------------------------------------------------ Delta tables

export function tablesDir(out: string): string {
  return path.join(out, 'tables');
}

/** The table folders of an output. */
export function tableNames(out: string): string[] {
  const d = tablesDir(out);
  if (!fs.existsSync(d)) return [];
  return fs.readdirSync(d).filter((n) => fs.statSync(path.join(d, n)).isDirectory()).sort();
}

export interface LogEntry {
  version: number;
  file: string;
  actions: Record<string, any>[];
}

/** Every `_delta_log/<20 digits>.json` of a table, parsed, in version order. */
export function readLogEntries(tableDir: string): LogEntry[] {
  const logDir = path.join(tableDir, '_delta_log');
  if (!fs.existsSync(logDir)) return [];
  return fs.readdirSync(logDir).filter((n) => /^\d{20}\.json$/.test(n)).sort().map((n) => ({
    version: Number(n.slice(0, 20)),
    file: path.join(logDir, n),
    actions: fs.readFileSync(path.join(logDir, n), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, any>),
  }));
}

/** The live files of a table by replaying its log (add minus remove), and the txn versions. */
export function liveFiles(tableDir: string): { files: Map<string, Record<string, any>>; txn: Map<string, number>; version: number } {
  const files = new Map<string, Record<string, any>>();
  const txn = new Map<string, number>();
  let version = -1;
  for (const e of readLogEntries(tableDir)) {
    for (const a of e.actions) {
      if (a.add) files.set(a.add.path, a.add);
      if (a.remove) files.delete(a.remove.path);
      if (a.txn) txn.set(a.txn.appId, a.txn.version);
    }
    version = e.version;
  }
  return { files, txn, version };
}

/** Parquet files on disk in a table folder (what `read_parquet('<t>/*.parquet')` reads). */
export function parquetOnDisk(tableDir: string): string[] {
  if (!fs.existsSync(tableDir)) return [];
  return fs.readdirSync(tableDir).filter((n) => n.endsWith('.parquet')).sort();
}

/** A table's rows as `read_parquet('<table>/*.parquet')` returns them ([] when the folder holds no Parquet file). */
export async function readTableGlob(duck: Duck, out: string, table: string): Promise<PlainRow[]> {
  const dir = path.join(tablesDir(out), table);
  if (parquetOnDisk(dir).length === 0) return [];
  return duck.all(`SELECT * FROM read_parquet(${sqlString(path.join(dir, '*.parquet'))})`);
}

/** A table's rows read from exactly the files its Delta log lists. */
export async function readTableViaLog(duck: Duck, out: string, table: string): Promise<PlainRow[]> {
  const dir = path.join(tablesDir(out), table);
  const files = [...liveFiles(dir).files.keys()];
  if (files.length === 0) return [];
  return duck.all(`SELECT * FROM read_parquet([${files.map((f) => sqlString(path.join(dir, f))).join(', ')}])`);
}

/** Row count of a table through its log (0 when absent). */
export async function countViaLog(duck: Duck, out: string, table: string): Promise<number> {
  return (await readTableViaLog(duck, out, table)).length;
}
