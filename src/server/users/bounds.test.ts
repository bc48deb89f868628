import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, verifyPassword, PasswordGate } from './passwords.js';
import { SessionStore } from './sessions.js';
import { addressKey, LoginThrottle } from './throttle.js';

test('sign-in limits keep at most maxTracked addresses and accounts; IPv6 counts per /64', () => {
  let now = 0;
  const t = new LoginThrottle({ windowMs: 1000, maxPerAccount: 2, maxPerAddress: 3, maxTracked: 50 }, () => now);
  t.failed('real', true, '192.0.2.1');
  for (let i = 0; i < 10_000; i++) t.failed(`made-up${i}`, false, `10.0.${i >> 8}.${i & 255}`);
  assert.deepEqual(t.tracked(), { accounts: 1, unknown: 50, addresses: 50 }, 'made-up names never push a real account out');
  for (let i = 0; i < 10_000; i++) t.failed(`user${i}`, true, '10.9.9.9');
  assert.equal(t.tracked().accounts, 50);
  // A made-up name locks like a real one: a lock does not tell whether the account exists.
  t.failed('ghost', false, '192.0.2.7');
  t.failed('ghost', false, '192.0.2.8');
  assert.equal(t.refused('ghost', '192.0.2.9')?.reason, 'account');
  assert.equal(addressKey('2001:db8:1:2:aaaa::1'), addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'));
  assert.notEqual(addressKey('2001:db8:1:2::1'), addressKey('2001:db8:1:3::1'));
  assert.equal(addressKey('::ffff:10.1.2.3'), '10.1.2.3');
  for (let i = 0; i < 3; i++) t.failed(`v6-${i}`, false, '2001:db8:1:2::1');
  assert.equal(t.refused('x', '2001:db8:1:2:ffff::9')?.reason, 'address', 'another address of the same /64');
  now = 1000;
  assert.equal(t.refused('x', '2001:db8:1:2::1'), undefined, 'the window passed');
});

test('sessions: at most maxSessions in all and maxPerUser per user, the least recently used first; ids are kept only as hashes', () => {
  let now = 0;
  const s = new SessionStore({ idleMs: 1e9, absoluteMs: 1e9, maxSessions: 10, maxPerUser: 3 }, () => now);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    now++;
    ids.push(s.create({ user: 'a', role: 'viewer', via: 'password' }).id);
  }
  assert.equal(s.size, 3);
  assert.equal(s.get(ids[0]), undefined);
  assert.ok(s.get(ids[4]));
  for (let i = 0; i < 20; i++) {
    now++;
    s.create({ user: `u${i}`, role: 'viewer', via: 'password' });
  }
  assert.equal(s.size, 10);
  assert.ok(!JSON.stringify([...(s as unknown as { sessions: Map<string, unknown> }).sessions.keys()]).includes(ids[4]!));
});

test('passwords: scrypt with a salt per hash; wrong, malformed and hostile hashes never match', async () => {
  const a = await hashPassword('a-long-enough-password');
  const b = await hashPassword('a-long-enough-password');
  assert.notEqual(a, b, 'salted');
  assert.match(a, /^scrypt\$32768\$8\$1\$/);
  assert.equal(await verifyPassword('a-long-enough-password', a), true);
  assert.equal(await verifyPassword('a-long-enough-passwore', a), false);
  for (const bad of ['', 'plain', 'scrypt$1$1$1$x$y', `scrypt$${2 ** 30}$8$1$c2FsdA$${'A'.repeat(43)}`, a.replace(/\$[^$]+$/, '$AAAA')]) assert.equal(await verifyPassword('x', bad), false, bad);
});

test('password checks: one runs at a time, a bounded queue, refused beyond it', async () => {
  const gate = new PasswordGate(1, 2);
  let release!: () => void;
  const blocker = new Promise<void>((r) => (release = r));
  const running = gate.run(() => blocker);
  const queued = [gate.run(async () => 1), gate.run(async () => 2)];
  assert.equal(await gate.run(async () => 3), undefined, 'the queue is full');
  release();
  await running;
  assert.deepEqual((await Promise.all(queued)).map((r) => r?.value), [1, 2]);
});
