import { closeSync, existsSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

/** One state change (or attempt): who, what, when, from where. */
export interface AuditEntry {
  /** RFC 3339, UTC. */
  time: string;
  /** The user name; `token` for the bearer token, `local` for a token-less loopback console, the OS user for the CLI. */
  actor: string;
  /** How the actor was authenticated. */
  via: 'password' | 'oidc' | 'token' | 'loopback' | 'cli' | 'anonymous';
  role?: string;
  /** The client address (`local` for the CLI). */
  address: string;
  /** `sign-in`, `sign-out`, `user.add`, `search.save`, `query`… */
  action: string;
  target?: string;
  outcome: 'ok' | 'failed' | 'denied';
  detail?: string;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** The offset of the next page, or null at the oldest entry. */
  next: number | null;
}

export interface AuditFilter {
  limit: number;
  offset: number;
  actor?: string;
  action?: string;
  /** Entries at or after this time (epoch ms). */
  sinceMs?: number;
  /** Entries before this time (epoch ms). */
  untilMs?: number;
}

/**
 * The audit log: append-only. The API and the CLI read it newest first, a page at a time. Like
 * accounts, it does not live in the event store: a read-only database is still audited, and it
 * works whichever engine holds the events.
 */
export interface AuditLog {
  append(entry: Omit<AuditEntry, 'time'>): void;
  read(filter: AuditFilter): AuditPage;
}

export const auditFileFor = (db: string) => `${db}.audit.ndjson`;
/** Longest detail kept per entry (a query's text, an error). */
export const MAX_AUDIT_DETAIL = 2_000;
/** Pages of the audit log: at most this many entries. */
export const MAX_AUDIT_PAGE = 1_000;
const CHUNK = 64 * 1024;
/** A line longer than this is not an entry this code wrote: skipped when read. */
const MAX_LINE = 64 * 1024;

const clip = (s: string | undefined, n: number) => (s === undefined ? undefined : s.length > n ? `${s.slice(0, n)}…` : s);

/**
 * NDJSON, one entry per line, opened in append mode (O_APPEND: concurrent writers, the server and the
 * CLI, never overwrite each other) and created 0600. Writes are synchronous: when an entry cannot be
 * written, the change it records fails with the error instead of going unrecorded.
 */
export class FileAuditLog implements AuditLog {
  constructor(
    readonly file: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  append(entry: Omit<AuditEntry, 'time'>): void {
    const e: AuditEntry = { time: this.now().toISOString(), ...entry };
    const detail = clip(e.detail, MAX_AUDIT_DETAIL);
    if (detail !== undefined) e.detail = detail;
    const target = clip(e.target, 500);
    if (target !== undefined) e.target = target;
    const fd = openSync(this.file, 'a', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(e)}\n`);
    } finally {
      closeSync(fd);
    }
  }

  read(f: AuditFilter): AuditPage {
    const entries: AuditEntry[] = [];
    if (!existsSync(this.file)) return { entries, next: null };
    let matched = 0;
    let more = false;
    for (const line of linesBackward(this.file)) {
      let e: AuditEntry;
      try {
        e = JSON.parse(line) as AuditEntry;
      } catch {
        continue;
      }
      if ((f.actor && e.actor !== f.actor) || (f.action && e.action !== f.action)) continue;
      if (f.sinceMs !== undefined || f.untilMs !== undefined) {
        const t = Date.parse(e.time);
        if (!(t >= (f.sinceMs ?? -Infinity) && t < (f.untilMs ?? Infinity))) continue;
      }
      if (matched++ < f.offset) continue;
      if (entries.length === f.limit) {
        more = true;
        break;
      }
      entries.push(e);
    }
    return { entries, next: more ? f.offset + entries.length : null };
  }
}

/** The file's lines, last first, read in 64 KiB chunks from the end. */
function* linesBackward(file: string): Generator<string> {
  const fd = openSync(file, 'r');
  try {
    let pos = fstatSync(fd).size;
    let rest = Buffer.alloc(0);
    const buf = Buffer.alloc(CHUNK);
    while (pos > 0) {
      const n = Math.min(CHUNK, pos);
      pos -= n;
      readSync(fd, buf, 0, n, pos);
      let data = Buffer.concat([buf.subarray(0, n), rest]);
      let end = data.length;
      for (let i = data.length - 1; i >= 0; i--) {
        if (data[i] !== 0x0a) continue;
        if (end > i + 1) yield data.subarray(i + 1, end).toString('utf8');
        end = i;
      }
      rest = data.subarray(0, end);
      // A line longer than any entry: drop what was gathered of it.
      if (rest.length > MAX_LINE) rest = Buffer.alloc(0);
      data = Buffer.alloc(0);
    }
    if (rest.length) yield rest.toString('utf8');
  } finally {
    closeSync(fd);
  }
}
