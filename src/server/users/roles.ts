/**
 * Who may do what in the console. Each role includes the ones before it:
 * - viewer: reads (alerts, trails, dashboards, sources, saved searches, the schema);
 * - analyst: also runs queries, saves and deletes searches, changes alerts' triage state;
 * - admin: also manages users and reads the audit log.
 * API routes declare the least role they need (src/server/routes/define.ts); `public` routes are the
 * sign-in endpoints, which anyone may reach.
 */
export const ROLES = ['viewer', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export type RouteRole = Role | 'public';

export const isRole = (v: unknown): v is Role => typeof v === 'string' && (ROLES as readonly string[]).includes(v);

/** Whether `have` is at least `need`. */
export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** A role from the command line or a config, or an error that lists the roles. */
export function roleOf(text: string, what = 'role'): Role {
  if (!isRole(text)) throw new Error(`${what} must be one of ${ROLES.join(', ')}, got '${text.slice(0, 50)}'`);
  return text;
}
