import { describe, expect, it } from 'vitest';
import { batchToRows } from '../engine/batch.js';
import type { CsvOptions } from '../engine/ir/plan.js';
import type { Field, Value } from '../engine/ir/types.js';
import { formatDate, formatTimestamp, parseCsv, parseDateDays, parseTimestampUs, type CsvParseResult } from '../engine/sources/csv-parser.js';

const META = { sourceFile: 'input/orders_1.csv', ingestedAtUs: 1_700_000_000_123_456 };

function opts(schema: Field[], o: Partial<CsvOptions> = {}): CsvOptions {
  return {
    glob: '*.csv',
    schema,
    header: true,
    nullMarkers: ['null', 'na', 'n/a', 'nan', 'none'],
    metadataColumns: true,
    fallbackPaths: [],
    schemaEvolutionMode: 'rescue',
    maxFilesPerTrigger: 1000,
    includeExistingFiles: true,
    allowOverwrites: false,
    ...o,
  };
}

/**
 * Parses `text` three ways (as a string, as a UTF-8 buffer, and as the same
 * buffer with a BOM: the in-place ASCII scan and the UTF-16 scan) and checks
 * they agree before returning the string result.
 */
function parse(text: string | Buffer, schema: Field[], o: Partial<CsvOptions> = {}): CsvParseResult {
  const options = opts(schema, o);
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  const a = parseCsv(Buffer.isBuffer(text) ? text.toString('utf8') : text, options, META);
  for (const other of [parseCsv(buf, options, META), parseCsv(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), buf]), options, META)]) {
    expect(batchToRows(other.batch)).toEqual(batchToRows(a.batch));
    expect(other.header).toEqual(a.header);
    expect(other.unknownColumns).toEqual(a.unknownColumns);
  }
  expect(a.records).toBe(a.batch.length);
  return a;
}

function rows(text: string | Buffer, schema: Field[], o: Partial<CsvOptions> = {}): Record<string, Value>[] {
  return batchToRows(parse(text, schema, o).batch);
}

/** An expected bronze row: the declared columns, then the metadata columns. */
function bronze(cols: Record<string, Value>, line: number, rescued: Record<string, string> | string | null = null): Record<string, Value> {
  return {
    ...cols,
    _rescued_data: rescued === null ? null : typeof rescued === 'string' ? rescued : JSON.stringify(rescued),
    _source_file: META.sourceFile,
    _line: line,
    _ingested_at: META.ingestedAtUs,
  };
}

const day = (iso: string): number => Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / 86_400_000;
const us = (iso: string): number => Date.parse(iso) * 1000;

const S = (name: string): Field => ({ name, type: 'string' });
const I = (name: string): Field => ({ name, type: 'int' });
const ID_NAME: Field[] = [I('id'), S('name')];

