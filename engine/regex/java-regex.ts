/**
 * Java regular expressions (java.util.regex, the dialect Spark's rlike,
 * regexp_replace, regexp_extract and split use) translated to JavaScript
 * RegExp sources with the `v` flag, so that the engine matches what Spark
 * matches.
 *
 * The translator parses the Java pattern with Java's grammar and rules
 * (Pattern.compile's errors become INVALID_REGEX) and writes a JS source that
 * means the same:
 * - literals are written as `\u{…}` escapes, so no Java character is ever JS
 *   syntax; `\Q…\E` is quoted as Java does (before parsing);
 * - `.`, `^`, `$`, `\Z` follow Java's line terminators (`\n`, `\r`, `\r\n`,
 *   `\u0085`, `\u2028`, `\u2029`; only `\n` under UNIX_LINES), including `$`
 *   before a final line terminator and `(?m)^` never at the end of the input;
 *   `\A` and `\z` are the input's ends;
 * - `\d \s \w \h \v \R` and the POSIX classes (`\p{Alpha}` …) are ASCII as in
 *   Java; `\p{L}`, `\p{IsLatin}`, `\p{script=…}`, `\p{gc=…}`, binary
 *   properties and the `\p{javaLowerCase}` family map to Unicode properties;
 * - character classes keep Java's unions, `&&` intersections and negation
 *   (JS `v`-mode set operations);
 * - inline flags `(?idmsux-idmsux)` and `(?flags:…)` are scoped as in Java;
 *   `(?i)` is ASCII-only (letters expand to `[aA]`); `(?iu)` for the whole
 *   pattern uses the JS `i` flag (Unicode simple case folding);
 * - atomic groups `(?>…)` and possessive quantifiers become `(?=(…))\k<…>`;
 * - every capture group is a JS named group (`j<n>` for Java group n, `h<n>`
 *   for the translator's own), so Java's group numbers stay valid.
 *
 * What cannot be translated is UNSUPPORTED_REGEX (listed in docs/functions.md):
 * `\G`, `\X`, `\b{g}`, `\N{…}`, Unicode blocks (`\p{InGreek}`), `(?U)`,
 * `(?iu)` that does not cover the whole pattern, a backreference under ASCII
 * `(?i)`, an atomic group or possessive quantifier inside a lookbehind, and
 * case-sensitive properties (`\p{Lower}`, `\p{Lu}` …) under `(?i)`.
 * Remaining differences (documented): a backreference to a group that did not
 * take part in the match matches the empty string (Java: fails); after an
 * empty match the search moves on by a code point (Java: a UTF-16 unit);
 * `\b` uses ASCII word characters (Java 19+; Java 17 also counts Unicode
 * letters); Unicode property tables are V8's.
 */

export type RegexErrorCode = 'INVALID_REGEX' | 'UNSUPPORTED_REGEX';

/** A pattern Java rejects (INVALID_REGEX) or the translator cannot express (UNSUPPORTED_REGEX). */
export class RegexSyntaxError extends Error {
  constructor(readonly code: RegexErrorCode, readonly reason: string, readonly pattern: string, readonly index: number) {
    super(`${reason} near index ${index} of ${JSON.stringify(pattern)}`);
  }
}

/** A translated pattern. */
export interface JavaRegex {
  /** The Java pattern. */
  readonly pattern: string;
  /** The JS source (for `new RegExp(source, flags)`). */
  readonly source: string;
  /** `v`, or `vi` for a whole-pattern `(?iu)`. */
  readonly flags: string;
  /** Java's groupCount(). */
  readonly groupCount: number;
  /** Java named groups → group number. */
  readonly groupNames: ReadonlyMap<string, number>;
  /** Why RE2 (DuckDB) cannot run the pattern at all, or null. */
  readonly notRe2: string | null;
}

/** The JS group name of Java group n (n >= 1). */
export function jsGroupName(n: number): string {
  return `j${n}`;
}

interface Flags { i: boolean; d: boolean; m: boolean; s: boolean; u: boolean; x: boolean }

type SetItem = { readonly k: 'cp'; readonly cp: number } | { readonly k: 'range'; readonly a: number; readonly b: number } | { readonly k: 'src'; readonly s: string };

/** What an escape or atom produced. */
type Piece = { readonly kind: 'char'; readonly cp: number } | { readonly kind: 'set'; readonly items: readonly SetItem[]; readonly neg: boolean } | { readonly kind: 'src'; readonly src: string; readonly assertion?: boolean };

const REF_MARK = '\u0000';

function hex(cp: number): string {
  return cp.toString(16).toUpperCase();
}

function isAlnum(cp: number): boolean {
  return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
}

