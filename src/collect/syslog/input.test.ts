import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import type { ConfigIssue } from '../intake.js';
import { RecordingIntake } from '../../testing/recording-intake.js';
import { tempDir } from '../../testing/tmp.js';
import { selfSignedCertificate } from '../../testing/certs.js';
import { until } from '../../testing/collect-e2e.js';
import { collectLog } from '../log.js';
import { syslogInputType } from './input-type.js';
import type { SyslogInput } from './input.js';

collectLog.silent = true;

const ROUTES = [
  { app_name: 'sshd', format: 'app.json' },
  { hostname: 'fw-*', format: 'panw.panos' },
  { body: '^\\{"sourcetype":"zscalernss', format: 'zscaler.zia', options: { timezone: 'UTC' } },
];

function makeInput(extra: Record<string, unknown> = {}): SyslogInput {
  const issues: ConfigIssue[] = [];
  const input = syslogInputType.create({ type: 'syslog', name: 'edge', udp: 0, tcp: 0, routes: ROUTES, batch_ms: 20, ...extra }, 'inputs[0]', issues);
  assert.deepEqual(issues, []);
  return input as SyslogInput;
}

async function sendTcp(port: number, payload: string | Buffer): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.end(payload);
  await once(socket, 'close');
}

test('UDP: both RFCs, routed by app-name, hostname wildcard and body regex; unrouted dead-lettered', async () => {
  const intake = new RecordingIntake();
  const input = makeInput();
  await input.start(intake);
  try {
    const udp = createSocket('udp4');
    const messages = [
      '<38>Nov  2 08:01:02 bastion sshd[42]: {"msg":"login"}',
      '<14>1 2026-11-20T10:00:00Z fw-edge-1 - - - - 1,2026/11/20 10:00:00,0123,TRAFFIC',
      '<13>Nov 20 08:00:00 nss01 nss: {"sourcetype":"zscalernss-web","event":{}}',
      '<13>Nov 20 08:00:00 printer lpd: paper jam',
    ];
    for (const m of messages) udp.send(`${m}\n`, input.addresses.udp!.port, '127.0.0.1');
    await intake.waitFor(4);
    udp.close();
    const byFormat = Object.fromEntries(intake.deliveries.map((d) => [d.format, d]));
    assert.deepEqual(byFormat['app.json']!.lines, ['{"msg":"login"}']);
    // PAN-OS reads the syslog header itself (host name): it gets the whole message.
    assert.deepEqual(byFormat['panw.panos']!.lines, [messages[1]]);
    assert.deepEqual(byFormat['zscaler.zia']!.lines, [messages[2]]);
    assert.deepEqual(byFormat['zscaler.zia']!.formatOptions, { timezone: 'UTC' });
    assert.equal(byFormat['app.json']!.source, 'syslog+udp://127.0.0.1');
    assert.equal(intake.deadLetters.length, 1);
    const dl = intake.deadLetters[0]!;
    assert.equal(dl.source, 'syslog+udp://127.0.0.1');
    assert.equal(dl.line, 4);
    assert.equal(dl.record, messages[3]);
    assert.match(dl.reason, /matched none of the 3 routes \(hostname 'printer', app-name 'lpd'\) and there is no default route/);
    assert.equal(input.counts.unrouted, 1);
  } finally {
    await input.stop();
  }
});

test('TCP: octet counting and newline framing on one connection, batched by line count', async () => {
  const intake = new RecordingIntake();
  const input = makeInput({ batch_lines: 100, batch_ms: 50, default: 'panw.panos' });
  await input.start(intake);
  try {
    const lines: string[] = [];
    let wire = '';
    for (let i = 0; i < 250; i++) {
      const m = `<14>Nov 20 08:00:00 fw-edge-1 1,2026/11/20 08:00:00,0123,TRAFFIC,end,${i}`;
      lines.push(m);
      wire += i % 2 ? `${Buffer.byteLength(m)} ${m}` : `${m}\n`;
    }
    await sendTcp(input.addresses.tcp!.port, wire);
    await intake.waitFor(250);
    assert.deepEqual(intake.lines, lines);
    assert.deepEqual(intake.deliveries.map((d) => d.lines.length), [100, 100, 50]);
    assert.deepEqual(intake.deliveries.map((d) => d.firstLine), [1, 101, 201]);
    assert.match(intake.deliveries[0]!.source, /^syslog\+tcp:\/\/127\.0\.0\.1:\d+$/);
  } finally {
    await input.stop();
  }
});

