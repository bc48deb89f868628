import { albReceived } from './alb.js';
import type { Scenario, WebRequest } from '../model.js';
import { iso, parts, type Output } from './output.js';

const TENANT = '8f3c2a1e-5b6d-4e7f-9a0b-1c2d3e4f5a6b';

/** The app logs each request it served with the ids CloudFront and the ALB passed on and the token's decoded claims. */
export function appRecord(r: WebRequest): Record<string, unknown> {
  const o = r.origin!;
  const t = albReceived(r) + 1 + Math.round(o.targetSeconds * 1000);
  const authenticated = r.path.startsWith('/api/') && r.user !== undefined;
  const rec: Record<string, unknown> = {
    timestamp: iso(t), level: o.status >= 500 ? 'error' : 'info', service: 'app-api', hostname: `app-${o.target.replace(/\./g, '-')}`,
    method: r.method, path: r.path, query: r.query || undefined, status: o.status, latency_ms: Math.round(o.targetSeconds * 1000 * 10) / 10,
    bytes_out: r.bytesOut, peer_ip: o.albNode,
    headers: {
      Host: r.host, 'User-Agent': r.ua, 'X-Amz-Cf-Id': r.cf!.id, 'X-Amzn-Trace-Id': o.traceId,
      'X-Forwarded-For': [r.xff, r.viewerIp, r.edge!.ip].filter(Boolean).join(', '), 'X-Forwarded-Proto': 'https',
    },
  };
  if (authenticated) {
    rec.user = r.user!.upn;
    rec.user_id = r.user!.objectId;
    rec.auth = { iss: `https://login.microsoftonline.com/${TENANT}/v2.0`, aud: 'api://app.example.com', tid: TENANT, scp: 'Items.Read Items.Write', amr: ['pwd', 'mfa'] };
  }
  if (o.status >= 500) rec.message = 'upstream database timeout';
  return rec;
}

export function writeApp(s: Scenario, out: Output): void {
  for (const r of s.requests) {
    if (!r.origin) continue;
    const p = parts(r.t);
    out.add('app.json', `app/app-api/${p.y}-${p.mo}-${p.d}/app-api-${p.h}.jsonl`, JSON.stringify(appRecord(r)));
  }
}
