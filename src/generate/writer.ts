/**
 * The writer thread: plain synchronous file system calls, one message at a
 * time, so files appear in order and the generating thread never waits for
 * the disk (creating and renaming files, and the flush ext4 does when a large
 * ground_truth.json replaces the previous one, can block for milliseconds).
 * Messages: `file` (write `.name.tmp`, rename to `name`), `entry` (a
 * ground-truth file entry, kept for every later rewrite), `gt` (rewrite
 * ground_truth.json with this head, at most once per `minIntervalMs` unless
 * urgent; pending requests are answered by the next rewrite), `flush`.
 * Plain JavaScript, so that it runs from the TypeScript sources as well.
 */
import { Worker } from 'node:worker_threads';

import { GT_MIN_INTERVAL_MS } from './ground-truth.js';

const WRITER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const dir = workerData.dir;
const entries = [];
const SEP = Buffer.from(',\\n');
const TAIL = Buffer.from('\\n]}\\n');
let gt = null;
let lastGt = -Infinity;
let timer = null;
const done = (id, error) => parentPort.postMessage({ id, error: error === undefined ? undefined : String((error && error.message) || error) });
function writeGroundTruth() {
  if (timer !== null) { clearTimeout(timer); timer = null; }
  if (gt === null) return;
  const { head, ids } = gt;
  gt = null;
  lastGt = Date.now();
  let error;
  try {
    const bufs = [head];
    entries.forEach((e, i) => { if (i > 0) bufs.push(SEP); bufs.push(e); });
    bufs.push(TAIL);
    const tmp = path.join(dir, '.ground_truth.json.tmp');
    const fd = fs.openSync(tmp, 'w');
    try { fs.writevSync(fd, bufs); } finally { fs.closeSync(fd); }
    fs.renameSync(tmp, path.join(dir, 'ground_truth.json'));
  } catch (e) { error = e; }
  for (const id of ids) done(id, error);
}
parentPort.on('message', (m) => {
  try {
    if (m.op === 'file') {
      const tmp = path.join(dir, '.' + m.name + '.tmp');
      fs.writeFileSync(tmp, m.data);
      fs.renameSync(tmp, path.join(dir, m.name));
      done(m.id);
    } else if (m.op === 'entry') {
      entries.push(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
    } else if (m.op === 'gt') {
      gt = { head: Buffer.from(m.head.buffer, m.head.byteOffset, m.head.byteLength), ids: gt === null ? [m.id] : gt.ids.concat(m.id) };
      const wait = lastGt + workerData.minIntervalMs - Date.now();
      if (m.urgent || wait <= 0) writeGroundTruth();
      else if (timer === null) timer = setTimeout(writeGroundTruth, wait);
    } else if (m.op === 'flush') {
      writeGroundTruth();
      done(m.id);
    }
  } catch (e) {
    if (m.id !== undefined) done(m.id, e);
  }
});
`;

/** Main-thread side of the writer thread. */
export class FileWriter {
  private thread: Worker | null = null;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void; file: boolean }>();
  private nextId = 0;
  /** Files sent and not yet written (ground-truth requests wait for the next rewrite and are not counted). */
  private inFlight = 0;
  private failure: Error | null = null;
  private closing: Promise<void> | null = null;
  private drained: (() => void) | null = null;

  constructor(private readonly dir: string) {}

  /** The thread, started by the first message (so that it does not compete with the start of generation). */
  private get worker(): Worker {
    if (this.thread !== null) return this.thread;
    const dir = this.dir;
    const worker = new Worker(WRITER_SOURCE, { eval: true, workerData: { dir, minIntervalMs: GT_MIN_INTERVAL_MS } });
    worker.on('message', (m: { id: number; error?: string }) => {
      const w = this.waiting.get(m.id);
      if (w === undefined) return;
      this.waiting.delete(m.id);
      if (w.file) this.inFlight--;
      if (m.error !== undefined) {
        const e = new Error(`generate: writing in ${dir} failed: ${m.error}`);
        this.failure ??= e;
        w.reject(e);
      } else w.resolve();
      if (this.drained !== null && this.inFlight <= FileWriter.MAX_IN_FLIGHT / 2) { const d = this.drained; this.drained = null; d(); }
    });
    worker.on('error', (e: Error) => this.fail(e));
    worker.on('exit', () => this.fail(new Error('generate: the writer thread stopped')));
    return (this.thread = worker);
  }

  static readonly MAX_IN_FLIGHT = 8;

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiting.values()) w.reject(this.failure);
    this.waiting.clear();
    this.inFlight = 0;
    if (this.drained !== null) { const d = this.drained; this.drained = null; d(); }
  }

  private send(msg: Record<string, unknown>): Promise<void> {
    if (this.failure !== null) {
      const r = Promise.reject(this.failure);
      r.catch(() => {}); // reported by backpressure() and close()
      return r;
    }
    const id = this.nextId++;
    const file = msg.op === 'file';
    const p = new Promise<void>((resolve, reject) => this.waiting.set(id, { resolve, reject, file }));
    p.catch(() => {}); // failures are also reported by backpressure() and close()
    if (file) this.inFlight++;
    this.worker.postMessage({ ...msg, id });
    return p;
  }

  /**
   * Writes `data` as `name` (under `.name.tmp`, then renamed); resolves once
   * the file is visible. Bytes in a SharedArrayBuffer are shared with the
   * writer thread (they must not change until then), other bytes are copied.
   */
  file(name: string, data: Buffer): Promise<void> {
    return this.send({ op: 'file', name, data });
  }

  /** Appends a ground-truth file entry (copied). */
  entry(buf: Buffer): void {
    if (this.failure !== null) return;
    this.worker.postMessage({ op: 'entry', data: buf });
  }

  /** Rewrites ground_truth.json with `head` and every entry so far (coalesced unless urgent). */
  groundTruth(head: Buffer, urgent: boolean): Promise<void> {
    return this.send({ op: 'gt', head, urgent });
  }

  /** Waits while too many files are queued; throws if a write failed. */
  async backpressure(): Promise<void> {
    if (this.inFlight > FileWriter.MAX_IN_FLIGHT && this.failure === null) await new Promise<void>((r) => { this.drained = r; });
    if (this.failure !== null) throw this.failure;
  }

  /** Writes what is pending (the last ground truth included) and stops the thread; throws if a write failed. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        if (this.failure === null) await this.send({ op: 'flush' });
      } finally {
        const t = this.thread;
        if (t !== null) {
          t.removeAllListeners('exit');
          await t.terminate();
        }
      }
      if (this.failure !== null) throw this.failure;
    })();
    return this.closing;
  }
}

