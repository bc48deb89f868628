import { closeSync, openSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Why a file the collector appends to (the dead-letter file) cannot be written, or undefined when
 * it can: found by doing it (opening the file for appending, or creating and removing it when it
 * does not exist yet), so permissions, read-only file systems and missing directories all show,
 * whoever runs the check (root passes permission bits, not a read-only mount).
 */
export function whyNotWritable(path: string): string | undefined {
  let exists = true;
  try {
    const st = statSync(path);
    if (st.isDirectory()) return `${path} is a directory`;
    if (!st.isFile()) return `${path} is not a regular file`;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return `${path}: ${(e as Error).message}`;
    exists = false;
  }
  if (!exists) {
    const dir = dirname(path);
    try {
      if (!statSync(dir).isDirectory()) return `${dir} is not a directory`;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ENOENT' ? `the directory ${dir} does not exist` : `${dir}: ${(e as Error).message}`;
    }
  }
  try {
    // 'a' opens an existing file without touching it; 'wx' creates a missing one, removed again below.
    closeSync(openSync(path, exists ? 'a' : 'wx'));
    if (!exists) unlinkSync(path);
  } catch (e) {
    return `${path}: ${(e as Error).message}`;
  }
  return undefined;
}
