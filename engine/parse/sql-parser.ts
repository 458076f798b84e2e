/**
 * DLT SQL statements and queries → syntax tree (`ast.ts`), by recursive
 * descent on top of the expression reader. Modern and legacy forms:
 *
 * - `CREATE [OR REFRESH] [PRIVATE] STREAMING TABLE | MATERIALIZED VIEW`,
 *   `CREATE [OR REPLACE] TEMPORARY VIEW`, `CREATE VIEW`, OSS Spark's
 *   `CREATE STREAMING TABLE | MATERIALIZED VIEW [IF NOT EXISTS]`;
 * - legacy `CREATE [OR REFRESH] [TEMPORARY] [STREAMING | INCREMENTAL] LIVE
 *   TABLE`, `CREATE [TEMPORARY] [STREAMING] LIVE VIEW`;
 * - column lists with types, NOT NULL, COMMENT and `CONSTRAINT n EXPECT (e)
 *   [ON VIOLATION DROP ROW | FAIL UPDATE]`; COMMENT, TBLPROPERTIES,
 *   PARTITIONED BY, CLUSTER BY, USING DELTA;
 * - `CREATE FLOW f AS INSERT [ONCE] INTO t BY NAME query` (and `INSERT INTO
 *   ONCE`), `CREATE FLOW f AS AUTO CDC INTO …`, legacy `APPLY CHANGES INTO …`;
 * - `SET k = v`, `USE CATALOG c`, `USE SCHEMA s`.
 *
 * Anything else is SQL_UNSUPPORTED naming the construct and its place.
 */
import type { ExprNode, SortKey, WindowOver } from '../ir/expr.js';
import type { DataType } from '../ir/types.js';
import { ExprParser } from './expr-parser.js';
import { parseIntervalLiteral } from './interval.js';
import type { Token } from './lexer.js';
import type {
  CdcClause, ColumnDef, ConstraintDef, DatasetObject, FromItem, JoinType, Pos, QualifiedName, Query, SelectItem, SelectQuery, Statement, WatermarkClause,
} from './ast.js';

const freeze = <T>(x: T): T => Object.freeze(x);

/** Words that cannot be an alias written without AS. */
const NOT_ALIAS = new Set([
  'FROM', 'WHERE', 'GROUP', 'HAVING', 'ORDER', 'LIMIT', 'OFFSET', 'UNION', 'EXCEPT', 'MINUS', 'INTERSECT', 'QUALIFY', 'WINDOW', 'ON', 'USING',
  'JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'SEMI', 'ANTI', 'NATURAL', 'LATERAL', 'WATERMARK', 'WITH', 'CLUSTER', 'DISTRIBUTE', 'SORT',
  'AS', 'SELECT', 'VALUES', 'TABLESAMPLE', 'PIVOT', 'UNPIVOT',
  // AUTO CDC clauses after its FROM
  'KEYS', 'SEQUENCE', 'APPLY', 'IGNORE', 'COLUMNS', 'STORED', 'TRACK',
]);

export class SqlParser extends ExprParser {
  constructor(tokens: readonly Token[], private readonly file?: string) {
    super(tokens, { file });
  }

  pos(t: Token = this.peek()): Pos {
    return freeze({ file: this.file, line: t.line, col: t.col });
  }

  private qualifiedName(what = 'a name'): QualifiedName {
    const start = this.peek();
    const parts = [this.ident(what)];
    while (this.isOp('.') && (this.peek(1).kind === 'ident' || this.peek(1).kind === 'qident')) { this.next(); parts.push(this.ident(what)); }
    return freeze({ parts: freeze(parts), pos: this.pos(start) });
  }

  private stringLit(what: string): string {
    const t = this.peek();
    if (t.kind !== 'string') this.fail(`expected ${what} (a quoted string)`);
    this.next();
    return t.text;
  }

  private identList(): string[] {
    this.expectOp('(');
    const out: string[] = [];
    if (!this.isOp(')')) do out.push(this.qualifiedName('a column').parts.join('.')); while (this.eatOp(','));
    this.expectOp(')');
    return out;
  }

  // ------------------------------------------------------------ queries

