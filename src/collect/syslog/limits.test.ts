import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
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

function makeInput(settings: Record<string, unknown>): SyslogInput {
  const issues: ConfigIssue[] = [];
  const input = syslogInputType.create({ type: 'syslog', name: 'edge', default: 'app.json', batch_ms: 20, ...settings }, 'inputs[0]', issues);
  assert.deepEqual(issues, []);
  return input as SyslogInput;
}

/** A connection that sends nothing; `closed` resolves with how long it stayed open. */
function idleConnection(port: number, localAddress = '127.0.0.1'): { socket: Socket; closed: Promise<number> } {
  const started = Date.now();
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  socket.on('error', () => {});
  return { socket, closed: new Promise((resolve) => socket.on('close', () => resolve(Date.now() - started))) };
}

const message = (i: number) => `<14>1 2026-11-20T10:00:00Z sender app - - - {"n":${i}}`;

test('syslog TCP: per-address cap refuses one address\'s extra connections while a sender from another address delivers everything', async () => {
  const intake = new RecordingIntake();
  const input = makeInput({ tcp: 0, max_connections: 20, max_connections_per_address: 5 });
  await input.start(intake);
  const port = input.addresses.tcp!.port;
  const idle = Array.from({ length: 30 }, () => idleConnection(port));
  try {
    await until('the idle connections connected or refused', () => idle.every((c) => c.socket.destroyed || c.socket.readyState === 'open'), 5000);
    await new Promise((r) => setTimeout(r, 200));
    const sender = connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' });
    await once(sender, 'connect');
    const count = 500;
    sender.end(Array.from({ length: count }, (_, i) => `${message(i)}\n`).join(''));
    await once(sender, 'close');
    await intake.waitFor(count);
    assert.deepEqual(intake.lines, Array.from({ length: count }, (_, i) => `{"n":${i}}`));
    assert.match(intake.deliveries[0]!.source, /^syslog\+tcp:\/\/127\.0\.0\.2:\d+$/);
    await until('25 refusals', () => input.counts.refusedConnections === 25, 5000);
    assert.deepEqual(idle.slice(0, 5).map((c) => c.socket.destroyed), [false, false, false, false, false]);
    assert.match(input.summary(), /TCP\/TLS: 6 connections, 25 refused \(connection caps\)/);
  } finally {
    for (const c of idle) c.socket.destroy();
    await input.stop();
  }
});

test('syslog TCP: a connection silent for idle_timeout_seconds is closed; one paused by backpressure is not', async () => {
  const intake = new RecordingIntake();
  const input = makeInput({ tcp: 0, idle_timeout_seconds: 1, batch_lines: 10 });
  await input.start(intake);
  const port = input.addresses.tcp!.port;
  try {
    const quiet = idleConnection(port);
    quiet.socket.write(`${message(0)}\n`);
    const ms = await quiet.closed;
    assert.ok(ms >= 900 && ms < 2500, `closed after ${ms} ms`);
    assert.equal(input.counts.idleClosed, 1);
    // Saturated: the collector stops reading this connection; the quiet that follows is its own doing.
    intake.saturated = true;
    const busy = idleConnection(port);
    const count = 3000;
    busy.socket.write(Array.from({ length: count }, (_, i) => `${message(i)}\n`).join(''));
    await new Promise((r) => setTimeout(r, 2200));
    assert.equal(busy.socket.destroyed, false, 'a connection paused by backpressure is kept');
    intake.saturated = false;
    await intake.waitFor(count + 1, 10_000);
    assert.equal(input.counts.idleClosed, 1);
    busy.socket.destroy();
  } finally {
    await input.stop();
  }
});

test('syslog TLS: a client that never handshakes is dropped after the handshake timeout and counts against the per-address cap meanwhile', async () => {
  const { cert, key } = selfSignedCertificate(tempDir());
  const intake = new RecordingIntake();
  const input = makeInput({ tls: { port: 0, cert, key, handshake_timeout_seconds: 1 }, max_connections_per_address: 2 });
  await input.start(intake);
  const port = input.addresses.tls!.port;
  try {
    const silent = [idleConnection(port), idleConnection(port)];
    const third = idleConnection(port);
    assert.ok((await third.closed) < 500, 'beyond the per-address cap before any handshake');
    const times = await Promise.all(silent.map((c) => c.closed));
    for (const ms of times) assert.ok(ms >= 900 && ms < 2500, `a TLS connection without a handshake stayed ${ms} ms`);
    assert.equal(input.counts.handshakeFailures, 2);
    // The slots are free again: a real sender gets through.
    const sender = tlsConnect({ port, host: '127.0.0.1', ca: readFileSync(cert) });
    await once(sender, 'secureConnect');
    sender.end(`${message(1)}\n`);
    await intake.waitFor(1);
    assert.deepEqual(intake.lines, ['{"n":1}']);
    assert.match(input.summary(), /2 failed TLS handshakes/);
  } finally {
    await input.stop();
  }
});

