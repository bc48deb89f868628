import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadRuleText, loadRules } from './load.js';
import { createMatcher } from '../compile/matcher.js';
import { TEST_MAPPINGS } from '../test-helpers.js';
import type { EcsEvent } from '../../../ecs/event.js';
import { needsShared, sharedPath } from '../../../testing/shared.js';

const RULE = `title: Evil
id: 11111111-1111-4111-8111-111111111111
author: Someone
references: [https://example.org]
level: high
logsource:
  category: test
detection:
  sel:
    user: admin
  condition: sel
`;

test('rule metadata is kept (DRL: author and references)', () => {
  const rs = loadRuleText(RULE);
  assert.equal(rs.errors.length, 0);
  const r = rs.rules[0]!;
  assert.equal(r.ruleId, '11111111-1111-4111-8111-111111111111');
  assert.equal(r.meta.author, 'Someone');
  assert.deepEqual(r.meta.references, ['https://example.org']);
  assert.equal(r.meta.level, 'high');
  assert.equal(r.meta.kind, 'sigma');
});

test('errors carry the line of the offending key', () => {
  const rs = loadRuleText(RULE.replace('user: admin', 'user|nope: admin'), 'x.yml');
  assert.equal(rs.errors.length, 1);
  assert.equal(rs.errors[0]!.line, 10);
  assert.match(rs.errors[0]!.message, /unknown modifier 'nope'/);
  assert.equal(rs.errors[0]!.rule, 'Evil');
  const bad = loadRuleText('title: x\nlogsource: {category: test}\ndetection:\n  sel: {a: 1}\n  condition: sel and\n');
  assert.equal(bad.errors[0]!.line, 5);
  const yaml = loadRuleText('title: x\n  bad: [\n');
  assert.match(yaml.errors[0]!.message, /^YAML:/);
  assert.match(loadRuleText('title: x\nlogsource: {category: test}\n').errors[0]!.message, /missing 'detection'/);
  assert.match(loadRuleText(RULE.replace('level: high', 'level: severe')).errors[0]!.message, /level 'severe'/);
});

test('legacy collections: action global / reset / repeat', () => {
  const text = `action: global
title: Coll
id: 22222222-2222-4222-8222-222222222222
detection:
  condition: sel
---
logsource: {category: test}
detection:
  sel: {a: x}
---
action: repeat
detection:
  sel: {a: y}
---
action: reset
---
title: Alone
logsource: {category: test}
detection:
  sel: {b: z}
  condition: sel
`;
  const rs = loadRuleText(text, 'coll.yml');
  assert.deepEqual(rs.errors, []);
  assert.equal(rs.rules.length, 3);
  assert.deepEqual(rs.rules.map((r) => r.meta.title), ['Coll', 'Coll', 'Alone']);
  assert.notEqual(rs.rules[0]!.ruleId, rs.rules[1]!.ruleId);
  const m = createMatcher(rs, undefined, { mappings: TEST_MAPPINGS });
  const hit = (o: Record<string, unknown>) => m.match({ ...o, event: { dataset: 'test' } } as EcsEvent).length;
  assert.equal(hit({ a: 'x' }), 1);
  assert.equal(hit({ a: 'y' }), 1);
  assert.equal(hit({ b: 'z' }), 1);
  assert.match(loadRuleText('action: bogus\n').errors[0]!.message, /unknown collection action/);
});

test('filters add "and not" to the rules they name, by id and logsource', () => {
  const filter = `title: Not the admin host
logsource: {category: test}
filter:
  rules: [11111111-1111-4111-8111-111111111111]
  selection:
    host|startswith: adm_
  condition: selection
`;
  const rs = loadRuleText(`${RULE}---\n${filter}`);
  assert.deepEqual(rs.errors, []);
  assert.equal(rs.filters.length, 1);
  const m = createMatcher(rs, undefined, { mappings: TEST_MAPPINGS });
  const hit = (o: Record<string, unknown>) => m.match({ ...o, event: { dataset: 'test' } } as EcsEvent).length;
  assert.equal(hit({ user: 'admin', host: 'ws1' }), 1);
  assert.equal(hit({ user: 'admin', host: 'adm_01' }), 0);
  const other = loadRuleText(`${RULE}---\n${filter.replace('category: test', 'category: other')}`);
  const m2 = createMatcher(other, undefined, { mappings: TEST_MAPPINGS });
  assert.equal(m2.match({ user: 'admin', host: 'adm_01', event: { dataset: 'test' } } as EcsEvent).length, 1, 'a filter of another logsource does not apply');
  const unknown = loadRuleText(filter.replace('11111111-1111-4111-8111-111111111111', 'nope'));
  assert.match(unknown.warnings[0]!.message, /not loaded: nope/);
});

test('correlation documents parse; base rules stop alerting unless generate', () => {
  const corr = `title: Many
id: c1
correlation:
  type: event_count
  rules: [11111111-1111-4111-8111-111111111111]
  group-by: [host]
  timespan: 5m
  condition: {gte: 3}
`;
  const rs = loadRuleText(`${RULE}---\n${corr}`);
  assert.deepEqual(rs.errors, []);
  const c = rs.correlations[0]!;
  assert.equal(c.timespanMs, 300_000);
  assert.deepEqual(c.conditions, [{ op: 'gte', value: 3 }]);
  assert.equal(rs.rules[0]!.alert, false);
  const gen = loadRuleText(`${RULE}---\n${corr.replace('  timespan', '  generate: true\n  timespan')}`);
  assert.equal(gen.rules[0]!.alert, true);
  assert.match(loadRuleText(corr).errors[0]!.message, /unknown rules/);
  assert.match(loadRuleText(`${RULE}---\n${corr.replace('5m', 'soon')}`).errors[0]!.message, /timespan 'soon'/);
  assert.match(loadRuleText(`${RULE}---\n${corr.replace('event_count', 'value_count')}`).errors[0]!.message, /needs condition.field/);
});

test('the spec sample documents load (rules, filters, every correlation type)', { skip: needsShared() }, () => {
  const dir = sharedPath('sigma-spec', 'tests', 'schema');
  for (const sub of ['rules', 'filter', 'correlation']) {
    for (const f of readdirSync(join(dir, sub))) {
      const text = readFileSync(join(dir, sub, f), 'utf8');
      const rs = loadRuleText(text, f);
      // Correlations reference rules that are not in the sample: only that error is acceptable.
      const errs = rs.errors.filter((e) => !/references unknown rules/.test(e.message));
      assert.deepEqual(errs, [], `${sub}/${f}`);
    }
  }
});

test('rules-placeholder: %placeholders% load and are reported until given values', { skip: needsShared() }, () => {
  const rs = loadRules([sharedPath('sigma', 'rules-placeholder')]);
  assert.deepEqual(rs.errors, []);
  const unresolved = rs.rules.filter((r) => r.unresolved.length);
  assert.ok(unresolved.length > 0);
  assert.ok(rs.warnings.some((w) => /placeholders without values/.test(w.message)));
  const names = [...new Set(unresolved.flatMap((r) => r.unresolved))];
  const given = loadRules([sharedPath('sigma', 'rules-placeholder')], { placeholders: Object.fromEntries(names.map((n) => [n, ['x']])) });
  assert.equal(given.rules.filter((r) => r.unresolved.length).length, 0);
});
