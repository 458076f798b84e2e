/**
 * Time zones as Spark (java.time) reads and applies them.
 *
 * A zone is a fixed offset (`Z`, `+01:00`, `UTC-5`, `EST`) or a region of the
 * IANA database (`Europe/Paris`), whose offsets come from the host's
 * `Intl` data. `parseZoneId` accepts what Spark's `DateTimeUtils.getZoneId`
 * accepts (java.time `ZoneId.of` with the short ids, plus Spark's `+h:mm`
 * and `+hh:m` forms).
 *
 * Local time → instant follows `ZonedDateTime.of(localDateTime, zone)`: a
 * local time in a gap (spring forward) moves forward by the gap's length, a
 * local time in an overlap (fall back) takes the earlier instant.
 *
 * Times here are epoch milliseconds or microseconds as JS numbers.
 */
import { daysFromCivil } from '../sources/csv-values.js';

export type Zone =
  | { readonly kind: 'fixed'; readonly id: string; readonly offsetMs: number }
  | { readonly kind: 'region'; readonly id: string };

const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;
const MAX_OFFSET_MS = 18 * MS_PER_HOUR;

/** java.time ZoneId.SHORT_IDS. */
const SHORT_IDS: Readonly<Record<string, string>> = {
  ACT: 'Australia/Darwin', AET: 'Australia/Sydney', AGT: 'America/Argentina/Buenos_Aires', ART: 'Africa/Cairo',
  AST: 'America/Anchorage', BET: 'America/Sao_Paulo', BST: 'Asia/Dhaka', CAT: 'Africa/Harare', CNT: 'America/St_Johns',
  CST: 'America/Chicago', CTT: 'Asia/Shanghai', EAT: 'Africa/Addis_Ababa', ECT: 'Europe/Paris',
  IET: 'America/Indiana/Indianapolis', IST: 'Asia/Kolkata', JST: 'Asia/Tokyo', MIT: 'Pacific/Apia', NET: 'Asia/Yerevan',
  NST: 'Pacific/Auckland', PLT: 'Asia/Karachi', PNT: 'America/Phoenix', PRT: 'America/Puerto_Rico',
  PST: 'America/Los_Angeles', SST: 'Pacific/Guadalcanal', VST: 'Asia/Ho_Chi_Minh',
  EST: '-05:00', MST: '-07:00', HST: '-10:00',
};

export const UTC: Zone = Object.freeze({ kind: 'fixed', id: 'UTC', offsetMs: 0 });

const zoneCache = new Map<string, Zone | null>();

/** A zone from its text as Spark accepts it, or null when java.time would reject it. */
export function parseZoneId(text: string): Zone | null {
  let z = zoneCache.get(text);
  if (z !== undefined) return z;
  z = parseZoneUncached(text);
  if (zoneCache.size > 10_000) zoneCache.clear();
  zoneCache.set(text, z);
  return z;
}

/** The zone of a session time zone setting (an IANA name or an offset); UTC when unknown. */
export function sessionZone(name: string): Zone {
  return parseZoneId(name) ?? UTC;
}

function parseZoneUncached(text0: string): Zone | null {
  // Spark: (+|-)h:mm → (+|-)0h:mm and (+|-)hh:m → (+|-)hh:0m (forms of Spark 2.x).
  const text = text0.replace(/([+-])(\d):/, '$10$2:').replace(/([+-])(\d\d):(\d)$/, '$1$2:0$3');
  const short = SHORT_IDS[text];
  if (short !== undefined) return short.startsWith('-') ? fixed(text, parseOffset(short)!) : region(short);
  if (text === 'Z') return fixed('Z', 0);
  if (text.startsWith('+') || text.startsWith('-')) {
    const o = parseOffset(text);
    return o === null ? null : fixed(text, o);
  }
  if (text === 'UTC' || text === 'GMT' || text === 'UT') return fixed(text, 0);
  for (const prefix of ['UTC', 'GMT', 'UT']) {
    if (text.startsWith(prefix) && (text[prefix.length] === '+' || text[prefix.length] === '-')) {
      const o = parseOffset(text.slice(prefix.length));
      return o === null ? null : fixed(text, o);
    }
  }
  if (!/^[A-Za-z][A-Za-z0-9~/._+-]+$/.test(text)) return null;
  return region(text);
}

function fixed(id: string, offsetMs: number): Zone {
  return offsetMs === 0 && (id === 'UTC' || id === 'Z') ? UTC : { kind: 'fixed', id, offsetMs };
}

function region(id: string): Zone | null {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: id }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  // java.time region ids are case-sensitive; Intl is not.
  if (resolved.toLowerCase() === id.toLowerCase() && resolved !== id) return null;
  if (resolved === 'UTC' || resolved === 'Etc/UTC') return { kind: 'fixed', id, offsetMs: 0 };
  return { kind: 'region', id };
}

