import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadIntel } from './load.js';
import { IntelMatcher, intelRules } from './matcher.js';
import type { EcsEvent } from '../../ecs/event.js';
import { tempDir } from '../../testing/tmp.js';

const dir = tempDir('packettrail-intel-matcher-');
const feed = join(dir, 'bad.csv');
writeFileSync(
  feed,
  [
    'type,value,confidence',
    'ip,203.0.113.0/24,60',
    'ip,2001:db8:bad::/48,70',
    'domain,evil.example,90',
    'url,https://cdn.example/payload.bin,80',
    'sha256,e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855,',
    'md5,d41d8cd98f00b204e9800998ecf8427e,',
  ].join('\n'),
);
const index = loadIntel([feed]);
const matcher = new IntelMatcher(index);

function fields(e: EcsEvent): string[] {
  return matcher.match(e).map((m) => `${m.ruleId} ${(m.details!.matched as { field: string }).field} ${m.key!['threat.indicator.value']}`);
}

test('each checked ECS field matches; one indicator is reported once per event', () => {
  assert.deepEqual(fields({ source: { ip: '203.0.113.5' }, related: { ip: ['203.0.113.5', '198.51.100.1'] } }), ['intel:bad.csv source.ip 203.0.113.0/24']);
  assert.deepEqual(fields({ destination: { ip: '2001:db8:bad:1::1' } }), ['intel:bad.csv destination.ip 2001:db8:bad::/48']);
  assert.deepEqual(fields({ client: { ip: '203.0.113.9' } }), ['intel:bad.csv client.ip 203.0.113.0/24']);
  assert.deepEqual(fields({ source: { nat: { ip: '203.0.113.1' } } }), ['intel:bad.csv source.nat.ip 203.0.113.0/24']);
  assert.deepEqual(fields({ network: { forwarded_ip: '203.0.113.2' } }), ['intel:bad.csv network.forwarded_ip 203.0.113.0/24']);
  assert.deepEqual(fields({ dns: { question: { name: 'x.evil.example' }, resolved_ip: ['203.0.113.3'] } }), [
    'intel:bad.csv dns.resolved_ip 203.0.113.0/24',
    'intel:bad.csv dns.question.name evil.example',
  ]);
  assert.deepEqual(fields({ tls: { client: { server_name: 'EVIL.example' } } }), ['intel:bad.csv tls.client.server_name evil.example']);
  assert.deepEqual(fields({ url: { domain: 'notevil.example', full: 'HTTPS://CDN.example:443/payload.bin' } }), ['intel:bad.csv url.full https://cdn.example/payload.bin']);
  assert.deepEqual(fields({ file: { hash: { sha256: 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855' } } }), [
    'intel:bad.csv file.hash.sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  ]);
  assert.deepEqual(fields({ process: { hash: { md5: 'd41d8cd98f00b204e9800998ecf8427e' } } }), ['intel:bad.csv process.hash.md5 d41d8cd98f00b204e9800998ecf8427e']);
  assert.deepEqual(fields({ related: { hash: ['d41d8cd98f00b204e9800998ecf8427e'] } }), ['intel:bad.csv related.hash d41d8cd98f00b204e9800998ecf8427e']);
  assert.deepEqual(fields({ source: { ip: '198.51.100.1' }, url: { original: '/relative' }, destination: { domain: 42 } }), []);
});

test('a match names the indicator, its feed and confidence; the feed is a rule', () => {
  const [m] = matcher.match({ event: { id: 'e1' }, destination: { domain: 'a.evil.example' } });
  assert.deepEqual(m!.details, { indicator: { type: 'domain', value: 'evil.example', feed: 'bad.csv', confidence: 90 }, matched: { field: 'destination.domain', value: 'a.evil.example' } });
  assert.deepEqual(m!.key, { 'threat.indicator.type': 'domain', 'threat.indicator.value': 'evil.example' });
  const [rule] = intelRules(index);
  assert.equal(rule!.id, 'intel:bad.csv');
  assert.equal(rule!.kind, 'intel');
  assert.equal(rule!.path, feed);
});
