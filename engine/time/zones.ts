/**
 * Time zones: the UTC offset of an IANA zone at an instant, and the instant of
 * a wall-clock time in a zone, with Java's rules (Spark's `ZoneId`).
 *
 * Offsets come from `Intl` (the tz database Node ships). Each zone keeps the
 * offset at the start of every UTC day it was asked about; a day whose start
 * and end offsets differ holds a transition, found to the second by bisection
 * once. So a column of timestamps costs about one `Intl` call per distinct day.
 *
 * Zone names are Spark's: region IDs (`Europe/Paris`), `UTC`/`GMT`/`UT`/`Z`,
 * offsets (`+08:00`, `-8`, `UTC+01:30`, `GMT-5`), and Java's short IDs
 * (`PST` is America/Los_Angeles, `EST` is -05:00; `ZoneId.SHORT_IDS`).
 *
 * A wall-clock time that does not exist (a spring-forward gap) moves later by
 * the length of the gap; one that exists twice (a fall-back overlap) takes the
 * earlier instant (the offset before the transition), unless a preferred
 * offset is one of the two: `ZonedDateTime.ofLocal`.
 */

export const SECONDS_PER_DAY = 86_400;
export const US_PER_SECOND = 1_000_000;

/** Java's ZoneId.SHORT_IDS. */
const SHORT_IDS: Readonly<Record<string, string>> = {
  ACT: 'Australia/Darwin', AET: 'Australia/Sydney', AGT: 'America/Argentina/Buenos_Aires', ART: 'Africa/Cairo',
  AST: 'America/Anchorage', BET: 'America/Sao_Paulo', BST: 'Asia/Dhaka', CAT: 'Africa/Harare', CNT: 'America/St_Johns',
  CST: 'America/Chicago', CTT: 'Asia/Shanghai', EAT: 'Africa/Addis_Ababa', ECT: 'Europe/Paris', IET: 'America/Indiana/Indianapolis',
  IST: 'Asia/Kolkata', JST: 'Asia/Tokyo', MIT: 'Pacific/Apia', NET: 'Asia/Yerevan', NST: 'Pacific/Auckland', PLT: 'Asia/Karachi',
  PNT: 'America/Phoenix', PRT: 'America/Puerto_Rico', PST: 'America/Los_Angeles', SST: 'Pacific/Guadalcanal', VST: 'Asia/Ho_Chi_Minh',
  EST: '-05:00', MST: '-07:00', HST: '-10:00',
};

/** An offset, with or without a UTC/GMT/UT prefix (any case): the offset part is group 1. */
const OFFSET_PREFIX_RE = /^(?:UTC|GMT|UT)?([+-]\d.*)$/i;

/** Before this instant (1800-01-01) every zone keeps its earliest offset (its local mean time). */
const EARLIEST = -5_364_662_400;

export interface Zone {
  /** The name as resolved (`America/Los_Angeles`, `+08:00`, `UTC`). */
  readonly id: string;
  /** The offset in seconds when the zone has a single one (UTC, `+08:00`), else null. */
  readonly fixed: number | null;
  /** Seconds east of UTC at an instant (epoch seconds). */
  offsetAt(epochSecond: number): number;
  /**
   * The instant (epoch seconds) of a wall-clock time given as seconds since
   * 1970-01-01T00:00 local; gaps move later, overlaps take the earlier
   * instant unless `preferred` is one of the two offsets.
   */
  instantOf(localSecond: number, preferred?: number): number;
}

class FixedZone implements Zone {
  constructor(readonly id: string, readonly fixed: number) {}
  offsetAt(): number { return this.fixed; }
  instantOf(local: number): number { return local - this.fixed; }
}

interface DayOffsets { readonly day: number; readonly start: number; readonly end: number; readonly change: number | null }

class RegionZone implements Zone {
  readonly fixed = null;
  private readonly format: Intl.DateTimeFormat;
  /** Per UTC day: the offset at its start and end, and the first second with the end offset (a transition), or null. */
  private readonly days = new Map<number, DayOffsets>();
  private last: DayOffsets = { day: NaN, start: 0, end: 0, change: null };

  constructor(readonly id: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: id, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  }

  /** The offset from Intl (one call). */
  private raw(s: number): number {
    const parts = this.format.formatToParts(new Date(s * 1000));
    let y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
    for (const p of parts) {
      switch (p.type) {
        case 'year': y = Number(p.value); break;
        case 'month': mo = Number(p.value); break;
        case 'day': d = Number(p.value); break;
        case 'hour': h = Number(p.value); break;
        case 'minute': mi = Number(p.value); break;
        case 'second': se = Number(p.value); break;
        default: break;
      }
    }
    const dt = new Date(0);
    dt.setUTCFullYear(y, mo - 1, d);
    dt.setUTCHours(h, mi, se, 0);
    return Math.round(dt.getTime() / 1000) - s;
  }

