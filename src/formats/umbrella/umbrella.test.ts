import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseText } from '../../testing/parse.js';
import { getPath, type EcsEvent, type EcsObject } from '../../ecs/event.js';
import { eventIdFor } from '../../ecs/event-id.js';
import { detectFormat } from '../registry.js';
import { splitCsv } from './csv.js';
import { splitIdentities } from './identities.js';
import { typeFromPath } from './layouts.js';

const KEY = (folder: string): string => `s3://corp-logs/umbrella/${folder}/2024-05-01/2024-05-01-10-20-a1b2.csv.gz`;

function one(text: string, source = KEY('dnslogs'), original = false): EcsEvent {
  const r = parseText('cisco.umbrella', text, { source, original });
  assert.deepEqual(r.rejected, []);
  assert.equal(r.events.length, 1);
  return r.events[0]!;
}

function reject(text: string, source = KEY('dnslogs')): string {
  const r = parseText('cisco.umbrella', text, { source });
  assert.equal(r.events.length, 0, 'no event');
  assert.equal(r.rejected.length, 1, 'one rejection');
  return r.rejected[0]!.reason;
}

const q = (...cells: string[]): string => cells.map((c) => `"${c.replace(/"/g, '""')}"`).join(',');

test('CSV splitter: quotes, escaped quotes, commas inside cells, ", " separators and bare cells', () => {
  assert.deepEqual(splitCsv('"a","b,c","",  "d ""x"" e" , f ,'), ['a', 'b,c', '', 'd "x" e', 'f', '']);
  assert.deepEqual(splitCsv('2020-07-23 18:03:46,[1],x'), ['2020-07-23 18:03:46', '[1]', 'x']);
  assert.throws(() => splitCsv('"a","b'), /cell 2: quoted value is never closed/);
  assert.throws(() => splitCsv('"a"x,"b"'), /cell 1: expected a comma after the closing quote, found 'x'/);
  assert.throws(() => splitCsv('"a",b"c'), /cell 2: stray '"'/);
});

test('log type from the S3 key or path', () => {
  assert.equal(typeFromPath(KEY('dnslogs')), 'dns');
  assert.equal(typeFromPath('/test/path/cloudfirewalllogs'), 'firewall');
  assert.equal(typeFromPath('firewalllogs/2024-01-01/x.csv.gz'), 'firewall');
  assert.equal(typeFromPath('C:\\logs\\proxylogs\\a.csv'), 'proxy');
  assert.equal(typeFromPath('umbrella-iplogs.csv'), 'ip');
  assert.equal(typeFromPath('ziplogs/a.csv'), undefined);
  assert.equal(typeFromPath('stdin'), undefined);
});

const DNS10 = q('2024-05-01 10:20:30', 'jdoe@corp.example', 'jdoe@corp.example,HQ', '10.1.2.3', '203.0.113.9', 'Allowed', '28 (AAAA)', 'NOERROR', 'WWW.Example.COM.', 'Business Services,Software/Technology');

test('DNS, 10 columns (log format v1-2): no identity types, user-shaped identity still becomes the user', () => {
  const e = one(DNS10, KEY('dnslogs'), true);
  assert.equal(e['@timestamp'], '2024-05-01T10:20:30Z');
  assert.equal(getPath(e, 'dns.question.name'), 'www.example.com');
  assert.equal(getPath(e, 'dns.question.registered_domain'), 'example.com');
  assert.equal(getPath(e, 'dns.question.subdomain'), 'www');
  assert.equal(getPath(e, 'dns.question.top_level_domain'), 'com');
  assert.equal(getPath(e, 'dns.question.type'), 'AAAA');
  assert.equal(getPath(e, 'umbrella.query_type_id'), 28);
  assert.equal(getPath(e, 'dns.response_code'), 'NOERROR');
  assert.equal(getPath(e, 'source.ip'), '10.1.2.3');
  assert.equal(getPath(e, 'source.nat.ip'), '203.0.113.9');
  assert.equal(getPath(e, 'user.email'), 'jdoe@corp.example');
  assert.equal(getPath(e, 'user.name'), 'jdoe');
  assert.equal(getPath(e, 'event.action'), 'allowed');
  assert.equal(getPath(e, 'event.outcome'), 'success');
  assert.deepEqual(getPath(e, 'event.type'), ['protocol', 'allowed']);
  assert.deepEqual(getPath(e, 'umbrella.categories'), ['Business Services', 'Software/Technology']);
  assert.equal(getPath(e, 'event.original'), DNS10);
  assert.equal(getPath(e, 'event.id'), eventIdFor('cisco.umbrella', DNS10));
  assert.equal(getPath(e, 'event.ingested'), '2026-01-01T00:00:00.000Z');
  assert.equal(getPath(e, 'event.module'), 'cisco');
  assert.equal(getPath(e, 'log.file.path'), KEY('dnslogs'));
  assert.deepEqual(getPath(e, 'related.ip'), ['10.1.2.3', '203.0.113.9']);
  assert.deepEqual(getPath(e, 'related.hosts'), ['www.example.com']);
});

