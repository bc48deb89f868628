import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { listFormats } from '../formats/registry.js';
import { Rng } from '../generate/random.js';
import { buildBatch, DEFAULT_BATCH, renderBatch, type Batch, type BatchOptions, type CaseRecord } from './batch.js';
import { checkRun, type Finding } from './check.js';
import type { CaseConfig } from './child.js';
import { loadCorpus, type SeedGroup } from './corpus.js';
import { CHILD_SCRIPT, CLI_SCRIPT, DEFAULT_LIMITS, runCases, type Limits, type PreparedCase } from './execute.js';
import { minimize } from './minimize.js';
import { MUTATORS } from './mutate.js';

/**
 * A fuzzing campaign, in rounds: each round builds one batch per format (case `<seed>/<n>` always
 * builds the same batch), runs them in child processes and checks every one. A new kind of failure is
 * minimized to the records that cause it and written as a reproducer. Runs until the time budget is
 * spent (a round that has started is finished) or the number of cases asked for has run.
 */

export interface FuzzOptions {
  seed: string;
  budgetMs: number;
  /**
   * Cases to run at most (the last round is cut to it): with a budget too large to reach, the same
   * cases run however loaded the machine is — what a test needs.
   */
  maxCases?: number | undefined;
  /** Format ids to fuzz (default: every format in the catalog). */
  formats?: string[] | undefined;
  /** Where reproducers are written; none when absent. */
  outDir?: string | undefined;
  /** Rounds run at once (each is a process with its own parser threads). */
  jobs: number;
  limits: Limits;
  batch: BatchOptions;
  /** ../shared, for the Elastic and OTRF seeds. */
  sharedDir?: string | undefined;
  /** Candidate runs spent shrinking one new failure at most (hangs: a sixth of it). */
  minimizeRuns: number;
  log?: ((line: string) => void) | undefined;
}

export const DEFAULT_MINIMIZE_RUNS = 48;
const HEAVY = new RegExp(`(?:^|\\] |envelope )(?:${MUTATORS.filter((m) => m.heavy).map((m) => m.name).join('|')}|envelope-bomb)$`);
/** Threads each case's pipeline gets (what `--threads` defaults to on a two-core machine). */
const CASE_THREADS = 2;

export interface RecordedFinding extends Finding {
  /** Cases that failed this way. */
  count: number;
  caseId: string;
  /** The records of the minimized batch, as written. */
  records: { line: number; kind: CaseRecord['kind']; origin: string; applied: string[]; preview: string }[];
  /** Records in the failing batch before minimizing. */
  recordsBefore: number;
  batch: Omit<Batch, 'records'>;
  reproducer?: string | undefined;
}

export interface FuzzReport {
  seed: string;
  cases: number;
  ms: number;
  perFormat: Record<string, { cases: number; failed: number }>;
  findings: RecordedFinding[];
  /** Hangs that did not happen again when the batch was run once more (a loaded machine): reported, not findings. */
  unconfirmed: RecordedFinding[];
  /** The longest cases: near-hangs show here before they reach the timeout. */
  slowest: { caseId: string; format: string; mode: string; shape: string; ms: number }[];
}

const SLOWEST_KEPT = 5;

function inputName(batch: Batch): string {
  const base = batch.name.replace(/[^\w./-]/g, '_').replace(/\.\.+/g, '.').replace(/^\/+/, '');
  return `input/${base}${batch.shape.startsWith('gzip') ? '.gz' : ''}`;
}

/** Writes a batch's input into `dir` and says how to run it there (paths relative to `dir` when `relative`). */
function prepare(dir: string, batch: Batch, relative = false): PreparedCase {
  mkdirSync(dir, { recursive: true });
  const input = inputName(batch);
  mkdirSync(join(dir, input, '..'), { recursive: true });
  writeFileSync(join(dir, input), renderBatch(batch).bytes);
  const at = (name: string) => (relative ? name : join(dir, name));
  const stdin = batch.via === 'stdin';
  const config: CaseConfig = {
    mode: batch.mode, input: stdin ? '-' : at(input), format: batch.runFormat, threads: CASE_THREADS, events: at('events.ndjson'),
    deadLetter: at('dead-letter.ndjson'), report: at('report.json'), db: batch.mode === 'ingest' ? at('case.duckdb') : undefined,
    chunkChars: batch.chunkChars, maxLineChars: batch.maxLineChars,
  };
  return { config, stdinPath: stdin ? at(input) : undefined };
}

