import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseConfig, CaseReport } from './child.js';

/** The case driver, beside this module in dist/. */
export const CHILD_SCRIPT = fileURLToPath(new URL('./child.js', import.meta.url));
/** The packettrail CLI, for cases run as `packettrail normalize` itself. */
export const CLI_SCRIPT = fileURLToPath(new URL('../cli/main.js', import.meta.url));

/** What one case may use: a heap bound for V8, a bound on resident memory, and a wall-clock bound. */
export interface Limits {
  /** `--max-old-space-size` of the case process (and of each of its worker threads), MiB. */
  heapMb: number;
  /** Peak resident memory above this is a finding even when the case finished, MiB. */
  rssMb: number;
  /** A case still running after this is killed and reported as a hang, ms. */
  timeoutMs: number;
}

export const DEFAULT_LIMITS: Limits = { heapMb: 512, rssMb: 1536, timeoutMs: 20_000 };
/** A case process that has not loaded its modules after this is reported as a hang of its first case. */
const PROCESS_START_MS = 60_000;

/** stderr kept per process: enough for a stack trace. */
const STDERR_KEPT = 64 * 1024;

export interface PreparedCase {
  config: CaseConfig;
  /** Fed to the case on stdin (its input is then `-`); such a case runs in a process of its own. */
  stdinPath?: string | undefined;
}

/** Cases that need a process of their own: stdin is one per process, and the CLI is a process. */
const solo = (c: PreparedCase) => c.stdinPath !== undefined || c.config.mode === 'cli';

export interface CaseResult {
  /** `died`: the process ended (crash, abort) during this case. */
  status: 'done' | 'timeout' | 'died';
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  /** stderr of the process (for `died`: its last words). */
  stderr: string;
  report: CaseReport | undefined;
  config: CaseConfig;
}

/**
 * Runs cases in child processes under `limits`, as few processes as possible: a case that hangs, kills
 * its process or goes over the memory bound ends that process, and the cases after it continue in a
 * new one. `dir` receives each process's case list.
 */
export async function runCases(dir: string, cases: readonly PreparedCase[], limits: Limits): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  let group = 0;
  while (results.length < cases.length) {
    const start = results.length;
    let end = start + 1;
    if (!solo(cases[start]!)) while (end < cases.length && !solo(cases[end]!)) end++;
    const c = cases[start]!;
    results.push(...(c.config.mode === 'cli' ? [await runCli(c, limits)] : await runProcess(join(dir, `cases-${group++}.json`), cases.slice(start, end), limits)));
  }
  return results;
}

/** One process over `cases`; returns the results of those it got through (at least one). */
function runProcess(listPath: string, cases: readonly PreparedCase[], limits: Limits): Promise<CaseResult[]> {
  writeFileSync(listPath, JSON.stringify(cases.map((c) => c.config)));
  const input = cases[0]!.stdinPath ? openSync(cases[0]!.stdinPath, 'r') : 'ignore';
  const child = spawn(process.execPath, [`--max-old-space-size=${limits.heapMb}`, CHILD_SCRIPT, listPath], { stdio: [input, 'pipe', 'pipe'] });
  if (typeof input === 'number') closeSync(input);
  const results: CaseResult[] = [];
  let stderr = '';
  let caseStarted = performance.now();
  let killedFor: 'timeout' | 'memory' | undefined;
  const kill = (why: 'timeout' | 'memory') => {
    killedFor = why;
    child.kill('SIGKILL');
  };
  let timer = setTimeout(() => kill('timeout'), PROCESS_START_MS);
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => {
    if (stderr.length < STDERR_KEPT) stderr += s.slice(0, STDERR_KEPT - stderr.length);
  });
  let pending = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (s: string) => {
    pending += s;
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line === 'ready' && !killedFor) {
        clearTimeout(timer);
        caseStarted = performance.now();
        timer = setTimeout(() => kill('timeout'), limits.timeoutMs);
        continue;
      }
      const m = /^done (\d+) (\d+)$/.exec(line);
      if (!m || killedFor) continue;
      const k = Number(m[1]);
      const c = cases[k]!;
      const now = performance.now();
      results.push({ status: 'done', exitCode: null, signal: null, ms: now - caseStarted, stderr: '', report: readReport(c.config.report), config: c.config });
      caseStarted = now;
      clearTimeout(timer);
      // The peak is the process's: a fresh process keeps the next cases' peaks their own.
      if (Number(m[2]) > limits.rssMb * 1024 && k < cases.length - 1) kill('memory');
      else timer = setTimeout(() => kill('timeout'), limits.timeoutMs);
    }
  });
  return new Promise((resolve) => {
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      if (results.length < cases.length && killedFor !== 'memory') {
        const c = cases[results.length]!;
        results.push({ status: killedFor === 'timeout' ? 'timeout' : 'died', exitCode, signal, ms: performance.now() - caseStarted, stderr, report: undefined, config: c.config });
      }
      resolve(results);
    });
  });
}

/**
 * `packettrail normalize --format … --dead-letter … <input> > events.ndjson`, as a user runs it: the
 * exit code and the summary on stderr are what the checks read.
 */
function runCli(c: PreparedCase, limits: Limits): Promise<CaseResult> {
  const { config } = c;
  const args = [`--max-old-space-size=${limits.heapMb}`, CLI_SCRIPT, 'normalize', '--format', config.format, '--dead-letter', config.deadLetter, '--threads', String(config.threads), config.input];
  const out = openSync(config.events, 'w');
  const input = c.stdinPath ? openSync(c.stdinPath, 'r') : 'ignore';
  const child = spawn(process.execPath, args, { stdio: [input, out, 'pipe'] });
  closeSync(out);
  if (typeof input === 'number') closeSync(input);
  const started = performance.now();
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => {
    if (stderr.length < STDERR_KEPT) stderr += s.slice(0, STDERR_KEPT - stderr.length);
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, limits.timeoutMs);
  return new Promise((resolve) => {
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ status: timedOut ? 'timeout' : 'done', exitCode, signal, ms: performance.now() - started, stderr, report: undefined, config });
    });
  });
}

function readReport(path: string): CaseReport | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as CaseReport;
  } catch {
    return undefined;
  }
}
