import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadError, matches } from './test-helpers.js';

const ev = (o: Record<string, unknown>) => o;

test('plain values are case-insensitive exact matches; cased makes them case-sensitive', () => {
  assert.ok(matches('sel:\n  f: Hello\ncondition: sel', ev({ f: 'hELLo' })));
  assert.ok(!matches('sel:\n  f: Hello\ncondition: sel', ev({ f: 'hello world' })));
  assert.ok(!matches('sel:\n  f|cased: Hello\ncondition: sel', ev({ f: 'hello' })));
  assert.ok(matches('sel:\n  f|cased: Hello\ncondition: sel', ev({ f: 'Hello' })));
  assert.ok(matches('sel:\n  f|contains|cased: ell\ncondition: sel', ev({ f: 'Hello' })));
  assert.ok(!matches('sel:\n  f|contains|cased: ELL\ncondition: sel', ev({ f: 'Hello' })));
});

test('contains, startswith, endswith', () => {
  assert.ok(matches("sel:\n  f|contains: 'ell'\ncondition: sel", ev({ f: 'HELLO' })));
  assert.ok(matches("sel:\n  f|startswith: 'he'\ncondition: sel", ev({ f: 'Hello' })));
  assert.ok(!matches("sel:\n  f|startswith: 'lo'\ncondition: sel", ev({ f: 'Hello' })));
  assert.ok(matches("sel:\n  f|endswith: 'LO'\ncondition: sel", ev({ f: 'Hello' })));
  assert.ok(!matches("sel:\n  f|endswith: 'he'\ncondition: sel", ev({ f: 'Hello' })));
  // Non-ASCII needles go through the automaton's slow path.
  assert.ok(matches("sel:\n  f|contains: 'Ünïcödé'\ncondition: sel", ev({ f: 'x ÜNÏCÖDÉ y' })));
});

test('lists are OR; |all makes them AND', () => {
  const d = "sel:\n  f|contains:\n    - foo\n    - bar\ncondition: sel";
  assert.ok(matches(d, ev({ f: 'xbarx' })));
  const all = "sel:\n  f|contains|all:\n    - foo\n    - bar\ncondition: sel";
  assert.ok(!matches(all, ev({ f: 'xbarx' })));
  assert.ok(matches(all, ev({ f: 'foo-bar' })));
});

test('wildcards and escaping', () => {
  assert.ok(matches("sel:\n  f: 'a*c'\ncondition: sel", ev({ f: 'abbbc' })));
  assert.ok(matches("sel:\n  f: 'a?c'\ncondition: sel", ev({ f: 'abc' })));
  assert.ok(!matches("sel:\n  f: 'a?c'\ncondition: sel", ev({ f: 'abbc' })));
  assert.ok(matches("sel:\n  f: 'a\\*c'\ncondition: sel", ev({ f: 'a*c' })));
  assert.ok(!matches("sel:\n  f: 'a\\*c'\ncondition: sel", ev({ f: 'abc' })));
  assert.ok(matches("sel:\n  f: 'a\\?c'\ncondition: sel", ev({ f: 'a?c' })));
  assert.ok(!matches("sel:\n  f: 'a\\?c'\ncondition: sel", ev({ f: 'abc' })));
  // `\\*` is a literal backslash followed by a wildcard.
  assert.ok(matches("sel:\n  f: 'a\\\\*'\ncondition: sel", ev({ f: 'a\\xyz' })));
  // A backslash before an ordinary character stays a backslash (Windows paths).
  assert.ok(matches("sel:\n  f|endswith: '\\cmd.exe'\ncondition: sel", ev({ f: 'C:\\Windows\\cmd.exe' })));
  assert.ok(matches("sel:\n  f: '*foo*bar*'\ncondition: sel", ev({ f: 'xxFOOyyBARzz' })));
});

