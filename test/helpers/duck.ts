/**
 * DuckDB as an independent oracle for tests: an in-memory database whose
 * results come back as plain JS rows, and a multiset comparison of row lists.
 *
 * Plain values (the same conventions as the engine's `Row`s, except DATE):
 * - BIGINT / HUGEINT / DECIMAL -> number (a BIGINT outside ±2^53 throws)
 * - DATE -> 'YYYY-MM-DD'
 * - TIMESTAMP / TIMESTAMP WITH TIME ZONE (any unit) -> epoch microseconds (number)
 * - LIST / ARRAY -> array of plain values; STRUCT -> object; other types -> toString()
 */
import {
  DuckDBArrayValue, DuckDBDateValue, DuckDBDecimalValue, DuckDBInstance, DuckDBListValue, DuckDBStructValue,
  DuckDBTimestampMillisecondsValue, DuckDBTimestampNanosecondsValue, DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue, DuckDBTimestampValue, type DuckDBConnection, type DuckDBValue,
} from '@duckdb/node-api';

export type PlainRow = Record<string, unknown>;

const US_PER_DAY = 86_400_000_000;

function bigToNumber(v: bigint): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`integer ${v} does not fit a JS number`);
  return Number(v);
}

/** 'YYYY-MM-DD' of a day number (days since 1970-01-01). */
export function dateString(days: number): string {
  return new Date((days * US_PER_DAY) / 1000).toISOString().slice(0, 10);
}

/** A DuckDB value as a plain JS value (see the module comment). */
export function toPlain(v: DuckDBValue): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return bigToNumber(v);
  if (v instanceof DuckDBDateValue) return dateString(v.days);
  if (v instanceof DuckDBTimestampValue || v instanceof DuckDBTimestampTZValue) return bigToNumber(v.micros);
  if (v instanceof DuckDBTimestampMillisecondsValue) return bigToNumber(v.millis) * 1000;
  if (v instanceof DuckDBTimestampSecondsValue) return bigToNumber(v.seconds) * 1_000_000;
  if (v instanceof DuckDBTimestampNanosecondsValue) return bigToNumber(v.nanos / 1000n);
  if (v instanceof DuckDBDecimalValue) return v.toDouble();
  if (v instanceof DuckDBListValue || v instanceof DuckDBArrayValue) return v.items.map(toPlain);
  if (v instanceof DuckDBStructValue) return Object.fromEntries(Object.entries(v.entries).map(([k, x]) => [k, toPlain(x)]));
  return String(v);
}

export class Duck {
  private constructor(private readonly instance: DuckDBInstance, readonly conn: DuckDBConnection) {}

  /** An in-memory database (UTC session time zone, one thread so that scans keep file order). */
  static async open(): Promise<Duck> {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const conn = await instance.connect();
    await conn.run(`SET TimeZone = 'UTC'`);
    return new Duck(instance, conn);
  }

  /** Runs statements without reading a result. */
  async run(sql: string): Promise<void> {
    await this.conn.run(sql);
  }

  /** Runs a query and returns its rows as plain objects. */
  async all(sql: string): Promise<PlainRow[]> {
    const reader = await this.conn.runAndReadAll(sql);
    return reader.getRowObjects().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, toPlain(v)])));
  }

  /** Column name -> DuckDB type name of a query's result (`DESCRIBE <query>`). */
  async describe(query: string): Promise<Record<string, string>> {
    const rows = await this.all(`DESCRIBE ${query}`);
    return Object.fromEntries(rows.map((r) => [String(r.column_name), String(r.column_type)]));
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

/** A SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export interface MultisetOptions {
  /** Columns left out of the comparison. */
  ignore?: readonly string[];
  /** Numbers match when |a − b| <= tolerance · max(1, |a|, |b|). Default 1e-9. */
  tolerance?: number;
  /** Names the comparison in the failure message. */
  label?: string;
}

function canonical(v: unknown): unknown {
  if (typeof v === 'bigint') return bigToNumber(v);
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as PlainRow)[k])]));
  }
  return v === undefined ? null : v;
}

function canonicalRow(r: PlainRow, ignore: readonly string[]): PlainRow {
  const out: PlainRow = {};
  for (const k of Object.keys(r).sort()) if (!ignore.includes(k)) out[k] = canonical(r[k]);
  return out;
}

function valuesMatch(a: unknown, b: unknown, tol: number): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
    return a === b || Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => valuesMatch(x, b[i], tol));
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a), kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && valuesMatch((a as PlainRow)[k], (b as PlainRow)[k], tol));
  }
  return a === b;
}

const show = (r: PlainRow): string => JSON.stringify(r);

/**
 * Asserts that two row lists are equal as multisets: each row of `actual`
 * pairs with a distinct equal row of `expected` (columns compared by name,
 * `ignore`d columns left out, numbers within the tolerance). On failure the
 * error lists the unmatched rows of each side, sorted.
 */
export function multisetEqual(actual: readonly PlainRow[], expected: readonly PlainRow[], options: MultisetOptions = {}): void {
  const ignore = options.ignore ?? [];
  const tol = options.tolerance ?? 1e-9;
  const a = actual.map((r) => canonicalRow(r, ignore));
  const b = expected.map((r) => canonicalRow(r, ignore));
  const used = new Uint8Array(b.length);
  const onlyActual: PlainRow[] = [];
  for (const row of a) {
    // exact (string) match first, so tolerance never steals another row's partner
    let j = b.findIndex((x, k) => !used[k] && show(x) === show(row));
    if (j < 0) j = b.findIndex((x, k) => !used[k] && valuesMatch(row, x, tol));
    if (j < 0) onlyActual.push(row);
    else used[j] = 1;
  }
  const onlyExpected = b.filter((_, k) => !used[k]);
  if (onlyActual.length === 0 && onlyExpected.length === 0) return;
  const lines = [
    `${options.label ?? 'rows'}: multisets differ (actual ${a.length} rows, expected ${b.length}; ignoring ${ignore.join(', ') || 'nothing'})`,
    ...onlyActual.map(show).sort().map((s) => `  + actual only:   ${s}`),
    ...onlyExpected.map(show).sort().map((s) => `  - expected only: ${s}`),
  ];
  throw new Error(lines.join('\n'));
}
