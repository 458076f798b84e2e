/**
 * From a change feed's rows to CDC events, in columnar form.
 *
 * The events of a batch (and the events a CDC target keeps between batches)
 * are a batch with the state schema: `__key` (the key as sortable text),
 * `__seq` (the SEQUENCE BY value), `__op` (0 upsert, 1 delete, 2 purge), then
 * the target's columns. Rows whose sequence is NULL are not events (counted);
 * rows for which APPLY AS TRUNCATE holds are truncates (their sequences).
 */
import type { DataType, Schema, Value } from '../ir/types.js';
import { SCD2_END_COLUMN, SCD2_START_COLUMN } from '../ir/plan.js';
import type { ResolvedCdc } from '../graph/graph.js';
import { columnFromValues, columnIndex, isNullAt, takeBatch, valueAt, type Batch, type Column } from '../batch.js';
import { compileExpr, trueMask, type EvalEnv } from '../expr/eval.js';
import { formatDate, formatTimestamp } from '../sources/csv-values.js';
import { OP_DELETE, OP_UPSERT, tieText, type CdcEvent, type CdcOp, type FoldOptions, type Seq } from './fold.js';

export const KEY_COLUMN = '__key';
export const SEQ_COLUMN = '__seq';
export const OP_COLUMN = '__op';

/** Everything the CDC operator needs to know about a target, derived from the resolved flow. */
export interface CdcLayout {
  readonly flow: string;
  readonly target: string;
  readonly storedAs: 1 | 2;
  /** The target's value columns (keys included), typed. */
  readonly valueSchema: Schema;
  /** The target's schema (SCD type 2: the value columns, `__START_AT`, `__END_AT`). */
  readonly targetSchema: Schema;
  /** `__key`, `__seq`, `__op`, then the value columns. */
  readonly stateSchema: Schema;
  readonly sequenceType: DataType;
  /** Positions of the keys among the value columns. */
  readonly keyIdx: readonly number[];
  readonly fold: FoldOptions;
  /** Per value column: its value as text for the tie order. */
  readonly text: readonly ((v: Value) => string | null)[];
  /** Positions of the value columns in the target schema (SCD type 2 may declare another order). */
  readonly targetIdx: readonly number[];
}

/** The text of a value of a type for the tie order (timestamps and dates as Spark prints them). */
export function textOf(t: DataType): (v: Value) => string | null {
  if (t === 'timestamp') return (v) => (v === null ? null : formatTimestamp(v as number));
  if (t === 'date') return (v) => (v === null ? null : formatDate(v as number));
  return tieText;
}

export function cdcLayout(flow: string, target: string, cdc: ResolvedCdc, targetSchema: Schema): CdcLayout {
  const valueSchema = cdc.columns.map((c) => cdc.sourceSchema.find((f) => f.name === c)!);
  const keyMask = cdc.columns.map((c) => cdc.spec.keys.includes(c));
  return Object.freeze({
    flow, target, storedAs: cdc.spec.storedAs, valueSchema, targetSchema,
    stateSchema: [{ name: KEY_COLUMN, type: 'string' }, { name: SEQ_COLUMN, type: cdc.sequenceType }, { name: OP_COLUMN, type: 'int' }, ...valueSchema] as Schema,
    sequenceType: cdc.sequenceType,
    keyIdx: cdc.spec.keys.map((k) => cdc.columns.indexOf(k)),
    fold: {
      keyMask,
      ignoreNullMask: cdc.columns.map((c) => cdc.ignoreNull.includes(c)),
      trackedMask: cdc.columns.map((c) => cdc.tracked.includes(c)),
    },
    text: valueSchema.map((f) => textOf(f.type)),
    targetIdx: [...cdc.columns, ...(cdc.spec.storedAs === 2 ? [SCD2_START_COLUMN, SCD2_END_COLUMN] : [])].map((c) => columnIndex(targetSchema, c)),
  });
}

/** A key's identity as text, ordered like its values' text: NULL is `\u0001`, a value `\u0002` + its text, columns joined by `\u0000`. */
export function keyText(values: readonly Value[]): string {
  if (values.length === 1) return keyPart(values[0]);
  return values.map(keyPart).join('\u0000');
}

function keyPart(v: Value): string {
  return v === null ? '\u0001' : '\u0002' + (typeof v === 'string' ? v : tieText(v));
}

