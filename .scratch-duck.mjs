import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(':memory:', { threads: '1' });
const c = await inst.connect();
async function q(sql) { try { const r = await c.runAndReadAll(sql); console.log(JSON.stringify(r.getRowObjectsJson(), null, 0)); } catch (e) { console.log('ERR', e.message.split('\n').slice(0,3).join(' | ')); } }
const opts = `header=false, auto_detect=false, columns={'c0':'VARCHAR','c1':'VARCHAR'}, delim=',', quote='"', escape='"', null_padding=true, strict_mode=false, filename=true`;
for (const pat of ['/tmp/nothing_*.csv', '/tmp/dk/t*.csv']) {
await q(`SET VARIABLE f = (SELECT coalesce(list(file ORDER BY file), []) FROM glob('${pat}'))`);
await q(`SELECT * FROM query(CASE WHEN len(getvariable('f')) = 0 THEN 'SELECT NULL::VARCHAR AS c0, NULL::VARCHAR AS c1, NULL::VARCHAR AS filename WHERE false' ELSE 'SELECT * FROM read_csv(getvariable(''f''), ${opts.replace(/'/g, "''")})' END)`);
}
await q(`SELECT * FROM read_csv(['/tmp/dk/t1.csv'], ${opts}) UNION ALL SELECT NULL, NULL, NULL WHERE false`);
