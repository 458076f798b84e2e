/**
 * Spark's datetime patterns (`to_timestamp(s, 'dd/MM/yyyy HH:mm')`,
 * `date_format(ts, 'yyyy-MM-dd')`): the letters of Java's DateTimeFormatter
 * as Spark 4 allows them, compiled once per pattern, for formatting and for
 * parsing (https://spark.apache.org/docs/latest/sql-ref-datetime-pattern.html).
 *
 * - y year (`yy` two digits, base 2000; `yyyy` exactly four digits unless
 *   signed), M/L month (`MMM` Jan, `MMMM` January), d day, D day of year,
 *   Q/q quarter, E day of week (`EEE` Thu, `EEEE` Thursday; formatting only),
 *   a AM/PM, H 0-23, h 1-12, K 0-11, k 1-24, m, s, S… fraction (parsing
 *   accepts 1 to n digits), G era, V/z zone (z formats the short name),
 *   O/X/x/Z offsets, `'text'` and `''` literals, `[…]` optional sections;
 *   any other character is itself.
 * - Spark rejects the week-based letters (Y w W u e c), A n N p B, the
 *   narrow forms (five of G M L E Q q), seven or more y, and E F Q q for
 *   parsing: INVALID_DATETIME_PATTERN.
 * - Parsing is strict and case-insensitive: the whole text must match; a
 *   missing year is 1970, a missing month or day is 1, missing time fields
 *   are 0 (an `a` without an hour is noon); a date that does not exist
 *   (2024-02-30) fails; a zone or offset in the text wins over the session zone.
 */
import { civilFromDays, daysFromCivil, daysInMonth, isLeapYear, isoDayOfWeek, US_PER_DAY, US_PER_SECOND } from './calendar.js';
import { fixedZone, instantMicros, localMicros, offsetAtMicros, zoneOf, type Zone } from './zones.js';

export class PatternError extends Error {
  constructor(message: string) { super(message); this.name = 'PatternError'; }
}

export type NumField = 'year' | 'month' | 'day' | 'doy' | 'hour' | 'hour12' | 'hour0_11' | 'hour1_24' | 'minute' | 'second' | 'quarter';
export type TextField = 'month' | 'dow' | 'ampm' | 'era' | 'quarter';

/** A compiled pattern element (read by the SQL translation of patterns). */
export type Tok =
  | { readonly k: 'lit'; readonly text: string }
  | { readonly k: 'num'; readonly field: NumField; readonly min: number; readonly max: number; readonly sign: 'normal' | 'exceeds' | 'none'; readonly reduced: boolean; reserve: number }
  | { readonly k: 'text'; readonly field: TextField; readonly full: boolean }
  | { readonly k: 'frac'; readonly digits: number }
  | { readonly k: 'offset'; readonly letter: 'X' | 'x' | 'Z' | 'O'; readonly count: number }
  | { readonly k: 'zoneName'; readonly full: boolean }
  | { readonly k: 'zoneId' }
  | { readonly k: 'opt'; readonly toks: Tok[] };

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const QUARTERS = ['1st quarter', '2nd quarter', '3rd quarter', '4th quarter'];

const NUM_LETTERS: Readonly<Record<string, NumField>> = {
  d: 'day', D: 'doy', H: 'hour', h: 'hour12', K: 'hour0_11', k: 'hour1_24', m: 'minute', s: 'second',
};

function bad(pattern: string, why: string): never {
  throw new PatternError(`invalid datetime pattern '${pattern}': ${why}`);
}

