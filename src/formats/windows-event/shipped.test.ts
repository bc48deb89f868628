import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EcsEvent } from '../../ecs/event.js';
import { detectFormat } from '../registry.js';
import { parseText } from '../../testing/parse.js';

// Windows events in the JSON shapes shippers write, built from their documentation: NXLog's
// im_msvistalog fields through to_json() (and Logstash's additions), Winlogbeat 7+/Elastic Agent's
// winlog.* and Winlogbeat 6's top-level names (Winlogbeat "Exported fields" reference).

type W = Record<string, unknown>;
const winlog = (e: EcsEvent) => e.winlog as W;

/** NXLog im_msvistalog → to_json(), as its reference lists the fields (a Security 4624). */
const NXLOG_4624 = {
  EventTime: '2019-10-07 14:13:24',
  Hostname: 'WIN-IVR26KQD3TA',
  Keywords: -9214364837600034816,
  EventType: 'AUDIT_SUCCESS',
  SeverityValue: 2,
  Severity: 'INFO',
  EventID: 4624,
  SourceName: 'Microsoft-Windows-Security-Auditing',
  ProviderGuid: '{54849625-5478-4994-A5BA-3E3B0328C30D}',
  Version: 2,
  Task: 12544,
  OpcodeValue: 0,
  RecordNumber: 2233,
  ActivityID: '{5B3C6E1A-7D0F-0000-D66E-3C5B0F7DD501}',
  ExecutionProcessID: 604,
  ThreadID: 2936,
  Channel: 'Security',
  Message: 'An account was successfully logged on.',
  Category: 'Logon',
  Opcode: 'Info',
  SubjectUserSid: 'S-1-5-18',
  SubjectUserName: 'WIN-IVR26KQD3TA$',
  TargetUserName: 'Administrator',
  LogonType: '2',
  EventReceivedTime: '2019-10-07 14:13:25',
  SourceModuleName: 'eventlog',
  SourceModuleType: 'im_msvistalog',
};

test('NXLog flat JSON: EventTime gives the time (in --timezone), Hostname the host, SourceName the provider', () => {
  const { events, rejected } = parseText('windows.event', JSON.stringify(NXLOG_4624), { options: { timezone: '+02:00' } });
  assert.deepEqual(rejected, []);
  const e = events[0]!;
  assert.equal(e['@timestamp'], '2019-10-07T12:13:24Z');
  assert.equal(e.event!.created, '2019-10-07T12:13:25Z');
  assert.deepEqual(e.host, { name: 'WIN-IVR26KQD3TA' });
  assert.equal(e.event!.provider, 'Microsoft-Windows-Security-Auditing');
  assert.equal(e.event!.outcome, 'success');
  const w = winlog(e);
  assert.equal(w.provider_name, 'Microsoft-Windows-Security-Auditing');
  assert.equal(w.computer_name, 'WIN-IVR26KQD3TA');
  assert.equal(w.record_id, '2233');
  assert.equal(w.keywords, '0x8020000000000000');
  assert.deepEqual(w.process, { pid: 604, thread: { id: 2936 } });
  assert.equal(e.message, 'An account was successfully logged on.');
  // EventData only: the shipper's own fields went to their ECS homes or were NXLog bookkeeping.
  assert.deepEqual(w.event_data, { ThreadID: 2936, Category: 'Logon', SubjectUserSid: 'S-1-5-18', SubjectUserName: 'WIN-IVR26KQD3TA$', TargetUserName: 'Administrator', LogonType: '2' });
});

test('NXLog via Logstash: @timestamp wins over the zone-less EventTime; host/port/tags; lower-case channel', () => {
  const rec = { ...NXLOG_4624, Channel: 'security', '@timestamp': '2019-10-07T18:13:25.120Z', '@version': '1', host: 'wec.internal.cloudapp.net', port: 64545, tags: ['mordorDataset'] };
  const e = parseText('windows.event', JSON.stringify(rec)).events[0]!;
  assert.equal(e['@timestamp'], '2019-10-07T18:13:25.120Z');
  assert.equal(winlog(e).channel, 'Security');
  assert.deepEqual((e.log as W).source, { address: 'wec.internal.cloudapp.net:64545' });
  assert.deepEqual(e.tags, ['mordorDataset']);
  // The receive time has no zone and none was given: left out rather than guessed.
  assert.equal(e.event!.created, undefined);
  assert.equal((winlog(e).event_data as W)['@version'], undefined);
});

