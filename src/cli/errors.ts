/** Error helpers for the command line. */
import { formatOrigin } from '../../engine/errors.js';
import type { PipelineError } from '../../engine/errors.js';

export { isPipelineError, PipelineError } from '../../engine/errors.js';

/** "table (file:line)" of an error, when it has one. */
export function formatOriginForCli(e: PipelineError): string {
  return formatOrigin(e.origin);
}
