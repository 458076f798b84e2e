/**
 * Queries of the DLT SQL syntax tree → plan IR, with Spark's name
 * resolution: identifiers are case-insensitive, a qualified column names the
 * table (alias) it comes from, a join's two sides keep their columns apart
 * (a right column whose name the left side has gets a hidden internal name;
 * the SELECT list gives it its own name back), `*` expands to the visible
 * columns (a file source's metadata stays hidden until named), and
 * GROUP BY / HAVING / ORDER BY may name the SELECT list's aliases and
 * positions. Every column reference is resolved against the input's schema
 * here, so an unknown name is an error at its file:line:col with a hint.
 */
import type { ExprNode, SortKey, WindowOver } from '../ir/expr.js';
import { exprChildren, mapChildren } from '../ir/expr.js';
import type { PlanNode, WindowSpec } from '../ir/plan.js';
import { JOIN_LEFT, JOIN_RIGHT } from '../ir/plan.js';
import type { DataType, Schema } from '../ir/types.js';
import { DefinitionError, UnsupportedError, type Origin } from '../errors.js';
import { lookupGenerator } from '../functions/generators.js';
import { generateColumns } from '../expr/typecheck.js';
import { AggregateCollector, exprKey, hasQueryAggregate, hasWindow, planSelect, type SelectItemSpec } from '../plan/select.js';
import { parseDurationUs } from '../duration.js';
import { exprToString } from '../expr/text.js';
import { positionOf } from './expr-parser.js';
import type { FromItem, Pos, QualifiedName, Query, SelectItem, SelectQuery, WatermarkClause } from './ast.js';

const freeze = <T>(x: T): T => Object.freeze(x);

/** A column in scope: its name as the query sees it, its name in the plan, the table (alias) it belongs to. */
export interface ScopeCol {
  readonly name: string;
  readonly internal: string;
  readonly qual: string | null;
  readonly type: DataType;
  /** Not expanded by `*` (file metadata): reachable only by name. */
  readonly hidden?: boolean;
}

export interface Lowered {
  readonly plan: PlanNode;
  readonly scope: readonly ScopeCol[];
}

/** What the query lowering needs from the statement lowering. */
export interface QueryEnv {
  readonly file: string;
  /** The dataset (or flow) being lowered, for error places. */
  readonly table: string;
  /** A table reference: a dataset of the pipeline or a bound source. */
  tableRef(name: QualifiedName, stream: boolean, options: Readonly<Record<string, string>>): Lowered;
  /** `read_files(…)` / `cloud_files(…)`. */
  fileSource(item: Extract<FromItem, { kind: 'tvf' }>): Lowered;
  /** The output schema of a plan (validates it). */
  schemaOf(plan: PlanNode): Schema;
  /** The pipeline's ANSI mode. */
  readonly ansi: boolean;
}

export function sqlOrigin(env: { file: string; table: string }, pos: Pos | undefined): Origin {
  return freeze({ table: env.table, file: pos?.file ?? env.file, ...(pos ? { line: pos.line, col: pos.col } : {}) });
}

