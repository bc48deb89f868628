import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseText } from '../../testing/parse.js';
import { getPath, type EcsEvent } from '../../ecs/event.js';
import { TRAFFIC_FIELDS } from './fields-network.js';
import { SYSTEM_FIELDS, CONFIG_FIELDS, USERID_FIELDS, GLOBALPROTECT_FIELDS, HIPMATCH_FIELDS, AUTHENTICATION_FIELDS } from './fields-system.js';
import { csvRecord } from './lines.fixture.js';

const HEAD = { receive_time: '2026/11/20 10:00:01', serial: '013201001234', time_generated: '2026/11/20 10:00:00', device_name: 'fw01-edge', seqno: 55 };

function one(line: string, options: Record<string, string> = {}): EcsEvent {
  const r = parseText('panw.panos', line, { options });
  assert.deepEqual(r.rejected, [], line);
  assert.equal(r.events.length, 1);
  return r.events[0]!;
}

function reason(line: string, options: Record<string, string> = {}): string {
  const r = parseText('panw.panos', line, { options });
  assert.equal(r.events.length, 0, line);
  assert.equal(r.rejected.length, 1, line);
  return r.rejected[0]!.reason;
}

test('SYSTEM: event id, description with commas, severity', () => {
  const e = one(`<14>Nov 20 10:00:01 fw01 ${csvRecord(SYSTEM_FIELDS, { ...HEAD, type: 'SYSTEM', subtype: 'auth', vsys: '', eventid: 'auth-fail', object: '', module: 'general', severity: 'medium', opaque: 'failed authentication for user \'lee.cole\'. Reason: Invalid username/password. From: 10.1.2.3, auth profile \'ad\'.' })}`);
  assert.equal(e.event?.action, 'auth-fail');
  assert.equal(e.event?.outcome, 'failure');
  assert.deepEqual(e.event?.category, ['authentication']);
  assert.equal(e.event?.severity, 3);
  assert.match(e.message as string, /From: 10\.1\.2\.3, auth profile/);
  assert.equal(getPath(e, 'panw.panos.module'), 'general');
  assert.equal(getPath(e, 'observer.hostname'), 'fw01-edge');
  const general = one(csvRecord(SYSTEM_FIELDS, { ...HEAD, type: 'SYSTEM', subtype: 'general', eventid: 'general', severity: 'informational', opaque: 'Commit job succeeded' }));
  assert.deepEqual(general.event?.category, ['host']);
});

test('CONFIG: admin, command, path, before/after, result', () => {
  const e = one(csvRecord(CONFIG_FIELDS, { ...HEAD, type: 'CONFIG', subtype: '0', host: '10.9.0.5', vsys: 'vsys1', cmd: 'edit', admin: 'admin.lee@corp.example', client: 'Web', result: 'Succeeded', path: ' vsys  vsys1 rulebase security rules  allow-web-egress', before_change_detail: 'action: deny', after_change_detail: 'action: allow' }));
  assert.equal(e.event?.action, 'edit');
  assert.equal(e.event?.outcome, 'success');
  assert.deepEqual(e.event?.category, ['configuration']);
  assert.deepEqual(e.event?.type, ['change']);
  assert.deepEqual(e.user, { name: 'admin.lee', domain: 'corp.example', email: 'admin.lee@corp.example' });
  assert.equal(getPath(e, 'source.ip'), '10.9.0.5');
  assert.equal(getPath(e, 'panw.panos.config.after'), 'action: allow');
  assert.equal(getPath(e, 'panw.panos.config.client'), 'Web');
  const failed = one(csvRecord(CONFIG_FIELDS, { ...HEAD, type: 'CONFIG', subtype: '0', host: 'panorama01', cmd: 'commit', admin: 'admin', client: 'CLI', result: 'Failed' }));
  assert.equal(failed.event?.outcome, 'failure');
  assert.equal(getPath(failed, 'source.address'), 'panorama01');
});

test('USERID login: IP ↔ user mapping', () => {
  const e = one(csvRecord(USERID_FIELDS, { ...HEAD, type: 'USERID', subtype: 'login', vsys: 'vsys1', ip: '10.1.2.3', user: 'corp\\lee.cole', datasourcename: 'dc01', eventid: 'login', repeatcnt: 1, timeout: 2700, beginport: 0, endport: 0, datasource: 'agent', datasourcetype: 'ad' }));
  assert.equal(getPath(e, 'source.ip'), '10.1.2.3');
  assert.deepEqual(e.user, { name: 'lee.cole', domain: 'corp' });
  assert.deepEqual(e.event?.type, ['start']);
  assert.equal(getPath(e, 'panw.panos.userid.timeout'), 2700);
  assert.equal(getPath(e, 'panw.panos.userid.source_type'), 'ad');
});

