import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../testing/tmp.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

function check(yaml: string): { status: number | null; stdout: string; stderr: string } {
  const file = join(tempDir('packettrail-collect-cli-'), 'collect.yml');
  writeFileSync(file, yaml);
  const r = spawnSync(process.execPath, [CLI, 'collect', '--check', '--config', file], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('packettrail collect --check', () => {
  it('accepts a valid config and names its inputs', () => {
    const r = check('db: x.duckdb\ndetection: {builtin_rules: false}\ninputs:\n  - {type: s3-sqs, name: cf, queue_url: "https://sqs.eu-west-1.amazonaws.com/1/q"}\n');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /valid; 1 input\(s\): cf; database x\.duckdb/);
  });

  it('lists every problem with its path and line and exits 2', () => {
    const r = check('inputs:\n  - type: s3-sqs\n    queue_url: 12\n    wait_seconds: 60\n');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /2 problems/);
    assert.match(r.stderr, /inputs\[0\]\.queue_url: expected the queue URL .*, got 12 \(line 3\)/);
    assert.match(r.stderr, /inputs\[0\]\.wait_seconds: expected a whole number from 0 to 20 \(long-poll seconds\), got 60 \(line 4\)/);
  });

  it('reports a config file that cannot be read', () => {
    const r = spawnSync(process.execPath, [CLI, 'collect', '--check', '--config', '/nonexistent/collect.yml'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /cannot read the config: ENOENT/);
  });
});
