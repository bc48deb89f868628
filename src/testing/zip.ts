import { spawnSync, execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Zip archives in ../shared (the OTRF Windows datasets) are read in place: extracted with the
 * system's `unzip` into a temporary directory. Node has no zip reader and packettrail takes no
 * dependency for test data alone; tests skip with a message when `unzip` is missing.
 */
let available: boolean | undefined;

export function needsUnzip(): string | false {
  available ??= spawnSync('unzip', ['-v'], { stdio: 'ignore' }).status === 0;
  return available ? false : 'needs the unzip command to read the zipped test data (apt-get install unzip); skipped';
}

/** Extracts `zip` into `dir` (macOS resource forks left out) and returns the files it held, sorted. */
export function extractZip(zip: string, dir: string): string[] {
  execFileSync('unzip', ['-o', '-q', zip, '-x', '__MACOSX/*', '-d', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.isFile()) out.push(join(d, e.name));
    }
  };
  walk(dir);
  return out.sort();
}
