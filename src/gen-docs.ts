/** Writes docs/functions.md from the function registry (`npm run docs`). */
import * as fs from 'node:fs';
import { functionReference } from '../engine/functions/docs.js';

const out = process.argv[2] ?? 'docs/functions.md';
fs.mkdirSync('docs', { recursive: true });
fs.writeFileSync(out, functionReference());
process.stderr.write(`wrote ${out}\n`);
