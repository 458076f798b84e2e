/**
 * Patients (admissions) files. A seeded PRNG (mulberry32) is re-seeded from a
 * hash of (seed, file, row) for every row, so a row of an earlier file can be
 * regenerated on demand: that is how exact duplicates are re-sent, and how
 * their deduplication outcome is known.
 *
 * A file is made in two steps. planPatients (main thread) decides everything
 * the ground truth says: the rows with problems (about 7% by default) are
 * generated, rendered from their field strings and checked against the
 * pipeline's rules (slowRow); of a clean row only its diagnosis and lateness
 * are drawn. renderPatients then writes the file's bytes: a clean row is
 * regenerated and copied from pre-encoded byte tables straight into the
 * buffer (emitClean), never turned into strings; the other rows' lines are
 * copied from the plan. It runs on a second thread for big files (render.ts).
 */
import { ByteSink, ByteTable, copyEntry, copyFixed, put } from './bytes.js';
import { PATIENT_DROP_EXPECTATIONS, PATIENT_WARN_EXPECTATIONS } from './catalog.js';
import { DAY_MS, isoDay, isoToUs } from './dates.js';
import { NON_EXCLUSIVE, PATIENT_DIRT, injectDirt, nearDuplicate, pickDirt } from './dirt.js';
import { type PatientCounts, RowLog, bump, sortedMap, zeroMap } from './ground-truth.js';
import { mix32 } from './random.js';
import { F_ADDRESS, F_AGE, F_CODE, F_CONTACT, F_DATE, F_GENDER, F_INS, F_NAME, F_PID, type FileCtx, type Gen, type Layout, NO_PROBLEMS, type Rec, pidOf } from './records.js';
import { evalPatient } from './rules.js';
import { AGE_STR, AGE_TABLES, AGE_TABLE_SIZE, B_AGE_GENDER, B_INS, B_NAMES_F, B_NAMES_M, B_NUM, B_PHONE3, B_STREET_SUFFIX, B_T3C, B_T4, B_T4C, CODES, NAMES_F, NAMES_M, NUM, PHONE3, P_MALE, STREET_SUFFIX, T3, T4 } from './tables.js';

/** Per-file byte pieces for clean rows. */
interface FileBytes {
  /** `P` + 6-digit file index + the row's thousands (3 digits), per thousand. */
  pidHi: ByteTable;
  /** `YYYY-MM-DD,Dnnn` (+ the line ending when there is no insurance_id), per day and diagnosis. */
  tails: TailCache;
  ins: boolean;
  crlf: boolean;
}

/** The rest of the ground-truth entry of a row that is only late. */
const LATE_ENTRY_TAIL = ByteTable.one(',"problems":["late"],"failed_expectations":[],"quarantined":false,"survives_dedup":true,"warnings":[]}');

/** A direct-mapped cache of row tails by (day, diagnosis). */
interface TailCache {
  keys: Int32Array;
  tables: ByteTable[];
}
const TAIL_SLOTS = 4096;
const NO_KEY = 0x7fffffff;
/** Row tails by line-ending variant (0 LF, 1 CRLF, 2 none: insurance_id follows), shared by all files. */
const TAIL_CACHES: TailCache[] = [0, 1, 2].map(() => ({ keys: new Int32Array(TAIL_SLOTS).fill(NO_KEY), tables: [] }));

function fileBytes(ctx: FileCtx, ins: boolean, crlf: boolean): FileBytes {
  const nHi = Math.min(1000, Math.ceil(ctx.rows / 1000));
  return {
    pidHi: ByteTable.of(Array.from({ length: nHi }, (_, hi) => ctx.pidPrefix + T3[hi])), tails: TAIL_CACHES[ins ? 2 : crlf ? 1 : 0],
    ins, crlf,
  };
}

function tailOf(fb: FileBytes, day: number, diag: number): ByteTable {
  const key = day * 16 + diag;
  const c = fb.tails;
  const slot = key & (TAIL_SLOTS - 1);
  if (c.keys[slot] !== key) {
    c.tables[slot] = ByteTable.one(isoDay(day) + ',' + CODES[diag] + (fb.ins ? '' : fb.crlf ? '\r\n' : '\n'));
    c.keys[slot] = key;
  }
  return c.tables[slot];
}

