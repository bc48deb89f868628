import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseText } from '../../testing/parse.js';
import { needsShared, sharedPath } from '../../testing/shared.js';
import { getPath, type EcsEvent } from '../../ecs/event.js';
import { detectFormat } from '../registry.js';

const ID = 'aws.s3access';
const skip = needsShared();
const DIR = ['testdata', 'elastic', 'aws', 's3access'];

function one(line: string, source = 'test.log'): EcsEvent {
  const r = parseText(ID, line, { source });
  assert.deepEqual(r.rejected, [], line);
  assert.equal(r.events.length, 1);
  return r.events[0]!;
}

function rejectReason(line: string): string {
  const r = parseText(ID, line);
  assert.equal(r.events.length, 0, line);
  assert.equal(r.rejected.length, 1, line);
  return r.rejected[0]!.reason;
}

const OWNER = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';
// 24 fields: through tls-version.
const ROW24 = [
  OWNER, 'amzn-s3-demo-bucket1', '[06/Feb/2019:00:00:38 +0000]', '192.0.2.3',
  'arn:aws:sts::123456789012:assumed-role/Admin/lee.cole@corp.example', '3E57427F3EXAMPLE', 'REST.GET.OBJECT', 'reports/2019/q1.pdf',
  '"GET /amzn-s3-demo-bucket1/reports/2019/q1.pdf?versionId=abc HTTP/1.1"', '200', '-', '113', '113', '7', '6',
  '"https://console.aws.amazon.com/"', '"aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0 exe/x86_64.ubuntu.22 prompt/off command/s3.cp"', '-',
  's9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234=', 'SigV4', 'ECDHE-RSA-AES128-GCM-SHA256',
  'AuthHeader', 'amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com', 'TLSv1.2',
];
const ROW25 = [...ROW24, 'arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP'];
const ROW26 = [...ROW25, 'Yes'];

test('every Elastic S3 access sample row parses with zero rejects and is auto-detected', { skip }, () => {
  const text = readFileSync(sharedPath(...DIR, 'test-s3-server-access.log'), 'utf8');
  const r = parseText(ID, text);
  assert.deepEqual(r.rejected, []);
  assert.equal(r.events.length, text.split('\n').filter((l) => l.trim()).length);
  assert.equal(detectFormat({ name: 'test-s3-server-access.log', lines: text.split('\n') }).format?.id, ID);
});

test("core ECS fields agree with Elastic's sample_event.json", { skip }, () => {
  const expected = JSON.parse(readFileSync(sharedPath(...DIR, 'sample_event.json'), 'utf8')) as EcsEvent;
  const e = one(expected.event!.original!);
  for (const path of [
    'client.ip', 'client.address', 'url.path', 'url.original', 'url.query', 'http.request.method', 'http.version',
    'http.response.status_code', 'http.response.body.bytes', 'tls.cipher', 'tls.version', 'tls.version_protocol', 'event.action',
    'event.duration', 'event.kind', 'event.outcome', 'event.type', 'cloud.provider', 'user_agent.original',
  ]) {
    assert.deepEqual(getPath(e, path), getPath(expected, path), path);
  }
  assert.equal(Date.parse(e['@timestamp']!), Date.parse('2019-08-01T00:24:41Z'));
  const s3 = getPath(expected, 'aws.s3access') as Record<string, unknown>;
  for (const key of [
    'bucket_owner', 'bucket', 'requester', 'request_id', 'operation', 'request_uri', 'bytes_sent', 'total_time', 'host_id',
    'signature_version', 'cipher_suite', 'authentication_type', 'host_header', 'tls_version',
  ]) {
    assert.deepEqual(getPath(e, `aws.s3access.${key}`), s3[key], key);
  }
  assert.equal(getPath(e, 'source.ip'), s3.remote_ip);
  // Elastic keeps the requester ARN in client.user.id; packettrail in user.id.
  assert.equal(getPath(e, 'user.id'), getPath(expected, 'client.user.id'));
});

