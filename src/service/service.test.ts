/**
 * The process that holds a database, from the outside: stale service files are ignored, the owner
 * stops within 10 s with a summary, the query limits apply to the commands' queries it runs, and a
 * second writer is refused while serve reads through collect. Real processes, sockets, temp dirs.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { listFormats } from '../formats/registry.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { allColumns } from '../store/schema.js';
import { tempDir } from '../testing/tmp.js';
import { PROTOCOL_VERSION } from './protocol.js';
import { serviceFileFor, type ServiceFile } from './service-file.js';
import { CLI, cli, ownerStatus, startOwner, untilStatus } from './test-fixture.js';

const DB = 'store.duckdb';

/** A store with a table, and a view that runs for as long as it is let (a billion × a million rows). */
async function makeStore(dir: string): Promise<void> {
  const store = await DuckDbStore.open(join(dir, DB));
  await store.ensureSchema(allColumns(listFormats()));
  await store.query(`CREATE TABLE t AS SELECT i FROM range(10) r(i)`);
  await store.query(`CREATE VIEW slow AS SELECT a.range AS a FROM range(1000000000) a, range(1000000) b WHERE a.range + b.range >= 0`);
  await store.close();
}

const answer42 = async (cwd: string) => {
  const r = await cli(['query', '--db', DB, 'SELECT 42 AS x'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'x\n--\n42\n(1 row)\n');
  return r;
};

function writeFile(dir: string, f: Partial<ServiceFile>, mode = 0o600): void {
  const path = join(dir, serviceFileFor(DB));
  writeFileSync(path, JSON.stringify({ protocol: PROTOCOL_VERSION, pid: process.pid, instance: 'i'.repeat(22), socket: join(dir, 'none.sock'), token: 't'.repeat(43), role: 'serve', version: '0', startedAt: '', ...f }));
  chmodSync(path, mode);
}

describe('a stale service file', () => {
  let dir: string;
  before(async () => {
    dir = tempDir('packettrail-service-stale-');
    await makeStore(dir);
  });

  it('is ignored when its pid is gone', async () => {
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => gone.once('exit', r));
    writeFile(dir, { pid: gone.pid! });
    const r = await answer42(dir);
    assert.equal(r.stderr, '');
  });

  it('is ignored when its pid lives but nothing answers on its socket (a reused pid)', async () => {
    writeFile(dir, { pid: process.pid });
    await answer42(dir);
  });

  it('is ignored when whoever answers on its socket cannot prove it knows the token', async () => {
    const socket = join(dir, 'impostor.sock');
    const impostor = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end(JSON.stringify({ protocol: PROTOCOL_VERSION, instance: 'i'.repeat(22), pid: process.pid, role: 'serve', version: '0', proof: 'forged' })));
    });
    await new Promise<void>((r) => impostor.listen(socket, r));
    try {
      writeFile(dir, { pid: process.pid, socket });
      await answer42(dir);
    } finally {
      impostor.close();
    }
  });

  it('is not trusted, and said so, when others may read it', async () => {
    writeFile(dir, { pid: process.pid }, 0o644);
    const r = await answer42(dir);
    assert.match(r.stderr, /ignoring .*store\.duckdb\.service\.json is readable or writable by others \(mode 644\): it must be 600/);
  });

  it('left by an owner that was killed is ignored, and the next owner replaces it', async () => {
    const owner = await startOwner(['serve', '--db', DB, '--port', '0'], { cwd: dir, db: DB, ready: /console: http/ });
    const first = JSON.parse(readFileSync(join(dir, serviceFileFor(DB)), 'utf8')) as ServiceFile;
    await owner.stop('SIGKILL');
    assert.ok(existsSync(join(dir, serviceFileFor(DB))), 'a killed owner leaves its file');
    await answer42(dir);
    const next = await startOwner(['serve', '--db', DB, '--port', '0'], { cwd: dir, db: DB, ready: /console: http/ });
    const second = JSON.parse(readFileSync(join(dir, serviceFileFor(DB)), 'utf8')) as ServiceFile;
    assert.notEqual(second.instance, first.instance);
    assert.equal(second.pid, next.child.pid);
    const through = await answer42(dir);
    const stopped = await next.stop();
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(stopped.stderr, /for other commands: 1 queries/);
    assert.equal(through.stderr, '');
    assert.ok(!existsSync(join(dir, serviceFileFor(DB))), 'a stopped owner removes its file');
  });
});

