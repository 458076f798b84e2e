/**
 * The conformance harness of the function registry: one table of cases per
 * family, each a Spark SQL expression with its expected value and type.
 *
 * For every case it checks, in this order:
 * 1. the engine: the expression is read by the SQL expression reader,
 *    type-checked, evaluated over the case's rows (one empty row by default)
 *    with the case's ANSI mode and time zone, and gives the expected values
 *    and type; or fails with the expected error code;
 * 2. DuckDB: when every function of the expression is exact in the DuckDB
 *    dialect (the registry says so), the DuckDB SQL the compiler emits gives
 *    the same values in DuckDB on the same rows;
 * 3. Spark: the Databricks and Spark 4.1 SQL of the expression parses with a
 *    Spark SQL grammar (dt-sql-parser).
 *
 * Values are compared in a canonical form: numbers as numbers (doubles
 * within 1e-9 relative), decimals as their exact text with the type's scale
 * ('1.50'), dates as 'YYYY-MM-DD', timestamps as 'YYYY-MM-DD HH:MM:SS[.ffffff]'
 * (UTC), day-time intervals as microseconds, year-month intervals as months,
 * arrays as arrays, maps as { map: [[key, value], …] }, structs as objects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, DuckDBDateValue, DuckDBDecimalValue, DuckDBIntervalValue, DuckDBListValue, DuckDBMapValue, DuckDBStructValue, DuckDBTimestampValue, DuckDBTimestampTZValue, DuckDBArrayValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { SparkSQL } from 'dt-sql-parser';
import { batchFromRows, columnFromValues, decimalScale, isNestedColumn, valueAt, type Batch, type Column, type DecimalColumn } from '../../engine/batch.js';
import { compileExpr, DEFAULT_ENV } from '../../engine/expr/eval.js';
import { exprType } from '../../engine/expr/typecheck.js';
import { decimalText } from '../../engine/expr/cast.js';
import { decimalLeafText } from '../../engine/expr/cast-nested.js';
import { parseExpression } from '../../engine/parse/expr-parser.js';
import { ExprCompiler } from '../../engine/sql/expr.js';
import { duckdb } from '../../engine/sql/duckdb.js';
import { databricks } from '../../engine/sql/databricks.js';
import { spark } from '../../engine/sql/spark.js';
import { lookupFunction, supportIn } from '../../engine/functions/registry.js';
import { isPipelineError } from '../../engine/errors.js';
import { isDecimal, parseTypeName, typeInfo, type DataType, type DecimalType, type Schema, type Value } from '../../engine/ir/types.js';
import type { ExprNode } from '../../engine/ir/expr.js';
import { exprChildren } from '../../engine/ir/expr.js';
import { formatDate } from '../../engine/sources/csv-values.js';

export interface Case {
  /** A Spark SQL expression. */
  readonly sql: string;
  /** The expected value (canonical form), or one per row with `rows`. */
  readonly expect?: unknown;
  readonly expectRows?: readonly unknown[];
  /** The expected result type (a Spark type name). */
  readonly type?: string;
  /** The expected error code (the expression must fail to type-check or evaluate). */
  readonly error?: string;
  readonly ansi?: boolean;
  readonly timeZone?: string;
  /** The micro-batch timestamp (ISO), for current_date() and friends. */
  readonly now?: string;
  /** Input rows: column name → type, and the rows (JS values in the engine's representation). */
  readonly input?: { readonly schema: Readonly<Record<string, string>>; readonly rows: readonly Readonly<Record<string, Value>>[] };
  /** Skip the DuckDB comparison for this case, saying why (an edge DuckDB computes differently, and the registry says so). */
  readonly notDuckdb?: string;
  /** Compare doubles with this relative tolerance (default 1e-9). */
  readonly tolerance?: number;
}

const US_PER_DAY = 86_400_000_000;

function tsText(us: number): string {
  const ms = Math.floor(us / 1000);
  const micros = ((us % 1_000_000) + 1_000_000) % 1_000_000;
  const d = new Date(ms);
  const base = d.toISOString().slice(0, 19).replace('T', ' ');
  return micros === 0 ? base : `${base}.${String(micros).padStart(6, '0').replace(/0+$/, '')}`;
}

/** The canonical form of an engine value of type t. */
export function canonical(v: Value, t: DataType): unknown {
  if (v === null || v === undefined) return null;
  const info = typeInfo(t);
  switch (info.kind) {
    case 'date': return formatDate(v as number);
    case 'timestamp': return tsText(v as number);
    case 'decimal': return typeof v === 'number' ? decimalLeafText(v, t as DecimalType) : v;
    case 'array': return (v as Value[]).map((x) => canonical(x, info.element));
    case 'map': return { map: [...(v as Map<string, Value>)].map(([k, x]) => [canonical(k, info.key), canonical(x, info.value)]) };
    case 'struct': return Object.fromEntries(info.fields.map((f) => [f.name, canonical((v as Record<string, Value>)[f.name] ?? null, f.type)]));
    default: return v;
  }
}

