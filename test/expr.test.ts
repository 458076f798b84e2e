/**
 * Step tests of the columnar expression evaluator: a batch in, a column out.
 * Every expected value is worked out by hand with Spark SQL (non-ANSI) semantics.
 */
import { describe, expect, it } from 'vitest';
import { batchFromRows, columnLength, valueAt, type Column } from '../engine/batch.js';
import type { DataType, Schema, Value } from '../engine/ir/types.js';
import { compileExpr } from '../engine/expr/eval.js';
import { exprType } from '../engine/expr/typecheck.js';
import {
  and, cast, coalesce, col, isNotNull, isNull, lit, lower, not, or, trim, udf, upper, when, type Expr,
} from '../engine/expr/builder.js';
import { parseDateDays, parseTimestampUs } from '../engine/sources/csv-values.js';

type Row = Record<string, Value>;

function values(c: Column, n: number): Value[] {
  return Array.from({ length: n }, (_, i) => valueAt(c, i));
}

/** Evaluates `e` over `rows` (of `schema`) and returns the result column's values and type. */
function evalOver(schema: Schema, rows: Row[], e: Expr): { type: DataType; values: Value[] } {
  const b = batchFromRows(schema, rows);
  const c = compileExpr(e.node, schema)(b);
  expect(columnLength(c)).toBe(rows.length);
  return { type: exprType(e.node, schema), values: values(c, rows.length) };
}

/** Evaluates `e` over the rows and returns only the values. */
function ev(schema: Schema, rows: Row[], e: Expr): Value[] {
  return evalOver(schema, rows, e).values;
}

/** Evaluates a column-free expression once. */
function scalar(e: Expr): Value {
  return ev([], [{}], e)[0];
}

const day = (s: string): number => parseDateDays(s)!;
const ts = (s: string): number => parseTimestampUs(s)!;

describe('three-valued logic', () => {
  const schema: Schema = [{ name: 'a', type: 'boolean' }, { name: 'b', type: 'boolean' }];
  // every combination of TRUE, FALSE, NULL
  const T = true, F = false, N = null;
  const rows: Row[] = [
    { a: T, b: T }, { a: T, b: F }, { a: T, b: N },
    { a: F, b: T }, { a: F, b: F }, { a: F, b: N },
    { a: N, b: T }, { a: N, b: F }, { a: N, b: N },
  ];

  it('AND truth table', () => {
    expect(ev(schema, rows, col('a').and(col('b')))).toEqual([T, F, N, F, F, F, N, F, N]);
  });

  it('OR truth table', () => {
    expect(ev(schema, rows, col('a').or(col('b')))).toEqual([T, T, T, T, F, N, T, N, N]);
  });

  it('NOT truth table', () => {
    expect(ev(schema, rows, not(col('a')))).toEqual([F, F, F, T, T, T, N, N, N]);
    expect(ev(schema, rows, col('b').not())).toEqual([F, T, N, F, T, N, F, T, N]);
  });

  it('n-ary AND / OR and NULL literals', () => {
    // a AND b AND TRUE, a OR b OR FALSE behave as the binary forms
    expect(ev(schema, rows, and(col('a'), col('b'), lit(true)))).toEqual([T, F, N, F, F, F, N, F, N]);
    expect(ev(schema, rows, or(col('a'), col('b'), lit(false)))).toEqual([T, T, T, T, F, N, T, N, N]);
    // x AND NULL is FALSE only when x is FALSE; x OR NULL is TRUE only when x is TRUE
    expect(ev(schema, rows.slice(0, 3), and(col('a'), lit(null)))).toEqual([N, N, N]);
    expect(ev(schema, rows.slice(3, 6), and(col('a'), lit(null)))).toEqual([F, F, F]);
    expect(ev(schema, rows.slice(0, 3), or(col('a'), lit(null)))).toEqual([T, T, T]);
    expect(ev(schema, rows.slice(3, 6), or(col('a'), lit(null)))).toEqual([N, N, N]);
    expect(scalar(not(lit(null)))).toBe(null);
  });

  it('De Morgan holds under NULLs: NOT(a AND b) = (NOT a) OR (NOT b)', () => {
    expect(ev(schema, rows, not(col('a').and(col('b'))))).toEqual(ev(schema, rows, not(col('a')).or(not(col('b')))));
  });
});

