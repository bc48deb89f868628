import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EcsEvent } from '../../ecs/event.js';
import { createMatcher } from './compile/matcher.js';
import { loadRuleText } from './rule/load.js';
import { compileRegex, estimateProgramSize, MAX_REGEX_PROGRAM_SIZE, RegexError } from '../../util/re2.js';
import { loadError, matches, regexesOf } from './test-helpers.js';

const webRule = (re: string) => `title: ua\nid: ua-rule\nlogsource: {category: webserver}\ndetection:\n  sel:\n    cs-user-agent|re: '${re}'\n  condition: sel\n`;

test('audit rule x{0,300}x{0,300}x{0,300}y loads, runs on RE2 and matches a 10,000-character user agent in linear time', () => {
  const rs = loadRuleText(webRule('x{0,300}x{0,300}x{0,300}y'), 'ua.yml');
  assert.deepEqual(rs.errors, []);
  const [re] = regexesOf(rs);
  // Checked first: on the backtracking engine the match below would run for minutes, not fail.
  assert.equal(re?.engine, 're2');
  const matcher = createMatcher(rs);
  const event = (ua: string) => ({ '@timestamp': '2026-01-01T00:00:00Z', event: { dataset: 'aws.cloudfront' }, user_agent: { original: ua } }) as EcsEvent;
  const start = performance.now();
  assert.equal(matcher.match(event('x'.repeat(10_000))).length, 0);
  assert.equal(matcher.match(event(`${'x'.repeat(10_000)}y`)).length, 1);
  // V8's backtracking takes 15 s for one such event; RE2 takes milliseconds. The bound only tells engines apart.
  assert.ok(performance.now() - start < 2000, `took ${Math.round(performance.now() - start)} ms`);
});

test('constructs RE2 cannot run are refused at load, naming the construct', () => {
  const cases: [string, RegExp][] = [
    ['a(?=b)', /lookahead \(\?=/],
    ['a(?!b)', /negative lookahead \(\?!/],
    ['(?<=a)b', /lookbehind \(\?<=/],
    ['(?<!a)b', /negative lookbehind \(\?<!/],
    ['(a)\\1', /backreference \(\\1/],
    ['(?<n>a)\\k<n>', /named backreference \(\\k<name>\)/],
    ['(?P<n>a)(?P=n)', /named backreference or recursion/],
    ['(?>a)', /atomic group/],
    ['a++', /possessive quantifier/],
    ['(?x)a b', /verbose mode/],
    ['\\u0041', /\\u escape/],
  ];
  for (const [re, why] of cases) {
    const message = loadError(`sel:\n  f|re: '${re}'\ncondition: sel`);
    assert.match(message, why, re);
    assert.match(message, /which RE2 does not support/, re);
  }
  // Other errors keep RE2's own words.
  assert.match(loadError("sel:\n  f|re: '\\Z'\ncondition: sel"), /invalid regex '\\Z': .*invalid escape sequence/);
});

test('regexes whose RE2 program would be too large are refused, before compiling when the text shows it', () => {
  assert.ok(estimateProgramSize('x{0,1000}'.repeat(400)) > 10 * MAX_REGEX_PROGRAM_SIZE);
  const start = performance.now();
  // 3,600 characters that RE2 would take seconds to compile into 800,000 instructions.
  assert.throws(() => compileRegex('x{0,1000}'.repeat(400)), (e: Error) => e instanceof RegexError && /about \d+ RE2 instructions, over the limit of 2000/.test(e.message));
  assert.ok(performance.now() - start < 500, 'refused from the estimate, not after compiling');
  assert.throws(() => compileRegex('x{0,1000}x{0,1000}x{0,1000}'), /compiles to 6002 RE2 instructions, over the limit of 2000/);
  assert.throws(() => compileRegex('a'.repeat(5000)), /5000 characters long, over the limit of 4096/);
  assert.equal(compileRegex('.{1000,}').engine, 're2');
});

test('the estimate of the program size is never below what RE2 compiles', () => {
  const patterns = ['abc', '(a|b)*c', '(?i)x{2,5}', '[[:alpha:]]+\\d{2,}', '(?:ab){3}(cd)?', '\\Qa.b\\E+', '(?P<n>x{10})+', 'a|b|c|d', '\\x{41}{1000}', '(.){200,}', '((a{10}){10}){10}', '[]a]{3}', '[^]a]*'];
  for (const p of patterns) {
    const real = compileRegex(p).programSize;
    assert.ok(estimateProgramSize(p) >= real, `${p}: estimate ${estimateProgramSize(p)} < ${real}`);
  }
});

test('re|i, re|m, re|s and inline flags keep their meaning on RE2', () => {
  assert.ok(matches("sel:\n  f|re|i: '^abc$'\ncondition: sel", { f: 'ABC' }));
  assert.ok(!matches("sel:\n  f|re: '^abc$'\ncondition: sel", { f: 'ABC' }));
  assert.ok(matches("sel:\n  f|re|m: '^b$'\ncondition: sel", { f: 'a\nb\nc' }));
  assert.ok(matches("sel:\n  f|re|s: 'a.b'\ncondition: sel", { f: 'a\nb' }));
  assert.ok(!matches("sel:\n  f|re: 'a.b'\ncondition: sel", { f: 'a\nb' }));
  assert.ok(matches("sel:\n  f|re|i|m|s: '^B.C$'\ncondition: sel", { f: 'a\nb\nc' }));
  assert.ok(matches("sel:\n  f|re: '(?is)^a.B'\ncondition: sel", { f: 'A\nb' }));
  assert.ok(matches("sel:\n  f|re: '(?P<word>ab)+'\ncondition: sel", { f: 'xabab' }));
});
