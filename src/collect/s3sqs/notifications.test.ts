import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseNotification } from './notifications.js';
import { KeyFormats, globToRegExp } from '../../sources/s3-key-formats.js';
import { delayFor } from './backoff.js';

const record = (key: string, eventName = 'ObjectCreated:Put') => ({ eventSource: 'aws:s3', eventName, s3: { bucket: { name: 'b' }, object: { key, size: 42 } } });

describe('S3 notifications', () => {
  it('reads plain notifications and decodes their URL-encoded keys', () => {
    const parsed = parseNotification(JSON.stringify({ Records: [record('logs/my+file%3D1.gz'), record('x', 'ObjectRemoved:Delete')] }));
    assert.equal(parsed.kind, 'objects');
    if (parsed.kind !== 'objects') return;
    assert.deepEqual(parsed.objects, [{ bucket: 'b', key: 'logs/my file=1.gz', rawKey: 'logs/my+file%3D1.gz', size: 42, event: 'ObjectCreated:Put' }]);
    assert.deepEqual(parsed.ignored, ['ObjectRemoved:Delete']);
  });

  it('unwraps SNS notifications, reads EventBridge events and skips test events', () => {
    const sns = parseNotification(JSON.stringify({ Type: 'Notification', Message: JSON.stringify({ Records: [record('a.gz')] }) }));
    assert.equal(sns.kind === 'objects' && sns.objects[0]!.key, 'a.gz');
    const eb = parseNotification(JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: 'b' }, object: { key: 'k y', size: 3 } } }));
    assert.equal(eb.kind === 'objects' && eb.objects[0]!.key, 'k y');
    assert.deepEqual(parseNotification(JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent' })), { kind: 'skip', reason: 's3:TestEvent' });
    assert.deepEqual(parseNotification(JSON.stringify({ Type: 'Notification', Message: JSON.stringify({ Event: 's3:TestEvent' }) })), { kind: 'skip', reason: 's3:TestEvent' });
    assert.equal(parseNotification(JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Deleted', detail: { bucket: { name: 'b' }, object: { key: 'k' } } })).kind, 'skip');
  });

  it('says why a message is not an S3 notification', () => {
    assert.match((parseNotification('{') as { reason: string }).reason, /not JSON/);
    assert.match((parseNotification('[1]') as { reason: string }).reason, /expected a JSON object/);
    assert.match((parseNotification('{"Records":[{"eventSource":"aws:sqs"}]}') as { reason: string }).reason, /eventSource aws:s3/);
    assert.match((parseNotification('{"Type":"Notification","Message":"nope"}') as { reason: string }).reason, /SNS notification whose Message is not JSON/);
    assert.match((parseNotification('{"Records":[{"eventSource":"aws:s3","s3":{"bucket":{}}}]}') as { reason: string }).reason, /without s3.bucket.name/);
  });
});

describe('key → format table', () => {
  const table = new KeyFormats([{ pattern: 'custom/**/edge', format: 'aws.cloudfront' }]);
  const cases: [string, string][] = [
    ['AWSLogs/123456789012/CloudTrail/eu-west-1/2026/11/20/123_CloudTrail_eu-west-1_x.json.gz', 'aws.cloudtrail'],
    ['org/AWSLogs/o-abc/123456789012/CloudTrail/us-east-1/x.json.gz', 'aws.cloudtrail'],
    ['AWSLogs/123456789012/vpcflowlogs/eu-west-1/2026/11/20/x.log.gz', 'aws.vpcflow'],
    ['AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/11/20/x.log.gz', 'aws.alb'],
    ['cf-logs/E2EXAMPLE123.2026-11-20-10.a1b2c3d4.gz', 'aws.cloudfront'],
    ['access/2026-11-20-10-15-30-0123456789ABCDEF', 'aws.s3access'],
    ['umbrella/dnslogs/2026-11-20/2026-11-20-10-00-abcd.csv.gz', 'cisco.umbrella'],
    ['custom/a/b/edge/file.gz', 'aws.cloudfront'],
    ['random/file.log', 'auto'],
    ['AWSLogs/1/CloudTrailX/x', 'auto'],
  ];
  for (const [key, format] of cases) it(`${key} → ${format}`, () => assert.equal(table.formatFor(key), format));

  it('globs match whole path segments', () => {
    assert.ok(globToRegExp('a/*/c').test('x/a/b/c/y'));
    assert.ok(!globToRegExp('a/*/c').test('x/a/b/d/c'));
    assert.ok(!globToRegExp('^a/*/c').test('x/a/b/c'));
    assert.ok(globToRegExp('*.gz$').test('dir/f.gz'));
    assert.ok(!globToRegExp('a.c').test('abc'), 'dots are literal');
  });

  it('a crafted key does not make a glob backtrack (a/**/a/**/a/**/b took 10 s per key on V8)', () => {
    const start = performance.now();
    assert.ok(!globToRegExp('a/**/a/**/a/**/b').test(`${'a/'.repeat(300)}x`));
    assert.ok(performance.now() - start < 2000, `took ${Math.round(performance.now() - start)} ms`);
    assert.ok(globToRegExp('a/**/a/**/a/**/b').test('a/1/a/2/a/3/b/f.gz'));
  });
});

describe('backoff', () => {
  it('doubles from the base, caps, and jitters by at most a quarter', () => {
    assert.equal(delayFor(1, 1000, 60_000, () => 0.5), 1000);
    assert.equal(delayFor(4, 1000, 60_000, () => 0.5), 8000);
    assert.equal(delayFor(30, 1000, 60_000, () => 0.5), 60_000);
    assert.equal(delayFor(1, 1000, 60_000, () => 0), 750);
    assert.equal(delayFor(1, 1000, 60_000, () => 0.999999), 1250);
  });
});
