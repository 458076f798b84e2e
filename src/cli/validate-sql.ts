/**
 * `validate --pipeline <path>`: every error of a pipeline at once, as a list
 * on stderr (one line each: `error CODE file:line:col message (hint)`), then the graph's
 * checks when the definitions themselves are sound. Exits 1 when anything
 * is wrong.
 */
import { loadPipelineReport } from '../../engine/load/load-pipeline.js';
import { buildGraph, isPipelineError, type PipelineError } from '../../engine/index.js';
import { inferFileSchemas } from '../../engine/runtime/file-schemas.js';
import type { ParsedArgs } from './args.js';
import { UsageError } from './args.js';
import * as fs from 'node:fs';

function place(e: PipelineError): string {
  const p = e.params as Record<string, unknown>;
  const file = (p.file as string | undefined) ?? e.origin?.file;
  const line = (p.line as number | undefined) ?? e.origin?.line;
  const col = (p.col as number | undefined) ?? e.origin?.col;
  return file ? `${file}${line ? `:${line}${col ? `:${col}` : ''}` : ''}` : (e.origin?.table ?? '-');
}

/** One line per error: `CODE file:line:col message (hint: …)`. */
export function errorLine(e: PipelineError): string {
  const msg = e.message.split('\n')[0].replace(/^[A-Z_]+: /, '').replace(/ \[at [^\]]*\]$/, '');
  return `${e.code} ${place(e)} ${msg}${e.hint ? ` (hint: ${e.hint})` : ''}`;
}

export async function validateSql(a: ParsedArgs): Promise<number> {
  const p = a.values.pipeline;
  if (!fs.existsSync(p)) throw new UsageError(`--pipeline: no module or pipeline file at ${p}`);
  const list = (k: string) => a.lists[k] ?? [];
  const conf: Record<string, string> = {};
  for (const c of list('conf')) {
    const i = c.indexOf('=');
    if (i <= 0) throw new UsageError(`--conf ${c}: expected <key>=<value>`);
    conf[c.slice(0, i).trim()] = c.slice(i + 1);
  }
  let errors: PipelineError[] = [];
  let summary = '';
  try {
    const r = await loadPipelineReport(p, {
      conf, sources: list('source'), pathMap: list('path-map'),
      ...(a.values.target !== undefined ? { target: a.values.target } : {}), ...(a.values.input !== undefined ? { input: a.values.input } : {}),
    });
    errors = [...r.errors];
    if (r.pipeline) {
      try {
        const g = buildGraph(inferFileSchemas(r.pipeline, { input: a.values.input ?? '.', lenient: true }).pipeline);
        summary = `valid: ${g.order.length} datasets (${[...g.datasets.values()].filter((d) => d.persisted).length} persisted)`;
      } catch (e) { if (isPipelineError(e)) errors.push(e); else throw e; }
    }
  } catch (e) { if (isPipelineError(e)) errors.push(e); else throw e; }
  if (!errors.length) { process.stdout.write(summary + '\n'); return 0; }
  for (const e of errors) process.stderr.write(`error ${errorLine(e)}\n`);
  process.stderr.write(`validate: ${errors.length} error${errors.length === 1 ? '' : 's'}\n`);
  return 1;
}
