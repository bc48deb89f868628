import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEncodedUserAgent, parseUserAgent } from './user-agent.js';

test('parses name, version, os and device', () => {
  const ua = parseUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36');
  assert.equal(ua.name, 'Chrome');
  assert.equal(ua.version, '78.0.3904.108');
  assert.deepEqual(ua.os, { name: 'Windows', version: '10', full: 'Windows 10' });
  assert.deepEqual(ua.device, { name: 'Other' });
});

test('decodes a percent-encoded user agent before parsing (Safari 17.1, not Other)', () => {
  const ua = parseEncodedUserAgent('Mozilla/5.0%20(Macintosh;%20Intel%20Mac%20OS%20X%2010_15_7)%20AppleWebKit/605.1.15%20(KHTML,%20like%20Gecko)%20Version/17.1%20Safari/605.1.15');
  assert.equal(ua.original, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15');
  assert.equal(ua.name, 'Safari');
  assert.equal(ua.version, '17.1');
  assert.equal((ua.os as { name: string }).name, 'Mac OS');
});

test('cached results are not shared mutable objects', () => {
  const a = parseUserAgent('curl/8.5.0');
  a.name = 'changed';
  assert.notEqual(parseUserAgent('curl/8.5.0').name, 'changed');
});