test('DNS, 13 columns: identity types decide user, host and network; display names with commas survive', () => {
  const e = one(q('2024-05-01 10:20:30', 'Cole, Lee (lee.cole@corp.example)', 'Cole, Lee (lee.cole@corp.example),LAPTOP-7,CORP - IP INTERNET',
    '10.1.2.3', '203.0.113.9', 'Blocked', '1 (A)', 'NXDOMAIN', 'bad.example.net.', 'Malware', 'AD Users', 'AD Users,Roaming Computers,Networks', 'Malware'));
  assert.equal(getPath(e, 'user.email'), 'lee.cole@corp.example');
  assert.equal(getPath(e, 'user.full_name'), 'Lee Cole');
  assert.equal(getPath(e, 'host.name'), 'LAPTOP-7');
  assert.equal(getPath(e, 'network.name'), 'CORP - IP INTERNET');
  assert.deepEqual(getPath(e, 'umbrella.identities'), ['Cole, Lee (lee.cole@corp.example)', 'LAPTOP-7', 'CORP - IP INTERNET']);
  assert.equal(getPath(e, 'event.action'), 'blocked');
  assert.equal(getPath(e, 'event.outcome'), 'failure');
  assert.deepEqual(getPath(e, 'event.type'), ['protocol', 'denied']);
  assert.equal(getPath(e, 'dns.response_code'), 'NXDOMAIN');
  assert.deepEqual(getPath(e, 'umbrella.blocked_categories'), ['Malware']);
});

test('identity forms: Firstname LASTNAME (mail), network identities are not users, percent-free plain names', () => {
  const user = one(q('2024-05-01 10:20:30', 'Lee COLE (lee.cole@corp.example)', 'Lee COLE (lee.cole@corp.example)', '10.1.2.3', '203.0.113.9',
    'Allowed', '1 (A)', 'NOERROR', 'a.example.com.', '', 'AD Users', 'AD Users', ''));
  assert.deepEqual(getPath(user, 'user'), { name: 'lee.cole', domain: 'corp.example', email: 'lee.cole@corp.example', full_name: 'Lee Cole' });
  const net = one(q('2024-05-01 10:20:30', 'CORP - IP INTERNET', 'CORP - IP INTERNET', '', '203.0.113.9', 'Allowed', '1 (A)', 'NOERROR',
    'a.example.com.', '', 'Networks', 'Networks', ''));
  assert.equal(getPath(net, 'user'), undefined);
  assert.equal(getPath(net, 'network.name'), 'CORP - IP INTERNET');
  assert.equal(getPath(net, 'source.ip'), undefined);
  assert.equal(getPath(net, 'source.nat.ip'), '203.0.113.9');
  const plain = one(q('2024-05-01 10:20:30', 'LAPTOP1', 'LAPTOP1', '10.0.0.1', '203.0.113.9', 'Allowed', '1 (A)', 'NOERROR', 'a.example.com.', ''));
  assert.equal(getPath(plain, 'user'), undefined, 'no types and not user-shaped: not claimed as a user');
  assert.deepEqual(splitIdentities('Cole, Lee (lee@x.example),HOST', 2), ['Cole, Lee (lee@x.example)', 'HOST']);
  assert.deepEqual(splitIdentities('Machine,Lee Cole (lee@x.example)', 2), ['Machine', 'Lee Cole (lee@x.example)']);
  assert.deepEqual(splitIdentities('Cole, Lee (lee@x.example)', undefined), ['Cole, Lee (lee@x.example)']);
});

