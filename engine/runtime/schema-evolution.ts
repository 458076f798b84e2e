/**
 * Schema evolution of CSV sources, as Auto Loader's `schemaEvolutionMode`:
 *
 * - `rescue` (default): columns not in the schema go to `_rescued_data`; the schema never changes.
 * - `addNewColumns`: a file with new columns stops the update with `NEW_COLUMNS_ADDED`
 *   naming them; they are recorded in the checkpoint, and on the next start they
 *   are part of the source's schema (as STRING, after the declared columns), so
 *   the table's Delta `metaData` gains them.
 * - `failOnNewColumns`: a file with new columns stops the update with
 *   `NEW_COLUMNS_FOUND` until the schema or the file is fixed.
 */
import type { CsvOptions, DatasetDef, FileSourceOptions, PlanNode } from '../ir/plan.js';
import { planInputs } from '../ir/plan.js';
import type { Pipeline } from '../dataset.js';
import { Dataset } from '../dataset.js';
import { Flow } from '../flow.js';
import { RuntimeFailure } from '../errors.js';
import { sourceKey } from './flow.js';

/** Returns the pipeline with recorded new columns added to its CSV sources (of every flow, by its source keys). */
export function evolvePipeline(pipeline: Pipeline, evolved: Readonly<Record<string, readonly string[]>>): Pipeline {
  if (Object.keys(evolved).length === 0) return pipeline;
  const evolveQuery = (flow: string, query: PlanNode): PlanNode => {
    let index = 0;
    const rewrite = (p: PlanNode): PlanNode => {
      if (p.kind === 'csv') {
        const key = sourceKey(flow, p, index++);
        const add = (evolved[key] ?? []).filter((c) => !p.options.schema.some((f) => f.name.toLowerCase() === c.toLowerCase()));
        if (!add.length) return p;
        const options: CsvOptions = Object.freeze({ ...p.options, schema: Object.freeze([...p.options.schema, ...add.map((name) => Object.freeze({ name, type: 'string' as const }))]) });
        return Object.freeze({ kind: 'csv', options });
      }
      if (p.kind === 'files') {
        const key = sourceKey(flow, p, index++);
        const add = (evolved[key] ?? []).filter((c) => !p.options.schema.some((f) => f.name.toLowerCase() === c.toLowerCase()));
        if (!add.length || !p.options.resolved) return p;
        const options: FileSourceOptions = Object.freeze({ ...p.options, schema: Object.freeze([...p.options.schema, ...add.map((name) => Object.freeze({ name, type: 'string' as const }))]) });
        return Object.freeze({ kind: 'files', options });
      }
      if (p.kind === 'rows') { index++; return p; }
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
  const datasets = pipeline.datasets.map((d) => {
    if (!d.def.query) return d;
    const query = evolveQuery(d.def.name, d.def.query);
    return query === d.def.query ? d : new Dataset(Object.freeze({ ...d.def, query }) as DatasetDef);
  });
  const flows = pipeline.flows.map((f) => {
    const query = evolveQuery(f.def.name, f.def.query);
    return query === f.def.query ? f : new Flow(Object.freeze({ ...f.def, query }));
  });
  return Object.freeze({ ...pipeline, datasets: Object.freeze(datasets), flows: Object.freeze(flows) });
}

/** Checks a parsed file's header against the source's evolution mode. */
export function checkNewColumns(table: string, sourceKeyName: string, file: string, options: CsvOptions, unknownColumns: readonly string[], onAdded: (source: string, columns: string[]) => void): void {
  if (unknownColumns.length === 0 || options.schemaEvolutionMode === 'rescue') return;
  const columns = [...unknownColumns];
  if (options.schemaEvolutionMode === 'failOnNewColumns') {
    throw new RuntimeFailure('NEW_COLUMNS_FOUND', `${file} has columns that ${table}'s schema does not declare: ${columns.join(', ')}`, { table, file, columns }, {
      hint: 'declare the columns in the source schema, or use schemaEvolutionMode "rescue" or "addNewColumns"',
    });
  }
  onAdded(sourceKeyName, columns);
  throw new RuntimeFailure('NEW_COLUMNS_ADDED', `${file} has new columns for ${table}: ${columns.join(', ')}; they were added to the schema`, { table, file, columns }, {
    hint: 'run again: the update restarts with the new columns in the schema (as Auto Loader does)',
  });
}
