/**
 * Reads one file of an option-driven file source (`read_files`,
 * `cloud_files`, `readFiles`) into a batch: CSV with Spark's reader options,
 * or newline-delimited JSON.
 *
 * Columns (Auto Loader's rules for SQL reads):
 * - CSV with `header`: header names are matched to the schema exactly; under
 *   `readerCaseSensitive = false` also ignoring case. A name that differs
 *   only by case (case-sensitive) or is not in the schema is rescued under
 *   the name as written. Names are never trimmed. Without a header, fields
 *   map to columns by position; fields beyond the schema are rescued as
 *   `_c<index>`.
 * - JSON: object fields are matched as CSV header names are.
 * - A value that does not convert to its column's type is NULL and, with a
 *   rescued data column, rescued under the column's name (CSV: the text;
 *   JSON: the value as JSON). The rescued data column is a JSON object of
 *   the rescued fields in file order, plus `_file_path`; NULL when nothing
 *   was rescued.
 *
 * Malformed records (Spark's `mode`): a CSV record whose field count differs
 * from the header's (or, without a header, the schema's), a value that does
 * not convert when there is no rescued data column, a line that is not a
 * JSON object. PERMISSIVE keeps the row (missing fields NULL; a JSON line
 * that does not parse is a row of NULLs with its text rescued as
 * `_corrupt_record`); DROPMALFORMED drops it and counts it (`dropped`);
 * FAILFAST stops the flow with MALFORMED_RECORD (file and line). The reader
 * never throws on bad data.
 */
import type { Batch, Column } from '../batch.js';
import { ColumnBuilder, constantColumn, schemaOf } from '../batch.js';
import { stringColumnFromArray } from '../column/string-column.js';
import { toValidUtf8 } from '../column/utf8.js';
import type { FileSourceOptions } from '../ir/plan.js';
import { FILE_METADATA_COLUMN, FILE_METADATA_TYPE } from '../ir/plan.js';
import type { Field, Value } from '../ir/types.js';
import { parseJson, writeJson, type JNode } from '../functions/json-text.js';
import { csvRecords, type CsvToken } from './spark-csv.js';
import { FAIL, JsonConverter, TextConverter } from './spark-values.js';

/** What a file source knows about the file it reads. */
export interface FileMeta {
  /** The file's name (`_source_file` of bronze sources). */
  readonly sourceFile: string;
  readonly ingestedAtUs: number;
  /** `_metadata.file_path` (a `file:` URI); defaults to the name. */
  readonly filePath?: string;
  readonly fileSize?: number;
  readonly mtimeMs?: number;
}

export interface FileParseFailure {
  readonly code: string;
  readonly message: string;
  readonly params: Readonly<Record<string, unknown>>;
}

export interface FileParseResult {
  batch: Batch;
  /** Header names as found (CSV with header). */
  header: string[];
  /** Field names that match no column (header names or JSON fields), in file order. */
  unknownColumns: string[];
  records: number;
  /** Malformed records dropped (DROPMALFORMED). */
  dropped: number;
  /** Malformed records kept (PERMISSIVE). */
  malformed: number;
  /** FAILFAST: the first malformed record. The batch is then empty. */
  failure?: FileParseFailure;
}

/** The text of a file: UTF-8 (invalid sequences replaced), a leading BOM dropped. */
export function decodeText(input: Buffer | Uint8Array | string): string {
  if (typeof input === 'string') return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  let body: Uint8Array = input;
  if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) body = body.subarray(3);
  const bytes = toValidUtf8(body).bytes;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** Maps field names (header or JSON keys) to schema columns as Auto Loader does. */
class NameMatcher {
  private readonly exact = new Map<string, number>();
  private readonly folded = new Map<string, number>();
  constructor(schema: readonly Field[], private readonly caseSensitive: boolean) {
    for (let j = schema.length - 1; j >= 0; j--) { this.exact.set(schema[j].name, j); this.folded.set(schema[j].name.toLowerCase(), j); }
  }
  /** Whether a column has this name ignoring case (a name that is not new, only spelled otherwise). */
  known(name: string): boolean {
    return this.folded.has(name.toLowerCase());
  }
  /** The column of a name, or -1. */
  column(name: string): number {
    const j = this.exact.get(name);
    if (j !== undefined) return j;
    if (!this.caseSensitive) return this.folded.get(name.toLowerCase()) ?? -1;
    return -1;
  }
}

class Rows {
  readonly builders: ColumnBuilder[];
  readonly vals: Value[];
  readonly set: Uint8Array;
  readonly rescued: (string | null)[] = [];
  private rescue: string[] = [];
  private rescueKeys = new Set<string>();
  malformed = false;
  n = 0;
  dropped = 0;
  kept = 0;
  failure: FileParseFailure | undefined;

