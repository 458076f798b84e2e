/**
 * Logical data types of the engine.
 *
 * Every column of every batch has one of these types. They map one to one onto
 * Spark SQL types (and so onto Delta schema strings and Parquet logical types):
 *
 * | engine      | Spark / Delta | Parquet                         | in memory                      |
 * |-------------|---------------|---------------------------------|--------------------------------|
 * | string      | string        | BYTE_ARRAY (STRING)             | UTF-8 bytes + offsets + mask   |
 * | int         | integer       | INT32                           | Int32Array + null mask         |
 * | long        | long          | INT64                           | Float64Array + null mask       |
 * | double      | double        | DOUBLE                          | Float64Array + null mask       |
 * | boolean     | boolean       | BOOLEAN                         | Uint8Array + null mask         |
 * | date        | date          | INT32 (DATE), days since epoch  | Int32Array + null mask         |
 * | timestamp   | timestamp     | INT64 (TIMESTAMP micros, UTC)   | Float64Array (micros) + mask   |
 * | string[]    | array<string> | LIST<BYTE_ARRAY (STRING)>       | (string[] \| null)[]           |
 *
 * `long` and `timestamp` are kept as doubles in memory: every value the engine
 * produces (counts, line numbers, microseconds until year 2255) is an exact
 * integer below 2^53.
 */
export type DataType = 'string' | 'int' | 'long' | 'double' | 'boolean' | 'date' | 'timestamp' | 'string[]';

export const DATA_TYPES: readonly DataType[] = ['string', 'int', 'long', 'double', 'boolean', 'date', 'timestamp', 'string[]'];

export interface Field {
  readonly name: string;
  readonly type: DataType;
}

export type Schema = readonly Field[];

export function isNumeric(t: DataType): boolean {
  return t === 'int' || t === 'long' || t === 'double';
}

/** The SQL spelling of a type (Spark SQL). */
export function sqlTypeName(t: DataType): string {
  switch (t) {
    case 'string': return 'STRING';
    case 'int': return 'INT';
    case 'long': return 'BIGINT';
    case 'double': return 'DOUBLE';
    case 'boolean': return 'BOOLEAN';
    case 'date': return 'DATE';
    case 'timestamp': return 'TIMESTAMP';
    case 'string[]': return 'ARRAY<STRING>';
  }
}

/** The Delta / Spark StructType JSON name of a type. */
export function sparkTypeJson(t: DataType): unknown {
  switch (t) {
    case 'string': return 'string';
    case 'int': return 'integer';
    case 'long': return 'long';
    case 'double': return 'double';
    case 'boolean': return 'boolean';
    case 'date': return 'date';
    case 'timestamp': return 'timestamp';
    case 'string[]': return { type: 'array', elementType: 'string', containsNull: true };
  }
}

/** Parses a user-facing type name (`INT`, `integer`, `bigint`, `date`, …). */
export function parseTypeName(name: string): DataType | undefined {
  const n = name.trim().toLowerCase();
  switch (n) {
    case 'string': case 'varchar': case 'text': return 'string';
    case 'int': case 'integer': case 'int32': return 'int';
    case 'long': case 'bigint': case 'int64': return 'long';
    case 'double': case 'float': case 'float64': case 'real': return 'double';
    case 'boolean': case 'bool': return 'boolean';
    case 'date': return 'date';
    case 'timestamp': return 'timestamp';
    case 'string[]': case 'array<string>': return 'string[]';
    default: return undefined;
  }
}

/** A JS value of a cell: numbers for numeric, date (epoch days) and timestamp (epoch micros) types. */
export type Value = string | number | boolean | string[] | null;