function engineValue(c: Column, i: number, t: DataType): unknown {
  if (!isNestedColumn(c) && isDecimal(t)) {
    const d = c as DecimalColumn;
    if (d.nulls && d.nulls[i]) return null;
    return decimalText(BigInt(d.data[i]), decimalScale(d.type));
  }
  return canonical(valueAt(c, i), t);
}

/** The canonical form of a DuckDB value. */
function duckValue(v: DuckDBValue): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof DuckDBDecimalValue) return v.toString();
  if (v instanceof DuckDBDateValue) return formatDate(v.days);
  if (v instanceof DuckDBTimestampValue || v instanceof DuckDBTimestampTZValue) return tsText(Number(v.micros));
  if (v instanceof DuckDBIntervalValue) return v.months !== 0 ? v.months : v.days * US_PER_DAY + Number(v.micros);
  if (v instanceof DuckDBListValue || v instanceof DuckDBArrayValue) return v.items.map(duckValue);
  if (v instanceof DuckDBMapValue) return { map: v.entries.map((e) => [duckValue(e.key), duckValue(e.value)]) };
  if (v instanceof DuckDBStructValue) return Object.fromEntries(Object.entries(v.entries).map(([k, x]) => [k, duckValue(x)]));
  return String(v);
}

function close(a: unknown, b: unknown, tol: number): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
    if (a === b) return true;
    return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, k) => close(x, b[k], tol));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a), kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => close((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], tol));
  }
  return a === b;
}

function schemaOf(c: Case): Schema {
  return Object.entries(c.input?.schema ?? {}).map(([name, t]) => {
    const type = parseTypeName(t);
    if (!type) throw new Error(`bad type ${t} in a case`);
    return { name, type };
  });
}

function inputBatch(c: Case): Batch {
  const schema = schemaOf(c);
  if (!c.input) return { schema: [], columns: [], length: 1 };
  return batchFromRows(schema, c.input.rows as Record<string, Value>[]);
}

/** Runs a case in the engine: the values (canonical) and the type, or the error code. */
export function runEngine(c: Case): { values?: unknown[]; type?: DataType; error?: string } {
  const schema = schemaOf(c);
  try {
    const e = parseExpression(c.sql);
    const env = { ...DEFAULT_ENV, ansi: c.ansi ?? false, timeZone: c.timeZone ?? 'UTC', clock: { nowUs: c.now ? Date.parse(c.now) * 1000 : Date.UTC(2024, 0, 15, 10, 30) * 1000 } };
    const type = exprType(e, schema, undefined, env.ansi);
    const b = inputBatch(c);
    const out = compileExpr(e, schema, env)(b);
    return { type, values: Array.from({ length: b.length }, (_, i) => engineValue(out, i, type)) };
  } catch (err) {
    if (isPipelineError(err)) return { error: err.code };
    throw err;
  }
}

/** The names of the functions an expression calls. */
function calledFunctions(e: ExprNode, out: Set<string> = new Set()): Set<string> {
  if (e.kind === 'call') out.add(e.fn);
  for (const c of exprChildren(e)) calledFunctions(c, out);
  return out;
}

/** Whether DuckDB computes the expression exactly as the engine (every function it calls is exact there). */
function duckExact(e: ExprNode): boolean {
  for (const name of calledFunctions(e)) {
    const f = lookupFunction(name);
    if (!f || supportIn(f, 'duckdb').kind !== 'exact') return false;
  }
  return true;
}

function sqlOf(e: ExprNode, schema: Schema, dialect: typeof duckdb, ansi: boolean, timeZone = 'UTC'): string {
  const c = new ExprCompiler({ dialect, schema, ref: (k) => dialect.ident(k), table: 'conformance', ansi, timeZone });
  return c.projection(e);
}