  constructor(readonly schema: readonly Field[], readonly o: FileSourceOptions, readonly meta: FileMeta) {
    this.builders = schema.map((f) => new ColumnBuilder(f.type, 1024));
    this.vals = new Array<Value>(schema.length).fill(null);
    this.set = new Uint8Array(schema.length);
  }

  /** Rescues a value (given as JSON text) under a key; a repeated key gets `_c<index>`. */
  addRescue(key: string, json: string, index: number): void {
    if (this.o.reader.rescuedDataColumn === null) return;
    if (this.rescueKeys.has(key)) key = `_c${index}`;
    this.rescueKeys.add(key);
    this.rescue.push(JSON.stringify(key) + ':' + json);
  }

  put(j: number, v: Value): void {
    if (this.set[j]) return;
    this.set[j] = 1;
    this.vals[j] = v;
  }

  /** Ends the row; false when FAILFAST stopped the file. */
  end(line: number, raw: string): boolean {
    if (this.malformed) {
      if (this.o.reader.mode === 'DROPMALFORMED') { this.dropped++; this.reset(); return true; }
      if (this.o.reader.mode === 'FAILFAST') {
        this.failure = {
          code: 'MALFORMED_RECORD',
          message: `malformed record in ${this.meta.sourceFile}:${line} (mode FAILFAST): ${raw.length > 200 ? raw.slice(0, 200) + '…' : raw}`,
          params: { file: this.meta.sourceFile, line, record: raw.slice(0, 1000) },
        };
        return false;
      }
      this.kept++;
    }
    for (let j = 0; j < this.builders.length; j++) this.builders[j].push(this.set[j] ? this.vals[j] : null);
    if (this.o.reader.rescuedDataColumn !== null) {
      this.rescued.push(this.rescue.length === 0 ? null : '{' + this.rescue.join(',') + ',"_file_path":' + JSON.stringify(this.meta.filePath ?? this.meta.sourceFile) + '}');
    }
    this.n++;
    this.reset();
    return true;
  }

  private reset(): void {
    this.set.fill(0);
    this.vals.fill(null);
    if (this.rescue.length) { this.rescue = []; this.rescueKeys.clear(); }
    this.malformed = false;
  }

  finish(header: string[], unknown: string[]): FileParseResult {
    const fields: Field[] = this.schema.map((f) => ({ name: f.name, type: f.type }));
    const columns: Column[] = this.builders.map((b) => b.finish());
    const n = this.failure ? 0 : this.n;
    const rescued = this.o.reader.rescuedDataColumn;
    if (rescued !== null && !fields.some((f) => f.name === rescued)) {
      fields.push({ name: rescued, type: 'string' });
      columns.push(stringColumnFromArray(this.rescued));
    }
    if (this.o.fileMetadata && !fields.some((f) => f.name === FILE_METADATA_COLUMN)) {
      fields.push({ name: FILE_METADATA_COLUMN, type: FILE_METADATA_TYPE });
      columns.push(constantColumn(FILE_METADATA_TYPE, fileMetadataValue(this.meta), n));
    }
    const batch: Batch = this.failure
      ? { schema: schemaOf(fields), columns: fields.map((f) => constantColumn(f.type, null, 0)), length: 0 }
      : { schema: schemaOf(fields), columns, length: n };
    return { batch, header, unknownColumns: unknown, records: n, dropped: this.dropped, malformed: this.kept, ...(this.failure ? { failure: this.failure } : {}) };
  }
}

/** The `_metadata` struct of a file. */
export function fileMetadataValue(meta: FileMeta): Value {
  return {
    file_path: meta.filePath ?? meta.sourceFile,
    file_name: meta.sourceFile,
    file_size: meta.fileSize ?? null,
    file_modification_time: meta.mtimeMs !== undefined ? Math.floor(meta.mtimeMs) * 1000 : null,
  };
}

/** Parses one file of a `files` source (see the rules above). Never throws on bad data. */
export function parseFileSource(input: Buffer | Uint8Array | string, o: FileSourceOptions, meta: FileMeta): FileParseResult {
  const text = decodeText(input);
  return o.format === 'json' ? parseJsonLines(text, o, meta) : parseSparkCsv(text, o, meta);
}

function csvValue(t: CsvToken, o: FileSourceOptions): string | null {
  if (!t.quoted && t.text === '') return null;
  const v = t.quoted && t.text === '' ? o.reader.emptyValue : t.text;
  return v === o.reader.nullValue ? null : v;
}