describe('comparisons', () => {
  const schema: Schema = [{ name: 'x', type: 'int' }, { name: 'y', type: 'double' }, { name: 's', type: 'string' }];
  const rows: Row[] = [
    { x: 1, y: 1.0, s: 'a' },
    { x: 2, y: 1.5, s: 'b' },
    { x: null, y: 3, s: null },
    { x: 4, y: null, s: 'B' },
  ];

  it('all six operators, int vs double', () => {
    expect(ev(schema, rows, col('x').eq(col('y')))).toEqual([true, false, null, null]);
    expect(ev(schema, rows, col('x').ne(col('y')))).toEqual([false, true, null, null]);
    expect(ev(schema, rows, col('x').lt(col('y')))).toEqual([false, false, null, null]);
    expect(ev(schema, rows, col('x').le(col('y')))).toEqual([true, false, null, null]);
    expect(ev(schema, rows, col('x').gt(col('y')))).toEqual([false, true, null, null]);
    expect(ev(schema, rows, col('x').ge(col('y')))).toEqual([true, true, null, null]);
  });

  it('comparing with NULL is NULL, even NULL = NULL', () => {
    expect(ev(schema, rows, col('x').eq(null))).toEqual([null, null, null, null]);
    expect(ev(schema, rows, col('x').ne(null))).toEqual([null, null, null, null]);
    expect(ev(schema, rows, lit(null).eq(col('x')))).toEqual([null, null, null, null]);
    expect(ev(schema, rows, col('s').eq(lit(null)))).toEqual([null, null, null, null]);
    expect(scalar(lit(null).eq(lit(null)))).toBe(null);
  });

  it('string comparison is case-sensitive and ordinal', () => {
    expect(ev(schema, rows, col('s').eq('b'))).toEqual([false, true, null, false]);
    // 'B' (66) < 'a' (97) < 'b' (98)
    expect(ev(schema, rows, col('s').lt('a'))).toEqual([false, false, null, true]);
  });

  it('int against a literal of another numeric type', () => {
    expect(ev(schema, rows, col('x').gt(1.5))).toEqual([false, true, null, true]);
    expect(ev(schema, rows, col('y').eq(1))).toEqual([true, false, false, null]);
  });
});

describe('between', () => {
  const schema: Schema = [{ name: 'x', type: 'int' }];
  const rows: Row[] = [{ x: 0 }, { x: 1 }, { x: 2 }, { x: 3 }, { x: 4 }, { x: null }];

  it('is inclusive at both ends', () => {
    expect(ev(schema, rows, col('x').between(1, 3))).toEqual([false, true, true, true, false, null]);
  });

  it('a NULL bound gives NULL unless the other bound already fails', () => {
    // x >= 1 AND x <= NULL: FALSE when x < 1, else NULL
    expect(ev(schema, rows, col('x').between(1, null))).toEqual([false, null, null, null, null, null]);
    // x >= NULL AND x <= 2: FALSE when x > 2
    expect(ev(schema, rows, col('x').between(null, 2))).toEqual([null, null, null, false, false, null]);
  });

  it('an empty range (low > high) is never true', () => {
    expect(ev(schema, rows, col('x').between(3, 1))).toEqual([false, false, false, false, false, null]);
  });

  it('dates between string literals', () => {
    const s: Schema = [{ name: 'd', type: 'date' }];
    const r: Row[] = [{ d: day('2023-12-31') }, { d: day('2024-01-01') }, { d: day('2024-01-31') }, { d: day('2024-02-01') }];
    expect(ev(s, r, col('d').between('2024-01-01', '2024-01-31'))).toEqual([false, true, true, false]);
  });
});

