/**
 * The inspect commands: what is in an output folder, without reading JSON by hand.
 *
 * - `status`: each table's kind, layer, rows, files, last update, expectation
 *   pass rates and watermark (from the Delta logs and the event log);
 * - `show <table>`: rows as an aligned table, JSON lines or CSV, filtered by a
 *   `--where` condition (comparisons, AND, OR, NOT, IS [NOT] NULL);
 * - `events`: the event log, newest last.
 *
 * Data goes to stdout, notes to stderr. Output fits the terminal (80 columns
 * when stdout is not a terminal); colours only on a terminal (and not with NO_COLOR).
 */
import * as path from 'node:path';
import { parseArgs, intOption, UsageError, type OptionSpec } from './args.js';
import { loadPipeline } from './pipeline-module.js';
import { PIPELINE_OPTIONS } from './pipeline-options.js';
import { parseDurationMs, eventLogDir, type DataType, type PipelineEvent, type Value } from '../../engine/index.js';
import { formatDate, formatTimestamp } from '../../engine/sources/csv-values.js';
import { isNumeric } from '../../engine/ir/types.js';
import { parseWhere } from './where.js';
import { readOutputLock, describeHolder } from '../../engine/runtime/lock.js';
import { MASK, OutputReader, REDACTED_COLUMNS, requireOutput } from './output-reader.js';

export { parseWhere, filterWhere } from './where.js';
export { summarizeEvents, REDACTED_COLUMNS } from './output-reader.js';

// ------------------------------------------------------------------ help

export const INSPECT_HELP: Record<'status' | 'show' | 'events', string> = {
  status: `usage: node dist/run.js status [--output <dir>] [--pipeline <module.js>] [--json]

Shows what the last runs left in <dir>: the last update and its state, the
writer that holds the folder now (if any: status itself takes no lock), then for
each dataset its kind, layer (the "quality" property), rows, data files and
last commit time, the pass rate of each expectation (summed over the event log
since the table's last full refresh), the last batch's status and the
event-time watermark.

options:
  --output <dir>          tables and event log (default output/)
  --pipeline <module.js>  describe the output with this pipeline module (default: the datasets
                          the event log defines, so any pipeline's output is described)
  --json                  one JSON object instead of the table

example:
  node dist/run.js status --output /tmp/out`,
  show: `usage: node dist/run.js show <table> [--output <dir>] [--limit N] [--where <condition>]
                              [--columns a,b,...] [--json | --csv] [--redact] [--version N]

Prints a table's rows (oldest commit first): an aligned table that fits the
terminal (wide cells are cut with …), JSON lines, or CSV. "system.events" is
the event log.

options:
  --limit N            rows to print (default 20; 0 = all)
  --where <condition>  keep rows where the condition is TRUE: comparisons (= <> != < <= > >=)
                       of columns and literals ('text', 42, 1.5, TRUE, NULL, DATE '2024-01-31'),
                       AND, OR, NOT, IS [NOT] NULL and parentheses
  --columns a,b        print only these columns, in this order
  --json | --csv       JSON lines or CSV (all columns, nothing cut)
  --redact             mask name, address, contact_number and the columns tagged PHI
  --version N          the table as of Delta version N (time travel: needs the files that version
                       lists, kept by delta.deletedFileRetentionDuration until vacuum)
  --output <dir>       (default output/)   --pipeline <module.js> (default: the event log's definitions)

example:
  node dist/run.js show patients_silver --where "age >= 65 AND gender = 'F'" --limit 5 --redact`,
  events: `usage: node dist/run.js events [--output <dir>] [--type t1,t2] [--since <time|duration>]
                              [--update <id|last>] [--flow <name>] [--limit N] [--json] [--redact]

Prints the event log (<dir>/system/events), oldest first: updates, dataset and
flow definitions, and one flow_progress per flow and batch ("#N" is the batch
id) with its rows, dropped rows and the rules that failed.

options:
  --type t1,t2          create_update, update_progress, flow_definition,
                        dataset_definition, flow_progress
  --since <t>           a time (2024-05-01, 2024-05-01T12:00:00Z) or a duration back from now (1h, 30m, 2 days)
  --update <id|last>    one update (an id or its first characters), or the last one
  --flow <name>         events of one flow / dataset
  --limit N             the last N events (default 50; 0 = all)
  --json                JSON lines, with sequence, origin, details and error as objects
  --redact              mask name, address, contact_number and PHI-tagged columns in offending rows

example:
  node dist/run.js events --update last --type flow_progress`,
};

