/**
 * The text form of expressions: a stable, SQL-like rendering used in
 * fingerprints, error messages and event-log definitions. A call renders
 * through its registry entry (`text`), else as `name(args)`.
 */
import type { AggNode, ExprNode, FrameBound, SortKey, WindowOver } from '../ir/expr.js';
import { lookupFunction } from '../functions/registry.js';
import { sqlTypeName } from '../ir/types.js';

function literalText(e: Extract<ExprNode, { kind: 'lit' }>): string {
  const v = e.value;
  if (v === null) return 'NULL';
  if (typeof v === 'string') return `'${v.replace(/'/g, "''")}'`;
  if (Array.isArray(v)) return `array(${v.map((x) => (typeof x === 'string' ? `'${x}'` : String(x))).join(', ')})`;
  if (typeof v === 'object') return JSON.stringify(v instanceof Map ? Object.fromEntries(v) : v);
  return String(v);
}

export function exprToString(e: ExprNode): string {
  switch (e.kind) {
    case 'col': return e.qualifier?.length ? [...e.qualifier, e.name].join('.') : e.name;
    case 'var': return e.name;
    case 'lit': return literalText(e);
    case 'call': {
      const args = e.args.map(exprToString);
      const f = lookupFunction(e.fn);
      return f?.text ? f.text(args) : `${f?.name ?? e.fn}(${args.join(', ')})`;
    }
    case 'case': {
      const head = e.operand ? `CASE ${exprToString(e.operand)} ` : 'CASE ';
      return `${head}${e.branches.map((b) => `WHEN ${exprToString(b.when)} THEN ${exprToString(b.then)}`).join(' ')}${e.otherwise ? ` ELSE ${exprToString(e.otherwise)}` : ''} END`;
    }
    case 'cast': return `${e.try ? 'TRY_CAST' : 'CAST'}(${exprToString(e.arg)} AS ${castTypeText(e.to)})`;
    case 'lambda': return `${e.params.length === 1 ? e.params[0] : `(${e.params.join(', ')})`} -> ${exprToString(e.body)}`;
    case 'udf': return `${e.name}(${e.args.map(exprToString).join(', ')})`;
    case 'aggregate': return aggToString(e.agg);
    case 'over': return `${exprToString(e.fn)} OVER (${overText(e.spec)})`;
  }
}

/** Simple types print as before (`CAST(x AS INT)` used the upper-cased engine name). */
function castTypeText(t: string): string {
  return /^[a-z]+$/.test(t) ? t.toUpperCase() : sqlTypeName(t as never);
}

function boundText(b: FrameBound): string {
  switch (b.kind) {
    case 'unbounded_preceding': return 'UNBOUNDED PRECEDING';
    case 'unbounded_following': return 'UNBOUNDED FOLLOWING';
    case 'current_row': return 'CURRENT ROW';
    case 'preceding': return `${exprToString(b.offset)} PRECEDING`;
    case 'following': return `${exprToString(b.offset)} FOLLOWING`;
  }
}

export function sortKeyText(k: SortKey): string {
  return `${exprToString(k.expr)}${k.desc ? ' DESC' : ''}${k.nullsFirst === k.desc ? (k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST') : ''}`;
}

function overText(s: WindowOver): string {
  if (s.name) return s.name;
  const parts: string[] = [];
  if (s.partitionBy.length) parts.push(`PARTITION BY ${s.partitionBy.map(exprToString).join(', ')}`);
  if (s.orderBy.length) parts.push(`ORDER BY ${s.orderBy.map(sortKeyText).join(', ')}`);
  if (s.frame) parts.push(`${s.frame.unit.toUpperCase()} BETWEEN ${boundText(s.frame.start)} AND ${boundText(s.frame.end)}`);
  return parts.join(' ');
}

export function aggToString(a: AggNode): string {
  const filter = a.filter ? ` FILTER (WHERE ${exprToString(a.filter)})` : '';
  if (a.args.length === 0) return `${a.fn}(*)${filter}`;
  return `${a.fn}(${a.distinct ? 'DISTINCT ' : ''}${a.args.map(exprToString).join(', ')})${filter}`;
}
