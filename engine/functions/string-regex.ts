/**
 * Regular expressions and LIKE with Spark 4.1's semantics: rlike (regexp,
 * regexp_like), regexp_replace, regexp_extract, regexp_extract_all,
 * regexp_count, regexp_substr, regexp_instr, split, LIKE and ILIKE.
 *
 * Patterns are Java regular expressions, translated once per distinct
 * pattern (engine/regex/java-regex.ts; a literal pattern is checked when the
 * expression is type-checked: INVALID_REGEX or UNSUPPORTED_REGEX). Matching
 * follows Java's Matcher.find: after an empty match the search moves on by
 * one character. Positions (regexp_instr, regexp_replace's position) count
 * UTF-16 units, as Java's do.
 *
 * DuckDB's regular expressions are RE2: every regex function is `approx`
 * there (the pattern is passed as written), and a literal pattern that RE2
 * cannot run at all (lookaround, backreferences, atomic groups) is
 * NON_PORTABLE_EXPRESSION. LIKE is exact in DuckDB.
 */
import { stringColumnFromArray, stringsOf, type StringColumn } from '../column/string-column.js';
import type { Column } from '../batch.js';
import { UnsupportedError } from '../errors.js';
import { arrayType, type DataType, type Value } from '../ir/types.js';
import { P } from '../sql/precedence.js';
import { jsGroupName, RegexSyntaxError, translateJavaRegex, type JavaRegex } from '../regex/java-regex.js';
import { parseJavaReplacement, type ParsedReplacement } from '../regex/replacement.js';
import { compileLike, LikePatternError, type LikePlan } from '../regex/like.js';
import { boolColumn, fromValues } from './kernels.js';
import { register, type ArgInfo, type KernelCtx, type ScalarFunction, type SqlEmit, type TypeCtx } from './registry.js';
import { indexOfBytes, intsOf, invalidArg, signature, type Param } from './string-args.js';

const str = (args: readonly Column[], i: number) => args[i] as StringColumn;

// ------------------------------------------------------------ compiled patterns

interface Compiled {
  readonly java: JavaRegex;
  /** Global ('g') regex: reset lastIndex before use. */
  readonly re: RegExp;
}

const compiled = new Map<string, Compiled>();

/** The compiled Java pattern (cached across batches); throws RegexSyntaxError. */
function compile(pattern: string): Compiled {
  let c = compiled.get(pattern);
  if (c === undefined) {
    const java = translateJavaRegex(pattern);
    c = { java, re: new RegExp(java.source, 'g' + java.flags) };
    if (compiled.size >= 512) compiled.delete(compiled.keys().next().value!);
    compiled.set(pattern, c);
  }
  return c;
}

/** Pattern argument k by row: its literal (one value for the batch) or the row's value (decoded once per column). */
function patternsOf(args: readonly Column[], ctx: KernelCtx, k = 1): (i: number) => string | null {
  const lit = ctx.literals[k];
  if (typeof lit === 'string' && ctx.argTypes[k] === 'string') return () => lit;
  const p = stringsOf(str(args, k));
  return (i) => p[i];
}

/** A pattern argument's compiled regex for row i (the row fails on an invalid pattern). */
function patternAt(pats: (i: number) => string | null, i: number, ctx: KernelCtx): Compiled | null {
  const p = pats(i);
  if (p === null) return null;
  try { return compile(p); } catch (e) {
    if (e instanceof RegexSyntaxError) ctx.fail(i, e.code, `${e.message}`, hintFor(e));
    throw e;
  }
}

function hintFor(e: RegexSyntaxError): string {
  return e.code === 'UNSUPPORTED_REGEX'
    ? 'the engine translates Java regular expressions to JavaScript; this construct has no translation (see docs/regex.md)'
    : 'fix the regular expression (Java syntax, as Spark uses)';
}

/** Type-checks a literal pattern argument. */
function checkPattern(a: ArgInfo, ctx: TypeCtx): void {
  if (typeof a.literal !== 'string') return;
  try { compile(a.literal); } catch (e) {
    if (!(e instanceof RegexSyntaxError)) throw e;
    invalidArg(ctx, e.code, `${ctx.fn}(): ${e.reason} in the regular expression ${JSON.stringify(a.literal)}`, { pattern: a.literal, reason: e.reason, index: e.index }, hintFor(e));
  }
}

