#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { SHARED_DIR } from '../testing/shared.js';
import { DEFAULT_BATCH } from './batch.js';
import { DEFAULT_MINIMIZE_RUNS, renderFuzzReport, runFuzz } from './campaign.js';
import { DEFAULT_LIMITS } from './execute.js';

/**
 * `npm run fuzz -- --seed N --budget 60s [--cases N] [--format id …] [--out dir] [--jobs n]`: a seeded, time-bounded
 * mutation-fuzzing campaign over every format's samples (see campaign.ts). Exits 1 when anything was
 * found; reproducers go under --out (default fuzz-findings/).
 */

const USAGE = `usage: npm run fuzz -- [--seed S] [--budget 60s] [--cases N] [--format id]… [--out dir] [--jobs n]
  --seed S          seed of the campaign: the same seed builds the same cases (default 1)
  --budget T        time to spend, as 90s, 5m or milliseconds (default 60s)
  --cases N         stop after N cases even if time is left (the same N cases for a seed, however fast)
  --format id       fuzz only this format (repeatable; default every format)
  --out dir         where reproducers of findings are written (default fuzz-findings)
  --jobs n          cases run at once (default 1; each uses up to 3 threads)
  --timeout T       a case still running after this is a hang (default ${DEFAULT_LIMITS.timeoutMs / 1000}s)
  --heap-mb n       --max-old-space-size of each case process (default ${DEFAULT_LIMITS.heapMb})
  --rss-mb n        peak resident memory of a case above this is a finding (default ${DEFAULT_LIMITS.rssMb})
  --no-shared       do not read ../shared (Elastic and OTRF samples) even when present`;

function duration(text: string, name: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`${name} must be a duration like 90s, 5m or 60000, got '${text}'`);
  const n = Number(m[1]);
  return n * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 'ms'] ?? 1);
}

function positive(text: string, name: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number, got '${text}'`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '1' },
      budget: { type: 'string', default: '60s' },
      cases: { type: 'string' },
      format: { type: 'string', multiple: true },
      out: { type: 'string', default: 'fuzz-findings' },
      jobs: { type: 'string', default: '1' },
      timeout: { type: 'string' },
      'heap-mb': { type: 'string' },
      'rss-mb': { type: 'string' },
      'no-shared': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const limits = {
    timeoutMs: values.timeout ? duration(values.timeout, '--timeout') : DEFAULT_LIMITS.timeoutMs,
    heapMb: values['heap-mb'] ? positive(values['heap-mb'], '--heap-mb') : DEFAULT_LIMITS.heapMb,
    rssMb: values['rss-mb'] ? positive(values['rss-mb'], '--rss-mb') : DEFAULT_LIMITS.rssMb,
  };
  const report = await runFuzz({
    seed: values.seed, budgetMs: duration(values.budget, '--budget'), maxCases: values.cases ? positive(values.cases, '--cases') : undefined, formats: values.format, outDir: values.out,
    jobs: positive(values.jobs, '--jobs'), limits, batch: DEFAULT_BATCH, sharedDir: values['no-shared'] ? undefined : SHARED_DIR,
    minimizeRuns: DEFAULT_MINIMIZE_RUNS, log: (line) => process.stderr.write(line + '\n'),
  });
  process.stdout.write(renderFuzzReport(report) + '\n');
  return report.findings.length ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`fuzz: ${(e as Error).message}\n${USAGE}\n`);
    process.exitCode = 2;
  },
);