describe('parseCsv: lines', () => {
  it('parses LF-terminated records with typed columns and metadata', () => {
    const r = parse('id,name,amount\n1,alice,2.5\n2,bob,3\n', [I('id'), S('name'), { name: 'amount', type: 'double' }]);
    expect(r.header).toEqual(['id', 'name', 'amount']);
    expect(r.unknownColumns).toEqual([]);
    expect(r.records).toBe(2);
    expect(r.batch.schema.map((f) => `${f.name}:${f.type}`)).toEqual([
      'id:int', 'name:string', 'amount:double', '_rescued_data:string', '_source_file:string', '_line:long', '_ingested_at:timestamp',
    ]);
    expect(batchToRows(r.batch)).toEqual([
      bronze({ id: 1, name: 'alice', amount: 2.5 }, 2),
      bronze({ id: 2, name: 'bob', amount: 3 }, 3),
    ]);
  });

  it('accepts CRLF line ends, and a last line without terminator', () => {
    expect(rows('id,name\r\n1,alice\r\n2,bob', ID_NAME)).toEqual([
      bronze({ id: 1, name: 'alice' }, 2),
      bronze({ id: 2, name: 'bob' }, 3),
    ]);
    expect(rows('id,name\r\n1,alice\r\n2,\r\n', ID_NAME)).toEqual([
      bronze({ id: 1, name: 'alice' }, 2),
      bronze({ id: 2, name: null }, 3),
    ]);
  });

  it('keeps a lone CR inside quotes as data, and treats a CR before the end of the file as a line end', () => {
    expect(rows('id,name\n1,"a\rb"\n2,"c\r\nd"\r\n3,x\r', ID_NAME)).toEqual([
      bronze({ id: 1, name: 'a\rb' }, 2),
      bronze({ id: 2, name: 'c\r\nd' }, 3),
      bronze({ id: 3, name: 'x' }, 5),
    ]);
  });

  it('skips a UTF-8 BOM', () => {
    const text = '\uFEFFid,name\n1,alice\n';
    for (const input of [text, Buffer.from(text, 'utf8')]) {
      const r = parseCsv(input, opts(ID_NAME), META);
      expect(r.header).toEqual(['id', 'name']);
      expect(r.unknownColumns).toEqual([]);
      expect(batchToRows(r.batch)).toEqual([bronze({ id: 1, name: 'alice' }, 2)]);
    }
  });

  it('skips blank lines (empty or spaces/tabs only) but counts them for line numbers', () => {
    const text = '\n  \nid,name\n\n1,alice\r\n\r\n \t \n2,bob\n\n';
    expect(rows(text, ID_NAME)).toEqual([
      bronze({ id: 1, name: 'alice' }, 5),
      bronze({ id: 2, name: 'bob' }, 8),
    ]);
    expect(parse(text, ID_NAME).header).toEqual(['id', 'name']);
  });

  it('gives no rows and no error for an empty, blank-only or header-only file', () => {
    for (const text of ['', '\n', '  \r\n\n', 'id,name', 'id,name\n', 'id,name\r\n\r\n']) {
      const r = parse(text, ID_NAME);
      expect(r.records).toBe(0);
      expect(batchToRows(r.batch)).toEqual([]);
      expect(r.batch.schema.length).toBe(6);
    }
    expect(parse('', ID_NAME).header).toEqual([]);
    expect(parse('id,name\n', ID_NAME).header).toEqual(['id', 'name']);
    expect(parse('', ID_NAME, { header: false }).records).toBe(0);
  });
});

