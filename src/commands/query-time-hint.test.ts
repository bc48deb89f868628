import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { storeFromFiles } from '../insights/test-store.js';
import { allColumns } from '../store/schema.js';
import { listFormats } from '../formats/registry.js';
import { compileSpl, loadAliases } from '../query/spl/index.js';
import { REPO_ROOT } from '../testing/shared.js';

const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');
const catalog = allColumns(listFormats());
const aliases = loadAliases(catalog, []);

test('SPL: the base search\'s time bounds and the datasets it asks for travel with the SQL', () => {
  const now = new Date('2026-12-07T10:00:00Z');
  const c = compileSpl('index=cloudtrail earliest=-24h | stats count', { catalog, aliases, now });
  assert.deepEqual(c.timeFilter, { datasets: ['aws.cloudtrail'], earliest: '2026-12-06T10:00:00.000Z' });
  assert.deepEqual(compileSpl('(index=cloudfront OR index=waf) latest=2026-11-21', { catalog, aliases, now }).timeFilter, { datasets: ['aws.cloudfront', 'aws.waf'], latest: '2026-11-21T00:00:00.000Z' });
  // Excluded datasets are not what the search asks for; no bounds, no filter.
  assert.deepEqual(compileSpl('NOT index=cloudtrail earliest=-1h', { catalog, aliases, now }).timeFilter, { datasets: [], earliest: '2026-12-07T09:00:00.000Z' });
  assert.equal(compileSpl('index=cloudtrail', { catalog, aliases, now }).timeFilter, undefined);
});

test('query: earliest= that misses every stored event of the index says where they are (stderr), output unchanged', async () => {
  const ts = await storeFromFiles({
    'ct/trail.json': JSON.stringify({
      Records: [{
        eventVersion: '1.09', eventTime: '2026-11-20T10:05:00Z', eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', awsRegion: 'eu-west-1',
        userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/ci', accountId: '123456789012', userName: 'ci' }, sourceIPAddress: '192.0.2.99',
        eventID: '00000000-0000-4000-8000-000000000001', readOnly: false, eventType: 'AwsApiCall', recipientAccountId: '123456789012',
      }],
    }),
  }, { analyses: false });
  const query = (q: string) => spawnSync(process.execPath, [CLI, 'query', '--db', ts.db, '-o', 'json', q], { encoding: 'utf8' });
  const missed = query('index=cloudtrail earliest=-24h | stats count');
  assert.equal(missed.status, 0, missed.stderr);
  assert.equal(missed.stdout, '{"count":0}\n');
  assert.match(missed.stderr, /note: no events in the time range \(earliest \d{4}-\d\d-\d\dT[\d:.]+Z\), but the store holds 1 aws\.cloudtrail event from 2026-11-20T10:05:00Z to 2026-11-20T10:05:00Z: widen earliest=\/latest= to cover them/);
  // Bounds over the data, or an index the store does not hold: nothing to say.
  const inside = query('index=cloudtrail earliest=2026-11-20T00:00:00Z | stats count');
  assert.equal(inside.stdout, '{"count":1}\n');
  assert.doesNotMatch(inside.stderr, /note/);
  assert.doesNotMatch(query('index=cloudfront earliest=-24h | stats count').stderr, /note/);
  assert.doesNotMatch(query('index=cloudtrail | stats count').stderr, /note/);
});
