/**
 * The patient updates feed (`--updates`): `patient_updates_NNNNNN.csv`, one
 * file per admissions file index, with full-row change events
 * (`patient_id,name,address,contact_number,insurance_id,op,updated_at`) of
 * patients that appear in the admissions feed: registrations, moves, phone
 * changes, name corrections, insurance changes and erasures (DELETE), some
 * back-dated (late, out of order across files), some re-sent, a few sharing
 * their patient's sequence with another event, and junk rows for quarantine at
 * the dirty rate.
 *
 * Each file has its own random stream (seed, file index), apart from the
 * admissions and vitals streams, so `--updates` changes no other file. The
 * generator's model of a patient is the latest valid event by sequence among
 * the events so far (earlier runs' files are read back), and the values of its
 * admission row before that. The ground truth is not computed from this model:
 * see updates-truth.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ByteSink } from './bytes.js';
import { DAY_MS } from './dates.js';
import { NULL_MARKERS_OUT } from './dirt.js';
import { genRow } from './patients.js';
import { Rng, mix32 } from './random.js';
import { type FileCtx, type Gen, newRec, NO_PROBLEMS, F_ADDRESS, F_CONTACT, F_NAME, F_PID } from './records.js';
import { LAST, NUM, PHONE3, STREET_SUFFIX, T4 } from './tables.js';
import {
  UPDATE_COLUMNS, UPDATES_GT_NAME, classifyUpdate, isoTimestamp, tieOrder, updatesGroundTruth,
  type UpdateEvent, type UpdateLine, type UpdatesFileEntry,
} from './updates-truth.js';

/** What the generator puts into the feed, by kind. */
export const UPDATE_KINDS: Readonly<Record<string, string>> = {
  registration: 'the first event of a patient: an UPSERT with the name, address, contact number and insurance of its admission row',
  move: 'an UPSERT with a new address',
  phone_change: 'an UPSERT with a new contact_number (one in twelve NULL: the number was removed)',
  name_correction: 'an UPSERT with the last name corrected (sometimes to the same name: no tracked change)',
  insurance_change: 'an UPSERT with a new insurance_id (one in ten NULL); insurance_id is not tracked in SCD2',
  erasure: 'a DELETE (name, address, contact_number and insurance_id NULL)',
  reregistration: 'an UPSERT with the admission values for a patient whose latest event is a DELETE (the row comes back)',
  late: 'updated_at back-dated by 1..10 days (3 x --late-rate of the events): out of order, across files',
  resent: 'an exact copy of an earlier valid event of this file or the three before it',
  tie: 'a second event with the same patient_id and updated_at, elsewhere in the file: a DELETE (3 in 10) or an UPSERT with another contact_number',
  null_patient_id: 'quarantine: patient_id is a null marker',
  null_updated_at: 'quarantine: updated_at is a null marker',
  unknown_op: 'quarantine: op is not UPSERT or DELETE (MERGE, INSERT, X, or empty)',
};

const RESEND_RATE = 0.04;
const TIE_RATE = 0.03;
const CHANGES: readonly (readonly [string, number])[] = [
  ['move', 0.32], ['phone_change', 0.26], ['insurance_change', 0.2], ['name_correction', 0.14], ['erasure', 0.08],
];
const UNKNOWN_OPS = ['MERGE', 'INSERT', 'X', ''];
/** Admissions files a new patient is picked from: this index and the seven before. */
const PATIENT_WINDOW = 8;
/** Share of events for a patient already in the feed (picked uniformly), so that histories get long. */
const KNOWN_RATE = 0.6;

export const UPDATES_FILE_RE = /^patient_updates_(\d{6,})\.csv$/;

export function updatesFileName(i: number): string {
  return `patient_updates_${String(i).padStart(6, '0')}.csv`;
}

const HEADER = UPDATE_COLUMNS.join(',');

type Values = Omit<UpdateEvent, 'seq' | 'op'>;

function lineText(v: Values, op: string, at: string): string {
  return `${v.patient_id},${v.name ?? ''},${v.address ?? ''},${v.contact_number ?? ''},${v.insurance_id ?? ''},${op},${at}`;
}

