/**
 * File sources of DLT SQL: `read_files(…)`, legacy `cloud_files(…)` and the
 * tables bound with `--source name=glob[,format=…][,schema=…]`, lowered in
 * ONE place (`lowerFileSource`) so that the source behind them can change.
 *
 * Today they lower to the CSV source (`readCsv`): the path (after
 * `--path-map`) must be a folder of the input root, the schema is the
 * declared DDL (`schema =>`) or is inferred here from the first file in name
 * order (`read_files`: int / bigint / double / boolean / date / timestamp /
 * string; `cloud_files`: every column STRING unless
 * `cloudFiles.inferColumnTypes`), with `schemaHints` applied; the source's
 * bookkeeping columns stay hidden from `*` (`_metadata.file_path` and
 * `input_file_name()` read the file name).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Field, DataType } from '../ir/types.js';
import { typeInfo } from '../ir/types.js';
import { readCsv } from '../expr/builder.js';
import { DefinitionError, UnsupportedError, type Origin } from '../errors.js';
import { parseSchemaDdl } from '../functions/json.js';
import { parseDateDays, parseTimestampUs } from '../sources/csv-values.js';
import type { Lowered } from './lower-query.js';
import { scopeOf } from './lower-query.js';

export type FileFormat = 'csv' | 'json';

export interface FileSourceSpec {
  /** The path as written (a folder, or a folder and a file-name glob). */
  readonly path: string;
  readonly format: FileFormat;
  /** Reader options, keys as written (`header`, `sep`, `cloudFiles.inferColumnTypes`, …). */
  readonly options: Readonly<Record<string, string>>;
  readonly mode: 'read_files' | 'cloud_files' | 'source';
  readonly stream: boolean;
}

export interface FileSourceContext {
  /** The input root: relative paths resolve against it. */
  readonly input: string | undefined;
  /** `--path-map from=to` pairs, longest prefix first. */
  readonly pathMap: readonly (readonly [string, string])[];
  readonly origin: Origin;
}

const freeze = <T>(x: T): T => Object.freeze(x);

function fail(code: string, message: string, o: Origin, params: Record<string, unknown>, hint: string, unsupported = false): never {
  const P = unsupported ? UnsupportedError : DefinitionError;
  throw new P(code, message, { ...params, table: o.table ?? null, file: o.file ?? null, line: o.line ?? null, col: o.col ?? null }, { origin: o, hint });
}

/** An option by name, case-insensitively, with or without the `cloudFiles.` prefix. */
export function optionOf(options: Readonly<Record<string, string>>, ...names: string[]): string | undefined {
  for (const n of names) {
    for (const [k, v] of Object.entries(options)) if (k.toLowerCase() === n.toLowerCase() || k.toLowerCase() === `cloudfiles.${n.toLowerCase()}`) return v;
  }
  return undefined;
}

