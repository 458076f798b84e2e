/**
 * The function reference (docs/functions.md), generated from the registries:
 * every scalar function and operator by family, then the aggregates, with
 * its signature, an example, its NULL behaviour and its support in each SQL
 * dialect. `npm run docs` rewrites the file; a test fails when it is stale.
 */
import { allFunctions, FAMILIES, supportIn, type ScalarFunction } from './registry.js';
import { aggregateSupport, allAggregates, type AggregateDef } from './aggregates.js';
import { allWindowFunctions, type WindowFunctionDef } from './window.js';
import { allGenerators } from './generators.js';
import type { DialectName } from '../sql/dialect.js';
import './index.js';

const DIALECTS: readonly [DialectName, string][] = [['databricks', 'Databricks'], ['spark', 'Spark 4.1'], ['duckdb', 'DuckDB']];

/** Syntax that is not a function call but belongs with the functions. */
const SYNTAX: readonly { readonly form: string; readonly what: string }[] = [
  { form: 'CASE WHEN cond THEN v [WHEN …] [ELSE v] END', what: 'searched CASE: the first branch whose condition is TRUE; NULL without ELSE' },
  { form: 'CASE x WHEN v1 THEN r1 [WHEN …] [ELSE r] END', what: 'simple CASE: compares x with each WHEN value (=; a NULL x matches nothing)' },
  { form: 'CAST(x AS type)', what: "Spark's conversion, in the session time zone. ANSI off: a value that does not convert is NULL, '1.9' is the INT 1, integers wrap around when narrowed, doubles saturate, a DECIMAL below 1E-6 is written as 1E-8. ANSI on: CAST_INVALID_INPUT (malformed text), CAST_OVERFLOW, NUMERIC_VALUE_OUT_OF_RANGE (a decimal beyond its precision). Text: integers trimmed; doubles in Java syntax with inf/nan; booleans t/true/y/yes/1 and f/false/n/no/0; dates yyyy, yyyy-m, yyyy-m-d followed by nothing, a space or T; timestamps with an optional zone (Z, +01:00, UTC+1, Europe/Paris). Pairs Spark rejects (a number to a DATE; in ANSI mode a DATE to a number) are TYPE_MISMATCH" },
  { form: 'TRY_CAST(x AS type)', what: "the ANSI rules ('1.9' does not convert to INT, no wrap-around), with NULL instead of each failure, whatever the ANSI mode" },
  { form: 'x::type', what: 'CAST (the Databricks spelling; the compiler writes CAST for every target)' },
  { form: "INTERVAL 1 DAY, INTERVAL '10' MINUTES, INTERVAL '1 2:03' DAY TO MINUTE", what: 'interval literals (day-time or year-month), for ts ± INTERVAL' },
  { form: "DATE 'yyyy-MM-dd', TIMESTAMP 'yyyy-MM-dd HH:mm:ss'", what: 'typed literals' },
  { form: 'x -> expr, (x, y) -> expr', what: 'lambdas, the function arguments of filter, transform, exists, map_filter, …' },
  { form: 'agg(…) FILTER (WHERE cond)', what: 'aggregates only the rows where cond is TRUE (any aggregate)' },
  { form: 'fn(…) OVER (PARTITION BY … ORDER BY … [ROWS|RANGE BETWEEN … AND …])', what: 'a window function or any aggregate over a window (materialized views); Spark\'s default frame: RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW with ORDER BY, the whole partition without' },
  { form: 'fn(…) IGNORE NULLS OVER (…)', what: 'lag, lead, first_value, last_value, nth_value skip NULL values' },
];

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function support(f: ScalarFunction, d: DialectName): string {
  const s = supportIn(f, d);
  if (s.kind === 'exact') return 'yes';
  if (s.kind === 'approx') return `approx.: ${s.note}`;
  return `no: ${s.note}`;
}

function aggSupport(a: AggregateDef, d: DialectName): string {
  const s = aggregateSupport(a, d);
  return s.kind === 'exact' ? 'yes' : s.kind === 'approx' ? `approx.: ${s.note}` : `no: ${s.note}`;
}

function windowSupport(w: WindowFunctionDef, d: DialectName): string {
  const s = w.sql[d] ?? w.sql.default;
  if (s === undefined) return 'no';
  if (typeof s === 'object' && 'unsupported' in s) return `no: ${s.unsupported}`;
  return 'yes';
}

