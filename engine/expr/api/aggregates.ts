/**
 * Aggregate builders beyond count/sum/avg/min/max (engine/expr/builder.ts).
 * As for those, a string argument is a column name: `stddev('age')`,
 * `minBy('name', 'admitted_at')`. Any registry aggregate is also reachable as
 * `aggregate(name, ...args)`, and any aggregate takes `.filter(cond)`.
 */
import { aggregate, lit, type Agg, type ExprLike } from '../builder.js';

type Arg = ExprLike | string;

export const countIf = (cond: Arg): Agg => aggregate('count_if', cond);
export const boolAnd = (x: Arg): Agg => aggregate('bool_and', x);
export const boolOr = (x: Arg): Agg => aggregate('bool_or', x);
/** Sample standard deviation (as Spark's stddev). */
export const stddev = (x: Arg): Agg => aggregate('stddev_samp', x);
export const stddevSamp = stddev;
export const stddevPop = (x: Arg): Agg => aggregate('stddev_pop', x);
/** Sample variance (as Spark's variance). */
export const variance = (x: Arg): Agg => aggregate('var_samp', x);
export const varSamp = variance;
export const varPop = (x: Arg): Agg => aggregate('var_pop', x);
export const minBy = (x: Arg, ord: Arg): Agg => aggregate('min_by', x, ord);
export const maxBy = (x: Arg, ord: Arg): Agg => aggregate('max_by', x, ord);
export const first = (x: Arg, ignoreNulls = false): Agg => (ignoreNulls ? aggregate('first', x, lit(true)) : aggregate('first', x));
export const last = (x: Arg, ignoreNulls = false): Agg => (ignoreNulls ? aggregate('last', x, lit(true)) : aggregate('last', x));
export const collectList = (x: Arg): Agg => aggregate('collect_list', x);
export const collectSet = (x: Arg): Agg => aggregate('collect_set', x);
export const median = (x: Arg): Agg => aggregate('median', x);
/** Exact percentile, `p` between 0 and 1. */
export const percentile = (x: Arg, p: number): Agg => aggregate('percentile', x, lit(p));
/** Counted exactly (Spark estimates it). */
export const approxCountDistinct = (x: Arg): Agg => aggregate('approx_count_distinct', x);
