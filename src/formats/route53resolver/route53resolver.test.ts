import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseText } from '../../testing/parse.js';
import { needsShared, sharedPath } from '../../testing/shared.js';
import { getPath, type EcsEvent } from '../../ecs/event.js';
import { detectFormat } from '../registry.js';
import { reverseLookupIp } from './to-ecs.js';

const ID = 'aws.route53resolver';
const skip = needsShared();
const DIR = ['testdata', 'elastic', 'aws', 'route53_resolver_logs'];

function one(record: object | string): EcsEvent {
  const r = parseText(ID, typeof record === 'string' ? record : JSON.stringify(record));
  assert.deepEqual(r.rejected, []);
  assert.equal(r.events.length, 1);
  return r.events[0]!;
}

function rejectReason(text: string): string {
  const r = parseText(ID, text);
  assert.equal(r.events.length, 0, text);
  assert.equal(r.rejected.length, 1, text);
  return r.rejected[0]!.reason;
}

const BASE = {
  version: '1.100000',
  account_id: '111122223333',
  region: 'eu-west-1',
  vpc_id: 'vpc-0a1b2c3d4e5f67890',
  query_timestamp: '2025-03-01T10:00:00Z',
  query_name: 'WWW.Example.COM.',
  query_type: 'A',
  query_class: 'IN',
  rcode: 'NOERROR',
  answers: [
    { Rdata: 'www.example.com.cdn.example.net.', Type: 'CNAME', Class: 'IN' },
    { Rdata: 'd111111abcdef8.CloudFront.net.', Type: 'CNAME', Class: 'IN' },
    { Rdata: '198.51.100.10', Type: 'A', Class: 'IN' },
    { Rdata: '198.51.100.11', Type: 'A', Class: 'IN' },
  ],
  srcaddr: '10.0.3.25',
  srcport: '53124',
  transport: 'UDP',
  srcids: { instance: 'i-0123456789abcdef0' },
};

function record(over: Record<string, unknown>): Record<string, unknown> {
  return { ...BASE, ...over };
}

test('every Elastic Route 53 Resolver sample line parses with zero rejects and is auto-detected', { skip }, () => {
  const text = readFileSync(sharedPath(...DIR, 'test-route53.log'), 'utf8');
  const r = parseText(ID, text);
  assert.deepEqual(r.rejected, []);
  assert.equal(r.events.length, text.split('\n').filter((l) => l.trim()).length);
  assert.equal(detectFormat({ name: 'test-route53.log', lines: text.split('\n') }).format?.id, ID);
  for (const e of r.events) assert.ok(!(getPath(e, 'dns.question.name') as string).endsWith('.'));
});

test("core ECS fields agree with Elastic's sample_event.json", { skip }, () => {
  const expected = JSON.parse(readFileSync(sharedPath(...DIR, 'sample_event.json'), 'utf8')) as EcsEvent;
  const e = one(expected.event!.original!);
  for (const path of [
    'dns.question.name', 'dns.question.type', 'dns.question.class', 'dns.response_code', 'dns.answers', 'source.ip',
    'source.address', 'source.port', 'cloud.account.id', 'cloud.region', 'cloud.instance.id', 'cloud.provider',
    'network.transport', 'network.iana_number', 'network.protocol', 'network.type', 'event.kind', 'event.category',
    'aws.route53.firewall.domain_list.id', 'aws.route53.firewall.rule_group.id', 'aws.route53.firewall.action',
  ]) {
    assert.deepEqual(getPath(e, path), getPath(expected, path), path);
  }
  assert.equal(Date.parse(e['@timestamp']!), Date.parse(expected['@timestamp']!));
  assert.equal(getPath(e, 'aws.route53.vpc_id'), getPath(expected, 'aws.vpc_id'));
  // Elastic also lists the reverse-looked-up address.
  assert.ok((getPath(e, 'related.ip') as string[]).includes('175.16.199.15'));
  // The firewall blocked the query: packettrail says so in event.action/outcome (Elastic leaves outcome at success).
  assert.equal(e.event!.action, 'block');
  assert.equal(e.event!.outcome, 'failure');
});

test('a CNAME chain: names normalized, resolved IPs from A answers only, CNAME targets in related.hosts', () => {
  const e = one(BASE);
  assert.equal(e['@timestamp'], '2025-03-01T10:00:00Z');
  assert.equal(e.event!.dataset, ID);
  assert.equal(e.event!.outcome, 'success');
  assert.deepEqual(e.event!.type, ['protocol']);
  assert.equal(e.event!.action, undefined);
  assert.deepEqual(getPath(e, 'dns.question'), {
    name: 'www.example.com', registered_domain: 'example.com', subdomain: 'www', top_level_domain: 'com', type: 'A', class: 'IN',
  });
  assert.deepEqual(getPath(e, 'dns.answers'), [
    { data: 'www.example.com.cdn.example.net', type: 'CNAME', class: 'IN' },
    { data: 'd111111abcdef8.cloudfront.net', type: 'CNAME', class: 'IN' },
    { data: '198.51.100.10', type: 'A', class: 'IN' },
    { data: '198.51.100.11', type: 'A', class: 'IN' },
  ]);
  assert.deepEqual(getPath(e, 'dns.resolved_ip'), ['198.51.100.10', '198.51.100.11']);
  assert.deepEqual(getPath(e, 'related.hosts'), ['www.example.com.cdn.example.net', 'd111111abcdef8.cloudfront.net', 'www.example.com']);
  assert.deepEqual(getPath(e, 'related.ip'), ['10.0.3.25', '198.51.100.10', '198.51.100.11']);
  assert.deepEqual(e.source, { address: '10.0.3.25', ip: '10.0.3.25', port: 53124 });
  assert.equal(getPath(e, 'cloud.instance.id'), 'i-0123456789abcdef0');
  assert.equal(getPath(e, 'cloud.account.id'), '111122223333');
  assert.equal(getPath(e, 'aws.route53.vpc_id'), 'vpc-0a1b2c3d4e5f67890');
  assert.equal(getPath(e, 'log.file.path'), 'test.log');
});

