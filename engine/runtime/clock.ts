/**
 * The clock: milliseconds since the epoch. Every time the engine records or
 * compares goes through one (commit times, `_ingested_at`, the event log, and
 * every retention rule: Delta log expiry, removed-file retention, event
 * expiry), so a test can run a month of batches in minutes by advancing a
 * manual clock instead of waiting.
 */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/** A clock that moves only when told to (the soak bench advances it 2 minutes per batch). */
export class ManualClock {
  constructor(private ms: number) {}

  /** The clock as a function, for options that take a `Clock`. */
  readonly now: Clock = () => this.ms;

  advance(ms: number): void {
    this.ms += ms;
  }

  set(ms: number): void {
    this.ms = ms;
  }
}
