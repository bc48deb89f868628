import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseText } from '../../testing/parse.js';
import { getPath, type EcsEvent } from '../../ecs/event.js';
import { AUTHENTICATION_FIELDS, GLOBALPROTECT_FIELDS, SYSTEM_FIELDS } from './fields-system.js';
import { TRAFFIC_FIELDS } from './fields-network.js';
import { csvRecord } from './lines.fixture.js';
import { panos } from './format.js';

// Records written from ../shared/reference/panos-variants.md: SLS field names (§5), SLS CEF (§6.2),
// SYSTEM authentication texts (§4), the AUTH type string (§1, §5.3) and High Resolution Timestamps (§2).

function one(text: string, options: Record<string, string> = {}): EcsEvent {
  const r = parseText('panw.panos', text, { options });
  assert.deepEqual(r.rejected, [], text);
  assert.equal(r.events.length, 1);
  assert.equal(r.events[0]!.tags, undefined, `no field dropped: ${JSON.stringify(r.events[0]!.packettrail)}`);
  return r.events[0]!;
}

const json = (o: Record<string, unknown>): string => JSON.stringify(o);

test('SLS JSON with the documented PascalCase names: addresses, ports, NAT, users, counters', () => {
  const e = one(json({
    LogType: 'TRAFFIC', Subtype: 'end', TimeGenerated: '2025-07-04T08:10:18Z', TimeReceived: '2025-07-04T08:10:19Z',
    DeviceSN: '013201001234', DeviceName: 'fw01-edge', ConfigVersion: '10.2', SourceAddress: '10.1.2.3',
    DestinationAddress: '198.51.100.20', NATSource: '203.0.113.10', NATDestination: '10.9.9.9', SourcePort: 52114,
    DestinationPort: 443, NATSourcePort: 40001, NATDestinationPort: 8443, Rule: 'dnat-web', RuleUUID: '9c1f7e2a',
    SourceUser: 'corp\\lee.cole', Application: 'ssl', VirtualLocation: 'vsys1', FromZone: 'untrust', ToZone: 'dmz',
    InboundInterface: 'ethernet1/1', OutboundInterface: 'ethernet1/3', LogSetting: 'default', SessionID: 418273,
    RepeatCount: 1, Protocol: 'tcp', Action: 'allow', Bytes: 5200, BytesSent: 1200, BytesReceived: 4000, PacketsTotal: 20,
    PacketsSent: 9, PacketsReceived: 11, SessionStartTime: '2025-07-04T08:09:49Z', SessionDuration: 29,
    URLCategory: 'computer-and-internet-info', SequenceNo: 7334523123456789012n.toString(), SessionEndReason: 'tcp-fin',
    SourceDeviceHost: 'LT-0042', DestinationLocation: 'US',
  }).replace('"7334523123456789012"', '7334523123456789012'));
  assert.equal(e['@timestamp'], '2025-07-04T08:10:18Z');
  assert.deepEqual([getPath(e, 'panw.panos.type'), getPath(e, 'panw.panos.sub_type'), e.event?.action], ['TRAFFIC', 'end', 'flow_terminated']);
  assert.equal(getPath(e, 'source.ip'), '10.1.2.3');
  assert.equal(getPath(e, 'source.port'), 52114);
  assert.equal(getPath(e, 'destination.ip'), '198.51.100.20');
  assert.equal(getPath(e, 'destination.port'), 443);
  assert.deepEqual(getPath(e, 'source.nat'), { ip: '203.0.113.10', port: 40001 });
  assert.deepEqual(getPath(e, 'destination.nat'), { ip: '10.9.9.9', port: 8443 });
  assert.deepEqual(e.user, { name: 'lee.cole', domain: 'corp' });
  assert.deepEqual([getPath(e, 'source.bytes'), getPath(e, 'destination.bytes'), getPath(e, 'network.bytes')], [1200, 4000, 5200]);
  assert.deepEqual([getPath(e, 'source.packets'), getPath(e, 'destination.packets')], [9, 11]);
  assert.equal(e.event?.duration, 29e9);
  assert.equal(e.event?.start, '2025-07-04T08:09:49Z');
  assert.equal(getPath(e, 'observer.serial_number'), '013201001234');
  assert.equal(getPath(e, 'observer.hostname'), 'fw01-edge');
  assert.equal(getPath(e, 'observer.version'), '10.2');
  assert.equal(getPath(e, 'observer.ingress.zone'), 'untrust');
  assert.equal(getPath(e, 'network.transport'), 'tcp');
  assert.equal(getPath(e, 'panw.panos.session_id'), '418273');
  // 64-bit sequence numbers keep every digit (a double would give …789000).
  assert.equal(getPath(e, 'panw.panos.sequence_number'), '7334523123456789012');
  // SourceDeviceHost (Device-ID) is the source's host name: ECS source.domain.
  assert.equal(getPath(e, 'source.domain'), 'LT-0042');
  assert.deepEqual(getPath(e, 'related.hosts'), ['LT-0042']);
  assert.equal(getPath(e, 'destination.geo.name'), 'US');
});