/** java.time ZoneOffset.of: ±h, ±hh, ±hh:mm, ±hhmm, ±hh:mm:ss, ±hhmmss, at most ±18:00. */
function parseOffset(s: string): number | null {
  const m = /^([+-])(\d{1,2})(?::?(\d\d)(?::?(\d\d))?)?$/.exec(s);
  if (!m) return null;
  const [, sign, hh, mm, ss] = m;
  if (hh.length === 1 && mm !== undefined) return null;
  // the colon must be used consistently (+hh:mm:ss or +hhmmss)
  const body = s.slice(1 + hh.length);
  if (body.length && body.includes(':') && !/^:\d\d(:\d\d)?$/.test(body)) return null;
  if (body.length && !body.includes(':') && !/^\d\d(\d\d)?$/.test(body)) return null;
  const h = Number(hh), mi = Number(mm ?? 0), se = Number(ss ?? 0);
  if (h > 18 || mi > 59 || se > 59) return null;
  const ms = ((h * 60 + mi) * 60 + se) * 1000;
  if (ms > MAX_OFFSET_MS) return null;
  return sign === '-' ? -ms : ms;
}

// ------------------------------------------------------------ offsets of region zones

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Offsets by zone and 15-minute bucket of the instant (transitions fall on such boundaries). */
const offsetCache = new Map<string, Map<number, number>>();
const BUCKET_MS = 15 * MS_PER_MINUTE;

function formatter(id: string): Intl.DateTimeFormat {
  let f = formatters.get(id);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: id, hourCycle: 'h23', era: 'short',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(id, f);
  }
  return f;
}

function regionOffsetUncached(id: string, utcMs: number): number {
  const parts = formatter(id).formatToParts(new Date(utcMs));
  let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, bc = false;
  for (const p of parts) {
    switch (p.type) {
      case 'year': y = Number(p.value); break;
      case 'month': mo = Number(p.value); break;
      case 'day': d = Number(p.value); break;
      case 'hour': h = Number(p.value); break;
      case 'minute': mi = Number(p.value); break;
      case 'second': s = Number(p.value); break;
      case 'era': bc = p.value.startsWith('B'); break;
      default: break;
    }
  }
  const year = bc ? 1 - y : y;
  const local = daysFromCivil(year, mo, d) * 86_400_000 + ((h * 60 + mi) * 60 + s) * 1000;
  return local - Math.floor(utcMs / 1000) * 1000;
}

/** The zone's offset from UTC (ms) at an instant (epoch ms). */
export function offsetAtUtc(zone: Zone, utcMs: number): number {
  if (zone.kind === 'fixed') return zone.offsetMs;
  const bucket = Math.floor(utcMs / BUCKET_MS);
  let cache = offsetCache.get(zone.id);
  if (!cache) { cache = new Map(); offsetCache.set(zone.id, cache); }
  let o = cache.get(bucket);
  if (o === undefined) {
    const start = bucket * BUCKET_MS;
    o = regionOffsetUncached(zone.id, start);
    // a transition inside the bucket (rare: not on a quarter hour) is not cached
    if (regionOffsetUncached(zone.id, start + BUCKET_MS - 1000) !== o) return regionOffsetUncached(zone.id, utcMs);
    if (cache.size > 200_000) cache.clear();
    cache.set(bucket, o);
  }
  return o;
}

/** The instant (epoch ms) of a local time (ms since 1970-01-01T00:00 local) in a zone, as java.time resolves gaps and overlaps. */
export function localToUtcMs(zone: Zone, localMs: number): number {
  if (zone.kind === 'fixed') return localMs - zone.offsetMs;
  const before = offsetAtUtc(zone, localMs - 86_400_000);
  const after = offsetAtUtc(zone, localMs + 86_400_000);
  if (before === after) {
    const t = localMs - before;
    if (offsetAtUtc(zone, t) === before) return t;
  }
  const t1 = localMs - before;
  if (offsetAtUtc(zone, t1) === before) return t1;
  const t2 = localMs - after;
  if (offsetAtUtc(zone, t2) === after) return t2;
  return t1; // a gap: moved forward by its length
}

/** The local time (ms since 1970-01-01T00:00 local) of an instant. */
export function utcToLocalMs(zone: Zone, utcMs: number): number {
  return utcMs + offsetAtUtc(zone, utcMs);
}

const US_PER_MS = 1000;
const US_PER_DAY = 86_400_000_000;

/** An instant (epoch µs) as local µs in a zone. */
export function utcToLocalUs(zone: Zone, utcUs: number): number {
  if (zone.kind === 'fixed') return utcUs + zone.offsetMs * US_PER_MS;
  return utcUs + offsetAtUtc(zone, Math.floor(utcUs / US_PER_MS)) * US_PER_MS;
}

/** Local µs in a zone as an instant (epoch µs). */
export function localToUtcUs(zone: Zone, localUs: number): number {
  if (zone.kind === 'fixed') return localUs - zone.offsetMs * US_PER_MS;
  const ms = Math.floor(localUs / US_PER_MS);
  const rest = localUs - ms * US_PER_MS;
  return localToUtcMs(zone, ms) * US_PER_MS + rest;
}

/** The local date (epoch days) of an instant in a zone (Spark's microsToDays). */
export function utcUsToDays(zone: Zone, utcUs: number): number {
  return Math.floor(utcToLocalUs(zone, utcUs) / US_PER_DAY);
}

/** The instant of local midnight of a date in a zone (Spark's daysToMicros). */
export function daysToUtcUs(zone: Zone, days: number): number {
  return localToUtcUs(zone, days * US_PER_DAY);
}
