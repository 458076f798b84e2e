/** The render thread (see render.ts): renders the patients files the main thread planned. */
import { parentPort, workerData } from 'node:worker_threads';
import { ByteSink } from './bytes.js';
import { renderPatients } from './patients.js';
import { Rng } from './random.js';
import { type Gen, makeCtx, makeLayout, newRec } from './records.js';
import type { RenderJobMessage, RenderReply } from './render.js';

const data = workerData as { seedHash: number; lateRate: number; dirtyRate: number };
// Clean rows only draw from the row's own stream (genRow), so only these fields of the generator matter here.
const g: Gen = {
  seedHash: data.seedHash, rng: new Rng(), lateRate: data.lateRate, dirtyRate: data.dirtyRate, comboRate: 0, ctxByIndex: new Map(), dayCache: new Map(),
};
const rec = newRec();

parentPort!.on('message', (m: RenderJobMessage) => {
  let reply: RenderReply;
  try {
    const ctx = makeCtx(m.index, m.rows, m.simStartMs, m.simEndMs, m.weights, makeLayout(m.columns, m.usDate));
    const sink = ByteSink.over(m.sab);
    renderPatients(g, ctx, m.crlf, { rows: m.slowRows, ends: m.slowEnds, bytes: m.slowBytes }, sink, rec);
    reply = { id: m.id, sab: sink.buf.buffer as SharedArrayBuffer, len: sink.len };
  } catch (e) {
    reply = { id: m.id, error: String((e as Error)?.stack ?? e) };
  }
  parentPort!.postMessage(reply);
});
