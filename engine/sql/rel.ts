/**
 * A relation being compiled to one SELECT: a FROM item, the columns that FROM
 * provides ("base" columns, by key), the output columns as expression IR over
 * those keys, and WHERE conditions.
 *
 * Plan operators are applied to it one by one. An operator whose expressions
 * read an output column that is not a plain column reference or a literal
 * first wraps the relation into a subquery, so expressions are never inlined
 * into one another (the SQL stays readable and every expression is evaluated
 * once per row, as in the engine). Aggregates, unions and DuckDB's QUALIFY
 * always end a SELECT.
 */
import type { ExprNode } from '../ir/expr.js';
import { call, referencedColumns, substituteColumns } from '../ir/expr.js';
import type { JoinHow } from '../ir/plan.js';
import type { DataType, Field, Schema } from '../ir/types.js';
import type { Origin } from '../errors.js';
import type { Dialect } from './dialect.js';
import { ExprCompiler, type ExprContext } from './expr.js';
import { select, type FromSql, type JoinKeyword, type QuerySql, type SelectItem, type SelectSql } from './sql-ast.js';
import { and, Expr, or } from '../expr/builder.js';
import { joinScopeSide, resolveJoinCondition, type JoinColumn } from '../expr/typecheck.js';

/** Output columns a closing SELECT adds: their names and types, and the items that compute them over the base keys. */
export interface ExtraColumns {
  readonly fields: readonly Field[];
  readonly items: (c: ExprCompiler, resolve: (e: ExprNode) => ExprNode) => SelectItem[];
}

/** Clauses a closing SELECT ends with. */
export interface CloseClauses {
  readonly distinct?: boolean;
  /** ORDER BY items, rendered over the base keys. */
  readonly orderBy?: (c: ExprCompiler, resolve: (e: ExprNode) => ExprNode) => string[];
  readonly limit?: number | null;
  readonly offset?: number | null;
}

export interface BaseCol {
  readonly sql: string;
  readonly type: DataType;
}

export interface OutCol {
  readonly name: string;
  readonly type: DataType;
  /** The value as IR over base keys … */
  readonly node?: ExprNode;
  /** … or as SQL already rendered in the base context. */
  readonly raw?: string;
}

export interface WatermarkInfo {
  readonly column: string;
  readonly delayUs: number;
  /** A hidden base key holding the maximum event time (epoch µs) of the watermark's input (batch targets). */
  readonly maxKey?: string;
}

export interface RelEnv {
  readonly dialect: Dialect;
  readonly table: string;
  readonly origin?: Origin;
  readonly onConstruct?: ExprContext['onConstruct'];
  readonly onNote?: ExprContext['onNote'];
  readonly ansi?: boolean;
  /** The session time zone (`spark.sql.session.timeZone`). */
  readonly timeZone?: string;
}

const substitute = substituteColumns;

export class Rel {
  constructor(
    readonly env: RelEnv,
    readonly from: FromSql,
    readonly base: ReadonlyMap<string, BaseCol>,
    readonly cols: readonly OutCol[],
    readonly where: readonly ExprNode[] = [],
    /** Base keys carried along (not output columns), e.g. the watermark's maximum event time. */
    readonly hidden: readonly string[] = [],
    readonly watermark: WatermarkInfo | null = null,
    /** Set when FROM is a plain read of a pipeline dataset. */
    readonly source: { readonly dataset: string; readonly streaming: boolean } | null = null,
  ) {}

  private get d(): Dialect { return this.env.dialect; }

  /** A relation over a FROM item that provides `schema` (column names as keys). */
  static over(env: RelEnv, from: FromSql, schema: Schema, source: Rel['source'] = null, qualify?: string): Rel {
    const base = new Map<string, BaseCol>();
    const cols: OutCol[] = [];
    for (const f of schema) {
      const key = qualify ? `${qualify}.${f.name}` : f.name;
      base.set(key, { sql: qualify ? `${qualify}.${env.dialect.ident(f.name)}` : env.dialect.ident(f.name), type: f.type });
      cols.push({ name: f.name, type: f.type, node: { kind: 'col', name: key } });
    }
    return new Rel(env, from, base, cols, [], [], null, source);
  }

  get schema(): Field[] { return this.cols.map((c) => ({ name: c.name, type: c.type })); }

  private baseSchema(): Field[] { return [...this.base].map(([name, b]) => ({ name, type: b.type })); }

  /** An expression compiler over the base keys. */
  compiler(): ExprCompiler {
    return new ExprCompiler({ dialect: this.d, schema: this.baseSchema(), ref: (k) => this.base.get(k)!.sql, table: this.env.table, origin: this.env.origin, onConstruct: this.env.onConstruct, onNote: this.env.onNote, ansi: this.env.ansi, timeZone: this.env.timeZone });
  }

