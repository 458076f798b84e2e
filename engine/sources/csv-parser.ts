/**
 * A single-pass CSV parser that builds columnar batches directly.
 *
 * The input is scanned as UTF-8 bytes, in place: the delimiters are ASCII and
 * never part of a multi-byte sequence, so a byte scan finds the same fields a
 * character scan would. Every field is located as a byte range `[a, b)`
 * (quoted fields are unescaped into a scratch buffer first) and converted
 * straight into the typed column of its declared type: numbers, booleans,
 * dates and timestamps are parsed from the bytes; string values are copied as
 * bytes into the column (no JS string is made). Only header names, rescued
 * values and corrupt records are decoded. No row objects are built. Invalid
 * UTF-8 is replaced by U+FFFD first, exactly as TextDecoder replaces it.
 *
 * Rules (the contract the rest of the engine and its tests rely on):
 * - Records end at LF or CRLF (a CR right before the end of the file also ends
 *   it). A lone CR anywhere else is data. A UTF-8 BOM at the start is skipped.
 * - A blank line (nothing, or only spaces/tabs, before its LF / CRLF) is
 *   skipped but still counts for physical line numbers.
 * - With `header`, the first non-blank line names the columns: names are
 *   trimmed and matched case-insensitively (an exact match is preferred) to
 *   the declared schema, in any order. A repeated name after its first
 *   occurrence is treated as an unknown column. Declared columns missing from
 *   the header are NULL. Without `header`, fields map to columns by position.
 * - Values are trimmed of ASCII spaces and tabs (quoted content too). Empty
 *   values and null markers (case-insensitive) are NULL.
 * - A `"` opens a quoted field only at the start of a field (after optional
 *   spaces/tabs). Inside, `,` and newlines are data and `""` is one quote.
 *   After the closing quote, text up to the next `,` / end of line is appended
 *   literally. Elsewhere a quote is literal text.
 * - A value that does not convert to its column's type is NULL and its trimmed
 *   text is rescued under the column name. Fields of columns not in the schema
 *   are rescued under their (trimmed) header name; fields beyond the header
 *   (or beyond the schema without a header) are rescued as `_c<index>`. NULL
 *   values are never rescued. If a key would repeat within one row (e.g. a
 *   duplicated header name next to a failed conversion of the same column),
 *   the later one is rescued as `_c<index>` instead.
 * - `_rescued_data` is a JSON object, keys in field order, or NULL.
 * - A quote still open at the end of the file turns the record that contains
 *   it into a row of NULLs with `_rescued_data = {"_corrupt_record": <first
 *   physical line of the record>}`; parsing resumes at the next physical line.
 *   (If this happens in the header record, the header is read from its first
 *   physical line alone, the open quote running to the end of that line.)
 * - `_line` is the 1-based physical line of the record's first line.
 *
 * Type rules are in `csv-values.ts` (int: INT32; long: ±(2^53 − 1); double:
 * JS-style decimal, finite; boolean: true/false; date: real `YYYY-MM-DD`;
 * timestamp: ISO-8601, default UTC, bare date = midnight).
 */
import type { Batch, Column } from '../batch.js';
import { schemaOf } from '../batch.js';
import { StringColumnBuilder, constantStringColumn, stringColumnFromArray } from '../column/string-column.js';
import { toValidUtf8, utf8Decode, utf8Encode } from '../column/utf8.js';
import type { CsvOptions } from '../ir/plan.js';
import type { DataType, Field } from '../ir/types.js';
import {
  DEFAULT_NULL_MARKERS,
  parseBoolRange,
  parseDateRange,
  parseDoubleRange,
  parseIntRange,
  parseLongRange,
  parseTimestampRange,
} from './csv-values.js';

export { parseDateDays, parseTimestampUs, formatDate, formatTimestamp } from './csv-values.js';

