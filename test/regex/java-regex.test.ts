/**
 * The Java → JavaScript regular-expression translation (engine/regex): each
 * case states what java.util.regex does with the pattern on the input (the
 * first match, or none), so the translation is checked against Java's
 * documented semantics, construct by construct. Also Java's replacement
 * strings and Spark's LIKE rules.
 */
import { describe, expect, it } from 'vitest';
import { jsGroupName, RegexSyntaxError, translateJavaRegex } from '../../engine/regex/java-regex.js';
import { expandReplacement, parseJavaReplacement } from '../../engine/regex/replacement.js';
import { compileLike, LikePatternError } from '../../engine/regex/like.js';

function find(pattern: string, input: string): string | null {
  const t = translateJavaRegex(pattern);
  const m = new RegExp(t.source, t.flags).exec(input);
  return m === null ? null : m[0];
}

/** [pattern, input, the first match as Java finds it (null: none)] */
const matches: [string, string, string | null][] = [
  // literals and quoting
  ['a.c', 'abc', 'abc'],
  ['\\Qa.c\\E', 'abc', null],
  ['\\Qa.c\\E', 'xa.cx', 'a.c'],
  ['\\Qa.c', 'a.c', 'a.c'],
  ['[\\Q]\\E]', ']', ']'],
  ['\\x41\\x{1F600}\\u0042\\0101\\t', 'A😀BA\t', 'A😀BA\t'],
  ['\\uD83D\\uDE00', '😀', '😀'],
  ['\\cA', '\u0001', '\u0001'],
  ['\\.', 'a.b', '.'],
  ['\\@\\#\\ ', '@# ', '@# '],
  ['a}b]', 'a}b]', 'a}b]'],
  // dot and line terminators
  ['.', '\n', null],
  ['.', '\r', null],
  ['.', '\u0085', null],
  ['.', '\u2028', null],
  ['.', '😀', '😀'],
  ['(?s).', '\n', '\n'],
  ['(?d).', '\r', '\r'],
  // anchors
  ['^abc$', 'abc\n', 'abc'],
  ['^abc$', 'abc\r\n', 'abc'],
  ['^abc$', 'abc\u2028', 'abc'],
  ['^abc$', 'abc\n\n', null],
  ['abc$', 'abc\r', 'abc'],
  ['abc\\z', 'abc\n', null],
  ['abc\\Z', 'abc\n', 'abc'],
  ['\\Aabc', 'xabc', null],
  ['(?m)^b', 'a\nb', 'b'],
  ['(?m)^b', 'a\r\nb', 'b'],
  ['(?m)a$', 'a\nb', 'a'],
  ['(?m)a$\\n', 'a\r\nb', null],
  ['(?d)abc$', 'abc\r', null],
  ['(?d)abc$', 'abc\n', 'abc'],
  ['\\bfoo\\b', 'a foo b', 'foo'],
  ['\\Bo', 'foo', 'o'],
  ['^*a', 'a', 'a'],
  // predefined classes are ASCII, as in Java
  ['\\d+', '١٢3', '3'],
  ['\\w+', 'éa_1', 'a_1'],
  ['\\s', '\u00a0', null],
  ['\\s', '\u000b', '\u000b'],
  ['\\h', '\u00a0', '\u00a0'],
  ['\\v', '\u2028', '\u2028'],
  ['\\R', '\r\n', '\r\n'],
  ['\\p{Alpha}+', 'abcé', 'abc'],
  ['\\p{Punct}', 'a!', '!'],
  ['\\p{L}+', 'héllo', 'héllo'],
  ['\\pL', 'é', 'é'],
  ['\\P{L}', 'a1', '1'],
  ['\\p{IsLatin}+', 'aé', 'aé'],
  ['\\p{IsGreek}', 'aω', 'ω'],
  ['\\p{sc=Cyrillic}', 'aж', 'ж'],
  ['\\p{gc=Nd}', 'a5', '5'],
  ['\\p{IsAlphabetic}', '1a', 'a'],
  ['\\p{javaLowerCase}', 'Aa', 'a'],
  ['\\p{javaWhitespace}', 'a\u00a0 ', ' '],
  ['\\p{LD}+', 'a1-', 'a1'],
  // classes
  ['[a-c]+', 'xabcx', 'abc'],
  ['[^a-c]', 'abcd', 'd'],
  ['[]a]', ']', ']'],
  ['[^]a]', ']ab', 'b'],
  ['[a-]', '-', '-'],
  ['[\\d-z]+', '5-z', '5-z'],
  ['[a-z&&[^aeiou]]+', 'xyz', 'xyz'],
  ['[a-z&&[^aeiou]]', 'aeb', 'b'],
  ['[a-z&&[def]]', 'xe', 'e'],
  ['[a[b]]', 'b', 'b'],
  ['[^\\d\\s]', '1 x', 'x'],
  ['[\\p{L}&&[^a-z]]', 'aé', 'é'],
  ['[[:alpha:]]', ':', ':'],
  // groups, quantifiers, lookaround, atomic and possessive
  ['(a)(b)?', 'a', 'a'],
  ['a{2,3}', 'aaaa', 'aaa'],
  ['a{2,}?', 'aaaa', 'aa'],
  ['a*?b', 'aab', 'aab'],
  ['{2}a', 'a', 'a'],
  ['(?=a)a', 'a', 'a'],
  ['(?<=a)b', 'ab', 'b'],
  ['(?<!a)b', 'ab', null],
  ['(?>a+)a', 'aaa', null],
  ['a++a', 'aaa', null],
  ['a*+b', 'aab', 'aab'],
  ['(?<y>\\d{4})-\\k<y>', '2024-2024', '2024-2024'],
  ['(a)\\1', 'aa', 'aa'],
  ['(a)\\12', 'aa2', 'aa2'],
  // inline flags, scoped as in Java
  ['(?i)abc', 'ABC', 'ABC'],
  ['(?i)é', 'É', null],
  ['(?iu)é', 'É', 'É'],
  ['a(?i)b', 'aB', 'aB'],
  ['a(?i:b)c', 'aBC', null],
  ['a(?i:b)c', 'aBc', 'aBc'],
  ['((?i)a)b', 'AB', null],
  ['(?i)[a-c]+', 'ABC', 'ABC'],
  ['(?i)[^a]', 'A', null],
  ['(?x) a b # comment\n c', 'abc', 'abc'],
  ['(?x)a\\ b', 'a b', 'a b'],
  ['(?x)[a b]+', 'a b', 'a'],
];

