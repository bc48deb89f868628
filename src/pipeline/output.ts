import { access, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import type { RunSummary, SourceStats } from './stats.js';

/**
 * Something the run writes (dead letters, events, staged rows, NDJSON output, bookkeeping) could not
 * be written. The run stops there: going on would read records it can no longer keep or report.
 */
export class OutputError extends Error {
  constructor(
    /** What could not be written, as the user knows it: `the dead-letter file x.ndjson`. */
    readonly target: string,
    cause: unknown,
  ) {
    super(`cannot write ${target}: ${reasonOf(cause)}`, { cause });
  }
}

/**
 * The run was asked to stop (Ctrl-C, SIGTERM): it stops as it does on a failed write — what is staged
 * is stored, the summary counts what was stored — but nothing failed. The abort reason of
 * `RunOptions.signal`.
 */
export class RunInterrupted extends Error {
  /** `message`: why, when not the signal itself (the process that holds the database shutting down). */
  constructor(readonly signal: string = 'SIGINT', message?: string) {
    super(message ?? `interrupted by ${signal === 'SIGINT' ? 'Ctrl-C (SIGINT)' : signal}`);
  }
}

/** Why a run stops early. */
export type StopCause = OutputError | RunInterrupted;

/** The signal's reason as a RunInterrupted (an AbortSignal aborted without one still stops the run). */
export function interruption(signal: AbortSignal): RunInterrupted {
  return signal.reason instanceof RunInterrupted ? signal.reason : new RunInterrupted('interrupted');
}

/** A run stopped (a failed write, an interruption) while it was reading a source: what that source came to so far. */
export class RunStopped extends Error {
  constructor(
    readonly stats: SourceStats,
    readonly output: StopCause,
  ) {
    super(`${stats.source}: ${output.message}`, { cause: output });
  }
}

/**
 * Records a write failure found after the sources were read (the last flush, bookkeeping, a close):
 * the first one stops the run, later ones are kept beside it. Other errors are thrown.
 */
export function stopRun(summary: RunSummary, e: unknown): void {
  if (!(e instanceof OutputError || e instanceof RunInterrupted)) throw e;
  if (!summary.stopped) summary.stopped = { reason: e.message, unread: 0, ...(e instanceof RunInterrupted ? { interrupted: e.signal } : {}) };
  else if (summary.stopped.reason !== e.message && !summary.stopped.later?.includes(e.message)) (summary.stopped.later ??= []).push(e.message);
}

/** The error as an OutputError about `target`, unless it already is one (which names its own target). */
export function asOutputError(target: string, e: unknown): OutputError {
  return e instanceof OutputError ? e : new OutputError(target, e);
}

function reasonOf(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = (e as NodeJS.ErrnoException).code;
  // fs errors already start with their code (`ENOSPC: no space left on device, write`).
  return code && !e.message.startsWith(code) ? `${code}: ${e.message}` : e.message;
}

/**
 * Checks before a run that a file can be created or appended to: its directory exists and is
 * writable, and the file, if it exists, is not a directory and is writable. A disk that fills up
 * later is only found when writing (see OutputError).
 */
export async function checkWritableFile(path: string, what: string): Promise<void> {
  const dir = dirname(path);
  try {
    const d = await stat(dir);
    if (!d.isDirectory()) throw new Error(`${dir} is not a directory`);
    await access(dir, constants.W_OK);
  } catch (e) {
    throw new OutputError(`${what} ${path}`, (e as NodeJS.ErrnoException).code === 'ENOENT' ? new Error(`directory ${dir} does not exist`) : e);
  }
  try {
    const f = await stat(path);
    if (f.isDirectory()) throw new Error(`${path} is a directory`);
    await access(path, constants.W_OK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new OutputError(`${what} ${path}`, e);
  }
}

/**
 * Writes to a stream, honouring its backpressure: resolves at once when the stream takes more,
 * else on 'drain', or on 'error'/'close' when it fails (the caller's own 'error' listener records
 * why; a failed stream never drains, and waiting for it alone hung the run).
 */
export function writeFully(out: Writable, data: string | Uint8Array): Promise<void> {
  // A destroyed stream emits its 'error' before 'close': wait for it, so the caller knows why.
  if (out.destroyed) return out.closed ? Promise.resolve() : new Promise((resolve) => out.once('close', () => resolve()));
  if (out.write(data)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('error', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('error', done);
    out.on('close', done);
  });
}
