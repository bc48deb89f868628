import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../testing/tmp.js';
import { sigmaEngine } from '../engine.js';
import { MAX_RULE_CACHE_ENTRIES, readRuleCache, ruleCacheDir, ruleCacheKey, RULE_CACHE_ENV, writeRuleCache } from './cache.js';
import { loadRules } from './load.js';
import { defaultMappings } from '../compile/matcher.js';

const RULE = (id: string, value: string) => `title: Whoami ${id}
id: ${id}
level: medium
logsource: {category: process_creation, product: windows}
detection:
  sel:
    Image|endswith: '${value}'
    CommandLine|re: '(?i)/all\\b'
  condition: sel
`;
const UNROUTED = `title: Nowhere
id: 99999999-2222-3333-4444-555555555555
logsource: {product: no-such-product}
detection:
  sel: {a: b}
  condition: sel
`;

function ruleDir(): string {
  const dir = tempDir('pt-rule-cache-rules-');
  writeFileSync(join(dir, 'a.yml'), RULE('11111111-2222-3333-4444-555555555555', '\\whoami.exe'));
  writeFileSync(join(dir, 'b.yml'), UNROUTED);
  writeFileSync(join(dir, 'broken.yml'), 'title: [unclosed\n');
  return dir;
}

/** Runs the engine build with the cache in `cache` and returns what detection sees. */
function build(rules: string, cache: string) {
  const saved = process.env[RULE_CACHE_ENV];
  process.env[RULE_CACHE_ENV] = cache;
  try {
    const b = sigmaEngine.build([rules]);
    const event = {
      '@timestamp': '2026-01-01T00:00:00Z',
      event: { dataset: 'windows.event' },
      winlog: { event_id: 1, channel: 'Microsoft-Windows-Sysmon/Operational', event_data: { Image: 'C:\\Windows\\System32\\whoami.exe', CommandLine: 'whoami /ALL' } },
    };
    return { cache: b.cache, errors: b.errors, warnings: b.warnings, rules: b.rules.map((r) => r.meta), matches: b.matcher.match(event).map((m) => m.ruleId), loaded: Buffer.from(b.loaded!).toString('base64') };
  } finally {
    if (saved === undefined) delete process.env[RULE_CACHE_ENV];
    else process.env[RULE_CACHE_ENV] = saved;
  }
}

test('a cached rule set gives detection exactly what loading the files gives', () => {
  const rules = ruleDir();
  const cache = join(tempDir('pt-rule-cache-'), 'cache');
  const fresh = build(rules, 'off');
  assert.equal(fresh.cache, 'off');
  assert.deepEqual(fresh.matches, ['11111111-2222-3333-4444-555555555555']);
  assert.equal(fresh.errors.length, 1);
  const first = build(rules, cache);
  assert.equal(first.cache, 'written');
  const second = build(rules, cache);
  assert.equal(second.cache, 'hit');
  for (const r of [first, second]) assert.deepEqual({ ...r, cache: undefined }, { ...fresh, cache: undefined });
  // Private to this user.
  assert.equal(statSync(cache).mode & 0o777, 0o700);
  for (const f of readdirSync(cache)) assert.equal(statSync(join(cache, f)).mode & 0o777, 0o600);
});

test('a changed, added or removed rule file is a different key: never a stale rule set', () => {
  const rules = ruleDir();
  const cache = join(tempDir('pt-rule-cache-'), 'cache');
  assert.equal(build(rules, cache).cache, 'written');
  writeFileSync(join(rules, 'a.yml'), RULE('11111111-2222-3333-4444-555555555555', '\\other.exe'));
  const changed = build(rules, cache);
  assert.equal(changed.cache, 'written');
  assert.deepEqual(changed.matches, []);
  writeFileSync(join(rules, 'c.yml'), RULE('22222222-2222-3333-4444-555555555555', '\\whoami.exe'));
  const added = build(rules, cache);
  assert.equal(added.cache, 'written');
  assert.deepEqual(added.matches, ['22222222-2222-3333-4444-555555555555']);
  assert.equal(build(rules, cache).cache, 'hit');
});

test('a corrupt, foreign or writable-by-others cache file is not read', () => {
  const rules = ruleDir();
  const cache = join(tempDir('pt-rule-cache-'), 'cache');
  const set = loadRules([rules]);
  const key = ruleCacheKey([rules]);
  assert.equal(writeRuleCache(cache, key, set, { loaded: new Uint8Array([1, 2]), warnings: ['w'], mappings: defaultMappings() }), undefined);
  const file = join(cache, `rules-${key}.bin`);
  assert.ok(readRuleCache(cache, key));
  assert.equal(readRuleCache(cache, 'f'.repeat(64)), undefined, 'another key');
  const good = readFileSync(file);
  const flipped = Buffer.from(good);
  flipped[flipped.length - 5]! ^= 0xff;
  writeFileSync(file, flipped);
  assert.equal(readRuleCache(cache, key), undefined, 'digest mismatch');
  writeFileSync(file, good);
  chmodSync(file, 0o622);
  assert.equal(readRuleCache(cache, key), undefined, 'group/world-writable file');
  chmodSync(file, 0o600);
  chmodSync(cache, 0o777);
  assert.equal(readRuleCache(cache, key), undefined, 'group/world-writable directory');
  chmodSync(cache, 0o700);
  assert.ok(readRuleCache(cache, key));
  // Writing refuses a directory others can write, and says why.
  const open = join(tempDir('pt-rule-cache-'), 'open');
  mkdirSync(open, { mode: 0o777 });
  chmodSync(open, 0o777);
  assert.match(writeRuleCache(open, key, set, { loaded: new Uint8Array(), warnings: [], mappings: defaultMappings() }) ?? '', /only it can write/);
});

test('the cache keeps its newest entries only', () => {
  const cache = join(tempDir('pt-rule-cache-'), 'cache');
  const set = loadRules([ruleDir()]);
  for (let i = 0; i < MAX_RULE_CACHE_ENTRIES + 3; i++) assert.equal(writeRuleCache(cache, i.toString(16).padStart(64, '0'), set, { loaded: new Uint8Array(), warnings: [], mappings: defaultMappings() }), undefined);
  assert.equal(readdirSync(cache).length, MAX_RULE_CACHE_ENTRIES);
});

test('the cache directory: the variable, off, else the XDG cache', () => {
  assert.equal(ruleCacheDir({ [RULE_CACHE_ENV]: 'off' }), undefined);
  assert.equal(ruleCacheDir({ [RULE_CACHE_ENV]: '/x/y' }), '/x/y');
  assert.equal(ruleCacheDir({ XDG_CACHE_HOME: '/c' }), join('/c', 'packettrail', 'rules'));
});
