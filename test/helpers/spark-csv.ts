/**
 * An emulation of Spark's CSV reader as Databricks `read_files` / Auto Loader
 * runs it with `multiLine => true`: the univocity-parsers 2.9.1 tokenizer
 * (`CsvParser` with the settings `CSVOptions.asParserSettings` gives it), then
 * Auto Loader's by-name header matching and rescued-data column.
 *
 * Written from the univocity sources (CsvParser.parseSingleDelimiterRecord,
 * parseQuotedValue, consumeValueOnEOF; AbstractCharInputReader.nextChar,
 * getString, getQuotedString, skipWhitespace, the BOM skip in start();
 * LineSeparatorDetector; ParserOutput.rowParsed; AbstractParser.parseNext and
 * handleEOF) and Spark's CSVOptions / UnivocityParser. It is independent of the
 * compiler and of the engine's CSV parser.
 *
 * Spark settings reproduced: delimiter `,`, quote and escape as given,
 * charToEscapeQuoteEscaping unset (`\0` when quote = escape), comments off
 * (format comment char stays `#`), nullValue = emptyValue = "",
 * unescapedQuoteHandling STOP_AT_DELIMITER, skipEmptyLines (univocity default),
 * whitespace = every char <= U+0020, line separator detected from the input
 * when `lineSep` is not given (multiLine), else `lineSep` with line endings
 * inside quotes left as they are.
 *
 * Auto Loader (documented behaviour, not open source): with `header` the first
 * record names the columns; declared columns are matched by name
 * (case-insensitively with `readerCaseSensitive => false`; the first of
 * several matching names wins, the others are rescued); fields of other
 * columns go to the rescued-data column as a JSON object with `_file_path`;
 * fields beyond the header are dropped (Spark's PERMISSIVE mode keeps the
 * declared tokens); missing fields are NULL.
 */

export interface SparkCsvOptions {
  readonly quote: string;
  readonly escape: string;
  /** `lineSep` option (one character); null = detected (multiLine). */
  readonly lineSep: string | null;
  readonly ignoreLeadingWhiteSpace: boolean;
  readonly ignoreTrailingWhiteSpace: boolean;
  readonly maxColumns?: number;
}

class EOF extends Error {}

const NUL = '\0';

/** Tokenizes a whole file as univocity does; null tokens are Spark NULLs (nullValue ""). */
export function tokenizeSparkCsv(text: string, o: SparkCsvOptions): (string | null)[][] {
  return new Tokenizer(text, o).all();
}

class Tokenizer {
  // ---- input reader (one buffer holding the whole text)
  private readonly buf: string;
  private length: number;
  private i = 0;
  private readonly ls1: string;
  private readonly ls2: string;
  private readonly normalized: string;
  private normalizeLineEndings = true;
  private readonly normalizeInQuotes: boolean;
  private readerCh = NUL;
  /** Characters consumed since the record started (currentParsedContentLength). */
  private consumed = 0;
  private recordStartConsumed = 0;
  private totalConsumed = 0;
  private stopped = false;

  // ---- parser
  private ch = NUL;
  private prev = NUL;
  private unescaped = false;
  private readonly delimiter = ',';
  private readonly quote: string;
  private readonly quoteEscape: string;
  private readonly escapeEscape: string;
  private readonly newLine: string;
  private readonly comment = '#';
  private readonly ignoreLeading: boolean;
  private readonly ignoreTrailing: boolean;
  private readonly maxColumns: number;

  // ---- output
  private values: (string | null)[] = [];
  private app: string[] = [];
  private ws = 0;
  private trim = false;