describe('the query limits of serve apply to the queries it runs for commands', () => {
  let dir: string;
  before(async () => {
    dir = tempDir('packettrail-service-limits-');
    await makeStore(dir);
  });

  it('time, result size and memory', { timeout: 120_000 }, async () => {
    const owner = await startOwner(
      ['serve', '--db', DB, '--port', '0', '--query-timeout', '4', '--max-result-size', '1KB', '--query-memory-limit', '64MB', '--max-temp-size', '1MB'],
      { cwd: dir, db: DB, ready: /console: http/ },
    );
    try {
      const slow = await cli(['query', '--db', DB, 'SELECT count(*) FROM slow'], { cwd: dir });
      assert.equal(slow.code, 3, slow.stderr);
      assert.match(slow.stderr, /query stopped: the query ran longer than the 4 s time limit \(--query-timeout of packettrail serve, pid \d+, which holds the database\)/);
      assert.ok(slow.ms < 30_000, `${slow.ms} ms`);
      const big = await cli(['query', '--db', DB, '--limit', '0', 'SELECT * FROM range(100000)'], { cwd: dir });
      assert.equal(big.code, 3, big.stderr);
      assert.match(big.stderr, /query refused: the result is larger than the 1 KiB limit/);
      const hungry = await cli(['query', '--db', DB, 'SELECT length(list(i)::VARCHAR) FROM range(20000000) t(i)'], { cwd: dir });
      assert.equal(hungry.code, 3, hungry.stderr);
      assert.match(hungry.stderr, /Out of Memory Error.*\[in packettrail serve, pid \d+, which holds the database: its memory limit applies\]/);
    } finally {
      await owner.stop();
    }
  });

  it('a query cancelled by its command frees its slot at once; the next one waits for a slot', { timeout: 120_000 }, async () => {
    const owner = await startOwner(['serve', '--db', DB, '--port', '0', '--max-queries', '1'], { cwd: dir, db: DB, ready: /console: http/ });
    try {
      let slowChild: import('node:child_process').ChildProcess | undefined;
      const slow = cli(['query', '--db', DB, 'SELECT count(*) FROM slow'], { cwd: dir, onSpawn: (c) => (slowChild = c) });
      // Under load a command takes seconds to start: wait until its query runs in the owner.
      await untilStatus(dir, DB, (s) => s.queries.running === 1, 60_000, 'the slow query to run in serve');
      let quickDone = false;
      const quick = cli(['query', '--db', DB, 'SELECT 42 AS x'], { cwd: dir }).then((r) => {
        quickDone = true;
        return r;
      });
      // One query at a time: the quick one waits behind the slow one.
      await untilStatus(dir, DB, (s) => s.queries.queued === 1, 60_000, 'the quick query to wait for a slot');
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(quickDone, false, 'the second query ran beside the first: --max-queries 1 not applied');
      assert.deepEqual((await ownerStatus(dir, DB)).queries, { running: 1, queued: 1 });
      const cancelledAt = Date.now();
      slowChild!.kill('SIGINT');
      const s = await slow;
      // Ctrl-C: exit 130, as in a direct run (the exit-code table).
      assert.equal(s.code, 130, s.stderr);
      assert.match(s.stderr, /query stopped: interrupted \(Ctrl-C\)/);
      const q = await quick;
      assert.equal(q.code, 0, q.stderr);
      assert.equal(q.stdout, 'x\n--\n42\n(1 row)\n');
      // The interrupted statement let go of its slot: the waiting query ran right after.
      assert.ok(Date.now() - cancelledAt < 10_000, `${Date.now() - cancelledAt} ms`);
    } finally {
      await owner.stop();
    }
  });
});

