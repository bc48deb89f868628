import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tempDir } from '../testing/tmp.js';
import { generate } from './generate.js';
import { buildWorld } from './world.js';
import { refMatches } from './score.js';
import { generateAndParse, get, ofDataset, type Parsed } from './test-helpers.js';

const SMALL = { users: 6, hours: 2, seed: 'test-seed' };
const DATASETS = [
  'app.json', 'aws.alb', 'aws.cloudfront', 'aws.cloudtrail', 'aws.route53resolver', 'aws.vpcflow', 'aws.waf', 'cisco.umbrella',
  'microsoft.defender', 'panw.panos', 'zscaler.zia',
];

let parsed: Promise<Parsed> | undefined;
const scenario = () => (parsed ??= generateAndParse(SMALL));

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

test('every source parses with --format auto and zero rejects', async () => {
  const { summary, events, dead, manifest } = await scenario();
  assert.equal(dead, '', dead.slice(0, 2000));
  for (const s of summary.sources) assert.equal(s.rejected, 0, `${s.source}: ${s.rejected} rejected`);
  assert.deepEqual([...new Set(summary.sources.map((s) => s.format))].sort(), DATASETS);
  for (const d of DATASETS) assert.equal(ofDataset(events, d).length, manifest.sources[d]!.lines, d);
});

test('the same seed writes identical files; another seed does not', async () => {
  const a = tempDir();
  const b = tempDir();
  const c = tempDir();
  const opts = { users: 5, hours: 1, seed: 'det' };
  await generate({ ...opts, out: a });
  await generate({ ...opts, out: b });
  await generate({ ...opts, seed: 'other', out: c });
  const names = files(a);
  assert.deepEqual(files(b), names);
  for (const n of names) assert.ok(readFileSync(join(a, n)).equals(readFileSync(join(b, n))), n);
  assert.notDeepEqual(files(c), names);
});

test('CloudFront x-edge-request-id = WAF requestId = X-Amz-Cf-Id at the app; ALB trace = app trace', async () => {
  const { events } = await scenario();
  const ids = (d: string) => new Set(ofDataset(events, d).map((e) => get(e, 'http.request.id') as string));
  const cf = ids('aws.cloudfront');
  const waf = ids('aws.waf');
  const app = ids('app.json');
  assert.ok(cf.size > 100);
  assert.deepEqual([...waf].sort(), [...cf].sort());
  for (const id of app) assert.ok(cf.has(id), `app id ${id} not in CloudFront`);
  const albTraces = new Set(ofDataset(events, 'aws.alb').map((e) => get(e, 'trace.id')));
  const appTraces = ofDataset(events, 'app.json').map((e) => get(e, 'trace.id'));
  assert.equal(albTraces.size, appTraces.length);
  for (const t of appTraces) assert.ok(albTraces.has(t));
});

test('PAN-OS NAT ip:port of bypassing laptops = CloudFront c-ip:c-port; the pre-NAT side = Defender LocalIP:LocalPort', async () => {
  const { events } = await scenario();
  const edgeIps = new Set(buildWorld(SMALL.seed, SMALL.users).edges.map((e) => e.ip));
  const cf = new Set(ofDataset(events, 'aws.cloudfront').map((e) => `${get(e, 'source.ip')}:${get(e, 'source.port')}`));
  const mde = new Set(ofDataset(events, 'microsoft.defender').map((e) => `${get(e, 'source.ip')}:${get(e, 'source.port')}`));
  const toApp = ofDataset(events, 'panw.panos').filter((e) => edgeIps.has(get(e, 'destination.ip') as string));
  assert.ok(toApp.length > 5);
  for (const e of toApp) {
    assert.ok(cf.has(`${get(e, 'source.nat.ip')}:${get(e, 'source.nat.port')}`), `NAT ${get(e, 'source.nat.ip')}:${get(e, 'source.nat.port')} not in CloudFront`);
    assert.ok(mde.has(`${get(e, 'source.ip')}:${get(e, 'source.port')}`));
  }
});

test('Zscaler client internal ip:port = Defender LocalIP:LocalPort; same user on both', async () => {
  const { events } = await scenario();
  const mde = new Map(ofDataset(events, 'microsoft.defender').map((e) => [`${get(e, 'source.ip')}:${get(e, 'source.port')}`, e]));
  const zia = ofDataset(events, 'zscaler.zia');
  assert.ok(zia.length > 50);
  for (const z of zia) {
    const m = mde.get(`${get(z, 'source.ip')}:${get(z, 'source.port')}`);
    assert.ok(m, `no Defender connection for ${get(z, 'source.ip')}:${get(z, 'source.port')}`);
    assert.equal(get(m, 'user.email'), get(z, 'user.email'));
  }
});

test('the DNS answer for app.example.com is the distribution domain, then the edge CloudFront logs', async () => {
  const { events, manifest } = await scenario();
  const lookups = ofDataset(events, 'microsoft.defender').filter((e) => get(e, 'dns.question.name') === 'app.example.com');
  assert.ok(lookups.length > 0);
  const cfHosts = new Set(ofDataset(events, 'aws.cloudfront').map((e) => get(e, 'destination.domain')));
  for (const e of lookups) {
    const answers = get(e, 'dns.answers') as { data: string }[];
    assert.equal(answers[0]!.data, manifest.distribution.domain);
    assert.ok(cfHosts.has(answers[0]!.data));
  }
  assert.ok(ofDataset(events, 'cisco.umbrella').some((e) => get(e, 'dns.question.name') === 'app.example.com'));
});

test('truth.json: every incident event exists in the parsed files', async () => {
  const { events, incidents } = await scenario();
  assert.equal(incidents.length, 12);
  const byDataset = new Map<string, typeof events>();
  for (const e of events) {
    const d = get(e, 'event.dataset') as string;
    byDataset.set(d, [...(byDataset.get(d) ?? []), e]);
  }
  for (const inc of incidents) {
    assert.ok(inc.events.length > 0, inc.id);
    for (const ref of inc.events) {
      assert.ok((byDataset.get(ref.dataset) ?? []).some((e) => refMatches(ref, e)), `${inc.id}: no ${ref.dataset} event with ${JSON.stringify(ref.match)}`);
    }
  }
});

test('--scale adds internet CloudFront lines that parse with zero rejects and unique request ids', async () => {
  const { events, summary, manifest } = await generateAndParse({ users: 5, hours: 2, seed: 'scale', scale: 0.05 });
  for (const s of summary.sources) assert.equal(s.rejected, 0, s.source);
  const cf = ofDataset(events, 'aws.cloudfront');
  assert.equal(cf.length, manifest.sources['aws.cloudfront']!.lines);
  assert.ok(cf.length >= 5000);
  assert.equal(new Set(cf.map((e) => get(e, 'http.request.id'))).size, cf.length);
});
