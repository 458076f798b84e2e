/**
 * A SQL source file as statements: Databricks notebook cells, `;`-separated
 * statements (outside quotes and comments), `${key}` configuration references
 * replaced, each statement with the line and column it starts at.
 *
 * Notebook sources start with `-- Databricks notebook source` (a repeated
 * line is ignored); cells are separated by `-- COMMAND ----------`; a cell of
 * `-- MAGIC %md` lines is skipped, a `%sql` magic cell is read as SQL, and a
 * `%python`, `%scala` or `%r` cell is an SQL_UNSUPPORTED error naming the
 * cell. `-- DBTITLE` lines are skipped. The final `;` of a statement is
 * optional.
 */
import { DefinitionError, UnsupportedError } from '../errors.js';

export interface SourceStatement {
  /** The statement's text, configuration references replaced. */
  readonly text: string;
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

const COMMAND = /^-- COMMAND -+\s*$/;
const NOTEBOOK = /^-- Databricks notebook source\s*$/;

interface Cell { readonly lines: readonly string[]; readonly firstLine: number; readonly index: number }

/** Cells of a notebook (or the whole text as one cell). */
function cellsOf(text: string, file: string): Cell[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (!NOTEBOOK.test(lines[0] ?? '')) return [{ lines, firstLine: 1, index: 0 }];
  const cells: Cell[] = [];
  let cur: string[] = [];
  let first = 1;
  const push = () => { cells.push({ lines: cur, firstLine: first, index: cells.length }); };
  lines.forEach((l, k) => {
    if (COMMAND.test(l)) { push(); cur = []; first = k + 2; return; }
    cur.push(NOTEBOOK.test(l) ? '' : l);
  });
  push();
  return cells.map((c) => {
    const nonBlank = c.lines.map((l, k) => ({ l, k })).filter((x) => x.l.trim() !== '' && !/^-- DBTITLE/.test(x.l));
    const magic = nonBlank.length > 0 && nonBlank.every((x) => /^-- MAGIC/.test(x.l));
    if (!magic) return { ...c, lines: c.lines.map((l) => (/^-- DBTITLE/.test(l) ? '' : l)) };
    const lang = /^-- MAGIC\s+%(\S+)/.exec(nonBlank[0].l)?.[1]?.toLowerCase();
    if (lang === 'sql') return { ...c, lines: c.lines.map((l) => (/^-- MAGIC %sql\s*$/.test(l) ? '' : l.replace(/^-- MAGIC ?/, ''))) };
    if (lang === 'md' || lang === 'md-sandbox' || lang === undefined) return { ...c, lines: [] };
    throw new UnsupportedError('SQL_UNSUPPORTED', `cell ${c.index + 1} of ${file} is %${lang}: a SQL notebook of a pipeline runs SQL cells only`, {
      file, line: c.firstLine + nonBlank[0].k, col: 1, construct: `%${lang} cell`, cell: c.index + 1,
    }, { origin: { file, line: c.firstLine + nonBlank[0].k, col: 1 }, hint: `move the ${lang} code out of the notebook (a Python flow is not run here)` });
  });
}

/**
 * Splits SQL text into statements at `;` outside strings, backquotes and
 * comments; each statement keeps its starting line and column (1-based).
 */
export function splitStatements(text: string, file: string, firstLine = 1): { text: string; line: number; col: number }[] {
  const out: { text: string; line: number; col: number }[] = [];
  let i = 0, line = firstLine, col = 1;
  let start = -1, sLine = 0, sCol = 0;
  const adv = () => { if (text[i] === '\n') { line++; col = 1; } else col++; i++; };
  const end = () => {
    if (start >= 0) {
      const t = text.slice(start, i);
      if (t.trim() !== '') out.push({ text: t, line: sLine, col: sCol });
    }
    start = -1;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '-' && text[i + 1] === '-') { while (i < text.length && text[i] !== '\n') adv(); continue; }
    if (c === '/' && text[i + 1] === '*') { adv(); adv(); while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) adv(); adv(); adv(); continue; }
    if (c === ';') { end(); adv(); continue; }
    if (start < 0 && !/\s/.test(c)) { start = i; sLine = line; sCol = col; }
    if (c === "'" || c === '"' || c === '`') {
      const q = c;
      adv();
      while (i < text.length && text[i] !== q) { if (text[i] === '\\' && q !== '`') adv(); adv(); }
      adv();
      continue;
    }
    adv();
  }
  end();
  void file;
  return out;
}

const REF = /\$\{([A-Za-z0-9_.\-]+)\}/g;

/** Replaces `${key}` references; an unknown key is CONFIG_UNKNOWN at its place. */
export function substitute(text: string, conf: ReadonlyMap<string, string>, where: { file: string; line: number; col: number }): string {
  return text.replace(REF, (m, key: string, offset: number) => {
    const v = conf.get(key);
    if (v !== undefined) return v;
    const before = text.slice(0, offset);
    const nl = before.lastIndexOf('\n');
    const line = where.line + (before.match(/\n/g)?.length ?? 0);
    const col = nl < 0 ? where.col + offset : offset - nl;
    const known = [...conf.keys()].filter((k) => !k.startsWith('spark.') && !k.startsWith('localdlt.'));
    throw new DefinitionError('CONFIG_UNKNOWN', `\${${key}} is not set`, { key, file: where.file, line, col }, {
      origin: { file: where.file, line, col },
      hint: `pass --conf ${key}=<value> (or set it in the pipeline spec's configuration, or with SET ${key} = … before this statement)${known.length ? `; set keys: ${known.join(', ')}` : ''}`,
    });
  });
}

/** A `SET key = value` statement (the value is the rest of the statement as written, unquoted). */
export function readSet(text: string): { key: string; value: string } | null {
  const m = /^\s*SET\s+([^=\s]+)\s*=\s*([\s\S]*?)\s*$/i.exec(text);
  if (!m) return null;
  let v = m[2];
  if (/^'.*'$|^".*"$/s.test(v)) v = v.slice(1, -1);
  return { key: m[1], value: v };
}

/** The statements of a SQL file (notebook or plain), in order, with SET applied to the statements after it (with `errors`, a statement with an unknown `${key}` is reported there and skipped). */
export function sourceStatements(text: string, file: string, conf: Map<string, string>, errors?: unknown[]): { statements: SourceStatement[]; sets: { key: string; value: string; line: number }[] } {
  const statements: SourceStatement[] = [];
  const sets: { key: string; value: string; line: number }[] = [];
  for (const cell of cellsOf(text, file)) {
    for (const st of splitStatements(cell.lines.join('\n'), file, cell.firstLine)) {
      const where = { file, line: st.line, col: st.col };
      let resolved: string;
      try { resolved = substitute(st.text, conf, where); } catch (e) { if (!errors) throw e; errors.push(e); continue; }
      const set = readSet(resolved);
      if (set) { conf.set(set.key, set.value); sets.push({ ...set, line: st.line }); }
      statements.push({ text: resolved, file, line: st.line, col: st.col });
    }
  }
  return { statements, sets };
}