  query(): Query {
    const start = this.peek();
    if (this.isWord('WITH')) {
      this.next();
      const ctes: { name: string; columns: string[]; query: Query }[] = [];
      do {
        const name = this.ident('a CTE name');
        const columns = this.isOp('(') ? this.identList() : [];
        this.expectWord('AS');
        this.expectOp('(');
        const q = this.query();
        this.expectOp(')');
        ctes.push(freeze({ name, columns: freeze(columns), query: q }));
      } while (this.eatOp(','));
      return freeze({ kind: 'with', ctes: freeze(ctes), body: this.query(), pos: this.pos(start) });
    }
    let left = this.queryTerm();
    for (;;) {
      const t = this.peek();
      let op: 'union' | 'except' | 'intersect' | null = null;
      if (this.isWord('UNION')) op = 'union';
      else if (this.isWord('EXCEPT') || this.isWord('MINUS')) op = 'except';
      else if (this.isWord('INTERSECT')) op = 'intersect';
      if (!op) break;
      this.next();
      let all = false;
      if (this.eatWord('ALL')) all = true; else this.eatWord('DISTINCT');
      let byName = false;
      if (this.isWord('BY') && this.isWord('NAME', 1)) { this.next(); this.next(); byName = true; }
      const right = this.queryTerm();
      left = freeze({ kind: 'setop', op, all, byName, left, right, orderBy: freeze([]), limit: null, pos: this.pos(t) });
    }
    // ORDER BY / LIMIT after a set operation apply to its result
    if (left.kind === 'setop' && (this.isWord('ORDER') || this.isWord('LIMIT'))) {
      const orderBy = this.eatWord('ORDER') ? (this.expectWord('BY'), this.sortKeys()) : [];
      const limit = this.eatWord('LIMIT') ? this.expr() : null;
      left = freeze({ ...left, orderBy: freeze(orderBy), limit });
    }
    return left;
  }

  private queryTerm(): Query {
    const start = this.peek();
    if (this.isOp('(')) {
      this.next();
      const q = this.query();
      this.expectOp(')');
      return q;
    }
    if (this.isWord('VALUES')) { this.next(); return freeze({ kind: 'values', rows: this.valueRows(), pos: this.pos(start) }); }
    if (this.isWord('TABLE')) {
      // TABLE t = SELECT * FROM t
      this.next();
      const from = this.fromPrimary();
      return this.selectRest(start, false, [freeze({ kind: 'star', qualifier: freeze([]), except: freeze([]), pos: this.pos(start) })], from);
    }
    if (this.isWord('FROM')) {
      // FROM t SELECT … (Spark's FROM-first form)
      this.next();
      const from = this.fromClause();
      this.expectWord('SELECT');
      const distinct = this.eatWord('DISTINCT');
      if (!distinct) this.eatWord('ALL');
      return this.selectRest(start, distinct, this.selectItems(), from);
    }
    this.expectWord('SELECT');
    if (this.isOp('/') && this.isOp('*', 1)) this.fail('hints are not supported');
    const distinct = this.eatWord('DISTINCT');
    if (!distinct) this.eatWord('ALL');
    const items = this.selectItems();
    const from = this.eatWord('FROM') ? this.fromClause() : null;
    return this.selectRest(start, distinct, items, from);
  }

