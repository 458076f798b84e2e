/**
 * Automatic maintenance between micro-batches (what `PipelineService.maintain`
 * runs): compaction of the tables whose small files reached a tier's merge
 * factor (optimize.ts), tables taking turns, then new snapshots of the
 * operator state whose change logs have piled up (so that a restart replays a
 * few change logs, not a hundred), then the event log's upkeep, starting no
 * new work once the slot's time budget has passed (what is left waits for the
 * next slot). A failure is logged, never thrown: a compaction that did not
 * commit leaves its table unchanged, and a snapshot that was not written
 * leaves the change logs it would have replaced.
 */
import type { Schema } from '../ir/types.js';
import type { DeltaStore } from '../sinks/delta-store.js';
import { compactGroups, planAutoCompaction, type CompactionPolicy, type CompactionResult } from './optimize.js';

export interface MaintenanceReport {
  ms: number;
  compactions: CompactionResult[];
  /** Operator state snapshots written (each replaces the change logs before it). */
  stateSnapshots: number;
}

export interface MaintenanceTarget {
  store: DeltaStore;
  /** The persisted tables and their schemas, in order. */
  tables: readonly { name: string; schema: Schema }[];
  policy: CompactionPolicy | null;
  /**
   * Snapshots of operator state between batches, within the budget; returns
   * how many were written. `busy`: this slot already compacted a table (state
   * snapshots join such a slot rather than make another slot long).
   */
  state?: (budgetMs: number, busy: boolean) => number;
  /** The event log's own upkeep (it compacts and expires events). */
  events?: (budgetMs: number) => void | CompactionResult[] | Promise<void | CompactionResult[]>;
  warn: (obj: object, msg: string) => void;
  debug: (obj: object, msg: string) => void;
}

export class AutoMaintenance {
  /** Where the next slot starts. */
  private cursor = 0;

  constructor(private readonly t: MaintenanceTarget) {}

  async run(budgetMs: number): Promise<MaintenanceReport> {
    const started = performance.now();
    const report: MaintenanceReport = { ms: 0, compactions: [], stateSnapshots: 0 };
    const { tables, policy, store } = this.t;
    if (policy && tables.length) {
      const first = this.cursor % tables.length;
      for (let k = 0; k < tables.length; k++) {
        const left = budgetMs - (performance.now() - started);
        if (left <= 0) { this.cursor = first + k; break; }
        const { name, schema } = tables[(first + k) % tables.length];
        const groups = planAutoCompaction(store.log(name), policy);
        if (!groups.length) continue;
        try {
          const r = await compactGroups(store.table(name), groups, { name, schema, auto: true, budgetMs: left, pool: store.options.pool });
          report.compactions.push(r);
          this.t.debug({ table: name, removed: r.filesRemoved, added: r.filesAdded, ms: Math.round(r.ms) }, 'compacted small files');
        } catch (e) {
          this.t.warn({ table: name, code: (e as { code?: string }).code ?? 'unknown', error: String((e as Error)?.message ?? e) }, 'compaction failed; the table is unchanged and it is tried again later');
        }
      }
    }
    if (this.t.state) {
      try {
        report.stateSnapshots = this.t.state(Math.max(0, budgetMs - (performance.now() - started)), report.compactions.length > 0);
      } catch (e) {
        this.t.warn({ code: (e as { code?: string }).code ?? 'unknown', error: String((e as Error)?.message ?? e) }, 'a state snapshot failed; the change logs stay and it is tried again later');
      }
    }
    const left = budgetMs - (performance.now() - started);
    if (left > 0 && this.t.events) report.compactions.push(...((await this.t.events(left)) ?? []));
    report.ms = performance.now() - started;
    return report;
  }
}
