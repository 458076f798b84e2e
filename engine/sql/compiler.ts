/**
 * The SQL compiler: walks the validated pipeline graph once, in execution
 * order, and compiles every dataset's flow (the plan IR) into a query for the
 * chosen dialect — a SQL SELECT, or a PySpark chain where the target has no
 * SQL form for it — plus its expectations and quarantine. The dialect then
 * packages the compiled datasets into files.
 */
import { call, referencedColumns as referencedOf, type ExprNode } from '../ir/expr.js';
import { exprToString } from '../expr/text.js';
import type { DatasetKind, Expectation, FlowKind, PlanNode } from '../ir/plan.js';
import { FAILED_EXPECTATIONS_COLUMN, planInputs } from '../ir/plan.js';
import { inferFileSchemas } from '../runtime/file-schemas.js';
import type { Schema } from '../ir/types.js';
import type { Pipeline } from '../dataset.js';
import { buildGraph, type GraphDataset, type GraphFlow, type PipelineGraph } from '../graph/graph.js';
import { csvSourceSchema, fileSourceSchema, generateColumns, joinLayout, unionLayout } from '../expr/typecheck.js';
import { lookupGenerator } from '../functions/generators.js';
import { resolveWindow } from '../functions/window.js';
import type { SortKey } from '../ir/expr.js';
import { typeInfo } from '../ir/types.js';
import { valuesFrom } from './values.js';
import { overSql, sortItemSql } from './window-sql.js';
import type { ExtraColumns } from './rel.js';
import { PipelineError, UnsupportedError } from '../errors.js';
import type { Dialect, ExpectationHandling } from './dialect.js';
import { ExprCompiler, type ExprConstruct } from './expr.js';
import { PythonRenderer, aggSql, type PyChain } from './python.js';
import { Rel, type RelEnv } from './rel.js';
import { renderQuery, select, type FromSql, type QuerySql, type SelectItem } from './sql-ast.js';
import type { IssueNote, PortabilityIssue } from './report.js';
import { reachOf } from './reach.js';
import { cdcWindowQuery, cdcWindowSpec } from './cdc.js';

export interface CompiledExpectation {
  readonly name: string;
  readonly action: Expectation['action'];
  /** The rule in the dialect's SQL, over the dataset's output columns. */
  readonly sql: string;
  readonly handling: ExpectationHandling;
}

export interface CompiledDataset {
  readonly name: string;
  readonly kind: DatasetKind;
  readonly graph: GraphDataset;
  readonly comment?: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly schema: Schema;
  readonly language: 'sql' | 'python';
  /** SQL: the query (and its text). */
  readonly query?: QuerySql;
  readonly sql?: string;
  /** Python: the DataFrame chain … */
  readonly python?: PyChain;
  /** … and its part before the expectations (shared with the quarantine). */
  readonly pythonBase?: PyChain;
  /** Statements needed before this dataset's (DuckDB: the file lists of CSV sources). */
  readonly preamble: readonly string[];
  readonly expectations: readonly CompiledExpectation[];
  /** DuckDB: statements that fail the script when a fail expectation does not hold. */
  readonly checks: readonly string[];
  /** Comment lines shown above the statement (lowered constructs, notes). */
  readonly notes: readonly string[];
  /** Set on a quarantine table: the dataset whose dropped rows it holds. */
  readonly quarantineOf?: string;
  /** Set (with `partial`) when the dataset could not be compiled. */
  readonly error?: PipelineError;
  /** The flows into this dataset besides its own query (append, ONCE and AUTO CDC flows), in order. */
  readonly flows?: readonly CompiledFlowUnit[];
  /** Set when the target has no form for this dataset (a Databricks-only construct): the reason; it is left out as a comment. */
  readonly omitted?: string;
}

/** An AUTO CDC flow's clauses, in the dialect's SQL. */
export interface CompiledCdc {
  readonly keys: readonly string[];
  /** SEQUENCE BY, APPLY AS DELETE WHEN, APPLY AS TRUNCATE WHEN, over the feed's columns. */
  readonly sequence: string;
  readonly deletes: string | null;
  readonly truncates: string | null;
  readonly columns: readonly string[] | null;
  readonly exceptColumns: readonly string[] | null;
  readonly storedAs: 1 | 2;
  readonly trackHistory: readonly string[] | null;
  readonly trackHistoryExcept: readonly string[] | null;
  readonly ignoreNullUpdates: boolean | readonly string[];
}

/** A flow into a dataset (Databricks `CREATE FLOW`, Spark 4.1 `CREATE FLOW … INSERT INTO … BY NAME`). */
export interface CompiledFlowUnit {
  readonly name: string;
  readonly target: string;
  readonly kind: FlowKind;
  readonly once: boolean;
  readonly comment?: string;
  /** Append: the query inserted by name. AUTO CDC: the change feed as a query (when `source` is not enough). */
  readonly sql?: string;
  /** AUTO CDC: the feed as `STREAM(x)` when it is one streaming read. */
  readonly source?: string;
  readonly cdc?: CompiledCdc;
  /** Set when the target has no form for this flow: the reason (left out as a comment, listed in the report). */
  readonly omitted?: string;
}

export interface CompileOptions {
  readonly dialect: Dialect;
  /** The input folder of the file sources. */
  readonly input: string;
  /** Compile what can be compiled; report the rest instead of failing. */
  readonly partial?: boolean;
}

/** The session settings every emitted target sets explicitly, so that it computes what the engine computes. */
export function sessionSettings(p: Pipeline): readonly (readonly [string, string])[] {
  return [['spark.sql.session.timeZone', p.options.timeZone ?? 'UTC'], ['spark.sql.ansi.enabled', String(p.options.ansi ?? false)]];
}

export interface CompiledPipeline {
  readonly pipeline: Pipeline;
  readonly graph: PipelineGraph;
  readonly dialect: Dialect;
  readonly input: string;
  readonly datasets: readonly CompiledDataset[];
  readonly report: PortabilityIssue[];
  /** Every SQL query body sent to the target, with the dataset it belongs to (for parse checks). */
  readonly fragments: readonly { readonly table: string; readonly sql: string; readonly kind: 'query' | 'expr' }[];
}

function containsKind(p: PlanNode, kind: PlanNode['kind']): boolean {
  return p.kind === kind || planInputs(p).some((c) => containsKind(c, kind));
}

const lit = (value: boolean): ExprNode => ({ kind: 'lit', value, type: 'boolean' });
const coalesceFalse = (e: ExprNode): ExprNode => call('coalesce', [e, lit(false)]);

interface Pending {
  /** The flow's output before expectations (what the quarantine reads). */
  readonly rel?: Rel;
  readonly chain?: PyChain;
}

export class PipelineCompiler {
  readonly graph: PipelineGraph;
  readonly report: PortabilityIssue[] = [];
  private readonly notes: (IssueNote & { at?: 'output' | 'source' | 'dedup' })[] = [];
  private readonly fragments: { table: string; sql: string; kind: 'query' | 'expr' }[] = [];
  private readonly pending = new Map<string, Pending>();
  private readonly reported = new Set<string>();
  private readonly names = new Set<string>();

