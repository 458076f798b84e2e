/**
 * Delta `stats` of data files (`add.stats`): the row count and each column's
 * minimum, maximum and null count, from a batch's rows, from the statistics
 * its writer computed or its footer holds, or merged from the stats of files
 * written as one (compaction, files of several flushes).
 */
import type { Schema, DataType } from '../ir/types.js';
import { isNested, isStruct } from '../ir/types.js';
import type { Batch } from '../batch.js';
import { columnStats, compareUtf8, encodeParquetWithStats, type ColumnStats } from './parquet.js';
import { encodedColumnStats } from './parquet-stats.js';
import { formatDate } from '../sources/csv-values.js';

function statValue(v: unknown, type: DataType): unknown {
  if (v === null || v === undefined) return undefined;
  if (type === 'date') return formatDate(v as number);
  if (type === 'timestamp') return new Date(Math.floor((v as number) / 1000)).toISOString();
  if (type === 'string') { const s = v as string; return s.length > 32 ? s.slice(0, 32) : s; }
  if (type === 'boolean' || isNested(type)) return undefined;
  return v;
}

/** Delta `stats` JSON for a file's rows. */
export function deltaStats(b: Batch): string {
  return deltaStatsOf(b.schema, b.length, columnStats(b));
}

/** Delta `stats` JSON of a batch just encoded as `bytes` (equal to `deltaStats`; most columns' statistics come from the file's footer). */
function encodedDeltaStats(b: Batch, bytes: Uint8Array): string {
  return deltaStatsOf(b.schema, b.length, encodedColumnStats(b, bytes));
}

/** A batch encoded as a data file, with its Delta `stats` (the writer's own statistics when it computed them, else its footer's). */
export function encodeDataBytes(b: Batch): { bytes: Uint8Array; stats: string } {
  const { bytes, stats } = encodeParquetWithStats(b);
  return { bytes, stats: stats ? deltaStatsOf(b.schema, b.length, stats) : encodedDeltaStats(b, bytes) };
}

/** Delta `stats` JSON from a file's row count and column statistics. */
export function deltaStatsOf(schema: Schema, rows: number, st: Record<string, ColumnStats>): string {
  const minValues: Record<string, unknown> = {}, maxValues: Record<string, unknown> = {}, nullCount: Record<string, number> = {};
  for (const f of schema) {
    const s = st[f.name];
    if (!s || isStruct(f.type)) continue; // a struct's null counts would be per field
    nullCount[f.name] = s.nullCount;
    const mn = statValue(s.min, f.type), mx = statValue(s.max, f.type);
    if (mn !== undefined) minValues[f.name] = mn;
    if (mx !== undefined) {
      // a truncated string max must stay an upper bound
      maxValues[f.name] = f.type === 'string' && (s.max as string).length > 32 ? (mx as string) + '\uffff' : mx;
    }
  }
  return JSON.stringify({ numRecords: rows, minValues, maxValues, nullCount });
}

/**
 * The Delta `stats` of files written as one (compaction by concatenation):
 * row and null counts add up, minimum and maximum are those of the parts. A
 * column's bound is left out when a part with values has none, or when its
 * values cannot be ordered exactly here (no bound is a valid bound).
 * `numRecords`: the row count when the caller knows it (from the files'
 * footers), so that it is there even if a part's stats are missing.
 */
export function mergeDeltaStats(schema: Schema, parts: readonly (string | undefined)[], numRecords?: number): string {
  type S = { numRecords?: number; minValues?: Record<string, unknown>; maxValues?: Record<string, unknown>; nullCount?: Record<string, number> };
  const ps: S[] = parts.map((p) => { try { return p ? (JSON.parse(p) as S) : {}; } catch { return {}; } });
  const rows = numRecords ?? (ps.every((p) => typeof p.numRecords === 'number') ? ps.reduce((a, p) => a + p.numRecords!, 0) : undefined);
  const minValues: Record<string, unknown> = {}, maxValues: Record<string, unknown> = {}, nullCount: Record<string, number> = {};
  for (const f of schema) {
    if (isStruct(f.type)) continue;
    const nulls = ps.map((p) => p.nullCount?.[f.name]);
    if (nulls.every((n) => typeof n === 'number')) nullCount[f.name] = nulls.reduce((a, n) => a! + n!, 0)!;
    const order = statOrder(f.type);
    if (!order) continue;
    for (const [side, out, sign] of [['minValues', minValues, 1], ['maxValues', maxValues, -1]] as const) {
      let best: unknown, known = true;
      ps.forEach((p, i) => {
        const v = p[side]?.[f.name];
        if (v === undefined || v === null) {
          // a part without a bound is fine only when it has no values in this column
          if (!(typeof nulls[i] === 'number' && nulls[i] === p.numRecords)) known = false;
          return;
        }
        const c = best === undefined ? -sign : order(v, best);
        if (c === null) known = false;
        else if (c * sign < 0) best = v;
      });
      if (known && best !== undefined) out[f.name] = best;
    }
  }
  return JSON.stringify(rows === undefined ? { minValues, maxValues, nullCount } : { numRecords: rows, minValues, maxValues, nullCount });
}

/** How two stats values of a type compare (null: they cannot be compared exactly). */
function statOrder(type: DataType): ((a: unknown, b: unknown) => number | null) | null {
  if (type === 'string') return (a, b) => (typeof a === 'string' && typeof b === 'string' ? compareUtf8(a, b) : null);
  if (type === 'date' || type === 'timestamp') return (a, b) => {
    const x = typeof a === 'string' ? Date.parse(a) : NaN, y = typeof b === 'string' ? Date.parse(b) : NaN;
    return Number.isNaN(x) || Number.isNaN(y) ? null : Math.sign(x - y);
  };
  if (type === 'int' || type === 'long' || type === 'double') return (a, b) => (typeof a === 'number' && typeof b === 'number' && !Number.isNaN(a) && !Number.isNaN(b) ? Math.sign(a - b) : null);
  return null;
}
