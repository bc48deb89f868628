import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Incident } from '../generate/model.js';
import type { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { buildTrail, TrailNotFoundError, TrailQueryError, type HopKind, type Trail } from './index.js';
import { scenarioStore } from './test-helpers.js';

let store: DuckDbStore;
let db: string;
let incidents: Incident[];

before(async () => {
  ({ store, db, incidents } = await scenarioStore('trail'));
});

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
function cli(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, 'trail', '--db', db, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
after(async () => {
  await store.close();
});

const hop = (t: Trail, kind: HopKind) => t.hops.find((h) => h.kind === kind)!;
const verdicts = (t: Trail) => Object.fromEntries(t.hops.map((h) => [h.kind, h.verdict]));

function requestIds(id: string): string[] {
  const inc = incidents.find((i) => i.id === id)!;
  return inc.events.filter((e) => e.dataset === 'aws.cloudfront').map((e) => String(e.match['http.request.id']));
}

async function alertId(title: RegExp): Promise<string> {
  const r = await store.query('SELECT id, rule_title FROM alerts ORDER BY "timestamp"');
  const row = r.rows.find((x) => title.test(String(x[1])));
  assert.ok(row, `an alert matching ${title}`);
  return String(row[0]);
}

test('zscaler-bypass: proxy bypassed, the firewall session joined by NAT address and port, then edge, WAF and origin', async () => {
  const t = await buildTrail(store, { requestId: requestIds('zscaler-bypass')[0]! });
  assert.deepEqual(verdicts(t), { endpoint: 'allowed', dns: hop(t, 'dns').verdict, proxy: 'bypassed', firewall: 'allowed', edge: 'allowed', waf: 'allowed', origin: 'allowed' });
  assert.match(hop(t, 'proxy').gap!, /^proxy bypassed: 10\.\d+\.\d+\.\d+:\d+ went straight out through the firewall \(session \d+, NAT 198\.51\.100\.10:\d+\)/);
  assert.ok(t.gaps.includes(hop(t, 'proxy').gap!));
  const fw = hop(t, 'firewall');
  assert.equal(fw.join!.method, 'nat-ip-port-time');
  const natPort = Object.entries(fw.join!.keys).find(([k]) => k.includes('source.nat.port'));
  assert.equal(natPort?.[1], hop(t, 'edge').facts.viewer!.split(':')[1]);
  assert.ok(fw.join!.confidence >= 0.85);
  assert.equal(fw.facts.rule, 'allow-web-direct');
  assert.equal(hop(t, 'endpoint').facts.process, 'chrome.exe');
  assert.equal(hop(t, 'endpoint').join!.method, 'internal-ip-port-time');
  // The id is looked up in the smallest id-carrying table; the other two hops join to it by request id.
  assert.ok(['aws.cloudfront', 'aws.waf', 'app.json'].includes(t.anchor!.dataset));
  const anchorHop = t.anchor!.dataset === 'aws.cloudfront' ? 'edge' : t.anchor!.dataset === 'aws.waf' ? 'waf' : 'origin';
  for (const kind of ['edge', 'waf', 'origin'] as const) {
    if (kind !== anchorHop) assert.ok(hop(t, kind).joins!.some((j) => j.method === 'request-id' && j.confidence === 1), kind);
  }
  const origin = hop(t, 'origin');
  assert.deepEqual(origin.sources.sort(), ['app.json', 'aws.alb', 'aws.vpcflow']);
  assert.ok(origin.joins!.some((j) => j.method === 'trace-id'));
  assert.equal(origin.facts['authenticated user'], hop(t, 'endpoint').facts.user);
  // Supporting events are ECS documents.
  const edgeEvent = hop(t, 'edge').events[0] as { event: { dataset: string }; '@timestamp': string };
  assert.equal(edgeEvent.event.dataset, 'aws.cloudfront');
  assert.match(edgeEvent['@timestamp'], /Z$/);
});

test('burp-scan: a blocked probe ends at the WAF with the rule; the origin is not reached; an internet viewer has no client hops', async () => {
  const ids = requestIds('burp-scan');
  const r = await store.query(`SELECT http_request_id FROM events_aws_waf WHERE aws_waf_action = 'BLOCK'`);
  const blocked = r.rows.map((x) => String(x[0])).find((id) => ids.includes(id));
  assert.ok(blocked, 'a blocked burp probe');
  const t = await buildTrail(store, { requestId: blocked });
  assert.deepEqual(verdicts(t), { endpoint: 'missing', dns: 'missing', proxy: 'missing', firewall: 'missing', edge: 'allowed', waf: 'blocked', origin: 'not-reached' });
  assert.match(hop(t, 'waf').gap!, /^the trail ends at the WAF: WAF BLOCK by AWS-AWSManagedRules(SQLi|Common)RuleSet/);
  assert.match(hop(t, 'origin').gap!, /stopped at the WAF/);
  assert.match(hop(t, 'endpoint').gap!, /^internet viewer 192\.0\.2\.150 \(NL\): outside the enterprise/);
  assert.equal(t.gaps.filter((g) => g.startsWith('internet viewer')).length, 1, 'said once at trail level');
  // A probe the WAF let through reaches the origin.
  const passed = ids.find((id) => id !== blocked && !r.rows.some((x) => x[0] === id));
  const t2 = await buildTrail(store, { requestId: passed! });
  assert.equal(hop(t2, 'waf').verdict, 'allowed');
  assert.equal(hop(t2, 'origin').verdict, 'allowed');
});

for (const [incident, title, host] of [
  ['aitm-phishing', /Phishing Page/, 'login-microsoftonline.example.net'],
  ['bazar-loader', /Bazar Loader/, 'cdn-update.example.org'],
  ['telegram-exfil', /Telegram Bot API Request/, 'api.telegram.org'],
] as const) {
  test(`${incident}: --alert ID reconstructs endpoint, DNS and proxy; the host is not behind CloudFront`, async () => {
    const t = await buildTrail(store, { alertId: await alertId(title) });
    assert.equal(t.anchor!.dataset, 'zscaler.zia');
    assert.deepEqual(verdicts(t), { endpoint: 'allowed', dns: 'allowed', proxy: 'allowed', firewall: 'missing', edge: 'missing', waf: 'missing', origin: 'missing' });
    assert.equal(hop(t, 'dns').facts.query, host);
    assert.equal(hop(t, 'proxy').facts.url!.includes(host), true);
    assert.equal(hop(t, 'endpoint').facts.process, incident === 'bazar-loader' ? 'rundll32.exe' : 'chrome.exe');
    assert.equal(hop(t, 'endpoint').join!.method, 'internal-ip-port-time');
    assert.match(hop(t, 'firewall').gap!, /went through the proxy/);
    assert.match(hop(t, 'edge').gap!, new RegExp(`^${host.replace(/\./g, '\\.')} is not served through the CloudFront distributions`));
    assert.equal(hop(t, 'dns').events.length, 2, 'Umbrella and Defender both logged the lookup');
  });
}

test('telegram-exfil from the DNS alert: the lookup leads to the connection that followed it', async () => {
  const t = await buildTrail(store, { alertId: await alertId(/Telegram Bot API Lookup/) });
  assert.equal(hop(t, 'dns').verdict, 'allowed');
  assert.equal(hop(t, 'endpoint').verdict, 'allowed');
  assert.equal(hop(t, 'proxy').verdict, 'allowed');
  assert.match(hop(t, 'proxy').facts.url!, /sendDocument/);
});

test('dns-tunnel: a TXT lookup is the whole trail, and the gap says why', async () => {
  const t = await buildTrail(store, { alertId: await alertId(/DNS Tunnel/) });
  assert.equal(hop(t, 'dns').verdict, 'allowed');
  assert.equal(hop(t, 'dns').facts.type, 'TXT');
  assert.match(hop(t, 'endpoint').gap!, /^DNS only: the TXT lookup of .*\.t\.exfil-example\.net returned no address \(NOERROR, answer "[0-9a-f]+"\), so no connection could follow$/);
  assert.equal(t.gaps.length, 1);
});

test('--url with a user spelled another way and --at finds the request and follows it', async () => {
  const r = await store.query(`SELECT url_full, user_name, "timestamp" FROM events_zscaler_zia WHERE url_domain = 'app.example.com' AND url_path = '/api/items' ORDER BY "timestamp" LIMIT 1`);
  const [url, user, ts] = r.rows[0]!.map(String);
  const at = `${ts!.replace(' ', 'T')}Z`;
  const t = await buildTrail(store, { url: url!, user: `CORP\\${user}`, at, windowSeconds: 60 });
  assert.equal(t.anchor!.dataset, 'zscaler.zia');
  assert.equal(hop(t, 'proxy').facts.user, user);
  assert.equal(hop(t, 'edge').verdict, 'allowed');
  assert.equal(hop(t, 'edge').join!.method, 'internal-ip-domain-time');
  assert.equal(hop(t, 'firewall').verdict, 'missing');
  await assert.rejects(buildTrail(store, { url: url!, user: 'nobody@corp.example', at, windowSeconds: 60 }), TrailNotFoundError);
});

test('new-edge: an IPv6 internet viewer, served from the new edge', async () => {
  const t = await buildTrail(store, { requestId: requestIds('new-edge')[1]! });
  assert.match(hop(t, 'edge').facts.viewer!, /^\[2001:db8:beef::[0-9a-f]+\]:\d+$/);
  assert.equal(hop(t, 'edge').facts['edge location'], 'GRU3-C1');
  assert.match(hop(t, 'endpoint').gap!, /^internet viewer 2001:db8:beef::/);
});

test('selectors: none, two, malformed → TrailQueryError; unknown ids and alerts → TrailNotFoundError', async () => {
  await assert.rejects(buildTrail(store, {}), TrailQueryError);
  await assert.rejects(buildTrail(store, { requestId: 'x', url: 'app.example.com' }), TrailQueryError);
  await assert.rejects(buildTrail(store, { requestId: 'x', at: '2026-11-20T10:00:00Z' }), TrailQueryError);
  await assert.rejects(buildTrail(store, { url: 'app.example.com', at: 'yesterday' }), TrailQueryError);
  await assert.rejects(buildTrail(store, { requestId: "nope'; DROP TABLE alerts; --" }), TrailNotFoundError);
  await assert.rejects(buildTrail(store, { alertId: 'no-such-alert' }), TrailNotFoundError);
  await assert.rejects(buildTrail(store, { url: 'https://never.example.invalid/x' }), TrailNotFoundError);
});

test('packettrail trail: hop list with verdicts, facts, joins and gaps; --json; exit 2 for a bad selector or an unknown id', () => {
  const id = requestIds('zscaler-bypass')[0]!;
  const text = cli(['--request-id', id]);
  assert.equal(text.code, 0, text.err);
  assert.match(text.out, /^trail for request id /);
  assert.match(text.out, /\n 3\. proxy +BYPASSED +proxy bypassed: /);
  assert.match(text.out, /\n 4\. firewall +ALLOWED +PAN-OS allow by rule allow-web-direct \(ssl\)/);
  assert.match(text.out, /\n {4}join: nat-ip-port-time \(confidence 0\.9\d\): /);
  assert.match(text.out, /\ngaps:\n {2}- proxy bypassed: /);
  const json = cli(['--request-id', id, '--json']);
  assert.equal(json.code, 0, json.err);
  const t = JSON.parse(json.out) as Trail;
  assert.deepEqual(t.hops.map((h) => h.kind), ['endpoint', 'dns', 'proxy', 'firewall', 'edge', 'waf', 'origin']);
  assert.equal(t.query.requestId, id);
  const none = cli([]);
  assert.equal(none.code, 2);
  assert.match(none.err, /give --request-id, --alert or --url/);
  const unknown = cli(['--request-id', 'no-such-id\u001b[2J']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /not found: no CloudFront, WAF, ALB or app event has request id no-such-id\\x1b\[2J/);
});