describe('parseCsv: header', () => {
  it('matches trimmed header names case-insensitively, in any order; missing declared columns are NULL', () => {
    const schema = [I('id'), S('name'), S('city')];
    const r = parse(' NAME ,\tId\n alice , 7 \nbob,8\n', schema);
    expect(r.header).toEqual(['NAME', 'Id']);
    expect(r.unknownColumns).toEqual([]);
    expect(batchToRows(r.batch)).toEqual([
      bronze({ id: 7, name: 'alice', city: null }, 2),
      bronze({ id: 8, name: 'bob', city: null }, 3),
    ]);
  });

  it('rescues columns not in the schema under their trimmed header text and reports them', () => {
    const r = parse('id, Extra Col ,name,note\n1,x,alice,\n2,,bob,hello\n', ID_NAME);
    expect(r.header).toEqual(['id', 'Extra Col', 'name', 'note']);
    expect(r.unknownColumns).toEqual(['Extra Col', 'note']);
    expect(batchToRows(r.batch)).toEqual([
      bronze({ id: 1, name: 'alice' }, 2, { 'Extra Col': 'x' }),
      bronze({ id: 2, name: 'bob' }, 3, { note: 'hello' }),
    ]);
  });

  it('lets the first occurrence of a repeated header name win and rescues the later ones', () => {
    const r = parse('id,name,ID,name\n1,alice,2,bob\n3,carol,,\n', ID_NAME);
    expect(r.unknownColumns).toEqual([]);
    expect(batchToRows(r.batch)).toEqual([
      bronze({ id: 1, name: 'alice' }, 2, { ID: '2', name: 'bob' }),
      bronze({ id: 3, name: 'carol' }, 3),
    ]);
  });

  it('rescues a repeated name as _c<i> when its key is already taken in that row', () => {
    // The failed conversion of `id` is rescued as "id"; the second `id` column then uses its field index.
    expect(rows('id,id\nx,5\n', [I('id')])).toEqual([bronze({ id: null }, 2, { id: 'x', _c1: '5' })]);
  });

  it('names an empty header cell _c<i>', () => {
    const r = parse('id,,name\n1,z,alice\n', ID_NAME);
    expect(r.header).toEqual(['id', '', 'name']);
    expect(r.unknownColumns).toEqual([]);
    expect(batchToRows(r.batch)).toEqual([bronze({ id: 1, name: 'alice' }, 2, { _c1: 'z' })]);
  });

  it('reads quoted header names (trimmed, with commas and escaped quotes)', () => {
    const r = parse('" id ","the ""name"", full"\n1,alice\n', [I('id'), S('the "name", full')]);
    expect(r.header).toEqual(['id', 'the "name", full']);
    expect(batchToRows(r.batch)).toEqual([bronze({ id: 1, 'the "name", full': 'alice' }, 2)]);
  });

  it('maps fields by position without a header; fields beyond the schema are rescued as _c<i>', () => {
    const r = parse('1,alice,x,,y\n2\n', ID_NAME, { header: false });
    expect(r.header).toEqual([]);
    expect(r.unknownColumns).toEqual([]);
    expect(batchToRows(r.batch)).toEqual([
      bronze({ id: 1, name: 'alice' }, 1, { _c2: 'x', _c4: 'y' }),
      bronze({ id: 2, name: null }, 2),
    ]);
  });

  it('keeps rows with too few or too many fields (extras beyond the header are _c<i>)', () => {
    expect(rows('id,name\n1\n2,bob,extra, more \n3,carol,\n', ID_NAME)).toEqual([
      bronze({ id: 1, name: null }, 2),
      bronze({ id: 2, name: 'bob' }, 3, { _c2: 'extra', _c3: 'more' }),
      bronze({ id: 3, name: 'carol' }, 4),
    ]);
  });
});

