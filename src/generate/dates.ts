/** Dates of the simulated calendar (UTC). */

export const DAY_MS = 86_400_000;

export function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function isoToUs(iso: string): string {
  return iso.slice(5, 7) + '/' + iso.slice(8, 10) + '/' + iso.slice(0, 4);
}

export function isoMinute(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}
