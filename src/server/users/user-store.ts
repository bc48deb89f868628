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
}

/** What the API and the CLI show of an account (never the hash). */
export type PublicUser = Pick<UserRecord, 'name' | 'role' | 'created' | 'updated'>;
export const publicUser = (u: UserRecord): PublicUser => ({ name: u.name, role: u.role, created: u.created, updated: u.updated });

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
}

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
  private cached: { key: string; users: UserRecord[] } | undefined;

  constructor(readonly file: string) {}

  private read(): UserRecord[] {
    if (!existsSync(this.file)) return [];
    const st = statSync(this.file);
    const key = `${st.ino}:${st.size}:${st.mtimeMs}`;
    if (this.cached?.key === key) return this.cached.users;
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
    this.cached = { key, users: list as UserRecord[] };
    return this.cached.users;
  }

  private locked<T>(fn: (users: UserRecord[]) => { users: UserRecord[]; result: T }): T {
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
      const { users, result } = fn(this.read());
      const tmp = `${this.file}.${process.pid}.tmp`;
      const out = openSync(tmp, 'w', 0o600);
      try {
        writeSync(out, JSON.stringify({ version: 1, users }, null, 2) + '\n');
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
      // An admin must remain while there are accounts: otherwise nobody could manage them from the console.
      if (old.role === 'admin' && after.length > 0 && !after.some((u) => u.role === 'admin')) {
        throw new UserError('last-admin', `${n} is the last admin: make another user admin first`);
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
}
