import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildAlert } from './build.js';
import { retryAfterMs, WebhookAlertSink } from './webhook-sink.js';
import type { RuleMeta } from '../types.js';

const rule: RuleMeta = { id: 'r', title: 'r', level: 'high', kind: 'intel' };
const alert = (id: string) => buildAlert({ rule, events: [{ '@timestamp': '2026-11-20T10:00:00Z', event: { id } }] });

interface Hit {
  at: number;
  body: unknown;
  type: string | undefined;
}

/** A real HTTP server on 127.0.0.1 answering from a script of responses (the last one repeats). */
async function server(script: ((res: ServerResponse) => void)[]): Promise<{ url: string; hits: Hit[]; close: () => Promise<void> }> {
  const hits: Hit[] = [];
  const srv = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      hits.push({ at: Date.now(), body: JSON.parse(body), type: req.headers['content-type'] });
      script[Math.min(hits.length - 1, script.length - 1)]!(res);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, hits, close: () => new Promise((r) => srv.close(() => r())) };
}
const status = (code: number, headers: Record<string, string> = {}) => (res: ServerResponse) => {
  res.writeHead(code, headers);
  res.end('{}');
};

test('POSTs each alert as JSON, in order', async () => {
  const s = await server([status(200)]);
  const sink = new WebhookAlertSink(s.url, { baseDelayMs: 10 });
  await sink.write(alert('e1'));
  await sink.write(alert('e2'));
  await sink.close();
  await s.close();
  assert.deepEqual(s.hits.map((h) => (h.body as { event: { reference_ids: string[] } }).event.reference_ids[0]), ['e1', 'e2']);
  assert.equal(s.hits[0]!.type, 'application/json');
  assert.deepEqual(sink.stats(), { name: `webhook ${new URL(s.url).origin}`, delivered: 2, duplicates: 0, failed: 0, errors: [] });
});

test('429 with Retry-After waits as long as the server asks', async () => {
  const s = await server([status(429, { 'retry-after': '1' }), status(200)]);
  const sink = new WebhookAlertSink(s.url, { baseDelayMs: 10, maxDelayMs: 5000 });
  await sink.write(alert('e1'));
  await sink.close();
  await s.close();
  assert.equal(s.hits.length, 2);
  assert.ok(s.hits[1]!.at - s.hits[0]!.at >= 950, `waited ${s.hits[1]!.at - s.hits[0]!.at} ms`);
  assert.equal(sink.stats().delivered, 1);
});

test('500 then 200: retried with backoff and delivered; 4xx fails at once; retries run out', async () => {
  const s = await server([status(500), status(503), status(200), status(400), status(500)]);
  const sink = new WebhookAlertSink(s.url, { baseDelayMs: 40, retries: 2 });
  await sink.write(alert('e1'));
  await sink.write(alert('e2'));
  await sink.write(alert('e3'));
  await sink.close();
  await s.close();
  // e1: 500, 503, 200 — e2: 400 (not retried) — e3: 500 ×3 (2 retries) then given up.
  assert.equal(s.hits.length, 7);
  const gap1 = s.hits[1]!.at - s.hits[0]!.at;
  const gap2 = s.hits[2]!.at - s.hits[1]!.at;
  assert.ok(gap1 >= 18 && gap2 >= 38, `backoff gaps ${gap1} ms, ${gap2} ms`);
  const st = sink.stats();
  assert.equal(st.delivered, 1);
  assert.equal(st.failed, 2);
  assert.deepEqual(st.errors, [`POST ${s.url}: HTTP 400`, `POST ${s.url}: HTTP 500 (after 3 attempts)`]);
});

test('connection refused is retried, counted as failed, and never throws', async () => {
  const s = await server([status(200)]);
  const url = s.url;
  await s.close(); // nothing listens there any more
  const sink = new WebhookAlertSink(url, { baseDelayMs: 5, retries: 2 });
  await sink.write(alert('e1'));
  await sink.close();
  const st = sink.stats();
  assert.equal(st.failed, 1);
  assert.match(st.errors[0]!, /ECONNREFUSED \(after 3 attempts\)/);
});

test('a full queue drops and counts; close gives up after its deadline', async () => {
  const s = await server([status(503)]);
  const sink = new WebhookAlertSink(s.url, { baseDelayMs: 200, retries: 10, queueSize: 2, drainTimeoutMs: 300 });
  for (const id of ['e1', 'e2', 'e3']) await sink.write(alert(id));
  await sink.close();
  await s.close();
  const st = sink.stats();
  assert.equal(st.delivered, 0);
  assert.equal(st.failed, 3);
  assert.ok(st.errors.some((e) => /queue full/.test(e)) && st.errors.some((e) => /gave up after 300 ms/.test(e)), st.errors.join('; '));
});

test('Retry-After in seconds or as an HTTP date', () => {
  assert.equal(retryAfterMs('3'), 3000);
  assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6000);
  assert.equal(retryAfterMs('soon'), undefined);
  assert.equal(retryAfterMs(null), undefined);
});
