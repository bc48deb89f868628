import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { REPO_ROOT } from '../testing/shared.js';
import { tempDir } from '../testing/tmp.js';
import { EXIT } from './exit-codes.js';
import { parseSettings, SettingsError, userConfigPath } from './settings.js';
import { tourHint } from '../commands/demo.js';

const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');

/** A database whose `which` table names it: the query says which database a command opened. */
async function namedDb(path: string, name: string): Promise<void> {
  const store = await DuckDbStore.open(path);
  await store.query(`CREATE TABLE which AS SELECT '${name}' AS name`);
  await store.close();
}

/** A working directory and a user config directory of its own, and no PACKETTRAIL_DB from the test's environment. */
function sandbox() {
  const root = tempDir();
  const cwd = join(root, 'work');
  const xdg = join(root, 'xdg');
  mkdirSync(cwd);
  mkdirSync(join(xdg, 'packettrail'), { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: xdg, HOME: root };
  delete env.PACKETTRAIL_DB;
  const run = (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd, env: { ...env, ...extra } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  return { root, cwd, xdg, userConfig: join(xdg, 'packettrail', 'config.yml'), run };
}

test('the database: --db > PACKETTRAIL_DB > ./packettrail.yml > the user config > ./packettrail.duckdb', async () => {
  const s = sandbox();
  await namedDb(join(s.cwd, 'packettrail.duckdb'), 'default');
  await namedDb(join(s.xdg, 'packettrail', 'user.duckdb'), 'user');
  await namedDb(join(s.cwd, 'local.duckdb'), 'local');
  await namedDb(join(s.cwd, 'env.duckdb'), 'env');
  await namedDb(join(s.cwd, 'flag.duckdb'), 'flag');
  const which = (args: string[] = [], env: NodeJS.ProcessEnv = {}) => {
    const r = s.run(['query', '-o', 'csv', ...args, 'SELECT name FROM which'], env);
    assert.equal(r.code, 0, r.err);
    return r.out.split('\n')[1];
  };
  assert.equal(which(), 'default');
  // A relative path in the user's config is relative to that file's directory.
  writeFileSync(s.userConfig, 'db: user.duckdb\n');
  assert.equal(which(), 'user');
  writeFileSync(join(s.cwd, 'packettrail.yml'), '# this case\ndb: local.duckdb\n');
  assert.equal(which(), 'local');
  assert.equal(which([], { PACKETTRAIL_DB: 'env.duckdb' }), 'env');
  assert.equal(which(['--db', 'flag.duckdb'], { PACKETTRAIL_DB: 'env.duckdb' }), 'flag');
});

test('"database does not exist" names where the path came from', () => {
  const s = sandbox();
  const flag = s.run(['query', '--db', 'gone.duckdb', 'SELECT 1']);
  assert.equal(flag.code, EXIT.FATAL);
  assert.match(flag.err, /database gone\.duckdb does not exist \(--db\)/);
  const env = s.run(['trail', '--request-id', 'x'], { PACKETTRAIL_DB: 'env-gone.duckdb' });
  assert.match(env.err, /database env-gone\.duckdb does not exist \(named by PACKETTRAIL_DB\)/);
  writeFileSync(join(s.cwd, 'packettrail.yml'), '\n\ndb: cfg-gone.duckdb\n');
  const cfg = s.run(['insights', 'coverage']);
  assert.match(cfg.err, /database cfg-gone\.duckdb does not exist \(named by db: in packettrail\.yml line 3\); .*change that line/);
  writeFileSync(join(s.cwd, 'packettrail.yml'), '');
  const plain = s.run(['query', 'SELECT 1']);
  assert.match(plain.err, /database packettrail\.duckdb does not exist \(the default: no --db, no PACKETTRAIL_DB, no db: in a config file\); give --db PATH or set PACKETTRAIL_DB/);
  mkdirSync(join(s.cwd, 'packettrail-demo'));
  writeFileSync(join(s.cwd, 'packettrail-demo', 'packettrail.duckdb'), '');
  assert.match(s.run(['query', 'SELECT 1']).err, /the demo's database is here: export PACKETTRAIL_DB=packettrail-demo\/packettrail\.duckdb/);
});

test('config file problems are usage errors naming the file and the line', () => {
  const s = sandbox();
  writeFileSync(join(s.cwd, 'packettrail.yml'), 'db: x.duckdb\nthreads: 99\ncolour: blue\ntimezone: Mars/Olympus\n');
  const r = s.run(['query', 'SELECT 1']);
  assert.equal(r.code, EXIT.USAGE);
  assert.equal(
    r.err,
    [
      'packettrail: packettrail.yml line 2: threads: expected a whole number from 0 to 64 (parser threads, 0 = parse on the main thread), got 99',
      'packettrail.yml line 3: colour: unknown setting; expected one of db, threads, timezone, rules, intel, aliases, networks',
      "packettrail.yml line 4: timezone: unknown time zone 'Mars/Olympus' (expected an offset like +02:00 or an IANA name like Europe/Paris)",
      '',
    ].join('\n'),
  );
  writeFileSync(s.userConfig, 'rules: [a, b\n');
  const yaml = s.run(['query', '--db', 'x', 'SELECT 1']);
  assert.equal(yaml.code, EXIT.USAGE);
  assert.match(yaml.err, new RegExp(`${s.userConfig.replace(/[/.]/g, '\\$&')} line \\d+: YAML: `));
  // Commands without such options never read it.
  assert.equal(s.run(['formats']).code, 0);
});

test('config values are the defaults of the options of the same name; the command line wins', () => {
  const s = sandbox();
  const log = join(s.cwd, 'fw.log');
  // A PAN-OS TRAFFIC line in local time: --timezone decides its UTC time.
  writeFileSync(log, '1,2026/11/20 10:00:00,007200001056,TRAFFIC,end,2049,2026/11/20 10:00:00,10.20.1.12,93.184.216.34,198.51.100.10,93.184.216.34,allow-web,,,ssl,vsys1,trust,untrust,ethernet1/2,ethernet1/1,forward,2026/11/20 10:00:00,100037,1,56743,443,20557,443,0x400019,tcp,allow,5000,1000,4000,20,2026/11/20 09:59:50,10,any,,7000000001,0x0,10.0.0.0-10.255.255.255,United States,,10,10,tcp-fin\n');
  const time = (args: string[] = []) => {
    const r = s.run(['normalize', '-q', '-f', 'panw.panos', '--dead-letter', join(s.cwd, 'dl.ndjson'), ...args, log]);
    assert.equal(r.code, 0, r.err);
    return (JSON.parse(r.out.trim().split('\n')[0]!) as { '@timestamp': string })['@timestamp'];
  };
  assert.equal(time(), '2026-11-20T10:00:00Z');
  writeFileSync(join(s.cwd, 'packettrail.yml'), 'timezone: "+02:00"\nthreads: 0\n');
  assert.equal(time(), '2026-11-20T08:00:00Z');
  assert.equal(time(['--timezone', 'UTC']), '2026-11-20T10:00:00Z');
});

test('parseSettings: paths relative to the file, lists, and what each key accepts', () => {
  const dir = tempDir();
  const file = join(dir, 'config.yml');
  const s = parseSettings('db: cases/42.duckdb\nrules: [r1, /abs/r2]\nintel: feed.csv\nthreads: 2\n', file);
  assert.deepEqual(s.db, { value: join(dir, 'cases', '42.duckdb'), file, line: 1 });
  assert.deepEqual(s.rules?.value, [join(dir, 'r1'), '/abs/r2']);
  assert.deepEqual(s.intel?.value, [join(dir, 'feed.csv')], 'one string is a list of one');
  assert.equal(s.threads?.value, '2');
  assert.deepEqual(parseSettings('# nothing set\n', file), {});
  assert.throws(() => parseSettings('- a\n- b\n', file), (e: Error) => e instanceof SettingsError && /line 1: expected settings as key: value lines/.test(e.message));
  assert.throws(() => parseSettings('db: [1, 2]\n', file), /line 1: db: expected a file path, got a list/);
  assert.equal(userConfigPath({ XDG_CONFIG_HOME: '/x', HOME: '/h' }), '/x/packettrail/config.yml');
  assert.equal(userConfigPath({ XDG_CONFIG_HOME: 'relative', HOME: '/h' }), '/h/.config/packettrail/config.yml', 'a relative XDG_CONFIG_HOME is ignored');
});

test('the demo ends by saying how to point the other commands at its database', () => {
  const lines = tourHint('packettrail-demo/packettrail.duckdb');
  assert.equal(lines[1], `  export PACKETTRAIL_DB=${join(process.cwd(), 'packettrail-demo', 'packettrail.duckdb')}`);
  assert.match(tourHint("/tmp/it's here/x.duckdb")[1]!, /^ {2}export PACKETTRAIL_DB='\/tmp\/it'\\''s here\/x\.duckdb'$/);
});
