import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseText } from '../../testing/parse.js';
import { needsShared, sharedPath } from '../../testing/shared.js';
import { getPath, type EcsEvent, type EcsObject } from '../../ecs/event.js';
import { detectFormat } from '../registry.js';

const skip = needsShared();
const SAMPLES = [
  ['web', 'test-web.log'], ['web', 'test-web-http-endpoint.log'], ['dns', 'test-dns.log'], ['dns', 'test-dns-http-endpoint.log'],
  ['firewall', 'test-firewall.log'], ['firewall', 'test-firewall-http-endpoint.log'],
] as const;

function read(...parts: string[]): string {
  return readFileSync(sharedPath('testdata', 'elastic', 'zscaler_zia', ...parts), 'utf8');
}

function parse(feed: string, name: string): EcsEvent[] {
  const text = read(feed, name);
  const r = parseText('zscaler.zia', text, { source: `${feed}/${name}` });
  assert.deepEqual(r.rejected, [], name);
  assert.equal(r.events.length, text.split('\n').filter((l) => l.trim()).length, name);
  return r.events;
}

test('every Elastic Zscaler sample parses with zero rejects, in the right feed, and is auto-detected', { skip }, () => {
  for (const [feed, name] of SAMPLES) {
    for (const e of parse(feed, name)) {
      assert.equal(getPath(e, 'zscaler.feed'), feed, name);
      assert.equal(getPath(e, 'event.dataset'), 'zscaler.zia');
      assert.equal(getPath(e, 'observer.vendor'), 'Zscaler');
    }
    const lines = read(feed, name).split('\n').slice(0, 20);
    for (const n of [name, 'stdin']) assert.equal(detectFormat({ name: n, lines }).format?.id, 'zscaler.zia', `${name} as ${n}`);
  }
});

test("web: the record behind Elastic's sample_event maps to the same core fields", { skip }, () => {
  const sample = JSON.parse(read('web', 'sample_event.json')) as EcsObject;
  // The first test-web.log record is the sample_event's transaction (same server IP, client, URL, rule).
  const e = parse('web', 'test-web.log')[0]!;
  // url.original is the URL as NSS logged it (no scheme); Elastic writes its own https:// there.
  assert.equal(getPath(e, 'url.original'), 'www.example.com');
  for (const path of ['destination.ip', 'source.nat.ip', 'user.email', 'url.domain', 'url.scheme', 'url.full', 'event.action',
    'http.request.method', 'http.request.bytes', 'http.response.bytes', 'http.response.status_code', 'rule.name', 'rule.ruleset',
    'source.user.name', 'user_agent.original']) {
    assert.deepEqual(getPath(e, path), getPath(sample, path), path);
  }
  assert.equal(getPath(e, 'zscaler.department'), getPath(sample, 'zscaler_zia.web.department'));
  assert.equal(getPath(e, 'zscaler.location'), getPath(sample, 'zscaler_zia.web.location'));
  assert.equal(getPath(e, 'zscaler.url_category'), getPath(sample, 'zscaler_zia.web.url.category.sub'));
  assert.equal(getPath(e, 'zscaler.url_super_category'), getPath(sample, 'zscaler_zia.web.url.category.super'));
  assert.equal(getPath(e, 'zscaler.url_class'), getPath(sample, 'zscaler_zia.web.url.class'));
  assert.equal(getPath(e, 'host.name'), getPath(sample, 'zscaler_zia.web.device.hostname'));
  assert.equal(getPath(e, 'user.name'), 'test');
  assert.ok((getPath(e, 'event.category') as string[]).includes('web'));
  assert.equal(getPath(e, '@timestamp'), '2021-12-31T07:07:07Z');
  const proxied = parse('web', 'test-web.log')[5]!;
  assert.equal(getPath(proxied, 'network.protocol'), getPath(sample, 'network.protocol'));
  assert.equal(getPath(proxied, 'url.port'), undefined, 'https default port');
});

