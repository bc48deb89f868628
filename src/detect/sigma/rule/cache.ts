import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { builtinMappingsDir, type Mappings } from '../pipeline/mappings.js';
import { listRuleFiles } from './load.js';
import { plainRuleSet, revivedRuleSet } from './transfer.js';
import type { RuleSet } from './types.js';

/**
 * A cache of the loaded Sigma rule set, so `detect`/`ingest` start in well under a second on the
 * SigmaHQ corpus instead of parsing ~2,400 YAML files each time (5 CPU-s). One file per key; the key
 * is a SHA-256 over this cache's format, the packettrail and V8 versions, the placeholders, every
 * rule file's path and content hash, and the built-in mapping files (the routing decides which rules
 * reach parser threads). A changed, added or removed rule file is a different key: nothing is ever
 * served stale. What a hit skips: reading and parsing YAML, compiling the matcher up front on the
 * main thread (it is built per format on first use instead, as parser threads always do), and
 * encoding the rules for parser threads.
 *
 * Stored safely: a directory of its own (0700), files written to a temporary name (0600) and renamed;
 * read only when the file is a regular file owned by this user and writable by no one else, within
 * MAX_RULE_CACHE_BYTES, and its content digest and key match. Regular expressions are rebuilt
 * through the bounded RE2 compiler on load, exactly as the loader builds them. Any doubt: a miss.
 */
export const RULE_CACHE_ENV = 'PACKETTRAIL_RULE_CACHE';
/** Largest cache file read (the SigmaHQ corpus takes about 15 MB). */
export const MAX_RULE_CACHE_BYTES = 256 << 20;
/** Cache files kept (the newest); older ones are removed when a new one is written. */
export const MAX_RULE_CACHE_ENTRIES = 8;
const FORMAT = 'packettrail-rule-cache/1';
const MAGIC = Buffer.from('PTRULES1');
const FILE = /^rules-[0-9a-f]{64}\.bin$/;

/** What is cached besides the rule set: built once from the eager compile on a miss. */
export interface CachedExtras {
  /** The rules routed to some format, encoded for parser threads (encodeRules). */
  loaded: Uint8Array;
  /** Warnings of the eager compile (rules that cannot be compiled, unrouted count). */
  warnings: string[];
  /** The built-in mappings the rules were routed with (their files are part of the key). */
  mappings: Mappings;
}

export interface CacheHit extends CachedExtras {
  set: RuleSet;
}

/**
 * The cache directory: $PACKETTRAIL_RULE_CACHE (`off` turns the cache off), else
 * $XDG_CACHE_HOME/packettrail/rules, else ~/.cache/packettrail/rules.
 */
export function ruleCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const set = env[RULE_CACHE_ENV];
  if (set !== undefined && set !== '') return set === 'off' ? undefined : set;
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'packettrail', 'rules');
}

let version: string | undefined;
function packettrailVersion(): string {
  return (version ??= (createRequire(import.meta.url)('../../../../package.json') as { version: string }).version);
}

/** The cache key of loading `paths` with `placeholders` now. */
export function ruleCacheKey(paths: readonly string[], placeholders: Record<string, string[]> = {}): string {
  const h = createHash('sha256');
  const field = (s: string) => h.update(s).update('\0');
  field(FORMAT);
  field(packettrailVersion());
  field(process.versions.v8);
  field(JSON.stringify(placeholders));
  const { files, unreadable } = listRuleFiles(paths);
  for (const p of unreadable) field(`!${p}`);
  let mappings: string[] = [];
  try {
    mappings = readdirSync(builtinMappingsDir()).sort().map((f) => join(builtinMappingsDir(), f));
  } catch {
    /* no built-in mappings: nothing to hash */
  }
  // Each file's path, length and content, into the one hash (no per-file digest to compute).
  for (const f of [...files, ...mappings.map((m) => `mapping:${m}`)]) {
    const path = f.startsWith('mapping:') ? f.slice(8) : f;
    field(f);
    try {
      const content = readFileSync(path);
      field(String(content.length));
      h.update(content);
    } catch (e) {
      field(`unreadable: ${(e as NodeJS.ErrnoException).code ?? ''}`);
    }
  }
  return h.digest('hex');
}

/** Whether a path may be trusted: ours, not a symlink, writable by no one else. */
function trusted(path: string, dir: boolean): boolean {
  const st = lstatSync(path);
  if (dir ? !st.isDirectory() : !st.isFile()) return false;
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return false;
  return (st.mode & 0o022) === 0;
}

/** The cached rule set for `key`, or undefined (absent, untrusted, corrupt, from another key). */
export function readRuleCache(dir: string, key: string): CacheHit | undefined {
  const file = join(dir, `rules-${key}.bin`);
  let fd: number | undefined;
  try {
    if (!trusted(dir, true) || !trusted(file, false)) return undefined;
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    if (size > MAX_RULE_CACHE_BYTES || size < MAGIC.length + 32) return undefined;
    const buf = Buffer.allocUnsafe(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buf, read, size - read, read);
      if (n === 0) return undefined;
      read += n;
    }
    if (!buf.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
    const digest = buf.subarray(MAGIC.length, MAGIC.length + 32);
    const body = buf.subarray(MAGIC.length + 32);
    if (!createHash('sha256').update(body).digest().equals(digest)) return undefined;
    const doc = deserialize(body) as { key: string; set: RuleSet; loaded: Uint8Array; warnings: string[]; mappings: Mappings };
    if (doc.key !== key || !Array.isArray(doc.set?.rules) || !(doc.loaded instanceof Uint8Array) || !Array.isArray(doc.warnings) || !(doc.mappings?.fieldmaps instanceof Map)) return undefined;
    return { set: revivedRuleSet(doc.set), loaded: doc.loaded, warnings: doc.warnings, mappings: doc.mappings };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes the cache entry for `key`; returns why it could not be written, or undefined. */
export function writeRuleCache(dir: string, key: string, set: RuleSet, extras: CachedExtras): string | undefined {
  let tmp: string | undefined;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!trusted(dir, true)) return `${dir} is not a directory of this user's that only it can write`;
    const body = serialize({ key, set: plainRuleSet(set), loaded: extras.loaded, warnings: extras.warnings, mappings: extras.mappings });
    if (body.length + MAGIC.length + 32 > MAX_RULE_CACHE_BYTES) return `the rule set takes ${body.length} bytes, over MAX_RULE_CACHE_BYTES (${MAX_RULE_CACHE_BYTES})`;
    tmp = join(dir, `.tmp-${randomBytes(8).toString('hex')}`);
    writeFileSync(tmp, Buffer.concat([MAGIC, createHash('sha256').update(body).digest(), body]), { mode: 0o600, flag: 'wx' });
    renameSync(tmp, join(dir, `rules-${key}.bin`));
    tmp = undefined;
    prune(dir);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  } finally {
    if (tmp) {
      try {
        unlinkSync(tmp);
      } catch {
        /* already gone */
      }
    }
  }
}

/** Keeps the newest MAX_RULE_CACHE_ENTRIES cache files. */
function prune(dir: string): void {
  const entries = readdirSync(dir)
    .filter((f) => FILE.test(f))
    .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const e of entries.slice(MAX_RULE_CACHE_ENTRIES)) unlinkSync(join(dir, e.f));
}
