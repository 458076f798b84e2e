/**
 * File discovery for file sources: glob matching (one folder, no recursion),
 * byte-wise name order, and the names that are never read (hidden and
 * temporary files). A small file-system interface lets the testing API feed
 * in-memory files through exactly the same code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface FileEntry {
  /** Path relative to the input root (the file's identity). */
  name: string;
  size: number;
  mtimeMs: number;
}

export interface SourceFileSystem {
  /** The regular files directly in `root`. */
  list(root: string): FileEntry[];
  /** The names of the entries directly in `root`, without stats (cheaper than `list`; may include folders, which `stat` refuses). */
  names?(root: string): string[];
  read(root: string, name: string): Buffer;
  stat(root: string, name: string): FileEntry | null;
  /** `names` on libuv's threads: a restart lists the folder while its state loads. */
  namesAsync?(root: string): Promise<string[]>;
  /** A token that changes when entries are added to or removed from `root` (its modification and change times). */
  version?(root: string): string;
}

/** The real file system. A missing root lists as empty. */
export const nodeFileSystem: SourceFileSystem = {
  names(root) {
    // plain names (no Dirent per entry): a folder of a month of files lists in a few ms; a name that is
    // not a regular file is dropped by the stat every new name gets
    try {
      return fs.readdirSync(root);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  },
  list(root) {
    let names: fs.Dirent[];
    try { names = fs.readdirSync(root, { withFileTypes: true }); } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: FileEntry[] = [];
    for (const d of names) {
      if (!d.isFile() && !d.isSymbolicLink()) continue;
      const st = this.stat(root, d.name);
      if (st) out.push(st);
    }
    return out;
  },
  read(root, name) {
    return fs.readFileSync(path.join(root, name));
  },
  stat(root, name) {
    try {
      const st = fs.statSync(path.join(root, name));
      if (!st.isFile()) return null;
      return { name, size: st.size, mtimeMs: Math.floor(st.mtimeMs) };
    } catch {
      return null;
    }
  },
  version(root) {
    try {
      const st = fs.statSync(root, { bigint: true });
      return `${st.mtimeNs}:${st.ctimeNs}:${st.ino}`;
    } catch {
      return 'none';
    }
  },
  async namesAsync(root) {
    try {
      return await fs.promises.readdir(root);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  },
};

/** In-memory files for tests: `{ 'a.csv': 'x,y\n1,2\n' }`. */
export function memoryFileSystem(files: Record<string, string | Buffer>): SourceFileSystem {
  const entries = new Map(Object.entries(files).map(([n, c]) => [n, Buffer.isBuffer(c) ? c : Buffer.from(c, 'utf8')]));
  return {
    list: () => [...entries].map(([name, b]) => ({ name, size: b.length, mtimeMs: 0 })),
    read: (_root, name) => {
      const b = entries.get(name);
      if (!b) throw Object.assign(new Error(`ENOENT: ${name}`), { code: 'ENOENT' });
      return b;
    },
    stat: (_root, name) => { const b = entries.get(name); return b ? { name, size: b.length, mtimeMs: 0 } : null; },
  };
}

/** Names a file source never reads: hidden (`.x`), `*.tmp`, `*.partial`. */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || name.endsWith('.tmp') || name.endsWith('.partial') || name.endsWith('~');
}

/** A glob of one path segment (`*`, `?`, `[abc]`, `[!abc]`, `{a,b}`) as a RegExp. */
export function globToRegExp(glob: string): RegExp {
  let re = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) { re += '\\['; continue; }
      let body = glob.slice(i + 1, end);
      if (body.startsWith('!')) body = '^' + body.slice(1);
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '{') {
      const end = glob.indexOf('}', i + 1);
      if (end < 0) { re += '\\{'; continue; }
      re += `(?:${glob.slice(i + 1, end).split(',').map(escapeRe).join('|')})`;
      i = end;
    } else re += escapeRe(c);
  }
  return new RegExp(re + '$');
}

function escapeRe(s: string): string {
  return s.replace(/[.+^${}()|[\]\\*?]/g, '\\$&');
}

/** Byte-wise comparison of names (UTF-8), so `_10` sorts before `_2`. */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Whether a glob names one file (no wildcard). */
export function isLiteralGlob(glob: string): boolean {
  return !/[*?[\]{}]/.test(glob);
}

/**
 * The files of `root` matching `glob`, in byte order of their names. Only the
 * matching names are stat'ed (a folder that collected a month of other files
 * costs a listing of names), and a glob without wildcards stats its one file.
 */
export function matchFiles(fsys: SourceFileSystem, root: string, glob: string): FileEntry[] {
  if (isLiteralGlob(glob) && !isIgnoredName(glob)) {
    const f = fsys.stat(root, glob);
    return f ? [f] : [];
  }
  const re = globToRegExp(glob);
  if (!fsys.names) return fsys.list(root).filter((f) => !isIgnoredName(f.name) && re.test(f.name)).sort((a, b) => compareNames(a.name, b.name));
  const out: FileEntry[] = [];
  for (const name of fsys.names(root)) {
    if (isIgnoredName(name) || !re.test(name)) continue;
    const f = fsys.stat(root, name);
    if (f) out.push(f);
  }
  return out.sort((a, b) => compareNames(a.name, b.name));
}

/**
 * The matching files not in `known`, with their stats; the known ones are not
 * stat'ed (a listing that stays cheap however many files were processed).
 * Null when the file system cannot list names alone.
 */
export function matchNewFiles(fsys: SourceFileSystem, root: string, glob: string, known: { has(name: string): boolean }): FileEntry[] | null {
  if (!fsys.names) return null;
  const re = globToRegExp(glob);
  const out: FileEntry[] = [];
  for (const name of fsys.names(root)) {
    if (known.has(name) || isIgnoredName(name) || !re.test(name)) continue;
    const st = fsys.stat(root, name);
    if (st) out.push(st);
  }
  return out.sort((a, b) => compareNames(a.name, b.name));
}
