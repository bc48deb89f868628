import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { renderSummary } from '../cli/summary.js';
import { makeSpec, engineFor } from '../detect/spec.js';
import { DeadLetterWriter } from '../pipeline/dead-letter.js';
import { ingest } from '../pipeline/ingest.js';
import { runPipeline, type EventSink } from '../pipeline/run.js';
import { NdjsonSink } from '../pipeline/sinks/ndjson.js';
import type { RunSummary } from '../pipeline/stats.js';
import { fieldTypeProblems } from './field-types.js';

/** Distinct type problems kept per case. */
const TYPE_SAMPLES = 10;

/**
 * Fuzz cases, run in their own process (`node --max-old-space-size=… dist/fuzz/child.js cases.json`) so
 * that a crash, an out-of-memory abort or a hang is observed by the fuzzer instead of ending it. Each
 * case does what `packettrail normalize --dead-letter <file> <input> > events.ndjson` (or `packettrail
 * ingest` with the built-in rules) does, through the same public functions, and writes its run summary
 * as JSON for the fuzzer to check. Cases run one after the other (one process start for many cases):
 * `ready` on stdout once loaded, then after each case `done <index> <peak RSS KiB>`, so a case that
 * never reports is the one that hung or brought the process down.
 */

export interface CaseConfig {
  /**
   * `normalize`: events to NDJSON (as the CLI writes them); `events`: events handed to a sink as objects,
   * whose field values are checked against the store's column types; `ingest`: into a DuckDB store;
   * `cli`: not run here but as `packettrail normalize` itself (see execute.ts).
   */
  mode: 'normalize' | 'events' | 'ingest' | 'cli';
  /** A file path, or `-` for stdin (which makes the pipeline use its worker threads). */
  input: string;
  format: string;
  threads: number;
  /** Where the events go (normalize's stdout). */
  events: string;
  deadLetter: string;
  /** Where the CaseReport goes. */
  report: string;
  /** ingest: the database file. */
  db?: string | undefined;
  chunkChars?: number | undefined;
  maxLineChars?: number | undefined;
}

export interface CaseReport {
  summary: RunSummary;
  /** The summary as the CLI prints it (rendering hostile source names and notes is exercised too). */
  rendered: string;
  /** Peak resident memory of the process so far, KiB. */
  maxRssKb: number;
  /** Mode `events`: events the sink received, and values that do not fit their column's type (a sample). */
  eventsSeen?: number;
  typeProblems?: { count: number; samples: string[] };
  /** Properties that appeared on Object.prototype / Array.prototype during the case (prototype pollution). */
  polluted: string[];
}

const prototypes: [string, object][] = [['Object.prototype', Object.prototype], ['Array.prototype', Array.prototype]];

function ownKeys(): Map<string, Set<string | symbol>> {
  return new Map(prototypes.map(([name, p]) => [name, new Set(Reflect.ownKeys(p))]));
}

async function runCase(c: CaseConfig): Promise<CaseReport> {
  const before = ownKeys();
  let summary: RunSummary;
  const extra: Partial<CaseReport> = {};
  if (c.mode === 'ingest') {
    const spec = makeSpec({ builtin: true });
    const engine = engineFor(spec);
    const result = await ingest({
      inputs: [c.input], db: c.db!, format: c.format, threads: c.threads, deadLetterPath: c.deadLetter,
      detection: { spec, engine, active: engine.rules.size > 0 },
    });
    summary = result.summary;
  } else if (c.mode === 'events') {
    const deadLetters = new DeadLetterWriter(c.deadLetter);
    const seen = { count: 0, samples: [] as string[] };
    let eventsSeen = 0;
    const sink: EventSink = {
      output: 'events',
      async write(_source, result) {
        for (const e of result.eventList ?? []) {
          eventsSeen++;
          const problems = fieldTypeProblems(String(e.event?.dataset), e);
          seen.count += problems.length;
          for (const p of problems) if (seen.samples.length < TYPE_SAMPLES && !seen.samples.includes(p)) seen.samples.push(p);
        }
      },
      async endSource() {},
    };
    summary = await runPipeline({
      inputs: [c.input], format: c.format, threads: c.threads, sink, deadLetters, chunkChars: c.chunkChars, maxLineChars: c.maxLineChars,
    });
    await deadLetters.close();
    extra.eventsSeen = eventsSeen;
    extra.typeProblems = seen;
  } else {
    const deadLetters = new DeadLetterWriter(c.deadLetter);
    const out = createWriteStream(c.events);
    summary = await runPipeline({
      inputs: [c.input], format: c.format, threads: c.threads, sink: new NdjsonSink(out), deadLetters,
      chunkChars: c.chunkChars, maxLineChars: c.maxLineChars,
    });
    await deadLetters.close();
    out.end();
    await once(out, 'finish');
  }
  const after = ownKeys();
  const polluted: string[] = [];
  for (const [name, keys] of after) for (const k of keys) if (!before.get(name)!.has(k)) polluted.push(`${name}.${String(k)}`);
  return { summary, ...extra, rendered: renderSummary(summary, c.mode === 'ingest'), maxRssKb: process.resourceUsage().maxRSS, polluted };
}

async function main(cases: CaseConfig[]): Promise<void> {
  // Loaded: the cases' clocks start now, not with the process (a second or more on a busy machine).
  process.stdout.write('ready\n');
  for (let i = 0; i < cases.length; i++) {
    const report = await runCase(cases[i]!);
    writeFileSync(cases[i]!.report, JSON.stringify(report));
    process.stdout.write(`done ${i} ${report.maxRssKb}\n`);
  }
}

// An error escaping a run is what the CLI reports as `internal error` with exit code 3.
const fatal = (e: unknown) => {
  process.stderr.write(`packettrail: internal error: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(3);
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);
main(JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as CaseConfig[]).catch(fatal);