/** Writes a clean, lazy record straight from the byte tables (no strings are built). */
function emitClean(sink: ByteSink, rec: Rec, fb: FileBytes): void {
  sink.ensure(512);
  const d = sink.view;
  const row = rec.row;
  let o: number;
  if (row < 1_000_000) {
    o = copyEntry(d, sink.len, fb.pidHi, (row / 1000) | 0);
    o = copyFixed(d, o, B_T3C, row % 1000, 4);
  } else {
    sink.write(pidOf(rec.ctx!, row) + ',');
    o = sink.len;
  }
  o = copyEntry(d, o, rec.male ? B_NAMES_M : B_NAMES_F, rec.name);
  o = copyEntry(d, o, B_AGE_GENDER, rec.age * 2 + (rec.male ? 0 : 1));
  o = copyEntry(d, o, B_NUM, 1 + (rec.addr % 9999));
  o = copyEntry(d, o, B_STREET_SUFFIX, (rec.addr / 9999) | 0);
  o = copyFixed(d, o, B_PHONE3, (rec.phone / 10000) | 0, 8);
  o = copyFixed(d, o, B_T4C, rec.phone % 10000, 5);
  const tail = tailOf(fb, rec.day, rec.diag);
  o = copyFixed(d, o, tail, 0, tail.start[1]); // at most 20 bytes, six-digit years and CRLF included
  if (fb.ins) {
    o = copyFixed(d, o, B_INS, (rec.ins / 10000) | 0, 8);
    o = copyFixed(d, o, B_T4, rec.ins % 10000, 4);
    const b = sink.buf;
    if (fb.crlf) b[o++] = 13;
    b[o++] = 10;
  }
  sink.len = o;
}

function rowSeed(g: Gen, file: number, row: number): number {
  return mix32(g.seedHash ^ mix32(Math.imul(file + 1, 0x9e3779b1) ^ mix32(row ^ 0x5bd1e995))) | 0; // int32 (a Smi) as a seed
}

function dayString(g: Gen, day: number): string {
  let s = g.dayCache.get(day);
  if (s === undefined) {
    s = isoDay(day);
    if (g.dayCache.size > 20000) g.dayCache.clear();
    g.dayCache.set(day, s);
  }
  return s;
}

/** Builds the field strings of a lazily generated record. */
function materialize(g: Gen, rec: Rec): void {
  if (!rec.lazy) return;
  rec.lazy = false;
  const f = rec.f;
  f[F_PID] = pidOf(rec.ctx!, rec.row);
  f[F_NAME] = (rec.male ? NAMES_M : NAMES_F)[rec.name];
  f[F_AGE] = AGE_STR[rec.age];
  f[F_GENDER] = rec.male ? 'M' : 'F';
  f[F_ADDRESS] = NUM[1 + (rec.addr % 9999)] + STREET_SUFFIX[(rec.addr / 9999) | 0];
  f[F_CONTACT] = PHONE3[(rec.phone / 10000) | 0] + T4[rec.phone % 10000];
  f[F_DATE] = dayString(g, rec.day);
  f[F_CODE] = CODES[rec.diag];
}

/**
 * Generates row `row` of file `ctx` into `rec` (a pure function of seed,
 * options, file and row). A clean row is left lazy (its concatenated fields
 * unbuilt) unless `strings`; dirty rows are always materialized.
 */
export function genRow(g: Gen, ctx: FileCtx, row: number, rec: Rec, strings: boolean): void {
  const rng = g.rng;
  rng.s = rowSeed(g, ctx.index, row);
  const uDirt = rng.next();
  const uLate = rng.next();
  const uDiag = rng.next();
  const cum = ctx.cum;
  let d = 0;
  while (d < 9 && uDiag >= cum[d]) d++;
  const male = rng.next() < P_MALE[d];
  rec.male = male;
  rec.age = AGE_TABLES[d][(rng.next() * AGE_TABLE_SIZE) | 0];
  rec.name = (rng.next() * (male ? NAMES_M.length : NAMES_F.length)) | 0;
  rec.addr = (rng.next() * 9999 * STREET_SUFFIX.length) | 0;
  rec.phone = (rng.next() * 1e7) | 0;
  rec.ins = (rng.next() * 1e8) | 0;
  let day = Math.floor((ctx.simStartMs + rng.next() * (ctx.simEndMs - ctx.simStartMs)) / DAY_MS);
  rec.ctx = ctx;
  rec.row = row;
  rec.diag = d;
  rec.dateIso = true;
  rec.extra = null;
  rec.malformed = 0;
  rec.rootCtx = null;
  rec.rootRow = -1;
  rec.admitted = true;
  rec.problems = NO_PROBLEMS;
  if (uLate < g.lateRate) {
    day -= 1 + ((rng.next() * 10) | 0);
    rec.problems = ['late'];
  }
  rec.day = day;
  rec.lazy = true;
  if (uDirt >= g.dirtyRate) {
    if (strings) materialize(g, rec);
    return;
  }
  dirtyRow(g, ctx, rec, male);
}

