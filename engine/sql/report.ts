/**
 * The portability report: every place where the compiled pipeline does not do
 * exactly what the local engine does, or does it in another form (a Python
 * flow, a filter instead of an expectation). Nothing is dropped silently.
 */
import type { DialectName } from './dialect.js';
import type { Reach } from './reach.js';

export type { Reach } from './reach.js';

export type IssueTreatment =
  /** The flow is emitted as a Python file (no SQL form). */
  | 'python'
  /** Expressed with another construct (e.g. a drop expectation as a WHERE filter). */
  | 'lowered'
  /** Reproduced closely, with a documented difference. */
  | 'approximated'
  /** Not reproduced at all on this target. */
  | 'not-reproduced'
  /** Could not be compiled (only with `partial`). */
  | 'unsupported';

/** What a dialect or the compiler says about a construct; the compiler adds where it reaches. */
export interface IssueNote {
  readonly table?: string;
  readonly code: string;
  readonly treatment: IssueTreatment;
  readonly detail: string;
  /** Columns that can differ: of `table`'s output, or of its CSV source when the note comes from reading one. */
  readonly columns?: readonly string[];
  /** Whole rows can differ. */
  readonly rows?: boolean;
  /** The input that triggers the difference (absent: any input). */
  readonly condition?: string;
}

export interface PortabilityIssue {
  readonly dialect: DialectName;
  /** The dataset concerned (absent for pipeline-wide notes). */
  readonly table?: string;
  /** A stable short code, e.g. `LINE_NUMBER`, `DEDUP_IN_PYTHON`. */
  readonly code: string;
  readonly treatment: IssueTreatment;
  /** One or two sentences for a person. */
  readonly detail: string;
  /**
   * The columns of `table` whose values on this target can differ from the
   * engine's (every column when `rows`); empty when no value differs (a
   * construct emitted in another form).
   */
  readonly columns: readonly string[];
  /** Rows of `table` can be missing, extra or entirely other. */
  readonly rows: boolean;
  /**
   * When the difference shows: absent, on any input; else the input that
   * triggers it (e.g. "a file ends inside a quoted field").
   */
  readonly condition?: string;
  /** `table` and every dataset downstream the difference reaches, with the columns (and rows) that can differ there. */
  readonly reach: readonly Reach[];
}

/** The columns that differ on any input (unconditional entries), in every table they reach. */
export function nonReproducibleColumns(report: readonly PortabilityIssue[]): Set<string> {
  const out = new Set<string>();
  for (const i of report) {
    if (i.condition !== undefined) continue;
    for (const r of i.reach) for (const c of r.columns) out.add(c);
  }
  return out;
}

/** What can differ in one table under the given entries: its columns, and whether whole rows can. */
export function differencesIn(report: readonly PortabilityIssue[], table: string): { columns: Set<string>; rows: boolean; codes: Set<string> } {
  const columns = new Set<string>();
  const codes = new Set<string>();
  let rows = false;
  for (const i of report) {
    for (const r of i.reach) {
      if (r.table !== table) continue;
      r.columns.forEach((c) => columns.add(c));
      rows ||= r.rows;
      codes.add(i.code);
    }
  }
  return { columns, rows, codes };
}

function reachText(i: PortabilityIssue, md: boolean): string {
  const q = (x: string) => (md ? `\`${x}\`` : x);
  const cols = i.rows ? 'whole rows' : i.columns.length ? i.columns.map(q).join(', ') : 'no column';
  const down = i.reach.filter((r) => r.table !== i.table);
  const reach = down.length
    ? `; reaches ${down.map((r) => `${q(r.table)} (${r.rows ? 'whole rows' : r.columns.map(q).join(', ')})`).join(', ')}`
    : '';
  const when = i.condition ? `; when ${i.condition}` : '';
  return `differs: ${cols}${reach}${when}`;
}

const TREATMENT_TITLE: Record<IssueTreatment, string> = {
  python: 'Emitted as Python',
  lowered: 'Lowered to another construct',
  approximated: 'Approximated',
  'not-reproduced': 'Not reproduced',
  unsupported: 'Not compiled',
};

/** The report as Markdown (the `portability.md` written beside the output). */
export function reportMarkdown(report: readonly PortabilityIssue[], meta: { pipeline: string; dialect: DialectName; title: string }): string {
  const lines = [
    `# Portability report: pipeline "${meta.pipeline}" on ${meta.title}`,
    '',
    'What the compiled pipeline does differently from the local engine (localdlt), and how.',
    'Each entry names the columns that may hold other values than a local run gives ("whole rows": rows may be missing, extra or other),',
    'the tables downstream the difference reaches, and the input that triggers it; every other column is expected to match.',
    '',
  ];
  if (report.length === 0) lines.push('Nothing: every construct of this pipeline has an exact equivalent.', '');
  const order: IssueTreatment[] = ['unsupported', 'python', 'lowered', 'approximated', 'not-reproduced'];
  for (const t of order) {
    const items = report.filter((i) => i.treatment === t);
    if (!items.length) continue;
    lines.push(`## ${TREATMENT_TITLE[t]}`, '');
    // one line per distinct note and reach, naming every table it applies to
    const groups = new Map<string, { issue: PortabilityIssue; tables: string[] }>();
    for (const i of items) {
      const key = `${i.code}|${i.detail}|${reachText(i, true)}`;
      const g = groups.get(key) ?? { issue: i, tables: [] };
      if (i.table) g.tables.push(i.table);
      groups.set(key, g);
    }
    for (const { issue: i, tables } of groups.values()) {
      const where = tables.length ? tables.map((x) => `\`${x}\``).join(', ') : 'pipeline';
      lines.push(`- **${i.code}** · ${where} (${reachText(i, true)}): ${i.detail}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** The report as plain text lines (what the command prints to stderr). */
export function reportText(report: readonly PortabilityIssue[], dialect: DialectName): string {
  if (report.length === 0) return `portability (${dialect}): no differences from the local engine\n`;
  const lines = [`portability (${dialect}): ${report.length} note${report.length === 1 ? '' : 's'}`];
  for (const i of report) {
    lines.push(`  ${i.treatment.padEnd(14)} ${i.code}${i.table ? ` (${i.table})` : ''} [${reachText(i, false)}]: ${i.detail}`);
  }
  return lines.join('\n') + '\n';
}
