/**
 * Reading the pipeline's sources for the executor: CSV files (real or in
 * memory) and in-memory rows fed by the testing API.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CsvOptions, PlanNode } from '../ir/plan.js';
import { concatBatches, emptyBatch, type Batch } from '../batch.js';
import { csvSourceSchema } from '../expr/typecheck.js';
import { parseCsv, type CsvParseResult } from '../sources/csv-parser.js';
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

/** Parses one CSV file of a source. Unreadable files raise `SOURCE_FILE_UNREADABLE`. */
export function readCsvFile(fsys: SourceFileSystem, root: string, file: string, options: CsvOptions, ingestedAtUs: number): CsvParseResult {
  return parseCsv(readSourceBytes(fsys, root, file), options, { sourceFile: path.basename(file), ingestedAtUs });
}

/** The files a CSV source reads in batch mode: matches in the input root, else the first fallback path that exists. */
export function batchSourceFiles(fsys: SourceFileSystem, root: string, options: CsvOptions): { root: string; files: FileEntry[]; fallback: boolean } {
  const files = matchFiles(fsys, root, options.glob);
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
    if (plan.kind !== 'csv') throw new Error(`internal: ${key} is not a source`);
    const { root, files, fallback } = batchSourceFiles(this.fsys, this.root, plan.options);
    const reader = fallback ? realFs() : this.fsys;
    const parts = files.map((f) => readCsvFile(reader, root, f.name, plan.options, ingestedAtUs).batch);
    return { batch: parts.length ? concatBatches(csvSourceSchema(plan.options), parts) : emptyBatch(csvSourceSchema(plan.options)), fingerprint };
  }

  async fingerprint(key: string, plan: PlanNode): Promise<string> {
    if (plan.kind === 'rows') return `rows:${(this.rows.get(plan.name) ?? []).reduce((s, b) => s + b.length, 0)}`;
    if (plan.kind !== 'csv') throw new Error(`internal: ${key} is not a source`);
    const { root, files, fallback } = batchSourceFiles(this.fsys, this.root, plan.options);
    if (files.length === 0) return 'none';
    return files.map((f) => `${fallback ? path.join(root, f.name) : f.name}:${f.size}:${f.mtimeMs}`).join(';');
  }
}

let real: SourceFileSystem | null = null;
function realFs(): SourceFileSystem {
  return real ?? (real = { list: () => [], read: (root, name) => fs.readFileSync(path.join(root, name)), stat: () => null });
}