  private unique(base: string): string {
    let n = base;
    for (let i = 2; this.names.has(n); i++) n = `${base}_${i}`;
    this.names.add(n);
    return n;
  }

  constructor(readonly pipeline: Pipeline, readonly options: CompileOptions) {
    // file sources without a declared schema: their columns come from the input folder's first file
    this.graph = buildGraph(this.options.input ? inferFileSchemas(pipeline, { input: this.options.input, lenient: true }).pipeline : pipeline);
  }

  private get d(): Dialect { return this.options.dialect; }

  note(issue: IssueNote & { at?: 'output' | 'source' | 'dedup' }): void {
    const key = `${issue.table ?? ''}|${issue.code}|${issue.detail}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.notes.push(issue);
  }

  /** The report: every note with the columns it names in its table and where the difference reaches. */
  private finishReport(): void {
    for (const n of this.notes) {
      const { at, columns, rows, ...rest } = n;
      const reach = n.table && this.graph.datasets.has(n.table) && (columns?.length || rows || at === 'dedup')
        ? reachOf(this.graph, { table: n.table, columns: columns ?? [], rows: rows ?? false, at })
        : [];
      const own = reach.find((r) => r.table === n.table);
      this.report.push({ dialect: this.d.name, ...rest, columns: own ? [...own.columns] : [], rows: own?.rows ?? false, reach });
    }
  }

  compile(): CompiledPipeline {
    const out: CompiledDataset[] = [];
    const failed = new Set<string>();
    const omitted = new Map<string, string>();
    for (const name of this.graph.order) {
      const g = this.graph.datasets.get(name)!;
      const missing = g.inputs.find((i) => omitted.has(i.dataset));
      if (missing) {
        const why = `it reads ${missing.dataset}, which ${this.d.title} does not have`;
        omitted.set(name, why);
        out.push({ ...this.failedUnit(g, undefined), omitted: why });
        this.note({ table: name, code: 'READS_OMITTED_DATASET', treatment: 'not-reproduced', detail: `${name} is left out: ${why}.`, rows: true });
        continue;
      }
      if (g.quarantineOf && failed.has(g.quarantineOf)) {
        out.push(this.failedUnit(g, new UnsupportedError('NOT_COMPILED', `${name} is the quarantine of ${g.quarantineOf}, which could not be compiled`, { table: name, source: g.quarantineOf, dialect: this.d.name })));
        failed.add(name);
        continue;
      }
      try {
        const u = g.quarantineOf ? this.compileQuarantine(g) : this.compileDataset(g);
        if (u.omitted) omitted.set(name, u.omitted);
        out.push(u);
      } catch (e) {
        if (!(e instanceof PipelineError) || !this.options.partial) throw e;
        failed.add(name);
        out.push(this.failedUnit(g, e));
        this.note({ table: name, code: e.code, treatment: 'unsupported', detail: `not compiled: ${e.message.split('\n')[0]}`, rows: true });
      }
    }
    this.finishReport();
    return { pipeline: this.pipeline, graph: this.graph, dialect: this.d, input: this.options.input, datasets: out, report: this.report, fragments: this.fragments };
  }

  private failedUnit(g: GraphDataset, error: PipelineError | undefined): CompiledDataset {
    return { name: g.name, kind: g.kind, graph: g, comment: g.def.comment, properties: g.def.properties, schema: g.schema, language: 'sql', preamble: [], expectations: [], checks: [], notes: [], quarantineOf: g.quarantineOf, ...(error ? { error } : {}) };
  }

  /** The dataset's own query (its default flow), if it has one. */
  private ownFlow(g: GraphDataset): GraphFlow | undefined {
    const f = this.graph.flows.get(g.name);
    return f && f.isDefault && f.target === g.name ? f : undefined;
  }

  /** The flows into a dataset besides its own query. */
  private extraFlows(g: GraphDataset): GraphFlow[] {
    return g.flows.map((f) => this.graph.flows.get(f)!).filter((f) => !f.isDefault);
  }

  /** Why this flow must be written in Python on this target, or null. */
  private pythonReason(g: GraphDataset): string | null {
    const own = this.ownFlow(g);
    if (!own) return null;
    const q = own.query;
    if (this.d.dedupInPython && (containsKind(q, 'dedup') || (g.streaming && containsKind(q, 'distinct')))) return 'dedup';
    if (this.d.csvInPython && (containsKind(q, 'csv') || containsKind(q, 'files'))) return 'csv';
    if (this.d.watermark === 'python' && containsKind(q, 'watermark')) return 'watermark';
    return null;
  }

  private env(g: GraphDataset): RelEnv {
    return {
      dialect: this.d, table: g.name, origin: { table: g.name, file: g.origin.file, line: g.origin.line },
      onConstruct: (c) => this.construct(g.name, c),
      onNote: (code, detail) => this.note({ table: g.name, code, treatment: 'approximated', detail, columns: g.schema.map((f) => f.name), condition: 'the function meets the inputs its entry names' }),
      ansi: this.graph.pipeline.options.ansi ?? false,
      timeZone: this.graph.pipeline.options.timeZone ?? 'UTC',
    };
  }

  private outputCompiler(g: GraphDataset, schema: Schema = g.schema): ExprCompiler {
    const env = this.env(g);
    return new ExprCompiler({ dialect: this.d, schema, ref: (k) => this.d.ident(k), table: g.name, origin: env.origin, onConstruct: env.onConstruct, onNote: env.onNote, ansi: env.ansi, timeZone: env.timeZone });
  }

  // ------------------------------------------------------------ datasets

  /** Notes on expression forms whose results can differ from the engine's at the edges. */
  private construct(table: string, c: ExprConstruct): void {
    const d = this.d;
    const details: Record<ExprConstruct, string> = {
      INTEGER_OVERFLOW: d.name === 'duckdb'
        ? 'integer arithmetic that overflows fails the script; the engine wraps INT results and computes BIGINT ones in doubles.'
        : 'integer arithmetic that overflows fails the update in ANSI mode (wraps otherwise); the engine wraps INT results and computes BIGINT ones in doubles.',
      DOUBLE_TO_STRING: `a DOUBLE cast to STRING is formatted by ${d.title} (1e-05, 10000000.0), not as Spark formats it (1.0E-5, 1.0E7).`,
      UNICODE_CASE_MAPPING: `upper()/lower() follow ${d.title}'s Unicode case mapping, which can differ from JavaScript's for a few characters (e.g. ß).`,
    };
    const when: Record<ExprConstruct, string> = {
      INTEGER_OVERFLOW: 'integer arithmetic overflows',
      DOUBLE_TO_STRING: 'a DOUBLE is cast to STRING',
      UNICODE_CASE_MAPPING: 'a text holds a character whose case mapping differs (e.g. ß)',
    };
    // the construct's column is not known here: every column of the table is named
    const columns = this.graph.datasets.get(table)?.schema.map((f) => f.name) ?? [];
    this.note({ table, code: c, treatment: 'approximated', detail: details[c], columns, rows: c === 'INTEGER_OVERFLOW', condition: when[c] });
  }

  private compileDataset(g: GraphDataset): CompiledDataset {
    const reason = this.pythonReason(g);
    const expectations: CompiledExpectation[] = [];
    const checks: string[] = [];
    const notes: string[] = [];
    const preamble: string[] = [];
    const oc = this.outputCompiler(g);
    const exps = g.def.expectations;
    for (const e of exps) {
      const sql = oc.sql(e.predicate);
      const handling = this.d.expectations[e.action];
      expectations.push({ name: e.name, action: e.action, sql, handling });
      this.fragments.push({ table: g.name, sql: `SELECT * FROM t WHERE ${sql}`, kind: 'expr' });
      if (handling === 'comment') notes.push(`expectation ${e.name} (${e.action}): ${sql} -- not enforced on ${this.d.title}`);
    }
    const named = (action: Expectation['action'], handling: ExpectationHandling) => exps.filter((e) => e.action === action && this.d.expectations[e.action] === handling).map((e) => `"${e.name}"`);
    const list = (xs: string[]) => (xs.length === 1 ? `expectation ${xs[0]} is` : `expectations ${xs.join(', ')} are`);
    const warnC = named('warn', 'comment'), failC = named('fail', 'comment');
    const dropF = exps.filter((e) => this.d.expectations[e.action] === 'filter').map((e) => `"${e.name}"`);
    const failK = named('fail', 'check');
    if (warnC.length) this.note({ table: g.name, code: 'WARN_EXPECTATION_NOT_COUNTED', treatment: 'not-reproduced', detail: `warn ${list(warnC)} kept as comments: ${this.d.title} has no expectations, so failures are not counted.` });
    if (failC.length) this.note({ table: g.name, code: 'FAIL_EXPECTATION_NOT_ENFORCED', treatment: 'not-reproduced', detail: `fail ${list(failC)} kept as comments: ${this.d.title} has no expectations, so a violating row does not stop the update.`, rows: true, condition: 'a row violates a fail expectation (the engine stops the update)' });
    if (dropF.length) this.note({ table: g.name, code: 'DROP_EXPECTATION_AS_FILTER', treatment: 'lowered', detail: `drop ${list(dropF)} a WHERE filter (rows where one is false or NULL are removed; no metrics).` });
    if (failK.length) this.note({ table: g.name, code: 'FAIL_EXPECTATION_AS_CHECK', treatment: 'lowered', detail: `fail ${list(failK)} checked after the table is built: the script stops with error('EXPECTATION_FAILED …') when a row violates one (no metrics).` });

    const extras = this.extraFlows(g);
    const cdcFlow = extras.find((f) => f.kind === 'auto_cdc');
    if (cdcFlow && this.d.autoCdc === 'unsupported') {
      const why = `AUTO CDC is not in ${this.d.title}`;
      this.note({ table: g.name, code: 'AUTO_CDC_DATABRICKS_ONLY', treatment: 'not-reproduced', detail: `AUTO CDC flow ${cdcFlow.name} (SCD type ${cdcFlow.cdc!.spec.storedAs}) is Databricks-only (open-source Spark adds it after 4.1): ${g.name} and what reads it are left out as comments.`, rows: true });
      return { ...this.failedUnit(g, undefined), expectations, notes, omitted: why, flows: [this.compileFlowUnit(g, cdcFlow, [])] };
    }
    if (reason) {
      const py = this.pythonChain(g, this.ownFlow(g)!.query, g.streaming);
      this.pending.set(g.name, { chain: py });
      let chain = py;
      const drops = exps.filter((e) => this.d.expectations[e.action] === 'filter');
      if (drops.length) {
        const where = oc.sql(drops.length === 1 ? drops[0].predicate : call('and', drops.map((x) => x.predicate)));
        chain = { ...chain, calls: [...chain.calls, `.where(${JSON.stringify(where)})`] };
      }
      if (reason === 'dedup') {
        this.note({ table: g.name, code: 'DEDUP_IN_PYTHON', treatment: 'python', detail: 'dropDuplicates has no SQL form: this flow is a Python file (spark.readStream.table(...).dropDuplicates([...])).' });
        this.note({ table: g.name, code: 'DEDUP_FIRST_ROW', treatment: 'approximated', detail: 'which of several duplicates arriving in one micro-batch is kept is up to Spark; the engine keeps the first by file name, then line.', at: 'dedup', condition: 'rows with the same key arrive in one update' });
      } else if (reason === 'csv') {
        this.note({ table: g.name, code: 'FILE_SOURCE_IN_PYTHON', treatment: 'python', detail: 'SQL cannot read files on this target: the ingestion is a Python flow (spark.readStream.format("csv")…) applying the same bronze rules.' });
      } else {
        this.note({ table: g.name, code: 'WATERMARK_IN_PYTHON', treatment: 'python', detail: 'the watermark is set with DataFrame.withWatermark in a Python flow.' });
      }
      const flowUnits = this.d.appendFlows === 'create_flow' ? extras.map((f) => this.compileFlowUnit(g, f, [])) : [];
      if (this.d.appendFlows !== 'create_flow' && extras.length) throw new UnsupportedError('UNSUPPORTED_CONSTRUCT', `${g.name} has flows besides its own query, which is a Python flow on ${this.d.title}`, { table: g.name, dialect: this.d.name });
      return { name: g.name, kind: g.kind, graph: g, comment: g.def.comment, properties: g.def.properties, schema: g.schema, language: 'python', python: chain, pythonBase: py, preamble, expectations, checks, notes, flows: flowUnits };
    }

    const filters = exps.filter((e) => this.d.expectations[e.action] === 'filter');
    if (this.d.appendFlows === 'create_flow') {
      const flowUnits = extras.map((f) => this.compileFlowUnit(g, f, filters.map((e) => e.predicate)));
      if (!this.ownFlow(g)) {
        // a table that takes its rows from flows only: a declaration, then the flows
        return { name: g.name, kind: g.kind, graph: g, comment: g.def.comment, properties: g.def.properties, schema: g.schema, language: 'sql', preamble, expectations, checks, notes, flows: flowUnits };
      }
      const unit = this.compileOwnSql(g, this.ownFlow(g)!.query, preamble, expectations, checks, notes, filters);
      return { ...unit, flows: flowUnits };
    }
    // a batch target: every flow's rows in one query
    if (cdcFlow) return this.compileCdcBatch(g, cdcFlow, preamble, expectations, notes);
    const flows = g.flows.map((f) => this.graph.flows.get(f)!);
    if (flows.some((f) => f.once)) this.note({ table: g.name, code: 'ONCE_FLOW_IN_BATCH', treatment: 'lowered', detail: `the ONCE flow${flows.filter((f) => f.once).length > 1 ? 's' : ''} ${flows.filter((f) => f.once).map((f) => f.name).join(', ')} run${flows.filter((f) => f.once).length > 1 ? '' : 's'} with the others in the one batch of the script.` });
    const base = flows.length === 1 && flows[0].isDefault ? this.planToRel(g, flows[0].query, preamble) : this.unionFlows(g, flows, preamble);
    return this.compileOwnSql(g, base, preamble, expectations, checks, notes, filters);
  }

  /** The rows of several flows into one table, each matched to the table's columns by name (DuckDB: one batch). */
  private unionFlows(g: GraphDataset, flows: readonly GraphFlow[], preamble: string[]): Rel {
    const parts = flows.map((f) => {
      const rel = this.planToRel(g, f.query, preamble);
      const names = rel.schema.map((x) => x.name);
      const r = rel.prepare(names.map((n) => ({ kind: 'col', name: n }) as ExprNode));
      const c = r.compiler();
      return select(g.schema.map((t) => (names.includes(t.name)
        ? { sql: c.sql(r.resolve({ kind: 'col', name: t.name })), alias: t.name }
        : { sql: `CAST(NULL AS ${this.d.typeName(t.type)})`, alias: t.name })), r.from, { where: r.where.map((w) => c.sql(w)) });
    });
    if (flows.length > 1) this.note({ table: g.name, code: 'FLOWS_AS_UNION', treatment: 'lowered', detail: `the flows ${flows.map((f) => f.name).join(', ')} are one UNION ALL of their rows, each matched to ${g.name}'s columns by name (missing ones NULL).` });
    return Rel.over(this.env(g), { kind: 'sub', query: { kind: 'union', parts }, alias: 'flows' }, g.schema);
  }

