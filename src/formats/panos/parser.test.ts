import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseText } from '../../testing/parse.js';
import { getPath, type EcsEvent } from '../../ecs/event.js';
import { TRAFFIC_FIELDS, THREAT_FIELDS, DECRYPTION_FIELDS } from './fields-network.js';
import { csvRecord } from './lines.fixture.js';
import { columnsFor, EXTRA_COLUMN } from '../../store/schema.js';
import { RowEncoder } from '../../store/row-encoder.js';
import { getFormat } from '../registry.js';

const SESSION = {
  receive_time: '2026/11/20 10:00:01', serial: '013201001234', time_generated: '2026/11/20 10:00:00',
  src: '10.1.2.3', dst: '13.224.10.5', natsrc: '203.0.113.10', natdst: '0.0.0.0', rule: 'allow-web-egress',
  srcuser: 'CORP\\Lee.Cole', app: 'ssl', vsys: 'vsys1', from: 'trust', to: 'untrust', inbound_if: 'ethernet1/2',
  outbound_if: 'ethernet1/1', logset: 'default', sessionid: 418273, repeatcnt: 1, sport: 52114, dport: 443,
  natsport: 40001, natdport: 0, flags: '0x400053', proto: 'tcp', device_name: 'fw01-edge', seqno: 7000001,
  actionflags: '0x8000000000000000', srcloc: '10.0.0.0-10.255.255.255', dstloc: 'United States',
  rule_uuid: '9c1f7e2a-5b3d-4e6f-8a7b-0c1d2e3f4a5b',
};

const TRAFFIC = {
  ...SESSION, type: 'TRAFFIC', subtype: 'end', action: 'allow', bytes: 5200, bytes_sent: 1200, bytes_received: 4000,
  packets: 20, start: '2026/11/20 09:59:30', elapsed: 29, category: 'computer-and-internet-info', pkts_sent: 9,
  pkts_received: 11, session_end_reason: 'tcp-fin', action_source: 'from-policy', xff_ip: '198.51.100.9',
  src_host: 'LT-0042', src_mac: '00:1a:2b:3c:4d:5e', high_res_timestamp: '2026-11-20T10:00:00.123+01:00',
};

function one(line: string, options: Record<string, string> = {}): EcsEvent {
  const r = parseText('panw.panos', line, { options });
  assert.deepEqual(r.rejected, [], line);
  assert.equal(r.events.length, 1);
  return r.events[0]!;
}

test('TRAFFIC 10.x/11.x: 5-tuple, NAT join key, user, counters, times', () => {
  const e = one(`<14>Nov 20 10:00:01 fw01 ${csvRecord(TRAFFIC_FIELDS, TRAFFIC)}`, { timezone: '+01:00' });
  assert.equal(e['@timestamp'], '2026-11-20T09:00:00.123Z'); // High Resolution Timestamp wins
  assert.deepEqual(e.source, {
    ip: '10.1.2.3', address: '10.1.2.3', port: 52114, nat: { ip: '203.0.113.10', port: 40001 },
    user: { name: 'lee.cole', domain: 'corp' }, geo: { name: '10.0.0.0-10.255.255.255' }, mac: '00-1A-2B-3C-4D-5E',
    domain: 'LT-0042', bytes: 1200, packets: 9,
  });
  assert.equal(getPath(e, 'destination.nat'), undefined); // 0.0.0.0: not translated
  assert.equal(getPath(e, 'destination.bytes'), 4000);
  assert.equal(getPath(e, 'destination.packets'), 11);
  assert.deepEqual(e.user, { name: 'lee.cole', domain: 'corp' });
  assert.deepEqual(e.network, { application: 'ssl', transport: 'tcp', iana_number: '6', type: 'ipv4', forwarded_ip: '198.51.100.9', bytes: 5200, packets: 20 });
  assert.deepEqual(e.rule, { name: 'allow-web-egress', uuid: '9c1f7e2a-5b3d-4e6f-8a7b-0c1d2e3f4a5b' });
  const ev = e.event!;
  assert.equal(ev.action, 'flow_terminated');
  assert.equal(ev.outcome, 'success');
  assert.deepEqual(ev.category, ['network']);
  assert.deepEqual(ev.type, ['connection', 'end', 'allowed']);
  assert.equal(ev.reason, 'tcp-fin');
  assert.equal(ev.start, '2026-11-20T08:59:30Z');
  assert.equal(ev.end, '2026-11-20T08:59:59Z');
  assert.equal(ev.duration, 29e9);
  assert.equal(ev.created, '2026-11-20T09:00:01Z');
  assert.equal(ev.kind, 'event');
  assert.equal(ev.module, 'panw');
  assert.equal(ev.dataset, 'panw.panos');
  assert.match(ev.id!, /^[\w-]{22}$/);
  assert.deepEqual(e.observer, {
    vendor: 'Palo Alto Networks', product: 'PAN-OS', type: 'firewall', serial_number: '013201001234', hostname: 'fw01-edge',
    ingress: { zone: 'trust', interface: { name: 'ethernet1/2' } }, egress: { zone: 'untrust', interface: { name: 'ethernet1/1' } },
  });
  assert.equal(getPath(e, 'panw.panos.session_id'), '418273');
  assert.equal(getPath(e, 'panw.panos.flow_id'), '418273');
  assert.equal(getPath(e, 'panw.panos.serial_number'), '013201001234');
  assert.equal(getPath(e, 'panw.panos.url.category'), 'computer-and-internet-info');
  // Source Hostname (Device-ID) is the source's host name: ECS source.domain.
  assert.equal(getPath(e, 'panw.panos.source'), undefined);
  assert.deepEqual(e.related, { hosts: ['LT-0042'], ip: ['10.1.2.3', '203.0.113.10', '13.224.10.5', '198.51.100.9'], user: ['lee.cole'] });
  assert.equal(getPath(e, 'log.file.path'), 'test.log');
});

