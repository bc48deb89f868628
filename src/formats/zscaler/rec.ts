import type { EcsEvent, EcsObject, EcsValue } from '../../ecs/event.js';
import { setOwn, setPath } from '../../ecs/event.js';
import { canonicalIp, ipVersion } from '../../ecs/ip.js';
import { identityToEcs, normalizeIdentity, type Identity } from '../../ecs/identity.js';
import { BoundedCache } from '../../util/bounded-cache.js';
import type { ParserContext } from '../format.js';
import type { FieldErrors } from '../shared/field-errors.js';
import { eventSkeleton } from '../shared/skeleton.js';
import type { FeedSpec } from './feeds.js';
import { TYPED_PATHS } from './fields.js';
import { clip } from '../shared/reason.js';
export { applyAction } from '../shared/action.js';

export const DATASET = 'zscaler.zia';

const INTEGER = /^-?\d+$/;
const NUMBER = /^-?\d+(\.\d+)?$/;

/** Writes a dotted ECS path (setPath splits and caches paths). */
export const put = setPath;


/**
 * Typed access to an NSS record's values; remembers which keys a mapping consumed. A value that is
 * not of the expected kind is left out and noted in `errors` (shared/field-errors.ts).
 */
export class Rec {
  readonly used = new Set<string>();

  constructor(
    readonly values: Map<string, string | EcsObject>,
    readonly raw: string,
    readonly errors: FieldErrors,
    /** Canonical name → the key as the record wrote it (aliases.ts), for notes. */
    private readonly written?: Map<string, string>,
  ) {}

  /** The first of `keys` holding a string value. */
  get(...keys: string[]): string | undefined {
    for (const k of keys) {
      const v = this.values.get(k);
      if (typeof v === 'string') {
        this.used.add(k);
        return v;
      }
    }
    return undefined;
  }

  private first(keys: string[]): [string, string] | undefined {
    for (const k of keys) {
      const v = this.values.get(k);
      if (typeof v === 'string') {
        this.used.add(k);
        return [k, v];
      }
    }
    return undefined;
  }

  /** Notes `key`'s value as left out; the key is named as the record wrote it. */
  drop(key: string, value: string, expected: string): undefined {
    const name = this.written?.get(key) ?? key;
    return this.errors.drop(name, `${name} '${clip(value)}' ${expected}`);
  }

  ip(...keys: string[]): string | undefined {
    const hit = this.first(keys);
    if (!hit) return undefined;
    return canonicalIp(hit[1]) ?? this.drop(hit[0], hit[1], 'is not an IP address');
  }

  long(...keys: string[]): number | undefined {
    const hit = this.first(keys);
    if (!hit) return undefined;
    // Beyond 2^53 a double is no longer exact, and beyond 2^63 the store cannot hold it at all.
    const n = Number(hit[1]);
    return INTEGER.test(hit[1]) && Number.isSafeInteger(n) ? n : this.drop(hit[0], hit[1], `is not a whole number (up to ${Number.MAX_SAFE_INTEGER})`);
  }

  number(...keys: string[]): number | undefined {
    const hit = this.first(keys);
    if (!hit) return undefined;
    const n = Number(hit[1]);
    return NUMBER.test(hit[1]) && Number.isFinite(n) ? n : this.drop(hit[0], hit[1], 'is not a number');
  }

  port(...keys: string[]): number | undefined {
    const hit = this.first(keys);
    if (!hit) return undefined;
    const n = Number(hit[1]);
    return INTEGER.test(hit[1]) && n >= 0 && n <= 65535 ? n : this.drop(hit[0], hit[1], 'is not a port (0-65535)');
  }

  /** Yes/No, true/false, 1/0 → boolean; any other value stays unconsumed (kept by copyRest). */
  bool(...keys: string[]): boolean | undefined {
    const hit = this.first(keys);
    if (!hit) return undefined;
    const v = hit[1].toLowerCase();
    if (v === 'yes' || v === 'true' || v === '1') return true;
    if (v === 'no' || v === 'false' || v === '0') return false;
    this.used.delete(hit[0]);
    return undefined;
  }
}

/** How a copied value is read: as written, lower/upper-cased, or typed. */
export type Kind = 'keyword' | 'lower' | 'upper' | 'long' | 'number' | 'ip' | 'port' | 'bool';

/** [NSS field names (first present wins), target path, kind]: most of every mapping is this table. */
export type Copy = readonly [readonly string[], string, Kind?];