/** Splits a line of an updates file into its fields (the feed never quotes). */
function splitLine(text: string): (string | null)[] {
  const f: (string | null)[] = text.split(',');
  while (f.length < UPDATE_COLUMNS.length) f.push(null);
  return f;
}

export interface UpdatesSettings {
  seed: string;
  updateRows: number;
  lateRate: number;
  dirtyRate: number;
  start: string;
  simStepMs: number;
}

/** The feed across files: every line so far (for the ground truth) and the generator's model. */
export class UpdatesFeed {
  private readonly lines: UpdateLine[] = [];
  private readonly files: UpdatesFileEntry[] = [];
  /** Per patient, the latest valid event (by sequence, ties as in the ground truth). */
  private readonly latest = new Map<string, UpdateEvent>();
  /** Texts of the valid lines per file index (for re-sends). */
  private readonly validTexts = new Map<number, string[]>();
  /** Patients with a valid event, in the order of the files and lines that first named them. */
  private readonly known: string[] = [];
  private readonly knownSet = new Set<string>();
  private readonly rec = newRec();

  constructor(private readonly settings: UpdatesSettings, private readonly firstIndex: number) {}

  /**
   * The feed of `out` before `firstIndex` (files of earlier runs), with the
   * per-file records of the previous ground truth where it has them.
   */
  static load(out: string, firstIndex: number, settings: UpdatesSettings, log: (line: string) => void): UpdatesFeed {
    const feed = new UpdatesFeed(settings, firstIndex);
    const earlier = fs.readdirSync(out).map((n) => [n, UPDATES_FILE_RE.exec(n)] as const)
      .filter((x): x is readonly [string, RegExpExecArray] => x[1] !== null && Number(x[1][1]) < firstIndex)
      .map(([n, m]) => ({ name: n, index: Number(m[1]) })).sort((a, b) => a.index - b.index);
    if (earlier.length === 0) return feed;
    const generated = new Map<string, Record<string, number>>();
    try {
      const doc = JSON.parse(fs.readFileSync(path.join(out, UPDATES_GT_NAME), 'utf8')) as { files?: UpdatesFileEntry[] };
      for (const e of doc.files ?? []) if (e.generated) generated.set(e.file, e.generated);
    } catch {
      log(`generate: note: no readable ${UPDATES_GT_NAME}; the earlier update files are listed without what was generated in them`);
    }
    for (const { name, index } of earlier) {
      const text = fs.readFileSync(path.join(out, name), 'latin1');
      const rows = text.split('\n');
      if (rows[rows.length - 1] === '') rows.pop();
      const lines = rows.slice(1).map((r, k) => ({ file: name, line: k + 2, fields: splitLine(r.endsWith('\r') ? r.slice(0, -1) : r) }));
      feed.add(name, index, lines, generated.get(name));
    }
    return feed;
  }

  /** The model keeps the later event (by sequence, ties as in the ground truth). */
  private apply(e: UpdateEvent): void {
    const cur = this.latest.get(e.patient_id);
    if (cur === undefined || e.seq > cur.seq || (e.seq === cur.seq && tieOrder(e, cur) > 0)) this.latest.set(e.patient_id, e);
  }

  /** The admission values of a patient of the feed (null when its admissions file is not known to this run). */
  private admissionOf(g: Gen, pid: string, ctxOf: (i: number) => FileCtx | undefined): Values | null {
    const m = /^P(\d{6})(\d{6,})$/.exec(pid);
    const ctx = m === null ? undefined : ctxOf(Number(m[1]));
    if (m === null || ctx === undefined || Number(m[2]) >= ctx.rows) return null;
    return this.cleanAdmission(g, ctx, Number(m[2]));
  }

  /** The admission values of row `r` of an admissions file when the row is clean (it reaches patients_silver), else null. */
  private cleanAdmission(g: Gen, ctx: FileCtx, r: number): Values | null {
    const rec = this.rec;
    genRow(g, ctx, r, rec, true);
    if (rec.problems !== NO_PROBLEMS && !(rec.problems.length === 1 && rec.problems[0] === 'late')) return null;
    return {
      patient_id: rec.f[F_PID], name: rec.f[F_NAME], address: rec.f[F_ADDRESS], contact_number: rec.f[F_CONTACT],
      insurance_id: 'INS' + T4[(rec.ins / 10000) | 0] + T4[rec.ins % 10000],
    };
  }

