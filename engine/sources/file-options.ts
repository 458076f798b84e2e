/**
 * Options of the option-driven file source (`read_files`, `cloud_files`,
 * `readFiles`): Spark's CSV / JSON reader options and Auto Loader's
 * `cloudFiles.*` options, resolved to a frozen `FileSourceOptions`.
 *
 * Keys are matched case-insensitively, as Spark matches them; a
 * `cloudFiles.` prefix is accepted on every Auto Loader option. An option
 * this engine does not implement is a coded error (`UNSUPPORTED_READER_OPTION`)
 * naming it, never ignored silently; options that only concern the cloud
 * (where the schema is stored, notifications) are accepted and have no effect
 * here (`IGNORED_READER_OPTIONS`).
 */
import type { FileFormat, FileReadMode, FileSourceOptions, ParseMode, ReaderOptions, SchemaEvolutionMode } from '../ir/plan.js';
import type { Field } from '../ir/types.js';
import { isStruct, typeInfo } from '../ir/types.js';
import { DefinitionError, UnsupportedError } from '../errors.js';
import { parseSchemaDdl } from '../functions/json.js';
import { compileSparkPattern } from './datetime-format.js';
import { zoneOf } from '../time/zones.js';

export interface FileSourceSpec {
  /** File-name glob in the input root (`*.csv`, `patients_*.json`); no folders. Empty: every file. */
  glob: string;
  format: FileFormat;
  /** Reader options (Spark's names; `cloudFiles.` prefixes accepted). */
  options?: Readonly<Record<string, string>>;
  /** A declared schema in DDL (`a INT, b STRING`): no inference. */
  schema?: string;
  /** Types that override inferred ones (`age INT, ts TIMESTAMP`). */
  schemaHints?: string;
  /** Infer column types (default: true for read_files; for cloud_files, `cloudFiles.inferColumnTypes`). */
  inferTypes?: boolean;
  /** Databricks function whose rules apply (default `read_files`). */
  mode?: FileReadMode;
  /** Add the `_metadata` struct column (default true). */
  fileMetadata?: boolean;
}

/** The options this source implements, in lower case, by format ('both' for either). */
const CSV_OPTIONS = [
  'sep', 'delimiter', 'quote', 'escape', 'chartoescapequoteescaping', 'comment', 'header', 'nullvalue', 'emptyvalue',
  'ignoreleadingwhitespace', 'ignoretrailingwhitespace', 'inferschema',
];
const COMMON_OPTIONS = [
  'format', 'multiline', 'mode', 'dateformat', 'timestampformat', 'timezone', 'linesep', 'pathglobfilter', 'rescueddatacolumn', 'readercasesensitive',
  'encoding', 'charset', 'infercolumntypes', 'schemahints', 'schemaevolutionmode', 'maxfilespertrigger', 'includeexistingfiles',
  'allowoverwrites', 'schema', 'inferschema',
];
/** Accepted without effect: they concern where Auto Loader keeps things in the cloud, or how it is notified. */
export const IGNORED_READER_OPTIONS = [
  'schemalocation', 'usenotifications', 'usestrictglobber', 'validateoptions', 'backfillinterval', 'uselistingfordiscovery',
  'maxbytespertrigger', 'fetchparallelism', 'resourcetag', 'cleansource', 'partitioncolumns', 'maxfileage',
];

/** Every option key that is supported or accepted, for hints and the docs. */
export const SUPPORTED_READER_OPTIONS = { csv: [...CSV_OPTIONS, ...COMMON_OPTIONS], json: COMMON_OPTIONS, ignored: IGNORED_READER_OPTIONS };

function lowerKey(k: string): string {
  const l = k.toLowerCase();
  return l.startsWith('cloudfiles.') ? l.slice('cloudfiles.'.length) : l;
}

function boolOption(key: string, v: string | undefined, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  const l = v.trim().toLowerCase();
  if (l === 'true') return true;
  if (l === 'false') return false;
  throw new DefinitionError('INVALID_READER_OPTION', `reader option ${key} must be true or false, got "${v}"`, { option: key, value: v }, { hint: `write ${key} => 'true' or 'false'` });
}

function charOption(key: string, v: string | undefined, dflt: string, allowEmpty: boolean): string {
  if (v === undefined) return dflt;
  // Spark accepts escapes written as text: '\t', '\u0001'
  let s = v;
  if (s === '\\t') s = '\t';
  else if (/^\\u[0-9a-fA-F]{4}$/.test(s)) s = String.fromCharCode(parseInt(s.slice(2), 16));
  if (s.length === 0 && allowEmpty) return '';
  if (s.length !== 1) throw new DefinitionError('INVALID_READER_OPTION', `reader option ${key} must be one character, got "${v}"`, { option: key, value: v }, { hint: 'a single character such as \'"\' or \'\\\\\'' });
  return s;
}

