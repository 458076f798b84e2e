/**
 * The `purge` command: erases keys from an AUTO CDC target through the
 * pipeline service (it holds the output's lock, applies the purge with the
 * state that goes with the table, logs it and recomputes what reads it).
 */
import * as path from 'node:path';
import { castValue } from '../../engine/expr/eval.js';
import { PipelineService, type Logger, type PurgeInfo } from '../../engine/runtime/service.js';
import { CheckpointStore } from '../../engine/state/checkpoint.js';
import { EventLog } from '../../engine/events/event-log.js';
import { buildGraph, RuntimeFailure, type Pipeline, type Value } from '../../engine/index.js';
import { UsageError } from './args.js';

export async function purgeKeys(o: { pipeline: Pipeline; output: string; table: string; keys: readonly string[]; logger: Logger; forceUnlock?: boolean }): Promise<PurgeInfo> {
  const graph = buildGraph(o.pipeline);
  const g = graph.datasets.get(o.table);
  const flow = g?.cdc ? graph.flows.get(g.flows[0]) : undefined;
  // key values from text, in the key columns' types (checked before the folder is locked)
  const keys: Value[][] = [];
  if (flow?.cdc) {
    const cols = flow.cdc.spec.keys.map((k) => flow.cdc!.sourceSchema.find((f) => f.name === k)!);
    for (const text of o.keys) {
      const parts = cols.length === 1 ? [text] : text.split('|');
      if (parts.length !== cols.length) throw new UsageError(`purge: the key of ${o.table} has ${cols.length} columns (${cols.map((c) => c.name).join(', ')}): give "${cols.map((c) => `<${c.name}>`).join('|')}", got "${text}"`);
      keys.push(parts.map((p, i) => {
        const v = castValue(p, 'string', cols[i].type);
        if (v === null) throw new UsageError(`purge: "${p}" is not a ${cols[i].type} (key column ${cols[i].name} of ${o.table})`);
        return v;
      }));
    }
  }
  const meta = new CheckpointStore(path.join(o.output, '_checkpoints')).readMetadata();
  if (!meta) {
    throw new RuntimeFailure('NO_CHECKPOINT', `${o.output} holds no pipeline checkpoint: there is nothing to purge`, { output: o.output }, { hint: 'give the --output folder a run or replay wrote' });
  }
  const { service } = await PipelineService.open({
    pipeline: o.pipeline, input: meta.input, output: o.output, logger: o.logger, command: 'purge', forceUnlock: o.forceUnlock,
    events: new EventLog(o.output, { logger: o.logger, command: 'purge', trigger: 'once' }),
  });
  try {
    const info = await service.purge(o.table, keys);
    await service.close('COMPLETED');
    return info;
  } catch (e) {
    await service.close('FAILED', e);
    throw e;
  }
}
