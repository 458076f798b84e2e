/**
 * Schema inference of option-driven file sources, as Databricks does it:
 *
 * - The first matching file in name order is read (`read_files`: its first
 *   `inferSampleRows` records; `cloud_files`: all of it).
 * - CSV: column names from the header (an empty name is `_c<index>`; a name
 *   that repeats, ignoring case, gets its index appended, as Spark does),
 *   or `_c0, _c1, …` without one. Types: `read_files` (and `cloud_files` with
 *   `cloudFiles.inferColumnTypes`) infer int, bigint, double, date,
 *   timestamp, boolean, widening across rows (int+bigint: bigint, numbers
 *   with double: double, date+timestamp: timestamp, anything else: string);
 *   a column with only NULLs is STRING. `cloud_files` otherwise reads every
 *   column as STRING.
 * - JSON: the fields of the objects, sorted by name (Spark's order), types
 *   from the values (integers bigint, other numbers double, objects structs,
 *   arrays arrays); without type inference every top-level field is STRING.
 * - `schemaHints` then set the type of the columns they name (matched
 *   ignoring case) and add those that were not found.
 */
import type { FileSourceOptions } from '../ir/plan.js';
import type { DataType, Field } from '../ir/types.js';
import { parseJson, type JNode } from '../functions/json-text.js';
import { csvRecords } from './spark-csv.js';
import { decodeText } from './file-reader.js';
import { CsvTypeGuesser, inferJsonType, mergeCsvTypes, mergeJsonTypes, sortedFields } from './spark-values.js';

/** The columns inferred from one file's content (before hints). */
export function inferFromFile(input: Buffer | Uint8Array | string, o: FileSourceOptions): Field[] {
  const text = decodeText(input);
  const limit = o.readMode === 'read_files' ? o.reader.inferSampleRows : Infinity;
  return o.format === 'json' ? inferJson(text, o, limit) : inferCsv(text, o, limit);
}

function inferCsv(text: string, o: FileSourceOptions, limit: number): Field[] {
  const it = csvRecords(text, o.reader);
  let names: string[] | null = null;
  if (o.reader.header) {
    const h = it.next();
    if (h.done) return [];
    const raw = h.value.tokens.map((t, i) => (t.text === '' ? `_c${i}` : t.text));
    const count = new Map<string, number>();
    for (const n of raw) count.set(n.toLowerCase(), (count.get(n.toLowerCase()) ?? 0) + 1);
    names = raw.map((n, i) => (count.get(n.toLowerCase())! > 1 ? `${n}${i}` : n));
  }
  const types: (DataType | null)[] = names ? names.map(() => null) : [];
  const guess = new CsvTypeGuesser(o.reader);
  let rows = 0;
  for (const rec of it) {
    if (rows++ >= limit) break;
    const toks = rec.tokens;
    if (!names) while (types.length < toks.length) types.push(null);
    for (let i = 0; i < Math.min(toks.length, types.length); i++) {
      const t = toks[i];
      if (!t.quoted && t.text === '') continue;
      const v = t.quoted && t.text === '' ? o.reader.emptyValue : t.text;
      if (v === o.reader.nullValue) continue;
      types[i] = o.inferTypes ? mergeCsvTypes(types[i], guess.guess(v)) : 'string';
    }
  }
  const cols = names ?? types.map((_, i) => `_c${i}`);
  return cols.map((name, i) => ({ name, type: types[i] ?? 'string' }));
}

function inferJson(text: string, o: FileSourceOptions, limit: number): Field[] {
  const fields = new Map<string, DataType | null>();
  const add = (n: JNode | undefined) => {
    if (!n || n.t !== 'obj') return;
    for (let k = 0; k < n.keys.length; k++) {
      const t = o.inferTypes ? inferJsonType(n.vals[k]) : n.vals[k].t === 'null' ? null : 'string';
      fields.set(n.keys[k], o.inferTypes ? mergeJsonTypes(fields.get(n.keys[k]) ?? null, t) : (fields.get(n.keys[k]) ?? t));
    }
  };
  const parse = (s: string): JNode | undefined => { try { return parseJson(s, { singleQuotes: true, nonNumeric: true }); } catch { return undefined; } };
  if (o.reader.multiLine) {
    const n = parse(text);
    if (n?.t === 'arr') n.items.slice(0, limit === Infinity ? undefined : limit).forEach(add); else add(n);
  } else {
    let rows = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      if (rows++ >= limit) break;
      add(parse(line));
    }
  }
  return sortedFields(fields);
}

/** The final columns: inferred ones with the hints applied. */
export function applySchemaHints(inferred: readonly Field[], hints: readonly Field[]): Field[] {
  const out = inferred.map((f) => ({ name: f.name, type: f.type }));
  for (const h of hints) {
    const i = out.findIndex((f) => f.name.toLowerCase() === h.name.toLowerCase());
    if (i >= 0) out[i] = { name: out[i].name, type: h.type };
    else out.push({ name: h.name, type: h.type });
  }
  return out;
}
