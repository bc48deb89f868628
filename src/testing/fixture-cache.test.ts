import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { fixtureDir, sharedFixture } from './fixture-cache.js';

/** A fixture of its own per test (a fresh key), and how many times its build ran. */
function counted() {
  const parts = { test: randomUUID() };
  const builds = { n: 0 };
  const build = async (dir: string) => {
    builds.n++;
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(join(dir, 'value'), 'built');
  };
  return { parts, builds, build, dir: fixtureDir('cache-test', parts) };
}

test('a fixture asked for at once by several callers is built once, under the lock; later callers read it', async () => {
  const f = counted();
  try {
    const dirs = await Promise.all([1, 2, 3].map(() => sharedFixture('cache-test', f.parts, f.build)));
    assert.equal(f.builds.n, 1);
    assert.deepEqual(new Set(dirs), new Set([f.dir]));
    assert.equal(readFileSync(join(f.dir, 'value'), 'utf8'), 'built');
    await sharedFixture('cache-test', f.parts, f.build);
    assert.equal(f.builds.n, 1);
    assert.ok(!existsSync(`${f.dir}.lock`));
  } finally {
    rmSync(f.dir, { recursive: true, force: true });
  }
});

test('a lock left by a dead builder and a build that never completed are built again', async () => {
  const f = counted();
  try {
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim();
    mkdirSync(f.dir, { recursive: true });
    writeFileSync(join(f.dir, 'value'), 'half'); // no complete.json: not a fixture
    writeFileSync(`${f.dir}.lock`, dead);
    await sharedFixture('cache-test', f.parts, f.build);
    assert.equal(f.builds.n, 1);
    assert.equal(readFileSync(join(f.dir, 'value'), 'utf8'), 'built');
  } finally {
    rmSync(f.dir, { recursive: true, force: true });
  }
});

test('a build that fails leaves neither a fixture nor a lock', async () => {
  const f = counted();
  await assert.rejects(sharedFixture('cache-test', f.parts, async () => { throw new Error('boom'); }), /boom/);
  assert.ok(!existsSync(f.dir) && !existsSync(`${f.dir}.lock`));
  await sharedFixture('cache-test', f.parts, f.build);
  assert.equal(f.builds.n, 1);
  rmSync(f.dir, { recursive: true, force: true });
});
