import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLICKHOUSE_SERVER } from './clickhouse.js';

/**
 * A cache of test fixtures shared by every test process of a run (and by later runs of the same
 * build): the first suite that needs a fixture builds it once under a lock, the others wait and
 * then read it. Suites never write into the cache: they copy what they need into their own temp
 * directory (see src/testing/engine-scenario.ts), so one suite's writes never reach another.
 */
export const FIXTURE_CACHE_ROOT = join(tmpdir(), 'packettrail-fixture-cache');
/** How long a suite waits for another process's build of the same fixture before failing. */
const BUILD_WAIT_MS = 30 * 60_000;
/** How often a waiting suite looks whether the build is done. */
const POLL_MS = 500;
/** A lock without an owner pid yet is a build starting, not a stale one, for this long. */
const LOCK_OWNERLESS_GRACE_MS = 10_000;
/** Cached fixtures (other builds) unused for this long are removed when a new one is built. */
const EVICT_UNUSED_MS = 6 * 3600_000;
/** Written last, inside the entry: its presence is what "complete" means. */
const MANIFEST = 'complete.json';

const DIST = fileURLToPath(new URL('..', import.meta.url));
const REPO = join(DIST, '..');

let identity: string | undefined;

function hashTree(hash: ReturnType<typeof createHash>, dir: string, keep: (name: string) => boolean): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) hashTree(hash, path, keep);
    else if (keep(entry.name)) hash.update(`${path}\0`).update(readFileSync(path));
  }
}

/**
 * What a cached fixture was built with: the compiled code (dist, without tests and the console),
 * the rules, Node's version, DuckDB's package and the ClickHouse server binary. Any change → a new
 * key, so a stale fixture is never read.
 */
export function buildIdentity(): string {
  if (identity) return identity;
  const hash = createHash('sha256');
  for (const sub of readdirSync(DIST)) {
    if (sub === 'console') continue;
    const path = join(DIST, sub);
    if (statSync(path).isDirectory()) hashTree(hash, path, (n) => n.endsWith('.js') && !n.endsWith('.test.js'));
  }
  if (existsSync(join(REPO, 'rules'))) hashTree(hash, join(REPO, 'rules'), () => true);
  const duckdb = join(REPO, 'node_modules/@duckdb/node-api/package.json');
  if (existsSync(duckdb)) hash.update(readFileSync(duckdb));
  const server = existsSync(CLICKHOUSE_SERVER) ? statSync(CLICKHOUSE_SERVER) : undefined;
  hash.update(`${process.version}\0${server ? `${server.size}:${server.mtimeMs}` : 'no clickhouse'}`);
  identity = hash.digest('hex').slice(0, 16);
  return identity;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock (a file created exclusively, holding the owner's pid); false when another holds it. */
function tryLock(lock: string): boolean {
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/** A lock whose owner died (killed mid-build): the next suite removes it and builds again. */
function staleLock(lock: string): boolean {
  try {
    const pid = Number(readFileSync(lock, 'utf8'));
    if (pid > 0) return !alive(pid);
    return Date.now() - statSync(lock).mtimeMs > LOCK_OWNERLESS_GRACE_MS;
  } catch {
    return false; // released meanwhile
  }
}

/** Removes other fixtures nobody used for EVICT_UNUSED_MS, and partial builds whose builder died. */
function evict(keep: string): void {
  for (const name of readdirSync(FIXTURE_CACHE_ROOT)) {
    const path = join(FIXTURE_CACHE_ROOT, name);
    const partial = /\.partial-(\d+)$/.exec(name);
    try {
      if (partial) {
        if (!alive(Number(partial[1]))) rmSync(path, { recursive: true, force: true });
      } else if (name !== keep && !name.endsWith('.lock') && Date.now() - statSync(path).mtimeMs > EVICT_UNUSED_MS) {
        rmSync(path, { recursive: true, force: true });
      }
    } catch {
      /* another process removed it */
    }
  }
}

/** Where the fixture `name` built from `parts` is kept (complete when it holds complete.json). */
export function fixtureDir(name: string, parts: unknown): string {
  return join(FIXTURE_CACHE_ROOT, `${name}-${createHash('sha256').update(JSON.stringify({ parts, build: buildIdentity() })).digest('hex').slice(0, 16)}`);
}

/**
 * The directory of the fixture `name` built from `parts` (any JSON) by `build`, built at most once
 * per build identity across processes. The directory is read-only for callers: copy what you use.
 */
export async function sharedFixture(name: string, parts: unknown, build: (dir: string) => Promise<void>): Promise<string> {
  mkdirSync(FIXTURE_CACHE_ROOT, { recursive: true });
  const ready = fixtureDir(name, parts);
  const key = basename(ready);
  const lock = `${ready}.lock`;
  const deadline = Date.now() + BUILD_WAIT_MS;
  for (;;) {
    if (existsSync(join(ready, MANIFEST))) {
      const now = new Date();
      utimesSync(ready, now, now); // in use: not evicted
      return ready;
    }
    if (tryLock(lock)) {
      const partial = `${ready}.partial-${process.pid}`;
      try {
        if (existsSync(join(ready, MANIFEST))) continue; // built between the check and the lock
        rmSync(ready, { recursive: true, force: true }); // no manifest: a build that never completed
        rmSync(partial, { recursive: true, force: true });
        mkdirSync(partial);
        await build(partial);
        writeFileSync(join(partial, MANIFEST), JSON.stringify({ name, parts, builtAt: new Date().toISOString(), pid: process.pid }));
        try {
          renameSync(partial, ready);
        } catch (e) {
          // Only after a stale lock was taken over twice at once: the other build won; read it.
          if (!existsSync(join(ready, MANIFEST))) throw e;
        }
        evict(key);
        return ready;
      } finally {
        rmSync(partial, { recursive: true, force: true });
        rmSync(lock, { force: true });
      }
    }
    if (staleLock(lock)) {
      rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`fixture ${name}: another process has been building ${ready} for more than ${BUILD_WAIT_MS} ms (lock ${lock})`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
