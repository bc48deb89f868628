import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseCollectConfig } from '../config.js';
import { overrideNatsTarget } from './target.js';
import { DEFAULT_INTAKE_STREAM } from './names.js';
import { DEFAULT_STREAM_MAX_BYTES } from './stream.js';

const defaults = { db: 'packettrail.duckdb', threads: 2 };
const INPUT = 'inputs:\n  - type: http\n    port: 0\n    keys: [k-0123456789abcdef-intake]\n';

function issuesOf(yaml: string): string[] {
  try {
    parseCollectConfig(yaml, 'collect.yml', defaults);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

test('to: takes a nats:// URL or a mapping with the stream and its limits', () => {
  const short = parseCollectConfig(`to: nats://10.0.0.1:4222,10.0.0.2\n${INPUT}`, 'collect.yml', defaults);
  assert.deepEqual(short.to?.url, 'nats://10.0.0.1:4222,10.0.0.2');
  assert.equal(short.to?.stream.name, DEFAULT_INTAKE_STREAM);
  assert.equal(short.to?.stream.maxBytes, DEFAULT_STREAM_MAX_BYTES);
  assert.equal(short.to?.stream.replicas, undefined);
  const full = parseCollectConfig(`to:\n  url: nats://127.0.0.1:4222\n  stream: EDGE\n  replicas: 3\n  max_bytes: 1048576\n  max_msgs: 5000\n  max_age: 3600\n  duplicate_window: 300\n${INPUT}`, 'collect.yml', defaults);
  assert.deepEqual(full.to, { url: 'nats://127.0.0.1:4222', stream: { name: 'EDGE', replicas: 3, maxBytes: 1_048_576, maxMsgs: 5000, maxAgeSeconds: 3600, duplicateWindowSeconds: 300 } });
  assert.equal(parseCollectConfig(INPUT, 'collect.yml', defaults).to, undefined);
});

test('to: problems are reported with their path, line and what was expected', () => {
  assert.deepEqual(issuesOf(`to: http://x\n${INPUT}`), ["to: expected a nats:// URL (nats://host:port, several comma-separated for a cluster), got 'http://x' (line 1)"]);
  assert.deepEqual(issuesOf(`to: nats://a:99999\n${INPUT}`), ["to: expected host:port in the nats:// URL, got 'a:99999' (line 1)"]);
  assert.deepEqual(issuesOf(`to:\n  stream: a.b\n  replicas: 9\n  max_bytes: 10\n  speed: 3\n${INPUT}`), [
    'to.url: required: expected a nats:// URL (nats://host:port, several comma-separated for a cluster) (line 2)',
    'to.stream: expected a stream name of letters, digits, _ and - (at most 64), got "a.b" (line 2)',
    'to.replicas: expected a whole number from 1 to 5 (copies of each batch on different NATS servers), got 9 (line 3)',
    'to.max_bytes: expected a whole number from 1024 to 1125899906842624 (bytes the stream holds before the intake answers 429), got 10 (line 4)',
    'to.speed: unknown option; expected one of duplicate_window, max_age, max_bytes, max_msgs, replicas, stream, url (line 5)',
  ]);
  assert.deepEqual(issuesOf(`to: [a]\n${INPUT}`), ['to: expected a mapping (key: value lines), got a list (line 1)']);
});

test('--to, --stream and --replicas override the config; --stream alone needs a target', () => {
  assert.deepEqual(overrideNatsTarget(undefined, { to: 'nats://127.0.0.1:4222', stream: 'S2', replicas: '1' })?.stream.name, 'S2');
  assert.equal(overrideNatsTarget(undefined, { to: 'nats://127.0.0.1:4222', replicas: '3' })?.stream.replicas, 3);
  assert.throws(() => overrideNatsTarget(undefined, { stream: 'S2' }), /go with --to/);
  assert.throws(() => overrideNatsTarget(undefined, { to: 'nats://x', replicas: '7' }), /--replicas: expected a whole number from 1 to 5/);
  assert.throws(() => overrideNatsTarget(undefined, { to: 'tcp://x' }), /expected a nats:\/\/ URL/);
});