/** Injects the problems of a dirty row (the rare path of genRow, kept apart so that the hot path stays small). */
function dirtyRow(g: Gen, ctx: FileCtx, rec: Rec, male: boolean): void {
  const rng = g.rng;
  materialize(g, rec);

  // One kind, sometimes two on different fields.
  let k1 = pickDirt(rng.next());
  const second = rng.next() < g.comboRate ? pickDirt(rng.next()) : -1;
  const kind1 = PATIENT_DIRT[k1][0];
  if (kind1 === 'duplicate' || kind1 === 'near_duplicate') {
    const cands: FileCtx[] = [];
    for (let i = ctx.index - 1; i >= ctx.index - 7 && i >= 0; i--) {
      const c = g.ctxByIndex.get(i);
      if (c !== undefined && c.rows > 0) cands.push(c);
    }
    if (cands.length > 0) {
      const ref = cands[(rng.next() * cands.length) | 0];
      const refRow = (rng.next() * ref.rows) | 0;
      const variant = rng.next();
      genRow(g, ref, refRow, rec, true);
      if (rec.rootCtx === null) { rec.rootCtx = ref; rec.rootRow = refRow; }
      rec.admitted = false;
      const inherited = rec.problems.filter((p) => p !== 'duplicate' && p !== 'near_duplicate');
      rec.problems = [kind1, ...inherited];
      if (kind1 === 'near_duplicate') nearDuplicate(rec, variant);
      return;
    }
    k1 = NON_EXCLUSIVE[(rng.next() * NON_EXCLUSIVE.length) | 0];
  }
  injectDirt(g, rec, k1, second, male);
}

/** Writes the line of a (materialized) record as it appears in a file of this layout, with its line ending. */
function emitLine(sink: ByteSink, rec: Rec, layout: Layout, crlf: boolean): void {
  const f = rec.f;
  // insurance_id (never dirtied, not a column the rules read) is copied from its tables.
  let need = 16 + (rec.extra === null ? 0 : rec.extra.length + 1);
  for (let i = 0; i < F_INS; i++) need += f[i].length + 1;
  sink.ensure(need);
  const b = sink.buf;
  let o = sink.len;
  if (rec.malformed === 2) {
    o = put(b, o, f[F_PID]);
  } else {
    const n = rec.malformed === 1 ? 3 : layout.cols.length;
    for (let i = 0; i < n; i++) {
      const c = layout.cols[i];
      if (c === F_INS) {
        o = copyEntry(sink.view, o, B_INS, (rec.ins / 10000) | 0);
        o = copyEntry(sink.view, o, B_T4, rec.ins % 10000);
        continue;
      }
      if (i > 0) b[o++] = 44;
      o = put(b, o, c === F_DATE && rec.dateIso && layout.usDate ? isoToUs(f[F_DATE]) : f[c]);
    }
    if (rec.extra !== null && rec.malformed === 0) {
      b[o++] = 44;
      o = put(b, o, rec.extra);
    }
  }
  if (crlf) b[o++] = 13;
  b[o++] = 10;
  sink.len = o;
}

/** What deduplication needs to know across files: originals whose key already reached silver through a re-send. */
export interface DedupState {
  /** `file:line` of originals one of whose re-sends reached patients_silver. */
  survivedRoots: Set<string>;
  /** `file:line` of an original -> it passed the drop expectations in its own file. */
  memo: Map<string, boolean>;
  rec: Rec;
}

function rootPasses(g: Gen, dedup: DedupState, ctx: FileCtx, row: number): boolean {
  const key = ctx.name + ':' + (row + 2);
  let v = dedup.memo.get(key);
  if (v === undefined) {
    const saved = g.rng.s;
    genRow(g, ctx, row, dedup.rec, true);
    g.rng.s = saved;
    v = evalPatient(dedup.rec, ctx.layout).failed.length === 0;
    if (dedup.memo.size > 100_000) dedup.memo.clear();
    dedup.memo.set(key, v);
  }
  return v;
}

/** What the main thread made of a patients file: everything but the bytes of its clean rows. */
export interface PatientsPlan {
  counts: PatientCounts;
  /** Ground-truth row entries, as JSON. */
  rowJson: RowLog;
  /** Patient ids admitted by the file (for vitals). */
  admitted: string[];
  slow: SlowLines;
}

