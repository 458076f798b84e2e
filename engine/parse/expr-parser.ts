/**
 * Spark SQL expressions → expression IR, by recursive descent over the
 * tokens of `lexer.ts`. Precedence, lowest first: OR, AND, NOT, predicates
 * (comparisons, IS, BETWEEN, IN, LIKE/ILIKE/RLIKE), `|`, `^`, `&`, `||`,
 * `+ -`, `* / % div`, unary `- + ~`, postfix (`::type`, `[i]`, `.field`,
 * `:json.path`), primaries.
 *
 * Functions resolve through the registries: a scalar function becomes a
 * `call`, an aggregate an `aggregate` node (with DISTINCT and FILTER), and
 * `OVER (…)` wraps either in an `over` node. Unknown names stay calls, so the
 * type checker reports them (UNKNOWN_FUNCTION, with suggestions). Every node
 * made here has a position (`positionOf`) for errors.
 */
import type { AggNode, ExprNode, FrameBound, SortKey, WindowFrame, WindowOver } from '../ir/expr.js';
import { decimalType, parseTypeName, type DataType, type Value } from '../ir/types.js';
import { DefinitionError, UnsupportedError } from '../errors.js';
import { tokenize, type SourcePos, type Token } from './lexer.js';
import { lookupFunction } from '../functions/registry.js';
import { lookupAggregate } from '../functions/aggregates.js';
import { lookupWindowFunction } from '../functions/window.js';
import { parseIntervalLiteral } from './interval.js';
import '../functions/index.js';

/** The units of timestampadd / timestampdiff (and of dateadd / datediff with a unit). */
const DATETIME_UNITS = new Set(['YEAR', 'QUARTER', 'MONTH', 'WEEK', 'DAY', 'DAYOFYEAR', 'HOUR', 'MINUTE', 'SECOND', 'MILLISECOND', 'MICROSECOND']);

export interface NodePos { readonly file?: string; readonly line: number; readonly col: number }

const positions = new WeakMap<object, NodePos>();

/** Where a node made by the parser was written. */
export function positionOf(n: object): NodePos | undefined {
  return positions.get(n);
}

const freeze = <T>(x: T): T => Object.freeze(x);

/** Words that end an expression (never column names where an expression could stop). */
const STOP = new Set([
  'FROM', 'WHERE', 'GROUP', 'HAVING', 'ORDER', 'LIMIT', 'UNION', 'EXCEPT', 'INTERSECT', 'QUALIFY', 'WINDOW', 'ON', 'USING', 'JOIN',
  'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'SEMI', 'ANTI', 'LATERAL', 'AS', 'WHEN', 'THEN', 'ELSE', 'END', 'AND', 'OR', 'ASC', 'DESC',
  'NULLS', 'ROWS', 'RANGE', 'BETWEEN', 'PRECEDING', 'FOLLOWING', 'CURRENT', 'WATERMARK', 'DELAY', 'OVER', 'FILTER', 'FOR', 'ESCAPE', 'IN',
  'IS', 'NOT', 'LIKE', 'ILIKE', 'RLIKE', 'REGEXP', 'DIV', 'SORT', 'CLUSTER', 'DISTRIBUTE', 'TABLESAMPLE', 'PIVOT', 'UNPIVOT', 'LIMIT', 'OFFSET',
]);

export class ExprParser {
  private i = 0;

  constructor(private readonly t: readonly Token[], private readonly src: SourcePos = {}) {}

  // ------------------------------------------------------------ token helpers

  peek(k = 0): Token { return this.t[Math.min(this.i + k, this.t.length - 1)]; }
  get index(): number { return this.i; }
  set index(v: number) { this.i = v; }
  next(): Token { return this.t[this.i < this.t.length - 1 ? this.i++ : this.i]; }
  atEnd(): boolean { return this.peek().kind === 'eof'; }

  isWord(w: string, k = 0): boolean { const t = this.peek(k); return t.kind === 'ident' && t.upper === w; }
  isOp(op: string, k = 0): boolean { const t = this.peek(k); return t.kind === 'op' && t.text === op; }
  eatWord(w: string): boolean { if (this.isWord(w)) { this.i++; return true; } return false; }
  eatOp(op: string): boolean { if (this.isOp(op)) { this.i++; return true; } return false; }

