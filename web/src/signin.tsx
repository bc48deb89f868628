import { useState } from 'preact/hooks';
import { api, ApiFailure } from './api.ts';
import { useApi } from './hooks.ts';

/** What GET /api/auth/session answers. */
export interface SessionInfo {
  accounts: boolean;
  oidc: boolean;
  user: { name: string; role: string; via: string } | null;
}

/** Sign-in with a local account, and with the identity provider when the server offers it. */
export function SignInForm({ oidc }: { oidc: boolean }) {
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const back = encodeURIComponent(location.pathname + location.search);
  return (
    <form
      class="token"
      onSubmit={async (e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget as HTMLFormElement);
        setBusy(true);
        try {
          await api('/api/auth/login', { method: 'POST', body: { user: String(form.get('user') ?? ''), password: String(form.get('password') ?? '') } });
          location.reload();
        } catch (x) {
          setError(x instanceof ApiFailure ? x.message : String(x));
          setBusy(false);
        }
      }}
    >
      <h1>Sign in</h1>
      <p>
        <label>
          User <input name="user" autocomplete="username" required maxLength={200} />
        </label>
      </p>
      <p>
        <label>
          Password <input name="password" type="password" autocomplete="current-password" required maxLength={1024} />
        </label>
      </p>
      {error && <p role="alert">{error}</p>}
      <button type="submit" disabled={busy}>
        Sign in
      </button>
      {oidc && (
        <p>
          or <a href={`/api/auth/oidc/start?return=${back}`}>sign in with your identity provider</a>
        </p>
      )}
    </form>
  );
}

/** The signed-in user and a sign-out button; nothing when the console has no accounts. */
export function UserMenu() {
  const session = useApi<SessionInfo>('/api/auth/session');
  const user = session.data?.user;
  if (!user || user.via === 'loopback' || user.via === 'token') return null;
  return (
    <span class="user-menu">
      <span class="muted">
        {user.name} · {user.role}
      </span>{' '}
      <button
        type="button"
        onClick={async () => {
          await api('/api/auth/logout', { method: 'POST' }).catch(() => undefined);
          location.reload();
        }}
      >
        Sign out
      </button>
    </span>
  );
}
