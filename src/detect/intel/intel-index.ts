import { INDICATOR_TYPES, ipv4ToInt, ipv6Hex, ipv6PrefixKey, maskIpv4, type Classified, type IndicatorType } from './values.js';

const TYPE_CODE = Object.fromEntries(INDICATOR_TYPES.map((t, i) => [t, i])) as Record<IndicatorType, number>;

export type FeedFormat = 'stix' | 'misp' | 'csv';

/** One loaded feed file and what became of its entries. */
export interface FeedInfo {
  /** Feed name: the file's base name (made unique when two files share one). */
  name: string;
  path: string;
  format: FeedFormat;
  indicators: number;
  /** Entries not indexed, counted by reason (`AND across objects`, `to_ids is false`…). */
  skipped: Record<string, number>;
  /** The first few skipped entries with their reason, for the summary. */
  examples: string[];
}

/** What a match reports about the indicator behind it. */
export interface IndicatorInfo {
  type: IndicatorType;
  /** As listed, normalized: `203.0.113.0/24`, `evil.example`, `https://x.example/a`, a lower-case hash. */
  value: string;
  feed: string;
  confidence?: number;
  /** STIX indicator id or MISP event id, when the feed has one. */
  reference?: string;
}

/**
 * The matching structure for threat-intel indicators, sized for millions of entries:
 * - hashes and URLs: one hash map each (key → indicator);
 * - domains: a hash map walked over the reversed labels of a name (`a.b.evil.example` probes
 *   `a.b.evil.example`, `b.evil.example`, `evil.example`, `example`), so a listed domain matches all
 *   its subdomains and nothing else (`notevil.example` never probes `evil.example`);
 * - IPs: buckets per prefix length of masked integers (IPv4) or masked hex prefixes (IPv6); a lookup
 *   probes each prefix length present, most specific first, so cost grows with the number of
 *   distinct prefix lengths (≤ 33 / 129), not with the number of ranges.
 * Indicators sharing a key (the same value in two feeds) are chained through `next`.
 */
export class IntelIndex {
  readonly feeds: FeedInfo[] = [];
  private readonly values: string[] = [];
  private readonly types: number[] = [];
  private readonly feedOf: number[] = [];
  private readonly confidences: number[] = [];
  private readonly refs: (string | undefined)[] = [];
  private readonly next: number[] = [];
  private readonly domains = new Map<string, number>();
  private readonly urls = new Map<string, number>();
  private readonly hashes = new Map<string, number>();
  private readonly v4 = new Map<number, Map<number, number>>();
  private readonly v6 = new Map<number, Map<string, number>>();
  private v4Lengths: number[] = [];
  private v6Lengths: number[] = [];
  /** The buckets in probe order (longest prefix first), so a lookup does not go through `v4`/`v6`. */
  private v4Probe: [number, Map<number, number>][] = [];
  private v6Probe: [number, Map<string, number>][] = [];
  /** Same value listed twice in one feed: indexed once. */
  duplicates = 0;

  get size(): number {
    return this.values.length;
  }

  get hasIps(): boolean {
    return this.v4Lengths.length + this.v6Lengths.length > 0;
  }
  get hasDomains(): boolean {
    return this.domains.size > 0;
  }
  get hasUrls(): boolean {
    return this.urls.size > 0;
  }
  get hasHashes(): boolean {
    return this.hashes.size > 0;
  }

  addFeed(info: Omit<FeedInfo, 'indicators' | 'skipped' | 'examples'>): number {
    this.feeds.push({ ...info, indicators: 0, skipped: {}, examples: [] });
    return this.feeds.length - 1;
  }

  skip(feed: number, reason: string, example?: string): void {
    const f = this.feeds[feed]!;
    f.skipped[reason] = (f.skipped[reason] ?? 0) + 1;
    if (f.examples.length < 5) f.examples.push(example ? `${reason}: ${example.length > 120 ? example.slice(0, 120) + '…' : example}` : reason);
  }