  constructor(text: string, o: SparkCsvOptions) {
    this.buf = text;
    this.length = text.length;
    this.quote = o.quote;
    this.quoteEscape = o.escape;
    this.escapeEscape = o.quote === o.escape ? NUL : o.escape;
    this.ignoreLeading = o.ignoreLeadingWhiteSpace;
    this.ignoreTrailing = o.ignoreTrailingWhiteSpace;
    this.maxColumns = o.maxColumns ?? 20480;
    if (o.lineSep !== null) {
      this.ls1 = o.lineSep[0];
      this.ls2 = o.lineSep.length > 1 ? o.lineSep[1] : NUL;
      this.normalized = o.lineSep.length === 1 ? o.lineSep : '\n';
      this.normalizeInQuotes = false; // Spark: setNormalizeLineEndingsWithinQuotes(!multiLine)
    } else {
      // LineSeparatorDetector over the first buffer (1M chars); none found: the system separator (\n)
      let s1 = NUL, s2 = NUL;
      const end = Math.min(text.length, 1024 * 1024);
      for (let c = 0; c < end; c++) {
        const x = text[c];
        if (x === '\n' || x === '\r') {
          if (s1 === NUL) s1 = x; else { s2 = x; break; }
        } else if (s1 !== NUL) break;
      }
      if (s1 === NUL) { this.ls1 = '\n'; this.ls2 = NUL; }
      else if (s1 === '\n') { this.ls1 = '\n'; this.ls2 = NUL; }
      else { this.ls1 = '\r'; this.ls2 = s2 === '\n' ? '\n' : NUL; }
      this.normalized = '\n';
      this.normalizeInQuotes = true;
    }
    this.newLine = this.normalized;
    // start(): a leading U+FEFF is skipped whatever the encoding
    if (this.length > 0 && text[0] === '\uFEFF') this.i = 1;
    if (this.length === 0) this.length = -1;
  }

  private static ws(c: string): boolean {
    return c.charCodeAt(0) <= 32;
  }

  // ------------------------------------------------------------ input reader

  private exhaust(): void {
    this.length = -1;
    this.i = 0;
  }

  private nextChar(): string {
    if (this.length === -1) throw new EOF();
    let c = this.buf[this.i++];
    this.totalConsumed++;
    if (this.i >= this.length) this.exhaust();
    if (this.ls1 === c && (this.ls2 === NUL || (this.length !== -1 && this.ls2 === this.buf[this.i]))) {
      if (this.normalizeLineEndings) {
        c = this.normalized;
        if (this.ls2 !== NUL) {
          this.i++;
          this.totalConsumed++;
          if (this.i >= this.length) this.exhaust();
        }
      }
    }
    this.readerCh = c;
    return c;
  }

  private skipWhitespace(c: string, stop1: string, stop2: string): string {
    while (Tokenizer.ws(c) && c !== stop1 && c !== this.normalized && c !== stop2) c = this.nextChar();
    return c;
  }

  /** AbstractCharInputReader.getString (fast path for an unquoted value), or null. */
  private getString(c: string, stop: string, trim: boolean, nullValue: string): string | null {
    if (this.i === 0) return null;
    let j = this.i;
    for (; c !== stop; c = this.buf[j++]) {
      if (j >= this.length) return null;
      if (this.ls1 === c && (this.ls2 === NUL || this.ls2 === this.buf[j])) break;
    }
    const pos = this.i - 1;
    let len = j - this.i;
    this.totalConsumed += j - 1 - this.i;
    this.i = j - 1;
    if (trim) {
      let k = j - 2;
      while (k >= 0 && Tokenizer.ws(this.buf[k])) { len--; k--; }
    }
    const out = len <= 0 ? nullValue : this.buf.substr(pos, len);
    this.nextChar();
    return out;
  }

