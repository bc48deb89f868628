import ipaddr from 'ipaddr.js';
import { expectedAbsences, parseAddressFilter } from '../insights/vpcflow/never-logged.js';
import { datasetTable } from '../store/store.js';
import { COVERAGE_MS } from './coverage.js';
import { num, str, type Row } from './rows.js';
import type { SqlParams } from '../store/expressions.js';
import { firstRow, stationsOfHop, type TrailState } from './state.js';
import { station, STATIONS, type StationId } from './stations.js';
import { HOP_KINDS, type HopKind, type HopVerdict } from './types.js';
import type { HopDescription } from './hops/facts.js';
import { socket } from './hops/facts.js';

/** Who sent the request, as far as the logs tell: gaps on the client side depend on it. */
export type ClientKind = 'corporate' | 'corporate-nat' | 'internet';

export interface GapContext {
  s: TrailState;
  described: Map<HopKind, HopDescription>;
  client: ClientKind;
  /** Stations whose dataset holds any of their events in the window around the trail. */
  covered: Set<StationId>;
  /** Whether any CloudFront log has the trail's domain near its time (undefined: not asked). */
  served?: boolean;
  /** The first hop whose control stopped the request. */
  blockedAt?: HopKind;
}

export interface HopGap {
  verdict: HopVerdict;
  gap?: string;
}

const HOP_NAMES: Record<HopKind, string> = { endpoint: 'endpoint', dns: 'DNS', proxy: 'proxy', firewall: 'firewall', edge: 'CloudFront edge', waf: 'WAF', origin: 'origin' };
const CLIENT_HOPS: readonly HopKind[] = ['endpoint', 'dns', 'proxy', 'firewall'];

export function datasetsOf(hop: HopKind): string[] {
  return [...new Set(stationsFor(hop).map((st) => station(st).dataset))];
}

export function stationsFor(hop: HopKind): StationId[] {
  return STATIONS.filter((st) => st.hop === hop && !st.supporting).map((st) => st.id);
}

const has = (c: GapContext, hop: HopKind) => c.described.has(hop);
const domainOf = (c: GapContext) => c.s.facts.domain ?? 'the domain';
const clientIp = (c: GapContext) =>
  str(firstRow(c.s, ['endpoint', 'proxy-zscaler', 'proxy-umbrella', 'firewall', 'dns-umbrella', 'dns-defender']), 'source_ip') ?? str(firstRow(c.s, ['edge', 'waf']), 'network_forwarded_ip');
const viewer = (c: GapContext) => firstRow(c.s, ['waf', 'edge', 'origin-app']);

const dnsOnly = (c: GapContext) => has(c, 'dns') && !(['endpoint', 'proxy', 'firewall', 'edge', 'waf', 'origin'] as const).some((h) => has(c, h));
const covers = (c: GapContext, hop: HopKind) => stationsFor(hop).some((id) => c.covered.has(id));

function noLogs(c: GapContext, hop: HopKind): string | undefined {
  if (covers(c, hop)) return undefined;
  const datasets = datasetsOf(hop);
  const present = datasets.filter((d) => c.s.ctx.catalog.columns.has(datasetTable(d)));
  const absent = datasets.filter((d) => !present.includes(d));
  if (!present.length) return `no ${HOP_NAMES[hop]} logs from ${datasets.join(', ')} in this store`;
  return `no ${HOP_NAMES[hop]} logs from ${present.join(', ')} for this window${absent.length ? ` (none from ${absent.join(', ')} in this store)` : ''}`;
}

