/**
 * Plan IR → a PySpark DataFrame chain, for the flows that SQL cannot express
 * on a target (a streaming `dropDuplicates`, file ingestion in open-source
 * Spark, a watermark where the SQL clause is not available). Every expression
 * inside is rendered by the same SQL expression compiler (`F.expr("…")`,
 * `selectExpr`, `where("…")`), so the Python and SQL forms agree.
 */
import { aggregateSql } from '../functions/aggregates.js';
import { call } from '../ir/expr.js';
import type { AggNode, ExprNode } from '../ir/expr.js';
import type { FileSourceNode, PlanNode } from '../ir/plan.js';
import type { DataType, Field, Schema } from '../ir/types.js';
import { csvSourceSchema, fileSourceSchema, joinLayout, joinScopeSide, planSchema, resolveJoinCondition, unionLayout, generateColumns } from '../expr/typecheck.js';
import { substituteColumns } from '../ir/expr.js';
import { lookupGenerator } from '../functions/generators.js';
import { valuesFrom } from './values.js';
import { renderQuery, select } from './sql-ast.js';
import type { SortKey } from '../ir/expr.js';
import { overSql } from './window-sql.js';
import { durationToSql } from '../duration.js';
import { UnsupportedError, type Origin } from '../errors.js';
import type { Dialect } from './dialect.js';
import { ExprCompiler, type ExprContext } from './expr.js';

/** A Python string literal. */
export function py(s: string): string {
  return JSON.stringify(s);
}

export interface PyEnv {
  readonly dialect: Dialect;
  readonly table: string;
  readonly origin?: Origin;
  readonly onConstruct?: ExprContext['onConstruct'];
  readonly onNote?: ExprContext['onNote'];
  readonly ansi?: boolean;
  /** The session time zone (`spark.sql.session.timeZone`). */
  readonly timeZone?: string;
  /** The output schema of another dataset of the pipeline. */
  datasetSchema(name: string): Schema;
  /** The reader of a CSV source: a head expression and its calls (the bronze selects included). */
  csvReader(p: FileSourceNode, streaming: boolean): { head: string; calls: string[] };
  /** The SQL expressions sent to Spark, for parse checks. */
  readonly fragments: string[];
}

export interface PyChain {
  /** Assignments before the chain (join right sides, union inputs). */
  readonly setup: string[];
  readonly head: string;
  readonly calls: string[];
  readonly schema: Schema;
}

export class PythonRenderer {
  private vars = 0;
  constructor(private readonly env: PyEnv) {}

  private compiler(schema: Schema, ref?: (k: string) => string): ExprCompiler {
    const d = this.env.dialect;
    return new ExprCompiler({ dialect: d, schema, ref: ref ?? ((k) => d.ident(k)), table: this.env.table, origin: this.env.origin, onConstruct: this.env.onConstruct, onNote: this.env.onNote, ansi: this.env.ansi, timeZone: this.env.timeZone });
  }

  private frag(sql: string, kind: 'expr' | 'where' = 'expr'): string {
    this.env.fragments.push(kind === 'where' ? `SELECT * FROM t WHERE ${sql}` : `SELECT ${sql} FROM t`);
    return sql;
  }

  /** `expr AS name` for selectExpr (just the name when it is the column itself). */
  private selectItem(c: ExprCompiler, name: string, e: ExprNode): string {
    const d = this.env.dialect;
    const sql = c.projection(e);
    return this.frag(sql === d.ident(name) ? sql : `${sql} AS ${d.ident(name)}`);
  }

  /** Renders a chain as a (multi-line) Python expression. */
  static text(ch: { head: string; calls: readonly string[] }, indent: string): string {
    if (ch.calls.length === 0) return ch.head;
    const lines = ch.calls.flatMap((c) => c.split('\n').map((l) => `${indent}    ${l}`));
    return ['(', `${indent}    ${ch.head}`, ...lines, `${indent})`].join('\n');
  }

