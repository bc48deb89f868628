import { test } from 'node:test';
import assert from 'node:assert/strict';
import { identityToEcs, normalizeAccount, normalizeIdentity, type Identity } from './identity.js';

// [written form, expected identity (undefined = not a user)]
const CASES: [string, Identity | undefined][] = [
  ['CORP\\lee.cole', { name: 'lee.cole', domain: 'corp' }],
  ['corp\\Lee.Cole', { name: 'lee.cole', domain: 'corp' }],
  ['lee.cole@corp.example', { name: 'lee.cole', domain: 'corp.example', email: 'lee.cole@corp.example' }],
  ['Lee.Cole@CORP.EXAMPLE', { name: 'lee.cole', domain: 'corp.example', email: 'lee.cole@corp.example' }],
  ['  "lee.cole@corp.example"  ', { name: 'lee.cole', domain: 'corp.example', email: 'lee.cole@corp.example' }],
  ['Lee COLE (lee.cole@corp.example)', { name: 'lee.cole', domain: 'corp.example', email: 'lee.cole@corp.example', full_name: 'Lee Cole' }],
  ['Cole, Lee (lee.cole@corp.example)', { name: 'lee.cole', domain: 'corp.example', email: 'lee.cole@corp.example', full_name: 'Lee Cole' }],
  ['Lee Cole <lee.cole@corp.example>', { name: 'lee.cole', domain: 'corp.example', email: 'lee.cole@corp.example', full_name: 'Lee Cole' }],
  ['lee.cole@corp', { name: 'lee.cole', domain: 'corp' }],
  [
    'arn:aws:sts::123456789012:assumed-role/Admin/lee.cole@corp.example',
    { name: 'lee.cole', domain: 'corp.example', email: 'lee.cole@corp.example', role: 'Admin' },
  ],
  ['arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Dev_0a1b/lee.cole', { name: 'lee.cole', role: 'AWSReservedSSO_Dev_0a1b' }],
  ['arn:aws:iam::123456789012:user/lee.cole', { name: 'lee.cole' }],
  ['arn:aws:iam::123456789012:user/division/team/Lee.Cole', { name: 'lee.cole' }],
  ['arn:aws-us-gov:iam::123456789012:user/lee.cole@corp.example', { name: 'lee.cole', domain: 'corp.example', email: 'lee.cole@corp.example' }],
  ['arn:aws:iam::123456789012:root', { name: 'root' }],
  ['lee.cole%40corp.example', { name: 'lee.cole', domain: 'corp.example', email: 'lee.cole@corp.example' }],
  ['CORP%5Clee.cole', { name: 'lee.cole', domain: 'corp' }],
  ['CN=Lee Cole,OU=Users,DC=corp,DC=example', { name: 'lee.cole', domain: 'corp.example', full_name: 'Lee Cole' }],
  ['CN=Cole\\, Lee,OU=Staff,OU=Users,DC=corp,DC=example', { name: 'lee.cole', domain: 'corp.example', full_name: 'Lee Cole' }],
  ['cn=Lee COLE,o=Corp', { name: 'lee.cole', full_name: 'Lee Cole' }],
  ['NT AUTHORITY\\SYSTEM', { name: 'system', domain: 'nt authority' }],
  ['NT AUTHORITY\\LOCAL SERVICE', { name: 'local service', domain: 'nt authority' }],
  ['CORP\\WKS-042$', { name: 'wks-042$', domain: 'corp' }],
  ['administrator1', { name: 'administrator1' }],
  ['José.García', { name: 'josé.garcía' }],
  ['-', undefined],
  ['', undefined],
  ['   ', undefined],
  ['Unknown', undefined],
  ['<unknown>', undefined],
  ['N/A', undefined],
  ['SYSTEM', undefined],
  ['anonymous', undefined],
  ['CORP\\-', undefined],
  ['arn:aws:iam::123456789012:role/Admin', undefined],
  ['lee.cole%ZZcorp', undefined],
  ['not an identity at all', undefined],
  ['x'.repeat(600), undefined],
];

for (const [raw, expected] of CASES) {
  test(`normalizeIdentity(${JSON.stringify(raw.length > 60 ? raw.slice(0, 20) + '…' : raw)})`, () => {
    assert.deepEqual(normalizeIdentity(raw), expected);
  });
}

test('normalizeIdentity tolerates null and undefined', () => {
  assert.equal(normalizeIdentity(undefined), undefined);
  assert.equal(normalizeIdentity(null), undefined);
});

test('identityToEcs writes user.* fields and merges into an existing object', () => {
  const id = normalizeIdentity('Cole, Lee (lee.cole@corp.example)')!;
  assert.deepEqual(identityToEcs(id), { name: 'lee.cole', domain: 'corp.example', email: 'lee.cole@corp.example', full_name: 'Lee Cole' });
  const into = { id: 'S-1-5-21-1' };
  identityToEcs(normalizeIdentity('CORP\\lee.cole')!, into);
  assert.deepEqual(into, { id: 'S-1-5-21-1', name: 'lee.cole', domain: 'corp' });
});

test('every written form of the same person yields the same user.name', () => {
  const forms = [
    'CORP\\lee.cole', 'lee.cole@corp.example', 'Lee COLE (lee.cole@corp.example)', 'Cole, Lee (lee.cole@corp.example)',
    'arn:aws:sts::123456789012:assumed-role/Admin/lee.cole@corp.example', 'arn:aws:iam::123456789012:user/lee.cole',
    'lee.cole%40corp.example', 'CN=Lee Cole,OU=Users,DC=corp,DC=example',
  ];
  assert.deepEqual(new Set(forms.map((f) => normalizeIdentity(f)?.name)), new Set(['lee.cole']));
});

test('normalizeAccount: logon name and domain kept beside the UPN, which is the e-mail when it is one', () => {
  assert.deepEqual(normalizeAccount('lee.cole', 'CORP', 'Lee.Cole@corp.example'), { name: 'lee.cole', domain: 'corp', email: 'lee.cole@corp.example' });
  // The logon name may differ from the UPN's local part (SAM account names are short).
  assert.deepEqual(normalizeAccount('lcole', 'CORP', 'lee.cole@corp.example'), { name: 'lcole', domain: 'corp', email: 'lee.cole@corp.example' });
  assert.deepEqual(normalizeAccount('root', undefined, undefined), { name: 'root' });
  assert.deepEqual(normalizeAccount(undefined, undefined, 'lee.cole@corp.example'), { name: 'lee.cole', domain: 'corp.example', email: 'lee.cole@corp.example' });
  // A single-label suffix is no e-mail address: the logon name stands alone.
  assert.deepEqual(normalizeAccount('lee.cole', 'CORP', 'lee.cole@corp'), { name: 'lee.cole', domain: 'corp' });
  assert.equal(normalizeAccount(undefined, 'CORP', undefined), undefined);
});
