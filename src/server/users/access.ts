import { fastifyCookie } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { tokenMatches } from '../auth.js';
import type { AuditEntry, AuditLog } from './audit.js';
import { roleAtLeast, type Role, type RouteRole } from './roles.js';
import { sha256, type Session, type SessionStore, type SessionSubject } from './sessions.js';
import type { UserStore } from './user-store.js';

/** Who sent a request, once authenticated. */
export interface Identity {
  user: string;
  role: Role;
  via: AuditEntry['via'];
  session?: Session;
}

declare module 'fastify' {
  interface FastifyRequest {
    identity?: Identity;
  }
}

/** The route config `addRoutes` sets: the least role a route needs. */
export interface RoleConfig {
  role?: RouteRole;
}

export const SESSION_COOKIE = 'packettrail-session';
export const CSRF_COOKIE = 'packettrail-csrf';
/** The header the console sends the CSRF cookie's value in (double submit) on every state change. */
export const CSRF_HEADER = 'x-packettrail-csrf';
/** Secure cookies get the __Host- prefix: the browser then refuses them without Secure, with a Domain or another Path. */
const cookieName = (base: string, secure: boolean) => (secure ? `__Host-${base}` : base);
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface AccessOptions {
  token: string | undefined;
  /** What the bearer token may do. */
  tokenRole: Role;
  users: UserStore;
  sessions: SessionStore;
  audit: AuditLog;
  /** OpenID Connect is configured: accounts are on even before any local user exists. */
  oidc: boolean;
  /** Cookies get Secure (and __Host-) whatever the request's protocol: the server is reached through a TLS proxy or not on loopback. */
  secureCookies: boolean;
}

function presentedToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string' && /^Bearer /i.test(header)) return header.slice(7).trim();
  const alt = request.headers['x-packettrail-token'];
  return typeof alt === 'string' ? alt : undefined;
}

function refuse(reply: FastifyReply, status: number, error: string): FastifyReply {
  return reply.code(status).header('connection', 'close').send({ error });
}

/**
 * Who may reach what: the bearer token (scripts), sign-in sessions (people), and, only while no
 * account exists and no token is set, the token-less loopback console of a single user.
 */
export class Access {
  constructor(readonly o: AccessOptions) {}

  /** Accounts exist (or OIDC is configured): every non-public route needs a session or the token. */
  accountsOn(): boolean {
    return this.o.oidc || this.o.users.count() > 0;
  }

  secure(request: FastifyRequest): boolean {
    return this.o.secureCookies || request.protocol === 'https';
  }

  sessionIdOf(request: FastifyRequest): string | undefined {
    const header = request.headers.cookie;
    if (typeof header !== 'string') return undefined;
    const cookies = fastifyCookie.parse(header);
    return cookies[cookieName(SESSION_COOKIE, true)] ?? cookies[SESSION_COOKIE];
  }

  /** The live session of the request, checked against the account as it is now (removed, new password: ended). */
  private sessionOf(request: FastifyRequest): { session: Session; role: Role } | undefined {
    const id = this.sessionIdOf(request);
    const session = this.o.sessions.get(id);
    if (!session) return undefined;
    if (session.via === 'oidc') {
      // Disabled here after sign-in (by an admin, maybe from another process): ended now.
      if (session.subject !== undefined && this.o.users.oidcUser(session.subject)?.disabled === true) {
        this.o.sessions.delete(id);
        return undefined;
      }
      return { session, role: session.role };
    }
    const account = this.o.users.get(session.user);
    if (!account || account.stamp !== session.stamp || account.disabled === true) {
      this.o.sessions.delete(id);
      return undefined;
    }
    return { session, role: account.role };
  }

  /** The identity of a request, 'bad' for a wrong token, or undefined for none. */
  identify(request: FastifyRequest): Identity | 'bad' | undefined {
    const given = presentedToken(request);
    if (given !== undefined) {
      if (this.o.token !== undefined && tokenMatches(given, this.o.token)) return { user: 'token', role: this.o.tokenRole, via: 'token' };
      return 'bad';
    }
    const s = this.sessionOf(request);
    if (s) return { user: s.session.user, role: s.role, via: s.session.via, session: s.session };
    if (this.o.token === undefined && !this.accountsOn()) return { user: 'local', role: 'admin', via: 'loopback' };
    return undefined;
  }

