/**
 * The session time zone: zone offsets against Intl on random instants, the
 * wall-clock → instant rules at DST transitions, the fields of timestamps in
 * several zones against an Intl oracle (the engine, then DuckDB through the
 * conformance harness), and the TypeScript builders in a pipeline run with a
 * `timeZone` option (current_date fixed by the batch time).
 */
import { describe, expect, it } from 'vitest';
import { conformance, type Case } from './harness.js';
import { instantMicros, localMicros, zoneOf } from '../../engine/time/zones.js';
import { DateTimePattern } from '../../engine/time/pattern.js';
import {
  col, lit, materializedView, definePipeline, rowsSource, isPipelineError,
  hour, toDate, dateTrunc, currentDate, dateFormat, interval, dayofweek, addMonths, datediff, timestampadd,
} from '../../engine/index.js';
import { runPipeline } from '../../engine/testing.js';
import { rng as random } from '../helpers/random.js';

/** Wall-clock fields of an instant in a zone, straight from Intl (the oracle). */
function intlFields(ms: number, zone: string): { y: number; mo: number; d: number; h: number; mi: number; s: number; dow: number } {
  const f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short' });
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { y: Number(p.year), mo: Number(p.month), d: Number(p.day), h: Number(p.hour), mi: Number(p.minute), s: Number(p.second), dow: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(p.weekday) + 1 };
}

const ZONES = ['America/Los_Angeles', 'Europe/Paris', 'Asia/Kolkata', 'Australia/Lord_Howe', 'America/Sao_Paulo', 'Asia/Tokyo'];

describe('zone offsets', () => {
  it('agree with Intl on random instants from 1900 to 2100', () => {
    const rnd = random(7);
    for (const name of ZONES) {
      const z = zoneOf(name)!;
      for (let k = 0; k < 400; k++) {
        const ms = Math.floor(Date.UTC(1900, 0, 1) + rnd() * (Date.UTC(2100, 0, 1) - Date.UTC(1900, 0, 1)));
        const f = intlFields(ms, name);
        const local = Date.UTC(f.y, f.mo - 1, f.d, f.h, f.mi, f.s) - Math.floor(ms / 1000) * 1000;
        expect(z.offsetAt(Math.floor(ms / 1000)), `${name} at ${new Date(ms).toISOString()}`).toBe(local / 1000);
      }
    }
  });

  it('find transitions to the second (Los Angeles 2024-03-10 10:00Z, Lord Howe half-hour DST)', () => {
    const la = zoneOf('America/Los_Angeles')!;
    const t = Date.UTC(2024, 2, 10, 10) / 1000;
    expect(la.offsetAt(t - 1)).toBe(-8 * 3600);
    expect(la.offsetAt(t)).toBe(-7 * 3600);
    const lh = zoneOf('Australia/Lord_Howe')!;
    expect(lh.offsetAt(Date.UTC(2024, 0, 15) / 1000)).toBe(11 * 3600);
    expect(lh.offsetAt(Date.UTC(2024, 6, 15) / 1000)).toBe(10.5 * 3600);
  });

  it('read wall-clock times in gaps (moved later) and overlaps (the earlier instant) as Java does', () => {
    const la = zoneOf('America/Los_Angeles')!;
    const wall = (iso: string) => Date.parse(iso + 'Z') * 1000;
    expect(instantMicros(la, wall('2024-03-10T02:30:00'))).toBe(Date.parse('2024-03-10T10:30:00Z') * 1000);
    expect(instantMicros(la, wall('2024-11-03T01:30:00'))).toBe(Date.parse('2024-11-03T08:30:00Z') * 1000);
    expect(instantMicros(la, wall('2024-11-03T01:30:00'), -8 * 3600)).toBe(Date.parse('2024-11-03T09:30:00Z') * 1000);
    // round trip away from transitions
    const rnd = random(11);
    for (const name of ZONES) {
      const z = zoneOf(name)!;
      for (let k = 0; k < 200; k++) {
        const us = Math.floor(Date.UTC(1950, 0, 1) + rnd() * 3e12) * 1000;
        const back = instantMicros(z, localMicros(z, us));
        // equal, or the earlier of two instants with the same wall time
        if (back !== us) expect(localMicros(z, back)).toBe(localMicros(z, us));
        expect(back <= us).toBe(true);
      }
    }
  });

  it('accept offsets and Java short IDs, and reject unknown names', () => {
    expect(zoneOf('+05:30')!.fixed).toBe(5.5 * 3600);
    expect(zoneOf('UTC-8')!.fixed).toBe(-8 * 3600);
    expect(zoneOf('GMT+1')!.fixed).toBe(3600);
    expect(zoneOf('EST')!.fixed).toBe(-5 * 3600);
    expect(zoneOf('PST')!.id).toBe('America/Los_Angeles');
    expect(zoneOf('Mars/Olympus')).toBeNull();
    expect(zoneOf('+19:00')).toBeNull();
  });

  it('format and parse each other with a pattern', () => {
    const p = DateTimePattern.of('yyyy-MM-dd HH:mm:ss.SSSSSS XXXXX', false);
    const q = DateTimePattern.of('yyyy-MM-dd HH:mm:ss.SSSSSS XXXXX', true);
    const rnd = random(3);
    for (const name of ZONES) {
      const z = zoneOf(name)!;
      for (let k = 0; k < 100; k++) {
        const us = Math.floor((rnd() - 0.5) * 4e15);
        expect(q.parse(p.format(us, z), z)).toBe(us);
      }
    }
  });
});

