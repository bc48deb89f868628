import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from '../../testing/clickhouse-store.js';
import { queryStore } from '../../testing/collect-e2e.js';
import { natsSkip, startNats } from '../../testing/nats.js';
import { tempDir } from '../../testing/tmp.js';

const KEY = 'k-0123456789abcdef-intake';

function run(args: string[], ready: RegExp): Promise<{ child: ChildProcess; output: () => string; match: RegExpExecArray }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const end = Date.now() + 60_000;
    const check = () => {
      const m = ready.exec(out);
      if (m) return resolve({ child, output: () => out, match: m });
      if (child.exitCode !== null || Date.now() > end) return reject(new Error(`packettrail ${args[0]} did not start:\n${out}`));
      setTimeout(check, 50);
    };
    check();
  });
}

async function stop(child: ChildProcess): Promise<number> {
  if (child.exitCode !== null) return child.exitCode;
  child.kill('SIGTERM');
  return ((await once(child, 'exit')) as [number])[0];
}

test('packettrail collect --to nats://… and packettrail worker as processes: what the HTTP intake answered 200 for is stored by the worker', { skip: natsSkip() }, async () => {
  const nats = await startNats(1);
  const dir = tempDir();
  const config = join(dir, 'intake.yml');
  writeFileSync(config, `db: ${join(dir, 'intake.duckdb')}\ninputs:\n  - type: http\n    port: 0\n    keys: [${KEY}]\n`);
  const workerDb = join(dir, 'worker.duckdb');
  const collect = await run(['collect', '--config', config, '--to', nats.url, '--stream', 'CLI', '--status-every', '0'], /listening on http:\/\/127\.0\.0\.1:(\d+)\/intake/);
  let worker: Awaited<ReturnType<typeof run>> | undefined;
  try {
    assert.match(collect.output(), /pushed records go to the NATS stream CLI/);
    const port = Number(collect.match[1]);
    let accepted = 0;
    for (let i = 0; i < 5; i++) {
      const lines = Array.from({ length: 40 }, (_, j) => JSON.stringify({ time: '2026-11-20T10:00:00Z', msg: `cli ${i} ${j}` }));
      const r = await fetch(`http://127.0.0.1:${port}/intake/app.json`, { method: 'POST', body: lines.join('\n'), headers: { authorization: `Bearer ${KEY}` } });
      assert.equal(r.status, 200);
      accepted += ((await r.json()) as { queued: number }).queued;
    }
    assert.equal(accepted, 200);
    worker = await run(['worker', '--from', nats.url, '--store', workerDb, '--stream', 'CLI', '--no-builtin-rules', '--threads', '1', '--status-every', '1', '--metrics-listen', '127.0.0.1:0'], /200 events stored/);
    // The worker's own counts on /metrics, and the worker registered (by default in the --from servers) for cluster status.
    const metricsUrl = /metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(worker.output())?.[1];
    assert.ok(metricsUrl, worker.output());
    const scraped = await (await fetch(metricsUrl)).text();
    assert.match(scraped, /^packettrail_worker_events_total\{result="stored"\} 200$/m);
    assert.match(scraped, /^packettrail_worker_batches_total\{outcome="acked"\} 5$/m);
    const status = spawn(process.execPath, [CLI, 'cluster', 'status', '--nats', nats.url, '--stream', 'CLI', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let statusOut = '';
    status.stdout!.on('data', (d: Buffer) => (statusOut += d.toString()));
    await once(status, 'exit');
    const report = JSON.parse(statusOut) as { processes: { kind: string }[] };
    assert.ok(report.processes.some((p) => p.kind === 'worker'), statusOut);
    assert.equal(await stop(worker.child), 0, worker.output());
    assert.match(worker.output(), /5 batches received \(0 redelivered\), 200 events stored, 0 duplicates, 0 rejected, 5 acked, 0 handed back, 0 errors/);
  } finally {
    if (worker) await stop(worker.child);
    assert.equal(await stop(collect.child), 0, collect.output());
    await nats.stop();
  }
  assert.match(collect.output(), /NATS stream CLI: 5 deliveries, 200 records appended in 5 messages/);
  const [[events]] = (await queryStore(workerDb, 'SELECT count(*) FROM events_app_json')) as [[bigint]];
  assert.equal(Number(events), 200);
});
