import { BASE64URL, LOWER_ALNUM, Rng, UPPER_ALNUM } from './random.js';

/**
 * The organization the scenario runs in: people, laptops, the egress (PAN-OS NAT and Zscaler), the
 * CloudFront distribution with its edges, the ALB/VPC origin and the AWS account. Addresses come from
 * the documentation ranges (RFC 5737/3849) and private ranges only.
 */
export interface User {
  first: string;
  last: string;
  /** `first.last` */
  login: string;
  /** `first.last@corp.example` */
  upn: string;
  /** `CORP\first.last` */
  sam: string;
  /** `First LAST (first.last@corp.example)` */
  display: string;
  objectId: string;
  sid: string;
  laptop: Laptop;
  /** Laptops that skip Zscaler reach the internet through the firewall NAT. */
  bypassesZscaler: boolean;
}

export interface Laptop {
  hostname: string;
  fqdn: string;
  deviceId: string;
  ip: string;
  mac: string;
  /** Clock offset from true time in ms: devices disagree by a few seconds. */
  skewMs: number;
}

export interface Edge {
  code: string;
  ip: string;
  country: string;
}

export interface Admin {
  user: User;
  role: string;
}

export const DOMAIN = 'corp.example';
export const APP_HOST = 'app.example.com';
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const FIREWALL = { name: 'pa-fw01', serial: '013201009999', vsys: 'vsys1' };
export const ZSCALER_LOCATION = 'HQ-Paris';

const FIRST = ['lee', 'ana', 'omar', 'mei', 'noah', 'ines', 'raj', 'sara', 'yuki', 'tom', 'lena', 'ivan', 'zoe', 'hugo', 'nina', 'paul', 'emma', 'karl', 'lina', 'marc'];
const LAST = ['cole', 'silva', 'haddad', 'chen', 'berg', 'martin', 'patel', 'weber', 'sato', 'dubois', 'novak', 'petrov', 'fischer', 'costa', 'olsen', 'moreau', 'schmidt', 'garcia', 'rossi', 'kim'];

/** CloudFront POPs near the users, plus one far away for the "new edge" incident. */
const EDGES: readonly Edge[] = [
  { code: 'CDG50-C1', ip: '203.0.113.10', country: 'FR' },
  { code: 'CDG52-P2', ip: '203.0.113.11', country: 'FR' },
  { code: 'FRA56-P8', ip: '203.0.113.12', country: 'DE' },
  { code: 'LHR61-P1', ip: '203.0.113.13', country: 'GB' },
];
export const FAR_EDGE: Edge = { code: 'GRU3-C1', ip: '203.0.113.90', country: 'BR' };

export interface World {
  seed: string;
  users: User[];
  admins: Admin[];
  edges: readonly Edge[];
  distribution: { id: string; domain: string; webAcl: string; webAclId: string };
  alb: { name: string; id: string; nodeIps: string[]; targets: string[]; targetGroup: string; eni: Record<string, string> };
  vpc: { id: string; flowLogId: string; resolverIp: string };
  nat: { ip: string; nextPort: number };
  zscaler: { egressIps: string[]; serviceEdgeIp: string };
  /** The corporate resolver the laptops use (Umbrella virtual appliance). */
  dnsIp: string;
  /** Internet viewers (public customers) of the app. */
  publicViewers: { ip: string; country: string; asn: number }[];
}

/** The i-th person: first/last pairs are unique for 400 people, then a number keeps logins unique. */
function person(rng: Rng, i: number): Omit<User, 'laptop' | 'bypassesZscaler'> {
  const first = FIRST[i % FIRST.length]!;
  const last = LAST[(Math.floor(i / FIRST.length) + i) % LAST.length]! + (i >= FIRST.length * LAST.length ? String(Math.floor(i / (FIRST.length * LAST.length))) : '');
  const cap = (x: string) => x[0]!.toUpperCase() + x.slice(1);
  const login = `${first}.${last}`;
  return {
    first: cap(first), last: cap(last), login, upn: `${login}@${DOMAIN}`, sam: `CORP\\${login}`,
    display: `${cap(first)} ${last.toUpperCase()} (${login}@${DOMAIN})`, objectId: rng.uuid(),
    sid: `S-1-5-21-1004336348-1177238915-682003330-${1100 + i}`,
  };
}