  /** An expression compiler over the output columns (for text that is used outside this SELECT). */
  outputCompiler(): ExprCompiler {
    return new ExprCompiler({ dialect: this.d, schema: this.schema, ref: (k) => this.d.ident(k), table: this.env.table, origin: this.env.origin, onConstruct: this.env.onConstruct, onNote: this.env.onNote, ansi: this.env.ansi, timeZone: this.env.timeZone });
  }

  private with(patch: Partial<{ cols: readonly OutCol[]; where: readonly ExprNode[]; watermark: WatermarkInfo | null; source: Rel['source'] }>): Rel {
    return new Rel(this.env, this.from, this.base, patch.cols ?? this.cols, patch.where ?? this.where, this.hidden, patch.watermark !== undefined ? patch.watermark : this.watermark, patch.source !== undefined ? patch.source : this.source);
  }

  private isTrivial(c: OutCol): boolean {
    return c.node !== undefined && (c.node.kind === 'col' || c.node.kind === 'lit');
  }

  get isIdentity(): boolean {
    return this.where.length === 0 && this.hidden.length === 0 && this.cols.every((c) => c.node?.kind === 'col' && this.base.get(c.node.name)?.sql === this.d.ident(c.name));
  }

  /** This relation, wrapped first when `exprs` read an output column that is not trivially inlinable. */
  prepare(exprs: readonly ExprNode[]): Rel {
    const names = new Set<string>();
    for (const e of exprs) referencedColumns(e, names);
    const byName = new Map(this.cols.map((c) => [c.name, c]));
    for (const n of names) {
      const c = byName.get(n);
      if (c && !this.isTrivial(c)) return this.wrap();
    }
    return this;
  }

  /** `e` (over output columns) rewritten over base keys. Unknown names stay as they are (the type checker reports them). */
  resolve(e: ExprNode): ExprNode {
    const byName = new Map(this.cols.map((c) => [c.name, c]));
    return substitute(e, (n) => byName.get(n)?.node ?? { kind: 'col', name: `\u0000${n}` });
  }

  /** Validates `e` against the output schema (throws the engine's coded errors). */
  private check(e: ExprNode): void {
    this.outputCompiler().typeOf(e);
  }

  select(pairs: readonly (readonly [string, ExprNode])[]): Rel {
    for (const [, e] of pairs) this.check(e);
    const r = this.prepare(pairs.map(([, e]) => e));
    const out = r.outputCompiler();
    return r.with({ cols: pairs.map(([name, e]) => ({ name, type: out.typeOf(e), node: r.resolve(e) })) });
  }

  derive(pairs: readonly (readonly [string, ExprNode])[]): Rel {
    for (const [, e] of pairs) this.check(e);
    const r = this.prepare(pairs.map(([, e]) => e));
    const out = r.outputCompiler();
    const cols = [...r.cols];
    for (const [name, e] of pairs) {
      const c: OutCol = { name, type: out.typeOf(e), node: r.resolve(e) };
      const i = cols.findIndex((x) => x.name === name);
      if (i >= 0) cols[i] = c; else cols.push(c);
    }
    return r.with({ cols });
  }

  drop(names: readonly string[]): Rel {
    return this.with({ cols: this.cols.filter((c) => !names.includes(c.name)) });
  }

  filter(pred: ExprNode): Rel {
    this.check(pred);
    const r = this.prepare([pred]);
    return r.with({ where: [...r.where, r.resolve(pred)] });
  }

  /** Adds an output column whose SQL is rendered now, over the output columns (which must then be inlinable). */
  addRaw(name: string, type: DataType, render: (c: ExprCompiler, resolve: (e: ExprNode) => ExprNode) => string, reads: readonly ExprNode[]): Rel {
    const r = this.prepare(reads);
    return r.with({ cols: [...r.cols, { name, type, raw: render(r.compiler(), (e) => r.resolve(e)) }] });
  }

  withWatermark(w: WatermarkInfo): Rel {
    return this.with({ watermark: w });
  }

  /** Replaces the FROM item text (same columns), e.g. to add Databricks' WATERMARK clause to a read. */
  withFromText(sql: string): Rel {
    return new Rel(this.env, { kind: 'text', sql }, this.base, this.cols, this.where, this.hidden, this.watermark, this.source);
  }

  // ------------------------------------------------------------ rendering

  private items(c: ExprCompiler, extra: readonly SelectItem[] = []): SelectItem[] {
    const items: SelectItem[] = this.cols.map((col) => ({ sql: col.raw ?? c.projection(col.node!), alias: col.name }));
    for (const h of this.hidden) items.push({ sql: this.base.get(h)!.sql, alias: h });
    return [...items, ...extra];
  }