test('TRAFFIC deny and start subtypes; generated time in the configured zone without a High Resolution Timestamp', () => {
  const deny = one(csvRecord(TRAFFIC_FIELDS, { ...TRAFFIC, subtype: 'deny', action: 'deny', high_res_timestamp: '', natsrc: '0.0.0.0', natsport: 0 }), { timezone: 'Europe/Paris' });
  assert.equal(deny['@timestamp'], '2026-11-20T09:00:00Z');
  assert.equal(deny.event?.action, 'flow_denied');
  assert.equal(deny.event?.outcome, 'failure');
  assert.deepEqual(deny.event?.type, ['connection', 'denied']);
  assert.equal(getPath(deny, 'source.nat'), undefined);
  const start = one(csvRecord(TRAFFIC_FIELDS, { ...TRAFFIC, subtype: 'start', high_res_timestamp: '', srcuser: 'unknown', dstuser: 'Lee Cole' }));
  assert.equal(start.user, undefined);
  assert.deepEqual(getPath(start, 'destination.user'), { name: 'Lee Cole' });
  assert.deepEqual(start.event?.type, ['connection', 'start', 'allowed']);
  assert.equal(start.event?.end, undefined);
  assert.equal(start['@timestamp'], '2026-11-20T10:00:00Z');
});

test('PAN-OS 8.x short layout (65 TRAFFIC fields) and appended unknown fields', () => {
  const short = csvRecord(TRAFFIC_FIELDS, TRAFFIC, { length: 65 });
  assert.equal(short.split(',').length, 65);
  const e = one(short);
  assert.equal(getPath(e, 'rule.uuid'), undefined);
  assert.equal(getPath(e, 'network.forwarded_ip'), undefined);
  assert.equal(getPath(e, 'source.nat.ip'), '203.0.113.10');
  const long = `${csvRecord(TRAFFIC_FIELDS, TRAFFIC)},extra1,"extra, two",3`;
  assert.equal(getPath(one(long), 'source.nat.port'), 40001);
  const minimal = csvRecord(TRAFFIC_FIELDS, TRAFFIC, { length: 31 });
  assert.equal(getPath(one(minimal), 'destination.port'), 443);
});

