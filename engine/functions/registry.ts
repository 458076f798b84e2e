/**
 * The function registry: every scalar function and operator is one entry.
 *
 * An entry holds everything the interpreters need, so that no function is
 * spread over `switch` statements elsewhere:
 * - its Spark name, aliases, arity, signature and a documented example;
 * - its type rule (with Spark's implicit coercions: the rule says which type
 *   each argument is brought to before the kernel sees it);
 * - its null behaviour (`propagate`: NULL whenever an argument is NULL, applied
 *   by the evaluator; `custom`: the kernel decides);
 * - its columnar kernel;
 * - its SQL spelling per dialect, or what a dialect cannot express exactly
 *   (`approx`, reported in the portability report) or at all (`unsupported`);
 * - its text form (used in fingerprints and messages).
 *
 * The builders (`engine/expr/builder.ts`), the SQL expression reader
 * (`engine/parse/`), the type checker, the evaluator, the SQL compiler and the
 * generated reference (`docs/functions.md`) all read these entries.
 */
import type { Column } from '../batch.js';
import type { ExprNode } from '../ir/expr.js';
import type { DataType, Value } from '../ir/types.js';
import type { Dialect, DialectName } from '../sql/dialect.js';

export type Family = 'operator' | 'conditional' | 'string' | 'math' | 'datetime' | 'json' | 'collection' | 'misc';

export const FAMILIES: readonly { readonly family: Family; readonly title: string }[] = [
  { family: 'operator', title: 'Operators and predicates' },
  { family: 'conditional', title: 'Conditional functions' },
  { family: 'string', title: 'String functions' },
  { family: 'math', title: 'Math functions' },
  { family: 'datetime', title: 'Date and time functions' },
  { family: 'json', title: 'JSON functions' },
  { family: 'collection', title: 'Arrays, maps and structs' },
  { family: 'misc', title: 'Other functions' },
];

/** What the type rule knows of an argument. */
export interface ArgInfo {
  readonly type: DataType;
  readonly node: ExprNode;
  /** An untyped `NULL` literal (it takes whatever type the function wants). */
  readonly isNullLiteral: boolean;
  /** The value when the argument is a literal (in the representation of its type). */
  readonly literal?: Value;
  /** For a lambda argument: its parameter names (the type rule gives their types in `lambdas`). */
  readonly lambdaParams?: readonly string[];
}

/** A type rule's answer. */
export interface Resolved {
  readonly returns: DataType;
  /** The type each argument is brought to before the kernel (missing or null: as it is). */
  readonly args?: readonly (DataType | null)[];
  /** For lambda arguments (by index): the types of their parameters. */
  readonly lambdas?: Readonly<Record<number, readonly DataType[]>>;
  /** What the type rule worked out for the kernel from literal arguments (a parsed schema, options): `KernelCtx.plan`. */
  readonly plan?: unknown;
}

export interface TypeCtx {
  readonly fn: string;
  readonly ansi: boolean;
  /** Throws TYPE_MISMATCH naming the function (with the table and place of the definition). */
  mismatch(message: string, hint?: string): never;
  /** Throws a definition error with another code (an invalid literal argument: a malformed pattern, …). */
  invalid?(code: string, message: string, params?: Readonly<Record<string, unknown>>, hint?: string): never;
  /** The type of a lambda's body for the given parameter types (type-checks the body). */
  lambdaType(argIndex: number, params: readonly DataType[]): DataType;
}

/** Evaluates a lambda argument: its parameters bound to columns of element values; `rows[k]` is the outer row of element k. */
export type LambdaEval = (params: readonly Column[], rows: Int32Array) => Column;

export interface KernelCtx {
  /** Rows in the batch. */
  readonly n: number;
  /** `spark.sql.ansi.enabled`: invalid input fails instead of giving NULL. */
  readonly ansi: boolean;
  /** The session time zone (IANA name). */
  readonly timeZone: string;
  /** The micro-batch's timestamp (epoch micros): `current_timestamp()`, fixed for a re-run. */
  readonly nowUs: number;
  /** The resolved types. */
  readonly returns: DataType;
  readonly argTypes: readonly DataType[];
  /** Literal argument values (undefined where an argument is not a literal). */
  readonly literals: readonly (Value | undefined)[];
  /** The type rule's `plan`, if it gave one. */
  readonly plan?: unknown;
  /** Fails the flow (ANSI mode) for row `row` with a coded error naming the function. */
  fail(row: number, code: string, message: string, hint?: string): never;
  /** The evaluator of lambda argument `i`. */
  lambda(i: number): LambdaEval;
  /** A column brought from one type to another with the implicit-coercion rules (legacy CAST). */
  coerce(c: Column, from: DataType, to: DataType): Column;
}

export type Kernel = (args: readonly Column[], ctx: KernelCtx) => Column;

/** SQL text with the precedence it binds at (see engine/sql/expr.ts `P`). */
export interface Sql {
  readonly sql: string;
  readonly prec: number;
}

