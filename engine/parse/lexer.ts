/**
 * A Spark SQL tokenizer with positions.
 *
 * Identifiers are case-insensitive (keywords are identifiers the parser
 * recognises by their upper-case text); a backquoted identifier keeps its
 * case and may hold any character (`` `a``b` `` is a`b). String literals take
 * single or double quotes with Spark's backslash escapes; adjacent literals
 * are concatenated (`'a' 'b'` is 'ab'). Numbers keep their text and suffix
 * (`1L`, `1.5D`, `2BD`, `1e3`). Comments (`--` to the end of the line and
 * `/* … *\/`) are skipped. Every token has its 1-based line and column.
 */
import { DefinitionError } from '../errors.js';

export type TokenKind = 'ident' | 'qident' | 'string' | 'number' | 'op' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Identifier text (as written), string value (unescaped), number text, or the operator. */
  readonly text: string;
  /** Upper-case text of an unquoted identifier (keyword matching). */
  readonly upper: string;
  readonly offset: number;
  readonly end: number;
  readonly line: number;
  readonly col: number;
}

export interface SourcePos {
  readonly file?: string;
  /** Line and column of the text's first character in its file (default 1, 1). */
  readonly line?: number;
  readonly col?: number;
}

const OPS = ['<=>', '::', '->', '=>', '<=', '>=', '<>', '!=', '==', '||', '&&', '(', ')', ',', '.', ':', '[', ']', '+', '-', '*', '/', '%', '=', '<', '>', '!', '~', '&', '|', '^', ';', '{', '}', '$', '?'];

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', '0': '\0', Z: '\x1a', '\\': '\\', "'": "'", '"': '"', '%': '\\%', _: '\\_' };

/** Tokenizes `text`; errors carry SQL_SYNTAX with file:line:col. */
export function tokenize(text: string, pos: SourcePos = {}): Token[] {
  const out: Token[] = [];
  const baseLine = pos.line ?? 1, baseCol = pos.col ?? 1;
  let i = 0, line = baseLine, lineStart = 0;
  const colAt = (off: number) => (line === baseLine ? baseCol : 1) + off - lineStart;
  const fail = (msg: string, off: number): never => {
    throw new DefinitionError('SQL_SYNTAX', msg, { file: pos.file ?? null, line, col: colAt(off) }, { origin: { file: pos.file, line, col: colAt(off) }, hint: 'check the quotes and brackets around this place' });
  };
  const newline = (at: number) => { line++; lineStart = at + 1; };
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') { newline(i); i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') { i++; continue; }
    if (c === '-' && text[i + 1] === '-') { while (i < text.length && text[i] !== '\n') i++; continue; }
    if (c === '/' && text[i + 1] === '*') {
      const start = i;
      i += 2;
      while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) { if (text[i] === '\n') newline(i); i++; }
      if (i >= text.length) fail('a comment /* … is not closed', start);
      i += 2;
      continue;
    }
    const start = i, tLine = line, tCol = colAt(i);
    const push = (kind: TokenKind, t: string) => out.push({ kind, text: t, upper: kind === 'ident' ? t.toUpperCase() : t, offset: start, end: i, line: tLine, col: tCol });
    if (c === "'" || c === '"') {
      let value = '';
      // adjacent literals concatenate
      for (;;) {
        const q = text[i];
        i++;
        for (;;) {
          if (i >= text.length) fail(`a string literal is not closed (opened with ${q})`, start);
          const d = text[i];
          if (d === '\\' && i + 1 < text.length) {
            const e = text[i + 1];
            if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) { value += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16)); i += 6; continue; }
            value += ESCAPES[e] ?? e;
            i += 2;
            continue;
          }
          if (d === q) {
            if (text[i + 1] === q) { value += q; i += 2; continue; }
            i++;
            break;
          }
          if (d === '\n') newline(i);
          value += d;
          i++;
        }
        let j = i;
        while (j < text.length && /\s/.test(text[j])) j++;
        if (text[j] === "'" || text[j] === '"') {
          for (let k = i; k < j; k++) if (text[k] === '\n') newline(k);
          i = j;
          continue;
        }
        break;
      }
      push('string', value);
      continue;
    }
    if (c === '`') {
      let name = '';
      i++;
      for (;;) {
        if (i >= text.length) fail('a `quoted` identifier is not closed', start);
        if (text[i] === '`') {
          if (text[i + 1] === '`') { name += '`'; i += 2; continue; }
          i++;
          break;
        }
        if (text[i] === '\n') newline(i);
        name += text[i++];
      }
      push('qident', name);
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?(BD|bd|Bd|bD|[LlSsYyDdFf])?(?![A-Za-z0-9_])/.exec(text.slice(i));
      if (m) { i += m[0].length; push('number', m[0]); continue; }
    }
    if (/[A-Za-z_\u0080-\uffff]/.test(c) || /[0-9]/.test(c)) {
      while (i < text.length && /[A-Za-z0-9_\u0080-\uffff]/.test(text[i])) i++;
      push('ident', text.slice(start, i));
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (!op) fail(`unexpected character "${c}"`, i);
    i += op!.length;
    push('op', op!);
  }
  out.push({ kind: 'eof', text: '', upper: '', offset: text.length, end: text.length, line, col: colAt(text.length) });
  return out;
}