/** Compiles a pattern into tokens (throws PatternError). */
function compile(pattern: string, parsing: boolean): Tok[] {
  const stack: Tok[][] = [[]];
  const out = () => stack[stack.length - 1];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === "'") {
      let j = i + 1, text = '';
      for (;;) {
        if (j >= pattern.length) bad(pattern, 'a quote is not closed');
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") { text += "'"; j += 2; continue; }
          break;
        }
        text += pattern[j++];
      }
      out().push({ k: 'lit', text: j === i + 1 ? "'" : text });
      i = j + 1;
      continue;
    }
    if (c === '[') { stack.push([]); i++; continue; }
    if (c === ']') {
      if (stack.length === 1) bad(pattern, 'a ] without [');
      const toks = stack.pop()!;
      out().push({ k: 'opt', toks });
      i++;
      continue;
    }
    if (!/[A-Za-z]/.test(c)) {
      if (c === '{' || c === '}' || c === '#') bad(pattern, `the character '${c}' is reserved`);
      out().push({ k: 'lit', text: c });
      i++;
      continue;
    }
    let n = 1;
    while (pattern[i + n] === c) n++;
    i += n;
    out().push(letter(pattern, c, n, parsing));
  }
  if (stack.length !== 1) bad(pattern, 'a [ is not closed');
  const toks = stack[0];
  reserveAdjacent(toks);
  return toks;
}

function letter(pattern: string, c: string, n: number, parsing: boolean): Tok {
  const num = (field: NumField, min: number, max: number, sign: 'normal' | 'exceeds' | 'none' = 'normal', reduced = false): Tok => ({ k: 'num', field, min, max, sign, reduced, reserve: 0 });
  const tooMany = (): never => bad(pattern, `too many letters '${c.repeat(n)}'`);
  if ('YwWuec'.includes(c)) bad(pattern, `the week-based letter '${c}' is not supported (use EXTRACT or weekofyear instead)`);
  if ('AnNpB'.includes(c)) bad(pattern, `the letter '${c}' is not supported`);
  if (parsing && 'EFqQ'.includes(c)) bad(pattern, `the letter '${c}' cannot be used to parse`);
  switch (c) {
    case 'y':
      if (n >= 7) tooMany();
      if (n === 1) return num('year', 1, 19);
      if (n === 2) return num('year', 2, 2, 'none', true);
      if (n === 3) return num('year', 3, 19);
      return num('year', n, 19, 'exceeds');
    case 'M': case 'L':
      if (n >= 5) tooMany();
      if (n <= 2) return num('month', n, n === 1 ? 19 : 2);
      return { k: 'text', field: 'month', full: n === 4 };
    case 'Q': case 'q':
      if (n >= 5) tooMany();
      if (n <= 2) return num('quarter', n, n === 1 ? 19 : 2);
      return { k: 'text', field: 'quarter', full: n === 4 };
    case 'E':
      if (n >= 5) tooMany();
      return { k: 'text', field: 'dow', full: n === 4 };
    case 'a':
      if (n > 1) tooMany();
      return { k: 'text', field: 'ampm', full: false };
    case 'G':
      if (n >= 5) tooMany();
      return { k: 'text', field: 'era', full: n === 4 };
    case 'D':
      if (n > 3) tooMany();
      return n === 1 ? num('doy', 1, 19) : num('doy', n, 3, 'none');
    case 'd': case 'H': case 'h': case 'K': case 'k': case 'm': case 's':
      if (n > 2) tooMany();
      return n === 1 ? num(NUM_LETTERS[c], 1, 19) : num(NUM_LETTERS[c], 2, 2);
    case 'S':
      if (n > 9) tooMany();
      return { k: 'frac', digits: n };
    case 'X': case 'x':
      if (n > 5) tooMany();
      return { k: 'offset', letter: c, count: n };
    case 'Z':
      if (n > 5) tooMany();
      return { k: 'offset', letter: 'Z', count: n };
    case 'O':
      if (n !== 1 && n !== 4) bad(pattern, `'${c.repeat(n)}' must be O or OOOO`);
      return { k: 'offset', letter: 'O', count: n };
    case 'z':
      if (n > 4) tooMany();
      return { k: 'zoneName', full: n === 4 };
    case 'V':
      if (n !== 2) bad(pattern, `'${c.repeat(n)}' must be VV`);
      return { k: 'zoneId' };
    default:
      return bad(pattern, `the letter '${c}' is not a pattern letter (quote literal text: 'T')`);
  }
}