  expectWord(w: string): Token {
    if (!this.isWord(w)) this.fail(`expected ${w}`, this.peek());
    return this.next();
  }
  expectOp(op: string): Token {
    if (!this.isOp(op)) this.fail(`expected "${op}"`, this.peek());
    return this.next();
  }

  fail(message: string, at: Token = this.peek()): never {
    const found = at.kind === 'eof' ? 'the end of the text' : `"${at.kind === 'string' ? `'${at.text}'` : at.text}"`;
    throw new DefinitionError('SQL_SYNTAX', `${message}, found ${found}`, { file: this.src.file ?? null, line: at.line, col: at.col, found: at.text }, {
      origin: { file: this.src.file, line: at.line, col: at.col },
      hint: 'check the SQL near this place',
    });
  }

  unsupported(construct: string, at: Token): never {
    throw new UnsupportedError('SQL_UNSUPPORTED', `${construct} is not supported`, { file: this.src.file ?? null, line: at.line, col: at.col, construct }, {
      origin: { file: this.src.file, line: at.line, col: at.col },
      hint: 'rewrite it with supported constructs (see docs/functions.md); the reader names every construct it does not support',
    });
  }

  private at<T extends object>(n: T, tok: Token): T {
    positions.set(n, { file: this.src.file, line: tok.line, col: tok.col });
    return freeze(n);
  }

  /** An identifier (unquoted or backquoted): its text. */
  ident(what = 'a name'): string {
    const t = this.peek();
    if (t.kind === 'ident' || t.kind === 'qident') { this.i++; return t.text; }
    return this.fail(`expected ${what}`, t);
  }

  // ------------------------------------------------------------ expressions

  expr(): ExprNode { return this.or(); }

  private or(): ExprNode {
    const start = this.peek();
    const args = [this.and()];
    while (this.eatWord('OR')) args.push(this.and());
    return args.length === 1 ? args[0] : this.at({ kind: 'call', fn: 'or', args: freeze(args) }, start);
  }

  private and(): ExprNode {
    const start = this.peek();
    const args = [this.not()];
    while (this.eatWord('AND') || this.eatOp('&&')) args.push(this.not());
    return args.length === 1 ? args[0] : this.at({ kind: 'call', fn: 'and', args: freeze(args) }, start);
  }

  private not(): ExprNode {
    const start = this.peek();
    if (this.isWord('NOT') || (this.isOp('!') && !this.isOp('=', 1))) {
      this.i++;
      return this.call('not', [this.not()], start);
    }
    return this.predicate();
  }

  private call(fn: string, args: readonly ExprNode[], tok: Token): ExprNode {
    return this.at({ kind: 'call', fn, args: freeze([...args]) }, tok);
  }

  private predicate(): ExprNode {
    let left = this.value(0);
    for (;;) {
      const t = this.peek();
      if (t.kind === 'op' && ['=', '==', '<>', '!=', '<', '<=', '>', '>=', '<=>'].includes(t.text)) {
        this.i++;
        const op = t.text === '==' ? '=' : t.text === '!=' ? '<>' : t.text;
        left = this.call(op, [left, this.value(0)], t);
        continue;
      }
      if (this.isWord('IS')) {
        this.i++;
        const neg = this.eatWord('NOT');
        if (this.eatWord('NULL')) { left = this.call(neg ? 'isnotnull' : 'isnull', [left], t); continue; }
        if (this.isWord('TRUE') || this.isWord('FALSE') || this.isWord('UNKNOWN')) {
          const w = this.next().upper;
          const test = w === 'UNKNOWN' ? this.call('isnull', [left], t) : this.call('<=>', [left, this.lit(w === 'TRUE', 'boolean', t)], t);
          left = neg ? this.call('not', [test], t) : test;
          continue;
        }
        if (this.eatWord('DISTINCT')) {
          this.expectWord('FROM');
          const eq = this.call('<=>', [left, this.value(0)], t);
          left = neg ? eq : this.call('not', [eq], t);
          continue;
        }
        this.fail('expected NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS');
      }
      const negated = this.isWord('NOT') && (this.isWord('BETWEEN', 1) || this.isWord('IN', 1) || this.isWord('LIKE', 1) || this.isWord('ILIKE', 1) || this.isWord('RLIKE', 1) || this.isWord('REGEXP', 1));
      if (negated) this.i++;
      const wrap = (e: ExprNode) => (negated ? this.call('not', [e], t) : e);
      if (this.eatWord('BETWEEN')) {
        const lo = this.value(0);
        this.expectWord('AND');
        const hi = this.value(0);
        left = wrap(this.call('between', [left, lo, hi], t));
        continue;
      }
      if (this.eatWord('IN')) {
        const open = this.expectOp('(');
        if (this.isWord('SELECT') || this.isWord('WITH')) this.unsupported('IN (subquery)', open);
        const list: ExprNode[] = [];
        if (!this.isOp(')')) do list.push(this.expr()); while (this.eatOp(','));
        this.expectOp(')');
        left = wrap(this.call('in', [left, ...list], t));
        continue;
      }
      if (this.isWord('LIKE') || this.isWord('ILIKE')) {
        const fn = this.next().upper.toLowerCase();
        if (this.isWord('ANY') || this.isWord('ALL') || this.isWord('SOME')) this.unsupported(`${fn.toUpperCase()} ${this.peek().upper}`, this.peek());
        const pattern = this.value(0);
        const args = [left, pattern];
        if (this.eatWord('ESCAPE')) args.push(this.value(0));
        left = wrap(this.call(fn, args, t));
        continue;
      }
      if (this.isWord('RLIKE') || this.isWord('REGEXP')) {
        this.i++;
        left = wrap(this.call('rlike', [left, this.value(0)], t));
        continue;
      }
      if (negated) this.fail('expected BETWEEN, IN, LIKE, ILIKE or RLIKE after NOT');
      break;
    }
    return left;
  }

