/**
 * The AUTO CDC semantics of one key, as pure functions over its events.
 *
 * An event is an upsert, a delete, or a purge marker (an erasure: a delete
 * that also discards every event at or before its sequence). The events of a
 * key are applied in a total order, so that the result depends only on which
 * events exist, never on their arrival order or batching:
 *
 *   sequence ascending, then upserts before deletes before purges, then the
 *   event's values as text, column by column (NULL lowest).
 *
 * So of two events with the same sequence a DELETE wins, and otherwise the one
 * whose row sorts greatest (it is applied last). Applying an event:
 * - an upsert supplies every column (under IGNORE NULL UPDATES only its
 *   non-NULL values in the columns that ignore NULLs) and makes the row exist;
 * - a delete (and a purge) supplies NULL to every column and removes the row.
 *
 * SCD type 1 is the state after the last event. SCD type 2 folds the state
 * after each sequence into versions: a change of a tracked column closes the
 * open version at that sequence and opens a new one; a change of untracked
 * columns only updates the open version in place; a delete closes it.
 *
 * What a key keeps between batches (so that a late event still lands where its
 * sequence falls):
 * - SCD type 1: the events that still supply a column or are the last one (an
 *   event outranked in every column can never matter again: later events only
 *   add suppliers); without IGNORE NULL UPDATES that is one event per key, and
 *   a tombstone (the delete) for a deleted key;
 * - SCD type 2: every event, except those that can never matter: upserts of a
 *   sequence that also has a delete, upserts outranked at the same sequence
 *   (without IGNORE NULL UPDATES), repeats, and events at or before a purge.
 */
import type { Value } from '../ir/types.js';
import { stableText } from '../batch.js';

export const OP_UPSERT = 0;
export const OP_DELETE = 1;
export const OP_PURGE = 2;
export type CdcOp = typeof OP_UPSERT | typeof OP_DELETE | typeof OP_PURGE;

/** A sequence value: a number (numbers, dates, timestamps) or a string. */
export type Seq = number | string;

export interface CdcEvent {
  readonly seq: Seq;
  readonly op: CdcOp;
  /** The target's columns (keys included), in the target's order; NULLs for a delete. */
  readonly values: readonly Value[];
  /** Set on events of the batch being applied (for the metrics). */
  readonly fresh?: boolean;
}

export interface FoldOptions {
  /** Column positions of the keys (their values are the key's, never supplied). */
  readonly keyMask: readonly boolean[];
  /** Columns whose NULL in an upsert keeps the stored value. */
  readonly ignoreNullMask: readonly boolean[];
  /** SCD type 2: columns whose change opens a version. */
  readonly trackedMask: readonly boolean[];
}

export function compareSeq(a: Seq, b: Seq): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  const sa = String(a), sb = String(b);
  return compareText(sa, sb);
}

/** Code-point (= UTF-8 byte) order of two strings. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!, y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** A value as text for the tie order (see `valueText`): strings as they are, numbers in JS form. */
export function tieText(v: Value): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return stableText(v);
}

/** The tie order of two events' values: column by column as text, NULL lowest. */
export function compareValues(a: readonly Value[], b: readonly Value[], text: readonly ((v: Value) => string | null)[]): number {
  for (let c = 0; c < a.length; c++) {
    if (a[c] === b[c]) continue;
    const x = text[c](a[c]), y = text[c](b[c]);
    if (x === y) continue;
    if (x === null) return -1;
    if (y === null) return 1;
    const r = compareText(x, y);
    if (r !== 0) return r;
  }
  return 0;
}

/** The total order of a key's events. */
export function compareEvents(a: CdcEvent, b: CdcEvent, text: readonly ((v: Value) => string | null)[]): number {
  return compareSeq(a.seq, b.seq) || a.op - b.op || compareValues(a.values, b.values, text);
}

export function sameValue(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (typeof a === 'object' || typeof b === 'object') return stableText(a) === stableText(b);
  return false;
}

/** Sorts a key's events, drops exact repeats and everything at or before the last purge (but the purge itself). */
export function normalize(events: readonly CdcEvent[], text: readonly ((v: Value) => string | null)[]): { events: CdcEvent[]; repeats: CdcEvent[]; purged: CdcEvent[] } {
  const sorted = [...events].sort((a, b) => compareEvents(a, b, text));
  const out: CdcEvent[] = [];
  const repeats: CdcEvent[] = [];
  for (const e of sorted) {
    const prev = out[out.length - 1];
    if (prev && compareEvents(prev, e, text) === 0) {
      // the same event twice: keep the one already stored (not fresh), so a re-send counts as a repeat
      if (prev.fresh && !e.fresh) { out[out.length - 1] = e; repeats.push(prev); } else repeats.push(e);
      continue;
    }
    out.push(e);
  }
  let lastPurge = -1;
  for (let i = out.length - 1; i >= 0; i--) if (out[i].op === OP_PURGE) { lastPurge = i; break; }
  if (lastPurge <= 0) return { events: out, repeats, purged: [] };
  return { events: out.slice(lastPurge), repeats, purged: out.slice(0, lastPurge) };
}