export interface CsvParseResult {
  /** Declared schema fields, then (with `metadataColumns`) `_rescued_data`, `_source_file`, `_line`, `_ingested_at`. */
  batch: Batch;
  /** Trimmed header names as found in the file (empty without a header line). */
  header: string[];
  /** Non-empty header names (trimmed) that match no declared column, in file order, without repeats (case-insensitive). */
  unknownColumns: string[];
  /** Number of data rows produced (= batch.length). */
  records: number;
}

const K_STRING = 0;
const K_INT = 1;
const K_LONG = 2;
const K_DOUBLE = 3;
const K_BOOL = 4;
const K_DATE = 5;
const K_TS = 6;

function kindOf(t: DataType, name: string): number {
  switch (t) {
    case 'string': return K_STRING;
    case 'int': return K_INT;
    case 'long': return K_LONG;
    case 'double': return K_DOUBLE;
    case 'boolean': return K_BOOL;
    case 'date': return K_DATE;
    case 'timestamp': return K_TS;
    default: throw new Error(`internal: CSV column ${name} has unsupported type ${t}`);
  }
}

/** Case-insensitive null-marker matching on UTF-8 bytes. */
class NullMarkers {
  readonly maxLen: number;
  private readonly byLen: (Uint8Array[] | undefined)[] = [];
  private readonly set: Set<string>;
  private readonly anyNonAscii: boolean;
  /** ASCII codes that can start a marker (either case). */
  private readonly first = new Uint8Array(128);

  constructor(markers: readonly string[]) {
    // Values are compared after trimming, so markers are trimmed too.
    const lower = markers.map((m) => trimText(m).toLowerCase());
    this.set = new Set(lower);
    let max = 0;
    let nonAscii = false;
    for (const m of lower) {
      if (m.length === 0) continue;
      const codes = Buffer.from(m, 'utf8');
      if (codes.length !== m.length) { nonAscii = true; max = Math.max(max, codes.length * 2); continue; }
      max = Math.max(max, codes.length);
      (this.byLen[codes.length] ??= []).push(codes);
      const f = codes[0];
      this.first[f] = 1;
      if (f >= 97 && f <= 122) this.first[f - 32] = 1;
    }
    this.anyNonAscii = nonAscii;
    this.maxLen = max;
  }

  /** Whether u[a, b) (non-empty, length <= maxLen) is a marker. */
  is(u: Uint8Array, a: number, b: number): boolean {
    const f = u[a];
    if (f < 128 && this.first[f] === 0 && !this.anyNonAscii) return false;
    for (let k = a; k < b; k++) if (u[k] > 127) return this.anyNonAscii && this.set.has(utf8Decode(u, a, b).toLowerCase());
    const list = this.byLen[b - a];
    if (list === undefined) return false;
    outer: for (let t = 0; t < list.length; t++) {
      const m = list[t];
      for (let k = a; k < b; k++) {
        let c = u[k];
        if (c >= 65 && c <= 90) c += 32;
        if (c !== m[k - a]) continue outer;
      }
      return true;
    }
    return false;
  }
}

/** Unescaped content of the last quoted field scanned by scanQuoted: qBuf[0, qLen). */
let qBuf = new Uint8Array(1024);
let qLen = 0;

function qAppend(u: Uint8Array, a: number, b: number): void {
  const need = qLen + (b - a);
  if (need > qBuf.length) {
    const g = new Uint8Array(Math.max(need, qBuf.length * 2));
    g.set(qBuf.subarray(0, qLen));
    qBuf = g;
  }
  if (b - a > 32) qBuf.set(u.subarray(a, b), qLen);
  else for (let k = a; k < b; k++) qBuf[qLen + k - a] = u[k];
  qLen = need;
}

/**
 * Scans the quoted field whose opening quote is at `open`: returns the index
 * of the closing quote (content in `qBuf`), or -1 when the quote is still
 * open at the end of the text. `doom` memoizes scans known to run to the end
 * (2 = an opening quote that failed, 1 = a `""` pair on a failed chain; any
 * scan that reaches one fails too), which keeps repeated failures linear.
 */
