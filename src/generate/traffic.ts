import type { Rng } from './random.js';
import { allocateNatPort, albTraceId, APP_HOST, edgeRequestId, type Edge, type User, type World } from './world.js';
import type { DnsQuery, Route, Scenario, VpcDnsQuery, WebRequest } from './model.js';

/** Browsers the managed laptops run. */
export const BROWSER_UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0',
];

/** The app's pages and APIs: [method, path, query, cacheable, content type, weight]. */
const APP_PATHS: readonly (readonly [string, string, string, boolean, string, number])[] = [
  ['GET', '/', '', true, 'text/html', 10],
  ['GET', '/static/app.js', 'v=3.4.1', true, 'application/javascript', 12],
  ['GET', '/static/app.css', 'v=3.4.1', true, 'text/css', 8],
  ['GET', '/api/items', 'page=1', false, 'application/json', 14],
  ['GET', '/api/items/1042', '', false, 'application/json', 6],
  ['POST', '/api/items', '', false, 'application/json', 4],
  ['GET', '/api/me', '', false, 'application/json', 6],
  ['GET', '/favicon.ico', '', true, 'image/x-icon', 3],
];

/** Other sites the laptops browse (seen on the endpoint, DNS, proxy and firewall only). */
const OTHER_SITES: readonly (readonly [string, string])[] = [
  ['www.example.net', '192.0.2.201'],
  ['news.example.org', '192.0.2.202'],
  ['docs.example.net', '192.0.2.203'],
  ['login.microsoftonline.com', '192.0.2.204'],
];

export function appDnsAnswers(world: World, edge: Edge): DnsQuery['answers'] {
  return [{ type: 'CNAME', data: world.distribution.domain }, { type: 'A', data: edge.ip }];
}

/** The nearest edge for the corporate site, chosen per hour as anycast would. */
export function edgeFor(world: World, rng: Rng): Edge {
  return rng.weighted(world.edges.map((e, i) => [e, i === 0 ? 6 : 1] as const));
}

interface Egress {
  route: Route;
  viewerIp: string;
  viewerPort: number;
  xff?: string;
}

function egress(world: World, rng: Rng, user: User, forceDirect = false): Egress {
  if (user.bypassesZscaler || forceDirect) return { route: 'direct', viewerIp: world.nat.ip, viewerPort: allocateNatPort(world) };
  return { route: 'zscaler', viewerIp: rng.pick(world.zscaler.egressIps), viewerPort: rng.int(1024, 65000), xff: user.laptop.ip };
}

export interface AppRequestSpec {
  method: string;
  path: string;
  query: string;
  ua: string;
  referer?: string;
  cacheable: boolean;
  contentType: string;
  status?: number;
  incident?: string;
}

/** Builds an app request through CloudFront (and the origin on a miss) for a laptop user. */
export function laptopAppRequest(world: World, rng: Rng, t: number, user: User, edge: Edge, spec: AppRequestSpec, forceDirect = false): WebRequest {
  const e = egress(world, rng, user, forceDirect);
  const req = appRequest(world, rng, t, e, edge, spec);
  req.user = user;
  req.srcIp = user.laptop.ip;
  req.srcPort = rng.int(49152, 65535);
  return req;
}

/** Builds an app request from any viewer; the origin part exists when CloudFront misses. */
export function appRequest(world: World, rng: Rng, t: number, e: Egress, edge: Edge, spec: AppRequestSpec): WebRequest {
  const hit = spec.cacheable && rng.chance(0.8);
  const status = spec.status ?? (spec.method === 'POST' ? 201 : 200);
  const targetSeconds = hit ? 0 : Math.round(rng.exp(0.04) * 1000 + 3) / 1000;
  const durationMs = hit ? rng.int(1, 6) : Math.round(targetSeconds * 1000) + rng.int(8, 30);
  const req: WebRequest = {
    t, route: e.route, host: APP_HOST, method: spec.method, path: spec.path, query: spec.query, ua: spec.ua,
    referer: spec.referer ?? (spec.path === '/' ? '-' : `https://${APP_HOST}/`), status,
    srcIp: e.viewerIp, srcPort: e.viewerPort, viewerIp: e.viewerIp, viewerPort: e.viewerPort, serverIp: edge.ip, edge,
    cf: { id: edgeRequestId(rng), result: hit ? 'Hit' : 'Miss', late: rng.chance(0.1) },
    waf: { action: 'ALLOW', ruleId: 'Default_Action', ruleType: 'REGULAR', country: edge.country },
    durationMs, bytesIn: rng.int(300, 900) + (spec.method === 'POST' ? 400 : 0), bytesOut: rng.int(600, 40000),
    contentType: spec.contentType,
  };
  if (e.xff) req.xff = e.xff;
  if (spec.incident) req.incident = spec.incident;
  if (!hit) {
    req.origin = {
      traceId: albTraceId(rng, t), albNode: rng.pick(world.alb.nodeIps), albPort: rng.int(10000, 60000),
      target: rng.pick(world.alb.targets), targetPort: 8080, targetSeconds, status,
    };
  }
  return req;
}

