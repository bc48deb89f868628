import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { natsSkip, startNats } from './nats.js';

async function publishRetrying(publish: () => Promise<unknown>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await publish();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

test('the harness starts a three-node JetStream cluster whose replicated stream survives the loss of one node, and stops it by PID', { skip: natsSkip() }, async () => {
  const cluster = await startNats(3);
  const nc = await connect({ servers: cluster.nodes.map((n) => n.url) });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'harness', subjects: ['harness.>'], num_replicas: 3 });
    const js = jetstream(nc);
    for (let i = 0; i < 10; i++) await js.publish('harness.a', `m${i}`);
    // Kill a node that is not the one this client is connected to, then keep publishing: two of three hold a quorum.
    const connected = nc.info?.port;
    const victim = cluster.nodes.findIndex((n) => n.clientPort !== connected);
    await cluster.kill(victim);
    assert.equal(cluster.nodes[victim]!.pid, undefined);
    // Until the surviving two elect a new stream leader (when the victim led it), publishes find no
    // responder: a client retries those, as the intake does.
    for (let i = 10; i < 20; i++) await publishRetrying(() => js.publish('harness.a', `m${i}`));
    assert.equal((await jsm.streams.info('harness')).state.messages, 20);
    await cluster.restart(victim);
    assert.ok(cluster.nodes[victim]!.pid);
  } finally {
    await nc.close();
    await cluster.stop();
  }
  for (const node of cluster.nodes) assert.ok(!node.pid || !existsSync(`/proc/${node.pid}`), `pid ${node.pid} stopped`);
});

test('a single node serves JetStream on loopback', { skip: natsSkip() }, async () => {
  const one = await startNats(1);
  try {
    assert.match(one.url, /^nats:\/\/127\.0\.0\.1:\d+$/);
    const nc = await connect({ servers: one.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'one', subjects: ['one.>'] });
    await jetstream(nc).publish('one.x', 'hello');
    assert.equal((await jsm.streams.info('one')).state.messages, 1);
    await nc.close();
  } finally {
    await one.stop();
  }
});
