/**
 * The shapes shared by the patients generator, its dirt and the rules: file
 * layouts (which columns, in which order, which date format), file contexts,
 * and the reusable patients record.
 */
import { PATIENT_COLUMNS } from './catalog.js';
import { isoToUs } from './dates.js';
import { Rng } from './random.js';

import { T3 } from './tables.js';

/** Canonical field indices. */
export const F_PID = 0, F_NAME = 1, F_AGE = 2, F_GENDER = 3, F_ADDRESS = 4, F_CONTACT = 5, F_DATE = 6, F_CODE = 7, F_INS = 8;
const CANONICAL = [...PATIENT_COLUMNS, 'insurance_id'];

export interface Layout {
  columns: string[];
  cols: number[];
  /** Position of each canonical field in the file, or -1. */
  pos: number[];
  usDate: boolean;
  hasContact: boolean;
  hasIns: boolean;
}

export function makeLayout(columns: string[], usDate: boolean): Layout {
  const cols = columns.map((c) => {
    const i = CANONICAL.indexOf(c);
    if (i < 0) throw new Error(`generate: unknown column ${c} in ground truth`);
    return i;
  });
  const pos = CANONICAL.map((_, c) => cols.indexOf(c));
  return { columns, cols, pos, usDate, hasContact: cols.includes(F_CONTACT), hasIns: cols.includes(F_INS) };
}

export interface FileCtx {
  index: number;
  name: string;
  rows: number;
  simStartMs: number;
  simEndMs: number;
  weights: number[];
  cum: Float64Array;
  layout: Layout;
  pidPrefix: string;
  /** Cache of pidPrefix + 3 digits. */
  pidPre: string[];
}

export function patientsFileName(i: number): string {
  return `patients_daily_file_${String(i).padStart(6, '0')}.csv`;
}
export function vitalsFileName(i: number): string {
  return `vitals_${String(i).padStart(6, '0')}.csv`;
}

function cumulative(w: number[]): Float64Array {
  const total = w.reduce((s, x) => s + x, 0);
  const c = new Float64Array(w.length);
  let acc = 0;
  for (let i = 0; i < w.length; i++) c[i] = acc += w[i] / total;
  c[w.length - 1] = 1;
  return c;
}

export function makeCtx(index: number, rows: number, simStartMs: number, simEndMs: number, weights: number[], layout: Layout): FileCtx {
  return {
    index, name: patientsFileName(index), rows, simStartMs, simEndMs, weights, cum: cumulative(weights), layout,
    pidPrefix: 'P' + String(index).padStart(6, '0'), pidPre: [],
  };
}

export const NO_PROBLEMS: string[] = [];

/** One generated patients record (reused; fields are the raw texts before layout rendering). */
export interface Rec {
  f: string[];
  /** `f[F_DATE]` is a valid ISO date that the layout may re-format. */
  dateIso: boolean;
  extra: string | null;
  /** 0 normal, 1 too few fields, 2 garbage line (text in f[F_PID]). */
  malformed: number;
  problems: string[];
  /** Diagnosis index of the generated (not dirtied) code. */
  diag: number;
  /** For duplicates: the original row. */
  rootCtx: FileCtx | null;
  rootRow: number;
  /** The row admits a patient (its generated patient_id is intact; used for vitals). */
  admitted: boolean;
  /** `f` is not built yet: the row is only described by the numbers below (see materialize). */
  lazy: boolean;
  ctx: FileCtx | null;
  row: number;
  male: boolean;
  age: number;
  name: number;
  day: number;
  addr: number;
  phone: number;
  ins: number;
}

export function newRec(): Rec {
  return {
    f: new Array<string>(9).fill(''), diag: 0, dateIso: true, extra: null, malformed: 0, problems: NO_PROBLEMS, rootCtx: null, rootRow: -1,
    admitted: false, lazy: false, ctx: null, row: 0, male: false, age: 0, name: 0, day: 0, addr: 0, phone: 0, ins: 0,
  };
}

export interface Gen {
  seedHash: number;
  rng: Rng;
  lateRate: number;
  dirtyRate: number;
  comboRate: number;
  ctxByIndex: Map<number, FileCtx>;
  dayCache: Map<number, string>;
}

/** Patient id of a row: `P` + 6-digit file index + (at least) 6-digit row index, unique per (file, row). */
export function pidOf(ctx: FileCtx, row: number): string {
  if (row >= 1_000_000) return ctx.pidPrefix + String(row);
  const hi = (row / 1000) | 0;
  let pre = ctx.pidPre[hi];
  if (pre === undefined) pre = ctx.pidPre[hi] = ctx.pidPrefix + T3[hi];
  return pre + T3[row % 1000];
}

/** The raw text of canonical field `c` as it appears in a file of this layout (null when the field is absent). */
export function rawField(rec: Rec, layout: Layout, c: number): string | null {
  if (rec.malformed === 2) return c === F_PID ? rec.f[F_PID] : null;
  const pos = layout.pos[c];
  if (pos < 0) return null;
  if (rec.malformed === 1 && pos >= 3) return null;
  if (c === F_DATE && rec.dateIso && layout.usDate) return isoToUs(rec.f[F_DATE]);
  return rec.f[c];
}

