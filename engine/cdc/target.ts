/**
 * An AUTO CDC target as copy-on-write segments.
 *
 * The table is clustered by key: each segment holds a contiguous range of
 * keys (ordered by their key text), with one data file in the table (the
 * segment's rows, sorted by key, then `__START_AT`) and one state file in the
 * checkpoint (the events each of its keys keeps, see fold.ts). The manifest
 * lists the segments: it is the key → file index.
 *
 * A batch of events touches the segments that hold its keys: for each, the
 * state and data files are read, the touched keys are folded again with their
 * new events, the untouched keys' rows are carried over as they are, and new
 * files replace the old ones (`remove` + `add` in one commit). Segments split
 * when they grow past twice the target size. Keys beyond the last segment (or
 * before the first) start a new segment when that one is full, so a feed of
 * new keys in increasing order only adds files: such a commit has no
 * `remove`, and a `skipChangeCommits` reader sees its rows.
 *
 * Crash safety: the new state files and the manifest are written before the
 * table commits, and the commit names the manifest (`cdcState`). On open the
 * manifest named by the table's last commit is loaded, and files no manifest
 * names any more are deleted; a batch the table already committed is not
 * applied twice (its manifest carries its batch id and metrics).
 */
import { randomUUID } from 'node:crypto';
import type { Value } from '../ir/types.js';
import { columnFromValues, concatBatches, emptyBatch, takeBatch, valueAt, type Batch } from '../batch.js';
import { decodeParquet, encodeParquet } from '../sinks/parquet.js';
import type { TableStore } from '../sinks/store.js';
import { RuntimeFailure } from '../errors.js';
import type { CdcStateStore } from './state-store.js';
import { eventAt, keyText, keyTexts, KEY_COLUMN, type CdcLayout } from './events.js';
import {
  compareEvents, compareSeq, foldScd1, foldScd2, normalize, OP_DELETE, OP_PURGE, sameValue,
  type CdcEvent, type Seq, type Version,
} from './fold.js';

/** Keys per segment a split aims at; a segment splits past twice this. */
export const DEFAULT_SEGMENT_KEYS = 16_384;

export interface CdcSegment {
  /** The first and last key text of the segment's keys (tombstones included). */
  readonly lo: string;
  readonly hi: string;
  /** Keys (with a row or a tombstone), events kept, rows in the data file. */
  readonly keys: number;
  readonly events: number;
  readonly rows: number;
  /** The data file in the table, or null when no key has a row. */
  readonly data: string | null;
  readonly dataBytes: number;
  /** The state file in the flow's CDC folder. */
  readonly state: string;
}

/** The flow's metrics of one batch (`flow_progress.metrics`). */
export interface CdcMetrics {
  num_upserted_rows: number;
  num_deleted_rows: number;
  num_stale_events: number;
  num_sequence_ties: number;
  num_versions_opened: number;
  num_versions_closed: number;
  num_null_sequence_events: number;
  num_truncates: number;
  /** Copy-on-write: data files removed and added, bytes of the added ones, and of the table after the batch. */
  num_files_rewritten: number;
  num_files_added: number;
  bytes_written: number;
  table_bytes: number;
  /** Rows in the target after the batch. */
  num_target_rows: number;
}

export function emptyCdcMetrics(): CdcMetrics {
  return {
    num_upserted_rows: 0, num_deleted_rows: 0, num_stale_events: 0, num_sequence_ties: 0, num_versions_opened: 0, num_versions_closed: 0,
    num_null_sequence_events: 0, num_truncates: 0, num_files_rewritten: 0, num_files_added: 0, bytes_written: 0, table_bytes: 0, num_target_rows: 0,
  };
}

export interface CdcManifest {
  readonly format: 1;
  readonly flow: string;
  /** The last batch whose events this state holds (-1: none). */
  readonly batchId: number;
  /** The sequence of the last APPLY AS TRUNCATE (SCD type 1): every event at or before it is void. */
  readonly truncateSeq: Seq | null;
  readonly segments: readonly CdcSegment[];
  /** The metrics of `batchId` (reported again when the batch is re-run after the table committed it). */
  readonly metrics?: CdcMetrics;
  /** Set when the commit of `batchId` only added files: those files (the rows a `skipChangeCommits` reader sees). */
  readonly appended?: readonly string[];
}

