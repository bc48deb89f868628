import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventIdFor, slowEventId } from './event-id.js';
import { fillRelated } from './related.js';

test('event ids are deterministic per dataset and record', () => {
  const a = eventIdFor('aws.cloudfront', 'line one');
  assert.equal(a, eventIdFor('aws.cloudfront', 'line one'));
  assert.notEqual(a, eventIdFor('aws.cloudfront', 'line one '));
  assert.notEqual(a, eventIdFor('aws.waf', 'line one'));
  assert.match(a, /^[A-Za-z0-9_-]{22}$/);
});

test('fillRelated gathers ips, hosts and users without duplicates', () => {
  const e = {
    source: { ip: '10.0.0.5', nat: { ip: '198.51.100.7' } },
    destination: { ip: '203.0.113.10', domain: 'app.example.com' },
    network: { forwarded_ip: '10.0.0.5' },
    user: { name: 'lee.cole', email: 'lee.cole@corp.example' },
    related: { ip: ['192.0.2.1'] },
  };
  fillRelated(e);
  assert.deepEqual(e.related, {
    ip: ['192.0.2.1', '10.0.0.5', '198.51.100.7', '203.0.113.10'],
    hosts: ['app.example.com'],
    user: ['lee.cole', 'lee.cole@corp.example'],
  });
});

test('the one-shot digest gives the same ids as the reference (incl. non-ASCII and lone surrogates)', () => {
  const records = ['', 'a', 'line one', 'é ü 中文 🙂', 'lone \ud800 surrogate', '\udfff', 'x'.repeat(1000), 'tab\tnew\nline'];
  for (let i = 0; i < 300; i++) records.push(String.fromCharCode(...Array.from({ length: i }, (_, j) => (j * 7919 + i * 31) % 0x2fff)));
  for (const r of records) assert.equal(eventIdFor('aws.cloudfront', r), slowEventId('aws.cloudfront', r), JSON.stringify(r));
});
