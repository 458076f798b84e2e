/**
 * Flows in SQL: the statements of targets that declare flows (Databricks and
 * Spark 4.1 `CREATE FLOW`, Databricks `AUTO CDC INTO`), and the final state of
 * an AUTO CDC target computed with window functions for a batch target
 * (DuckDB), the equivalence witness of the engine's incremental operators.
 *
 * The window form applies the engine's semantics (engine/cdc/fold.ts) to all
 * events at once: events are ranked per key by sequence, then upserts before
 * deletes, then their values as text (NULL lowest); a column takes the value
 * of the last event that supplied it (a delete supplies NULL; under IGNORE
 * NULL UPDATES an upsert supplies only its non-NULL values); SCD type 2 takes
 * the state after each sequence and makes islands of equal tracked columns.
 * (`first(x ORDER BY …)` keeps NULLs, where `max_by` would skip them.)
 */
import type { ExprNode } from '../ir/expr.js';
import { SCD2_END_COLUMN, SCD2_START_COLUMN } from '../ir/plan.js';
import type { ResolvedCdc } from '../graph/graph.js';
import type { Dialect } from './dialect.js';
import type { ExprCompiler } from './expr.js';
import type { CompiledFlowUnit } from './compiler.js';

function indent(text: string): string {
  return text.split('\n').map((l) => (l.length ? '  ' + l : l)).join('\n');
}

/** An AUTO CDC flow's clauses as the window form needs them (SQL over the feed's columns). */
export interface CdcWindowSpec {
  readonly keys: readonly string[];
  /** The feed's columns kept in the target, in the feed's order. */
  readonly columns: readonly string[];
  readonly tracked: readonly string[];
  readonly ignoreNull: readonly string[];
  readonly storedAs: 1 | 2;
  readonly sequence: string;
  readonly deletes: string | null;
  readonly truncates: string | null;
  /** Drop expectations of the target (over its columns): events failing one are not applied. */
  readonly drops: readonly string[];
}

/** The window-form spec of a resolved flow, its expressions compiled by `c`. */
export function cdcWindowSpec(cdc: ResolvedCdc, c: ExprCompiler, drops: readonly ExprNode[]): CdcWindowSpec {
  const spec = cdc.spec;
  return {
    keys: spec.keys, columns: cdc.columns, tracked: cdc.tracked, ignoreNull: cdc.ignoreNull, storedAs: spec.storedAs,
    sequence: c.sql(spec.sequenceBy), deletes: spec.applyAsDeletes ? c.sql(spec.applyAsDeletes) : null, truncates: spec.applyAsTruncates ? c.sql(spec.applyAsTruncates) : null,
    drops: drops.map((p) => c.sql(p)),
  };
}

