import { ACCOUNT, REGION } from '../world.js';
import type { Scenario, WebRequest } from '../model.js';
import { iso, parts, shortHash, windowStamp, type Output } from './output.js';

/** The ALB logs when it sent the response; CloudFront forwarded the request a few ms after receiving it. */
export const albReceived = (r: WebRequest) => r.t + 4;
export const albTime = (r: WebRequest) => albReceived(r) + Math.round(r.origin!.targetSeconds * 1000) + 1;

const micro = (ms: number) => iso(ms).replace(/Z$/, '000Z');
const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export function albLine(r: WebRequest, s: Scenario): string {
  const o = r.origin!;
  const { alb } = s.world;
  const url = `https://${r.host}:443${r.path}${r.query ? `?${r.query}` : ''}`;
  return [
    'h2', micro(albTime(r)), `app/${alb.name}/${alb.id}`, `${r.edge!.ip}:${o.albPort}`, `${o.target}:${o.targetPort}`,
    '0.001', o.targetSeconds.toFixed(3), '0.000', o.status, o.status, r.bytesIn, r.bytesOut,
    q(`${r.method} ${url} HTTP/2.0`), q(r.ua), 'TLS_AES_128_GCM_SHA256', 'TLSv1.3', alb.targetGroup, q(o.traceId), q(r.host),
    q(`arn:aws:acm:${REGION}:${ACCOUNT}:certificate/${s.world.distribution.webAclId}`), '1', micro(albReceived(r)), q('forward'),
    q('-'), q('-'), q(`${o.target}:${o.targetPort}`), q(String(o.status)), q('-'), q('-'), `TID_${o.traceId.slice(-24)}${o.traceId.slice(7, 15)}`,
  ].join(' ');
}

export function writeAlb(s: Scenario, out: Output): void {
  const { alb } = s.world;
  for (const r of s.requests) {
    if (!r.origin) continue;
    const t = albTime(r);
    const p = parts(t);
    const stamp = windowStamp(t, 5);
    const node = r.origin.albNode;
    const path = `alb/AWSLogs/${ACCOUNT}/elasticloadbalancing/${REGION}/${p.y}/${p.mo}/${p.d}/${ACCOUNT}_elasticloadbalancing_${REGION}_app.${alb.name}.${alb.id}_${stamp}_${node}_${shortHash(s.world.seed + stamp + node, 8, 'abcdefghijklmnopqrstuvwxyz0123456789')}.log.gz`;
    out.add('aws.alb', path, albLine(r, s));
  }
}
