import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { looksLikeDocument } from './framing.js';
import { runPipeline, type EventSink } from './run.js';
import { DeadLetterWriter, type DeadLetterEntry } from './dead-letter.js';
import { DEAD_LETTER_RECORD_CHARS, type ChunkResult } from './chunk.js';
import { tempDir } from '../testing/tmp.js';
import { needsShared, sharedPath } from '../testing/shared.js';

// json-or-lines framing: one bad record, wherever it is, is the only record rejected; the dead
// letter holds it whole so that it can be recovered.

const DEFENDER = 'microsoft.defender';
const ROUTE53 = 'aws.route53resolver';

function defenderLine(i: number): string {
  return JSON.stringify({
    time: '2026-11-20T10:05:00.1234567Z', tenantId: 'tenant-1', operationName: 'Publish', category: 'AdvancedHunting-DeviceNetworkEvents',
    properties: {
      DeviceId: `dev-${i}`, DeviceName: 'wks-042.corp.example', MachineGroup: 'Workstations', ReportId: 4000 + i, Timestamp: `2026-11-20T10:00:${String(i % 60).padStart(2, '0')}.4567891Z`,
      ActionType: 'ConnectionSuccess', InitiatingProcessFileName: 'chrome.exe', InitiatingProcessAccountSid: 'S-1-5-21-1-2-3-1104',
      LocalIP: '10.20.1.15', LocalPort: 52311, RemoteIP: '13.224.10.1', RemotePort: 443, RemoteUrl: 'app.example.com', Protocol: 'TcpV4',
    },
  });
}

function route53Line(i: number): string {
  return JSON.stringify({
    version: '1.100000', account_id: '111122223333', region: 'eu-west-1', vpc_id: 'vpc-0a1b2c3d4e5f67890', query_timestamp: `2025-03-01T10:00:${String(i % 60).padStart(2, '0')}Z`,
    query_name: `host${i}.example.com.`, query_type: 'A', query_class: 'IN', rcode: 'NOERROR', answers: [{ Rdata: '198.51.100.10', Type: 'A', Class: 'IN' }],
    srcaddr: '10.0.3.25', srcport: String(50000 + i), transport: 'UDP', srcids: { instance: 'i-0123456789abcdef0' },
  });
}

interface Outcome {
  events: Record<string, any>[];
  dead: DeadLetterEntry[];
  records: number;
  rejected: number;
  format: string;
}

async function run(name: string, text: string, format: string): Promise<Outcome> {
  const dir = tempDir();
  const path = join(dir, name);
  writeFileSync(path, text);
  const events: Record<string, any>[] = [];
  const sink: EventSink = {
    output: 'ndjson',
    async write(_s, r: ChunkResult) {
      for (const l of r.text.split('\n')) if (l) events.push(JSON.parse(l));
    },
    async endSource() {},
  };
  const deadPath = join(dir, 'dead.ndjson');
  const dead = new DeadLetterWriter(deadPath);
  const summary = await runPipeline({ inputs: [path], format, threads: 0, sink, deadLetters: dead });
  await dead.close();
  const letters = dead.count ? readFileSync(deadPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as DeadLetterEntry) : [];
  const s = summary.sources[0]!;
  return { events, dead: letters, records: s.records, rejected: s.rejected, format: s.format };
}

const COUNT = 200;
const damages: [string, (lines: string[]) => { text: string; bad: number }][] = [
  ['a NUL byte in the first record', (l) => ({ text: [l[0]!.slice(0, 100) + '\u0000' + l[0]!.slice(101), ...l.slice(1)].join('\n') + '\n', bad: 0 })],
  ['a truncated first record', (l) => ({ text: [l[0]!.slice(0, l[0]!.length >> 1), ...l.slice(1)].join('\n') + '\n', bad: 0 })],
  ['a bad record in the middle', (l) => ({ text: [...l.slice(0, 100), l[100]!.slice(0, 40), ...l.slice(101)].join('\n') + '\n', bad: 100 })],
  ['a bad last record without a trailing newline', (l) => ({ text: [...l.slice(0, -1), l[l.length - 1]!.slice(0, 50)].join('\n'), bad: l.length - 1 })],
];

