import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseText } from '../../testing/parse.js';
import { getPath, type EcsEvent } from '../../ecs/event.js';
import { detectFormat } from '../registry.js';

type Rec = Record<string, unknown>;

function record(over: Rec = {}): Rec {
  return {
    eventVersion: '1.09',
    userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: 'arn:aws:iam::123456789012:user/ops/lee.cole', accountId: '123456789012', accessKeyId: 'AKIAEXAMPLE', userName: 'lee.cole' },
    eventTime: '2026-11-20T10:15:01Z',
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateUser',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/linux#6.1',
    requestParameters: { userName: 'backdoor' },
    responseElements: { user: { userName: 'backdoor', arn: 'arn:aws:iam::123456789012:user/backdoor' } },
    requestID: 'req-1',
    eventID: '7c0e9c3e-1111-4a2b-9c3d-000000000001',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '123456789012',
    eventCategory: 'Management',
    ...over,
  };
}

function one(text: string, opts: { document?: boolean; source?: string } = {}): EcsEvent {
  const r = parseText('aws.cloudtrail', text, opts);
  assert.deepEqual(r.rejected, []);
  assert.equal(r.events.length, 1);
  return r.events[0]!;
}

const at = (e: EcsEvent, path: string) => getPath(e, path);

test('a pretty-printed {"Records":[…]} document becomes one event per record', () => {
  const doc = JSON.stringify({ Records: [record(), record({ eventID: 'e2', eventName: 'DeleteUser' }), record({ eventID: 'e3', eventName: 'ListUsers', readOnly: true })] }, null, 2);
  const r = parseText('aws.cloudtrail', doc, { document: true });
  assert.deepEqual(r.rejected, []);
  assert.equal(r.records, 1);
  assert.deepEqual(r.events.map((e) => e.event?.action), ['CreateUser', 'DeleteUser', 'ListUsers']);
  assert.deepEqual(r.events.map((e) => e.event?.type), [['user', 'creation'], ['user', 'deletion'], ['user', 'info']]);
  const e = r.events[0]!;
  assert.deepEqual(e.event?.category, ['iam']);
  assert.equal(e.event?.outcome, 'success');
  assert.equal(at(e, 'user.name'), 'lee.cole');
  assert.equal(at(e, 'user.id'), 'AIDAEXAMPLE');
  assert.deepEqual(at(e, 'aws.cloudtrail.request_parameters'), { userName: 'backdoor' });
  assert.equal(at(e, 'aws.cloudtrail.management_event'), true);
});

test('a Records document with one bad record rejects that record only, naming its index', () => {
  const records = [record(), record({ eventID: 'e2', eventTime: 'yesterday' }), 'oops', record({ eventID: 'e4' })];
  const r = parseText('aws.cloudtrail', JSON.stringify({ Records: records }));
  assert.equal(r.events.length, 2);
  assert.deepEqual(r.rejected.map((d) => d.reason), ["Records[1]: eventTime 'yesterday' is not an ISO 8601 UTC time", 'Records[2]: expected a JSON object, got string']);
  assert.equal(r.rejected[0]!.line, 1);
  // The dead letter holds the bad record itself, not the start of the file.
  assert.equal(JSON.parse(r.rejected[0]!.record).eventID, 'e2');
  assert.equal(r.rejected[1]!.record, '"oops"');
});