test('syslog UDP: datagrams the kernel drops (tiny receive buffer, flooded) are counted, and received + dropped = sent', async () => {
  const intake = new RecordingIntake();
  const input = makeInput({ udp: { port: 0, recv_buffer_bytes: 4096 } });
  await input.start(intake);
  try {
    assert.ok(input.counts.kernelDrops === 0, `the kernel's counter is read (got ${input.counts.kernelDrops})`);
    const sent = 5000;
    // The sender runs in its own process and floods while this one cannot read (its event loop is held):
    // the kernel has to drop what the buffer cannot hold.
    const sender = spawn(process.execPath, ['-e', SENDER, String(input.addresses.udp!.port), String(sent)], { stdio: ['ignore', 'pipe', 'inherit'] });
    await once(sender.stdout, 'data');
    const holdUntil = Date.now() + 700;
    while (Date.now() < holdUntil) {
      // busy: this process reads nothing meanwhile
    }
    const [code] = (await once(sender, 'exit')) as [number];
    assert.equal(code, 0);
    await until('every datagram received or counted as dropped', () => input.counts.received + (input.counts.kernelDrops ?? 0) >= sent, 10_000);
    const { received, kernelDrops } = input.counts;
    assert.ok(kernelDrops! > 0, 'the kernel dropped datagrams');
    assert.equal(received + kernelDrops!, sent);
    assert.match(input.summary(), new RegExp(`UDP: ${kernelDrops} dropped by the kernel \\(receive buffer full\\)`));
  } finally {
    await input.stop();
  }
});

test('syslog UDP: a receive buffer the kernel clamps to net.core.rmem_max is warned about, with the size it gave', async (t) => {
  let rmemMax: number;
  try {
    rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
  } catch {
    t.skip('no /proc/sys/net/core/rmem_max here');
    return;
  }
  const asked = Math.min(rmemMax * 4, 1 << 30);
  const warnings: string[] = [];
  const error = collectLog.error;
  collectLog.error = (_input: string, m: string) => void warnings.push(m);
  const input = makeInput({ udp: { port: 0, recv_buffer_bytes: asked } });
  try {
    await input.start(new RecordingIntake());
    const given = input.counts.recvBufferBytes!;
    assert.ok(given < asked, `the kernel gave ${given} bytes`);
    assert.ok(
      warnings.some((w) => w.includes(`asked for ${asked} bytes, the kernel gave ${given}`) && w.includes(`net.core.rmem_max is ${rmemMax}`)),
      warnings.join('\n'),
    );
  } finally {
    collectLog.error = error;
    await input.stop();
  }
});

test('syslog connection settings: defaults, limits and contradictions', () => {
  const issues: ConfigIssue[] = [];
  const input = syslogInputType.create({ type: 'syslog', name: 'x', tcp: 0, default: 'app.json' }, 'inputs[0]', issues) as SyslogInput;
  assert.deepEqual(issues, []);
  const s = (input as unknown as { s: Record<string, unknown> }).s;
  assert.deepEqual([s.maxConnections, s.maxConnectionsPerAddress, s.idleTimeoutMs], [1000, 100, 600_000]);
  const bad: ConfigIssue[] = [];
  syslogInputType.create({ type: 'syslog', name: 'x', tcp: 0, default: 'app.json', max_connections: 10, max_connections_per_address: 11, idle_timeout_seconds: -1, tls: { port: 0, cert: 'c', key: 'k', handshake_timeout_seconds: 0 } }, 'inputs[1]', bad);
  const text = bad.map((i) => `${i.path}: ${i.message}`).join('\n');
  assert.match(text, /inputs\[1\]\.max_connections_per_address: must not exceed max_connections \(10\)/);
  assert.match(text, /inputs\[1\]\.idle_timeout_seconds: expected a whole number from 0 to 604800 \(seconds, 0 = never\), got -1/);
  assert.match(text, /inputs\[1\]\.tls\.handshake_timeout_seconds: expected a whole number from 1 to 300 \(seconds\), got 0/);
});

/** Sends argv[2] datagrams to 127.0.0.1:argv[1] as fast as it can, after saying it is ready. */
const SENDER = `
const dgram = require('node:dgram');
const [port, count] = process.argv.slice(1).map(Number);
const socket = dgram.createSocket('udp4');
process.stdout.write('ready\\n');
setTimeout(() => {
  let pending = count;
  for (let i = 0; i < count; i++) {
    socket.send('<14>1 2026-11-20T10:00:00Z flood app - - - {"n":' + i + '}', port, '127.0.0.1', (err) => {
      if (err) { console.error(err.message); process.exit(1); }
      if (--pending === 0) socket.close();
    });
  }
}, 100);
`;
