/**
 * Logs go to stderr through pino: JSON lines when stderr is not a terminal,
 * short readable lines on a terminal. Data never goes to stderr and logs never
 * go to stdout.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Logger } from '../../engine/runtime/service.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

function prettyStream(color: boolean): Writable {
  const c = (code: number, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  return new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) {
        if (!line.trim()) continue;
        try {
          const o = JSON.parse(line) as Record<string, unknown>;
          const { level, time, msg, pid: _p, hostname: _h, ...rest } = o;
          const name = LEVEL_NAMES[level as number] ?? String(level);
          const t = new Date(time as number).toISOString().slice(11, 19);
          const lvl = name === 'error' || name === 'fatal' ? c(31, name.toUpperCase()) : name === 'warn' ? c(33, 'WARN') : c(2, name.toUpperCase());
          const extra = Object.entries(rest).map(([k, v]) => `${c(2, k + '=')}${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
          process.stderr.write(`${c(2, t)} ${lvl} ${msg ?? ''}${extra ? ' ' + extra : ''}\n`);
        } catch {
          process.stderr.write(line + '\n');
        }
      }
      cb();
    },
  });
}

export function createLogger(level: LogLevel = 'info', format: 'auto' | 'json' | 'pretty' = 'auto'): Logger & { level: string } {
  const tty = process.stderr.isTTY === true;
  const pretty = format === 'pretty' || (format === 'auto' && tty);
  const dest = pretty ? prettyStream(tty && !process.env.NO_COLOR) : pino.destination({ fd: 2, sync: true });
  return pino({ level, base: undefined }, dest) as unknown as Logger & { level: string };
}
