import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalIp, ipInCidr, ipList, isPrivateIp, parseCidr } from './ip.js';

test('canonicalIp: IPv4 stays, IPv6 becomes RFC 5952', () => {
  assert.equal(canonicalIp('89.160.20.112'), '89.160.20.112');
  // The seed's example: a single zero group is not compressed, leading zeros go.
  assert.equal(canonicalIp('0000:111:222:3333:4444:5555:6666:7777'), '0:111:222:3333:4444:5555:6666:7777');
  assert.equal(canonicalIp('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
  assert.equal(canonicalIp('::ffff:192.0.2.7'), '192.0.2.7');
  assert.equal(canonicalIp('[2001:db8::1]'), '2001:db8::1');
  assert.equal(canonicalIp('fe80::1%eth0'), 'fe80::1');
});

test('canonicalIp: junk is not an IP', () => {
  for (const v of ['', '-', 'example.com', '256.1.1.1', '1.2.3', '1.2.3.4.5', 'gggg::1', undefined, null]) {
    assert.equal(canonicalIp(v as string), undefined, String(v));
  }
});

test('ipList splits X-Forwarded-For chains', () => {
  assert.deepEqual(ipList('203.0.113.9, 10.0.0.1,2001:db8::2'), ['203.0.113.9', '10.0.0.1', '2001:db8::2']);
  assert.deepEqual(ipList('-'), []);
  assert.deepEqual(ipList('unknown, 198.51.100.4'), ['198.51.100.4']);
});

test('private ranges and CIDR membership (IPv4 and IPv6)', () => {
  assert.equal(isPrivateIp('10.1.2.3'), true);
  assert.equal(isPrivateIp('169.254.169.254'), true);
  assert.equal(isPrivateIp('8.8.8.8'), false);
  assert.equal(ipInCidr('10.1.2.3', parseCidr('10.0.0.0/8')), true);
  assert.equal(ipInCidr('11.1.2.3', parseCidr('10.0.0.0/8')), false);
  assert.equal(ipInCidr('2001:db8:1::5', parseCidr('2001:db8::/32')), true);
  assert.equal(ipInCidr('2001:db9::5', parseCidr('2001:db8::/32')), false);
  assert.equal(ipInCidr('192.0.2.1', parseCidr('2001:db8::/32')), false);
});
