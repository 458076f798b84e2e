/**
 * The dashboard's HTTP server (node:http): the page (static files built by
 * `npm run build` into `dist/src/dashboard/web/`), the JSON API (`api.ts`) and
 * a live feed (`/api/stream`, server-sent events).
 *
 * - Read-only: GET and HEAD only; it never writes to the output folder and
 *   takes no writer lock, so it runs beside a running pipeline.
 * - Loopback by default. A non-loopback host needs `--token`; with a token,
 *   every request carries it (`Authorization: Bearer <t>`, the cookie the page
 *   gets when opened with `?token=<t>`, or `?token=<t>`).
 * - Requests whose Host header is not this server's are refused (a web page
 *   elsewhere cannot read the API through DNS rebinding).
 * - A strict Content-Security-Policy: scripts and styles from this server only,
 *   no inline code, no other origin.
 * - Live: the event log is checked every 250 ms (one stat of its next Delta
 *   version); a new version is pushed to every page as a `change` event.
 * - Nothing identifying goes into logs: requests are not logged.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Pipeline } from '../../engine/index.js';
import { UsageError } from '../cli/args.js';
import { OutputReader } from '../cli/output-reader.js';
import { redactor } from '../cli/inspect.js';
import {
  ApiError, configPayload, eventsPayload, graphPayload, qualityPayload, tableRowsPayload, tablesPayload, updatesPayload, type ApiContext,
} from './api.js';

export interface DashboardOptions {
  output: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
  showPhi?: boolean;
  pipeline?: Pipeline;
  /** How often the event log is checked for a new version (ms). */
  pollMs?: number;
}

export interface Dashboard {
  /** `http://<host>:<port>/` (with `?token=` when a token is set). */
  readonly url: string;
  readonly port: number;
  /** Pushes a change to the pages now (the running pipeline calls it after a batch). */
  notify(): void;
  close(): Promise<void>;
}

export const CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "font-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.map': 'application/json',
};