/** [pattern, code] */
const errors: [string, string][] = [
  ['a**', 'INVALID_REGEX'],
  ['*a', 'INVALID_REGEX'],
  ['a{', 'INVALID_REGEX'],
  ['{abc}', 'INVALID_REGEX'],
  ['x{3,2}', 'INVALID_REGEX'],
  ['(a', 'INVALID_REGEX'],
  ['a)', 'INVALID_REGEX'],
  ['[a', 'INVALID_REGEX'],
  ['[z-a]', 'INVALID_REGEX'],
  ['\\y', 'INVALID_REGEX'],
  ['\\', 'INVALID_REGEX'],
  ['\\x{110000}', 'INVALID_REGEX'],
  ['\\p{Foo}', 'INVALID_REGEX'],
  ['\\p{Latin}', 'INVALID_REGEX'],
  ['(?<1a>x)', 'INVALID_REGEX'],
  ['(?<a>x)(?<a>y)', 'INVALID_REGEX'],
  ['\\k<nope>', 'INVALID_REGEX'],
  ['(?<=a+)b', 'INVALID_REGEX'],
  ['(?q)a', 'INVALID_REGEX'],
  ['[\\b]', 'INVALID_REGEX'],
  ['\\G', 'UNSUPPORTED_REGEX'],
  ['\\X', 'UNSUPPORTED_REGEX'],
  ['\\b{g}', 'UNSUPPORTED_REGEX'],
  ['\\N{LATIN SMALL LETTER A}', 'UNSUPPORTED_REGEX'],
  ['\\p{InGreek}', 'UNSUPPORTED_REGEX'],
  ['\\p{block=Greek}', 'UNSUPPORTED_REGEX'],
  ['(?U)\\w', 'UNSUPPORTED_REGEX'],
  ['a(?iu)b', 'UNSUPPORTED_REGEX'],
  ['(?iu)a(?-i)b', 'UNSUPPORTED_REGEX'],
  ['(?i)(a)\\1', 'UNSUPPORTED_REGEX'],
  ['(?i)\\p{Lower}', 'UNSUPPORTED_REGEX'],
  ['(?<=(?>a))b', 'UNSUPPORTED_REGEX'],
];

