/**
 * JSON functions with Spark 4.1 semantics: `get_json_object` (Spark's
 * JsonPath subset), `json_path` (Databricks' `col:path` extraction, which
 * the SQL reader produces), `from_json` (a DDL schema: a struct, `a INT, b
 * STRING`, an array or a map), `to_json`, `schema_of_json`,
 * `json_array_length` and `json_object_keys`.
 *
 * from_json follows Spark's PERMISSIVE mode with partial results
 * (`spark.sql.json.enablePartialResults`, on since 3.4): a value that does
 * not convert makes its struct field NULL and keeps the others; malformed
 * JSON gives a struct of NULL fields (a NULL array or map); a field named
 * `_corrupt_record` receives the text of a record that failed. FAILFAST
 * fails the flow (MALFORMED_RECORD_IN_PARSING).
 *
 * to_json writes as Spark's JacksonGenerator: struct fields that are NULL
 * are left out (`ignoreNullFields`), doubles as Java prints them, decimals as
 * BigDecimal does (`0E-8`), dates `yyyy-MM-dd`, timestamps
 * `yyyy-MM-dd'T'HH:mm:ss.SSSXXX` in the session time zone.
 *
 * DuckDB's JSON functions use another path language and other number and
 * time formats: their spellings are approximations, reported as such.
 */
import { castValue, decimalText, doubleToString, toUnscaled } from '../expr/cast.js';
import { DefinitionError } from '../errors.js';
import { decimalScale } from '../batch.js';
import {
  arrayType, isArray, isDecimal, isMap, isNested, isStruct, parseTypeName, structType, typeInfo,
  type DataType, type DecimalType, type Field, type Value,
} from '../ir/types.js';
import { formatDate } from '../sources/csv-values.js';
import { P } from '../sql/precedence.js';
import { perRow } from './collection-kit.js';
import {
  AmbiguousFieldError, getJsonObject, jsonPathExtract, jsonString, parseDatabricksPath, parseJson, JsonSyntaxError,
  type JNode, type PathStep,
} from './json-text.js';
import { register, type ArgInfo, type ScalarFunction, type SqlEmit, type TypeCtx } from './registry.js';

function stringArg(args: readonly ArgInfo[], i: number, ctx: TypeCtx): void {
  if (!args[i].isNullLiteral && args[i].type !== 'string') ctx.mismatch(`${ctx.fn}() needs a string as argument ${i + 1}, got ${args[i].type}`);
}

// ------------------------------------------------------------ get_json_object and col:path

const getJsonObjectFn: ScalarFunction = {
  name: 'get_json_object', family: 'json', arity: [2, 2], signature: 'get_json_object(json, path)',
  summary: 'The value at a JsonPath (`$`, `.name`, `[\'name\']`, `[n]`, `[*]`) of a JSON string: a string without its quotes, anything else as compact JSON; NULL for malformed JSON, an invalid path or no match.',
  examples: [{ sql: 'get_json_object(\'{"a":"b"}\', \'$.a\')', result: 'b' }, { sql: 'get_json_object(\'{"a":[1,2,{"c":3}]}\', \'$.a[2].c\')', result: '3' }],
  nulls: 'propagate',
  type: (args, ctx) => { stringArg(args, 0, ctx); stringArg(args, 1, ctx); return { returns: 'string', args: ['string', 'string'] }; },
  kernel: perRow(([j, p]) => getJsonObject(j as string, p as string)),
  sql: {
    default: 'get_json_object($1, $2)',
    duckdb: { sql: 'CASE WHEN json_valid($1) THEN json_extract_string($1, $2) END', approx: 'DuckDB\'s JSON path differs (wildcards give lists, no Hive flattening) and it formats numbers as written' },
  },
};