// Fields of random instants in several zones: the engine and DuckDB against Intl.
const rnd = random(42);
const instants = Array.from({ length: 60 }, () => Math.floor(Date.UTC(1960, 0, 1) + rnd() * (Date.UTC(2040, 0, 1) - Date.UTC(1960, 0, 1))));
const p2 = (n: number) => String(n).padStart(2, '0');
const fieldCases: Case[] = ['America/Los_Angeles', 'Europe/Paris', 'Asia/Kolkata', 'Australia/Lord_Howe'].flatMap((zone) => {
  const input = { schema: { ts: 'timestamp' }, rows: instants.map((ms) => ({ ts: ms * 1000 })) };
  const f = instants.map((ms) => intlFields(ms, zone));
  return [
    { sql: 'hour(ts)', timeZone: zone, input, expectRows: f.map((x) => x.h) },
    { sql: 'minute(ts)', timeZone: zone, input, expectRows: f.map((x) => x.mi) },
    { sql: 'day(ts)', timeZone: zone, input, expectRows: f.map((x) => x.d) },
    { sql: 'month(ts)', timeZone: zone, input, expectRows: f.map((x) => x.mo) },
    { sql: 'year(ts)', timeZone: zone, input, expectRows: f.map((x) => x.y) },
    { sql: 'dayofweek(ts)', timeZone: zone, input, expectRows: f.map((x) => x.dow) },
    { sql: "date_format(ts, 'yyyy-MM-dd HH:mm:ss')", timeZone: zone, input, expectRows: f.map((x) => `${x.y}-${p2(x.mo)}-${p2(x.d)} ${p2(x.h)}:${p2(x.mi)}:${p2(x.s)}`) },
    { sql: 'to_date(ts)', timeZone: zone, input, expectRows: f.map((x) => `${x.y}-${p2(x.mo)}-${p2(x.d)}`) },
  ] satisfies Case[];
});

conformance('datetime fields in zones', fieldCases);

describe('date and time builders in a pipeline', () => {
  const events = rowsSource('events', { id: 'int', ts: 'timestamp', raw: 'string' });
  const view = materializedView('local_view', { query: events.select({
    id: col('id'),
    hour: hour(col('ts')),
    day: dateTrunc('day', col('ts')),
    parsed: toDate(col('raw'), 'MM/dd/yyyy'),
    today: currentDate(),
    text: dateFormat(col('ts'), 'yyyy-MM-dd HH:mm'),
    tomorrow: col('ts').plus(interval('1 day')),
    dow: dayofweek(col('ts')),
    next_month: addMonths(toDate(col('raw'), 'MM/dd/yyyy'), 1),
    age_days: datediff(currentDate(), toDate(col('raw'), 'MM/dd/yyyy')),
    later: timestampadd('HOUR', 2, col('ts')),
    flag: lit(true),
  }) });
  const rows = [
    { id: 1, ts: Date.parse('2024-03-09T20:00:00Z') * 1000, raw: '01/31/2024' },
    { id: 2, ts: Date.parse('2024-03-10T20:00:00Z') * 1000, raw: 'not a date' },
  ];
  const now = Date.parse('2024-03-11T06:00:00Z');

  it('compute in the pipeline time zone, current_date from the batch time', async () => {
    const p = definePipeline([view], { name: 'tz', timeZone: 'America/Los_Angeles' });
    const run = await runPipeline(p, { rows: { events: rows }, now });
    const out = run.rows('local_view').sort((a, b) => Number(a.id) - Number(b.id));
    expect(out.map((r) => r.hour)).toEqual([12, 13]);
    expect(out.map((r) => r.day)).toEqual([Date.parse('2024-03-09T08:00:00Z') * 1000, Date.parse('2024-03-10T08:00:00Z') * 1000]);
    expect(out.map((r) => r.parsed)).toEqual([Date.UTC(2024, 0, 31) / 86_400_000, null]);
    expect(out.map((r) => r.today)).toEqual([Date.UTC(2024, 2, 10) / 86_400_000, Date.UTC(2024, 2, 10) / 86_400_000]);
    expect(out.map((r) => r.text)).toEqual(['2024-03-09 12:00', '2024-03-10 13:00']);
    expect(out[0].tomorrow).toBe(Date.parse('2024-03-10T19:00:00Z') * 1000);
    expect(out.map((r) => r.dow)).toEqual([7, 1]);
    expect(out[0].next_month).toBe(Date.UTC(2024, 1, 29) / 86_400_000);
    expect(out.map((r) => r.age_days)).toEqual([39, null]);
    expect(out[0].later).toBe(rows[0].ts + 2 * 3_600_000_000);
    // a re-run of the same batch time gives the same rows
    const again = await runPipeline(p, { rows: { events: rows }, now });
    expect(again.rows('local_view').sort((a, b) => Number(a.id) - Number(b.id))).toEqual(out);
  });

  it('fails in ANSI mode on text that does not parse, naming the code', async () => {
    const p = definePipeline([view], { name: 'tz', timeZone: 'America/Los_Angeles', ansi: true });
    const run = await runPipeline(p, { rows: { events: rows }, now });
    expect(run.failure?.code).toBe('CANNOT_PARSE_TIMESTAMP');
    expect(isPipelineError(run.failure)).toBe(true);
  });

  it('rejects an unknown pipeline time zone and accepts an offset', () => {
    expect(() => definePipeline([view], { timeZone: 'Mars/Olympus' })).toThrow(/unknown time zone/);
    expect(definePipeline([view], { timeZone: '+05:30' }).options.timeZone).toBe('+05:30');
  });
});
