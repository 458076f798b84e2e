/**
 * SQL LIKE patterns with Spark's rules (StringUtils.escapeLikeRegex): `_` is
 * any one character, `%` any run of characters (line breaks included); the
 * escape character (default `\`) may precede only `_`, `%` or itself, and may
 * not end the pattern (INVALID_LIKE_PATTERN otherwise).
 *
 * A pattern compiles to the cheapest test that is exact: equality, a prefix,
 * a suffix, a prefix and a suffix, or containment (compared on UTF-8 bytes by
 * the caller), and a regular expression only when `_` or inner `%`s need it.
 */

export class LikePatternError extends Error {
  constructor(readonly reason: 'ESC_IN_THE_MIDDLE' | 'ESC_AT_THE_END', readonly pattern: string, readonly char?: string) {
    super(reason === 'ESC_AT_THE_END'
      ? `the pattern '${pattern}' is invalid: it is not allowed to end with the escape character`
      : `the pattern '${pattern}' is invalid: the escape character is not allowed to precede '${char}'`);
  }
}

export type LikePlan =
  | { readonly kind: 'any' }
  | { readonly kind: 'equals' | 'prefix' | 'suffix' | 'contains'; readonly text: string }
  | { readonly kind: 'prefixSuffix'; readonly prefix: string; readonly suffix: string }
  | { readonly kind: 'regex'; readonly re: RegExp };

type Token = string | '%' | '_';
const ANY_RUN = { t: '%' } as const;
const ANY_ONE = { t: '_' } as const;

function escapeCp(cp: number): string {
  return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) ? String.fromCharCode(cp) : `\\u{${cp.toString(16)}}`;
}

/** Compiles a LIKE pattern with the given escape character (one character). */
export function compileLike(pattern: string, escape = '\\'): LikePlan {
  const esc = escape.codePointAt(0)!;
  const tokens: (string | typeof ANY_RUN | typeof ANY_ONE)[] = [];
  let text = '';
  const flush = () => { if (text) { tokens.push(text); text = ''; } };
  const cps = Array.from(pattern);
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i];
    if (c.codePointAt(0) === esc) {
      if (i + 1 >= cps.length) throw new LikePatternError('ESC_AT_THE_END', pattern);
      const n = cps[++i];
      if (n !== '_' && n !== '%' && n.codePointAt(0) !== esc) throw new LikePatternError('ESC_IN_THE_MIDDLE', pattern, n);
      text += n;
      continue;
    }
    if (c === '%') { flush(); if (tokens[tokens.length - 1] !== ANY_RUN) tokens.push(ANY_RUN); continue; }
    if (c === '_') { flush(); tokens.push(ANY_ONE); continue; }
    text += c;
  }
  flush();
  const simple = !tokens.includes(ANY_ONE);
  if (simple) {
    const lits = tokens.filter((t): t is string => typeof t === 'string');
    const starts = tokens[0] === ANY_RUN, ends = tokens[tokens.length - 1] === ANY_RUN;
    if (tokens.length === 0) return { kind: 'equals', text: '' };
    if (lits.length === 0) return { kind: 'any' };
    if (lits.length === 1) {
      if (!starts && !ends) return { kind: 'equals', text: lits[0] };
      if (!starts) return { kind: 'prefix', text: lits[0] };
      if (!ends) return { kind: 'suffix', text: lits[0] };
      return { kind: 'contains', text: lits[0] };
    }
    if (lits.length === 2 && !starts && !ends) return { kind: 'prefixSuffix', prefix: lits[0], suffix: lits[1] };
  }
  let src = '';
  for (const t of tokens) {
    if (t === ANY_RUN) src += '[\\s\\S]*';
    else if (t === ANY_ONE) src += '[\\s\\S]';
    else for (const ch of t as Token) src += escapeCp(ch.codePointAt(0)!);
  }
  return { kind: 'regex', re: new RegExp(`^(?:${src})$`, 'v') };
}
