import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { REPO_ROOT } from '../testing/shared.js';
import { tempDir } from '../testing/tmp.js';
import { renderTableOrVertical, renderVerticalResult } from '../cli/result-output.js';

const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');

let dir: string;
let db: string;
/** A database whose events view never ends: only a cap applied while streaming can answer over it. */
let endless: string;
before(async () => {
  dir = tempDir('packettrail-query-output-');
  db = join(dir, 'q.duckdb');
  let store = await DuckDbStore.open(db);
  await store.query(`CREATE TABLE events AS SELECT
      TIMESTAMP '2026-11-20 08:00:00' + to_seconds(CAST(i AS BIGINT)) + to_milliseconds(CAST(i % 3 AS BIGINT) * 120) AS "timestamp",
      'e' || i AS event_id, CAST(NULL AS VARCHAR) AS user_name,
      CASE WHEN i = 7 THEN 'two' || chr(10) || 'lines, "quoted"' ELSE 'plain' END AS message
    FROM range(250) t(i)`);
  await store.close();
  endless = join(dir, 'endless.duckdb');
  store = await DuckDbStore.open(endless);
  await store.query(`CREATE VIEW events AS SELECT 'e' || a.range AS event_id FROM range(1000000000) a, range(1000000) b WHERE a.range + b.range >= 0`);
  await store.close();
});

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input, maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('table output shows the first 100 rows and says how many more, piped or not; --limit changes it, 0 lifts it', () => {
  const r = cli(['query', '--db', db, 'SELECT event_id FROM events ORDER BY "timestamp"']);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trimEnd().split('\n');
  assert.equal(lines.length, 2 + 100 + 1, 'header, rule, 100 rows, footer');
  assert.equal(lines[2], 'e0');
  assert.equal(lines.at(-1), '(100 of 250 rows; 150 more: --limit N shows more, --limit 0 all)');
  const five = cli(['query', '--db', db, '--limit', '5', 'SELECT event_id FROM events']);
  assert.match(five.out, /\n\(5 of 250 rows; 245 more: /);
  const all = cli(['query', '--db', db, '--limit', '0', 'SELECT event_id FROM events']);
  assert.match(all.out, /\n\(250 rows\)\n$/);
  assert.equal(cli(['query', '--db', db, '--limit', 'many', 'SELECT 1']).code, 2);
});

test('json and csv to a pipe carry every row; with --limit the rows left out are named on stderr', () => {
  const json = cli(['query', '--db', db, '-o', 'json', 'SELECT event_id FROM events']);
  assert.equal(json.out.trimEnd().split('\n').length, 250);
  assert.equal(json.err, '');
  const three = cli(['query', '--db', db, '-o', 'json', '--limit', '3', 'SELECT event_id FROM events ORDER BY event_id']);
  assert.deepEqual(three.out.trimEnd().split('\n').map((l) => JSON.parse(l).event_id), ['e0', 'e1', 'e10']);
  assert.equal(three.err, 'packettrail: 3 of 250 rows; 247 more: --limit N shows more, --limit 0 all\n');
});

test('csv lines end in LF; a value with a line break stays one quoted field', () => {
  const r = cli(['query', '--db', db, '-o', 'csv', "SELECT event_id, message FROM events WHERE event_id IN ('e6', 'e7') ORDER BY event_id"]);
  assert.equal(r.code, 0, r.err);
  assert.ok(!r.out.includes('\r'), 'no CR anywhere');
  assert.equal(r.out, 'event_id,message\ne6,plain\ne7,"two\nlines, ""quoted"""\n');
});

test('timestamps are RFC 3339 UTC with Z in json (nested too), csv and table output', () => {
  const sql = `SELECT "timestamp", ["timestamp"] AS list, {'at': "timestamp"} AS s, CAST("timestamp" AS TIMESTAMPTZ) AS tz, CAST("timestamp" AS DATE) AS day
    FROM events WHERE event_id IN ('e0', 'e1') ORDER BY event_id`;
  const json = cli(['query', '--db', db, '-o', 'json', sql]).out.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(json[0], { timestamp: '2026-11-20T08:00:00Z', list: ['2026-11-20T08:00:00Z'], s: { at: '2026-11-20T08:00:00Z' }, tz: '2026-11-20T08:00:00Z', day: '2026-11-20' });
  assert.equal(json[1].timestamp, '2026-11-20T08:00:01.12Z');
  assert.match(cli(['query', '--db', db, '-o', 'csv', sql]).out, /^2026-11-20T08:00:00Z,/m);
  assert.match(cli(['query', '--db', db, sql]).out, /^2026-11-20T08:00:01\.12Z /m);
});

test('-x prints one block of column: value lines per row, NULL columns counted, not shown', () => {
  const r = cli(['query', '--db', db, '-x', '--limit', '2', 'SELECT event_id, user_name, message FROM events ORDER BY "timestamp"']);
  assert.equal(r.code, 0, r.err);
  assert.equal(
    r.out,
    ['-[ row 1 ]---', 'event_id: e0', 'message:  plain', '(1 NULL column not shown)', '-[ row 2 ]---', 'event_id: e1', 'message:  plain', '(1 NULL column not shown)', '(2 of 250 rows; 248 more: --limit N shows more, --limit 0 all)', ''].join('\n'),
  );
  assert.equal(cli(['query', '--db', db, '-o', 'vertical', '--limit', '2', 'SELECT event_id, user_name, message FROM events ORDER BY "timestamp"']).out, r.out);
  assert.equal(cli(['query', '--db', db, '-x', '-o', 'json', 'SELECT 1']).code, 2, '-x and another -o conflict');
});

test('on a terminal the default table turns vertical when it is wider than the terminal', () => {
  const result = { columns: [{ name: 'id', type: 'VARCHAR' }, { name: 'url', type: 'VARCHAR' }], rows: [['e1', `https://app.example.com/${'x'.repeat(50)}`]] };
  assert.equal(renderTableOrVertical(result, 200).format, 'table');
  const narrow = renderTableOrVertical(result, 40);
  assert.equal(narrow.format, 'vertical');
  assert.equal(narrow.text, renderVerticalResult(result));
  assert.equal(renderTableOrVertical(result, undefined).format, 'table', 'not a terminal: the table');
});

test('the cap is applied while DuckDB streams: the first rows of an endless result come back', () => {
  const started = Date.now();
  const r = cli(['query', '--db', endless, '--timeout', '3', 'SELECT * FROM events']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /\n\(first 100 rows; more not counted: --limit N shows more, --limit 0 all\)\n$/);
  assert.ok(Date.now() - started < 20_000);
});

test('the query comes from a file (-f) or stdin (-)', () => {
  const file = join(dir, 'q.sql');
  writeFileSync(file, '\uFEFF-- the count\nSELECT count(*) AS n FROM events;\n');
  assert.equal(cli(['query', '--db', db, '-o', 'csv', '-f', file]).out, 'n\n250\n');
  assert.equal(cli(['query', '--db', db, '-o', 'csv', '-'], 'SELECT 42 AS answer').out, 'answer\n42\n');
  assert.equal(cli(['query', '--db', db, '-o', 'csv', '-f', '-'], 'SELECT 7 AS n').out, 'n\n7\n');
  const both = cli(['query', '--db', db, '-f', file, 'SELECT 1']);
  assert.equal(both.code, 2);
  assert.match(both.err, /not both/);
  const missing = cli(['query', '--db', db, '-f', join(dir, 'none.sql')]);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /cannot read the query from .*none\.sql: ENOENT/);
  // A file that is no query (a log, /dev/zero) is refused unread past 1 MiB, not handed to DuckDB.
  const huge = join(dir, 'huge.sql');
  writeFileSync(huge, `SELECT 1 AS n -- ${'x'.repeat(1 << 20)}\n`);
  const tooBig = cli(['query', '--db', db, '-f', huge]);
  assert.equal(tooBig.code, 2);
  assert.match(tooBig.err, /the query in .*huge\.sql is larger than 1 MiB: not a query/);
  assert.match(cli(['query', '--db', db, '-'], `SELECT 1 -- ${'x'.repeat(1 << 20)}`).err, /the query in stdin is larger than 1 MiB/);
});