test('24-, 25- and 26-field rows, and a row with fields AWS appended later', () => {
  const e24 = one(ROW24.join(' '));
  assert.equal(e24['@timestamp'], '2019-02-06T00:00:38Z');
  assert.equal(e24.event!.action, 'REST.GET.OBJECT');
  assert.equal(e24.event!.outcome, 'success');
  assert.equal(e24.event!.duration, 7_000_000);
  assert.deepEqual(e24.client, { address: '192.0.2.3', ip: '192.0.2.3' });
  assert.deepEqual(e24.source, { address: '192.0.2.3', ip: '192.0.2.3' });
  assert.deepEqual(e24.user, { id: 'arn:aws:sts::123456789012:assumed-role/Admin/lee.cole@corp.example', name: 'lee.cole', domain: 'corp.example', email: 'lee.cole@corp.example' });
  assert.deepEqual(getPath(e24, 'related.user'), ['lee.cole', 'lee.cole@corp.example']);
  assert.equal(getPath(e24, 'http.request.id'), '3E57427F3EXAMPLE');
  assert.equal(getPath(e24, 'aws.s3access.request_id'), '3E57427F3EXAMPLE');
  assert.equal(getPath(e24, 'http.request.referrer'), 'https://console.aws.amazon.com/');
  assert.equal(getPath(e24, 'url.full'), 'https://amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com/amzn-s3-demo-bucket1/reports/2019/q1.pdf?versionId=abc');
  assert.equal(getPath(e24, 'url.original'), '/amzn-s3-demo-bucket1/reports/2019/q1.pdf?versionId=abc');
  assert.equal(getPath(e24, 'url.extension'), 'pdf');
  assert.equal(getPath(e24, 'user_agent.original'), ROW24[16]!.slice(1, -1));
  assert.equal(getPath(e24, 'cloud.region'), 'us-west-1');
  assert.equal(getPath(e24, 'aws.s3access.object_size'), 113);
  assert.equal(getPath(e24, 'aws.s3access.turn_around_time'), 6);
  assert.equal(getPath(e24, 'aws.s3access.key'), 'reports/2019/q1.pdf');
  assert.equal(getPath(e24, 'aws.s3access.access_point_arn'), undefined);

  assert.equal(getPath(one(ROW25.join(' ')), 'aws.s3access.access_point_arn'), ROW25[24]);
  const e26 = one(ROW26.join(' '));
  assert.equal(getPath(e26, 'aws.s3access.acl_required'), 'Yes');
  const e28 = one([...ROW26, 'us-west-2', 'something-new'].join(' '));
  assert.equal(getPath(e28, 'aws.s3access.source_region'), 'us-west-2');
  assert.deepEqual(getPath(e28, 'aws.s3access.extra_fields'), ['something-new']);
});

test('older short rows are read down to 18 fields; fewer are rejected', () => {
  const e = one(ROW24.slice(0, 18).join(' '));
  assert.equal(getPath(e, 'aws.s3access.operation'), 'REST.GET.OBJECT');
  assert.equal(getPath(e, 'tls'), undefined);
  assert.equal(getPath(e, 'url.full'), undefined);
  assert.equal(getPath(e, 'url.path'), '/amzn-s3-demo-bucket1/reports/2019/q1.pdf');
  assert.match(rejectReason(ROW24.slice(0, 17).join(' ')), /expected at least 18 space-separated fields \(bucket owner … version id; 27 in the current layout\), got 17/);
});

test('requesters: IAM user, canonical id, service principal, anonymous; errors', () => {
  const row = (i: number, v: string, base = ROW26) => base.map((f, j) => (j === i ? v : f)).join(' ');
  assert.deepEqual(one(row(4, 'arn:aws:iam::123456789012:user/ops/Jane.Doe')).user, { id: 'arn:aws:iam::123456789012:user/ops/Jane.Doe', name: 'jane.doe' });
  assert.deepEqual(one(row(4, OWNER)).user, { id: OWNER });
  const svc = one(row(4, 'svc:logging.s3.amazonaws.com'));
  assert.equal(svc.user, undefined);
  assert.equal(getPath(svc, 'aws.s3access.requester'), 'svc:logging.s3.amazonaws.com');
  assert.equal(one(row(4, '-')).user, undefined);

  const denied = one(row(10, 'AccessDenied', ROW26.map((f, j) => (j === 9 ? '403' : f))));
  assert.equal(denied.event!.outcome, 'failure');
  assert.equal(getPath(denied, 'error.code'), 'AccessDenied');
  assert.equal(getPath(denied, 'http.response.status_code'), 403);

  // Internal operations log no remote IP, status or request line.
  const expire = one(
    `${OWNER} amzn-s3-demo-bucket1 [25/Mar/2025:19:28:02 +0000] - AmazonS3 366DB3C4B325AB11 S3.EXPIRE.OBJECT logs/old.gz "-" - - - 317 - - "-" "-" - hostid= - - - - - - -`,
  );
  assert.equal(expire.source, undefined);
  assert.equal(expire.event!.outcome, 'unknown');
  assert.equal(getPath(expire, 'http.response'), undefined);
});

