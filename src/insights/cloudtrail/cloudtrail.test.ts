import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport } from '../render.js';
import type { FindingsSection, InsightReport, TableSection } from '../report.js';
import { storeFromFiles } from '../test-store.js';
import { cloudtrailReport } from './index.js';

const ACCOUNT = '123456789012';
let n = 0;

function record(o: { t: string; source: string; name: string; params?: unknown; user?: string; ip?: string; ua?: string; readOnly?: boolean; errorCode?: string }): Record<string, unknown> {
  const user = o.user ?? 'lee.cole';
  const rec: Record<string, unknown> = {
    eventVersion: '1.09', eventTime: o.t, eventSource: o.source, eventName: o.name, awsRegion: 'eu-west-1',
    userIdentity: { type: 'IAMUser', principalId: `AIDA${user.toUpperCase().replace(/\W/g, '')}`, arn: `arn:aws:iam::${ACCOUNT}:user/${user}`, accountId: ACCOUNT, accessKeyId: 'AKIAEXAMPLEKEY000001', userName: user },
    sourceIPAddress: o.ip ?? '198.51.100.20', userAgent: o.ua ?? 'aws-cli/2.15.30', requestParameters: o.params ?? null, responseElements: null,
    requestID: `req-${++n}`, eventID: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, readOnly: o.readOnly ?? false, eventType: 'AwsApiCall',
    managementEvent: true, recipientAccountId: ACCOUNT, eventCategory: 'Management',
  };
  if (o.errorCode) Object.assign(rec, { errorCode: o.errorCode, errorMessage: 'User is not authorized' });
  return rec;
}

function trailFile(records: Record<string, unknown>[]): Record<string, string> {
  return { [`AWSLogs/${ACCOUNT}/CloudTrail/eu-west-1/2026/11/20/${ACCOUNT}_CloudTrail_eu-west-1_20261120T1000Z_test.json`]: JSON.stringify({ Records: records }) };
}

const findings = (r: InsightReport) => (r.sections.find((s) => s.kind === 'findings') as FindingsSection).findings;
const table = (r: InsightReport, id: string) => r.sections.find((s) => s.id === id) as TableSection;

async function reportOf(records: Record<string, unknown>[], o: Parameters<typeof cloudtrailReport>[1] = {}): Promise<InsightReport> {
  const ts = await storeFromFiles(trailFile(records), { analyses: false });
  const store = await ts.open();
  try {
    return await cloudtrailReport(store, o);
  } finally {
    await store.close();
  }
}