test('THREAT url: URL parts, category, user agent, XFF, referer, method, direction', () => {
  const line = csvRecord(THREAT_FIELDS, {
    ...SESSION, type: 'THREAT', subtype: 'url', action: 'block-url', misc: 'www.example.com/a/b.php?x=1,y=2',
    threatid: '(9999)', category: 'malware', severity: 'medium', direction: 'client-to-server',
    contenttype: 'text/html', user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
    xff: '192.0.2.44, 10.9.9.9', referer: 'https://portal.example.com/', http_method: 'get', thr_category: 'unknown',
    contentver: 'AppThreat-8800-8501', high_res_timestamp: '2026-11-20T10:00:00.500+01:00', url_category_list: 'malware,low-risk',
  });
  const e = one(`<14>1 2026-11-20T10:00:00.500+01:00 fw01 - - - - ${line}`, { timezone: '+01:00' });
  assert.equal(e.event?.kind, 'alert');
  assert.equal(e.event?.action, 'url_filtering');
  assert.equal(e.event?.outcome, 'failure');
  assert.deepEqual(e.event?.type, ['denied']);
  assert.deepEqual(e.event?.category, ['intrusion_detection', 'threat', 'network', 'web']);
  assert.equal(e.event?.severity, 3);
  assert.equal(getPath(e, 'log.level'), 'medium');
  assert.equal(getPath(e, 'url.original'), 'www.example.com/a/b.php?x=1,y=2');
  assert.equal(getPath(e, 'url.domain'), 'www.example.com');
  assert.equal(getPath(e, 'url.path'), '/a/b.php');
  assert.equal(getPath(e, 'url.query'), 'x=1,y=2');
  assert.equal(getPath(e, 'url.extension'), 'php');
  assert.equal(getPath(e, 'destination.domain'), 'www.example.com');
  assert.equal(getPath(e, 'panw.panos.url.category'), 'malware');
  assert.deepEqual(getPath(e, 'panw.panos.threat'), { id: '9999', name: 'URL-filtering' });
  assert.equal(getPath(e, 'network.direction'), 'inbound');
  assert.equal(getPath(e, 'network.forwarded_ip'), '192.0.2.44');
  assert.equal(getPath(e, 'panw.panos.x_forwarded_for'), '192.0.2.44, 10.9.9.9');
  assert.equal(getPath(e, 'http.request.method'), 'GET');
  assert.equal(getPath(e, 'http.request.referrer'), 'https://portal.example.com/');
  assert.equal(getPath(e, 'user_agent.name'), 'Chrome');
  assert.equal(getPath(e, 'observer.hostname'), 'fw01-edge');
  assert.equal(e['@timestamp'], '2026-11-20T09:00:00.500Z');
});

test('THREAT spyware/vulnerability/virus/wildfire: threat name+id, alert kind, file fields', () => {
  const base = { ...SESSION, type: 'THREAT', action: 'reset-both', direction: 'server-to-client', severity: 'critical' };
  const spy = one(csvRecord(THREAT_FIELDS, { ...base, subtype: 'spyware', threatid: 'Suspicious DNS Query (generic:evil.example)(109001001)', misc: '' }));
  assert.equal(spy.event?.kind, 'alert');
  assert.equal(spy.event?.action, 'spyware_detected');
  assert.equal(spy.event?.severity, 1);
  assert.deepEqual(getPath(spy, 'panw.panos.threat'), { id: '109001001', name: 'Suspicious DNS Query (generic:evil.example)' });
  assert.equal(getPath(spy, 'network.direction'), 'outbound');
  const vuln = one(csvRecord(THREAT_FIELDS, { ...base, subtype: 'vulnerability', threatid: 'Apache Log4j Remote Code Execution Vulnerability(91991)', misc: 'index.jsp' }));
  assert.equal(vuln.event?.action, 'vulnerability_detected');
  assert.equal(getPath(vuln, 'panw.panos.threat_resource'), 'index.jsp');
  const sha = 'a'.repeat(64);
  const wf = one(csvRecord(THREAT_FIELDS, { ...base, subtype: 'wildfire', action: 'allow', threatid: 'Windows Executable (EXE)(52020)', misc: 'setup.exe', category: 'malware', filedigest: sha, filetype: 'pe', reportid: '12345', cloud: 'wildfire.paloaltonetworks.com' }));
  assert.equal(wf.event?.kind, 'alert');
  assert.ok(wf.event?.category?.includes('malware'));
  assert.deepEqual(wf.file, { name: 'setup.exe', hash: { sha256: sha } });
  assert.equal(getPath(wf, 'panw.panos.wildfire.report_id'), '12345');
  assert.deepEqual(wf.related?.hash, [sha]);
  const benign = one(csvRecord(THREAT_FIELDS, { ...base, subtype: 'wildfire', action: 'allow', threatid: '(52020)', misc: 'doc.pdf', category: 'benign' }));
  assert.equal(benign.event?.kind, 'event');
  const file = one(csvRecord(THREAT_FIELDS, { ...base, subtype: 'file', action: 'alert', threatid: 'PDF(52010)', misc: 'q3 report, final.pdf' }));
  assert.equal(getPath(file, 'file.name'), 'q3 report, final.pdf');
  assert.equal(file.event?.action, 'file_match');
  const mail = one(csvRecord(THREAT_FIELDS, { ...base, subtype: 'virus', threatid: 'Virus/Win32.WGeneric(1000)', misc: 'invoice.zip', sender: 'a@x.example', recipient: 'b@corp.example', subject: 'Invoice "Q3"' }));
  assert.deepEqual(mail.email, { from: { address: ['a@x.example'] }, to: { address: ['b@corp.example'] }, subject: 'Invoice "Q3"' });
});

