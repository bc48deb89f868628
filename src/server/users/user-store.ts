import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync, fsyncSync } from 'node:fs';
import { isRole, type Role } from './roles.js';

/** One local account. `stamp` changes with the password: sessions made before it are no longer valid. */
export interface UserRecord {
  name: string;
  role: Role;
  passwordHash: string;
  created: string;
  updated: string;
  stamp: string;
  /** A disabled account cannot sign in and its sessions end; it keeps its name, role and password. */
  disabled?: boolean;
}

/** What the API and the CLI show of an account (never the hash). */
export type PublicUser = Pick<UserRecord, 'name' | 'role' | 'created' | 'updated'> & { disabled: boolean };
export const publicUser = (u: UserRecord): PublicUser => ({ name: u.name, role: u.role, created: u.created, updated: u.updated, disabled: u.disabled === true });

/**
 * Someone who signed in through the OpenID Connect provider, recorded at each sign-in so admins can
 * see them and disable them here (the provider keeps deciding their role). Keyed by the provider's
 * `iss#sub`: the display name is whatever claim the provider sent and may change.
 */
export interface OidcUserRecord {
  subject: string;
  name: string;
  /** The role the provider's claims mapped to at the last sign-in. */
  role: Role;
  firstSignIn: string;
  lastSignIn: string;
  disabled?: boolean;
}

