/**
 * The option-driven file source (`readFiles`, the engine side of SQL
 * `read_files` / `cloud_files`): Spark's CSV reader semantics on dirty files,
 * compared with DuckDB reading the same files with the equivalent options
 * where DuckDB behaves as Spark does (quotes, doubled-quote escapes, quoted
 * line breaks with multiLine, nullValue, untrimmed whitespace), and step tests
 * where it does not (header case, modes, backslash escapes, whitespace
 * options, formats, rescued data); newline-delimited JSON; schema inference;
 * file metadata and input_file_name(); a chunked replay with restarts equal
 * to a one-shot run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  batchToRows, col, definePipeline, fn, isPipelineError, PipelineService, readFiles, runPipeline, stream, streamingTable,
  type Row, type ReadFilesOptions,
} from '../engine/index.js';
import { Duck, multisetEqual, sqlString, type PlainRow } from './helpers/duck.js';
import { compilePipeline } from '../engine/sql/index.js';
import { loadPipeline } from '../engine/load/load-pipeline.js';

let duck: Duck;
let work: string;

beforeAll(async () => {
  duck = await Duck.open();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'localdlt-files-'));
});
afterAll(() => { fs.rmSync(work, { recursive: true, force: true }); });

/** Writes files into a fresh folder and returns it. */
function folder(name: string, files: Record<string, string>): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const [n, c] of Object.entries(files)) fs.writeFileSync(path.join(dir, n), c);
  return dir;
}

/** The rows of one streaming table reading the files with these options. */
async function read(files: Record<string, string>, spec: ReadFilesOptions, extra: { input?: string } = {}) {
  const p = definePipeline([streamingTable('raw', { query: readFiles(spec) })], { name: 'files' });
  const run = await runPipeline(p, extra.input ? { input: extra.input } : { files });
  return { rows: run.rows('raw'), run };
}

const strip = (rows: Row[], drop: string[] = ['_metadata', '_rescued_data']) => rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !drop.includes(k))));

