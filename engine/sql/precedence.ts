/** Operator precedence of rendered SQL (higher binds tighter), shared by the compiler and the registry's spellings. */
export const P = { OR: 10, AND: 20, NOT: 30, PRED: 35, CMP: 40, CONCAT: 50, ADD: 60, MUL: 70, UNARY: 90, ATOM: 100 } as const;

export interface Sql {
  readonly sql: string;
  readonly prec: number;
}

export const atom = (sql: string): Sql => ({ sql, prec: P.ATOM });

/** `s` in parentheses unless it binds at least as tightly as `min`. */
export function paren(s: Sql, min: number): string {
  return s.prec >= min ? s.sql : `(${s.sql})`;
}
