import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from '../testing/shared.js';
import { tempDir } from '../testing/tmp.js';
import { cloudfrontLog } from '../detect/test-helpers.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import type { Alert } from '../detect/types.js';

const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');
const dir = tempDir('packettrail-detect-cli-');
const log = join(dir, 'E2EXAMPLE.2026-11-20-10.abcd1234.log');
writeFileSync(
  log,
  cloudfrontLog([
    ['10:00:00', '203.0.113.5', 'app.example.com'],
    ['10:00:30', '198.51.100.1', 'app.example.com'],
    ['10:01:00', '203.0.113.5', 'app.example.com'],
    ['10:02:00', '2001:db8:bad::7', 'login.evil.example'],
  ]) + 'not a cloudfront line\n',
);
const intel = join(dir, 'blocklist.csv');
writeFileSync(intel, 'type,value,confidence\nip,203.0.113.0/24,75\nip,2001:db8:bad::/48,60\ndomain,evil.example,90\n');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: dir });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('detect prints alerts as NDJSON, the summary on stderr, and stores nothing', () => {
  const r = cli(['detect', '--no-builtin-rules', '--intel', intel, '--threads', '0', '--dead-letter', join(dir, 'dl.ndjson'), log]);
  assert.equal(r.code, 1, r.err); // the junk line was rejected
  const alerts = r.out.trimEnd().split('\n').map((l) => JSON.parse(l) as Alert);
  assert.deepEqual(alerts.map((a) => `${a.rule.id} ${a.key!['threat.indicator.value']} ${a.details!.suppressed ?? 0}`), [
    'intel:blocklist.csv 203.0.113.0/24 1',
    'intel:blocklist.csv 2001:db8:bad::/48 0',
    'intel:blocklist.csv evil.example 0',
  ]);
  const first = alerts[0]!;
  assert.equal(first.event.kind, 'alert');
  assert.equal(first.events[0]!.source!.ip, '203.0.113.5');
  assert.deepEqual(first.details!.indicator, { type: 'ipv4', value: '203.0.113.0/24', feed: 'blocklist.csv', confidence: 75 });
  assert.match(r.err, /intel feed blocklist\.csv \(csv\): 3 indicators/);
  assert.match(r.err, /alerts: 3 from 4 matches, 1 duplicates suppressed/);
  assert.match(r.err, /Threat intel indicator match \(blocklist\.csv\)\s+4\s+3\s+1/);
  assert.ok(!existsSync(join(dir, 'packettrail.duckdb')));
  // Same input, same alert ids.
  const again = cli(['detect', '--no-builtin-rules', '--intel', intel, '--threads', '0', '-q', '--dead-letter', join(dir, 'dl.ndjson'), log]);
  assert.deepEqual(again.out.trimEnd().split('\n').map((l) => (JSON.parse(l) as Alert).event.id), alerts.map((a) => a.event.id));
});

test('detect: bad feed or webhook arguments are usage errors (exit 2)', () => {
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{"type": "bundle", "objects": [');
  let r = cli(['detect', '--intel', broken, log]);
  assert.equal(r.code, 2);
  assert.match(r.err, /intel feed .*broken\.json: not valid JSON/);
  r = cli(['detect', '--intel', join(dir, 'nope.csv'), log]);
  assert.equal(r.code, 2);
  assert.match(r.err, /nope\.csv: cannot read: ENOENT/);
  r = cli(['detect', '--intel', intel, '--alert-webhook', 'ftp://x', log]);
  assert.equal(r.code, 2);
  assert.match(r.err, /--alert-webhook must be an http or https URL/);
});

test('detect --alert-webhook POSTs every alert to a local server', async () => {
  const bodies: Alert[] = [];
  const srv = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      bodies.push(JSON.parse(body) as Alert);
      res.writeHead(bodies.length === 1 ? 503 : 204).end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/alerts`;
  const child = spawn(process.execPath, [CLI, 'detect', '--no-builtin-rules', '--intel', intel, '--threads', '0', '--dead-letter', join(dir, 'dl2.ndjson'), '--alert-webhook', url, log], { cwd: dir });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c));
  child.stdout.resume();
  const code = await new Promise<number | null>((r) => child.on('close', r));
  srv.close();
  assert.equal(code, 1, err);
  // The first POST got a 503 and was retried.
  assert.equal(bodies.length, 4);
  assert.deepEqual([...new Set(bodies.map((b) => b.event.id))].length, 3);
  assert.match(err, /webhook http:\/\/127\.0\.0\.1:\d+: 3 delivered/);
});

test('ingest stores alerts in the alerts table, once across re-ingests', async () => {
  const db = join(dir, 'case.duckdb');
  const args = ['ingest', '--db', db, '--no-builtin-rules', '--intel', intel, '--threads', '0', log];
  const r1 = cli(args);
  assert.equal(r1.code, 1, r1.err);
  assert.match(r1.err, /alerts: 3 from 4 matches, 1 duplicates suppressed/);
  assert.match(r1.err, /alerts table: 3 delivered/);
  const r2 = cli(args);
  assert.match(r2.err, /alerts table: 0 delivered, 3 already there/);
  const store = await DuckDbStore.open(db, { readOnly: true });
  try {
    const rows = (await store.query(`SELECT rule_id, rule_kind, level, severity, key->>'threat.indicator.value', len(event_ids), CAST(details->'suppressed' AS INTEGER) FROM alerts ORDER BY timestamp, 5`)).rows;
    assert.deepEqual(rows, [
      ['intel:blocklist.csv', 'intel', 'high', 85, '203.0.113.0/24', 1, 1],
      ['intel:blocklist.csv', 'intel', 'high', 85, '2001:db8:bad::/48', 1, null],
      ['intel:blocklist.csv', 'intel', 'high', 85, 'evil.example', 1, null],
    ]);
  } finally {
    await store.close();
  }
});