/** A code point as JS `v`-mode syntax (inside or outside a class). */
function lit(cp: number): string {
  return isAlnum(cp) || cp === 0x5f ? String.fromCharCode(cp) : `\\u{${hex(cp)}}`;
}

const range = (a: number, b: number): SetItem => ({ k: 'range', a, b });
const cpItem = (cp: number): SetItem => ({ k: 'cp', cp });
const src = (s: string): SetItem => ({ k: 'src', s });

function emitItems(items: readonly SetItem[]): string {
  let out = '';
  for (const it of items) {
    if (it.k === 'cp') out += lit(it.cp);
    else if (it.k === 'range') out += it.a === it.b ? lit(it.a) : `${lit(it.a)}-${lit(it.b)}`;
    else out += it.s;
  }
  return out;
}

function emitClass(neg: boolean, operands: readonly (readonly SetItem[])[]): string {
  if (operands.length === 1) return `[${neg ? '^' : ''}${emitItems(operands[0])}]`;
  return `[${neg ? '^' : ''}${operands.map((u) => `[${emitItems(u)}]`).join('&&')}]`;
}

// ------------------------------------------------------------ predefined classes (ASCII, as Java without UNICODE_CHARACTER_CLASS)

const DIGIT = [range(0x30, 0x39)];
const SPACE = [range(0x09, 0x0d), cpItem(0x20)];
const WORD = [range(0x61, 0x7a), range(0x41, 0x5a), range(0x30, 0x39), cpItem(0x5f)];
const HSPACE = [cpItem(0x20), cpItem(0x09), cpItem(0xa0), cpItem(0x1680), cpItem(0x180e), range(0x2000, 0x200a), cpItem(0x202f), cpItem(0x205f), cpItem(0x3000)];
const VSPACE = [range(0x0a, 0x0d), cpItem(0x85), cpItem(0x2028), cpItem(0x2029)];

const POSIX: Readonly<Record<string, readonly SetItem[]>> = {
  Lower: [range(0x61, 0x7a)],
  Upper: [range(0x41, 0x5a)],
  ASCII: [range(0x00, 0x7f)],
  Alpha: [range(0x61, 0x7a), range(0x41, 0x5a)],
  Digit: DIGIT,
  Alnum: [range(0x61, 0x7a), range(0x41, 0x5a), range(0x30, 0x39)],
  Punct: [range(0x21, 0x2f), range(0x3a, 0x40), range(0x5b, 0x60), range(0x7b, 0x7e)],
  Graph: [range(0x21, 0x7e)],
  Print: [range(0x20, 0x7e)],
  Blank: [cpItem(0x20), cpItem(0x09)],
  Cntrl: [range(0x00, 0x1f), cpItem(0x7f)],
  XDigit: [range(0x30, 0x39), range(0x61, 0x66), range(0x41, 0x46)],
  Space: SPACE,
};

const CATEGORIES = new Set(['Cn', 'Lu', 'Ll', 'Lt', 'Lm', 'Lo', 'Mn', 'Me', 'Mc', 'Nd', 'Nl', 'No', 'Zs', 'Zl', 'Zp', 'Cc', 'Cf', 'Co', 'Cs', 'Pd', 'Ps', 'Pe', 'Pc', 'Po', 'Sm', 'Sc', 'Sk', 'So', 'Pi', 'Pf', 'L', 'M', 'N', 'Z', 'C', 'P', 'S', 'LC']);

const JAVA_PROPS: Readonly<Record<string, readonly SetItem[]>> = {
  javaLowerCase: [src('\\p{Lowercase}')],
  javaUpperCase: [src('\\p{Uppercase}')],
  javaAlphabetic: [src('\\p{Alphabetic}')],
  javaIdeographic: [src('\\p{Ideographic}')],
  javaTitleCase: [src('\\p{Lt}')],
  javaDigit: [src('\\p{Nd}')],
  javaDefined: [src('\\P{Cn}')],
  javaLetter: [src('\\p{L}')],
  javaLetterOrDigit: [src('\\p{L}'), src('\\p{Nd}')],
  javaSpaceChar: [src('\\p{Z}')],
  javaWhitespace: [range(0x09, 0x0d), range(0x1c, 0x20), cpItem(0x1680), range(0x2000, 0x2006), range(0x2008, 0x200a), cpItem(0x2028), cpItem(0x2029), cpItem(0x205f), cpItem(0x3000)],
  javaISOControl: [range(0x00, 0x1f), range(0x7f, 0x9f)],
  javaMirrored: [src('\\p{Bidi_Mirrored}')],
};