describe('CSV with Spark reader semantics, against DuckDB', () => {
  // quotes, doubled quotes (escape = '"'), separators and line breaks inside quotes, untrimmed spaces, a NULL marker, a quoted empty value
  const dirty = [
    'id,name,note',
    '1,"Smith, John","said ""hi"""',
    '2,  padded  ,"line one',
    'line two"',
    '3,NA,""',
    '4,,plain',
    '5,"  quoted spaces  ",x',
    '',
    '6,last,"a,b,c"',
  ].join('\n') + '\n';

  it('quotes, escapes, multiLine, nullValue and whitespace read as DuckDB reads them', async () => {
    const dir = folder('dirty', { 'd_1.csv': dirty });
    const opts = { header: 'true', multiLine: 'true', escape: '"', nullValue: 'NA' };
    const { rows } = await read({}, { glob: 'd_*.csv', format: 'csv', options: opts, schema: 'id INT, name STRING, note STRING' }, { input: dir });
    // Spark reads an unquoted empty field as NULL whatever nullValue is, and a quoted one as '' (emptyValue): DuckDB with both null strings and no quoted NULLs
    const expected = await duck.all(`SELECT id, name, note FROM read_csv(${sqlString(path.join(dir, 'd_1.csv'))}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', nullstr = ['NA', ''], allow_quoted_nulls = false, columns = {'id': 'INTEGER', 'name': 'VARCHAR', 'note': 'VARCHAR'})`);
    expect(rows).toHaveLength(6);
    multisetEqual(strip(rows) as PlainRow[], expected);
    // and the values themselves: nothing trimmed, the quoted line break kept, NA and the empty field NULL
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(1)).toMatchObject({ name: 'Smith, John', note: 'said "hi"' });
    expect(byId.get(2)).toMatchObject({ name: '  padded  ', note: 'line one\nline two' });
    expect(byId.get(3)).toMatchObject({ name: null, note: '' });
    expect(byId.get(4)).toMatchObject({ name: null, note: 'plain' });
    expect(byId.get(5)).toMatchObject({ name: '  quoted spaces  ' });
  });

  it('typed columns convert as Spark converts (no trimming: " 42" is not an INT) and match DuckDB on clean values', async () => {
    const text = 'id,n,amount,flag,day,at\n1,7,2.5,true,2024-01-15,2024-01-15 10:30:00\n2, 42, 42,FALSE,2024-02-30,2024-01-15T10:30:00Z\n3,+8,1e3,yes,2024-03-01,not a time\n';
    const dir = folder('typed', { 't_1.csv': text });
    const { rows } = await read({}, { glob: 't_*.csv', format: 'csv', options: { header: 'true' }, schema: 'id INT, n INT, amount DOUBLE, flag BOOLEAN, day DATE, at TIMESTAMP' }, { input: dir });
    const r = new Map(rows.map((x) => [x.id, x]));
    expect(r.get(1)).toMatchObject({ n: 7, amount: 2.5, flag: true, day: 19737, at: Date.UTC(2024, 0, 15, 10, 30) * 1000 });
    // Integer.parseInt does not trim, Double.parseDouble does
    expect(r.get(2)).toMatchObject({ n: null, amount: 42, flag: false, day: null, at: Date.UTC(2024, 0, 15, 10, 30) * 1000 });
    expect(r.get(3)).toMatchObject({ n: 8, amount: 1000, flag: null, day: 19783, at: null });
    // no rescued data column with a declared schema (Auto Loader's default), unless asked for
    expect(Object.keys(rows[0])).toEqual(['id', 'n', 'amount', 'flag', 'day', 'at', '_metadata']);
    // DuckDB agrees on the values that convert cleanly
    const duckRows = await duck.all(`SELECT id, TRY_CAST(amount AS DOUBLE) AS amount FROM read_csv(${sqlString(path.join(dir, 't_1.csv'))}, header = true, auto_detect = false, columns = {'id': 'INTEGER', 'n': 'VARCHAR', 'amount': 'VARCHAR', 'flag': 'VARCHAR', 'day': 'VARCHAR', 'at': 'VARCHAR'}) WHERE id <> 2`);
    multisetEqual(rows.filter((x) => x.id !== 2).map((x) => ({ id: x.id, amount: x.amount })), duckRows);
  });

  it('a separator, a comment character and a backslash escape (Spark\'s default escape)', async () => {
    const text = '# a comment\nid;text\n1;"semi;colon"\n2;"back\\"slash"\n# another\n3;plain\n';
    const { rows } = await read({ 'a.csv': text }, { glob: '*.csv', format: 'csv', options: { header: 'true', sep: ';', comment: '#' }, schema: 'id INT, text STRING' });
    expect(strip(rows)).toEqual([{ id: 1, text: 'semi;colon' }, { id: 2, text: 'back"slash' }, { id: 3, text: 'plain' }]);
  });

  it('without multiLine a line break ends the record, quote or not', async () => {
    const { rows } = await read({ 'a.csv': 'id,v\n1,"open\n2,b\n' }, { glob: '*.csv', format: 'csv', options: { header: 'true' }, schema: 'id INT, v STRING' });
    expect(strip(rows)).toEqual([{ id: 1, v: 'open' }, { id: 2, v: 'b' }]);
  });

  it('ignoreLeadingWhiteSpace / ignoreTrailingWhiteSpace trim outside quotes only', async () => {
    const text = 'a,b\n  x  ,"  y  "\n';
    const both = await read({ 'a.csv': text }, { glob: '*.csv', format: 'csv', options: { header: 'true', ignoreLeadingWhiteSpace: 'true', ignoreTrailingWhiteSpace: 'true' }, schema: 'a STRING, b STRING' });
    expect(strip(both.rows)).toEqual([{ a: 'x', b: '  y  ' }]);
    const lead = await read({ 'a.csv': text }, { glob: '*.csv', format: 'csv', options: { header: 'true', ignoreLeadingWhiteSpace: 'true' }, schema: 'a STRING, b STRING' });
    expect(strip(lead.rows)).toEqual([{ a: 'x  ', b: '  y  ' }]);
  });

  it('blank lines: empty ones always skipped (before the header too); a line of blanks skipped without multiLine or with ignoreLeadingWhiteSpace, a record under multiLine alone', async () => {
    const text = '\n  \t\nid,v\n1,a\n   \n\n2,b\n \t \n';
    const schema = 'id INT, v STRING';
    const opts = (o: Record<string, string>) => ({ glob: '*.csv', format: 'csv' as const, options: { header: 'true', ...o }, schema });
    // Spark's line reader: `line.trim.nonEmpty` keeps a line; the first kept line is the header
    const plain = await read({ 'a.csv': text }, opts({}));
    expect(strip(plain.rows)).toEqual([{ id: 1, v: 'a' }, { id: 2, v: 'b' }]);
    // univocity over the whole file: an empty row is skipped; leading blanks ignored make a blank line an empty row
    const multiLead = await read({ 'a.csv': text }, opts({ multiLine: 'true', ignoreLeadingWhiteSpace: 'true' }));
    expect(strip(multiLead.rows)).toEqual([{ id: 1, v: 'a' }, { id: 2, v: 'b' }]);
    // multiLine alone: the blanks are a value, so a line of blanks is a record (its id the blanks, which are no INT; no v)
    const multi = await read({ 'a.csv': '\nid,v\n1,a\n   \n2,b\n' }, opts({ multiLine: 'true' }));
    expect(strip(multi.rows)).toEqual([{ id: 1, v: 'a' }, { id: null, v: null }, { id: 2, v: 'b' }]);
  });

  it('timestamps without a zone are read in the session time zone (a timeZone reader option wins), as DuckDB casts them under that zone', async () => {
    const text = 'id,at\n1,2024-01-15 10:30:00\n2,2024-07-15T10:30:00\n3,2024-07-15T10:30:00Z\n4,2024-07-15 10:30:00+02:00\n5,2024-11-30 23:59:59.123456\n';
    const json = ['{"id":1,"at":"2024-01-15 10:30:00"}', '{"id":2,"at":"2024-07-15T10:30:00"}', '{"id":3,"at":"2024-07-15T10:30:00Z"}'].join('\n') + '\n';
    const dir = folder('zoned', { 'z_1.csv': text, 'z_1.json': json });
    const expected = async (zone: string, file: string) => {
      await duck.run(`SET TimeZone = '${zone}'`);
      try {
        const src = file.endsWith('.csv')
          ? `read_csv(${sqlString(path.join(dir, file))}, header = true, auto_detect = false, columns = {'id': 'INTEGER', 'at': 'VARCHAR'})`
          : `read_json(${sqlString(path.join(dir, file))}, format = 'newline_delimited', columns = {'id': 'INTEGER', 'at': 'VARCHAR'})`;
        return await duck.all(`SELECT id, epoch_us(CAST("at" AS TIMESTAMPTZ)) AS "at" FROM ${src} ORDER BY id`);
      } finally { await duck.run(`SET TimeZone = 'UTC'`); }
    };
    const us = (rows: Row[]) => rows.map((r) => ({ id: r.id, at: r.at })).sort((a, b) => Number(a.id) - Number(b.id));
    // the SQL reader: SET spark.sql.session.timeZone before the datasets, read_files and cloud_files, CSV and JSON
    fs.writeFileSync(path.join(dir, 'p.sql'), `SET spark.sql.session.timeZone = America/New_York;
CREATE OR REFRESH STREAMING TABLE c AS SELECT id, at FROM STREAM read_files('z_*.csv', format => 'csv', header => true, schema => 'id INT, at TIMESTAMP');
CREATE OR REFRESH STREAMING TABLE j AS SELECT id, at FROM STREAM read_files('z_*.json', format => 'json', schema => 'id INT, at TIMESTAMP');
CREATE OR REFRESH STREAMING TABLE l AS SELECT id, CAST(at AS TIMESTAMP) AS at FROM STREAM cloud_files('z_*.csv', 'csv', map('header', 'true', 'cloudFiles.inferColumnTypes', 'true'));
CREATE OR REFRESH STREAMING TABLE o AS SELECT id, at FROM STREAM read_files('z_*.csv', format => 'csv', header => true, timeZone => 'Asia/Kolkata', schema => 'id INT, at TIMESTAMP');`);
    const run = await runPipeline(await loadPipeline(path.join(dir, 'p.sql'), { input: dir }), { input: dir });
    const ny = await expected('America/New_York', 'z_1.csv');
    expect(Number(ny.find((r) => r.id === 1)!.at)).toBe(Date.UTC(2024, 0, 15, 15, 30) * 1000);
    multisetEqual(us(run.rows('c')) as PlainRow[], ny);
    multisetEqual(us(run.rows('l')) as PlainRow[], ny);
    multisetEqual(us(run.rows('j')) as PlainRow[], await expected('America/New_York', 'z_1.json'));
    multisetEqual(us(run.rows('o')) as PlainRow[], await expected('Asia/Kolkata', 'z_1.csv'));
    // the TypeScript readFiles in a pipeline with a time zone: the same values; in UTC, the UTC ones
    const ts = (timeZone?: string) => runPipeline(definePipeline([streamingTable('raw', { query: readFiles({ glob: 'z_*.csv', format: 'csv', options: { header: 'true' }, schema: 'id INT, at TIMESTAMP' }) })], { name: 'files', ...(timeZone ? { timeZone } : {}) }), { input: dir });
    multisetEqual(us((await ts('America/New_York')).rows('raw')) as PlainRow[], ny);
    multisetEqual(us((await ts()).rows('raw')) as PlainRow[], await expected('UTC', 'z_1.csv'));
  });

  it('dateFormat and timestampFormat use Spark datetime patterns', async () => {
    const { rows } = await read({ 'a.csv': 'd,t\n15/01/2024,15/01/2024 10:30\n2024-01-15,x\n' }, {
      glob: '*.csv', format: 'csv', options: { header: 'true', dateFormat: 'dd/MM/yyyy', timestampFormat: 'dd/MM/yyyy HH:mm' }, schema: 'd DATE, t TIMESTAMP',
    });
    expect(strip(rows)).toEqual([{ d: 19737, t: Date.UTC(2024, 0, 15, 10, 30) * 1000 }, { d: null, t: null }]);
    expect(() => readFiles({ glob: '*.csv', format: 'csv', options: { dateFormat: 'YYYY-ww' } })).toThrow(/INVALID_READER_OPTION/);
  });

  it('header names: exact by default (a case mismatch is rescued), case-insensitive under readerCaseSensitive=false, never trimmed', async () => {
    const files = { 'a.csv': 'ID,name , age\n1,ann,30\n' };
    const spec = { glob: '*.csv', format: 'csv' as const, schema: 'id INT, name STRING, age INT' };
    const strict = await read(files, { ...spec, options: { header: 'true', rescuedDataColumn: '_rescued_data' } });
    expect(strict.rows[0]).toMatchObject({ id: null, name: null, age: null });
    const rescued = JSON.parse(strict.rows[0]._rescued_data as string);
    expect(rescued).toMatchObject({ ID: '1', 'name ': 'ann', ' age': '30' });
    expect(rescued._file_path).toMatch(/^file:.*a\.csv$/);
    const loose = await read(files, { ...spec, options: { header: 'true', readerCaseSensitive: 'false', rescuedDataColumn: '_rescued_data' } });
    expect(loose.rows[0]).toMatchObject({ id: 1, name: null, age: null });
    expect(Object.keys(JSON.parse(loose.rows[0]._rescued_data as string))).toEqual(['name ', ' age', '_file_path']);
  });

  describe('malformed records per mode (a wrong field count, a value that does not convert without a rescue column)', () => {
    const files = { 'm.csv': 'id,v\n1,10\n2,x\n3\n4,40,extra\n5,50\n' };
    const spec = { glob: '*.csv', format: 'csv' as const, schema: 'id INT, v INT' };

    it('PERMISSIVE keeps every record', async () => {
      const { rows } = await read(files, { ...spec, options: { header: 'true' } });
      expect(strip(rows)).toEqual([{ id: 1, v: 10 }, { id: 2, v: null }, { id: 3, v: null }, { id: 4, v: 40 }, { id: 5, v: 50 }]);
    });

    it('PERMISSIVE with a rescue column rescues the failed value and the extra field', async () => {
      const { rows } = await read(files, { ...spec, options: { header: 'true', rescuedDataColumn: '_rescued_data' } });
      const rescued = rows.map((r) => (r._rescued_data === null ? null : JSON.parse(r._rescued_data as string)));
      expect(rescued[1]).toMatchObject({ v: 'x' });
      expect(rescued[3]).toMatchObject({ _c2: 'extra' });
      expect(rescued.filter((x) => x !== null)).toHaveLength(2);
    });

    it('DROPMALFORMED drops them and counts them on the flow', async () => {
      const { rows, run } = await read(files, { ...spec, options: { header: 'true', mode: 'DROPMALFORMED' } });
      expect(strip(rows)).toEqual([{ id: 1, v: 10 }, { id: 5, v: 50 }]);
      const dropped = run.batches.reduce((s, b) => s + (b.flows.get('raw')?.malformed_records ?? 0), 0);
      expect(dropped).toBe(3);
    });

    it('FAILFAST fails the flow with MALFORMED_RECORD naming the file and line', async () => {
      const p = definePipeline([streamingTable('raw', { query: readFiles({ ...spec, options: { header: 'true', mode: 'FAILFAST' } }) })], { name: 'ff' });
      let err: unknown;
      try {
        const run = await runPipeline(p, { files });
        err = run.batches.find((b) => b.failure)?.failure;
      } catch (e) { err = e; }
      expect(isPipelineError(err) && err.code).toBe('MALFORMED_RECORD');
      expect((err as { params: Record<string, unknown> }).params).toMatchObject({ file: 'm.csv', line: 3 });
    });
  });

  it('pathGlobFilter keeps only the matching names', async () => {
    const { rows } = await read({ 'a_1.csv': 'x\n1\n', 'a_2.txt': 'x\n2\n', 'a_3.csv': 'x\n3\n' }, { glob: 'a_*', format: 'csv', options: { header: 'true', pathGlobFilter: '*.csv' }, schema: 'x INT' });
    expect(rows.map((r) => r.x)).toEqual([1, 3]);
  });

  it('lineSep: records end at that character only (CSV) or text (JSON); without it at LF, CRLF or CR', async () => {
    const schema = 'id INT, v STRING';
    const csv = (text: string, o: Record<string, string> = {}) => read({ 'a.csv': text }, { glob: '*.csv', format: 'csv', options: { header: 'true', ...o }, schema }).then((r) => strip(r.rows));
    // default: LF, CRLF and a lone CR all end a record
    expect(await csv('id,v\r\n1,a\r2,b\n3,c')).toEqual([{ id: 1, v: 'a' }, { id: 2, v: 'b' }, { id: 3, v: 'c' }]);
    // lineSep ';': line feeds are data
    expect(await csv('id,v;1,a\nb;2,c;', { lineSep: ';' })).toEqual([{ id: 1, v: 'a\nb' }, { id: 2, v: 'c' }]);
    // lineSep LF: a lone CR is data; the CR of a CRLF ends the value unless trailing blanks are ignored
    expect(await csv('id,v\n1,a\rb\n2,c\r\n', { lineSep: '\n' })).toEqual([{ id: 1, v: 'a\rb' }, { id: 2, v: 'c\r' }]);
    expect(await csv('id,v\n1,a\rb\n2,c\r\n', { lineSep: '\n', ignoreTrailingWhiteSpace: 'true' })).toEqual([{ id: 1, v: 'a\rb' }, { id: 2, v: 'c' }]);
    // JSON: any text; without it LF, CRLF or CR
    const json = (text: string, o: Record<string, string> = {}) => read({ 'a.json': text }, { glob: '*.json', format: 'json', options: o, schema }).then((r) => strip(r.rows));
    expect(await json('{"id":1,"v":"a"}\r{"id":2,"v":"b"}\r\n{"id":3}')).toEqual([{ id: 1, v: 'a' }, { id: 2, v: 'b' }, { id: 3, v: null }]);
    expect(await json('{"id":1,"v":"a"}<>{"id":2,"v":"b"}<>', { lineSep: '<>' })).toEqual([{ id: 1, v: 'a' }, { id: 2, v: 'b' }]);
  });

  it('an unknown option is a coded error, never ignored', () => {
    expect(() => readFiles({ glob: '*.csv', format: 'csv', options: { locale: 'fr-FR' } })).toThrow(/UNSUPPORTED_READER_OPTION/);
    expect(() => readFiles({ glob: '*.csv', format: 'csv', options: { lineSep: '||' } })).toThrow(/INVALID_READER_OPTION/);
    expect(() => readFiles({ glob: '*.csv', format: 'csv', options: { mode: 'LENIENT' } })).toThrow(/INVALID_READER_OPTION/);
    // options that only concern the cloud are accepted
    expect(() => readFiles({ glob: '*.csv', format: 'csv', options: { 'cloudFiles.schemaLocation': '/x', 'cloudFiles.format': 'csv' } })).not.toThrow();
  });
});