/** A type rule with a pattern argument at `at` (checked when literal). */
function regexSignature(returns: DataType, params: readonly Param[], at = 1) {
  const base = signature(returns, params);
  return (args: readonly ArgInfo[], ctx: TypeCtx) => {
    const r = base(args, ctx);
    if (args[at]) checkPattern(args[at], ctx);
    return r;
  };
}

/** The next search position after an empty match at `at` (one code point on). */
function advance(s: string, at: number): number {
  const c = s.charCodeAt(at);
  return at + (c >= 0xd800 && c <= 0xdbff && at + 1 < s.length ? 2 : 1);
}

/** Every match of re in s, as Java's repeated find() gives them (after an empty match, one code point on). */
function eachMatch(re: RegExp, s: string, f: (m: RegExpExecArray) => boolean | void): void {
  re.lastIndex = 0;
  for (;;) {
    const m = re.exec(s);
    if (m === null) return;
    if (m[0].length === 0) {
      if (m.index >= s.length) { f(m); return; }
      re.lastIndex = advance(s, m.index);
    }
    if (f(m) === false) return;
  }
}

function firstMatch(re: RegExp, s: string): RegExpExecArray | null {
  re.lastIndex = 0;
  return re.exec(s);
}

function groupText(m: RegExpExecArray, k: number): string {
  return k === 0 ? m[0] : m.groups?.[jsGroupName(k)] ?? '';
}

function checkGroup(c: Compiled, k: number, row: number, ctx: KernelCtx): void {
  if (k < 0 || k > c.java.groupCount) {
    ctx.fail(row, 'INVALID_REGEX_GROUP_INDEX', `${ctx.returns === 'string' ? 'regexp_extract' : 'regexp_extract_all'}(): the regular expression ${JSON.stringify(c.java.pattern)} has ${c.java.groupCount} group(s), group index ${k} is out of range`, 'use a group index between 0 and the number of groups');
  }
}

// ------------------------------------------------------------ DuckDB (RE2) spellings

function duckRegexNote(e: SqlEmit, at = 1): void {
  const p = e.literals[at];
  if (typeof p !== 'string') return;
  const c = compile(p);
  if (c.java.notRe2) {
    throw new UnsupportedError('NON_PORTABLE_EXPRESSION', `the regular expression ${JSON.stringify(p)} uses ${c.java.notRe2}, which DuckDB (RE2) does not support`, { pattern: p, dialect: 'duckdb' }, { hint: 'rewrite the pattern without lookaround, backreferences or atomic groups' });
  }
}

const RE2_APPROX = 'DuckDB matches with RE2: Java-only syntax and semantics (line terminators for . and $, \\Z, possessive quantifiers, Unicode classes) differ';

function regexSql(spark: string | ((e: SqlEmit) => string), duck: (e: SqlEmit) => string): ScalarFunction['sql'] {
  return { default: spark, duckdb: { approx: RE2_APPROX, sql: (e) => { duckRegexNote(e); return duck(e); } } };
}

// ------------------------------------------------------------ rlike, regexp_replace, regexp_extract, …

const rlike: ScalarFunction = {
  name: 'rlike', aliases: ['regexp', 'regexp_like'], family: 'string', arity: [2, 2], signature: 'str RLIKE regexp | rlike(str, regexp)',
  summary: 'TRUE when the Java regular expression matches somewhere in str.',
  examples: [{ sql: "rlike('%SystemDrive%\\\\Users\\\\John', '%SystemDrive%\\\\\\\\Users.*')", result: 'true' }],
  nulls: 'propagate', type: regexSignature('boolean', ['str']),
  kernel: (args, ctx) => {
    const s = stringsOf(str(args, 0)), p = patternsOf(args, ctx);
    const data = new Uint8Array(ctx.n);
    for (let i = 0; i < ctx.n; i++) {
      const v = s[i];
      if (v === null) continue;
      const c = patternAt(p, i, ctx);
      if (c !== null) data[i] = firstMatch(c.re, v) !== null ? 1 : 0;
    }
    return boolColumn(data, null);
  },
  notes: 'Patterns are Java regular expressions, translated to JavaScript ones (docs/regex.md lists what differs and what is UNSUPPORTED_REGEX); a literal pattern is checked when the pipeline is built (INVALID_REGEX).',
  sql: {
    default: (e) => ({ sql: `${e.arg(0, P.ADD)} RLIKE ${e.arg(1, P.ADD)}`, prec: P.PRED }),
    duckdb: { approx: RE2_APPROX, sql: (e) => { duckRegexNote(e); return `regexp_matches(${e.arg(0)}, ${e.arg(1)})`; } },
  },
  text: (a) => `RLIKE(${a[0]}, ${a[1]})`,
};