  /** The SELECT of this relation (with optional extra items and QUALIFY). */
  toSelect(extra: readonly SelectItem[] = [], qualify: string | null = null): SelectSql {
    const c = this.compiler();
    return select(this.items(c, extra), this.from, { where: this.where.map((w) => c.sql(w)), qualify });
  }

  /**
   * The query of this relation. A plain projection of a subquery is merged
   * into it (no `SELECT a, b FROM (SELECT … ) AS q`).
   */
  toQuery(): QuerySql {
    if (this.from.kind === 'sub' && !this.from.suffix && this.where.length === 0 && this.hidden.length === 0) {
      const sub = this.from.query;
      const refs = this.cols.map((c) => (c.node?.kind === 'col' ? this.base.get(c.node.name)?.sql : undefined));
      if (refs.every((r) => r !== undefined)) {
        if (sub.kind === 'select' && !sub.distinct) {
          const byName = new Map(sub.items.map((it) => [this.d.ident(it.alias ?? it.sql), it]));
          if (refs.every((r) => byName.has(r!))) {
            return { ...sub, items: this.cols.map((col, i) => ({ sql: byName.get(refs[i]!)!.sql, alias: col.name })) };
          }
        } else if (this.isIdentity && sameNames(sub, this.cols.map((c) => c.name))) {
          return sub;
        }
      }
    }
    return this.toSelect();
  }

  /** Wraps this relation into a subquery; the output columns become plain columns of it. */
  wrap(alias = 'q', extra: readonly { alias: string; type: DataType; sql: (c: ExprCompiler) => string }[] = [], qualify: string | null = null): Rel {
    const c = this.compiler();
    const query: QuerySql = extra.length === 0 && qualify === null ? this.toQuery() : this.toSelect(extra.map((x) => ({ sql: x.sql(c), alias: x.alias })), qualify);
    const base = new Map<string, BaseCol>();
    for (const col of this.cols) base.set(col.name, { sql: this.d.ident(col.name), type: col.type });
    for (const h of this.hidden) base.set(h, { sql: this.d.ident(h), type: this.base.get(h)!.type });
    for (const x of extra) base.set(x.alias, { sql: this.d.ident(x.alias), type: x.type });
    const cols = this.cols.map((col) => ({ name: col.name, type: col.type, node: { kind: 'col', name: col.name } as ExprNode }));
    const hidden = [...this.hidden, ...extra.map((x) => x.alias)];
    return new Rel(this.env, { kind: 'sub', query, alias }, base, cols, [], hidden, this.watermark, null);
  }

  /** Wraps this relation as a subquery with a suffix (Databricks' `WATERMARK …` after `( query )`). */
  wrapWithSuffix(suffix: string, alias = 'q'): Rel {
    const w = this.wrap(alias);
    return new Rel(this.env, { ...(w.from as Extract<FromSql, { kind: 'sub' }>), suffix }, w.base, w.cols, [], w.hidden, w.watermark, null);
  }

  /** This relation as one aliased FROM item (for a join side): a plain table read stays a table. */
  asJoinSide(alias: string, keepWhere: boolean): Rel {
    let r: Rel = this;
    const plainText = r.from.kind === 'text' && !r.from.alias && r.hidden.length === 0 && r.cols.every((c) => c.node?.kind === 'col' || c.node?.kind === 'lit');
    if (!plainText || (!keepWhere && r.where.length > 0)) r = r.wrap(alias);
    const from: FromSql = r.from.kind === 'sub' ? { ...r.from, alias } : { kind: 'text', sql: (r.from as { sql: string }).sql, alias };
    // qualify every base key with the alias
    const base = new Map<string, BaseCol>();
    const rename = new Map<string, string>();
    for (const [k, b] of r.base) {
      const nk = `${alias}.${k}`;
      rename.set(k, nk);
      base.set(nk, { sql: `${alias}.${b.sql}`, type: b.type });
    }
    const re = (e: ExprNode) => substitute(e, (n) => ({ kind: 'col', name: rename.get(n) ?? n }));
    return new Rel(this.env, from, base, r.cols.map((c) => ({ ...c, node: c.node ? re(c.node) : undefined })), r.where.map(re), r.hidden.map((h) => rename.get(h)!), r.watermark, r.source);
  }

