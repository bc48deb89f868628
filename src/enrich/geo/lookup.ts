import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { canonicalIp, ipInCidr, ipVersion, isPrivateIp, parseCidr } from '../../ecs/ip.js';
import { BoundedCache } from '../../util/bounded-cache.js';
import { loadTable, lookupIpv4, lookupIpv6, type AsnTable } from './asn-ranges.js';
import { CountryReader } from './country.js';

/** What is known about one address, and where each part came from. */
export interface IpGeo {
  country?: string;
  asn?: number;
  asName?: string;
  /** `networks` (the user's override file) or `database` (the offline databases). */
  source?: 'networks' | 'database';
}

/** A user-supplied network: everything in `cidr` belongs to this ASN and/or country. */
export interface NetworkOverride {
  cidr: string;
  range: ReturnType<typeof parseCidr>;
  asn?: number;
  asName?: string;
  country?: string;
}

const require = createRequire(import.meta.url);

/** The shipped files; resolved through the packages so a moved node_modules still works. Nothing is fetched. */
export const GEO_FILES = {
  asnIpv4: () => require.resolve('@ip-location-db/asn/asn-ipv4-num.csv'),
  asnIpv6: () => require.resolve('@ip-location-db/asn/asn-ipv6.csv'),
  countryIpv4: () => require.resolve('@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country-ipv4.mmdb'),
  countryIpv6: () => require.resolve('@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country-ipv6.mmdb'),
};

/** Where the data comes from, for reports and the README: the licences require the credit. */
export const GEO_ATTRIBUTION =
  'ASN: @ip-location-db/asn (RouteViews, RIR data by NRO, DB-IP ASN Lite — CC BY 4.0, routeviews.org, db-ip.com); ' +
  'country: @ip-location-db/geo-whois-asn-country (GeoFeed, RIR whois/ASN data by NRO — CC BY 4.0, nro.net)';

/**
 * `cidr,asn,as_name,country` lines (header optional, `#` comments): networks the public databases
 * do not know or get wrong — corporate egress, partners, private and documentation ranges. Bad lines
 * are reported with their number, never silently dropped.
 */
export function parseNetworks(text: string, origin = 'networks'): { networks: NetworkOverride[]; errors: string[] } {
  const networks: NetworkOverride[] = [];
  const errors: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || (i === 0 && /^cidr\s*,/i.test(line))) return;
    const [cidr = '', asnText = '', asName = '', country = ''] = line.split(',').map((s) => s.trim());
    let range: NetworkOverride['range'];
    try {
      range = parseCidr(cidr);
    } catch {
      errors.push(`${origin}:${i + 1}: expected a CIDR (e.g. 192.0.2.0/24) in the first column, got '${cidr.slice(0, 60)}'`);
      return;
    }
    const asn = asnText.replace(/^AS/i, '');
    if (asn && !/^\d{1,10}$/.test(asn)) {
      errors.push(`${origin}:${i + 1}: expected an AS number (64511 or AS64511) in the second column, got '${asnText.slice(0, 60)}'`);
      return;
    }
    if (country && !/^[A-Za-z]{2}$/.test(country)) {
      errors.push(`${origin}:${i + 1}: expected a two-letter ISO country code in the fourth column, got '${country.slice(0, 60)}'`);
      return;
    }
    const n: NetworkOverride = { cidr, range };
    if (asn) n.asn = Number(asn);
    if (asName) n.asName = asName;
    if (country) n.country = country.toUpperCase();
    networks.push(n);
  });
  // Most specific first, so a /28 inside a listed /24 wins.
  networks.sort((a, b) => b.range[1] - a.range[1]);
  return { networks, errors };
}

export function loadNetworks(path: string): { networks: NetworkOverride[]; errors: string[] } {
  return parseNetworks(readFileSync(path, 'utf8'), path);
}

/**
 * IP → country and ASN from the offline databases, with an optional override list in front. Each
 * table loads on first use (the IPv6 ASN table only when an IPv6 address is looked up), answers
 * are memoized in a bounded cache. One process-wide instance (`sharedGeo`) so ingest and the views
 * load the files once.
 */
export class GeoLookup {
  private asn4: AsnTable | undefined;
  private asn6: AsnTable | undefined;
  private country4: CountryReader | undefined;
  private country6: CountryReader | undefined;
  private readonly cache = new BoundedCache<string, IpGeo>(100_000);

  constructor(private readonly networks: readonly NetworkOverride[] = []) {}

  lookup(value: string): IpGeo {
    const ip = canonicalIp(value);
    if (!ip) return {};
    const hit = this.cache.get(ip);
    if (hit) return hit;
    const geo = this.fromNetworks(ip) ?? this.fromDatabase(ip);
    this.cache.set(ip, geo);
    return geo;
  }

  private fromNetworks(ip: string): IpGeo | undefined {
    for (const n of this.networks) {
      if (!ipInCidr(ip, n.range)) continue;
      const geo: IpGeo = { source: 'networks' };
      if (n.asn !== undefined) geo.asn = n.asn;
      if (n.asName) geo.asName = n.asName;
      if (n.country) geo.country = n.country;
      return geo;
    }
    return undefined;
  }

  private fromDatabase(ip: string): IpGeo {
    // Private, documentation and other non-routable ranges belong to no one; the databases still
    // carry stray rows for some of them (2001:db8::/32 → JP), which must not become a viewer country.
    if (isPrivateIp(ip)) return {};
    const v6 = ipVersion(ip) === 'ipv6';
    const country = v6 ? (this.country6 ??= new CountryReader(GEO_FILES.countryIpv6())).get(ip) : (this.country4 ??= new CountryReader(GEO_FILES.countryIpv4())).get(ip);
    const as = v6 ? lookupIpv6((this.asn6 ??= loadTable(GEO_FILES.asnIpv6(), 'ipv6')), ip) : lookupIpv4((this.asn4 ??= loadTable(GEO_FILES.asnIpv4(), 'ipv4')), ip);
    const geo: IpGeo = {};
    if (country) geo.country = country;
    if (as) {
      geo.asn = as.number;
      if (as.name) geo.asName = as.name;
    }
    if (country || as) geo.source = 'database';
    return geo;
  }
}

let shared: GeoLookup | undefined;

/** The process-wide lookup over the shipped databases (no overrides). */
export function sharedGeo(): GeoLookup {
  return (shared ??= new GeoLookup());
}