function scanQuoted(u: Uint8Array, open: number, doom: Uint8Array | null): number {
  if (doom !== null && doom[open] === 2) return -1;
  let p = open + 1;
  qLen = 0;
  for (;;) {
    const q = u.indexOf(34, p);
    if (q < 0 || (doom !== null && doom[q] === 1)) return -1;
    if (u[q + 1] === 34) {
      qAppend(u, p, q + 1);
      p = q + 2;
      continue;
    }
    qAppend(u, p, q);
    return q;
  }
}

function markDoomed(u: Uint8Array, open: number, doom: Uint8Array): void {
  doom[open] = 2;
  let p = open + 1;
  for (;;) {
    const q = u.indexOf(34, p);
    if (q < 0 || doom[q] === 1) return;
    doom[q] = 1;
    p = q + 2;
  }
}

/**
 * Splits one record starting at `start` into trimmed field strings (used for
 * the header line). Scanning stops at `limit`; with `lenient`, a quote still
 * open at `limit` simply ends there. Returns null when a quote is left open
 * and not lenient; `end` is the index just past the record's line terminator.
 */
function splitRecord(u: Uint8Array, start: number, limit: number, lenient: boolean): { fields: string[]; end: number } | null {
  const fields: string[] = [];
  let p = start;
  for (;;) {
    let c = u[p];
    while (p < limit && (c === 32 || c === 9)) c = u[++p];
    let text: string;
    if (p < limit && c === 34) {
      let content = '';
      let q0 = p + 1;
      for (;;) {
        const q = u.indexOf(34, q0);
        if (q < 0 || q >= limit) {
          if (!lenient) return null;
          content += utf8Decode(u, q0, limit);
          p = limit;
          break;
        }
        if (q + 1 < limit && u[q + 1] === 34) { content += utf8Decode(u, q0, q + 1); q0 = q + 2; continue; }
        content += utf8Decode(u, q0, q);
        p = q + 1;
        break;
      }
      const t0 = p;
      c = u[p];
      while (p < limit && c !== 44 && c !== 10) c = u[++p];
      let t1 = p;
      if (c !== 44 && t1 > t0 && u[t1 - 1] === 13) t1--;
      text = trimText(content + utf8Decode(u, t0, t1));
    } else {
      const a = p;
      while (p < limit && c !== 44 && c !== 10) c = u[++p];
      let b = p;
      if (c !== 44 && b > a && u[b - 1] === 13) b--;
      while (b > a && ((c = u[b - 1]) === 32 || c === 9)) b--;
      text = utf8Decode(u, a, b);
    }
    fields.push(text);
    if (p < limit && u[p] === 44) { p++; continue; }
    return { fields, end: p < limit ? p + 1 : p };
  }
}

function trimText(t: string): string {
  let a = 0;
  let b = t.length;
  let c: number;
  while (a < b && ((c = t.charCodeAt(a)) === 32 || c === 9)) a++;
  while (b > a && ((c = t.charCodeAt(b - 1)) === 32 || c === 9)) b--;
  return a === 0 && b === t.length ? t : t.slice(a, b);
}

/** Index just past the blank line starting at `p`, or -1 when the line is not blank. */
function blankLineEnd(u: Uint8Array, p: number, n: number): number {
  let c = u[p];
  while (c === 32 || c === 9) c = u[++p];
  if (c === 10) return p + 1;
  if (c === 13 && (p + 1 >= n || u[p + 1] === 10)) return Math.min(p + 2, n);
  if (p >= n) return n;
  return -1;
}

function countLf(u: Uint8Array, a: number, b: number): number {
  let k = 0;
  for (let i = u.indexOf(10, a); i >= 0 && i < b; i = u.indexOf(10, i + 1)) k++;
  return k;
}

const MAX_INITIAL_ROWS = 1 << 20;

/** A rough row-count estimate from the first 64 KiB, to size the columns (they grow by doubling past it). */
function estimateRows(u: Uint8Array, from: number): number {
  const n = u.length;
  const end = Math.min(n, from + 65536);
  const lf = countLf(u, from, end);
  if (end === n) return lf + 2;
  const perLine = (end - from) / Math.max(1, lf);
  return Math.min(MAX_INITIAL_ROWS, Math.ceil(((n - from) / perLine) * 1.05) + 16);
}

