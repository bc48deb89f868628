import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../testing/tmp.js';
import { runPosture } from '../../commands/posture.js';
import type { FindingsSection, InsightReport, TableSection } from '../report.js';
import { parsePostureInputs, postureReport } from './index.js';

const ARN = 'arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail';

/** A trail with every setting right, as `aws cloudtrail describe-trails` prints it. */
function goodTrail(): Record<string, unknown> {
  return {
    Name: 'org-trail', S3BucketName: 'acme-cloudtrail-logs', S3KeyPrefix: 'org', IncludeGlobalServiceEvents: true, IsMultiRegionTrail: true,
    HomeRegion: 'us-east-1', TrailARN: ARN, LogFileValidationEnabled: true,
    CloudWatchLogsLogGroupArn: 'arn:aws:logs:us-east-1:123456789012:log-group:cloudtrail:*', CloudWatchLogsRoleArn: 'arn:aws:iam::123456789012:role/ct-logs',
    KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', HasCustomEventSelectors: true, HasInsightSelectors: false, IsOrganizationTrail: true,
  };
}
const goodStatus = () => ({ IsLogging: true, LatestDeliveryTime: '2026-11-20T10:00:00Z', StartLoggingTime: '2026-01-01T00:00:00Z', TimeLoggingStarted: '2026-01-01T00:00:00Z' });
const goodSelectors = () => ({
  TrailARN: ARN,
  AdvancedEventSelectors: [
    { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
    { Name: 'S3', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: ['AWS::S3::Object'] }] },
    { Name: 'Lambda', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: ['AWS::Lambda::Function'] }] },
  ],
});

function report(trail: Record<string, unknown>, status: Record<string, unknown> | undefined, selectors: Record<string, unknown> | undefined): InsightReport {
  const inputs = [{ file: 'trails.json', text: JSON.stringify({ trailList: [trail] }) }];
  if (status) inputs.push({ file: 'status-org-trail.json', text: JSON.stringify(status) });
  if (selectors) inputs.push({ file: 'selectors.json', text: JSON.stringify(selectors) });
  const parsed = parsePostureInputs(inputs);
  assert.deepEqual(parsed.problems, []);
  return postureReport(parsed);
}

const checks = (r: InsightReport) => (r.sections[0] as FindingsSection).findings.map((f) => f.facts?.check);

test('posture: a good trail has no findings', () => {
  const r = report(goodTrail(), goodStatus(), goodSelectors());
  assert.deepEqual((r.sections[0] as FindingsSection).findings, []);
  const row = (r.sections[1] as TableSection).rows[0]!;
  assert.deepEqual(row.slice(0, 3), ['org-trail', 'us-east-1', 'yes']);
  assert.deepEqual(row.slice(-3), ['all', 'all', 'all']);
});

test('posture: each weakness raises its own finding, with reason and fix', () => {
  type Case = [string, (t: Record<string, unknown>, s: Record<string, unknown>, sel: Record<string, unknown>) => void];
  const cases: Case[] = [
    ['not-logging', (_t, s) => Object.assign(s, { IsLogging: false, StopLoggingTime: '2026-11-20T13:13:30Z' })],
    ['single-region', (t) => (t.IsMultiRegionTrail = false)],
    ['no-global-events', (t) => (t.IncludeGlobalServiceEvents = false)],
    ['no-validation', (t) => (t.LogFileValidationEnabled = false)],
    ['no-kms', (t) => delete t.KmsKeyId],
    ['not-organization', (t) => (t.IsOrganizationTrail = false)],
    ['no-s3', (t) => delete t.S3BucketName],
    ['s3-delivery-error', (_t, s) => (s.LatestDeliveryError = 'AccessDenied')],
    ['no-cloudwatch', (t) => delete t.CloudWatchLogsLogGroupArn],
    ['cloudwatch-delivery-error', (_t, s) => (s.LatestCloudWatchLogsDeliveryError = 'AccessDeniedException')],
    ['digest-delivery-error', (_t, s) => (s.LatestDigestDeliveryError = 'NoSuchBucket')],
    ['management-off', (_t, _s, sel) => ((sel.AdvancedEventSelectors as unknown[]).splice(0, 1))],
    ['management-partial', (_t, _s, sel) => ((sel.AdvancedEventSelectors as { FieldSelectors: unknown[] }[])[0]!.FieldSelectors.push({ Field: 'readOnly', Equals: ['false'] }))],
    ['s3-data-off', (_t, _s, sel) => ((sel.AdvancedEventSelectors as unknown[]).splice(1, 1))],
    ['s3-data-partial', (_t, _s, sel) => ((sel.AdvancedEventSelectors as { FieldSelectors: unknown[] }[])[1]!.FieldSelectors.push({ Field: 'resources.ARN', StartsWith: ['arn:aws:s3:::acme-data/'] }))],
    ['lambda-data-off', (_t, _s, sel) => ((sel.AdvancedEventSelectors as unknown[]).splice(2, 1))],
  ];
  for (const [check, weaken] of cases) {
    const t = goodTrail();
    const s = goodStatus() as Record<string, unknown>;
    const sel = goodSelectors() as Record<string, unknown>;
    weaken(t, s, sel);
    const r = report(t, s, sel);
    const f = (r.sections[0] as FindingsSection).findings;
    assert.deepEqual(checks(r).filter((c) => c !== 'no-multi-region-trail'), [check], check);
    const finding = f.find((x) => x.facts?.check === check)!;
    assert.ok(finding.detail.length > 20 && finding.fix && finding.fix.length > 10, check);
    assert.ok(finding.title.startsWith('org-trail: '), check);
  }
});

