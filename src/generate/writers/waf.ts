import { ACCOUNT } from '../world.js';
import type { Scenario, WebRequest } from '../model.js';
import { parts, shortHash, windowStamp, windowStart, type Output } from './output.js';

/** WAF sees the request before CloudFront answers. */
export const wafTime = (r: WebRequest) => r.t + 2;

export function wafRecord(r: WebRequest, s: Scenario): Record<string, unknown> {
  const w = r.waf!;
  const { distribution } = s.world;
  const headers = [{ name: 'Host', value: r.host }, { name: 'User-Agent', value: r.ua }];
  if (r.referer !== '-') headers.push({ name: 'Referer', value: r.referer });
  if (r.xff) headers.push({ name: 'X-Forwarded-For', value: r.xff });
  const details = w.conditionType ? [{ conditionType: w.conditionType, location: w.location ?? 'QUERY_STRING', matchedData: w.matchedData ?? [] }] : [];
  const rec: Record<string, unknown> = {
    timestamp: wafTime(r), formatVersion: 1,
    webaclId: `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/webacl/${distribution.webAcl}/${distribution.webAclId}`,
    terminatingRuleId: w.ruleId, terminatingRuleType: w.ruleType, action: w.action, terminatingRuleMatchDetails: details,
    httpSourceName: 'CF', httpSourceId: distribution.id, ruleGroupList: [], rateBasedRuleList: [], nonTerminatingMatchingRules: [],
    requestHeadersInserted: null, responseCodeSent: w.action === 'BLOCK' ? 403 : null,
    httpRequest: {
      clientIp: r.viewerIp, country: w.country, headers, uri: r.path, args: r.query, httpVersion: 'HTTP/2.0', httpMethod: r.method,
      requestId: r.cf!.id, scheme: 'https', host: r.host,
    },
    labels: w.action === 'BLOCK' ? [{ name: `awswaf:managed:aws:${w.conditionType === 'XSS' ? 'core-rule-set:CrossSiteScripting_QueryArguments' : 'sql-database:SQLi_QueryArguments'}` }] : [],
  };
  if (w.asn !== undefined) rec.clientAsn = String(w.asn);
  return rec;
}

export function writeWaf(s: Scenario, out: Output): void {
  const acl = s.world.distribution.webAcl;
  for (const r of s.requests) {
    if (!r.waf || !r.cf) continue;
    const t = wafTime(r);
    const p = parts(windowStart(t, 5));
    const stamp = windowStamp(t, 5);
    // CloudFront-scoped ACLs log under the "cloudfront" region segment.
    const path = `waf/aws-waf-logs-corp-edge/AWSLogs/${ACCOUNT}/WAFLogs/cloudfront/${acl}/${p.y}/${p.mo}/${p.d}/${p.h}/${p.mi}/${ACCOUNT}_waflogs_cloudfront_${acl}_${stamp}_${shortHash(s.world.seed + stamp, 8, '0123456789abcdef')}.log.gz`;
    out.add('aws.waf', path, JSON.stringify(wafRecord(r, s)));
  }
}