describe('in', () => {
  const schema: Schema = [{ name: 'x', type: 'int' }, { name: 'y', type: 'int' }, { name: 's', type: 'string' }];
  const rows: Row[] = [
    { x: 1, y: 5, s: 'a' },
    { x: 2, y: 2, s: 'b' },
    { x: null, y: 1, s: null },
    { x: 5, y: null, s: 'c' },
  ];

  it('without NULL in the list: TRUE or FALSE, NULL only for a NULL input', () => {
    expect(ev(schema, rows, col('x').in(1, 5))).toEqual([true, false, null, true]);
    expect(ev(schema, rows, col('s').in('a', 'c'))).toEqual([true, false, null, true]);
    expect(ev(schema, rows, col('x').in([1, 5]))).toEqual([true, false, null, true]);
  });

  it('with NULL in the list: TRUE on a match, else NULL (never FALSE)', () => {
    // x IN (1, NULL): x=1 TRUE, x=2 NULL, x=NULL NULL, x=5 NULL
    expect(ev(schema, rows, col('x').in(1, null))).toEqual([true, null, null, null]);
    expect(ev(schema, rows, col('x').in(null))).toEqual([null, null, null, null]);
    // NOT IN with a NULL in the list is never TRUE
    expect(ev(schema, rows, col('x').in(1, null).not())).toEqual([false, null, null, null]);
  });

  it('a list with columns has the same semantics', () => {
    // x IN (y, 5): 1 in (5, 5) FALSE; 2 in (2, 5) TRUE; NULL; 5 in (NULL, 5) TRUE
    expect(ev(schema, rows, col('x').in(col('y'), 5))).toEqual([false, true, null, true]);
    // x IN (y): row 4 has y NULL and x=5 -> NULL; row 1: 1 vs 5 -> FALSE
    expect(ev(schema, rows, col('x').in(col('y')))).toEqual([false, true, null, null]);
    // x IN (y, 7): row 1 -> 1 in (5, 7) FALSE; row 4 -> 5 in (NULL, 7) NULL
    expect(ev(schema, rows, col('x').in(col('y'), 7))).toEqual([false, true, null, null]);
  });

  it('numeric widening: an int column in a list of doubles', () => {
    expect(ev(schema, rows, col('x').in(2.0, 5.5))).toEqual([false, true, null, false]);
    expect(ev(schema, rows, col('x').in(1.5, 2.5))).toEqual([false, false, null, false]);
  });

  it('a date column in a list of date strings', () => {
    const s: Schema = [{ name: 'd', type: 'date' }];
    const r: Row[] = [{ d: day('2024-01-01') }, { d: day('2024-01-02') }, { d: null }];
    expect(ev(s, r, col('d').in('2024-01-02', '2024-03-01'))).toEqual([false, true, null]);
  });
});

describe('isNull / isNotNull / coalesce', () => {
  const schema: Schema = [{ name: 'a', type: 'int' }, { name: 'b', type: 'int' }, { name: 'c', type: 'double' }, { name: 's', type: 'string' }];
  const rows: Row[] = [
    { a: 1, b: 10, c: 0.5, s: 'x' },
    { a: null, b: 20, c: null, s: '' },
    { a: null, b: null, c: 2.5, s: null },
    { a: null, b: null, c: null, s: null },
  ];

  it('isNull is never NULL; the empty string is not NULL', () => {
    expect(ev(schema, rows, col('a').isNull())).toEqual([false, true, true, true]);
    expect(ev(schema, rows, isNull(col('s')))).toEqual([false, false, true, true]);
    expect(ev(schema, rows, col('s').isNotNull())).toEqual([true, true, false, false]);
    expect(ev(schema, rows, isNotNull(col('b')))).toEqual([true, true, false, false]);
    expect(scalar(isNull(lit(null)))).toBe(true);
  });

  it('coalesce takes the first non-NULL value, NULL when all are NULL', () => {
    const r = evalOver(schema, rows, coalesce(col('a'), col('b')));
    expect(r.type).toBe('int');
    expect(r.values).toEqual([1, 20, null, null]);
    expect(ev(schema, rows, coalesce(col('a'), col('b'), 0))).toEqual([1, 20, 0, 0]);
    expect(ev(schema, rows, coalesce(col('s'), 'none'))).toEqual(['x', '', 'none', 'none']);
  });

  it('coalesce of int and double widens to double', () => {
    const r = evalOver(schema, rows, coalesce(col('a'), col('c'), -1));
    expect(r.type).toBe('double');
    expect(r.values).toEqual([1, -1, 2.5, -1]);
  });
});