/** Edit distance counting a swap of two neighbours as one edit (optimal string alignment). */
function typoDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The closest name by edit distance (for "did you mean"), if close enough. */
export function closest(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined, bestD = Infinity;
  for (const k of known) {
    const d = typoDistance(lower, k.toLowerCase());
    if (d < bestD) { bestD = d; best = k; }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function unsupported(env: { file: string; table: string }, construct: string, pos: Pos | undefined, hint = 'rewrite it with supported constructs; the reader names every construct it does not support'): never {
  const o = sqlOrigin(env, pos);
  throw new UnsupportedError('SQL_UNSUPPORTED', `${construct} is not supported`, { file: o.file ?? null, line: o.line ?? null, col: o.col ?? null, construct, table: env.table }, { origin: o, hint });
}

const col = (name: string): ExprNode => freeze({ kind: 'col', name });
const lit = (value: string): ExprNode => freeze({ kind: 'lit', value, type: 'string' });

function fieldChain(base: ExprNode, fields: readonly string[]): ExprNode {
  let out = base;
  for (const f of fields) out = freeze({ kind: 'call', fn: 'get_field', args: freeze([out, lit(f)]) });
  return out;
}

const ieq = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** One-row input of a SELECT without FROM. */
const ONE_ROW: PlanNode = freeze({ kind: 'values', schema: freeze([freeze({ name: '__one', type: 'int' as DataType })]), rows: freeze([freeze([1])]) });

export function scopeOf(schema: Schema, qual: string | null, hidden: ReadonlySet<string> = new Set()): ScopeCol[] {
  return schema.map((f) => freeze({ name: f.name, internal: f.name, qual, type: f.type, ...(hidden.has(f.name) ? { hidden: true } : {}) }));
}

interface ResolveOpts {
  /** SELECT-list aliases a name may stand for (GROUP BY, HAVING, ORDER BY): lower-case alias → expression. */
  readonly aliases?: ReadonlyMap<string, ExprNode>;
  /** Keep an alias as a column reference (ORDER BY: the planner knows the outputs). */
  readonly keepAliases?: boolean;
  readonly pos?: Pos;
}

export class QueryLowering {
  constructor(private readonly env: QueryEnv, private readonly ctes: ReadonlyMap<string, { query: Query; columns: readonly string[] }> = new Map()) {}

  private origin(pos: Pos | undefined): Origin { return sqlOrigin(this.env, pos); }

  private posOf(e: object, fallback?: Pos): Pos | undefined {
    const p = positionOf(e);
    return p ? { file: p.file ?? this.env.file, line: p.line, col: p.col } : fallback;
  }

  private unknownColumn(name: string, scope: readonly ScopeCol[], pos: Pos | undefined): never {
    const known = [...new Set(scope.map((c) => (c.qual ? `${c.qual}.${c.name}` : c.name)))];
    const names = [...new Set(scope.map((c) => c.name))];
    const near = closest(name.split('.').pop()!, names);
    const o = this.origin(pos);
    throw new DefinitionError('UNKNOWN_COLUMN', `column \`${name}\` does not exist${this.env.table ? ` in the input of ${this.env.table}` : ''}`, {
      column: name, table: this.env.table, known: names, file: o.file ?? null, line: o.line ?? null, col: o.col ?? null,
    }, { origin: o, hint: near ? `did you mean \`${near}\`?` : `known columns: ${known.join(', ')}` });
  }

  private ambiguous(name: string, hits: readonly ScopeCol[], pos: Pos | undefined): never {
    const o = this.origin(pos);
    throw new DefinitionError('AMBIGUOUS_COLUMN', `column \`${name}\` is in more than one input (${hits.map((h) => h.qual ?? '?').join(', ')})`, {
      column: name, table: this.env.table, file: o.file ?? null, line: o.line ?? null, col: o.col ?? null,
    }, { origin: o, hint: `qualify it: ${hits.map((h) => `${h.qual ?? 't'}.${name}`).join(' or ')}` });
  }

  /** Column references → the plan's columns (see the module comment). */
  resolve(e: ExprNode, scope: readonly ScopeCol[], opts: ResolveOpts = {}): ExprNode {
    const pos = this.posOf(e, opts.pos);
    if (e.kind === 'col') {
      const q = e.qualifier ?? [];
      if (q.length) {
        const byQual = scope.filter((c) => c.qual !== null && ieq(c.qual, q[0]));
        if (byQual.length) {
          const name = q.length > 1 ? q[1] : e.name;
          const hits = byQual.filter((c) => ieq(c.name, name));
          if (hits.length === 0) this.unknownColumn(`${q[0]}.${name}`, scope, pos);
          if (hits.length > 1) this.ambiguous(name, hits, pos);
          return fieldChain(col(hits[0].internal), q.length > 1 ? [...q.slice(2), e.name] : []);
        }
        const hits = scope.filter((c) => ieq(c.name, q[0]));
        if (hits.length > 1) this.ambiguous(q[0], hits, pos);
        if (hits.length === 1) return fieldChain(col(hits[0].internal), [...q.slice(1), e.name]);
        if (ieq(q[0], '_metadata')) return this.metadataField(e.name, scope, pos);
        return this.unknownColumn([...q, e.name].join('.'), scope, pos);
      }
      const hits = scope.filter((c) => ieq(c.name, e.name));
      if (hits.length === 1) return col(hits[0].internal);
      if (hits.length > 1) {
        if (new Set(hits.map((h) => h.internal)).size === 1) return col(hits[0].internal);
        this.ambiguous(e.name, hits, pos);
      }
      const alias = opts.aliases?.get(e.name.toLowerCase());
      if (alias) return opts.keepAliases ? col(e.name) : alias;
      return this.unknownColumn(e.name, scope, pos);
    }
    if (e.kind === 'call' && e.fn === 'input_file_name' && e.args.length === 0) return this.metadataField('file_path', scope, pos);
    if (e.kind === 'over') {
      // resolve inside the window function and its spec, keeping a named window's name
      return freeze({ ...e, fn: this.resolve(e.fn, scope, opts), spec: this.resolveWindow(e.spec, scope, opts) });
    }
    return freeze(mapChildren(e, (c) => this.resolve(c, scope, opts)));
  }

  private resolveWindow(w: WindowOver, scope: readonly ScopeCol[], opts: ResolveOpts): WindowOver {
    return freeze({ ...w, partitionBy: freeze(w.partitionBy.map((x) => this.resolve(x, scope, opts))), orderBy: freeze(w.orderBy.map((k) => freeze({ ...k, expr: this.resolve(k.expr, scope, opts) }))) });
  }

  /** `_metadata.<field>` and `input_file_name()`: a field of the hidden file metadata of a file source. */
  private metadataField(field: string, scope: readonly ScopeCol[], pos: Pos | undefined): ExprNode {
    const meta = scope.find((c) => ieq(c.name, '_metadata'));
    if (meta) return fieldChain(col(meta.internal), [field.toLowerCase()]);
    const file = scope.find((c) => c.name === '_source_file');
    const f = field.toLowerCase();
    if (file && (f === 'file_path' || f === 'file_name')) return col(file.internal);
    return unsupported(this.env, `_metadata.${field}${file ? '' : ' outside a file source'}`, pos, 'file metadata is available on read_files / cloud_files sources: _metadata.file_path, _metadata.file_name');
  }

  // ------------------------------------------------------------ queries

  query(q: Query): Lowered {
    switch (q.kind) {
      case 'select': return this.select(q);
      case 'with': {
        const ctes = new Map(this.ctes);
        for (const c of q.ctes) ctes.set(c.name.toLowerCase(), { query: c.query, columns: c.columns });
        return new QueryLowering(this.env, ctes).query(q.body);
      }
      case 'values': return this.values(q.rows, [], null, q.pos);
      case 'setop': {
        if (q.op !== 'union') unsupported(this.env, q.op.toUpperCase(), q.pos, 'use UNION [ALL], or a LEFT ANTI / LEFT SEMI join');
        const inputs: PlanNode[] = [];
        const collect = (x: Query) => {
          if (x.kind === 'setop' && x.op === 'union' && x.all === q.all && x.byName === q.byName && !x.orderBy.length && !x.limit) { collect(x.left); collect(x.right); } else inputs.push(this.query(x).plan);
        };
        collect(q.left); collect(q.right);
        let plan: PlanNode = freeze({ kind: 'union', inputs: freeze(inputs), ...(q.byName ? { byName: true } : {}) });
        if (!q.all) plan = freeze({ kind: 'distinct', input: plan });
        let scope = scopeOf(this.env.schemaOf(plan), null);
        if (q.orderBy.length) plan = freeze({ kind: 'sort', input: plan, keys: freeze(q.orderBy.map((k) => freeze({ ...k, expr: this.resolve(k.expr, scope, { pos: q.pos }) }))) });
        if (q.limit) plan = freeze({ kind: 'limit', input: plan, n: this.intOf(q.limit, 'LIMIT', q.pos) });
        scope = scopeOf(this.env.schemaOf(plan), null);
        return { plan, scope };
      }
    }
  }

  private intOf(e: ExprNode, what: string, pos: Pos): number {
    if (e.kind === 'lit' && (typeof e.value === 'number' || typeof e.value === 'bigint') && Number(e.value) >= 0) return Number(e.value);
    return unsupported(this.env, `${what} ${exprToString(e)} (only a non-negative integer literal)`, this.posOf(e, pos));
  }

  /** VALUES rows: one SELECT of constants per row, UNION ALL (types widen as Spark's inline tables do). */
  private values(rows: readonly (readonly ExprNode[])[], names: readonly string[], alias: string | null, pos: Pos): Lowered {
    const width = rows[0]?.length ?? 0;
    const cols = Array.from({ length: width }, (_, i) => names[i] ?? `col${i + 1}`);
    const inputs = rows.map((r, i) => {
      if (r.length !== width) {
        const o = this.origin(pos);
        throw new DefinitionError('VALUES_ROW_LENGTH', `row ${i + 1} of VALUES has ${r.length} values, the first has ${width}`, { row: i + 1, table: this.env.table, file: o.file ?? null, line: o.line ?? null, col: o.col ?? null }, { origin: o, hint: 'give every row the same number of values' });
      }
      return freeze({ kind: 'select', input: ONE_ROW, columns: freeze(r.map((e, j) => freeze([cols[j], this.resolve(e, [], { pos })] as const))) }) as PlanNode;
    });
    const plan: PlanNode = inputs.length === 1 ? inputs[0] : freeze({ kind: 'union', inputs: freeze(inputs) });
    return { plan, scope: scopeOf(this.env.schemaOf(plan), alias) };
  }

  // ------------------------------------------------------------ FROM

  from(f: FromItem): Lowered {
    switch (f.kind) {
      case 'table': {
        const cte = f.name.parts.length === 1 ? this.ctes.get(f.name.parts[0].toLowerCase()) : undefined;
        let low: Lowered;
        if (cte) {
          if (f.stream) unsupported(this.env, `STREAM over the CTE ${f.name.parts[0]}`, f.pos, 'read the dataset with STREAM inside the CTE');
          const inner = new QueryLowering(this.env, new Map([...this.ctes].filter(([k]) => k !== f.name.parts[0].toLowerCase()))).query(cte.query);
          low = this.renamed(inner, cte.columns, f.name.parts[0], f.pos);
        } else low = this.env.tableRef(f.name, f.stream, f.options);
        const qual = f.alias ?? f.name.parts[f.name.parts.length - 1];
        low = { plan: low.plan, scope: low.scope.map((c) => freeze({ ...c, qual })) };
        return this.watermarked(low, f.watermark);
      }
      case 'tvf': {
        if (f.name !== 'read_files' && f.name !== 'cloud_files') {
          unsupported(this.env, `the table-valued function ${f.name}()`, f.pos, 'sources: read_files(…), cloud_files(…), or a table bound with --source');
        }
        const low = this.env.fileSource(f);
        const qual = f.alias ?? f.name;
        let out: Lowered = { plan: low.plan, scope: low.scope.map((c) => freeze({ ...c, qual })) };
        if (f.columnAliases.length) out = this.renamed(out, f.columnAliases, qual, f.pos);
        return this.watermarked(out, f.watermark);
      }
      case 'subquery': {
        const inner = this.query(f.query);
        const qual = f.alias ?? null;
        let out: Lowered = { plan: inner.plan, scope: inner.scope.map((c) => freeze({ ...c, qual })) };
        if (f.columnAliases.length) out = this.renamed(out, f.columnAliases, qual, f.pos);
        return this.watermarked(out, f.watermark);
      }
      case 'values': return this.values(f.rows, f.columnAliases, f.alias, f.pos);
      case 'lateral': return this.lateral(f);
      case 'join': return this.join(f);
    }
  }

  /** Renames the visible columns positionally (`t(a, b)`, `WITH c(a, b) AS`). */
  private renamed(low: Lowered, names: readonly string[], qual: string | null, pos: Pos): Lowered {
    if (!names.length) return low;
    const visible = low.scope.filter((c) => !c.hidden);
    if (names.length !== visible.length) {
      const o = this.origin(pos);
      throw new DefinitionError('COLUMN_ALIAS_COUNT', `${names.length} column aliases for ${visible.length} columns`, { aliases: names.length, columns: visible.length, table: this.env.table, file: o.file ?? null, line: o.line ?? null, col: o.col ?? null }, { origin: o, hint: 'give one alias per column' });
    }
    const plan: PlanNode = freeze({ kind: 'select', input: low.plan, columns: freeze(visible.map((c, i) => freeze([names[i], col(c.internal)] as const))) });
    return { plan, scope: scopeOf(this.env.schemaOf(plan), qual) };
  }

  private watermarked(low: Lowered, wm: WatermarkClause | null): Lowered {
    if (!wm) return low;
    let plan = low.plan;
    let scope = low.scope;
    const e = this.resolve(wm.expr, scope, { pos: wm.pos });
    let column: string;
    if (e.kind === 'col' && !wm.alias) column = e.name;
    else {
      column = wm.alias ?? (wm.expr.kind === 'col' ? wm.expr.name : '');
      if (!column) unsupported(this.env, 'a WATERMARK on an expression without AS alias', wm.pos);
      plan = freeze({ kind: 'derive', input: plan, columns: freeze([freeze([column, e] as const)]) });
      const qual = scope[0]?.qual ?? null;
      const t = this.env.schemaOf(plan).find((f) => f.name === column)!.type;
      scope = [...scope.filter((c) => c.internal !== column), freeze({ name: column, internal: column, qual, type: t })];
    }
    plan = freeze({ kind: 'watermark', input: plan, column, delayUs: wm.delayUs, delayText: delayText(wm.delayUs) });
    return { plan, scope };
  }

  private lateral(f: Extract<FromItem, { kind: 'lateral' }>): Lowered {
    const input = this.from(f.input);
    const g = this.resolve(f.generator, input.scope, { pos: f.pos });
    if (g.kind !== 'call' || !lookupGenerator(g.fn)) unsupported(this.env, `LATERAL VIEW ${exprToString(f.generator)} (not a generator)`, f.pos, 'LATERAL VIEW takes explode, posexplode, inline or stack');
    const name = `${lookupGenerator(g.fn)!.name.replace(/_outer$/, '')}${f.outer || g.fn.endsWith('_outer') ? '_outer' : ''}`;
    const def = lookupGenerator(name) ?? lookupGenerator(g.fn)!;
    if (g.args.length !== 1) unsupported(this.env, `${g.fn} with ${g.args.length} arguments in LATERAL VIEW`, f.pos);
    const schema = this.env.schemaOf(input.plan);
    const fields = generateColumns(def.name, g.args[0], f.columns, schema, this.origin(f.pos), this.env.ansi);
    const names = fields.map((x) => x.name);
    // the generated names may repeat an input column's name: give them internal names
    const taken = new Set(input.scope.map((c) => c.internal));
    const internal = names.map((n) => (taken.has(n) ? `__${f.alias ?? 'lv'}_${n}` : n));
    const plan: PlanNode = freeze({ kind: 'generate', input: input.plan, generator: def.name, arg: g.args[0], names: freeze(internal) });
    return { plan, scope: [...input.scope, ...fields.map((x, i) => freeze({ name: x.name, internal: internal[i], qual: f.alias, type: x.type }))] };
  }

  private join(f: Extract<FromItem, { kind: 'join' }>): Lowered {
    const l = this.from(f.left);
    let r = this.from(f.right);
    let using = f.using ? [...f.using] : null;
    if (f.natural) using = l.scope.filter((c) => !c.hidden && r.scope.some((x) => !x.hidden && ieq(x.name, c.name))).map((c) => c.name);
    const find = (side: readonly ScopeCol[], name: string, which: string): ScopeCol => {
      const hits = side.filter((c) => ieq(c.name, name));
      if (hits.length === 0) this.unknownColumn(`${which}.${name}`, side, f.pos);
      if (hits.length > 1) this.ambiguous(name, hits, f.pos);
      return hits[0];
    };
    const usingPairs = (using ?? []).map((k) => [find(l.scope, k, 'left'), find(r.scope, k, 'right')] as const);
    // the right side's internal names must not repeat the left's (a USING key takes its left key's name)
    const leftNames = new Set(l.scope.map((c) => c.internal));
    const rename = new Map<string, string>();
    for (const c of r.scope) {
      const key = usingPairs.find(([, rc]) => rc === c);
      if (key) { if (key[0].internal !== c.internal) rename.set(c.internal, key[0].internal); continue; }
      if (leftNames.has(c.internal)) {
        let n = `__${c.qual ?? 'r'}_${c.name}`;
        for (let i = 2; leftNames.has(n) || [...rename.values()].includes(n); i++) n = `__${c.qual ?? 'r'}${i}_${c.name}`;
        rename.set(c.internal, n);
      }
    }
    if (rename.size) {
      const plan: PlanNode = freeze({ kind: 'select', input: r.plan, columns: freeze(r.scope.map((c) => freeze([rename.get(c.internal) ?? c.internal, col(c.internal)] as const))) });
      r = { plan, scope: r.scope.map((c) => freeze({ ...c, internal: rename.get(c.internal) ?? c.internal })) };
    }
    const how = f.type;
    const on: (readonly [string, string])[] = usingPairs.map(([lc]) => freeze([lc.internal, lc.internal] as const));
    let condition: ExprNode | null = null;
    if (f.on) {
      const resolved = this.resolve(f.on, [...l.scope, ...r.scope], { pos: f.pos });
      const leftSet = new Set(l.scope.map((c) => c.internal));
      const side = (e: ExprNode): ExprNode => (e.kind === 'col' ? freeze({ kind: 'col', name: e.name, qualifier: freeze([leftSet.has(e.name) ? JOIN_LEFT : JOIN_RIGHT]) }) : mapChildren(e, side));
      // equalities of a left and a right column become join keys; the rest stays a condition
      const rest: ExprNode[] = [];
      for (const c of conjuncts(resolved)) {
        if (how !== 'cross' && c.kind === 'call' && c.fn === '=' && c.args[0].kind === 'col' && c.args[1].kind === 'col') {
          const [a, b] = [c.args[0].name, c.args[1].name];
          if (leftSet.has(a) && !leftSet.has(b)) { on.push(freeze([a, b] as const)); continue; }
          if (leftSet.has(b) && !leftSet.has(a)) { on.push(freeze([b, a] as const)); continue; }
        }
        rest.push(side(c));
      }
      if (rest.length) condition = rest.reduce((a, b) => freeze({ kind: 'call', fn: 'and', args: freeze([a, b]) }));
    }
    const plan: PlanNode = freeze({ kind: 'join', input: l.plan, right: r.plan, how: how === 'cross' && on.length ? 'inner' : how, on: freeze(on), ...(condition ? { condition } : {}) });
    let scope: ScopeCol[];
    if (how === 'left_semi' || how === 'left_anti') scope = [...l.scope];
    else {
      const keys = new Set(usingPairs.map(([lc]) => lc.internal));
      scope = [...l.scope, ...r.scope.filter((c) => !keys.has(c.internal))];
      // a USING key of a right or full join is one column: either side's qualifier names it
      for (const [lc, rc] of usingPairs) scope.push(freeze({ ...rc, internal: lc.internal, hidden: true }));
    }
    const schema = this.env.schemaOf(plan);
    scope = scope.map((c) => freeze({ ...c, type: schema.find((x) => x.name === c.internal)?.type ?? c.type }));
    return { plan, scope };
  }

  // ------------------------------------------------------------ SELECT

  private select(q: SelectQuery): Lowered {
    const input = q.from ? this.from(q.from) : { plan: ONE_ROW, scope: [] as ScopeCol[] };
    let plan = input.plan;
    const scope = input.scope;
    if (q.where) plan = freeze({ kind: 'filter', input: plan, predicate: this.resolve(q.where, scope, { pos: q.pos }) });

    const windowed = q.groupBy?.exprs.find((e) => e.kind === 'call' && (e.fn === 'window' || e.fn === 'session_window'));
    // the window struct's fields (window.start, window.end) name the window's columns
    const windowFields = (e: ExprNode): ExprNode => {
      if (windowed && e.kind === 'col' && e.qualifier?.length === 1 && ieq(e.qualifier[0], 'window') && (ieq(e.name, 'start') || ieq(e.name, 'end')) && !scope.some((c) => ieq(c.name, 'window'))) return col(`window_${e.name.toLowerCase()}`);
      return mapChildren(e, windowFields);
    };
    const windowScope: ScopeCol[] = windowed ? [freeze({ name: 'window_start', internal: 'window_start', qual: null, type: 'timestamp' as DataType, hidden: true }), freeze({ name: 'window_end', internal: 'window_end', qual: null, type: 'timestamp' as DataType, hidden: true })] : [];
    const itemScope = [...scope, ...windowScope];

    const items: (SelectItemSpec & { readonly source: SelectItem })[] = [];
    for (const it of q.items) {
      if (it.kind === 'star') {
        const cols = scope.filter((c) => !c.hidden && (it.qualifier.length === 0 || (c.qual !== null && ieq(c.qual, it.qualifier[it.qualifier.length - 1]))));
        if (it.qualifier.length && !cols.length && !scope.some((c) => c.qual !== null && ieq(c.qual, it.qualifier[it.qualifier.length - 1]))) {
          this.unknownColumn(`${it.qualifier.join('.')}.*`, scope, it.pos);
        }
        for (const x of it.except) if (!cols.some((c) => ieq(c.name, x.split('.').pop()!))) this.unknownColumn(x, cols, it.pos);
        for (const c of cols) {
          if (it.except.some((x) => ieq(x.split('.').pop()!, c.name))) continue;
          items.push({ expr: col(c.internal), name: c.name, source: it });
        }
        continue;
      }
      const expr = this.resolve(windowFields(it.expr), itemScope, { pos: it.pos });
      let name: string | undefined = it.alias ?? undefined;
      if (name === undefined && it.expr.kind === 'col') {
        const hit = expr.kind === 'col' ? itemScope.find((c) => c.internal === expr.name) : undefined;
        name = hit?.name ?? it.expr.name;
      }
      if (name === undefined && !(expr.kind === 'call' && lookupGenerator(expr.fn))) name = exprToString(it.expr);
      items.push({ expr, ...(name !== undefined ? { name } : {}), source: it });
    }
    const aliases = new Map<string, ExprNode>();
    for (const it of items) if (typeof it.name === 'string' && it.source.kind === 'expr' && it.source.alias) aliases.set(it.name.toLowerCase(), it.expr);
    const position = (e: ExprNode, what: string): ExprNode | null => {
      if (e.kind === 'lit' && typeof e.value === 'number' && Number.isInteger(e.value)) {
        const it = items[e.value - 1];
        if (!it) unsupported(this.env, `${what} position ${e.value} (the SELECT list has ${items.length} items)`, this.posOf(e, q.pos));
        return it.expr;
      }
      return null;
    };
    const windows: Record<string, WindowOver> = {};
    for (const [n, w] of Object.entries(q.windows)) windows[n] = this.resolveWindow(w, scope, { pos: q.pos });

    if (windowed) return this.windowedAggregate(q, plan, scope, items, windowed, aliases);

    let groupBy: ExprNode[] | undefined;
    if (q.groupBy) {
      if (q.groupBy.all) groupBy = items.filter((it) => !hasQueryAggregate(it.expr) && !hasWindow(it.expr)).map((it) => it.expr);
      else groupBy = q.groupBy.exprs.map((e) => position(e, 'GROUP BY') ?? this.resolve(e, scope, { aliases, pos: q.pos }));
    }
    const having = q.having ? this.resolve(q.having, scope, { aliases, pos: q.pos }) : null;
    const qualify = q.qualify ? this.resolve(q.qualify, scope, { aliases, pos: q.pos }) : null;
    const outputNames = new Map(items.filter((it) => typeof it.name === 'string').map((it) => [(it.name as string).toLowerCase(), col(it.name as string)]));
    const orderBy: SortKey[] = q.orderBy.map((k) => {
      const p = k.expr.kind === 'lit' && typeof k.expr.value === 'number' ? items[k.expr.value - 1] : undefined;
      if (p) return freeze({ ...k, expr: typeof p.name === 'string' ? col(p.name) : p.expr });
      return freeze({ ...k, expr: this.resolveOrderKey(k.expr, scope, outputNames, q.pos) });
    });
    plan = planSelect(plan, items.map(({ expr, name }) => ({ expr, ...(name !== undefined ? { name } : {}) })), {
      ...(groupBy ? { groupBy } : {}), having, qualify, orderBy, distinct: q.distinct, windows,
      limit: q.limit ? this.intOf(q.limit, 'LIMIT', q.pos) : null, offset: q.offset ? this.intOf(q.offset, 'OFFSET', q.pos) : null,
      schemaOf: (p) => this.env.schemaOf(p), origin: this.origin(q.pos),
    });
    return { plan, scope: scopeOf(this.env.schemaOf(plan), null) };
  }

  /** An ORDER BY key: the input's columns, or the SELECT list's output names (kept as names: the planner maps them). */
  private resolveOrderKey(e: ExprNode, scope: readonly ScopeCol[], outputs: ReadonlyMap<string, ExprNode>, pos: Pos): ExprNode {
    if (e.kind === 'col' && !e.qualifier?.length) {
      const out = outputs.get(e.name.toLowerCase());
      if (out) return out;
    }
    return this.resolve(e, scope, { aliases: outputs, keepAliases: true, pos });
  }

  /** `GROUP BY window(ts, '10 minutes'[, '5 minutes']), k…`: a windowed aggregate (window_start, window_end, keys, aggregates). */
  private windowedAggregate(q: SelectQuery, input: PlanNode, scope: readonly ScopeCol[], items: readonly (SelectItemSpec & { source: SelectItem })[], w: ExprNode, aliases: ReadonlyMap<string, ExprNode>): Lowered {
    const call = w as Extract<ExprNode, { kind: 'call' }>;
    if (call.fn === 'session_window') unsupported(this.env, 'session_window', this.posOf(w, q.pos), 'use window(ts, size[, slide])');
    const t = this.resolve(call.args[0], scope, { pos: q.pos });
    const text = (e: ExprNode | undefined): string | null => (e && e.kind === 'lit' && typeof e.value === 'string' ? e.value : null);
    const size = text(call.args[1]), slide = call.args[2] ? text(call.args[2]) : size;
    if (!size || !slide || call.args.length > 3) unsupported(this.env, `${exprToString(w)} (window takes a time expression and one or two interval strings)`, this.posOf(w, q.pos));
    let plan = input;
    // an expression (CAST(d AS TIMESTAMP)) is computed into a column first
    let timeColumn: string;
    if (t.kind === 'col') timeColumn = t.name;
    else {
      timeColumn = '__window_time';
      plan = freeze({ kind: 'derive', input: plan, columns: freeze([freeze([timeColumn, t] as const)]) });
    }
    const spec: WindowSpec = freeze({ kind: slide === size ? 'tumbling' : 'sliding', timeColumn, sizeUs: parseDurationUs(size!, 'window size'), slideUs: parseDurationUs(slide!, 'window slide'), sizeText: size!, slideText: slide! });
    const others = q.groupBy!.exprs.filter((e) => e !== w).map((e) => this.resolve(e, scope, { aliases, pos: q.pos }));
    const keys = others.map((e, i) => freeze([e.kind === 'col' ? e.name : `__g${i}`, e] as const));
    const ac = new AggregateCollector(keys, [], '__a', this.origin(q.pos));
    const outputs = new Set(['window_start', 'window_end', ...keys.map(([n]) => n)]);
    // the window itself as an item (`window(ts, '5 minutes') AS w`): the struct of its bounds
    const wKey = exprKey(this.resolve(w, scope, { pos: q.pos }));
    const bounds: ExprNode = freeze({ kind: 'call', fn: 'named_struct', args: freeze([lit('start'), col('window_start'), lit('end'), col('window_end')]) });
    const cols = items.map((it, i) => freeze([typeof it.name === 'string' ? it.name : `col${i + 1}`, exprKey(it.expr) === wKey ? bounds : ac.rewrite(it.expr, outputs)] as const));
    const having = q.having ? ac.rewrite(this.resolve(q.having, scope, { aliases, pos: q.pos }), outputs) : null;
    plan = freeze({ kind: 'aggregate', input: plan, window: spec, keys: freeze(keys), aggs: freeze(ac.aggs) });
    if (having) plan = freeze({ kind: 'filter', input: plan, predicate: having });
    plan = freeze({ kind: 'select', input: plan, columns: freeze(cols) });
    if (q.distinct) plan = freeze({ kind: 'distinct', input: plan });
    if (q.orderBy.length) {
      const s = scopeOf(this.env.schemaOf(plan), null);
      plan = freeze({ kind: 'sort', input: plan, keys: freeze(q.orderBy.map((k) => freeze({ ...k, expr: this.resolve(k.expr, s, { pos: q.pos }) }))) });
    }
    if (q.limit) plan = freeze({ kind: 'limit', input: plan, n: this.intOf(q.limit, 'LIMIT', q.pos) });
    return { plan, scope: scopeOf(this.env.schemaOf(plan), null) };
  }
}

function conjuncts(e: ExprNode): ExprNode[] {
  if (e.kind === 'call' && e.fn === 'and') return e.args.flatMap(conjuncts);
  return [e];
}

/** A delay in microseconds as an interval text (`10 minutes`, `90 seconds`). */
export function delayText(us: number): string {
  const units: [number, string][] = [[86_400_000_000, 'days'], [3_600_000_000, 'hours'], [60_000_000, 'minutes'], [1_000_000, 'seconds'], [1000, 'milliseconds']];
  for (const [n, u] of units) if (us % n === 0) return `${us / n} ${u}`;
  return `${us} microseconds`;
}

/** Whether an expression holds a call of `fn`. */
export function callsFunction(e: ExprNode, fn: string): boolean {
  return (e.kind === 'call' && e.fn === fn) || exprChildren(e).some((c) => callsFunction(c, fn));
}
