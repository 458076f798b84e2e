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
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, intOption, UsageError, type OptionSpec } from './args.js';
import { loadPipeline } from './pipeline-module.js';
import {
  and, buildGraph, col, DefinitionError, Expr, isPipelineError, lit, not, or, parseDurationMs, readEventLog, eventLogDir,
  EVENT_LOG_SCHEMA, type DataType, type PipelineEvent, type PipelineGraph, type Schema, type Value, type ExprNode,
} from '../../engine/index.js';
import { readDeltaLog } from '../../engine/sinks/delta-store.js';
import { decodeParquet } from '../../engine/sinks/parquet.js';
import { filterBatch, valueAt, type Batch } from '../../engine/batch.js';
import { compileExpr, trueMask } from '../../engine/expr/eval.js';
import { exprType } from '../../engine/expr/typecheck.js';
import { formatDate, formatTimestamp } from '../../engine/sources/csv-values.js';
import { isNumeric } from '../../engine/ir/types.js';
import { readOutputLock, describeHolder } from '../../engine/runtime/lock.js';

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
  --pipeline <module.js>  the pipeline module (default: the patient pipeline)
  --json                  one JSON object instead of the table

example:
  node dist/run.js status --output /tmp/out`,
  show: `usage: node dist/run.js show <table> [--output <dir>] [--limit N] [--where <condition>]
                              [--columns a,b,...] [--json | --csv] [--redact]

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
  --redact             mask name, address and contact_number
  --output <dir>       (default output/)   --pipeline <module.js>

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
  --redact              mask name, address and contact_number in offending rows

