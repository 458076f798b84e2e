/**
 * `input_file_name()`: the file the row was read from, as Spark's (the
 * `_metadata.file_path` of a file source, a `file:` URI). Evaluated over the
 * rows of a file source (`read_files`, `cloud_files`, `readFiles`) or over
 * rows that still carry its `_metadata` column, it is that column's
 * `file_path` (the evaluator reads it: see `engine/expr/eval.ts`); anywhere
 * else it is the empty string, as Spark's is outside a file scan.
 */
import { constantStringColumn } from '../column/string-column.js';
import { register, type ScalarFunction } from './registry.js';

export const INPUT_FILE_NAME = 'input_file_name';

const inputFileName: ScalarFunction = {
  name: INPUT_FILE_NAME, family: 'misc', arity: [0, 0], signature: 'input_file_name()',
  summary: 'The file the row was read from (`_metadata.file_path` of a file source, a `file:` URI); the empty string when the rows do not come from a file source.',
  examples: [{ sql: 'input_file_name()', result: 'file:/data/in/patients_001.csv' }],
  nulls: 'custom', type: () => ({ returns: 'string' }),
  kernel: (_args, ctx) => constantStringColumn('', ctx.n),
  sql: {
    default: 'input_file_name()',
    duckdb: { unsupported: 'DuckDB has no input_file_name(); select _metadata.file_path of the file source instead' },
  },
  text: () => 'input_file_name()',
};

register([inputFileName]);