describe('string functions', () => {
  const schema: Schema = [{ name: 's', type: 'string' }];
  const rows: Row[] = [{ s: '  Mixed Case  ' }, { s: 'abc' }, { s: null }, { s: '' }, { s: '\tTab ' }];

  it('upper / lower keep NULL', () => {
    expect(ev(schema, rows, upper(col('s')))).toEqual(['  MIXED CASE  ', 'ABC', null, '', '\tTAB ']);
    expect(ev(schema, rows, col('s').lower())).toEqual(['  mixed case  ', 'abc', null, '', '\ttab ']);
  });

  it('trim removes leading and trailing spaces only (as Spark)', () => {
    expect(ev(schema, rows, trim(col('s')))).toEqual(['Mixed Case', 'abc', null, '', '\tTab']);
  });

  it('compose: lower(trim(s)) = value', () => {
    expect(ev(schema, rows, lower(trim(col('s'))).eq('mixed case'))).toEqual([true, false, null, false, false]);
  });

  it('length counts characters', () => {
    expect(ev(schema, [{ s: 'héllo' }, { s: null }, { s: '' }], col('s').length())).toEqual([5, null, 0]);
  });
});

describe('case / when', () => {
  const schema: Schema = [{ name: 'flag', type: 'boolean' }, { name: 'x', type: 'int' }];
  const rows: Row[] = [{ flag: true, x: 5 }, { flag: false, x: 50 }, { flag: null, x: null }, { flag: null, x: 500 }];

  it('a NULL condition is not taken: the next branch or ELSE applies', () => {
    expect(ev(schema, rows, when(col('flag'), 'yes').otherwise('no'))).toEqual(['yes', 'no', 'no', 'no']);
    expect(ev(schema, rows, when(col('flag'), 'yes').when(col('flag').not(), 'NOT').otherwise('unknown'))).toEqual(['yes', 'NOT', 'unknown', 'unknown']);
  });

  it('without ELSE a row that takes no branch is NULL', () => {
    expect(ev(schema, rows, when(col('flag'), 'yes'))).toEqual(['yes', null, null, null]);
  });

  it('branches are tried in order; a comparison with NULL is a NULL condition', () => {
    const e = when(col('x').lt(10), 'small').when(col('x').lt(100), 'medium').otherwise('large');
    expect(ev(schema, rows, e)).toEqual(['small', 'medium', 'large', 'large']);
  });

  it('numeric branches widen: int THEN, double ELSE', () => {
    const r = evalOver(schema, rows, when(col('flag'), col('x')).otherwise(0.5));
    expect(r.type).toBe('double');
    expect(r.values).toEqual([5, 0.5, 0.5, 0.5]);
  });

  it('a NULL THEN value gives NULL', () => {
    expect(ev(schema, rows, when(col('flag'), lit(null)).otherwise(col('x')))).toEqual([null, 50, null, 500]);
  });
});