describe('newline-delimited JSON', () => {
  const lines = [
    '{"id": 1, "name": "ann", "score": 2.5, "ok": true, "tags": ["a", "b"]}',
    '{"id": 2, "name": "bob", "score": 3, "ok": false, "tags": []}',
    '',
    '{"id": "three", "name": null, "Extra": {"k": 1}}',
    'not json at all',
    '{"id": 4, "name": "dan", "score": null, "ok": null}',
  ].join('\n') + '\n';

  it('maps fields to columns with the same rescue rules as CSV, and matches DuckDB on the clean lines', async () => {
    const dir = folder('json', { 'j_1.json': lines });
    const { rows } = await read({}, { glob: 'j_*.json', format: 'json', schema: 'id BIGINT, name STRING, score DOUBLE, ok BOOLEAN', options: { rescuedDataColumn: '_rescued_data' } }, { input: dir });
    expect(rows).toHaveLength(5);
    const clean = rows.filter((r) => r.id !== null);
    const expected = await duck.all(`SELECT id, name, score, ok FROM read_json(${sqlString(path.join(dir, 'j_1.json'))}, format = 'newline_delimited', ignore_errors = true, columns = {'id': 'BIGINT', 'name': 'VARCHAR', 'score': 'DOUBLE', 'ok': 'BOOLEAN', 'tags': 'VARCHAR[]', 'Extra': 'VARCHAR'}) WHERE id IS NOT NULL`);
    multisetEqual(strip(clean) as PlainRow[], expected);
    // fields not in the schema are rescued as JSON values
    expect(JSON.parse(rows[0]._rescued_data as string)).toMatchObject({ tags: ['a', 'b'] });
    const third = JSON.parse(rows[2]._rescued_data as string);
    expect(third).toMatchObject({ id: 'three', Extra: { k: 1 } });
    expect(rows[2]).toMatchObject({ id: null, name: null });
    const corrupt = JSON.parse(rows[3]._rescued_data as string);
    expect(corrupt._corrupt_record).toBe('not json at all');
  });

  it('infers columns from the objects: sorted by name, integers BIGINT, nested values as structs and arrays', async () => {
    const p = definePipeline([streamingTable('raw', { query: readFiles({ glob: '*.json', format: 'json' }) })], { name: 'j' });
    const run = await runPipeline(p, { files: { 'a.json': '{"b": 1, "a": "x", "n": {"y": 2.5, "x": true}, "l": [1, 2]}\n{"b": 2.5, "a": null}\n' } });
    expect(run.tester.graph.datasets.get('raw')!.schema.map((f) => `${f.name}:${f.type}`)).toEqual([
      'a:string', 'b:double', 'l:array<long>', 'n:struct<x:boolean,y:double>', '_rescued_data:string',
      '_metadata:struct<file_path:string,file_name:string,file_size:long,file_modification_time:timestamp>',
    ]);
    expect(strip(run.rows('raw'))).toEqual([{ a: 'x', b: 1, l: [1, 2], n: { x: true, y: 2.5 } }, { a: null, b: 2.5, l: null, n: null }]);
  });
});

