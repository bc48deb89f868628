import { getPath, type EcsEvent } from '../../ecs/event.js';
import type { EventMatcher, Match, RuleMeta } from '../types.js';
import type { IntelIndex } from './intel-index.js';
import { normalizeUrl } from './values.js';

type Lookup = 'ip' | 'domain' | 'url' | 'hash';

/** ECS fields checked against the index, and how (data, not branches). */
export const INTEL_FIELDS: readonly { field: string; lookup: Lookup }[] = [
  ...['source.ip', 'destination.ip', 'source.nat.ip', 'destination.nat.ip', 'client.ip', 'network.forwarded_ip', 'related.ip', 'dns.resolved_ip'].map((field) => ({ field, lookup: 'ip' as const })),
  ...['url.domain', 'destination.domain', 'dns.question.name', 'tls.client.server_name'].map((field) => ({ field, lookup: 'domain' as const })),
  ...['url.full', 'url.original'].map((field) => ({ field, lookup: 'url' as const })),
  ...['md5', 'sha1', 'sha256', 'sha512'].flatMap((h) => [`file.hash.${h}`, `process.hash.${h}`]).map((field) => ({ field, lookup: 'hash' as const })),
  { field: 'related.hash', lookup: 'hash' },
];

/** Rule id of a feed's matches: one rule per feed, so alerts and suppression are per feed. */
export function intelRuleId(feedName: string): string {
  return `intel:${feedName}`;
}

/** The rule each loaded feed stands for. */
export function intelRules(index: IntelIndex): RuleMeta[] {
  return index.feeds.map((f) => ({
    id: intelRuleId(f.name),
    title: `Threat intel indicator match (${f.name})`,
    level: 'high',
    description: `An event field matched an indicator listed in the ${f.format.toUpperCase()} feed ${f.name}.`,
    tags: ['threat-intel'],
    kind: 'intel',
    path: f.path,
  }));
}

/**
 * Worker-side intel matching: every field of INTEL_FIELDS that the index has indicators for is
 * looked up; each indicator hit once per event becomes a Match naming the indicator, its feed, its
 * confidence and reference, and the field that matched. The match key (indicator) drives suppression.
 */
export class IntelMatcher implements EventMatcher {
  private readonly fields: { parts: string[]; field: string; lookup: Lookup }[];
  private readonly ruleIds: string[];
  // Logs repeat the same client IPs and host names over and over: remembering recent lookups
  // (hits and misses) skips most prefix-length probes and label walks. Bounded; cleared when full.
  private readonly ipCache = new Map<string, readonly number[]>();
  private readonly domainCache = new Map<string, readonly number[]>();

  constructor(private readonly index: IntelIndex) {
    const wanted: Record<Lookup, boolean> = { ip: index.hasIps, domain: index.hasDomains, url: index.hasUrls, hash: index.hasHashes };
    this.fields = INTEL_FIELDS.filter((f) => wanted[f.lookup]).map((f) => ({ ...f, parts: f.field.split('.') }));
    this.ruleIds = index.feeds.map((f) => intelRuleId(f.name));
  }

  match(event: EcsEvent): Match[] {
    let matches: Match[] | undefined;
    const hits: number[] = [];
    for (const f of this.fields) {
      const v = getPath(event, f.parts);
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) {
        for (const item of v) if (typeof item === 'string') matches = this.probe(f, item, event, hits, matches);
      } else if (typeof v === 'string') matches = this.probe(f, v, event, hits, matches);
    }
    return matches ?? NONE;
  }

  private probe(f: { field: string; lookup: Lookup }, value: string, event: EcsEvent, hits: number[], matches: Match[] | undefined): Match[] | undefined {
    const seen = hits.length;
    switch (f.lookup) {
      case 'ip':
        merge(cached(this.ipCache, value, (out) => this.index.lookupIp(value, out)), hits);
        break;
      case 'domain':
        merge(cached(this.domainCache, value, (out) => this.index.lookupDomain(value.toLowerCase(), out)), hits);
        break;
      case 'url': {
        const url = normalizeUrl(value);
        if (url) this.index.lookupUrl(url, hits);
        break;
      }
      case 'hash':
        this.index.lookupHash(value.toLowerCase(), hits);
        break;
    }
    for (let i = seen; i < hits.length; i++) {
      const id = hits[i]!;
      const indicator = this.index.info(id);
      (matches ??= []).push({
        ruleId: this.ruleIds[this.index.feedIndexOf(id)]!,
        event,
        key: { 'threat.indicator.type': indicator.type, 'threat.indicator.value': indicator.value },
        details: { indicator, matched: { field: f.field, value } },
      });
    }
    return matches;
  }
}

const NONE: Match[] = [];
const NO_IDS: readonly number[] = [];
const CACHE_ENTRIES = 50_000;

function cached(cache: Map<string, readonly number[]>, value: string, lookup: (out: number[]) => void): readonly number[] {
  let ids = cache.get(value);
  if (ids === undefined) {
    const out: number[] = [];
    lookup(out);
    ids = out.length ? out : NO_IDS;
    if (cache.size >= CACHE_ENTRIES) cache.clear();
    cache.set(value, ids);
  }
  return ids;
}

function merge(ids: readonly number[], hits: number[]): void {
  for (const id of ids) if (hits.indexOf(id) < 0) hits.push(id);
}
