import * as client from 'openid-client';
import { isLoopback } from '../auth.js';
import { roleAtLeast, roleOf, ROLES, type Role } from './roles.js';
import { randomToken, sha256, type SessionSubject } from './sessions.js';

/** How packettrail signs people in with an OpenID Connect provider (authorization code + PKCE). */
export interface OidcOptions {
  /** The issuer URL (https; http only on a loopback address, for tests and local providers). */
  issuer: string;
  clientId: string;
  /** Confidential clients; a public client (PKCE only) has none. */
  clientSecret?: string | undefined;
  /** Where the provider sends the browser back: this server's /api/auth/oidc/callback, as the browser reaches it. */
  redirectUrl: string;
  /** The claim (ID token, else userinfo) whose values map to roles, e.g. `groups` or `roles`. */
  roleClaim?: string | undefined;
  /** Claim value → role; the highest role matched wins. */
  roleMap?: Record<string, Role> | undefined;
  /** The role of a user no value maps; `none` refuses them. */
  defaultRole?: Role | 'none' | undefined;
  /** Extra scopes besides openid (default: email profile). */
  scopes?: string | undefined;
}

/** A sign-in started and not finished within this long is dropped; at most this many wait at once. */
export const OIDC_FLOW_TTL_MS = 10 * 60_000;
export const MAX_PENDING_OIDC_FLOWS = 1_000;
/** Time limit of each request to the provider (discovery, token, userinfo), seconds. */
export const OIDC_HTTP_TIMEOUT_S = 10;
export const OIDC_CLIENT_SECRET_ENV = 'PACKETTRAIL_OIDC_CLIENT_SECRET';
export const OIDC_FLOW_COOKIE = 'packettrail-oidc';

/** openid-client's message and, when it wraps one, the reason below it ("invalid response encountered": which?). */
function reasonOf(e: unknown): string {
  const err = e as Error & { cause?: unknown; code?: string };
  const cause = err.cause as { message?: string; error?: string; error_description?: string } | undefined;
  const below = cause && typeof cause === 'object' ? [cause.error, cause.error_description ?? cause.message].filter(Boolean).join(': ') : '';
  return [err.message, below].filter(Boolean).join(' — ').slice(0, 500);
}

export class OidcError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** `admins=admin,soc=analyst` → { admins: 'admin', soc: 'analyst' }. */
export function parseRoleMap(text: string): Record<string, Role> {
  const map: Record<string, Role> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.lastIndexOf('=');
    if (eq <= 0) throw new Error(`role map entries are value=role (roles: ${ROLES.join(', ')}), got '${pair.slice(0, 100)}'`);
    map[pair.slice(0, eq).trim()] = roleOf(pair.slice(eq + 1).trim(), `the role of '${pair.slice(0, eq).trim()}'`);
  }
  return map;
}

/** Checks the options when the server starts: a typo should stop it, not the first sign-in. */
export function checkOidcOptions(o: OidcOptions): void {
  let issuer: URL;
  let redirect: URL;
  try {
    issuer = new URL(o.issuer);
    redirect = new URL(o.redirectUrl);
  } catch (e) {
    throw new Error(`OpenID Connect: the issuer and redirect URL must be absolute URLs: ${(e as Error).message}`);
  }
  if (issuer.protocol !== 'https:' && !(issuer.protocol === 'http:' && isLoopback(issuer.hostname))) throw new Error(`OpenID Connect: the issuer must be https (http only on loopback), got ${o.issuer}`);
  if (redirect.protocol !== 'https:' && !(redirect.protocol === 'http:' && isLoopback(redirect.hostname))) throw new Error(`OpenID Connect: the redirect URL must be https (http only on loopback), got ${o.redirectUrl}`);
  if (!o.clientId) throw new Error('OpenID Connect: a client id is required');
}

interface Flow {
  verifier: string;
  nonce: string;
  returnTo: string;
  bindingHash: string;
  created: number;
}

const claimValues = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : []);

/** A path on this server to go back to after sign-in; anything else (another host, `//x`) is `/`. */
export const localPath = (p: string | undefined) => (p && /^\/(?![/\\])[^\s]*$/.test(p) && p.length <= 2000 ? p : '/');

/**
 * The relying party. Each sign-in is a flow kept here by its `state` (one use, bounded in number and
 * time) with its PKCE verifier and nonce; the browser holds a random binding in a cookie, so a
 * callback URL sent to someone else's browser signs nobody in. openid-client checks the state, the
 * issuer (`iss` of the response and of the ID token), the audience, the nonce, the signature and
 * the PKCE verifier.
 */
export class OidcRelyingParty {
  private config: Promise<client.Configuration> | undefined;
  private readonly flows = new Map<string, Flow>();

  constructor(
    readonly o: OidcOptions,
    private readonly now: () => number = Date.now,
  ) {
    checkOidcOptions(o);
  }

