import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FindingsSection, InsightReport } from './report.js';
import { flowLog, storeFromFiles } from './test-store.js';
import { INSIGHT_VIEWS } from './views.js';
import { cloudFrontLog } from '../testing/cloudfront-lines.js';
import { storedSpan } from './stored-span.js';

const findings = (r: InsightReport) => r.sections.filter((s): s is FindingsSection => s.kind === 'findings').flatMap((s) => s.findings);
const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);

test('every view: a range that misses the stored events says where they are; an empty store still says to ingest', async () => {
  const ts = await storeFromFiles(
    {
      'cf/E2EXAMPLE.2026-11-20-10.abcd1234': cloudFrontLog(30, { startMs: T0 }),
      'flows/eni.log': flowLog([{ eni: 'eni-0a1b2c3d4e5f60718', src: '198.51.100.7', dst: '10.0.1.5', srcPort: 40000, dstPort: 22, startS: T0 / 1000, action: 'REJECT' }]),
      'ct/trail.json': JSON.stringify({
        Records: [{
          eventVersion: '1.09', eventTime: '2026-11-20T10:05:00Z', eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', awsRegion: 'eu-west-1',
          userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/ci', accountId: '123456789012', userName: 'ci' }, sourceIPAddress: '192.0.2.99',
          requestParameters: { name: 'org-trail' }, eventID: '00000000-0000-4000-8000-000000000001', readOnly: false, eventType: 'AwsApiCall', recipientAccountId: '123456789012',
        }],
      }),
    },
    { analyses: false },
  );
  const store = await ts.open();
  try {
    const span = await storedSpan(store, ['aws.cloudtrail', 'aws.vpcflow']);
    assert.deepEqual(span.datasets.map((d) => [d.dataset, d.events]), [['aws.cloudtrail', 1], ['aws.vpcflow', 1]]);
    const since = '2026-12-01T00:00:00Z';
    for (const view of INSIGHT_VIEWS) {
      const hint = findings(await view.run(store, { since })).find((f) => / in this range$/.test(f.title));
      assert.ok(hint, `${view.id}: no hint`);
      assert.match(hint.detail, /^Nothing since 2026-12-01T00:00:00Z, but the store holds [\d,]+ \S*\s?events? from 2026-11-20T10:0\d:\d\dZ to 2026-11-20T10:0\d:\d\dZ/, view.id);
      assert.match(hint.fix!, /widen the range/);
      // Inside the data, no hint.
      const inside = findings(await view.run(store, { since: '2026-11-20T00:00:00Z' })).filter((f) => / in this range$/.test(f.title));
      assert.deepEqual(inside, [], view.id);
    }
    const trail = findings(await INSIGHT_VIEWS.find((v) => v.id === 'cloudtrail')!.run(store, { until: '2026-11-19T00:00:00Z' }));
    assert.deepEqual(trail.map((f) => [f.title, f.detail]), [['No CloudTrail events in this range', 'Nothing until 2026-11-19T00:00:00Z, but the store holds 1 aws.cloudtrail event from 2026-11-20T10:05:00Z to 2026-11-20T10:05:00Z.']]);
  } finally {
    await store.close();
  }
  // A store without CloudTrail at all: the advice stays "ingest it", range or not.
  const empty = await storeFromFiles({ 'flows/eni.log': flowLog([{ eni: 'eni-0a1b2c3d4e5f60718', src: '198.51.100.7', dst: '10.0.1.5', srcPort: 40000, dstPort: 22, startS: T0 / 1000 }]) }, { analyses: false });
  const s2 = await empty.open();
  try {
    const f = findings(await INSIGHT_VIEWS.find((v) => v.id === 'cloudtrail')!.run(s2, { since: '2026-12-01T00:00:00Z' }));
    assert.deepEqual(f.map((x) => x.title), ['No CloudTrail events']);
    assert.match(f[0]!.detail, /ingest the trail's S3 objects/);
  } finally {
    await s2.close();
  }
});
