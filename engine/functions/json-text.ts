/**
 * JSON text as Spark reads and writes it (Jackson's rules), for the JSON
 * functions:
 * - a parser giving a tree that keeps each number's text and each value's
 *   source span (Spark's exact string parsing returns a nested value's
 *   original text); single-quoted strings are accepted (Spark's default),
 *   unescaped control characters and NaN/Infinity tokens on request; text
 *   after the first value is ignored, as Jackson stops there;
 * - a writer that re-serializes a value as Jackson's generator does (compact;
 *   integers as integers, other numbers as Java's Double.toString; strings
 *   escaped with `\"`, `\\`, `\n`, … and `\u00XX`);
 * - get_json_object's path language and evaluation (Spark's JsonPathParser
 *   and GetJsonObjectEvaluator, Hive-compatible wildcard flattening);
 * - the path of Databricks' `col:path` extraction.
 */
import { doubleToString } from '../expr/cast.js';

export type JNode =
  | { readonly t: 'obj'; readonly keys: string[]; readonly vals: JNode[]; readonly s: number; readonly e: number }
  | { readonly t: 'arr'; readonly items: JNode[]; readonly s: number; readonly e: number }
  | { readonly t: 'str'; readonly v: string; readonly s: number; readonly e: number }
  /** `int`: written without fraction or exponent; `special`: a NaN/Infinity token. */
  | { readonly t: 'num'; readonly text: string; readonly int: boolean; readonly special?: number; readonly s: number; readonly e: number }
  | { readonly t: 'bool'; readonly v: boolean; readonly s: number; readonly e: number }
  | { readonly t: 'null'; readonly s: number; readonly e: number };

export interface ParseOptions {
  readonly singleQuotes?: boolean;
  readonly controlChars?: boolean;
  readonly nonNumeric?: boolean;
}

export class JsonSyntaxError extends Error {}

/** Every node with the same fields in the same order (one hidden class: property reads stay monomorphic). */
function mk(t: JNode['t'], s: number, e: number, v?: string | boolean, text?: string, int?: boolean, special?: number, keys?: string[], vals?: JNode[], items?: JNode[]): JNode {
  return { t, v, text, int, special, keys, vals, items, s, e } as unknown as JNode;
}

/** Jackson's default nesting limit (StreamReadConstraints). */
const MAX_DEPTH = 1000;

/** Parses the first JSON value of `text` (undefined for text that is only whitespace). */
export function parseJson(text: string, opts: ParseOptions = {}): JNode | undefined {
  const p = new JsonReader(text, opts);
  p.ws();
  if (p.i >= text.length) return undefined;
  const v = p.value(0);
  if (v.t === 'num' && p.i < text.length && !/\s/.test(text[p.i])) throw new JsonSyntaxError(`unexpected character after a number at ${p.i}`);
  return v;
}