  private selectRest(start: Token, distinct: boolean, items: SelectItem[], from: FromItem | null): SelectQuery {
    const where = this.eatWord('WHERE') ? this.expr() : null;
    let groupBy: SelectQuery['groupBy'] = null;
    if (this.isWord('GROUP') && this.isWord('BY', 1)) {
      this.next(); this.next();
      if (this.isWord('ALL') && !this.isOp('(', 1)) { this.next(); groupBy = freeze({ exprs: freeze([]), all: true }); }
      else {
        if (this.isWord('GROUPING') || this.isWord('CUBE') || this.isWord('ROLLUP')) this.unsupported(`GROUP BY ${this.peek().upper}`, this.peek());
        const exprs: ExprNode[] = [];
        do exprs.push(this.expr()); while (this.eatOp(','));
        if (this.isWord('WITH') && (this.isWord('ROLLUP', 1) || this.isWord('CUBE', 1))) this.unsupported(`WITH ${this.peek(1).upper}`, this.peek());
        groupBy = freeze({ exprs: freeze(exprs), all: false });
      }
    }
    const having = this.eatWord('HAVING') ? this.expr() : null;
    const windows: Record<string, WindowOver> = {};
    if (this.eatWord('WINDOW')) {
      do {
        const name = this.ident('a window name');
        this.expectWord('AS');
        windows[name] = this.windowSpec();
      } while (this.eatOp(','));
    }
    const qualify = this.eatWord('QUALIFY') ? this.expr() : null;
    let orderBy: SortKey[] = [];
    if (this.isWord('ORDER') && this.isWord('BY', 1)) { this.next(); this.next(); orderBy = this.sortKeys(); }
    else if (this.isWord('SORT') || this.isWord('CLUSTER') || this.isWord('DISTRIBUTE')) this.unsupported(`${this.peek().upper} BY`, this.peek());
    let limit: ExprNode | null = null, offset: ExprNode | null = null;
    if (this.eatWord('LIMIT')) limit = this.isWord('ALL') ? (this.next(), null) : this.expr();
    if (this.eatWord('OFFSET')) offset = this.expr();
    return freeze({ kind: 'select', distinct, items: freeze(items), from, where, groupBy, having, qualify, windows: freeze(windows), orderBy: freeze(orderBy), limit, offset, pos: this.pos(start) });
  }

  private selectItems(): SelectItem[] {
    const items: SelectItem[] = [];
    do {
      const t = this.peek();
      // * and t.* (optionally EXCEPT (…))
      let qualifier: string[] | null = null;
      if (this.isOp('*')) qualifier = [];
      else {
        let k = 0;
        const q: string[] = [];
        while ((this.peek(k).kind === 'ident' || this.peek(k).kind === 'qident') && this.isOp('.', k + 1)) { q.push(this.peek(k).text); k += 2; }
        if (q.length && this.isOp('*', k)) { qualifier = q; for (let j = 0; j < k; j++) this.next(); }
      }
      if (qualifier !== null) {
        this.expectOp('*');
        const except = this.isWord('EXCEPT') || this.isWord('EXCLUDE') ? (this.next(), this.identList()) : [];
        items.push(freeze({ kind: 'star', qualifier: freeze(qualifier), except: freeze(except), pos: this.pos(t) }));
        continue;
      }
      const expr = this.expr();
      let alias: string | null = null;
      if (this.eatWord('AS')) {
        if (this.isOp('(')) this.unsupported('a multi-column alias AS (a, b)', this.peek());
        alias = this.ident('an alias');
      } else if ((this.peek().kind === 'ident' && !NOT_ALIAS.has(this.peek().upper)) || this.peek().kind === 'qident') alias = this.ident();
      items.push(freeze({ kind: 'expr', expr, alias, pos: this.pos(t) }));
    } while (this.eatOp(','));
    return items;
  }

  private valueRows(): ExprNode[][] {
    const rows: ExprNode[][] = [];
    do {
      if (this.eatOp('(')) {
        const row: ExprNode[] = [];
        do row.push(this.expr()); while (this.eatOp(','));
        this.expectOp(')');
        rows.push(row);
      } else rows.push([this.expr()]);
    } while (this.eatOp(','));
    return rows;
  }

  /** FROM items separated by commas (cross joins) and joins. */
  fromClause(): FromItem {
    let left = this.joined();
    while (this.isOp(',')) {
      const t = this.next();
      left = freeze({ kind: 'join', type: 'cross', left, right: this.joined(), on: null, using: null, natural: false, pos: this.pos(t) });
    }
    return left;
  }

