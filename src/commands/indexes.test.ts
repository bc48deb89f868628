import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../testing/tmp.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const HEADER = '#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken';

test('packettrail index and ingest --index: create, report, leave alone, drop; a missing database is fatal', () => {
  const dir = tempDir();
  const db = join(dir, 'x.duckdb');
  const log = join(dir, 'E2EXAMPLE.2026-11-20-10.a.log');
  writeFileSync(log, `${HEADER}\n2026-11-20\t10:00:00\tLAX1\t392\t192.0.2.7\tGET\td1.cloudfront.net\t/\t200\t-\tcurl/8.5.0\t-\t-\tHit\tid-1==\tapp.example.com\thttps\t23\t0.001\n`);
  const ingested = run('ingest', '--index', '--threads', '0', '--no-builtin-rules', '--db', db, log);
  assert.equal(ingested.code, 0, ingested.err);
  assert.match(ingested.err, /trail indexes:\n {2}events_aws_cloudfront\(http_request_id\): created in \d+\.\d s/);
  const again = run('index', '--db', db);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /events_aws_cloudfront\(http_request_id\): already there\n.*x\.duckdb: \d+ MB → \d+ MB\n$/);
  assert.equal(run('trail', '--db', db, '--request-id', 'id-1==', '--json').code, 0);
  assert.match(run('index', '--db', db, '--drop').out, /^dropped trail_events_aws_cloudfront_http_request_id\n$/);
  assert.match(run('index', '--db', db, '--drop').out, /^no trail indexes to drop\n$/);
  assert.match(run('index', '--db', db).out, /created in/);
  const missing = run('index', '--db', join(dir, 'none.duckdb'));
  assert.equal(missing.code, 3);
  assert.match(missing.err, /does not exist/);
});