describe('parseCsv: values, NULLs and quoting', () => {
  it('trims ASCII spaces and tabs around values, quoted content included', () => {
    expect(rows('id,name\n \t1\t , alice smith \n2,"  bob  "\n3,  "  x y " \n', ID_NAME)).toEqual([
      bronze({ id: 1, name: 'alice smith' }, 2),
      bronze({ id: 2, name: 'bob' }, 3),
      bronze({ id: 3, name: 'x y' }, 4),
    ]);
  });

  it('reads empty values, quoted empty values and null markers (case-insensitive) as NULL', () => {
    const schema = [I('id'), S('a'), S('b'), { name: 'c', type: 'double' } as Field, S('d')];
    expect(rows('id,a,b,c,d\n1,,"",NaN,N/A\n2, NULL ,"none",nan,na\n3,Null,"  ",-,nA/\n', schema)).toEqual([
      bronze({ id: 1, a: null, b: null, c: null, d: null }, 2),
      bronze({ id: 2, a: null, b: null, c: null, d: null }, 3),
      bronze({ id: 3, a: null, b: null, c: null, d: 'nA/' }, 4, { c: '-' }),
    ]);
  });

  it('uses the configured null markers only', () => {
    expect(rows('id,name\n1,null\n2,MISSING\n-,x\n', ID_NAME, { nullMarkers: ['missing', '-'] })).toEqual([
      bronze({ id: 1, name: 'null' }, 2),
      bronze({ id: 2, name: null }, 3),
      bronze({ id: null, name: 'x' }, 4),
    ]);
    expect(rows('id,name\n1,null\n', ID_NAME, { nullMarkers: [] })).toEqual([bronze({ id: 1, name: 'null' }, 2)]);
  });

  it('does not rescue NULL values of unknown or extra fields', () => {
    expect(rows('id,name,extra\n1,a,N/A,,null, \n2,b,,x\n', ID_NAME)).toEqual([
      bronze({ id: 1, name: 'a' }, 2),
      bronze({ id: 2, name: 'b' }, 3, { _c3: 'x' }),
    ]);
  });

  it('reads quoted fields: commas and newlines are data, "" is a quote, a quote inside a value is literal', () => {
    const text = 'id,name\n1,"a,b"\n2,"line1\nline2"\n3,"say ""hi"""\n4,ab"c"d\n5, x "y" \n6,""""\n';
    expect(rows(text, ID_NAME)).toEqual([
      bronze({ id: 1, name: 'a,b' }, 2),
      bronze({ id: 2, name: 'line1\nline2' }, 3),
      bronze({ id: 3, name: 'say "hi"' }, 5),
      bronze({ id: 4, name: 'ab"c"d' }, 6),
      bronze({ id: 5, name: 'x "y"' }, 7),
      bronze({ id: 6, name: '"' }, 8),
    ]);
  });

  it('allows spaces and tabs before an opening quote', () => {
    expect(rows('id,name\n1,  "a,b"\n2,\t"c"\n', ID_NAME)).toEqual([
      bronze({ id: 1, name: 'a,b' }, 2),
      bronze({ id: 2, name: 'c' }, 3),
    ]);
  });

  it('appends text after a closing quote literally up to the next comma, then trims', () => {
    expect(rows('id,name\n1,"ab"cd,\n2,"x" y ,\n3,"a"b"c",\n4,"" z\n', ID_NAME)).toEqual([
      bronze({ id: 1, name: 'abcd' }, 2),
      bronze({ id: 2, name: 'x y' }, 3),
      bronze({ id: 3, name: 'ab"c"' }, 4),
      bronze({ id: 4, name: 'z' }, 5),
    ]);
  });

  it('gives a multi-line record the line number of its first line and counts its lines', () => {
    const text = 'id,name,note\n1,"a\nb\n\nc",x\n2,bob,"p\r\nq"\n3,carol,\n';
    expect(rows(text, [I('id'), S('name'), S('note')])).toEqual([
      bronze({ id: 1, name: 'a\nb\n\nc', note: 'x' }, 2),
      bronze({ id: 2, name: 'bob', note: 'p\r\nq' }, 6),
      bronze({ id: 3, name: 'carol', note: null }, 8),
    ]);
  });

  it('converts quoted values to their column type like unquoted ones', () => {
    expect(rows('id,d\n" 12 ","2024-02-29"\n"x","2024-02-30"\n', [I('id'), { name: 'd', type: 'date' }])).toEqual([
      bronze({ id: 12, d: day('2024-02-29') }, 2),
      bronze({ id: null, d: null }, 3, { id: 'x', d: '2024-02-30' }),
    ]);
  });

  it('handles non-ASCII text (UTF-8 buffers are decoded once)', () => {
    const text = 'id,name,ünknown\n1,Zoë Ångström,ß\n2,"日本, 東京",\n3,ＮＵＬＬ,x\n';
    expect(rows(Buffer.from(text, 'utf8'), ID_NAME)).toEqual([
      bronze({ id: 1, name: 'Zoë Ångström' }, 2, { ünknown: 'ß' }),
      bronze({ id: 2, name: '日本, 東京' }, 3),
      bronze({ id: 3, name: 'ＮＵＬＬ' }, 4, { ünknown: 'x' }),
    ]);
    expect(rows('id,name\n1,NÜLL\n', ID_NAME, { nullMarkers: ['nüll'] })).toEqual([bronze({ id: 1, name: null }, 2)]);
  });

  it('builds _rescued_data in field order, mixing failed conversions, unknown columns and extra fields', () => {
    const schema = [I('id'), S('name'), { name: 'amount', type: 'double' } as Field];
    expect(rows('amount,x,id,name\nabc,1,zz,bob,9\n1.5,,2,carol\n', schema)).toEqual([
      bronze({ id: null, name: 'bob', amount: null }, 2, '{"amount":"abc","x":"1","id":"zz","_c4":"9"}'),
      bronze({ id: 2, name: 'carol', amount: 1.5 }, 3),
    ]);
  });

  it('keeps field order in _rescued_data even for integer-like keys, and escapes JSON', () => {
    expect(rows('id,2024,name,1\n1,a,b,"q""\\"\n', ID_NAME)).toEqual([
      bronze({ id: 1, name: 'b' }, 2, '{"2024":"a","1":"q\\"\\\\"}'),
    ]);
    expect(rows('id,zz,name,1\n1,a,b,c\n', ID_NAME)[0]._rescued_data).toBe('{"zz":"a","1":"c"}');
  });

  it('throws only for a programming error: a column type CSV cannot hold', () => {
    expect(() => parseCsv('a\nx\n', opts([{ name: 'a', type: 'array<string>' }]), META)).toThrow(/unsupported type/);
  });

  it('omits the metadata columns when metadataColumns is false', () => {
    const r = parse('id,name,extra\n1,alice,x\nq,bob,\n', ID_NAME, { metadataColumns: false });
    expect(r.batch.schema.map((f) => f.name)).toEqual(['id', 'name']);
    expect(batchToRows(r.batch)).toEqual([{ id: 1, name: 'alice' }, { id: null, name: 'bob' }]);
  });
});