/** What applying a batch staged. */
export interface CdcApplied {
  readonly metrics: CdcMetrics;
  /** The rows of a commit that only adds files (else null): what `stream(t, { skipChangeCommits: true })` reads. */
  readonly appended: Batch | null;
  /** The manifest to name in the commit (`CommitInfo.cdcState`). */
  readonly cdcState: string;
}

const MANIFEST_RE = /^manifest-(.+)\.json$/;

function manifestName(id: string): string { return `manifest-${id}.json`; }

export interface CdcTargetOptions {
  /** Keys per segment (tests use small values to exercise splits). */
  segmentKeys?: number;
}

export class CdcTarget {
  private manifest: CdcManifest;
  private manifestId: string | null = null;
  private pending: { id: string; manifest: CdcManifest; files: string[] } | null = null;
  /** The table's files no longer match the manifest (rewritten by someone else): the next batch rewrites every segment. */
  private rebuild = false;
  readonly segmentKeys: number;

  constructor(readonly layout: CdcLayout, readonly state: CdcStateStore, readonly store: TableStore, options: CdcTargetOptions = {}) {
    this.segmentKeys = Math.max(2, options.segmentKeys ?? DEFAULT_SEGMENT_KEYS);
    this.manifest = { format: 1, flow: layout.flow, batchId: -1, truncateSeq: null, segments: [] };
  }

  get table(): string { return this.layout.target; }
  /** The last batch the state holds. */
  get batchId(): number { return this.manifest.batchId; }
  get current(): CdcManifest { return this.manifest; }

  /**
   * Loads the state that goes with the table's last commit, checks that the
   * table's files are the manifest's, and deletes state files nothing names.
   */
  async open(): Promise<void> {
    this.pending = null;
    const named = await this.store.cdcState(this.table);
    if (named === null) {
      const rows = (await this.store.dataFiles(this.table)).reduce((n, f) => n + f.rows, 0);
      if (rows > 0) {
        throw new RuntimeFailure('CDC_TARGET_NOT_EMPTY', `${this.table} holds ${rows} rows that no AUTO CDC flow wrote`, { table: this.table, flow: this.layout.flow, rows }, {
          hint: `rebuild it from its change feed: --full-refresh ${this.table}`,
        });
      }
      this.manifest = { format: 1, flow: this.layout.flow, batchId: -1, truncateSeq: null, segments: [] };
      this.manifestId = null;
    } else {
      const slash = named.lastIndexOf('/');
      const flow = named.slice(0, slash), id = named.slice(slash + 1);
      if (flow !== this.layout.flow) {
        throw new RuntimeFailure('CHECKPOINT_INCOMPATIBLE', `${this.table} was last written by AUTO CDC flow ${flow}, not ${this.layout.flow}`, { table: this.table, flow: this.layout.flow, writer: flow }, {
          hint: `keep the flow's name, or rebuild the table under the new one with --full-refresh ${this.table}`,
        });
      }
      let m: CdcManifest;
      try {
        m = JSON.parse(Buffer.from(this.state.read(manifestName(id))).toString('utf8')) as CdcManifest;
      } catch (e) {
        if ((e as { code?: string }).code === 'CHECKPOINT_CORRUPT') throw e;
        throw new RuntimeFailure('CHECKPOINT_CORRUPT', `checkpoint file ${manifestName(id)} in ${this.state.where} is not valid JSON`, { file: manifestName(id), reason: 'not valid JSON' }, { hint: `rebuild the table with --full-refresh ${this.table}`, cause: e });
      }
      if (m.format !== 1 || !Array.isArray(m.segments)) {
        throw new RuntimeFailure('CHECKPOINT_CORRUPT', `checkpoint file ${manifestName(id)} in ${this.state.where} is not an AUTO CDC manifest`, { file: manifestName(id), reason: 'format' }, { hint: `rebuild the table with --full-refresh ${this.table}` });
      }
      this.manifest = m;
      this.manifestId = id;
      for (const s of m.segments) if (!this.state.exists(s.state)) this.state.read(s.state); // CHECKPOINT_CORRUPT naming it
      const files = new Map((await this.store.dataFiles(this.table)).map((f) => [f.path, f]));
      const ours = new Set(m.segments.flatMap((s) => (s.data ? [s.data] : [])));
      const stray = [...files.values()].some((f) => f.rows > 0 && !ours.has(f.path));
      this.rebuild = stray || [...ours].some((p) => !files.has(p));
    }
    this.collect();
  }