test('null, empty string and exists', () => {
  assert.ok(matches('sel:\n  f: null\ncondition: sel', ev({ g: 1 })));
  assert.ok(!matches('sel:\n  f: null\ncondition: sel', ev({ f: 'x' })));
  assert.ok(matches("sel:\n  f: ''\ncondition: sel", ev({ f: '' })));
  assert.ok(!matches("sel:\n  f: ''\ncondition: sel", ev({ g: 'x' })));
  assert.ok(matches('sel:\n  f|exists: true\ncondition: sel', ev({ f: '' })));
  assert.ok(!matches('sel:\n  f|exists: true\ncondition: sel', ev({ g: 1 })));
  assert.ok(matches('sel:\n  f|exists: false\ncondition: sel', ev({ g: 1 })));
  assert.ok(matches("sel:\n  f: '*'\ncondition: sel", ev({ f: 'anything' })));
});

test('numbers compare as text; lt/lte/gt/gte compare numerically', () => {
  assert.ok(matches('sel:\n  status: 404\ncondition: sel', ev({ status: 404 })));
  assert.ok(matches('sel:\n  status: 404\ncondition: sel', ev({ status: '404' })));
  assert.ok(matches('sel:\n  n|gt: 10\ncondition: sel', ev({ n: 11 })));
  assert.ok(!matches('sel:\n  n|gt: 10\ncondition: sel', ev({ n: 10 })));
  assert.ok(matches('sel:\n  n|gte: 10\ncondition: sel', ev({ n: '10' })));
  assert.ok(matches('sel:\n  n|lt: 10\ncondition: sel', ev({ n: 9.5 })));
  assert.ok(matches('sel:\n  n|lte: 10\ncondition: sel', ev({ n: 10 })));
  assert.ok(!matches('sel:\n  n|lte: 10\ncondition: sel', ev({ n: 'x' })));
});

test('neq: the field must differ from every value', () => {
  assert.ok(matches('sel:\n  f|neq: a\ncondition: sel', ev({ f: 'b' })));
  assert.ok(!matches('sel:\n  f|neq: a\ncondition: sel', ev({ f: 'A' })));
  assert.ok(!matches('sel:\n  f|neq:\n    - a\n    - b\ncondition: sel', ev({ f: 'b' })));
});

test('windash expands option dashes', () => {
  const d = "sel:\n  c|windash|contains: ' -enc '\ncondition: sel";
  for (const dash of ['-', '/', '\u2013', '\u2014', '\u2015']) assert.ok(matches(d, ev({ c: `powershell ${dash}enc abc` })), dash);
  assert.ok(!matches(d, ev({ c: 'powershell +enc abc' })));
});