/** Java's adjacent value parsing: a variable-width number leaves room for fixed-width numbers right after it (`yyyyMMdd`). */
function reserveAdjacent(toks: Tok[]): void {
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.k === 'opt') { reserveAdjacent(t.toks); continue; }
    if (t.k !== 'num' || t.min === t.max) continue;
    let r = 0;
    for (let j = i + 1; j < toks.length; j++) {
      const u = toks[j];
      if (u.k !== 'num' || u.min !== u.max) break;
      r += u.min;
    }
    t.reserve = r;
  }
}

// ------------------------------------------------------------ formatting

function pad(v: number, width: number): string {
  const s = String(Math.abs(v));
  return (v < 0 ? '-' : '') + (s.length >= width ? s : '0'.repeat(width - s.length) + s);
}

const zoneNames = new Map<string, string>();

function intlZoneName(id: string, us: number, style: 'short' | 'long', locale: string): string {
  const f = new Intl.DateTimeFormat(locale, { timeZone: id, timeZoneName: style });
  return f.formatToParts(new Date(Math.floor(us / 1000))).find((p) => p.type === 'timeZoneName')?.value ?? id;
}

/** The zone's name at an instant as Java writes it in English (`PST`, `CET`, `Pacific Standard Time`). */
export function zoneName(zone: Zone, us: number, full: boolean): string {
  if (zone.fixed !== null) {
    if (zone.fixed === 0 && /^(UTC|Z|GMT|UT|Etc\/UTC)$/i.test(zone.id)) return full ? 'Coordinated Universal Time' : 'UTC';
    return offsetText(zone.fixed, true, true, false, 'Z');
  }
  const key = `${zone.id}|${full}|${offsetAtMicros(zone, us)}`;
  let name = zoneNames.get(key);
  if (name === undefined) {
    if (full) name = intlZoneName(zone.id, us, 'long', 'en-US');
    else {
      name = intlZoneName(zone.id, us, 'short', 'en-US');
      if (/^GMT[+-]/.test(name)) name = intlZoneName(zone.id, us, 'short', 'en-GB');
      if (/^GMT[+-]/.test(name)) {
        const long = intlZoneName(zone.id, us, 'long', 'en-US');
        if (!/^GMT/.test(long)) name = long.split(/\s+/).map((w) => w[0]).join('').toUpperCase();
      }
    }
    zoneNames.set(key, name);
  }
  return name;
}

/** `+08:00`-style offset text. */
function offsetText(sec: number, colon: boolean, minutes: boolean | 'nonzero', seconds: boolean | 'nonzero', zero: string | null): string {
  if (sec === 0 && zero !== null) return zero;
  const a = Math.abs(sec);
  const hh = Math.floor(a / 3600), mm = Math.floor((a % 3600) / 60), ss = a % 60;
  let s = (sec < 0 ? '-' : '+') + pad(hh, 2);
  const sep = colon ? ':' : '';
  if (minutes === true || (minutes === 'nonzero' && (mm !== 0 || ss !== 0))) s += sep + pad(mm, 2);
  if (seconds === true || (seconds === 'nonzero' && ss !== 0)) s += sep + pad(ss, 2);
  return s;
}

/** The text of an offset element for an offset in seconds. */
export function formatOffset(t: Extract<Tok, { k: 'offset' }>, sec: number): string {
  const n = t.count;
  if (t.letter === 'O' || (t.letter === 'Z' && n === 4)) {
    if (sec === 0) return 'GMT';
    const a = Math.abs(sec);
    const hh = Math.floor(a / 3600), mm = Math.floor((a % 3600) / 60), ss = a % 60;
    if (t.letter === 'O' && n === 1) return `GMT${sec < 0 ? '-' : '+'}${hh}${mm || ss ? ':' + pad(mm, 2) : ''}${ss ? ':' + pad(ss, 2) : ''}`;
    return `GMT${sec < 0 ? '-' : '+'}${pad(hh, 2)}:${pad(mm, 2)}${ss ? ':' + pad(ss, 2) : ''}`;
  }
  if (t.letter === 'Z') {
    if (n <= 3) return offsetText(sec, false, true, 'nonzero', null);
    return offsetText(sec, true, true, 'nonzero', 'Z');
  }
  const zero = t.letter === 'X' ? 'Z' : null;
  switch (n) {
    case 1: return offsetText(sec, false, 'nonzero', false, zero);
    case 2: return offsetText(sec, false, true, false, zero);
    case 3: return offsetText(sec, true, true, false, zero);
    case 4: return offsetText(sec, false, true, 'nonzero', zero);
    default: return offsetText(sec, true, true, 'nonzero', zero);
  }
}

