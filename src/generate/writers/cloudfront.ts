import { STANDARD_FIELDS } from '../../formats/cloudfront/fields.js';
import type { Scenario, WebRequest } from '../model.js';
import { parts, shortHash, type Output } from './output.js';

export const CF_HEADER = ['#Version: 1.0', `#Fields: ${STANDARD_FIELDS.join(' ')}`];

/**
 * CloudFront percent-encodes spaces, quotes, backslashes, percent signs and non-printables in request fields;
 * the URI and query keep the viewer's own %-escapes (`keepPercent`).
 */
export function cfEncode(text: string, keepPercent = false): string {
  if (text === '') return '-';
  const out: string[] = [];
  for (const ch of Buffer.from(text, 'utf8')) {
    out.push(ch <= 0x20 || ch >= 0x7f || ch === 0x22 || ch === 0x5c || (ch === 0x25 && !keepPercent) ? `%${ch.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(ch));
  }
  // join gives one flat string; `+=` per character left a deep rope that every line using it
  // walked again when written (measured: most of the bulk writer's time).
  return out.join('');
}

/** CloudFront logs the time the edge finished responding. */
export function cfTime(r: WebRequest): number {
  return r.t + r.durationMs;
}

export function cloudFrontLine(r: WebRequest, distDomain: string): string {
  const p = parts(cfTime(r));
  const cf = r.cf!;
  const secs = (r.durationMs / 1000).toFixed(3);
  const ttfb = (Math.max(1, r.durationMs - 1) / 1000).toFixed(3);
  const detailed = cf.result === 'Error' ? (r.waf?.action === 'BLOCK' ? 'Error' : 'OriginError') : cf.result;
  return [
    `${p.y}-${p.mo}-${p.d}`, `${p.h}:${p.mi}:${p.s}`, r.edge!.code, r.bytesOut, r.viewerIp, r.method, distDomain, cfEncode(r.path, true),
    r.status, cfEncode(r.referer === '-' ? '' : r.referer), cfEncode(r.ua), cfEncode(r.query, true), '-', cf.result, cf.id, r.host, 'https',
    r.bytesIn, secs, r.xff ?? '-', 'TLSv1.3', 'TLS_AES_128_GCM_SHA256', cf.result, 'HTTP/2.0', '-', '-', r.viewerPort, ttfb,
    detailed, r.contentType, r.bytesOut - 300 > 0 ? r.bytesOut - 300 : r.bytesOut, '-', '-',
  ].join('\t');
}

/**
 * One object per distribution per hour, named for the hour the requests happened in; late lines land in a
 * second object of the same hour, as CloudFront delivers them.
 */
export function cloudFrontPath(distId: string, ms: number, late: boolean, seed: string): string {
  const p = parts(ms);
  const hour = `${p.y}-${p.mo}-${p.d}-${p.h}`;
  return `cloudfront/${distId}.${hour}.${shortHash(`${seed}/${hour}/${late}`)}.gz`;
}

export function writeCloudFront(s: Scenario, out: Output): void {
  const { id, domain } = s.world.distribution;
  for (const r of s.requests) {
    if (!r.cf) continue;
    out.add('aws.cloudfront', cloudFrontPath(id, cfTime(r), r.cf.late, s.world.seed), cloudFrontLine(r, domain), CF_HEADER);
  }
}
