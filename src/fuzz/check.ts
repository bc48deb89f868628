import { existsSync, readFileSync } from 'node:fs';
import { EXIT } from '../cli/exit-codes.js';
import { getFormat } from '../formats/registry.js';
import type { SourceStats } from '../pipeline/stats.js';
import type { Batch, Rendered } from './batch.js';
import type { CaseResult, Limits } from './execute.js';

/**
 * What must hold after every case, whatever the input: the run ends (no hang, no crash, no
 * out-of-memory abort) within its memory bound; rejections carry reasons, not caught exceptions;
 * every event is valid NDJSON with its core fields; and every record is accounted for — each line
 * read is a record, a blank line or a header, and each record ends as an event, a dead letter or a
 * counted skip.
 */

export type FindingKind =
  | 'timeout' | 'oom' | 'crash' | 'memory' | 'prototype-pollution' | 'internal-error' | 'invalid-ndjson' | 'core-fields'
  | 'field-type' | 'accounting' | 'dead-letters' | 'source-error';

export interface Finding {
  kind: FindingKind;
  format: string;
  detail: string;
  /** Groups repeats of one bug: the kind, the format and the detail without its variable parts. */
  signature: string;
  /** Input lines the finding points at (dead-letter lines), when it points at any. */
  lines?: number[] | undefined;
}

/**
 * Rejection reasons that are a caught exception rather than a verdict on the record: a parser throw the
 * pipeline or a format caught is still a bug.
 */
export const INTERNAL_REASONS = /internal error|parser failure|unexpected (?:error|failure)|\n\s+at |TypeError|RangeError|ReferenceError|Maximum call stack|is not a function|Cannot read propert|undefined \(reading/;

/**
 * Formats where one record may hold several events (CloudTrail Records files, Defender batches and
 * arrays, concatenated or array-wrapped Windows events, PAN-OS JSON arrays): there, outcomes may exceed
 * records. Everywhere else a record ends exactly once.
 */
export const MULTI_EVENT_FORMATS = new Set(['aws.cloudtrail', 'microsoft.defender', 'windows.event', 'panw.panos']);

/** Skips that are not records: the pipeline subtracts them from the records read. */
const NOT_RECORDS = new Set(['blank line', 'header']);

/** The source error of a run whose format was not recognized (see pipeline/run.ts). */
const UNRECOGNIZED = /^format not recognized/;

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;
const OOM = /heap out of memory|Reached heap limit|ERR_WORKER_OUT_OF_MEMORY|Allocation failed/;

function signature(kind: FindingKind, format: string, detail: string): string {
  const general = detail
    .replace(/'[^']*'|"[^"]*"/g, '…')
    .replace(/\d+/g, 'N')
    .slice(0, 160);
  return `${kind} ${format}: ${general}`;
}

function finding(kind: FindingKind, format: string, detail: string, lines?: number[]): Finding {
  return { kind, format, detail, signature: signature(kind, format, detail), lines };
}

/** Calls `fn` with each line of a file, without holding an array of them. */
function eachLine(path: string, fn: (line: string) => void): void {
  if (!existsSync(path)) return;
  const text = readFileSync(path, 'utf8');
  for (let start = 0; start < text.length; ) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    if (end > start) fn(text.slice(start, end));
    start = end + 1;
  }
}

function stderrTail(run: CaseResult): string {
  const lines = run.stderr.trim().split('\n');
  const at = lines.findIndex((l) => /Error|error:|FATAL/.test(l));
  return lines.slice(at >= 0 ? at : Math.max(0, lines.length - 8), (at >= 0 ? at : lines.length - 8) + 8).join('\n');
}

export function checkRun(batch: Batch, rendered: Rendered, run: CaseResult, limits: Limits): Finding[] {
  const format = batch.format;
  if (run.status === 'timeout') return [finding('timeout', format, `still running after ${limits.timeoutMs} ms (killed)`)];
  if (batch.mode === 'cli') return checkCli(batch, run, limits);
  if (run.status === 'died' || !run.report) {
    const how = run.signal ? `killed by ${run.signal}` : `process exited with code ${run.exitCode} before the case finished`;
    const kind = OOM.test(run.stderr) ? 'oom' : 'crash';
    return [finding(kind, format, `${how}${kind === 'oom' ? ` (heap bound ${limits.heapMb} MB)` : ''}: ${stderrTail(run)}`)];
  }
  const found: Finding[] = [];
  const { summary, maxRssKb, polluted } = run.report;
  if (maxRssKb > limits.rssMb * 1024) found.push(finding('memory', format, `peak resident memory ${Math.round(maxRssKb / 1024)} MB, over ${limits.rssMb} MB`));
  if (polluted.length) found.push(finding('prototype-pollution', format, `new properties after the run: ${polluted.join(', ')}`));
  if (summary.sources.length !== 1 || summary.missing.length) {
    return [...found, finding('accounting', format, `one input gave ${summary.sources.length} sources and ${summary.missing.length} missing`)];
  }
  const s = summary.sources[0]!;
  found.push(...checkDeadLetters(batch, s, run, summary.deadLetters));
  if (batch.mode === 'normalize') found.push(...checkEvents(s, run));
  else if (batch.mode === 'events') {
    const { eventsSeen, typeProblems } = run.report;
    if (eventsSeen !== s.events) found.push(finding('accounting', format, `${eventsSeen} events reached the sink, the source counts ${s.events}`));
    for (const p of typeProblems?.samples ?? []) found.push(finding('field-type', s.format, p));
  } else if ((s.stored ?? 0) + (s.duplicates ?? 0) !== s.events) {
    found.push(finding('accounting', format, `${s.events} events but ${s.stored} stored + ${s.duplicates} already stored`));
  }
  found.push(...checkAccounting(batch, rendered, s));
  return found;
}

