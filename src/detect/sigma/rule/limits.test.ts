import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EcsEvent } from '../../../ecs/event.js';
import type { Condition } from '../condition/ast.js';
import { createMatcher } from '../compile/matcher.js';
import { createCorrelator } from '../correlation/engine.js';
import { TEST_MAPPINGS } from '../test-helpers.js';
import { loadRuleText } from './load.js';
import type { RuleSet } from './types.js';

// Every limit of rule loading: a hostile document is one error with its reason, never a crash or a hang.

const rule = (detection: string, title = 'T', extra = '') => `title: ${title}\n${extra}logsource: {category: test}\ndetection:\n${detection}`;
const withCondition = (condition: string) => rule(`  sel:\n    f: x\n  condition: ${condition}\n`);
const errorsOf = (rs: RuleSet) => rs.errors.map((e) => e.message);

function depth(c: Condition): number {
  if (c.t === 'not') return 1 + depth(c.x);
  if (c.t === 'and' || c.t === 'or') return 1 + Math.max(...c.xs.map(depth));
  return 0;
}

test('conditions: nesting of parentheses and not is bounded; so is the length', () => {
  assert.deepEqual(errorsOf(loadRuleText(withCondition(`${'('.repeat(150)}sel${')'.repeat(150)}`))), []);
  assert.deepEqual(errorsOf(loadRuleText(withCondition(`${'not not '.repeat(75)}sel`))), []);
  assert.match(errorsOf(loadRuleText(withCondition(`${'('.repeat(1000)}sel${')'.repeat(1000)}`))).join(), /condition nested deeper than 200 levels/);
  assert.match(errorsOf(loadRuleText(withCondition(`${'not '.repeat(1000)}sel`))).join(), /condition nested deeper than 200 levels/);
  assert.match(errorsOf(loadRuleText(withCondition(`${'not '.repeat(100_000)}sel`))).join(), /condition is 400003 characters long, over the limit of 10000/);
});

test("'1 of' patterns match identifiers in linear time (a backtracking regex took seconds per identifier)", () => {
  const ids = ['x', 'y', 'z'].map((s) => `  ${'a'.repeat(40)}${s}:\n    f: x\n`).join('');
  const start = performance.now();
  const rs = loadRuleText(rule(`${ids}  condition: 1 of ${'*a'.repeat(8)}*b\n`));
  assert.ok(performance.now() - start < 2000, `took ${Math.round(performance.now() - start)} ms`);
  assert.match(errorsOf(rs).join(), /matches no search identifier/);
  assert.deepEqual(errorsOf(loadRuleText(rule(`${ids}  condition: 1 of a*?\n`))), []);
});

test('YAML: aliases that expand (billion laughs), deep nesting and oversized files are refused', () => {
  let laughs = 'a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
  for (let i = 1; i < 10; i++) laughs += `l${i}: &l${i} [${Array(9).fill(i === 1 ? '*a' : `*l${i - 1}`).join(', ')}]\n`;
  assert.match(errorsOf(loadRuleText(laughs + rule('  sel:\n    f: x\n  condition: sel\n'))).join(), /YAML aliases expand beyond 100 nodes/);
  const deep = (n: number) => `x: ${'['.repeat(n)}${']'.repeat(n)}\n${rule('  sel:\n    f: x\n  condition: sel\n')}`;
  assert.deepEqual(errorsOf(loadRuleText(deep(60))), []);
  assert.match(errorsOf(loadRuleText(deep(100))).join(), /YAML nested deeper than 64 levels/);
  assert.match(errorsOf(loadRuleText(deep(100_000))).join(), /YAML nested too deeply to read/);
  const block = `x:\n${Array.from({ length: 1500 }, (_, i) => `${' '.repeat(i + 1)}k:\n`).join('')}`;
  assert.match(errorsOf(loadRuleText(block)).join(), /YAML nested (too deeply to read|deeper than 64 levels)/);
  assert.match(errorsOf(loadRuleText(`# ${'x'.repeat(4 * 1024 * 1024)}\n`)).join(), /is 4194307 bytes, over the limit of 4194304 bytes/);
});

test('detection items and values per rule are bounded, values counted after modifiers expand them', () => {
  const items = (n: number) => rule(`${Array.from({ length: n }, (_, i) => `  s${i}:\n    f${i}: x\n`).join('')}  condition: 1 of them\n`);
  assert.deepEqual(errorsOf(loadRuleText(items(1000))), []);
  assert.match(errorsOf(loadRuleText(items(1001))).join(), /the rule has more than 1000 detection items/);
  // 100 values × 5^5 option-dash spellings = 312,500 strings.
  const start = performance.now();
  const values = rule(`  sel:\n    f|windash|contains:\n${Array.from({ length: 100 }, (_, i) => `      - '-a${i} -b -c -d -e'\n`).join('')}  condition: sel\n`);
  assert.match(errorsOf(loadRuleText(values)).join(), /the rule has more than 100000 values \(counted after modifiers expand them\)/);
  assert.ok(performance.now() - start < 5000);
});