test('SLS JSON THREAT, SYSTEM, GLOBALPROTECT, HIPMATCH, CONFIG and AUTH records', () => {
  const sha = 'a'.repeat(64);
  const wildfire = one(json({
    LogType: 'THREAT', SubType: 'wildfire', TimeGenerated: '2025-07-04T08:10:18Z', SourceAddress: '10.1.2.3',
    DestinationAddress: '198.51.100.20', FileName: 'invoice.exe', FileHash: sha.toUpperCase(), ThreatID: 52020,
    ThreatName: 'Windows Executable', Verdict: 'malicious', DirectionOfAttack: 'server to client', VendorSeverity: 'High',
    Action: 'alert',
  }));
  assert.equal(getPath(wildfire, 'file.name'), 'invoice.exe');
  assert.equal(getPath(wildfire, 'file.hash.sha256'), sha);
  assert.deepEqual(getPath(wildfire, 'panw.panos.threat'), { id: '52020', name: 'Windows Executable' });
  assert.equal(getPath(wildfire, 'network.direction'), 'outbound');
  assert.equal(wildfire.event?.severity, 2);
  assert.equal(wildfire.event?.kind, 'alert');

  const system = one(json({
    LogType: 'SYSTEM', Subtype: 'auth', TimeGenerated: '2025-07-04T08:10:18Z', LogSourceName: 'fw01', EventName: 'auth-fail',
    VendorSeverity: 'Medium', EventDescription: "failed authentication for user 'admin'. Reason: Invalid username/password. From: 10.0.10.55.",
  }));
  assert.equal(system.message, "failed authentication for user 'admin'. Reason: Invalid username/password. From: 10.0.10.55.");
  assert.equal(getPath(system, 'user.name'), 'admin');
  assert.equal(getPath(system, 'source.ip'), '10.0.10.55');
  assert.equal(system.event?.outcome, 'failure');

  const gp = one(json({
    LogType: 'GLOBALPROTECT', TimeGenerated: '2025-07-04T08:10:18Z', EventName: 'gateway-auth', Stage: 'login', AuthMethod: 'LDAP',
    TunnelType: 'IPSec', SourceUserName: 'lee.cole@corp.example', SourceRegion: 'FR', EndpointDeviceName: 'LT-0042',
    PublicIPv4: '198.51.100.7', PrivateIPv4: '10.20.0.5', HostID: 'host-1', EndpointOSType: 'Windows', EventStatus: 'success',
  }));
  assert.equal(getPath(gp, 'source.ip'), '198.51.100.7');
  assert.equal(getPath(gp, 'host.hostname'), 'LT-0042');
  assert.deepEqual(getPath(gp, 'host.ip'), ['10.20.0.5']);
  assert.equal(getPath(gp, 'host.os.name'), 'Windows');
  assert.equal(getPath(gp, 'user.email'), 'lee.cole@corp.example');
  assert.equal(getPath(gp, 'panw.panos.globalprotect.tunnel_type'), 'IPSec');
  assert.equal(getPath(gp, 'panw.panos.globalprotect.stage'), 'login');
  assert.equal(gp.event?.outcome, 'success');

  const hip = one(json({
    LogType: 'HIPMATCH', TimeGenerated: '2025-07-04T08:10:18Z', SourceUser: 'corp\\lee.cole', EndpointDeviceName: 'LT-0042',
    EndpointOSType: 'Windows', SourceAddress: '10.1.2.3', HipMatchName: 'corp-compliant', HipMatchType: 'profile',
  }));
  assert.equal(getPath(hip, 'rule.name'), 'corp-compliant');
  assert.equal(getPath(hip, 'panw.panos.hip_match_type'), 'profile');
  assert.equal(getPath(hip, 'host.os.name'), 'Windows');
  assert.equal(getPath(hip, 'source.ip'), '10.1.2.3');

  const config = one(json({
    LogType: 'CONFIG', TimeGenerated: '2025-07-04T08:10:18Z', AdminUserName: 'admin', EventName: 'edit', Client: 'Web',
    EventResult: 'Succeeded', EventPath: 'vsys vsys1 rulebase security rules allow-web',
  }));
  assert.equal(config.event?.action, 'edit');
  assert.equal(getPath(config, 'user.name'), 'admin');
  assert.equal(config.event?.outcome, 'success');
  assert.equal(getPath(config, 'panw.panos.config.path'), 'vsys vsys1 rulebase security rules allow-web');

  // SLS calls the Authentication log AUTH; its client address is SourceAddress.
  const auth = one(json({
    LogType: 'AUTH', TimeGenerated: '2025-07-04T08:10:18.043Z', SourceAddress: '198.51.100.7', User: 'lee.cole',
    NormalizeUser: 'corp\\lee.cole', Object: 'gp-portal', AuthenticationPolicy: 'mfa', AuthServerProfile: 'okta',
    AuthenticationDescription: 'MFA push denied', ClientType: 'GlobalProtect', AuthEvent: 'authentication failure',
    AuthFactorNo: 2, AuthenticationProtocol: 'RADIUS',
  }));
  assert.equal(getPath(auth, 'panw.panos.type'), 'AUTHENTICATION');
  assert.equal(getPath(auth, 'source.ip'), '198.51.100.7');
  assert.deepEqual(auth.user, { name: 'lee.cole', domain: 'corp' });
  assert.equal(auth.event?.outcome, 'failure');
  assert.deepEqual(auth.event?.category, ['authentication']);
  assert.equal(getPath(auth, 'rule.name'), 'mfa');
  assert.equal(getPath(auth, 'panw.panos.auth.server_profile'), 'okta');
  assert.equal(getPath(auth, 'panw.panos.auth.protocol'), 'RADIUS');
});

