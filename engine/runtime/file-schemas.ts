/**
 * Fixing the inferred schemas of a pipeline's file sources (`read_files`,
 * `cloud_files` without a declared schema), as Auto Loader's schema location
 * does: at the first start the columns are inferred from the first file in
 * name order and recorded with the checkpoint; every later start (a restart,
 * the next chunk of a replay) reads them back instead of inferring again, so
 * the table's columns never depend on which files happened to be there.
 */
import type { DatasetDef, FileSourceOptions, PlanNode } from '../ir/plan.js';
import { planInputs } from '../ir/plan.js';
import type { Field } from '../ir/types.js';
import type { Pipeline } from '../dataset.js';
import { Dataset } from '../dataset.js';
import { Flow } from '../flow.js';
import { RuntimeFailure } from '../errors.js';
import { matchFiles, nodeFileSystem, type SourceFileSystem } from '../sources/files.js';
import { acceptsFile } from '../sources/parse-file.js';
import { applySchemaHints, inferFromFile } from '../sources/infer.js';
import { readSourceBytes } from './sources.js';
import { sourceKey } from './flow.js';

export interface InferOptions {
  /** The input root the sources read. */
  input: string;
  fs?: SourceFileSystem;
  /** Schemas recorded by an earlier start, by source key: used as they are. */
  stored?: Readonly<Record<string, readonly Field[]>>;
  /** Leave a source unresolved (instead of SCHEMA_INFERENCE_NO_FILES) when it has no file yet. */
  lenient?: boolean;
}

/** Rewrites every file source of a pipeline's queries (`fn` gets the source key). */
export function mapFileSources(pipeline: Pipeline, fn: (key: string, p: Extract<PlanNode, { kind: 'files' }>) => PlanNode): Pipeline {
  const rewriteQuery = (flow: string, query: PlanNode): PlanNode => {
    let index = 0;
    const rewrite = (p: PlanNode): PlanNode => {
      if (p.kind === 'files') return fn(sourceKey(flow, p, index++), p);
      if (p.kind === 'csv' || p.kind === 'rows') { index++; return p; }
      const inputs = planInputs(p);
      if (!inputs.length) return p;
      switch (p.kind) {
        case 'join': case 'asofJoin': return Object.freeze({ ...p, input: rewrite(p.input), right: rewrite(p.right) });
        case 'union': return Object.freeze({ ...p, inputs: Object.freeze(p.inputs.map(rewrite)) });
        default: return Object.freeze({ ...p, input: rewrite((p as { input: PlanNode }).input) }) as PlanNode;
      }
    };
    return rewrite(query);
  };
  let changed = false;
  const datasets = pipeline.datasets.map((d) => {
    if (!d.def.query) return d;
    const query = rewriteQuery(d.def.name, d.def.query);
    if (query === d.def.query) return d;
    changed = true;
    return new Dataset(Object.freeze({ ...d.def, query }) as DatasetDef);
  });
  const flows = pipeline.flows.map((f) => {
    const query = rewriteQuery(f.def.name, f.def.query);
    if (query === f.def.query) return f;
    changed = true;
    return new Flow(Object.freeze({ ...f.def, query }));
  });
  return changed ? Object.freeze({ ...pipeline, datasets: Object.freeze(datasets), flows: Object.freeze(flows) }) : pipeline;
}

/** Infers one source's columns from its first file in name order (null: no file yet). */
export function inferSourceSchema(o: FileSourceOptions, input: string, fsys: SourceFileSystem): Field[] | null {
  const first = matchFiles(fsys, input, o.glob).find((f) => acceptsFile(o, f.name));
  if (!first) return null;
  return applySchemaHints(inferFromFile(readSourceBytes(fsys, input, first.name), o), o.schemaHints);
}

/**
 * The pipeline with every inferred file source resolved: from `stored` when
 * it has the source's key, else inferred now. Returns the schemas by source
 * key (to record with the checkpoint).
 */
export function inferFileSchemas(pipeline: Pipeline, opts: InferOptions): { pipeline: Pipeline; schemas: Record<string, Field[]> } {
  const fsys = opts.fs ?? nodeFileSystem;
  const schemas: Record<string, Field[]> = {};
  // timestamps without a zone are read in the session time zone (a `timeZone` reader option wins)
  const session = pipeline.options.timeZone;
  const zoned = (p: Extract<PlanNode, { kind: 'files' }>): Extract<PlanNode, { kind: 'files' }> => {
    if (session === undefined || session === 'UTC' || p.options.reader.sessionTimeZone === session) return p;
    return Object.freeze({ kind: 'files', options: Object.freeze({ ...p.options, reader: Object.freeze({ ...p.options.reader, sessionTimeZone: session }) }) });
  };
  const out = mapFileSources(pipeline, (key, p0) => {
    const p = zoned(p0);
    if (p.options.resolved) return p;
    let schema: Field[] | null = opts.stored?.[key] ? opts.stored[key].map((f) => ({ name: f.name, type: f.type })) : null;
    schema ??= schemas[key] ?? inferSourceSchema(p.options, opts.input, fsys);
    if (schema === null) {
      if (opts.lenient) return p;
      throw new RuntimeFailure('SCHEMA_INFERENCE_NO_FILES', `no file matches "${p.options.glob}" in ${opts.input}, so the columns of ${key} cannot be inferred`, { source: key, glob: p.options.glob, input: opts.input }, {
        hint: 'add a first file to the input folder, or declare the schema (schema => \'a INT, b STRING\')',
      });
    }
    schemas[key] = schema;
    const options: FileSourceOptions = Object.freeze({ ...p.options, schema: Object.freeze(schema.map((f) => Object.freeze(f))), resolved: true });
    return Object.freeze({ kind: 'files', options });
  });
  return { pipeline: out, schemas };
}
