/**
 * Logical data types of the engine.
 *
 * A type is its canonical Spark SQL spelling in lower case, so simple types
 * compare as strings (`t === 'string'`) and parameterised ones carry their
 * parameters in the text: `decimal(10,2)`, `array<int>`, `map<string,double>`,
 * `struct<a:int,b:string>`. `typeInfo(t)` gives the parsed form.
 *
 * | engine          | Spark / Delta   | Parquet                         | in memory                          |
 * |-----------------|-----------------|---------------------------------|------------------------------------|
 * | string          | string          | BYTE_ARRAY (STRING)             | UTF-8 bytes + offsets + mask       |
 * | int             | integer         | INT32                           | Int32Array + null mask             |
 * | long            | long            | INT64                           | Float64Array + null mask           |
 * | double          | double          | DOUBLE                          | Float64Array + null mask           |
 * | boolean         | boolean         | BOOLEAN                         | Uint8Array + null mask             |
 * | date            | date            | INT32 (DATE), days since epoch  | Int32Array + null mask             |
 * | timestamp       | timestamp       | INT64 (TIMESTAMP micros, UTC)   | Float64Array (micros) + mask       |
 * | decimal(p,s)    | decimal(p,s)    | INT64 / FIXED_LEN_BYTE_ARRAY    | unscaled BigInt values + mask      |
 * | array<T>        | array           | LIST                            | JS arrays of values                |
 * | map<string,T>   | map             | MAP                             | JS Maps                            |
 * | struct<…>       | struct          | group                           | JS objects, fields in order        |
 *
 * `long` and `timestamp` are kept as doubles in memory: every value the engine
 * produces (counts, line numbers, microseconds until year 2255) is an exact
 * integer below 2^53. `float`, `short` and `byte` (`real`, `smallint`,
 * `tinyint`) are read as `double`, `int` and `int`: the engine computes in the
 * wider type, so a value that would overflow a SMALLINT in Spark does not here.
 *
 * Two interval types exist only inside expressions (`ts + INTERVAL 1 DAY`):
 * `interval day to second` (microseconds) and `interval year to month`
 * (months). A dataset column cannot have one (Delta has no interval type).
 */
export type PrimitiveType = 'string' | 'int' | 'long' | 'double' | 'boolean' | 'date' | 'timestamp';
export type IntervalType = 'interval day to second' | 'interval year to month';
export type DecimalType = `decimal(${number},${number})`;
export type ArrayType = `array<${string}>`;
export type MapType = `map<${string}>`;
export type StructType = `struct<${string}>`;
export type DataType = PrimitiveType | IntervalType | DecimalType | ArrayType | MapType | StructType;

export const PRIMITIVE_TYPES: readonly PrimitiveType[] = ['string', 'int', 'long', 'double', 'boolean', 'date', 'timestamp'];

export interface Field {
  readonly name: string;
  readonly type: DataType;
}

export type Schema = readonly Field[];

export type TypeInfo =
  | { readonly kind: PrimitiveType | IntervalType }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'array'; readonly element: DataType }
  | { readonly kind: 'map'; readonly key: DataType; readonly value: DataType }
  | { readonly kind: 'struct'; readonly fields: readonly Field[] };

const infoCache = new Map<string, TypeInfo>();

/** The parsed form of a canonical type. */
export function typeInfo(t: DataType): TypeInfo {
  let info = infoCache.get(t);
  if (info) return info;
  const parsed = parseTypeText(t);
  if (!parsed) throw new Error(`internal: not a canonical type: ${t}`);
  info = parsed.info;
  infoCache.set(t, info);
  return info;
}

export function isNumeric(t: DataType): boolean {
  return t === 'int' || t === 'long' || t === 'double' || isDecimal(t);
}

export function isDecimal(t: DataType): t is DecimalType {
  return t.charCodeAt(0) === 100 /* d */ && t.startsWith('decimal(');
}

export function isArray(t: DataType): t is ArrayType { return t.startsWith('array<'); }
export function isMap(t: DataType): t is MapType { return t.startsWith('map<'); }
export function isStruct(t: DataType): t is StructType { return t.startsWith('struct<'); }
export function isNested(t: DataType): t is ArrayType | MapType | StructType { return isArray(t) || isMap(t) || isStruct(t); }
export function isInterval(t: DataType): t is IntervalType { return t.startsWith('interval'); }

export function decimalType(precision: number, scale: number): DecimalType {
  return `decimal(${precision},${scale})`;
}
export function arrayType(element: DataType): ArrayType { return `array<${element}>`; }
export function mapType(key: DataType, value: DataType): MapType { return `map<${key},${value}>`; }
export function structType(fields: readonly Field[]): StructType {
  return `struct<${fields.map((f) => `${fieldNameText(f.name)}:${f.type}`).join(',')}>`;
}

