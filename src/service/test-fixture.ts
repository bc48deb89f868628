/**
 * Real processes for the service tests: the CLI spawned from dist/, a long-running owner started
 * and stopped by its pid, a small generated scenario.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectToService } from './client.js';
import { ROUTES, type OwnerStatus } from './protocol.js';
import { serviceFileFor } from './service-file.js';

export const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js');

export interface CliRun {
  stdout: string;
  stderr: string;
  code: number | null;
  ms: number;
}

/** Runs `packettrail …` to its end in `cwd`, with `input` as its standard input. */
export function cli(args: readonly string[], o: { cwd: string; input?: Buffer; env?: NodeJS.ProcessEnv; onSpawn?: (c: ChildProcess) => void }): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: o.cwd, env: { ...process.env, ...o.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ stdout, stderr, code, ms: Date.now() - started }));
    child.stdin.on('error', () => {});
    child.stdin.end(o.input ?? Buffer.alloc(0));
    o.onSpawn?.(child);
  });
}

export interface Owner {
  child: ChildProcess;
  /** Everything it printed on stderr so far. */
  stderr(): string;
  /** Sends the signal and resolves once it has exited: its exit code, stderr and how long it took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; stderr: string; ms: number }>;
}

/**
 * Starts a long-running packettrail (serve, collect) in `cwd` and resolves once it holds `db`
 * (its service file is there) and `ready` matches what it printed.
 */
export async function startOwner(args: readonly string[], o: { cwd: string; db: string; ready?: RegExp; timeoutMs?: number }): Promise<Owner> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: o.cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  const file = join(o.cwd, serviceFileFor(o.db));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited ${child.exitCode}: ${stderr}`);
    if (existsSync(file) && (!o.ready || o.ready.test(stderr))) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${args.join(' ')} did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    stderr: () => stderr,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      const started = Date.now();
      if (child.exitCode === null) child.kill(signal);
      const code = await exited;
      return { code, stderr, ms: Date.now() - started };
    },
  };
}

/** Waits until `fn` holds, checking every 50 ms, at most `ms`. */
export async function until(fn: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What the owner of `db` (relative to `cwd`) is doing now, asked on its socket as a command would. */
export async function ownerStatus(cwd: string, db: string): Promise<OwnerStatus> {
  const client = await connectToService(join(cwd, db));
  if (!client) throw new Error(`no packettrail holds ${db} in ${cwd}`);
  try {
    return await client.call<OwnerStatus>('GET', ROUTES.status);
  } finally {
    client.close();
  }
}

/** Waits until the owner's status satisfies `fn` (a command's query reached it, a job is running), at most `ms`. */
export async function untilStatus(cwd: string, db: string, fn: (s: OwnerStatus) => boolean, ms: number, what: string): Promise<OwnerStatus> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = await ownerStatus(cwd, db);
    if (fn(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
