/**
 * The string builders of the TypeScript API: each builds the IR the SQL
 * reader builds for the same Spark SQL, and a pipeline written with them runs
 * with Spark's semantics (pseudonymisation with sha2, padding, regex
 * extraction, splitting), failing in ANSI mode with a coded error that names
 * the function and the table.
 */
import { describe, expect, it } from 'vitest';
import { col, lit, rowsSource, trim, upper } from '../../engine/expr/builder.js';
import type { Expr } from '../../engine/expr/builder.js';
import {
  ascii, base64, bitLength, btrim, chr, concat, concatWs, contains, endswith, formatNumber, hex, ilike, initcap, instr, left, levenshtein, like,
  locate, lpad, ltrim, md5, octetLength, regexpCount, regexpExtract, regexpExtractAll, regexpInstr, regexpLike, regexpReplace, regexpSubstr,
  repeat, replace, reverse, right, rlike, rpad, rtrim, sha1, sha2, soundex, space, split, splitPart, startswith, substr, substring, substringIndex, translate,
} from '../../engine/index.js';
import { parseExpression } from '../../engine/parse/expr-parser.js';
import { definePipeline, materializedView } from '../../engine/dataset.js';
import { runPipeline } from '../../engine/testing.js';

const s = col('s');

const pairs: [Expr, string][] = [
  [concat(s, '-', col('t')), "concat(s, '-', t)"],
  [concatWs(',', s, col('t')), "concat_ws(',', s, t)"],
  [substring(s, 2), 'substring(s, 2)'],
  [substr(s, 2, 3), 'substring(s, 2, 3)'],
  [left(s, 3), 'left(s, 3)'],
  [right(s, 3), 'right(s, 3)'],
  [initcap(s), 'initcap(s)'],
  [trim(s, 'x'), "trim(BOTH 'x' FROM s)"],
  [ltrim(s, 'x'), "trim(LEADING 'x' FROM s)"],
  [rtrim(s, 'x'), "rtrim('x', s)"],
  [btrim(s), 'btrim(s)'],
  [octetLength(s), 'octet_length(s)'],
  [bitLength(s), 'bit_length(s)'],
  [lpad(s, 5, '0'), "lpad(s, 5, '0')"],
  [rpad(s, 5), 'rpad(s, 5)'],
  [repeat(s, 2), 'repeat(s, 2)'],
  [space(3), 'space(3)'],
  [reverse(s), 'reverse(s)'],
  [replace(s, 'a'), "replace(s, 'a')"],
  [translate(s, 'ab', 'xy'), "translate(s, 'ab', 'xy')"],
  [instr(s, 'a'), "instr(s, 'a')"],
  [locate('a', s, 2), "locate('a', s, 2)"],
  [startswith(s, 'a'), "startswith(s, 'a')"],
  [endswith(s, 'a'), "endswith(s, 'a')"],
  [contains(s, 'a'), "contains(s, 'a')"],
  [splitPart(s, '.', 1), "split_part(s, '.', 1)"],
  [substringIndex(s, '.', -1), "substring_index(s, '.', -1)"],
  [split(s, ',', 2), "split(s, ',', 2)"],
  [rlike(s, '^a'), "s RLIKE '^a'"],
  [regexpLike(s, '^a'), "s RLIKE '^a'"],
  [regexpReplace(s, '(\\d+)', '#'), String.raw`regexp_replace(s, '(\\d+)', '#')`],
  [regexpExtract(s, '(\\d+)', 1), String.raw`regexp_extract(s, '(\\d+)', 1)`],
  [regexpExtractAll(s, '(\\d+)'), String.raw`regexp_extract_all(s, '(\\d+)')`],
  [regexpCount(s, 'a'), "regexp_count(s, 'a')"],
  [regexpSubstr(s, 'a+'), "regexp_substr(s, 'a+')"],
  [regexpInstr(s, 'a+'), "regexp_instr(s, 'a+')"],
  [like(s, 'a%'), "s LIKE 'a%'"],
  [like(s, 'a/%%', '/'), "s LIKE 'a/%%' ESCAPE '/'"],
  [ilike(s, 'A%'), "s ILIKE 'A%'"],
  [ascii(s), 'ascii(s)'],
  [chr(65), 'chr(65)'],
  [base64(s), 'base64(s)'],
  [hex(s), 'hex(s)'],
  [md5(s), 'md5(s)'],
  [sha1(s), 'sha1(s)'],
  [sha2(s, 256), 'sha2(s, 256)'],
  [soundex(s), 'soundex(s)'],
  [levenshtein(s, 'abc', 2), "levenshtein(s, 'abc', 2)"],
  [formatNumber(col('x'), 2), 'format_number(x, 2)'],
];