test('CEF from Strata Logging Service: type then subtype in the header, times in dtz', () => {
  const cef =
    'CEF:0|Palo Alto Networks|LF|2.0|TRAFFIC|end|3|rt=Feb 27 2021 20:16:21 dtz=UTC deviceExternalId=013201001234 ' +
    'src=10.1.2.3 dst=13.224.10.5 spt=52114 dpt=443 sourceTranslatedAddress=203.0.113.10 sourceTranslatedPort=40001 proto=tcp ' +
    'act=allow app=ssl suser=corp\\\\lee.cole in=1200 out=4000 PanOSSourceDeviceHost=LT-0042 PanOSCortexDataLakeTenantID=1234567890';
  // The firewall's zone does not apply: the record names its own.
  const e = one(cef, { timezone: '+11:00' });
  assert.deepEqual([getPath(e, 'panw.panos.type'), getPath(e, 'panw.panos.sub_type'), e.event?.action], ['TRAFFIC', 'end', 'flow_terminated']);
  assert.equal(e['@timestamp'], '2021-02-27T20:16:21Z');
  assert.equal(getPath(e, 'source.ip'), '10.1.2.3');
  assert.equal(getPath(e, 'destination.port'), 443);
  assert.deepEqual(getPath(e, 'source.nat'), { ip: '203.0.113.10', port: 40001 });
  assert.deepEqual(e.event?.type, ['connection', 'end', 'allowed']);
  assert.equal(getPath(e, 'source.bytes'), 1200);
  assert.equal(getPath(e, 'source.domain'), 'LT-0042');
  assert.equal(getPath(e, 'observer.version'), '2.0');
  assert.equal(one(cef.replace('rt=Feb 27 2021 20:16:21', 'rt=1614456981000'))['@timestamp'], '2021-02-27T20:16:21Z', 'epoch ms rt');
  const auth = one('CEF:0|Palo Alto Networks|LF|2.0|AUTH|0|1|rt=Feb 27 2021 20:16:21 dtz=UTC src=198.51.100.7 duser=lee.cole msg=authentication success');
  assert.equal(getPath(auth, 'panw.panos.type'), 'AUTHENTICATION');
  assert.equal(getPath(auth, 'user.name'), 'lee.cole');
  assert.equal(getPath(auth, 'source.ip'), '198.51.100.7');
  assert.equal(auth.event?.outcome, 'success');
  // The firewall's own CEF keeps the subtype first.
  const device = one('CEF:0|Palo Alto Networks|PAN-OS|11.1.2|end|TRAFFIC|1|rt=Nov 20 2026 09:00:01 GMT src=10.1.2.3 dst=10.2.0.9 act=allow');
  assert.deepEqual([getPath(device, 'panw.panos.type'), getPath(device, 'panw.panos.sub_type')], ['TRAFFIC', 'end']);
  // The device's CONFIG template: Signature ID is the result, duser the admin, act the command.
  const config = one('CEF:0|Palo Alto Networks|PAN-OS|11.1.2|Succeeded|CONFIG|1|rt=Nov 20 2026 09:00:01 GMT duser=admin act=set msg=vsys vsys1 address web shost=10.0.0.9 destinationServiceName=Web');
  assert.equal(config.event?.action, 'set');
  assert.equal(getPath(config, 'user.name'), 'admin');
  assert.equal(config.event?.outcome, 'success');
  assert.equal(getPath(config, 'source.ip'), '10.0.0.9');
  assert.equal(getPath(config, 'panw.panos.config.path'), 'vsys vsys1 address web');
});

