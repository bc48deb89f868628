import { normalizeIdentity, type Identity } from '../../ecs/identity.js';
import { BoundedCache } from '../../util/bounded-cache.js';

/**
 * Umbrella identities: who or what a policy matched. Only user identities become `user.*` (through
 * the shared normalizer); computers become `host.name` and networks/sites/tunnels `network.name`.
 * The identity type columns say which is which; without them (old DNS rows, IP logs) only values
 * that are plainly user-shaped (an e-mail, `Name (mail)`, `DOMAIN\user`) count as users.
 */
export type IdentityKind = 'user' | 'host' | 'network' | 'unknown';

const HOST_TYPES = new Set([
  'roaming computer', 'anyconnect roaming client', 'secure client roaming client', 'roaming client', 'mobile device',
  'chromebook', 'ad computer', 'computer', 'endpoint',
]);
const NETWORK_TYPES = new Set([
  'network', 'site', 'internal network', 'network tunnel', 'tunnel', 'network device', 'tunnel device',
  'cdfw tunnel device', 'sig tunnel', 'proxy', 'legacy network device', 'policy',
]);
const USER_SHAPED = /@|\\/;

function singular(type: string): string {
  const t = type.trim().toLowerCase().replace(/\s+/g, ' ');
  return t.endsWith('s') && !t.endsWith('ss') ? t.slice(0, -1) : t;
}

export function identityKind(type: string | undefined, value: string): IdentityKind {
  if (type) {
    const t = singular(type);
    if (t === 'user' || t.endsWith(' user')) return 'user';
    if (HOST_TYPES.has(t)) return 'host';
    if (NETWORK_TYPES.has(t)) return 'network';
    return 'unknown';
  }
  return USER_SHAPED.test(value) ? 'user' : 'unknown';
}

/** `Last, First (mail@corp.example)`: the piece after a `, ` that ends an AD display name. */
const DISPLAY_TAIL = /^[^,()@]+\(.*@[^()\s]+\)$/;

/**
 * Splits a comma list of identities. Display names hold commas themselves (`Cole, Lee (lee@x)`), so
 * a piece is glued back to the one before it when it reads like the second half of such a name and
 * the list has more pieces than the identity types list has entries (or, with no types list, when
 * the separator was `, `, which Umbrella uses inside names but rarely between list items).
 */
export function splitIdentities(cell: string | undefined, expected: number | undefined): string[] {
  if (!cell) return [];
  const raw = cell.split(',');
  if (raw.length === 1) return [cell.trim()];
  let surplus = expected === undefined ? Infinity : raw.length - expected;
  const out: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const piece = raw[i]!;
    const prev = out.length ? out[out.length - 1]! : undefined;
    const glue =
      surplus > 0 && prev !== undefined && DISPLAY_TAIL.test(piece.trim()) && !/[()@]/.test(prev) &&
      (expected !== undefined || piece.startsWith(' '));
    if (glue) {
      out[out.length - 1] = `${prev}, ${piece.trim()}`;
      surplus--;
    } else out.push(piece.trim());
  }
  return out.filter((s) => s !== '');
}

export function splitList(cell: string | undefined): string[] {
  if (!cell) return [];
  const out: string[] = [];
  for (const part of cell.split(',')) {
    const v = part.trim();
    if (v) out.push(v);
  }
  return out;
}

export interface Resolved {
  user?: Identity;
  host?: string;
  network?: string;
  identities: string[];
  types: string[];
}

/**
 * Resolves the policy identity and the identities list (paired with their types) into the user, the
 * computer and the network a request came from. The policy identity wins over list entries of its kind.
 */
export function resolveIdentities(
  policy: string | undefined,
  policyType: string | undefined,
  identitiesCell: string | undefined,
  typesCell: string | undefined,
): Resolved {
  // A log holds few distinct identity combinations; resolving one costs several regex passes.
  const key = `${policy ?? ''}\u0001${policyType ?? ''}\u0001${identitiesCell ?? ''}\u0001${typesCell ?? ''}`;
  let hit = cache.get(key);
  if (hit === undefined) {
    hit = resolve(policy, policyType, identitiesCell, typesCell);
    cache.set(key, hit);
  }
  return hit;
}

/** Cached results are shared: callers copy what they put into an event (see applyIdentities). */
const cache = new BoundedCache<string, Resolved>(10_000);

function resolve(
  policy: string | undefined,
  policyType: string | undefined,
  identitiesCell: string | undefined,
  typesCell: string | undefined,
): Resolved {
  const types = splitList(typesCell);
  const identities = splitIdentities(identitiesCell, typesCell ? types.length : undefined);
  const out: Resolved = { identities, types };
  const pairs: [string, string | undefined][] = [];
  if (policy) pairs.push([policy, policyType]);
  const paired = types.length === identities.length;
  identities.forEach((id, i) => pairs.push([id, paired ? types[i] : undefined]));
  for (const [value, type] of pairs) {
    const kind = identityKind(type, value);
    if (kind === 'user' && !out.user) {
      out.user = normalizeIdentity(value) ?? { name: value };
    } else if (kind === 'host' && !out.host) out.host = value;
    else if (kind === 'network' && !out.network) out.network = value;
  }
  return out;
}
