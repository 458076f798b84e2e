/**
 * The command line as a person uses it: `node dist/run.js <command>` run as a
 * child process, checking stdout, stderr and the exit code of every command,
 * bad usage included:
 *
 * - data goes to stdout, logs and notes to stderr; no colour when not on a terminal;
 * - table output fits 80 columns;
 * - bad usage (a missing or unknown argument, option or command) exits 2 with
 *   one line `error BAD_USAGE: ...`; an unknown table exits 1 with
 *   `error UNKNOWN_DATASET: ...` and a hint listing the tables;
 * - every command's --help shows an example.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Duck, sqlString } from './helpers/duck.js';
import { ensureBuilt, logLines, runCli, startCli, tempDir, waitFor, type CliResult } from './helpers/cli.js';
import { readEventLog } from '../engine/index.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const DIRTY = path.join(ROOT, 'test', 'fixtures', 'dirty');
const ANSI = /\u001b\[/;
/** Each test runs several child processes (slow on a loaded machine). */
const T = { timeout: 120_000 };

let work: string;
let out: string;
let replayed: CliResult;
let duck: Duck;
/** Names, addresses and phone numbers of the fixture's patients (for the redaction checks). */
let identifying: string[];

const lines = (s: string) => s.split('\n').filter((l) => l.length > 0);
const widest = (s: string) => Math.max(0, ...s.split('\n').map((l) => [...l].length));

function expectBadUsage(r: CliResult, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const err = lines(r.stderr);
  expect(err, r.stderr).toHaveLength(1);
  expect(err[0]).toMatch(/^error BAD_USAGE: /);
  expect(err[0]).toMatch(pattern);
}

beforeAll(async () => {
  ensureBuilt();
  work = tempDir('cli');
  out = path.join(work, 'out');
  duck = await Duck.open();
  replayed = await runCli(['replay', DIRTY, '--output', out, '--max-files-per-trigger', '2']);
  const people = await duck.all(`SELECT name, address, contact_number FROM read_parquet(${sqlString(path.join(out, 'tables', 'patients_silver', '*.parquet'))})`);
  identifying = people.flatMap((r) => [r.name, r.address, r.contact_number]).filter((v): v is string => typeof v === 'string' && v.length > 3);
}, 120_000);