  /** Starts a session (dropping the one the request came with: a new id on every sign-in) and sets its cookies. */
  signIn(request: FastifyRequest, reply: FastifyReply, subject: SessionSubject, otherCookies: string[] = []): { csrf: string } {
    this.o.sessions.delete(this.sessionIdOf(request));
    const { id, csrf } = this.o.sessions.create(subject);
    const secure = this.secure(request);
    const maxAge = Math.floor(this.o.sessions.limits.absoluteMs / 1000);
    reply.header('set-cookie', [
      fastifyCookie.serialize(cookieName(SESSION_COOKIE, secure), id, { httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge }),
      // Readable by the page, which echoes it in CSRF_HEADER; another site can neither read nor send it.
      fastifyCookie.serialize(cookieName(CSRF_COOKIE, secure), csrf, { httpOnly: false, sameSite: 'strict', secure, path: '/', maxAge }),
      ...otherCookies,
    ]);
    return { csrf };
  }

  signOut(request: FastifyRequest, reply: FastifyReply): Session | undefined {
    const s = this.o.sessions.delete(this.sessionIdOf(request));
    const secure = this.secure(request);
    const gone = { path: '/', maxAge: 0, sameSite: 'strict' as const, secure };
    reply.header('set-cookie', [
      fastifyCookie.serialize(cookieName(SESSION_COOKIE, secure), '', { ...gone, httpOnly: true }),
      fastifyCookie.serialize(cookieName(CSRF_COOKIE, secure), '', gone),
    ]);
    return s;
  }

  /** Writes an audit entry for the request's identity (or the given actor). */
  audit(request: FastifyRequest, e: Pick<AuditEntry, 'action' | 'outcome'> & Partial<AuditEntry>): void {
    const id = request.identity;
    this.o.audit.append({
      actor: id?.user ?? 'anonymous', via: id?.via ?? 'anonymous', ...(id ? { role: id.role } : {}), address: request.ip, ...e,
    });
  }

  /**
   * The onRequest check of every routed request: the route's least role (RoleConfig; a route without
   * one, an unknown path included, needs a viewer) against the identity; and for a state change made
   * with a session cookie, the CSRF token in CSRF_HEADER.
   */
  guard(isPublic: (request: FastifyRequest) => boolean) {
    return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
      if (isPublic(request)) return undefined;
      const need: RouteRole = request.is404 ? 'viewer' : ((request.routeOptions.config as RoleConfig | undefined)?.role ?? 'viewer');
      const id = this.identify(request);
      if (id !== 'bad' && id !== undefined) request.identity = id;
      if (need === 'public') return undefined;
      if (id === undefined || id === 'bad') {
        reply.header('WWW-Authenticate', 'Bearer');
        const how = this.accountsOn() ? 'sign in, or send Authorization: Bearer <token>' : 'send Authorization: Bearer <token>';
        const what = id === 'bad' ? 'wrong access token' : this.accountsOn() ? 'not signed in' : 'missing or wrong access token';
        return refuse(reply, 401, `${what} (${how})`);
      }
      if (!roleAtLeast(id.role, need)) {
        this.audit(request, { action: 'access', target: `${request.method} ${request.routeOptions.url ?? ''}`, outcome: 'denied', detail: `needs ${need}` });
        return refuse(reply, 403, `${request.method} ${request.routeOptions.url ?? request.url.slice(0, 100)} needs the ${need} role (${id.user} is ${id.role})`);
      }
      const csrf = this.csrfProblem(request, id);
      if (csrf) return refuse(reply, 403, csrf);
      return undefined;
    };
  }

  /** Why a cookie-authenticated state change is refused as possibly cross-site, or undefined. */
  csrfProblem(request: FastifyRequest, id: Identity | undefined): string | undefined {
    if (SAFE_METHODS.has(request.method) || !id?.session) return undefined;
    const given = request.headers[CSRF_HEADER];
    if (typeof given !== 'string' || sha256(given) !== id.session.csrfHash) return `missing or wrong ${CSRF_HEADER} header (send the ${CSRF_COOKIE} cookie's value with every change)`;
    return undefined;
  }
}
