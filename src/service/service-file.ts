import { randomBytes } from 'node:crypto';
import { lstatSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { PROTOCOL_VERSION, type OwnerRole } from './protocol.js';

/**
 * `<db>.service.json`: how commands find the process that holds the database. Written by the owner
 * once it holds DuckDB's lock and listens (mode 0600, written whole to a temporary name and renamed),
 * removed when it stops. A file left by an owner that died is stale: commands ignore it (its pid is
 * gone, or whoever has that pid now does not answer on the socket with the instance and the token),
 * and the next owner removes it.
 */
export interface ServiceFile {
  protocol: number;
  pid: number;
  /** Random per start: a pid reused by another process cannot pass for the owner. */
  instance: string;
  socket: string;
  token: string;
  role: OwnerRole;
  /** packettrail's version, for messages. */
  version: string;
  startedAt: string;
}

export const serviceFileFor = (db: string) => `${db}.service.json`;

/** Linux's sun_path holds 108 bytes with the terminating NUL; macOS's 104: stay below both. */
export const MAX_SOCKET_PATH_BYTES = 100;

export interface SocketPlace {
  path: string;
  /** A private directory made for it (removed with the socket), when the database's own is too deep. */
  dir?: string;
}

/**
 * Where the owner listens: beside the database (`<db>.service.sock`), or, when that path is too long
 * for a socket address, in a new private directory (0700) under $XDG_RUNTIME_DIR or the system's
 * temporary directory.
 */
export function socketPlaceFor(db: string, env: NodeJS.ProcessEnv = process.env): SocketPlace {
  const beside = `${resolve(db)}.service.sock`;
  if (Buffer.byteLength(beside) <= MAX_SOCKET_PATH_BYTES) return { path: beside };
  const runtime = env.XDG_RUNTIME_DIR && Buffer.byteLength(env.XDG_RUNTIME_DIR) < MAX_SOCKET_PATH_BYTES - 24 ? env.XDG_RUNTIME_DIR : tmpdir();
  const dir = mkdtempSync(join(runtime, 'packettrail-'));
  return { path: join(dir, 's.sock'), dir };
}

export function newServiceFile(socket: string, role: OwnerRole, version: string): ServiceFile {
  return {
    protocol: PROTOCOL_VERSION, pid: process.pid, instance: randomBytes(16).toString('base64url'), socket,
    token: randomBytes(32).toString('base64url'), role, version, startedAt: new Date().toISOString(),
  };
}

/** Writes the file atomically, readable and writable by its owner only. */
export function writeServiceFile(db: string, file: ServiceFile): void {
  const target = serviceFileFor(db);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}`);
  writeFileSync(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    renameSync(temp, target);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}

/** Removes the file if it is still this instance's (a later owner's file is left alone). */
export function removeServiceFile(db: string, instance: string): void {
  const path = serviceFileFor(db);
  try {
    const current = JSON.parse(readFileSync(path, 'utf8')) as Partial<ServiceFile>;
    if (current.instance === instance) unlinkSync(path);
  } catch {
    /* gone or unreadable: nothing of ours to remove */
  }
}

export type ServiceFileRead =
  | { state: 'none' }
  | { state: 'refused'; reason: string }
  | { state: 'found'; file: ServiceFile };

/**
 * Reads the service file, trusting it only when it is a regular file owned by this user and
 * readable by no one else (it holds the token); anything else is refused with the reason.
 */
export function readServiceFile(db: string): ServiceFileRead {
  const path = serviceFileFor(db);
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return { state: 'none' };
  }
  if (!st.isFile()) return { state: 'refused', reason: `${path} is not a regular file` };
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return { state: 'refused', reason: `${path} belongs to another user (uid ${st.uid})` };
  if (st.mode & 0o077) return { state: 'refused', reason: `${path} is readable or writable by others (mode ${(st.mode & 0o777).toString(8)}): it must be 600` };
  try {
    const f = JSON.parse(readFileSync(path, 'utf8')) as ServiceFile;
    if (!Number.isSafeInteger(f.pid) || typeof f.socket !== 'string' || typeof f.token !== 'string' || typeof f.instance !== 'string' || !Number.isSafeInteger(f.protocol)) {
      return { state: 'refused', reason: `${path} is not a packettrail service file` };
    }
    return { state: 'found', file: f };
  } catch (e) {
    return { state: 'refused', reason: `${path} cannot be read: ${(e as Error).message}` };
  }
}

/** True while a process with the pid exists (someone else's counts: it may still be ours under another uid). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
