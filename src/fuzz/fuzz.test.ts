import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listFormats } from '../formats/registry.js';
import { parseText } from '../testing/parse.js';
import { REPO_ROOT, SHARED_DIR } from '../testing/shared.js';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { tempDir } from '../testing/tmp.js';
import type { RunSummary } from '../pipeline/stats.js';
import { countLines, DEFAULT_BATCH, renderBatch, type Batch } from './batch.js';
import { defaultFuzzOptions, renderFuzzReport, runFuzz } from './campaign.js';
import { checkRun } from './check.js';
import { generatedSeeds, inlineSeeds, loadCorpus } from './corpus.js';
import { DEFAULT_LIMITS, type CaseResult } from './execute.js';
import { minimize } from './minimize.js';

test('every format has seeds, and the generated and inline ones parse without a rejection', () => {
  const corpus = loadCorpus(SHARED_DIR);
  for (const f of listFormats()) assert.ok(corpus.get(f.id)!.length, `${f.id} has no seed records`);
  for (const g of [...generatedSeeds(), ...inlineSeeds()]) {
    const r = parseText(g.format, [...g.headers, ...g.records].join('\n'), { source: g.name });
    assert.deepEqual(r.rejected.map((d) => `${d.reason}: ${d.record.slice(0, 120)}`), [], `${g.origin}`);
    assert.ok(r.events.length >= g.records.length, `${g.origin}: ${r.events.length} events from ${g.records.length} records`);
  }
});

test('lines are counted as the text reader counts them', () => {
  assert.equal(countLines(Buffer.from('')), 0);
  assert.equal(countLines(Buffer.from('\n')), 0);
  assert.equal(countLines(Buffer.from('a')), 1);
  assert.equal(countLines(Buffer.from('a\n')), 1);
  assert.equal(countLines(Buffer.from('a\n\n')), 2);
  assert.equal(countLines(Buffer.from('a\nb')), 2);
});

function batchOf(lines: string[], over: Partial<Batch> = {}): Batch {
  return {
    id: 't-0', format: 'aws.waf', runFormat: 'aws.waf', name: 'waf.log', shape: 'lines', via: 'file', mode: 'events',
    records: lines.map((l) => ({ bytes: Buffer.from(l), kind: 'plain', origin: 'test', applied: [] })), ...over,
  };
}

function resultOf(source: Partial<RunSummary['sources'][number]>, deadLetters = 0): CaseResult {
  const s = { source: 'waf.log', format: 'aws.waf', bytes: 1, records: 3, events: 3, rejected: 0, skipped: {}, errors: [], warnings: [], ...source };
  const summary: RunSummary = { sources: [s], missing: [], seconds: 0, deadLetters };
  return {
    status: 'done', exitCode: null, signal: null, ms: 1, stderr: '', config: { mode: 'events', input: 'waf.log', format: 'aws.waf', threads: 0, events: '/nonexistent', deadLetter: '/nonexistent', report: '/nonexistent' },
    report: { summary, rendered: '', maxRssKb: 1, polluted: [], eventsSeen: s.events, typeProblems: { count: 0, samples: [] } },
  };
}

