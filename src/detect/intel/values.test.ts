import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify, ipv4ToInt, ipv6Hex, ipv6PrefixKey, normalizeUrl } from './values.js';

test('classify infers the type of a bare value', () => {
  assert.deepEqual(classify('203.0.113.7'), { type: 'ipv4', value: '203.0.113.7', prefix: 32 });
  assert.deepEqual(classify('203.0.113.77/24'), { type: 'ipv4', value: '203.0.113.0', prefix: 24 });
  assert.deepEqual(classify('2001:DB8:0:0::1'), { type: 'ipv6', value: '2001:db8::1', prefix: 128 });
  assert.deepEqual(classify('2001:db8::/32'), { type: 'ipv6', value: '2001:db8::', prefix: 32 });
  assert.deepEqual(classify('Evil.Example.'), { type: 'domain', value: 'evil.example' });
  assert.deepEqual(classify('*.evil.example'), { type: 'domain', value: 'evil.example' });
  assert.deepEqual(classify('evil[.]example'), { type: 'domain', value: 'evil.example' });
  assert.deepEqual(classify('hxxp://evil[.]example/x'), { type: 'url', value: 'http://evil.example/x' });
  assert.equal(classify('D41D8CD98F00B204E9800998ECF8427E')?.type, 'md5');
  assert.equal(classify('da39a3ee5e6b4b0d3255bfef95601890afd80709')?.type, 'sha1');
  assert.equal(classify('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')?.type, 'sha256');
  assert.equal(classify('a'.repeat(128))?.type, 'sha512');
});

test('classify rejects junk and respects a type hint', () => {
  for (const v of ['', 'hello', '1.2.3', '300.1.1.1', '1.2.3.4/33', 'zz'.repeat(16), 'not a domain.com', '-']) assert.equal(classify(v), undefined, v);
  assert.equal(classify('1.2.3.4', 'domain'), undefined);
  assert.equal(classify('evil.example', 'ip'), undefined);
  assert.equal(classify('d41d8cd98f00b204e9800998ecf8427e', 'sha256'), undefined);
  assert.deepEqual(classify('evil.example/path', 'url'), { type: 'url', value: 'http://evil.example/path' });
  // An IPv4-mapped IPv6 range is an IPv4 range.
  assert.deepEqual(classify('::ffff:10.0.0.0/104'), { type: 'ipv4', value: '10.0.0.0', prefix: 8 });
});

test('normalizeUrl lower-cases scheme and host, drops default ports and fragments, keeps path case', () => {
  assert.equal(normalizeUrl('HTTPS://Evil.Example:443/Path/A?Q=1#frag'), 'https://evil.example/Path/A?Q=1');
  assert.equal(normalizeUrl('http://evil.example:80'), 'http://evil.example/');
  assert.equal(normalizeUrl('http://evil.example:8080/x'), 'http://evil.example:8080/x');
  assert.equal(normalizeUrl('http://evil.example?x=1'), 'http://evil.example/?x=1');
  assert.equal(normalizeUrl('https://user:pw@EVIL.example/'), 'https://user:pw@evil.example/');
  assert.equal(normalizeUrl('http://[2001:DB8::1]:80/'), 'http://[2001:db8::1]/');
  assert.equal(normalizeUrl('/relative/path'), undefined);
  assert.equal(normalizeUrl('http:///nohost'), undefined);
});

test('IP helpers', () => {
  assert.equal(ipv4ToInt('255.255.255.255'), 0xffffffff);
  assert.equal(ipv4ToInt('1.2.3.4'), 0x01020304);
  for (const bad of ['1.2.3', '1.2.3.4.5', '1..2.3', '256.1.1.1', 'a.b.c.d', '']) assert.equal(ipv4ToInt(bad), -1, bad);
  assert.equal(ipv6Hex('::1'), '0'.repeat(31) + '1');
  assert.equal(ipv6Hex('64:ff9b::1.2.3.4'), '0064ff9b000000000000000001020304');
  assert.equal(ipv6Hex('1:2:3'), undefined);
  assert.equal(ipv6Hex('1::2::3'), undefined);
  assert.equal(ipv6PrefixKey('20010db8ffff0000000000000000000f', 32), '20010db8');
  assert.equal(ipv6PrefixKey('20010db8ffff0000000000000000000f', 34), '20010db8c');
});