  /** A flow into a dataset, for targets that declare flows (`CREATE FLOW`). */
  private compileFlowUnit(g: GraphDataset, f: GraphFlow, filters: readonly ExprNode[]): CompiledFlowUnit {
    const base = { name: f.name, target: g.name, kind: f.kind, once: f.once, ...(f.comment ? { comment: f.comment } : {}) };
    if (f.once && !this.d.onceFlows) {
      this.note({ table: g.name, code: 'ONCE_FLOW_DATABRICKS_ONLY', treatment: 'not-reproduced', detail: `the ONCE flow ${f.name} (a one-time backfill) is Databricks-only: ${this.d.title} has no INSERT ONCE, so it is left out as a comment and its rows are missing.`, rows: true });
      return { ...base, omitted: `ONCE flows are not in ${this.d.title}` };
    }
    const preamble: string[] = [];
    if (f.kind === 'auto_cdc') {
      const cdc = f.cdc!;
      const feed = this.planToRel(g, f.query, preamble);
      const c = new ExprCompiler({ dialect: this.d, schema: cdc.sourceSchema, ref: (k) => this.d.ident(k), table: g.name, origin: this.env(g).origin, onConstruct: this.env(g).onConstruct });
      const plain = f.query.kind === 'read' && f.query.streaming;
      const sql = plain ? undefined : renderQuery(feed.toQuery(), (n) => this.d.ident(n));
      if (sql) this.fragments.push({ table: g.name, sql, kind: 'query' });
      const spec = cdc.spec;
      const compiled: CompiledCdc = {
        keys: spec.keys, sequence: c.sql(spec.sequenceBy), deletes: spec.applyAsDeletes ? c.sql(spec.applyAsDeletes) : null, truncates: spec.applyAsTruncates ? c.sql(spec.applyAsTruncates) : null,
        columns: spec.columns, exceptColumns: spec.exceptColumns, storedAs: spec.storedAs, trackHistory: spec.trackHistory, trackHistoryExcept: spec.trackHistoryExcept, ignoreNullUpdates: spec.ignoreNullUpdates,
      };
      for (const x of [compiled.sequence, compiled.deletes, compiled.truncates]) if (x) this.fragments.push({ table: g.name, sql: `SELECT * FROM t WHERE ${x} IS NOT NULL`, kind: 'expr' });
      if (this.d.autoCdc === 'statement') this.note({ table: g.name, code: 'AUTO_CDC_TIES', treatment: 'approximated', detail: `events of a key with the same SEQUENCE BY value: the engine applies a DELETE last and otherwise the row that sorts greatest as text; ${this.d.title} picks one of them.`, rows: true, condition: 'two events of a key share a sequence value' });
      return { ...base, ...(sql ? { sql } : { source: this.d.tableRef((f.query as Extract<PlanNode, { kind: 'read' }>).dataset, true) }), cdc: compiled };
    }
    let rel = this.planToRel(g, f.query, preamble);
    if (preamble.length) throw new UnsupportedError('UNSUPPORTED_CONSTRUCT', `flow ${f.name} into ${g.name} needs statements before it on ${this.d.title}`, { table: g.name, flow: f.name, dialect: this.d.name });
    if (filters.length) {
      // drop expectations lowered to filters apply to every flow into the table
      const names = rel.schema.map((x) => x.name);
      const own = filters.filter((p) => [...referencedOf(p)].every((n) => names.includes(n)));
      if (own.length) rel = rel.prepare([...own]);
      for (const p of own) rel = rel.filter(p);
    }
    const sql = renderQuery(rel.toQuery(), (n) => this.d.ident(n));
    this.fragments.push({ table: g.name, sql, kind: 'query' });
    return { ...base, sql };
  }