describe('schema inference', () => {
  const files = { 'p_1.csv': 'id,age,score,active,seen,at,big,note\n1,30,1.5,true,2024-01-15,2024-01-15 10:30:00,3000000000,x\n2,,2,false,2024-01-16,2024-01-16,4,\n', 'p_2.csv': 'id,age,score,active,seen,at,big,note\n3,old,1.0,true,2024-01-17,2024-01-17 00:00:00,5,y\n' };
  const types = (run: Awaited<ReturnType<typeof runPipeline>>) => run.tester.graph.datasets.get('raw')!.schema.map((f) => `${f.name}:${f.type}`);

  it('read_files infers int/bigint/double/boolean/date/timestamp/string from the first file in name order', async () => {
    const p = definePipeline([streamingTable('raw', { query: readFiles({ glob: 'p_*.csv', format: 'csv', options: { header: 'true' } }) })], { name: 'i' });
    const run = await runPipeline(p, { files });
    expect(types(run).slice(0, 8)).toEqual(['id:int', 'age:int', 'score:double', 'active:boolean', 'seen:date', 'at:timestamp', 'big:long', 'note:string']);
    // the second file's "old" does not fit the inferred INT: rescued (Auto Loader adds _rescued_data when it infers)
    const third = run.rows('raw').find((r) => r.id === 3)!;
    expect(third.age).toBeNull();
    expect(JSON.parse(third._rescued_data as string)).toMatchObject({ age: 'old' });
  });

  it('cloud_files reads CSV columns as STRING unless inferColumnTypes; schemaHints override', async () => {
    const plain = await runPipeline(definePipeline([streamingTable('raw', { query: readFiles({ glob: 'p_*.csv', format: 'csv', mode: 'cloud_files', options: { header: 'true' } }) })], { name: 'c' }), { files });
    expect(types(plain).slice(0, 8).every((t) => t.endsWith(':string'))).toBe(true);
    expect(plain.rows('raw').find((r) => r.id === '3')!.age).toBe('old');
    const inferred = await runPipeline(definePipeline([streamingTable('raw', {
      query: readFiles({ glob: 'p_*.csv', format: 'csv', mode: 'cloud_files', options: { header: 'true', 'cloudFiles.inferColumnTypes': 'true', 'cloudFiles.schemaHints': 'age STRING, extra DATE' } }),
    })], { name: 'c' }), { files });
    expect(types(inferred).slice(0, 9)).toEqual(['id:int', 'age:string', 'score:double', 'active:boolean', 'seen:date', 'at:timestamp', 'big:long', 'note:string', 'extra:date']);
  });

  it('without a header the columns are _c0, _c1, …', async () => {
    const run = await runPipeline(definePipeline([streamingTable('raw', { query: readFiles({ glob: '*.csv', format: 'csv' }) })], { name: 'h' }), { files: { 'a.csv': '1,x\n2,y\n' } });
    expect(strip(run.rows('raw'))).toEqual([{ _c0: 1, _c1: 'x' }, { _c0: 2, _c1: 'y' }]);
  });

  it('no file to infer from is SCHEMA_INFERENCE_NO_FILES', async () => {
    const p = definePipeline([streamingTable('raw', { query: readFiles({ glob: 'none_*.csv', format: 'csv' }) })], { name: 'n' });
    await expect(runPipeline(p, { files: {} })).rejects.toMatchObject({ code: 'SCHEMA_INFERENCE_NO_FILES' });
  });
});

