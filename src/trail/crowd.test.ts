import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE_START } from '../generate/generate.js';
import type { Scenario, WebRequest } from '../generate/model.js';
import { Rng } from '../generate/random.js';
import { dnsQuery, laptopAppRequest, BROWSER_UAS } from '../generate/traffic.js';
import { buildWorld } from '../generate/world.js';
import { writeAlb } from '../generate/writers/alb.js';
import { writeApp } from '../generate/writers/app.js';
import { CF_HEADER, cloudFrontLine, writeCloudFront } from '../generate/writers/cloudfront.js';
import { writeDefender } from '../generate/writers/defender.js';
import { Output } from '../generate/writers/output.js';
import { writePanos } from '../generate/writers/panos.js';
import { writeUmbrella } from '../generate/writers/umbrella.js';
import { writeVpcFlow } from '../generate/writers/vpcflow.js';
import { writeWaf } from '../generate/writers/waf.js';
import type { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { tempDir } from '../testing/tmp.js';
import { buildTrail, type HopKind, type Trail } from './index.js';
import { ingestDir } from './test-helpers.js';

/**
 * 240 laptops leave through one NAT address within ten seconds, every one to the app; the NAT port of
 * the followed request was used by someone else 90 s earlier; the followed laptop's clock is 9 s off
 * (the firewall's 2.3 s, Zscaler's 1.2 s); one more request's CloudFront line has no c-port.
 */
const USERS = 240;
const T0 = FIXTURE_START + 3_600_000;
let store: DuckDbStore;
let target: WebRequest;
let reused: WebRequest;
let portless: WebRequest;

before(async () => {
  const world = buildWorld('crowd', USERS);
  const rng = new Rng('crowd/traffic');
  const edge = world.edges[0]!;
  const s: Scenario = { world, start: T0 - 3_600_000, end: T0 + 3_600_000, requests: [], dns: [], vpcDns: [], flows: [], trail: [], incidents: [] };
  const spec = { method: 'GET', path: '/api/items', query: 'page=1', ua: BROWSER_UAS[0]!, cacheable: false, contentType: 'application/json' };
  const followed = world.users[USERS / 2]!;
  followed.laptop.skewMs = 9000;
  world.nat.nextPort = 30_000;
  reused = laptopAppRequest(world, rng, T0 - 90_000, world.users[7]!, edge, spec, true);
  world.nat.nextPort = 30_000 - USERS / 2;
  world.users.forEach((u, i) => {
    const r = laptopAppRequest(world, rng, T0 + (i - USERS / 2) * 40, u, edge, { ...spec, ua: BROWSER_UAS[i % BROWSER_UAS.length]! }, true);
    s.requests.push(r);
    if (u === followed) target = r;
  });
  portless = laptopAppRequest(world, rng, T0 + 3_000, world.users[3]!, edge, spec, true);
  s.requests.push(reused, portless);
  // A lookup that was answered, and then nothing: the browser never connected.
  s.dns.push(dnsQuery(T0 + 20_000, world.users[9]!, 'blocked.example.net', [{ type: 'A', data: '192.0.2.99' }]));
  s.requests.sort((a, b) => a.t - b.t);
  assert.equal(target.viewerPort, reused.viewerPort, 'the NAT port was reused');

  const dir = tempDir('packettrail-crowd-');
  const logs = join(dir, 'logs');
  const out = new Output(logs);
  // The portless request's line is written by hand below, without c-port.
  const { requests } = s;
  s.requests = requests.filter((r) => r !== portless);
  for (const write of [writeCloudFront]) write(s, out);
  s.requests = requests;
  for (const write of [writeWaf, writeAlb, writeApp, writePanos, writeDefender, writeVpcFlow, writeUmbrella]) write(s, out);
  out.flush();
  const fields = cloudFrontLine(portless, world.distribution.domain).split('\t');
  fields[26] = '-';
  mkdirSync(join(logs, 'realtime'), { recursive: true });
  writeFileSync(join(logs, 'realtime', `${world.distribution.id}.2026-11-20-09.portless`), `${CF_HEADER.join('\n')}\n${fields.join('\t')}\n`);
  ({ store } = await ingestDir(logs, dir));
});
after(async () => {
  await store.close();
});

const hop = (t: Trail, kind: HopKind) => t.hops.find((h) => h.kind === kind)!;

test('NAT crowding and clock skew: the NAT port picks the session among 240, time excludes the port\'s earlier use, the skewed laptop still joins', async () => {
  const t = await buildTrail(store, { requestId: target.cf!.id });
  const fw = hop(t, 'firewall');
  assert.equal(fw.verdict, 'allowed');
  assert.equal(fw.join!.method, 'nat-ip-port-time');
  assert.equal(fw.facts.source, `${target.srcIp}:${target.srcPort}`);
  assert.equal(fw.facts.user, target.user!.login);
  assert.match(fw.join!.evidence, /2 candidates in the window \(next best −8\d\.\d s\); chosen by closest time/);
  assert.ok(fw.join!.confidence >= 0.85 && fw.join!.confidence < 0.9, String(fw.join!.confidence));
  const ep = hop(t, 'endpoint');
  assert.equal(ep.verdict, 'allowed');
  assert.equal(ep.facts.user, target.user!.login);
  assert.equal(ep.facts.local, `${target.srcIp}:${target.srcPort}`);
  // The laptop's clock is 9 s ahead of true time, the firewall's 2.3 s: the evidence shows the difference.
  assert.match(ep.join!.evidence, /logged it \+[67]\.\d s from panw\.panos/);
  // This store has no proxy logs at all: said so, rather than claiming a bypass.
  assert.equal(hop(t, 'proxy').verdict, 'missing');
  assert.equal(hop(t, 'proxy').gap, 'no proxy logs from cisco.umbrella for this window (none from zscaler.zia in this store)');
  // Defender logged connections, Umbrella other lookups, but none of this laptop's in the hour before.
  assert.match(hop(t, 'dns').gap!, /^no lookup of app\.example\.com from 10\.\d+\.\d+\.\d+ in the hour before: the answer came from a cache/);
  assert.equal(hop(t, 'origin').facts['authenticated user'], target.user!.login);
});

test('without c-port every session behind the NAT competes: the app\'s user narrows them, and the confidence says how much', async () => {
  const t = await buildTrail(store, { requestId: portless.cf!.id });
  const fw = hop(t, 'firewall');
  assert.equal(fw.join!.method, 'nat-ip-time');
  assert.equal(fw.facts.user, portless.user!.login, 'the user named by the app log picks the session');
  assert.equal(fw.facts.source, `${portless.srcIp}:${portless.srcPort}`);
  assert.match(fw.join!.evidence, /25\+ candidates in the window .*chosen by same user\.name, then closest time/);
  assert.ok(fw.join!.confidence <= 0.5);
});

test('DNS answered but no connection followed: blocked on the endpoint, the later hops not reached', async () => {
  const t = await buildTrail(store, { url: 'blocked.example.net' });
  assert.equal(hop(t, 'dns').verdict, 'allowed');
  assert.equal(hop(t, 'dns').facts.addresses, '192.0.2.99');
  assert.equal(hop(t, 'endpoint').verdict, 'blocked');
  assert.match(hop(t, 'endpoint').gap!, /^blocked on the endpoint: blocked\.example\.net was resolved \(192\.0\.2\.99\) but no connection followed/);
  for (const kind of ['proxy', 'firewall', 'edge', 'waf', 'origin'] as const) assert.equal(hop(t, kind).verdict, 'not-reached', kind);
});
