import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(':memory:', { threads: '1' });
const c = await inst.connect();
await c.run(`SET TimeZone='UTC'`);
async function q(sql) { try { const r = await c.runAndReadAll(sql); console.log(JSON.stringify(r.getRowObjectsJson(), null, 0)); } catch (e) { console.log('ERR', e.message.split('\n').slice(0,3).join(' | ')); } }
await q(`SELECT 1/0 AS a, 5 % 0 AS b, 5.5 % 0 AS c, 7/2 AS d, typeof(7/2) AS e, typeof(2::INTEGER + 3::INTEGER) AS f, -7 % 3 AS g, typeof(length('abc')) AS h, length('Zoë') AS i, CAST(2.5 AS INTEGER) AS j, CAST(true AS VARCHAR) k, CAST(['a','b'] AS VARCHAR) l, CAST(TIMESTAMP '2024-01-01 10:00:00.5' AS VARCHAR) m, trim('  a  ') n`);
await q(`SELECT regexp_replace(upper('2024-01-01t10:00z'), '^(.{10})[T ]([0-9]{2}:[0-9]{2})([Z+-]|$)', '\\1 \\2:00\\3') AS r, TRY_CAST(regexp_replace(upper('2024-01-01t10:00+02:00'), '^(.{10})[T ]([0-9]{2}:[0-9]{2})([Z+-]|$)', '\\1 \\2:00\\3') AS TIMESTAMPTZ)::TIMESTAMP AS s`);
await q(`SELECT x, [1,2,3][2:1] AS e, list_transform([1,2], lambda i: i + x) AS cap FROM (SELECT 10 AS x)`);
await q(`SELECT count(*) FROM range(0,3) AS w(k)`);
await q(`CREATE TABLE t1 AS SELECT 1 AS a; COMMENT ON TABLE t1 IS 'hello ''x'''; SELECT comment FROM duckdb_tables() WHERE table_name = 't1'`);
await q(`SELECT upper('ß') a, length('👍') b, lower('İ') c`);