  /** Discovered on first use and kept; a failure is retried on the next sign-in. */
  private configuration(): Promise<client.Configuration> {
    this.config ??= (async () => {
      const issuer = new URL(this.o.issuer);
      const auth = this.o.clientSecret ? client.ClientSecretBasic(this.o.clientSecret) : client.None();
      return client.discovery(issuer, this.o.clientId, { redirect_uris: [this.o.redirectUrl] }, auth, {
        timeout: OIDC_HTTP_TIMEOUT_S,
        ...(issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {}),
      });
    })().catch((e: unknown) => {
      this.config = undefined;
      throw new OidcError(502, `OpenID Connect provider ${this.o.issuer}: ${reasonOf(e)}`);
    });
    return this.config;
  }

  private sweep(): void {
    const t = this.now();
    for (const [k, f] of this.flows) if (t - f.created >= OIDC_FLOW_TTL_MS) this.flows.delete(k);
    // Oldest first (insertion order) when still full.
    for (const k of this.flows.keys()) {
      if (this.flows.size < MAX_PENDING_OIDC_FLOWS) break;
      this.flows.delete(k);
    }
  }

  /** The provider's authorization URL for a new flow, and the binding for the browser's cookie. */
  async start(returnTo: string | undefined): Promise<{ url: URL; binding: string }> {
    const config = await this.configuration();
    this.sweep();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const binding = randomToken();
    this.flows.set(state, { verifier, nonce, returnTo: localPath(returnTo), bindingHash: sha256(binding), created: this.now() });
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.o.redirectUrl,
      scope: `openid ${this.o.scopes ?? 'email profile'}`.trim(),
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url, binding };
  }

  /** Finishes a flow from the callback's query string: the signed-in subject and where to go. */
  async finish(query: string, binding: string | undefined): Promise<{ subject: SessionSubject; returnTo: string; claims: Record<string, unknown> }> {
    const config = await this.configuration();
    const params = new URLSearchParams(query);
    const state = params.get('state') ?? '';
    const flow = this.flows.get(state);
    // One use: whatever happens next, this state is spent.
    this.flows.delete(state);
    if (params.has('error')) throw new OidcError(401, `the provider refused the sign-in: ${params.get('error')!.slice(0, 100)} ${(params.get('error_description') ?? '').slice(0, 300)}`.trim());
    if (!flow || this.now() - flow.created >= OIDC_FLOW_TTL_MS) throw new OidcError(400, 'unknown, used or expired sign-in state: start again');
    if (!binding || sha256(binding) !== flow.bindingHash) throw new OidcError(400, 'this sign-in was started in another browser: start again');
    const current = new URL(this.o.redirectUrl);
    current.search = query;
    let tokens;
    try {
      tokens = await client.authorizationCodeGrant(config, current, { pkceCodeVerifier: flow.verifier, expectedState: state, expectedNonce: flow.nonce, idTokenExpected: true });
    } catch (e) {
      throw new OidcError(401, `OpenID Connect sign-in failed: ${reasonOf(e)}`);
    }
    const idClaims = tokens.claims();
    if (!idClaims) throw new OidcError(401, 'OpenID Connect sign-in failed: no ID token');
    let claims: Record<string, unknown> = { ...idClaims };
    const roleClaim = this.o.roleClaim;
    if (roleClaim && !(roleClaim in claims) && config.serverMetadata().userinfo_endpoint) {
      try {
        claims = { ...(await client.fetchUserInfo(config, tokens.access_token, idClaims.sub)), ...claims };
      } catch (e) {
        throw new OidcError(401, `OpenID Connect userinfo failed: ${reasonOf(e)}`);
      }
    }
    const role = this.roleFor(claims);
    const user = [claims.preferred_username, claims.email, idClaims.sub].find((v): v is string => typeof v === 'string' && v.length > 0)!.slice(0, 200);
    if (role === undefined) throw new OidcError(403, `${user} signed in at the provider but has no packettrail role (${roleClaim ?? 'no role claim'} maps to none and there is no default role)`);
    return { subject: { user, role, via: 'oidc', subject: `${idClaims.iss}#${idClaims.sub}` }, returnTo: flow.returnTo, claims };
  }

  roleFor(claims: Record<string, unknown>): Role | undefined {
    let best: Role | undefined;
    if (this.o.roleClaim && this.o.roleMap) {
      for (const v of claimValues(claims[this.o.roleClaim])) {
        const r = Object.hasOwn(this.o.roleMap, v) ? this.o.roleMap[v] : undefined;
        if (r && (!best || roleAtLeast(r, best))) best = r;
      }
    }
    if (best) return best;
    const d = this.o.defaultRole ?? 'none';
    return d === 'none' ? undefined : d;
  }

  pending(): number {
    return this.flows.size;
  }
}