describe('casts', () => {
  const schema: Schema = [{ name: 's', type: 'string' }];

  it('string -> int: non-numbers and out-of-range values become NULL; a fraction is dropped (Spark, ANSI mode off)', () => {
    const rows: Row[] = [{ s: '42' }, { s: ' 7 ' }, { s: '-13' }, { s: 'forty' }, { s: '99999999999' }, { s: '2147483647' }, { s: '1.5' }, { s: '' }, { s: null }];
    const r = evalOver(schema, rows, cast(col('s'), 'int'));
    expect(r.type).toBe('int');
    expect(r.values).toEqual([42, 7, -13, null, null, 2147483647, 1, null, null]);
  });

  it('string -> long and double', () => {
    const rows: Row[] = [{ s: '99999999999' }, { s: 'x' }, { s: '1.5' }, { s: '1e3' }];
    expect(ev(schema, rows, col('s').cast('bigint'))).toEqual([99999999999, null, 1, null]);
    expect(ev(schema, rows, col('s').cast('double'))).toEqual([99999999999, null, 1.5, 1000]);
  });

  it('string -> date: impossible calendar dates become NULL', () => {
    const rows: Row[] = [{ s: '2024-02-29' }, { s: '2024-02-30' }, { s: '2023-02-29' }, { s: '2024-13-01' }, { s: 'yesterday' }, { s: null }];
    const r = evalOver(schema, rows, cast(col('s'), 'date'));
    expect(r.type).toBe('date');
    expect(r.values).toEqual([day('2024-02-29'), null, null, null, null, null]);
    expect(day('2024-02-29')).toBe(19782);
  });

  it('date -> string and timestamp -> string', () => {
    const s: Schema = [{ name: 'd', type: 'date' }, { name: 't', type: 'timestamp' }];
    const rows: Row[] = [{ d: 0, t: 0 }, { d: day('2024-03-05'), t: ts('2024-03-05T10:20:30.5Z') }, { d: null, t: null }];
    expect(ev(s, rows, cast(col('d'), 'string'))).toEqual(['1970-01-01', '2024-03-05', null]);
    expect(ev(s, rows, cast(col('t'), 'string'))).toEqual(['1970-01-01 00:00:00', '2024-03-05 10:20:30.5', null]);
  });

  it('int -> double keeps values and NULLs', () => {
    const s: Schema = [{ name: 'x', type: 'int' }];
    const r = evalOver(s, [{ x: 3 }, { x: null }, { x: -2 }], cast(col('x'), 'double'));
    expect(r.type).toBe('double');
    expect(r.values).toEqual([3, null, -2]);
    // division of the double by 2 is exact
    expect(ev(s, [{ x: 3 }], cast(col('x'), 'double').div(2))).toEqual([1.5]);
  });

  it('number -> string: a DOUBLE is written as Spark writes it', () => {
    const s: Schema = [{ name: 'y', type: 'double' }, { name: 'x', type: 'int' }, { name: 'l', type: 'long' }];
    const rows: Row[] = [
      { y: 1, x: 1, l: 10_000_000_000 },
      { y: 0.25, x: -7, l: null },
      { y: -3.5, x: null, l: 0 },
      { y: 12_345_678.9, x: 0, l: 1 },
      { y: 0.0001, x: 0, l: 1 },
      { y: 0, x: 0, l: 1 },
      { y: 1e21, x: 0, l: 1 },
      { y: null, x: 0, l: 1 },
    ];
    expect(ev(s, rows, cast(col('y'), 'string'))).toEqual(['1.0', '0.25', '-3.5', '1.23456789E7', '1.0E-4', '0.0', '1.0E21', null]);
    expect(ev(s, rows.slice(0, 3), cast(col('x'), 'string'))).toEqual(['1', '-7', null]);
    expect(ev(s, rows.slice(0, 3), cast(col('l'), 'string'))).toEqual(['10000000000', null, '0']);
  });

  it('double -> int truncates toward zero', () => {
    const s: Schema = [{ name: 'y', type: 'double' }];
    expect(ev(s, [{ y: 2.9 }, { y: -2.9 }, { y: null }], cast(col('y'), 'int'))).toEqual([2, -2, null]);
  });

  it('date <-> timestamp', () => {
    const s: Schema = [{ name: 'd', type: 'date' }, { name: 't', type: 'timestamp' }];
    const rows: Row[] = [{ d: day('2024-01-02'), t: ts('2024-01-02T23:59:59Z') }, { d: day('1969-12-31'), t: ts('1969-12-31T12:00:00Z') }];
    expect(ev(s, rows, cast(col('d'), 'timestamp'))).toEqual([ts('2024-01-02T00:00:00Z'), ts('1969-12-31T00:00:00Z')]);
    // a negative timestamp rounds down to its own day, not toward zero
    expect(ev(s, rows, cast(col('t'), 'date'))).toEqual([day('2024-01-02'), day('1969-12-31')]);
  });

  it('string -> boolean, boolean -> string', () => {
    expect(ev(schema, [{ s: 'true' }, { s: 'FALSE' }, { s: 'maybe' }], cast(col('s'), 'boolean'))).toEqual([true, false, null]);
    const b: Schema = [{ name: 'b', type: 'boolean' }];
    expect(ev(b, [{ b: true }, { b: false }, { b: null }], cast(col('b'), 'string'))).toEqual(['true', 'false', null]);
  });
});

