/** Conformance: coalesce, if/iff, nvl, nvl2, nullif, ifnull, greatest, least and CASE (simple and searched). */
import { conformance, type Case } from './harness.js';

const cases: Case[] = [
  { sql: 'coalesce(NULL, 1, NULL)', expect: 1, type: 'int' },
  { sql: 'coalesce(NULL, NULL)', expect: null },
  { sql: 'coalesce(1, 2L)', expect: 1, type: 'bigint' },
  { sql: 'coalesce(x, y, 0)', input: { schema: { x: 'int', y: 'int' }, rows: [{ x: null, y: 5 }, { x: 3, y: 5 }, { x: null, y: null }] }, expectRows: [5, 3, 0] },
  { sql: "if(1 < 2, 'a', 'b')", expect: 'a', type: 'string' },
  { sql: "if(NULL, 'a', 'b')", expect: 'b' },
  { sql: "iff(1 > 2, 'a', 'b')", expect: 'b' },
  { sql: 'nvl(NULL, 2)', expect: 2 },
  { sql: 'ifnull(1, 2)', expect: 1 },
  { sql: 'nvl2(NULL, 2, 1)', expect: 1 },
  { sql: 'nvl2(0, 2, 1)', expect: 2 },
  { sql: 'nullif(2, 2)', expect: null },
  { sql: 'nullif(2, 3)', expect: 2 },
  { sql: 'greatest(10, 9, 2, 4, 3)', expect: 10 },
  { sql: 'least(10, 9, 2, 4, 3)', expect: 2 },
  { sql: 'greatest(1, NULL, 3)', expect: 3 },
  { sql: 'least(NULL, NULL)', expect: null },
  { sql: "greatest('b', 'a', 'c')", expect: 'c' },
  { sql: 'greatest(1, 2.5)', expect: '2.5', type: 'decimal(11,1)' },
  { sql: "CASE WHEN 1 > 0 THEN 'pos' WHEN 1 < 0 THEN 'neg' ELSE 'zero' END", expect: 'pos' },
  { sql: "CASE WHEN 1 < 0 THEN 'neg' END", expect: null },
  { sql: "CASE x WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END", input: { schema: { x: 'int' }, rows: [{ x: 1 }, { x: 2 }, { x: 7 }, { x: null }] }, expectRows: ['one', 'two', 'many', 'many'] },
  { sql: 'CASE WHEN x > 1 THEN 1 ELSE 2.5 END', input: { schema: { x: 'int' }, rows: [{ x: 5 }, { x: 0 }] }, expectRows: ['1.0', '2.5'], type: 'decimal(11,1)' },
];

conformance('conditional', cases);
