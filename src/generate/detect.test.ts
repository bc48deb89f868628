import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { engineFor, makeSpec } from '../detect/spec.js';
import { DetectionStage } from '../detect/stage.js';
import { DeadLetterWriter } from '../pipeline/dead-letter.js';
import { runPipeline, type EventSink } from '../pipeline/run.js';
import { tempDir } from '../testing/tmp.js';
import { generate, LOGS_DIR } from './generate.js';
import type { Incident } from './model.js';
import { scoreAlerts } from './score.js';
import { MemoryAlertSink } from '../detect/alerts/memory-sink.js';


const none: EventSink = { output: 'none', async write() {}, async endSource() {} };

test('built-in rules on the scenario: recall 100 %, precision ≥ 0.9 against truth.json', async () => {
  const dir = tempDir();
  await generate({ out: dir, users: 6, hours: 2, seed: 'detect' });
  const spec = makeSpec({ rules: [], intel: [], builtin: true });
  const engine = engineFor(spec);
  const collect = new MemoryAlertSink('test');
  const stage = new DetectionStage(engine.rules, [collect], { createCorrelator: engine.createCorrelator });
  const deadLetters = new DeadLetterWriter(join(dir, 'dead.ndjson'));
  await runPipeline({ inputs: [join(dir, LOGS_DIR)], format: 'auto', threads: 0, sink: stage.wrap(none), deadLetters, detection: spec });
  await stage.finish();
  await deadLetters.close();
  const { incidents } = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as { incidents: Incident[] };
  // Post-ingest analyses (coverage, anomalies) do not run in this stream-only test: expect the loaded rules only.
  const streamed = incidents.map((i) => ({ ...i, detections: i.detections.filter((d) => engine.rules.has(d.id)) }));
  const score = scoreAlerts(collect.alerts, streamed);
  assert.deepEqual(score.missed, []);
  assert.equal(score.recall, 1);
  assert.ok(score.precision >= 0.9, `precision ${score.precision}: ${JSON.stringify(score.rules)}`);
});
