/**
 * The syntax tree of DLT SQL: statements (datasets, flows, settings) and the
 * queries in them, as written, with positions. The lowering
 * (`engine/parse/lower.ts`) turns it into dataset definitions of the plan IR;
 * expressions are already expression IR (read by `expr-parser.ts`).
 */
import type { ExprNode, SortKey, WindowOver } from '../ir/expr.js';
import type { DataType } from '../ir/types.js';

export interface Pos {
  readonly file?: string;
  readonly line: number;
  readonly col: number;
}

/** A possibly qualified name as written: `x`, `LIVE.x`, `cat.sch.x`. */
export interface QualifiedName {
  readonly parts: readonly string[];
  readonly pos: Pos;
}

// ------------------------------------------------------------ queries

export type SelectItem =
  | { readonly kind: 'expr'; readonly expr: ExprNode; readonly alias: string | null; readonly pos: Pos }
  /** `*`, `t.*`, `* EXCEPT (a, b)`. */
  | { readonly kind: 'star'; readonly qualifier: readonly string[]; readonly except: readonly string[]; readonly pos: Pos };

export interface WatermarkClause {
  /** The event-time column (or an expression, named by `alias`). */
  readonly expr: ExprNode;
  readonly alias: string | null;
  /** The delay in microseconds. */
  readonly delayUs: number;
  readonly pos: Pos;
}

export type FromItem =
  | {
    readonly kind: 'table'; readonly name: QualifiedName; readonly stream: boolean; readonly alias: string | null;
    /** `STREAM t WITH (skipChangeCommits = true)`. */
    readonly options: Readonly<Record<string, string>>;
    readonly watermark: WatermarkClause | null; readonly pos: Pos;
  }
  | {
    /** A table-valued function: `read_files(path, format => 'csv', …)`, `cloud_files(path, 'csv', map(…))`. */
    readonly kind: 'tvf'; readonly name: string; readonly args: readonly ExprNode[]; readonly named: Readonly<Record<string, ExprNode>>;
    readonly stream: boolean; readonly alias: string | null; readonly columnAliases: readonly string[]; readonly watermark: WatermarkClause | null; readonly pos: Pos;
  }
  | { readonly kind: 'subquery'; readonly query: Query; readonly alias: string | null; readonly columnAliases: readonly string[]; readonly watermark: WatermarkClause | null; readonly pos: Pos }
  | {
    readonly kind: 'join'; readonly type: JoinType; readonly left: FromItem; readonly right: FromItem;
    readonly on: ExprNode | null; readonly using: readonly string[] | null; readonly natural: boolean; readonly pos: Pos;
  }
  /** `LATERAL VIEW [OUTER] explode(x) t AS a, b`. */
  | { readonly kind: 'lateral'; readonly input: FromItem; readonly generator: ExprNode; readonly outer: boolean; readonly alias: string | null; readonly columns: readonly string[]; readonly pos: Pos }
  | { readonly kind: 'values'; readonly rows: readonly (readonly ExprNode[])[]; readonly alias: string | null; readonly columnAliases: readonly string[]; readonly pos: Pos };

export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'cross' | 'left_semi' | 'left_anti';

export interface SelectQuery {
  readonly kind: 'select';
  readonly distinct: boolean;
  readonly items: readonly SelectItem[];
  readonly from: FromItem | null;
  readonly where: ExprNode | null;
  /** GROUP BY expressions (an integer literal is a position in the select list); `all`: GROUP BY ALL. */
  readonly groupBy: { readonly exprs: readonly ExprNode[]; readonly all: boolean } | null;
  readonly having: ExprNode | null;
  readonly qualify: ExprNode | null;
  readonly windows: Readonly<Record<string, WindowOver>>;
  readonly orderBy: readonly SortKey[];
  readonly limit: ExprNode | null;
  readonly offset: ExprNode | null;
  readonly pos: Pos;
}

export type Query =
  | SelectQuery
  | {
    readonly kind: 'setop'; readonly op: 'union' | 'except' | 'intersect'; readonly all: boolean; readonly byName: boolean;
    readonly left: Query; readonly right: Query; readonly orderBy: readonly SortKey[]; readonly limit: ExprNode | null; readonly pos: Pos;
  }
  | { readonly kind: 'values'; readonly rows: readonly (readonly ExprNode[])[]; readonly pos: Pos }
  | { readonly kind: 'with'; readonly ctes: readonly { readonly name: string; readonly columns: readonly string[]; readonly query: Query }[]; readonly body: Query; readonly pos: Pos };

// ------------------------------------------------------------ statements

export interface ColumnDef {
  readonly name: string;
  readonly type: DataType | null;
  readonly notNull: boolean;
  readonly comment: string | null;
  readonly pos: Pos;
}

export interface ConstraintDef {
  readonly name: string;
  readonly expr: ExprNode;
  readonly action: 'warn' | 'drop' | 'fail';
  readonly pos: Pos;
}

export type DatasetObject = 'streaming_table' | 'materialized_view' | 'view' | 'temporary_view';

/** AUTO CDC / APPLY CHANGES, as written. */
export interface CdcClause {
  readonly target: QualifiedName;
  readonly source: FromItem;
  readonly keys: readonly string[];
  readonly where: ExprNode | null;
  readonly ignoreNullUpdates: boolean;
  readonly applyAsDeletes: ExprNode | null;
  readonly applyAsTruncates: ExprNode | null;
  readonly sequenceBy: ExprNode;
  readonly columns: { readonly list: readonly string[] } | { readonly except: readonly string[] } | null;
  readonly storedAs: 1 | 2;
  readonly trackHistory: { readonly list: readonly string[] } | { readonly except: readonly string[] } | null;
  readonly once: boolean;
  readonly pos: Pos;
}

export type Statement =
  | {
    readonly kind: 'create'; readonly object: DatasetObject; readonly name: QualifiedName;
    /** Spelled the legacy way (`LIVE TABLE`, `STREAMING LIVE TABLE`, `LIVE VIEW`). */
    readonly legacy: boolean;
    readonly private: boolean;
    readonly columns: readonly ColumnDef[];
    readonly constraints: readonly ConstraintDef[];
    readonly comment: string | null;
    readonly properties: Readonly<Record<string, string>>;
    readonly partitionedBy: readonly string[];
    readonly clusterBy: readonly string[];
    readonly query: Query | null;
    /** `CREATE … STREAMING TABLE t FLOW AUTO CDC …` (inline flow). */
    readonly inlineCdc: CdcClause | null;
    readonly pos: Pos;
  }
  | { readonly kind: 'set'; readonly key: string; readonly value: string; readonly pos: Pos }
  | { readonly kind: 'use'; readonly what: 'catalog' | 'schema'; readonly name: string; readonly pos: Pos }
  | { readonly kind: 'insert_flow'; readonly name: string; readonly comment: string | null; readonly target: QualifiedName; readonly once: boolean; readonly query: Query; readonly pos: Pos }
  | { readonly kind: 'cdc_flow'; readonly name: string | null; readonly comment: string | null; readonly legacy: boolean; readonly cdc: CdcClause; readonly pos: Pos };