interface Store {
  cap: number;
  readonly nc: number;
  readonly kinds: Int32Array;
  readonly str: (StringColumnBuilder | null)[];
  readonly i32: Int32Array[];
  readonly f64: Float64Array[];
  readonly u8: Uint8Array[];
  readonly nulls: Uint8Array[];
  readonly anyNull: Uint8Array;
  /** [0]: `_line` values (empty without metadata columns). */
  readonly lines: Float64Array[];
  readonly rescued: (string | null)[];
  readonly withMeta: boolean;
}

const EMPTY_I32 = new Int32Array(0);
const EMPTY_F64 = new Float64Array(0);
const EMPTY_U8 = new Uint8Array(0);

function newStore(kinds: Int32Array, cap: number, withMeta: boolean, bytesPerRow: number): Store {
  const nc = kinds.length;
  const st: Store = { cap, nc, kinds, str: [], i32: [], f64: [], u8: [], nulls: [], anyNull: new Uint8Array(nc), lines: [new Float64Array(withMeta ? cap : 0)], rescued: withMeta ? new Array<string | null>(cap) : [], withMeta };
  let strings = 0;
  for (let j = 0; j < nc; j++) if (kinds[j] === K_STRING) strings++;
  const perColumn = Math.ceil(bytesPerRow / Math.max(1, strings));
  for (let j = 0; j < nc; j++) {
    const k = kinds[j];
    st.str.push(k === K_STRING ? new StringColumnBuilder(cap, cap * perColumn) : null);
    st.i32.push(k === K_INT || k === K_DATE ? new Int32Array(cap) : EMPTY_I32);
    st.f64.push(k === K_LONG || k === K_DOUBLE || k === K_TS ? new Float64Array(cap) : EMPTY_F64);
    st.u8.push(k === K_BOOL ? new Uint8Array(cap) : EMPTY_U8);
    st.nulls.push(k === K_STRING ? EMPTY_U8 : new Uint8Array(cap));
  }
  return st;
}

function growStore(st: Store): void {
  const next = st.cap * 2;
  for (let j = 0; j < st.nc; j++) {
    const k = st.kinds[j];
    if (k === K_STRING) continue;
    if (k === K_INT || k === K_DATE) { const a = new Int32Array(next); a.set(st.i32[j]); st.i32[j] = a; }
    else if (k === K_BOOL) { const a = new Uint8Array(next); a.set(st.u8[j]); st.u8[j] = a; }
    else { const a = new Float64Array(next); a.set(st.f64[j]); st.f64[j] = a; }
    const m = new Uint8Array(next);
    m.set(st.nulls[j]);
    st.nulls[j] = m;
  }
  if (st.withMeta) { const l = new Float64Array(next); l.set(st.lines[0]); st.lines[0] = l; }
  st.cap = next;
}

/** Sets column j of `row` to NULL; a string column's value of this row, if already appended, is taken back first. */
function setNullAt(st: Store, j: number, row: number): void {
  const sb = st.str[j];
  if (sb !== null) {
    if (sb.length > row) sb.truncate(row);
    sb.pushNull();
  } else { st.nulls[j][row] = 1; st.anyNull[j] = 1; }
}

/** Rescued entries of the row being parsed. */
interface Rescue { readonly keys: string[]; readonly vals: string[]; n: number; readonly extraKeys: string[] }

function extraKey(r: Rescue, i: number): string {
  for (let k = r.extraKeys.length; k <= i; k++) r.extraKeys.push(`_c${k}`);
  return r.extraKeys[i];
}

function addRescue(r: Rescue, key: string, value: string, fi: number): void {
  for (let k = 0; k < r.n; k++) if (r.keys[k] === key) { key = extraKey(r, fi); break; }
  r.keys[r.n] = key;
  r.vals[r.n] = value;
  r.n++;
}

