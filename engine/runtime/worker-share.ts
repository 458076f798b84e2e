/**
 * What a worker thread receives in its `workerData` besides its task channel:
 * objects the main thread has made once and the workers reuse (parquet-wasm's
 * compiled module, see sinks/parquet-wasm.ts). A module offers them when it
 * loads; a pool started before that gives its workers nothing, and they make
 * their own.
 */
import * as v8 from 'node:v8';

const shared: Record<string, unknown> = {};

export function shareWithWorkers(key: string, value: unknown): void {
  shared[key] = value;
}

export function sharedWithWorkers(): Record<string, unknown> {
  return { ...shared };
}

/**
 * The key of the V8 flags (a string for `v8.setFlagsFromString`) a worker sets
 * when it starts: flags set at run time are reset when a worker thread starts,
 * for the whole process.
 */
export const V8_FLAGS = 'localdltV8Flags';

/** Sets V8 flags for the process now, and again in every worker thread started later. */
export function setV8Flags(flags: string): void {
  v8.setFlagsFromString(flags);
  const before = shared[V8_FLAGS];
  shareWithWorkers(V8_FLAGS, typeof before === 'string' ? `${before} ${flags}` : flags);
}
