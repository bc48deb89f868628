import type { FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { ApiError } from '../errors.js';
import { MAX_AUDIT_PAGE } from '../users/audit.js';
import { hashPassword, MAX_PASSWORD_LENGTH, passwordProblem } from '../users/passwords.js';
import { ROLES, type Role } from '../users/roles.js';
import { publicUser, UserError, type OidcUserRecord } from '../users/user-store.js';
import { int, obj, str, type ApiRoute } from './define.js';

const ROLE = { type: 'string', enum: [...ROLES] };
const USER = obj({ name: str(64), role: ROLE, created: str(40), updated: str(40), disabled: { type: 'boolean' } });
const OIDC_USER = obj({ subject: str(500), name: str(200), role: ROLE, firstSignIn: str(40), lastSignIn: str(40), disabled: { type: 'boolean' } });
const oidcPublic = (u: OidcUserRecord) => ({ subject: u.subject, name: u.name, role: u.role, firstSignIn: u.firstSignIn, lastSignIn: u.lastSignIn, disabled: u.disabled === true });
const STATUS: Record<UserError['kind'], number> = { invalid: 400, exists: 409, missing: 404, 'last-admin': 409, full: 409 };

function userCall<T>(fn: () => T, field?: Partial<Record<UserError['kind'], string>>): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof UserError) throw new ApiError(STATUS[e.kind], e.message, field?.[e.kind]);
    throw e;
  }
}

async function passwordHashOf(password: string): Promise<string> {
  const problem = passwordProblem(password);
  if (problem) throw new ApiError(400, problem, 'password');
  return hashPassword(password);
}

async function addUser(ctx: ServerContext, request: FastifyRequest) {
  const b = request.body as { name: string; role: Role; password: string };
  const hash = await passwordHashOf(b.password);
  return publicUser(userCall(() => ctx.users.add(b.name, b.role, hash), { invalid: 'name', exists: 'name' }));
}

async function changeUser(ctx: ServerContext, request: FastifyRequest) {
  const { name } = request.params as { name: string };
  const b = request.body as { role?: Role; password?: string; disabled?: boolean };
  if (b.role === undefined && b.password === undefined && b.disabled === undefined) throw new ApiError(400, 'give a role, a password, disabled, or several');
  const hash = b.password === undefined ? undefined : await passwordHashOf(b.password);
  let u = userCall(() => (b.role !== undefined ? ctx.users.setRole(name, b.role) : ctx.users.get(name)));
  if (!u) throw new ApiError(404, `no user ${name.slice(0, 80)}`);
  if (hash !== undefined) {
    u = userCall(() => ctx.users.setPassword(name, hash));
    ctx.sessions.endUser(u.name);
  }
  if (b.disabled !== undefined && b.disabled !== (u.disabled === true)) {
    u = userCall(() => ctx.users.setDisabled(name, b.disabled!));
    if (b.disabled) ctx.sessions.endUser(u.name);
  }
  return publicUser(u);
}

async function setOidcDisabled(ctx: ServerContext, request: FastifyRequest) {
  const b = request.body as { subject: string; disabled: boolean };
  const u = userCall(() => ctx.users.setOidcDisabled(b.subject, b.disabled));
  if (b.disabled) ctx.sessions.endSubject(u.subject);
  return oidcPublic(u);
}

async function removeUser(ctx: ServerContext, request: FastifyRequest) {
  const { name } = request.params as { name: string };
  const u = userCall(() => ctx.users.remove(name));
  ctx.sessions.endUser(u.name);
  return { removed: u.name };
}

/** An RFC 3339 time of the audit filter (a date alone is midnight UTC), or a 400 naming the parameter. */
function timeParam(text: string | undefined, name: string): number | undefined {
  if (!text) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(text) ? Date.parse(text.replace(' ', 'T')) : NaN;
  if (!Number.isFinite(ms)) throw new ApiError(400, `${name} must be an RFC 3339 time such as 2026-12-07T20:00:00Z, got '${text.slice(0, 40)}'`, name);
  return ms;
}

const nameParam = (request: FastifyRequest) => (request.params as { name: string }).name.toLowerCase();