/** Wall-clock fields of the instant being written (one mutable record per pattern, reused row after row). */
class LocalFields {
  year = 0; month = 0; day = 0; days = NaN; hour = 0; minute = 0; second = 0; nano = 0; offset = 0; us = 0;
  zone!: Zone;

  set(us: number, zone: Zone): this {
    const local = localMicros(zone, us);
    const days = Math.floor(local / US_PER_DAY);
    let rem = local - days * US_PER_DAY;
    if (days !== this.days) {
      const [y, m, d] = civilFromDays(days);
      this.year = y; this.month = m; this.day = d; this.days = days;
    }
    const micro = rem % US_PER_SECOND;
    rem = (rem - micro) / US_PER_SECOND;
    this.hour = Math.floor(rem / 3600);
    this.minute = Math.floor((rem % 3600) / 60);
    this.second = rem % 60;
    this.nano = micro * 1000;
    this.offset = (local - us) / US_PER_SECOND;
    this.us = us;
    this.zone = zone;
    return this;
  }
}

const TWO = Array.from({ length: 100 }, (_, k) => (k < 10 ? '0' + k : String(k)));

function formatNum(t: Extract<Tok, { k: 'num' }>, f: LocalFields): string {
  let v: number;
  switch (t.field) {
    case 'year': v = f.year; break;
    case 'month': v = f.month; break;
    case 'day': v = f.day; break;
    case 'doy': v = f.days - daysFromCivil(f.year, 1, 1) + 1; break;
    case 'hour': v = f.hour; break;
    case 'hour12': v = f.hour % 12 === 0 ? 12 : f.hour % 12; break;
    case 'hour0_11': v = f.hour % 12; break;
    case 'hour1_24': v = f.hour === 0 ? 24 : f.hour; break;
    case 'minute': v = f.minute; break;
    case 'second': v = f.second; break;
    default: v = Math.floor((f.month - 1) / 3) + 1; break;
  }
  if (t.reduced) return TWO[((v % 100) + 100) % 100];
  if (t.min === 2 && v >= 0 && v < 100) return TWO[v];
  if (t.min === 1 && v >= 0 && v < 10) return TWO[v][1];
  if (t.sign === 'exceeds' && v >= 10 ** t.min) return '+' + pad(v, t.min);
  return pad(v, t.min);
}

function formatText(t: Extract<Tok, { k: 'text' }>, f: LocalFields): string {
  switch (t.field) {
    case 'month': { const m = MONTHS[f.month - 1]; return t.full ? m : m.slice(0, 3); }
    case 'dow': { const d = DAYS[isoDayOfWeek(f.days) - 1]; return t.full ? d : d.slice(0, 3); }
    case 'ampm': return f.hour < 12 ? 'AM' : 'PM';
    case 'era': return f.year > 0 ? (t.full ? 'Anno Domini' : 'AD') : (t.full ? 'Before Christ' : 'BC');
    default: { const q = Math.floor((f.month - 1) / 3); return t.full ? QUARTERS[q] : `Q${q + 1}`; }
  }
}

