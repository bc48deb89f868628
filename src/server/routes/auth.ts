import { fastifyCookie } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { ApiError, notFound } from '../errors.js';
import { OIDC_FLOW_COOKIE, OIDC_FLOW_TTL_MS, OidcError, localPath } from '../users/oidc.js';
import { decoyHash, MAX_PASSWORD_LENGTH, verifyPassword } from '../users/passwords.js';
import { USER_NAME } from '../users/user-store.js';
import { obj, str, type ApiRoute } from './define.js';

const WRONG = 'wrong user name or password';

function identityOf(ctx: ServerContext, request: FastifyRequest) {
  const id = request.identity;
  return {
    accounts: ctx.access.accountsOn(),
    oidc: ctx.oidc !== undefined,
    user: id ? { name: id.user, role: id.role, via: id.via } : null,
  };
}

async function login(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply) {
  const b = request.body as { user: string; password: string };
  const name = b.user.trim().toLowerCase();
  const refused = ctx.throttle.refused(name, request.ip);
  if (refused) {
    // Not audited: refused attempts check nothing, and a flood of them would only fill the log.
    reply.header('retry-after', String(Math.ceil(refused.retryAfterMs / 1000)));
    throw new ApiError(429, `too many failed sign-ins from this ${refused.reason === 'account' ? 'account' : 'address'}: try again in ${Math.ceil(refused.retryAfterMs / 60_000)} min`);
  }
  const account = USER_NAME.test(name) ? ctx.users.get(name) : undefined;
  const checked = await ctx.passwords.run(async () => verifyPassword(b.password, account?.passwordHash ?? (await decoyHash())));
  if (!checked) throw new ApiError(503, 'too many sign-ins at once: try again');
  if (!account || !checked.value) {
    ctx.throttle.failed(account?.name ?? name.slice(0, 200), account !== undefined, request.ip);
    ctx.access.audit(request, { actor: name.slice(0, 64) || '(empty)', via: 'password', action: 'sign-in', outcome: 'failed', detail: account ? 'wrong password' : 'no such user' });
    throw new ApiError(401, WRONG);
  }
  if (account.disabled === true) {
    // Said only to whoever knows the password: a wrong one gets the same answer as for any account.
    ctx.access.audit(request, { actor: account.name, via: 'password', role: account.role, action: 'sign-in', outcome: 'denied', detail: 'account disabled' });
    throw new ApiError(403, `the account ${account.name} is disabled: ask an admin`);
  }
  ctx.throttle.succeeded(account.name);
  // Audited first: a sign-in that cannot be recorded does not happen.
  ctx.access.audit(request, { actor: account.name, via: 'password', role: account.role, action: 'sign-in', outcome: 'ok' });
  const { csrf } = ctx.access.signIn(request, reply, { user: account.name, role: account.role, via: 'password', stamp: account.stamp });
  return { user: { name: account.name, role: account.role, via: 'password' }, csrf };
}

async function logout(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply) {
  const id = request.identity;
  if (!id?.session) {
    ctx.access.signOut(request, reply);
    return { signedOut: false };
  }
  const problem = ctx.access.csrfProblem(request, id);
  if (problem) throw new ApiError(403, problem);
  ctx.access.audit(request, { action: 'sign-out', outcome: 'ok' });
  ctx.access.signOut(request, reply);
  return { signedOut: true };
}

function oidcOf(ctx: ServerContext) {
  if (!ctx.oidc) throw notFound('OpenID Connect sign-in is not configured on this server');
  return ctx.oidc;
}

const flowCookie = (ctx: ServerContext, request: FastifyRequest, value: string, maxAge: number) =>
  // Lax, not Strict: the provider's redirect back is a cross-site navigation, which must carry it.
  fastifyCookie.serialize(OIDC_FLOW_COOKIE, value, { httpOnly: true, sameSite: 'lax', secure: ctx.access.secure(request), path: '/api/auth/oidc', maxAge });