/** The Databricks spelling of a path: `a.b[0]`, `` `zip code` ``, `['Exact']`, `[*]`. */
function databricksPath(steps: readonly PathStep[]): string {
  return steps.map((s, k) => {
    if (s.k === 'index') return `[${s.i}]`;
    if (s.k === 'all') return '[*]';
    if (s.exact) return `['${s.name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
    const id = /^[A-Za-z_][A-Za-z0-9_]*$/.test(s.name) ? s.name : '`' + s.name.replace(/`/g, '``') + '`';
    return k === 0 ? id : `.${id}`;
  }).join('');
}

/** The nearest get_json_object path (case-sensitive fields). */
function sparkPath(steps: readonly PathStep[]): string {
  return '$' + steps.map((s) => (s.k === 'index' ? `[${s.i}]` : s.k === 'all' ? '[*]' : /^[^.[\]']+$/.test(s.name) ? `.${s.name}` : `['${s.name}']`)).join('');
}

function pathSteps(args: readonly ArgInfo[], ctx: TypeCtx): PathStep[] {
  const p = args[1].literal;
  const steps = typeof p === 'string' ? parseDatabricksPath(p) : null;
  if (!steps) return ctx.mismatch('json_path() needs a path literal such as \'$.a.b[0]\'');
  return steps;
}

const jsonPathFn: ScalarFunction = {
  name: 'json_path', family: 'json', arity: [2, 2], signature: 'json:path',
  summary: 'Databricks\' JSON extraction `json:a.b[0]`: a STRING, a JSON string without quotes, anything else as compact JSON, NULL for a JSON null or no match. Identifiers match fields ignoring case (several spellings of one field fail with AMBIGUOUS_JSON_FIELD); `[\'name\']` matches exactly; `[*]` gives a JSON array.',
  examples: [{ sql: '\'{"owner":"amy","store":{"bicycle":{"price":19.95}}}\':store.bicycle.price', result: '19.95' }],
  nulls: 'propagate',
  type: (args, ctx) => { stringArg(args, 0, ctx); pathSteps(args, ctx); return { returns: 'string', args: ['string', 'string'] }; },
  kernel: (args, ctx) => {
    const steps = parseDatabricksPath(ctx.literals[1] as string)!;
    return perRow(([j], row) => {
      try { return jsonPathExtract(j as string, steps); } catch (e) {
        if (e instanceof AmbiguousFieldError) ctx.fail(row, 'AMBIGUOUS_JSON_FIELD', `the JSON field ${e.field} is ambiguous: the value has ${e.names.join(', ')}`, `name it exactly with ['${e.names[0]}']`);
        throw e;
      }
    })(args, ctx);
  },
  sql: {
    databricks: (e) => ({ sql: `${e.arg(0, P.ATOM)}:${databricksPath(parseDatabricksPath(e.literals[1] as string)!)}`, prec: P.ATOM }),
    spark: { sql: (e) => `get_json_object(${e.arg(0)}, ${e.literal(sparkPath(parseDatabricksPath(e.literals[1] as string)!), 'string')})`, approx: 'Spark has no col:path syntax: get_json_object matches field names exactly and flattens [*] results differently' },
    duckdb: { sql: (e) => `CASE WHEN json_valid(${e.arg(0)}) THEN json_extract_string(${e.arg(0)}, ${e.literal(sparkPath(parseDatabricksPath(e.literals[1] as string)!), 'string')}) END`, approx: 'DuckDB matches field names exactly and gives [*] results as a list' },
  },
  text: (a) => `${a[0]}:${a[1].replace(/^'\$\.?(.*)'$/s, '$1')}`,
  notes: 'The form the SQL reader gives `json:path`; written `json:path` for Databricks only (Spark has no such syntax).',
};

// ------------------------------------------------------------ schemas and options

/** A DDL schema (`a INT, b STRING`, `struct<…>`, `array<…>`, `map<string, …>`) as a type, or undefined. */
export function parseSchemaDdl(text: string): DataType | undefined {
  const t = parseTypeName(text);
  if (t) return t;
  return text.trim() === '' ? undefined : parseTypeName(`struct<${text}>`);
}

/** The string literal of a schema argument, or of `schema_of_json('…')`. */
function schemaText(a: ArgInfo): string | undefined {
  if (typeof a.literal === 'string') return a.literal;
  const n = a.node;
  if (n.kind === 'call' && n.fn.toLowerCase() === 'schema_of_json' && n.args[0]?.kind === 'lit' && typeof n.args[0].value === 'string') return schemaOfJson(n.args[0].value);
  return undefined;
}

/** Options given as `map('key', 'value', …)` of string literals. */
function optionsOf(args: readonly ArgInfo[], i: number, ctx: TypeCtx, known: readonly string[]): Record<string, string> {
  const a = args[i];
  if (!a) return {};
  const n = a.node;
  if (n.kind !== 'call' || n.fn.toLowerCase() !== 'map') return ctx.mismatch(`${ctx.fn}() needs its options as map('key', 'value', …)`);
  const out: Record<string, string> = {};
  for (let k = 0; k + 1 < n.args.length; k += 2) {
    const key = n.args[k], val = n.args[k + 1];
    if (key.kind !== 'lit' || val.kind !== 'lit' || typeof key.value !== 'string' || (typeof val.value !== 'string')) ctx.mismatch(`${ctx.fn}() options must be string literals`);
    out[(key as { value: string }).value] = (val as { value: string }).value;
  }
  for (const k of Object.keys(out)) {
    if (!known.some((x) => x.toLowerCase() === k.toLowerCase())) {
      throw new DefinitionError('UNSUPPORTED_JSON_OPTION', `${ctx.fn}() option ${k} is not supported`, { function: ctx.fn, option: k, supported: known }, { hint: `supported options: ${known.join(', ')}` });
    }
  }
  return out;
}

function option(o: Record<string, string>, key: string): string | undefined {
  const k = Object.keys(o).find((x) => x.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : o[k];
}

function boolOption(o: Record<string, string>, key: string, dflt: boolean): boolean {
  const v = option(o, key);
  return v === undefined ? dflt : v.toLowerCase() === 'true';
}

// ------------------------------------------------------------ from_json

/** A value that did not convert; `partial` is what Spark keeps of a struct, array or map (partial results). */
class Fail {
  constructor(readonly partial?: Value) {}
}

const CORRUPT = '_corrupt_record';
const LONG_MAX = 9223372036854775807n;

interface ReadOptions {
  readonly text: string;
}

function intOf(n: Extract<JNode, { t: 'num' }>, bits: 32 | 64): number {
  if (!n.int) throw new Fail();
  if (n.text.length < 10) return Number(n.text);
  const v = BigInt(n.text);
  const lim = bits === 32 ? 2147483647n : LONG_MAX;
  if (v > lim || v < -lim - 1n) throw new Fail();
  return Number(v);
}

const SPECIAL: Record<string, number> = { NaN: NaN, '+INF': Infinity, '+Infinity': Infinity, Infinity, '-INF': -Infinity, '-Infinity': -Infinity };

/** Converts a JSON value to a value of type `t` (Spark's JacksonParser converters); throws Fail. */
function convert(n: JNode, t: DataType, o: ReadOptions): Value {
  if (n.t === 'null') return null;
  const info = typeInfo(t);
  switch (info.kind) {
    case 'string': return n.t === 'str' ? n.v : o.text.slice(n.s, n.e);
    case 'boolean': if (n.t === 'bool') return n.v; break;
    case 'int': if (n.t === 'num' && n.special === undefined) return intOf(n, 32); break;
    case 'long': if (n.t === 'num' && n.special === undefined) return intOf(n, 64); break;
    case 'double':
      if (n.t === 'num') return n.special ?? Number(n.text);
      if (n.t === 'str' && n.v in SPECIAL) return SPECIAL[n.v];
      break;
    case 'decimal': {
      if ((n.t === 'num' && n.special === undefined) || (n.t === 'str' && n.v !== '')) {
        const text = n.t === 'num' ? n.text : n.v.replace(/,/g, '');
        const u = toUnscaled(text, 'string', t as DecimalType);
        if (u === null) throw new Fail();
        return Number(u) / 10 ** decimalScale(t as DecimalType);
      }
      break;
    }
    case 'date': if (n.t === 'str' && n.v !== '') { const d = castValue(n.v, 'string', 'date'); if (d !== null) return d; } break;
    case 'timestamp':
      if (n.t === 'str' && n.v !== '') { const v = castValue(n.v, 'string', 'timestamp'); if (v !== null) return v; }
      if (n.t === 'num' && n.int) return intOf(n, 64) * 1_000_000;
      break;
    case 'struct': if (n.t === 'obj') return convertObject(n, info.fields, o); break;
    case 'array': {
      if (n.t !== 'arr') break;
      const out: Value[] = [];
      let bad = false;
      for (const x of n.items) {
        try { out.push(convert(x, info.element, o)); } catch (e) {
          if (!(e instanceof Fail) || e.partial === undefined) throw e;
          out.push(e.partial);
          bad = true;
        }
      }
      if (bad) throw new Fail(out);
      return out;
    }
    case 'map': {
      if (n.t !== 'obj') break;
      const m = new Map<Value, Value>();
      let bad = false;
      n.keys.forEach((k, i) => {
        try { m.set(k, convert(n.vals[i], info.value, o)); } catch (e) {
          // a value without a partial result leaves the map's keys and values apart: Spark drops the whole map
          if (!(e instanceof Fail) || e.partial === undefined) throw e;
          m.set(k, e.partial);
          bad = true;
        }
      });
      if (bad) throw new Fail(m as unknown as Value);
      return m as unknown as Value;
    }
    default: break;
  }
  throw new Fail();
}

/** A JSON object as a struct: fields by exact name (a repeated one: the last), a field that fails is NULL (partial results). */
const fieldIndex = new WeakMap<readonly Field[], Map<string, Field>>();

function convertObject(n: Extract<JNode, { t: 'obj' }>, fields: readonly Field[], o: ReadOptions): Value {
  let byName = fieldIndex.get(fields);
  if (!byName) { byName = new Map(fields.map((f) => [f.name, f])); fieldIndex.set(fields, byName); }
  const row: Record<string, Value> = {};
  for (const f of fields) row[f.name] = null;
  let bad = false;
  const { keys, vals } = n;
  for (let i = 0; i < keys.length; i++) {
    const f = byName.get(keys[i]);
    if (!f) continue;
    try { row[f.name] = convert(vals[i], f.type, o); } catch (e) {
      if (!(e instanceof Fail)) throw e;
      row[f.name] = e.partial ?? null;
      bad = true;
    }
  }
  if (bad) throw new Fail(row);
  return row;
}

interface FromJsonPlan {
  readonly type: DataType;
  readonly failFast: boolean;
  readonly parse: { singleQuotes: boolean; controlChars: boolean; nonNumeric: boolean };
}

/** from_json of one text: the value, or (FAILFAST) 'malformed'. */
function fromJson(text: string, plan: FromJsonPlan): Value | 'malformed' {
  const t = plan.type;
  const info = typeInfo(t);
  const o = { text };
  const corrupt = info.kind === 'struct' && info.fields.some((f) => f.name === CORRUPT && f.type === 'string');
  const fields = info.kind === 'struct' ? info.fields.filter((f) => !(corrupt && f.name === CORRUPT)) : [];
  const nullStruct = (): Value => Object.fromEntries((info as { fields: readonly Field[] }).fields.map((f) => [f.name, corrupt && f.name === CORRUPT ? text : null]));
  let root: JNode | undefined;
  try { root = parseJson(text, plan.parse); } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    return plan.failFast ? 'malformed' : info.kind === 'struct' ? nullStruct() : null;
  }
  if (root === undefined) return null;
  try {
    if (info.kind === 'struct') {
      if (root.t !== 'obj') throw new Fail();
      const row = convertObject(root, fields, o) as Record<string, Value>;
      return corrupt ? { ...row, [CORRUPT]: null } : row;
    }
    if (info.kind === 'array' && root.t === 'obj' && isStruct(info.element)) {
      try { return [convertObject(root, (typeInfo(info.element) as { fields: readonly Field[] }).fields, o)]; } catch (e) {
        if (e instanceof Fail) throw new Fail([e.partial ?? null]);
        throw e;
      }
    }
    if ((info.kind === 'array' && root.t !== 'arr') || (info.kind === 'map' && root.t !== 'obj')) throw new Fail();
    return convert(root, t, o);
  } catch (e) {
    if (!(e instanceof Fail)) throw e;
    if (plan.failFast) return 'malformed';
    if (e.partial !== undefined) return corrupt ? { ...(e.partial as Record<string, Value>), [CORRUPT]: text } : e.partial;
    return info.kind === 'struct' ? nullStruct() : null;
  }
}

const FROM_JSON_OPTIONS = ['mode', 'allowSingleQuotes', 'allowNonNumericNumbers', 'allowUnquotedControlChars'];

function fromJsonPlan(args: readonly ArgInfo[], ctx: TypeCtx): FromJsonPlan {
  const text = schemaText(args[1]);
  if (text === undefined) return ctx.mismatch('from_json() needs its schema as a string literal (or schema_of_json(\'…\'))');
  const type = parseSchemaDdl(text);
  if (!type) {
    throw new DefinitionError('INVALID_SCHEMA', `from_json() cannot read the schema "${text}"`, { function: 'from_json', schema: text }, { hint: 'write a DDL schema such as \'a INT, b STRING\', \'STRUCT<a: INT>\', \'ARRAY<INT>\' or \'MAP<STRING, INT>\'' });
  }
  if (!isNested(type)) ctx.mismatch(`from_json() needs a struct, array or map schema, got ${type}`);
  if (isMap(type) && (typeInfo(type) as { key: DataType }).key !== 'string') ctx.mismatch(`from_json() needs a map with string keys, got ${type}`);
  const o = optionsOf(args, 2, ctx, FROM_JSON_OPTIONS);
  const mode = (option(o, 'mode') ?? 'PERMISSIVE').toUpperCase();
  if (mode !== 'PERMISSIVE' && mode !== 'FAILFAST') ctx.mismatch(`from_json() supports the modes PERMISSIVE and FAILFAST, not ${mode}`);
  return {
    type,
    failFast: mode === 'FAILFAST',
    parse: { singleQuotes: boolOption(o, 'allowSingleQuotes', true), controlChars: boolOption(o, 'allowUnquotedControlChars', false), nonNumeric: boolOption(o, 'allowNonNumericNumbers', true) },
  };
}

/** DuckDB's json_transform structure of a type. */
function duckStructure(t: DataType, typeName: (t: DataType) => string): unknown {
  const i = typeInfo(t);
  if (i.kind === 'struct') return Object.fromEntries(i.fields.map((f: Field) => [f.name, duckStructure(f.type, typeName)]));
  if (i.kind === 'array') return [duckStructure(i.element, typeName)];
  return typeName(t);
}

const fromJsonFn: ScalarFunction = {
  name: 'from_json', family: 'json', arity: [2, 3], signature: 'from_json(json, schema[, options])',
  summary: 'A JSON string read with a DDL schema (\'a INT, b STRING\', STRUCT<…>, ARRAY<…>, MAP<STRING, …>); a value that does not convert is NULL in its field, malformed JSON gives NULL fields (PERMISSIVE) or MALFORMED_RECORD_IN_PARSING with map(\'mode\', \'FAILFAST\').',
  examples: [{ sql: 'from_json(\'{"a":1, "b":0.8}\', \'a INT, b DOUBLE\')', result: '{"a":1,"b":0.8}' }, { sql: 'from_json(\'{"a":1, "b":2}\', \'map<string, int>\')', result: '{"a":1,"b":2}' }],
  nulls: 'propagate',
  type: (args, ctx) => {
    stringArg(args, 0, ctx);
    const plan = fromJsonPlan(args, ctx);
    return { returns: plan.type, args: ['string'], plan };
  },
  kernel: (args, ctx) => {
    const plan = ctx.plan as FromJsonPlan;
    return perRow(([j], row) => {
      const v = fromJson(j as string, plan);
      if (v === 'malformed') ctx.fail(row, 'MALFORMED_RECORD_IN_PARSING', 'from_json() met a record it cannot read in FAILFAST mode', 'fix the input or use the PERMISSIVE mode (NULL for what does not convert)');
      return v;
    })(args, ctx);
  },
  sql: {
    default: 'from_json($*)',
    duckdb: {
      sql: (e) => `CASE WHEN json_valid(${e.arg(0)}) THEN from_json(${e.arg(0)}, ${e.literal(JSON.stringify(duckStructure(e.returns, (t) => e.dialect.typeName(t))), 'string')}) END`,
      approx: 'DuckDB converts values by its own casts (a number in a string converts), gives NULL for malformed JSON (Spark: a struct of NULL fields) and has no FAILFAST mode',
    },
  },
};

// ------------------------------------------------------------ to_json

const fmtCache = new Map<string, Intl.DateTimeFormat>();

/** The offset (minutes) of a time zone at an instant. */
export function zoneOffsetMinutes(ms: number, tz: string): number {
  if (tz === 'UTC' || tz === 'Etc/UTC' || tz === 'GMT' || tz === 'Z') return 0;
  let f = fmtCache.get(tz);
  if (!f) { f = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' }); fmtCache.set(tz, f); }
  const part = f.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(part);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/** A timestamp as Spark's JSON default `yyyy-MM-dd'T'HH:mm:ss.SSSXXX` in a time zone. */
export function jsonTimestamp(us: number, tz: string): string {
  const ms = Math.floor(us / 1000);
  const off = zoneOffsetMinutes(ms, tz);
  const local = ms + off * 60_000;
  const days = Math.floor(local / 86_400_000);
  const rem = local - days * 86_400_000;
  const p2 = (x: number) => String(x).padStart(2, '0');
  const time = `${p2(Math.floor(rem / 3_600_000))}:${p2(Math.floor(rem / 60_000) % 60)}:${p2(Math.floor(rem / 1000) % 60)}.${String(rem % 1000).padStart(3, '0')}`;
  const zone = off === 0 ? 'Z' : `${off < 0 ? '-' : '+'}${p2(Math.floor(Math.abs(off) / 60))}:${p2(Math.abs(off) % 60)}`;
  return `${formatDate(days)}T${time}${zone}`;
}

/** Java's BigDecimal.toString of an unscaled value and scale (scientific below 1E-6: `0E-8`). */
export function bigDecimalText(u: bigint, scale: number): string {
  if (scale === 0) return u.toString();
  const digits = (u < 0n ? -u : u).toString();
  const adjusted = -scale + (digits.length - 1);
  if (adjusted >= -6) return decimalText(u, scale);
  const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${u < 0n ? '-' : ''}${mant}E${adjusted}`;
}

interface WriteOptions {
  readonly tz: string;
  readonly ignoreNullFields: boolean;
}

/** The JSON writer of values of type t (Spark's JacksonGenerator), built once per type. */
function writerFor(t: DataType, o: WriteOptions): (v: Value) => string {
  const i = typeInfo(t);
  const w = ((): ((v: Value) => string) => {
    switch (i.kind) {
      case 'string': return (v) => jsonString(v as string);
      case 'boolean': return (v) => (v ? 'true' : 'false');
      case 'int': case 'long': return (v) => String(v);
      case 'double': return (v) => { const d = v as number; return Number.isFinite(d) ? doubleToString(d) : jsonString(Number.isNaN(d) ? 'NaN' : d > 0 ? 'Infinity' : '-Infinity'); };
      case 'decimal': return (v) => { const u = toUnscaled(v, 'double', t as DecimalType); return u === null ? String(v) : bigDecimalText(u, i.scale); };
      case 'date': return (v) => jsonString(formatDate(v as number));
      case 'timestamp': return (v) => jsonString(jsonTimestamp(v as number, o.tz));
      case 'array': { const e = writerFor(i.element, o); return (v) => `[${(v as readonly Value[]).map(e).join(',')}]`; }
      case 'map': {
        const val = writerFor(i.value, o);
        return (v) => `{${[...(v as ReadonlyMap<Value, Value>)].map(([k, x]) => `${jsonString(keyText(k, i.key))}:${val(x)}`).join(',')}}`;
      }
      case 'struct': {
        const fs = i.fields.map((f) => ({ name: f.name, key: jsonString(f.name) + ':', write: writerFor(f.type, o) }));
        return (v) => {
          const s = v as Record<string, Value>;
          let out = '';
          for (const f of fs) {
            const x = s[f.name] ?? null;
            if (x === null && o.ignoreNullFields) continue;
            out += (out ? ',' : '') + f.key + f.write(x);
          }
          return `{${out}}`;
        };
      }
      default: return (v) => jsonString(String(v));
    }
  })();
  return (v) => (v === null ? 'null' : w(v));
}

/** A map key as Spark writes it (the key's toString: dates and timestamps as their internal numbers). */
function keyText(k: Value, t: DataType): string {
  if (t === 'double') return doubleToString(k as number);
  if (isDecimal(t)) { const u = toUnscaled(k, 'double', t); return u === null ? String(k) : decimalText(u, decimalScale(t)); }
  return String(k);
}

const toJsonFn: ScalarFunction = {
  name: 'to_json', family: 'json', arity: [1, 2], signature: 'to_json(expr[, options])',
  summary: 'A struct, array or map as a JSON string; NULL struct fields are left out (option ignoreNullFields), timestamps are written yyyy-MM-dd\'T\'HH:mm:ss.SSSXXX in the session time zone.',
  examples: [{ sql: "to_json(named_struct('a', 1, 'b', 2))", result: '{"a":1,"b":2}' }, { sql: "to_json(array(map('a', 1)))", result: '[{"a":1}]' }],
  nulls: 'propagate',
  type: (args, ctx) => {
    const t = args[0].type;
    if (!args[0].isNullLiteral && !isStruct(t) && !isArray(t) && !isMap(t)) ctx.mismatch(`to_json() needs a struct, an array or a map, got ${t}`);
    const o = optionsOf(args, 1, ctx, ['ignoreNullFields']);
    return { returns: 'string', args: [null], plan: boolOption(o, 'ignoreNullFields', true) };
  },
  kernel: (args, ctx) => {
    const o: WriteOptions = { tz: ctx.timeZone, ignoreNullFields: ctx.plan !== false };
    const write = writerFor(ctx.argTypes[0], o);
    return perRow(([v]) => write(v))(args, ctx);
  },
  sql: {
    default: 'to_json($*)',
    duckdb: { sql: 'to_json($1)', approx: 'DuckDB writes NULL struct fields, other double and decimal forms and timestamps without the T and zone' },
  },
};

// ------------------------------------------------------------ schema_of_json, json_array_length, json_object_keys

type Inferred = { k: 'null' } | { k: 'atom'; t: 'BIGINT' | 'DOUBLE' | 'STRING' | 'BOOLEAN' | string } | { k: 'array'; e: Inferred } | { k: 'struct'; fields: Map<string, Inferred> };

function infer(n: JNode): Inferred {
  switch (n.t) {
    case 'null': return { k: 'null' };
    case 'bool': return { k: 'atom', t: 'BOOLEAN' };
    case 'str': return { k: 'atom', t: 'STRING' };
    case 'num': {
      if (!n.int) return { k: 'atom', t: 'DOUBLE' };
      const v = BigInt(n.text);
      if (v <= LONG_MAX && v >= -LONG_MAX - 1n) return { k: 'atom', t: 'BIGINT' };
      const digits = (v < 0n ? -v : v).toString().length;
      return digits <= 38 ? { k: 'atom', t: `DECIMAL(${digits},0)` } : { k: 'atom', t: 'DOUBLE' };
    }
    case 'arr': return { k: 'array', e: n.items.map(infer).reduce<Inferred>(merge, { k: 'null' }) };
    case 'obj': {
      const fields = new Map<string, Inferred>();
      n.keys.forEach((k, i) => fields.set(k, fields.has(k) ? merge(fields.get(k)!, infer(n.vals[i])) : infer(n.vals[i])));
      return { k: 'struct', fields };
    }
  }
}

/** Spark's JsonInferSchema.compatibleType. */
function merge(a: Inferred, b: Inferred): Inferred {
  if (a.k === 'null') return b;
  if (b.k === 'null') return a;
  if (a.k === 'atom' && b.k === 'atom') {
    if (a.t === b.t) return a;
    const num = (t: string) => t === 'BIGINT' || t === 'DOUBLE' || t.startsWith('DECIMAL');
    if (num(a.t) && num(b.t)) return { k: 'atom', t: a.t === 'DOUBLE' || b.t === 'DOUBLE' ? 'DOUBLE' : a.t.startsWith('DECIMAL') ? a.t : b.t };
    return { k: 'atom', t: 'STRING' };
  }
  if (a.k === 'array' && b.k === 'array') return { k: 'array', e: merge(a.e, b.e) };
  if (a.k === 'struct' && b.k === 'struct') {
    const fields = new Map(a.fields);
    for (const [k, v] of b.fields) fields.set(k, fields.has(k) ? merge(fields.get(k)!, v) : v);
    return { k: 'struct', fields };
  }
  return { k: 'atom', t: 'STRING' };
}

function inferredSql(x: Inferred): string {
  switch (x.k) {
    case 'null': return 'STRING';
    case 'atom': return x.t;
    case 'array': return `ARRAY<${inferredSql(x.e)}>`;
    case 'struct': return `STRUCT<${[...x.fields.keys()].sort().map((k) => `\`${k.replace(/`/g, '``')}\`: ${inferredSql(x.fields.get(k)!)}`).join(', ')}>`;
  }
}

/** schema_of_json of a JSON text: Spark's inferred schema in DDL (fields sorted by name, numbers BIGINT or DOUBLE, nulls STRING). */
export function schemaOfJson(text: string): string {
  let root: JNode | undefined;
  try { root = parseJson(text, { singleQuotes: true, nonNumeric: true }); } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    return 'STRING';
  }
  return root === undefined ? 'STRING' : inferredSql(infer(root));
}

const schemaOfJsonFn: ScalarFunction = {
  name: 'schema_of_json', family: 'json', arity: [1, 1], signature: 'schema_of_json(json)',
  summary: 'The schema Spark infers for a JSON string literal, in DDL (fields sorted by name; integers BIGINT, other numbers DOUBLE, nulls STRING).',
  examples: [{ sql: 'schema_of_json(\'[{"col":0}]\')', result: 'ARRAY<STRUCT<`col`: BIGINT>>' }],
  nulls: 'custom',
  type: (args, ctx) => {
    if (typeof args[0].literal !== 'string') ctx.mismatch('schema_of_json() needs a JSON string literal');
    return { returns: 'string' };
  },
  kernel: (args, ctx) => {
    const s = schemaOfJson(ctx.literals[0] as string);
    return perRow(() => s, false)(args, ctx);
  },
  sql: { default: 'schema_of_json($1)', duckdb: (e: SqlEmit) => e.literal(schemaOfJson(e.literals[0] as string), 'string') },
};

function parsedOrNull(text: string): JNode | null {
  try { return parseJson(text, { singleQuotes: true, controlChars: true }) ?? null; } catch (e) {
    if (e instanceof JsonSyntaxError) return null;
    throw e;
  }
}

const jsonArrayLength: ScalarFunction = {
  name: 'json_array_length', family: 'json', arity: [1, 1], signature: 'json_array_length(jsonArray)',
  summary: 'The number of elements of the outermost JSON array; NULL when the text is not a valid array.',
  examples: [{ sql: "json_array_length('[1,2,3,{\"f1\":1,\"f2\":[5,6]},4]')", result: '5' }],
  nulls: 'propagate',
  type: (args, ctx) => { stringArg(args, 0, ctx); return { returns: 'int', args: ['string'] }; },
  kernel: perRow(([j]) => { const n = parsedOrNull(j as string); return n && n.t === 'arr' ? n.items.length : null; }),
  sql: { default: 'json_array_length($1)', duckdb: { sql: 'CASE WHEN json_valid($1) THEN CAST(json_array_length($1) AS INTEGER) END', approx: 'DuckDB gives 0 for a JSON value that is not an array' } },
};

const jsonObjectKeys: ScalarFunction = {
  name: 'json_object_keys', family: 'json', arity: [1, 1], signature: 'json_object_keys(jsonObject)',
  summary: 'The keys of the outermost JSON object; NULL when the text is not a valid object.',
  examples: [{ sql: 'json_object_keys(\'{"key": "value", "key2": 2}\')', result: '["key","key2"]' }],
  nulls: 'propagate',
  type: (args, ctx) => { stringArg(args, 0, ctx); return { returns: arrayType('string'), args: ['string'] }; },
  kernel: perRow(([j]) => { const n = parsedOrNull(j as string); return n && n.t === 'obj' ? n.keys.slice() : null; }),
  sql: { default: 'json_object_keys($1)', duckdb: { sql: 'CASE WHEN json_valid($1) THEN json_keys($1) END', approx: 'DuckDB gives an empty list for a JSON value that is not an object' } },
};

register([getJsonObjectFn, jsonPathFn, fromJsonFn, toJsonFn, schemaOfJsonFn, jsonArrayLength, jsonObjectKeys]);