function formatToks(toks: readonly Tok[], f: LocalFields): string {
  let out = '';
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    switch (t.k) {
      case 'lit': out += t.text; break;
      case 'num': out += formatNum(t, f); break;
      case 'text': out += formatText(t, f); break;
      case 'frac': out += String(f.nano).padStart(9, '0').slice(0, t.digits); break;
      case 'offset': out += formatOffset(t, f.offset); break;
      case 'zoneName': out += zoneName(f.zone, f.us, t.full); break;
      case 'zoneId': out += f.zone.id; break;
      case 'opt': out += formatToks(t.toks, f); break;
    }
  }
  return out;
}

// ------------------------------------------------------------ parsing

/** The fields a text gave (undefined: not in the text). One shape for every row. */
class Parsed {
  year?: number = undefined; month?: number = undefined; day?: number = undefined; doy?: number = undefined; quarter?: number = undefined;
  hour?: number = undefined; hour12?: number = undefined; hour0_11?: number = undefined; hour1_24?: number = undefined;
  minute?: number = undefined; second?: number = undefined; nano?: number = undefined; ampm?: number = undefined;
  era?: number = undefined; offset?: number = undefined; zone?: Zone = undefined;
}

/** A parse position, or where a text stopped matching as `~position` (negative). */
type Pos = number;
const miss = (at: number): Pos => ~at;

function digitRun(s: string, pos: number): number {
  let n = 0;
  while (pos + n < s.length) { const c = s.charCodeAt(pos + n); if (c < 48 || c > 57) break; n++; }
  return n;
}

function parseNum(t: Extract<Tok, { k: 'num' }>, s: string, pos: number, p: Parsed): Pos {
  let i = pos, neg = false, signed = false;
  const c = s.charCodeAt(i);
  if ((c === 45 || c === 43) && t.sign !== 'none') {
    if (c === 43 && t.sign !== 'exceeds') return miss(pos);
    neg = c === 45; signed = true; i++;
  }
  const run = digitRun(s, i);
  let take = run < t.max ? run : t.max;
  if (t.reserve > 0 && run - t.reserve < take) take = Math.max(run - t.reserve, 0);
  if (t.sign === 'exceeds') {
    if (!signed) take = Math.min(take, t.min);
    else if (take <= t.min) return miss(pos);
  }
  if (take < t.min || take === 0) return miss(pos);
  let v = 0;
  for (let k = i; k < i + take; k++) v = v * 10 + (s.charCodeAt(k) - 48);
  if (neg) v = -v;
  if (t.reduced) v += 2000;
  switch (t.field) {
    case 'year': p.year = v; break;
    case 'month': p.month = v; break;
    case 'day': p.day = v; break;
    case 'doy': p.doy = v; break;
    case 'hour': p.hour = v; break;
    case 'hour12': p.hour12 = v; break;
    case 'hour0_11': p.hour0_11 = v; break;
    case 'hour1_24': p.hour1_24 = v; break;
    case 'minute': p.minute = v; break;
    case 'second': p.second = v; break;
    default: p.quarter = v; break;
  }
  return i + take;
}

function matchWord(s: string, pos: number, words: readonly string[]): [number, number] | null {
  let best: [number, number] | null = null;
  for (let k = 0; k < words.length; k++) {
    const w = words[k];
    if (s.substr(pos, w.length).toLowerCase() === w.toLowerCase() && (best === null || w.length > words[best[0]].length)) best = [k, pos + w.length];
  }
  return best;
}

function parseText(t: Extract<Tok, { k: 'text' }>, s: string, pos: number, p: Parsed): Pos {
  let words: string[];
  switch (t.field) {
    case 'month': words = t.full ? MONTHS : MONTHS.map((m) => m.slice(0, 3)); break;
    case 'ampm': words = ['AM', 'PM']; break;
    case 'era': words = t.full ? ['Before Christ', 'Anno Domini'] : ['BC', 'AD']; break;
    default: return miss(pos);
  }
  const m = matchWord(s, pos, words);
  if (m === null) return miss(pos);
  if (t.field === 'month') p.month = m[0] + 1;
  else if (t.field === 'ampm') p.ampm = m[0];
  else p.era = m[0];
  return m[1];
}