  private joinType(): { type: JoinType; natural: boolean } | null {
    const save = this.index;
    const natural = this.eatWord('NATURAL');
    if (this.eatWord('JOIN')) return { type: 'inner', natural };
    let type: JoinType | null = null;
    if (this.eatWord('INNER')) type = 'inner';
    else if (this.eatWord('CROSS')) type = 'cross';
    else if (this.eatWord('LEFT')) {
      if (this.eatWord('SEMI')) type = 'left_semi';
      else if (this.eatWord('ANTI')) type = 'left_anti';
      else { this.eatWord('OUTER'); type = 'left'; }
    } else if (this.eatWord('RIGHT')) { this.eatWord('OUTER'); type = 'right'; }
    else if (this.eatWord('FULL')) { this.eatWord('OUTER'); type = 'full'; }
    else if (this.eatWord('SEMI')) type = 'left_semi';
    else if (this.eatWord('ANTI')) type = 'left_anti';
    if (type === null) { this.index = save; return null; }
    this.expectWord('JOIN');
    return { type, natural };
  }

  private joined(): FromItem {
    let left = this.fromPrimary();
    for (;;) {
      const t = this.peek();
      if (this.isWord('LATERAL') && this.isWord('VIEW', 1)) {
        this.next(); this.next();
        const outer = this.eatWord('OUTER');
        const generator = this.expr();
        let alias: string | null = null;
        if (this.peek().kind === 'ident' && !this.isWord('AS') && !NOT_ALIAS.has(this.peek().upper)) alias = this.ident();
        const columns: string[] = [];
        if (this.eatWord('AS')) do columns.push(this.ident('a column alias')); while (this.eatOp(','));
        left = freeze({ kind: 'lateral', input: left, generator, outer, alias, columns: freeze(columns), pos: this.pos(t) });
        continue;
      }
      const jt = this.joinType();
      if (!jt) return left;
      const right = this.fromPrimary();
      let on: ExprNode | null = null;
      let using: string[] | null = null;
      if (this.eatWord('ON')) on = this.expr();
      else if (this.eatWord('USING')) using = this.identList();
      left = freeze({ kind: 'join', type: jt.type, left, right, on, using: using && freeze(using), natural: jt.natural, pos: this.pos(t) });
    }
  }

  private alias(): { alias: string | null; columns: string[] } {
    let alias: string | null = null;
    if (this.eatWord('AS')) alias = this.ident('an alias');
    else if ((this.peek().kind === 'ident' && !NOT_ALIAS.has(this.peek().upper)) || this.peek().kind === 'qident') alias = this.ident();
    const columns = alias !== null && this.isOp('(') ? this.identList() : [];
    return { alias, columns };
  }

  /** PIVOT / UNPIVOT after a FROM item: named, not supported. */
  private pivot(): void {
    if (this.isWord('PIVOT') || this.isWord('UNPIVOT')) this.unsupported(this.peek().upper, this.peek());
  }

  private watermark(): WatermarkClause | null {
    if (!this.isWord('WATERMARK')) return null;
    const t = this.next();
    const expr = this.expr();
    let alias: string | null = null;
    if (this.eatWord('AS')) alias = this.ident('an alias');
    this.expectWord('DELAY');
    this.expectWord('OF');
    const d0 = this.peek();
    this.eatWord('INTERVAL');
    const iv = parseIntervalLiteral(this);
    if (iv.type !== 'interval day to second' || iv.value <= 0) this.fail('a watermark delay must be a positive interval of days, hours, minutes or seconds', d0);
    return freeze({ expr, alias, delayUs: iv.value, pos: this.pos(t) });
  }

  fromPrimary(): FromItem {
    const t = this.peek();
    // STREAM(x), STREAM x, STREAM read_files(…)
    let stream = false;
    if (this.isWord('STREAM') && (this.isOp('(', 1) || this.peek(1).kind === 'ident' || this.peek(1).kind === 'qident')) {
      stream = true;
      this.next();
      if (this.isOp('(') && !this.isWord('SELECT', 1) && (this.peek(1).kind === 'ident' || this.peek(1).kind === 'qident') && !this.isOp('(', 2)) {
        // STREAM(name) / STREAM (live.name)
        this.next();
        const name = this.qualifiedName('a table name');
        this.expectOp(')');
        return this.tableRest(t, name, true);
      }
    }
    if (this.isOp('(')) {
      this.next();
      if (this.isWord('SELECT') || this.isWord('WITH') || this.isWord('VALUES') || this.isWord('FROM') || this.isOp('(')) {
        const query = this.query();
        this.expectOp(')');
        const watermark = this.watermark();
        this.pivot();
        const { alias, columns } = this.alias();
        this.pivot();
        return freeze({ kind: 'subquery', query, alias, columnAliases: freeze(columns), watermark: watermark ?? this.watermark(), pos: this.pos(t) });
      }
      const inner = this.fromClause();
      this.expectOp(')');
      return inner;
    }
    if (this.isWord('VALUES')) {
      this.next();
      const rows = this.valueRows();
      const { alias, columns } = this.alias();
      return freeze({ kind: 'values', rows: freeze(rows.map((r) => freeze(r))), alias, columnAliases: freeze(columns), pos: this.pos(t) });
    }
    const name = this.qualifiedName('a table name');
    if (this.isOp('(')) return this.tvf(t, name, stream);
    return this.tableRest(t, name, stream);
  }

