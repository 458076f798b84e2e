import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(':memory:', { threads: '1' });
const c = await inst.connect();
async function q(sql) { try { const r = await c.runAndReadAll(sql); console.log(JSON.stringify(r.getRowObjectsJson(), null, 0).replace(/\},\{/g, '},\n{')); } catch (e) { console.log('ERR', e.message); } }
const cols = Array.from({length: 12}, (_, i) => `'c${i}': 'VARCHAR'`).join(', ');
await q(`SELECT filename, * FROM read_csv('test/fixtures/dirty/patients_daily_file_*.csv', header=false, columns={${cols}}, null_padding=true, filename=true, quote='"', escape='"', delim=',', strict_mode=false, auto_detect=false)`);