/** Runs batches (each in a directory of its own under `root`) and returns each one's findings and time. */
async function runBatches(root: string, batches: readonly Batch[], limits: Limits): Promise<{ findings: Finding[]; ms: number }[]> {
  const dir = mkdtempSync(join(root, 'round-'));
  try {
    const prepared = batches.map((b, i) => prepare(join(dir, `case-${i}`), b));
    const results = await runCases(dir, prepared, limits);
    return batches.map((b, i) => ({ findings: checkRun(b, renderBatch(b), results[i]!, limits), ms: results[i]!.ms }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Characters of a record shown in a report (the reproducer file holds it whole). */
const PREVIEW_CHARS = 1000;

function preview(b: Buffer): string {
  const text = b.toString('utf8');
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…[${b.length} bytes]` : text;
}

/** Writes the minimized input, the case list for the child driver and a description; returns the directory. */
function writeReproducer(outDir: string, batch: Batch, f: RecordedFinding): string {
  const dir = resolve(outDir, `${f.kind}-${f.format}-${batch.id}`.replace(/[^\w.-]/g, '_'));
  rmSync(dir, { recursive: true, force: true });
  const { config, stdinPath } = prepare(dir, batch, true);
  writeFileSync(join(dir, 'cases.json'), JSON.stringify([config], null, 2) + '\n');
  const cli = CLI_SCRIPT;
  const stdin = stdinPath ? ` < ${stdinPath}` : '';
  const args = `--format ${batch.runFormat} --dead-letter dead-letter.ndjson ${config.input}${stdin}`;
  const command = batch.mode === 'ingest' ? `node ${cli} ingest --db case.duckdb ${args}` : `node ${cli} normalize ${args} > events.ndjson`;
  const reproduce = {
    in: dir,
    exact: batch.mode === 'cli' ? command : `node --max-old-space-size=${DEFAULT_LIMITS.heapMb} ${CHILD_SCRIPT} cases.json${stdin}`,
    cli: batch.chunkChars || batch.maxLineChars ? `${command}  (the case also sets chunkChars/maxLineChars: see cases.json)` : command,
  };
  writeFileSync(join(dir, 'finding.json'), JSON.stringify({ ...f, reproduce }, null, 2) + '\n');
  return dir;
}

/** Format ids with seeds; unknown ids are an error. */
function formatsToFuzz(corpus: Map<string, SeedGroup[]>, wanted?: string[]): string[] {
  const all = listFormats().map((f) => f.id);
  for (const id of wanted ?? []) if (!all.includes(id)) throw new Error(`unknown format '${id}' (known: ${all.join(', ')})`);
  return (wanted?.length ? wanted : all).filter((id) => corpus.get(id)?.length);
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const corpus = loadCorpus(o.sharedDir);
  // The budget is for cases: loading the seeds (a second or two) comes before.
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const formats = formatsToFuzz(corpus, o.formats);
  const root = mkdtempSync(join(tmpdir(), 'packettrail-fuzz-'));
  const report: FuzzReport = { seed: o.seed, cases: 0, ms: 0, perFormat: Object.fromEntries(formats.map((f) => [f, { cases: 0, failed: 0 }])), findings: [], unconfirmed: [], slowest: [] };
  const bySignature = new Map<string, RecordedFinding>();
  let next = 0;
  // New failures are minimized one at a time: two rounds must not shrink the same bug twice.
  let minimizing = Promise.resolve();

  const shrink = async (batch: Batch, f: Finding): Promise<{ records: CaseRecord[]; confirmed: boolean }> => {
    const rendered = renderBatch(batch);
    const pointed = (f.lines ?? []).slice(0, 3).map((line) => batch.records[rendered.recordLine.findLastIndex((start) => start <= line)]).filter((r) => r !== undefined);
    // A failure that names no line (a hang, a crash) most likely comes from the expensive records.
    const suspects = pointed.length ? pointed : batch.records.filter((r) => r.applied.some((a) => HEAVY.test(a)));
    const headers = batch.records.filter((r) => r.kind === 'header');
    const firstFailing = async (candidates: CaseRecord[][]) => {
      const found = await runBatches(root, candidates.map((records) => ({ ...batch, records })), o.limits);
      return found.findIndex((r) => r.findings.some((g) => g.signature === f.signature));
    };
    const budget = f.kind === 'timeout' ? Math.ceil(o.minimizeRuns / 6) : o.minimizeRuns;
    const shrunk = await minimize(batch.records, firstFailing, budget, [...new Set([...headers, ...suspects])]);
    // A hang that no smaller batch repeated may be the machine's load: the whole batch is run once more.
    const confirmed = shrunk.reproduced || f.kind !== 'timeout' || (await firstFailing([batch.records])) === 0;
    return { records: shrunk.items, confirmed };
  };

  const record = async (batch: Batch, findings: Finding[]) => {
    for (const f of findings) {
      const known = bySignature.get(f.signature);
      if (known) {
        known.count++;
        continue;
      }
      const { records: _records, ...shape } = batch;
      const entry: RecordedFinding = { ...f, count: 1, caseId: batch.id, records: [], recordsBefore: batch.records.length, batch: shape };
      bySignature.set(f.signature, entry);
      const { records, confirmed } = await shrink(batch, f);
      (confirmed ? report.findings : report.unconfirmed).push(entry);
      const minimal = { ...batch, records };
      const lines = renderBatch(minimal).recordLine;
      entry.records = minimal.records.map((r, i) => ({ line: lines[i]!, kind: r.kind, origin: r.origin, applied: r.applied, preview: preview(r.bytes) }));
      if (o.outDir) entry.reproducer = writeReproducer(o.outDir, minimal, entry);
      o.log?.(`${confirmed ? 'finding' : 'unconfirmed'} ${entry.kind} ${entry.format} (case ${batch.id}, ${minimal.records.length} of ${batch.records.length} records): ${entry.detail.split('\n')[0]!.slice(0, 200)}`);
    }
  };

  const casesLeft = () => (o.maxCases ?? Infinity) - next;
  const worker = async () => {
    while (elapsed() < o.budgetMs && casesLeft() > 0) {
      const batches = formats.slice(0, Math.min(formats.length, casesLeft())).map(() => {
        const caseNo = next++;
        const id = `${o.seed}-${caseNo}`;
        const format = formats[caseNo % formats.length]!;
        return buildBatch(new Rng(id), id, format, corpus.get(format)!, o.batch);
      });
      const results = await runBatches(root, batches, o.limits);
      for (let i = 0; i < batches.length; i++) {
        const batch = batches[i]!;
        const { findings, ms } = results[i]!;
        report.cases++;
        report.perFormat[batch.format]!.cases++;
        report.slowest.push({ caseId: batch.id, format: batch.format, mode: batch.mode, shape: batch.shape, ms: Math.round(ms) });
        report.slowest = report.slowest.sort((a, b) => b.ms - a.ms).slice(0, SLOWEST_KEPT);
        if (!findings.length) continue;
        report.perFormat[batch.format]!.failed++;
        const done = minimizing.then(() => record(batch, findings));
        minimizing = done.catch(() => {});
        await done;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, o.jobs) }, worker));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  report.ms = elapsed();
  return report;
}

export function defaultFuzzOptions(seed: string, budgetMs: number): FuzzOptions {
  return { seed, budgetMs, jobs: 1, limits: DEFAULT_LIMITS, batch: DEFAULT_BATCH, minimizeRuns: DEFAULT_MINIMIZE_RUNS };
}

/** The end-of-run summary: cases, findings by kind and per format, and each distinct finding. */
export function renderFuzzReport(r: FuzzReport): string {
  const lines = [`fuzz seed ${r.seed}: ${r.cases} cases in ${(r.ms / 1000).toFixed(1)} s, ${r.findings.length} distinct findings`];
  const byKind = new Map<string, number>();
  for (const f of r.findings) byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + f.count);
  if (byKind.size) lines.push(`failed cases by kind: ${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  lines.push('per format:              cases  failed');
  for (const [format, c] of Object.entries(r.perFormat)) lines.push(`  ${format.padEnd(22)} ${String(c.cases).padStart(6)} ${String(c.failed).padStart(6)}`);
  if (r.slowest.length) lines.push(`slowest cases: ${r.slowest.map((c) => `${c.caseId} ${c.format} ${c.mode} ${c.shape} ${(c.ms / 1000).toFixed(1)} s`).join('; ')}`);
  if (r.unconfirmed.length) lines.push(`unconfirmed (did not happen again): ${r.unconfirmed.map((f) => `${f.kind} ${f.format} case ${f.caseId}`).join('; ')}`);
  for (const f of r.findings) {
    const b = f.batch;
    lines.push('', `[${f.kind}] ${f.format} ×${f.count} (case ${f.caseId}; ${f.records.length} of ${f.recordsBefore} records; ${b.shape}, ${b.mode}, ${b.via}, --format ${b.runFormat}${b.chunkChars ? `, chunks of ${b.chunkChars}` : ''}${b.maxLineChars ? `, lines up to ${b.maxLineChars}` : ''})`);
    lines.push(`  ${f.detail.split('\n').slice(0, 6).join('\n  ')}`);
    for (const rec of f.records.slice(0, 3)) lines.push(`  line ${rec.line} (${rec.kind}, ${rec.origin}; ${rec.applied.join(', ') || 'unmutated'}): ${JSON.stringify(rec.preview)}`);
    if (f.records.length > 3) lines.push(`  … ${f.records.length - 3} more records`);
    if (f.reproducer) lines.push(`  reproducer: ${f.reproducer}`);
  }
  return lines.join('\n');
}