/** Java's binary Unicode properties (`\p{IsAlphabetic}`), keyed in upper case without underscores. */
const BINARY_PROPS: Readonly<Record<string, readonly SetItem[]>> = {
  ALPHABETIC: [src('\\p{Alphabetic}')],
  ASSIGNED: [src('\\P{Cn}')],
  CONTROL: [src('\\p{Cc}')],
  HEXDIGIT: [src('\\p{Hex_Digit}')],
  IDEOGRAPHIC: [src('\\p{Ideographic}')],
  JOINCONTROL: [src('\\p{Join_Control}')],
  LETTER: [src('\\p{L}')],
  LOWERCASE: [src('\\p{Lowercase}')],
  NONCHARACTERCODEPOINT: [src('\\p{Noncharacter_Code_Point}')],
  TITLECASE: [src('\\p{Lt}')],
  PUNCTUATION: [src('\\p{P}')],
  UPPERCASE: [src('\\p{Uppercase}')],
  WHITESPACE: [src('\\p{White_Space}')],
  DIGIT: [src('\\p{Nd}')],
  EMOJI: [src('\\p{Emoji}')],
  EMOJIPRESENTATION: [src('\\p{Emoji_Presentation}')],
  EMOJIMODIFIER: [src('\\p{Emoji_Modifier}')],
  EMOJIMODIFIERBASE: [src('\\p{Emoji_Modifier_Base}')],
  EMOJICOMPONENT: [src('\\p{Emoji_Component}')],
  EXTENDEDPICTOGRAPHIC: [src('\\p{Extended_Pictographic}')],
  WORD: [src('\\p{Alphabetic}'), src('\\p{M}'), src('\\p{Nd}'), src('\\p{Pc}'), src('\\p{Join_Control}')],
  ALNUM: [src('\\p{Alphabetic}'), src('\\p{Nd}')],
  BLANK: [src('\\p{Zs}'), cpItem(0x09)],
};

/** Properties whose meaning changes under CASE_INSENSITIVE in Java: not translated under ASCII (?i). */
const CASE_SENSITIVE_PROPS = new Set(['Lower', 'Upper', 'Lu', 'Ll', 'Lt', 'LC', 'javaLowerCase', 'javaUpperCase', 'javaTitleCase', 'IsLOWERCASE', 'IsUPPERCASE', 'IsTITLECASE']);

const scriptCache = new Map<string, string | null>();

/** The JS script name for a Java script name (Java matches them case-insensitively), or null. */
function jsScript(name: string): string | null {
  const key = name.toUpperCase();
  const hit = scriptCache.get(key);
  if (hit !== undefined) return hit;
  const words = name.split('_');
  const candidates = [name, words.map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()).join('_'), name.charAt(0).toUpperCase() + name.slice(1).toLowerCase()];
  let found: string | null = null;
  for (const c of candidates) {
    if (!/^[A-Za-z_]+$/.test(c)) continue;
    try { new RegExp(`\\p{Script=${c}}`, 'v'); found = c; break; } catch { /* next */ }
  }
  scriptCache.set(key, found);
  return found;
}

function isLineTerm(c: string | undefined): boolean {
  return c === '\n' || c === '\r' || c === '\u0085' || c === '\u2028' || c === '\u2029';
}

function isJavaSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\x0B' || c === '\f' || c === '\r';
}

/**
 * `\Q…\E` quoted as Java's RemoveQEQuoting does: letters and digits stay,
 * other ASCII characters get a backslash, the rest stays.
 */
function removeQuoting(p: string): string {
  if (!p.includes('\\Q')) return p;
  let out = '';
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    if (c === '\\' && p[i + 1] === 'Q') {
      i += 2;
      while (i < p.length && !(p[i] === '\\' && p[i + 1] === 'E')) {
        const q = p.codePointAt(i)!;
        const ch = String.fromCodePoint(q);
        if (isAlnum(q)) out += ch;
        else if (q !== 0 && q < 0x80) out += '\\' + ch;
        else out += ch;
        i += ch.length;
      }
      if (i < p.length) i += 2; // \E
      continue;
    }
    if (c === '\\' && i + 1 < p.length) { out += c + p[i + 1]; i += 2; continue; }
    out += c;
    i++;
  }
  return out;
}

class Translator {
  private i = 0;
  private readonly p: string;
  private groups = 0;
  private helpers = 0;
  private readonly names = new Map<string, number>();
  private notRe2: string | null = null;
  private lookbehind = 0;
  /** The whole pattern is case-insensitive with Unicode case (the JS `i` flag). */
  private unicodeCi = false;

  constructor(private readonly original: string) {
    this.p = removeQuoting(original);
  }

  private fail(reason: string, at = this.i): never {
    throw new RegexSyntaxError('INVALID_REGEX', reason, this.original, at);
  }

  private unsupported(reason: string, at = this.i): never {
    throw new RegexSyntaxError('UNSUPPORTED_REGEX', reason, this.original, at);
  }

