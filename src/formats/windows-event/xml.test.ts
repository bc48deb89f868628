import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EcsEvent } from '../../ecs/event.js';
import { runPipeline, type EventSink } from '../../pipeline/run.js';
import { DeadLetterWriter } from '../../pipeline/dead-letter.js';
import { parseText } from '../../testing/parse.js';
import { detectFormat } from '../registry.js';
import { MAX_XML_DEPTH, parseXmlEvent, splitXmlEvents, XmlError } from './xml.js';

// The Windows XML rendering, from Microsoft's event documentation ("4624(S): An account was
// successfully logged on", "1102(S): The audit log was cleared"), pretty-printed as printed there.
const XML_4624 = `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
 <System>
 <Provider Name="Microsoft-Windows-Security-Auditing" Guid="{54849625-5478-4994-A5BA-3E3B0328C30D}" />
 <EventID>4624</EventID>
 <Version>2</Version>
 <Level>0</Level>
 <Task>12544</Task>
 <Opcode>0</Opcode>
 <Keywords>0x8020000000000000</Keywords>
 <TimeCreated SystemTime="2015-11-12T00:24:35.079785200Z" />
 <EventRecordID>211</EventRecordID>
 <Correlation ActivityID="{00D66690-1CDF-0000-AC66-D600DF1CD101}" />
 <Execution ProcessID="716" ThreadID="760" />
 <Channel>Security</Channel>
 <Computer>WIN-GG82ULGC9GO</Computer>
 <Security />
 </System>
 <EventData>
 <Data Name="SubjectUserSid">S-1-5-18</Data>
 <Data Name="SubjectUserName">WIN-GG82ULGC9GO$</Data>
 <Data Name="TargetUserName">Administrator</Data>
 <Data Name="LogonType">2</Data>
 <Data Name="ProcessName">C:\\Windows\\System32\\svchost.exe</Data>
 <Data Name="IpAddress">127.0.0.1</Data>
 <Data Name="ImpersonationLevel">%%1833</Data>
 <Data Name="TargetOutboundUserName">-</Data>
 </EventData>
</Event>`;

const XML_1102 = `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
 <System>
 <Provider Name="Microsoft-Windows-Eventlog" Guid="{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}" />
 <EventID>1102</EventID>
 <Version>0</Version>
 <Level>4</Level>
 <Task>104</Task>
 <Opcode>0</Opcode>
 <Keywords>0x4020000000000000</Keywords>
 <TimeCreated SystemTime="2015-10-16T00:39:58.656871200Z" />
 <EventRecordID>1087729</EventRecordID>
 <Correlation />
 <Execution ProcessID="820" ThreadID="2644" />
 <Channel>Security</Channel>
 <Computer>DC01.contoso.local</Computer>
 <Security />
 </System>
 <UserData>
 <LogFileCleared xmlns="http://manifests.microsoft.com/win/2004/08/windows/eventlog">
 <SubjectUserSid>S-1-5-21-3457937927-2839227994-823803824-1104</SubjectUserSid>
 <SubjectUserName>dadmin</SubjectUserName>
 <SubjectDomainName>CONTOSO</SubjectDomainName>
 <SubjectLogonId>0x55cd1d</SubjectLogonId>
 </LogFileCleared>
 </UserData>
</Event>`;

/** wevtutil / Get-WinEvent ToXml(): one event per line, single-quoted attributes, RenderingInfo from /rd:true. */
const ONE_LINE_SYSMON =
  "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon' Guid='{5770385f-c22a-43e0-bf4c-06f5698ffbd9}'/><EventID>1</EventID><Version>5</Version><Level>4</Level><Task>1</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime='2024-03-01T08:00:00.5000000Z'/><EventRecordID>77</EventRecordID><Correlation/><Execution ProcessID='2840' ThreadID='3520'/><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>ws1.corp.local</Computer><Security UserID='S-1-5-18'/></System><EventData><Data Name='Image'>C:\\Windows\\System32\\cmd.exe</Data><Data Name='CommandLine'>cmd /c &quot;echo a &amp; b&quot; &lt;x&gt; &#x41;&#66;</Data><Data Name='ParentImage'></Data></EventData><RenderingInfo Culture='en-US'><Message>Process Create:</Message><Level>Information</Level></RenderingInfo></Event>";

type W = Record<string, unknown>;
const winlog = (e: EcsEvent) => e.winlog as W;

test('XML events map to the same fields as the JSON renderings', () => {
  const { events, rejected } = parseText('windows.event', XML_4624.replace(/\n/g, ' '));
  assert.deepEqual(rejected, []);
  const e = events[0]!;
  assert.equal(e['@timestamp'], '2015-11-12T00:24:35.079Z');
  assert.deepEqual(e.host, { name: 'WIN-GG82ULGC9GO' });
  assert.equal(e.event!.provider, 'Microsoft-Windows-Security-Auditing');
  const w = winlog(e);
  assert.equal(w.event_id, '4624');
  assert.equal(w.channel, 'Security');
  assert.equal(w.version, 2);
  assert.deepEqual(w.process, { pid: 716, thread: { id: 760 } });
  assert.equal(w.activity_id, '{00D66690-1CDF-0000-AC66-D600DF1CD101}');
  assert.deepEqual(w.event_data, {
    SubjectUserSid: 'S-1-5-18',
    SubjectUserName: 'WIN-GG82ULGC9GO$',
    TargetUserName: 'Administrator',
    LogonType: '2',
    ProcessName: 'C:\\Windows\\System32\\svchost.exe',
    IpAddress: '127.0.0.1',
    ImpersonationLevel: '%%1833',
    TargetOutboundUserName: '-',
  });
  const one = parseText('windows.event', ONE_LINE_SYSMON).events[0]!;
  assert.equal((winlog(one).event_data as W).CommandLine, 'cmd /c "echo a & b" <x> AB');
  assert.equal((winlog(one).event_data as W).ParentImage, null);
  assert.deepEqual(winlog(one).user, { identifier: 'S-1-5-18' });
  assert.equal(one.message, 'Process Create:');
  const cleared = parseText('windows.event', XML_1102.replace(/\n/g, '')).events[0]!;
  assert.deepEqual(winlog(cleared).user_data, { SubjectUserSid: 'S-1-5-21-3457937927-2839227994-823803824-1104', SubjectUserName: 'dadmin', SubjectDomainName: 'CONTOSO', SubjectLogonId: '0x55cd1d' });
});