test('a flat record with no time is rejected naming the fields looked for; a bad TimeCreated falls back and is noted', () => {
  const none = parseText('windows.event', JSON.stringify({ EventID: 4624, Channel: 'Security', LogonType: 3 }));
  assert.equal(none.events.length, 0);
  assert.match(none.rejected[0]!.reason, /expected the event time \(TimeCreated, @timestamp, EventTime\)/);
  const bad = parseText('windows.event', JSON.stringify({ EventID: 4624, Channel: 'Security', TimeCreated: 'yesterday' }));
  assert.match(bad.rejected[0]!.reason, /TimeCreated 'yesterday' is not a time/);
  const fallback = parseText('windows.event', JSON.stringify({ EventID: 4624, Channel: 'Security', TimeCreated: 'yesterday', '@timestamp': '2022-08-08T01:55:22.222Z' }));
  const e = fallback.events[0]!;
  assert.equal(e['@timestamp'], '2022-08-08T01:55:22.222Z');
  assert.deepEqual(e.tags, ['_field_dropped']);
  assert.deepEqual((e.packettrail as W).dropped_fields, ['TimeCreated']);
  assert.equal(typeof e.event!.original, 'string');
});

test('one malformed optional field is left out and noted, the record kept', () => {
  const rendered = {
    Event: {
      System: {
        Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon' } },
        EventID: 1,
        Version: 'five',
        TimeCreated: { '#attributes': { SystemTime: '2025-11-27T07:40:10.165Z' } },
        Execution: { '#attributes': { ProcessID: 'x12', ThreadID: 4272 } },
        Channel: 'Microsoft-Windows-Sysmon/Operational',
        Computer: 'host1',
      },
      EventData: { Image: 'C:\\Windows\\System32\\cmd.exe' },
    },
  };
  const { events, rejected } = parseText('windows.event', JSON.stringify(rendered));
  assert.deepEqual(rejected, []);
  const e = events[0]!;
  assert.equal(winlog(e).version, undefined);
  assert.deepEqual(winlog(e).process, { thread: { id: 4272 } });
  assert.deepEqual((e.packettrail as W).dropped_fields, ['Version', 'ProcessID']);
  assert.deepEqual((e.packettrail as W).field_errors, ["Version 'five' is not a whole number", "ProcessID 'x12' is not a whole number"]);
  // The event id is what the record is about: unreadable, it rejects the record.
  const badId = parseText('windows.event', JSON.stringify({ ...rendered, Event: { ...rendered.Event, System: { ...rendered.Event.System, EventID: 'logon' } } }));
  assert.match(badId.rejected[0]!.reason, /EventID 'logon' is not an event id/);
});