// ------------------------------------------------------------------ common

const COMMON: Record<string, OptionSpec> = {
  output: {},
  ...PIPELINE_OPTIONS,
  verbose: { flag: true },
  help: { flag: true, aliases: ['h'] },
};

const EVENT_TYPES = ['create_update', 'update_progress', 'flow_definition', 'dataset_definition', 'flow_progress', 'purge'];


function useColor(): boolean {
  return process.stdout.isTTY === true && !process.env.NO_COLOR;
}

function paint(code: number, s: string): string {
  return useColor() ? `\u001b[${code}m${s}\u001b[0m` : s;
}
const dim = (s: string) => paint(2, s);
const bold = (s: string) => paint(1, s);
const red = (s: string) => paint(31, s);
const green = (s: string) => paint(32, s);
const yellow = (s: string) => paint(33, s);

/** The width output must fit: the terminal's, or 80. */
function termWidth(): number {
  return process.stdout.isTTY ? Math.max(40, process.stdout.columns ?? 80) : 80;
}

function textLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Cuts text to `w` characters, ending with … when cut. */
export function truncate(s: string, w: number): string {
  if (textLength(s) <= w) return s;
  if (w <= 1) return '…'.slice(0, w);
  return [...s].slice(0, w - 1).join('') + '…';
}