test('SYSTEM authentication events: user, client address, auth profile and server from the description', () => {
  const system = (subtype: string, eventid: string, opaque: string, severity = 'informational') =>
    one(csvRecord(SYSTEM_FIELDS, { receive_time: '2026/11/20 10:00:01', serial: '1', type: 'SYSTEM', subtype, time_generated: '2026/11/20 10:00:00', eventid, module: 'general', severity, opaque }));
  const fail = system('auth', 'auth-fail', "failed authentication for user 'admin'. Reason: Invalid username/password. From: 10.0.10.55.", 'medium');
  assert.deepEqual(fail.user, { name: 'admin' });
  assert.equal(getPath(fail, 'source.ip'), '10.0.10.55');
  assert.equal(fail.event?.reason, 'Invalid username/password');
  assert.equal(fail.event?.outcome, 'failure');
  assert.deepEqual(fail.event?.category, ['authentication']);
  assert.deepEqual(fail.event?.type, ['start']);
  const ok = system('auth', 'auth-success', "authenticated for user 'lee.cole'. auth profile 'corp-ldap', vsys 'shared', server profile 'dc01', server address '10.0.0.5', From: 10.1.2.3.");
  assert.deepEqual(ok.user, { name: 'lee.cole' });
  assert.equal(getPath(ok, 'source.ip'), '10.1.2.3');
  assert.equal(ok.event?.outcome, 'success');
  assert.deepEqual(getPath(ok, 'panw.panos.auth'), { profile: 'corp-ldap', server_profile: 'dc01', server_address: '10.0.0.5' });
  assert.equal(getPath(ok, 'panw.panos.virtual_sys'), 'shared');
  const web = system('general', 'general', 'User admin logged in via Web from 10.1.2.3 using https');
  assert.deepEqual([getPath(web, 'user.name'), getPath(web, 'source.ip'), getPath(web, 'panw.panos.auth.method'), web.event?.outcome], ['admin', '10.1.2.3', 'Web', 'success']);
  assert.deepEqual(web.event?.category, ['authentication']);
  const out = system('general', 'general', 'User admin logged out via CLI from 10.1.2.3');
  assert.deepEqual(out.event?.type, ['end']);
  const ssh = system('general', 'general', 'Failed password for invalid user root from 2001:db8::7 port 50122 ssh2', 'medium');
  assert.deepEqual([getPath(ssh, 'user.name'), getPath(ssh, 'source.ip'), getPath(ssh, 'source.port'), ssh.event?.outcome], ['root', '2001:db8::7', 50122, 'failure']);
  // Failed logins group by user and address.
  const r = parseText('panw.panos', [fail, fail].map(() => csvRecord(SYSTEM_FIELDS, { receive_time: '2026/11/20 10:00:01', serial: '1', type: 'SYSTEM', subtype: 'auth', time_generated: '2026/11/20 10:00:00', eventid: 'auth-fail', opaque: "failed authentication for user 'admin'. Reason: x. From: 10.0.10.55." })).join('\n'));
  assert.deepEqual(r.events.map((e) => `${getPath(e, 'user.name')}@${getPath(e, 'source.ip')}`), ['admin@10.0.10.55', 'admin@10.0.10.55']);
  // Other SYSTEM events are not read as logins.
  const other = system('general', 'general', 'Connection to Update server completed successfully, initiated by 10.0.0.1');
  assert.deepEqual(other.event?.category, ['host']);
  assert.equal(getPath(other, 'source.ip'), undefined);
  assert.equal(other.user, undefined);
});