/**
 * The CLI's closing line: `total: 1,234 records, 1,200 events, 34 rejected, 0 source errors in …`, with
 * `, N kept with a field left out (…)` after the rejected count when a record lost a malformed field.
 */
const CLI_TOTAL = /^total: ([\d,]+) records?, ([\d,]+) events?, ([\d,]+) rejected(?:, [\d,]+ kept with a field left out \([^)]*\))?, ([\d,]+) source errors? in /m;
const count = (text: string) => Number(text.replace(/,/g, ''));

/**
 * `packettrail normalize` run as a command: exit code 0 when nothing was rejected, 1 when something was
 * (EXIT.REJECTED), anything else is a crash; the summary's totals must match what was written.
 */
function checkCli(batch: Batch, run: CaseResult, limits: Limits): Finding[] {
  const format = batch.format;
  if (run.signal || (run.exitCode !== EXIT.OK && run.exitCode !== EXIT.REJECTED)) {
    const kind = OOM.test(run.stderr) ? 'oom' : 'crash';
    return [finding(kind, format, `packettrail normalize ${run.signal ? `killed by ${run.signal}` : `exited with code ${run.exitCode}`}${kind === 'oom' ? ` (heap bound ${limits.heapMb} MB)` : ''}: ${stderrTail(run)}`)];
  }
  const totals = CLI_TOTAL.exec(run.stderr);
  if (!totals) return [finding('crash', format, `packettrail normalize printed no summary: ${stderrTail(run)}`)];
  const [records, events, rejected, errors] = totals.slice(1).map(count) as [number, number, number, number];
  const found: Finding[] = [];
  if (/internal error/.test(run.stderr)) found.push(finding('crash', format, `internal error on stderr: ${stderrTail(run)}`));
  const expected = rejected + errors > 0 ? EXIT.REJECTED : EXIT.OK;
  if (run.exitCode !== expected) found.push(finding('accounting', format, `exit code ${run.exitCode} after ${rejected} rejected and ${errors} source errors (expected ${expected})`));
  const s: SourceStats = { source: batch.via === 'stdin' ? 'stdin' : run.config.input, format: '', bytes: 0, records, events, rejected, skipped: {}, errors: [], warnings: [] };
  const unrecognized = /format not recognized/.test(run.stderr) ? 1 : 0;
  const letters = checkDeadLetters(batch, { ...s, errors: Array.from({ length: errors }, (_, i) => (i < unrecognized ? 'format not recognized' : '')) }, run, rejected + errors - unrecognized, false);
  const written = checkEvents({ ...s, format: batch.runFormat === 'auto' ? '' : batch.runFormat }, run, format);
  return [...found, ...letters, ...written];
}

function checkDeadLetters(batch: Batch, s: SourceStats, run: CaseResult, reported: number, knowsFormat = true): Finding[] {
  const found: Finding[] = [];
  const internal = new Map<string, number[]>();
  let count = 0;
  eachLine(run.config.deadLetter, (text) => {
    count++;
    let d: { source?: unknown; line?: unknown; format?: unknown; reason?: unknown; record?: unknown };
    try {
      d = JSON.parse(text) as typeof d;
    } catch (e) {
      found.push(finding('dead-letters', batch.format, `invalid JSON in the dead-letter file (${(e as Error).message})`));
      return;
    }
    if (typeof d.reason !== 'string' || !d.reason || typeof d.line !== 'number' || typeof d.record !== 'string' || d.source !== s.source || (knowsFormat && d.format !== s.format)) {
      found.push(finding('dead-letters', batch.format, `dead letter without its reason, line, record, source or format: ${text.slice(0, 300)}`));
      return;
    }
    if (INTERNAL_REASONS.test(d.reason)) {
      const key = d.reason.split('\n')[0]!.slice(0, 300);
      internal.set(key, [...(internal.get(key) ?? []), d.line]);
    }
  });
  for (const [reason, lines] of internal) found.push(finding('internal-error', s.format === 'unknown' || !s.format ? batch.format : s.format, reason, lines));
  // An unrecognized format is a source error noted once, with each record rejected for it: no dead letter of its own.
  const expected = s.rejected + s.errors.filter((e) => !UNRECOGNIZED.test(e)).length;
  if (count !== reported || count !== expected) {
    found.push(finding('dead-letters', batch.format, `${count} dead letters written, summary says ${reported}, source counts ${s.rejected} rejected + ${s.errors.length} source errors`));
  }
  return found;
}

