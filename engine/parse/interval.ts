/**
 * INTERVAL literals, as Spark reads them:
 * `INTERVAL 1 DAY`, `INTERVAL '10' MINUTES`, `INTERVAL 1 DAY 2 HOURS`,
 * `INTERVAL '1 day 2 hours'`, `INTERVAL '1 2:03:04.5' DAY TO SECOND`,
 * `INTERVAL '2-3' YEAR TO MONTH`. Day-time intervals are microseconds
 * (`interval day to second`), year-month intervals months (`interval year to
 * month`); one literal cannot mix the two.
 */
import type { IntervalType } from '../ir/types.js';
import type { ExprParser } from './expr-parser.js';

const US: Record<string, number> = {
  WEEK: 7 * 86_400_000_000, DAY: 86_400_000_000, HOUR: 3_600_000_000, MINUTE: 60_000_000, SECOND: 1_000_000,
  MILLISECOND: 1000, MICROSECOND: 1,
};
const MONTHS: Record<string, number> = { YEAR: 12, MONTH: 1 };

function unitOf(word: string): string | null {
  const w = word.toUpperCase().replace(/S$/, '');
  if (w in US || w in MONTHS) return w;
  return null;
}

export interface IntervalValue { readonly value: number; readonly type: IntervalType }

/** Adds `n` of `unit`; returns the kind it belongs to. */
function add(acc: { us: number; months: number }, n: number, unit: string): 'dt' | 'ym' {
  if (unit in MONTHS) { acc.months += n * MONTHS[unit]; return 'ym'; }
  acc.us += Math.round(n * US[unit]);
  return 'dt';
}

/** Parses what follows the INTERVAL keyword. */
export function parseIntervalLiteral(p: ExprParser): IntervalValue {
  const acc = { us: 0, months: 0 };
  const kinds = new Set<'dt' | 'ym'>();
  const start = p.peek();
  let any = false;
  for (;;) {
    const t = p.peek();
    let sign = 1;
    if (t.kind === 'op' && t.text === '-' && (p.peek(1).kind === 'number' || p.peek(1).kind === 'string')) { p.next(); sign = -1; }
    const v = p.peek();
    if (v.kind !== 'number' && v.kind !== 'string') break;
    const u = p.peek(1);
    const unit = u.kind === 'ident' ? unitOf(u.text) : null;
    if (v.kind === 'string' && unit === null) {
      // '1 day 2 hours' (units inside the string)
      p.next();
      const parts = v.text.trim().split(/\s+/);
      if (parts.length % 2 !== 0) p.fail(`cannot read the interval '${v.text}'`, v);
      for (let k = 0; k < parts.length; k += 2) {
        const n = Number(parts[k]);
        const uu = unitOf(parts[k + 1]);
        if (!Number.isFinite(n) || uu === null) p.fail(`cannot read the interval '${v.text}'`, v);
        kinds.add(add(acc, sign * n, uu!));
      }
      any = true;
      continue;
    }
    if (unit === null) break;
    p.next(); p.next();
    if (p.isWord('TO')) {
      p.next();
      const to = unitOf(p.next().text);
      if (to === null) p.fail('expected a unit after TO', p.peek());
      kinds.add(rangeValue(p, v.text, unit, to!, sign, acc, v));
    } else {
      const n = Number(v.text.replace(/[LlDdFf]$/, ''));
      if (!Number.isFinite(n)) p.fail(`cannot read the interval value '${v.text}'`, v);
      kinds.add(add(acc, sign * n, unit));
    }
    any = true;
  }
  if (!any) p.fail('expected an interval such as INTERVAL 1 DAY or INTERVAL \'10\' MINUTES', start);
  if (kinds.size > 1) p.fail('an interval cannot mix years or months with days or smaller units', start);
  return kinds.has('ym') ? { value: acc.months, type: 'interval year to month' } : { value: acc.us, type: 'interval day to second' };
}

/** `'1 2:03:04.5' DAY TO SECOND`, `'2-3' YEAR TO MONTH`, `'10:30' HOUR TO MINUTE`, … */
function rangeValue(p: ExprParser, text: string, from: string, to: string, sign: number, acc: { us: number; months: number }, tok: Parameters<ExprParser['fail']>[1]): 'dt' | 'ym' {
  const s = text.trim();
  const neg = s.startsWith('-') ? -1 : 1;
  const body = s.replace(/^[+-]/, '');
  if (from in MONTHS) {
    const m = /^(\d+)-(\d+)$/.exec(body);
    if (!m || to !== 'MONTH') p.fail(`cannot read the interval '${text}' ${from} TO ${to}`, tok);
    acc.months += sign * neg * (Number(m![1]) * 12 + Number(m![2]));
    return 'ym';
  }
  const order = ['DAY', 'HOUR', 'MINUTE', 'SECOND'];
  const fields = body.split(/[\s:]+/);
  const units = order.slice(order.indexOf(from), order.indexOf(to) + 1);
  if (units.length !== fields.length || fields.some((f) => !/^\d+(\.\d+)?$/.test(f))) p.fail(`cannot read the interval '${text}' ${from} TO ${to}`, tok);
  fields.forEach((f, k) => add(acc, sign * neg * Number(f), units[k]));
  return 'dt';
}