  private noRe2(why: string): void {
    this.notRe2 ??= why;
  }

  run(): JavaRegex {
    const flags: Flags = { i: false, d: false, m: false, s: false, u: false, x: false };
    const lead = /^\(\?([idmsux]*)\)/.exec(this.p);
    if (lead && lead[1].includes('i') && lead[1].includes('u')) this.unicodeCi = true;
    const body = this.alternation(flags);
    if (this.i < this.p.length) this.fail("Unmatched closing ')'");
    const total = this.groups;
    const source = body.replace(/\u0000(\d+)\u0000/g, (_m, n: string) => (Number(n) <= total ? `\\k<${jsGroupName(Number(n))}>` : '(?!)'));
    try {
      new RegExp(source, this.unicodeCi ? 'vi' : 'v');
    } catch (e) {
      throw new RegexSyntaxError('UNSUPPORTED_REGEX', `the translated pattern is not valid JavaScript (${(e as Error).message})`, this.original, 0);
    }
    return { pattern: this.original, source, flags: this.unicodeCi ? 'vi' : 'v', groupCount: total, groupNames: this.names, notRe2: this.notRe2 };
  }

  // ------------------------------------------------------------ reading

  /** Skips whitespace and #-comments under COMMENTS (as Java's peek does). */
  private skip(flags: Flags): void {
    if (!flags.x) return;
    for (;;) {
      const c = this.p[this.i];
      if (isJavaSpace(c)) { this.i++; continue; }
      if (c === '#') {
        while (this.i < this.p.length && !isLineTerm(this.p[this.i])) this.i++;
        continue;
      }
      return;
    }
  }

  private peek(flags: Flags): string | undefined {
    this.skip(flags);
    return this.p[this.i];
  }

  private readCp(): number {
    const cp = this.p.codePointAt(this.i)!;
    this.i += cp > 0xffff ? 2 : 1;
    return cp;
  }

  private checkCase(flags: Flags): void {
    if (this.unicodeCi && !(flags.i && flags.u)) this.unsupported('case-insensitive matching (?iu) that does not cover the whole pattern');
    if (!this.unicodeCi && flags.i && flags.u) this.unsupported('Unicode case-insensitive matching (?iu) that does not start the pattern');
  }

  /** ASCII case folding applies (Java CASE_INSENSITIVE without UNICODE_CASE). */
  private asciiCi(flags: Flags): boolean {
    return flags.i && !this.unicodeCi;
  }

  // ------------------------------------------------------------ structure

  private alternation(flags: Flags): string {
    const alts = [this.sequence(flags)];
    while (this.peek(flags) === '|') {
      this.i++;
      alts.push(this.sequence(flags));
    }
    return alts.join('|');
  }

  private sequence(flags: Flags): string {
    let out = '';
    for (;;) {
      const c = this.peek(flags);
      if (c === undefined || c === '|' || c === ')') return out;
      let atom: Piece | null;
      switch (c) {
        case '(':
          atom = this.group(flags);
          if (atom === null) continue; // pure flag group: no quantifier
          break;
        case '[': {
          const cls = this.clazz(flags);
          atom = { kind: 'src', src: cls };
          break;
        }
        case '\\':
          atom = this.escape(flags, false);
          break;
        case '.':
          this.i++;
          atom = { kind: 'src', src: flags.s ? '[\\s\\S]' : flags.d ? '[^\\n]' : '[^\\n\\r\\u{85}\\u{2028}\\u{2029}]' };
          break;
        case '^':
          this.i++;
          atom = { kind: 'src', assertion: true, src: !flags.m ? '^' : flags.d ? '(?<![^\\n])(?=[\\s\\S])' : '(?<![^\\n\\r\\u{85}\\u{2028}\\u{2029}])(?!(?<=\\r)\\n)(?=[\\s\\S])' };
          break;
        case '$':
          this.i++;
          atom = { kind: 'src', assertion: true, src: dollar(flags.m, flags.d) };
          break;
        case '*': case '+': case '?':
          this.fail(`Dangling meta character '${c}'`);
          break;
        case '{':
          if (!/[0-9]/.test(this.p[this.i + 1] ?? '')) this.fail('Illegal repetition');
          atom = { kind: 'src', src: '(?:)' };
          break;
        default:
          atom = { kind: 'char', cp: this.readCp() };
      }
      this.checkCase(flags);
      out += this.quantified(this.pieceSrc(atom, flags), atom, flags);
    }
  }

  /** The JS source of a piece outside a class. */
  private pieceSrc(p: Piece, flags: Flags): string {
    if (p.kind === 'src') return p.src;
    if (p.kind === 'set') return p.neg ? `[^${emitItems(p.items)}]` : emitClass(false, [p.items]);
    const cp = p.cp;
    if (this.asciiCi(flags) && ((cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a))) {
      const l = cp | 0x20;
      return `[${String.fromCharCode(l)}${String.fromCharCode(l - 32)}]`;
    }
    return lit(cp);
  }

