import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadIntel, IntelLoadError } from './load.js';
import { parseStixPattern } from './stix-pattern.js';
import type { IntelIndex } from './intel-index.js';
import { tempDir } from '../../testing/tmp.js';

const dir = tempDir('packettrail-intel-test-');
function file(name: string, content: string | object): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}
function all(index: IntelIndex): string[] {
  const out: string[] = [];
  for (let i = 0; i < index.size; i++) {
    const info = index.info(i);
    out.push(`${info.type} ${info.value}${info.confidence !== undefined ? ` c${info.confidence}` : ''}${info.reference ? ` ${info.reference}` : ''}`);
  }
  return out;
}

test('STIX patterns: OR-ed comparisons and IN lists are indexable; the rest has a reason', () => {
  assert.deepEqual(parseStixPattern("[ipv4-addr:value = '198.51.100.1' OR ipv4-addr:value = '203.0.113.0/24']"), {
    terms: [{ path: 'ipv4-addr:value', value: '198.51.100.1' }, { path: 'ipv4-addr:value', value: '203.0.113.0/24' }],
  });
  assert.deepEqual(parseStixPattern("[domain-name:value IN ('a.example', 'b.example')] OR [url:value = 'http://x.example/it\\'s']"), {
    terms: [{ path: 'domain-name:value', value: 'a.example' }, { path: 'domain-name:value', value: 'b.example' }, { path: 'url:value', value: "http://x.example/it's" }],
  });
  assert.deepEqual(parseStixPattern("[file:hashes.'SHA-256' = 'ab' AND file:hashes.MD5 = 'cd']"), {
    terms: [{ path: 'file:hashes.SHA-256', value: 'ab' }, { path: 'file:hashes.MD5', value: 'cd' }],
  });
  assert.deepEqual(parseStixPattern("[ipv4-addr:value ISSUBSET '10.0.0.0/8']"), { terms: [{ path: 'ipv4-addr:value', value: '10.0.0.0/8' }] });
  const reasons = [
    ["[ipv4-addr:value = '1.2.3.4'] AND [domain-name:value = 'x.example']", 'AND across objects'],
    ["[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [domain-name:value = 'x.example']", 'FOLLOWEDBY'],
    ["[ipv4-addr:value = '1.2.3.4'] WITHIN 300 SECONDS", 'qualifier WITHIN'],
    ["[ipv4-addr:value = '1.2.3.4'] REPEATS 5 TIMES", 'qualifier REPEATS'],
    ["[ipv4-addr:value != '1.2.3.4']", 'negated comparison'],
    ["[url:value LIKE 'http://%.example/']", 'operator LIKE'],
    ["[network-traffic:dst_port = 443 AND ipv4-addr:value = '1.2.3.4']", 'non-string literal \'443\''],
    ["[file:name = 'x.exe' AND file:hashes.MD5 = 'cd']", 'AND of different facts within an observation'],
  ];
  for (const [p, reason] of reasons) assert.deepEqual(parseStixPattern(p!), { unsupported: reason }, p);
  for (const bad of ["[ipv4-addr:value = '1.2.3.4'", "ipv4-addr:value = '1'", "[ipv4-addr:value = 'unterminated]", "[value = '1']", '[]', "[ipv4-addr:value ~ '1']"]) {
    assert.throws(() => parseStixPattern(bad), Error, bad);
  }
});