  /** AbstractCharInputReader.getQuotedString (fast path for a quoted value), or null. */
  private getQuotedString(stop1: string, stop2: string): string | null {
    if (this.i === 0) return null;
    let j = this.i;
    for (;;) {
      if (j >= this.length) return null;
      const c = this.buf[j];
      if (c === this.quote) {
        if (this.buf[j - 1] === this.quoteEscape) return null;
        if (j + 1 < this.length) {
          const next = this.buf[j + 1];
          if (next === stop1 || next === stop2) break;
        }
        return null;
      } else if (c === this.quoteEscape) {
        if (j + 1 < this.length) {
          const next = this.buf[j + 1];
          if (next === this.quote || next === this.escapeEscape) return null;
        }
      } else if (this.ls1 === c && this.normalizeLineEndings && (this.ls2 === NUL || (j + 1 < this.length && this.ls2 === this.buf[j + 1]))) {
        return null;
      }
      j++;
    }
    const pos = this.i;
    const len = j - this.i;
    this.totalConsumed += j + 1 - this.i;
    this.i = j + 1;
    this.readerCh = this.quote;
    const out = len <= 0 ? '' : this.buf.substr(pos, len);
    if (this.i >= this.length) this.exhaust();
    return out;
  }

  // ------------------------------------------------------------ appender / output

  private appLength(): number { return this.app.length - this.ws; }

  private append(c: string): void { this.app.push(c); }

  private appendUntil(c: string, ...stops: string[]): string {
    for (; !stops.includes(c); c = this.nextChar()) this.app.push(c);
    return c;
  }

  private updateWhitespace(): void {
    this.ws = 0;
    for (let k = this.app.length - 1; k >= 0 && Tokenizer.ws(this.app[k]); k--) this.ws++;
  }

  private getAndReset(): string {
    const out = this.app.length > this.ws ? this.app.slice(0, this.app.length - this.ws).join('') : '';
    this.app = [];
    this.ws = 0;
    return out;
  }

  private push(v: string | null): void {
    if (this.values.length >= this.maxColumns) throw new Error(`SPARK_CSV_MAX_COLUMNS: a record has more than ${this.maxColumns} fields (univocity maxColumns): the read fails`);
    this.values.push(v);
  }

  private emptyParsed(): void { this.push(''); this.app = []; this.ws = 0; }

  private valueParsed(v?: string): void {
    if (v !== undefined) { this.push(v); return; }
    if (this.trim) this.updateWhitespace();
    this.push(this.getAndReset());
  }

  private rowParsed(): (string | null)[] | null {
    if (this.values.length > 0) {
      const r = this.values;
      this.values = [];
      return r;
    }
    return null; // skipEmptyLines
  }

  // ------------------------------------------------------------ parser

  all(): (string | null)[][] {
    const rows: (string | null)[][] = [];
    for (;;) {
      const r = this.parseNext();
      if (r === null) return rows;
      rows.push(r.map((v) => (v === '' ? null : v)));
    }
  }

  private parseNext(): (string | null)[] | null {
    if (this.stopped) return null;
    try {
      for (;;) {
        this.recordStartConsumed = this.totalConsumed;
        this.ch = this.nextChar();
        this.parseRecord();
        const row = this.rowParsed();
        if (row !== null) return row;
      }
    } catch (e) {
      if (!(e instanceof EOF)) throw e;
      this.stopped = true;
      return this.handleEOF();
    }
  }

  private handleEOF(): (string | null)[] | null {
    this.consumed = this.totalConsumed - this.recordStartConsumed;
    const consume = this.consumeValueOnEOF();
    if (this.values.length !== 0 || consume) {
      if (this.appLength() > 0 || consume) this.valueParsed();
      else if (this.consumed > 0) this.emptyParsed();
      return this.rowParsed();
    } else if (this.appLength() > 0 || this.consumed > 0) {
      if (this.appLength() === 0) this.emptyParsed(); else this.valueParsed();
      return this.rowParsed();
    }
    return null;
  }

  private consumeValueOnEOF(): boolean {
    if (this.ch === this.quote) {
      if (this.prev === this.quote) return true;
      if (!this.unescaped) this.append(this.quote);
    }
    const out = this.prev !== NUL && this.ch !== this.delimiter && this.ch !== this.newLine && this.ch !== this.comment;
    this.ch = this.prev = NUL;
    return out;
  }

