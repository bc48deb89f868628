import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { ErrorBox, Loading } from '../components/bits.tsx';
import { FieldError, invalid, useFormErrors } from '../components/field-errors.tsx';
import { timeText } from '../format.ts';
import { useApi } from '../hooks.ts';
import { roleAtLeast, useRole } from '../session.ts';

/**
 * Admins manage who may use the console (src/server/routes/users.ts): local accounts (create, role,
 * disable or enable, new password) and the people the identity provider signed in (disable or
 * enable; their role comes from the provider). Disabling ends the person's sessions at once.
 */
interface LocalUser {
  name: string;
  role: string;
  created: string;
  updated: string;
  disabled: boolean;
}

interface OidcUser {
  subject: string;
  name: string;
  role: string;
  firstSignIn: string;
  lastSignIn: string;
  disabled: boolean;
}

const ROLES = ['viewer', 'analyst', 'admin'];
const ADD_FIELDS = ['name', 'role', 'password'] as const;

/** The page for a non-admin: what it is and why it is not shown. */
export function AdminOnly({ page, role }: { page: string; role: string | undefined }) {
  return (
    <section>
      <h1>{page}</h1>
      <p class="notice" data-testid="admin-only">
        The {page.toLowerCase()} page is for admins{role ? ` (you are ${role})` : ''}.
      </p>
    </section>
  );
}

function AddUser({ onAdded }: { onAdded: (name: string) => void }) {
  const { errors, run } = useFormErrors(ADD_FIELDS);
  const [draft, setDraft] = useState({ name: '', role: 'viewer', password: '' });
  const submit = async (e: Event) => {
    e.preventDefault();
    if (await run(() => api('/api/users', { method: 'POST', body: draft }))) {
      onAdded(draft.name);
      setDraft({ name: '', role: 'viewer', password: '' });
    }
  };
  return (
    <form class="panel" onSubmit={submit} noValidate aria-labelledby="add-user-title" data-testid="add-user">
      <h2 id="add-user-title">Add a local account</h2>
      <div class="form-row">
        <label for="add-name">name</label>
        <input id="add-name" autocomplete="off" value={draft.name} onInput={(e) => setDraft({ ...draft, name: (e.currentTarget as HTMLInputElement).value })} {...invalid('add', 'name', errors)} />
        <FieldError form="add" field="name" errors={errors} />
      </div>
      <div class="form-row">
        <label for="add-role">role</label>
        <select id="add-role" value={draft.role} onChange={(e) => setDraft({ ...draft, role: (e.currentTarget as HTMLSelectElement).value })}>
          {ROLES.map((r) => (
            <option value={r}>{r}</option>
          ))}
        </select>
        <FieldError form="add" field="role" errors={errors} />
      </div>
      <div class="form-row">
        <label for="add-password">password</label>
        <input id="add-password" type="password" autocomplete="new-password" value={draft.password} onInput={(e) => setDraft({ ...draft, password: (e.currentTarget as HTMLInputElement).value })} {...invalid('add', 'password', errors)} />
        <FieldError form="add" field="password" errors={errors} />
      </div>
      <ErrorBox error={errors.form} />
      <button type="submit" class="primary">
        Add account
      </button>
    </form>
  );
}

/** A new password for one account (its sessions end). */
function ResetPassword({ name, onDone }: { name: string; onDone: (message: string) => void }) {
  const form = `reset-${name}`;
  const { errors, run } = useFormErrors(['password']);
  const [password, setPassword] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    if (await run(() => api(`/api/users/${encodeURIComponent(name)}`, { method: 'POST', body: { password } }))) onDone(`New password set for ${name}; their sessions ended.`);
  };
  return (
    <form class="form-row" onSubmit={submit} noValidate data-testid="reset-password">
      <label for={`${form}-password`}>new password for {name}</label>
      <input id={`${form}-password`} type="password" autocomplete="new-password" value={password} onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)} {...invalid(form, 'password', errors)} />
      <button type="submit">Set password</button>
      <FieldError form={form} field="password" errors={errors} />
      <ErrorBox error={errors.form} />
    </form>
  );
}

