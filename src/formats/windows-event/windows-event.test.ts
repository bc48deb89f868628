import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getPath, type EcsEvent } from '../../ecs/event.js';
import { windowsEvent } from './format.js';
import { splitJsonValues } from './split.js';
import { parseText } from '../../testing/parse.js';

export function parseWindows(text: string): { events: EcsEvent[]; rejected: string[] } {
  const events: EcsEvent[] = [];
  const rejected: string[] = [];
  const parser = windowsEvent.createParser({ source: 'test.json', original: false, options: {}, ingested: '2026-01-01T00:00:00.000Z' });
  parser.line(text, 1, { event: (e) => events.push(e), reject: (r) => rejected.push(r), skip: () => undefined });
  return { events, rejected };
}

const SYSMON = {
  Event: {
    '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
    System: {
      Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon', Guid: '5770385F-C22A-43E0-BF4C-06F5698FFBD9' } },
      EventID: 1,
      TimeCreated: { '#attributes': { SystemTime: '2025-11-27T07:40:10.165324Z' } },
      EventRecordID: 571146,
      Execution: { '#attributes': { ProcessID: 3544, ThreadID: 4272 } },
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      Computer: 'host1',
      Security: { '#attributes': { UserID: 'S-1-5-18' } },
    },
    EventData: { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd /c whoami', 'Threat Name': 'x' },
  },
};

test('Event.System and EventData flatten to winlog.* with the Windows names', () => {
  const { events, rejected } = parseWindows(JSON.stringify(SYSMON, null, 2));
  assert.deepEqual(rejected, []);
  const e = events[0]!;
  const w = e.winlog as Record<string, unknown>;
  assert.equal(w.event_id, '1');
  assert.equal(w.channel, 'Microsoft-Windows-Sysmon/Operational');
  assert.equal(w.provider_name, 'Microsoft-Windows-Sysmon');
  assert.equal(w.computer_name, 'host1');
  assert.deepEqual(w.event_data, { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd /c whoami', ThreatName: 'x' });
  assert.equal(e['@timestamp'], '2025-11-27T07:40:10.165Z');
  assert.equal(e.event!.dataset, 'windows.event');
  assert.equal(e.event!.code, '1');
  assert.equal(typeof e.event!.id, 'string');
});

test('several concatenated pretty-printed objects, arrays, UserData and Data lists', () => {
  const two = `${JSON.stringify(SYSMON, null, 2)}\n${JSON.stringify(SYSMON, null, 2)}`;
  assert.equal(parseWindows(two).events.length, 2);
  assert.equal(parseWindows(`[${JSON.stringify(SYSMON)},${JSON.stringify(SYSMON)}]`).events.length, 2);
  const ud = { Event: { System: { EventID: 5858, Channel: 'Microsoft-Windows-WMI-Activity/Operational', TimeCreated: '2026-01-01T00:00:00Z' }, UserData: { Operation_ClientFailure: { Operation: 'op', ResultCode: '0x1' } } } };
  assert.deepEqual((parseWindows(JSON.stringify(ud)).events[0]!.winlog as Record<string, unknown>).user_data, { Operation: 'op', ResultCode: '0x1' });
  const data = { Event: { System: { EventID: 4688, TimeCreated: '2026-01-01T00:00:00Z' }, EventData: { Data: [{ '#attributes': { Name: 'NewProcessName' }, '#text': 'C:\\a.exe' }] } } };
  assert.deepEqual((parseWindows(JSON.stringify(data)).events[0]!.winlog as Record<string, unknown>).event_data, { NewProcessName: 'C:\\a.exe' });
  const flat = { EventID: 4624, Channel: 'Security', LogonType: 3, TimeCreated: '2026-01-01T00:00:00Z' };
  assert.deepEqual(parseWindows(JSON.stringify(flat)).events[0]!.winlog, { event_id: '4624', channel: 'Security', event_data: { LogonType: 3 } });
});

test('a single Data element is named like a list of them (evtx tools print one Data as an object)', () => {
  const one = { Event: { System: { EventID: 4688, TimeCreated: '2026-01-01T00:00:00Z' }, EventData: { Data: { '#attributes': { Name: 'NewProcessName' }, '#text': 'C:\\a.exe' } } } };
  assert.deepEqual((parseWindows(JSON.stringify(one)).events[0]!.winlog as Record<string, unknown>).event_data, { NewProcessName: 'C:\\a.exe' });
  // xmltodict's '@Name' attributes, as python-evtx pipelines render them.
  const at = { Event: { System: { EventID: 4688, TimeCreated: { '@SystemTime': '2026-01-01T00:00:00Z' } }, EventData: { Data: [{ '@Name': 'NewProcessName', '#text': 'C:\\b.exe' }, { '@Name': 'Empty' }] } } };
  const e = parseWindows(JSON.stringify(at)).events[0]!;
  assert.deepEqual((e.winlog as Record<string, unknown>).event_data, { NewProcessName: 'C:\\b.exe', Empty: null });
  assert.equal(e['@timestamp'], '2026-01-01T00:00:00Z');
});

test('bad input is rejected with the reason', () => {
  assert.match(parseWindows('{"Event": {"System": {}}}').rejected[0]!, /EventID/);
  assert.match(parseWindows('{"a": ').rejected[0]!, /invalid JSON/);
  assert.match(parseWindows('junk {"EventID": 1}').rejected[0]!, /outside them/);
  assert.deepEqual(splitJsonValues('{"a":"}{"} {"b":[1,{}]}').values, ['{"a":"}{"}', '{"b":[1,{}]}']);
});

test('detect recognizes rendered events', () => {
  const lines = JSON.stringify(SYSMON, null, 2).split('\n');
  assert.ok(windowsEvent.detect({ name: 'x.json', lines }) >= 0.9);
  assert.equal(windowsEvent.detect({ name: 'x.log', lines: ['2026-01-01 GET /'] }), 0);
});

test('found by fuzzing: an empty array is a counted skip, deep nesting a rejection, System members fit their field types', () => {
  const empty = parseText('windows.event', '[]');
  assert.deepEqual([empty.records, empty.events.length, empty.rejected.length, empty.skipped], [1, 0, 0, { 'empty JSON array': 1 }]);
  // JSON.parse reads 10^5 levels; walking them (or writing the event) overflowed the stack: "parser failure".
  const deep = parseText('windows.event', `{"EventID":1,"Channel":"Security","X":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
  assert.deepEqual(deep.rejected.map((d) => d.reason), ['JSON nested deeper than 100 levels; a Windows event is a few levels deep']);
  const odd = { Event: { System: { EventID: 1, TimeCreated: '2026-11-20T10:00:00Z', Channel: [1, 'a'], Level: [null], Version: 'x', Execution: { '#attributes': { ProcessID: 'abc', ThreadID: '7' } } } } };
  const oddEvent = parseText('windows.event', JSON.stringify(odd)).events[0]!;
  const w = oddEvent.winlog as Record<string, unknown>;
  // Lists where Windows writes one value, and numbers that are not, are left out and noted; the thread id is kept.
  assert.deepEqual([w.channel, w.level, w.version, w.process], [undefined, undefined, undefined, { thread: { id: 7 } }]);
  assert.deepEqual(getPath(oddEvent, 'packettrail.dropped_fields'), ['channel', 'level', 'Version', 'ProcessID']);
  const pids = { ...odd.Event.System, Version: '3', Execution: { '#attributes': { ProcessID: '4', ThreadID: 'x' } } };
  const w2 = parseText('windows.event', JSON.stringify({ Event: { System: pids } })).events[0]!.winlog as Record<string, unknown>;
  assert.deepEqual([w2.version, w2.process], [3, { pid: 4 }]);
});

test('found by fuzzing: EventData names like __proto__ are fields of their own, not the prototype of event_data', () => {
  const text = '{"Event":{"System":{"EventID":1,"TimeCreated":"2026-11-20T10:00:00Z"},"EventData":{"__proto__":{"a":1},"constructor":"c","X":2}}}';
  const data = (parseText('windows.event', text).events[0]!.winlog as Record<string, unknown>).event_data as object;
  assert.equal(Object.getPrototypeOf(data), Object.prototype);
  assert.equal(JSON.stringify(data), '{"__proto__":{"a":1},"constructor":"c","X":2}');
  const flat = parseText('windows.event', '{"EventID":4624,"Channel":"Security","TimeCreated":"2026-11-20T10:00:00Z","__proto__":"x"}').events[0]!;
  // TimeCreated is the event's time in the flat form, not event data.
  assert.equal(JSON.stringify((flat.winlog as Record<string, unknown>).event_data), '{"__proto__":"x"}');
});