  private quantified(atom: string, piece: Piece, flags: Flags): string {
    const c = this.peek(flags);
    let q: string;
    let unbounded = false;
    if (c === '*' || c === '+' || c === '?') {
      this.i++;
      q = c;
      unbounded = c !== '?';
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.p.slice(this.i));
      if (!/[0-9]/.test(this.p[this.i + 1] ?? '')) this.fail('Illegal repetition');
      if (!m) this.fail('Unclosed counted closure');
      const lo = Number(m[1]);
      const hi = m[2] === undefined ? lo : m[3] === '' ? Infinity : Number(m[3]);
      if (lo > 2147483647 || (hi !== Infinity && hi > 2147483647)) this.fail('Illegal repetition range');
      if (hi < lo) this.fail('Illegal repetition range');
      this.i += m[0].length;
      q = m[2] === undefined ? `{${lo}}` : hi === Infinity ? `{${lo},}` : `{${lo},${hi}}`;
      unbounded = hi === Infinity;
    } else return atom;
    if (this.lookbehind > 0 && unbounded) this.fail('Look-behind group does not have an obvious maximum length');
    const base = (piece.kind === 'src' && piece.assertion) || !isSingleAtom(atom) ? `(?:${atom})` : atom;
    const mod = this.p[this.i];
    if (mod === '?') { this.i++; return `${base}${q}?`; }
    if (mod === '+') { this.i++; return this.atomic(`${base}${q}`); }
    return `${base}${q}`;
  }

  private atomic(inner: string): string {
    if (this.lookbehind > 0) this.unsupported('an atomic group or possessive quantifier inside a lookbehind');
    this.noRe2('atomic groups and possessive quantifiers');
    const name = `h${++this.helpers}`;
    return `(?:(?=(?<${name}>${inner}))\\k<${name}>)`;
  }

  /** A group; null for a pure flag group `(?i)`. */
  private group(flags: Flags): Piece | null {
    const start = this.i;
    this.i++; // (
    const inner = (f: Flags): string => {
      const body = this.alternation(f);
      if (this.p[this.i] !== ')') this.fail('Unclosed group', start);
      this.i++;
      return body;
    };
    if (this.p[this.i] !== '?') {
      const n = ++this.groups;
      return { kind: 'src', src: `(?<${jsGroupName(n)}>${inner({ ...flags })})` };
    }
    this.i++;
    const c = this.p[this.i];
    if (c === ':') { this.i++; return { kind: 'src', src: `(?:${inner({ ...flags })})` }; }
    if (c === '=' || c === '!') {
      this.i++;
      this.noRe2('lookaround assertions');
      return { kind: 'src', assertion: true, src: `(?${c}${inner({ ...flags })})` };
    }
    if (c === '>') {
      this.i++;
      return { kind: 'src', src: this.atomic(inner({ ...flags })) };
    }
    if (c === '<') {
      const d = this.p[this.i + 1];
      if (d === '=' || d === '!') {
        this.i += 2;
        this.noRe2('lookaround assertions');
        this.lookbehind++;
        const body = inner({ ...flags });
        this.lookbehind--;
        return { kind: 'src', assertion: true, src: `(?<${d}${body})` };
      }
      this.i++;
      const m = /^([a-zA-Z][a-zA-Z0-9]*)>/.exec(this.p.slice(this.i));
      if (!m) {
        if (!/^[a-zA-Z]/.test(this.p.slice(this.i))) this.fail('capturing group name does not start with a Latin letter');
        this.fail("named capturing group is missing trailing '>'");
      }
      if (this.names.has(m[1])) this.fail(`Named capturing group <${m[1]}> is already defined`);
      this.i += m[0].length;
      const n = ++this.groups;
      this.names.set(m[1], n);
      return { kind: 'src', src: `(?<${jsGroupName(n)}>${inner({ ...flags })})` };
    }
    // inline flags (?idmsux-idmsux) or (?flags:X)
    const f: Flags = { ...flags };
    let on = true;
    for (;;) {
      const ch = this.p[this.i];
      if (ch === ')' ) {
        this.i++;
        Object.assign(flags, f);
        return null;
      }
      if (ch === ':') {
        this.i++;
        return { kind: 'src', src: `(?:${inner(f)})` };
      }
      if (ch === '-' && on) { on = false; this.i++; continue; }
      if (ch === 'U') { if (on) this.unsupported('UNICODE_CHARACTER_CLASS (?U)'); this.i++; continue; }
      if (ch === 'c') { this.i++; continue; } // CANON_EQ: no effect on precomposed text
      if (ch !== undefined && 'idmsux'.includes(ch)) { f[ch as keyof Flags] = on; this.i++; continue; }
      this.fail('Unknown inline modifier');
    }
  }

  // ------------------------------------------------------------ escapes

  /** An escape (the backslash at this.i). Outside a class it may be an anchor or a backreference. */
  private escape(flags: Flags, inClass: boolean): Piece {
    const at = this.i;
    this.i++;
    if (this.i >= this.p.length) this.fail('Unexpected internal error', at);
    const c = this.p[this.i];
    const bad = (): never => this.fail('Illegal/unsupported escape sequence', at);
    const anchor = (s: string): Piece => { if (inClass) bad(); this.i++; return { kind: 'src', assertion: true, src: s }; };
    const set = (items: readonly SetItem[], neg: boolean): Piece => { this.i++; return { kind: 'set', items, neg }; };
    const char = (cp: number): Piece => { this.i++; return { kind: 'char', cp }; };
    switch (c) {
      case '0': {
        this.i++;
        const digits = /^[0-7]{1,3}/.exec(this.p.slice(this.i))?.[0];
        if (!digits) this.fail('Illegal octal escape sequence', at);
        const use = digits.length === 3 && digits[0] > '3' ? digits.slice(0, 2) : digits;
        this.i += use.length;
        return { kind: 'char', cp: parseInt(use, 8) };
      }
      case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9': {
        if (inClass) bad();
        if (this.asciiCi(flags)) this.unsupported('a backreference under ASCII case-insensitive matching (?i)', at);
        if (this.lookbehind > 0) this.fail('Look-behind group does not have an obvious maximum length', at);
        let n = c.charCodeAt(0) - 48;
        this.i++;
        while (/[0-9]/.test(this.p[this.i] ?? '')) {
          const next = n * 10 + (this.p.charCodeAt(this.i) - 48);
          if (next > this.groups) break;
          n = next;
          this.i++;
        }
        this.noRe2('backreferences');
        return { kind: 'src', src: `(?:${REF_MARK}${n}${REF_MARK})` };
      }
      case 'k': {
        if (inClass) bad();
        this.i++;
        const m = /^<([a-zA-Z][a-zA-Z0-9]*)>/.exec(this.p.slice(this.i));
        if (!m) this.fail("\\k is not followed by '<' for named capturing group", at);
        const n = this.names.get(m[1]);
        if (n === undefined) this.fail(`named capturing group <${m[1]}> does not exist`, at);
        if (this.asciiCi(flags)) this.unsupported('a backreference under ASCII case-insensitive matching (?i)', at);
        if (this.lookbehind > 0) this.fail('Look-behind group does not have an obvious maximum length', at);
        this.i += m[0].length;
        this.noRe2('backreferences');
        return { kind: 'src', src: `\\k<${jsGroupName(n)}>` };
      }
      case 'A': return anchor('^');
      case 'z': return anchor('$');
      case 'Z': return anchor(dollar(false, flags.d));
      case 'b':
        if (this.p[this.i + 1] === '{') this.unsupported('grapheme cluster boundaries \\b{g}', at);
        return anchor('\\b');
      case 'B': return anchor('\\B');
      case 'G': if (inClass) bad(); return this.unsupported('\\G (the end of the previous match)', at);
      case 'X': if (inClass) bad(); return this.unsupported('grapheme clusters \\X', at);
      case 'N': return this.unsupported('named characters \\N{…}', at);
      case 'R': {
        if (inClass) bad();
        this.i++;
        return { kind: 'src', src: this.atomic('\\r\\n|[\\n\\u{B}\\f\\r\\u{85}\\u{2028}\\u{2029}]') };
      }
      case 'd': return set(DIGIT, false);
      case 'D': return set(DIGIT, true);
      case 's': return set(SPACE, false);
      case 'S': return set(SPACE, true);
      case 'w': return set(WORD, false);
      case 'W': return set(WORD, true);
      case 'h': return set(HSPACE, false);
      case 'H': return set(HSPACE, true);
      case 'v': return set(VSPACE, false);
      case 'V': return set(VSPACE, true);
      case 'p': case 'P': return this.property(flags, c === 'P', at);
      case 'a': return char(0x07);
      case 'e': return char(0x1b);
      case 'f': return char(0x0c);
      case 'n': return char(0x0a);
      case 'r': return char(0x0d);
      case 't': return char(0x09);
      case 'c': {
        this.i++;
        if (this.i >= this.p.length) this.fail('Illegal control escape sequence', at);
        return { kind: 'char', cp: this.readCp() ^ 64 };
      }
      case 'x': {
        this.i++;
        const m = /^(?:\{([0-9a-fA-F]+)\}|([0-9a-fA-F]{2}))/.exec(this.p.slice(this.i));
        if (!m) this.fail('Illegal hexadecimal escape sequence', at);
        const cp = parseInt(m[1] ?? m[2], 16);
        if (cp > 0x10ffff) this.fail('Hexadecimal codepoint is too big', at);
        this.i += m[0].length;
        return { kind: 'char', cp };
      }
      case 'u': {
        this.i++;
        const u = (): number => {
          const m = /^[0-9a-fA-F]{4}/.exec(this.p.slice(this.i));
          if (!m) this.fail('Illegal Unicode escape sequence', at);
          this.i += 4;
          return parseInt(m[0], 16);
        };
        let cp = u();
        if (cp >= 0xd800 && cp <= 0xdbff && this.p.startsWith('\\u', this.i)) {
          const save = this.i;
          this.i += 2;
          const lo = /^[0-9a-fA-F]{4}/.test(this.p.slice(this.i)) ? u() : -1;
          if (lo >= 0xdc00 && lo <= 0xdfff) cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          else this.i = save;
        }
        return { kind: 'char', cp };
      }
      default: {
        const cp = this.p.codePointAt(this.i)!;
        if ((cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a)) bad();
        this.i += cp > 0xffff ? 2 : 1;
        return { kind: 'char', cp };
      }
    }
  }

  /** `\p{…}` / `\P{…}` (this.i at the p). */
  private property(flags: Flags, neg: boolean, at: number): Piece {
    this.i++;
    let name: string;
    if (this.p[this.i] === '{') {
      const end = this.p.indexOf('}', this.i);
      if (end < 0) this.fail('Unclosed character family', at);
      name = this.p.slice(this.i + 1, end);
      this.i = end + 1;
    } else {
      if (this.i >= this.p.length) this.fail('Illegal character name escape sequence', at);
      name = String.fromCodePoint(this.readCp());
    }
    if (name === '') this.fail('Empty character family', at);
    if (this.asciiCi(flags) && (CASE_SENSITIVE_PROPS.has(name) || CASE_SENSITIVE_PROPS.has(`Is${name.slice(2).toUpperCase()}`))) {
      this.unsupported(`the case-sensitive property \\p{${name}} under case-insensitive matching`, at);
    }
    const items = this.propertyItems(name, at);
    return { kind: 'set', items, neg };
  }

  private propertyItems(name: string, at: number): readonly SetItem[] {
    const eq = name.indexOf('=');
    if (eq >= 0) {
      const key = name.slice(0, eq).toLowerCase(), value = name.slice(eq + 1);
      if (key === 'script' || key === 'sc') {
        const s = jsScript(value);
        if (!s) this.fail(`Unknown character script name {${value}}`, at);
        return [src(`\\p{Script=${s}}`)];
      }
      if (key === 'general_category' || key === 'gc') return this.category(value, at) ?? this.fail(`Unknown Unicode property {name=<${key}>, value=<${value}>}`, at);
      if (key === 'block' || key === 'blk') return this.unsupported('Unicode blocks (\\p{block=…})', at);
      return this.fail(`Unknown Unicode property {name=<${key}>, value=<${value}>}`, at);
    }
    if (name.startsWith('In')) return this.unsupported(`Unicode blocks (\\p{${name}})`, at);
    if (name.startsWith('Is')) {
      const rest = name.slice(2);
      const bin = BINARY_PROPS[rest.toUpperCase().replace(/_/g, '')];
      if (bin) return bin;
      const other = this.namedProperty(rest, at);
      if (other) return other;
      const s = jsScript(rest);
      if (s) return [src(`\\p{Script=${s}}`)];
      return this.fail(`Unknown character property name {${name}}`, at);
    }
    return this.namedProperty(name, at) ?? this.fail(`Unknown character property name {${name}}`, at);
  }

  private category(name: string, _at: number): readonly SetItem[] | null {
    if (CATEGORIES.has(name)) return [src(`\\p{${name}}`)];
    if (name === 'LD') return [src('\\p{L}'), src('\\p{Nd}')];
    if (name === 'L1') return [range(0, 0xff)];
    if (name === 'all') return [range(0, 0x10ffff)];
    return null;
  }

  private namedProperty(name: string, at: number): readonly SetItem[] | null {
    const cat = this.category(name, at);
    if (cat) return cat;
    if (POSIX[name]) return POSIX[name];
    if (JAVA_PROPS[name]) return JAVA_PROPS[name];
    if (name.startsWith('java')) this.unsupported(`the property \\p{${name}}`, at);
    return null;
  }

  // ------------------------------------------------------------ classes

  /** A character class `[…]` (this.i at the `[`), as JS `v`-mode source. */
  private clazz(flags: Flags): string {
    const start = this.i;
    this.i++;
    let neg = false;
    if (this.p[this.i] === '^') { neg = true; this.i++; }
    const operands: SetItem[][] = [];
    let union: SetItem[] = [];
    let any = false;
    for (;;) {
      const c = this.peek(flags);
      if (c === undefined) this.fail('Unclosed character class', start);
      if (c === '[') {
        union.push(src(this.clazz(flags)));
        any = true;
        continue;
      }
      if (c === '&' && this.p[this.i + 1] === '&') {
        this.i += 2;
        if (union.length) operands.push(union);
        union = [];
        any = true;
        continue;
      }
      if (c === ']' && any) {
        this.i++;
        if (union.length) operands.push(union);
        if (operands.length === 0) this.fail('Bad class syntax', start);
        return emitClass(neg, operands);
      }
      union.push(...this.classItem(flags));
      any = true;
    }
  }

  /** One item of a class: a character, a range or a predefined set (Java's range()). */
  private classItem(flags: Flags): SetItem[] {
    let cp: number;
    if (this.p[this.i] === '\\') {
      const piece = this.escape(flags, true);
      if (piece.kind === 'set') return piece.neg ? [src(`[^${emitItems(piece.items)}]`)] : [...piece.items];
      if (piece.kind !== 'char') this.fail('Illegal/unsupported escape sequence');
      cp = piece.cp;
    } else cp = this.readCp();
    if (this.peek(flags) === '-') {
      const after = this.p[this.i + 1];
      if (after !== '[' && after !== ']' && after !== undefined) {
        this.i++;
        this.skip(flags);
        let hi: number;
        if (this.p[this.i] === '\\') {
          const piece = this.escape(flags, true);
          if (piece.kind !== 'char') this.fail('Illegal character range');
          hi = piece.cp;
        } else hi = this.readCp();
        if (hi < cp) this.fail('Illegal character range');
        return this.ciItems(range(cp, hi), flags);
      }
    }
    return this.ciItems(cpItem(cp), flags);
  }

  /** A class item with its ASCII case counterparts under (?i). */
  private ciItems(it: SetItem, flags: Flags): SetItem[] {
    if (!this.asciiCi(flags) || it.k === 'src') return [it];
    const a = it.k === 'cp' ? it.cp : it.a, b = it.k === 'cp' ? it.cp : it.b;
    const out: SetItem[] = [it];
    const lo = Math.max(a, 0x61), hi = Math.min(b, 0x7a);
    if (lo <= hi) out.push(range(lo - 32, hi - 32));
    const lo2 = Math.max(a, 0x41), hi2 = Math.min(b, 0x5a);
    if (lo2 <= hi2) out.push(range(lo2 + 32, hi2 + 32));
    return out;
  }
}

