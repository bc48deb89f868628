import { createHash } from 'node:crypto';
import { open, readFile, rename } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/**
 * Where a watched file was read up to, so a restarted collector goes on from there. A file is known
 * by device + inode (renames keep them), and the fingerprint of its first bytes tells a reused inode
 * (a new file) from the file that was read: then reading starts over at 0.
 */
export interface FileCheckpoint {
  path: string;
  dev: number;
  ino: number;
  /** Bytes delivered (always the end of a complete line). */
  offset: number;
  /** Lines delivered, so dead letters keep counting lines after a restart. */
  line: number;
  /** sha256 (hex) of the first `fingerprintBytes` bytes. */
  fingerprint: string;
  fingerprintBytes: number;
  /** Header lines seen in the file (`#Fields: …`), replayed in front of later deliveries. */
  header?: string[];
}

interface CheckpointFile {
  version: 1;
  files: FileCheckpoint[];
}

export const FINGERPRINT_BYTES = 1024;

export async function fingerprint(fh: FileHandle, size: number): Promise<{ fingerprint: string; fingerprintBytes: number }> {
  const n = Math.min(size, FINGERPRINT_BYTES);
  const buf = Buffer.alloc(n);
  let read = 0;
  while (read < n) {
    const { bytesRead } = await fh.read(buf, read, n - read, read);
    if (!bytesRead) break;
    read += bytesRead;
  }
  return { fingerprint: createHash('sha256').update(buf.subarray(0, read)).digest('hex'), fingerprintBytes: read };
}

export function identity(dev: number, ino: number): string {
  return `${dev}:${ino}`;
}

/** Reads the checkpoint file; a missing file is an empty checkpoint, a corrupt one an error naming it. */
export async function loadCheckpoints(path: string): Promise<Map<string, FileCheckpoint>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw new Error(`cannot read the tail checkpoint ${path}: ${(e as Error).message}`);
  }
  let parsed: CheckpointFile;
  try {
    parsed = JSON.parse(text) as CheckpointFile;
    if (parsed.version !== 1 || !Array.isArray(parsed.files)) throw new Error('expected {"version":1,"files":[…]}');
  } catch (e) {
    throw new Error(`tail checkpoint ${path} is not readable (${(e as Error).message}); move it away to start over`);
  }
  const out = new Map<string, FileCheckpoint>();
  for (const f of parsed.files) {
    if (typeof f.dev === 'number' && typeof f.ino === 'number' && typeof f.offset === 'number' && typeof f.fingerprint === 'string') out.set(identity(f.dev, f.ino), f);
  }
  return out;
}

/** Writes the checkpoint atomically: a temporary file renamed over the old one, so a crash leaves one or the other. */
export async function saveCheckpoints(path: string, files: Iterable<FileCheckpoint>): Promise<void> {
  const body: CheckpointFile = { version: 1, files: [...files] };
  const tmp = `${path}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(JSON.stringify(body, null, 1));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}