  /** DuckDB: an AUTO CDC target's final state from its feed, with window functions (see cdc.ts). */
  private compileCdcBatch(g: GraphDataset, f: GraphFlow, preamble: string[], expectations: CompiledExpectation[], notes: string[]): CompiledDataset {
    const feed = this.planToRel(g, f.query, preamble);
    const feedSql = renderQuery(feed.toQuery(), (n) => this.d.ident(n));
    const drops = g.def.expectations.filter((e) => this.d.expectations[e.action] === 'filter');
    const c = new ExprCompiler({ dialect: this.d, schema: f.cdc!.sourceSchema, ref: (k) => this.d.ident(k), table: g.name, origin: this.env(g).origin, onConstruct: this.env(g).onConstruct });
    const sql = cdcWindowQuery(this.d, g.schema.map((x) => x.name), cdcWindowSpec(f.cdc!, c, drops.map((e) => e.predicate)), feedSql);
    this.fragments.push({ table: g.name, sql, kind: 'query' });
    this.note({ table: g.name, code: 'AUTO_CDC_AS_WINDOWS', treatment: 'lowered', detail: `AUTO CDC flow ${f.name} (SCD type ${f.cdc!.spec.storedAs}) is computed from all of its events at once with window functions: the same final state, whatever the order and batching the engine read them in.` });
    if (g.def.expectations.some((e) => this.d.expectations[e.action] !== 'filter')) this.note({ table: g.name, code: 'AUTO_CDC_EXPECTATIONS', treatment: 'not-reproduced', detail: 'warn and fail expectations on an AUTO CDC target are not checked by the script.' });
    return { name: g.name, kind: g.kind, graph: g, comment: g.def.comment, properties: g.def.properties, schema: g.schema, language: 'sql', sql, preamble, expectations, checks: [], notes };
  }