/** The final state of an AUTO CDC target from all its events (DuckDB); `out` is the target's column order. */
export function cdcWindowQuery(d: Dialect, out: readonly string[], spec: CdcWindowSpec, feedSql: string): string {
  const id = (n: string) => d.ident(n);
  const keys = spec.keys.map(id);
  const part = keys.join(', ');
  const nonKey = spec.columns.filter((x) => !spec.keys.includes(x));
  const seq = spec.sequence;
  const del = spec.deletes ? `coalesce(${spec.deletes}, FALSE)` : 'FALSE';
  const trunc = spec.truncates ? `coalesce(${spec.truncates}, FALSE)` : null;
  const text = (n: string) => `CAST(${id(n)} AS VARCHAR)`;
  const ctes: string[] = [];
  ctes.push(`feed AS (\n${indent(feedSql)}\n)`);
  // the events: a delete carries its key only; events with a NULL sequence and truncates are not events
  ctes.push(`ev0 AS (\n${indent([
    `SELECT ${[...spec.columns.map((x) => (spec.keys.includes(x) ? id(x) : `CASE WHEN ${del} THEN NULL ELSE ${id(x)} END AS ${id(x)}`)), `${seq} AS __seq`, `CASE WHEN ${del} THEN 1 ELSE 0 END AS __op`].join(',\n       ')}`,
    'FROM feed',
    `WHERE ${seq} IS NOT NULL${trunc ? ` AND NOT ${trunc}` : ''}`,
  ].join('\n'))}\n)`);
  ctes.push(`ev AS (\n  SELECT * FROM ev0${spec.drops.length ? `\n  WHERE ${spec.drops.map((p) => `coalesce(${p}, FALSE)`).join(' AND ')}` : ''}\n)`);
  // a truncate voids every event at or before the last one
  if (trunc) ctes.push(`tr AS (\n  SELECT max(${seq}) AS __t FROM feed WHERE ${seq} IS NOT NULL AND ${trunc}\n)`);
  const order = ['__seq', '__op', ...spec.columns.map((x) => `${text(x)} NULLS FIRST`)].join(', ');
  ctes.push(`ranked AS (\n  SELECT ev.*, row_number() OVER (PARTITION BY ${spec.keys.map((k) => `ev.${id(k)}`).join(', ')} ORDER BY ${order}) AS __rank\n  FROM ev${trunc ? ' CROSS JOIN tr\n  WHERE tr.__t IS NULL OR ev.__seq > tr.__t' : ''}\n)`);
  const ignore = new Set(spec.ignoreNull);
  const supplied = (x: string) => `CASE WHEN __op = 0 THEN ${id(x)} END`;
  if (spec.storedAs === 1) {
    const items = out.map((n) => (spec.keys.includes(n) ? id(n)
      : `first(${supplied(n)} ORDER BY __rank DESC)${ignore.has(n) ? ` FILTER (WHERE __op <> 0 OR ${id(n)} IS NOT NULL)` : ''} AS ${id(n)}`));
    return `WITH ${ctes.join(',\n')}\nSELECT ${items.join(',\n       ')}\nFROM ranked\nGROUP BY ${part}\nHAVING first(__op ORDER BY __rank DESC) = 0`;
  }
  // SCD type 2: the state after every event (a column NULLs are ignored in takes the last supplier's value) …
  const gi = new Map(nonKey.filter((x) => ignore.has(x)).map((x, i) => [x, i]));
  const groups = [...gi].map(([x, i]) => `max(CASE WHEN __op <> 0 OR ${id(x)} IS NOT NULL THEN __rank END) OVER (PARTITION BY ${part} ORDER BY __rank ROWS UNBOUNDED PRECEDING) AS __g${i}`);
  if (groups.length) ctes.push(`sup AS (\n  SELECT *, ${groups.join(',\n    ')}\n  FROM ranked\n)`);
  const stateCols = nonKey.map((x) => (gi.has(x) ? `first_value(${supplied(x)}) OVER (PARTITION BY ${part}, __g${gi.get(x)} ORDER BY __rank) AS ${id(x)}` : `${supplied(x)} AS ${id(x)}`));
  ctes.push(`state AS (\n  SELECT ${[...keys, '__seq', '__rank', '__op', ...stateCols].join(',\n    ')}\n  FROM ${groups.length ? 'sup' : 'ranked'}\n)`);
  // … after each sequence (its last event) …
  ctes.push(`perseq AS (\n  SELECT * FROM state\n  QUALIFY row_number() OVER (PARTITION BY ${part}, __seq ORDER BY __rank DESC) = 1\n)`);
  // … in islands: a version starts where the row exists and the previous did not, or a tracked column differs
  const lags = spec.tracked.map((x, i) => `lag(${id(x)}) OVER w AS __p${i}`);
  const differs = spec.tracked.map((x, i) => `${id(x)} IS DISTINCT FROM __p${i}`);
  ctes.push(`marked AS (\n  SELECT *, ${['lag(__op) OVER w AS __prev_op', ...lags].join(', ')}\n  FROM perseq\n  WINDOW w AS (PARTITION BY ${part} ORDER BY __seq)\n)`);
  ctes.push(`starts AS (\n  SELECT *, CASE WHEN __op = 0 AND (${['__prev_op IS NULL', '__prev_op <> 0', ...differs].join(' OR ')}) THEN 1 ELSE 0 END AS __start\n  FROM marked\n)`);
  ctes.push(`islands AS (\n  SELECT *, sum(__start) OVER (PARTITION BY ${part} ORDER BY __seq ROWS UNBOUNDED PRECEDING) AS __island, lead(__seq) OVER (PARTITION BY ${part} ORDER BY __seq) AS __next\n  FROM starts\n)`);
  const items = out.map((n) => (spec.keys.includes(n) ? id(n)
    : n === SCD2_START_COLUMN ? `min(__seq) AS ${id(n)}`
      : n === SCD2_END_COLUMN ? `first(__next ORDER BY __seq DESC) AS ${id(n)}`
        : `first(${id(n)} ORDER BY __seq DESC) AS ${id(n)}`));
  return `WITH ${ctes.join(',\n')}\nSELECT ${items.join(',\n       ')}\nFROM islands\nWHERE __op = 0\nGROUP BY ${part}, __island`;
}

