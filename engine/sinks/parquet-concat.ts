/**
 * Parquet files concatenated without decoding them: the row groups of the
 * inputs are copied byte for byte into one file, and a new footer lists them
 * with their offsets moved. Compaction (maintenance/optimize.ts) uses this for
 * files whose row groups are already large, where decoding and encoding again
 * would cost seconds of CPU and wasm memory to produce the same pages.
 *
 * Only files with the same Parquet schema (and Arrow schema metadata) can be
 * concatenated. Offset indexes hold absolute page offsets, so they are decoded,
 * moved and written again; column indexes are copied; bloom filters are
 * dropped (no reader of these tables uses them, and they would have to be
 * copied too). Encrypted files and chunks kept in other files are refused.
 */
import * as fs from 'node:fs';
import { T, cloneValue, dropField, field, readStruct, setField, writeStruct, type TList, type TStruct } from './thrift-compact.js';

// field ids of parquet.thrift
const FMD_SCHEMA = 2, FMD_NUM_ROWS = 3, FMD_ROW_GROUPS = 4, FMD_KV = 5, FMD_COLUMN_ORDERS = 7, FMD_ENCRYPTION = 8;
const RG_COLUMNS = 1, RG_NUM_ROWS = 3, RG_FILE_OFFSET = 5, RG_ORDINAL = 7;
const CC_FILE_PATH = 1, CC_FILE_OFFSET = 2, CC_META = 3, CC_OI_OFFSET = 4, CC_OI_LEN = 5, CC_CI_OFFSET = 6, CC_CI_LEN = 7, CC_CRYPTO = 8, CC_ENC_META = 9;
const CMD_COMPRESSED = 7, CMD_DATA_PAGE = 9, CMD_INDEX_PAGE = 10, CMD_DICT_PAGE = 11, CMD_BLOOM_OFFSET = 14, CMD_BLOOM_LEN = 15;
const OI_PAGES = 1, PL_OFFSET = 1;

/**
 * 'PAR1'. Nothing here allocates from Node's shared Buffer pool: a worker
 * thread transfers pooled memory with its results, which detaches the pool.
 */
const MAGIC = new Uint8Array([0x50, 0x41, 0x52, 0x31]);
const view = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

export class ParquetFooterError extends Error {}

export interface ParquetFooter {
  path: string;
  /** The file's size in bytes. */
  size: number;
  meta: TStruct;
  rows: number;
  rowGroups: TStruct[];
}

function readAt(fd: number, pos: number, len: number): Buffer {
  const b = Buffer.allocUnsafeSlow(len);
  let got = 0;
  while (got < len) {
    const n = fs.readSync(fd, b, got, len - got, pos + got);
    if (n === 0) throw new ParquetFooterError(`unexpected end of file at byte ${pos + got}`);
    got += n;
  }
  return b;
}

function withFd<R>(file: string, f: (fd: number) => R): R {
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
  const rowGroups = ((field(meta, FMD_ROW_GROUPS) as TList | undefined)?.items ?? []) as TStruct[];
  return { path: file, size, meta, rows: Number(field(meta, FMD_NUM_ROWS) ?? 0n), rowGroups };
}

/** Reads a Parquet file's footer (the file's last 8 bytes give its length). */
export function readParquetFooter(file: string): ParquetFooter {
  return withFd(file, (fd) => {
    const size = fs.fstatSync(fd).size;
    if (size < 12) throw new ParquetFooterError(`${file} is too short to be a Parquet file`);
    return footerOf(file, size, readAt(fd, 0, 4), readAt(fd, size - 8, 8), (pos, len) => readAt(fd, pos, len));
  });
}

/** The footer of a Parquet file held in memory (`path` names it in messages only). */
export function parquetFooterOf(bytes: Uint8Array, name = 'parquet bytes'): ParquetFooter {
  const n = bytes.length;
  return footerOf(name, n, bytes.subarray(0, 4), bytes.subarray(Math.max(0, n - 8)), (pos, len) => bytes.subarray(pos, pos + len));
}

/** What must be equal for two files to be concatenated: the schema, the key-value metadata (Arrow's schema) and the column orders. */
export function layoutKey(f: ParquetFooter): string {
  const parts: TStruct = f.meta.filter((x) => x.id === FMD_SCHEMA || x.id === FMD_KV || x.id === FMD_COLUMN_ORDERS);
  return view(writeStruct(parts)).toString('base64');
}

export function rowGroupRows(rg: TStruct): number {
  return Number(field(rg, RG_NUM_ROWS) ?? 0n);
}

function columnsOf(rg: TStruct): TStruct[] {
  return ((field(rg, RG_COLUMNS) as TList | undefined)?.items ?? []) as TStruct[];
}

/** Whether the file's pages can be copied into another file (no encryption, no chunks stored elsewhere). */
export function isConcatenable(f: ParquetFooter): boolean {
  if (field(f.meta, FMD_ENCRYPTION) !== undefined) return false;
  for (const rg of f.rowGroups) for (const c of columnsOf(rg)) {
    if (field(c, CC_FILE_PATH) !== undefined || field(c, CC_CRYPTO) !== undefined || field(c, CC_ENC_META) !== undefined) return false;
    if (field(c, CC_META) === undefined) return false;
  }
  return true;
}

