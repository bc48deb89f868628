import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parseText } from '../../testing/parse.js';
import { needsShared, sharedPath } from '../../testing/shared.js';
import { getPath, type EcsEvent } from '../../ecs/event.js';
import { detectFormat } from '../registry.js';

const SAMPLES = ['testdata', 'elastic', 'aws', 'cloudtrail'];

function at(e: EcsEvent, path: string): unknown {
  return getPath(e, path);
}

// Expected core fields per Elastic sample, in file order (one entry per record).
const EXPECTED: Record<string, Record<string, unknown>[]> = {
  'test-assume-role-email-session-json.log': [
    { 'event.action': 'AssumeRole', 'event.provider': 'sts.amazonaws.com', 'event.outcome': 'success', 'user.name': 'firstname.lastname', 'user.email': 'firstname.lastname@example.com', 'user.roles': ['AWSReservedSSO_SecurityAudit_8df5ccd37b'], 'source.ip': '81.2.69.144', 'cloud.account.id': '111111111111', 'cloud.region': 'us-east-2', 'event.category': ['authentication'] },
  ],
  'test-assume-role-json.log': [
    { 'event.action': 'AssumeRole', 'user.name': 'johnrole1', 'user.id': 'AROAIN5ATK5U7KEXAMPLE:JohnRole1', 'source.ip': '81.2.69.144', 'aws.cloudtrail.user_identity.session_context.session_issuer.user_name': 'JohnDoe' },
    { 'event.action': 'AssumeRole', 'user.name': 'johnrole1', 'cloud.account.id': '111111111111' },
  ],
  'test-console-login-json.log': [
    { 'event.action': 'ConsoleLogin', 'event.provider': 'signin.amazonaws.com', 'event.outcome': 'success', 'user.name': 'johndoe', 'event.category': ['authentication'], 'aws.cloudtrail.console_login.mfa_used': false },
    { 'event.action': 'ConsoleLogin', 'event.outcome': 'failure', 'event.reason': 'Failed authentication', 'user.name': 'janedoe' },
    { 'event.outcome': 'failure', 'user.name': 'mysessionname', 'aws.cloudtrail.user_identity.type': 'AssumedRole' },
  ],
  'test-delete-web-acl-json.log': [
    { 'event.action': 'DeleteWebACL', 'event.provider': 'wafv2.amazonaws.com', 'event.type': ['deletion'], 'user.email': 'test@elastic.co', 'tls.version': '1.3', 'tls.client.server_name': 'wafv2.us-east-1.amazonaws.com', 'aws.cloudtrail.session_credential_from_console': true, 'aws.cloudtrail.read_only': false },
  ],
  'test-get-caller-identity-json.log': [
    { 'event.action': 'GetCallerIdentity', 'user.name': 'terraformer', 'source.ip': '216.160.83.56', 'cloud.account.id': '00000000000', 'cloud.region': 'us-east-1', 'aws.cloudtrail.read_only': true },
  ],
  'test-get-secret-value-json.log': [
    { 'event.action': 'GetSecretValue', 'event.provider': 'secretsmanager.amazonaws.com', 'event.type': ['access'], 'aws.cloudtrail.request_parameters': { secretId: 'arn:aws:secretsmanager:us-east-1:000000000:secret:MyTestSecret-nxYStj' } },
  ],
  'test-put-object-json.log': [
    { 'event.action': 'PutObject', 'event.category': ['file'], 'aws.cloudtrail.request_id': '7FQJXG8C228Y7NNK', 'user_agent.original': '[aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/macos#23.6.0 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython exec-env/grimoire_52af3621-8820-4e8a-8f18-7683368a7dc2 cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#s3api.delete-bucket]' },
  ],
  'test-tls-details-json.log': [
    { 'event.action': 'UploadSSHPublicKey', 'event.category': ['iam'], 'tls.version': '1.2', 'tls.cipher': 'ECDHE-RSA-AES128-GCM-SHA256', 'aws.cloudtrail.user_identity.invoked_by': 'signin.amazonaws.com', 'aws.cloudtrail.user_identity.session_context.mfa_authenticated': true },
    // SAML user; comma list in sourceIPAddress; errorCode "200" is an HTTP status, not an error.
    { 'aws.cloudtrail.user_identity.type': 'SAMLUser', 'user.email': 'some.user@my.company.com', 'source.ip': '81.2.69.142', 'related.ip': ['81.2.69.142', '192.168.10.10'], 'event.outcome': 'success', 'aws.cloudtrail.error_code': '200' },
    { 'event.provider': 's3express.amazonaws.com', 'user.name': 'some.user', 'user.domain': 'my.company.com', 'tls.version': '1.3', 'tls.version_protocol': 'tls' },
  ],
  'test-user-authentication.log': [
    { 'event.action': 'UserAuthentication', 'event.outcome': 'success', 'aws.cloudtrail.user_identity.type': 'IdentityCenterUser', 'user.email': 'redacted@example.com', 'source.address': 'redacted', 'event.category': ['authentication'] },
  ],
};

test('every Elastic CloudTrail sample parses with zero rejects and maps core fields', { skip: needsShared() }, () => {
  const dir = sharedPath(...SAMPLES);
  const files = readdirSync(dir).filter((f) => f.endsWith('.log'));
  assert.ok(files.length >= 10);
  let events = 0;
  for (const file of files) {
    const text = readFileSync(`${dir}/${file}`, 'utf8');
    const r = parseText('aws.cloudtrail', text, { source: file, original: true });
    assert.deepEqual(r.rejected, [], file);
    if (file.includes('digest')) {
      assert.equal(r.events.length, 0);
      assert.equal(r.skipped['cloudtrail digest'], 1);
      continue;
    }
    const lines = text.split('\n').filter((l) => l.trim());
    assert.equal(r.events.length, lines.length, file);
    events += r.events.length;
    for (const e of r.events) {
      assert.match(e['@timestamp']!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, file);
      assert.equal(e.event?.dataset, 'aws.cloudtrail');
      assert.equal(e.event?.module, 'aws');
      assert.equal(e.event?.ingested, '2026-01-01T00:00:00.000Z');
      assert.equal(at(e, 'cloud.provider'), 'aws');
      assert.equal(at(e, 'log.file.path'), file);
      assert.ok(e.event?.action && e.event.provider && e.event.outcome && e.event.id, file);
      assert.ok(at(e, 'source.ip') ?? at(e, 'source.domain') ?? at(e, 'source.address'), file);
      assert.ok(at(e, 'user_agent.original'), file);
      assert.ok(at(e, 'cloud.account.id') && at(e, 'cloud.region'), file);
      assert.ok(e.event?.original?.startsWith('{'), 'event.original kept');
    }
    const expected = EXPECTED[file];
    assert.ok(expected, `expectations for ${file}`);
    expected.forEach((fields, i) => {
      for (const [path, value] of Object.entries(fields)) assert.deepEqual(at(r.events[i]!, path), value, `${file}[${i}] ${path}`);
    });
  }
  assert.ok(events >= 13);
});

test('Elastic samples are auto-detected as aws.cloudtrail (digest included)', { skip: needsShared() }, () => {
  const dir = sharedPath(...SAMPLES);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.log'))) {
    const lines = readFileSync(`${dir}/${file}`, 'utf8').split('\n').slice(0, 20);
    assert.equal(detectFormat({ name: file, lines }).format?.id, 'aws.cloudtrail', file);
  }
});
