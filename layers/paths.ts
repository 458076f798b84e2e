/** Where the reference data that ships with the project lives (`data/`), from source or from `dist/`. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's `data/` folder: the first `data/` found walking up from this module. */
export function projectDataDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = path.join(dir, 'data');
    if (fs.existsSync(path.join(candidate, 'diagnosis_mapping.csv'))) return candidate;
    dir = path.dirname(dir);
  }
  return path.resolve('data');
}