class JsonReader {
  i = 0;
  constructor(private readonly s: string, private readonly o: ParseOptions) {}

  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++; else break;
    }
  }

  private fail(what: string): never {
    throw new JsonSyntaxError(`${what} at ${this.i}`);
  }

  value(depth: number): JNode {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    this.ws();
    const s = this.s, start = this.i;
    const c = s[this.i];
    if (c === '{') {
      this.i++;
      const keys: string[] = [], vals: JNode[] = [];
      this.ws();
      if (s[this.i] === '}') { this.i++; return mk('obj', start, this.i, undefined, undefined, undefined, undefined, keys, vals); }
      for (;;) {
        this.ws();
        const q = s[this.i];
        if (q !== '"' && !(q === "'" && this.o.singleQuotes)) this.fail('expected a field name');
        keys.push(this.string(q));
        this.ws();
        if (s[this.i] !== ':') this.fail('expected ":"');
        this.i++;
        vals.push(this.value(depth + 1));
        this.ws();
        if (s[this.i] === ',') { this.i++; continue; }
        if (s[this.i] === '}') { this.i++; return mk('obj', start, this.i, undefined, undefined, undefined, undefined, keys, vals); }
        this.fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      this.i++;
      const items: JNode[] = [];
      this.ws();
      if (s[this.i] === ']') { this.i++; return mk('arr', start, this.i, undefined, undefined, undefined, undefined, undefined, undefined, items); }
      for (;;) {
        items.push(this.value(depth + 1));
        this.ws();
        if (s[this.i] === ',') { this.i++; continue; }
        if (s[this.i] === ']') { this.i++; return mk('arr', start, this.i, undefined, undefined, undefined, undefined, undefined, undefined, items); }
        this.fail('expected "," or "]"');
      }
    }
    if (c === '"' || (c === "'" && this.o.singleQuotes)) { const v = this.string(c); return mk('str', start, this.i, v); }
    const c0 = s.charCodeAt(this.i);
    if (c0 === 116 /* t */ && s.startsWith('true', this.i)) { this.i += 4; return this.literalEnd(mk('bool', start, this.i, true)); }
    if (c0 === 102 /* f */ && s.startsWith('false', this.i)) { this.i += 5; return this.literalEnd(mk('bool', start, this.i, false)); }
    if (c0 === 110 /* n */ && s.startsWith('null', this.i)) { this.i += 4; return this.literalEnd(mk('null', start, this.i)); }
    if (this.o.nonNumeric && (c0 === 78 || c0 === 73 || c0 === 43 || c0 === 45)) {
      for (const [word, v] of [['NaN', NaN], ['Infinity', Infinity], ['+Infinity', Infinity], ['-Infinity', -Infinity]] as const) {
        if (s.startsWith(word, this.i)) { this.i += word.length; return this.literalEnd(mk('num', start, this.i, undefined, word, false, v)); }
      }
    }
    return this.number(start);
  }

  /** `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, not running into more digits, a dot or an exponent. */
  private number(start: number): JNode {
    const s = this.s;
    let i = this.i;
    const digit = (k: number) => { const c = s.charCodeAt(k); return c >= 48 && c <= 57; };
    if (s.charCodeAt(i) === 45) i++;
    if (!digit(i)) this.fail('unexpected character');
    if (s.charCodeAt(i) === 48) i++; else while (digit(i)) i++;
    let int = true;
    if (s.charCodeAt(i) === 46) {
      i++;
      if (!digit(i)) this.fail('malformed number');
      while (digit(i)) i++;
      int = false;
    }
    const e = s.charCodeAt(i);
    if (e === 101 || e === 69) {
      i++;
      const sign = s.charCodeAt(i);
      if (sign === 43 || sign === 45) i++;
      if (!digit(i)) this.fail('malformed number');
      while (digit(i)) i++;
      int = false;
    }
    const next = s.charCodeAt(i);
    if ((next >= 48 && next <= 57) || next === 46 || next === 101 || next === 69) this.fail('malformed number');
    this.i = i;
    return mk('num', start, i, undefined, s.slice(start, i), int);
  }

  /** A keyword must not run into letters (`nullx` is not `null`). */
  private literalEnd(n: JNode): JNode {
    const c = this.s.charCodeAt(this.i);
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36) this.fail('unexpected character');
    return n;
  }

  private string(q: string): string {
    const s = this.s;
    this.i++;
    let out = '';
    let run = this.i;
    for (;;) {
      if (this.i >= s.length) this.fail('unterminated string');
      const c = s.charCodeAt(this.i);
      if (c === q.charCodeAt(0)) { out += s.slice(run, this.i); this.i++; return out; }
      if (c < 32 && !this.o.controlChars) this.fail('unescaped control character in a string');
      if (c !== 92) { this.i++; continue; }
      out += s.slice(run, this.i);
      const e = s[this.i + 1];
      this.i += 2;
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const h = s.slice(this.i, this.i + 4);
          if (!/^[0-9A-Fa-f]{4}$/.test(h)) this.fail('bad \\u escape');
          out += String.fromCharCode(parseInt(h, 16));
          this.i += 4;
          break;
        }
        case "'": if (this.o.singleQuotes) { out += "'"; break; } this.fail('bad escape');
        // falls through (unreachable)
        default: this.fail('bad escape');
      }
      run = this.i;
    }
  }
}

// ------------------------------------------------------------ writing

const HEX = '0123456789ABCDEF';

