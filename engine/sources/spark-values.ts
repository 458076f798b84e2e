/**
 * Field values as Spark's CSV and JSON readers convert them, and the types
 * their schema inference gives.
 *
 * CSV text (no trimming: `" 42"` is not an INT, as Java's `Integer.parseInt`):
 * - int / bigint: `[+-]?digits` in range (bigint within ±(2^53 − 1), the
 *   engine's exact range); double: Java's `Double.parseDouble` (`1.5`, `1e3`,
 *   `NaN`, `Infinity`, a `d`/`f` suffix, surrounding whitespace);
 *   boolean: `true`/`false` in any case;
 * - date / timestamp: the `dateFormat` / `timestampFormat` pattern when given,
 *   else Spark's cast rules (`2024-01-15`, `2024-01-15 10:30:00`, ISO-8601
 *   with a zone); timestamps without a zone are in the reader's `timeZone`,
 *   else the session time zone (`spark.sql.session.timeZone`), as Spark reads them.
 *
 * JSON values: a string column takes any value (numbers as written, objects
 * and arrays as compact JSON); int/bigint take integral numbers; double any
 * number (and the strings `NaN`, `Infinity`, `-Infinity`); boolean `true` /
 * `false`; date / timestamp a string as for CSV (a timestamp also an integral
 * number of seconds); structs, arrays and maps the matching JSON shapes.
 */
import { castValue } from '../expr/cast.js';
import type { ReaderOptions } from '../ir/plan.js';
import { arrayType, isDecimal, structType, typeInfo, type DataType, type Field, type Value } from '../ir/types.js';
import type { DateTimePattern } from '../time/pattern.js';
import { parseSparkDate, parseSparkTimestamp } from '../time/spark-text.js';
import { UTC, zoneOf, type Zone } from '../time/zones.js';
import { US_PER_DAY } from '../time/calendar.js';
import { writeJson, type JNode } from '../functions/json-text.js';
import { compileSparkPattern } from './datetime-format.js';

/** A value that does not convert. */
export const FAIL: unique symbol = Symbol('FAIL');
export type Converted = Value | typeof FAIL;

const INT_RE = /^[+-]?\d+$/;
const DOUBLE_RE = /^[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?)$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function trimJava(s: string): string {
  let a = 0, b = s.length;
  while (a < b && s.charCodeAt(a) <= 32) a++;
  while (b > a && s.charCodeAt(b - 1) <= 32) b--;
  return s.slice(a, b);
}

/** Java's Double.parseDouble, or FAIL. */
function parseJavaDouble(text: string): Converted {
  const s = trimJava(text);
  if (!DOUBLE_RE.test(s)) return FAIL;
  const body = s.replace(/[fFdD]$/, '');
  if (body.endsWith('NaN')) return body.startsWith('-') || body.startsWith('+') ? FAIL : NaN;
  if (body.endsWith('Infinity')) return body.startsWith('-') ? -Infinity : Infinity;
  return Number(body);
}

/** Converts field texts to one column type with the reader's datetime formats. */
export class TextConverter {
  private readonly datePattern: DateTimePattern | null;
  private readonly tsPattern: DateTimePattern | null;
  /** The zone of timestamp texts without one. */
  private readonly zone: Zone;

  constructor(readonly type: DataType, r: ReaderOptions) {
    const name = r.timeZone ?? r.sessionTimeZone;
    this.zone = (name !== undefined ? zoneOf(name) : null) ?? UTC;
    this.datePattern = r.dateFormat !== null && type === 'date' ? compileSparkPattern(r.dateFormat, 'dateFormat') : null;
    this.tsPattern = r.timestampFormat !== null && type === 'timestamp' ? compileSparkPattern(r.timestampFormat, 'timestampFormat') : null;
  }