test('time zones other than +0000 are converted to UTC', () => {
  const e = one(ROW24.map((f, j) => (j === 2 ? '[06/Feb/2019:01:30:38 +0130]' : f)).join(' '));
  assert.equal(e['@timestamp'], '2019-02-06T00:00:38Z');
});

test('partitioned object keys give the source account and region', () => {
  const e = one(ROW24.join(' '), 's3://access-logs/prefix/123456789012/eu-central-1/amzn-s3-demo-bucket1/2019/02/06/2019-02-06-00-00-38-0A1B2C3D4E5F6A7B');
  assert.equal(getPath(e, 'cloud.account.id'), '123456789012');
  assert.equal(getPath(e, 'cloud.region'), 'eu-central-1');
});

test('malformed rows are rejected with a precise reason; blank lines are skipped', () => {
  const row = (i: number, v: string) => ROW26.map((f, j) => (j === i ? v : f)).join(' ');
  assert.match(rejectReason(row(2, '[06/Foo/2019:00:00:38 +0000]')), /time '06\/Foo\/2019:00:00:38 \+0000' is not \[DD\/Mon\/YYYY:HH:MM:SS \+hhmm\]/);
  assert.match(rejectReason(row(2, '[31/Feb/2019:00:00:38 +0000]')), /time '31\/Feb\/2019:00:00:38 \+0000' is not/);
  assert.match(rejectReason(row(3, '192.0.2.300')), /remote_ip '192.0.2.300' is not an IP address/);
  assert.match(rejectReason(row(9, 'OK')), /http_status 'OK' is not a 3-digit HTTP status/);
  assert.match(rejectReason(row(11, '1.5k')), /bytes_sent '1.5k' is not a whole number/);
  assert.match(rejectReason(row(2, '[06/Feb/2019:00:00:38')), /unterminated \[bracketed\] field starting at column \d+/);
  assert.match(rejectReason([...ROW24.slice(0, 8), '"GET /x HTTP/1.1 200'].join(' ')), /unterminated quoted field starting at column \d+: "GET \/x/);
  // A stray quote mid-row shifts the fields after it: the row is still rejected, by the field it broke.
  assert.match(rejectReason(row(8, '"GET /x HTTP/1.1')), /http_status '.*' is not a 3-digit HTTP status/);
  const r = parseText(ID, `\n${ROW26.join(' ')}\r\n\n`);
  assert.deepEqual(r.rejected, []);
  assert.equal(r.events.length, 1);
  assert.equal(r.skipped['blank line'], 2);
});

test('auto-detection picks aws.s3access', () => {
  assert.equal(detectFormat({ name: '2019-02-06-00-00-38-0A1B2C3D4E5F6A7B', lines: [ROW24.join(' ')] }).format?.id, ID);
  assert.equal(detectFormat({ name: '', lines: ['', ROW26.join(' ')] }).format?.id, ID);
});

test('found by fuzzing: a total time beyond a long of nanoseconds leaves event.duration unset, not 1e20', () => {
  const row = (totalTime: string) => ROW24.map((v, i) => (i === 13 ? totalTime : v)).join(' ');
  assert.equal(one(row('7')).event?.duration, 7_000_000);
  assert.equal(one(row('99999999999999')).event?.duration, undefined);
});

test('found by fuzzing: a count or time of hundreds of digits is rejected as no whole number instead of stored as Infinity (the store refused the whole load)', () => {
  const row = (i: number, v: string) => ROW24.map((f, j) => (j === i ? v : f)).join(' ');
  const digits = '1'.repeat(400);
  assert.match(rejectReason(row(13, digits)), /^total_time '1+…?.*' is not a whole number \(up to 9007199254740991\)/);
  assert.match(rejectReason(row(11, '18446744073709551616')), /bytes_sent '18446744073709551616' is not a whole number/);
  assert.equal(getPath(one(row(11, '9007199254740991')), 'aws.s3access.bytes_sent') ?? getPath(one(row(11, '9007199254740991')), 'http.response.body.bytes'), 9007199254740991);
});