  private load(day: number): DayOffsets {
    let e = this.days.get(day);
    if (e === undefined) {
      if (this.days.size > 1_000_000) this.days.clear();
      const start = this.days.get(day - 1)?.end ?? this.raw(day * SECONDS_PER_DAY);
      const end = this.days.get(day + 1)?.start ?? this.raw((day + 1) * SECONDS_PER_DAY);
      let change: number | null = null;
      if (start !== end) {
        let lo = day * SECONDS_PER_DAY, hi = lo + SECONDS_PER_DAY;
        while (hi - lo > 1) {
          const mid = Math.floor((lo + hi) / 2);
          if (this.raw(mid) === start) lo = mid; else hi = mid;
        }
        change = hi;
      }
      e = { day, start, end, change };
      this.days.set(day, e);
    }
    return e;
  }

  offsetAt(s: number): number {
    const t = s < EARLIEST ? EARLIEST : s;
    const day = Math.floor(t / SECONDS_PER_DAY);
    let e = this.last;
    if (day !== e.day) this.last = e = this.load(day);
    return e.change === null || t < e.change ? e.start : e.end;
  }

  private localDay = NaN;
  private localOffset = 0;

  instantOf(local: number, preferred?: number): number {
    const day = Math.floor(local / SECONDS_PER_DAY);
    if (day === this.localDay) return local - this.localOffset;
    // a local day with no transition within a day around it has one offset
    if ((day - 1) * SECONDS_PER_DAY >= EARLIEST) {
      const a = this.load(day - 1), b = this.load(day), c = this.load(day + 1);
      if (a.change === null && b.change === null && c.change === null && a.start === c.end) {
        this.localDay = day;
        this.localOffset = a.start;
        return local - a.start;
      }
    }
    const before = this.offsetAt(local - SECONDS_PER_DAY), after = this.offsetAt(local + SECONDS_PER_DAY);
    if (before === after) {
      const s = local - before;
      return this.offsetAt(s) === before ? s : local - this.offsetAt(s);
    }
    const okBefore = this.offsetAt(local - before) === before;
    const okAfter = this.offsetAt(local - after) === after;
    if (okBefore && okAfter) return local - (preferred === after ? after : before);
    if (okAfter) return local - after;
    return local - before; // valid before the transition, or a gap (moved later by its length)
  }
}

const zones = new Map<string, Zone | null>();

function offsetText(seconds: number): string {
  if (seconds === 0) return 'Z';
  const a = Math.abs(seconds);
  const hh = Math.floor(a / 3600), mm = Math.floor((a % 3600) / 60), ss = a % 60;
  return `${seconds < 0 ? '-' : '+'}${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}${ss ? ':' + String(ss).padStart(2, '0') : ''}`;
}

/** A fixed-offset zone of `seconds` east of UTC. */
export function fixedZone(seconds: number): Zone {
  return new FixedZone(offsetText(seconds), seconds);
}

function resolve(name: string): Zone | null {
  const n = name.trim();
  const upper = n.toUpperCase();
  if (upper === 'UTC' || upper === 'Z' || upper === 'GMT' || upper === 'UT' || upper === 'ETC/UTC' || upper === 'ETC/GMT' || upper === 'ZULU') return new FixedZone(upper === 'Z' ? 'Z' : n, 0);
  const m = OFFSET_PREFIX_RE.exec(n);
  if (m) {
    const o = parseOffset(m[1], false);
    return o === null ? null : new FixedZone(n, o);
  }
  const short = SHORT_IDS[n];
  if (short !== undefined) return resolve(short);
  try {
    const id = new Intl.DateTimeFormat('en-US', { timeZone: n }).resolvedOptions().timeZone;
    if (id === 'UTC' || id === 'Etc/UTC' || id === 'Etc/GMT') return new FixedZone(n, 0);
    return new RegionZone(id);
  } catch {
    return null;
  }
}

/** The zone of a Spark zone name, or null when there is no such zone. Zones are cached. */
export function zoneOf(name: string): Zone | null {
  let z = zones.get(name);
  if (z === undefined) {
    z = resolve(name);
    if (zones.size > 10_000) zones.clear();
    zones.set(name, z);
  }
  return z;
}

/** The zone of a name that has been validated (the session zone); UTC when unknown. */
export function sessionZone(name: string): Zone {
  return zoneOf(name) ?? zoneOf('UTC')!;
}

/** Wall-clock microseconds (since 1970-01-01T00:00 local) of an instant. */
export function localMicros(zone: Zone, us: number): number {
  if (zone.fixed !== null) return us + zone.fixed * US_PER_SECOND;
  return us + zone.offsetAt(Math.floor(us / US_PER_SECOND)) * US_PER_SECOND;
}

