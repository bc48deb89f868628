import { readFileSync } from 'node:fs';
import { Reader, type Response } from 'maxmind';

/**
 * IP → ISO country from `@ip-location-db/geo-whois-asn-country-mmdb` (GeoFeed + RIR whois + ASN
 * country, records `{country_code}`). The package has one file per address family: a reader for
 * the IPv4 file given an IPv6 address reads the wrong bits and answers nonsense, so callers route
 * by family (`CountryReaders.lookup`).
 */
export class CountryReader {
  private readonly reader: Reader<Response>;

  constructor(path: string) {
    this.reader = new Reader<Response>(readFileSync(path));
  }

  get(ip: string): string | undefined {
    try {
      const code = (this.reader.get(ip) as { country_code?: unknown } | null)?.country_code;
      return typeof code === 'string' && /^[A-Z]{2}$/.test(code) ? code : undefined;
    } catch {
      return undefined;
    }
  }
}