/** Applies `--path-map` (longest matching prefix) and resolves a relative path against the input root. */
export function mapPath(p: string, ctx: FileSourceContext): string {
  let out = p;
  const pairs = [...ctx.pathMap].sort((a, b) => b[0].length - a[0].length);
  for (const [from, to] of pairs) {
    const f = from.replace(/\/+$/, '');
    if (out === f || out.startsWith(f + '/')) { out = to.replace(/\/+$/, '') + out.slice(f.length); break; }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(out) || out.startsWith('dbfs:')) return out;
  if (path.isAbsolute(out)) return out;
  // relative: against the input folder; a path that exists only from the current folder (`./incoming`) is taken from there
  const inInput = path.resolve(ctx.input ?? '.', out);
  const fromCwd = path.resolve(out);
  const exists = (p: string) => fs.existsSync(/[*?[]/.test(path.basename(p)) ? path.dirname(p) : p);
  return !exists(inInput) && exists(fromCwd) ? fromCwd : inInput;
}

/** Fields of a DDL schema (`a INT, b STRING`). */
export function ddlFields(text: string, o: Origin): Field[] {
  const t = parseSchemaDdl(text);
  const info = t ? typeInfo(t) : undefined;
  if (!info || info.kind !== 'struct') fail('INVALID_SCHEMA', `the schema "${text}" is not a DDL column list`, o, { schema: text }, "write it as 'patient_id STRING, age INT, admitted DATE'");
  return info.fields.map((f) => freeze({ name: f.name, type: f.type }));
}

/** Records of a CSV text (quotes, doubled quotes, line breaks inside quotes). */
function csvRecords(text: string, sep: string, quote: string, limit: number): string[][] {
  const out: string[][] = [];
  let rec: string[] = [], field = '', inQ = false, i = 0, quoted = false;
  while (i < text.length && out.length < limit) {
    const c = text[i];
    if (inQ) {
      if (c === quote && text[i + 1] === quote) { field += quote; i += 2; continue; }
      if (c === quote) { inQ = false; i++; continue; }
      if (c === '\\' && text[i + 1] === quote) { field += quote; i += 2; continue; }
      field += c; i++; continue;
    }
    if (c === quote && field === '') { inQ = true; quoted = true; i++; continue; }
    if (text.startsWith(sep, i)) { rec.push(field); field = ''; quoted = false; i += sep.length; continue; }
    if (c === '\r' || c === '\n') {
      rec.push(field); field = ''; quoted = false;
      if (!(rec.length === 1 && rec[0] === '')) out.push(rec);
      rec = [];
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    field += c; i++;
  }
  if ((field !== '' || quoted || rec.length) && out.length < limit) { rec.push(field); out.push(rec); }
  return out;
}

const INT_RE = /^[+-]?\d+$/;
const DOUBLE_RE = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|NaN|Infinity)$/;

/** The narrowest of int, bigint, double, boolean, date, timestamp, string that holds every non-empty value (Spark's CSV inference). */
function inferType(values: readonly string[]): DataType {
  const vs = values.filter((v) => v !== '');
  if (!vs.length) return 'string';
  if (vs.every((v) => INT_RE.test(v))) return vs.every((v) => Math.abs(Number(v)) <= 2147483647) ? 'int' : 'long';
  if (vs.every((v) => INT_RE.test(v) || DOUBLE_RE.test(v))) return 'double';
  if (vs.every((v) => /^(true|false)$/i.test(v))) return 'boolean';
  if (vs.every((v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && parseDateDays(v) !== null)) return 'date';
  if (vs.every((v) => /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(v) && parseTimestampUs(v) !== null)) return 'timestamp';
  return 'string';
}

function globRe(glob: string): RegExp {
  return new RegExp('^' + glob.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
}

/** The folder and file-name glob a path names. */
function splitPath(p: string, filter: string | undefined): { dir: string; glob: string } {
  const base = path.basename(p);
  if (/[*?[]/.test(base)) return { dir: path.dirname(p), glob: base };
  if (/[*?[]/.test(path.dirname(p))) return { dir: p, glob: '' };
  let isDir = p.endsWith('/') || !path.extname(p);
  try { isDir = fs.statSync(p).isDirectory(); } catch { /* not there yet */ }
  return isDir ? { dir: p, glob: filter ?? '*' } : { dir: path.dirname(p), glob: base };
}

/**
 * A file source → a relation (see the module comment). `spec.path` is the
 * path as written; `schema`: a declared DDL schema.
 */
export function lowerFileSource(spec: FileSourceSpec, ctx: FileSourceContext): Lowered {
  const o = ctx.origin;
  if (spec.format !== 'csv') {
    fail('SQL_UNSUPPORTED', `${spec.mode === 'source' ? 'a bound source' : `${spec.mode}()`} of format ${spec.format} is not supported yet`, o, { construct: `${spec.mode} format ${spec.format}`, format: spec.format }, 'read CSV files (newline-delimited JSON arrives with the option-driven file source)', true);
  }
  const abs = mapPath(spec.path, ctx);
  const { dir, glob } = splitPath(abs, optionOf(spec.options, 'pathGlobFilter', 'fileNamePattern'));
  const root = path.resolve(ctx.input ?? '.');
  if (glob === '' || path.resolve(dir) !== root) {
    fail('SQL_UNSUPPORTED', `the source path ${spec.path} (${abs}) is not a file pattern in the input folder ${root}`, o, { construct: 'a source path outside the input folder', path: spec.path, mapped: abs, input: root },
      `map it onto the input folder: --path-map ${path.dirname(spec.path)}=${ctx.input ?? '<input>'} (sources read the files of one folder, the input folder)`, true);
  }
  const declared = optionOf(spec.options, 'schema');
  const header = (optionOf(spec.options, 'header') ?? 'true').toLowerCase() !== 'false';
  let fields: Field[];
  if (declared !== undefined) fields = ddlFields(declared, o);
  else {
    const sep = optionOf(spec.options, 'sep', 'delimiter') ?? ',';
    const re = globRe(glob);
    let first: string | undefined;
    try { first = fs.readdirSync(dir).filter((f) => re.test(f)).sort()[0]; } catch { first = undefined; }
    if (first === undefined) {
      fail('SOURCE_SCHEMA_UNKNOWN', `no file matches ${spec.path} (${path.join(dir, glob)}) to infer the schema from`, o, { path: spec.path, mapped: path.join(dir, glob) },
        "add the files first, or declare the columns: schema => 'a STRING, b INT' (--source …,schema=a STRING, b INT)");
    }
    const text = fs.readFileSync(path.join(dir, first!), 'utf8').replace(/^\uFEFF/, '');
    const recs = csvRecords(text, sep, '"', 1001);
    const names = header ? (recs[0] ?? []) : (recs[0] ?? []).map((_, i) => `_c${i}`);
    const rows = header ? recs.slice(1) : recs;
    const infer = spec.mode === 'cloud_files' ? (optionOf(spec.options, 'inferColumnTypes') ?? 'false').toLowerCase() === 'true'
      : (optionOf(spec.options, 'inferColumnTypes', 'inferSchema') ?? 'true').toLowerCase() !== 'false';
    fields = names.map((n, j) => freeze({ name: n, type: infer ? inferType(rows.map((r) => r[j] ?? '')) : 'string' as DataType }));
  }
  const hints = optionOf(spec.options, 'schemaHints');
  if (hints) {
    for (const h of ddlFields(hints, o)) {
      const i = fields.findIndex((f) => f.name.toLowerCase() === h.name.toLowerCase());
      if (i >= 0) fields[i] = freeze({ name: fields[i].name, type: h.type }); else fields.push(h);
    }
  }
  const bad = fields.find((f) => !['string', 'int', 'long', 'double', 'boolean', 'date', 'timestamp'].includes(f.type));
  if (bad) fail('SQL_UNSUPPORTED', `column ${bad.name} of ${spec.path} has type ${bad.type}, which the CSV source does not read yet`, o, { construct: `a CSV column of type ${bad.type}`, column: bad.name }, 'declare it STRING and cast it in the query', true);
  const rel = readCsv({
    glob,
    schema: Object.fromEntries(fields.map((f) => [f.name, f.type])),
    header,
    nullMarkers: [],
    ...(optionOf(spec.options, 'maxFilesPerTrigger') ? { maxFilesPerTrigger: Number(optionOf(spec.options, 'maxFilesPerTrigger')) } : {}),
    ...(optionOf(spec.options, 'includeExistingFiles') === 'false' ? { includeExistingFiles: false } : {}),
    ...(optionOf(spec.options, 'allowOverwrites') === 'true' ? { allowOverwrites: true } : {}),
  });
  const schema = [...fields, { name: '_rescued_data', type: 'string' as DataType }, { name: '_source_file', type: 'string' as DataType }, { name: '_line', type: 'long' as DataType }, { name: '_ingested_at', type: 'timestamp' as DataType }];
  return { plan: rel.node, scope: scopeOf(schema, null, new Set(['_source_file', '_line', '_ingested_at'])) };
}

/** A `--source name=glob[,format=csv|json][,schema=DDL]` value. */
export interface SourceBinding {
  /** The table name as the pipeline writes it (one to three parts), lower case. */
  readonly name: string;
  readonly glob: string;
  readonly format: FileFormat;
  readonly schema?: string;
}

/** Reads `--source` text: `schema=` comes last and takes the rest, commas included. */
export function parseSourceBinding(text: string): SourceBinding {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new DefinitionError('INVALID_SOURCE_BINDING', `--source ${text}: expected <name>=<glob>[,format=csv|json][,schema=<DDL>]`, { value: text }, { hint: '--source healthcare.raw_patients_daily=patients_daily_*.csv' });
  const name = text.slice(0, eq).trim().toLowerCase();
  let rest = text.slice(eq + 1);
  let schema: string | undefined;
  const si = rest.search(/,\s*schema\s*=/i);
  if (si >= 0) { schema = rest.slice(rest.indexOf('=', si) + 1).trim(); rest = rest.slice(0, si); }
  const parts = rest.split(',').map((s) => s.trim());
  const glob = parts[0];
  let format: FileFormat = /\.json$|\.ndjson$|\.jsonl$/i.test(glob) ? 'json' : 'csv';
  for (const p of parts.slice(1)) {
    const m = /^(\w+)\s*=\s*(.*)$/.exec(p);
    if (!m) throw new DefinitionError('INVALID_SOURCE_BINDING', `--source ${text}: cannot read "${p}"`, { value: text }, { hint: 'options: format=csv|json, schema=<DDL> (last)' });
    if (m[1].toLowerCase() === 'format') {
      const f = m[2].toLowerCase();
      if (f !== 'csv' && f !== 'json') throw new DefinitionError('INVALID_SOURCE_BINDING', `--source ${text}: format must be csv or json`, { value: text }, { hint: 'format=csv or format=json' });
      format = f;
    } else throw new DefinitionError('INVALID_SOURCE_BINDING', `--source ${text}: unknown option ${m[1]}`, { value: text, option: m[1] }, { hint: 'options: format=csv|json, schema=<DDL> (last)' });
  }
  if (!glob) throw new DefinitionError('INVALID_SOURCE_BINDING', `--source ${text}: no file glob`, { value: text }, { hint: '--source name=patients_*.csv' });
  return freeze({ name, glob, format, ...(schema ? { schema } : {}) });
}
