/**
 * A window expression in SQL, for every dialect: the function's registry
 * spelling (or the aggregate's, with the OVER clause where its spelling puts
 * it), `PARTITION BY`, `ORDER BY` with the NULL placement written out
 * (DuckDB's default differs from Spark's), and the frame.
 */
import type { ExprNode, FrameBound, SortKey } from '../ir/expr.js';
import { litValue } from '../expr/cast.js';
import { resolveWindow, windowFunctionSql } from '../functions/window.js';
import type { ExprCompiler } from './expr.js';
import { aggSql } from './python.js';
import { frameOffsetSql } from './values.js';

/** An ORDER BY item with its direction and NULL placement written out. */
export function sortItemSql(sql: string, k: Pick<SortKey, 'desc' | 'nullsFirst'>): string {
  return `${sql} ${k.desc ? 'DESC' : 'ASC'} NULLS ${k.nullsFirst ? 'FIRST' : 'LAST'}`;
}

/** `fn(args) OVER (PARTITION BY … ORDER BY … frame)` over the compiler's columns. */
export function overSql(c: ExprCompiler, e: Extract<ExprNode, { kind: 'over' }>): string {
  const d = c.ctx.dialect;
  const w = resolveWindow(e, c.ctx.schema, c.ctx.origin, c.ctx.ansi ?? false);
  const parts: string[] = [];
  if (e.spec.partitionBy.length) parts.push(`PARTITION BY ${e.spec.partitionBy.map((x) => c.sql(x)).join(', ')}`);
  if (e.spec.orderBy.length) parts.push(`ORDER BY ${e.spec.orderBy.map((k) => sortItemSql(c.sql(k.expr), k)).join(', ')}`);
  const f = e.spec.frame;
  if (f) {
    const bound = (b: FrameBound): string => {
      switch (b.kind) {
        case 'unbounded_preceding': return 'UNBOUNDED PRECEDING';
        case 'unbounded_following': return 'UNBOUNDED FOLLOWING';
        case 'current_row': return 'CURRENT ROW';
        default: {
          const lit = b.offset as Extract<ExprNode, { kind: 'lit' }>;
          return `${frameOffsetSql(d, litValue(lit.value, lit.type), lit.type)} ${b.kind === 'preceding' ? 'PRECEDING' : 'FOLLOWING'}`;
        }
      }
    };
    parts.push(`${f.unit.toUpperCase()} BETWEEN ${bound(f.start)} AND ${bound(f.end)}`);
  }
  const over = `OVER (${parts.join(' ')})`;
  if (w.kind === 'aggregate') return aggSql(d, c, (e.fn as Extract<ExprNode, { kind: 'aggregate' }>).agg, ` ${over}`);
  const args = w.args.slice(0, w.resolved.params.argCount).map((a, i) => c.coerce(a, w.argTypes[i]).sql);
  return windowFunctionSql(w.def, d, { args, params: w.resolved.params, over });
}
