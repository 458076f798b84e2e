/**
 * `--where` conditions (for `show` and the dashboard's table browser):
 * comparisons of columns and literals, AND, OR, NOT, IS [NOT] NULL and
 * parentheses, parsed into the engine's expression IR and type-checked
 * against the table's schema.
 */
import { UsageError } from './args.js';
import { and, col, Expr, isPipelineError, lit, not, or, type DataType, type ExprNode, type Schema } from '../../engine/index.js';
import { filterBatch, type Batch } from '../../engine/batch.js';
import { compileExpr, trueMask } from '../../engine/expr/eval.js';
import { exprType } from '../../engine/expr/typecheck.js';
import { isNumeric } from '../../engine/ir/types.js';

export { referencedColumns as whereColumns } from '../../engine/ir/expr.js';

type Tok =
  | { t: 'id'; v: string; pos: number }
  | { t: 'str'; v: string; pos: number }
  | { t: 'num'; v: string; pos: number }
  | { t: 'op'; v: string; pos: number }
  | { t: 'kw'; v: string; pos: number }
  | { t: '('; pos: number }
  | { t: ')'; pos: number }
  | { t: 'end'; pos: number };

const COMPARISONS = new Set(['=', '==', '<>', '!=', '<', '<=', '>', '>=']);
const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IS', 'NULL', 'TRUE', 'FALSE', 'DATE', 'TIMESTAMP', 'IN', 'BETWEEN', 'LIKE']);