/** Java's `$`: multiline or not, UNIX_LINES or not. */
function dollar(multiline: boolean, unixLines: boolean): string {
  if (unixLines) return multiline ? '(?=\\n|$)' : '(?=\\n?$)';
  if (multiline) return '(?=[\\n\\r\\u{85}\\u{2028}\\u{2029}]|$)(?!(?<=\\r)\\n)';
  return '(?=(?:\\r\\n|(?<!\\r)\\n|[\\r\\u{85}\\u{2028}\\u{2029}])?$)';
}

/** Whether JS source is one quantifiable atom: a character, an escape, a class or one group. */
function isSingleAtom(s: string): boolean {
  if (/^(?:[A-Za-z0-9_]|\\u\{[0-9A-F]+\}|\\k<[a-z0-9]+>)$/.test(s)) return true;
  const open = s[0];
  if (open !== '(' && open !== '[') return false;
  const close = open === '(' ? ')' : ']';
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') { i++; continue; }
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') {
      depth--;
      if (depth === 0 && i !== s.length - 1) return false;
    }
  }
  return s[s.length - 1] === close && depth === 0;
}

const cache = new Map<string, JavaRegex | RegexSyntaxError>();
const CACHE_LIMIT = 512;

/** Translates a Java pattern (cached); throws RegexSyntaxError. */
export function translateJavaRegex(pattern: string): JavaRegex {
  let hit = cache.get(pattern);
  if (hit === undefined) {
    try { hit = new Translator(pattern).run(); } catch (e) {
      if (!(e instanceof RegexSyntaxError)) throw e;
      hit = e;
    }
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(pattern, hit);
  }
  if (hit instanceof RegexSyntaxError) throw hit;
  return hit;
}

/** The Java pattern's translation, or its error (no throw). */
export function checkJavaRegex(pattern: string): RegexSyntaxError | null {
  try { translateJavaRegex(pattern); return null; } catch (e) {
    if (e instanceof RegexSyntaxError) return e;
    throw e;
  }
}