describe('parseCsv: typed columns', () => {
  it('int: [+-]digits within INT32, otherwise NULL and rescued', () => {
    const text = 'v\n42\n+7\n-0\n007\n2147483647\n-2147483648\n2147483648\n-2147483649\n1.0\n1e3\n12a\n+\n- 1\n0x10\n';
    expect(rows(text, [I('v')])).toEqual([
      bronze({ v: 42 }, 2), bronze({ v: 7 }, 3), bronze({ v: 0 }, 4), bronze({ v: 7 }, 5),
      bronze({ v: 2147483647 }, 6), bronze({ v: -2147483648 }, 7),
      bronze({ v: null }, 8, { v: '2147483648' }), bronze({ v: null }, 9, { v: '-2147483649' }),
      bronze({ v: null }, 10, { v: '1.0' }), bronze({ v: null }, 11, { v: '1e3' }), bronze({ v: null }, 12, { v: '12a' }),
      bronze({ v: null }, 13, { v: '+' }), bronze({ v: null }, 14, { v: '- 1' }), bronze({ v: null }, 15, { v: '0x10' }),
    ]);
  });

  it('long: [+-]digits within ±(2^53 − 1)', () => {
    const text = 'v\n9007199254740991\n-9007199254740991\n9007199254740992\n9007199254740993\n-0\n12345678901\n1.5\n';
    expect(rows(text, [{ name: 'v', type: 'long' }])).toEqual([
      bronze({ v: 9007199254740991 }, 2), bronze({ v: -9007199254740991 }, 3),
      bronze({ v: null }, 4, { v: '9007199254740992' }), bronze({ v: null }, 5, { v: '9007199254740993' }),
      bronze({ v: 0 }, 6), bronze({ v: 12345678901 }, 7), bronze({ v: null }, 8, { v: '1.5' }),
    ]);
    expect(Object.is(rows('v\n-0\n', [{ name: 'v', type: 'long' }])[0].v, 0)).toBe(true);
  });

  it('double: JS-style decimals; no Infinity, hex, or overflow', () => {
    const ok = ['1', '-2.5', '+3.25', '.5', '-.5', '1.', '1e3', '2.5E-3', '-1.5e+2', '0.1', '123456789012345678901', '0.30000000000000004'];
    const bad = ['Infinity', '-Infinity', '0x1F', '1e999', '1.2.3', '1e', 'e5', '.', '-', '1 000', '1,5', '1_000', '٣'];
    const text = 'v\n' + ok.join('\n') + '\n' + bad.map((b) => (b.includes(',') ? `"${b}"` : b)).join('\n') + '\n';
    expect(rows(text, [{ name: 'v', type: 'double' }])).toEqual([
      ...ok.map((v, i) => bronze({ v: Number(v) }, i + 2)),
      ...bad.map((v, i) => bronze({ v: null }, ok.length + i + 2, { v })),
    ]);
  });

  it('boolean: true / false, case-insensitive', () => {
    expect(rows('v\ntrue\nFALSE\nTrUe\n1\nyes\nt\n', [{ name: 'v', type: 'boolean' }])).toEqual([
      bronze({ v: true }, 2), bronze({ v: false }, 3), bronze({ v: true }, 4),
      bronze({ v: null }, 5, { v: '1' }), bronze({ v: null }, 6, { v: 'yes' }), bronze({ v: null }, 7, { v: 't' }),
    ]);
  });

  it('date: ISO YYYY-MM-DD that is a real calendar date, as days since epoch', () => {
    const text = 'v\n2024-02-29\n1970-01-01\n1969-12-31\n2000-02-29\n2024-02-30\n2023-02-29\n1900-02-29\n2024-13-01\n2024-04-31\n2024-1-5\n2024/01/05\n2024-01-05T00:00\n';
    expect(rows(text, [{ name: 'v', type: 'date' }])).toEqual([
      bronze({ v: day('2024-02-29') }, 2), bronze({ v: 0 }, 3), bronze({ v: -1 }, 4), bronze({ v: day('2000-02-29') }, 5),
      bronze({ v: null }, 6, { v: '2024-02-30' }), bronze({ v: null }, 7, { v: '2023-02-29' }), bronze({ v: null }, 8, { v: '1900-02-29' }),
      bronze({ v: null }, 9, { v: '2024-13-01' }), bronze({ v: null }, 10, { v: '2024-04-31' }), bronze({ v: null }, 11, { v: '2024-1-5' }),
      bronze({ v: null }, 12, { v: '2024/01/05' }), bronze({ v: null }, 13, { v: '2024-01-05T00:00' }),
    ]);
  });

  it('timestamp: ISO-8601 with optional seconds, fraction and Z / ±HH:MM offset (default UTC); a bare date is midnight', () => {
    const ok: [string, number][] = [
      ['2024-03-10T14:30', us('2024-03-10T14:30:00Z')],
      ['2024-03-10 14:30:15', us('2024-03-10T14:30:15Z')],
      ['2024-03-10T14:30:15.5Z', us('2024-03-10T14:30:15.500Z')],
      ['2024-03-10T14:30:15.123456', us('2024-03-10T14:30:15Z') + 123456],
      ['2024-03-10T14:30:15.1234567', us('2024-03-10T14:30:15Z') + 123456],
      ['2024-03-10T14:30:15+02:00', us('2024-03-10T12:30:15Z')],
      ['2024-03-10T00:30-05:30', us('2024-03-10T06:00:00Z')],
      ['2024-03-10t14:30z', us('2024-03-10T14:30:00Z')],
      ['2024-03-10', us('2024-03-10T00:00:00Z')],
      ['1969-12-31T23:59:59.999999Z', -1],
    ];
    const bad = ['2024-03-10T24:00', '2024-03-10T14:60', '2024-03-10T14:30:60', '2024-03-10T14', '2024-03-10T14:30:1', '2024-03-10T14:30.5',
      '2024-03-10T14:30:15.', '2024-03-10T14:30+0200', '2024-03-10T14:30 Z', '2024-02-30T00:00', '2024-03-10X14:30', '1710081000', 'yesterday'];
    const text = 'v\n' + [...ok.map((o) => o[0]), ...bad].join('\n') + '\n';
    expect(rows(text, [{ name: 'v', type: 'timestamp' }])).toEqual([
      ...ok.map(([, v], i) => bronze({ v }, i + 2)),
      ...bad.map((v, i) => bronze({ v: null }, ok.length + i + 2, { v })),
    ]);
  });

  it('string columns keep the trimmed text as is', () => {
    expect(rows('v\n 12 \n"a"\n\'b\'\n', [S('v')])).toEqual([bronze({ v: '12' }, 2), bronze({ v: 'a' }, 3), bronze({ v: "'b'" }, 4)]);
  });
});