  /** Deletes state files and manifests that neither the current nor the pending manifest names. */
  private collect(): void {
    const keep = new Set<string>();
    if (this.manifestId) keep.add(manifestName(this.manifestId));
    for (const s of this.manifest.segments) keep.add(s.state);
    if (this.pending) { keep.add(manifestName(this.pending.id)); for (const f of this.pending.files) keep.add(f); }
    for (const n of this.state.list()) if (!keep.has(n) && (n.startsWith('state-') || MANIFEST_RE.test(n))) this.state.remove(n);
  }

  /** The `cdcState` to name in the commit of what `apply` staged, or null. */
  get pendingState(): string | null {
    return this.pending ? `${this.layout.flow}/${this.pending.id}` : null;
  }

  /** The table committed the pending manifest: it becomes the current one. */
  committed(): void {
    if (!this.pending) return;
    this.manifest = this.pending.manifest;
    this.manifestId = this.pending.id;
    this.pending = null;
    this.rebuild = false;
    this.collect();
  }

  /** The staged batch was not committed: its files are dropped. */
  discard(): void {
    if (!this.pending) return;
    const p = this.pending;
    this.pending = null;
    for (const f of p.files) this.state.remove(f);
    this.state.remove(manifestName(p.id));
  }

  /** Forgets everything (a full refresh; the caller truncates the table). */
  reset(): void {
    this.pending = null;
    this.manifest = { format: 1, flow: this.layout.flow, batchId: -1, truncateSeq: null, segments: [] };
    this.manifestId = null;
    this.rebuild = false;
    this.state.clear();
  }

  /** The rows a commit that only added files published (for a batch re-run after the table committed it). */
  async appendedRows(): Promise<Batch | null> {
    if (!this.manifest.appended) return null;
    const parts: Batch[] = [];
    for (const f of this.manifest.appended) parts.push(await this.store.readDataFile(this.table, this.layout.targetSchema, f));
    return concatBatches(this.layout.targetSchema, parts);
  }

  // ------------------------------------------------------------------ applying a batch

  /**
   * Applies a batch of events (in the state schema) and truncates: stages the
   * table's rewrite and writes the new state and manifest. The caller commits
   * the table with `cdcState` and then calls `committed()` (or `discard()`).
   */
  async apply(batchId: number, events: Batch, truncates: readonly Seq[], nullSequence = 0): Promise<CdcApplied> {
    const L = this.layout;
    const metrics = emptyCdcMetrics();
    metrics.num_null_sequence_events = nullSequence;
    metrics.num_truncates = truncates.length;
    let truncateSeq = this.manifest.truncateSeq;
    for (const t of truncates) if (truncateSeq === null || compareSeq(t, truncateSeq) > 0) truncateSeq = t;
    const truncated = truncateSeq !== null && (this.manifest.truncateSeq === null || compareSeq(truncateSeq, this.manifest.truncateSeq) !== 0);

    // the new events by key, keys in order
    const keys = keyColumn(events);
    const byKey = new Map<string, number[]>();
    for (let i = 0; i < keys.length; i++) {
      const l = byKey.get(keys[i]);
      if (l) l.push(i); else byKey.set(keys[i], [i]);
    }
    const touchedKeys = [...byKey.keys()].sort(cmpKey);

    // which segment each touched key belongs to (-1 / segments.length: a new segment before / after)
    const segs = this.manifest.segments;
    const plan = new Map<number, string[]>();
    const full = (s: CdcSegment) => s.keys >= this.segmentKeys;
    for (const k of touchedKeys) {
      let at: number;
      if (segs.length === 0) at = 0;
      else if (cmpKey(k, segs[0].lo) < 0) at = full(segs[0]) ? -1 : 0;
      else {
        let lo = 0, hi = segs.length - 1;
        while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (cmpKey(segs[mid].lo, k) <= 0) lo = mid; else hi = mid - 1; }
        at = lo === segs.length - 1 && cmpKey(k, segs[lo].hi) > 0 && full(segs[lo]) ? segs.length : lo;
      }
      const l = plan.get(at);
      if (l) l.push(k); else plan.set(at, [k]);
    }
    const allKeys = truncated || this.rebuild;
    if (allKeys) for (let i = 0; i < segs.length; i++) if (!plan.has(i)) plan.set(i, []);

