import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../cli/exit-codes.js';
import { generate, LOGS_DIR, type Manifest } from '../generate/index.js';
import { ingestDir } from '../insights/test-store.js';
import type { FindingsSection, InsightReport } from '../insights/report.js';
import { tempDir } from '../testing/tmp.js';
import { generateOptionsOf } from './generate.js';
import { runInsights } from './insights.js';

const CLI = { users: '5', hours: '1', seed: 'ends-now' };

test('generate and demo: the day ends at the current minute, so the README\'s insights cloudtrail --since 24h finds its changes', async () => {
  const dir = tempDir('packettrail-gen-now-');
  const before = Date.now();
  const manifest = await generate(generateOptionsOf(CLI, dir));
  const end = Date.parse(manifest.end);
  assert.ok(end <= Date.now() && end > before - 60_000, `the scenario ends at ${manifest.end}, not now`);
  assert.equal(end % 60_000, 0);
  assert.equal(Date.parse(manifest.start), end - 3_600_000);

  const ts = await ingestDir(join(dir, LOGS_DIR), dir, false);
  const report = JSON.parse(await runInsights('cloudtrail', { db: ts.db, since: '24h', json: true })) as InsightReport;
  const findings = report.sections.filter((s): s is FindingsSection => s.kind === 'findings').flatMap((s) => s.findings);
  assert.ok(findings.some((f) => f.title.startsWith('cloudtrail:StopLogging')), findings.map((f) => f.title).join('; '));
  assert.ok(!findings.some((f) => f.title === 'No CloudTrail events'));
});

test('generate --end: the same seed writes the same records at any end, and the same files at the same end', async () => {
  const at = (end: string) => generateOptionsOf({ ...CLI, end }, tempDir('packettrail-gen-end-'));
  const a = at('2026-11-20T16:00:00Z');
  const b = at('2026-11-20T16:00:00Z');
  const later = at('2026-12-01T09:37:00Z');
  assert.equal(a.end, Date.UTC(2026, 10, 20, 16));
  const [ma, , ml] = [await generate(a), await generate(b), await generate(later)];
  assert.equal(ma.start, '2026-11-20T15:00:00.000Z');
  assert.equal(ml.end, '2026-12-01T09:37:00.000Z');
  const truth = (o: { out: string }) => readFileSync(join(o.out, 'truth.json'), 'utf8');
  assert.equal(truth(a), truth(b));
  // Another end: the same incidents and as many records per source, shifted in time.
  const lines = (m: Manifest) => Object.fromEntries(Object.entries(m.sources).map(([k, v]) => [k, v.lines]));
  assert.deepEqual(lines(ml), lines(ma));
  const incidents = (o: { out: string }) => (JSON.parse(truth(o)) as { incidents: { id: string; start: string; events: unknown[] }[] }).incidents;
  const shift = Date.parse(ml.start) - Date.parse(ma.start);
  assert.deepEqual(
    incidents(later).map((i) => [i.id, Date.parse(i.start) - shift, i.events.length]),
    incidents(a).map((i) => [i.id, Date.parse(i.start), i.events.length]),
  );
});

test('generate: --start and --end together, or a time without a zone, are usage errors', () => {
  assert.throws(() => generateOptionsOf({ ...CLI, start: '2026-11-20T08:00:00Z', end: '2026-11-20T16:00:00Z' }, 'x'), (e: CliError) => e.exitCode === 2 && /--start or --end, not both/.test(e.message));
  assert.throws(() => generateOptionsOf({ ...CLI, end: '2026-11-20T16:00:00' }, 'x'), /--end must be an RFC 3339 time with a zone/);
  assert.equal(generateOptionsOf({ ...CLI, end: 'now' }, 'x', () => Date.UTC(2026, 11, 7, 9, 41, 59, 500)).end, Date.UTC(2026, 11, 7, 9, 41));
  assert.equal(generateOptionsOf({ ...CLI, start: '2026-11-20T08:30:00Z' }, 'x').start, Date.UTC(2026, 10, 20, 8));
});