/** Key texts of every row of a batch whose key columns are at `idx`. */
export function keyTexts(b: Batch, idx: readonly number[]): string[] {
  const out = new Array<string>(b.length);
  const cols = idx.map((j) => b.columns[j]);
  if (cols.length === 1) {
    const c = cols[0];
    for (let i = 0; i < b.length; i++) out[i] = keyPart(valueAt(c, i));
    return out;
  }
  const vals = new Array<Value>(cols.length);
  for (let i = 0; i < b.length; i++) {
    for (let k = 0; k < cols.length; k++) vals[k] = valueAt(cols[k], i);
    out[i] = keyText(vals);
  }
  return out;
}

/** A sequence value as kept in memory (numbers for numeric, date and timestamp types; strings otherwise). */
export function seqOf(v: Value): Seq {
  return typeof v === 'number' ? v : String(v);
}

export interface ExtractedEvents {
  /** The events, in the state schema, in feed order. */
  readonly events: Batch;
  /** Sequences of truncate events. */
  readonly truncates: Seq[];
  /** Rows not applied because their sequence is NULL. */
  readonly nullSequence: number;
}

/** Turns the change feed's rows into events (compiled once per flow). */
export class EventExtractor {
  private readonly seq: (b: Batch) => Column;
  private readonly isDelete: ((b: Batch) => Column) | null;
  private readonly isTruncate: ((b: Batch) => Column) | null;
  private readonly valueIdx: number[];

  constructor(readonly layout: CdcLayout, readonly cdc: ResolvedCdc, env?: EvalEnv) {
    this.seq = compileExpr(cdc.spec.sequenceBy, cdc.sourceSchema, env);
    this.isDelete = cdc.spec.applyAsDeletes ? compileExpr(cdc.spec.applyAsDeletes, cdc.sourceSchema, env) : null;
    this.isTruncate = cdc.spec.applyAsTruncates ? compileExpr(cdc.spec.applyAsTruncates, cdc.sourceSchema, env) : null;
    this.valueIdx = cdc.columns.map((c) => columnIndex(cdc.sourceSchema, c));
  }

  extract(b: Batch): ExtractedEvents {
    const n = b.length;
    const seq = this.seq(b);
    const del = this.isDelete ? trueMask(this.isDelete(b), n) : null;
    const trunc = this.isTruncate ? trueMask(this.isTruncate(b), n) : null;
    const keep: number[] = [];
    const ops: number[] = [];
    const truncates: Seq[] = [];
    let nullSequence = 0;
    for (let i = 0; i < n; i++) {
      if (isNullAt(seq, i)) { nullSequence++; continue; }
      if (trunc && trunc[i]) { truncates.push(seqOf(valueAt(seq, i))); continue; }
      keep.push(i);
      ops.push(del && del[i] ? OP_DELETE : OP_UPSERT);
    }
    const values = takeBatch({ schema: this.cdc.sourceSchema, columns: this.valueIdx.map((j) => b.columns[j]), length: n } as Batch, keep);
    // a delete carries its key only: the other columns of a delete row do not reach the target
    const cols: Column[] = values.columns.map((c, j) => {
      if (this.layout.fold.keyMask[j] || !ops.includes(OP_DELETE)) return c;
      const vs: Value[] = new Array(keep.length);
      for (let k = 0; k < keep.length; k++) vs[k] = ops[k] === OP_DELETE ? null : valueAt(c, k);
      return columnFromValues(this.layout.valueSchema[j].type, vs);
    });
    const keysCol = columnFromValues('string', keyTexts({ schema: this.layout.valueSchema, columns: cols, length: keep.length }, this.layout.keyIdx));
    const seqCol = takeBatch({ schema: [{ name: SEQ_COLUMN, type: this.layout.sequenceType }], columns: [seq], length: n }, keep).columns[0];
    const opCol = columnFromValues('int', ops);
    return {
      events: { schema: this.layout.stateSchema, columns: [keysCol, seqCol, opCol, ...cols], length: keep.length },
      truncates,
      nullSequence,
    };
  }
}

/** Row `i` of an events batch as an event. */
export function eventAt(b: Batch, i: number, fresh: boolean): CdcEvent {
  const values: Value[] = new Array(b.columns.length - 3);
  for (let j = 3; j < b.columns.length; j++) values[j - 3] = valueAt(b.columns[j], i);
  return { seq: seqOf(valueAt(b.columns[1], i)), op: valueAt(b.columns[2], i) as CdcOp, values, ...(fresh ? { fresh: true } : {}) };
}
