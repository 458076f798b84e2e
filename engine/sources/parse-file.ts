/**
 * One entry for parsing a file of any file source: the bronze CSV preset
 * (`readCsv`: `csv-parser.ts`) or an option-driven source (`readFiles`,
 * `read_files`, `cloud_files`: `file-reader.ts`). Workers call it too.
 */
import type { CsvOptions, FileSourceOptions } from '../ir/plan.js';
import { parseCsv, type CsvParseResult } from './csv-parser.js';
import { parseFileSource, type FileMeta, type FileParseFailure } from './file-reader.js';
import { globToRegExp } from './files.js';

export type SourceParseResult = CsvParseResult & { dropped?: number; malformed?: number; failure?: FileParseFailure };

/** Whether a source's options are those of an option-driven file source. */
export function isFileSourceOptions(o: CsvOptions): o is FileSourceOptions {
  return (o as Partial<FileSourceOptions>).format !== undefined;
}

export function parseSourceFile(input: Buffer | Uint8Array, options: CsvOptions, meta: FileMeta): SourceParseResult {
  if (isFileSourceOptions(options)) return parseFileSource(input, options, meta);
  return parseCsv(Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength), options, meta);
}

const filters = new Map<string, RegExp>();

/** Whether a file name passes the source's `pathGlobFilter` (always, without one). */
export function acceptsFile(options: CsvOptions, name: string): boolean {
  if (!isFileSourceOptions(options) || options.reader.pathGlobFilter === null) return true;
  const g = options.reader.pathGlobFilter;
  let re = filters.get(g);
  if (!re) { re = globToRegExp(g); filters.set(g, re); }
  return re.test(name);
}
