/**
 * DLT SQL → the plan IR: the statements of one or more SQL files become the
 * same immutable dataset and flow definitions the TypeScript builders make.
 *
 * - `CREATE … STREAMING TABLE | MATERIALIZED VIEW | [TEMPORARY] VIEW` (modern,
 *   legacy `LIVE`, OSS) → a dataset: its query, declared columns (types,
 *   comments), `CONSTRAINT … EXPECT` expectations, COMMENT, TBLPROPERTIES;
 *   PARTITIONED BY / CLUSTER BY are recorded as the table properties
 *   `localdlt.partitionedBy` / `localdlt.clusterBy` (its Delta configuration:
 *   the files stay unpartitioned).
 * - `CREATE FLOW f AS INSERT [ONCE] INTO t BY NAME q` → an append flow;
 *   `AUTO CDC [ONCE] INTO` / `APPLY CHANGES INTO` / an inline `FLOW AUTO CDC`
 *   → an AUTO CDC flow.
 * - `SET k = v` → configuration (and the session settings
 *   `spark.sql.session.timeZone`, `spark.sql.ansi.enabled`); `USE CATALOG` /
 *   `USE SCHEMA` → the names a qualified reference may carry.
 *
 * Dataset names are the last part of the name, in lower case (Spark's names
 * are case-insensitive; a table's folder is that name). References resolve
 * case-insensitively to the pipeline's datasets (SQL and TypeScript alike),
 * then to the tables bound with `--source`. Errors are collected, one per
 * statement, so that `validate` lists them all.
 */
import { Dataset } from '../dataset.js';
import { Flow } from '../flow.js';
import type { CdcSpec, DatasetDef, Expectation, FlowDef, PlanNode } from '../ir/plan.js';
import { SCD2_END_COLUMN, SCD2_START_COLUMN } from '../ir/plan.js';
import type { ExprNode } from '../ir/expr.js';
import type { Field, Schema } from '../ir/types.js';
import { DefinitionError, isPipelineError, PipelineError, type Origin } from '../errors.js';
import { exprType, planSchema } from '../expr/typecheck.js';
import { tokenize } from './lexer.js';
import { SqlParser } from './sql-parser.js';
import { sourceStatements } from './source.js';
import type { CdcClause, FromItem, QualifiedName, Statement } from './ast.js';
import { closest, QueryLowering, scopeOf, sqlOrigin, type Lowered, type QueryEnv, type ScopeCol } from './lower-query.js';
import { canonicalPlan } from '../plan/canonical.js';
import { foldQuarantines } from './quarantine.js';
import { lowerFileSource, withTypingSchemas, type FileFormat, type SourceBinding } from './file-source.js';

const freeze = <T>(x: T): T => Object.freeze(x);

export interface SqlFile {
  readonly path: string;
  readonly text: string;
}

export interface LowerOptions {
  /** Pipeline configuration (`--conf`, the spec's `configuration`): `${key}` values. */
  readonly conf?: Readonly<Record<string, string>>;
  /** Tables the pipeline reads but does not define, bound to files. */
  readonly sources?: readonly SourceBinding[];
  /** `--path-map from=to` pairs for `read_files` / `cloud_files` paths. */
  readonly pathMap?: readonly (readonly [string, string])[];
  /** The input folder (file sources read from it; relative paths resolve against it). */
  readonly input?: string;
  /** Datasets defined in Python files that are skipped (name → file): what reads them is skipped with a warning. */
  readonly pythonDatasets?: ReadonlyMap<string, string>;
  /** Datasets and flows defined elsewhere (TypeScript/JS modules of the same pipeline). */
  readonly external?: { readonly datasets: readonly Dataset[]; readonly flows: readonly Flow[] };
}

export interface LowerResult {
  readonly datasets: Dataset[];
  readonly flows: Flow[];
  /** Every error found, one per statement at most, in file order. */
  readonly errors: PipelineError[];
  /** Datasets and flows left out because they read a dataset of a skipped Python file. */
  readonly warnings: string[];
  /** The configuration after every SET. */
  readonly conf: Record<string, string>;
  readonly ansi: boolean;
  readonly timeZone?: string;
  readonly catalog: string | null;
  readonly schema: string | null;
}

/** Raised when a statement depends on one that failed (that one's error is reported, not this). */
class DependencyFailed extends Error {}

/** Raised when a statement reads a dataset of a skipped Python file (directly or through others). */
class ReadsPython extends Error {
  constructor(readonly dataset: string, readonly file: string) { super(dataset); }
}

interface Entry {
  readonly key: string;
  readonly stmt: Extract<Statement, { kind: 'create' }> | null;
  readonly external?: DatasetDef;
  readonly file: string;
  state: 'new' | 'busy' | 'done' | 'failed' | 'skipped';
  python?: ReadsPython;
  def?: DatasetDef;
  schema?: Schema;
}