export function UsersPage() {
  const me = useRole();
  const admin = roleAtLeast(me.role, 'admin');
  const [reload, setReload] = useState(0);
  const users = useApi<{ users: LocalUser[]; oidcUsers: OidcUser[] }>(admin ? '/api/users' : null, reload);
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();
  const [resetting, setResetting] = useState<string>();
  if (me.loading && !me.role) return <Loading when />;
  if (!admin) return <AdminOnly page="Users" role={me.role} />;
  const change = async (what: string, path: string, body: unknown) => {
    setError(undefined);
    setMessage(undefined);
    try {
      await api(path, { method: 'POST', body });
      setMessage(what);
    } catch (e) {
      setError((e as Error).message);
    }
    setReload((n) => n + 1);
  };
  const local = (name: string) => `/api/users/${encodeURIComponent(name)}`;
  return (
    <section>
      <h1>Users</h1>
      <ErrorBox error={users.error ?? error} />
      {message && (
        <p class="notice" role="status" data-testid="users-message">
          {message}
        </p>
      )}
      <Loading when={users.loading && !users.data} />
      <h2>Local accounts</h2>
      {users.data && !users.data.users.length && <p class="muted">No local accounts: the console is open on loopback until the first one is added.</p>}
      {users.data && users.data.users.length > 0 && (
        <table class="list" data-testid="local-users">
          <thead>
            <tr>
              <th scope="col">name</th>
              <th scope="col">role</th>
              <th scope="col">state</th>
              <th scope="col">created</th>
              <th scope="col">changed</th>
              <th scope="col">
                <span class="sr-only">actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.data.users.map((u) => (
              <tr data-testid="local-user">
                <td>{u.name}</td>
                <td>
                  <select aria-label={`role of ${u.name}`} value={u.role} onChange={(e) => {
                    const role = (e.currentTarget as HTMLSelectElement).value;
                    void change(`${u.name} is now ${role}.`, local(u.name), { role });
                  }}>
                    {ROLES.map((r) => (
                      <option value={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td data-testid="user-state">{u.disabled ? 'disabled' : 'enabled'}</td>
                <td>{timeText(u.created)}</td>
                <td>{timeText(u.updated)}</td>
                <td class="row-actions">
                  <button type="button" class="link" aria-label={`${u.disabled ? 'enable' : 'disable'} ${u.name}`} onClick={() => change(u.disabled ? `${u.name} is enabled.` : `${u.name} is disabled; their sessions ended.`, local(u.name), { disabled: !u.disabled })}>
                    {u.disabled ? 'enable' : 'disable'}
                  </button>{' '}
                  <button type="button" class="link" aria-expanded={resetting === u.name} aria-label={`reset password: ${u.name}`} onClick={() => setResetting(resetting === u.name ? undefined : u.name)}>
                    reset password
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {resetting && <ResetPassword key={resetting} name={resetting} onDone={(m) => { setResetting(undefined); setMessage(m); setReload((n) => n + 1); }} />}
      <AddUser onAdded={(name) => { setMessage(`Added ${name}.`); setReload((n) => n + 1); }} />
      <h2>Signed in through the identity provider</h2>
      {users.data && !users.data.oidcUsers.length && <p class="muted">Nobody has signed in through OpenID Connect.</p>}
      {users.data && users.data.oidcUsers.length > 0 && (
        <table class="list" data-testid="oidc-users">
          <thead>
            <tr>
              <th scope="col">name</th>
              <th scope="col">subject</th>
              <th scope="col">role (from the provider)</th>
              <th scope="col">state</th>
              <th scope="col">first sign-in</th>
              <th scope="col">last sign-in</th>
              <th scope="col">
                <span class="sr-only">actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.data.oidcUsers.map((u) => (
              <tr data-testid="oidc-user">
                <td class="wrap">{u.name}</td>
                <td class="wrap">{u.subject}</td>
                <td>{u.role}</td>
                <td data-testid="user-state">{u.disabled ? 'disabled' : 'enabled'}</td>
                <td>{timeText(u.firstSignIn)}</td>
                <td>{timeText(u.lastSignIn)}</td>
                <td class="row-actions">
                  <button type="button" class="link" aria-label={`${u.disabled ? 'enable' : 'disable'} ${u.name}`} onClick={() => change(u.disabled ? `${u.name} is enabled.` : `${u.name} is disabled; their sessions ended.`, '/api/oidc-users', { subject: u.subject, disabled: !u.disabled })}>
                    {u.disabled ? 'enable' : 'disable'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
