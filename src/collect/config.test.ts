import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../testing/tmp.js';
import { ConfigError, parseCollectConfig } from './config.js';
import { LazyS3SqsInput } from './s3sqs/input-type.js';

const defaults = { db: 'packettrail.duckdb', threads: 2 };

function issuesOf(yaml: string, given = defaults): string[] {
  try {
    parseCollectConfig(yaml, 'collect.yml', given);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

describe('collect config', () => {
  it('builds an s3-sqs input with its options and the top-level settings', () => {
    const config = parseCollectConfig(
      `db: /var/lib/packettrail/logs.duckdb
threads: 3
max_concurrent: 6
detection:
  builtin_rules: false
  intel: [feeds/bad-ips.csv]
inputs:
  - type: s3-sqs
    name: cloudfront
    queue_url: https://sqs.eu-west-1.amazonaws.com/123456789012/cf-logs
    receivers: 4
    visibility_timeout: 600
    key_formats:
      - key: 'exports/*/edge'
        format: aws.cloudfront
`,
      'collect.yml',
      defaults,
    );
    assert.equal(config.db, '/var/lib/packettrail/logs.duckdb');
    assert.equal(config.threads, 3);
    assert.equal(config.maxConcurrent, 6);
    assert.deepEqual(config.detection, { builtinRules: false, rules: [], intel: ['feeds/bad-ips.csv'], alertWebhook: undefined });
    const input = config.inputs[0] as LazyS3SqsInput;
    assert.ok(input instanceof LazyS3SqsInput);
    assert.equal(input.name, 'cloudfront');
    assert.equal(input.settings.receivers, 4);
    assert.equal(input.settings.visibilityTimeout, 600);
    assert.equal(input.settings.waitSeconds, 20);
    assert.equal(input.settings.keyFormats.formatFor('exports/2026/edge/x.gz'), 'aws.cloudfront');
    assert.equal(input.settings.keyFormats.formatFor('AWSLogs/1/CloudTrail/eu-west-1/x.json.gz'), 'aws.cloudtrail');
  });

  it('reports every problem with its path, what was expected and its line', () => {
    const issues = issuesOf(`db: 42
inputs:
  - type: s3-sqs
    queue_url: ftp://nowhere
    receivers: 0
    format: aws.cloudfrnt
    recievers: 2
    key_formats:
      - key: 'a/*'
  - type: carrier-pigeon
  - type: s3-sqs
    name: bad name!
`);
    const expected = [
      /^db: expected a database file path or a clickhouse:\/\/ URL, got 42 \(line 1\)$/,
      /^inputs\[0\]\.queue_url: expected the queue URL .*got "ftp:\/\/nowhere" \(line 4\)$/,
      /^inputs\[0\]\.receivers: expected a whole number from 1 to 32, got 0 \(line 5\)$/,
      /^inputs\[0\]\.format: expected auto or a format id \(.*aws\.cloudfront.*\), got "aws\.cloudfrnt" \(line 6\)$/,
      /^inputs\[0\]\.recievers: unknown option; expected one of .*receivers.* \(line 7\)$/,
      /^inputs\[0\]\.key_formats\[0\]\.format: required: expected auto or a format id/,
      /^inputs\[1\]\.type: unknown input type "carrier-pigeon"; expected one of s3-sqs/,
      /^inputs\[2\]\.name: expected a name of letters, digits/,
      /^inputs\[2\]\.queue_url: required/,
    ];
    for (const re of expected) assert.ok(issues.some((i) => re.test(i)), `${re} in\n${issues.join('\n')}`);
  });

  it('rejects YAML syntax errors, missing inputs and unknown top-level keys', () => {
    assert.match(issuesOf('inputs: [\n')[0]!, /YAML: .*\(line \d+\)/);
    assert.deepEqual(issuesOf('db: x.duckdb\n'), ['inputs: required: expected a list of inputs, each with a `type` (line 1)']);
    assert.ok(issuesOf('inputs: []\ntheads: 2\n').some((i) => /^theads: unknown option; expected one of .*threads/.test(i)));
    assert.ok(issuesOf('inputs: []\n').some((i) => /^inputs: expected at least one input/.test(i)));
  });

  it('rejects two inputs with the same name', () => {
    const issues = issuesOf(`inputs:
  - {type: s3-sqs, name: a, queue_url: 'https://sqs.eu-west-1.amazonaws.com/1/q'}
  - {type: s3-sqs, name: a, queue_url: 'https://sqs.eu-west-1.amazonaws.com/1/r'}
`);
    assert.deepEqual(issues, ["inputs[1].name: duplicate input name 'a' (also inputs[0]) (line 3)"]);
  });

  it('checks that the dead-letter file can be written, configured or beside the database', () => {
    const dir = tempDir();
    const input = `inputs:\n  - {type: s3-sqs, name: a, queue_url: 'https://sqs.eu-west-1.amazonaws.com/1/q'}\n`;
    const withDefault = { ...defaults, deadLetterFor: (db: string) => db.replace(/\.duckdb$/, '.dead-letter.ndjson') };
    assert.deepEqual(issuesOf(`dead_letter: ${dir}/dead.ndjson\n${input}`, withDefault), []);
    assert.deepEqual(readdirSync(dir), [], 'the check leaves nothing behind');
    assert.deepEqual(issuesOf(`dead_letter: ${dir}/missing/dead.ndjson\n${input}`), [
      `dead_letter: the dead-letter file cannot be written: the directory ${dir}/missing does not exist (line 1)`,
    ]);
    mkdirSync(join(dir, 'a-directory'));
    assert.deepEqual(issuesOf(`db: x.duckdb\ndead_letter: ${dir}/a-directory\n${input}`), [`dead_letter: the dead-letter file cannot be written: ${dir}/a-directory is a directory (line 2)`]);
    assert.deepEqual(issuesOf(`db: ${dir}/nowhere/logs.duckdb\n${input}`, withDefault), [
      `db: the dead-letter file beside the database cannot be written (set dead_letter: to put it elsewhere): the directory ${dir}/nowhere does not exist (line 1)`,
    ]);
  });
});
