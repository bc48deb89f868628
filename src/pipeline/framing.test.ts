import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { looksLikeDocument } from './framing.js';
import { runPipeline, type EventSink } from './run.js';
import { DeadLetterWriter } from './dead-letter.js';
import { tempDir } from '../testing/tmp.js';

const PANOS_JSON = '{"log_type":"traffic","sub_type":"end","time_generated":"2026-11-20T09:00:00Z","source_ip":"10.1.2.3","dest_ip":"13.224.10.5","source_port":52114,"dest_port":443,"action":"allow","protocol":"tcp"}';
const PANOS_LEEF = '<14>Nov 20 10:00:01 fw01 LEEF:1.0|Palo Alto Networks|PAN-OS Syslog Integration|11.0.3|allow|cat=TRAFFIC|ReceiveTime=2026/11/20 10:00:01|devTime=Nov 20 2026 09:00:00 GMT|src=10.1.2.3|dst=10.2.0.9|srcPort=1|dstPort=445|proto=tcp|action=allow';

test('a pretty-printed document is a document, whatever its layout', () => {
  const doc = { Records: [{ eventName: 'GetObject', n: 1, ok: true, list: ['a', 'b'], none: null }, { eventName: 'PutObject', nested: { a: { b: [] } } }] };
  assert.equal(looksLikeDocument(JSON.stringify(doc, null, 2)), true);
  assert.equal(looksLikeDocument(JSON.stringify(doc, null, 4)), true);
  assert.equal(looksLikeDocument('[\n  {"a":1},\n  {"a":2},\n  {"a":3}\n]'), true);
  assert.equal(looksLikeDocument('{\n"records": [\n{"a": "x,y"},\n{"a": "\\"quoted\\""}\n]\n}'), true);
});

test('lines of records are lines, even after a damaged first record', () => {
  assert.equal(looksLikeDocument(`${PANOS_JSON}\n${PANOS_JSON}`), false);
  assert.equal(looksLikeDocument(`${PANOS_JSON.slice(0, 80)}\n${PANOS_JSON}\n${PANOS_JSON}`), false);
  // Found by fuzzing: a damaged first JSON record in a file that mixes JSON and LEEF records made
  // the whole file one invalid document (one dead letter instead of every record's outcome).
  assert.equal(looksLikeDocument(`${PANOS_JSON.slice(0, 120)}\n${PANOS_LEEF}\n${PANOS_JSON}`), false);
  assert.equal(looksLikeDocument(`${PANOS_JSON}x\n${PANOS_LEEF}\n${PANOS_LEEF}\n${PANOS_LEEF}`), false);
});

test('a PAN-OS file mixing JSON and LEEF records, its first record damaged: only that record is rejected', async () => {
  const dir = tempDir();
  const path = join(dir, 'panos.log');
  const lines = [`${PANOS_JSON.slice(0, 120)}\u0000`, PANOS_LEEF, PANOS_JSON, PANOS_LEEF, PANOS_JSON];
  writeFileSync(path, lines.join('\n') + '\n');
  const dead = new DeadLetterWriter(join(dir, 'dead.ndjson'));
  let events = 0;
  const sink: EventSink = { output: 'events', async write(_s, r) { events += r.eventList?.length ?? 0; }, async endSource() {} };
  const summary = await runPipeline({ inputs: [path], format: 'panw.panos', threads: 0, sink, deadLetters: dead });
  await dead.close();
  const s = summary.sources[0]!;
  assert.deepEqual({ records: s.records, events: s.events, rejected: s.rejected, events_seen: events }, { records: 5, events: 4, rejected: 1, events_seen: 4 });
});