type FlowStatement = Extract<Statement, { kind: 'insert_flow' | 'cdc_flow' }>;

const ieq = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function posOrigin(file: string, table: string, pos: { line: number; col: number; file?: string } | undefined): Origin {
  return sqlOrigin({ file, table }, pos);
}

/** Lowers SQL files (in order) into datasets and flows; see the module comment. */
export function lowerSql(files: readonly SqlFile[], options: LowerOptions = {}): LowerResult {
  return new Lowerer(options).run(files);
}

class Lowerer {
  private readonly conf: Map<string, string>;
  private readonly errors: PipelineError[] = [];
  private readonly entries = new Map<string, Entry>();
  private readonly flowStatements: { stmt: FlowStatement; file: string }[] = [];
  private readonly cdcTargets = new Set<string>();
  private ansi = true;
  private timeZone: string | undefined;
  private catalog: string | null = null;
  private schema: string | null = null;
  private readonly flowSchemas = new Map<string, Schema>();

  constructor(private readonly options: LowerOptions) {
    this.conf = new Map(Object.entries(options.conf ?? {}));
    for (const [k, v] of this.conf) this.setting(k, v);
  }

  private readonly warnings: string[] = [];

  private record(e: unknown, who?: string): void {
    if (e instanceof DependencyFailed) return;
    if (e instanceof ReadsPython) {
      this.warnings.push(`${who ?? 'a statement'} is skipped: it reads ${e.dataset}, defined in the skipped Python file ${e.file}`);
      return;
    }
    if (isPipelineError(e)) { this.errors.push(e); return; }
    throw e;
  }

  private setting(key: string, value: string): void {
    const k = key.toLowerCase();
    if (k === 'spark.sql.session.timezone') this.timeZone = value;
    if (k === 'spark.sql.ansi.enabled') this.ansi = value.toLowerCase() !== 'false';
  }

