/**
 * Spark datetime patterns of the file readers' `dateFormat` and
 * `timestampFormat` options (compiled by `engine/time/pattern.ts`).
 */
import { DateTimePattern, PatternError } from '../time/pattern.js';
import { DefinitionError } from '../errors.js';

/** The compiled parsing pattern, or INVALID_READER_OPTION naming the option. */
export function compileSparkPattern(pattern: string, option: string): DateTimePattern {
  try {
    return DateTimePattern.of(pattern, true);
  } catch (e) {
    if (!(e instanceof PatternError)) throw e;
    throw new DefinitionError('INVALID_READER_OPTION', `${option} "${pattern}" is not a Spark datetime pattern: ${e.message}`, { option, value: pattern }, { hint: 'use Spark datetime pattern letters, e.g. yyyy-MM-dd or dd/MM/yyyy HH:mm:ss' });
  }
}