test('several events on a line, and an <Events> document, each one record; a malformed one is rejected alone', () => {
  const line = `${ONE_LINE_SYSMON}${ONE_LINE_SYSMON.replace('<EventRecordID>77', '<EventRecordID>78')}`;
  assert.equal(parseText('windows.event', line).events.length, 2);
  const broken = ONE_LINE_SYSMON.replace('</Computer>', '</Computr>');
  const doc = `<?xml version="1.0" encoding="UTF-8"?>\n<Events>\n${XML_4624}\n${broken}\n<!-- exported -->\n${XML_1102}\n</Events>\n`;
  const parsed = parseText('windows.event', doc, { document: true });
  assert.equal(parsed.events.length, 2);
  assert.equal(parsed.rejected.length, 1);
  assert.match(parsed.rejected[0]!.reason, /invalid XML event: expected <\/Computer>, found <\/Computr>/);
  assert.ok(parsed.rejected[0]!.record.startsWith('<Event '), 'the dead letter holds the bad event, not the whole document');
  const junk = parseText('windows.event', `${ONE_LINE_SYSMON} trailing words`);
  assert.equal(junk.events.length, 1);
  assert.match(junk.rejected[0]!.reason, /expected <Event> elements, found 'trailing words'/);
});

test('the XML reader refuses DTDs, unknown entities and deep nesting, with the reason', () => {
  const dtd = `<!DOCTYPE Event [<!ENTITY x "${'a'.repeat(10)}">]>${ONE_LINE_SYSMON}`;
  assert.throws(() => parseXmlEvent(`<!DOCTYPE x>${ONE_LINE_SYSMON}`), /document type declarations/);
  const parsed = parseText('windows.event', dtd);
  assert.equal(parsed.events.length, 1, 'the event after the refused DTD is read on its own');
  assert.match(parsed.rejected[0]!.reason, /expected <Event> elements, found '<!DOCTYPE/);
  assert.throws(() => parseXmlEvent(ONE_LINE_SYSMON.replace('cmd.exe', '&xxe;')), (e) => e instanceof XmlError && /unknown entity &xxe;/.test(e.message));
  assert.throws(() => parseXmlEvent(ONE_LINE_SYSMON.replace('cmd.exe', 'a & b')), /'&' that starts no entity/);
  assert.throws(() => parseXmlEvent(ONE_LINE_SYSMON.replace('cmd.exe', '&#xD800;')), /is not a character/);
  const deep = `<Event>${'<a>'.repeat(MAX_XML_DEPTH)}${'</a>'.repeat(MAX_XML_DEPTH)}</Event>`;
  assert.throws(() => parseXmlEvent(deep), /nested deeper than 32 levels/);
  assert.throws(() => parseXmlEvent('<Event><System></Event>'), /expected <\/System>, found <\/Event>/);
  assert.throws(() => parseXmlEvent('<Event a=1></Event>'), /is not quoted/);
  assert.deepEqual(splitXmlEvents('<Events><EventData/></Events>'), { events: [], junk: ['<Events><EventData/></Events>'] });
});

test('-f auto recognizes XML events; a pretty-printed XML file is read as one document by the pipeline', async () => {
  assert.equal(detectFormat({ name: 'x.xml', lines: XML_4624.split('\n') }).format?.id, 'windows.event');
  assert.equal(detectFormat({ name: 'x.xml', lines: [ONE_LINE_SYSMON] }).format?.id, 'windows.event');
  const dir = mkdtempSync(join(tmpdir(), 'pt-winxml-'));
  try {
    const pretty = join(dir, 'export.xml');
    writeFileSync(pretty, `<?xml version="1.0" encoding="UTF-8"?>\n<Events>\n${XML_4624}\n${XML_1102}\n</Events>\n`);
    const lines = join(dir, 'lines.xml');
    writeFileSync(lines, `${ONE_LINE_SYSMON}\n${ONE_LINE_SYSMON.replace('<EventRecordID>77', '<EventRecordID>78')}\n`);
    for (const [file, want] of [
      [pretty, 2],
      [lines, 2],
    ] as const) {
      const events: EcsEvent[] = [];
      const sink: EventSink = { output: 'events', write: async (_s, r) => void events.push(...(r.eventList ?? [])), endSource: async () => {} };
      const summary = await runPipeline({ inputs: [file], format: 'auto', threads: 0, sink, deadLetters: new DeadLetterWriter(undefined) });
      const s = summary.sources[0]!;
      assert.equal(s.format, 'windows.event');
      assert.equal(s.rejected, 0, file);
      assert.equal(events.length, want, file);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