    const removes: string[] = [];
    const adds: Batch[] = [];
    type Written = { seg: Omit<CdcSegment, 'data' | 'dataBytes' | 'state'>; dataIndex: number; stateBytes: Uint8Array };
    const order = [...plan.keys()].sort((a, b) => a - b);
    const result = new Map<number, Written[]>();
    for (const at of order) {
      const seg = at >= 0 && at < segs.length ? segs[at] : null;
      const pieces = await this.rewriteSegment(seg, plan.get(at)!, byKey, events, truncateSeq, allKeys, metrics);
      if (seg?.data) removes.push(seg.data);
      const out: Written[] = [];
      for (const p of pieces) {
        let dataIndex = -1;
        if (p.data.length > 0) { dataIndex = adds.length; adds.push(p.data); }
        out.push({ seg: p.seg, dataIndex, stateBytes: encodeParquet(p.state) });
      }
      result.set(at, out);
    }
    if (this.rebuild) {
      // files someone else wrote are replaced by ours
      for (const f of await this.store.dataFiles(this.table)) if (f.rows > 0 && !removes.includes(f.path)) removes.push(f.path);
    }
    const added = await this.store.stageRewrite(this.table, L.targetSchema, removes, adds);

    // the new manifest: untouched segments as they were, touched ones replaced by their pieces, in key order
    const files: string[] = [];
    const newSegs: CdcSegment[] = [];
    const place = (at: number) => {
      for (const w of result.get(at) ?? []) {
        const state = `state-${randomUUID()}.parquet`;
        this.state.write(state, w.stateBytes);
        files.push(state);
        const d = w.dataIndex >= 0 ? added[w.dataIndex] : null;
        newSegs.push({ ...w.seg, data: d ? d.path : null, dataBytes: d ? d.bytes : 0, state });
      }
    };
    place(-1);
    for (let i = 0; i < segs.length; i++) {
      if (result.has(i)) place(i); else newSegs.push(segs[i]);
    }
    if (segs.length === 0) place(0); else place(segs.length);

