/**
 * Rendering patients files (renderPatients: the bytes of the clean rows from
 * the tables, the planned lines of the others) on a second thread, so that
 * the main thread plans file n + 1 while file n is rendered. The worker runs
 * the compiled module `render-worker.js`; where it is absent (the TypeScript
 * sources, as the tests run them) and for small or paced runs, files are
 * rendered on this thread. The bytes are the same either way: both run
 * renderPatients on the same plan.
 */
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ByteSink } from './bytes.js';
import { renderPatients, type SlowLines } from './patients.js';
import { type FileCtx, type Gen, newRec } from './records.js';

/** Files of fewer rows are rendered on this thread (a worker costs tens of milliseconds to start). */
export const RENDER_WORKER_MIN_ROWS = 20_000;

export interface Rendered {
  /** The sink holding `content` (shared memory; give it back to the pool once written). */
  sink: ByteSink;
  content: Buffer;
}

/** The fields a worker rebuilds a file context from (see makeCtx). */
export interface RenderJobMessage {
  id: number;
  index: number;
  rows: number;
  simStartMs: number;
  simEndMs: number;
  weights: number[];
  columns: string[];
  usDate: boolean;
  crlf: boolean;
  slowRows: number[];
  slowEnds: number[];
  slowBytes: Uint8Array;
  sab: SharedArrayBuffer;
}

export interface RenderReply {
  id: number;
  sab?: SharedArrayBuffer;
  len?: number;
  error?: string;
}

export abstract class Renderer {
  /** A worker renderer when the compiled worker exists and `useWorker`, else one on this thread. */
  static create(g: Gen, useWorker: boolean): Renderer {
    const url = new URL('./render-worker.js', import.meta.url);
    if (useWorker && url.protocol === 'file:' && fs.existsSync(fileURLToPath(url))) return new WorkerRenderer(g, url);
    return new LocalRenderer(g);
  }

  /** Whether files are rendered on a second thread. */
  abstract readonly threaded: boolean;

  /** Renders the file of `ctx` into `sink` (taken from the pool, shared). `slow` may be reused once this returns. */
  abstract render(ctx: FileCtx, crlf: boolean, slow: SlowLines, sink: ByteSink): Promise<Rendered>;

  abstract close(): Promise<void>;
}

class LocalRenderer extends Renderer {
  readonly threaded = false;
  private readonly rec = newRec();

  constructor(private readonly g: Gen) {
    super();
  }

  render(ctx: FileCtx, crlf: boolean, slow: SlowLines, sink: ByteSink): Promise<Rendered> {
    renderPatients(this.g, ctx, crlf, slow, sink, this.rec);
    return Promise.resolve({ sink, content: sink.bytes() });
  }

  async close(): Promise<void> {}
}

class WorkerRenderer extends Renderer {
  readonly threaded = true;
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (r: Rendered) => void; reject: (e: Error) => void; sink: ByteSink }>();
  private nextId = 0;
  private failure: Error | null = null;

  constructor(g: Gen, url: URL) {
    super();
    this.worker = new Worker(url, { workerData: { seedHash: g.seedHash, lateRate: g.lateRate, dirtyRate: g.dirtyRate } });
    this.worker.on('message', (m: RenderReply) => {
      const w = this.waiting.get(m.id);
      if (w === undefined) return;
      this.waiting.delete(m.id);
      if (m.error !== undefined) { w.reject(this.fail(new Error(`generate: rendering failed: ${m.error}`))); return; }
      // the worker grows a sink by moving to a larger buffer
      const sink = m.sab === w.sink.buf.buffer ? w.sink : ByteSink.over(m.sab!);
      sink.len = m.len!;
      w.resolve({ sink, content: sink.bytes() });
    });
    this.worker.on('error', (e: Error) => this.fail(e));
    this.worker.on('exit', () => this.fail(new Error('generate: the render thread stopped')));
  }

  private fail(e: Error): Error {
    this.failure ??= e;
    for (const w of this.waiting.values()) w.reject(this.failure);
    this.waiting.clear();
    return this.failure;
  }

  render(ctx: FileCtx, crlf: boolean, slow: SlowLines, sink: ByteSink): Promise<Rendered> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.nextId++;
    const p = new Promise<Rendered>((resolve, reject) => this.waiting.set(id, { resolve, reject, sink }));
    const msg: RenderJobMessage = {
      id, index: ctx.index, rows: ctx.rows, simStartMs: ctx.simStartMs, simEndMs: ctx.simEndMs, weights: ctx.weights,
      columns: ctx.layout.columns, usDate: ctx.layout.usDate, crlf, slowRows: slow.rows, slowEnds: slow.ends, slowBytes: slow.bytes,
      sab: sink.buf.buffer as SharedArrayBuffer,
    };
    // the plan is copied (the main thread reuses its buffers for the next file); the sink is shared
    this.worker.postMessage(msg);
    return p;
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
