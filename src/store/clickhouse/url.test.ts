import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStoreUrl, redactStoreUrl, StoreUrlError } from './url.js';
import { storeLocation } from '../open.js';

test('a store URL gives the HTTP address, database, user, cluster and nodes; defaults 8123 and 8443 with secure=1', () => {
  const a = parseStoreUrl('clickhouse://ch1.example.com/logs', {});
  assert.equal(a.url, 'http://ch1.example.com:8123');
  assert.deepEqual([a.database, a.user, a.password, a.cluster, a.secure], ['logs', 'default', '', undefined, false]);
  const b = parseStoreUrl('clickhouse://ingest:s%40cret@10.0.0.5:9000/logs?cluster=prod&secure=1&nodes=10.0.0.5:9000,10.0.0.6:9000', {});
  assert.equal(b.url, 'https://10.0.0.5:9000');
  assert.deepEqual([b.user, b.password, b.cluster], ['ingest', 's@cret', 'prod']);
  assert.deepEqual(b.nodes, ['https://10.0.0.5:9000', 'https://10.0.0.6:9000']);
  assert.equal(parseStoreUrl('clickhouse://h/db?secure=1', {}).port, 8443);
  assert.equal(parseStoreUrl('clickhouse://[::1]:8123/db', {}).url, 'http://[::1]:8123');
});

test('the password comes from PACKETTRAIL_CLICKHOUSE_PASSWORD when the URL has none, and never shows in redacted text or errors', () => {
  assert.equal(parseStoreUrl('clickhouse://u@h/db', { PACKETTRAIL_CLICKHOUSE_PASSWORD: 'fromenv' }).password, 'fromenv');
  assert.equal(parseStoreUrl('clickhouse://u:inurl@h/db', { PACKETTRAIL_CLICKHOUSE_PASSWORD: 'fromenv' }).password, 'inurl');
  const loc = parseStoreUrl('clickhouse://u:hunter2@h/db', {});
  assert.ok(!loc.redacted.includes('hunter2'), loc.redacted);
  assert.equal(redactStoreUrl('clickhouse://u:hunter2@h/db'), 'clickhouse://u:***@h/db');
  for (const bad of ['clickhouse://u:hunter2@h/', 'clickhouse://u:hunter2@h/db?x=1', 'clickhouse://u:hunter2@h:99999/db', 'clickhouse://u:hunter2@h/d-b', 'clickhouse://u:hunter2@h/db#frag']) {
    assert.throws(() => parseStoreUrl(bad, {}), (e: Error) => e instanceof StoreUrlError && !e.message.includes('hunter2'), bad);
  }
});

test('hostile store URLs are refused with a message naming what is wrong', () => {
  const cases: [string, RegExp][] = [
    ['http://h/db', /does not start with clickhouse:\/\//],
    ['clickhouse:///db', /names no host|not a URL/],
    ['clickhouse://h', /names no database/],
    ['clickhouse://h/db;DROP%20TABLE%20x', /database name must be letters/],
    ["clickhouse://h/db'", /database name must be letters/],
    ['clickhouse://h/db\nx', /spaces or control characters/],
    ['clickhouse://h/db?cluster=a%27b', /cluster name must be/],
    ['clickhouse://h/db?secure=yes', /secure must be 1 or 0/],
    ['clickhouse://h/db?cluster=c&cluster=d', /gives 'cluster' twice/],
    ['clickhouse://h/db?nodes=a:1', /nodes= without cluster=/],
    ['clickhouse://h/db?cluster=c&nodes=a:1,b', /nodes= must be host:port/],
    ['clickhouse://h/db?cluster=c&nodes=a:1,b:0', /nodes= must be host:port/],
    ['clickhouse://h/db?bogus=1', /unknown option 'bogus'/],
    ['clickhouse://h/%E0%A4%A', /malformed %-escape|database name/],
    [`clickhouse://h/${'x'.repeat(5000)}`, /longer than 4096/],
  ];
  for (const [text, message] of cases) assert.throws(() => parseStoreUrl(text, {}), message, text);
});

test('the store location: --store, else --db given, else PACKETTRAIL_STORE, else the default file', () => {
  assert.equal(storeLocation({ store: 'clickhouse://h/db', db: 'x.duckdb' }, false, 'd.duckdb', {}), 'clickhouse://h/db');
  assert.throws(() => storeLocation({ store: 'clickhouse://h/db', db: 'x.duckdb' }, true, 'd.duckdb', {}), /--db or --store, not both/);
  assert.equal(storeLocation({ db: 'x.duckdb' }, true, 'd.duckdb', { PACKETTRAIL_STORE: 'clickhouse://h/e' }), 'x.duckdb');
  assert.equal(storeLocation({ db: 'packettrail.duckdb' }, false, 'packettrail.duckdb', { PACKETTRAIL_STORE: 'clickhouse://h/e' }), 'clickhouse://h/e');
  assert.equal(storeLocation({ db: 'packettrail.duckdb' }, false, 'packettrail.duckdb', {}), 'packettrail.duckdb');
});

test('retry_limit= sets how long writes are retried after transient failures (seconds, 0 to a day)', () => {
  assert.equal(parseStoreUrl('clickhouse://h/db?retry_limit=45', {}).retryLimitMs, 45_000);
  assert.equal(parseStoreUrl('clickhouse://h/db?retry_limit=0', {}).retryLimitMs, 0);
  assert.equal(parseStoreUrl('clickhouse://h/db', {}).retryLimitMs, undefined);
  for (const bad of ['-1', '1.5', '86401', 'soon', '']) assert.throws(() => parseStoreUrl(`clickhouse://h/db?retry_limit=${bad}`, {}), /retry_limit must be whole seconds from 0 to 86400/, bad);
});
