import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../cli/exit-codes.js';
import { cloudfrontLog } from '../detect/test-helpers.js';
import { REPO_ROOT } from '../testing/shared.js';
import { tempDir } from '../testing/tmp.js';

const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');

const rule = (title: string, detection: string, extra = '') => `title: ${title}\n${extra}logsource: {category: webserver}\ndetection:\n${detection}`;
const withCondition = (condition: string) => rule('Hostile', `  sel:\n    cs-method: TRACE\n  condition: ${condition}\n`);

/** A billion laughs: nine levels of nine aliases each. */
function laughs(): string {
  let text = 'a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
  for (let i = 1; i < 10; i++) text += `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]\n`;
  return `title: Laughs\n${text}${rule('Laughs', '  sel:\n    cs-method: TRACE\n  condition: sel\n').replace('title: Laughs\n', '')}`;
}

/** Each hostile file with the reason it must be refused for. */
const HOSTILE: Record<string, [text: string, reason: RegExp]> = {
  'parens.yml': [withCondition(`${'('.repeat(10_000)}sel${')'.repeat(10_000)}`), /condition is 20003 characters long, over the limit of 10000/],
  'parens-deep.yml': [withCondition(`${'('.repeat(1000)}sel${')'.repeat(1000)}`), /condition nested deeper than 200 levels/],
  'nots.yml': [withCondition(`${'not '.repeat(100_000)}sel`), /condition is 400003 characters long, over the limit of 10000/],
  'nots-deep.yml': [withCondition(`${'not '.repeat(300)}sel`), /condition nested deeper than 200 levels/],
  'one-of-stars.yml': [
    rule('Stars', `${['x', 'y', 'z'].map((s) => `  ${'a'.repeat(40)}${s}:\n    cs-method: TRACE\n`).join('')}  condition: 1 of ${'*a'.repeat(8)}*b\n`),
    /'1 of (\*a)+\*b' matches no search identifier/,
  ],
  'laughs.yml': [laughs(), /YAML aliases expand beyond 100 nodes/],
  'deep-flow.yml': [`x: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n${rule('Deep', '  sel:\n    cs-method: TRACE\n  condition: sel\n')}`, /YAML nested too deeply to read/],
  'deep-block.yml': [`x:\n${Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i + 1)}k:\n`).join('')}${rule('Deep', '  sel:\n    cs-method: TRACE\n  condition: sel\n')}`, /YAML nested (too deeply to read|deeper than 64 levels)/],
  'many-items.yml': [rule('Items', `${Array.from({ length: 1001 }, (_, i) => `  s${i}:\n    cs-method: M${i}\n`).join('')}  condition: 1 of them\n`), /more than 1000 detection items/],
  'many-values.yml': [rule('Values', `  sel:\n    cs-uri-query|windash|contains:\n${Array.from({ length: 100 }, (_, i) => `      - '-a${i} -b -c -d -e'\n`).join('')}  condition: sel\n`), /more than 100000 values \(counted after modifiers expand them\)/],
  'regex-heavy.yml': [rule('Regexes', `  sel:\n    cs-user-agent|re:\n${Array.from({ length: 6 }, () => "      - 'x{0,999}'\n").join('')}  condition: sel\n`), /regexes compile to \d+ RE2 instructions together, over the limit of 10000 per rule/],
  'lookahead.yml': [rule('Lookahead', "  sel:\n    cs-user-agent|re: 'curl(?=/)'\n  condition: sel\n"), /regex uses lookahead \(\?=…\), which RE2 does not support/],
  'cycle.yml': [
    ['a', 'b'].map((n, i) => `title: Corr ${n}\nname: corr_${n}\ncorrelation:\n  type: event_count\n  rules: [good, corr_${i ? 'a' : 'b'}]\n  group-by: [c-ip]\n  timespan: 1h\n  condition: {gte: 1}\n`).join('---\n'),
    /correlation references form a cycle \(corr_a → corr_b → corr_a\)/,
  ],
  'huge.yml': [`# ${'x'.repeat(4 * 1024 * 1024)}\n`, /rule file is \d+ bytes, over the limit of 4194304 bytes/],
};

const GOOD = rule('Good curl', '  sel:\n    cs-user-agent|startswith: curl/\n  condition: sel\n', 'id: 0c8a4f7e-3d1b-4c55-9a51-2f8e6d0b7a11\nname: good\n');

function hostileFolder(): string {
  const dir = tempDir('pt-hostile-rules-');
  writeFileSync(join(dir, 'good.yml'), GOOD);
  for (const [name, [text]] of Object.entries(HOSTILE)) writeFileSync(join(dir, name), text);
  return dir;
}

function cli(args: string[], cwd: string) {
  // A hang is a failure too: the loader must answer well within this.
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd, timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('rules lint: hostile rule files are each refused with their name and reason, the good rule still loads', () => {
  const dir = hostileFolder();
  const r = cli(['rules', 'lint', dir], dir);
  assert.equal(r.code, EXIT.REJECTED, r.err);
  assert.doesNotMatch(r.err, /internal error|at .*\.js:\d+/);
  assert.match(r.out, /^ok {6}.*good\.yml:\d+ {2}Good curl {2}→ aws\.cloudfront/m);
  for (const [name, [, reason]] of Object.entries(HOSTILE)) {
    const lines = r.out.split('\n').filter((l) => l.startsWith('reject') && l.includes(join(dir, name)));
    assert.ok(lines.some((l) => reason.test(l)), `${name}: expected ${reason}, got ${lines.join(' | ') || 'no reject line'}`);
  }
});

test('detect --rules names each refused file with its reason and runs the good rule', () => {
  const dir = hostileFolder();
  const log = join(dir, 'E2EXAMPLE.2026-11-20-10.abcd1234.log');
  writeFileSync(log, cloudfrontLog([['10:00:00', '203.0.113.5', 'app.example.com']]));
  const r = cli(['detect', '--no-builtin-rules', '--rules', dir, '--threads', '0', '--dead-letter', join(dir, 'dl.ndjson'), log], dir);
  assert.equal(r.code, EXIT.OK, r.err);
  for (const [name, [, reason]] of Object.entries(HOSTILE)) {
    const lines = r.err.split('\n').filter((l) => l.includes(join(dir, name)));
    assert.ok(lines.some((l) => reason.test(l)), `${name}: expected ${reason}, got ${lines.join(' | ') || 'nothing'}`);
  }
  const alerts = r.out.trimEnd().split('\n').map((l) => JSON.parse(l) as { rule: { title: string } });
  assert.deepEqual(alerts.map((a) => a.rule.title), ['Good curl']);
});