  /** Records the lines of a file: the ground truth's input and the model's. */
  private add(name: string, index: number, lines: UpdateLine[], generated: Record<string, number> | undefined): UpdatesFileEntry {
    const texts: string[] = [];
    let valid = 0;
    for (const l of lines) {
      this.lines.push(l);
      const e = classifyUpdate(l);
      if (typeof e === 'string') continue;
      valid++;
      texts.push(l.fields.join(','));
      if (!this.knownSet.has(e.patient_id)) { this.knownSet.add(e.patient_id); this.known.push(e.patient_id); }
      this.apply(e);
    }
    this.validTexts.set(index, texts);
    const entry: UpdatesFileEntry = { file: name, index, rows: lines.length, valid_events: valid, quarantined: lines.length - valid };
    if (generated) entry.generated = generated;
    this.files.push(entry);
    return entry;
  }

  /**
   * Generates the updates file of admissions file `index` (simulated period
   * [simStartMs, simEndMs)) into `sink`; `ctxOf` gives the admissions files
   * patients are picked from.
   */
  build(g: Gen, index: number, simStartMs: number, simEndMs: number, ctxOf: (i: number) => FileCtx | undefined, sink: ByteSink): { name: string; content: Buffer; entry: UpdatesFileEntry } {
    const s = this.settings;
    const name = updatesFileName(index);
    const rng = new Rng();
    rng.s = mix32(g.seedHash ^ mix32(Math.imul(index + 1, 0x2c1b3c6d) ^ 0x0bda7e5));
    const lateRate = Math.min(1, s.lateRate * 3);
    const kinds: Record<string, number> = {};
    const count = (k: string): void => { kinds[k] = (kinds[k] ?? 0) + 1; };
    const out: string[] = [];
    const own: string[] = [];
    const resendFrom = [own, ...[1, 2, 3].map((k) => this.validTexts.get(index - k) ?? [])];
    const span = Math.max(0, simEndMs - simStartMs);

    /** A patient admitted by a recent admissions file with a clean row (in an ISO-dated file: it reaches patients_silver). */
    const pickPatient = (): Values | null => {
      for (let attempt = 0; attempt < 4; attempt++) {
        const f = index - rng.int(Math.min(PATIENT_WINDOW, index + 1));
        const u = rng.next();
        const ctx = ctxOf(f);
        if (ctx === undefined || ctx.rows === 0 || ctx.layout.usDate) continue;
        let r = Math.floor(u * ctx.rows);
        for (let k = 0; k < 16; k++, r = (r + 1) % ctx.rows) {
          const v = this.cleanAdmission(g, ctx, r);
          if (v !== null) return v;
        }
      }
      return null;
    };
    const newPhone = (): string => PHONE3[rng.int(1000)] + T4[rng.int(10000)];
    const emit = (text: string, valid: boolean): void => {
      out.push(text);
      if (valid) own.push(text);
    };

    for (let j = 0; j < s.updateRows; j++) {
      if (rng.next() < s.dirtyRate) {
        // junk for quarantine: an event of a patient with one field broken
        const p = pickPatient();
        if (p === null) continue;
        const f = splitLine(lineText(p, 'UPSERT', isoTimestamp(simStartMs + Math.floor((rng.next() * span) / 1000) * 1000)));
        const reason = (['null_patient_id', 'null_updated_at', 'unknown_op'] as const)[rng.int(3)];
        if (reason === 'null_patient_id') f[0] = rng.pick(NULL_MARKERS_OUT);
        else if (reason === 'null_updated_at') f[6] = rng.pick(NULL_MARKERS_OUT);
        else f[5] = rng.pick(UNKNOWN_OPS);
        count(reason);
        emit(f.join(','), false);
        continue;
      }
      if (rng.next() < RESEND_RATE) {
        const from = resendFrom[rng.int(resendFrom.length)];
        if (from.length > 0) {
          count('resent');
          emit(from[rng.int(from.length)], true);
          continue;
        }
      }
      let admission: Values | null = null;
      if (this.known.length > 0 && rng.next() < KNOWN_RATE) admission = this.admissionOf(g, this.known[rng.int(this.known.length)], ctxOf);
      admission ??= pickPatient();
      if (admission === null) continue;
      const cur = this.latest.get(admission.patient_id);
      let kind: string;
      if (cur === undefined) kind = 'registration';
      else if (cur.op === 'DELETE') kind = 'reregistration';
      else {
        const u = rng.next();
        let acc = 0;
        kind = CHANGES[CHANGES.length - 1][0];
        for (const [k, w] of CHANGES) if (u < (acc += w)) { kind = k; break; }
      }
      let seq = simStartMs + Math.floor((rng.next() * span) / 1000) * 1000;
      if (rng.next() < lateRate) {
        seq -= (1 + rng.int(10)) * DAY_MS;
        count('late');
      }
      const v: Values = cur === undefined || cur.op === 'DELETE' ? admission
        : { patient_id: cur.patient_id, name: cur.name, address: cur.address, contact_number: cur.contact_number, insurance_id: cur.insurance_id };
      let op: 'UPSERT' | 'DELETE' = 'UPSERT';
      switch (kind) {
        case 'move': v.address = NUM[1 + rng.int(9999)] + STREET_SUFFIX[rng.int(STREET_SUFFIX.length)]; break;
        case 'phone_change': v.contact_number = rng.next() < 1 / 12 ? null : newPhone(); break;
        case 'insurance_change': v.insurance_id = rng.next() < 0.1 ? null : 'INS' + T4[rng.int(10000)] + T4[rng.int(10000)]; break;
        case 'name_correction': {
          const first = v.name === null ? 'Alex' : v.name.slice(0, Math.max(0, v.name.indexOf(' ')));
          v.name = first + ' ' + LAST[rng.int(LAST.length)];
          break;
        }
        case 'erasure': op = 'DELETE'; v.name = v.address = v.contact_number = v.insurance_id = null; break;
      }
      count(kind);
      const at = isoTimestamp(seq);
      emit(lineText(v, op, at), true);
      this.apply({ ...v, op, seq });
      if (op === 'UPSERT' && rng.next() < TIE_RATE) {
        // a competing event of the same patient and instant, somewhere in the file
        const del = rng.next() < 0.3;
        const w: Values = del ? { patient_id: v.patient_id, name: null, address: null, contact_number: null, insurance_id: null } : { ...v, contact_number: newPhone() };
        const text = lineText(w, del ? 'DELETE' : 'UPSERT', at);
        out.splice(rng.int(out.length + 1), 0, text);
        own.push(text);
        this.apply({ ...w, op: del ? 'DELETE' : 'UPSERT', seq });
        count('tie');
      }
    }
    sink.write(HEADER + '\n');
    const lines: UpdateLine[] = [];
    for (let k = 0; k < out.length; k++) {
      sink.write(out[k] + '\n');
      lines.push({ file: name, line: k + 2, fields: splitLine(out[k]) });
    }
    const generated: Record<string, number> = {};
    for (const k of Object.keys(kinds).sort()) generated[k] = kinds[k];
    // as a later run reading the file back would (the model already holds these events: applying them again changes nothing)
    const entry = this.add(name, index, lines, generated);
    return { name, content: sink.bytes(), entry };
  }

  /** `updates_ground_truth.json` for every file so far. */
  groundTruth(): Buffer {
    const s = this.settings;
    return updatesGroundTruth(this.lines, this.files, {
      seed: s.seed, update_rows: s.updateRows, start: s.start, sim_step_ms: s.simStepMs, dirty_rate: s.dirtyRate,
      late_rate: Math.min(1, s.lateRate * 3), resend_rate: RESEND_RATE, tie_rate: TIE_RATE, first_file_of_run: this.firstIndex,
    });
  }
}
