import type { EcsEvent, EcsObject } from '../../ecs/event.js';
import { setPath } from '../../ecs/event.js';
import { identityToEcs, mergeAccount, normalizeIdentity, type Identity } from '../../ecs/identity.js';

/**
 * Account columns → `user.*` and `process.user.*`. Defender writes one account as up to six columns
 * (`AccountName`, `AccountDomain`, `AccountUpn`, `AccountSid`, `AccountObjectId`, `AccountDisplayName`;
 * the same with an `InitiatingProcessAccount` prefix). The logon name (name + domain) gives
 * `user.name` / `user.domain`, the UPN `user.email` when it is an e-mail address (the shared
 * `normalizeAccount` rule); a UPN that is not one is kept in `microsoft.defender.[initiating_process.]account_upn`.
 */
interface AccountColumns {
  upn: string;
  name: string;
  domain: string;
  sid: string;
  objectId: string;
  display: string;
  /** Vendor path of the UPN when it is kept as written. */
  upnPath: string[];
}

const accountColumns = (prefix: string, vendor: string[]): AccountColumns => ({
  upn: `${prefix}Upn`,
  name: `${prefix}Name`,
  domain: `${prefix}Domain`,
  sid: `${prefix}Sid`,
  objectId: `${prefix}ObjectId`,
  display: `${prefix}DisplayName`,
  upnPath: ['microsoft', 'defender', ...vendor, 'account_upn'],
});
const ACCOUNT = accountColumns('Account', []);
const INITIATING_ACCOUNT = accountColumns('InitiatingProcessAccount', ['initiating_process']);

// A tenant has few distinct accounts: normalizing each written form once saves the rule scan. A plain
// Map, emptied when full, is cheaper per hit than an LRU's reordering.
const identityCache = new Map<string, Identity | null>();
const IDENTITY_CACHE_SIZE = 20_000;

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' || v === '-' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function identity(raw: string | undefined): Identity | undefined {
  if (raw === undefined) return undefined;
  let id = identityCache.get(raw);
  if (id === undefined) {
    id = normalizeIdentity(raw) ?? null;
    if (identityCache.size >= IDENTITY_CACHE_SIZE) identityCache.clear();
    identityCache.set(raw, id);
  }
  return id ?? undefined;
}

interface Account {
  user: EcsObject;
  objectId?: string;
  /** The UPN as written, when it did not become `user.email`. */
  upn?: string;
}

/** `user.*`-style object from the UPN / name / domain / SID / object-id columns of one account. */
function account(row: Record<string, unknown>, c: AccountColumns): Account | undefined {
  const upn = text(row[c.upn]);
  const name = text(row[c.name]);
  const domain = text(row[c.domain]);
  const sid = text(row[c.sid]);
  const objectId = text(row[c.objectId]);
  const logon = name ? identity(domain ? `${domain}\\${name}` : name) : undefined;
  const id = mergeAccount(logon, identity(upn));
  if (!id && !sid && !objectId && !upn) return undefined;
  const user: EcsObject = id ? identityToEcs(id) : {};
  if (sid) user.id = sid;
  else if (objectId) user.id = objectId;
  const display = text(row[c.display]);
  if (display && !user.full_name) user.full_name = display;
  const out: Account = { user };
  if (objectId) out.objectId = objectId;
  if (upn && user.email === undefined) out.upn = upn;
  return out;
}

/**
 * `user.*` is the account the event is about: the logged-on / created-process account when the
 * table has one, else the initiating process's account. Process accounts also go to
 * `process.user.*` (`process.parent.user.*` for process creations).
 */
export function identities(row: Record<string, unknown>, table: string, out: EcsEvent): void {
  const subject = account(row, ACCOUNT);
  const initiator = account(row, INITIATING_ACCOUNT);
  const isProcess = table === 'DeviceProcessEvents';
  const user = subject ?? initiator;
  if (user && Object.keys(user.user).length) out.user = Object.assign((out.user ?? {}) as EcsObject, user.user);
  if (subject?.objectId) setPath(out, ['microsoft', 'defender', 'account_object_id'], subject.objectId);
  if (subject?.upn) setPath(out, ACCOUNT.upnPath, subject.upn);
  if (initiator) {
    if (Object.keys(initiator.user).length) setPath(out, isProcess ? ['process', 'parent', 'user'] : ['process', 'user'], initiator.user);
    if (initiator.objectId) setPath(out, ['microsoft', 'defender', 'initiating_process', 'account_object_id'], initiator.objectId);
    if (initiator.upn) setPath(out, INITIATING_ACCOUNT.upnPath, initiator.upn);
  }
  if (isProcess && subject && Object.keys(subject.user).length) setPath(out, ['process', 'user'], { ...subject.user });
  const target = identity(text(row.TargetAccountUpn));
  if (target) {
    const u = (out.user ??= {}) as EcsObject;
    u.target = identityToEcs(target, (u.target ?? {}) as EcsObject);
  }
  const names: string[] = [];
  for (const u of [initiator?.user, subject?.user]) if (u && typeof u.name === 'string' && !names.includes(u.name)) names.push(u.name);
  if (names.length) out.related = { ...(out.related ?? {}), user: names };
}
