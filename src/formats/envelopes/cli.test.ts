import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT } from '../../testing/shared.js';
import { tempDir } from '../../testing/tmp.js';

const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');

const TRAIL = (name: string, id: string) =>
  JSON.stringify({ eventVersion: '1.09', userIdentity: { type: 'AssumedRole', principalId: 'AROA1:lee.cole@corp.example', arn: 'arn:aws:sts::123456789012:assumed-role/Admin/lee.cole@corp.example', accountId: '123456789012' }, eventTime: '2026-11-20T10:15:01Z', eventSource: 'iam.amazonaws.com', eventName: name, awsRegion: 'us-east-1', sourceIPAddress: '198.51.100.7', userAgent: 'aws-cli/2.17.60', eventID: id, eventType: 'AwsApiCall', recipientAccountId: '123456789012' });
const payload = (messages: string[]) => ({ messageType: 'DATA_MESSAGE', owner: '123456789012', logGroup: 'aws-cloudtrail-logs', logStream: '123456789012_CloudTrail_us-east-1', subscriptionFilters: ['f'], logEvents: messages.map((message, i) => ({ id: String(i), timestamp: 1763633701000, message })) });
const CONTROL = { messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [], logEvents: [{ id: '', timestamp: 1, message: 'CWL CONTROL MESSAGE: Checking health of destination Kinesis stream.' }] };
const b64gz = (v: unknown) => gzipSync(JSON.stringify(v)).toString('base64');

function normalize(file: string, deadLetter: string) {
  const r = spawnSync(process.execPath, [CLI, 'normalize', '--format', 'auto', '--threads', '0', '--dead-letter', deadLetter, file], { encoding: 'utf8' });
  const events = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
  return { code: r.status, events, err: r.stderr };
}

test('CLI: Kinesis-style base64+gzip CloudWatch payloads are detected and unwrapped (--format auto)', () => {
  const dir = tempDir();
  const file = join(dir, 'kinesis-records.txt');
  writeFileSync(file, `${b64gz(payload([TRAIL('CreateUser', 'e1'), TRAIL('AttachUserPolicy', 'e2')]))}\n${b64gz(CONTROL)}\n${b64gz(payload([TRAIL('CreateAccessKey', 'e3')]))}\n`);
  const r = normalize(file, join(dir, 'dl.ndjson'));
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /aws\.cloudtrail/);
  assert.deepEqual(r.events.map((e) => e.event.action), ['CreateUser', 'AttachUserPolicy', 'CreateAccessKey']);
  assert.equal(r.events[0]!.user.email, 'lee.cole@corp.example');
  assert.equal(r.events[0]!.aws.cloudwatch.log_stream, '123456789012_CloudTrail_us-east-1');
});

test('CLI: a pretty-printed envelope document and a gzipped Firehose body with a corrupt record', () => {
  const dir = tempDir();
  const pretty = join(dir, 'cloudwatch-export.json');
  writeFileSync(pretty, JSON.stringify(payload([TRAIL('CreateUser', 'e1'), TRAIL('DeleteUser', 'e2')]), null, 2));
  const a = normalize(pretty, join(dir, 'dl-a.ndjson'));
  assert.equal(a.code, 0, a.err);
  assert.deepEqual(a.events.map((e) => e.event.action), ['CreateUser', 'DeleteUser']);

  const body = join(dir, 'firehose-body.json.gz');
  const records = [{ data: b64gz(payload([TRAIL('ListUsers', 'e4')])) }, { data: 'H4sIAAAAAAAA////' }, { data: Buffer.from(TRAIL('GetUser', 'e5')).toString('base64') }];
  writeFileSync(body, gzipSync(JSON.stringify({ requestId: 'r-1', timestamp: 1763633701000, records })));
  const deadLetter = join(dir, 'dl-b.ndjson');
  const b = normalize(body, deadLetter);
  assert.equal(b.code, 1, 'a record was rejected');
  assert.deepEqual(b.events.map((e) => e.event.action), ['ListUsers', 'GetUser']);
  const letter = JSON.parse(readFileSync(deadLetter, 'utf8').trim());
  assert.equal(letter.format, 'aws.cloudtrail');
  assert.equal(letter.line, 1);
  assert.match(letter.reason, /^records\[1\]: base64 payload is gzip but does not inflate/);
  assert.equal(letter.record, 'H4sIAAAAAAAA////');
});