  /** A dataset's own query in SQL, with its expectations (filters, checks). */
  private compileOwnSql(g: GraphDataset, queryOrRel: PlanNode | Rel, preamble: string[], expectations: CompiledExpectation[], checks: string[], notes: string[], filters: readonly Expectation[]): CompiledDataset {
    const exps = g.def.expectations;
    let rel = queryOrRel instanceof Rel ? queryOrRel : this.planToRel(g, queryOrRel, preamble);
    this.pending.set(g.name, { rel });
    const pre = rel;
    if (filters.length) rel = rel.prepare(filters.map((e) => e.predicate));
    for (const e of filters) rel = rel.filter(e.predicate);
    const fails = exps.filter((e) => this.d.expectations[e.action] === 'check');
    const oc = this.outputCompiler(g);
    if (fails.length) {
      const drops = exps.some((e) => this.d.expectations[e.action] === 'filter');
      const target = drops ? `(\n${renderQuery(pre.toQuery(), (n) => this.d.ident(n)).split('\n').map((l) => '  ' + l).join('\n')}\n) AS q` : this.d.ident(g.name);
      const cases = fails.map((e) => {
        const msg = `EXPECTATION_FAILED: expectation "${e.name}" failed on ${g.name}: ${exprToString(e.predicate)} was not true`;
        return `WHEN NOT coalesce(${oc.sql(e.predicate)}, FALSE) THEN error(${this.d.str(msg)})`;
      });
      checks.push(`SELECT CASE ${cases.join(' ')} END AS failed_expectation\nFROM ${target}`);
    }
    const query = rel.toQuery();
    const sql = renderQuery(query, (n) => this.d.ident(n));
    this.fragments.push({ table: g.name, sql, kind: 'query' });
    return { name: g.name, kind: g.kind, graph: g, comment: g.def.comment, properties: g.def.properties, schema: g.schema, language: 'sql', query, sql, preamble, expectations, checks, notes };
  }


  private compileQuarantine(g: GraphDataset): CompiledDataset {
    const parent = this.graph.datasets.get(g.quarantineOf!)!;
    const p = this.pending.get(parent.name);
    const rules = parent.def.expectations;
    const drops = rules.filter((e) => e.action === 'drop');
    const oc = this.outputCompiler(parent);
    const d = this.d;
    const inverse: ExprNode = call('not', [drops.length === 1 ? coalesceFalse(drops[0].predicate) : call('and', drops.map((e) => coalesceFalse(e.predicate)))]);
    const failedList = (c: ExprCompiler, resolve: (e: ExprNode) => ExprNode) =>
      d.arrayCompact(d.array(rules.map((e) => `CASE WHEN NOT coalesce(${c.sql(resolve(e.predicate))}, FALSE) THEN ${d.str(e.name)} END`)));
    this.note({ table: g.name, code: 'QUARANTINE_TABLE', treatment: 'lowered', detail: `a streaming table over ${parent.name}'s flow keeping the rows that fail a drop rule (NOT (coalesce(rule, false) AND …)), with ${FAILED_EXPECTATIONS_COLUMN} listing every rule each row failed.` });
    const base = { name: g.name, kind: g.kind, graph: g, comment: g.def.comment, properties: g.def.properties, schema: g.schema, preamble: [] as string[], expectations: [], checks: [], notes: [], quarantineOf: parent.name };
    if (p?.chain) {
      const where = oc.sql(inverse);
      const list = failedList(oc, (e) => e);
      this.fragments.push({ table: g.name, sql: `SELECT ${list} FROM t WHERE ${where}`, kind: 'expr' });
      const chain: PyChain = { ...p.chain, calls: [...p.chain.calls, `.where(${JSON.stringify(where)})`, `.withColumn(${JSON.stringify(FAILED_EXPECTATIONS_COLUMN)}, F.expr(${JSON.stringify(list)}))`], schema: g.schema };
      return { ...base, language: 'python', python: chain, pythonBase: p.chain };
    }
    let rel = p!.rel!.filter(inverse);
    rel = rel.addRaw(FAILED_EXPECTATIONS_COLUMN, 'array<string>', failedList, rules.map((e) => e.predicate));
    const query = rel.toQuery();
    const sql = renderQuery(query, (n) => d.ident(n));
    this.fragments.push({ table: g.name, sql, kind: 'query' });
    return { ...base, language: 'sql', query, sql };
  }

  // ------------------------------------------------------------ plans → SQL

