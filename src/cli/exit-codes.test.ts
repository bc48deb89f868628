import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { REPO_ROOT } from '../testing/shared.js';
import { tempDir } from '../testing/tmp.js';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.js';
import { COMMAND_INDEX } from './command-index.js';

const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');

function cli(args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: o.cwd, env: o.env ?? process.env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('an input that matches no file is a usage error: nothing is read, no database or dead-letter file is created', () => {
  const dir = tempDir();
  const db = join(dir, 'case.duckdb');
  const r = cli(['ingest', '--db', db, join(dir, 'nope.log')], { cwd: dir });
  assert.equal(r.code, EXIT.USAGE, r.err);
  assert.match(r.err, /^packettrail: no such input: .*nope\.log \(no such file or directory\); nothing was read\n$/);
  assert.deepEqual(readdirSync(dir), [], 'no database, no dead-letter file');
  mkdirSync(join(dir, 'empty'));
  for (const args of [['normalize'], ['detect'], ['ingest', '--db', db]]) {
    const other = cli([...args, join(dir, 'nope.log')], { cwd: dir });
    assert.equal(other.code, EXIT.USAGE, `${args[0]}: ${other.err}`);
    const pattern = cli([...args, join(dir, '*.gz'), join(dir, 'empty')], { cwd: dir });
    assert.equal(pattern.code, EXIT.USAGE, `${args[0]}: ${pattern.err}`);
    assert.match(pattern.err, /\*\.gz \(pattern matches no file\), .*empty \(directory holds no files\)/);
  }
  assert.deepEqual(readdirSync(dir), ['empty']);
});

test('SQL and SPL queries that do not parse exit alike (2); so do unknown columns', async () => {
  const dir = tempDir();
  const db = join(dir, 'q.duckdb');
  const store = await DuckDbStore.open(db);
  await store.query(`CREATE TABLE events AS SELECT 'e1' AS event_id`);
  await store.close();
  const sql = cli(['query', '--db', db, 'SELEC event_id FROM events']);
  assert.equal(sql.code, EXIT.USAGE, sql.err);
  assert.match(sql.err, /query is not valid: .*Parser Error: syntax error at or near "SELEC"/);
  const spl = cli(['query', '--db', db, 'index=cloudfront | stats count by']);
  assert.equal(spl.code, EXIT.USAGE, spl.err);
  assert.equal(cli(['query', '--db', db, 'SELECT nope FROM events']).code, EXIT.USAGE);
  assert.equal(cli(['query', '--db', db, 'SELECT * FROM no_such_table']).code, EXIT.USAGE);
  assert.equal(cli(['query', '--db', db, "SELECT CAST('x' AS INTEGER)"]).code, EXIT.FATAL, 'a query that fails while it runs is fatal');
});

test('a usage error prints the error and one hint line, not the help', () => {
  for (const [args, hint] of [
    [['ingest', '--bogus', 'x'], 'Run "packettrail ingest --help" for its options and examples.'],
    [['query', '-o', 'xml', 'SELECT 1'], 'Run "packettrail query --help" for its options and examples.'],
    [['rules', 'list', '--nope'], 'Run "packettrail rules list --help" for its options and examples.'],
    [['no-such-command'], 'Run "packettrail --help" for the commands.'],
    [['rules'], 'Run "packettrail rules --help" for its options and examples.'],
    [['vpcflow'], 'Run "packettrail vpcflow --help" for its options and examples.'],
  ] as const) {
    const r = cli([...args]);
    assert.equal(r.code, EXIT.USAGE, r.err);
    const lines = r.err.trimEnd().split('\n');
    assert.equal(lines.length, 2, `${args.join(' ')}:\n${r.err}`);
    assert.match(lines[0]!, /^packettrail: /);
    assert.equal(lines[1], hint);
    assert.equal(r.out, '');
  }
});

test('--db naming a file that is no DuckDB database says so and what the file starts with', () => {
  const dir = tempDir();
  const text = join(dir, 'truth.json');
  writeFileSync(text, '{"incidents": []}\n');
  const r = cli(['query', '--db', text, 'SELECT 1']);
  assert.equal(r.code, EXIT.FATAL);
  assert.match(r.err, /truth\.json is not a DuckDB database \(it starts with "\{\\"incidents\\": \[\]\}\\n"\); the database was named by --db/);
  const empty = join(dir, 'empty.duckdb');
  writeFileSync(empty, '');
  assert.match(cli(['trail', '--db', empty, '--request-id', 'x']).err, /empty\.duckdb is empty, not a DuckDB database/);
  assert.match(cli(['insights', 'coverage', '--db', dir]).err, /is a directory, not a DuckDB database/);
  const serve = cli(['serve', '--db', text, '--port', '0']);
  assert.equal(serve.code, EXIT.FATAL);
  assert.match(serve.err, /truth\.json is not a DuckDB database .*named by --db/);
  assert.match(cli(['serve', '--db', join(dir, 'none.duckdb'), '--port', '0']).err, /none\.duckdb does not exist \(--db\)/);
  // ingest would otherwise hand the file to DuckDB, which names neither the file's content nor the option.
  const log = join(dir, 'a.log');
  writeFileSync(log, 'x\n');
  const ingest = cli(['ingest', '--db', text, log]);
  assert.equal(ingest.code, EXIT.FATAL);
  assert.match(ingest.err, /truth\.json is not a DuckDB database/);
  assert.equal(readFileSync(text, 'utf8'), '{"incidents": []}\n', 'the file is left as it was');
  assert.ok(!existsSync(join(dir, 'truth.dead-letter.ndjson')) && !existsSync(`${text}.dead-letter.ndjson`));
});

test('the exit-code table of --help is the README\'s', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  for (const code of Object.values(EXIT)) {
    assert.match(EXIT_CODES_HELP, new RegExp(`\\n\\s+${code}  `), `--help lists ${code}`);
    assert.match(readme, new RegExp(`\\n\\| ${code} \\|`), `the README lists ${code}`);
  }
});

test('every command\'s --help ends with the one exit-code table', () => {
  for (const command of Object.keys(COMMAND_INDEX)) {
    const r = cli([command, '--help']);
    assert.equal(r.code, EXIT.OK, `${command}: ${r.err}`);
    assert.ok(r.out.trimEnd().endsWith(EXIT_CODES_HELP.trimEnd()), `packettrail ${command} --help ends with the exit codes:\n${r.out.slice(-300)}`);
  }
});