function code(s: string): string {
  return '`' + s.replace(/`/g, "'") + '`';
}

/** The reference as Markdown. */
export function functionReference(): string {
  const fns = allFunctions();
  const aggs = allAggregates();
  const lines: string[] = [
    '# Function reference',
    '',
    '<!-- Generated from the function registry (engine/functions/) by `npm run docs`. Do not edit. -->',
    '',
    `${fns.length} scalar functions and operators, ${aggs.length} aggregates, ${allWindowFunctions().length} window functions and ${allGenerators().length} generators, with Spark 4.1 semantics in the session`,
    'time zone. `spark.sql.ansi.enabled` is a pipeline setting (`ansi`): on, an invalid cast, an overflow or a',
    'division by zero fails the flow with a coded error naming the function, the table and the row; off, they',
    'give NULL. SQL pipelines default to on (as Spark 4), TypeScript pipelines to off.',
    '',
    'Every function is reachable from TypeScript as `fn(name, ...args)`; the common ones also have builders.',
    'NULLs: "propagates" means the result is NULL whenever an argument is NULL.',
    'Dialects: "yes" is exact; "approx." says what differs at the edges (the portability report lists each',
    'use); "no" says why (compiling a pipeline that uses it to that target is a NON_PORTABLE_EXPRESSION error).',
    '',
    '## Syntax',
    '',
    '| form | meaning |',
    '|---|---|',
    ...SYNTAX.map((s) => `| ${code(s.form)} | ${cell(s.what)} |`),
    '',
  ];
  for (const { family, title } of FAMILIES) {
    const list = fns.filter((f) => f.family === family);
    if (list.length === 0) continue;
    lines.push(`## ${title}`, '', '| function | example | NULLs | ' + DIALECTS.map(([, t]) => t).join(' | ') + ' |', '|---|---|---|' + DIALECTS.map(() => '---').join('|') + '|');
    for (const f of list) {
      const names = [f.name, ...(f.aliases ?? [])].map(code).join(', ');
      const ex = f.examples[0] ? `${code(f.examples[0].sql)} → ${code(f.examples[0].result)}` : '';
      const desc = `${code(f.signature)}<br>${cell(f.summary)}${f.notes ? ` ${cell(f.notes)}` : ''}${f.aliases?.length ? `<br>names: ${names}` : ''}`;
      lines.push(`| ${desc} | ${ex} | ${f.nulls === 'propagate' ? 'propagates' : 'custom'} | ${DIALECTS.map(([d]) => cell(support(f, d))).join(' | ')} |`);
    }
    lines.push('');
  }
  lines.push('## Aggregates', '', 'Incremental: maintained from each new row (init / add / remove / value) with bounded state per group. Holistic: keeps the group\'s values (bounded per group, spilled like key tables).', '');
  lines.push('| aggregate | example | maintained | DISTINCT | ' + DIALECTS.map(([, t]) => t).join(' | ') + ' |', '|---|---|---|---|' + DIALECTS.map(() => '---').join('|') + '|');
  for (const a of aggs) {
    const names = [a.name, ...(a.aliases ?? [])].map(code).join(', ');
    const ex = a.examples[0] ? `${code(a.examples[0].sql)} → ${code(a.examples[0].result)}` : '';
    lines.push(`| ${code(a.signature)}<br>${cell(a.summary)}${a.notes ? ` ${cell(a.notes)}` : ''}${a.aliases?.length ? `<br>names: ${names}` : ''} | ${ex} | ${a.incremental ? 'incremental' : 'holistic'} | ${a.distinct === 'no' ? 'no' : 'yes'} | ${DIALECTS.map(([d]) => cell(aggSupport(a, d))).join(' | ')} |`);
  }
  lines.push('');
  const wins = allWindowFunctions();
  lines.push('## Window functions', '',
    '`fn(…) OVER (PARTITION BY … ORDER BY … frame)` in a materialized view (on a stream, Spark allows only event-time windows). Ranking and offset functions need ORDER BY and take no frame; value functions read the frame. Every aggregate above can be used OVER a window too (without DISTINCT or FILTER); sliding ROWS frames use the aggregate\'s add and remove. Rows tied on the ORDER BY keys keep their input order in the engine (a target may order them otherwise: the portability report says where it matters).', '');
  lines.push('| function | kind | example | ' + DIALECTS.map(([, t]) => t).join(' | ') + ' |', '|---|---|---|' + DIALECTS.map(() => '---').join('|') + '|');
  for (const w of wins) {
    const ex = w.examples[0] ? `${code(w.examples[0].sql)} → ${code(w.examples[0].result)}` : '';
    lines.push(`| ${code(w.signature)}<br>${cell(w.summary)} | ${w.kind} | ${ex} | ${DIALECTS.map(([d]) => cell(windowSupport(w, d))).join(' | ')} |`);
  }
  lines.push('');
  lines.push('## Generators', '', 'A generator is a whole item of a SELECT list (`SELECT id, explode(tags) AS tag`) or a `LATERAL VIEW`; in TypeScript `rel.explode(col, { as, outer, position })` or `select({ tag: explode(\'tags\') })`. Every dialect spells them (DuckDB with `unnest`).', '');
  lines.push('| generator | example | columns |', '|---|---|---|');
  for (const g of allGenerators()) {
    const ex = g.examples[0] ? `${code(g.examples[0].sql)} → ${code(g.examples[0].result)}` : '';
    lines.push(`| ${code(g.signature)}<br>${cell(g.summary)} | ${ex} | ${g.position ? '`pos`, ' : ''}\`col\` (array) or \`key\`, \`value\` (map) |`);
  }
  lines.push('');
  return lines.join('\n');
}