test('THREAT 8.x short layout (75 fields) and the URL without scheme', () => {
  const e = one(csvRecord(THREAT_FIELDS, { ...SESSION, type: 'THREAT', subtype: 'url', action: 'alert', misc: 'example.org:8443/x', threatid: '(9999)', category: 'news', severity: 'informational' }, { length: 75 }));
  assert.equal(getPath(e, 'url.port'), 8443);
  assert.equal(getPath(e, 'url.domain'), 'example.org');
  assert.equal(e.event?.kind, 'event');
});

test('DECRYPTION: TLS version, SNI, certificate', () => {
  const e = one(csvRecord(DECRYPTION_FIELDS, {
    ...SESSION, type: 'DECRYPTION', subtype: 'start', action: 'allow', tls_version: 'TLS1.3', tls_keyxchg: 'ECDHE',
    tls_enc: 'AES_256_GCM', tls_auth: 'SHA384', ec_curve: 'secp256r1', sni: 'App.Example.com', cn: '*.example.com',
    issuer_cn: 'Example CA', cert_serial: '0A1B2C', notbefore: '2026/01/01 00:00:00', notafter: '2027/01/01 00:00:00',
    fingerprint: 'AB'.repeat(32), error: '', proxy_type: 'Forward', high_res_timestamp: '2026-11-20T10:00:00.000Z',
  }));
  assert.deepEqual(e.tls, {
    version_protocol: 'tls', version: '1.3', curve: 'secp256r1', client: { server_name: 'App.Example.com' },
    server: { x509: { subject: { common_name: ['*.example.com'] }, issuer: { common_name: ['Example CA'] }, serial_number: '0A1B2C', not_before: '2026-01-01T00:00:00.000Z', not_after: '2027-01-01T00:00:00.000Z' }, hash: { sha256: 'AB'.repeat(32) } },
  });
  assert.equal(getPath(e, 'destination.domain'), 'app.example.com');
  assert.equal(getPath(e, 'panw.panos.tls.key_exchange'), 'ECDHE');
  assert.deepEqual(e.event?.category, ['network']);
  assert.equal(getPath(e, 'panw.panos.session_id'), '418273');
});

test('TRAFFIC App-ID category, risk and the flags are stored as columns, not in extra', () => {
  const e = one(
    `<14>Nov 20 10:00:01 fw01 ${csvRecord(TRAFFIC_FIELDS, { ...TRAFFIC, category_of_app: 'networking', subcategory_of_app: 'encrypted-tunnel', risk_of_app: 4 })}`,
    { timezone: '+01:00' },
  );
  const expected = { action_flags: '0x8000000000000000', flags: '0x400053', app_category: 'networking', app_subcategory: 'encrypted-tunnel', app_risk: '4' };
  for (const [key, value] of Object.entries(expected)) assert.equal(getPath(e, `panw.panos.${key}`), value, key);
  const columns = columnsFor(getFormat('panw.panos'));
  const encoder = new RowEncoder(columns);
  const cells = encoder.encode(e).split('\t');
  const at = (path: string) => cells[columns.findIndex((c) => c.path === path)];
  for (const [key, value] of Object.entries(expected)) assert.equal(at(`panw.panos.${key}`), value, key);
  const extra = cells[columns.indexOf(EXTRA_COLUMN)]!;
  for (const key of Object.keys(expected)) assert.ok(!extra.includes(`panw.panos.${key}"`), `${key} is not in extra: ${extra}`);
});