const regexpReplace: ScalarFunction = {
  name: 'regexp_replace', family: 'string', arity: [3, 4], signature: 'regexp_replace(str, regexp, rep[, position])',
  summary: 'str with every match of the regular expression replaced by rep (Java replacement syntax: $1, ${name}, \\$), searching from the 1-based position (a literal > 0, default 1).',
  examples: [{ sql: "regexp_replace('100-200', '(\\\\d+)', 'num')", result: 'num-num' }],
  nulls: 'propagate',
  type: (args, ctx) => {
    const r = regexSignature('string', ['str', 'str', 'str', 'int'])(args, ctx);
    const pos = args[3];
    if (pos && !pos.isNullLiteral && (typeof pos.literal !== 'number' || pos.literal <= 0)) {
      if (typeof pos.literal !== 'number') ctx.mismatch('regexp_replace() needs a literal position');
      invalidArg(ctx, 'INVALID_PARAMETER_VALUE', `regexp_replace(): the position must be > 0, got ${pos.literal}`, { position: pos.literal });
    }
    return r;
  },
  kernel: (args, ctx) => {
    const s = stringsOf(str(args, 0)), p = patternsOf(args, ctx), r = patternsOf(args, ctx, 2);
    const pos = args.length > 3 ? intsOf(args, 3, ctx) : null;
    const out = new Array<string | null>(ctx.n);
    let lastKey: Compiled | null = null, lastRep: string | null = null, parsed: ParsedReplacement | null = null, jsRep = '';
    for (let i = 0; i < ctx.n; i++) {
      const v = s[i], rep = r(i);
      if (v === null || rep === null || (pos && pos.nulls && pos.nulls[i])) { out[i] = null; continue; }
      const c = patternAt(p, i, ctx);
      if (c === null) { out[i] = null; continue; }
      if (c !== lastKey || rep !== lastRep) {
        parsed = parseJavaReplacement(rep, c.java);
        if (parsed.ok) jsRep = jsReplacement(parsed.parts);
        lastKey = c;
        lastRep = rep;
      }
      const start = pos ? pos.v[i] - 1 : 0;
      if (start !== 0 && start >= v.length) { out[i] = v; continue; }
      const body = start === 0 ? v : v.slice(start);
      const pr = parsed!;
      if (!pr.ok) {
        if (firstMatch(c.re, body) !== null) ctx.fail(i, 'INVALID_REGEX_REPLACEMENT', `regexp_replace(): ${pr.reason} in the replacement ${JSON.stringify(rep)}`, 'write groups as $1 or ${name}; a literal $ or \\ needs a backslash before it');
        out[i] = v;
        continue;
      }
      // JS replace finds the matches as Java's find() does (after an empty match, one code point on)
      const res = body.replace(c.re, jsRep);
      out[i] = start === 0 ? res : v.slice(0, start) + res;
    }
    return stringColumnFromArray(out);
  },
  sql: regexSql((e) => `regexp_replace(${e.args.map((_, i) => e.arg(i)).join(', ')})`, (e) => {
    const rep = typeof e.literals[2] === 'string' ? e.literal(javaToRe2Replacement(e.literals[2] as string), 'string') : e.arg(2);
    const body = `regexp_replace(${e.args.length > 3 ? `substring(${e.arg(0)}, ${e.arg(3)})` : e.arg(0)}, ${e.arg(1)}, ${rep}, 'g')`;
    return e.args.length > 3 ? `substring(${e.arg(0)}, 1, ${e.arg(3, P.ATOM)} - 1) || ${body}` : body;
  }),
};

