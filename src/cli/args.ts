/**
 * Command-line parsing: `--name value`, `--name=value`, boolean flags and
 * positionals, with every unknown option refused with one clear line.
 */
export class UsageError extends Error {
  /** BAD_USAGE, or a more precise code (e.g. UI_TOKEN_REQUIRED). */
  readonly code: string;
  constructor(message: string, code = 'BAD_USAGE') {
    super(message);
    this.code = code;
  }
}

export interface OptionSpec {
  /** Takes a value (default) or is a flag. */
  flag?: boolean;
  /** Other spellings, e.g. ['input']. */
  aliases?: string[];
  /** May be given more than once: the values are joined with commas. */
  repeat?: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string>;
  flags: Set<string>;
  /** Every value of each option, in order (a repeated option's values, commas inside them kept). */
  lists: Record<string, string[]>;
}

export function parseArgs(argv: readonly string[], spec: Record<string, OptionSpec>, command: string): ParsedArgs {
  const names = new Map<string, string>();
  for (const [name, s] of Object.entries(spec)) {
    names.set(name, name);
    for (const a of s.aliases ?? []) names.set(a, name);
  }
  const out: ParsedArgs = { positionals: [], values: {}, flags: new Set(), lists: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { out.positionals.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith('-') || a === '-') { out.positionals.push(a); continue; }
    let raw = a.replace(/^--?/, '');
    let value: string | undefined;
    const eq = raw.indexOf('=');
    if (eq >= 0) { value = raw.slice(eq + 1); raw = raw.slice(0, eq); }
    const name = names.get(raw);
    if (!name) throw new UsageError(`${command}: unknown option ${a.split('=')[0]} (see: ${command} --help)`);
    if (spec[name].flag) {
      if (value !== undefined) throw new UsageError(`${command}: --${raw} takes no value`);
      out.flags.add(name);
      continue;
    }
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || (value.startsWith('--') && value.length > 2)) throw new UsageError(`${command}: --${raw} needs a value`);
      i++;
    }
    (out.lists[name] ??= []).push(value);
    if (name in out.values) {
      if (!spec[name].repeat) throw new UsageError(`${command}: --${raw} given twice`);
      out.values[name] += ',' + value;
      continue;
    }
    out.values[name] = value;
  }
  return out;
}

export function intOption(v: string | undefined, name: string, command: string, min = 0): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`${command}: --${name} must be a whole number ≥ ${min}, got "${v}"`);
  return Number(v);
}