/** Rules for a hop without events, first match wins: [hops, verdict, explanation or undefined when it does not apply]. */
const MISSING_RULES: readonly (readonly [readonly HopKind[], HopVerdict, (c: GapContext, hop: HopKind) => string | undefined])[] = [
  [HOP_KINDS, 'not-reached', (c, hop) => (c.blockedAt && HOP_KINDS.indexOf(hop) > HOP_KINDS.indexOf(c.blockedAt) ? `not reached: the request was stopped at the ${HOP_NAMES[c.blockedAt]}` : undefined)],
  [CLIENT_HOPS, 'missing', (c) => (c.client === 'internet' ? `internet viewer ${str(viewer(c), 'source_ip') ?? '?'}${str(viewer(c), 'source_geo_country_iso_code') ? ` (${str(viewer(c), 'source_geo_country_iso_code')})` : ''}: outside the enterprise, so no endpoint, DNS, proxy or firewall logs to follow` : undefined)],
  [['endpoint', 'proxy', 'firewall', 'edge', 'waf', 'origin'], 'missing', (c) => {
    if (!dnsOnly(c) || c.described.get('dns')!.facts.addresses) return undefined;
    const f = c.described.get('dns')!.facts;
    return `DNS only: the ${f.type ?? ''} lookup of ${domainOf(c)} returned no address (${f['response code'] ?? 'no answer'}${f.answers ? `, answer ${f.answers}` : ''}), so no connection could follow`;
  }],
  [['endpoint'], 'blocked', (c) =>
    dnsOnly(c) ? `blocked on the endpoint: ${domainOf(c)} was resolved (${c.described.get('dns')!.facts.addresses}) but no connection followed (no endpoint, proxy or firewall record)` : undefined],
  [['proxy'], 'bypassed', (c) => {
    const fw = firstRow(c.s, ['firewall']);
    if (!fw || !covers(c, 'proxy')) return undefined;
    return `proxy bypassed: ${socket(fw, 'source_ip', 'source_port')} went straight out through the firewall (session ${str(fw, 'panw_panos_session_id') ?? '?'}, NAT ${socket(fw, 'source_nat_ip', 'source_nat_port') ?? 'none'}); the proxy has no record of it`;
  }],
  [['firewall'], 'missing', (c) => {
    if (!has(c, 'proxy')) return undefined;
    const ep = firstRow(c.s, ['endpoint']);
    const tunnel = ep ? socket(ep, 'destination_ip', 'destination_port') : undefined;
    return `the request went through the proxy: the firewall sees only the connection to the proxy${tunnel ? ` (${tunnel})` : ''}, and no firewall session for it is stored`;
  }],
  [['firewall'], 'missing', (c) => (c.client === 'corporate-nat' ? `the viewer address ${str(viewer(c), 'source_ip')} is the firewall's NAT address, but no session matched port ${num(viewer(c), 'source_port') ?? '(not logged)'} at this time` : undefined)],
  [['edge'], 'missing', (c) => {
    const id = str(firstRow(c.s, ['waf', 'origin-app']), 'http_request_id');
    return id && c.covered.has('edge') ? `no CloudFront line for request id ${id} (yet): CloudFront delivers standard logs late, some lines hours after the request; the ${has(c, 'waf') ? 'WAF' : 'origin'} saw it` : undefined;
  }],
  [['edge', 'waf', 'origin'], 'missing', (c) => (c.served === false ? `${domainOf(c)} is not served through the CloudFront distributions in this store (no CloudFront log for it within an hour)` : undefined)],
  [['origin'], 'not-reached', (c) => {
    const edge = firstRow(c.s, ['edge']);
    const result = str(edge, 'aws_cloudfront_edge_result_type');
    return result === 'Hit' || result === 'RefreshHit' ? `served from the CloudFront cache (${result} at ${str(edge, 'aws_cloudfront_edge_location') ?? 'the edge'}): the request never reached the origin` : undefined;
  }],
  [['dns'], 'missing', (c) => (covers(c, 'dns') && clientIp(c) ? `no lookup of ${domainOf(c)} from ${clientIp(c)} in the hour before: the answer came from a cache (browser, OS or resolver)` : undefined)],
  [HOP_KINDS, 'missing', (c, hop) => noLogs(c, hop)],
  [HOP_KINDS, 'missing', (_c, hop) => `no ${HOP_NAMES[hop]} record matched this request (${datasetsOf(hop).join(', ')} have logs for this window)`],
];

export function missingHop(c: GapContext, hop: HopKind): HopGap {
  for (const [hops, verdict, explain] of MISSING_RULES) {
    if (!hops.includes(hop)) continue;
    const gap = explain(c, hop);
    if (gap) return { verdict, gap };
  }
  return { verdict: 'missing' };
}

/** Gaps on hops that do have events: the WAF ending the trail, an origin without its VPC flow. */
export function presentHopGap(c: GapContext, hop: HopKind, d: HopDescription): string | undefined {
  if (hop === 'waf' && d.verdict === 'blocked') return `the trail ends at the WAF: ${d.summary}`;
  if (hop === 'proxy' && d.verdict === 'blocked') return `the trail ends at the proxy: ${d.summary}`;
  if (hop === 'firewall' && d.verdict === 'blocked') return `the trail ends at the firewall: ${d.summary}`;
  if (hop === 'endpoint' && d.verdict === 'blocked') return `blocked on the endpoint: ${d.summary}`;
  if (hop === 'origin') return originGap(c);
  return undefined;
}