function checkEvents(s: SourceStats, run: CaseResult, label: string = s.format): Finding[] {
  const found: Finding[] = [];
  let count = 0;
  let reported = 0;
  eachLine(run.config.events, (text) => {
    count++;
    if (reported >= 3) return;
    let e: { '@timestamp'?: unknown; ecs?: { version?: unknown }; event?: Record<string, unknown>; log?: { file?: { path?: unknown } } };
    try {
      e = JSON.parse(text) as typeof e;
    } catch (err) {
      reported++;
      found.push(finding('invalid-ndjson', label, `${(err as Error).message}: ${text.slice(0, 200)}`));
      return;
    }
    const problems: string[] = [];
    const ts = e['@timestamp'];
    if (typeof ts !== 'string' || !RFC3339_UTC.test(ts) || Number.isNaN(Date.parse(ts))) problems.push(`@timestamp ${JSON.stringify(ts)} is not RFC 3339 UTC`);
    if (typeof e.ecs?.version !== 'string') problems.push('no ecs.version');
    if (typeof e.event?.id !== 'string' || !e.event.id) problems.push('no event.id');
    // s.format is empty when the CLI detected the format itself (the summary does not say which).
    if (s.format ? e.event?.dataset !== s.format : typeof e.event?.dataset !== 'string') problems.push(`event.dataset ${JSON.stringify(e.event?.dataset)} is not ${s.format || 'a format id'}`);
    if (typeof e.event?.kind !== 'string' || typeof e.event?.module !== 'string' || typeof e.event?.ingested !== 'string') problems.push('no event.kind, event.module or event.ingested');
    if (e.log?.file?.path !== s.source) problems.push(`log.file.path ${JSON.stringify(e.log?.file?.path)} is not the source`);
    if (problems.length) {
      reported++;
      found.push(finding('core-fields', label, `${problems.join('; ')}: ${text.slice(0, 200)}`));
    }
  });
  if (count !== s.events) found.push(finding('accounting', label, `${count} events written, the source counts ${s.events}`));
  return found;
}

function checkAccounting(batch: Batch, rendered: Rendered, s: SourceStats): Finding[] {
  const found: Finding[] = [];
  const allowedErrors = batch.shape === 'gzip-truncated' || batch.shape === 'gzip-bomb' || (batch.runFormat === 'auto' && s.format === 'unknown');
  if (s.errors.length && !allowedErrors) found.push(finding('source-error', batch.format, s.errors.join('; ')));
  const skipped = (kind: string) => s.skipped[kind] ?? 0;
  let otherSkips = 0;
  for (const [kind, n] of Object.entries(s.skipped)) if (!NOT_RECORDS.has(kind)) otherSkips += n;
  const outcomes = s.events + s.rejected + otherSkips;
  const format = s.format === 'unknown' ? batch.format : s.format;
  const counts = `${s.records} records read, ${s.events} events + ${s.rejected} rejected + ${otherSkips} skipped`;
  if (s.format === 'unknown') {
    if (s.events || outcomes !== s.records) found.push(finding('accounting', format, `format not recognized, yet ${counts}`));
    return found;
  }
  if (MULTI_EVENT_FORMATS.has(s.format) ? outcomes < s.records : outcomes !== s.records) {
    found.push(finding('accounting', format, `${counts}: ${outcomes < s.records ? 'records disappeared' : 'more outcomes than records'}`));
  }
  if (rendered.lines === undefined || s.errors.length) return found;
  const read = s.records + skipped('blank line') + skipped('header');
  const hasEnvelopes = batch.records.some((r) => r.kind === 'envelope');
  if (batch.shape === 'document') {
    if (s.records < 1 || read > rendered.lines) found.push(finding('accounting', format, `a ${rendered.lines}-line JSON document read as ${s.records} records (+ ${read - s.records} blank or header lines)`));
  } else if (hasEnvelopes ? read < rendered.lines : read !== rendered.lines) {
    const asDocument = s.records === 1 && rendered.lines > 1 && getFormat(s.format).framing === 'json-or-lines' ? ' (the file was read as one JSON document)' : '';
    found.push(finding('accounting', format, `${rendered.lines} lines written, ${s.records} records + ${skipped('blank line')} blank + ${skipped('header')} header lines read${asDocument}`));
  }
  return found;
}
