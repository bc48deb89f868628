/** The console's only way to the server: JSON over /api/, with the access token when there is one. */

const TOKEN_KEY = 'packettrail.token';

/** A token given as `#token=…` is kept for the tab and removed from the address bar (never sent in a Referer or logged). */
export function adoptTokenFromFragment(): void {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!m) return;
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]!));
  history.replaceState(history.state, '', location.pathname + location.search);
}

export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The request property the server found at fault (a form shows the message beside it). */
    readonly field?: string,
  ) {
    super(message);
  }
}

const listeners = new Set<() => void>();
/** Called when the server answers 401: the app shows the token form. */
export function onUnauthorized(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export async function api<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  // A signed-in session's changes carry its CSRF token (the server checks it against the session).
  const csrf = /(?:^|;\s*)(?:__Host-)?packettrail-csrf=([^;]+)/.exec(document.cookie)?.[1];
  if (csrf && (init.method ?? 'GET') !== 'GET') headers['x-packettrail-csrf'] = decodeURIComponent(csrf);
  const res = await fetch(path, { method: init.method ?? 'GET', headers, body: init.body === undefined ? null : JSON.stringify(init.body), signal: init.signal ?? null });
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    if (res.status === 401) for (const fn of listeners) fn();
    const message = data && typeof data === 'object' && 'error' in data ? String((data as { error: unknown }).error) : `${res.status} ${res.statusText}`;
    const field = data && typeof data === 'object' && 'field' in data && typeof (data as { field: unknown }).field === 'string' ? (data as { field: string }).field : undefined;
    throw new ApiFailure(res.status, message, field);
  }
  return data as T;
}

/** `?a=1&b=2` from the defined entries. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}
