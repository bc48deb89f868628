import { stat, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { glob } from 'tinyglobby';

export interface InputFile {
  /** `-` means standard input. */
  path: string;
  /** Size on disk (compressed size for .gz), 0 for stdin. */
  size: number;
}

export interface ExpandedInputs {
  files: InputFile[];
  /** Arguments that matched nothing, with the reason. */
  missing: { arg: string; reason: string }[];
}

const GLOB_CHARS = /[*?[\]{}]/;

/**
 * Expands command-line inputs: `-` (stdin), files, directories (recursively, sorted, hidden files
 * skipped) and glob patterns. Nothing that matches nothing is silently ignored: it is reported.
 * Relative inputs are found from `cwd` (another process's working directory, when a running
 * packettrail reads them for a command) and keep the spelling they were given.
 */
export async function expandInputs(args: readonly string[], cwd?: string): Promise<ExpandedInputs> {
  const at = (p: string) => (cwd === undefined ? p : resolve(cwd, p));
  const files: InputFile[] = [];
  const missing: ExpandedInputs['missing'] = [];
  const seen = new Set<string>();
  const add = (path: string, size: number) => {
    if (!seen.has(path)) {
      seen.add(path);
      files.push({ path, size });
    }
  };
  for (const arg of args) {
    if (arg === '-') {
      add('-', 0);
      continue;
    }
    const st = await stat(at(arg)).catch(() => undefined);
    if (st?.isFile()) add(arg, st.size);
    else if (st?.isDirectory()) {
      const found = await walk(arg, at);
      if (!found.length) missing.push({ arg, reason: 'directory holds no files' });
      for (const f of found) add(f.path, f.size);
    } else if (GLOB_CHARS.test(arg)) {
      const matches = (await glob(arg, { onlyFiles: true, dot: false, ...(cwd === undefined ? {} : { cwd }) })).sort();
      if (!matches.length) missing.push({ arg, reason: 'pattern matches no file' });
      for (const m of matches) {
        const s = await stat(at(m)).catch(() => undefined);
        if (s?.isFile()) add(m, s.size);
      }
    } else missing.push({ arg, reason: st ? 'not a regular file or directory' : 'no such file or directory' });
  }
  return { files, missing };
}

async function walk(dir: string, at: (p: string) => string): Promise<InputFile[]> {
  const out: InputFile[] = [];
  const entries = (await readdir(at(dir), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p, at)));
    else if (e.isFile()) out.push({ path: p, size: (await stat(at(p))).size });
  }
  return out;
}