function parseSparkCsv(text: string, o: FileSourceOptions, meta: FileMeta): FileParseResult {
  const schema = o.schema;
  const rows = new Rows(schema, o, meta);
  const conv = schema.map((f) => new TextConverter(f.type, o.reader));
  const matcher = new NameMatcher(schema, o.reader.readerCaseSensitive);
  let header: string[] = [];
  const unknown: string[] = [];
  /** Field index → column (-1: not in the schema); null until the header is read. */
  let colMap: Int32Array | null = null;
  let names: string[] = [];
  const it = csvRecords(text, o.reader);
  if (o.reader.header) {
    const h = it.next();
    if (!h.done) {
      header = h.value.tokens.map((t) => t.text);
      colMap = new Int32Array(header.length).fill(-1);
      const taken = new Uint8Array(schema.length);
      names = header.map((name, i) => (name === '' ? `_c${i}` : name));
      header.forEach((name, i) => {
        const j = name === '' ? -1 : matcher.column(name);
        if (j >= 0 && !taken[j]) { taken[j] = 1; colMap![i] = j; } else if (name !== '' && j < 0 && !matcher.known(name) && !unknown.includes(name)) unknown.push(name);
      });
    }
  }
  if (colMap === null) {
    colMap = new Int32Array(schema.length);
    for (let j = 0; j < schema.length; j++) colMap[j] = j;
    names = schema.map((f) => f.name);
  }
  const expected = colMap.length;
  for (const rec of it) {
    const toks = rec.tokens;
    if (toks.length !== expected) rows.malformed = true;
    for (let i = 0; i < toks.length; i++) {
      const v = csvValue(toks[i], o);
      const j = i < expected ? colMap[i] : -2;
      if (j >= 0) {
        if (v === null) { rows.put(j, null); continue; }
        const x = conv[j].convert(v);
        if (x === FAIL) {
          rows.put(j, null);
          if (o.reader.rescuedDataColumn === null) rows.malformed = true;
          else rows.addRescue(schema[j].name, JSON.stringify(v), i);
        } else rows.put(j, x);
      } else if (v !== null) rows.addRescue(j === -1 ? names[i] : `_c${i}`, JSON.stringify(v), i);
    }
    if (!rows.end(rec.line, rec.raw)) break;
  }
  return rows.finish(header, unknown);
}

function parseJsonLines(text: string, o: FileSourceOptions, meta: FileMeta): FileParseResult {
  const schema = o.schema;
  const rows = new Rows(schema, o, meta);
  const conv = schema.map((f) => new JsonConverter(f.type, o.reader));
  const matcher = new NameMatcher(schema, o.reader.readerCaseSensitive);
  const unknown = new Set<string>();
  const docs: { text: string; line: number }[] = [];
  if (o.reader.multiLine) {
    if (text.trim() !== '') docs.push({ text, line: 1 });
  } else {
    // records end at lineSep, else at LF, CRLF or CR (Hadoop's line reader)
    const sep = o.reader.lineSep;
    let line = 1;
    for (let p = 0; p <= text.length;) {
      let e: number, next: number;
      if (sep !== undefined) {
        e = text.indexOf(sep, p);
        if (e < 0) e = text.length;
        next = e + sep.length;
      } else {
        e = p;
        while (e < text.length && text.charCodeAt(e) !== 10 && text.charCodeAt(e) !== 13) e++;
        next = e + (text.charCodeAt(e) === 13 && text.charCodeAt(e + 1) === 10 ? 2 : 1);
      }
      const l = text.slice(p, e);
      if (l.trim() !== '') docs.push({ text: l, line });
      line++;
      p = next;
    }
  }
  for (const d of docs) {
    let node: JNode | undefined;
    try { node = parseJson(d.text, { singleQuotes: true, nonNumeric: true }); } catch { node = undefined; }
    // multiLine: a document may be an array of records
    const recs = node?.t === 'arr' && o.reader.multiLine ? node.items : [node];
    for (const n of recs) {
      if (n === undefined || n.t !== 'obj' || (!o.reader.multiLine && n.e < d.text.trimEnd().length)) {
        rows.malformed = true;
        rows.addRescue('_corrupt_record', JSON.stringify(d.text), 0);
        if (!rows.end(d.line, d.text)) return rows.finish([], [...unknown]);
        continue;
      }
      for (let k = 0; k < n.keys.length; k++) {
        const key = n.keys[k];
        const val = n.vals[k];
        const j = matcher.column(key);
        if (j < 0) {
          if (!matcher.known(key)) unknown.add(key);
          if (val.t !== 'null') rows.addRescue(key, writeJson(val), k);
          continue;
        }
        const x = conv[j].convert(val);
        if (x === FAIL) {
          rows.put(j, null);
          if (o.reader.rescuedDataColumn === null) rows.malformed = true;
          else rows.addRescue(key, writeJson(val), k);
        } else rows.put(j, x);
      }
      if (!rows.end(d.line, d.text)) return rows.finish([], [...unknown]);
    }
  }
  return rows.finish([], [...unknown]);
}