  private tableRest(t: Token, name: QualifiedName, stream: boolean): FromItem {
    const options: Record<string, string> = {};
    if (this.isWord('WITH') && this.isOp('(', 1)) {
      this.next(); this.next();
      do {
        const k = this.qualifiedName('an option name').parts.join('.');
        this.eatOp('=');
        const v = this.next();
        options[k] = v.kind === 'string' ? v.text : v.text.toLowerCase();
      } while (this.eatOp(','));
      this.expectOp(')');
    }
    if (this.isWord('TABLESAMPLE')) this.unsupported('TABLESAMPLE', this.peek());
    let watermark = this.watermark();
    this.pivot();
    const { alias } = this.alias();
    watermark ??= this.watermark();
    this.pivot();
    return freeze({ kind: 'table', name, stream, alias, options: freeze(options), watermark, pos: this.pos(t) });
  }

  private tvf(t: Token, name: QualifiedName, stream: boolean): FromItem {
    this.expectOp('(');
    const args: ExprNode[] = [];
    const named: Record<string, ExprNode> = {};
    if (!this.isOp(')')) {
      do {
        if ((this.peek().kind === 'ident' || this.peek().kind === 'qident') && this.isOp('=>', 1)) {
          const k = this.next().text;
          this.next();
          named[k] = this.expr();
        } else args.push(this.expr());
      } while (this.eatOp(','));
    }
    this.expectOp(')');
    let watermark = this.watermark();
    const { alias, columns } = this.alias();
    watermark ??= this.watermark();
    return freeze({ kind: 'tvf', name: name.parts.join('.').toLowerCase(), args: freeze(args), named: freeze(named), stream, alias, columnAliases: freeze(columns), watermark, pos: this.pos(t) });
  }

  // ------------------------------------------------------------ statements

