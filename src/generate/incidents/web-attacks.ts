import type { Rng } from '../random.js';
import { appRequest, BROWSER_UAS } from '../traffic.js';
import type { Scenario, WebRequest } from '../model.js';
import { addIncident, ANOMALY, at, requestRefs, RULES } from './common.js';

/** [path, query, WAF verdict (condition type) or undefined when it passes]. */
const BURP_PROBES: readonly (readonly [string, string, string | undefined])[] = [
  ['/api/items', "page=1'%20OR%20'1'='1", 'SQL_INJECTION'],
  ['/api/items', 'page=1%20UNION%20SELECT%20username,password%20FROM%20users--', 'SQL_INJECTION'],
  ['/search', 'q=%3Cscript%3Ealert(document.domain)%3C/script%3E', 'XSS'],
  ['/search', 'q=%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E', 'XSS'],
  ['/api/items', 'callback=http://x7k2.oastify.com/', undefined],
  ['/.git/config', '', undefined],
  ['/admin', 'debug=true', undefined],
  ['/api/items/1042', 'fields=../../etc/passwd', undefined],
];

/** A Burp Suite scan from an internet address: WAF blocks the SQLi/XSS probes, the rest reach the app. */
export function burpScan(s: Scenario, rng: Rng): void {
  const from = at(s, 0.3);
  const ip = '192.0.2.150';
  const edge = s.world.edges[0]!;
  const reqs: WebRequest[] = [];
  for (let i = 0; i < 48; i++) {
    const [path, query, condition] = BURP_PROBES[i % BURP_PROBES.length]!;
    const r = appRequest(s.world, rng, from + i * 4_000, { route: 'internet', viewerIp: ip, viewerPort: rng.int(40000, 60000) }, edge, {
      method: 'GET', path, query, ua: BROWSER_UAS[0]!, referer: 'http://burpsuite/', cacheable: false, contentType: 'text/html', status: 404, incident: 'burp-scan',
    });
    if (condition) {
      r.status = 403;
      r.cf!.result = 'Error';
      delete r.origin;
      r.durationMs = 2;
      r.waf = {
        action: 'BLOCK', ruleId: condition === 'XSS' ? 'AWS-AWSManagedRulesCommonRuleSet' : 'AWS-AWSManagedRulesSQLiRuleSet', ruleType: 'MANAGED_RULE_GROUP',
        conditionType: condition, location: 'QUERY_STRING', matchedData: decodeURIComponent(query).split(/[\s=]/).slice(0, 3), country: 'NL',
      };
    } else r.waf!.country = 'NL';
    reqs.push(r);
  }
  s.requests.push(...reqs);
  addIncident(s, 'burp-scan', 'Burp Suite scan against app.example.com', `Burp Suite's browser (Referer http://burpsuite/) probes the app from ${ip}; WAF blocks the SQLi and XSS probes, the others reach the origin and get 404.`,
    from, from + 48 * 4_000, reqs.flatMap(requestRefs), [RULES.burp, ANOMALY.scanner]);
}

/** One ASN floods the app; the WAF rate-based rule starts blocking after the first hundred requests. */
export function asnFlood(s: Scenario, rng: Rng): void {
  const from = at(s, 0.55);
  const edge = s.world.edges[0]!;
  const reqs: WebRequest[] = [];
  for (let i = 0; i < 400; i++) {
    const ip = `192.0.2.${160 + (i % 16)}`;
    const r = appRequest(s.world, rng, from + i * 300, { route: 'internet', viewerIp: ip, viewerPort: rng.int(1024, 65535) }, edge, {
      method: 'GET', path: '/api/items', query: `page=${i % 50}`, ua: 'python-requests/2.31.0', cacheable: false, contentType: 'application/json', incident: 'asn-flood',
    });
    r.waf = { action: 'ALLOW', ruleId: 'Default_Action', ruleType: 'REGULAR', country: 'VN', asn: 64511 };
    if (i >= 100) {
      r.status = 403;
      r.cf!.result = 'Error';
      delete r.origin;
      r.durationMs = 1;
      r.waf = { action: 'BLOCK', ruleId: 'RateLimitPerIP', ruleType: 'RATE_BASED', country: 'VN', asn: 64511 };
    }
    reqs.push(r);
  }
  s.requests.push(...reqs);
  addIncident(s, 'asn-flood', 'Request flood from AS64511', '400 API requests in two minutes from 16 addresses of one ASN; the WAF rate-based rule blocks after the first 100.',
    from, from + 400 * 300, reqs.flatMap(requestRefs), [ANOMALY.asnOutlier, ANOMALY.volumeSpike, ANOMALY.newCountry]);
}

/** The origin fails for ten minutes: most CloudFront misses come back 502/503. */
export function originErrors(s: Scenario, rng: Rng): void {
  const from = at(s, 0.7);
  const to = from + 600_000;
  const hit: WebRequest[] = [];
  for (const r of s.requests) {
    if (r.t < from || r.t >= to || !r.origin || r.incident || !rng.chance(0.7)) continue;
    const status = rng.pick([502, 503, 503, 500]);
    r.status = status;
    r.origin.status = status;
    r.cf!.result = 'Error';
    r.incident = 'origin-5xx';
    hit.push(r);
  }
  addIncident(s, 'origin-5xx', '5xx error spike at the origin', 'For ten minutes the app targets time out on the database: most requests CloudFront forwards fail with 5xx.',
    from, to, hit.flatMap(requestRefs), [ANOMALY.errorSpike]);
}