test('STIX bundle loader: indicators indexed with id and confidence, the rest counted by reason', () => {
  const path = file('bundle.json', {
    type: 'bundle',
    id: 'bundle--1',
    objects: [
      { type: 'identity', id: 'identity--1', name: 'feed author' },
      { type: 'indicator', id: 'indicator--a', pattern_type: 'stix', confidence: 80, pattern: "[ipv4-addr:value = '198.51.100.1' OR ipv6-addr:value = '2001:db8::/32']" },
      { type: 'indicator', id: 'indicator--b', pattern_type: 'stix', pattern: "[domain-name:value = 'Evil.Example'] OR [url:value = 'HTTP://x.example:80/a']" },
      { type: 'indicator', id: 'indicator--c', pattern_type: 'stix', pattern: "[file:hashes.'SHA-256' = 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855' OR file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e' OR file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']" },
      { type: 'indicator', id: 'indicator--d', pattern_type: 'stix', pattern: "[ipv4-addr:value = '1.2.3.4'] AND [domain-name:value = 'x.example']" },
      { type: 'indicator', id: 'indicator--e', pattern_type: 'snort', pattern: 'alert tcp any any' },
      { type: 'indicator', id: 'indicator--f', pattern_type: 'stix', pattern: "[ipv4-addr:value = 'not-an-ip']" },
      { type: 'indicator', id: 'indicator--g', pattern_type: 'stix', pattern: "[email-addr:value = 'a@b.example']" },
      { type: 'indicator', id: 'indicator--h', pattern_type: 'stix', pattern: "[ipv4-addr:value = '1.2.3.4'" },
      { type: 'indicator', id: 'indicator--i', pattern_type: 'stix', revoked: true, pattern: "[ipv4-addr:value = '9.9.9.9']" },
    ],
  });
  const index = loadIntel([path]);
  assert.deepEqual(all(index), [
    'ipv4 198.51.100.1 c80 indicator--a',
    'ipv6 2001:db8::/32 c80 indicator--a',
    'domain evil.example indicator--b',
    'url http://x.example/a indicator--b',
    'sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 indicator--c',
    'md5 d41d8cd98f00b204e9800998ecf8427e indicator--c',
    'sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709 indicator--c',
  ]);
  assert.deepEqual(index.feeds[0]!.skipped, {
    'AND across objects': 1,
    'pattern_type snort': 1,
    'value is not a valid ipv4-addr:value': 1,
    'object path email-addr:value': 1,
    'malformed pattern': 1,
    'revoked indicator': 1,
  });
  assert.equal(index.feeds[0]!.format, 'stix');
});

test('MISP export loader: attributes and object attributes, composite types, to_ids', () => {
  const path = file('misp.json', {
    response: [
      {
        Event: {
          id: '1234',
          info: 'campaign',
          Tag: [{ name: 'estimative-language:confidence-in-analytic-judgment="moderate"' }],
          Attribute: [
            { type: 'ip-dst', value: '198.51.100.7', to_ids: true },
            { type: 'ip-src|port', value: '203.0.113.9|8443', to_ids: true },
            { type: 'domain', value: 'evil.example', to_ids: true, Tag: [{ name: 'estimative-language:confidence-in-analytic-judgment="high"' }] },
            { type: 'hostname', value: 'c2.bad.example', to_ids: false },
            { type: 'url', value: 'https://evil.example/gate.php', to_ids: true },
            { type: 'domain|ip', value: 'dual.example|192.0.2.5', to_ids: true },
            { type: 'comment', value: 'free text', to_ids: false },
            { type: 'text', value: 'free text', to_ids: true },
            { type: 'md5', value: 'zzz', to_ids: true },
            { type: 'ip-dst', value: '198.51.100.99', to_ids: true, deleted: true },
          ],
          Object: [{ name: 'file', Attribute: [{ type: 'filename|sha256', value: 'x.exe|e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', to_ids: true }, { type: 'sha1', value: 'da39a3ee5e6b4b0d3255bfef95601890afd80709', to_ids: true }] }],
        },
      },
    ],
  });
  const index = loadIntel([path]);
  assert.deepEqual(all(index), [
    'ipv4 198.51.100.7 c50 1234',
    'ipv4 203.0.113.9 c50 1234',
    'domain evil.example c85 1234',
    'url https://evil.example/gate.php c50 1234',
    'domain dual.example c50 1234',
    'ipv4 192.0.2.5 c50 1234',
    'sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 c50 1234',
    'sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709 c50 1234',
  ]);
  assert.deepEqual(index.feeds[0]!.skipped, { 'to_ids is false': 2, 'attribute type text': 1, 'value is not a valid md5': 1 });
  // A bare {Event} document works too.
  assert.equal(loadIntel([file('event.json', { Event: { id: 7, Attribute: [{ type: 'ip-src', value: '10.0.0.0/8', to_ids: true }] } })]).size, 1);
});