  convert(text: string): Converted {
    switch (this.type) {
      case 'string': return text;
      case 'int': { if (!INT_RE.test(text)) return FAIL; const x = Number(text); return x >= -2147483648 && x <= 2147483647 ? x : FAIL; }
      case 'long': { if (!INT_RE.test(text)) return FAIL; const x = Number(text); return Number.isSafeInteger(x) ? x : FAIL; }
      case 'double': return parseJavaDouble(text);
      case 'boolean': { const l = text.toLowerCase(); return l === 'true' ? true : l === 'false' ? false : FAIL; }
      case 'date': {
        if (this.datePattern) { const us = this.datePattern.parse(text, UTC); return typeof us === 'number' ? Math.floor(us / US_PER_DAY) : FAIL; }
        return parseSparkDate(text) ?? FAIL;
      }
      case 'timestamp': {
        if (this.tsPattern) { const us = this.tsPattern.parse(text, this.zone); return typeof us === 'number' ? us : FAIL; }
        return parseSparkTimestamp(text, this.zone, 0) ?? FAIL;
      }
      default: {
        if (isDecimal(this.type)) { const v = castValue(trimJava(text), 'string', this.type); return v === null ? FAIL : v; }
        return FAIL;
      }
    }
  }
}

/** Converts JSON values to one column type. */
export class JsonConverter {
  private readonly text: TextConverter;
  private readonly children: Map<string, JsonConverter> | null = null;
  private readonly element: JsonConverter | null = null;
  private readonly fields: readonly Field[] | null = null;

  constructor(readonly type: DataType, private readonly r: ReaderOptions) {
    this.text = new TextConverter(type, r);
    const info = typeInfo(type);
    if (info.kind === 'struct') {
      this.fields = info.fields;
      this.children = new Map(info.fields.map((f) => [f.name, new JsonConverter(f.type, r)]));
    } else if (info.kind === 'array') this.element = new JsonConverter(info.element, r);
    else if (info.kind === 'map') this.element = new JsonConverter(info.value, r);
  }

  convert(n: JNode): Converted {
    if (n.t === 'null') return null;
    const t = this.type;
    switch (t) {
      case 'string': return n.t === 'str' ? n.v : n.t === 'num' ? n.text : writeJson(n);
      case 'int': case 'long': {
        if (n.t !== 'num' || !n.int || n.special !== undefined) return FAIL;
        return this.text.convert(n.text);
      }
      case 'double': {
        if (n.t === 'num') return n.special !== undefined ? n.special : Number(n.text);
        if (n.t === 'str' && (n.v === 'NaN' || n.v === 'Infinity' || n.v === '-Infinity' || n.v === '+Infinity')) return n.v === 'NaN' ? NaN : n.v.startsWith('-') ? -Infinity : Infinity;
        return FAIL;
      }
      case 'boolean': return n.t === 'bool' ? n.v : FAIL;
      case 'date': return n.t === 'str' ? this.text.convert(n.v) : FAIL;
      case 'timestamp': {
        if (n.t === 'str') return this.text.convert(n.v);
        if (n.t === 'num' && n.int && n.special === undefined) { const s = Number(n.text); return Number.isSafeInteger(s * 1e6) ? s * 1e6 : FAIL; }
        return FAIL;
      }
      default: break;
    }
    if (isDecimal(t)) return n.t === 'num' || n.t === 'str' ? this.text.convert(n.t === 'num' ? n.text : n.v) : FAIL;
    if (this.fields) {
      if (n.t !== 'obj') return FAIL;
      const out: Record<string, Value> = {};
      for (const f of this.fields) out[f.name] = null;
      for (let k = 0; k < n.keys.length; k++) {
        const c = this.children!.get(n.keys[k]);
        if (!c) continue;
        const v = c.convert(n.vals[k]);
        if (v === FAIL) return FAIL;
        out[n.keys[k]] = v;
      }
      return out;
    }
    if (t.startsWith('array<')) {
      if (n.t !== 'arr') return FAIL;
      const out: Value[] = [];
      for (const it of n.items) { const v = this.element!.convert(it); if (v === FAIL) return FAIL; out.push(v); }
      return out;
    }
    if (t.startsWith('map<')) {
      if (n.t !== 'obj') return FAIL;
      const out = new Map<Value, Value>();
      for (let k = 0; k < n.keys.length; k++) { const v = this.element!.convert(n.vals[k]); if (v === FAIL) return FAIL; out.set(n.keys[k], v); }
      return out;
    }
    return FAIL;
  }
}