  /** Binary operators of value expressions, by precedence level (higher binds tighter). */
  private static readonly LEVELS: readonly (readonly string[])[] = [['|'], ['^'], ['&'], ['||'], ['+', '-'], ['*', '/', '%', 'DIV']];

  private value(level: number): ExprNode {
    if (level >= ExprParser.LEVELS.length) return this.unary();
    let left = this.value(level + 1);
    for (;;) {
      const t = this.peek();
      const op = t.kind === 'op' ? t.text : t.kind === 'ident' && t.upper === 'DIV' ? 'DIV' : null;
      if (op === null || !ExprParser.LEVELS[level].includes(op)) return left;
      this.i++;
      const right = this.value(level + 1);
      const fn = op === 'DIV' ? 'div' : op === '||' ? 'concat' : op === '|' ? 'bit_or' : op === '&' ? 'bit_and' : op === '^' ? 'bit_xor' : op;
      left = this.call(fn, [left, right], t);
    }
  }

  private unary(): ExprNode {
    const t = this.peek();
    if (this.isOp('-')) {
      this.i++;
      // -2147483648 is the smallest INT (2147483648 alone is a BIGINT)
      const minInt = this.peek().kind === 'number' && this.peek().text === '2147483648';
      const x = this.unary();
      if (minInt && x.kind === 'lit' && x.value === 2147483648) return this.lit(-2147483648, 'int', t);
      // a negative numeric literal stays a literal
      if (x.kind === 'lit' && typeof x.value === 'number') return this.lit(-x.value, x.type, t);
      if (x.kind === 'lit' && typeof x.value === 'string' && x.type.startsWith('decimal')) return this.lit(x.value.startsWith('-') ? x.value.slice(1) : '-' + x.value, x.type, t);
      return this.call('negative', [x], t);
    }
    if (this.isOp('+')) { this.i++; return this.unary(); }
    if (this.isOp('~')) { this.i++; return this.call('bit_not', [this.unary()], t); }
    return this.postfix(this.primary());
  }

  private postfix(e: ExprNode): ExprNode {
    for (;;) {
      const t = this.peek();
      if (this.eatOp('::')) { e = this.at({ kind: 'cast', arg: e, to: this.typeName() }, t); continue; }
      if (this.eatOp('[')) {
        const idx = this.expr();
        this.expectOp(']');
        e = this.call('get_item', [e, idx], t);
        continue;
      }
      if (this.isOp('.') && (this.peek(1).kind === 'ident' || this.peek(1).kind === 'qident')) {
        this.i++;
        const field = this.ident('a field name');
        if (e.kind === 'col') {
          e = this.at({ kind: 'col', name: field, qualifier: freeze([...(e.qualifier ?? []), e.name]) }, t);
        } else {
          e = this.call('get_field', [e, this.lit(field, 'string', t)], t);
        }
        continue;
      }
      if (this.isOp(':') && (this.peek(1).kind === 'ident' || this.peek(1).kind === 'qident' || this.isOp('[', 1)) && this.peek(1).offset === t.end) {
        this.i++;
        e = this.call('json_path', [e, this.lit(this.jsonPath(), 'string', t)], t);
        continue;
      }
      return e;
    }
  }

