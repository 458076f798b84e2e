/**
 * Loading a pipeline from files: a DLT SQL file (plain, or a Databricks
 * notebook source), a JS pipeline module, a folder of both (read recursively,
 * in path order, one pipeline whose SQL and JS datasets read each other), an
 * Apache Spark `spark-pipeline.yml` (its `libraries` globs and
 * `configuration`) or a Databricks Asset Bundle `databricks.yml` (its first
 * pipeline's `libraries` and `configuration`, `targets.<t>` overrides,
 * `${var.x}` from the variables' defaults).
 *
 * Configuration keys starting with `localdlt.` configure the local run, so
 * that Spark and Databricks still accept the file:
 * `localdlt.source.<table> = <glob>[,format=csv|json][,schema=<DDL>]`,
 * `localdlt.path_map[.<any>] = <from>=<to>`, `localdlt.input = <folder>`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { definePipeline, Dataset, type Pipeline, type PipelineOptions } from '../dataset.js';
import { Flow } from '../flow.js';
import { DefinitionError, PipelineError } from '../errors.js';
import { lowerSql, type SqlFile } from '../parse/lower.js';
import { parseSourceBinding, type SourceBinding } from '../parse/file-source.js';

export interface LoadPipelineOptions {
  /** Configuration values (`--conf key=value`), over the spec's `configuration`. */
  conf?: Record<string, string>;
  /** `--source` bindings: `name=glob[,format=csv|json][,schema=DDL]` texts or parsed values. */
  sources?: readonly (string | SourceBinding)[];
  /** `--path-map` pairs: `from=to` texts or `[from, to]`. */
  pathMap?: readonly (string | readonly [string, string])[];
  /** The bundle target (`databricks.yml` `targets.<name>`); default: the target marked `default: true`. */
  target?: string;
  /** The input folder the file sources read (default: `localdlt.input`, else the current folder). */
  input?: string;
  /** Warnings (a Python file skipped, …); default: written to stderr. */
  onWarning?: (message: string) => void;
}

export interface LoadReport {
  /** The pipeline, when the files define one without errors. */
  readonly pipeline: Pipeline | null;
  /** Every error found (one per statement at most). */
  readonly errors: readonly PipelineError[];
  readonly warnings: readonly string[];
}

const freeze = <T>(x: T): T => Object.freeze(x);

function isPipeline(x: unknown): x is Pipeline {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'pipeline' && Array.isArray((x as { datasets?: unknown }).datasets);
}

function notFound(p: string, what = 'pipeline file'): never {
  throw new DefinitionError('PIPELINE_NOT_FOUND', `no ${what} at ${p}`, { path: p }, { hint: 'pass a .sql file, a folder, a pipeline module (.js), spark-pipeline.yml or databricks.yml' });
}

/** Files of a folder, recursively, in path order (hidden folders and node_modules skipped). */
function walk(dir: string): string[] {
  const out: string[] = [];
  for (const ent of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (ent.name.startsWith('.') || ent.name === 'node_modules') continue;
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) out.push(...walk(p)); else out.push(p);
  }
  return out;
}

/** A library glob (`transformations/**\/*.sql`) as a regular expression over paths relative to its base. */
function globToRe(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') { re += '.*'; i++; if (glob[i + 1] === '/') i++; continue; }
    if (c === '*') { re += '[^/]*'; continue; }
    if (c === '?') { re += '[^/]'; continue; }
    re += /[.+^${}()|[\]\\]/.test(c) ? '\\' + c : c;
  }
  return new RegExp('^' + re + '$');
}

function expandLibrary(base: string, entry: string): string[] {
  const abs = path.resolve(base, entry);
  if (!/[*?]/.test(entry)) {
    if (!fs.existsSync(abs)) {
      // a notebook path without its extension
      for (const ext of ['.sql', '.py', '.js', '.mjs']) if (fs.existsSync(abs + ext)) return [abs + ext];
      notFound(abs, 'library');
    }
    return fs.statSync(abs).isDirectory() ? walk(abs) : [abs];
  }
  const firstGlob = entry.search(/[*?]/);
  const root = path.resolve(base, entry.slice(0, entry.lastIndexOf('/', firstGlob) + 1) || '.');
  const re = globToRe(path.relative(root, abs).split(path.sep).join('/'));
  if (!fs.existsSync(root)) return [];
  return walk(root).filter((f) => re.test(path.relative(root, f).split(path.sep).join('/')));
}

