import type { FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { ApiError } from '../errors.js';
import { MAX_AUDIT_PAGE } from '../users/audit.js';
import { hashPassword, MAX_PASSWORD_LENGTH, passwordProblem } from '../users/passwords.js';
import { ROLES, type Role } from '../users/roles.js';
import { publicUser, UserError } from '../users/user-store.js';
import { int, obj, str, type ApiRoute } from './define.js';

const ROLE = { type: 'string', enum: [...ROLES] };
const USER = obj({ name: str(64), role: ROLE, created: str(40), updated: str(40) });
const STATUS: Record<UserError['kind'], number> = { invalid: 400, exists: 409, missing: 404, 'last-admin': 409, full: 409 };

function userCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof UserError) throw new ApiError(STATUS[e.kind], e.message);
    throw e;
  }
}

async function passwordHashOf(password: string): Promise<string> {
  const problem = passwordProblem(password);
  if (problem) throw new ApiError(400, problem);
  return hashPassword(password);
}

async function addUser(ctx: ServerContext, request: FastifyRequest) {
  const b = request.body as { name: string; role: Role; password: string };
  const hash = await passwordHashOf(b.password);
  return publicUser(userCall(() => ctx.users.add(b.name, b.role, hash)));
}

async function changeUser(ctx: ServerContext, request: FastifyRequest) {
  const { name } = request.params as { name: string };
  const b = request.body as { role?: Role; password?: string };
  if (b.role === undefined && b.password === undefined) throw new ApiError(400, 'give a role, a password or both');
  const hash = b.password === undefined ? undefined : await passwordHashOf(b.password);
  let u = userCall(() => (b.role !== undefined ? ctx.users.setRole(name, b.role) : ctx.users.get(name)));
  if (!u) throw new ApiError(404, `no user ${name.slice(0, 80)}`);
  if (hash !== undefined) {
    u = userCall(() => ctx.users.setPassword(name, hash));
    ctx.sessions.endUser(u.name);
  }
  return publicUser(u);
}

async function removeUser(ctx: ServerContext, request: FastifyRequest) {
  const { name } = request.params as { name: string };
  const u = userCall(() => ctx.users.remove(name));
  ctx.sessions.endUser(u.name);
  return { removed: u.name };
}

const nameParam = (request: FastifyRequest) => (request.params as { name: string }).name.toLowerCase();

export const USER_ROUTES: ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/users',
    role: 'admin',
    tag: 'users',
    summary: 'Local accounts: name, role, when created and last changed (never the password hash).',
    response: { description: 'users', schema: { type: 'object', properties: { users: { type: 'array', items: USER } } } },
    handler: async (ctx) => ({ users: ctx.users.list().map(publicUser) }),
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
    summary: "Change an account's role and/or password; a new password ends the account's sessions. The last admin cannot be demoted.",
    params: obj({ name: str(64) }, ['name']),
    body: obj({ role: ROLE, password: str(MAX_PASSWORD_LENGTH, { minLength: 1 }) }),
    response: { description: 'the user', schema: USER },
    writes: true,
    audit: {
      action: 'user.change',
      target: nameParam,
      detail: (request) => { const b = request.body as { role?: string; password?: string }; return [b.role !== undefined ? `role ${b.role}` : '', b.password !== undefined ? 'new password' : ''].filter(Boolean).join(', '); },
    },
    handler: (ctx, request) => changeUser(ctx, request),
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
    querystring: obj({ limit: int(1, MAX_AUDIT_PAGE), offset: int(0, 100_000_000), actor: str(200), action: str(100) }),
    response: { description: 'entries and the offset of the next page (null at the end)', schema: { type: 'object', properties: { entries: { type: 'array', items: { type: 'object' } }, next: { type: ['integer', 'null'] } } } },
    handler: async (ctx, request) => {
      const q = request.query as { limit?: number; offset?: number; actor?: string; action?: string };
      return ctx.audit.read({ limit: q.limit ?? 100, offset: q.offset ?? 0, ...(q.actor ? { actor: q.actor } : {}), ...(q.action ? { action: q.action } : {}) });
    },
  },
];