/** Defines the conformance tests of one family. */
export function conformance(family: string, cases: readonly Case[]): void {
  describe(`${family}: engine`, () => {
    for (const c of cases) {
      it(`${c.sql}${c.ansi ? ' (ANSI)' : ''}${c.input ? ` over ${c.input.rows.length} rows` : ''}`, () => {
        const r = runEngine(c);
        if (c.error) {
          expect(r.error, `${c.sql} should fail`).toBe(c.error);
          return;
        }
        expect(r.error, `${c.sql} failed`).toBeUndefined();
        if (c.type) expect(r.type).toBe(parseTypeName(c.type));
        const want = c.expectRows ?? [c.expect];
        expect(r.values!.length).toBe(want.length);
        r.values!.forEach((v, i) => {
          if (!close(v, want[i], c.tolerance ?? 1e-9)) expect(v, `${c.sql}, row ${i}`).toEqual(want[i]);
        });
      });
    }
  });

  describe(`${family}: DuckDB computes the same`, () => {
    let db: DuckDBInstance;
    let conn: DuckDBConnection;
    beforeAll(async () => { db = await DuckDBInstance.create(':memory:'); conn = await db.connect(); await conn.run("SET TimeZone = 'UTC'"); });
    afterAll(() => { conn?.closeSync(); });
    for (const c of cases) {
      if (c.error || c.ansi) continue;
      const e = parseExpression(c.sql);
      if (!duckExact(e) || c.notDuckdb) continue;
      it(c.sql, async () => {
        const r = runEngine(c);
        expect(r.error).toBeUndefined();
        const schema = schemaOf(c);
        const expr = sqlOf(e, schema, duckdb, false, c.timeZone);
        let from = '';
        if (c.input) {
          const cols = schema.map((f) => `${duckdb.ident(f.name)} ${duckdb.typeName(f.type)}`).join(', ');
          await conn.run(`CREATE OR REPLACE TEMP TABLE t (${cols})`);
          for (const row of c.input.rows) {
            const b = batchFromRows(schema, [row as Record<string, Value>]);
            const vals = schema.map((f, j) => (isDecimal(f.type) && !isNestedColumn(b.columns[j]) ? duckDecimal(b.columns[j] as DecimalColumn, f.type) : duckLiteral(valueAt(b.columns[j], 0), f.type)));
            await conn.run(`INSERT INTO t VALUES (${vals.join(', ')})`);
          }
          from = ' FROM t';
        }
        const rows = (await conn.runAndReadAll(`SELECT ${expr} AS v${from}`)).getRows();
        const got = rows.map((row) => duckValue(row[0]));
        r.values!.forEach((v, i) => {
          if (!close(v, got[i], c.tolerance ?? 1e-9)) expect(got[i], `DuckDB: ${expr}`).toEqual(v);
        });
      });
    }
  });

  describe(`${family}: the Databricks and Spark SQL parses`, () => {
    let parser: SparkSQL;
    beforeAll(() => { parser = new SparkSQL(); }, 60_000);
    for (const c of cases) {
      if (c.error) continue;
      it(c.sql, () => {
        const e = parseExpression(c.sql);
        const schema = schemaOf(c);
        for (const d of [databricks, spark]) {
          // `json:path` is Databricks syntax the Spark grammar does not have
          if (d === databricks && calledFunctions(e).has('json_path')) continue;
          let sql: string;
          try { sql = sqlOf(e, schema, d as typeof duckdb, c.ansi ?? false, c.timeZone); } catch (err) {
            if (isPipelineError(err) && err.code === 'NON_PORTABLE_EXPRESSION') continue; // the registry says so; reported
            throw err;
          }
          const errors = parser.validate(`SELECT ${sql} FROM t`).map((x) => x.message);
          expect(errors, `${d.name}: ${sql}`).toEqual([]);
        }
      });
    }
  });
}

/** A DuckDB literal of the first value of a decimal column, exact. */
function duckDecimal(c: DecimalColumn, t: DataType): string {
  if (c.nulls && c.nulls[0]) return `CAST(NULL AS ${duckdb.typeName(t)})`;
  return `CAST('${decimalText(BigInt(c.data[0]), decimalScale(c.type))}' AS ${duckdb.typeName(t)})`;
}

/** A DuckDB literal of an engine value. */
function duckLiteral(v: Value, t: DataType): string {
  if (v === null) return `CAST(NULL AS ${duckdb.typeName(t)})`;
  const info = typeInfo(t);
  switch (info.kind) {
    case 'string': return `'${String(v).replace(/'/g, "''")}'`;
    case 'date': return `DATE '${formatDate(v as number)}'`;
    case 'timestamp': return `TIMESTAMP '${tsText(v as number)}'`;
    case 'boolean': return v ? 'TRUE' : 'FALSE';
    case 'array': return `CAST([${(v as Value[]).map((x) => duckLiteral(x, info.element)).join(', ')}] AS ${duckdb.typeName(t)})`;
    case 'map': return `CAST(MAP {${[...(v as Map<string, Value>)].map(([k, x]) => `${duckLiteral(k, info.key)}: ${duckLiteral(x, info.value)}`).join(', ')}} AS ${duckdb.typeName(t)})`;
    case 'struct': return `CAST({${info.fields.map((f) => `'${f.name}': ${duckLiteral((v as Record<string, Value>)[f.name] ?? null, f.type)}`).join(', ')}} AS ${duckdb.typeName(t)})`;
    default: return typeof v === 'number' && !Number.isFinite(v) ? `CAST('${String(v)}' AS ${duckdb.typeName(t)})` : `CAST(${String(v)} AS ${duckdb.typeName(t)})`;
  }
}

export { columnFromValues };
