import type { EcsObject } from '../../ecs/event.js';
import { identityToEcs, normalizeIdentity, type Identity } from '../../ecs/identity.js';

export type Json = Record<string, unknown>;

/** A non-empty string value, or undefined (CloudTrail writes "" for absent ARNs and keys). */
export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export function obj(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

/** Placeholders CloudTrail writes instead of a user name (failed sign-ins of unknown users). */
const HIDDEN = new Set(['HIDDEN_DUE_TO_SECURITY_REASONS', 'redacted']);

/**
 * The human or service behind the call, per userIdentity type. Every type names its principal in a
 * different place: the IAM user name, the role session name (often the person's e-mail), the
 * federated-user ARN, the calling service, or — for Identity Center sign-ins — additionalEventData.
 */
function principalName(type: string | undefined, ui: Json, additional: Json | undefined): { raw: string; role?: string } | undefined {
  const arn = str(ui.arn);
  const userName = str(ui.userName);
  switch (type) {
    case 'AssumedRole': {
      if (arn && /:assumed-role\//.test(arn)) return { raw: arn };
      const session = str(ui.principalId)?.split(':')[1];
      const issuer = str(obj(obj(ui.sessionContext)?.sessionIssuer)?.userName);
      return session ? { raw: session, ...(issuer ? { role: issuer } : {}) } : undefined;
    }
    case 'FederatedUser': {
      const m = arn ? /:federated-user\/(.+)$/.exec(arn) : null;
      if (m) return { raw: m[1]! };
      const p = str(ui.principalId);
      return p && p.includes(':') ? { raw: p.slice(p.indexOf(':') + 1) } : undefined;
    }
    case 'Root':
      return { raw: userName ?? 'root' };
    case 'AWSService':
      return str(ui.invokedBy) ? { raw: str(ui.invokedBy)! } : undefined;
    case 'IdentityCenterUser':
      return str(additional?.UserName) ? { raw: str(additional!.UserName)! } : userName ? { raw: userName } : undefined;
    case 'IAMUser':
      if (userName) return { raw: userName };
      return arn ? { raw: arn } : undefined;
    default:
      // SAMLUser, WebIdentityUser, AWSAccount, Unknown: the user name when there is one.
      if (userName) return { raw: userName };
      if (str(additional?.UserName)) return { raw: str(additional!.UserName)! };
      return arn && /:(user|assumed-role)\//.test(arn) ? { raw: arn } : undefined;
  }
}

// A trail names few distinct principals over and over: remember their normalized form.
const identities = new Map<string, Identity>();
const IDENTITY_CACHE = 5_000;

function identityOf(raw: string): Identity {
  let id = identities.get(raw);
  if (!id) {
    // Names normalizeIdentity does not recognize (web-identity subjects with ':') are kept as written.
    id = normalizeIdentity(raw) ?? { name: raw };
    if (identities.size >= IDENTITY_CACHE) identities.clear();
    identities.set(raw, id);
  }
  return id;
}

/** Fills ECS `user.*` and returns `aws.cloudtrail.user_identity.*` for a record's userIdentity. */
export function mapUserIdentity(uiValue: unknown, additional: Json | undefined, user: EcsObject): EcsObject | undefined {
  const ui = obj(uiValue);
  if (!ui) return undefined;
  const type = str(ui.type);
  const found = principalName(type, ui, additional);
  if (found && !HIDDEN.has(found.raw)) {
    const id = identityOf(found.raw);
    identityToEcs(id, user);
    const role = id.role ?? found.role;
    if (role) user.roles = [role];
  }
  const principalId = str(ui.principalId) ?? str(obj(ui.onBehalfOf)?.userId);
  if (principalId && !HIDDEN.has(principalId)) user.id = principalId;

  const out: EcsObject = {};
  if (type) out.type = type;
  const arn = str(ui.arn);
  if (arn) out.arn = arn;
  // As written: SPL's userIdentity.userName shows it so (user.name is the normalized identity).
  const userName = str(ui.userName);
  if (userName) out.user_name = userName;
  const accessKey = str(ui.accessKeyId);
  if (accessKey) out.access_key_id = accessKey;
  const account = str(ui.accountId);
  if (account) out.account_id = account;
  const invokedBy = str(ui.invokedBy);
  if (invokedBy) out.invoked_by = invokedBy;
  const provider = str(ui.identityProvider);
  if (provider) out.identity_provider = provider;
  const credentialId = str(ui.credentialId);
  if (credentialId) out.credential_id = credentialId;
  const onBehalfOf = obj(ui.onBehalfOf);
  if (onBehalfOf) {
    const ob: EcsObject = {};
    if (str(onBehalfOf.userId)) ob.user_id = str(onBehalfOf.userId)!;
    if (str(onBehalfOf.identityStoreArn)) ob.identity_store_arn = str(onBehalfOf.identityStoreArn)!;
    out.on_behalf_of = ob;
  }
  const session = sessionContext(obj(ui.sessionContext));
  if (session) out.session_context = session;
  return out;
}

function sessionContext(sc: Json | undefined): EcsObject | undefined {
  if (!sc) return undefined;
  const out: EcsObject = {};
  const attributes = obj(sc.attributes);
  if (attributes) {
    const mfa = str(attributes.mfaAuthenticated);
    if (mfa !== undefined) out.mfa_authenticated = mfa === 'true';
    const created = str(attributes.creationDate);
    if (created) out.creation_date = created;
  }
  const issuer = obj(sc.sessionIssuer);
  if (issuer && Object.keys(issuer).length) {
    const si: EcsObject = {};
    for (const [from, to] of ISSUER_FIELDS) {
      const v = str(issuer[from]);
      if (v) si[to] = v;
    }
    out.session_issuer = si;
  }
  const federation = obj(sc.webIdFederationData);
  const federatedProvider = str(federation?.federatedProvider);
  if (federatedProvider) out.web_id_federation_data = { federated_provider: federatedProvider };
  const sourceIdentity = str(sc.sourceIdentity);
  if (sourceIdentity) out.source_identity = sourceIdentity;
  const ec2 = str(sc.ec2RoleDelivery);
  if (ec2) out.ec2_role_delivery = ec2;
  return Object.keys(out).length ? out : undefined;
}

const ISSUER_FIELDS: [string, string][] = [
  ['type', 'type'],
  ['principalId', 'principal_id'],
  ['arn', 'arn'],
  ['accountId', 'account_id'],
  ['userName', 'user_name'],
];