/** The instant (epoch micros) of wall-clock microseconds in a zone (gaps later, overlaps earlier unless `preferred`). */
export function instantMicros(zone: Zone, local: number, preferred?: number): number {
  if (zone.fixed !== null) return local - zone.fixed * US_PER_SECOND;
  const s = Math.floor(local / US_PER_SECOND);
  return local + (zone.instantOf(s, preferred) - s) * US_PER_SECOND;
}

/** The offset (seconds) of a zone at an instant given in micros. */
export function offsetAtMicros(zone: Zone, us: number): number {
  return zone.fixed !== null ? zone.fixed : zone.offsetAt(Math.floor(us / US_PER_SECOND));
}

// ------------------------------------------------------------ java.time's ZoneId.of, and the cast helpers

/**
 * A zone from its text as Spark's `DateTimeUtils.getZoneId` accepts it
 * (java.time `ZoneId.of` with the short ids, plus Spark's `+h:mm` and `+hh:m`
 * forms), or null when java.time would reject it. Stricter than `zoneOf`
 * (region ids are case-sensitive, offsets need a consistent colon); CAST reads
 * zones in text with it.
 */
export function parseZoneId(text: string): Zone | null {
  let z = strictZones.get(text);
  if (z !== undefined) return z;
  z = parseStrict(text);
  if (strictZones.size > 10_000) strictZones.clear();
  strictZones.set(text, z);
  return z;
}

const strictZones = new Map<string, Zone | null>();

function parseStrict(text0: string): Zone | null {
  const text = text0.replace(/([+-])(\d):/, '$10$2:').replace(/([+-])(\d\d):(\d)$/, '$1$2:0$3');
  const short = SHORT_IDS[text];
  if (short !== undefined) return short.startsWith('-') ? new FixedZone(text, parseOffset(short, true)!) : zoneOf(short);
  if (text === 'Z') return new FixedZone('Z', 0);
  if (text.startsWith('+') || text.startsWith('-')) {
    const o = parseOffset(text, true);
    return o === null ? null : new FixedZone(text, o);
  }
  if (text === 'UTC' || text === 'GMT' || text === 'UT') return new FixedZone(text, 0);
  for (const prefix of ['UTC', 'GMT', 'UT']) {
    if (text.startsWith(prefix) && (text[prefix.length] === '+' || text[prefix.length] === '-')) {
      const o = parseOffset(text.slice(prefix.length), true);
      return o === null ? null : new FixedZone(text, o);
    }
  }
  if (!/^[A-Za-z][A-Za-z0-9~/._+-]+$/.test(text)) return null;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: text }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  // java.time region ids are case-sensitive; Intl is not
  if (resolved.toLowerCase() === text.toLowerCase() && resolved !== text) return null;
  return zoneOf(text);
}

/**
 * An offset in seconds: ±h, ±hh, ±hh:mm, ±hhmm, ±hh:mm:ss, ±hhmmss, at most ±18:00; null otherwise.
 * Strict, as java.time's ZoneOffset.of (CAST): colons used throughout or not at all, and a one-digit
 * hour stands alone. Lenient (session zones, `zoneOf`): any mix of the two.
 */
function parseOffset(s: string, strict: boolean): number | null {
  const m = /^([+-])(\d{1,2})(?::?(\d\d)(?::?(\d\d))?)?$/.exec(s);
  if (!m) return null;
  const [, sign, hh, mm, ss] = m;
  if (strict) {
    if (hh.length === 1 && mm !== undefined) return null;
    const body = s.slice(1 + hh.length);
    if (body.length && body.includes(':') && !/^:\d\d(:\d\d)?$/.test(body)) return null;
    if (body.length && !body.includes(':') && !/^\d\d(\d\d)?$/.test(body)) return null;
  }
  const h = Number(hh), mi = Number(mm ?? 0), se = Number(ss ?? 0);
  if (h > 18 || mi > 59 || se > 59) return null;
  const secs = (h * 60 + mi) * 60 + se;
  if (secs > 18 * 3600) return null;
  return sign === '-' ? -secs : secs;
}

/** UTC. */
export const UTC: Zone = new FixedZone('UTC', 0);

const US_PER_DAY = SECONDS_PER_DAY * US_PER_SECOND;

/** An instant (epoch µs) as local µs in a zone. */
export function utcToLocalUs(zone: Zone, utcUs: number): number {
  return localMicros(zone, utcUs);
}

/** Local µs in a zone as an instant (epoch µs): gaps move later, overlaps take the earlier instant. */
export function localToUtcUs(zone: Zone, localUs: number): number {
  return instantMicros(zone, localUs);
}

/** The local date (epoch days) of an instant in a zone (Spark's microsToDays). */
export function utcUsToDays(zone: Zone, utcUs: number): number {
  return Math.floor(localMicros(zone, utcUs) / US_PER_DAY);
}

/** The instant of local midnight of a date in a zone (Spark's daysToMicros). */
export function daysToUtcUs(zone: Zone, days: number): number {
  return instantMicros(zone, days * US_PER_DAY);
}