function whereError(text: string, pos: number, what: string): UsageError {
  return new UsageError(`--where: ${what} at character ${pos + 1}: ${text.slice(0, pos)}»${text.slice(pos)}`);
}

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '(' || c === ')') { out.push({ t: c, pos: i }); i++; continue; }
    if (c === "'") {
      let s = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw whereError(text, i, 'unterminated string');
        if (text[j] === "'") { if (text[j + 1] === "'") { s += "'"; j += 2; continue; } break; }
        s += text[j++];
      }
      out.push({ t: 'str', v: s, pos: i });
      i = j + 1;
      continue;
    }
    if (c === '"' || c === '`') {
      const j = text.indexOf(c, i + 1);
      if (j < 0) throw whereError(text, i, 'unterminated quoted name');
      out.push({ t: 'id', v: text.slice(i + 1, j), pos: i });
      i = j + 1;
      continue;
    }
    const num = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i));
    if (num) { out.push({ t: 'num', v: num[0], pos: i }); i += num[0].length; continue; }
    const op = /^(<=|>=|<>|!=|==|=|<|>|-|,)/.exec(text.slice(i));
    if (op) { out.push({ t: 'op', v: op[0], pos: i }); i += op[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i));
    if (id) {
      const up = id[0].toUpperCase();
      out.push(KEYWORDS.has(up) ? { t: 'kw', v: up, pos: i } : { t: 'id', v: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    throw whereError(text, i, `unexpected "${c}"`);
  }
  out.push({ t: 'end', pos: text.length });
  return out;
}

/**
 * Parses a `--where` condition into the engine's expression IR (through the
 * builders `col`, `lit`, `and`, `or`, `not`). Column names are checked against
 * the schema (case-insensitively); errors are `UsageError`s that point at the
 * place in the text.
 */
export function parseWhere(text: string, schema: Schema): ExprNode {
  const toks = tokenize(text);
  let k = 0;
  const peek = () => toks[k];
  const isKw = (v: string) => { const t = toks[k]; return t.t === 'kw' && t.v === v; };
  const describe = (t: Tok) => (t.t === 'end' ? 'the end' : t.t === '(' || t.t === ')' ? `"${t.t}"` : `"${t.v}"`);

  const column = (name: string, pos: number): Expr => {
    const f = schema.find((x) => x.name === name) ?? schema.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!f) throw new UsageError(`--where: unknown column "${name}" at character ${pos + 1} (columns: ${schema.map((x) => x.name).join(', ')})`);
    return col(f.name);
  };

  const operand = (): Expr => {
    const t = toks[k];
    switch (t.t) {
      case '(': {
        k++;
        const e = orExpr();
        if (toks[k].t !== ')') throw whereError(text, toks[k].pos, `expected ")" but found ${describe(toks[k])}`);
        k++;
        return e;
      }
      case 'id': k++; return column(t.v, t.pos);
      case 'str': k++; return lit(t.v);
      case 'num': k++; return lit(Number(t.v));
      case 'op':
        if (t.v === '-' && toks[k + 1].t === 'num') { k += 2; return lit(-Number((toks[k - 1] as { v: string }).v)); }
        break;
      case 'kw':
        if (t.v === 'NULL') { k++; return lit(null); }
        if (t.v === 'TRUE' || t.v === 'FALSE') { k++; return lit(t.v === 'TRUE'); }
        if ((t.v === 'DATE' || t.v === 'TIMESTAMP') && toks[k + 1].t === 'str') {
          k += 2;
          return lit((toks[k - 1] as { v: string }).v, t.v === 'DATE' ? 'date' : 'timestamp');
        }
        break;
      default: break;
    }
    throw whereError(text, t.pos, `expected a column, a value or "(" but found ${describe(t)}`);
  };

  /** `age = '42'` compares as a number: a numeric text literal next to a numeric column becomes a number. */
  const coerce = (a: Expr, b: Expr): Expr => {
    if (b.node.kind !== 'lit' || typeof b.node.value !== 'string' || a.node.kind !== 'col') return b;
    const name = a.node.name;
    const f = schema.find((x) => x.name === name);
    if (f && isNumeric(f.type) && /^\s*-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(b.node.value)) return lit(Number(b.node.value));
    return b;
  };

  const predicate = (): Expr => {
    const left = operand();
    const t = peek();
    if (t.t === 'op' && COMPARISONS.has(t.v)) {
      k++;
      const right0 = operand();
      const l = coerce(right0, left), r = coerce(left, right0);
      switch (t.v) {
        case '=': case '==': return l.eq(r);
        case '<>': case '!=': return l.ne(r);
        case '<': return l.lt(r);
        case '<=': return l.le(r);
        case '>': return l.gt(r);
        default: return l.ge(r);
      }
    }
    if (isKw('IS')) {
      k++;
      const negated = isKw('NOT');
      if (negated) k++;
      if (!isKw('NULL')) throw whereError(text, peek().pos, `expected NULL after IS${negated ? ' NOT' : ''}`);
      k++;
      return negated ? left.isNotNull() : left.isNull();
    }
    if (t.t === 'kw' && (t.v === 'IN' || t.v === 'BETWEEN' || t.v === 'LIKE')) {
      throw whereError(text, t.pos, `${t.v} is not supported (use comparisons with AND / OR)`);
    }
    return left;
  };

  const notExpr = (): Expr => {
    if (isKw('NOT')) { k++; return not(notExpr()); }
    return predicate();
  };
  const andExpr = (): Expr => {
    const parts = [notExpr()];
    while (isKw('AND')) { k++; parts.push(notExpr()); }
    return parts.length === 1 ? parts[0] : and(...parts);
  };
  const orExpr = (): Expr => {
    const parts = [andExpr()];
    while (isKw('OR')) { k++; parts.push(andExpr()); }
    return parts.length === 1 ? parts[0] : or(...parts);
  };

  if (toks[0].t === 'end') throw new UsageError('--where: the condition is empty');
  const e = orExpr();
  if (peek().t !== 'end') throw whereError(text, peek().pos, `unexpected ${describe(peek())}`);
  let type: DataType;
  try {
    type = exprType(e.node, schema);
  } catch (err) {
    if (isPipelineError(err)) throw new UsageError(`--where: ${err.message.split('\n')[0].replace(/^[A-Z_]+: /, '').replace(/ \[at .*\]$/, '')}`);
    throw err;
  }
  if (type !== 'boolean') throw new UsageError(`--where: "${text}" is a value of type ${type}, not a condition (write e.g. "age > 65")`);
  return e.node;
}

/** The rows of a batch where `where` is TRUE. */
export function filterWhere(b: Batch, where: ExprNode): Batch {
  if (b.length === 0) return b;
  const mask = trueMask(compileExpr(where, b.schema)(b), b.length);
  return filterBatch(b, mask);
}