/** Parsed Java replacement parts as a JS replacement string (`$<j1>` for group 1, `$&` for the match, `$$` for a dollar). */
function jsReplacement(parts: readonly (string | number)[]): string {
  return parts.map((p) => (typeof p === 'string' ? p.replace(/\$/g, '$$$$') : p === 0 ? '$&' : `$<${jsGroupName(p)}>`)).join('');
}

/** A Java replacement ($1) in RE2's syntax (\1), for DuckDB. */
function javaToRe2Replacement(rep: string): string {
  let out = '';
  for (let i = 0; i < rep.length; i++) {
    const c = rep[i];
    if (c === '\\' && i + 1 < rep.length) { out += rep[++i] === '\\' ? '\\\\' : rep[i]; continue; }
    if (c === '$' && /[0-9]/.test(rep[i + 1] ?? '')) { out += '\\' + rep[++i]; continue; }
    out += c;
  }
  return out;
}

function extractEntry(all: boolean): ScalarFunction {
  const name = all ? 'regexp_extract_all' : 'regexp_extract';
  return {
    name, family: 'string', arity: [2, 3], signature: `${name}(str, regexp[, idx])`,
    summary: all
      ? 'Group idx (default 1; 0 is the whole match) of every match of the regular expression in str (an empty string for a group that did not take part).'
      : 'Group idx (default 1; 0 is the whole match) of the first match of the regular expression in str; an empty string when there is no match or the group did not take part. An idx beyond the groups is INVALID_REGEX_GROUP_INDEX.',
    examples: [all ? { sql: "regexp_extract_all('100-200, 300-400', '(\\\\d+)-(\\\\d+)', 1)", result: '["100","300"]' } : { sql: "regexp_extract('100-200', '(\\\\d+)-(\\\\d+)', 1)", result: '100' }],
    nulls: 'propagate', type: regexSignature(all ? arrayType('string') : 'string', ['str', 'str', 'int']),
    kernel: (args, ctx) => {
      const s = stringsOf(str(args, 0)), p = patternsOf(args, ctx);
      const idx = args.length > 2 ? intsOf(args, 2, ctx) : null;
      return fromValues(ctx.returns, ctx.n, (i): Value => {
        const v = s[i];
        if (v === null || (idx && idx.nulls && idx.nulls[i])) return null;
        const c = patternAt(p, i, ctx);
        if (c === null) return null;
        const k = idx ? idx.v[i] : 1;
        if (!all) {
          const m = firstMatch(c.re, v);
          if (m === null) return '';
          checkGroup(c, k, i, ctx);
          return groupText(m, k);
        }
        const found: string[] = [];
        eachMatch(c.re, v, (m) => { checkGroup(c, k, i, ctx); found.push(groupText(m, k)); });
        return found;
      });
    },
    sql: regexSql((e) => `${name}(${e.args.map((_, i) => e.arg(i)).join(', ')})`, (e) => `${name}(${e.arg(0)}, ${e.arg(1)}, ${e.args.length > 2 ? e.arg(2) : '1'})`),
  };
}

const regexpCount: ScalarFunction = {
  name: 'regexp_count', family: 'string', arity: [2, 2], signature: 'regexp_count(str, regexp)',
  summary: 'The number of matches of the regular expression in str.',
  examples: [{ sql: "regexp_count('Steven Jones and Stephen Smith are the best players', 'Ste(v|ph)en')", result: '2' }],
  nulls: 'propagate', type: regexSignature('int', ['str']),
  kernel: (args, ctx) => {
    const s = stringsOf(str(args, 0)), p = patternsOf(args, ctx);
    const data = new Int32Array(ctx.n);
    for (let i = 0; i < ctx.n; i++) {
      const v = s[i];
      if (v === null) continue;
      const c = patternAt(p, i, ctx);
      if (c === null) continue;
      let k = 0;
      eachMatch(c.re, v, () => { k++; });
      data[i] = k;
    }
    return { type: 'int', data, nulls: null };
  },
  sql: regexSql('regexp_count($1, $2)', (e) => `CAST(len(regexp_extract_all(${e.arg(0)}, ${e.arg(1)}, 0)) AS INTEGER)`),
};