describe('Java regular expressions translated to JavaScript', () => {
  for (const [p, s, want] of matches) {
    it(`${JSON.stringify(p)} on ${JSON.stringify(s)} finds ${JSON.stringify(want)}`, () => {
      expect(find(p, s)).toBe(want);
    });
  }
  for (const [p, code] of errors) {
    it(`${JSON.stringify(p)} is ${code}`, () => {
      let err: unknown = null;
      try { translateJavaRegex(p); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(RegexSyntaxError);
      expect((err as RegexSyntaxError).code).toBe(code);
    });
  }

  it('keeps Java group numbers and names through the helper groups of atomic groups', () => {
    const t = translateJavaRegex('(?>(a))(b)(?<c>c)++');
    expect(t.groupCount).toBe(3);
    expect([...t.groupNames]).toEqual([['c', 3]]);
    const m = new RegExp(t.source, t.flags).exec('abc')!;
    expect([1, 2, 3].map((k) => m.groups![jsGroupName(k)])).toEqual(['a', 'b', 'c']);
  });

  it('says which patterns RE2 cannot run', () => {
    expect(translateJavaRegex('(\\d+)-[a-z]').notRe2).toBe(null);
    expect(translateJavaRegex('a(?=b)').notRe2).toMatch(/lookaround/);
    expect(translateJavaRegex('(a)\\1').notRe2).toMatch(/backreferences/);
    expect(translateJavaRegex('a++').notRe2).toMatch(/atomic/);
  });
});

describe('Java replacement strings', () => {
  const re = translateJavaRegex('(?<y>\\d{4})-(\\d{2})');
  const m = new RegExp(re.source, re.flags).exec('on 2024-05')!;
  const expand = (rep: string) => {
    const p = parseJavaReplacement(rep, re);
    return p.ok ? expandReplacement(p.parts, m) : `error: ${p.reason}`;
  };
  it('expands groups by number and name, and escapes', () => {
    expect(expand('$2/$1')).toBe('05/2024');
    expect(expand('${y}!')).toBe('2024!');
    expect(expand('$0')).toBe('2024-05');
    expect(expand('\\$1 \\\\')).toBe('$1 \\');
    expect(expand('$21')).toBe('051');
  });
  it('reports what Java rejects', () => {
    expect(expand('$')).toMatch(/^error: Illegal group reference/);
    expect(expand('$3')).toMatch(/^error: No group 3/);
    expect(expand('${nope}')).toMatch(/^error: No group with name/);
    expect(expand('a\\')).toMatch(/^error: character to be escaped is missing/);
    expect(expand('$x')).toMatch(/^error: Illegal group reference/);
  });
});

describe('LIKE patterns', () => {
  it('compiles to the cheapest exact test', () => {
    expect(compileLike('abc')).toEqual({ kind: 'equals', text: 'abc' });
    expect(compileLike('ab%')).toEqual({ kind: 'prefix', text: 'ab' });
    expect(compileLike('%ab')).toEqual({ kind: 'suffix', text: 'ab' });
    expect(compileLike('%a%%')).toEqual({ kind: 'contains', text: 'a' });
    expect(compileLike('a%b')).toEqual({ kind: 'prefixSuffix', prefix: 'a', suffix: 'b' });
    expect(compileLike('%%')).toEqual({ kind: 'any' });
    expect(compileLike('a\\%%')).toEqual({ kind: 'prefix', text: 'a%' });
    expect(compileLike('a/_%', '/')).toEqual({ kind: 'prefix', text: 'a_' });
    expect(compileLike('a_c').kind).toBe('regex');
  });
  it('matches _ and % over any character, line breaks and astral characters included', () => {
    const re = (p: string) => { const c = compileLike(p); if (c.kind !== 'regex') throw new Error('expected a regex'); return c.re; };
    expect(re('a_c').test('a\nc')).toBe(true);
    expect(re('_').test('😀')).toBe(true);
    expect(re('%b_').test('xxbé')).toBe(true);
    expect(re('a.c_').test('abcd')).toBe(false);
  });
  it("rejects an escape before another character or at the end, as Spark's escapeLikeRegex", () => {
    expect(() => compileLike('a\\b')).toThrow(LikePatternError);
    expect(() => compileLike('ab\\')).toThrow(LikePatternError);
    try { compileLike('a/b', '/'); } catch (e) { expect((e as LikePatternError).reason).toBe('ESC_IN_THE_MIDDLE'); }
    try { compileLike('ab/', '/'); } catch (e) { expect((e as LikePatternError).reason).toBe('ESC_AT_THE_END'); }
    expect(compileLike('a\\\\b')).toEqual({ kind: 'equals', text: 'a\\b' });
  });
});
