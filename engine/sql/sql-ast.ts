/**
 * A tiny SQL query AST (SELECT / UNION ALL) and its pretty printer, shared by
 * every dialect. Expressions inside are already-rendered SQL text; only the
 * query structure is kept, so the compiler can nest, flatten and indent.
 */

export interface SelectItem {
  /** Rendered expression. */
  readonly sql: string;
  /** Output name, or null when `sql` is already the bare output name. */
  readonly alias: string | null;
}

export type FromSql =
  /** A table reference, a table-valued function call, or a streaming read (rendered as is). */
  | { readonly kind: 'text'; readonly sql: string; readonly alias?: string }
  /** `( query ) [suffix] AS alias` (suffix: Databricks' `WATERMARK …` clause). */
  | { readonly kind: 'sub'; readonly query: QuerySql; readonly alias: string; readonly suffix?: string }
  | { readonly kind: 'join'; readonly left: FromSql; readonly right: FromSql; readonly how: JoinKeyword; readonly on: string | null };

/** A join's keyword before JOIN (Spark spells semi and anti joins LEFT SEMI / LEFT ANTI, DuckDB SEMI / ANTI). */
export type JoinKeyword = 'INNER' | 'LEFT' | 'CROSS' | 'RIGHT' | 'FULL' | 'LEFT SEMI' | 'LEFT ANTI' | 'SEMI' | 'ANTI';

export interface SelectSql {
  readonly kind: 'select';
  readonly items: readonly SelectItem[];
  readonly from: FromSql;
  readonly where: readonly string[];
  readonly groupBy: readonly string[];
  readonly having: readonly string[];
  /** DuckDB's QUALIFY (filter on a window function). */
  readonly qualify: string | null;
  /** SELECT DISTINCT. */
  readonly distinct?: boolean;
  /** ORDER BY items (rendered, with direction and NULLS placement). */
  readonly orderBy?: readonly string[];
  readonly limit?: number | null;
  readonly offset?: number | null;
}

export interface UnionSql {
  readonly kind: 'union';
  readonly parts: readonly QuerySql[];
}

export type QuerySql = SelectSql | UnionSql;

export function select(items: readonly SelectItem[], from: FromSql, extra: Partial<Omit<SelectSql, 'kind' | 'items' | 'from'>> = {}): SelectSql {
  const out: SelectSql = { kind: 'select', items, from, where: extra.where ?? [], groupBy: extra.groupBy ?? [], having: extra.having ?? [], qualify: extra.qualify ?? null };
  if (!extra.distinct && !extra.orderBy?.length && extra.limit == null && extra.offset == null) return out;
  return { ...out, distinct: extra.distinct ?? false, orderBy: extra.orderBy ?? [], limit: extra.limit ?? null, offset: extra.offset ?? null };
}

const INDENT = '  ';

function indent(text: string, by = INDENT): string {
  return text.split('\n').map((l) => (l.length ? by + l : l)).join('\n');
}

/** `a AND b AND …`, each conjunct in parentheses when it has a top-level OR. */
export function conjunction(parts: readonly string[]): string {
  return parts.map((p) => (parts.length > 1 && /\bOR\b/i.test(stripParens(p)) ? `(${p})` : p)).join(' AND ');
}

/** The text with every parenthesised group and string literal removed (to find top-level operators). */
function stripParens(s: string): string {
  let out = '';
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) { if (c === '\\') i++; else if (c === quote) quote = null; continue; }
    if (c === "'" || c === '"' || c === '`') { quote = c; continue; }
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0) out += c;
  }
  return out;
}

function renderItem(it: SelectItem, ident: (n: string) => string): string {
  if (it.alias === null || it.sql === ident(it.alias)) return it.sql;
  return `${it.sql} AS ${ident(it.alias)}`;
}

function renderFrom(f: FromSql, ident: (n: string) => string): string {
  switch (f.kind) {
    case 'text': return f.alias ? `${f.sql} AS ${f.alias}` : f.sql;
    case 'sub': return `(\n${indent(renderQuery(f.query, ident))}\n)${f.suffix ? ` ${f.suffix}` : ''} AS ${f.alias}`;
    case 'join': {
      const kw = f.how === 'INNER' ? 'JOIN' : `${f.how} JOIN`;
      return `${renderFrom(f.left, ident)}\n${kw} ${renderFrom(f.right, ident)}${f.on ? ` ON ${f.on}` : ''}`;
    }
  }
}

/** Renders a query (no trailing semicolon). `ident` is the dialect's identifier quoting. */
export function renderQuery(q: QuerySql, ident: (n: string) => string): string {
  if (q.kind === 'union') return q.parts.map((p) => renderQuery(p, ident)).join('\nUNION ALL\n');
  const items = q.items.map((it) => renderItem(it, ident));
  const oneLine = items.join(', ');
  const lines: string[] = [];
  const head = q.distinct ? 'SELECT DISTINCT' : 'SELECT';
  if (oneLine.length <= 100 && !oneLine.includes('\n')) lines.push(`${head} ${oneLine}`);
  else lines.push(head, ...items.map((it, i) => indent(it + (i < items.length - 1 ? ',' : ''))));
  lines.push(`FROM ${renderFrom(q.from, ident)}`);
  if (q.where.length) lines.push(`WHERE ${q.where.map((w) => (q.where.length > 1 && /\bOR\b/i.test(stripParens(w)) ? `(${w})` : w)).join('\n  AND ')}`);
  if (q.groupBy.length) lines.push(`GROUP BY ${q.groupBy.join(', ')}`);
  if (q.having.length) lines.push(`HAVING ${conjunction(q.having)}`);
  if (q.qualify) lines.push(`QUALIFY ${q.qualify}`);
  if (q.orderBy?.length) lines.push(`ORDER BY ${q.orderBy.join(', ')}`);
  if (q.limit != null) lines.push(`LIMIT ${q.limit}`);
  if (q.offset) lines.push(`OFFSET ${q.offset}`);
  return lines.join('\n');
}