  run(files: readonly SqlFile[]): LowerResult {
    for (const d of this.options.external?.datasets ?? []) this.register(d.def.name, null, d.def.origin.file ?? '', d.def);
    for (const f of this.options.external?.flows ?? []) if (f.def.kind === 'auto_cdc') this.cdcTargets.add(f.def.target.toLowerCase());
    const statements: { stmt: Statement; file: string }[] = [];
    for (const file of files) {
      const srcErrors: unknown[] = [];
      let parsed: ReturnType<typeof sourceStatements>;
      try { parsed = sourceStatements(file.text, file.path, this.conf, srcErrors); } catch (e) { this.record(e); continue; }
      srcErrors.forEach((e) => this.record(e));
      for (const st of parsed.statements) {
        try {
          const p = new SqlParser(tokenize(st.text, { file: file.path, line: st.line, col: st.col }), file.path);
          const stmt = p.statement();
          if (!p.atEnd()) p.fail('unexpected text after the statement');
          statements.push({ stmt, file: file.path });
        } catch (e) { this.record(e); }
      }
    }
    // session settings: one value for the whole pipeline (the IR carries them per pipeline), so every
    // dataset and flow must see the same value; a SET that changes what a later statement sees is an error
    const session = new Map<string, { value: string; at: string | null; seenBy: string | null }>([
      ['spark.sql.session.timezone', { value: this.timeZone ?? 'UTC', at: null, seenBy: null }],
      ['spark.sql.ansi.enabled', { value: String(this.ansi), at: null, seenBy: null }],
    ]);
    // declarations first (any order in the files, as Databricks reads them)
    for (const { stmt, file } of statements) {
      try {
        if (stmt.kind === 'create' || stmt.kind === 'insert_flow' || stmt.kind === 'cdc_flow') {
          const who = stmt.kind === 'create' ? stmt.name.parts.join('.') : stmt.kind === 'insert_flow' ? `flow ${stmt.name}` : `flow ${stmt.name ?? stmt.cdc.target.parts.join('.')}`;
          for (const s of session.values()) s.seenBy ??= `${who} (${file}:${stmt.pos.line}:${stmt.pos.col})`;
        }
        if (stmt.kind === 'set' && session.has(stmt.key.toLowerCase())) {
          const k = stmt.key.toLowerCase();
          const s = session.get(k)!;
          const value = k === 'spark.sql.ansi.enabled' ? String(stmt.value.toLowerCase() !== 'false') : stmt.value.trim();
          const here = `${file}:${stmt.pos.line}:${stmt.pos.col}`;
          if (s.seenBy && value !== s.value) {
            const o = posOrigin(file, stmt.key, stmt.pos);
            throw new DefinitionError('SESSION_SETTING_CHANGED', `SET ${stmt.key} = ${stmt.value} at ${here} changes the value ${s.seenBy} already runs with (${s.value}${s.at ? `, set at ${s.at}` : ', the default or --conf'}); the pipeline runs every dataset with one value of a session setting`, {
              key: stmt.key, value: stmt.value, previous: s.value, previousAt: s.at, seenBy: s.seenBy, file: o.file ?? null, line: o.line ?? null, col: o.col ?? null,
            }, { origin: o, hint: 'set it once, before the first dataset (or with --conf), for the whole pipeline' });
          }
          if (!s.seenBy) session.set(k, { value, at: here, seenBy: null });
        }
        if (stmt.kind === 'create') {
          const key = this.register(stmt.name.parts[stmt.name.parts.length - 1], stmt, file);
          if (stmt.inlineCdc) this.cdcTargets.add(key);
        } else if (stmt.kind === 'insert_flow' || stmt.kind === 'cdc_flow') {
          this.flowStatements.push({ stmt, file });
          if (stmt.kind === 'cdc_flow') this.cdcTargets.add(stmt.cdc.target.parts[stmt.cdc.target.parts.length - 1].toLowerCase());
        } else if (stmt.kind === 'set') this.setting(stmt.key, stmt.value);
        else if (stmt.kind === 'use') { if (stmt.what === 'catalog') { this.catalog = stmt.name; this.schema = null; } else this.schema = stmt.name; }
      } catch (e) { this.record(e); }
    }
    for (const e of this.entries.values()) {
      if (!e.stmt) continue;
      try { this.lowerEntry(e); } catch (x) { this.record(placed(x, e.file, e.stmt.pos), e.key); }
    }
    const flows: Flow[] = [];
    for (const { stmt, file } of this.flowStatements) {
      try { flows.push(new Flow(this.lowerFlow(stmt, file))); } catch (x) { this.record(placed(x, file, stmt.pos), `flow ${stmt.kind === 'insert_flow' ? stmt.name : stmt.name ?? stmt.cdc.target.parts.join('.')}`); }
    }
    for (const e of this.entries.values()) {
      if (!e.stmt?.inlineCdc || e.state !== 'done') continue;
      try { flows.push(new Flow(this.cdcFlow(e.key, null, null, e.stmt.inlineCdc, e.file))); } catch (x) { this.record(x); }
    }
    // a streaming table in the compiler's form of a quarantine is that quarantine
    const flowTargets = new Set(flows.map((f) => f.def.target.toLowerCase()));
    const datasets = foldQuarantines([...this.entries.values()].filter((e) => e.stmt && e.def).map((e) => e.def!), (n) => flowTargets.has(n.toLowerCase())).map((d) => new Dataset(d));
    // in file order, then by place
    const fileIndex = new Map(files.map((f, i) => [f.path, i]));
    const at = (e: PipelineError): [number, number, number] => [fileIndex.get(e.origin?.file ?? '') ?? -1, e.origin?.line ?? 0, e.origin?.col ?? 0];
    const errors = this.errors.map((e, i) => ({ e, i, k: at(e) })).sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.k[2] - b.k[2] || a.i - b.i).map((x) => x.e);
    return { datasets, flows, errors, warnings: this.warnings, conf: Object.fromEntries(this.conf), ansi: this.ansi, ...(this.timeZone ? { timeZone: this.timeZone } : {}), catalog: this.catalog, schema: this.schema };
  }

  private register(name: string, stmt: Entry['stmt'], file: string, external?: DatasetDef): string {
    const key = name.toLowerCase();
    const prev = this.entries.get(key);
    if (prev) {
      const o = stmt ? posOrigin(file, key, stmt.pos) : external?.origin ?? {};
      const first = prev.stmt ? `${prev.file}:${prev.stmt.pos.line}:${prev.stmt.pos.col}` : prev.external?.origin.file ?? prev.file;
      const same = (prev.stmt ? prev.stmt.name.parts.join('.') : prev.external!.name).toLowerCase() === (stmt ? stmt.name.parts.join('.') : name).toLowerCase();
      throw new DefinitionError(same ? 'DUPLICATE_DATASET' : 'DATASET_FOLDER_CONFLICT', same ? `dataset ${name} is defined twice` : `datasets ${prev.stmt ? prev.stmt.name.parts.join('.') : prev.external!.name} and ${stmt ? stmt.name.parts.join('.') : name} would share the table folder tables/${key}/`, {
        name: key, first, file: o.file ?? null, line: o.line ?? null, col: o.col ?? null,
      }, { origin: o, hint: same ? `rename one of them; the first is at ${first}` : 'rename one of them: a table is written to tables/<last name part, lower case>/' });
    }
    this.entries.set(key, { key, stmt, file, external, state: external ? 'done' : 'new', ...(external ? { def: external } : {}) });
    return key;
  }

  // ------------------------------------------------------------ references

  private env(file: string, table: string): QueryEnv {
    return {
      file, table, ansi: this.ansi,
      tableRef: (name, stream, options) => this.tableRef(name, stream, options, file, table),
      fileSource: (item) => this.fileSource(item, file, table),
      schemaOf: (plan) => this.planSchemaOf(plan, file, table),
    };
  }

  /** The plan in the builders' shapes (canonical.ts). */
  private canonical(plan: PlanNode, file: string, table: string): PlanNode {
    return canonicalPlan(plan, (p) => this.planSchemaOf(p, file, table), this.ansi);
  }

  private planSchemaOf(plan: PlanNode, file: string, table: string, pos?: { line: number; col: number }): Schema {
    return planSchema(withTypingSchemas(plan), { datasetSchema: (n) => this.datasetSchema(n), origin: posOrigin(file, table, pos), ansi: this.ansi });
  }

  /** The output schema of a dataset (lowering it first when needed). */
  private datasetSchema(name: string): Schema {
    const e = this.entries.get(name.toLowerCase());
    if (!e) throw new DependencyFailed(name);
    if (e.schema) return e.schema;
    if (e.stmt) {
      if (e.state === 'new') {
        // its own error is reported at its own statement, once
        try { this.lowerEntry(e); } catch (x) { if (x instanceof DependencyFailed || x instanceof ReadsPython || (isPipelineError(x) && x.code === 'CYCLE')) throw x; this.record(placed(x, e.file, e.stmt.pos), e.key); }
      } else if (e.state === 'busy') this.lowerEntry(e);
      if (e.python) throw e.python;
      if (e.schema) return e.schema;
      throw new DependencyFailed(name);
    }
    return this.externalSchema(e);
  }

  private externalSchema(e: Entry): Schema {
    const def = e.external!;
    if (e.state === 'busy') throw new DependencyFailed(def.name);
    e.state = 'busy';
    try {
      let s: Schema;
      if (def.schema) s = def.schema;
      else if (def.query) s = planSchema(def.query, { datasetSchema: (n) => this.datasetSchema(n), origin: def.origin, ansi: this.ansi });
      else {
        const f = this.options.external?.flows.find((x) => x.def.target === def.name);
        if (!f) throw new DependencyFailed(def.name);
        s = planSchema(f.def.query, { datasetSchema: (n) => this.datasetSchema(n), origin: f.def.origin, ansi: this.ansi });
        if (f.def.cdc) s = cdcSchema(s, f.def.cdc, f.def.origin, this.ansi);
      }
      e.schema = s;
      return s;
    } finally { e.state = 'done'; }
  }

  private tableRef(name: QualifiedName, stream: boolean, options: Readonly<Record<string, string>>, file: string, table: string): Lowered {
    let parts = name.parts;
    if (parts.length === 2 && ieq(parts[0], 'live')) parts = parts.slice(1);
    const full = parts.join('.').toLowerCase();
    const last = parts[parts.length - 1].toLowerCase();
    const binding = (this.options.sources ?? []).find((b) => b.name === full)
      ?? (this.options.sources ?? []).find((b) => { const bp = b.name.split('.'); const rp = full.split('.'); const n = Math.min(bp.length, rp.length); return bp.slice(-n).join('.') === rp.slice(-n).join('.'); });
    const entry = this.entries.get(last);
    const o = posOrigin(file, table, name.pos);
    if (entry && !(binding && parts.length > 1 && binding.name === full)) {
      const target = entry.def ?? entry.external;
      const kind = entry.stmt ? objectKind(entry.stmt) : target?.kind;
      if (stream && kind === 'materialized_view') {
        throw new DefinitionError('STREAM_FROM_MATERIALIZED_VIEW', `${table} reads materialized view ${last} with STREAM, but a materialized view is not append-only`, { table, source: last, file: o.file ?? null, line: o.line ?? null, col: o.col ?? null }, { origin: o, hint: `read it without STREAM (a snapshot: make ${table} a materialized view), or make ${last} a streaming table` });
      }
      const skip = Object.entries(options).some(([k, v]) => ieq(k, 'skipChangeCommits') && v.toLowerCase() === 'true');
      if (stream && this.cdcTargets.has(last) && !skip) {
        throw new DefinitionError('STREAM_FROM_CDC_TARGET', `${table} reads AUTO CDC target ${last} with STREAM, but its rows are updated and deleted in place`, { table, source: last, file: o.file ?? null, line: o.line ?? null, col: o.col ?? null }, { origin: o, hint: `read a snapshot (FROM ${last}, in a materialized view), or STREAM(${last}) WITH (skipChangeCommits = true)` });
      }
      const dsName = entry.external ? entry.external.name : last;
      const plan: PlanNode = freeze({ kind: 'read', dataset: dsName, streaming: stream, ...(skip ? { skipChangeCommits: true } : {}) });
      return { plan, scope: scopeOf(this.datasetSchema(last), null) };
    }
    const py = this.options.pythonDatasets?.get(last);
    if (py !== undefined && !binding) throw new ReadsPython(last, py);
    if (binding) {
      return lowerFileSource({ path: binding.glob, format: binding.format, options: { ...(binding.format === 'csv' ? { header: 'true' } : {}), ...(binding.schema ? { schema: binding.schema } : {}) }, mode: 'source', stream }, { input: this.options.input, pathMap: [], origin: o });
    }
    const known = [...this.entries.values()].map((e) => e.external?.name ?? e.key);
    const near = closest(last, [...known, ...(this.options.sources ?? []).map((b) => b.name.split('.').pop()!)]);
    throw new DefinitionError('UNKNOWN_TABLE', `table ${name.parts.join('.')} is neither a dataset of the pipeline nor a bound source`, {
      table, reference: name.parts.join('.'), known, file: o.file ?? null, line: o.line ?? null, col: o.col ?? null,
    }, { origin: o, hint: near ? `did you mean \`${near}\`?` : `define it in the pipeline, or bind it to files: --source ${name.parts.join('.')}=<glob>[,format=csv|json][,schema=<DDL>]` });
  }

  /** `read_files(path, format => …, …)` and `cloud_files(path, format, map(…))`. */
  private fileSource(item: Extract<FromItem, { kind: 'tvf' }>, file: string, table: string): Lowered {
    const o = posOrigin(file, table, item.pos);
    const str = (e: ExprNode | undefined, what: string): string => {
      if (e && e.kind === 'lit' && e.value !== null && typeof e.value !== 'object') return String(e.value);
      throw new DefinitionError('INVALID_SOURCE_OPTION', `${item.name}(): ${what} must be a constant`, { function: item.name, option: what, table, file: o.file ?? null, line: o.line ?? null, col: o.col ?? null }, { origin: o, hint: "write it as a literal, e.g. header => 'true' or header => true" });
    };
    const options: Record<string, string> = {};
    let p: string, format: string | undefined;
    if (item.name === 'read_files') {
      p = str(item.args[0] ?? item.named.path, 'the path');
      for (const [k, v] of Object.entries(item.named)) if (k !== 'path') options[k] = str(v, k);
      format = options.format;
      delete options.format;
    } else {
      p = str(item.args[0], 'the path');
      format = str(item.args[1], 'the format');
      const m = item.args[2];
      if (m) {
        if (m.kind !== 'call' || m.fn !== 'map' || m.args.length % 2) throw new DefinitionError('INVALID_SOURCE_OPTION', 'cloud_files(): the options must be map(\'key\', \'value\', …)', { function: 'cloud_files', table, file: o.file ?? null, line: o.line ?? null, col: o.col ?? null }, { origin: o, hint: "cloud_files('/path', 'csv', map('header', 'true'))" });
        for (let i = 0; i < m.args.length; i += 2) options[str(m.args[i], 'an option name')] = str(m.args[i + 1], 'an option value');
      }
    }
    format = (format ?? (/\.json[^/]*$|\.jsonl$|\.ndjson$/i.test(p) ? 'json' : /\.csv[^/]*$/i.test(p) ? 'csv' : '')).toLowerCase();
    if (format !== 'csv' && format !== 'json') {
      throw new PipelineErrorUnsupported(`${item.name}() of format ${format || '(none given)'}`, o);
    }
    if (item.name === 'read_files' && item.args.length > 1) {
      throw new DefinitionError('INVALID_SOURCE_OPTION', 'read_files() takes its options by name (header => true)', { function: 'read_files', table, file: o.file ?? null, line: o.line ?? null, col: o.col ?? null }, { origin: o, hint: "read_files('/path', format => 'csv', header => true)" });
    }
    return lowerFileSource({ path: p, format: format as FileFormat, options, mode: item.name as 'read_files' | 'cloud_files', stream: item.stream }, { input: this.options.input, pathMap: this.options.pathMap ?? [], origin: o });
  }

  // ------------------------------------------------------------ datasets

  private lowerEntry(e: Entry): void {
    if (e.state === 'done' || e.state === 'failed') return;
    if (e.state === 'skipped') throw e.python!;
    const stmt = e.stmt!;
    const o = posOrigin(e.file, e.key, stmt.pos);
    if (e.state === 'busy') {
      throw new DefinitionError('CYCLE', `dataset ${e.key} reads itself through the datasets it reads`, { table: e.key, file: o.file ?? null, line: o.line ?? null, col: o.col ?? null }, { origin: o, hint: 'break the cycle: a dataset cannot read itself, directly or through others' });
    }
    e.state = 'busy';
    try {
      const env = this.env(e.file, e.key);
      const low = stmt.query ? new QueryLowering(env).query(stmt.query) : null;
      const declared = stmt.columns.filter((c) => c.type !== null);
      const schemaDecl: Field[] | undefined = declared.length ? stmt.columns.map((c) => freeze({ name: c.name, type: c.type ?? 'string' })) : undefined;
      if (declared.length && declared.length !== stmt.columns.length) {
        throw new DefinitionError('SQL_COLUMN_TYPES', `${e.key} declares types for some of its columns only`, { table: e.key, file: o.file ?? null, line: o.line ?? null, col: o.col ?? null }, { origin: o, hint: 'give every column a type, or none' });
      }
      let query = low ? this.canonical(low.plan, e.file, e.key) : undefined;
      let scope: readonly ScopeCol[] | null = low?.scope ?? null;
      // a column list without types names the query's columns
      if (low && stmt.columns.length && !declared.length) {
        const visible = low.scope.filter((c) => !c.hidden);
        if (visible.length !== stmt.columns.length) {
          throw new DefinitionError('COLUMN_ALIAS_COUNT', `${e.key} lists ${stmt.columns.length} columns, its query gives ${visible.length}`, { table: e.key, file: o.file ?? null, line: o.line ?? null, col: o.col ?? null }, { origin: o, hint: 'list one name per column of the query' });
        }
        if (visible.some((c, i) => c.internal !== stmt.columns[i].name)) {
          query = freeze({ kind: 'select', input: low.plan, columns: freeze(visible.map((c, i) => freeze([stmt.columns[i].name, freeze({ kind: 'col', name: c.internal }) as ExprNode] as const))) });
          scope = null;
        }
      }
      let schema: Schema | undefined;
      if (schemaDecl) schema = schemaDecl;
      else if (query) schema = this.planSchemaOf(query, e.file, e.key, stmt.pos);
      else if (stmt.inlineCdc) schema = this.flowTargetSchema(e.key);
      else schema = this.flowTargetSchema(e.key);
      const outScope = scope ?? scopeOf(schema ?? [], null);
      const expScope = scopeOf(schema ?? outScope.map((c) => ({ name: c.name, type: c.type })), null);
      const ql = new QueryLowering(this.env(e.file, e.key));
      const expectations: Expectation[] = stmt.constraints.map((c) => {
        const predicate = ql.resolve(c.expr, expScope, { pos: c.pos });
        const co = posOrigin(e.file, e.key, c.pos);
        if (schema) {
          const t = exprType(predicate, schema, co, this.ansi);
          if (t !== 'boolean') throw new DefinitionError('TYPE_MISMATCH', `expectation ${c.name} of ${e.key} is ${t}, not boolean`, { table: e.key, expectation: c.name, file: co.file ?? null, line: co.line ?? null, col: co.col ?? null }, { origin: co, hint: 'an EXPECT takes a boolean expression, e.g. age BETWEEN 0 AND 120' });
        }
        return freeze({ name: c.name, predicate, action: c.action, origin: co });
      });
      const names = new Set<string>();
      for (const x of expectations) {
        if (names.has(x.name.toLowerCase())) throw new DefinitionError('DUPLICATE_EXPECTATION', `${e.key} has two expectations named ${x.name}`, { table: e.key, expectation: x.name, file: x.origin?.file ?? null, line: x.origin?.line ?? null, col: x.origin?.col ?? null }, { origin: x.origin, hint: 'give each CONSTRAINT its own name' });
        names.add(x.name.toLowerCase());
      }
      const properties: Record<string, string> = { ...stmt.properties };
      if (stmt.partitionedBy.length) properties['localdlt.partitionedBy'] = stmt.partitionedBy.join(',');
      if (stmt.clusterBy.length) properties['localdlt.clusterBy'] = stmt.clusterBy.join(',');
      const comments = Object.fromEntries(stmt.columns.filter((c) => c.comment !== null).map((c) => [c.name, c.comment!]));
      // NOT NULL columns, named as in the schema
      const notNull = stmt.columns.filter((c) => c.notNull).map((c) => schema?.find((f) => ieq(f.name, c.name))?.name ?? c.name);
      if (notNull.length && this.cdcTargets.has(e.key)) this.warnings.push(`NOT NULL on ${notNull.join(', ')} of ${e.key} is not enforced: ${e.key} is an AUTO CDC target (${o.file}:${o.line}:${o.col})`);
      const def: DatasetDef = freeze({
        kind: objectKind(stmt),
        name: e.key,
        ...(stmt.comment !== null ? { comment: stmt.comment } : {}),
        properties: freeze(properties),
        ...(Object.keys(comments).length ? { columnComments: freeze(comments) } : {}),
        ...(query ? { query } : {}),
        ...(schemaDecl ? { schema: freeze(schemaDecl) } : {}),
        expectations: freeze(expectations),
        ...(notNull.length ? { notNull: freeze(notNull) } : {}),
        origin: o,
      });
      e.def = def;
      e.schema = schema;
      e.state = 'done';
    } catch (x) {
      e.state = x instanceof ReadsPython ? 'skipped' : 'failed';
      if (x instanceof ReadsPython) e.python = x;
      throw x;
    }
  }

  /** The schema of a streaming table that takes its rows from flows only: its first flow's. */
  private flowTargetSchema(key: string): Schema {
    const e = this.entries.get(key)!;
    if (e.stmt?.inlineCdc) {
      const f = this.cdcFlow(key, null, null, e.stmt.inlineCdc, e.file);
      return cdcSchema(this.flowSchemas.get(f.name)!, f.cdc!, f.origin, this.ansi);
    }
    const fs = this.flowStatements.find(({ stmt }) => (stmt.kind === 'insert_flow' ? stmt.target : stmt.cdc.target).parts.slice(-1)[0].toLowerCase() === key);
    if (!fs) {
      const o = posOrigin(e.file, key, e.stmt?.pos);
      throw new DefinitionError('STREAMING_TABLE_WITHOUT_FLOW', `streaming table ${key} has no query and no flow writes into it`, { table: key, file: o.file ?? null, line: o.line ?? null, col: o.col ?? null }, { origin: o, hint: `add a flow: CREATE FLOW f AS INSERT INTO ${key} BY NAME SELECT …, or AUTO CDC INTO ${key} …` });
    }
    const f = this.lowerFlowDef(fs.stmt, fs.file);
    const s = this.flowSchemas.get(f.name)!;
    return f.cdc ? cdcSchema(s, f.cdc, f.origin, this.ansi) : s;
  }

  private readonly flowMemo = new Map<FlowStatement, FlowDef>();

  private lowerFlowDef(stmt: FlowStatement, file: string): FlowDef {
    let f = this.flowMemo.get(stmt);
    if (!f) {
      f = stmt.kind === 'insert_flow' ? this.insertFlow(stmt, file) : this.cdcFlow(null, stmt.name, stmt.comment, stmt.cdc, file);
      this.flowMemo.set(stmt, f);
    }
    return f;
  }

  private lowerFlow(stmt: FlowStatement, file: string): FlowDef { return this.lowerFlowDef(stmt, file); }

  private targetOf(name: QualifiedName, file: string, who: string): string {
    const last = name.parts[name.parts.length - 1].toLowerCase();
    const e = this.entries.get(last);
    if (!e) {
      const o = posOrigin(file, who, name.pos);
      const near = closest(last, [...this.entries.keys()]);
      throw new DefinitionError('UNKNOWN_TABLE', `flow ${who} writes into ${name.parts.join('.')}, which the pipeline does not define`, { flow: who, reference: name.parts.join('.'), file: o.file ?? null, line: o.line ?? null, col: o.col ?? null }, { origin: o, hint: near ? `did you mean \`${near}\`?` : `declare it first: CREATE OR REFRESH STREAMING TABLE ${last};` });
    }
    return e.external?.name ?? e.key;
  }

  private insertFlow(stmt: Extract<Statement, { kind: 'insert_flow' }>, file: string): FlowDef {
    const name = stmt.name.toLowerCase();
    const target = this.targetOf(stmt.target, file, name);
    const low = new QueryLowering(this.env(file, name)).query(stmt.query);
    const query = this.canonical(low.plan, file, name);
    this.flowSchemas.set(name, this.planSchemaOf(query, file, name, stmt.pos));
    return freeze({ name, target, kind: 'append' as const, query, once: stmt.once, ...(stmt.comment ? { comment: stmt.comment } : {}), origin: posOrigin(file, target, stmt.pos) });
  }

  private cdcFlow(inlineTarget: string | null, flowName: string | null, comment: string | null, c: CdcClause, file: string): FlowDef {
    const target = inlineTarget ?? this.targetOf(c.target, file, flowName ?? c.target.parts.slice(-1)[0]);
    const name = (flowName ?? target).toLowerCase();
    const o = posOrigin(file, target, c.pos);
    const env = this.env(file, name);
    const ql = new QueryLowering(env);
    // the change feed is read as a stream (once: as a batch)
    const src: FromItem = c.source.kind === 'table' && !c.source.stream && !c.once ? freeze({ ...c.source, stream: true }) : c.source;
    const low = ql.from(src);
    let plan = low.plan;
    const scope = low.scope;
    if (c.where) plan = freeze({ kind: 'filter', input: plan, predicate: ql.resolve(c.where, scope, { pos: c.pos }) });
    // the feed as the target sees it: its visible columns under their own names
    const visible = scope.filter((x) => !x.hidden);
    if (visible.some((x) => x.internal !== x.name) || visible.length !== scope.length) {
      plan = freeze({ kind: 'select', input: plan, columns: freeze(visible.map((x) => freeze([x.name, freeze({ kind: 'col', name: x.internal }) as ExprNode] as const))) });
    }
    plan = this.canonical(plan, file, name);
    const feed = scopeOf(this.planSchemaOf(plan, file, name, c.pos), null);
    const colName = (n: string): string => {
      const hit = feed.find((x) => ieq(x.name, n));
      if (!hit) {
        const near = closest(n, feed.map((x) => x.name));
        throw new DefinitionError('UNKNOWN_COLUMN', `column \`${n}\` is not in the change feed of ${name}`, { column: n, table: target, known: feed.map((x) => x.name), file: o.file ?? null, line: o.line ?? null, col: o.col ?? null }, { origin: o, hint: near ? `did you mean \`${near}\`?` : `the feed's columns: ${feed.map((x) => x.name).join(', ')}` });
      }
      return hit.name;
    };
    const list = (x: CdcClause['columns']) => (x && 'list' in x ? freeze(x.list.map(colName)) : null);
    const except = (x: CdcClause['columns']) => (x && 'except' in x ? freeze(x.except.map(colName)) : null);
    const cdc: CdcSpec = freeze({
      keys: freeze(c.keys.map(colName)),
      sequenceBy: ql.resolve(c.sequenceBy, feed, { pos: c.pos }),
      applyAsDeletes: c.applyAsDeletes ? ql.resolve(c.applyAsDeletes, feed, { pos: c.pos }) : null,
      applyAsTruncates: c.applyAsTruncates ? ql.resolve(c.applyAsTruncates, feed, { pos: c.pos }) : null,
      columns: list(c.columns),
      exceptColumns: except(c.columns),
      storedAs: c.storedAs,
      trackHistory: list(c.trackHistory),
      trackHistoryExcept: except(c.trackHistory),
      ignoreNullUpdates: c.ignoreNullUpdates,
    });
    this.flowSchemas.set(name, feed.map((x) => ({ name: x.name, type: x.type })));
    return freeze({ name, target, kind: 'auto_cdc' as const, query: plan, once: c.once, cdc, ...(comment ? { comment } : {}), origin: o });
  }
}