test('regexes: RE2 instructions are bounded per rule and per file, and refused before compiling once a file is over', () => {
  const regexes = (n: number, title = 'R') => rule(`  sel:\n    f|re:\n${Array.from({ length: n }, () => "      - 'x{0,999}'\n").join('')}  condition: sel\n`, title);
  assert.deepEqual(errorsOf(loadRuleText(regexes(5))), []);
  assert.match(errorsOf(loadRuleText(regexes(6))).join(), /the rule's regexes compile to 12000 RE2 instructions together, over the limit of 10000 per rule/);
  // 2,000 rules of 4 such regexes: the first 6 fill the file's budget, the others are refused without compiling.
  const start = performance.now();
  const rs = loadRuleText(Array.from({ length: 2000 }, (_, i) => regexes(4, `R${i}`)).join('---\n'));
  assert.ok(performance.now() - start < 20_000, `took ${Math.round(performance.now() - start)} ms`);
  assert.equal(rs.rules.length, 6);
  assert.match(errorsOf(rs).at(-1)!, /the file's regexes compile to \d+ RE2 instructions together, over the limit of 50000 per file/);
});

const correlation = (name: string, rules: string[]) =>
  `title: ${name}\nname: ${name}\ncorrelation:\n  type: event_count\n  rules: [${rules.join(', ')}]\n  group-by: [host]\n  timespan: 1h\n  condition: {gte: 1}\n`;
const BASE = rule('  sel:\n    f: x\n  condition: sel\n', 'Base', 'name: base\n');

test('correlations: reference cycles and chains deeper than 32 are refused, naming the cycle; the correlator stays bounded', () => {
  const rs = loadRuleText([BASE, correlation('a', ['base', 'b']), correlation('b', ['a']), correlation('c', ['b'])].join('---\n'));
  assert.deepEqual(rs.correlations, []);
  assert.deepEqual(errorsOf(rs), [
    'correlation references form a cycle (a → b → a)',
    'correlation references form a cycle (a → b → a)',
    'correlation builds on correlations that reference each other in a cycle (a → b → a)',
  ]);
  // What the cycle did before: every alert fed the other correlation, whose alert fed the first, without end.
  const c = createCorrelator(rs);
  const m = createMatcher(rs, undefined, { mappings: TEST_MAPPINGS });
  const event = { '@timestamp': '2026-01-01T00:00:00Z', f: 'x', host: 'h', event: { dataset: 'test' } } as unknown as EcsEvent;
  let alerts = 0;
  for (const match of m.match(event)) c.onMatch(match, () => alerts++);
  assert.equal(alerts, 0);

  const chain = (n: number) => [BASE, ...Array.from({ length: n }, (_, i) => correlation(`c${i}`, [i ? `c${i - 1}` : 'base']))].join('---\n');
  assert.deepEqual(errorsOf(loadRuleText(chain(32))), []);
  assert.deepEqual(errorsOf(loadRuleText(chain(33))), ['correlations are chained 33 levels deep, over the limit of 32']);
});

test('correlations: a diamond of shared inner correlations (one match, 2^depth alerts) is refused past 1,000 paths', () => {
  const diamond = (levels: number) => {
    const docs = [BASE];
    for (let i = 0; i < levels; i++) for (const s of ['a', 'b']) docs.push(correlation(`c${i}${s}`, i ? [`c${i - 1}a`, `c${i - 1}b`] : ['base']));
    return docs.join('---\n');
  };
  const ok = loadRuleText(diamond(10));
  assert.deepEqual(errorsOf(ok), []);
  const rs = loadRuleText(diamond(32));
  // Levels 0–9 reach the base rule along at most 2^9 = 512 paths; level 10 along 1,024, and so on up.
  assert.equal(rs.correlations.length, 20);
  assert.equal(rs.errors.length, 44);
  assert.match(errorsOf(rs)[0]!, /correlation reaches its rules along 1024 paths through the correlations it builds on .*over the limit of 1000/);
  const c = createCorrelator(rs);
  const m = createMatcher(rs, undefined, { mappings: TEST_MAPPINGS });
  let alerts = 0;
  const start = performance.now();
  for (const match of m.match({ '@timestamp': '2026-01-01T00:00:00Z', f: 'x', host: 'h', event: { dataset: 'test' } } as unknown as EcsEvent)) c.onMatch(match, () => alerts++);
  // Only the top level alerts (the others feed it): its two correlations, once per path each.
  assert.equal(alerts, 2 * 2 ** 9);
  assert.ok(performance.now() - start < 5000);
});

test('filters: any number applies as one flat condition; more than 100 on one rule are refused', () => {
  const filter = (i: number) => `title: F${i}\nlogsource: {category: test}\nfilter:\n  rules: [base]\n  sel:\n    host: h${i}\n  condition: sel\n`;
  const rs = loadRuleText([BASE, ...Array.from({ length: 150 }, (_, i) => filter(i))].join('---\n'));
  const base = rs.rules[0]!;
  assert.ok(depth(base.condition) <= 3, `depth ${depth(base.condition)}`);
  assert.deepEqual(errorsOf(rs), Array(50).fill('filter not applied to rules that already have 100 filters: Base'));
  const m = createMatcher(rs, undefined, { mappings: TEST_MAPPINGS });
  const hit = (host: string) => m.match({ f: 'x', host, event: { dataset: 'test' } } as unknown as EcsEvent).length;
  assert.equal(hit('h0'), 0);
  assert.equal(hit('h99'), 0);
  assert.equal(hit('h100'), 1, 'the refused filters do not apply');
});
