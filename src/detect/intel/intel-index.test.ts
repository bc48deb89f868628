import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IntelIndex } from './intel-index.js';
import { classify } from './values.js';

function indexOf(values: string[]): IntelIndex {
  const index = new IntelIndex();
  const feed = index.addFeed({ name: 'test.csv', path: '/tmp/test.csv', format: 'csv' });
  for (const v of values) assert.ok(index.add(classify(v)!, feed), v);
  return index;
}

function hits(index: IntelIndex, lookup: (out: number[]) => void): string[] {
  const out: number[] = [];
  lookup(out);
  return out.map((id) => index.info(id).value);
}

test('a listed domain matches itself and its subdomains, not look-alikes', () => {
  const index = indexOf(['evil.example', 'deep.good.example']);
  assert.deepEqual(hits(index, (o) => index.lookupDomain('evil.example', o)), ['evil.example']);
  assert.deepEqual(hits(index, (o) => index.lookupDomain('a.b.evil.example', o)), ['evil.example']);
  assert.deepEqual(hits(index, (o) => index.lookupDomain('notevil.example', o)), []);
  assert.deepEqual(hits(index, (o) => index.lookupDomain('evil.example.com', o)), []);
  assert.deepEqual(hits(index, (o) => index.lookupDomain('good.example', o)), []);
  assert.deepEqual(hits(index, (o) => index.lookupDomain('x.deep.good.example', o)), ['deep.good.example']);
});

test('IPv4 and IPv6 addresses and CIDR ranges, most specific first', () => {
  const index = indexOf(['10.0.0.0/8', '10.1.0.0/16', '10.1.2.3', '0.0.0.0/0', '2001:db8::/32', '2001:db8:1::/48', '2001:db8:1::5', '2001:db8:4000::/34']);
  assert.deepEqual(hits(index, (o) => index.lookupIp('10.1.2.3', o)), ['10.1.2.3', '10.1.0.0/16', '10.0.0.0/8', '0.0.0.0/0']);
  assert.deepEqual(hits(index, (o) => index.lookupIp('10.2.0.1', o)), ['10.0.0.0/8', '0.0.0.0/0']);
  assert.deepEqual(hits(index, (o) => index.lookupIp('11.0.0.1', o)), ['0.0.0.0/0']);
  assert.deepEqual(hits(index, (o) => index.lookupIp('255.255.255.255', o)), ['0.0.0.0/0']);
  assert.deepEqual(hits(index, (o) => index.lookupIp('2001:db8:1::5', o)), ['2001:db8:1::5', '2001:db8:1::/48', '2001:db8::/32']);
  assert.deepEqual(hits(index, (o) => index.lookupIp('2001:db8:2::1', o)), ['2001:db8::/32']);
  // /34: 0x4000 is 0100…; 0x7fff still inside, 0x8000 outside.
  assert.deepEqual(hits(index, (o) => index.lookupIp('2001:db8:7fff::1', o)), ['2001:db8:4000::/34', '2001:db8::/32']);
  assert.deepEqual(hits(index, (o) => index.lookupIp('2001:db8:8000::1', o)), ['2001:db8::/32']);
  assert.deepEqual(hits(index, (o) => index.lookupIp('2001:db9::1', o)), []);
  assert.deepEqual(hits(index, (o) => index.lookupIp('not-an-ip', o)), []);
});

test('hashes of each type, URLs, and the same value in two feeds', () => {
  const index = new IntelIndex();
  const a = index.addFeed({ name: 'a.csv', path: 'a.csv', format: 'csv' });
  const b = index.addFeed({ name: 'b.json', path: 'b.json', format: 'stix' });
  const md5 = 'd41d8cd98f00b204e9800998ecf8427e';
  const sha256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
  index.add(classify(md5)!, a, 70);
  assert.equal(index.add(classify(md5.toUpperCase())!, a), false, 'same feed twice is indexed once');
  index.add(classify(md5)!, b, 90, 'indicator--1');
  index.add(classify(sha256)!, b);
  index.add(classify('https://Evil.example:443/a')!, a);
  assert.equal(index.duplicates, 1);
  const md5Hits: number[] = [];
  index.lookupHash(md5, md5Hits);
  assert.deepEqual(md5Hits.map((i) => index.info(i)).sort((x, y) => x.feed.localeCompare(y.feed)), [
    { type: 'md5', value: md5, feed: 'a.csv', confidence: 70 },
    { type: 'md5', value: md5, feed: 'b.json', confidence: 90, reference: 'indicator--1' },
  ]);
  assert.deepEqual(hits(index, (o) => index.lookupHash(sha256, o)), [sha256]);
  assert.deepEqual(hits(index, (o) => index.lookupUrl('https://evil.example/a', o)), ['https://evil.example/a']);
  assert.equal(index.feeds[0]!.indicators, 2);
  assert.equal(index.feeds[1]!.indicators, 2);
});