example:
  node dist/run.js events --update last --type flow_progress`,
};

// ------------------------------------------------------------------ common

const COMMON: Record<string, OptionSpec> = {
  output: {},
  pipeline: {},
  verbose: { flag: true },
  help: { flag: true, aliases: ['h'] },
};

const EVENT_TYPES = ['create_update', 'update_progress', 'flow_definition', 'dataset_definition', 'flow_progress'];

/** Columns `--redact` masks. */
export const REDACTED_COLUMNS: readonly string[] = ['name', 'address', 'contact_number'];
const MASK = '***';

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

function requireOutput(output: string, command: string): void {
  let st: fs.Stats;
  try { st = fs.statSync(output); } catch {
    throw new UsageError(`${command}: output folder ${output} does not exist (pass --output <dir>, the folder given to replay or run)`);
  }
  if (!st.isDirectory()) throw new UsageError(`${command}: --output ${output} is not a folder`);
}

function tablesOf(graph: PipelineGraph): string[] {
  return graph.order.filter((n) => graph.datasets.get(n)!.persisted);
}

function unknownTable(name: string, graph: PipelineGraph): never {
  const tables = tablesOf(graph);
  const close = tables.find((t) => t.toLowerCase() === name.toLowerCase())
    ?? tables.find((t) => t.includes(name) || name.includes(t));
  throw new DefinitionError('UNKNOWN_DATASET', `the pipeline "${graph.pipeline.name}" has no table "${name}"`, { table: name, known: [...tables, 'system.events'] }, {
    hint: `${close ? `did you mean "${close}"? ` : ''}tables: ${tables.join(', ')}, system.events`,
  });
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

/** Masks the identifying columns of a row (in place). */
function redactRow(row: Record<string, unknown>): Record<string, unknown> {
  for (const k of Object.keys(row)) if (REDACTED_COLUMNS.includes(k.toLowerCase()) && row[k] !== null && row[k] !== undefined) row[k] = MASK;
  return row;
}

// ------------------------------------------------------------------ --where

type Tok =
  | { t: 'id'; v: string; pos: number }
  | { t: 'str'; v: string; pos: number }
  | { t: 'num'; v: string; pos: number }
  | { t: 'op'; v: string; pos: number }
  | { t: 'kw'; v: string; pos: number }
  | { t: '('; pos: number }
  | { t: ')'; pos: number }
  | { t: 'end'; pos: number };

const COMPARISONS = new Set(['=', '==', '<>', '!=', '<', '<=', '>', '>=']);
const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IS', 'NULL', 'TRUE', 'FALSE', 'DATE', 'TIMESTAMP', 'IN', 'BETWEEN', 'LIKE']);

function whereError(text: string, pos: number, what: string): UsageError {
  return new UsageError(`--where: ${what} at character ${pos + 1}: ${text.slice(0, pos)}»${text.slice(pos)}`);
}

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '(' || c === ')') { out.push({ t: c, pos: i }); i++; continue; }
    if (c === "'") {
      let s = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw whereError(text, i, 'unterminated string');
        if (text[j] === "'") { if (text[j + 1] === "'") { s += "'"; j += 2; continue; } break; }
        s += text[j++];
      }
      out.push({ t: 'str', v: s, pos: i });
      i = j + 1;
      continue;
    }
    if (c === '"' || c === '`') {
      const j = text.indexOf(c, i + 1);
      if (j < 0) throw whereError(text, i, 'unterminated quoted name');
      out.push({ t: 'id', v: text.slice(i + 1, j), pos: i });
      i = j + 1;
      continue;
    }
    const num = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i));
    if (num) { out.push({ t: 'num', v: num[0], pos: i }); i += num[0].length; continue; }
    const op = /^(<=|>=|<>|!=|==|=|<|>|-|,)/.exec(text.slice(i));
    if (op) { out.push({ t: 'op', v: op[0], pos: i }); i += op[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i));
    if (id) {
      const up = id[0].toUpperCase();
      out.push(KEYWORDS.has(up) ? { t: 'kw', v: up, pos: i } : { t: 'id', v: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    throw whereError(text, i, `unexpected "${c}"`);
  }
  out.push({ t: 'end', pos: text.length });
  return out;
}

/**
 * Parses a `--where` condition into the engine's expression IR (through the
 * builders `col`, `lit`, `and`, `or`, `not`). Column names are checked against
 * the schema (case-insensitively); errors are `UsageError`s that point at the
 * place in the text.
 */
export function parseWhere(text: string, schema: Schema): ExprNode {
  const toks = tokenize(text);
  let k = 0;
  const peek = () => toks[k];
  const isKw = (v: string) => { const t = toks[k]; return t.t === 'kw' && t.v === v; };
  const describe = (t: Tok) => (t.t === 'end' ? 'the end' : t.t === '(' || t.t === ')' ? `"${t.t}"` : `"${t.v}"`);

  const column = (name: string, pos: number): Expr => {
    const f = schema.find((x) => x.name === name) ?? schema.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!f) throw new UsageError(`--where: unknown column "${name}" at character ${pos + 1} (columns: ${schema.map((x) => x.name).join(', ')})`);
    return col(f.name);
  };

  const operand = (): Expr => {
    const t = toks[k];
    switch (t.t) {
      case '(': {
        k++;
        const e = orExpr();
        if (toks[k].t !== ')') throw whereError(text, toks[k].pos, `expected ")" but found ${describe(toks[k])}`);
        k++;
        return e;
      }
      case 'id': k++; return column(t.v, t.pos);
      case 'str': k++; return lit(t.v);
      case 'num': k++; return lit(Number(t.v));
      case 'op':
        if (t.v === '-' && toks[k + 1].t === 'num') { k += 2; return lit(-Number((toks[k - 1] as { v: string }).v)); }
        break;
      case 'kw':
        if (t.v === 'NULL') { k++; return lit(null); }
        if (t.v === 'TRUE' || t.v === 'FALSE') { k++; return lit(t.v === 'TRUE'); }
        if ((t.v === 'DATE' || t.v === 'TIMESTAMP') && toks[k + 1].t === 'str') {
          k += 2;
          return lit((toks[k - 1] as { v: string }).v, t.v === 'DATE' ? 'date' : 'timestamp');
        }
        break;
      default: break;
    }
    throw whereError(text, t.pos, `expected a column, a value or "(" but found ${describe(t)}`);
  };

  /** `age = '42'` compares as a number: a numeric text literal next to a numeric column becomes a number. */
  const coerce = (a: Expr, b: Expr): Expr => {
    if (b.node.kind !== 'lit' || typeof b.node.value !== 'string' || a.node.kind !== 'col') return b;
    const name = a.node.name;
    const f = schema.find((x) => x.name === name);
    if (f && isNumeric(f.type) && /^\s*-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(b.node.value)) return lit(Number(b.node.value));
    return b;
  };

  const predicate = (): Expr => {
    const left = operand();
    const t = peek();
    if (t.t === 'op' && COMPARISONS.has(t.v)) {
      k++;
      const right0 = operand();
      const l = coerce(right0, left), r = coerce(left, right0);
      switch (t.v) {
        case '=': case '==': return l.eq(r);
        case '<>': case '!=': return l.ne(r);
        case '<': return l.lt(r);
        case '<=': return l.le(r);
        case '>': return l.gt(r);
        default: return l.ge(r);
      }
    }
    if (isKw('IS')) {
      k++;
      const negated = isKw('NOT');
      if (negated) k++;
      if (!isKw('NULL')) throw whereError(text, peek().pos, `expected NULL after IS${negated ? ' NOT' : ''}`);
      k++;
      return negated ? left.isNotNull() : left.isNull();
    }
    if (t.t === 'kw' && (t.v === 'IN' || t.v === 'BETWEEN' || t.v === 'LIKE')) {
      throw whereError(text, t.pos, `${t.v} is not supported (use comparisons with AND / OR)`);
    }
    return left;
  };

  const notExpr = (): Expr => {
    if (isKw('NOT')) { k++; return not(notExpr()); }
    return predicate();
  };
  const andExpr = (): Expr => {
    const parts = [notExpr()];
    while (isKw('AND')) { k++; parts.push(notExpr()); }
    return parts.length === 1 ? parts[0] : and(...parts);
  };
  const orExpr = (): Expr => {
    const parts = [andExpr()];
    while (isKw('OR')) { k++; parts.push(andExpr()); }
    return parts.length === 1 ? parts[0] : or(...parts);
  };

  if (toks[0].t === 'end') throw new UsageError('--where: the condition is empty');
  const e = orExpr();
  if (peek().t !== 'end') throw whereError(text, peek().pos, `unexpected ${describe(peek())}`);
  let type: DataType;
  try {
    type = exprType(e.node, schema);
  } catch (err) {
    if (isPipelineError(err)) throw new UsageError(`--where: ${err.message.split('\n')[0].replace(/^[A-Z_]+: /, '').replace(/ \[at .*\]$/, '')}`);
    throw err;
  }
  if (type !== 'boolean') throw new UsageError(`--where: "${text}" is a value of type ${type}, not a condition (write e.g. "age > 65")`);
  return e.node;
}