  private planToRel(g: GraphDataset, p: PlanNode, preamble: string[]): Rel {
    const env = this.env(g);
    const d = this.d;
    switch (p.kind) {
      case 'csv': {
        const src = d.csvSource(p.options, { table: g.name, input: this.options.input, streaming: g.streaming, unique: (b) => this.unique(b), report: (i) => this.note({ ...i, at: 'source' }) });
        preamble.push(...(src.preamble ?? []));
        return Rel.over(env, { kind: 'sub', query: src.query, alias: 'src' }, csvSourceSchema(p.options));
      }
      case 'files': {
        if (!d.filesSource) throw new UnsupportedError('NON_PORTABLE_SOURCE', `${d.title} SQL cannot read the files of ${g.name}`, { table: g.name, dialect: d.name, glob: p.options.glob }, { origin: env.origin });
        const src = d.filesSource(p.options, { table: g.name, input: this.options.input, streaming: g.streaming, unique: (b) => this.unique(b), report: (i) => this.note({ ...i, at: 'source' }) });
        preamble.push(...(src.preamble ?? []));
        return Rel.over(env, { kind: 'sub', query: src.query, alias: 'src' }, fileSourceSchema(p.options));
      }
      case 'rows':
        throw new UnsupportedError('NON_PORTABLE_SOURCE', `${g.name} reads the in-memory source "${p.name}", which exists only in the local engine`, { table: g.name, source: p.name, dialect: d.name }, { origin: env.origin, hint: 'read files with readCsv(...) or another dataset' });
      case 'read': {
        const schema = this.graph.datasets.get(p.dataset)!.schema;
        if (p.skipChangeCommits && p.streaming) this.note({ table: g.name, code: 'SKIP_CHANGE_COMMITS', treatment: d.name === 'duckdb' ? 'approximated' : 'lowered', detail: d.name === 'duckdb' ? `the stream of ${p.dataset} with skipChangeCommits reads the whole table in the batch script; the engine reads only the rows of commits that did not change or delete rows.` : `the stream of ${p.dataset} ignores commits that change or delete rows: STREAM(${p.dataset}) WITH (skipChangeCommits = true).`, rows: d.name === 'duckdb' });
        const ref = p.skipChangeCommits && p.streaming && d.name !== 'duckdb' ? `${d.tableRef(p.dataset, true)} WITH (skipChangeCommits = true)` : d.tableRef(p.dataset, p.streaming);
        return Rel.over(env, { kind: 'text', sql: ref }, schema, { dataset: p.dataset, streaming: p.streaming });
      }
      case 'select': return this.planToRel(g, p.input, preamble).select(p.columns);
      case 'derive': return this.planToRel(g, p.input, preamble).derive(p.columns);
      case 'drop': return this.planToRel(g, p.input, preamble).drop(p.names);
      case 'filter': return this.planToRel(g, p.input, preamble).filter(p.predicate);
      case 'join': {
        const l = this.planToRel(g, p.input, preamble), r = this.planToRel(g, p.right, preamble);
        return l.join(r, p.how, p.on, p.condition ?? null, joinLayout(l.schema, r.schema, p.how, p.on));
      }
      case 'asofJoin': {
        const l = this.planToRel(g, p.input, preamble), r = this.planToRel(g, p.right, preamble);
        return l.join(r, p.how, p.on, null, joinLayout(l.schema, r.schema, p.how, p.on), { at: p.at, from: p.from, until: p.until });
      }
      case 'dedup': return this.dedup(g, this.planToRel(g, p.input, preamble), p.keys);
      case 'watermark': return this.watermark(g, this.planToRel(g, p.input, preamble), p);
      case 'aggregate': return this.aggregate(g, this.planToRel(g, p.input, preamble), p);
      case 'union': {
        const parts = p.inputs.map((i) => this.planToRel(g, i, preamble));
        const layout = unionLayout(parts.map((x) => x.schema), p.byName ?? false, p.allowMissing ?? false, env.origin);
        const same = (x: Rel) => x.schema.length === layout.fields.length && x.schema.every((f, j) => f.name === layout.fields[j].name && f.type === layout.fields[j].type);
        // each input brought to the output's columns (by position or by name), types widened, missing columns NULL
        const conformed = parts.map((x, i) => (same(x) ? x : x.select(layout.fields.map((f, k) => {
          const j = layout.sources[i][k];
          if (j < 0) return [f.name, { kind: 'lit', value: null, type: f.type } as ExprNode] as const;
          const src: ExprNode = { kind: 'col', name: x.schema[j].name };
          return [f.name, x.schema[j].type === f.type ? src : { kind: 'cast', arg: src, to: f.type } as ExprNode] as const;
        }))));
        const query: QuerySql = { kind: 'union', parts: conformed.map((r) => r.toQuery()) };
        return Rel.over(env, { kind: 'sub', query, alias: 'u' }, layout.fields);
      }
      case 'distinct': return this.planToRel(g, p.input, preamble).closeWith([], { distinct: true });
      case 'sort': return this.sortLimit(g, this.planToRel(g, p.input, preamble), p.keys, null, 0);
      case 'limit': {
        if (p.input.kind === 'sort') return this.sortLimit(g, this.planToRel(g, p.input.input, preamble), p.input.keys, p.n, p.offset ?? 0);
        return this.sortLimit(g, this.planToRel(g, p.input, preamble), [], p.n, p.offset ?? 0);
      }
      case 'window': return this.window(g, this.planToRel(g, p.input, preamble), p);
      case 'generate': return this.generate(g, this.planToRel(g, p.input, preamble), p);
      case 'values': {
        const v = valuesFrom(d, p.schema, p.rows);
        const rel = Rel.over(env, v.from, p.schema);
        return v.empty ? rel.filter({ kind: 'lit', value: false, type: 'boolean' }) : rel;
      }
    }
  }

  /** ORDER BY … LIMIT … OFFSET … (NULL placement always written: DuckDB's default differs from Spark's). */
  private sortLimit(g: GraphDataset, rel: Rel, keys: readonly SortKey[], limit: number | null, offset: number): Rel {
    const r = rel.prepare(keys.map((k) => k.expr));
    if (limit !== null || offset) {
      if (!keys.length) this.note({ table: g.name, code: 'LIMIT_WITHOUT_ORDER', treatment: 'approximated', detail: 'LIMIT without ORDER BY keeps the first rows in the engine\'s order (input order); the target keeps any rows.', rows: true, condition: 'the input has more rows than the limit' });
      else this.note({ table: g.name, code: 'LIMIT_TIES', treatment: 'approximated', detail: 'rows tied on the ORDER BY keys at the limit: the engine keeps the first in input order, the target any of them.', rows: true, condition: 'rows tie on the ORDER BY keys at the limit' });
    }
    return r.closeWith([], { orderBy: (c, resolve) => keys.map((k) => sortItemSql(c.sql(resolve(k.expr)), k)), limit, offset: offset || null });
  }

  private window(g: GraphDataset, rel: Rel, p: Extract<PlanNode, { kind: 'window' }>): Rel {
    const d = this.d;
    const env = this.env(g);
    const reads: ExprNode[] = p.columns.flatMap(([, e]) => (e.kind === 'over' ? [...(e.fn.kind === 'aggregate' ? e.fn.agg.args : e.fn.kind === 'call' ? e.fn.args : []), ...e.spec.partitionBy, ...e.spec.orderBy.map((k) => k.expr)] : [e]));
    const r = rel.prepare(reads);
    const fields = p.columns.map(([name, e]) => ({ name, type: resolveWindow(e as Extract<ExprNode, { kind: 'over' }>, r.schema, env.origin, env.ansi).returns }));
    for (const [name, e] of p.columns) {
      const o = e as Extract<ExprNode, { kind: 'over' }>;
      const fn = o.fn.kind === 'call' ? o.fn.fn.toLowerCase() : null;
      const tieSensitive = (fn !== null && ['row_number', 'ntile', 'lag', 'lead', 'first_value', 'last_value', 'nth_value'].includes(fn)) || (o.fn.kind === 'aggregate' && o.spec.frame?.unit === 'rows');
      if (tieSensitive && o.spec.orderBy.length) this.note({ table: g.name, code: 'WINDOW_TIE_ORDER', treatment: 'approximated', detail: `${name}: rows tied on the window's ORDER BY keys are ordered by input order in the engine, in any order on ${d.title}.`, columns: [name], condition: 'rows of a partition tie on the window\'s ORDER BY keys' });
    }
    const extra: ExtraColumns = {
      fields,
      items: (c, resolve) => p.columns.map(([name, e]) => ({ sql: overSql(c, resolve(e) as Extract<ExprNode, { kind: 'over' }>), alias: name })),
    };
    return r.closeWith([extra]);
  }