export function otherRequest(world: World, rng: Rng, t: number, user: User, host: string, ip: string, path: string, ua: string, incident?: string): WebRequest {
  const e = egress(world, rng, user);
  const req: WebRequest = {
    t, user, route: e.route, host, method: 'GET', path, query: '', ua, referer: '-', status: 200,
    srcIp: user.laptop.ip, srcPort: rng.int(49152, 65535), viewerIp: e.viewerIp, viewerPort: e.viewerPort, serverIp: ip,
    durationMs: rng.int(30, 300), bytesIn: rng.int(400, 900), bytesOut: rng.int(2000, 90000), contentType: 'text/html',
  };
  if (incident) req.incident = incident;
  return req;
}

export function dnsQuery(t: number, user: User, name: string, answers: DnsQuery['answers'], incident?: string): DnsQuery {
  const q: DnsQuery = { t, user, name, type: 'A', answers, rcode: answers.length ? 'NOERROR' : 'NXDOMAIN', blocked: false };
  if (incident) q.incident = incident;
  return q;
}

/** A working day: each user browses the app and a few other sites; internet viewers use the app too. */
export function normalTraffic(world: World, rng: Rng, start: number, end: number, scenario: Scenario): void {
  const hours = Math.max(1, Math.ceil((end - start) / 3_600_000));
  for (let h = 0; h < hours; h++) {
    const hourStart = start + h * 3_600_000;
    const edge = edgeFor(world, rng);
    for (const user of world.users) {
      const ua = BROWSER_UAS[world.users.indexOf(user) % BROWSER_UAS.length]!;
      let t = hourStart + rng.int(0, 600_000);
      scenario.dns.push(dnsQuery(t - 40, user, APP_HOST, appDnsAnswers(world, edge)));
      const count = rng.int(12, 24);
      for (let i = 0; i < count && t < Math.min(end, hourStart + 3_600_000); i++) {
        const [method, path, query, cacheable, contentType] = rng.weighted(APP_PATHS.map((p) => [p, p[5]] as const));
        scenario.requests.push(laptopAppRequest(world, rng, t, user, edge, { method, path, query, ua, cacheable, contentType }));
        t += Math.round(rng.exp(120_000)) + 500;
      }
      for (let i = 0; i < 3; i++) {
        const [host, ip] = rng.pick(OTHER_SITES);
        const ot = hourStart + rng.int(0, 3_590_000);
        if (ot >= end) continue;
        scenario.dns.push(dnsQuery(ot - 30, user, host, [{ type: 'A', data: ip }]));
        scenario.requests.push(otherRequest(world, rng, ot, user, host, ip, '/', ua));
      }
    }
    publicViewers(world, rng, hourStart, Math.min(end, hourStart + 3_600_000), edge, scenario);
    scenario.vpcDns.push(...workloadDns(world, rng, hourStart));
  }
}

function publicViewers(world: World, rng: Rng, from: number, to: number, edge: Edge, scenario: Scenario): void {
  const n = Math.round(((to - from) / 3_600_000) * (20 + world.users.length * 4));
  for (let i = 0; i < n; i++) {
    const v = rng.pick(world.publicViewers);
    const [method, path, query, cacheable, contentType] = rng.weighted(APP_PATHS.map((p) => [p, p[5]] as const));
    const req = appRequest(world, rng, from + rng.int(0, to - from - 1), { route: 'internet', viewerIp: v.ip, viewerPort: rng.int(1024, 65535) }, edge, {
      method, path, query, ua: BROWSER_UAS[i % BROWSER_UAS.length]!, cacheable, contentType,
    });
    req.waf!.country = v.country;
    scenario.requests.push(req);
  }
}

/** The app targets resolve their identity provider and AWS endpoints through the VPC resolver. */
function workloadDns(world: World, rng: Rng, hourStart: number): VpcDnsQuery[] {
  return world.alb.targets.map((ip, i) => ({
    t: hourStart + rng.int(0, 3_500_000), srcIp: ip, instance: `i-${world.alb.eni[ip]!.slice(4, 21)}`,
    name: i % 2 ? 'login.microsoftonline.com' : 'sts.us-east-1.amazonaws.com',
    answers: i % 2 ? [{ type: 'CNAME', data: 'login.mso.msidentity.com' }, { type: 'A', data: '192.0.2.204' }] : [{ type: 'A', data: '192.0.2.220' }],
  }));
}