/** The rows of a batch where `where` is TRUE. */
export function filterWhere(b: Batch, where: ExprNode): Batch {
  if (b.length === 0) return b;
  const mask = trueMask(compileExpr(where, b.schema)(b), b.length);
  return filterBatch(b, mask);
}

// ------------------------------------------------------------------ tables on disk

interface TableRef {
  name: string;
  schema: Schema;
  dir: string;
}

function resolveTable(name: string, graph: PipelineGraph, output: string): TableRef {
  if (name === 'system.events' || name === 'system/events') return { name: 'system.events', schema: EVENT_LOG_SCHEMA, dir: eventLogDir(output) };
  const g = graph.datasets.get(name) ?? [...graph.datasets.values()].find((d) => d.name.toLowerCase() === name.toLowerCase());
  if (!g) unknownTable(name, graph);
  if (!g.persisted) {
    const feeds = (graph.consumers.get(g.name) ?? []).filter((c) => graph.datasets.get(c)!.persisted);
    throw new DefinitionError('DATASET_NOT_STORED', `${g.name} is a view: it is computed inside the pipeline and not stored`, { table: g.name }, {
      origin: g.origin, hint: feeds.length ? `show a table it feeds: ${feeds.join(', ')}` : `tables: ${tablesOf(graph).join(', ')}`,
    });
  }
  return { name: g.name, schema: g.schema, dir: path.join(output, 'tables', g.name) };
}