test('AUTHENTICATION under the type string AUTH, and High Resolution Timestamps with an offset in UTC', () => {
  const values = {
    receive_time: '2025/07/04 19:10:19', serial: '013201001234', subtype: '0', time_generated: '2025/07/04 19:10:18', vsys: 'vsys1',
    ip: '198.51.100.7', user: 'lee.cole', normalize_user: 'corp\\lee.cole', authpolicy: 'mfa', event: 'authentication failure',
    high_res_timestamp: '2025-07-04T19:10:18.043+11:00',
  };
  for (const type of ['AUTH', 'AUTHENTICATION']) {
    const e = one(csvRecord(AUTHENTICATION_FIELDS, { ...values, type }));
    assert.equal(getPath(e, 'panw.panos.type'), 'AUTHENTICATION', type);
    assert.equal(e['@timestamp'], '2025-07-04T08:10:18.043Z', type);
    assert.equal(getPath(e, 'source.ip'), '198.51.100.7');
    assert.equal(e.event?.outcome, 'failure');
  }
  assert.ok(panos.detect({ name: 'x', lines: [csvRecord(AUTHENTICATION_FIELDS, { ...values, type: 'AUTH' })] }) >= 0.9);
  // Epoch-0 placeholders (PAN-OS 9.1 and older, GlobalProtect) are no time: the Generated Time is used.
  for (const hrt of ['1969-12-31T16:00:00:000-08:00', '1970-01-01T01:00:00.000+01:00']) {
    const e = one(csvRecord(TRAFFIC_FIELDS, { receive_time: '2026/11/20 10:00:01', serial: '1', type: 'TRAFFIC', subtype: 'end', time_generated: '2026/11/20 10:00:00', src: '10.0.0.1', dst: '10.0.0.2', action: 'allow', high_res_timestamp: hrt }));
    assert.equal(e['@timestamp'], '2026-11-20T10:00:00Z', hrt);
  }
});

test('CSV forwarded by Strata Logging Service: ISO times, a large first field, recognized', () => {
  const line = '<14>Jul  4 08:10:19 sls 7334523123456789012,2025-07-04T08:10:19.000000Z,no-serial,TRAFFIC,end,10.2,2025-07-04T08:10:18.000000Z,10.1.2.3,198.51.100.20,,,allow-web,,,ssl,vsys1,trust,untrust,ethernet1/2,ethernet1/1,default,,418273,1,52114,443,0,0,0x0,tcp,allow';
  assert.ok(panos.detect({ name: 'x', lines: [line] }) >= 0.9);
  const e = one(line);
  assert.equal(e['@timestamp'], '2025-07-04T08:10:18Z');
  assert.equal(getPath(e, 'source.ip'), '10.1.2.3');
});

