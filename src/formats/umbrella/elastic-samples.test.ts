import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseText } from '../../testing/parse.js';
import { needsShared, sharedPath } from '../../testing/shared.js';
import { getPath, type EcsEvent, type EcsObject } from '../../ecs/event.js';
import { detectFormat } from '../registry.js';

const DIR = ['testdata', 'elastic', 'cisco_umbrella', 'log'];
const skip = needsShared();
const TYPES = ['dnslogs', 'proxylogs', 'cloudfirewalllogs', 'iplogs', 'intrusionlogs', 'auditlogs', 'dlplogs'] as const;

function read(name: string): string {
  return readFileSync(sharedPath(...DIR, name), 'utf8');
}

/** The S3-style path Elastic's pipeline tests pass as log.file.path (from the *-config.yml files). */
function configPath(type: string): string {
  const m = /path:\s*(\S+)/.exec(read(`test-umbrella-${type}.log-config.yml`));
  assert.ok(m, `no path in the ${type} config`);
  return m[1]!;
}

function parse(type: string, source?: string): { events: EcsEvent[]; lines: number } {
  const text = read(`test-umbrella-${type}.log`);
  const r = parseText('cisco.umbrella', text, { source: source ?? configPath(type) });
  assert.deepEqual(r.rejected, [], type);
  return { events: r.events, lines: text.split('\n').filter((l) => l.trim()).length };
}