async function oidcStart(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply) {
  const rp = oidcOf(ctx);
  try {
    const { url, binding } = await rp.start((request.query as { return?: string }).return);
    return reply.header('set-cookie', flowCookie(ctx, request, binding, Math.floor(OIDC_FLOW_TTL_MS / 1000))).redirect(url.href, 302);
  } catch (e) {
    if (e instanceof OidcError) throw new ApiError(e.status, e.message);
    throw e;
  }
}

async function oidcCallback(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply) {
  const rp = oidcOf(ctx);
  const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
  const binding = typeof request.headers.cookie === 'string' ? fastifyCookie.parse(request.headers.cookie)[OIDC_FLOW_COOKIE] : undefined;
  try {
    const done = await rp.finish(query, binding);
    const subject = done.subject.subject ?? done.subject.user;
    if (ctx.users.oidcUser(subject)?.disabled === true) throw new OidcError(403, `${done.subject.user.slice(0, 200)} is disabled on this server: ask an admin`);
    ctx.users.recordOidcSignIn(subject, done.subject.user, done.subject.role);
    ctx.access.audit(request, { actor: done.subject.user, via: 'oidc', role: done.subject.role, action: 'sign-in', outcome: 'ok', ...(done.subject.subject ? { detail: done.subject.subject } : {}) });
    ctx.access.signIn(request, reply, done.subject, [flowCookie(ctx, request, '', 0)]);
    return reply.redirect(localPath(done.returnTo), 302);
  } catch (e) {
    reply.header('set-cookie', flowCookie(ctx, request, '', 0));
    if (!(e instanceof OidcError)) throw e;
    ctx.access.audit(request, { actor: 'oidc', via: 'oidc', action: 'sign-in', outcome: 'failed', detail: e.message });
    throw new ApiError(e.status, e.message);
  }
}

export const AUTH_ROUTES: ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/auth/session',
    role: 'public',
    tag: 'auth',
    summary: 'Who the request is signed in as (null when nobody), whether accounts are on, and whether OpenID Connect sign-in is offered.',
    response: { description: 'accounts, oidc, user', schema: obj({ accounts: { type: 'boolean' }, oidc: { type: 'boolean' }, user: { type: ['object', 'null'] } }) },
    handler: async (ctx, request) => identityOf(ctx, request),
  },
  {
    method: 'POST',
    url: '/api/auth/login',
    role: 'public',
    tag: 'auth',
    summary:
      'Sign in with a local account: sets an HttpOnly SameSite=Strict session cookie (a new session id each time) and a CSRF cookie whose value must be sent ' +
      'in the x-packettrail-csrf header with every change. Failed sign-ins are limited per account and per address (429 with Retry-After).',
    body: obj({ user: str(200, { minLength: 1 }), password: str(MAX_PASSWORD_LENGTH, { minLength: 1 }) }, ['user', 'password']),
    response: { description: 'the user and the CSRF token' },
    handler: (ctx, request, reply) => login(ctx, request, reply),
  },
  {
    method: 'POST',
    url: '/api/auth/logout',
    role: 'public',
    tag: 'auth',
    summary: 'End the session of the cookie (the x-packettrail-csrf header is required) and clear the cookies.',
    response: { description: 'signedOut' },
    handler: (ctx, request, reply) => logout(ctx, request, reply),
  },
  {
    method: 'GET',
    url: '/api/auth/oidc/start',
    role: 'public',
    tag: 'auth',
    summary: 'Start an OpenID Connect sign-in (authorization code with PKCE, state and nonce): a redirect (302) to the provider. 404 when not configured.',
    querystring: obj({ return: str(2000, { description: 'a path on this server to come back to' }) }),
    response: { description: 'a redirect to the provider' },
    handler: (ctx, request, reply) => oidcStart(ctx, request, reply),
  },
  {
    method: 'GET',
    url: '/api/auth/oidc/callback',
    role: 'public',
    tag: 'auth',
    summary: 'Where the provider sends the browser back (code, state, iss): checks them, starts a session and redirects (302) to the console.',
    response: { description: 'a redirect to the console, with the session cookie' },
    handler: (ctx, request, reply) => oidcCallback(ctx, request, reply),
  },
];
