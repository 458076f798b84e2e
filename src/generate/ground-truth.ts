/**
 * The ground truth of the admissions and vitals files: `ground_truth.json`
 * lists, for every row that has an injected problem, a warning, or does not
 * reach patients_silver, the problems, the expected failed expectations of
 * the pipeline and whether it survives deduplication. A row that is not listed
 * is clean. Per-file and total counts are included.
 *
 * The document is kept as bytes: a head (format, generator settings,
 * expectations, assumptions, totals) and one serialized entry per file, whose
 * row entries are JSON text written piecewise (RowLog), so that no row strings
 * stay alive. The writer thread joins them on every rewrite.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ByteSink, ByteTable, copyEntry } from './bytes.js';
import { PATIENT_DROP_EXPECTATIONS, PATIENT_WARN_EXPECTATIONS, VITALS_ALERTS, VITALS_DROP_EXPECTATIONS } from './catalog.js';
import { type FileCtx, makeCtx, makeLayout, patientsFileName } from './records.js';

import { ASSUMPTIONS } from './rules.js';

export interface PatientCounts {
  rows: number;
  listed: number;
  quarantined: number;
  passed_expectations: number;
  dedup_dropped: number;
  silver_rows: number;
  failed_expectations: Record<string, number>;
  warnings: Record<string, number>;
  problems: Record<string, number>;
  silver_diagnosis: Record<string, number>;
}

export interface VitalsCounts {
  rows: number;
  listed: number;
  quarantined: number;
  failed_expectations: Record<string, number>;
  problems: Record<string, number>;
  alerts: Record<string, number>;
}

export function zeroMap(keys: readonly string[]): Record<string, number> {
  const o: Record<string, number> = {};
  for (const k of keys) o[k] = 0;
  return o;
}

export function bump(m: Record<string, number>, k: string, n = 1): void {
  m[k] = (m[k] ?? 0) + n;
}

export function sortedMap(m: Record<string, number>): Record<string, number> {
  const o: Record<string, number> = {};
  for (const k of Object.keys(m).sort()) o[k] = m[k];
  return o;
}

/** Adds numeric leaves of `src` into `dst` (objects recursively). */
function deepAdd(dst: Record<string, unknown>, src: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(src)) {
    if (typeof v === 'number') dst[k] = ((dst[k] as number | undefined) ?? 0) + v;
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const sub = (dst[k] ??= {}) as Record<string, unknown>;
      deepAdd(sub, v as Record<string, unknown>);
    }
  }
}

interface FileEntry {
  file: string;
  kind: 'patients' | 'vitals';
  index: number;
  [k: string]: unknown;
  rows: unknown[];
}

/** A file entry as it is written: one JSON object, its row entries one per line. */
export function serializeEntry(head: Record<string, unknown>, rows: RowLog): Buffer {
  const h = JSON.stringify(head);
  return Buffer.concat([
    Buffer.from(h.slice(0, -1) + ',"rows":[', 'latin1'), rows.bytes(), Buffer.from(rows.n > 0 ? '\n]}' : ']}', 'latin1'),
  ]);
}

/** Ground-truth row entries of one file, as JSON text bytes (one per line), so that no row strings stay alive. */
export class RowLog {
  private readonly sink = new ByteSink(4096);
  n = 0;
  /** Adds one entry given as JSON text. */
  add(json: string): void {
    this.start();
    this.sink.write(json);
  }
  /** Starts an entry written piecewise with the methods below. */
  start(): void {
    this.sink.write(this.n === 0 ? '\n' : ',\n');
    this.n++;
  }
  table(t: ByteTable): void {
    this.sink.ensure(t.start[1] + 8);
    this.sink.len = copyEntry(this.sink.view, this.sink.len, t, 0);
  }
  str(s: string): void {
    this.sink.write(s);
  }
  int(v: number): void {
    this.sink.write(String(v));
  }
  /** A JSON array of identifier-like strings (nothing to escape). */
  names(a: readonly string[]): void {
    if (a.length === 0) { this.sink.write('[]'); return; }
    for (let i = 0; i < a.length; i++) {
      this.sink.write(i === 0 ? '["' : '","');
      this.sink.write(a[i]);
    }
    this.sink.write('"]');
  }
  bytes(): Buffer {
    return this.sink.bytes();
  }
}

export interface StoredEntry {
  kind: 'patients' | 'vitals';
  index: number;
  counts: Record<string, unknown>;
  fileProblems: string[];
  buf: Buffer;
}

export const GT_NAME = 'ground_truth.json';
const GT_FORMAT = 'localdlt-generator-ground-truth/1';
/** Least time between two ground-truth rewrites when files come faster than that (see generate). */
export const GT_MIN_INTERVAL_MS = 1000;

/** What a folder's earlier runs left: their ground-truth entries, and what is needed to re-send their rows. */
export interface PreviousRuns {
  stored: StoredEntry[];
  /** Contexts of earlier patients files made with the same settings (their rows can be regenerated). */
  ctxs: FileCtx[];
  /** `file:line` of originals one of whose re-sends reached patients_silver. */
  survivedRoots: Set<string>;
}

/**
 * Reads the ground truth of earlier runs in `out` (kept for files below
 * `firstIndex`). Rows of earlier files are regenerated (to re-send them as
 * duplicates) only when they were made with the same settings. An unreadable
 * file is reported and ignored.
 */
