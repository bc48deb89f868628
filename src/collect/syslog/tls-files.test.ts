import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigIssue } from '../intake.js';
import { tempDir } from '../../testing/tmp.js';
import { selfSignedCertificate } from '../../testing/certs.js';
import { syslogInputType } from './input-type.js';

const dir = tempDir();
const a = selfSignedCertificate(dir, 'a');
const b = selfSignedCertificate(dir, 'b');

function tlsIssues(tls: Record<string, unknown>): string[] {
  const issues: ConfigIssue[] = [];
  syslogInputType.create({ type: 'syslog', name: 'edge', default: 'app.json', tls: { port: 0, ...tls } }, 'inputs[0]', issues);
  return issues.map((i) => `${i.path}: ${i.message}`);
}

test('TLS files that Node can use pass', () => {
  assert.deepEqual(tlsIssues({ cert: a.cert, key: a.key, ca: b.cert }), []);
});

test('a missing certificate, key or CA file is named under its setting', () => {
  const issues = tlsIssues({ cert: join(dir, 'missing.pem'), key: a.key, ca: join(dir, 'no-ca.pem') });
  assert.equal(issues.length, 2, issues.join('\n'));
  assert.match(issues[0]!, /^inputs\[0\]\.tls\.cert: cannot read .*missing\.pem: ENOENT/);
  assert.match(issues[1]!, /^inputs\[0\]\.tls\.ca: cannot read .*no-ca\.pem: ENOENT/);
});

test('a key that does not belong to the certificate is a problem of the key', () => {
  assert.deepEqual(tlsIssues({ cert: a.cert, key: b.key }), [`inputs[0].tls.key: the private key in ${b.key} does not belong to the certificate in ${a.cert}`]);
});

test('certificate and key given the other way round are called swapped', () => {
  assert.deepEqual(tlsIssues({ cert: a.key, key: a.cert }), [`inputs[0].tls.cert: cert and key are swapped: ${a.key} holds a private key and ${a.cert} a certificate`]);
});

test('files that are not PEM of the right kind', () => {
  const junk = join(dir, 'junk.pem');
  writeFileSync(junk, 'not a certificate\n');
  const issues = tlsIssues({ cert: junk, key: a.key, ca: a.key });
  assert.deepEqual(issues, [
    `inputs[0].tls.cert: ${junk} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
    `inputs[0].tls.ca: ${a.key} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
  ]);
  assert.deepEqual(tlsIssues({ cert: a.cert, key: b.cert }), [`inputs[0].tls.key: ${b.cert} holds no PEM private key (-----BEGIN PRIVATE KEY-----): it is a certificate`]);
});
