import type { Rng } from '../random.js';
import { trailRecord } from '../trail.js';
import { ACCOUNT } from '../world.js';
import type { EventRef, Flow, Scenario } from '../model.js';
import { addIncident, at, RULES } from './common.js';
import { SILENT_SOURCE_RULE } from '../../insights/coverage/index.js';

/** The post-ingest coverage analysis's rule: the stopped trail goes silent. */
const SILENT_SOURCE = { id: SILENT_SOURCE_RULE.id, title: SILENT_SOURCE_RULE.title };

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const ATTACKER_IP = '192.0.2.99';
const CLI_UA = 'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#cloudtrail.stop-logging';

/**
 * A leaked CI access key, used from outside: who am I, repoint the distribution's origin, stop the
 * trail — after which the account's CloudTrail goes silent (the coverage analysis notices).
 */
export function stolenKey(s: Scenario, rng: Rng): void {
  const from = at(s, 0.65);
  const identity = { type: 'IAMUser', principalId: 'AIDAJQABLZS4A3QDU576Q', arn: `arn:aws:iam::${ACCOUNT}:user/ci-deploy`, accountId: ACCOUNT, accessKeyId: KEY, userName: 'ci-deploy' };
  const { id, domain } = s.world.distribution;
  const calls = [
    { source: 'sts.amazonaws.com', name: 'GetCallerIdentity', readOnly: true, request: null },
    { source: 'cloudtrail.amazonaws.com', name: 'DescribeTrails', readOnly: true, request: { includeShadowTrails: true } },
    {
      source: 'cloudfront.amazonaws.com', name: 'UpdateDistribution', readOnly: false,
      request: {
        id, ifMatch: 'E2QWRUHAPOMQZL',
        distributionConfig: { callerReference: 'app-prod', aliases: { quantity: 1, items: ['app.example.com'] }, origins: { quantity: 1, items: [{ id: 'alb', domainName: 'origin.attacker-example.net' }] }, enabled: true, comment: domain },
      },
    },
    { source: 'cloudtrail.amazonaws.com', name: 'StopLogging', readOnly: false, request: { name: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail` } },
  ];
  const records = calls.map((c, i) => trailRecord(rng, { t: from + i * 45_000, identity, ip: ATTACKER_IP, ua: CLI_UA, ...c }));
  // The demo account has one trail: once it is stopped, CloudTrail delivers nothing more.
  const stopped = Date.parse(records[records.length - 1]!.eventTime);
  s.trail = s.trail.filter((r) => Date.parse(r.eventTime) <= stopped);
  s.trail.push(...records);
  const refs: EventRef[] = records.map((r) => ({ dataset: 'aws.cloudtrail', match: { 'event.action': String(r.eventName), 'source.ip': ATTACKER_IP } }));
  addIncident(s, 'stolen-access-key', 'Stolen access key stops CloudTrail and repoints the distribution', `Access key ${KEY} (ci-deploy) used from ${ATTACKER_IP}: GetCallerIdentity, DescribeTrails, UpdateDistribution, StopLogging; CloudTrail is silent afterwards.`,
    from, from + 3 * 45_000, refs, [RULES.trailTamper, RULES.distChanged, SILENT_SOURCE]);
}

/**
 * An internet host sweeps the VPC for RDP: six probes die at the public subnet's network ACL (the ALB
 * nodes' ENIs), six at the targets' security group.
 */
export function rdpScan(s: Scenario, rng: Rng): void {
  const from = at(s, 0.4);
  const src = '192.0.2.77';
  const { alb } = s.world;
  const dsts = [...alb.nodeIps, ...alb.nodeIps, ...alb.nodeIps, ...alb.targets, ...alb.targets];
  const flows: Flow[] = dsts.map((dst, i) => {
    const start = Math.floor((from + i * 10_000) / 60_000) * 60_000;
    return {
      start, end: start + 60_000, eni: alb.eni[dst]!, src, dst, srcPort: rng.int(40000, 65000), dstPort: 3389, protocol: 6, packets: 2, bytes: 120,
      action: 'REJECT', tcpFlags: 2, direction: 'ingress', incident: i < 6 ? 'rdp-scan-nacl' : 'rdp-scan-sg',
    };
  });
  s.flows.push(...flows);
  const refs: EventRef[] = flows.map((f) => ({ dataset: 'aws.vpcflow', match: { 'source.ip': src, 'destination.ip': f.dst, 'source.port': f.srcPort } }));
  addIncident(s, 'rdp-scan', `RDP scan from ${src} rejected in the VPC`, 'Twelve SYNs to 3389 within two minutes: six dropped by the public subnet network ACL (ALB node ENIs), six by the app targets\' security group.',
    from, from + 12 * 10_000, refs, [RULES.rdpBurst]);
}
