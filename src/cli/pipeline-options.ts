/** The options every command that takes `--pipeline` accepts (kept apart so help and parsing load without the engine). */
import type { OptionSpec } from './args.js';

export const PIPELINE_OPTIONS: Record<string, OptionSpec> = {
  pipeline: {},
  conf: { repeat: true },
  source: { repeat: true },
  'path-map': { repeat: true },
  target: {},
};
