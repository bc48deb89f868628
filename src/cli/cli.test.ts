import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT } from '../testing/shared.js';
import { tempDir } from '../testing/tmp.js';

const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');
const HEADER = '#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end';
const row = (i: number, edge: string) =>
  `2026-11-20\t10:00:${String(i % 60).padStart(2, '0')}\t${edge}\t392\t192.0.2.${i}\tGET\td1abcdexample.cloudfront.net\t/p${i}\t200\t-\tcurl/8.5.0\t-\t-\tHit\treq${i}==\tapp.example.com\thttps\t23\t0.001\t-\tTLSv1.2\tECDHE-RSA-AES128-GCM-SHA256\tHit\tHTTP/2.0\t-\t-\t${1024 + i}\t0.001\tHit\ttext/html\t78\t-\t-`;

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('ingest then query, end to end, with dedup on re-ingest', () => {
  const dir = tempDir();
  const db = join(dir, 'case.duckdb');
  const file = join(dir, 'E2EXAMPLE.2026-11-20-10.abcd1234.gz');
  writeFileSync(file, gzipSync(`${HEADER}\n${[1, 2, 3].map((i) => row(i, 'LAX1')).join('\n')}\n${row(4, 'FRA56-P3')}\nnot a cloudfront line\n`));

  const first = cli(['ingest', '--db', db, file]);
  assert.equal(first.code, 1, 'one line was rejected');
  assert.match(first.err, /4 events, 4 stored, 0 already stored, 1 rejected/);
  const deadLetter = join(dir, 'case.dead-letter.ndjson');
  assert.ok(existsSync(deadLetter));
  const letter = JSON.parse(readFileSync(deadLetter, 'utf8').trim());
  assert.equal(letter.line, 7);
  assert.equal(letter.source, file);
  assert.equal(letter.record, 'not a cloudfront line');

  // A second ingest with another DuckDB memory limit (a size DuckDB parses); a malformed one is a usage error.
  const again = cli(['ingest', '--db', db, '--memory-limit', '384MB', file]);
  assert.match(again.err, /0 stored, 4 already stored/);
  const badLimit = cli(['ingest', '--db', db, '--memory-limit', 'lots', file]);
  assert.equal(badLimit.code, 2);
  assert.match(badLimit.err, /--memory-limit must be a size like 512MB/);

  const q = cli(['query', '--db', db, '-o', 'json', 'SELECT aws_cloudfront_edge_location AS edge, count(*) AS n, min(aws_cloudfront_distribution_id) AS dist FROM events GROUP BY 1 ORDER BY 1']);
  assert.equal(q.code, 0, q.err);
  assert.deepEqual(q.out.trim().split('\n').map((l) => JSON.parse(l)), [
    { edge: 'FRA56-P3', n: 1, dist: 'E2EXAMPLE' },
    { edge: 'LAX1', n: 3, dist: 'E2EXAMPLE' },
  ]);
  const csv = cli(['query', '--db', db, '-o', 'csv', "SELECT url_path, related_ip FROM events WHERE http_request_id = 'req4=='"]);
  assert.equal(csv.out, 'url_path,related_ip\n/p4,"[""192.0.2.4""]"\n');
  const dead = cli(['query', '--db', db, '-o', 'json', 'SELECT line, reason FROM dead_letters']);
  assert.match(dead.out, /"line":7/);

  const schema = cli(['query', '--db', db, '--schema']);
  assert.match(schema.out, /events\s+source_ip\s+VARCHAR\s+source\.ip/);
  assert.match(schema.out, /events\s+aws_cloudfront_edge_location\s+VARCHAR\s+aws\.cloudfront\.edge_location/);

  const badSql = cli(['query', '--db', db, 'SELECT nope FROM events']);
  assert.equal(badSql.code, 2, 'a query that names an unknown column is a usage error, as in SPL');
  assert.match(badSql.err, /query is not valid: Binder Error/);
});

test('normalize reads stdin and writes NDJSON; usage errors exit 2; help exits 0', () => {
  const r = cli(['normalize', '-q', '--format', 'aws.cloudfront'], `${HEADER}\n${row(9, 'LAX1')}\n`);
  assert.equal(r.code, 0, r.err);
  const e = JSON.parse(r.out.trim());
  assert.equal(e.http.request.id, 'req9==');
  assert.equal(cli(['normalize', '--format', 'no.such.format', 'x']).code, 2);
  assert.equal(cli(['ingest']).code, 2);
  const help = cli(['ingest', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /Examples:/);
  assert.match(help.out, /Exit codes:/);
  const missing = cli(['query', '--db', join(tempDir(), 'none.duckdb'), 'SELECT 1']);
  assert.equal(missing.code, 3);
  const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  for (const flag of ['--version', '-V']) assert.deepEqual(cli([flag]), { code: 0, out: `${version}\n`, err: '' });
  assert.match(cli(['--help']).out, /trail \[options\]/, 'top-level help still lists every command');
});

test('table output escapes control characters from log content', () => {
  const dir = tempDir();
  const db = join(dir, 'x.duckdb');
  const file = join(dir, 'evil.log');
  writeFileSync(file, `${HEADER}\n${row(1, 'LAX1').replace('/p1', '/p1%1B[31mRED')}\n`);
  assert.equal(cli(['ingest', '-q', '--db', db, '--original', file]).code, 0);
  const out = cli(['query', '--db', db, 'SELECT url_path FROM events']).out;
  assert.match(out, /\/p1%1B\[31mRED/);
  const decoded = cli(['query', '--db', db, "SELECT chr(27) || 'x' AS v"]).out;
  assert.ok(!decoded.includes('\u001b'), 'no raw escape byte reaches the terminal');
  assert.match(decoded, /\\x1bx/);
});

test('--mapping passes an app.json field mapping from the command line', () => {
  const dir = tempDir();
  const mapping = join(dir, 'mapping.yaml');
  writeFileSync(mapping, 'fields:\n  timestamp: when\n  status: [outcome.code]\n  cf_id: [edge_id]\n');
  const line = JSON.stringify({ when: '2026-11-20T10:00:00Z', method: 'GET', path: '/api', outcome: { code: 503 }, edge_id: 'EdgeId123==' });
  const r = cli(['normalize', '-q', '--format', 'app.json', '--mapping', mapping], `${line}\n`);
  assert.equal(r.code, 0, r.err);
  const e = JSON.parse(r.out.trim());
  assert.equal(e.http.request.id, 'EdgeId123==');
  assert.equal(e.http.response.status_code, 503);
  assert.equal(e['@timestamp'], '2026-11-20T10:00:00Z');
});