describe('parseCsv: unterminated quotes', () => {
  it('turns the record whose quote never closes into a corrupt row and resumes at its next physical line', () => {
    const text = 'id,name\n1,alice\n2,"bob\n3,carol\n4,dave\n';
    expect(rows(text, ID_NAME)).toEqual([
      bronze({ id: 1, name: 'alice' }, 2),
      bronze({ id: null, name: null }, 3, { _corrupt_record: '2,"bob' }),
      bronze({ id: 3, name: 'carol' }, 4),
      bronze({ id: 4, name: 'dave' }, 5),
    ]);
  });

  it('uses the first physical line of a multi-line record as the corrupt text; re-reading the next lines may hit the open quote again', () => {
    // Record 2 has a valid multi-line field, then a quote that never closes. Resuming at line 3 reaches the same open quote.
    const text = 'id,name,note\r\n1,"a\r\nb","open\r\n2,x,y\r\n';
    expect(rows(text, [I('id'), S('name'), S('note')])).toEqual([
      bronze({ id: null, name: null, note: null }, 2, { _corrupt_record: '1,"a' }),
      bronze({ id: null, name: null, note: null }, 3, { _corrupt_record: 'b","open' }),
      bronze({ id: 2, name: 'x', note: 'y' }, 4),
    ]);
  });

  it('parses the lines after a closing quote normally (a quote opened on one line may close on a later one)', () => {
    expect(rows('id,name\n1,"x\n"y\n2,ok\n', ID_NAME)).toEqual([
      bronze({ id: 1, name: 'x\ny' }, 2),
      bronze({ id: 2, name: 'ok' }, 4),
    ]);
    expect(rows('id,name\n"a\n"b\n"c\n', ID_NAME)).toEqual([
      bronze({ id: null, name: null }, 2, { id: 'a\nb' }),
      bronze({ id: null, name: null }, 4, { _corrupt_record: '"c' }),
    ]);
  });

  it('handles a quote left open on the last line without a line end', () => {
    expect(rows('id,name\n1,a\n2,"b', ID_NAME)).toEqual([
      bronze({ id: 1, name: 'a' }, 2),
      bronze({ id: null, name: null }, 3, { _corrupt_record: '2,"b' }),
    ]);
  });

  it('reads the header from its first physical line when its quote never closes', () => {
    const r = parse('id,"name\n1,alice\n', ID_NAME);
    expect(r.header).toEqual(['id', 'name']);
    expect(batchToRows(r.batch)).toEqual([bronze({ id: 1, name: 'alice' }, 2)]);
  });

  it('pairs up lines whose quotes close on the next line; only an odd last one is corrupt', () => {
    const n = 2001;
    const text = 'id,name\n' + Array.from({ length: n }, (_, i) => `${i},"x`).join('\n') + '\n';
    const r = parse(text, ID_NAME);
    const out = batchToRows(r.batch);
    expect(r.records).toBe(1001);
    expect(out[0]).toEqual(bronze({ id: 0, name: 'x\n1,x' }, 2));
    expect(out[999]).toEqual(bronze({ id: 1998, name: 'x\n1999,x' }, 2000));
    expect(out[1000]).toEqual(bronze({ id: null, name: null }, 2002, { _corrupt_record: '2000,"x' }));
  });
});