/** The folder of the built page (`dist/src/dashboard/web`). */
export function webDir(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'web');
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Refuses a non-loopback host without a token (exit 2, UI_TOKEN_REQUIRED). */
export function checkExposure(host: string, token: string | undefined): void {
  if (!isLoopback(host) && !token) {
    throw new UsageError(`--host ${host} is not a loopback address: the dashboard would be reachable from other machines without a token (use --token <secret>, or keep the default --host 127.0.0.1)`, 'UI_TOKEN_REQUIRED');
  }
  if (token !== undefined && token.length < 8) throw new UsageError('--token must be at least 8 characters', 'UI_TOKEN_TOO_SHORT');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: http.IncomingMessage): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === 'localdlt_token') return decodeURIComponent(v.join('='));
  }
  return null;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const host = opts.host ?? '127.0.0.1';
  checkExposure(host, opts.token);
  const reader = new OutputReader(opts.output, { pipeline: opts.pipeline });
  const ctx: ApiContext = { reader, showPhi: opts.showPhi === true };
  const web = webDir();
  if (!fs.existsSync(path.join(web, 'index.html'))) {
    throw new UsageError(`the dashboard page is not built (${web} is missing); run npm run build`, 'UI_NOT_BUILT');
  }
  const clients = new Set<http.ServerResponse>();
  let port = 0;

  const send = (res: http.ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-store', ...extra });
    res.end(res.req.method === 'HEAD' ? undefined : body);
  };
  const json = (res: http.ServerResponse, status: number, body: unknown) => send(res, status, JSON.stringify(body), 'application/json; charset=utf-8');
  const fail = (res: http.ServerResponse, status: number, code: string, message: string, hint?: string) => json(res, status, { error: { code, message, ...(hint ? { hint } : {}) } });

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${urlHost(host)}:${port}`].map((h) => h.toLowerCase()));

  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'READ_ONLY', 'the dashboard is read-only: GET and HEAD only');
    // a token opens the door; without one only loopback Host headers are served
    if (opts.token) {
      const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? null;
      const given = bearer ?? url.searchParams.get('token') ?? cookieToken(req);
      if (given === null || !sameSecret(given, opts.token)) return fail(res, 401, 'UNAUTHORIZED', 'this dashboard needs its token', 'open the URL the dashboard printed (with ?token=…) or send Authorization: Bearer <token>');
      if (url.searchParams.has('token') && (url.pathname === '/' || url.pathname === '/index.html')) {
        // keep the secret out of the address bar and history: a cookie, then the page without it
        res.writeHead(303, { ...SECURITY_HEADERS, Location: '/', 'Set-Cookie': `localdlt_token=${encodeURIComponent(opts.token)}; HttpOnly; SameSite=Strict; Path=/`, 'Cache-Control': 'no-store' });
        return res.end();
      }
    } else if (!allowedHosts().has(String(req.headers.host ?? '').toLowerCase())) {
      return fail(res, 421, 'WRONG_HOST', 'this server answers only to its own address');
    }
    try {
      route(url, req, res);
    } catch (e) {
      if (e instanceof ApiError) return fail(res, e.status, e.code, e.message, e.hint);
      const code = (e as { code?: string })?.code;
      return fail(res, 500, typeof code === 'string' && /^[A-Z_]+$/.test(code) ? code : 'INTERNAL_ERROR', (e as Error)?.message ?? String(e));
    }
  };

  const route = (url: URL, req: http.IncomingMessage, res: http.ServerResponse) => {
    const p = url.pathname;
    const q = url.searchParams;
    if (p === '/api/status') return json(res, 200, reader.status());
    if (p === '/api/graph') return json(res, 200, graphPayload(ctx));
    if (p === '/api/quality') return json(res, 200, qualityPayload(ctx, q));
    if (p === '/api/updates') return json(res, 200, updatesPayload(ctx, q));
    if (p === '/api/events') return json(res, 200, eventsPayload(ctx, q, redactor(reader)));
    if (p === '/api/tables') return json(res, 200, tablesPayload(ctx));
    if (p.startsWith('/api/tables/')) return json(res, 200, tableRowsPayload(ctx, decodeURIComponent(p.slice('/api/tables/'.length)), q));
    if (p === '/api/config') return json(res, 200, configPayload(ctx));
    if (p === '/api/stream') return stream(req, res);
    if (p.startsWith('/api/')) return fail(res, 404, 'NOT_FOUND', `no API at ${p}`, 'see the README: /api/status, /api/graph, /api/quality, /api/updates, /api/events, /api/tables, /api/stream');
    const file = p === '/' ? 'index.html' : p.slice(1);
    if (!/^[A-Za-z0-9._-]+$/.test(file)) return fail(res, 404, 'NOT_FOUND', 'not found');
    const full = path.join(web, file);
    let body: Buffer;
    try { body = fs.readFileSync(full); } catch { return fail(res, 404, 'NOT_FOUND', 'not found'); }
    return send(res, 200, body, TYPES[path.extname(file)] ?? 'application/octet-stream', { 'Cache-Control': file === 'index.html' ? 'no-store' : 'no-cache' });
  };

  const stream = (req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write(`retry: 1000\nevent: hello\ndata: ${JSON.stringify({ version: reader.events.version })}\n\n`);
    clients.add(res);
    req.on('close', () => clients.delete(res));
  };

  const broadcast = () => {
    const msg = `event: change\ndata: ${JSON.stringify({ version: reader.events.version, at: new Date().toISOString() })}\n\n`;
    for (const c of clients) c.write(msg);
  };

  let checking = false;
  const check = () => {
    if (checking) return;
    checking = true;
    try {
      if (reader.events.changed() || reader.events.version < 0) {
        const before = reader.events.version;
        reader.allEvents();
        if (reader.events.version !== before) broadcast();
      }
    } catch { /* a log being written: next time */ } finally { checking = false; }
  };
  const timer = setInterval(check, opts.pollMs ?? 250);
  const ping = setInterval(() => { for (const c of clients) c.write(': ping\n\n'); }, 15_000);

  const server = http.createServer(handle);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      clearInterval(timer); clearInterval(ping);
      reject(e.code === 'EADDRINUSE'
        ? new UsageError(`port ${opts.port} on ${host} is in use (pass --port <another>, or --port 0 for a free one)`, 'UI_PORT_IN_USE')
        : e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND'
          ? new UsageError(`--host ${host} is not an address of this machine`, 'UI_BAD_HOST')
          : e);
    });
    server.listen(opts.port ?? 4040, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  let closed = false;
  const url = `http://${urlHost(host)}:${port}/${opts.token ? `?token=${encodeURIComponent(opts.token)}` : ''}`;
  return {
    url, port,
    notify: () => { check(); },
    close: () => new Promise<void>((resolve) => {
      if (closed) return resolve();
      closed = true;
      clearInterval(timer); clearInterval(ping);
      for (const c of clients) c.end();
      clients.clear();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
