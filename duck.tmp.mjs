import { DuckDBInstance } from '@duckdb/node-api';
const db = await DuckDBInstance.create(); const c = await db.connect();
const r = await c.runAndReadAll(process.argv[2]);
console.log(JSON.stringify(r.getRowObjects(), (k,v)=>typeof v==='bigint'?Number(v):v));