/** An error without a line gets its statement's file:line:col. */
function placed(x: unknown, file: string, pos: { line: number; col: number }): unknown {
  if (!isPipelineError(x) || x.origin?.line !== undefined) return x;
  const origin: Origin = { ...(x.origin ?? {}), file: x.origin?.file ?? file, line: pos.line, col: pos.col };
  const P = x.constructor as new (code: string, message: string, params: Record<string, unknown>, options: { origin?: Origin; hint?: string }) => PipelineError;
  const message = x.message.split('\n')[0].replace(/^[A-Z_]+: /, '').replace(/ \[at [^\]]*\]$/, '');
  return new P(x.code, message, { ...x.params, file: origin.file ?? null, line: pos.line, col: pos.col }, { origin, ...(x.hint ? { hint: x.hint } : {}) });
}

/** An SQL_UNSUPPORTED error at a place. */
class PipelineErrorUnsupported extends PipelineError {
  constructor(construct: string, o: Origin) {
    super('SQL_UNSUPPORTED', `${construct} is not supported`, { construct, file: o.file ?? null, line: o.line ?? null, col: o.col ?? null, table: o.table ?? null }, { origin: o, hint: 'sources read CSV (format => \'csv\') or newline-delimited JSON (format => \'json\')' });
  }
}

function objectKind(stmt: Extract<Statement, { kind: 'create' }>): DatasetDef['kind'] {
  return stmt.object === 'streaming_table' ? 'streaming_table' : stmt.object === 'materialized_view' ? 'materialized_view' : 'view';
}

/** The columns of an AUTO CDC target: the feed's kept columns (and SCD type 2's validity columns, typed like SEQUENCE BY). */
function cdcSchema(feed: Schema, cdc: CdcSpec, origin: Origin, ansi: boolean): Schema {
  let cols = feed.filter((f) => (cdc.columns ? cdc.columns.includes(f.name) || cdc.keys.includes(f.name) : !(cdc.exceptColumns ?? []).includes(f.name)));
  if (cdc.storedAs === 2) {
    const t = exprType(cdc.sequenceBy, feed, origin, ansi);
    cols = [...cols, { name: SCD2_START_COLUMN, type: t }, { name: SCD2_END_COLUMN, type: t }];
  }
  return cols;
}

