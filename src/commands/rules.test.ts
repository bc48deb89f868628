import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerRules } from './rules.js';
import { tempDir } from '../testing/tmp.js';

async function run(args: string[]): Promise<{ out: string; code: number | undefined }> {
  const program = new Command('packettrail').exitOverride();
  registerRules(program);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    out += chunk;
    return true;
  }) as typeof process.stdout.write;
  const before = process.exitCode;
  try {
    await program.parseAsync(['node', 'packettrail', ...args]);
  } finally {
    process.stdout.write = write;
  }
  const code = process.exitCode as number | undefined;
  process.exitCode = before;
  return { out, code };
}

const GOOD = 'title: Good\nid: g1\nlogsource: {category: webserver}\ndetection:\n  sel:\n    cs-method: TRACE\n  condition: sel\n';
const BAD = 'title: Bad\nid: b1\nlogsource: {category: webserver}\ndetection:\n  sel:\n    cs-method: TRACE\n  condition: sel | count() by c-ip > 5\n';

test('rules lint reports each rule, the reject with file, line and reason, and totals; exit 1 on rejects', async () => {
  const dir = tempDir('pt-rules-');
  writeFileSync(join(dir, 'good.yml'), GOOD);
  writeFileSync(join(dir, 'bad.yml'), BAD);
  const { out, code } = await run(['rules', 'lint', dir]);
  assert.match(out, /^ok .*good\.yml:1 {2}Good {2}→ aws\.cloudfront, aws\.alb, aws\.waf, app\.json$/m);
  assert.match(out, /^reject .*bad\.yml:7: Bad: condition 'sel \| count\(\) by c-ip > 5': legacy aggregation syntax, use a correlation rule/m);
  assert.match(out, /2 files: 1 rules loaded, 1 rejected \(50\.00% loaded\)/);
  assert.equal(code, 1);
});

test('rules list shows the formats of each rule, and --json', async () => {
  const dir = tempDir('pt-rules-');
  writeFileSync(join(dir, 'good.yml'), GOOD);
  const table = await run(['rules', 'list', '--rules', dir]);
  // The title first, as in every rule table; the id last.
  assert.match(table.out, /^title +level +formats +id$/m);
  assert.match(table.out, /Good +medium +aws\.cloudfront, aws\.alb, aws\.waf, app\.json +g1/);
  const json = await run(['rules', 'list', '--rules', dir, '--json']);
  const row = JSON.parse(json.out.trim().split('\n')[0]!) as { id: string; formats: string[] };
  assert.equal(row.id, 'g1');
  assert.deepEqual(row.formats, ['aws.cloudfront', 'aws.alb', 'aws.waf', 'app.json']);
});