for (const [formatId, make] of [[DEFENDER, defenderLine], [ROUTE53, route53Line]] as const) {
  for (const [what, damage] of damages) {
    test(`${formatId}, ${what}: exactly that record is a dead letter, kept whole; every other record is an event (fixed format and auto)`, async () => {
      const lines = Array.from({ length: COUNT }, (_, i) => make(i));
      const { text, bad } = damage(lines);
      const badRecord = text.split('\n')[bad]!;
      for (const format of [formatId, 'auto']) {
        const r = await run('records.json', text, format);
        assert.equal(r.format, formatId, format);
        assert.equal(r.events.length, COUNT - 1, `${format}: events`);
        assert.equal(r.dead.length, 1, `${format}: dead letters: ${JSON.stringify(r.dead.map((d) => d.reason))}`);
        assert.equal(r.dead[0]!.line, bad + 1);
        assert.equal(r.dead[0]!.record, badRecord);
        assert.equal(r.dead[0]!.truncated, undefined);
        assert.equal(r.records, r.events.length + r.dead.length, 'events + dead letters = records');
        assert.equal(r.rejected, 1);
      }
    });
  }
}

test('a damaged first record longer than the old 64 KiB clip is kept whole; past DEAD_LETTER_RECORD_CHARS it says it was cut and how long it was', async () => {
  const big = (n: number) => JSON.stringify({ ...JSON.parse(route53Line(0)), query_name: `${'a'.repeat(n)}.example.com.` });
  for (const size of [200 * 1024, DEAD_LETTER_RECORD_CHARS + 1000]) {
    const first = big(size).slice(0, -5);
    const r = await run('big.json', [first, route53Line(1), route53Line(2)].join('\n') + '\n', 'auto');
    assert.equal(r.events.length, 2);
    assert.equal(r.dead.length, 1);
    const d = r.dead[0]!;
    if (first.length <= DEAD_LETTER_RECORD_CHARS) {
      assert.equal(d.record, first);
      assert.equal(d.truncated, undefined);
    } else {
      assert.equal(d.record, first.slice(0, DEAD_LETTER_RECORD_CHARS));
      assert.equal(d.truncated, true);
      assert.equal(d.originalLength, first.length);
    }
  }
});

test('pretty-printed documents are still read whole (one object, a one-element array, a records batch)', async () => {
  const one = await run('one.json', JSON.stringify(JSON.parse(route53Line(3)), null, 2), ROUTE53);
  assert.deepEqual([one.events.length, one.dead.length, one.records], [1, 0, 1]);
  const array = await run('array.json', `[\n${defenderLine(1)}\n]\n`, 'auto');
  assert.deepEqual([array.format, array.events.length, array.dead.length], [DEFENDER, 1, 0]);
  const batch = await run('batch.json', JSON.stringify({ records: [1, 2, 3].map((i) => JSON.parse(defenderLine(i))) }, null, 2), DEFENDER);
  assert.deepEqual([batch.events.length, batch.dead.length], [3, 0]);
  const compactRows = await run('rows.json', `{"records": [\n${[1, 2, 3].map(defenderLine).join(',\n')}\n]}\n`, DEFENDER);
  assert.deepEqual([compactRows.events.length, compactRows.dead.length], [3, 0]);
});

test('the Elastic Defender and Route 53 samples with a NUL in the first record lose only that record', { skip: needsShared() }, async () => {
  for (const [file, formatId] of [['testdata/elastic/m365_defender/event/test-device.log', DEFENDER], ['testdata/elastic/aws/route53_resolver_logs/test-route53.log', ROUTE53]] as const) {
    const text = readFileSync(sharedPath(file), 'utf8');
    const records = text.split('\n').filter((l) => l.trim()).length;
    const damaged = text.slice(0, 100) + '\u0000' + text.slice(101);
    for (const format of [formatId, 'auto']) {
      const r = await run('sample.log', damaged, format);
      assert.deepEqual([r.format, r.events.length, r.dead.length, r.records], [formatId, records - 1, 1, records], `${file} ${format}`);
      assert.equal(r.dead[0]!.record, damaged.split('\n')[0]);
    }
  }
});

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
