import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditFileFor } from '../server/users/audit.js';
import { verifyPassword } from '../server/users/passwords.js';
import { FileUserStore, usersFileFor } from '../server/users/user-store.js';
import { REPO_ROOT } from '../testing/shared.js';
import { tempDir } from '../testing/tmp.js';

function cli(args: string[], stdin = ''): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'cli', 'main.js'), ...args], { stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

test('users add|list|set-role|passwd|remove: passwords from stdin only, the file 0600, scrypt hashes, the last admin kept, every change audited; audit lists them', async () => {
  const dir = tempDir('packettrail-users-cli-');
  const db = join(dir, 'x.duckdb');
  writeFileSync(db, '');
  assert.equal((await cli(['users', 'add', 'Alice', '--role', 'admin', '--db', db], 'alice-password-1234\n')).status, 0);
  assert.equal(statSync(usersFileFor(db)).mode & 0o777, 0o600);
  const store = new FileUserStore(usersFileFor(db));
  assert.ok(await verifyPassword('alice-password-1234', store.get('alice')!.passwordHash));
  assert.ok(!readFileSync(usersFileFor(db), 'utf8').includes('alice-password-1234'));
  const argv = await cli(['users', 'add', 'bob', '--role', 'analyst', '--password', 'bob-password-12345', '--db', db]);
  assert.equal(argv.status, 2, 'no password on the command line');
  assert.match(argv.stderr, /unknown option '--password'/);
  const short = await cli(['users', 'add', 'bob', '--role', 'analyst', '--db', db], 'short\n');
  assert.equal(short.status, 2);
  assert.match(short.stderr, /at least 12 characters/);
  assert.equal((await cli(['users', 'add', 'bob', '--role', 'analyst', '--db', db], 'bob-password-12345\n')).status, 0);
  const list = await cli(['users', 'list', '--db', db]);
  assert.match(list.stdout, /^alice\s+admin/m);
  assert.match(list.stdout, /^bob\s+analyst/m);
  assert.equal((await cli(['users', 'set-role', 'alice', 'viewer', '--db', db])).status, 2, 'the last admin keeps the role');
  assert.equal((await cli(['users', 'set-role', 'bob', 'admin', '--db', db])).status, 0);
  const stamp = store.get('bob')!.stamp;
  assert.equal((await cli(['users', 'passwd', 'bob', '--db', db], 'bob-new-password-123\n')).status, 0);
  assert.ok(await verifyPassword('bob-new-password-123', store.get('bob')!.passwordHash));
  assert.notEqual(store.get('bob')!.stamp, stamp, 'a new password ends earlier sessions');
  assert.equal((await cli(['users', 'remove', 'alice', '--db', db])).status, 0);
  assert.equal((await cli(['users', 'remove', 'bob', '--db', db])).status, 0, 'the last account may go: the console is then open on loopback again');
  assert.equal((await cli(['users', 'add', 'x', '--role', 'boss', '--db', db], 'x-password-123456\n')).status, 2);
  assert.equal((await cli(['users', 'list', '--db', join(dir, 'missing.duckdb')])).status, 2);
  const audit = await cli(['audit', '--db', db, '--limit', '3']);
  assert.equal(audit.status, 0);
  const lines = audit.stdout.trim().split('\n');
  assert.match(lines[0]!, /ok\s+user\.remove\s+cli:\S+ \(cli\)\s+from local\s+→ bob/);
  assert.match(lines.at(-1)!, /more: --offset 3/);
  const json = (await cli(['audit', '--db', db, '--json', '--action', 'user.change', '--limit', '1000'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { outcome: string; detail?: string });
  assert.deepEqual(json.map((e) => e.outcome), ['ok', 'ok', 'failed']);
  assert.ok(!readFileSync(auditFileFor(db), 'utf8').includes('password-1'), 'no password in the audit log');
  assert.equal(statSync(auditFileFor(db)).mode & 0o777, 0o600);
});