afterAll(() => {
  duck?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('replay', T, () => {
  it('prints a summary on stdout, JSON logs on stderr, and writes the tables and the event log', async () => {
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(replayed.stdout).toMatch(/^2 batches, 4 new files/);
    for (const t of ['patients_bronze', 'patients_quarantine', 'patients_silver', 'patient_stats_by_gender']) expect(replayed.stdout).toContain(t);
    expect(replayed.stdout).toMatch(/dropped\s+11\s+valid_age/);
    expect(ANSI.test(replayed.stdout + replayed.stderr)).toBe(false);
    const logs = logLines(replayed.stderr);
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.filter((l) => l.msg === 'batch committed')).toHaveLength(2);
    expect(fs.existsSync(path.join(out, 'tables', 'patients_silver', '_delta_log'))).toBe(true);
    const events = await readEventLog(out);
    expect(events[0].event_type).toBe('create_update');
    expect(events[0].details.create_update.cause).toBe('USER_ACTION');
    expect(events.at(-1)!.details.update_progress.state).toBe('COMPLETED');
  });

  it('keeps patient data out of its logs', () => {
    expect(identifying.length).toBeGreaterThan(10);
    for (const v of identifying) expect(replayed.stderr.includes(v), v).toBe(false);
  });

  it('refuses bad usage with exit 2 and one line', async () => {
    expectBadUsage(await runCli(['replay']), /missing <input-dir>/);
    expectBadUsage(await runCli(['replay', path.join(work, 'no-such-folder'), '--output', out]), /does not exist/);
    expectBadUsage(await runCli(['replay', DIRTY, '--output', out, '--bogus']), /unknown option --bogus/);
    expectBadUsage(await runCli(['replay', DIRTY, '--max-files-per-trigger', 'many']), /--max-files-per-trigger must be a whole number/);
    expectBadUsage(await runCli(['replay', DIRTY, '--log-level', 'chatty']), /--log-level/);
  });

  it('a second replay skips every file and appends a second update to the event log', async () => {
    const r = await runCli(['replay', DIRTY, '--output', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/0 new files \(4 already ingested, skipped\)/);
    const events = await readEventLog(out);
    expect(events.filter((e) => e.event_type === 'create_update')).toHaveLength(2);
  });
});

describe('unknown commands and help', T, () => {
  it('an unknown command exits 2 with one line', async () => {
    expectBadUsage(await runCli(['frobnicate']), /unknown command "frobnicate".*status, show, events/);
  });

  it('no command prints the help and exits 2', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    for (const c of ['replay', 'run', 'start', 'generate', 'validate', 'graph', 'status', 'show', 'events']) expect(r.stdout).toMatch(new RegExp(`^  ${c}\\s`, 'm'));
  });

  it.each(['replay', 'run', 'start', 'generate', 'validate', 'graph', 'status', 'show', 'events'])('%s --help shows usage and an example', async (command) => {
    const r = await runCli([command, '--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/usage:/);
    expect(r.stdout).toMatch(new RegExp(`example:\\n  (node dist/run.js|npm) .*${command === 'start' ? '' : command}`));
    expect(r.stderr).toBe('');
    const h = await runCli(['help', command]);
    expect(h.stdout).toBe(r.stdout);
  });

  it('sql --help shows an example (when the sql command exists)', async () => {
    const main = await runCli(['--help']);
    if (!/^  sql\s/m.test(main.stdout)) return; // not wired in this build
    const r = await runCli(['sql', '--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^usage:/);
    expect(r.stdout).toMatch(/examples?:\n {2}node dist\/run\.js sql /);
  });
});

describe('validate and graph', T, () => {
  it('validate says the pipeline is valid', async () => {
    const r = await runCli(['validate']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^valid: \d+ datasets \(\d+ persisted\)\n$/);
  });

  it('validate refuses a missing pipeline module', async () => {
    expectBadUsage(await runCli(['validate', '--pipeline', path.join(work, 'nope.js')]), /no module/);
  });

  it('graph prints text, Mermaid and DOT', async () => {
    const text = await runCli(['graph']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^patients_silver {2}\[streaming table silver\] {2}<- STREAM\(patients_clean\), diagnosis_mapping$/m);
    const mermaid = await runCli(['graph', '--format', 'mermaid']);
    expect(mermaid.stdout).toMatch(/^graph LR\n/);
    expect(mermaid.stdout).toContain('patients_bronze ==> patients_clean');
    const dot = await runCli(['graph', '--format', 'dot']);
    expect(dot.stdout).toMatch(/^digraph pipeline \{/);
    expectBadUsage(await runCli(['graph', '--format', 'png']), /--format must be text, mermaid or dot/);
  });
});

describe('generate', T, () => {
  it('writes files and reports on stderr', async () => {
    const dir = path.join(work, 'gen');
    const r = await runCli(['generate', '--out', dir, '--files', '2', '--rows', '10', '--every', '0', '--seed', '7']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/generated 2 patient files \(20 rows\)/);
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('patients_daily_file_'))).toHaveLength(2);
  });

  it('refuses a bad option', async () => {
    expectBadUsage(await runCli(['generate', '--out', path.join(work, 'gen2'), '--rows', 'ten']), /rows/);
  });
});

describe('status', T, () => {
  it("shows each table's kind, layer, rows, files, last commit and pass rates, in 80 columns", async () => {
    const r = await runCli(['status', '--output', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(ANSI.test(r.stdout)).toBe(false);
    expect(widest(r.stdout)).toBeLessThanOrEqual(80);
    expect(r.stdout).toMatch(/^pipeline patients/);
    expect(r.stdout).toMatch(/^last update [0-9a-f]{8} COMPLETED/m);
    expect(r.stdout).toMatch(/^patients_bronze\s+stream\s+bronze\s+42\s+\d+\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/m);
    expect(r.stdout).toMatch(/^patients_quarantine\s+stream\s+silver\s+19\s/m);
    expect(r.stdout).toMatch(/^patients_silver\s+stream\s+silver\s+17\s/m);
    expect(r.stdout).toMatch(/^patients_clean\s+view\s+silver\s+-\s+-\s+-$/m);
    expect(r.stdout).toMatch(/^diagnosis_mapping\s+mview\s+bronze\s+8\s+1\s/m);
    // pass rates: valid_age passed 31 of 42 rows of the view
    expect(r.stdout).toMatch(/^ {2}valid_age\s+drop\s+31 of 42\s+passed\s+73\.8%$/m);
    expect(r.stdout).toMatch(/^ {2}known_diagnosis\s+warn\s+13 of 17\s+passed\s+76\.5%$/m);
  });

  it('--json gives the same facts as one object', async () => {
    const r = await runCli(['status', '--output', out, '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.pipeline).toBe('patients');
    expect(s.last_update.state).toBe('COMPLETED');
    const clean = s.tables.find((t: { name: string }) => t.name === 'patients_clean');
    expect(clean.expectations.find((x: { name: string }) => x.name === 'valid_gender')).toMatchObject({ action: 'drop', passed_records: 37, failed_records: 5 });
    expect(s.tables.find((t: { name: string }) => t.name === 'patients_silver').rows).toBe(17);
  });

  it('refuses a missing output folder and unknown options', async () => {
    expectBadUsage(await runCli(['status', '--output', path.join(work, 'nowhere')]), /does not exist/);
    expectBadUsage(await runCli(['status', '--output', out, '--verbose-ish']), /unknown option/);
  });
});

describe('show', T, () => {
  it('prints an aligned table that fits 80 columns, oldest rows first', async () => {
    const r = await runCli(['show', 'patients_silver', '--output', out, '--limit', '5']);
    expect(r.code, r.stderr).toBe(0);
    const ls = lines(r.stdout);
    expect(ls).toHaveLength(2 + 5);
    expect(ls[0]).toMatch(/^patient_id\s+name\s+age\s+gender/);
    expect(ls[1]).toMatch(/^-+( {2}-+)+$/);
    expect(ls[2]).toMatch(/^P100\s/);
    expect(widest(r.stdout)).toBeLessThanOrEqual(80);
    expect(ANSI.test(r.stdout)).toBe(false);
    expect(r.stderr).toMatch(/columns not shown .*--columns/);
    expect(r.stderr).toMatch(/5 of 17 rows/);
  });

  it('cuts wide cells with … and keeps numbers whole', async () => {
    const r = await runCli(['show', 'patients_silver', '--output', out, '--columns', 'patient_id,age,diagnosis_description,_source_file,_line', '--limit', '0']);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toHaveLength(2 + 17);
    expect(widest(r.stdout)).toBeLessThanOrEqual(80);
    expect(r.stdout).toMatch(/^P102\s+120\s/m);
  });

  it('--where filters like SQL (AND, OR, NOT, IS NULL, parentheses), as DuckDB does', async () => {
    const silver = sqlString(path.join(out, 'tables', 'patients_silver', '*.parquet'));
    const cases = [
      ["age >= 60 AND (gender = 'F' OR diagnosis_description IS NULL)", "age >= 60 AND (gender = 'F' OR diagnosis_description IS NULL)"],
      ['NOT (age < 40) AND contact_number IS NOT NULL', 'NOT (age < 40) AND contact_number IS NOT NULL'],
      ["admission_date > DATE '2024-03-02' OR age = 0", "admission_date > DATE '2024-03-02' OR age = 0"],
      ["diagnosis_code <> 'D001' AND age != 34", "diagnosis_code <> 'D001' AND age <> 34"],
    ];
    for (const [where, sql] of cases) {
      const expected = await duck.all(`SELECT patient_id FROM read_parquet(${silver}) WHERE ${sql} ORDER BY 1`);
      const r = await runCli(['show', 'patients_silver', '--output', out, '--where', where, '--limit', '0', '--json']);
      expect(r.code, `${where}\n${r.stderr}`).toBe(0);
      const got = lines(r.stdout).map((l) => JSON.parse(l).patient_id).sort();
      expect(got, where).toEqual(expected.map((x) => x.patient_id));
      expect(r.stderr).toMatch(new RegExp(`^${expected.length} of ${expected.length} rows? matching`, 'm'));
    }
  });

  it('--json and --csv print every column, nothing cut', async () => {
    const j = await runCli(['show', 'patients_quarantine', '--output', out, '--limit', '3', '--json']);
    expect(j.code).toBe(0);
    const rows = lines(j.stdout).map((l) => JSON.parse(l));
    expect(rows).toHaveLength(3);
    expect(Object.keys(rows[0])).toContain('_failed_expectations');
    expect(Array.isArray(rows[0]._failed_expectations)).toBe(true);
    expect(rows[0].admission_date === null || /^\d{4}-\d{2}-\d{2}$/.test(rows[0].admission_date)).toBe(true);
    expect(rows[0]._ingested_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    const c = await runCli(['show', 'patients_quarantine', '--output', out, '--limit', '2', '--csv', '--columns', 'patient_id,age,_failed_expectations']);
    expect(c.code).toBe(0);
    expect(lines(c.stdout)[0]).toBe('patient_id,age,_failed_expectations');
    expect(lines(c.stdout)).toHaveLength(3);
    expect(lines(c.stdout)[1]).toMatch(/^P\d+,-?\d*,"\[""valid_[a-z_]+""(,""valid_[a-z_]+"")*\]"$/);
  });

  it('--redact masks name, address and contact_number in every format', async () => {
    for (const fmt of [[], ['--json'], ['--csv']]) {
      const r = await runCli(['show', 'patients_silver', '--output', out, '--limit', '0', '--redact', '--columns', 'patient_id,name,address,contact_number', ...fmt]);
      expect(r.code).toBe(0);
      for (const v of identifying) expect(r.stdout.includes(v), `${fmt.join('')}: ${v}`).toBe(false);
      expect(r.stdout).toContain('***');
    }
    const plain = await runCli(['show', 'patients_silver', '--output', out, '--limit', '0', '--json']);
    expect(identifying.some((v) => plain.stdout.includes(v))).toBe(true);
  });

  it('shows the event log as system.events', async () => {
    const r = await runCli(['show', 'system.events', '--output', out, '--where', "event_type = 'update_progress'", '--columns', 'event_type,level,message', '--limit', '0']);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout).slice(2).every((l) => l.startsWith('update_progress'))).toBe(true);
  });

  it('an unknown table exits 1 with UNKNOWN_DATASET and a hint listing the tables', async () => {
    const r = await runCli(['show', 'patients_silverr', '--output', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const err = lines(r.stderr);
    expect(err[0]).toMatch(/^error UNKNOWN_DATASET: .*"patients_silverr"/);
    expect(err.find((l) => l.startsWith('  hint:'))).toMatch(/did you mean "patients_silver"\?.*tables: .*patients_bronze.*patient_alerts/);
    expect(r.stderr).not.toMatch(/\n\s+at .*\.js:\d+:\d+/); // no stack trace without --verbose
  });

  it('a view is not stored: exit 1 with a hint', async () => {
    const r = await runCli(['show', 'patients_clean', '--output', out]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)[0]).toMatch(/^error DATASET_NOT_STORED: /);
    expect(r.stderr).toMatch(/hint: show a table it feeds: patients_quarantine, patients_silver/);
  });

  it('refuses bad usage with exit 2', async () => {
    expectBadUsage(await runCli(['show', '--output', out]), /missing <table>/);
    expectBadUsage(await runCli(['show', 'patients_silver', '--output', out, '--json', '--csv']), /cannot be combined/);
    expectBadUsage(await runCli(['show', 'patients_silver', '--output', out, '--limit', '-1']), /--limit must be a whole number/);
    expectBadUsage(await runCli(['show', 'patients_silver', '--output', out, '--where', 'age >> 3']), /--where: .*character 6/);
    expectBadUsage(await runCli(['show', 'patients_silver', '--output', out, '--where', 'agee > 3']), /unknown column "agee"/);
    expectBadUsage(await runCli(['show', 'patients_silver', '--output', out, '--where', "name = 'x' AND"]), /--where/);
    expectBadUsage(await runCli(['show', 'patients_silver', '--output', out, '--where', 'age IN (1, 2)']), /IN is not supported/);
    expectBadUsage(await runCli(['show', 'patients_silver', '--output', out, '--columns', 'nope']), /--columns names "nope"/);
    expectBadUsage(await runCli(['show', 'patients_silver', 'extra', '--output', out]), /unexpected argument "extra"/);
  });
});

describe('events', T, () => {
  it('prints the log, oldest first, in 80 columns, with the rules that failed', async () => {
    const r = await runCli(['events', '--output', out, '--limit', '0']);
    expect(r.code, r.stderr).toBe(0);
    expect(widest(r.stdout)).toBeLessThanOrEqual(80);
    expect(ANSI.test(r.stdout)).toBe(false);
    const ls = lines(r.stdout);
    expect(ls[0]).toMatch(/^-- \d{4}-\d{2}-\d{2} \(UTC\) --$/);
    expect(ls[1]).toMatch(/^\d{2}:\d{2}:\d{2} INFO\s+create_update\s+Update [0-9a-f]{8} started by replay/);
    expect(r.stdout).toMatch(/METRICS flow_progress\s+#0 patients_clean: \d+ rows, \d+ dropped/);
    expect(r.stdout).toMatch(/^\s+valid_age: \d+ failed, \d+ passed$/m);
    expect(r.stdout).toMatch(/update_progress\s+Update [0-9a-f]{8} is COMPLETED\./);
  });

  it('filters by --type, --update, --flow, --since and --limit', async () => {
    const fp = await runCli(['events', '--output', out, '--type', 'flow_progress', '--json', '--limit', '0']);
    expect(fp.code).toBe(0);
    const evs = lines(fp.stdout).map((l) => JSON.parse(l));
    expect(evs.length).toBeGreaterThan(0);
    expect(evs.every((e) => e.event_type === 'flow_progress' && typeof e.details.flow_progress.status === 'string')).toBe(true);
    expect(evs[0].timestamp).toMatch(/Z$/);
    const last = await runCli(['events', '--output', out, '--update', 'last', '--type', 'create_update,update_progress', '--json']);
    const le = lines(last.stdout).map((l) => JSON.parse(l));
    expect(new Set(le.map((e) => e.origin.update_id)).size).toBe(1);
    expect(le.map((e) => e.event_type)).toEqual(['create_update', 'update_progress', 'update_progress', 'update_progress']);
    const flow = await runCli(['events', '--output', out, '--flow', 'patients_silver', '--type', 'flow_progress', '--json', '--limit', '0']);
    expect(lines(flow.stdout).map((l) => JSON.parse(l).origin.flow_name)).toEqual(['patients_silver', 'patients_silver']);
    const recent = await runCli(['events', '--output', out, '--since', '1h', '--limit', '0', '--json']);
    expect(lines(recent.stdout).length).toBe(lines((await runCli(['events', '--output', out, '--limit', '0', '--json'])).stdout).length);
    const future = await runCli(['events', '--output', out, '--since', '2999-01-01']);
    expect(future.code).toBe(0);
    expect(future.stdout).toBe('');
    const limited = await runCli(['events', '--output', out, '--limit', '3']);
    expect(lines(limited.stdout).filter((l) => /^\d{2}:/.test(l))).toHaveLength(3);
    expect(limited.stderr).toMatch(/^3 of \d+ events \(--limit 3\)$/m);
  });

  it('refuses bad usage with exit 2', async () => {
    expectBadUsage(await runCli(['events', '--output', out, '--type', 'flow_progess']), /--type "flow_progess" is not an event type/);
    expectBadUsage(await runCli(['events', '--output', out, '--since', 'yesterday-ish']), /--since/);
    expectBadUsage(await runCli(['events', '--output', out, '--update', 'zzzz']), /matches no update/);
    expectBadUsage(await runCli(['events', '--output', out, '--limit']), /--limit needs a value/);
    expectBadUsage(await runCli(['events', 'extra', '--output', out]), /unexpected argument/);
  });

  it('says so when there is no event log yet', async () => {
    const empty = path.join(work, 'empty');
    fs.mkdirSync(empty, { recursive: true });
    const r = await runCli(['events', '--output', empty]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/no event log at .* yet/);
  });
});

describe('run and start write the event log', T, () => {
  it('run --trigger available-now completes an update', async () => {
    const o = path.join(work, 'run-now');
    const r = await runCli(['run', '--input', DIRTY, '--output', o, '--trigger', 'available-now']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^batch 0: 4 files, 42 rows in; out: .*dropped 19/m);
    const events = await readEventLog(o);
    expect(events[0].details.create_update.config.trigger).toBe('available-now');
    expect(events.at(-1)!.details.update_progress.state).toBe('COMPLETED');
  });

  it('run (continuous) stopped with SIGTERM ends its update CANCELED', async () => {
    const input = path.join(work, 'run-in');
    fs.mkdirSync(input, { recursive: true });
    const o = path.join(work, 'run-out');
    const live = startCli(['run', '--input', input, '--output', o, '--stability', '50ms']);
    await waitFor('watching', () => live.stderr().includes('watching for new files'), 60_000);
    fs.copyFileSync(path.join(DIRTY, 'patients_daily_file_001.csv'), path.join(input, 'patients_daily_file_001.csv'));
    await waitFor('a batch', () => /^batch 0: /m.test(live.stderr()), 60_000);
    live.child.kill('SIGTERM');
    const { code } = await live.exited;
    expect(code, live.stderr()).toBe(0);
    const events = await readEventLog(o);
    expect(events[0].details.create_update.config).toMatchObject({ continuous: true, trigger: 'continuous' });
    expect(events.filter((e) => e.event_type === 'update_progress').map((e) => e.details.update_progress.state)).toEqual(['INITIALIZING', 'RUNNING', 'CANCELED']);
    expect(events.some((e) => e.event_type === 'flow_progress' && e.origin.flow_name === 'patients_bronze')).toBe(true);
  }, 120_000);

  it('start (generator and watcher) logs its batches and ends CANCELED on SIGTERM', async () => {
    const input = path.join(work, 'start-in');
    const o = path.join(work, 'start-out');
    const live = startCli(['start', '--input', input, '--output', o, '--every', '10m', '--rows', '5', '--seed', '3', '--stability', '50ms']);
    await waitFor('a batch', () => /^batch 0: /m.test(live.stderr()), 60_000);
    live.child.kill('SIGTERM');
    const { code } = await live.exited;
    expect(code, live.stderr()).toBe(0);
    const events = await readEventLog(o);
    expect(events[0].message).toMatch(/started by start/);
    expect(events.at(-1)!.details.update_progress.state).toBe('CANCELED');
    expect(events.find((e) => e.event_type === 'flow_progress' && e.origin.flow_name === 'patients_bronze')!.details.flow_progress.metrics.num_output_rows).toBe(5);
  }, 120_000);
});