/** An offset `+HH[[:]MM[[:]SS]]` at pos (minutes required or optional), or Miss. */
function parseOffsetAt(s: string, pos: number, colon: boolean, minutesRequired: boolean, allowSeconds: boolean): [number, number] | Pos {
  const c = s[pos];
  if (c !== '+' && c !== '-') return miss(pos);
  let i = pos + 1;
  if (digitRun(s, i) < 2) return miss(pos);
  const hh = Number(s.slice(i, i + 2)); i += 2;
  let mm = 0, ss = 0;
  const part = (): number | null => {
    let j = i;
    if (colon) { if (s[j] !== ':') return null; j++; }
    if (digitRun(s, j) < 2) return null;
    i = j + 2;
    return Number(s.slice(j, j + 2));
  };
  const m = part();
  if (m === null) { if (minutesRequired) return miss(pos); } else {
    mm = m;
    if (allowSeconds) { const x = part(); if (x !== null) ss = x; }
  }
  if (hh > 18 || mm > 59 || ss > 59) return miss(pos);
  return [(c === '-' ? -1 : 1) * (hh * 3600 + mm * 60 + ss), i];
}

function parseOffset(t: Extract<Tok, { k: 'offset' }>, s: string, pos: number, p: Parsed): Pos {
  const n = t.count;
  const lit = (w: string): number | null => (s.substr(pos, w.length).toLowerCase() === w.toLowerCase() ? pos + w.length : null);
  if (t.letter === 'O' || (t.letter === 'Z' && n === 4)) {
    const g = lit('GMT');
    if (g === null) return miss(pos);
    const c = s[g];
    if (c !== '+' && c !== '-') { p.offset = 0; return g; }
    // GMT+8, GMT+08:00, GMT-5:30
    const m = /^([+-])(\d{1,2})(?::(\d{2})(?::(\d{2}))?)?/.exec(s.slice(g));
    if (!m) return miss(pos);
    p.offset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0));
    return g + m[0].length;
  }
  const zero = t.letter === 'X' || (t.letter === 'Z' && n === 5) ? 'Z' : null;
  if (zero !== null) { const z = lit(zero); if (z !== null) { p.offset = 0; return z; } }
  let r: [number, number] | Pos;
  if (t.letter === 'Z') r = n <= 3 ? parseOffsetAt(s, pos, false, true, true) : parseOffsetAt(s, pos, true, true, true);
  else if (n === 1) r = parseOffsetAt(s, pos, false, false, false);
  else if (n === 2 || n === 4) r = parseOffsetAt(s, pos, false, true, n === 4);
  else r = parseOffsetAt(s, pos, true, true, n === 5);
  if (typeof r === 'number') return r;
  p.offset = r[0];
  return r[1];
}

/** Zone abbreviations a `z` field parses (as Java's English zone names resolve them). */
const ABBREVIATIONS: Readonly<Record<string, string>> = {
  UTC: 'UTC', GMT: 'UTC', UT: 'UTC', Z: 'UTC', PST: 'America/Los_Angeles', PDT: 'America/Los_Angeles', MST: 'America/Denver', MDT: 'America/Denver',
  CST: 'America/Chicago', CDT: 'America/Chicago', EST: 'America/New_York', EDT: 'America/New_York', AKST: 'America/Anchorage', AKDT: 'America/Anchorage',
  HST: 'Pacific/Honolulu', CET: 'Europe/Paris', CEST: 'Europe/Paris', WET: 'Europe/Lisbon', WEST: 'Europe/Lisbon', EET: 'Europe/Athens', EEST: 'Europe/Athens',
  BST: 'Europe/London', JST: 'Asia/Tokyo', KST: 'Asia/Seoul', IST: 'Asia/Kolkata', AEST: 'Australia/Sydney', AEDT: 'Australia/Sydney',
};