test('GLOBALPROTECT: user, public/private IP, host, status', () => {
  const e = one(csvRecord(GLOBALPROTECT_FIELDS, { ...HEAD, type: 'GLOBALPROTECT', subtype: '', vsys: 'vsys1', eventid: 'gateway-connected', stage: 'connected', auth_method: 'SAML', tunnel_type: 'IPSec', srcuser: 'lee.cole@corp.example', srcregion: 'FR', machinename: 'LT-0042', public_ip: '198.51.100.20', private_ip: '10.200.0.14', hostid: 'c9a4-77', client_ver: '6.2.1', client_os: 'Microsoft Windows', client_os_ver: '10.0.22631', repeatcnt: 1, status: 'success', location: 'Paris', login_duration: 3600, connect_method: 'user-logon', portal: 'gp.corp.example', gateway: 'gw-eu' }));
  assert.equal(e.event?.action, 'gateway-connected');
  assert.equal(e.event?.outcome, 'success');
  assert.deepEqual(e.event?.type, ['start']);
  assert.equal(getPath(e, 'source.ip'), '198.51.100.20');
  assert.equal(getPath(e, 'user.email'), 'lee.cole@corp.example');
  assert.equal(getPath(e, 'host.hostname'), 'LT-0042');
  assert.deepEqual(getPath(e, 'host.ip'), ['10.200.0.14']);
  assert.equal(getPath(e, 'host.os.version'), '10.0.22631');
  assert.equal(e.event?.duration, 3600e9);
  assert.equal(getPath(e, 'panw.panos.globalprotect.gateway'), 'gw-eu');
  assert.ok(e.related?.ip?.includes('198.51.100.20'));
});

test('HIP-MATCH and AUTHENTICATION', () => {
  const hip = one(csvRecord(HIPMATCH_FIELDS, { ...HEAD, type: 'HIPMATCH', subtype: '0', srcuser: 'corp\\lee.cole', vsys: 'vsys1', machinename: 'LT-0042', os: 'Windows', src: '10.1.2.3', matchname: 'corp-managed-device', repeatcnt: 1, matchtype: 'profile', mac: '001a2b3c4d5e' }));
  assert.equal(getPath(hip, 'rule.name'), 'corp-managed-device');
  assert.equal(getPath(hip, 'host.os.name'), 'Windows');
  assert.deepEqual(getPath(hip, 'host.mac'), ['00-1A-2B-3C-4D-5E']);
  assert.equal(getPath(hip, 'user.name'), 'lee.cole');
  const spelled = one(csvRecord(HIPMATCH_FIELDS, { ...HEAD, type: 'HIP-MATCH', srcuser: 'x', src: '10.1.2.3', matchname: 'm' }));
  assert.equal(getPath(spelled, 'panw.panos.type'), 'HIPMATCH');
  const auth = one(csvRecord(AUTHENTICATION_FIELDS, { ...HEAD, type: 'AUTHENTICATION', subtype: '', vsys: 'vsys1', ip: '10.1.2.3', user: 'lee.cole', normalize_user: 'corp\\lee.cole', object: 'captive-portal', authpolicy: 'mfa-for-admin', repeatcnt: 1, authid: 7, vendor: 'Okta', serverprofile: 'okta-mfa', desc: 'MFA push accepted', clienttype: 'Web', event: 'auth-success', factorno: 2, authproto: 'SAML', rule_uuid: 'u-1' }));
  assert.equal(auth.event?.outcome, 'success');
  assert.equal(auth.event?.action, 'auth-success');
  assert.deepEqual(auth.rule, { name: 'mfa-for-admin', uuid: 'u-1' });
  assert.deepEqual(auth.user, { name: 'lee.cole', domain: 'corp' });
  assert.equal(getPath(auth, 'panw.panos.auth.vendor'), 'Okta');
  assert.deepEqual(auth.event?.category, ['authentication']);
});

test('log types without a table keep the common head', () => {
  const e = one('1,2026/11/20 10:00:01,013201001234,CORRELATION,compromised-host,,2026/11/20 10:00:00,10.1.2.3,lee.cole,whatever');
  assert.equal(getPath(e, 'panw.panos.type'), 'CORRELATION');
  assert.equal(e['@timestamp'], '2026-11-20T10:00:00Z');
});