    metrics.num_files_rewritten = removes.length;
    metrics.num_files_added = added.length;
    metrics.bytes_written = added.reduce((n, f) => n + f.bytes, 0);
    metrics.table_bytes = newSegs.reduce((n, s) => n + s.dataBytes, 0);
    metrics.num_target_rows = newSegs.reduce((n, s) => n + s.rows, 0);
    const onlyAdds = removes.length === 0 && added.length > 0;
    const manifest: CdcManifest = {
      format: 1, flow: L.flow, batchId, truncateSeq, segments: newSegs, metrics,
      ...(onlyAdds ? { appended: added.map((f) => f.path) } : {}),
    };
    const id = `${String(Math.max(0, batchId)).padStart(6, '0')}-${randomUUID().slice(0, 8)}`;
    this.state.write(manifestName(id), Buffer.from(JSON.stringify(manifest)));
    this.pending = { id, manifest, files };
    return { metrics, appended: onlyAdds ? concatBatches(L.targetSchema, adds) : null, cdcState: `${L.flow}/${id}` };
  }

  /** Folds the touched keys of one segment again and splits the result into segments of the target size. */
  private async rewriteSegment(seg: CdcSegment | null, touched: readonly string[], byKey: Map<string, number[]>, events: Batch, truncateSeq: Seq | null, allKeys: boolean, metrics: CdcMetrics): Promise<{ seg: Omit<CdcSegment, 'data' | 'dataBytes' | 'state'>; data: Batch; state: Batch }[]> {
    const L = this.layout;
    const oldState = seg ? decodeParquet(this.state.read(seg.state), L.stateSchema) : emptyBatch(L.stateSchema);
    const oldData = seg?.data ? await this.store.readDataFile(this.table, L.targetSchema, seg.data) : emptyBatch(L.targetSchema);
    const stateKeys = keyColumn(oldState);
    const dataKeys = keyTexts(oldData, L.keyIdx.map((j) => L.targetIdx[j]));
    const stateRows = groupRuns(stateKeys);
    const dataRows = groupRuns(dataKeys);
    const process = new Set<string>(touched);
    if (allKeys) for (const k of stateRows.keys()) process.add(k);

    const newState: { key: string; e: CdcEvent }[] = [];
    const newData: { key: string; values: Value[] }[] = [];
    for (const k of [...process].sort(cmpKey)) {
      const olds: CdcEvent[] = [];
      const sr = stateRows.get(k);
      if (sr) for (let i = sr[0]; i < sr[1]; i++) olds.push(eventAt(oldState, i, false));
      const fresh: CdcEvent[] = (byKey.get(k) ?? []).map((i) => eventAt(events, i, true));
      const before: Value[][] = [];
      const dr = dataRows.get(k);
      if (dr) for (let i = dr[0]; i < dr[1]; i++) before.push(L.targetSchema.map((_, j) => valueAt(oldData.columns[j], i)));
      const r = this.foldKey(olds, fresh, before, truncateSeq, metrics);
      for (const e of r.keep) newState.push({ key: k, e });
      for (const v of r.rows) newData.push({ key: k, values: v });
    }

    // carried over: the keys not folded again, as they are
    const keepState: number[] = [];
    for (let i = 0; i < oldState.length; i++) if (!process.has(stateKeys[i])) keepState.push(i);
    const keepData: number[] = [];
    for (let i = 0; i < oldData.length; i++) if (!process.has(dataKeys[i])) keepData.push(i);
    const stateAll = concatBatches(L.stateSchema, [takeBatch(oldState, keepState), eventsBatch(L, newState)]);
    const stateAllKeys = [...keepState.map((i) => stateKeys[i]), ...newState.map((x) => x.key)];
    const dataAll = concatBatches(L.targetSchema, [takeBatch(oldData, keepData), rowsBatch(L, newData)]);
    const dataAllKeys = [...keepData.map((i) => dataKeys[i]), ...newData.map((x) => x.key)];
    const sPerm = mergeOrder(keepState.length, stateAllKeys);
    const dPerm = mergeOrder(keepData.length, dataAllKeys);
    const state = takeBatch(stateAll, sPerm);
    const sKeys = Array.from(sPerm, (i) => stateAllKeys[i]);
    const data = takeBatch(dataAll, dPerm);
    const dKeys = Array.from(dPerm, (i) => dataAllKeys[i]);

    // split by key into pieces of the target size (a segment with no key is dropped)
    const distinct: number[] = []; // index in state of each key's first row
    for (let i = 0; i < sKeys.length; i++) if (i === 0 || sKeys[i] !== sKeys[i - 1]) distinct.push(i);
    if (distinct.length === 0) return [];
    const per = distinct.length > 2 * this.segmentKeys ? this.segmentKeys : distinct.length;
    const pieces: { seg: Omit<CdcSegment, 'data' | 'dataBytes' | 'state'>; data: Batch; state: Batch }[] = [];
    let d0 = 0;
    for (let k0 = 0; k0 < distinct.length; k0 += per) {
      const k1 = Math.min(distinct.length, k0 + per);
      const s0 = distinct[k0], s1 = k1 < distinct.length ? distinct[k1] : sKeys.length;
      const hiKey = sKeys[s1 - 1];
      let d1 = d0;
      while (d1 < dKeys.length && cmpKey(dKeys[d1], hiKey) <= 0) d1++;
      const idx = (a: number, b: number) => Int32Array.from({ length: b - a }, (_, i) => a + i);
      const st = takeBatch(state, idx(s0, s1));
      const dt = takeBatch(data, idx(d0, d1));
      pieces.push({ seg: { lo: sKeys[s0], hi: hiKey, keys: k1 - k0, events: s1 - s0, rows: d1 - d0 }, data: dt, state: st });
      d0 = d1;
    }
    return pieces;
  }

  /** One key: its kept events and rows after the new events, and the metrics of the change. */
  private foldKey(olds: CdcEvent[], fresh: CdcEvent[], before: Value[][], truncateSeq: Seq | null, m: CdcMetrics): { keep: CdcEvent[]; rows: Value[][] } {
    const L = this.layout;
    const all = [...olds, ...fresh];
    const norm = normalize(all, L.text);
    // ties: a new event with the sequence of another, different event of the key
    for (const e of fresh) if (all.some((x) => x !== e && compareSeq(x.seq, e.seq) === 0 && compareEvents(x, e, L.text) !== 0)) m.num_sequence_ties++;
    let oldMax: Seq | null = null;
    for (const e of olds) if (oldMax === null || compareSeq(e.seq, oldMax) > 0) oldMax = e.seq;
    const late = (e: CdcEvent) => oldMax !== null && compareSeq(e.seq, oldMax) < 0;
    let rows: Value[][];
    let keep: CdcEvent[];
    const floor: CdcEvent | null = truncateSeq === null ? null : { seq: truncateSeq, op: OP_DELETE, values: new Array(L.valueSchema.length).fill(null) };
    let dropped: CdcEvent[];
    if (L.storedAs === 1) {
      const events = floor ? norm.events.filter((e) => compareEvents(e, floor, L.text) > 0 || e.op === OP_PURGE) : norm.events;
      const r = foldScd1(events, L.fold, floor);
      keep = r.keep;
      rows = r.row ? [toTarget(L, r.row, null, null)] : [];
      const kept = new Set(keep);
      dropped = [...norm.events.filter((e) => !kept.has(e)), ...norm.purged];
      const had = before.length > 0;
      if (rows.length && (!had || !sameRow(before[0], rows[0]))) m.num_upserted_rows++;
      if (had && !rows.length) m.num_deleted_rows++;
    } else {
      const r = foldScd2(norm.events, L.fold);
      keep = r.keep;
      dropped = [...r.outranked, ...norm.purged];
      rows = r.versions.map((v) => toTarget(L, v.values, v.start, v.end));
      const startOf = (row: Value[]) => row[L.targetIdx[L.valueSchema.length]];
      const endOf = (row: Value[]) => row[L.targetIdx[L.valueSchema.length + 1]];
      // versions are matched by their start: a new start opened a version, an end set on an open one closed it
      const old = new Map<string, Value[]>(before.map((row) => [String(startOf(row)), row]));
      for (const v of rows) {
        const o = old.get(String(startOf(v)));
        if (!o) { m.num_versions_opened++; m.num_upserted_rows++; if (endOf(v) !== null) m.num_versions_closed++; continue; }
        if (endOf(v) !== null && endOf(o) === null) m.num_versions_closed++;
        else if (!sameRow(o, v)) m.num_upserted_rows++;
      }
      if (before.some((o) => endOf(o) === null) && !rows.some((v) => endOf(v) === null)) m.num_deleted_rows++;
    }
    // stale: new events that changed nothing because newer ones were already there, and repeats
    for (const e of dropped) if (e.fresh && (late(e) || norm.purged.includes(e))) m.num_stale_events++;
    for (const e of norm.repeats) if (e.fresh) m.num_stale_events++;
    return { keep, rows };
  }

  // ------------------------------------------------------------------ erasure

  /**
   * Removes every row and version of these keys and keeps a purge marker at
   * each key's last sequence, so that no event at or before it brings them
   * back. Stages the rewrite; the caller commits with `cdcState`.
   */
  async purge(keyValues: readonly (readonly Value[])[]): Promise<{ applied: CdcApplied; found: string[]; missing: string[] }> {
    const L = this.layout;
    const wanted = keyValues.map((v) => ({ text: keyText(v), values: v }));
    const found: string[] = [];
    const missing: string[] = [];
    // the purge markers become events: one per key, at its last sequence, through the usual rewrite
    const markers: { key: string; e: CdcEvent }[] = [];
    for (const w of wanted) {
      const seg = this.segmentOf(w.text);
      let last: Seq | null = null;
      if (seg) {
        const st = decodeParquet(this.state.read(seg.state), L.stateSchema);
        const ks = keyColumn(st);
        for (let i = 0; i < st.length; i++) if (ks[i] === w.text) { const e = eventAt(st, i, false); if (last === null || compareSeq(e.seq, last) > 0) last = e.seq; }
      }
      if (last === null) { missing.push(w.text); continue; }
      found.push(w.text);
      const values: Value[] = new Array(L.valueSchema.length).fill(null);
      L.keyIdx.forEach((j, k) => { values[j] = w.values[k]; });
      markers.push({ key: w.text, e: { seq: last, op: OP_PURGE, values } });
    }
    const applied = await this.apply(this.manifest.batchId, eventsBatch(L, markers), []);
    return { applied, found, missing };
  }

  private segmentOf(key: string): CdcSegment | null {
    for (const s of this.manifest.segments) if (cmpKey(s.lo, key) <= 0 && cmpKey(key, s.hi) <= 0) return s;
    return null;
  }
}

