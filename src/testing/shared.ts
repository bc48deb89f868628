import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/, two or more levels below it). */
export const REPO_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
})();

/** `../shared` beside the checkout (or $PACKETTRAIL_SHARED), or undefined when absent. */
export const SHARED_DIR: string | undefined = (() => {
  const dir = process.env.PACKETTRAIL_SHARED ?? resolve(REPO_ROOT, '..', 'shared');
  return existsSync(dir) ? dir : undefined;
})();

/** For `test(name, { skip: needsShared() }, …)`: a clear message when ../shared is not there. */
export function needsShared(): string | false {
  return SHARED_DIR ? false : 'needs ../shared beside the checkout (test data not shipped with packettrail); skipped';
}

export function sharedPath(...parts: string[]): string {
  if (!SHARED_DIR) throw new Error('../shared is not present');
  return join(SHARED_DIR, ...parts);
}