/** A DDL column list as fields (`a INT, b STRING`), or a coded error. */
export function parseDdlFields(text: string, what: string): Field[] {
  const t = parseSchemaDdl(text);
  if (!t || !isStruct(t)) {
    throw new DefinitionError('INVALID_SCHEMA', `the ${what} "${text}" is not a DDL column list`, { schema: text, what }, { hint: 'write columns as \'name TYPE, …\', for example \'patient_id STRING, age INT\'' });
  }
  const info = typeInfo(t);
  return info.kind === 'struct' ? info.fields.map((f) => Object.freeze({ name: f.name, type: f.type })) : [];
}

/** Resolves a file source's options (defaults applied, every option checked). */
export function resolveFileSource(spec: FileSourceSpec): FileSourceOptions {
  const format = spec.format;
  if (format !== 'csv' && format !== 'json') {
    throw new UnsupportedError('UNSUPPORTED_FILE_FORMAT', `file format "${String(format)}" is not supported`, { format }, { hint: 'use format csv or json' });
  }
  const glob = spec.glob === '' ? '*' : spec.glob;
  if (glob.includes('/') || glob.includes('\\')) {
    throw new DefinitionError('INVALID_SOURCE_GLOB', `file glob "${glob}" must be a file-name pattern without folders`, { glob }, { hint: 'globs are relative to the input root and do not recurse, e.g. "patients_*.csv"' });
  }
  const mode: FileReadMode = spec.mode ?? 'read_files';
  const o = new Map<string, string>();
  const allowed = new Set(format === 'csv' ? SUPPORTED_READER_OPTIONS.csv : SUPPORTED_READER_OPTIONS.json);
  for (const [k, v] of Object.entries(spec.options ?? {})) {
    const key = lowerKey(k);
    if (IGNORED_READER_OPTIONS.includes(key)) continue;
    if (!allowed.has(key)) {
      throw new UnsupportedError('UNSUPPORTED_READER_OPTION', `the ${format} reader option ${k} is not supported`, { option: k, format }, { hint: `supported: ${[...allowed].join(', ')}` });
    }
    o.set(key, String(v));
  }
  if (o.has('format') && o.get('format')!.toLowerCase() !== format) {
    throw new DefinitionError('INVALID_READER_OPTION', `format option "${o.get('format')}" contradicts the source format ${format}`, { option: 'format', value: o.get('format'), format });
  }
  const enc = o.get('encoding') ?? o.get('charset');
  if (enc !== undefined && !/^utf-?8$/i.test(enc)) {
    throw new UnsupportedError('UNSUPPORTED_READER_OPTION', `encoding ${enc} is not supported (files are read as UTF-8)`, { option: 'encoding', value: enc, format }, { hint: 'convert the files to UTF-8' });
  }
  const modeText = (o.get('mode') ?? 'PERMISSIVE').toUpperCase();
  if (modeText !== 'PERMISSIVE' && modeText !== 'DROPMALFORMED' && modeText !== 'FAILFAST') {
    throw new DefinitionError('INVALID_READER_OPTION', `mode must be PERMISSIVE, DROPMALFORMED or FAILFAST, got "${o.get('mode')}"`, { option: 'mode', value: o.get('mode') });
  }
  const escape = charOption('escape', o.get('escape'), '\\', true);
  const sep = o.get('sep') ?? o.get('delimiter') ?? ',';
  const sepText = sep === '\\t' ? '\t' : sep;
  if (sepText.length === 0) throw new DefinitionError('INVALID_READER_OPTION', 'the separator cannot be empty', { option: 'sep', value: sep });
  const dateFormat = o.get('dateformat') ?? null;
  const timestampFormat = o.get('timestampformat') ?? null;
  for (const [k, p] of [['dateFormat', dateFormat], ['timestampFormat', timestampFormat]] as const) {
    if (p !== null) compileSparkPattern(p, k);
  }
  const timeZone = o.get('timezone')?.trim();
  if (timeZone !== undefined && zoneOf(timeZone) === null) {
    throw new DefinitionError('INVALID_READER_OPTION', `unknown time zone "${timeZone}" in the reader option timeZone`, { option: 'timeZone', value: timeZone }, { hint: 'use an IANA name such as Europe/Paris, or an offset such as +05:30' });
  }
  // lineSep: the text as given (a SQL '\n' is already a line feed; the two characters \n are read as one too)
  const lineSepText = o.get('linesep');
  const lineSep = lineSepText === undefined ? undefined : lineSepText.replace(/\\([nrt])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : '\t'));
  if (lineSep !== undefined && (lineSep.length === 0 || (format === 'csv' && lineSep.length > 1))) {
    throw new DefinitionError('INVALID_READER_OPTION', `lineSep ${JSON.stringify(lineSepText)} ${lineSep.length === 0 ? 'is empty' : 'can contain only 1 character for CSV'}`, { option: 'lineSep', value: lineSepText }, { hint: format === 'csv' ? "use one character, e.g. lineSep => '\\n'" : 'give the text that ends each record' });
  }
  const declaredText = spec.schema ?? o.get('schema');
  const declared = declaredText !== undefined && declaredText.trim() !== '';
  const schema = declared ? parseDdlFields(declaredText!, 'schema') : [];
  const csvTypes = (fields: readonly Field[], what: string) => {
    if (format !== 'csv') return;
    for (const f of fields) {
      const k = typeInfo(f.type).kind;
      if (k === 'array' || k === 'map' || k === 'struct' || k.startsWith('interval')) {
        throw new UnsupportedError('UNSUPPORTED_CSV_TYPE', `CSV column ${f.name} cannot have type ${f.type} (${what})`, { column: f.name, type: f.type }, { hint: 'read it as STRING and parse it (from_json, split) in a later step' });
      }
    }
  };
  csvTypes(schema, 'schema');
  const hintsText = spec.schemaHints ?? o.get('schemahints');
  const schemaHints = hintsText !== undefined && hintsText.trim() !== '' ? parseDdlFields(hintsText, 'schemaHints') : [];
  csvTypes(schemaHints, 'schemaHints');
  const inferOpt = o.get('infercolumntypes') ?? o.get('inferschema');
  const inferTypes = spec.inferTypes ?? (inferOpt !== undefined ? boolOption('inferColumnTypes', inferOpt, true) : mode === 'read_files');
  // Auto Loader adds _rescued_data when it infers the schema; with a declared schema only when asked
  const rescued = o.has('rescueddatacolumn') ? (o.get('rescueddatacolumn')!.trim() || null) : declared ? null : '_rescued_data';
  const evolution = (o.get('schemaevolutionmode') ?? 'rescue') as SchemaEvolutionMode | 'none';
  if (!['rescue', 'addNewColumns', 'failOnNewColumns', 'none'].includes(evolution)) {
    throw new DefinitionError('INVALID_READER_OPTION', `schemaEvolutionMode must be addNewColumns, rescue, failOnNewColumns or none, got "${evolution}"`, { option: 'schemaEvolutionMode', value: evolution });
  }
  const maxFiles = o.has('maxfilespertrigger') ? Number(o.get('maxfilespertrigger')) : 1000;
  if (!Number.isInteger(maxFiles) || maxFiles < 1) throw new DefinitionError('INVALID_READER_OPTION', `maxFilesPerTrigger must be a positive integer, got "${o.get('maxfilespertrigger')}"`, { option: 'maxFilesPerTrigger', value: o.get('maxfilespertrigger') });
  const sample = 1000;
  const reader: ReaderOptions = Object.freeze({
    sep: sepText,
    quote: charOption('quote', o.get('quote'), '"', true),
    escape,
    charToEscapeQuoteEscaping: charOption('charToEscapeQuoteEscaping', o.get('chartoescapequoteescaping'), escape, true),
    comment: charOption('comment', o.get('comment'), '', true),
    header: boolOption('header', o.get('header'), false),
    nullValue: o.get('nullvalue') ?? '',
    emptyValue: o.get('emptyvalue') ?? '',
    ignoreLeadingWhiteSpace: boolOption('ignoreLeadingWhiteSpace', o.get('ignoreleadingwhitespace'), false),
    ignoreTrailingWhiteSpace: boolOption('ignoreTrailingWhiteSpace', o.get('ignoretrailingwhitespace'), false),
    ...(lineSep !== undefined ? { lineSep } : {}),
    multiLine: boolOption('multiLine', o.get('multiline'), false),
    mode: modeText as ParseMode,
    dateFormat,
    timestampFormat,
    ...(timeZone !== undefined ? { timeZone } : {}),
    pathGlobFilter: o.get('pathglobfilter') ?? null,
    rescuedDataColumn: rescued,
    readerCaseSensitive: boolOption('readerCaseSensitive', o.get('readercasesensitive'), true),
    inferSampleRows: Number.isInteger(sample) && sample > 0 ? sample : 1000,
  });
  const given: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.options ?? {})) given[k] = String(v);
  return Object.freeze({
    glob,
    schema: Object.freeze(schema),
    header: reader.header,
    nullMarkers: Object.freeze([]),
    metadataColumns: false,
    fallbackPaths: Object.freeze([]),
    schemaEvolutionMode: evolution === 'none' ? 'rescue' : evolution,
    maxFilesPerTrigger: maxFiles,
    includeExistingFiles: boolOption('includeExistingFiles', o.get('includeexistingfiles'), true),
    allowOverwrites: boolOption('allowOverwrites', o.get('allowoverwrites'), false),
    format,
    readMode: mode,
    reader,
    given: Object.freeze(given),
    declared,
    resolved: declared,
    schemaHints: Object.freeze(schemaHints),
    inferTypes,
    fileMetadata: spec.fileMetadata ?? true,
  });
}