describe('value helpers', () => {
  it('parseDateDays / parseTimestampUs', () => {
    expect(parseDateDays('2024-02-29')).toBe(day('2024-02-29'));
    expect(parseDateDays(' 1970-01-02 ')).toBe(1);
    expect(parseDateDays('2023-02-29')).toBeNull();
    expect(parseDateDays('')).toBeNull();
    expect(parseTimestampUs('2024-03-10T14:30:15.25+01:00')).toBe(us('2024-03-10T13:30:15.250Z'));
    expect(parseTimestampUs('2024-03-10')).toBe(us('2024-03-10T00:00:00Z'));
    expect(parseTimestampUs('2024-03-10T25:00')).toBeNull();
  });

  it('formatDate / formatTimestamp (UTC, fraction without trailing zeros)', () => {
    expect(formatDate(0)).toBe('1970-01-01');
    expect(formatDate(day('2024-02-29'))).toBe('2024-02-29');
    expect(formatDate(-1)).toBe('1969-12-31');
    expect(formatTimestamp(us('2024-03-10T14:30:15Z'))).toBe('2024-03-10 14:30:15');
    expect(formatTimestamp(us('2024-03-10T14:30:15.250Z'))).toBe('2024-03-10 14:30:15.25');
    expect(formatTimestamp(us('2024-03-10T14:30:15Z') + 1)).toBe('2024-03-10 14:30:15.000001');
    expect(formatTimestamp(-1)).toBe('1969-12-31 23:59:59.999999');
    for (const t of ['2024-03-10 14:30:15.123456', '1999-12-31 23:59:59', '2000-01-01 00:00:00.5']) expect(formatTimestamp(parseTimestampUs(t)!)).toBe(t);
  });
});