const regexpSubstr: ScalarFunction = {
  name: 'regexp_substr', family: 'string', arity: [2, 2], signature: 'regexp_substr(str, regexp)',
  summary: 'The first match of the regular expression in str; NULL when there is none (or it is empty).',
  examples: [{ sql: "regexp_substr('Steven Jones and Stephen Smith are the best players', 'Ste(v|ph)en')", result: 'Steven' }],
  nulls: 'propagate', type: regexSignature('string', ['str']),
  kernel: (args, ctx) => {
    const s = stringsOf(str(args, 0)), p = patternsOf(args, ctx);
    const out = new Array<string | null>(ctx.n);
    for (let i = 0; i < ctx.n; i++) {
      const v = s[i];
      const c = v === null ? null : patternAt(p, i, ctx);
      const m = c === null ? null : firstMatch(c.re, v!);
      out[i] = m === null || m[0] === '' ? null : m[0];
    }
    return stringColumnFromArray(out);
  },
  sql: regexSql('regexp_substr($1, $2)', (e) => `nullif(regexp_extract(${e.arg(0)}, ${e.arg(1)}, 0), '')`),
};

const regexpInstr: ScalarFunction = {
  name: 'regexp_instr', family: 'string', arity: [2, 3], signature: 'regexp_instr(str, regexp)',
  summary: 'The 1-based position (in UTF-16 units, as Java) where the first match of the regular expression starts; 0 when there is none.',
  examples: [{ sql: "regexp_instr('user@spark.apache.org', '@[^.]*')", result: '5' }],
  nulls: 'propagate', type: regexSignature('int', ['str', 'str', 'int']),
  kernel: (args, ctx) => {
    const s = stringsOf(str(args, 0)), p = patternsOf(args, ctx);
    const data = new Int32Array(ctx.n);
    for (let i = 0; i < ctx.n; i++) {
      const v = s[i];
      const c = v === null ? null : patternAt(p, i, ctx);
      const m = c === null ? null : firstMatch(c.re, v!);
      data[i] = m === null ? 0 : m.index + 1;
    }
    return { type: 'int', data, nulls: null };
  },
  sql: {
    default: (e) => `regexp_instr(${e.args.map((_, i) => e.arg(i)).join(', ')})`,
    duckdb: { unsupported: 'DuckDB has no function for the position of a regular-expression match' },
  },
};

/** Java's Pattern.split with Spark's limits (limit <= 0: all parts, trailing empty strings kept). */
function javaSplit(re: RegExp, s: string, limit: number): string[] {
  const limited = limit > 0;
  const list: string[] = [];
  let index = 0;
  let matched = false;
  eachMatch(re, s, (m) => {
    const start = m.index, end = start + m[0].length;
    if (!limited || list.length < limit - 1) {
      if (index === 0 && start === 0 && start === end) return;
      list.push(s.slice(index, start));
      index = end;
      matched = true;
      return;
    }
    list.push(s.slice(index));
    index = end;
    matched = true;
    return false;
  });
  if (!matched || index === 0) return [s];
  if (!limited || list.length < limit) list.push(s.slice(index));
  return list;
}

/** Spark's split with an empty pattern: one character per element, the last element the rest. */
function splitChars(s: string, limit: number): string[] {
  const cps = Array.from(s);
  const n = limit > cps.length || limit <= 0 ? cps.length : limit;
  return [...cps.slice(0, n - 1), cps.slice(n - 1).join('')];
}

