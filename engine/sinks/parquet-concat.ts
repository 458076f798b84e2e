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
import { T, cloneValue, dropField, field, readStruct, setField, writeStruct, type TList, type TStruct } from './thrift-compact.js';
import {
  CC, CMD, FMD, MAGIC, OI, PL, RG, ParquetFooterError, chunkRange, columnsOf, readAt, rowGroupRows, view, withFd, type ParquetFooter,
} from './parquet-footer.js';

/** What must be equal for two files to be concatenated: the schema, the key-value metadata (Arrow's schema) and the column orders. */
export function layoutKey(f: ParquetFooter): string {
  const parts: TStruct = f.meta.filter((x) => x.id === FMD.SCHEMA || x.id === FMD.KV || x.id === FMD.COLUMN_ORDERS);
  return view(writeStruct(parts)).toString('base64');
}

/** Whether the file's pages can be copied into another file (no encryption, no chunks stored elsewhere). */
export function isConcatenable(f: ParquetFooter): boolean {
  if (field(f.meta, FMD.ENCRYPTION) !== undefined) return false;
  for (const rg of f.rowGroups) for (const c of columnsOf(rg)) {
    if (field(c, CC.FILE_PATH) !== undefined || field(c, CC.CRYPTO) !== undefined || field(c, CC.ENC_META) !== undefined) return false;
    if (field(c, CC.META) === undefined) return false;
  }
  return true;
}

/** The byte range of a row group's column chunks: [start, end). */
function rowGroupSpan(rg: TStruct): [number, number] {
  let start = Infinity, end = 0;
  for (const c of columnsOf(rg)) {
    const [s, e] = chunkRange(field(c, CC.META) as TStruct);
    start = Math.min(start, s);
    end = Math.max(end, e);
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
  const out = new ParquetAppender(write);
  for (const f of inputs) withFd(f.path, (fd) => out.append(f, (at, len) => readAt(fd, at, len)));
  return out.finish();
}

/**
 * A Parquet file written a file's row groups at a time: `append` copies the
 * row groups of a file (same `layoutKey`, `isConcatenable`) after those
 * appended before, `finish` writes the page indexes and the footer. Bytes go
 * out through `write` as they come; only the footers and the page indexes
 * (small) are kept until `finish`.
 */
export class ParquetAppender {
  private pos = 0;
  private readonly groups: TStruct[] = [];
  /** Page indexes to write after the data: the chunk they belong to and their bytes (offset indexes with their pages moved). */
  private readonly indexes: { chunk: TStruct; ci?: Uint8Array; oi?: Uint8Array }[] = [];
  private rows = 0;
  private first: ParquetFooter | null = null;
  private key = '';

  constructor(private readonly write: (chunk: Uint8Array) => void) {}

  private put(b: Uint8Array): void {
    this.write(b);
    this.pos += b.length;
  }

  /** Copies `f`'s row groups; `read(at, len)` gives the bytes of the file `f` is the footer of. */
  append(f: ParquetFooter, read: (at: number, len: number) => Uint8Array): void {
    if (this.first === null) {
      this.first = f;
      this.key = layoutKey(f);
      this.put(MAGIC);
    } else if (layoutKey(f) !== this.key) throw new ParquetFooterError(`${f.path} has another schema than ${this.first.path}`);
    if (!isConcatenable(f)) throw new ParquetFooterError(`${f.path} cannot be copied page by page`);
    for (const src of f.rowGroups) {
      const [start, end] = rowGroupSpan(src);
      const delta = BigInt(this.pos - start);
      for (let at = start; at < end; at += COPY_BYTES) this.put(read(at, Math.min(COPY_BYTES, end - at)));
      const rg = cloneValue(src);
      for (const c of columnsOf(rg)) {
        const m = field(c, CC.META) as TStruct;
        for (const id of [CMD.DATA_PAGE, CMD.DICT_PAGE, CMD.INDEX_PAGE]) shift(m, id, delta, id !== CMD.DATA_PAGE);
        dropField(m, CMD.BLOOM_OFFSET);
        dropField(m, CMD.BLOOM_LEN);
        shift(c, CC.FILE_OFFSET, delta, true);
        const ci = field(c, CC.CI_OFFSET) as bigint | undefined, oi = field(c, CC.OI_OFFSET) as bigint | undefined;
        let oiBytes: Uint8Array | undefined;
        if (oi !== undefined) {
          const index = readStruct(read(Number(oi), field(c, CC.OI_LEN) as number)).value;
          for (const pl of ((field(index, OI.PAGES) as TList | undefined)?.items ?? []) as TStruct[]) shift(pl, PL.OFFSET, delta);
          oiBytes = writeStruct(index);
        }
        // a copy: `read` may hand out a buffer it reuses
        this.indexes.push({ chunk: c, ci: ci !== undefined ? Uint8Array.from(read(Number(ci), field(c, CC.CI_LEN) as number)) : undefined, oi: oiBytes });
        for (const id of [CC.OI_OFFSET, CC.OI_LEN, CC.CI_OFFSET, CC.CI_LEN]) dropField(c, id);
      }
      shift(rg, RG.FILE_OFFSET, delta);
      if (field(rg, RG.ORDINAL) !== undefined) setField(rg, RG.ORDINAL, T.I16, this.groups.length);
      this.groups.push(rg);
      this.rows += rowGroupRows(rg);
    }
  }

  /** Writes the column indexes (copied), the offset indexes and the footer; the rows, bytes and row groups written. */
  finish(): { rows: number; size: number; rowGroups: number } {
    if (this.first === null) throw new ParquetFooterError('nothing to concatenate');
    for (const kind of ['ci', 'oi'] as const) {
      for (const x of this.indexes) {
        const bytes = x[kind];
        if (!bytes) continue;
        setField(x.chunk, kind === 'ci' ? CC.CI_OFFSET : CC.OI_OFFSET, T.I64, BigInt(this.pos));
        setField(x.chunk, kind === 'ci' ? CC.CI_LEN : CC.OI_LEN, T.I32, bytes.length);
        this.put(bytes);
      }
    }
    const meta = cloneValue(this.first.meta);
    setField(meta, FMD.NUM_ROWS, T.I64, BigInt(this.rows));
    setField(meta, FMD.ROW_GROUPS, T.LIST, { et: T.STRUCT, items: this.groups });
    const footer = writeStruct(meta);
    this.put(footer);
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, footer.length, true);
    this.put(len);
    this.put(MAGIC);
    return { rows: this.rows, size: this.pos, rowGroups: this.groups.length };
  }
}