export function loadPreviousRuns(
  out: string, firstIndex: number, o: { seed: string; lateRate: number; dirtyRate: number; has: (s: 'dirty') => boolean }, log: (line: string) => void,
): PreviousRuns {
  const prevRuns: PreviousRuns = { stored: [], ctxs: [], survivedRoots: new Set() };
  const gtPath = path.join(out, GT_NAME);
  if (firstIndex === 0 || !fs.existsSync(gtPath)) return prevRuns;
  try {
    const doc = JSON.parse(fs.readFileSync(gtPath, 'utf8')) as { format?: string; generator?: Record<string, unknown>; files?: FileEntry[] };
    if (doc.format !== GT_FORMAT || !Array.isArray(doc.files)) throw new Error('unknown format');
    const prev = doc.generator ?? {};
    const sameRows = prev.seed === o.seed && prev.late_rate === o.lateRate && prev.dirty_rate === o.dirtyRate
      && Array.isArray(prev.scenarios) && (prev.scenarios as string[]).includes('dirty') === o.has('dirty');
    if (!sameRows) log(`generate: note: ${out} was generated with other seed or rates; duplicates will only re-send rows of this run`);
    for (const e of doc.files) {
      if (e.index >= firstIndex) continue;
      const { rows: rowEntries, ...head } = e;
      const rowJson = new RowLog();
      for (const r of rowEntries as Record<string, unknown>[]) rowJson.add(JSON.stringify(r));
      prevRuns.stored.push({
        kind: e.kind, index: e.index, counts: e.counts as Record<string, unknown>,
        fileProblems: (e.file_problems as string[] | undefined) ?? [], buf: serializeEntry(head, rowJson),
      });
      if (e.kind === 'patients' && sameRows) {
        const layout = makeLayout(e.columns as string[], e.admission_date_format === 'MM/DD/YYYY');
        prevRuns.ctxs.push(makeCtx(e.index, e.row_count as number, Date.parse(e.sim_start as string), Date.parse(e.sim_end as string),
          e.diagnosis_weights as number[], layout));
        for (const r of rowEntries as { survives_dedup?: boolean; duplicate_of?: { file: string; line: number } }[]) {
          if (r.duplicate_of && r.survives_dedup) prevRuns.survivedRoots.add(r.duplicate_of.file + ':' + r.duplicate_of.line);
        }
      }
    }
    const known = new Set(prevRuns.stored.filter((s) => s.kind === 'patients').map((s) => s.index));
    const missing: number[] = [];
    for (let i = 0; i < firstIndex; i++) if (!known.has(i) && fs.existsSync(path.join(out, patientsFileName(i)))) missing.push(i);
    if (missing.length > 0) log(`generate: warning: ${GT_NAME} has no entry for ${missing.length} existing file(s) (e.g. ${patientsFileName(missing[0])}); they are left out of the ground truth`);
    return prevRuns;
  } catch (e) {
    log(`generate: warning: ignoring unreadable ${GT_NAME} (${(e as Error).message}); it is rewritten with the files of this run only`);
    return { stored: [], ctxs: [], survivedRoots: new Set() };
  }
}

/** Running totals of the ground truth (earlier runs' files included) and the document head. */
export class GroundTruthTotals {
  private readonly totals = {
    patients_files: 0, vitals_files: 0, patients: {} as Record<string, unknown>, vitals: {} as Record<string, unknown>,
    file_problems: {} as Record<string, number>,
  };

  constructor(private readonly generatorDoc: Record<string, unknown>) {}

  add(s: StoredEntry): void {
    const totals = this.totals;
    if (s.kind === 'patients') { totals.patients_files++; deepAdd(totals.patients, s.counts); } else { totals.vitals_files++; deepAdd(totals.vitals, s.counts); }
    for (const p of s.fileProblems) bump(totals.file_problems, p);
  }

  /** Everything before the file entries. */
  head(): Buffer {
    const totals = this.totals;
    const t = { ...totals, patients: { ...totals.patients }, vitals: { ...totals.vitals }, file_problems: sortedMap(totals.file_problems) };
    for (const x of [t.patients, t.vitals]) if (x.problems) x.problems = sortedMap(x.problems as Record<string, number>);
    return Buffer.from('{"format":' + JSON.stringify(GT_FORMAT) + ',\n'
      + '"about":' + JSON.stringify('Rows not listed under a file are clean: no problems, no failed expectations, not quarantined, '
        + 'survive deduplication, no warnings. line = physical line number, the header is line 1. warnings are only given for rows '
        + 'that reach patients_silver. Expectations are evaluated after cleaning (see assumptions).') + ',\n'
      + '"generator":' + JSON.stringify(this.generatorDoc) + ',\n'
      + '"expectations":' + JSON.stringify({
        patients_clean_drop: PATIENT_DROP_EXPECTATIONS, patients_silver_dedup_keys: ['patient_id', 'admission_date', 'diagnosis_code'],
        patients_silver_warn: PATIENT_WARN_EXPECTATIONS, vitals_drop: VITALS_DROP_EXPECTATIONS, vitals_alerts: VITALS_ALERTS,
      }) + ',\n'
      + '"assumptions":' + JSON.stringify(ASSUMPTIONS) + ',\n'
      + '"totals":' + JSON.stringify(t) + ',\n'
      + '"files":[\n');
  }
}
