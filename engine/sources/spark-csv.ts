/**
 * CSV records as Spark's reader (univocity, as Spark configures it) splits
 * them, driven by the reader options (`sep`, `quote`, `escape`, `comment`,
 * `multiLine`, `ignoreLeadingWhiteSpace`, `ignoreTrailingWhiteSpace`).
 *
 * Rules:
 * - Records end at `lineSep` (one character) when given, else at LF, CRLF or
 *   CR (a CR before the `lineSep` LF is then a blank of the last value). Empty lines are skipped (they still count
 *   for line numbers), before the header as after it. A line of blanks
 *   (characters up to U+0020) is skipped too without `multiLine` (Spark drops
 *   the lines that `line.trim` empties before parsing them), and with
 *   `multiLine` when `ignoreLeadingWhiteSpace` is set (univocity skips the
 *   blanks and finds an empty row, which it skips); with `multiLine` alone it
 *   is a record whose first value is the blanks. A line that starts with the
 *   `comment` character is skipped.
 * - Nothing is trimmed unless `ignoreLeadingWhiteSpace` /
 *   `ignoreTrailingWhiteSpace` say so (they trim characters up to U+0020
 *   outside quotes).
 * - A `quote` opens a quoted value only at the start of a field (after the
 *   leading whitespace that is ignored). Inside, the separator is data, and
 *   `escape` followed by the quote is one quote (when `escape` is the quote
 *   itself, `""` is one quote). Any other escape character is kept as is.
 * - With `multiLine`, a quoted value may hold line breaks; without it, a
 *   quote still open at the end of the line ends there (the value is the
 *   rest of the line), as Spark reads each line alone.
 * - A closing quote followed by anything but the separator or the end of the
 *   line makes the value unquoted: the field's text up to the next separator,
 *   quotes included (univocity's STOP_AT_DELIMITER, Spark's default).
 * - A quote still open at the end of the file ends the value there.
 */
import type { ReaderOptions } from '../ir/plan.js';

export interface CsvToken {
  readonly text: string;
  /** The value was quoted (a quoted empty value is the `emptyValue`, not an empty field). */
  readonly quoted: boolean;
}

export interface CsvRecord {
  readonly tokens: CsvToken[];
  /** 1-based physical line of the record's first line. */
  readonly line: number;
  /** The record's text as in the file (without its line break). */
  readonly raw: string;
}


/** The records of a decoded text (a leading BOM already removed). */
export function* csvRecords(text: string, r: ReaderOptions): Generator<CsvRecord> {
  const n = text.length;
  const sep = r.sep;
  const sep0 = sep.charCodeAt(0);
  const sepLen = sep.length;
  const quote = r.quote === '' ? -1 : r.quote.charCodeAt(0);
  const escape = r.escape === '' ? -1 : r.escape.charCodeAt(0);
  const comment = r.comment === '' ? -1 : r.comment.charCodeAt(0);
  const lead = r.ignoreLeadingWhiteSpace;
  const trail = r.ignoreTrailingWhiteSpace;
  const multi = r.multiLine;
  const atSep = (p: number): boolean => text.charCodeAt(p) === sep0 && (sepLen === 1 || text.startsWith(sep, p));
  // the line separator: `lineSep` (one character), else LF, CRLF or CR
  const ls = r.lineSep === undefined ? -1 : r.lineSep.charCodeAt(0);
  const eolLen = (p: number): number => {
    const c = text.charCodeAt(p);
    if (ls >= 0) return c === ls ? 1 : 0;
    if (c === 10) return 1;
    if (c === 13) return text.charCodeAt(p + 1) === 10 ? 2 : 1;
    return 0;
  };
  // a blank: a character up to U+0020 that does not end the line
  const isWs = (p: number): boolean => text.charCodeAt(p) <= 32 && eolLen(p) === 0;
  let pos = 0;
  let line = 1;
  while (pos < n) {
    const c0 = text.charCodeAt(pos);
    const el0 = eolLen(pos);
    if (el0) { pos += el0; line++; continue; }
    if (c0 === comment) {
      while (pos < n && !eolLen(pos)) pos++;
      continue;
    }
    if (c0 <= 32 && (!multi || lead)) {
      // a line of blanks (without multiLine, separators that are blanks count too: Java's trim)
      let q = pos;
      while (q < n) {
        if (eolLen(q) || text.charCodeAt(q) > 32 || (multi && atSep(q))) break;
        q++;
      }
      if (q >= n || eolLen(q)) {
        pos = q;
        continue;
      }
    }
    const recStart = pos;
    const recLine = line;
    const tokens: CsvToken[] = [];
    let recEnd = -1;
    for (;;) {
      const fieldStart = pos;
      if (lead) while (pos < n && isWs(pos) && !atSep(pos)) pos++;
      let tok: CsvToken;
      if (pos < n && text.charCodeAt(pos) === quote) {
        let buf = '';
        let from = pos + 1;
        let p = from;
        let closed = false;
        for (;;) {
          if (p >= n) { buf += text.slice(from, p); break; }
          const c = text.charCodeAt(p);
          if (c === escape && escape !== quote && text.charCodeAt(p + 1) === quote) {
            buf += text.slice(from, p) + r.quote;
            p += 2; from = p; continue;
          }
          if (c === quote) {
            if (escape === quote && text.charCodeAt(p + 1) === quote) {
              buf += text.slice(from, p) + r.quote;
              p += 2; from = p; continue;
            }
            buf += text.slice(from, p);
            p++;
            closed = true;
            break;
          }
          const el = eolLen(p);
          if (el) {
            if (!multi) { buf += text.slice(from, p); break; }
            line++;
            p += el;
            continue;
          }
          p++;
        }
        pos = p;
        if (closed) {
          let q = pos;
          if (trail) while (q < n && isWs(q) && !atSep(q)) q++;
          if (q >= n || eolLen(q) || atSep(q)) {
            pos = q;
            tok = { text: buf, quoted: true };
          } else {
            // an unescaped quote: the field is read as unquoted text up to the separator
            while (pos < n && !atSep(pos) && !eolLen(pos)) pos++;
            let e = pos;
            if (trail) while (e > fieldStart && isWs(e - 1)) e--;
            let a = fieldStart;
            if (lead) while (a < e && isWs(a)) a++;
            tok = { text: text.slice(a, e), quoted: false };
          }
        } else tok = { text: buf, quoted: true };
      } else {
        const a = pos;
        while (pos < n && !atSep(pos) && !eolLen(pos)) pos++;
        let e = pos;
        if (trail) while (e > a && isWs(e - 1)) e--;
        tok = { text: text.slice(a, e), quoted: false };
      }
      tokens.push(tok);
      if (pos < n && atSep(pos)) { pos += sepLen; continue; }
      recEnd = pos;
      if (pos < n) {
        pos += eolLen(pos) || 1;
        line++;
      }
      break;
    }
    yield { tokens, line: recLine, raw: text.slice(recStart, recEnd) };
  }
}