function librariesOf(base: string, libs: unknown): string[] {
  const out: string[] = [];
  for (const lib of Array.isArray(libs) ? libs : []) {
    const l = lib as Record<string, { path?: string; include?: string } | undefined>;
    const entry = l.glob?.include ?? l.notebook?.path ?? l.file?.path;
    if (typeof entry === 'string') out.push(...expandLibrary(base, entry));
  }
  return out;
}

function stringMap(x: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) if (v !== null && v !== undefined) out[k] = String(v);
  return out;
}

/** `${var.x}` (and `${bundle.target}`) in every string of a YAML value. */
function substituteVars(x: unknown, vars: Record<string, string>, file: string): unknown {
  if (typeof x === 'string') {
    return x.replace(/\$\{(var|bundle)\.([A-Za-z0-9_-]+)\}/g, (m, ns: string, k: string) => {
      const v = ns === 'var' ? vars[k] : vars[`bundle.${k}`];
      if (v === undefined) throw new DefinitionError('CONFIG_UNKNOWN', `${m} in ${file} has no value`, { key: `${ns}.${k}`, file }, { origin: { file }, hint: ns === 'var' ? `give variable ${k} a default in ${file}` : 'pass --target' });
      return v;
    });
  }
  if (Array.isArray(x)) return x.map((v) => substituteVars(v, vars, file));
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, substituteVars(v, vars, file)]));
  return x;
}

function merge(a: unknown, b: unknown): unknown {
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    for (const [k, v] of Object.entries(b)) out[k] = merge(out[k], v);
    return out;
  }
  return b === undefined ? a : b;
}

interface Spec { name: string; files: string[]; configuration: Record<string, string>; base: string }

