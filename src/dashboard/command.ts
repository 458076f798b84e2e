/**
 * The `ui` command, and the `--ui` options of `run`, `replay` and `start`.
 *
 * Whatever the log format, serving prints one plain line to stderr:
 * `listening on http://<host>:<port>/` (with `?token=…` when a token is set).
 */
import { parseArgs, UsageError, type OptionSpec } from '../cli/args.js';
import { loadPipeline } from '../cli/pipeline-module.js';
import { PIPELINE_OPTIONS } from '../cli/pipeline-options.js';
import { requireOutput } from '../cli/output-reader.js';
import type { Pipeline } from '../../engine/index.js';
import { checkExposure, startDashboard, type Dashboard } from './server.js';

/** The options that configure the dashboard server (with `ui`, or `--ui` on run/replay). */
export const SERVE_OPTIONS: Record<string, OptionSpec> = {
  port: {},
  host: {},
  token: {},
  'show-phi': { flag: true },
};

export interface ServeSettings {
  host: string;
  port: number;
  token?: string;
  showPhi: boolean;
}

export const DEFAULT_UI_PORT = 4040;

/** Reads --port, --host, --token and --show-phi; refuses a non-loopback host without a token. */
export function serveSettings(values: Record<string, string>, flags: Set<string>, command: string): ServeSettings {
  const portText = values.port ?? String(DEFAULT_UI_PORT);
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new UsageError(`${command}: --port must be a port number (0 to 65535; 0 picks a free port), got "${portText}"`);
  const host = values.host ?? '127.0.0.1';
  const token = values.token ?? process.env.LOCALDLT_UI_TOKEN ?? undefined;
  checkExposure(host, token);
  return { host, port: Number(portText), token, showPhi: flags.has('show-phi') };
}

/** Starts the server on an output folder and prints the `listening on` line. */
export async function serveDashboard(output: string, s: ServeSettings, pipeline?: Pipeline): Promise<Dashboard> {
  const d = await startDashboard({ output, host: s.host, port: s.port, token: s.token, showPhi: s.showPhi, pipeline });
  process.stderr.write(`listening on ${d.url}\n`);
  return d;
}

export const UI_HELP = `usage: node dist/run.js ui [--output <dir>] [--port 4040] [--host 127.0.0.1] [--token <secret>] [--show-phi]

Serves the live dashboard for an output folder: the pipeline graph, data quality,
updates and events, patient trends, vitals alerts and a table browser. It only
reads the folder (the event log and the Delta tables), so it runs beside a
running pipeline or alone over a finished one; pages update within a second of
each commit. Prints "listening on http://<host>:<port>/" to stderr.

options:
  --output <dir>          tables and event log (default output/)
  --port N                port (default 4040; 0 picks a free port)
  --host <addr>           address to bind (default 127.0.0.1); any other than a loopback
                          address needs --token
  --token <secret>        every request must carry it (the printed URL has it; the page
                          keeps it in a cookie); also read from LOCALDLT_UI_TOKEN
  --show-phi              show name, address, contact_number and columns tagged phi
                          (masked by default)
  --pipeline <module.js>  describe the output with this pipeline (default: the event log's definitions)

example:
  node dist/run.js ui --output output --port 0`;

export async function cmdUi(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { ...SERVE_OPTIONS, output: {}, ...PIPELINE_OPTIONS, 'log-level': {}, 'log-format': {}, verbose: { flag: true }, help: { flag: true, aliases: ['h'] } }, 'ui');
  if (a.flags.has('help')) { process.stdout.write(UI_HELP + '\n'); return 0; }
  if (a.positionals.length) throw new UsageError(`ui: unexpected argument "${a.positionals[0]}"`);
  const settings = serveSettings(a.values, a.flags, 'ui');
  const output = a.values.output ?? 'output';
  requireOutput(output, 'ui');
  const pipeline = a.values.pipeline !== undefined ? await loadPipeline(a.values.pipeline, a) : undefined;
  const d = await serveDashboard(output, settings, pipeline);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await d.close();
  return 0;
}

/** Waits for Ctrl-C / SIGTERM (replay --ui keeps serving after the replay). */
export function untilStopped(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
