/**
 * Builders for the string functions, as free functions named after their
 * Spark names: `substring(col('s'), 1, 3)`, `regexpExtract(col('id'), '(\\d+)', 1)`,
 * `like(col('code'), 'A%')`. A JS string argument is a literal; use `col()`
 * for a column. `upper`, `lower`, `trim` and `length` are in
 * engine/expr/builder.ts. Semantics: docs/functions.md (String functions).
 */
import { fn, type Expr, type ExprLike } from '../builder.js';

/** fn(name, …args) without the trailing optional arguments left undefined. */
function call(name: string, ...args: (ExprLike | undefined)[]): Expr {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  return fn(name, ...(args.slice(0, n) as ExprLike[]));
}

/** The strings one after the other; NULL when any is NULL (SQL `a || b`). Arrays concatenate too. */
export function concat(...parts: ExprLike[]): Expr { return fn('concat', ...parts); }
/** The strings (and array elements) joined by `sep`, skipping NULLs. */
export function concatWs(sep: ExprLike, ...parts: ExprLike[]): Expr { return fn('concat_ws', sep, ...parts); }
/** `len` characters from the 1-based position `pos` (negative: from the end); to the end without `len`. */
export function substring(str: ExprLike, pos: ExprLike, len?: ExprLike): Expr { return call('substring', str, pos, len); }
export const substr = substring;
export function left(str: ExprLike, len: ExprLike): Expr { return fn('left', str, len); }
export function right(str: ExprLike, len: ExprLike): Expr { return fn('right', str, len); }
export function initcap(str: ExprLike): Expr { return fn('initcap', str); }
/** Leading spaces removed, or leading characters that occur in `chars`. */
export function ltrim(str: ExprLike, chars?: ExprLike): Expr { return call('ltrim', str, chars); }
/** Trailing spaces removed, or trailing characters that occur in `chars`. */
export function rtrim(str: ExprLike, chars?: ExprLike): Expr { return call('rtrim', str, chars); }
export function btrim(str: ExprLike, chars?: ExprLike): Expr { return call('btrim', str, chars); }
export function octetLength(str: ExprLike): Expr { return fn('octet_length', str); }
export function bitLength(str: ExprLike): Expr { return fn('bit_length', str); }
/** Left-padded with `pad` (default a space) to `len` characters; a longer string is cut. */
export function lpad(str: ExprLike, len: ExprLike, pad?: ExprLike): Expr { return call('lpad', str, len, pad); }
/** Right-padded with `pad` (default a space) to `len` characters; a longer string is cut. */
export function rpad(str: ExprLike, len: ExprLike, pad?: ExprLike): Expr { return call('rpad', str, len, pad); }
export function repeat(str: ExprLike, n: ExprLike): Expr { return fn('repeat', str, n); }
export function space(n: ExprLike): Expr { return fn('space', n); }
/** The characters in reverse order (or an array's elements). */
export function reverse(x: ExprLike): Expr { return fn('reverse', x); }
/** Every occurrence of `search` replaced by `replacement` (default: removed). */
export function replace(str: ExprLike, search: ExprLike, replacement?: ExprLike): Expr { return call('replace', str, search, replacement); }
export function translate(str: ExprLike, from: ExprLike, to: ExprLike): Expr { return fn('translate', str, from, to); }
/** 1-based position of `substr` in `str`, 0 when absent. */
export function instr(str: ExprLike, substr: ExprLike): Expr { return fn('instr', str, substr); }
/** 1-based position of `substr` in `str` at or after `pos`, 0 when absent. */
export function locate(substr: ExprLike, str: ExprLike, pos?: ExprLike): Expr { return call('locate', substr, str, pos); }
export function startswith(str: ExprLike, prefix: ExprLike): Expr { return fn('startswith', str, prefix); }
export function endswith(str: ExprLike, suffix: ExprLike): Expr { return fn('endswith', str, suffix); }
export function contains(str: ExprLike, part: ExprLike): Expr { return fn('contains', str, part); }
/** Part `partNum` (1-based, negative from the end) of `str` split at `delimiter` (not a regex). */
export function splitPart(str: ExprLike, delimiter: ExprLike, partNum: ExprLike): Expr { return fn('split_part', str, delimiter, partNum); }
export function substringIndex(str: ExprLike, delim: ExprLike, count: ExprLike): Expr { return fn('substring_index', str, delim, count); }
/** `str` split around matches of a Java regular expression (array<string>). */
export function split(str: ExprLike, regex: ExprLike, limit?: ExprLike): Expr { return call('split', str, regex, limit); }
/** TRUE when a Java regular expression matches somewhere in `str` (SQL `RLIKE`). */
export function rlike(str: ExprLike, regex: ExprLike): Expr { return fn('rlike', str, regex); }
export const regexpLike = rlike;
/** Every match replaced by `rep` ($1, ${name} refer to groups), from the 1-based `position`. */
export function regexpReplace(str: ExprLike, regex: ExprLike, rep: ExprLike, position?: ExprLike): Expr { return call('regexp_replace', str, regex, rep, position); }
/** Group `idx` (default 1) of the first match; '' when there is none. */
export function regexpExtract(str: ExprLike, regex: ExprLike, idx?: ExprLike): Expr { return call('regexp_extract', str, regex, idx); }
export function regexpExtractAll(str: ExprLike, regex: ExprLike, idx?: ExprLike): Expr { return call('regexp_extract_all', str, regex, idx); }
export function regexpCount(str: ExprLike, regex: ExprLike): Expr { return fn('regexp_count', str, regex); }
export function regexpSubstr(str: ExprLike, regex: ExprLike): Expr { return fn('regexp_substr', str, regex); }
export function regexpInstr(str: ExprLike, regex: ExprLike): Expr { return fn('regexp_instr', str, regex); }
/** SQL `str LIKE pattern [ESCAPE escape]` (`escape`: one character, default backslash). */
export function like(str: ExprLike, pattern: ExprLike, escape?: string): Expr { return call('like', str, pattern, escape); }
/** SQL `str ILIKE pattern [ESCAPE escape]`: LIKE on the lower-cased strings. */
export function ilike(str: ExprLike, pattern: ExprLike, escape?: string): Expr { return call('ilike', str, pattern, escape); }
export function ascii(str: ExprLike): Expr { return fn('ascii', str); }
export function chr(n: ExprLike): Expr { return fn('chr', n); }
export function base64(str: ExprLike): Expr { return fn('base64', str); }
export function hex(x: ExprLike): Expr { return fn('hex', x); }
export function md5(str: ExprLike): Expr { return fn('md5', str); }
export function sha1(str: ExprLike): Expr { return fn('sha1', str); }
/** SHA-2 digest as hex: `bitLength` 224, 256, 384 or 512 (0 means 256); NULL for another length. */
export function sha2(str: ExprLike, bitLength: ExprLike): Expr { return fn('sha2', str, bitLength); }
export function soundex(str: ExprLike): Expr { return fn('soundex', str); }
export function levenshtein(a: ExprLike, b: ExprLike, threshold?: ExprLike): Expr { return call('levenshtein', a, b, threshold); }
/** `x` formatted like '#,###.##' with `d` decimals (HALF_EVEN), or with a DecimalFormat pattern. */
export function formatNumber(x: ExprLike, d: ExprLike): Expr { return fn('format_number', x, d); }