describe('file metadata', () => {
  it('_metadata has the file path, name, size and modification time; input_file_name() is its file_path', async () => {
    const dir = folder('meta', { 'm_1.csv': 'x\n1\n2\n', 'm_2.csv': 'x\n3\n' });
    const mtime = new Date('2024-05-01T12:00:00Z');
    fs.utimesSync(path.join(dir, 'm_1.csv'), mtime, mtime);
    const raw = streamingTable('raw', { query: readFiles({ glob: 'm_*.csv', format: 'csv', options: { header: 'true' } }) });
    const named = streamingTable('named', { query: stream(raw).select('x', { file: fn('input_file_name'), name: fn('get_field', col('_metadata'), 'file_name') }) });
    const run = await runPipeline(definePipeline([raw, named], { name: 'm' }), { input: dir });
    const first = run.rows('raw').find((r) => r.x === 1)!;
    expect(first._metadata).toEqual({ file_path: 'file:' + path.join(dir, 'm_1.csv'), file_name: 'm_1.csv', file_size: 6, file_modification_time: mtime.getTime() * 1000 });
    expect(run.rows('named').map((r) => [r.x, r.file, r.name])).toEqual([[1, 'file:' + path.join(dir, 'm_1.csv'), 'm_1.csv'], [2, 'file:' + path.join(dir, 'm_1.csv'), 'm_1.csv'], [3, 'file:' + path.join(dir, 'm_2.csv'), 'm_2.csv']]);
  });
});

