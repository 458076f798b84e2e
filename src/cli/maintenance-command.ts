/**
 * Table maintenance by hand: `optimize` (compact small files) and `vacuum`
 * (delete files no retained version references). Both work on the Delta
 * tables of an output folder (`<dir>/tables/*` and the event log
 * `<dir>/system/events`), need no pipeline module, and hold the output
 * folder's lock while they run: with a pipeline running on the folder they
 * exit 2 with OUTPUT_LOCKED and change nothing.
 *
 * Data (the files deleted, the per-table report) goes to stdout; progress to stderr.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, UsageError, type OptionSpec } from './args.js';
import { parseDurationMs } from '../../engine/duration.js';
import { lockOutput } from '../../engine/runtime/lock.js';
import { DeltaTable } from '../../engine/sinks/delta-table.js';
import { eventLogDir, EVENT_LOG_SCHEMA } from '../../engine/events/schema.js';
import { DEFAULT_COMPACTION, compactGroups, planOptimize, type CompactionPolicy } from '../../engine/maintenance/optimize.js';
import { vacuumTable } from '../../engine/maintenance/vacuum.js';
import type { AddAction } from '../../engine/sinks/delta-log.js';
import type { Schema } from '../../engine/ir/types.js';

export const MAINTENANCE_HELP = {
  optimize: `usage: node dist/run.js optimize --output <dir> [--table <t>]

Compacts the small data files of every table of <dir> (or of one table;
"system.events" is the event log) into files of up to 128 MB, as Delta's
OPTIMIZE: one commit per table whose actions carry dataChange: false, so the
rows are unchanged and no streaming reader sees them again. A running pipeline
does this by itself between micro-batches; this command is for a folder at rest.
The removed files are deleted at once, unless the table keeps removed files
(delta.deletedFileRetentionDuration): then run vacuum after the retention.

It holds <dir>/_lock.json while it runs: with a pipeline running on <dir> it
exits 2 with OUTPUT_LOCKED and changes nothing.

options:
  --output <dir>   (default output/)
  --table <t>      only this table
  --force-unlock   take the lock even if another host holds it

example:
  node dist/run.js optimize --output output`,
  vacuum: `usage: node dist/run.js vacuum --output <dir> [--retain <duration>] [--dry-run] [--table <t>]

Deletes the data files no version of the table within the retention period
references: files removed longer ago than the retention, and files no version
lists (left by an interrupted write). Live files and files of versions within
the retention stay, so time travel within it keeps working. Prints the files
deleted (with --dry-run: that would be) to stdout, relative to <dir>.

The retention defaults to the table's delta.deletedFileRetentionDuration (else
7 days); a shorter --retain than the table's is refused (VACUUM_RETENTION_TOO_SHORT).
It holds <dir>/_lock.json while it runs: with a pipeline running on <dir> it
exits 2 with OUTPUT_LOCKED and deletes nothing.

options:
  --output <dir>      (default output/)
  --retain <d>        168h, 7 days, 30m, …
  --dry-run           list, delete nothing
  --table <t>         only this table ("system.events": the event log)
  --force-unlock      take the lock even if another host holds it

example:
  node dist/run.js vacuum --output output --retain 168h --dry-run`,
};

const OPTIONS: Record<string, OptionSpec> = {
  output: {},
  table: {},
  'force-unlock': { flag: true },
  verbose: { flag: true },
  'log-level': {},
  help: { flag: true, aliases: ['h'] },
};

interface TableRef { name: string; dir: string; schema?: Schema; policy: CompactionPolicy }

function dayOf(a: AddAction): string {
  try { return String((JSON.parse(a.stats ?? '{}') as { minValues?: { timestamp?: string } }).minValues?.timestamp ?? '').slice(0, 10); } catch { return ''; }
}

/** The Delta tables of an output folder (those with a `_delta_log`), and the event log. */
function tablesOf(output: string, only: string | undefined, command: string): TableRef[] {
  const out: TableRef[] = [];
  const tablesDir = path.join(output, 'tables');
  let names: string[] = [];
  try { names = fs.readdirSync(tablesDir).sort(); } catch { /* no tables yet */ }
  for (const n of names) if (fs.existsSync(path.join(tablesDir, n, '_delta_log'))) out.push({ name: n, dir: path.join(tablesDir, n), policy: DEFAULT_COMPACTION });
  if (fs.existsSync(path.join(eventLogDir(output), '_delta_log'))) out.push({ name: 'system.events', dir: eventLogDir(output), schema: EVENT_LOG_SCHEMA, policy: { ...DEFAULT_COMPACTION, bucketOf: dayOf } });
  if (only === undefined) return out;
  const t = out.find((x) => x.name === only) ?? out.find((x) => x.name.toLowerCase() === only.toLowerCase());
  if (!t) throw new UsageError(`${command}: ${output} has no table "${only}" (tables: ${out.map((x) => x.name).join(', ') || 'none'})`);
  return [t];
}

