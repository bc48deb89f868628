import type { DnsQuery, EventRef, Incident, Scenario, WebRequest } from '../model.js';
import { iso } from '../writers/output.js';
import { ANOMALY_RULES, type AnomalyRuleKey } from '../../insights/anomaly/rules.js';

/** Built-in rules by file, as `{id, title}` (rules/builtin/*.yml). */
export const RULES = {
  burp: { id: 'dd3c1c55-0052-46b8-907a-0825154665c5', title: 'Burp Suite Use Against a Web Server' },
  bazarProxy: { id: 'dd40b1db-fa49-4770-afc8-63e33ca1bea1', title: 'Potential Bazar Loader User Agent Through the Web Proxy' },
  bazarWeb: { id: '8821cc80-03a8-477a-b6b6-b4820a2ee02a', title: 'Potential Bazar Loader User Agent Against a Web Server' },
  dnsTunnel: { id: 'ad10f75a-ba1e-4374-afae-11aca43ae465', title: 'Potential DNS Tunnel' },
  telegramDns: { id: 'e56e032f-013d-4927-8e3d-fcc19825f4e8', title: 'Telegram Bot API Lookup' },
  telegramProxy: { id: '5340987a-808d-47cf-b6bd-fa0c519b889f', title: 'Telegram Bot API Request Through the Web Proxy' },
  aitmProxy: { id: '6b6c92df-a910-4331-88a5-c4d4e3479e3a', title: 'Potential Azure AD Phishing Page (Adversary-in-the-Middle) Visited' },
  trailTamper: { id: '8766756a-c660-4910-bc5f-a1fe72115f56', title: 'AWS CloudTrail Logging Stopped, Deleted or Narrowed' },
  distChanged: { id: '33a0e9fa-aa46-4db1-bd6c-1ca38b778905', title: 'AWS CloudFront Distribution or Origin Access Changed' },
  // The single-event rule is the burst correlation's base rule and raises no alert of its own.
  rdpReject: { id: '8a479bf6-34ca-4088-88ab-4a9fe5dfde11', title: 'Inbound RDP or SSH Connection Rejected From the Internet' },
  rdpBurst: { id: '1fa2c55f-8f63-4daf-b30b-e5b59ac9b424', title: 'Burst of Rejected Inbound RDP or SSH Connections From One Internet Address' },
} as const;

/** ALB trace ids flattened to 32 hex characters, as the ALB and app formats store `trace.id`. */
export function flatTrace(traceId: string): string {
  const m = /Root=1-([0-9a-f]{8})-([0-9a-f]{24})/.exec(traceId);
  return m ? `${m[1]}${m[2]}` : traceId;
}

/** Every event one request leaves, hop by hop. */
export function requestRefs(r: WebRequest): EventRef[] {
  const refs: EventRef[] = [];
  if (r.cf) {
    refs.push({ dataset: 'aws.cloudfront', match: { 'http.request.id': r.cf.id } });
    refs.push({ dataset: 'aws.waf', match: { 'http.request.id': r.cf.id } });
  }
  if (r.origin) {
    refs.push({ dataset: 'aws.alb', match: { 'trace.id': flatTrace(r.origin.traceId) } });
    refs.push({ dataset: 'app.json', match: { 'http.request.id': r.cf!.id } });
  }
  if (r.user) {
    refs.push({ dataset: 'microsoft.defender', match: { 'source.ip': r.srcIp, 'source.port': r.srcPort } });
    if (r.route === 'zscaler') refs.push({ dataset: 'zscaler.zia', match: { 'source.ip': r.srcIp, 'source.port': r.srcPort } });
    if (r.route === 'direct') refs.push({ dataset: 'panw.panos', match: { 'source.ip': r.srcIp, 'source.port': r.srcPort } });
  }
  return refs;
}

export function dnsRefs(q: DnsQuery): EventRef[] {
  const match = { 'source.ip': q.user.laptop.ip, 'dns.question.name': q.name };
  return [{ dataset: 'cisco.umbrella', match }, { dataset: 'microsoft.defender', match }];
}

/** Unique refs (several requests of one connection share Defender/PAN rows). */
export function dedupe(refs: EventRef[]): EventRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const k = `${r.dataset}|${JSON.stringify(r.match)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function addIncident(
  s: Scenario, id: string, title: string, description: string, from: number, to: number, events: EventRef[], detections: Incident['detections'],
): void {
  s.incidents.push({ id, title, description, start: iso(from), end: iso(to), events: dedupe(events), detections });
}

/** A time inside the scenario at `fraction` of its length, so incidents land in any window. */
export function at(s: Scenario, fraction: number): number {
  return s.start + Math.floor((s.end - s.start) * fraction);
}

/** The CloudFront anomaly rules (post-ingest analysis, src/insights/anomaly/rules.ts) as `{id, title}`. */
export const ANOMALY = Object.fromEntries(Object.entries(ANOMALY_RULES).map(([k, r]) => [k, { id: r.id, title: r.title }])) as Record<AnomalyRuleKey, { id: string; title: string }>;