function parseZone(s: string, pos: number, p: Parsed, idOnly: boolean): Pos {
  const m = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*/.exec(s.slice(pos));
  if (!m) return miss(pos);
  // the longest prefix that names a zone
  for (let len = m[0].length; len > 0; len--) {
    const w = m[0].slice(0, len);
    const abbr = idOnly ? undefined : ABBREVIATIONS[w.toUpperCase()];
    const z = abbr !== undefined ? zoneOf(abbr) : w.includes('/') || /^(UTC|GMT|UT)([+-]|$)/i.test(w) ? zoneOf(w) : null;
    if (z !== null) { p.zone = z; return pos + len; }
  }
  return miss(pos);
}

type Step = (s: string, pos: number, p: Parsed) => Pos;

/** The parser of a token list: one closure per element (monomorphic), run in order. */
function compileParser(toks: readonly Tok[]): Step {
  const steps: Step[] = toks.map((t): Step => {
    switch (t.k) {
      case 'lit': { const text = t.text; return (s, i) => matchLiteral(text, s, i); }
      case 'num': return (s, i, p) => parseNum(t, s, i, p);
      case 'text': return (s, i, p) => parseText(t, s, i, p);
      case 'frac': {
        const digits = t.digits;
        return (s, i, p) => {
          const n = Math.min(digitRun(s, i), digits);
          if (n < 1) return miss(i);
          let v = 0;
          for (let k = 0; k < 9; k++) v = v * 10 + (k < n ? s.charCodeAt(i + k) - 48 : 0);
          p.nano = v;
          return i + n;
        };
      }
      case 'offset': return (s, i, p) => parseOffset(t, s, i, p);
      case 'zoneName': return (s, i, p) => parseZone(s, i, p, false);
      case 'zoneId': return (s, i, p) => parseZone(s, i, p, true);
      case 'opt': {
        const inner = compileParser(t.toks);
        return (s, i, p) => {
          const saved = Object.assign(new Parsed(), p);
          const x = inner(s, i, p);
          if (x < 0) { Object.assign(p, saved); return i; }
          return x;
        };
      }
    }
  });
  return (s, pos, p) => {
    let i = pos;
    for (let k = 0; k < steps.length; k++) {
      i = steps[k](s, i, p);
      if (i < 0) return i;
    }
    return i;
  };
}

/** Literal text at pos (letters case-insensitively), or a miss. */
function matchLiteral(text: string, s: string, pos: number): Pos {
  if (pos + text.length > s.length) return miss(pos);
  for (let k = 0; k < text.length; k++) {
    const a = text.charCodeAt(k), b = s.charCodeAt(pos + k);
    if (a === b) continue;
    const la = a | 32;
    if (la === (b | 32) && la >= 97 && la <= 122) continue;
    if (a > 127 && text[k].toLowerCase() === s[pos + k].toLowerCase()) continue;
    return miss(pos);
  }
  return pos + text.length;
}

/** The local date (epoch days) of parsed fields, Spark's defaults filled in, or an error message. */
function resolveDate(p: Parsed): number | string {
  let year = p.year ?? 1970;
  if (p.era === 0) year = 1 - year;
  if (p.doy !== undefined) {
    const max = isLeapYear(year) ? 366 : 365;
    if (p.doy < 1 || p.doy > max) return `Invalid date 'DayOfYear ${p.doy}' as '${year}' is not a leap year`;
    const days = daysFromCivil(year, 1, 1) + p.doy - 1;
    const [, m, d] = civilFromDays(days);
    if (p.month !== undefined && p.month !== m) return `Conflict found: Field MonthOfYear ${m} differs from MonthOfYear ${p.month}`;
    if (p.day !== undefined && p.day !== d) return `Conflict found: Field DayOfMonth ${d} differs from DayOfMonth ${p.day}`;
    return days;
  }
  const month = p.month ?? 1, day = p.day ?? 1;
  if (month < 1 || month > 12) return `Invalid value for MonthOfYear: ${month}`;
  if (day < 1 || day > 31) return `Invalid value for DayOfMonth: ${day}`;
  if (day > daysInMonth(year, month)) return `Invalid date '${MONTHS[month - 1].toUpperCase()} ${day}'`;
  return daysFromCivil(year, month, day);
}