  /** A generator as SELECT items: Spark's `explode(x) AS (a, b)`; DuckDB's parallel unnest() calls. */
  private generate(g: GraphDataset, rel: Rel, p: Extract<PlanNode, { kind: 'generate' }>): Rel {
    const d = this.d;
    const env = this.env(g);
    const def = lookupGenerator(p.generator)!;
    let r = rel.prepare([p.arg]);
    const fields = generateColumns(p.generator, p.arg, p.names, r.schema, env.origin, env.ansi);
    const argType = r.outputCompiler().typeOf(p.arg);
    const isMap = typeInfo(argType).kind === 'map';
    let arg: ExprNode = p.arg;
    const drop: string[] = [];
    if (d.name === 'duckdb' && p.arg.kind !== 'col') {
      // the collection is read more than once: computed once in a subquery first
      const r0 = r;
      r = r0.wrap('q', [{ alias: '__gen', type: argType, sql: (c) => c.sql(r0.resolve(p.arg)) }]);
      arg = { kind: 'col', name: '__gen' };
      drop.push('__gen');
    }
    const extra: ExtraColumns = {
      fields,
      items: (c, resolve) => {
        const a = arg.kind === 'col' && arg.name === '__gen' ? d.ident('__gen') : c.sql(resolve(arg));
        if (d.name !== 'duckdb') {
          const names = fields.map((f) => d.ident(f.name));
          return [{ sql: `${def.name}(${a}) AS ${names.length === 1 ? names[0] : `(${names.join(', ')})`}`, alias: null }];
        }
        const len = isMap ? `cardinality(${a})` : `len(${a})`;
        const list = (x: string) => (def.outer ? `CASE WHEN ${len} > 0 THEN ${x} ELSE [NULL] END` : x);
        const values = isMap ? [`map_keys(${a})`, `map_values(${a})`] : [a];
        const items: SelectItem[] = [];
        if (def.position) items.push({ sql: `CAST(unnest(${list(`range(CAST(${len} AS BIGINT))`)}) AS INTEGER)`, alias: fields[0].name });
        values.forEach((v, k) => items.push({ sql: `unnest(${list(v)})`, alias: fields[(def.position ? 1 : 0) + k].name }));
        return items;
      },
    };
    return r.closeWith([extra], {}, drop);
  }

  /** DuckDB: keep the first row per key in file, then line order (`QUALIFY row_number() … = 1`). */
  private dedup(g: GraphDataset, rel: Rel, keys: readonly string[]): Rel {
    const names = rel.schema.map((f) => f.name);
    const order = ['_source_file', '_line'].filter((n) => names.includes(n));
    const reads: ExprNode[] = [...keys, ...order].map((n) => ({ kind: 'col', name: n }));
    const r = rel.prepare(reads);
    const c = r.compiler();
    const part = keys.map((k) => c.sql(r.resolve({ kind: 'col', name: k })));
    const ord = order.map((k) => c.sql(r.resolve({ kind: 'col', name: k })));
    if (order.length < 2) {
      this.note({ table: g.name, code: 'DEDUP_ORDER_UNKNOWN', treatment: 'approximated', detail: 'the deduplicated rows carry no _source_file/_line, so which duplicate is kept is arbitrary.', at: 'dedup', condition: 'rows with the same key are in the input' });
    } else {
      this.note({ table: g.name, code: 'DEDUP_FIRST_ROW', treatment: 'approximated', detail: 'the first row per key is chosen by _source_file (byte order), then _line, as the engine reads them within one batch; across several engine batches the engine keeps the earliest batch\'s row.', at: 'dedup', condition: 'the engine read rows with the same key in several micro-batches' });
    }
    const qualify = `row_number() OVER (PARTITION BY ${part.join(', ')}${ord.length ? ` ORDER BY ${ord.join(', ')}` : ''}) = 1`;
    return r.wrap('q', [], qualify);
  }

  private watermark(g: GraphDataset, rel: Rel, p: Extract<PlanNode, { kind: 'watermark' }>): Rel {
    const d = this.d;
    const clause = `WATERMARK ${d.ident(p.column)} DELAY OF ${d.interval(p.delayUs)}`;
    if (d.watermark === 'clause') {
      if (rel.source?.streaming && rel.isIdentity && rel.from.kind === 'text') {
        return rel.withFromText(`STREAM ${d.ident(rel.source.dataset)} ${clause} AS s`).withWatermark({ column: p.column, delayUs: p.delayUs });
      }
      return rel.wrapWithSuffix(clause).withWatermark({ column: p.column, delayUs: p.delayUs });
    }
    // batch target: remember the maximum event time of the watermark's input
    const t = rel.schema.find((f) => f.name === p.column)!.type;
    const r = rel.prepare([{ kind: 'col', name: p.column }]);
    const w = r.wrap('q', [{ alias: '__wm_max_us', type: 'long', sql: (c) => `max(${epochUs(c.sql(r.resolve({ kind: 'col', name: p.column })), t)}) OVER ()` }]);
    this.note({ table: g.name, code: 'WATERMARK_SINGLE_BATCH', treatment: 'approximated', detail: `the script is one batch: windows are emitted when they end at or before max(${p.column}) − ${p.delayText} (the engine's closing batch after one micro-batch); rows the engine drops as late across several micro-batches are kept.`, rows: true, condition: 'the engine read the input in several micro-batches' });
    return w.withWatermark({ column: p.column, delayUs: p.delayUs, maxKey: '__wm_max_us' });
  }

