/**
 * The ground truth of the patient updates feed (`updates_ground_truth.json`):
 * what `patients_current` (AUTO CDC, SCD type 1) and `patients_history` (SCD
 * type 2) must hold after every event of the feed, and which rows go to
 * quarantine.
 *
 * It is computed from the rows of the files alone, as written (or as read back
 * from the folder), never from the generator's model: every valid event is
 * sorted by key and sequence and folded once, from scratch, so that the result
 * can serve as an oracle for an incremental CDC implementation. The semantics
 * are spelled out in UPDATES_SEMANTICS (and in the README's "Synthetic data").
 */
import { clean, parseTimestampMs } from './rules.js';

export const UPDATE_COLUMNS = ['patient_id', 'name', 'address', 'contact_number', 'insurance_id', 'op', 'updated_at'] as const;
/** Columns of patients_current (SCD1): the feed without `op`. */
export const CURRENT_COLUMNS = ['patient_id', 'name', 'address', 'contact_number', 'insurance_id', 'updated_at'] as const;
/** Columns of patients_history (SCD2): the feed without `op` and the sequence `updated_at`, plus the version bounds. */
export const HISTORY_COLUMNS = ['patient_id', 'name', 'address', 'contact_number', 'insurance_id', '__START_AT', '__END_AT'] as const;
/** Columns whose change opens a new SCD2 version; `insurance_id` is updated in place. */
export const TRACKED_COLUMNS = ['name', 'address', 'contact_number'] as const;

export const UPDATES_GT_NAME = 'updates_ground_truth.json';
export const UPDATES_GT_FORMAT = 'localdlt-generator-updates-ground-truth/1';

/** Why a row of the feed goes to quarantine (the first that applies, in this order). */
export type QuarantineReason = 'null_patient_id' | 'null_updated_at' | 'unknown_op';

export const UPDATES_SEMANTICS: readonly string[] = [
  'Reading: fields are trimmed; empty, null, na, n/a, nan, none (any case) are NULL; updated_at is an ISO-8601 timestamp, NULL when it does not parse.',
  'Quarantine: a row with a NULL patient_id, else a NULL updated_at, else an op other than exactly UPSERT or DELETE (NULL included), with that reason; every other row is a valid event.',
  'Events are applied in updated_at (sequence) order per patient_id, whatever their order in and across files; exact re-sends are the same event.',
  'Ties (same patient_id and updated_at): a DELETE wins; otherwise the UPSERT whose row is greatest comparing name, address, contact_number, insurance_id in that order as text (NULL lowest, then byte order). The generated ties differ only in contact_number, whose values have one length, so every text order of the row agrees.',
  'patients_current (SCD1, without IGNORE NULL UPDATES): per patient_id, the winning event of the highest sequence; an UPSERT gives the row (its NULLs included) with its updated_at, a DELETE leaves the key absent.',
  'patients_history (SCD2, TRACK HISTORY ON name, address, contact_number; insurance_id untracked; updated_at is the sequence and not a column): folding the events in sequence order, an UPSERT opens a version (__START_AT = its updated_at, __END_AT NULL) when no version is open or a tracked column differs from the open version (NULL equals NULL), closing the open one at the same instant; an UPSERT with equal tracked columns updates the open version in place (insurance_id takes its value); a DELETE closes the open version (__END_AT = its updated_at) and does nothing when none is open.',
  'So consecutive versions never have equal tracked columns, except across a deletion (a gap). The current version of a key is the one with __END_AT NULL; a deleted key has none.',
];

/** One physical line of an updates file: its field texts in UPDATE_COLUMNS order (null when the line has fewer fields). */
export interface UpdateLine {
  file: string;
  line: number;
  fields: (string | null)[];
}

/** A valid event, cleaned. */
export interface UpdateEvent {
  patient_id: string;
  name: string | null;
  address: string | null;
  contact_number: string | null;
  insurance_id: string | null;
  op: 'UPSERT' | 'DELETE';
  /** updated_at in epoch milliseconds. */
  seq: number;
}

export type CurrentRow = Record<(typeof CURRENT_COLUMNS)[number], string | null>;
export type HistoryRow = Record<(typeof HISTORY_COLUMNS)[number], string | null>;

/** An updates file line as a valid event, or the reason it goes to quarantine. */
export function classifyUpdate(l: UpdateLine): UpdateEvent | QuarantineReason {
  const f = (c: number): string | null => clean(l.fields[c] ?? null);
  const pid = f(0);
  if (pid === null) return 'null_patient_id';
  const at = f(6);
  const seq = at === null ? null : parseTimestampMs(at);
  if (seq === null) return 'null_updated_at';
  const op = f(5);
  if (op !== 'UPSERT' && op !== 'DELETE') return 'unknown_op';
  return { patient_id: pid, name: f(1), address: f(2), contact_number: f(3), insurance_id: f(4), op, seq };
}

/** `YYYY-MM-DDTHH:MM:SS[.fff]Z` of epoch milliseconds (the milliseconds only when not zero). */
export function isoTimestamp(ms: number): string {
  const s = new Date(ms).toISOString();
  return s.endsWith('.000Z') ? s.slice(0, 19) + 'Z' : s;
}