describe('ingest through the process that holds the database', () => {
  it('Ctrl-C stops the job in the owner as it stops a direct ingest: what was read is stored, the summary and how to resume, exit 130', { timeout: 120_000 }, async () => {
    const dir = tempDir('packettrail-service-ingest-stop-');
    await makeStore(dir);
    const owner = await startOwner(['serve', '--db', DB, '--port', '0'], { cwd: dir, db: DB, ready: /console: http/ });
    try {
      // Standard input left open: the job reads until it is stopped.
      const child = spawn(process.execPath, [CLI, 'ingest', '--db', DB, '--format', 'app.json', '--threads', '0', '--no-builtin-rules', '-'], { cwd: dir, stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      for (let i = 0; i < 20; i++) child.stdin.write(`{"timestamp":"2026-11-20T10:00:00Z","message":"m${i}","n":${i}}\n`);
      await untilStatus(dir, DB, (s) => s.ingestJobs === 1, 60_000, 'the ingest job to run in serve');
      child.kill('SIGINT');
      const code = await exited;
      child.stdin.destroy();
      assert.equal(code, 130, stderr);
      assert.match(stderr, /Ctrl-C: stopping; asking packettrail serve \(pid \d+\) to store the rows being loaded/);
      const total = /^total: ([\d,]+) records?, ([\d,]+) events?, ([\d,]+) stored/m.exec(stderr);
      assert.ok(total, `the summary so far is printed:\n${stderr}`);
      assert.match(stderr, /interrupted by Ctrl-C \(SIGINT\)\. The counts above are what was stored; run the same ingest again to resume/);
      // The job is over, its rows are what the summary says, and the owner goes on serving.
      await untilStatus(dir, DB, (s) => s.ingestJobs === 0, 30_000, 'the ingest job to end in serve');
      const n = await cli(['query', '--db', DB, '-o', 'csv', 'SELECT count(*) AS n FROM events'], { cwd: dir });
      assert.equal(n.code, 0, n.stderr);
      assert.equal(n.stdout, `n\n${Number(total[3]!.replace(/,/g, ''))}\n`);
    } finally {
      const stopped = await owner.stop();
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.match(stopped.stderr, /1 ingest job\(s\)/);
    }
  });
});

describe('serve --collect', () => {
  it('stops within 10 s on SIGTERM with a summary; in-flight queries are interrupted; collect is refused and serve reads through it', { timeout: 180_000 }, async () => {
    const dir = tempDir('packettrail-service-daemon-');
    await makeStore(dir);
    const config = join(dir, 'collect.yml');
    writeFileSync(config, `db: ${DB}\nthreads: 0\ndetection: {builtin_rules: false}\ninputs:\n  - {type: syslog, name: edge, udp: {port: 0}, default: app.json}\n`);
    const owner = await startOwner(['serve', '--collect', config, '--port', '0', '--status-every', '0'], { cwd: dir, db: DB, ready: /syslog listening on udp 127\.0\.0\.1:\d+[\s\S]*console: http/ });
    const port = Number(/syslog listening on udp 127\.0\.0\.1:(\d+)/.exec(owner.stderr())![1]);
    const udp = createSocket('udp4');
    const sent = 50;
    for (let i = 0; i < sent; i++) await new Promise((r) => udp.send(`<14>1 2026-11-20T10:00:${String(i % 60).padStart(2, '0')}Z h app - - - {"timestamp":"2026-11-20T10:00:00Z","message":"m${i}","n":${i}}`, port, '127.0.0.1', r));
    udp.close();
    // Stored through the owner, read through it.
    let stored = 0;
    const deadline = Date.now() + 30_000;
    while (stored < sent && Date.now() < deadline) {
      const r = await cli(['query', '--db', DB, '-o', 'csv', 'SELECT count(*) AS n FROM events'], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      stored = Number(r.stdout.split('\n')[1]);
      if (stored < sent) await new Promise((res) => setTimeout(res, 500));
    }
    assert.equal(stored, sent);
    // A second writer is refused with what to do instead.
    const second = await cli(['collect', '--config', config], { cwd: dir });
    assert.equal(second.code, 3, second.stderr);
    assert.match(second.stderr, /store\.duckdb is held by packettrail serve --collect \(pid \d+\): one process writes a database\. Stop it, then run packettrail serve --collect <config>/);
    // A second console reads through the owner.
    const reader = await startOwner(['serve', '--db', DB, '--port', '0'], { cwd: dir, db: DB, ready: /console: http/ });
    assert.match(reader.stderr(), /read through packettrail serve --collect \(pid \d+\)/);
    const url = /console: (http:\/\/[^/]+)\//.exec(reader.stderr())![1];
    const viaReader = (await (await fetch(`${url}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'SELECT count(*) AS n FROM events', language: 'sql' }) })).json()) as { rows: unknown[][] };
    assert.deepEqual(viaReader.rows, [[sent]]);
    const readerStopped = await reader.stop();
    assert.equal(readerStopped.code, 0, readerStopped.stderr);
    // A query running when the signal comes is interrupted, and says why.
    const running = cli(['query', '--db', DB, 'SELECT count(*) FROM slow'], { cwd: dir });
    await untilStatus(dir, DB, (s) => s.queries.running === 1, 60_000, 'the slow query to run in serve --collect');
    const stopped = await owner.stop('SIGTERM');
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.ok(stopped.ms < 10_000, `stopped after ${stopped.ms} ms`);
    const q = await running;
    assert.equal(q.code, 3, q.stderr);
    assert.match(q.stderr, /query stopped: .*shutting down/);
    assert.match(stopped.stderr, /SIGTERM: stopping within 10 s/);
    assert.match(stopped.stderr, new RegExp(`\\[collect\\]: stopped; \\d+ deliveries, ${sent} records, ${sent} events, ${sent} stored`));
    assert.match(stopped.stderr, /\[edge\]: /);
    assert.match(stopped.stderr, /packettrail serve: for other commands: \d+ queries \(\d+ failed\), 0 ingest job\(s\), 0 index request\(s\); 0 refused/);
    assert.match(stopped.stderr, /packettrail serve: stopped in \d+\.\d s; store\.duckdb is closed/);
    assert.ok(!existsSync(join(dir, serviceFileFor(DB))));
    assert.ok(!existsSync(join(dir, `${DB}.service.sock`)));
    // Closed properly: the next open reads everything that was stored.
    const after = await cli(['query', '--db', DB, '-o', 'csv', 'SELECT count(*) AS n FROM events'], { cwd: dir });
    assert.equal(after.stdout, `n\n${sent}\n`);
  });
});