export class UserError extends Error {
  constructor(
    readonly kind: 'invalid' | 'exists' | 'missing' | 'last-admin' | 'full',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Where accounts are kept. The console server and the `users` CLI share it, possibly from two
 * processes at once; the event store's engine (DuckDB, ClickHouse) plays no part, so accounts work
 * the same whichever store holds the events, and a read-only database still has sign-in.
 */
export interface UserStore {
  count(): number;
  get(name: string): UserRecord | undefined;
  list(): UserRecord[];
  add(name: string, role: Role, passwordHash: string): UserRecord;
  setRole(name: string, role: Role): UserRecord;
  setPassword(name: string, passwordHash: string): UserRecord;
  remove(name: string): UserRecord;
  /** Disables or enables a local account; a disabled one's stamp changes, so its sessions end. */
  setDisabled(name: string, disabled: boolean): UserRecord;
  /** The people the identity provider signed in, newest sign-in first. */
  oidcUsers(): OidcUserRecord[];
  oidcUser(subject: string): OidcUserRecord | undefined;
  /** Records an OIDC sign-in (new person, or name and role as the provider sends them now). */
  recordOidcSignIn(subject: string, name: string, role: Role): OidcUserRecord;
  setOidcDisabled(subject: string, disabled: boolean): OidcUserRecord;
}

/** People the provider signed in, kept at most (the least recently signed in are dropped first). */
export const MAX_OIDC_USERS = 10_000;

export const MAX_USERS = 10_000;
/** Letters, digits and `._@-`, starting with a letter or digit; compared without case. */
export const USER_NAME = /^[a-z0-9][a-z0-9._@-]{0,63}$/;
/** How long a writer waits for another's lock, and when a lock left by a crashed writer is taken over. */
export const LOCK_WAIT_MS = 5_000;
export const STALE_LOCK_MS = 30_000;

/** Accounts live in a JSON file beside the database, mode 0600. */
export const usersFileFor = (db: string) => `${db}.users.json`;

export function userNameOf(text: string): string {
  const name = text.trim().toLowerCase();
  if (!USER_NAME.test(name)) throw new UserError('invalid', `a user name is 1 to 64 letters, digits or . _ @ -, starting with a letter or digit; got '${text.slice(0, 80)}'`);
  return name;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function validOidcRecord(u: unknown): u is OidcUserRecord {
  const r = u as OidcUserRecord;
  return !!r && typeof r === 'object' && typeof r.subject === 'string' && typeof r.name === 'string' && isRole(r.role) && typeof r.lastSignIn === 'string';
}

interface UsersFile {
  users: UserRecord[];
  oidc: OidcUserRecord[];
}

const enabledAdmin = (u: UserRecord) => u.role === 'admin' && u.disabled !== true;

function validRecord(u: unknown): u is UserRecord {
  const r = u as UserRecord;
  return !!r && typeof r === 'object' && typeof r.name === 'string' && USER_NAME.test(r.name) && isRole(r.role) && typeof r.passwordHash === 'string' && typeof r.stamp === 'string';
}

/**
 * The users file: read again whenever it changed on disk (a `users` command run beside the server
 * takes effect on the next request); every change is a read-modify-write under a lock file, written
 * to a temporary file and renamed, so a reader never sees half a file and two writers lose nothing.
 */
export class FileUserStore implements UserStore {
  private cached: { key: string; data: UsersFile } | undefined;

  constructor(readonly file: string) {}

  private read(): UserRecord[] {
    return this.readFile().users;
  }

  private readFile(): UsersFile {
    if (!existsSync(this.file)) return { users: [], oidc: [] };
    const st = statSync(this.file);
    const key = `${st.ino}:${st.size}:${st.mtimeMs}`;
    if (this.cached?.key === key) return this.cached.data;
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (e) {
      throw new Error(`users file ${this.file} is not readable JSON: ${(e as Error).message}`);
    }
    const list = (data as { users?: unknown })?.users;
    if (!Array.isArray(list)) throw new Error(`users file ${this.file}: expected {"version":1,"users":[…]}`);
    const bad = list.findIndex((u) => !validRecord(u));
    if (bad >= 0) throw new Error(`users file ${this.file}: user #${bad + 1} lacks a valid name, role, passwordHash or stamp`);
    const oidc = (data as { oidc?: unknown }).oidc ?? [];
    if (!Array.isArray(oidc)) throw new Error(`users file ${this.file}: "oidc" must be a list`);
    const badOidc = oidc.findIndex((u) => !validOidcRecord(u));
    if (badOidc >= 0) throw new Error(`users file ${this.file}: OpenID Connect user #${badOidc + 1} lacks a valid subject, name, role or lastSignIn`);
    this.cached = { key, data: { users: list as UserRecord[], oidc: oidc as OidcUserRecord[] } };
    return this.cached.data;
  }

  private locked<T>(fn: (users: UserRecord[]) => { users: UserRecord[]; result: T }): T {
    return this.lockedFile((data) => {
      const { users, result } = fn(data.users);
      return { data: { users, oidc: data.oidc }, result };
    });
  }

  private lockedFile<T>(fn: (data: UsersFile) => { data: UsersFile; result: T }): T {
    const lock = `${this.file}.lock`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    let fd: number | undefined;
    while (fd === undefined) {
      try {
        fd = openSync(lock, 'wx', 0o600);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        try {
          if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) unlinkSync(lock);
        } catch {
          /* gone meanwhile */
        }
        if (Date.now() > deadline) throw new Error(`users file ${this.file} is locked by another writer (${lock}); try again`);
        sleep(20);
      }
    }
    try {
      this.cached = undefined;
      const { data, result } = fn(this.readFile());
      const tmp = `${this.file}.${process.pid}.tmp`;
      const out = openSync(tmp, 'w', 0o600);
      try {
        writeSync(out, JSON.stringify({ version: 1, users: data.users, ...(data.oidc.length ? { oidc: data.oidc } : {}) }, null, 2) + '\n');
        fsyncSync(out);
      } finally {
        closeSync(out);
      }
      renameSync(tmp, this.file);
      this.cached = undefined;
      return result;
    } finally {
      closeSync(fd);
      unlinkSync(lock);
    }
  }

  count(): number {
    return this.read().length;
  }

  get(name: string): UserRecord | undefined {
    const n = name.toLowerCase();
    return this.read().find((u) => u.name === n);
  }

  list(): UserRecord[] {
    return [...this.read()].sort((a, b) => a.name.localeCompare(b.name));
  }

  add(name: string, role: Role, passwordHash: string): UserRecord {
    const n = userNameOf(name);
    return this.locked((users) => {
      if (users.some((u) => u.name === n)) throw new UserError('exists', `user ${n} already exists`);
      if (users.length >= MAX_USERS) throw new UserError('full', `at most ${MAX_USERS} users`);
      const now = new Date().toISOString();
      const user: UserRecord = { name: n, role, passwordHash, created: now, updated: now, stamp: randomBytes(12).toString('base64url') };
      return { users: [...users, user], result: user };
    });
  }

  private change(name: string, edit: (u: UserRecord) => UserRecord | undefined): UserRecord {
    const n = name.toLowerCase();
    return this.locked((users) => {
      const old = users.find((u) => u.name === n);
      if (!old) throw new UserError('missing', `no user ${n.slice(0, 80)}`);
      const changed = edit(old);
      const rest = users.filter((u) => u !== old);
      const after = changed ? [...rest, changed] : rest;
      // An enabled admin must remain while there are accounts: otherwise nobody could manage them from the console.
      if (enabledAdmin(old) && after.length > 0 && !after.some(enabledAdmin)) {
        throw new UserError('last-admin', `${n} is the last enabled admin: make another user admin first`);
      }
      return { users: after, result: changed ?? old };
    });
  }

  setRole(name: string, role: Role): UserRecord {
    return this.change(name, (u) => ({ ...u, role, updated: new Date().toISOString() }));
  }

  setPassword(name: string, passwordHash: string): UserRecord {
    return this.change(name, (u) => ({ ...u, passwordHash, updated: new Date().toISOString(), stamp: randomBytes(12).toString('base64url') }));
  }

  remove(name: string): UserRecord {
    return this.change(name, () => undefined);
  }

  setDisabled(name: string, disabled: boolean): UserRecord {
    return this.change(name, (u) => {
      const { disabled: _was, ...rest } = u;
      // A new stamp: sessions started before are no longer valid, whichever process checks them.
      return { ...rest, ...(disabled ? { disabled: true } : {}), updated: new Date().toISOString(), stamp: disabled ? randomBytes(12).toString('base64url') : u.stamp };
    });
  }

  oidcUsers(): OidcUserRecord[] {
    return [...this.readFile().oidc].sort((a, b) => b.lastSignIn.localeCompare(a.lastSignIn));
  }

  oidcUser(subject: string): OidcUserRecord | undefined {
    return this.readFile().oidc.find((u) => u.subject === subject);
  }

  recordOidcSignIn(subject: string, name: string, role: Role): OidcUserRecord {
    return this.lockedFile((data) => {
      const now = new Date().toISOString();
      const old = data.oidc.find((u) => u.subject === subject);
      const record: OidcUserRecord = { ...(old ?? { subject, firstSignIn: now }), name, role, lastSignIn: now };
      let oidc = [...data.oidc.filter((u) => u !== old), record];
      if (oidc.length > MAX_OIDC_USERS) {
        // Disabled people are kept (dropping them would let them back in); of the rest the least recent go.
        const droppable = oidc.filter((u) => u.disabled !== true && u !== record).sort((a, b) => a.lastSignIn.localeCompare(b.lastSignIn));
        const drop = new Set(droppable.slice(0, oidc.length - MAX_OIDC_USERS));
        oidc = oidc.filter((u) => !drop.has(u));
      }
      return { data: { users: data.users, oidc }, result: record };
    });
  }

  setOidcDisabled(subject: string, disabled: boolean): OidcUserRecord {
    return this.lockedFile((data) => {
      const old = data.oidc.find((u) => u.subject === subject);
      if (!old) throw new UserError('missing', `nobody signed in as ${subject.slice(0, 200)}`);
      const { disabled: _was, ...rest } = old;
      const record: OidcUserRecord = { ...rest, ...(disabled ? { disabled: true } : {}) };
      return { data: { users: data.users, oidc: data.oidc.map((u) => (u === old ? record : u)) }, result: record };
    });
  }
}