/** Winlogbeat 8 / Elastic Agent (winlog.event_id a string, event.code, host.name, winlog.time_created). */
const WINLOGBEAT_8 = {
  '@timestamp': '2023-05-04T10:00:01.500Z',
  agent: { type: 'winlogbeat', version: '8.7.0', name: 'DESKTOP-1' },
  event: { code: '1', kind: 'event', provider: 'Microsoft-Windows-Sysmon', action: 'Process Create (rule: ProcessCreate)', created: '2023-05-04T10:00:02.000Z' },
  host: { name: 'desktop-1.corp.local' },
  log: { level: 'information' },
  message: 'Process Create:\nRuleName: -',
  winlog: {
    api: 'wineventlog',
    channel: 'Microsoft-Windows-Sysmon/Operational',
    computer_name: 'DESKTOP-1.corp.local',
    event_id: '1',
    provider_name: 'Microsoft-Windows-Sysmon',
    provider_guid: '{5770385f-c22a-43e0-bf4c-06f5698ffbd9}',
    record_id: 42,
    task: 'Process Create (rule: ProcessCreate)',
    opcode: 'Info',
    version: 5,
    process: { pid: 2840, thread: { id: 3520 } },
    user: { identifier: 'S-1-5-18', name: 'SYSTEM', domain: 'NT AUTHORITY', type: 'User' },
    time_created: '2023-05-04T10:00:00.123Z',
    event_data: { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd.exe /c whoami', User: 'CORP\\alice' },
  },
};

test('Winlogbeat 7+/Elastic Agent: winlog.* read as the same fields', () => {
  const { events, rejected } = parseText('windows.event', JSON.stringify(WINLOGBEAT_8));
  assert.deepEqual(rejected, []);
  const e = events[0]!;
  assert.equal(e['@timestamp'], '2023-05-04T10:00:00.123Z');
  assert.equal(e.event!.created, '2023-05-04T10:00:02Z');
  assert.equal(e.event!.code, '1');
  assert.equal(e.event!.provider, 'Microsoft-Windows-Sysmon');
  assert.equal(e.event!.action, 'Process Create (rule: ProcessCreate)');
  assert.deepEqual(e.host, { name: 'DESKTOP-1.corp.local' });
  assert.equal(e.message, 'Process Create:\nRuleName: -');
  const w = winlog(e);
  assert.equal(w.event_id, '1');
  assert.equal(w.channel, 'Microsoft-Windows-Sysmon/Operational');
  assert.equal(w.record_id, '42');
  assert.deepEqual(w.user, { identifier: 'S-1-5-18', name: 'SYSTEM', domain: 'NT AUTHORITY', type: 'User' });
  assert.deepEqual(w.event_data, WINLOGBEAT_8.winlog.event_data);
  // 7.x wrote event_id as a number and had no time_created: @timestamp is the event time.
  const v7 = { ...WINLOGBEAT_8, winlog: { ...WINLOGBEAT_8.winlog, event_id: 1, time_created: undefined, computer_name: undefined } };
  const e7 = parseText('windows.event', JSON.stringify(v7)).events[0]!;
  assert.equal(e7['@timestamp'], '2023-05-04T10:00:01.500Z');
  assert.equal(winlog(e7).event_id, '1');
  assert.deepEqual(e7.host, { name: 'desktop-1.corp.local' });
});

/** Winlogbeat 6 (event_id, log_name, source_name, computer_name, event_data at the top). */
const WINLOGBEAT_6 = {
  '@timestamp': '2018-12-02T14:05:06.789Z',
  beat: { hostname: 'WIN-DC01', name: 'WIN-DC01', version: '6.5.4' },
  computer_name: 'WIN-DC01.corp.local',
  event_data: { SubjectUserName: 'WIN-DC01$', TargetUserName: 'bob', LogonType: '3', IpAddress: '10.0.0.5' },
  event_id: 4624,
  keywords: ['Audit Success'],
  level: 'Information',
  log_name: 'Security',
  message: 'An account was successfully logged on.',
  opcode: 'Info',
  process_id: 620,
  thread_id: 1380,
  provider_guid: '{54849625-5478-4994-A5BA-3E3B0328C30D}',
  record_number: '184552',
  source_name: 'Microsoft-Windows-Security-Auditing',
  task: 'Logon',
  type: 'wineventlog',
  version: 2,
};

test('Winlogbeat 6: top-level names read as the same fields', () => {
  const { events, rejected } = parseText('windows.event', JSON.stringify(WINLOGBEAT_6));
  assert.deepEqual(rejected, []);
  const e = events[0]!;
  assert.equal(e['@timestamp'], '2018-12-02T14:05:06.789Z');
  assert.deepEqual(e.host, { name: 'WIN-DC01.corp.local' });
  assert.equal(e.event!.provider, 'Microsoft-Windows-Security-Auditing');
  assert.equal((e.log as W).level, 'Information');
  const w = winlog(e);
  assert.equal(w.event_id, '4624');
  assert.equal(w.channel, 'Security');
  assert.equal(w.record_id, '184552');
  assert.deepEqual(w.keywords, ['Audit Success']);
  assert.deepEqual(w.process, { pid: 620, thread: { id: 1380 } });
  assert.deepEqual(w.event_data, WINLOGBEAT_6.event_data);
  const noHost = { ...WINLOGBEAT_6, computer_name: undefined };
  assert.deepEqual(parseText('windows.event', JSON.stringify(noHost)).events[0]!.host, { name: 'WIN-DC01' });
});

test('-f auto recognizes every shipped JSON shape as windows.event', () => {
  for (const [name, rec] of [
    ['NXLog', NXLOG_4624],
    ['Winlogbeat 8', WINLOGBEAT_8],
    ['Winlogbeat 6', WINLOGBEAT_6],
  ] as const) {
    const d = detectFormat({ name: 'events.json', lines: [JSON.stringify(rec), JSON.stringify(rec)] });
    assert.equal(d.format?.id, 'windows.event', `${name}: ${JSON.stringify(d.candidates)}`);
    const pretty = detectFormat({ name: 'events.json', lines: JSON.stringify(rec, null, 2).split('\n') });
    assert.equal(pretty.format?.id, 'windows.event', `${name} pretty-printed: ${JSON.stringify(pretty.candidates)}`);
  }
});