test('time zones: fixed offset, IANA across the DST change, header-less, bad zone', () => {
  const at = (generated: string, timezone: string) =>
    one(csvRecord(TRAFFIC_FIELDS, { receive_time: generated, serial: '1', type: 'TRAFFIC', subtype: 'end', time_generated: generated, src: '10.0.0.1', dst: '10.0.0.2', action: 'allow', start: generated }), { timezone })['@timestamp'];
  assert.equal(at('2026/11/20 10:00:00', '-05:00'), '2026-11-20T15:00:00Z');
  assert.equal(at('2026/11/20 10:00:00', 'America/New_York'), '2026-11-20T15:00:00Z');
  assert.equal(at('2026/07/20 10:00:00', 'America/New_York'), '2026-07-20T14:00:00Z');
  // Europe/Paris, 2026-10-25: 02:30 happens twice (earlier taken), 03:30 is CET.
  assert.equal(at('2026/10/25 01:30:00', 'Europe/Paris'), '2026-10-24T23:30:00Z');
  assert.equal(at('2026/10/25 02:30:00', 'Europe/Paris'), '2026-10-25T00:30:00Z');
  assert.equal(at('2026/10/25 03:30:00', 'Europe/Paris'), '2026-10-25T02:30:00Z');
  assert.equal(at('2026/03/29 02:30:00', 'Europe/Paris'), '2026-03-29T01:30:00Z');
  assert.match(reason('1,2026/11/20 10:00:01,1,TRAFFIC,end', { timezone: 'Nowhere/Special' }), /--timezone: unknown time zone 'Nowhere\/Special'/);
});

