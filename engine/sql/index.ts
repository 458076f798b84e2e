/**
 * Compiling a pipeline to SQL:
 *
 * ```ts
 * const { files, report } = compilePipeline(patientPipeline, { dialect: 'databricks', input: '/Volumes/main/raw/patients' });
 * ```
 *
 * - `databricks`: a SQL notebook (`<pipeline>.sql`), Python files for flows
 *   without a SQL form, `databricks.yml` (Asset Bundle), `portability.md`;
 * - `spark`: an Apache Spark 4.1 Declarative Pipelines project
 *   (`spark-pipeline.yml`, `transformations/*.sql|*.py`), `portability.md`;
 * - `duckdb`: one batch script (`<pipeline>.sql`), `portability.md`.
 *
 * `report` lists every construct that was lowered, emitted as Python, or that
 * the target cannot reproduce exactly. With `partial`, a dataset that cannot be
 * compiled (e.g. a `udf` without SQL) is reported and the others still compile;
 * without it the coded error is thrown.
 */
import type { Pipeline } from '../dataset.js';
import { UnsupportedError } from '../errors.js';
import { PipelineCompiler, type CompiledDataset } from './compiler.js';
import { databricks } from './databricks.js';
import { DIALECT_NAMES, type Dialect, type DialectName } from './dialect.js';
import { duckdb } from './duckdb.js';
import type { PortabilityIssue } from './report.js';
import { spark } from './spark.js';

export type { DialectName, Dialect } from './dialect.js';
export { DIALECT_NAMES } from './dialect.js';
export type { PortabilityIssue, IssueTreatment } from './report.js';
export { nonReproducibleColumns, reportMarkdown, reportText } from './report.js';
export type { CompiledDataset } from './compiler.js';

export const DIALECTS: Readonly<Record<DialectName, Dialect>> = { databricks, spark, duckdb };

export interface CompileSqlOptions {
  dialect: DialectName;
  /** The folder the CSV sources are read from (default: the pipeline's configured input, else `incoming`). */
  input?: string;
  /** Compile the datasets that can be; report the others instead of throwing. */
  partial?: boolean;
}

export interface CompiledSql {
  /** Path relative to the output folder → content. */
  files: Record<string, string>;
  report: PortabilityIssue[];
  /** The files to print when no output folder is given. */
  main: string[];
  /** Every compiled dataset (its SQL or Python and expectations). */
  datasets: readonly CompiledDataset[];
  /** Every query body and expression sent to the target (for parse checks). */
  fragments: readonly { table: string; sql: string; kind: 'query' | 'expr' }[];
}

export function getDialect(name: string): Dialect {
  const d = DIALECTS[name as DialectName];
  if (!d) throw new UnsupportedError('UNKNOWN_DIALECT', `unknown SQL dialect "${name}"`, { dialect: name, known: [...DIALECT_NAMES] }, { hint: `use one of ${DIALECT_NAMES.join(', ')}` });
  return d;
}

export function compilePipeline(pipeline: Pipeline, options: CompileSqlOptions): CompiledSql {
  const dialect = getDialect(options.dialect);
  const input = options.input ?? pipeline.options.input ?? 'incoming';
  const compiled = new PipelineCompiler(pipeline, { dialect, input, partial: options.partial }).compile();
  const { files, main } = dialect.package(compiled);
  return { files, report: compiled.report, main: [...main], datasets: compiled.datasets, fragments: compiled.fragments };
}
