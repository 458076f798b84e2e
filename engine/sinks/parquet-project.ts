/**
 * A Parquet file cut down to some of its columns without decoding them: the
 * chunks of those columns are read from disk and copied byte for byte into a
 * smaller file, whose footer lists only them.
 *
 * parquet-wasm takes a whole file as one byte array and copies it into its
 * memory at every read; a large file read in slices is copied once per slice.
 * A stream-static join keeps 4 of the 16 columns of its table, and after a
 * restart it reads them again: for one 8.7 MB file of 259,000 rows that was
 * 0.9 s in a fresh worker, most of it copying the file and touching new memory
 * (`parquet-wasm-memory.ts`). Only the chunks asked for are read here.
 *
 * The footer keeps the chunks' statistics; column and offset indexes, bloom
 * filters and sorting columns are dropped (they name columns by position or
 * bytes by offset, and the decoder reads none of them). Arrow's schema in the
 * key-value metadata lists every column, and the decoder refuses it when the
 * counts differ, so it is dropped: the chunks are then read by their Parquet
 * types, which the decoder converts as it does any other file's.
 */
import * as fs from 'node:fs';
import { T, cloneValue, dropField, field, setField, writeStruct, type TList, type TStruct } from './thrift-compact.js';
import { CC, CMD, FMD, MAGIC, RG, chunkRange, columnsOf, type ParquetFooter } from './parquet-footer.js';

/** SchemaElement fields (parquet.thrift). */
const SE = { NAME: 4, NUM_CHILDREN: 5 } as const;
/** KeyValue fields. */
const KV = { KEY: 1 } as const;
/** RowGroup fields not in parquet-footer.ts. */
const RG_TOTAL_BYTE_SIZE = 2, RG_SORTING = 4, RG_TOTAL_COMPRESSED = 6;
/** ColumnMetaData: total_uncompressed_size. */
const CMD_UNCOMPRESSED = 6;

const decoder = new TextDecoder();

/** The file's top-level columns: name, schema elements [from, to) and leaf columns [first, last). */
export function topLevelColumns(footer: ParquetFooter): { name: string; elements: [number, number]; leaves: [number, number] }[] | null {
  const schema = ((field(footer.meta, FMD.SCHEMA) as TList | undefined)?.items ?? []) as TStruct[];
  if (schema.length === 0) return null;
  const out: { name: string; elements: [number, number]; leaves: [number, number] }[] = [];
  let at = 1, leaf = 0;
  // the elements under one node, depth first: the leaves are the ones without children
  const walk = (): void => {
    if (at >= schema.length) throw new Error('Parquet schema ends inside a group');
    const children = Number(field(schema[at], SE.NUM_CHILDREN) ?? 0);
    at++;
    if (children === 0) leaf++;
    for (let k = 0; k < children; k++) walk();
  };
  const top = Number(field(schema[0], SE.NUM_CHILDREN) ?? 0);
  try {
    for (let k = 0; k < top; k++) {
      const e0 = at, l0 = leaf;
      const name = decoder.decode(field(schema[at], SE.NAME) as Uint8Array);
      walk();
      out.push({ name, elements: [e0, at], leaves: [l0, leaf] });
    }
  } catch {
    return null;
  }
  return at === schema.length ? out : null;
}

/** A chunk's bytes (`chunkRange`), or null when it is not all in this file, unencrypted. */
function chunkSpan(c: TStruct): [number, number] | null {
  const m = field(c, CC.META) as TStruct | undefined;
  if (!m || field(c, CC.FILE_PATH) !== undefined || field(c, CC.CRYPTO) !== undefined || field(c, CC.ENC_META) !== undefined) return null;
  const [s, e] = chunkRange(m);
  return s >= 4 && e > s ? [s, e] : null;
}

/**
 * The file (open as `fd`, its footer `footer`) cut down to the top-level
 * columns named in `wanted` (matched as the decoder matches them), or null
 * when it cannot be done here (encrypted, chunks in other files, a malformed
 * schema) or would not save much (the kept chunks are over `worthBelow` of
 * the file). With `rowGroups`, only those row groups (by index, in that
 * order), every column of them when `wanted` names every column.
 */