function rescueJson(r: Rescue): string {
  let out = '{';
  for (let k = 0; k < r.n; k++) {
    if (k > 0) out += ',';
    out += JSON.stringify(r.keys[k]) + ':' + JSON.stringify(r.vals[k]);
  }
  return out + '}';
}

interface HeaderInfo {
  readonly header: string[];
  readonly unknownColumns: string[];
  /** Field index -> schema column, or -1 for a column not in the schema. */
  readonly colMap: Int32Array;
  /** Field index -> rescue key of a field whose column is not in the schema. */
  readonly unknownKey: string[];
  /** Where the data starts, and its physical line number. */
  readonly pos: number;
  readonly line: number;
}

function readHeader(u: Uint8Array, pos: number, names: readonly string[]): HeaderInfo {
  const n = u.length;
  const nc = names.length;
  let line = 1;
  for (;;) {
    if (pos >= n) break;
    const e = blankLineEnd(u, pos, n);
    if (e < 0) break;
    pos = e;
    line++;
  }
  const header: string[] = [];
  if (pos < n) {
    let r = splitRecord(u, pos, n, false);
    if (r !== null) {
      line += countLf(u, pos, r.end);
      pos = r.end;
    } else {
      let le = u.indexOf(10, pos);
      if (le < 0) le = n;
      const contentEnd = le > pos && u[le - 1] === 13 ? le - 1 : le;
      r = splitRecord(u, pos, contentEnd, true)!;
      pos = Math.min(n, le + 1);
      line++;
    }
    header.push(...r.fields);
  }
  const colMap = new Int32Array(header.length).fill(-1);
  const unknownKey = new Array<string>(header.length).fill('');
  const unknownColumns: string[] = [];
  const exact = new Map<string, number>();
  const folded = new Map<string, number>();
  for (let j = nc - 1; j >= 0; j--) { exact.set(names[j], j); folded.set(names[j].toLowerCase(), j); }
  const taken = new Uint8Array(nc);
  const seenUnknown = new Set<string>();
  for (let i = 0; i < header.length; i++) {
    const h = header[i];
    const j = exact.get(h) ?? folded.get(h.toLowerCase());
    if (j !== undefined) {
      if (!taken[j]) { taken[j] = 1; colMap[i] = j; continue; }
    } else if (h !== '' && !seenUnknown.has(h.toLowerCase())) {
      seenUnknown.add(h.toLowerCase());
      unknownColumns.push(h);
    }
    unknownKey[i] = h === '' ? `_c${i}` : h;
  }
  return { header, unknownColumns, colMap, unknownKey, pos, line };
}

/**
 * The text as UTF-8 bytes, scanned in place: the field delimiters (`,`, `"`,
 * LF, CR, space, tab) are ASCII, and no byte of a multi-byte UTF-8 sequence is
 * ASCII, so a byte scan finds exactly the fields a character scan would. A
 * leading BOM is dropped. Invalid UTF-8 is replaced by U+FFFD exactly as
 * `TextDecoder` does (the file then reads as its decoded text would).
 */
function decode(input: Buffer | string): Uint8Array {
  if (typeof input === 'string') {
    const s = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
    return utf8Encode(s);
  }
  let body: Uint8Array = input;
  if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) body = body.subarray(3);
  return toValidUtf8(body).bytes;
}

/**
 * Parses one CSV file into a bronze batch (see the rules above). Never throws
 * on bad data; throws only for a schema column of a type CSV cannot hold
 * (`string[]`).
 */
