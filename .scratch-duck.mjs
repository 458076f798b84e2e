import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(':memory:', { threads: '1' });
const c = await inst.connect();
await c.run(`SET TimeZone='UTC'`);
async function q(sql) { try { const r = await c.runAndReadAll(sql); console.log(JSON.stringify(r.getRowObjectsJson(), null, 0)); } catch (e) { console.log('ERR', e.message.split('\n').slice(0,3).join(' | ')); } }
for (const v of ['2024-01-01T10:00+02:00','2024-01-01T10:00:00+02:00','2024-01-01 10:00Z','2024-01-01 10:00:00Z','2024-01-01T10:00','2024-01-01','2024-01-01 24:00','2024-01-01 10:60','2024-01-01 10:00:60','2024-01-01 10:00:00.5-05:30', '2024-01-01 10:00:00.1234567', '2024-01-01T23:59:59.9999999Z'])
  await q(`SELECT '${v}' AS v, TRY_CAST('${v}' AS TIMESTAMPTZ)::TIMESTAMP AS tz, TRY_CAST('${v}' AS TIMESTAMP) AS ts`);
