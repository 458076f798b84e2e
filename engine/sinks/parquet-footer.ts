/**
 * Parquet footers: the file's metadata (Thrift compact protocol, read with
 * thrift-compact.ts, every field kept), read from a file on disk or from bytes
 * in memory, and the field ids of parquet.thrift that this engine reads or
 * rewrites (concatenation: parquet-concat.ts; statistics: parquet-stats.ts).
 */
import * as fs from 'node:fs';
import { field, readStruct, type TList, type TStruct } from './thrift-compact.js';

/** Field ids of parquet.thrift: FileMetaData, RowGroup, ColumnChunk, ColumnMetaData, Statistics, OffsetIndex, PageLocation, SchemaElement, PageHeader, DataPageHeader. */
export const FMD = { VERSION: 1, SCHEMA: 2, NUM_ROWS: 3, ROW_GROUPS: 4, KV: 5, CREATED_BY: 6, COLUMN_ORDERS: 7, ENCRYPTION: 8 } as const;
export const RG = { COLUMNS: 1, TOTAL_BYTE_SIZE: 2, NUM_ROWS: 3, FILE_OFFSET: 5, TOTAL_COMPRESSED: 6, ORDINAL: 7 } as const;
export const CC = { FILE_PATH: 1, FILE_OFFSET: 2, META: 3, OI_OFFSET: 4, OI_LEN: 5, CI_OFFSET: 6, CI_LEN: 7, CRYPTO: 8, ENC_META: 9 } as const;
export const CMD = {
  TYPE: 1, ENCODINGS: 2, PATH: 3, CODEC: 4, NUM_VALUES: 5, UNCOMPRESSED: 6, COMPRESSED: 7, DATA_PAGE: 9, INDEX_PAGE: 10, DICT_PAGE: 11, STATISTICS: 12, BLOOM_OFFSET: 14, BLOOM_LEN: 15,
} as const;
export const STATS = { NULL_COUNT: 3, MAX_VALUE: 5, MIN_VALUE: 6, MAX_EXACT: 7, MIN_EXACT: 8 } as const;
export const OI = { PAGES: 1 } as const;
export const SE = { TYPE: 1, NUM_CHILDREN: 5 } as const;
export const PH = { TYPE: 1, UNCOMPRESSED: 2, COMPRESSED: 3, DATA_PAGE: 5 } as const;
export const DPH = { NUM_VALUES: 1, ENCODING: 2, DEF_ENCODING: 3, REP_ENCODING: 4 } as const;
export const PL = { OFFSET: 1 } as const;

/**
 * 'PAR1'. Nothing here allocates from Node's shared Buffer pool: a worker
 * thread transfers pooled memory with its results, which detaches the pool.
 */
export const MAGIC = new Uint8Array([0x50, 0x41, 0x52, 0x31]);
export const view = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

export class ParquetFooterError extends Error {}

export interface ParquetFooter {
  path: string;
  /** The file's size in bytes. */
  size: number;
  meta: TStruct;
  rows: number;
  rowGroups: TStruct[];
}

export function readAt(fd: number, pos: number, len: number): Buffer {
  const b = Buffer.allocUnsafeSlow(len);
  let got = 0;
  while (got < len) {
    const n = fs.readSync(fd, b, got, len - got, pos + got);
    if (n === 0) throw new ParquetFooterError(`unexpected end of file at byte ${pos + got}`);
    got += n;
  }
  return b;
}

export function withFd<R>(file: string, f: (fd: number) => R): R {
  const fd = fs.openSync(file, 'r');
  try { return f(fd); } finally { fs.closeSync(fd); }
}

function footerOf(file: string, size: number, head: Uint8Array, tail: Uint8Array, read: (pos: number, len: number) => Uint8Array): ParquetFooter {
  const magic = (b: Uint8Array) => view(b).equals(MAGIC);
  if (size < 12) throw new ParquetFooterError(`${file} is too short to be a Parquet file`);
  if (!magic(head) || !magic(tail.subarray(4))) throw new ParquetFooterError(`${file} is not a plain Parquet file`);
  const len = new DataView(tail.buffer, tail.byteOffset, 4).getUint32(0, true);
  if (len + 12 > size) throw new ParquetFooterError(`${file} has a footer longer than the file`);
  const meta = readStruct(read(size - 8 - len, len)).value;
  const rowGroups = ((field(meta, FMD.ROW_GROUPS) as TList | undefined)?.items ?? []) as TStruct[];
  return { path: file, size, meta, rows: Number(field(meta, FMD.NUM_ROWS) ?? 0n), rowGroups };
}

/** Reads a Parquet file's footer (the file's last 8 bytes give its length). */
export function readParquetFooter(file: string): ParquetFooter {
  return withFd(file, (fd) => readParquetFooterAt(fd, file, fs.fstatSync(fd).size));
}

/** The footer of a Parquet file open as `fd`, `size` bytes long (`file` names it in messages). */
export function readParquetFooterAt(fd: number, file: string, size: number): ParquetFooter {
  if (size < 12) throw new ParquetFooterError(`${file} is too short to be a Parquet file`);
  return footerOf(file, size, readAt(fd, 0, 4), readAt(fd, size - 8, 8), (pos, len) => readAt(fd, pos, len));
}

/** The footer of a Parquet file held in memory (`path` names it in messages only). */
export function parquetFooterOf(bytes: Uint8Array, name = 'parquet bytes'): ParquetFooter {
  const n = bytes.length;
  return footerOf(name, n, bytes.subarray(0, 4), bytes.subarray(Math.max(0, n - 8)), (pos, len) => bytes.subarray(pos, pos + len));
}

/** A row group's row count. */
export function rowGroupRows(rg: TStruct): number {
  return Number(field(rg, RG.NUM_ROWS) ?? 0n);
}

/** A row group's column chunks. */
export function columnsOf(rg: TStruct): TStruct[] {
  return ((field(rg, RG.COLUMNS) as TList | undefined)?.items ?? []) as TStruct[];
}

/** A column chunk's bytes, [start, end): from its first page (the dictionary, when there is one) over its compressed size. */
export function chunkRange(meta: TStruct): [number, number] {
  let start = Number(field(meta, CMD.DATA_PAGE) as bigint);
  for (const id of [CMD.DICT_PAGE, CMD.INDEX_PAGE]) {
    const o = field(meta, id) as bigint | undefined;
    if (o !== undefined && o > 0n && Number(o) < start) start = Number(o);
  }
  return [start, start + Number(field(meta, CMD.COMPRESSED) as bigint)];
}