function toTarget(L: CdcLayout, values: readonly Value[], start: Seq | null, end: Seq | null): Value[] {
  const row: Value[] = new Array(L.targetSchema.length).fill(null);
  values.forEach((v, j) => { row[L.targetIdx[j]] = v; });
  if (L.storedAs === 2) {
    row[L.targetIdx[values.length]] = start;
    row[L.targetIdx[values.length + 1]] = end;
  }
  return row;
}

function sameRow(a: readonly Value[], b: readonly Value[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
  return true;
}

/** Key order: code units of the key text (stable across runs; the engine only needs a total order). */
export function cmpKey(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function keyColumn(b: Batch): string[] {
  const c = b.columns[b.schema.findIndex((f) => f.name === KEY_COLUMN)];
  const out = new Array<string>(b.length);
  for (let i = 0; i < b.length; i++) out[i] = valueAt(c, i) as string;
  return out;
}

/** [first, end) row ranges of each key in a key-sorted list. */
function groupRuns(keys: readonly string[]): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  let i = 0;
  while (i < keys.length) {
    let j = i + 1;
    while (j < keys.length && keys[j] === keys[i]) j++;
    out.set(keys[i], [i, j]);
    i = j;
  }
  return out;
}

/**
 * Row positions ordered by key, when `keys[0, n)` and `keys[n, …)` are each
 * ordered by key and share no key (carried-over rows, then re-folded ones).
 */
function mergeOrder(n: number, keys: readonly string[]): Int32Array {
  const out = new Int32Array(keys.length);
  let a = 0, b = n, o = 0;
  while (a < n && b < keys.length) out[o++] = cmpKey(keys[a], keys[b]) <= 0 ? a++ : b++;
  while (a < n) out[o++] = a++;
  while (b < keys.length) out[o++] = b++;
  return out;
}

function eventsBatch(L: CdcLayout, list: readonly { key: string; e: CdcEvent }[]): Batch {
  return {
    schema: L.stateSchema,
    columns: [
      columnFromValues('string', list.map((x) => x.key)),
      columnFromValues(L.sequenceType, list.map((x) => x.e.seq)),
      columnFromValues('int', list.map((x) => x.e.op)),
      ...L.valueSchema.map((f, j) => columnFromValues(f.type, list.map((x) => x.e.values[j]))),
    ],
    length: list.length,
  };
}

function rowsBatch(L: CdcLayout, list: readonly { values: Value[] }[]): Batch {
  return { schema: L.targetSchema, columns: L.targetSchema.map((f, j) => columnFromValues(f.type, list.map((x) => x.values[j]))), length: list.length };
}

export type { Version };