test('the same record gets the same event.id in a Records file, on its own line and via EventBridge', () => {
  const rec = record();
  const fromRecords = parseText('aws.cloudtrail', JSON.stringify({ Records: [rec] }, null, 2), { document: true }).events[0]!;
  const fromLine = one(JSON.stringify(rec));
  const fromBridge = one(JSON.stringify({ version: '0', id: 'x', 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.iam', account: '123456789012', time: '2026-11-20T10:15:01Z', region: 'us-east-1', resources: [], detail: rec }));
  assert.equal(fromRecords.event?.id, fromLine.event?.id);
  assert.equal(fromBridge.event?.id, fromLine.event?.id);
  // Without an eventID, the compact JSON text is the key, so formatting does not matter.
  const anon = record({ eventID: undefined });
  assert.equal(one(JSON.stringify(anon, null, 1), { document: true }).event?.id, one(JSON.stringify(anon)).event?.id);
  assert.notEqual(one(JSON.stringify(record({ eventID: 'other' }))).event?.id, fromLine.event?.id);
});

test('EventBridge events use detail, with the envelope account and region as fallbacks', () => {
  const detail = record({ awsRegion: undefined, recipientAccountId: undefined, userIdentity: { type: 'AWSService', invokedBy: 'cloudtrail.amazonaws.com' } });
  const e = one(JSON.stringify({ 'detail-type': 'AWS API Call via CloudTrail', account: '210987654321', region: 'eu-west-1', detail }));
  assert.equal(at(e, 'cloud.account.id'), '210987654321');
  assert.equal(at(e, 'cloud.region'), 'eu-west-1');
  assert.equal(at(e, 'user.name'), 'cloudtrail.amazonaws.com');
});

const IDENTITIES: [string, Rec, Rec][] = [
  ['IAMUser with path', { type: 'IAMUser', principalId: 'AIDA1', arn: 'arn:aws:iam::123456789012:user/ops/Lee.Cole', accountId: '123456789012', userName: 'Lee.Cole' }, { 'user.name': 'lee.cole', 'user.id': 'AIDA1' }],
  ['AssumedRole with an e-mail session', { type: 'AssumedRole', principalId: 'AROA1:lee.cole@corp.example', arn: 'arn:aws:sts::123456789012:assumed-role/Admin/lee.cole@corp.example', accountId: '123456789012', sessionContext: { sessionIssuer: { type: 'Role', userName: 'Admin', arn: 'arn:aws:iam::123456789012:role/Admin' }, attributes: { mfaAuthenticated: 'true' }, sourceIdentity: 'lee' } }, { 'user.name': 'lee.cole', 'user.email': 'lee.cole@corp.example', 'user.domain': 'corp.example', 'user.roles': ['Admin'], 'aws.cloudtrail.user_identity.session_context.mfa_authenticated': true, 'aws.cloudtrail.user_identity.session_context.source_identity': 'lee', 'aws.cloudtrail.user_identity.session_context.session_issuer.arn': 'arn:aws:iam::123456789012:role/Admin' }],
  ['Root', { type: 'Root', principalId: '123456789012', arn: 'arn:aws:iam::123456789012:root', accountId: '123456789012' }, { 'user.name': 'root', 'user.id': '123456789012' }],
  ['AWSService', { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' }, { 'user.name': 'ec2.amazonaws.com', 'aws.cloudtrail.user_identity.invoked_by': 'ec2.amazonaws.com' }],
  ['FederatedUser', { type: 'FederatedUser', principalId: '123456789012:ana.ruiz', arn: 'arn:aws:sts::123456789012:federated-user/ana.ruiz', accountId: '123456789012', sessionContext: { sessionIssuer: { type: 'IAMUser', userName: 'broker' } } }, { 'user.name': 'ana.ruiz', 'aws.cloudtrail.user_identity.session_context.session_issuer.user_name': 'broker' }],
  ['SAMLUser', { type: 'SAMLUser', principalId: 'SAMLissuer:CORP\\sam.ito', userName: 'CORP\\sam.ito', identityProvider: 'arn:aws:iam::123456789012:saml-provider/adfs' }, { 'user.name': 'sam.ito', 'user.domain': 'corp', 'aws.cloudtrail.user_identity.identity_provider': 'arn:aws:iam::123456789012:saml-provider/adfs' }],
  ['WebIdentityUser', { type: 'WebIdentityUser', principalId: 'accounts.google.com:1234567890', userName: '1234567890', identityProvider: 'accounts.google.com' }, { 'user.name': '1234567890', 'user.id': 'accounts.google.com:1234567890', 'aws.cloudtrail.user_identity.type': 'WebIdentityUser' }],
  ['IdentityCenterUser', { type: 'IdentityCenterUser', accountId: '123456789012', onBehalfOf: { userId: '9067b4e8-1234-5678-9abc-0123456789ab', identityStoreArn: 'arn:aws:identitystore::123456789012:identitystore/d-1' }, credentialId: 'cred-1' }, { 'user.name': 'kim.berg', 'user.email': 'kim.berg@corp.example', 'user.id': '9067b4e8-1234-5678-9abc-0123456789ab', 'aws.cloudtrail.user_identity.on_behalf_of.identity_store_arn': 'arn:aws:identitystore::123456789012:identitystore/d-1', 'aws.cloudtrail.user_identity.credential_id': 'cred-1' }],
  ['AWSAccount', { type: 'AWSAccount', principalId: 'AIDAOTHER', accountId: '999988887777' }, { 'user.id': 'AIDAOTHER', 'user.name': undefined, 'aws.cloudtrail.user_identity.account_id': '999988887777' }],
];

for (const [name, userIdentity, expected] of IDENTITIES) {
  test(`userIdentity ${name}`, () => {
    // Identity Center sign-ins name the person in additionalEventData.UserName.
    const additionalEventData = userIdentity.type === 'IdentityCenterUser' ? { UserName: 'kim.berg@corp.example' } : undefined;
    const e = one(JSON.stringify(record({ userIdentity, additionalEventData })));
    assert.equal(at(e, 'aws.cloudtrail.user_identity.type'), userIdentity.type);
    for (const [path, value] of Object.entries(expected)) assert.deepEqual(at(e, path), value, path);
    const name = at(e, 'user.name');
    if (name) assert.ok((e.related?.user ?? []).includes(name as string), 'related.user');
  });
}

test('a CloudTrail Insights event', () => {
  const insight = {
    eventVersion: '1.08', eventTime: '2026-11-20T10:00:00Z', awsRegion: 'us-east-1', eventID: 'ins-1', eventType: 'AwsCloudTrailInsight', recipientAccountId: '123456789012', sharedEventID: 'shared-1',
    insightDetails: { state: 'Start', eventSource: 'iam.amazonaws.com', eventName: 'DeleteAccessKey', insightType: 'ApiCallRateInsight', insightContext: { statistics: { baseline: { average: 0.01 }, insight: { average: 5 } } } },
    eventCategory: 'Insight',
  };
  const e = one(JSON.stringify(insight));
  assert.equal(e.event?.kind, 'alert');
  assert.equal(e.event?.action, 'DeleteAccessKey');
  assert.equal(e.event?.provider, 'iam.amazonaws.com');
  assert.equal(at(e, 'aws.cloudtrail.event_type'), 'AwsCloudTrailInsight');
  assert.equal(at(e, 'aws.cloudtrail.shared_event_id'), 'shared-1');
  assert.equal(at(e, 'aws.cloudtrail.insight_details.insightType'), 'ApiCallRateInsight');
});

test('ConsoleLogin failure and API errors set event.outcome', () => {
  const login = one(JSON.stringify(record({ eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', errorMessage: 'Failed authentication', responseElements: { ConsoleLogin: 'Failure' }, additionalEventData: { MFAUsed: 'Yes', LoginTo: 'https://console.aws.amazon.com/' } })));
  assert.equal(login.event?.outcome, 'failure');
  assert.deepEqual(login.event?.category, ['authentication']);
  assert.deepEqual(login.event?.type, ['start']);
  assert.equal(at(login, 'aws.cloudtrail.console_login.mfa_used'), true);
  // Sign-in attempts for names that do not exist hide the name.
  const unknown = one(JSON.stringify(record({ eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', userIdentity: { type: 'IAMUser', accountId: '123456789012', accessKeyId: '', userName: 'HIDDEN_DUE_TO_SECURITY_REASONS' }, errorMessage: 'No username found in supplied account', responseElements: { ConsoleLogin: 'Failure' } })));
  assert.equal(unknown.event?.outcome, 'failure');
  assert.equal(at(unknown, 'user.name'), undefined);
  const denied = one(JSON.stringify(record({ errorCode: 'AccessDenied', errorMessage: 'User is not authorized', responseElements: null })));
  assert.equal(denied.event?.outcome, 'failure');
  assert.equal(denied.event?.reason, 'User is not authorized');
  assert.equal(at(denied, 'aws.cloudtrail.error_code'), 'AccessDenied');
});

test('sourceIPAddress forms: IP, IPv6, comma list, service name, AWS Internal', () => {
  const src = (v: string) => one(JSON.stringify(record({ sourceIPAddress: v })));
  assert.deepEqual(src('203.0.113.9').source, { address: '203.0.113.9', ip: '203.0.113.9' });
  assert.equal(at(src('2001:DB8:0:0::1'), 'source.ip'), '2001:db8::1');
  const list = src('81.2.69.142, 192.168.10.10');
  assert.equal(at(list, 'source.ip'), '81.2.69.142');
  assert.deepEqual(list.related?.ip, ['81.2.69.142', '192.168.10.10']);
  const service = src('s3.amazonaws.com');
  assert.equal(at(service, 'source.domain'), 's3.amazonaws.com');
  assert.equal(at(service, 'source.ip'), undefined);
  assert.equal(at(src('AWS Internal'), 'source.domain'), 'AWS Internal');
  assert.equal(at(src('AWS Internal'), 'aws.cloudtrail.source_ip_address'), 'AWS Internal');
});

test('TLS details, event.original and standard fields', () => {
  const line = JSON.stringify(record({ tlsDetails: { tlsVersion: 'TLSv1.2', cipherSuite: 'ECDHE-RSA-AES128-GCM-SHA256', clientProvidedHostHeader: 'iam.amazonaws.com' }, vpcEndpointId: 'vpce-1' }));
  const r = parseText('aws.cloudtrail', line, { original: true, source: 's3://trail/AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/20/x.json.gz' });
  const e = r.events[0]!;
  assert.deepEqual(e.tls, { version_protocol: 'tls', version: '1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256', client: { server_name: 'iam.amazonaws.com' } });
  assert.equal(e.event?.original, line);
  assert.equal(at(e, 'log.file.path'), 's3://trail/AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/20/x.json.gz');
  assert.equal(at(e, 'observer.product'), 'CloudTrail');
  assert.equal(at(e, 'aws.cloudtrail.vpc_endpoint_id'), 'vpce-1');
  assert.equal(at(e, 'user_agent.original'), 'aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/linux#6.1');
});

test('digests are skipped, by content or by object name; junk is rejected with a reason', () => {
  const digest = parseText('aws.cloudtrail', JSON.stringify({ awsAccountId: '1', digestStartTime: '2026-11-20T00:00:00Z', digestEndTime: '2026-11-20T01:00:00Z', logFiles: [] }));
  assert.deepEqual(digest.skipped, { 'cloudtrail digest': 1 });
  assert.equal(digest.events.length + digest.rejected.length, 0);
  const byName = parseText('aws.cloudtrail', '{"awsAccountId":"1","digestSignatureAlgorithm":"SHA256withRSA"}', { source: '123456789012_CloudTrail-Digest_us-east-1_trail_us-east-1_20261120T010000Z.json.gz' });
  assert.deepEqual(byName.skipped, { 'cloudtrail digest': 1 });
  const junk = parseText('aws.cloudtrail', 'not json\n{"eventTime":\n[1,2]\n{"hello":"world"}\n{"eventTime":"2026-11-20T10:00:00Z"}');
  assert.equal(junk.events.length, 0);
  assert.deepEqual(junk.rejected.map((d) => d.line), [1, 2, 3, 4, 5]);
  assert.match(junk.rejected[0]!.reason, /^expected a JSON object/);
  assert.match(junk.rejected[1]!.reason, /^invalid JSON/);
  assert.match(junk.rejected[3]!.reason, /^not a CloudTrail record/);
  assert.equal(junk.rejected[4]!.reason, 'no eventName');
});

test('CloudWatch Logs export lines (ingestion time, space, record)', () => {
  const line = `2026-11-20T10:15:02.345Z ${JSON.stringify(record())}`;
  const e = one(line);
  assert.equal(e.event?.action, 'CreateUser');
  assert.equal(e.event?.id, one(JSON.stringify(record())).event?.id);
  assert.equal(detectFormat({ name: '000000.gz', lines: [line] }).format?.id, 'aws.cloudtrail');
});

test('auto-detection: one-line Records object, pretty-printed Records, NDJSON, EventBridge', () => {
  const detect = (text: string, name = '') => detectFormat({ name, lines: text.split('\n').slice(0, 20) }).format?.id;
  assert.equal(detect(JSON.stringify({ Records: [record()] })), 'aws.cloudtrail');
  assert.equal(detect(JSON.stringify({ Records: [record()] }, null, 2)), 'aws.cloudtrail');
  assert.equal(detect(`${JSON.stringify(record())}\n${JSON.stringify(record())}`), 'aws.cloudtrail');
  assert.equal(detect(JSON.stringify({ 'detail-type': 'AWS Console Sign In via CloudTrail', detail: record() })), 'aws.cloudtrail');
});

test('found by fuzzing: an eventSource naming an Object member classifies like any unknown service; a record nested 10^5 deep is rejected, its neighbours kept', () => {
  for (const eventSource of ['hasOwnProperty', 'constructor', '__proto__', 'toString']) {
    const e = one(JSON.stringify(record({ eventSource, eventName: 'DeleteThing' })));
    assert.deepEqual([e.event?.category, e.event?.type], [['configuration'], ['deletion']], eventSource);
  }
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const file = `{"Records":[${JSON.stringify(record())},${JSON.stringify(record({ eventID: 'x' })).slice(0, -1)},"requestParameters":${deep}},${deep}]}`;
  const r = parseText('aws.cloudtrail', file);
  assert.equal(r.events.length, 1);
  assert.deepEqual(r.rejected.map((d) => d.reason), [
    'Records[1]: JSON nested deeper than 100 levels; a CloudTrail record is a few levels deep',
    'Records[2]: expected a JSON object, got an array',
  ]);
});

test('records re-shipped by Logstash or Beats (eventTime renamed @timestamp) are read, with the id of the record they copy', () => {
  const original = one(JSON.stringify(record()));
  const { eventTime, ...rest } = record();
  const reshipped = { ...rest, '@timestamp': '2026-11-20T10:15:01.000Z', '@version': '1', tags: ['cloudtrail'] };
  assert.equal(eventTime, '2026-11-20T10:15:01Z');
  const e = one(JSON.stringify(reshipped));
  assert.equal(e['@timestamp'], '2026-11-20T10:15:01Z');
  assert.equal(e.event?.action, 'CreateUser');
  assert.equal(e.event?.id, original.event?.id);
  assert.equal(detectFormat({ name: 'logstash.json', lines: [JSON.stringify(reshipped)] }).format?.id, 'aws.cloudtrail');
  const none = parseText('aws.cloudtrail', JSON.stringify(rest));
  assert.match(none.rejected[0]!.reason, /no eventTime \(nor the @timestamp a Logstash or Beats re-shipment puts in its place\)/);
});

test('a malformed optional field (a boolean that is not, an unreadable eventTime beside @timestamp) is left out and noted', () => {
  const e = one(JSON.stringify(record({ readOnly: 'maybe', managementEvent: 7, eventTime: 'soon', '@timestamp': '2026-11-20T10:15:01Z' })));
  assert.equal(e['@timestamp'], '2026-11-20T10:15:01Z');
  assert.equal(at(e, 'aws.cloudtrail.read_only'), undefined);
  assert.equal(at(e, 'aws.cloudtrail.management_event'), undefined);
  assert.deepEqual(e.tags, ['_field_dropped']);
  assert.deepEqual(at(e, 'packettrail.dropped_fields'), ['eventTime', 'readOnly', 'managementEvent']);
  assert.deepEqual(at(e, 'packettrail.field_errors'), ["eventTime 'soon' is not an ISO 8601 UTC time", "readOnly 'maybe' is not true or false", 'managementEvent number 7 is not true or false']);
  assert.equal(typeof e.event?.original, 'string');
});