const ANSI_RE = /\u001b\[[0-9;]*m/g;

/** A line cut to the width (a coloured line that is too long loses its colours). */
function fitLine(line: string, w: number): string {
  const plain = line.replace(ANSI_RE, '');
  return textLength(plain) <= w ? line : truncate(plain, w);
}

function padEnd(s: string, w: number): string {
  const n = textLength(s);
  return n >= w ? s : s + ' '.repeat(w - n);
}

function padStart(s: string, w: number): string {
  const n = textLength(s);
  return n >= w ? s : ' '.repeat(w - n) + s;
}

/** A reader of the output folder, described by --pipeline when given, else by its event log. */
async function openReader(values: Record<string, string>, command: string): Promise<OutputReader> {
  const output = values.output ?? 'output';
  requireOutput(output, command);
  return new OutputReader(output, { pipeline: values.pipeline !== undefined ? await loadPipeline(values.pipeline, { values }) : undefined });
}

function utcText(ms: number, withSeconds = true): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, withSeconds ? 19 : 16)}`;
}

// ------------------------------------------------------------------ values

function fmtDouble(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toFixed(6)));
}

/** A cell as text for the aligned table. */
function cellText(v: Value, type: DataType): string {
  if (v === null) return 'NULL';
  switch (type) {
    case 'date': return formatDate(v as number);
    case 'timestamp': return formatTimestamp(v as number).slice(0, 19);
    case 'double': return fmtDouble(v as number);
    case 'array<string>': return `[${(v as string[]).join(', ')}]`;
    case 'boolean': return v ? 'true' : 'false';
    case 'string': return (v as string).replace(/[\r\n\t]/g, ' ');
    default: return String(v);
  }
}

/** A cell as a JSON value: dates as YYYY-MM-DD, timestamps as ISO-8601 UTC. */
function jsonValue(v: Value, type: DataType): unknown {
  if (v === null) return null;
  if (type === 'date') return formatDate(v as number);
  if (type === 'timestamp') return formatTimestamp(v as number).replace(' ', 'T') + 'Z';
  return v;
}

function csvField(v: Value, type: DataType): string {
  if (v === null) return '';
  const s = type === 'array<string>' ? JSON.stringify(v) : type === 'date' ? formatDate(v as number) : type === 'timestamp' ? formatTimestamp(v as number) : String(v);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

// ------------------------------------------------------------------ show

/**
 * Column widths that fit `width`. Each column gets its natural width if all
 * fit; otherwise the widest are cut first, never below their minimum (text 8,
 * dates 10, timestamps 19; numbers are never cut). Columns that cannot fit at
 * their minimum are left out, from the right.
 */
export function fitColumns(natural: number[], minimum: number[], width: number, sep = 2): { widths: number[]; shown: number } {
  const mins = natural.map((w, i) => Math.min(w, minimum[i]));
  const budget = (n: number) => width - sep * Math.max(0, n - 1);
  let shown = natural.length;
  while (shown > 1 && mins.slice(0, shown).reduce((s, w) => s + w, 0) > budget(shown)) shown--;
  const ws = natural.slice(0, shown);
  const ms = mins.slice(0, shown);
  const avail = budget(shown);
  const total = (c: number) => ws.reduce((s, w, i) => s + Math.max(ms[i], Math.min(w, c)), 0);
  if (total(Infinity) <= avail) return { widths: ws, shown };
  // the largest cap c with sum(max(min_i, min(w_i, c))) <= avail
  let lo = 0, hi = Math.max(...ws);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (total(mid) <= avail) lo = mid; else hi = mid - 1;
  }
  const widths = ws.map((w, i) => Math.max(ms[i], Math.min(w, lo)));
  let left = avail - widths.reduce((s, w) => s + w, 0);
  for (let i = 0; i < widths.length && left > 0; i++) {
    const add = Math.min(left, ws[i] - widths[i]);
    widths[i] += add;
    left -= add;
  }
  return { widths, shown };
}

/** The narrowest a column may be cut to. */
function minimumWidth(type: DataType, natural: number): number {
  if (isNumeric(type)) return natural;
  if (type === 'date') return 10;
  if (type === 'timestamp') return 19;
  if (type === 'boolean') return 5;
  return 8;
}

export async function cmdShow(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { ...COMMON, limit: {}, where: {}, columns: {}, json: { flag: true }, csv: { flag: true }, redact: { flag: true }, version: {} }, 'show');
  if (a.flags.has('help')) { process.stdout.write(INSPECT_HELP.show + '\n'); return 0; }
  if (a.positionals.length === 0) throw new UsageError('show: missing <table> (usage: show <table> [--limit N] [--where <condition>]; see show --help)');
  if (a.positionals.length > 1) throw new UsageError(`show: unexpected argument "${a.positionals[1]}" (quote a --where condition that has spaces)`);
  if (a.flags.has('json') && a.flags.has('csv')) throw new UsageError('show: --json and --csv cannot be combined');
  const limit = intOption(a.values.limit, 'limit', 'show', 0) ?? 20;
  const output = a.values.output ?? 'output';
  const reader = await openReader(a.values, 'show');
  const table = reader.resolveTable(a.positionals[0]);
  const where = a.values.where !== undefined ? parseWhere(a.values.where, table.schema) : null;
  let columns = table.schema.map((f) => f.name);
  if (a.values.columns !== undefined) {
    columns = a.values.columns.split(',').map((s) => s.trim()).filter(Boolean).map((c) => {
      const f = table.schema.find((x) => x.name === c) ?? table.schema.find((x) => x.name.toLowerCase() === c.toLowerCase());
      if (!f) throw new UsageError(`show: --columns names "${c}", which ${table.name} does not have (columns: ${table.schema.map((x) => x.name).join(', ')})`);
      return f.name;
    });
    if (!columns.length) throw new UsageError('show: --columns is empty');
  }
  const redact = a.flags.has('redact');
  const asOf = intOption(a.values.version, 'version', 'show', 0);
  const { fields, rows, total, version } = reader.readRows(table, { limit, where, columns, mask: redact ? reader.protectedColumns(table) : [], version: asOf });
  if (version < 0) process.stderr.write(`note: ${table.name} has no data yet in ${output} (run replay or run first)\n`);

  const out: string[] = [];
  if (a.flags.has('json')) {
    for (const r of rows) out.push(JSON.stringify(Object.fromEntries(fields.map((f, c) => [f.name, r[c] === MASK ? MASK : jsonValue(r[c], f.type)]))));
  } else if (a.flags.has('csv')) {
    out.push(fields.map((f) => csvField(f.name, 'string')).join(','));
    for (const r of rows) out.push(fields.map((f, c) => (r[c] === MASK ? MASK : csvField(r[c], f.type))).join(','));
  } else {
    const texts = rows.map((r) => r.map((v, c) => (v === MASK ? MASK : cellText(v, fields[c].type))));
    const natural = fields.map((f, c) => Math.min(60, Math.max(textLength(f.name), ...texts.map((t) => textLength(t[c])))));
    const numericCol = fields.map((f) => isNumeric(f.type));
    const { widths, shown } = fitColumns(natural, fields.map((f, c) => minimumWidth(f.type, natural[c])), termWidth());
    const cell = (s: string, c: number) => (numericCol[c] ? padStart(truncate(s, widths[c]), widths[c]) : padEnd(truncate(s, widths[c]), widths[c]));
    out.push(bold(fields.slice(0, shown).map((f, c) => cell(f.name, c)).join('  ').trimEnd()));
    out.push(dim(widths.map((w) => '-'.repeat(w)).join('  ')));
    for (const t of texts) out.push(t.slice(0, shown).map((s, c) => (s === 'NULL' && rows.length ? dim(cell(s, c)) : cell(s, c))).join('  ').trimEnd());
    if (shown < fields.length) {
      process.stderr.write(`note: ${fields.length - shown} column${fields.length - shown === 1 ? '' : 's'} not shown (${fields.slice(shown).map((f) => f.name).join(', ')}); pick columns with --columns, or use --json / --csv\n`);
    }
  }
  if (out.length) process.stdout.write(out.join('\n') + '\n');
  process.stderr.write(`${rows.length} of ${total} row${total === 1 ? '' : 's'}${where ? ' matching' : ''}${rows.length < total ? ` (--limit ${limit})` : ''}\n`);
  return 0;
}

// ------------------------------------------------------------------ status

const KIND_SHORT: Record<string, string> = { streaming_table: 'stream', materialized_view: 'mview', view: 'view' };

export async function cmdStatus(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { ...COMMON, json: { flag: true } }, 'status');
  if (a.flags.has('help')) { process.stdout.write(INSPECT_HELP.status + '\n'); return 0; }
  if (a.positionals.length) throw new UsageError(`status: unexpected argument "${a.positionals[0]}"`);
  const reader = await openReader(a.values, 'status');
  await reader.preloadLogs();
  const report = reader.status();
  const { tables } = report;
  const update = report.last_update;
  const lock = readOutputLock(reader.output);

  if (a.flags.has('json')) {
    process.stdout.write(JSON.stringify(report) + '\n');
    return 0;
  }

  const W = termWidth();
  const lines: string[] = [];
  lines.push(`${bold('pipeline')} ${report.pipeline}   ${bold('output')} ${report.output}`);
  if (update) {
    const st = update.state === 'COMPLETED' ? green(update.state) : update.state === 'FAILED' ? red(update.state) : yellow(update.state);
    const startedMs = Date.parse(update.started);
    const took = update.ended ? `${((Date.parse(update.ended) - startedMs) / 1000).toFixed(1)} s, ` : '';
    lines.push(`last update ${update.id.slice(0, 8)} ${st}${update.error ? ` ${update.error}` : ''} at ${utcText(startedMs)} UTC (${took}${update.batches} batch${update.batches === 1 ? '' : 'es'})`);
  } else {
    lines.push(dim(`no event log at ${eventLogDir(reader.output)} yet (replay, run and start write it)`));
  }
  if (lock) {
    const note = lock.state === 'stale' ? yellow(' (no longer running: the next writer takes the lock over)')
      : lock.state === 'other-host' ? yellow(' (another host: only --force-unlock takes it over)') : '';
    lines.push(`writer ${lock.holder ? describeHolder(lock.holder) : red('unreadable lock file')}${note}`);
  }
  lines.push('');
  const nameW = Math.min(30, Math.max(5, ...tables.map((t) => t.name.length)));
  // name  kind(6)  layer(6)  rows(9)  files(5)  last commit(16)
  lines.push(bold(`${padEnd('table', nameW)}  ${padEnd('kind', 6)} ${padEnd('layer', 6)} ${padStart('rows', 8)} ${padStart('files', 5)}  last commit (UTC)`));
  for (const t of tables) {
    const status = t.last_status?.status;
    const flag = status === 'FAILED' ? red(' FAILED') : status === 'SKIPPED' ? yellow(' SKIPPED') : '';
    lines.push(`${padEnd(truncate(t.name, nameW), nameW)}  ${padEnd(KIND_SHORT[t.kind] ?? t.kind, 6)} ${padEnd(truncate(t.layer ?? '-', 6), 6)} ${padStart(t.rows === null ? '-' : String(t.rows), 8)} ${padStart(t.files === null ? '-' : String(t.files), 5)}  ${t.last_commit ? utcText(Date.parse(t.last_commit), false) : '-'}${flag}`);
    const checked = t.expectations.filter((x) => x.passed_records + x.failed_records > 0);
    if (t.expectations.length && !checked.length) lines.push(dim(`  ${t.expectations.length} expectation${t.expectations.length === 1 ? '' : 's'}, no rows checked yet`));
    for (const x of checked) {
      const total = x.passed_records + x.failed_records;
      const rate = padStart(`${(x.pass_rate! * 100).toFixed(1)}%`, 6);
      const colored = x.pass_rate === 1 ? green(rate) : x.action === 'warn' ? yellow(rate) : red(rate);
      lines.push(`  ${padEnd(truncate(x.name, nameW - 2), nameW - 2)}  ${padEnd(x.action, 4)}  ${padStart(String(x.passed_records), 8)} of ${padEnd(String(total), 8)} passed ${colored}`);
    }
    if (t.cdc) {
      const c = t.cdc;
      lines.push(dim(`  AUTO CDC: ${c.num_upserted_rows} upserted, ${c.num_deleted_rows} deleted, ${c.num_stale_events} stale, ${c.num_sequence_ties} sequence ties${c.num_versions_opened || c.num_versions_closed ? `, ${c.num_versions_opened} versions opened, ${c.num_versions_closed} closed` : ''}${c.num_null_sequence_events ? `, ${c.num_null_sequence_events} with a NULL sequence (not applied)` : ''}`));
    }
    if (t.watermark) lines.push(dim(`  watermark ${t.watermark.replace('T', ' ').replace(/\.000Z$|Z$/, '')} UTC`));
    if (t.refresh) lines.push(dim(`  refresh ${t.refresh.mode}${t.refresh.mode === 'recompute' && t.refresh.reason ? ` (${t.refresh.reason})` : ''}`));
    if (status === 'FAILED' && t.last_status?.code) lines.push(red(`  batch ${t.last_status.batch} failed: ${t.last_status.code} (see: events --flow ${t.name})`));
  }
  lines.push('');
  lines.push(dim('kind: stream = streaming table, mview = materialized view'));
  process.stdout.write(lines.map((l) => fitLine(l, W)).join('\n') + '\n');
  return 0;
}

// ------------------------------------------------------------------ events

/** `--since`: a duration back from now (1h, 30m, 2 days) or a time (ISO-8601; UTC unless it says otherwise). */
export function parseSince(text: string, nowMs = Date.now()): number {
  try {
    return nowMs - parseDurationMs(text, '--since');
  } catch { /* not a duration */ }
  let t = text.trim();
  if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(t)) t = t.replace(' ', 'T') + 'Z';
  const ms = Date.parse(t);
  if (!Number.isFinite(ms)) throw new UsageError(`events: --since "${text}" is neither a time (2024-05-01, 2024-05-01T12:00:00Z) nor a duration (1h, 30m, 2 days)`);
  return ms;
}

/** Masks, at any depth of an event's JSON, the values of keys that name an identifying or PHI-tagged column of the pipeline. */
export function redactor(reader: OutputReader): (x: unknown) => unknown {
  const names = new Set(REDACTED_COLUMNS);
  for (const t of reader.tables()) for (const c of reader.protectedColumns(reader.resolveTable(t))) names.add(c.toLowerCase());
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(x)) o[k] = names.has(k.toLowerCase()) && v !== null && typeof v !== 'object' ? MASK : walk(v);
      return o;
    }
    return x;
  };
  return walk;
}

/** One event as text lines (a line, plus indented lines for failed rules and errors). */
function eventLines(e: PipelineEvent, width: number): string[] {
  const time = new Date(e.timestamp / 1000).toISOString().slice(11, 19);
  const lvl = e.level === 'ERROR' ? red(padEnd(e.level, 7)) : e.level === 'WARN' ? yellow(padEnd(e.level, 7)) : dim(padEnd(e.level ?? '', 7));
  const head = `${time} `;
  const typeW = 18;
  let msg = e.message;
  const fp = e.event_type === 'flow_progress' ? e.details?.flow_progress : null;
  const name = e.origin.flow_name ?? e.origin.dataset_name ?? '?';
  if (fp) {
    const parts: string[] = [];
    if (fp.metrics) parts.push(`${fp.metrics.num_output_rows} row${fp.metrics.num_output_rows === 1 ? '' : 's'}`);
    if (fp.data_quality?.dropped_records) parts.push(`${fp.data_quality.dropped_records} dropped`);
    if (fp.metrics?.late_records) parts.push(`${fp.metrics.late_records} late`);
    msg = `#${e.origin.batch_id ?? '?'} ${name}${fp.status === 'COMPLETED' ? '' : ` ${fp.status}`}${parts.length ? `: ${parts.join(', ')}` : ''}`;
  } else if (e.event_type === 'dataset_definition') {
    msg = `${name}: ${e.details?.dataset_definition?.dataset_type ?? '?'}`;
  } else if (e.event_type === 'flow_definition') {
    const fd = e.details?.flow_definition ?? {};
    const ins = (fd.input_datasets ?? []) as string[];
    msg = `${name}: ${fd.flow_type ?? '?'}${ins.length ? ` <- ${ins.join(', ')}` : ''}`;
  }
  const room = Math.max(10, width - 9 - 8 - typeW - 1);
  const lines = [`${head}${lvl} ${padEnd(e.event_type, typeW)} ${truncate(msg, room)}`];
  if (fp?.data_quality?.expectations) {
    for (const x of fp.data_quality.expectations as { name: string; passed_records: number; failed_records: number }[]) {
      if (!x.failed_records) continue;
      lines.push(truncate(`${' '.repeat(17)}${x.name}: ${x.failed_records} failed, ${x.passed_records} passed`, width));
    }
  }
  if (e.error) {
    const ex = e.error.exceptions?.[0];
    lines.push(red(truncate(`${' '.repeat(17)}error ${e.error.code ?? ex?.class_name ?? ''}: ${(ex?.message ?? '').replace(/^[A-Z_]+: /, '')}`, width)));
  }
  return lines;
}

