/** Loading the pipeline a command runs: the built-in patient pipeline, or a user module given with `--pipeline`. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Pipeline } from '../../engine/index.js';
import { patientPipeline } from '../../layers/pipeline.js';
import { UsageError } from './args.js';

function isPipeline(x: unknown): x is Pipeline {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'pipeline' && Array.isArray((x as { datasets?: unknown }).datasets);
}

/**
 * The module's default export, its `pipeline` export, or its only export that is
 * a pipeline. `.js` and `.mjs` modules are supported; TypeScript modules must be
 * compiled first.
 */
export async function loadPipeline(modulePath: string | undefined): Promise<Pipeline> {
  if (!modulePath) return patientPipeline;
  const abs = path.resolve(modulePath);
  if (!fs.existsSync(abs)) throw new UsageError(`--pipeline: no module at ${modulePath}`);
  if (/\.(c|m)?ts$/.test(abs)) throw new UsageError(`--pipeline: ${modulePath} is TypeScript; compile it to .js first (e.g. npx tsc) and pass the .js file`);
  const mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  if (isPipeline(mod.default)) return mod.default;
  if (isPipeline(mod.pipeline)) return mod.pipeline;
  const found = Object.values(mod).filter(isPipeline);
  if (found.length === 1) return found[0];
  throw new UsageError(`--pipeline: ${modulePath} exports ${found.length ? 'several pipelines' : 'no pipeline'}; export one as default (export default definePipeline([...]))`);
}