test('TLS with a self-signed certificate; an oversized frame is dead-lettered with its origin', async () => {
  const { cert, key } = selfSignedCertificate(tempDir());
  const intake = new RecordingIntake();
  const input = makeInput({ udp: undefined, tcp: undefined, tls: { port: 0, cert, key }, max_message_bytes: 1000 });
  await input.start(intake);
  try {
    const socket = tlsConnect({ port: input.addresses.tls!.port, host: '127.0.0.1', ca: readFileSync(cert) });
    await once(socket, 'secureConnect');
    const big = `<38>Nov  2 08:01:02 bastion sshd[1]: ${'x'.repeat(1200)}`;
    const ok = '<38>1 2026-11-20T10:00:00Z bastion sshd 7 - - {"msg":"over tls"}';
    socket.end(`${Buffer.byteLength(big)} ${big}${Buffer.byteLength(ok)} ${ok}`);
    await intake.waitFor(2);
    assert.deepEqual(intake.lines, ['{"msg":"over tls"}']);
    assert.match(intake.deliveries[0]!.source, /^syslog\+tls:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(intake.deadLetters.length, 1);
    assert.match(intake.deadLetters[0]!.reason, /frame of 1237 bytes exceeds maxMessageBytes \(1000\)/);
    assert.match(intake.deadLetters[0]!.source, /^syslog\+tls:/);
  } finally {
    await input.stop();
  }
});

test('TCP backpressure: nothing is lost while the pipeline is saturated; failed deliveries are retried', async () => {
  const intake = new RecordingIntake();
  intake.saturated = true;
  intake.failNext = 2;
  const input = makeInput({ udp: undefined, default: 'panw.panos', batch_lines: 500 });
  await input.start(intake);
  try {
    const count = 20_000;
    let wire = '';
    for (let i = 0; i < count; i++) wire += `<14>Nov 20 08:00:00 fw-edge-1 1,2026/11/20 08:00:00,0123,TRAFFIC,end,${i}\n`;
    const sending = sendTcp(input.addresses.tcp!.port, wire);
    // Batches grow to 10 × batch_lines, then reading pauses (waited for: a loaded machine reads slowly).
    await until('5000 messages read', () => input.counts.received >= 5000, 10_000);
    const read = input.counts.received;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(intake.deliveries.length, 0, 'nothing is handed to a saturated pipeline');
    assert.ok(read < count && input.counts.received === read, `reading paused (${read} read, then ${input.counts.received})`);
    intake.saturated = false;
    await sending;
    await intake.waitFor(count, 15_000);
    const seen = intake.lines.map((l) => Number(l.slice(l.lastIndexOf(',') + 1)));
    assert.equal(new Set(seen).size, count);
    assert.equal(seen.length, count);
    assert.ok(input.counts.retries >= 2);
  } finally {
    await input.stop();
  }
});

test('config issues are located and explained', () => {
  const issues: ConfigIssue[] = [];
  const input = syslogInputType.create(
    { type: 'syslog', name: 'x', tcp: 70000, tls: { port: 1 }, framing: 'lines', routes: [{ format: 'nope' }, { body: '(a)\\1', format: 'panw.panos' }], colour: 'red' },
    'inputs[1]',
    issues,
  );
  assert.equal(input, undefined);
  const text = issues.map((i) => `${i.path}: ${i.message}`).join('\n');
  assert.match(text, /inputs\[1\]\.tcp: expected a port from 0 to 65535, got 70000/);
  assert.match(text, /inputs\[1\]\.tls: a TLS listener needs cert and key/);
  assert.match(text, /inputs\[1\]\.framing: expected one of auto, octet-counting, newline/);
  assert.match(text, /inputs\[1\]\.routes\[0\]\.format: unknown format 'nope'/);
  assert.match(text, /inputs\[1\]\.routes\[0\]\.format: a route needs at least one of app_name, hostname, body/);
  assert.match(text, /inputs\[1\]\.routes\[1\]\.body: regex uses a backreference/);
  assert.match(text, /inputs\[1\]\.colour: unknown option/);
});
