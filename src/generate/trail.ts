import type { Rng } from './random.js';
import { ACCOUNT, REGION, type World } from './world.js';
import type { TrailRecord } from './model.js';
import { isoSeconds } from './writers/output.js';

export interface TrailCall {
  t: number;
  source: string;
  name: string;
  identity: Record<string, unknown>;
  ip: string;
  ua: string;
  readOnly: boolean;
  request?: Record<string, unknown> | null;
  response?: Record<string, unknown> | null;
  errorCode?: string;
}

export function trailRecord(rng: Rng, c: TrailCall): TrailRecord {
  const rec: TrailRecord = {
    eventVersion: '1.09', userIdentity: c.identity, eventTime: isoSeconds(c.t), eventSource: c.source, eventName: c.name, awsRegion: REGION,
    sourceIPAddress: c.ip, userAgent: c.ua, requestParameters: c.request ?? null, responseElements: c.response ?? null,
    requestID: rng.uuid(), eventID: rng.uuid(), readOnly: c.readOnly, eventType: 'AwsApiCall', managementEvent: true,
    recipientAccountId: ACCOUNT, eventCategory: 'Management',
  };
  if (c.errorCode) rec.errorCode = c.errorCode;
  return rec;
}

/** An admin signed in through IAM Identity Center: the role session is their e-mail. */
export function ssoIdentity(world: World, adminIndex: number): Record<string, unknown> {
  const a = world.admins[adminIndex % world.admins.length]!;
  const principal = `AROA${a.role.slice(-16).toUpperCase()}`;
  return {
    type: 'AssumedRole', principalId: `${principal}:${a.user.upn}`, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${a.role}/${a.user.upn}`,
    accountId: ACCOUNT, accessKeyId: `ASIA${a.user.objectId.replace(/-/g, '').slice(0, 16).toUpperCase()}`,
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: principal, arn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/${a.role}`, accountId: ACCOUNT, userName: a.role },
      attributes: { creationDate: '2026-01-01T00:00:00Z', mfaAuthenticated: 'false' },
    },
  };
}

const CONSOLE_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';

/** Routine admin activity: reading the distribution, listing buckets, describing the ALB. */
export function routineTrail(world: World, rng: Rng, start: number, end: number): TrailRecord[] {
  const calls: [string, string, Record<string, unknown> | null][] = [
    ['cloudfront.amazonaws.com', 'GetDistribution', { id: world.distribution.id }],
    ['cloudfront.amazonaws.com', 'ListDistributions', null],
    ['elasticloadbalancing.amazonaws.com', 'DescribeLoadBalancers', null],
    ['s3.amazonaws.com', 'ListBuckets', null],
    ['wafv2.amazonaws.com', 'GetWebACL', { name: world.distribution.webAcl, scope: 'CLOUDFRONT', id: world.distribution.webAclId }],
  ];
  const out: TrailRecord[] = [];
  for (let t = start + rng.int(60_000, 600_000); t < end; t += rng.int(300_000, 1_200_000)) {
    const [source, name, request] = rng.pick(calls);
    out.push(trailRecord(rng, { t, source, name, identity: ssoIdentity(world, rng.int(0, 1)), ip: world.zscaler.egressIps[0]!, ua: CONSOLE_UA, readOnly: true, request }));
  }
  return out;
}
