/**
 * Loads every family of the function registry (each module registers its
 * table). Import this module, not the families, to use the registry.
 */
import './operators.js';
import './conditional.js';
import './string.js';
import './string-search.js';
import './string-codes.js';
import './string-regex.js';
import './datetime.js';
import './math.js';
import './collection.js';
import './map.js';
import './higher-order.js';
import './json.js';
import './input-file.js';

export { allFunctions, lookupFunction, functionNames, supportIn, spellingFor, FAMILIES } from './registry.js';
export type { ScalarFunction, Family } from './registry.js';
