/**
 * Event-time window assignment, aligned to the epoch as Spark's `window()`.
 *
 * For a row at time t the candidate starts are `t − (t mod slide) − k·slide`,
 * k = 0, 1, …; a start is kept when `start ≤ t < start + size`. Tumbling windows
 * are the case slide = size (exactly one window per row). A DATE is taken at
 * 00:00 UTC. Rows with a NULL time belong to no window.
 */
import type { WindowSpec } from '../ir/plan.js';
import type { Column } from '../batch.js';

export const US_PER_DAY = 86_400_000_000;

/** Event time of row i in microseconds, or null. */
export function eventTimeUs(c: Column, i: number): number | null {
  if (c.type === 'date') return c.nulls && c.nulls[i] ? null : c.data[i] * US_PER_DAY;
  if (c.type === 'timestamp') return c.nulls && c.nulls[i] ? null : c.data[i];
  return null;
}

/** The window starts (µs) containing t, in ascending order. */
export function windowStarts(t: number, spec: Pick<WindowSpec, 'sizeUs' | 'slideUs'>): number[] {
  const { sizeUs, slideUs } = spec;
  const last = t - (((t % slideUs) + slideUs) % slideUs);
  const out: number[] = [];
  for (let start = last; start > t - sizeUs; start -= slideUs) {
    if (start <= t && t < start + sizeUs) out.push(start);
  }
  return out.reverse();
}