test('GlobalProtect with an odd IPv6 address: the record is kept, the address left out and noted', () => {
  const line = csvRecord(GLOBALPROTECT_FIELDS, {
    receive_time: '2026/11/20 10:00:01', serial: '1', type: 'GLOBALPROTECT', subtype: '0', time_generated: '2026/11/20 10:00:00',
    eventid: 'gateway-connected', stage: 'tunnel', srcuser: 'lee.cole', public_ip: '198.51.100.7', public_ipv6: '2001:db8:::1/64',
    private_ip: '10.20.0.5', status: 'success',
  });
  const r = parseText('panw.panos', line);
  assert.equal(r.rejected.length, 0);
  const e = r.events[0]!;
  assert.equal(getPath(e, 'source.ip'), '198.51.100.7');
  assert.deepEqual(getPath(e, 'host.ip'), ['10.20.0.5']);
  assert.deepEqual(e.tags, ['_field_dropped']);
  assert.deepEqual(getPath(e, 'packettrail.dropped_fields'), ['public_ipv6']);
  assert.equal(e.event?.original, line);
});

test('CONFIG in the default format (no change details after the path) and with them appended', () => {
  const base = '1,2026/11/20 10:00:01,013201001234,CONFIG,0,2561,2026/11/20 10:00:00,10.0.0.9,vsys1,set,admin,Web,Succeeded, vsys  vsys1 address web,7000001,0x0,0,0,0,0,,fw01-edge,,,0,2026-11-20T10:00:00.123+01:00';
  for (const line of [base, `${base},"<entry name=""web""/>","<entry name=""web2""/>"`]) {
    const e = one(line);
    assert.equal(getPath(e, 'observer.hostname'), 'fw01-edge');
    assert.equal(getPath(e, 'panw.panos.sequence_number'), '7000001');
    assert.equal(e['@timestamp'], '2026-11-20T09:00:00.123Z');
    assert.equal(e.event?.action, 'set');
    assert.equal(getPath(e, 'user.name'), 'admin');
  }
  assert.equal(getPath(one(base), 'panw.panos.config.before'), undefined);
  assert.equal(getPath(one(`${base},"<entry name=""web""/>","<entry name=""web2""/>"`), 'panw.panos.config.after'), '<entry name="web2"/>');
});

test('DECRYPTION: the last field (Cluster Name) where the 11.1 format line puts it', () => {
  // Positions (1-based) from the reference's DECRYPTION table (§9.9), not from the parser's own list.
  const cells = new Array<string>(107).fill('');
  const at = (n: number, v: string): void => void (cells[n - 1] = v);
  at(1, '1'); at(2, '2026/11/20 10:00:01'); at(3, '1'); at(4, 'DECRYPTION'); at(7, '2026/11/20 10:00:00');
  at(8, '10.1.2.3'); at(9, '198.51.100.20'); at(31, 'allow'); at(64, 'www.example.com'); at(97, 'fw01-edge'); at(107, 'cn-cluster-1');
  const e = one(cells.join(','));
  assert.equal(getPath(e, 'tls.client.server_name'), 'www.example.com');
  assert.equal(getPath(e, 'observer.hostname'), 'fw01-edge');
  assert.equal(getPath(e, 'panw.panos.cluster_name'), 'cn-cluster-1');
});

/** A CSV record of `count` fields with values at the reference's 1-based positions. */
function byPosition(count: number, values: Record<number, string>): string {
  const cells = new Array<string>(count).fill('');
  for (const [n, v] of Object.entries(values)) cells[Number(n) - 1] = v;
  return cells.join(',');
}