test('web v9 (Cloud NSS HTTP endpoint): internal/public client IPs, b64url, SSL, DLP and sandbox fields', { skip }, () => {
  const e = parse('web', 'test-web-http-endpoint.log')[0]!;
  assert.equal(getPath(e, 'source.ip'), '81.2.69.142');
  assert.equal(getPath(e, 'source.port'), 1235);
  assert.equal(getPath(e, 'source.nat.ip'), '81.2.69.142');
  assert.equal(getPath(e, 'url.original'), 'www.trythisencodeurl.com/index', 'as logged (base64-decoded)');
  assert.equal(getPath(e, 'url.full'), 'https://www.trythisencodeurl.com/index', 'decrypted: https');
  assert.equal(getPath(e, 'http.request.referrer'), 'www.example.com');
  assert.equal(getPath(e, 'destination.domain'), 'mail.google.com');
  assert.equal(getPath(e, 'zscaler.ssl_decrypted'), true);
  assert.equal(getPath(e, 'zscaler.dlp.engine'), 'HIPAA');
  assert.equal(getPath(e, 'zscaler.dlp.dictionaries'), 'Credit Cards');
  assert.equal(getPath(e, 'file.hash.md5'), '196a3d797bfee07fe4596b69f4ce1141');
  assert.equal(getPath(e, 'zscaler.threat_name'), 'EICAR Test File');
  assert.equal(getPath(e, 'network.application'), 'adobe connect');
  assert.equal(getPath(e, 'user.email'), 'jdoe@safemarch.com');
  assert.equal(getPath(e, '@timestamp'), '2023-10-16T22:55:48Z', 'time in tz GMT wins over epochtime');
  assert.equal(getPath(e, 'zscaler.web.cloudname'), 'zscaler.net', 'unmapped fields are kept');
});

test('DNS and firewall samples: question, answers, clients, tunnel NAT, server side, percent-decoded values', { skip }, () => {
  const dns = parse('dns', 'test-dns.log');
  assert.equal(getPath(dns[0]!, 'dns.question.name'), 'mail.safemarch.com');
  assert.equal(getPath(dns[0]!, 'dns.question.type'), 'A');
  assert.deepEqual(getPath(dns[0]!, 'dns.resolved_ip'), ['192.168.2.200']);
  assert.equal(getPath(dns[0]!, 'source.ip'), '81.2.69.192');
  assert.equal(getPath(dns[0]!, 'zscaler.dns.request_action'), 'REQ_ALLOW');
  assert.equal(getPath(dns[0]!, 'event.action'), 'allowed');
  assert.deepEqual(getPath(dns[2]!, 'dns.answers'), [{ data: 'www.example.com' }]);
  const endpoint = parse('dns', 'test-dns-http-endpoint.log')[0]!;
  assert.equal(getPath(endpoint, 'dns.question'), undefined, 'Unknown is a placeholder, not a name');
  assert.equal(getPath(endpoint, 'user'), undefined);
  assert.equal(getPath(endpoint, '@timestamp'), '2021-12-31T02:22:22Z', 'double space in datetime');

  const fw = parse('firewall', 'test-firewall.log')[0]!;
  assert.equal(getPath(fw, 'source.port'), 55018, 'numbers as JSON numbers');
  assert.equal(getPath(fw, 'zscaler.location'), 'TestLoc DB');
  assert.equal(getPath(fw, 'rule.name'), 'Access Blocked');
  assert.equal(getPath(fw, 'event.action'), 'drop');
  assert.equal(getPath(fw, 'event.outcome'), 'failure');
  const fw2 = parse('firewall', 'test-firewall-http-endpoint.log');
  assert.equal(getPath(fw2[0]!, 'user.email'), 'jdo@safemarch.com', 'login, percent-decoded');
  assert.equal(getPath(fw2[0]!, 'source.nat.ip'), '89.160.20.128');
  assert.equal(getPath(fw2[0]!, 'destination.ip'), '1.128.0.0');
  assert.equal(getPath(fw2[0]!, 'zscaler.firewall.server_source_ip'), '1.128.0.0');
  assert.equal(getPath(fw2[0]!, 'zscaler.firewall.server_destination_port'), 443);
  assert.equal(getPath(fw2[0]!, 'network.transport'), 'tcp');
  assert.equal(getPath(fw2[0]!, 'network.application'), 'skype');
  assert.equal(getPath(fw2[0]!, 'source.bytes'), 10000);
  assert.equal(getPath(fw2[0]!, 'event.duration'), 600_000_000);
  assert.equal(getPath(fw2[2]!, 'destination.ip'), '2a02:cf40::');
  assert.equal(getPath(fw2[1]!, 'event.action'), 'outofrange');
  assert.equal(getPath(fw2[1]!, 'event.outcome'), 'unknown');
});