describe('string builders', () => {
  for (const [e, sql] of pairs) {
    it(`builds what the SQL reader builds for ${sql}`, () => {
      expect(e.node).toEqual(parseExpression(sql));
    });
  }
});

describe('a pipeline written with the string builders', () => {
  const view = (ansi: boolean) => definePipeline([
    materializedView('patients_clean', {
      query: rowsSource('patients', { mrn: 'string', name: 'string', phone: 'string', note: 'string' }).select({
        patient_key: sha2(col('mrn'), 256),
        name: initcap(trim(col('name'))),
        mrn_padded: lpad(col('mrn'), 8, '0'),
        area: regexpExtract(col('phone'), '^\\((\\d{3})\\)', 1),
        first_word: splitPart(col('note'), ' ', 1),
        tags: split(col('note'), '\\s+'),
        shout: upper(concatWs(' ', col('name'), lit(null))),
      }),
    }),
  ], { ansi });
  const rows = [
    { mrn: '12345', name: '  ada LOVELACE ', phone: '(555) 123-4567', note: 'follow up' },
    { mrn: null, name: 'grace', phone: 'n/a', note: null },
  ];

  it('computes Spark\'s results', async () => {
    const run = await runPipeline(view(false), { rows: { patients: rows } });
    expect(run.failure).toBe(null);
    expect(run.rows('patients_clean')).toEqual([
      { patient_key: '5994471abb01112afcc18159f6cc74b4f511b99806da59b3caf5a9c173cacfc5', name: 'Ada Lovelace', mrn_padded: '00012345', area: '555', first_word: 'follow', tags: ['follow', 'up'], shout: '  ADA LOVELACE ' },
      { patient_key: null, name: 'Grace', mrn_padded: null, area: '', first_word: null, tags: null, shout: 'GRACE' },
    ]);
  });

  it('fails in ANSI mode on a text that is not a number, naming the function and the table', async () => {
    const cut = (ansi: boolean) => definePipeline([
      materializedView('cut', { query: rowsSource('t', { s: 'string', n: 'string' }).select({ v: left(col('s'), col('n')) }) }),
    ], { ansi });
    const p = cut(true);
    const ok = await runPipeline(p, { rows: { t: [{ s: 'abcdef', n: '3' }] } });
    expect(ok.rows('cut')).toEqual([{ v: 'abc' }]);
    const bad = await runPipeline(p, { rows: { t: [{ s: 'abcdef', n: 'three' }] } });
    expect(bad.failure?.code).toBe('CAST_INVALID_INPUT');
    expect(bad.failure?.params).toMatchObject({ function: 'left', table: 'cut' });
    const lenient = await runPipeline(cut(false), { rows: { t: [{ s: 'abcdef', n: 'three' }] } });
    expect(lenient.rows('cut')).toEqual([{ v: null }]);
  });

  it('rejects a malformed regular expression when the pipeline is built, with its code', async () => {
    const p = definePipeline([materializedView('bad', { query: rowsSource('patients', { name: 'string' }).select({ v: rlike(col('name'), 'a(b') }) })]);
    const run = await runPipeline(p, { rows: { patients: rows } }).catch((e: unknown) => e);
    const code = (run as { code?: string; failure?: { code: string } }).code ?? (run as { failure?: { code: string } }).failure?.code;
    expect(code).toBe('INVALID_REGEX');
  });
});
