import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary directory (under `root`, by default the OS's), removed when the process exits. */
export function tempDir(prefix = 'packettrail-test-', root = tmpdir()): string {
  const dir = mkdtempSync(join(root, prefix));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