// ------------------------------------------------------------ inference

/** The type a CSV text suggests (Spark's CSVInferSchema order: int, bigint, double, date, timestamp, boolean, string). */
export class CsvTypeGuesser {
  private readonly date: TextConverter;
  private readonly ts: TextConverter;
  private readonly strictDate: boolean;

  constructor(r: ReaderOptions) {
    this.date = new TextConverter('date', r);
    this.ts = new TextConverter('timestamp', r);
    this.strictDate = r.dateFormat === null;
  }

  guess(text: string): DataType {
    if (INT_RE.test(text)) {
      const x = Number(text);
      if (x >= -2147483648 && x <= 2147483647) return 'int';
      if (Number.isSafeInteger(x)) return 'long';
      return 'double';
    }
    if (parseJavaDouble(text) !== FAIL) return 'double';
    if ((!this.strictDate || DATE_RE.test(text)) && this.date.convert(text) !== FAIL) return 'date';
    if (this.ts.convert(text) !== FAIL) return 'timestamp';
    const l = text.toLowerCase();
    if (l === 'true' || l === 'false') return 'boolean';
    return 'string';
  }
}

/** Spark's widening of two inferred CSV types (null: no value seen yet). */
export function mergeCsvTypes(a: DataType | null, b: DataType | null): DataType | null {
  if (a === null) return b;
  if (b === null || a === b) return a;
  const num = (t: DataType) => t === 'int' || t === 'long' || t === 'double';
  if (num(a) && num(b)) return a === 'double' || b === 'double' ? 'double' : 'long';
  if ((a === 'date' && b === 'timestamp') || (a === 'timestamp' && b === 'date')) return 'timestamp';
  return 'string';
}

/** The type Spark infers for a JSON value (objects as structs with fields sorted by name); null for JSON null. */
export function inferJsonType(n: JNode): DataType | null {
  switch (n.t) {
    case 'null': return null;
    case 'str': return 'string';
    case 'bool': return 'boolean';
    case 'num': {
      if (n.special !== undefined || !n.int) return 'double';
      return Number.isSafeInteger(Number(n.text)) ? 'long' : 'double';
    }
    case 'arr': {
      let e: DataType | null = null;
      for (const it of n.items) e = mergeJsonTypes(e, inferJsonType(it));
      return arrayType(e ?? 'string');
    }
    case 'obj': {
      const fields = new Map<string, DataType | null>();
      for (let k = 0; k < n.keys.length; k++) fields.set(n.keys[k], mergeJsonTypes(fields.get(n.keys[k]) ?? null, inferJsonType(n.vals[k])));
      return structType(sortedFields(fields));
    }
  }
}

/** Fields sorted by name (Spark's JSON inference order), unknown types as STRING. */
export function sortedFields(fields: Map<string, DataType | null>): Field[] {
  return [...fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, t]) => ({ name, type: t ?? 'string' }));
}

/** Spark's merge of two inferred JSON types: numbers widen, structs merge field by field, anything else conflicting is STRING. */
export function mergeJsonTypes(a: DataType | null, b: DataType | null): DataType | null {
  if (a === null) return b;
  if (b === null || a === b) return a;
  if ((a === 'long' && b === 'double') || (a === 'double' && b === 'long')) return 'double';
  const ia = typeInfo(a), ib = typeInfo(b);
  if (ia.kind === 'struct' && ib.kind === 'struct') {
    const m = new Map<string, DataType | null>();
    for (const f of ia.fields) m.set(f.name, f.type);
    for (const f of ib.fields) m.set(f.name, mergeJsonTypes(m.get(f.name) ?? null, f.type));
    return structType(sortedFields(m));
  }
  if (ia.kind === 'array' && ib.kind === 'array') return arrayType(mergeJsonTypes(ia.element, ib.element) ?? 'string');
  return 'string';
}