  /** One statement (without its final `;`). */
  statement(): Statement {
    const t = this.peek();
    if (this.isWord('SET')) return this.setStatement();
    if (this.isWord('USE')) {
      this.next();
      const what = this.eatWord('CATALOG') ? 'catalog' : this.eatWord('SCHEMA') || this.eatWord('DATABASE') ? 'schema' : 'schema';
      return freeze({ kind: 'use', what, name: this.qualifiedName('a name').parts.join('.'), pos: this.pos(t) });
    }
    if (this.isWord('APPLY') && this.isWord('CHANGES', 1)) {
      this.next(); this.next();
      this.expectWord('INTO');
      return freeze({ kind: 'cdc_flow', name: null, comment: null, legacy: true, cdc: this.cdcBody(t, false), pos: this.pos(t) });
    }
    if (!this.isWord('CREATE')) {
      const w = this.peek().upper || this.peek().text;
      this.unsupported(`the statement ${w === '' ? '(empty)' : w}${/^(SELECT|WITH|INSERT|MERGE|UPDATE|DELETE|DROP|ALTER)$/.test(w) ? ' (a pipeline holds only dataset, flow and SET/USE statements)' : ''}`, t);
    }
    this.next();
    let orRefresh = false, orReplace = false;
    if (this.isWord('OR')) {
      this.next();
      if (this.eatWord('REFRESH')) orRefresh = true;
      else { this.expectWord('REPLACE'); orReplace = true; }
    }
    void orRefresh; void orReplace;
    if (this.isWord('FLOW')) return this.flowStatement(t);
    let isPrivate = false, temporary = false, streaming = false, live = false;
    for (;;) {
      if (this.eatWord('PRIVATE')) { isPrivate = true; continue; }
      if (this.eatWord('TEMPORARY') || this.eatWord('TEMP')) { temporary = true; continue; }
      if (this.eatWord('STREAMING') || this.eatWord('INCREMENTAL')) { streaming = true; continue; }
      if (this.eatWord('LIVE')) { live = true; continue; }
      break;
    }
    let object: DatasetObject;
    if (this.isWord('MATERIALIZED') && this.isWord('VIEW', 1)) { this.next(); this.next(); object = 'materialized_view'; }
    else if (this.isWord('TABLE') && !streaming && !live) return this.unsupported('CREATE TABLE (a plain table is not a pipeline dataset: use CREATE STREAMING TABLE or CREATE MATERIALIZED VIEW)', this.peek());
    else if (this.eatWord('TABLE')) object = streaming ? 'streaming_table' : 'materialized_view';
    else if (this.eatWord('VIEW')) object = temporary || live ? 'temporary_view' : 'view';
    else return this.unsupported(`CREATE ${this.peek().upper || this.peek().text}`, this.peek());
    if (object === 'view' && streaming) object = 'temporary_view';
    if (this.isWord('IF') && this.isWord('NOT', 1)) { this.next(); this.next(); this.expectWord('EXISTS'); }
    const name = this.qualifiedName('a dataset name');
    const columns: ColumnDef[] = [];
    const constraints: ConstraintDef[] = [];
    if (this.isOp('(')) this.columnList(columns, constraints);
    let comment: string | null = null;
    const properties: Record<string, string> = {};
    let partitionedBy: string[] = [], clusterBy: string[] = [];
    for (;;) {
      const c = this.peek();
      if (this.eatWord('COMMENT')) { comment = this.stringLit('a comment'); continue; }
      if (this.eatWord('TBLPROPERTIES')) { Object.assign(properties, this.propertyList()); continue; }
      if (this.isWord('PARTITIONED') && this.isWord('BY', 1)) { this.next(); this.next(); partitionedBy = this.identList(); continue; }
      if (this.isWord('CLUSTER') && this.isWord('BY', 1)) { this.next(); this.next(); clusterBy = this.isWord('AUTO') ? (this.next(), ['AUTO']) : this.identList(); continue; }
      if (this.eatWord('USING')) { const fmt = this.ident('a format'); if (fmt.toUpperCase() !== 'DELTA') this.unsupported(`USING ${fmt}`, c); continue; }
      if (this.isWord('LOCATION')) this.unsupported('LOCATION', c);
      if (this.isWord('WITH') && this.isWord('ROW', 1)) this.unsupported('WITH ROW FILTER', c);
      if (this.isWord('SCHEDULE') || this.isWord('REFRESH')) this.unsupported(c.upper, c);
      break;
    }
    let query: Query | null = null;
    let inlineCdc: CdcClause | null = null;
    if (this.eatWord('AS')) query = this.query();
    else if (this.isWord('FLOW')) {
      const f = this.next();
      if (this.isWord('AUTO') && this.isWord('CDC', 1)) {
        this.next(); this.next();
        inlineCdc = this.cdcBody(f, true, name);
      } else if (this.isWord('INSERT')) this.unsupported('an inline FLOW INSERT (declare the table, then CREATE FLOW … INSERT INTO it)', f);
      else this.fail('expected AUTO CDC after FLOW');
    }
    if (object !== 'streaming_table' && query === null) this.fail(`${object === 'materialized_view' ? 'a materialized view' : 'a view'} needs AS query`);
    return freeze({
      kind: 'create', object, name, legacy: live, private: isPrivate || (temporary && object !== 'temporary_view'),
      columns: freeze(columns), constraints: freeze(constraints), comment, properties: freeze(properties),
      partitionedBy: freeze(partitionedBy), clusterBy: freeze(clusterBy), query, inlineCdc, pos: this.pos(t),
    });
  }