export async function cmdEvents(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { ...COMMON, type: {}, since: {}, limit: {}, update: {}, flow: {}, json: { flag: true }, redact: { flag: true } }, 'events');
  if (a.flags.has('help')) { process.stdout.write(INSPECT_HELP.events + '\n'); return 0; }
  if (a.positionals.length) throw new UsageError(`events: unexpected argument "${a.positionals[0]}"`);
  const types = a.values.type?.split(',').map((s) => s.trim()).filter(Boolean);
  for (const t of types ?? []) if (!EVENT_TYPES.includes(t)) throw new UsageError(`events: --type "${t}" is not an event type (${EVENT_TYPES.join(', ')})`);
  const since = a.values.since !== undefined ? parseSince(a.values.since) : null;
  const limit = intOption(a.values.limit, 'limit', 'events', 0) ?? 50;
  const reader = await openReader(a.values, 'events');
  let events = reader.allEvents();
  if (!events.length) {
    process.stderr.write(`no event log at ${eventLogDir(reader.output)} yet (replay, run and start write it)\n`);
    return 0;
  }
  if (a.values.update !== undefined) {
    let id = a.values.update;
    if (id === 'last') id = [...events].reverse().find((e) => e.event_type === 'create_update')?.origin.update_id ?? '';
    const ids = [...new Set(events.map((e) => e.origin.update_id))].filter((u) => u.startsWith(id));
    if (ids.length !== 1) throw new UsageError(`events: --update "${a.values.update}" matches ${ids.length === 0 ? 'no update' : `${ids.length} updates`} (updates: ${[...new Set(events.map((e) => e.origin.update_id.slice(0, 8)))].slice(-5).join(', ')}${ids.length > 1 ? '; give more characters' : ''})`);
    events = events.filter((e) => e.origin.update_id === ids[0]);
  }
  if (types) events = events.filter((e) => types.includes(e.event_type));
  if (a.values.flow !== undefined) events = events.filter((e) => e.origin.flow_name === a.values.flow || e.origin.dataset_name === a.values.flow);
  if (since !== null) events = events.filter((e) => e.timestamp / 1000 >= since);
  const total = events.length;
  if (limit > 0 && events.length > limit) events = events.slice(events.length - limit);
  const redact = a.flags.has('redact');
  const redactDeep = redactor(reader);
  const out: string[] = [];
  if (a.flags.has('json')) {
    for (const e of events) {
      const o = { ...e, timestamp: new Date(e.timestamp / 1000).toISOString(), error: redact ? redactDeep(e.error) : e.error };
      out.push(JSON.stringify(o));
    }
  } else {
    const width = termWidth();
    let day = '';
    for (const e of events) {
      const d = new Date(e.timestamp / 1000).toISOString().slice(0, 10);
      if (d !== day) { out.push(dim(`-- ${d} (UTC) --`)); day = d; }
      out.push(...eventLines(redact ? { ...e, error: redactDeep(e.error) as PipelineEvent['error'] } : e, width));
    }
  }
  if (out.length) process.stdout.write(out.join('\n') + '\n');
  if (events.length < total) process.stderr.write(`${events.length} of ${total} events (--limit ${limit})\n`);
  return 0;
}