describe('restarts and chunked replays', () => {
  it('a replay cut into chunks with restarts equals a one-shot run (the inferred schema is fixed in the checkpoint)', async () => {
    // the first file says v is an INT; a later file has a double there: rescued in both runs, never re-inferred
    const all: Record<string, string> = {
      'r_1.csv': 'id,v,tag\n1,10,a\n2,20,b\n',
      'r_2.csv': 'id,v,tag\n3,3.5,c\n',
      'r_3.csv': 'id,v,tag,new\n4,40,d,zz\n',
      'r_4.csv': 'id,v,tag\n5,,e\n',
    };
    const make = () => {
      const raw = streamingTable('raw', { query: readFiles({ glob: 'r_*.csv', format: 'csv', options: { header: 'true' } }) });
      const clean = streamingTable('clean', { query: stream(raw).where(col('v').isNotNull()).select('id', 'v', 'tag') });
      return definePipeline([raw, clean], { name: 'chunks' });
    };
    const run = async (input: string, output: string) => {
      const { service } = await PipelineService.open({ pipeline: make(), input, output, maxFilesPerTrigger: 1, now: () => Date.UTC(2024, 0, 1) });
      const rs = await service.runAvailableNow();
      expect(rs.find((r) => r.failure)?.failure ?? null).toBeNull();
      const tables: Record<string, Row[]> = {};
      for (const t of ['raw', 'clean']) {
        const g = service.graph.datasets.get(t)!;
        tables[t] = batchToRows(await service.store.snapshot(t, g.schema));
      }
      await service.close('COMPLETED');
      return { tables, schema: service.graph.datasets.get('raw')!.schema };
    };
    // chunks with a restart after each: the first start infers from r_1, the later ones read the recorded schema
    const input = folder('chunk-in', {});
    const out = path.join(work, 'chunk-out');
    let last: Awaited<ReturnType<typeof run>> | null = null;
    for (const chunk of [['r_1.csv'], ['r_2.csv', 'r_3.csv'], ['r_4.csv']]) {
      for (const name of chunk) fs.writeFileSync(path.join(input, name), all[name]);
      last = await run(input, out);
    }
    // one start over the same files (same paths and times in _metadata)
    const one = await run(input, path.join(work, 'one-out'));
    expect(last!.schema).toEqual(one.schema);
    const key = (r: Row) => JSON.stringify(r);
    for (const t of ['raw', 'clean']) expect(last!.tables[t].map(key).sort()).toEqual(one.tables[t].map(key).sort());
    expect(one.schema.find((f) => f.name === 'v')!.type).toBe('int');
    expect(one.tables.raw.find((r) => r.id === 3)!.v).toBeNull();
    expect(JSON.parse(one.tables.raw.find((r) => r.id === 4)!._rescued_data as string)).toMatchObject({ new: 'zz' });
  });

  it('the schema recorded at the first start wins over the files present at a restart', async () => {
    const input = folder('fixed-in', { 's_2.csv': 'id,v\n1,x\n' });
    const output = path.join(work, 'fixed-out');
    const make = () => definePipeline([streamingTable('raw', { query: readFiles({ glob: 's_*.csv', format: 'csv', options: { header: 'true' } }) })], { name: 'fixed' });
    const first = await PipelineService.open({ pipeline: make(), input, output });
    await first.service.runAvailableNow();
    await first.service.close('COMPLETED');
    // a file that sorts first now says v is an INT; the recorded STRING stays
    fs.writeFileSync(path.join(input, 's_1.csv'), 'id,v\n2,5\n');
    const second = await PipelineService.open({ pipeline: make(), input, output });
    expect(second.service.graph.datasets.get('raw')!.schema.find((f) => f.name === 'v')!.type).toBe('string');
    await second.service.runAvailableNow();
    await second.service.close('COMPLETED');
  });
});

