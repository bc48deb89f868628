import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePrometheusText, valueOf } from '../testing/prometheus-text.js';
import { tempDir } from '../testing/tmp.js';
import { EXPOSITION_CONTENT_TYPE } from './exposition.js';
import { getWithHeaders } from '../testing/raw-http.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const KEY = 'k-0123456789abcdef-metrics';

/** Starts `packettrail collect` and waits for what its stderr must say (one capture group each). */
async function startCollect(args: string[], wanted: RegExp[]): Promise<{ child: ChildProcess; found: string[]; stderr: () => string }> {
  const child = spawn(process.execPath, [CLI, 'collect', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  const found = await new Promise<string[]>((resolve, reject) => {
    const check = () => {
      const got = wanted.map((w) => w.exec(stderr)?.[1]);
      if (got.every((g) => g !== undefined)) resolve(got as string[]);
    };
    child.stderr!.on('data', (d: string) => {
      stderr += d;
      check();
    });
    child.on('exit', (code) => reject(new Error(`collect exited with ${code}: ${stderr}`)));
  });
  return { child, found, stderr: () => stderr };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const get = getWithHeaders;

test('collect --metrics-listen: /metrics parses as Prometheus text and the counts of the http input move with its deliveries', async () => {
  const dir = tempDir('packettrail-metrics-');
  const config = join(dir, 'collect.yml');
  writeFileSync(config, `db: ${dir}/m.duckdb\nthreads: 0\ndetection: {builtin_rules: false}\ninputs:\n  - {type: http, name: web.intake, port: 0, keys: [${KEY}]}\n`);
  const { child, found, stderr } = await startCollect(['--config', config, '--status-every', '0', '--metrics-listen', '127.0.0.1:0'], [
    /metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/,
    /HTTP intake listening on http:\/\/127\.0\.0\.1:(\d+)\//,
  ]);
  const [metricsUrl, intakePort] = found as [string, string];
  try {
    const input = { input: 'web.intake' };
    const before = await get(metricsUrl);
    assert.equal(before.status, 200);
    assert.equal(before.type, EXPOSITION_CONTENT_TYPE);
    let families = parsePrometheusText(before.body);
    // Every series of the input is there from the start, at 0.
    assert.equal(valueOf(families, 'packettrail_input_deliveries_total', input), 0);
    assert.equal(valueOf(families, 'packettrail_input_stored_total', input), 0);
    assert.deepEqual(families.find((f) => f.name === 'packettrail_build_info')!.samples.map((s) => [s.labels.kind, s.value]), [['collect', 1]]);

    const body = ['{"time":"2026-11-20T10:00:00Z","msg":"login","user":"lee"}', '{"time":"2026-11-20T10:00:01Z","msg":"logout","user":"lee"}', 'not json'].join('\n');
    const post = () => fetch(`http://127.0.0.1:${intakePort}/intake/app.json`, { method: 'POST', body, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/x-ndjson' } });
    assert.equal((await post()).status, 200);
    families = parsePrometheusText((await get(metricsUrl)).body);
    assert.equal(valueOf(families, 'packettrail_input_deliveries_total', input), 1);
    assert.equal(valueOf(families, 'packettrail_input_records_total', input), 3);
    assert.equal(valueOf(families, 'packettrail_input_events_total', input), 2);
    assert.equal(valueOf(families, 'packettrail_input_stored_total', input), 2);
    assert.equal(valueOf(families, 'packettrail_input_rejected_total', input), 1);
    assert.equal(valueOf(families, 'packettrail_input_errors_total', input), 0);
    // The same batch again: stored nothing, counted as duplicates.
    assert.equal((await post()).status, 200);
    families = parsePrometheusText((await get(metricsUrl)).body);
    assert.equal(valueOf(families, 'packettrail_input_deliveries_total', input), 2);
    assert.equal(valueOf(families, 'packettrail_input_stored_total', input), 2);
    assert.equal(valueOf(families, 'packettrail_input_duplicates_total', input), 2);
    assert.ok(valueOf(families, 'process_resident_memory_bytes')! > 0);

    // Deny by default: only GET /metrics, and only requests that name a loopback host (DNS rebinding).
    assert.equal((await get(metricsUrl.replace('/metrics', '/'))).status, 404);
    assert.equal((await get(metricsUrl, { host: 'evil.example' })).status, 403);
  } finally {
    await stop(child);
  }
  assert.match(stderr(), /2 deliveries, 6 records, 4 events, 2 stored, 2 duplicates, 2 rejected/);
});

test('collect --metrics-listen off loopback without PACKETTRAIL_METRICS_TOKEN is refused before anything starts', async () => {
  const dir = tempDir('packettrail-metrics-');
  const config = join(dir, 'collect.yml');
  writeFileSync(config, `db: ${dir}/m.duckdb\nthreads: 0\ndetection: {builtin_rules: false}\ninputs:\n  - {type: http, name: web, port: 0, keys: [${KEY}]}\n`);
  const env = { ...process.env };
  delete env.PACKETTRAIL_METRICS_TOKEN;
  const run = async (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const child = spawn(process.execPath, [CLI, 'collect', '--config', config, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...env, ...extra } });
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => (stderr += d));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    return { code, stderr };
  };
  const open = await run(['--metrics-listen', '0.0.0.0:0']);
  assert.equal(open.code, 3, open.stderr);
  assert.match(open.stderr, /0\.0\.0\.0:0 is not a loopback address: set PACKETTRAIL_METRICS_TOKEN/);
  assert.doesNotMatch(open.stderr, /listening/);
  const short = await run(['--metrics-listen', '127.0.0.1:0'], { PACKETTRAIL_METRICS_TOKEN: 'short' });
  assert.equal(short.code, 3, short.stderr);
  assert.match(short.stderr, /PACKETTRAIL_METRICS_TOKEN must be at least 16 characters/);
  const bad = await run(['--metrics-listen', 'nope']);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /--metrics-listen must be HOST:PORT/);
});
