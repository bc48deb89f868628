import { useApi } from './hooks.ts';
import type { SessionInfo } from './signin.tsx';

/** Roles in order: each includes the ones before it (src/server/users/roles.ts). */
const ROLE_ORDER = ['viewer', 'analyst', 'admin'];

/**
 * Who is signed in (the token and the token-less loopback console count too, with their role), so a
 * page offers only what the role may do. The server decides: a refused change still says why.
 */
export function useRole(): { role: string | undefined; name: string | undefined; loading: boolean } {
  const session = useApi<SessionInfo>('/api/auth/session');
  return { role: session.data?.user?.role, name: session.data?.user?.name, loading: session.loading };
}

export const roleAtLeast = (have: string | undefined, need: string): boolean => have !== undefined && ROLE_ORDER.indexOf(have) >= ROLE_ORDER.indexOf(need);
