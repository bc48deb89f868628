import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseText } from '../../testing/parse.js';
import { needsShared, sharedPath } from '../../testing/shared.js';
import type { EcsEvent } from '../../ecs/event.js';
import { detectDefender } from './detect.js';
import { isoTime } from './to-ecs.js';

const F = 'microsoft.defender';
/** A dotted path; numeric parts index arrays (`event.category.0`). */
function get(e: EcsEvent | undefined, path: string): unknown {
  let cur: unknown = e;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function one(text: string, opts: Parameters<typeof parseText>[2] = {}): EcsEvent {
  const r = parseText(F, text, opts);
  assert.deepEqual(r.rejected, [], JSON.stringify(r.rejected));
  assert.equal(r.events.length, 1);
  return r.events[0]!;
}

const envelope = (table: string, properties: Record<string, unknown>) =>
  JSON.stringify({ time: '2026-11-20T10:05:00.1234567Z', tenantId: 'tenant-1', operationName: 'Publish', category: `AdvancedHunting-${table}`, properties });

const DEVICE = { DeviceId: 'dev-1', DeviceName: 'WKS-042.corp.example', MachineGroup: 'Workstations', ReportId: 4711 };
const CHROME = {
  InitiatingProcessFileName: 'chrome.exe',
  InitiatingProcessFolderPath: 'c:\\program files\\google\\chrome\\application\\chrome.exe',
  InitiatingProcessCommandLine: '"chrome.exe" --type=utility',
  InitiatingProcessId: 7312,
  InitiatingProcessSHA256: 'AB'.repeat(32),
  InitiatingProcessParentFileName: 'explorer.exe',
  InitiatingProcessParentId: 4120,
  InitiatingProcessAccountDomain: 'corp',
  InitiatingProcessAccountName: 'lee.cole',
  InitiatingProcessAccountSid: 'S-1-5-21-1-2-3-1104',
  InitiatingProcessAccountUpn: 'Lee.Cole@corp.example',
  InitiatingProcessAccountObjectId: '4ee9dcb0-735b-442e-945c-177c665efe6b',
};
const NETWORK = {
  ...DEVICE, ...CHROME, Timestamp: '2026-11-20T10:00:01.4567891Z', ActionType: 'ConnectionSuccess',
  LocalIP: '10.20.1.15', LocalPort: 52311, RemoteIP: '13.224.10.1', RemotePort: 443, RemoteUrl: 'app.example.com', Protocol: 'TcpV4',
};

test('every line of the Elastic m365_defender sample parses and maps host, process, user and network fields', { skip: needsShared() }, () => {
  const text = readFileSync(sharedPath('testdata/elastic/m365_defender/event/test-device.log'), 'utf8');
  const r = parseText(F, text);
  assert.deepEqual(r.rejected, []);
  assert.equal(r.events.length, text.trim().split('\n').length);
  for (const e of r.events) {
    assert.equal(get(e, 'event.dataset'), F);
    assert.ok(get(e, 'host.id'), 'host.id');
    assert.ok(get(e, 'host.name'), 'host.name');
    assert.match(String(get(e, 'microsoft.defender.table')), /^Device/);
  }
  const byAction = (a: string) => r.events.find((e) => get(e, 'event.action') === a)!;
  const failed = byAction('ConnectionFailed');
  assert.equal(get(failed, '@timestamp'), '2023-07-19T12:17:42.778Z');
  assert.equal(get(failed, 'source.ip'), '89.160.20.112');
  assert.equal(get(failed, 'destination.port'), 80);
  assert.equal(get(failed, 'destination.domain'), 'subdomain.domain.tld');
  assert.equal(get(failed, 'network.transport'), 'tcp');
  assert.equal(get(failed, 'event.outcome'), 'failure');
  assert.equal(get(failed, 'process.name'), 'msedgewebview2.exe');
  assert.equal(get(failed, 'process.pid'), 17916);
  assert.equal(get(failed, 'process.parent.pid'), 17808);
  // The logon name (corporatedomain\username) is kept beside the UPN; `email@domain` has no dotted
  // suffix, so it is no e-mail address and stays as written in the vendor fields.
  assert.equal(get(failed, 'user.name'), 'username');
  assert.equal(get(failed, 'user.domain'), 'corporatedomain');
  assert.equal(get(failed, 'user.email'), undefined);
  assert.equal(get(failed, 'microsoft.defender.initiating_process.account_upn'), 'email@domain');
  assert.deepEqual(get(failed, 'host.ip'), ['89.160.20.112']);
  const created = r.events.filter((e) => get(e, 'event.action') === 'ProcessCreated')[1]!;
  assert.equal(get(created, 'user.email'), 'janebloggs@corporate.com');
  assert.equal(get(created, 'process.parent.name'), 'msedgewebview2.exe');
  assert.equal(get(created, 'process.hash.sha256'), '075d1edc11548c9ebf7f238dea9393f26c5b83cd0362aa4cc24b1d8a6ebc6354');
  assert.ok(get(created, 'process.command_line'));
  const dns = byAction('DnsConnectionInspected');
  assert.equal(get(dns, 'dns.question.name'), 'janeslaptop1.corporatedomain');
  assert.deepEqual(get(dns, 'dns.resolved_ip'), ['89.160.20.112']);
  const dashes = r.events.filter((e) => get(e, 'event.action') === 'SmtpConnectionInspected').find((e) => get(e, 'source.ip') === undefined);
  assert.ok(dashes, 'LocalIP "-" is absent, not an error');
  const logon = byAction('LogonFailed');
  assert.equal(get(logon, 'source.ip'), '67.43.156.1');
  assert.equal(get(logon, 'event.category.0'), 'authentication');
  const netInfo = r.events.find((e) => get(e, 'microsoft.defender.table') === 'DeviceNetworkInfo')!;
  assert.equal((get(netInfo, 'host.ip') as string[]).length, 4);
  assert.deepEqual(get(netInfo, 'host.mac'), ['00-0D-3A-9E-C7-81']);
});

test('streaming record: @timestamp is properties.Timestamp, not the ingestion time', () => {
  const e = one(envelope('DeviceNetworkEvents', NETWORK));
  assert.equal(e['@timestamp'], '2026-11-20T10:00:01.456Z');
  assert.equal(get(e, 'event.created'), '2026-11-20T10:05:00.123Z');
  assert.equal(get(e, 'host.name'), 'wks-042.corp.example');
  assert.equal(get(e, 'host.hostname'), 'wks-042');
  assert.equal(get(e, 'host.id'), 'dev-1');
  assert.equal(get(e, 'source.port'), 52311);
  assert.equal(get(e, 'destination.ip'), '13.224.10.1');
  assert.equal(get(e, 'url.domain'), 'app.example.com');
  assert.equal(get(e, 'network.transport'), 'tcp');
  assert.deepEqual(get(e, 'event.type'), ['connection', 'start']);
  assert.equal(get(e, 'user.name'), 'lee.cole');
  assert.equal(get(e, 'user.email'), 'lee.cole@corp.example');
  assert.equal(get(e, 'user.id'), 'S-1-5-21-1-2-3-1104');
  assert.equal(get(e, 'process.user.name'), 'lee.cole');
  assert.equal(get(e, 'process.hash.sha256'), 'ab'.repeat(32));
  assert.equal(get(e, 'process.parent.name'), 'explorer.exe');
  assert.equal(get(e, 'microsoft.defender.initiating_process.account_object_id'), '4ee9dcb0-735b-442e-945c-177c665efe6b');
  assert.equal(get(e, 'microsoft.defender.tenant_id'), 'tenant-1');
  assert.equal(get(e, 'microsoft.defender.machine_group'), 'Workstations');
  assert.equal(get(e, 'microsoft.defender.report_id'), '4711');
  assert.equal(get(e, 'observer.product'), 'Microsoft Defender for Endpoint');
});

test('{"records":[…]} batches, one line or pretty-printed, give one event per record with distinct ids', () => {
  const records = [JSON.parse(envelope('DeviceNetworkEvents', NETWORK)), JSON.parse(envelope('DeviceNetworkEvents', { ...NETWORK, LocalPort: 52312 }))];
  const line = parseText(F, JSON.stringify({ records }));
  assert.equal(line.events.length, 2);
  assert.notEqual(line.events[0]!.event!.id, line.events[1]!.event!.id);
  const pretty = parseText(F, JSON.stringify({ records }, null, 2), { document: true });
  assert.deepEqual(pretty.rejected, []);
  assert.deepEqual(pretty.events.map((e) => get(e, 'source.port')), [52311, 52312]);
  assert.deepEqual(pretty.events.map((e) => e.event!.id), line.events.map((e) => e.event!.id));
  const empty = parseText(F, '{"records":[]}');
  assert.equal(empty.events.length, 0);
  assert.equal(empty.skipped['empty batch'], 1);
  const bad = parseText(F, JSON.stringify({ records: [records[0], 42, { ...records[1], properties: { ...NETWORK, Timestamp: 'yesterday' } }] }));
  assert.equal(bad.events.length, 1);
  assert.deepEqual(bad.rejected.map((d) => d.reason.slice(0, 11)), ['records[1]:', 'records[2]:']);
});

test('plain rows: table from a hint column, the file name or the columns', () => {
  const row = JSON.stringify(NETWORK);
  assert.equal(get(one(row), 'microsoft.defender.table'), 'DeviceNetworkEvents');
  assert.equal(get(one(JSON.stringify({ ...NETWORK, $table: 'DeviceNetworkEvents' })), 'microsoft.defender.table'), 'DeviceNetworkEvents');
  const fileRow = JSON.stringify({ ...DEVICE, Timestamp: '2026-11-20T10:00:00Z', ActionType: 'Something', FileName: 'a.txt', FolderPath: 'c:\\a.txt' });
  assert.equal(get(one(fileRow, { source: '/exports/DeviceFileEvents_2026-11-20.json' }), 'microsoft.defender.table'), 'DeviceFileEvents');
  const sentinel = one(JSON.stringify({ ...DEVICE, TimeGenerated: '2026-11-20T10:00:00Z', Type: 'DeviceRegistryEvents', RegistryKey: 'HKLM\\Software\\X', ActionType: 'RegistryValueSet' }));
  assert.equal(get(sentinel, 'registry.key'), 'HKLM\\Software\\X');
  const array = parseText(F, JSON.stringify([NETWORK, { ...NETWORK, ReportId: 4712 }]));
  assert.equal(array.events.length, 2);
  const api = parseText(F, JSON.stringify({ Schema: [{ Name: 'Timestamp', Type: 'DateTime' }], Results: [NETWORK] }));
  assert.equal(api.events.length, 1);
});

test('DeviceProcessEvents: the new process is process.*, the initiating one process.parent.*', () => {
  const e = one(envelope('DeviceProcessEvents', {
    ...DEVICE, ...CHROME, Timestamp: '2026-11-20T10:00:00Z', ActionType: 'ProcessCreated', FileName: 'powershell.exe',
    FolderPath: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', ProcessCommandLine: 'powershell -enc AAAA', ProcessId: 9001,
    SHA1: 'A'.repeat(40), MD5: 'b'.repeat(32), AccountName: 'lee.cole', AccountDomain: 'CORP', AccountSid: 'S-1-5-21-9', ProcessIntegrityLevel: 'High',
  }));
  assert.equal(get(e, 'process.name'), 'powershell.exe');
  assert.equal(get(e, 'process.pid'), 9001);
  assert.equal(get(e, 'process.command_line'), 'powershell -enc AAAA');
  assert.equal(get(e, 'process.hash.sha1'), 'a'.repeat(40));
  assert.equal(get(e, 'process.hash.md5'), 'b'.repeat(32));
  assert.equal(get(e, 'process.parent.name'), 'chrome.exe');
  assert.equal(get(e, 'process.parent.pid'), 7312);
  assert.equal(get(e, 'process.parent.user.email'), 'lee.cole@corp.example');
  assert.equal(get(e, 'microsoft.defender.initiating_process.parent.name'), 'explorer.exe');
  assert.equal(get(e, 'user.name'), 'lee.cole');
  assert.equal(get(e, 'user.domain'), 'corp');
  assert.equal(get(e, 'user.id'), 'S-1-5-21-9');
  assert.deepEqual(get(e, 'event.category'), ['process']);
  assert.deepEqual(get(e, 'event.type'), ['start']);
  assert.ok((get(e, 'related.hash') as string[]).includes('a'.repeat(40)));
});

const TABLE_CASES: [string, Record<string, unknown>, Record<string, unknown>][] = [
  ['DeviceFileEvents', { ActionType: 'FileCreated', FileName: 'setup.exe', FolderPath: 'C:\\Users\\lee\\Downloads\\setup.exe', SHA256: 'C'.repeat(64), FileSize: 1024, FileOriginUrl: 'https://dl.example.net/setup.exe' },
    { 'file.name': 'setup.exe', 'file.path': 'C:\\Users\\lee\\Downloads\\setup.exe', 'file.hash.sha256': 'c'.repeat(64), 'file.size': 1024, 'event.category.0': 'file', 'event.type.0': 'creation', 'microsoft.defender.file_origin_url': 'https://dl.example.net/setup.exe' }],
  ['DeviceRegistryEvents', { ActionType: 'RegistryValueSet', RegistryKey: 'HKEY_CURRENT_USER\\Software\\Run', RegistryValueName: 'updater', RegistryValueData: 'c:\\x.exe', RegistryValueType: 'String' },
    { 'registry.key': 'HKEY_CURRENT_USER\\Software\\Run', 'registry.value': 'updater', 'registry.data.strings.0': 'c:\\x.exe', 'registry.data.type': 'String', 'event.category.0': 'registry', 'event.type.0': 'change' }],
  ['DeviceImageLoadEvents', { ActionType: 'ImageLoaded', FileName: 'evil.dll', FolderPath: 'c:\\temp\\evil.dll', SHA1: 'D'.repeat(40) },
    { 'file.name': 'evil.dll', 'file.hash.sha1': 'd'.repeat(40), 'event.category.0': 'library', 'process.name': 'chrome.exe' }],
  ['DeviceLogonEvents', { ActionType: 'LogonSuccess', AccountName: 'admin', AccountDomain: 'CORP', LogonType: 'RemoteInteractive', RemoteIP: '10.1.1.9', RemotePort: 0, Protocol: 'Negotiate' },
    { 'user.name': 'admin', 'user.domain': 'corp', 'source.ip': '10.1.1.9', 'source.port': undefined, 'event.outcome': 'success', 'microsoft.defender.logon_type': 'RemoteInteractive', 'network.transport': undefined }],
  ['DeviceInfo', { OSPlatform: 'Windows11', OSVersion: '10.0', PublicIP: '198.51.100.7', DeviceType: 'Workstation' },
    { 'host.os.name': 'Windows11', 'microsoft.defender.public_ip': '198.51.100.7', 'related.ip.0': '198.51.100.7', 'event.category.0': 'host' }],
  ['DeviceNetworkInfo', { IPAddresses: [{ IPAddress: '10.2.3.4', SubnetPrefix: 24 }], MacAddress: 'AABBCCDDEEFF', NetworkAdapterName: 'eth0' },
    { 'host.ip.0': '10.2.3.4', 'host.mac.0': 'AA-BB-CC-DD-EE-FF', 'microsoft.defender.network_adapter_name': 'eth0' }],
  ['AlertInfo', { AlertId: 'da637', Title: 'Suspicious PowerShell', Severity: 'High', Category: 'Execution', ServiceSource: 'Microsoft Defender for Endpoint', AttackTechniques: '["T1059.001"]' },
    { 'event.kind': 'alert', 'rule.name': 'Suspicious PowerShell', 'event.severity': 73, 'microsoft.defender.severity': 'High', 'microsoft.defender.category': 'Execution', 'microsoft.defender.attack_techniques.0': 'T1059.001' }],
  ['AlertEvidence', { AlertId: 'da637', EntityType: 'User', AccountUpn: 'lee.cole@corp.example', AccountObjectId: 'oid-1', RemoteIP: '203.0.113.5' },
    { 'user.email': 'lee.cole@corp.example', 'user.id': 'oid-1', 'microsoft.defender.account_object_id': 'oid-1', 'destination.ip': '203.0.113.5', 'event.kind': 'alert' }],
  ['IdentityLogonEvents', { ActionType: 'LogonFailed', AccountUpn: 'Lee.Cole@corp.example', AccountDisplayName: 'Lee Cole', IPAddress: '203.0.113.10', Application: 'Active Directory', LogonType: 'Kerberos', FailureReason: 'WrongPassword', DeviceName: 'dc01.corp.example' },
    { 'user.name': 'lee.cole', 'user.full_name': 'Lee Cole', 'source.ip': '203.0.113.10', 'event.outcome': 'failure', 'event.reason': 'WrongPassword', 'observer.product': 'Microsoft Defender for Identity' }],
  ['IdentityDirectoryEvents', { ActionType: 'Account Password changed', AccountName: 'helpdesk', AccountDomain: 'corp', TargetAccountUpn: 'lee.cole@corp.example', Application: 'Active Directory' },
    { 'user.name': 'helpdesk', 'user.target.email': 'lee.cole@corp.example', 'event.category.0': 'iam' }],
  ['IdentityQueryEvents', { ActionType: 'DNS query', QueryType: 'A', QueryTarget: 'app.example.com', IPAddress: '10.0.0.8' },
    { 'dns.question.type': 'A', 'microsoft.defender.query_target': 'app.example.com', 'source.ip': '10.0.0.8' }],
  ['EmailEvents', { NetworkMessageId: 'nm-1', InternetMessageId: '<abc@mail.example>', SenderFromAddress: 'Evil@Phish.example', RecipientEmailAddress: 'lee.cole@corp.example', Subject: 'Invoice', SenderIPv4: '192.0.2.44', DeliveryAction: 'Blocked', EmailDirection: 'Inbound' },
    { 'email.from.address': 'evil@phish.example', 'email.to.address': 'lee.cole@corp.example', 'email.subject': 'Invoice', 'email.message_id': '<abc@mail.example>', 'source.ip': '192.0.2.44', 'email.direction': 'inbound', 'observer.product': 'Microsoft Defender for Office 365' }],
  ['EmailUrlInfo', { NetworkMessageId: 'nm-1', Url: 'https://phish.example/login?x=1', UrlLocation: 'Body' },
    { 'url.domain': 'phish.example', 'url.path': '/login', 'destination.domain': 'phish.example' }],
  ['CloudAppEvents', { ActionType: 'FileDownloaded', Application: 'Microsoft SharePoint Online', ActivityType: 'Download', AccountObjectId: 'oid-2', AccountDisplayName: 'Lee Cole', IPAddress: '203.0.113.20', CountryCode: 'DE', UserAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0.0.0' },
    { 'user.id': 'oid-2', 'user.full_name': 'Lee Cole', 'source.ip': '203.0.113.20', 'source.geo.country_iso_code': 'DE', 'user_agent.name': 'Chrome', 'microsoft.defender.application': 'Microsoft SharePoint Online', 'observer.product': 'Microsoft Defender for Cloud Apps' }],
];

for (const [table, columns, expected] of TABLE_CASES) {
  test(`${table} maps to ECS`, () => {
    const e = one(envelope(table, { ...DEVICE, ...CHROME, Timestamp: '2026-11-20T10:00:00Z', ...columns }));
    assert.equal(get(e, 'microsoft.defender.table'), table);
    for (const [path, value] of Object.entries(expected)) assert.deepEqual(get(e, path), value, path);
  });
  test(`${table} as a plain row is recognized by its columns`, () => {
    const e = one(JSON.stringify({ ...DEVICE, Timestamp: '2026-11-20T10:00:00Z', ...columns }));
    assert.equal(get(e, 'microsoft.defender.table'), table);
  });
}

const DNS_FIELDS = { DnsQueryString: 'App.Example.com.', DnsQueryResult: [{ DnsQueryType: 1, IpAddress: '13.224.10.1' }, { DnsQueryType: 28, IpAddress: '2600:9000:2000::1' }] };

for (const [label, additional] of [['a JSON string', JSON.stringify(DNS_FIELDS)], ['an object', DNS_FIELDS]] as const) {
  test(`DeviceEvents DnsQueryResponse with AdditionalFields as ${label}`, () => {
    const e = one(envelope('DeviceEvents', { ...DEVICE, ...CHROME, Timestamp: '2026-11-20T10:00:00Z', ActionType: 'DnsQueryResponse', AdditionalFields: additional }));
    assert.equal(get(e, 'dns.question.name'), 'app.example.com');
    assert.equal(get(e, 'dns.question.registered_domain'), 'example.com');
    assert.deepEqual(get(e, 'dns.resolved_ip'), ['13.224.10.1', '2600:9000:2000::1']);
    assert.deepEqual(get(e, 'dns.answers'), [{ type: 'A', data: '13.224.10.1' }, { type: 'AAAA', data: '2600:9000:2000::1' }]);
    assert.deepEqual(get(e, 'event.category'), ['network']);
    assert.equal(get(e, 'network.protocol'), 'dns');
    assert.ok((get(e, 'related.hosts') as string[]).includes('app.example.com'));
    assert.ok((get(e, 'related.ip') as string[]).includes('13.224.10.1'));
  });
}

test('DNS answers written Zeek-style (answers JSON inside a string, TTLs)', () => {
  const e = one(envelope('DeviceEvents', { ...DEVICE, Timestamp: '2026-11-20T10:00:00Z', ActionType: 'DnsQueryResponse', AdditionalFields: '{"query":"d123.cloudfront.net","qtype_name":"A","rcode_name":"NOERROR","answers":"[\\"13.224.10.1\\",\\"13.224.10.2\\"]","TTLs":"[60.0,60.0]"}' }));
  assert.deepEqual(get(e, 'dns.answers'), [{ data: '13.224.10.1', ttl: 60, type: 'A' }, { data: '13.224.10.2', ttl: 60, type: 'A' }]);
  assert.equal(get(e, 'dns.response_code'), 'NOERROR');
  assert.equal(get(e, 'dns.question.type'), 'A');
});

test('DeviceDnsEvents (the story\'s table name) maps like DNS DeviceEvents, as a stream record and as a row', () => {
  const columns = { ...DEVICE, ...CHROME, Timestamp: '2026-11-20T10:00:00Z', ActionType: 'DnsQuery', QueryName: 'app.example.com', Answers: '13.224.10.1;13.224.10.2' };
  for (const e of [one(envelope('DeviceDnsEvents', columns)), one(JSON.stringify(columns))]) {
    assert.equal(get(e, 'microsoft.defender.table'), 'DeviceDnsEvents');
    assert.equal(get(e, 'dns.question.name'), 'app.example.com');
    assert.deepEqual(get(e, 'dns.resolved_ip'), ['13.224.10.1', '13.224.10.2']);
    assert.deepEqual(get(e, 'event.category'), ['network']);
    assert.equal(get(e, 'process.name'), 'chrome.exe');
  }
});

for (const action of ['SmartScreenUrlWarning', 'ExploitGuardNetworkProtectionBlocked']) {
  test(`${action} is a denied, failed network event`, () => {
    const e = one(envelope('DeviceEvents', {
      ...DEVICE, ...CHROME, Timestamp: '2026-11-20T10:00:00Z', ActionType: action, RemoteUrl: 'https://app.example.com/login', RemoteIP: '13.224.10.1',
      AdditionalFields: action.startsWith('Smart') ? '{"Experience":"Malicious"}' : { ResponseCategory: 'CustomBlockList', IsAudit: false },
    }));
    assert.equal(get(e, 'event.outcome'), 'failure');
    assert.deepEqual(get(e, 'event.type'), ['denied']);
    assert.ok((get(e, 'event.category') as string[]).includes('network'));
    assert.equal(get(e, 'url.full'), 'https://app.example.com/login');
    assert.equal(get(e, 'destination.domain'), 'app.example.com');
    assert.equal(get(e, 'event.reason'), action.startsWith('Smart') ? 'Malicious' : 'CustomBlockList');
  });
}

test('ASR-style *Blocked and *Audited action families', () => {
  const blocked = one(envelope('DeviceEvents', { ...DEVICE, Timestamp: '2026-11-20T10:00:00Z', ActionType: 'AsrOfficeChildProcessBlocked' }));
  assert.deepEqual(get(blocked, 'event.type'), ['denied']);
  const audited = one(envelope('DeviceEvents', { ...DEVICE, Timestamp: '2026-11-20T10:00:00Z', ActionType: 'AsrOfficeChildProcessAudited' }));
  assert.equal(get(audited, 'event.outcome'), undefined);
});

test('"-" and null addresses and ports are absent; odd protocol names are kept as vendor fields', () => {
  const e = one(envelope('DeviceNetworkEvents', { ...NETWORK, LocalIP: '-', RemoteIP: null, LocalPort: '-', RemotePort: null, Protocol: 'Sctp' }));
  assert.equal(get(e, 'source'), undefined);
  assert.equal(get(e, 'destination.ip'), undefined);
  assert.equal(get(e, 'network.transport'), undefined);
  assert.equal(get(e, 'microsoft.defender.protocol'), 'Sctp');
});

test('unknown tables get the generic mapping and keep every column', () => {
  const e = one(envelope('DeviceTvmSoftwareInventory', { ...DEVICE, Timestamp: '2026-11-20T10:00:00Z', SoftwareName: 'chrome', SoftwareVersion: '126' }));
  assert.equal(get(e, 'microsoft.defender.table'), 'DeviceTvmSoftwareInventory');
  assert.equal(get(e, 'microsoft.defender.software_name'), 'chrome');
  assert.equal(get(e, 'host.name'), 'wks-042.corp.example');
});

test('rejections say what was expected', () => {
  const r = parseText(F, ['not json', '{"properties":{"DeviceId":"x"},"category":"AdvancedHunting-DeviceEvents"}', '{broken', '42'].join('\n'));
  assert.equal(r.events.length, 0);
  assert.match(r.rejected[0]!.reason, /expected a JSON object/);
  assert.match(r.rejected[1]!.reason, /no Timestamp/);
  assert.match(r.rejected[2]!.reason, /invalid JSON/);
  assert.match(r.rejected[3]!.reason, /expected a JSON object/);
});

test('event.original keeps the raw record when asked', () => {
  const line = envelope('DeviceNetworkEvents', NETWORK);
  assert.equal(get(one(line, { original: true }), 'event.original'), line);
  assert.equal(get(one(line), 'event.original'), undefined);
});

test('detection: streaming records, pretty-printed batches and exported rows', () => {
  assert.equal(detectDefender({ name: 'x.json', lines: [envelope('DeviceEvents', NETWORK)] }), 1);
  assert.equal(detectDefender({ name: 'x.json', lines: JSON.stringify({ records: [JSON.parse(envelope('DeviceEvents', NETWORK))] }, null, 2).split('\n') }), 1);
  assert.ok(detectDefender({ name: 'export.json', lines: [JSON.stringify(NETWORK)] }) >= 0.8);
  const prettyRows = JSON.stringify([{ ActionType: 'ConnectionSuccess', AppGuardContainerId: null, DeviceId: 'd', DeviceName: 'w', InitiatingProcessAccountSid: 'S-1' }], null, 2);
  assert.ok(detectDefender({ name: 'rows.json', lines: prettyRows.split('\n') }) >= 0.8);
  assert.equal(detectDefender({ name: 'x.log', lines: ['{"ts":"2026-01-01T00:00:00Z","msg":"hi"}'] }), 0);
});

test('isoTime cuts Defender\'s 7-digit fractions to milliseconds and validates the fields', () => {
  const cases: [string, string | undefined][] = [
    ['2022-11-07T17:07:41.6988681Z', '2022-11-07T17:07:41.698Z'],
    ['2022-11-07T17:07:41Z', '2022-11-07T17:07:41Z'],
    ['2022-11-07T17:07:41.000Z', '2022-11-07T17:07:41Z'],
    ['2022-11-07T17:07:41.5Z', '2022-11-07T17:07:41.500Z'],
    ['2022-11-07T17:07:41+02:00', '2022-11-07T15:07:41Z'],
    ['2022-13-07T17:07:41Z', undefined],
    ['2022-11-07T24:07:41Z', undefined],
    ['yesterday', undefined],
  ];
  for (const [input, expected] of cases) assert.equal(isoTime(input), expected, input);
});

test('found by fuzzing: a record nested 10^5 deep is rejected on its own (writing it overflowed the stack), its batch neighbours kept', () => {
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const record = envelope('DeviceNetworkEvents', { ...NETWORK, AdditionalFields: '__DEEP__' }).replace('"__DEEP__"', deep);
  assert.deepEqual(parseText(F, record).rejected.map((d) => d.reason), ['JSON nested deeper than 100 levels; a Defender record is a few levels deep']);
  const batch = parseText(F, `{"records":[${envelope('DeviceNetworkEvents', NETWORK)},${record}]}`);
  assert.equal(batch.events.length, 1);
  assert.deepEqual(batch.rejected.map((d) => d.reason), ['records[1]: JSON nested deeper than 100 levels; a Defender record is a few levels deep']);
});

test('found by fuzzing: ids beyond 2^53 are not mapped, and an address that is none stays beside its typed vendor field, not in it', () => {
  const e = one(envelope('DeviceNetworkEvents', { ...NETWORK, InitiatingProcessId: 1e308, FileOriginIP: 'toString' }));
  assert.equal(get(e, 'process.pid'), undefined);
  assert.deepEqual([get(e, 'microsoft.defender.file_origin_ip'), get(e, 'microsoft.defender.file_origin_ip_raw')], [undefined, 'toString']);
  // A bad LocalIP is kept under its vendor name, as before: that field is not typed.
  assert.equal(get(one(envelope('DeviceNetworkEvents', { ...NETWORK, LocalIP: 'nope' })), 'microsoft.defender.local_ip'), 'nope');
  assert.equal(get(one(envelope('DeviceNetworkEvents', { ...NETWORK, InitiatingProcessId: '90071992547409910' })), 'process.pid'), undefined);
});