  private aggregate(g: GraphDataset, rel: Rel, p: Extract<PlanNode, { kind: 'aggregate' }>): Rel {
    const d = this.d;
    const env = this.env(g);
    const reads: ExprNode[] = [...p.keys.map(([, e]) => e), ...p.aggs.flatMap(([, a]) => [...a.args, ...(a.filter ? [a.filter] : [])]), ...(p.window ? [{ kind: 'col', name: p.window.timeColumn } as ExprNode] : [])];
    const outSchema = this.aggSchema(rel, p);
    let r = rel.prepare(reads);
    const where = (x: Rel) => { const c = x.compiler(); return x.where.map((w) => c.sql(w)); };
    const keyItems = (x: Rel): SelectItem[] => { const c = x.compiler(); return p.keys.map(([n, e]) => ({ sql: c.sql(x.resolve(e)), alias: n })); };
    const aggItems = (x: Rel): SelectItem[] => { const c = x.compiler(); return p.aggs.map(([n, a]) => ({ sql: aggSql(d, c, { ...a, args: a.args.map((e) => x.resolve(e)), filter: a.filter && x.resolve(a.filter) }), alias: n })); };
    const sub = (q: QuerySql, alias = 'q'): FromSql => ({ kind: 'sub', query: q, alias });
    if (g.streaming && g.kind !== 'materialized_view' && p.aggs.some(([, a]) => a.distinct) && d.name !== 'duckdb') {
      this.note({ table: g.name, code: 'STREAMING_COUNT_DISTINCT', treatment: 'not-reproduced', detail: 'count(DISTINCT …) is not supported in Spark streaming aggregations; the update will be rejected.', rows: true });
    }
    if (!p.window) {
      const keys = keyItems(r);
      if (!keys.length) this.note({ table: g.name, code: 'GLOBAL_AGGREGATE_ON_NO_INPUT', treatment: 'approximated', detail: 'an aggregate without grouping keys gives one row even before any input was read; the engine\'s table stays empty until its first update.', rows: true, condition: 'no input was read yet' });
      const q = select([...keys, ...aggItems(r)], r.from, { where: where(r), groupBy: keys.map((k) => k.sql) });
      return Rel.over(env, sub(q), outSchema);
    }
    const w = p.window;
    const tType = r.schema.find((f) => f.name === w.timeColumn)!.type;
    if (d.windows === 'spark') {
      const c = r.compiler();
      const t = c.sql(r.resolve({ kind: 'col', name: w.timeColumn }));
      const ts = tType === 'date' ? `CAST(${t} AS ${d.typeName('timestamp')})` : t;
      const size = `'${durationText(w.sizeUs)}'`;
      const win = `window(${ts}, ${size}${w.kind === 'sliding' ? `, '${durationText(w.slideUs)}'` : ''})`;
      const keys = keyItems(r);
      const inner = select([{ sql: win, alias: 'w' }, ...keys, ...aggItems(r)], r.from, { where: [...where(r), `${t} IS NOT NULL`], groupBy: [win, ...keys.map((k) => k.sql)] });
      const outer = select([{ sql: 'w.start', alias: 'window_start' }, { sql: 'w.end', alias: 'window_end' }, ...p.keys.map(([n]) => ({ sql: d.ident(n), alias: n })), ...p.aggs.map(([n]) => ({ sql: d.ident(n), alias: n }))], sub(inner));
      return Rel.over(env, sub(outer), outSchema);
    }
    // epoch arithmetic (DuckDB): __t = event time in µs; windows start at multiples of the slide
    const S = w.sizeUs, L = w.slideUs;
    const a = r.wrap('q', [{ alias: '__t', type: 'long', sql: (c) => epochUs(c.sql(r.resolve({ kind: 'col', name: w.timeColumn })), tType) }]);
    const last = `__t - ((__t % ${L}) + ${L}) % ${L}`;
    const k = Math.ceil(S / L);
    const start = '__start';
    const having: string[] = [];
    const items: SelectItem[] = [...a.schema.map((f) => ({ sql: d.ident(f.name), alias: f.name })), ...a.hidden.map((h) => ({ sql: d.ident(h), alias: h })), { sql: k > 1 ? `${last} - w.k * ${L}` : last, alias: start }];
    const bFrom: FromSql = k > 1 ? { kind: 'join', left: a.from, right: { kind: 'text', sql: `range(0, ${k}) AS w(k)` }, how: 'CROSS', on: null } : a.from;
    const b = select(items, bFrom, { where: ['__t IS NOT NULL'] });
    const grouped = new Rel(env, sub(b), new Map([...a.base, [start, { sql: start, type: 'long' }]]), a.cols, [], [...a.hidden, start], a.watermark, null);
    const groupWhere = k > 1 ? [`${start} > __t - ${S}`] : [];
    if (g.streaming && g.kind !== 'materialized_view' && grouped.watermark?.maxKey && grouped.watermark.column === w.timeColumn) {
      having.push(`${start} + ${S} <= max(${grouped.watermark.maxKey}) - ${grouped.watermark.delayUs}`);
    }
    const keys = keyItems(grouped);
    const q = select([
      { sql: `make_timestamp(${start})`, alias: 'window_start' },
      { sql: `make_timestamp(${start} + ${S})`, alias: 'window_end' },
      ...keys, ...aggItems(grouped),
    ], grouped.from, { where: [...where(grouped), ...groupWhere], groupBy: [start, ...keys.map((x) => x.sql)], having });
    this.note({ table: g.name, code: 'WINDOW_EPOCH_ARITHMETIC', treatment: 'lowered', detail: `the ${w.kind} window on ${w.timeColumn} is computed with epoch arithmetic (start = t − t mod slide${S === L ? '' : ', and the earlier starts of a range() of slides'}), aligned to 1970-01-01 as Spark's window().` });
    return Rel.over(env, sub(q), outSchema);
  }

  private aggSchema(rel: Rel, p: Extract<PlanNode, { kind: 'aggregate' }>): Schema {
    const s = rel.schema;
    const c = new ExprCompiler({ dialect: this.d, schema: s, ref: (k) => k, table: rel.env.table, ansi: rel.env.ansi, timeZone: rel.env.timeZone });
    const out: { name: string; type: Schema[number]['type'] }[] = [];
    if (p.window) out.push({ name: 'window_start', type: 'timestamp' }, { name: 'window_end', type: 'timestamp' });
    for (const [n, e] of p.keys) out.push({ name: n, type: c.typeOf(e) });
    for (const [n, a] of p.aggs) {
      out.push({ name: n, type: c.resolveAggregate(a).returns });
    }
    return out;
  }

  // ------------------------------------------------------------ plans → Python

  private pythonChain(g: GraphDataset, p: PlanNode, streaming: boolean): PyChain {
    const fragments: string[] = [];
    const r = new PythonRenderer({
      ...this.env(g),
      datasetSchema: (n) => this.graph.datasets.get(n)!.schema,
      csvReader: (csv, s) => {
        const ctx = { table: g.name, input: this.options.input, streaming: s, unique: (b: string) => this.unique(b), report: (i: IssueNote) => this.note({ ...i, at: 'source' as const }) };
        const reader = csv.kind === 'files' ? this.d.pythonFilesReader?.(csv.options, ctx) : this.d.pythonCsvReader?.(csv.options, { table: g.name, input: this.options.input, streaming: s, unique: (b) => this.unique(b), report: (i) => this.note({ ...i, at: 'source' }) });
        if (!reader) throw new UnsupportedError('NON_PORTABLE_SOURCE', `${this.d.title} cannot read the CSV source of ${g.name} from Python`, { table: g.name, dialect: this.d.name });
        fragments.push(...reader.fragments);
        return reader;
      },
      fragments,
    }).render(p, streaming);
    for (const f of fragments) this.fragments.push({ table: g.name, sql: f, kind: 'expr' });
    return r;
  }
}

/** Microseconds since the epoch of a TIMESTAMP or DATE (DuckDB). */
function epochUs(sql: string, t: Schema[number]['type']): string {
  return t === 'date' ? `epoch_us(CAST(${sql} AS TIMESTAMP))` : `epoch_us(${sql})`;
}

/** Spark's interval text for a window size ('15 minutes', '7 days'). */
function durationText(us: number): string {
  const units: [number, string][] = [[86_400_000_000, 'day'], [3_600_000_000, 'hour'], [60_000_000, 'minute'], [1_000_000, 'second'], [1_000, 'millisecond']];
  for (const [u, name] of units) {
    if (us % u === 0) { const n = us / u; return `${n} ${name}${n === 1 ? '' : 's'}`; }
  }
  return `${us} microseconds`;
}

export { durationText };