/** The element type of an array type. */
export function elementType(t: DataType): DataType {
  const i = typeInfo(t);
  if (i.kind !== 'array') throw new Error(`internal: ${t} is not an array type`);
  return i.element;
}

/** A struct field name as written in a type: backquoted unless plain. */
function fieldNameText(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : '`' + name.replace(/`/g, '``') + '`';
}

/** The SQL spelling of a type (Spark SQL). */
export function sqlTypeName(t: DataType): string {
  const i = typeInfo(t);
  switch (i.kind) {
    case 'string': return 'STRING';
    case 'int': return 'INT';
    case 'long': return 'BIGINT';
    case 'double': return 'DOUBLE';
    case 'boolean': return 'BOOLEAN';
    case 'date': return 'DATE';
    case 'timestamp': return 'TIMESTAMP';
    case 'interval day to second': return 'INTERVAL DAY TO SECOND';
    case 'interval year to month': return 'INTERVAL YEAR TO MONTH';
    case 'decimal': return `DECIMAL(${i.precision}, ${i.scale})`;
    case 'array': return `ARRAY<${sqlTypeName(i.element)}>`;
    case 'map': return `MAP<${sqlTypeName(i.key)}, ${sqlTypeName(i.value)}>`;
    case 'struct': return `STRUCT<${i.fields.map((f) => `${fieldNameText(f.name)}: ${sqlTypeName(f.type)}`).join(', ')}>`;
  }
}

/** The Delta / Spark StructType JSON of a type. */
export function sparkTypeJson(t: DataType): unknown {
  const i = typeInfo(t);
  switch (i.kind) {
    case 'int': return 'integer';
    case 'decimal': return `decimal(${i.precision},${i.scale})`;
    case 'array': return { type: 'array', elementType: sparkTypeJson(i.element), containsNull: true };
    case 'map': return { type: 'map', keyType: sparkTypeJson(i.key), valueType: sparkTypeJson(i.value), valueContainsNull: true };
    case 'struct': return { type: 'struct', fields: i.fields.map((f) => ({ name: f.name, type: sparkTypeJson(f.type), nullable: true, metadata: {} })) };
    case 'interval day to second': case 'interval year to month': throw new Error(`internal: ${t} cannot be stored`);
    default: return i.kind;
  }
}

/** The engine type of a Delta / Spark StructType JSON type, or undefined. */
export function typeFromSparkJson(j: unknown): DataType | undefined {
  if (typeof j === 'string') return parseTypeName(j === 'integer' ? 'int' : j);
  if (j === null || typeof j !== 'object') return undefined;
  const o = j as Record<string, unknown>;
  if (o.type === 'array') { const e = typeFromSparkJson(o.elementType); return e && arrayType(e); }
  if (o.type === 'map') { const k = typeFromSparkJson(o.keyType), v = typeFromSparkJson(o.valueType); return k && v ? mapType(k, v) : undefined; }
  if (o.type === 'struct' && Array.isArray(o.fields)) {
    const fields: Field[] = [];
    for (const f of o.fields as { name?: unknown; type?: unknown }[]) {
      const ft = typeFromSparkJson(f.type);
      if (typeof f.name !== 'string' || !ft) return undefined;
      fields.push({ name: f.name, type: ft });
    }
    return structType(fields);
  }
  return undefined;
}

const SIMPLE: Record<string, DataType> = {
  string: 'string', varchar: 'string', char: 'string', text: 'string',
  int: 'int', integer: 'int', int32: 'int', short: 'int', smallint: 'int', byte: 'int', tinyint: 'int', int16: 'int', int8: 'int',
  long: 'long', bigint: 'long', int64: 'long',
  double: 'double', float: 'double', float64: 'double', float32: 'double', real: 'double',
  boolean: 'boolean', bool: 'boolean',
  date: 'date',
  timestamp: 'timestamp', timestamp_ltz: 'timestamp', timestamp_ntz: 'timestamp',
  decimal: 'decimal(10,0)', dec: 'decimal(10,0)', numeric: 'decimal(10,0)',
};

/**
 * Parses a type as users write it (`INT`, `bigint`, `DECIMAL(10, 2)`,
 * `ARRAY<STRING>`, `MAP<STRING, INT>`, `STRUCT<a: INT, b STRING>`, `string[]`,
 * `varchar(20)`) into its canonical form, or undefined.
 */
export function parseTypeName(name: string): DataType | undefined {
  const r = parseTypeText(name);
  return r ? r.type : undefined;
}

function parseTypeText(text: string): { type: DataType; info: TypeInfo } | undefined {
  const p = new TypeParser(text);
  const r = p.type();
  if (!r || !p.atEnd()) return undefined;
  return r;
}

class TypeParser {
  private i = 0;
  constructor(private readonly s: string) {}

  private ws(): void { while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++; }
  atEnd(): boolean { this.ws(); return this.i >= this.s.length; }
  private eat(c: string): boolean { this.ws(); if (this.s[this.i] === c) { this.i++; return true; } return false; }
  private word(): string {
    this.ws();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i));
    if (!m) return '';
    this.i += m[0].length;
    return m[0];
  }
  private int(): number | undefined {
    this.ws();
    const m = /^\d+/.exec(this.s.slice(this.i));
    if (!m) return undefined;
    this.i += m[0].length;
    return Number(m[0]);
  }
  private fieldName(): string | undefined {
    this.ws();
    if (this.s[this.i] === '`') {
      let out = '';
      this.i++;
      while (this.i < this.s.length) {
        if (this.s[this.i] === '`') {
          if (this.s[this.i + 1] === '`') { out += '`'; this.i += 2; continue; }
          this.i++;
          return out;
        }
        out += this.s[this.i++];
      }
      return undefined;
    }
    const w = this.word();
    return w || undefined;
  }

  type(): { type: DataType; info: TypeInfo } | undefined {
    const w = this.word().toLowerCase();
    if (!w) return undefined;
    if (w === 'array') {
      if (!this.eat('<')) return undefined;
      const e = this.type();
      if (!e || !this.eat('>')) return undefined;
      return { type: arrayType(e.type), info: { kind: 'array', element: e.type } };
    }
    if (w === 'map') {
      if (!this.eat('<')) return undefined;
      const k = this.type();
      if (!k || !this.eat(',')) return undefined;
      const v = this.type();
      if (!v || !this.eat('>')) return undefined;
      return { type: mapType(k.type, v.type), info: { kind: 'map', key: k.type, value: v.type } };
    }
    if (w === 'struct') {
      if (!this.eat('<')) return undefined;
      const fields: Field[] = [];
      if (!this.eat('>')) {
        for (;;) {
          const name = this.fieldName();
          if (name === undefined) return undefined;
          this.eat(':');
          const t = this.type();
          if (!t) return undefined;
          this.skipFieldOptions();
          fields.push({ name, type: t.type });
          if (this.eat(',')) continue;
          if (this.eat('>')) break;
          return undefined;
        }
      }
      return { type: structType(fields), info: { kind: 'struct', fields } };
    }
    if (w === 'interval') {
      const from = this.word().toLowerCase();
      let to = from;
      const save = this.i;
      if (this.word().toLowerCase() === 'to') to = this.word().toLowerCase(); else this.i = save;
      const ym = ['year', 'month'], dt = ['day', 'hour', 'minute', 'second'];
      const t: IntervalType | undefined = ym.includes(from) && ym.includes(to) ? 'interval year to month' : dt.includes(from) && dt.includes(to) ? 'interval day to second' : undefined;
      return t && { type: t, info: { kind: t } };
    }
    if (w === 'decimal' || w === 'dec' || w === 'numeric') {
      let precision = 10, scale = 0;
      if (this.eat('(')) {
        const p = this.int();
        if (p === undefined) return undefined;
        precision = p;
        if (this.eat(',')) { const s = this.int(); if (s === undefined) return undefined; scale = s; }
        if (!this.eat(')')) return undefined;
      }
      if (precision < 1 || precision > 38 || scale > precision) return undefined;
      const t = decimalType(precision, scale);
      return { type: t, info: { kind: 'decimal', precision, scale } };
    }
    if (w === 'string' && this.eat('[')) {
      if (!this.eat(']')) return undefined;
      return { type: 'array<string>', info: { kind: 'array', element: 'string' } };
    }
    const t = SIMPLE[w];
    if (!t) return undefined;
    if ((w === 'varchar' || w === 'char') && this.eat('(')) { if (this.int() === undefined || !this.eat(')')) return undefined; }
    return { type: t, info: { kind: t as PrimitiveType } };
  }

  /** `NOT NULL` and `COMMENT '…'` after a struct field's type are accepted and ignored. */
  private skipFieldOptions(): void {
    for (;;) {
      const save = this.i;
      const w = this.word().toLowerCase();
      if (w === 'not') { if (this.word().toLowerCase() === 'null') continue; }
      if (w === 'comment') {
        this.ws();
        const q = this.s[this.i];
        if (q === "'" || q === '"') {
          this.i++;
          while (this.i < this.s.length && this.s[this.i] !== q) this.i += this.s[this.i] === '\\' ? 2 : 1;
          this.i++;
          continue;
        }
      }
      this.i = save;
      return;
    }
  }
}

/**
 * A JS value of a cell: numbers for numeric, date (epoch days), timestamp
 * (epoch micros) and interval types (micros or months), and for decimals (a
 * JS number close to the exact value, which the column keeps; inside an
 * array, map or struct the number is all there is, so a decimal of more
 * than 15 significant digits there is approximate); arrays as arrays, maps
 * as `Map`s keyed by the key's value (keys are atomic), structs as plain
 * objects with their fields in order.
 */
export type Value = string | number | boolean | null | readonly Value[] | ReadonlyMap<Value, Value> | { readonly [field: string]: Value };
