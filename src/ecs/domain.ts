import { parse } from 'tldts';
import { BoundedCache } from '../util/bounded-cache.js';

export interface DomainParts {
  domain: string;
  registered_domain?: string;
  subdomain?: string;
  top_level_domain?: string;
}

const cache = new BoundedCache<string, DomainParts | undefined>(20_000);

/**
 * Splits a host name with the public suffix list (ICANN and private sections, as ECS expects:
 * `dtest.cloudfront.net` → registered `cloudfront.net`, subdomain `dtest`, TLD `net`).
 * Host names are lower-cased and lose a trailing dot; IP literals return `undefined`.
 */
export function splitDomain(host: string | undefined | null): DomainParts | undefined {
  if (!host || host === '-') return undefined;
  const hit = cache.get(host);
  if (hit !== undefined || cache.has(host)) return hit;
  const result = compute(host);
  cache.set(host, result);
  return result;
}

function compute(raw: string): DomainParts | undefined {
  let host = raw.trim().toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (!host) return undefined;
  const p = parse(host, { allowPrivateDomains: false, extractHostname: false });
  if (p.isIp) return undefined;
  const parts: DomainParts = { domain: host };
  if (p.domain) parts.registered_domain = p.domain;
  if (p.subdomain) parts.subdomain = p.subdomain;
  if (p.publicSuffix) parts.top_level_domain = p.publicSuffix;
  return parts;
}

/** Normalizes a DNS name for joins: lower case, no trailing dot. */
export function normalizeHost(host: string | undefined | null): string | undefined {
  if (!host || host === '-') return undefined;
  let h = host.trim().toLowerCase();
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h || undefined;
}