/** The statements of a flow (Databricks, Spark 4.1); a flow the target does not have becomes a comment. */
export function flowStatements(u: CompiledFlowUnit, d: Dialect): string[] {
  const id = (n: string) => d.ident(n);
  const head = `CREATE FLOW ${id(u.name)}${u.comment ? ` COMMENT ${d.str(u.comment)}` : ''} AS`;
  if (u.omitted) return [`-- flow ${u.name} into ${u.target} is left out: ${u.omitted} (see portability.md).`];
  if (u.kind === 'append') return [`${head}\nINSERT ${u.once ? 'ONCE ' : ''}INTO ${id(u.target)} BY NAME\n${u.sql};`];
  const c = u.cdc!;
  const out: string[] = [];
  let source = u.source;
  if (!source) {
    const view = `${u.name}_feed`;
    out.push(`-- the change feed of flow ${u.name}\nCREATE TEMPORARY VIEW ${id(view)}\nAS\n${u.sql};`);
    source = d.tableRef(view, true);
  }
  const lines = [`${head} AUTO CDC ${u.once ? 'ONCE ' : ''}INTO ${id(u.target)}`, `FROM ${u.once ? source.replace(/^STREAM\((.*)\)$/, '$1') : source}`, `KEYS (${c.keys.map(id).join(', ')})`];
  if (c.ignoreNullUpdates === true) lines.push('IGNORE NULL UPDATES');
  else if (Array.isArray(c.ignoreNullUpdates) && c.ignoreNullUpdates.length) lines.push(`IGNORE NULL UPDATES ON ${c.ignoreNullUpdates.map(id).join(', ')}`);
  if (c.deletes) lines.push(`APPLY AS DELETE WHEN ${c.deletes}`);
  if (c.truncates) lines.push(`APPLY AS TRUNCATE WHEN ${c.truncates}`);
  lines.push(`SEQUENCE BY ${c.sequence}`);
  if (c.columns) lines.push(`COLUMNS ${c.columns.map(id).join(', ')}`);
  else if (c.exceptColumns?.length) lines.push(`COLUMNS * EXCEPT (${c.exceptColumns.map(id).join(', ')})`);
  lines.push(`STORED AS SCD TYPE ${c.storedAs}`);
  if (c.storedAs === 2) {
    if (c.trackHistory) lines.push(`TRACK HISTORY ON ${c.trackHistory.map(id).join(', ')}`);
    else if (c.trackHistoryExcept?.length) lines.push(`TRACK HISTORY ON * EXCEPT (${c.trackHistoryExcept.map(id).join(', ')})`);
  }
  out.push(lines.join('\n') + ';');
  return out;
}