test('DNS Firewall block and alert; NXDOMAIN; inbound endpoint queries; TCP', () => {
  const blocked = one(
    record({
      query_name: 'malware.example.org.', rcode: 'NXDOMAIN', answers: [], firewall_rule_action: 'BLOCK',
      firewall_rule_group_id: 'rslvr-frg-0123456789abcdef', firewall_domain_list_id: 'rslvr-fdl-0123456789abcdef',
    }),
  );
  assert.equal(blocked.event!.action, 'block');
  assert.equal(blocked.event!.outcome, 'failure');
  assert.deepEqual(blocked.event!.type, ['protocol', 'denied']);
  assert.equal(getPath(blocked, 'rule.ruleset'), 'rslvr-frg-0123456789abcdef');
  assert.deepEqual(getPath(blocked, 'aws.route53.firewall'), {
    action: 'BLOCK', rule_group: { id: 'rslvr-frg-0123456789abcdef' }, domain_list: { id: 'rslvr-fdl-0123456789abcdef' },
  });
  assert.equal(getPath(blocked, 'dns.answers'), undefined);

  const alert = one(record({ firewall_rule_action: 'ALERT', firewall_rule_group_id: 'rslvr-frg-1' }));
  assert.equal(alert.event!.action, 'alert');
  assert.equal(alert.event!.outcome, 'success');
  assert.deepEqual(alert.event!.type, ['protocol', 'allowed']);

  const nx = one(record({ rcode: 'NXDOMAIN', answers: [] }));
  assert.equal(nx.event!.outcome, 'failure');
  assert.equal(getPath(nx, 'dns.response_code'), 'NXDOMAIN');

  const inbound = one(record({ transport: 'TCP', srcaddr: '2001:db8::53', srcids: { resolver_endpoint: 'rslvr-in-abc', resolver_network_interface: 'rni-def' } }));
  assert.equal(getPath(inbound, 'network.transport'), 'tcp');
  assert.equal(getPath(inbound, 'network.iana_number'), '6');
  assert.equal(getPath(inbound, 'network.type'), 'ipv6');
  assert.equal(getPath(inbound, 'cloud.instance.id'), undefined);
  assert.deepEqual(getPath(inbound, 'aws.route53.srcids'), { resolver_endpoint: 'rslvr-in-abc', resolver_network_interface: 'rni-def' });
});

test('reverse lookups name the address they ask about', () => {
  assert.equal(reverseLookupIp('10.3.0.10.in-addr.arpa'), '10.0.3.10');
  assert.equal(reverseLookupIp('6.c.f.6.a.9.0.e.2.b.9.a.2.f.1.9.2.0.0.4.d.d.a.0.0.4.f.c.2.0.a.2.ip6.arpa'), '2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6');
  assert.equal(reverseLookupIp('300.3.0.10.in-addr.arpa'), undefined);
  assert.equal(reverseLookupIp('www.example.com'), undefined);
});

test('a pretty-printed record (one JSON document) is read whole', () => {
  const r = parseText(ID, JSON.stringify(BASE, null, 2), { document: true });
  assert.deepEqual(r.rejected, []);
  assert.equal(r.events.length, 1);
});

test('malformed records are rejected with the reason; blank lines are skipped', () => {
  assert.match(rejectReason('query www.example.com'), /expected a Route 53 Resolver query log record \(a JSON object\), got 'query www.example.com'/);
  assert.match(rejectReason('{"query_name":'), /invalid JSON/);
  assert.match(rejectReason(JSON.stringify(record({ query_name: undefined }))), /query_name is missing, expected the queried DNS name/);
  assert.match(rejectReason(JSON.stringify(record({ query_timestamp: 'yesterday' }))), /query_timestamp is 'yesterday', expected an ISO 8601 time|query_timestamp 'yesterday' is not an ISO 8601 time/);
  assert.match(rejectReason(JSON.stringify(record({ srcaddr: 'ip-10-0-3-25' }))), /srcaddr 'ip-10-0-3-25' is not an IP address/);
  assert.match(rejectReason(JSON.stringify(record({ srcport: 'http' }))), /srcport is 'http', expected a port number/);
  assert.match(rejectReason(JSON.stringify(record({ answers: 'none' }))), /answers is 'none', expected an array/);
  const r = parseText(ID, `\n${JSON.stringify(BASE)}\r\n\n`);
  assert.equal(r.events.length, 1);
  assert.equal(r.skipped['blank line'], 2);
  assert.equal(r.events[0]!.event!.id, one(BASE).event!.id);
});

test('auto-detection picks aws.route53resolver', () => {
  assert.equal(detectFormat({ name: '', lines: [JSON.stringify(BASE)] }).format?.id, ID);
  assert.equal(
    detectFormat({ name: 'AWSLogs/111122223333/vpcdnsquerylogs/vpc-0a1b/2025/03/01/vpc-0a1b_vpcdnsquerylogs_111122223333_20250301T1000Z_ab12.log.gz', lines: [JSON.stringify(BASE)] }).format?.id,
    ID,
  );
});