export function projectParquet(fd: number, footer: ParquetFooter, wanted: readonly string[], worthBelow = 0.75, rowGroups?: readonly number[]): Uint8Array | null {
  if (field(footer.meta, FMD.ENCRYPTION) !== undefined) return null;
  const top = topLevelColumns(footer);
  if (!top) return null;
  // a name as the decoder matches it: exactly, else ignoring case
  const keep = new Set<string>();
  for (const w of wanted) {
    const lower = w.toLowerCase();
    const hit = top.find((t) => t.name === w) ?? top.find((t) => t.name.toLowerCase() === lower);
    if (hit) keep.add(hit.name);
  }
  const kept = top.filter((t) => keep.has(t.name));
  const allColumns = kept.length === top.length;
  if (kept.length === 0 || (allColumns && !rowGroups)) return null;
  const picked = rowGroups ? rowGroups.map((g) => footer.rowGroups[g]) : footer.rowGroups;
  if (picked.some((g) => g === undefined)) return null;
  const leaves: number[] = [];
  for (const t of kept) for (let l = t.leaves[0]; l < t.leaves[1]; l++) leaves.push(l);
  const nLeaves = top[top.length - 1].leaves[1];
  // the chunks to copy, row group by row group
  const spans: [number, number][][] = [];
  let total = 0;
  for (const rg of picked) {
    const cols = columnsOf(rg);
    if (cols.length !== nLeaves) return null;
    const row: [number, number][] = [];
    for (const l of leaves) {
      const s = chunkSpan(cols[l]);
      if (!s) return null;
      row.push(s);
      total += s[1] - s[0];
    }
    spans.push(row);
  }
  if (!rowGroups && total > footer.size * worthBelow) return null;
  // the new footer first (the chunks' new offsets are known), then one buffer for the whole file
  let pos = 4;
  const groups: TStruct[] = [];
  picked.forEach((src, g) => {
    const cols = columnsOf(src);
    const chunks: TStruct[] = [];
    let bytes = 0n, compressed = 0n;
    const first = pos;
    leaves.forEach((l, k) => {
      const [s, e] = spans[g][k];
      const c = cloneValue(cols[l]);
      const m = field(c, CC.META) as TStruct;
      const delta = BigInt(pos - s);
      for (const id of [CMD.DATA_PAGE, CMD.DICT_PAGE, CMD.INDEX_PAGE]) {
        const v = field(m, id) as bigint | undefined;
        if (v !== undefined && (id === CMD.DATA_PAGE || v > 0n)) setField(m, id, T.I64, v + delta);
      }
      dropField(m, CMD.BLOOM_OFFSET);
      dropField(m, CMD.BLOOM_LEN);
      for (const id of [CC.OI_OFFSET, CC.OI_LEN, CC.CI_OFFSET, CC.CI_LEN]) dropField(c, id);
      const fo = field(c, CC.FILE_OFFSET) as bigint | undefined;
      if (fo !== undefined && fo > 0n) setField(c, CC.FILE_OFFSET, T.I64, fo + delta);
      bytes += (field(m, CMD_UNCOMPRESSED) as bigint | undefined) ?? 0n;
      compressed += field(m, CMD.COMPRESSED) as bigint;
      chunks.push(c);
      pos += e - s;
    });
    const rg = cloneValue(src);
    setField(rg, RG.COLUMNS, T.LIST, { et: T.STRUCT, items: chunks });
    setField(rg, RG_TOTAL_BYTE_SIZE, T.I64, bytes);
    dropField(rg, RG_SORTING);
    if (field(rg, RG.FILE_OFFSET) !== undefined) setField(rg, RG.FILE_OFFSET, T.I64, BigInt(first));
    if (field(rg, RG_TOTAL_COMPRESSED) !== undefined) setField(rg, RG_TOTAL_COMPRESSED, T.I64, compressed);
    groups.push(rg);
  });
  const meta = cloneValue(footer.meta);
  const schema = (field(meta, FMD.SCHEMA) as TList).items as TStruct[];
  const root = schema[0];
  setField(root, SE.NUM_CHILDREN, T.I32, kept.length);
  const elements = [root];
  for (const t of kept) elements.push(...schema.slice(t.elements[0], t.elements[1]));
  setField(meta, FMD.SCHEMA, T.LIST, { et: T.STRUCT, items: elements });
  setField(meta, FMD.ROW_GROUPS, T.LIST, { et: T.STRUCT, items: groups });
  if (rowGroups) setField(meta, FMD.NUM_ROWS, T.I64, picked.reduce((n, g) => n + BigInt(field(g, RG.NUM_ROWS) as bigint), 0n));
  const orders = field(meta, FMD.COLUMN_ORDERS) as TList | undefined;
  if (orders) setField(meta, FMD.COLUMN_ORDERS, T.LIST, { et: orders.et, items: leaves.map((l) => orders.items[l]) });
  const kv = field(meta, FMD.KV) as TList | undefined;
  // Arrow's schema names every column: kept when every column is
  if (kv && !allColumns) {
    const items = (kv.items as TStruct[]).filter((x) => decoder.decode(field(x, KV.KEY) as Uint8Array) !== 'ARROW:schema');
    if (items.length) setField(meta, FMD.KV, T.LIST, { et: kv.et, items });
    else dropField(meta, FMD.KV);
  }
  const footerBytes = writeStruct(meta);
  const file = new Uint8Array(pos + footerBytes.length + 8);
  file.set(MAGIC, 0);
  let at = 4;
  for (const row of spans) for (const [s, e] of row) { readInto(fd, file, at, s, e - s); at += e - s; }
  file.set(footerBytes, pos);
  new DataView(file.buffer).setUint32(pos + footerBytes.length, footerBytes.length, true);
  file.set(MAGIC, pos + footerBytes.length + 4);
  return file;
}

function readInto(fd: number, out: Uint8Array, at: number, pos: number, len: number): void {
  let got = 0;
  while (got < len) {
    const n = fs.readSync(fd, out, at + got, len - got, pos + got);
    if (n === 0) throw new Error(`unexpected end of file at byte ${pos + got}`);
    got += n;
  }
}