  /**
   * A join: `on` pairs of equal columns (USING) and/or a condition (left/right
   * qualified columns, see JOIN_LEFT); the output columns as `layout` says.
   */
  join(right: Rel, how: JoinHow, on: readonly (readonly [string, string])[], condition: ExprNode | null, layout: readonly JoinColumn[], asOf?: { at: string; from: string; until: string }): Rel {
    // a WHERE of the left side can stay after the join only when every output row comes from a left row
    const keepLeftWhere = how === 'inner' || how === 'left' || how === 'left_semi' || how === 'left_anti' || how === 'cross';
    const l = this.asJoinSide('l', keepLeftWhere);
    const r = right.asJoinSide('r', false);
    const base = new Map([...l.base, ...r.base]);
    const lByName = new Map(l.cols.map((c) => [c.name, c]));
    const rByName = new Map(r.cols.map((c) => [c.name, c]));
    const conds: ExprNode[] = on.map(([lk, rk]) => call('=', [lByName.get(lk)!.node!, rByName.get(rk)!.node!]));
    if (condition) {
      const scoped = resolveJoinCondition(condition, this.schema, right.schema, this.env.origin);
      conds.push(substituteColumns(scoped, (n) => {
        const s = joinScopeSide(n)!;
        return (s.side === 'left' ? lByName : rByName).get(s.name)!.node!;
      }));
    }
    if (asOf) {
      // an as-of join: the right row is valid at the left row's time, [from, until)
      const at = new Expr(lByName.get(asOf.at)!.node!);
      const until = new Expr(rByName.get(asOf.until)!.node!);
      conds.push(new Expr(rByName.get(asOf.from)!.node!).le(at).node, or(until.isNull(), at.lt(until)).node);
    }
    const joinedSchema: Field[] = [...base].map(([name, b]) => ({ name, type: b.type }));
    const c = new ExprCompiler({ dialect: this.d, schema: joinedSchema, ref: (k) => base.get(k)!.sql, table: this.env.table, origin: this.env.origin, onConstruct: this.env.onConstruct, onNote: this.env.onNote, ansi: this.env.ansi, timeZone: this.env.timeZone });
    const onSql = conds.length === 0 ? null : c.sql(conds.length === 1 ? conds[0] : call('and', conds));
    const cols: OutCol[] = layout.map((x) => {
      if (x.right < 0) return { ...l.cols[x.left], name: x.field.name };
      if (x.left < 0) return { ...r.cols[x.right], name: x.field.name, type: x.field.type };
      return { name: x.field.name, type: x.field.type, node: call('coalesce', [l.cols[x.left].node!, r.cols[x.right].node!]) };
    });
    const duck = this.d.name === 'duckdb';
    const kw: JoinKeyword = how === 'left_semi' ? (duck ? 'SEMI' : 'LEFT SEMI') : how === 'left_anti' ? (duck ? 'ANTI' : 'LEFT ANTI')
      : how === 'cross' ? (onSql ? 'INNER' : 'CROSS') : how === 'right' ? 'RIGHT' : how === 'full' ? 'FULL' : how === 'left' ? 'LEFT' : 'INNER';
    const from: FromSql = { kind: 'join', left: l.from, right: r.from, how: kw, on: kw === 'CROSS' ? null : onSql ?? 'TRUE' };
    return new Rel(this.env, from, base, cols, keepLeftWhere ? l.where : [], [...l.hidden], l.watermark, null);
  }

  /**
   * Ends this SELECT: its output columns, `extra` columns computed over the
   * base keys (window functions, generators) and `clauses`, as a subquery whose
   * columns are plain columns again. `dropHidden` are hidden keys not carried on.
   */
  closeWith(extra: readonly ExtraColumns[], clauses: CloseClauses = {}, dropHidden: readonly string[] = [], alias = 'q'): Rel {
    const c = this.compiler();
    const resolve = (e: ExprNode) => this.resolve(e);
    const items = this.items(c).filter((it) => it.alias === null || !dropHidden.includes(it.alias));
    for (const x of extra) items.push(...x.items(c, resolve));
    const query = select(items, this.from, {
      where: this.where.map((w) => c.sql(w)), distinct: clauses.distinct,
      orderBy: clauses.orderBy?.(c, resolve), limit: clauses.limit ?? null, offset: clauses.offset ?? null,
    });
    const hidden = this.hidden.filter((h) => !dropHidden.includes(h));
    const base = new Map<string, BaseCol>();
    const cols: OutCol[] = [];
    for (const col of this.cols) { base.set(col.name, { sql: this.d.ident(col.name), type: col.type }); cols.push({ name: col.name, type: col.type, node: { kind: 'col', name: col.name } }); }
    for (const h of hidden) base.set(h, { sql: this.d.ident(h), type: this.base.get(h)!.type });
    for (const x of extra) for (const f of x.fields) { base.set(f.name, { sql: this.d.ident(f.name), type: f.type }); cols.push({ name: f.name, type: f.type, node: { kind: 'col', name: f.name } }); }
    return new Rel(this.env, { kind: 'sub', query, alias }, base, cols, [], hidden, this.watermark, null);
  }
}

function sameNames(q: QuerySql, names: readonly string[]): boolean {
  const first = q.kind === 'union' ? q.parts[0] : q;
  if (first.kind !== 'select') return sameNames(first, names);
  return first.items.length === names.length && first.items.every((it, i) => (it.alias ?? it.sql) === names[i]);
}