  private parseRecord(): void {
    if (Tokenizer.ws(this.ch) && this.ignoreLeading) this.ch = this.skipWhitespace(this.ch, this.delimiter, this.quote);
    while (this.ch !== this.newLine) {
      if (Tokenizer.ws(this.ch) && this.ignoreLeading) this.ch = this.skipWhitespace(this.ch, this.delimiter, this.quote);
      if (this.ch === this.delimiter || this.ch === this.newLine) {
        this.emptyParsed();
      } else {
        this.unescaped = false;
        this.prev = NUL;
        if (this.ch === this.quote) {
          this.normalizeLineEndings = this.normalizeInQuotes;
          const len = this.appLength();
          let fast = false;
          if (len === 0) {
            const value = this.getQuotedString(this.delimiter, this.newLine);
            if (value !== null) {
              fast = true;
              this.valueParsed(value);
              this.normalizeLineEndings = true;
              try {
                this.ch = this.nextChar();
              } catch (e) {
                if (!(e instanceof EOF)) throw e;
                return; // the record ends with the input
              }
              if (this.ch === this.delimiter) {
                try {
                  this.ch = this.nextChar();
                } catch (e) {
                  if (!(e instanceof EOF)) throw e;
                  this.emptyParsed();
                  return;
                }
                if (this.ch === this.newLine) this.emptyParsed();
              }
              continue;
            }
          }
          if (!fast) {
            this.trim = false; // trimQuotedTrailing
            this.parseQuotedValue();
            this.normalizeLineEndings = true;
            this.valueParsed();
          }
        } else {
          const len = this.appLength();
          const value = len === 0 ? this.getString(this.ch, this.delimiter, this.ignoreTrailing, '') : null;
          if (value !== null) {
            this.valueParsed(value);
            this.ch = this.readerCh;
          } else {
            this.trim = this.ignoreTrailing;
            this.ch = this.appendUntil(this.ch, this.delimiter, this.newLine);
            this.valueParsed();
          }
        }
      }
      if (this.ch !== this.newLine) {
        this.ch = this.nextChar();
        if (this.ch === this.newLine) this.emptyParsed();
      }
    }
  }

  private parseValueProcessingEscape(): void {
    while (this.ch !== this.delimiter && this.ch !== this.newLine) {
      if (this.ch !== this.quote && this.ch !== this.quoteEscape) {
        if (this.prev === this.quote) { this.handleUnescapedQuoteInValue(); return; }
        this.append(this.ch);
      } else {
        this.processQuoteEscape();
      }
      this.prev = this.ch;
      this.ch = this.nextChar();
    }
  }

  private handleUnescapedQuoteInValue(): void {
    // STOP_AT_DELIMITER
    this.append(this.quote);
    this.prev = this.ch;
    this.parseValueProcessingEscape();
  }

  private processQuoteEscape(): void {
    if (this.ch === this.quoteEscape && this.prev === this.escapeEscape && this.escapeEscape !== NUL) {
      this.append(this.quoteEscape);
      this.ch = NUL;
    } else if (this.prev === this.quoteEscape) {
      if (this.ch === this.quote) { this.append(this.quote); this.ch = NUL; }
      else this.append(this.prev);
    } else if (this.ch === this.quote && this.prev === this.quote) {
      this.append(this.quote);
    } else if (this.prev === this.quote) {
      this.handleUnescapedQuoteInValue();
    }
  }

  /** handleUnescapedQuote for STOP_AT_DELIMITER. */
  private handleUnescapedQuote(): void {
    this.unescaped = true;
    this.append(this.quote);
    this.append(this.ch);
    this.prev = this.ch;
    this.parseQuotedValue();
  }

