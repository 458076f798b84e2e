/**
 * Typed, coded errors.
 *
 * Every error the engine raises for a person carries a stable SCREAMING_SNAKE
 * `code`, a parameter map, the place it concerns (table and the file:line of the
 * definition when known) and a hint. Tests assert `code` and `params`, never prose.
 *
 * Three families are kept apart:
 * - `DefinitionError`: the pipeline definition is wrong (found before any data is read);
 * - `UnsupportedError`: valid, but not supported by this engine or by a target dialect;
 * - `RuntimeFailure`: raised while running (a failed expectation, an unreadable input, a bad checkpoint);
 * - `InternalError`: a bug in the engine.
 */

export interface Origin {
  /** The dataset concerned. */
  readonly table?: string;
  /** Source file of the definition. */
  readonly file?: string;
  /** 1-based line of the definition. */
  readonly line?: number;
  /** 1-based column (SQL definitions). */
  readonly col?: number;
}

export type Params = Readonly<Record<string, unknown>>;

export function formatOrigin(o: Origin | undefined): string {
  if (!o) return '';
  const where = o.file ? `${o.file}${o.line ? `:${o.line}${o.col ? `:${o.col}` : ''}` : ''}` : '';
  if (o.table && where) return `${o.table} (${where})`;
  return o.table ?? where;
}

export class PipelineError extends Error {
  readonly code: string;
  readonly params: Params;
  readonly origin?: Origin;
  readonly hint?: string;

  constructor(code: string, message: string, params: Params = {}, options: { origin?: Origin; hint?: string; cause?: unknown } = {}) {
    const where = formatOrigin(options.origin);
    super(`${code}: ${message}${where ? ` [at ${where}]` : ''}${options.hint ? `\n  hint: ${options.hint}` : ''}`, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.code = code;
    this.params = params;
    this.origin = options.origin;
    this.hint = options.hint;
  }

  /** A plain object for logs and the event log. */
  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, params: this.params, origin: this.origin, hint: this.hint };
  }
}

export class DefinitionError extends PipelineError {}
export class UnsupportedError extends PipelineError {}
export class RuntimeFailure extends PipelineError {}
export class InternalError extends PipelineError {
  constructor(message: string, params: Params = {}) {
    super('INTERNAL_ERROR', `${message} (this is a bug in the engine, please report it)`, params);
  }
}

export function isPipelineError(e: unknown): e is PipelineError {
  return e instanceof PipelineError;
}

/**
 * The place in user code that called into the definition API: the first stack
 * frame outside the engine's own files.
 */
export function callerOrigin(table?: string): Origin {
  const stack = new Error().stack?.split('\n') ?? [];
  for (const line of stack.slice(1)) {
    const m = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?\s*$/.exec(line);
    if (!m) continue;
    let file = m[1];
    if (file.startsWith('file://')) file = decodeURIComponent(file.slice(7));
    if (/[\\/]engine[\\/]/.test(file) || file.startsWith('node:') || file.includes('node_modules')) continue;
    const cwd = process.cwd();
    if (file.startsWith(cwd + '/')) file = file.slice(cwd.length + 1);
    return { table, file, line: Number(m[2]) };
  }
  return { table };
}