test('base64, base64offset and utf16 encodings', () => {
  const b64 = Buffer.from('secret').toString('base64');
  assert.ok(matches("sel:\n  f|base64: 'secret'\ncondition: sel", ev({ f: b64 })));
  const d = "sel:\n  f|base64offset|contains: 'http://'\ncondition: sel";
  for (const prefix of ['', 'a', 'ab']) assert.ok(matches(d, ev({ f: `x ${Buffer.from(`${prefix}http://evil`).toString('base64')} y` })), prefix);
  const wide = "sel:\n  f|wide|base64offset|contains: 'ping'\ncondition: sel";
  assert.ok(matches(wide, ev({ f: Buffer.from('cmd /c ping 1.1.1.1', 'utf16le').toString('base64') })));
  assert.ok(matches("sel:\n  f|utf16be|base64: 'ab'\ncondition: sel", ev({ f: Buffer.from([0, 0x61, 0, 0x62]).toString('base64') })));
  assert.ok(matches("sel:\n  f|utf16|base64: 'a'\ncondition: sel", ev({ f: Buffer.from([0xff, 0xfe, 0x61, 0]).toString('base64') })));
  assert.match(loadError("sel:\n  f|base64: 'a*'\ncondition: sel"), /cannot encode wildcards/);
});

test('re with i/m/s flags, leading (?i), and case-sensitivity by default', () => {
  assert.ok(matches("sel:\n  f|re: '^ab+c$'\ncondition: sel", ev({ f: 'abbbc' })));
  assert.ok(!matches("sel:\n  f|re: '^abc$'\ncondition: sel", ev({ f: 'ABC' })));
  assert.ok(matches("sel:\n  f|re|i: '^abc$'\ncondition: sel", ev({ f: 'ABC' })));
  assert.ok(matches("sel:\n  f|re: '(?i)^abc$'\ncondition: sel", ev({ f: 'ABC' })));
  assert.ok(matches("sel:\n  f|re|m: '^b$'\ncondition: sel", ev({ f: 'a\nb\nc' })));
  assert.ok(!matches("sel:\n  f|re: '^b$'\ncondition: sel", ev({ f: 'a\nb\nc' })));
  assert.ok(matches("sel:\n  f|re|s: 'a.b'\ncondition: sel", ev({ f: 'a\nb' })));
  assert.ok(!matches("sel:\n  f|re: 'a.b'\ncondition: sel", ev({ f: 'a\nb' })));
  assert.ok(matches("sel:\n  f|re: 'x(?i)abc'\ncondition: sel", ev({ f: 'xABC' })));
  assert.match(loadError("sel:\n  f|re: '(a'\ncondition: sel"), /invalid regex/);
  assert.match(loadError("sel:\n  f|i: 'a'\ncondition: sel"), /only applies after 're'/);
});

test('catastrophic regexes run in linear time (RE2) or are rejected', () => {
  const d = "sel:\n  f|re: '^(a+)+$'\ncondition: sel";
  const start = Date.now();
  assert.ok(!matches(d, ev({ f: `${'a'.repeat(50_000)}!` })));
  assert.ok(Date.now() - start < 2000, 'the evil regex must not backtrack');
  assert.match(loadError("sel:\n  f|re: '(a)\\1'\ncondition: sel"), /backreference .*which RE2 does not support/);
});

test('cidr for IPv4 and IPv6', () => {
  const d = "sel:\n  ip|cidr:\n    - 10.0.0.0/8\n    - '2001:db8::/32'\ncondition: sel";
  assert.ok(matches(d, ev({ ip: '10.1.2.3' })));
  assert.ok(!matches(d, ev({ ip: '11.1.2.3' })));
  assert.ok(matches(d, ev({ ip: '2001:db8:1::5' })));
  assert.ok(!matches(d, ev({ ip: '2001:db9::1' })));
  assert.ok(!matches(d, ev({ ip: 'not-an-ip' })));
  assert.match(loadError("sel:\n  ip|cidr: '10.0.0.0/99'\ncondition: sel"), /not a CIDR/);
});

test('time-part modifiers on timestamps (UTC)', () => {
  const e = ev({ '@timestamp': '2026-03-05T23:45:00Z' });
  assert.ok(matches("sel:\n  '@timestamp|hour': 23\ncondition: sel", e));
  assert.ok(matches("sel:\n  '@timestamp|minute|gte': 40\ncondition: sel", e));
  assert.ok(matches("sel:\n  '@timestamp|day': 5\ncondition: sel", e));
  assert.ok(matches("sel:\n  '@timestamp|month': 3\ncondition: sel", e));
  assert.ok(matches("sel:\n  '@timestamp|year': 2026\ncondition: sel", e));
  assert.ok(matches("sel:\n  '@timestamp|week': 10\ncondition: sel", e));
  assert.ok(!matches("sel:\n  '@timestamp|hour|lt': 6\ncondition: sel", e));
});

test('fieldref and its combinations', () => {
  assert.ok(matches('sel:\n  a|fieldref: b\ncondition: sel', ev({ a: 'X', b: 'x' })));
  assert.ok(!matches('sel:\n  a|fieldref: b\ncondition: sel', ev({ a: 'X', b: 'y' })));
  assert.ok(matches('sel:\n  a|fieldref|startswith: b\ncondition: sel', ev({ a: 'prefix-rest', b: 'prefix' })));
  assert.ok(matches('sel:\n  a|fieldref|endswith: b\ncondition: sel', ev({ a: 'rest.exe', b: '.EXE' })));
  assert.ok(matches('sel:\n  a|fieldref|contains: b\ncondition: sel', ev({ a: 'xxmidxx', b: 'mid' })));
  assert.ok(!matches('sel:\n  a|fieldref: b\ncondition: sel', ev({ a: 'X' })));
});

test('expand: placeholder values; unresolved placeholders make the rule never match', () => {
  const d = "sel:\n  host|expand: '%admins%'\ncondition: sel";
  assert.ok(matches(d, ev({ host: 'dc02' }), { placeholders: { admins: ['dc01', 'dc02'] } }));
  assert.ok(!matches(d, ev({ host: 'ws1' }), { placeholders: { admins: ['dc01', 'dc02'] } }));
  assert.ok(!matches(d, ev({ host: '%admins%' })));
  assert.ok(matches("sel:\n  p|contains|expand: '\\%dir%\\'\ncondition: sel", ev({ p: 'C:\\Temp\\x' }), { placeholders: { dir: ['temp'] } }));
});

test('keywords search the configured values', () => {
  assert.ok(matches('keywords:\n  - evil\n  - bad\ncondition: keywords', ev({ message: 'an EVIL thing' }), {}, 'kw'));
  assert.ok(matches('keywords:\n  - evil\ncondition: keywords', ev({ url: { original: '/evil.php' } }), {}, 'kw'));
  assert.ok(!matches('keywords:\n  - evil\ncondition: keywords', ev({ other: 'evil' }), {}, 'kw'));
  assert.ok(matches("keywords:\n  '|all':\n    - foo\n    - bar\ncondition: keywords", ev({ message: 'bar then foo' }), {}, 'kw'));
  assert.ok(!matches("keywords:\n  '|all':\n    - foo\n    - bar\ncondition: keywords", ev({ message: 'bar only' }), {}, 'kw'));
  // Without a keyword list every string value is searched.
  assert.ok(matches('keywords:\n  - evil\ncondition: keywords', ev({ deep: { x: ['ok', 'evil!'] } })));
});

test('multi-valued fields match when any value matches; field maps try paths in order', () => {
  assert.ok(matches("sel:\n  tags|contains: 'b'\ncondition: sel", ev({ tags: ['aaa', 'xbx'] })));
  assert.ok(matches('sel:\n  Alias: two\ncondition: sel', ev({ a: { second: 'two' } })));
  assert.ok(!matches('sel:\n  Alias: two\ncondition: sel', ev({ a: { first: 'one', second: 'two' } })));
});

test('unknown modifiers and malformed items are rejected with the reason', () => {
  assert.match(loadError('sel:\n  f|bogus: a\ncondition: sel'), /unknown modifier 'bogus'/);
  assert.match(loadError('sel:\n  f|re|cidr: a\ncondition: sel'), /cannot be combined/);
  assert.match(loadError('sel:\n  f|exists: maybe\ncondition: sel'), /true or false/);
  assert.match(loadError('sel:\n  f|gt: many\ncondition: sel'), /needs a number/);
  assert.match(loadError('sel:\n  f:\n    a: b\ncondition: sel'), /nested map/);
});

test('YAML 1.1 number text is kept: 00000429 is not 429', () => {
  assert.ok(matches('sel:\n  f|contains: 00000429\ncondition: sel', ev({ f: 'x00000429' })));
  assert.ok(!matches('sel:\n  f|contains: 00000429\ncondition: sel', ev({ f: 'x429' })));
  assert.ok(matches('sel:\n  f: 1.10\ncondition: sel', ev({ f: '1.10' })));
});