/** A JSON string literal as Jackson writes it. */
export function jsonString(v: string): string {
  let out = '"';
  let run = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 32 && c !== 34 && c !== 92) continue;
    out += v.slice(run, i);
    run = i + 1;
    switch (c) {
      case 34: out += '\\"'; break;
      case 92: out += '\\\\'; break;
      case 8: out += '\\b'; break;
      case 9: out += '\\t'; break;
      case 10: out += '\\n'; break;
      case 12: out += '\\f'; break;
      case 13: out += '\\r'; break;
      default: out += '\\u00' + HEX[c >> 4] + HEX[c & 15];
    }
  }
  return out + v.slice(run) + '"';
}

/** A number token as Jackson's generator copies it: integers exactly, other numbers through a double. */
export function numberText(n: Extract<JNode, { t: 'num' }>): string {
  if (n.special !== undefined) return jsonString(Number.isNaN(n.special) ? 'NaN' : n.special > 0 ? 'Infinity' : '-Infinity');
  if (n.int) return BigInt(n.text).toString();
  const d = Number(n.text);
  return Number.isFinite(d) ? doubleToString(d) : jsonString(d > 0 ? 'Infinity' : '-Infinity');
}

/** A value re-serialized compactly (Jackson's copyCurrentStructure). */
export function writeJson(n: JNode): string {
  switch (n.t) {
    case 'obj': return `{${n.keys.map((k, i) => `${jsonString(k)}:${writeJson(n.vals[i])}`).join(',')}}`;
    case 'arr': return `[${n.items.map(writeJson).join(',')}]`;
    case 'str': return jsonString(n.v);
    case 'num': return numberText(n);
    case 'bool': return n.v ? 'true' : 'false';
    case 'null': return 'null';
  }
}

// ------------------------------------------------------------ get_json_object

type Instr = { readonly k: 'sub' } | { readonly k: 'wild' } | { readonly k: 'key' } | { readonly k: 'idx'; readonly i: number } | { readonly k: 'named'; readonly name: string };

const pathCache = new Map<string, readonly Instr[] | null>();

/**
 * Spark's JsonPathParser: `$` then `.name` (any characters but `.` and
 * `[`), `['name']`, `[index]`, `[*]`, `.*` or `['*']`. Whitespace is skipped
 * where Scala's RegexParsers skip it (before the string and regex tokens).
 */
export function parseJsonPath(path: string): readonly Instr[] | null {
  let r = pathCache.get(path);
  if (r !== undefined) return r;
  r = parsePathText(path);
  if (pathCache.size > 1000) pathCache.clear();
  pathCache.set(path, r);
  return r;
}

