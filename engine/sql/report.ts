/**
 * The portability report: every place where the compiled pipeline does not do
 * exactly what the local engine does, or does it in another form (a Python
 * flow, a filter instead of an expectation). Nothing is dropped silently.
 */
import type { DialectName } from './dialect.js';

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
   * Columns whose values on this target can differ from the engine's, in this
   * table and in every table that carries them on unchanged.
   */
  readonly columns?: readonly string[];
}

/** The columns the report says cannot be compared with the engine's values. */
export function nonReproducibleColumns(report: readonly PortabilityIssue[]): Set<string> {
  const out = new Set<string>();
  for (const i of report) for (const c of i.columns ?? []) out.add(c);
  return out;
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
    'Columns listed under "differs" may hold other values than a local run gives; every other column is expected to match.',
    '',
  ];
  if (report.length === 0) lines.push('Nothing: every construct of this pipeline has an exact equivalent.', '');
  const order: IssueTreatment[] = ['unsupported', 'python', 'lowered', 'approximated', 'not-reproduced'];
  for (const t of order) {
    const items = report.filter((i) => i.treatment === t);
    if (!items.length) continue;
    lines.push(`## ${TREATMENT_TITLE[t]}`, '');
    // one line per distinct note, naming every table it applies to
    const groups = new Map<string, { issue: PortabilityIssue; tables: string[] }>();
    for (const i of items) {
      const key = `${i.code}|${i.detail}|${(i.columns ?? []).join(',')}`;
      const g = groups.get(key) ?? { issue: i, tables: [] };
      if (i.table) g.tables.push(i.table);
      groups.set(key, g);
    }
    for (const { issue: i, tables } of groups.values()) {
      const where = tables.length ? tables.map((x) => `\`${x}\``).join(', ') : 'pipeline';
      const cols = i.columns?.length ? ` (differs: ${i.columns.map((c) => `\`${c}\``).join(', ')})` : '';
      lines.push(`- **${i.code}** · ${where}${cols}: ${i.detail}`);
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
    const cols = i.columns?.length ? ` [differs: ${i.columns.join(', ')}]` : '';
    lines.push(`  ${i.treatment.padEnd(14)} ${i.code}${i.table ? ` (${i.table})` : ''}${cols}: ${i.detail}`);
  }
  return lines.join('\n') + '\n';
}