/** Laptop i's address: 240 per /24, 256 /24s per 10.x. */
function laptopIp(i: number): string {
  return `10.${20 + Math.floor(i / 61_440)}.${1 + (Math.floor(i / 240) % 255)}.${10 + (i % 240)}`;
}

export function buildWorld(seed: string, userCount: number): World {
  const rng = new Rng(`${seed}/world`);
  const users: User[] = [];
  for (let i = 0; i < userCount; i++) {
    const p = person(rng, i);
    const host = `LT-${p.login.replace('.', '').slice(0, 8).toUpperCase()}${String(i).padStart(3, '0')}`;
    const laptop: Laptop = {
      hostname: host, fqdn: `${host.toLowerCase()}.${DOMAIN}`, deviceId: rng.hex(40),
      ip: laptopIp(i), mac: `00-50-56-${rng.hex(2)}-${rng.hex(2)}-${rng.hex(2)}`.toUpperCase(),
      skewMs: rng.int(-4000, 4000),
    };
    // Every fifth laptop bypasses Zscaler, starting with the second, so even small scenarios have one.
    users.push({ ...p, laptop, bypassesZscaler: i % 5 === 1 });
  }
  const admins: Admin[] = users.slice(0, Math.min(2, users.length)).map((user, i) => ({
    user, role: i === 0 ? 'AWSReservedSSO_AdministratorAccess_5f1a2b3c4d5e6f70' : 'AWSReservedSSO_PowerUserAccess_0a1b2c3d4e5f6a7b',
  }));
  const distId = `E${rng.chars(12, UPPER_ALNUM)}`;
  const albId = rng.hex(16);
  const targets = ['10.0.11.21', '10.0.11.22', '10.0.12.21'];
  const eni: Record<string, string> = {};
  for (const ip of [...targets, '10.0.1.15', '10.0.2.27']) eni[ip] = `eni-${rng.hex(17)}`;
  const publicViewers = Array.from({ length: 40 }, (_, i) => ({
    ip: i % 4 === 3 ? `2001:db8:${(i * 7).toString(16)}::${(i * 13 + 1).toString(16)}` : `192.0.2.${10 + i}`,
    country: rng.pick(['FR', 'DE', 'GB', 'ES', 'IT', 'NL']),
    asn: rng.pick([64496, 64497, 64498, 64499]),
  }));
  return {
    seed, users, admins, edges: EDGES,
    distribution: { id: distId, domain: `d${rng.chars(13, LOWER_ALNUM)}.cloudfront.net`, webAcl: 'app-edge-acl', webAclId: rng.uuid() },
    alb: {
      name: 'app-prod-alb', id: albId, nodeIps: ['10.0.1.15', '10.0.2.27'], targets,
      targetGroup: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/app-prod-tg/${rng.hex(16)}`, eni,
    },
    vpc: { id: `vpc-${rng.hex(17)}`, flowLogId: `fl-${rng.hex(17)}`, resolverIp: '10.0.0.2' },
    nat: { ip: '198.51.100.10', nextPort: 20000 + rng.int(0, 1000) },
    zscaler: { egressIps: ['198.51.100.130', '198.51.100.131', '198.51.100.132'], serviceEdgeIp: '198.51.100.250' },
    dnsIp: '10.20.0.53',
    publicViewers,
  };
}

/** The PAN-OS source NAT hands out ports in sequence, wrapping in the dynamic range. */
export function allocateNatPort(world: World): number {
  const p = world.nat.nextPort;
  world.nat.nextPort = p >= 64999 ? 20000 : p + 1;
  return p;
}

/** A CloudFront request id: 56 base64url characters ending `==`, as in real logs. */
export function edgeRequestId(rng: Rng): string {
  return `${rng.chars(54, BASE64URL)}==`;
}

/** An ALB trace id, `Root=1-<8 hex time>-<24 hex>`. */
export function albTraceId(rng: Rng, ms: number): string {
  return `Root=1-${Math.floor(ms / 1000).toString(16).padStart(8, '0')}-${rng.hex(24)}`;
}
