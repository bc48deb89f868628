import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeHost, splitDomain } from './domain.js';

test('splitDomain uses the public suffix list', () => {
  assert.deepEqual(splitDomain('dtest.cloudfront.net'), { domain: 'dtest.cloudfront.net', registered_domain: 'cloudfront.net', subdomain: 'dtest', top_level_domain: 'net' });
  assert.deepEqual(splitDomain('www.bbc.co.uk'), { domain: 'www.bbc.co.uk', registered_domain: 'bbc.co.uk', subdomain: 'www', top_level_domain: 'co.uk' });
  assert.deepEqual(splitDomain('App.Example.COM.'), { domain: 'app.example.com', registered_domain: 'example.com', subdomain: 'app', top_level_domain: 'com' });
  assert.deepEqual(splitDomain('example.com'), { domain: 'example.com', registered_domain: 'example.com', top_level_domain: 'com' });
  assert.equal(splitDomain('192.0.2.1'), undefined);
  assert.equal(splitDomain('-'), undefined);
});

test('normalizeHost lower-cases and drops the trailing dot', () => {
  assert.equal(normalizeHost('App.Example.com.'), 'app.example.com');
  assert.equal(normalizeHost('-'), undefined);
});