export function parseCsv(input: Buffer | string, options: CsvOptions, meta: { sourceFile: string; ingestedAtUs: number }): CsvParseResult {
  const u = decode(input);
  const n = u.length;
  const schema: readonly Field[] = options.schema;
  const nc = schema.length;
  const withMeta = options.metadataColumns;
  const kinds = new Int32Array(nc);
  for (let j = 0; j < nc; j++) kinds[j] = kindOf(schema[j].type, schema[j].name);
  const names = schema.map((f) => f.name);
  const markers = new NullMarkers(options.nullMarkers ?? DEFAULT_NULL_MARKERS);

  let pos = 0;
  let line = 1;
  let hi: HeaderInfo;
  if (options.header) {
    hi = readHeader(u, pos, names);
    pos = hi.pos;
    line = hi.line;
  } else {
    const colMap = new Int32Array(nc);
    for (let j = 0; j < nc; j++) colMap[j] = j;
    hi = { header: [], unknownColumns: [], colMap, unknownKey: new Array<string>(nc).fill(''), pos, line };
  }

  const estimate = pos < n ? Math.max(16, estimateRows(u, pos)) : 16;
  const st = newStore(kinds, estimate, withMeta, Math.ceil((n - pos) / estimate));
  const row = parseRecords(u, pos, line, st, hi.colMap, hi.unknownKey, names, markers);

  // Mostly-full arrays are returned as views (no copy); sparse ones are copied to size.
  const view = row * 4 >= st.cap * 3;
  const fit = <T extends Int32Array | Float64Array | Uint8Array>(a: T): T => (view ? a.subarray(0, row) : a.slice(0, row)) as T;
  const columns: Column[] = [];
  for (let j = 0; j < nc; j++) {
    const k = kinds[j];
    const t = schema[j].type;
    const m = st.anyNull[j] ? fit(st.nulls[j]) : null;
    if (k === K_STRING) columns.push(st.str[j]!.finish());
    else if (k === K_INT || k === K_DATE) columns.push({ type: t as 'int' | 'date', data: fit(st.i32[j]), nulls: m });
    else if (k === K_BOOL) columns.push({ type: 'boolean', data: fit(st.u8[j]), nulls: m });
    else columns.push({ type: t as 'long' | 'double' | 'timestamp', data: fit(st.f64[j]), nulls: m });
  }
  const outFields: Field[] = schema.map((f) => ({ name: f.name, type: f.type }));
  if (withMeta) {
    st.rescued.length = row;
    outFields.push(
      { name: '_rescued_data', type: 'string' },
      { name: '_source_file', type: 'string' },
      { name: '_line', type: 'long' },
      { name: '_ingested_at', type: 'timestamp' },
    );
    columns.push(
      stringColumnFromArray(st.rescued),
      constantStringColumn(meta.sourceFile, row),
      { type: 'long', data: fit(st.lines[0]), nulls: null },
      { type: 'timestamp', data: new Float64Array(row).fill(meta.ingestedAtUs), nulls: null },
    );
  }
  return { batch: { schema: schemaOf(outFields), columns, length: row }, header: hi.header, unknownColumns: hi.unknownColumns, records: row };
}

