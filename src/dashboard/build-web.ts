/**
 * Builds the dashboard page (run by `npm run build`): bundles
 * `src/dashboard/web/main.ts` and its libraries (Preact, htm, Observable Plot,
 * dagre) from node_modules with esbuild into one script, and copies the HTML
 * and CSS, into `dist/src/dashboard/web/`, which the server serves. Nothing is
 * fetched at run time.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/src/dashboard
const root = path.resolve(here, '..', '..', '..');
const src = path.join(root, 'src', 'dashboard', 'web');
const out = path.join(here, 'web');

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
await build({
  entryPoints: [path.join(src, 'main.ts')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome110', 'firefox110', 'safari16'],
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  outfile: path.join(out, 'app.js'),
  logLevel: 'warning',
});
for (const f of ['index.html', 'style.css', 'favicon.svg']) fs.copyFileSync(path.join(src, f), path.join(out, f));
