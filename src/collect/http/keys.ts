import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { MIN_SECRET_LENGTH } from '../../util/secrets.js';
import type { ConfigReader } from '../config-reader.js';

/**
 * Shared secrets callers present (intake keys, the Firehose access key). Compared in constant time:
 * both sides are hashed first so lengths match and timingSafeEqual applies, and every key is compared
 * so the time does not tell which one (or how much of one) matched.
 */
export class AccessKeys {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  check(presented: string | undefined): boolean {
    const d = digest(presented ?? '');
    let ok = false;
    for (const k of this.digests) ok = timingSafeEqual(k, d) || ok;
    return ok && presented !== undefined && presented !== '';
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/**
 * `keys:` (a list) and/or `keys_file:` (one key per line, `#` comments) of an HTTP input; the
 * Firehose input names them `access_key` / `access_key_file`. At least
 * one key is required: an open intake would let anyone write events into the store.
 */
export function readKeys(r: ConfigReader, what: string, listKey = 'keys', fileKey = 'keys_file'): AccessKeys | undefined {
  const keys = [...r.strings(listKey)];
  const file = r.string(fileKey, { expected: 'a file with one key per line' });
  if (file !== undefined) {
    try {
      for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
        const k = line.trim();
        if (k && !k.startsWith('#')) keys.push(k);
      }
    } catch (e) {
      r.issue(fileKey, `cannot read ${file}: ${(e as Error).message}`);
      return undefined;
    }
  }
  const short = keys.find((k) => k.length < MIN_SECRET_LENGTH);
  if (short !== undefined) r.issue(file !== undefined ? fileKey : listKey, `${what} must be at least ${MIN_SECRET_LENGTH} characters long (one is ${short.length})`);
  if (!keys.length) r.issue(listKey, `required: ${what} (under ${listKey}, or ${fileKey}); requests without one are refused`);
  return keys.length && short === undefined ? new AccessKeys(keys) : undefined;
}
