/**
 * A query aborted at any moment stops: also while DuckDB is still parsing, preparing or starting it
 * (DuckDB forgets an interrupt that comes before a statement begins executing). A shutdown that
 * aborts a query a command has just sent must not leave it running for ever.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDbStore } from './duckdb-store.js';
import { tempDir } from '../../testing/tmp.js';

/** Runs for hours unless interrupted. */
const ENDLESS = `SELECT count(*) FROM range(1000000000) a, range(1000000) b WHERE a.range + b.range >= 0`;
/** Far more than an interrupted query takes to stop, even on a loaded machine. */
const STOPS_WITHIN_MS = 20_000;

test('a query aborted while it is being prepared or started stops', { timeout: 10 * 60_000 }, async () => {
  const store = await DuckDbStore.open(join(tempDir('packettrail-interrupt-'), 'i.duckdb'), { readConnections: 2 });
  try {
    // From "at once" to well after the statement runs, through the moments it is parsed and prepared.
    for (const delayMs of [0, 0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 200]) {
      for (const readsOnly of [true, false]) {
        const control = new AbortController();
        const reason = new Error(`aborted after ${delayMs} ms`);
        const started = Date.now();
        const running = store.query(ENDLESS, undefined, { signal: control.signal, readsOnly });
        setTimeout(() => control.abort(reason), delayMs);
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), STOPS_WITHIN_MS)));
        const outcome = await Promise.race([running.then(() => 'finished', (e: unknown) => e), late]);
        clearTimeout(timer);
        assert.notEqual(outcome, 'late', `aborted after ${delayMs} ms (readsOnly ${readsOnly}): still running after ${STOPS_WITHIN_MS / 1000} s`);
        assert.equal(outcome, reason, `aborted after ${delayMs} ms: ${String(outcome)}`);
        assert.ok(Date.now() - started < STOPS_WITHIN_MS);
      }
    }
    // The connections interrupted are fine for the next statement.
    for (let i = 0; i < 4; i++) assert.deepEqual((await store.query('SELECT 42 AS x', undefined, { readsOnly: true })).rows, [[42]]);
  } finally {
    await store.close();
  }
});

test('closing the store interrupts the statements still running, and the process can exit', { timeout: 5 * 60_000 }, async () => {
  const db = join(tempDir('packettrail-interrupt-'), 'c.duckdb');
  // In a child: a statement left running after the close keeps its process alive, which is the failure.
  const script = `const { DuckDbStore } = await import(${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'duckdb-store.js')).href)});
    const store = await DuckDbStore.open(${JSON.stringify(db)}, { readConnections: 2 });
    const running = store.query(${JSON.stringify(ENDLESS)}).then(() => 'finished', (e) => e.message);
    await new Promise((r) => setTimeout(r, 1000));
    await store.close();
    console.log('closed; the statement: ' + (await running));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  let timer: NodeJS.Timeout | undefined;
  const exited = await Promise.race([
    new Promise<number | null>((resolve) => child.once('exit', resolve)),
    new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), 2 * STOPS_WITHIN_MS))),
  ]);
  clearTimeout(timer);
  if (exited === 'late') child.kill('SIGKILL');
  assert.equal(exited, 0, `the process did not exit after closing the store: ${out}`);
  assert.match(out, /closed; the statement: INTERRUPT Error/);
});