/** The lines of the rows rendered from their field strings (see slowRow), in row order. */
export interface SlowLines {
  /** Row indices, ascending. */
  rows: number[];
  /** End offset of each row's line in `bytes` (it starts where the previous one ends). */
  ends: number[];
  bytes: Uint8Array;
}

type WorkCounts = PatientCounts & { rowJson: RowLog; diagCount: number[]; otherDiag: Record<string, number> };

/**
 * The ground truth of a patients file: the rows with problems are generated,
 * rendered (into `side`) and checked against the rules; of the clean rows
 * only the diagnosis and lateness are drawn. The file's bytes are then
 * renderPatients' work, which can run on another thread.
 */
export function planPatients(g: Gen, ctx: FileCtx, crlf: boolean, vitals: boolean, rec: Rec, dedup: DedupState, side: ByteSink): PatientsPlan {
  const rows = ctx.rows;
  const counts: WorkCounts = {
    rows, listed: 0, quarantined: 0, passed_expectations: 0, dedup_dropped: 0, silver_rows: 0,
    failed_expectations: zeroMap(PATIENT_DROP_EXPECTATIONS), warnings: zeroMap(PATIENT_WARN_EXPECTATIONS), problems: {}, silver_diagnosis: {},
    rowJson: new RowLog(), diagCount: new Array<number>(10).fill(0), otherDiag: {},
  };
  const admitted: string[] = [];
  const slow: SlowLines = { rows: [], ends: [], bytes: side.buf };
  side.len = 0;
  const lateRows = planRows(g, ctx, rec, side, slow, ByteTable.one('{"file":"' + ctx.name + '","line":'), crlf, counts, dedup, vitals ? admitted : null);
  slow.bytes = side.bytes();
  if (lateRows > 0) bump(counts.problems, 'late', lateRows);
  const out: PatientCounts = {
    rows, listed: counts.rowJson.n, quarantined: counts.quarantined, passed_expectations: rows - counts.quarantined,
    dedup_dropped: counts.dedup_dropped, silver_rows: rows - counts.quarantined - counts.dedup_dropped,
    failed_expectations: counts.failed_expectations, warnings: counts.warnings, problems: sortedMap(counts.problems), silver_diagnosis: {},
  };
  for (let i = 0; i < 10; i++) if (counts.diagCount[i] > 0) out.silver_diagnosis[CODES[i]] = counts.diagCount[i];
  for (const k of Object.keys(counts.otherDiag).sort()) out.silver_diagnosis[k] = counts.otherDiag[k];
  return { counts: out, rowJson: counts.rowJson, admitted, slow };
}

/**
 * The row loop of planPatients; returns the number of rows that are only
 * late. A row is clean exactly when its first draw is at least the dirty
 * rate (see genRow), so the draws of a clean row stop after the diagnosis.
 * (Kept to the loop alone: V8 compiles it on-stack while it runs, and code
 * after a loop has no type feedback yet, which would throw the compiled code
 * away at the end of every file.)
 */
function planRows(
  g: Gen, ctx: FileCtx, rec: Rec, side: ByteSink, slow: SlowLines, entryHead: ByteTable, crlf: boolean, counts: WorkCounts,
  dedup: DedupState, admitted: string[] | null,
): number {
  const layout = ctx.layout;
  const rows = ctx.rows;
  const fast = layout.hasContact && !layout.usDate;
  const diagCount = counts.diagCount;
  const cum = ctx.cum;
  const rng = g.rng;
  let lateRows = 0;
  for (let r = 0; r < rows; r++) {
    if (fast) {
      rng.s = rowSeed(g, ctx.index, r);
      const uDirt = rng.next();
      if (uDirt >= g.dirtyRate) {
        // Clean (or only late, which passes everything): its bytes come from the tables (emitClean).
        const uLate = rng.next();
        const uDiag = rng.next();
        let d = 0;
        while (d < 9 && uDiag >= cum[d]) d++;
        diagCount[d]++;
        if (admitted !== null) admitted.push(pidOf(ctx, r));
        if (uLate < g.lateRate) {
          lateRows++;
          const log = counts.rowJson;
          log.start();
          log.table(entryHead);
          log.int(r + 2);
          log.table(LATE_ENTRY_TAIL);
        }
        continue;
      }
    }
    genRow(g, ctx, r, rec, true);
    slowRow(g, ctx, r, rec, side, entryHead, crlf, counts, dedup);
    slow.rows.push(r);
    slow.ends.push(side.len);
    if (admitted !== null && rec.admitted) admitted.push(pidOf(ctx, r));
  }
  return lateRows;
}