/** Microseconds of the local time of parsed fields (Spark's toLocalTime), or an error message. */
function resolveTime(p: Parsed): number | string {
  let hour: number;
  if (p.hour !== undefined) {
    if (p.hour < 0 || p.hour > 23) return `Invalid value for HourOfDay: ${p.hour}`;
    if (p.ampm !== undefined && (p.hour >= 12 ? 1 : 0) !== p.ampm) return `Conflict found: HourOfDay ${p.hour} differs from AmPmOfDay`;
    hour = p.hour;
  } else if (p.hour1_24 !== undefined) {
    if (p.hour1_24 < 1 || p.hour1_24 > 24) return `Invalid value for ClockHourOfDay: ${p.hour1_24}`;
    hour = p.hour1_24 % 24;
  } else if (p.hour12 !== undefined || p.hour0_11 !== undefined) {
    let h: number;
    if (p.hour12 !== undefined) {
      if (p.hour12 < 1 || p.hour12 > 12) return `Invalid value for ClockHourOfAmPm: ${p.hour12}`;
      h = p.hour12 % 12;
    } else {
      if (p.hour0_11! < 0 || p.hour0_11! > 11) return `Invalid value for HourOfAmPm: ${p.hour0_11}`;
      h = p.hour0_11!;
    }
    hour = (p.ampm ?? 0) * 12 + h;
  } else hour = p.ampm === 1 ? 12 : 0;
  const minute = p.minute ?? 0, second = p.second ?? 0;
  if (minute < 0 || minute > 59) return `Invalid value for MinuteOfHour: ${minute}`;
  if (second < 0 || second > 59) return `Invalid value for SecondOfMinute: ${second}`;
  return ((hour * 60 + minute) * 60 + second) * US_PER_SECOND + Math.floor((p.nano ?? 0) / 1000);
}

/** A compiled Spark datetime pattern. */
export class DateTimePattern {
  private readonly toks: Tok[];
  private readonly scratch = new LocalFields();
  private readonly parser: Step;

  private constructor(readonly pattern: string, readonly parsing: boolean) {
    this.toks = compile(pattern, parsing);
    this.parser = compileParser(this.toks);
  }

  private static cache = new Map<string, DateTimePattern | PatternError>();

  /** The compiled pattern (cached); throws PatternError for a pattern Spark rejects. */
  static of(pattern: string, parsing: boolean): DateTimePattern {
    const key = (parsing ? 'p' : 'f') + pattern;
    let c = DateTimePattern.cache.get(key);
    if (c === undefined) {
      try { c = new DateTimePattern(pattern, parsing); } catch (e) { if (!(e instanceof PatternError)) throw e; c = e; }
      if (DateTimePattern.cache.size > 1000) DateTimePattern.cache.clear();
      DateTimePattern.cache.set(key, c);
    }
    if (c instanceof PatternError) throw c;
    return c;
  }

  /** The compiled elements. */
  get tokens(): readonly Tok[] { return this.toks; }

  /** An instant (epoch micros) written in a zone. */
  format(us: number, zone: Zone): string {
    return formatToks(this.toks, this.scratch.set(us, zone));
  }

  /** The instant (epoch micros) a text names, read in `zone` unless it carries its own zone or offset; or an error message. */
  parse(text: string, zone: Zone): number | string {
    const p = new Parsed();
    const end = this.parser(text, 0, p);
    if (end < 0) return `Text '${text}' could not be parsed at index ${~end}`;
    if (end !== text.length) return `Text '${text}' could not be parsed, unparsed text found at index ${end}`;
    const days = resolveDate(p);
    if (typeof days === 'string') return `Text '${text}' could not be parsed: ${days}`;
    const time = resolveTime(p);
    if (typeof time === 'string') return `Text '${text}' could not be parsed: ${time}`;
    const local = days * US_PER_DAY + time;
    if (p.offset !== undefined) return instantMicros(fixedZone(p.offset), local);
    return instantMicros(p.zone ?? zone, local);
  }
}