export function applyCopies(event: EcsEvent, rec: Rec, copies: readonly Copy[]): void {
  for (const [keys, path, kind] of copies) {
    let v: EcsValue | undefined;
    switch (kind ?? 'keyword') {
      case 'long': v = rec.long(...keys); break;
      case 'number': v = rec.number(...keys); break;
      case 'ip': v = rec.ip(...keys); break;
      case 'port': v = rec.port(...keys); break;
      case 'bool': v = rec.bool(...keys); break;
      case 'lower': v = rec.get(...keys)?.toLowerCase(); break;
      case 'upper': v = rec.get(...keys)?.toUpperCase(); break;
      default: v = rec.get(...keys);
    }
    if (v !== undefined) put(event, path, v);
  }
}

export function baseEvent(rec: Rec, ms: number, feed: string, spec: FeedSpec, ctx: ParserContext): EcsEvent {
  const out = eventSkeleton(
    { dataset: DATASET, module: 'zscaler', raw: rec.raw, ms, kind: spec.kind, category: spec.category, type: [...spec.type], observer: { vendor: 'Zscaler', product: 'ZIA', type: spec.observerType } },
    ctx,
  );
  out.zscaler = { feed };
  return out;
}


// A feed holds few distinct users; normalizing one costs several regex passes. null = no user.
const identities = new BoundedCache<string, Identity | null>(10_000);

function identity(raw: string | undefined): Identity | undefined {
  if (raw === undefined) return undefined;
  let id = identities.get(raw);
  if (id === undefined) {
    id = normalizeIdentity(raw) ?? null;
    identities.set(raw, id);
  }
  return id ?? undefined;
}

/** user.* from the first identity field holding a user (`Unknown`, `NA` … hold none). */
export function applyUser(event: EcsEvent, rec: Rec, ...keys: string[]): void {
  for (const k of keys) {
    const id = identity(rec.get(k));
    if (id) {
      event.user = identityToEcs(id);
      return;
    }
  }
}

export function endpoint(event: EcsEvent, side: 'source' | 'destination', ip: string | undefined, port?: number): void {
  if (ip === undefined && port === undefined) return;
  const o: EcsObject = (event[side] as EcsObject | undefined) ?? {};
  if (ip !== undefined) {
    o.address = ip;
    o.ip = ip;
  }
  if (port !== undefined) o.port = port;
  event[side] = o;
}

/** `0.0.0.0` / `::` is how NSS writes "no address" (a firewall `tsip` without a tunnel): no NAT. */
const UNSPECIFIED = new Set(['0.0.0.0', '::']);

export function setNat(event: EcsEvent, ip: string | undefined): void {
  if (ip === undefined || UNSPECIFIED.has(ip)) return;
  const source: EcsObject = (event.source as EcsObject | undefined) ?? {};
  source.nat = { ip };
  event.source = source;
}

export function networkType(event: EcsEvent): void {
  const ip = (event.source?.ip ?? (event.source?.nat as EcsObject | undefined)?.ip ?? event.destination?.ip) as string | undefined;
  if (ip) put(event, 'network.type', ipVersion(ip));
}

/** Fields that only restate the event time: not copied into `zscaler.<feed>.*`. */
const TIME_PARTS = new Set([
  'time', 'datetime', 'tz', 'epochtime', 'day', 'day_of_month', 'hour', 'minute', 'minutes', 'month',
  'month_of_year', 'second', 'year', 'yyyy', 'mth', 'dd', 'hh', 'mm', 'ss',
]);

/** Every value the mapping did not consume, under `zscaler.<feed>.<field>`, so nothing is lost. */
export function copyRest(event: EcsEvent, rec: Rec, feed: string): void {
  const zscaler = event.zscaler as EcsObject;
  let rest = (Object.hasOwn(zscaler, feed) ? zscaler[feed] : undefined) as EcsObject | undefined;
  for (const [k, v] of rec.values) {
    if (rec.used.has(k) || TIME_PARTS.has(k)) continue;
    if (!rest) setOwn(zscaler, feed, (rest = {}));
    let key = k.replace(/\./g, '_');
    // A value that did not read as its typed field (stateful 'Maybe', an object for sessions) stays
    // beside it as written: in the field itself the store refused the row (and its whole chunk).
    if (TYPED_PATHS.has(`zscaler.${feed}.${key}`)) key += '_raw';
    // Keys are the record's own: `__proto__` or `constructor` are fields like any other.
    if (!Object.hasOwn(rest, key)) setOwn(rest, key, v);
  }
}