export interface Scd1Result {
  /** The row (the target's columns), or null when the key has no row. */
  readonly row: Value[] | null;
  /** The events to keep. */
  readonly keep: CdcEvent[];
}

/** SCD type 1 of a key's normalized events; `floor` is a virtual delete applied first (a truncate). */
export function foldScd1(events: readonly CdcEvent[], o: FoldOptions, floor: CdcEvent | null = null): Scd1Result {
  const all = floor ? [floor, ...events] : events;
  const n = o.keyMask.length;
  const cur: Value[] = new Array(n).fill(null);
  const supplier: number[] = new Array(n).fill(-1);
  let exists = false;
  for (let i = 0; i < all.length; i++) {
    const e = all[i];
    if (i === 0 || !exists) for (let c = 0; c < n; c++) if (o.keyMask[c] && e.values[c] !== null) cur[c] = e.values[c];
    if (e.op !== OP_UPSERT) {
      for (let c = 0; c < n; c++) if (!o.keyMask[c]) { cur[c] = null; supplier[c] = i; }
      exists = false;
    } else {
      for (let c = 0; c < n; c++) {
        if (o.keyMask[c]) continue;
        const v = e.values[c];
        if (v !== null || !o.ignoreNullMask[c]) { cur[c] = v; supplier[c] = i; }
      }
      exists = true;
    }
  }
  const live = new Set<number>(supplier.filter((s) => s >= 0));
  if (all.length) live.add(all.length - 1);
  const keep: CdcEvent[] = [];
  for (let i = 0; i < all.length; i++) if (live.has(i) && all[i] !== floor) keep.push(all[i]);
  // a purge marker is kept whatever it supplies: it is what refuses older events
  if (events.length && events[0].op === OP_PURGE && !keep.includes(events[0])) keep.unshift(events[0]);
  return { row: exists ? cur : null, keep };
}

export interface Version {
  values: Value[];
  start: Seq;
  end: Seq | null;
}

export interface Scd2Result {
  readonly versions: Version[];
  readonly keep: CdcEvent[];
  /** Events at a sequence where they can never matter (outranked by a delete or, without IGNORE NULL UPDATES, by another upsert). */
  readonly outranked: CdcEvent[];
}

/** SCD type 2 of a key's normalized events. */
export function foldScd2(events: readonly CdcEvent[], o: FoldOptions): Scd2Result {
  const n = o.keyMask.length;
  const anyIgnore = o.ignoreNullMask.some((x) => x);
  const cur: Value[] = new Array(n).fill(null);
  let exists = false;
  let open: Version | null = null;
  const versions: Version[] = [];
  const keep: CdcEvent[] = [];
  const outranked: CdcEvent[] = [];
  let i = 0;
  while (i < events.length) {
    let j = i;
    while (j + 1 < events.length && compareSeq(events[j + 1].seq, events[i].seq) === 0) j++;
    const s = events[i].seq;
    // which events of this sequence can matter: the last delete (it clears everything before it), else
    // the last upsert, or every upsert when NULLs are ignored (they fill each other's gaps)
    const last = events[j];
    for (let k = i; k <= j; k++) {
      const e = events[k];
      const matters = last.op !== OP_UPSERT ? k === j : anyIgnore || k === j;
      if (matters) keep.push(e); else outranked.push(e);
      if (!matters) continue;
      if (!exists || k === i) for (let c = 0; c < n; c++) if (o.keyMask[c] && e.values[c] !== null) cur[c] = e.values[c];
      if (e.op !== OP_UPSERT) {
        for (let c = 0; c < n; c++) if (!o.keyMask[c]) cur[c] = null;
        exists = false;
      } else {
        for (let c = 0; c < n; c++) {
          if (o.keyMask[c]) continue;
          const v = e.values[c];
          if (v !== null || !o.ignoreNullMask[c]) cur[c] = v;
        }
        exists = true;
      }
    }
    if (exists) {
      if (open === null) {
        open = { values: cur.slice(), start: s, end: null };
        versions.push(open);
      } else if (trackedDiffer(open.values, cur, o.trackedMask)) {
        open.end = s;
        open = { values: cur.slice(), start: s, end: null };
        versions.push(open);
      } else {
        open.values = cur.slice();
      }
    } else if (open !== null) {
      open.end = s;
      open = null;
    }
    i = j + 1;
  }
  return { versions, keep, outranked };
}

function trackedDiffer(a: readonly Value[], b: readonly Value[], tracked: readonly boolean[]): boolean {
  for (let c = 0; c < a.length; c++) if (tracked[c] && !sameValue(a[c], b[c])) return true;
  return false;
}