/** Writes the bytes of a patients file planned by planPatients: the header, clean rows from the tables, the other rows' lines. */
export function renderPatients(g: Gen, ctx: FileCtx, crlf: boolean, slow: SlowLines, content: ByteSink, rec: Rec): void {
  content.write(ctx.layout.columns.join(',') + (crlf ? '\r\n' : '\n'));
  renderRows(g, ctx, rec, content, fileBytes(ctx, ctx.layout.hasIns, crlf), slow);
}

/** The row loop of renderPatients. */
function renderRows(g: Gen, ctx: FileCtx, rec: Rec, content: ByteSink, fb: FileBytes, slow: SlowLines): void {
  const rows = ctx.rows;
  const slowRows = slow.rows;
  let k = 0;
  let next = slowRows.length > 0 ? slowRows[0] : -1;
  let from = 0;
  for (let r = 0; r < rows; r++) {
    if (r === next) {
      const to = slow.ends[k];
      content.ensure(to - from);
      content.buf.set(slow.bytes.subarray(from, to), content.len);
      content.len += to - from;
      from = to;
      k++;
      next = k < slowRows.length ? slowRows[k] : -1;
    } else {
      genRow(g, ctx, r, rec, false);
      emitClean(content, rec, fb);
    }
  }
}

/** A row that needs the rules: rendered from its field strings into `side`, evaluated, listed in the ground truth. */
function slowRow(
  g: Gen, ctx: FileCtx, r: number, rec: Rec, side: ByteSink, entryHead: ByteTable, crlf: boolean, counts: WorkCounts, dedup: DedupState,
): void {
  const layout = ctx.layout;
  materialize(g, rec);
  emitLine(side, rec, layout, crlf);
  // rec.problems is a fresh array for every row that has problems.
  const problems = rec.problems === NO_PROBLEMS ? [] : rec.problems;
  if (rec.dateIso && layout.usDate && rec.malformed === 0) problems.push('date_format_mmddyyyy');
  if (!layout.hasContact && rec.malformed === 0) problems.push('contact_number_column_missing');
  const v = evalPatient(rec, layout);
  const quarantined = v.failed.length > 0;
  let survives = !quarantined;
  let dupOf: { file: string; line: number } | undefined;
  if (rec.rootCtx !== null) {
    dupOf = { file: rec.rootCtx.name, line: rec.rootRow + 2 };
    if (survives) {
      const rk = dupOf.file + ':' + dupOf.line;
      if (rootPasses(g, dedup, rec.rootCtx, rec.rootRow) || dedup.survivedRoots.has(rk)) survives = false;
      else dedup.survivedRoots.add(rk);
    }
  }
  const warnings: string[] = [];
  if (survives) {
    if (v.code === null || !CODES.includes(v.code)) warnings.push('known_diagnosis');
    if (!v.contact) warnings.push('has_contact_number');
  }
  for (const p of problems) bump(counts.problems, p);
  for (const x of v.failed) counts.failed_expectations[x]++;
  for (const x of warnings) counts.warnings[x]++;
  if (quarantined) counts.quarantined++;
  else if (!survives) counts.dedup_dropped++;
  if (survives) {
    const ci = v.code === null ? -1 : CODES.indexOf(v.code);
    if (ci >= 0) counts.diagCount[ci]++;
    else bump(counts.otherDiag, v.code ?? 'null');
  }
  // Same text as JSON.stringify of {file, line, problems, failed_expectations, quarantined, survives_dedup, warnings[, duplicate_of]}
  // (every name here is a plain identifier, nothing needs escaping).
  const log = counts.rowJson;
  log.start();
  log.table(entryHead);
  log.int(r + 2);
  log.str(',"problems":');
  log.names(problems);
  log.str(',"failed_expectations":');
  log.names(v.failed);
  log.str(quarantined ? ',"quarantined":true,"survives_dedup":' : ',"quarantined":false,"survives_dedup":');
  log.str(survives ? 'true,"warnings":' : 'false,"warnings":');
  log.names(warnings);
  if (dupOf) {
    log.str(',"duplicate_of":{"file":"');
    log.str(dupOf.file);
    log.str('","line":');
    log.int(dupOf.line);
    log.str('}');
  }
  log.str('}');}