export const USER_ROUTES: ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/users',
    role: 'admin',
    tag: 'users',
    summary: 'Local accounts (name, role, when created and last changed, disabled; never the password hash) and the people the OpenID Connect provider signed in (subject, name, role at the last sign-in, disabled).',
    response: { description: 'users and oidcUsers', schema: { type: 'object', properties: { users: { type: 'array', items: USER }, oidcUsers: { type: 'array', items: OIDC_USER } } } },
    handler: async (ctx) => ({ users: ctx.users.list().map(publicUser), oidcUsers: ctx.users.oidcUsers().map(oidcPublic) }),
  },
  {
    method: 'POST',
    url: '/api/users',
    role: 'admin',
    tag: 'users',
    summary: 'Add a local account (the password is hashed with scrypt; at least 12 characters).',
    body: obj({ name: str(64, { minLength: 1 }), role: ROLE, password: str(MAX_PASSWORD_LENGTH, { minLength: 1 }) }, ['name', 'role', 'password']),
    response: { description: 'the user', schema: USER },
    writes: true,
    audit: { action: 'user.add', target: (request) => (request.body as { name: string }).name.toLowerCase(), detail: (request) => `role ${(request.body as { role: string }).role}` },
    handler: (ctx, request) => addUser(ctx, request),
  },
  {
    method: 'POST',
    url: '/api/users/:name',
    role: 'admin',
    tag: 'users',
    summary: "Change an account's role, password or disabled state; a new password or disabling ends the account's sessions. The last enabled admin cannot be demoted or disabled.",
    params: obj({ name: str(64) }, ['name']),
    body: obj({ role: ROLE, password: str(MAX_PASSWORD_LENGTH, { minLength: 1 }), disabled: { type: 'boolean' } }),
    response: { description: 'the user', schema: USER },
    writes: true,
    audit: {
      action: 'user.change',
      target: nameParam,
      detail: (request) => {
        const b = request.body as { role?: string; password?: string; disabled?: boolean };
        return [b.role !== undefined ? `role ${b.role}` : '', b.password !== undefined ? 'new password' : '', b.disabled === undefined ? '' : b.disabled ? 'disabled' : 'enabled'].filter(Boolean).join(', ');
      },
    },
    handler: (ctx, request) => changeUser(ctx, request),
  },
  {
    method: 'POST',
    url: '/api/oidc-users',
    role: 'admin',
    tag: 'users',
    summary: 'Disable or enable someone the OpenID Connect provider signs in (by subject, iss#sub): disabled, their sessions end and the callback refuses them.',
    body: obj({ subject: str(500, { minLength: 1 }), disabled: { type: 'boolean' } }, ['subject', 'disabled']),
    response: { description: 'the person', schema: OIDC_USER },
    writes: true,
    audit: { action: 'oidc-user.change', target: (request) => (request.body as { subject: string }).subject, detail: (request) => ((request.body as { disabled: boolean }).disabled ? 'disabled' : 'enabled') },
    handler: (ctx, request) => setOidcDisabled(ctx, request),
  },
  {
    method: 'DELETE',
    url: '/api/users/:name',
    role: 'admin',
    tag: 'users',
    summary: 'Remove an account and end its sessions. The last admin cannot be removed.',
    params: obj({ name: str(64) }, ['name']),
    response: { description: 'the removed name' },
    writes: true,
    audit: { action: 'user.remove', target: nameParam },
    handler: (ctx, request) => removeUser(ctx, request),
  },
  {
    method: 'GET',
    url: '/api/audit',
    role: 'admin',
    tag: 'users',
    summary: 'The audit log, newest first, a page at a time: who (actor, via, role), what (action, target, outcome, detail), when and from where.',
    querystring: obj({ limit: int(1, MAX_AUDIT_PAGE), offset: int(0, 100_000_000), actor: str(200), action: str(100), since: str(40, { description: 'RFC 3339: entries at or after' }), until: str(40, { description: 'RFC 3339: entries before' }) }),
    response: { description: 'entries and the offset of the next page (null at the end)', schema: { type: 'object', properties: { entries: { type: 'array', items: { type: 'object' } }, next: { type: ['integer', 'null'] } } } },
    handler: async (ctx, request) => {
      const q = request.query as { limit?: number; offset?: number; actor?: string; action?: string; since?: string; until?: string };
      const sinceMs = timeParam(q.since, 'since');
      const untilMs = timeParam(q.until, 'until');
      return ctx.audit.read({
        limit: q.limit ?? 100, offset: q.offset ?? 0, ...(q.actor ? { actor: q.actor } : {}), ...(q.action ? { action: q.action } : {}),
        ...(sinceMs !== undefined ? { sinceMs } : {}), ...(untilMs !== undefined ? { untilMs } : {}),
      });
    },
  },
];
