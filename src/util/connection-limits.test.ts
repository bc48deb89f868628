import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressGroup } from './connection-limits.js';

test('connections are counted per IPv4 address (also IPv4-mapped) and per IPv6 /64', () => {
  assert.equal(addressGroup('10.0.0.5'), '10.0.0.5');
  assert.equal(addressGroup('::ffff:10.0.0.5'), '10.0.0.5');
  assert.equal(addressGroup('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(addressGroup('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
  assert.equal(addressGroup('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(addressGroup('::1'), '0:0:0:0::/64');
  assert.equal(addressGroup('fe80::1%eth0'), 'fe80:0:0:0::/64');
  assert.equal(addressGroup(undefined), 'unknown');
});