/** The record loop: fills `st` from `pos` on and returns the number of rows. `u` is the text's UTF-8 bytes. */
function parseRecords(
  u: Uint8Array, pos: number, line: number, st: Store, colMap: Int32Array, unknownKey: readonly string[],
  names: readonly string[], markers: NullMarkers,
): number {
  const n = u.length;
  const nc = st.nc;
  const kinds = st.kinds;
  const strData = st.str;
  const i32Data = st.i32;
  const f64Data = st.f64;
  const u8Data = st.u8;
  const nulls = st.nulls;
  const anyNull = st.anyNull;
  const rescued = st.rescued;
  const withMeta = st.withMeta;
  const mMax = markers.maxLen;
  const nMap = colMap.length;
  const R: Rescue = { keys: [], vals: [], n: 0, extraKeys: [] };
  const setRow = new Int32Array(nc).fill(-1);
  let doom: Uint8Array | null = null;
  let row = 0;

  while (pos < n) {
    const recStart = pos;
    let p = pos;
    let c = u[p];
    while (c === 32 || c === 9) c = ++p < n ? u[p] : -1;
    if (c === 10) { pos = p + 1; line++; continue; }
    if (c === 13 && (p + 1 >= n || u[p + 1] === 10)) { pos = p + 2; line++; continue; }
    if (p >= n) break;
    if (row === st.cap) growStore(st);
    const recLine = line;
    R.n = 0;
    let fi = 0;
    let corrupt = false;
    for (;;) {
      // p: first non-blank byte of field fi; c = its code (-1 at the end of the text).
      // The field's trimmed bytes are cu[a, b).
      let cu = u;
      let a: number;
      let b: number;
      if (c === 34) {
        const close = scanQuoted(u, p, doom);
        if (close < 0) {
          corrupt = true;
          if (doom === null) doom = new Uint8Array(n + 1);
          markDoomed(u, p, doom);
          break;
        }
        for (let k = p + 1; k < close; k++) if (u[k] === 10) line++;
        const t0 = close + 1;
        for (p = t0, c = -1; p < n; p++) { c = u[p]; if (c <= 44 && (c === 44 || c === 10)) break; }
        if (p === n) c = -1;
        let t1 = p;
        if (c !== 44 && t1 > t0 && u[t1 - 1] === 13) t1--;
        if (t1 > t0) qAppend(u, t0, t1);
        cu = qBuf;
        a = 0;
        b = qLen;
        while (a < b && (cu[a] === 32 || cu[a] === 9)) a++;
        while (b > a && (cu[b - 1] === 32 || cu[b - 1] === 9)) b--;
      } else {
        a = p;
        for (; p < n; p++) { c = u[p]; if (c <= 44 && (c === 44 || c === 10)) break; }
        if (p === n) c = -1;
        b = p;
        if (c !== 44 && b > a && u[b - 1] === 13) b--;
        while (b > a && (u[b - 1] === 32 || u[b - 1] === 9)) b--;
      }
      const isNull = a === b || (b - a <= mMax && markers.is(cu, a, b));
      const j = fi < nMap ? colMap[fi] : -2;
      if (j >= 0) {
        setRow[j] = row;
        if (isNull) setNullAt(st, j, row);
        else {
          let v: number;
          switch (kinds[j]) {
            case K_STRING: v = 0; strData[j]!.pushBytes(cu, a, b); break;
            case K_INT: v = parseIntRange(cu, a, b); if (v === v) i32Data[j][row] = v; break;
            case K_DATE: v = parseDateRange(cu, a, b); if (v === v) i32Data[j][row] = v; break;
            case K_LONG: v = parseLongRange(cu, a, b); if (v === v) f64Data[j][row] = v; break;
            case K_DOUBLE: v = parseDoubleRange(cu, a, b); if (v === v) f64Data[j][row] = v; break;
            case K_TS: v = parseTimestampRange(cu, a, b); if (v === v) f64Data[j][row] = v; break;
            default: v = parseBoolRange(cu, a, b); if (v === v) u8Data[j][row] = v; break;
          }
          if (v !== v) {
            nulls[j][row] = 1;
            anyNull[j] = 1;
            if (withMeta) addRescue(R, names[j], utf8Decode(cu, a, b), fi);
          }
        }
      } else if (withMeta && !isNull) {
        addRescue(R, j === -1 ? unknownKey[fi] : extraKey(R, fi), utf8Decode(cu, a, b), fi);
      }
      if (c === 44) {
        c = ++p < n ? u[p] : -1;
        while (c === 32 || c === 9) c = ++p < n ? u[p] : -1;
        fi++;
        continue;
      }
      // End of record: c is LF, or -1 at the end of the text.
      if (c === 10) line++;
      pos = p + 1;
      break;
    }
    if (corrupt) {
      let le = u.indexOf(10, recStart);
      if (le < 0) le = n;
      const te = le > recStart && u[le - 1] === 13 ? le - 1 : le;
      for (let j = 0; j < nc; j++) setNullAt(st, j, row);
      if (withMeta) {
        rescued[row] = '{"_corrupt_record":' + JSON.stringify(utf8Decode(u, recStart, te)) + '}';
        st.lines[0][row] = recLine;
      }
      row++;
      pos = le + 1;
      line = recLine + 1;
      continue;
    }
    for (let j = 0; j < nc; j++) if (setRow[j] !== row) setNullAt(st, j, row);
    if (withMeta) {
      rescued[row] = R.n === 0 ? null : rescueJson(R);
      st.lines[0][row] = recLine;
    }
    row++;
  }
  return row;
}
