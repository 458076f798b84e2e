import { DuckDBInstance } from '@duckdb/node-api';
const db = await DuckDBInstance.create(':memory:'); const c = await db.connect();
for (const t of process.argv.slice(3)) {
  const r = await c.runAndReadAll(`select count(*) n from read_parquet('${process.argv[2]}/tables/${t}/*.parquet')`);
  console.log(t, r.getRows()[0][0]);
}