describe('arithmetic', () => {
  const schema: Schema = [{ name: 'a', type: 'int' }, { name: 'b', type: 'int' }, { name: 'c', type: 'double' }];
  const rows: Row[] = [
    { a: 7, b: 2, c: 0.5 },
    { a: 7, b: 0, c: 0 },
    { a: null, b: 3, c: 1 },
    { a: -7, b: 3, c: null },
  ];

  it('NULL in, NULL out', () => {
    expect(ev(schema, rows, col('a').plus(col('b')))).toEqual([9, 7, null, -4]);
    expect(ev(schema, rows, col('a').minus(col('b')))).toEqual([5, 7, null, -10]);
    expect(ev(schema, rows, col('a').times(col('b')))).toEqual([14, 0, null, -21]);
    expect(ev(schema, rows, col('a').plus(null))).toEqual([null, null, null, null]);
  });

  it('division is double; division by zero is NULL', () => {
    const r = evalOver(schema, rows, col('a').div(col('b')));
    expect(r.type).toBe('double');
    expect(r.values).toEqual([3.5, null, null, -7 / 3]);
    expect(ev(schema, rows, col('a').div(col('c')))).toEqual([14, null, null, null]);
    expect(ev(schema, rows, col('a').div(0))).toEqual([null, null, null, null]);
  });

  it('modulo keeps the dividend sign; modulo by zero is NULL', () => {
    const r = evalOver(schema, rows, col('a').mod(col('b')));
    expect(r.type).toBe('int');
    expect(r.values).toEqual([1, null, null, -1]);
  });

  it('int op double is double; result types widen', () => {
    const r = evalOver(schema, rows, col('a').times(col('c')));
    expect(r.type).toBe('double');
    expect(r.values).toEqual([3.5, 0, null, null]);
    expect(evalOver(schema, rows, col('a').plus(lit(10_000_000_000))).type).toBe('long');
    expect(ev(schema, rows, col('a').plus(lit(10_000_000_000)))).toEqual([10_000_000_007, 10_000_000_007, null, 9_999_999_993]);
  });

  it('precedence is explicit in the tree: (a + b) * 2 vs a + b * 2', () => {
    expect(ev(schema, rows.slice(0, 1), col('a').plus(col('b')).times(2))).toEqual([18]);
    expect(ev(schema, rows.slice(0, 1), col('a').plus(col('b').times(2)))).toEqual([11]);
  });
});