  private setStatement(): Statement {
    const t = this.next();
    // SET key = value: the key is dotted words, the value the rest of the statement as written
    const parts: string[] = [];
    while (!this.isOp('=') && !this.atEnd()) {
      const k = this.next();
      parts.push(k.text);
    }
    if (!this.eatOp('=')) this.fail('expected SET key = value', t);
    // tokens written apart keep one space between them, adjacent ones none (`Europe/Paris`, `+05:30`)
    let value = '';
    let end = -1;
    while (!this.atEnd() && !this.isOp(';')) {
      const v = this.next();
      if (end >= 0 && v.offset > end) value += ' ';
      value += v.text;
      end = v.end;
    }
    return freeze({ kind: 'set', key: parts.join(''), value: value.trim(), pos: this.pos(t) });
  }

  private propertyList(): Record<string, string> {
    const out: Record<string, string> = {};
    this.expectOp('(');
    if (!this.isOp(')')) {
      do {
        const k = this.peek().kind === 'string' ? this.next().text : this.qualifiedName('a property name').parts.join('.');
        this.eatOp('=');
        const v = this.next();
        if (v.kind !== 'string' && v.kind !== 'number' && v.kind !== 'ident') this.fail('expected a property value', v);
        out[k] = v.text;
      } while (this.eatOp(','));
    }
    this.expectOp(')');
    return out;
  }

  private columnList(columns: ColumnDef[], constraints: ConstraintDef[]): void {
    this.expectOp('(');
    do {
      const t = this.peek();
      if (this.eatWord('CONSTRAINT')) {
        const name = this.ident('a constraint name');
        if (!this.isWord('EXPECT')) this.unsupported(`the constraint ${this.peek().upper} (only EXPECT constraints are supported)`, this.peek());
        this.next();
        this.expectOp('(');
        const expr = this.expr();
        this.expectOp(')');
        let action: ConstraintDef['action'] = 'warn';
        if (this.isWord('ON') && this.isWord('VIOLATION', 1)) {
          this.next(); this.next();
          if (this.eatWord('DROP')) { this.expectWord('ROW'); action = 'drop'; }
          else { this.expectWord('FAIL'); this.expectWord('UPDATE'); action = 'fail'; }
        }
        constraints.push(freeze({ name, expr, action, pos: this.pos(t) }));
        continue;
      }
      if (this.isWord('PRIMARY') || this.isWord('FOREIGN')) this.unsupported(`${this.peek().upper} KEY constraints`, this.peek());
      const name = this.ident('a column name');
      let type: DataType | null = null;
      if (!this.isOp(',') && !this.isOp(')') && !this.isWord('NOT') && !this.isWord('COMMENT')) type = this.typeName();
      let notNull = false;
      let comment: string | null = null;
      for (;;) {
        if (this.isWord('NOT') && this.isWord('NULL', 1)) { this.next(); this.next(); notNull = true; continue; }
        if (this.eatWord('COMMENT')) { comment = this.stringLit('a comment'); continue; }
        if (this.isWord('GENERATED') || this.isWord('DEFAULT') || this.isWord('MASK')) this.unsupported(`${this.peek().upper} in a column definition`, this.peek());
        break;
      }
      columns.push(freeze({ name, type, notNull, comment, pos: this.pos(t) }));
    } while (this.eatOp(','));
    this.expectOp(')');
  }

  private flowStatement(t: Token): Statement {
    this.expectWord('FLOW');
    const name = this.ident('a flow name');
    const comment = this.eatWord('COMMENT') ? this.stringLit('a comment') : null;
    this.expectWord('AS');
    if (this.isWord('AUTO') && this.isWord('CDC', 1)) {
      this.next(); this.next();
      const once = this.eatWord('ONCE');
      this.expectWord('INTO');
      const cdc = this.cdcBody(t, false, undefined, once);
      return freeze({ kind: 'cdc_flow', name, comment, legacy: false, cdc, pos: this.pos(t) });
    }
    if (this.isWord('APPLY') && this.isWord('CHANGES', 1)) {
      this.next(); this.next();
      this.expectWord('INTO');
      return freeze({ kind: 'cdc_flow', name, comment, legacy: true, cdc: this.cdcBody(t, false), pos: this.pos(t) });
    }
    this.expectWord('INSERT');
    let once = this.eatWord('ONCE');
    this.expectWord('INTO');
    if (this.eatWord('ONCE')) once = true;
    const target = this.qualifiedName('a target table');
    if (this.isOp('(')) this.unsupported('a column list in INSERT INTO (use BY NAME)', this.peek());
    if (!(this.isWord('BY') && this.isWord('NAME', 1))) this.fail('expected BY NAME (a flow inserts by column name)');
    this.next(); this.next();
    return freeze({ kind: 'insert_flow', name, comment, target, once, query: this.query(), pos: this.pos(t) });
  }