describe('parseCsv: randomized', () => {
  /** Deterministic pseudo-random generator (LCG). */
  function rng(seed: number): () => number {
    let x = seed >>> 0;
    return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  }
  const MARKERS = new Set(['null', 'na', 'n/a', 'nan', 'none']);
  const trimWs = (t: string): string => t.replace(/^[ \t]+|[ \t]+$/g, '');

  /** A plain reference for quote-free text: split lines, drop blank ones, split on commas. */
  function reference(text: string): Record<string, Value>[] {
    const out: Record<string, Value>[] = [];
    const lines = text.split('\n');
    let header: string[] | null = null;
    lines.forEach((raw, k) => {
      const l = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (/^[ \t]*$/.test(l)) return;
      const fields = l.split(',').map(trimWs);
      if (header === null) { header = fields; return; }
      const cols: Record<string, Value> = { id: null, name: null };
      const rescued: [string, string][] = [];
      const seen = new Set<string>();
      fields.forEach((f, i) => {
        const isNull = f === '' || MARKERS.has(f.toLowerCase());
        const h = i < header!.length ? header![i] : null;
        const col = h === null ? null : h.toLowerCase();
        if ((col === 'id' || col === 'name') && !seen.has(col)) {
          seen.add(col);
          if (isNull) return;
          if (col === 'name') { cols.name = f; return; }
          const v = /^[+-]?\d+$/.test(f) ? Number(f) : NaN;
          if (v >= -2147483648 && v <= 2147483647) cols.id = v + 0;
          else rescued.push(['id', f]);
          return;
        }
        if (isNull) return;
        const key = h === null || h === '' ? `_c${i}` : h;
        rescued.push([rescued.some(([k2]) => k2 === key) ? `_c${i}` : key, f]);
      });
      const json = rescued.length === 0 ? null : '{' + rescued.map(([k2, v]) => `${JSON.stringify(k2)}:${JSON.stringify(v)}`).join(',') + '}';
      out.push(bronze(cols, k + 1, json));
    });
    return out;
  }

  const PIECES = ['1', '23', '-4', '+5', 'a', 'NA', 'null', 'Name', 'ID', 'x', ' ', '\t', ',', ',', ',', '\n', '\n', '\r\n', '\r', 'é', 'x y', '99999999999', ''];
  it('matches a plain split-based reference on quote-free text', () => {
    const next = rng(42);
    for (let t = 0; t < 400; t++) {
      let text = next() < 0.5 ? 'id,name,x\n' : '';
      const len = Math.floor(next() * 40);
      for (let k = 0; k < len; k++) text += PIECES[Math.floor(next() * PIECES.length)];
      expect(rows(text, ID_NAME), JSON.stringify(text)).toEqual(reference(text));
    }
  });

  it('never throws and agrees across input forms on text with quotes', () => {
    const next = rng(7);
    const pieces = [...PIECES, '"', '"', '""', '"a,b"', ' "q" '];
    for (let t = 0; t < 400; t++) {
      let text = '';
      const len = Math.floor(next() * 40);
      for (let k = 0; k < len; k++) text += pieces[Math.floor(next() * pieces.length)];
      for (const header of [true, false]) {
        const r = parse(text, [I('id'), S('name'), { name: 'd', type: 'double' }], { header });
        const out = batchToRows(r.batch);
        for (const row of out) {
          expect(row._line).toBeGreaterThanOrEqual(1);
          if (row._rescued_data !== null) expect(typeof JSON.parse(row._rescued_data as string)).toBe('object');
        }
        const lines = out.map((row) => row._line as number);
        expect([...lines].sort((x, y) => x - y)).toEqual(lines);
      }
    }
  });
});