function requireOutput(output: string, command: string): void {
  let st: fs.Stats;
  try { st = fs.statSync(output); } catch { throw new UsageError(`${command}: output folder ${output} does not exist (pass --output <dir>)`); }
  if (!st.isDirectory()) throw new UsageError(`${command}: --output ${output} is not a folder`);
}

const warnToStderr = (obj: object, msg: string) => process.stderr.write(`warning: ${msg} ${JSON.stringify(obj)}\n`);

export async function cmdOptimize(argv: string[]): Promise<number> {
  const a = parseArgs(argv, OPTIONS, 'optimize');
  if (a.flags.has('help')) { process.stdout.write(MAINTENANCE_HELP.optimize + '\n'); return 0; }
  if (a.positionals.length) throw new UsageError(`optimize: unexpected argument "${a.positionals[0]}"`);
  const output = a.values.output ?? 'output';
  requireOutput(output, 'optimize');
  const tables = tablesOf(output, a.values.table, 'optimize');
  const lock = lockOutput(output, { command: 'optimize', forceUnlock: a.flags.has('force-unlock'), logger: { warn: warnToStderr } });
  try {
    const lines = ['table\tfiles_before\tfiles_after\tfiles_removed\tfiles_added\tbytes_before\tbytes_after\tms'];
    for (const t of tables) {
      const table = new DeltaTable(t.dir, { warn: warnToStderr });
      const before = [...table.snapshot.files.values()];
      if (table.snapshot.cdcState !== null) {
        // an AUTO CDC target: its files are the key segments its CDC state names; compacting them would break the key index
        process.stderr.write(`${t.name}: an AUTO CDC target, clustered by key in segments; not compacted\n`);
        lines.push([t.name, before.length, before.length, 0, 0, before.reduce((s, x) => s + x.size, 0), before.reduce((s, x) => s + x.size, 0), 0].join('\t'));
        continue;
      }
      const groups = planOptimize(table.snapshot, t.policy);
      const r = await compactGroups(table, groups, { name: t.name, schema: t.schema, auto: false });
      const after = [...table.snapshot.files.values()];
      const bytes = (l: AddAction[]) => l.reduce((s, x) => s + x.size, 0);
      lines.push([t.name, before.length, after.length, r.filesRemoved, r.filesAdded, bytes(before), bytes(after), Math.round(r.ms)].join('\t'));
      process.stderr.write(`${t.name}: ${before.length} → ${after.length} files${r.version >= 0 ? ` (version ${r.version})` : ''}\n`);
    }
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    lock.release();
  }
  return 0;
}

export async function cmdVacuum(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { ...OPTIONS, retain: {}, 'dry-run': { flag: true } }, 'vacuum');
  if (a.flags.has('help')) { process.stdout.write(MAINTENANCE_HELP.vacuum + '\n'); return 0; }
  if (a.positionals.length) throw new UsageError(`vacuum: unexpected argument "${a.positionals[0]}"`);
  const output = a.values.output ?? 'output';
  requireOutput(output, 'vacuum');
  let retainMs: number | undefined;
  if (a.values.retain !== undefined) {
    try { retainMs = parseDurationMs(a.values.retain, '--retain'); } catch (e) { throw new UsageError(`vacuum: ${(e as Error).message}`); }
  }
  const dryRun = a.flags.has('dry-run');
  const tables = tablesOf(output, a.values.table, 'vacuum');
  const lock = lockOutput(output, { command: 'vacuum', forceUnlock: a.flags.has('force-unlock'), logger: { warn: warnToStderr } });
  try {
    for (const t of tables) {
      const r = vacuumTable(new DeltaTable(t.dir, { warn: warnToStderr }), { name: t.name, retainMs, dryRun });
      const rel = path.relative(output, t.dir);
      for (const f of r.files) process.stdout.write(path.join(rel, f) + '\n');
      process.stderr.write(`${t.name}: ${dryRun ? 'would delete' : 'deleted'} ${r.files.length} file${r.files.length === 1 ? '' : 's'} (${r.bytes} bytes), kept ${r.kept}, retention ${Math.round(r.retainMs / 3_600_000)}h\n`);
    }
  } finally {
    lock.release();
  }
  return 0;
}