/** What a function's SQL spelling gets to work with. */
export interface SqlEmit {
  readonly dialect: Dialect;
  /** The pipeline's ANSI mode (the emitted SQL sets the same). */
  readonly ansi: boolean;
  /** The session time zone (the emitted Spark SQL sets the same; DuckDB spellings convert to it). */
  readonly timeZone: string;
  readonly args: readonly ExprNode[];
  /** Argument types as resolved (after coercion). */
  readonly argTypes: readonly DataType[];
  readonly returns: DataType;
  readonly literals: readonly (Value | undefined)[];
  /** The SQL of argument i, coerced as the type rule says, parenthesised unless it binds at least as tightly as `minPrec`. */
  arg(i: number, minPrec?: number): string;
  /** The SQL of argument i with its precedence. */
  argSql(i: number): Sql;
  /** The SQL of argument i brought to type `t` (the implicit-coercion rules). */
  coerced(i: number, t: DataType): Sql;
  /** The SQL of an expression that is not one of the arguments (for spellings that rewrite). */
  expr(e: ExprNode): Sql;
  /** Lambda argument i as SQL parts: its parameter names and its body (which may use `extra` variables the spelling binds). */
  lambda(i: number, opts?: LambdaOptions): { readonly params: readonly string[]; readonly body: string };
  /** Stops the compilation: this call has no form in the dialect (NON_PORTABLE_EXPRESSION, naming the table and the expression). */
  unsupported(why: string): never;
  /** A SQL literal. */
  literal(v: Value, t: DataType): string;
  /** Tells the portability report about a difference at the edges (reported once per dataset). */
  note(code: string, detail: string): void;
}

/** How a spelling gets a lambda's body: extra variables (bound by the spelling around the body) it may use. */
export interface LambdaOptions {
  readonly extra?: readonly { readonly name: string; readonly type: DataType }[];
}

/**
 * A spelling: a template (`upper($1)`; `$1`… are the arguments, `$*` all of
 * them separated by commas, `$@2` the arguments from the second on) or a
 * function returning SQL.
 */
export type Spelling = string | ((e: SqlEmit) => string | Sql);

/** A dialect's spelling, or what the dialect cannot do. */
export type DialectSql =
  | Spelling
  | { readonly sql: Spelling; readonly approx: string }
  | { readonly unsupported: string };

export interface ScalarFunction {
  /** Spark's name (lower case). */
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly family: Family;
  /** [min, max] number of arguments (max Infinity for varargs). */
  readonly arity: readonly [number, number];
  /** The signature as documented: `substring(str, pos[, len])`. */
  readonly signature: string;
  readonly summary: string;
  /** Documented examples (from Spark's function reference where it has one). */
  readonly examples: readonly { readonly sql: string; readonly result: string }[];
  readonly nulls: 'propagate' | 'custom';
  readonly type: (args: readonly ArgInfo[], ctx: TypeCtx) => Resolved;
  readonly kernel: Kernel;
  /** Spellings: `default` applies to every dialect without its own. */
  readonly sql: Partial<Record<DialectName | 'default', DialectSql>>;
  /** The text form (fingerprints, messages); default `name(a, b)`. */
  readonly text?: (args: readonly string[]) => string;
  /** Notes for the reference (Databricks-only spellings, differences from Spark). */
  readonly notes?: string;
  /** Spellings only Databricks accepts (for example `iff`): the compiler writes `name` instead for other targets. */
  readonly databricksOnlyAliases?: readonly string[];
  /** Takes lambda arguments at these positions. */
  readonly lambdaArgs?: readonly number[];
}

const byName = new Map<string, ScalarFunction>();
const all: ScalarFunction[] = [];

/** Adds entries (each family module calls this once with its table). */
export function register(entries: readonly ScalarFunction[]): void {
  for (const f of entries) {
    for (const n of [f.name, ...(f.aliases ?? [])]) {
      const key = n.toLowerCase();
      if (byName.has(key)) throw new Error(`internal: function ${n} registered twice`);
      byName.set(key, f);
    }
    all.push(f);
  }
}

/** The entry of a function or operator by any of its names (case-insensitive). */
export function lookupFunction(name: string): ScalarFunction | undefined {
  return byName.get(name.toLowerCase());
}

/** Every entry, in registration order. */
export function allFunctions(): readonly ScalarFunction[] {
  return all;
}

/** Every name (canonical names and aliases). */
export function functionNames(): string[] {
  return [...byName.keys()];
}

/** The spelling of `f` for a dialect (its own, else `default`). */
export function spellingFor(f: ScalarFunction, d: DialectName): DialectSql | undefined {
  return f.sql[d] ?? f.sql.default;
}

/** How a dialect supports `f`: exact, approximated (with why) or not at all (with why). */
export function supportIn(f: ScalarFunction, d: DialectName): { readonly kind: 'exact' | 'approx' | 'unsupported'; readonly note?: string } {
  const s = spellingFor(f, d);
  if (s === undefined) return { kind: 'unsupported', note: 'no spelling' };
  if (typeof s === 'object' && 'unsupported' in s) return { kind: 'unsupported', note: s.unsupported };
  if (typeof s === 'object' && 'approx' in s) return { kind: 'approx', note: s.approx };
  return { kind: 'exact' };
}