test('DNS with appended columns of newer versions: known columns mapped, the rest kept by number', () => {
  const e = one(q('2024-05-01 10:20:30', 'x', 'x', '10.1.2.3', '203.0.113.9', 'Allowed', '1 (A)', 'NOERROR', 'a.example.com.', '', 'Networks',
    'Networks', '', '12345', '', 'DE'));
  assert.equal(getPath(e, 'dns.question.name'), 'a.example.com');
  assert.deepEqual(getPath(e, 'umbrella.unmapped_columns'), { '14': '12345', '16': 'DE' });
});

test('log type from content when the path says nothing, and the path winning over content', () => {
  assert.equal(getPath(one(DNS10, 'stdin'), 'umbrella.log_type'), 'dns');
  assert.match(reject(DNS10, KEY('proxylogs')), /expected at least 21 columns for an Umbrella proxy \(SWG\) log, got 10/);
  assert.match(reject(q('2024-05-01 10:20:30', 'a', 'b', 'c', 'd', 'e', 'f'), 'stdin'), /cannot tell the Umbrella log type: the path names none of dnslogs\//);
});

const PROXY_ROW = [
  '2024-05-01 10:20:30', 'Lee Cole (lee.cole@corp.example)', '10.1.2.3', '203.0.113.9', '198.51.100.7', 'text/html', 'BLOCKED',
  'https://app.example.com:8443/login?next=%2Fhome', 'https://portal.example.com/', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  '403', '512', '2048', '1900', 'A459E1374395119B8A5AA26CF97738C3864D3130E93C083FBAB6DA3FE1AD9175', 'Phishing,Malware', 'Trojan.X', '', 'MALICIOUS',
  'Win.Trojan', '95', 'AD Users', 'Phishing', 'Lee Cole (lee.cole@corp.example),LAPTOP-7', 'AD Users,Roaming Computers', 'post', 'ALLOWED', '',
  'login', '111', '222', '1,2', '', '', '', 'PAC', 'SWG', '', 'RU,KP', '7,8', 'app.example.com', 'fra1', '203.0.113.50', 'app.example.com',
  'No', 'No', 'html', '', '999',
];

test('proxy: every documented column, plus columns appended after them', () => {
  assert.equal(PROXY_ROW.length, 49);
  const e = one(q(...PROXY_ROW, 'future-1', 'future-2'), KEY('proxylogs'));
  assert.equal(getPath(e, 'url.domain'), 'app.example.com');
  assert.equal(getPath(e, 'url.port'), 8443);
  assert.equal(getPath(e, 'url.path'), '/login');
  assert.equal(getPath(e, 'url.query'), 'next=%2Fhome');
  assert.equal(getPath(e, 'url.original'), PROXY_ROW[7]);
  assert.equal(getPath(e, 'destination.ip'), '198.51.100.7');
  assert.equal(getPath(e, 'destination.domain'), 'app.example.com');
  assert.equal(getPath(e, 'source.ip'), '10.1.2.3');
  assert.equal(getPath(e, 'source.nat.ip'), '203.0.113.9');
  assert.equal(getPath(e, 'user.email'), 'lee.cole@corp.example');
  assert.equal(getPath(e, 'host.name'), 'LAPTOP-7');
  assert.equal(getPath(e, 'http.request.method'), 'POST');
  assert.equal(getPath(e, 'http.request.referrer'), 'https://portal.example.com/');
  assert.equal(getPath(e, 'http.request.bytes'), 512);
  assert.equal(getPath(e, 'http.response.status_code'), 403);
  assert.equal(getPath(e, 'http.response.bytes'), 2048);
  assert.equal(getPath(e, 'http.response.body.bytes'), 1900);
  assert.equal(getPath(e, 'http.response.mime_type'), 'text/html');
  assert.equal(getPath(e, 'user_agent.name'), 'Chrome');
  assert.equal(getPath(e, 'file.hash.sha256'), PROXY_ROW[14]!.toLowerCase());
  assert.deepEqual(getPath(e, 'related.hash'), [PROXY_ROW[14]!.toLowerCase()]);
  assert.equal(getPath(e, 'file.name'), 'login');
  assert.equal(getPath(e, 'umbrella.amp.disposition'), 'MALICIOUS');
  assert.equal(getPath(e, 'umbrella.amp.malware_name'), 'Win.Trojan');
  assert.equal(getPath(e, 'rule.id'), '222');
  assert.equal(getPath(e, 'rule.ruleset'), '111');
  assert.deepEqual(getPath(e, 'umbrella.destination_list_ids'), ['1', '2']);
  assert.deepEqual(getPath(e, 'umbrella.blocked_destination_countries'), ['RU', 'KP']);
  assert.equal(getPath(e, 'umbrella.organization_id'), '999');
  assert.equal(getPath(e, 'event.action'), 'blocked');
  assert.deepEqual(getPath(e, 'umbrella.unmapped_columns'), { '50': 'future-1', '51': 'future-2' });
});

test('proxy: 35-column rows and the early 24-column layout', () => {
  const e35 = one(q(...PROXY_ROW.slice(0, 35)), KEY('proxylogs'));
  assert.equal(getPath(e35, 'umbrella.warn_status'), undefined);
  assert.equal(getPath(e35, 'umbrella.identities.1'), undefined);
  const early = one(q('2020-07-23 23:48:56', 'jdoe@corp.example', 'jdoe@corp.example', '192.168.1.1', '1.1.1.1', '8.8.8.8', '', 'ALLOWED',
    'https://elastic.co/blog', '', '', '200', '850', '', '', '', 'Business Services', '', '', '', '', '', 'AD Users', ''), 'stdin');
  assert.equal(getPath(early, 'source.ip'), '192.168.1.1');
  assert.equal(getPath(early, 'destination.ip'), '8.8.8.8');
  assert.equal(getPath(early, 'user.email'), 'jdoe@corp.example');
  assert.equal(getPath(early, 'http.request.bytes'), 850);
});

test('cloud firewall, IP, IPS, DLP and audit rows', () => {
  const fw = one(q('2024-05-01 10:20:30', '[1,2]', 'Branch Tunnel', 'Network Tunnels', 'OUTBOUND', '6', '60', '10.1.2.3', '51000', '198.51.100.7', '443', 'fra1', '77', 'BLOCK'), KEY('firewalllogs'));
  assert.equal(getPath(fw, 'network.transport'), 'tcp');
  assert.equal(getPath(fw, 'network.iana_number'), '6');
  assert.equal(getPath(fw, 'network.direction'), 'outbound');
  assert.equal(getPath(fw, 'network.name'), 'Branch Tunnel');
  assert.deepEqual(getPath(fw, 'umbrella.origin_ids'), ['1', '2']);
  assert.equal(getPath(fw, 'event.action'), 'blocked');
  assert.equal(getPath(fw, 'source.port'), 51000);
  const ip = one(q('2024-05-01 10:20:30', 'jdoe@corp.example', '10.1.2.3', '51000', '198.51.100.7', '4444', 'Malware'), KEY('iplogs'));
  assert.equal(getPath(ip, 'destination.port'), 4444);
  assert.equal(getPath(ip, 'user.email'), 'jdoe@corp.example');
  const ips = one(q('2024-05-01 10:20:30', 'HQ', 'Sites', '1', '2000', 'MALWARE-CNC beacon', '1', 'HIGH', 'Trojan Activity', '', 'UDP', '9',
    '10.1.2.3', '5353', '198.51.100.7', '53', 'Blocked'), 'stdin');
  assert.equal(getPath(ips, 'umbrella.log_type'), 'intrusion');
  assert.equal(getPath(ips, 'network.transport'), 'udp');
  assert.equal(getPath(ips, 'rule.name'), 'MALWARE-CNC beacon');
  const dlp = one(q('2024-05-01 10:20:30', 'Real Time', 'e1', 'HIGH', 'jdoe@corp.example', '', 'a.pdf', 'Box', 'https://box.example/up', 'BLOCK',
    'PCI', 'Cards', 'PAN', 'application/pdf', '4096', 'a'.repeat(64)), KEY('dlplogs'));
  assert.equal(getPath(dlp, 'file.size'), 4096);
  assert.equal(getPath(dlp, 'user.email'), 'jdoe@corp.example');
  assert.equal(getPath(dlp, 'rule.name'), 'PCI');
  const audit = one(q('42', '2024-05-01 10:20:30', 'admin@corp.example', 'Ada ADMIN', 'policies', 'update', '203.0.113.9', 'a: 1\\nb: 2', 'a: 3'), 'stdin');
  assert.equal(getPath(audit, 'umbrella.log_type'), 'audit');
  assert.equal(getPath(audit, 'user.email'), 'admin@corp.example');
  assert.equal(getPath(audit, 'user.full_name'), 'Ada ADMIN');
  assert.equal(getPath(audit, 'umbrella.audit.before'), 'a: 1\\nb: 2');
  assert.deepEqual(getPath(audit, 'event.type'), ['change']);
});

test('a malformed optional cell is left out and noted; the row is kept', () => {
  const badStatus = [...PROXY_ROW];
  badStatus[10] = 'OK';
  const badSize = [...PROXY_ROW];
  badSize[11] = '12kb';
  const cases: [string, string, string, string, RegExp][] = [
    [q('2024-05-01 10:20:30', 'x', 'x', 'not-an-ip', '203.0.113.9', 'Allowed', '1 (A)', 'NOERROR', 'a.example.com.', ''), KEY('dnslogs'), 'source.ip', 'internal ip', /^column 4 \(internal ip\) 'not-an-ip' is not an IP address$/],
    [q(...badStatus), KEY('proxylogs'), 'http.response.status_code', 'status code', /column 11 \(status code\) 'OK' is not a 3-digit HTTP status/],
    [q(...badSize), KEY('proxylogs'), 'http.request.bytes', 'request size', /column 12 \(request size\) '12kb' is not a whole number/],
    [q('2024-05-01 10:20:30', '[1]', 'T', 'Network Tunnels', 'OUTBOUND', '6', '60', '10.1.2.3', '99999', '198.51.100.7', '443', 'f', '7', 'ALLOW'), KEY('firewalllogs'), 'source.port', 'source port', /column 9 \(source port\) '99999' is not a port/],
    [q('7', '2024-05-01 10:20:30', 'a@corp.example', 'A', 'policies', 'update', 'somewhere'), KEY('auditlogs'), 'source.ip', 'ip', /column 7 \(ip\) 'somewhere' is not an IP address/],
    [q('2024-05-01 10:20:30', 'HQ', 'Sites', '1', '2000', 'sig', '1', 'HIGH', 'c', '', 'TCP', '9', '10.1.2.3', '5353', '198.51.100.x', '53', 'Blocked'), KEY('intrusionlogs'), 'destination.ip', 'destination ip', /column 15 \(destination ip\) '198.51.100.x' is not an IP address/],
    [q('2024-05-01 10:20:30', 'Real Time', 'e1', 'HIGH', 'u', '', 'a.pdf', 'Box', 'https://box.example/', 'BLOCK', 'PCI', 'C', 'PAN', 'application/pdf', '4 KB', 'a'.repeat(64)), KEY('dlplogs'), 'file.size', 'file size', /column 15 \(file size\) '4 KB' is not a whole number/],
  ];
  for (const [line, source, path, field, why] of cases) {
    const e = one(line, source);
    assert.equal(getPath(e, path), undefined, path);
    assert.deepEqual(e.tags, ['_field_dropped']);
    assert.deepEqual(getPath(e, 'packettrail.dropped_fields'), [field]);
    assert.match((getPath(e, 'packettrail.field_errors') as string[])[0]!, why);
    assert.equal(e.event?.original, line);
  }
});

test('malformed rows of each kind are rejected with a reason; headers and blank lines are skipped', () => {
  assert.match(reject(q('2024-05-01 25:20:30', ...DNS10.split(',').slice(1).map((c) => c.slice(1, -1)))), /column 1 \(timestamp\) '2024-05-01 25:20:30' is not a timestamp/);
  assert.match(reject(q('2024-05-01 10:20:30', 'x', 'x', '10.0.0.1', '203.0.113.9', 'Allowed', '1 (A)', 'NOERROR', '', '')), /column 9 \(domain\) is empty/);
  assert.match(reject(q('2024-05-01 10:20:30', 'x', '10.1.2.3'), KEY('iplogs')), /expected at least 7 columns for an Umbrella IP log, got 3/);
  assert.match(reject('"2024-05-01 10:20:30","x', KEY('auditlogs')), /quoted value is never closed/);
  const r = parseText('cisco.umbrella', `${q('timestamp', 'identities', 'internal ip')}\n\n${DNS10}\n`, { source: KEY('dnslogs') });
  assert.equal(r.events.length, 1);
  assert.deepEqual(r.rejected, []);
  assert.equal(r.skipped.header, 1);
});

test('auto detection: Umbrella rows with and without a telling key', () => {
  assert.equal(detectFormat({ name: KEY('dnslogs'), lines: [DNS10] }).format?.id, 'cisco.umbrella');
  assert.equal(detectFormat({ name: 'upload.csv', lines: [DNS10, q(...PROXY_ROW)] }).format?.id, 'cisco.umbrella');
  assert.notEqual(detectFormat({ name: 'x.csv', lines: ['a,b,c'] }).format?.id, 'cisco.umbrella');
  const fields = (getPath(one(DNS10), 'umbrella') as EcsObject);
  assert.equal(fields.log_type, 'dns');
});

test('found by fuzzing: protocol and audit action columns naming Object members are plain words; sizes beyond 2^53 are left out and noted', () => {
  const fw = (proto: string, size: string) => q('2024-05-01 10:20:30', '[1,2]', 'Branch Tunnel', 'Network Tunnels', 'OUTBOUND', proto, size, '10.1.2.3', '51000', '198.51.100.7', '443', 'fra1', '77', 'ALLOW');
  // network.transport held Object's constructor (a function), and the store's row writer threw on it.
  assert.equal(getPath(one(fw('constructor', '60'), KEY('firewalllogs')), 'network.transport'), 'constructor');
  assert.equal(getPath(one(fw('__proto__', '60'), KEY('firewalllogs')), 'network.transport'), '__proto__');
  const big = one(fw('6', '9223372036854775808'), KEY('firewalllogs'));
  assert.equal(getPath(big, 'umbrella.packet_size'), undefined);
  assert.deepEqual(getPath(big, 'packettrail.dropped_fields'), ['packet size']);
  assert.match(String(getPath(big, 'packettrail.field_errors')), /'9223372036854775808' is not a whole number \(up to 9007199254740991\)/);
  const audit = one(q('42', '2024-05-01 10:20:30', 'admin@corp.example', 'Ada ADMIN', 'policies', 'constructor', '203.0.113.9', 'a', 'b'), 'stdin');
  assert.deepEqual([audit.event?.action, audit.event?.type], ['constructor', ['info']]);
});

test('found by fuzzing: a query type of 30 digits is no DNS type number (1e32 overflowed the long umbrella.query_type_id)', () => {
  const dns = (type: string) => one(q('2024-05-01 10:20:30', 'lee', 'lee', '10.1.2.3', '203.0.113.9', 'Allowed', type, 'NOERROR', 'a.example.net.', 'x', 'AD Users', 'AD Users', ''));
  assert.deepEqual([getPath(dns('28 (AAAA)'), 'umbrella.query_type_id'), getPath(dns('65'), 'umbrella.query_type_id')], [28, 65]);
  const huge = dns('100000000000000000000000000000000');
  assert.deepEqual([getPath(huge, 'umbrella.query_type_id'), getPath(huge, 'dns.question.type')], [undefined, '100000000000000000000000000000000']);
  assert.equal(getPath(dns('100000000000000000000000000000000 (A)'), 'umbrella.query_type_id'), undefined);
});
