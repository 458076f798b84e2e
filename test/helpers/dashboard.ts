/**
 * Helpers for the dashboard tests: a served CLI child and its URL, HTTP
 * requests to it, and a headless Chromium (the OS package, driven by
 * playwright-core; Playwright's own browser download is not used).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startCli, waitFor, type LiveChild } from './cli.js';

/** The URL of a `listening on http://…/` line of a child's stderr. */
export function listeningUrl(stderr: string): string | undefined {
  return /^listening on (http:\/\/\S+)$/m.exec(stderr)?.[1];
}

export interface Served {
  child: LiveChild;
  /** The printed URL (with ?token= when one is set). */
  url: string;
  /** `http://host:port` without path. */
  origin: string;
}

/** Starts a command that serves the dashboard (`ui`, `run --ui`, …) and waits for its URL. */
export async function serve(args: string[], opts: { env?: Record<string, string | undefined> } = {}): Promise<Served> {
  const child = startCli(args, opts);
  const url = await waitFor(`"listening on" from ${args[0]}`, () => {
    if (child.child.exitCode !== null) throw new Error(`${args.join(' ')} exited ${child.child.exitCode}:\n${child.stderr()}`);
    return listeningUrl(child.stderr());
  }, 60_000);
  return { child, url, origin: new URL(url).origin };
}

export async function stopServed(s: Served | undefined): Promise<void> {
  if (!s || s.child.child.exitCode !== null || s.child.child.signalCode !== null) return;
  s.child.child.kill('SIGTERM');
  const t = setTimeout(() => s.child.child.kill('SIGKILL'), 15_000);
  await s.child.exited;
  clearTimeout(t);
}

export interface HttpResult { status: number; headers: Headers; body: any; text: string }

export async function http(origin: string, p: string, init: RequestInit = {}): Promise<HttpResult> {
  let res: Response;
  try {
    res = await fetch(origin + p, { redirect: 'manual', ...init });
  } catch (e) {
    // a kept-alive connection the server closed while its event loop was busy (a batch running): a GET is sent once more
    const code = (e as { cause?: { code?: string } }).cause?.code;
    if ((init.method ?? 'GET') !== 'GET' || (code !== 'ECONNRESET' && code !== 'UND_ERR_SOCKET')) throw e;
    res = await fetch(origin + p, { redirect: 'manual', ...init });
  }
  const text = await res.text();
  let body: any = null;
  try { body = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, body, text };
}

// ------------------------------------------------------------------ Chromium

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** The Chromium to drive: LOCALDLT_CHROMIUM, /usr/bin/chromium, or one on PATH; null when there is none. */
export function findChromium(): string | null {
  const env = process.env.LOCALDLT_CHROMIUM;
  if (env && fs.existsSync(env)) return env;
  if (fs.existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    for (const name of CANDIDATES) {
      const p = path.join(dir, name);
      try { fs.accessSync(p, fs.constants.X_OK); return p; } catch { /* next */ }
    }
  }
  return null;
}

/**
 * Flags for a headless Chromium in a closed network: without the background
 * networking switches its own connections are refused and slow every start.
 */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--hide-scrollbars', '--mute-audio',
];

/** A fresh browser context in a fresh profile folder (closing it closes Chromium). */
export async function launchChromium(executablePath: string) {
  const { chromium } = await import('playwright-core');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'localdlt-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, timeout: 60_000,
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      fs.rmSync(userDataDir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}
