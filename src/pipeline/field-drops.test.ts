import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPipeline, type EventSink } from './run.js';
import { DeadLetterWriter } from './dead-letter.js';
import { totals } from './stats.js';
import { renderSummary } from '../cli/summary.js';
import { tempDir } from '../testing/tmp.js';

// A record kept with one malformed optional field left out is counted in the run's summary, so an
// operator sees that values were lost without reading every event's tags.

function cloudtrail(i: number, readOnly: unknown): string {
  return JSON.stringify({
    eventVersion: '1.09', eventTime: `2026-11-20T10:15:0${i}Z`, eventSource: 'iam.amazonaws.com', eventName: 'CreateUser',
    awsRegion: 'us-east-1', sourceIPAddress: '198.51.100.7', eventID: `7c0e9c3e-1111-4a2b-9c3d-00000000000${i}`,
    userIdentity: { type: 'IAMUser', accountId: '123456789012', userName: 'lee.cole' }, readOnly, eventType: 'AwsApiCall', recipientAccountId: '123456789012',
  });
}

test('events kept with a field left out are counted per source, in the totals and in the printed summary', async () => {
  const dir = tempDir();
  const path = join(dir, 'trail.ndjson');
  writeFileSync(path, [cloudtrail(1, false), cloudtrail(2, 'maybe'), cloudtrail(3, 7), cloudtrail(4, true)].join('\n') + '\n');
  const dead = new DeadLetterWriter(join(dir, 'dead.ndjson'));
  const sink: EventSink = { output: 'events', async write() {}, async endSource() {} };
  const summary = await runPipeline({ inputs: [path], format: 'aws.cloudtrail', threads: 0, sink, deadLetters: dead });
  await dead.close();
  const s = summary.sources[0]!;
  assert.deepEqual([s.records, s.events, s.rejected, s.fieldsDropped], [4, 4, 0, 2]);
  assert.equal(totals(summary).fieldsDropped, 2);
  const text = renderSummary(summary, false);
  assert.match(text, /2 events with a malformed field left out \(tags=_field_dropped\)/);
  assert.match(text, /0 rejected, 2 kept with a field left out/);
});
