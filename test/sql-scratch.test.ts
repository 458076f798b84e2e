import { test } from 'vitest';
import { SparkSQL } from 'dt-sql-parser';
test('x', () => {
const p = new SparkSQL();
for (const q of [
 "SELECT window(a, '1 day').start AS window_start, count(*) FROM x GROUP BY window(a, '1 day')",
 "SELECT trim(BOTH ' \\t' FROM x) FROM STREAM(y)",
 "SELECT filter(array(CASE WHEN NOT coalesce(a,false) THEN 'r1' END), x -> x IS NOT NULL) AS f FROM t",
 "SELECT * FROM STREAM read_files('/a/*.csv', format => 'csv', header => true)",
 "SELECT * FROM read_files('/a/*.csv', format => 'csv', header => true)",
 "SELECT _metadata.file_name AS _source_file, try_cast(a AS INT), current_timestamp() FROM t",
 "SELECT * FROM STREAM(t) WATERMARK ts DELAY OF INTERVAL 10 MINUTES AS s",
 "SELECT a FROM b WHERE c RLIKE '^[+-]?[0-9]+$' AND d IS NOT NULL",
 "SELECT to_json(map_from_entries(filter(array(named_struct('k','a','v',x)), e -> e.v IS NOT NULL))) FROM t",
 "SELECT `a b` FROM `t`",
 "SELECT l.*, r.x FROM STREAM(a) AS l LEFT JOIN b AS r ON l.k = r.k",
 "SELECT * FROM (SELECT * FROM a) AS s QUALIFY row_number() OVER (PARTITION BY a ORDER BY b) = 1",
 "SELEC broken",
]) console.log(JSON.stringify(p.validate(q).map(e=>e.message)), q.slice(0,70));
});