function parsePathText(p: string): readonly Instr[] | null {
  if (p[0] !== '$') return null;
  let i = 1;
  const out: Instr[] = [];
  const skip = (k: number) => { while (k < p.length && /\s/.test(p[k])) k++; return k; };
  while (i < p.length) {
    const w = skip(i);
    if (p.startsWith('.*', w) || p.startsWith("['*']", w)) { out.push({ k: 'wild' }); i = w + (p.startsWith('.*', w) ? 2 : 5); continue; }
    if (p[i] === '.') {
      const m = /^[^.[]+/.exec(p.slice(skip(i + 1)));
      if (!m) return null;
      out.push({ k: 'key' }, { k: 'named', name: m[0] });
      i = skip(i + 1) + m[0].length;
      continue;
    }
    if (p.startsWith("['", w)) {
      const from = skip(w + 2);
      const m = /^[^']+/.exec(p.slice(from));
      if (!m) return null;
      const end = skip(from + m[0].length);
      if (!p.startsWith("']", end)) return null;
      out.push({ k: 'key' }, { k: 'named', name: m[0] });
      i = end + 2;
      continue;
    }
    if (p[i] === '[') {
      if (p[i + 1] === '*' && p[i + 2] === ']') { out.push({ k: 'sub' }, { k: 'wild' }); i += 3; continue; }
      const from = skip(i + 1);
      const m = /^\d+/.exec(p.slice(from));
      if (!m || p[from + m[0].length] !== ']') return null;
      out.push({ k: 'sub' }, { k: 'idx', i: Number(m[0]) });
      i = from + m[0].length + 1;
      continue;
    }
    if (skip(i) === p.length) break;
    return null;
  }
  return out;
}

/** A generator writing compact JSON with commas between the values of an array or object. */
class Gen {
  out = '';
  private readonly counts: number[] = [];
  private sep(): void {
    const n = this.counts.length;
    if (n && this.counts[n - 1]++ > 0) this.out += ',';
  }
  startArray(): void { this.sep(); this.out += '['; this.counts.push(0); }
  endArray(): void { this.counts.pop(); this.out += ']'; }
  value(json: string): void { this.sep(); this.out += json; }
  raw(text: string): void { this.out += text; }
}

type Style = 'raw' | 'quoted' | 'flatten';

/** get_json_object(json, path): the matched value's text (a top-level string without quotes), or null. */
export function getJsonObject(json: string, path: string): string | null {
  const instrs = parseJsonPath(path);
  if (!instrs) return null;
  let root: JNode | undefined;
  try { root = parseJson(json, { singleQuotes: true, controlChars: true }); } catch (e) { if (e instanceof JsonSyntaxError) return null; throw e; }
  if (root === undefined) return null;
  const g = new Gen();
  return evalPath(root, g, 'raw', instrs, 0) ? g.out : null;
}

function evalPath(n: JNode, g: Gen, style: Style, path: readonly Instr[], at: number): boolean {
  const rest = path.length - at;
  const head = path[at], second = path[at + 1];
  if (rest === 0) {
    if (n.t === 'str' && style === 'raw') { g.raw(n.v); return true; }
    if (n.t === 'arr' && style === 'flatten') {
      let dirty = false;
      for (const x of n.items) dirty = evalPath(x, g, style, path, at) || dirty;
      return dirty;
    }
    g.value(writeJson(n));
    return true;
  }
  if (n.t === 'obj' && head.k === 'key') {
    for (let f = 0; f < n.keys.length; f++) {
      const name = path[at + 1];
      const v = n.vals[f];
      // a null value does not match: a later field of the same name may
      if (name.k === 'named' && n.keys[f] === name.name && v.t !== 'null' && evalPath(v, g, style, path, at + 2)) return true;
    }
    return false;
  }
  if (n.t === 'arr' && head.k === 'sub' && second?.k === 'wild') {
    if (path[at + 2]?.k === 'sub' && path[at + 3]?.k === 'wild') {
      let dirty = false;
      g.startArray();
      for (const x of n.items) dirty = evalPath(x, g, 'flatten', path, at + 4) || dirty;
      g.endArray();
      return dirty;
    }
    if (style !== 'quoted') {
      const next: Style = style === 'raw' ? 'quoted' : 'flatten';
      const b = new Gen();
      b.startArray();
      let dirty = 0;
      for (const x of n.items) if (evalPath(x, b, next, path, at + 2)) dirty++;
      b.endArray();
      if (dirty > 1) g.value(b.out);
      else if (dirty === 1) g.value(b.out.slice(1, -1));
      return dirty > 0;
    }
    let dirty = false;
    g.startArray();
    for (const x of n.items) dirty = evalPath(x, g, 'quoted', path, at + 2) || dirty;
    g.endArray();
    return dirty;
  }
  if (n.t === 'arr' && head.k === 'sub' && second?.k === 'idx') {
    const x = n.items[second.i];
    if (x === undefined) return false;
    const quoted = path[at + 2]?.k === 'sub' && path[at + 3]?.k === 'wild';
    return evalPath(x, g, quoted ? 'quoted' : style, path, at + 2);
  }
  return false;
}

// ------------------------------------------------------------ Databricks col:path

export type PathStep = { readonly k: 'field'; readonly name: string; readonly exact: boolean } | { readonly k: 'index'; readonly i: number } | { readonly k: 'all' };

/**
 * The path of `col:path` as the SQL reader writes it: `$` then `.name`
 * (case-insensitive; `` .`a b` `` quoted with backticks), `['name']`
 * (case-sensitive; `\'` and `\\` escaped), `[index]` and `[*]`.
 */
export function parseDatabricksPath(path: string): PathStep[] | null {
  if (path[0] !== '$') return null;
  const out: PathStep[] = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === '.') {
      if (path[i + 1] === '`') {
        let name = '';
        let k = i + 2;
        for (;;) {
          if (k >= path.length) return null;
          if (path[k] === '`') { if (path[k + 1] === '`') { name += '`'; k += 2; continue; } break; }
          name += path[k++];
        }
        out.push({ k: 'field', name, exact: false });
        i = k + 1;
        continue;
      }
      const m = /^[^.[]+/.exec(path.slice(i + 1));
      if (!m) return null;
      out.push({ k: 'field', name: m[0], exact: false });
      i += 1 + m[0].length;
      continue;
    }
    if (path.startsWith("['", i)) {
      let name = '';
      let k = i + 2;
      for (;;) {
        if (k >= path.length) return null;
        if (path[k] === '\\') { name += path[k + 1] ?? ''; k += 2; continue; }
        if (path[k] === "'") break;
        name += path[k++];
      }
      if (path[k + 1] !== ']') return null;
      out.push({ k: 'field', name, exact: true });
      i = k + 2;
      continue;
    }
    if (path.startsWith('[*]', i)) { out.push({ k: 'all' }); i += 3; continue; }
    const m = /^\[(\d+)\]/.exec(path.slice(i));
    if (!m) return null;
    out.push({ k: 'index', i: Number(m[1]) });
    i += m[0].length;
  }
  return out;
}

export class AmbiguousFieldError extends Error {
  constructor(readonly field: string, readonly names: readonly string[]) { super(`ambiguous field ${field}`); }
}

/** A field of an object: exact, or (identifier) the one field equal ignoring case; several spellings are ambiguous. */
function fieldOf(n: Extract<JNode, { t: 'obj' }>, step: Extract<PathStep, { k: 'field' }>): JNode | undefined {
  if (step.exact) { const k = n.keys.indexOf(step.name); return k < 0 ? undefined : n.vals[k]; }
  const lower = step.name.toLowerCase();
  let found = -1;
  const names = new Set<string>();
  for (let k = 0; k < n.keys.length; k++) if (n.keys[k].toLowerCase() === lower) { names.add(n.keys[k]); if (found < 0) found = k; }
  if (names.size > 1) throw new AmbiguousFieldError(step.name, [...names]);
  return found < 0 ? undefined : n.vals[found];
}

/** What a path selects: a node, nothing, or (under `[*]`) a list of selections. */
type Sel = JNode | undefined | { readonly list: Sel[] };

function select(n: JNode | undefined, steps: readonly PathStep[], at: number): Sel {
  if (n === undefined || at === steps.length) return n;
  const s = steps[at];
  if (s.k === 'field') return n.t === 'obj' ? select(fieldOf(n, s), steps, at + 1) : undefined;
  if (s.k === 'index') return n.t === 'arr' ? select(n.items[s.i], steps, at + 1) : undefined;
  if (n.t !== 'arr') return undefined;
  const list: Sel[] = [];
  for (const x of n.items) {
    const r = select(x, steps, at + 1);
    // a nested [*] flattens into this one
    if (r !== undefined && typeof r === 'object' && 'list' in r) list.push(...r.list); else list.push(r);
  }
  return { list };
}

function selText(s: Sel): string {
  if (s === undefined) return 'null';
  if ('list' in s) return `[${s.list.map(selText).join(',')}]`;
  return writeJson(s);
}

/**
 * `json:path` (Databricks): the selected value as a STRING, a string without
 * quotes, anything else as compact JSON; NULL when nothing matches or the
 * value is a JSON null. `[*]` gives a JSON array with null where an element
 * has no match (nested `[*]` flattened).
 */
export function jsonPathExtract(json: string, steps: readonly PathStep[]): string | null {
  let root: JNode | undefined;
  try { root = parseJson(json, { singleQuotes: true, controlChars: true }); } catch (e) { if (e instanceof JsonSyntaxError) return null; throw e; }
  const s = select(root, steps, 0);
  if (s === undefined) return null;
  if ('list' in s) return selText(s);
  if (s.t === 'null') return null;
  if (s.t === 'str') return s.v;
  return writeJson(s);
}
