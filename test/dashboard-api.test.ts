/**
 * The dashboard at the HTTP level: the JSON API against the CLI and DuckDB on
 * the same output folder, the live feed, PHI masking, tokens and the security
 * headers; and the inspect commands reading datasets from the event log.
 */
import * as fs from 'node:fs';
import * as nodeHttp from 'node:http';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ENGINE_JS, ensureBuilt, generatePool, readTableViaLog, ROOT, runCli, tempDir, waitFor, type Pool,
} from './helpers/cli.js';
import { Duck, sqlString } from './helpers/duck.js';
import { http, serve, stopServed, type Served } from './helpers/dashboard.js';
import { buildGraph, col, definePipeline, readCsv, stream, streamingTable } from '../engine/index.js';
import { patientPipeline } from '../layers/pipeline.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 180_000 });

let duck: Duck;
let pool: Pool;
let work: string;
let out: string;
let input: string;
let visitsOut: string;
let ui: Served;
const served: Served[] = [];

const PHI_MODULE = `import { streamingTable, readCsv, stream, col, definePipeline } from ${JSON.stringify(ENGINE_JS)};
const raw = streamingTable('visits_raw', {
  properties: { quality: 'bronze', phi: 'dob' },
  columnComments: { mrn: 'Medical record number [PHI]', ward: 'Ward code' },
  query: readCsv({ glob: 'visits_*.csv', schema: { mrn: 'string', dob: 'date', ward: 'string', score: 'int' } }),
});
const clean = streamingTable('visits_clean', {
  properties: { quality: 'silver' },
  query: stream(raw).select('mrn', 'ward', 'score'),
  expectOrDrop: { has_score: col('score').isNotNull() },
  quarantine: 'visits_bad',
});
export default definePipeline([raw, clean], { name: 'visits' });
`;

beforeAll(async () => {
  ensureBuilt();
  duck = await Duck.open();
  work = tempDir('dash-api');
  pool = await generatePool({ files: 3, rows: 120, seed: 'dash-api', scenarios: ['dirty', 'vitals-deterioration'] });
  input = path.join(work, 'in');
  fs.mkdirSync(input);
  // the last patient file comes later (the live feed test)
  for (const f of pool.files.filter((n) => !n.endsWith('000002.csv'))) fs.copyFileSync(path.join(pool.dir, f), path.join(input, f));
  out = path.join(work, 'out');
  const r = await runCli(['replay', input, '--output', out, '--log-level', 'warn'], { timeoutMs: 120_000 });
  expect(r.code, r.stderr).toBe(0);
  ui = await serve(['ui', '--output', out, '--port', '0']);
  served.push(ui);

  // a pipeline of its own, with PHI tags (a table property and a column comment)
  const vIn = path.join(work, 'visits-in');
  fs.mkdirSync(vIn);
  fs.writeFileSync(path.join(vIn, 'visits_1.csv'), 'mrn,dob,ward,score\nM-1001,1950-02-03,W1,7\nM-1002,1987-11-30,W2,\nM-1003,2001-06-15,W1,4\n');
  fs.writeFileSync(path.join(work, 'visits.mjs'), PHI_MODULE);
  visitsOut = path.join(work, 'visits-out');
  const v = await runCli(['replay', vIn, '--output', visitsOut, '--pipeline', path.join(work, 'visits.mjs'), '--log-level', 'warn']);
  expect(v.code, v.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  for (const s of served) await stopServed(s);
  duck?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true, maxRetries: 5 });
  if (pool) fs.rmSync(pool.dir, { recursive: true, force: true, maxRetries: 5 });
}, 60_000);

const tableGlob = (o: string, t: string) => sqlString(path.join(o, 'tables', t, '*.parquet'));
const eventsGlob = (o: string) => sqlString(path.join(o, 'system', 'events', '*.parquet'));