test('every Elastic Umbrella sample parses with zero rejects, typed by the configured path and by content', { skip }, () => {
  for (const type of TYPES) {
    const byPath = parse(type);
    assert.equal(byPath.events.length, byPath.lines, type);
    const byContent = parse(type, 'stdin');
    assert.deepEqual(
      byContent.events.map((e) => getPath(e, 'umbrella.log_type')),
      byPath.events.map((e) => getPath(e, 'umbrella.log_type')),
      `${type}: the row shape gives the same log type as the path`,
    );
    for (const e of byPath.events) {
      assert.equal(getPath(e, 'event.dataset'), 'cisco.umbrella');
      assert.equal(getPath(e, 'observer.vendor'), 'Cisco');
      assert.equal(getPath(e, 'log.file.path'), configPath(type));
      assert.match(String(e['@timestamp']), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    }
  }
});

test('auto detection picks cisco.umbrella for every sample, with and without a telling name', { skip }, () => {
  for (const type of TYPES) {
    const lines = read(`test-umbrella-${type}.log`).split('\n').slice(0, 20);
    for (const name of [`${type}/2023-01-01/2023-01-01-00-00-abcd.csv.gz`, 'stdin']) {
      assert.equal(detectFormat({ name, lines }).format?.id, 'cisco.umbrella', `${type} as ${name}`);
    }
  }
});

test("the proxy sample_event's record maps like Elastic's processed event", { skip }, () => {
  const sample = JSON.parse(read('sample_event.json')) as EcsObject;
  const original = getPath(sample, 'event.original') as string;
  const r = parseText('cisco.umbrella', original, { source: '/test/path/proxylogs' });
  assert.deepEqual(r.rejected, []);
  const e = r.events[0]!;
  for (const path of ['@timestamp', 'source.ip', 'source.address', 'source.nat.ip', 'destination.ip', 'url.domain', 'url.path', 'url.scheme',
    'url.original', 'url.full', 'http.request.referrer', 'http.request.bytes', 'http.response.status_code', 'user_agent.original',
    'observer.product', 'observer.type']) {
    const want = getPath(sample, path);
    assert.deepEqual(getPath(e, path), path === '@timestamp' ? String(want).replace('.000Z', 'Z') : want, path);
  }
  assert.equal(getPath(e, 'event.action'), 'allowed');
  assert.deepEqual(getPath(e, 'umbrella.identities'), getPath(sample, 'cisco.umbrella.identities'));
  assert.deepEqual(getPath(e, 'umbrella.categories'), [getPath(sample, 'cisco.umbrella.categories')]);
  assert.deepEqual(getPath(e, 'umbrella.puas'), [getPath(sample, 'cisco.umbrella.puas')]);
  assert.equal(getPath(e, 'umbrella.amp.disposition'), getPath(sample, 'cisco.umbrella.amp_disposition'));
  // Deliberate difference: Elastic puts the policy identity in user.name, but its type is
  // "Roaming Computers", a computer, so packettrail writes host.name and leaves user.* empty.
  assert.equal(getPath(sample, 'user.name'), 'elasticuser');
  assert.equal(getPath(e, 'host.name'), 'elasticuser');
  assert.equal(getPath(e, 'user'), undefined);
});

test('Elastic DNS samples: clients, NAT, question, identities', { skip }, () => {
  const { events } = parse('dnslogs');
  const first = events[0]!;
  assert.equal(getPath(first, 'source.ip'), '192.168.1.1');
  assert.equal(getPath(first, 'source.nat.ip'), '81.2.69.144');
  assert.equal(getPath(first, 'dns.question.name'), 'www.elastic.co');
  assert.equal(getPath(first, 'dns.question.registered_domain'), 'elastic.co');
  assert.equal(getPath(first, 'dns.question.type'), 'A');
  assert.equal(getPath(first, 'dns.response_code'), 'NOERROR');
  assert.equal(getPath(first, 'event.action'), 'allowed');
  assert.equal(getPath(first, 'user.name'), 'elasticuser');
  assert.equal(getPath(events[1]!, 'event.action'), 'blocked');
  assert.equal(getPath(events[1]!, 'event.outcome'), 'failure');
  assert.deepEqual(getPath(events[1]!, 'umbrella.blocked_categories'), ['BlockedCategories']);
  const ipv6 = events.find((e) => getPath(e, 'dns.question.type') === 'AAAA')!;
  assert.equal(getPath(ipv6, 'source.ip'), '2a02:cf40::1');
  assert.equal(getPath(ipv6, 'network.type'), 'ipv6');
  const ad = events.find((e) => String(getPath(e, 'umbrella.policy_identity')).startsWith('LastName, Tiredacted'))!;
  assert.equal(getPath(ad, 'user.email'), 'tiredacted.lastname@example.com');
  assert.equal(getPath(ad, 'host.name'), '5CG0310TPJ');
  const network = events.find((e) => getPath(e, 'umbrella.policy_identity') === 'Users-Internal')!;
  assert.equal(getPath(network, 'network.name'), 'Users-Internal');
  assert.equal(getPath(network, 'user'), undefined);
});

test('Elastic proxy, firewall, IP, IPS, DLP and audit samples map their core fields', { skip }, () => {
  const proxy = parse('proxylogs').events;
  assert.equal(getPath(proxy[0]!, 'url.original'), 'http://google.com/the.js');
  assert.equal(getPath(proxy[0]!, 'destination.ip'), '3.4.5.6');
  assert.equal(getPath(proxy[0]!, 'http.request.method'), 'GET');
  assert.equal(getPath(proxy[0]!, 'user_agent.name'), 'Chrome');
  assert.equal(getPath(proxy[1]!, 'file.hash.sha256'), 'a459e1374395119b8a5aa26cf97738c3864d3130e93c083fbab6da3fe1ad9175');
  assert.equal(getPath(proxy[1]!, 'source.nat.ip'), '101.102.103.104');
  assert.equal(getPath(proxy[5]!, 'event.action'), 'blocked');

  const fw = parse('cloudfirewalllogs').events;
  assert.equal(getPath(fw[0]!, 'network.transport'), 'icmp');
  assert.equal(getPath(fw[1]!, 'event.action'), 'blocked');
  assert.equal(getPath(fw[3]!, 'source.port'), 60951);
  assert.equal(getPath(fw[3]!, 'destination.port'), 443);
  assert.equal((getPath(fw[3]!, 'umbrella.unmapped_columns') as EcsObject)['36'], 'TRUE');

  const ip = parse('iplogs').events;
  assert.equal(getPath(ip[1]!, 'destination.port'), 445);
  const ips = parse('intrusionlogs').events[0]!;
  assert.equal(getPath(ips, 'event.kind'), 'alert');
  assert.equal(getPath(ips, 'rule.id'), '16606');
  assert.equal(getPath(ips, 'vulnerability.id'), 'CVE-2009-1016');
  assert.equal(getPath(ips, 'event.action'), 'would block');
  const dlp = parse('dlplogs').events;
  assert.equal(getPath(dlp[0]!, 'file.name'), 'first.xlsx');
  assert.equal(getPath(dlp[1]!, 'destination.ip'), '67.43.156.12');
  const audit = parse('auditlogs').events;
  assert.equal(getPath(audit[0]!, 'user.email'), 'user@domain.com');
  assert.equal(getPath(audit[0]!, 'source.ip'), '81.2.69.144');
  assert.equal(getPath(audit[1]!, 'user'), undefined, '"null" identities are absent');
  assert.equal(getPath(audit[2]!, 'user.full_name'), 'Firstname Surname');
  assert.deepEqual(getPath(audit[2]!, 'event.type'), ['deletion']);
});
