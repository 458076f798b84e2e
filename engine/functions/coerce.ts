/**
 * Spark's implicit type coercion, as the type rules of the registry use it.
 *
 * - Numbers widen along int < long < decimal < double (an integer meeting a
 *   decimal becomes the decimal that holds it: int is decimal(10,0), long is
 *   decimal(20,0)).
 * - A date meeting a timestamp becomes a timestamp.
 * - A string compared with a number, date, timestamp or boolean is cast to
 *   that type (Spark's PromoteStrings / ANSI string promotion).
 * - An untyped NULL takes any type.
 */
import {
  decimalType, isDecimal, isNumeric, typeInfo, type DataType, type DecimalType,
} from '../ir/types.js';

/** The decimal type that holds every value of an integral or decimal type. */
export function asDecimal(t: DataType): DecimalType | null {
  if (isDecimal(t)) return t;
  if (t === 'int') return decimalType(10, 0);
  if (t === 'long') return decimalType(20, 0);
  return null;
}

export function decimalParts(t: DataType): { precision: number; scale: number } {
  const i = typeInfo(t);
  if (i.kind !== 'decimal') throw new Error(`internal: ${t} is not a decimal`);
  return { precision: i.precision, scale: i.scale };
}

/** Spark's bounded decimal: precision capped at 38, giving up scale (down to 6) to keep integer digits. */
export function boundedDecimal(precision: number, scale: number): DecimalType {
  if (precision <= 38) return decimalType(precision, scale);
  const intDigits = precision - scale;
  const minScale = Math.min(scale, 6);
  const s = Math.max(38 - intDigits, minScale);
  return decimalType(38, s);
}

/** The wider of two decimal types (enough integer digits and scale for both). */
export function widerDecimal(a: DecimalType, b: DecimalType): DecimalType {
  const x = decimalParts(a), y = decimalParts(b);
  const scale = Math.max(x.scale, y.scale);
  const intDigits = Math.max(x.precision - x.scale, y.precision - y.scale);
  return boundedDecimal(intDigits + scale, scale);
}

/** The common numeric type of two numeric types. */
export function widenNumeric(a: DataType, b: DataType): DataType {
  if (a === b) return a;
  if (a === 'double' || b === 'double') return 'double';
  if (isDecimal(a) || isDecimal(b)) return widerDecimal(asDecimal(a)!, asDecimal(b)!);
  if (a === 'long' || b === 'long') return 'long';
  return 'int';
}

/**
 * The type two values are compared in, or null when they cannot be compared.
 * `aNull`/`bNull`: the side is an untyped NULL literal. `strict` (legacy
 * mode, the TypeScript default): a string is not promoted to a number or a
 * boolean (only to a date or timestamp); compare after an explicit cast.
 */
export function comparisonType(a: DataType, b: DataType, aNull = false, bNull = false, strict = false): DataType | null {
  if (aNull) return b;
  if (bNull) return a;
  if (a === b) return a;
  if (isNumeric(a) && isNumeric(b)) return widenNumeric(a, b);
  const dt = (t: DataType) => t === 'date' || t === 'timestamp';
  if (dt(a) && dt(b)) return 'timestamp';
  const promotes = (t: DataType) => dt(t) || (!strict && (isNumeric(t) || t === 'boolean'));
  if (a === 'string' && promotes(b)) return b;
  if (b === 'string' && promotes(a)) return a;
  return null;
}

/**
 * The common type of several values that become one (CASE branches,
 * COALESCE, IN lists, greatest/least), or null. Numbers widen, date and
 * timestamp become timestamp; a string and a non-string atomic value become a
 * string (Spark's findWiderCommonType), except under `strictStrings` (then
 * null: the caller reports a mismatch).
 */
export function commonType(types: readonly DataType[], nullLiterals: readonly boolean[] = [], strictStrings = false): DataType | null {
  if (types.length > 0 && types.every((_, k) => nullLiterals[k])) return types[0];
  let out: DataType | null = null;
  for (let k = 0; k < types.length; k++) {
    if (nullLiterals[k]) continue;
    const t = types[k];
    if (out === null) { out = t; continue; }
    if (out === t) continue;
    if (isNumeric(out) && isNumeric(t)) { out = widenNumeric(out, t); continue; }
    const dt = (x: DataType) => x === 'date' || x === 'timestamp';
    if (dt(out) && dt(t)) { out = 'timestamp'; continue; }
    if (!strictStrings && (out === 'string' || t === 'string') && isAtomic(out) && isAtomic(t)) { out = 'string'; continue; }
    return null;
  }
  return out;
}

export function isAtomic(t: DataType): boolean {
  const k = typeInfo(t).kind;
  return k !== 'array' && k !== 'map' && k !== 'struct';
}
