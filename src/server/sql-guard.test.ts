/**
 * Console SQL cannot find out where the database is or how big other files are, on the read-only
 * console and on the one the owner of the database serves (read-write, file access limited to its
 * staging directory); state-changing requests from another origin are refused.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listFormats } from '../formats/registry.js';
import { OwnerStore } from '../service/owner-store.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { allColumns } from '../store/schema.js';
import { tempDir } from '../testing/tmp.js';
import { createConsoleServer, type ConsoleServer } from './index.js';
import { guardParsedSql } from './sql-guard.js';

async function makeDb(dir: string): Promise<string> {
  const db = join(dir, 'secret-case-42.duckdb');
  const store = await DuckDbStore.open(db);
  await store.ensureSchema(allColumns(listFormats()));
  await store.query(`CREATE TABLE notes AS SELECT 'hello' AS note`);
  await store.close();
  return db;
}

/** Statements that would show the database's path, its directory, or read its files or others'. */
function leaks(db: string, staged: string): string[] {
  const q = (s: string) => s.replace(/'/g, "''");
  return [
    `SELECT * FROM duckdb_databases()`,
    `SELECT * FROM duckdb_databases`,
    `SELECT path FROM duckdb_databases`,
    `SELECT * FROM pragma_database_list`,
    `SELECT * FROM pragma_database_list()`,
    `SELECT * FROM duckdb_settings()`,
    `SELECT * FROM pg_catalog.pg_settings`,
    `SELECT current_setting('temp_directory')`,
    `SELECT main.current_setting('temp_directory') AS t`,
    `SELECT * FROM duckdb_temporary_files()`,
    `SELECT * FROM pragma_database_size()`,
    `SELECT size FROM read_blob('${q(db)}')`,
    `SELECT * FROM read_text('${q(db)}.wal')`,
    `SELECT * FROM read_text('/etc/hostname')`,
    `SELECT * FROM glob('${q(db)}*')`,
    `SELECT * FROM glob('*')`,
    `SELECT * FROM read_csv('${q(staged)}')`,
    `FROM '${q(staged)}'`,
    `SELECT * FROM '${q(db)}'`,
    `SELECT n FROM (SELECT count(*) AS n FROM (SELECT * FROM read_blob('${q(db)}')))`,
    `WITH x AS (SELECT * FROM duckdb_databases()) SELECT * FROM x`,
    `SELECT (SELECT max(size) FROM read_blob('${q(db)}')) AS s`,
    `SELECT * FROM notes, LATERAL (SELECT * FROM read_text('/etc/hostname'))`,
    `SELECT * FROM query('SELECT * FROM duckdb_databases()')`,
    `DESCRIBE '${q(staged)}'`,
  ];
}

function suite(name: string, open: (db: string, staging: string) => Promise<{ server: ConsoleServer; staged: string }>) {
  describe(name, () => {
    let server: ConsoleServer;
    let db: string;
    let staged: string;
    let dir: string;
    before(async () => {
      dir = realpathSync(tempDir('packettrail-guard-'));
      db = await makeDb(dir);
      const staging = mkdtempSync(join(dir, 'staging-'));
      ({ server, staged } = await open(db, staging));
    });
    after(async () => server?.close());

    const post = (query: string, headers: Record<string, string> = {}) =>
      server.app.inject({ method: 'POST', url: '/api/query', headers: { host: '127.0.0.1:8080', 'content-type': 'application/json', ...headers }, payload: { query, language: 'sql' } });

    it('refuses every statement that would reveal a path or read a file, naming no path in its answer', async () => {
      for (const sql of leaks(db, staged)) {
        const r = await post(sql);
        assert.notEqual(r.statusCode, 200, `${sql} answered: ${r.body}`);
        for (const secret of [db, dir, 'secret-case-42.duckdb', 'hello-from-disk']) assert.ok(!r.body.includes(secret), `${sql} → ${r.body}`);
      }
    });

    it('still answers queries over the tables, with computed rows and the catalog', async () => {
      for (const sql of [
        `SELECT note FROM notes`,
        `SELECT count(*) AS n FROM range(10)`,
        `SELECT unnest([1, 2]) AS u`,
        `SELECT table_name FROM information_schema.tables ORDER BY 1`,
        `SELECT 'a.b/c' AS literal_with_a_path_shape`,
        `DESCRIBE notes`,
      ]) {
        const r = await post(sql);
        assert.equal(r.statusCode, 200, `${sql}: ${r.body}`);
      }
    });

    it('takes the database path out of error messages', async () => {
      const r = await post(`SELECT CAST('${db}' AS INTEGER)`);
      assert.equal(r.statusCode, 400, r.body);
      assert.ok(!r.body.includes(dir), r.body);
      assert.match(r.body, /<database>/);
    });

    it('refuses state-changing requests from another origin (403); same origin and no origin pass', async () => {
      const foreign = await post('SELECT 1 AS x', { origin: 'http://evil.example' });
      assert.equal(foreign.statusCode, 403, foreign.body);
      assert.match(foreign.body, /cross-origin request refused/);
      const nullOrigin = await post('SELECT 1 AS x', { origin: 'null' });
      assert.equal(nullOrigin.statusCode, 403, nullOrigin.body);
      const otherPort = await post('SELECT 1 AS x', { origin: 'http://127.0.0.1:9999' });
      assert.equal(otherPort.statusCode, 403, otherPort.body);
      const same = await post('SELECT 1 AS x', { origin: 'http://127.0.0.1:8080' });
      assert.equal(same.statusCode, 200, same.body);
      const none = await post('SELECT 1 AS x');
      assert.equal(none.statusCode, 200, none.body);
      const save = await server.app.inject({ method: 'POST', url: '/api/searches', headers: { host: '127.0.0.1:8080', origin: 'http://evil.example', 'content-type': 'application/json' }, payload: { name: 'x', query: 'SELECT 1', language: 'sql' } });
      assert.equal(save.statusCode, 403, save.body);
      const remove = await server.app.inject({ method: 'DELETE', url: '/api/searches/x', headers: { host: '127.0.0.1:8080', origin: 'http://evil.example' } });
      assert.equal(remove.statusCode, 403, remove.body);
      // Reading is not state-changing: a GET from a page elsewhere is judged by the other guards.
      const read = await server.app.inject({ method: 'GET', url: '/api/status', headers: { host: '127.0.0.1:8080', origin: 'http://evil.example' } });
      assert.equal(read.statusCode, 200, read.body);
    });
  });
}

suite('the read-only console', async (db, staging) => {
  const staged = join(staging, 'batch-0.tsv');
  writeFileSync(staged, 'hello-from-disk\n');
  return { server: await createConsoleServer({ db }), staged };
});

suite('the console of the process that holds the database (read-write)', async (db, staging) => {
  const staged = join(staging, 'batch-0.tsv');
  writeFileSync(staged, 'hello-from-disk\n');
  const duck = await DuckDbStore.open(db, { readConnections: 3, stagingDir: staging });
  const store = new OwnerStore(duck);
  const server = await createConsoleServer({ db, store });
  const close = server.close;
  server.close = async () => {
    await close();
    await store.close();
  };
  return { server, staged };
});

describe('the guard on a parse', () => {
  it('walks every part of the statement', () => {
    const parsed = { statements: [{ node: { from_table: { type: 'JOIN', right: { type: 'SUBQUERY', subquery: { node: { from_table: { type: 'TABLE_FUNCTION', function: { class: 'FUNCTION', function_name: 'read_blob' } } } } } } } }] };
    assert.throws(() => guardParsedSql(parsed), /read_blob\(\) is not available/);
    assert.doesNotThrow(() => guardParsedSql({ statements: [{ node: { from_table: { type: 'TABLE_FUNCTION', function: { class: 'FUNCTION', function_name: 'RANGE' } } } }] }));
  });
});
