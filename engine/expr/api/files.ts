/**
 * The option-driven file source: `readFiles({ glob, format, options })` reads
 * CSV or newline-delimited JSON with Spark's reader options, as a SQL
 * `read_files(...)` / `cloud_files(...)` does on Databricks. Streaming
 * (`STREAM read_files`) or snapshot follows the dataset that reads it, as for
 * `readCsv`.
 *
 * ```ts
 * streamingTable('raw_visits', {
 *   query: readFiles({ glob: 'visits_*.csv', format: 'csv', options: { header: 'true' } }),
 * });
 * ```
 */
import { Rel } from '../builder.js';
import { resolveFileSource, type FileSourceSpec } from '../../sources/file-options.js';

export type ReadFilesOptions = FileSourceSpec;

/**
 * A file source with Spark's CSV / JSON reader semantics. Without `schema`,
 * the columns are inferred from the first file in name order when the
 * pipeline first starts (`read_files` infers int/bigint/double/boolean/date/
 * timestamp/string; `cloud_files` reads CSV columns as STRING unless
 * `inferTypes` / `cloudFiles.inferColumnTypes`), then fixed in the checkpoint.
 */
export function readFiles(spec: ReadFilesOptions): Rel {
  return new Rel(Object.freeze({ kind: 'files', options: resolveFileSource(spec) }));
}
