/**
 * File sources of DLT SQL: `read_files(…)`, legacy `cloud_files(…)` and the
 * tables bound with `--source name=glob[,format=…][,schema=…]`, lowered in
 * ONE place (`lowerFileSource`) so that the source behind them can change.
 *
 They lower to the option-driven file source (`readFiles`: Spark's CSV and
 * JSON reader semantics). The path (after `--path-map`) must name files of
 * the input folder. Without a declared schema (`schema =>`) the columns are
 * inferred from the first file in name order at the first start and fixed
 * in the checkpoint; the lowering infers them the same way now to resolve
 * the query's names (`withTypingSchemas`), and leaves the source itself
 * unresolved so that the run fixes them. `_metadata` stays hidden from `*`
 * (`_metadata.file_path`, `input_file_name()` name it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Field } from '../ir/types.js';
import { typeInfo } from '../ir/types.js';
import type { PlanNode } from '../ir/plan.js';
import { FILE_METADATA_COLUMN, planInputs } from '../ir/plan.js';
import { readFiles } from '../expr/api/files.js';
import { DefinitionError, PipelineError, UnsupportedError, type Origin } from '../errors.js';
import { parseSchemaDdl } from '../functions/json.js';
import { fileSourceSchema } from '../expr/typecheck.js';
import { inferSourceSchema } from '../runtime/file-schemas.js';
import { nodeFileSystem } from '../sources/files.js';
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

/** The folder and file-name glob a path names. */
function splitPath(p: string): { dir: string; glob: string } {
  const base = path.basename(p);
  if (/[*?[]/.test(base)) return { dir: path.dirname(p), glob: base };
  if (/[*?[]/.test(path.dirname(p))) return { dir: p, glob: '' };
  let isDir = p.endsWith('/') || !path.extname(p);
  try { isDir = fs.statSync(p).isDirectory(); } catch { /* not there yet */ }
  return isDir ? { dir: p, glob: '*' } : { dir: path.dirname(p), glob: base };
}

/** Resolved copies of file sources whose schema is inferred, for typing while lowering (the pipeline keeps them unresolved). */
const typingCopies = new WeakMap<PlanNode, PlanNode>();

/**
 * A plan with every inferred file source replaced by its copy resolved at
 * lowering time (the schema the lowering resolved names against).
 */
export function withTypingSchemas(p: PlanNode): PlanNode {
  if (p.kind === 'files') return typingCopies.get(p) ?? p;
  const inputs = planInputs(p);
  if (!inputs.length) return p;
  const mapped = inputs.map(withTypingSchemas);
  if (mapped.every((m, i) => m === inputs[i])) return p;
  switch (p.kind) {
    case 'join': case 'asofJoin': return Object.freeze({ ...p, input: mapped[0], right: mapped[1] });
    case 'union': return Object.freeze({ ...p, inputs: Object.freeze(mapped) });
    default: return Object.freeze({ ...p, input: mapped[0] }) as PlanNode;
  }
}

/**
 * A file source → a relation (see the module comment). `spec.path` is the
 * path as written; a declared schema is `options.schema` (DDL).
 */
export function lowerFileSource(spec: FileSourceSpec, ctx: FileSourceContext): Lowered {
  const o = ctx.origin;
  const abs = mapPath(spec.path, ctx);
  const { dir, glob } = splitPath(abs);
  const root = path.resolve(ctx.input ?? '.');
  if (glob === '' || path.resolve(dir) !== root) {
    fail('SQL_UNSUPPORTED', `the source path ${spec.path} (${abs}) is not a file pattern in the input folder ${root}`, o, { construct: 'a source path outside the input folder', path: spec.path, mapped: abs, input: root },
      `map it onto the input folder: --path-map ${path.dirname(spec.path)}=${ctx.input ?? '<input>'} (sources read the files of one folder, the input folder)`, true);
  }
  const options: Record<string, string> = {};
  let schema: string | undefined, hints: string | undefined;
  for (const [k, v] of Object.entries(spec.options)) {
    const l = k.toLowerCase().replace(/^cloudfiles\./, '');
    if (l === 'schema') schema = v;
    else if (l === 'schemahints') hints = v;
    else options[k] = v;
  }
  let rel;
  try {
    rel = readFiles({ glob, format: spec.format, options, ...(schema !== undefined ? { schema } : {}), ...(hints !== undefined ? { schemaHints: hints } : {}), mode: spec.mode === 'cloud_files' ? 'cloud_files' : 'read_files' });
  } catch (e) {
    if (e instanceof PipelineError && e.origin?.line === undefined) {
      const P = e instanceof UnsupportedError ? UnsupportedError : DefinitionError;
      throw new P(e.code, e.message.split('\n')[0].replace(/^[A-Z_]+: /, ''), { ...e.params, table: o.table ?? null, file: o.file ?? null, line: o.line ?? null, col: o.col ?? null }, { origin: o, ...(e.hint ? { hint: e.hint } : {}) });
    }
    throw e;
  }
  const node = rel.node as Extract<PlanNode, { kind: 'files' }>;
  let typed = node;
  if (!node.options.resolved) {
    const fields = inferSourceSchema(node.options, root, nodeFileSystem);
    if (fields === null) {
      fail('SOURCE_SCHEMA_UNKNOWN', `no file matches ${spec.path} (${path.join(dir, glob)}) to infer the columns from`, o, { path: spec.path, mapped: path.join(dir, glob) },
        "add the first file, or declare the columns: schema => 'a STRING, b INT' (--source …,schema=a STRING, b INT)");
    }
    typed = Object.freeze({ kind: 'files', options: Object.freeze({ ...node.options, schema: Object.freeze(fields!.map((f) => Object.freeze({ ...f }))), resolved: true }) });
    typingCopies.set(node, typed);
  }
  const cols = fileSourceSchema(typed.options);
  return { plan: node, scope: scopeOf(cols, null, new Set([FILE_METADATA_COLUMN])) };
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
