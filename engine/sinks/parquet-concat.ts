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
          const m = field(c, CC.META) as TStruct;
          for (const id of [CMD.DATA_PAGE, CMD.DICT_PAGE, CMD.INDEX_PAGE]) shift(m, id, delta, id !== CMD.DATA_PAGE);
          dropField(m, CMD.BLOOM_OFFSET);
          dropField(m, CMD.BLOOM_LEN);
          shift(c, CC.FILE_OFFSET, delta, true);
          const ci = field(c, CC.CI_OFFSET) as bigint | undefined, oi = field(c, CC.OI_OFFSET) as bigint | undefined;
          indexes.push({
            chunk: c, file: f.path, delta,
            ci: ci !== undefined ? [Number(ci), field(c, CC.CI_LEN) as number] : undefined,
            oi: oi !== undefined ? [Number(oi), field(c, CC.OI_LEN) as number] : undefined,
          });
          for (const id of [CC.OI_OFFSET, CC.OI_LEN, CC.CI_OFFSET, CC.CI_LEN]) dropField(c, id);
        }
        shift(rg, RG.FILE_OFFSET, delta);
        if (field(rg, RG.ORDINAL) !== undefined) setField(rg, RG.ORDINAL, T.I16, groups.length);
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
            for (const pl of ((field(oi, OI.PAGES) as TList | undefined)?.items ?? []) as TStruct[]) shift(pl, PL.OFFSET, x.delta);
            bytes = writeStruct(oi);
          }
          setField(x.chunk, kind === 'ci' ? CC.CI_OFFSET : CC.OI_OFFSET, T.I64, BigInt(pos));
          setField(x.chunk, kind === 'ci' ? CC.CI_LEN : CC.OI_LEN, T.I32, bytes.length);
          put(bytes);
        }
      });
    }
  }
  const meta = cloneValue(inputs[0].meta);
  setField(meta, FMD.NUM_ROWS, T.I64, BigInt(rows));
  setField(meta, FMD.ROW_GROUPS, T.LIST, { et: T.STRUCT, items: groups });
  const footer = writeStruct(meta);
  put(footer);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, footer.length, true);
  put(len);
  put(MAGIC);
  return { rows, size: pos, rowGroups: groups.length };
}