  /** A chain used inside another: a variable in the setup unless it is one call. */
  private asValue(ch: PyChain, setup: string[], hint: string): string {
    setup.push(...ch.setup);
    if (ch.calls.length === 0) return ch.head;
    const v = `${hint}_${++this.vars}`;
    setup.push(`${v} = ${PythonRenderer.text(ch, '')}`);
    return v;
  }

  /** A sort key as a Column: `F.expr("x").asc_nulls_first()`. */
  private sortCol(c: ExprCompiler, k: SortKey): string {
    return `F.expr(${py(this.frag(c.sql(k.expr)))}).${k.desc ? 'desc' : 'asc'}_nulls_${k.nullsFirst ? 'first' : 'last'}()`;
  }

  render(p: PlanNode, streamingSource: boolean): PyChain {
    const d = this.env.dialect;
    const ctx = { datasetSchema: (n: string) => this.env.datasetSchema(n), origin: this.env.origin ?? { table: this.env.table } };
    switch (p.kind) {
      case 'csv': {
        const r = this.env.csvReader(p, streamingSource);
        return { setup: [], head: r.head, calls: r.calls, schema: csvSourceSchema(p.options) };
      }
      case 'files': {
        const r = this.env.csvReader(p, streamingSource);
        return { setup: [], head: r.head, calls: r.calls, schema: fileSourceSchema(p.options) };
      }
      case 'asofJoin':
        throw new UnsupportedError('UNSUPPORTED_CONSTRUCT', `${this.env.table} uses an as-of join, which has no PySpark form here`, { table: this.env.table, construct: 'asofJoin', dialect: d.name }, { origin: this.env.origin, hint: 'write the as-of join in a SQL flow' });
      case 'rows':
        throw new UnsupportedError('NON_PORTABLE_SOURCE', `${this.env.table} reads the in-memory source "${p.name}", which exists only in the local engine`, { table: this.env.table, source: p.name, dialect: d.name }, { origin: this.env.origin, hint: 'read files with readCsv(...) or another dataset' });
      case 'read':
        return { setup: [], head: `spark.${p.streaming ? 'readStream' : 'read'}.table(${py(p.dataset)})`, calls: [], schema: this.env.datasetSchema(p.dataset) };
      case 'select': {
        const ch = this.render(p.input, streamingSource);
        const c = this.compiler(ch.schema);
        return { ...ch, calls: [...ch.calls, `.selectExpr(${p.columns.map(([n, e]) => py(this.selectItem(c, n, e))).join(', ')})`], schema: planSchema(p, ctx) };
      }
      case 'derive': {
        const ch = this.render(p.input, streamingSource);
        const c = this.compiler(ch.schema);
        const items = p.columns.map(([n, e]) => `${py(n)}: F.expr(${py(this.frag(c.projection(e)))})`);
        return { ...ch, calls: [...ch.calls, `.withColumns({${items.join(', ')}})`], schema: planSchema(p, ctx) };
      }
      case 'drop': {
        const ch = this.render(p.input, streamingSource);
        return { ...ch, calls: [...ch.calls, `.drop(${p.names.map(py).join(', ')})`], schema: planSchema(p, ctx) };
      }
      case 'filter': {
        const ch = this.render(p.input, streamingSource);
        const c = this.compiler(ch.schema);
        return { ...ch, calls: [...ch.calls, `.where(${py(this.frag(c.sql(p.predicate), 'where'))})`] };
      }
      case 'dedup': {
        const ch = this.render(p.input, streamingSource);
        return { ...ch, calls: [...ch.calls, `.dropDuplicates([${p.keys.map(py).join(', ')}])`] };
      }
      case 'watermark': {
        const ch = this.render(p.input, streamingSource);
        return { ...ch, calls: [...ch.calls, `.withWatermark(${py(p.column)}, ${py(durationToSql(p.delayUs))})`] };
      }
      case 'join': {
        const left = this.render(p.input, streamingSource);
        const right = this.render(p.right, streamingSource);
        const setup = [...left.setup];
        const rv = this.asValue(right, setup, 'right');
        const schema: Field[] = [...left.schema.map((f) => ({ name: `l.${f.name}`, type: f.type })), ...right.schema.map((f) => ({ name: `r.${f.name}`, type: f.type }))];
        const c = this.compiler(schema, (k) => { const i = k.indexOf('.'); return `${k.slice(0, i)}.${d.ident(k.slice(i + 1))}`; });
        const eq = (lk: string, rk: string): ExprNode => call('=', [{ kind: 'col', name: `l.${lk}` }, { kind: 'col', name: `r.${rk}` }]);
        const conds: ExprNode[] = p.on.map(([lk, rk]) => eq(lk, rk));
        if (p.condition) {
          const scoped = resolveJoinCondition(p.condition, left.schema, right.schema, this.env.origin);
          conds.push(substituteColumns(scoped, (n) => { const s = joinScopeSide(n)!; return { kind: 'col', name: `${s.side === 'left' ? 'l' : 'r'}.${s.name}` }; }));
        }
        const cond: ExprNode | null = conds.length === 0 ? null : conds.length === 1 ? conds[0] : call('and', conds);
        const outSchema = planSchema(p, ctx);
        const items = joinLayout(left.schema, right.schema, p.how, p.on).map((x) => {
          const sql = x.right < 0 ? `l.${d.ident(left.schema[x.left].name)}` : x.left < 0 ? `r.${d.ident(right.schema[x.right].name)}`
            : `coalesce(l.${d.ident(left.schema[x.left].name)}, r.${d.ident(right.schema[x.right].name)})`;
          return this.frag(`${sql} AS ${d.ident(x.field.name)}`);
        });
        const joinCall = p.how === 'cross' && !cond ? `.crossJoin(${rv}.alias("r"))`
          : `.join(${rv}.alias("r"), ${cond ? `F.expr(${py(this.frag(c.sql(cond)))})` : 'F.lit(True)'}, ${py(p.how === 'cross' ? 'inner' : p.how)})`;
        return {
          setup, head: left.head, schema: outSchema,
          calls: [...left.calls, '.alias("l")', joinCall, `.selectExpr(${items.map(py).join(', ')})`],
        };
      }
      case 'union': {
        const parts = p.inputs.map((i) => this.render(i, streamingSource));
        const layout = unionLayout(parts.map((x) => x.schema), p.byName ?? false, p.allowMissing ?? false, this.env.origin);
        const conform = (x: PyChain, i: number): PyChain => {
          const same = x.schema.length === layout.fields.length && x.schema.every((f, j) => f.name === layout.fields[j].name && f.type === layout.fields[j].type);
          if (same) return x;
          const items = layout.fields.map((f, k) => {
            const j = layout.sources[i][k];
            const src = j < 0 ? `CAST(NULL AS ${d.typeName(f.type)})` : x.schema[j].type === f.type ? d.ident(x.schema[j].name) : `CAST(${d.ident(x.schema[j].name)} AS ${d.typeName(f.type)})`;
            return this.frag(src === d.ident(f.name) ? src : `${src} AS ${d.ident(f.name)}`);
          });
          return { ...x, calls: [...x.calls, `.selectExpr(${items.map(py).join(', ')})`], schema: layout.fields };
        };
        const [first, ...rest] = parts.map(conform);
        const setup = [...first.setup];
        const calls = [...first.calls];
        for (const r of rest) calls.push(`.unionByName(${this.asValue(r, setup, 'part')})`);
        return { setup, head: first.head, calls, schema: layout.fields };
      }
      case 'distinct': {
        const ch = this.render(p.input, streamingSource);
        return { ...ch, calls: [...ch.calls, streamingSource ? '.dropDuplicates()' : '.distinct()'] };
      }
      case 'sort': {
        const ch = this.render(p.input, streamingSource);
        return { ...ch, calls: [...ch.calls, `.orderBy(${p.keys.map((k) => this.sortCol(this.compiler(ch.schema), k)).join(', ')})`] };
      }
      case 'limit': {
        const ch = this.render(p.input, streamingSource);
        const calls = [...ch.calls];
        if (p.offset) calls.push(`.offset(${p.offset})`);
        if (p.n !== null) calls.push(`.limit(${p.n})`);
        return { ...ch, calls };
      }
      case 'window': {
        const ch = this.render(p.input, streamingSource);
        const c = this.compiler(ch.schema);
        const items = p.columns.map(([n, e]) => py(this.frag(`${overSql(c, e as Extract<ExprNode, { kind: 'over' }>)} AS ${d.ident(n)}`)));
        return { ...ch, calls: [...ch.calls, `.selectExpr("*", ${items.join(', ')})`], schema: planSchema(p, ctx) };
      }
      case 'generate': {
        const ch = this.render(p.input, streamingSource);
        const c = this.compiler(ch.schema);
        const fields = generateColumns(p.generator, p.arg, p.names, ch.schema, this.env.origin, this.env.ansi);
        const names = fields.map((f) => d.ident(f.name));
        const item = this.frag(`${lookupGenerator(p.generator)!.name}(${c.sql(p.arg)}) AS ${names.length === 1 ? names[0] : `(${names.join(', ')})`}`);
        return { ...ch, calls: [...ch.calls, `.selectExpr("*", ${py(item)})`], schema: planSchema(p, ctx) };
      }
      case 'values': {
        const v = valuesFrom(d, p.schema, p.rows);
        const sql = renderQuery(select([{ sql: '*', alias: null }], v.from, { where: v.empty ? ['FALSE'] : [] }), (n) => d.ident(n));
        this.env.fragments.push(sql);
        return { setup: [], head: `spark.sql(${py(sql)})`, calls: [], schema: [...p.schema] };
      }
      case 'aggregate': {
        const ch = this.render(p.input, streamingSource);
        const c = this.compiler(ch.schema);
        const calls = [...ch.calls];
        const groups: string[] = [];
        if (p.window) {
          const t = ch.schema.find((f) => f.name === p.window!.timeColumn)?.type;
          calls.push(`.where(${py(this.frag(`${d.ident(p.window.timeColumn)} IS NOT NULL`, 'where'))})`);
          const tcol = `F.col(${py(p.window.timeColumn)})${t === 'date' ? '.cast("timestamp")' : ''}`;
          const args = [tcol, py(durationToSql(p.window.sizeUs)), ...(p.window.kind === 'sliding' ? [py(durationToSql(p.window.slideUs))] : [])];
          groups.push(`F.window(${args.join(', ')}).alias("w")`);
        }
        for (const [n, e] of p.keys) groups.push(`F.expr(${py(this.frag(c.sql(e)))}).alias(${py(n)})`);
        const aggs = p.aggs.map(([n, a]) => `F.expr(${py(this.frag(aggSql(d, c, a)))}).alias(${py(n)})`);
        if (groups.length === 0) {
          calls.push(`.agg(${aggs.join(', ')})`);
        } else {
          calls.push(`.groupBy(${groups.join(', ')})`, `.agg(${aggs.join(', ')})`);
        }
        if (p.window) {
          const outs = ['w.start AS window_start', 'w.end AS window_end', ...p.keys.map(([n]) => d.ident(n)), ...p.aggs.map(([n]) => d.ident(n))];
          calls.push(`.selectExpr(${outs.map((s) => py(this.frag(s))).join(', ')})`);
        }
        return { ...ch, calls, schema: planSchema(p, ctx) };
      }
    }
  }
}

/** An aggregate call in SQL (its registry spelling, then FILTER; `over`: its OVER clause as a window function). */
export function aggSql(d: Dialect, c: ExprCompiler, a: AggNode, over = ''): string {
  const r = c.resolveAggregate(a);
  const sql = aggregateSql(r.def, d, { args: a.args.map((x, i) => c.coerce(x, r.argTypes[i]).sql), argTypes: r.argTypes, distinct: a.distinct, returns: r.returns, over }, (code, detail) => c.note(code, detail));
  return a.filter ? `${sql} FILTER (WHERE ${c.sql(a.filter)})` : sql;
}
