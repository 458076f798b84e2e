/**
 * Reading the pipeline's sources for the executor: CSV files (real or in
 * memory) and in-memory rows fed by the testing API.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CsvOptions, PlanNode } from '../ir/plan.js';
import { concatBatches, emptyBatch, type Batch } from '../batch.js';
import { csvSourceSchema } from '../expr/typecheck.js';
import { parseSourceFile, acceptsFile, isFileSourceOptions, type SourceParseResult } from '../sources/parse-file.js';
import { fileSourceSchema } from '../expr/typecheck.js';
import { isFileSource } from '../ir/plan.js';
import { matchFiles, type FileEntry, type SourceFileSystem } from '../sources/files.js';
import type { SourceAccess } from './executor.js';
import { RuntimeFailure } from '../errors.js';

/** The bytes of a source file. Unreadable files raise `SOURCE_FILE_UNREADABLE`. */
export function readSourceBytes(fsys: SourceFileSystem, root: string, file: string): Buffer {
  try {
    return fsys.read(root, file);
  } catch (e) {
    throw new RuntimeFailure('SOURCE_FILE_UNREADABLE', `cannot read ${file}: ${(e as Error).message}`, { file, reason: (e as NodeJS.ErrnoException).code ?? 'unknown' }, { hint: 'check the file exists and is readable', cause: e });
  }
}

/** What `_metadata` says of a file (its path as a `file:` URI). */
export function fileMetaOf(root: string, file: FileEntry | string, ingestedAtUs: number): { sourceFile: string; ingestedAtUs: number; filePath: string; fileSize?: number; mtimeMs?: number } {
  const name = typeof file === 'string' ? file : file.name;
  return {
    sourceFile: path.basename(name), ingestedAtUs, filePath: 'file:' + path.resolve(root, name),
    ...(typeof file === 'string' ? {} : { fileSize: file.size, mtimeMs: file.mtimeMs }),
  };
}

/** Parses one file of a source. Unreadable files raise `SOURCE_FILE_UNREADABLE`. */
export function readCsvFile(fsys: SourceFileSystem, root: string, file: string | FileEntry, options: CsvOptions, ingestedAtUs: number): SourceParseResult {
  const name = typeof file === 'string' ? file : file.name;
  return parseSourceFile(readSourceBytes(fsys, root, name), options, fileMetaOf(root, file, ingestedAtUs));
}

/** A FAILFAST failure of a parsed file as a coded error. */
export function parseFailure(r: SourceParseResult, table: string): RuntimeFailure | null {
  if (!r.failure) return null;
  return new RuntimeFailure(r.failure.code, r.failure.message, { table, ...r.failure.params }, { hint: 'fix the record, or read with mode => \'PERMISSIVE\' (kept, values rescued) or \'DROPMALFORMED\' (dropped and counted)' });
}

/** The files a CSV source reads in batch mode: matches in the input root, else the first fallback path that exists. */
export function batchSourceFiles(fsys: SourceFileSystem, root: string, options: CsvOptions): { root: string; files: FileEntry[]; fallback: boolean } {
  const files = matchFiles(fsys, root, options.glob).filter((f) => acceptsFile(options, f.name));
  if (files.length || options.fallbackPaths.length === 0) return { root, files, fallback: false };
  for (const p of options.fallbackPaths) {
    const abs = path.resolve(p);
    try {
      const st = fs.statSync(abs);
      if (st.isFile()) return { root: path.dirname(abs), files: [{ name: path.basename(abs), size: st.size, mtimeMs: Math.floor(st.mtimeMs) }], fallback: true };
    } catch { /* try the next */ }
  }
  return { root, files: [], fallback: false };
}

/** SourceAccess over files: batch reads of CSV sources (materialized views over files). */
export class FileSourceAccess implements SourceAccess {
  constructor(public fsys: SourceFileSystem, readonly root: string, public rows: Map<string, Batch[]> = new Map()) {}

  async readAll(key: string, plan: PlanNode, ingestedAtUs: number): Promise<{ batch: Batch; fingerprint: string }> {
    const fingerprint = await this.fingerprint(key, plan);
    if (plan.kind === 'rows') return { batch: concatBatches(plan.schema, this.rows.get(plan.name) ?? []), fingerprint };
    if (!isFileSource(plan)) throw new Error(`internal: ${key} is not a source`);
    const { root, files, fallback } = batchSourceFiles(this.fsys, this.root, plan.options);
    const reader = fallback ? realFs() : this.fsys;
    const schema = plan.kind === 'files' ? fileSourceSchema(plan.options) : csvSourceSchema(plan.options);
    const parts = files.map((f) => {
      const r = readCsvFile(reader, root, f, plan.options, ingestedAtUs);
      const failure = parseFailure(r, key);
      if (failure) throw failure;
      return r.batch;
    });
    return { batch: parts.length ? concatBatches(schema, parts) : emptyBatch(schema), fingerprint };
  }

  async fingerprint(key: string, plan: PlanNode): Promise<string> {
    if (plan.kind === 'rows') return `rows:${(this.rows.get(plan.name) ?? []).reduce((s, b) => s + b.length, 0)}`;
    if (!isFileSource(plan)) throw new Error(`internal: ${key} is not a source`);
    const { root, files, fallback } = batchSourceFiles(this.fsys, this.root, plan.options);
    if (files.length === 0) return 'none';
    return files.map((f) => `${fallback ? path.join(root, f.name) : f.name}:${f.size}:${f.mtimeMs}`).join(';');
  }
}

let real: SourceFileSystem | null = null;
function realFs(): SourceFileSystem {
  return real ?? (real = { list: () => [], read: (root, name) => fs.readFileSync(path.join(root, name)), stat: () => null });
}