/** The live data files of a table, in commit order. */
function liveFiles(dir: string): { files: string[]; rows: number; version: number } {
  const snap = readDeltaLog(dir);
  let rows = 0;
  for (const a of snap.files.values()) rows += a.stats ? (JSON.parse(a.stats) as { numRecords?: number }).numRecords ?? 0 : 0;
  return { files: [...snap.files.keys()], rows, version: snap.version };
}

/** The last commit of a table: its version, time (ms) and operation. */
function lastCommit(dir: string): { version: number; timestamp: number | null; operation: string | null } | null {
  const logDir = path.join(dir, '_delta_log');
  let names: string[];
  try { names = fs.readdirSync(logDir).filter((n) => /^\d{20}\.json$/.test(n)).sort(); } catch { return null; }
  if (!names.length) return null;
  const last = names[names.length - 1];
  for (const line of fs.readFileSync(path.join(logDir, last), 'utf8').split('\n')) {
    if (!line.includes('commitInfo')) continue;
    try {
      const ci = (JSON.parse(line) as { commitInfo?: { timestamp?: number; operation?: string } }).commitInfo;
      if (ci) return { version: Number(last.slice(0, 20)), timestamp: ci.timestamp ?? null, operation: ci.operation ?? null };
    } catch { /* ignore */ }
  }
  return { version: Number(last.slice(0, 20)), timestamp: null, operation: null };
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
  const a = parseArgs(argv, { ...COMMON, limit: {}, where: {}, columns: {}, json: { flag: true }, csv: { flag: true }, redact: { flag: true } }, 'show');
  if (a.flags.has('help')) { process.stdout.write(INSPECT_HELP.show + '\n'); return 0; }
  if (a.positionals.length === 0) throw new UsageError('show: missing <table> (usage: show <table> [--limit N] [--where <condition>]; see show --help)');
  if (a.positionals.length > 1) throw new UsageError(`show: unexpected argument "${a.positionals[1]}" (quote a --where condition that has spaces)`);
  if (a.flags.has('json') && a.flags.has('csv')) throw new UsageError('show: --json and --csv cannot be combined');
  const limit = intOption(a.values.limit, 'limit', 'show', 0) ?? 20;
  const output = a.values.output ?? 'output';
  requireOutput(output, 'show');
  const graph = buildGraph(await loadPipeline(a.values.pipeline));
  const table = resolveTable(a.positionals[0], graph, output);
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

  // read files in commit order; stop early when the limit is reached and nothing needs counting
  const { files, rows: totalRows, version } = liveFiles(table.dir);
  if (version < 0) process.stderr.write(`note: ${table.name} has no data yet in ${output} (run replay or run first)\n`);
  const picked: Batch[] = [];
  let pickedRows = 0;
  let matched = 0;
  for (const f of files) {
    if (limit > 0 && pickedRows >= limit && !where) break;
    let b = decodeParquet(new Uint8Array(fs.readFileSync(path.join(table.dir, f))), table.schema);
    if (where) b = filterWhere(b, where);
    matched += b.length;
    if (limit === 0 || pickedRows < limit) { picked.push(b); pickedRows += b.length; }
  }
  const total = where ? matched : totalRows;
  const fields = columns.map((c) => table.schema.find((x) => x.name === c)!);
  const rows: Value[][] = [];
  for (const b of picked) {
    const idx = fields.map((f) => b.schema.findIndex((x) => x.name === f.name));
    for (let i = 0; i < b.length && (limit === 0 || rows.length < limit); i++) {
      rows.push(idx.map((j, c) => {
        const v = valueAt(b.columns[j], i);
        return redact && v !== null && REDACTED_COLUMNS.includes(fields[c].name.toLowerCase()) ? MASK : v;
      }));
    }
  }

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

interface ExpectationTotals { action: string; passed: number; failed: number }

interface DatasetEvents {
  expectations: Map<string, ExpectationTotals>;
  watermark: string | null;
  lastStatus: { status: string; batch: number | null; code?: string } | null;
  lastEventMs: number | null;
}

/** Per-dataset facts from the event log: expectation totals since the last full refresh, last status, watermark. */
export function summarizeEvents(events: readonly PipelineEvent[], graph: PipelineGraph): Map<string, DatasetEvents> {
  const out = new Map<string, DatasetEvents>();
  const fresh = (name: string): DatasetEvents => {
    const g = graph.datasets.get(name);
    const expectations = new Map<string, ExpectationTotals>();
    for (const x of g?.def.expectations ?? []) expectations.set(x.name, { action: x.action, passed: 0, failed: 0 });
    return { expectations, watermark: null, lastStatus: null, lastEventMs: null };
  };
  for (const n of graph.order) out.set(n, fresh(n));
  for (const e of events) {
    if (e.event_type === 'create_update') {
      const refreshed = (e.details?.create_update?.refreshed_datasets ?? []) as string[];
      for (const n of refreshed) if (out.has(n)) out.set(n, fresh(n));
      continue;
    }
    if (e.event_type !== 'flow_progress') continue;
    const name = e.origin.dataset_name ?? e.origin.flow_name;
    if (!name || !out.has(name)) continue;
    const d = out.get(name)!;
    const fp = (e.details?.flow_progress ?? {}) as { status?: string; watermark?: string; data_quality?: { expectations?: { name: string; passed_records: number; failed_records: number }[] } };
    d.lastStatus = { status: fp.status ?? '?', batch: e.origin.batch_id ?? null, code: e.error?.code };
    d.lastEventMs = e.timestamp / 1000;
    if (fp.status !== 'COMPLETED') continue;
    // a materialized view checks all its rows at each refresh: its last refresh counts
    if (graph.datasets.get(name)?.kind === 'materialized_view' && fp.data_quality) for (const t of d.expectations.values()) { t.passed = 0; t.failed = 0; }
    for (const x of fp.data_quality?.expectations ?? []) {
      const t = d.expectations.get(x.name) ?? { action: '?', passed: 0, failed: 0 };
      t.passed += x.passed_records;
      t.failed += x.failed_records;
      d.expectations.set(x.name, t);
    }
    if (fp.watermark) d.watermark = fp.watermark;
  }
  return out;
}

interface UpdateSummary { id: string; state: string; startedMs: number; endedMs: number | null; batches: number; error?: string }

function lastUpdate(events: readonly PipelineEvent[]): UpdateSummary | null {
  let created: PipelineEvent | undefined;
  for (const e of events) if (e.event_type === 'create_update') created = e;
  if (!created) return null;
  const id = created.origin.update_id;
  let state = 'RUNNING';
  let endedMs: number | null = null;
  let error: string | undefined;
  const batches = new Set<number>();
  for (const e of events) {
    if (e.origin.update_id !== id) continue;
    if (e.event_type === 'update_progress') {
      state = e.details?.update_progress?.state ?? state;
      if (['COMPLETED', 'FAILED', 'CANCELED'].includes(state)) endedMs = e.timestamp / 1000;
      if (e.error?.code) error = e.error.code;
    }
    if (e.event_type === 'flow_progress' && e.origin.batch_id !== undefined) batches.add(e.origin.batch_id);
  }
  return { id, state, startedMs: created.timestamp / 1000, endedMs, batches: batches.size, error };
}

const KIND_SHORT: Record<string, string> = { streaming_table: 'stream', materialized_view: 'mview', view: 'view' };

export async function cmdStatus(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { ...COMMON, json: { flag: true } }, 'status');
  if (a.flags.has('help')) { process.stdout.write(INSPECT_HELP.status + '\n'); return 0; }
  if (a.positionals.length) throw new UsageError(`status: unexpected argument "${a.positionals[0]}"`);
  const output = a.values.output ?? 'output';
  requireOutput(output, 'status');
  const graph = buildGraph(await loadPipeline(a.values.pipeline));
  const events = await readEventLog(output);
  const byDataset = summarizeEvents(events, graph);
  const update = lastUpdate(events);
  const lock = readOutputLock(output);
  const writer = lock && { ...(lock.holder ? { pid: lock.holder.pid, host: lock.holder.host, command: lock.holder.command, started: lock.holder.started } : {}), state: lock.state };

  const tables = graph.order.map((name) => {
    const g = graph.datasets.get(name)!;
    const dir = path.join(output, 'tables', name);
    const onDisk = g.persisted ? liveFiles(dir) : null;
    const commit = g.persisted ? lastCommit(dir) : null;
    const ev = byDataset.get(name)!;
    return {
      name, kind: g.kind, layer: g.def.properties.quality ?? null,
      rows: onDisk && onDisk.version >= 0 ? onDisk.rows : null,
      files: onDisk && onDisk.version >= 0 ? onDisk.files.length : null,
      last_commit: commit?.timestamp ? new Date(commit.timestamp).toISOString() : null,
      last_status: ev.lastStatus,
      watermark: ev.watermark,
      expectations: [...ev.expectations].map(([n, t]) => ({
        name: n, action: t.action, passed_records: t.passed, failed_records: t.failed,
        pass_rate: t.passed + t.failed > 0 ? t.passed / (t.passed + t.failed) : null,
      })),
    };
  });

  if (a.flags.has('json')) {
    process.stdout.write(JSON.stringify({
      pipeline: graph.pipeline.name, output: path.resolve(output),
      last_update: update ? { id: update.id, state: update.state, started: new Date(update.startedMs).toISOString(), ended: update.endedMs ? new Date(update.endedMs).toISOString() : null, batches: update.batches, error: update.error ?? null } : null,
      writer,
      tables,
    }) + '\n');
    return 0;
  }

  const W = termWidth();
  const lines: string[] = [];
  lines.push(`${bold('pipeline')} ${graph.pipeline.name}   ${bold('output')} ${path.resolve(output)}`);
  if (update) {
    const st = update.state === 'COMPLETED' ? green(update.state) : update.state === 'FAILED' ? red(update.state) : yellow(update.state);
    const took = update.endedMs ? `${((update.endedMs - update.startedMs) / 1000).toFixed(1)} s, ` : '';
    lines.push(`last update ${update.id.slice(0, 8)} ${st}${update.error ? ` ${update.error}` : ''} at ${utcText(update.startedMs)} UTC (${took}${update.batches} batch${update.batches === 1 ? '' : 'es'})`);
  } else {
    lines.push(dim(`no event log at ${eventLogDir(output)} yet (replay, run and start write it)`));
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
    if (t.watermark) lines.push(dim(`  watermark ${t.watermark.replace('T', ' ').replace(/\.000Z$|Z$/, '')} UTC`));
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

function redactDeep(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(redactDeep);
  if (x && typeof x === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) o[k] = REDACTED_COLUMNS.includes(k.toLowerCase()) && v !== null && typeof v !== 'object' ? MASK : redactDeep(v);
    return o;
  }
  return x;
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
  const output = a.values.output ?? 'output';
  requireOutput(output, 'events');
  let events = await readEventLog(output);
  if (!events.length) {
    process.stderr.write(`no event log at ${eventLogDir(output)} yet (replay, run and start write it)\n`);
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