test('CSV with a header, plain lists, and counted bad rows', () => {
  const csv = file('feed.csv', 'Indicator_Type,Value,Confidence,ID\r\nip,198.51.100.1,90,r1\ndomain,"evil.example",high,r2\nurl,"http://x.example/a,b",,\nsha256,nothex,50,\nbogus,1.2.3.4,,\nip,"unterminated,1,\n');
  const index = loadIntel([csv]);
  assert.deepEqual(all(index), ['ipv4 198.51.100.1 c90 r1', 'domain evil.example c85 r2', 'url http://x.example/a,b']);
  assert.deepEqual(index.feeds[0]!.skipped, { 'value is not a valid sha256': 1, 'type bogus': 1, 'unterminated quote': 1 });

  const plain = file('list.txt', '# comment\n\n198.51.100.1\n2001:db8::/48  # a range\nevil.example\nhttp://x.example/\nd41d8cd98f00b204e9800998ecf8427e\nnot an indicator\n');
  const p = loadIntel([plain]);
  assert.deepEqual(all(p), ['ipv4 198.51.100.1', 'ipv6 2001:db8::/48', 'domain evil.example', 'url http://x.example/', 'md5 d41d8cd98f00b204e9800998ecf8427e']);
  assert.deepEqual(p.feeds[0]!.skipped, { 'not an IP, CIDR, domain, URL or hash': 1 });
  assert.match(p.feeds[0]!.examples[0]!, /line 8: not/);

  // Tab-separated, value column only.
  assert.equal(loadIntel([file('tsv.tsv', 'value\tnote\n198.51.100.1\tx\n')]).size, 1);
});

test('unusable feed files fail with one clear error naming the file, never a crash', () => {
  const cases: [string, string | object, RegExp][] = [
    ['broken.json', '{"type": "bundle", "objects": [', /broken\.json: not valid JSON/],
    ['other.json', { hello: 'world' }, /neither a STIX 2\.1 bundle .* nor a MISP event export/],
    ['nobundle.json', { type: 'bundle', id: 'bundle--x' }, /STIX bundle has no objects array/],
    ['binary.csv', 'a\u0000b', /binary data/],
    ['header.csv', 'type,confidence\nip,50\n', /CSV header 'type,confidence' has no value column/],
  ];
  for (const [name, content, re] of cases) assert.throws(() => loadIntel([file(name, content)]), (e: Error) => e instanceof IntelLoadError && re.test(e.message), name);
  assert.throws(() => loadIntel([join(dir, 'missing.csv')]), /missing\.csv: cannot read: ENOENT/);
  // Odd but valid JSON inside a bundle is skipped, not fatal.
  const odd = loadIntel([file('odd.json', { type: 'bundle', objects: [null, 3, { type: 'indicator' }, { type: 'indicator', pattern: 42 }] })]);
  assert.deepEqual(odd.feeds[0]!.skipped, { 'indicator without a pattern': 2 });
});

test('two feeds with the same file name get distinct names', () => {
  const sub = mkdtempSync(join(dir, 'sub-'));
  writeFileSync(join(sub, 'feed.csv'), '198.51.100.1\n');
  const index = loadIntel([file('feed.csv', '198.51.100.1\n'), join(sub, 'feed.csv')]);
  assert.deepEqual(index.feeds.map((f) => f.name), ['feed.csv', 'feed.csv#2']);
  assert.equal(index.size, 2);
});