test('the checks flag lost records, files read as one document, hangs, crashes and values of the wrong type', () => {
  const batch = batchOf(['{"a":1}', '{"a":2}', '{"a":3}']);
  const rendered = renderBatch(batch);
  const kinds = (r: CaseResult) => checkRun(batch, rendered, r, DEFAULT_LIMITS).map((f) => `${f.kind}: ${f.detail}`);
  assert.deepEqual(kinds(resultOf({})), []);
  assert.deepEqual(kinds(resultOf({ events: 2 })), ['accounting: 3 records read, 2 events + 0 rejected + 0 skipped: records disappeared']);
  assert.deepEqual(kinds(resultOf({ records: 1, events: 1 })), ['accounting: 3 lines written, 1 records + 0 blank + 0 header lines read (the file was read as one JSON document)']);
  assert.match(kinds({ ...resultOf({}), status: 'timeout', report: undefined })[0]!, /^timeout: still running after/);
  const died = { ...resultOf({}), status: 'died' as const, exitCode: 134, report: undefined, stderr: 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory' };
  assert.match(kinds(died)[0]!, /^oom: process exited with code 134/);
  // An unrecognized format: every record rejected for it, and the source error that says so has no dead letter of its own.
  const letters = join(tempDir(), 'dead.ndjson');
  const reason = 'format not recognized (best guess aws.waf at 0.30, below 0.5); name one with --format';
  writeFileSync(letters, [1, 2, 3].map((line) => JSON.stringify({ source: 'waf.log', line, format: 'unknown', reason, record: 'x' })).join('\n') + '\n');
  const unknown = resultOf({ format: 'unknown', events: 0, rejected: 3, errors: [reason] }, 3);
  unknown.config.deadLetter = letters;
  assert.deepEqual(checkRun({ ...batch, runFormat: 'auto' }, rendered, unknown, DEFAULT_LIMITS).map((f) => `${f.kind}: ${f.detail}`), []);
  const typed = resultOf({});
  typed.report!.typeProblems = { count: 1, samples: ['event.duration (long) holds Infinity'] };
  assert.deepEqual(kinds(typed), ['field-type: event.duration (long) holds Infinity']);
});

test('packettrail normalize run as a command: its exit code and summary must agree with what it wrote', () => {
  const batch = batchOf(['{"a":1}'], { mode: 'cli' });
  const cli = (exitCode: number, summary: string) => ({ ...resultOf({}), report: undefined, exitCode, stderr: summary });
  const kinds = (r: CaseResult) => checkRun(batch, renderBatch(batch), r, DEFAULT_LIMITS).map((f) => `${f.kind}: ${f.detail.split('\n')[0]}`);
  assert.deepEqual(kinds(cli(0, 'total: 0 records, 0 events, 0 rejected, 0 source errors in 0.01 s')), []);
  assert.deepEqual(kinds(cli(0, 'total: 0 records, 0 events, 0 rejected, 0 kept with a field left out (tags=_field_dropped), 0 source errors in 0.01 s')), []);
  assert.deepEqual(kinds(cli(0, 'total: 1 record, 0 events, 1 rejected, 0 source errors in 0.01 s')), [
    'accounting: exit code 0 after 1 rejected and 0 source errors (expected 1)',
    'dead-letters: 0 dead letters written, summary says 1, source counts 1 rejected + 0 source errors',
  ]);
  assert.deepEqual(kinds(cli(3, 'packettrail: internal error: TypeError: x\n    at y')), ['crash: packettrail normalize exited with code 3: packettrail: internal error: TypeError: x']);
});

test('minimizing keeps the records a failure needs', async () => {
  const items = Array.from({ length: 40 }, (_, i) => i);
  const fails = async (candidates: number[][]) => candidates.findIndex((c) => c.includes(7) && c.includes(31));
  assert.deepEqual(await minimize(items, fails, 100), { items: [7, 31], reproduced: true });
  assert.deepEqual(await minimize(items, async (cs) => cs.findIndex((c) => c.length === 0), 100), { items: [], reproduced: true });
  assert.deepEqual(await minimize(items.slice(0, 4), async () => -1, 100), { items: [0, 1, 2, 3], reproduced: false });
});

/**
 * The campaign CI runs: a fixed seed and a fixed number of cases (not a time budget, so a loaded machine
 * runs the same cases, only slower), two of every format, in small batches. A case still running after
 * CI_CASE_TIMEOUT_MS is a hang (generous: both cores are shared with the rest of the suite; a real hang
 * never ends). Any finding fails the test with its reproducer. `npm run fuzz` runs longer campaigns.
 */
const CI_ROUNDS = 2;
const CI_CASE_TIMEOUT_MS = 30_000;

test('a short fuzzing campaign over every format finds nothing', { timeout: 600_000 }, async () => {
  const o = defaultFuzzOptions('ci', Number.POSITIVE_INFINITY);
  o.maxCases = CI_ROUNDS * listFormats().length;
  o.batch = { ...DEFAULT_BATCH, minRecords: 20, maxRecords: 120 };
  o.limits = { ...DEFAULT_LIMITS, timeoutMs: CI_CASE_TIMEOUT_MS };
  o.minimizeRuns = 12;
  o.sharedDir = SHARED_DIR;
  o.outDir = join(REPO_ROOT, 'fuzz-findings', 'ci');
  const report = await runFuzz(o);
  assert.equal(report.cases, o.maxCases, renderFuzzReport(report));
  assert.equal(report.findings.length, 0, renderFuzzReport(report));
});
