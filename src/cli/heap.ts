/**
 * The command line's V8 heap setting, applied before anything else loads.
 *
 * V8 doubles the young generation (where new objects go) while many of them
 * survive a collection, up to 2 × 16 MB. A replay keeps producing short-lived
 * objects in bursts, so it grew to the maximum and stayed there: 34 MB of the
 * main thread's heap, mostly empty. Held at its starting size (growth factor
 * 1), the 5M-row replay peaks ~25 MB lower and takes ~4% longer (README
 * "Performance"). A `--semi-space-…` option given to node (on its command line
 * or in NODE_OPTIONS) is left as it is.
 */
import { setV8Flags } from '../../engine/runtime/worker-share.js';

const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes('semi-space'));
// a worker thread's start resets the flag: each worker sets it again
if (!given) setV8Flags('--semi-space-growth-factor=1');