function compareText(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/** The order of two events of one key and sequence: the greater one wins the tie. */
export function tieOrder(a: UpdateEvent, b: UpdateEvent): number {
  if (a.op !== b.op) return a.op === 'DELETE' ? 1 : -1;
  return compareText(a.name, b.name) || compareText(a.address, b.address)
    || compareText(a.contact_number, b.contact_number) || compareText(a.insurance_id, b.insurance_id);
}

export interface UpdatesFold {
  current: CurrentRow[];
  history: HistoryRow[];
  /** Valid events that repeat an earlier valid event exactly. */
  resentEvents: number;
  /** Distinct events sharing a key and sequence with another one, beyond the first. */
  sequenceTies: number;
  /** Tie groups a DELETE won. */
  deleteWonTies: number;
}

/**
 * SCD1 and SCD2 of the valid events, by sorting them by (key, sequence) and
 * folding each key's events once (see UPDATES_SEMANTICS). Rows come sorted by
 * patient_id (then __START_AT).
 */
export function foldUpdates(events: readonly UpdateEvent[]): UpdatesFold {
  const sorted = events.slice().sort((a, b) => compareText(a.patient_id, b.patient_id) || a.seq - b.seq || tieOrder(a, b));
  const current: CurrentRow[] = [];
  const history: HistoryRow[] = [];
  let resentEvents = 0;
  let sequenceTies = 0;
  let deleteWonTies = 0;
  let i = 0;
  while (i < sorted.length) {
    const key = sorted[i].patient_id;
    let open: HistoryRow | null = null;
    let last: UpdateEvent | null = null;
    while (i < sorted.length && sorted[i].patient_id === key) {
      // the events of one sequence: the greatest (last in sort order) wins
      let j = i;
      let distinct = 1;
      while (j + 1 < sorted.length && sorted[j + 1].patient_id === key && sorted[j + 1].seq === sorted[i].seq) {
        j++;
        if (tieOrder(sorted[j - 1], sorted[j]) === 0) resentEvents++;
        else distinct++;
      }
      const e = sorted[j];
      if (distinct > 1) {
        sequenceTies += distinct - 1;
        if (e.op === 'DELETE') deleteWonTies++;
      }
      i = j + 1;
      last = e;
      const at = isoTimestamp(e.seq);
      if (e.op === 'DELETE') {
        if (open !== null) { open.__END_AT = at; open = null; }
        continue;
      }
      if (open !== null && open.name === e.name && open.address === e.address && open.contact_number === e.contact_number) {
        open.insurance_id = e.insurance_id;
        continue;
      }
      if (open !== null) open.__END_AT = at;
      open = { patient_id: key, name: e.name, address: e.address, contact_number: e.contact_number, insurance_id: e.insurance_id, __START_AT: at, __END_AT: null };
      history.push(open);
    }
    if (last !== null && last.op === 'UPSERT') {
      current.push({
        patient_id: key, name: last.name, address: last.address, contact_number: last.contact_number, insurance_id: last.insurance_id,
        updated_at: isoTimestamp(last.seq),
      });
    }
  }
  return { current, history, resentEvents, sequenceTies, deleteWonTies };
}

/** Per file of the feed, as listed in the ground truth. */
export interface UpdatesFileEntry {
  file: string;
  index: number;
  rows: number;
  valid_events: number;
  quarantined: number;
  /** What the generator put into the file, by kind (absent for files it did not write and found no record of). */
  generated?: Record<string, number>;
}

/** The document `updates_ground_truth.json`, from every line of the feed. */
export function updatesGroundTruth(lines: readonly UpdateLine[], files: readonly UpdatesFileEntry[], generator: Record<string, unknown>): Buffer {
  const events: UpdateEvent[] = [];
  const quarantine: { file: string; line: number; reason: QuarantineReason }[] = [];
  const reasons: Record<string, number> = { null_patient_id: 0, null_updated_at: 0, unknown_op: 0 };
  let upserts = 0;
  for (const l of lines) {
    const v = classifyUpdate(l);
    if (typeof v === 'string') {
      quarantine.push({ file: l.file, line: l.line, reason: v });
      reasons[v]++;
    } else {
      events.push(v);
      if (v.op === 'UPSERT') upserts++;
    }
  }
  const fold = foldUpdates(events);
  const counts = {
    files: files.length, rows: lines.length, valid_events: events.length, upserts, deletes: events.length - upserts,
    quarantined: quarantine.length, quarantine_reasons: reasons, resent_events: fold.resentEvents, sequence_ties: fold.sequenceTies,
    ties_won_by_delete: fold.deleteWonTies, current_rows: fold.current.length, history_versions: fold.history.length,
    open_versions: fold.history.filter((h) => h.__END_AT === null).length,
  };
  const list = (rows: readonly unknown[]): string => (rows.length === 0 ? '[]' : '[\n' + rows.map((r) => JSON.stringify(r)).join(',\n') + '\n]');
  return Buffer.from('{"format":' + JSON.stringify(UPDATES_GT_FORMAT) + ',\n'
    + '"about":' + JSON.stringify('What the CDC targets of the patient updates feed must hold after every file listed, computed by sorting '
      + 'the valid events by patient_id and updated_at and folding them once (see semantics). Timestamps are ISO-8601 UTC; '
      + 'line = physical line number, the header is line 1.') + ',\n'
    + '"semantics":' + JSON.stringify(UPDATES_SEMANTICS) + ',\n'
    + '"generator":' + JSON.stringify(generator) + ',\n'
    + '"columns":' + JSON.stringify({ feed: UPDATE_COLUMNS, patients_current: CURRENT_COLUMNS, patients_history: HISTORY_COLUMNS, tracked: TRACKED_COLUMNS }) + ',\n'
    + '"counts":' + JSON.stringify(counts) + ',\n'
    + '"files":' + list(files) + ',\n'
    + '"quarantine":' + list(quarantine) + ',\n'
    + '"patients_current":' + list(fold.current) + ',\n'
    + '"patients_history":' + list(fold.history) + '\n}\n', 'utf8');
}