const split: ScalarFunction = {
  name: 'split', family: 'string', arity: [2, 3], signature: 'split(str, regex[, limit])',
  summary: 'str split around matches of the regular expression: at most limit parts when limit > 0 (the last holds the rest), all parts otherwise (trailing empty strings kept).',
  examples: [{ sql: "split('oneAtwoBthreeC', '[ABC]')", result: '["one","two","three",""]' }, { sql: "split('oneAtwoBthreeC', '[ABC]', 2)", result: '["one","twoBthreeC"]' }],
  nulls: 'propagate', type: regexSignature(arrayType('string'), ['str', 'str', 'int']),
  kernel: (args, ctx) => {
    const s = stringsOf(str(args, 0)), p = patternsOf(args, ctx);
    const lim = args.length > 2 ? intsOf(args, 2, ctx) : null;
    return fromValues(ctx.returns, ctx.n, (i): Value => {
      const v = s[i], pat = p(i);
      if (v === null || pat === null || (lim && lim.nulls && lim.nulls[i])) return null;
      const limit = lim ? lim.v[i] : -1;
      if (v !== '' && pat === '') return splitChars(v, limit);
      const c = patternAt(p, i, ctx)!;
      return javaSplit(c.re, v, limit);
    });
  },
  sql: regexSql((e) => `split(${e.args.map((_, i) => e.arg(i)).join(', ')})`, (e) => {
    const lim = e.literals[2];
    if (e.args.length > 2 && !(typeof lim === 'number' && lim <= 0)) {
      throw new UnsupportedError('NON_PORTABLE_EXPRESSION', 'split() with a positive or non-literal limit has no DuckDB form', { function: 'split', dialect: 'duckdb' }, { hint: 'drop the limit, or take the parts with element_at' });
    }
    return `regexp_split_to_array(${e.arg(0)}, ${e.arg(1)})`;
  }),
};

// ------------------------------------------------------------ LIKE and ILIKE

const likeCache = new Map<string, LikePlan>();

function likePlan(pattern: string, esc: string): LikePlan {
  const key = `${esc}\u0000${pattern}`;
  let plan = likeCache.get(key);
  if (plan === undefined) {
    plan = compileLike(pattern, esc);
    if (likeCache.size >= 1024) likeCache.delete(likeCache.keys().next().value!);
    likeCache.set(key, plan);
  }
  return plan;
}

/** The escape argument: a literal of exactly one character (default backslash). */
function escapeOf(args: readonly ArgInfo[], ctx: TypeCtx): string {
  const a = args[2];
  if (!a) return '\\';
  if (typeof a.literal !== 'string' || a.literal.length !== 1) {
    invalidArg(ctx, 'INVALID_ESC', `the ESCAPE of ${ctx.fn.toUpperCase()} must be a string literal of one character, got ${a.literal === undefined ? 'an expression' : JSON.stringify(a.literal)}`, { escape: a.literal ?? null }, "write ESCAPE '/' (one character)");
  }
  return a.literal as string;
}

function likeType(args: readonly ArgInfo[], ctx: TypeCtx) {
  const esc = escapeOf(args, ctx);
  const r = signature('boolean', ['str'])(args, ctx);
  const p = args[1];
  if (typeof p.literal === 'string') {
    try { likePlan(ctx.fn === 'ilike' ? p.literal.toLowerCase() : p.literal, esc); } catch (e) {
      if (!(e instanceof LikePatternError)) throw e;
      invalidArg(ctx, 'INVALID_LIKE_PATTERN', e.message, { pattern: p.literal, reason: e.reason }, 'the escape character may precede only _, % or itself, and may not end the pattern');
    }
  }
  return { ...r, args: [...(r.args ?? []).slice(0, 2), 'string' as DataType] };
}

function likeKernel(ci: boolean) {
  return (args: readonly Column[], ctx: KernelCtx): Column => {
    const esc = args.length > 2 ? (ctx.literals[2] as string) : '\\';
    const sc = str(args, 0);
    const pats = patternsOf(args, ctx);
    const vals = ci ? stringsOf(sc).map((v) => (v === null ? null : v.toLowerCase())) : null;
    const data = new Uint8Array(ctx.n);
    const enc = new TextEncoder();
    let lastPat: string | null = null, plan: LikePlan | null = null, bytes = new Uint8Array(0), suffix = bytes;
    for (let i = 0; i < ctx.n; i++) {
      const pat = pats(i);
      if (pat === null || (sc.nulls !== null && sc.nulls[i] === 1)) continue;
      if (pat !== lastPat) {
        try { plan = likePlan(ci ? pat.toLowerCase() : pat, esc); } catch (e) {
          if (e instanceof LikePatternError) ctx.fail(i, 'INVALID_LIKE_PATTERN', e.message, 'the escape character may precede only _, % or itself, and may not end the pattern');
          throw e;
        }
        lastPat = pat;
        bytes = enc.encode(plan.kind === 'prefixSuffix' ? plan.prefix : plan.kind === 'any' || plan.kind === 'regex' ? '' : plan.text);
        suffix = enc.encode(plan.kind === 'prefixSuffix' ? plan.suffix : '');
      }
      data[i] = vals ? likeText(plan!, vals[i]!) : likeBytes(plan!, bytes, suffix, sc, i) ? 1 : 0;
    }
    return boolColumn(data, null);
  };
}

