import { ACCOUNT, REGION } from '../world.js';
import type { Scenario } from '../model.js';
import { isoSeconds, parts, shortHash, windowStamp, type Output } from './output.js';

/** CloudTrail: one `{"Records":[…]}` document per 5-minute object. */
export function writeCloudTrail(s: Scenario, out: Output): void {
  const groups = new Map<string, unknown[]>();
  for (const rec of [...s.trail].sort((a, b) => a.eventTime.localeCompare(b.eventTime))) {
    const ms = Date.parse(rec.eventTime);
    const p = parts(ms);
    const stamp = windowStamp(ms, 5);
    const path = `cloudtrail/AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/${p.y}/${p.mo}/${p.d}/${ACCOUNT}_CloudTrail_${REGION}_${stamp}_${shortHash(s.world.seed + stamp, 16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}.json.gz`;
    let g = groups.get(path);
    if (!g) groups.set(path, (g = []));
    g.push(rec);
  }
  for (const [path, records] of groups) {
    out.add('aws.cloudtrail', path, JSON.stringify({ Records: records }));
    out.count('aws.cloudtrail', 0, records.length - 1);
  }
}

/** Route 53 Resolver query logs, gzip JSON lines per 5-minute object under vpcdnsquerylogs/<vpc-id>/. */
export function writeRoute53(s: Scenario, out: Output): void {
  const { vpc } = s.world;
  for (const q of [...s.vpcDns].sort((a, b) => a.t - b.t)) {
    const p = parts(q.t);
    const stamp = windowStamp(q.t, 5);
    const path = `route53resolver/AWSLogs/${ACCOUNT}/vpcdnsquerylogs/${vpc.id}/${p.y}/${p.mo}/${p.d}/${vpc.id}_vpcdnsquerylogs_${ACCOUNT}_${stamp}_${shortHash(s.world.seed + stamp, 8, '0123456789abcdef')}.log.gz`;
    out.add('aws.route53resolver', path, JSON.stringify({
      version: '1.100000', account_id: ACCOUNT, region: REGION, vpc_id: vpc.id, query_timestamp: isoSeconds(q.t), query_name: `${q.name}.`,
      query_type: 'A', query_class: 'IN', rcode: 'NOERROR', answers: q.answers.map((a) => ({ Rdata: a.type === 'CNAME' ? `${a.data}.` : a.data, Type: a.type, Class: 'IN' })),
      srcaddr: q.srcIp, srcport: String(40000 + (q.t % 20000)), transport: 'UDP', srcids: { instance: q.instance },
    }));
  }
}