  private parseQuotedValue(): void {
    if (this.prev !== NUL) {
      // parseUnescapedQuotesUntilDelimiter (STOP_AT_DELIMITER)
      this.app.unshift(this.quote);
      this.ch = this.nextChar();
      this.trim = this.ignoreTrailing;
      this.ch = this.appendUntil(this.ch, this.delimiter, this.newLine);
      return;
    }
    this.ch = this.nextChar();
    for (;;) {
      if (this.prev === this.quote && (Tokenizer.ws(this.ch) || this.ch === this.delimiter || this.ch === this.newLine)) break;
      if (this.ch !== this.quote && this.ch !== this.quoteEscape) {
        if (this.prev === this.quote) { this.handleUnescapedQuote(); return; }
        if (this.prev === this.quoteEscape && this.quoteEscape !== NUL) this.append(this.quoteEscape);
        this.ch = this.appendUntil(this.ch, this.quote, this.quoteEscape, this.escapeEscape);
        this.prev = this.ch;
        this.ch = this.nextChar();
      } else {
        this.processQuoteEscape();
        this.prev = this.ch;
        this.ch = this.nextChar();
        if (this.unescaped && (this.ch === this.delimiter || this.ch === this.newLine)) return;
      }
    }
    // whitespace after a quoted value is ignored; text after it continues the value
    if (this.ch !== this.delimiter && this.ch !== this.newLine && Tokenizer.ws(this.ch)) {
      const spaces: string[] = [];
      do {
        spaces.push(this.ch);
        this.ch = this.nextChar();
        if (this.ch === this.newLine) return;
      } while (Tokenizer.ws(this.ch) && this.ch !== this.delimiter);
      if (this.ch !== this.delimiter) {
        this.append(this.quote);
        for (const s of spaces) this.append(s);
        this.append(this.ch);
        this.prev = this.ch;
        this.parseQuotedValue();
      }
    }
    if (this.ch !== this.delimiter && this.ch !== this.newLine) {
      throw new Error(`SPARK_CSV_PARSE_ERROR: unexpected character '${this.ch}' following a quoted value`);
    }
  }
}

// ------------------------------------------------------------ Auto Loader: header matching and rescued data

export interface AutoLoaderRead {
  /** Declared column -> value per row (NULL for missing fields). */
  readonly rows: { values: (string | null)[]; rescued: string | null }[];
}

/**
 * The rows `read_files(..., header => true, schema => <all STRING>,
 * readerCaseSensitive => false, rescuedDataColumn => c)` gives for one file.
 */
export function autoLoaderRows(text: string, o: SparkCsvOptions & { header: boolean; schema: readonly string[]; caseSensitive: boolean; rescue: boolean; filePath: string }): AutoLoaderRead {
  const tokens = tokenizeSparkCsv(text, o);
  const n = o.schema.length;
  let colOf: number[]; // field index -> declared column, -1 = rescued under its header name
  let names: (string | null)[] = [];
  let data = tokens;
  if (o.header) {
    names = tokens[0] ?? [];
    data = tokens.slice(1);
    const taken = new Array<boolean>(n).fill(false);
    colOf = names.map((h) => {
      if (h === null) return -1;
      const j = o.schema.findIndex((s, k) => !taken[k] && (o.caseSensitive ? s === h : s.toLowerCase() === h.toLowerCase()));
      if (j < 0) return -1;
      taken[j] = true;
      return j;
    });
  } else {
    colOf = Array.from({ length: n }, (_, j) => j);
  }
  const rows = data.map((t) => {
    const values = new Array<string | null>(n).fill(null);
    const rescued: [string, string][] = [];
    t.forEach((v, i) => {
      if (i >= colOf.length) return; // beyond the header: dropped
      const j = colOf[i];
      if (j >= 0) values[j] = v;
      else if (o.rescue && v !== null && names[i] !== null) rescued.push([names[i]!, v]);
    });
    const json = rescued.length ? JSON.stringify(Object.fromEntries([...rescued, ['_file_path', o.filePath]])) : null;
    return { values, rescued: json };
  });
  return { rows };
}