  /** The path after `col:` (Databricks JSON extraction), as `$.a.b[0]`. */
  private jsonPath(): string {
    let path = '$';
    let first = true;
    for (;;) {
      const t = this.peek();
      if (!first && this.isOp('.') && this.peek(1).offset === t.end) { this.i++; continue; }
      if ((t.kind === 'ident' || t.kind === 'qident') && (first || this.t[this.i - 1].end === t.offset)) {
        this.i++;
        // identifiers match case-insensitively (backquoted ones too); see json_path
        path += t.kind === 'qident' || /[^A-Za-z0-9_]/.test(t.text) ? '.`' + t.text.replace(/`/g, '``') + '`' : `.${t.text}`;
        first = false;
        continue;
      }
      if (this.isOp('[') && (first || this.t[this.i - 1].end === t.offset)) {
        this.i++;
        const k = this.next();
        if (k.kind === 'number') path += `[${k.text}]`;
        else if (k.kind === 'string') path += `['${k.text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
        else if (k.kind === 'op' && k.text === '*') path += '[*]';
        else this.fail('expected an index or a quoted key in a JSON path', k);
        this.expectOp(']');
        first = false;
        continue;
      }
      return path;
    }
  }

  /** A type written in CAST(… AS type) or `::type`. */
  typeName(): DataType {
    const start = this.peek();
    let depth = 0;
    let text = '';
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') break;
      if (t.kind === 'op' && (t.text === '<' || t.text === '(')) depth++;
      else if (t.kind === 'op' && (t.text === '>' || t.text === ')')) { if (depth === 0) break; depth--; }
      else if (depth === 0 && t.kind === 'op' && t.text !== '[' && t.text !== ']') break;
      else if (depth === 0 && text !== '' && t.kind === 'ident' && !['TO', 'DAY', 'HOUR', 'MINUTE', 'SECOND', 'YEAR', 'MONTH'].includes(t.upper)) break;
      this.i++;
      text += (t.kind === 'qident' ? '`' + t.text.replace(/`/g, '``') + '`' : t.text) + ' ';
    }
    const parsed = parseTypeName(text.trim());
    if (!parsed) {
      throw new DefinitionError('UNKNOWN_TYPE', `unknown type "${text.trim()}"`, { type: text.trim(), line: start.line, col: start.col }, {
        origin: { file: this.src.file, line: start.line, col: start.col },
        hint: 'use a Spark type: STRING, INT, BIGINT, DOUBLE, DECIMAL(p, s), BOOLEAN, DATE, TIMESTAMP, ARRAY<…>, MAP<STRING, …>, STRUCT<…>',
      });
    }
    return parsed;
  }

  private lit(value: Value, type: DataType, tok: Token): ExprNode {
    return this.at({ kind: 'lit', value, type }, tok);
  }

  private numberLiteral(tok: Token): ExprNode {
    const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?(BD|[LSYDF])?$/i.exec(tok.text)!;
    const body = m[1], exp = m[2], suffix = (m[3] ?? '').toUpperCase();
    if (suffix === 'D' || suffix === 'F' || (exp && suffix !== 'BD')) return this.lit(Number(body + (exp ?? '')), 'double', tok);
    const isInt = !body.includes('.');
    if (suffix === 'BD' || !isInt) {
      const [ip, fp = ''] = body.split('.');
      let digits = (ip.replace(/^0+/, '') + fp);
      let scale = fp.length;
      if (exp) { const e = Number(exp.slice(1)); scale -= e; }
      if (scale < 0) { digits += '0'.repeat(-scale); scale = 0; }
      const precision = Math.max(1, digits.replace(/^0+/, '').length, scale);
      if (precision > 38) return this.lit(Number(body + (exp ?? '')), 'double', tok);
      const text = body.startsWith('.') ? '0' + body : body;
      return this.lit(exp ? String(Number(body + exp)) : text, decimalType(Math.max(precision, scale), scale), tok);
    }
    const v = Number(body);
    if (suffix === 'L') return this.lit(v, 'long', tok);
    if (suffix === 'S' || suffix === 'Y') return this.lit(v, 'int', tok);
    if (v <= 2147483647) return this.lit(v, 'int', tok);
    if (Number.isSafeInteger(v)) return this.lit(v, 'long', tok);
    return this.lit(body, decimalType(Math.min(38, body.length), 0), tok);
  }

  private primary(): ExprNode {
    const t = this.peek();
    switch (t.kind) {
      case 'number': this.i++; return this.numberLiteral(t);
      case 'string': this.i++; return this.lit(t.text, 'string', t);
      case 'qident': this.i++; return this.at({ kind: 'col', name: t.text }, t);
      case 'eof': return this.fail('expected an expression', t);
      case 'op': {
        if (this.isOp('(')) {
          if (this.isLambdaParams()) return this.lambda();
          this.i++;
          if (this.isWord('SELECT') || this.isWord('WITH')) this.unsupported('a scalar subquery', t);
          const e = this.expr();
          if (this.isOp(',')) {
            // (a, b) → struct(a, b) (Spark's row constructor)
            const fields = [e];
            while (this.eatOp(',')) fields.push(this.expr());
            this.expectOp(')');
            return this.call('struct', fields, t);
          }
          this.expectOp(')');
          return e;
        }
        if (this.isOp('*')) return this.fail('"*" is only allowed in a SELECT list or count(*)', t);
        return this.fail('expected an expression', t);
      }
      case 'ident': break;
    }
    const w = t.upper;
    // a lambda `x -> …`
    if (this.isOp('->', 1)) return this.lambda();
    switch (w) {
      case 'NULL': this.i++; return this.lit(null, 'string', t);
      case 'TRUE': case 'FALSE': this.i++; return this.lit(w === 'TRUE', 'boolean', t);
      case 'CASE': return this.caseExpr();
      case 'CAST': case 'TRY_CAST': {
        if (!this.isOp('(', 1)) break;
        this.i += 2;
        const arg = this.expr();
        this.expectWord('AS');
        const to = this.typeName();
        this.expectOp(')');
        return this.at({ kind: 'cast', arg, to, ...(w === 'TRY_CAST' ? { try: true } : {}) }, t);
      }
      case 'DATE': case 'TIMESTAMP': case 'TIMESTAMP_LTZ': case 'TIMESTAMP_NTZ':
        if (this.peek(1).kind === 'string') {
          this.i++;
          const s = this.next();
          const type: DataType = w === 'DATE' ? 'date' : 'timestamp';
          return this.at({ kind: 'cast', arg: this.lit(s.text, 'string', s), to: type }, t);
        }
        break;
      case 'INTERVAL': {
        this.i++;
        const r = parseIntervalLiteral(this);
        return this.lit(r.value, r.type, t);
      }
      case 'CURRENT_DATE': case 'CURRENT_TIMESTAMP': case 'NOW':
        if (!this.isOp('(', 1)) { this.i++; return this.call(w.toLowerCase() === 'now' ? 'now' : w.toLowerCase(), [], t); }
        break;
      case 'EXTRACT':
        if (this.isOp('(', 1)) {
          this.i += 2;
          const field = this.ident('a field (YEAR, MONTH, DAY, …)');
          this.expectWord('FROM');
          const src = this.expr();
          this.expectOp(')');
          return this.call('extract', [this.lit(field.toUpperCase(), 'string', t), src], t);
        }
        break;
      case 'TRIM':
        if (this.isOp('(', 1)) return this.trimExpr();
        break;
      case 'POSITION':
        if (this.isOp('(', 1)) {
          const save = this.i;
          this.i += 2;
          const sub = this.value(0);
          if (this.eatWord('IN')) {
            const str = this.expr();
            this.expectOp(')');
            return this.call('locate', [sub, str], t);
          }
          this.i = save;
        }
        break;
      case 'SUBSTRING': case 'SUBSTR':
        if (this.isOp('(', 1)) {
          const save = this.i;
          this.i += 2;
          const str = this.expr();
          if (this.eatWord('FROM')) {
            const pos = this.expr();
            const args = [str, pos];
            if (this.eatWord('FOR')) args.push(this.expr());
            this.expectOp(')');
            return this.call('substring', args, t);
          }
          this.i = save;
        }
        break;
      case 'EXISTS':
        if (this.isOp('(', 1) && (this.isWord('SELECT', 2) || this.isWord('WITH', 2))) this.unsupported('EXISTS (subquery)', t);
        break;
      case 'DATEADD': case 'DATE_ADD': case 'TIMESTAMPADD': case 'DATEDIFF': case 'DATE_DIFF': case 'TIMESTAMPDIFF': {
        // dateadd(HOUR, 2, ts) and datediff(DAY, start, end): a unit keyword first (Spark's timestampadd / timestampdiff)
        const unit = this.peek(2);
        if (this.isOp('(', 1) && unit.kind === 'ident' && DATETIME_UNITS.has(unit.upper) && this.isOp(',', 3)) {
          this.i += 4;
          const a = this.expr();
          this.expectOp(',');
          const b = this.expr();
          this.expectOp(')');
          return this.call(w.includes('ADD') ? 'timestampadd' : 'timestampdiff', [this.lit(unit.upper, 'string', unit), a, b], t);
        }
        break;
      }
    }
    if (this.isOp('(', 1)) return this.functionCall();
    this.i++;
    return this.at({ kind: 'col', name: t.text }, t);
  }

  private isLambdaParams(): boolean {
    // ( a, b ) ->
    let k = 1;
    if (!(this.peek(k).kind === 'ident' || this.peek(k).kind === 'qident')) return false;
    for (;;) {
      k++;
      if (this.isOp(')', k)) return this.isOp('->', k + 1);
      if (!this.isOp(',', k)) return false;
      k++;
      if (!(this.peek(k).kind === 'ident' || this.peek(k).kind === 'qident')) return false;
    }
  }

  private lambda(): ExprNode {
    const t = this.peek();
    const params: string[] = [];
    if (this.eatOp('(')) {
      do params.push(this.ident('a lambda parameter')); while (this.eatOp(','));
      this.expectOp(')');
    } else params.push(this.ident('a lambda parameter'));
    this.expectOp('->');
    const body = bindVars(this.expr(), new Set(params.map((p) => p.toLowerCase())));
    return this.at({ kind: 'lambda', params: freeze(params), body }, t);
  }

  private caseExpr(): ExprNode {
    const t = this.next();
    const operand = this.isWord('WHEN') ? null : this.expr();
    const branches: { when: ExprNode; then: ExprNode }[] = [];
    while (this.eatWord('WHEN')) {
      const when = this.expr();
      this.expectWord('THEN');
      branches.push(freeze({ when, then: this.expr() }));
    }
    if (branches.length === 0) this.fail('CASE needs at least one WHEN … THEN …');
    const otherwise = this.eatWord('ELSE') ? this.expr() : null;
    this.expectWord('END');
    return this.at({ kind: 'case', ...(operand ? { operand } : {}), branches: freeze(branches), otherwise }, t);
  }

  /** TRIM([BOTH | LEADING | TRAILING] [chars] FROM str) and trim(str[, chars]). */
  private trimExpr(): ExprNode {
    const t = this.next();
    this.expectOp('(');
    let side = 'trim';
    if (this.isWord('BOTH') || this.isWord('LEADING') || this.isWord('TRAILING')) {
      const w = this.next().upper;
      side = w === 'LEADING' ? 'ltrim' : w === 'TRAILING' ? 'rtrim' : 'trim';
      if (this.eatWord('FROM')) { const s = this.expr(); this.expectOp(')'); return this.call(side, [s], t); }
      const chars = this.expr();
      this.expectWord('FROM');
      const s = this.expr();
      this.expectOp(')');
      return this.call(side, [s, chars], t);
    }
    const first = this.expr();
    if (this.eatWord('FROM')) {
      const s = this.expr();
      this.expectOp(')');
      return this.call('trim', [s, first], t);
    }
    const args = [first];
    while (this.eatOp(',')) args.push(this.expr());
    this.expectOp(')');
    // the function-call form trim(trimStr, str) takes the characters first (Spark); the IR takes the string first
    return this.call('trim', args.length === 2 ? [args[1], args[0]] : args, t);
  }

  /** name(args) [FILTER (WHERE …)] [IGNORE|RESPECT NULLS] [OVER (…)]. */
  private functionCall(): ExprNode {
    const t = this.next();
    const name = t.text.toLowerCase();
    this.expectOp('(');
    let distinct = false;
    const args: ExprNode[] = [];
    let star = false;
    if (this.eatWord('DISTINCT')) distinct = true;
    else this.eatWord('ALL');
    if (this.isOp('*') && this.isOp(')', 1)) { this.i++; star = true; }
    else if (!this.isOp(')')) {
      do {
        if ((this.peek().kind === 'ident') && this.isOp('=>', 1)) this.unsupported(`the named argument ${this.peek().text} => … of ${name}()`, this.peek());
        args.push(this.expr());
      } while (this.eatOp(','));
    }
    this.expectOp(')');
    let filter: ExprNode | null = null;
    if (this.isWord('FILTER') && this.isOp('(', 1)) {
      this.i += 2;
      this.expectWord('WHERE');
      filter = this.expr();
      this.expectOp(')');
    }
    let ignoreNulls = false;
    if ((this.isWord('IGNORE') || this.isWord('RESPECT')) && this.isWord('NULLS', 1)) { ignoreNulls = this.next().upper === 'IGNORE'; this.i++; }
    // first_value(x) OVER w is the window function (first_value is also a name of the aggregate first)
    const windowFn = lookupWindowFunction(name) !== undefined && this.isWord('OVER') && !distinct && filter === null && !star;
    const isAgg = !windowFn && lookupAggregate(name) !== undefined && (lookupFunction(name) === undefined || distinct || filter !== null || star);
    let fn: ExprNode;
    if (isAgg) {
      if (star && name !== 'count') this.fail(`${name}(*) is not allowed; only count(*)`, t);
      const agg: AggNode = freeze({ kind: 'agg', fn: lookupAggregate(name)!.name, args: freeze(ignoreNulls ? [...args, this.lit(true, 'boolean', t)] : args), distinct, filter });
      fn = this.at({ kind: 'aggregate', agg }, t);
    } else {
      if (distinct) this.fail(`DISTINCT is only allowed in aggregate functions, not in ${name}()`, t);
      if (filter) this.fail(`FILTER (WHERE …) is only allowed on aggregate functions, not on ${name}()`, t);
      if (star) this.fail(`${name}(*) is not allowed`, t);
      // ltrim(trimStr, str) / rtrim(trimStr, str) take the characters first (Spark); the IR takes the string first
      const ordered = (name === 'ltrim' || name === 'rtrim') && args.length === 2 ? [args[1], args[0]] : args;
      fn = this.call(name, ignoreNulls ? [...ordered, this.lit(true, 'boolean', t)] : ordered, t);
    }
    if (this.eatWord('OVER')) fn = this.at({ kind: 'over', fn, spec: this.windowSpec() }, t);
    return fn;
  }

  /** The window after OVER: a name, or (PARTITION BY … ORDER BY … frame). */
  windowSpec(): WindowOver {
    if (!this.isOp('(')) return freeze({ partitionBy: freeze([]), orderBy: freeze([]), frame: null, name: this.ident('a window name') });
    this.expectOp('(');
    let name: string | undefined;
    if ((this.peek().kind === 'ident' && !['PARTITION', 'ORDER', 'ROWS', 'RANGE', 'DISTRIBUTE', 'SORT'].includes(this.peek().upper)) || this.peek().kind === 'qident') name = this.ident();
    const partitionBy: ExprNode[] = [];
    if (this.eatWord('PARTITION') || this.eatWord('DISTRIBUTE')) {
      this.expectWord('BY');
      do partitionBy.push(this.expr()); while (this.eatOp(','));
    }
    let orderBy: SortKey[] = [];
    if (this.eatWord('ORDER') || this.eatWord('SORT')) { this.expectWord('BY'); orderBy = this.sortKeys(); }
    let frame: WindowFrame | null = null;
    if (this.isWord('ROWS') || this.isWord('RANGE')) {
      const unit = this.next().upper === 'ROWS' ? 'rows' : 'range';
      if (this.eatWord('BETWEEN')) {
        const start = this.bound();
        this.expectWord('AND');
        frame = freeze({ unit, start, end: this.bound() });
      } else frame = freeze({ unit, start: this.bound(), end: freeze({ kind: 'current_row' }) as FrameBound });
    }
    this.expectOp(')');
    return freeze({ partitionBy: freeze(partitionBy), orderBy: freeze(orderBy), frame, ...(name ? { name } : {}) });
  }

  private bound(): FrameBound {
    if (this.eatWord('UNBOUNDED')) {
      if (this.eatWord('PRECEDING')) return freeze({ kind: 'unbounded_preceding' });
      this.expectWord('FOLLOWING');
      return freeze({ kind: 'unbounded_following' });
    }
    if (this.eatWord('CURRENT')) { this.expectWord('ROW'); return freeze({ kind: 'current_row' }); }
    const offset = this.value(0);
    if (this.eatWord('PRECEDING')) return freeze({ kind: 'preceding', offset });
    this.expectWord('FOLLOWING');
    return freeze({ kind: 'following', offset });
  }

  /** `expr [ASC | DESC] [NULLS FIRST | LAST], …` */
  sortKeys(): SortKey[] {
    const out: SortKey[] = [];
    do {
      const expr = this.expr();
      let desc = false;
      if (this.eatWord('DESC')) desc = true; else this.eatWord('ASC');
      let nullsFirst = !desc;
      if (this.eatWord('NULLS')) {
        if (this.eatWord('FIRST')) nullsFirst = true; else { this.expectWord('LAST'); nullsFirst = false; }
      }
      out.push(freeze({ expr, desc, nullsFirst }));
    } while (this.eatOp(','));
    return out;
  }

  /** Whether the next token can end an expression list (a clause keyword). */
  atClauseWord(): boolean {
    const t = this.peek();
    return t.kind === 'ident' && STOP.has(t.upper);
  }
}

/** Column references to lambda parameters become `var` nodes (lambdas shadow columns, as in Spark). */
function bindVars(e: ExprNode, params: ReadonlySet<string>): ExprNode {
  if (e.kind === 'col' && !e.qualifier?.length && params.has(e.name.toLowerCase())) {
    const v: ExprNode = freeze({ kind: 'var', name: e.name });
    const p = positions.get(e);
    if (p) positions.set(v, p);
    return v;
  }
  if (e.kind === 'col' && e.qualifier?.length && params.has(e.qualifier[0].toLowerCase())) {
    // x.field inside a lambda: a field of the parameter
    let out: ExprNode = freeze({ kind: 'var', name: e.qualifier[0] });
    for (const f of [...e.qualifier.slice(1), e.name]) out = freeze({ kind: 'call', fn: 'get_field', args: freeze([out, freeze({ kind: 'lit', value: f, type: 'string' }) as ExprNode]) });
    return out;
  }
  if (e.kind === 'lambda') {
    const inner = new Set([...params].filter((p) => !e.params.some((q) => q.toLowerCase() === p)));
    return freeze({ ...e, body: bindVars(e.body, inner) });
  }
  const children = e.kind === 'col' || e.kind === 'lit' || e.kind === 'var' ? null : true;
  if (!children) return e;
  const mapped = mapAll(e, (c) => bindVars(c, params));
  const p = positions.get(e);
  if (p) positions.set(mapped, p);
  return mapped;
}

function mapAll(e: ExprNode, f: (c: ExprNode) => ExprNode): ExprNode {
  switch (e.kind) {
    case 'call': case 'udf': return freeze({ ...e, args: freeze(e.args.map(f)) });
    case 'cast': return freeze({ ...e, arg: f(e.arg) });
    case 'case': return freeze({ ...e, operand: e.operand ? f(e.operand) : e.operand, branches: freeze(e.branches.map((b) => freeze({ when: f(b.when), then: f(b.then) }))), otherwise: e.otherwise ? f(e.otherwise) : null });
    case 'aggregate': return freeze({ ...e, agg: freeze({ ...e.agg, args: freeze(e.agg.args.map(f)), filter: e.agg.filter ? f(e.agg.filter) : null }) });
    case 'over': return freeze({ ...e, fn: f(e.fn) });
    default: return e;
  }
}

/** Parses one expression (the whole text). */
export function parseExpression(text: string, pos: SourcePos = {}): ExprNode {
  const p = new ExprParser(tokenize(text, pos), pos);
  const e = p.expr();
  if (!p.atEnd()) p.fail('unexpected text after the expression');
  return e;
}