function readSpec(file: string, target: string | undefined): Spec {
  const base = path.dirname(file);
  let doc: Record<string, unknown>;
  try { doc = (parseYaml(fs.readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>; } catch (e) {
    throw new DefinitionError('INVALID_PIPELINE_SPEC', `${file} is not valid YAML: ${(e as Error).message.split('\n')[0]}`, { file }, { origin: { file }, hint: 'check the indentation and quoting of the file' });
  }
  if (doc.resources || doc.bundle || doc.targets) {
    const targets = (doc.targets ?? {}) as Record<string, Record<string, unknown>>;
    const tname = target ?? Object.entries(targets).find(([, t]) => t?.default === true)?.[0];
    if (target !== undefined && !targets[target]) throw new DefinitionError('UNKNOWN_TARGET', `${file} has no target ${target}`, { target, known: Object.keys(targets), file }, { origin: { file }, hint: `targets: ${Object.keys(targets).join(', ') || '(none)'}` });
    const t = tname ? targets[tname] ?? {} : {};
    const vars: Record<string, string> = {};
    for (const [k, v] of Object.entries((doc.variables ?? {}) as Record<string, { default?: unknown } | null>)) if (v && v.default !== undefined) vars[k] = String(v.default);
    for (const [k, v] of Object.entries((t.variables ?? {}) as Record<string, unknown>)) vars[k] = String(v && typeof v === 'object' && 'default' in v ? (v as { default: unknown }).default : v);
    if (tname) vars['bundle.target'] = tname;
    const resources = merge(doc.resources, t.resources) as { pipelines?: Record<string, Record<string, unknown>> } | undefined;
    const entries = Object.entries(resources?.pipelines ?? {});
    if (!entries.length) throw new DefinitionError('INVALID_PIPELINE_SPEC', `${file} declares no pipeline (resources.pipelines)`, { file }, { origin: { file }, hint: 'a bundle declares resources: pipelines: <name>: libraries: …' });
    const [key, p] = entries[0];
    const pl = substituteVars(p, vars, file) as Record<string, unknown>;
    return { name: String(pl.name ?? key), files: librariesOf(base, pl.libraries), configuration: stringMap(pl.configuration), base };
  }
  const libs = doc.libraries ?? doc.definitions;
  return { name: String(doc.name ?? path.basename(base)), files: librariesOf(base, libs), configuration: stringMap(doc.configuration), base };
}

/** Python dataset names of a file (for the warning that skips it). */
function pythonDatasetNames(text: string): string[] {
  const out: string[] = [];
  const re = /@(?:dlt|dp|sdp)\.(?:table|view|materialized_view|temporary_view|streaming_table)\b([\s\S]*?)\bdef\s+(\w+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(/\bname\s*=\s*["']([^"']+)["']/.exec(m[1])?.[1] ?? m[2]);
  for (const m of text.matchAll(/(?:dlt|dp|sdp)\.create_(?:streaming_table|auto_cdc_flow|target_table)\(\s*(?:name\s*=\s*)?["']([^"']+)["']/g)) out.push(m[1]);
  return [...new Set(out)];
}

/** Loads a pipeline, collecting every error (see `loadPipeline`). */
export async function loadPipelineReport(p: string, options: LoadPipelineOptions = {}): Promise<LoadReport> {
  const warnings: string[] = [];
  const warn = (m: string) => { warnings.push(m); (options.onWarning ?? ((x: string) => process.stderr.write(`warning: ${x}\n`)))(m); };
  const abs = path.resolve(p);
  if (!fs.existsSync(abs)) notFound(p);
  let files: string[];
  let name: string;
  let configuration: Record<string, string> = {};
  let base = path.dirname(abs);
  if (fs.statSync(abs).isDirectory()) {
    files = walk(abs);
    name = path.basename(abs);
    base = abs;
    const spec = files.find((f) => /^(spark-pipeline|pipeline|databricks)\.ya?ml$/.test(path.basename(f)) && path.dirname(f) === abs);
    if (spec) ({ files, name, configuration, base } = readSpec(spec, options.target));
  } else if (/\.ya?ml$/i.test(abs)) {
    ({ files, name, configuration, base } = readSpec(abs, options.target));
  } else {
    files = [abs];
    name = path.basename(abs).replace(/\.[^.]+$/, '');
  }
  if (options.target !== undefined && !/\.ya?ml$/i.test(abs) && !fs.statSync(abs).isDirectory()) warn(`--target ${options.target} applies to databricks.yml only`);
  const conf: Record<string, string> = { ...configuration, ...(options.conf ?? {}) };
  const sources: SourceBinding[] = [];
  const pathMap: [string, string][] = [];
  for (const [k, v] of Object.entries(conf)) {
    const m = /^localdlt\.(source|path_map|pathmap|path-map)(?:\.(.+))?$/i.exec(k);
    if (!m) continue;
    if (m[1].toLowerCase() === 'source') sources.push(parseSourceBinding(m[2] ? `${m[2]}=${v}` : v));
    else pathMap.push(splitPair(v, k));
  }
  for (const s of options.sources ?? []) sources.push(typeof s === 'string' ? parseSourceBinding(s) : s);
  for (const m of options.pathMap ?? []) pathMap.push(typeof m === 'string' ? splitPair(m, '--path-map') : [m[0], m[1]]);
  const input = options.input ?? (conf['localdlt.input'] ? path.resolve(base, conf['localdlt.input']) : undefined);

  const sqlFiles: SqlFile[] = [];
  const datasets: Dataset[] = [];
  const flows: Flow[] = [];
  const moduleOptions: Record<string, unknown>[] = [];
  const pythonDatasets = new Map<string, string>();
  for (const f of files) {
    const ext = path.extname(f).toLowerCase();
    if (ext === '.sql') sqlFiles.push({ path: path.relative(process.cwd(), f) || f, text: fs.readFileSync(f, 'utf8') });
    else if (ext === '.js' || ext === '.mjs') {
      const mod = (await import(pathToFileURL(f).href)) as Record<string, unknown>;
      const found = isPipeline(mod.default) ? [mod.default] : isPipeline(mod.pipeline) ? [mod.pipeline] : Object.values(mod).filter(isPipeline);
      if (found.length === 1) { datasets.push(...found[0].datasets); flows.push(...found[0].flows); moduleOptions.push({ ...found[0].options }); continue; }
      // a module of definitions (datasets and flows, by shape: the module may import another copy of the engine)
      const shaped = (x: unknown): 'dataset' | 'flow' | null => {
        const def = (x as { def?: { name?: unknown; kind?: unknown; target?: unknown } } | null)?.def;
        if (!def || typeof def.name !== 'string') return null;
        return typeof def.target === 'string' ? 'flow' : typeof def.kind === 'string' ? 'dataset' : null;
      };
      const defs = Object.values(mod).filter((x) => shaped(x) !== null);
      if (!defs.length && files.length === 1) throw new DefinitionError('INVALID_PIPELINE_MODULE', `${f} exports ${found.length ? 'several pipelines' : 'no pipeline'}`, { file: f }, { origin: { file: f }, hint: 'export one as default (export default definePipeline([...]))' });
      for (const d of defs) (shaped(d) === 'dataset' ? datasets : flows).push(d as never);
    } else if (ext === '.py') {
      const names = pythonDatasetNames(fs.readFileSync(f, 'utf8'));
      for (const n of names) pythonDatasets.set(n.toLowerCase(), path.relative(process.cwd(), f) || f);
      warn(`${path.relative(process.cwd(), f)} is Python and is skipped${names.length ? `: datasets ${names.join(', ')} are not defined here` : ''}`);
    } else if (ext === '.ts' && !f.endsWith('.d.ts') && files.length === 1) {
      throw new DefinitionError('INVALID_PIPELINE_MODULE', `${f} is TypeScript; compile it to .js first`, { file: f }, { origin: { file: f }, hint: 'npx tsc, then pass the .js file' });
    }
  }
  if (sqlFiles.length === 0) {
    if (datasets.length === 0 && flows.length === 0) {
      if (files.length === 1 && !/\.(js|mjs|sql)$/i.test(files[0])) throw new DefinitionError('INVALID_PIPELINE_MODULE', `${p} is neither SQL nor a pipeline module`, { file: p }, { hint: 'pass a .sql file, a folder, a .js module, spark-pipeline.yml or databricks.yml' });
    }
    const opts = moduleOptions.length === 1 ? moduleOptions[0] : { name };
    const pipeline = assemble(datasets, flows, { ...opts, ...(Object.keys(conf).length ? { configuration: { ...((opts.configuration as Record<string, string>) ?? {}), ...conf } } : {}), ...(input ? { input } : {}) });
    return { pipeline, errors: [], warnings };
  }
  const low = lowerSql(sqlFiles, { conf, sources, pathMap, ...(input ? { input } : {}), external: { datasets, flows }, pythonDatasets });
  for (const w of low.warnings) warn(w);
  if (low.errors.length) return { pipeline: null, errors: low.errors, warnings };
  const pipeline = assemble([...datasets, ...low.datasets], [...flows, ...low.flows], {
    name, configuration: low.conf, ansi: low.ansi, ...(low.timeZone ? { timeZone: low.timeZone } : {}), ...(input ? { input } : {}),
  });
  return { pipeline, errors: [], warnings };
}

/**
 * A pipeline of datasets and flows that may come from another copy of the
 * engine (a module importing the built package): checked as definePipeline
 * checks, but by shape rather than by class.
 */
function assemble(datasets: readonly Dataset[], flows: readonly Flow[], options: PipelineOptions): Pipeline {
  const checked = definePipeline([], options);
  return Object.freeze({ ...checked, datasets: Object.freeze([...datasets]), flows: Object.freeze([...flows]) });
}

function splitPair(v: string, what: string): [string, string] {
  const i = v.indexOf('=');
  if (i <= 0) throw new DefinitionError('INVALID_PATH_MAP', `${what} ${v}: expected <from>=<to>`, { value: v }, { hint: '--path-map /Volumes/main/raw=./incoming' });
  return [v.slice(0, i).trim(), v.slice(i + 1).trim()];
}

/**
 * Loads a pipeline from a `.sql` file, a folder, a JS module,
 * `spark-pipeline.yml` or `databricks.yml` (see the module comment). The
 * first error found is thrown (`loadPipelineReport` gives them all); when
 * there are several, its `params.errors` lists every one.
 */
export async function loadPipeline(p: string, options: LoadPipelineOptions = {}): Promise<Pipeline> {
  const r = await loadPipelineReport(p, options);
  if (r.pipeline) return r.pipeline;
  const first = r.errors[0];
  if (r.errors.length > 1) Object.defineProperty(first, 'all', { value: freeze([...r.errors]) });
  throw first;
}