  /** The part of AUTO CDC / APPLY CHANGES after INTO (or, inline, after FLOW AUTO CDC). */
  private cdcBody(t: Token, inline: boolean, inlineTarget?: QualifiedName, once = false): CdcClause {
    const target = inline ? inlineTarget! : this.qualifiedName('a target table');
    this.expectWord('FROM');
    const source = this.fromPrimary();
    this.expectWord('KEYS');
    const keys = this.identList();
    let where: ExprNode | null = null, ignoreNullUpdates = false, applyAsDeletes: ExprNode | null = null, applyAsTruncates: ExprNode | null = null;
    let sequenceBy: ExprNode | null = null;
    let columns: CdcClause['columns'] = null, trackHistory: CdcClause['trackHistory'] = null;
    let storedAs: 1 | 2 = 1;
    const colSpec = (): { list: string[] } | { except: string[] } => {
      if (this.eatOp('*')) { this.expectWord('EXCEPT'); return { except: this.identList() }; }
      const list: string[] = [];
      do list.push(this.ident('a column')); while (this.eatOp(','));
      return { list };
    };
    for (;;) {
      const c = this.peek();
      if (this.eatWord('WHERE')) { where = this.expr(); continue; }
      if (this.isWord('IGNORE') && this.isWord('NULL', 1)) {
        this.next(); this.next(); this.expectWord('UPDATES'); ignoreNullUpdates = true;
        if (this.eatWord('ON')) this.unsupported('IGNORE NULL UPDATES ON columns', c);
        continue;
      }
      if (this.isWord('APPLY') && this.isWord('AS', 1)) {
        this.next(); this.next();
        if (this.eatWord('DELETE')) { this.expectWord('WHEN'); applyAsDeletes = this.expr(); continue; }
        this.expectWord('TRUNCATE'); this.expectWord('WHEN'); applyAsTruncates = this.expr(); continue;
      }
      if (this.isWord('SEQUENCE') && this.isWord('BY', 1)) { this.next(); this.next(); sequenceBy = this.expr(); continue; }
      if (this.isWord('SYSTEM') && this.isWord('SEQUENCE', 1)) this.unsupported('SYSTEM SEQUENCE BY', c);
      if (this.isWord('COLUMNS') && this.isWord('TO', 1)) this.unsupported('COLUMNS TO UPDATE', c);
      if (this.eatWord('COLUMNS')) { columns = freeze(colSpec()); continue; }
      if (this.isWord('STORED') && this.isWord('AS', 1)) {
        this.next(); this.next();
        if (this.eatWord('BITEMPORAL')) this.unsupported('STORED AS BITEMPORAL', c);
        this.expectWord('SCD'); this.expectWord('TYPE');
        const n = this.next();
        if (n.text !== '1' && n.text !== '2') this.fail('expected SCD TYPE 1 or SCD TYPE 2', n);
        storedAs = n.text === '1' ? 1 : 2;
        continue;
      }
      if (this.isWord('TRACK') && this.isWord('HISTORY', 1)) { this.next(); this.next(); this.expectWord('ON'); trackHistory = freeze(colSpec()); continue; }
      break;
    }
    if (!sequenceBy) this.fail('AUTO CDC needs SEQUENCE BY', t);
    return freeze({ target, source, keys: freeze(keys), where, ignoreNullUpdates, applyAsDeletes, applyAsTruncates, sequenceBy: sequenceBy!, columns, storedAs, trackHistory, once, pos: this.pos(t) });
  }
}