test('posture: classic event selectors, defaults without selectors, shadow trails, status matched by name', () => {
  const classic = {
    TrailARN: ARN,
    EventSelectors: [
      { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::acme-data/'] }], ExcludeManagementEventSources: [] },
      { ReadWriteType: 'WriteOnly', IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::Lambda::Function', Values: ['arn:aws:lambda'] }] },
    ],
  };
  const r = report(goodTrail(), goodStatus(), classic);
  assert.deepEqual(checks(r), ['s3-data-partial', 'lambda-data-partial']);
  assert.match(String((r.sections[1] as TableSection).rows[0]![11]), /only arn:aws:s3:::acme-data\//);

  // No custom selectors: all management events, no data events.
  const plain = { ...goodTrail(), HasCustomEventSelectors: false };
  assert.deepEqual(checks(report(plain, goodStatus(), undefined)), ['s3-data-off', 'lambda-data-off']);
  // Custom selectors, none given: said so, not guessed.
  assert.deepEqual(checks(report(goodTrail(), undefined, undefined)), ['status-missing', 'selectors-missing']);

  // Files in any order; a shadow copy from another region is one trail; the status names its trail.
  const second = { ...goodTrail(), Name: 'audit', TrailARN: 'arn:aws:cloudtrail:eu-west-1:123456789012:trail/audit', HomeRegion: 'eu-west-1', IsMultiRegionTrail: false, HasCustomEventSelectors: false };
  const parsed = parsePostureInputs([
    { file: 'sel.json', text: JSON.stringify(goodSelectors()) },
    { file: 'status-a.json', text: JSON.stringify({ ...goodStatus(), Name: 'audit', IsLogging: false }) },
    { file: 'status-org-trail.json', text: JSON.stringify(goodStatus()) },
    { file: 'us-east-1.json', text: JSON.stringify({ trailList: [goodTrail(), second] }) },
    { file: 'eu-west-1.json', text: JSON.stringify({ trailList: [goodTrail()] }) },
  ]);
  assert.deepEqual(parsed.problems, []);
  assert.equal(parsed.trails.length, 2);
  const both = postureReport(parsed);
  const titles = (both.sections[0] as FindingsSection).findings.map((f) => f.title);
  assert.ok(titles.includes('audit: logging is off') && titles.includes('audit: records one region only'), titles.join('; '));
  assert.ok(!titles.some((t) => t.startsWith('org-trail')), titles.join('; '));
});

test('posture: account-level findings when no trail covers every region', () => {
  const t = { ...goodTrail(), IsMultiRegionTrail: false };
  assert.ok(checks(report(t, goodStatus(), goodSelectors())).includes('no-multi-region-trail'));
  assert.deepEqual(checks(postureReport(parsePostureInputs([{ file: 'empty.json', text: '{"trailList": []}' }]))), ['no-trail']);
});

test('posture: bad input is reported with the file and the position, never thrown', () => {
  const parsed = parsePostureInputs([
    { file: 'broken.json', text: '{\n  "trailList": [\n    {"Name": "x",}\n  ]\n}' },
    { file: 'other.json', text: '{"Foo": 1}' },
    { file: 'status.json', text: '{"IsLogging": true}' },
    { file: 'list.json', text: '[1]' },
  ]);
  const msgs = parsed.problems.map((p) => `${p.file}: ${p.message}`);
  assert.match(msgs[0]!, /^broken\.json: not valid JSON at line 3, column 1\d/);
  assert.match(msgs[1]!, /^other\.json: the document is none of describe-trails/);
  assert.match(msgs[2]!, /^list\.json: \[0\] is not an object/);
  assert.match(msgs[3]!, /^status\.json: get-trail-status output has no trail to belong to/);
});

test('posture command: text, JSON, problems on stderr and exit code 1', () => {
  const dir = tempDir();
  const trails = join(dir, 'trails.json');
  const status = join(dir, 'status-org-trail.json');
  writeFileSync(trails, JSON.stringify({ trailList: [{ ...goodTrail(), Name: 'org-trail\u001b[31m', LogFileValidationEnabled: false }] }));
  writeFileSync(status, JSON.stringify({ ...goodStatus(), Name: 'org-trail\u001b[31m' }));
  const ok = runPosture([trails, status], {});
  assert.equal(ok.code, 0);
  assert.match(ok.out, /\[MEDIUM\] org-trail\\x1b\[31m: log file validation is off/);
  assert.match(ok.out, /fix: aws cloudtrail update-trail --name org-trail\\x1b\[31m --enable-log-file-validation/);
  assert.ok(!ok.out.includes('\u001b'));
  // A directory cannot be read: a problem of that input (exit 1), the others are assessed.
  const bad = runPosture([trails, dir], { json: true });
  assert.equal(bad.code, 1);
  assert.match(bad.err, /cannot read: EISDIR/);
  const json = JSON.parse(bad.out) as InsightReport & { problems: unknown[] };
  assert.equal(json.view, 'posture');
  assert.equal(json.problems.length, 1);
});

test('posture: an input that cannot be read is reported alone, not also as a CRITICAL "No trail"; a missing file is a usage error', () => {
  const dir = tempDir();
  const unreadable = runPosture([dir], {});
  assert.equal(unreadable.code, 1);
  assert.match(unreadable.err, /^packettrail posture: .*: cannot read: EISDIR\n$/);
  assert.equal(unreadable.out, '', 'no report: nothing could be assessed');
  const json = JSON.parse(runPosture([dir], { json: true }).out) as InsightReport;
  assert.deepEqual((json.sections[0] as FindingsSection).findings, [], 'no "No trail" finding');
  assert.throws(() => runPosture([join(dir, 'missing.json')], {}), (e: Error & { exitCode?: number }) => e.exitCode === 2 && /no such input: .*missing\.json/.test(e.message));
});
