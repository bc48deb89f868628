import { createHash, randomBytes } from 'node:crypto';
import type { Role } from './roles.js';

/** Sign-in sessions: how long one lasts idle and at most, and how many the server keeps. */
export interface SessionLimits {
  /** Ends a session nobody used for this long. */
  idleMs: number;
  /** Ends any session this long after sign-in, however busy. */
  absoluteMs: number;
  /** Sessions kept in all; the least recently used goes first when full. */
  maxSessions: number;
  /** Sessions of one user; their oldest goes first. */
  maxPerUser: number;
}

export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 3600_000;
export const MAX_SESSIONS = 10_000;
export const MAX_SESSIONS_PER_USER = 20;
export const DEFAULT_SESSION_LIMITS: Readonly<SessionLimits> = { idleMs: SESSION_IDLE_MS, absoluteMs: SESSION_ABSOLUTE_MS, maxSessions: MAX_SESSIONS, maxPerUser: MAX_SESSIONS_PER_USER };

/** Who a session is for. Local accounts are checked against the users file on every request (role, stamp). */
export interface SessionSubject {
  user: string;
  role: Role;
  via: 'password' | 'oidc';
  /** The account's stamp at sign-in (local accounts): a new password ends older sessions. */
  stamp?: string;
  /** The identity provider's subject (OIDC). */
  subject?: string;
}

export interface Session extends SessionSubject {
  created: number;
  lastSeen: number;
  /** SHA-256 of the CSRF token given with the session. */
  csrfHash: string;
}

/** 256 random bits, base64url. */
export const randomToken = () => randomBytes(32).toString('base64url');
export const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('base64url');

/**
 * Sessions in memory, keyed by the SHA-256 of their id: the ids themselves (in the browser's cookie)
 * are never kept, so neither a heap dump nor a log line of this map lets anyone sign in. A restart
 * ends every session (sign in again); nothing about sessions is written to disk.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  /** A new session: its id (for the cookie) and CSRF token (for the page). */
  create(subject: SessionSubject): { id: string; csrf: string; session: Session } {
    this.sweep();
    const mine = [...this.sessions].filter(([, s]) => s.user === subject.user).sort((a, b) => a[1].lastSeen - b[1].lastSeen);
    while (mine.length >= this.limits.maxPerUser) this.sessions.delete(mine.shift()![0]);
    while (this.sessions.size >= this.limits.maxSessions) this.sessions.delete(this.leastRecent()!);
    const id = randomToken();
    const csrf = randomToken();
    const t = this.now();
    const session: Session = { ...subject, created: t, lastSeen: t, csrfHash: sha256(csrf) };
    this.sessions.set(sha256(id), session);
    return { id, csrf, session };
  }

  /** The live session of this id (touched), or undefined (expired ones are dropped). */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const key = sha256(id);
    const s = this.sessions.get(key);
    if (!s) return undefined;
    const t = this.now();
    if (this.expired(s, t)) {
      this.sessions.delete(key);
      return undefined;
    }
    s.lastSeen = t;
    return s;
  }

  delete(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const key = sha256(id);
    const s = this.sessions.get(key);
    this.sessions.delete(key);
    return s;
  }

  /** Ends every session of a user (removed, or a new password set here). */
  endUser(user: string): number {
    let n = 0;
    for (const [k, s] of this.sessions) if (s.user === user && this.sessions.delete(k)) n++;
    return n;
  }

  /** Ends every session signed in through the provider as this `iss#sub` (disabled here). */
  endSubject(subject: string): number {
    let n = 0;
    for (const [k, s] of this.sessions) if (s.via === 'oidc' && s.subject === subject && this.sessions.delete(k)) n++;
    return n;
  }

  private expired(s: Session, t: number): boolean {
    return t - s.lastSeen >= this.limits.idleMs || t - s.created >= this.limits.absoluteMs;
  }

  private sweep(): void {
    const t = this.now();
    for (const [k, s] of this.sessions) if (this.expired(s, t)) this.sessions.delete(k);
  }

  private leastRecent(): string | undefined {
    let key: string | undefined;
    let seen = Infinity;
    for (const [k, s] of this.sessions) if (s.lastSeen < seen) [key, seen] = [k, s.lastSeen];
    return key;
  }
}