describe('dates and timestamps', () => {
  const schema: Schema = [{ name: 'd', type: 'date' }, { name: 't', type: 'timestamp' }];
  const rows: Row[] = [
    { d: day('2024-01-01'), t: ts('2024-01-01T00:00:00Z') },
    { d: day('2024-01-02'), t: ts('2024-01-01T23:59:59Z') },
    { d: day('2024-01-03'), t: ts('2024-01-03T00:00:00.000001Z') },
    { d: null, t: null },
  ];

  it('a DATE compared to a string literal compares as dates', () => {
    expect(ev(schema, rows, col('d').eq('2024-01-02'))).toEqual([false, true, false, null]);
    expect(ev(schema, rows, col('d').gt('2024-01-02'))).toEqual([false, false, true, null]);
    expect(ev(schema, rows, col('d').ge('2024-01-02'))).toEqual([false, true, true, null]);
    expect(ev(schema, rows, col('d').lt('2024-01-02'))).toEqual([true, false, false, null]);
    // the literal on the left
    expect(ev(schema, rows, lit('2024-01-02').lt(col('d')))).toEqual([false, false, true, null]);
    // not a date: compares with NULL
    expect(ev(schema, rows, col('d').eq('2024-02-30'))).toEqual([null, null, null, null]);
  });

  it('a literal typed explicitly holds a value of that type (lit(text, "date"))', () => {
    expect(ev(schema, rows, col('d').eq(lit('2024-01-02', 'date')))).toEqual([false, true, false, null]);
    expect(ev(schema, rows, col('t').lt(lit('2024-01-02', 'date')))).toEqual([true, true, false, null]);
    expect(ev(schema, rows, col('d').in(lit('2024-01-03', 'date')))).toEqual([false, false, true, null]);
    expect(scalar(lit('2024-01-02', 'date'))).toBe(day('2024-01-02'));
    expect(scalar(lit('2024-01-02 10:00:00', 'timestamp'))).toBe(ts('2024-01-02T10:00:00Z'));
    expect(scalar(lit('2024-02-30', 'date'))).toBe(null);
    expect(scalar(lit(5, 'string'))).toBe('5');
    expect(scalar(lit('42', 'int').plus(1))).toBe(43);
  });

  it('a DATE compared to a TIMESTAMP is taken at 00:00 UTC', () => {
    expect(ev(schema, rows, col('d').eq(col('t')))).toEqual([true, false, false, null]);
    expect(ev(schema, rows, col('d').gt(col('t')))).toEqual([false, true, false, null]);
    expect(ev(schema, rows, col('t').gt(col('d')))).toEqual([false, false, true, null]);
    expect(ev(schema, rows, col('t').lt(col('d')))).toEqual([false, true, false, null]);
  });

  it('a TIMESTAMP compared to a string literal (a date alone is midnight UTC)', () => {
    expect(ev(schema, rows, col('t').ge('2024-01-01 12:00:00'))).toEqual([false, true, true, null]);
    expect(ev(schema, rows, col('t').eq('2024-01-01'))).toEqual([true, false, false, null]);
    expect(ev(schema, rows, col('t').gt('2024-01-03'))).toEqual([false, false, true, null]);
  });
});

describe('user functions', () => {
  const schema: Schema = [{ name: 'first', type: 'string' }, { name: 'last', type: 'string' }, { name: 'n', type: 'int' }];
  const rows: Row[] = [{ first: 'Ada', last: 'Lovelace', n: 1 }, { first: null, last: 'Hopper', n: null }, { first: 'Alan', last: null, n: 3 }];

  it('runs per row with the argument values, NULL as null', () => {
    const calls: Value[][] = [];
    const fullName = udf('full_name', { returns: 'string', sql: "concat($1, ' ', $2)" }, (a, b) => {
      calls.push([a, b]);
      return a === null || b === null ? null : `${a} ${b}`;
    });
    const r = evalOver(schema, rows, fullName(col('first'), col('last')));
    expect(r.type).toBe('string');
    expect(r.values).toEqual(['Ada Lovelace', null, null]);
    expect(calls).toEqual([['Ada', 'Lovelace'], [null, 'Hopper'], ['Alan', null]]);
  });

  it('numeric result type; undefined is NULL; can be used in a predicate', () => {
    const twice = udf('twice', { returns: 'int' }, (x) => (x === null ? undefined as unknown as Value : (x as number) * 2));
    expect(evalOver(schema, rows, twice(col('n'))).values).toEqual([2, null, 6]);
    expect(ev(schema, rows, twice(col('n')).gt(3))).toEqual([false, null, true]);
    expect(ev(schema, rows, twice(lit(21)))).toEqual([42, 42, 42]);
  });
});
