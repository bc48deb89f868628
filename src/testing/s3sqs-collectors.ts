import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CLI } from './clickhouse-store.js';
import type { S3TestServer } from './s3-server.js';
import type { SqsTestServer } from './sqs-server.js';

/**
 * `packettrail collect` processes with an s3-sqs input on a shared queue, for the scale-out failure
 * tests: each child names itself to the SQS test server through AWS_SDK_UA_APP_ID (the app id in its
 * user agent), so the server can tell which process holds or acknowledged a message.
 */
export interface Collector {
  name: string;
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
}

/** How long a collector may take to start receiving (a loaded 2-core machine). */
const START_TIMEOUT_MS = 180_000;

export async function startCollector(name: string, config: string, args: readonly string[] = []): Promise<Collector> {
  // No periodic post-ingest analyses: their alerts (silent sources) depend on when each process ran them.
  const child = spawn(process.execPath, [CLI, 'collect', '--config', config, '--status-every', '0', '--analyses-every', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, AWS_SDK_UA_APP_ID: name },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const end = Date.now() + START_TIMEOUT_MS;
  while (!/receiving from/.test(out)) {
    if (child.exitCode !== null || Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error(`collect ${name} did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { name, child, output: () => out };
}

/** SIGTERM (a clean stop: in-flight objects finish, the summary is printed); resolves with the exit code. */
export async function stopCollector(c: Collector): Promise<number | null> {
  if (c.child.exitCode !== null || c.child.signalCode !== null) return c.child.exitCode;
  const exited = once(c.child, 'exit');
  c.child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  return code;
}

/** A collect config: one s3-sqs input reading one object at a time, loads of `storeBatchRows`. */
export function writeCollectConfig(path: string, o: { store: string; queueUrl: string; sqs: SqsTestServer; s3: S3TestServer; deadLetter: string; storeBatchRows?: number; maxReceives?: number }): string {
  writeFileSync(path, [
    `db: ${JSON.stringify(o.store)}`,
    `dead_letter: ${JSON.stringify(o.deadLetter)}`,
    'threads: 1',
    'max_concurrent: 1',
    `store_batch_rows: ${o.storeBatchRows ?? 2000}`,
    'inputs:',
    '  - type: s3-sqs',
    `    queue_url: ${o.queueUrl}`,
    `    sqs_endpoint: ${o.sqs.endpoint}`,
    `    s3_endpoint: ${o.s3.endpoint}`,
    // One message and one object at a time: the queue, not one greedy receiver, spreads the objects.
    '    receivers: 1',
    '    max_objects: 1',
    '    max_messages: 1',
    '    wait_seconds: 1',
    // The shortest SQS allows: a killed collector's message returns to the others after 10 s.
    '    visibility_timeout: 10',
    '    retry_seconds: 1',
    `    max_receives: ${o.maxReceives ?? 100}`,
    '',
  ].join('\n'));
  return path;
}

export function s3Notification(bucket: string, key: string): string {
  return JSON.stringify({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: bucket }, object: { key, size: 1 } } }] });
}

/** Every file under `dir` put into `bucket` under its relative path; the keys. */
export async function uploadTree(s3: S3TestServer, bucket: string, dir: string): Promise<string[]> {
  const keys: string[] = [];
  const walk = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
  for (const file of walk(dir).sort()) {
    const key = relative(dir, file);
    await s3.put(bucket, key, readFileSync(file));
    keys.push(key);
  }
  return keys;
}

/** A query's TabSeparated rows from a node's HTTP interface. */
export async function clickhouseRows(http: string, sql: string): Promise<string[][]> {
  const res = await fetch(`${http}/`, { method: 'POST', body: `${sql} FORMAT TabSeparated` });
  const text = await res.text();
  if (!res.ok) throw new Error(`${sql}: ${text}`);
  return text.split('\n').filter(Boolean).map((l) => l.split('\t'));
}

/** Per dataset: events stored and distinct event ids; and the alerts: rows, distinct ids, the ids. */
export async function storeContents(http: string, database: string): Promise<{ datasets: string[][]; alerts: { rows: number; distinct: number; ids: string[] } }> {
  const datasets = await clickhouseRows(http, `SELECT event_dataset, count(), uniqExact(event_id) FROM ${database}.events GROUP BY event_dataset ORDER BY event_dataset`);
  const [[rows, distinct]] = (await clickhouseRows(http, `SELECT count(), uniqExact(id) FROM ${database}.alerts`)) as [[string, string]];
  const ids = (await clickhouseRows(http, `SELECT DISTINCT id FROM ${database}.alerts ORDER BY id`)).map(([id]) => id!);
  return { datasets, alerts: { rows: Number(rows), distinct: Number(distinct), ids } };
}

/** Waits until `check` holds, failing with `what` (and the collectors' output) after `timeoutMs`. */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, collectors: readonly Collector[] = []): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${collectors.map((c) => `--- ${c.name}:\n${c.output()}`).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
