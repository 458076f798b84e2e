/**
 * Loading the pipeline a command runs: the built-in patient pipeline, or the
 * one given with `--pipeline` (a DLT SQL file or notebook, a folder, a JS
 * module, spark-pipeline.yml or databricks.yml), with `--conf`, `--source`,
 * `--path-map` and `--target`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Pipeline } from '../../engine/index.js';
import { loadPipeline as loadFromFiles } from '../../engine/load/load-pipeline.js';
import { inferFileSchemas } from '../../engine/runtime/file-schemas.js';
import { patientPipeline } from '../../layers/pipeline.js';
import { UsageError } from './args.js';

export { PIPELINE_OPTIONS } from './pipeline-options.js';

export const PIPELINE_HELP = `  --pipeline <path>           a DLT SQL file or notebook (.sql), a folder of SQL files and JS modules,
                              spark-pipeline.yml, databricks.yml, or a pipeline module (.js)
  --conf <key>=<value>        pipeline configuration (\${key} in SQL); repeatable
  --source <table>=<glob>[,format=csv|json][,schema=<DDL>]
                              bind a table the SQL reads but does not define to files of the input folder
  --path-map <from>=<to>      rewrite a read_files/cloud_files path prefix (relative: in the input folder)
  --target <name>             the databricks.yml target`;

/**
 * The pipeline of a command: the patient pipeline without `--pipeline`.
 * `args`: the parsed options (for `--conf`, `--source`, `--path-map`,
 * `--target`); `input`: the input folder file sources read.
 */
export async function loadPipeline(modulePath: string | undefined, args: { values: Record<string, string>; lists?: Record<string, string[]> } = { values: {} }, input?: string): Promise<Pipeline> {
  if (!modulePath) {
    for (const o of ['conf', 'source', 'path-map', 'target']) if (args.values[o] !== undefined) throw new UsageError(`--${o} needs --pipeline`);
    return patientPipeline;
  }
  const abs = path.resolve(modulePath);
  if (!fs.existsSync(abs)) throw new UsageError(`--pipeline: no module or pipeline file at ${modulePath}`);
  if (/\.(c|m)?ts$/.test(abs)) throw new UsageError(`--pipeline: ${modulePath} is TypeScript; compile it to .js first (e.g. npx tsc) and pass the .js file`);
  const list = (k: string) => args.lists?.[k] ?? (args.values[k] !== undefined ? [args.values[k]] : []);
  const conf: Record<string, string> = {};
  for (const c of list('conf')) {
    const i = c.indexOf('=');
    if (i <= 0) throw new UsageError(`--conf ${c}: expected <key>=<value>`);
    conf[c.slice(0, i).trim()] = c.slice(i + 1);
  }
  return loadFromFiles(modulePath, {
    conf, sources: list('source'), pathMap: list('path-map'),
    ...(args.values.target !== undefined ? { target: args.values.target } : {}),
    ...(input !== undefined ? { input } : {}),
  });
}

/**
 * The pipeline with its inferred file sources resolved from the input folder
 * where it has files (for commands that only describe it: graph, validate).
 */
export function withInferredSchemas(pipeline: Pipeline, input: string | undefined): Pipeline {
  return inferFileSchemas(pipeline, { input: input ?? pipeline.options.input ?? '.', lenient: true }).pipeline;
}