describe('the JSON API', () => {
  it('GET /api/status is exactly the object status --json prints', async () => {
    const cli = await runCli(['status', '--output', out, '--json']);
    expect(cli.code, cli.stderr).toBe(0);
    const api = await http(ui.origin, '/api/status');
    expect(api.status).toBe(200);
    expect(api.headers.get('content-type')).toMatch(/^application\/json/);
    expect(api.body).toEqual(JSON.parse(cli.stdout));
    // and it is not an empty shape: bronze has every record of the files replayed
    const bronze = (api.body.tables as { name: string; rows: number }[]).find((t) => t.name === 'patients_bronze')!;
    const replayed = pool.files.filter((n) => n.startsWith('patients_') && !n.endsWith('000002.csv'));
    expect(bronze.rows).toBe(replayed.reduce((s, n) => s + pool.records.get(n)!, 0));
  });

  it('/api/graph: every dataset with its kind, layer and rows (as DuckDB counts them), edges from the definitions', async () => {
    const g = (await http(ui.origin, '/api/graph')).body;
    const graph = buildGraph(patientPipeline);
    expect(g.pipeline).toBe('patients');
    expect(g.source).toBe('event_log');
    expect(g.nodes.map((n: { name: string }) => n.name)).toEqual(graph.order);
    for (const n of g.nodes) {
      const d = graph.datasets.get(n.name)!;
      expect(n.kind).toBe(d.kind);
      expect(n.layer).toBe(d.def.properties.quality ?? null);
      if (!d.persisted) { expect(n.rows).toBeNull(); continue; }
      expect(n.rows, n.name).toBe((await readTableViaLog(duck, out, n.name)).length);
      // the folder holds no patient_updates_*.csv: the change feed's tables ran no flow
      const feed = ['patient_updates_bronze', 'patient_updates_quarantine', 'patients_current', 'patients_history'];
      expect(n.state, n.name).toBe(feed.includes(n.name) ? 'IDLE' : 'COMPLETED');
    }
    const expected = [...new Set(graph.order.flatMap((to) => graph.datasets.get(to)!.inputs.map((i) => `${i.dataset}->${to}:${i.streaming}`)))].sort();
    expect(g.edges.map((e: { from: string; to: string; streaming: boolean }) => `${e.from}->${e.to}:${e.streaming}`).sort()).toEqual(expected);
    const batches = await duck.all(`SELECT max(CAST(json_extract(origin, '$.batch_id') AS INTEGER)) AS b FROM read_parquet(${eventsGlob(out)}) WHERE event_type = 'flow_progress'`);
    expect(g.last_batch.batch_id).toBe(batches[0].b);
    // an edge carries the rows its upstream wrote in the last batch (0 when it did not run)
    for (const e of g.edges) expect(Number.isInteger(e.rows)).toBe(true);
  });

  it('/api/tables/<t>: where as show --where, counted like DuckDB; PHI masked; the last rows with last=1', async () => {
    const r = await http(ui.origin, `/api/tables/patients_silver?where=${encodeURIComponent('age > 90 AND gender = \'F\'')}&limit=5`);
    expect(r.status).toBe(200);
    const [{ n }] = await duck.all(`SELECT count(*) AS n FROM read_parquet(${tableGlob(out, 'patients_silver')}) WHERE age > 90 AND gender = 'F'`);
    expect(n).toBeGreaterThan(0);
    expect(r.body.total).toBe(n);
    expect(r.body.returned).toBe(Math.min(5, n as number));
    for (const row of r.body.rows) {
      expect(row.age).toBeGreaterThan(90);
      expect(row.gender).toBe('F');
      for (const c of ['name', 'address', 'contact_number']) expect([null, '***']).toContain(row[c]);
    }
    expect(r.body.columns.filter((c: { masked: boolean }) => c.masked).map((c: { name: string }) => c.name)).toEqual(['name', 'address', 'contact_number']);
    // the default is the first 100 rows, in commit order
    const all = await readTableViaLog(duck, out, 'patients_bronze');
    const first = (await http(ui.origin, '/api/tables/patients_bronze')).body;
    expect(first.returned).toBe(100);
    expect(first.rows.map((x: { _line: number; _source_file: string }) => `${x._source_file}:${x._line}`)).toEqual(all.slice(0, 100).map((x) => `${x._source_file}:${x._line}`));
    const last = (await http(ui.origin, '/api/tables/patients_bronze?limit=3&last=1')).body;
    expect(last.rows.map((x: { _line: number; _source_file: string }) => `${x._source_file}:${x._line}`)).toEqual(all.slice(-3).map((x) => `${x._source_file}:${x._line}`));
    // dates and timestamps as ISO text
    expect(first.rows[0].admission_date === null || /^\d{4}-\d\d-\d\d$/.test(first.rows[0].admission_date)).toBe(true);
    expect(first.rows[0]._ingested_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  });

  it('answers errors with a status and a stable code', async () => {
    const cases: [string, number, string][] = [
      [`/api/tables/patients_silver?where=${encodeURIComponent("name = 'Ann'")}`, 403, 'PHI_MASKED'],
      [`/api/tables/patients_silver?where=${encodeURIComponent('age >')}`, 400, 'BAD_WHERE'],
      [`/api/tables/patients_silver?where=${encodeURIComponent('agee > 3')}`, 400, 'BAD_WHERE'],
      ['/api/tables/patients_silverr', 404, 'UNKNOWN_DATASET'],
      ['/api/tables/patients_clean', 400, 'DATASET_NOT_STORED'],
      ['/api/tables/patients_silver?limit=ten', 400, 'BAD_PARAMETER'],
      ['/api/tables/patients_silver?columns=nope', 400, 'UNKNOWN_COLUMN'],
      ['/api/events?since=yesterday-ish', 400, 'BAD_PARAMETER'],
      ['/api/nothing', 404, 'NOT_FOUND'],
    ];
    for (const [p, status, code] of cases) {
      const r = await http(ui.origin, p);
      expect([p, r.status, r.body?.error?.code]).toEqual([p, status, code]);
      expect(r.body.error.message.length).toBeGreaterThan(0);
    }
    const post = await http(ui.origin, '/api/status', { method: 'POST', body: '{}' });
    expect([post.status, post.body.error.code]).toEqual([405, 'READ_ONLY']);
  });

  it('/api/events filters by type, level, dataset and time, newest first', async () => {
    const r = (await http(ui.origin, '/api/events?type=flow_progress&dataset=patients_silver&limit=0')).body;
    const [{ n }] = await duck.all(`SELECT count(*) AS n FROM read_parquet(${eventsGlob(out)}) WHERE event_type = 'flow_progress' AND json_extract_string(origin, '$.dataset_name') = 'patients_silver'`);
    expect(r.total).toBe(n);
    expect(r.events).toHaveLength(n as number);
    for (const e of r.events) { expect(e.event_type).toBe('flow_progress'); expect(e.origin.dataset_name).toBe('patients_silver'); }
    const times = r.events.map((e: { timestamp: string }) => e.timestamp);
    expect([...times].sort().reverse()).toEqual(times);
    const metrics = (await http(ui.origin, '/api/events?level=METRICS&limit=0')).body;
    const [{ m }] = await duck.all(`SELECT count(*) AS m FROM read_parquet(${eventsGlob(out)}) WHERE level = 'METRICS'`);
    expect(metrics.total).toBe(m);
    expect((await http(ui.origin, '/api/events?since=2000-01-01&until=2000-01-02')).body.total).toBe(0);
    expect((await http(ui.origin, '/api/events?type=create_update&limit=1')).body.events).toHaveLength(1);
  });

  it('/api/quality: pass rates as status reports them, per batch history summing to them', async () => {
    const q = (await http(ui.origin, '/api/quality?batches=50')).body;
    const status = (await http(ui.origin, '/api/status')).body;
    const fromStatus = status.tables.flatMap((t: { name: string; expectations: { name: string; pass_rate: number | null; failed_records: number }[] }) => t.expectations.map((x) => [t.name, x.name, x.pass_rate, x.failed_records]));
    expect(q.expectations.map((x: { dataset: string; name: string; pass_rate: number; failed_records: number }) => [x.dataset, x.name, x.pass_rate, x.failed_records])).toEqual(fromStatus);
    const validAge = q.expectations.find((x: { name: string }) => x.name === 'valid_age');
    expect(validAge.failed_records).toBeGreaterThan(0);
    expect(validAge.action).toBe('drop');
    expect(validAge.constraint).toContain('age');
    expect(validAge.quarantine).toBe('patients_quarantine');
    expect(validAge.history.reduce((s: number, h: { failed: number }) => s + h.failed, 0)).toBe(validAge.failed_records);
    expect(q.quarantines.map((x: { table: string }) => x.table)).toEqual(['patients_quarantine', 'vitals_quarantine', 'patient_updates_quarantine']);
  });

  it('/api/updates: the update and its batches, with rows in as bronze received them', async () => {
    const u = (await http(ui.origin, '/api/updates')).body;
    expect(u.updates).toHaveLength(1);
    expect(u.updates[0].state).toBe('COMPLETED');
    const inRows = u.batches.reduce((s: number, b: { rows_in: number }) => s + b.rows_in, 0);
    const [{ n }] = await duck.all(`SELECT (SELECT count(*) FROM read_parquet(${tableGlob(out, 'patients_bronze')})) + (SELECT count(*) FROM read_parquet(${tableGlob(out, 'vitals_bronze')})) AS n`);
    expect(inRows).toBe(n);
    for (const b of u.batches) { expect(b.duration_ms).toBeGreaterThanOrEqual(0); expect(b.status).toBe('COMPLETED'); }
    const tables = (await http(ui.origin, '/api/tables')).body.tables.map((t: { name: string }) => t.name);
    expect(tables).toEqual(buildGraph(patientPipeline).order.filter((n) => buildGraph(patientPipeline).datasets.get(n)!.persisted));
  });

  it('serves the page with a strict Content-Security-Policy and answers only to its own Host', async () => {
    const page = await http(ui.origin, '/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<script type="module" src="/app.js"></script>');
    expect(page.text).not.toMatch(/<script>(?!<\/script>)|<style>|style="/);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const js = await http(ui.origin, '/app.js');
    expect([js.status, js.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect((await http(ui.origin, '/../package.json')).status).toBe(404);
    // fetch cannot set Host: a plain node:http request (as a rebound DNS name would send)
    const rebound = await new Promise<{ status: number; body: any }>((resolve, reject) => {
      const u = new URL(ui.origin);
      nodeHttp.get({ host: u.hostname, port: u.port, path: '/api/status', headers: { Host: `evil.example:${u.port}` } }, (res) => {
        let t = '';
        res.setEncoding('utf8').on('data', (d: string) => { t += d; }).on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(t) }));
      }).on('error', reject);
    });
    expect([rebound.status, rebound.body.error.code]).toEqual([421, 'WRONG_HOST']);
    // requests are not logged (nothing identifying reaches the logs)
    expect(ui.child.stderr().trim().split('\n')).toEqual([`listening on ${ui.url}`]);
  });

  it('/api/stream pushes a change when a new batch commits', async () => {
    const ac = new AbortController();
    const res = await fetch(ui.origin + '/api/stream', { signal: ac.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    const pump = (async () => { for (;;) { const { value, done } = await reader.read(); if (done) break; text += new TextDecoder().decode(value); } })().catch(() => undefined);
    await waitFor('hello', () => text.includes('event: hello'));
    const before = (await http(ui.origin, '/api/status')).body.tables.find((t: { name: string }) => t.name === 'patients_bronze').rows;
    const late = pool.files.find((n) => n.startsWith('patients_') && n.endsWith('000002.csv'))!;
    fs.copyFileSync(path.join(pool.dir, late), path.join(input, late));
    const r = await runCli(['replay', input, '--output', out, '--log-level', 'warn'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    await waitFor('a change event', () => text.includes('event: change'), 10_000);
    const after = (await http(ui.origin, '/api/status')).body.tables.find((t: { name: string }) => t.name === 'patients_bronze').rows;
    expect(after - before).toBe(pool.records.get(late));
    ac.abort();
    await pump;
  });
});

describe('the inspect commands and the dashboard read datasets from the event log', () => {
  it('status, show and events describe another pipeline without --pipeline', async () => {
    const withModule = await runCli(['status', '--output', visitsOut, '--json', '--pipeline', path.join(work, 'visits.mjs')]);
    const fromLog = await runCli(['status', '--output', visitsOut, '--json']);
    expect(fromLog.code, fromLog.stderr).toBe(0);
    expect(JSON.parse(fromLog.stdout)).toEqual(JSON.parse(withModule.stdout));
    const s = JSON.parse(fromLog.stdout);
    expect(s.pipeline).toBe('visits');
    expect(s.tables.map((t: { name: string; rows: number }) => [t.name, t.rows])).toEqual([['visits_raw', 3], ['visits_clean', 2], ['visits_bad', 1]]);
    const show = await runCli(['show', 'visits_bad', '--output', visitsOut, '--json']);
    expect(show.code, show.stderr).toBe(0);
    expect(JSON.parse(show.stdout.trim())).toMatchObject({ mrn: 'M-1002', ward: 'W2', score: null, _failed_expectations: ['has_score'] });
    const ev = await runCli(['events', '--output', visitsOut, '--flow', 'visits_clean', '--type', 'flow_progress', '--json']);
    expect(ev.stdout.trim().split('\n').map((l) => JSON.parse(l).origin.flow_name)).toEqual(['visits_clean']);
    const unknown = await runCli(['show', 'patients_silver', '--output', visitsOut]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('UNKNOWN_DATASET');
  });

  it('masks the columns tagged phi (table property, column comment) and the --redact columns, unless --show-phi', async () => {
    const masked = await serve(['ui', '--output', visitsOut, '--port', '0']);
    served.push(masked);
    const t = (await http(masked.origin, '/api/tables/visits_raw')).body;
    expect(t.columns.map((c: { name: string; masked: boolean }) => [c.name, c.masked]).slice(0, 4)).toEqual([['mrn', true], ['dob', true], ['ward', false], ['score', false]]);
    expect(t.rows.map((r: Record<string, unknown>) => [r.mrn, r.dob, r.ward])).toEqual([['***', '***', 'W1'], ['***', '***', 'W2'], ['***', '***', 'W1']]);
    expect((await http(masked.origin, `/api/tables/visits_raw?where=${encodeURIComponent("mrn = 'M-1001'")}`)).body.error.code).toBe('PHI_MASKED');
    const g = (await http(masked.origin, '/api/graph')).body;
    expect(g.nodes.map((n: { name: string }) => n.name)).toEqual(['visits_raw', 'visits_clean', 'visits_bad']);
    const open = await serve(['ui', '--output', visitsOut, '--port', '0', '--show-phi']);
    served.push(open);
    const u = (await http(open.origin, `/api/tables/visits_raw?where=${encodeURIComponent("mrn = 'M-1001'")}`)).body;
    expect(u.rows).toEqual([expect.objectContaining({ mrn: 'M-1001', dob: '1950-02-03', ward: 'W1', score: 7 })]);
    const redacted = await runCli(['show', 'visits_raw', '--output', visitsOut, '--json', '--redact']);
    expect(redacted.stdout.trim().split('\n').map((l) => JSON.parse(l)).map((r) => [r.mrn, r.dob, r.ward])).toEqual([['***', '***', 'W1'], ['***', '***', 'W2'], ['***', '***', 'W1']]);
    // the comments are in the event log's dataset definitions
    const [{ d }] = await duck.all(`SELECT details AS d FROM read_parquet(${eventsGlob(visitsOut)}) WHERE event_type = 'dataset_definition' AND json_extract_string(origin, '$.dataset_name') = 'visits_raw' LIMIT 1`);
    const def = JSON.parse(d as string).dataset_definition;
    expect(def.schema.find((f: { name: string }) => f.name === 'mrn').comment).toBe('Medical record number [PHI]');
    expect(def.table_properties.phi).toBe('dob');
  });

  it('a comment or phi tag naming a column the dataset does not have is refused', () => {
    const raw = streamingTable('r', { query: readCsv({ glob: '*.csv', schema: { a: 'string' } }), columnComments: { b: 'PHI' } });
    expect(() => buildGraph(definePipeline([raw]))).toThrow(expect.objectContaining({ code: 'UNKNOWN_COLUMN', params: expect.objectContaining({ column: 'b' }) }));
    const tagged = streamingTable('r', { query: readCsv({ glob: '*.csv', schema: { a: 'string' } }), properties: { phi: 'a, c' } });
    expect(() => buildGraph(definePipeline([tagged]))).toThrow(expect.objectContaining({ code: 'UNKNOWN_COLUMN', params: expect.objectContaining({ column: 'c' }) }));
    const ok = streamingTable('r', { query: readCsv({ glob: '*.csv', schema: { a: 'string' } }), properties: { phi: 'a' } });
    const s = streamingTable('s', { query: stream(ok).select('a'), expectOrDrop: { x: col('a').isNotNull() }, quarantine: 'q' });
    expect(buildGraph(definePipeline([ok, s])).order).toEqual(['r', 's', 'q']);
  });
});

describe('the page', () => {
  it('type-checks (its own tsconfig: DOM, bundled by esbuild, so tsc -p tsconfig.json leaves it out)', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'src', 'dashboard', 'web', 'tsconfig.json')], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('exposure', () => {
  it('a non-loopback host without --token exits 2 with UI_TOKEN_REQUIRED (ui, run --ui)', async () => {
    for (const args of [['ui', '--output', out, '--host', '0.0.0.0'], ['run', '--ui', '--input', input, '--output', path.join(work, 'never'), '--host', '192.0.2.1']]) {
      const r = await runCli(args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^error UI_TOKEN_REQUIRED: /m);
      expect(r.stderr).not.toContain('listening on');
    }
    expect(fs.existsSync(path.join(work, 'never'))).toBe(false);
    const stray = await runCli(['replay', input, '--output', out, '--port', '5000']);
    expect([stray.code, /--port configures the dashboard; add --ui/.test(stray.stderr)]).toEqual([2, true]);
  });

  it('a run that fails to start does not keep serving: it exits with its error', async () => {
    const r = await runCli(['run', '--ui', '--port', '0', '--input', input, '--output', path.join(work, 'fails'), '--full-refresh', 'no_such_table'], { timeoutMs: 60_000 });
    expect(r.stderr).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+\/$/m);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^error [A-Z_]+: /m);
  });

  it('with --token every request carries it; the page gets it as an HttpOnly cookie and loses it from the URL', async () => {
    const secret = 's3cret-token-for-tests';
    const s = await serve(['ui', '--output', out, '--port', '0', '--token', secret]);
    served.push(s);
    expect(s.url).toBe(`${s.origin}/?token=${secret}`);
    expect((await http(s.origin, '/api/status')).body.error.code).toBe('UNAUTHORIZED');
    expect((await http(s.origin, '/')).status).toBe(401);
    expect((await http(s.origin, '/api/status', { headers: { Authorization: 'Bearer wrong-token-xx' } })).status).toBe(401);
    expect((await http(s.origin, '/api/status', { headers: { Authorization: `Bearer ${secret}` } })).status).toBe(200);
    const open = await http(s.origin, `/?token=${secret}`);
    expect(open.status).toBe(303);
    expect(open.headers.get('location')).toBe('/');
    const cookie = open.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const withCookie = await http(s.origin, '/api/graph', { headers: { Cookie: cookie.split(';')[0] } });
    expect(withCookie.status).toBe(200);
  });
});
