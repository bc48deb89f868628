import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { parseText } from '../../testing/parse.js';
import { getPath } from '../../ecs/event.js';
import { detectFormat, listFormats } from '../registry.js';
import { MAX_ENVELOPE_RECORDS, unwrapEnvelope, unwrapSample, isEnvelopeDocument } from './envelope.js';

const b64gz = (value: unknown) => gzipSync(typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value)).toString('base64');
const b64 = (text: string) => Buffer.from(text).toString('base64');

function cloudwatch(messages: string[], over: Record<string, unknown> = {}) {
  return {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: 'vpc-flow-logs',
    logStream: 'eni-0a1b2c3d4e5f67890-all',
    subscriptionFilters: ['to-firehose'],
    logEvents: messages.map((message, i) => ({ id: `3${i}`, timestamp: 1763633701000, message })),
    ...over,
  };
}

const CONTROL = { messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [], logEvents: [{ id: '', timestamp: 1, message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.' }] };

const TRAIL = (name: string, id: string) =>
  JSON.stringify({ eventVersion: '1.09', userIdentity: { type: 'IAMUser', principalId: 'AIDA1', arn: 'arn:aws:iam::123456789012:user/lee.cole', accountId: '123456789012', userName: 'lee.cole' }, eventTime: '2026-11-20T10:15:01Z', eventSource: 'iam.amazonaws.com', eventName: name, awsRegion: 'us-east-1', sourceIPAddress: '198.51.100.7', userAgent: 'aws-cli/2.17.60', eventID: id, eventType: 'AwsApiCall', recipientAccountId: '123456789012' });

/** A CloudFront real-time record in AWS's canonical field order (45 fields; '-' where not set). */
function realtime(ip: string, requestId: string): string {
  const f = new Array<string>(45).fill('-');
  [f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12], f[13], f[14], f[15], f[16]] = ['1763633701.123', ip, '0.002', '200', '5120', 'GET', 'https', 'd1abcdexample.cloudfront.net', '/login', '420', 'FRA56-P3', requestId, 'app.example.com', '0.004', 'HTTP/2.0', 'IPv4', 'curl/8.5.0'];
  return f.join('\t');
}

const VPC = ['2 123456789012 eni-0a1b2c3d4e5f67890 10.0.1.5 10.0.2.9 49152 443 6 10 840 1763633640 1763633700 ACCEPT OK', '2 123456789012 eni-0a1b2c3d4e5f67890 203.0.113.7 10.0.1.5 51515 3389 6 1 40 1763633640 1763633700 REJECT OK'];
const hasVpcFlow = listFormats().some((f) => f.id === 'aws.vpcflow');

test('non-envelopes are left alone', () => {
  for (const line of [
    '', '#Fields: date time', VPC[0]!, realtime('192.0.2.1', 'r1'), TRAIL('ListUsers', 'e1'), JSON.stringify({ Records: [] }), 'd41d8cd98f00b204e9800998ecf8427e',
    '{"message":"hello","records":"none"}', '{"messageType":"x"}', '{"records":[{"data":1}]}',
    // Azure Event Hubs / Defender streaming exports also use `records`.
    JSON.stringify({ records: [{ time: '2026-11-20T10:00:00Z', category: 'AdvancedHunting-DeviceNetworkEvents', properties: { data: 'x' } }] }),
  ]) assert.equal(unwrapEnvelope(line), undefined, line);
});

test('gzip+base64 CloudWatch DATA_MESSAGE: every log event with its context', () => {
  const u = unwrapEnvelope(b64gz(cloudwatch(['a b c', '', 'd e f'])));
  assert.ok(u && 'records' in u);
  assert.deepEqual(u.records, [
    { where: 'logEvents[0]', text: 'a b c', context: { 'aws.cloudwatch.log_group': 'vpc-flow-logs', 'aws.cloudwatch.log_stream': 'eni-0a1b2c3d4e5f67890-all', 'cloud.account.id': '123456789012' } },
    { where: 'logEvents[2]', text: 'd e f', context: { 'aws.cloudwatch.log_group': 'vpc-flow-logs', 'aws.cloudwatch.log_stream': 'eni-0a1b2c3d4e5f67890-all', 'cloud.account.id': '123456789012' } },
  ]);
  assert.deepEqual(unwrapEnvelope(JSON.stringify(CONTROL)), { skip: 'cloudwatch control message' });
  assert.deepEqual(unwrapEnvelope(b64gz(CONTROL)), { skip: 'cloudwatch control message' });
});

test('VPC flow lines inside a CloudWatch payload carry the log stream (the ENI)', { skip: hasVpcFlow ? false : 'aws.vpcflow is not in the catalog' }, () => {
  const r = parseText('aws.vpcflow', `${b64gz(cloudwatch(VPC))}\n${b64gz(CONTROL)}`);
  assert.deepEqual(r.rejected, []);
  assert.equal(r.events.length, 2);
  assert.equal(r.skipped['cloudwatch control message'], 1);
  assert.equal(r.records, 3);
  for (const e of r.events) {
    assert.equal(getPath(e, 'aws.cloudwatch.log_stream'), 'eni-0a1b2c3d4e5f67890-all');
    assert.equal(getPath(e, 'aws.cloudwatch.log_group'), 'vpc-flow-logs');
    assert.equal(getPath(e, 'cloud.account.id'), '123456789012');
  }
});

test('CloudTrail events through CloudWatch Logs: decoded JSON, base64+gzip, concatenated payloads', () => {
  const payload = cloudwatch([TRAIL('CreateUser', 'e1'), TRAIL('DeleteUser', 'e2')], { owner: '999988887777', logGroup: 'aws-cloudtrail-logs', logStream: '123456789012_CloudTrail_us-east-1' });
  for (const text of [JSON.stringify(payload), b64gz(payload), `${JSON.stringify(payload)}${JSON.stringify(CONTROL)}`]) {
    const r = parseText('aws.cloudtrail', text);
    assert.deepEqual(r.rejected, []);
    assert.deepEqual(r.events.map((e) => e.event?.action), ['CreateUser', 'DeleteUser']);
    // The record's own account wins over the envelope owner.
    assert.equal(getPath(r.events[0]!, 'cloud.account.id'), '123456789012');
    assert.equal(getPath(r.events[0]!, 'aws.cloudwatch.log_group'), 'aws-cloudtrail-logs');
  }
  // The same record read directly has the same event.id.
  assert.equal(parseText('aws.cloudtrail', b64gz(payload)).events[0]!.event?.id, parseText('aws.cloudtrail', TRAIL('CreateUser', 'e1')).events[0]!.event?.id);
});

test('the envelope owner fills cloud.account.id when the inner record has none (CloudFront real-time lines)', () => {
  const r = parseText('aws.cloudfront', b64gz(cloudwatch([realtime('192.0.2.10', 'reqA=='), realtime('192.0.2.11', 'reqB==')], { logGroup: 'cf-realtime', logStream: 'stream-1' })));
  assert.deepEqual(r.rejected, []);
  assert.deepEqual(r.events.map((e) => getPath(e, 'http.request.id')), ['reqA==', 'reqB==']);
  assert.equal(getPath(r.events[0]!, 'cloud.account.id'), '123456789012');
  assert.equal(getPath(r.events[0]!, 'aws.cloudwatch.log_stream'), 'stream-1');
});

test('Firehose batches: {"records":[{"data"}]} and one base64 record per line', () => {
  const body = { requestId: 'ed4acda5-034f-9f42-bba1-f29aea6d7d8f', timestamp: 1763633701000, records: [{ data: b64(realtime('192.0.2.20', 'reqC==')) }, { data: b64(`${realtime('192.0.2.21', 'reqD==')}\n`) }, { data: b64gz(CONTROL) }] };
  const r = parseText('aws.cloudfront', JSON.stringify(body));
  assert.deepEqual(r.rejected, []);
  assert.deepEqual(r.events.map((e) => getPath(e, 'source.ip')), ['192.0.2.20', '192.0.2.21']);
  assert.equal(r.skipped['cloudwatch control message'], 1);
  const lines = parseText('aws.cloudfront', [realtime('192.0.2.30', 'reqE=='), realtime('192.0.2.31', 'reqF==')].map(b64).join('\n'));
  assert.deepEqual(lines.rejected, []);
  assert.deepEqual(lines.events.map((e) => getPath(e, 'http.request.id')), ['reqE==', 'reqF==']);
  // Firehose data-transformation Lambda input: records carry ids before their data.
  const lambda = parseText('aws.cloudfront', JSON.stringify({ invocationId: 'i', deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/cf', region: 'us-east-1', records: [{ recordId: '4961', approximateArrivalTimestamp: 1763633701000, data: b64(realtime('192.0.2.40', 'reqG==')) }] }));
  assert.deepEqual(lambda.events.map((e) => getPath(e, 'http.request.id')), ['reqG==']);
  // CloudWatch payloads inside Firehose records (subscription → Firehose → HTTP endpoint).
  const nested = parseText('aws.cloudtrail', JSON.stringify({ requestId: 'x', timestamp: 1, records: [{ data: b64gz(cloudwatch([TRAIL('ListUsers', 'e3')])) }] }));
  assert.deepEqual(nested.events.map((e) => e.event?.action), ['ListUsers']);
});

test('corrupt payloads and bad inner records are rejected with where they were', () => {
  const truncated = b64gz(cloudwatch([TRAIL('CreateUser', 'e1')])).slice(0, 40);
  const batch = JSON.stringify({ requestId: 'x', timestamp: 1, records: [{ data: 'not base64!' }, { data: truncated }, { data: b64(TRAIL('GetUser', 'e9')) }] });
  const inner = b64gz(cloudwatch([TRAIL('CreateUser', 'e1'), '{"eventName":"CreateUser","eventTime":"soon"}']));
  const r = parseText('aws.cloudtrail', `${batch}\n${inner}`);
  assert.deepEqual(r.events.map((e) => e.event?.action), ['GetUser', 'CreateUser']);
  assert.deepEqual(r.rejected.map((d) => [d.line, d.reason]), [
    [1, 'records[0]: data is not base64'],
    [1, 'records[1]: base64 payload is gzip but does not inflate: unexpected end of file'],
    [2, "logEvents[1]: eventTime 'soon' is not an ISO 8601 UTC time"],
  ]);
  assert.equal(r.rejected[2]!.record, '{"eventName":"CreateUser","eventTime":"soon"}', 'the dead letter holds the inner record');
  const line = parseText('aws.cloudtrail', truncated);
  assert.match(line.rejected[0]!.reason, /^base64 payload is gzip but does not inflate/);
});

test('a pretty-printed envelope document is opened whole', () => {
  const doc = JSON.stringify(cloudwatch([TRAIL('CreateUser', 'e1'), TRAIL('DeleteUser', 'e2')]), null, 2);
  assert.ok(isEnvelopeDocument(doc));
  assert.ok(!isEnvelopeDocument(JSON.stringify({ Records: [] }, null, 2)));
  const r = parseText('aws.cloudtrail', doc, { document: true });
  assert.deepEqual(r.rejected, []);
  assert.equal(r.events.length, 2);
  assert.equal(r.records, 2);
});

test('detection sees the records inside envelopes', () => {
  const detect = (lines: string[], text?: string) => detectFormat({ name: 'firehose-delivery-1', lines: unwrapSample(lines, text) }).format?.id;
  assert.equal(detect([b64gz(cloudwatch([TRAIL('CreateUser', 'e1')]))]), 'aws.cloudtrail');
  assert.equal(detect([JSON.stringify({ requestId: 'x', timestamp: 1, records: [{ data: b64(realtime('192.0.2.1', 'r')) }] })]), 'aws.cloudfront');
  if (hasVpcFlow) assert.equal(detect([b64gz(cloudwatch(VPC)), b64gz(CONTROL)]), 'aws.vpcflow');
  const pretty = JSON.stringify(cloudwatch([TRAIL('CreateUser', 'e1')]), null, 2);
  assert.equal(detect(pretty.split('\n').slice(0, 20), pretty), 'aws.cloudtrail');
  // A document cut off by the first chunk: payloads are picked out by pattern.
  const cut = JSON.stringify({ requestId: 'x', timestamp: 1, records: Array.from({ length: 50 }, (_, i) => ({ data: b64(TRAIL('GetUser', `e${i}`)) })) }, null, 2);
  const head = cut.slice(0, cut.length - 100);
  assert.equal(detect(head.split('\n').slice(0, 20), head), 'aws.cloudtrail');
  // Lines that are not envelopes come back unchanged.
  assert.deepEqual(unwrapSample(['a', 'b']), ['a', 'b']);
});

test('opening is bounded per line: inflated bytes (shared by the payloads of a batch, nested or not) and records', () => {
  // Two Firehose records of 10 MiB each in one batch line: the second passes the line's 16 MiB.
  const ten = b64gz(Buffer.alloc(10 << 20, 'a'));
  const totals = { inflated: 0 };
  const u = unwrapEnvelope(JSON.stringify({ requestId: 'x', timestamp: 1, records: [{ data: ten }, { data: ten }, { data: b64(TRAIL('GetUser', 'e1')) }] }), totals);
  assert.ok(u && 'records' in u);
  assert.deepEqual(u.records.map((r) => ('error' in r ? r.error : 'text' in r ? r.text.length : r.skip)), [10 << 20, 'base64 payload is gzip and inflates beyond 16 MiB, the limit for one record (MAX_RECORD_INFLATED_BYTES; a decompression bomb?)', TRAIL('GetUser', 'e1').length]);
  assert.equal(totals.inflated, 10 << 20, 'the caller learns what was inflated');
  // Nested gzip counts every layer against the same budget and the line's size.
  const nested = unwrapEnvelope(b64gz(b64gz(Buffer.alloc(4 << 20, 'a'))));
  assert.deepEqual(nested, { reject: `base64 payload is gzip and inflates beyond 1000 times the record's ${b64gz(b64gz(Buffer.alloc(4 << 20, 'a'))).length} characters, the limit for one record (MAX_INFLATE_RATIO; nested compression: a decompression bomb?)` });
  // Records: a CloudWatch batch or a text record past MAX_ENVELOPE_RECORDS rejects the line whole.
  const reject = { reject: `envelope holds more than ${MAX_ENVELOPE_RECORDS} records, the limit for one line (MAX_ENVELOPE_RECORDS)` };
  assert.deepEqual(unwrapEnvelope(b64gz(cloudwatch(Array.from({ length: MAX_ENVELOPE_RECORDS + 1 }, () => 'm')))), reject);
  assert.deepEqual(unwrapEnvelope(JSON.stringify({ requestId: 'x', timestamp: 1, records: [{ data: b64gz('m\n'.repeat(MAX_ENVELOPE_RECORDS + 1)) }] })), reject);
  const atLimit = unwrapEnvelope(b64gz(cloudwatch(Array.from({ length: MAX_ENVELOPE_RECORDS }, () => 'm'))));
  assert.ok(atLimit && 'records' in atLimit && atLimit.records.length === MAX_ENVELOPE_RECORDS);
  // Through a parser, a rejected envelope is one dead letter holding the line.
  const line = b64gz(cloudwatch(Array.from({ length: MAX_ENVELOPE_RECORDS + 1 }, () => 'm')));
  const r = parseText('aws.cloudtrail', `${line}\n${b64gz(cloudwatch([TRAIL('CreateUser', 'e2')]))}`);
  assert.deepEqual([r.events.length, r.rejected.length, r.records], [1, 1, 2]);
  assert.equal(r.rejected[0]!.record, line);
});