describe('SQL output', () => {
  const pipeline = () => definePipeline([
    streamingTable('raw', { query: readFiles({ glob: 'x_*.csv', format: 'csv', options: { header: 'true', sep: ';', nullValue: 'NA' } }) }),
  ], { name: 'sqlout' });

  it('Databricks reads with read_files and the fixed schema; DuckDB with read_csv and matching options', () => {
    const input = folder('sql-in', { 'x_1.csv': 'id;name\n1;a\n' });
    const dbx = compilePipeline(pipeline(), { dialect: 'databricks', input });
    const text = Object.values(dbx.files).join('\n');
    expect(text).toMatch(/STREAM read_files\(/);
    expect(text).toMatch(/format => 'csv'/);
    expect(text).toMatch(/sep => ';'/);
    expect(text).toMatch(/nullValue => 'NA'/);
    expect(text).toMatch(/schema => '`?id`? INT, `?name`? STRING'/);
    expect(text).toMatch(/rescuedDataColumn => '_rescued_data'/);
    const duckOut = compilePipeline(pipeline(), { dialect: 'duckdb', input });
    const sql = Object.values(duckOut.files).join('\n');
    expect(sql).toMatch(/read_csv\(/);
    expect(sql).toMatch(/delim = ''?;''?/);
    expect(sql).toMatch(/nullstr = ''?NA''?/);
  });

  it('the DuckDB script gives the engine\'s rows on a clean file', async () => {
    const input = folder('sql-run', { 'x_1.csv': 'id;name\n1;a\n2;NA\n3;c\n' });
    const out = compilePipeline(pipeline(), { dialect: 'duckdb', input });
    const script = Object.entries(out.files).filter(([n]) => n.endsWith('.sql')).map(([, t]) => t).join('\n');
    const d = await Duck.open();
    for (const stmt of script.split(/;\s*\n/).map((s) => s.trim()).filter((s) => s && !/^--[^\n]*$/.test(s))) await d.run(stmt);
    const got = await d.all('SELECT id, name FROM raw');
    const engine = await runPipeline(pipeline(), { input });
    multisetEqual(got, strip(engine.rows('raw')) as PlainRow[]);
  });
});

describe('schema evolution of an inferred schema', () => {
  it('addNewColumns stops at a new column, records it, and the next start reads it as STRING', async () => {
    const input = folder('evolve-in', { 'e_1.csv': 'id,v\n1,10\n', 'e_2.csv': 'id,v,w\n2,20,new\n' });
    const output = path.join(work, 'evolve-out');
    const make = () => definePipeline([streamingTable('raw', { query: readFiles({ glob: 'e_*.csv', format: 'csv', options: { header: 'true', schemaEvolutionMode: 'addNewColumns' } }) })], { name: 'evolve' });
    const first = await PipelineService.open({ pipeline: make(), input, output, maxFilesPerTrigger: 1 });
    const rs = await first.service.runAvailableNow();
    await first.service.close('FAILED');
    expect(rs.find((r) => r.failure)?.failure?.code).toBe('NEW_COLUMNS_ADDED');
    const second = await PipelineService.open({ pipeline: make(), input, output, maxFilesPerTrigger: 1 });
    const schema = second.service.graph.datasets.get('raw')!.schema;
    expect(schema.map((f) => `${f.name}:${f.type}`).slice(0, 3)).toEqual(['id:int', 'v:int', 'w:string']);
    const rs2 = await second.service.runAvailableNow();
    expect(rs2.find((r) => r.failure)?.failure ?? null).toBeNull();
    const rows = batchToRows(await second.service.store.snapshot('raw', schema));
    await second.service.close('COMPLETED');
    expect(strip(rows)).toEqual([{ id: 1, v: 10, w: null }, { id: 2, v: 20, w: 'new' }]);
  });
});

describe('parsing on worker threads', () => {
  it('gives the rows of the one-thread path (JSON and CSV, _metadata included)', async () => {
    const input = folder('threads-in', {
      't_1.csv': 'id,v\n1,"a ""q"""\n2,x\n', 't_2.csv': 'id,v\n3,\n', 'j_1.json': '{"id": 1, "n": {"a": 1}}\nbad\n',
    });
    const make = () => definePipeline([
      streamingTable('c', { query: readFiles({ glob: 't_*.csv', format: 'csv', options: { header: 'true', escape: '"' } }) }),
      streamingTable('j', { query: readFiles({ glob: 'j_*.json', format: 'json' }) }),
    ], { name: 'threads' });
    const run = async (threads: number) => {
      const { service } = await PipelineService.open({ pipeline: make(), input, output: path.join(work, `threads-out-${threads}`), threads, now: () => Date.UTC(2024, 0, 1) });
      await service.runAvailableNow();
      const out: Record<string, Row[]> = {};
      for (const t of ['c', 'j']) out[t] = batchToRows(await service.store.snapshot(t, service.graph.datasets.get(t)!.schema));
      await service.close('COMPLETED');
      return out;
    };
    const one = await run(1);
    const two = await run(2);
    expect(two).toEqual(one);
    expect(one.c).toHaveLength(3);
    expect(one.j[1]._rescued_data).toMatch(/_corrupt_record/);
  });
});

describe('DuckDB output of a JSON source', () => {
  it('the script gives the engine\'s rows on clean lines, and the values that fail a conversion are rescued', async () => {
    const input = folder('sql-json', { 'k_1.json': '{"id": 1, "name": "a", "score": 1.5}\n{"id": 2, "name": "b", "score": "high"}\n{"id": 3, "name": null}\n' });
    const pipeline = () => definePipeline([streamingTable('raw', { query: readFiles({ glob: 'k_*.json', format: 'json', schema: 'id BIGINT, name STRING, score DOUBLE', options: { rescuedDataColumn: '_rescued_data' } }) })], { name: 'sqljson' });
    const out = compilePipeline(pipeline(), { dialect: 'duckdb', input });
    const script = Object.entries(out.files).filter(([n]) => n.endsWith('.sql')).map(([, t]) => t).join('\n');
    const d = await Duck.open();
    for (const stmt of script.split(/;\s*\n/).map((s) => s.trim()).filter((s) => s && !/^--[^\n]*$/.test(s))) await d.run(stmt);
    const got = await d.all('SELECT id, name, score, _rescued_data IS NOT NULL AS rescued FROM raw');
    const engine = await runPipeline(pipeline(), { input });
    multisetEqual(got, engine.rows('raw').map((r) => ({ id: r.id, name: r.name, score: r.score, rescued: r._rescued_data !== null })));
    expect(got.filter((r) => r.rescued)).toHaveLength(1);
  });
  it('a CSV column of a nested type is UNSUPPORTED_CSV_TYPE', () => {
    expect(() => readFiles({ glob: '*.csv', format: 'csv', schema: 'a ARRAY<INT>' })).toThrow(/UNSUPPORTED_CSV_TYPE/);
  });
});
