import { ACCOUNT, REGION } from '../world.js';
import type { Flow, Scenario } from '../model.js';
import { parts, shortHash, windowStamp, type Output } from './output.js';

/** A custom (v5) format; S3 delivery writes the field names as the first line of every object. */
export const VPC_FIELDS = [
  'version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end',
  'action', 'log-status', 'vpc-id', 'subnet-id', 'tcp-flags', 'pkt-srcaddr', 'pkt-dstaddr', 'flow-direction',
];

export function flowLine(f: Flow, s: Scenario, subnet: string): string {
  return [
    5, ACCOUNT, f.eni, f.src, f.dst, f.srcPort, f.dstPort, f.protocol, f.packets, f.bytes, Math.floor(f.start / 1000), Math.floor(f.end / 1000),
    f.action, 'OK', s.world.vpc.id, subnet, f.tcpFlags, f.src, f.dst, f.direction,
  ].join(' ');
}

/** ALB node → target connections, aggregated per minute and pair as flow logs do. */
export function originFlows(s: Scenario): Flow[] {
  const agg = new Map<string, Flow>();
  for (const r of s.requests) {
    if (!r.origin) continue;
    const minute = Math.floor(r.t / 60_000) * 60_000;
    const key = `${minute}/${r.origin.albNode}/${r.origin.target}`;
    let f = agg.get(key);
    if (!f) {
      f = {
        start: minute, end: minute + 60_000, eni: s.world.alb.eni[r.origin.target]!, src: r.origin.albNode, dst: r.origin.target,
        srcPort: r.origin.albPort, dstPort: r.origin.targetPort, protocol: 6, packets: 0, bytes: 0, action: 'ACCEPT', tcpFlags: 19, direction: 'ingress',
      };
      agg.set(key, f);
    }
    f.packets += 6;
    f.bytes += r.bytesIn + r.bytesOut + 320;
  }
  return [...agg.values()];
}

export function writeVpcFlow(s: Scenario, out: Output): void {
  const { vpc } = s.world;
  const flows = [...originFlows(s), ...s.flows].sort((a, b) => a.start - b.start || a.src.localeCompare(b.src));
  for (const f of flows) {
    const p = parts(f.end);
    const stamp = windowStamp(f.end, 5);
    const subnet = f.dst.startsWith('10.0.12.') ? 'subnet-0c12a7e3b5d9f1e22' : f.dst.startsWith('10.0.2.') ? 'subnet-0b02c4e6a8d0f2a13' : 'subnet-0a11b3d5f7e9c1a04';
    const path = `vpcflow/AWSLogs/${ACCOUNT}/vpcflowlogs/${REGION}/${p.y}/${p.mo}/${p.d}/${ACCOUNT}_vpcflowlogs_${REGION}_${vpc.flowLogId}_${stamp}_${shortHash(s.world.seed + stamp, 8, '0123456789abcdef')}.log.gz`;
    out.add('aws.vpcflow', path, flowLine(f, s, subnet), [VPC_FIELDS.join(' ')]);
  }
}
