/**
 * zod, loaded on first use: only a process that reads a checkpoint or an event
 * summary back pays for it (~13 MB of code and heap a thread; a replay into a
 * new output, and the worker threads, never do). Its types come from a type
 * import, which loads nothing.
 */
import { createRequire } from 'node:module';
import type { z } from 'zod';

let loaded: typeof z | null = null;

export function zod(): typeof z {
  return (loaded ??= (createRequire(import.meta.url)('zod') as { z: typeof z }).z);
}

/** `build` run on first call (with zod loaded then), its result kept: a module's schemas. */
export function lazily<T>(build: (z: typeof import('zod').z) => T): () => T {
  let built: T | undefined;
  return () => (built ??= build(zod()));
}
