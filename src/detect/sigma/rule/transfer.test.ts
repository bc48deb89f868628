import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { EcsEvent } from '../../../ecs/event.js';
import { parseText } from '../../../testing/parse.js';
import { needsShared, sharedPath } from '../../../testing/shared.js';
import { windowsEvent } from '../../../formats/windows-event/index.js';
import { builtinRulesDir } from '../../spec.js';
import { eventsOf, loadCases } from '../../builtin/test-cases.js';
import { createMatcher } from '../compile/matcher.js';
import { loadRuleText, loadRules } from './load.js';
import { decodeRules, encodeRules, plainRuleSet } from './transfer.js';
import type { RuleSet } from './types.js';

/** The matcher a parser thread builds: from the transferred rules, compiled lazily. */
function threadMatcher(rs: RuleSet) {
  return createMatcher({ rules: decodeRules(encodeRules(rs.rules)), correlations: [], filters: [], errors: [], warnings: [], files: 0 }, undefined, { lazy: true });
}

/** Returns how many matches both found. */
function sameMatches(rs: RuleSet, events: EcsEvent[]): number {
  const main = createMatcher(rs);
  const thread = threadMatcher(rs);
  let n = 0;
  for (const e of events) {
    const want = main.match(e).map((m) => m.ruleId);
    assert.deepEqual(thread.match(e).map((m) => m.ruleId), want);
    n += want.length;
  }
  return n;
}

test('transferred rules keep regexes (with flags), cidr ranges and wildcards', () => {
  const rs = loadRuleText(`title: t
id: 11111111-1111-4111-8111-111111111111
status: test
logsource: { category: webserver }
detection:
  re: { cs-uri-query|re|i: '^a+B' }
  net: { c-ip|cidr: 10.0.0.0/8 }
  wild: { cs-useragent|contains: 'Curl*x' }
  condition: re or net or wild
level: low
`);
  assert.deepEqual(rs.errors, []);
  const back = decodeRules(encodeRules(rs.rules));
  const tests = [...back[0]!.searches.values()].flatMap((s) => s.groups.flat().flatMap((i) => i.tests));
  const re = tests.find((t) => t.kind === 'regex');
  assert.ok(re && re.kind === 'regex' && re.re.test('AAAb') && !re.re.test('xb'));
  const cidr = tests.find((t) => t.kind === 'cidr');
  assert.ok(cidr && cidr.kind === 'cidr');
  assert.deepEqual(back[0]!.condition, rs.rules[0]!.condition);
});

test('built-in rules: the thread matcher matches the case records exactly like the main one', () => {
  const rs = loadRules([builtinRulesDir()]);
  const events = loadCases().flatMap((c) => [...c.positive, ...c.negative]).flatMap((c) => eventsOf(c));
  assert.ok(events.length > 50);
  assert.ok(sameMatches(rs, events) > 20);
});

test('SigmaHQ regression events: the thread matcher matches exactly like the main one', { skip: needsShared() }, () => {
  const manifest = JSON.parse(readFileSync(sharedPath('sigma-conformance', 'sigmahq-regression-manifest.json'), 'utf8')) as { entries: { rule_path: string; event_json_path: string }[] };
  const rs = loadRules(manifest.entries.map((c) => sharedPath('sigma', c.rule_path)));
  const events = manifest.entries.flatMap((c) => parseText(windowsEvent.id, readFileSync(sharedPath('sigma', c.event_json_path), 'utf8'), { document: true }).events);
  assert.ok(events.length > 200);
  assert.ok(sameMatches(rs, events) > 200);
});

test('parallel loading gives the same rule set as sequential loading, in the same order', { skip: needsShared() }, () => {
  const paths = ['rules-emerging-threats', 'rules-threat-hunting', 'no-such-dir'].map((d) => sharedPath('sigma', d));
  const seq = loadRules(paths);
  const par = loadRules(paths, { parallel: true });
  assert.ok(seq.files > 500 && seq.errors.length === 1, `${seq.files} files, ${seq.errors.length} errors`);
  // Compared as transferable data: compiled regexes are closures, equal when pattern and flags are.
  assert.deepEqual(plainRuleSet(par), plainRuleSet(seq));
});