test('Tunnel Inspection (Type START/END), SCTP, IP-Tag and Correlated Events read by their documented positions', () => {
  const head = { 1: '1', 2: '2026/11/20 10:00:01', 3: '013201001234', 7: '2026/11/20 10:00:00' };
  const tunnel = one(byPosition(84, {
    ...head, 4: 'END', 5: 'end', 8: '10.1.2.3', 9: '198.51.100.20', 12: 'inspect-gre', 15: 'gre', 23: '5151', 25: '0', 26: '0',
    30: 'gre', 31: 'allow', 42: 'fw01-edge', 48: '9000', 49: '4000', 50: '5000', 51: '30', 60: 'aged-out', 62: '2026/11/20 09:59:00', 63: '60',
  }));
  assert.deepEqual([getPath(tunnel, 'panw.panos.type'), getPath(tunnel, 'source.ip'), getPath(tunnel, 'destination.ip')], ['END', '10.1.2.3', '198.51.100.20']);
  assert.deepEqual(tunnel.event?.type, ['connection', 'end', 'allowed']);
  assert.deepEqual([getPath(tunnel, 'network.bytes'), getPath(tunnel, 'source.bytes'), getPath(tunnel, 'destination.bytes')], [9000, 4000, 5000]);
  assert.deepEqual([tunnel.event?.reason, tunnel.event?.duration, getPath(tunnel, 'observer.hostname')], ['aged-out', 60e9, 'fw01-edge']);
  const sctp = one(byPosition(65, { ...head, 4: 'SCTP', 8: '10.1.2.3', 9: '10.9.9.9', 12: 'sctp-allow', 25: '2905', 26: '2905', 31: 'sctp', 32: 'allow', 38: 'fw01-edge', 43: 'informational' }));
  assert.deepEqual([getPath(sctp, 'source.port'), getPath(sctp, 'destination.port'), getPath(sctp, 'network.transport'), sctp.event?.outcome], [2905, 2905, 'sctp', 'success']);
  assert.equal(getPath(sctp, 'rule.name'), 'sctp-allow');
  const tag = one(byPosition(27, { ...head, 4: 'IPTAG', 5: '0', 8: 'vsys1', 9: '10.1.2.3', 10: 'quarantine', 11: 'register', 13: '3600', 14: 'xml-api', 24: 'fw01-edge' }));
  assert.deepEqual([getPath(tag, 'source.ip'), tag.event?.action, getPath(tag, 'panw.panos.iptag.tag_name'), getPath(tag, 'panw.panos.iptag.timeout')], ['10.1.2.3', 'register', 'quarantine', 3600]);
  const corr = one(byPosition(22, { ...head, 4: 'CORRELATION', 5: 'compromised-host', 8: '10.1.2.3', 9: 'corp\\lee.cole', 10: 'vsys1', 11: 'compromised-host', 12: 'critical', 18: 'fw01-edge', 20: 'beacon-detection', 21: '6005', 22: 'Host visited 12 known malware URLs' }));
  assert.deepEqual([getPath(corr, 'source.ip'), getPath(corr, 'user.name'), corr.event?.kind, getPath(corr, 'rule.name'), corr.message], ['10.1.2.3', 'lee.cole', 'alert', 'beacon-detection', 'Host visited 12 known malware URLs']);
});

test('LEEF from Strata Logging Service: cat names the type, the Event ID means what the type says', () => {
  const leef = (eventId: string, attrs: string) => one(`LEEF:2.0|Palo Alto Networks|Next Generation Firewall|10.1|${eventId}|^|${attrs}`);
  const traffic = leef('deny', 'cat=traffic^SubType=deny^devTime=Feb 27 2021 20:16:21 GMT^src=10.1.2.3^dst=198.51.100.20^srcPort=50000^dstPort=445^proto=tcp^DeviceSN=013201001234^SourceDeviceHost=LT-0042');
  assert.deepEqual([getPath(traffic, 'panw.panos.type'), getPath(traffic, 'panw.panos.action'), traffic.event?.outcome], ['TRAFFIC', 'deny', 'failure']);
  assert.equal(getPath(traffic, 'source.domain'), 'LT-0042');
  const url = leef('phishing', 'cat=url^devTime=Feb 27 2021 20:16:21 GMT^src=10.1.2.3^dst=198.51.100.20^URL=login.example.net/x^Action=block-url');
  assert.deepEqual([getPath(url, 'panw.panos.type'), getPath(url, 'panw.panos.sub_type'), getPath(url, 'panw.panos.url.category'), url.event?.kind], ['THREAT', 'url', 'phishing', 'alert']);
  const auth = leef('authentication success', 'cat=auth^devTime=Feb 27 2021 20:16:21 GMT^src=198.51.100.7^usrName=lee.cole');
  assert.deepEqual([getPath(auth, 'panw.panos.type'), getPath(auth, 'source.ip'), getPath(auth, 'user.name'), auth.event?.outcome], ['AUTHENTICATION', '198.51.100.7', 'lee.cole', 'success']);
});
