/**
 * The relational operators compiled for Databricks and Spark 4.1: every query
 * body and expression parses with the Spark SQL grammar (dt-sql-parser), the
 * Python flows that hold them are valid Python, and the forms are Spark's
 * (LEFT SEMI JOIN, IGNORE NULLS, explode(…) AS (a, b), VALUES … AS v(a, b),
 * LIMIT … OFFSET). Then the coded errors of what Spark rejects.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SparkSQL } from 'dt-sql-parser';
import { compilePipeline } from '../engine/sql/index.js';
import { buildGraph } from '../engine/graph/graph.js';
import {
  definePipeline, materializedView, streamingTable, view, readCsv, stream, read, col, lit, count, sum, avg, max, countDistinct,
  over, rowNumber, rank, denseRank, percentRank, cumeDist, ntile, lag, lead, firstValue, lastValue, nthValue, asc, desc, values, explode, planSelect, Rel,
  isPipelineError, type Pipeline,
} from '../engine/index.js';
import { fn } from '../engine/expr/builder.js';

let parser: SparkSQL;
beforeAll(() => { parser = new SparkSQL(); }, 60_000);

function errors(sql: string): string[] {
  return parser.validate(sql).map((e) => `${e.message} (line ${e.startLine}, column ${e.startColumn})`);
}

/** DLT-only syntax replaced by plain Spark SQL (as test/sql-parse.test.ts does). */
function toPlainSpark(sql: string): string {
  return sql
    .replace(/\bSTREAM (read_files\()/g, '$1')
    .replace(/\bSTREAM (\w+|`[^`]+`) WATERMARK \S+ DELAY OF INTERVAL \d+ \w+ AS (\w+)/g, '$1 AS $2')
    .replace(/\) WATERMARK \S+ DELAY OF INTERVAL \d+ \w+ AS (\w+)/g, ') AS $1');
}

function relationalPipeline(): Pipeline {
  const src = streamingTable('src', { query: readCsv({ glob: 'src_*.csv', schema: { id: 'int', k: 'string', v: 'int', t: 'timestamp', d: 'date', s: 'string' } }) });
  const ref = materializedView('ref', { query: values({ k: 'string', w: 'int', tags: 'array<string>', m: 'map<string,int>' }, [['a', 1, ['x'], { p: 1 }], [null, null, [], {}]]) });
  // a streaming flow with a dedup (Python on both targets) holding a conditional anti join, a generator and a union by name
  const flow = streamingTable('flow', {
    query: stream(src).dropDuplicates(['id'])
      .join(read(ref).select({ rk: 'k', w: 'w', tags: 'tags' }), (l, r) => l('k').eq(r('rk')).and(l('v').gt(r('w'))), 'left_anti')
      .join(read(ref).select({ rk2: 'k', tags: 'tags' }), (l, r) => l('k').eq(r('rk2')), 'left')
      .explode('tags', { as: 'tag', outer: true, position: true })
      .select('id', 'k', 'v', 'tag', 'pos')
      .unionByName(stream(src).select('id', 'k', 'v'), { allowMissingColumns: true }),
  });
  const firstSeen = streamingTable('first_seen', { query: stream(src).select('k', 'v').distinct() });
  const semi = streamingTable('semi', { query: stream(src).join(read(ref), 'k', 'left_semi') });
  const windows = materializedView('windows', {
    query: read(src).select({
      id: 'id',
      rn: over(rowNumber(), { partitionBy: 'k', orderBy: [desc('v'), 'id'] }),
      rk: over(rank(), { orderBy: 'v' }), drk: over(denseRank(), { orderBy: desc('v') }), pr: over(percentRank(), { orderBy: 'v' }), cd: over(cumeDist(), { orderBy: 'v' }), nt: over(ntile(4), { orderBy: 'id' }),
      lg: over(lag('v', 2, 0, { ignoreNulls: true }), { partitionBy: 'k', orderBy: 'id' }), ld: over(lead('s'), { orderBy: 'id' }),
      fv: over(firstValue('v', true), { partitionBy: 'k', orderBy: 'id', rows: [-2, 'currentRow'] }), lv: over(lastValue('v'), { partitionBy: 'k' }), nv: over(nthValue('v', 2, true), { orderBy: 'id' }),
      hour: over(count(), { orderBy: 't', range: [{ preceding: '1 hour' }, 'currentRow'] }), days: over(sum('v'), { orderBy: 'd', range: [-2, 0] }),
      mv: over(avg('v'), { partitionBy: 'k', orderBy: 'id', rows: [-1, 1] }), tot: over(sum('v'), { partitionBy: 'k' }),
    }),
  });
  const top = materializedView('top', { query: read(src).groupBy('k').agg({ n: count(), s: sum('v') }).having(countDistinct('v').expr().gt(1)).orderBy(desc('s'), asc('k')).limit(3) });
  const page = materializedView('page', { query: read(src).select('id', 'k').distinct().orderBy('id').offset(2).limit(5) });
  const joins = (['inner', 'left', 'right', 'full', 'left_semi', 'left_anti', 'cross'] as const).map((how) => materializedView(`j_${how}`, {
    query: how === 'cross' ? read(src).select('id').crossJoin(read(ref).select('w')) : (how === 'full' || how === 'right' ? read(src).join(read(ref), 'k', how) : read(src).join(read(ref).select({ rk: 'k', w: 'w' }), (l, r) => l('k').eq(r('rk')).and(l('v').ge(r('w'))), how)).select(...(how === 'left_semi' || how === 'left_anti' ? ['id'] : ['id', 'w'])),
  }));
  const unions = materializedView('unions', { query: read(src).select('id', 'k').union(read(ref).select({ w: 'w', k: 'k' })) });
  const exploded = materializedView('exploded', { query: read(ref).select({ k: 'k', e: explode(col('tags')) }).select('k', 'e') });
  const mapx = materializedView('mapx', { query: read(ref).explode('m', { as: ['mk', 'mv'] }).drop('m', 'tags') });
  const planned = materializedView('planned', {
    query: new Rel(planSelect(read(src).node, [
      { expr: col('k').node },
      { name: 'share', expr: fn('/', sum('v').expr(), over(sum(sum('v').expr()), {})).node },
    ], { groupBy: [col('k').node], qualify: over(rank(), { orderBy: desc(sum('v').expr()) }).le(2).node })),
  });
  const quals = view('quals', { query: read(src).qualify(over(rowNumber(), { partitionBy: 'k', orderBy: desc('t') }).eq(1)).withColumn('flag', lit(true)) });
  return definePipeline([src, ref, flow, firstSeen, semi, windows, top, page, ...joins, unions, exploded, mapx, planned, quals], { name: 'relational' });
}

describe.each(['databricks', 'spark'] as const)('%s: the relational forms parse as Spark SQL', (dialect) => {
  it('every query body and expression (SQL and Python flows)', () => {
    const c = compilePipeline(relationalPipeline(), { dialect, input: '/data/in' });
    expect(c.fragments.length).toBeGreaterThan(20);
    const bad: string[] = [];
    for (const f of c.fragments) {
      const errs = errors(toPlainSpark(f.sql));
      if (errs.length) bad.push(`${f.table} (${f.kind}): ${errs.join('; ')}\n${f.sql}`);
    }
    expect(bad).toEqual([]);
    const all = Object.values(c.files).join('\n');
    for (const form of ['LEFT SEMI JOIN', 'LEFT ANTI JOIN', 'FULL JOIN', 'RIGHT JOIN', 'CROSS JOIN', 'IGNORE NULLS', 'SELECT DISTINCT', 'LIMIT 3', 'OFFSET 2', 'AS (mk, mv)', 'explode(tags) AS e', 'AS v(k, w, tags, m)', 'RANGE BETWEEN INTERVAL 1 HOURS PRECEDING AND CURRENT ROW', 'ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING']) {
      expect(all, form).toContain(form);
    }
  }, 120_000);

  it('the Python flows are valid Python and use the DataFrame forms (when a python3 is installed)', () => {
    const c = compilePipeline(relationalPipeline(), { dialect, input: '/data/in' });
    const py = Object.entries(c.files).filter(([f]) => f.endsWith('.py'));
    const flow = py.find(([, t]) => t.includes('name="flow"'))![1];
    expect(flow).toContain('"left_anti")');
    expect(flow).toContain('.unionByName(');
    expect(flow).toContain('posexplode_outer(tags) AS (pos, tag)');
    expect(py.find(([, t]) => t.includes('name="first_seen"'))![1]).toContain('.dropDuplicates()');
    let python: string | null = null;
    for (const p of ['python3', 'python']) { try { execFileSync(p, ['--version'], { stdio: 'ignore' }); python = p; break; } catch { /* none */ } }
    if (!python) return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'localdlt-relpy-'));
    try {
      for (const [name, text] of py) {
        const f = path.join(dir, name.replace(/\//g, '_'));
        fs.writeFileSync(f, text);
        execFileSync(python, ['-c', 'import ast,sys; ast.parse(open(sys.argv[1]).read())', f]);
      }
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  }, 120_000);
});

// ---------------------------------------------------------------- coded errors

function code(f: () => unknown): string {
  try { f(); } catch (e) { if (isPipelineError(e)) return e.code; throw e; }
  return 'no error';
}

describe('what Spark rejects is a coded error naming the table', () => {
  const csv = streamingTable('s', { query: readCsv({ glob: 's_*.csv', schema: { k: 'string', v: 'int' } }) });
  const ref = materializedView('r', { query: values({ k: 'string', w: 'int', m: 'map<string,int>' }, [['a', 1, {}]]) });
  const graph = (...ds: Parameters<typeof definePipeline>[0]) => () => buildGraph(definePipeline([csv, ref, ...ds], { name: 'e' }));

  it.each([
    ['ORDER BY on a stream', () => streamingTable('t', { query: stream(csv).orderBy('v') }), 'UNSUPPORTED_STREAMING_OPERATION'],
    ['LIMIT on a stream', () => streamingTable('t', { query: stream(csv).limit(3) }), 'UNSUPPORTED_STREAMING_OPERATION'],
    ['a window function on a stream', () => streamingTable('t', { query: stream(csv).select({ rn: over(rowNumber(), { orderBy: 'v' }) }) }), 'UNSUPPORTED_STREAMING_OPERATION'],
    ['a union of a stream and a snapshot', () => streamingTable('t', { query: stream(csv).select('k').union(read(ref).select('k')) }), 'UNSUPPORTED_STREAMING_OPERATION'],
    ['a right join of a stream', () => streamingTable('t', { query: stream(csv).join(read(ref), 'k', 'right') }), 'UNSUPPORTED_STREAMING_JOIN'],
    ['a full join of a stream', () => streamingTable('t', { query: stream(csv).join(read(ref), 'k', 'full') }), 'UNSUPPORTED_STREAMING_JOIN'],
    ['a cross join of a stream', () => streamingTable('t', { query: stream(csv).crossJoin(read(ref).select('w')) }), 'UNSUPPORTED_STREAMING_JOIN'],
    ['a stream on the right', () => streamingTable('t', { query: read(ref).join(stream(csv), 'k', 'inner') }), 'UNSUPPORTED_STREAMING_JOIN'],
    ['a join of two streams', () => streamingTable('t', { query: stream(csv).join(stream(csv).select({ k: 'k', w: 'v' }), 'k') }), 'UNSUPPORTED_STREAM_STREAM_JOIN'],
  ])('%s', (_label, make, expected) => {
    expect(code(graph(make()))).toBe(expected);
  });

  it('stream–snapshot inner, left, left semi and left anti joins are accepted', () => {
    for (const how of ['inner', 'left', 'left_semi', 'left_anti'] as const) expect(code(graph(streamingTable('t', { query: stream(csv).join(read(ref).select({ rk: 'k', w: 'w' }), (l, r) => l('k').eq(r('rk')).and(l('v').lt(r('w'))), how) })))).toBe('no error');
  });

  const mv = (q: () => Rel) => () => buildGraph(definePipeline([csv, ref, materializedView('t', { query: q() })], { name: 'e' }));
  it.each([
    ['row_number() without ORDER BY', () => read(csv).select({ r: over(rowNumber(), { partitionBy: 'k' }) }), 'WINDOW_ORDER_REQUIRED'],
    ['lag() without ORDER BY', () => read(csv).select({ r: over(lag('v'), {}) }), 'WINDOW_ORDER_REQUIRED'],
    ['a frame on rank()', () => read(csv).select({ r: over(rank(), { orderBy: 'v', rows: [-1, 0] }) }), 'WINDOW_FRAME_NOT_ALLOWED'],
    ['a RANGE offset over two ORDER BY keys', () => read(csv).select({ r: over(sum('v'), { orderBy: ['v', 'k'], range: [-1, 0] }) }), 'INVALID_WINDOW_FRAME'],
    ['a RANGE offset over a string key', () => read(csv).select({ r: over(sum('v'), { orderBy: 'k', range: [-1, 0] }) }), 'INVALID_WINDOW_FRAME'],
    ['a frame ending before it starts', () => read(csv).select({ r: over(sum('v'), { orderBy: 'v', rows: [2, -1] }) }), 'INVALID_WINDOW_FRAME'],
    ['a window aggregate with DISTINCT', () => read(csv).select({ r: over(countDistinct('v'), {}) }), 'UNSUPPORTED_WINDOW_FUNCTION'],
    ['a window function without OVER', () => read(csv).select({ r: rowNumber() }), 'MISPLACED_WINDOW_FUNCTION'],
    ['ntile(0)', () => read(csv).select({ r: over(ntile(0), { orderBy: 'v' }) }), 'TYPE_MISMATCH'],
    ['a column neither grouped nor aggregated', () => read(csv).select({ k: 'k', n: count() }), 'MISSING_AGGREGATION'],
    ['a generator inside an expression', () => read(ref).select({ x: fn('concat', explode(col('m')), 'x') }), 'MISPLACED_GENERATOR'],
    ['one name for the two columns of a map', () => read(ref).explode('m', { as: 'x' }), 'GENERATOR_ALIAS_COUNT'],
    ['an ambiguous column in a join condition', () => read(csv).join(read(ref), col('k').eq('a'), 'inner'), 'AMBIGUOUS_COLUMN'],
    ['a union of 2 and 1 columns', () => read(csv).select('k', 'v').union(read(ref).select('k')), 'UNION_SCHEMA_MISMATCH'],
    ['a union by name with a missing column', () => read(csv).select('k', 'v').unionByName(read(ref).select('k')), 'UNION_SCHEMA_MISMATCH'],
    ['a union of columns without a common type', () => read(csv).select('v').union(read(ref).select('m')), 'UNION_SCHEMA_MISMATCH'],
    ['a negative LIMIT', () => read(csv).limit(-1), 'INVALID_LIMIT'],
    ['ORDER BY a map', () => read(ref).orderBy('m'), 'TYPE_MISMATCH'],
  ])('%s', (_label, q, expected) => {
    expect(code(mv(q))).toBe(expected);
  });

  it('having() needs an aggregate before it', () => {
    expect(code(() => read(csv).having(count().expr().gt(1)))).toBe('HAVING_WITHOUT_AGGREGATE');
  });

  it('errors name the table', () => {
    try { graph(streamingTable('sorted', { query: stream(csv).orderBy('v') }))(); } catch (e) {
      expect(isPipelineError(e) && e.params.table).toBe('sorted');
      return;
    }
    throw new Error('no error');
  });

  it('the same definitions compile without error to DuckDB', () => {
    const c = compilePipeline(relationalPipeline(), { dialect: 'duckdb', input: '/data/in' });
    expect(c.report.some((i) => i.code === 'WINDOW_TIE_ORDER' && i.condition)).toBe(true);
    expect(c.report.some((i) => i.code === 'LIMIT_TIES' && i.table === 'top')).toBe(true);
    void max;
  });
});