test('cloudtrail: changes to the network, log buckets, IAM and the trail are findings with who, what, where and the fix', async () => {
  const r = await reportOf([
    record({ t: '2026-11-20T10:00:00Z', source: 'cloudtrail.amazonaws.com', name: 'CreateTrail', params: { name: 'main', s3BucketName: 'acme-audit-store', isMultiRegionTrail: true } }),
    record({ t: '2026-11-20T10:05:00Z', source: 'ec2.amazonaws.com', name: 'DescribeSecurityGroups', readOnly: true }),
    record({ t: '2026-11-20T10:10:00Z', source: 's3.amazonaws.com', name: 'ListBuckets', readOnly: true }),
    record({ t: '2026-11-20T10:20:00Z', source: 'ec2.amazonaws.com', name: 'AuthorizeSecurityGroupIngress', params: { groupId: 'sg-0123456789abcdef0', ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] } } }),
    record({ t: '2026-11-20T10:25:00Z', source: 's3.amazonaws.com', name: 'PutBucketLifecycle', params: { bucketName: 'acme-audit-store', LifecycleConfiguration: { Rule: { Expiration: { Days: 1 } } } } }),
    record({ t: '2026-11-20T10:26:00Z', source: 's3.amazonaws.com', name: 'PutBucketPolicy', params: { bucketName: 'acme-website' } }),
    record({ t: '2026-11-20T10:30:00Z', source: 'iam.amazonaws.com', name: 'AttachUserPolicy', params: { userName: 'ci-deploy', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }, user: 'mallory', ip: '203.0.113.66' }),
    record({ t: '2026-11-20T10:40:00Z', source: 'cloudtrail.amazonaws.com', name: 'StopLogging', params: { name: 'main' }, user: 'mallory', ip: '203.0.113.66', errorCode: 'AccessDenied' }),
    record({ t: '2026-11-20T10:50:00Z', source: 'cloudtrail.amazonaws.com', name: 'UpdateTrail', params: { name: 'main', enableLogFileValidation: false }, user: 'mallory', ip: '203.0.113.66' }),
  ]);
  const f = findings(r);
  const by = (title: RegExp) => f.find((x) => title.test(x.title));
  const sg = by(/^ec2:AuthorizeSecurityGroupIngress on sg-0123456789abcdef0 by lee\.cole$/);
  assert.equal(sg?.severity, 'high');
  assert.match(sg!.detail, /opened to the whole internet/);
  assert.match(sg!.detail, /from 198\.51\.100\.20 in eu-west-1 with aws-cli/);
  assert.ok(sg!.fix);
  assert.equal(sg!.facts?.['first call by this identity from this address'], undefined, 'lee.cole called from there at 10:00 already');
  assert.equal(by(/PutBucketLifecycle on acme-audit-store/)?.severity, 'medium', 'the trail\'s bucket holds logs');
  assert.equal(by(/acme-website/), undefined, 'not a log bucket');
  const admin = by(/iam:AttachUserPolicy/);
  assert.equal(admin?.severity, 'high');
  assert.equal(admin?.facts?.['first call by this identity from this address'], '2026-11-20T10:30:00Z');
  const refused = by(/^Attempted cloudtrail:StopLogging/);
  assert.equal(refused?.severity, 'high', 'a refused critical call is one step lower');
  assert.match(refused!.detail, /^Refused \(AccessDenied\)/);
  assert.equal(by(/cloudtrail:UpdateTrail/)?.severity, 'high');
  assert.equal(f[0]!.severity, 'high');
  // CreateTrail is a change (in the timeline) but no finding; reads are neither.
  const timeline = table(r, 'timeline');
  assert.deepEqual(timeline.rows.map((row) => row[3]), ['cloudtrail:CreateTrail', 'ec2:AuthorizeSecurityGroupIngress', 's3:PutBucketLifecycle', 'iam:AttachUserPolicy', 'cloudtrail:StopLogging', 'cloudtrail:UpdateTrail']);
  assert.equal(by(/CreateTrail/), undefined);
  const who = table(r, 'by-identity');
  assert.deepEqual(who.rows.map((row) => [row[0], row[1], row[2]]), [[`arn:aws:iam::${ACCOUNT}:user/lee.cole`, 3, 0], [`arn:aws:iam::${ACCOUNT}:user/mallory`, 3, 1]]);
  // Time range narrows everything.
  const later = await reportOf([record({ t: '2026-11-20T09:00:00Z', source: 'iam.amazonaws.com', name: 'CreateAccessKey', params: { userName: 'x' } })], { since: '2026-11-20T09:30:00Z' });
  // … and says where the events it left out are, instead of advising to ingest CloudTrail.
  assert.deepEqual(findings(later).map((x) => x.title), ['No CloudTrail events in this range']);
  assert.equal(findings(later)[0]!.detail, 'Nothing since 2026-11-20T09:30:00Z, but the store holds 1 aws.cloudtrail event from 2026-11-20T09:00:00Z to 2026-11-20T09:00:00Z.');
});

test('cloudtrail: read-only activity reports nothing; hostile values are escaped when rendered', async () => {
  const quiet = await reportOf([
    record({ t: '2026-11-20T10:00:00Z', source: 'cloudfront.amazonaws.com', name: 'GetDistribution', readOnly: true, params: { id: 'E1' } }),
    record({ t: '2026-11-20T10:01:00Z', source: 's3.amazonaws.com', name: 'ListBuckets', readOnly: true }),
  ]);
  assert.deepEqual(findings(quiet), []);
  assert.equal(table(quiet, 'timeline').rows.length, 0);

  const hostile = await reportOf([record({ t: '2026-11-20T10:00:00Z', source: 'wafv2.amazonaws.com', name: 'DeleteWebACL', params: { name: 'edge\u001b[2J', id: 'a' }, ua: 'evil\u001b]0;pwned\u0007' })]);
  const text = renderReport(hostile);
  assert.match(text, /\[HIGH\] wafv2:DeleteWebACL on edge\\x1b\[2J by lee\.cole/);
  assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text), 'no control characters reach the terminal');
});