function originGap(c: GapContext): string | undefined {
  const { s } = c;
  const alb = s.found.get('origin-alb')?.primary;
  const app = s.found.get('origin-app')?.primary;
  if (!alb && app) return `no ALB access log for trace id ${str(app, 'trace_id') ?? '(none)'}${c.covered.has('origin-alb') ? '' : ': no logs from aws.alb for this window'}`;
  if (!alb || s.found.has('origin-flow')) return undefined;
  if (!c.covered.has('origin-flow')) return 'no logs from aws.vpcflow for this window';
  const node = s.facts.albNode;
  const target = str(alb, 'destination_ip');
  const never = [node, target].filter((ip): ip is string => !!ip).flatMap((ip) => {
    try {
      return expectedAbsences({ dst: parseAddressFilter(ip) });
    } catch {
      return [];
    }
  });
  if (never.length) return never.join(' ');
  return `no VPC flow record for ${node ?? 'the ALB node'} → ${socket(alb, 'destination_ip', 'destination_port') ?? 'the target'} in this window`;
}

const INTERNAL_RANGES = new Set(['private', 'loopback', 'linkLocal', 'uniqueLocal', 'carrierGradeNat']);

/** An address inside an organization (RFC 1918, ULA, CGNAT …); documentation ranges count as public here. */
export function isInternalIp(ip: string): boolean {
  try {
    return INTERNAL_RANGES.has(ipaddr.process(ip).range());
  } catch {
    return false;
  }
}

/** Corporate when any client-side hop or a private forwarded address shows it; NAT when the viewer is the firewall's NAT address. */
export async function classifyClient(s: TrailState, present: (hop: HopKind) => boolean): Promise<ClientKind> {
  if (CLIENT_HOPS.some(present)) return 'corporate';
  const v = firstRow(s, ['edge', 'waf', 'origin-app']);
  const ip = str(v, 'source_ip');
  const forwarded = str(v, 'network_forwarded_ip');
  if (!ip || isInternalIp(ip) || (forwarded && forwarded !== ip && isInternalIp(forwarded))) return 'corporate';
  if (!s.ctx.catalog.columns.get(datasetTable('panw.panos'))?.has('source_nat_ip')) return 'internet';
  s.ctx.queries++;
  const { dialect } = s.ctx.store;
  const params: SqlParams = { ip };
  const r = await s.ctx.store.query(
    `SELECT 1 FROM ${dialect.quoteIdent(datasetTable('panw.panos'))} WHERE source_nat_ip = $ip AND "timestamp" BETWEEN ${dialect.fn.timeParam(params, 't0', s.time - COVERAGE_MS)} AND ${dialect.fn.timeParam(params, 't1', s.time + COVERAGE_MS)} LIMIT 1`,
    params,
  );
  return r.rows.length ? 'corporate-nat' : 'internet';
}

/** Whether CloudFront logged the domain within an hour of the trail. */
export async function servedByCloudFront(s: TrailState): Promise<boolean | undefined> {
  const domain = s.facts.domain;
  const table = datasetTable('aws.cloudfront');
  if (!domain || !s.ctx.catalog.columns.get(table)?.has('url_domain')) return undefined;
  s.ctx.queries++;
  const { dialect } = s.ctx.store;
  const params: SqlParams = { domain };
  const r = await s.ctx.store.query(
    `SELECT 1 FROM ${dialect.quoteIdent(table)} WHERE url_domain = $domain AND "timestamp" BETWEEN ${dialect.fn.timeParam(params, 't0', s.time - 3_600_000)} AND ${dialect.fn.timeParam(params, 't1', s.time + 3_600_000)} LIMIT 1`,
    params,
  );
  return r.rows.length > 0;
}

export function hopRows(s: TrailState, hop: HopKind): Row[] {
  const seen = new Set<string>();
  const out: Row[] = [];
  for (const f of stationsOfHop(s, hop)) {
    for (const r of f.rows) {
      const id = String(r.event_id ?? '');
      if (seen.has(id)) continue;
      seen.add(id);
      out.push(r);
    }
  }
  return out;
}