/** The byte range of a row group's column chunks: [start, end). */
function rowGroupSpan(rg: TStruct): [number, number] {
  let start = Infinity, end = 0;
  for (const c of columnsOf(rg)) {
    const m = field(c, CC_META) as TStruct;
    let s = Number(field(m, CMD_DATA_PAGE) as bigint);
    for (const id of [CMD_DICT_PAGE, CMD_INDEX_PAGE]) {
      const o = field(m, id) as bigint | undefined;
      if (o !== undefined && o > 0n && Number(o) < s) s = Number(o);
    }
    start = Math.min(start, s);
    end = Math.max(end, s + Number(field(m, CMD_COMPRESSED) as bigint));
  }
  if (!(start >= 4) || end <= start) throw new ParquetFooterError('a row group has no column chunk range');
  return [start, end];
}

function shift(s: TStruct, id: number, delta: bigint, onlyPositive = false): void {
  const v = field(s, id) as bigint | undefined;
  if (v === undefined || (onlyPositive && v <= 0n)) return;
  setField(s, id, T.I64, v + delta);
}

const COPY_BYTES = 4 << 20;

/**
 * Writes the inputs (same `layoutKey`, `isConcatenable`) as one Parquet file
 * through `write`, row groups in input order. Returns the rows and bytes written.
 */
export function concatParquet(inputs: readonly ParquetFooter[], write: (chunk: Uint8Array) => void): { rows: number; size: number; rowGroups: number } {
  if (!inputs.length) throw new ParquetFooterError('nothing to concatenate');
  const key = layoutKey(inputs[0]);
  for (const f of inputs) {
    if (layoutKey(f) !== key) throw new ParquetFooterError(`${f.path} has another schema than ${inputs[0].path}`);
    if (!isConcatenable(f)) throw new ParquetFooterError(`${f.path} cannot be copied page by page`);
  }
  let pos = 0;
  const put = (b: Uint8Array) => { write(b); pos += b.length; };
  put(MAGIC);
  const groups: TStruct[] = [];
  /** Page indexes to write after the data: the chunk they belong to, where they are, and the chunk's offset shift. */
  const indexes: { chunk: TStruct; file: string; ci?: [number, number]; oi?: [number, number]; delta: bigint }[] = [];
  let rows = 0;
  for (const f of inputs) {
    withFd(f.path, (fd) => {
      for (const src of f.rowGroups) {
        const [start, end] = rowGroupSpan(src);
        const delta = BigInt(pos - start);
        for (let at = start; at < end; at += COPY_BYTES) put(readAt(fd, at, Math.min(COPY_BYTES, end - at)));
        const rg = cloneValue(src);
        for (const c of columnsOf(rg)) {
          const m = field(c, CC_META) as TStruct;
          for (const id of [CMD_DATA_PAGE, CMD_DICT_PAGE, CMD_INDEX_PAGE]) shift(m, id, delta, id !== CMD_DATA_PAGE);
          dropField(m, CMD_BLOOM_OFFSET);
          dropField(m, CMD_BLOOM_LEN);
          shift(c, CC_FILE_OFFSET, delta, true);
          const ci = field(c, CC_CI_OFFSET) as bigint | undefined, oi = field(c, CC_OI_OFFSET) as bigint | undefined;
          indexes.push({
            chunk: c, file: f.path, delta,
            ci: ci !== undefined ? [Number(ci), field(c, CC_CI_LEN) as number] : undefined,
            oi: oi !== undefined ? [Number(oi), field(c, CC_OI_LEN) as number] : undefined,
          });
          for (const id of [CC_OI_OFFSET, CC_OI_LEN, CC_CI_OFFSET, CC_CI_LEN]) dropField(c, id);
        }
        shift(rg, RG_FILE_OFFSET, delta);
        if (field(rg, RG_ORDINAL) !== undefined) setField(rg, RG_ORDINAL, T.I16, groups.length);
        groups.push(rg);
        rows += rowGroupRows(rg);
      }
    });
  }
  // column indexes (no offsets inside: copied), then offset indexes (page offsets moved)
  const byFile = new Map<string, typeof indexes>();
  for (const x of indexes) { let l = byFile.get(x.file); if (!l) byFile.set(x.file, (l = [])); l.push(x); }
  for (const kind of ['ci', 'oi'] as const) {
    for (const [file, list] of byFile) {
      withFd(file, (fd) => {
        for (const x of list) {
          const at = x[kind];
          if (!at) continue;
          let bytes: Uint8Array = readAt(fd, at[0], at[1]);
          if (kind === 'oi') {
            const oi = readStruct(bytes).value;
            for (const pl of ((field(oi, OI_PAGES) as TList | undefined)?.items ?? []) as TStruct[]) shift(pl, PL_OFFSET, x.delta);
            bytes = writeStruct(oi);
          }
          setField(x.chunk, kind === 'ci' ? CC_CI_OFFSET : CC_OI_OFFSET, T.I64, BigInt(pos));
          setField(x.chunk, kind === 'ci' ? CC_CI_LEN : CC_OI_LEN, T.I32, bytes.length);
          put(bytes);
        }
      });
    }
  }
  const meta = cloneValue(inputs[0].meta);
  setField(meta, FMD_NUM_ROWS, T.I64, BigInt(rows));
  setField(meta, FMD_ROW_GROUPS, T.LIST, { et: T.STRUCT, items: groups });
  const footer = writeStruct(meta);
  put(footer);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, footer.length, true);
  put(len);
  put(MAGIC);
  return { rows, size: pos, rowGroups: groups.length };
}