function likeText(plan: LikePlan, v: string): number {
  switch (plan.kind) {
    case 'any': return 1;
    case 'equals': return v === plan.text ? 1 : 0;
    case 'prefix': return v.startsWith(plan.text) ? 1 : 0;
    case 'suffix': return v.endsWith(plan.text) ? 1 : 0;
    case 'contains': return v.includes(plan.text) ? 1 : 0;
    case 'prefixSuffix': return v.length >= plan.prefix.length + plan.suffix.length && v.startsWith(plan.prefix) && v.endsWith(plan.suffix) ? 1 : 0;
    default: return plan.re.test(v) ? 1 : 0;
  }
}

function likeBytes(plan: LikePlan, t: Uint8Array, s: Uint8Array, c: StringColumn, i: number): boolean {
  const b = c.bytes, a = c.offsets[i], z = c.offsets[i + 1];
  switch (plan.kind) {
    case 'any': return true;
    case 'equals': return z - a === t.length && indexOfBytes(b, a, z, t, 0, t.length) === a;
    case 'prefix': return z - a >= t.length && indexOfBytes(b, a, a + t.length, t, 0, t.length) === a;
    case 'suffix': return z - a >= t.length && indexOfBytes(b, z - t.length, z, t, 0, t.length) === z - t.length;
    case 'contains': return indexOfBytes(b, a, z, t, 0, t.length) >= 0;
    case 'prefixSuffix':
      return z - a >= t.length + s.length && indexOfBytes(b, a, a + t.length, t, 0, t.length) === a && indexOfBytes(b, z - s.length, z, s, 0, s.length) === z - s.length;
    default: return plan.re.test(Buffer.from(b.buffer, b.byteOffset + a, z - a).toString('utf8'));
  }
}

function likeEntry(name: 'like' | 'ilike'): ScalarFunction {
  const ci = name === 'ilike';
  const kw = name.toUpperCase();
  const escSql = (e: SqlEmit, always: boolean) => {
    const esc = e.args.length > 2 ? (e.literals[2] as string) : '\\';
    return always || esc !== '\\' ? ` ESCAPE ${e.dialect.str(esc)}` : '';
  };
  return {
    name, family: 'string', arity: [2, 3], signature: `str ${kw} pattern [ESCAPE escape]`,
    summary: `TRUE when str matches the pattern${ci ? ' case-insensitively (both lower-cased)' : ''}: _ is any character, % any run of characters; the escape character (default \\) may precede only _, % or itself (INVALID_LIKE_PATTERN otherwise).`,
    examples: ci ? [{ sql: "ilike('Spark', '_Park')", result: 'true' }] : [{ sql: "like('Spark', '_park')", result: 'true' }, { sql: "'%SystemDrive%/Users/John' LIKE '/%SystemDrive/%//Users%' ESCAPE '/'", result: 'true' }],
    nulls: 'propagate', type: likeType,
    kernel: likeKernel(ci),
    sql: {
      default: (e) => ({ sql: `${e.arg(0, P.ADD)} ${kw} ${e.arg(1, P.ADD)}${escSql(e, false)}`, prec: P.PRED }),
      duckdb: (e) => {
        if (ci) e.note('UNICODE_CASE_MAPPING', 'case mapping of non-ASCII text follows each engine\'s Unicode tables');
        return ci
          ? { sql: `lower(${e.arg(0)}) LIKE lower(${e.arg(1)})${escSql(e, true)}`, prec: P.PRED }
          : { sql: `${e.arg(0, P.ADD)} LIKE ${e.arg(1, P.ADD)}${escSql(e, true)}`, prec: P.PRED };
      },
    },
    text: (a) => `(${a[0]} ${kw} ${a[1]}${a[2] ? ` ESCAPE ${a[2]}` : ''})`,
  };
}

register([
  rlike, regexpReplace, extractEntry(false), extractEntry(true), regexpCount, regexpSubstr, regexpInstr, split,
  likeEntry('like'), likeEntry('ilike'),
]);

