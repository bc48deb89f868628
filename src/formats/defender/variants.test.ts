import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseText } from '../../testing/parse.js';
import { getPath, type EcsEvent } from '../../ecs/event.js';

// Rows written from the advanced-hunting schema facts in
// ../shared/reference/zscaler-umbrella-defender-variants.md §3 (AlertEvidence, DeviceNetworkEvents
// ActionTypes and direction, account columns).

const F = 'microsoft.defender';
const row = (table: string, properties: Record<string, unknown>): string =>
  JSON.stringify({ time: '2026-11-20T10:05:00Z', tenantId: 't-1', operationName: 'Publish', category: `AdvancedHunting-${table}`, properties: { Timestamp: '2026-11-20T10:00:00Z', ...properties } });

function one(text: string): EcsEvent {
  const r = parseText(F, text);
  assert.deepEqual(r.rejected, []);
  assert.equal(r.events.length, 1);
  return r.events[0]!;
}

const ALERT = { AlertId: 'da638', Title: 'Suspicious PowerShell', Categories: '["Execution"]', ServiceSource: 'Microsoft Defender for Endpoint', DetectionSource: 'EDR', Severity: 'High', EvidenceRole: 'Impacted' };

test('AlertEvidence: a Process entity has its pid in AdditionalFields and its image in the file columns', () => {
  const e = one(row('AlertEvidence', {
    ...ALERT, EntityType: 'Process', FileName: 'powershell.exe', FolderPath: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    SHA1: 'AB'.repeat(20), ProcessCommandLine: 'powershell.exe -enc SQBFAFgA', AdditionalFields: '{"$id":"1","ProcessId":"1960"}',
    DeviceId: 'dev-1', DeviceName: 'wks-042.corp.example',
  }));
  assert.equal(getPath(e, 'process.pid'), 1960);
  assert.equal(getPath(e, 'process.name'), 'powershell.exe');
  assert.equal(getPath(e, 'process.executable'), 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
  assert.equal(getPath(e, 'process.hash.sha1'), 'ab'.repeat(20));
  assert.equal(getPath(e, 'process.command_line'), 'powershell.exe -enc SQBFAFgA');
  assert.equal(getPath(e, 'file.name'), 'powershell.exe');
  assert.equal(e.event?.kind, 'alert');
  assert.equal(e.tags, undefined);
  // A pid that is not one is left out and noted; the evidence is kept.
  const bad = one(row('AlertEvidence', { ...ALERT, EntityType: 'Process', FileName: 'x.exe', AdditionalFields: '{"ProcessId":"n/a"}' }));
  assert.equal(getPath(bad, 'process.pid'), undefined);
  assert.deepEqual(getPath(bad, 'packettrail.dropped_fields'), ['AdditionalFields.ProcessId']);
});

test('AlertEvidence: a Url entity RemoteUrl may start with uri=; a Source network entity is the source', () => {
  const full = one(row('AlertEvidence', { ...ALERT, EntityType: 'Url', RemoteUrl: 'uri=https://evil.example/drop/a.ps1?x=1' }));
  assert.equal(getPath(full, 'url.domain'), 'evil.example');
  assert.equal(getPath(full, 'url.path'), '/drop/a.ps1');
  assert.equal(getPath(full, 'url.scheme'), 'https');
  assert.equal(getPath(full, 'destination.domain'), 'evil.example');
  const bare = one(row('AlertEvidence', { ...ALERT, EntityType: 'Url', RemoteUrl: 'uri=evil.example' }));
  assert.equal(getPath(bare, 'url.domain'), 'evil.example');
  assert.equal(getPath(bare, 'destination.domain'), 'evil.example');
  const source = one(row('AlertEvidence', { ...ALERT, EntityType: 'Ip', RemoteIP: '203.0.113.5', EvidenceDirection: 'Source' }));
  assert.equal(getPath(source, 'source.ip'), '203.0.113.5');
  assert.equal(getPath(source, 'destination'), undefined);
  const dest = one(row('AlertEvidence', { ...ALERT, EntityType: 'Ip', RemoteIP: '203.0.113.5', EvidenceDirection: 'Destination' }));
  assert.equal(getPath(dest, 'destination.ip'), '203.0.113.5');
});

test('accounts: the logon name and domain are kept beside the UPN (user.email)', () => {
  const logon = one(row('DeviceLogonEvents', {
    ActionType: 'LogonSuccess', LogonType: 'RemoteInteractive', AccountName: 'lcole', AccountDomain: 'CORP', AccountUpn: 'Lee.Cole@corp.example',
    AccountSid: 'S-1-5-21-1-2-3-1104', RemoteIP: '198.51.100.9', DeviceName: 'wks-042.corp.example',
    InitiatingProcessAccountName: 'system', InitiatingProcessAccountDomain: 'nt authority',
  }));
  assert.deepEqual(logon.user, { name: 'lcole', domain: 'corp', email: 'lee.cole@corp.example', id: 'S-1-5-21-1-2-3-1104' });
  assert.deepEqual(getPath(logon, 'related.user'), ['system', 'lcole', 'lee.cole@corp.example']);
  const upnOnly = one(row('DeviceLogonEvents', { ActionType: 'LogonFailed', LogonType: 'Network', AccountUpn: 'lee.cole@corp.example' }));
  assert.deepEqual(upnOnly.user, { name: 'lee.cole', domain: 'corp.example', email: 'lee.cole@corp.example' });
});

const NET = { DeviceId: 'dev-1', DeviceName: 'wks-042.corp.example', LocalIP: '10.20.1.15', LocalPort: 3389, RemoteIP: '198.51.100.9', RemotePort: 50123, Protocol: 'Tcp' };

test('inbound connections: the remote side is the source, network.direction inbound', () => {
  for (const action of ['InboundConnectionAttempt', 'InboundConnectionAccepted']) {
    const e = one(row('DeviceNetworkEvents', { ...NET, ActionType: action }));
    assert.equal(getPath(e, 'network.direction'), 'inbound', action);
    assert.deepEqual([getPath(e, 'source.ip'), getPath(e, 'source.port')], ['198.51.100.9', 50123], action);
    assert.deepEqual([getPath(e, 'destination.ip'), getPath(e, 'destination.port')], ['10.20.1.15', 3389], action);
    assert.deepEqual(getPath(e, 'host.ip'), ['10.20.1.15']);
  }
  // Inspected traffic says its direction in AdditionalFields.
  const ssh = one(row('DeviceNetworkEvents', { ...NET, LocalPort: 22, ActionType: 'SshConnectionInspected', AdditionalFields: '{"direction":"In","version":"2"}' }));
  assert.equal(getPath(ssh, 'network.direction'), 'inbound');
  assert.equal(getPath(ssh, 'source.ip'), '198.51.100.9');
  assert.equal(getPath(ssh, 'destination.port'), 22);
  const found = one(row('DeviceNetworkEvents', { ...NET, ActionType: 'ConnectionAcknowledged', AdditionalFields: { direction: 'In' } }));
  assert.equal(getPath(found, 'source.ip'), '198.51.100.9');
  // Outbound stays as it is: the device is the source.
  const out = one(row('DeviceNetworkEvents', { ...NET, LocalPort: 52311, RemotePort: 443, ActionType: 'ConnectionSuccess', RemoteUrl: 'app.example.com' }));
  assert.deepEqual([getPath(out, 'source.ip'), getPath(out, 'destination.ip'), getPath(out, 'destination.domain')], ['10.20.1.15', '198.51.100.9', 'app.example.com']);
  assert.equal(getPath(out, 'network.direction'), undefined);
});

test('InitiatingProcessParentFileName written as a device path: name and path apart', () => {
  const path = '\\Device\\HarddiskVolume3\\Windows\\System32\\smss.exe';
  const e = one(row('DeviceNetworkEvents', { ...NET, ActionType: 'ConnectionSuccess', InitiatingProcessFileName: 'csrss.exe', InitiatingProcessParentFileName: path }));
  assert.equal(getPath(e, 'process.parent.name'), 'smss.exe');
  assert.equal(getPath(e, 'process.parent.executable'), path);
  const plain = one(row('DeviceNetworkEvents', { ...NET, ActionType: 'ConnectionSuccess', InitiatingProcessParentFileName: 'services.exe' }));
  assert.equal(getPath(plain, 'process.parent.name'), 'services.exe');
  assert.equal(getPath(plain, 'process.parent.executable'), undefined);
  const created = one(row('DeviceProcessEvents', { DeviceName: 'wks-042', ActionType: 'ProcessCreated', FileName: 'cmd.exe', InitiatingProcessFileName: 'winlogon.exe', InitiatingProcessParentFileName: path }));
  assert.equal(getPath(created, 'microsoft.defender.initiating_process.parent.name'), 'smss.exe');
  assert.equal(getPath(created, 'microsoft.defender.initiating_process.parent.executable'), path);
});

test('a column value of the wrong kind is left out and noted; the row is kept', () => {
  const text = row('DeviceNetworkEvents', { ...NET, ActionType: 'ConnectionSuccess', RemotePort: 'https', InitiatingProcessId: 'x12', InitiatingProcessSHA1: 'not-hex' });
  const e = one(text);
  assert.equal(getPath(e, 'destination.port'), undefined);
  assert.equal(getPath(e, 'destination.ip'), '198.51.100.9');
  assert.deepEqual(e.tags, ['_field_dropped']);
  assert.deepEqual(getPath(e, 'packettrail.dropped_fields'), ['RemotePort', 'InitiatingProcessId', 'InitiatingProcessSHA1']);
  assert.match((getPath(e, 'packettrail.field_errors') as string[])[0]!, /^RemotePort "https" is not a port number/);
  assert.equal(e.event?.original, text);
  // 0 and "-" are Defender's "none", not errors.
  const none = one(row('DeviceNetworkEvents', { ...NET, ActionType: 'ConnectionSuccess', LocalPort: 0, InitiatingProcessId: 0, InitiatingProcessSHA1: '-' }));
  assert.equal(none.tags, undefined);
});