  /** Adds one indicator; returns false when the feed already listed it. */
  add(c: Classified, feed: number, confidence?: number, reference?: string): boolean {
    let map: Map<string, number> | Map<number, number>;
    let key: string | number;
    let display = c.value;
    if (c.type === 'ipv4') {
      const bits = c.prefix ?? 32;
      key = maskIpv4(ipv4ToInt(c.value), bits) | 0;
      map = this.v4.get(bits) ?? this.newBucket(this.v4, bits, 4);
      if (bits !== 32) display = `${c.value}/${bits}`;
    } else if (c.type === 'ipv6') {
      const bits = c.prefix ?? 128;
      key = ipv6PrefixKey(ipv6Hex(c.value)!, bits);
      map = this.v6.get(bits) ?? this.newBucket(this.v6, bits, 6);
      if (bits !== 128) display = `${c.value}/${bits}`;
    } else {
      key = c.value;
      map = c.type === 'domain' ? this.domains : c.type === 'url' ? this.urls : this.hashes;
    }
    const head = (map as Map<string | number, number>).get(key);
    for (let i = head ?? -1; i >= 0; i = this.next[i]!) {
      if (this.feedOf[i] === feed) {
        this.duplicates++;
        return false;
      }
    }
    const id = this.values.length;
    this.values.push(display);
    this.types.push(TYPE_CODE[c.type]);
    this.feedOf.push(feed);
    this.confidences.push(confidence ?? -1);
    this.refs.push(reference);
    this.next.push(head ?? -1);
    (map as Map<string | number, number>).set(key, id);
    this.feeds[feed]!.indicators++;
    return true;
  }

  info(id: number): IndicatorInfo {
    const out: IndicatorInfo = { type: INDICATOR_TYPES[this.types[id]!]!, value: this.values[id]!, feed: this.feeds[this.feedOf[id]!]!.name };
    const conf = this.confidences[id]!;
    if (conf >= 0) out.confidence = conf;
    const ref = this.refs[id];
    if (ref !== undefined) out.reference = ref;
    return out;
  }

  feedIndexOf(id: number): number {
    return this.feedOf[id]!;
  }

  /** Pushes the ids of every indicator covering `ip` (canonical text, as events carry it). */
  lookupIp(ip: string, out: number[]): void {
    const n = ipv4ToInt(ip);
    if (n >= 0) {
      // Keys are signed 32-bit (`| 0`): small integers in V8, cheaper to hash than doubles.
      for (const [bits, map] of this.v4Probe) this.chain(map.get(maskIpv4(n, bits) | 0), out);
      return;
    }
    if (!this.v6Probe.length || ip.indexOf(':') < 0) return;
    const hex = ipv6Hex(ip);
    if (!hex) return;
    for (const [bits, map] of this.v6Probe) this.chain(map.get(ipv6PrefixKey(hex, bits)), out);
  }

  /** `host` must be normalized (lower case, no trailing dot), as ECS domain fields are. */
  lookupDomain(host: string, out: number[]): void {
    let start = 0;
    for (;;) {
      this.chain(this.domains.get(start === 0 ? host : host.slice(start)), out);
      const dot = host.indexOf('.', start);
      if (dot < 0) return;
      start = dot + 1;
    }
  }

  lookupUrl(normalized: string, out: number[]): void {
    this.chain(this.urls.get(normalized), out);
  }

  lookupHash(lowerHex: string, out: number[]): void {
    this.chain(this.hashes.get(lowerHex), out);
  }

  private newBucket<K>(buckets: Map<number, Map<K, number>>, bits: number, version: 4 | 6): Map<K, number> {
    const m = new Map<K, number>();
    buckets.set(bits, m);
    if (version === 4) {
      this.v4Lengths = insertLength(this.v4Lengths, bits);
      this.v4Probe = this.v4Lengths.map((b) => [b, this.v4.get(b)!]);
    } else {
      this.v6Lengths = insertLength(this.v6Lengths, bits);
      this.v6Probe = this.v6Lengths.map((b) => [b, this.v6.get(b)!]);
    }
    return m;
  }

  private chain(head: number | undefined, out: number[]): void {
    for (let i = head ?? -1; i >= 0; i = this.next[i]!) if (out.indexOf(i) < 0) out.push(i);
  }
}

/** Prefix lengths, longest first (the most specific indicator is reported first). */
function insertLength(lengths: number[], bits: number): number[] {
  return [...lengths, bits].sort((a, b) => b - a);
}
