import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pointAt, SplError, suggest } from './errors.js';
import { spl } from './testing.fixture.js';

/** Asserts that compiling `q` fails at exactly `token` with a message matching `re`. */
function failsAt(q: string, token: string, re: RegExp, nth = 0): void {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = q.indexOf(token, at + 1);
  assert.throws(() => spl(q), (e: SplError) => {
    assert.ok(e instanceof SplError, String(e));
    assert.match(e.reason, re);
    assert.equal(e.offset, at, `${e.message}`);
    assert.equal(q.slice(e.offset, e.offset + e.length), token);
    return true;
  });
}

test('compile errors point at the token they are about', () => {
  failsAt('| eval x=lowr(user)', 'lowr', /unknown function 'lowr'; did you mean lower/);
  failsAt('| stats values', 'values', /values\(\) needs a field/);
  failsAt('| stats count dc(user) as count', 'count', /two fields would be named 'count'/, 1);
  failsAt('a OR earliest=-1h', 'earliest', /bounds the whole search/);
  failsAt('earliest=yesterday', 'yesterday', /invalid time 'yesterday'/);
  failsAt('| timechart span=1fortnight count', '1fortnight', /invalid span/);
  failsAt('| timechart spam=1h count', 'spam', /unknown timechart option 'spam'/);
  failsAt('| timechart usenull=maybe count by x', 'maybe', /expected true or false/);
  failsAt('index=nope', 'nope', /unknown index 'nope'/);
  failsAt('| search related_ip>5', 'related_ip', /holds several values/);
  failsAt('| table nothing*', 'nothing*', /no field matches/);
});

test('the excerpt shows the offending line of a multi-line query, control characters neutralized', () => {
  assert.equal(pointAt('a\nbc de\nf', 5, 2), '  bc de\n     ^^');
  assert.equal(pointAt('x\u001b[31my', 1, 1), '  x?[31my\n   ^');
  const q = 'index=app\n| timechart spam=1h count';
  assert.throws(() => spl(q), (e: SplError) => e.message.endsWith('\n  | timechart spam=1h count\n              ^^^^'));
});

test('a field no event has is null with a warning, as in Splunk; a likely typo gets a hint', () => {
  const typo = spl('index=cloudfront | stats count by edge_locaton');
  assert.match(typo.sql, /CAST\(NULL AS VARCHAR\) AS "edge_locaton"/);
  assert.deepEqual(typo.warnings, ["no event here has field 'edge_locaton': it is null; did you mean edge_location, x_edge_location?"]);
  const after = spl('| stats count by host | table url');
  assert.match(after.warnings[0]!, /at this point of the pipeline .* there is no field 'url': it is null/);
  assert.deepEqual(spl('| where nosuchfieldatall > 1 | stats count').warnings, ["no event here has field 'nosuchfieldatall': it is null"]);
});

test('suggestions are the closest known names', () => {
  assert.deepEqual(suggest('src_pi', ['src_ip', 'dest_ip', 'src_port', 'user']), ['src_ip']);
  assert.deepEqual(suggest('zzzzzz', ['a', 'b']), []);
});