test('a malformed optional field is left out and noted; the record is kept', () => {
  const ok = { receive_time: '2026/11/20 10:00:01', serial: '1', type: 'TRAFFIC', subtype: 'end', time_generated: '2026/11/20 10:00:00', src: '10.0.0.1', dst: '10.0.0.2', action: 'allow', sport: 1, dport: 2 };
  const cases: [Record<string, string | number>, string, string, RegExp][] = [
    [{ src: 'not-an-ip' }, 'source.ip', 'src', /^src \(Source Address\) 'not-an-ip' is not an IP address$/],
    [{ natsrc: '10.0.0.300' }, 'source.nat.ip', 'natsrc', /natsrc \(NAT Source IP\) '10\.0\.0\.300' is not an IP address/],
    [{ time_generated: '2026/02/30 10:00:00' }, 'panw.panos.generated_time', 'time_generated', /time_generated \(Generated Time\) '2026\/02\/30 10:00:00' is not a valid time \(expected YYYY\/MM\/DD HH:MM:SS/],
    [{ sport: 'abc' }, 'source.port', 'sport', /sport \(Source Port\) 'abc' is not a whole number/],
    [{ dport: 70000 }, 'destination.port', 'dport', /dport \(Destination Port\) '70000' is not a port number/],
    [{ bytes_sent: '-5' }, 'source.bytes', 'bytes_sent', /bytes_sent \(Bytes Sent\) '-5' is not a whole number/],
  ];
  for (const [change, path, field, why] of cases) {
    const line = csvRecord(TRAFFIC_FIELDS, { ...ok, ...change });
    const e = one(line);
    assert.equal(getPath(e, path), undefined, line);
    assert.deepEqual(e.tags, ['_field_dropped']);
    assert.deepEqual(getPath(e, 'packettrail.dropped_fields'), [field]);
    assert.match((getPath(e, 'packettrail.field_errors') as string[])[0]!, why);
    // The value left out is not lost: the raw record is kept even without --original.
    assert.equal(e.event?.original, line);
    assert.equal(getPath(e, 'destination.ip'), '10.0.0.2');
  }
  // A bad Generated Time falls back to the Receive Time; with no readable time the record is rejected.
  assert.equal(one(csvRecord(TRAFFIC_FIELDS, { ...ok, time_generated: 'yesterday' }))['@timestamp'], '2026-11-20T10:00:01Z');
  assert.match(reason(csvRecord(TRAFFIC_FIELDS, { ...ok, time_generated: 'yesterday', receive_time: 'today' })), /^no readable time: time_generated \(Generated Time\) 'yesterday' is not a valid time.*; receive_time \(Receive Time\) 'today'/);
  // A clean record carries no note, and no event.original unless asked.
  const clean = one(csvRecord(TRAFFIC_FIELDS, ok));
  assert.equal(clean.tags, undefined);
  assert.equal(clean.packettrail, undefined);
  assert.equal(clean.event?.original, undefined);
});

test('malformed records are rejected with what was expected', () => {
  const ok = { receive_time: '2026/11/20 10:00:01', serial: '1', type: 'TRAFFIC', subtype: 'end', time_generated: '2026/11/20 10:00:00', src: '10.0.0.1', dst: '10.0.0.2', action: 'allow', sport: 1, dport: 2 };
  assert.match(reason(csvRecord(TRAFFIC_FIELDS, ok, { length: 20 })), /expected at least 31 comma-separated fields for a TRAFFIC record \(through action\), got 20/);
  assert.match(reason('1,2026/11/20 10:00:01,1,FOOBAR,x'), /expected at least 7 comma-separated fields for a FOOBAR \(unknown type\) record/);
  assert.match(reason('hello world'), /expected a PAN-OS CSV record \(FUTURE_USE,Receive Time,Serial Number,Type,…\), got 1 comma-separated field$/);
  assert.match(reason('1,2,3,not a type,5,6,7,8'), /field 4 \(Type\) 'not a type' is not a PAN-OS log type/);
  assert.match(reason('1,,1,SYSTEM,general,,,vsys1,general,,,,general,low,text'), /no time: expected time_generated/);
  // Values that name Object members must not reach its prototype.
  const hostile = one(csvRecord(TRAFFIC_FIELDS, { ...ok, subtype: 'constructor', action: '__proto__', proto: 'toString' }));
  assert.equal(hostile.event?.action, 'constructor');
  assert.equal(hostile.event?.outcome, 'unknown');
  assert.deepEqual(hostile.event?.type, ['connection']);
  assert.equal(getPath(hostile, 'network.iana_number'), undefined);
  const sys = one(csvRecord(SYSTEM_FIELDS, { ...HEAD, type: 'SYSTEM', subtype: 'constructor', eventid: 'x', severity: 'constructor', opaque: 'y' }));
  assert.deepEqual(sys.event?.category, ['host']);
  assert.equal(sys.event?.severity, undefined);
  // A 20-digit elapsed time (found by fuzzing) once recursed without end; now it is beyond what a
  // whole number can hold exactly, so it is left out (and noted) with the end time.
  const absurd = one(csvRecord(TRAFFIC_FIELDS, { ...ok, subtype: 'end', start: '2026/11/20 09:59:50', elapsed: '99999999999999999999' }));
  assert.equal(absurd.event?.end, undefined);
  assert.equal(absurd.event?.duration, undefined);
  assert.deepEqual(getPath(absurd, 'packettrail.dropped_fields'), ['elapsed']);
  // A 16-digit one is a whole number, but neither the end time nor the duration in nanoseconds exists: both are left unset.
  const huge = one(csvRecord(TRAFFIC_FIELDS, { ...ok, subtype: 'end', start: '2026/11/20 09:59:50', elapsed: '9007199254740991' }));
  assert.equal(huge.event?.end, undefined);
  assert.equal(huge.event?.duration, undefined);
  assert.equal(absurd.event?.start, '2026-11-20T09:59:50Z');
  const r = parseText('panw.panos', '\n   \n');
  assert.equal(r.rejected.length, 0);
});

test('event.original, event.id stability and --original', () => {
  const line = csvRecord(TRAFFIC_FIELDS, { receive_time: '2026/11/20 10:00:01', serial: '1', type: 'TRAFFIC', subtype: 'end', time_generated: '2026/11/20 10:00:00', src: '10.0.0.1', dst: '10.0.0.2', action: 'allow' });
  const a = parseText('panw.panos', line, { original: true }).events[0]!;
  const b = parseText('panw.panos', line, { source: 'other.log' }).events[0]!;
  assert.equal(a.event?.original, line);
  assert.equal(b.event?.original, undefined);
  assert.equal(a.event?.id, b.event?.id);
  assert.equal(a.event?.ingested, '2026-01-01T00:00:00.000Z');
  // CRLF line ends and the syslog host as observer.hostname when the record has no Device Name.
  const crlf = one(`<14>Nov 20 10:00:01 fw02.corp.example ${line}\r`);
  assert.equal(getPath(crlf, 'observer.hostname'), 'fw02.corp.example');
  assert.equal(crlf.event?.id, parseText('panw.panos', `<14>Nov 20 10:00:01 fw02.corp.example ${line}`).events[0]!.event?.id);
});

test('found by fuzzing: counters beyond 2^53 are left out and noted (1.8e19 would not fit the store), an empty JSON batch is a counted skip', () => {
  const ok = { receive_time: '2026/11/20 10:00:01', serial: '1', type: 'TRAFFIC', subtype: 'end', time_generated: '2026/11/20 10:00:00', src: '10.0.0.1', dst: '10.0.0.2', action: 'allow', sport: 1, dport: 2 };
  const big = one(csvRecord(TRAFFIC_FIELDS, { ...ok, bytes_sent: '18446744073709551616' }));
  assert.equal(big.source?.bytes, undefined);
  assert.deepEqual(getPath(big, 'packettrail.dropped_fields'), ['bytes_sent']);
  assert.match(String(getPath(big, 'packettrail.field_errors')), /bytes_sent \(Bytes Sent\) '18446744073709551616' is not a whole number \(0 to 9007199254740991\)/);
  assert.deepEqual(getPath(one(csvRecord(TRAFFIC_FIELDS, { ...ok, repeatcnt: '1e20' })), 'packettrail.dropped_fields'), ['repeatcnt']);
  for (const text of ['[]', '{"logs":[]}']) {
    const r = parseText('panw.panos', text);
    assert.deepEqual([r.records, r.events.length, r.rejected.length, r.skipped], [1, 0, 0, { 'empty batch': 1 }], text);
  }
});
